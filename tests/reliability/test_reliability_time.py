"""Time: DST gaps and folds in four zones, clock-only times over midnight, leap days, zone suffixes (issue #7, part 4).

Expected instants come from :mod:`zoneinfo`, independently of pandas, which the ingest uses.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from responsestats import read_calls, read_quarantine
from responsestats import schema as S
from responsestats.localtime import local_time

from conftest import write_csv
from factories import ARRIVED
from reliability_helpers import check_ingest

UTC = dt.timezone.utc

#: zone -> (a day clocks go forward, a day clocks go back), both in 2024; Shanghai has neither.
TRANSITIONS = {
    "America/Los_Angeles": ("2024-03-10", "2024-11-03"),
    "Europe/London": ("2024-03-31", "2024-10-27"),
    "Australia/Sydney": ("2024-10-06", "2024-04-07"),
    "Asia/Shanghai": ("2024-03-10", "2024-11-03"),
}


def expected_utc(wall: dt.datetime, zone: str) -> tuple[dt.datetime, str | None]:
    """The documented rule, with zoneinfo: a wall time in a gap moves forward to the first valid instant;
    one in a fold takes the earlier instant. Returns (UTC instant, repair or None)."""
    tz = ZoneInfo(zone)

    def valid(w: dt.datetime, fold: int) -> bool:
        back = w.replace(tzinfo=tz, fold=fold).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        return back == w

    if not valid(wall, 0) and not valid(wall, 1):  # in a gap: the first minute that exists
        w = wall
        while not valid(w, 0):
            w = (w + dt.timedelta(minutes=1)).replace(second=0)
        return w.replace(tzinfo=tz).astimezone(UTC), "dst_nonexistent_shifted_forward"
    early = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    late = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    return early, ("dst_ambiguous_resolved_earlier" if early != late else None)


@pytest.mark.parametrize("zone", sorted(TRANSITIONS))
def test_every_wall_time_around_both_dst_changes(tmp_path, minimal_mapping, zone):
    """Every 5 minutes from 23:00 the day before to 05:00 on both transition days: the UTC instant,
    the local partition month, and the repair counts match the rule computed with zoneinfo."""
    mapping = minimal_mapping("m.toml", name="tz", timezone=zone, fields=ARRIVED)
    rows, expect = [], {}
    for day in TRANSITIONS[zone]:
        start = dt.datetime.fromisoformat(day) - dt.timedelta(hours=1)
        for i in range(0, 6 * 60 + 1, 5):
            wall = start + dt.timedelta(minutes=i, seconds=17)
            ident = f"{day}-{i:03d}"
            rows.append([ident, wall.strftime("%Y-%m-%d %H:%M:%S"), ""])
            expect[ident] = (wall, *expected_utc(wall, zone))
    path = write_csv(tmp_path / "dst.csv", ["id", "received", "arrived"], rows)
    res = check_ingest([path], tmp_path / "ds", mapping=mapping, family="time: DST in four zones")
    calls = read_calls(tmp_path / "ds").set_index(S.INCIDENT_ID)
    counts: dict[str, int] = {}
    for ident, (wall, utc, repair) in expect.items():
        assert calls.loc[ident, S.RECEIVED_AT] == pd.Timestamp(utc), (zone, wall)
        if repair:
            counts[repair] = counts.get(repair, 0) + 1
    assert res.files[0]["repairs"].get("received_at", {}) == counts
    if zone == "Asia/Shanghai":
        assert counts == {}  # no DST: nothing to repair
    else:
        assert set(counts) == {"dst_nonexistent_shifted_forward", "dst_ambiguous_resolved_earlier"}
    # the local month of each row is its wall month (the partition key)
    local = local_time(calls.reset_index(), S.RECEIVED_AT)
    assert (local.dt.month.to_numpy() == [expect[i][0].month for i in calls.index]).all()


def test_intervals_across_dst_are_real_elapsed_time(tmp_path, minimal_mapping):
    """London: 00:50 to 02:10 local across the skipped hour is 20 minutes; 00:50 to 01:10 across the repeated
    hour (01:10 taken as its earlier pass) is 20 minutes too."""
    mapping = minimal_mapping("m.toml", name="tz", timezone="Europe/London", fields=ARRIVED)
    rows = [["S", "2024-03-31 00:50:00", "2024-03-31 02:10:00"], ["A", "2024-10-27 00:50:00", "2024-10-27 01:10:00"]]
    path = write_csv(tmp_path / "lon.csv", ["id", "received", "arrived"], rows)
    check_ingest([path], tmp_path / "ds", mapping=mapping, family="time: DST in four zones")
    df = read_calls(tmp_path / "ds").set_index(S.INCIDENT_ID)
    assert (df.loc["S", S.ARRIVED_AT] - df.loc["S", S.RECEIVED_AT]) == pd.Timedelta(minutes=20)
    assert (df.loc["A", S.ARRIVED_AT] - df.loc["A", S.RECEIVED_AT]) == pd.Timedelta(minutes=20)


CLOCK_MAPPING = """
[format]
name = "clock"
timezone = "America/Los_Angeles"

[repairs]
midnight_rollover = true

[fields.incident_id]
source = "id"
required = true

[fields.received_at]
source = "received_time"
formats = ["%H:%M:%S", "%H:%M"]
date_source = "call_date"
date_formats = ["%m/%d/%Y"]
required = true

[fields.dispatched_at]
source = "dispatch_time"
formats = ["%H:%M:%S", "%H:%M"]
date_source = "call_date"
date_formats = ["%m/%d/%Y"]

[fields.arrived_at]
source = "arrived_time"
formats = ["%H:%M:%S", "%H:%M"]
date_source = "call_date"
date_formats = ["%m/%d/%Y"]
"""


def test_clock_only_times_across_midnight_and_leap_days(tmp_path):
    mapping = tmp_path / "clock.toml"
    mapping.write_text(CLOCK_MAPPING, encoding="utf-8")
    header = ["id", "call_date", "received_time", "dispatch_time", "arrived_time"]
    rows = [
        ["M1", "03/01/2024", "23:58:00", "23:59:30", "00:06:00"],   # arrival after midnight: next day
        ["M2", "02/28/2024", "23:50", "00:01", "00:10"],            # into the leap day
        ["M3", "02/28/2023", "23:50", "00:01", "00:10"],            # no leap day: 1 March
        ["M4", "12/31/2024", "23:59:00", "", "00:04:00"],           # into the next year (and month)
        ["M5", "02/29/2024", "10:00:00", "10:01:00", "10:09:00"],   # a leap day
        ["M6", "02/29/2023", "10:00:00", "10:01:00", "10:09:00"],   # not a date: quarantined
        ["M7", "03/02/2024", "10:00:00", "09:55:00", "10:07:00"],   # dispatch 5 min early: left as is
        ["M8", "11/03/2024", "01:30:00", "01:40:00", "01:45:00"],   # the repeated hour: earlier instants
    ]
    path = write_csv(tmp_path / "clock.csv", header, rows)
    res = check_ingest([path], tmp_path / "ds", mapping=mapping, family="time: clock-only times")
    report = res.files[0]
    assert report["quarantine_by_reason"] == {S.REASON_BAD_TIMESTAMP: 1}
    q = read_quarantine(tmp_path / "ds").iloc[0]
    assert (q[S.Q_SOURCE_ROW], q[S.Q_COLUMN], q[S.Q_RAW_VALUE]) == (6, "call_date", "02/29/2023")
    df = read_calls(tmp_path / "ds").set_index(S.INCIDENT_ID)
    la = ZoneInfo("America/Los_Angeles")

    def at(text: str) -> pd.Timestamp:
        return pd.Timestamp(dt.datetime.fromisoformat(text).replace(tzinfo=la).astimezone(UTC))

    assert df.loc["M1", S.ARRIVED_AT] == at("2024-03-02 00:06:00")
    assert df.loc["M2", S.DISPATCHED_AT] == at("2024-02-29 00:01:00")
    assert df.loc["M2", S.ARRIVED_AT] == at("2024-02-29 00:10:00")
    assert df.loc["M3", S.ARRIVED_AT] == at("2023-03-01 00:10:00")
    assert df.loc["M4", S.ARRIVED_AT] == at("2025-01-01 00:04:00")
    assert df.loc["M5", S.RECEIVED_AT] == at("2024-02-29 10:00:00")
    assert df.loc["M7", S.DISPATCHED_AT] == at("2024-03-02 09:55:00")  # negative interval kept for the metrics
    assert df.loc["M8", S.RECEIVED_AT] == pd.Timestamp("2024-11-03 08:30:00", tz="UTC")  # 01:30 PDT
    assert report["repairs"]["arrived_at"]["midnight_rollover_day_added"] == 4
    assert report["repairs"]["dispatched_at"]["midnight_rollover_day_added"] == 2
    # the partition is the received date's month, not the arrival's
    parts = sorted(str(p.relative_to(tmp_path / "ds").parent) for p in (tmp_path / "ds").rglob("part-*.parquet"))
    assert "agency=fz/year=2025/month=1" not in parts and "agency=fz/year=2024/month=12" in parts


def test_leap_days_in_full_timestamps(tmp_path, minimal_mapping):
    mapping = minimal_mapping("m.toml", name="tz", timezone="Asia/Shanghai", fields=ARRIVED)
    rows = [["L1", "2024-02-29 12:00:00", "2024-02-29 12:09:00"],
            ["L2", "2023-02-29 12:00:00", ""],
            ["L3", "2023-02-28 12:00:00", "2023-02-29 12:09:00"],
            ["L4", "2100-02-29 12:00:00", ""],   # 2100 is not a leap year
            ["L5", "2000-02-29 12:00:00", ""]]   # 2000 is
    path = write_csv(tmp_path / "leap.csv", ["id", "received", "arrived"], rows)
    res = check_ingest([path], tmp_path / "ds", mapping=mapping, family="time: leap days")
    assert sorted(read_calls(tmp_path / "ds")[S.INCIDENT_ID]) == ["L1", "L3", "L5"]
    q = read_quarantine(tmp_path / "ds").set_index(S.Q_SOURCE_ROW)
    assert q.loc[2, S.Q_RAW_VALUE] == "2023-02-29 12:00:00" and q.loc[4, S.Q_REASON] == S.REASON_BAD_TIMESTAMP
    assert res.files[0]["values_nulled"]["arrived_at"] == {"unparseable": 1}


SUFFIX_MAPPING = """
[format]
name = "suffix"
timezone = "America/Los_Angeles"

[fields.incident_id]
source = "id"
required = true

[fields.received_at]
source = "cdts"
formats = ["%Y%m%d%H%M%S"]
zone_suffixes = { PS = "-08:00", PD = "-07:00" }
required = true
"""


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Shanghai"])
def test_zone_suffix_that_disagrees_with_the_zone_wins_and_is_reported(tmp_path, zone):
    """The data's own offset wins over the configured zone (even a wrong --tz); the report counts the rows."""
    mapping = tmp_path / "m.toml"
    mapping.write_text(SUFFIX_MAPPING, encoding="utf-8")
    rows = [["Z1", "20240715092336PS"],   # PST in July: LA would say PDT
            ["Z2", "20240715092336PD"],   # agrees with LA
            ["Z3", "20241103013000PD"],   # the repeated hour, first pass
            ["Z4", "20241103013000PS"],   # the repeated hour, second pass: a distinct instant
            ["Z5", "20240310023000PD"],   # a wall time LA skips: the data's offset still wins
            ["Z6", "20240715092336"]]     # no suffix: read in the configured zone
    path = write_csv(tmp_path / "cdts.csv", ["id", "cdts"], rows)
    res = check_ingest([path], tmp_path / "ds", mapping=mapping, family="time: zone suffixes", timezone=zone)
    df = read_calls(tmp_path / "ds").set_index(S.INCIDENT_ID)
    utc = {k: pd.Timestamp(v, tz="UTC") for k, v in {
        "Z1": "2024-07-15 17:23:36", "Z2": "2024-07-15 16:23:36", "Z3": "2024-11-03 08:30:00",
        "Z4": "2024-11-03 09:30:00", "Z5": "2024-03-10 09:30:00"}.items()}
    for ident, instant in utc.items():
        assert df.loc[ident, S.RECEIVED_AT] == instant, ident
    z6 = dt.datetime(2024, 7, 15, 9, 23, 36, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    assert df.loc["Z6", S.RECEIVED_AT] == pd.Timestamp(z6)
    repairs = res.files[0]["repairs"]["received_at"]
    # LA: Z1 (PST in summer) and Z5 (a skipped wall time) disagree; Shanghai (+08:00): every suffixed row
    assert repairs["zone_suffix_offset_differs_from_timezone"] == (2 if zone == "America/Los_Angeles" else 5)
    assert "dst_ambiguous_resolved_earlier" not in repairs  # the suffix resolved the repeated hour


def test_zone_aware_parquet_instants_are_exact(tmp_path, minimal_mapping):
    """Zone-aware Parquet timestamps are instants: kept exactly, never counted as disagreeing."""
    mapping = minimal_mapping("m.toml", name="tz", timezone="Australia/Sydney", fields=ARRIVED)
    instants = [dt.datetime(2024, 4, 6, 15, 30, tzinfo=UTC), dt.datetime(2024, 4, 6, 16, 30, tzinfo=UTC),
                dt.datetime(2024, 10, 5, 16, 0, tzinfo=UTC)]
    table = pa.table({"id": ["P1", "P2", "P3"],
                      "received": pa.array(instants, pa.timestamp("us", tz="Europe/London"))})
    pq.write_table(table, tmp_path / "in.parquet")
    res = check_ingest([tmp_path / "in.parquet"], tmp_path / "ds", mapping=mapping, family="time: zone suffixes")
    df = read_calls(tmp_path / "ds").sort_values(S.INCIDENT_ID)
    assert df[S.RECEIVED_AT].tolist() == [pd.Timestamp(i) for i in instants]
    assert res.files[0]["repairs"] == {}
