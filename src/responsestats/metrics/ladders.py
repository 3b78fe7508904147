"""Response ladders: the share of an interval's values within each of several thresholds.

A standard profile declares each ladder as a ``[[ladders]]`` entry
(:class:`~responsestats.metrics.standards.Ladder`): the interval, the
increasing thresholds, optional words for each step, and the calls it grades
(a ``when`` that may select on a dimension, e.g. calls at a key site). Chinese
110 centres grade the orders given to units this way (指令签收 within 30, 60,
120, 180 s; 指令出警 within 5, 10, 15, 30 min; 指令反馈 within 30 min, 1, 2,
4 h), and many fire and police agencies report 4/6/8- or 5/10/15-minute
ladders. :func:`ladder` gives, per group, ladder and step, the values in the
step's band and the cumulative share within its threshold (``<=``), with a
Wilson interval, and ranks the groups slowest first. Definitions:
``docs/metrics.md`` (*Response ladders*).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import UserError
from . import names as N
from ._graded import graded_frame
from .exclusions import DEFAULT_CAP, CapSpec, exclusion_codes
from .filters import RowFilter, apply_filter, parse_filter, with_population
from .grouping import iter_groups, resolve_by
from .intervals import interval_seconds
from .proportions import DEFAULT_CONFIDENCE, wilson_interval
from .standards import Standard, with_entries

#: Columns of the table :func:`ladder` returns, after the group columns.
LADDER_COLUMNS: tuple[str, ...] = (
    N.STANDARD, N.LADDER_ID, N.LABEL, N.INTERVAL, N.STEP, N.STEP_LABEL, N.LOWER_S, N.UPPER_S, N.N, N.N_EXCLUDED,
    N.N_IN_STEP, N.SHARE_IN_STEP, N.N_WITHIN, N.SHARE_WITHIN, N.SHARE_WITHIN_CI_LOW, N.SHARE_WITHIN_CI_HIGH,
    N.RANK_SLOWEST, N.CITATION,
)  # fmt: skip


def ladder_standard(standard: str | Standard) -> Standard:
    """A standard profile that has response ladders (``[[ladders]]``).

    Parameters
    ----------
    standard : str or Standard
        Built-in name, TOML path or loaded profile.

    Returns
    -------
    Standard
        The profile.

    Raises
    ------
    UserError
        When it has none (one line naming the built-in profiles that have some).
    """
    return with_entries(standard, "ladders")


def ladder(
    df: pd.DataFrame,
    standard: str | Standard,
    by: str | Iterable[str] | None = None,
    where: str | RowFilter | None = None,
    level: str = N.LEVEL_INCIDENT,
    cap: CapSpec = DEFAULT_CAP,
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Grade every response ladder of a standard, per group.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical rows (with the dimensions a ladder's ``when`` names, where it names one).
    standard : str or Standard
        A profile with ``[[ladders]]`` (:func:`ladder_standard`).
    by : str, iterable of str or None
        Group columns, as :func:`~responsestats.metrics.summary.summarize` takes them (e.g. ``"station"``).
    where : str or RowFilter, optional
        Keep only the rows this filter matches (:mod:`~responsestats.metrics.filters`).
    level : {"incident", "unit"}
        Level the intervals are measured at.
    cap : see :func:`~responsestats.metrics.exclusions.resolve_caps`
        Values above the interval's cap are excluded (counted in ``n_excluded``), as everywhere.
    confidence : float
        Level of the Wilson intervals [fraction, e.g. 0.95].

    Returns
    -------
    pandas.DataFrame
        One row per group x ladder x step, the steps in order and one more, ``over``, for the values above
        the last threshold: ``standard``, ``ladder_id``, ``label``, ``interval``, ``step`` (1-based; the
        last is the open band), ``step_label``, ``lower_s`` and ``upper_s`` [s] (the band ``(lower, upper]``;
        ``upper_s`` NaN for the open band), ``n`` (values graded: the ladder's calls less exclusions),
        ``n_excluded`` (self-initiated, missing, negative, above the cap), ``n_in_step`` and
        ``share_in_step`` (values in the band), ``n_within`` and ``share_within`` (values ``<=`` the
        threshold, cumulative; NaN for the open band) with ``share_within_ci_low`` / ``_high`` (Wilson),
        ``rank_slowest`` (1 = the group with the lowest share within that threshold; with ``by`` only) and
        ``citation``.

    Raises
    ------
    UserError
        A standard without ladders, or a ladder that selects on a column the rows lack (a dimension the
        dataset does not have).
    """
    std = ladder_standard(standard)
    by_cols = resolve_by(by)
    rf = parse_filter(where, df.columns) if where is not None else None
    df = apply_filter(df, rf)
    for entry in std.ladders:
        absent = [c.column for c in entry.when if c.column not in df.columns]
        if absent:
            raise UserError(f"ladder {entry.id!r} of standard {std.name!r} grades the calls with a value in "
                            f"{', '.join(map(repr, absent))}, which these rows do not have (a dimension of the "
                            "mapping, see docs/mappings.md [dimensions])")
    frame, group_cols, flags, caps = graded_frame(df, (e.interval for e in std.ladders), level, by_cols, cap)

    rows = []
    for entry in std.ladders:
        values = interval_seconds(frame, entry.interval).to_numpy()
        codes = exclusion_codes(values, flags, entry.interval, caps[entry.interval])
        applies = entry.applies(frame)
        uppers = [*entry.steps_s, np.inf]
        lowers = [0.0, *entry.steps_s]
        labels = [*entry.step_labels, ""] if entry.step_labels else [""] * len(uppers)
        for key, positions in iter_groups(frame, by_cols, group_cols):
            pos = positions[applies[positions]]
            used = codes[pos] == 0
            kept = values[pos][used]
            n = int(kept.size)
            for k, (low, high) in enumerate(zip(lowers, uppers)):
                open_band = not np.isfinite(high)
                above_low = kept > low if k else np.ones(kept.size, dtype=bool)  # the first band includes 0
                in_step = int((above_low & (kept <= high)).sum())
                within = n if open_band else int((kept <= high).sum())
                lo, hi = wilson_interval(within, n, confidence) if n and not open_band else (np.nan, np.nan)
                row = dict(key)
                row.update({
                    N.STANDARD: std.name, N.LADDER_ID: entry.id, N.LABEL: entry.label, N.INTERVAL: entry.interval,
                    N.STEP: k + 1, N.STEP_LABEL: labels[k], N.LOWER_S: float(low),
                    N.UPPER_S: np.nan if open_band else float(high), N.N: n,
                    N.N_EXCLUDED: int(pos.size - n), N.N_IN_STEP: in_step,
                    N.SHARE_IN_STEP: in_step / n if n else np.nan,
                    N.N_WITHIN: np.nan if open_band else within,
                    N.SHARE_WITHIN: (within / n if n else np.nan) if not open_band else np.nan,
                    N.SHARE_WITHIN_CI_LOW: float(lo), N.SHARE_WITHIN_CI_HIGH: float(hi),
                    N.RANK_SLOWEST: np.nan, N.CITATION: entry.citation,
                })  # fmt: skip
                rows.append(row)
    out = pd.DataFrame(rows, columns=[*group_cols, *LADDER_COLUMNS])
    if by_cols and len(out):
        graded = out[N.SHARE_WITHIN].notna()
        out.loc[graded, N.RANK_SLOWEST] = (out[graded].groupby([N.LADDER_ID, N.STEP])[N.SHARE_WITHIN]
                                           .rank(method="min", ascending=True))
    out[N.RANK_SLOWEST] = out[N.RANK_SLOWEST].astype("Int64")
    out[N.N_WITHIN] = out[N.N_WITHIN].astype("Int64")
    return with_population(out, rf)
