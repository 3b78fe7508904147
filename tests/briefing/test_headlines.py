"""Honest headlines (issue 18, part 6): changes told from the noise, counts per day, targets on their population,
one interval per KPI pair, hours instead of single cells, arrest rates by call type, aligned month axes.

Every rule is checked on hand-worked frames (the figures are worked out in the comments), then on the bundled
110 sample. ``docs/metrics.md`` (section 9) states the rules.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from factories import SAMPLE_ZONE
from factories import calls as make_frame
from responsestats import schema as S
from responsestats.briefing import charts as C
from responsestats.briefing import columns as cols
from responsestats.briefing import load_briefing_data, months, slides
from responsestats.briefing import tables as T
from responsestats.briefing.charts.base import GREY, STATE_COLOURS
from responsestats.briefing.wording import changes
from responsestats.briefing.wording import titles as H
from responsestats.briefing.wording.context import population_text, subtitle
from responsestats.briefing.wording.labels import load_labels
from responsestats.metrics import names as N
from responsestats.metrics import load_standard, standard_from_dict

EN, ZH = load_labels("en"), load_labels("zh")
calls = partial(make_frame, tz=SAMPLE_ZONE)
Z = 1.959963984540054  # the 97.5% point of the standard normal
EVERY_CALL = standard_from_dict({"standard": {"extends": "cn110", "population": {}}}, "every_call.toml")


def _month_of_calls(month: str, per_day: int, arrivals_s=None, days: int | None = None, **extra) -> list[dict]:
    """``per_day`` calls on each day of ``month`` (or its first ``days``), urban, dispatch-to-arrival from
    ``arrivals_s`` (cycled), 30 s after receipt to dispatch."""
    period = pd.Period(month, freq="M")
    rows, k = [], 0
    for day in range(1, (days or period.days_in_month) + 1):
        for j in range(per_day):
            s = 120 if arrivals_s is None else arrivals_s[k % len(arrivals_s)]
            rows.append(dict(received_at=f"{month}-{day:02d} {8 + j % 12:02d}:{j // 12:02d}", dispatched_at=30,
                             arrived_at=30 + s, area_class="urban", **extra))  # fmt: skip
            k += 1
    return rows


# --- the intervals behind a clear change ----------------------------------------------------------------------
def test_poisson_interval_by_hand():
    # k = 0: centre z^2/2 = 1.9207, half z sqrt(z^2/4) = z^2/2: (0, 3.8415)
    low, high = T.poisson_interval(0)
    assert (float(low), float(high)) == pytest.approx((0.0, Z * Z), abs=1e-9)
    # k = 10: centre 11.9207, half 1.96 * sqrt(10.9604) = 6.4887: (5.4320, 18.4095)
    low, high = T.poisson_interval([10])
    assert (low[0], high[0]) == pytest.approx((5.43199, 18.40946), abs=1e-4)


def test_difference_interval_and_clear_by_hand():
    # 0.6 (0.5 to 0.7) against 0.4 (0.3 to 0.5): d = 0.2, each side sqrt(0.1^2 + 0.1^2) = 0.1414
    low, high = T.difference_interval(0.6, 0.5, 0.7, 0.4, 0.3, 0.5)
    assert (float(low), float(high)) == pytest.approx((0.2 - 0.02 ** 0.5, 0.2 + 0.02 ** 0.5))
    assert T.is_clear(low, high, 30, 30)  # excludes 0, both periods have 30 values
    assert not T.is_clear(low, high, 30, 29)  # a thin side is never clear
    # 0.45 (0.35 to 0.55) against 0.4: L = 0.05 - 0.1414 < 0: within the noise
    assert not T.is_clear(*T.difference_interval(0.45, 0.35, 0.55, 0.4, 0.3, 0.5), 100, 100)
    assert not T.is_clear(np.nan, 1.0, 100, 100) and not T.is_clear(0.1, 0.2, np.nan, 100)


def test_covered_days():
    assert T.covered_days("2024-02") == 29 and T.covered_days("2025-03") == 31
    # San Francisco Fire's excerpt runs from 2016-12-31 to 2017-01-07 (local): 1 day of December, 7 of January
    span = (dt.date(2016, 12, 31), dt.date(2017, 1, 7))
    assert (T.covered_days("2016-12", span), T.covered_days("2017-01", span), T.covered_days("2016-01", span)) == (1, 7, 0)


# --- the KPI card ------------------------------------------------------------------------------------------
def test_calls_are_compared_per_day():
    # February 2024 (29 days): 58 calls; March (31 days): 62 calls. 4 more calls, but 2.0 a day in both.
    same = calls(_month_of_calls("2024-02", 2) + _month_of_calls("2024-03", 2))
    row = T.kpi_table(same, "2024-03", "cn110").set_index(cols.KPI).loc[cols.KPI_VALID_CALLS]
    assert (row[cols.PERIOD_CURRENT], row[cols.PERIOD_PREVIOUS]) == (2.0, 2.0)
    assert (row[cols.N_OF + cols.PERIOD_CURRENT], row[cols.N_OF + cols.PERIOD_PREVIOUS]) == (62, 58)
    tile = H.kpi_tiles(T.kpi_table(same, "2024-03", "cn110"), EN)[0]
    assert tile["value"] == "62" and tile["lines"][0] == ("= unchanged from February", changes.SAME)  # not "4 more"
    # March with 4 a day (124): 2.0 a day more, outside the noise. Poisson score intervals / days: March
    # (125.92 -/+ 1.96 sqrt(124.96)) / 31 = 3.355 to 4.768, February (59.92 -/+ 1.96 sqrt(58.96)) / 29 =
    # 1.547 to 2.585; the change's lower bound 2 - sqrt(0.645^2 + 0.585^2) = 1.129 > 0.
    more = calls(_month_of_calls("2024-02", 2) + _month_of_calls("2024-03", 4))
    kpi = T.kpi_table(more, "2024-03", "cn110")
    row = kpi.set_index(cols.KPI).loc[cols.KPI_VALID_CALLS]
    assert row[cols.CI_LOW_OF + cols.PERIOD_CURRENT] == pytest.approx((125.9207 - Z * 124.9604 ** 0.5) / 31, abs=1e-3)
    assert row[cols.CHANGE_LOW_OF + cols.PERIOD_PREVIOUS] == pytest.approx(1.129, abs=2e-3)
    assert row[cols.CLEAR_OF + cols.PERIOD_PREVIOUS]
    tile = H.kpi_tiles(kpi, EN)[0]
    assert tile["lines"][0] == ("▲ 2.0 a day more than February", changes.NEUTRAL)
    assert tile["n"].startswith("124 valid calls: 4.0 a day over 31 days; 95% CI 3.4–4.8")
    assert H.kpi_title(kpi, EN).endswith("; outside the noise from February: valid calls a day up")
    assert H.kpi_title(kpi, ZH).endswith("；与2月相比超出误差范围：日均有效警情 上升")


def test_a_change_is_coloured_only_outside_the_noise():
    # p90 of 40 values 200..590 s (step 10): 550 + 0.1 * 10 = 551 s; shifted by 5 s: 556 s. The order-statistic
    # intervals (x_(32) to x_(40) of 40) overlap: 0.1 min more, within the noise, grey.
    spread = list(range(200, 600, 10))
    feb = _month_of_calls("2024-02", 2, spread, days=20)
    noise = calls(feb + _month_of_calls("2024-03", 2, [s + 5 for s in spread], days=20))
    p90 = H.kpi_tiles(T.kpi_table(noise, "2024-03", "cn110"), EN)[2]
    assert p90["label"] == "Dispatch to arrival: p90"
    assert p90["lines"][0] == ("▲ 0.1 min more than February, within the noise", changes.NOISE)
    # shifted by 600 s: 10.0 min worse, the intervals far apart: orange-red
    worse = calls(feb + _month_of_calls("2024-03", 2, [s + 600 for s in spread], days=20))
    tiles = H.kpi_tiles(T.kpi_table(worse, "2024-03", "cn110"), EN)
    assert tiles[2]["lines"][0] == ("▲ 10.0 min worse than February", changes.WORSE)
    # within the 5-min target: 30 of 40 (<= 300 s... 200..300: 11 values) against 0 of 40: clearly worse
    assert tiles[3]["lines"][0][1] == changes.WORSE
    # February thin (10 values, 200..290 s: p90 = 280 + 0.1 * 10 = 281 s) against March's 1,151 s: 14.5 min
    # more, but too few to judge, grey
    thin = calls(_month_of_calls("2024-02", 1, spread, days=10)
                 + _month_of_calls("2024-03", 2, [s + 600 for s in spread], days=20))  # fmt: skip
    assert H.kpi_tiles(T.kpi_table(thin, "2024-03", "cn110"), EN)[2]["lines"][0] == (
        "▲ 14.5 min more than February, too few to judge", changes.THIN)
    assert STATE_COLOURS[changes.NOISE] == STATE_COLOURS[changes.THIN] == GREY
    assert STATE_COLOURS[changes.WORSE] != GREY


def test_judged_change_wording():
    assert changes.judged_change(-0.4, cols.UNIT_MIN, cols.LOWER_IS_BETTER, "July", EN, clear=True, thin=False) == (
        "0.4 min better than July", changes.BETTER)
    assert changes.judged_change(-0.4, cols.UNIT_MIN, cols.LOWER_IS_BETTER, "July", EN, clear=False, thin=False) == (
        "0.4 min less than July, within the noise", changes.NOISE)
    assert changes.judged_change(0.8, cols.UNIT_MIN, cols.LOWER_IS_BETTER, "2月", ZH, clear=False, thin=True) == (
        "较2月增加0.8分钟，样本不足，不作判断", changes.THIN)
    assert changes.judged_change(0.0123, cols.UNIT_SHARE, cols.HIGHER_IS_BETTER, "7月", ZH, clear=False,
                                 thin=False) == ("较7月上升1.2个百分点，在误差范围内", changes.NOISE)  # fmt: skip
    assert changes.judged_change(-1.25, cols.UNIT_PER_DAY, cols.NEUTRAL, "2月", ZH, clear=True, thin=False) == (
        "日均较2月减少1.2起", changes.NEUTRAL)
    assert changes.judged_change(0.01, cols.UNIT_MIN, cols.LOWER_IS_BETTER, "July", EN, clear=False,
                                 thin=True) == ("unchanged from July", changes.SAME)  # fmt: skip


def test_kpi_median_and_p90_are_of_one_interval(sample_dataset):
    data = load_briefing_data(sample_dataset, month="latest")
    kpi = slides.kpi_card(data, EN).table.set_index(cols.KPI)
    assert kpi.loc[cols.KPI_MEDIAN, N.INTERVAL] == kpi.loc[cols.KPI_P90, N.INTERVAL] == N.DISPATCH_TO_ARRIVAL_S
    labels = [t["label"] for t in H.kpi_tiles(kpi.reset_index(), EN)]
    assert labels[1:3] == ["Dispatch to arrival: median", "Dispatch to arrival: p90"]
    assert [t["label"] for t in H.kpi_tiles(kpi.reset_index(), ZH)][1:3] == ["派警至到达现场：中位数", "派警至到达现场：P90"]


# --- targets graded on the profile's population --------------------------------------------------------------
def test_population_wording():
    cn110 = load_standard("cn110")
    assert population_text(cn110, EN) == "Priority 1 calls" and population_text(cn110, ZH) == "一级警情"
    nfpa = load_standard("nfpa1710")  # fire and EMS groups: a long list, named by what the rows hold
    assert population_text(nfpa, EN) == "ems or medical or emergency medical and 25 more calls"
    fire = calls([dict(received_at="2024-03-01 10:00", call_group=g) for g in ["Fire", "Alarm", "Alarm", "Police"]])
    assert population_text(nfpa, EN, fire) == "Alarm or Fire calls"
    # a fire department's export: the population leaves none of its calls out, so every call is graded
    assert population_text(nfpa, EN, fire[fire["call_group"] != "Police"]) == "all calls"
    assert population_text(load_standard("nfpa1221-2016"), EN) == "all calls"
    some = calls([dict(received_at="2024-03-01 10:00", priority="一级"), dict(received_at="2024-03-01 11:00"),
                  dict(received_at="2024-03-01 12:00", priority="二级")])
    assert population_text(cn110, EN, some) == "Priority 1 calls (and calls with no priority recorded)"
    assert population_text(cn110, ZH, some) == "一级警情（含未记录警情级别的警情）"
    assert population_text(cn110, EN, some.iloc[:2]) == "all calls"  # none of these calls is left out
    none = calls([dict(received_at="2024-03-01 10:00")])
    assert population_text(cn110, EN, none) == "all calls (no priority recorded)"
    other = standard_from_dict({"standard": {"extends": "cn110", "population": {"priority": {"not_in": ["三级"]}}}},
                               "x.toml")  # fmt: skip
    assert population_text(other, EN) == "calls other than Priority 3"


def test_the_sample_grades_its_urgent_calls_and_says_so(sample_dataset):
    data = load_briefing_data(sample_dataset, month="latest")
    month = data.month_calls
    kpi = slides.kpi_card(data, EN).table.set_index(cols.KPI).loc[cols.KPI_WITHIN_TARGET]
    # the share within target is of the month's 一级 calls with a dispatch-to-arrival value: 74 (46 within);
    # before the population it graded every call: 652 values, 63.3% within
    urgent = month[month[S.PRIORITY] == "一级"]
    timed = urgent[urgent[S.ARRIVED_AT].notna() & urgent[S.DISPATCHED_AT].notna()
                   & (urgent[S.ARRIVED_AT] >= urgent[S.DISPATCHED_AT]) & (urgent[S.SELF_INITIATED] != True)]  # noqa: E712
    assert kpi[cols.N_OF + cols.PERIOD_CURRENT] == timed[S.INCIDENT_ID].nunique() == 74
    assert kpi[cols.PERIOD_CURRENT] == pytest.approx(46 / 74)
    every = T.kpi_table(data.calls, data.month, EVERY_CALL).set_index(cols.KPI).loc[cols.KPI_WITHIN_TARGET]
    assert every[cols.N_OF + cols.PERIOD_CURRENT] == 652 and round(every[cols.PERIOD_CURRENT], 3) == 0.633
    for labels, words in ((EN, "Priority 1 calls"), (ZH, "一级警情")):
        for kind in ("kpi", "trend", "attainment"):
            assert words in subtitle(kind, data, labels), kind
        for make in (slides.kpi_card, slides.trend, slides.p90_by_district, slides.attainment_by_priority):
            slide = make(data, labels)
            assert words in slide.caption and words in slide.title, make.__name__
        grid = slides.p90_by_district(data, labels)
        assert words in " ".join(t.get_text() for t in grid.figure.findobj(Text))  # the subtitle on the chart


def test_the_grid_chart_pools_twelve_months_for_a_population(sample_dataset):
    data = load_briefing_data(sample_dataset, month="latest")
    assert slides.monthly.grid_window(data) == data.months  # cn110 grades 一级 calls: about 1 call in 10
    table = slides.p90_by_district(data, EN).table
    urgent = months.in_months(data.calls, data.months)
    assert int(table[N.N].sum()) <= int((urgent[S.PRIORITY] == "一级").sum())
    import dataclasses

    every = dataclasses.replace(data, standard=EVERY_CALL)
    assert slides.monthly.grid_window(every) == data.recent  # every call graded: the three recent months


def test_trend_titles_count_the_months_above_target():
    def trend(p90_urban, p90_suburban, n=40):
        k = len(p90_urban)
        ms = [f"2024-{m:02d}" for m in range(1, k + 1)]
        rows = []
        for seg, key, target, values in (("all", "all", np.nan, [9.0] * k),
                                         ("arrival_urban", "area_class:urban", 5.0, p90_urban),
                                         ("arrival_suburban", "area_class:suburban", 10.0, p90_suburban)):
            for m, v in zip(ms, values):
                rows.append({cols.SEGMENT: seg, cols.SEGMENT_KEY: key, cols.TARGET_MIN: target, N.KEY_MONTH: m,
                             N.INTERVAL: N.DISPATCH_TO_ARRIVAL_S, N.N: n if pd.notna(v) else 0, cols.P90_MIN: v})
        return pd.DataFrame(rows)

    table = trend([6.0, 7.5, 5.5], [9.0, 12.0, 11.0])
    assert H.trend_title(table, "2024-03", EN, "Priority 1 calls") == (
        "p90 arrival, Priority 1 calls: Urban above the 5-min target every month; "
        "Suburban above the 10-min target in 2 of 3 months")
    assert H.trend_title(table, "2024-03", ZH, "一级警情") == (
        "一级警情到场时间P90：城区 每月均超出5分钟时限；郊区 3个月中2个月超出10分钟时限")
    table = trend([4.0, 4.5, np.nan], [9.0, 8.0, np.nan])  # March without a p90: counted out, said so
    assert H.trend_title(table, "2024-03", EN, "Priority 1 calls") == (
        "p90 arrival, Priority 1 calls: Urban above the 5-min target in 0 of the 2 months with data; "
        "Suburban above the 10-min target in 0 of the 2 months with data")
    table = trend([4.0, 4.5, 4.9], [9.0, 8.0, 9.9])
    assert H.trend_title(table, "2024-03", EN, "Priority 1 calls").endswith(
        "Urban within the 5-min target every month; Suburban within the 10-min target every month")


def test_trend_title_without_target_judges_the_change():
    # p90 9.0 min (8.5 to 9.5) against 7.0 (6.6 to 7.4), n 100 each: d = 2.0, L = 2 - sqrt(0.25 + 0.16) = 1.36
    table = pd.DataFrame({cols.SEGMENT: "all", N.KEY_MONTH: ["2024-07", "2024-08"], N.INTERVAL: N.TRAVEL_S,
                          N.N: 100, cols.P90_MIN: [7.0, 9.0], cols.P90_CI_LOW_MIN: [6.6, 8.5],
                          cols.P90_CI_HIGH_MIN: [7.4, 9.5], cols.TARGET_MIN: np.nan})  # fmt: skip
    assert H.trend_title(table, "2024-08", EN) == "p90 travel 9.0 min in August 2024, 2.0 min worse than July"


# --- hours, never single cells ---------------------------------------------------------------------------------
def _hours(counts: dict[int, int]) -> pd.DataFrame:
    rows = []
    for hour, k in counts.items():
        for j in range(k):
            rows.append(dict(received_at=f"2024-03-{1 + j % 28:02d} {hour:02d}:{j % 60:02d}", dispatched_at=30,
                             arrived_at=330))  # fmt: skip
    return calls(rows)


def test_busiest_hours_by_hand():
    # 5 calls in each hour, 15 in 18:00-23:00: 180 calls, the block 18:00-00:00 holds 90 = 50.0%; Wilson 95%
    # interval of 90 of 180: 0.428 to 0.572, above the even 25%: a clear peak
    peak = _hours({h: 15 if h >= 18 else 5 for h in range(24)})
    block = T.busiest_hours(peak).iloc[0]
    assert (block[cols.HOUR_START], block[cols.HOUR_END], block[cols.CALLS], block[cols.TOTAL]) == (18, 0, 90, 180)
    assert block[cols.SHARE_CI_LOW] == pytest.approx(0.4276, abs=1e-3) and block[cols.CLEAR] and not block[cols.FEW]
    profile = T.hour_profile(peak, N.DISPATCH_TO_ARRIVAL_S)
    assert list(profile[cols.CALLS]) == [5] * 18 + [15] * 6 and profile[N.THIN].all()
    assert H.hours_title(T.busiest_hours(peak), profile, "March 2024", EN) == (
        "Calls peak 18:00–00:00: 50.0% of calls in those 6 hours (an even spread gives 25.0%)")  # every hour thin
    # 5 in every hour: 120 calls, every block 25.0%: the earliest, no clear peak
    flat = _hours(dict.fromkeys(range(24), 5))
    assert H.hours_title(T.busiest_hours(flat), T.hour_profile(flat, N.DISPATCH_TO_ARRIVAL_S), "March 2024", ZH) == (
        "无明显高峰：警情最多的6小时（00时至06时）占25.0%（均匀分布为25.0%）")
    # 119 calls (under 5 an hour): too few for an hour pattern, never "0 calls"
    few = _hours({**dict.fromkeys(range(23), 5), 23: 4})
    assert T.busiest_hours(few)[cols.FEW].iloc[0]
    assert H.hours_title(T.busiest_hours(few), T.hour_profile(few, N.DISPATCH_TO_ARRIVAL_S), "March 2024", EN) == (
        "Only 119 calls over March 2024: too few for an hour pattern")
    # an hour of 4 calls is suppressed in the profile (no count, no median)
    assert T.hour_profile(few, N.DISPATCH_TO_ARRIVAL_S).set_index(N.KEY_HOUR).loc[23, cols.SUPPRESSED]


def test_the_count_map_draws_zero_small_and_counted_cells_distinctly():
    # Monday 10:00 holds 6 calls (coloured), Monday 11:00 holds 2 (<5, grey), every other cell 0 (white, "0")
    frame = calls([dict(received_at="2024-03-04 10:00")] * 6 + [dict(received_at="2024-03-04 11:00")] * 2)
    volume = T.hour_weekday(frame, N.DISPATCH_TO_ARRIVAL_S)
    fig = C.hour_weekday(volume, T.hour_profile(frame, N.DISPATCH_TO_ARRIVAL_S), EN, title="t", period="March 2024")
    image = fig.axes[0].images[0].get_array()
    white, grey = np.array([1, 1, 1, 1.0]), np.array([0xE4 / 255] * 3 + [1.0])
    assert not np.allclose(image[0, 10], white) and not np.allclose(image[0, 10], grey)  # 6: a colour
    assert np.allclose(image[0, 11], grey) and np.allclose(image[1, 3], white)
    texts = {(round(t.get_position()[0]), round(t.get_position()[1])): t.get_text() for t in fig.axes[0].texts}
    assert (texts[(10, 0)], texts[(11, 0)], texts[(3, 1)]) == ("6", "<5", "0")


def test_the_hour_slide_states_a_block_on_the_sample(sample_dataset, tmp_path):
    data = load_briefing_data(sample_dataset, month="latest")
    slide = slides.hour_weekday(data, EN)
    assert slide.title.startswith("Calls peak 16:00–22:00: 37.1% of calls in those 6 hours")
    assert len(slide.table) == 24 and int(slide.table[cols.CALLS].sum()) == len(data.window_calls.drop_duplicates(
        [S.AGENCY, S.INCIDENT_ID]))  # fmt: skip
    assert slides.hour_weekday(data, ZH).title.startswith("警情集中在16时至22时")
    C.save(slide.figure, tmp_path / "hours.png")


# --- arrest rate by call type ----------------------------------------------------------------------------------
def test_arrest_concentration_by_hand():
    # theft: 10 eligible, 2 arrests; fight: 10 eligible, 3 arrests; traffic: 30 eligible, no arrest (and one
    # cancelled call, not eligible). Overall 5 of 50 = 10.0%; among the two types with an arrest 5 of 20 = 25.0%.
    # The highest rate is named among the types with an arrest (traffic, the only one not thin, has none).
    rows = [dict(received_at="2024-03-01 10:00", call_type="theft", outcome="arrest" if i < 2 else "report")
            for i in range(10)]
    rows += [dict(received_at="2024-03-01 11:00", call_type="fight", outcome="arrest" if i < 3 else "advised")
             for i in range(10)]
    rows += [dict(received_at="2024-03-01 12:00", call_type="traffic", outcome="advised") for _ in range(30)]
    rows += [dict(received_at="2024-03-01 12:00", call_type="traffic", outcome="cancelled")]
    frame = calls(rows)
    c = T.arrest_concentration(frame, S.CALL_TYPE).iloc[0]
    assert (c[cols.GROUPS], c[cols.GROUPS_WITH_ARRESTS], c[N.ELIGIBLE], c[N.ARRESTS]) == (3, 2, 50, 5)
    assert c[N.ARREST_RATE] == 0.1 and c[cols.ELIGIBLE_WITH_ARRESTS] == 20 and c[cols.RATE_WITH_ARRESTS] == 0.25
    by_type = T.outcomes_by(frame, by=S.CALL_TYPE, sort=N.ARREST_RATE)
    concentration = T.arrest_concentration(frame, S.CALL_TYPE)
    assert H.arrest_types_title(by_type, concentration, "March 2024", EN) == (
        "Arrest rate by call type, March 2024: highest fight, 30.0% (3 of 10); 1 of 3 call types had no arrest")
    assert H.arrest_types_title(by_type, concentration, "2024年3月", ZH) == (
        "2024年3月按警情类型的抓获率：最高为fight，30.0%（10起中3起）；3类警情类型中1类无抓获")
    assert H.arrest_focus_title(concentration, EN) == (
        "25.0% among the 2 call types with an arrest (5 of 20); 10.0% over all eligible incidents")
    none = calls([dict(received_at="2024-03-01 10:00", call_type="fire", outcome="transport") for _ in range(8)])
    assert H.arrest_types_title(T.outcomes_by(none, by=S.CALL_TYPE), T.arrest_concentration(none, S.CALL_TYPE),
                                "March 2024", EN) == (
        "No arrests recorded over March 2024 (8 eligible incidents): no arrest rate to compare")  # fmt: skip


def test_the_arrest_slide_ranks_call_types_on_the_sample(sample_dataset):
    data = load_briefing_data(sample_dataset, month="latest")
    slide = slides.arrests(data, EN)
    assert slide.table[cols.BY].unique().tolist() == [S.CALL_TYPE] and len(slide.table) == 12
    assert slide.table[N.ARREST_RATE].is_monotonic_decreasing
    assert slide.title == ("Arrest rate by call type, April 2024 – March 2025: highest Robbery, 20.3% (12 of 59); "
                           "6 of 12 call types had no arrest")  # fmt: skip
    texts = [t.get_text() for t in slide.figure.findobj(Text)]
    assert "7.3% among the 6 call types with an arrest (279 of 3,808); 3.7% over all eligible incidents" in texts
    assert any(t.startswith("Median 0.4 h from dispatch to arrest") for t in texts)  # caught in the act stays


# --- axes ------------------------------------------------------------------------------------------------------
def test_month_rows_are_aligned_whatever_the_names(tmp_path):
    """'May' (a descender) and 'Jun' (none) once put their counts on different heights; every row is one line."""
    ms = ["2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2025-01"]
    fig = C.new_figure("t")
    with C.style():
        ax = fig.subplots()
        ax.plot(range(len(ms)), range(len(ms)))
        C.common.month_axis(ax, ms, EN, counts=[700, 760, 764, 732, 759, 712])
    C.save(fig, tmp_path / "axis.png")
    renderer = fig.canvas.get_renderer()
    rows = {}
    for axis in [ax, *ax.child_axes]:  # the names, then the rows of years and counts
        for label in axis.get_xticklabels():
            if label.get_visible() and label.get_text():
                rows.setdefault(axis, []).append(label.get_window_extent(renderer).y1)
    tops = [sorted(set(round(y, 3) for y in ys)) for ys in rows.values()]
    assert len(tops) == 3 and all(len(t) == 1 for t in tops)  # names, years, counts: each row on one line
    assert [len(ys) for ys in rows.values()] == [6, 2, 6]  # years under April 2024 and January 2025 only
    assert "\n" not in " ".join(t.get_text() for t in fig.findobj(Text))
    assert C.common.month_ticks(ms[:2], EN, [700, 760]) == ["Apr\n2024\n700", "May\n760"]
