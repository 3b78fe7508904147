"""Stamps later than the ingest's clock plus a day are out of range, as years outside 1970-2100 are.

A row typed as 2042 must not become a month of its own (it made ``--month latest`` pick 2042): a required
stage that far ahead is quarantined as an unusable value, an optional one is nulled, and both are counted
under ``values_nulled`` / ``out_of_range``. The comparison is in UTC, with a tolerance of one day
(``FUTURE_TOLERANCE_S``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from responsestats import ingest, read_calls, read_quarantine
from responsestats import schema as S
from responsestats.ingestion import timestamps
from responsestats.ingestion.timestamps import FUTURE_TOLERANCE_S, VALUE_OUT_OF_RANGE, latest_valid

from conftest import CN_HEADER, cn_row, write_csv
from factories import ARRIVED
from reliability_helpers import check_ingest

#: The ingest's clock in these tests (UTC).
NOW = pd.Timestamp("2025-04-10 12:00:00")


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(timestamps, "ingest_clock", lambda: np.datetime64(NOW.to_datetime64(), "us"))
    return NOW


def test_the_latest_valid_instant_is_the_clock_plus_a_day():
    assert FUTURE_TOLERANCE_S == 86400.0
    assert latest_valid(np.datetime64("2025-04-10T12:00:00")) == np.datetime64("2025-04-11T12:00:00", "us")


def test_a_call_typed_in_2042_is_quarantined(tmp_path, fixed_clock):
    rows = [cn_row("F1", "2025-04-01 10:00:00", "2025-04-01 10:01:00"),
            cn_row("F2", "2042-04-01 10:00:00", "2042-04-01 10:01:00"),  # a typo's year
            cn_row("F3", "2025-04-01 11:00:00", "2025-04-01 11:01:00", arrived="2031-01-01 00:00:00")]  # fmt: skip
    path = write_csv(tmp_path / "calls.csv", CN_HEADER, rows)
    res = check_ingest([path], tmp_path / "ds", mapping="cn110", family="time: future dates")
    calls = read_calls(tmp_path / "ds").set_index(S.INCIDENT_ID)
    assert sorted(calls.index) == ["F1", "F3"]
    assert pd.isna(calls.loc["F3", S.ARRIVED_AT])  # an optional stage: nulled, the row kept
    q = read_quarantine(tmp_path / "ds")
    assert q[[S.Q_SOURCE_ROW, S.Q_COLUMN, S.Q_RAW_VALUE, S.Q_REASON]].values.tolist() == [
        [2, "接警时间", "2042-04-01 10:00:00", S.REASON_OUT_OF_RANGE_TIMESTAMP]]
    nulled = res.files[0][S.R_VALUES_NULLED]
    assert nulled[S.ARRIVED_AT] == {VALUE_OUT_OF_RANGE: 1}
    assert S.RECEIVED_AT not in nulled  # counted on kept rows only: the quarantined row is in quarantine_by_reason
    assert res.files[0][S.R_QUARANTINE_BY_REASON] == {S.REASON_OUT_OF_RANGE_TIMESTAMP: 1}
    parts = {p.parent.name for p in (tmp_path / "ds").rglob("part-*.parquet")}
    assert parts == {"month=4"} and not list((tmp_path / "ds").rglob("year=2042"))


def test_the_tolerance_is_one_day_in_utc(tmp_path, fixed_clock, minimal_mapping):
    """The clock is 12:00 UTC: up to 12:00 UTC the next day is kept, whatever the agency's zone."""
    cases = {  # id: (received, wall time in Asia/Shanghai; kept?)
        "K1": ("2025-04-11 20:00:00", True),   # Shanghai 20:00 = 12:00 UTC next day: at the limit
        "K2": ("2025-04-11 20:00:01", False),  # one second later
        "K3": ("2025-04-10 23:59:59", True),   # later today (local), well inside
        "K4": ("2025-04-13 00:00:00", False),
    }  # fmt: skip
    mapping = minimal_mapping("m.toml", name="fut", timezone="Asia/Shanghai", fields=ARRIVED)
    rows = [[k, v[0], ""] for k, v in cases.items()]
    path = write_csv(tmp_path / "c.csv", ["id", "received", "arrived"], rows)
    check_ingest([path], tmp_path / "ds", mapping=mapping, family="time: future dates")
    kept = set(read_calls(tmp_path / "ds")[S.INCIDENT_ID])
    assert kept == {k for k, (_, keep) in cases.items() if keep}
    # the same wall times in Los Angeles (UTC-7): 2025-04-11 20:00 PDT is 03:00 UTC on the 12th, past the limit
    la = minimal_mapping("la.toml", name="fut_la", timezone="America/Los_Angeles", fields=ARRIVED)
    check_ingest([path], tmp_path / "ds_la", mapping=la, family="time: future dates")
    assert set(read_calls(tmp_path / "ds_la")[S.INCIDENT_ID]) == {"K3"}


def test_the_real_clock_refuses_next_year_and_keeps_today(tmp_path, minimal_mapping):
    today = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")
    rows = [["N1", (today - pd.Timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")],
            ["N2", (today + pd.Timedelta(days=400)).strftime("%Y-%m-%d %H:%M:%S")]]
    path = write_csv(tmp_path / "c.csv", ["id", "received"], rows)
    res = ingest([path], tmp_path / "ds", mapping=minimal_mapping("m.toml", name="now"))
    assert list(read_calls(tmp_path / "ds")[S.INCIDENT_ID]) == ["N1"]
    assert res.files[0][S.R_QUARANTINE_BY_REASON] == {S.REASON_OUT_OF_RANGE_TIMESTAMP: 1}


def test_far_years_are_out_of_range_and_a_leap_second_is_a_counted_repair(tmp_path, minimal_mapping):
    """Issue 16, part 6: years 1 and 9999 read, and are reported as out of range (not as unreadable); a 60th
    second reads as the next minute's first, counted as a repair."""
    src = tmp_path / "calls.csv"
    src.write_text("id,received\n1,2016-12-31 23:59:60\n2,2016-12-31 23:59:59\n3,0001-01-01 00:00:00\n"
                   "4,9999-12-31 10:00:00\n5,2016-02-30 10:00:00\n", encoding="utf-8")  # fmt: skip
    res = ingest([src], tmp_path / "ds", mapping=minimal_mapping(), agency="a")
    report = res.files[0]
    assert report[S.R_QUARANTINE_BY_REASON] == {S.REASON_OUT_OF_RANGE_TIMESTAMP: 2, S.REASON_BAD_TIMESTAMP: 1}
    assert report[S.R_REPAIRS] == {S.RECEIVED_AT: {timestamps.REPAIR_LEAP_SECOND: 1}}
    calls = read_calls(tmp_path / "ds").set_index(S.INCIDENT_ID)
    assert calls.loc["1", S.RECEIVED_AT] == pd.Timestamp("2017-01-01 00:00:00", tz="UTC")
    q = read_quarantine(tmp_path / "ds").set_index(S.Q_SOURCE_ROW)
    assert q.loc[3, S.Q_REASON] == q.loc[4, S.Q_REASON] == S.REASON_OUT_OF_RANGE_TIMESTAMP
    assert q.loc[5, S.Q_REASON] == S.REASON_BAD_TIMESTAMP  # February 30th: no such day
