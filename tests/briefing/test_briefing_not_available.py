"""The briefing of a source that records no arrest: never 0.0%, and the reason wherever an arrest figure would be.

San Francisco Fire's export has a final disposition but no value of it means an arrest, and no arrest time:
the KPI card has no arrest tiles (the standard's other graded interval, turnout, takes their place), the
briefing's arrest page is left out with the reason (the index lists it), and each arrest chart of the analysis
notebooks is replaced by a slide that says why. The 110 sample, which records arrests, keeps its figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from responsestats.briefing import load_briefing_data, slides
from responsestats.briefing import columns as cols
from responsestats.briefing.wording import titles
from responsestats.briefing.wording.labels import load_labels
from responsestats.metrics import names as N

EN = load_labels("en")


@pytest.fixture(scope="module")
def sffd(sffd_dataset):
    return load_briefing_data(sffd_dataset, month="2017-01", standard="nfpa1710")


def test_the_source_is_known_to_record_no_arrest(sffd):
    assert not sffd.outcomes.arrests and sffd.outcomes.reasons == ("no_arrest_code",)


def test_kpi_arrest_tiles_are_not_shown_where_the_source_records_no_arrest(sffd):
    kpi = slides.kpi_card(sffd, EN).table.set_index(cols.KPI)
    assert cols.KPI_ARREST_RATE not in kpi.index and cols.KPI_CAUGHT_IN_ACT not in kpi.index
    turnout = kpi.loc[cols.KPI_WITHIN_TARGET_OF]  # NFPA 1710's turnout, beside the headline travel
    assert turnout[N.INTERVAL] == "turnout_s" and kpi.at[cols.KPI_WITHIN_TARGET, N.INTERVAL] == "travel_s"
    tiles = {t["label"]: t for t in titles.kpi_tiles(kpi.reset_index(), EN)}
    assert "Turnout (dispatched to en route): within target" in tiles
    assert not any("rrest" in label for label in tiles)


def test_turnout_share_on_the_card_is_the_plain_share_of_the_month(sffd):
    """Recomputed by hand from the rows: turnout within 60 s (EMS) or 80 s (fire) of the graded calls."""
    calls = sffd.month_calls
    # NFPA's incident level: the first dispatch and the first unit en route of each incident
    first = calls.groupby("incident_id").agg(dispatched=("dispatched_at", "min"), enroute=("enroute_at", "min"),
                                             call_group=("call_group", "first"))  # fmt: skip
    turnout = (first["enroute"] - first["dispatched"]).dt.total_seconds().to_numpy()
    ems = first["call_group"].str.lower().isin(["potentially life-threatening", "non life-threatening"]).to_numpy()
    # a call with no call type group has no turnout target (neither EMS nor "not EMS" is known)
    graded = sffd.standard.in_population(first.reset_index()) & ~pd.isna(turnout) & first["call_group"].notna().to_numpy()
    within = (turnout <= np.where(ems, 60, 80)) & graded
    kpi = slides.kpi_card(sffd, EN).table.set_index(cols.KPI)
    row = kpi.loc[cols.KPI_WITHIN_TARGET_OF]
    assert row[cols.N_OF + cols.PERIOD_CURRENT] == graded.sum()
    assert row[cols.PERIOD_CURRENT] == pytest.approx(within.sum() / graded.sum())


def test_the_briefing_leaves_the_arrest_page_out_with_the_reason(sffd, tmp_path):
    from responsestats.briefing.book import LEFT_OUT, Book, read_manifest
    from responsestats.briefing.page import render_index

    page = slides.arrests(sffd, EN)
    assert isinstance(page, slides.LeftOut) and page.reason == EN("not_available.no_arrest_code")
    book = Book(tmp_path)
    book.add(page, "06_arrests.png")
    book.write_manifest(title="t", intro="i")
    assert not (tmp_path / "06_arrests.png").exists()
    manifest = read_manifest(tmp_path)
    assert manifest["charts"] == [] and manifest[LEFT_OUT][0]["page"] == EN("page_name.arrests")
    html = render_index(manifest, "en", None)
    assert "Arrests and time to arrest: left out, no outcome value of the source means an arrest" in html


@pytest.mark.parametrize(
    "make",
    [slides.arrest_rate_by_month, slides.time_to_arrest, slides.km_curve,
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


def test_the_fire_edition_on_san_francisco_fire(sffd, tmp_path):
    """The whole briefing with NFPA 1710: no arrest page, no ladder page (each listed with its reason), the
    targets page with turnout and travel, and every interval named as what it is (travel is never "arrival")."""
    import json

    from responsestats.cli import main

    out = tmp_path / "fire"
    assert main(["briefing", str(sffd.dataset), "--month", "2017-01", "--standard", "nfpa1710", "--lang", "en",
                 "--out", str(out)]) == 0  # fmt: skip
    manifest = json.loads((out / "charts.json").read_text(encoding="utf-8"))
    files = [c["file"] for c in manifest["charts"]]
    assert "13_arrests.png" not in files and "09_ladders.png" not in files and "08_targets.png" in files
    left = {e["file"]: e["reason"] for e in manifest["left_out"]}
    assert left == {"09_ladders.png": EN("ladder.no_ladders", standard="nfpa1710"),
                    "13_arrests.png": EN("not_available.no_arrest_code")}  # fmt: skip
    for chart in manifest["charts"]:
        assert "arrest" not in chart["title"].lower(), chart["title"]
    assert "within the travel target" in manifest["charts"][0]["title"]  # the KPI card names its interval
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Arrests and time to arrest: left out, no outcome value of the source means an arrest" in page


def test_a_mapping_names_its_districts(sffd):
    """sffd's mapping says a district is a battalion: the briefing's district chart counts battalions, not grids."""
    from responsestats.formats.mapping import DISTRICT_NOUNS

    assert sffd.district_noun == "battalion"
    for lang in ("en", "zh"):
        named = load_labels(lang, district_noun=sffd.district_noun)
        assert named("groups.district") == named("groups.battalion") != load_labels(lang)("groups.district")
        for noun in DISTRICT_NOUNS:  # every noun a mapping may give has words in both catalogues
            assert load_labels(lang, district_noun=noun)("group_axis.district") == named(f"group_axis.{noun}")
    title = slides.p90_by_district(sffd, load_labels("en", district_noun=sffd.district_noun)).title
    assert "battalions" in title and "grids" not in title
