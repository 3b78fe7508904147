"""responsestats: response-time and outcome metrics from emergency-dispatch call logs.

``import responsestats as rs`` gives the functions a notebook needs, by name::

    rs.ingest(files, "data/processed/mine", mapping="cn110")       # CAD exports -> canonical dataset
    calls = rs.read_calls("data/processed/mine", start="2025-03-01")
    rs.summarize(calls, "dispatch_to_arrival_s", by="district", standard="cn110")
    rs.outcome_summary(calls, by="month")
    data = rs.load_briefing_data("data/processed/mine", month="latest")

The stages of the data flow are sub-packages, each importable by its dotted
name (and reachable as an attribute of this package): :mod:`.sources` (input
files), :mod:`.formats` (mappings), :mod:`.ingestion`, :mod:`.store` (the
dataset), :mod:`.metrics`, :mod:`.briefing` (tables, wording, charts, slides),
:mod:`.sample` (the synthetic 110 sample) and :mod:`.cli`. ``docs/architecture.md``
draws the map. Errors a user can cause are :class:`UserError`, a
:class:`ValueError`.
"""

from __future__ import annotations

import importlib

from . import schema
from ._version import __version__
from .briefing.data import BriefingData, load_briefing_data
from .errors import MappingError, UserError
from .formats import Mapping, builtin_formats, inspect_file, load_mapping
from .ingestion import IngestResult, ingest
from .metrics import (
    add_time_keys,
    attainment,
    incident_level,
    incident_outcomes,
    kaplan_meier,
    load_standard,
    outcome_summary,
    summarize,
)
from .store import open_dataset, read_calls, read_quarantine, read_reports

#: The stages, reachable as attributes (``rs.metrics``); imported on first use where not imported above.
_SUBPACKAGES = ("briefing", "cli", "formats", "ingestion", "metrics", "sample", "sources", "store")


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBPACKAGES))


__all__ = [
    "BriefingData",
    "IngestResult",
    "Mapping",
    "MappingError",
    "UserError",
    "__version__",
    "add_time_keys",
    "attainment",
    "builtin_formats",
    "incident_level",
    "incident_outcomes",
    "ingest",
    "inspect_file",
    "kaplan_meier",
    "load_briefing_data",
    "load_mapping",
    "load_standard",
    "open_dataset",
    "outcome_summary",
    "read_calls",
    "read_quarantine",
    "read_reports",
    "schema",
    "summarize",
]
