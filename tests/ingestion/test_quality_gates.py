"""Quality gates: the summary line names the top quarantine reasons with their column and an example; a file of
which more than ``--max-quarantine-share`` of rows would be quarantined fails with exit 1 and changes nothing.

docs/mappings.md, *What the ingest report says about a mapping*; docs/reliability.md, *A mostly quarantined file
is refused*.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from responsestats import ingest
from responsestats import schema as S
from responsestats.cli import main
from responsestats.errors import QualityGateError, UserError

from conftest import CN_HEADER, cn_row, write_csv
from factories import write_mapping


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def dataset(tmp_path, cn_file) -> Path:
    """A dataset of one good cn110 file: a refused run must leave it byte for byte."""
    out = tmp_path / "ds"
    ingest([cn_file], out, mapping="cn110", agency="zz")
    return out


def _wrong_layout(tmp_path: Path, n: int = 10, good: int = 0) -> Path:
    """A cn110 export whose 接警时间 is written ``03/01/2024 10:00`` (a layout cn110 does not list) but in its
    first ``good`` rows."""
    rows = [cn_row(f"W{i:03d}", "2024-03-01 10:00:00" if i < good else f"03/{i % 28 + 1:02d}/2024 10:00")
            for i in range(n)]
    return write_csv(tmp_path / "wrong_layout.csv", CN_HEADER, rows)


def test_a_file_of_unreadable_stamps_exits_1_naming_column_and_value(tmp_path, dataset, capsys):
    path = _wrong_layout(tmp_path)
    before = _digest(dataset)
    code = main(["ingest", str(path), "--format", "cn110", "--agency", "zz", "--out", str(dataset)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and err[0].startswith("responsestats: error: "), err
    line = err[0]
    assert str(path) in line and "10 of 10 rows (100.0%) would be quarantined" in line
    assert "more than the limit of 50% (--max-quarantine-share)" in line
    assert "unparseable_required_timestamp in column '接警时间', e.g. '03/01/2024 10:00' (row 1)" in line
    assert "formats" in line and "was left as it was before this run" in line
    assert _digest(dataset) == before


def test_under_the_limit_the_run_completes_and_names_the_reasons(tmp_path, dataset, capsys):
    path = _wrong_layout(tmp_path, n=10, good=6)  # 4 of 10 quarantined
    code = main(["ingest", str(path), "--format", "cn110", "--agency", "zz", "--out", str(dataset)])
    out = capsys.readouterr().out
    assert code == 0
    assert ("10 rows read = 6 written + 4 quarantined (unparseable_required_timestamp 4 in column '接警时间', "
            "e.g. '03/07/2024 10:00' (row 7))") in out


@pytest.mark.parametrize("share, good, code", [("0.2", 7, 1), ("0.3", 7, 0), ("1", 0, 0), ("0", 10, 0)])
def test_the_limit_is_an_option(tmp_path, dataset, capsys, share, good, code):
    """Exactly at the limit passes ("more than"); 1 turns the gate off; 0 refuses any quarantined row."""
    path = _wrong_layout(tmp_path, n=10, good=good)
    args = ["ingest", str(path), "--format", "cn110", "--agency", "zz", "--out", str(dataset)]
    assert main(args + ["--max-quarantine-share", share]) == code
    capsys.readouterr()


@pytest.mark.parametrize("share", ["1.5", "-0.1", "half", "nan"])
def test_a_bad_limit_is_a_usage_error(tmp_path, dataset, share, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["ingest", str(_wrong_layout(tmp_path)), "--format", "cn110", "--out", str(dataset),
              "--max-quarantine-share", share])
    assert exc.value.code == 2
    assert "is not a share of the rows from 0 to 1" in capsys.readouterr().err
    with pytest.raises(UserError, match="between 0 and 1"):
        ingest([_wrong_layout(tmp_path)], dataset, mapping="cn110", max_quarantine_share=share)


def test_the_api_gates_when_asked_and_keeps_the_report(tmp_path, dataset):
    path = _wrong_layout(tmp_path)
    before = _digest(dataset)
    with pytest.raises(QualityGateError) as exc:
        ingest([path], dataset, mapping="cn110", agency="zz", max_quarantine_share=0.5)
    assert isinstance(exc.value, UserError) and "\n" not in str(exc.value)
    assert exc.value.report[S.R_ROWS_QUARANTINED] == 10
    assert exc.value.report[S.R_QUARANTINE_BY_COLUMN] == [
        {S.R_I_REASON: S.REASON_BAD_TIMESTAMP, S.R_I_COLUMN: "接警时间", S.R_I_ROWS: 10,
         S.R_I_EXAMPLE: "03/01/2024 10:00", S.R_I_EXAMPLE_ROW: 1}]
    assert _digest(dataset) == before
    res = ingest([path], dataset, mapping="cn110", agency="zz")  # no gate unless asked
    assert res.rows_quarantined == 10


def test_a_failing_file_stops_the_whole_run(tmp_path, dataset, cn_rows, capsys):
    good = write_csv(tmp_path / "good_march.csv", CN_HEADER, [cn_row("G1", "2024-03-09 10:00:00")])
    before = _digest(dataset)
    code = main(["ingest", str(good), str(_wrong_layout(tmp_path)), "--format", "cn110", "--agency", "zz",
                 "--out", str(dataset)])
    assert code == 1 and "wrong_layout.csv" in capsys.readouterr().err
    assert _digest(dataset) == before  # nothing of the good file either


def test_the_top_value_is_the_most_frequent_and_whole_records_give_a_row(tmp_path):
    rows = [cn_row(f"X{i}", v) for i, v in enumerate(["bad", "2024-13-01 10:00:00", "bad", "bad"])]
    rows += [cn_row("G1", "2024-03-01 10:00:00")] * 3 + [cn_row("", "2024-03-01 10:00:00")]
    path = write_csv(tmp_path / "mix.csv", CN_HEADER, rows)
    res = ingest([path], tmp_path / "ds", mapping="cn110", agency="zz")
    assert res.files[0][S.R_QUARANTINE_BY_COLUMN] == [
        {S.R_I_REASON: S.REASON_BAD_TIMESTAMP, S.R_I_COLUMN: "接警时间", S.R_I_ROWS: 4, S.R_I_EXAMPLE: "bad",
         S.R_I_EXAMPLE_ROW: 1},
        {S.R_I_REASON: S.REASON_DUPLICATE_ROW, S.R_I_COLUMN: None, S.R_I_ROWS: 2, S.R_I_EXAMPLE: None,
         S.R_I_EXAMPLE_ROW: 6},
        {S.R_I_REASON: S.REASON_MISSING_ID, S.R_I_COLUMN: "接警单编号", S.R_I_ROWS: 1, S.R_I_EXAMPLE: None,
         S.R_I_EXAMPLE_ROW: 8},
    ]
    want = ("(unparseable_required_timestamp 4 in column '接警时间', e.g. 'bad' (row 1); duplicate_row 2, e.g. row 6; "
            "missing_incident_id 1 in column '接警单编号', e.g. row 8 (empty))")
    assert want in res.summary_line()


def test_rows_set_aside_by_keep_first_do_not_count_for_the_gate(tmp_path):
    rows = [["A1", f"2024-03-01 10:{i:02d}:00"] for i in range(8)] + [["B1", "2024-03-01 11:00:00"]]
    path = write_csv(tmp_path / "repeats.csv", ["id", "received"], rows)
    for action, code in (("keep_first", 0), ("quarantine", 1)):
        mapping = write_mapping(tmp_path / f"{action}.toml", name="g", timezone="UTC",
                                format_extra=f'duplicate_ids = "{action}"\n')
        out = tmp_path / f"ds_{action}"
        assert main(["ingest", str(path), "--mapping", str(mapping), "--out", str(out), "--agency", "g"]) == code
        assert out.exists() == (code == 0)


def test_an_empty_file_passes(tmp_path):
    path = write_csv(tmp_path / "empty.csv", CN_HEADER, [])
    res = ingest([path], tmp_path / "ds", mapping="cn110", agency="zz", max_quarantine_share=0.0)
    assert res.rows_read == 0
