"""Format mappings: how one export's columns become canonical fields.

A mapping is a TOML file (see ``docs/mappings.md`` for every key). The
built-in formats are mapping files shipped in ``responsestats/formats/builtin``;
``--mapping FILE.toml`` loads any other. Mappings are data, parsed with
:mod:`tomllib`: nothing in them is executed (``extract`` is a regular
expression, matched, never run).

A mapping has five tables: ``[format]`` (the file as a whole), ``[fields.*]``
(one per canonical column), ``[repairs]`` (rules that fix known defects of
real exports), ``[lookups.*]`` (small CSV tables joined by key, whose
columns fields may read as ``"<lookup>.<column>"``) and ``[dimensions.*]``
(columns of the agency's own kept as named dimensions, stored as
``dim_<name>``).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import schema as S
from ..config import MAPPINGS_DIR
from ..errors import MappingError, UserError, one_line
from ..sources.base import read_small_file
from .strict_toml import boolean, check_keys, check_table, read_toml, str_list

LEVELS = ("incident", "unit")

#: Allowed top-level tables of a mapping file.
TOP_LEVEL_KEYS = {
    "format": "the file as a whole",
    "fields": "one table per canonical field",
    "repairs": "repair rules for known defects of real exports",
    "lookups": "small CSV tables joined by key",
    "dimensions": "one table per column of the agency's own kept as a named dimension (station, beat, shift...)",
}

#: Allowed keys of the ``[format]`` table, with their meaning (documented in docs/mappings.md).
FORMAT_KEYS = {
    "name": "short name of the format",
    "description": "one line shown by `responsestats formats`",
    "level": "'incident' (one row per incident) or 'unit' (one row per responding unit)",
    "timezone": "IANA zone of naive local timestamps",
    "encoding": "encoding, or list of encodings tried in order",
    "na_values": "text values read as missing",
    "header_row": "0-based row of the header line",
    "sheet": "Excel sheet name or 0-based index",
    "delimiter": "CSV field delimiter",
    "clock_start": "what event received_at records in this source",
    "agency": "default agency id",
    "link_fields": "personal columns (or lists of aliases) hashed into caller_key when the ingest is given a salt",
    "duplicate_ids": "at incident level, later rows of a file with an incident id seen before: "
                     "'quarantine' (default), 'keep_first' or 'merge'",
}

#: What a ``district`` may be at an agency (``[fields.district] noun``): the group nouns the briefing's catalogues
#: have words for (``groups.<noun>`` in ``briefing/wording/catalogues``; a test keeps the two in step).
DISTRICT_NOUNS: tuple[str, ...] = ("grid", "beat", "battalion", "station_area", "precinct", "sector", "rescue_squad",
                                   "station", "zone")

#: Allowed keys of a ``[fields.<name>]`` table.
FIELD_KEYS = {
    "source": "source column name, or list of aliases tried in order; '<lookup>.<column>' reads a lookup column",
    "required": "rows where this field is missing or unusable are quarantined",
    "formats": "strftime formats for a timestamp, tried in order",
    "map": "table of source value -> canonical value",
    "default": "value used when the source value is missing or not in `map`",
    "true_values": "source values read as true (boolean fields)",
    "false_values": "source values read as false (boolean fields)",
    "na_values": "more text values read as missing, for this field only",
    "extract": "regular expression; its first group (or the whole match) is the value",
    "date_source": "column holding the date of a clock-only time column (or aliases)",
    "date_formats": "strftime formats of the date_source column, tried in order",
    "zone_suffixes": "table of timestamp suffix -> UTC offset ('+HH:MM'); the data's offset wins",
    "after": "the stage this field's duration is counted from (a timestamp given as a duration)",
    "duration_formats": "duration text formats tried in order: " + ", ".join(
        ["M:SS", "H:MM:SS", "MM:SS:00", "H:MM", "seconds", "minutes"]),
    "duration_overlap": "a value several duration_formats fit: 'first' (default: the first in order) or "
                        "'plausible' (the reading under an hour where another is over a day)",
    "synthetic": "incident_id only, for a source without an id column: 'file_row' or 'hash' (of `hash_of`)",
    "hash_of": "the columns (each a name or a list of aliases) whose values a synthetic 'hash' id is made of",
    "not_personal": "why a text column whose values look personal (phone numbers, ID numbers, e-mail addresses, "
                    "names) is not: the reason, in words; without it such a column is refused at ingest",
    "noun": "district only: what a district is at this agency, one of " + ", ".join(DISTRICT_NOUNS)
            + "; the briefing names its groups so (default grid)",
}

#: Allowed keys of a ``[dimensions.<name>]`` table: a field's text keys, and ``not_personal``.
DIMENSION_KEYS = {
    "source": FIELD_KEYS["source"],
    "map": "table of source value -> the value kept",
    "default": "value used when the source value is missing or not in `map`",
    "na_values": FIELD_KEYS["na_values"],
    "extract": FIELD_KEYS["extract"],
    "not_personal": "why a column whose values look personal (many distinct values, phone-like numbers) is not: "
                    "the reason, in words; without it such a dimension is refused at ingest",
}
#: Names a dimension may not take (they would read as canonical columns, time keys or table headings).
RESERVED_DIMENSION_NAMES = frozenset(S.COLUMNS) | {
    "year", "month", "week", "date", "weekday", "weekday_name", "hour", "interval", "where", "n", "thin",
    "standard", "target_id", "label", "group", "by", "level", "incidents", "eligible", "arrests", "denominator",
}

#: ``[format] duplicate_ids``: what happens at incident level to a later row of a file whose incident id an
#: earlier row kept already has (documented in docs/mappings.md, *Incident ids*).
DUPLICATE_IDS_QUARANTINE = "quarantine"
DUPLICATE_IDS_KEEP_FIRST = "keep_first"
DUPLICATE_IDS_MERGE = "merge"
DUPLICATE_ID_ACTIONS: tuple[str, ...] = (DUPLICATE_IDS_QUARANTINE, DUPLICATE_IDS_KEEP_FIRST, DUPLICATE_IDS_MERGE)
#: ``[fields.incident_id] synthetic``: an id made for a source that has none.
SYNTHETIC_FILE_ROW = "file_row"
SYNTHETIC_HASH = "hash"
SYNTHETIC_IDS: tuple[str, ...] = (SYNTHETIC_FILE_ROW, SYNTHETIC_HASH)
#: ``duration_overlap``: which reading wins where a value fits several ``duration_formats``.
OVERLAP_FIRST = "first"
OVERLAP_PLAUSIBLE = "plausible"
DURATION_OVERLAPS: tuple[str, ...] = (OVERLAP_FIRST, OVERLAP_PLAUSIBLE)
#: Two readings of one duration value disagree on plausibility when one is under this [s] (an hour) ...
DURATION_PLAUSIBLE_BELOW_S = 3600.0
#: ... and another over this [s] (a day): ``27:10:00`` as ``MM:SS:00`` (27 min 10 s) and as ``H:MM:SS`` (27 h).
DURATION_IMPLAUSIBLE_ABOVE_S = 86400.0

#: Allowed keys of the ``[repairs]`` table.
REPAIR_KEYS = {
    "midnight_rollover": "a later stage more than 12 h and at most 24 h before the preceding stage gets a day added",
}

#: Allowed keys of a ``[lookups.<name>]`` table.
LOOKUP_KEYS = {
    "file": "CSV file of the lookup table, relative to the mapping file",
    "key": "the lookup file's key column",
    "on": "source column (or aliases) holding the key in the data",
    "encoding": "the lookup file's encoding",
    "unmatched": "'null' (default) or 'key': the value of a lookup column when the key is not in the table",
}
#: Largest lookup table file [bytes]: a lookup is a code table of a few hundred or thousand rows, read whole (at
#: most this plus one byte) when the mapping is loaded; a larger file (or a device, or a FIFO) is refused.
MAX_LOOKUP_BYTES = 4 << 20

#: Duration text formats: name -> (regular expression, seconds per captured group, repair rule).
DURATION_FORMATS: dict[str, tuple[re.Pattern, tuple[float, ...], str]] = {
    "M:SS": (re.compile(r"^(\d+):([0-5]\d)$"), (60.0, 1.0), "duration_m_ss"),
    "H:MM:SS": (re.compile(r"^(\d+):([0-5]\d):([0-5]\d)$"), (3600.0, 60.0, 1.0), "duration_h_mm_ss"),
    "MM:SS:00": (re.compile(r"^(\d+):([0-5]\d):00$"), (60.0, 1.0), "duration_mm_ss_00_read_as_minutes_seconds"),
    "H:MM": (re.compile(r"^(\d+):([0-5]\d)$"), (3600.0, 60.0), "duration_h_mm"),
    "seconds": (re.compile(r"^(\d+(?:\.\d+)?)$"), (1.0,), "duration_seconds"),
    "minutes": (re.compile(r"^(\d+(?:\.\d+)?)$"), (60.0,), "duration_minutes"),
}

#: Stages in the order a response runs through them (``after`` must name an earlier one).
STAGE_ORDER: tuple[str, ...] = (S.RECEIVED_AT, S.DISPATCHED_AT, S.ENROUTE_AT, S.ARRIVED_AT, S.CLEARED_AT)
#: Stages the midnight-rollover repair applies to (an arrest may follow days later).
ROLLOVER_STAGES: tuple[str, ...] = STAGE_ORDER

_TIMESTAMP_FIELDS = set(S.TIMESTAMP_COLUMNS)
_BOOL_FIELDS = {S.SELF_INITIATED, S.CAUGHT_IN_ACT}
_FLOAT_FIELDS = {S.LATITUDE, S.LONGITUDE}
_COUNT_FIELDS = {S.PERSONS_ARRESTED}
_OFFSET_RE = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
#: Canonical fields a mapping may fill (lineage columns are set by the reader).
MAPPABLE_FIELDS = tuple(
    c for c in S.COLUMNS
    if c not in (S.AGENCY, S.TIMEZONE, S.SOURCE_FILE, S.SOURCE_ROW, S.OUTCOME_RAW, S.CALLER_KEY)
)
#: Suffix of the resolved-column key of a field's date column (``received_at.date``).
DATE_KEY_SUFFIX = ".date"
#: Prefix of the resolved-column key of a lookup's key column (``lookup.dispo``).
LOOKUP_KEY_PREFIX = "lookup."
#: Infix of the resolved-column keys of a synthetic hash id's columns (``incident_id.hash_of.1``, 1-based).
HASH_KEY_INFIX = ".hash_of."


def hash_key(name: str, k: int) -> str:
    """The resolved-column key of the ``k``-th column [1-based] a synthetic hash ``name`` is made of."""
    return f"{name}{HASH_KEY_INFIX}{k}"


@dataclass(frozen=True)
class FieldSpec:
    """How one canonical field is read from a source column."""

    name: str
    source: tuple[str, ...]
    required: bool = False
    formats: tuple[str, ...] = ()
    value_map: dict[str, str] = field(default_factory=dict)
    default: Any = None
    true_values: tuple[str, ...] = ()
    false_values: tuple[str, ...] = ()
    na_values: tuple[str, ...] = ()
    extract: re.Pattern | None = None
    date_source: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ()
    zone_suffixes: dict[str, int] = field(default_factory=dict)  # suffix -> UTC offset [s]
    after: str | None = None
    duration_formats: tuple[str, ...] = ()
    duration_overlap: str = OVERLAP_FIRST
    not_personal: str = ""  # why values that look personal are not (then the content check is skipped)
    noun: str = ""  # district only: what a district is at the agency (DISTRICT_NOUNS); empty: grid
    synthetic: str | None = None  # incident_id only: SYNTHETIC_FILE_ROW or SYNTHETIC_HASH
    hash_of: tuple[tuple[str, ...], ...] = ()  # the columns (each a tuple of aliases) of a synthetic hash

    @property
    def kind(self) -> str:
        """One of ``timestamp``, ``bool``, ``float``, ``count``, ``string``."""
        if self.name in _TIMESTAMP_FIELDS:
            return "timestamp"
        if self.name in _BOOL_FIELDS:
            return "bool"
        if self.name in _FLOAT_FIELDS:
            return "float"
        if self.name in _COUNT_FIELDS:
            return "count"
        return "string"


@dataclass(frozen=True)
class LookupSpec:
    """A small CSV table joined to the data by key.

    Attributes
    ----------
    name : str
        The lookup's name; fields read its columns as ``"<name>.<column>"``.
    file : Path
        The lookup CSV.
    key : str
        The lookup file's key column.
    on : tuple of str
        Source column (aliases tried in order) holding the key in the data.
    unmatched : str
        ``"null"`` or ``"key"``: the value of a lookup column for a key not in the table.
    table : dict
        Lookup column -> {key -> value}, read once when the mapping is loaded.
    keys : frozenset of str
        Every key of the table.
    """

    name: str
    file: Path
    key: str
    on: tuple[str, ...]
    unmatched: str = "null"
    table: dict[str, dict[str, str]] = field(default_factory=dict)
    keys: frozenset = frozenset()


@dataclass(frozen=True)
class Mapping:
    """A parsed, validated format mapping (see ``docs/mappings.md`` for every key).

    Attributes
    ----------
    name, description : str
        The format's short name and its one-line description.
    level : str
        ``"incident"`` (one row per incident) or ``"unit"`` (one row per responding unit).
    timezone : str
        IANA zone of the export's naive local timestamps.
    encodings : tuple of str
        Text encodings tried in order.
    na_values : tuple of str
        Text values read as missing, in every column.
    fields : dict of str to FieldSpec
        Canonical field -> how it is read.
    header_row : int
        The header's line or sheet row [0-based].
    sheet : str or int
        Excel sheet name, or its index [0-based].
    delimiter : str
        The CSV field delimiter.
    clock_start : str
        What event ``received_at`` records in this source (documentation, copied to the report).
    agency : str or None
        The default agency id.
    path : Path or None
        The mapping file it was read from.
    midnight_rollover : bool
        Whether the midnight roll-over repair is on.
    lookups : dict of str to LookupSpec
        The lookup tables, by name.
    link_fields : tuple of tuple of str
        Personal columns (each a tuple of aliases) hashed into ``caller_key`` when a salt is given.
    duplicate_ids : str
        At incident level, what a later row of a file whose incident id an earlier row kept already has
        becomes: one of :data:`DUPLICATE_ID_ACTIONS`.
    dimensions : dict of str to str
        Dimension name -> the ``not_personal`` reason ("" without one). Each dimension is read as a text field
        of ``fields`` under its stored column, ``dim_<name>`` (:func:`~responsestats.schema.dimension_column`).
    """

    name: str
    description: str
    level: str
    timezone: str
    encodings: tuple[str, ...]
    na_values: tuple[str, ...]
    fields: dict[str, FieldSpec]
    header_row: int = 0
    sheet: str | int = 0
    delimiter: str = ","
    clock_start: str = ""
    agency: str | None = None
    path: Path | None = None
    midnight_rollover: bool = False
    lookups: dict[str, LookupSpec] = field(default_factory=dict)
    link_fields: tuple[tuple[str, ...], ...] = ()
    duplicate_ids: str = DUPLICATE_IDS_QUARANTINE
    dimensions: dict[str, str] = field(default_factory=dict)

    def resolve_columns(self, header: list[str], source: str) -> dict[str, str]:
        """Match this mapping's fields to the columns of one input file.

        Parameters
        ----------
        header : list of str
            The input file's column names.
        source : str
            The input file's name, for error messages.

        Returns
        -------
        dict
            Canonical field name -> source column name, for the fields found. A
            field read from a lookup maps to ``"<lookup>.<column>"``; the date
            column of a clock-only field appears as ``"<field>.date"`` and the
            key column of a used lookup as ``"lookup.<name>"``.

        Raises
        ------
        MappingError
            When a required field (or its date or lookup key column) has none
            of its source columns in the file.
        """
        present = {_norm(h): h for h in header}
        present_ci = {_norm(h).casefold(): h for h in header}

        def find(aliases: tuple[str, ...]) -> str | None:
            for alias in aliases:
                hit = present.get(_norm(alias)) or present_ci.get(_norm(alias).casefold())
                if hit is not None:
                    return hit
            return None

        def fail(spec: FieldSpec, what: str, aliases: tuple[str, ...]) -> None:
            raise MappingError(
                f"{source}: required column for '{spec.name}'{what} not found "
                f"(mapping '{self.name}' looks for {list(aliases)}); "
                f"the file has columns {list(header)}"
            )

        resolved: dict[str, str] = {}
        for spec in self.fields.values():
            if spec.synthetic is not None:  # no column of its own; a hash reads every column it is made of
                for k, aliases in enumerate(spec.hash_of, start=1):
                    col = find(aliases)
                    if col is None:
                        fail(spec, f" (column {k} of its synthetic hash_of)", aliases)
                    resolved[hash_key(spec.name, k)] = col
                continue
            hit = None
            lookup_name = None
            for alias in spec.source:
                lookup_name, _col = self.lookup_column(alias)
                if lookup_name is not None:
                    key_col = find(self.lookups[lookup_name].on)
                    if key_col is not None:
                        hit = alias
                        resolved[LOOKUP_KEY_PREFIX + lookup_name] = key_col
                        break
                else:
                    hit = find((alias,))
                    if hit is not None:
                        break
            if hit is None:
                if spec.required:
                    aliases = spec.source
                    if lookup_name is not None:
                        aliases = self.lookups[lookup_name].on
                    fail(spec, "", aliases)
                continue
            if spec.date_source:
                date_col = find(spec.date_source)
                if date_col is None:
                    if spec.required:
                        fail(spec, " (its date column)", spec.date_source)
                    continue
                resolved[spec.name + DATE_KEY_SUFFIX] = date_col
            resolved[spec.name] = hit
        if S.RING_AT in resolved and resolved.get(S.RING_AT) == resolved.get(S.RECEIVED_AT):
            del resolved[S.RING_AT]  # one column read as the answer too (an export without 接警时间): no ring stamp
        return resolved

    def resolve_link_columns(self, header: list[str], source: str) -> list[str]:
        """The input file's columns behind ``link_fields``, in order (matched like field sources).

        Raises
        ------
        MappingError
            When the mapping has no ``link_fields``, or one of them is not in the file.
        """
        if not self.link_fields:
            raise MappingError(
                f"mapping '{self.name}' has no [format] link_fields: a salt was given, but there is nothing to link; "
                "list the caller's columns in link_fields (see docs/mappings.md)"
            )
        present = {_norm(h): h for h in header}
        present_ci = {_norm(h).casefold(): h for h in header}
        found = []
        for aliases in self.link_fields:
            hits = [present.get(_norm(a)) or present_ci.get(_norm(a).casefold()) for a in aliases]
            hit = next((h for h in hits if h is not None), None)
            if hit is None:
                raise MappingError(
                    f"{source}: link column {list(aliases)} not found (mapping '{self.name}' [format] link_fields); "
                    f"the file has columns {list(header)}"
                )
            found.append(hit)
        return list(dict.fromkeys(found))

    def lookup_column(self, source: str) -> tuple[str | None, str | None]:
        """Split ``"<lookup>.<column>"`` into its parts; ``(None, None)`` for a plain column."""
        name, sep, col = str(source).partition(".")
        if sep and name in self.lookups and col in self.lookups[name].table:
            return name, col
        return None, None

    def columns_to_read(self, resolved: dict[str, str]) -> list[str]:
        """The real source columns behind a :meth:`resolve_columns` result, in order."""
        cols = []
        for key, col in resolved.items():
            if key.startswith(LOOKUP_KEY_PREFIX) or self.lookup_column(col)[0] is None:
                cols.append(col)
        return list(dict.fromkeys(cols))


def _norm(name: str) -> str:
    return str(name).replace("\ufeff", "").strip()


def builtin_formats() -> dict[str, Path]:
    """The built-in formats.

    Returns
    -------
    dict
        Format name (``cn110``, ``sffd``, ...) -> its mapping file, sorted by name.
    """
    return {p.stem: p for p in sorted(MAPPINGS_DIR.glob("*.toml"))}


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Load a built-in format by name, or a mapping TOML file by path.

    Parameters
    ----------
    name_or_path : str or Path
        A built-in format's name (see :func:`builtin_formats`), or the path of a ``.toml`` mapping file.

    Returns
    -------
    Mapping
        The parsed, validated mapping.

    Raises
    ------
    MappingError
        Unknown format name, unreadable file, unknown key, or a bad value.
    """
    formats = builtin_formats()
    path = formats.get(str(name_or_path))
    if path is None:
        candidate = Path(name_or_path)
        if candidate.suffix.lower() != ".toml" or not candidate.exists():
            raise MappingError(
                f"unknown format '{name_or_path}': built-in formats are {sorted(formats)}; "
                "or give a mapping file with --mapping FILE.toml"
            )
        path = candidate
    return parse_mapping(read_toml(path, "mapping", MappingError), path)


def parse_mapping(raw: dict[str, Any], path: Path | None = None) -> Mapping:
    """Validate a mapping given as a dict (the parsed TOML).

    Parameters
    ----------
    raw : dict
        The parsed TOML.
    path : Path, optional
        The mapping file; lookup files are found relative to its folder
        (relative to the working folder when not given).
    """
    where = str(path) if path else "mapping"
    check_keys(raw, TOP_LEVEL_KEYS, where, MappingError)
    fmt = raw.get("format", {})
    check_keys(fmt, FORMAT_KEYS, f"{where} [format]", MappingError)
    for key in ("name", "timezone"):
        if key not in fmt:
            raise MappingError(f"{where} [format]: missing key '{key}'")
    level = fmt.get("level", "incident")
    if level not in LEVELS:
        raise MappingError(f"{where} [format] level: '{level}' is not one of {list(LEVELS)}")
    tz = fmt["timezone"]
    check_zone(tz, f"{where} [format] timezone")

    repairs = raw.get("repairs", {})
    check_keys(repairs, REPAIR_KEYS, f"{where} [repairs]", MappingError)
    rollover = boolean(repairs.get("midnight_rollover", False), f"{where} [repairs] midnight_rollover", MappingError)

    base_dir = path.parent if path else Path.cwd()
    lookups_raw = raw.get("lookups", {})
    check_table(lookups_raw, f"{where} [lookups]", MappingError)
    lookups = {name: _parse_lookup(name, spec, base_dir, f"{where} [lookups.{name}]")
               for name, spec in lookups_raw.items()}

    fields_raw = raw.get("fields", {})
    check_table(fields_raw, f"{where} [fields]", MappingError)
    fields: dict[str, FieldSpec] = {}
    for name, spec in fields_raw.items():
        fields[name] = _parse_field(name, spec, f"{where} [fields.{name}]", lookups)
    dimensions: dict[str, str] = {}
    dims_raw = raw.get("dimensions", {})
    check_table(dims_raw, f"{where} [dimensions]", MappingError)
    for name, spec in dims_raw.items():
        dwhere = f"{where} [dimensions.{name}]"
        if not re.match(S.DIMENSION_NAME_PATTERN, str(name)) or name in RESERVED_DIMENSION_NAMES:
            raise MappingError(f"{dwhere}: a dimension's name is lower-case letters, digits and '_' (at most 32, "
                               f"starting with a letter) and not a canonical column or a time key; got {name!r}")
        if isinstance(spec, str):
            spec = {"source": spec}
        if not isinstance(spec, dict):
            raise MappingError(f"{dwhere}: expected a table or a column name")
        check_keys(spec, DIMENSION_KEYS, dwhere, MappingError)
        column = S.dimension_column(name)
        fields[column] = _parse_field(column, dict(spec), dwhere, lookups, dimension=True)
        dimensions[str(name)] = fields[column].not_personal
    for needed in (S.INCIDENT_ID, S.RECEIVED_AT):
        if needed not in fields:
            raise MappingError(f"{where}: [fields.{needed}] is required in every mapping")
    if level == "unit" and S.UNIT_ID not in fields:
        raise MappingError(f"{where}: level = 'unit' needs a [fields.{S.UNIT_ID}] table")
    for spec in fields.values():
        if spec.after is not None and spec.after not in fields:
            raise MappingError(
                f"{where} [fields.{spec.name}] after: the mapping has no [fields.{spec.after}] to count from"
            )

    encodings = str_list(fmt.get("encoding", ["utf-8-sig"]), f"{where} [format] encoding", MappingError)
    for enc in encodings:
        _check_encoding(enc, f"{where} [format] encoding")
    delimiter = str(fmt.get("delimiter", ","))
    if len(delimiter) != 1 or delimiter in "\"\r\n" or ord(delimiter) > 127:
        raise MappingError(f"{where} [format] delimiter: {delimiter!r} must be one ASCII character other than "
                           "a quote or a line break (e.g. ',', ';', '\\t', '|')")
    link_raw = fmt.get("link_fields", [])
    if not isinstance(link_raw, list):
        raise MappingError(f"{where} [format] link_fields: expected a list of column names, e.g. [\"Caller Phone\"]")
    link_fields = tuple(tuple(str_list(item, f"{where} [format] link_fields", MappingError)) for item in link_raw)
    if any(not aliases for aliases in link_fields):
        raise MappingError(f"{where} [format] link_fields: an entry has no column name")
    duplicate_ids = fmt.get("duplicate_ids", DUPLICATE_IDS_QUARANTINE)
    if duplicate_ids not in DUPLICATE_ID_ACTIONS:
        raise MappingError(f"{where} [format] duplicate_ids: {duplicate_ids!r} is not one of "
                           f"{list(DUPLICATE_ID_ACTIONS)}")
    if "duplicate_ids" in fmt and level != "incident":
        raise MappingError(f"{where} [format] duplicate_ids: applies at level = 'incident' only (at unit level the "
                           "rows of one incident are its units)")
    if fields[S.INCIDENT_ID].synthetic == SYNTHETIC_FILE_ROW and level != "incident":
        raise MappingError(f"{where} [fields.{S.INCIDENT_ID}] synthetic: 'file_row' makes every row an incident "
                           "of its own, which a unit-level source cannot be; use 'hash' of the columns that name "
                           "the incident")
    sheet = fmt.get("sheet", 0)
    if not isinstance(sheet, (str, int)) or isinstance(sheet, bool):
        raise MappingError(f"{where} [format] sheet: expected a sheet name or a 0-based index, got {sheet!r}")
    return Mapping(
        name=str(fmt["name"]),
        description=str(fmt.get("description", "")),
        level=level,
        timezone=tz,
        encodings=tuple(encodings),
        na_values=tuple(str(v) for v in fmt.get("na_values", ["", "NULL", "NA", "N/A"])),
        fields=fields,
        header_row=int(fmt.get("header_row", 0)),
        sheet=sheet,
        delimiter=delimiter,
        clock_start=str(fmt.get("clock_start", "")),
        agency=fmt.get("agency"),
        path=path,
        midnight_rollover=rollover,
        lookups=lookups,
        link_fields=link_fields,
        duplicate_ids=duplicate_ids,
        dimensions=dimensions,
    )


def _parse_field(name: str, spec: Any, where: str, lookups: dict[str, LookupSpec],
                 dimension: bool = False) -> FieldSpec:
    if name not in MAPPABLE_FIELDS and not dimension:
        raise MappingError(f"{where}: '{name}' is not a canonical field; choose from {list(MAPPABLE_FIELDS)}")
    if isinstance(spec, str):
        spec = {"source": spec}
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected a table or a column name")
    check_keys(spec, FIELD_KEYS, where, MappingError)
    synthetic, hash_of = _parse_synthetic(name, spec, where)
    source = spec.get("source")
    if source is None and synthetic is None:
        raise MappingError(f"{where}: missing key 'source'")
    source = str_list(source, f"{where} source", MappingError) if source is not None else []
    for alias in source:
        lname, sep, col = alias.partition(".")
        if sep and lname in lookups and col not in lookups[lname].table:
            raise MappingError(
                f"{where} source: lookup '{lname}' has no column '{col}'; "
                f"its columns are {sorted(lookups[lname].table)}"
            )
    kind_is_ts = name in _TIMESTAMP_FIELDS
    formats = str_list(spec.get("formats", []), f"{where} formats", MappingError)
    after = spec.get("after")
    duration_formats = str_list(spec.get("duration_formats", []), f"{where} duration_formats", MappingError)
    for key in ("formats", "date_source", "date_formats", "zone_suffixes", "after", "duration_formats"):
        if key in spec and not kind_is_ts:
            raise MappingError(f"{where}: '{key}' applies only to timestamp fields")
    if after is not None:
        if after not in STAGE_ORDER or name not in STAGE_ORDER + (S.ARRESTED_AT,):
            raise MappingError(f"{where} after: '{after}' is not a stage; choose from {list(STAGE_ORDER)}")
        if name in STAGE_ORDER and STAGE_ORDER.index(after) >= STAGE_ORDER.index(name):
            raise MappingError(
                f"{where} after: '{after}' does not come before '{name}' (stages run {' -> '.join(STAGE_ORDER)})"
            )
        if not duration_formats:
            raise MappingError(f"{where}: a field with 'after' needs 'duration_formats', e.g. [\"M:SS\", \"H:MM:SS\"]")
        if formats or "date_source" in spec:
            raise MappingError(
                f"{where}: a duration ('after') takes 'duration_formats', not 'formats' or 'date_source'")
        bad = [f for f in duration_formats if f not in DURATION_FORMATS]
        if bad:
            raise MappingError(f"{where} duration_formats: {bad} are not among {list(DURATION_FORMATS)}")
    elif duration_formats:
        raise MappingError(f"{where}: 'duration_formats' needs 'after' (the stage the duration counts from)")
    elif kind_is_ts and not formats:
        raise MappingError(f"{where}: timestamp fields need 'formats' (strftime patterns, e.g. '%Y-%m-%d %H:%M:%S')")
    duration_overlap = spec.get("duration_overlap", OVERLAP_FIRST)
    if "duration_overlap" in spec and not duration_formats:
        raise MappingError(f"{where}: 'duration_overlap' applies only to a duration (a field with 'after' and "
                           "'duration_formats')")
    if duration_overlap not in DURATION_OVERLAPS:
        raise MappingError(f"{where} duration_overlap: {duration_overlap!r} is not one of {list(DURATION_OVERLAPS)}")
    if formats and not kind_is_ts:
        raise MappingError(f"{where}: 'formats' applies only to timestamp fields")
    date_source = str_list(spec.get("date_source", []), f"{where} date_source", MappingError)
    date_formats = str_list(spec.get("date_formats", []), f"{where} date_formats", MappingError)
    if date_source and not date_formats:
        raise MappingError(f"{where}: 'date_source' needs 'date_formats' (e.g. ['%m/%d/%Y'])")
    if date_formats and not date_source:
        raise MappingError(f"{where}: 'date_formats' needs 'date_source' (the column holding the date)")
    zone_suffixes = {}
    raw_suffixes = spec.get("zone_suffixes", {})
    if not isinstance(raw_suffixes, dict):
        raise MappingError(f"{where} zone_suffixes: expected a table such as {{ PS = \"-08:00\", PD = \"-07:00\" }}")
    for suffix, offset in raw_suffixes.items():
        m = _OFFSET_RE.match(str(offset))
        if not suffix or not m:
            raise MappingError(f"{where} zone_suffixes: '{suffix}' = {offset!r} is not a UTC offset like '-08:00'")
        sign = -1 if m.group(1) == "-" else 1
        zone_suffixes[str(suffix)] = sign * (int(m.group(2)) * 3600 + int(m.group(3)) * 60)
    extract = spec.get("extract")
    pattern = None
    if extract is not None:
        try:
            pattern = re.compile(str(extract))
        except re.error as exc:
            raise MappingError(f"{where} extract: not a valid regular expression: {one_line(exc)}") from None
        _check_linear_time(str(extract), where)
    value_map = spec.get("map", {})
    if not isinstance(value_map, dict):
        raise MappingError(f"{where} map: expected a table of source value -> canonical value")
    value_map = {str(k): str(v) for k, v in value_map.items()}
    default = spec.get("default")
    if name == S.OUTCOME:
        bad = sorted({v for v in value_map.values() if v not in S.OUTCOMES} | ({default} - {None} - set(S.OUTCOMES)))
        if bad:
            raise MappingError(f"{where}: outcome values {bad} are not canonical outcomes {list(S.OUTCOMES)}")
    if name == S.AREA_CLASS:
        bad = sorted({v for v in value_map.values() if v not in S.AREA_CLASSES})
        if bad:
            raise MappingError(f"{where}: area classes {bad} are not among {list(S.AREA_CLASSES)}")
    required = boolean(spec.get("required", False), f"{where} required", MappingError) or synthetic is not None
    not_personal = spec.get("not_personal", "")
    if not isinstance(not_personal, str) or ("not_personal" in spec and not not_personal.strip()):
        raise MappingError(f"{where} not_personal: give the reason in words, e.g. \"station codes, not phones\"")
    noun = spec.get("noun", "")
    if "noun" in spec and (name != S.DISTRICT or noun not in DISTRICT_NOUNS):
        raise MappingError(f"{where} noun: " + (f"{noun!r} is not one of {list(DISTRICT_NOUNS)}" if name == S.DISTRICT
                                                 else "applies only to [fields.district]"))
    return FieldSpec(
        name=name,
        source=tuple(source),
        required=required,
        formats=tuple(formats),
        value_map=value_map,
        default=default,
        true_values=tuple(str_list(spec.get("true_values", []), f"{where} true_values", MappingError)),
        false_values=tuple(str_list(spec.get("false_values", []), f"{where} false_values", MappingError)),
        na_values=tuple(str_list(spec.get("na_values", []), f"{where} na_values", MappingError)),
        extract=pattern,
        date_source=tuple(date_source),
        date_formats=tuple(date_formats),
        zone_suffixes=zone_suffixes,
        after=after,
        duration_formats=tuple(duration_formats),
        duration_overlap=duration_overlap,
        synthetic=synthetic,
        hash_of=hash_of,
        not_personal=not_personal.strip(),
        noun=noun,
    )


def _check_linear_time(pattern: str, where: str) -> None:
    """Refuse an ``extract`` the linear-time engine (RE2) cannot run.

    A mapping file is untrusted input: a pattern such as ``^(a+)+$`` makes a backtracking engine (Python's
    ``re``) run for hours on a 40-character value. Every ``extract`` is matched by RE2 (Arrow's, or the
    ``google-re2`` bindings), whose time grows linearly with the text; RE2 has no backreferences and no
    lookaround, so a pattern that needs them is refused here, before any data is read, naming the key.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        pc.match_substring_regex(pa.array([""], pa.string()), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        reason = one_line(str(exc).replace("Invalid regular expression: ", ""))
        raise MappingError(f"{where} extract: {reason}: the pattern uses what the linear-time engine (RE2) does not "
                           "run (a backreference such as \\1, a lookahead or lookbehind); write it without, as "
                           "extract runs in time linear in the text (docs/mappings.md)") from None


def _parse_synthetic(name: str, spec: dict, where: str) -> tuple[str | None, tuple[tuple[str, ...], ...]]:
    """The ``synthetic`` and ``hash_of`` keys of a field: (kind or None, columns of a hash, each its aliases)."""
    synthetic = spec.get("synthetic")
    if synthetic is None:
        if "hash_of" in spec:
            raise MappingError(f"{where}: 'hash_of' needs synthetic = 'hash'")
        return None, ()
    if name != S.INCIDENT_ID:
        raise MappingError(f"{where}: 'synthetic' applies only to [fields.{S.INCIDENT_ID}]")
    if synthetic not in SYNTHETIC_IDS:
        raise MappingError(f"{where} synthetic: {synthetic!r} is not one of {list(SYNTHETIC_IDS)}")
    for key in ("source", "extract", "map", "default", "na_values"):
        if key in spec:
            raise MappingError(f"{where}: a synthetic id takes no '{key}' (it is made, not read)")
    raw = spec.get("hash_of")
    if synthetic == SYNTHETIC_FILE_ROW:
        if raw is not None:
            raise MappingError(f"{where}: 'hash_of' goes with synthetic = 'hash', not 'file_row'")
        return synthetic, ()
    if not isinstance(raw, list) or not raw:
        raise MappingError(f"{where}: synthetic = 'hash' needs 'hash_of', the columns that together name an "
                           "incident, e.g. [\"Call Received\", \"Call Type\", \"Beat\"]")
    hash_of = tuple(tuple(str_list(item, f"{where} hash_of", MappingError)) for item in raw)
    if any(not aliases for aliases in hash_of):
        raise MappingError(f"{where} hash_of: an entry has no column name")
    return synthetic, hash_of


def _parse_lookup(name: str, spec: Any, base_dir: Path, where: str) -> LookupSpec:
    """Validate a ``[lookups.<name>]`` table and read its (small) CSV file."""
    check_keys(spec, LOOKUP_KEYS, where, MappingError)
    if "." in name:
        raise MappingError(f"{where}: a lookup name cannot contain '.'")
    for key in ("file", "key", "on"):
        if key not in spec:
            raise MappingError(f"{where}: missing key '{key}'")
    unmatched = spec.get("unmatched", "null")
    if unmatched not in ("null", "key"):
        raise MappingError(f"{where} unmatched: '{unmatched}' is not 'null' or 'key'")
    file = Path(spec["file"])
    if not file.is_absolute():
        file = base_dir / file
    try:  # a mapping file is untrusted input: its lookups stay in its own folder
        inside = file.resolve().is_relative_to(base_dir.resolve())
    except OSError:
        inside = False
    if not inside:
        raise MappingError(f"{where} file: {spec['file']!r} is not inside the mapping's folder {base_dir}; put the "
                           "lookup table beside the mapping file (or in a folder below it)")
    encoding = str(spec.get("encoding", "utf-8-sig"))
    try:
        raw = read_small_file(file, MAX_LOOKUP_BYTES, "lookup table",
                              "a lookup is a small code table: keep only the codes the data uses")
    except UserError as exc:
        raise MappingError(f"{where} file: {exc}") from None
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise MappingError(f"{where} file: {file} is not {encoding} text ({one_line(exc)})") from None
    reader = csv.reader(io.StringIO(text, newline=""))  # rows are read one at a time, not held as a list
    try:
        first = next(reader, None)
        if first is None:
            raise MappingError(f"{where} file: {file} is empty")
        header = [_norm(h) for h in first]
        key = str(spec["key"])
        if key not in header:
            raise MappingError(f"{where} key: {file} has no column '{key}' in its first line ({len(header)} "
                               "columns); is it the lookup table, with its header on the first line?")
        k = header.index(key)
        table: dict[str, dict[str, str]] = {h: {} for h in header if h and h != key}
        keys = set()
        for line, row in enumerate(reader, start=2):
            if not any(c.strip() for c in row):
                continue
            if len(row) <= k or not row[k].strip():
                raise MappingError(f"{where} file: {file} line {line} has no value in key column '{key}'")
            code = row[k].strip()
            if code in keys:
                raise MappingError(f"{where} file: {file} line {line} repeats key '{code}'")
            keys.add(code)
            for i, h in enumerate(header):
                if h in table and i < len(row) and row[i].strip():
                    table[h][code] = row[i].strip()
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit, a NUL byte
        raise MappingError(f"{where} file: {file} line {reader.line_num}: {one_line(exc)}") from None
    return LookupSpec(name=name, file=file, key=key, on=tuple(str_list(spec["on"], f"{where} on", MappingError)),
                      unmatched=unmatched, table=table, keys=frozenset(keys))


def _check_encoding(enc: str, where: str) -> None:
    """A known encoding in which the CSV syntax characters are their ASCII bytes (UTF-16 is not)."""
    import codecs

    try:
        codecs.lookup(enc)
    except LookupError:
        raise MappingError(f"{where}: unknown encoding {enc!r} (e.g. 'utf-8-sig', 'gb18030', 'cp1252')") from None
    try:
        ascii_compatible = b',;\t|"\r\n'.decode(enc) == ',;\t|"\r\n'
    except (UnicodeError, ValueError, LookupError):  # LookupError: a bytes-to-bytes codec (base64)
        ascii_compatible = False
    if not ascii_compatible:
        raise MappingError(f"{where}: {enc!r} is not supported: the CSV reader needs an encoding that writes "
                           "',', '\"' and line breaks as single ASCII bytes (UTF-8, GB18030, cp1252, latin-1...); "
                           "convert the file to UTF-8 first")


def check_zone(tz: str, where: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise MappingError(f"{where}: '{tz}' is not an IANA time zone (e.g. 'Asia/Shanghai')") from None
