"""Interval summaries: one row per group x interval, with the denominator shown.

Each row carries how many values were used (``n``) and how many were excluded
and why (``n_excluded``, ``excluded_<reason>``), the mean, median, 90th and
any other requested percentile (linear interpolation), distribution-free
95% CIs of the median and the 90th percentile, the share within a target
when one applies (within = ``<=`` target), and ``thin`` when ``n < min_n``.

How: the definitions (level, intervals, exclusions, caps, group keys,
targets) turn a frame into :class:`SummaryParts`, exact per-group counts that
add up across parts of a dataset (:func:`summary_parts`, :func:`merge_parts`);
:func:`finish_summary` computes every statistic from them for all groups at
once (:mod:`.valuecounts`). :func:`summarize` is the two steps on one frame;
:mod:`.distributed` runs the first step per partition of a Dask DataFrame.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import UserError
from . import names as N
from ._frame import prepare
from .exclusions import DEFAULT_CAP, CapSpec, exclusion_codes, resolve_caps, self_initiated_flags
from .filters import RowFilter, apply_filter, parse_filter, with_population
from .grouping import group_codes, resolve_by, with_keys
from .intervals import INTERVALS, interval_ticks, resolve_intervals
from .levels import at_level
from .proportions import DEFAULT_CONFIDENCE  # the two-sided level of the percentile CIs too
from .standards import Standard, custom_standard, load_standard, row_target_index
from .valuecounts import OrderStatistics, ValueCounts, cell_sizes, concat_counts, count_values, merge_counts

#: Groups with fewer values than this are flagged ``thin``.
DEFAULT_MIN_N = 30


def _check_percentiles(percentiles: Iterable[float]) -> tuple[float, ...]:
    out: list[float] = []
    for q in percentiles:
        if isinstance(q, bool) or not isinstance(q, Real) or not 0 <= q <= 100:
            raise UserError(f"percentiles are numbers from 0 to 100, got {q!r}")
        if float(q) not in (50.0, 90.0) and float(q) not in out:
            out.append(float(q))
    return tuple(out)


def _resolve_standard(
    target_s: float | Mapping[str, float] | None, standard: str | Standard | None, intervals: tuple[str, ...]
) -> Standard | None:
    if target_s is not None and standard is not None:
        raise UserError("give either a target in seconds or a standard, not both")
    if standard is not None:
        return load_standard(standard)
    if target_s is not None:
        return custom_standard(target_s, intervals)
    return None


def _columns(group_cols: tuple[str, ...], percentiles: tuple[float, ...], with_target: bool) -> list[str]:
    cols = [*group_cols, N.INTERVAL, N.N, N.N_EXCLUDED, *N.EXCLUDED_COLUMNS, N.MEAN_S, N.MEDIAN_S, N.P90_S]
    cols += [N.percentile_column(q) for q in percentiles]
    if with_target:
        cols += [N.TARGET_S, N.N_TARGET, N.WITHIN_TARGET_SHARE, N.N_NOT_APPLICABLE]
    cols += [N.MEDIAN_CI_LOW_S, N.MEDIAN_CI_HIGH_S, N.P90_CI_LOW_S, N.P90_CI_HIGH_S, N.THIN]
    return cols


#: Columns of :attr:`SummaryParts.targets`.
_N_TARGET, _N_WITHIN, _N_NOT_APPLICABLE, _TARGET_MIN, _TARGET_MAX = range(5)
_TARGET_PARTS = 5


@dataclass(frozen=True)
class SummarySpec:
    """The checked arguments of a summary (see :func:`summarize`)."""

    intervals: tuple[str, ...]
    by: tuple[str, ...]
    level: str
    percentiles: tuple[float, ...]
    standard: Standard | None
    caps: Mapping[str, float | None]
    min_n: int
    confidence: float

    @property
    def columns(self) -> list[str]:
        """Canonical columns a frame needs for this summary (more are used when present)."""
        needed = [S.AGENCY, S.INCIDENT_ID, S.RECEIVED_AT]
        needed += [c for n in self.intervals for c in (INTERVALS[n].start, INTERVALS[n].end)]
        return list(dict.fromkeys(needed))


def summary_spec(
    intervals: str | Iterable[str] | None = None,
    by: str | Iterable[str] | None = None,
    level: str = N.LEVEL_INCIDENT,
    percentiles: Iterable[float] = (),
    target_s: float | Mapping[str, float] | None = None,
    standard: str | Standard | None = None,
    cap: CapSpec = DEFAULT_CAP,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> SummarySpec:
    """Check the arguments of :func:`summarize` once."""
    names = resolve_intervals(intervals)
    if not 0.0 < confidence < 1.0:
        raise UserError(f"confidence must be between 0 and 1, got {confidence!r}")
    if level not in N.LEVELS:
        raise UserError(f"unknown level {level!r}; use one of {', '.join(N.LEVELS)}")
    return SummarySpec(
        intervals=names,
        by=resolve_by(by),
        level=level,
        percentiles=_check_percentiles(percentiles),
        standard=_resolve_standard(target_s, standard, names),
        caps=resolve_caps(names, cap),
        min_n=min_n,
        confidence=confidence,
    )


@dataclass(frozen=True)
class SummaryParts:
    """Exact per-group statistics of a summary, before the percentiles; parts of one dataset add up.

    Groups are numbered by the rows of ``keys``; a *cell* is one interval of
    one group, numbered ``interval * n_groups + group``.

    Attributes
    ----------
    keys : pandas.DataFrame
        One row per group: the output group columns.
    excluded : numpy.ndarray of int64, shape (n_intervals, n_groups, 1 + n_reasons)
        Values used, then values excluded for each reason.
    values : ValueCounts
        The distinct used values [s] of each cell and their counts.
    targets : numpy.ndarray of float64, shape (n_intervals, n_groups, 4), or None
        With a target: used values that have a target, those within it,
        and the least and greatest target (NaN: none).
    """

    keys: pd.DataFrame
    excluded: np.ndarray
    values: ValueCounts
    targets: np.ndarray | None

    @property
    def n_groups(self) -> int:
        return len(self.keys)


def summary_parts(df: pd.DataFrame, spec: SummarySpec) -> SummaryParts:
    """Apply the definitions to one frame: level, intervals, exclusions, group keys, targets.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame; at incident level it must hold every row of each of
        its incidents.
    spec : SummarySpec
        From :func:`summary_spec`.
    """
    return level_parts(level_rows(df, spec), spec)


def level_rows(df: pd.DataFrame, spec: SummarySpec) -> pd.DataFrame:
    """The rows a summary counts: ``df`` at the summary's level (incidents or units), in no particular order.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame; at incident level it must hold every row of each of its incidents.
    spec : SummarySpec
        From :func:`summary_spec`.
    """
    frame = prepare(df, spec.columns, [S.SELF_INITIATED, *S.TIMESTAMP_COLUMNS])
    return at_level(frame, spec.level, sort=False)  # nothing that counts depends on the row order


def level_parts(frame: pd.DataFrame, spec: SummarySpec) -> SummaryParts:
    """:func:`summary_parts` of rows already at the summary's level (:func:`level_rows`)."""
    frame, group_cols = with_keys(frame, spec.by)
    codes, keys = group_codes(frame, spec.by, group_cols)
    n_groups, n_reasons = len(keys), len(N.EXCLUSION_REASONS)
    excluded = np.zeros((len(spec.intervals), n_groups, 1 + n_reasons), dtype="int64")
    targets = None if spec.standard is None else np.zeros((len(spec.intervals), n_groups, _TARGET_PARTS))
    outside = None if spec.standard is None else ~spec.standard.in_population(frame)
    flags = self_initiated_flags(frame)
    tables = []
    for i, name in enumerate(spec.intervals):
        ticks, seconds, per_second = interval_ticks(frame, name)
        reason = exclusion_codes(seconds, flags, name, spec.caps[name])
        excluded[i] = np.bincount(codes * (1 + n_reasons) + reason, minlength=n_groups * (1 + n_reasons)).reshape(
            n_groups, 1 + n_reasons
        )
        used = reason == 0
        tables.append(count_values(i * n_groups + codes[used], ticks[used], per_second))
        if targets is not None:
            index, values = row_target_index(frame, spec.standard, name)
            targets[i] = _target_parts(codes[used], seconds[used], index[used], values, n_groups, outside[used])
    return SummaryParts(keys, excluded, concat_counts(tables), targets)  # cells ascend with the interval


def _target_parts(group: np.ndarray, values: np.ndarray, index: np.ndarray, targets: np.ndarray,
                  n_groups: int, outside: np.ndarray) -> np.ndarray:
    """Per group: values with a target, values within it (``<=``), values outside the standard's population,
    least and greatest target.

    ``index`` says which of the standard's few ``targets`` applies to each value (-1: none); ``outside``
    which values' rows the standard's population leaves out.
    """
    out = np.full((n_groups, _TARGET_PARTS), np.nan)
    has = index >= 0
    out[:, _N_TARGET] = np.bincount(group[has], minlength=n_groups)
    out[:, _N_NOT_APPLICABLE] = np.bincount(group[outside], minlength=n_groups)
    within = has & (values <= np.append(targets, np.nan)[index])
    out[:, _N_WITHIN] = np.bincount(group[within], minlength=n_groups)
    if targets.size:
        present = np.bincount(group[has] * targets.size + index[has], minlength=n_groups * targets.size) > 0
        present = present.reshape(n_groups, targets.size)
        some = present.any(axis=1)
        out[some, _TARGET_MIN] = np.where(present, targets, np.inf).min(axis=1)[some]
        out[some, _TARGET_MAX] = np.where(present, targets, -np.inf).max(axis=1)[some]
    return out


def merge_parts(parts: Sequence[SummaryParts], spec: SummarySpec) -> SummaryParts:
    """Add up the parts of one dataset (e.g. one per partition): the same groups count once."""
    parts = list(parts)
    if len(parts) == 1:
        return parts[0]
    n_intervals = len(spec.intervals)
    if spec.by:
        keys = pd.concat([p.keys for p in parts], ignore_index=True)
        number = keys.groupby(list(spec.by), sort=True, dropna=False, observed=True).ngroup().to_numpy()
        n_groups = int(number.max()) + 1 if number.size else 0
        first = np.full(n_groups, len(keys), dtype="int64")
        np.minimum.at(first, number, np.arange(len(keys)))
        merged_keys = keys.iloc[first].reset_index(drop=True)
        offsets = np.cumsum([0] + [p.n_groups for p in parts])
        mapping = [number[offsets[k]:offsets[k + 1]] for k in range(len(parts))]
    else:
        merged_keys, n_groups = parts[0].keys, 1
        mapping = [np.zeros(1, dtype="int64") for _ in parts]
    excluded = np.zeros((n_intervals, n_groups, parts[0].excluded.shape[2]), dtype="int64")
    targets = None if parts[0].targets is None else np.zeros((n_intervals, n_groups, _TARGET_PARTS))
    if targets is not None:
        targets[..., _TARGET_MIN:] = np.nan
    tables = []
    for part, to in zip(parts, mapping):
        np.add.at(excluded, (slice(None), to), part.excluded)
        if targets is not None:
            targets[:, to, :_TARGET_MIN] += part.targets[..., :_TARGET_MIN]
            targets[:, to, _TARGET_MIN] = np.fmin(targets[:, to, _TARGET_MIN], part.targets[..., _TARGET_MIN])
            targets[:, to, _TARGET_MAX] = np.fmax(targets[:, to, _TARGET_MAX], part.targets[..., _TARGET_MAX])
        interval, group = np.divmod(part.values.cell, part.n_groups)
        tables.append(ValueCounts(interval * n_groups + to[group], part.values.value, part.values.count))
    return SummaryParts(merged_keys, excluded, merge_counts(tables), targets)


def select_groups(parts: SummaryParts, groups: np.ndarray) -> SummaryParts:
    """The parts of the groups ``groups`` alone (ascending group numbers), renumbered ``0 ..`` in that order."""
    groups = np.asarray(groups, dtype="int64")
    renumber = np.full(parts.n_groups, -1, dtype="int64")
    renumber[groups] = np.arange(groups.size)
    interval, group = np.divmod(parts.values.cell, max(parts.n_groups, 1))
    keep = renumber[group] >= 0
    values = ValueCounts(interval[keep] * groups.size + renumber[group[keep]], parts.values.value[keep],
                         parts.values.count[keep])  # still sorted by (cell, value): the order of groups is kept
    return SummaryParts(parts.keys.iloc[groups].reset_index(drop=True), parts.excluded[:, groups],
                        values, None if parts.targets is None else parts.targets[:, groups])


def cell_statistics(parts: SummaryParts, spec: SummarySpec) -> dict[str, np.ndarray]:
    """Every statistic of every cell of (merged) parts: column -> values, cells numbered as in the parts.

    What :func:`finish_summary` lays out as a table; the statistics of two sets of groups can be computed
    apart and laid out together (:func:`summary_table`), as the streaming summary does month by month.
    """
    n = parts.excluded[..., 0].reshape(-1)
    if n.size and not np.array_equal(cell_sizes(parts.values, n.size), n):
        raise AssertionError("value counts do not add up to the number of used values")
    stats = OrderStatistics(parts.values, n)
    cells: dict[str, np.ndarray] = {
        N.N: n,
        N.N_EXCLUDED: parts.excluded[..., 1:].sum(axis=2).reshape(-1),
    }
    for k, column in enumerate(N.EXCLUDED_COLUMNS):
        cells[column] = parts.excluded[..., 1 + k].reshape(-1)
    cells[N.MEAN_S] = stats.mean()
    cells[N.MEDIAN_S] = stats.percentile(50.0)
    cells[N.P90_S] = stats.percentile(90.0)
    for q in spec.percentiles:
        cells[N.percentile_column(q)] = stats.percentile(q)
    if parts.targets is not None:
        t = parts.targets.reshape(-1, _TARGET_PARTS)
        single = (t[:, _N_TARGET] > 0) & (t[:, _TARGET_MIN] == t[:, _TARGET_MAX])
        cells[N.TARGET_S] = np.where(single, t[:, _TARGET_MIN], np.nan)
        cells[N.N_TARGET] = t[:, _N_TARGET].astype("int64")
        with np.errstate(invalid="ignore", divide="ignore"):
            cells[N.WITHIN_TARGET_SHARE] = np.where(t[:, _N_TARGET] > 0, t[:, _N_WITHIN] / t[:, _N_TARGET], np.nan)
        cells[N.N_NOT_APPLICABLE] = t[:, _N_NOT_APPLICABLE].astype("int64")
    cells[N.MEDIAN_CI_LOW_S], cells[N.MEDIAN_CI_HIGH_S] = stats.ci(0.5, spec.confidence)
    cells[N.P90_CI_LOW_S], cells[N.P90_CI_HIGH_S] = stats.ci(0.9, spec.confidence)
    cells[N.THIN] = n < spec.min_n
    return cells


def summary_table(keys: pd.DataFrame, cells: Mapping[str, np.ndarray], spec: SummarySpec) -> pd.DataFrame:
    """The summary table of groups ``keys`` (one row each) and their :func:`cell_statistics`.

    Rows: groups in sorted key order, each with its intervals in the order asked.
    """
    n_intervals, n_groups = len(spec.intervals), len(keys)
    columns = _columns(tuple(keys.columns), spec.percentiles, spec.standard is not None)
    if n_groups == 0:  # grouped, and no rows
        empty = pd.DataFrame([], columns=columns)
        ints = [N.N, N.N_EXCLUDED, *N.EXCLUDED_COLUMNS] + ([N.N_TARGET, N.N_NOT_APPLICABLE] if spec.standard is not None else [])
        return empty.astype({**{c: "int64" for c in ints}, N.THIN: bool})
    if spec.by and n_groups:
        group_order = np.argsort(
            keys.groupby(list(spec.by), sort=True, dropna=False, observed=True).ngroup().to_numpy(),
            kind="stable",
        )
    else:
        group_order = np.arange(n_groups)
    rows = (np.arange(n_intervals)[None, :] * n_groups + group_order[:, None]).reshape(-1)
    # key values as plain scalars, typed as a table built row by row types them (Int64 keys come out int64)
    plain = {c: pd.Series(keys[c].tolist()) for c in keys.columns}
    repeat = np.repeat(group_order, n_intervals)
    out = pd.DataFrame({c: v.iloc[repeat].to_numpy() if len(v) else v for c, v in plain.items()},
                       index=pd.RangeIndex(len(rows)))
    out[N.INTERVAL] = np.tile(np.array(spec.intervals, dtype=object), n_groups)
    for column, values in cells.items():
        out[column] = values[rows]
    out = out[columns]
    out[N.INTERVAL] = out[N.INTERVAL].astype("str")
    return out


def finish_summary(parts: SummaryParts, spec: SummarySpec) -> pd.DataFrame:
    """The summary table from (merged) parts: every statistic for every cell at once."""
    if parts.n_groups == 0:
        return summary_table(parts.keys, {}, spec)
    return summary_table(parts.keys, cell_statistics(parts, spec), spec)


def summarize(
    df: pd.DataFrame,
    intervals: str | Iterable[str] | None = None,
    by: str | Iterable[str] | None = None,
    level: str = N.LEVEL_INCIDENT,
    percentiles: Iterable[float] = (),
    target_s: float | Mapping[str, float] | None = None,
    standard: str | Standard | None = None,
    cap: CapSpec = DEFAULT_CAP,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
    where: str | RowFilter | None = None,
) -> pd.DataFrame:
    """Summarise intervals per group.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame (unit level, or incident level for sources with one
        row per incident).
    intervals : str, iterable of str or None
        Interval names (see :data:`intervals.INTERVALS`); None: all.
    by : str, iterable of str or None
        Group columns: canonical columns, other columns of ``df``, or the
        local-time keys ``year``, ``month``, ``week``, ``date``, ``weekday``,
        ``hour`` (from ``received_at`` in each row's ``timezone``).
    level : {"incident", "unit"}
        Summarise incidents (first dispatch / en route / arrival over the
        incident's units) or units (rows as they are).
    percentiles : iterable of float
        Extra percentiles [percent] reported as ``p<k>_s``; the median and
        the 90th percentile are always reported.
    target_s : float, mapping or None
        A target [s] for every interval, or per interval.
    standard : str, Standard or None
        A standard profile (name or TOML path) giving targets instead.
    cap : "default", None, float or mapping
        Outlier caps [s] (see :func:`exclusions.resolve_caps`); ``None``
        turns the cap off (negative and missing values stay excluded).
    min_n : int
        Groups with ``n < min_n`` [count] are flagged ``thin``.
    confidence : float
        Level of the percentile CIs [fraction, e.g. 0.95].
    where : str or RowFilter, optional
        Keep only the rows this filter matches (:mod:`~responsestats.metrics.filters`), e.g.
        ``"call_group in ('ems', 'fire') and not self_initiated"``.

    Returns
    -------
    pandas.DataFrame
        One row per group x interval: (with ``where``) ``where``, the filter's text; the group columns, ``interval``, ``n``,
        ``n_excluded``, ``excluded_<reason>``, ``mean_s``, ``median_s``,
        ``p90_s``, ``p<k>_s``, (with a target) ``target_s``, ``n_target``,
        ``within_target_share``, ``n_not_applicable`` (values of rows outside the standard's
        ``population``, not graded: e.g. police incidents under NFPA 1710), then ``median_ci_low_s``,
        ``median_ci_high_s``, ``p90_ci_low_s``, ``p90_ci_high_s``, ``thin``.
        All values in seconds.
    """
    spec = summary_spec(intervals, by, level, percentiles, target_s, standard, cap, min_n, confidence)
    rf = parse_filter(where, df.columns) if where is not None else None
    return with_population(finish_summary(summary_parts(apply_filter(df, rf), spec), spec), rf)
