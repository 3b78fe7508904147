"""The canonical call-log schema: one constant per column, one pyarrow schema.

Every module refers to columns through these constants, never through string
literals. The glossary in ``docs/glossary.md`` describes each column; a test
checks that the two agree.

Conventions
-----------
* Timestamps are ``timestamp[us, tz=UTC]``. The agency's IANA zone is kept in
  :data:`TIMEZONE` on every row (and in the dataset's metadata), so that local
  month, weekday and hour can always be recovered.
* Durations are seconds (float64) and their names end in ``_s``.
"""

from __future__ import annotations

from typing import TypedDict

import pyarrow as pa

# --- identity -------------------------------------------------------------
AGENCY = "agency"
INCIDENT_ID = "incident_id"
UNIT_ID = "unit_id"

# --- classification -------------------------------------------------------
CALL_TYPE = "call_type"
CALL_GROUP = "call_group"
PRIORITY = "priority"
DISTRICT = "district"
AREA_CLASS = "area_class"
SELF_INITIATED = "self_initiated"

# --- timestamps (UTC) -----------------------------------------------------
#: The call reaching the answering point, ringing, before a call-taker answers (报警时间 BJSJ).
RING_AT = "ring_at"
RECEIVED_AT = "received_at"
DISPATCHED_AT = "dispatched_at"
#: The unit acknowledging the dispatch order (签收时间 QSSJ; "dispatch acknowledged").
ACKNOWLEDGED_AT = "acknowledged_at"
ENROUTE_AT = "enroute_at"
ARRIVED_AT = "arrived_at"
CLEARED_AT = "cleared_at"
#: The result reported back to the centre (反馈时间 FKSJ).
REPORTED_AT = "reported_at"
ARRESTED_AT = "arrested_at"

# --- outcome --------------------------------------------------------------
OUTCOME = "outcome"
OUTCOME_RAW = "outcome_raw"
CAUGHT_IN_ACT = "caught_in_act"
#: Persons arrested in the incident (抓获人数) [count]; an incident with an arrest has one or more.
PERSONS_ARRESTED = "persons_arrested"

# --- place ----------------------------------------------------------------
LATITUDE = "latitude"
LONGITUDE = "longitude"

# --- linkage (opt-in: mapping ``link_fields`` and a secret salt) ------------
#: HMAC-SHA-256 of the caller's identifying columns, keyed with the salt; null
#: unless the ingest was asked to link. The columns themselves are never stored.
CALLER_KEY = "caller_key"

# --- lineage --------------------------------------------------------------
TIMEZONE = "timezone"
SOURCE_FILE = "source_file"
SOURCE_ROW = "source_row"

# --- partition keys (derived, local time of the agency) -------------------
YEAR = "year"
MONTH = "month"

TIMESTAMP_TYPE = pa.timestamp("us", tz="UTC")

#: Suffix of a timestamp's local wall-clock twin (``read_calls(local=True)``: ``received_at_local``, ...).
LOCAL_SUFFIX = "_local"


def local_column(column: str) -> str:
    """The name of a timestamp column's local wall-clock twin, e.g. ``received_at_local``."""
    return column + LOCAL_SUFFIX


#: Stage timestamps in the order a response runs through them.
TIMESTAMP_COLUMNS: tuple[str, ...] = (
    RECEIVED_AT,
    DISPATCHED_AT,
    ENROUTE_AT,
    ARRIVED_AT,
    CLEARED_AT,
    ARRESTED_AT,
    # stamps some sources have besides the stages above (after them here, so that the first six keep their
    # places): the call ringing before it is answered, the order acknowledged, the result reported back
    RING_AT,
    ACKNOWLEDGED_AT,
    REPORTED_AT,
)

#: Canonical outcome categories. ``unknown`` means the source gave none.
OUTCOMES: tuple[str, ...] = (
    "arrest",
    "citation",
    "report",
    "advised",
    "unfounded",
    "gone_on_arrival",
    "cancelled",
    "duplicate",
    "transport",
    "other",
    "unknown",
)
OUTCOME_ARREST = "arrest"
OUTCOME_UNKNOWN = "unknown"
OUTCOME_OTHER = "other"

#: Area classes used by standards whose target depends on the kind of area.
AREA_CLASSES: tuple[str, ...] = ("urban", "suburban", "rural")

_FIELDS: tuple[pa.Field, ...] = (
    pa.field(AGENCY, pa.string(), nullable=False),
    pa.field(INCIDENT_ID, pa.string(), nullable=False),
    pa.field(UNIT_ID, pa.string()),
    pa.field(CALL_TYPE, pa.string()),
    pa.field(CALL_GROUP, pa.string()),
    pa.field(PRIORITY, pa.string()),
    pa.field(DISTRICT, pa.string()),
    pa.field(AREA_CLASS, pa.string()),
    pa.field(SELF_INITIATED, pa.bool_()),
    pa.field(RING_AT, TIMESTAMP_TYPE),
    pa.field(RECEIVED_AT, TIMESTAMP_TYPE, nullable=False),
    pa.field(DISPATCHED_AT, TIMESTAMP_TYPE),
    pa.field(ACKNOWLEDGED_AT, TIMESTAMP_TYPE),
    pa.field(ENROUTE_AT, TIMESTAMP_TYPE),
    pa.field(ARRIVED_AT, TIMESTAMP_TYPE),
    pa.field(CLEARED_AT, TIMESTAMP_TYPE),
    pa.field(REPORTED_AT, TIMESTAMP_TYPE),
    pa.field(ARRESTED_AT, TIMESTAMP_TYPE),
    pa.field(OUTCOME, pa.string(), nullable=False),
    pa.field(OUTCOME_RAW, pa.string()),
    pa.field(CAUGHT_IN_ACT, pa.bool_()),
    pa.field(PERSONS_ARRESTED, pa.int32()),
    pa.field(LATITUDE, pa.float64()),
    pa.field(LONGITUDE, pa.float64()),
    pa.field(CALLER_KEY, pa.string()),
    pa.field(TIMEZONE, pa.string(), nullable=False),
    pa.field(SOURCE_FILE, pa.string(), nullable=False),
    pa.field(SOURCE_ROW, pa.int64(), nullable=False),
)

#: The canonical schema of one call-log row (as stored in each Parquet file).
CANONICAL_SCHEMA: pa.Schema = pa.schema(_FIELDS)

#: Column names in schema order.
COLUMNS: tuple[str, ...] = tuple(f.name for f in _FIELDS)

#: Partition keys of the dataset (``agency=/year=/month=``). ``agency`` is
#: also kept inside the files; ``year`` and ``month`` are local-time keys.
PARTITION_KEYS: tuple[str, ...] = (AGENCY, YEAR, MONTH)
PARTITION_SCHEMA: pa.Schema = pa.schema(
    [pa.field(AGENCY, pa.string()), pa.field(YEAR, pa.int32()), pa.field(MONTH, pa.int32())]
)

#: Schema of the dataset as read with hive partitioning (files + year/month keys).
DATASET_SCHEMA: pa.Schema = pa.schema(list(_FIELDS) + [PARTITION_SCHEMA.field(YEAR), PARTITION_SCHEMA.field(MONTH)])

# --- dimensions: the agency's own columns -----------------------------------
#: Prefix of a dimension's column in the stored files (``[dimensions.station]`` -> ``dim_station``), so that no
#: dimension can clash with a canonical column. ``read_calls`` gives dimensions under their own names.
DIMENSION_PREFIX = "dim_"
#: A dimension's stored type: text, dictionary-encoded (a few distinct values, many rows).
DIMENSION_TYPE = pa.dictionary(pa.int32(), pa.string())
#: Names a dimension may take: lower-case letters, digits and ``_``, starting with a letter, at most 32.
DIMENSION_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"


def dimension_column(name: str) -> str:
    """The stored column of dimension ``name`` (``station`` -> ``dim_station``)."""
    return DIMENSION_PREFIX + name


def dimension_name(column: str) -> str:
    """The dimension a stored column holds (``dim_station`` -> ``station``)."""
    return column[len(DIMENSION_PREFIX):]


def dataset_schema(dimensions: tuple[str, ...] = ()) -> pa.Schema:
    """:data:`DATASET_SCHEMA` with the stored columns of ``dimensions`` (names, not columns) appended."""
    if not dimensions:
        return DATASET_SCHEMA
    return pa.schema(list(DATASET_SCHEMA) + [pa.field(dimension_column(d), DIMENSION_TYPE) for d in dimensions])

# --- quarantine table -----------------------------------------------------
Q_SOURCE_FILE = "source_file"
Q_SOURCE_ROW = "source_row"
Q_COLUMN = "column"
Q_RAW_VALUE = "raw_value"
Q_REASON = "reason"
Q_FILE_SHA256 = "file_sha256"

QUARANTINE_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field(Q_SOURCE_FILE, pa.string(), nullable=False),
        pa.field(Q_SOURCE_ROW, pa.int64(), nullable=False),
        pa.field(Q_COLUMN, pa.string()),
        pa.field(Q_RAW_VALUE, pa.string()),
        pa.field(Q_REASON, pa.string(), nullable=False),
        pa.field(Q_FILE_SHA256, pa.string(), nullable=False),
    ]
)

# Quarantine reasons (the vocabulary of the ``reason`` column).
REASON_MISSING_ID = "missing_incident_id"
REASON_MISSING_TIMESTAMP = "missing_required_timestamp"
REASON_BAD_TIMESTAMP = "unparseable_required_timestamp"
#: A required time read, but outside the valid years (1970-2100) or later than the ingest's clock plus a day.
REASON_OUT_OF_RANGE_TIMESTAMP = "out_of_range_required_timestamp"
REASON_MISSING_VALUE = "missing_required_value"
REASON_DUPLICATE_ROW = "duplicate_row"
REASON_REPEATED_HEADER = "repeated_header"
REASON_RAGGED_ROW = "ragged_row"
#: At incident level, a later row of the same file with the incident id of an earlier row kept (mapping
#: ``[format] duplicate_ids = "quarantine"``, the default).
REASON_DUPLICATE_ID = "duplicate_incident_id"
#: The same, set aside as the mapping declares (``duplicate_ids = "keep_first"``): not counted by the quality gate.
REASON_LATER_ROW_OF_INCIDENT = "later_row_of_incident"

QUARANTINE_REASONS: tuple[str, ...] = (
    REASON_MISSING_ID,
    REASON_MISSING_TIMESTAMP,
    REASON_BAD_TIMESTAMP,
    REASON_OUT_OF_RANGE_TIMESTAMP,
    REASON_MISSING_VALUE,
    REASON_DUPLICATE_ROW,
    REASON_REPEATED_HEADER,
    REASON_RAGGED_ROW,
    REASON_DUPLICATE_ID,
    REASON_LATER_ROW_OF_INCIDENT,
)
#: Quarantine reasons that the mapping asked for (not a defect of the file): the quality gate leaves them out.
DECLARED_QUARANTINE_REASONS: tuple[str, ...] = (REASON_LATER_ROW_OF_INCIDENT,)

# --- ingest report ------------------------------------------------------------------------------
# One JSON document per input file, kept in the dataset's ``_reports/`` folder and returned by
# ``store.read_reports``. The keys are defined here once: ingestion writes them, the store orders
# the reports by them, and the briefing reads them.
R_SOURCE_FILE = "source_file"
R_SOURCE_PATH = "source_path"
R_FILE_SHA256 = "file_sha256"
R_FILE_KEY = "file_key"
R_FILE_BYTES = "file_bytes"
R_ENCODING = "encoding"
R_FORMAT = "format"
R_AGENCY = "agency"
R_TIMEZONE = "timezone"
R_LEVEL = "level"
R_MIDNIGHT_ROLLOVER = "midnight_rollover"
R_LOOKUPS = "lookups"
R_CLOCK_START = "clock_start"
R_COLUMNS_USED = "columns_used"
#: The dimensions the file's mapping declares (names), whether or not the file has their columns.
R_DIMENSIONS = "dimensions"
#: The canonical outcomes the file's outcome field can yield (``unknown`` alone: the file has no outcome column).
R_OUTCOMES_POSSIBLE = "outcomes_possible"
#: What a district is at the agency, as the mapping says (``[fields.district] noun``: beat, battalion...); empty: grid.
R_DISTRICT_NOUN = "district_noun"
R_FIELDS_NOT_IN_SOURCE = "fields_not_in_source"
R_CALLER_KEY_FROM = "caller_key_from"
R_ROWS_READ = "rows_read"
R_ROWS_WRITTEN = "rows_written"
R_ROWS_QUARANTINED = "rows_quarantined"
R_RECONCILED = "reconciled"
R_QUARANTINE_BY_REASON = "quarantine_by_reason"
#: Quarantined rows per reason and source column, most first, each with its most frequent value (a list of
#: objects with the items ``R_I_*`` below).
R_QUARANTINE_BY_COLUMN = "quarantine_by_column"
#: At incident level: later rows whose incident id an earlier row of the same file has, and what was done.
R_DUPLICATE_INCIDENT_IDS = "duplicate_incident_ids"
#: Rows of earlier files that this file's rows replaced (same incident and unit keys), and per earlier file.
R_ROWS_REPLACED = "rows_replaced"
R_REPLACED_FROM = "replaced_from"
#: Rows of this file that later files replaced, and per later file (updated when they are ingested).
R_ROWS_SUPERSEDED = "rows_superseded"
R_SUPERSEDED_BY = "superseded_by"
R_NULLS_PER_COLUMN = "nulls_per_column"
R_VALUES_NULLED = "values_nulled"
R_REPAIRS = "repairs"
#: Duration columns with values that two declared patterns read on either side of plausibility (one reading
#: under an hour, another over a day): column -> counts and examples.
R_AMBIGUOUS_DURATIONS = "ambiguous_durations"
R_UNMAPPED_VALUES = "unmapped_values"
R_LOOKUP_UNMATCHED = "lookup_unmatched"
R_INGESTED_AT = "ingested_at"
R_RESPONSESTATS_VERSION = "responsestats_version"
R_PYTHON = "python"
R_CANONICAL_COLUMNS = "canonical_columns"
#: Keys of a whole run's summary (``IngestResult.to_dict``) besides the counts above.
R_DATASET = "dataset"
R_FILES = "files"
R_REPEATED_INPUTS = "repeated_inputs"
#: Items of the report's objects: ``quarantine_by_column`` entries (reason, column, rows, example, example_row),
#: ``duplicate_incident_ids`` (action, incident_id_from, rows, examples) and each column of
#: ``ambiguous_durations`` (rows, read_as, over_a_day_as, under_an_hour_as, examples).
R_I_REASON = "reason"
R_I_COLUMN = "column"
R_I_ROWS = "rows"
R_I_EXAMPLE = "example"
R_I_EXAMPLE_ROW = "example_row"
R_I_EXAMPLES = "examples"
R_I_ACTION = "action"
R_I_ID_FROM = "incident_id_from"
R_I_READ_AS = "read_as"
R_I_OVER_A_DAY_AS = "over_a_day_as"
R_I_UNDER_AN_HOUR_AS = "under_an_hour_as"

#: Key of the ``attrs`` of a frame ``read_calls`` returns: what its files' reports say of the sources, a dict of
#: ``R_OUTCOMES_POSSIBLE`` (the union over the files; None when a report predates the key) and
#: ``R_COLUMNS_USED`` (the canonical fields any file read). Outcome figures use it to tell "not recorded" from 0.
FRAME_SOURCES = "sources"

#: The report of one input file: its keys, in the order they are written, and their types.
FileReport = TypedDict(
    "FileReport",
    {
        R_SOURCE_FILE: str,
        R_SOURCE_PATH: str,
        R_FILE_SHA256: str,
        R_FILE_KEY: str,
        R_FILE_BYTES: int,
        R_ENCODING: "str | None",
        R_FORMAT: str,
        R_AGENCY: str,
        R_TIMEZONE: str,
        R_LEVEL: str,
        R_MIDNIGHT_ROLLOVER: bool,
        R_LOOKUPS: "dict[str, str]",
        R_CLOCK_START: str,
        R_COLUMNS_USED: "dict[str, str]",
        R_DIMENSIONS: "list[str]",
        R_OUTCOMES_POSSIBLE: "list[str]",
        R_DISTRICT_NOUN: str,
        R_FIELDS_NOT_IN_SOURCE: "list[str]",
        R_CALLER_KEY_FROM: "list[str]",
        R_ROWS_READ: int,
        R_ROWS_WRITTEN: int,
        R_ROWS_QUARANTINED: int,
        R_RECONCILED: bool,
        R_QUARANTINE_BY_REASON: "dict[str, int]",
        R_QUARANTINE_BY_COLUMN: "list[dict]",
        R_DUPLICATE_INCIDENT_IDS: "dict",
        R_ROWS_REPLACED: int,
        R_REPLACED_FROM: "dict[str, int]",
        R_ROWS_SUPERSEDED: int,
        R_SUPERSEDED_BY: "dict[str, int]",
        R_NULLS_PER_COLUMN: "dict[str, int]",
        R_VALUES_NULLED: "dict[str, dict[str, int]]",
        R_REPAIRS: "dict[str, dict[str, int]]",
        R_AMBIGUOUS_DURATIONS: "dict[str, dict]",
        R_UNMAPPED_VALUES: "dict[str, dict[str, int]]",
        R_LOOKUP_UNMATCHED: "dict[str, dict[str, int]]",
        R_INGESTED_AT: str,
        R_RESPONSESTATS_VERSION: str,
        R_PYTHON: str,
        R_CANONICAL_COLUMNS: "list[str]",
    },
)
#: The keys of :data:`FileReport`, in order.
REPORT_KEYS: tuple[str, ...] = tuple(FileReport.__annotations__)
#: Report sections that count values per column (column -> item -> count), shown as data issues.
REPORT_ISSUE_KINDS: tuple[str, ...] = (R_VALUES_NULLED, R_REPAIRS, R_UNMAPPED_VALUES)
