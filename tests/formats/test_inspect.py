"""`responsestats inspect`: column types, timestamp patterns, field guesses and a draft mapping that loads."""

from __future__ import annotations


import pytest

from responsestats import ingest, load_mapping, read_calls
from responsestats import schema as S
from responsestats.cli import main
from responsestats.errors import MappingError
from responsestats.formats.inspect import inspect_file

from conftest import CN_HEADER, PINYIN, write_csv
from paths import REAL_SAMPLE

REAL = REAL_SAMPLE


def _cols(result):
    return {c.name: c for c in result.columns}


def test_inspect_seattle_excerpt_and_its_draft_ingests(tmp_path):
    path = REAL / "seattle_spd" / "db_call_data_2018-2023.csv"
    result = inspect_file(path)
    cols = _cols(result)
    assert result.encoding == "utf-8-sig" and result.rows_sampled == 222
    assert cols["Original Time Queued"].kind == "timestamp"
    assert cols["Original Time Queued"].formats[0] == ("%m/%d/%Y %I:%M:%S %p", 1.0)
    assert cols["Original Time Queued"].guess == S.RECEIVED_AT
    assert cols["Arrived Time"].guess == S.ARRIVED_AT and cols["Arrived Time"].non_null == 186
    assert cols["CAD Event Number"].guess == S.INCIDENT_ID and cols["CAD Event Number"].kind == "integer"
    assert cols["Event Clearance Description"].guess == S.OUTCOME
    assert cols["Beat"].guess == S.DISTRICT and cols["Blurred_Latitude"].guess == S.LATITUDE
    draft = result.draft_toml(timezone="America/Los_Angeles")
    assert '"PHYSICAL ARREST MADE" = "arrest"' in draft and '"REPORT WRITTEN (NO ARREST)" = "report"' in draft
    mapping = tmp_path / "draft.toml"
    mapping.write_text(draft, encoding="utf-8")
    res = ingest([path], tmp_path / "ds", mapping=mapping)
    assert res.rows_written == 222
    calls = read_calls(tmp_path / "ds")
    assert (calls[S.OUTCOME] == "arrest").sum() == 9


def test_draft_without_a_zone_does_not_load(tmp_path):
    draft = inspect_file(REAL / "virginia_beach_ems" / "NA_VaBeach_EMS_2017_18.csv").draft_toml()
    path = tmp_path / "vb.toml"
    path.write_text(draft, encoding="utf-8")
    with pytest.raises(MappingError, match="'CHANGE-ME' is not an IANA time zone"):
        load_mapping(path)


def test_inspect_finds_zone_suffixes_clock_times_and_points():
    sj = _cols(inspect_file(REAL / "san_jose_pd" / "sampled_file2024.csv"))
    assert sj["CDTS"].kind == "timestamp" and sj["CDTS"].zone_suffixes == ["PD", "PS"]
    assert sj["CDTS"].formats[0][0] == "%Y%m%d%H%M%S"
    assert sj["OFFENSE_TIME"].kind == "time" and sj["OFFENSE_TIME"].formats[0][0] == "%H:%M:%S"
    assert sj["EID"].kind == "integer" and not sj["EID"].formats
    sf = _cols(inspect_file(REAL / "sffd" / "Fire_Department_Calls_for_Service.csv"))
    assert sf["Location"].kind == "point" and sf["Location"].guess == S.LATITUDE
    assert sf["Unit ID"].guess == S.UNIT_ID and sf["Call Date"].kind == "date"
    assert sf["ALS Unit"].kind == "boolean"


def test_inspect_chinese_and_pinyin_headers(tmp_path):
    row = ["J1", "张某某", "13812345678", "2024-07-01 08:05:00", "2024-07-01 08:06:00", "", "", "", "刑事警情", "盗窃",
           "二级", "芗城-01网格", "城区", "现行抓获", "", "是", "巡逻发现", "117.65", "24.51"]
    cn = write_csv(tmp_path / "cn.csv", CN_HEADER, [row] * 3, bom=True)
    py = write_csv(tmp_path / "py.csv", [PINYIN[h] for h in CN_HEADER], [row] * 3, encoding="gbk", newline="\r\n")
    for path, encoding in ((cn, "utf-8-sig"), (py, "gb18030")):
        result = inspect_file(path)
        assert result.encoding == encoding
        guesses = {c.guess for c in result.columns if c.guess}
        assert {S.INCIDENT_ID, S.RECEIVED_AT, S.DISPATCHED_AT, S.DISTRICT, S.OUTCOME, S.SELF_INITIATED,
                S.LATITUDE, S.LONGITUDE} <= guesses
        assert set(result.personal_columns) in ({"报警人", "报警电话"}, {"BJR", "BJDH"})
        draft = result.draft_toml(timezone="Asia/Shanghai")
        assert '"现行抓获" = "arrest"' in draft and 'true_values = ["巡逻发现"]' in draft
        mapping = tmp_path / f"{path.stem}.toml"
        mapping.write_text(draft, encoding="utf-8")
        res = ingest([path], tmp_path / f"ds_{path.stem}", mapping=mapping)
        assert res.rows_read == 3 and res.rows_written == 1  # the other two are exact duplicates
        blob = b"".join(p.read_bytes() for p in (tmp_path / f"ds_{path.stem}").rglob("*") if p.is_file())
        assert b"13812345678" not in blob


def test_inspect_mangled_durations(tmp_path):
    rows = [[str(i), "2024-03-01 10:00:00", f"{m}:{s:02d}:00"] for i, (m, s) in enumerate([(4, 5), (31, 10), (12, 0)])]
    path = write_csv(tmp_path / "d.csv", ["id", "received", "travel"], rows)
    travel = _cols(inspect_file(path))["travel"]
    assert travel.kind == "duration" and "MM:SS:00" in travel.note


def test_inspect_cli(tmp_path, capsys):
    path = REAL / "virginia_beach_ems" / "NA_VaBeach_EMS_2017_18.csv"
    draft = tmp_path / "vb.toml"
    assert main(["inspect", str(path), "--tz", "America/New_York", "--rows", "50", "--draft", str(draft)]) == 0
    out = capsys.readouterr().out
    assert "CallDateandTime" in out and "%m/%d/%y %H:%M" in out and "50 rows sampled" in out
    m = load_mapping(draft)
    assert m.timezone == "America/New_York" and m.fields[S.RECEIVED_AT].source == ("CallDateandTime",)
    assert main(["inspect", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
