"""Idempotency and drift: the same files, in any order, any number of times, give the same dataset (issue #7, part 3).

Every Parquet file (canonical rows and quarantine) is the same byte for byte, and so is the output
of ``responsestats metrics`` and ``outcomes``. The only files that differ between two ingests of the
same inputs are the JSON reports, and only in ``ingested_at`` (and ``source_path`` when the same
file is given by another path): see ``test_only_the_report_timestamps_differ``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from responsestats import ingest, read_calls
from responsestats.cli import main
from responsestats.config import SAMPLE_CN110_DIR

from conftest import CN_HEADER, cn_row, write_csv
from reliability_helpers import TALLY, examples, tree_digest

VOLATILE_REPORT_KEYS = {"ingested_at"}


class _Files(list):
    def __repr__(self) -> str:
        return f"<{len(self)} input files>"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Three inputs: two sample months cut short, and a file with defects (quarantine, repairs)."""
    root = tmp_path_factory.mktemp("idem")
    files = _Files()
    for i, month in enumerate(sorted(SAMPLE_CN110_DIR.glob("*.csv"))[:2]):
        lines = month.read_bytes().splitlines(keepends=True)
        path = root / f"m{i}.csv"
        path.write_bytes(b"".join(lines[:300]))
        files.append(path)
    rows = [cn_row("D1", "2024-03-01 10:00:00", "2024-03-01 10:01:00"), cn_row("", "2024-03-01 11:00:00"),
            cn_row("D3", "2024-02-30 10:00:00"), cn_row("D1", "2024-03-01 10:00:00", "2024-03-01 10:01:00"),
            cn_row("D5", "2024-03-05 10:00:00", "soon", grid="=cmd|' /C calc'!A0")]
    files.append(write_csv(root / "defects.csv", CN_HEADER, rows))
    reference = root / "reference"
    ingest(files, reference, mapping="cn110", agency="zz")
    return root, files, reference


def _data_digest(root: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(root).items() if k.endswith(".parquet")}


def _reports(root: Path) -> dict[str, dict]:
    return {str(p.relative_to(root)): {k: v for k, v in json.loads(p.read_text(encoding="utf-8")).items()
                                        if k not in VOLATILE_REPORT_KEYS}
            for p in sorted(root.rglob("*.json"))}


def _cli_text(capsys, *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


@settings(max_examples=examples(6))
@given(data=st.data())
def test_any_order_any_number_of_times_gives_the_same_dataset(inputs, capsys, data):
    root, files, reference = inputs
    # a random series of runs, each a random selection (repeats allowed) in random order, covering every file
    runs = data.draw(st.lists(st.lists(st.sampled_from(files), min_size=1, max_size=3), min_size=1, max_size=3))
    runs.append(data.draw(st.permutations(files)))
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        out = Path(tmp) / "ds"
        for run in runs:
            ingest(run, out, mapping="cn110", agency="zz")
        assert _data_digest(out) == _data_digest(reference)  # every Parquet file, byte for byte
        assert sorted(tree_digest(out)) == sorted(tree_digest(reference))
        assert _reports(out) == _reports(reference)
        for cmd in (["metrics", "--interval", "response_s", "--by", "district", "--format", "csv"],
                    ["outcomes", "--by", "month", "--format", "csv"]):
            assert _cli_text(capsys, cmd[0], str(out), *cmd[1:]) == _cli_text(capsys, cmd[0], str(reference), *cmd[1:])
    TALLY[("idempotency: random series of runs", "same Parquet bytes and same metrics output")] += 1


def test_only_the_report_timestamps_differ(inputs, tmp_path):
    """Two ingests of the same files: the Parquet files are identical; each report differs in ingested_at only.
    The same file given by another path differs in source_path too, and keeps its rows (keyed by content)."""
    root, files, reference = inputs
    a, b = tmp_path / "a", tmp_path / "b"
    ingest(files, a, mapping="cn110", agency="zz")
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    copies = [Path(shutil.copy(f, moved / f.name)) for f in files]
    ingest(copies, b, mapping="cn110", agency="zz")
    da, db = tree_digest(a), tree_digest(b)
    assert sorted(da) == sorted(db)
    differ = sorted(k for k in da if da[k] != db[k])
    assert differ and all(k.startswith("_reports/") and k.endswith(".json") for k in differ)
    for key in differ:
        ra = json.loads((a / key).read_text(encoding="utf-8"))
        rb = json.loads((b / key).read_text(encoding="utf-8"))
        changed = {k for k in ra if ra[k] != rb[k]}
        assert changed <= {"ingested_at", "source_path"}, changed
        assert "source_path" in changed


def test_same_file_twice_in_one_run_and_renamed(inputs, tmp_path):
    """A file listed twice is read once and stored once, and the run's report says so (its counts are the
    dataset's: issue 18 found 2,109 rows reported written for 703 stored); a renamed copy of a file replaces it
    (the rows are keyed by content; source_file is the latest name)."""
    root, files, reference = inputs
    out = tmp_path / "ds"
    res = ingest([files[0], files[0], *files[1:]], out, mapping="cn110", agency="zz")
    assert len(res.files) == len(files) and res.repeated == [str(files[0])]
    assert res.rows_written == len(read_calls(out))
    assert _data_digest(out) == _data_digest(reference)
    renamed = tmp_path / "renamed.csv"
    shutil.copy(files[2], renamed)
    ingest([renamed], out, mapping="cn110", agency="zz")
    calls = read_calls(out)
    assert len(calls) == len(read_calls(reference))
    assert "renamed.csv" in set(calls["source_file"]) and files[2].name not in set(calls["source_file"])
