"""Titles that state a chart's finding.

Each function reads a table of :mod:`responsestats.briefing.tables` and
returns text in the language of its :class:`~.labels.Labels`, for example
"p90 arrival 9.7 min in March 2025, 0.8 min worse than February" or
"2025年3月到场时间P90 9.7分钟，较2月延长0.8分钟". Every template comes from the
label catalogue. The tests work these functions out by hand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from ... import schema as S
from ...metrics import names as N
from .. import columns as cols
from ..months import shift_month
from ..tables.common import DEFAULT_MIN_CELL, small_cells
from ..tables.kpi import SUPPRESSED_OF
from ..tables.outcomes import cumulative_at
from .changes import NOT_AVAILABLE, arrow, change, format_value
from .labels import Labels
from .terms import group_name, group_word


def _suppressed(row, column: str = cols.SUPPRESSED) -> bool:
    """Whether a table row's figure is suppressed (a small cell); False for tables without the flag."""
    value = row.get(column, False) if hasattr(row, "get") else False
    return bool(value) if value is not None and value is not pd.NA else False


def _shown(row, text: str, labels: Labels) -> str:
    """``text`` (a worded figure), or the small-cell mark when the row is suppressed ("(n<5)")."""
    return labels("common.suppressed_value", n=DEFAULT_MIN_CELL) if _suppressed(row) else text


def kpi_label(row: pd.Series, labels: Labels) -> str:
    """The name of a KPI row."""
    what = labels.interval(row[N.INTERVAL], "short") if isinstance(row[N.INTERVAL], str) else ""
    return labels(f"kpi.{row[cols.KPI]}", what=what)


def kpi_tiles(kpi: pd.DataFrame, labels: Labels) -> list[dict]:
    """The tiles of the KPI card, worded.

    Returns
    -------
    list of dict
        Per KPI: ``label``, ``value``, ``n`` (the denominator in words),
        ``thin`` (bool), and ``lines``: two ``(text, state)`` pairs comparing
        with the previous month and the same month a year before.
    """
    tiles = []
    for _, row in kpi.iterrows():
        current = row[cols.MONTH_OF + cols.PERIOD_CURRENT]
        hidden = _suppressed(row, SUPPRESSED_OF + cols.PERIOD_CURRENT)
        lines = []
        for period, delta_col in ((cols.PERIOD_PREVIOUS, cols.DELTA_PREVIOUS), (cols.PERIOD_YEAR_AGO, cols.DELTA_YEAR_AGO)):
            ref = labels.ref_month(row[cols.MONTH_OF + period], current)
            if hidden or _suppressed(row, SUPPRESSED_OF + period):  # a small cell is never compared
                lines.append((labels("change.suppressed", ref=ref, n=DEFAULT_MIN_CELL), NOT_AVAILABLE))
                continue
            text, state = change(row[delta_col], row[cols.UNIT], row[cols.DIRECTION], ref, labels)
            mark = arrow(row[delta_col], labels, row[cols.UNIT])
            lines.append((f"{mark} {text}".strip(), state))
        n_text = labels("kpi_n.suppressed", n=DEFAULT_MIN_CELL) if hidden else labels(
            f"kpi_n.{row[cols.KPI]}", n=labels.count(row[cols.N_OF + cols.PERIOD_CURRENT]))
        tiles.append(
            {
                "label": kpi_label(row, labels),
                "value": format_value(row[cols.PERIOD_CURRENT], row[cols.UNIT], labels),
                "n": n_text,
                "thin": bool(row[N.THIN]) and not hidden,
                "lines": lines,
            }
        )
    return tiles


def kpi_title(kpi: pd.DataFrame, labels: Labels) -> str:
    """E.g. "March 2025: 721 calls, 63.3% arrived within target, arrest rate 3.5%".

    Without a target (a standard with no numeric target for the interval), the p90 takes its place.
    """
    rows = kpi.set_index(cols.KPI)
    calls, p90, arrest = rows.loc[cols.KPI_CALLS], rows.loc[cols.KPI_P90], rows.loc[cols.KPI_ARREST_RATE]
    if _suppressed(calls, SUPPRESSED_OF + cols.PERIOD_CURRENT):
        return labels("title.kpi_suppressed", month=labels.month(calls[cols.MONTH_OF + cols.PERIOD_CURRENT]),
                      n=DEFAULT_MIN_CELL)  # fmt: skip
    fields = dict(
        month=labels.month(calls[cols.MONTH_OF + cols.PERIOD_CURRENT]),
        calls=labels.count(calls[cols.PERIOD_CURRENT]),
        arrest=labels.percent(arrest[cols.PERIOD_CURRENT]),
        what=labels.interval(p90[N.INTERVAL], "short"),
        value=labels.number(p90[cols.PERIOD_CURRENT]),
    )
    if cols.KPI_WITHIN_TARGET in rows.index:
        return labels("title.kpi", within=labels.percent(rows.loc[cols.KPI_WITHIN_TARGET, cols.PERIOD_CURRENT]), **fields)
    return labels("title.kpi_no_target", **fields)


def trend_title(trend: pd.DataFrame, month: str, labels: Labels) -> str:
    """E.g. "p90 arrival 9.7 min in March 2025, 0.8 min worse than February" (all calls)."""
    rows = trend[trend[cols.SEGMENT] == cols.SEGMENT_ALL].set_index(N.KEY_MONTH)
    interval = rows[N.INTERVAL].iloc[0]
    what = labels.interval(interval, "short")
    if month in rows.index and _suppressed(rows.loc[month]):
        return labels("title.suppressed", what=what, month=labels.month(month), n=DEFAULT_MIN_CELL)
    if month not in rows.index or rows.at[month, N.N] == 0:
        return labels("title.no_data", what=what, month=labels.month(month))
    previous = shift_month(month, -1)
    value = rows.at[month, cols.P90_MIN]
    delta = value - rows.at[previous, cols.P90_MIN] if previous in rows.index else float("nan")
    ref = labels.ref_month(previous, month)
    if previous in rows.index and _suppressed(rows.loc[previous]):
        text = labels("change.suppressed", ref=ref, n=DEFAULT_MIN_CELL)
    else:
        text, _ = change(delta, cols.UNIT_MIN, cols.LOWER_IS_BETTER, ref, labels)
    return labels("title.trend", what=what, value=labels.number(value), month=labels.month(month), change=text)


def p90_groups_title(table: pd.DataFrame, labels: Labels) -> str:
    """E.g. "48 of 48 grids had p90 arrival above target; slowest: 龙文-08网格, 12.5 min".

    Counts groups with a target and a p90; the slowest is the highest p90
    among groups that are not thin (among all, when every group is thin).
    A suppressed group (a small cell: no p90) is never counted or named.
    """
    if table.empty:
        return labels("title.empty")
    by = table[cols.BY].iloc[0]
    what = labels.interval(table[N.INTERVAL].iloc[0], "short")
    graded = table[table[cols.TARGET_MIN].notna() & table[cols.P90_MIN].notna()]
    solid = table[~table[N.THIN] & table[cols.P90_MIN].notna()]
    pool = solid if len(solid) else table[table[cols.P90_MIN].notna()]
    if pool.empty:
        return _none_shown(table, by, labels)
    slowest = pool.loc[pool[cols.P90_MIN].idxmax()]
    fields = dict(
        what=what,
        groups=group_word(by, labels),
        name=labels.value(by, slowest[cols.GROUP]),
        value=labels.number(slowest[cols.P90_MIN]),
    )
    if graded.empty:
        return labels("title.p90_groups_no_target", **fields)
    return labels(
        "title.p90_groups",
        above=labels.count(int(graded[cols.ABOVE_TARGET].sum())),
        total=labels.count(len(graded)),
        **fields,
    )


def _none_shown(table: pd.DataFrame, by: str, labels: Labels) -> str:
    """The title of a group table with no figure to show: every group suppressed, or no data."""
    if cols.SUPPRESSED in table and table[cols.SUPPRESSED].any():
        return labels("title.groups_suppressed", groups=group_word(by, labels), n=DEFAULT_MIN_CELL)
    return labels("title.empty")


def attainment_title(table: pd.DataFrame, month: str | None, labels: Labels) -> str:
    """E.g. "Within target in March 2025: 一级 62.2%, 二级 64.0%, 三级 63.1%".

    Uses the ``all`` segment (or the only one), and names every group when there are up
    to four (a suppressed one as "(n<5)"), else the highest and the lowest (never a suppressed one).
    """
    if table.empty:
        return labels("title.empty")
    seg = cols.SEGMENT_ALL if (table[cols.SEGMENT] == cols.SEGMENT_ALL).any() else table[cols.SEGMENT].iloc[0]
    rows = table[table[cols.SEGMENT] == seg]
    by = rows[cols.BY].iloc[0]
    parts = [(labels.value(by, r[cols.GROUP]), _shown(r, labels.percent(r[N.SHARE_WITHIN]), labels))
             for _, r in rows.iterrows()]  # fmt: skip
    if len(parts) > 4:
        ranked = rows.dropna(subset=[N.SHARE_WITHIN]).sort_values(N.SHARE_WITHIN, ascending=False)
        if ranked.empty:
            return _none_shown(rows, by, labels)
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        parts_text = labels(
            "title.high_low",
            high=labels.value(by, top[cols.GROUP]), high_value=labels.percent(top[N.SHARE_WITHIN]),
            low=labels.value(by, bottom[cols.GROUP]), low_value=labels.percent(bottom[N.SHARE_WITHIN]),
        )  # fmt: skip
    else:
        parts_text = labels("common.list_sep").join(labels("common.pair", name=a, value=b) for a, b in parts)
    when = labels.month(month) if month else ""
    return labels("title.attainment", month=when, parts=parts_text)


def heatmap_title(volume: pd.DataFrame, response: pd.DataFrame, labels: Labels) -> str:
    """E.g. "Busiest hour: Fri 20:00 (14 calls); slowest median arrival: Tue 04:00 (6.9 min)".

    The slowest cell is chosen among cells that are not thin; the busiest among the cells shown (a
    suppressed cell is never named, and a month whose shown cells are all empty names none).
    """
    solid = response[~response[N.THIN] & response[cols.MEDIAN_MIN].notna()]
    what = labels.interval(response[N.INTERVAL].iloc[0], "short")
    texts = []
    if volume[cols.CALLS].max() > 0:  # every cell may be suppressed (or empty) in a tiny month
        busy = volume.loc[volume[cols.CALLS].idxmax()]
        texts.append(labels(
            "title.heatmap_busy",
            day=labels.weekday(busy[N.KEY_WEEKDAY]), hour=f"{int(busy[N.KEY_HOUR]):02d}",
            calls=labels.count(busy[cols.CALLS]),
        ))  # fmt: skip
    if solid.empty:
        return texts[0] if texts else labels("title.heatmap_empty")
    slow = solid.loc[solid[cols.MEDIAN_MIN].idxmax()]
    slow_text = labels(
        "title.heatmap_slow",
        what=what, day=labels.weekday(slow[N.KEY_WEEKDAY]), hour=f"{int(slow[N.KEY_HOUR]):02d}",
        value=labels.number(slow[cols.MEDIAN_MIN]),
    )  # fmt: skip
    return labels("common.clause_sep").join([*texts, slow_text])


def distribution_title(summary: pd.DataFrame, month_text: str, labels: Labels) -> str:
    """E.g. "March 2025: median arrival 5.2 min, p90 9.7 min (n=652)" from an ungrouped interval_summary."""
    row = summary.iloc[0]
    if _suppressed(row):
        return labels("title.suppressed", what=labels.interval(row[N.INTERVAL], "short"), month=month_text,
                      n=DEFAULT_MIN_CELL)  # fmt: skip
    return labels(
        "title.distribution",
        period=month_text,
        what=labels.interval(row[N.INTERVAL], "short"),
        median=labels.number(row[cols.MEDIAN_MIN]),
        p90=labels.number(row[cols.P90_MIN]),
        n=labels.count(row[N.N]),
    )


def segments_title(table: pd.DataFrame, labels: Labels) -> str:
    """The longest segment of the last group, e.g. "March 2025: travel is the longest segment, median 3.9 min"."""
    last = table[cols.GROUP].iloc[-1]
    rows = table[(table[cols.GROUP] == last)]
    parts = rows[rows[N.INTERVAL].isin(cols.SEGMENT_INTERVALS)]
    total = rows[rows[N.INTERVAL] == N.RESPONSE_S][cols.MEDIAN_MIN]
    by = table[cols.BY].iloc[0]
    name = labels.month(last) if by == N.KEY_MONTH else labels.value(by, last)
    if parts[cols.MEDIAN_MIN].notna().sum() == 0:
        if cols.SUPPRESSED in rows and rows[cols.SUPPRESSED].any():
            return labels("title.suppressed", what=labels.interval(N.RESPONSE_S, "short"), month=name,
                          n=DEFAULT_MIN_CELL)  # fmt: skip
        return labels("title.empty")
    top = parts.loc[parts[cols.MEDIAN_MIN].idxmax()]
    return labels(
        "title.segments",
        group=name,
        segment=labels.interval(top[N.INTERVAL], "short"),
        value=labels.number(top[cols.MEDIAN_MIN]),
        total=labels.number(total.iloc[0] if len(total) else float("nan")),
    )


def priority_title(summary: pd.DataFrame, labels: Labels) -> str:
    """E.g. "p90 arrival by priority: 一级 12.1 min, 二级 9.0 min, 三级 9.9 min" (a suppressed group: "四级 (n<5)")."""
    by = summary[cols.BY].iloc[0]
    parts = [
        labels("common.pair", name=labels.value(by, r[cols.GROUP]),
               value=_shown(r, labels.minutes(r[cols.P90_MIN]), labels))  # a suppressed group: "(n<5)"
        for _, r in summary.iterrows()
    ]  # fmt: skip
    return labels(
        "title.by_group",
        what=labels.interval(summary[N.INTERVAL].iloc[0], "short"),
        group=group_name(by, labels),
        parts=labels("common.list_sep").join(parts),
    )


def attainment_trend_title(table: pd.DataFrame, month: str, labels: Labels) -> str:
    """Each target's share within in ``month``, e.g. "March 2025 within target: urban 60.1% (≤5 min); ..."."""
    rows = table[table[N.KEY_MONTH] == month]
    parts = [
        labels(
            "common.target_pair",
            name=labels.segment(r[cols.SEGMENT_KEY]), value=_shown(r, labels.percent(r[N.SHARE_WITHIN]), labels),
            target=labels.number(r[cols.TARGET_MIN], 0),
        )  # fmt: skip
        for _, r in rows.iterrows()
    ]
    return labels("title.attainment", month=labels.month(month), parts=labels("common.list_sep").join(parts))


def arrests_title(by_month: pd.DataFrame, month: str, labels: Labels) -> str:
    """E.g. "Arrest rate 3.5% in March 2025 (20 of 578), 1.0 pts higher than February; 80.0% caught in the act"."""
    rows = by_month.set_index(cols.GROUP)
    if month in rows.index and _suppressed(rows.loc[month]):
        return labels("title.suppressed", what=labels("common.arrest_rate"), month=labels.month(month),
                      n=DEFAULT_MIN_CELL)  # fmt: skip
    if month not in rows.index or rows.at[month, N.ELIGIBLE] == 0:
        return labels("title.no_data", what=labels("common.arrest_rate"), month=labels.month(month))
    previous = shift_month(month, -1)
    rate = rows.at[month, N.ARREST_RATE]
    delta = rate - rows.at[previous, N.ARREST_RATE] if previous in rows.index else float("nan")
    ref = labels.ref_month(previous, month)
    if previous in rows.index and _suppressed(rows.loc[previous]):
        text = labels("change.suppressed", ref=ref, n=DEFAULT_MIN_CELL)
    else:
        text, _ = change(delta, cols.UNIT_SHARE, cols.HIGHER_IS_BETTER, ref, labels)
    return labels(
        "title.arrests",
        rate=labels.percent(rate),
        month=labels.month(month),
        arrests=labels.count(rows.at[month, N.ARRESTS]),
        eligible=labels.count(rows.at[month, N.ELIGIBLE]),
        change=text,
        caught=(labels("common.suppressed_value", n=DEFAULT_MIN_CELL)  # blanked: it rests on 1 to 4 arrests
                if pd.isna(rows.at[month, N.CAUGHT_IN_ACT_RATE]) and small_cells([rows.at[month, N.ARRESTS]])[0]
                else labels.percent(rows.at[month, N.CAUGHT_IN_ACT_RATE])),
    )  # fmt: skip


def outcome_groups_title(table: pd.DataFrame, labels: Labels) -> str:
    """The highest arrest rate among groups that are not thin, e.g. "Highest arrest rate: 抢劫 20.3% (12 of 59)"."""
    by = table[cols.BY].iloc[0]
    solid = table[~table[N.THIN] & table[N.ARREST_RATE].notna()]
    pool = solid if len(solid) else table[table[N.ARREST_RATE].notna()]
    if pool.empty:
        return _none_shown(table, by, labels)
    top = pool.loc[pool[N.ARREST_RATE].idxmax()]
    return labels(
        "title.outcome_groups",
        group=group_name(by, labels),
        name=labels.month(top[cols.GROUP]) if by == N.KEY_MONTH else labels.value(by, top[cols.GROUP]),
        rate=labels.percent(top[N.ARREST_RATE]),
        arrests=labels.count(top[N.ARRESTS]),
        eligible=labels.count(top[N.ELIGIBLE]),
    )


def time_to_arrest_title(summary: pd.DataFrame, labels: Labels) -> str:
    """From an ungrouped outcomes_by: "Median 0.4 h from dispatch to arrest, mean 17.2 h (n=339); 80.8% caught in the act"."""
    row = summary.iloc[0]
    return labels(
        "title.time_to_arrest",
        median=labels.number(row[N.MEDIAN_HOURS_TO_ARREST]),
        mean=labels.number(row[N.MEAN_HOURS_TO_ARREST]),
        n=labels.count(row[N.N_HOURS_TO_ARREST]),
        caught=labels.percent(row[N.CAUGHT_IN_ACT_RATE]),
    )


def km_title(curve: pd.DataFrame, labels: Labels, early_hours: float = 1.0) -> str:
    """E.g. "2.9% of eligible incidents had an arrest within 1 h of dispatch, 3.5% by the end of the data"."""
    if curve.empty:
        return labels("title.empty")
    return labels(
        "title.km",
        early=labels.percent(cumulative_at(curve, early_hours)),
        hours=labels.number(early_hours, 0),
        end=labels.percent(float(curve[cols.CUMULATIVE].iloc[-1])),
    )


def _quality_total(quality: pd.DataFrame, check: str, field: str, months: Iterable[str] | None = None) -> float:
    rows = quality[(quality[cols.CHECK] == check) & (quality[cols.FIELD] == field)]
    if months is not None:
        rows = rows[rows[N.KEY_MONTH].isin(list(months))]
    n = rows[cols.N_CHECKED].sum()
    return float(rows[cols.N_FLAGGED].sum() / n) if n else float("nan")


def quality_title(quality: pd.DataFrame, totals: pd.DataFrame, month: str, labels: Labels) -> str:
    """E.g. "35 of 11,640 rows quarantined (0.3%); arrival time missing on 4.2% of calls in March 2025"."""
    t = totals.iloc[0]
    return labels(
        "title.quality",
        quarantined=labels.count(t[S.R_ROWS_QUARANTINED]),
        read=labels.count(t[S.R_ROWS_READ]),
        share=labels.percent(t[cols.QUARANTINED_SHARE]),
        missing=labels.percent(_quality_total(quality, cols.CHECK_MISSING, "arrived_at", [month])),
        month=labels.month(month),
    )


def missing_title(quality: pd.DataFrame, labels: Labels) -> str:
    """The field most often missing over the table's months, e.g. "Arrival time is missing most often: 4.3% of rows"."""
    shares = {f: _quality_total(quality, cols.CHECK_MISSING, f) for f in quality[quality[cols.CHECK] == cols.CHECK_MISSING][cols.FIELD].unique()}
    field = max(shares, key=lambda f: -1 if math.isnan(shares[f]) else shares[f])
    return labels("title.missing", field=labels(f"field.{field}"), share=labels.percent(shares[field]))


def negative_title(quality: pd.DataFrame, labels: Labels) -> str:
    """The interval that runs backwards most often, e.g. "Travel runs backwards on 35 rows (0.3% of those with both stamps)".

    One row can run backwards on several intervals (an arrival before the dispatch makes both travel and
    dispatch-to-arrival negative), so counts are not added across intervals.
    """
    rows = quality[quality[cols.CHECK] == cols.CHECK_NEGATIVE]
    flagged = rows.groupby(cols.FIELD, sort=False)[cols.N_FLAGGED].sum()
    checked = rows.groupby(cols.FIELD, sort=False)[cols.N_CHECKED].sum()
    if int(flagged.sum()) == 0:
        return labels("title.negative_none")
    top = flagged.idxmax()
    return labels("title.negative", field=labels.interval(top), n=labels.count(flagged[top]),
                  share=labels.percent(flagged[top] / checked[top]))  # fmt: skip


def quarantine_title(reasons: pd.DataFrame, totals: pd.DataFrame, labels: Labels) -> str:
    """E.g. "35 of 11,640 rows quarantined (0.3%); most often: duplicate row (23)"."""
    t = totals.iloc[0]
    if reasons.empty:
        return labels("title.quarantine_none", read=labels.count(t[S.R_ROWS_READ]))
    top = reasons.iloc[0]
    return labels(
        "title.quarantine",
        quarantined=labels.count(t[S.R_ROWS_QUARANTINED]), read=labels.count(t[S.R_ROWS_READ]),
        share=labels.percent(t[cols.QUARANTINED_SHARE]), reason=labels(f"reason.{top['reason']}"),
        n=labels.count(top[cols.ROWS]),
    )  # fmt: skip


def reconciliation_title(totals: pd.DataFrame, labels: Labels) -> str:
    """E.g. "All 15 files reconcile: 11,640 rows read = 11,605 written + 35 quarantined"."""
    t = totals.iloc[0]
    key = "title.reconciled" if bool(t[cols.RECONCILED]) else "title.not_reconciled"
    return labels(
        key,
        files=labels.count(t[cols.FILES]), read=labels.count(t[S.R_ROWS_READ]),
        written=labels.count(t[S.R_ROWS_WRITTEN]), quarantined=labels.count(t[S.R_ROWS_QUARANTINED]),
    )  # fmt: skip
