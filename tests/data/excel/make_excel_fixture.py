"""Write the small workbook fixture `calls.xls` (and return the rows, shared with the .xlsx test).

The .xls is committed: writing it needs xlwt, which is not a project dependency
(reading it needs only xlrd). Regenerate with::

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


def main() -> None:
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
    book.save(str(HERE / "calls.xls"))


if __name__ == "__main__":
    main()
