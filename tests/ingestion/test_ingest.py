"""Ingest: reconciliation, quarantine, header styles, encodings, idempotency, atomicity, local time."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from responsestats import ingest, read_calls, read_quarantine, read_reports
from responsestats import schema as S
from responsestats.errors import DatasetLockedError, UserError
from responsestats._memory import arrow_memory_pool as _arrow_memory_pool
from responsestats.store import DatasetTransaction

from conftest import CN_HEADER, PINYIN, cn_row, write_csv
from factories import ARRIVED


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_good_file_values(tmp_path, cn_file):
    out = tmp_path / "ds"
    res = ingest([cn_file], out, mapping="cn110", agency="zz")
    assert (res.rows_read, res.rows_written, res.rows_quarantined) == (6, 6, 0)
    df = read_calls(out).sort_values(S.INCIDENT_ID).reset_index(drop=True)
    assert list(df[S.INCIDENT_ID]) == ["J001", "J002", "J003", "J004", "J005", "J006"]
    # 2024-03-01 10:00:00 Asia/Shanghai (UTC+8) is 02:00 UTC
    assert df.loc[0, S.RECEIVED_AT] == pd.Timestamp("2024-03-01 02:00:00", tz="UTC")
    assert list(df[S.OUTCOME]) == ["arrest", "unfounded", "duplicate", "unknown", "other", "arrest"]
    assert df.loc[4, S.OUTCOME_RAW] == "某种新结果"
    assert pd.isna(df.loc[3, S.OUTCOME_RAW])  # "NULL" is a missing value
    assert list(df[S.SELF_INITIATED]) == [False] * 5 + [True]
    assert df.loc[0, S.CAUGHT_IN_ACT] is True or df.loc[0, S.CAUGHT_IN_ACT] == True  # noqa: E712
    assert list(df[S.AREA_CLASS]) == ["urban", "suburban", "urban", "urban", "urban", "urban"]
    assert df[S.UNIT_ID].isna().all()
    assert df.loc[0, S.LATITUDE] == pytest.approx(24.51)
    assert list(df[S.SOURCE_ROW]) == [1, 2, 3, 4, 5, 6]
    assert set(df[S.SOURCE_FILE]) == {"cn110_good.csv"}
    assert set(df[S.TIMEZONE]) == {"Asia/Shanghai"}
    assert res.files[0]["unmapped_values"] == {"outcome": {"某种新结果": 1}}


def test_partitions_use_local_month(tmp_path, cn_file):
    """J003 is received 2024-03-31 23:50 local = 15:50 UTC: it belongs to March."""
    out = tmp_path / "ds"
    ingest([cn_file], out, mapping="cn110", agency="zz")
    parts = sorted(str(p.relative_to(out).parent) for p in out.rglob("part-*.parquet"))
    assert parts == ["agency=zz/year=2024/month=3", "agency=zz/year=2024/month=4"]
    d = ds.dataset(out, partitioning="hive")
    march = d.to_table(filter=ds.field("month") == 3).column(S.INCIDENT_ID).to_pylist()
    assert sorted(march) == ["J001", "J002", "J003"]


def test_dataset_reads_with_canonical_schema(tmp_path, cn_file):
    out = tmp_path / "ds"
    ingest([cn_file], out, mapping="cn110", agency="zz")
    d = ds.dataset(out, partitioning="hive")
    for field in S.CANONICAL_SCHEMA:
        assert d.schema.field(field.name).type == field.type, field.name
    assert d.schema.field(S.RECEIVED_AT).type == S.TIMESTAMP_TYPE
    assert d.count_rows() == 6
    # the quarantine and reports folders are not read as data
    assert not any("_quarantine" in f or "_reports" in f for f in d.files)


def test_quarantine_reasons_and_reconciliation(tmp_path, cn_rows):
    rows = cn_rows[:2] + [
        cn_row("", "2024-03-02 10:00:00"),                      # 3: no incident id
        cn_row("J009", "2024-02-30 25:61:00"),                   # 4: impossible timestamp
        cn_rows[1],                                              # 5: exact duplicate of row 2
        cn_row("J010", ""),                                      # 6: no received time
        cn_row("J011", "2024-03-05 10:00:00") + ["extra"],      # 7: ragged (one field too many)
        CN_HEADER,                                               # 8: header repeated mid-file
        cn_row("J012", "1899-12-31 10:00:00"),                   # 9: out of range
        cn_row("J013", "2024-03-06 10:00:00", dispatched="soon"),  # 10: kept, dispatch nulled
    ]
    path = write_csv(tmp_path / "defects.csv", CN_HEADER, rows)
    out = tmp_path / "ds"
    res = ingest([path], out, mapping="cn110", agency="zz")
    assert res.rows_read == 10
    assert res.rows_written == 3
    assert res.rows_quarantined == 7
    assert res.reconciled
    assert res.quarantine_by_reason() == {
        S.REASON_BAD_TIMESTAMP: 1, S.REASON_OUT_OF_RANGE_TIMESTAMP: 1, S.REASON_DUPLICATE_ROW: 1,
        S.REASON_MISSING_ID: 1, S.REASON_MISSING_TIMESTAMP: 1, S.REASON_RAGGED_ROW: 1, S.REASON_REPEATED_HEADER: 1,
    }
    q = read_quarantine(out).sort_values(S.Q_SOURCE_ROW)
    assert list(q[S.Q_SOURCE_ROW]) == [3, 4, 5, 6, 7, 8, 9]
    bad_ts = q[q[S.Q_SOURCE_ROW] == 4].iloc[0]
    assert bad_ts[S.Q_COLUMN] == "接警时间" and bad_ts[S.Q_RAW_VALUE] == "2024-02-30 25:61:00"
    kept = read_calls(out)
    assert sorted(kept[S.SOURCE_ROW]) == [1, 2, 10]
    assert kept.set_index(S.INCIDENT_ID).loc["J013", S.DISPATCHED_AT] is pd.NaT
    assert res.files[0]["values_nulled"]["dispatched_at"] == {"unparseable": 1}
    # privacy: quarantine keeps the failing column's value only, never the caller's phone
    assert not q[S.Q_RAW_VALUE].astype(str).str.contains("13812345678").any()


def test_pinyin_headers_gbk_crlf_minute_precision(tmp_path, cn_rows):
    header = [PINYIN[h] for h in CN_HEADER]
    rows = [cn_row("J100", "2024/07/01 08:05", "2024/07/01 08:06", "", "2024/07/01 08:12", "",
                   result="调解处理", grid="龙文-03网格")]
    path = write_csv(tmp_path / "gbk.csv", header, rows, encoding="gbk", newline="\r\n")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    out = tmp_path / "ds"
    res = ingest([path], out, mapping="cn110", agency="zz")
    assert res.files[0]["encoding"] == "gb18030"
    df = read_calls(out)
    assert df.loc[0, S.DISTRICT] == "龙文-03网格"
    assert df.loc[0, S.OUTCOME] == "advised"
    assert df.loc[0, S.ARRIVED_AT] - df.loc[0, S.DISPATCHED_AT] == pd.Timedelta(minutes=6)


def test_utf8_without_bom_and_chinese_headers(tmp_path, cn_rows):
    path = write_csv(tmp_path / "nobom.csv", CN_HEADER, cn_rows[:2], bom=False)
    res = ingest([path], tmp_path / "ds", mapping="cn110", agency="zz")
    assert res.rows_written == 2


def test_personal_fields_never_written(tmp_path, cn_file):
    out = tmp_path / "ds"
    ingest([cn_file], out, mapping="cn110", agency="zz")
    blob = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert "13812345678".encode() not in blob
    assert "张某某".encode() not in blob
    assert "报警电话".encode() not in blob


def test_reingest_is_idempotent(tmp_path, cn_file, cn_rows):
    out = tmp_path / "ds"
    other = write_csv(tmp_path / "other.csv", CN_HEADER, [cn_row("K1", "2024-05-01 10:00:00")])
    ingest([cn_file, other], out, mapping="cn110", agency="zz")
    first = _tree_digest(out)
    ingest([cn_file], out, mapping="cn110", agency="zz")
    ingest([other, cn_file], out, mapping="cn110", agency="zz")
    assert read_calls(out).shape[0] == 7
    second = _tree_digest(out)
    data_files = [k for k in first if k.endswith(".parquet")]
    assert data_files and all(first[k] == second[k] for k in data_files)
    assert sorted(first) == sorted(second)
    assert len(read_reports(out)) == 2


def test_changed_file_replaces_its_rows(tmp_path, cn_rows):
    """A corrected export of the same file name adds its rows; the old content's rows stay keyed by content."""
    out = tmp_path / "ds"
    a = write_csv(tmp_path / "a.csv", CN_HEADER, cn_rows[:2])
    ingest([a], out, mapping="cn110", agency="zz")
    ingest([a], out, mapping="cn110", agency="zz")
    assert read_calls(out).shape[0] == 2


def test_failure_mid_write_leaves_dataset_unchanged(tmp_path, cn_file, cn_rows, monkeypatch):
    out = tmp_path / "ds"
    ingest([cn_file], out, mapping="cn110", agency="zz")
    before = _tree_digest(out)
    new = write_csv(tmp_path / "new.csv", CN_HEADER, [cn_row("N1", "2024-06-01 10:00:00")])

    from responsestats.store import DatasetTransaction as T

    def boom(self, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(T, "write_report", boom)
    with pytest.raises(OSError):
        ingest([new, cn_file], out, mapping="cn110", agency="zz")
    assert _tree_digest(out) == before
    assert not list(tmp_path.glob(".ds.staging-*"))
    monkeypatch.undo()
    ingest([new], out, mapping="cn110", agency="zz")  # the next run succeeds
    assert read_calls(out).shape[0] == 7


def test_interrupt_during_commit_fallback_recovers(tmp_path, cn_file, cn_rows, monkeypatch):
    """Where the atomic exchange is unavailable, a crash between the two renames is recovered."""
    import ctypes.util

    from responsestats.store import _platform

    out = tmp_path / "ds"
    ingest([cn_file], out, mapping="cn110", agency="zz")
    before = _tree_digest(out)
    real_rename = os.rename
    calls = []

    def flaky_rename(a, b):
        calls.append((a, b))
        if len(calls) == 2:  # after moving the old version aside, before the new one lands
            raise KeyboardInterrupt
        return real_rename(a, b)

    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(_platform.os, "rename", flaky_rename)
    new = write_csv(tmp_path / "new.csv", CN_HEADER, [cn_row("N1", "2024-06-01 10:00:00")])
    with pytest.raises(KeyboardInterrupt):
        ingest([new], out, mapping="cn110", agency="zz")
    monkeypatch.setattr(_platform.os, "rename", real_rename)
    assert not out.exists()  # the crash window of the fallback path
    ingest([new], out, mapping="cn110", agency="zz")  # recovery restores, then adds
    after = _tree_digest(out)
    assert all(after[k] == v for k, v in before.items() if k.endswith(".parquet"))
    assert read_calls(out).shape[0] == 7


def test_concurrent_writer_is_refused(tmp_path, cn_file):
    out = tmp_path / "ds"
    with DatasetTransaction(out):
        with pytest.raises(DatasetLockedError, match="another ingest"):
            ingest([cn_file], out, mapping="cn110", agency="zz")


def test_required_column_absent_fails_before_reading(tmp_path, cn_rows):
    header = [h for h in CN_HEADER if h != "接警时间"]
    rows = [r[:3] + r[4:] for r in cn_rows]
    path = write_csv(tmp_path / "nojjsj.csv", header, rows)
    with pytest.raises(UserError) as err:
        ingest([path], tmp_path / "ds", mapping="cn110", agency="zz")
    msg = str(err.value)
    assert "nojjsj.csv" in msg and "received_at" in msg and "接警时间" in msg and "派警时间" in msg
    assert not (tmp_path / "ds").exists()


def test_undecodable_file(tmp_path, cn_rows):
    path = write_csv(tmp_path / "utf16.csv", CN_HEADER, cn_rows[:1], encoding="utf-16")
    from responsestats.formats.mapping import load_mapping
    import dataclasses

    m = dataclasses.replace(load_mapping("cn110"), encodings=("utf-8",))
    with pytest.raises(UserError, match="utf16.csv.*cannot decode"):
        ingest([path], tmp_path / "ds", mapping=m, agency="zz")


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match="empty.csv.*empty"):
        ingest([empty], tmp_path / "ds", mapping="cn110", agency="zz")
    header_only = write_csv(tmp_path / "h.csv", CN_HEADER, [])
    res = ingest([header_only], tmp_path / "ds", mapping="cn110", agency="zz")
    assert (res.rows_read, res.rows_written, res.rows_quarantined) == (0, 0, 0)




def test_local_time_across_dst_changes(tmp_path, minimal_mapping):
    mapping = minimal_mapping("la.toml", name="testla", timezone="America/Los_Angeles", fields=ARRIVED)
    rows = [
        ["A", "2024-03-10 01:59:00", "2024-03-10 03:01:00"],  # spring forward: 2 minutes pass
        ["B", "2024-03-10 02:30:00", ""],                     # non-existent wall time
        ["C", "2024-11-03 01:30:00", "2024-11-03 01:10:00"],  # ambiguous hour
        ["D", "2024-03-31 23:30:00", ""],                     # local March, UTC April
    ]
    path = write_csv(tmp_path / "la.csv", ["id", "received", "arrived"], rows)
    out = tmp_path / "ds"
    res = ingest([path], out, mapping=mapping, agency="la")
    rep = res.files[0]["repairs"]
    assert rep["received_at"] == {"dst_ambiguous_resolved_earlier": 1, "dst_nonexistent_shifted_forward": 1}
    assert rep["arrived_at"] == {"dst_ambiguous_resolved_earlier": 1}
    df = read_calls(out).set_index(S.INCIDENT_ID)
    a = df.loc["A"]
    assert (a[S.ARRIVED_AT] - a[S.RECEIVED_AT]).total_seconds() == 120
    assert df.loc["B", S.RECEIVED_AT] == pd.Timestamp("2024-03-10 10:00:00", tz="UTC")  # 03:00 PDT
    assert df.loc["C", S.RECEIVED_AT] == pd.Timestamp("2024-11-03 08:30:00", tz="UTC")  # 01:30 PDT (earlier)
    assert df.loc["D", S.RECEIVED_AT] == pd.Timestamp("2024-04-01 06:30:00", tz="UTC")
    d = ds.dataset(out, partitioning="hive").to_table().to_pandas().set_index(S.INCIDENT_ID)
    assert d.loc["D", "month"] == 3 and d.loc["A", "month"] == 3 and d.loc["C", "month"] == 11
    from responsestats.localtime import local_time

    local = local_time(read_calls(out), S.RECEIVED_AT)
    assert sorted(local.dt.hour) == [1, 1, 3, 23]


def test_read_calls_filters_by_local_date(tmp_path, cn_file):
    out = tmp_path / "ds"
    ingest([cn_file], out, mapping="cn110", agency="zz")
    got = read_calls(out, start="2024-03-31", end="2024-04-01")
    assert sorted(got[S.INCIDENT_ID]) == ["J003", "J004"]
    assert read_calls(out, agency="other").empty
    with pytest.raises(UserError, match="not a date"):
        read_calls(out, start="31/03/2024")


def test_ragged_row_numbers_do_not_shift_later_rows(tmp_path):
    from responsestats.sources.delimited import _number_rows

    assert list(_number_rows(1, 4, [2, 4])) == [1, 3, 5, 6]
    assert list(_number_rows(7, 2, [2, 4])) == [7, 8]
    assert np.array_equal(_number_rows(1, 0, []), np.empty(0))


def test_ingest_allocates_with_jemalloc_and_gives_the_pool_back(monkeypatch):
    """The ingest's Arrow allocator is jemalloc where pyarrow has it (lower peak memory), unless the user set
    ARROW_DEFAULT_MEMORY_POOL; the process's pool is restored afterwards, also after an error."""
    before = pa.default_memory_pool().backend_name
    try:
        pa.jemalloc_memory_pool()
        has_jemalloc = True
    except NotImplementedError:
        has_jemalloc = False
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    with pytest.raises(RuntimeError), _arrow_memory_pool():
        assert pa.default_memory_pool().backend_name == ("jemalloc" if has_jemalloc else before)
        raise RuntimeError("stop")
    assert pa.default_memory_pool().backend_name == before
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
    with _arrow_memory_pool():
        assert pa.default_memory_pool().backend_name == before


def test_the_report_has_the_keys_of_the_contract_in_order(tmp_path, cn_file):
    """A file's report is exactly :data:`schema.FileReport`: the keys defined once in schema.py, in order."""
    res = ingest([cn_file], tmp_path / "ds", mapping="cn110", agency="zz")
    assert list(res.files[0]) == list(S.REPORT_KEYS)
    assert list(read_reports(tmp_path / "ds")[0]) == list(S.REPORT_KEYS)
    assert set(res.to_dict()) == {S.R_DATASET, S.R_ROWS_READ, S.R_ROWS_WRITTEN, S.R_ROWS_QUARANTINED,
                                  S.R_RECONCILED, S.R_QUARANTINE_BY_REASON, S.R_ROWS_REPLACED,
                                  S.R_REPEATED_INPUTS, S.R_FILES}
