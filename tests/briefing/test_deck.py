"""The slide deck (issue 15, part 6): one 16:9 slide per chart, title and caption in the notes, stable bytes."""

from __future__ import annotations

import zipfile

import pytest

from responsestats.briefing import Book, load_briefing_data, slides
from responsestats.briefing.deck import DECK, EAST_ASIAN_FONT, SLIDE_HEIGHT_EMU, SLIDE_WIDTH_EMU, write_deck
from responsestats.briefing.wording.context import page_text
from responsestats.briefing.wording.labels import load_labels

pptx = pytest.importorskip("pptx")


@pytest.fixture(scope="module")
def book_dir(sample_dataset, tmp_path_factory):
    labels = load_labels("zh")
    data = load_briefing_data(sample_dataset, month="latest")
    out = tmp_path_factory.mktemp("deck")
    book = Book(out)
    for make in (slides.kpi_card, slides.trend):
        book.add(make(data, labels))
    book.write_manifest(**page_text(data, labels), month=data.month)
    return out


def test_one_slide_per_chart_with_title_and_caption_in_the_notes(book_dir):
    from responsestats.briefing.book import read_manifest

    path = write_deck(book_dir)
    assert path.name == DECK
    deck = pptx.Presentation(str(path))
    assert (deck.slide_width, deck.slide_height) == (SLIDE_WIDTH_EMU, SLIDE_HEIGHT_EMU)  # 16:9
    assert SLIDE_WIDTH_EMU * 9 == SLIDE_HEIGHT_EMU * 16
    charts = read_manifest(book_dir)["charts"]
    cover, *chart_slides = list(deck.slides)
    assert len(chart_slides) == len(charts) == 2
    assert "月度简报" in " ".join(s.text_frame.text for s in cover.shapes if s.has_text_frame)
    for slide, chart in zip(chart_slides, charts):
        (picture,) = [s for s in slide.shapes if s.shape_type == pptx.enum.shapes.MSO_SHAPE_TYPE.PICTURE]
        assert (picture.left, picture.top, picture.width, picture.height) == (0, 0, SLIDE_WIDTH_EMU, SLIDE_HEIGHT_EMU)
        assert picture._element.nvPicPr.cNvPr.get("descr") == chart["title"]  # alternative text
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.splitlines() == [chart["title"], chart["caption"]]
    xml = zipfile.ZipFile(path).read("ppt/notesSlides/notesSlide1.xml").decode("utf-8")
    assert f'<a:ea typeface="{EAST_ASIAN_FONT}"/>' in xml  # the Chinese text declares its font


def test_the_same_briefing_gives_the_same_bytes(book_dir, tmp_path):
    first = write_deck(book_dir, tmp_path / "a.pptx").read_bytes()
    second = write_deck(book_dir, tmp_path / "b.pptx").read_bytes()
    assert first == second
    assert {i.date_time for i in zipfile.ZipFile(tmp_path / "a.pptx").infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_pages_left_out_are_listed_in_the_cover_notes(sample_dataset, tmp_path):
    labels = load_labels("zh")
    data = load_briefing_data(sample_dataset, month="latest")
    book = Book(tmp_path)
    book.add(slides.kpi_card(data, labels))
    book.add(slides.volume.targets(data, labels), "08_targets.png")  # cn110 grades one interval: left out
    book.write_manifest(**page_text(data, labels), month=data.month, language="zh")
    deck = pptx.Presentation(str(write_deck(tmp_path)))
    cover, *charts = list(deck.slides)
    assert len(charts) == 1  # no slide for the page left out
    notes = cover.notes_slide.notes_text_frame.text.splitlines()
    assert notes == [labels("page.left_out"), labels("page.left_out_line", page=labels("page_name.targets"),
                                                     reason=labels("targets.one_interval"))]  # fmt: skip
