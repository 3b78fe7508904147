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
* **Not available is not zero.** Where the source cannot record an arrest (no
  outcome column; or an outcome map that yields no ``arrest`` and no arrest
  time), every arrest figure is missing, not 0, and ``not_available`` says why;
  where it cannot record caught in the act (neither a flag nor an arrest time),
  the caught-in-the-act figures are missing. :func:`outcome_availability`
  decides, from the ingest reports where they say, else from the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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

#: Why an outcome figure is not available: code -> the reason in words (the briefing's catalogues word the codes).
NOT_AVAILABLE_REASONS: dict[str, str] = {
    "no_outcome_column": "the source has no outcome column, so no arrest is recorded",
    "no_arrest_code": "the source's outcomes map no value to 'arrest' and it has no arrest time",
    "no_caught_source": "the source has neither a caught-in-the-act flag nor an arrest time",
    "no_persons_count": "the source has no count of persons arrested (incidents with an arrest are counted)",
}
#: The codes that make the arrest figures themselves unavailable (the others blank only some figures).
ARREST_REASONS = ("no_outcome_column", "no_arrest_code")


@dataclass(frozen=True)
class OutcomeAvailability:
    """Whether a dataset can show arrests and caught-in-the-act figures at all.

    Attributes
    ----------
    arrests : bool
        The source can record an arrest (an outcome mapped to ``arrest``, or an arrest time).
    caught : bool
        The source can tell an arrest caught in the act (a flag, or an arrest time against the clear time).
    reasons : tuple of str
        Codes of :data:`NOT_AVAILABLE_REASONS` for what is not available (empty: everything is).
    persons : bool
        The source records how many persons each arrest took (``persons_arrested``, 抓获人数).
    """

    arrests: bool = True
    caught: bool = True
    reasons: tuple[str, ...] = ()
    persons: bool = True

    @property
    def text(self) -> str:
        """The reasons in words, ``"; "``-joined (empty when everything is available)."""
        return "; ".join(NOT_AVAILABLE_REASONS[r] for r in self.reasons)


def outcome_availability(df: pd.DataFrame | None = None, reports: Iterable[dict] | None = None) -> OutcomeAvailability:
    """Decide what outcome figures a dataset can show.

    Parameters
    ----------
    df : pandas.DataFrame, optional
        Canonical rows, used when no report says.
    reports : iterable of dict, optional
        The ingest reports of the files behind ``df`` (:func:`responsestats.store.read_reports`): they say
        which canonical outcomes each file's mapping can yield and which columns it read. Without them,
        ``df.attrs["sources"]`` (set by :func:`responsestats.store.read_calls`) says the same.

    Returns
    -------
    OutcomeAvailability
        Without reports, ``df.attrs["outcome_availability"]`` where a reader set one. From the reports when
        every one says (arrests: any file can yield ``arrest`` or has an arrest time; caught: any file has a
        caught-in-the-act flag or an arrest time); else from the rows: arrests are not
        available only where every outcome is ``unknown`` and no arrest time is set (no outcome column), and
        caught in the act only where no flag and no arrest time is set.
    """
    reports = [r for r in (reports or []) if isinstance(r, dict)]
    if not reports and df is not None and isinstance(df.attrs.get(N.OUTCOME_AVAILABILITY), OutcomeAvailability):
        return df.attrs[N.OUTCOME_AVAILABILITY]
    if reports and all(S.R_OUTCOMES_POSSIBLE in r for r in reports):
        sources = {S.R_OUTCOMES_POSSIBLE: sorted({o for r in reports for o in r[S.R_OUTCOMES_POSSIBLE]}),
                   S.R_COLUMNS_USED: sorted({k for r in reports for k in (r.get(S.R_COLUMNS_USED) or {})})}
    else:
        sources = (df.attrs.get(S.FRAME_SOURCES) if df is not None else None) or {}
    if sources.get(S.R_OUTCOMES_POSSIBLE) is not None:
        used = set(sources.get(S.R_COLUMNS_USED) or ())
        possible = set(sources[S.R_OUTCOMES_POSSIBLE])
        arrest_time = S.ARRESTED_AT in used
        arrests = arrest_time or S.OUTCOME_ARREST in possible
        caught = arrest_time or S.CAUGHT_IN_ACT in used
        no_column = possible == {S.OUTCOME_UNKNOWN}
        persons = S.PERSONS_ARRESTED in used
    elif df is not None:
        stamps = df[S.ARRESTED_AT].notna().any() if S.ARRESTED_AT in df else False
        flags = df[S.CAUGHT_IN_ACT].notna().any() if S.CAUGHT_IN_ACT in df else False
        outcomes = df[S.OUTCOME] if S.OUTCOME in df else pd.Series([], dtype=object)
        no_column = bool(len(outcomes)) and bool((outcomes.astype("object") == S.OUTCOME_UNKNOWN).all())
        arrests = bool(stamps) or not no_column
        caught = bool(stamps) or bool(flags)
        persons = S.PERSONS_ARRESTED in df and bool(df[S.PERSONS_ARRESTED].notna().any())
    else:
        return OutcomeAvailability()
    reasons = []
    if not arrests:
        reasons.append("no_outcome_column" if no_column else "no_arrest_code")
    else:
        if not caught:
            reasons.append("no_caught_source")
        if not persons:
            reasons.append("no_persons_count")
    return OutcomeAvailability(arrests=bool(arrests), caught=bool(caught) and bool(arrests), reasons=tuple(reasons),
                               persons=bool(persons) and bool(arrests))


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
    availability: OutcomeAvailability | None = None,
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
    availability : OutcomeAvailability, optional
        What the source can record (:func:`outcome_availability`, best made from the ingest reports);
        default: ``df.attrs["outcome_availability"]`` where a reader set it (the briefing's data does),
        else worked out from ``df`` alone.

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
        ``as_of`` (in the agency's local time where ``df`` holds one zone, else UTC),
        ``denominator`` (the rule, in words) and ``not_available`` (codes of
        :data:`NOT_AVAILABLE_REASONS`, ``;``-joined, empty when every figure is available; the figures it
        names are missing, never 0).
    """
    excluded, rule = resolve_denominator(denominator)
    by_cols = resolve_by(by)
    rf = parse_filter(where, df.columns) if where is not None else None
    avail = availability or outcome_availability(df)  # of the source: every row, not only those the filter keeps
    df = apply_filter(df, rf)
    frame = prepare(df, [S.AGENCY, S.INCIDENT_ID, S.RECEIVED_AT, S.OUTCOME], [*S.TIMESTAMP_COLUMNS, S.CAUGHT_IN_ACT])
    frame = incident_level(frame)
    frame, group_cols = with_keys(frame, by_cols)
    cutoff = _as_of(frame, as_of)
    flags = _per_incident(frame, excluded, cutoff)
    zones = frame[S.TIMEZONE].dropna().unique() if S.TIMEZONE in frame else []
    shown_as_of = cutoff.tz_convert(str(zones[0])) if len(zones) == 1 and cutoff is not None else cutoff

    eligible = flags[N.IS_ELIGIBLE].to_numpy()
    arrest = flags[N.IS_ARREST].to_numpy()
    caught = flags[N.IS_CAUGHT].to_numpy()
    persons = (pd.to_numeric(frame[S.PERSONS_ARRESTED], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
               if S.PERSONS_ARRESTED in frame else np.full(len(frame), np.nan))
    counted = arrest & ~np.isnan(persons)  # arrests with a recorded count of persons
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
                N.ARRESTS_WITH_PERSONS: int(counted[pos].sum()),
                N.PERSONS_ARRESTED: int(np.nansum(persons[pos][counted[pos]])),
                N.PERSONS_CAUGHT_IN_ACT: int(np.nansum(persons[pos][counted[pos] & caught[pos]])),
                N.CAUGHT_IN_ACT_PERSONS_RATE: (
                    float(np.nansum(persons[pos][counted[pos] & caught[pos]]) / np.nansum(persons[pos][counted[pos]]))
                    if np.nansum(persons[pos][counted[pos]]) > 0 else nan),
                N.N_HOURS_TO_ARREST: int(h.size),
                N.MEAN_HOURS_TO_ARREST: float(h.mean()) if h.size else nan,
                N.MEDIAN_HOURS_TO_ARREST: percentile(h, 50.0),
                N.P90_HOURS_TO_ARREST: percentile(h, 90.0),
                N.KM_N: int(use.sum()),
                N.KM_EVENTS: int(km_event[pos][use].sum()),
                N.KM_MEDIAN_HOURS_TO_ARREST: km[0],
                N.KM_MEDIAN_CI_LOW_HOURS: km[1],
                N.KM_MEDIAN_CI_HIGH_HOURS: km[2],
                N.AS_OF: shown_as_of,
                N.DENOMINATOR: rule,
                N.NOT_AVAILABLE: ";".join(avail.reasons),
            }
        )
        row.update(dict.fromkeys(unavailable_figures(avail), nan))
        rows.append(row)
    columns = [
        *group_cols, N.INCIDENTS, N.ELIGIBLE, N.ARRESTS, N.ARREST_RATE, N.CAUGHT_IN_ACT_COUNT,
        N.CAUGHT_IN_ACT_RATE, N.ARRESTS_WITH_PERSONS, N.PERSONS_ARRESTED, N.PERSONS_CAUGHT_IN_ACT,
        N.CAUGHT_IN_ACT_PERSONS_RATE, N.N_HOURS_TO_ARREST, N.MEAN_HOURS_TO_ARREST, N.MEDIAN_HOURS_TO_ARREST,
        N.P90_HOURS_TO_ARREST, N.KM_N, N.KM_EVENTS, N.KM_MEDIAN_HOURS_TO_ARREST, N.KM_MEDIAN_CI_LOW_HOURS,
        N.KM_MEDIAN_CI_HIGH_HOURS, N.AS_OF, N.DENOMINATOR, N.NOT_AVAILABLE,
    ]  # fmt: skip
    return with_population(pd.DataFrame(rows, columns=columns), rf)


def unavailable_figures(availability: OutcomeAvailability) -> tuple[str, ...]:
    """The columns of :func:`outcome_summary` a source cannot fill (left missing, never 0).

    Parameters
    ----------
    availability : OutcomeAvailability
        What the source can record (:func:`outcome_availability`).

    Returns
    -------
    tuple of str
        Every arrest figure where arrests are not available; the caught-in-the-act count and rate where only
        those are not; empty where everything is.
    """
    if not availability.arrests:
        return _ARREST_FIGURES
    out = () if availability.caught else _CAUGHT_FIGURES + (N.PERSONS_CAUGHT_IN_ACT, N.CAUGHT_IN_ACT_PERSONS_RATE)
    return out + (() if availability.persons else _PERSONS_FIGURES)


#: The figures that need arrests to be recorded, and those that need caught in the act.
_CAUGHT_FIGURES = (N.CAUGHT_IN_ACT_COUNT, N.CAUGHT_IN_ACT_RATE)
_PERSONS_FIGURES = (N.ARRESTS_WITH_PERSONS, N.PERSONS_ARRESTED, N.PERSONS_CAUGHT_IN_ACT, N.CAUGHT_IN_ACT_PERSONS_RATE)
_ARREST_FIGURES = (N.ARRESTS, N.ARREST_RATE, *_CAUGHT_FIGURES, *_PERSONS_FIGURES, N.N_HOURS_TO_ARREST, N.MEAN_HOURS_TO_ARREST,
                   N.MEDIAN_HOURS_TO_ARREST, N.P90_HOURS_TO_ARREST, N.KM_N, N.KM_EVENTS, N.KM_MEDIAN_HOURS_TO_ARREST,
                   N.KM_MEDIAN_CI_LOW_HOURS, N.KM_MEDIAN_CI_HIGH_HOURS)
