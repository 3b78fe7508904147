"""The briefing as a slide deck: one 16:9 slide per chart, its title and caption in the speaker notes.

:func:`write_deck` reads what a briefing wrote (the manifest, ``charts.json``, and the PNGs beside it) and
writes a PowerPoint file with python-pptx. Each chart fills its slide (the PNGs are 1920 x 1080, the slide
13.333 x 7.5 in: the same 16:9 shape), so the chart's own drawn title, subtitle and footer are the slide's;
the picture's alternative text is the title, and the speaker notes hold the title and the caption (how to read
the chart). The first slide is the page's title and introduction.

Chinese text: the deck's text (the cover and the notes) declares an East Asian font, Noto Sans CJK SC, the
font the charts are drawn with, so PowerPoint and LibreOffice pick a CJK font for it; the charts themselves
are pictures and need no font. Fonts are not embedded (python-pptx cannot).

Reruns: python-pptx stamps the package with the time it was saved (the document's created and modified
dates, and each zip entry's date). Those are set to a fixed instant here, so the same briefing gives the same
bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from .book import CAPTION, FILE, LEFT_OUT, PAGE, REASON, TITLE, read_manifest
from .wording.labels import load_labels

#: The deck's file name beside the charts.
DECK = "briefing.pptx"
#: Slide size [EMU]: 13.333 x 7.5 in, 16:9 (914,400 EMU an inch).
SLIDE_WIDTH_EMU, SLIDE_HEIGHT_EMU = 12_192_000, 6_858_000
#: The East Asian font declared on the deck's text runs.
EAST_ASIAN_FONT = "Noto Sans CJK SC"
#: The instant written as the package's dates, so that reruns give the same bytes.
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _declare_east_asian(run) -> None:
    """Set the run's East Asian typeface (``<a:ea typeface=...>``), which python-pptx has no property for."""
    from pptx.oxml.ns import qn

    rpr = run._r.get_or_add_rPr()
    for child in rpr.findall(qn("a:ea")):
        rpr.remove(child)
    ea = rpr.makeelement(qn("a:ea"), {"typeface": EAST_ASIAN_FONT})
    rpr.append(ea)


def _paragraphs(frame, lines: list[str], size_pt: float | None = None) -> None:
    """Write ``lines`` into a text frame, one paragraph each, every run with the East Asian font declared."""
    from pptx.util import Pt

    frame.clear()
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        if size_pt:
            run.font.size = Pt(size_pt)
        _declare_east_asian(run)


def write_deck(out_dir: str | Path, path: str | Path | None = None) -> Path:
    """Write the slide deck of the briefing in ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        A folder a briefing (or a notebook's :class:`~.book.Book`) wrote: its ``charts.json`` and PNGs.
    path : str or Path, optional
        Where to write the deck; default :data:`DECK` in ``out_dir``.

    Returns
    -------
    Path
        The deck: a cover slide (the page's title and introduction; the pages left out, with the reason, in its
        speaker notes), then one slide per chart in the
        manifest's order, the chart filling the slide, its title as the picture's alternative text, title and
        caption in the speaker notes.
    """
    from pptx import Presentation
    from pptx.util import Emu, Inches

    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir)
    meta = manifest.get("meta", {})
    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(SLIDE_WIDTH_EMU), Emu(SLIDE_HEIGHT_EMU)
    blank = deck.slide_layouts[6]

    cover = deck.slides.add_slide(blank)
    box = cover.shapes.add_textbox(Inches(0.8), Inches(2.4), Inches(11.7), Inches(3.0))
    box.text_frame.word_wrap = True
    _paragraphs(box.text_frame, [meta.get("title", ""), meta.get("intro", "")], None)
    from pptx.util import Pt

    box.text_frame.paragraphs[0].runs[0].font.size = Pt(32)
    if len(box.text_frame.paragraphs) > 1:
        box.text_frame.paragraphs[1].runs[0].font.size = Pt(16)
    if manifest.get(LEFT_OUT):  # the pages left out, one line each with the reason, in the cover's notes
        labels = load_labels(meta.get("language") or "en")
        _paragraphs(cover.notes_slide.notes_text_frame, [labels("page.left_out")] + [
            labels("page.left_out_line", page=e[PAGE], reason=e[REASON]) for e in manifest[LEFT_OUT]])

    for chart in manifest.get("charts", []):
        slide = deck.slides.add_slide(blank)
        picture = slide.shapes.add_picture(str(out_dir / chart[FILE]), 0, 0, width=deck.slide_width,
                                           height=deck.slide_height)  # fmt: skip
        picture._element.nvPicPr.cNvPr.set("descr", chart[TITLE])  # alternative text
        picture.name = chart[FILE]
        notes = slide.notes_slide.notes_text_frame
        _paragraphs(notes, [chart[TITLE], chart.get(CAPTION, "")])

    props = deck.core_properties
    props.title = meta.get("title", "")
    props.author = props.last_modified_by = "responsestats"
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    buffer = io.BytesIO()
    deck.save(buffer)
    target = Path(path) if path is not None else out_dir / DECK
    target.write_bytes(_stable_zip(buffer.getvalue()))
    return target


def _stable_zip(data: bytes) -> bytes:
    """The same zip with every entry dated :data:`_ZIP_TIME` (python-pptx dates them when it saves)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
