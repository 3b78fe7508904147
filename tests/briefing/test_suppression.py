"""Small-cell suppression: no table, chart, title or notebook output of the briefing shows a group under 5.

The rule (``tables.common.DEFAULT_MIN_CELL``, :func:`~responsestats.briefing.tables.common.suppress_figures`):
a figure resting on 1 to 4 incidents is blanked with its count, the row is flagged ``suppressed``, charts
draw ``<5`` in its place (never a bar or a point) and titles never name it. Checked on a hand-worked frame
(district B: 2 calls; February: 3 calls), on the bundled sample (nothing but heatmap cells is suppressed,
so its charts are unchanged) and on the sample with a grid of 2 calls added.
"""

from __future__ import annotations

import dataclasses
from functools import partial

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from factories import SAMPLE_ZONE
from factories import calls as make_frame
from responsestats import ingest
from responsestats import schema as S
from responsestats.briefing import charts as C
from responsestats.briefing import columns as cols
from responsestats.briefing import load_briefing_data, months, slides
from responsestats.briefing import tables as T
from responsestats.briefing.tables.kpi import SUPPRESSED_OF
from responsestats.briefing.wording import titles as H
from responsestats.briefing.wording.labels import load_labels
from responsestats.config import SAMPLE_CN110_DIR
from responsestats.metrics import names as N
from responsestats.metrics import custom_standard, standard_from_dict

from conftest import CN_HEADER, cn_row, write_csv

EN, ZH = load_labels("en"), load_labels("zh")
calls = partial(make_frame, tz=SAMPLE_ZONE)
#: cn110 grading every call. cn110 grades only its population, 一级 calls, so district B's two 二级 calls (and
#: the 二级 priority) are not graded by it at all; the small-cell rule is checked on every call with this profile.
EVERY_CALL = standard_from_dict({"standard": {"extends": "cn110", "population": {}}}, "every_call.toml")
MARK = EN("chart.suppressed_cell", n=T.DEFAULT_MIN_CELL)  # "<5"

# March 2024: district A 6 calls (priority 一级, 60 s to 360 s dispatch to arrival), district B 2 calls (二级,
# the slowest: 900 s and 960 s), one arrest in A and one in B; February 2024: 3 calls in A.
MARCH = [dict(received_at=f"2024-03-{d:02d} 10:00", district="A", area_class="urban", priority="一级",
              outcome="arrest" if d == 1 else "advised", arrested_at=600 if d == 1 else None,
              dispatched_at=30, arrived_at=30 + 60 * d) for d in range(1, 7)]  # fmt: skip
MARCH += [dict(received_at=f"2024-03-{d:02d} 11:00", district="B", area_class="urban", priority="二级",
               outcome="arrest" if d == 8 else "advised", arrested_at=1200 if d == 8 else None,
               dispatched_at=30, arrived_at=30 + 900 + 60 * (d - 7)) for d in (7, 8)]  # fmt: skip
FEBRUARY = [dict(received_at=f"2024-02-{d:02d} 10:00", district="A", area_class="urban", priority="一级",
                 outcome="advised", dispatched_at=30, arrived_at=300) for d in (5, 6, 7)]  # fmt: skip


@pytest.fixture(scope="module")
def frame():
    return calls(MARCH + FEBRUARY)


@pytest.fixture(scope="module")
def march(frame):
    return months.in_months(frame, "2024-03")


def _blank(table: pd.DataFrame, columns) -> None:
    """Every listed figure of every suppressed row is missing."""
    hidden = table[table[cols.SUPPRESSED]]
    assert len(hidden)
    for column in columns:
        assert hidden[column].isna().all(), column


# --- tables ------------------------------------------------------------------------------------------------
def test_p90_by_group_blanks_a_district_of_two_calls(march):
    assert list(T.p90_by_group(march, "cn110")[cols.GROUP]) == ["A"]  # B's calls are 二级: not graded by cn110
    table = T.p90_by_group(march, EVERY_CALL)
    assert list(table[cols.GROUP]) == ["A", "B"]  # B (the slowest, unsuppressed) sorted last once blanked
    b = table.set_index(cols.GROUP).loc["B"]
    assert b[cols.SUPPRESSED] and not b[cols.ABOVE_TARGET]
    _blank(table, [N.N, cols.MEDIAN_MIN, cols.P90_MIN, cols.P90_CI_LOW_MIN, cols.P90_CI_HIGH_MIN,
                   N.WITHIN_TARGET_SHARE])
    a = table.set_index(cols.GROUP).loc["A"]
    assert not a[cols.SUPPRESSED] and a[N.N] == 6 and a[cols.P90_MIN] > 0
    raw = T.p90_by_group(march, EVERY_CALL, min_cell=0).set_index(cols.GROUP)
    assert raw.loc["B", N.N] == 2 and raw.loc["B", cols.P90_MIN] > raw.loc["A", cols.P90_MIN]
    assert not raw[cols.SUPPRESSED].any()
    assert T.p90_by_group(march, EVERY_CALL, min_cell=3)[cols.SUPPRESSED].tolist() == [False, True]


def test_every_group_table_blanks_its_small_cells(frame, march):
    attain = T.attainment_by(march, EVERY_CALL)
    assert set(attain.loc[attain[cols.SUPPRESSED], cols.GROUP]) == {"二级"}
    _blank(attain, [N.N, N.N_WITHIN, N.SHARE_WITHIN, cols.SHARE_CI_LOW, cols.SHARE_CI_HIGH])
    summary = T.interval_summary(march, N.DISPATCH_TO_ARRIVAL_S, by=S.DISTRICT, standard="cn110")
    assert summary[cols.SUPPRESSED].tolist() == [False, True]
    _blank(summary, [N.N, N.N_EXCLUDED, cols.MEDIAN_MIN, cols.P90_MIN])
    trend = T.monthly_trend(frame, ["2024-02", "2024-03"], "cn110")
    assert set(trend.loc[trend[cols.SUPPRESSED], N.KEY_MONTH]) == {"2024-02"}
    _blank(trend, [N.N, cols.MEDIAN_MIN, cols.P90_MIN, cols.P90_CI_LOW_MIN, cols.P90_CI_HIGH_MIN])
    seg = T.segment_medians(frame, groups=["2024-02", "2024-03"])
    assert set(seg.loc[seg[cols.SUPPRESSED], cols.GROUP]) == {"2024-02"}
    _blank(seg, [N.N, cols.MEDIAN_MIN])
    att = T.attainment_trend(frame, ["2024-02", "2024-03"], "cn110")
    assert set(att.loc[att[cols.SUPPRESSED], N.KEY_MONTH]) == {"2024-02"}
    _blank(att, [N.N, N.N_WITHIN, N.SHARE_WITHIN, N.MET])
    curves = T.ecdf(march, N.DISPATCH_TO_ARRIVAL_S, by=S.DISTRICT)
    b = curves[curves[cols.GROUP] == "B"]
    assert len(b) == 1 and b[cols.SUPPRESSED].all() and b[cols.VALUE_MIN].isna().all()  # no value listed
    assert (curves.loc[curves[cols.GROUP] == "A", N.N] == 6).all()


def test_outcome_tables_blank_rates_on_fewer_than_five(frame):
    by_district = T.outcomes_by(frame, by=S.DISTRICT).set_index(cols.GROUP)
    assert by_district.loc["B", cols.SUPPRESSED] and not by_district.loc["A", cols.SUPPRESSED]
    for column in (N.ELIGIBLE, N.ARRESTS, N.ARREST_RATE, cols.ARREST_RATE_CI_LOW, cols.ARREST_RATE_CI_HIGH,
                   N.INCIDENTS):  # fmt: skip
        assert pd.isna(by_district.loc["B", column]), column
    # A: 9 eligible incidents and 1 arrest: the rate is shown (its base is 9); the caught-in-the-act share and
    # the hours to arrest rest on 1 arrest: blanked
    assert by_district.loc["A", N.ELIGIBLE] == 9 and by_district.loc["A", N.ARRESTS] == 1
    assert by_district.loc["A", N.ARREST_RATE] == pytest.approx(1 / 9)
    for column in (N.CAUGHT_IN_ACT_RATE, N.CAUGHT_IN_ACT_COUNT, N.MEAN_HOURS_TO_ARREST, N.N_HOURS_TO_ARREST):
        assert pd.isna(by_district.loc["A", column]), column
    ranked = T.outcomes_by(frame, by=S.DISTRICT, sort=N.ARREST_RATE)
    assert list(ranked[cols.GROUP]) == ["A", "B"]  # B's raw rate (50%) is higher: a suppressed group goes last
    by_month = T.outcomes_by(frame, by=N.KEY_MONTH, groups=["2024-01", "2024-02", "2024-03"]).set_index(cols.GROUP)
    assert by_month[cols.SUPPRESSED].tolist() == [False, True, False]  # January: no calls, nothing to hide


def test_kpi_table_blanks_a_month_of_three_calls(frame):
    kpi = T.kpi_table(frame, "2024-03", "cn110").set_index(cols.KPI)
    calls_row = kpi.loc[cols.KPI_VALID_CALLS]
    # calls per day (issue 18, part 6): 8 calls over March's 31 days; the count is the row's n
    assert calls_row[cols.N_OF + cols.PERIOD_CURRENT] == 8 and calls_row[cols.PERIOD_CURRENT] == pytest.approx(8 / 31)
    assert not calls_row[SUPPRESSED_OF + cols.PERIOD_CURRENT]
    assert calls_row[SUPPRESSED_OF + cols.PERIOD_PREVIOUS] and pd.isna(calls_row[cols.PERIOD_PREVIOUS])
    assert pd.isna(calls_row[cols.N_OF + cols.PERIOD_PREVIOUS]) and pd.isna(calls_row[cols.DELTA_PREVIOUS])
    assert not calls_row[SUPPRESSED_OF + cols.PERIOD_YEAR_AGO]  # no calls at all: nothing to hide
    caught = kpi.loc[cols.KPI_CAUGHT_IN_ACT]  # of 2 arrests
    assert caught[SUPPRESSED_OF + cols.PERIOD_CURRENT] and pd.isna(caught[cols.PERIOD_CURRENT])
    tiles = {t["label"]: t for t in H.kpi_tiles(kpi.reset_index(), EN)}
    assert tiles["Valid calls"]["lines"][0][0] == "fewer than 5 in February: not compared"
    assert tiles["Caught in the act"]["value"] == "–"
    assert tiles["Caught in the act"]["n"] == "fewer than 5: not shown (small-cell rule)"
    zh = {t["label"]: t for t in H.kpi_tiles(kpi.reset_index(), ZH)}
    assert zh["有效警情"]["lines"][0][0] == "2月不足5起，不作比较"
    assert not T.kpi_table(frame, "2024-03", "cn110", min_cell=0)[SUPPRESSED_OF + cols.PERIOD_PREVIOUS].any()


def test_hour_weekday_blanks_times_of_cells_under_five_values(march):
    table = T.hour_weekday(march, N.DISPATCH_TO_ARRIVAL_S)
    shown = table[table[cols.CALLS].notna() & (table[cols.CALLS] > 0)]
    assert shown.empty  # every cell holds one or two calls: calls and times all blanked
    assert table.loc[table[cols.SUPPRESSED], cols.MEDIAN_MIN].isna().all()
    assert table.loc[table[cols.SUPPRESSED], N.N].isna().all()  # n too (it was shown before)


# --- titles ------------------------------------------------------------------------------------------------
def test_titles_never_name_a_suppressed_group(frame, march):
    table = T.p90_by_group(march, EVERY_CALL)
    assert H.p90_groups_title(table, EN).endswith("slowest: A, 5.5 min")  # B is slower, but suppressed
    assert "B" not in H.p90_groups_title(table, ZH)
    assert H.outcome_groups_title(T.outcomes_by(frame, by=S.DISTRICT), EN).startswith(
        "Highest arrest rate by grid: A")
    only_b = T.p90_by_group(march[march[S.DISTRICT] == "B"], EVERY_CALL)
    assert H.p90_groups_title(only_b, EN) == "Every one of the grids has fewer than 5 calls: not shown"
    attain = T.attainment_by(march, EVERY_CALL)
    assert H.attainment_title(attain, "2024-03", EN) == (
        "Within target, March 2024: Priority 1 83.3%, Priority 2 (n<5)")
    priority = T.interval_summary(march, N.DISPATCH_TO_ARRIVAL_S, by=S.PRIORITY, standard="cn110")
    assert H.priority_title(priority, ZH).endswith("二级 （不足5起）")
    trend = T.monthly_trend(frame, ["2024-02", "2024-03"], "cn110")
    # against its target the title counts only the months with a p90 shown: February's 3 calls have none
    assert H.trend_title(trend, "2024-03", EN) == (
        "p90 arrival, all calls: Urban above the 5-min target in 1 of the 1 months with data")
    untargeted = T.monthly_trend(frame, ["2024-02", "2024-03"], custom_standard({N.TRAVEL_S: 240}),
                                 interval=N.DISPATCH_TO_ARRIVAL_S)  # no target: the month against the one before
    assert H.trend_title(untargeted, "2024-03", EN).endswith("fewer than 5 in February: not compared")
    assert H.trend_title(untargeted, "2024-02", EN) == "February 2024: arrival rests on fewer than 5 calls, not shown"
    by_month = T.outcomes_by(frame, by=N.KEY_MONTH, groups=["2024-02", "2024-03"])
    assert H.arrests_title(by_month, "2024-03", EN) == (
        "Arrest rate 25.0% in March 2024 (2 of 8), fewer than 5 in February: not compared; (n<5) caught in the act")
    kpi = T.kpi_table(months.in_months(frame, "2024-02"), "2024-02", "cn110")
    assert H.kpi_title(kpi, EN) == "February 2024: fewer than 5 valid calls, figures not shown"
    block, profile = T.busiest_hours(march), T.hour_profile(march, N.DISPATCH_TO_ARRIVAL_S)
    title = H.hours_title(block, profile, "March 2024", EN)
    assert title == "Only 8 calls over March 2024: too few for an hour pattern" and "0 calls" not in title
    assert not block[cols.SUPPRESSED].iloc[0] and block[cols.CALLS].iloc[0] == 8  # the block of 8 calls: shown
    # the hour profile: 10:00 holds A's 6 calls (shown), 11:00 B's 2 (suppressed: no count, no median)
    hidden = profile[profile[cols.SUPPRESSED]]
    assert list(hidden[N.KEY_HOUR]) == [11] and hidden[cols.CALLS].isna().all() and hidden[cols.MEDIAN_MIN].isna().all()
    assert profile.set_index(N.KEY_HOUR).loc[10, cols.CALLS] == 6


# --- charts ------------------------------------------------------------------------------------------------
def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0 and p.get_height() > 0]


def test_charts_draw_a_suppressed_cell_as_a_mark_never_a_bar(frame, march, tmp_path):
    groups = T.p90_by_group(march, EVERY_CALL)
    fig = C.p90_groups(groups, EN, title="t")
    ax = fig.axes[0]
    ys = [p.get_y() + p.get_height() / 2 for p in _bars(ax)]
    assert ys == [0.0]  # one bar, A's (B at y = 1 has none)
    assert MARK in " ".join(_texts(fig)) and EN("legend.suppressed", n=5) in _texts(fig)
    rate = T.outcomes_by(frame, by=S.DISTRICT, sort=N.ARREST_RATE)
    fig = C.arrest_rate(rate, ZH, title="t")
    assert [round(p.get_y() + p.get_height() / 2) for p in _bars(fig.axes[0])] == [0]
    assert any(MARK in t for t in _texts(fig)) and ZH("legend.suppressed", n=5) in _texts(fig)
    attain = T.attainment_by(march, EVERY_CALL)
    fig = C.attainment_groups(attain, EN, title="t")
    assert all(p.get_x() < 0.6 for p in _bars(fig.axes[0]))  # bars of 一级 only (二级 is at x = 1)
    assert _texts(fig).count(MARK) == len(attain[attain[cols.SUPPRESSED]])
    priority = T.interval_summary(march, N.DISPATCH_TO_ARRIVAL_S, by=S.PRIORITY, standard="cn110")
    fig = C.p90_by(priority, EN, title="t")
    assert all(p.get_x() < 0.6 for p in _bars(fig.axes[0])) and MARK in _texts(fig)
    assert "Priority 2\nn<5" in _texts(fig) and "nan" not in " ".join(_texts(fig))
    trend = T.monthly_trend(frame, ["2024-02", "2024-03"], "cn110")
    fig = C.trend(trend, EN, title="t")
    # at the foot of each of the two panels (all calls, urban), and as February's n in each panel's count row
    C.save(fig, tmp_path / "trend.png")
    assert [t.get_text() for t in fig.findobj(Text) if t.get_visible()].count(MARK) == 4
    seg = T.segment_medians(frame, groups=["2024-02", "2024-03"])
    fig = C.segments(seg, EN, title="t")
    assert all(p.get_x() > 0.5 for p in _bars(fig.axes[0])) and MARK in _texts(fig)
    curves = T.ecdf(march, N.DISPATCH_TO_ARRIVAL_S, by=S.DISTRICT)
    summary = T.interval_summary(march, N.DISPATCH_TO_ARRIVAL_S, by=S.DISTRICT, standard="cn110")
    fig = C.distribution(curves, summary, EN, title="t")
    assert f"B ({MARK})" in _texts(fig)
    att = T.attainment_trend(frame, ["2024-02", "2024-03"], "cn110")
    fig = C.attainment_trend(att, EN, title="t")
    assert MARK in _texts(fig)
    C.save(fig, tmp_path / "attainment_trend.png")  # renders


# --- the bundled sample, and the sample with a grid of two calls -------------------------------------------
@pytest.fixture(scope="module")
def sample_data(sample_dataset):
    return load_briefing_data(sample_dataset, month="latest")


def test_the_sample_has_no_small_cell_but_in_the_heatmap(sample_data):
    """So the sample's charts are the same with suppression on every group: only hour x weekday cells hide."""
    d = sample_data
    found = {
        "trend": T.monthly_trend(d.calls, d.months, d.standard),
        # the grid chart pools twelve months when the standard grades a population (cn110: 一级 calls); three
        # months give some grids 1 to 4 一级 calls
        "p90_by_district": T.p90_by_group(months.in_months(d.calls, slides.monthly.grid_window(d)), d.standard),
        "hour_profile": T.hour_profile(d.window_calls, d.interval),
        "attainment": T.attainment_by(d.month_calls, d.standard),
        "attainment_trend": T.attainment_trend(d.calls, d.months, d.standard),
        "priority": T.interval_summary(d.month_calls, d.interval, by=S.PRIORITY, standard=d.standard),
        "area": T.interval_summary(d.month_calls, d.interval, by=S.AREA_CLASS, standard=d.standard),
        "segments": T.segment_medians(d.window_calls, groups=d.months),
        "arrests_by_month": T.outcomes_by(d.window_calls, by=N.KEY_MONTH, as_of=d.as_of, groups=d.months),
        "arrests_by_district": T.outcomes_by(d.window_calls, by=S.DISTRICT, as_of=d.as_of),
        "arrests_by_call_type": T.outcomes_by(d.window_calls, by=S.CALL_TYPE, as_of=d.as_of),
        "curves": T.ecdf(d.month_calls, d.interval, by=S.AREA_CLASS),
        "heatmap_window": T.hour_weekday(d.window_calls, d.interval),
    }
    assert {name: int(t[cols.SUPPRESSED].sum()) for name, t in found.items()} == dict.fromkeys(found, 0)
    kpi = T.kpi_table(d.calls, d.month, d.standard, as_of=d.as_of)
    assert not kpi[[SUPPRESSED_OF + p for p in cols.PERIODS]].to_numpy().any()
    assert T.hour_weekday(d.month_calls, d.interval)[cols.SUPPRESSED].sum() > 0  # as before this rule


@pytest.fixture(scope="module")
def small_grid(tmp_path_factory):
    """The sample with a grid of 2 calls, a priority of 3 calls and a call type of 2 calls in March 2025."""
    folder = tmp_path_factory.mktemp("small_grid")

    def row(i, day, **kw):
        t = f"2025-03-{day:02d} 10:"
        return cn_row(f"X{i}", t + "00:00", t + "00:40", t + "00:50", t + "09:00", t + "50:00", **kw)

    # the grid's two calls are urgent (一级): cn110 grades 一级 calls only, so the grid is graded and drawn as <5
    extra = [row(1, 3, grid="芗城-99网格", priority="一级"), row(2, 5, grid="芗城-99网格", priority="一级"),
             row(3, 6, priority="四级"), row(4, 7, priority="四级"), row(5, 8, priority="四级"),
             row(6, 9, ctype="爆炸"), row(7, 10, ctype="爆炸")]  # fmt: skip
    path = write_csv(folder / "extra.csv", CN_HEADER, extra, bom=True)
    out = folder / "ds"
    ingest([*sorted(SAMPLE_CN110_DIR.glob("*.csv")), path], out, mapping="cn110", agency="zz110")
    return load_briefing_data(out, month="latest")


@pytest.mark.parametrize("labels", [EN, ZH], ids=["en", "zh"])
def test_a_grid_of_two_calls_is_drawn_as_suppressed(small_grid, labels, tmp_path):
    slide = slides.p90_by_district(small_grid, labels)
    row = slide.table.set_index(cols.GROUP).loc["芗城-99网格"]
    assert row[cols.SUPPRESSED] and pd.isna(row[cols.P90_MIN]) and pd.isna(row[N.N])
    assert "芗城-99网格" not in slide.title
    ax = next(a for a in slide.figure.axes if "芗城-99网格" in [t.get_text() for t in a.get_yticklabels()])
    y = [t.get_text() for t in ax.get_yticklabels()].index("芗城-99网格")
    assert not [p for p in _bars(ax) if abs(p.get_y() + p.get_height() / 2 - y) < 0.01]
    assert any(t.get_text().strip() == MARK for t in ax.texts)
    C.save(slide.figure, tmp_path / "grid.png")
    assert "四级" not in set(slides.attainment_by_priority(small_grid, labels).table[cols.GROUP])  # not graded
    every = dataclasses.replace(small_grid, standard=EVERY_CALL)  # grading every call, 四级's 3 calls: <5
    priority = slides.attainment_by_priority(every, labels)
    assert priority.table.loc[priority.table[cols.GROUP] == "四级", cols.SUPPRESSED].all()
    assert labels("common.suppressed_value", n=5) in priority.title
    by_type = slides.arrest_rate_by(small_grid, labels, S.CALL_TYPE)
    assert by_type.table.iloc[-1][cols.GROUP] == "爆炸" and by_type.table.iloc[-1][cols.SUPPRESSED]
    assert "爆炸" not in by_type.title
    assert np.isnan(by_type.table.iloc[-1][N.ARREST_RATE])
