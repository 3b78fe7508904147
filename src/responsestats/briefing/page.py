"""The briefing's ``index.html``: every chart of a manifest with its title and caption, from a template file.

The page is ``templates/index.html`` (a Jinja template), filled from the
manifest the notebook wrote (:mod:`.book`). Every value is HTML-escaped on the
way in (a district or agency name is data, not markup).
"""

from __future__ import annotations

import html

from ..config import INDEX_TEMPLATE_PATH
from .book import CAPTION, FILE, LEFT_OUT, PAGE, REASON, TITLE
from .wording.labels import load_labels

#: ``<html lang>`` of each catalogue language.
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def render_index(manifest: dict, lang: str, notebook_file: str | None) -> str:
    """The HTML page showing every chart of ``manifest`` with its title and caption.

    Parameters
    ----------
    manifest : dict
        As :func:`~.book.read_manifest` returns it: ``meta`` (``title``, ``intro``) and ``charts``.
    lang : str
        The language of the page's own words (``zh`` or ``en``).
    notebook_file : str, optional
        The executed notebook beside the page, linked at its end.
    """
    import jinja2

    labels = load_labels(lang)
    env = jinja2.Environment(finalize=lambda value: html.escape(str(value)), keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)  # fmt: skip
    template = env.from_string(INDEX_TEMPLATE_PATH.read_text(encoding="utf-8"))
    meta = manifest.get("meta", {})
    charts = [
        {"file": c[FILE], "title": c[TITLE], "caption": c.get(CAPTION, ""),
         "heading": labels("page.figure", n=i, title=c[TITLE])}
        for i, c in enumerate(manifest.get("charts", []), 1)
    ]  # fmt: skip
    left_out = [labels("page.left_out_line", page=e[PAGE], reason=e[REASON]) for e in manifest.get(LEFT_OUT, [])]
    return template.render(
        html_lang=HTML_LANG.get(lang, lang), title=meta.get("title", ""), intro=meta.get("intro", ""), charts=charts,
        notebook=notebook_file or "", notebook_label=labels("page.notebook"), left_out=left_out,
        left_out_label=labels("page.left_out"),
    )  # fmt: skip
