"""Titles that state a chart's finding, and the other text around the charts.

Each function reads a table from :mod:`responsestats.briefing_tables`. It
returns text in the language of its :class:`~responsestats.i18n.Labels`,
for example "p90 arrival 9.7 min in March 2025, 0.8 min worse than
February" or "2025年3月到场时间P90 9.7分钟，较2月延长0.8分钟". Every
template comes from the label catalogue. The tests work these functions
out by hand.

Rounding rule: a change is described at the precision it is printed with.
When it rounds to zero, it reads "unchanged" and not "0.0 min better".
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import __version__
from . import briefing_tables as T
from .i18n import Labels
from .metrics import Standard
from .metrics import names as N

#: States of a change, for the colours and arrows of the KPI card.
BETTER, WORSE, SAME, NEUTRAL, NOT_AVAILABLE = "better", "worse", "same", "neutral", "na"
UP, DOWN, LEVEL = "▲", "▼", "="


def _nan(x: object) -> bool:
    return x is None or (isinstance(x, (float, np.floating)) and math.isnan(x)) or x is pd.NA


# --- changes ----------------------------------------------------------------------------------
def change(delta: float, unit: str, direction: str, ref: str, labels: Labels, digits: int = 1) -> tuple[str, str]:
    """Describe ``delta`` (current minus ``ref``'s value) in words.

    Parameters
    ----------
    delta : float
        The change, in the KPI's own unit (minutes, a share 0..1, a count).
    unit : str
        ``min``, ``share`` (described in percentage points) or ``count``.
    direction : str
        ``lower`` or ``higher`` is better, or ``neutral``.
    ref : str
        The reference, already worded (e.g. "February").

    Returns
    -------
    (str, str)
        The phrase and its state: better, worse, same, neutral or na.
    """
    if _nan(delta):
        return labels("change.na", ref=ref), NOT_AVAILABLE
    if unit == T.UNIT_SHARE:
        size, kind = abs(100.0 * delta), "pts"
    elif unit == T.UNIT_COUNT:
        size, kind, digits = abs(delta), "count", 0
    else:
        size, kind = abs(delta), "min" if unit == T.UNIT_MIN else "hours"
    shown = round(size, digits)
    if shown == 0:
        return labels("change.same", ref=ref), SAME
    text_size = labels.count(shown) if kind == "count" else f"{shown:.{digits}f}"
    up = delta > 0
    if kind in ("min", "hours") and direction != T.NEUTRAL:
        good = up if direction == T.HIGHER_IS_BETTER else not up
        key = f"change.{kind}_{'better' if good else 'worse'}"
    else:
        key = f"change.{kind}_{'up' if up else 'down'}"
    if direction == T.NEUTRAL:
        state = NEUTRAL
    else:
        state = BETTER if up == (direction == T.HIGHER_IS_BETTER) else WORSE
    return labels(key, delta=text_size, ref=ref), state


def arrow(delta: float, labels: Labels, unit: str, digits: int = 1) -> str:
    """▲ / ▼ for a change that shows at the printed precision, else =."""
    if _nan(delta):
        return ""
    size = abs(100.0 * delta) if unit == T.UNIT_SHARE else abs(delta)
    if round(size, 0 if unit == T.UNIT_COUNT else digits) == 0:
        return LEVEL
    return UP if delta > 0 else DOWN


def format_value(value: float, unit: str, labels: Labels) -> str:
    """A KPI value with its unit."""
    if unit == T.UNIT_COUNT:
        return labels.count(value)
    if unit == T.UNIT_SHARE:
        return labels.percent(value)
    if unit == T.UNIT_HOURS:
        return labels.hours(value)
    return labels.minutes(value)


# --- the KPI card ---------------------------------------------------------------------------
def kpi_label(row: pd.Series, labels: Labels) -> str:
    """The name of a KPI row."""
    what = labels.interval(row[N.INTERVAL], "short") if isinstance(row[N.INTERVAL], str) else ""
    return labels(f"kpi.{row[T.KPI]}", what=what)


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
        current = row[T.MONTH_OF + T.PERIOD_CURRENT]
        lines = []
        for period, delta_col in ((T.PERIOD_PREVIOUS, T.DELTA_PREVIOUS), (T.PERIOD_YEAR_AGO, T.DELTA_YEAR_AGO)):
            ref = labels.ref_month(row[T.MONTH_OF + period], current)
            text, state = change(row[delta_col], row[T.UNIT], row[T.DIRECTION], ref, labels)
            mark = arrow(row[delta_col], labels, row[T.UNIT])
            lines.append((f"{mark} {text}".strip(), state))
        tiles.append(
            {
                "label": kpi_label(row, labels),
                "value": format_value(row[T.PERIOD_CURRENT], row[T.UNIT], labels),
                "n": labels(f"kpi_n.{row[T.KPI]}", n=labels.count(row[T.N_OF + T.PERIOD_CURRENT])),
                "thin": bool(row[N.THIN]),
                "lines": lines,
            }
        )
    return tiles


def kpi_title(kpi: pd.DataFrame, labels: Labels) -> str:
    """E.g. "March 2025: 721 calls, 63.3% arrived within target, arrest rate 3.5%".

    Without a target (a standard with no numeric target for the interval), the p90 takes its place.
    """
    rows = kpi.set_index(T.KPI)
    calls, p90, arrest = rows.loc[T.KPI_CALLS], rows.loc[T.KPI_P90], rows.loc[T.KPI_ARREST_RATE]
    fields = dict(
        month=labels.month(calls[T.MONTH_OF + T.PERIOD_CURRENT]),
        calls=labels.count(calls[T.PERIOD_CURRENT]),
        arrest=labels.percent(arrest[T.PERIOD_CURRENT]),
        what=labels.interval(p90[N.INTERVAL], "short"),
        value=labels.number(p90[T.PERIOD_CURRENT]),
    )
    if T.KPI_WITHIN_TARGET in rows.index:
        return labels("title.kpi", within=labels.percent(rows.loc[T.KPI_WITHIN_TARGET, T.PERIOD_CURRENT]), **fields)
    return labels("title.kpi_no_target", **fields)


# --- response times ---------------------------------------------------------------------------
def trend_title(trend: pd.DataFrame, month: str, labels: Labels) -> str:
    """E.g. "p90 arrival 9.7 min in March 2025, 0.8 min worse than February" (all calls)."""
    rows = trend[trend[T.SEGMENT] == T.SEGMENT_ALL].set_index(N.KEY_MONTH)
    interval = rows[N.INTERVAL].iloc[0]
    what = labels.interval(interval, "short")
    if month not in rows.index or rows.at[month, N.N] == 0:
        return labels("title.no_data", what=what, month=labels.month(month))
    previous = T.shift_month(month, -1)
    value = rows.at[month, T.P90_MIN]
    delta = value - rows.at[previous, T.P90_MIN] if previous in rows.index else float("nan")
    text, _ = change(delta, T.UNIT_MIN, T.LOWER_IS_BETTER, labels.ref_month(previous, month), labels)
    return labels("title.trend", what=what, value=labels.number(value), month=labels.month(month), change=text)


def axis_group(by: str, labels: Labels) -> str:
    """A grouping column as an axis title (Priority / 警情级别)."""
    return labels(f"group_axis.{by}") if labels.get(f"group_axis.{by}") is not None else by


def group_name(by: str, labels: Labels) -> str:
    """The singular noun of a grouping column, for running text (grid / 网格)."""
    return labels(f"group.{by}") if labels.get(f"group.{by}") is not None else by


def group_word(by: str, labels: Labels) -> str:
    """The plural noun of a grouping column (grids, priorities, ...)."""
    return labels(f"groups.{by}") if labels.get(f"groups.{by}") is not None else by


def p90_groups_title(table: pd.DataFrame, labels: Labels) -> str:
    """E.g. "48 of 48 grids had p90 arrival above target; slowest: 龙文-08网格, 12.5 min".

    Counts groups with a target and a p90; the slowest is the highest p90
    among groups that are not thin (among all, when every group is thin).
    """
    if table.empty:
        return labels("title.empty")
    by = table[T.BY].iloc[0]
    what = labels.interval(table[N.INTERVAL].iloc[0], "short")
    graded = table[table[T.TARGET_MIN].notna() & table[T.P90_MIN].notna()]
    solid = table[~table[N.THIN] & table[T.P90_MIN].notna()]
    pool = solid if len(solid) else table[table[T.P90_MIN].notna()]
    slowest = pool.loc[pool[T.P90_MIN].idxmax()]
    fields = dict(
        what=what,
        groups=group_word(by, labels),
        name=labels.value(by, slowest[T.GROUP]),
        value=labels.number(slowest[T.P90_MIN]),
    )
    if graded.empty:
        return labels("title.p90_groups_no_target", **fields)
    return labels(
        "title.p90_groups",
        above=labels.count(int(graded[T.ABOVE_TARGET].sum())),
        total=labels.count(len(graded)),
        **fields,
    )


def attainment_title(table: pd.DataFrame, month: str | None, labels: Labels) -> str:
    """E.g. "Within target in March 2025: 一级 62.2%, 二级 64.0%, 三级 63.1%".

    Uses the ``all`` segment (or the only one), and names every group when there are up
    to four, else the highest and the lowest.
    """
    if table.empty:
        return labels("title.empty")
    seg = T.SEGMENT_ALL if (table[T.SEGMENT] == T.SEGMENT_ALL).any() else table[T.SEGMENT].iloc[0]
    rows = table[table[T.SEGMENT] == seg]
    by = rows[T.BY].iloc[0]
    parts = [(labels.value(by, r[T.GROUP]), labels.percent(r[N.SHARE_WITHIN])) for _, r in rows.iterrows()]
    if len(parts) > 4:
        ranked = rows.dropna(subset=[N.SHARE_WITHIN]).sort_values(N.SHARE_WITHIN, ascending=False)
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        parts_text = labels(
            "title.high_low",
            high=labels.value(by, top[T.GROUP]), high_value=labels.percent(top[N.SHARE_WITHIN]),
            low=labels.value(by, bottom[T.GROUP]), low_value=labels.percent(bottom[N.SHARE_WITHIN]),
        )  # fmt: skip
    else:
        parts_text = labels("common.list_sep").join(labels("common.pair", name=a, value=b) for a, b in parts)
    when = labels.month(month) if month else ""
    return labels("title.attainment", month=when, parts=parts_text)


def heatmap_title(volume: pd.DataFrame, response: pd.DataFrame, labels: Labels) -> str:
    """E.g. "Busiest hour: Fri 20:00 (14 calls); slowest median arrival: Tue 04:00 (6.9 min)".

    The slowest cell is chosen among cells that are not thin.
    """
    solid = response[~response[N.THIN] & response[T.MEDIAN_MIN].notna()]
    what = labels.interval(response[N.INTERVAL].iloc[0], "short")
    texts = []
    if volume[T.CALLS].notna().any():  # every cell may be suppressed in a tiny month
        busy = volume.loc[volume[T.CALLS].idxmax()]
        texts.append(labels(
            "title.heatmap_busy",
            day=labels.weekday(busy[N.KEY_WEEKDAY]), hour=f"{int(busy[N.KEY_HOUR]):02d}",
            calls=labels.count(busy[T.CALLS]),
        ))  # fmt: skip
    if solid.empty:
        return texts[0] if texts else labels("title.heatmap_empty")
    slow = solid.loc[solid[T.MEDIAN_MIN].idxmax()]
    slow_text = labels(
        "title.heatmap_slow",
        what=what, day=labels.weekday(slow[N.KEY_WEEKDAY]), hour=f"{int(slow[N.KEY_HOUR]):02d}",
        value=labels.number(slow[T.MEDIAN_MIN]),
    )  # fmt: skip
    return labels("common.clause_sep").join([*texts, slow_text])


def distribution_title(summary: pd.DataFrame, month_text: str, labels: Labels) -> str:
    """E.g. "March 2025: median arrival 5.2 min, p90 9.7 min (n=652)" from an ungrouped interval_summary."""
    row = summary.iloc[0]
    return labels(
        "title.distribution",
        period=month_text,
        what=labels.interval(row[N.INTERVAL], "short"),
        median=labels.number(row[T.MEDIAN_MIN]),
        p90=labels.number(row[T.P90_MIN]),
        n=labels.count(row[N.N]),
    )


def segments_title(table: pd.DataFrame, labels: Labels) -> str:
    """The longest segment of the last group, e.g. "March 2025: travel is the longest segment, median 3.9 min"."""
    last = table[T.GROUP].iloc[-1]
    rows = table[(table[T.GROUP] == last)]
    parts = rows[rows[N.INTERVAL].isin(T.SEGMENT_INTERVALS)]
    total = rows[rows[N.INTERVAL] == N.RESPONSE_S][T.MEDIAN_MIN]
    if parts[T.MEDIAN_MIN].notna().sum() == 0:
        return labels("title.empty")
    top = parts.loc[parts[T.MEDIAN_MIN].idxmax()]
    by = table[T.BY].iloc[0]
    name = labels.month(last) if by == N.KEY_MONTH else labels.value(by, last)
    return labels(
        "title.segments",
        group=name,
        segment=labels.interval(top[N.INTERVAL], "short"),
        value=labels.number(top[T.MEDIAN_MIN]),
        total=labels.number(total.iloc[0] if len(total) else float("nan")),
    )


def priority_title(summary: pd.DataFrame, labels: Labels) -> str:
    """E.g. "p90 arrival by priority: 一级 12.1 min, 二级 9.0 min, 三级 9.9 min"."""
    by = summary[T.BY].iloc[0]
    parts = [
        labels("common.pair", name=labels.value(by, r[T.GROUP]), value=labels.minutes(r[T.P90_MIN]))
        for _, r in summary.iterrows()
    ]
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
            name=labels.segment(r[T.SEGMENT_KEY]), value=labels.percent(r[N.SHARE_WITHIN]),
            target=labels.number(r[T.TARGET_MIN], 0),
        )  # fmt: skip
        for _, r in rows.iterrows()
    ]
    return labels("title.attainment", month=labels.month(month), parts=labels("common.list_sep").join(parts))


# --- outcomes ---------------------------------------------------------------------------------
def arrests_title(by_month: pd.DataFrame, month: str, labels: Labels) -> str:
    """E.g. "Arrest rate 3.5% in March 2025 (20 of 578), 1.0 pts higher than February; 80.0% caught in the act"."""
    rows = by_month.set_index(T.GROUP)
    if month not in rows.index or rows.at[month, N.ELIGIBLE] == 0:
        return labels("title.no_data", what=labels("common.arrest_rate"), month=labels.month(month))
    previous = T.shift_month(month, -1)
    rate = rows.at[month, N.ARREST_RATE]
    delta = rate - rows.at[previous, N.ARREST_RATE] if previous in rows.index else float("nan")
    text, _ = change(delta, T.UNIT_SHARE, T.HIGHER_IS_BETTER, labels.ref_month(previous, month), labels)
    return labels(
        "title.arrests",
        rate=labels.percent(rate),
        month=labels.month(month),
        arrests=labels.count(rows.at[month, N.ARRESTS]),
        eligible=labels.count(rows.at[month, N.ELIGIBLE]),
        change=text,
        caught=labels.percent(rows.at[month, N.CAUGHT_IN_ACT_RATE]),
    )


def outcome_groups_title(table: pd.DataFrame, labels: Labels) -> str:
    """The highest arrest rate among groups that are not thin, e.g. "Highest arrest rate: 抢劫 20.3% (12 of 59)"."""
    by = table[T.BY].iloc[0]
    solid = table[~table[N.THIN] & table[N.ARREST_RATE].notna()]
    pool = solid if len(solid) else table[table[N.ARREST_RATE].notna()]
    if pool.empty:
        return labels("title.empty")
    top = pool.loc[pool[N.ARREST_RATE].idxmax()]
    return labels(
        "title.outcome_groups",
        group=group_name(by, labels),
        name=labels.month(top[T.GROUP]) if by == N.KEY_MONTH else labels.value(by, top[T.GROUP]),
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


def cumulative_at(curve: pd.DataFrame, hours: float) -> float:
    """The Kaplan-Meier cumulative share arrested at ``hours`` (a step function; 0 before the first time)."""
    before = curve[curve[N.KM_TIME] <= hours]
    return float(before[T.CUMULATIVE].iloc[-1]) if len(before) else 0.0


def km_title(curve: pd.DataFrame, labels: Labels, early_hours: float = 1.0) -> str:
    """E.g. "2.9% of eligible incidents had an arrest within 1 h of dispatch, 3.5% by the end of the data"."""
    if curve.empty:
        return labels("title.empty")
    return labels(
        "title.km",
        early=labels.percent(cumulative_at(curve, early_hours)),
        hours=labels.number(early_hours, 0),
        end=labels.percent(float(curve[T.CUMULATIVE].iloc[-1])),
    )


# --- data quality -----------------------------------------------------------------------------
def _quality_total(quality: pd.DataFrame, check: str, field: str, months: Iterable[str] | None = None) -> float:
    rows = quality[(quality[T.CHECK] == check) & (quality[T.FIELD] == field)]
    if months is not None:
        rows = rows[rows[N.KEY_MONTH].isin(list(months))]
    n = rows[T.N_CHECKED].sum()
    return float(rows[T.N_FLAGGED].sum() / n) if n else float("nan")


def quality_title(quality: pd.DataFrame, totals: pd.DataFrame, month: str, labels: Labels) -> str:
    """E.g. "35 of 11,640 rows quarantined (0.3%); arrival time missing on 4.2% of calls in March 2025"."""
    t = totals.iloc[0]
    return labels(
        "title.quality",
        quarantined=labels.count(t[T.R_ROWS_QUARANTINED]),
        read=labels.count(t[T.R_ROWS_READ]),
        share=labels.percent(t[T.QUARANTINED_SHARE]),
        missing=labels.percent(_quality_total(quality, T.CHECK_MISSING, "arrived_at", [month])),
        month=labels.month(month),
    )


def missing_title(quality: pd.DataFrame, labels: Labels) -> str:
    """The field most often missing over the table's months, e.g. "Arrival time is missing most often: 4.3% of rows"."""
    shares = {f: _quality_total(quality, T.CHECK_MISSING, f) for f in quality[quality[T.CHECK] == T.CHECK_MISSING][T.FIELD].unique()}
    field = max(shares, key=lambda f: -1 if math.isnan(shares[f]) else shares[f])
    return labels("title.missing", field=labels(f"field.{field}"), share=labels.percent(shares[field]))


def negative_title(quality: pd.DataFrame, labels: Labels) -> str:
    """The interval that runs backwards most often, e.g. "Travel runs backwards on 35 rows (0.3% of those with both stamps)".

    One row can run backwards on several intervals (an arrival before the dispatch makes both travel and
    dispatch-to-arrival negative), so counts are not added across intervals.
    """
    rows = quality[quality[T.CHECK] == T.CHECK_NEGATIVE]
    flagged = rows.groupby(T.FIELD, sort=False)[T.N_FLAGGED].sum()
    checked = rows.groupby(T.FIELD, sort=False)[T.N_CHECKED].sum()
    if int(flagged.sum()) == 0:
        return labels("title.negative_none")
    top = flagged.idxmax()
    return labels("title.negative", field=labels.interval(top), n=labels.count(flagged[top]),
                  share=labels.percent(flagged[top] / checked[top]))  # fmt: skip


def quarantine_title(reasons: pd.DataFrame, totals: pd.DataFrame, labels: Labels) -> str:
    """E.g. "35 of 11,640 rows quarantined (0.3%); most often: duplicate row (23)"."""
    t = totals.iloc[0]
    if reasons.empty:
        return labels("title.quarantine_none", read=labels.count(t[T.R_ROWS_READ]))
    top = reasons.iloc[0]
    return labels(
        "title.quarantine",
        quarantined=labels.count(t[T.R_ROWS_QUARANTINED]), read=labels.count(t[T.R_ROWS_READ]),
        share=labels.percent(t[T.QUARANTINED_SHARE]), reason=labels(f"reason.{top['reason']}"),
        n=labels.count(top[T.ROWS]),
    )  # fmt: skip


def reconciliation_title(totals: pd.DataFrame, labels: Labels) -> str:
    """E.g. "All 15 files reconcile: 11,640 rows read = 11,605 written + 35 quarantined"."""
    t = totals.iloc[0]
    key = "title.reconciled" if bool(t[T.RECONCILED]) else "title.not_reconciled"
    return labels(
        key,
        files=labels.count(t[T.FILES]), read=labels.count(t[T.R_ROWS_READ]),
        written=labels.count(t[T.R_ROWS_WRITTEN]), quarantined=labels.count(t[T.R_ROWS_QUARANTINED]),
    )  # fmt: skip


# --- small wording helpers for charts ---------------------------------------------------------
def hours_edge(hours: float, labels: Labels) -> str:
    """A bin edge of hours in a readable unit: 15 min, 2 h, 4 d."""
    if hours < 1:
        return labels("unit.min_short", value=f"{hours * 60:g}")
    if hours < 48:
        return labels("unit.h_short", value=f"{hours:g}")
    return labels("unit.d_short", value=f"{hours / 24:g}")


def hours_bin_label(low: float, high: float, labels: Labels) -> str:
    """The label of a bin ``[low, high)`` [h]: "< 15 min", "1 h – 2 h", "≥ 14 d"."""
    if low <= 0:
        return labels("bins.below", high=hours_edge(high, labels))
    if math.isinf(high):
        return labels("bins.above", low=hours_edge(low, labels))
    return labels("bins.between", low=hours_edge(low, labels), high=hours_edge(high, labels))


def segment_name(key: str, target_min: float, labels: Labels) -> str:
    """A segment with its target, e.g. "Urban (target 5 min)"; just the name without a target."""
    name = labels.segment(key)
    if _nan(target_min):
        return name
    return labels("common.with_target", name=name, target=labels.number(target_min, 0 if target_min == int(target_min) else 1))


def caption(chart: str, labels: Labels, **fields: object) -> str:
    """How to read a chart (the catalogue's ``caption.<chart>``)."""
    return labels(f"caption.{chart}", **fields)


# --- context of a briefing: subtitles, footer, captions ------------------------------------------
def targets_text(standard: Standard, interval: str, labels: Labels) -> str:
    """The numeric targets of ``interval``, e.g. "Urban 5 min, Suburban 10 min"."""
    parts = [
        labels("common.pair", name=labels.segment(T._segment_key(t)), value=labels.minutes(t.target_s / 60.0, 0))
        for t in standard.targets_for(interval)
        if t.target_s is not None
    ]
    return labels("common.list_sep").join(parts) if parts else labels("common.dash")


def context(data: T.BriefingData, labels: Labels) -> dict[str, str]:
    """Worded facts of a briefing that subtitles, footers and captions fill in."""
    return {
        "month": labels.month(data.month),
        "previous": labels.month(data.previous),
        "year_ago": labels.month(data.year_ago),
        "span": labels.month_span(data.months[0], data.months[-1]),
        "quarter_span": labels.month_span(data.recent[0], data.recent[-1]),
        "what": labels.interval(data.interval),
        "what_short": labels.interval(data.interval, "short"),
        "standard": data.standard.name,
        "targets": targets_text(data.standard, data.interval, labels),
        "agency": data.agency,
        "first": labels.month(data.first_month),
        "last": labels.month(data.last_month),
        "as_of": data.as_of.tz_convert(data.timezone).strftime("%Y-%m-%d %H:%M"),
        "timezone": data.timezone,
        "version": __version__,
    }


def subtitle(kind: str, data: T.BriefingData, labels: Labels, **extra: object) -> str:
    """The catalogue's ``subtitle.<kind>`` filled with :func:`context` (and ``extra``)."""
    return labels(f"subtitle.{kind}", **{**context(data, labels), **extra})


def footer(data: T.BriefingData, labels: Labels) -> str:
    """The source line under every chart."""
    return labels("footer.text", **context(data, labels))


def briefing_caption(chart: str, data: T.BriefingData, labels: Labels) -> str:
    """How to read a briefing chart (``caption.<chart>``), filled with :func:`context`."""
    return labels(f"caption.{chart}", **context(data, labels))
