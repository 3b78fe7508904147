"""A re-export replaces, never doubles (issue 18, part 1): the rows of the file ingested last stand, key by key.

The cases the issue found: the same month exported again with other bytes (CRLF), a file appended to after a
first ingest, the same file twice in one command, and two monthly exports that overlap; plus unit-level rows,
the refusal rule, a dataset written before key indexes existed, and a file that changes while it is read.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from conftest import CN_HEADER, cn_row, write_csv
from paths import REAL_SAMPLE
from responsestats import ingest, read_calls, read_reports
from responsestats import schema as S
from responsestats.config import KEYS_SUBDIR, SAMPLE_CN110_DIR
from responsestats.errors import UserError
from responsestats.ingestion import pipeline

MONTH = SAMPLE_CN110_DIR / "zz110_2024-03.csv"


def _rows(path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _reports(out) -> dict[str, dict]:
    return {r[S.R_SOURCE_FILE]: r for r in read_reports(out)}


def test_the_same_month_exported_again_with_crlf_replaces_it(tmp_path):
    out = tmp_path / "ds"
    first = ingest([MONTH], out, mapping="cn110", agency="zz")
    crlf = tmp_path / "zz110_2024-03_again.csv"
    crlf.write_bytes(MONTH.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert crlf.read_bytes() != MONTH.read_bytes()
    again = ingest([crlf], out, mapping="cn110", agency="zz")
    calls = read_calls(out)
    assert len(calls) == first.rows_written == calls[S.INCIDENT_ID].nunique()  # once, not twice (was 1,442)
    assert set(calls[S.SOURCE_FILE]) == {crlf.name}  # the export ingested last stands
    assert again.rows_replaced == first.rows_written
    reports = _reports(out)
    assert reports[crlf.name][S.R_REPLACED_FROM] == {MONTH.name: first.rows_written}
    assert reports[MONTH.name][S.R_ROWS_SUPERSEDED] == first.rows_written
    assert reports[MONTH.name][S.R_SUPERSEDED_BY] == {crlf.name: first.rows_written}
    # every report still reconciles, and the dataset holds what was written less what was superseded
    assert all(r[S.R_ROWS_READ] == r[S.R_ROWS_WRITTEN] + r[S.R_ROWS_QUARANTINED] for r in reports.values())
    assert sum(r[S.R_ROWS_WRITTEN] - r[S.R_ROWS_SUPERSEDED] for r in reports.values()) == len(calls)
    assert "replaced rows of earlier exports" in again.summary_line()


def test_a_file_ingested_part_way_then_whole_holds_each_incident_once(tmp_path):
    out = tmp_path / "ds"
    lines = _rows(MONTH)
    partial = tmp_path / "export.csv"
    partial.write_bytes(b"".join(lines[:300]))  # the export as it was when first ingested
    ingest([partial], out, mapping="cn110", agency="zz")
    whole = tmp_path / "export_final.csv"
    whole.write_bytes(b"".join(lines))
    res = ingest([whole], out, mapping="cn110", agency="zz")
    expected = read_calls(ingest([MONTH], tmp_path / "ref", mapping="cn110", agency="zz").dataset)
    calls = read_calls(out)
    assert len(calls) == len(expected) == res.rows_written
    assert sorted(calls[S.INCIDENT_ID]) == sorted(expected[S.INCIDENT_ID])
    assert 0 < res.rows_replaced < res.rows_written


def test_the_same_file_twice_and_a_copy_in_one_command_are_read_once(tmp_path):
    out = tmp_path / "ds"
    copy = tmp_path / "copy.csv"
    shutil.copy(MONTH, copy)
    res = ingest([MONTH, MONTH, copy], out, mapping="cn110", agency="zz")
    calls = read_calls(out)
    assert len(res.files) == 1 and res.repeated == [str(MONTH), str(copy)]
    assert res.rows_written == len(calls) == calls[S.INCIDENT_ID].nunique()  # was 2,109 reported for 703
    assert "2 repeated input(s) skipped" in res.summary_line()


def test_two_overlapping_monthly_exports_hold_the_overlap_once_from_the_later(tmp_path):
    day = [f"2024-03-{d:02d} 10:00:00" for d in range(1, 31)]
    a = write_csv(tmp_path / "a.csv", CN_HEADER, [cn_row(f"J{d}", day[d - 1], ctype="盗窃") for d in range(1, 21)])
    b = write_csv(tmp_path / "b.csv", CN_HEADER, [cn_row(f"J{d}", day[d - 1], ctype="诈骗") for d in range(15, 31)])
    out = tmp_path / "ds"
    ingest([a], out, mapping="cn110", agency="zz")
    res = ingest([b], out, mapping="cn110", agency="zz")
    calls = read_calls(out).set_index(S.INCIDENT_ID)
    assert len(calls) == 30 and calls.index.is_unique
    assert res.rows_replaced == 6  # J15 .. J20
    overlap = [f"J{d}" for d in range(15, 21)]
    assert set(calls.loc[overlap, S.SOURCE_FILE]) == {"b.csv"} and set(calls.loc[overlap, S.CALL_TYPE]) == {"诈骗"}
    assert set(calls.loc[[f"J{d}" for d in range(1, 15)], S.SOURCE_FILE]) == {"a.csv"}
    assert _reports(out)["a.csv"][S.R_ROWS_SUPERSEDED] == 6


def test_an_overlap_in_one_run_is_settled_in_input_order(tmp_path):
    a = write_csv(tmp_path / "a.csv", CN_HEADER, [cn_row("K1", "2024-03-01 10:00:00"), cn_row("K2", "2024-03-02 10:00:00")])
    b = write_csv(tmp_path / "b.csv", CN_HEADER, [cn_row("K2", "2024-03-02 10:00:00", ctype="诈骗")])
    res = ingest([a, b], tmp_path / "ds", mapping="cn110", agency="zz")
    calls = read_calls(tmp_path / "ds").set_index(S.INCIDENT_ID)
    assert len(calls) == 2 and calls.loc["K2", S.SOURCE_FILE] == "b.csv"
    first = next(f for f in res.files if f[S.R_SOURCE_FILE] == "a.csv")
    assert first[S.R_ROWS_SUPERSEDED] == 1 and res.rows_replaced == 1  # the run's report says it too


def test_units_of_a_re_exported_unit_level_file_are_not_doubled(tmp_path):
    sffd = REAL_SAMPLE / "sffd" / "Fire_Department_Calls_for_Service.csv"
    out = tmp_path / "ds"
    first = ingest([sffd], out, mapping="sffd", agency="sffd")
    again = tmp_path / "sffd_again.csv"
    again.write_bytes(sffd.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    ingest([again], out, mapping="sffd", agency="sffd")
    calls = read_calls(out)
    assert len(calls) == first.rows_written
    assert not calls.duplicated([S.INCIDENT_ID, S.UNIT_ID]).any() or calls.duplicated([S.INCIDENT_ID, S.UNIT_ID]).sum() \
        == read_calls(first.dataset).duplicated([S.INCIDENT_ID, S.UNIT_ID]).sum()  # fmt: skip
    assert calls[S.UNIT_ID].notna().all() and set(calls[S.SOURCE_FILE]) == {again.name}


def test_refuse_leaves_the_dataset_as_it_was_and_counts_the_overlap(tmp_path):
    out = tmp_path / "ds"
    a = write_csv(tmp_path / "a.csv", CN_HEADER, [cn_row(f"R{i}", f"2024-03-0{i} 10:00:00") for i in range(1, 6)])
    b = write_csv(tmp_path / "b.csv", CN_HEADER, [cn_row(f"R{i}", f"2024-03-0{i} 11:00:00") for i in range(4, 8)])
    ingest([a], out, mapping="cn110", agency="zz")
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    with pytest.raises(UserError, match=r"b\.csv: 2 of its incident keys are already in the dataset, written by "
                                        r"a\.csv \(2 rows\); nothing was written"):
        ingest([b], out, mapping="cn110", agency="zz", on_overlap="refuse")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == before
    with pytest.raises(UserError, match="on_overlap"):
        ingest([b], out, mapping="cn110", agency="zz", on_overlap="merge")


def test_other_agencies_and_files_without_overlap_are_untouched(tmp_path):
    a = write_csv(tmp_path / "a.csv", CN_HEADER, [cn_row("S1", "2024-03-01 10:00:00")])
    out = tmp_path / "ds"
    ingest([a], out, mapping="cn110", agency="one")
    part = next(out.glob("agency=one/*/*/part-*.parquet"))
    inode = part.stat().st_ino
    b = write_csv(tmp_path / "b.csv", CN_HEADER, [cn_row("S1", "2024-03-01 10:05:00")])
    ingest([b], out, mapping="cn110", agency="two")  # the same id at another agency is another incident
    c = write_csv(tmp_path / "c.csv", CN_HEADER, [cn_row("S9", "2024-03-09 10:00:00")])
    res = ingest([c], out, mapping="cn110", agency="one")
    assert res.rows_replaced == 0 and len(read_calls(out)) == 3
    assert part.stat().st_ino == inode  # hard-linked into each new version, never rewritten


def test_a_dataset_without_key_indexes_gets_them_and_still_replaces(tmp_path):
    """Datasets written before key indexes existed: the first ingest that needs them builds them from the rows."""
    out = tmp_path / "ds"
    ingest([MONTH], out, mapping="cn110", agency="zz")
    shutil.rmtree(out / KEYS_SUBDIR)
    crlf = tmp_path / "again.csv"
    crlf.write_bytes(MONTH.read_bytes().replace(b"\n", b"\r\n"))
    res = ingest([crlf], out, mapping="cn110", agency="zz")
    assert res.rows_replaced == res.rows_written == len(read_calls(out))
    assert list((out / KEYS_SUBDIR).rglob("*.parquet"))


def test_a_file_that_changes_while_it_is_read_is_refused(tmp_path, monkeypatch):
    out = tmp_path / "ds"
    stamps = iter([(1, 1), (2, 2)])
    monkeypatch.setattr(pipeline, "_stamp", lambda path: next(stamps))
    with pytest.raises(UserError, match="changed while it was read"):
        ingest([MONTH], out, mapping="cn110", agency="zz")
    assert not out.exists()


def test_a_partition_emptied_by_a_re_export_disappears(tmp_path):
    """A re-export that moves an incident to another month (a corrected call time) leaves no empty file behind."""
    out = tmp_path / "ds"
    ingest([write_csv(tmp_path / "a.csv", CN_HEADER, [cn_row("M1", "2024-03-31 23:50:00")])], out, mapping="cn110",
           agency="zz")  # fmt: skip
    ingest([write_csv(tmp_path / "b.csv", CN_HEADER, [cn_row("M1", "2024-04-01 00:10:00")])], out, mapping="cn110",
           agency="zz")  # fmt: skip
    calls = read_calls(out)
    assert len(calls) == 1 and calls[S.RECEIVED_AT].iloc[0] == pd.Timestamp("2024-03-31 16:10", tz="UTC")
    assert [p.parent.name for p in out.glob("agency=zz/*/*/part-*.parquet")] == ["month=4"]


def test_the_command_line_takes_on_overlap(tmp_path, capsys):
    from responsestats.cli import main

    a = write_csv(tmp_path / "a.csv", CN_HEADER, [cn_row("C1", "2024-03-01 10:00:00")])
    b = write_csv(tmp_path / "b.csv", CN_HEADER, [cn_row("C1", "2024-03-01 10:00:00", ctype="诈骗")])
    out = str(tmp_path / "ds")
    assert main(["ingest", str(a), "--format", "cn110", "--agency", "zz", "--out", out]) == 0
    assert main(["ingest", str(b), "--format", "cn110", "--agency", "zz", "--out", out, "--on-overlap", "refuse"]) == 2
    assert "already in the dataset" in capsys.readouterr().err
    assert main(["ingest", str(b), "--format", "cn110", "--agency", "zz", "--out", out]) == 0
    assert "1 of the rows written replaced rows of earlier exports" in capsys.readouterr().out
    assert len(read_calls(out)) == 1
