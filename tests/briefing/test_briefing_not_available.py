"""The briefing of a source that records no arrest: "n/a" with the reason, never 0.0%, on every outcome page.

San Francisco Fire's export has a final disposition but no value of it means an arrest, and no arrest time:
the KPI card's arrest tiles say n/a and why, and each arrest chart is replaced by a slide that says so. The
110 sample, which records arrests, keeps its figures.
"""

from __future__ import annotations

import pytest

from paths import REAL_SAMPLE
from responsestats.briefing import load_briefing_data, slides
from responsestats.briefing import columns as cols
from responsestats.briefing.wording import titles
from responsestats.briefing.wording.labels import load_labels
from responsestats.ingestion import ingest
from responsestats.metrics import names as N

EN = load_labels("en")


@pytest.fixture(scope="module")
def sffd(tmp_path_factory):
    out = tmp_path_factory.mktemp("sffd_na") / "ds"
    ingest(sorted((REAL_SAMPLE / "sffd").glob("*.csv")), out, mapping="sffd", agency="sffd")
    return load_briefing_data(out, month="2017-01", standard="nfpa1710")


def test_the_source_is_known_to_record_no_arrest(sffd):
    assert not sffd.outcomes.arrests and sffd.outcomes.reasons == ("no_arrest_code",)


def test_kpi_arrest_tiles_say_not_available(sffd):
    kpi = slides.kpi_card(sffd, EN).table
    arrest = kpi.set_index(cols.KPI).loc[[cols.KPI_ARREST_RATE, cols.KPI_CAUGHT_IN_ACT]]
    assert arrest[cols.PERIOD_CURRENT].isna().all()  # not 0.0
    assert (arrest[N.NOT_AVAILABLE] == "no_arrest_code").all()
    tiles = {t["label"]: t for t in titles.kpi_tiles(kpi, EN)}
    tile = tiles[EN("kpi.arrest_rate")]
    assert tile["value"] == "n/a" and "arrest" in tile["n"] and tile["lines"] == []
    assert "0.0%" not in " ".join(str(t["value"]) for t in tiles.values())


@pytest.mark.parametrize(
    "make",
    [slides.arrests, slides.arrest_rate_by_month, slides.time_to_arrest, slides.km_curve,
     lambda d, lab: slides.arrest_rate_by(d, lab, "call_type")],
)  # fmt: skip
def test_every_arrest_slide_says_why_instead_of_drawing_zeros(sffd, make):
    slide = make(sffd, EN)
    assert slide.title.startswith("No arrest figures for") and EN("not_available.no_arrest_code") in slide.title
    assert "0.0%" not in slide.title and slide.table is None
    assert EN("not_available.no_arrest_code") in slide.caption
    texts = [t.get_text() for t in slide.figure.findobj(lambda a: hasattr(a, "get_text"))]
    assert not any("%" in t for t in texts)  # no axis, no rate drawn


def test_a_source_that_records_arrests_keeps_its_slides(sample_dataset):
    data = load_briefing_data(sample_dataset, month="latest")
    assert data.outcomes.arrests and data.outcomes.caught and data.outcomes.reasons == ()
    slide = slides.arrests(data, EN)
    assert not slide.title.startswith("No arrest figures") and slide.table is not None
    kpi = slides.kpi_card(data, EN).table.set_index(cols.KPI)
    assert kpi.at[cols.KPI_ARREST_RATE, N.NOT_AVAILABLE] == ""
    assert kpi.at[cols.KPI_ARREST_RATE, cols.PERIOD_CURRENT] > 0
