"""What every source reader gives the ingest: a header, and blocks of raw text columns.

A *source* is one input file opened for reading (:mod:`.delimited`, :mod:`.excel`,
:mod:`.parquet`; :func:`~responsestats.sources.registry.open_source` picks one by the
file's extension). Every reader follows :class:`Source`, knows file formats and
encodings and nothing about call logs, and bounds its memory by the block size,
not by the file's size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa


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



class Source(Protocol):
    """An input file opened for block reading.

    Attributes
    ----------
    path : Path
        The file.
    header : list of str
        Column names, BOM and surrounding spaces removed, repeated names numbered
        (:func:`unique_names`).
    encoding : str or None
        The text encoding detected (None for typed files: Excel, Parquet).
    typed : bool
        True when cells come typed (dates, numbers) and are rendered as text by
        :func:`~responsestats.sources.cells.render_cell`; False when every cell is text.
    """

    path: Path
    header: list[str]
    encoding: str | None
    typed: bool

    def blocks(self, columns: list[str]) -> Iterator[RawBlock]:
        """Yield the given source columns (names of :attr:`header`), block by block, as text."""
        ...


def unique_names(names: list[str]) -> list[str]:
    """Number repeated column names (``A``, ``A.1``, ...) so that each is addressable.

    The first of a repeated name keeps it (a mapping reads that one). A number
    that another column has as its own name (``A, A, A.1``) is skipped, so the
    result never repeats a name.
    """
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


