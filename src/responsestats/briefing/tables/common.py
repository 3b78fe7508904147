"""Helpers shared by the table families: units, display order of groups, the segments of a standard, suppression."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ... import schema as S
from ...metrics import INTERVALS, Standard, load_standard
from ...metrics.standards import Target
from ..columns import SEGMENT_ALL, SUPPRESSED

SECONDS_PER_MINUTE = 60.0
SECONDS_PER_HOUR = 3600.0
#: Cells counting fewer incidents than this (but at least one) are suppressed
#: in briefing tables and charts, as public statistics do (values set to NaN,
#: ``suppressed`` True). 0 turns suppression off.
#:
#: Every table of a group (district / grid, priority, call type, area class,
#: month, weekday x hour cell, a standard's target, a KPI's month) applies it
#: with :func:`suppress_figures`: a figure is blanked, with the count it rests
#: on, when that count is 1 to ``DEFAULT_MIN_CELL - 1``. The count is the
#: figure's own base: the values a time (median, p90) is computed from, the
#: calls graded for a share within target, the eligible incidents of an arrest
#: rate, the arrests of the caught-in-the-act share, the timed arrests of the
#: hours to arrest, the calls of a heatmap cell. A numerator under 5 is shown
#: when its base is 5 or more (``2 of 40`` arrests), as rates are published;
#: distributions of a whole population (the time-to-arrest bins, the
#: Kaplan-Meier curve) and data-quality counts (rows of files) are no group
#: and are not suppressed. Charts draw a suppressed cell as ``<5`` (the
#: catalogue's ``chart.suppressed_cell``), never as a bar or a point, and
#: titles never name one as the slowest, fastest or highest.
DEFAULT_MIN_CELL = 5


def headline_interval(standard: str | Standard) -> str:
    """The interval a briefing leads with: the last one (in response order) the standard grades.

    ``cn110``: dispatch_to_arrival_s; ``nfpa1710``: travel_s; ``nfpa1221-2016``: call_processing_s.
    """
    std = load_standard(standard)
    order = list(INTERVALS)
    return max(std.intervals, key=order.index)


_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def priority_rank(value: object) -> tuple[float, str]:
    """Sort key of a priority code: its first number (digits or a Chinese numeral), then the text.

    ``"一级" < "二级" < "三级"``, ``"P1" < "P2" < "P10"``; codes without a number sort last.
    """
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    m = re.search(r"\d+", text)
    if m:
        return float(m.group()), text
    for ch in text:
        if ch in _CN_DIGITS:
            return float(_CN_DIGITS[ch]), text
    return float("inf"), text


def sort_groups(values: Iterable[object], by: str) -> list[object]:
    """Group values in display order: priorities by rank, area classes urban to rural, anything else as text."""
    values = list(dict.fromkeys(values))
    if by == S.PRIORITY:
        return sorted(values, key=priority_rank)
    if by == S.AREA_CLASS:
        known = {a: i for i, a in enumerate(S.AREA_CLASSES)}
        return sorted(values, key=lambda v: (known.get(v, len(known)), str(v)))
    return sorted(values, key=lambda v: (v is None, str(v)))


def minutes(seconds) -> np.ndarray:
    return np.asarray(seconds, dtype="float64") / SECONDS_PER_MINUTE


def segment_key(target: Target | None) -> str:
    """``"all"``; ``"<column>:<value>"`` for a target on one value of one column; else the target's label."""
    if target is None:
        return SEGMENT_ALL
    if len(target.when) == 1 and not target.when[0].negate and len(target.when[0].values) == 1:
        cond = target.when[0]
        return f"{cond.column}:{next(iter(cond.values))}"
    return target.label or target.id


def target_segments(df: pd.DataFrame, std: Standard, interval: str) -> list[tuple[str, str, np.ndarray, float]]:
    """(segment id, segment key, row mask, target [s] or NaN) of each panel of a trend or attainment view.

    One segment per numeric target of ``interval`` that applies to some row,
    after an ``all`` segment; a single target that applies to every row is
    shown as ``all`` with its target.
    """
    everything = np.ones(len(df), dtype=bool)
    found = []
    for target in std.targets_for(interval):
        if target.target_s is None:
            continue
        mask = target.applies(df)
        if mask.any():
            found.append((target.id, segment_key(target), mask, float(target.target_s)))
    if len(found) == 1 and found[0][2].all():
        return [(SEGMENT_ALL, SEGMENT_ALL, everything, found[0][3])]
    return [(SEGMENT_ALL, SEGMENT_ALL, everything, float("nan"))] + found


def suppress_small_cells(table: pd.DataFrame, count: str, values: Sequence[str],
                         min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:  # fmt: skip
    """Blank the cells that rest on 1 to ``min_cell - 1`` incidents.

    Parameters
    ----------
    table : pandas.DataFrame
        A briefing table with one count column.
    count : str
        The column counting the incidents behind each row.
    values : sequence of str
        Columns set to NaN in suppressed rows (the count itself included if listed).
    min_cell : int
        Smallest count shown; 0 or 1 shows everything.

    Returns
    -------
    pandas.DataFrame
        A copy with a boolean ``suppressed`` column. Zero counts are not suppressed
        (an empty cell discloses nobody).
    """
    out = table.copy()
    n = out[count].to_numpy(dtype="float64")
    hide = (n > 0) & (n < min_cell)
    for col in values:
        out[col] = out[col].astype("float64").where(~hide)
    out[SUPPRESSED] = hide
    return out


def small_cells(counts, min_cell: int = DEFAULT_MIN_CELL) -> np.ndarray:
    """Counts from 1 to ``min_cell - 1`` (the cells suppressed) [bool]; NaN and 0 are not small."""
    n = pd.to_numeric(pd.Series(counts), errors="coerce").to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        return (n > 0) & (n < min_cell)


def _blank(values: pd.Series, hide: np.ndarray) -> pd.Series:
    """``values`` with the rows of ``hide`` blanked: NaN for numbers, NA for flags."""
    flags = values.dropna()
    is_flag = len(flags) and flags.map(lambda v: isinstance(v, (bool, np.bool_))).all()
    if pd.api.types.is_bool_dtype(values) or is_flag:
        return values.astype("boolean").mask(hide, pd.NA)
    try:
        return values.astype("float64").where(~hide)
    except (TypeError, ValueError):  # not numbers: blanked as missing
        return values.mask(hide)


def suppress_figures(table: pd.DataFrame, rules: Sequence[tuple[str, Sequence[str], bool]],
                     min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:  # fmt: skip
    """Blank the figures of a table that rest on 1 to ``min_cell - 1`` incidents, rule by rule.

    Parameters
    ----------
    table : pandas.DataFrame
        A briefing table.
    rules : sequence of (str, sequence of str, bool)
        ``(count, columns, flag)``: where ``count`` is small (:func:`small_cells`), ``columns`` are
        blanked (NaN; NA for flags); with ``flag``, the row's ``suppressed`` is set too (the row's main
        figure is hidden: charts draw ``<5``). Every count is read before anything is blanked.
    min_cell : int
        Smallest count shown; 0 or 1 shows everything.

    Returns
    -------
    pandas.DataFrame
        A copy with a boolean ``suppressed`` column (kept True where it already was).
    """
    out = table.copy()
    flagged = out[SUPPRESSED].to_numpy(dtype=bool) if SUPPRESSED in out else np.zeros(len(out), dtype=bool)
    hides = [(small_cells(out[count], min_cell), columns, flag) for count, columns, flag in rules]
    for hide, columns, flag in hides:
        if not hide.any():
            continue
        for col in columns:
            out[col] = _blank(out[col], hide)
        if flag:
            flagged = flagged | hide
    out[SUPPRESSED] = flagged
    return out
