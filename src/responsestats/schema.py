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
RECEIVED_AT = "received_at"
DISPATCHED_AT = "dispatched_at"
ENROUTE_AT = "enroute_at"
ARRIVED_AT = "arrived_at"
CLEARED_AT = "cleared_at"
ARRESTED_AT = "arrested_at"

# --- outcome --------------------------------------------------------------
OUTCOME = "outcome"
OUTCOME_RAW = "outcome_raw"
CAUGHT_IN_ACT = "caught_in_act"

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

#: Stage timestamps in the order a response runs through them.
TIMESTAMP_COLUMNS: tuple[str, ...] = (
    RECEIVED_AT,
    DISPATCHED_AT,
    ENROUTE_AT,
    ARRIVED_AT,
    CLEARED_AT,
    ARRESTED_AT,
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
    pa.field(RECEIVED_AT, TIMESTAMP_TYPE, nullable=False),
    pa.field(DISPATCHED_AT, TIMESTAMP_TYPE),
    pa.field(ENROUTE_AT, TIMESTAMP_TYPE),
    pa.field(ARRIVED_AT, TIMESTAMP_TYPE),
    pa.field(CLEARED_AT, TIMESTAMP_TYPE),
    pa.field(ARRESTED_AT, TIMESTAMP_TYPE),
    pa.field(OUTCOME, pa.string(), nullable=False),
    pa.field(OUTCOME_RAW, pa.string()),
    pa.field(CAUGHT_IN_ACT, pa.bool_()),
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
REASON_MISSING_VALUE = "missing_required_value"
REASON_DUPLICATE_ROW = "duplicate_row"
REASON_REPEATED_HEADER = "repeated_header"
REASON_RAGGED_ROW = "ragged_row"

QUARANTINE_REASONS: tuple[str, ...] = (
    REASON_MISSING_ID,
    REASON_MISSING_TIMESTAMP,
    REASON_BAD_TIMESTAMP,
    REASON_MISSING_VALUE,
    REASON_DUPLICATE_ROW,
    REASON_REPEATED_HEADER,
    REASON_RAGGED_ROW,
)
