"""Binomial quantile (no scipy) and the order-statistic CI of percentiles."""

from __future__ import annotations

import math

import numpy as np
import pytest

from responsestats.metrics import binom_cdf, binom_ppf, percentile, quantile_ci


def _cdf_by_comb(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k + 1))


@pytest.mark.parametrize("n,p", [(5, 0.5), (30, 0.9), (100, 0.5), (257, 0.9)])
def test_binomial_cdf_matches_the_definition(n, p):
    for k in range(n + 1):
        assert binom_cdf(k, n, p) == pytest.approx(_cdf_by_comb(k, n, p), abs=1e-12)


def test_binomial_ppf_is_the_smallest_k_reaching_q():
    for n, p in [(100, 0.5), (100, 0.9), (40, 0.9)]:
        for q in (0.025, 0.5, 0.975):
            k = binom_ppf(q, n, p)
            assert _cdf_by_comb(k, n, p) >= q - 1e-12
            assert k == 0 or _cdf_by_comb(k - 1, n, p) < q


def test_large_n_uses_a_window_and_stays_exact_enough():
    n, p = 1_000_000, 0.9
    mean, sd = n * p, math.sqrt(n * p * (1 - p))
    k = binom_ppf(0.975, n, p)
    assert abs((k - mean) / sd - 1.96) < 0.01


def test_median_ci_order_statistics_from_tables():
    # n = 6: (x_(1), x_(6)), coverage 1 - 2/64 = 0.969; n = 5 cannot reach 95% -> NaN
    x6 = np.arange(1.0, 7.0)
    assert quantile_ci(x6, 0.5) == (1.0, 6.0)
    low, high = quantile_ci(np.arange(1.0, 6.0), 0.5)
    assert math.isnan(low) and math.isnan(high)
    # n = 100: (x_(40), x_(61)), the classical table value
    x100 = np.arange(1.0, 101.0)
    assert quantile_ci(x100, 0.5) == (40.0, 61.0)


def test_p90_ci_matches_an_independent_binomial_computation():
    n = 100
    # smallest r with P(B <= r) >= 0.025 and smallest k with P(B <= k) >= 0.975, B ~ Bin(100, 0.9)
    r = next(k for k in range(n + 1) if _cdf_by_comb(k, n, 0.9) >= 0.025)
    s = next(k for k in range(n + 1) if _cdf_by_comb(k, n, 0.9) >= 0.975) + 1
    x = np.arange(1.0, n + 1.0)
    assert quantile_ci(x, 0.9) == (float(r), float(s))
    assert _cdf_by_comb(s - 1, n, 0.9) - _cdf_by_comb(r - 1, n, 0.9) >= 0.95


def test_ci_brackets_the_linear_percentile():
    rng = np.random.default_rng(7)
    for n in list(range(7, 60)) + [100, 333, 1000]:
        x = np.sort(rng.exponential(300.0, size=n))
        for q in (0.5, 0.9):
            low, high = quantile_ci(x, q)
            value = percentile(x, 100 * q)
            if not math.isnan(low):
                assert low <= value
            if not math.isnan(high):
                assert value <= high


def test_ci_coverage_is_at_least_nominal_by_simulation():
    rng = np.random.default_rng(11)
    true_median, true_p90 = math.log(2.0), math.log(10.0)  # standard exponential
    hits = np.zeros(2)
    reps = 1500
    for _ in range(reps):
        x = np.sort(rng.exponential(1.0, size=60))
        lo, hi = quantile_ci(x, 0.5)
        hits[0] += lo <= true_median <= hi
        lo, hi = quantile_ci(x, 0.9)
        hits[1] += lo <= true_p90 <= hi
    assert (hits / reps >= 0.93).all()
