"""Format mappings: how one export's columns become canonical fields.

A mapping is a TOML file (see ``docs/mappings.md`` for every key). The
built-in formats are mapping files shipped in ``responsestats/mappings``;
``--mapping FILE.toml`` loads any other. Mappings are data, parsed with
:mod:`tomllib`: nothing in them is executed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import schema as S
from .config import MAPPINGS_DIR
from .errors import MappingError

LEVELS = ("incident", "unit")

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
}

#: Allowed keys of a ``[fields.<name>]`` table.
FIELD_KEYS = {
    "source": "source column name, or list of aliases tried in order",
    "required": "rows where this field is missing or unusable are quarantined",
    "formats": "strftime formats for a timestamp, tried in order",
    "map": "table of source value -> canonical value",
    "default": "value used when the source value is missing or not in `map`",
    "true_values": "source values read as true (boolean fields)",
    "false_values": "source values read as false (boolean fields)",
}

_TIMESTAMP_FIELDS = set(S.TIMESTAMP_COLUMNS)
_BOOL_FIELDS = {S.SELF_INITIATED, S.CAUGHT_IN_ACT}
_FLOAT_FIELDS = {S.LATITUDE, S.LONGITUDE}
#: Canonical fields a mapping may fill (lineage columns are set by the reader).
MAPPABLE_FIELDS = tuple(
    c for c in S.COLUMNS if c not in (S.AGENCY, S.TIMEZONE, S.SOURCE_FILE, S.SOURCE_ROW, S.OUTCOME_RAW)
)


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

    @property
    def kind(self) -> str:
        """One of ``timestamp``, ``bool``, ``float``, ``string``."""
        if self.name in _TIMESTAMP_FIELDS:
            return "timestamp"
        if self.name in _BOOL_FIELDS:
            return "bool"
        if self.name in _FLOAT_FIELDS:
            return "float"
        return "string"


@dataclass(frozen=True)
class Mapping:
    """A parsed, validated format mapping."""

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
            Canonical field name -> source column name, for the fields found.

        Raises
        ------
        MappingError
            When a required field has none of its source columns in the file.
        """
        present = {_norm(h): h for h in header}
        present_ci = {_norm(h).casefold(): h for h in header}
        resolved: dict[str, str] = {}
        for spec in self.fields.values():
            for alias in spec.source:
                hit = present.get(_norm(alias)) or present_ci.get(_norm(alias).casefold())
                if hit is not None:
                    resolved[spec.name] = hit
                    break
            else:
                if spec.required:
                    raise MappingError(
                        f"{source}: required column for '{spec.name}' not found "
                        f"(mapping '{self.name}' looks for {list(spec.source)}); "
                        f"the file has columns {list(header)}"
                    )
        return resolved


def _norm(name: str) -> str:
    return str(name).replace("\ufeff", "").strip()


def builtin_formats() -> dict[str, Path]:
    """Built-in format names and their mapping files."""
    return {p.stem: p for p in sorted(MAPPINGS_DIR.glob("*.toml"))}


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Load a built-in format by name, or a mapping TOML file by path.

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
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise MappingError(f"{path}: cannot read mapping: {exc.strerror}") from None
    return parse_mapping(raw, path)


def parse_mapping(raw: dict[str, Any], path: Path | None = None) -> Mapping:
    """Validate a mapping given as a dict (the parsed TOML)."""
    where = str(path) if path else "mapping"
    _check_keys(raw, {"format": "", "fields": ""}, where)
    fmt = raw.get("format", {})
    _check_keys(fmt, FORMAT_KEYS, f"{where} [format]")
    for key in ("name", "timezone"):
        if key not in fmt:
            raise MappingError(f"{where} [format]: missing key '{key}'")
    level = fmt.get("level", "incident")
    if level not in LEVELS:
        raise MappingError(f"{where} [format] level: '{level}' is not one of {list(LEVELS)}")
    tz = fmt["timezone"]
    _check_zone(tz, f"{where} [format] timezone")

    fields_raw = raw.get("fields", {})
    fields: dict[str, FieldSpec] = {}
    for name, spec in fields_raw.items():
        fields[name] = _parse_field(name, spec, f"{where} [fields.{name}]")
    for needed in (S.INCIDENT_ID, S.RECEIVED_AT):
        if needed not in fields:
            raise MappingError(f"{where}: [fields.{needed}] is required in every mapping")
    if level == "unit" and S.UNIT_ID not in fields:
        raise MappingError(f"{where}: level = 'unit' needs a [fields.{S.UNIT_ID}] table")

    encodings = fmt.get("encoding", ["utf-8-sig"])
    if isinstance(encodings, str):
        encodings = [encodings]
    return Mapping(
        name=str(fmt["name"]),
        description=str(fmt.get("description", "")),
        level=level,
        timezone=tz,
        encodings=tuple(encodings),
        na_values=tuple(str(v) for v in fmt.get("na_values", ["", "NULL", "NA", "N/A"])),
        fields=fields,
        header_row=int(fmt.get("header_row", 0)),
        sheet=fmt.get("sheet", 0),
        delimiter=str(fmt.get("delimiter", ",")),
        clock_start=str(fmt.get("clock_start", "")),
        agency=fmt.get("agency"),
        path=path,
    )


def _parse_field(name: str, spec: Any, where: str) -> FieldSpec:
    if name not in MAPPABLE_FIELDS:
        raise MappingError(f"{where}: '{name}' is not a canonical field; choose from {list(MAPPABLE_FIELDS)}")
    if isinstance(spec, str):
        spec = {"source": spec}
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected a table or a column name")
    _check_keys(spec, FIELD_KEYS, where)
    source = spec.get("source")
    if source is None:
        raise MappingError(f"{where}: missing key 'source'")
    if isinstance(source, str):
        source = [source]
    kind_is_ts = name in _TIMESTAMP_FIELDS
    formats = spec.get("formats", [])
    if isinstance(formats, str):
        formats = [formats]
    if kind_is_ts and not formats:
        raise MappingError(f"{where}: timestamp fields need 'formats' (strftime patterns, e.g. '%Y-%m-%d %H:%M:%S')")
    if formats and not kind_is_ts:
        raise MappingError(f"{where}: 'formats' applies only to timestamp fields")
    value_map = {str(k): str(v) for k, v in spec.get("map", {}).items()}
    default = spec.get("default")
    if name == S.OUTCOME:
        bad = sorted({v for v in value_map.values() if v not in S.OUTCOMES} | ({default} - {None} - set(S.OUTCOMES)))
        if bad:
            raise MappingError(f"{where}: outcome values {bad} are not canonical outcomes {list(S.OUTCOMES)}")
    if name == S.AREA_CLASS:
        bad = sorted({v for v in value_map.values() if v not in S.AREA_CLASSES})
        if bad:
            raise MappingError(f"{where}: area classes {bad} are not among {list(S.AREA_CLASSES)}")
    return FieldSpec(
        name=name,
        source=tuple(str(s) for s in source),
        required=bool(spec.get("required", False)),
        formats=tuple(formats),
        value_map=value_map,
        default=default,
        true_values=tuple(str(v) for v in spec.get("true_values", [])),
        false_values=tuple(str(v) for v in spec.get("false_values", [])),
    )


def _check_keys(table: Any, allowed: dict[str, str], where: str) -> None:
    if not isinstance(table, dict):
        raise MappingError(f"{where}: expected a table")
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise MappingError(f"{where}: unknown key {unknown[0]!r}; allowed keys are {sorted(allowed)}")


def _check_zone(tz: str, where: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise MappingError(f"{where}: '{tz}' is not an IANA time zone (e.g. 'Asia/Shanghai')") from None
