"""Parquet files read in record batches, their typed columns rendered as text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..config import DEFAULT_BLOCK_ROWS
from ..errors import UserError, one_line
from .base import RawBlock, unique_names
from .cells import arrow_to_text


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
        except (pa.ArrowException, OSError, ValueError) as exc:  # ValueError: e.g. column names that are not UTF-8
            raise UserError(f"{self.path}: not a readable Parquet file ({type(exc).__name__}: {one_line(exc)})") from None
        names = list(self._file.schema_arrow.names)
        self.header = unique_names(names)
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


