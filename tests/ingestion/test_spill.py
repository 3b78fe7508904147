"""Bounded memory whatever a file's size (issue 17, part 2): the sets an ingest keeps per row spill to disk.

:class:`~responsestats.ingestion.fingerprints.SeenHashes` (duplicate records, incident ids) and
:class:`~responsestats.ingestion.reexports.FileKeys` (the keys of a file's rows) keep at most a budget of
hashes in memory and the rest in sorted runs on disk. Here they are checked against plain sets with a tiny
budget (so that they spill all the time), and an ingest that spills against one that does not: the same
dataset and the same report, byte for byte; and the spill folder goes on success, on error and on Ctrl-C.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from conftest import CN_HEADER, cn_row, write_csv
from responsestats import ingest, read_quarantine, read_reports
from responsestats import schema as S
from responsestats.errors import UserError
from responsestats.ingestion import fingerprints, normalize, pipeline, spill
from responsestats.ingestion.fingerprints import SeenHashes, key_hashes
from responsestats.ingestion.reexports import FileKeys
from responsestats.ingestion.spill import PAGE_VALUES, SortedRun, SpillSpace, merged_stream
from responsestats.sources import csvchunks


def _hashes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*"))


# -- sorted runs on disk ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, PAGE_VALUES - 1, PAGE_VALUES, 3 * PAGE_VALUES + 17, 20_000])
def test_a_run_on_disk_answers_as_a_sorted_array_does(tmp_path, n):
    rng = np.random.default_rng(n)
    values = np.unique(_hashes(rng, n))
    with SpillSpace(tmp_path) as space:
        run = SortedRun.write(space, [values])
        assert run.n == values.size and run.last == values[-1]
        assert np.array_equal(run.index, values[::PAGE_VALUES])  # the sparse index: a page's first value
        assert np.array_equal(np.concatenate(list(run.chunks(1000))), values)
        queries = np.sort(np.concatenate([
            values[rng.integers(0, values.size, 300)],  # present, some twice
            _hashes(rng, 300),  # absent (with near certainty)
            np.array([0, values[0] - 1 if values[0] else 0, values[-1] + 1, 2**64 - 1], np.uint64),  # outside
            values[::PAGE_VALUES], values[PAGE_VALUES - 1::PAGE_VALUES],  # first and last of every page
        ]))
        assert np.array_equal(run.contains_sorted(queries), np.isin(queries, values))
        assert not run.contains_sorted(np.zeros(0, np.uint64)).size
        run.close()
        assert not run.path.exists()


def test_a_lookup_reads_in_bounded_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(spill, "_LOOKUP_PAGES", 3)  # many batches, stretches of pages cut between them
    rng = np.random.default_rng(1)
    values = np.unique(_hashes(rng, 50 * PAGE_VALUES))
    queries = np.sort(np.concatenate([values[rng.integers(0, values.size, 2000)], _hashes(rng, 2000)]))
    with SpillSpace(tmp_path) as space:
        run = SortedRun.write(space, [values])
        assert np.array_equal(run.contains_sorted(queries), np.isin(queries, values))
        run.close()


def test_runs_merge_as_streams_into_one_of_their_distinct_values(tmp_path, monkeypatch):
    monkeypatch.setattr(spill, "_CHUNK_VALUES", 700)  # many chunks per run
    rng = np.random.default_rng(2)
    common = _hashes(rng, 500)
    parts = [np.unique(np.concatenate([_hashes(rng, size), common])) for size in (4000, 1, 2500)]
    with SpillSpace(tmp_path) as space:
        runs = [SortedRun.write(space, [p]) for p in parts]
        merged = SortedRun.merge(runs, space)
        expected = np.unique(np.concatenate(parts))
        assert merged.n == expected.size
        assert np.array_equal(np.concatenate(list(merged.chunks())), expected)
        assert np.array_equal(merged.index, expected[::PAGE_VALUES])
        for run in [*runs, merged]:
            run.close()


def test_merged_stream_drops_a_value_a_stream_repeats_across_its_chunks(tmp_path):
    a = [np.array([1, 3, 5], np.uint64), np.array([5, 5, 9], np.uint64)]  # 5 ends one chunk and starts the next
    b = [np.array([2, 5], np.uint64), np.array([7, 11], np.uint64)]
    pieces = list(merged_stream([iter(a), iter(b)]))
    assert all(np.all(np.diff(p.astype(np.int64)) > 0) for p in pieces)
    with SpillSpace(tmp_path) as space:
        run = SortedRun.write(space, [np.array([1, 3, 5, 5, 5, 9], np.uint64), np.array([2, 5, 7, 11], np.uint64)])
        assert np.concatenate(list(run.chunks())).tolist() == [1, 2, 3, 5, 7, 9, 11]
        run.close()


# -- SeenHashes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", [1000, 4321, None])
def test_seen_hashes_with_a_tiny_budget_answer_as_a_set(tmp_path, budget):
    """Duplicates within a block, of the block before, of a run spilled long ago; presorted and empty adds."""
    rng = np.random.default_rng(budget or 0)
    with SpillSpace(tmp_path) as space, SeenHashes(space, budget=budget) as seen:
        reference: set[int] = set()
        first = None
        for k in range(60):
            block = _hashes(rng, int(rng.integers(0, 600)))
            if first is not None and block.size >= 50:
                known = np.fromiter(reference, np.uint64, len(reference))
                block[:20] = known[rng.integers(0, known.size, 20)]  # met in any earlier block
                block[20:30] = first[:10]  # met in the first block: spilled and merged long ago
                block[30:40] = block[40:50]  # twice in the block
            got = seen.contains(block)
            assert np.array_equal(got, np.isin(block, np.fromiter(reference, np.uint64, len(reference))))
            if k % 3:
                seen.add(block)
            else:
                seen.add(np.sort(block), presorted=True)
            reference.update(block.tolist())
            first = block if first is None and block.size >= 50 else first
        if budget is None:
            assert seen.spilled_runs == 0 and space.folder is None  # under the budget nothing touches the disk
        else:
            assert seen.spilled_runs >= 1 and space.folder is not None
            assert seen.spilled_runs <= int(np.log2(len(reference) / budget)) + 2  # merged like a binary counter
            assert len(seen) >= len(reference)  # distinct on disk, as added in memory
        assert not seen.contains(np.zeros(0, np.uint64)).size
    assert space.folder is None and not list(tmp_path.iterdir())


def test_seen_hashes_spill_to_a_folder_of_their_own_and_remove_it(monkeypatch):
    monkeypatch.setattr(spill, "MEMORY_BUDGET", 100)  # read when the set is made
    rng = np.random.default_rng(3)
    seen = SeenHashes()
    blocks = [_hashes(rng, 150) for _ in range(5)]
    for block in blocks:
        seen.add(block)
    folder = seen._space.folder
    assert folder is not None and folder.is_dir() and seen.spilled_runs >= 1
    assert seen.contains(np.concatenate(blocks)).all()
    seen.close()
    assert not folder.exists() and len(seen) == 0
    assert not SeenHashes().contains(blocks[0]).any()  # an empty set finds nothing


def test_a_spill_builds_the_larger_filter_from_everything_held(tmp_path):
    rng = np.random.default_rng(4)
    with SpillSpace(tmp_path) as space, SeenHashes(space, budget=5000) as seen:
        assert len(seen._filter.words) == fingerprints._FILTER_WORDS
        added = _hashes(rng, 4000)
        seen.add(added)
        seen.add(_hashes(rng, 2000))
        assert len(seen._filter.words) == fingerprints._DISK_FILTER_WORDS and seen.spilled_runs == 1
        assert seen.contains(added).all() and seen._filter.passes(added).size == added.size  # no false negative


# -- FileKeys --------------------------------------------------------------------------------------------------


def _key_blocks(rng: np.random.Generator, blocks: int = 25) -> list[tuple[pa.Table, np.ndarray, np.ndarray]]:
    """Blocks of canonical-like rows (incident and unit ids) over a few months; ids repeat across blocks."""
    out = []
    for _ in range(blocks):
        n = int(rng.integers(0, 400))
        ids = pa.array([f"I{v}" for v in rng.integers(0, 6000, n)])
        units = pa.array([None if v == 0 else f"U{v}" for v in rng.integers(0, 3, n)], pa.string())
        table = pa.table({S.INCIDENT_ID: ids, S.UNIT_ID: units})
        year = np.full(n, 2024)
        month = rng.integers(1, 5, n)
        out.append((table, year, month))
    return out


def test_file_keys_with_a_tiny_budget_give_the_same_partitions(tmp_path):
    blocks = _key_blocks(np.random.default_rng(5))
    with SpillSpace(tmp_path) as space, FileKeys(space, budget=300) as small, FileKeys() as plain:
        for table, year, month in blocks:
            small.add(table, year, month)
            plain.add(table, year, month)
        assert small.spilled and not plain.spilled
        got, expected = list(small.by_partition()), list(plain.by_partition())
        assert [ym for ym, _ in got] == [ym for ym, _ in expected] == [(2024, m) for m in range(1, 5)]
        for (_, a), (_, b) in zip(got, expected):
            assert a.dtype == np.uint64 and np.array_equal(a, b) and np.all(a[1:] > a[:-1])
        assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(small.by_partition(), got))  # read again
        every = np.concatenate([key_hashes(t.column(S.INCIDENT_ID), t.column(S.UNIT_ID)) for t, _, _ in blocks])
        with small.members() as members:
            assert members.contains(every).all()
            assert not members.contains(np.array([1, 2, 3], np.uint64)).any()
    assert not list(tmp_path.iterdir())


def test_file_keys_of_an_empty_file():
    with FileKeys(budget=10) as keys:
        keys.add(pa.table({S.INCIDENT_ID: pa.array([], pa.string()), S.UNIT_ID: pa.array([], pa.string())}),
                 np.zeros(0, int), np.zeros(0, int))
        assert list(keys.by_partition()) == [] and not keys.spilled
        with keys.members() as members:
            assert len(members) == 0


# -- an ingest that spills -------------------------------------------------------------------------------------


def _planted_rows(n: int = 2400) -> list[list[str]]:
    """Incidents over three months, with exact duplicate records and re-used incident ids planted far apart."""
    rows = []
    for i in range(n):
        month, day = 1 + i * 3 // n, 1 + i % 28
        received = f"2024-0{month}-{day:02d} {i % 24:02d}:{i % 60:02d}:{(7 * i) % 60:02d}"
        rows.append(cn_row(f"T{i:05d}", received, grid=f"芗城-{i % 7:02d}网格", lon=f"117.{i:04d}"))
    rows[n - 5] = list(rows[3])  # an exact duplicate of an early record, near the end
    rows[n - 40] = list(rows[n // 2])  # and of one in the middle
    rows[n - 3] = cn_row("T00010", "2024-03-20 08:00:00")  # an early incident id, re-used by another call
    rows[n - 60] = cn_row(f"T{n // 3:05d}", "2024-03-21 09:00:00")
    rows.insert(n // 2, cn_row("T00005", "2024-02-10 10:00:00"))  # and in the middle (later rows: one further)
    return rows


#: The rows :func:`_planted_rows` plants (source row: the 1-based data row) and why each is quarantined.
PLANTED = {2397: S.REASON_DUPLICATE_ROW, 2362: S.REASON_DUPLICATE_ROW, 2399: S.REASON_DUPLICATE_ID,
           2342: S.REASON_DUPLICATE_ID, 1201: S.REASON_DUPLICATE_ID}


def _digest(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if p.suffix == ".json":  # the report: all but the time it was written
            report = json.loads(data)
            report.pop(S.R_INGESTED_AT)
            data = json.dumps(report, sort_keys=True).encode()
        out[p.relative_to(root).as_posix()] = hashlib.sha256(data).hexdigest()
    return out


def _ingest_both(tmp_path, monkeypatch, inputs, **kwargs) -> tuple[Path, Path]:
    """Ingest ``inputs`` (one run each, in order) with the default budget and with a tiny one; both datasets."""
    monkeypatch.setattr(csvchunks, "CHUNK_BYTES", 16 << 10)  # blocks of about 100 rows
    outs = []
    for name, budget in (("plain", None), ("spilled", 150)):
        if budget is not None:
            monkeypatch.setattr(spill, "MEMORY_BUDGET", budget)
            monkeypatch.setattr(pipeline, "QUARANTINE_MEMORY_BYTES", 1)  # the quarantine spilled too
        out = tmp_path / name
        for paths in inputs:
            ingest(paths, out, mapping="cn110", agency="zz", **kwargs)
        outs.append(out)
    return outs[0], outs[1]


def _count_spills(monkeypatch) -> dict[type, list]:
    """The objects that spill, one entry per spill, by class."""
    spills: dict[type, list] = {SeenHashes: [], FileKeys: []}
    for cls in spills:
        monkeypatch.setattr(cls, "_spill", lambda self, _s=cls._spill, _c=cls: (spills[_c].append(self), _s(self))[1])
    return spills


def test_an_ingest_that_spills_writes_the_same_dataset_and_report(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "calls.csv", CN_HEADER, _planted_rows())
    made: list[SeenHashes] = []
    original = SeenHashes.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(SeenHashes, "__init__", spy)
    spills = _count_spills(monkeypatch)
    spooled = []
    monkeypatch.setattr(pipeline._QuarantineSpool, "tables",
                        lambda self, _t=pipeline._QuarantineSpool.tables: (spooled.append(self._chunks[:]), _t(self))[1])
    plain, spilled = _ingest_both(tmp_path, monkeypatch, [[path]])
    assert len({id(s) for s in spills[SeenHashes]}) == 2  # the records' fingerprints and the incident ids spilled
    assert len(spills[FileKeys]) >= 10  # and the keys, many times
    assert spooled[0] == [] and len(spooled[1]) == 3  # the 3 blocks with quarantined rows, read back from disk
    assert max(len(s._disk) for s in made) == 0  # all closed: nothing left on disk
    assert _digest(plain) == _digest(spilled)
    q = read_quarantine(spilled)
    assert dict(zip(q[S.Q_SOURCE_ROW], q[S.Q_REASON])) == PLANTED
    assert not [p for p in tmp_path.iterdir() if ".spill-" in p.name]


def test_a_re_export_settled_against_spilled_keys_replaces_the_same_rows(tmp_path, monkeypatch):
    rows = _planted_rows()
    first = write_csv(tmp_path / "first.csv", CN_HEADER, rows[:1600])
    later = write_csv(tmp_path / "later.csv", CN_HEADER, rows[1000:])  # overlaps 600 rows of the first
    spills = _count_spills(monkeypatch)
    plain, spilled = _ingest_both(tmp_path, monkeypatch, [[first], [later]])
    assert len({id(s) for s in spills[SeenHashes]}) == 5  # with the set of the later file's keys (settling)
    assert _digest(plain) == _digest(spilled)
    reports = {r[S.R_SOURCE_FILE]: r for r in read_reports(spilled)}
    assert reports["first.csv"][S.R_ROWS_SUPERSEDED] == reports["later.csv"][S.R_ROWS_REPLACED] > 600


def test_refusing_an_overlap_counts_it_the_same_with_a_tiny_budget(tmp_path, monkeypatch):
    rows = _planted_rows()
    first = write_csv(tmp_path / "first.csv", CN_HEADER, rows[:1600])
    later = write_csv(tmp_path / "later.csv", CN_HEADER, rows[1000:])
    messages = []
    for budget in (None, 150):
        if budget is not None:
            monkeypatch.setattr(spill, "MEMORY_BUDGET", budget)
        out = tmp_path / f"ds{budget}"
        ingest([first], out, mapping="cn110", agency="zz")
        with pytest.raises(UserError, match="incident keys are already in the dataset") as err:
            ingest([later], out, mapping="cn110", agency="zz", on_overlap="refuse")
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "later.csv: 603 of its incident keys" in messages[0]


@pytest.mark.parametrize("fault", [KeyboardInterrupt, OSError])
def test_the_spill_folder_goes_on_error_and_on_ctrl_c(tmp_path, monkeypatch, fault):
    path = write_csv(tmp_path / "calls.csv", CN_HEADER, _planted_rows())
    monkeypatch.setattr(csvchunks, "CHUNK_BYTES", 16 << 10)
    monkeypatch.setattr(spill, "MEMORY_BUDGET", 150)
    finished = []
    real = normalize.finish_block

    def failing(prep, ctx):
        finished.append(ctx.spill.folder)
        if len(finished) == 12:
            assert ctx.spill.folder is not None and ctx.spill.folder.is_dir()  # spilled by now
            raise fault("interrupted")
        return real(prep, ctx)

    monkeypatch.setattr(pipeline, "finish_block", failing)
    with pytest.raises(fault):
        ingest([path], tmp_path / "ds", mapping="cn110", agency="zz")
    assert finished[-1] is not None and not finished[-1].exists()
    assert not [p for p in tmp_path.iterdir() if ".spill-" in p.name or ".staging-" in p.name]


def test_a_spill_folder_left_by_a_killed_run_is_removed(tmp_path, cn_file):
    stale = tmp_path / ".ds.spill-abc123"
    stale.mkdir()
    (stale / "run-1.u64").write_bytes(b"\0" * 64)
    other = tmp_path / ".other.spill-abc123"  # another dataset's: not this run's to remove
    other.mkdir()
    ingest([cn_file], tmp_path / "ds", mapping="cn110", agency="zz")
    assert not stale.exists() and other.exists()


def test_the_quarantine_spool_gives_back_the_same_tables(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "QUARANTINE_MEMORY_BYTES", 300)
    tables = []
    for k in range(7):
        n = 3 + k
        tables.append(pa.table({
            S.Q_SOURCE_FILE: ["f.csv"] * n, S.Q_SOURCE_ROW: list(range(10 * k, 10 * k + n)),
            S.Q_COLUMN: [None if i % 2 else "接警时间" for i in range(n)], S.Q_RAW_VALUE: [f"v{i}" for i in range(n)],
            S.Q_REASON: [S.REASON_DUPLICATE_ROW] * n, S.Q_FILE_SHA256: ["0" * 64] * n,
        }, schema=S.QUARANTINE_SCHEMA))
    with SpillSpace(tmp_path) as space, pipeline._QuarantineSpool(space) as spool:
        for table in tables:
            spool.append(table)
        assert spool._path is not None and spool._path.stat().st_size > 0  # spilled
        got = spool.tables()
        assert len(got) == len(tables) and all(g.equals(t) for g, t in zip(got, tables))
        assert all(c.num_chunks == 1 for g in got for c in g.columns)  # the same chunks: the same Parquet bytes
        assert not list(space.folder.iterdir())
    monkeypatch.setattr(pipeline, "QUARANTINE_MEMORY_BYTES", 1 << 20)
    with SpillSpace(tmp_path) as space, pipeline._QuarantineSpool(space) as spool:
        spool.append(tables[0])  # under the budget: nothing touches the disk
        assert spool.tables() == [tables[0]] and space.folder is None
