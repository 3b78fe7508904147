"""Stream an input file as blocks of raw text columns.

The reader knows file formats (CSV, and later Excel and Parquet) and
encodings, nothing about call logs: it yields the mapped source columns as
strings, block by block, with each record's row number, and reports records
it could not split into the header's columns. Memory is bounded by the block
size, not by the file's size.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import UserError

#: Bytes per CSV block handed to the parser.
CSV_BLOCK_BYTES = 8 << 20
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
    for enc in encodings:
        try:
            codecs.getincrementaldecoder(enc)(errors="strict").decode(sample, final=False)
        except (UnicodeDecodeError, LookupError):
            continue
        return enc
    raise UserError(f"{path}: cannot decode the file as any of {list(encodings)}; set 'encoding' in the mapping")


class CsvSource:
    """A CSV file read in blocks with pyarrow's streaming parser.

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
        self.header = self._read_header()

    def _arrow_encoding(self) -> str:
        return "utf8" if self.encoding.lower().replace("_", "-") in _UTF8_NAMES else self.encoding

    def _read_header(self) -> list[str]:
        """The header line's column names: BOM and surrounding spaces removed, duplicates numbered."""
        try:
            with open(self.path, encoding=self.encoding, newline="") as fh:
                reader = csv.reader(fh, delimiter=self.delimiter)
                names = None
                for _ in range(self.header_row + 1):
                    names = next(reader, None)
        except UnicodeDecodeError as exc:
            raise UserError(f"{self.path}: the header is not valid {self.encoding} text (byte {exc.start})") from None
        except csv.Error as exc:
            raise UserError(f"{self.path}: cannot read the header line: {exc}") from None
        if not names or not any(n.strip() for n in names):
            raise UserError(f"{self.path}: the file is empty (no header line)")
        return _unique([n.replace("\ufeff", "").strip() for n in names])

    def blocks(self, columns: list[str]) -> Iterator[RawBlock]:
        """Yield the given source columns, block by block.

        Parameters
        ----------
        columns : list of str
            Source column names to read (others are never read).
        """
        bad: list[tuple[int, str]] = []
        first_data_line = self.header_row + 2  # 1-based line number of record 1

        def on_invalid(row: pacsv.InvalidRow) -> str:
            record = (row.number - first_data_line + 1) if row.number is not None else -1
            bad.append((record, f"expected {row.expected_columns} fields, found {row.actual_columns}"))
            return "skip"

        try:
            reader = pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(
                    encoding=self._arrow_encoding(),
                    skip_rows=self.header_row + 1,
                    column_names=self.header,
                    block_size=CSV_BLOCK_BYTES,
                    use_threads=False,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in columns},
                    include_columns=columns,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            next_record = 1
            skipped: list[int] = []  # every malformed record number so far (few)
            for batch in reader:
                # Records skipped as malformed take their numbers out of the sequence.
                skipped.extend(r for r, _ in bad)
                rows = _number_rows(next_record, batch.num_rows, skipped)
                if len(rows):
                    next_record = int(rows[-1]) + 1
                cols = {c: batch.column(i) for i, c in enumerate(columns)}
                yield RawBlock(columns=cols, rows=rows, bad_records=bad[:])
                bad.clear()
            if bad:  # malformed records after the last batch
                yield RawBlock(columns={c: pa.array([], pa.string()) for c in columns},
                               rows=np.empty(0, np.int64), bad_records=bad[:])
        except pa.ArrowInvalid as exc:
            msg = str(exc)
            if "UTF8" in msg or "utf8" in msg.lower():
                raise UserError(
                    f"{self.path}: the file is not valid {self.encoding} text past its start ({msg}); "
                    "set 'encoding' in the mapping"
                ) from None
            raise UserError(f"{self.path}: cannot parse CSV: {msg}") from None
        except UnicodeDecodeError as exc:
            raise UserError(f"{self.path}: the file is not valid {self.encoding} at byte {exc.start}") from None



def _unique(names: list[str]) -> list[str]:
    """Number repeated column names (``A``, ``A.1``, ...) so that each is addressable."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
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


def open_source(path: Path, encodings: tuple[str, ...], delimiter: str = ",", header_row: int = 0) -> CsvSource:
    """Open an input file for block reading, by its extension.

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
    raise UserError(f"{path}: unsupported file type '{suffix}' (supported: .csv)")
