"""The briefing groups its district chart by a dimension of the dataset (issue 14, part 1): ``--group-by station``."""

from __future__ import annotations

import pytest

from responsestats.briefing import load_briefing_data, slides
from responsestats.briefing import columns as cols
from responsestats.briefing.wording.labels import load_labels
from responsestats.errors import UserError
from responsestats.store import read_calls


def test_the_district_chart_can_group_by_station(sample_dataset):
    data = load_briefing_data(sample_dataset, month="2024-12", group_by="station")
    slide = slides.p90_by_district(data, load_labels("en"))
    stations = set(read_calls(sample_dataset, columns=["station"])["station"])
    assert set(slide.table[cols.GROUP]) <= stations and len(set(slide.table[cols.GROUP])) > 5
    assert (slide.table[cols.BY] == "station").all()
    assert "per station" in slide.figure.texts[1].get_text() or any(
        "per station" in t.get_text() for t in slide.figure.texts)
    assert "stations" in slide.caption
    zh = slides.p90_by_district(data, load_labels("zh"))
    assert "派出所" in zh.title


def test_the_default_stays_the_grid(sample_dataset):
    data = load_briefing_data(sample_dataset, month="2024-12")
    slide = slides.p90_by_district(data, load_labels("en"))
    assert data.group_by == "district" and (slide.table[cols.BY] == "district").all()
    assert any("per grid of" in t.get_text() for t in slide.figure.texts)


def test_an_unknown_group_is_named_with_the_dimensions(sample_dataset):
    with pytest.raises(UserError, match="'beat'.*call_source, key_site, station"):
        load_briefing_data(sample_dataset, month="2024-12", group_by="beat")


def test_stage_ladders_rank_stations_slowest_first(sample_dataset):
    from responsestats.briefing import tables
    from responsestats.metrics import names as N

    data = load_briefing_data(sample_dataset, month="2024-12", group_by="station")
    out = tables.stage_ladders(data.window_calls, data.standard, by="station")
    first = out[(out[N.LADDER_ID] == "order_acknowledged") & (out[N.STEP] == 1)]
    assert first[N.RANK_SLOWEST].tolist() == sorted(first[N.RANK_SLOWEST].tolist())  # slowest first
    assert first[N.SHARE_WITHIN].is_monotonic_increasing
    assert {"key_site_arrival", "all_calls_arrival"} <= set(out[N.LADDER_ID])
    assert not out[cols.SUPPRESSED].any()  # every station has enough calls
    sites = tables.stage_ladders(data.window_calls, data.standard, by="key_site")  # 76 sites: some thin
    small = sites[sites[cols.SUPPRESSED]]
    assert len(small) and small[N.N].isna().all() and small[N.SHARE_WITHIN].isna().all()  # under 5: blanked
    # a standard without ladders, or rows without the dimension a ladder needs: no error, no such rows
    assert tables.stage_ladders(data.window_calls, "nfpa1710").empty
    no_sites = tables.stage_ladders(data.window_calls.drop(columns=["key_site"]), data.standard)
    assert "key_site_arrival" not in set(no_sites[N.LADDER_ID])


def test_many_groups_show_the_slowest_forty_per_panel_and_count_them_all(make_calls):
    """Issue 16, part 5: thousands of beats gave an unreadable chart of thousands of ticks, slowly; the chart
    draws the slowest 40 of each panel and its title counts every group."""
    from matplotlib.text import Text

    from responsestats.briefing import charts, tables
    from responsestats.briefing.tables.response import MAX_GROUPS_SHOWN
    from responsestats.metrics import custom_standard

    rows = [dict(received_at="2024-03-01 10:00", dispatched_at=0, arrived_at=60 + g, district=f"B{g:03d}")
            for g in range(80) for _ in range(6)]  # fmt: skip
    full = tables.p90_by_group(make_calls(rows), custom_standard({"dispatch_to_arrival_s": 90}))
    assert len(full) == 80 and (full[cols.PANEL_TOTAL] == 80).all()
    shown = tables.slowest_per_panel(full)
    assert len(shown) == MAX_GROUPS_SHOWN == 40
    assert shown[cols.GROUP].tolist() == [f"B{g:03d}" for g in range(79, 39, -1)]  # the slowest first
    fig = charts.p90_groups(shown, load_labels("en"), title="t")
    (ax,) = [a for a in fig.axes if a.get_yticklabels()]
    assert len(ax.get_yticklabels()) == 40
    assert "slowest 40 of 80" in " ".join(t.get_text() for t in fig.findobj(Text))
