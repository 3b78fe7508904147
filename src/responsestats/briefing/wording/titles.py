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
from ...metrics import DEFAULT_MIN_N
from ..tables.common import DEFAULT_MIN_CELL, small_cells
from ..tables.compare import difference_interval, is_clear
from ..tables.kpi import SUPPRESSED_OF
from ..tables.outcomes import cumulative_at
from .changes import BETTER, NEUTRAL, NOT_AVAILABLE, WORSE, arrow, change, format_value, judged_change
from .labels import Labels
from .terms import group_name, group_word


def _suppressed(row, column: str = cols.SUPPRESSED) -> bool:
    """Whether a table row's figure is suppressed (a small cell); False for tables without the flag."""
    value = row.get(column, False) if hasattr(row, "get") else False
    return bool(value) if value is not None and value is not pd.NA else False


def _sentence(text: str) -> str:
    """``text`` with its first letter upper-case (a title that starts with "all calls")."""
    return text[:1].upper() + text[1:]


def _shown(row, text: str, labels: Labels) -> str:
    """``text`` (a worded figure), or the small-cell mark when the row is suppressed ("(n<5)")."""
    return labels("common.suppressed_value", n=DEFAULT_MIN_CELL) if _suppressed(row) else text


def kpi_label(row: pd.Series, labels: Labels) -> str:
    """The name of a KPI row; the median and the p90 name their interval in full ("Dispatch to arrival: p90")."""
    what = labels.interval(row[N.INTERVAL]) if isinstance(row[N.INTERVAL], str) else ""
    return labels(f"kpi.{row[cols.KPI]}", what=what)


def kpi_short(row: pd.Series, labels: Labels) -> str:
    """The name of a KPI row inside a title ("p90 arrival")."""
    what = labels.interval(row[N.INTERVAL], "short") if isinstance(row[N.INTERVAL], str) else ""
    return labels(f"kpi_short.{row[cols.KPI]}", what=what)


def _ci_text(row: pd.Series, period: str, labels: Labels) -> str | None:
    """The 95% interval of a KPI value in words ("9.2–10.7 min"), or None when it is not known."""
    low, high = row[cols.CI_LOW_OF + period], row[cols.CI_HIGH_OF + period]
    if pd.isna(low) or pd.isna(high):
        return None
    unit = row[cols.UNIT]
    if unit == cols.UNIT_SHARE:
        return labels("unit.percent", value=f"{100 * low:.1f}–{100 * high:.1f}")
    if unit == cols.UNIT_MIN:
        return labels("unit.minutes", value=f"{labels.number(low)}–{labels.number(high)}")
    return f"{labels.number(low)}–{labels.number(high)}"


def kpi_change(row: pd.Series, period: str, labels: Labels) -> tuple[str, str]:
    """The change of a KPI row against ``period`` (previous or year_ago) in words, with its state.

    Under the noise rule (:func:`~.changes.judged_change`): better / worse only when ``clear_<period>``;
    a suppressed side is never compared.
    """
    current = row[cols.MONTH_OF + cols.PERIOD_CURRENT]
    ref = labels.ref_month(row[cols.MONTH_OF + period], current)
    if _suppressed(row, SUPPRESSED_OF + cols.PERIOD_CURRENT) or _suppressed(row, SUPPRESSED_OF + period):
        return labels("change.suppressed", ref=ref, n=DEFAULT_MIN_CELL), NOT_AVAILABLE
    delta = row[cols.DELTA_PREVIOUS if period == cols.PERIOD_PREVIOUS else cols.DELTA_YEAR_AGO]
    thin = bool(row[cols.THIN_OF + cols.PERIOD_CURRENT]) or bool(row[cols.THIN_OF + period])
    return judged_change(delta, row[cols.UNIT], row[cols.DIRECTION], ref, labels,
                         clear=bool(row[cols.CLEAR_OF + period]), thin=thin)  # fmt: skip


def kpi_tiles(kpi: pd.DataFrame, labels: Labels, population: str | None = None) -> list[dict]:
    """The tiles of the KPI card, worded.

    ``population``: the calls the standard grades, in words (:func:`~.context.population_text`), named
    on the within-target tile; default "all calls".

    Returns
    -------
    list of dict
        Per KPI: ``label``, ``value`` (calls: the month's count), ``n`` (the denominator in words, with the
        95% interval; calls: the rate per covered day), ``thin`` (bool), and ``lines``: two ``(text,
        state)`` pairs comparing with the previous month and the same month a year before; the state is
        better / worse only for a clear change (:func:`kpi_change`).
    """
    population = population or labels("population.all")
    tiles = []
    for _, row in kpi.iterrows():
        reasons = [c for c in str(row.get(N.NOT_AVAILABLE) or "").split(";") if c]
        if reasons:  # the source cannot record it: not a zero, not a dash, but why
            tiles.append({"label": kpi_label(row, labels), "value": labels("common.not_available"),
                          "n": labels("common.list_sep").join(labels(f"not_available.{c}") for c in reasons),
                          "thin": False, "lines": []})
            continue
        hidden = _suppressed(row, SUPPRESSED_OF + cols.PERIOD_CURRENT)
        lines = []
        for period, delta_col in ((cols.PERIOD_PREVIOUS, cols.DELTA_PREVIOUS), (cols.PERIOD_YEAR_AGO, cols.DELTA_YEAR_AGO)):
            text, state = kpi_change(row, period, labels)
            if not (hidden or _suppressed(row, SUPPRESSED_OF + period)):  # a small cell is never compared
                text = f"{arrow(row[delta_col], labels, row[cols.UNIT])} {text}".strip()
            lines.append((text, state))
        n = row[cols.N_OF + cols.PERIOD_CURRENT]
        per_day = row[cols.UNIT] == cols.UNIT_PER_DAY
        if hidden:
            n_text = labels("kpi_n.suppressed", n=DEFAULT_MIN_CELL)
        elif per_day:
            n_text = labels(f"kpi_n.{row[cols.KPI]}", n=labels.count(n), rate=labels.number(row[cols.PERIOD_CURRENT]),
                            days=labels.count(row[cols.DAYS_OF + cols.PERIOD_CURRENT]))  # fmt: skip
        else:
            n_text = labels(f"kpi_n.{row[cols.KPI]}", n=labels.count(n), population=population)
            if row[cols.KPI] in (cols.KPI_WITHIN_TARGET, cols.KPI_WITHIN_TARGET_OF):  # it starts with the population: "All calls: 97 ..."
                n_text = _sentence(n_text)
        ci = None if hidden else _ci_text(row, cols.PERIOD_CURRENT, labels)
        if ci is not None:
            n_text = labels("kpi_n.ci", text=n_text, range=ci)
        tiles.append(
            {
                "label": kpi_label(row, labels),
                "value": labels.count(n) if per_day else format_value(row[cols.PERIOD_CURRENT], row[cols.UNIT], labels),
                "n": n_text,
                "thin": bool(row[N.THIN]) and not hidden,
                "lines": lines,
            }
        )
    return tiles


def kpi_title(kpi: pd.DataFrame, labels: Labels, population: str | None = None) -> str:
    """E.g. "March 2025: 721 calls (23.3 a day); 62.2% of Priority 1 calls arrived within target; no change
    outside the noise from February".

    The last clause lists the figures whose change from the previous month is clear (better / worse,
    or up / down for calls), else says there is none. Without a target (a standard with no numeric target
    for the interval), the p90 takes the place of the share within target.
    """
    population = population or labels("population.all")
    rows = kpi.set_index(cols.KPI)
    calls_key = cols.KPI_VALID_CALLS if cols.KPI_VALID_CALLS in rows.index else cols.KPI_CALLS
    calls, p90 = rows.loc[calls_key], rows.loc[cols.KPI_P90]
    month = calls[cols.MONTH_OF + cols.PERIOD_CURRENT]
    if _suppressed(calls, SUPPRESSED_OF + cols.PERIOD_CURRENT):
        return labels("title.kpi_suppressed", month=labels.month(month), n=DEFAULT_MIN_CELL,
                      calls_word=labels(f"kpi_word.{calls_key}"))
    ref = labels.ref_month(calls[cols.MONTH_OF + cols.PERIOD_PREVIOUS], month)
    moved = []
    for _, row in kpi.iterrows():
        _, state = kpi_change(row, cols.PERIOD_PREVIOUS, labels)
        if state in (BETTER, WORSE):
            moved.append(labels("common.pair", name=kpi_short(row, labels), value=labels(f"state.{state}")))
        elif state == NEUTRAL:  # a clear change in calls: up or down
            up = row[cols.DELTA_PREVIOUS] > 0
            moved.append(labels("common.pair", name=kpi_short(row, labels), value=labels(f"state.{'up' if up else 'down'}")))
    clear = (labels("title.kpi_clear", ref=ref, changes=labels("common.list_sep").join(moved)) if moved
             else labels("title.kpi_clear_none", ref=ref))  # fmt: skip
    fields = dict(
        month=labels.month(month),
        calls=labels.count(calls[cols.N_OF + cols.PERIOD_CURRENT]),
        calls_word=labels(f"kpi_word.{calls_key}"),
        per_day=labels.number(calls[cols.PERIOD_CURRENT]),
        what=labels.interval(p90[N.INTERVAL], "short"),
        value=labels.number(p90[cols.PERIOD_CURRENT]),
        clear=clear,
        population=population,
    )
    if cols.KPI_WITHIN_TARGET in rows.index:
        within = rows.loc[cols.KPI_WITHIN_TARGET]
        shown = (labels("common.suppressed_value", n=DEFAULT_MIN_CELL)  # the population's calls are 1 to 4
                 if _suppressed(within, SUPPRESSED_OF + cols.PERIOD_CURRENT)
                 else labels.percent(within[cols.PERIOD_CURRENT]))  # fmt: skip
        return labels("title.kpi", within=shown, **fields)
    return labels("title.kpi_no_target", **fields)


def _months_above(rows: pd.DataFrame) -> tuple[int, int]:
    """(months whose p90 is above the segment's target, months with a p90 shown) of one trend segment."""
    shown = rows[rows[cols.P90_MIN].notna()]
    return int((shown[cols.P90_MIN] > shown[cols.TARGET_MIN]).sum()), len(shown)


def trend_title(trend: pd.DataFrame, month: str, labels: Labels, population: str | None = None) -> str:
    """The finding of the twelve months against the target, e.g. "p90 arrival, Priority 1 calls: Urban above
    the 5-min target every month; Suburban above the 10-min target in 9 of 12 months".

    One part per segment with a target: every month (all months with a p90 shown above the target), none
    ("within ... every month"), or ``k of m`` months. A segment of 1 to 4 values in a month has no p90
    there and is not counted. Without any target: the month's p90 and its change from the month before,
    under the noise rule ("p90 arrival 9.7 min in March 2025, 0.8 min more than February, within the noise").
    """
    population = population or labels("population.all")
    interval = trend[N.INTERVAL].iloc[0]
    what = labels.interval(interval, "short")
    parts = []
    for seg in dict.fromkeys(trend[cols.SEGMENT]) if cols.TARGET_MIN in trend else ():
        rows = trend[trend[cols.SEGMENT] == seg]
        target = rows[cols.TARGET_MIN].iloc[0]
        if pd.isna(target):
            continue
        above, shown = _months_above(rows)
        if shown == 0:
            continue
        fields = dict(target=labels.number(target, 0 if target == int(target) else 1), above=labels.count(above),
                      months=labels.count(shown))  # fmt: skip
        if shown < len(rows):  # months without a p90 (no calls, or 1 to 4): "... of the 2 months with data"
            key = "title.trend_some_data"
        else:
            key = "title.trend_every" if above == shown else "title.trend_never" if above == 0 else "title.trend_some"
        text = labels(key, **fields)
        if seg != cols.SEGMENT_ALL:
            text = labels("common.pair", name=labels.segment(rows[cols.SEGMENT_KEY].iloc[0]), value=text)
        parts.append(text)
    if parts:
        return labels("title.trend_targets", what=what, population=population,
                      parts=labels("common.clause_sep").join(parts))  # fmt: skip
    rows = trend[trend[cols.SEGMENT] == cols.SEGMENT_ALL].set_index(N.KEY_MONTH)
    if month in rows.index and _suppressed(rows.loc[month]):
        return labels("title.suppressed", what=what, month=labels.month(month), n=DEFAULT_MIN_CELL)
    if month not in rows.index or rows.at[month, N.N] == 0:
        return labels("title.no_data", what=what, month=labels.month(month))
    previous = shift_month(month, -1)
    value = rows.at[month, cols.P90_MIN]
    ref = labels.ref_month(previous, month)
    if previous in rows.index and _suppressed(rows.loc[previous]):
        text = labels("change.suppressed", ref=ref, n=DEFAULT_MIN_CELL)
    elif previous not in rows.index:
        text, _ = change(float("nan"), cols.UNIT_MIN, cols.LOWER_IS_BETTER, ref, labels)
    else:
        text = _judged(rows.loc[month], rows.loc[previous], value - rows.at[previous, cols.P90_MIN],
                       (cols.P90_MIN, cols.P90_CI_LOW_MIN, cols.P90_CI_HIGH_MIN), N.N, cols.UNIT_MIN,
                       cols.LOWER_IS_BETTER, ref, labels)  # fmt: skip
    return labels("title.trend", what=what, value=labels.number(value), month=labels.month(month), change=text)


def _judged(row, ref_row, delta: float, figures: tuple[str, str, str], n_column: str, unit: str, direction: str,
            ref: str, labels: Labels) -> str:  # fmt: skip
    """A change between two table rows in words, under the noise rule (the rows carry the figure and its CI)."""
    value, low, high = figures
    lo, hi = difference_interval(row.get(value, float("nan")), row.get(low, float("nan")),
                                 row.get(high, float("nan")), ref_row.get(value, float("nan")),
                                 ref_row.get(low, float("nan")), ref_row.get(high, float("nan")))  # fmt: skip
    n1, n0 = row.get(n_column, float("nan")), ref_row.get(n_column, float("nan"))
    thin = not (pd.notna(n1) and pd.notna(n0) and n1 >= DEFAULT_MIN_N and n0 >= DEFAULT_MIN_N)
    text, _ = judged_change(delta, unit, direction, ref, labels, clear=bool(is_clear(lo, hi, n1, n0)), thin=thin)
    return text


def p90_groups_title(table: pd.DataFrame, labels: Labels, population: str | None = None) -> str:
    """E.g. "48 of 48 grids had p90 arrival above target; slowest: 龙文-08网格, 12.5 min".

    Counts groups with a target and a p90; the slowest is the highest p90
    among groups that are not thin (among all, when every group is thin).
    A suppressed group (a small cell: no p90) is never counted or named.
    With ``population`` (the calls graded, in words), the title names it and counts the graded groups that are
    thin ("Priority 1 calls: 47 of 48 grids had p90 arrival above target (43 of them under 30 calls); ...").
    """
    if table.empty:
        return labels("title.population_none", population=population) if population else labels("title.empty")
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
    fields.update(above=labels.count(int(graded[cols.ABOVE_TARGET].sum())), total=labels.count(len(graded)))
    if population is None:
        return labels("title.p90_groups", **fields)
    n_thin = int(graded[N.THIN].sum())
    thin = "" if not n_thin else labels("title.each_thin" if n_thin == len(graded) else "title.all_thin",
                                        count=labels.count(n_thin), n=DEFAULT_MIN_N)  # fmt: skip
    return _sentence(labels("title.p90_groups_population", population=population, thin=thin, **fields))


def _none_shown(table: pd.DataFrame, by: str, labels: Labels) -> str:
    """The title of a group table with no figure to show: every group suppressed, or no data."""
    if cols.SUPPRESSED in table and table[cols.SUPPRESSED].any():
        return labels("title.groups_suppressed", groups=group_word(by, labels), n=DEFAULT_MIN_CELL)
    return labels("title.empty")


def attainment_title(table: pd.DataFrame, month: str | None, labels: Labels, population: str | None = None) -> str:
    """E.g. "Within target in March 2025: 一级 62.2%, 二级 64.0%, 三级 63.1%".

    Uses the ``all`` segment (or the only one), and names every group when there are up
    to four (a suppressed one as "(n<5)"), else the highest and the lowest (never a suppressed one).
    With ``population`` (the calls graded, in words) the title names it; when the population is one
    group (the urgent priority), its segments are named instead: "Within target, March 2025, Priority 1
    calls: 62.2% (Urban 67.9%, Suburban 50.0%)".
    """
    if table.empty:
        return labels("title.population_none", population=population) if population else labels("title.empty")
    seg = cols.SEGMENT_ALL if (table[cols.SEGMENT] == cols.SEGMENT_ALL).any() else table[cols.SEGMENT].iloc[0]
    rows = table[table[cols.SEGMENT] == seg]
    by = rows[cols.BY].iloc[0]
    when = labels.month(month) if month else ""
    if population is not None and len(rows) == 1:
        row = rows.iloc[0]
        value = _shown(row, labels.percent(row[N.SHARE_WITHIN]), labels)
        others = table[table[cols.SEGMENT] != seg]
        if len(others):
            parts = labels("common.list_sep").join(
                labels("common.pair", name=labels.segment(r[cols.SEGMENT_KEY]),
                       value=_shown(r, labels.percent(r[N.SHARE_WITHIN]), labels))
                for _, r in others.iterrows())  # fmt: skip
            value = labels("common.value_parts", value=value, parts=parts)
        return labels("title.attainment_population", month=when, population=population, parts=value)
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
    if population is not None:
        return labels("title.attainment_population", month=when, population=population, parts=parts_text)
    return labels("title.attainment", month=when, parts=parts_text)


def hours_title(block: pd.DataFrame, profile: pd.DataFrame, span: str, labels: Labels) -> str:
    """The hour pattern of a window, never one cell: e.g. "Calls peak 16:00–22:00: 37.1% of calls in those 6
    hours (an even spread gives 25.0%); median arrival by hour 4.9–5.6 min".

    ``block``: :func:`~..tables.busiest_hours`; ``profile``: :func:`~..tables.hour_profile` (its hours that
    are not thin give the range of medians). A block whose share is not clearly above the even share reads
    "No clear peak: ..."; with fewer than :data:`~..tables.MIN_CALLS_FOR_HOURS` calls in all, "Only 40 calls
    over ...: too few for an hour pattern"; a suppressed block is not described.
    """
    b = block.iloc[0]
    if bool(b[cols.FEW]):
        return labels("title.hours_few", n=labels.count(b[cols.TOTAL]), span=span)
    if _suppressed(b):
        return labels("title.empty")
    fields = dict(start=f"{int(b[cols.HOUR_START]):02d}", end=f"{int(b[cols.HOUR_END]):02d}",
                  hours=labels.count(b[cols.HOURS_IN_BLOCK]), share=labels.percent(b[cols.SHARE]),
                  even=labels.percent(b[cols.EVEN_SHARE]))  # fmt: skip
    text = labels("title.hours_peak" if bool(b[cols.CLEAR]) else "title.hours_flat", **fields)
    solid = profile[~profile[N.THIN].astype(bool) & profile[cols.MEDIAN_MIN].notna()]
    if len(solid):
        medians = labels("title.hours_median", what=labels.interval(profile[N.INTERVAL].iloc[0], "short"),
                         low=labels.number(solid[cols.MEDIAN_MIN].min()),
                         high=labels.number(solid[cols.MEDIAN_MIN].max()))  # fmt: skip
        text = labels("common.clause_sep").join([text, medians])
    return text


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
    """E.g. "Arrest rate 3.5% in March 2025 (20 of 578), 1.0 pts higher than February, within the noise; 80.0%
    caught in the act" (the change under the noise rule, from the months' Wilson intervals)."""
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
    elif previous not in rows.index:
        text, _ = change(delta, cols.UNIT_SHARE, cols.HIGHER_IS_BETTER, ref, labels)
    else:
        text = _judged(rows.loc[month], rows.loc[previous], delta,
                       (N.ARREST_RATE, cols.ARREST_RATE_CI_LOW, cols.ARREST_RATE_CI_HIGH), N.ELIGIBLE,
                       cols.UNIT_SHARE, cols.HIGHER_IS_BETTER, ref, labels)  # fmt: skip
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


def arrest_types_title(table: pd.DataFrame, concentration: pd.DataFrame, span: str, labels: Labels) -> str:
    """E.g. "Arrest rate by call type, April 2024 – March 2025: highest Robbery, 20.3% (12 of 59); 6 of 12 call
    types had no arrest".

    ``table``: :func:`~..tables.outcomes_by` by a group column; ``concentration``:
    :func:`~..tables.arrest_concentration` of the same rows. The highest rate is taken among the groups with
    an arrest that are not thin (among all the groups with an arrest, when each of them is thin) and is never
    a suppressed group; a window without any arrest says so instead of ranking zeros.
    """
    by = table[cols.BY].iloc[0] if len(table) else ""
    c = concentration.iloc[0]
    if _suppressed(c):
        return _none_shown(table, by, labels)
    if pd.isna(c[N.ELIGIBLE]) or c[N.ELIGIBLE] == 0:
        return labels("title.empty")
    if c[N.ARRESTS] == 0:
        return labels("title.arrest_types_none", span=span, eligible=labels.count(c[N.ELIGIBLE]))
    shown = table[table[N.ARREST_RATE].notna() & (table[N.ARRESTS] > 0)]
    solid = shown[~shown[N.THIN]]
    pool = solid if len(solid) else shown
    if pool.empty:
        return _none_shown(table, by, labels)
    top = pool.loc[pool[N.ARREST_RATE].idxmax()]
    without = int(c[cols.GROUPS]) - int(c[cols.GROUPS_WITH_ARRESTS])
    fields = dict(span=span, name=labels.value(by, top[cols.GROUP]), rate=labels.percent(top[N.ARREST_RATE]),
                  arrests=labels.count(top[N.ARRESTS]), eligible=labels.count(top[N.ELIGIBLE]),
                  without=labels.count(without), types=labels.count(c[cols.GROUPS]), groups=group_word(by, labels))  # fmt: skip
    return labels("title.arrest_types" if without else "title.arrest_types_all", **fields)


def arrest_focus_title(concentration: pd.DataFrame, labels: Labels) -> str:
    """The undiluted rate beside the overall one, e.g. "7.3% among the 6 call types with an arrest (279 of 3,808);
    3.7% over all eligible incidents" (:func:`~..tables.arrest_concentration`); a plain panel name when
    there is no arrest or the rate is suppressed."""
    c = concentration.iloc[0]
    if pd.isna(c[cols.RATE_WITH_ARRESTS]) or not c[N.ARRESTS]:
        return labels("chart.types_panel_none")
    return labels("chart.types_panel", rate=labels.percent(c[cols.RATE_WITH_ARRESTS]),
                  count=labels.count(c[cols.GROUPS_WITH_ARRESTS]), groups=group_word(c[cols.BY], labels),
                  arrests=labels.count(c[N.ARRESTS]), eligible=labels.count(c[cols.ELIGIBLE_WITH_ARRESTS]),
                  overall=labels.percent(c[N.ARREST_RATE]))  # fmt: skip


def time_to_arrest_title(summary: pd.DataFrame, labels: Labels) -> str:
    """From an ungrouped outcomes_by: "Median 0.4 h from dispatch to arrest, mean 17.2 h (n=339); 80.8% caught in the act"."""
    row = summary.iloc[0]
    if pd.isna(row[N.N_HOURS_TO_ARREST]) or row[N.N_HOURS_TO_ARREST] == 0 or pd.isna(row[N.MEDIAN_HOURS_TO_ARREST]):
        return labels("title.time_to_arrest_none")  # no timed arrest, or 1 to 4 of them (blanked)
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
