"""Fuzzing the readers and the ingest with malformed input (issue #7, part 1).

For every generated input: either a clean ingest in which every record is accounted for exactly
once (``rows_read = rows_written + rows_quarantined``, and the ``source_row`` of the dataset and
of the quarantine are exactly 1..rows_read), or one UserError on one line, with the dataset
exactly as before and no staging debris; never another exception. For CSV, the number of
records read is also checked against Python's csv module, and each kept row's incident_id
against the csv module's record of that number.

Numbers of examples: tests/reliability_helpers.py (``HYPOTHESIS_PROFILE=long`` for many more).
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from responsestats import ingest, read_reports
from responsestats.cli import main
from responsestats.sources import csvchunks

from factories import mapping_toml
from paths import EXCEL_DIR
from reliability_helpers import (
    FUZZ_COLUMNS, TALLY, check_ingest, csv_oracle, dataset_frames, debris, examples, tree_digest, write_mapping,
)

EXCEL_FIXTURE = EXCEL_DIR / "calls.xls"
ENCODINGS = ("utf-8-sig", "gb18030")

# --- cell values ----------------------------------------------------------------------------------
TIMESTAMP_TEXT = st.sampled_from([
    "2024-03-01 10:00:00", "2024-02-29 12:00:00", "2023-02-29 12:00:00", "2024-02-30 10:00:00",
    "2024-01-01 25:61:00", "1900-01-01 00:00:00", "2200-01-01 00:00:00", "1969-12-31 23:59:59",
    "2100-12-31 23:59:59", "0001-01-01 00:00:00", "9999-12-31 23:59:59", "2024-03-10 02:30:00",
    "2024-11-03 01:30:00", "20240315092336PD", "20240715092336PS", "20241301000000PD", "03/10/2024 2:30 AM",
    "13/45/2024 1:00 PM", "2024-03-01T10:00:00", "2024-03-01 10:00:00+08:00", "yesterday", "0", "-1",
])
DURATION_TEXT = st.sampled_from(["4:05", "0:00", "1:02:03", "4:65", "99999999999999999999", "1e400", "-5",
                                 "12.5", "9" * 400, ":", "4:05:00"])
CLOCK_TEXT = st.sampled_from(["07:35:00", "23:59", "24:00", "25:61:00", "00:00:00", "7:5", "12:00 PM"])
DATE_TEXT = st.sampled_from(["2024-03-01", "03/10/2024", "2023-02-29", "2024-02-29", "2024-13-01", "1900-01-01"])
NUMBER_TEXT = st.sampled_from(["37.77", "-122.4", "91", "-181", "1e400", "nan", "inf", "0x1F", "１２３", "٣", "",
                               "(37.7, -122.4)", "(1e999, 5)"])
PERSONAL_TEXT = st.sampled_from(["张某某", "13812345678", "John Q. Caller", "(415) 555-0199",
                                 "caller says a man, \"armed\"\nwith a knife", "=cmd|' /C calc'!A0"])
ODD_TEXT = st.sampled_from(["", "NULL", "N/A", "   ", "\"", "\"\"", "a\"b", "5'10\"", "a,b", "line\nbreak",
                            "cr\rreturn", "\x00", "\ufeff", "id", "received", "ONVIEW", "911", "ARREST", "arrest",
                            "x" * 70_000, "é", "\u2028", "\\", "'", "=1+1", "-2", "@SUM(A1)"])
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
CELL = st.one_of(TIMESTAMP_TEXT, DURATION_TEXT, CLOCK_TEXT, DATE_TEXT, NUMBER_TEXT, PERSONAL_TEXT, ODD_TEXT,
                 ANY_TEXT, st.integers(-10**20, 10**20).map(str), st.floats().map(repr))


@st.composite
def csv_files(draw):
    """A CSV file's bytes (often malformed) and whether its cells hold line breaks."""
    columns = list(draw(st.permutations(FUZZ_COLUMNS)))
    if not draw(st.integers(0, 3)):
        columns = columns[: draw(st.integers(1, len(columns)))]  # required columns may be missing
    if draw(st.integers(0, 4)) == 0:
        columns.insert(draw(st.integers(0, len(columns))), draw(st.sampled_from(columns)))  # duplicated header
    if draw(st.integers(0, 6)) == 0:
        columns.append(draw(ANY_TEXT))
    width = len(columns)
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        n = width if draw(st.integers(0, 5)) else draw(st.integers(0, width + 2))  # some ragged rows
        rows.append([draw(CELL) for _ in range(n)])
    if rows and draw(st.integers(0, 5)) == 0:
        rows.insert(draw(st.integers(0, len(rows))), list(columns))  # header repeated
    if rows and draw(st.integers(0, 5)) == 0:
        rows.append(list(draw(st.sampled_from(rows))))  # exact duplicate
    quoting = draw(st.sampled_from(["minimal", "all", "none", "broken"]))
    eol = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))

    def cell(v: str) -> str:
        needs = any(c in v for c in ',"\n\r')
        if quoting == "all" or (quoting in ("minimal", "broken") and needs):
            return '"' + v.replace('"', '""') + '"'
        return v

    lines = [",".join(cell(v) for v in r) for r in [columns] + rows]
    if quoting == "broken" and len(lines) > 1:
        k = draw(st.integers(1, len(lines) - 1))
        lines[k] = lines[k] + ',"unclosed' if draw(st.booleans()) else '"' + lines[k]
    parts = []
    for line in lines:
        parts.append(line + (draw(st.sampled_from(["\n", "\r\n", "\r"])) if eol == "mixed" else eol))
    text = "".join(parts)
    if not draw(st.integers(0, 4)):
        text = text.rstrip("\r\n")  # no final line break
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "mixed"]))
    if encoding == "mixed":  # most of the file UTF-8, one line in another encoding
        data = b""
        bad = draw(st.integers(0, len(parts) - 1))
        for i, part in enumerate(parts):
            data += part.encode("cp1252", "replace") if i == bad else part.encode("utf-8")
    else:
        data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 5)) == 0:
        data = data[: draw(st.integers(0, len(data)))]  # truncated file
    return data


def _run_csv_case(data: bytes, family: str):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        mapping = write_mapping(tmp)
        path = tmp / "input.csv"
        path.write_bytes(data)
        oracle = csv_oracle(data)
        id_index = None
        header = _csv_header(data)
        if header is not None and "id" in header:
            id_index = header.index("id")
        return check_ingest([path], tmp / "ds", mapping=mapping, family=family, oracle=oracle, id_index=id_index)


def _csv_header(data: bytes) -> list[str] | None:
    import csv
    import io

    for enc in ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        try:
            first = next(csv.reader(io.StringIO(text, newline="")), None)
        except csv.Error:
            return None
        return [c.replace("\ufeff", "").strip() for c in first] if first else None
    return None


@settings(max_examples=examples(100))
@given(data=csv_files())
@example(data=b"")
@example(data=b"id,received\n")
@example(data=b"\xef\xbb\xbfid,received\r\n")
@example(data=b"id,received\r1,2024-03-01 10:00:00\r2,2024-03-01 10:00:00\r")  # CR line endings
@example(data=b'id,received,district\n1,2024-03-01 10:00:00,"open\n2,2024-03-01 10:00:00,x\n')
@example(data=b"id,received,id,received.1,received\n1,2024-03-01 10:00:00,a,b,c\n")
def test_fuzz_csv_ingest(data):
    """Malformed CSV: ragged rows, open quotes, duplicated headers, encodings, impossible times, truncation."""
    _run_csv_case(data, "fuzz: CSV files")


@settings(max_examples=examples(80))
@given(data=st.binary(max_size=3000), header=st.sampled_from([b"", b"id,received\n", b"id,received,district\n"]))
def test_fuzz_random_bytes(data, header):
    """Random bytes, alone or after a valid header."""
    _run_csv_case(header + data, "fuzz: random bytes")


@settings(max_examples=examples(30))
@given(data=csv_files(), chunk=st.sampled_from([1, 7, 64, 500]))
def test_fuzz_chunking_does_not_change_the_result(data, chunk, monkeypatch):
    """The same file cut into chunks of any size gives the same rows, quarantine and error."""
    results = []
    for size in (chunk, 4 << 20):
        monkeypatch.setattr(csvchunks, "CHUNK_BYTES", size)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            path = tmp / "input.csv"
            path.write_bytes(data)
            res = check_ingest([path], tmp / "ds", mapping=write_mapping(tmp), family="fuzz: CSV chunk sizes")
            if isinstance(res, Exception):
                results.append(("error", str(res).replace(str(tmp), "")))
            elif res.rows_read:
                calls, q = dataset_frames(tmp / "ds")
                results.append(("ok", calls.to_json(date_format="iso"), q.drop(columns=["file_sha256"]).to_json()))
            else:
                results.append(("ok", "empty"))
    assert results[0] == results[1]


def test_chunk_cut_after_a_stray_quote_keeps_a_multiline_record(tmp_path, monkeypatch):
    """Regression: a literal quote inside an unquoted field (5'10") once made the chunker count quotes
    wrongly and cut inside a later quoted value that spans lines, splitting that record in two."""
    body = 'A1,2024-03-01 10:00:00,5\'10"\nA2,2024-03-01 10:00:00,"two\nlines"\nA3,2024-03-01 10:00:00,x\n'
    path = tmp_path / "in.csv"
    path.write_text("id,received,district\n" + body, encoding="utf-8")
    for size in (8, 30, 45, 64, 4 << 20):
        monkeypatch.setattr(csvchunks, "CHUNK_BYTES", size)
        out = tmp_path / f"ds{size}"
        res = check_ingest([path], out, mapping=write_mapping(tmp_path), family="regression",
                           oracle=csv_oracle(path.read_bytes()), id_index=0)
        assert (res.rows_read, res.rows_written) == (3, 3)
        calls, _ = dataset_frames(out)
        assert calls["district"].tolist() == ["5'10\"", "two\nlines", "x"]


# --- Parquet --------------------------------------------------------------------------------------
ARROW_COLUMNS = st.sampled_from([
    pa.array(["A1", "A2", None]),
    pa.array([1, 2, 3], pa.int64()),
    pa.array([1.5, float("nan"), float("inf")]),
    pa.array([dt.datetime(2024, 3, 10, 2, 30), dt.datetime(1900, 1, 1), None], pa.timestamp("us")),
    pa.array([0, 2**62, -2**62], pa.timestamp("ns", tz="Asia/Shanghai")),
    pa.array([dt.date(2024, 2, 29), dt.date(2200, 1, 1), None]),
    pa.array([True, False, None]),
    pa.array([b"\xff\xfe", b"13812345678", None], pa.binary()),
    pa.array([[1, 2], [], None], pa.list_(pa.int64())),
    pa.array([{"a": 1}, None, {"a": 2}]),
    pa.array([None, None, None], pa.null()),
    pa.array(["x", "y", "x"]).dictionary_encode(),
    pa.array([10**15, 0, None], pa.duration("s")),
    pa.array([3600 * 10**6, 0, None], pa.time64("us")),
    pa.array([2**63 - 1, 0, 5], pa.uint64()),
])


@st.composite
def parquet_tables(draw):
    names = ["id", "received"] + draw(st.lists(st.sampled_from(["district", "lat", "caller_phone", "id", "x"]),
                                               max_size=4))
    if not draw(st.integers(0, 4)):
        names.pop(draw(st.integers(0, 1)))  # a required column missing
    names = draw(st.permutations(names))
    arrays = [draw(ARROW_COLUMNS) for _ in names]
    rows = draw(st.integers(0, 3))
    return pa.Table.from_arrays([a.slice(0, rows) for a in arrays], names=names)


@settings(max_examples=examples(40))
@given(table=parquet_tables())
def test_fuzz_parquet_types(table):
    """Parquet columns of any type (nested, binary, out-of-range times, duplicate names)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "input.parquet"
        pq.write_table(table, path)
        check_ingest([path], tmp / "ds", mapping=write_mapping(tmp), family="fuzz: Parquet tables")


def _good_parquet(path: Path) -> bytes:
    n = 3000
    table = pa.table({"id": [f"P{i}" for i in range(n)], "received": ["2024-03-01 10:00:00"] * n,
                      "district": ["d" * 40] * n})
    pq.write_table(table, path, row_group_size=300, compression="snappy")
    return path.read_bytes()


def _excel_fixtures(tmp: Path) -> dict[str, bytes]:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "received", "district"])
    for i in range(200):
        ws.append([f"X{i}", dt.datetime(2024, 3, 1, 10, i % 60), "=1+1" if i % 7 == 0 else f"d{i}"])
    wb.save(tmp / "g.xlsx")
    return {".xlsx": (tmp / "g.xlsx").read_bytes(), ".xls": EXCEL_FIXTURE.read_bytes()}


@settings(max_examples=examples(60))
@given(kind=st.sampled_from([".parquet", ".xlsx", ".xls"]), seed=st.integers(0, 2**32 - 1),
       how=st.sampled_from(["truncate", "flip", "both"]))
@example(kind=".parquet", seed=7768677, how="flip")  # a string page that is not UTF-8 (once a traceback)
@example(kind=".parquet", seed=33299, how="flip")  # column names that are not UTF-8 (once a traceback)
def test_fuzz_damaged_binary_files(kind, seed, how):
    """Truncated or bit-flipped Parquet and Excel files."""
    rnd = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        good = _good_parquet(tmp / "g.parquet") if kind == ".parquet" else _excel_fixtures(tmp)[kind]
        data = bytearray(good)
        if how in ("truncate", "both"):
            data = data[: rnd.randrange(len(data))]
        if how in ("flip", "both") and data:
            for _ in range(rnd.randint(1, 30)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        path = tmp / f"input{kind}"
        path.write_bytes(bytes(data))
        mapping = write_mapping(tmp, _EXCEL_MAPPING if kind != ".parquet" else _PARQUET_MAPPING)
        check_ingest([path], tmp / "ds", mapping=mapping, family=f"fuzz: damaged {kind} files")


_PARQUET_MAPPING = mapping_toml("binfuzz", "Asia/Shanghai", fields='[fields.district]\nsource = "district"\n')
_EXCEL_MAPPING = _PARQUET_MAPPING.replace('source = "id"', 'source = ["id", "Call Number"]').replace(
    'source = "received"', 'source = ["received", "Received DtTm"]').replace(
    'formats = ["%Y-%m-%d %H:%M:%S"]', 'formats = ["%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M:%S %p"]')


# --- the command line ----------------------------------------------------------------------------
@settings(max_examples=examples(25))
@given(data=csv_files())
def test_fuzz_cli_exit_codes(data, capsys):
    """Through the CLI: exit 0 with a summary, exit 2 with one `responsestats: error:` line, or exit 1 (the quality
    gate: more than half the rows would be quarantined) with one such line; no traceback."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "input.csv"
        path.write_bytes(data)
        out = tmp / "ds"
        code = main(["ingest", str(path), "--mapping", str(write_mapping(tmp)), "--out", str(out), "--agency", "fz"])
        captured = capsys.readouterr()
        assert code in (0, 1, 2)
        if code in (1, 2):
            lines = captured.err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("responsestats: error: "), captured.err
            assert tree_digest(out) == {} and not debris(out)
            if code == 1:  # the gate, and only when the ungated ingest quarantines more than half of the rows
                assert "--max-quarantine-share" in lines[0] and str(path) in lines[0], lines[0]
                ungated = ingest([path], tmp / "ungated", mapping=write_mapping(tmp), agency="fz")
                assert ungated.rows_quarantined > 0.5 * ungated.rows_read
                TALLY[("fuzz: CLI", "exit 1, quality gate, one error line")] += 1
            else:
                TALLY[("fuzz: CLI", "exit 2, one error line")] += 1
        else:
            assert "rows read =" in captured.out and "NOT RECONCILED" not in captured.out
            report = read_reports(out)[0]
            assert report["rows_quarantined"] <= 0.5 * report["rows_read"]
            TALLY[("fuzz: CLI", "exit 0, reconciled")] += 1


@pytest.mark.parametrize("extra", [b"", b"id,received\nZ1,2024-03-01 10:00:00\n"])
def test_existing_dataset_is_untouched_by_a_failing_input(tmp_path, extra):
    """A bad file given with a good one: nothing of either is written; the previous dataset stays."""
    mapping = write_mapping(tmp_path)
    good = tmp_path / "good.csv"
    good.write_bytes(b"id,received\nG1,2024-03-01 10:00:00\nG2,2024-03-02 10:00:00\n")
    out = tmp_path / "ds"
    check_ingest([good], out, mapping=mapping, family="regression")
    before = tree_digest(out)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b'id,received\nB1,"2024-03-01 10:00:00\n' + extra)
    second = tmp_path / "second.csv"
    second.write_bytes(b"id,received\nS1,2024-03-05 10:00:00\n")
    err = check_ingest([second, bad], out, mapping=mapping, family="regression")
    assert isinstance(err, Exception) and "bad.csv: line 2" in str(err) and "never closed" in str(err)
    assert tree_digest(out) == before


@pytest.mark.parametrize("chunk", [64 << 10, None])
def test_a_field_longer_than_a_chunk_and_a_parser_block(tmp_path, monkeypatch, chunk):
    """A 9 MiB field: longer than a chunk (read on until the record ends) and than pyarrow's 8 MiB block."""
    if chunk:
        monkeypatch.setattr(csvchunks, "CHUNK_BYTES", chunk)
    narrative = "x" * (9 << 20)
    body = f'A1,2024-03-01 10:00:00,"{narrative}"\nA2,2024-03-01 10:00:00,short\n'
    path = tmp_path / "long.csv"
    path.write_text("id,received,district\n" + body, encoding="utf-8")
    res = check_ingest([path], tmp_path / "ds", mapping=write_mapping(tmp_path), family="regression")
    assert (res.rows_read, res.rows_written) == (2, 2)
    calls, _ = dataset_frames(tmp_path / "ds")
    assert calls["district"].str.len().tolist() == [9 << 20, 5]


@pytest.mark.parametrize("where, expect", [
    ("district", "record 3001, column 'district'"),   # a column the mapping reads: refused, naming it
    ("narrative", None),                               # a column nobody reads: no harm
    ("ragged", None),                                  # a malformed record: quarantined like any other
])
def test_a_line_in_another_encoding(tmp_path, capfd, where, expect):
    """A UTF-8 file with one cp1252 line past the encoding check (the first 64 KiB). Regression: a ragged
    row with such a byte made pyarrow print "Exception ignored ... UnicodeDecodeError" and fail the ingest."""
    head = "id,received,district,narrative\n" + "".join(f"A{i},2024-03-01 10:00:00,d,ok\n" for i in range(3000))
    bad = {"district": "B1,2024-03-01 10:00:00,Caf\xe9,ok\n", "narrative": "B1,2024-03-01 10:00:00,d,caf\xe9\n",
           "ragged": "B1,caf\xe9\n"}[where]
    path = tmp_path / "mixed.csv"
    path.write_bytes(head.encode("utf-8") + bad.encode("cp1252") + "C1,2024-03-01 10:00:00,é,ok\n".encode("utf-8"))
    res = check_ingest([path], tmp_path / "ds", mapping=write_mapping(tmp_path), family="regression",
                       oracle=csv_oracle(path.read_bytes()), id_index=0)
    if expect:
        assert isinstance(res, Exception) and expect in str(res)
    else:
        assert res.rows_read == 3002 and res.rows_quarantined == (where == "ragged")
    assert "Exception ignored" not in capfd.readouterr().err


def test_a_quote_left_open_early_in_a_big_file_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    """Memory stays bounded: a record that grows past MAX_RECORD_BYTES is refused, naming the line."""
    monkeypatch.setattr(csvchunks, "MAX_RECORD_BYTES", 64 << 10)
    monkeypatch.setattr(csvchunks, "CHUNK_BYTES", 4 << 10)
    rows = "".join(f"A{i},2024-03-01 10:00:00,d\n" for i in range(20_000))
    path = tmp_path / "open.csv"
    path.write_text('id,received,district\nA,2024-03-01 10:00:00,"open\n' + rows, encoding="utf-8")
    err = check_ingest([path], tmp_path / "ds", mapping=write_mapping(tmp_path), family="regression")
    assert isinstance(err, Exception) and "line 2: a quoted value opened there runs for more than" in str(err)
