"""Charts: style, CJK glyphs, slide size, byte-identical output, and the label catalogues."""

from __future__ import annotations

import ast
import re
import warnings

import matplotlib
import pytest

from briefing_helpers import png_size
from responsestats.briefing import charts as C
from responsestats.briefing import load_briefing_data, slides
from responsestats.briefing.book import Book, read_manifest
from responsestats.briefing.slides import Slide
from responsestats.briefing.wording.labels import LANGUAGES, Labels, check_language, load_labels, placeholders
from responsestats.errors import UserError

#: matplotlib's warning for a character no font has (drawn as a box, "tofu").
GLYPH_MISSING = r"Glyph .* missing from"


@pytest.fixture(scope="module")
def data(sample_dataset):
    return load_briefing_data(sample_dataset, month="latest")


def _figures(data, labels: Labels) -> dict:
    """A few slides of the briefing, with their most CJK-heavy wording (each made by one call)."""
    return {
        "kpi.png": lambda: slides.kpi_card(data, labels).figure,
        "trend.png": lambda: slides.trend(data, labels).figure,
        "heat.png": lambda: slides.hour_weekday(data, labels).figure,
        "grids.png": lambda: slides.p90_by_district(data, labels).figure,
    }


# --- style and fonts ---------------------------------------------------------------------------
def test_style_gives_the_briefing_look():
    assert C.STYLE_PATH.is_file()
    C.register_fonts()
    with C.style():
        assert matplotlib.rcParams["font.family"][0] == "Noto Sans CJK SC"
        colours = [c.lower() for c in matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]]
        assert colours[:4] == ["#0072b2", "#e69f00", "#009e73", "#d55e00"]  # Okabe-Ito
    assert [c.upper() for c in C.OKABE_ITO] == ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7",
                                                "#F0E442", "#000000"]  # fmt: skip
    assert (C.WIDTH_PX, C.HEIGHT_PX) == (1920, 1080)


def test_a_missing_glyph_is_caught(tmp_path):
    """The glyph check works: a character no font has raises once warnings are errors."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        with pytest.raises(UserWarning, match="missing from"):
            fig = C.new_figure("\U00013000")  # an Egyptian hieroglyph: in neither font
            C.save(fig, tmp_path / "tofu.png")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_charts_render_without_missing_glyphs_at_slide_size(data, lang, tmp_path):
    labels = load_labels(lang)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        for name, make in _figures(data, labels).items():
            path = C.save(make(), tmp_path / name)
            assert png_size(path) == (1920, 1080), name


def test_identical_input_gives_identical_bytes(data, tmp_path):
    labels = load_labels("zh")
    for name, make in list(_figures(data, labels).items())[:2]:
        first = C.save(make(), tmp_path / f"a_{name}").read_bytes()
        second = C.save(make(), tmp_path / f"b_{name}").read_bytes()
        assert first == second, name
        assert b"Software" not in first[:2000] and b"matplotlib" not in first


def test_long_titles_are_fitted_not_cut(tmp_path):
    long = "，".join(["到场时间P90 9.7分钟较2月延长0.8分钟"] * 4)
    fig = C.new_figure(long, subtitle="subtitle")
    renderer = fig.canvas.get_renderer()
    head = fig.texts[0]
    box = head.get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= C.WIDTH_PX
    assert head.get_fontsize() < 24 or "\n" in head.get_text()
    assert png_size(C.save(fig, tmp_path / "long.png")) == (1920, 1080)


def test_book_writes_a_manifest(data, tmp_path):
    labels = load_labels("en")
    book = Book(tmp_path)
    fig = _figures(data, labels)["trend.png"]()
    book.add(Slide("trend.png", fig, title="T", caption="how to read it"))
    book.write_manifest(month=data.month)
    manifest = read_manifest(tmp_path)
    assert manifest["charts"] == [{"file": "trend.png", "title": "T", "caption": "how to read it"}]
    assert manifest["meta"] == {"month": "2025-03"}


# --- label catalogues ----------------------------------------------------------------------------
def test_catalogues_have_the_same_keys_and_placeholders():
    zh, en = load_labels("zh"), load_labels("en")
    assert zh.keys() == en.keys()
    for key in sorted(zh.keys()):
        a, b = zh.get(key), en.get(key)
        assert type(a) is type(b), key
        if isinstance(a, str):
            assert placeholders(a) == placeholders(b), key
        else:
            assert len(a) == len(b), key


def test_no_label_is_written_in_chart_code():
    """Chart, title and briefing code hold no words of either language: they ask the catalogue."""
    from pathlib import Path

    import responsestats

    root = Path(responsestats.__file__).parent
    briefing = root / "briefing"
    sources = [*sorted((briefing / "charts").glob("*.py")), *sorted((briefing / "slides").glob("*.py")),
               *(briefing / "wording" / f"{name}.py" for name in ("changes", "context", "terms", "titles")),
               briefing / "runner.py", briefing / "page.py", briefing / "book.py"]
    cjk = re.compile(r"[\u4e00-\u9fff]")
    english = re.compile(r"\b(than|within|calls|arrest|target|month|minutes?)\b", re.I)
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
        }  # fmt: skip
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                assert not cjk.search(node.value), f"Chinese text in {path.name}: {node.value!r}"
                if " " in node.value.strip() and not node.value.startswith(("<", "{", "body{", "h1{", "figure{")):
                    assert not english.search(node.value), f"English wording in {path.name}: {node.value!r}"


def test_labels_helpers():
    zh, en = load_labels("zh"), load_labels("en")
    assert (en.month("2025-03"), zh.month("2025-03")) == ("March 2025", "2025年3月")
    assert (en.month("2025-03", "short"), zh.month("2025-03", "short")) == ("Mar", "3月")
    assert en.ref_month("2025-02", "2025-03") == "February" and en.ref_month("2024-12", "2025-01") == "December 2024"
    assert (en.weekday(4), zh.weekday(6)) == ("Fri", "周日")
    assert en.value("priority", "一级") == "Priority 1" and zh.value("area_class", "urban") == "城区"
    assert en.value("district", "芗城-01网格") == "芗城-01网格"  # names without a translation stay as they are
    assert en.segment("area_class:suburban") == "Suburban" and zh.segment("all") == "全部警情"
    assert (en.percent(0.8084), zh.minutes(6.25), en.count(11640)) == ("80.8%", "6.2分钟", "11,640")
    assert en.percent(float("nan")) == "–"
    with pytest.raises(UserError):
        check_language("fr")


def test_a_title_too_long_for_two_lines_wraps_to_width(tmp_path):
    """Data text (a long population, a long group name) never runs off the slide: it wraps to as many lines as
    it needs (found on the San Francisco Fire briefing, where the list of call groups cut four titles)."""
    long = ("p90 travel, Potentially Life-Threatening or Non Life-threatening or Alarm or Fire or Structure Fire "
            "or Medical Incident calls (and calls with no call group recorded): above the 4-min target in 2 of the "
            "2 months with data, and the same again to make sure it cannot fit on two lines at the smallest size")
    fig = C.new_figure(long, subtitle=long, footer="f")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width = fig.bbox.width
    for text in fig.texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width, text.get_text()[:40]
    assert fig.texts[0].get_text().count("\n") >= 2
    assert fig.texts[0].get_text().replace("\n", " ").split() == long.split()  # nothing lost


def test_every_quarantine_reason_has_a_label_in_every_language():
    """A reason without a label crashed the data-quality page of any dataset that had it (found with rows whose
    incident id repeats: ``duplicate_incident_id`` had no label)."""
    from responsestats import schema as S

    for lang in LANGUAGES:
        labels = load_labels(lang)
        for reason in S.QUARANTINE_REASONS:
            assert labels(f"reason.{reason}"), (lang, reason)
