"""Data-quality tables: reconciliation and quarantine from the ingest reports, missing stamps and backward intervals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ... import privacy
from ... import schema as S
from ...metrics import Standard, compute_intervals
from ...metrics import names as N
from ..columns import (
    CHECK,
    CHECK_MISSING,
    CHECK_NEGATIVE,
    COLUMN,
    COUNT,
    FIELD,
    FILES,
    ITEM,
    KIND,
    N_CHECKED,
    N_FLAGGED,
    QUARANTINED_SHARE,
    RECONCILED,
    ROWS,
    SHARE,
)
from ..months import month_keys

#: Timestamps checked for missing values, and the rows each is expected on:
#: (column, only these outcomes or None for all, except these outcomes).
#: A call cancelled before anyone arrived has no arrival by design; an
#: arrest stamp is only expected on arrests.
MISSING_CHECKS: tuple[tuple[str, tuple[str, ...] | None, tuple[str, ...]], ...] = (
    (S.DISPATCHED_AT, None, ()),
    (S.ENROUTE_AT, None, ()),
    (S.ARRIVED_AT, None, ("cancelled",)),
    (S.CLEARED_AT, None, ()),
    (S.ARRESTED_AT, (S.OUTCOME_ARREST,), ()),
)


#: Intervals checked for negative values (end before start).
NEGATIVE_CHECKS: tuple[str, ...] = (
    N.CALL_PROCESSING_S,
    N.TURNOUT_S,
    N.TRAVEL_S,
    N.DISPATCH_TO_ARRIVAL_S,
    N.ON_SCENE_S,
)


def reconciliation(reports: Iterable[dict]) -> pd.DataFrame:
    """Rows read, written and quarantined per input file (from the ingest reports).

    ``reconciled`` is recomputed: rows read = written + quarantined.
    """
    rows = [
        {
            S.SOURCE_FILE: r.get(S.R_SOURCE_FILE),
            S.R_ENCODING: r.get(S.R_ENCODING),
            S.R_ROWS_READ: int(r.get(S.R_ROWS_READ, 0)),
            S.R_ROWS_WRITTEN: int(r.get(S.R_ROWS_WRITTEN, 0)),
            S.R_ROWS_QUARANTINED: int(r.get(S.R_ROWS_QUARANTINED, 0)),
        }
        for r in reports
    ]
    out = pd.DataFrame(rows, columns=[S.SOURCE_FILE, S.R_ENCODING, S.R_ROWS_READ, S.R_ROWS_WRITTEN, S.R_ROWS_QUARANTINED])
    out[RECONCILED] = (out[S.R_ROWS_READ] == out[S.R_ROWS_WRITTEN] + out[S.R_ROWS_QUARANTINED]).to_numpy(dtype=bool)
    return out.sort_values(S.SOURCE_FILE, kind="stable").reset_index(drop=True)


def reconciliation_totals(reports: Iterable[dict]) -> pd.DataFrame:
    """One row: ``files``, rows read / written / quarantined, ``quarantined_share``, ``reconciled`` (all files)."""
    r = reconciliation(reports)
    read = int(r[S.R_ROWS_READ].sum())
    quarantined = int(r[S.R_ROWS_QUARANTINED].sum())
    return pd.DataFrame(
        [{FILES: len(r), S.R_ROWS_READ: read, S.R_ROWS_WRITTEN: int(r[S.R_ROWS_WRITTEN].sum()),
          S.R_ROWS_QUARANTINED: quarantined, QUARANTINED_SHARE: quarantined / read if read else np.nan,
          RECONCILED: bool(r[RECONCILED].all())}]  # fmt: skip
    )


def quarantine_reasons(reports: Iterable[dict]) -> pd.DataFrame:
    """Quarantined rows by reason over all files: ``reason``, ``rows``, ``share`` (of rows read); most first."""
    reports = list(reports)
    counts: dict[str, int] = {}
    for r in reports:
        for reason, n in (r.get(S.R_QUARANTINE_BY_REASON) or {}).items():
            counts[reason] = counts.get(reason, 0) + int(n)
    read = sum(int(r.get(S.R_ROWS_READ, 0)) for r in reports)
    out = pd.DataFrame({S.Q_REASON: list(counts), ROWS: list(counts.values())}, columns=[S.Q_REASON, ROWS])
    out[ROWS] = out[ROWS].astype("int64")
    out[SHARE] = out[ROWS] / read if read else np.nan
    return out.sort_values([ROWS, S.Q_REASON], ascending=[False, True], kind="stable").reset_index(drop=True)


def quarantine_by_file(reports: Iterable[dict]) -> pd.DataFrame:
    """Quarantined rows per file and reason (long): ``source_file``, ``reason``, ``rows``."""
    rows = [
        {S.SOURCE_FILE: r.get(S.R_SOURCE_FILE), S.Q_REASON: reason, ROWS: int(n)}
        for r in reports
        for reason, n in (r.get(S.R_QUARANTINE_BY_REASON) or {}).items()
    ]
    out = pd.DataFrame(rows, columns=[S.SOURCE_FILE, S.Q_REASON, ROWS])
    return out.sort_values([S.SOURCE_FILE, S.Q_REASON], kind="stable").reset_index(drop=True)


def report_issues(reports: Iterable[dict]) -> pd.DataFrame:
    """Values nulled, repaired or left unmapped at ingest: ``source_file``, ``kind``, ``column``, ``item``, ``count``.

    ``kind`` is ``values_nulled`` (item: why), ``repairs`` (item: which
    repair, e.g. a DST fix) or ``unmapped_values`` (item: the raw value, shown
    only when it passes the personal-data check, else as its kind and length:
    :func:`responsestats.privacy.redact_value`, for reports written before the
    ingest checked them).
    """
    rows = []
    for r in reports:
        for kind in S.REPORT_ISSUE_KINDS:
            for column, items in (r.get(kind) or {}).items():
                for item, n in (items or {}).items():
                    if kind == S.R_UNMAPPED_VALUES:
                        item = privacy.redact_value(item, category=True)
                    rows.append({S.SOURCE_FILE: r.get(S.R_SOURCE_FILE), KIND: kind, COLUMN: column, ITEM: item,
                                 COUNT: int(n)})  # fmt: skip
    out = pd.DataFrame(rows, columns=[S.SOURCE_FILE, KIND, COLUMN, ITEM, COUNT])
    return out.sort_values([KIND, COLUMN, S.SOURCE_FILE, ITEM], kind="stable").reset_index(drop=True)


def timestamp_quality(df: pd.DataFrame, months: Sequence[str] | None = None,
                      standard: Standard | None = None) -> pd.DataFrame:  # fmt: skip
    """Missing timestamps and negative intervals per month, as rows stand in the dataset.

    Missing: share of rows without the stamp, among the rows that should
    have it (:data:`MISSING_CHECKS`: ``arrived_at`` among calls not
    cancelled, ``arrested_at`` among arrests); with ``standard``, the invalid
    calls it names (hang-ups, harassment: no one is sent) are not checked. Negative: share of rows whose interval end precedes
    its start, among rows with both stamps. Nothing is excluded first (no
    self-initiated or cap rule): this is about the data, not the metric.

    Returns
    -------
    pandas.DataFrame
        One row per check x month: ``check`` (missing / negative), ``field``
        (a timestamp column or an interval), ``month``, ``n_checked``,
        ``n_flagged``, ``share`` (NaN when nothing was checked).
    """
    keys = month_keys(df).to_numpy()
    if months is None:
        months = sorted(set(keys.tolist()))
    months = list(months)
    values = compute_intervals(df, NEGATIVE_CHECKS)
    outcome = df[S.OUTCOME].astype("object").to_numpy()
    checks: list[tuple[str, str, np.ndarray, np.ndarray]] = []
    for column, only, unless in MISSING_CHECKS:
        applies = np.ones(len(df), dtype=bool) if only is None else np.isin(outcome, only)
        applies &= ~np.isin(outcome, unless)
        if standard is not None:
            applies &= ~standard.is_invalid(df)
        checks.append((CHECK_MISSING, column, applies, df[column].isna().to_numpy()))
    for interval in NEGATIVE_CHECKS:
        v = values[interval].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore"):
            checks.append((CHECK_NEGATIVE, interval, ~np.isnan(v), v < 0))
    rows = []
    for check, field, applies, flagged in checks:
        for month in months:
            here = applies & (keys == month)
            n = int(here.sum())
            k = int((here & flagged).sum())
            rows.append({CHECK: check, FIELD: field, N.KEY_MONTH: month, N_CHECKED: n, N_FLAGGED: k,
                         SHARE: k / n if n else np.nan})  # fmt: skip
    return pd.DataFrame(rows, columns=[CHECK, FIELD, N.KEY_MONTH, N_CHECKED, N_FLAGGED, SHARE])


def quality_wide(quality: pd.DataFrame, check: str, value: str = SHARE) -> pd.DataFrame:
    """One ``check`` of :func:`timestamp_quality` as a field x month table of ``value`` (share or n_flagged)."""
    rows = quality[quality[CHECK] == check]
    fields = list(dict.fromkeys(rows[FIELD]))
    months = list(dict.fromkeys(rows[N.KEY_MONTH]))
    return rows.pivot(index=FIELD, columns=N.KEY_MONTH, values=value).reindex(index=fields, columns=months)
