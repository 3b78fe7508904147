"""Ingestion: raw blocks of a source, read through a format, become canonical rows, quarantined rows and a report.

* :mod:`.pipeline`: :func:`ingest`, one atomic run over many files;
* :mod:`.normalize`: the per-block rules (cleaning, maps, flags, lookups, required fields);
* :mod:`.timestamps`: layouts, clock-only times, durations, DST, zone suffixes, midnight roll-over;
* :mod:`.fingerprints`: record fingerprints, to find duplicate records in bounded memory;
* :mod:`.spill`: sorted runs of hashes on disk, so that what an ingest keeps per row stays bounded;
* :mod:`.report`: the ingest report (its keys are defined in :mod:`responsestats.schema`).
"""

from .pipeline import MIN_SALT_BYTES, file_sha256, ingest
from .report import FileStats, IngestResult, file_report

__all__ = ["MIN_SALT_BYTES", "FileStats", "IngestResult", "file_report", "file_sha256", "ingest"]
