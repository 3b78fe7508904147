"""The summary read one partition at a time (metrics.streaming) is the in-memory summary, table for table.

Including the incidents whose unit rows sit in two partitions: rows received in two local months, and one
incident id in two input files that landed in different months.
"""

from __future__ import annotations

import contextlib
import io

import pandas as pd
import pyarrow as pa
import pytest

import responsestats.cli.metrics as cli_metrics
from responsestats.sources import csvchunks
from responsestats import ingest
from responsestats import schema as S
from responsestats.cli import main
from responsestats.metrics import summarize, summarize_dataset
from responsestats.metrics import streaming
from responsestats.store import call_partitions, read_calls

from conftest import write_csv
from factories import ARRIVED, write_mapping

CASES = [
    dict(intervals=["response_s", "travel_s"]),
    dict(intervals=None, by="month,district,priority", target_s=300.0),
    dict(intervals=["response_s", "call_processing_s"], by="priority", level="unit", percentiles=[75]),
    dict(intervals=None, by="district", standard="cn110", min_n=5),
    dict(intervals="response_s", by="weekday,hour", level="unit", standard="cn110", cap=None),
    dict(intervals=["response_s"], by="month", where="priority <= 2 and not self_initiated"),
]


@pytest.mark.parametrize("kwargs", CASES, ids=range(len(CASES)))
def test_equals_the_in_memory_summary_on_the_sample(sample_dataset, kwargs):
    expected = summarize(read_calls(sample_dataset), **kwargs)
    got = summarize_dataset(sample_dataset, **kwargs, merge_every=2)  # several merges on the sample's months
    pd.testing.assert_frame_equal(got, expected)


def test_dates_and_agency_select_as_read_calls_does(sample_dataset):
    kw = dict(intervals="response_s", by="date")
    expected = summarize(read_calls(sample_dataset, agency="zz110", start="2024-03-15", end="2024-05-10"), **kw)
    got = summarize_dataset(sample_dataset, **kw, agency="zz110", start="2024-03-15", end="2024-05-10")
    pd.testing.assert_frame_equal(got, expected)
    none = summarize_dataset(sample_dataset, "response_s", by="district", agency="nobody")
    pd.testing.assert_frame_equal(none, summarize(read_calls(sample_dataset, agency="nobody"), "response_s",
                                                  by="district"))
    ungrouped = summarize_dataset(sample_dataset, "response_s", agency="nobody")
    assert ungrouped["n"].tolist() == [0]


def test_ids_set_aside_by_mistake_change_nothing(sample_dataset, monkeypatch):
    """A Bloom-filter false positive moves whole incidents to the set-aside frame: the table is the same."""
    parts = call_partitions(sample_dataset)
    some = read_calls(sample_dataset, columns=[S.INCIDENT_ID])[S.INCIDENT_ID].iloc[::3]
    last = 10**9  # a piece past the last one: held to the end, so no month of theirs is finished early
    monkeypatch.setattr(streaming, "split_incident_ids",
                        lambda p, rows: {"zz110": streaming.SplitIds.of("zz110", dict.fromkeys(some, last))})
    kw = dict(intervals=None, by="month,priority", standard="cn110")
    pd.testing.assert_frame_equal(summarize_dataset(parts, **kw), summarize(read_calls(sample_dataset), **kw))


# --- incidents whose rows lie in two partitions ---------------------------------------------------------------
UNIT = '[fields.unit_id]\nsource = "unit"\n'
HEADER = ["id", "unit", "received", "arrived"]


def _mapping(tmp_path, level: str = "unit"):
    """A source of unit rows (``level = "unit"``), or of incidents (a later file may repeat an incident id)."""
    return write_mapping(tmp_path / f"{level}.toml", name="units", timezone="Asia/Shanghai",
                         format_extra=f'level = "{level}"\n', fields=UNIT + ARRIVED)


def _background(month: str, n: int = 4) -> list[list[str]]:
    """Incidents wholly inside one month (local time)."""
    return [[f"B{month}-{i}", "E1", f"{month}-1{i} 10:00:00", f"{month}-1{i} 10:0{i + 3}:00"] for i in range(n)]


def _check(dataset, split_id: str, response_s: float):
    parts = call_partitions(dataset)
    assert len(parts) >= 2
    assert split_id in streaming.split_incident_ids(parts)["units"]
    for kw in (dict(intervals="response_s"), dict(intervals="response_s", by="month", target_s=300.0),
               dict(intervals="response_s", level="unit"), dict(intervals="response_s", by="unit_id")):
        pd.testing.assert_frame_equal(summarize_dataset(dataset, **kw, merge_every=1),
                                      summarize(read_calls(dataset), **kw))  # fmt: skip
    # the incident was summarised whole: first received to first arrival over both partitions' rows
    one = summarize_dataset(dataset, "response_s", where=f"incident_id = '{split_id}'", cap=None)
    assert one["n"].tolist() == [1] and one["median_s"].tolist() == [response_s]


def test_an_incident_across_a_month_boundary(tmp_path):
    rows = _background("2024-01") + _background("2024-02") + [
        ["X1", "E1", "2024-01-31 23:58:00", "2024-02-01 00:06:00"],  # January's partition: 8 min alone
        ["X1", "E2", "2024-02-01 00:01:00", "2024-02-01 00:03:00"],  # February's: 2 min alone
    ]
    csv = write_csv(tmp_path / "calls.csv", HEADER, rows)
    dataset = tmp_path / "ds"
    ingest([csv], dataset, mapping=_mapping(tmp_path), agency="units")
    months = read_calls(dataset, columns=[S.INCIDENT_ID, S.YEAR, S.MONTH])
    assert sorted(months.loc[months[S.INCIDENT_ID] == "X1", S.MONTH].tolist()) == [1, 2]
    _check(dataset, "X1", 300.0)  # 23:58 -> 00:03


def test_one_incident_in_two_files_landing_in_different_months(tmp_path):
    first = write_csv(tmp_path / "march.csv", HEADER, _background("2024-03") + [
        ["Y7", "E1", "2024-03-20 08:00:00", "2024-03-20 08:09:00"]])
    second = write_csv(tmp_path / "may.csv", HEADER, _background("2024-05") + [
        ["Y7", "E2", "2024-05-02 10:00:00", "2024-05-02 10:04:00"]])  # a late unit row, filed weeks later
    dataset = tmp_path / "ds"
    ingest([first, second], dataset, mapping=_mapping(tmp_path, "incident"), agency="units")
    months = read_calls(dataset, columns=[S.INCIDENT_ID, S.MONTH])
    assert sorted(months.loc[months[S.INCIDENT_ID] == "Y7", S.MONTH].tolist()) == [3, 5]
    # the incident: received 03-20 08:00, first unit on scene 08:09 (the May row's arrival is later)
    _check(dataset, "Y7", 540.0)


# --- the command ----------------------------------------------------------------------------------------------
COMMANDS = [
    ["--interval", "response_s,travel_s", "--by", "month,district", "--format", "csv"],
    ["--interval", "response_s", "--standard", "cn110", "--where", "priority <= 2", "--format", "json"],
    ["--interval", "response_s", "--by", "weekday", "--from", "2024-03-15", "--to", "2024-05-10", "--level", "unit",
     "--unit", "min", "--format", "csv"],
    ["--interval", "response_s", "--target", "5min", "--percentile", "75", "--agency", "zz110", "--format", "json"],
    ["--interval", "response_s", "--where", "nosuchcol = 1"],
]


def _run(argv: list[str], streaming_on: bool, monkeypatch) -> tuple[object, str, str]:
    monkeypatch.setattr(cli_metrics, "STREAMING", streaming_on)
    monkeypatch.setattr(cli_metrics, "STREAM_ABOVE_ROWS", 0)  # the sample is small: stream it all the same
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as exc:
            rc = exc.code
    return rc, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("options", COMMANDS, ids=range(len(COMMANDS)))
def test_the_command_writes_what_the_in_memory_path_wrote(sample_dataset, options, monkeypatch):
    argv = ["metrics", str(sample_dataset), *options]
    assert _run(argv, True, monkeypatch) == _run(argv, False, monkeypatch)


# --- groups finished month by month -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_agencies(tmp_path_factory):
    """The sample twice, as two agencies (read month by month, agencies within each month)."""
    from responsestats.config import SAMPLE_CN110_DIR
    from responsestats.formats.mapping import load_mapping

    out = tmp_path_factory.mktemp("two") / "ds"
    files = sorted(SAMPLE_CN110_DIR.glob("*.csv"))
    for agency in ("zz110", "zz111"):
        ingest(files, out, mapping=load_mapping("cn110"), agency=agency)
    return out


@pytest.mark.parametrize("by", ["month,district", "week", "date,priority", "year", "agency,month", "weekday,hour"])
def test_groups_finished_early_give_the_same_table(two_agencies, by, monkeypatch):
    finished: list[pd.DataFrame] = []
    real = streaming.cell_statistics
    monkeypatch.setattr(streaming, "cell_statistics", lambda parts, spec: (finished.append(parts.keys),
                                                                           real(parts, spec))[1])
    kw = dict(intervals=["response_s", "call_processing_s"], by=by, target_s=300.0, percentiles=[75])
    expected = summarize(read_calls(two_agencies), **kw)
    got = summarize_dataset(two_agencies, **kw, merge_every=1)
    pd.testing.assert_frame_equal(got, expected)
    if "month" in by:  # one month's groups at a time: what is held is one month's counts, not the query's
        months = read_calls(two_agencies, columns=[S.YEAR, S.MONTH]).drop_duplicates()
        assert len(finished) == len(months)
        assert all(keys["month"].nunique() == 1 for keys in finished)
    elif by == "weekday,hour":  # no key ends by a month: everything is finished at the end
        assert len(finished) == 0  # (the table is laid out by finish_summary)


def test_a_row_of_a_finished_month_in_a_later_partition_is_an_error(sample_dataset):
    """A dataset whose partitions disagree with the rows' own months cannot be streamed: it fails, not lies."""

    class Misfiled(streaming.CallPartitions):
        def read(self, key, columns):
            frame = super().read(key, columns)
            if key is not None and getattr(key, "key", key) == streaming.month_order(self.keys)[-1]:  # a piece
                january = super().read(streaming.month_order(self.keys)[0], columns).head(1).copy()
                january[S.INCIDENT_ID] = "misfiled"
                frame = pd.concat([frame, january], ignore_index=True)
            return frame

    with pytest.raises(AssertionError, match="already summarised"):
        summarize_dataset(Misfiled(sample_dataset), "response_s", by="month")


def test_the_first_pass_filter_never_misses_an_id_seen_before():
    import numpy as np

    rng = np.random.default_rng(17)
    bloom = streaming._bloom(200_000)  # 32 bits a row
    added = rng.integers(0, 2**63, 200_000, dtype=np.int64).astype(np.uint64) * np.uint64(2) + np.uint64(1)
    bloom.add(added[:100_000])
    bloom.add(added[100_000:])
    assert bloom.contains(added).all()  # no false negatives, including hashes that share a word
    others = rng.integers(0, 2**63, 200_000, dtype=np.int64).astype(np.uint64) * np.uint64(2)  # even: never added
    assert bloom.contains(others).mean() < 0.001  # 2^23 bits, 42 per hash: about 1 in 7,000 found by mistake


def test_split_ids_know_the_last_partition_of_each_incident():
    split = streaming.SplitIds.of("a", {"X1": 3, "Y7": 5})
    assert "X1" in split and "Z" not in split and len(split) == 2
    assert split.last_positions(pa.array(["Y7", "Q", "X1", None], pa.string())).tolist() == [5, -1, 3, -1]


def test_a_month_read_in_pieces_of_row_groups(tmp_path, monkeypatch):
    """A partition larger than piece_rows is read a few row groups at a time; incidents across a piece's edge
    are held until their last piece, and the table is the in-memory one."""
    rows = []
    for i in range(12):  # two unit rows per incident; blocks of a few rows put some incidents across an edge
        minute = f"{10 + i:02d}"
        rows += [[f"P{i}", "E1", f"2024-03-0{1 + i % 9} 08:{minute}:00", f"2024-03-0{1 + i % 9} 08:{minute}:30"],
                 [f"P{i}", "E2", f"2024-03-0{1 + i % 9} 08:{minute}:10", f"2024-03-0{1 + i % 9} 08:{minute}:20"]]
    rows += _background("2024-04")
    csv = write_csv(tmp_path / "calls.csv", HEADER, rows)
    dataset = tmp_path / "ds"
    monkeypatch.setattr(csvchunks, "CHUNK_BYTES", 150)  # a few records per block, so a row group each
    ingest([csv], dataset, mapping=_mapping(tmp_path), agency="units")
    parts = call_partitions(dataset)
    pieces = parts.pieces(parts.keys[0], 3)
    groups = [len(parts.incident_ids(p)) for p in pieces]
    assert len(pieces) >= 6 and sum(groups) == 24  # (a row group of 4 rows is a piece alone)
    split = streaming.split_incident_ids(parts, piece_rows=3)["units"]
    across = [f"P{i}" for i in range(12) if f"P{i}" in split]
    assert across  # some incidents have their two unit rows in two pieces
    for kw in (dict(intervals="response_s", by="month"), dict(intervals=["response_s", "travel_s"]),
               dict(intervals="response_s", by="date", level="unit")):
        pd.testing.assert_frame_equal(summarize_dataset(dataset, **kw, piece_rows=3, merge_every=2),
                                      summarize(read_calls(dataset), **kw))
    one = summarize_dataset(dataset, "response_s", where=f"incident_id = '{across[0]}'", cap=None, piece_rows=3)
    assert one["n"].tolist() == [1] and one["median_s"].tolist() == [20.0]  # E2 on scene 20 s after the call
