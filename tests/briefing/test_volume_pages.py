"""The call volume pages, the ladder page and the targets page: what each shows, its denominators, and when a page
is left out (with the reason) rather than drawn empty.

On the bundled 110 sample (no invalid calls in it: every call is valid, and the page says 100.0%) and on the San
Francisco Fire excerpt with NFPA 1710 (no definition of invalid calls, no ladder; turnout and travel graded).
"""

from __future__ import annotations

import numpy as np
import pytest

from responsestats.briefing import load_briefing_data
from responsestats.briefing import columns as cols
from responsestats.briefing.slides import LeftOut
from responsestats.briefing.slides import volume as pages
from responsestats.briefing.tables.targets import ERF_TARGET
from responsestats.briefing.wording.labels import load_labels
from responsestats.metrics import names as N

EN, ZH = load_labels("en"), load_labels("zh")


@pytest.fixture(scope="module")
def sample(sample_dataset):
    return load_briefing_data(sample_dataset, month="latest")


@pytest.fixture(scope="module")
def fire(sffd_dataset):
    return load_briefing_data(sffd_dataset, month="2017-01", standard="nfpa1710")


def test_call_volume_counts_every_incident_of_the_month(sample):
    slide = pages.call_volume(sample, EN)
    last = slide.table.iloc[-1]
    assert last[N.KEY_MONTH] == sample.month
    assert last[cols.CALLS] == sample.month_calls["incident_id"].nunique()
    assert last[cols.VALID] == last[cols.CALLS] and last[cols.VALID_SHARE] == 1.0  # the sample has no invalid call
    assert last[cols.PER_DAY] == pytest.approx(last[cols.CALLS] / 31)
    assert f"{int(last[cols.CALLS]):,} calls, {int(last[cols.VALID]):,} of them valid (100.0%)" in slide.title
    assert "无效警情" in slide.figure.texts[1].get_text()  # the subtitle names the definition


def test_without_a_definition_the_page_counts_calls_and_never_says_valid(fire):
    slide = pages.call_volume(fire, EN)
    assert slide.table[cols.VALID].isna().all() and "valid" not in slide.title
    assert "defines no invalid calls" in slide.figure.texts[1].get_text()


@pytest.mark.parametrize("labels", [EN, ZH])
def test_call_mix_and_station_pages_share_one_denominator(sample, labels):
    mix = pages.call_mix(sample, labels)
    station = pages.by_station(sample, labels)
    total = mix.table.attrs["total"]
    assert total == station.table.attrs["total"] == sample.month_calls["incident_id"].nunique()
    shown = mix.table[~mix.table[cols.SUPPRESSED]]
    assert np.allclose(shown[cols.SHARE], shown[cols.PERIOD_CURRENT] / total)
    assert station.table.attrs["by"] == "station"  # the 110 export's stations, not the grids
    top = station.table.iloc[0]
    assert labels.count(top[cols.PERIOD_CURRENT]) in station.title


def test_ladder_page_names_the_slowest_stations_and_counts_open_orders(sample):
    slide = pages.ladders(sample, EN)
    assert not isinstance(slide, LeftOut)
    first = slide.table[(slide.table[N.LADDER_ID] == "order_acknowledged") & (slide.table[N.STEP] == 1)]
    slowest = first.sort_values(N.RANK_SLOWEST)["station"].iloc[0]
    assert f"slowest {sample.standard.ladders[0].label}: {slowest}" in slide.title
    assert "orders open at the cut-off" in slide.title


def test_pages_a_standard_cannot_support_are_left_out_with_the_reason(sample, fire):
    targets = pages.targets(sample, EN)  # cn110 grades one interval: the priority page shows it
    assert isinstance(targets, LeftOut) and targets.reason == EN("targets.one_interval")
    ladders = pages.ladders(fire, ZH)  # NFPA 1710 has no ladder
    assert isinstance(ladders, LeftOut) and "nfpa1710" in ladders.reason and ladders.page == ZH("page_name.ladders")


def test_fire_targets_page_grades_turnout_travel_and_the_effective_response_force(fire):
    slide = pages.targets(fire, EN)
    table = slide.table.set_index(N.TARGET_ID)
    assert list(table.index) == ["turnout_ems", "turnout_fire", "travel_first_unit", "erf_full_alarm"]
    assert table.loc["turnout_ems", N.TARGET_S] == 60 and table.loc["turnout_fire", N.TARGET_S] == 80
    assert table.loc["travel_first_unit", N.N_WITHIN] == 62 and table.loc["travel_first_unit", N.N] == 97
    assert table.loc["erf_full_alarm", cols.KIND_OF_TARGET] == ERF_TARGET
    assert table.loc["erf_full_alarm", cols.SUPPRESSED]  # 2 structure fires in twelve months: n<5, not a share
    assert slide.title == "January 2017: 0 of 3 objectives of nfpa1710 met"
    assert all("travel" not in t.lower() for t in table.loc[["turnout_ems", "turnout_fire"], cols.LABEL_TEXT])


@pytest.mark.parametrize("make", [pages.call_volume, pages.call_mix, pages.by_station, pages.ladders])
def test_a_rerun_gives_the_same_png_bytes(sample, make, tmp_path):
    from responsestats.briefing.charts.base import save

    first = save(make(sample, ZH).figure, tmp_path / "a.png").read_bytes()
    second = save(make(sample, ZH).figure, tmp_path / "b.png").read_bytes()
    assert first == second
