"""Briefing: the monthly chart set and the analysis notebooks' charts, from a dataset to PNGs and ``index.html``.

The folders follow the data:

* :mod:`.data`: :func:`load_briefing_data`, the only reader of files (one
  month's window of a dataset, its reports and end of observation);
* :mod:`.months`: month arithmetic on :class:`pandas.Period`;
* :mod:`.columns`: the column names of every table;
* :mod:`.tables`: the pure tables, by family (KPI, response, outcomes, quality);
* :mod:`.wording`: every word, from one catalogue per language;
* :mod:`.charts`: matplotlib figures in the briefing style (layout only);
* :mod:`.slides`: one function per chart: figure, title and caption;
* :mod:`.book`, :mod:`.page`, :mod:`.runner`: the notebook's PNGs and
  manifest, the HTML index (a template file) and the headless run of the
  briefing notebook, which ships in ``notebook/``.

Importing this package does not import matplotlib or Jupyter: the names that
need them (:class:`Book`, :class:`Slide`, :func:`build_briefing`, ...) load on
first use.
"""

from __future__ import annotations

import importlib

from .data import BriefingData, load_briefing_data, resolve_agency
from .months import LATEST, latest_full_month

#: Names loaded on first use, and the module that holds each.
_LAZY = {
    "Book": ".book",
    "read_manifest": ".book",
    "Slide": ".slides.base",
    "BriefingResult": ".runner",
    "NotebookFailed": ".runner",
    "build_briefing": ".runner",
    "execute_notebook": ".runner",
    "render_index": ".page",
}


#: Sub-packages and modules reachable as attributes (imported on first use).
_SUBMODULES = ("book", "charts", "columns", "data", "months", "page", "runner", "slides", "tables", "wording")


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_SUBMODULES))


__all__ = [
    "LATEST",
    "Book",
    "BriefingData",
    "BriefingResult",
    "NotebookFailed",
    "Slide",
    "build_briefing",
    "execute_notebook",
    "latest_full_month",
    "load_briefing_data",
    "read_manifest",
    "render_index",
    "resolve_agency",
]
