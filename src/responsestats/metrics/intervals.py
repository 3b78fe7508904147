"""The response intervals, declared as data: name -> (start column, end column).

This is the one definition of every interval; levels, summaries, standards
and the CLI all read it from here.
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


@dataclass(frozen=True)
class Interval:
    """One interval between two stage timestamps.

    Attributes
    ----------
    name : str
        Column name of the interval [s], ends in ``_s``.
    start, end : str
        Canonical timestamp columns the interval runs between.
    description : str
        One line for docs and ``--help``.
    default_cap_s : float or None
        Values above this [s] are excluded by default; ``None``: no cap.
    response : bool
        A response interval: self-initiated calls are excluded from it.
    incident_start : str or None
        Start column used instead of ``start`` when the frame has it, i.e.
        at incident level (travel runs from the first-arriving unit's own
        en-route stamp, not from the first en-route stamp of any unit).
    """

    name: str
    start: str
    end: str
    description: str
    default_cap_s: float | None
    response: bool
    incident_start: str | None = None


_HOUR = 3600.0

#: Every interval, in the order a response runs through them.
INTERVALS: dict[str, Interval] = {
    i.name: i
    for i in (
        Interval(N.ANSWERING_S, S.RING_AT, S.RECEIVED_AT, "call ringing to answered (received)", _HOUR, True),
        Interval(N.CALL_PROCESSING_S, S.RECEIVED_AT, S.DISPATCHED_AT, "call received to dispatched", _HOUR, True),
        Interval(N.TURNOUT_S, S.DISPATCHED_AT, S.ENROUTE_AT, "dispatched to en route", _HOUR, True),
        Interval(
            N.TRAVEL_S,
            S.ENROUTE_AT,
            S.ARRIVED_AT,
            "en route to arrived on scene (incident level: of the first-arriving unit)",
            2 * _HOUR,
            True,
            incident_start=N.FIRST_ARRIVING_ENROUTE_AT,
        ),
        Interval(
            N.DISPATCH_TO_ARRIVAL_S, S.DISPATCHED_AT, S.ARRIVED_AT, "dispatched to arrived on scene", 2 * _HOUR, True
        ),
        Interval(N.RESPONSE_S, S.RECEIVED_AT, S.ARRIVED_AT, "call received to arrived on scene", 2 * _HOUR, True),
        Interval(N.ON_SCENE_S, S.ARRIVED_AT, S.CLEARED_AT, "arrived on scene to cleared", 24 * _HOUR, False),
        Interval(N.DISPATCH_TO_ARREST_S, S.DISPATCHED_AT, S.ARRESTED_AT, "dispatched to arrest", None, False),
        Interval(N.ACKNOWLEDGEMENT_S, S.DISPATCHED_AT, S.ACKNOWLEDGED_AT, "dispatched to the order acknowledged",
                 _HOUR, True),
        Interval(N.DISPATCH_TO_REPORT_S, S.DISPATCHED_AT, S.REPORTED_AT, "dispatched to the result reported back",
                 24 * _HOUR, False),
    )
}

#: Intervals from which self-initiated (on-view) calls are excluded.
RESPONSE_INTERVALS: tuple[str, ...] = tuple(n for n, i in INTERVALS.items() if i.response)

#: Default outlier caps [s] by interval (``None``: no cap).
DEFAULT_CAPS_S: dict[str, float | None] = {n: i.default_cap_s for n, i in INTERVALS.items()}


def stamps_not_recorded(df: pd.DataFrame, intervals: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The intervals whose stamps the source does not record at all, with the stamps it lacks.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical rows. Where a reader set ``df.attrs["sources"]`` (:func:`responsestats.store.read_calls`:
        the canonical fields any ingested file read), a stamp no file read is not recorded; without it, a
        stamp column the frame does not have.
    intervals : iterable of str
        Interval names (:data:`INTERVALS`).

    Returns
    -------
    dict
        Interval name -> the canonical stamps no source file has, for each interval that lacks one. Such an
        interval has no value anywhere: its figures are missing (NaN), not 0, and a reader should say why.
        A stamp a source has but that is empty in the rows read is recorded, and not listed.
    """
    used = (df.attrs.get(S.FRAME_SOURCES) or {}).get(S.R_COLUMNS_USED)
    recorded = set(used) if used else set(df.columns)
    out = {}
    for name in intervals:
        interval = INTERVALS[name]
        lacking = tuple(c for c in (interval.start, interval.end) if c not in recorded)
        if lacking:
            out[name] = lacking
    return out


def resolve_intervals(intervals: str | Iterable[str] | None = None) -> tuple[str, ...]:
    """Validate interval names; ``None`` means all of them.

    Parameters
    ----------
    intervals : str, iterable of str or None
        Interval names; the ``_s`` suffix may be left off (``turnout``).

    Returns
    -------
    tuple of str
        Canonical interval names, duplicates removed, order kept.

    Raises
    ------
    UserError
        If a name is not a known interval.
    """
    if intervals is None:
        return tuple(INTERVALS)
    if isinstance(intervals, str):
        intervals = [intervals]
    out: list[str] = []
    for raw in intervals:
        name = str(raw).strip()
        if name not in INTERVALS and f"{name}_s" in INTERVALS:
            name = f"{name}_s"
        if name not in INTERVALS:
            raise UserError(f"unknown interval {raw!r}; known intervals: {', '.join(INTERVALS)}")
        if name not in out:
            out.append(name)
    if not out:
        raise UserError("no interval given")
    return tuple(out)


def interval_delta(df: pd.DataFrame, interval: str) -> pd.Series:
    """One interval as a timedelta for every row (NaT where an endpoint is missing).

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame with tz-aware timestamp columns.
    interval : str
        Name of an interval in :data:`INTERVALS`.

    Returns
    -------
    pandas.Series
        ``end - start``, named after the interval, indexed like ``df``.

    Notes
    -----
    When ``df`` has the interval's ``incident_start`` column (the incident
    level adds it), that column is the start.
    """
    spec = INTERVALS[resolve_intervals(interval)[0]]
    start = spec.incident_start if spec.incident_start in df.columns else spec.start
    return (df[spec.end] - df[start]).rename(spec.name)


def interval_seconds(df: pd.DataFrame, interval: str) -> pd.Series:
    """One interval [s] for every row (NaN where an endpoint is missing).

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame with tz-aware timestamp columns.
    interval : str
        Name of an interval in :data:`INTERVALS`.

    Returns
    -------
    pandas.Series
        float64 seconds (:func:`interval_delta` in seconds), named after the
        interval, indexed like ``df``.
    """
    delta = interval_delta(df, interval)
    seconds = delta.dt.total_seconds().astype("float64")
    return pd.Series(np.asarray(seconds, dtype="float64"), index=df.index, name=delta.name)


def interval_ticks(df: pd.DataFrame, interval: str) -> tuple[np.ndarray, np.ndarray, int]:
    """One interval as exact integer clock ticks, for sorting and counting.

    Returns
    -------
    (ticks, seconds, ticks_per_second)
        ``ticks`` int64 (meaningless where ``seconds`` is NaN), ``seconds``
        float64 equal to :func:`interval_seconds` (``ticks / ticks_per_second``),
        and the ticks in one second (10**6 for the store's microseconds).
    """
    delta = interval_delta(df, interval).to_numpy()
    if delta.dtype.kind != "m":  # e.g. an all-missing object column
        delta = delta.astype("timedelta64[us]")
    unit, _ = np.datetime_data(delta.dtype)
    per_second = int(np.timedelta64(1, "s") // np.timedelta64(1, unit))
    ticks = delta.view("int64")
    seconds = np.where(np.isnat(delta), np.nan, ticks / per_second)
    return ticks, seconds, per_second


def compute_intervals(df: pd.DataFrame, intervals: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Interval columns [s] for every row, nothing excluded.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame (unit or incident level).
    intervals : str, iterable of str or None
        Which intervals; ``None``: all.

    Returns
    -------
    pandas.DataFrame
        One float64 column per interval [s], indexed like ``df``. Missing
        endpoints give NaN; negative and huge values are kept (see
        :func:`responsestats.metrics.exclusions.exclusion_codes`).
    """
    names = resolve_intervals(intervals)
    needed = sorted({c for n in names for c in (INTERVALS[n].start, INTERVALS[n].end)})
    frame = prepare(df, needed)
    return pd.DataFrame({n: interval_seconds(frame, n) for n in names}, index=frame.index)
