"""Interval summaries: one row per group x interval, with the denominator shown.

Each row carries how many values were used (``n``) and how many were excluded
and why (``n_excluded``, ``excluded_<reason>``), the mean, median, 90th and
any other requested percentile (linear interpolation), distribution-free
95% CIs of the median and the 90th percentile, the share within a target
when one applies (within = ``<=`` target), and ``thin`` when ``n < min_n``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import UserError
from . import names as N
from ._frame import prepare
from .exclusions import DEFAULT_CAP, CapSpec, exclusion_codes, resolve_caps, self_initiated_flags
from .grouping import iter_groups, resolve_by, with_keys
from .intervals import INTERVALS, interval_seconds, resolve_intervals
from .levels import at_level
from .quantiles import quantile_ci
from .standards import Standard, custom_standard, load_standard, row_targets

#: Groups with fewer values than this are flagged ``thin``.
DEFAULT_MIN_N = 30
#: Two-sided level of the percentile confidence intervals.
DEFAULT_CONFIDENCE = 0.95


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


def _describe(values: np.ndarray, percentiles: tuple[float, ...], confidence: float) -> dict[str, float]:
    """Mean, percentiles and percentile CIs of the included values [s]."""
    values = np.sort(values)
    nan = float("nan")
    if values.size == 0:
        out = {N.MEAN_S: nan, N.MEDIAN_S: nan, N.P90_S: nan}
        out.update({N.percentile_column(q): nan for q in percentiles})
        out.update({N.MEDIAN_CI_LOW_S: nan, N.MEDIAN_CI_HIGH_S: nan, N.P90_CI_LOW_S: nan, N.P90_CI_HIGH_S: nan})
        return out
    qs = np.percentile(values, [50.0, 90.0, *percentiles], method="linear")
    out = {N.MEAN_S: float(values.mean()), N.MEDIAN_S: float(qs[0]), N.P90_S: float(qs[1])}
    out.update({N.percentile_column(q): float(v) for q, v in zip(percentiles, qs[2:])})
    out[N.MEDIAN_CI_LOW_S], out[N.MEDIAN_CI_HIGH_S] = quantile_ci(values, 0.5, confidence)
    out[N.P90_CI_LOW_S], out[N.P90_CI_HIGH_S] = quantile_ci(values, 0.9, confidence)
    return out


def _target_stats(values: np.ndarray, targets: np.ndarray) -> dict[str, float]:
    """Share of values within their row's target (``<=``), over values that have one."""
    has = ~np.isnan(targets)
    n_target = int(has.sum())
    distinct = np.unique(targets[has])
    return {
        N.TARGET_S: float(distinct[0]) if distinct.size == 1 else float("nan"),
        N.N_TARGET: n_target,
        N.WITHIN_TARGET_SHARE: float(np.mean(values[has] <= targets[has])) if n_target else float("nan"),
    }


def _columns(group_cols: tuple[str, ...], percentiles: tuple[float, ...], with_target: bool) -> list[str]:
    cols = [*group_cols, N.INTERVAL, N.N, N.N_EXCLUDED, *N.EXCLUDED_COLUMNS, N.MEAN_S, N.MEDIAN_S, N.P90_S]
    cols += [N.percentile_column(q) for q in percentiles]
    if with_target:
        cols += [N.TARGET_S, N.N_TARGET, N.WITHIN_TARGET_SHARE]
    cols += [N.MEDIAN_CI_LOW_S, N.MEDIAN_CI_HIGH_S, N.P90_CI_LOW_S, N.P90_CI_HIGH_S, N.THIN]
    return cols


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
        Groups with ``n < min_n`` are flagged ``thin``.
    confidence : float
        Level of the percentile CIs.

    Returns
    -------
    pandas.DataFrame
        One row per group x interval: the group columns, ``interval``, ``n``,
        ``n_excluded``, ``excluded_<reason>``, ``mean_s``, ``median_s``,
        ``p90_s``, ``p<k>_s``, (with a target) ``target_s``, ``n_target``,
        ``within_target_share``, then ``median_ci_low_s``,
        ``median_ci_high_s``, ``p90_ci_low_s``, ``p90_ci_high_s``, ``thin``.
        All values in seconds.
    """
    names = resolve_intervals(intervals)
    by_cols = resolve_by(by)
    extra = _check_percentiles(percentiles)
    std = _resolve_standard(target_s, standard, names)
    caps = resolve_caps(names, cap)
    if not 0.0 < confidence < 1.0:
        raise UserError(f"confidence must be between 0 and 1, got {confidence!r}")

    needed = [S.AGENCY, S.INCIDENT_ID, S.RECEIVED_AT]
    needed += [c for n in names for c in (INTERVALS[n].start, INTERVALS[n].end)]
    frame = prepare(df, needed, [S.SELF_INITIATED, *S.TIMESTAMP_COLUMNS])
    frame = at_level(frame, level)
    frame, group_cols = with_keys(frame, by_cols)

    flags = self_initiated_flags(frame)
    per_interval = {}
    for name in names:
        values = interval_seconds(frame, name).to_numpy()
        codes = exclusion_codes(values, flags, name, caps[name])
        targets = row_targets(frame, std, name) if std is not None else None
        per_interval[name] = (values, codes, targets)

    rows = []
    for key, positions in iter_groups(frame, by_cols, group_cols):
        for name, (values, codes, targets) in per_interval.items():
            codes_g = codes[positions]
            used = codes_g == 0
            counts = np.bincount(codes_g, minlength=len(N.EXCLUSION_REASONS) + 1)
            kept = values[positions][used]
            row = dict(key)
            row[N.INTERVAL] = name
            row[N.N] = int(used.sum())
            row[N.N_EXCLUDED] = int((~used).sum())
            row.update({N.excluded_column(r): int(counts[i + 1]) for i, r in enumerate(N.EXCLUSION_REASONS)})
            row.update(_describe(kept, extra, confidence))
            if targets is not None:
                row.update(_target_stats(kept, targets[positions][used]))
            row[N.THIN] = row[N.N] < min_n
            rows.append(row)

    columns = _columns(group_cols, extra, std is not None)
    out = pd.DataFrame(rows, columns=columns)
    int_cols = [N.N, N.N_EXCLUDED, *N.EXCLUDED_COLUMNS] + ([N.N_TARGET] if std is not None else [])
    out[int_cols] = out[int_cols].astype("int64")
    out[N.THIN] = out[N.THIN].astype(bool)
    return out
