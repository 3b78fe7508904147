"""Kaplan-Meier with Greenwood log-log CI, against a hand-worked example."""

from __future__ import annotations

import math

import numpy as np
import pytest

from responsestats.metrics import kaplan_meier, km_median
from responsestats.metrics import names as N

# Durations 1, 2, 2+, 3, 4+, 5 (+ = censored).
#   t   at risk  events  censored   S(t)                    Greenwood sum d/(n(n-d))
#   1     6        1        0       5/6                     1/(6*5) = 1/30
#   2     5        1        1       5/6 * 4/5 = 2/3         1/30 + 1/(5*4) = 1/12
#   3     3        1        0       2/3 * 2/3 = 4/9         1/12 + 1/(3*2) = 1/4
#   4     2        0        1       4/9                     1/4
#   5     1        1        0       0                       (undefined)
# log-log CI at t = 3: se = sqrt(1/4) / |ln(4/9)| = 0.5 / 0.81093 = 0.61658;
#   exp(1.96 * 0.61658) = 3.3482 -> low = (4/9)^3.3482 = 0.0662, high = (4/9)^(1/3.3482) = 0.7849
# Median: first t with S <= 0.5 -> 3. CI: low bound curve first <= 0.5 at t = 1 (0.2731);
#   high bound curve never <= 0.5 (0.7849 at t = 3, 4; undefined at S = 0) -> NaN (not reached).
DURATIONS = [1, 2, 2, 3, 4, 5]
OBSERVED = [True, True, False, True, False, True]


def test_kaplan_meier_hand_worked():
    km = kaplan_meier(DURATIONS, OBSERVED)
    assert km[N.KM_TIME].tolist() == [1, 2, 3, 4, 5]
    assert km[N.KM_AT_RISK].tolist() == [6, 5, 3, 2, 1]
    assert km[N.KM_EVENTS_AT].tolist() == [1, 1, 1, 0, 1]
    assert km[N.KM_CENSORED].tolist() == [0, 1, 0, 1, 0]
    np.testing.assert_allclose(km[N.KM_SURVIVAL], [5 / 6, 2 / 3, 4 / 9, 4 / 9, 0.0])
    row = km.iloc[2]
    assert row[N.KM_CI_LOW] == pytest.approx(0.0662, abs=5e-4)
    assert row[N.KM_CI_HIGH] == pytest.approx(0.7849, abs=5e-4)
    # the same by the formula, written out independently
    z = 1.959963984540054
    for s, v, i in [(5 / 6, 1 / 30, 0), (2 / 3, 1 / 12, 1), (4 / 9, 1 / 4, 2)]:
        se = math.sqrt(v) / abs(math.log(s))
        assert km[N.KM_CI_LOW].iloc[i] == pytest.approx(s ** math.exp(z * se))
        assert km[N.KM_CI_HIGH].iloc[i] == pytest.approx(s ** math.exp(-z * se))
    assert math.isnan(km[N.KM_CI_LOW].iloc[4])


def test_km_median_and_ci():
    median, low, high = km_median(DURATIONS, OBSERVED)
    assert median == 3
    assert low == 1
    assert math.isnan(high)


def test_no_censoring_reduces_to_the_empirical_survival():
    km = kaplan_meier([3, 1, 2, 4], [True] * 4)
    np.testing.assert_allclose(km[N.KM_SURVIVAL], [0.75, 0.5, 0.25, 0.0])
    assert km_median([3, 1, 2, 4], [True] * 4)[0] == 2


def test_all_censored_has_no_median():
    km = kaplan_meier([5, 6], [False, False])
    assert km[N.KM_SURVIVAL].tolist() == [1.0, 1.0]
    assert km[N.KM_CI_LOW].tolist() == [1.0, 1.0]
    assert math.isnan(km_median([5, 6], [False, False])[0])
