"""Attainment of a standard's targets: share within target vs the required share.

One row per group x target. A target applies to the rows its ``when`` rule
selects (e.g. NFPA 1710 EMS turnout: EMS calls); the usual per-interval
exclusions then apply. "Within" means ``<=`` the target.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import names as N
from ._graded import graded_frame
from .exclusions import DEFAULT_CAP, CapSpec, exclusion_codes
from .grouping import iter_groups, resolve_by
from .intervals import interval_seconds
from .quantiles import percentile
from .standards import Standard, Target, load_standard


def _grade(values: np.ndarray, codes: np.ndarray, target: Target) -> dict[str, object]:
    """Counts, share within and percentiles for one target's rows."""
    used = codes == 0
    counts = np.bincount(codes, minlength=len(N.EXCLUSION_REASONS) + 1)
    kept = values[used]
    n = int(kept.size)
    row: dict[str, object] = {
        N.N_POPULATION: int(codes.size),
        N.N: n,
        N.N_EXCLUDED: int(codes.size - n),
    }
    row.update({N.excluded_column(r): int(counts[i + 1]) for i, r in enumerate(N.EXCLUSION_REASONS)})
    nan = float("nan")
    if target.target_s is None:
        within, share = pd.NA, nan
    else:
        within = int(np.sum(kept <= target.target_s))
        share = within / n if n else nan
    required = target.required_share
    row[N.N_WITHIN] = within
    row[N.SHARE_WITHIN] = share
    row[N.PERCENTILE_AT_TARGET] = 100.0 * share
    row[N.MET] = pd.NA if required is None or np.isnan(share) else bool(share >= required)
    row[N.VALUE_AT_REQUIRED_S] = nan if required is None else percentile(kept, 100.0 * required)
    return row


def attainment(
    df: pd.DataFrame,
    standard: str | Standard,
    by: str | Iterable[str] | None = None,
    level: str = N.LEVEL_INCIDENT,
    cap: CapSpec = DEFAULT_CAP,
) -> pd.DataFrame:
    """Grade each target of a standard, per group.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame.
    standard : str or Standard
        Built-in profile name, TOML path, or a loaded :class:`Standard`.
    by : str, iterable of str or None
        Group columns (as in :func:`summary.summarize`).
    level : {"incident", "unit"}
        Level the intervals are measured at (standards grade first-unit
        times at incident level).
    cap : see :func:`exclusions.resolve_caps`

    Returns
    -------
    pandas.DataFrame
        One row per group x target: group columns, ``standard``,
        ``target_id``, ``label``, ``interval``, ``target_s`` [s],
        ``required_share``, ``n_population`` (rows the target applies to),
        ``n_not_applicable`` (rows of the group outside the standard's ``population``: graded by none of
        its targets),
        ``n``, ``n_excluded``, ``excluded_<reason>``, ``n_within``,
        ``share_within``, ``met`` (share_within >= required_share; missing
        when the standard sets no share or there is no value),
        ``percentile_at_target`` (the percentile the target falls at, e.g.
        83 means 83% of values are within it) and ``value_at_required_s``
        (the value [s] at the required percentile), ``citation``.
    """
    std = load_standard(standard)
    by_cols = resolve_by(by)
    frame, group_cols, flags, caps = graded_frame(df, std.intervals, level, by_cols, cap)
    per_target = []
    for target in std.targets:
        values = interval_seconds(frame, target.interval).to_numpy()
        codes = exclusion_codes(values, flags, target.interval, caps[target.interval])
        per_target.append((target, values, codes, target.applies(frame)))
    outside = ~std.in_population(frame)

    rows = []
    for key, positions in iter_groups(frame, by_cols, group_cols):
        for target, values, codes, applies in per_target:
            pos = positions[applies[positions]]
            row = dict(key)
            row.update(
                {
                    N.STANDARD: std.name,
                    N.TARGET_ID: target.id,
                    N.LABEL: target.label,
                    N.INTERVAL: target.interval,
                    N.TARGET_S: np.nan if target.target_s is None else target.target_s,
                    N.REQUIRED_SHARE: np.nan if target.required_share is None else target.required_share,
                }
            )
            row.update(_grade(values[pos], codes[pos], target))
            row[N.N_NOT_APPLICABLE] = int(outside[positions].sum())
            row[N.CITATION] = target.citation
            rows.append(row)

    columns = [
        *group_cols, N.STANDARD, N.TARGET_ID, N.LABEL, N.INTERVAL, N.TARGET_S, N.REQUIRED_SHARE,
        N.N_POPULATION, N.N_NOT_APPLICABLE, N.N, N.N_EXCLUDED, *N.EXCLUDED_COLUMNS, N.N_WITHIN, N.SHARE_WITHIN,
        N.MET, N.PERCENTILE_AT_TARGET, N.VALUE_AT_REQUIRED_S, N.CITATION,
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    ints = [N.N_POPULATION, N.N_NOT_APPLICABLE, N.N, N.N_EXCLUDED, *N.EXCLUDED_COLUMNS]
    out[ints] = out[ints].astype("int64")
    out[N.N_WITHIN] = out[N.N_WITHIN].astype("Int64") if len(out) else out[N.N_WITHIN]
    out[N.MET] = out[N.MET].astype("boolean")
    return out
