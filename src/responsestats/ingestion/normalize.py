"""Turn one block of raw text columns into canonical rows and quarantined rows.

Everything here is driven by the :class:`~responsestats.formats.mapping.Mapping`; there
are no per-agency branches. Each row of a block ends up either in the canonical
table or in the quarantine table (with a reason), never in both, never in
neither: ``rows_read == rows_written + rows_quarantined`` holds per block.

A block is handled in two steps so that blocks can be prepared in parallel:
:func:`prepare_block` does all the per-row work on one block alone (it only
reads the :class:`FileContext`), and :func:`finish_block`, called on the blocks
in file order, finds records repeated from earlier blocks and does the
counting. The work is vectorised: text stays in Arrow arrays, and rules that
depend on a value alone (maps, flags, lookups, patterns) are applied once per
distinct value and spread to the rows.

At incident level, :func:`finish_block` also finds the rows whose incident id an
earlier row of the file kept already has (in file order, across blocks, in bounded
memory: :class:`~.fingerprints.SeenHashes` keyed on the id) and does with them what
the mapping's ``[format] duplicate_ids`` says.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import privacy
from .. import schema as S
from ..formats.mapping import (
    DATE_KEY_SUFFIX,
    DUPLICATE_IDS_KEEP_FIRST,
    DUPLICATE_IDS_MERGE,
    LOOKUP_KEY_PREFIX,
    SYNTHETIC_FILE_ROW,
    FieldSpec,
    Mapping,
    hash_key,
)
from ..errors import MappingError
from ..sources import RawBlock
from .fingerprints import SeenHashes, hex_hashes, int_hashes, row_hashes, text_hashes
from .report import FileStats
from .spill import SpillSpace
from .timestamps import (
    VALUE_OUT_OF_RANGE,
    VALUE_UNPARSEABLE,
    bool_mask,
    localize_stage,
    parse_stage,
    resolve_stages,
    text_series,
)

VALUE_UNRECOGNISED = "unrecognised"
VALUE_NO_MATCH = "extract_no_match"
#: ``values_nulled`` item of a source value kept in place (``outcome_raw``) that the personal-data check
#: (:mod:`responsestats.privacy`) flagged: ``personal_<kind>``; the value is kept as ``[personal: <kind>]``.
VALUE_PERSONAL = "personal_{kind}"


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
    spill: SpillSpace | None = None  # where the sets below spill past their memory budget (None: a folder of their own)
    seen: SeenHashes | None = None  # fingerprints of the records read so far (made from ``spill`` if not given)
    seen_ids: SeenHashes | None = None  # incident ids of the rows kept so far (incident level; made when needed)
    personal: PersonalCheck = field(default_factory=lambda: PersonalCheck())  # text columns checked for personal data

    def __post_init__(self) -> None:
        if self.seen is None:
            self.seen = SeenHashes(self.spill)

    def close(self) -> None:
        """Free the sets of fingerprints and incident ids (and their runs on disk): the file is read."""
        for seen in (self.seen, self.seen_ids):
            if seen is not None:
                seen.close()


@dataclass
class NormalizedBlock:
    """Canonical rows of one block, with their local-time partition keys."""

    table: pa.Table
    year: np.ndarray
    month: np.ndarray
    quarantine: pa.Table


@dataclass
class PreparedBlock:
    """A block after :func:`prepare_block`: everything but the checks against earlier blocks."""

    n: int
    rows: np.ndarray  # record number of each row
    bad_records: list
    table: pa.Table  # canonical rows of the rows not quarantined so far
    year: np.ndarray  # local-time partition keys of those rows
    month: np.ndarray
    bad: np.ndarray  # rows quarantined so far
    quarantined: list  # (mask, reason, column, values): in the order the rules ran
    findings: list  # (bucket, field, kind, mask, values), counted on kept rows only
    hashes: np.ndarray | None  # fingerprint of each row (duplicate records); None: no columns read
    # Incident level only (else None): the rows kept so far that repeat an id of an earlier row of the block
    # [bool], the block's distinct ids of those rows as sorted 64-bit hashes, the row of each id's first
    # occurrence with its hash, each row's id (the quarantine's raw value) and its source column (None: a
    # synthetic id).
    id_later: np.ndarray | None = None
    id_run: np.ndarray | None = None
    id_first_rows: np.ndarray | None = None
    id_first_hashes: np.ndarray | None = None
    id_values: pa.Array | None = None
    id_column: str | None = None
    #: The block's values of every text column checked for personal data: (column, values, dimension?,
    #: identifier?); :class:`PersonalCheck` judges them in windows of the file, in file order.
    personal: list = field(default_factory=list)


def prepare_block(block: RawBlock, ctx: FileContext) -> PreparedBlock:
    """The per-row work on one block, independent of other blocks (safe to run in threads)."""
    mapping = ctx.mapping
    n = block.num_rows
    raw, encoded = _clean_text(block, ctx)
    block.columns = {}  # the text as read is no longer needed: free it now (memory per block in flight)
    caller_key = None
    if ctx.link_salt is not None:
        caller_key = caller_keys([text_series(raw[c]) for c in ctx.link_columns], ctx.link_salt)
        mapped = set(ctx.resolved.values())
        for c in ctx.link_columns:  # personal columns: used for the key, then dropped
            if c not in mapped:
                del raw[c]
    bad = np.zeros(n, bool)
    quarantined: list = []

    def quarantine(mask: np.ndarray, reason: str, column: str | None, values: pa.Array | None) -> None:
        mask = mask & ~bad
        if mask.any():
            quarantined.append((mask, reason, column, values))
            bad[mask] = True

    # A header line repeated inside the data (files concatenated with their headers).
    if n and raw:
        is_header = np.ones(n, bool)
        for src, values in raw.items():
            is_header &= bool_mask(pc.equal(values, src))
            if not is_header.any():  # the usual case: known after the first column
                break
        quarantine(is_header, S.REASON_REPEATED_HEADER, None, None)

    findings: list = []
    joined = _join_lookups(raw, ctx, findings)

    def field_values(spec: FieldSpec) -> tuple[pa.Array, str | None]:
        src = ctx.resolved.get(spec.name)
        if src is None:
            return pa.nulls(n, pa.string()), None
        values = joined[src] if src in joined else raw[src]
        if spec.na_values:
            values = pc.if_else(bool_mask(pc.is_in(values, value_set=pa.array(spec.na_values, pa.string()))),
                                pa.scalar(None, pa.string()), values)
        if spec.extract is not None:
            values, no_match = _extract(values, spec.extract)
            findings.append((S.R_VALUES_NULLED, spec.name, VALUE_NO_MATCH, no_match, None))
        return values, src

    # Timestamps first: stages depend on each other (durations, midnight rollover).
    stages = {}
    value_hashes: dict[str, np.ndarray] = {}  # source column -> hash of each value, where cheaper than its text
    for spec in mapping.fields.values():
        if spec.kind == "timestamp":
            values, src = field_values(spec)
            date_col = ctx.resolved.get(spec.name + DATE_KEY_SUFFIX)
            date_values = raw[date_col] if date_col is not None else None
            stage = parse_stage(spec, values, src, date_values, typed=ctx.typed, date_column=date_col)
            stages[spec.name] = stage
            if src is not None and src not in value_hashes and values is raw.get(src) and spec.after is None:
                value_hashes[src] = _timestamp_hashes(stage, values)
    resolve_stages(stages, mapping.fields, mapping.midnight_rollover)

    out: dict = {}
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
                far = stage.out_of_range if stage.out_of_range is not None else np.zeros(n, bool)
                quarantine(stage.unusable & far, S.REASON_OUT_OF_RANGE_TIMESTAMP, stage.column, stage.raw)
                quarantine(stage.unusable & ~far, S.REASON_BAD_TIMESTAMP, stage.column, stage.raw)
        else:
            if spec.synthetic is not None:
                values, src = _synthetic_ids(spec, raw, block.rows, ctx, encoded), None
            else:
                values, src = field_values(spec)
            if spec.name == S.OUTCOME and src is not None:
                outcome_values = values
            out[spec.name], found = _convert(values, spec, _encoding_of(values, encoded))
            findings.extend(found)
            if spec.required:
                missing = ~bool_mask(out[spec.name].is_valid())
                reason = S.REASON_MISSING_ID if spec.name == S.INCIDENT_ID else S.REASON_MISSING_VALUE
                quarantine(missing, reason, src, values)

    if caller_key is not None:
        out[S.CALLER_KEY] = pa.array(caller_key.to_numpy(dtype=object), pa.string(), from_pandas=True)
    if outcome_values is not None:
        out[S.OUTCOME_RAW] = _outcome_raw(outcome_values, _encoding_of(outcome_values, encoded), findings)
    else:
        out[S.OUTCOME] = _repeat(S.OUTCOME_UNKNOWN, n)

    # Exact duplicate records (every source value read equal): the first is kept.
    hashes = None
    text_parts: dict[int, tuple[pa.Array, np.ndarray]] = {}  # id(array) -> (array, hash of its text)
    if raw:
        parts = []
        for c, v in raw.items():
            if c in value_hashes:
                parts.append(value_hashes[c])
            else:
                parts.append(text_hashes(v, _encoding_of(v, encoded)))
                text_parts[id(v)] = (v, parts[-1])
        hashes = row_hashes(parts, n)
        first = np.zeros(n, bool)
        first[np.unique(hashes, return_index=True)[1]] = True
        quarantine(~first, S.REASON_DUPLICATE_ROW, None, None)
    ids = {}
    if mapping.level == "incident" and n:  # repeats within the block; finish_block checks earlier blocks
        ids = _block_ids(out[S.INCIDENT_ID], ~bad, text_parts)
        ids["id_column"] = ctx.resolved.get(S.INCIDENT_ID)
    keep = ~bad
    personal: list = []  # (column, its values, dimension?, identifier?), checked in file order (finish_block)
    table = _to_canonical(out, keep, block.rows, ctx, personal)
    local = pc.cast(table.column(S.RECEIVED_AT), pa.timestamp("us", tz=ctx.timezone))
    return PreparedBlock(n=n, rows=block.rows, bad_records=block.bad_records, table=table,
                         year=pc.year(local).to_numpy().astype(np.int32),
                         month=pc.month(local).to_numpy().astype(np.int32),
                         bad=bad, quarantined=quarantined, findings=findings, hashes=hashes, personal=personal,
                         **ids)


def finish_block(prep: PreparedBlock, ctx: FileContext) -> NormalizedBlock:
    """Quarantine records repeated from earlier blocks and, at incident level, rows whose incident id an earlier
    row kept has (as ``[format] duplicate_ids`` says); count, and build the tables (in file order)."""
    for column, values, dimension, identifier in prep.personal:
        ctx.personal.feed(values, column, ctx, dimension=dimension, identifier=identifier)
    stats = ctx.stats
    n = prep.n
    bad = prep.bad
    quarantined = list(prep.quarantined)
    table, year, month = prep.table, prep.year, prep.month
    removed = np.zeros(n, bool)  # rows of the table quarantined here
    if n and prep.hashes is not None:
        dup = ctx.seen.contains(prep.hashes) & ~bad if len(ctx.seen) else np.zeros(n, bool)
        ctx.seen.add(prep.hashes)
        if dup.any():  # records already met in an earlier block
            quarantined.append((dup, S.REASON_DUPLICATE_ROW, None, None))
            removed |= dup
    if prep.id_run is not None:
        later = _later_incident_rows(prep, ~bad & ~removed, ctx)
        if later.any() and ctx.mapping.duplicate_ids != DUPLICATE_IDS_MERGE:
            reason = (S.REASON_LATER_ROW_OF_INCIDENT if ctx.mapping.duplicate_ids == DUPLICATE_IDS_KEEP_FIRST
                      else S.REASON_DUPLICATE_ID)
            quarantined.append((later, reason, prep.id_column, prep.id_values))
            removed |= later
    if removed.any():
        stay = ~removed[~bad]  # over the rows of the table
        table, year, month = table.filter(pa.array(stay)), year[stay], month[stay]
        bad = bad | removed
    keep = ~bad
    _count_findings(prep.findings, keep, stats)

    qtable = _quarantine_table(quarantined, prep.rows, prep.bad_records, ctx)
    stats.rows_read += n + len(prep.bad_records)
    stats.rows_written += table.num_rows
    stats.rows_quarantined += qtable.num_rows
    for reason, count in zip(*np.unique(np.asarray(qtable.column(S.Q_REASON).to_pylist(), dtype=object)
                                       .astype(str), return_counts=True)):
        stats.quarantine_by_reason[str(reason)] += int(count)
    for name in S.COLUMNS:
        stats.nulls_per_column[name] += table.column(name).null_count
    return NormalizedBlock(table=table, year=year, month=month, quarantine=qtable)


#: Incident ids listed as examples in the report's ``duplicate_incident_ids`` (the first met in the file).
DUPLICATE_ID_EXAMPLES = 5


def _block_ids(ids: pa.Array, kept: np.ndarray, text_parts: dict) -> dict:
    """The :class:`PreparedBlock` items of the incident-id check that need no other block (run in threads).

    ``kept`` [bool]: the rows not quarantined so far; ``text_parts``: id(array) -> (array, its text hashes)
    of the columns hashed for the fingerprints (the id column's hashes are reused when it is one of them).
    """
    known = text_parts.get(id(ids))
    hashes = known[1] if known is not None and known[0] is ids else text_hashes(ids)
    rows = np.flatnonzero(kept)
    kept_hashes = hashes[rows]
    run = np.sort(kept_hashes)
    if not (run[1:] == run[:-1]).any():  # the usual case: no id twice in the block
        return dict(id_later=np.zeros(len(kept), bool), id_run=run, id_first_rows=rows, id_first_hashes=kept_hashes,
                    id_values=ids)
    run, first = np.unique(kept_hashes, return_index=True)  # sorted distinct ids, each one's first row
    later = kept.copy()
    later[rows[first]] = False
    return dict(id_later=later, id_run=run, id_first_rows=rows[first], id_first_hashes=run, id_values=ids)


def _later_incident_rows(prep: PreparedBlock, kept: np.ndarray, ctx: FileContext) -> np.ndarray:
    """Rows of a block (among ``kept`` [bool]) whose incident id an earlier kept row of the file has [bool].

    "Earlier" is in file order: earlier in the block (:func:`_block_ids`), or in an earlier block. The ids
    met so far are remembered as 64-bit hashes in a :class:`~.fingerprints.SeenHashes`: each block's
    distinct ids, at most 8 bytes per record, in memory up to its budget and on disk past it. (A row of
    those that ``kept`` leaves out here is an exact duplicate of an earlier record, whose id is remembered
    already, or a repeat of a remembered id: adding its id changes nothing.) The rows are counted, with
    examples, in ``ctx.stats``; what happens to them is the caller's.
    """
    if ctx.seen_ids is None:
        ctx.seen_ids = SeenHashes(ctx.spill)
    later = prep.id_later & kept
    if len(ctx.seen_ids):
        seen = ctx.seen_ids.contains(prep.id_first_hashes)
        later[prep.id_first_rows[seen]] = True
        later &= kept
    ctx.seen_ids.add(prep.id_run, presorted=True)
    count = int(later.sum())
    if count:
        stats = ctx.stats
        stats.duplicate_id_rows += count
        if len(stats.duplicate_id_examples) < DUPLICATE_ID_EXAMPLES:
            ids = prep.id_values.filter(pa.array(later)).slice(0, 4 * DUPLICATE_ID_EXAMPLES).to_pylist()
            for value in dict.fromkeys(ids):
                shown = privacy.redact_value(value, category=True)
                if shown not in stats.duplicate_id_examples:
                    stats.duplicate_id_examples.append(shown)
            del stats.duplicate_id_examples[DUPLICATE_ID_EXAMPLES:]
    return later


def _synthetic_ids(spec: FieldSpec, raw: dict[str, pa.Array], rows: np.ndarray, ctx: FileContext,
                   encoded: dict) -> pa.Array:
    """The ids of a source without an id column (``[fields.incident_id] synthetic``), one per row.

    ``file_row``: ``<source file>:<source_row>`` (``export.csv:17``). ``hash``: 16 hex digits of the
    64-bit hash (:func:`~.fingerprints.row_hashes`) of the cleaned text of the ``hash_of`` columns, in
    their order; null where they are all missing.
    """
    if spec.synthetic == SYNTHETIC_FILE_ROW:
        return pc.binary_join_element_wise(pa.scalar(f"{ctx.source_file}:"), pc.cast(pa.array(rows), pa.string()),
                                           "")
    columns = [raw[ctx.resolved[hash_key(spec.name, k)]] for k in range(1, len(spec.hash_of) + 1)]
    hashes = row_hashes([text_hashes(c, _encoding_of(c, encoded)) for c in columns], len(rows))
    ids = hex_hashes(hashes)
    none = np.ones(len(rows), bool)
    for c in columns:
        none &= ~bool_mask(c.is_valid())
    if none.any():
        ids = pc.if_else(pa.array(none), pa.scalar(None, pa.string()), ids)
    return ids


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


def _outcome_raw(values: pa.Array, encoded: pa.DictionaryArray | None, findings: list) -> pa.Array:
    """The source outcome text kept as ``outcome_raw``: each value that passes the personal-data check.

    A flagged value (a phone number, a name, free text, ...: :func:`responsestats.privacy.personal_kind`)
    is kept as ``[personal: <kind>]`` and counted under ``values_nulled`` (``outcome_raw`` ->
    ``personal_<kind>``). Checked once per distinct value.
    """
    kept, _flagged, by_kind = privacy.redact(values, category=True, with_length=False, encoded=encoded)
    for kind, mask in by_kind.items():
        findings.append((S.R_VALUES_NULLED, S.OUTCOME_RAW, VALUE_PERSONAL.format(kind=kind), mask, None))
    return kept


def _timestamp_hashes(stage, values: pa.Array) -> np.ndarray:
    """Hash of each value of a timestamp's source column: the wall time (and zone) it reads as.

    Cheaper than hashing the text, and the same for equal texts. Values that
    do not read as a time (or that a date column completes) are hashed as text.
    """
    naive = stage.naive.to_numpy("datetime64[us]")
    h = int_hashes(naive.view(np.int64))
    offset = np.nan_to_num(stage.offset, nan=-1e9)
    if (offset != -1e9).any():
        h = row_hashes([h, int_hashes(offset.astype(np.int64))], len(h))
    as_text = np.isnat(naive) | (stage.date_missing is not None)
    if as_text.any():
        h[as_text] = text_hashes(values.filter(pa.array(as_text)))
    return h


def _join_lookups(raw: dict[str, pa.Array], ctx: FileContext, findings: list) -> dict[str, pa.Array]:
    """Columns read from lookup tables (``"<lookup>.<column>"``), joined on their key column."""
    joined: dict[str, pa.Array] = {}
    for key, key_col in ctx.resolved.items():
        if not key.startswith(LOOKUP_KEY_PREFIX):
            continue
        lookup = ctx.mapping.lookups[key[len(LOOKUP_KEY_PREFIX):]]
        keys = raw[key_col]
        table_keys = pa.array(sorted(lookup.keys), pa.string())
        pos = pc.index_in(keys, value_set=table_keys)
        unmatched = bool_mask(keys.is_valid()) & ~bool_mask(pos.is_valid())
        findings.append((S.R_LOOKUP_UNMATCHED, lookup.name, "", unmatched, keys))
        for col, table in lookup.table.items():
            column = pa.array([table.get(k) for k in table_keys.to_pylist()], pa.string())
            values = column.take(pos)
            if lookup.unmatched == "key":
                values = pc.if_else(pa.array(unmatched), keys, values)
            joined[f"{lookup.name}.{col}"] = values
    return joined


def _by_value(values: pa.Array, fn, encoded: pa.DictionaryArray | None = None) -> tuple[list, np.ndarray]:
    """Apply ``fn`` (one value, None for missing -> a result) once per distinct value.

    Applying a function of the value alone to the distinct values (null
    included) gives what applying it to every row gives. ``encoded`` is
    ``values`` already dictionary-encoded, if at hand. Returns the results, one
    per distinct value, and the row -> distinct-value index [int64]
    (:func:`_spread` turns them into one value per row).
    """
    enc = encoded if encoded is not None else pc.dictionary_encode(values)
    uniques = enc.dictionary.to_pylist() + [None]
    codes = enc.indices.fill_null(len(uniques) - 1).to_numpy(zero_copy_only=False).astype(np.int64)
    return [fn(u) for u in uniques], codes


def _spread(results: list, codes: np.ndarray, type_: pa.DataType) -> pa.Array:
    """Per-distinct-value results -> one value per row, as Arrow."""
    return pa.array(results, type_).take(pa.array(codes))


def _spread_mask(flags: list, codes: np.ndarray) -> np.ndarray:
    """Per-distinct-value flags -> a mask over the rows [bool]."""
    return np.array(flags, bool)[codes]


def _extract(values: pa.Array, pattern: re.Pattern) -> tuple[pa.Array, np.ndarray]:
    """The first group of ``pattern`` (or its whole match) in each value; the mask of values it missed."""
    fast = _re2_pattern(pattern)
    if fast is not None and pc.all(pc.string_is_ascii(values)).as_py() is not False:
        try:
            result = pc.extract_regex(values, pattern=fast).flatten()[0]  # flatten: no match stays null
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # a construct RE2 lacks
            result = None
        if result is not None:
            return result, bool_mask(values.is_valid()) & ~bool_mask(result.is_valid())
    linear = _linear_time(pattern.pattern if pattern.groups else f"({pattern.pattern})")

    def first_group(value: str | None) -> str | None:  # as pandas' str.extract: the first group, by position
        found = linear.search(value) if value is not None else None
        return found.group(1) if found else None

    got, codes = _by_value(values, first_group)
    result = _spread(got, codes, pa.string())
    no_match = bool_mask(values.is_valid()) & ~bool_mask(result.is_valid())
    return result, no_match


def _linear_time(pattern: str):
    """``pattern`` compiled by RE2 (the ``google-re2`` bindings): matching takes time linear in the text, where
    Python's ``re`` may backtrack for hours (``^(a+)+$``). The mapping checked that RE2 takes the pattern
    (:func:`responsestats.formats.mapping._check_linear_time`).

    ``\\d`` is any decimal digit, as in Python (full-width ``１２３`` in Chinese exports, Arabic-Indic digits):
    it is rewritten as RE2's ``\\p{Nd}`` (``\\D`` as ``\\P{Nd}``). ``\\w``, ``\\s`` and ``\\b`` are ASCII in RE2
    (docs/mappings.md)."""
    import re2

    return re2.compile(_unicode_digits(pattern))


def _unicode_digits(pattern: str) -> str:
    """``pattern`` with every ``\\d`` / ``\\D`` (not itself escaped) as ``\\p{Nd}`` / ``\\P{Nd}``, in and out of classes."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            pair = pattern[i:i + 2]
            out.append({"\\d": "\\p{Nd}", "\\D": "\\P{Nd}"}.get(pair, pair))
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def _re2_pattern(pattern: re.Pattern) -> str | None:
    """The pattern for Arrow's ``extract_regex`` (RE2), when it reads ASCII text as Python's ``re`` does.

    That is: no flags, and every capturing group named (Arrow returns named
    groups only), or none (the whole match). Else None: pandas does it.
    """
    if pattern.flags & ~re.UNICODE:
        return None
    if pattern.groups == 0:
        return f"(?P<match>{pattern.pattern})"
    return pattern.pattern if len(pattern.groupindex) == pattern.groups else None


def _clean_text(block: RawBlock, ctx: FileContext) -> tuple[dict[str, pa.Array], dict]:
    """Source columns as Arrow text: spaces trimmed, NA tokens as null.

    Columns with non-ASCII text (in practice: categories in Chinese) are
    cleaned once per distinct value; their dictionary encoding is returned too
    (see :func:`_encoding_of`), for the per-value rules and the duplicate check
    to reuse.
    """
    na = pa.array(sorted(set(ctx.mapping.na_values)), pa.string())
    cleaned: dict[str, pa.Array] = {}
    encoded: dict[int, tuple[pa.Array, pa.DictionaryArray]] = {}
    for src, arr in block.columns.items():
        if pc.all(pc.string_is_ascii(arr)).as_py() is not False:
            cleaned[src] = _clean(pc.ascii_trim_whitespace(arr), na)
            continue
        enc = pc.dictionary_encode(arr)
        words = _clean(pc.utf8_trim_whitespace(enc.dictionary), na)
        cleaned[src] = words.take(enc.indices)
        encoded[id(cleaned[src])] = (cleaned[src], pa.DictionaryArray.from_arrays(enc.indices, words))
    return cleaned, encoded


def _encoding_of(values: pa.Array, encoded: dict) -> pa.DictionaryArray | None:
    """The dictionary encoding :func:`_clean_text` made of exactly this array, if any.

    Keyed by ``id()``; the entry holds the array itself, so that the id cannot
    be reused by another array while the entry exists, and is checked by identity.
    """
    entry = encoded.get(id(values))
    return entry[1] if entry is not None and entry[0] is values else None


def _clean(trimmed: pa.Array, na: pa.Array) -> pa.Array:
    """NA tokens (of trimmed text) as null."""
    missing = pc.is_in(trimmed, value_set=na)
    if pc.any(missing).as_py():
        trimmed = pc.if_else(pc.fill_null(missing, True), pa.scalar(None, pa.string()), trimmed)
    return trimmed


def _count_findings(findings, keep: np.ndarray, stats: FileStats) -> None:
    for bucket, name, kind, mask, values in findings:
        mask = mask & keep
        if not mask.any():
            continue
        if bucket == S.R_AMBIGUOUS_DURATIONS:
            stats.add_ambiguous_durations(name, kind, int(mask.sum()),
                                          pc.value_counts(values.filter(pa.array(mask))).to_pylist())
            continue
        target = stats.section(bucket)
        if bucket in (S.R_UNMAPPED_VALUES, S.R_LOOKUP_UNMATCHED):
            counts = pc.value_counts(values.filter(pa.array(mask)))
            # listed only when they pass the personal-data check, else as their kind and length
            for value, count in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()):
                target[name][str(privacy.redact_value(value, category=True))] += int(count)
        else:
            target[name][kind] += int(mask.sum())


#: Largest count a count field (``persons_arrested``) takes [count]; a larger value is nulled as out of range.
MAX_COUNT = 1000


def _convert(values: pa.Array, spec: FieldSpec, encoded: pa.DictionaryArray | None = None):
    """Convert a non-timestamp source column to its canonical values (Arrow), with findings.

    ``encoded``: ``values`` dictionary-encoded, if at hand (see :func:`_clean_text`).
    """
    present = bool_mask(values.is_valid())
    if spec.kind == "float":
        try:  # the usual case: every value is a number
            num = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:  # pandas' reading, once per distinct value
            enc = encoded if encoded is not None else pc.dictionary_encode(values)
            uniques = pd.Series(enc.dictionary.to_pylist() + [None], dtype=object)
            codes = enc.indices.fill_null(len(uniques) - 1).to_numpy(zero_copy_only=False).astype(np.int64)
            num = pd.to_numeric(uniques, errors="coerce").astype("float64").to_numpy()[codes]
        num = np.asarray(num, dtype="float64").copy()
        unparseable = present & np.isnan(num)
        limit = 90.0 if spec.name == S.LATITUDE else 180.0
        with np.errstate(invalid="ignore"):
            wild = np.abs(num) > limit
        num[wild] = np.nan
        return pa.array(num, pa.float64(), from_pandas=True), [
            (S.R_VALUES_NULLED, spec.name, VALUE_UNPARSEABLE, unparseable, None),
            (S.R_VALUES_NULLED, spec.name, VALUE_OUT_OF_RANGE, wild, None),
        ]
    if spec.kind == "count":  # a whole number of persons: 0 to MAX_COUNT; anything else is nulled and counted
        enc = encoded if encoded is not None else pc.dictionary_encode(values)
        uniques = pd.Series(enc.dictionary.to_pylist() + [None], dtype=object)
        codes = enc.indices.fill_null(len(uniques) - 1).to_numpy(zero_copy_only=False).astype(np.int64)
        num = pd.to_numeric(uniques.str.strip(), errors="coerce").astype("float64").to_numpy()[codes]
        unparseable = present & np.isnan(num)
        with np.errstate(invalid="ignore"):
            wild = (num < 0) | (num > MAX_COUNT) | (np.floor(num) != num)
        wild &= ~np.isnan(num)
        num[wild] = np.nan
        return pa.array(num, pa.float64(), from_pandas=True).cast(pa.int32()), [
            (S.R_VALUES_NULLED, spec.name, VALUE_UNPARSEABLE, unparseable, None),
            (S.R_VALUES_NULLED, spec.name, VALUE_OUT_OF_RANGE, wild, None),
        ]
    if spec.kind == "bool":
        truthy = {v.casefold() for v in spec.true_values}
        falsy = {v.casefold() for v in spec.false_values}
        default = None if spec.default is None else bool(spec.default)

        def flag(value: str | None) -> tuple[bool | None, bool]:
            """(the flag, whether the value was present but recognised as neither)."""
            if value is None:
                return default, False
            folded = value.casefold()
            if falsy and folded in falsy:  # a value in both lists reads as false
                return False, False
            if folded in truthy:
                return True, False
            return (None, True) if falsy else (False, False)

        got, codes = _by_value(values, flag, encoded)
        return _spread([g[0] for g in got], codes, pa.bool_()), [
            (S.R_VALUES_NULLED, spec.name, VALUE_UNRECOGNISED, _spread_mask([g[1] for g in got], codes), None)]
    if spec.name == S.OUTCOME:
        return _map_outcome(values, spec, encoded)
    if spec.value_map:
        got, codes = _by_value(values, spec.value_map.get, encoded)
        mapped = _spread(got, codes, pa.string())
        unmapped = present & ~bool_mask(mapped.is_valid())
        fallback = values if spec.default is None else pa.scalar(str(spec.default), pa.string())
        result = pc.if_else(mapped.is_valid(), mapped, pc.if_else(values.is_valid(), fallback,
                                                                  pa.scalar(None, pa.string())))
        return result, [(S.R_UNMAPPED_VALUES, spec.name, "", unmapped, values)]
    if spec.default is not None:
        return pc.fill_null(values, str(spec.default)), []
    return values, []


def _map_outcome(values: pa.Array, spec: FieldSpec, encoded: pa.DictionaryArray | None = None):
    """Source outcome text -> canonical category (case-insensitive); missing -> unknown."""
    folded_map = {k.casefold(): v for k, v in spec.value_map.items()}
    default = spec.default or S.OUTCOME_OTHER

    def category(value: str | None) -> tuple[str, bool]:
        """(the category, whether the value was present but not in the map)."""
        if value is None:
            return S.OUTCOME_UNKNOWN, False
        mapped = folded_map.get(value.casefold())
        return (default, True) if mapped is None else (mapped, False)

    got, codes = _by_value(values, category, encoded)
    return _spread([g[0] for g in got], codes, pa.string()), [
        (S.R_UNMAPPED_VALUES, spec.name, "", _spread_mask([g[1] for g in got], codes), values)]


def _to_canonical(out: dict, keep: np.ndarray, rows: np.ndarray, ctx: FileContext,
                  personal: list | None = None) -> pa.Table:  # fmt: skip
    n = int(keep.sum())
    keep_arr = pa.array(keep)
    arrays = []
    for fld in S.CANONICAL_SCHEMA:
        name = fld.name
        if name in out:
            values = out[name]
            if isinstance(values, np.ndarray):  # UTC instants [datetime64[us]]
                arr = pa.array(values[keep], pa.timestamp("us")).cast(fld.type)
            else:
                arr = values.filter(keep_arr)
                if arr.type != fld.type:
                    arr = arr.cast(fld.type)
        elif name == S.AGENCY:
            arr = _repeat(ctx.agency, n)
        elif name == S.TIMEZONE:
            arr = _repeat(ctx.timezone, n)
        elif name == S.SOURCE_FILE:
            arr = _repeat(ctx.source_file, n)
        elif name == S.SOURCE_ROW:
            arr = pa.array(rows[keep], pa.int64())
        else:
            arr = pa.nulls(n, fld.type)
        arrays.append(arr)
    for spec in ctx.mapping.fields.values():  # personal data in a mapped text column (a custom mapping's slip)
        if (spec.kind == "string" and spec.name in S.COLUMNS and spec.name not in _CHECKED_ELSEWHERE
                and not spec.not_personal and spec.synthetic is None and isinstance(out.get(spec.name), pa.Array)):
            personal.append((spec.name, out[spec.name].drop_null(), False, spec.name in _IDENTIFIERS))
    schema = S.CANONICAL_SCHEMA
    dims = [S.dimension_column(d) for d in ctx.mapping.dimensions]
    if dims:  # the agency's own columns, after the canonical ones, dictionary-encoded
        for column in dims:
            values = out[column]
            if ctx.mapping.dimensions[S.dimension_name(column)] == "":
                personal.append((column, values.drop_null(), True, False))
            arrays.append(pc.dictionary_encode(values.filter(keep_arr).cast(pa.string())).cast(S.DIMENSION_TYPE))
        schema = pa.schema(list(S.CANONICAL_SCHEMA) + [pa.field(c, S.DIMENSION_TYPE) for c in dims])
    return pa.Table.from_arrays(arrays, schema=schema)


#: A dimension is refused as personal when at least this share of its distinct values read as personal data
#: (:func:`responsestats.privacy.personal_kind`: phone numbers, resident ID numbers, e-mail addresses, names,
#: free text) ...
DIMENSION_PERSONAL_SHARE = 0.2
#: ... or, in a block of at least :data:`DIMENSION_MIN_ROWS` rows with a value, when it has more distinct values
#: than this share of them (a free text or a per-call identifier, not a category).
DIMENSION_DISTINCT_SHARE = 0.6
DIMENSION_MIN_ROWS = 200
#: Distinct personal-looking values a column needs before it is refused [count]: one odd value (a stray phone
#: number typed into a call type, a junk cell) is no personal column. A canonical field's free text is not
#: counted either (a long call type is odd, not personal); a dimension's is.
MIN_PERSONAL_VALUES = 3
#: Distinct values of a block checked for personal data [count] (the most a category needs).
_DIMENSION_CHECKED = 2000


#: Text fields checked for personal data by their own rules: the outcome (its raw text passes the check value by
#: value, ``outcome_raw``) and the caller key (a salted hash).
_CHECKED_ELSEWHERE = frozenset({S.OUTCOME, S.OUTCOME_RAW, S.CALLER_KEY, S.AGENCY, S.TIMEZONE, S.SOURCE_FILE})
#: Identifier fields: checked only for what an id cannot be mistaken for (:func:`privacy.identifier_kind`).
_IDENTIFIERS = frozenset({S.INCIDENT_ID, S.UNIT_ID})


#: Values of a column judged together for personal data [count]: the file's present values, in file order, cut
#: into windows of this many (the last one shorter), whatever the blocks the reader cut the file into, so that
#: the verdict does not depend on the block size.
PERSONAL_WINDOW = 100_000


class PersonalCheck:
    """The personal-data check of one file's text columns, in windows of :data:`PERSONAL_WINDOW` values.

    :meth:`feed` takes each block's values in file order and judges (:func:`_refuse_personal`) every full
    window; :meth:`finish` judges what is left at the end of the file. Memory: at most one window per column.
    """

    def __init__(self) -> None:
        self._pending: dict[str, list[pa.Array]] = {}
        self._flags: dict[str, tuple[bool, bool]] = {}

    def feed(self, values: pa.Array, column: str, ctx: FileContext, *, dimension: bool = False,
             identifier: bool = False) -> None:  # fmt: skip
        """Add a block's present values of ``column``; judge each window they complete."""
        self._flags[column] = (dimension, identifier)
        chunks = self._pending.setdefault(column, [])
        chunks.append(values)
        held = sum(len(c) for c in chunks)
        while held >= PERSONAL_WINDOW:
            whole = pa.concat_arrays([c.cast(pa.string()) for c in chunks]) if len(chunks) > 1 else chunks[0]
            _refuse_personal(whole.slice(0, PERSONAL_WINDOW), column, ctx, dimension=dimension,
                             identifier=identifier)  # fmt: skip
            rest = whole.slice(PERSONAL_WINDOW)
            chunks[:] = [rest] if len(rest) else []
            held -= PERSONAL_WINDOW

    def finish(self, ctx: FileContext) -> None:
        """Judge the last window of every column (the end of the file)."""
        for column, chunks in self._pending.items():
            if chunks and sum(len(c) for c in chunks):
                whole = pa.concat_arrays([c.cast(pa.string()) for c in chunks]) if len(chunks) > 1 else chunks[0]
                dimension, identifier = self._flags[column]
                _refuse_personal(whole, column, ctx, dimension=dimension, identifier=identifier)
        self._pending.clear()


def _refuse_personal(values: pa.Array, column: str, ctx: FileContext, *, dimension: bool = False,
                     identifier: bool = False) -> None:
    """Raise :class:`MappingError` when a mapped text column without ``not_personal`` looks like personal data.

    A mapped column's values are stored and shown in every table grouped by it, so a column of phone numbers,
    ID numbers, e-mail addresses or names must not be mapped by a slip of a mapping (the caller's phone read as
    the district, or as the incident id). The check: at least :data:`DIMENSION_PERSONAL_SHARE` of the distinct
    values (up to :data:`_DIMENSION_CHECKED` of them) read as personal data (:func:`privacy.personal_kind`;
    :func:`privacy.identifier_kind` for ids); for a dimension also more distinct values than
    :data:`DIMENSION_DISTINCT_SHARE` of the rows (free text). The message names the file, the field, its source
    column and what the values look like, never a value.
    """
    present = values.drop_null()
    if len(present) == 0:
        return
    distinct = pc.unique(present)
    name = S.dimension_name(column) if dimension else column
    table = f"[dimensions.{name}]" if dimension else f"[fields.{name}]"
    what = f"dimension '{name}'" if dimension else f"field '{name}'"
    where = f"{ctx.source_file}: {what} (column '{ctx.resolved.get(column, '?')}', mapping '{ctx.mapping.name}')"
    advice = (f"its values are kept in the dataset and shown in every table grouped by it; map another column, or "
              f"if the values are not personal, say why in {table} not_personal = \"...\"")
    sample = distinct.slice(0, _DIMENSION_CHECKED).to_pylist()
    kind_of = privacy.identifier_kind if identifier else (lambda v: privacy.personal_kind(v, category=True))
    kinds = [k for k in map(kind_of, sample) if k is not None and (dimension or k != privacy.KIND_FREE_TEXT)]
    enough = max(MIN_PERSONAL_VALUES, DIMENSION_PERSONAL_SHARE * len(sample))
    contacts = [k for k in kinds if k != privacy.KIND_FREE_TEXT]
    if len(contacts) >= enough:  # phones, ID numbers, e-mail, names: named first, as what they are
        kind = max(set(contacts), key=contacts.count)
        raise MappingError(f"{where}: {len(contacts):,} of {len(sample):,} distinct values read as personal data "
                           f"({kind}); {advice}")
    if dimension and len(present) >= DIMENSION_MIN_ROWS and len(distinct) > DIMENSION_DISTINCT_SHARE * len(present):
        raise MappingError(f"{where}: {len(distinct):,} distinct values in {len(present):,} rows look like free text "
                           f"or a per-call identifier, not a category; {advice}")
    if len(kinds) >= enough:
        kind = max(set(kinds), key=kinds.count)
        raise MappingError(f"{where}: {len(kinds):,} of {len(sample):,} distinct values read as personal data "
                           f"({kind}); {advice}")


def _repeat(value: str, n: int) -> pa.Array:
    """One string ``n`` times, as Arrow."""
    return pc.fill_null(pa.nulls(n, pa.string()), value)


def _raw_values(values: pa.Array) -> pa.Array:
    """The quarantine's ``raw_value``: the source text where it passes the personal-data check, else
    ``[personal: <kind>, <n> chars]`` (the values of a failing required column are no category: 2 to 3
    Han characters after a common surname count as a name, see :func:`responsestats.privacy.personal_kind`)."""
    kept, _flagged, _by_kind = privacy.redact(values.cast(pa.string()), category=False, with_length=True)
    return kept


def _quarantine_table(quarantined: list, rows: np.ndarray, bad_records, ctx: FileContext) -> pa.Table:
    row_parts, col_parts, val_parts, reason_parts = [], [], [], []
    for mask, reason, column, values in quarantined:
        m = int(mask.sum())
        row_parts.append(rows[mask])
        col_parts.append(pa.array([column] * m, pa.string()))
        val_parts.append(pa.nulls(m, pa.string()) if values is None else _raw_values(values.filter(pa.array(mask))))
        reason_parts.append(pa.array([reason] * m, pa.string()))
    for record, _desc in bad_records:
        row_parts.append(np.array([record], np.int64))
        col_parts.append(pa.nulls(1, pa.string()))
        val_parts.append(pa.nulls(1, pa.string()))
        reason_parts.append(pa.array([S.REASON_RAGGED_ROW], pa.string()))
    row_arr = np.concatenate(row_parts) if row_parts else np.empty(0, np.int64)
    order = pa.array(np.argsort(row_arr, kind="stable"))
    n = len(row_arr)

    def cat(parts):
        return pa.concat_arrays(parts).take(order) if parts else pa.array([], pa.string())

    return pa.table(
        {
            S.Q_SOURCE_FILE: pa.array([ctx.source_file] * n, pa.string()),
            S.Q_SOURCE_ROW: pa.array(row_arr, pa.int64()).take(order),
            S.Q_COLUMN: cat(col_parts),
            S.Q_RAW_VALUE: cat(val_parts),
            S.Q_REASON: cat(reason_parts),
            S.Q_FILE_SHA256: pa.array([ctx.file_sha256] * n, pa.string()),
        },
        schema=S.QUARANTINE_SCHEMA,
    )
