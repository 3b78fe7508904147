"""Percentiles and their distribution-free confidence intervals.

Percentiles use linear interpolation between order statistics (numpy's
default ``method="linear"``, Hyndman & Fan type 7). The confidence interval
of the ``p`` quantile is a pair of order statistics ``(x_(r), x_(s))`` chosen
from the binomial distribution of the number of values below the true
quantile, ``B ~ Binomial(n, p)``: ``r`` is the smallest ``k`` with
``P(B <= k) >= alpha/2`` and ``s - 1`` the smallest ``k`` with
``P(B <= k) >= 1 - alpha/2``. The coverage ``P(r <= B <= s - 1)`` is then at
least ``1 - alpha`` for any continuous distribution (conservative). A bound
that would need ``x_(0)`` or ``x_(n+1)`` is NaN: too few values.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

#: Standard deviations of the binomial covered by the computed window; the
#: mass outside is far below float precision.
_WINDOW_SD = 15.0
_FULL_RANGE_N = 20_000
_TOLERANCE = 1e-12


def percentile(values: np.ndarray, q: float) -> float:
    """Percentile ``q`` of ``values`` by linear interpolation (numpy's ``"linear"`` method).

    Parameters
    ----------
    values : numpy.ndarray
        The sample [any unit].
    q : float
        The percentile [percent, 0-100], e.g. 90.

    Returns
    -------
    float
        [the unit of ``values``]; NaN for an empty sample.
    """
    values = np.asarray(values, dtype="float64")
    if values.size == 0:
        return float("nan")
    return float(np.percentile(values, q, method="linear"))


@lru_cache(maxsize=4096)
def _binom_window(n: int, p: float) -> tuple[int, np.ndarray]:
    """First ``k`` and the CDF of Binomial(n, p) over a window holding all its mass.

    The log-pmf at the window's first ``k`` uses :func:`math.lgamma`; the
    rest follows from ``pmf(k+1) / pmf(k) = (n - k) / (k + 1) * p / (1 - p)``.
    """
    if n < 0 or int(n) != n:
        raise ValueError(f"n must be a whole number >= 0, got {n!r}")
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be strictly between 0 and 1, got {p!r}")
    n = int(n)
    if n <= _FULL_RANGE_N:
        lo, hi = 0, n
    else:
        mean, sd = n * p, math.sqrt(n * p * (1.0 - p))
        lo = max(0, int(math.floor(mean - _WINDOW_SD * sd)))
        hi = min(n, int(math.ceil(mean + _WINDOW_SD * sd)))
    first = math.lgamma(n + 1) - math.lgamma(lo + 1) - math.lgamma(n - lo + 1)
    first += lo * math.log(p) + (n - lo) * math.log1p(-p)
    k = np.arange(lo, hi, dtype="float64")
    steps = np.log((n - k) / (k + 1.0)) + (math.log(p) - math.log1p(-p))
    log_pmf = first + np.concatenate([[0.0], np.cumsum(steps)])
    cdf = np.minimum(np.cumsum(np.exp(log_pmf)), 1.0)
    cdf.setflags(write=False)
    return lo, cdf


def binom_cdf(k: int, n: int, p: float) -> float:
    """``P(B <= k)`` for ``B ~ Binomial(n, p)``.

    Parameters
    ----------
    k : int
        Successes [count].
    n : int
        Trials [count].
    p : float
        Success probability [fraction], strictly between 0 and 1.

    Returns
    -------
    float
        The probability [fraction].
    """
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    lo, cdf = _binom_window(n, p)
    if k < lo:
        return 0.0
    return float(cdf[min(int(k) - lo, cdf.size - 1)])


def binom_ppf(q: float, n: int, p: float) -> int:
    """Smallest ``k`` with ``P(B <= k) >= q`` for ``B ~ Binomial(n, p)``.

    Parameters
    ----------
    q : float
        Probability [fraction, 0-1].
    n : int
        Number of trials [count].
    p : float
        Success probability [fraction], strictly between 0 and 1.

    Returns
    -------
    int
        The number of successes ``k`` [count].
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be in [0, 1], got {q!r}")
    if n == 0:
        return 0
    lo, cdf = _binom_window(n, p)
    k = int(np.searchsorted(cdf, q - _TOLERANCE, side="left"))
    return min(lo + k, int(n))


@lru_cache(maxsize=1 << 16)  # the same sizes come back group after group, month after month
def ci_ranks(n: int, p: float, confidence: float = 0.95) -> tuple[int, int]:
    """1-based ranks ``(r, s)`` of the order statistics bounding the CI of the ``p`` quantile.

    ``r`` is the smallest ``k`` with ``P(B <= k) >= alpha/2`` and ``s - 1`` the
    smallest ``k`` with ``P(B <= k) >= 1 - alpha/2``, ``B ~ Binomial(n, p)``.
    A rank of 0 or ``n + 1`` means that bound does not exist (too few values).
    """
    alpha = 1.0 - confidence
    return binom_ppf(alpha / 2.0, n, p), binom_ppf(1.0 - alpha / 2.0, n, p) + 1


def quantile_ci(sorted_values: np.ndarray, p: float, confidence: float = 0.95) -> tuple[float, float]:
    """Distribution-free confidence interval of the ``p`` quantile.

    Parameters
    ----------
    sorted_values : numpy.ndarray
        The sample, sorted ascending [any unit].
    p : float
        Quantile [fraction] (0.5 = median, 0.9 = 90th percentile).
    confidence : float
        Two-sided confidence level [fraction, e.g. 0.95].

    Returns
    -------
    (float, float)
        ``(x_(r), x_(s))`` [the unit of the sample] (see :func:`ci_ranks`); a
        bound is NaN when the sample is too small to give it.
    """
    values = np.asarray(sorted_values, dtype="float64")
    n = values.size
    if n == 0:
        return float("nan"), float("nan")
    r, s = ci_ranks(n, p, confidence)
    low = float(values[r - 1]) if r >= 1 else float("nan")
    high = float(values[s - 1]) if s <= n else float("nan")
    return low, high
