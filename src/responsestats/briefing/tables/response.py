"""Response-time tables: the monthly trend, groups against their targets, attainment, weekday x hour, segments, ECDFs.

Every function takes a canonical frame, as :func:`responsestats.store.read_calls`
returns it, and returns a tidy :class:`pandas.DataFrame` whose columns are the
constants of :mod:`..columns` or of :mod:`responsestats.metrics.names`. The
definitions (exclusions, levels, percentiles, targets) stay in
:mod:`responsestats.metrics`; these functions filter, reshape and convert units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from ... import schema as S
from ...metrics import (
    DEFAULT_MIN_N,
    Standard,
    attainment,
    compute_intervals,
    exclusion_reasons,
    incident_level,
    load_standard,
    summarize,
    wilson_interval,
)
from ...metrics import names as N
from ...metrics.ladders import LADDER_COLUMNS, ladder
from ..columns import (
    ABOVE_TARGET,
    BY,
    CALLS,
    CLEAR,
    ECDF,
    EVEN_SHARE,
    FEW,
    GROUP,
    HOUR_END,
    HOUR_START,
    HOURS_IN_BLOCK,
    MEDIAN_CI_HIGH_MIN,
    MEDIAN_CI_LOW_MIN,
    MEDIAN_MIN,
    P90_CI_HIGH_MIN,
    P90_CI_LOW_MIN,
    P90_MIN,
    PANEL_TOTAL,
    SEGMENT,
    SEGMENT_ALL,
    SEGMENT_INTERVALS,
    SEGMENT_KEY,
    SHARE,
    SHARE_CI_HIGH,
    SHARE_CI_LOW,
    SUPPRESSED,
    TARGET_MIN,
    TOTAL,
    VALUE_MIN,
)
from ..months import in_months, parse_month
from .common import (
    DEFAULT_MIN_CELL,
    SECONDS_PER_MINUTE,
    headline_interval,
    minutes,
    segment_key,
    small_cells,
    sort_groups,
    suppress_figures,
    suppress_small_cells,
    target_segments,
)

#: The figures of a time summary that rest on its values (``n``): blanked together (see :func:`suppress_figures`).
_TIME_FIGURES = (N.N, MEDIAN_MIN, P90_MIN, P90_CI_LOW_MIN, P90_CI_HIGH_MIN, N.WITHIN_TARGET_SHARE)
#: The figures of a share within target that rest on the calls graded (``n``).
_SHARE_FIGURES = (N.N, N.N_WITHIN, N.SHARE_WITHIN, SHARE_CI_LOW, SHARE_CI_HIGH)
#: Hours in the busiest block of the hour profile (:func:`busiest_hours`): a quarter of the day.
BLOCK_HOURS = 6
#: Fewer calls than this in all (5 an hour on average) are too few for an hour pattern [count].
MIN_CALLS_FOR_HOURS = 24 * DEFAULT_MIN_CELL


def monthly_trend(
    df: pd.DataFrame,
    months: Sequence[str],
    standard: str | Standard,
    interval: str | None = None,
    min_n: int = DEFAULT_MIN_N,
    min_cell: int = DEFAULT_MIN_CELL,
) -> pd.DataFrame:
    """Median and 90th percentile per month, overall and per target of the standard.

    Returns
    -------
    pandas.DataFrame
        One row per segment x month (every month of ``months``, in order):
        ``segment`` (``all`` or a target id), ``segment_key`` (see
        :func:`~.common.segment_key`), ``target_min`` (NaN: no single target),
        ``month``, ``interval``, ``n``, ``median_min``, ``p90_min``,
        ``p90_ci_low_min``, ``p90_ci_high_min``, ``within_target_share``,
        ``thin`` (also for months without values) and ``suppressed`` (1 to
        ``min_cell - 1`` values: the figures and ``n`` blanked, see
        :func:`~.common.suppress_figures`).
    """
    std = load_standard(standard)
    interval = interval or headline_interval(std)
    months = [parse_month(m) for m in months]
    sub = in_months(df, months)
    frames = []
    for seg, key, mask, target_s in target_segments(sub, std, interval):
        part = sub[mask]
        if seg == SEGMENT_ALL and np.isnan(target_s):
            s = summarize(part, interval, by=N.KEY_MONTH, standard=std, min_n=min_n)
        else:
            s = summarize(part, interval, by=N.KEY_MONTH, target_s=target_s, min_n=min_n)
        s = s.set_index(N.KEY_MONTH).reindex(months)
        frames.append(
            pd.DataFrame(
                {
                    SEGMENT: seg,
                    SEGMENT_KEY: key,
                    TARGET_MIN: target_s / SECONDS_PER_MINUTE,
                    N.KEY_MONTH: months,
                    N.INTERVAL: interval,
                    N.N: s[N.N].fillna(0).astype("int64").to_numpy(),
                    MEDIAN_MIN: minutes(s[N.MEDIAN_S]),
                    P90_MIN: minutes(s[N.P90_S]),
                    P90_CI_LOW_MIN: minutes(s[N.P90_CI_LOW_S]),
                    P90_CI_HIGH_MIN: minutes(s[N.P90_CI_HIGH_S]),
                    N.WITHIN_TARGET_SHARE: s[N.WITHIN_TARGET_SHARE].to_numpy(dtype="float64"),
                    N.THIN: s[N.THIN].astype("boolean").fillna(True).to_numpy(dtype=bool),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    return suppress_figures(out, [(N.N, _TIME_FIGURES, True)], min_cell)


def p90_by_group(
    df: pd.DataFrame,
    standard: str | Standard,
    by: str = S.DISTRICT,
    interval: str | None = None,
    min_n: int = DEFAULT_MIN_N,
    limit: int | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
) -> pd.DataFrame:
    """90th percentile per group (e.g. district / grid), against each group's target.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``by`` (the column), ``group``, ``interval``,
        ``n``, ``median_min``, ``p90_min``, ``p90_ci_low_min``,
        ``p90_ci_high_min``, ``target_min`` (NaN when the group's rows have no
        single target), ``within_target_share``, ``above_target`` (p90 above
        the target), ``thin``, ``suppressed`` (1 to ``min_cell - 1`` values:
        the figures and ``n`` blanked, never above target) and ``panel_total``
        (groups sharing this target). Sorted by target (groups without one
        last), then slowest p90 first (suppressed groups last); with ``limit``,
        only the slowest ``limit`` of each target. Only the calls of the standard's population
        (``Standard.population``, e.g. the urgent calls of ``cn110``) are counted: the p90 is graded
        against the target.
    """
    std = load_standard(standard)
    interval = interval or headline_interval(std)
    df = df[std.in_population(df)]
    s = summarize(df, interval, by=by, standard=std, min_n=min_n)
    out = pd.DataFrame(
        {
            BY: by,
            GROUP: s[by].to_numpy(),
            N.INTERVAL: interval,
            N.N: s[N.N].to_numpy(),
            MEDIAN_MIN: minutes(s[N.MEDIAN_S]),
            P90_MIN: minutes(s[N.P90_S]),
            P90_CI_LOW_MIN: minutes(s[N.P90_CI_LOW_S]),
            P90_CI_HIGH_MIN: minutes(s[N.P90_CI_HIGH_S]),
            TARGET_MIN: minutes(s[N.TARGET_S]),
            N.WITHIN_TARGET_SHARE: s[N.WITHIN_TARGET_SHARE].to_numpy(dtype="float64"),
            N.THIN: s[N.THIN].to_numpy(dtype=bool),
        }
    )
    out = suppress_figures(out, [(N.N, _TIME_FIGURES, True)], min_cell)
    out[ABOVE_TARGET] = (out[P90_MIN] > out[TARGET_MIN]).to_numpy(dtype=bool)
    out["_no_target"] = out[TARGET_MIN].isna()
    out["_no_p90"] = out[P90_MIN].isna()
    out = out.sort_values(["_no_target", TARGET_MIN, "_no_p90", P90_MIN, GROUP],
                          ascending=[True, True, True, False, True], kind="stable")  # fmt: skip
    panel = out[TARGET_MIN].fillna(-1.0)
    out[PANEL_TOTAL] = panel.map(panel.value_counts()).astype("int64")
    out = out.drop(columns=["_no_target", "_no_p90"]).reset_index(drop=True)
    return out if limit is None else slowest_per_panel(out, limit)


#: Groups drawn per panel of the district chart at most [count]: the slowest, the rest counted in the panel's
#: title ("40 of 585 grids"), so that a dataset of thousands of beats still gives a readable chart in seconds.
MAX_GROUPS_SHOWN = 40


def slowest_per_panel(table: pd.DataFrame, limit: int = MAX_GROUPS_SHOWN) -> pd.DataFrame:
    """The first ``limit`` rows of each target's panel of a :func:`p90_by_group` table (its slowest groups;
    suppressed ones come last), ``panel_total`` still counting every group of the panel."""
    panel = table[TARGET_MIN].fillna(-1.0)
    return table[table.groupby(panel, sort=False).cumcount().to_numpy() < limit].reset_index(drop=True)


def attainment_by(
    df: pd.DataFrame,
    standard: str | Standard,
    by: str = S.PRIORITY,
    interval: str | None = None,
    min_n: int = DEFAULT_MIN_N,
    min_cell: int = DEFAULT_MIN_CELL,
) -> pd.DataFrame:
    """Share within target per group (e.g. priority), overall and per target.

    Returns
    -------
    pandas.DataFrame
        One row per group x segment: ``by``, ``group`` (priorities in rank
        order), ``segment``, ``segment_key``, ``target_min`` (NaN for ``all``
        when the targets differ), ``required_share``, ``n`` (values graded),
        ``n_within``, ``share_within``, ``share_ci_low`` / ``share_ci_high``
        (Wilson 95%), ``thin``, ``suppressed`` (1 to ``min_cell - 1`` calls
        graded: the share, its interval, ``n`` and ``n_within`` blanked). The
        ``all`` segment grades each value against its own row's target
        (:func:`metrics.summarize`); the others come from
        :func:`metrics.attainment`. Only the groups of the standard's population
        (``Standard.population``) are listed: the others are not graded.
    """
    std = load_standard(standard)
    interval = interval or headline_interval(std)
    df = df[std.in_population(df)]
    segments = target_segments(df, std, interval)
    keys = {seg: (key, target_s) for seg, key, _, target_s in segments}
    rows = []
    if SEGMENT_ALL in keys:
        key, target_s = keys[SEGMENT_ALL]
        s = summarize(df, interval, by=by, standard=std, min_n=min_n)
        shares = {t.required_share for t in std.targets_for(interval) if t.target_s is not None}
        common = shares.pop() if len(shares) == 1 else None
        for _, r in s.iterrows():
            n = int(r[N.N_TARGET])
            share = float(r[N.WITHIN_TARGET_SHARE])
            rows.append({BY: by, GROUP: r[by], SEGMENT: SEGMENT_ALL, SEGMENT_KEY: key,
                         TARGET_MIN: target_s / SECONDS_PER_MINUTE,
                         N.REQUIRED_SHARE: np.nan if common is None else common,
                         N.N: n, N.N_WITHIN: int(round(share * n)) if n else 0, N.SHARE_WITHIN: share})  # fmt: skip
    others = [seg for seg in keys if seg != SEGMENT_ALL]
    if others:
        a = attainment(df, std, by=by)
        a = a[a[N.TARGET_ID].isin(others) & (a[N.N_POPULATION] > 0)]
        for _, r in a.iterrows():
            rows.append({BY: by, GROUP: r[by], SEGMENT: r[N.TARGET_ID], SEGMENT_KEY: keys[r[N.TARGET_ID]][0],
                         TARGET_MIN: float(r[N.TARGET_S]) / SECONDS_PER_MINUTE,
                         N.REQUIRED_SHARE: float(r[N.REQUIRED_SHARE]), N.N: int(r[N.N]),
                         N.N_WITHIN: int(r[N.N_WITHIN]) if pd.notna(r[N.N_WITHIN]) else 0,
                         N.SHARE_WITHIN: float(r[N.SHARE_WITHIN])})  # fmt: skip
    columns = [BY, GROUP, SEGMENT, SEGMENT_KEY, TARGET_MIN, N.REQUIRED_SHARE, N.N, N.N_WITHIN, N.SHARE_WITHIN]
    out = pd.DataFrame(rows, columns=columns)
    low, high = wilson_interval(out[N.N_WITHIN].to_numpy(), out[N.N].to_numpy())
    out[SHARE_CI_LOW], out[SHARE_CI_HIGH] = low, high
    out[N.THIN] = (out[N.N] < min_n).to_numpy(dtype=bool)
    order = {g: i for i, g in enumerate(sort_groups(out[GROUP], by))}
    seg_order = {seg: i for i, seg in enumerate(keys)}
    out = out.assign(_g=out[GROUP].map(order), _s=out[SEGMENT].map(seg_order))
    out = out.sort_values(["_g", "_s"], kind="stable").drop(columns=["_g", "_s"])
    out[N.N] = out[N.N].astype("int64")
    out[N.N_WITHIN] = out[N.N_WITHIN].astype("int64")
    out = suppress_figures(out, [(N.N, _SHARE_FIGURES, True)], min_cell)
    return out.reset_index(drop=True)


def hour_weekday(df: pd.DataFrame, interval: str, min_n: int = DEFAULT_MIN_N,
                 min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:  # fmt: skip
    """Calls and response per local weekday x hour: all 7 x 24 cells.

    Returns
    -------
    pandas.DataFrame
        168 rows, Monday 00 h first: ``weekday`` (0 = Monday), ``hour``,
        ``calls`` (incidents received; NaN when suppressed), ``interval``,
        ``n`` (values used), ``median_min``, ``p90_min``, ``thin``
        (``n < min_n``) and ``suppressed`` (1 to ``min_cell - 1`` calls in the
        cell: calls and times blanked, see :func:`suppress_small_cells`). The
        times of a cell with 1 to ``min_cell - 1`` values are blanked too, with
        ``n`` (NaN ``n``: the cell's times are suppressed).
    """
    s = summarize(df, interval, by=[N.KEY_WEEKDAY, N.KEY_HOUR], min_n=min_n)
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=[N.KEY_WEEKDAY, N.KEY_HOUR])
    if len(s):
        s = s.assign(**{N.KEY_WEEKDAY: s[N.KEY_WEEKDAY].astype("int64"), N.KEY_HOUR: s[N.KEY_HOUR].astype("int64")})
    s = s.set_index([N.KEY_WEEKDAY, N.KEY_HOUR]).reindex(grid)
    n = s[N.N].fillna(0).astype("int64").to_numpy()
    out = pd.DataFrame(
        {
            N.KEY_WEEKDAY: grid.get_level_values(0).astype("int64"),
            N.KEY_HOUR: grid.get_level_values(1).astype("int64"),
            CALLS: n + s[N.N_EXCLUDED].fillna(0).astype("int64").to_numpy(),
            N.INTERVAL: interval,
            N.N: n,
            MEDIAN_MIN: minutes(s[N.MEDIAN_S]),
            P90_MIN: minutes(s[N.P90_S]),
        }
    )
    out[N.THIN] = out[N.N] < min_n
    out = suppress_figures(out, [(N.N, [N.N, MEDIAN_MIN, P90_MIN], False)], min_cell)
    return suppress_small_cells(out, CALLS, [CALLS, MEDIAN_MIN, P90_MIN], min_cell)


def hour_profile(df: pd.DataFrame, interval: str, min_n: int = DEFAULT_MIN_N,
                 min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:  # fmt: skip
    """Calls and the median response per local hour of the day (every weekday pooled): 24 rows.

    Returns
    -------
    pandas.DataFrame
        ``hour`` (0-23), ``calls`` (incidents received), ``share`` (of all the frame's incidents),
        ``interval``, ``n`` (values used), ``median_min`` with its 95% interval ``median_ci_low_min`` /
        ``median_ci_high_min`` (order statistics, :func:`metrics.summarize`), ``thin`` (``n < min_n``) and
        ``suppressed`` (1 to ``min_cell - 1`` calls in the hour: calls and share blanked). The times of an
        hour with 1 to ``min_cell - 1`` values are blanked, with ``n``.
    """
    s = summarize(df, interval, by=N.KEY_HOUR, min_n=min_n)
    hours = pd.Index(range(24), name=N.KEY_HOUR)
    if len(s):
        s = s.assign(**{N.KEY_HOUR: s[N.KEY_HOUR].astype("int64")})
    s = s.set_index(N.KEY_HOUR).reindex(hours)
    n = s[N.N].fillna(0).astype("int64").to_numpy()
    calls = n + s[N.N_EXCLUDED].fillna(0).astype("int64").to_numpy()
    total = calls.sum()
    out = pd.DataFrame(
        {
            N.KEY_HOUR: np.arange(24, dtype="int64"),
            CALLS: calls,
            SHARE: calls / total if total else np.full(24, np.nan),
            N.INTERVAL: interval,
            N.N: n,
            MEDIAN_MIN: minutes(s[N.MEDIAN_S]),
            MEDIAN_CI_LOW_MIN: minutes(s[N.MEDIAN_CI_LOW_S]),
            MEDIAN_CI_HIGH_MIN: minutes(s[N.MEDIAN_CI_HIGH_S]),
        }
    )
    out[N.THIN] = out[N.N] < min_n
    return suppress_figures(out, [(N.N, [N.N, MEDIAN_MIN, MEDIAN_CI_LOW_MIN, MEDIAN_CI_HIGH_MIN], False),
                                  (CALLS, [CALLS, SHARE], True)], min_cell)  # fmt: skip


def busiest_hours(df: pd.DataFrame, hours: int = BLOCK_HOURS, min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:
    """The ``hours`` consecutive local hours (wrapping past midnight) that hold the most calls.

    A finding about a block of hours, not one weekday-and-hour cell: the block is clear when the lower
    end of the 95% Wilson interval of its share lies above the share an even spread would give
    (``hours / 24``); ties go to the earliest start.

    Returns
    -------
    pandas.DataFrame
        One row: ``hour_start``, ``hour_end`` (exclusive; ``(hour_start + hours) % 24``), ``hours``,
        ``calls`` (incidents in the block), ``total`` (incidents), ``share``, ``share_ci_low``,
        ``share_ci_high``, ``even_share``, ``clear``, ``few`` (``total < MIN_CALLS_FOR_HOURS``: too few
        for an hour pattern, never clear) and ``suppressed`` (1 to ``min_cell - 1`` calls in the block:
        its figures blanked).
    """
    counts = hour_profile(df, N.RESPONSE_S, min_cell=0)[CALLS].to_numpy(dtype="int64")
    total = int(counts.sum())
    sums = np.array([counts[(start + np.arange(hours)) % 24].sum() for start in range(24)])
    start = int(np.argmax(sums))
    k = int(sums[start])
    low, high = wilson_interval(k, total)
    few = total < MIN_CALLS_FOR_HOURS
    even = hours / 24.0
    out = pd.DataFrame(
        {
            HOUR_START: [start], HOUR_END: [(start + hours) % 24], HOURS_IN_BLOCK: [hours], CALLS: [k],
            TOTAL: [total], SHARE: [k / total if total else np.nan], SHARE_CI_LOW: [float(low)],
            SHARE_CI_HIGH: [float(high)], EVEN_SHARE: [even], CLEAR: [bool(not few and float(low) > even)],
            FEW: [few],
        }
    )  # fmt: skip
    return suppress_figures(out, [(CALLS, [CALLS, SHARE, SHARE_CI_LOW, SHARE_CI_HIGH], True)], min_cell)


def segment_medians(
    df: pd.DataFrame, by: str = N.KEY_MONTH, groups: Sequence[str] | None = None, min_n: int = DEFAULT_MIN_N,
    min_cell: int = DEFAULT_MIN_CELL,
) -> pd.DataFrame:  # fmt: skip
    """Median of each segment of the response (call processing, turnout, travel) and of the whole.

    Medians of segments do not add up to the median of the whole response;
    the table has both so that a chart can show the gap.

    Returns
    -------
    pandas.DataFrame
        One row per group x interval (the three segments, then
        ``response_s``): ``by``, ``group``, ``interval``, ``n``,
        ``median_min``, ``thin``, ``suppressed`` (1 to ``min_cell - 1``
        values: the median and ``n`` blanked). With ``groups``, exactly those
        groups in that order (missing ones with ``n = 0``).
    """
    intervals = [*SEGMENT_INTERVALS, N.RESPONSE_S]
    s = summarize(df, intervals, by=by, min_n=min_n)
    if groups is None:
        groups = sort_groups(s[by], by)
    frames = []
    for interval in intervals:
        part = s[s[N.INTERVAL] == interval].set_index(by).reindex(list(groups))
        frames.append(
            pd.DataFrame(
                {
                    BY: by,
                    GROUP: list(groups),
                    N.INTERVAL: interval,
                    N.N: part[N.N].fillna(0).astype("int64").to_numpy(),
                    MEDIAN_MIN: minutes(part[N.MEDIAN_S]),
                    N.THIN: part[N.THIN].astype("boolean").fillna(True).to_numpy(dtype=bool),
                }
            )
        )
    return suppress_figures(pd.concat(frames, ignore_index=True), [(N.N, [N.N, MEDIAN_MIN], True)], min_cell)


def _included(df: pd.DataFrame, interval: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Incident-level frame and the interval's values [s] where they are used (NaN where excluded)."""
    frame = incident_level(df)
    values = compute_intervals(frame, interval)[interval].to_numpy(dtype="float64")
    reasons = exclusion_reasons(frame, interval)[interval]
    used = reasons.isna().to_numpy()
    return frame, np.where(used, values, np.nan)


def ecdf(df: pd.DataFrame, interval: str, by: str | None = None, min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:
    """Empirical distribution of an interval's used values, per group.

    The values are those :func:`metrics.summarize` uses at incident level
    (same exclusions and caps), so its median and p90 sit on these curves.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``group`` (``all`` without ``by``), ``interval``,
        ``value_min`` ascending within each group, ``ecdf`` (share of the
        group's values at or below it), ``n``, ``suppressed``. A group of 1 to
        ``min_cell - 1`` values has one row, ``suppressed``, with no value,
        share or ``n`` (its values are never listed).
    """
    frame, values = _included(df, interval)
    groups = frame[by].astype("object") if by else pd.Series(SEGMENT_ALL, index=frame.index, dtype="object")
    frames = []
    for group in sort_groups(groups.dropna(), by or ""):
        v = np.sort(values[(groups == group).to_numpy() & ~np.isnan(values)])
        if small_cells([v.size], min_cell)[0]:
            frames.append(pd.DataFrame({BY: [by or ""], GROUP: [group], N.INTERVAL: interval, VALUE_MIN: np.nan,
                                        ECDF: np.nan, N.N: np.nan, SUPPRESSED: True}))  # fmt: skip
            continue
        frames.append(
            pd.DataFrame(
                {BY: by or "", GROUP: group, N.INTERVAL: interval, VALUE_MIN: minutes(v),
                 ECDF: np.arange(1, v.size + 1) / max(v.size, 1), N.N: v.size, SUPPRESSED: False}  # fmt: skip
            )
        )
    columns = [BY, GROUP, N.INTERVAL, VALUE_MIN, ECDF, N.N, SUPPRESSED]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def interval_summary(
    df: pd.DataFrame, interval: str, by: str | None = None, standard: str | Standard | None = None,
    min_n: int = DEFAULT_MIN_N, min_cell: int = DEFAULT_MIN_CELL,
) -> pd.DataFrame:  # fmt: skip
    """:func:`metrics.summarize` of one interval, in minutes, groups in display order.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``group`` (``all`` without ``by``), ``interval``, ``n``,
        ``n_excluded``, ``median_min``, ``p90_min``, ``p90_ci_low_min``,
        ``p90_ci_high_min``, ``target_min``, ``within_target_share``, ``thin``,
        ``suppressed`` (1 to ``min_cell - 1`` values: the figures, ``n`` and
        ``n_excluded`` blanked).
    """
    s = summarize(df, interval, by=by, standard=standard, min_n=min_n)
    groups = s[by].to_numpy() if by else np.array([SEGMENT_ALL] * len(s), dtype=object)
    nan = np.full(len(s), np.nan)
    out = pd.DataFrame(
        {
            BY: by or "",
            GROUP: groups,
            N.INTERVAL: interval,
            N.N: s[N.N].to_numpy(),
            N.N_EXCLUDED: s[N.N_EXCLUDED].to_numpy(),
            MEDIAN_MIN: minutes(s[N.MEDIAN_S]),
            P90_MIN: minutes(s[N.P90_S]),
            P90_CI_LOW_MIN: minutes(s[N.P90_CI_LOW_S]),
            P90_CI_HIGH_MIN: minutes(s[N.P90_CI_HIGH_S]),
            TARGET_MIN: minutes(s[N.TARGET_S]) if N.TARGET_S in s else nan,
            N.WITHIN_TARGET_SHARE: s[N.WITHIN_TARGET_SHARE].to_numpy(dtype="float64") if standard else nan,
            N.THIN: s[N.THIN].to_numpy(dtype=bool),
        }
    )
    if by:
        order = {g: i for i, g in enumerate(sort_groups(out[GROUP], by))}
        out = out.iloc[np.argsort(out[GROUP].map(order).to_numpy(), kind="stable")]
    out = suppress_figures(out, [(N.N, (*_TIME_FIGURES, N.N_EXCLUDED), True)], min_cell)
    return out.reset_index(drop=True)


def attainment_trend(df: pd.DataFrame, months: Sequence[str], standard: str | Standard,
                     min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:  # fmt: skip
    """:func:`metrics.attainment` of every target per month (months without calls have ``n = 0``).

    Returns
    -------
    pandas.DataFrame
        One row per target x month: ``target_id``, ``segment_key``,
        ``interval``, ``target_min``, ``required_share``, ``month``, ``n``,
        ``n_within``, ``share_within``, ``share_ci_low``, ``share_ci_high``,
        ``met``, ``thin``, ``suppressed`` (1 to ``min_cell - 1`` calls graded:
        the share, its interval, ``met``, ``n`` and ``n_within`` blanked).
        Targets without a numeric target are left out.
    """
    std = load_standard(standard)
    months = [parse_month(m) for m in months]
    a = attainment(in_months(df, months), std, by=N.KEY_MONTH)
    frames = []
    for target in std.targets:
        if target.target_s is None:
            continue
        part = a[a[N.TARGET_ID] == target.id].set_index(N.KEY_MONTH).reindex(months)
        n = part[N.N].fillna(0).astype("int64").to_numpy()
        within = part[N.N_WITHIN].astype("Float64").fillna(0).astype("int64").to_numpy()
        low, high = wilson_interval(within, n)
        frames.append(
            pd.DataFrame(
                {
                    N.TARGET_ID: target.id,
                    SEGMENT_KEY: segment_key(target),
                    N.INTERVAL: target.interval,
                    TARGET_MIN: target.target_s / SECONDS_PER_MINUTE,
                    N.REQUIRED_SHARE: np.nan if target.required_share is None else target.required_share,
                    N.KEY_MONTH: months,
                    N.N: n,
                    N.N_WITHIN: within,
                    N.SHARE_WITHIN: part[N.SHARE_WITHIN].to_numpy(dtype="float64"),
                    SHARE_CI_LOW: low,
                    SHARE_CI_HIGH: high,
                    N.MET: part[N.MET].astype("boolean").to_numpy(),
                    N.THIN: n < DEFAULT_MIN_N,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(out):
        out = out[out.groupby(N.TARGET_ID)[N.N].transform("sum") > 0].reset_index(drop=True)
        out = suppress_figures(out, [(N.N, (*_SHARE_FIGURES, N.MET), True)], min_cell)
    return out


def stage_ladders(df: pd.DataFrame, standard: str | Standard, by: str | None = None,
                  min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:
    """The standard's response ladders (:func:`responsestats.metrics.ladders.ladder`), slowest groups first.

    Ladders that select on a column the rows lack (a dimension the dataset has no value for) are left out; a
    standard without ladders gives an empty table. Figures resting on 1 to ``min_cell - 1`` values are blanked
    (:func:`~.common.suppress_figures`).

    Returns
    -------
    pandas.DataFrame
        As :func:`~responsestats.metrics.ladders.ladder`, sorted by ladder, step and ``rank_slowest`` (the slowest
        group first), with ``suppressed``.
    """
    std = load_standard(standard)
    usable = tuple(x for x in std.ladders if all(c.column in df.columns for c in x.when))
    if not usable:
        return pd.DataFrame(columns=[*([by] if by else []), *LADDER_COLUMNS, SUPPRESSED])
    out = ladder(df, replace(std, ladders=usable), by=by)
    order = {x.id: i for i, x in enumerate(usable)}
    out = out.assign(_order=out[N.LADDER_ID].map(order)).sort_values(
        ["_order", N.STEP, N.RANK_SLOWEST], kind="stable", na_position="last").drop(columns="_order")
    figures = (N.N_IN_STEP, N.SHARE_IN_STEP, N.N_WITHIN, N.SHARE_WITHIN, N.SHARE_WITHIN_CI_LOW, N.SHARE_WITHIN_CI_HIGH)
    return suppress_figures(out.reset_index(drop=True), [(N.N, (N.N, *figures), True)], min_cell)
