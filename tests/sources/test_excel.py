"""The Excel reader: typed cells rendered as text, sheets, header row, record numbers, ragged and empty rows.

The fixture ``tests/data/excel/dates.xls`` (see make_excel_fixture.py) holds dates,
times and numbers both as typed cells (serial numbers with a date format) and as
text; :func:`make_excel_fixture.write_dates_xlsx` writes the same rows as an .xlsx.
The expected strings below are written out by hand.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from responsestats.errors import UserError
from responsestats.sources import open_source
from responsestats.sources.excel import ExcelSource

from paths import EXCEL_DIR

DATES_XLS = EXCEL_DIR / "dates.xls"
ERRORS_XLS = EXCEL_DIR / "errors.xls"
HEADER = ["Incident", "Received", "Day", "Clock", "Minutes", "Urgent", "Note"]
# record number -> the row's cells as text (record 4 is an empty row, record 6 is ragged)
EXPECTED = {
    1: ["24101", "2024-03-01 10:00:00", "2024-03-01 00:00:00", "10:00:00", "7.5", "true", "serial numbers"],
    2: ["24102", "2024-03-01 23:58:00", "03/01/2024", "23:58", "12", "false", "dates as text"],
    3: ["24103", "2024-03-10 00:00:00", "2024-03-10 00:00:00", "00:00:00", None, None, "midnight; a formula"],
    5: ["24104", "2024-03-02 08:15:30.250000", "2024-03-02", "12:00:00", "3", "true", None],
    7: ["24106", "not a date", None, "25:61", "-3", "false", "bad text"],
}
RAGGED = [(6, "expected 7 fields, found 8")]


def _fixture_script():
    spec = importlib.util.spec_from_file_location("make_excel_fixture", EXCEL_DIR / "make_excel_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def dates_xlsx(tmp_path) -> Path:
    """The rows of dates.xls, as an .xlsx written with openpyxl."""
    return _fixture_script().write_dates_xlsx(tmp_path / "dates.xlsx")


def _read(src, columns: list[str] | None = None) -> tuple[dict[int, list], list[tuple[int, str]], list[list[int]]]:
    """All blocks of a source: record -> cells, the bad records, and the record numbers of each block."""
    columns = src.header if columns is None else columns
    rows: dict[int, list] = {}
    bad: list[tuple[int, str]] = []
    per_block = []
    for block in src.blocks(columns):
        values = [block.columns[c].to_pylist() for c in columns]
        for i, record in enumerate(block.rows.tolist()):
            rows[record] = [v[i] for v in values]
        bad.extend(block.bad_records)
        per_block.append(block.rows.tolist())
    return rows, bad, per_block


def test_xls_dates_stored_as_serial_numbers_and_as_text():
    src = ExcelSource(DATES_XLS, sheet="Dates", block_rows=2)
    assert (src.header, src.typed, src.encoding) == (HEADER, True, None)
    rows, bad, per_block = _read(src)
    expected = {k: list(v) for k, v in EXPECTED.items()}
    expected[3][4] = ""  # xlrd reads a formula that has no cached result (xlwt writes none) as an empty text cell
    assert rows == expected
    assert bad == RAGGED
    assert per_block == [[1, 2], [3, 5], [7]]  # 2 rows a block; the empty record 4 and the ragged 6 are not rows


def test_xlsx_same_cells_as_xls(dates_xlsx):
    src = ExcelSource(dates_xlsx, sheet="Dates", block_rows=2)
    assert src.header == HEADER
    rows, bad, per_block = _read(src)
    assert rows == EXPECTED  # the formula has no cached value: an empty cell
    assert bad == RAGGED
    assert per_block == [[1, 2], [3, 5], [7]]


@pytest.mark.parametrize("kind", ["xls", "xlsx"])
def test_columns_read_in_any_order(kind, dates_xlsx):
    book = DATES_XLS if kind == "xls" else dates_xlsx
    rows, _, _ = _read(ExcelSource(book, sheet="Dates"), ["Note", "Received"])
    assert rows == {k: [v[6], v[1]] for k, v in EXPECTED.items()}


@pytest.mark.parametrize("kind", ["xls", "xlsx"])
def test_sheet_by_name_or_index(kind, dates_xlsx):
    book = DATES_XLS if kind == "xls" else dates_xlsx
    about = ["dates as serial numbers and as text"]
    assert ExcelSource(book).header == about  # the first sheet by default
    assert ExcelSource(book, sheet=0).header == about
    assert ExcelSource(book, sheet="About").header == about
    assert ExcelSource(book, sheet=1).header == HEADER
    assert ExcelSource(book, sheet="Dates").header == HEADER
    assert open_source(book, sheet="Dates", block_rows=2).header == HEADER


@pytest.mark.parametrize("kind", ["xls", "xlsx"])
def test_missing_sheet_is_a_user_error(kind, dates_xlsx):
    book = DATES_XLS if kind == "xls" else dates_xlsx
    sheets = r"the sheets are \['About', 'Dates'\]$"
    with pytest.raises(UserError, match=rf"dates\.{kind}: no sheet named 'Calls'; {sheets}"):
        ExcelSource(book, sheet="Calls")
    for number in (2, -1):
        with pytest.raises(UserError, match=rf"dates\.{kind}: no sheet number {number} \(0-based\); {sheets}"):
            ExcelSource(book, sheet=number)


@pytest.mark.parametrize("kind", ["xls", "xlsx"])
def test_error_cells_read_as_their_text(kind, tmp_path):
    """Excel's error values are read as their text, not as empty cells (errors.xls, and the same rows as .xlsx).

    python-calamine 0.9.1 reads them as empty cells: one reason it does not replace xlrd (issue 12).
    """
    book = ERRORS_XLS if kind == "xls" else _fixture_script().write_errors_xlsx(tmp_path / "errors.xlsx")
    src = ExcelSource(book, sheet="Errors")
    assert src.header == ["Incident", "Result", "Note"]
    rows, bad, _ = _read(src)
    assert rows == {
        1: ["24201", "#NULL!", "error code 0"],
        2: ["24202", "#DIV/0!", "error code 7"],
        3: ["24203", "#VALUE!", "error code 15"],
        4: ["24204", "#REF!", "error code 23"],
        5: ["24205", "#NAME?", "error code 29"],
        6: ["24206", "#NUM!", "error code 36"],
        7: ["24207", "#N/A", "error code 42"],
        8: ["24208", None, "empty"],
    }
    assert bad == []


def _write_xlsx(path: Path, rows: list[list], *, origin: tuple[int, int] = (1, 1), epoch=None) -> Path:
    """An .xlsx with one sheet "Calls", the rows written from cell ``origin`` (1-based row, column)."""
    import openpyxl

    wb = openpyxl.Workbook()
    if epoch is not None:
        wb.epoch = epoch
    ws = wb.active
    ws.title = "Calls"
    for r, row in enumerate(rows, start=origin[0]):
        for c, value in enumerate(row, start=origin[1]):
            if value is not None:
                ws.cell(r, c, value)
    wb.save(path)
    return path


def test_empty_rows_skipped_without_renumbering(tmp_path):
    book = _write_xlsx(tmp_path / "calls.xlsx", [
        ["Export of 2024-03-01"],
        [],
        ["id", "received"],  # header_row = 2
        ["A1", "10:00"],
        [],
        [None, "   "],  # only spaces: empty too
        ["A4", "10:04"],
        [],
        ["A6", None],
        [],
    ])
    src = ExcelSource(book, header_row=2, block_rows=2)
    assert src.header == ["id", "received"]
    rows, bad, per_block = _read(src)
    assert rows == {1: ["A1", "10:00"], 4: ["A4", "10:04"], 6: ["A6", None]}
    assert bad == []
    assert per_block == [[1, 4], [6]]
    # a record's spreadsheet row is source_row + header_row + 1
    assert [r + src.header_row + 1 for r in rows] == [4, 7, 9]


def test_ragged_row_is_a_bad_record_not_a_row(tmp_path):
    book = _write_xlsx(tmp_path / "calls.xlsx", [
        ["id", "received", "note", None],  # a trailing empty header cell is not a column
        ["A1", "10:00", "ok"],
        ["A2", "10:01", "ok", "stray"],
        ["A3", "10:02", None, None, None, "far stray"],
        ["A4", "10:03", "ok", "   "],  # spaces past the header are not a value
    ])
    src = ExcelSource(book)
    assert src.header == ["id", "received", "note"]
    rows, bad, _ = _read(src)
    assert rows == {1: ["A1", "10:00", "ok"], 4: ["A4", "10:03", "ok"]}
    assert bad == [(2, "expected 3 fields, found 4"), (3, "expected 3 fields, found 6")]


def test_table_away_from_the_first_cell(tmp_path):
    """A table starting at C3: the empty rows above count for header_row, the empty columns stay columns."""
    book = _write_xlsx(tmp_path / "calls.xlsx", [["id", "received"], ["A1", dt.datetime(2024, 3, 1, 10, 0)]],
                       origin=(3, 3))
    src = ExcelSource(book, header_row=2)
    assert src.header == ["", ".1", "id", "received"]  # unnamed columns, numbered
    rows, bad, _ = _read(src, ["received", "id"])
    assert (rows, bad) == ({1: ["2024-03-01 10:00:00", "A1"]}, [])


def test_1904_date_system(tmp_path):
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = _write_xlsx(tmp_path / "mac.xlsx", [
        ["id", "received", "clock"],
        ["A1", dt.datetime(2024, 3, 1, 10, 0, 0), dt.time(8, 15, 30)],
    ], epoch=CALENDAR_MAC_1904)
    rows, _, _ = _read(ExcelSource(book))
    assert rows == {1: ["A1", "2024-03-01 10:00:00", "08:15:30"]}


@pytest.mark.parametrize("kind", ["xls", "xlsx"])
def test_damaged_workbook_is_one_user_error(tmp_path, kind, dates_xlsx):
    good = (DATES_XLS if kind == "xls" else dates_xlsx).read_bytes()
    damaged = tmp_path / f"damaged.{kind}"
    damaged.write_bytes(good[: len(good) // 2])
    with pytest.raises(UserError, match=rf"damaged\.{kind}: not a readable \.{kind} workbook \(.+\)$"):
        src = ExcelSource(damaged, sheet="Dates")
        _read(src)
    fake = tmp_path / f"fake.{kind}"
    fake.write_text("not a workbook")
    with pytest.raises(UserError, match=rf"fake\.{kind}: not a readable \.{kind} workbook"):
        ExcelSource(fake)


def test_empty_sheet_is_a_user_error(tmp_path):
    book = _write_xlsx(tmp_path / "empty.xlsx", [])
    with pytest.raises(UserError, match=r"empty\.xlsx: sheet 0 is empty \(no header row 1\)"):
        ExcelSource(book)
    with pytest.raises(UserError, match=r"dates\.xls: sheet 'About' is empty \(no header row 3\)"):
        ExcelSource(DATES_XLS, sheet="About", header_row=2)
    book = _write_xlsx(tmp_path / "blank.xlsx", [["Export of 2024-03-01"], [], ["id", "received"]])
    with pytest.raises(UserError, match=r"blank\.xlsx: sheet 'Calls' is empty \(no header row 2\)"):
        ExcelSource(book, sheet="Calls", header_row=1)  # the header row is there, but blank
