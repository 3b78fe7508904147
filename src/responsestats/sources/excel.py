"""Excel workbooks (``.xlsx``/``.xlsm``/``.xls``) streamed as blocks of raw text columns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..config import DEFAULT_BLOCK_ROWS
from ..errors import UserError, one_line
from .base import RawBlock, unique_names
from .cells import render_cell


class ExcelSource:
    """An Excel sheet streamed in blocks of rows.

    ``.xlsx``/``.xlsm`` are read with openpyxl in read-only mode (rows are
    parsed as they are iterated, the workbook is never loaded whole); ``.xls``
    with xlrd, whose sheets are loaded one at a time (``on_demand``).

    Parameters
    ----------
    path : Path
        The workbook.
    sheet : str or int
        Sheet name, or 0-based index.
    header_row : int
        0-based row of the header; rows above it are skipped.
    block_rows : int
        Rows per block.

    Notes
    -----
    Record numbers count sheet rows below the header, so that a record's
    spreadsheet row is ``source_row + header_row + 1``. Entirely empty rows
    are not records (spreadsheets keep formatted empty rows) and are skipped
    without renumbering the rows below them. A row with non-empty cells past
    the header's last column is reported as ragged.
    """

    def __init__(self, path: Path, sheet: str | int = 0, header_row: int = 0, block_rows: int = DEFAULT_BLOCK_ROWS):
        self.path = Path(path)
        self.sheet = sheet
        self.header_row = header_row
        self.block_rows = max(1, int(block_rows))
        self.encoding = None
        self.typed = True
        self._xls = self.path.suffix.lower() == ".xls"
        rows = self._rows()
        try:
            header = None
            for _ in range(self.header_row + 1):
                header = next(rows, None)
        finally:
            rows.close()
        if not header or not any(render_cell(v) for v in header):
            raise UserError(f"{self.path}: sheet {self.sheet!r} is empty (no header row {self.header_row + 1})")
        names = [(render_cell(v) or "").replace("\ufeff", "").strip() for v in header]
        while names and not names[-1]:
            names.pop()
        self.header = unique_names(names)

    def _rows(self) -> Iterator[tuple]:
        """Every row of the sheet as a tuple of Python values, top to bottom.

        A damaged workbook makes openpyxl, xlrd, zipfile or zlib raise almost
        anything (``struct.error``, ``AssertionError``, ``zlib.error``...), at
        opening or lazily while rows are read: all of it becomes one UserError.
        """
        inner = self._xls_rows() if self._xls else self._xlsx_rows()
        try:
            yield from inner
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 - third-party parsers of an untrusted file
            kind = ".xls" if self._xls else ".xlsx"
            raise UserError(
                f"{self.path}: not a readable {kind} workbook ({type(exc).__name__}: {one_line(exc)})") from None
        finally:
            inner.close()

    def _xlsx_rows(self) -> Iterator[tuple]:
        import zipfile

        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise UserError(f"{self.path}: not a readable .xlsx workbook ({one_line(exc)})") from None
        try:
            ws = _pick_sheet(self.path, wb.sheetnames, self.sheet, wb.__getitem__)
            yield from ws.iter_rows(values_only=True)
        finally:
            wb.close()

    def _xls_rows(self) -> Iterator[tuple]:
        import xlrd

        try:
            # xlrd writes its warnings to stdout by default, which would mix them into `--report -`
            book = xlrd.open_workbook(self.path, on_demand=True, logfile=_NullLog())
        except (xlrd.XLRDError, OSError, ValueError) as exc:
            raise UserError(f"{self.path}: not a readable .xls workbook ({one_line(exc)})") from None
        try:
            sh = _pick_sheet(self.path, book.sheet_names(), self.sheet, book.sheet_by_name)
            for r in range(sh.nrows):
                yield tuple(_xls_value(c, book.datemode) for c in sh.row(r))
        finally:
            book.release_resources()

    def blocks(self, columns: list[str]) -> Iterator[RawBlock]:
        """Yield the given source columns, block by block (see :meth:`CsvSource.blocks`)."""
        index = [self.header.index(c) for c in columns]
        width = len(self.header)
        rows = self._rows()
        try:
            for _ in range(self.header_row + 1):
                next(rows, None)
            record = 0
            buf: list[tuple] = []
            nums: list[int] = []
            bad: list[tuple[int, str]] = []
            for row in rows:
                record += 1
                cells = [render_cell(v) for v in row]
                if not any(c is not None and c.strip() for c in cells):
                    continue
                extra = [c for c in cells[width:] if c is not None and c.strip()]
                if extra:
                    last = max(i for i, c in enumerate(cells) if c is not None and c.strip()) + 1
                    bad.append((record, f"expected {width} fields, found {last}"))
                else:
                    buf.append(tuple(cells[i] if i < len(cells) else None for i in index))
                    nums.append(record)
                if len(buf) >= self.block_rows:
                    yield _block_from_rows(columns, buf, nums, bad)
                    buf, nums, bad = [], [], []
            if buf or bad:
                yield _block_from_rows(columns, buf, nums, bad)
        finally:
            rows.close()


class _NullLog:
    """A file-like sink for xlrd's log."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _pick_sheet(path: Path, names: list[str], sheet: str | int, by_name):
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise UserError(f"{path}: no sheet number {sheet} (0-based); the sheets are {names}")
        return by_name(names[sheet])
    if sheet not in names:
        raise UserError(f"{path}: no sheet named {sheet!r}; the sheets are {names}")
    return by_name(sheet)


def _xls_value(cell, datemode: int):
    """An xlrd cell as a Python value (dates as datetime or time, errors as their text)."""
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            value = xlrd.xldate_as_datetime(cell.value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return cell.value
        return value.time() if cell.value < 1 else value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    return cell.value


def _block_from_rows(columns: list[str], rows: list[tuple], nums: list[int],
                     bad: list[tuple[int, str]]) -> RawBlock:
    cols = {c: pa.array([r[i] for r in rows], pa.string()) for i, c in enumerate(columns)}
    return RawBlock(columns=cols, rows=np.asarray(nums, np.int64), bad_records=list(bad))


