"""Stream an input file as blocks of raw text columns.

The reader knows file formats (CSV, Excel ``.xlsx``/``.xls``, Parquet) and
encodings, nothing about call logs: it yields the mapped source columns as
strings, block by block, with each record's row number, and reports records
it could not split into the header's columns. Memory is bounded by the block
size, not by the file's size.

Typed cells (Excel dates and numbers, Parquet columns) are rendered as text
the same way everywhere (:func:`render_cell`): timestamps as
``YYYY-MM-DD HH:MM:SS[.ffffff]`` (zone-aware instants in UTC, with a ``Z``),
whole numbers without a decimal point, booleans as ``true``/``false``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ..config import DEFAULT_BLOCK_ROWS
from ..errors import UserError, one_line
from .csvchunks import iter_chunks, skip_records

#: Bytes per block of Arrow's CSV parser [bytes]: a chunk (csvchunks.CHUNK_BYTES) is parsed as several blocks, in
#: parallel (one block per chunk would parse on one core; measured: 1 MiB is faster and uses less memory).
CSV_BLOCK_BYTES = 1 << 20
_SNIFF_BYTES = 1 << 16
_UTF8_NAMES = {"utf8", "utf-8", "utf-8-sig", "utf_8", "utf_8_sig"}


@dataclass
class RawBlock:
    """One block of an input file, as text.

    Attributes
    ----------
    columns : dict of str to pyarrow.Array
        Source column name -> string values (null only where the cell is absent).
    rows : numpy.ndarray
        1-based record number of each row in the file, header excluded [int64].
    bad_records : list of (int, str)
        Records that could not be split into the header's columns:
        (record number, short description).
    """

    columns: dict[str, pa.Array]
    rows: np.ndarray
    bad_records: list[tuple[int, str]] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        return len(self.rows)


def detect_encoding(path: Path, encodings: tuple[str, ...]) -> str:
    """Pick the first encoding that decodes the start of the file.

    Parameters
    ----------
    path : Path
        Input file.
    encodings : tuple of str
        Candidate encodings, in order of preference.

    Raises
    ------
    UserError
        When none of the encodings decodes the file's first 64 KiB.
    """
    with open(path, "rb") as fh:
        sample = fh.read(_SNIFF_BYTES)
        whole = not fh.read(1)  # the sample is the whole file: a cut-off character at its end is an error
    for enc in encodings:
        try:
            codecs.getincrementaldecoder(enc)(errors="strict").decode(sample, final=whole)
        except (UnicodeDecodeError, LookupError):
            continue
        return enc
    raise UserError(f"{path}: cannot decode the file as any of {list(encodings)}; set 'encoding' in the mapping")


class CsvSource:
    """A CSV file read in blocks with pyarrow's streaming parser.

    Attributes ``path``, ``header``, ``encoding`` and ``typed`` (False: every
    cell is text) are shared by all sources.

    Parameters
    ----------
    path : Path
        The CSV file.
    encodings : tuple of str
        Candidate encodings (see :func:`detect_encoding`).
    delimiter : str
        Field delimiter.
    header_row : int
        0-based line of the header; lines before it are skipped.
    """

    def __init__(self, path: Path, encodings: tuple[str, ...], delimiter: str = ",", header_row: int = 0):
        self.path = Path(path)
        self.encoding = detect_encoding(self.path, encodings)
        self.delimiter = delimiter
        self.header_row = header_row
        self.typed = False
        self.header = self._read_header()

    def _arrow_encoding(self) -> str:
        return "utf8" if self.encoding.lower().replace("_", "-") in _UTF8_NAMES else self.encoding

    def _read_header(self) -> list[str]:
        """The header line's column names: BOM and surrounding spaces removed, duplicates numbered.

        The header lines are cut exactly where the data reader starts (:func:`.csvchunks.skip_records`)
        and only they are decoded; the csv module splits the header line into names.
        """
        import io

        with open(self.path, "rb") as fh:
            head = skip_records(fh, self.header_row + 1, ord(self.delimiter))
        try:
            text = head.decode(self.encoding)
        except UnicodeDecodeError as exc:
            line = head[: exc.start].count(b"\n") + 1
            raise UserError(f"{self.path}: line {line} (the header): byte {head[exc.start:exc.start + 1].hex()} "
                            f"is not valid {self.encoding} text; set 'encoding' in the mapping") from None
        try:
            lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter))
        except csv.Error as exc:
            raise UserError(f"{self.path}: cannot read the header line: {one_line(exc)}") from None
        names = lines[self.header_row] if len(lines) > self.header_row else None
        if not names or not any(n.strip() for n in names):
            raise UserError(f"{self.path}: the file is empty (no header line)")
        return _unique([n.replace("\ufeff", "").strip() for n in names])

    def blocks(self, columns: list[str]) -> Iterator[RawBlock]:
        """Yield the given source columns, block by block.

        The file is cut into chunks of whole records (:mod:`.csvchunks`) and
        each chunk is parsed by ``pyarrow.csv.read_csv`` on all cores, so memory
        stays at a few chunks whatever the file's size.

        Parameters
        ----------
        columns : list of str
            Source column names to read (others are never read).
        """
        bad_lines: list[int] = []  # 1-based line numbers within the current chunk
        parse = pacsv.ParseOptions(
            delimiter=self.delimiter, newlines_in_values=True,
            invalid_row_handler=lambda row: (bad_lines.append(row.number if row.number is not None else -1),
                                             "skip")[1],
        )
        convert = pacsv.ConvertOptions(
            column_types={c: pa.string() for c in columns}, include_columns=columns,
            strings_can_be_null=False, quoted_strings_can_be_null=False,
        )
        threaded = pacsv.ReadOptions(column_names=self.header, use_threads=True, block_size=CSV_BLOCK_BYTES)
        # Single-threaded parsing reports the line number of malformed records.
        numbered = pacsv.ReadOptions(column_names=self.header, use_threads=False, block_size=1 << 30)
        next_record = 1
        try:
            for chunk, replaced in iter_chunks(self.path, self.encoding, skip=self.header_row + 1,
                                               delimiter=self.delimiter):
                bad_lines.clear()
                buf = pa.py_buffer(chunk)
                try:
                    table = pacsv.read_csv(buf, read_options=threaded, parse_options=parse, convert_options=convert)
                except pa.ArrowInvalid as exc:
                    if "straddl" not in str(exc):
                        raise
                    # a record longer than a parser block: parse this chunk as one block
                    bad_lines.clear()
                    whole = pacsv.ReadOptions(column_names=self.header, use_threads=True, block_size=buf.size + 1)
                    table = pacsv.read_csv(buf, read_options=whole, parse_options=parse, convert_options=convert)
                if any(ln <= 0 for ln in bad_lines):
                    bad_lines.clear()
                    table = pacsv.read_csv(buf, read_options=numbered, parse_options=parse, convert_options=convert)
                # Malformed records take their numbers out of the sequence (pyarrow
                # numbers the chunk's records, not its lines: exact with quoted line breaks).
                skipped = sorted(next_record + ln - 1 for ln in bad_lines if ln > 0)
                rows = _number_rows(next_record, table.num_rows, skipped)
                bad = [(r, "record does not have the header's number of fields") for r in skipped]
                bad += [(-1, "record does not have the header's number of fields")] * sum(ln <= 0 for ln in bad_lines)
                next_record += table.num_rows + len(bad_lines)
                table = table.combine_chunks()
                cols = {c: table.column(c).chunk(0) if table.column(c).num_chunks else pa.array([], pa.string())
                        for c in columns}
                if replaced:
                    self._check_decoded(cols, rows)
                yield RawBlock(columns=cols, rows=rows, bad_records=bad)
        except pa.ArrowException as exc:
            msg = str(exc)
            if "UTF8" in msg or "utf8" in msg.lower():
                raise UserError(
                    f"{self.path}: the file is not valid {self.encoding} text past its start ({one_line(msg)}); "
                    "set 'encoding' in the mapping"
                ) from None
            raise UserError(f"{self.path}: cannot parse CSV: {one_line(msg)}") from None
        except UnicodeDecodeError as exc:
            raise UserError(f"{self.path}: the file is not valid {self.encoding} at byte {exc.start}") from None

    def _check_decoded(self, cols: dict[str, pa.Array], rows: np.ndarray) -> None:
        """Refuse a chunk whose read columns hold bytes that were not text (replaced by U+FFFD)."""
        import pyarrow.compute as pc

        for c, arr in cols.items():
            hit = pc.fill_null(pc.match_substring(arr, "\ufffd"), False)
            if pc.any(hit).as_py():
                record = int(rows[pc.index(hit, True).as_py()])
                raise UserError(
                    f"{self.path}: record {record}, column {c!r}: not valid {self.encoding} text; set 'encoding' "
                    "in the mapping (e.g. [\"utf-8-sig\", \"gb18030\", \"cp1252\"]), or re-save the file in one "
                    "encoding"
                )


def _unique(names: list[str]) -> list[str]:
    """Number repeated column names (``A``, ``A.1``, ...) so that each is addressable.

    The first of a repeated name keeps it (a mapping reads that one). A number
    that another column has as its own name (``A, A, A.1``) is skipped, so the
    result never repeats a name.
    """
    from collections import Counter

    ahead = Counter(names)  # names of this column and the ones after it
    seen: set[str] = set()
    out = []
    for name in names:
        ahead[name] -= 1
        new = name
        k = 0
        while new in seen or (k and ahead[new] > 0):
            k += 1
            new = f"{name}.{k}"
        seen.add(new)
        out.append(new)
    return out


def _number_rows(start: int, count: int, skipped: list[int]) -> np.ndarray:
    """Record numbers of ``count`` kept rows from ``start``, leaving out ``skipped``."""
    skip = sorted(r for r in skipped if r >= start)
    if not skip:
        return np.arange(start, start + count, dtype=np.int64)
    out = np.empty(count, np.int64)
    i = 0
    r = start
    k = 0
    while i < count:
        if k < len(skip) and r == skip[k]:
            k += 1
            r += 1
            continue
        out[i] = r
        i += 1
        r += 1
    return out


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
        self.header = _unique(names)

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


class ParquetSource:
    """A Parquet file read in record batches (``pyarrow.parquet.ParquetFile.iter_batches``).

    Parameters
    ----------
    path : Path
        The Parquet file.
    block_rows : int
        Rows per batch.
    """

    def __init__(self, path: Path, block_rows: int = DEFAULT_BLOCK_ROWS):
        import pyarrow.parquet as pq

        self.path = Path(path)
        self.block_rows = max(1, int(block_rows))
        self.encoding = None
        self.typed = True
        try:
            self._file = pq.ParquetFile(self.path)
        except (pa.ArrowException, OSError) as exc:
            raise UserError(f"{self.path}: not a readable Parquet file ({one_line(exc)})") from None
        names = list(self._file.schema_arrow.names)
        self.header = _unique(names)
        # header name -> (name in the file, which of the columns with that name)
        self._origin = {u: (n, names[:i].count(n)) for i, (u, n) in enumerate(zip(self.header, names))}

    def blocks(self, columns: list[str]) -> Iterator[RawBlock]:
        """Yield the given source columns as text, batch by batch (only those columns are read)."""
        wanted = list(dict.fromkeys(self._origin[c][0] for c in columns))
        batches = self._file.iter_batches(batch_size=self.block_rows, columns=wanted, use_threads=False)
        start = 1
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                break
            except (pa.ArrowException, OSError, ValueError, EOFError) as exc:  # damaged pages, bad compression
                raise UserError(f"{self.path}: not a readable Parquet file past its start ({one_line(exc)})") from None
            where: dict[tuple[str, int], int] = {}
            for j, name in enumerate(batch.schema.names):
                where[(name, sum(1 for k in where if k[0] == name))] = j
            cols = {}
            for c in columns:
                try:  # a damaged page can hold text that is not UTF-8: refuse it here, not deep in pandas
                    cols[c] = arrow_to_text(batch.column(where[self._origin[c]]))
                    cols[c].validate(full=True)
                except pa.ArrowException as exc:
                    raise UserError(f"{self.path}: column {c!r} is not readable as text ({one_line(exc)})") from None
            rows = np.arange(start, start + batch.num_rows, dtype=np.int64)
            start += batch.num_rows
            yield RawBlock(columns=cols, rows=rows)


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


def render_cell(value) -> str | None:
    """One typed cell as text (see the module docstring); None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return value.isoformat(sep=" ") + "Z"
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        total = int(round(value.total_seconds()))
        sign = "-" if total < 0 else ""
        h, rem = divmod(abs(total), 3600)
        return f"{sign}{h}:{rem // 60:02d}:{rem % 60:02d}"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def arrow_to_text(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A typed Arrow column as text, rendered like :func:`render_cell`."""
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    if pa.types.is_dictionary(t):
        return arrow_to_text(arr.dictionary_decode())
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return arr.cast(pa.string())
    if pa.types.is_timestamp(t):
        if t.tz is not None:
            utc = arr.cast(pa.timestamp(t.unit))  # the UTC instant
            return pc.binary_join_element_wise(_ts_text(utc), pa.scalar("Z"), pa.scalar(""))
        return _ts_text(arr)
    if pa.types.is_date(t):
        return pc.strftime(arr.cast(pa.date32()).cast(pa.timestamp("s")), format="%Y-%m-%d")
    if pa.types.is_floating(t):
        values = [render_cell(v) for v in arr.to_pylist()]
        return pa.array(values, pa.string())
    if pa.types.is_duration(t):
        seconds = pc.divide(arr.cast(pa.int64()).cast(pa.float64()),
                            {"s": 1, "ms": 1e3, "us": 1e6, "ns": 1e9}[t.unit])
        return pa.array([render_cell(v) for v in seconds.to_pylist()], pa.string())
    if pa.types.is_time(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return pa.array([render_cell(v) if not isinstance(v, bytes) else v.decode("utf-8", "replace")
                         for v in arr.to_pylist()], pa.string())
    if not pa.types.is_nested(t):
        try:
            return arr.cast(pa.string())
        except pa.ArrowException:
            pass
    # lists, structs, maps, intervals...: as JSON text (no canonical field reads them as they are)
    return pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                     for v in arr.to_pylist()], pa.string())


def _ts_text(arr: pa.Array) -> pa.Array:
    """Naive timestamps as ``YYYY-MM-DD HH:MM:SS``, with ``.ffffff`` only where there is a fraction."""
    import pyarrow.compute as pc

    text = pc.strftime(arr.cast(pa.timestamp("us"), safe=False), format="%Y-%m-%d %H:%M:%S")
    return pc.replace_substring_regex(text, pattern=r"\.000000$", replacement="")


def _block_from_rows(columns: list[str], rows: list[tuple], nums: list[int],
                     bad: list[tuple[int, str]]) -> RawBlock:
    cols = {c: pa.array([r[i] for r in rows], pa.string()) for i, c in enumerate(columns)}
    return RawBlock(columns=cols, rows=np.asarray(nums, np.int64), bad_records=list(bad))


def open_source(path: Path, encodings: tuple[str, ...] = ("utf-8-sig",), delimiter: str = ",", header_row: int = 0,
                sheet: str | int = 0, block_rows: int = DEFAULT_BLOCK_ROWS):
    """Open an input file for block reading, by its extension.

    Parameters
    ----------
    path : Path
        The input file: ``.csv``/``.txt``/``.tsv`` (or no extension), ``.xlsx``/``.xlsm``,
        ``.xls`` or ``.parquet``/``.pq``.
    encodings, delimiter : optional
        Text files only.
    header_row : int
        Text files and Excel.
    sheet : str or int
        Excel only.
    block_rows : int
        Rows per block, for Excel and Parquet (CSV blocks are sized in bytes).

    Returns
    -------
    CsvSource, ExcelSource or ParquetSource

    Raises
    ------
    UserError
        Missing file, or a file type that is not supported.
    """
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give the files inside it")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv", ""):
        return CsvSource(path, encodings, delimiter=delimiter, header_row=header_row)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return ExcelSource(path, sheet=sheet, header_row=header_row, block_rows=block_rows)
    if suffix in (".parquet", ".pq"):
        return ParquetSource(path, block_rows=block_rows)
    raise UserError(f"{path}: unsupported file type '{suffix}' (supported: .csv, .txt, .tsv, .xlsx, .xlsm, .xls, "
                    ".parquet)")
