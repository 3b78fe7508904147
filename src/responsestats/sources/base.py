"""What every source reader gives the ingest: a header, and blocks of raw text columns.

A *source* is one input file opened for reading (:mod:`.delimited`, :mod:`.excel`,
:mod:`.parquet`; :func:`~responsestats.sources.registry.open_source` picks one by the
file's extension). Every reader follows :class:`Source`, knows file formats and
encodings and nothing about call logs, and bounds its memory by the block size,
not by the file's size.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa

from ..errors import UserError

#: Bytes asked of the system per read of a small file [bytes] (:func:`read_small_file`).
_SMALL_READ_BYTES = 1 << 16


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


def check_regular_file(path: Path, what: str = "the input file") -> None:
    """Refuse anything but a regular file (missing, a folder, a FIFO, a device, a socket), without opening it.

    A FIFO would block the first ``open`` until some other program writes to it, and ``/dev/zero`` never
    ends: readers that open a file several times (encoding sniff, header, data, hash) need a real one.

    Parameters
    ----------
    path : Path
        The file.
    what : str
        What the file is, for the message (``"the input file"``).

    Raises
    ------
    UserError
        One line naming the file and what it is instead.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise UserError(f"{path}: is a folder; give the files inside it")
    if not stat.S_ISREG(mode):
        raise UserError(f"{path}: {what} is {_file_kind(mode)}, not a regular file; give a file saved on disk")


def read_small_file(path: Path, limit: int, what: str, hint: str, *, pipe: bool = False) -> bytes:
    """The bytes of a small file, reading at most ``limit + 1`` of them.

    The file is opened without blocking (a FIFO with no writer does not hang) and checked to be a regular
    file (or, with ``pipe``, a pipe such as ``<(command)``) before anything is read, so that a device such
    as ``/dev/zero`` or a file far over the limit is refused after ``limit + 1`` bytes, in bounded memory.

    Parameters
    ----------
    path : Path
        The file.
    limit : int
        Largest size accepted [bytes].
    what : str
        What the file is, for messages (``"lookup table"``, ``"the link salt"``).
    hint : str
        What to do when the file is larger than ``limit``, for the message.
    pipe : bool
        Accept a pipe (FIFO) too, read to its end or to ``limit + 1`` bytes.

    Returns
    -------
    bytes
        The whole file (at most ``limit`` bytes).

    Raises
    ------
    UserError
        The file cannot be opened, is not a regular file (or pipe), or is larger than ``limit``: one line
        naming the file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UserError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise UserError(f"{path}: {what} is a folder; give a file")
        if not (stat.S_ISREG(mode) or (pipe and stat.S_ISFIFO(mode))):
            raise UserError(f"{path}: {what} is {_file_kind(mode)}, not a regular file; give a file saved on disk")
        if getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)  # a pipe's writer may not have written yet
        parts: list[bytes] = []
        got = 0
        while got <= limit:
            part = os.read(fd, min(_SMALL_READ_BYTES, limit + 1 - got))
            if not part:
                break
            parts.append(part)
            got += len(part)
    except OSError as exc:
        raise UserError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if got > limit:
        raise UserError(f"{path}: {what} is larger than {format_bytes(limit)}, the most accepted; {hint}")
    return b"".join(parts)


def format_bytes(n: int) -> str:
    """A size for a message: ``256 MiB``, ``64 KiB``, ``100 bytes`` (exact powers of 1024 only get a unit)."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {unit}"
    return f"{n:,} bytes"


def _file_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"
