"""Collect a notebook's slides: save each PNG and record its title and caption.

The notebook adds each :class:`~.slides.Slide` to a :class:`Book`. At the end
it writes the book's manifest (``charts.json``): one entry per PNG, in order,
with its title and caption. :mod:`.runner` builds ``index.html`` from this
manifest, so the page shows exactly what the notebook made.
"""

from __future__ import annotations

import json
from pathlib import Path

from .charts.base import save, show
from .slides.base import LeftOut, Slide

MANIFEST = "charts.json"
FILE, TITLE, CAPTION = "file", "title", "caption"
#: Manifest key of the pages left out, each with ``page`` and ``reason`` (:class:`~.slides.base.LeftOut`).
LEFT_OUT, PAGE, REASON = "left_out", "page", "reason"


class Book:
    """The charts of one notebook run, saved under ``out_dir``."""

    def __init__(self, out_dir: str | Path):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.entries: list[dict[str, str]] = []
        self.left_out: list[dict[str, str]] = []

    def add(self, slide: Slide | LeftOut, name: str | None = None):
        """Save ``slide`` as ``out_dir/name`` (default ``slide.name``) and return it as an image to display.

        Adding a file name again replaces its entry. A :class:`~.slides.base.LeftOut` page writes no file: it
        is recorded with its reason (``index.html`` lists it) and its reason is returned for the notebook to
        show.
        """
        name = name or slide.name
        self.entries = [e for e in self.entries if e[FILE] != name]
        self.left_out = [e for e in self.left_out if e[FILE] != name]
        if isinstance(slide, LeftOut):
            self.left_out.append({FILE: name, PAGE: slide.page, REASON: slide.reason})
            return f"{slide.page}: {slide.reason}"
        path = save(slide.figure, self.out_dir / name)
        self.entries.append({FILE: name, TITLE: slide.title, CAPTION: slide.caption})
        return show(path)

    def write_manifest(self, **meta: object) -> Path:
        """Write ``charts.json``: ``meta`` and the charts in the order they were added."""
        path = self.out_dir / MANIFEST
        body = {"meta": {k: str(v) for k, v in meta.items()}, "charts": self.entries, LEFT_OUT: self.left_out}
        path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path


def read_manifest(out_dir: str | Path) -> dict:
    """The manifest a notebook wrote into ``out_dir``."""
    return json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
