"""Confidence intervals of proportions: shares within a target, arrest rates, any ``k`` of ``n``."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

#: The default confidence level of an interval [fraction].
DEFAULT_CONFIDENCE = 0.95


def wilson_interval(k, n, confidence: float = DEFAULT_CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``k / n``.

    Parameters
    ----------
    k : array_like
        Successes [count] (values within target, arrests...).
    n : array_like
        Trials [count], the denominator.
    confidence : float
        Confidence level [fraction], e.g. 0.95.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper bounds [fraction, 0..1]; NaN where ``n == 0``.

    Notes
    -----
    Wilson (1927). Unlike the normal ("Wald") interval it stays within 0..1 and
    keeps its coverage for small ``n`` and for shares near 0 or 1, which is
    where monthly shares of small groups live.
    """
    k = np.asarray(k, dtype="float64")
    n = np.asarray(n, dtype="float64")
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high
