"""Sources: input files (CSV and other delimited text, Excel, Parquet) read as blocks of raw text.

The first stage of the data flow. Every reader follows one small protocol
(:class:`~.base.Source`: a ``header`` and ``blocks(columns)`` of
:class:`~.base.RawBlock`), and :func:`open_source` picks the reader by the
file's extension. Nothing here knows about call logs or mappings.
"""

from .base import RawBlock, Source, unique_names
from .cells import arrow_to_text, render_cell
from .registry import open_source

__all__ = ["RawBlock", "Source", "arrow_to_text", "open_source", "render_cell", "unique_names"]
