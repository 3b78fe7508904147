"""The workload slide (issue 15, part 4) on a small synthetic month, in both languages: the figure's data, the
finding in the title, "not available" never drawn as 0, and a PNG at slide size without missing glyphs."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from briefing_helpers import png_size
from factories import calls
from responsestats import schema as S
from responsestats.briefing import charts as C
from responsestats.briefing import columns as cols
from responsestats.briefing.charts.base import ORANGE
from responsestats.briefing.data import BriefingData
from responsestats.briefing.months import month_range
from responsestats.briefing.slides.base import Slide
from responsestats.briefing.slides.workload import MIN_MONTH_CALLS, workload, workload_title, workload_window
from responsestats.briefing.tables import workload as wt
from responsestats.briefing.wording.labels import LANGUAGES, load_labels
from responsestats.metrics import load_standard
from responsestats.metrics import names as N
from responsestats.sources.roster import read_roster

ZONE = "Asia/Shanghai"
MONTH = "2025-03"
GLYPH_MISSING = r"Glyph .* missing from"
#: Calls an hour of the day, the synthetic centre's day: quiet nights, an evening peak.
RATE = np.array([2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 5, 5, 5, 6, 7, 8, 9, 9, 8, 6, 4], dtype=float) / 3


def synthetic_calls(units: bool, days: int = 31, seed: int = 7) -> pd.DataFrame:
    """A month of calls (March 2025, Shanghai), each incident open 20 to 100 minutes from dispatch.

    With ``units``, one or two unit rows per incident (unit ids ``E1``-``E6`` engines, ``M1``-``M4``
    medics, dimension ``unit_type``); otherwise one row per incident without a unit id.
    """
    rng = np.random.default_rng(seed)
    rows, kinds = [], []
    number = 0
    for day in range(days):
        date = dt.date(2025, 3, 1) + dt.timedelta(days=day)
        for hour in range(24):
            for _ in range(rng.poisson(RATE[hour])):
                number += 1
                received = pd.Timestamp(date) + pd.Timedelta(hours=hour, minutes=int(rng.integers(0, 60)))
                dispatched = received + pd.Timedelta(minutes=int(rng.integers(1, 4)))
                cleared = dispatched + pd.Timedelta(minutes=int(rng.integers(20, 100)))
                fmt = "%Y-%m-%d %H:%M:%S"
                base = {S.INCIDENT_ID: f"J{number:05d}", S.RECEIVED_AT: received.strftime(fmt),
                        S.DISPATCHED_AT: dispatched.strftime(fmt), S.CLEARED_AT: cleared.strftime(fmt)}  # fmt: skip
                if not units:
                    rows.append(base)
                    continue
                for k in range(1 + int(rng.random() < 0.3)):
                    medic = rng.random() < 0.4
                    unit = f"M{rng.integers(1, 5)}" if medic else f"E{rng.integers(1, 7)}"
                    rows.append(base | {S.UNIT_ID: unit})
                    kinds.append("medic" if medic else "engine")
    frame = calls(rows, tz=ZONE)
    if units:
        frame["unit_type"] = kinds
    return frame


def briefing_data(frame: pd.DataFrame) -> BriefingData:
    """The :class:`BriefingData` of March 2025 holding ``frame`` (nothing read from disk)."""
    standard = load_standard("cn110")
    return BriefingData(
        dataset=Path("synthetic"), agency="zz110", month=MONTH, months=month_range(MONTH, 12),
        recent=month_range(MONTH, 3), previous="2025-02", year_ago="2024-03", first_month=MONTH, last_month=MONTH,
        standard=standard, interval="dispatch_to_arrival_s", calls=frame,
        as_of=pd.Timestamp("2025-04-01", tz="UTC"), reports=(), first_date=dt.date(2025, 3, 1),
        last_date=dt.date(2025, 3, 31),
    )  # fmt: skip


def _roster_csv(tmp_path: Path, teams_by_hour: list[int]) -> Path:
    lines = ["weekday,hour,teams"] + [f"{w},{h},{teams_by_hour[h]}" for w in range(1, 8) for h in range(24)]
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _weekday_roster(teams: list[int]) -> pd.DataFrame:
    """A weekday roster (as :func:`read_roster` gives it) with the same teams every day, per hour."""
    return pd.DataFrame([(w, h, teams[h]) for w in range(1, 8) for h in range(24)], columns=["weekday", "hour", "teams"])


#: Teams on duty: four by night, six by day, five in the evening (fewer than the evening's incidents).
TEAMS = [4] * 8 + [6] * 10 + [5] * 6


@pytest.fixture(scope="module")
def incident_data():
    return briefing_data(synthetic_calls(units=False))


@pytest.fixture(scope="module")
def unit_data():
    return briefing_data(synthetic_calls(units=True))


def _hand_concurrency(frame: pd.DataFrame) -> np.ndarray:
    """Incidents open at each minute of March, averaged per local hour: the same figure by brute force."""
    start = pd.Timestamp("2025-03-01", tz=ZONE)
    minutes = np.zeros(31 * 24 * 60)
    per_incident = frame.groupby(S.INCIDENT_ID).agg({S.DISPATCHED_AT: "min", S.CLEARED_AT: "max"})
    for _, row in per_incident.iterrows():
        a = int((row[S.DISPATCHED_AT] - start) / pd.Timedelta(minutes=1))
        b = int((row[S.CLEARED_AT] - start) / pd.Timedelta(minutes=1))
        minutes[max(a, 0):min(b, minutes.size)] += 1
    return minutes.reshape(31, 24, 60).mean(axis=(0, 2))


def _hand_units_busy(frame: pd.DataFrame) -> np.ndarray:
    """Distinct units busy at each minute of March, averaged per local hour."""
    start = pd.Timestamp("2025-03-01", tz=ZONE)
    total = np.zeros(31 * 24 * 60)
    for _, rows in frame.groupby(S.UNIT_ID):
        busy = np.zeros(total.size, dtype=bool)
        for _, row in rows.iterrows():
            a = int((row[S.DISPATCHED_AT] - start) / pd.Timedelta(minutes=1))
            b = int((row[S.CLEARED_AT] - start) / pd.Timedelta(minutes=1))
            busy[max(a, 0):min(b, total.size)] = True
        total += busy
    return total.reshape(31, 24, 60).mean(axis=(0, 2))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_incident_level_slide_with_a_roster(incident_data, lang, tmp_path):
    labels = load_labels(lang)
    slide = workload(incident_data, labels, roster=_roster_csv(tmp_path, TEAMS))
    assert isinstance(slide, Slide) and slide.name == "workload.png"
    table = slide.table
    assert len(table) == 24 and (table[N.DAYS] == 31).all()
    # the figure's data: the month's incidents by hour, and the same concurrency as a minute-by-minute count
    frame = incident_data.calls
    hours = frame[S.RECEIVED_AT].dt.tz_convert(ZONE).dt.hour
    shown = ~table[cols.SUPPRESSED]
    assert table.loc[shown, N.CALLS].tolist() == [int((hours == h).sum()) for h in table.loc[shown, N.KEY_HOUR]]
    assert table.loc[shown, N.CALLS_PER_DAY].tolist() == pytest.approx((table.loc[shown, N.CALLS] / 31).tolist())
    assert table[N.INCIDENTS_IN_PROGRESS].to_numpy() == pytest.approx(_hand_concurrency(frame), abs=1e-9)
    assert table[N.TEAMS_ON_DUTY].tolist() == [float(t) for t in TEAMS]
    assert table[N.UNITS_BUSY].isna().all()  # incident-level: not available, never 0
    fig = slide.figure
    top = fig.axes[0]
    lines = [ln for ln in top.get_lines() if len(ln.get_xdata()) >= 24]
    drawn = {len(ln.get_xdata()): ln.get_ydata() for ln in lines}
    assert np.asarray(drawn[24], dtype=float) == pytest.approx(table[N.INCIDENTS_IN_PROGRESS].to_numpy())
    assert np.asarray(drawn[25], dtype=float)[:24].tolist() == [float(t) for t in TEAMS]  # the step line
    assert not any(ln.get_color() == ORANGE for ln in lines)  # no units-busy line
    bars = [p.get_height() for p in fig.axes[1].patches]
    assert bars == pytest.approx(table[N.CALLS_PER_DAY].fillna(0).tolist())
    # the finding: the block where incidents in progress come closest to (or exceed) the teams on duty
    block = wt.pressure_block(slide.table)
    start = int(block["hour_start"].iloc[0])
    assert slide.title == workload_title(table, block, labels, labels.month(MONTH))
    assert f"{start:02d}:00" in slide.title
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert labels("workload.reason_no_unit_id") in legend
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        path = C.save(fig, tmp_path / f"workload_{lang}.png")
    assert png_size(path) == (1920, 1080)


def test_the_block_is_the_worst_ratio_of_incidents_to_teams(incident_data):
    table = wt.workload_table(incident_data.calls, "2025-03-01", "2025-03-31",
                              _weekday_roster(TEAMS), timezone=ZONE)  # fmt: skip
    block = wt.pressure_block(table).iloc[0]
    incidents = table[N.INCIDENTS_IN_PROGRESS].to_numpy()
    teams = np.array(TEAMS, dtype=float)
    ratios = [incidents[[(s + k) % 24 for k in range(3)]].sum() / teams[[(s + k) % 24 for k in range(3)]].sum()
              for s in range(24)]  # fmt: skip
    assert int(block["hour_start"]) == int(np.argmax(ratios))
    assert block[wt.INCIDENTS_PER_TEAM] == pytest.approx(max(ratios))
    assert block[wt.HOURS_OVER] == int((incidents > teams).sum())
    assert block[wt.EXCEEDS] == (max(ratios) > 1)


def test_pressure_block_by_hand():
    table = pd.DataFrame({N.KEY_HOUR: range(24), N.INCIDENTS_IN_PROGRESS: [1.0] * 24, N.CALLS_PER_DAY: [2.0] * 24})
    table.loc[[22, 23, 0], N.INCIDENTS_IN_PROGRESS] = [3.0, 4.0, 2.0]
    table[N.TEAMS_ON_DUTY] = 3.0
    block = wt.pressure_block(table).iloc[0]
    # 22:00-01:00 wraps past midnight: (3 + 4 + 2) / (3 + 3 + 3) = 1.0, the highest ratio; only 23 is over
    assert (block["hour_start"], block["hour_end"]) == (22, 1)
    assert block[wt.INCIDENTS_PER_TEAM] == pytest.approx(1.0) and not block[wt.EXCEEDS]
    assert block[wt.HOURS_OVER] == 1 and block[wt.BLOCK_CALLS_PER_DAY] == 6.0
    table.loc[[11, 12, 13], N.TEAMS_ON_DUTY] = 0.0  # no team on duty while incidents are open: the worst block
    block = wt.pressure_block(table).iloc[0]
    assert block["hour_start"] == 11 and block[wt.EXCEEDS] and block[wt.INCIDENTS_PER_TEAM] == np.inf
    assert block[wt.HOURS_OVER] == 4  # 11, 12, 13 (one incident, no team) and 23
    table[N.TEAMS_ON_DUTY] = 3.0
    table[N.TEAMS_ON_DUTY] = np.nan  # no roster: the peak of incidents in progress
    block = wt.pressure_block(table).iloc[0]
    assert block["hour_start"] == 22 and not block[wt.AGAINST_ROSTER]
    assert block[N.INCIDENTS_IN_PROGRESS] == pytest.approx(3.0)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unit_level_slide_has_units_busy_and_uhu(unit_data, lang, tmp_path):
    labels = load_labels(lang)
    slide = workload(unit_data, labels)
    table = slide.table
    assert table[N.UNITS_BUSY].notna().all() and (table[N.NOT_AVAILABLE] == "").all()
    # by brute force: a unit busy in a minute counts once, however many of its rows cover it
    assert table[N.UNITS_BUSY].to_numpy() == pytest.approx(_hand_units_busy(unit_data.calls), abs=1e-9)
    assert table[N.INCIDENTS_IN_PROGRESS].to_numpy() == pytest.approx(_hand_concurrency(unit_data.calls), abs=1e-9)
    fig = slide.figure
    assert len(fig.axes) == 3  # hours, calls, UHU
    uhu_ax = fig.axes[2]
    uhu = wt.uhu_table(unit_data.calls, "unit_type", "2025-03-01", "2025-03-31")
    assert [p.get_width() for p in uhu_ax.patches] == pytest.approx((100 * uhu[N.UHU]).tolist())
    assert set(uhu[cols.GROUP]) == {"engine", "medic"}
    engine = uhu.set_index(cols.GROUP).loc["engine"]
    assert engine[N.N_UNITS] == 6 and engine[N.AVAILABLE_UNIT_HOURS] == pytest.approx(6 * 31 * 24)
    lines = [ln for ln in fig.axes[0].get_lines() if len(ln.get_xdata()) == 24]
    assert any(np.asarray(ln.get_ydata(), dtype=float) == pytest.approx(table[N.UNITS_BUSY].to_numpy())
               for ln in lines)  # fmt: skip
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert labels("workload.reason_no_roster") in legend  # no roster given: said, not drawn
    assert slide.title == workload_title(table, wt.pressure_block(table), labels, labels.month(MONTH))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        path = C.save(fig, tmp_path / f"workload_units_{lang}.png")
    assert png_size(path) == (1920, 1080)


def test_a_thin_month_is_pooled_with_the_two_before(incident_data):
    few = incident_data.calls.head(MIN_MONTH_CALLS - 1)
    data = briefing_data(few)
    assert workload_window(data) == tuple(month_range(MONTH, 3))
    assert workload_window(incident_data) == (MONTH,)
    labels = load_labels("en")
    slide = workload(data, labels)
    said = labels("workload.window_recent", n=MIN_MONTH_CALLS - 1, min=MIN_MONTH_CALLS)
    assert " ".join(said.split()) in " ".join(slide.figure.texts[1].get_text().split())  # the subtitle


def test_an_incomplete_date_roster_is_said_not_drawn(incident_data, tmp_path):
    # a date roster for March 1-30 only: the 31st is missing, so no hour of the month has its mean
    lines = ["date,hour,teams"] + [f"2025-03-{d:02d},{h},{TEAMS[h]}" for d in range(1, 31) for h in range(24)]
    path = tmp_path / "dates.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    roster = read_roster(path)
    for lang in LANGUAGES:
        labels = load_labels(lang)
        slide = workload(incident_data, labels, roster=roster)
        assert slide.table[N.TEAMS_ON_DUTY].isna().all() and (slide.table[N.DAYS_MISSING] == 1).all()
        steps = [ln for ln in slide.figure.axes[0].get_lines() if len(ln.get_xdata()) == 25]
        assert not steps  # no step line of teams on duty, and no zero drawn for them
        legend = " ".join(t.get_text() for t in slide.figure.legends[0].get_texts())
        assert labels("workload.reason_roster_incomplete", missing=24) in legend
        peak = wt.pressure_block(slide.table)
        assert not peak[wt.AGAINST_ROSTER].iloc[0]  # the title falls back to the peak of incidents in progress
        assert slide.title == workload_title(slide.table, peak, labels, labels.month(MONTH))
