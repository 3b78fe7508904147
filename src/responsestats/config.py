"""Paths used by the project, in one place (cookiecutter-data-science style).

Two kinds of path live here:

* **Package data**, shipped in the wheel and found beside the code whatever
  the working folder: the built-in mappings, the standard profiles, the
  label catalogues, the chart style, the briefing notebook and its page
  template.
* **Checkout paths** (``data/``, ``reports/``, ``notebooks/``), meaningful only
  when running from a source tree. Raw data under ``data/sample`` is never
  edited; ``data/processed`` and ``reports`` are outputs and are git-ignored.
  Set ``RESPONSESTATS_PROJECT_DIR`` to point them elsewhere.

Paths are :class:`pathlib.Path` objects joined with ``/``, never strings with a
separator, so they are right on Windows as well.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

# --- package data -------------------------------------------------------------
#: The built-in format mappings (``formats/builtin/<name>.toml``) and their lookup tables.
MAPPINGS_DIR = PACKAGE_DIR / "formats" / "builtin"
#: The built-in standard profiles (``metrics/profiles/<name>.toml``).
STANDARDS_DIR = PACKAGE_DIR / "metrics" / "profiles"
BRIEFING_DIR = PACKAGE_DIR / "briefing"
#: The label catalogues, one per language (``<lang>.toml``).
LABELS_DIR = BRIEFING_DIR / "wording" / "catalogues"
#: The matplotlib style of every chart.
STYLE_PATH = BRIEFING_DIR / "charts" / "briefing.mplstyle"
#: The briefing notebook (jupytext py:percent), run headless by ``responsestats briefing``.
BRIEFING_NOTEBOOK_PATH = BRIEFING_DIR / "notebook" / "04_monthly_briefing.py"
#: The template of the briefing's ``index.html``.
INDEX_TEMPLATE_PATH = BRIEFING_DIR / "templates" / "index.html"

# --- checkout paths -----------------------------------------------------------
_CHECKOUT = PACKAGE_DIR.parents[1]
#: The project checkout when running from a source tree (``src/responsestats`` beside ``pyproject.toml``);
#: from an installed wheel, the working folder. ``RESPONSESTATS_PROJECT_DIR`` overrides both.
PROJECT_DIR = Path(os.environ.get("RESPONSESTATS_PROJECT_DIR")
                   or (_CHECKOUT if (_CHECKOUT / "pyproject.toml").is_file() else Path.cwd()))
DATA_DIR = PROJECT_DIR / "data"
SAMPLE_DIR = DATA_DIR / "sample"
SAMPLE_CN110_DIR = SAMPLE_DIR / "cn110"
REAL_SAMPLE_DIR = SAMPLE_DIR / "real"
PROCESSED_DIR = DATA_DIR / "processed"
REPORTS_DIR = PROJECT_DIR / "reports"
#: The analysis notebooks of a checkout (``notebooks/04_monthly_briefing.py`` links to the packaged one).
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"

# --- dataset layout -------------------------------------------------------------
#: Sub-folders of a dataset. Their names start with ``_`` so that Parquet
#: readers of the dataset skip them.
QUARANTINE_SUBDIR = "_quarantine"
REPORTS_SUBDIR = "_reports"
#: The incident keys each input file wrote, per partition (a re-export replaces them instead of doubling).
KEYS_SUBDIR = "_keys"

#: Rows per block read from an input file. Memory use is bounded by this,
#: not by the file's size.
DEFAULT_BLOCK_ROWS = 200_000
