"""outcome_summary(): arrest rate, caught in the act, hours to arrest, KM median."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from responsestats import schema as S
from responsestats.errors import UserError
from responsestats.metrics import outcome_summary
from responsestats.metrics import names as N

T = "2024-06-01 10:00"
H = 3600

# Nine incidents, all received at T and dispatched 60 s later (times in seconds after T):
#   id  outcome    arrested          cleared  flag   eligible arrest caught  hours to arrest
#   1   arrest     60 + 0.5 h        3600     -      yes      yes    yes (arrested <= cleared)   0.5
#   2   arrest     60 + 2 h          3600     -      yes      yes    no                          2
#   3   arrest     60 + 10 h         1800     True   yes      yes    yes (flag)                  10
#   4   report     -                 -        -      yes      no
#   5   cancelled  -                 -        -      no
#   6   unfounded  -                 -        -      no
#   7   duplicate  -                 -        -      no
#   8   arrest     (no stamp)        600      -      yes      yes    no                          -
#   9   advised    -                 -        -      yes      no
# incidents 9, eligible 6, arrests 4 -> arrest_rate 4/6; caught 2 -> caught_in_act_rate 2/4 = 0.5
# hours [0.5, 2, 10]: mean 12.5/3 = 4.1667, median 2, p90 (linear, h = 1.8) = 2 + 0.8 * 8 = 8.4
# KM with as_of = dispatch + 20 h: events at 0.5, 2, 10; incidents 4 and 9 censored at 20 h;
#   incident 8 (arrest without a time) left out -> km_n 5.
#   S: 0.5 h: 4/5 = 0.8; 2 h: 0.8 * 3/4 = 0.6; 10 h: 0.6 * 2/3 = 0.4 -> median 10 h
ROWS = [
    dict(outcome="arrest", arrested_at=60 + 0.5 * H, cleared_at=3600),
    dict(outcome="arrest", arrested_at=60 + 2 * H, cleared_at=3600),
    dict(outcome="arrest", arrested_at=60 + 10 * H, cleared_at=1800, caught_in_act=True),
    dict(outcome="report"),
    dict(outcome="cancelled"),
    dict(outcome="unfounded"),
    dict(outcome="duplicate"),
    dict(outcome="arrest", cleared_at=600),
    dict(outcome="advised"),
]


@pytest.fixture
def incidents(make_calls):
    return make_calls([dict(received_at=T, dispatched_at=60, **r) for r in ROWS])


def test_hand_worked_outcomes(incidents):
    as_of = pd.Timestamp(T, tz="America/Los_Angeles") + pd.Timedelta(seconds=60 + 20 * H)
    row = outcome_summary(incidents, as_of=as_of).iloc[0]
    assert row[N.INCIDENTS] == 9
    assert row[N.ELIGIBLE] == 6
    assert row[N.ARRESTS] == 4
    assert row[N.ARREST_RATE] == pytest.approx(4 / 6)
    assert row[N.CAUGHT_IN_ACT_COUNT] == 2
    assert row[N.CAUGHT_IN_ACT_RATE] == pytest.approx(0.5)
    assert row[N.N_HOURS_TO_ARREST] == 3
    assert row[N.MEAN_HOURS_TO_ARREST] == pytest.approx(12.5 / 3)
    assert row[N.MEDIAN_HOURS_TO_ARREST] == pytest.approx(2.0)
    assert row[N.P90_HOURS_TO_ARREST] == pytest.approx(8.4)
    assert row[N.KM_N] == 5
    assert row[N.KM_EVENTS] == 3
    assert row[N.KM_MEDIAN_HOURS_TO_ARREST] == pytest.approx(10.0)
    assert row[N.DENOMINATOR] == "incidents excluding outcomes: cancelled, duplicate, unfounded"


def test_default_as_of_is_the_last_stamp(incidents):
    row = outcome_summary(incidents).iloc[0]
    # last stamp: incident 3's arrest, dispatch + 10 h -> open cases censored at 10 h; same median
    expected = pd.Timestamp(T, tz="America/Los_Angeles").tz_convert("UTC") + pd.Timedelta(seconds=60 + 10 * H)
    assert row[N.AS_OF] == expected
    assert row[N.KM_MEDIAN_HOURS_TO_ARREST] == pytest.approx(10.0)


def test_denominator_rules(incidents):
    everything = outcome_summary(incidents, denominator="all").iloc[0]
    assert everything[N.ELIGIBLE] == 9 and everything[N.ARREST_RATE] == pytest.approx(4 / 9)
    assert everything[N.DENOMINATOR] == "all incidents"
    custom = outcome_summary(incidents, denominator=["cancelled"]).iloc[0]
    assert custom[N.ELIGIBLE] == 8
    assert custom[N.DENOMINATOR] == "incidents excluding outcomes: cancelled"
    with pytest.raises(UserError, match="unknown outcome"):
        outcome_summary(incidents, denominator="closed")


def test_by_group_and_empty_rates(make_calls):
    df = make_calls(
        [
            dict(received_at=T, district="n", outcome="arrest", dispatched_at=0, arrested_at=H, cleared_at=2 * H),
            dict(received_at=T, district="s", outcome="report", dispatched_at=0),
        ]
    )
    out = outcome_summary(df, by=S.DISTRICT).set_index(S.DISTRICT)
    assert out.loc["n", N.ARREST_RATE] == 1.0 and out.loc["n", N.CAUGHT_IN_ACT_RATE] == 1.0
    assert out.loc["s", N.ARRESTS] == 0 and math.isnan(out.loc["s", N.CAUGHT_IN_ACT_RATE])
    assert math.isnan(out.loc["s", N.MEDIAN_HOURS_TO_ARREST])


def test_units_of_one_incident_count_once(make_calls):
    df = make_calls(
        [
            dict(incident_id="A", unit_id="u1", received_at=T, dispatched_at=60, outcome="unknown"),
            dict(incident_id="A", unit_id="u2", received_at=T, dispatched_at=90, outcome="arrest",
                 arrested_at=600, cleared_at=1200),
        ]
    )
    row = outcome_summary(df).iloc[0]
    assert row[N.INCIDENTS] == 1 and row[N.ARRESTS] == 1 and row[N.CAUGHT_IN_ACT_COUNT] == 1
    assert row[N.MEAN_HOURS_TO_ARREST] == pytest.approx((600 - 60) / H)
