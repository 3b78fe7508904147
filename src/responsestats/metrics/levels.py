"""Unit and incident levels, and the effective response force.

Unit level is the table as it is (one row per responding unit, or per
incident for sources that only have one). Incident level collapses the units
of an incident into one row the way NFPA 1710 and NFORS report: the first
dispatch, the first unit en route and the first unit on scene, so a late
unit never extends the incident's response.
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
    S.RECEIVED_AT: "min",
    S.DISPATCHED_AT: "min",
    S.ENROUTE_AT: "min",
    S.ARRIVED_AT: "min",
    S.CLEARED_AT: "max",
    S.ARRESTED_AT: "min",
}
#: Flags that are true for the incident when true for any of its rows.
_ANY_FLAGS = (S.SELF_INITIATED, S.CAUGHT_IN_ACT)


def _unit_key(frame: pd.DataFrame) -> pd.Series:
    """Unit identity within an incident; a row without ``unit_id`` is its own unit."""
    row_key = pd.Series(np.arange(len(frame)), index=frame.index).astype(str).radd("\x00row")
    if S.UNIT_ID not in frame.columns:
        return row_key
    unit = frame[S.UNIT_ID].astype("object")
    return unit.where(unit.notna(), row_key)


def _first_non_unknown(outcome: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """The first outcome of each incident that is not ``unknown`` (else ``unknown``)."""
    known = outcome.where(outcome != S.OUTCOME_UNKNOWN)
    first = known.groupby(groups, sort=False, dropna=False).first()
    return first.fillna(S.OUTCOME_UNKNOWN)


def incident_level(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (agency, incident_id).

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame at unit level (one row per responding unit) or
        already at incident level.

    Returns
    -------
    pandas.DataFrame
        Canonical columns with, per incident: ``received_at``,
        ``dispatched_at``, ``enroute_at``, ``arrived_at`` = the earliest over
        its rows (first dispatch, first unit en route, first unit on scene);
        ``cleared_at`` = the latest; ``arrested_at`` = the earliest;
        ``outcome`` = the first outcome that is not ``unknown``;
        ``self_initiated`` and ``caught_in_act`` = true if true on any row;
        ``unit_id`` = the first-arriving unit; ``n_units`` = distinct units.
        Other columns take the first non-missing value in order of
        ``received_at``. Sorted by agency, received_at, incident_id.

    Notes
    -----
    The first unit en route and the first unit on scene can be different
    units, so incident turnout + travel need not equal dispatch_to_arrival.
    """
    frame = prepare(df, [*_KEYS, S.RECEIVED_AT], [*S.TIMESTAMP_COLUMNS, *_ANY_FLAGS])
    frame = frame.sort_values([S.RECEIVED_AT], kind="stable")
    groups = [frame[S.AGENCY], frame[S.INCIDENT_ID]]
    grouped = frame.groupby(_KEYS, sort=False, dropna=False)

    other = [c for c in frame.columns if c not in _KEYS and c not in _TIMESTAMP_RULES and c not in _ANY_FLAGS]
    other = [c for c in other if c not in (S.OUTCOME, S.UNIT_ID)]
    out = grouped[other].first() if other else pd.DataFrame(index=grouped.size().index)
    for col, how in _TIMESTAMP_RULES.items():
        out[col] = getattr(grouped[col], how)()
    for col in _ANY_FLAGS:
        out[col] = grouped[col].max()
    if S.OUTCOME in frame.columns:
        out[S.OUTCOME] = _first_non_unknown(frame[S.OUTCOME], groups)
    out[N.N_UNITS] = _unit_key(frame).groupby(groups, sort=False, dropna=False).nunique()

    arrived = frame[frame[S.ARRIVED_AT].notna()].sort_values(S.ARRIVED_AT, kind="stable")
    if S.UNIT_ID in frame.columns:
        first_unit = arrived.groupby(_KEYS, sort=False, dropna=False)[S.UNIT_ID].first()
        out[S.UNIT_ID] = first_unit.reindex(out.index)

    out = out.reset_index()
    order = [c for c in df.columns if c in out.columns] + [c for c in out.columns if c not in df.columns]
    out = out[order].sort_values([S.AGENCY, S.RECEIVED_AT, S.INCIDENT_ID], kind="stable")
    return out.reset_index(drop=True)


def at_level(df: pd.DataFrame, level: str) -> pd.DataFrame:
    """The table at ``level``: ``"unit"`` (rows as they are) or ``"incident"``.

    Raises
    ------
    UserError
        If ``level`` is not one of :data:`names.LEVELS`.
    """
    if level == N.LEVEL_UNIT:
        return df
    if level == N.LEVEL_INCIDENT:
        return incident_level(df)
    raise UserError(f"unknown level {level!r}; use one of {', '.join(N.LEVELS)}")


def nth_unit_arrival(df: pd.DataFrame, n: int) -> pd.DataFrame:
    """Effective response force: when the Nth distinct unit is on scene.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame at unit level.
    n : int
        Which arrival (1 = first unit on scene).

    Returns
    -------
    pandas.DataFrame
        One row per incident: ``agency``, ``incident_id``, ``received_at``
        and ``dispatched_at`` (the incident's first), ``units_arrived``
        (distinct units with an arrival), ``nth_arrived_at`` (the Nth
        distinct unit's first arrival; NaT when fewer than ``n`` arrived),
        ``received_to_nth_arrival_s`` and ``dispatch_to_nth_arrival_s`` [s].

    Notes
    -----
    A unit is counted once, at its first arrival. Rows without a
    ``unit_id`` are each counted as a separate unit.
    """
    if int(n) != n or n < 1:
        raise UserError(f"n must be a whole number >= 1, got {n!r}")
    n = int(n)
    frame = prepare(df, [*_KEYS, S.RECEIVED_AT], [S.DISPATCHED_AT, S.ARRIVED_AT])
    unit = _unit_key(frame)
    per_unit = (
        frame.assign(_unit=unit)[frame[S.ARRIVED_AT].notna()]
        .groupby([*_KEYS, "_unit"], sort=False, dropna=False)[S.ARRIVED_AT]
        .min()
        .reset_index()
        .sort_values([*_KEYS, S.ARRIVED_AT], kind="stable")
    )
    rank = per_unit.groupby(_KEYS, sort=False, dropna=False).cumcount()
    counts = per_unit.groupby(_KEYS, sort=False, dropna=False).size().rename(N.UNITS_ARRIVED)
    nth = per_unit[rank == n - 1].set_index(_KEYS)[S.ARRIVED_AT].rename(N.NTH_ARRIVED_AT)

    grouped = frame.groupby(_KEYS, sort=False, dropna=False)
    out = pd.DataFrame({S.RECEIVED_AT: grouped[S.RECEIVED_AT].min(), S.DISPATCHED_AT: grouped[S.DISPATCHED_AT].min()})
    out[N.UNITS_ARRIVED] = counts.reindex(out.index).fillna(0).astype("int64")
    out[N.NTH_ARRIVED_AT] = nth.reindex(out.index)
    out[N.RECEIVED_TO_NTH_ARRIVAL_S] = (out[N.NTH_ARRIVED_AT] - out[S.RECEIVED_AT]).dt.total_seconds()
    out[N.DISPATCH_TO_NTH_ARRIVAL_S] = (out[N.NTH_ARRIVED_AT] - out[S.DISPATCHED_AT]).dt.total_seconds()
    out = out.reset_index().sort_values([S.AGENCY, S.RECEIVED_AT, S.INCIDENT_ID], kind="stable")
    return out.reset_index(drop=True)
