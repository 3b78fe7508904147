"""Workload and deployment (issue 15, part 4): every figure worked out by hand on a few incidents.

Calls received per day, incidents in progress and units busy by local hour (intervals split across hours,
midnight and DST days), teams on duty from a roster by weekday and by date, unit hour utilisation. The
numbers in the comments are the hand computation the assertions check.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from factories import calls
from responsestats import metrics
from responsestats import schema as S
from responsestats.errors import UserError
from responsestats.metrics import names as N
from responsestats.metrics.workload import (
    DEFAULT_BUSY_CAP_S,
    HOURLY_COLUMNS,
    hourly_workload,
    teams_on_duty,
    unit_hour_utilisation,
    workload_period,
)

SHANGHAI = "Asia/Shanghai"  # UTC+8, no DST
LA = "America/Los_Angeles"  # DST: 2024-03-10 skips 02:00-03:00, 2024-11-03 repeats 01:00-02:00


def _row(incident, received, dispatched=None, cleared=None, unit=None):
    row = {S.INCIDENT_ID: incident, S.RECEIVED_AT: received}
    if dispatched is not None:
        row[S.DISPATCHED_AT] = dispatched
    if cleared is not None:
        row[S.CLEARED_AT] = cleared
    if unit is not None:
        row[S.UNIT_ID] = unit
    return row


@pytest.fixture
def incident_level():
    """Seven incidents, one row each (no unit id), over Mon 2025-03-03 and Tue 2025-03-04, Shanghai time."""
    return calls([
        _row("I1", "2025-03-03 08:10", "2025-03-03 08:15", "2025-03-03 09:45"),  # 45 min in 08, 45 in 09
        _row("I2", "2025-03-03 23:20", "2025-03-03 23:30", "2025-03-04 01:15"),  # 30 in 23 | midnight | 60 in 00, 15 in 01
        _row("I3", "2025-03-04 08:00", "2025-03-04 08:00", "2025-03-04 08:30"),  # 30 in 08
        _row("I4", "2025-03-04 10:00", "2025-03-04 10:05"),                      # no cleared: excluded, missing
        _row("I5", "2025-03-04 12:00", "2025-03-04 12:10", "2025-03-04 12:05"),  # cleared before dispatch: negative
        _row("I6", "2025-03-04 14:00", "2025-03-04 14:00", "2025-03-05 15:00"),  # 25 h > 24 h cap: above_cap
        _row("I7", "2025-03-02 23:00", "2025-03-02 23:30", "2025-03-03 00:30"),  # received before the period:
    ], tz=SHANGHAI)  # fmt: skip                                                # 30 min in 00 of the 3rd


def test_incident_level_hour_by_hour(incident_level):
    t = hourly_workload(incident_level, "2025-03-03", "2025-03-04").set_index(N.KEY_HOUR)
    assert list(t.reset_index().columns) == list(HOURLY_COLUMNS)
    assert len(t) == 24 and (t[N.DAYS] == 2).all()
    # calls: received in the period, by local hour: 08 I1, I3; 10 I4; 12 I5; 14 I6; 23 I2 (I7 is the 2nd's)
    expected_calls = dict.fromkeys(range(24), 0) | {8: 2, 10: 1, 12: 1, 14: 1, 23: 1}
    assert t[N.CALLS].to_dict() == expected_calls
    assert t[N.CALLS_PER_DAY].to_dict() == {h: c / 2 for h, c in expected_calls.items()}
    # in progress = open seconds in the hour / (2 days x 3600 s)
    expected = dict.fromkeys(range(24), 0.0) | {
        0: (60 + 30) / 120,  # I2 after midnight, I7 before 00:30 -> 0.75
        1: 15 / 120,  # I2 to 01:15 -> 0.125
        8: (45 + 30) / 120,  # I1 08:15-09:00 and I3 08:00-08:30 -> 0.625
        9: 45 / 120,  # I1 09:00-09:45 -> 0.375
        23: 30 / 120,  # I2 23:30-24:00 -> 0.25
    }
    assert t[N.INCIDENTS_IN_PROGRESS].to_dict() == pytest.approx(expected, abs=1e-12)
    # counted: I1, I2, I3, I7; left out: I4 (missing), I5 (negative), I6 (above the 24 h cap)
    assert (t[N.N] == 4).all() and (t[N.N_EXCLUDED] == 3).all()
    assert (t[N.excluded_column(N.REASON_MISSING)] == 1).all()
    assert (t[N.excluded_column(N.REASON_NEGATIVE)] == 1).all()
    assert (t[N.excluded_column(N.REASON_ABOVE_CAP)] == 1).all()


def test_incident_level_has_no_units_busy_never_zero(incident_level):
    t = hourly_workload(incident_level, "2025-03-03", "2025-03-04")
    assert t[N.UNITS_BUSY].isna().all()
    assert (t[N.NOT_AVAILABLE] == N.NO_UNIT_ID).all()
    assert t[N.N_UNIT_ROWS].isna().all()
    uhu = unit_hour_utilisation(incident_level, "district", "2025-03-03", "2025-03-04")
    assert len(uhu) == 1 and pd.isna(uhu[N.UHU].iloc[0]) and uhu[N.NOT_AVAILABLE].iloc[0] == N.NO_UNIT_ID
    assert pd.isna(uhu[N.N_UNITS].iloc[0])


def test_the_cap_can_be_changed_or_lifted(incident_level):
    none = hourly_workload(incident_level, "2025-03-03", "2025-03-04", cap=None).set_index(N.KEY_HOUR)
    # I6 now counts: 14:00 on the 4th to 15:00 on the 5th, of which 14:00-24:00 lies in the period
    assert none[N.N].iloc[0] == 5 and none[N.excluded_column(N.REASON_ABOVE_CAP)].iloc[0] == 0
    for hour in range(14, 24):
        base = 30 / 120 if hour == 23 else 0.0
        assert none.loc[hour, N.INCIDENTS_IN_PROGRESS] == pytest.approx(base + 60 / 120)
    assert DEFAULT_BUSY_CAP_S == 24 * 3600
    tight = hourly_workload(incident_level, "2025-03-03", "2025-03-04", cap=3600)
    assert tight[N.excluded_column(N.REASON_ABOVE_CAP)].iloc[0] == 3  # I1 (90 min), I2 (105 min), I6
    with pytest.raises(UserError, match="cap"):
        hourly_workload(incident_level, cap=-1)


def test_the_default_period_is_the_span_of_the_calls(incident_level):
    assert workload_period(incident_level) == (dt.date(2025, 3, 2), dt.date(2025, 3, 4))
    t = hourly_workload(incident_level)
    assert (t[N.DAYS] == 3).all() and t[N.CALLS].sum() == 7
    # over three days I7's 23:30-24:00 on the 2nd is inside: hour 23 holds 30 + 30 min over 3 x 60 min
    assert t.set_index(N.KEY_HOUR).loc[23, N.INCIDENTS_IN_PROGRESS] == pytest.approx(60 / 180)
    with pytest.raises(UserError, match="before it starts"):
        workload_period(incident_level, "2025-03-04", "2025-03-03")
    with pytest.raises(UserError, match="YYYY-MM-DD"):
        workload_period(incident_level, "March 3")


@pytest.fixture
def unit_level():
    """Three incidents, four unit rows, Mon 2025-03-03 in Shanghai; a unit type per row (a dimension)."""
    frame = calls([
        _row("U1", "2025-03-03 09:58", "2025-03-03 10:00", "2025-03-03 11:30", unit="E1"),
        _row("U1", "2025-03-03 09:58", "2025-03-03 10:30", "2025-03-03 10:45", unit="M2"),
        _row("U2", "2025-03-03 10:59", "2025-03-03 11:00", "2025-03-03 12:00", unit="E1"),  # E1 again, overlapping
        _row("U3", "2025-03-03 19:55", "2025-03-03 20:00", "2025-03-03 20:30"),  # a row without a unit id
    ], tz=SHANGHAI)  # fmt: skip
    frame["unit_type"] = ["engine", "medic", "engine", "medic"]
    return frame


def test_unit_level_counts_each_incident_once_and_each_unit_once(unit_level):
    t = hourly_workload(unit_level, "2025-03-03", "2025-03-03").set_index(N.KEY_HOUR)
    assert (t[N.NOT_AVAILABLE] == "").all()
    # incidents: U1 open 10:00-11:30 (first dispatch to last cleared, two units), U2 11:00-12:00, U3 20:00-20:30
    incidents = dict.fromkeys(range(24), 0.0) | {10: 1.0, 11: (30 + 60) / 60, 20: 0.5}
    assert t[N.INCIDENTS_IN_PROGRESS].to_dict() == pytest.approx(incidents)
    # units: E1 busy 10:00-12:00 (its rows 10:00-11:30 and 11:00-12:00 merged: once at a time), M2 10:30-10:45,
    # the row without an id 20:00-20:30 (a unit of its own) -> 10: (60 + 15) / 60, 11: 60 / 60, 20: 30 / 60
    units = dict.fromkeys(range(24), 0.0) | {10: 1.25, 11: 1.0, 20: 0.5}
    assert t[N.UNITS_BUSY].to_dict() == pytest.approx(units)
    assert t[N.N].iloc[0] == 3 and t[N.N_UNIT_ROWS].iloc[0] == 4 and t[N.N_UNIT_ROWS_EXCLUDED].iloc[0] == 0
    assert t[N.CALLS].to_dict() == dict.fromkeys(range(24), 0) | {9: 1, 10: 1, 19: 1}


def test_unit_hour_utilisation_by_unit_type(unit_level):
    u = unit_hour_utilisation(unit_level, "unit_type", "2025-03-03", "2025-03-03").set_index("unit_type")
    # engine: E1 busy 10:00-12:00 = 2 h of 24 available; medic: M2 0.25 h of 24, the id-less row left out
    assert u.loc["engine", N.N_UNITS] == 1 and u.loc["medic", N.N_UNITS] == 1
    assert u.loc["engine", N.BUSY_UNIT_HOURS] == pytest.approx(2.0)
    assert u.loc["engine", N.AVAILABLE_UNIT_HOURS] == pytest.approx(24.0)
    assert u.loc["engine", N.UHU] == pytest.approx(2 / 24)
    assert u.loc["medic", N.UHU] == pytest.approx(0.25 / 24)
    assert u.loc["medic", N.N_NO_UNIT_ID] == 1 and u.loc["engine", N.N] == 2
    whole = unit_hour_utilisation(unit_level, None, "2025-03-03", "2025-03-03")
    assert whole[N.N_UNITS].iloc[0] == 2 and whole[N.UHU].iloc[0] == pytest.approx(2.25 / 48)
    # over two days the same busy hours are spread over twice the available hours
    two = unit_hour_utilisation(unit_level, None, "2025-03-03", "2025-03-04")
    assert two[N.AVAILABLE_UNIT_HOURS].iloc[0] == pytest.approx(96.0)
    with pytest.raises(UserError, match="not a column"):
        unit_hour_utilisation(unit_level, "station")


def test_units_without_any_busy_time_are_not_available_not_zero():
    frame = calls([_row("A", "2025-03-03 10:00", "2025-03-03 10:05", unit="E1")], tz=SHANGHAI)
    t = hourly_workload(frame)
    assert t[N.INCIDENTS_IN_PROGRESS].isna().all() and t[N.UNITS_BUSY].isna().all()
    assert (t[N.NOT_AVAILABLE] == N.NO_BUSY_TIMES).all()
    u = unit_hour_utilisation(frame)
    assert pd.isna(u[N.UHU].iloc[0]) and u[N.NOT_AVAILABLE].iloc[0] == N.NO_BUSY_TIMES


def test_dst_autumn_repeated_hour_counts_twice_its_time():
    # 2024-11-03 00:30 PDT to 02:30 PST is three hours: 30 min of 00, both 01s (120 min), 30 min of 02
    frame = calls([_row("D", "2024-11-03 00:25:00-07:00", "2024-11-03 00:30:00-07:00", "2024-11-03 02:30:00-08:00",
                        unit="M1")], tz=LA)  # fmt: skip
    t = hourly_workload(frame, "2024-11-03", "2024-11-03").set_index(N.KEY_HOUR)
    # hour 01 was on the clock for 7,200 s that day: 7,200 busy / 7,200 = 1.0 (not 2.0)
    assert t.loc[[0, 1, 2, 3], N.INCIDENTS_IN_PROGRESS].tolist() == pytest.approx([0.5, 1.0, 0.5, 0.0])
    assert t.loc[[0, 1, 2, 3], N.UNITS_BUSY].tolist() == pytest.approx([0.5, 1.0, 0.5, 0.0])
    u = unit_hour_utilisation(frame, None, "2024-11-03", "2024-11-03")
    assert u[N.AVAILABLE_UNIT_HOURS].iloc[0] == pytest.approx(25.0)  # a 25-hour day
    assert u[N.UHU].iloc[0] == pytest.approx(3 / 25)


def test_dst_spring_skipped_hour_has_no_mean():
    # 2024-03-10 01:30 PST to 03:30 PDT is one hour: 30 min of 01, none of 02 (it does not exist), 30 min of 03
    frame = calls([_row("D", "2024-03-10 01:25:00-08:00", "2024-03-10 01:30:00-08:00", "2024-03-10 03:30:00-07:00")],
                  tz=LA)  # fmt: skip
    t = hourly_workload(frame, "2024-03-10", "2024-03-10").set_index(N.KEY_HOUR)
    assert t.loc[1, N.INCIDENTS_IN_PROGRESS] == pytest.approx(0.5)
    assert np.isnan(t.loc[2, N.INCIDENTS_IN_PROGRESS])  # hour 02 never showed on the clock that day
    assert t.loc[3, N.INCIDENTS_IN_PROGRESS] == pytest.approx(0.5)
    # over two days hour 02 exists once: nothing open in it, so 0
    two = hourly_workload(frame, "2024-03-10", "2024-03-11").set_index(N.KEY_HOUR)
    assert two.loc[2, N.INCIDENTS_IN_PROGRESS] == 0.0 and two.loc[1, N.INCIDENTS_IN_PROGRESS] == pytest.approx(0.25)


def test_rows_of_two_zones_each_use_their_own_hours():
    shanghai = calls([_row("S", "2025-03-03 08:00", "2025-03-03 08:00", "2025-03-03 09:00")], tz=SHANGHAI)
    la = calls([_row("L", "2025-03-03 08:00", "2025-03-03 08:00", "2025-03-03 08:30")], tz=LA)
    la[S.AGENCY] = "b"
    t = hourly_workload(pd.concat([shanghai, la], ignore_index=True), "2025-03-03", "2025-03-03")
    assert t.set_index(N.KEY_HOUR).loc[8, N.INCIDENTS_IN_PROGRESS] == pytest.approx(1.5)
    assert t.set_index(N.KEY_HOUR).loc[8, N.CALLS] == 2


def _weekday_roster(teams: int = 2) -> pd.DataFrame:
    rows = [(w, h, teams) for w in range(1, 8) for h in range(24)]
    return pd.DataFrame(rows, columns=["weekday", "hour", "teams"])


def test_teams_on_duty_from_a_weekday_roster():
    roster = _weekday_roster()
    roster.loc[(roster["weekday"] == 1) & (roster["hour"] == 8), "teams"] = 5  # Mondays 08:00: 5 teams
    roster.loc[(roster["weekday"] == 6) & (roster["hour"] == 8), "teams"] = 1  # Saturdays 08:00: 1 team
    # Mon 2025-03-03 to Mon 2025-03-10: eight dates, two of them Mondays -> hour 08: (5+2+2+2+2+1+2+5) / 8
    t = teams_on_duty(roster, "2025-03-03", "2025-03-10").set_index(N.KEY_HOUR)
    assert t.loc[8, N.TEAMS_ON_DUTY] == pytest.approx(21 / 8)
    assert t.drop(index=8)[N.TEAMS_ON_DUTY].eq(2.0).all()
    assert (t[N.DAYS] == 8).all() and (t[N.DAYS_MISSING] == 0).all() and (t[N.NOT_AVAILABLE] == "").all()
    # a weekday roster without Sundays leaves every hour of a period with a Sunday not available
    no_sunday = roster[roster["weekday"] != 7]
    t = teams_on_duty(no_sunday, "2025-03-03", "2025-03-10")
    assert t[N.TEAMS_ON_DUTY].isna().all() and (t[N.DAYS_MISSING] == 1).all()
    assert (t[N.NOT_AVAILABLE] == N.ROSTER_INCOMPLETE).all()
    # ... but not of a period without one
    assert teams_on_duty(no_sunday, "2025-03-03", "2025-03-08")[N.TEAMS_ON_DUTY].notna().all()


def test_teams_on_duty_from_a_date_roster():
    rows = [(d, h, 3) for d in ("2025-03-03", "2025-03-04") for h in range(24)]
    roster = pd.DataFrame(rows, columns=["date", "hour", "teams"])
    roster.loc[(roster["date"] == "2025-03-04") & (roster["hour"] == 8), "teams"] = 6
    t = teams_on_duty(roster, "2025-03-03", "2025-03-04").set_index(N.KEY_HOUR)
    assert t.loc[8, N.TEAMS_ON_DUTY] == pytest.approx(4.5)  # (3 + 6) / 2
    assert t.loc[9, N.TEAMS_ON_DUTY] == 3.0
    # a date-hour missing: that hour is not available (not the mean of the other date)
    gap = roster.drop(index=roster.index[(roster["date"] == "2025-03-04") & (roster["hour"] == 9)])
    t = teams_on_duty(gap, "2025-03-03", "2025-03-04").set_index(N.KEY_HOUR)
    assert np.isnan(t.loc[9, N.TEAMS_ON_DUTY]) and t.loc[9, N.DAYS_MISSING] == 1
    assert t.loc[9, N.NOT_AVAILABLE] == N.ROSTER_INCOMPLETE and t.loc[10, N.NOT_AVAILABLE] == ""
    # a period with a date the roster does not cover: no hour available
    t = teams_on_duty(roster, "2025-03-03", "2025-03-05")
    assert t[N.TEAMS_ON_DUTY].isna().all() and (t[N.DAYS_MISSING] == 1).all()


def test_a_date_roster_need_not_list_the_hour_dst_skips():
    rows = [("2024-03-10", h, 2) for h in range(24) if h != 2]
    roster = pd.DataFrame(rows, columns=["date", "hour", "teams"])
    t = teams_on_duty(roster, "2024-03-10", "2024-03-10", timezone=LA).set_index(N.KEY_HOUR)
    assert t.loc[2, N.DAYS] == 0 and t.loc[2, N.DAYS_MISSING] == 0 and np.isnan(t.loc[2, N.TEAMS_ON_DUTY])
    assert t.loc[3, N.TEAMS_ON_DUTY] == 2.0 and (t[N.NOT_AVAILABLE] == "").all()
    assert teams_on_duty(roster, "2024-03-10", "2024-03-10").set_index(N.KEY_HOUR).loc[2, N.NOT_AVAILABLE] == (
        N.ROSTER_INCOMPLETE)  # without the zone, every date has 24 hours


def test_teams_on_duty_refuses_a_frame_that_is_not_a_roster():
    with pytest.raises(UserError, match="weekday,hour,teams"):
        teams_on_duty(pd.DataFrame({"hour": [1], "teams": [1]}), "2025-03-03", "2025-03-03")
    bad = _weekday_roster()
    bad.loc[0, "teams"] = -1
    with pytest.raises(UserError, match="teams"):
        teams_on_duty(bad, "2025-03-03", "2025-03-03")


def test_exported_by_the_metrics_package():
    for name in ("hourly_workload", "teams_on_duty", "unit_hour_utilisation", "workload_period", "has_unit_rows"):
        assert name in metrics.__all__ and callable(getattr(metrics, name))
