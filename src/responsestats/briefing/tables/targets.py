"""Every objective of a standard in one table: each interval target and each effective-response-force entry.

NFPA 1710's pack grades turnout (60 s EMS, 80 s fire), travel of the first unit (240 s) and the full alarm
assignment on scene (480 s) at 90% each; a 110 centre's profile grades arrival by area class. The figures come
from :func:`responsestats.metrics.attainment` and :func:`~responsestats.metrics.effective_response_force`, which
keep the definitions (levels, exclusions, populations); here they are put in one table with Wilson intervals
and small cells blanked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...metrics import DEFAULT_MIN_N, Standard, attainment, effective_response_force, load_standard, wilson_interval
from ...metrics import names as N
from ..columns import KIND_OF_TARGET, SHARE_CI_HIGH, SHARE_CI_LOW, SUPPRESSED
from .common import DEFAULT_MIN_CELL, suppress_figures

#: The kinds of objective (:data:`~..columns.KIND_OF_TARGET`).
INTERVAL_TARGET, ERF_TARGET = "interval", "erf"
_COLUMNS = [KIND_OF_TARGET, N.TARGET_ID, N.LABEL, N.INTERVAL, N.TARGET_S, N.REQUIRED_SHARE, N.N, N.N_WITHIN,
            N.SHARE_WITHIN, SHARE_CI_LOW, SHARE_CI_HIGH, N.THIN]  # fmt: skip


def targets_table(df: pd.DataFrame, standard: str | Standard, erf_df: pd.DataFrame | None = None,
                  min_n: int = DEFAULT_MIN_N, min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:  # fmt: skip
    """Share within target of every numeric objective of ``standard``.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical rows graded by the interval targets (e.g. the month's calls).
    standard : str or Standard
        The standard; targets without a numeric ``target_s`` are left out (nothing to grade against).
    erf_df : pandas.DataFrame, optional
        Rows graded by the effective-response-force entries (unit rows; e.g. twelve months, since the
        incidents they grade are rare); default ``df``. An entry that grades no incident is left out.
    min_n, min_cell : int
        Thin below ``min_n`` values; figures of 1 to ``min_cell - 1`` values blanked (``suppressed``).

    Returns
    -------
    pandas.DataFrame
        One row per objective, in the profile's order (interval targets, then ERF entries): ``target_kind``,
        ``target_id``, ``label``, ``interval``, ``target_s`` [s], ``required_share`` [fraction], ``n``
        (incidents graded), ``n_within``, ``share_within`` [fraction] with its Wilson 95% interval, ``thin``,
        ``suppressed``.
    """
    std = load_standard(standard)
    rows = []
    if any(t.target_s is not None for t in std.targets):
        a = attainment(df, std)
        for _, r in a[a[N.TARGET_S].notna()].iterrows():
            if int(r[N.N]) == 0:
                continue
            rows.append({KIND_OF_TARGET: INTERVAL_TARGET, **{c: r[c] for c in _COLUMNS[1:9]}})
    if std.erf and any(e.target_s is not None for e in std.erf):
        erf = effective_response_force(df if erf_df is None else erf_df, std)
        for _, r in erf[erf[N.TARGET_S].notna() & (erf[N.N] > 0)].iterrows():
            rows.append({KIND_OF_TARGET: ERF_TARGET, **{c: r[c] for c in _COLUMNS[1:9]}})
    out = pd.DataFrame(rows, columns=_COLUMNS[:9])
    out[N.N] = out[N.N].astype("int64")
    out[N.N_WITHIN] = out[N.N_WITHIN].fillna(0).astype("int64")
    low, high = wilson_interval(out[N.N_WITHIN].to_numpy(), out[N.N].to_numpy())
    out[SHARE_CI_LOW], out[SHARE_CI_HIGH] = np.asarray(low, float), np.asarray(high, float)
    out[N.THIN] = (out[N.N] < min_n).to_numpy(dtype=bool)
    figures = (N.N, N.N_WITHIN, N.SHARE_WITHIN, SHARE_CI_LOW, SHARE_CI_HIGH)
    out = suppress_figures(out, [(N.N, figures, True)], min_cell)
    if SUPPRESSED not in out.columns:
        out[SUPPRESSED] = False
    return out.reset_index(drop=True)


__all__ = ["ERF_TARGET", "INTERVAL_TARGET", "targets_table"]
