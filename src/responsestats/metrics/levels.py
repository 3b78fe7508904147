"""Unit and incident levels, and the effective response force.

Unit level is the table as it is (one row per responding unit, or per
incident for sources that only have one). Incident level collapses the units
of an incident into one row the way NFPA 1710 and NFORS report: the first
dispatch, the first unit en route and the first unit on scene, so a late
unit never extends the incident's response. Which unit arrived first, and
which row gives the incident's other values, is decided by the rows' values
(:data:`FIRST_ARRIVING_ORDER`), never by their order in the table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import UserError
from . import names as N
from ._frame import prepare

_KEYS = [S.AGENCY, S.INCIDENT_ID]

#: How each timestamp is combined over an incident's rows.
_TIMESTAMP_RULES: dict[str, str] = {
    S.RING_AT: "min",
    S.RECEIVED_AT: "min",
    S.DISPATCHED_AT: "min",
    S.ACKNOWLEDGED_AT: "min",
    S.ENROUTE_AT: "min",
    S.ARRIVED_AT: "min",
    S.CLEARED_AT: "max",
    S.REPORTED_AT: "min",
    S.ARRESTED_AT: "min",
}
#: Flags that are true for the incident when true for any of its rows.
_ANY_FLAGS = (S.SELF_INITIATED, S.CAUGHT_IN_ACT)
#: How the first-arriving unit of an incident is chosen: earliest arrival, then (between units on scene in
#: the same instant) earliest en route, then earliest dispatch, then the smallest unit id; a missing value
#: comes after every present one. The same keys, after ``received_at``, order an incident's rows for the
#: values taken from its "first" row. Documented in docs/metrics.md (*Levels*).
FIRST_ARRIVING_ORDER: tuple[str, ...] = (S.ARRIVED_AT, S.ENROUTE_AT, S.DISPATCHED_AT, S.UNIT_ID)
_LAST = np.iinfo(np.int64).max


def _sort_key(frame: pd.DataFrame, column: str) -> np.ndarray | None:
    """One column as an int64 sort key, missing values last; None when the frame lacks the column.

    Timestamps by instant, text (``unit_id``) by its sorted order.
    """
    if column not in frame.columns:
        return None
    values = frame[column]
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values.dtype):
        key = values.array.asi8.astype(np.int64, copy=True)
    else:
        codes, _ = pd.factorize(values.astype(object), sort=True)
        key = codes.astype(np.int64)
    key[values.isna().to_numpy()] = _LAST
    return key


def _row_order(frame: pd.DataFrame, columns: tuple[str, ...], first: np.ndarray | None = None) -> np.ndarray:
    """Positions of the rows sorted by ``first`` (an int64 key, e.g. the incident code), then ``columns``.

    ``numpy.lexsort`` sorts by its last key first; ties in every key keep the table's order (they are
    rows equal in every column that decides anything).
    """
    keys = [k for k in (_sort_key(frame, c) for c in reversed(columns)) if k is not None]
    if first is not None:
        keys.append(first)
    if not keys:
        return np.arange(len(frame))
    return np.lexsort(keys)


def _incident_codes(frame: pd.DataFrame) -> np.ndarray:
    """Integer code of each row's (agency, incident_id), in order of first appearance.

    Each column is hashed once (:func:`pandas.factorize`); with one agency,
    the incident codes are the answer, else the pairs are numbered.
    """
    agency, _ = pd.factorize(frame[S.AGENCY], use_na_sentinel=False)
    incident, ids = pd.factorize(frame[S.INCIDENT_ID], use_na_sentinel=False)
    if agency.size == 0 or agency.max() == 0:
        return incident.astype("int64")
    codes, _ = pd.factorize(agency.astype("int64") * len(ids) + incident)
    return codes.astype("int64")


def _unit_codes(frame: pd.DataFrame) -> np.ndarray:
    """Integer unit identity; a row without ``unit_id`` is a unit of its own."""
    n = len(frame)
    if S.UNIT_ID not in frame.columns:
        return np.arange(n)
    codes, uniques = pd.factorize(frame[S.UNIT_ID])
    missing = codes < 0
    codes = codes.astype("int64")
    codes[missing] = len(uniques) + np.arange(int(missing.sum()))
    return codes


def _distinct_units(incident: np.ndarray, unit: np.ndarray, n_incidents: int) -> np.ndarray:
    """Number of distinct units per incident code."""
    if incident.size == 0:
        return np.zeros(n_incidents, dtype="int64")
    width = int(unit.max()) + 1
    pairs = pd.unique(incident.astype("int64") * width + unit)
    return np.bincount(pairs // width, minlength=n_incidents)


def incident_level(df: pd.DataFrame, sort: bool = True) -> pd.DataFrame:
    """One row per (agency, incident_id).

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame at unit level (one row per responding unit) or
        already at incident level.
    sort : bool
        Sort the rows by agency, received_at, incident_id (default). Metrics
        that do not depend on row order pass False to skip the sort.

    Returns
    -------
    pandas.DataFrame
        Canonical columns with, per incident: ``received_at``,
        ``dispatched_at``, ``enroute_at``, ``arrived_at`` = the earliest over
        its rows (first dispatch, first unit en route, first unit on scene);
        ``cleared_at`` = the latest; ``arrested_at`` = the earliest; ``ring_at``,
        ``acknowledged_at`` and ``reported_at`` = the earliest (the call's first ring, the first unit to
        acknowledge the order, the first result reported back); ``persons_arrested`` = the first recorded
        (an incident's count, repeated on its unit rows, is not summed);
        ``outcome`` = the first outcome that is not ``unknown``;
        ``self_initiated`` and ``caught_in_act`` = true if true on any row;
        ``unit_id`` = the first-arriving unit (:data:`FIRST_ARRIVING_ORDER`:
        earliest arrival, then earliest en route, then earliest dispatch,
        then unit id); ``n_units`` = distinct units;
        ``first_arriving_enroute_at`` = the first-arriving unit's own
        en-route stamp (incident travel starts there).
        Other columns take the first non-missing value in order of
        ``received_at``, then of :data:`FIRST_ARRIVING_ORDER`. None of it
        depends on the order of the rows in ``df``. Sorted by agency,
        received_at, incident_id (with ``sort``).

    Notes
    -----
    The first unit en route and the first unit on scene can be different
    units. Turnout runs from the first dispatch to the first unit en route;
    travel is the first-arriving unit's own travel (NFPA 1710: travel of the
    first arriving company); so incident turnout + travel need not equal
    dispatch_to_arrival.
    """
    frame = prepare(df, [*_KEYS, S.RECEIVED_AT], [*S.TIMESTAMP_COLUMNS, *_ANY_FLAGS]).reset_index(drop=True)
    codes = _incident_codes(frame)
    n_incidents = int(codes.max()) + 1 if codes.size else 0
    if n_incidents == len(frame):
        out = _one_row_incidents(frame)
    else:
        order = _row_order(frame, (S.RECEIVED_AT, *FIRST_ARRIVING_ORDER))
        frame, codes = frame.take(order).reset_index(drop=True), codes[order]
        out = _collapse(frame, codes, n_incidents)
    order = [c for c in df.columns if c in out.columns] + [c for c in out.columns if c not in df.columns]
    out = out[order]
    if sort:
        out = out.sort_values([S.AGENCY, S.RECEIVED_AT, S.INCIDENT_ID], kind="stable")
    return out.reset_index(drop=True)


def _one_row_incidents(frame: pd.DataFrame) -> pd.DataFrame:
    """Incident level of a table that already has one row per incident."""
    out = frame.copy(deep=False)
    arrived = out[S.ARRIVED_AT].notna()
    if N.N_UNITS not in out.columns:  # else: already collapsed, keep the count
        out[N.N_UNITS] = 1
    if N.FIRST_ARRIVING_ENROUTE_AT not in out.columns:
        out[N.FIRST_ARRIVING_ENROUTE_AT] = out[S.ENROUTE_AT].where(arrived)
    if S.UNIT_ID in out.columns and out[S.UNIT_ID].notna().any():
        out[S.UNIT_ID] = out[S.UNIT_ID].where(arrived)
    return out


def _collapse(frame: pd.DataFrame, codes: np.ndarray, n_incidents: int) -> pd.DataFrame:
    """Incident level of a table with several rows for some incidents (sorted by received_at, then
    :data:`FIRST_ARRIVING_ORDER`)."""
    grouped = frame.groupby(codes, sort=True)

    fixed = {*_TIMESTAMP_RULES, *_ANY_FLAGS, S.OUTCOME, S.UNIT_ID}
    other = [c for c in frame.columns if c not in fixed]
    out = grouped[other].first() if len(frame) else frame[other].iloc[0:0]
    for col, how in _TIMESTAMP_RULES.items():
        out[col] = getattr(grouped[col], how)()
    for col in _ANY_FLAGS:
        out[col] = grouped[col].max()
    if S.OUTCOME in frame.columns:
        known = frame[S.OUTCOME].where(frame[S.OUTCOME] != S.OUTCOME_UNKNOWN)
        out[S.OUTCOME] = known.groupby(codes, sort=True).first().fillna(S.OUTCOME_UNKNOWN)
    out[N.N_UNITS] = _distinct_units(codes, _unit_codes(frame), n_incidents)

    has_arrival = np.flatnonzero(frame[S.ARRIVED_AT].notna().to_numpy())
    arrived = frame.take(has_arrival).reset_index(drop=True)
    arrived_codes = codes[has_arrival]
    order = _row_order(arrived, FIRST_ARRIVING_ORDER, first=arrived_codes)
    firsts = order[np.unique(arrived_codes[order], return_index=True)[1]]  # each incident's first-arriving row
    first_arriving = arrived.take(firsts).set_index(pd.Index(arrived_codes[firsts]))
    out[N.FIRST_ARRIVING_ENROUTE_AT] = first_arriving[S.ENROUTE_AT].reindex(out.index)
    if S.UNIT_ID in frame.columns:
        out[S.UNIT_ID] = first_arriving[S.UNIT_ID].reindex(out.index)
    return out


def at_level(df: pd.DataFrame, level: str, sort: bool = True) -> pd.DataFrame:
    """The table at ``level``: ``"unit"`` (rows as they are) or ``"incident"``.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame.
    level : {"incident", "unit"}
        See :func:`incident_level`.
    sort : bool
        Passed to :func:`incident_level`.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    UserError
        If ``level`` is not one of :data:`names.LEVELS`.
    """
    if level == N.LEVEL_UNIT:
        return df
    if level == N.LEVEL_INCIDENT:
        return incident_level(df, sort=sort)
    raise UserError(f"unknown level {level!r}; use one of {', '.join(N.LEVELS)}")


def nth_unit_arrival(df: pd.DataFrame, n: int) -> pd.DataFrame:
    """Effective response force: when the Nth distinct unit is on scene.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame at unit level.
    n : int
        Which arrival [ordinal] (1 = first unit on scene).

    Returns
    -------
    pandas.DataFrame
        One row per incident: ``agency``, ``incident_id``, ``received_at``,
        ``dispatched_at`` and ``enroute_at`` (the incident's first: first
        dispatch, first unit en route), ``units_arrived`` [count] (distinct
        units with an arrival), ``nth_arrived_at`` (the Nth distinct unit's
        first arrival; NaT when fewer than ``n`` arrived),
        ``received_to_nth_arrival_s``, ``dispatch_to_nth_arrival_s`` and
        ``enroute_to_nth_arrival_s`` [s] (from the first unit en route: the
        travel of the first ``n`` units, NFPA 1710's travel time of a full
        alarm).

    Notes
    -----
    A unit is counted once, at its first arrival. Rows without a
    ``unit_id`` are each counted as a separate unit.
    """
    if int(n) != n or n < 1:
        raise UserError(f"n must be a whole number >= 1, got {n!r}")
    n = int(n)
    frame = prepare(df, [*_KEYS, S.RECEIVED_AT], [S.DISPATCHED_AT, S.ENROUTE_AT, S.ARRIVED_AT]).reset_index(drop=True)
    codes = _incident_codes(frame)
    grouped = frame.groupby(codes, sort=True)
    out = grouped[_KEYS].first()
    out[S.RECEIVED_AT] = grouped[S.RECEIVED_AT].min()
    out[S.DISPATCHED_AT] = grouped[S.DISPATCHED_AT].min()
    out[S.ENROUTE_AT] = grouped[S.ENROUTE_AT].min()

    has_arrival = frame[S.ARRIVED_AT].notna().to_numpy()
    per_unit = (
        pd.DataFrame(
            {
                "_code": codes[has_arrival],
                "_unit": _unit_codes(frame)[has_arrival],
                S.ARRIVED_AT: frame.loc[has_arrival, S.ARRIVED_AT].array,  # keeps the dtype, also with no arrival
            }
        )
        .sort_values(["_code", S.ARRIVED_AT], kind="stable")
        .drop_duplicates(["_code", "_unit"], keep="first")  # each unit at its first arrival
    )
    rank = per_unit.groupby("_code", sort=False).cumcount().to_numpy()
    counts = per_unit.groupby("_code", sort=True).size()
    nth = per_unit[rank == n - 1].set_index("_code")[S.ARRIVED_AT]

    out[N.UNITS_ARRIVED] = counts.reindex(out.index).fillna(0).astype("int64")
    out[N.NTH_ARRIVED_AT] = nth.reindex(out.index)
    out[N.RECEIVED_TO_NTH_ARRIVAL_S] = (out[N.NTH_ARRIVED_AT] - out[S.RECEIVED_AT]).dt.total_seconds()
    out[N.DISPATCH_TO_NTH_ARRIVAL_S] = (out[N.NTH_ARRIVED_AT] - out[S.DISPATCHED_AT]).dt.total_seconds()
    out[N.ENROUTE_TO_NTH_ARRIVAL_S] = (out[N.NTH_ARRIVED_AT] - out[S.ENROUTE_AT]).dt.total_seconds()
    out = out.sort_values([S.AGENCY, S.RECEIVED_AT, S.INCIDENT_ID], kind="stable")
    return out.reset_index(drop=True)
