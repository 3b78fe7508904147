"""Formats: how one agency's export becomes canonical columns, declared as data.

A format is a mapping file (TOML, :mod:`.mapping`): the source columns of each
canonical field, their NA tokens, timestamp layouts, value maps, repairs and
lookup tables. The built-in formats and their lookups ship in ``builtin/``;
:mod:`.inspect` drafts a mapping for an export the project has never seen; and
:mod:`.strict_toml` is the one validator of the project's TOML files (mappings
and standard profiles).
"""

from .inspect import InspectResult, inspect_file
from .mapping import FieldSpec, LookupSpec, Mapping, builtin_formats, check_zone, load_mapping, parse_mapping

__all__ = [
    "FieldSpec",
    "InspectResult",
    "LookupSpec",
    "Mapping",
    "builtin_formats",
    "check_zone",
    "inspect_file",
    "load_mapping",
    "parse_mapping",
]
