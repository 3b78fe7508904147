"""When a change between two periods is told apart from the noise: intervals of counts and of differences.

The briefing colours a change better or worse only when it is *clear*: the 95% confidence interval of the
change excludes zero and neither period is thin (fewer than ``min_n`` values, the metrics' ``thin``). Every
figure of a period has its own 95% interval:

* a time (median, p90): the distribution-free order-statistic interval of :func:`metrics.summarize`;
* a share (within target, arrest rate, caught in the act): the Wilson score interval
  (:func:`metrics.wilson_interval`);
* a count per day: the score interval of a Poisson mean (:func:`poisson_interval`) divided by the days.

The interval of the difference ``current - reference`` is built from the two periods' own intervals by the
MOVER method (method of variance estimates recovery; Zou and Donner 2008, the general form of Newcombe's 1998
interval for a difference of proportions) in :func:`difference_interval`. Where an interval cannot be computed
(too few values for an order statistic, no values), the change is not clear. ``docs/metrics.md`` (the
briefing's rules) states the same rule.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from ...metrics import DEFAULT_MIN_N

#: Confidence level of the intervals behind a clear change [fraction].
CHANGE_CONFIDENCE = 0.95


def poisson_interval(k, confidence: float = CHANGE_CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Score interval of a Poisson mean from an observed count ``k``.

    ``k + z^2/2 -/+ z sqrt(k + z^2/4)``: the values of the mean whose score statistic is within ``z``
    of ``k`` (the Poisson analogue of the Wilson interval; it stays positive and covers well for small counts).

    Parameters
    ----------
    k : array_like
        Observed counts [count], e.g. calls in a month.
    confidence : float
        Confidence level [fraction].

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper bounds of the mean [count]; NaN where ``k`` is NaN or negative.
    """
    k = np.asarray(k, dtype="float64")
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    with np.errstate(invalid="ignore"):
        half = z * np.sqrt(k + z * z / 4.0)
        centre = k + z * z / 2.0
        ok = k >= 0
    return np.where(ok, centre - half, np.nan), np.where(ok, centre + half, np.nan)


def difference_interval(current, low, high, reference, ref_low, ref_high) -> tuple[np.ndarray, np.ndarray]:
    """95% interval of ``current - reference`` from each estimate's own interval (MOVER).

    ``L = d - sqrt((current - low)^2 + (ref_high - reference)^2)`` and
    ``U = d + sqrt((high - current)^2 + (reference - ref_low)^2)`` with ``d = current - reference``.

    Parameters
    ----------
    current, low, high : array_like
        The current estimate and its interval.
    reference, ref_low, ref_high : array_like
        The reference period's estimate and its interval.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Bounds of the difference; NaN where any input is NaN.
    """
    x1, l1, u1, x0, l0, u0 = (np.asarray(a, dtype="float64") for a in (current, low, high, reference, ref_low,
                                                                       ref_high))  # fmt: skip
    d = x1 - x0
    return d - np.sqrt((x1 - l1) ** 2 + (u0 - x0) ** 2), d + np.sqrt((u1 - x1) ** 2 + (x0 - l0) ** 2)


def is_clear(low, high, n_current, n_reference, min_n: int = DEFAULT_MIN_N) -> np.ndarray:
    """Whether a change is clear: its interval ``(low, high)`` excludes 0 and both periods have ``min_n`` values.

    NaN bounds (an interval that cannot be computed) and NaN counts (a suppressed period) are never clear.
    """
    low, high, n1, n0 = (np.asarray(a, dtype="float64") for a in (low, high, n_current, n_reference))
    with np.errstate(invalid="ignore"):
        outside = (low > 0) | (high < 0)
        solid = (n1 >= min_n) & (n0 >= min_n)
    return np.asarray(outside & solid, dtype=bool)


__all__ = ["CHANGE_CONFIDENCE", "difference_interval", "is_clear", "poisson_interval"]
