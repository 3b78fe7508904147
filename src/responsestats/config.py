"""Paths used by the project, in one place (cookiecutter-data-science style).

Raw data under ``data/sample`` is never edited; ``data/processed`` and
``reports`` are outputs and are git-ignored.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
MAPPINGS_DIR = PACKAGE_DIR / "mappings"
STANDARDS_DIR = PACKAGE_DIR / "standards"

#: The project checkout (only meaningful when running from a source tree).
PROJECT_DIR = Path(os.environ.get("RESPONSESTATS_PROJECT_DIR", PACKAGE_DIR.parents[1]))
DATA_DIR = PROJECT_DIR / "data"
SAMPLE_DIR = DATA_DIR / "sample"
SAMPLE_CN110_DIR = SAMPLE_DIR / "cn110"
REAL_SAMPLE_DIR = SAMPLE_DIR / "real"
PROCESSED_DIR = DATA_DIR / "processed"
REPORTS_DIR = PROJECT_DIR / "reports"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"

#: Sub-folders of a dataset. Their names start with ``_`` so that Parquet
#: readers of the dataset skip them.
QUARANTINE_SUBDIR = "_quarantine"
REPORTS_SUBDIR = "_reports"

#: Rows per block read from an input file. Memory use is bounded by this,
#: not by the file's size.
DEFAULT_BLOCK_ROWS = 200_000
