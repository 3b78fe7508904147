"""`responsestats inspect`: column types, timestamp patterns, field guesses and a draft mapping that loads."""

from __future__ import annotations


import pandas as pd
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


# --- drafts that ingest (issue 13, part 1): one test per rule; tests/formats/test_inspect_drafts.py measures them ---
def _draft(path, tz="America/Chicago"):
    result = inspect_file(path)
    return result, result.draft_toml(timezone=tz)


def _ingest_draft(tmp_path, path, text):
    mapping = tmp_path / f"{path.stem}.toml"
    mapping.write_text(text, encoding="utf-8")
    ingest([path], tmp_path / f"ds_{path.stem}", mapping=mapping)
    return load_mapping(mapping), read_calls(tmp_path / f"ds_{path.stem}")


def test_a_column_of_timestamps_is_received_at_with_its_formats_never_a_placeholder(tmp_path):
    rows = [[str(100 + i), f"3/{1 + i % 28}/2024 {i % 24}:{i % 60:02d}", "THEFT"] for i in range(40)]
    path = write_csv(tmp_path / "listing.csv", ["ID", "Reported", "Nature"], rows)
    _result, text = _draft(path)
    assert '= "CHANGE-ME"' not in text and 'source = "Reported"' in text
    assert 'formats = ["%m/%d/%Y %H:%M"]' in text
    m, calls = _ingest_draft(tmp_path, path, text)
    assert m.fields[S.INCIDENT_ID].source == ("ID",) and len(calls) == 40
    assert calls[S.RECEIVED_AT].notna().all()
    # no header names the receipt: the earliest stamp is received_at, with the date column of the same name
    sj = inspect_file(REAL / "san_jose_pd" / "sampled_file2024.csv").draft_toml(timezone="America/Los_Angeles")
    assert 'source = "OFFENSE_TIME"' in sj and 'date_source = "OFFENSE_DATE"' in sj
    assert 'date_formats = ["%m/%d/%Y %I:%M:%S %p"]' in sj and "is the earliest stamp" in sj


def test_stage_headers_are_read_by_their_meaning_in_english_chinese_and_pinyin(tmp_path):
    header = ["Event No", "Call Received", "Notified", "Rollout", "At Scene", "Back In Service"]
    stamps = ["2024-05-01 10:00:00", "2024-05-01 10:01:00", "2024-05-01 10:02:00", "2024-05-01 10:09:00",
              "2024-05-01 10:40:00"]
    path = write_csv(tmp_path / "en.csv", header, [[f"E{i}", *stamps] for i in range(5)])
    cols = _cols(inspect_file(path))
    assert [cols[h].guess for h in header] == [S.INCIDENT_ID, S.RECEIVED_AT, S.DISPATCHED_AT, S.ENROUTE_AT,
                                               S.ARRIVED_AT, S.CLEARED_AT]
    for names in (["警情编号", "报警时间", "派单时间", "出发时间", "到场时间", "结束时间"],
                  ["JQBH", "BJSJ", "PJSJ", "CJSJ", "DDSJ", "CJJSSJ"]):
        path = write_csv(tmp_path / f"{names[0]}.csv", names, [[f"J{i}", *stamps] for i in range(5)], bom=True)
        cols = _cols(inspect_file(path))
        assert [cols[h].guess for h in names] == [S.INCIDENT_ID, *S.TIMESTAMP_COLUMNS[:5]]


def test_among_candidates_the_data_chooses_with_the_counts_in_a_comment(tmp_path):
    header = ["Incident_Number", "CreateTime", "DispatchTime", "DispatchAckTime", "EnrouteTime", "ArriveTime",
              "FirstAvailableTime", "CloseTime"]
    def at(t, seconds):
        return (t + pd.Timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]

    rows = []
    for i in range(30):
        t = pd.Timestamp("2024-09-01 08:00:00") + pd.Timedelta(hours=i)

        def stamp(seconds, t=t):
            return at(t, seconds)

        ack = "NULL" if i % 3 == 0 else stamp(200 if i % 3 == 1 else 80)  # missing, or after en route
        first_available = stamp(500 if i % 2 else 1500)  # before the arrival in half the rows
        rows.append([f"2024-{i:05d}", stamp(0), stamp(60), ack, stamp(120), stamp(600), first_available,
                     stamp(1800)])
    path = write_csv(tmp_path / "cad.csv", header, rows)
    result, text = _draft(path)
    fields = result.fields
    assert fields[S.DISPATCHED_AT].column == "DispatchTime" and fields[S.CLEARED_AT].column == "CloseTime"
    assert "'DispatchAckTime' 10 negative, 10 missing" in text
    assert "'CloseTime' 0 negative, 0 missing; 'FirstAvailableTime' 15 negative, 0 missing" in text
    assert 'formats = ["%Y-%m-%d %H:%M:%S.%f"]' in text


def test_id_columns_are_proposed_as_incident_id(tmp_path):
    for header, value in (("id", "{i}"), ("Run_Number", "R{i}"), ("CASENUM", "C{i}"), ("编号", "{i}")):
        rows = [[value.format(i=i), f"2024-01-01 10:{i:02d}:00", "x"] for i in range(20)]
        path = write_csv(tmp_path / f"ids{len(header)}.csv", [header, "received", "Report Number"], rows)
        result = inspect_file(path)
        assert result.fields[S.INCIDENT_ID].column == header, header
    # a report number written only where a report was taken is no incident id
    rows = [[str(i), f"2024-01-01 10:{i:02d}:00", f"R{i}" if i % 4 == 0 else ""] for i in range(20)]
    path = write_csv(tmp_path / "sparse.csv", ["ID", "received", "Report Number"], rows)
    assert inspect_file(path).fields[S.INCIDENT_ID].column == "ID"


def test_a_unit_column_sets_the_level_by_whether_incident_ids_repeat(tmp_path):
    header = ["Incident Number", "Unit", "Received DtTm"]
    unit_rows = [[f"I{i // 3}", f"E{i % 3}", f"2024-01-01 10:{i // 3:02d}:00"] for i in range(30)]
    result, text = _draft(write_csv(tmp_path / "units.csv", header, unit_rows))
    assert result.level == "unit" and result.fields[S.UNIT_ID].column == "Unit" and 'level = "unit"' in text
    incident_rows = [[f"I{i}", f"E{i % 3}", f"2024-01-01 10:{i:02d}:00"] for i in range(30)]
    result, text = _draft(write_csv(tmp_path / "incidents.csv", header, incident_rows))
    assert result.level == "incident" and S.UNIT_ID not in result.fields and "not mapped" in text


def test_a_call_source_with_officer_initiated_values_is_offered_as_self_initiated(tmp_path):
    sources = ["911", "10-DIGIT", "OFFICER INITIATED", "ALARM COMPANY"]
    rows = [[str(i), f"2024-01-01 10:{i:02d}:00", sources[i % 4], "THEFT"] for i in range(40)]
    path = write_csv(tmp_path / "src.csv", ["id", "received", "Call_Source", "Problem"], rows)
    result, text = _draft(path)
    assert result.fields[S.SELF_INITIATED].column == "Call_Source"
    assert 'true_values = ["OFFICER INITIATED"]' in text and "'OFFICER INITIATED' (10 rows)" in text
    _m, calls = _ingest_draft(tmp_path, path, text)
    assert calls[S.SELF_INITIATED].sum() == 10
    rows = [[str(i), f"2024-01-01 10:{i:02d}:00", ["110", "自主发现"][i % 2]] for i in range(10)]
    cn = inspect_file(write_csv(tmp_path / "cn.csv", ["编号", "报警时间", "来源"], rows, bom=True))
    assert cn.fields[S.SELF_INITIATED].true_values == ["自主发现"]


def test_durations_get_their_pattern_and_a_clock_stays_a_clock(tmp_path):
    header = ["Incident", "Alarm Date", "Alarm Time", "Dispatch Time", "Turnout Time", "Travel Time", "On Scene"]
    rows = []
    for i in range(48):
        on_scene = f"{20 + i}:{i % 60:02d}:00" if i % 2 else (f"{10 + i}:{i % 60:02d}" if i % 3 else f"1:{i:02d}:17")
        rows.append([f"F{i}", "03/14/2024", f"{i % 24:02d}:{i % 50:02d}", f"{i % 24:02d}:{i % 50 + 2:02d}",
                     f"{i % 2}:{10 + i % 40:02d}", f"{3 + i % 7}:{i % 60:02d}", on_scene])
    path = write_csv(tmp_path / "fire.csv", header, rows)
    result, text = _draft(path, "America/Denver")
    f = result.fields
    assert f[S.DISPATCHED_AT].column == "Dispatch Time" and f[S.DISPATCHED_AT].date_source == "Alarm Date"
    assert (f[S.ENROUTE_AT].after, f[S.ENROUTE_AT].duration_formats) == (S.DISPATCHED_AT, ["M:SS"])
    assert (f[S.ARRIVED_AT].after, f[S.ARRIVED_AT].duration_formats) == (S.ENROUTE_AT, ["M:SS"])
    assert f[S.CLEARED_AT].duration_formats == ["M:SS", "MM:SS:00", "H:MM:SS"]
    assert "Excel's mangling" in text and "%H:%M" not in str(f[S.ENROUTE_AT].formats)
    _m, calls = _ingest_draft(tmp_path, path, text)
    on_scene = (calls[S.CLEARED_AT] - calls[S.ARRIVED_AT]).dt.total_seconds()
    assert on_scene.iloc[1] == 21 * 60 + 1 and on_scene.max() < 2 * 3600  # "21:01:00" is 21 min 1 s, not 21 h
    genuine = write_csv(tmp_path / "genuine.csv", ["id", "received", "Time On Scene"],
                        [[str(i), f"2024-01-01 10:{i:02d}:00", f"{i % 3}:{i:02d}:{(7 * i) % 60:02d}"]
                         for i in range(30)])
    genuine = inspect_file(genuine)
    assert _cols(genuine)["Time On Scene"].duration_formats == ["H:MM:SS"] and S.CLEARED_AT not in genuine.fields
    assert "counted from arrived_at, which the draft does not map" in genuine.draft_toml(timezone="America/Denver")


def test_a_midnight_rollover_in_the_sample_is_suggested(tmp_path):
    rows = [[f"F{i}", "03/14/2024", f"{h}:{m:02d}", f"{(h * 60 + m + 3) // 60 % 24}:{(m + 3) % 60:02d}"]
            for i, (h, m) in enumerate([(10, 0), (15, 30), (23, 58), (23, 59), (8, 12)])]
    path = write_csv(tmp_path / "clock.csv", ["Incident", "Date", "Call Time", "Dispatched"], rows)
    result, text = _draft(path)
    assert "midnight_rollover = true" in text and "2 sampled rows" in result.rollover
    _m, calls = _ingest_draft(tmp_path, path, text)
    assert ((calls[S.DISPATCHED_AT] - calls[S.RECEIVED_AT]).dt.total_seconds() == 180).all()
    # stamps that carry their own date cross midnight without it
    sffd = inspect_file(REAL / "sffd" / "Fire_Department_Calls_for_Service.csv")
    assert not sffd.rollover and "[repairs]" not in sffd.draft_toml(timezone="America/Los_Angeles")


def test_personal_columns_by_content_are_flagged_and_a_time_is_never_personal(tmp_path):
    names = [f"{g} {f}" for g in ("Maria", "James", "Linda", "Robert", "Susan", "David", "Grace", "Oscar")
             for f in ("Lopez", "Walker", "Nguyen", "Harris", "Patel", "Brooks", "Kim", "Hayes")]
    streets = ["1200 BLOCK OF MAIN ST", "4131 SPRUCE AVE", "MILL AVE & ASPEN BLVD", "668 RIVER RD"]
    rows = [[str(i), f"2024-01-01 10:{i:02d}:00", f"2024-01-01 10:{i:02d}:20", streets[i % 4] + f" {i}",
             names[i] if i % 6 else "", "THEFT"] for i in range(60)]
    header = ["ID", "CreateTime", "PhonePickupTime", "Location", "Reporter", "Nature"]
    result, text = _draft(write_csv(tmp_path / "p.csv", header, rows))
    cols = _cols(result)
    assert cols["Location"].personal == "street addresses" and cols["Reporter"].personal == "names"
    assert cols["PhonePickupTime"].personal is None and cols["PhonePickupTime"].kind == "timestamp"
    assert set(result.personal_columns) == {"Location", "Reporter"}
    assert "Personal columns, never mapped: Location (street addresses), Reporter (names)" in text
    assert not any(d.column in ("Location", "Reporter") for d in result.fields.values())


def test_outcome_codes_are_mapped_through_their_labels_and_negations_are_heard():
    sj = inspect_file(REAL / "san_jose_pd" / "sampled_file2024.csv").draft_toml(timezone="America/Los_Angeles")
    assert '"A" = "arrest"  # Arrest Made (16 rows)' in sj and '"DUPNCAN" = "duplicate"' in sj
    assert '"E" = "citation"' in sj and '"CAN" = "cancelled"' in sj
    sf = inspect_file(REAL / "sffd" / "Fire_Department_Calls_for_Service.csv").draft_toml(timezone="America/Chicago")
    assert '"Patient Declined Transport" = "other"' in sf and '"No Merit" = "unfounded"' in sf


def test_minus_one_in_a_code_column_reads_as_missing(tmp_path):
    sd = inspect_file(REAL / "san_diego_pd" / "pd_calls_for_service_2023_datasd.csv")
    assert sd.fields[S.DISTRICT].na_values == ["-1"]
    assert "short codes" in sd.draft_toml(timezone="America/Los_Angeles")  # a code table is needed


def test_the_sample_is_bounded(tmp_path, capsys):
    from responsestats.formats import inspect as inspect_module

    path = write_csv(tmp_path / "long.csv", ["id", "received", "notes"],
                     [[str(i), "2024-01-01 10:00:00", "x" * 5000] for i in range(30)])
    result = inspect_file(path, sample_rows=10**9)
    assert result.rows_sampled == 30 and result.sample_limit == inspect_module.MAX_SAMPLE_ROWS
    assert _cols(result)["notes"].personal == "free texts" or len(_cols(result)["notes"].examples[0]) < 5000
    assert main(["inspect", str(path), "--rows", str(inspect_module.MAX_SAMPLE_ROWS + 1)]) == 2
    assert "--rows" in capsys.readouterr().err


def test_the_draft_offers_the_agencys_own_categories_as_dimensions(tmp_path):
    """Unmapped columns of few distinct values are offered as commented-out [dimensions] tables; un-commented,
    the draft keeps them (issue 14, part 1)."""
    from paths import UNSEEN_SAMPLE
    from responsestats import ingest, read_calls
    from responsestats.formats.inspect import inspect_file

    export = UNSEEN_SAMPLE / "fire_district.csv"
    draft = inspect_file(export).draft_toml(timezone="America/Denver")
    assert '# [dimensions.station]\n# source = "Station"' in draft and "# [dimensions.shift]" in draft
    assert "[dimensions.street_address]" not in draft.replace("# ", "")  # a personal column is never offered
    kept = draft.replace('# [dimensions.station]\n# source = "Station"', '[dimensions.station]\nsource = "Station"')
    path = tmp_path / "kept.toml"
    path.write_text(kept, encoding="utf-8")
    ingest([export], tmp_path / "ds", mapping=path, agency="cvfd")
    assert set(read_calls(tmp_path / "ds")["station"]) == {"41", "42", "43", "44"}
