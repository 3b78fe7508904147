"""Turn one block of raw text columns into canonical rows and quarantined rows.

Everything here is driven by the :class:`~responsestats.mapping.Mapping`; there
are no per-agency branches. Each row of a block ends up either in the canonical
table or in the quarantine table (with a reason), never in both, never in
neither: ``rows_read == rows_written + rows_quarantined`` holds per block.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema as S
from ..mapping import DATE_KEY_SUFFIX, LOOKUP_KEY_PREFIX, FieldSpec, Mapping
from .read import RawBlock
from .timestamps import (  # noqa: F401 - re-exported names kept for callers
    REPAIR_DST_AMBIGUOUS,
    REPAIR_DST_NONEXISTENT,
    VALID_YEARS,
    VALUE_OUT_OF_RANGE,
    VALUE_UNPARSEABLE,
    localize_stage,
    parse_stage,
    resolve_stages,
)

VALUE_UNRECOGNISED = "unrecognised"
VALUE_NO_MATCH = "extract_no_match"


@dataclass
class FileStats:
    """Counts for one input file, accumulated over its blocks (the ingest report)."""

    rows_read: int = 0
    rows_written: int = 0
    rows_quarantined: int = 0
    quarantine_by_reason: Counter = field(default_factory=Counter)
    nulls_per_column: Counter = field(default_factory=Counter)
    values_nulled: dict = field(default_factory=lambda: defaultdict(Counter))
    repairs: dict = field(default_factory=lambda: defaultdict(Counter))
    unmapped_values: dict = field(default_factory=lambda: defaultdict(Counter))
    lookup_unmatched: dict = field(default_factory=lambda: defaultdict(Counter))

    def to_dict(self) -> dict:
        """JSON-ready dict, keys sorted for stable output."""
        def nested(d):
            return {k: dict(sorted(v.items())) for k, v in sorted(d.items()) if v}

        return {
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "rows_quarantined": self.rows_quarantined,
            "reconciled": self.rows_read == self.rows_written + self.rows_quarantined,
            "quarantine_by_reason": dict(sorted(self.quarantine_by_reason.items())),
            "nulls_per_column": {c: int(self.nulls_per_column.get(c, 0)) for c in S.COLUMNS},
            "values_nulled": nested(self.values_nulled),
            "repairs": nested(self.repairs),
            "unmapped_values": {k: dict(v.most_common(20)) for k, v in sorted(self.unmapped_values.items()) if v},
            "lookup_unmatched": {k: dict(v.most_common(20)) for k, v in sorted(self.lookup_unmatched.items()) if v},
        }


@dataclass
class FileContext:
    """What the normaliser needs to know about the file being read."""

    mapping: Mapping
    resolved: dict[str, str]  # canonical field -> source column (see Mapping.resolve_columns)
    agency: str
    timezone: str
    source_file: str
    file_sha256: str
    typed: bool = False  # cells come typed (Excel, Parquet) and are rendered as ISO text
    link_columns: tuple[str, ...] = ()  # source columns hashed into caller_key (only with link_salt)
    link_salt: bytes | None = None
    stats: FileStats = field(default_factory=FileStats)
    seen_hashes: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint64))


@dataclass
class NormalizedBlock:
    """Canonical rows of one block, with their local-time partition keys."""

    table: pa.Table
    year: np.ndarray
    month: np.ndarray
    quarantine: pa.Table


def normalize_block(block: RawBlock, ctx: FileContext) -> NormalizedBlock:
    """Normalise one raw block (see module docstring)."""
    stats = ctx.stats
    mapping = ctx.mapping
    n = block.num_rows
    raw = _clean_text(block, ctx)
    caller_key = None
    if ctx.link_salt is not None:
        caller_key = caller_keys([raw[c] for c in ctx.link_columns], ctx.link_salt)
        mapped = set(ctx.resolved.values())
        for c in ctx.link_columns:  # personal columns: used for the key, then dropped
            if c not in mapped:
                del raw[c]
    q_rows: list[np.ndarray] = []
    q_cols: list[str | None] = []
    q_vals: list[pd.Series | None] = []
    q_reasons: list[str] = []
    bad = np.zeros(n, bool)

    def quarantine(mask: np.ndarray, reason: str, column: str | None, values: pd.Series | None) -> None:
        mask = mask & ~bad
        if mask.any():
            q_rows.append(block.rows[mask])
            q_cols.append(column)
            q_vals.append(None if values is None else values[mask])
            q_reasons.append(reason)
            bad[mask] = True

    # A header line repeated inside the data (files concatenated with their headers).
    if n and raw:
        is_header = np.ones(n, bool)
        for src, values in raw.items():
            is_header &= (values == src).fillna(False).to_numpy(bool)
        quarantine(is_header, S.REASON_REPEATED_HEADER, None, None)

    # (bucket, field, kind, mask, values): value-level findings, counted on kept rows only
    findings: list[tuple[str, str, str, np.ndarray, pd.Series | None]] = []
    joined = _join_lookups(raw, ctx, findings, n)

    def field_values(spec: FieldSpec) -> tuple[pd.Series, str | None]:
        src = ctx.resolved.get(spec.name)
        if src is None:
            return pd.Series([None] * n, dtype=object), None
        values = joined[src] if src in joined else raw[src]
        if spec.na_values:
            values = values.where(~values.isin(spec.na_values), None)
        if spec.extract is not None:
            values, no_match = _extract(values, spec.extract)
            findings.append(("values_nulled", spec.name, VALUE_NO_MATCH, no_match, None))
        return values, src

    # Timestamps first: stages depend on each other (durations, midnight rollover).
    stages = {}
    for spec in mapping.fields.values():
        if spec.kind == "timestamp":
            values, src = field_values(spec)
            date_col = ctx.resolved.get(spec.name + DATE_KEY_SUFFIX)
            date_values = raw[date_col] if date_col is not None else None
            stages[spec.name] = parse_stage(spec, values, src, date_values, typed=ctx.typed, date_column=date_col)
    resolve_stages(stages, mapping.fields, mapping.midnight_rollover)

    out: dict[str, pd.Series] = {}
    outcome_values = None
    for spec in mapping.fields.values():
        if spec.kind == "timestamp":
            stage = stages[spec.name]
            out[spec.name] = localize_stage(stage, ctx.timezone)
            findings.extend(stage.findings)
            if spec.required:
                if stage.date_missing is not None:  # a clock-only time: name the date column when it failed
                    quarantine(stage.date_missing, S.REASON_MISSING_TIMESTAMP, stage.date_column, stage.date_raw)
                quarantine(stage.missing, S.REASON_MISSING_TIMESTAMP, stage.column, stage.raw)
                if stage.date_unusable is not None:
                    quarantine(stage.date_unusable, S.REASON_BAD_TIMESTAMP, stage.date_column, stage.date_raw)
                quarantine(stage.unusable, S.REASON_BAD_TIMESTAMP, stage.column, stage.raw)
        else:
            values, src = field_values(spec)
            if spec.name == S.OUTCOME and src is not None:
                outcome_values = values
            out[spec.name], found = _convert(values, spec)
            findings.extend(found)
            if spec.required:
                missing = out[spec.name].isna().to_numpy()
                reason = S.REASON_MISSING_ID if spec.name == S.INCIDENT_ID else S.REASON_MISSING_VALUE
                quarantine(missing, reason, src, values)

    if caller_key is not None:
        out[S.CALLER_KEY] = caller_key
    if outcome_values is not None:
        out[S.OUTCOME_RAW] = outcome_values
    else:
        out[S.OUTCOME] = pd.Series([S.OUTCOME_UNKNOWN] * n, dtype=object)

    # Exact duplicate records (every mapped source value equal): keep the first.
    if n and raw:
        hashes = pd.util.hash_pandas_object(pd.DataFrame(raw), index=False).to_numpy(np.uint64)
        dup = pd.Series(hashes).duplicated().to_numpy() | np.isin(hashes, ctx.seen_hashes)
        quarantine(dup, S.REASON_DUPLICATE_ROW, None, None)
        ctx.seen_hashes = np.union1d(ctx.seen_hashes, hashes)

    keep = ~bad
    _count_findings(findings, keep, stats)
    table = _to_canonical(out, keep, block.rows, ctx)
    local = out[S.RECEIVED_AT][keep].dt.tz_convert(ctx.timezone)
    year = local.dt.year.to_numpy(np.int32)
    month = local.dt.month.to_numpy(np.int32)

    qtable = _quarantine_table(q_rows, q_cols, q_vals, q_reasons, block.bad_records, ctx)
    stats.rows_read += n + len(block.bad_records)
    stats.rows_written += table.num_rows
    stats.rows_quarantined += qtable.num_rows
    for reason in qtable.column(S.Q_REASON).to_pylist():
        stats.quarantine_by_reason[reason] += 1
    for name in S.COLUMNS:
        stats.nulls_per_column[name] += table.column(name).null_count
    return NormalizedBlock(table=table, year=year, month=month, quarantine=qtable)


def normalize_link_value(value: str | None) -> str:
    """A linked column's value as compared: Unicode NFKC, case folded, runs of spaces as one; None as ''."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFKC", str(value)).casefold().split())


def caller_keys(columns: list[pd.Series], salt: bytes) -> pd.Series:
    """``caller_key`` of each row: HMAC-SHA-256 (keyed with ``salt``) of the linked values, hex.

    The values are normalised (:func:`normalize_link_value`) and joined with
    U+001F; a row whose linked values are all missing has no key (None).
    """
    n = len(columns[0]) if columns else 0
    keys: list[str | None] = [None] * n
    for i, parts in enumerate(zip(*(c.tolist() for c in columns))):
        norm = [normalize_link_value(v) for v in parts]
        if any(norm):
            keys[i] = hmac.new(salt, "\x1f".join(norm).encode("utf-8"), hashlib.sha256).hexdigest()
    return pd.Series(keys, dtype=object)


def _join_lookups(raw: dict[str, pd.Series], ctx: FileContext, findings: list, n: int) -> dict[str, pd.Series]:
    """Columns read from lookup tables (``"<lookup>.<column>"``), joined on their key column."""
    joined: dict[str, pd.Series] = {}
    for key, key_col in ctx.resolved.items():
        if not key.startswith(LOOKUP_KEY_PREFIX):
            continue
        lookup = ctx.mapping.lookups[key[len(LOOKUP_KEY_PREFIX):]]
        keys = raw[key_col]
        unmatched = (keys.notna() & ~keys.isin(lookup.keys)).to_numpy()
        findings.append(("lookup_unmatched", lookup.name, "", unmatched, keys))
        for col, table in lookup.table.items():
            values = keys.map(table).astype(object)
            values = values.where(values.notna(), None)
            if lookup.unmatched == "key":
                values[unmatched] = keys[unmatched]
            joined[f"{lookup.name}.{col}"] = values
    return joined


def _extract(values: pd.Series, pattern: re.Pattern) -> tuple[pd.Series, np.ndarray]:
    """The first group of ``pattern`` (or its whole match) in each value; the mask of values it missed."""
    if pattern.groups == 0:
        pattern = re.compile(f"({pattern.pattern})", pattern.flags)
    got = values.str.extract(pattern, expand=True).iloc[:, 0].astype(object)  # by position: groups may be named
    got = got.where(got.notna(), None)
    no_match = (values.notna() & got.isna()).to_numpy()
    return got, no_match


def _clean_text(block: RawBlock, ctx: FileContext) -> dict[str, pd.Series]:
    """Source columns as object Series: spaces trimmed, NA tokens as None (vectorised in Arrow)."""
    na = pa.array(sorted(set(ctx.mapping.na_values)), pa.string())
    cleaned: dict[str, pd.Series] = {}
    for src, arr in block.columns.items():
        trimmed = pc.utf8_trim_whitespace(arr)
        missing = pc.fill_null(pc.is_in(trimmed, value_set=na), True)
        values = pc.if_else(missing, pa.scalar(None, pa.string()), trimmed)
        cleaned[src] = pd.Series(values.to_numpy(zero_copy_only=False), dtype=object)
    return cleaned


def _count_findings(findings, keep: np.ndarray, stats: FileStats) -> None:
    for bucket, name, kind, mask, values in findings:
        mask = mask & keep
        if not mask.any():
            continue
        if bucket in ("unmapped", "lookup_unmatched"):
            target = stats.unmapped_values if bucket == "unmapped" else stats.lookup_unmatched
            for value, count in values[mask].value_counts().items():
                target[name][str(value)] += int(count)
        else:
            getattr(stats, bucket)[name][kind] += int(mask.sum())


def _convert(values: pd.Series, spec: FieldSpec):
    """Convert a non-timestamp source column to its canonical values, with findings."""
    present = values.notna().to_numpy()
    if spec.kind == "float":
        num = pd.to_numeric(values, errors="coerce")
        unparseable = present & num.isna().to_numpy()
        limit = 90.0 if spec.name == S.LATITUDE else 180.0
        wild = (num.abs() > limit).fillna(False).to_numpy(bool)
        return num.where(~wild).astype("float64"), [
            ("values_nulled", spec.name, VALUE_UNPARSEABLE, unparseable, None),
            ("values_nulled", spec.name, VALUE_OUT_OF_RANGE, wild, None),
        ]
    if spec.kind == "bool":
        truthy = {v.casefold() for v in spec.true_values}
        falsy = {v.casefold() for v in spec.false_values}
        folded = values.str.casefold()
        result = pd.Series(None, index=values.index, dtype=object)
        result[folded.isin(truthy).fillna(False).to_numpy(bool)] = True
        unknown = np.zeros(len(values), bool)
        if falsy:
            result[folded.isin(falsy).fillna(False).to_numpy(bool)] = False
            unknown = present & result.isna().to_numpy()
        else:
            result[present & result.isna().to_numpy()] = False
        if spec.default is not None:
            result[~present] = bool(spec.default)
        return result, [("values_nulled", spec.name, VALUE_UNRECOGNISED, unknown, None)]
    if spec.name == S.OUTCOME:
        return _map_outcome(values, spec)
    if spec.value_map:
        mapped = values.map(spec.value_map)
        unmapped = present & mapped.isna().to_numpy()
        fallback = values if spec.default is None else pd.Series(spec.default, index=values.index, dtype=object)
        result = mapped.where(mapped.notna(), fallback.where(values.notna(), None))
        return result, [("unmapped", spec.name, "", unmapped, values)]
    if spec.default is not None:
        return values.where(values.notna(), str(spec.default)), []
    return values, []


def _map_outcome(values: pd.Series, spec: FieldSpec):
    """Source outcome text -> canonical category (case-insensitive); missing -> unknown."""
    folded_map = {k.casefold(): v for k, v in spec.value_map.items()}
    mapped = values.str.casefold().map(folded_map)
    unmapped = values.notna().to_numpy() & mapped.isna().to_numpy()
    default = spec.default or S.OUTCOME_OTHER
    result = mapped.where(mapped.notna(), default).where(values.notna(), S.OUTCOME_UNKNOWN)
    return result, [("unmapped", spec.name, "", unmapped, values)]


def _to_canonical(out: dict[str, pd.Series], keep: np.ndarray, rows: np.ndarray, ctx: FileContext) -> pa.Table:
    n = int(keep.sum())
    arrays = []
    for fld in S.CANONICAL_SCHEMA:
        name = fld.name
        if name in out:
            series = out[name][keep]
            values = series.to_numpy() if fld.type != S.TIMESTAMP_TYPE else series
            arr = pa.array(values, type=fld.type, from_pandas=True)
        elif name == S.AGENCY:
            arr = pa.array([ctx.agency] * n, pa.string())
        elif name == S.TIMEZONE:
            arr = pa.array([ctx.timezone] * n, pa.string())
        elif name == S.SOURCE_FILE:
            arr = pa.array([ctx.source_file] * n, pa.string())
        elif name == S.SOURCE_ROW:
            arr = pa.array(rows[keep], pa.int64())
        else:
            arr = pa.nulls(n, fld.type)
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=S.CANONICAL_SCHEMA)


def _quarantine_table(q_rows, q_cols, q_vals, q_reasons, bad_records, ctx: FileContext) -> pa.Table:
    rows, cols, vals, reasons = [], [], [], []
    for r, c, v, why in zip(q_rows, q_cols, q_vals, q_reasons):
        rows.append(r)
        cols.extend([c] * len(r))
        vals.extend([None] * len(r) if v is None else v.tolist())
        reasons.extend([why] * len(r))
    for record, _desc in bad_records:
        rows.append(np.array([record], np.int64))
        cols.append(None)
        vals.append(None)
        reasons.append(S.REASON_RAGGED_ROW)
    row_arr = np.concatenate(rows) if rows else np.empty(0, np.int64)
    order = np.argsort(row_arr, kind="stable")
    n = len(row_arr)
    table = pa.table(
        {
            S.Q_SOURCE_FILE: pa.array([ctx.source_file] * n, pa.string()),
            S.Q_SOURCE_ROW: pa.array(row_arr, pa.int64()),
            S.Q_COLUMN: pa.array(cols, pa.string()),
            S.Q_RAW_VALUE: pa.array(vals, pa.string()),
            S.Q_REASON: pa.array(reasons, pa.string()),
            S.Q_FILE_SHA256: pa.array([ctx.file_sha256] * n, pa.string()),
        },
        schema=S.QUARANTINE_SCHEMA,
    )
    return table.take(pa.array(order))
