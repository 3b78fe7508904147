"""Mapping features on synthetic exports: the documented example, validation, repairs, lookups, inputs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from responsestats import ingest, read_calls, read_quarantine
from responsestats import schema as S
from responsestats.errors import MappingError, UserError
from responsestats.formats.mapping import FIELD_KEYS, FORMAT_KEYS, LOOKUP_KEYS, REPAIR_KEYS, TOP_LEVEL_KEYS, load_mapping

from conftest import write_csv
from factories import write_mapping
from paths import EXCEL_DIR, REPO

DOCS = REPO / "docs" / "mappings.md"

def _mapping(tmp_path: Path, fields: str = "", extra: str = "", format_extra: str = "", name="m.toml") -> Path:
    """A minimal incident-level mapping in Chicago time (:func:`factories.mapping_toml`), with more fields."""
    return write_mapping(tmp_path / name, name="synthetic", timezone="America/Chicago", fields=fields, extra=extra,
                         format_extra='level = "incident"\n' + format_extra)


def _ingest(tmp_path, mapping, header, rows, name="in.csv"):
    path = write_csv(tmp_path / name, header, rows)
    out = tmp_path / f"ds_{name}"
    res = ingest([path], out, mapping=mapping, agency="syn")
    calls = read_calls(out).sort_values(S.SOURCE_ROW).reset_index(drop=True) if res.rows_written else None
    return res.files[0], calls, out


def _utc(text: str, tz: str = "America/Chicago") -> pd.Timestamp:
    return pd.Timestamp(text).tz_localize(tz).tz_convert("UTC")


# --- the documentation ---------------------------------------------------------------------------

def test_every_mapping_key_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`)? \|", text, flags=re.M))
    names = {n for pair in documented for n in pair if n}
    for table in (FORMAT_KEYS, FIELD_KEYS, REPAIR_KEYS, LOOKUP_KEYS):
        missing = set(table) - names
        assert not missing, f"undocumented keys {missing}"
    for top in TOP_LEVEL_KEYS:
        assert f"[{top}" in text


def test_mapping_written_from_the_documentation_ingests(tmp_path):
    """The complete example of docs/mappings.md, for an export the package does not know."""
    text = DOCS.read_text(encoding="utf-8")
    example = text.split("## Example", 1)[1]
    toml = re.search(r"```toml\n(.*?)```", example, flags=re.S).group(1)
    mapping = tmp_path / "smalltown.toml"
    mapping.write_text(toml, encoding="utf-8")
    (tmp_path / "smalltown_dispositions.csv").write_text(
        "code,label\nA,Arrest\nC,Citation\nR,Report\nU,Unfounded\nX,Cancelled\n", encoding="utf-8")
    header = ["IncidentNo", "Call Received", "Dispatch Delay", "Call Date", "On Scene Time", "Priority", "Beat",
              "Disposition", "Source", "Location", "Caller Phone"]
    rows = [
        ["S1", "03/01/2024 10:00:00 AM", "1:30", "03/01/2024", "10:09:00", "E", "B1", "A", "911",
         "(41.88, -87.63)", "5551234"],
        ["S2", "03/01/2024 11:58:00 PM", "4:05", "03/01/2024", "00:06", "U", "-1", "C", "ONVIEW",
         "(41.9, -87.6)", "5550000"],
        ["S3", "03/02/2024 14:00", "10:00:00", "03/02/2024", "14:20:00", "R", "UNK", "Q", "911", "unknown", ""],
        ["", "03/02/2024 15:00", "", "03/02/2024", "", "R", "B2", "R", "911", "", ""],
    ]
    report, calls, out = _ingest(tmp_path, mapping, header, rows)
    assert (report["rows_read"], report["rows_written"], report["rows_quarantined"]) == (4, 3, 1)
    assert report["columns_used"]["incident_id"] == "IncidentNo"  # the alias for the renamed column
    assert report["repairs"] == {
        "arrived_at": {"midnight_rollover_day_added": 1},
        "dispatched_at": {"duration_m_ss": 2, "duration_mm_ss_00_read_as_minutes_seconds": 1},
    }
    assert report["values_nulled"] == {"latitude": {"extract_no_match": 1}, "longitude": {"extract_no_match": 1}}
    assert report["lookup_unmatched"] == {"dispo": {"Q": 1}}
    s1, s2, s3 = calls.iloc[0], calls.iloc[1], calls.iloc[2]
    assert s1[S.DISPATCHED_AT] - s1[S.RECEIVED_AT] == pd.Timedelta(seconds=90)
    assert s1[S.ARRIVED_AT] == _utc("2024-03-01 10:09:00")
    assert s2[S.ARRIVED_AT] == _utc("2024-03-02 00:06:00")  # rolled over: 8 min after the call
    assert s3[S.DISPATCHED_AT] - s3[S.RECEIVED_AT] == pd.Timedelta(minutes=10)  # MM:SS:00
    assert list(calls[S.PRIORITY]) == ["1", "2", "3"]
    assert s1[S.DISTRICT] == "B1" and pd.isna(s2[S.DISTRICT]) and pd.isna(s3[S.DISTRICT])
    assert list(calls[S.OUTCOME]) == ["arrest", "citation", "other"]
    assert list(calls[S.OUTCOME_RAW]) == ["Arrest", "Citation", "Q"]
    assert list(calls[S.SELF_INITIATED]) == [False, True, False]
    assert s1[S.LATITUDE] == pytest.approx(41.88) and s1[S.LONGITUDE] == pytest.approx(-87.63)
    blob = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert b"5551234" not in blob  # an unmapped column is never read


# --- validation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("where, text, key", [
    ("format", "colour = 'red'", "colour"),
    ("top", "[extras]\nx = 1", "extras"),
    ("repairs", "[repairs]\nmidnight_rolover = true", "midnight_rolover"),
    ("lookups", "[lookups.d]\nfile = 'x.csv'\nkey = 'k'\non = 'c'\nsheet = 1", "sheet"),
    ("field", "[fields.priority]\nsource = 'p'\nmapping = {}", "mapping"),
])
def test_unknown_key_fails_naming_it(tmp_path, where, text, key):
    if where == "format":
        path = _mapping(tmp_path, format_extra=text)
    elif where == "field":
        path = _mapping(tmp_path, fields=text)
    else:
        path = _mapping(tmp_path, extra=text)
    with pytest.raises(MappingError, match=rf"unknown key '{key}'; allowed keys are \["):
        load_mapping(path)


@pytest.mark.parametrize("fields, message", [
    ("[fields.dispatched_at]\nsource = 'd'\nafter = 'arrived_at'\nduration_formats = ['M:SS']",
     "does not come before"),
    ("[fields.arrived_at]\nsource = 'a'\nafter = 'dispatched_at'\nduration_formats = ['M:SS']",
     r"no \[fields.dispatched_at\] to count from"),
    ("[fields.arrived_at]\nsource = 'a'\nafter = 'received_at'\nduration_formats = ['MM:SS']",
     "are not among"),
    ("[fields.arrived_at]\nsource = 'a'\nafter = 'received_at'", "needs 'duration_formats'"),
    ("[fields.arrived_at]\nsource = 'a'\nformats = ['%H:%M']\nzone_suffixes = { PS = 'minus eight' }",
     "is not a UTC offset"),
    ("[fields.latitude]\nsource = 'l'\nextract = '(unclosed'", "not a valid regular expression"),
    ("[fields.arrived_at]\nsource = 'a'\nformats = ['%H:%M']\ndate_source = 'd'", "needs 'date_formats'"),
    ("[fields.priority]\nsource = 'p'\nformats = ['%H']", "applies only to timestamp fields"),
    ("[fields.arrived_at]\nsource = 'a'", "timestamp fields need 'formats'"),
])
def test_bad_field_values_fail(tmp_path, fields, message):
    with pytest.raises(MappingError, match=message):
        load_mapping(_mapping(tmp_path, fields=fields))


def test_bad_lookups_fail_at_load(tmp_path):
    lk = "[lookups.d]\nfile = 'codes.csv'\nkey = 'code'\non = 'disp'"
    with pytest.raises(MappingError, match="cannot read lookup table"):
        load_mapping(_mapping(tmp_path, extra=lk))
    (tmp_path / "codes.csv").write_text("\ufeffdispo,label\nA,Arrest\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"has no column 'code' in its first line \(2 columns\)") as err:
        load_mapping(_mapping(tmp_path, extra=lk))
    assert "dispo" not in str(err.value)  # a file that is not a valid lookup is never quoted
    (tmp_path / "codes.csv").write_text("code,label\nA,Arrest\nA,Again\n", encoding="utf-8")
    with pytest.raises(MappingError, match="repeats key 'A'"):
        load_mapping(_mapping(tmp_path, extra=lk))
    (tmp_path / "codes.csv").write_text("code,label,,\nA,Arrest,,\n", encoding="utf-8")
    with pytest.raises(MappingError, match="lookup 'd' has no column 'text'"):
        load_mapping(_mapping(tmp_path, extra=lk, fields="[fields.outcome]\nsource = 'd.text'"))
    m = load_mapping(_mapping(tmp_path, extra=lk, fields="[fields.outcome]\nsource = 'd.label'"))
    assert m.lookups["d"].table == {"label": {"A": "Arrest"}}  # empty trailing columns ignored


def test_optional_fields_absent_from_the_file_are_reported(tmp_path):
    lk = "[lookups.d]\nfile = 'codes.csv'\nkey = 'code'\non = 'disp'"
    (tmp_path / "codes.csv").write_text("code,label\nA,Arrest\n", encoding="utf-8")
    fields = ("[fields.district]\nsource = ['Beat', 'Zone']\n"
              "[fields.outcome]\nsource = 'd.label'\nmap = { Arrest = 'arrest' }\n"
              "[fields.arrived_at]\nsource = 'tod'\nformats = ['%H:%M']\ndate_source = 'day'\n"
              "date_formats = ['%Y-%m-%d']")
    mapping = _mapping(tmp_path, extra=lk, fields=fields)
    report, calls, _ = _ingest(tmp_path, mapping, ["id", "received", "tod"], [["1", "2024-03-01 10:00:00", "10:05"]])
    assert report["fields_not_in_source"] == ["district", "outcome", "arrived_at"]
    assert report["rows_written"] == 1 and calls.loc[0, S.OUTCOME] == "unknown"
    # a required field read through a lookup whose key column is absent fails before reading
    required = fields.replace("source = 'd.label'", "source = 'd.label'\nrequired = true")
    with pytest.raises(MappingError, match=r"'outcome'.*looks for \['disp'\].*the file has columns"):
        _ingest(tmp_path, _mapping(tmp_path, extra=lk, fields=required, name="r.toml"), ["id", "received"],
                [["1", "2024-03-01 10:00:00"]], name="r.csv")


# --- repairs -----------------------------------------------------------------------------------------

ROLL_FIELDS = """
[fields.dispatched_at]
source = "dispatched"
formats = ["%Y-%m-%d %H:%M:%S"]
[fields.arrived_at]
source = "arrived"
formats = ["%Y-%m-%d %H:%M:%S"]
[fields.arrested_at]
source = "arrested"
formats = ["%Y-%m-%d %H:%M:%S"]
"""
ROLL_ROWS = [
    ["A", "2024-03-01 23:58:00", "2024-03-01 23:59:30", "2024-03-01 00:06:00", ""],  # arrival after midnight
    ["B", "2024-03-01 23:50:00", "2024-03-01 00:01:00", "2024-03-01 00:09:00", ""],  # both after midnight
    ["C", "2024-03-01 10:00:00", "2024-03-01 10:02:00", "2024-03-01 09:57:00", ""],  # 5 min early: a data error
    ["D", "2024-03-02 10:00:00", "", "2024-02-29 09:00:00", ""],                     # 2 days early: not a rollover
    ["E", "2024-03-01 23:00:00", "2024-03-01 23:05:00", "", "2024-03-01 01:00:00"],  # arrests never roll
]


def test_midnight_rollover(tmp_path):
    header = ["id", "received", "dispatched", "arrived", "arrested"]
    mapping = _mapping(tmp_path, fields=ROLL_FIELDS, extra="[repairs]\nmidnight_rollover = true")
    report, calls, _ = _ingest(tmp_path, mapping, header, ROLL_ROWS)
    assert report["repairs"] == {"arrived_at": {"midnight_rollover_day_added": 2},
                                 "dispatched_at": {"midnight_rollover_day_added": 1}}
    assert report["midnight_rollover"] is True
    c = calls.set_index(S.INCIDENT_ID)
    assert c.loc["A", S.ARRIVED_AT] == _utc("2024-03-02 00:06:00")
    assert c.loc["B", S.DISPATCHED_AT] == _utc("2024-03-02 00:01:00")
    assert c.loc["B", S.ARRIVED_AT] == _utc("2024-03-02 00:09:00")  # compared with the repaired dispatch
    assert c.loc["C", S.ARRIVED_AT] == _utc("2024-03-01 09:57:00")
    assert c.loc["D", S.ARRIVED_AT] == _utc("2024-02-29 09:00:00")
    assert c.loc["E", S.ARRESTED_AT] == _utc("2024-03-01 01:00:00")
    off, calls_off, _ = _ingest(tmp_path, _mapping(tmp_path, fields=ROLL_FIELDS, name="off.toml"), header, ROLL_ROWS,
                                name="off.csv")
    assert off["repairs"] == {} and off["midnight_rollover"] is False
    assert calls_off.set_index(S.INCIDENT_ID).loc["A", S.ARRIVED_AT] == _utc("2024-03-01 00:06:00")


def test_clock_only_times_with_a_date_column_and_rollover(tmp_path):
    fields = """
[fields.dispatched_at]
source = "disp"
formats = ["%H:%M:%S", "%H:%M"]
date_source = ["CallDate", "Date"]
date_formats = ["%m/%d/%Y"]
[fields.arrived_at]
source = "arr"
formats = ["%H:%M:%S"]
date_source = "Date"
date_formats = ["%m/%d/%Y"]
"""
    mapping = _mapping(tmp_path, fields=fields, extra="[repairs]\nmidnight_rollover = true")
    rows = [
        ["1", "2024-03-01 23:57:00", "3/1/2024", "23:58", "0:04:10"],
        ["2", "2024-03-01 12:00:00", "", "12:01:00", "12:09:00"],
        ["3", "2024-03-01 12:00:00", "3/1/2024", "7pm", "12:09:00"],
    ]
    report, calls, _ = _ingest(tmp_path, mapping, ["id", "received", "Date", "disp", "arr"], rows)
    assert report["columns_used"]["dispatched_at.date"] == "Date"
    assert report["repairs"] == {"arrived_at": {"midnight_rollover_day_added": 1}}
    assert report["values_nulled"] == {"arrived_at": {"date_missing": 1}, "dispatched_at": {
        "date_missing": 1, "unparseable": 1}}
    assert calls.loc[0, S.DISPATCHED_AT] == _utc("2024-03-01 23:58:00")
    assert calls.loc[0, S.ARRIVED_AT] == _utc("2024-03-02 00:04:10")
    assert calls[S.DISPATCHED_AT].isna().sum() == 2


def test_durations_after_an_earlier_stage(tmp_path):
    fields = """
[fields.dispatched_at]
source = "to_dispatch"
after = "received_at"
duration_formats = ["M:SS", "H:MM:SS"]
[fields.enroute_at]
source = "turnout"
after = "dispatched_at"
duration_formats = ["MM:SS:00", "seconds"]
[fields.arrived_at]
source = "travel_min"
after = "enroute_at"
duration_formats = ["minutes"]
"""
    rows = [
        ["1", "2024-03-01 10:00:00", "0:45", "01:20:00", "4.5"],    # 45 s, 1 min 20 s (mangled), 4.5 min
        ["2", "2024-03-01 10:00:00", "1:02:03", "75", ""],           # 1 h 2 min 3 s, 75 s
        ["3", "2024-03-01 10:00:00", "", "60", "3"],                  # no base for the turnout: nulled
        ["4", "2024-03-01 10:00:00", "soon", "", ""],                 # unparseable
    ]
    report, calls, _ = _ingest(tmp_path, _mapping(tmp_path, fields=fields), ["id", "received", "to_dispatch",
                                                                               "turnout", "travel_min"], rows)
    assert report["repairs"] == {
        "arrived_at": {"duration_minutes": 2},
        "dispatched_at": {"duration_h_mm_ss": 1, "duration_m_ss": 1},
        "enroute_at": {"duration_mm_ss_00_read_as_minutes_seconds": 1, "duration_seconds": 2},
    }
    assert report["values_nulled"] == {"dispatched_at": {"unparseable": 1},
                                       "enroute_at": {"base_stage_missing": 1},
                                       "arrived_at": {"base_stage_missing": 1}}
    r0 = calls.loc[0]
    assert (r0[S.DISPATCHED_AT] - r0[S.RECEIVED_AT]).total_seconds() == 45
    assert (r0[S.ENROUTE_AT] - r0[S.DISPATCHED_AT]).total_seconds() == 80
    assert (r0[S.ARRIVED_AT] - r0[S.ENROUTE_AT]).total_seconds() == 270
    assert (calls.loc[1, S.ENROUTE_AT] - calls.loc[1, S.RECEIVED_AT]).total_seconds() == 3723 + 75
    assert calls.loc[2, [S.DISPATCHED_AT, S.ENROUTE_AT, S.ARRIVED_AT]].isna().all()


def test_zone_suffix_offset_wins_and_resolves_the_repeated_hour(tmp_path):
    fields = """
[fields.arrived_at]
source = "stamp"
formats = ["%Y%m%d%H%M%S", "%Y-%m-%d %H:%M"]
zone_suffixes = { CST = "-06:00", CDT = "-05:00", Z = "+00:00" }
"""
    rows = [
        ["1", "2024-11-03 01:00:00", "20241103013000CDT"],   # first pass through 01:30
        ["2", "2024-11-03 01:00:00", "20241103013000CST"],   # second pass: one hour later
        ["3", "2024-07-01 10:00:00", "20240701103000CST"],   # CST in July: the data wins, counted
        ["4", "2024-07-01 10:00:00", "2024-07-01 15:45 Z"],  # UTC, with a space before the tag: counted too
        ["5", "2024-07-01 10:00:00", "20240701104500"],       # no suffix: the mapping's zone
    ]
    report, calls, _ = _ingest(tmp_path, _mapping(tmp_path, fields=fields), ["id", "received", "stamp"], rows)
    arrived = list(calls[S.ARRIVED_AT])
    assert arrived[0] == pd.Timestamp("2024-11-03 06:30", tz="UTC")
    assert arrived[1] == pd.Timestamp("2024-11-03 07:30", tz="UTC")
    assert arrived[2] == pd.Timestamp("2024-07-01 16:30", tz="UTC")
    assert arrived[3] == pd.Timestamp("2024-07-01 15:45", tz="UTC")
    assert arrived[4] == pd.Timestamp("2024-07-01 15:45", tz="UTC")
    # received_at 01:00 on 3 Nov is ambiguous (no suffix): resolved to the earlier instant, counted
    assert report["repairs"] == {"arrived_at": {"zone_suffix_offset_differs_from_timezone": 2},
                                 "received_at": {"dst_ambiguous_resolved_earlier": 2}}


def test_lookup_unmatched_null_and_field_na_values(tmp_path):
    (tmp_path / "codes.csv").write_text("code,label,grp\nA,Arrest,crime\nK,No report,\n", encoding="utf-8")
    extra = "[lookups.d]\nfile = 'codes.csv'\nkey = 'code'\non = ['dispo', 'Disposition']"
    fields = ("[fields.outcome]\nsource = 'd.label'\nmap = { Arrest = 'arrest' }\n"
              "[fields.call_group]\nsource = 'd.grp'\n"
              "[fields.priority]\nsource = ['dispo', 'Disposition']\nna_values = ['K']")
    rows = [["1", "2024-03-01 10:00:00", "A"], ["2", "2024-03-01 10:00:00", "ZZ"], ["3", "2024-03-01 10:00:00", "K"],
            ["4", "2024-03-01 10:00:00", ""]]
    report, calls, _ = _ingest(tmp_path, _mapping(tmp_path, fields=fields, extra=extra),
                               ["id", "received", "Disposition"], rows)
    assert report["columns_used"]["lookup.d"] == "Disposition"
    assert report["lookup_unmatched"] == {"d": {"ZZ": 1}}
    assert list(calls[S.OUTCOME]) == ["arrest", "unknown", "other", "unknown"]
    assert list(calls[S.CALL_GROUP].fillna("-")) == ["crime", "-", "-", "-"]
    assert list(calls[S.PRIORITY].fillna("-")) == ["A", "ZZ", "-", "-"]


# --- Excel and Parquet -----------------------------------------------------------------------------

EXCEL_MAPPING = """
[format]
name = "smalltown_xl"
level = "incident"
timezone = "America/Chicago"
sheet = "Calls"
header_row = 1

[fields.incident_id]
source = "Incident"
required = true

[fields.received_at]
source = "Received"
formats = ["%m/%d/%Y %H:%M:%S"]
required = true

[fields.dispatched_at]
source = "Arrived"
formats = ["%m/%d/%Y %H:%M:%S"]

[fields.arrived_at]
source = "Travel"
after = "dispatched_at"
duration_formats = ["MM:SS:00", "M:SS"]

[fields.outcome]
source = "Disposition"
map = { ARR = "arrest", RPT = "report", CIT = "citation" }

[fields.latitude]
source = "Lat"
"""


def _write_xlsx(path: Path) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_excel_fixture", EXCEL_DIR / "make_excel_fixture.py")
    fixture = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixture)
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Summary"
    ws = wb.create_sheet("Calls")
    ws.append([fixture.TITLE])
    ws.append(fixture.HEADER)
    for row in fixture.ROWS:
        ws.append(row or [])
    wb.save(path)
    return path


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_excel_sheet_streamed_with_typed_cells(tmp_path, kind, monkeypatch):
    if kind == "xlsx":
        import openpyxl

        book = _write_xlsx(tmp_path / "calls.xlsx")
        real_load = openpyxl.load_workbook

        def must_stream(*args, **kwargs):
            assert kwargs.get("read_only") is True  # rows are streamed, never the whole workbook
            return real_load(*args, **kwargs)

        monkeypatch.setattr(openpyxl, "load_workbook", must_stream)
    else:
        book = EXCEL_DIR / "calls.xls"
    mapping = tmp_path / "xl.toml"
    mapping.write_text(EXCEL_MAPPING, encoding="utf-8")
    out = tmp_path / "ds"
    res = ingest([book], out, mapping=mapping, block_rows=2)
    report = res.files[0]
    # records 1-3, 5-7 (record 4 is an empty row); 6 has a cell past the header (ragged), 7 no usable time
    assert (report["rows_read"], report["rows_written"], report["rows_quarantined"]) == (6, 4, 2)
    assert report["quarantine_by_reason"] == {S.REASON_RAGGED_ROW: 1, S.REASON_BAD_TIMESTAMP: 1}
    assert report["encoding"] is None
    assert report["repairs"] == {
        "arrived_at": {"duration_m_ss": 1, "duration_mm_ss_00_read_as_minutes_seconds": 1},
        "received_at": {"dst_nonexistent_shifted_forward": 1}}
    calls = read_calls(out).sort_values(S.SOURCE_ROW).reset_index(drop=True)
    assert list(calls[S.SOURCE_ROW]) == [1, 2, 3, 5]
    assert list(calls[S.INCIDENT_ID]) == ["24001", "24002", "24003", "24004"]  # whole numbers, no ".0"
    assert calls.loc[0, S.RECEIVED_AT] == _utc("2024-03-01 10:00:00")
    assert calls.loc[2, S.RECEIVED_AT] == _utc("2024-03-02 08:15:00")  # a date typed as text
    assert calls.loc[0, S.ARRIVED_AT] - calls.loc[0, S.DISPATCHED_AT] == pd.Timedelta(minutes=4, seconds=5)
    assert pd.isna(calls.loc[1, S.ARRIVED_AT])  # 12:30:00 after a missing stage
    assert calls.loc[3, S.RECEIVED_AT] == _utc("2024-03-10 03:00:00")
    assert list(calls[S.OUTCOME]) == ["arrest", "report", "citation", "unknown"]
    assert calls.loc[0, S.LATITUDE] == 41.5
    q = read_quarantine(out).sort_values(S.Q_SOURCE_ROW)
    assert list(q[S.Q_SOURCE_ROW]) == [6, 7]


def test_excel_sheet_and_file_errors(tmp_path):
    book = _write_xlsx(tmp_path / "calls.xlsx")
    mapping = tmp_path / "xl.toml"
    mapping.write_text(EXCEL_MAPPING.replace('sheet = "Calls"', 'sheet = "Nope"'), encoding="utf-8")
    with pytest.raises(UserError, match=r"calls.xlsx: no sheet named 'Nope'; the sheets are \['Summary', 'Calls'\]"):
        ingest([book], tmp_path / "ds", mapping=mapping)
    bad = tmp_path / "fake.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(UserError, match="fake.xlsx: not a readable .xlsx workbook"):
        ingest([bad], tmp_path / "ds", mapping=mapping)
    odd = tmp_path / "calls.ods"
    odd.write_text("x")
    with pytest.raises(UserError, match=r"unsupported file type '.ods'"):
        ingest([odd], tmp_path / "ds", mapping=mapping)


def test_parquet_read_in_batches(tmp_path, minimal_mapping):
    n = 7
    table = pa.table({
        "id": pa.array(range(100, 100 + n), pa.int64()),
        "received": pa.array([dt.datetime(2024, 3, 1, 10, i) for i in range(n)], pa.timestamp("us")),
        "arrived_utc": pa.array([dt.datetime(2024, 3, 1, 16, i, 30, tzinfo=dt.timezone.utc) for i in range(n - 1)]
                                + [None], pa.timestamp("ms", tz="UTC")),
        "lat": pa.array([41.5, 41.25, None, 41.0, 41.0, 41.0, 41.0], pa.float64()),
        "dispo": pa.array(["ARR", "RPT", "ARR", None, "CIT", "CIT", "ARR"]).dictionary_encode(),
    })
    path = tmp_path / "calls.parquet"
    pq.write_table(table, path, row_group_size=3)
    mapping = minimal_mapping("pq.toml", name="pq", timezone="America/Chicago", received_formats=("%d.%m.%Y %H:%M",),
                              fields="""
[fields.arrived_at]
source = "arrived_utc"
formats = ["%d.%m.%Y %H:%M"]
[fields.latitude]
source = "lat"
[fields.outcome]
source = "dispo"
map = { ARR = "arrest", RPT = "report", CIT = "citation" }
""")
    out = tmp_path / "ds"
    res = ingest([path], out, mapping=mapping, block_rows=2)
    assert (res.rows_read, res.rows_written, res.rows_quarantined) == (n, n, 0)
    calls = read_calls(out).sort_values(S.SOURCE_ROW).reset_index(drop=True)
    assert list(calls[S.SOURCE_ROW]) == list(range(1, n + 1))
    assert list(calls[S.INCIDENT_ID]) == [str(i) for i in range(100, 100 + n)]
    assert calls.loc[0, S.RECEIVED_AT] == _utc("2024-03-01 10:00")  # naive: the mapping's zone
    assert calls.loc[0, S.ARRIVED_AT] == pd.Timestamp("2024-03-01 16:00:30", tz="UTC")  # zone-aware: kept
    assert res.files[0]["repairs"] == {}  # a zone-aware instant is exact: nothing to repair or count
    assert list(calls[S.OUTCOME]) == ["arrest", "report", "arrest", "unknown", "citation", "citation", "arrest"]
    assert calls[S.LATITUDE].isna().sum() == 1



def test_a_lookup_outside_the_mappings_folder_is_refused_unread(tmp_path):
    """Issue 16, part 1: a mapping file is untrusted; its lookup cannot point anywhere on disk."""
    secret = tmp_path / "secret.csv"
    secret.write_text("root:x:0:0:root,label\n", encoding="utf-8")
    folder = tmp_path / "mappings"
    folder.mkdir()
    for where in ("../secret.csv", str(secret)):
        lk = f'[lookups.d]\nfile = "{where}"\nkey = "code"\non = "code"\n'
        with pytest.raises(MappingError, match="not inside the mapping's folder") as err:
            load_mapping(_mapping(folder, extra=lk))
        assert "root:x" not in str(err.value)
    (folder / "link.csv").symlink_to(secret)  # a link inside that leads outside
    lk = '[lookups.d]\nfile = "link.csv"\nkey = "code"\non = "code"\n'
    with pytest.raises(MappingError, match="not inside the mapping's folder"):
        load_mapping(_mapping(folder, extra=lk))


@pytest.mark.parametrize(("field", "noun", "words"), [
    ("district", "parish", "is not one of"),
    ("call_type", "beat", "applies only to [fields.district]"),
])  # fmt: skip
def test_a_district_noun_is_one_the_briefing_knows(tmp_path, field, noun, words):
    from responsestats.errors import MappingError
    from responsestats.formats.mapping import load_mapping

    path = tmp_path / "m.toml"
    path.write_text('[format]\nname = "m"\ntimezone = "UTC"\n[fields.incident_id]\nsource = "id"\n'
                    '[fields.received_at]\nsource = "received"\nformats = ["%Y-%m-%d %H:%M:%S"]\n'
                    f'[fields.{field}]\nsource = "d"\nnoun = "{noun}"\n', encoding="utf-8")  # fmt: skip
    with pytest.raises(MappingError) as err:
        load_mapping(path)
    assert words in str(err.value) and "noun" in str(err.value)
