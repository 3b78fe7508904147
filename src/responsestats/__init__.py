"""responsestats: response-time and outcome metrics from emergency-dispatch call logs.

The public API is re-exported here by name.
"""

__version__ = "0.1.0"

from . import schema  # noqa: E402
from .errors import MappingError, UserError  # noqa: E402
from .ingest import IngestResult, ingest  # noqa: E402
from .mapping import Mapping, builtin_formats, load_mapping  # noqa: E402
from .store import open_dataset, read_calls, read_quarantine, read_reports  # noqa: E402

__all__ = [
    "__version__",
    "schema",
    "UserError",
    "MappingError",
    "ingest",
    "IngestResult",
    "Mapping",
    "load_mapping",
    "builtin_formats",
    "open_dataset",
    "read_calls",
    "read_quarantine",
    "read_reports",
]
