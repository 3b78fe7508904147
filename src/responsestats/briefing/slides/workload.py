"""The workload slide: "警力跟着警情走", deploy where the calls are.

By hour of the day over the month briefed: incidents in progress and units busy against the teams a duty
roster puts on duty, calls received per day, and for unit-level data the unit hour utilisation per unit type
or station. :func:`workload` follows the pattern of :mod:`.monthly`: tables
(:mod:`responsestats.briefing.tables.workload`), one finding in the title (:func:`workload_title`), the chart
(:mod:`responsestats.briefing.charts.workload`). Every word is in the catalogue's ``[workload]`` table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ... import schema as S
from ...metrics import names as N
from ...sources.roster import read_roster
from .. import columns as cols
from ..charts.workload import workload_by_hour
from ..data import BriefingData
from ..months import in_months, month_bounds
from ..tables import workload as wt
from ..tables.response import MIN_CALLS_FOR_HOURS
from ..wording.context import context, where_text
from ..wording.labels import Labels
from .base import Frame, Slide

#: A month with fewer incidents than this (5 an hour of the day) is pooled with the two months before it.
MIN_MONTH_CALLS = MIN_CALLS_FOR_HOURS
#: The slide's file name.
SLIDE_NAME = "workload.png"


def workload_window(data: BriefingData) -> tuple[str, ...]:
    """The months the slide averages over: the month briefed, or the three recent months when the month holds
    fewer than :data:`MIN_MONTH_CALLS` incidents."""
    return (data.month,) if _incidents(data.month_calls) >= MIN_MONTH_CALLS else tuple(data.recent)


def _incidents(frame: pd.DataFrame) -> int:
    """Distinct incidents of canonical rows [count]."""
    return len(frame[[S.AGENCY, S.INCIDENT_ID]].drop_duplicates()) if len(frame) else 0


def workload_dates(data: BriefingData, months: tuple[str, ...]) -> tuple[dt.date, dt.date]:
    """First and last local date of ``months``, within the dates the data cover (``data.coverage``)."""
    first, last = month_bounds(months[0])[0], month_bounds(months[-1])[1]
    if data.coverage is not None:
        first, last = max(first, data.coverage[0]), min(last, data.coverage[1])
    return first, max(first, last)


def workload_period_text(months: tuple[str, ...], first: dt.date, last: dt.date, labels: Labels) -> str:
    """The period in words: the months (``March 2025``) when the dates cover them whole, else the dates."""
    if (first, last) == (month_bounds(months[0])[0], month_bounds(months[-1])[1]):
        return labels.month_span(months[0], months[-1])
    return labels("calendar.span", first=first.isoformat(), last=last.isoformat())


def _reason(code: str, labels: Labels, table: pd.DataFrame) -> str:
    if code == N.ROSTER_INCOMPLETE:
        return labels("workload.reason_roster_incomplete", missing=labels.count(int(table[N.DAYS_MISSING].sum())))
    return labels(f"workload.reason_{code}")


def _reasons(table: pd.DataFrame, labels: Labels) -> dict[str, str]:
    """The figures of ``table`` that are not available (``units``, ``teams``) -> why, in words."""
    out = {}
    codes = [c for c in str(table[N.NOT_AVAILABLE].iloc[0]).split(";") if c]
    if table[N.UNITS_BUSY].isna().all() and codes:
        unit_codes = [c for c in codes if c in (N.NO_UNIT_ID, N.NO_BUSY_TIMES)]
        out["units"] = labels("common.list_sep").join(_reason(c, labels, table) for c in unit_codes)
    teams = [c for c in dict.fromkeys(table[wt.TEAMS_NOT_AVAILABLE]) if c]
    if teams:
        out["teams"] = labels("common.list_sep").join(_reason(c, labels, table) for c in teams)
    return out


def workload_title(table: pd.DataFrame, block: pd.DataFrame, labels: Labels, period: str) -> str:
    """The finding: where in the day incidents in progress come closest to (or exceed) the teams on duty, or,
    without a roster, when they peak; that they are not available when no incident is timed.

    ``table``: :func:`~..tables.workload.workload_table`; ``block``: :func:`~..tables.workload.pressure_block`.
    """
    if not len(block):
        return labels("workload.title_none", period=period, reason=_reason(N.NO_BUSY_TIMES, labels, table))
    b = block.iloc[0]
    hours = labels("workload.block", start=f"{int(b[cols.HOUR_START]):02d}", end=f"{int(b[cols.HOUR_END]):02d}")
    fields = dict(block=hours, period=period, incidents=labels.number(b[N.INCIDENTS_IN_PROGRESS], 1))
    if bool(b[wt.AGAINST_ROSTER]):
        fields.update(teams=labels.number(b[N.TEAMS_ON_DUTY], 1))
        if bool(b[wt.EXCEEDS]):
            return labels("workload.title_over", over=labels.count(b[wt.HOURS_OVER]), **fields)
        return labels("workload.title_closest", ratio=labels.number(b[wt.INCIDENTS_PER_TEAM], 2), **fields)
    calls = b[wt.BLOCK_CALLS_PER_DAY]
    if pd.isna(calls):
        return labels("workload.title_peak_few", **fields)
    return labels("workload.title_peak", calls=labels.number(calls, 1), **fields)


def workload(data: BriefingData, labels: Labels, roster: pd.DataFrame | str | Path | None = None) -> Slide:
    """Workload and deployment by hour of the day (table: :func:`~..tables.workload.workload_table`).

    Valid calls only, where the standard defines invalid calls (they send no one). Averages over the month
    briefed, or the three recent months when it holds fewer than
    :data:`MIN_MONTH_CALLS` incidents (the subtitle says which), within the dates the data cover. ``roster``:
    a duty roster (a frame from :func:`responsestats.sources.roster.read_roster`, or the path of its CSV)
    adds the teams on duty as a step line, and the title then names the block of hours where incidents in
    progress come closest to, or exceed, them. For unit-level data a right panel gives the unit hour
    utilisation per unit type or station (:func:`~..tables.workload.uhu_group`).
    """
    if isinstance(roster, (str, Path)):
        roster = read_roster(roster)
    frame = Frame(data, labels)
    months = workload_window(data)
    calls = in_months(data.calls, months)
    calls = calls[~data.standard.is_invalid(calls)]  # a hang-up or a harassment call sends no one
    first, last = workload_dates(data, months)
    table = wt.workload_table(calls, first, last, roster, timezone=data.timezone)
    block = wt.pressure_block(table)
    by = wt.uhu_group(calls, (data.group_by, *wt.UHU_GROUPS) if data.group_by != S.DISTRICT else wt.UHU_GROUPS)
    uhu = wt.uhu_table(calls, by, first, last)
    period = workload_period_text(months, first, last, labels)
    title = workload_title(table, block, labels, period)
    total = int(table[N.N].iloc[0] + table[N.N_EXCLUDED].iloc[0])
    excluded = int(table[N.N_EXCLUDED].iloc[0])
    if len(months) == 1:
        window = labels("workload.window_month")
    else:
        window = labels("workload.window_recent", n=labels.count(_incidents(data.month_calls)),
                        min=labels.count(MIN_MONTH_CALLS))  # fmt: skip
    fields = {**context(data, labels), "period": period, "window": window,
              "start": first.isoformat(), "end": last.isoformat(),
              "excluded": labels("workload.excluded", excluded=labels.count(excluded), total=labels.count(total))
              if excluded else ""}  # fmt: skip
    subtitle = labels("workload.subtitle", **fields) + where_text(data, labels)
    caption = labels("workload.caption", **fields)
    if len(uhu):
        caption += labels("workload.caption_uhu", **fields)
    fig = workload_by_hour(table, labels, title=title, subtitle=subtitle, footer=frame.footer, block=block,
                           uhu=uhu if len(uhu) else None, reasons=_reasons(table, labels))  # fmt: skip
    return Slide(SLIDE_NAME, fig, title, caption, table)


__all__ = ["MIN_MONTH_CALLS", "SLIDE_NAME", "workload", "workload_dates", "workload_period_text", "workload_title",
           "workload_window"]
