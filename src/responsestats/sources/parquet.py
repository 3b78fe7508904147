"""Parquet files read in record batches, their typed columns rendered as text.

Memory is bounded by the block size and by :data:`MAX_COLUMN_CHUNK_BYTES`: pages are read through a
buffer of :data:`READ_BUFFER_BYTES` (not a whole column chunk at once), and a column chunk whose declared
uncompressed size is over the limit is refused before any of it is read. The footer is bounded by pyarrow's
own Thrift limits (100 MB of strings, 1,000,000 list entries).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..config import DEFAULT_BLOCK_ROWS
from ..errors import UserError, one_line
from .base import RawBlock, check_regular_file, format_bytes, unique_names
from .cells import arrow_to_text

#: Declared uncompressed size of one column chunk (one column of one row group) read [bytes]. Writers cut row
#: groups at about a million rows or 128 MB, well under this.
MAX_COLUMN_CHUNK_BYTES = 1 << 30
#: Bytes read from the file at a time [bytes] (pyarrow's ``buffer_size``: a page at a time, not a column chunk).
READ_BUFFER_BYTES = 1 << 20


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
        check_regular_file(self.path)
        self.block_rows = max(1, int(block_rows))
        self.encoding = None
        self.typed = True
        try:
            self._file = pq.ParquetFile(self.path, buffer_size=READ_BUFFER_BYTES)
        except (pa.ArrowException, OSError, ValueError) as exc:  # ValueError: e.g. column names that are not UTF-8
            raise UserError(
                f"{self.path}: not a readable Parquet file ({type(exc).__name__}: {one_line(exc)})") from None
        names = list(self._file.schema_arrow.names)
        self.header = unique_names(names)
        # header name -> (name in the file, which of the columns with that name)
        self._origin = {u: (n, names[:i].count(n)) for i, (u, n) in enumerate(zip(self.header, names))}

    def blocks(self, columns: list[str]) -> Iterator[RawBlock]:
        """Yield the given source columns as text, batch by batch (only those columns are read)."""
        wanted = list(dict.fromkeys(self._origin[c][0] for c in columns))
        self._check_chunk_sizes(set(wanted))
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

    def _check_chunk_sizes(self, names: set[str]) -> None:
        """Refuse a column chunk of ``names`` declared larger than :data:`MAX_COLUMN_CHUNK_BYTES` uncompressed."""
        try:
            self._check_chunk_sizes_of(names)
        except UserError:
            raise
        except (pa.ArrowException, OSError, ValueError) as exc:  # damaged metadata: a path that is not UTF-8...
            raise UserError(f"{self.path}: not a readable Parquet file ({type(exc).__name__}: {one_line(exc)})") \
                from None

    def _check_chunk_sizes_of(self, names: set[str]) -> None:
        meta = self._file.metadata
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            for j in range(group.num_columns):
                chunk = group.column(j)
                leaf = chunk.path_in_schema  # "name", or "name.child..." for a nested column
                top = next((n for n in names if leaf == n or leaf.startswith(n + ".")), None)
                if top is not None and chunk.total_uncompressed_size > MAX_COLUMN_CHUNK_BYTES:
                    raise UserError(
                        f"{self.path}: row group {g}, column {top!r}: {chunk.total_uncompressed_size / (1 << 20):,.0f} "
                        f"MiB uncompressed, more than {format_bytes(MAX_COLUMN_CHUNK_BYTES)}, the most read at once; "
                        "write the file with smaller row groups (e.g. pyarrow's row_group_size=1_000_000)")
