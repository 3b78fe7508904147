"""Delimited text files (CSV, TSV, TXT) streamed as blocks of raw text columns.

The file is cut into chunks of whole records (:mod:`.csvchunks`) and each chunk
is parsed by Arrow's CSV reader; the reader yields the mapped source columns as
strings, with each record's number, and reports records it could not split into
the header's columns.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import UserError, one_line
from .base import RawBlock, check_regular_file, unique_names
from .csvchunks import iter_chunks, skip_records

#: Bytes per block of Arrow's CSV parser [bytes]: a chunk (csvchunks.CHUNK_BYTES) is parsed as several blocks, in
#: parallel (one block per chunk would parse on one core; measured: 1 MiB is faster and uses less memory).
CSV_BLOCK_BYTES = 1 << 20
#: Bytes of the file's start that :func:`detect_encoding` decodes [bytes] (one more is read, to tell the end).
_SNIFF_BYTES = 1 << 16
_UTF8_NAMES = {"utf8", "utf-8", "utf-8-sig", "utf_8", "utf_8_sig"}


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
        check_regular_file(self.path)  # a FIFO would block the first open; /dev/zero would never end
        self.encoding = detect_encoding(self.path, encodings)
        self.delimiter = delimiter
        self.header_row = header_row
        self.typed = False
        self.header = self._read_header()

    def _arrow_encoding(self) -> str:
        return "utf8" if self.encoding.lower().replace("_", "-") in _UTF8_NAMES else self.encoding

    def _read_header(self) -> list[str]:
        """The header line's column names: BOM and surrounding spaces removed, duplicates numbered.

        The header lines are cut exactly where the data reader starts (:func:`.csvchunks.skip_records`, which
        reads at most :data:`.csvchunks.MAX_HEADER_BYTES` [bytes] of them) and only they are decoded; the csv
        module splits the header line into names.
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
        return unique_names([n.replace("\ufeff", "").strip() for n in names])

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


