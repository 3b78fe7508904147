"""Markup in data is text, never HTML (issue 16, part 4): a district named with tags is the slowest one, so it is
the subject of a chart title, and ``index.html`` shows it escaped."""

from __future__ import annotations

import html
import json

from responsestats import ingest
from responsestats.briefing import load_briefing_data, slides
from responsestats.briefing.wording.labels import load_labels
from responsestats.briefing.book import MANIFEST
from responsestats.cli import main
from responsestats.config import SAMPLE_CN110_DIR

MARKUP = '<script>alert("x")</script><b>&amp;</b>'


def test_a_district_named_with_markup_is_escaped_where_it_is_the_title(tmp_path, capsys):
    # the grid of the slowest urban arrivals in the sample's last quarter gets the markup for a name
    files = sorted(SAMPLE_CN110_DIR.glob("zz110_2025-0[1-3].csv"))
    out = tmp_path / "src"
    out.mkdir()
    probe = tmp_path / "probe"
    ingest(files, probe, mapping="cn110", agency="zz")
    title = slides.p90_by_district(load_briefing_data(probe, month="2025-03"), load_labels("en")).title
    slowest = title.split("slowest: ")[1].split(",")[0]
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        assert slowest in text
        (out / path.name).write_text(text.replace(slowest, MARKUP), encoding="utf-8")
    ingest(sorted(out.glob("*.csv")), tmp_path / "ds", mapping="cn110", agency="zz")
    capsys.readouterr()
    assert main(["briefing", str(tmp_path / "ds"), "--month", "2025-03", "--lang", "en",
                 "--out", str(tmp_path / "b")]) == 0  # fmt: skip
    charts = json.loads((tmp_path / "b" / MANIFEST).read_text(encoding="utf-8"))["charts"]
    title = next(c["title"] for c in charts if c["file"] == "06_p90_by_district.png")
    assert MARKUP in title  # the data's text, as it is, in the manifest
    page = (tmp_path / "b" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>&amp;" not in page
    assert html.escape(MARKUP) in page
