"""Reading input files and normalising them into canonical rows."""

from .pipeline import IngestResult, file_sha256, ingest

__all__ = ["ingest", "IngestResult", "file_sha256"]
