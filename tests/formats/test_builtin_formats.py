"""Built-in formats on real exports: excerpts (default), the full files (``-m real``), broken files.

The excerpts in data/sample/real/ are cut from the full files in ../shared/data/real/
(see data/sample/real/README.md); expected counts are computed here with pandas from
the files themselves, never copied from the code under test.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from responsestats import ingest, load_mapping, read_calls, read_quarantine
from responsestats import schema as S
from responsestats.cli import main
from responsestats.errors import MappingError
from responsestats.formats.mapping import builtin_formats
from paths import BROKEN_DIR, REAL_SAMPLE, SHARED_REAL

EXCERPTS = REAL_SAMPLE
BROKEN = BROKEN_DIR

#: format -> (folder under shared/data/real, file name)
FILES = {
    "sffd": ("sffd_calls_2016", "Fire_Department_Calls_for_Service.csv"),
    "seattle_spd": ("seattle_spd_call_data", "db_call_data_2018-2023.csv"),
    "san_jose_pd": ("san_jose_pd_cfs", "sampled_file2024.csv"),
    "san_diego_pd": ("san_diego_pd_cfs", "pd_calls_for_service_2023_datasd.csv"),
    "virginia_beach_ems": ("virginia_beach_ems", "NA_VaBeach_EMS_2017_18.csv"),
}
#: format -> (source column, source values that are arrests)
ARRESTS = {
    "seattle_spd": ("Event Clearance Description", {"PHYSICAL ARREST MADE"}),
    "san_jose_pd": ("FINAL_DISPO_CODE", {"A", "B"}),
    "san_diego_pd": ("disposition", {"A", "AB", "AHR"}),
}
#: The source's own arrest counts, as published in ../shared/data/real/README.md.
SOURCE_ARRESTS = {"seattle_spd": 9, "san_jose_pd": 124, "san_diego_pd": 942}

needs_shared = pytest.mark.skipif(not SHARED_REAL.is_dir(), reason="../shared/data/real is absent")


def _excerpt(fmt: str) -> Path:
    return EXCERPTS / fmt / FILES[fmt][1]


def _pandas(path: Path) -> pd.DataFrame:
    """The file as pandas reads it: every column as text, nothing treated as missing."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _mapped_columns(fmt: str, header: list[str]) -> list[str]:
    m = load_mapping(fmt)
    return m.columns_to_read(m.resolve_columns(header, fmt))


def _check_format(fmt: str, path: Path, tmp_path: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """Ingest one file with its built-in format; check what holds for every real file."""
    source = _pandas(path)
    out = tmp_path / "ds"
    res = ingest([path], out, mapping=fmt)
    report = res.files[0]
    assert report["rows_read"] == len(source)
    assert report["reconciled"] and res.reconciled
    assert report["rows_written"] + report["rows_quarantined"] == len(source)
    assert report["format"] == fmt and report["level"] == load_mapping(fmt).level
    # exact duplicates of every mapped source value are quarantined, and nothing else is dropped
    cols = _mapped_columns(fmt, list(source.columns))
    dups = int(source[cols].duplicated().sum())
    assert report["quarantine_by_reason"].get(S.REASON_DUPLICATE_ROW, 0) == dups
    calls = read_calls(out)
    assert len(calls) == report["rows_written"]
    return report, calls, source


def _arrest_check(fmt: str, calls: pd.DataFrame, source: pd.DataFrame, out: Path) -> int:
    """Arrests kept = arrests in the source - arrests among the quarantined records."""
    col, codes = ARRESTS[fmt]
    is_arrest = source[col].str.strip().isin(codes)
    q = read_quarantine(out)
    quarantined_rows = set(q[S.Q_SOURCE_ROW]) if len(q) else set()
    arrests_quarantined = int(is_arrest[[i + 1 in quarantined_rows for i in range(len(source))]].sum())
    kept = int((calls[S.OUTCOME] == S.OUTCOME_ARREST).sum())
    assert kept == int(is_arrest.sum()) - arrests_quarantined
    return kept


def test_formats_command_lists_every_builtin(capsys):
    assert main(["formats"]) == 0
    printed = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in printed]
    assert names == sorted(builtin_formats())
    assert set(FILES) | {"cn110"} <= set(names)
    for line in printed:
        assert len(line.split(maxsplit=1)) == 2  # every format has a description


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_builtin_format_on_real_excerpt(fmt, tmp_path):
    report, calls, source = _check_format(fmt, _excerpt(fmt), tmp_path)
    assert report["rows_quarantined"] == 0  # the excerpts are real, clean records
    assert report["fields_not_in_source"] == []
    assert calls[S.RECEIVED_AT].notna().all() and calls[S.INCIDENT_ID].notna().all()
    assert set(calls[S.OUTCOME]) <= set(S.OUTCOMES)
    if fmt in ARRESTS:
        assert _arrest_check(fmt, calls, source, tmp_path / "ds") > 0


@pytest.mark.real
@needs_shared
@pytest.mark.parametrize("fmt", sorted(FILES))
def test_builtin_format_on_full_real_file(fmt, tmp_path):
    folder, name = FILES[fmt]
    report, calls, source = _check_format(fmt, SHARED_REAL / folder / name, tmp_path)
    assert report["rows_quarantined"] == 0
    if fmt in ARRESTS:
        assert _arrest_check(fmt, calls, source, tmp_path / "ds") == SOURCE_ARRESTS[fmt]


@pytest.mark.real
@needs_shared
def test_san_jose_duplicated_eids_are_not_exact_duplicates(tmp_path):
    """3 EIDs appear twice; each pair differs (CDTS, disposition), so all 5,000 records are kept."""
    path = SHARED_REAL / "san_jose_pd_cfs" / "sampled_file2024.csv"
    source = _pandas(path)
    twice = source[source["EID"].duplicated(keep=False)]
    assert twice["EID"].nunique() == 3 and len(twice) == 6
    assert not source.duplicated().any()
    assert not source[_mapped_columns("san_jose_pd", list(source.columns))].duplicated().any()
    res = ingest([path], tmp_path / "ds", mapping="san_jose_pd")
    calls = read_calls(tmp_path / "ds")
    assert res.rows_written == 5000
    assert calls[S.INCIDENT_ID].isin(twice["EID"]).sum() == 6
    assert (calls[S.OUTCOME] == "arrest").sum() == 124
    assert res.files[0]["repairs"].get(S.CLEARED_AT, {}) == {}  # every PS/PD suffix agrees with the zone


# --- per-format values on the excerpts ------------------------------------------------------

def test_sffd_unit_rows_and_values(tmp_path):
    path = _excerpt("sffd")
    source = _pandas(path)
    out = tmp_path / "ds"
    ingest([path], out, mapping="sffd")
    calls = read_calls(out).sort_values(S.SOURCE_ROW).reset_index(drop=True)
    assert len(calls) == len(source)  # one row per unit
    assert calls[S.INCIDENT_ID].nunique() == source["Call Number"].nunique()
    assert list(calls[S.UNIT_ID]) == list(source["Unit ID"])
    first = calls.iloc[0]
    # 12/31/2016 11:57:56 PM PST = 2017-01-01 07:57:56 UTC; On Scene 01/01/2017 12:04:18 AM
    assert first[S.RECEIVED_AT] == pd.Timestamp("2017-01-01 07:57:56", tz="UTC")
    assert first[S.ARRIVED_AT] - first[S.RECEIVED_AT] == pd.Timedelta(minutes=6, seconds=22)
    assert first[S.LATITUDE] == pytest.approx(37.745858648581)
    assert first[S.LONGITUDE] == pytest.approx(-122.456664252061)
    assert first[S.DISTRICT] == "B08" and first[S.CALL_GROUP] == "Alarm"
    # priority from Final Priority (2/3), never the medical letters of Priority
    assert set(calls[S.PRIORITY]) == {"2", "3"}
    assert calls[S.ENROUTE_AT].isna().sum() == (source["Response DtTm"] == "").sum()
    assert calls[S.CLEARED_AT].isna().sum() == (source["Available DtTm"] == "").sum() == 5
    assert calls[S.CALL_GROUP].isna().sum() == (source["Call Type Group"] == "").sum()
    dispo = source["Call Final Disposition"]
    transport = dispo.str.contains("Transport") & ~dispo.str.contains("Declined")
    assert (calls[S.OUTCOME] == "transport").sum() == transport.sum()


def test_seattle_onview_and_clearances(tmp_path):
    path = _excerpt("seattle_spd")
    source = _pandas(path)
    out = tmp_path / "ds"
    ingest([path], out, mapping="seattle_spd")
    calls = read_calls(out).sort_values(S.SOURCE_ROW).reset_index(drop=True)
    assert calls[S.SELF_INITIATED].sum() == (source["Call Type"] == "ONVIEW").sum() == 13
    assert (calls[S.OUTCOME] == "arrest").sum() == 9
    assert (calls[S.OUTCOME] == "citation").sum() == source["Event Clearance Description"].str.startswith(
        "CITATION").sum()
    assert calls[S.ARRIVED_AT].isna().sum() == 36
    assert list(calls[S.DISTRICT].unique()) == ["C3"]
    # 11/04/2023 6:08:26 PM PDT (hour without a leading zero)
    assert calls.loc[0, S.RECEIVED_AT] == pd.Timestamp("2023-11-05 01:08:26", tz="UTC")
    onview = calls[calls[S.SELF_INITIATED]]
    assert ((onview[S.ARRIVED_AT] - onview[S.RECEIVED_AT]).dt.total_seconds() == 0).all()


def test_san_jose_date_plus_clock_and_zone_suffix(tmp_path):
    path = _excerpt("san_jose_pd")
    source = _pandas(path)
    out = tmp_path / "ds"
    res = ingest([path], out, mapping="san_jose_pd")
    calls = read_calls(out).sort_values(S.SOURCE_ROW).reset_index(drop=True)
    start = pd.to_datetime(source["OFFENSE_DATE"], format="%m/%d/%Y %I:%M:%S %p") + pd.to_timedelta(
        source["OFFENSE_TIME"])
    local = start.dt.tz_localize("America/Los_Angeles").dt.tz_convert("UTC")
    assert (calls[S.RECEIVED_AT].to_numpy() == local.to_numpy()).all()
    wall = pd.to_datetime(source["CDTS"].str[:14], format="%Y%m%d%H%M%S")
    offset = source["CDTS"].str[-2:].map({"PS": -8, "PD": -7})
    expect = (wall - pd.to_timedelta(offset, unit="h")).dt.tz_localize("UTC")
    assert (calls[S.CLEARED_AT].to_numpy() == expect.to_numpy()).all()
    assert res.files[0]["repairs"] == {}
    assert res.files[0]["columns_used"]["received_at.date"] == "OFFENSE_DATE"
    assert calls[S.INCIDENT_ID].duplicated().sum() == source["EID"].duplicated().sum() == 3
    assert list(calls[S.OUTCOME_RAW]) == list(source["FINAL_DISPO_CODE"])


def test_san_diego_dispositions_through_lookup(tmp_path):
    path = _excerpt("san_diego_pd")
    source = _pandas(path)
    out = tmp_path / "ds"
    res = ingest([path], out, mapping="san_diego_pd")
    report = res.files[0]
    calls = read_calls(out).sort_values(S.SOURCE_ROW).reset_index(drop=True)
    assert report["lookups"] == {"dispo": "san_diego_pd_dispo_codes.csv"}
    assert report["lookup_unmatched"] == {"dispo": {"DEF": 1}}
    assert report["unmapped_values"] == {"outcome": {"DEF": 1}}
    by_code = dict(zip(source["disposition"], calls[S.OUTCOME_RAW]))
    assert by_code["A"] == "ARREST MADE" and by_code["AB"] == "ARREST MADE, BOARD AND SECURE"
    assert by_code["DEF"] == "DEF"
    assert pd.isna(by_code[""])
    outcome = dict(zip(source["disposition"], calls[S.OUTCOME]))
    assert outcome["A"] == outcome["AB"] == "arrest"
    assert outcome["DEF"] == "other" and outcome[""] == "unknown" and outcome["W"] == "cancelled"
    assert calls[S.DISTRICT].isna().sum() == (source["beat"] == "-1").sum() > 0
    assert calls[S.DISPATCHED_AT].isna().all()  # one timestamp only


def test_virginia_beach_bom_crlf_two_digit_years(tmp_path):
    path = _excerpt("virginia_beach_ems")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and not raw.endswith(b"\n")
    source = _pandas(path)
    out = tmp_path / "ds"
    res = ingest([path], out, mapping="virginia_beach_ems")
    assert res.files[0]["columns_used"]["incident_id"] == "EMSCallNumber"
    calls = read_calls(out).sort_values(S.SOURCE_ROW).reset_index(drop=True)
    # 1/1/17 0:57 EST = 05:57 UTC
    assert calls.loc[0, S.RECEIVED_AT] == pd.Timestamp("2017-01-01 05:57", tz="UTC")
    for col in (S.DISPATCHED_AT, S.ENROUTE_AT, S.ARRIVED_AT, S.CLEARED_AT):
        secs = (calls[col] - calls[S.RECEIVED_AT]).dt.total_seconds().dropna()
        assert (secs % 60 == 0).all()
    assert calls[S.ARRIVED_AT].isna().sum() == (source["OnSceneDateandTime"] == "").sum()
    assert (calls[S.OUTCOME] == "unknown").all()


# --- broken files ----------------------------------------------------------------------------

def _broken(fmt: str, tmp_path: Path):
    out = tmp_path / "ds"
    res = ingest([BROKEN / f"{fmt}_broken.csv"], out, mapping=fmt)
    q = read_quarantine(out).sort_values(S.Q_SOURCE_ROW)
    return res.files[0], q, read_calls(out).sort_values(S.SOURCE_ROW).reset_index(drop=True)


def test_broken_sffd(tmp_path):
    report, q, calls = _broken("sffd", tmp_path)
    assert (report["rows_read"], report["rows_written"], report["rows_quarantined"]) == (8, 4, 4)
    assert report["quarantine_by_reason"] == {
        S.REASON_BAD_TIMESTAMP: 1, S.REASON_RAGGED_ROW: 1, S.REASON_DUPLICATE_ROW: 1, S.REASON_MISSING_VALUE: 1}
    assert list(zip(q[S.Q_SOURCE_ROW], q[S.Q_REASON])) == [
        (2, S.REASON_BAD_TIMESTAMP), (3, S.REASON_RAGGED_ROW), (5, S.REASON_DUPLICATE_ROW), (6, S.REASON_MISSING_VALUE)]
    assert q.iloc[0][S.Q_COLUMN] == "Received DtTm" and q.iloc[0][S.Q_RAW_VALUE] == "12/31/2016 13:61:00 PM"
    assert report["values_nulled"] == {"arrived_at": {"unparseable": 1}}
    assert list(calls[S.SOURCE_ROW]) == [1, 4, 7, 8]


def test_broken_seattle_missing_required_column(tmp_path):
    with pytest.raises(MappingError) as err:
        ingest([BROKEN / "seattle_spd_broken.csv"], tmp_path / "ds", mapping="seattle_spd")
    msg = str(err.value)
    assert "seattle_spd_broken.csv" in msg and "'received_at'" in msg and "Original Time Queued" in msg
    assert "Time Queued" in msg and "Arrived Time" in msg  # the columns the file does have
    assert not (tmp_path / "ds").exists()


def test_broken_san_jose(tmp_path):
    report, q, calls = _broken("san_jose_pd", tmp_path)
    assert (report["rows_read"], report["rows_written"], report["rows_quarantined"]) == (8, 4, 4)
    columns = [None if pd.isna(c) else c for c in q[S.Q_COLUMN]]
    assert list(zip(q[S.Q_SOURCE_ROW], q[S.Q_REASON], columns)) == [
        (4, S.REASON_BAD_TIMESTAMP, "OFFENSE_TIME"), (5, S.REASON_MISSING_TIMESTAMP, "OFFENSE_DATE"),
        (6, S.REASON_REPEATED_HEADER, None), (7, S.REASON_MISSING_ID, "EID")]
    assert report["repairs"] == {"cleared_at": {"zone_suffix_offset_differs_from_timezone": 1}}
    assert report["values_nulled"] == {"cleared_at": {"unparseable": 1}}
    ps = calls[calls[S.SOURCE_ROW] == 2].iloc[0]
    text = (BROKEN / "san_jose_pd_broken.csv").read_text().splitlines()[2].split(",")[0]
    assert text.endswith("PS")
    wall = pd.Timestamp(pd.to_datetime(text[:14], format="%Y%m%d%H%M%S"))
    assert ps[S.CLEARED_AT] == (wall + pd.Timedelta(hours=8)).tz_localize("UTC")  # PS = UTC-8 wins over PDT
    assert pd.isna(calls[calls[S.SOURCE_ROW] == 3].iloc[0][S.CLEARED_AT])


def test_broken_san_diego(tmp_path):
    report, q, calls = _broken("san_diego_pd", tmp_path)
    assert (report["rows_read"], report["rows_written"], report["rows_quarantined"]) == (7, 4, 3)
    assert report["quarantine_by_reason"] == {
        S.REASON_MISSING_ID: 1, S.REASON_RAGGED_ROW: 1, S.REASON_BAD_TIMESTAMP: 1}
    assert list(q[S.Q_SOURCE_ROW]) == [2, 3, 4]
    assert report["lookup_unmatched"] == {"dispo": {"ZZ": 1}}
    assert list(calls[S.SOURCE_ROW]) == [1, 5, 6, 7]
    assert calls.iloc[0][S.OUTCOME] == "other" and list(calls[S.OUTCOME].iloc[2:]) == ["arrest", "arrest"]
    assert calls.iloc[0][S.OUTCOME_RAW] == "ZZ"
    assert pd.isna(calls.iloc[1][S.DISTRICT])


def test_broken_virginia_beach_dst(tmp_path):
    report, q, calls = _broken("virginia_beach_ems", tmp_path)
    assert (report["rows_read"], report["rows_written"], report["rows_quarantined"]) == (6, 4, 2)
    assert report["quarantine_by_reason"] == {S.REASON_BAD_TIMESTAMP: 1, S.REASON_MISSING_ID: 1}
    amb = {"dst_ambiguous_resolved_earlier": 1}
    assert report["repairs"] == {
        "received_at": {"dst_ambiguous_resolved_earlier": 1, "dst_nonexistent_shifted_forward": 1},
        "dispatched_at": amb, "enroute_at": amb, "arrived_at": amb}
    first = calls.iloc[0]
    assert first[S.RECEIVED_AT] == pd.Timestamp("2017-03-12 07:00", tz="UTC")  # 02:30 -> 03:00 EDT
    second = calls.iloc[1]
    assert second[S.RECEIVED_AT] == pd.Timestamp("2017-11-05 05:30", tz="UTC")  # 01:30 EDT, the earlier
    assert second[S.CLEARED_AT] == pd.Timestamp("2017-11-05 07:10", tz="UTC")  # 02:10 EST


# --- schema drift ------------------------------------------------------------------------------

def test_renamed_and_extra_columns_across_months_ingest_into_one_dataset(tmp_path):
    """A later SFFD export renames every column to snake_case, splits Location and adds columns."""
    rows = list(csv.reader(io.StringIO(_excerpt("sffd").read_text(encoding="utf-8-sig"))))
    header, data = rows[0], rows[1:41]
    jan = tmp_path / "sffd_2017-01.csv"
    with open(jan, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header] + data[:20])
    snake = [h.strip().lower().replace("  ", " ").replace(" ", "_").replace("dttm", "timestamp") for h in header]
    snake = [{"received_timestamp": "received_timestamp", "rowid": "row_id"}.get(h, h) for h in snake]
    loc = header.index("Location")
    feb_header = [h for i, h in enumerate(snake) if i != loc] + ["latitude", "longitude", "data_as_of"]
    feb_rows = []
    for r in data[20:]:
        lat, lon = r[loc].strip("()").split(", ")
        feb_rows.append([v for i, v in enumerate(r) if i != loc] + [lat, lon, "2017-02-01"])
    feb = tmp_path / "sffd_2017-02.csv"
    with open(feb, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([list(reversed(feb_header))] + [list(reversed(r)) for r in feb_rows])
    out = tmp_path / "ds"
    res = ingest([jan, feb], out, mapping="sffd")
    assert res.rows_written == 40 and res.rows_quarantined == 0
    used = {f["source_file"]: f["columns_used"] for f in res.files}
    assert used["sffd_2017-01.csv"]["received_at"] == "Received DtTm"
    assert used["sffd_2017-02.csv"]["received_at"] == "received_timestamp"
    assert used["sffd_2017-02.csv"]["latitude"] == "latitude"
    calls = read_calls(out).sort_values([S.SOURCE_FILE, S.SOURCE_ROW])
    assert calls[S.LATITUDE].notna().all() and calls[S.ARRIVED_AT].notna().sum() > 0
    whole = tmp_path / "whole"
    head = tmp_path / "head.csv"
    with open(head, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header] + data)
    ingest([head], whole, mapping="sffd")
    ref = read_calls(whole).sort_values(S.SOURCE_ROW).reset_index(drop=True)
    got = pd.concat([calls[calls[S.SOURCE_FILE] == "sffd_2017-01.csv"],
                     calls[calls[S.SOURCE_FILE] == "sffd_2017-02.csv"]]).reset_index(drop=True)
    same = [c for c in S.COLUMNS if c not in (S.SOURCE_FILE, S.SOURCE_ROW)]
    pd.testing.assert_frame_equal(got[same], ref[same])
