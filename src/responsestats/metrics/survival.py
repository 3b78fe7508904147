"""Kaplan-Meier survival curve with Greenwood's variance, and its median.

Used for time to arrest, where open (not yet arrested) incidents are
right-censored. Implemented with numpy; no scipy.

For distinct event times ``t_i`` with ``n_i`` at risk and ``d_i`` events,

* ``S(t) = prod_{t_i <= t} (1 - d_i / n_i)``;
* Greenwood: ``V(t) = sum_{t_i <= t} d_i / (n_i (n_i - d_i))``, the variance
  of ``log S(t)``;
* log-log 95% CI: ``theta = log(-log S)``, ``se = sqrt(V) / |log S|``, bounds
  ``S ** exp(+z se)`` (low) and ``S ** exp(-z se)`` (high), which stay in
  (0, 1). At ``S = 1`` the bounds are 1; at ``S = 0`` they are undefined (NaN).
* The median is the smallest ``t`` with ``S(t) <= 0.5``; its CI is the
  smallest ``t`` where the low bound is ``<= 0.5`` and the smallest where the
  high bound is (Brookmeyer-Crowley, as R's ``survfit``). NaN: not reached.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from . import names as N


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def kaplan_meier(durations: np.ndarray, observed: np.ndarray, confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier estimate of the survival curve.

    Parameters
    ----------
    durations : array-like of float
        Time from the origin to the event or to censoring [any unit];
        NaN entries are dropped.
    observed : array-like of bool
        True where the event happened, False where censored.
    confidence : float
        Two-sided level of the pointwise CI [fraction, e.g. 0.95].

    Returns
    -------
    pandas.DataFrame
        One row per distinct time (events or censorings), ascending:
        ``time``, ``at_risk``, ``events``, ``censored``, ``survival``,
        ``ci_low``, ``ci_high``.
    """
    t = np.asarray(durations, dtype="float64")
    e = np.asarray(observed, dtype=bool)
    if t.shape != e.shape:
        raise ValueError("durations and observed must have the same length")
    keep = ~np.isnan(t)
    t, e = t[keep], e[keep]
    times, inverse = np.unique(t, return_inverse=True)
    events = np.bincount(inverse, weights=e.astype(float), minlength=times.size).astype("int64")
    total = np.bincount(inverse, minlength=times.size).astype("int64")
    censored = total - events
    at_risk = t.size - np.concatenate([[0], np.cumsum(total)[:-1]]).astype("int64")

    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1.0 - events / at_risk)
        terms = np.where(events > 0, events / (at_risk * (at_risk - events)), 0.0)
        greenwood = np.cumsum(terms)
        log_s = np.log(survival)
        se = np.sqrt(greenwood) / np.abs(log_s)
        z = _z(confidence)
        low = survival ** np.exp(z * se)
        high = survival ** np.exp(-z * se)
    untouched = survival >= 1.0
    low[untouched] = 1.0
    high[untouched] = 1.0
    dead = survival <= 0.0
    low[dead] = np.nan
    high[dead] = np.nan
    return pd.DataFrame(
        {
            N.KM_TIME: times,
            N.KM_AT_RISK: at_risk,
            N.KM_EVENTS_AT: events,
            N.KM_CENSORED: censored,
            N.KM_SURVIVAL: survival,
            N.KM_CI_LOW: low,
            N.KM_CI_HIGH: high,
        }
    )


def _first_time_at_or_below(curve: pd.DataFrame, column: str, level: float) -> float:
    hit = curve[column].to_numpy() <= level + 1e-12  # NaN compares False; tolerate rounding of products
    return float(curve[N.KM_TIME].to_numpy()[hit][0]) if hit.any() else float("nan")


def km_median(durations: np.ndarray, observed: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Kaplan-Meier median and its confidence interval.

    Parameters
    ----------
    durations, observed, confidence
        As in :func:`kaplan_meier`.

    Returns
    -------
    (float, float, float)
        ``(median, ci_low, ci_high)`` [the unit of ``durations``]; NaN
        where the curve (or the CI band) never reaches 0.5.
    """
    curve = kaplan_meier(durations, observed, confidence)
    return (
        _first_time_at_or_below(curve, N.KM_SURVIVAL, 0.5),
        _first_time_at_or_below(curve, N.KM_CI_LOW, 0.5),
        _first_time_at_or_below(curve, N.KM_CI_HIGH, 0.5),
    )
