"""Workload and deployment: calls, incidents in progress and units busy by hour of day, teams on duty, UHU.

"警力跟着警情走" (deploy police where the calls are): for each local hour of the day, over a period of days,

* **calls received per day**: incidents received in that hour, divided by the days of the period;
* **incidents in progress** (concurrency): the time-weighted mean number of incidents open during that hour,
  an incident being open from its first dispatch to its last unit cleared (each incident once, however many
  unit rows it has);
* **units busy**: the same for units, each unit busy from its dispatch to its clearing (unit-level data
  only; incident-level rows cannot say how many units were out: *not available*, never 0);
* **teams on duty**: from a duty roster (:mod:`responsestats.sources.roster`), the mean over the period's
  dates.

and, for unit-level data, the **unit hour utilisation** (UHU) of each unit type or station: unit-hours
committed to incidents over unit-hours available. Definitions, exclusions and the availability assumption:
``docs/metrics.md`` (*Workload and deployment*).

Local hours and dates are each row's own wall clock (its ``timezone``); an interval that spans several hours
or days is split across them at the local hour boundaries, so a DST day's missing or repeated hour is
handled: each hour's mean is over the time the local clock actually showed that hour.
"""

from __future__ import annotations

import datetime as dt
from numbers import Real

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import UserError
from ..sources.roster import DATE as ROSTER_DATE
from ..sources.roster import HOUR as ROSTER_HOUR
from ..sources.roster import TEAMS as ROSTER_TEAMS
from ..sources.roster import WEEKDAY as ROSTER_WEEKDAY
from ..sources.roster import roster_kind
from . import names as N
from ._frame import prepare
from .exclusions import DEFAULT_CAP
from .levels import incident_level
from .timekeys import add_time_keys

HOURS_PER_DAY = 24
SECONDS_PER_HOUR = 3600.0
#: Default cap of a busy interval (dispatch to cleared) [s]: a day, the cap of time on scene; longer is an
#: uncleared status, not a day's work.
DEFAULT_BUSY_CAP_S = 24 * 3600.0
#: The exclusion reasons of a busy interval, in order of precedence.
BUSY_REASONS: tuple[str, ...] = (N.REASON_MISSING, N.REASON_NEGATIVE, N.REASON_ABOVE_CAP)
_EXCLUDED = tuple(N.excluded_column(r) for r in BUSY_REASONS)

#: Columns of :func:`hourly_workload`.
HOURLY_COLUMNS: tuple[str, ...] = (
    N.KEY_HOUR, N.DAYS, N.CALLS, N.CALLS_PER_DAY, N.INCIDENTS_IN_PROGRESS, N.UNITS_BUSY, N.N, N.N_EXCLUDED,
    *_EXCLUDED, N.N_UNIT_ROWS, N.N_UNIT_ROWS_EXCLUDED, N.NOT_AVAILABLE,
)  # fmt: skip
#: Columns of :func:`teams_on_duty`.
TEAMS_COLUMNS: tuple[str, ...] = (N.KEY_HOUR, N.DAYS, N.TEAMS_ON_DUTY, N.DAYS_MISSING, N.NOT_AVAILABLE)
#: Columns of :func:`unit_hour_utilisation`, after the group column.
UHU_COLUMNS: tuple[str, ...] = (
    N.N_UNITS, N.BUSY_UNIT_HOURS, N.AVAILABLE_UNIT_HOURS, N.UHU, N.N, N.N_EXCLUDED, *_EXCLUDED, N.N_NO_UNIT_ID,
    N.NOT_AVAILABLE,
)  # fmt: skip


# --- the period ---------------------------------------------------------------------------------------------
def _as_date(value: object, name: str) -> dt.date:
    """A local date from ``"YYYY-MM-DD"``, a date or a timestamp (its date as written)."""
    if isinstance(value, dt.datetime):  # a pandas.Timestamp too
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UserError(f"{name} must be a local date YYYY-MM-DD, got {value!r}") from None


def workload_period(calls: pd.DataFrame, start: object = None, end: object = None) -> tuple[dt.date, dt.date]:
    """The period a workload figure averages over: ``start`` to ``end``, local dates, both included.

    Parameters
    ----------
    calls : pandas.DataFrame
        Canonical rows; only read when ``start`` or ``end`` is not given.
    start, end : str, datetime.date or pandas.Timestamp, optional
        First and last local date of the period (``"YYYY-MM-DD"``). Default: the first and the last local
        date on which a call of ``calls`` was received.

    Returns
    -------
    (datetime.date, datetime.date)
        The first and the last date; the period holds ``(end - start).days + 1`` days.

    Raises
    ------
    UserError
        A date that cannot be read, ``end`` before ``start``, or no call to take a default from.
    """
    first = _as_date(start, "start") if start is not None else None
    last = _as_date(end, "end") if end is not None else None
    if first is None or last is None:
        if not len(calls):
            raise UserError("no calls to take the period from: give start and end (local dates YYYY-MM-DD)")
        dates = add_time_keys(calls[[S.RECEIVED_AT, S.TIMEZONE]], [N.KEY_DATE])[N.KEY_DATE].dropna()
        if dates.empty:
            raise UserError("no call has a received time to take the period from: give start and end")
        first = first or dt.date.fromisoformat(str(dates.min()))
        last = last or dt.date.fromisoformat(str(dates.max()))
    if last < first:
        raise UserError(f"the period ends ({last}) before it starts ({first})")
    return first, last


def _resolve_cap(cap: object) -> float | None:
    if isinstance(cap, str) and cap == DEFAULT_CAP:
        return DEFAULT_BUSY_CAP_S
    if cap is None:
        return None
    if isinstance(cap, bool) or not isinstance(cap, Real) or not np.isfinite(float(cap)) or cap < 0:
        raise UserError(f"cap of a busy interval must be 'default', a number of seconds >= 0 or None, got {cap!r}")
    return float(cap)


class _Grid:
    """The local hours of a period in one zone: their edges [s from the period's start] and hour of day."""

    def __init__(self, zone: str, start: dt.date, end: dt.date):
        try:
            t0 = pd.Timestamp(start).tz_localize(zone, ambiguous=True, nonexistent="shift_forward")
            t1 = pd.Timestamp(end + dt.timedelta(days=1)).tz_localize(zone, ambiguous=True,
                                                                      nonexistent="shift_forward")  # fmt: skip
        except Exception as exc:  # zoneinfo / pytz raise different types
            raise UserError(f"unknown time zone {zone!r} in column {S.TIMEZONE}") from exc
        edges = pd.date_range(t0, t1, freq="h")  # absolute hours: the local hour boundaries, DST included
        if edges[-1] != t1:
            edges = edges.append(pd.DatetimeIndex([t1]))
        self.t0 = t0
        self.edges = np.asarray((edges - t0) / pd.Timedelta(seconds=1), dtype="float64")
        self.hours = np.asarray(edges[:-1].hour, dtype="int64")
        #: Seconds during which the local clock showed each hour of the day, over the period [s].
        self.exposure = np.bincount(self.hours, weights=np.diff(self.edges), minlength=HOURS_PER_DAY)

    @property
    def length_s(self) -> float:
        """The period's length in this zone [s] (a DST change makes a day 23 or 25 hours)."""
        return float(self.edges[-1])

    def seconds(self, stamps: pd.Series) -> np.ndarray:
        """UTC stamps as seconds from the period's start in this zone (NaN where missing)."""
        return np.asarray((stamps - self.t0) / pd.Timedelta(seconds=1), dtype="float64")

    def busy_by_hour(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Seconds of [start, end) intervals inside each hour of the day over the period, summed [s]."""
        top = self.edges[-1]
        s, e = np.clip(starts, 0.0, top), np.clip(ends, 0.0, top)
        keep = e > s
        s, e = np.sort(s[keep]), np.sort(e[keep])
        # F(t) = sum_i (t - s_i)+ - (t - e_i)+ is the busy time before t; its rise over an hour is that hour's.
        total = _ramp(s, self.edges) - _ramp(e, self.edges)
        return np.bincount(self.hours, weights=np.diff(total), minlength=HOURS_PER_DAY)


def _ramp(points: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``sum_i max(t - p_i, 0)`` for each ``t``, with ``points`` sorted [s]."""
    k = np.searchsorted(points, t, side="right")
    before = np.concatenate([[0.0], np.cumsum(points)])
    return k * t - before[k]


def _exclusions(start: pd.Series, end: pd.Series, cap: float | None) -> np.ndarray:
    """Code of each busy interval: 0 timed, else 1 + the index of its reason in :data:`BUSY_REASONS`."""
    missing = (start.isna() | end.isna()).to_numpy()
    length = ((end - start) / pd.Timedelta(seconds=1)).to_numpy(dtype="float64", na_value=np.nan)
    codes = np.zeros(len(start), dtype="int64")
    codes[missing] = 1
    codes[~missing & (length < 0)] = 2
    if cap is not None:
        codes[(codes == 0) & (length > cap)] = 3
    return codes


def _counts(codes: np.ndarray) -> dict[str, int]:
    """``n``, ``n_excluded`` and ``excluded_<reason>`` of exclusion codes."""
    per = np.bincount(codes, minlength=len(BUSY_REASONS) + 1)
    out = {N.N: int(per[0]), N.N_EXCLUDED: int(per[1:].sum())}
    out.update({column: int(per[i + 1]) for i, column in enumerate(_EXCLUDED)})
    return out


def has_unit_rows(calls: pd.DataFrame) -> bool:
    """Whether ``calls`` are unit-level rows: a ``unit_id`` column with at least one value.

    Parameters
    ----------
    calls : pandas.DataFrame
        Canonical rows.

    Returns
    -------
    bool
        True when units can be counted (units busy, unit hour utilisation).
    """
    return S.UNIT_ID in calls.columns and bool(calls[S.UNIT_ID].notna().any())


def _unit_codes(frame: pd.DataFrame, extra: list[str] | None = None) -> np.ndarray:
    """Integer identity of each row's unit, (agency, unit_id) and the ``extra`` columns; a row without a unit
    id is a unit of its own."""
    keys = [S.AGENCY, S.UNIT_ID, *(extra or [])]
    codes = frame.groupby(keys, dropna=False, sort=False, observed=True).ngroup().to_numpy(dtype="int64")
    missing = frame[S.UNIT_ID].isna().to_numpy()
    if missing.any():
        codes = codes.copy()
        codes[missing] = codes.max() + 1 + np.arange(int(missing.sum()))
    return codes


def _merge(units: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each unit's intervals merged where they overlap (a unit is busy once at a time): units, starts, ends."""
    if not len(units):
        return units, starts, ends
    order = np.lexsort((starts, units))
    u, s, e = units[order], starts[order], ends[order]
    reach = pd.Series(e).groupby(u).cummax().to_numpy()  # the latest end so far, within each unit
    previous = np.concatenate([[-np.inf], reach[:-1]])
    new = np.concatenate([[True], u[1:] != u[:-1]]) | (s > previous)
    first = np.flatnonzero(new)
    return u[first], s[first], np.maximum.reduceat(e, first)


# --- hourly workload ----------------------------------------------------------------------------------------
def hourly_workload(calls: pd.DataFrame, start: object = None, end: object = None,
                    cap: str | float | None = DEFAULT_CAP) -> pd.DataFrame:  # fmt: skip
    """Calls received, incidents in progress and units busy by local hour of the day, over a period.

    Parameters
    ----------
    calls : pandas.DataFrame
        Canonical rows, incident-level or unit-level (one row per responding unit), holding the calls
        received in the period (and, for the incidents already open when it starts, the days before).
    start, end : str, datetime.date or pandas.Timestamp, optional
        First and last local date of the period, both included (:func:`workload_period`; default the first
        and last dates on which a call of ``calls`` was received).
    cap : "default", float or None
        A busy interval (dispatch to cleared) longer than this [s] is excluded (``above_cap``);
        ``"default"``: 24 h (:data:`DEFAULT_BUSY_CAP_S`); None: no cap.

    Returns
    -------
    pandas.DataFrame
        24 rows, one per local hour ``hour`` [0-23], with:

        * ``days`` [count]: days of the period;
        * ``calls`` [count]: incidents received in that hour on a date of the period (an incident once,
          at its first ``received_at``), and ``calls_per_day`` [count/day] = ``calls / days``;
        * ``incidents_in_progress`` [count]: the time-weighted mean number of incidents open while the local
          clock showed that hour, over the period; an incident is open from its first ``dispatched_at`` to
          its last ``cleared_at`` (at incident level, :func:`~responsestats.metrics.levels.incident_level`),
          and the part of it inside the period counts;
        * ``units_busy`` [count]: the same for units, each unit busy from its row's ``dispatched_at`` to its
          ``cleared_at`` (a unit's overlapping rows count once; a row without ``unit_id`` is a unit of its
          own); NaN for incident-level rows, with ``not_available`` = ``"no_unit_id"``;
        * ``n`` [count]: incidents whose open interval is timed; ``n_excluded`` [count] and
          ``excluded_missing``, ``excluded_negative``, ``excluded_above_cap`` [count]: incidents left out
          of ``incidents_in_progress`` because a stamp is missing, cleared precedes dispatch, or the
          interval is longer than ``cap`` (the same on every row; ``n + n_excluded`` is every incident of
          ``calls``);
        * ``n_unit_rows``, ``n_unit_rows_excluded`` [count]: unit rows timed for ``units_busy`` and left
          out by the same rules (missing for incident-level rows);
        * ``not_available``: ``""``, or the ``;``-joined codes of why figures are missing:
          ``"no_unit_id"`` (incident-level rows: ``units_busy`` is NaN), ``"no_busy_times"`` (incidents, or
          unit rows, exist but none has both stamps within the cap: ``incidents_in_progress`` or
          ``units_busy`` is NaN, never 0).

    Raises
    ------
    UserError
        A missing column, a bad date or cap, an unknown zone.

    Notes
    -----
    ``incidents_in_progress`` of hour ``h`` is ``B_h / E_h``: ``B_h`` the seconds of open incidents inside
    local hour ``h`` summed over incidents and days, ``E_h`` the seconds the local clock showed hour ``h``
    over the period (3,600 x days, less an hour for the hour a spring DST change skips, plus one for the hour
    autumn repeats). An interval spanning several hours or midnight is split at the hour boundaries.
    Self-initiated calls count (they are workload). Rows of several zones (agencies) are summed, each in its
    own local hours.
    """
    cap_s = _resolve_cap(cap)
    frame = prepare(calls, [S.AGENCY, S.INCIDENT_ID, S.RECEIVED_AT, S.TIMEZONE], [S.DISPATCHED_AT, S.CLEARED_AT])
    first, last = workload_period(frame, start, end)
    days = (last - first).days + 1
    frame = frame.reset_index(drop=True)
    units = has_unit_rows(frame)
    incidents = incident_level(frame, sort=False) if len(frame) else frame
    keys = add_time_keys(incidents[[S.RECEIVED_AT, S.TIMEZONE]], [N.KEY_DATE, N.KEY_HOUR])
    inside = keys[N.KEY_DATE].between(first.isoformat(), last.isoformat()).fillna(False).to_numpy(dtype=bool)
    hours = keys[N.KEY_HOUR].to_numpy(dtype="float64", na_value=np.nan)[inside].astype("int64")
    calls_in_hour = np.bincount(hours, minlength=HOURS_PER_DAY)

    codes = _exclusions(incidents[S.DISPATCHED_AT], incidents[S.CLEARED_AT], cap_s)
    unit_codes = _exclusions(frame[S.DISPATCHED_AT], frame[S.CLEARED_AT], cap_s) if units else None
    in_progress = np.zeros(HOURS_PER_DAY)
    busy_units = np.zeros(HOURS_PER_DAY)
    for zone in pd.unique(frame[S.TIMEZONE]) if len(frame) else []:
        grid = _Grid(str(zone), first, last)
        exposure = np.where(grid.exposure > 0, grid.exposure, np.nan)
        mine = (incidents[S.TIMEZONE] == zone).to_numpy() & (codes == 0)
        part = incidents[mine]
        busy = grid.busy_by_hour(grid.seconds(part[S.DISPATCHED_AT]), grid.seconds(part[S.CLEARED_AT]))
        in_progress = in_progress + busy / exposure
        if units:
            rows = (frame[S.TIMEZONE] == zone).to_numpy() & (unit_codes == 0)
            part = frame[rows]
            _, s, e = _merge(_unit_codes(part), grid.seconds(part[S.DISPATCHED_AT]), grid.seconds(part[S.CLEARED_AT]))
            busy_units = busy_units + grid.busy_by_hour(s, e) / exposure

    counts = _counts(codes)
    reasons = []
    if counts[N.N] == 0 and len(incidents):
        in_progress = np.full(HOURS_PER_DAY, np.nan)  # no incident is timed: not available, not 0
        reasons.append(N.NO_BUSY_TIMES)
    unit_counts = _counts(unit_codes) if units else None
    if not units:
        busy_units = np.full(HOURS_PER_DAY, np.nan)
        reasons.append(N.NO_UNIT_ID)
    elif unit_counts[N.N] == 0:
        busy_units = np.full(HOURS_PER_DAY, np.nan)
        if N.NO_BUSY_TIMES not in reasons:
            reasons.append(N.NO_BUSY_TIMES)
    out = pd.DataFrame({N.KEY_HOUR: np.arange(HOURS_PER_DAY, dtype="int64"), N.DAYS: days})
    out[N.CALLS] = calls_in_hour.astype("int64")
    out[N.CALLS_PER_DAY] = calls_in_hour / days
    out[N.INCIDENTS_IN_PROGRESS] = in_progress
    out[N.UNITS_BUSY] = busy_units
    for column, value in counts.items():
        out[column] = value
    for column, key in ((N.N_UNIT_ROWS, N.N), (N.N_UNIT_ROWS_EXCLUDED, N.N_EXCLUDED)):
        value = unit_counts[key] if units else pd.NA
        out[column] = pd.array([value] * HOURS_PER_DAY, dtype="Int64")
    out[N.NOT_AVAILABLE] = ";".join(reasons)
    return out[list(HOURLY_COLUMNS)]


# --- teams on duty ------------------------------------------------------------------------------------------
def _hour_exists(day: dt.date, hour: int, zone: str | None) -> bool:
    """Whether local ``hour`` of ``day`` exists in ``zone`` (a spring DST change skips one); True without one."""
    if zone is None:
        return True
    try:
        pd.Timestamp(dt.datetime(day.year, day.month, day.day, hour)).tz_localize(zone, ambiguous=True,
                                                                                  nonexistent="raise")  # fmt: skip
    except Exception:  # pytz / zoneinfo raise different types for a skipped hour
        return False
    return True


def teams_on_duty(roster: pd.DataFrame, start: object, end: object, timezone: str | None = None) -> pd.DataFrame:
    """Mean teams on duty in each local hour of the day over a period's dates, from a duty roster.

    Parameters
    ----------
    roster : pandas.DataFrame
        A roster as :func:`responsestats.sources.roster.read_roster` returns it: ``weekday`` (ISO, 1 =
        Monday .. 7 = Sunday) or ``date`` (``"YYYY-MM-DD"``), ``hour`` [0-23] and ``teams`` [count].
    start, end : str, datetime.date or pandas.Timestamp
        First and last local date of the period, both included.
    timezone : str, optional
        The agency's IANA zone: a date-hour a spring DST change skips is then neither needed from the roster
        nor averaged. Without it every date has 24 hours.

    Returns
    -------
    pandas.DataFrame
        24 rows: ``hour`` [0-23], ``days`` [count] (dates of the period on which the hour exists),
        ``teams_on_duty`` [count] (mean over those dates of the teams the roster gives for that date's
        weekday, or for the date, and hour), ``days_missing`` [count] (those dates the roster gives no row
        for, at that hour) and ``not_available`` (``"roster_incomplete"`` when ``days_missing > 0``: the
        mean is then NaN, never a mean of the hours given; else ``""``).

    Raises
    ------
    UserError
        A roster without the columns of one layout, an hour outside 0-23, negative teams, a bad date.
    """
    kind = roster_kind(roster)
    first, last = _as_date(start, "start"), _as_date(end, "end")
    if last < first:
        raise UserError(f"the period ends ({last}) before it starts ({first})")
    hours = pd.to_numeric(roster[ROSTER_HOUR], errors="coerce")
    teams = pd.to_numeric(roster[ROSTER_TEAMS], errors="coerce")
    if hours.isna().any() or not hours.between(0, 23).all() or (hours % 1 != 0).any():
        raise UserError("roster: every hour must be a whole number 0 to 23")
    if teams.isna().any() or (teams < 0).any():
        raise UserError("roster: teams must be numbers 0 or more")
    if kind == ROSTER_WEEKDAY:
        keys = pd.to_numeric(roster[ROSTER_WEEKDAY], errors="coerce")
        if keys.isna().any() or not keys.between(1, 7).all():
            raise UserError("roster: every weekday must be 1 (Monday) to 7 (Sunday)")
        keys = keys.astype("int64").tolist()
    else:
        keys = [_as_date(d, "roster date").isoformat() for d in roster[ROSTER_DATE]]
    table = dict(zip(zip(keys, hours.astype("int64").tolist()), teams.astype("float64").tolist()))
    dates = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    rows = []
    for hour in range(HOURS_PER_DAY):
        values, missing = [], 0
        for day in dates:
            if not _hour_exists(day, hour, timezone):
                continue
            key = day.isoweekday() if kind == ROSTER_WEEKDAY else day.isoformat()
            value = table.get((key, hour))
            if value is None:
                missing += 1
            else:
                values.append(value)
        n_days = len(values) + missing
        mean = float(np.mean(values)) if values and not missing else np.nan
        rows.append((hour, n_days, mean, missing, N.ROSTER_INCOMPLETE if missing else ""))
    out = pd.DataFrame(rows, columns=list(TEAMS_COLUMNS))
    out[[N.KEY_HOUR, N.DAYS, N.DAYS_MISSING]] = out[[N.KEY_HOUR, N.DAYS, N.DAYS_MISSING]].astype("int64")
    return out


# --- unit hour utilisation ----------------------------------------------------------------------------------
def unit_hour_utilisation(calls: pd.DataFrame, by: str | None = None, start: object = None, end: object = None,
                          cap: str | float | None = DEFAULT_CAP) -> pd.DataFrame:  # fmt: skip
    """Unit hour utilisation (UHU): unit-hours committed to incidents over unit-hours available, per group.

    Parameters
    ----------
    calls : pandas.DataFrame
        Canonical unit-level rows (one row per responding unit) of the period.
    by : str, optional
        The column that groups units: a canonical column (``district``) or a dimension under its own name
        (``unit_type``, ``station``, ``station_area`` as :func:`~responsestats.store.read_calls` gives
        them); None: every unit together. A row's group is its own value (a unit seen in two groups counts
        in both); a missing value is a group of its own.
    start, end : str, datetime.date or pandas.Timestamp, optional
        First and last local date of the period, both included (:func:`workload_period`).
    cap : "default", float or None
        A unit row busy longer than this [s] is excluded (``above_cap``); ``"default"``: 24 h.

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted by its value; no group column without ``by``): ``n_units`` [count]
        (distinct units, (agency, unit_id), with a row in the group), ``busy_unit_hours`` [h] (each unit's
        time from dispatch to cleared inside the period, its overlapping rows merged), ``available_unit_hours``
        [h] (``n_units`` x the period's hours: see Notes), ``uhu`` [fraction] = busy / available, ``n``
        [count] (unit rows timed), ``n_excluded`` and ``excluded_missing``, ``excluded_negative``,
        ``excluded_above_cap`` [count] (rows left out), ``n_no_unit_id`` [count] (rows without a unit id,
        left out: they cannot be put to a unit) and ``not_available`` (``"no_unit_id"`` for incident-level
        rows: every figure missing, never 0; ``"no_busy_times"`` for a group whose units have no row with
        both stamps within the cap: busy hours and UHU missing; ``"no_unit_id"`` too for a group whose rows
        all lack a unit id; else ``""``).

    Raises
    ------
    UserError
        ``by`` not a column of ``calls``, a bad date or cap, a missing column.

    Notes
    -----
    **Availability assumption**: every unit that appears in the data is available 24 hours a day over the
    whole period (the period's length in the unit's zone: 24 h x days, give or take a DST hour). A unit
    staffed only part of the day, or out of service, has fewer hours really available, so the UHU here is a
    lower bound of the staffed-hours UHU that US fire and EMS agencies report (committed time over staffed
    time); a unit that never ran a call in the period is not counted at all.
    """
    cap_s = _resolve_cap(cap)
    if by is not None and by not in calls.columns:
        raise UserError(f"cannot compute unit hour utilisation by {by!r}: not a column of the table")
    group_cols = [by] if by is not None else []
    frame = prepare(calls, [S.AGENCY, S.INCIDENT_ID, S.RECEIVED_AT, S.TIMEZONE], [S.DISPATCHED_AT, S.CLEARED_AT])
    first, last = workload_period(frame, start, end)
    frame = frame.reset_index(drop=True)
    if by is not None:
        group_codes, uniques = pd.factorize(frame[by].astype(object), use_na_sentinel=False)
        values = sorted((None if pd.isna(v) else v for v in uniques), key=lambda v: (v is None, str(v)))
        code_of = {(None if pd.isna(v) else v): k for k, v in enumerate(uniques)}
    else:
        group_codes, values, code_of = np.zeros(len(frame), dtype="int64"), [0], {0: 0}
    if not has_unit_rows(frame):
        out = pd.DataFrame({by: values} if by is not None else {N.N_UNITS: [pd.NA]})
        out[N.N_UNITS] = pd.array([pd.NA] * len(out), dtype="Int64")
        for column in (N.BUSY_UNIT_HOURS, N.AVAILABLE_UNIT_HOURS, N.UHU):
            out[column] = np.nan
        for column in (N.N, N.N_EXCLUDED, *_EXCLUDED, N.N_NO_UNIT_ID):
            out[column] = pd.array([pd.NA] * len(out), dtype="Int64")
        out[N.NOT_AVAILABLE] = N.NO_UNIT_ID
        return out[[*group_cols, *UHU_COLUMNS]].reset_index(drop=True)

    codes = _exclusions(frame[S.DISPATCHED_AT], frame[S.CLEARED_AT], cap_s)
    no_id = frame[S.UNIT_ID].isna().to_numpy()
    grids = {str(z): _Grid(str(z), first, last) for z in pd.unique(frame[S.TIMEZONE])}
    rows = []
    for value in values:
        mine = group_codes == code_of[value]
        part = frame[mine & ~no_id]
        part_codes = codes[mine & ~no_id]
        row: dict[str, object] = {by: value} if by is not None else {}
        busy_s, available_s = 0.0, 0.0
        n_units = 0
        for zone, grid in grids.items():
            here = (part[S.TIMEZONE] == zone).to_numpy()
            if not here.any():
                continue
            zone_rows = part[here]
            unit_ids = zone_rows.groupby([S.AGENCY, S.UNIT_ID], sort=False, observed=True).ngroups
            n_units += unit_ids
            available_s += unit_ids * grid.length_s
            timed = zone_rows[part_codes[here] == 0]
            _, s, e = _merge(_unit_codes(timed), grid.seconds(timed[S.DISPATCHED_AT]),
                             grid.seconds(timed[S.CLEARED_AT]))  # fmt: skip
            inside = np.clip(e, 0.0, grid.length_s) - np.clip(s, 0.0, grid.length_s)  # the part in the period
            busy_s += float(np.sum(np.clip(inside, 0.0, None)))
        counts = _counts(part_codes)
        # no unit id in the group, or units but no row with both stamps: not available, never 0
        reason = N.NO_UNIT_ID if n_units == 0 else N.NO_BUSY_TIMES if counts[N.N] == 0 else ""
        row[N.N_UNITS] = n_units
        row[N.BUSY_UNIT_HOURS] = np.nan if reason else busy_s / SECONDS_PER_HOUR
        row[N.AVAILABLE_UNIT_HOURS] = available_s / SECONDS_PER_HOUR
        row[N.UHU] = np.nan if reason else busy_s / available_s
        row.update(counts)
        row[N.N_NO_UNIT_ID] = int((mine & no_id).sum())
        row[N.NOT_AVAILABLE] = reason
        rows.append(row)
    out = pd.DataFrame(rows, columns=[*group_cols, *UHU_COLUMNS])
    for column in (N.N_UNITS, N.N, N.N_EXCLUDED, *_EXCLUDED, N.N_NO_UNIT_ID):
        out[column] = out[column].astype("Int64")
    return out


__all__ = [
    "BUSY_REASONS",
    "DEFAULT_BUSY_CAP_S",
    "HOURLY_COLUMNS",
    "TEAMS_COLUMNS",
    "UHU_COLUMNS",
    "has_unit_rows",
    "hourly_workload",
    "teams_on_duty",
    "unit_hour_utilisation",
    "workload_period",
]
