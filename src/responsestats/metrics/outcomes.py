"""Outcomes per group: arrest rate, caught in the act, time to arrest.

Counted over incidents (one row per agency + incident_id; see
:func:`levels.incident_level`). The denominator of the arrest rate is stated
in the output's ``denominator`` column.

* An incident is an **arrest** when its outcome is ``arrest`` or it has an
  ``arrested_at`` stamp.
* An arrest is **caught in the act** (made during the initial response) when
  ``arrested_at <= cleared_at`` or the source flag ``caught_in_act`` is true;
  ``caught_in_act_rate`` = such arrests / arrests (the published Chinese
  现行抓获率 is this share of arrests).
* **Hours to arrest** run from dispatch to arrest, over arrests with both
  stamps and a non-negative difference.
* The **Kaplan-Meier** median runs over eligible incidents with a dispatch
  stamp; incidents without an arrest (or arrested after ``as_of``) are
  censored at ``as_of``. Arrests without an ``arrested_at`` stamp have no
  time and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import UserError
from . import names as N
from ._frame import prepare
from .filters import RowFilter, apply_filter, parse_filter, with_population
from .grouping import iter_groups, resolve_by, with_keys
from .levels import incident_level
from .quantiles import percentile
from .survival import km_median

#: Outcomes left out of the arrest-rate denominator by default.
DEFAULT_INELIGIBLE: tuple[str, ...] = ("cancelled", "duplicate", "unfounded")
#: ``denominator`` values naming a rule rather than listing outcomes.
DENOMINATOR_DEFAULT = "default"
DENOMINATOR_ALL = "all"

_SECONDS_PER_HOUR = 3600.0


def resolve_denominator(denominator: str | Iterable[str] = DENOMINATOR_DEFAULT) -> tuple[tuple[str, ...], str]:
    """Outcomes excluded from ``eligible`` and the text stating the rule.

    Parameters
    ----------
    denominator : str or iterable of str
        ``"default"``: incidents less cancelled, duplicate and unfounded;
        ``"all"``: every incident; or the outcomes to leave out (a list, or
        a comma-separated string).

    Returns
    -------
    (tuple of str, str)
    """
    if isinstance(denominator, str):
        text = denominator.strip()
        if text == DENOMINATOR_DEFAULT:
            excluded: tuple[str, ...] = DEFAULT_INELIGIBLE
        elif text == DENOMINATOR_ALL:
            excluded = ()
        else:
            excluded = tuple(p.strip() for p in text.split(",") if p.strip())
    else:
        excluded = tuple(str(p).strip() for p in denominator)
    bad = [o for o in excluded if o not in S.OUTCOMES]
    if bad:
        raise UserError(f"unknown outcome(s) {', '.join(bad)} in the denominator; outcomes: {', '.join(S.OUTCOMES)}")
    excluded = tuple(dict.fromkeys(excluded))
    if not excluded:
        return excluded, "all incidents"
    return excluded, "incidents excluding outcomes: " + ", ".join(excluded)


def _as_of(frame: pd.DataFrame, as_of: object) -> pd.Timestamp:
    if as_of is not None:
        ts = pd.Timestamp(as_of)
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    candidates = [frame[c].max() for c in (S.RECEIVED_AT, S.CLEARED_AT, S.ARRESTED_AT) if c in frame.columns]
    candidates = [c for c in candidates if pd.notna(c)]
    return max(candidates) if candidates else pd.NaT


def _hours(delta: pd.Series) -> np.ndarray:
    return delta.dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan) / _SECONDS_PER_HOUR


def _per_incident(frame: pd.DataFrame, excluded: tuple[str, ...], as_of: pd.Timestamp) -> pd.DataFrame:
    """Flags and durations of each incident (aligned with ``frame``)."""
    outcome = frame[S.OUTCOME].astype("object")
    arrested_at, cleared_at, dispatched_at = frame[S.ARRESTED_AT], frame[S.CLEARED_AT], frame[S.DISPATCHED_AT]
    has_arrest_time = arrested_at.notna().to_numpy()
    eligible = ~outcome.isin(excluded).to_numpy()
    arrest = eligible & ((outcome == S.OUTCOME_ARREST).to_numpy() | has_arrest_time)
    flag = frame[S.CAUGHT_IN_ACT].astype("boolean").fillna(False).to_numpy(dtype=bool)
    on_scene = (arrested_at <= cleared_at).astype("boolean").fillna(False).to_numpy(dtype=bool)
    caught = arrest & (flag | on_scene)

    to_arrest = _hours(arrested_at - dispatched_at)
    timed = arrest & ~np.isnan(to_arrest) & (to_arrest >= 0)

    if pd.notna(as_of):
        to_as_of = _hours(pd.Series(as_of, index=frame.index) - dispatched_at)
        event = has_arrest_time & (arrested_at <= as_of).to_numpy(dtype=bool, na_value=False)
    else:
        to_as_of, event = np.full(len(frame), np.nan), has_arrest_time
    km_time = np.where(event, to_arrest, to_as_of)
    km_use = eligible & ~(arrest & ~has_arrest_time) & ~np.isnan(km_time) & (km_time >= 0)
    return pd.DataFrame(
        {
            N.IS_ELIGIBLE: eligible,
            N.IS_ARREST: arrest,
            N.IS_CAUGHT: caught,
            N.HOURS_TO_ARREST: np.where(timed, to_arrest, np.nan),
            N.KM_HOURS: np.where(km_use, km_time, np.nan),
            N.KM_EVENT: event & km_use,
        },
        index=frame.index,
    )


def incident_outcomes(
    df: pd.DataFrame, denominator: str | Iterable[str] = DENOMINATOR_DEFAULT, as_of: object = None
) -> pd.DataFrame:
    """Each incident's outcome flags and times, as :func:`outcome_summary` counts them.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame (collapsed to incidents first).
    denominator : str or iterable of str
        Which incidents are eligible; see :func:`resolve_denominator`.
    as_of : timestamp-like or None
        End of observation [UTC] for censoring (as in :func:`outcome_summary`).

    Returns
    -------
    pandas.DataFrame
        One row per incident: ``agency``, ``incident_id``, ``eligible``,
        ``arrest``, ``caught`` (bool), ``hours`` (dispatch to arrest of timed
        arrests [h], else NaN), ``km_hours`` (time to arrest, or to ``as_of``
        when censored [h]; NaN outside the Kaplan-Meier population) and
        ``km_event`` (bool).
    """
    excluded, _ = resolve_denominator(denominator)
    frame = prepare(df, [S.AGENCY, S.INCIDENT_ID, S.RECEIVED_AT, S.OUTCOME], [*S.TIMESTAMP_COLUMNS, S.CAUGHT_IN_ACT])
    frame = incident_level(frame)
    flags = _per_incident(frame, excluded, _as_of(frame, as_of))
    flags.insert(0, S.INCIDENT_ID, frame[S.INCIDENT_ID].to_numpy())
    flags.insert(0, S.AGENCY, frame[S.AGENCY].to_numpy())
    return flags.reset_index(drop=True)


def outcome_summary(
    df: pd.DataFrame,
    by: str | Iterable[str] | None = None,
    denominator: str | Iterable[str] = DENOMINATOR_DEFAULT,
    as_of: object = None,
    confidence: float = 0.95,
    where: str | RowFilter | None = None,
) -> pd.DataFrame:
    """Arrest rate, caught-in-the-act rate and time to arrest per group.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame (collapsed to incidents first).
    by : str, iterable of str or None
        Group columns or local-time keys (from the incident's received_at).
    denominator : str or iterable of str
        Which incidents are eligible; see :func:`resolve_denominator`.
    as_of : timestamp-like or None
        End of observation [UTC] for the Kaplan-Meier censoring; default the
        latest ``received_at`` / ``cleared_at`` / ``arrested_at`` in ``df``
        (the data cannot end before its last stamp, and an arrest seen in
        the data must not be censored). Naive values are read as UTC.
    confidence : float
        Level of the KM median CI [fraction, e.g. 0.95].
    where : str or RowFilter, optional
        Keep only the rows this filter matches (:mod:`~responsestats.metrics.filters`).

    Returns
    -------
    pandas.DataFrame
        One row per group: (with ``where``) ``where``, the filter's text; ``incidents``, ``eligible``, ``arrests``,
        ``arrest_rate`` (arrests / eligible), ``caught_in_act`` (count),
        ``caught_in_act_rate`` (caught in the act / arrests),
        ``n_hours_to_arrest``, ``mean_hours_to_arrest``,
        ``median_hours_to_arrest``, ``p90_hours_to_arrest`` [h],
        ``km_n``, ``km_events``, ``km_median_hours_to_arrest``,
        ``km_median_ci_low_hours``, ``km_median_ci_high_hours`` [h],
        ``as_of`` and ``denominator`` (the rule, in words).
    """
    excluded, rule = resolve_denominator(denominator)
    by_cols = resolve_by(by)
    rf = parse_filter(where, df.columns) if where is not None else None
    df = apply_filter(df, rf)
    frame = prepare(df, [S.AGENCY, S.INCIDENT_ID, S.RECEIVED_AT, S.OUTCOME], [*S.TIMESTAMP_COLUMNS, S.CAUGHT_IN_ACT])
    frame = incident_level(frame)
    frame, group_cols = with_keys(frame, by_cols)
    cutoff = _as_of(frame, as_of)
    flags = _per_incident(frame, excluded, cutoff)

    eligible = flags[N.IS_ELIGIBLE].to_numpy()
    arrest = flags[N.IS_ARREST].to_numpy()
    caught = flags[N.IS_CAUGHT].to_numpy()
    hours = flags[N.HOURS_TO_ARREST].to_numpy()
    km_time = flags[N.KM_HOURS].to_numpy()
    km_event = flags[N.KM_EVENT].to_numpy()
    nan = float("nan")

    rows = []
    for key, pos in iter_groups(frame, by_cols, group_cols):
        n_eligible, n_arrests, n_caught = int(eligible[pos].sum()), int(arrest[pos].sum()), int(caught[pos].sum())
        h = hours[pos][~np.isnan(hours[pos])]
        t = km_time[pos]
        use = ~np.isnan(t)
        km = km_median(t[use], km_event[pos][use], confidence) if use.any() else (nan, nan, nan)
        row = dict(key)
        row.update(
            {
                N.INCIDENTS: int(pos.size),
                N.ELIGIBLE: n_eligible,
                N.ARRESTS: n_arrests,
                N.ARREST_RATE: n_arrests / n_eligible if n_eligible else nan,
                N.CAUGHT_IN_ACT_COUNT: n_caught,
                N.CAUGHT_IN_ACT_RATE: n_caught / n_arrests if n_arrests else nan,
                N.N_HOURS_TO_ARREST: int(h.size),
                N.MEAN_HOURS_TO_ARREST: float(h.mean()) if h.size else nan,
                N.MEDIAN_HOURS_TO_ARREST: percentile(h, 50.0),
                N.P90_HOURS_TO_ARREST: percentile(h, 90.0),
                N.KM_N: int(use.sum()),
                N.KM_EVENTS: int(km_event[pos][use].sum()),
                N.KM_MEDIAN_HOURS_TO_ARREST: km[0],
                N.KM_MEDIAN_CI_LOW_HOURS: km[1],
                N.KM_MEDIAN_CI_HIGH_HOURS: km[2],
                N.AS_OF: cutoff,
                N.DENOMINATOR: rule,
            }
        )
        rows.append(row)
    columns = [
        *group_cols, N.INCIDENTS, N.ELIGIBLE, N.ARRESTS, N.ARREST_RATE, N.CAUGHT_IN_ACT_COUNT,
        N.CAUGHT_IN_ACT_RATE, N.N_HOURS_TO_ARREST, N.MEAN_HOURS_TO_ARREST, N.MEDIAN_HOURS_TO_ARREST,
        N.P90_HOURS_TO_ARREST, N.KM_N, N.KM_EVENTS, N.KM_MEDIAN_HOURS_TO_ARREST, N.KM_MEDIAN_CI_LOW_HOURS,
        N.KM_MEDIAN_CI_HIGH_HOURS, N.AS_OF, N.DENOMINATOR,
    ]  # fmt: skip
    return with_population(pd.DataFrame(rows, columns=columns), rf)
