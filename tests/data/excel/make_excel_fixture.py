"""Write the small workbook fixtures `calls.xls` and `dates.xls` (and return the rows, shared with the .xlsx tests).

``calls.xls`` ("Summary" and "Calls" sheets, a title row above the header) is
the call log that tests/formats/test_mapping_features.py ingests.

``dates.xls`` ("About" and "Dates" sheets, header on the first row) holds the
same kinds of cells stored both ways: date-times, dates and clock times as
serial numbers with a date format (``YYYY-MM-DD HH:MM:SS``, ``YYYY-MM-DD``,
``HH:MM:SS``; one at midnight, one with a fraction of a second) and as text,
whole and fractional numbers, booleans, a formula (xlwt stores no cached
result, so it reads as empty), empty cells, an empty row, and a row with a
cell past the header (ragged). tests/sources/test_excel.py reads it value by
value, and an .xlsx of the same rows written with :func:`write_dates_xlsx`.

``errors.xls`` (one "Errors" sheet) holds Excel's error values (``#DIV/0!``,
``#N/A``...) as error cells: they are read as their text, not as empty cells
(python-calamine 0.9.1 reads them as empty, one of the reasons it does not
replace xlrd). :func:`write_errors_xlsx` writes the same rows as an .xlsx.

The .xls files are committed: writing them needs xlwt, which is not a project
dependency (reading them needs only xlrd). Regenerate with::

    python -m venv /tmp/xlwt && /tmp/xlwt/bin/pip install xlwt
    /tmp/xlwt/bin/python tests/data/excel/make_excel_fixture.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HERE = Path(__file__).resolve().parent
TITLE = "Smalltown PD export, March 2024"
HEADER = ["Incident", "Received", "Arrived", "Travel", "Disposition", "Lat"]
# Row 4 of the data is blank and is skipped; row 6 has a cell past the last column (ragged).
ROWS = [
    [24001, dt.datetime(2024, 3, 1, 10, 0, 0), dt.datetime(2024, 3, 1, 10, 7, 30), "4:05", "ARR", 41.5],
    [24002, dt.datetime(2024, 3, 1, 23, 58, 0), None, "12:30:00", "RPT", 41.25],
    [24003, "03/02/2024 08:15:00", dt.datetime(2024, 3, 2, 8, 20, 0), None, "CIT", None],
    None,
    [24004, dt.datetime(2024, 3, 10, 2, 30, 0), None, None, None, 41.0],
    [24005, dt.datetime(2024, 3, 3, 9, 0, 0), None, None, "ARR", 41.0, "stray note"],
    [24006, "not a time", None, None, "RPT", 41.0],
]


class Formula:
    """A formula cell, written without a cached result.

    Not a dataclass: the tests load this script with importlib, without a
    ``sys.modules`` entry, which dataclasses need.

    Parameters
    ----------
    text : str
        The formula, without the ``=``.
    """

    def __init__(self, text: str):
        self.text = text


DATES_SHEETS = ["About", "Dates"]
DATES_NOTE = "dates as serial numbers and as text"
DATES_HEADER = ["Incident", "Received", "Day", "Clock", "Minutes", "Urgent", "Note"]
# Record 4 is an empty row; record 6 has a cell past the last column (ragged).
DATES_ROWS = [
    [24101, dt.datetime(2024, 3, 1, 10, 0, 0), dt.date(2024, 3, 1), dt.time(10, 0, 0), 7.5, True, "serial numbers"],
    [24102, "2024-03-01 23:58:00", "03/01/2024", "23:58", 12, False, "dates as text"],
    [24103, dt.datetime(2024, 3, 10, 0, 0, 0), dt.date(2024, 3, 10), dt.time(0, 0, 0), Formula("2*6"), None,
     "midnight; a formula"],
    None,
    [24104, dt.datetime(2024, 3, 2, 8, 15, 30, 250000), "2024-03-02", dt.time(12, 0, 0), 3.0, True, None],
    [24105, dt.datetime(2024, 3, 3, 9, 0, 0), None, None, None, None, None, "stray"],
    [24106, "not a date", None, "25:61", -3, False, "bad text"],
]
#: The number format of each kind of date cell.
DATE_FORMATS = {dt.datetime: "YYYY-MM-DD HH:MM:SS", dt.date: "YYYY-MM-DD", dt.time: "HH:MM:SS"}


def write_calls_xls(path: Path) -> Path:
    """Write ``calls.xls`` (needs xlwt)."""
    import xlwt

    book = xlwt.Workbook()
    book.add_sheet("Summary").write(0, 0, "see the Calls sheet")
    sheet = book.add_sheet("Calls")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM:SS")
    sheet.write(0, 0, TITLE)
    for c, name in enumerate(HEADER):
        sheet.write(1, c, name)
    for r, row in enumerate(ROWS, start=2):
        for c, value in enumerate(row or []):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write(r, c, value, date_style)
            else:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_dates_xls(path: Path) -> Path:
    """Write ``dates.xls`` (needs xlwt): dates, times and numbers as typed cells, and as text."""
    import xlwt

    book = xlwt.Workbook()
    book.add_sheet(DATES_SHEETS[0]).write(0, 0, DATES_NOTE)
    sheet = book.add_sheet(DATES_SHEETS[1])
    styles = {kind: xlwt.easyxf(num_format_str=fmt) for kind, fmt in DATE_FORMATS.items()}
    for r, row in enumerate([DATES_HEADER, *DATES_ROWS]):
        for c, value in enumerate(row or []):
            if value is None:
                continue
            if isinstance(value, Formula):
                sheet.write(r, c, xlwt.Formula(value.text))
            elif type(value) in styles:
                sheet.write(r, c, _serial(value), styles[type(value)])
            else:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def _serial(value: dt.datetime | dt.date | dt.time) -> float:
    """A date, date-time or time as an Excel serial number [days since 1899-12-30], with its microseconds.

    xlwt drops the microseconds of the ``datetime`` it is given: the fixture writes serial numbers itself.
    """
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return (value - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1)


def write_dates_xlsx(path: Path) -> Path:
    """Write the rows of ``dates.xls`` as an .xlsx (with openpyxl), same sheets, formats and cells."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = DATES_SHEETS[0]
    wb.active["A1"] = DATES_NOTE
    ws = wb.create_sheet(DATES_SHEETS[1])
    for r, row in enumerate([DATES_HEADER, *DATES_ROWS], start=1):
        for c, value in enumerate(row or [], start=1):
            if value is None:
                continue
            cell = ws.cell(r, c, f"={value.text}" if isinstance(value, Formula) else value)
            if type(value) in DATE_FORMATS:
                cell.number_format = DATE_FORMATS[type(value)].lower()
    wb.save(path)
    return path


ERRORS_HEADER = ["Incident", "Result", "Note"]
#: Excel's error values by their BIFF code (xlwt's own table maps ``#VALUE!`` to the code of ``#NUM!``).
ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A"}
# Each error value in the Result column, then an empty Result.
ERRORS_ROWS = [[24201 + i, text, f"error code {code}"] for i, (code, text) in enumerate(ERROR_CODES.items())]
ERRORS_ROWS.append([24201 + len(ERROR_CODES), None, "empty"])


def write_errors_xls(path: Path) -> Path:
    """Write ``errors.xls`` (needs xlwt): the Result column as error cells."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Errors")
    codes = {text: code for code, text in ERROR_CODES.items()}
    for r, row in enumerate([ERRORS_HEADER, *ERRORS_ROWS]):
        for c, value in enumerate(row):
            if value is None:
                continue
            if r and value in codes:
                sheet.row(r).set_cell_error(c, codes[value])
            else:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_errors_xlsx(path: Path) -> Path:
    """Write the rows of ``errors.xls`` as an .xlsx (openpyxl stores an error's text as an error cell)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Errors"
    for row in [ERRORS_HEADER, *ERRORS_ROWS]:
        ws.append(row)
    wb.save(path)
    return path


def main() -> None:
    write_calls_xls(HERE / "calls.xls")
    write_dates_xls(HERE / "dates.xls")
    write_errors_xls(HERE / "errors.xls")


if __name__ == "__main__":
    main()
