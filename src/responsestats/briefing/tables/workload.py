"""Workload tables: calls, incidents in progress, units busy and teams on duty by hour; UHU per group.

Built on :mod:`responsestats.metrics.workload`, which holds the definitions (the period, the time-weighted
means, exclusions, the roster, the availability assumption of the unit hour utilisation). Here the hourly
figures and the roster are put side by side, small cells are suppressed, the block of hours a title names is
found (:func:`pressure_block`) and the groups of the UHU panel are chosen and ranked.

Only the calls received in an hour are a count of incidents, so only they follow the small-cell rule (1 to 4
calls in an hour over the period: ``<5``); incidents in progress, units busy and teams on duty are means over
time, not counts of a group's incidents, and the UHU is of units.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ... import schema as S
from ...metrics import has_unit_rows, hourly_workload, teams_on_duty, unit_hour_utilisation
from ...metrics import names as N
from ..columns import BY, GROUP, HOUR_END, HOUR_START, HOURS_IN_BLOCK, PANEL_TOTAL, SUPPRESSED
from .common import DEFAULT_MIN_CELL, suppress_figures

#: Consecutive hours of the block a workload title names.
PRESSURE_HOURS = 3
#: Columns the UHU panel groups units by, the first the calls hold with a value: a fire or EMS export's unit
#: type, then its stations, battalions, and the canonical district.
UHU_GROUPS: tuple[str, ...] = ("unit_type", "station", "station_area", "battalion", S.DISTRICT)
#: Groups drawn on the UHU panel at most (the busiest; the panel title counts the rest).
MAX_UHU_GROUPS = 16

# --- columns of these tables (beside those of metrics.names) --------------------------------------------
#: Why teams on duty are missing: ``no_roster`` (none given), ``roster_incomplete``; empty when shown.
TEAMS_NOT_AVAILABLE = "teams_not_available"
#: The code of "no roster was given".
NO_ROSTER = "no_roster"
#: The block: mean incidents in progress and teams on duty over its hours [count], and their ratio.
INCIDENTS_PER_TEAM = "incidents_per_team"
#: The block's incidents in progress exceed its teams on duty (ratio > 1).
EXCEEDS = "exceeds"
#: Hours of the day in which incidents in progress exceed teams on duty [count].
HOURS_OVER = "hours_over"
#: The block compares against a roster (True), or is the peak of incidents in progress (False).
AGAINST_ROSTER = "against_roster"
#: Calls received per day in the block's hours, summed [count/day].
BLOCK_CALLS_PER_DAY = "block_calls_per_day"


def workload_table(calls: pd.DataFrame, start: object, end: object, roster: pd.DataFrame | None = None,
                   timezone: str | None = None, min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:  # fmt: skip
    """The hourly workload of a period beside the teams a roster puts on duty.

    Parameters
    ----------
    calls : pandas.DataFrame
        Canonical rows (incident- or unit-level) received in the period.
    start, end : str or datetime.date
        First and last local date of the period, both included.
    roster : pandas.DataFrame, optional
        A duty roster (:func:`responsestats.sources.roster.read_roster`).
    timezone : str, optional
        The agency's zone, for the roster's DST days (:func:`~responsestats.metrics.teams_on_duty`).
    min_cell : int
        Hours with 1 to ``min_cell - 1`` calls have their calls blanked [count].

    Returns
    -------
    pandas.DataFrame
        The 24 rows of :func:`~responsestats.metrics.hourly_workload` with ``teams_on_duty`` [count],
        ``days_missing`` [count] and ``teams_not_available`` (``no_roster``, ``roster_incomplete`` or empty)
        added, and ``suppressed`` (the hour's ``calls`` and ``calls_per_day`` blanked).
    """
    table = hourly_workload(calls, start, end)
    if roster is not None:
        teams = teams_on_duty(roster, start, end, timezone)
        table[N.TEAMS_ON_DUTY] = teams[N.TEAMS_ON_DUTY].to_numpy()
        table[N.DAYS_MISSING] = teams[N.DAYS_MISSING].to_numpy()
        table[TEAMS_NOT_AVAILABLE] = teams[N.NOT_AVAILABLE].to_numpy()
    else:
        table[N.TEAMS_ON_DUTY] = np.nan
        table[N.DAYS_MISSING] = 0
        table[TEAMS_NOT_AVAILABLE] = NO_ROSTER
    return suppress_figures(table, [(N.CALLS, [N.CALLS, N.CALLS_PER_DAY], True)], min_cell)


def _block_sums(values: np.ndarray, hours: int) -> np.ndarray:
    """Sum of ``hours`` consecutive values from each start hour, wrapping past midnight."""
    idx = (np.arange(24)[:, None] + np.arange(hours)[None, :]) % 24
    return values[idx].sum(axis=1)


def pressure_block(table: pd.DataFrame, hours: int = PRESSURE_HOURS) -> pd.DataFrame:
    """The ``hours`` consecutive local hours (wrapping past midnight) where incidents in progress come closest
    to, or go furthest over, the teams on duty; the peak of incidents in progress without a roster.

    With teams on duty for every hour of some block, the block with the highest ratio of mean incidents in
    progress to mean teams on duty (a block with no team on duty and incidents in progress ranks first);
    otherwise the block with the most incidents in progress. Ties go to the earliest start.

    Returns
    -------
    pandas.DataFrame
        One row: ``hour_start``, ``hour_end`` (exclusive, ``(hour_start + hours) % 24``), ``hours``,
        ``incidents_in_progress`` and ``teams_on_duty`` (means over the block [count]; NaN without a
        roster), ``incidents_per_team``, ``exceeds`` (ratio above 1), ``hours_over`` (hours of the whole
        day with more incidents in progress than teams on duty [count]), ``against_roster``,
        ``block_calls_per_day`` (calls received per day in the block's hours; NaN when one of them is
        suppressed). Empty when incidents in progress are not available.
    """
    incidents = table[N.INCIDENTS_IN_PROGRESS].to_numpy(dtype="float64")
    columns = [HOUR_START, HOUR_END, HOURS_IN_BLOCK, N.INCIDENTS_IN_PROGRESS, N.TEAMS_ON_DUTY, INCIDENTS_PER_TEAM,
               EXCEEDS, HOURS_OVER, AGAINST_ROSTER, BLOCK_CALLS_PER_DAY]  # fmt: skip
    if not np.isfinite(incidents).any():
        return pd.DataFrame(columns=columns)
    filled = np.nan_to_num(incidents)
    teams = table[N.TEAMS_ON_DUTY].to_numpy(dtype="float64") if N.TEAMS_ON_DUTY in table else np.full(24, np.nan)
    inc_sum = _block_sums(filled, hours)
    covered = _block_sums(np.isfinite(teams).astype("float64"), hours) == hours
    if covered.any():
        team_sum = _block_sums(np.nan_to_num(teams), hours)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(team_sum > 0, inc_sum / team_sum, np.where(inc_sum > 0, np.inf, 0.0))
        ratio = np.where(covered, ratio, -np.inf)
        start = int(np.argmax(ratio))
        mean_teams, block_ratio = team_sum[start] / hours, float(ratio[start])
    else:
        start = int(np.argmax(inc_sum))
        mean_teams, block_ratio = np.nan, np.nan
    with np.errstate(invalid="ignore"):
        over = int(np.sum(np.isfinite(teams) & np.isfinite(incidents) & (incidents > teams)))
    block = (start + np.arange(hours)) % 24
    per_day = table[N.CALLS_PER_DAY].to_numpy(dtype="float64")[block]
    row = {
        HOUR_START: start, HOUR_END: (start + hours) % 24, HOURS_IN_BLOCK: hours,
        N.INCIDENTS_IN_PROGRESS: inc_sum[start] / hours, N.TEAMS_ON_DUTY: mean_teams, INCIDENTS_PER_TEAM: block_ratio,
        EXCEEDS: bool(block_ratio > 1.0), HOURS_OVER: over,
        AGAINST_ROSTER: bool(covered.any()), BLOCK_CALLS_PER_DAY: float(per_day.sum()),
    }  # fmt: skip
    return pd.DataFrame([row], columns=columns)


def uhu_group(calls: pd.DataFrame, candidates: Sequence[str] = UHU_GROUPS) -> str | None:
    """The column the UHU panel groups units by: the first of ``candidates`` the calls hold with a value.

    Returns
    -------
    str or None
        The column, or None (every unit together) when the calls hold none of them.
    """
    for column in candidates:
        if column in calls.columns and calls[column].notna().any():
            return column
    return None


def uhu_table(calls: pd.DataFrame, by: str | None, start: object, end: object,
              limit: int = MAX_UHU_GROUPS) -> pd.DataFrame:  # fmt: skip
    """Unit hour utilisation per group, busiest first, at most ``limit`` groups.

    Parameters
    ----------
    calls : pandas.DataFrame
        Canonical unit-level rows of the period.
    by : str or None
        The grouping column (:func:`uhu_group`).
    start, end : str or datetime.date
        First and last local date of the period, both included.
    limit : int
        Groups kept at most [count], the highest UHU first.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`~responsestats.metrics.unit_hour_utilisation` after ``by`` (the column's name)
        and ``group`` (its value; None without ``by``), ``panel_total`` (groups before the limit [count]).
        Empty for incident-level rows.
    """
    if not has_unit_rows(calls):
        return pd.DataFrame(columns=[BY, GROUP, PANEL_TOTAL, N.N_UNITS, N.UHU])
    table = unit_hour_utilisation(calls, by, start, end)
    group = table[by] if by is not None else pd.Series([None] * len(table))
    table = table.drop(columns=[by] if by is not None else [])
    table.insert(0, GROUP, group.to_numpy())
    table.insert(0, BY, by)
    table = table[table[N.N_UNITS].fillna(0) > 0]
    table = table.sort_values([N.UHU, N.N_UNITS], ascending=[False, False], na_position="last", kind="stable")
    table[PANEL_TOTAL] = len(table)
    return table.head(limit).reset_index(drop=True)


__all__ = [
    "AGAINST_ROSTER",
    "BLOCK_CALLS_PER_DAY",
    "EXCEEDS",
    "HOURS_OVER",
    "INCIDENTS_PER_TEAM",
    "MAX_UHU_GROUPS",
    "NO_ROSTER",
    "PRESSURE_HOURS",
    "TEAMS_NOT_AVAILABLE",
    "UHU_GROUPS",
    "pressure_block",
    "uhu_group",
    "uhu_table",
    "workload_table",
]
