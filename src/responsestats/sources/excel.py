"""Excel workbooks (``.xlsx``/``.xlsm``/``.xls``) streamed as blocks of raw text columns.

Memory is bounded whatever the workbook holds. An ``.xlsx`` is a zip of XML parts that a few kilobytes can
inflate to gigabytes (one cell of 1 GB of text, 30 million rows, a shared-strings table of millions of
entries), and openpyxl keeps some of what it parses: the whole shared-strings table, the styles, and one
(cleared) element per row read. So every part is checked *while it is read*, before openpyxl builds
anything from it: a worksheet row or shared string over :data:`MAX_XML_ELEMENT_BYTES` or
:data:`MAX_XML_ELEMENT_TAGS`, more than :data:`MAX_SHEET_ROWS` rows, more than :data:`MAX_SHARED_STRINGS`
shared strings, and any other part over its declared size limit stop the read with one line. A ``.xls`` is
loaded a sheet at a time by xlrd, so its size is bounded (:data:`MAX_XLS_BYTES`; the format itself allows
65,536 rows). Cells longer than :data:`MAX_CELL_CHARS` are refused in both.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..config import DEFAULT_BLOCK_ROWS
from ..errors import UserError, one_line
from .base import RawBlock, check_regular_file, format_bytes, unique_names
from .cells import render_cell

#: Rows of a sheet, header and rows above it included [rows]: Excel's own maximum, 1,048,576 (an ``.xls``
#: holds at most 65,536).
MAX_SHEET_ROWS = 1 << 20
#: Characters of one cell [characters]: Excel's own maximum (a longer text cannot have come from Excel, and
#: no call-log field needs more).
MAX_CELL_CHARS = 32_767
#: XML of one worksheet row, or of one shared string, and of what comes before the first or after the last
#: [bytes]: a row of 16,384 cells of ordinary values is a few MiB; this bounds the memory of one row, and of
#: one cell, before it is parsed.
MAX_XML_ELEMENT_BYTES = 16 << 20
#: XML tags (``<`` characters) in one row or shared string [tags]: 8 for each of Excel's 16,384 columns.
MAX_XML_ELEMENT_TAGS = 1 << 17
#: Entries of the shared-strings table, which openpyxl holds whole [strings]: four distinct texts per row
#: of a full sheet.
MAX_SHARED_STRINGS = 1 << 22
#: Uncompressed size of the shared-strings table [bytes].
MAX_SHARED_STRINGS_BYTES = 256 << 20
#: Uncompressed size of every other part openpyxl reads whole (workbook, styles, relationships...) [bytes].
MAX_XLSX_PART_BYTES = 16 << 20
#: Size of an ``.xls`` file, which xlrd reads whole [bytes] (a full 65,536-row sheet is a few tens of MiB).
MAX_XLS_BYTES = 128 << 20

#: What to do when a workbook is over a limit.
_SAVE_AS_CSV = "save the sheet as CSV (UTF-8) and ingest that"
#: Bytes kept from the end of one read to find a start tag cut between two reads [bytes].
_TAG_OVERLAP = 64


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
        check_regular_file(self.path)
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
        self._check_cells(names, self.header_row + 1)
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
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            # openpyxl.load_workbook, with the archive replaced by one whose parts are checked as they are read
            reader = ExcelReader(self.path, read_only=True, data_only=True)
            reader.archive.close()
            reader.archive = _CheckedZip(self.path)
            reader.valid_files = reader.archive.namelist()
            reader.read()
            wb = reader.wb
        except UserError:
            raise
        except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            if isinstance(exc.__cause__, UserError):  # a limit, met while openpyxl read the workbook
                raise exc.__cause__ from None
            raise UserError(f"{self.path}: not a readable .xlsx workbook ({one_line(exc)})") from None
        try:
            ws = _pick_sheet(self.path, wb.sheetnames, self.sheet, wb.__getitem__)
            ws.reset_dimensions()  # a `dimension` of XFD1048576 would pad every row to 16,384 cells
            yield from ws.iter_rows(values_only=True)
        finally:
            wb.close()

    def _xls_rows(self) -> Iterator[tuple]:
        import xlrd

        size = self.path.stat().st_size
        if size > MAX_XLS_BYTES:
            raise UserError(f"{self.path}: the .xls workbook is {size / (1 << 20):,.0f} MiB, more than "
                            f"{format_bytes(MAX_XLS_BYTES)}, the most read; {_SAVE_AS_CSV}")
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
            last_row = MAX_SHEET_ROWS - self.header_row - 1  # the last record a sheet can hold
            for row in rows:
                record += 1
                if record > last_row:
                    raise UserError(f"{self.path}: sheet {self.sheet!r} has more than {MAX_SHEET_ROWS:,} rows, "
                                    f"Excel's maximum; {_SAVE_AS_CSV}")
                cells = [render_cell(v) for v in row]
                if not any(c is not None and c.strip() for c in cells):
                    continue
                if max(map(len, filter(None, cells))) > MAX_CELL_CHARS:
                    self._check_cells(cells, record + self.header_row + 1)
                extra = [c for c in cells[width:] if c is not None and c.strip()]
                if extra:
                    last = max(i for i, c in enumerate(cells) if c is not None and c.strip()) + 1
                    bad.append((record, f"expected {width} fields, found {last}"))
                else:
                    buf.append(tuple(cells[i] if i < len(cells) else None for i in index))
                    nums.append(record)
                if len(buf) + len(bad) >= self.block_rows:  # ragged rows too: a sheet of them is not held whole
                    yield _block_from_rows(columns, buf, nums, bad)
                    buf, nums, bad = [], [], []
            if buf or bad:
                yield _block_from_rows(columns, buf, nums, bad)
        finally:
            rows.close()


    def _check_cells(self, cells: list[str | None], sheet_row: int) -> None:
        """Refuse a cell longer than :data:`MAX_CELL_CHARS`, naming it (``sheet_row`` is 1-based)."""
        for i, c in enumerate(cells):
            if c is not None and len(c) > MAX_CELL_CHARS:
                from openpyxl.utils import get_column_letter

                raise UserError(f"{self.path}: sheet {self.sheet!r}, cell {get_column_letter(i + 1)}{sheet_row}: "
                                f"{len(c):,} characters, more than {MAX_CELL_CHARS:,} (Excel's maximum); shorten "
                                f"that cell, or {_SAVE_AS_CSV}")


class _CheckedZip(zipfile.ZipFile):
    """A zip archive whose XML parts are checked against the limits while they are read (see the module).

    Worksheets and the shared-strings table are streamed through :class:`_XmlLimits`; every other part is
    refused when its declared size (which :mod:`zipfile` never reads past) is over :data:`MAX_XLSX_PART_BYTES`.
    """

    def __init__(self, path: Path):
        super().__init__(path, "r")
        self._where = Path(path)

    def open(self, name, mode="r", pwd=None, **kwargs):
        """:meth:`zipfile.ZipFile.open`, checked: worksheets and shared strings streamed, other parts by size."""
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if mode != "r":
            return super().open(name, mode, pwd, **kwargs)
        part = info.filename
        if re.search(r"(^|/)worksheets/[^/]+\.xml$", part, re.IGNORECASE):
            return _XmlLimits(super().open(info, mode, pwd, **kwargs), self._where, part, b"row", MAX_SHEET_ROWS,
                              "rows, Excel's maximum")
        if re.search(r"(^|/)sharedStrings\.xml$", part, re.IGNORECASE):
            if info.file_size > MAX_SHARED_STRINGS_BYTES:
                raise UserError(f"{self._where}: its shared strings ({part}) are "
                                f"{info.file_size / (1 << 20):,.0f} MiB of XML, more than "
                                f"{format_bytes(MAX_SHARED_STRINGS_BYTES)}; {_SAVE_AS_CSV}")
            return _XmlLimits(super().open(info, mode, pwd, **kwargs), self._where, part, b"si", MAX_SHARED_STRINGS,
                              "shared strings")
        if info.file_size > MAX_XLSX_PART_BYTES:
            raise UserError(f"{self._where}: its part {part} is {info.file_size / (1 << 20):,.0f} MiB of XML, more "
                            f"than {format_bytes(MAX_XLSX_PART_BYTES)}; {_SAVE_AS_CSV}")
        return super().open(info, mode, pwd, **kwargs)


class _XmlLimits:
    """A binary stream of one XML part that refuses, as it is read, elements too large or too many.

    The part is cut at the start tags of ``element`` (``<row``, ``<si``, with or without a namespace
    prefix): each piece (one element, and the XML before the first or after the last) must hold at most
    :data:`MAX_XML_ELEMENT_BYTES` and :data:`MAX_XML_ELEMENT_TAGS`, and there must be at most ``most``
    pieces. Nothing is parsed here; the checks cost one vectorised pass over the bytes.
    """

    def __init__(self, raw, path: Path, part: str, element: bytes, most: int, what: str):
        self._raw = raw
        self._path = path
        self._part = part
        self._what = what
        self._most = most
        self._start = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?" + re.escape(element) + rb"[\s/>]")
        self._name = element.decode()
        self._pos = 0  # bytes read so far
        self._piece_at = 0  # where the current piece starts
        self._piece_tags = 0  # tags in the current piece so far
        self._count = 0  # start tags of `element` seen
        self._tail = b""  # the last bytes read, for a start tag cut between two reads

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            parts = []
            while part := self.read(1 << 20):
                parts.append(part)
            return b"".join(parts)
        data = self._raw.read(n)
        if data:
            self._check(data)
        return data

    def _check(self, data: bytes) -> None:
        lt = np.flatnonzero(np.frombuffer(data, np.uint8) == ord("<"))  # tags of this read, at their offsets
        scan = self._tail + data
        skip = len(self._tail)
        base = self._pos - skip
        # start tags not seen in the previous read, at their offsets in the part
        starts = np.fromiter((base + m.start() for m in self._start.finditer(scan) if m.end() > skip), np.int64)
        lt += self._pos
        if len(starts):
            before = np.searchsorted(lt, starts)  # tags of this read before each start tag
            sizes = np.diff(starts, prepend=self._piece_at)  # [bytes] of each piece that ends here
            tags = np.diff(before, prepend=0)
            tags[0] += self._piece_tags
            over = np.flatnonzero((sizes > MAX_XML_ELEMENT_BYTES) | (tags > MAX_XML_ELEMENT_TAGS))
            if len(over):
                self._too_large(self._count + int(over[0]))
            self._count += len(starts)
            if self._count > self._most:
                raise UserError(f"{self._path}: {self._part} holds more than {self._most:,} {self._what}; "
                                f"{_SAVE_AS_CSV}")
            self._piece_at = int(starts[-1])
            self._piece_tags = len(lt) - int(before[-1])
        else:
            self._piece_tags += len(lt)
        self._pos += len(data)
        self._tail = scan[-_TAG_OVERLAP:]
        if self._pos - self._piece_at > MAX_XML_ELEMENT_BYTES or self._piece_tags > MAX_XML_ELEMENT_TAGS:
            self._too_large(self._count)

    def _too_large(self, number: int) -> None:
        """Refuse the ``number``-th element (0: the XML before the first one) as too large."""
        which = f"{self._name} element {number:,}" if number else f"the XML before the first {self._name}"
        raise UserError(f"{self._path}: {self._part}: {which} is larger than {format_bytes(MAX_XML_ELEMENT_BYTES)} "
                        f"or {MAX_XML_ELEMENT_TAGS:,} XML tags (is a cell far too long?); {_SAVE_AS_CSV}")

    def close(self) -> None:
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


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


