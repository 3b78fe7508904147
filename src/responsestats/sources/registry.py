"""Open an input file with the reader its extension calls for."""

from __future__ import annotations

from pathlib import Path

from ..config import DEFAULT_BLOCK_ROWS
from ..errors import UserError
from .base import Source, check_regular_file
from .delimited import CsvSource
from .excel import ExcelSource
from .parquet import ParquetSource


def open_source(path: Path, encodings: tuple[str, ...] = ("utf-8-sig",), delimiter: str = ",", header_row: int = 0,
                sheet: str | int = 0, block_rows: int = DEFAULT_BLOCK_ROWS) -> Source:
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
    Source
        A :class:`~.delimited.CsvSource`, :class:`~.excel.ExcelSource` or :class:`~.parquet.ParquetSource`.

    Raises
    ------
    UserError
        Missing file, a folder, a FIFO or device (:func:`~.base.check_regular_file`), or a file type that is not
        supported.
    """
    path = Path(path)
    check_regular_file(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv", ""):
        return CsvSource(path, encodings, delimiter=delimiter, header_row=header_row)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return ExcelSource(path, sheet=sheet, header_row=header_row, block_rows=block_rows)
    if suffix in (".parquet", ".pq"):
        return ParquetSource(path, block_rows=block_rows)
    raise UserError(f"{path}: unsupported file type '{suffix}' (supported: .csv, .txt, .tsv, .xlsx, .xlsm, .xls, "
                    ".parquet)")
