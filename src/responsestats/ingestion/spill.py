"""Sorted runs of 64-bit hashes on disk: what the bounded sets of an ingest spill once their memory is full.

An ingest remembers up to three hashes per row of a file (the record's and its incident id's in
:class:`~.fingerprints.SeenHashes`, its key in :class:`~.reexports.FileKeys`). Each set keeps at most
:data:`MEMORY_BUDGET` hashes in memory; past it, it writes them, sorted and distinct, to a file in a
:class:`SpillSpace` (a :class:`SortedRun`; the ingest's space is a folder beside the dataset) and starts afresh. A run
is read back either whole, in chunks of bounded size (:meth:`SortedRun.chunks`, :meth:`SortedRun.merge`), or
page by page for membership tests (:meth:`SortedRun.contains_sorted`): only its *sparse index*, the first
value of every page of :data:`PAGE_VALUES` hashes (4 KiB), stays in memory, 1/512 of the run (15,625 bytes per
million hashes), and a lookup reads just the pages its queries fall in, one read per stretch of neighbouring
pages.

Files are written with ``ndarray.tofile`` and read with ``os.preadv`` into numpy arrays (a seek and
``readinto`` where the platform has no ``preadv``), never memory-mapped: mapped pages would count in the
process's resident memory, which is what spilling is meant to bound.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

#: Hashes a bounded set keeps in memory at most [count] (4 MiB of uint64) before it spills them to disk.
MEMORY_BUDGET = 1 << 19
#: Hashes per page of a run on disk [count] (4 KiB): the unit of the sparse index and of a lookup's reads.
PAGE_VALUES = 512
#: Hashes taken at a time from each run by a merge, or read at a time by a sequential read [count] (256 KiB).
_CHUNK_VALUES = 1 << 15
#: Pages read at most by one batch of a lookup [count] (1 MiB of buffer).
_LOOKUP_PAGES = 256
_EMPTY = np.zeros(0, np.uint64)


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array, in order [uint64] (a comparison of neighbours, no sort)."""
    if values.size < 2:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values if keep.all() else values[keep]


def _slices(values: np.ndarray, size: int | None = None) -> Iterator[np.ndarray]:
    """``values`` as views of ``size`` values each (default :data:`_CHUNK_VALUES`)."""
    size = size or _CHUNK_VALUES
    for lo in range(0, values.size, size):
        yield values[lo:lo + size]


def merged_stream(streams: list[Iterator[np.ndarray]]) -> Iterator[np.ndarray]:
    """The distinct values of sorted streams of arrays, merged: sorted pieces, each above the one before [uint64].

    Each step takes, from the chunk at hand of every stream, the values up to the smallest of their last
    values (every value up to it is at hand), so memory holds one chunk per stream and one merged piece.
    A stream may repeat a value across its chunks: the piece that follows may then start with the last
    value of the one before (:class:`_RunWriter` drops it).
    """
    live = [(s, head) for s in streams if (head := next(s, _EMPTY)).size]
    while live:
        limit = min(head[-1] for _, head in live)
        pieces, rest = [], []
        for s, head in live:
            cut = int(np.searchsorted(head, limit, "right"))
            pieces.append(head[:cut])
            head = head[cut:]
            if not head.size:
                head = next(s, _EMPTY)
            if head.size:
                rest.append((s, head))
        live = rest
        pieces = [p for p in pieces if p.size]
        if len(pieces) == 1:
            yield distinct_sorted(pieces[0])
        else:
            out = np.concatenate(pieces)
            out.sort(kind="stable")  # a merge of the sorted pieces
            yield distinct_sorted(out)


class SpillSpace:
    """A temporary folder for spilled runs: made on first use, removed (with everything in it) by :meth:`close`.

    Parameters
    ----------
    parent : path, optional
        Where the folder is made. Default: the system's temporary folder (``TMPDIR``).
    prefix : str
        The start of the folder's name.

    Notes
    -----
    Nothing touches the disk until a structure first spills: an ingest of files under the memory budget makes
    no folder at all. Use it as a context manager (``with SpillSpace(...) as space:``) so that the folder goes
    on success, on error and on Ctrl-C alike.
    """

    def __init__(self, parent: str | Path | None = None, prefix: str = "responsestats-spill-") -> None:
        self._parent = None if parent is None else str(parent)
        self._prefix = prefix
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._made = 0

    @property
    def folder(self) -> Path | None:
        """The folder, or None if nothing was spilled yet."""
        return None if self._tmp is None else Path(self._tmp.name)

    def new_file(self, stem: str, suffix: str = ".u64") -> Path:
        """A new file name in the folder (made now if it does not exist yet)."""
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix=self._prefix, dir=self._parent, ignore_cleanup_errors=True)
        self._made += 1
        return Path(self._tmp.name) / f"{stem}-{self._made}{suffix}"

    def close(self) -> None:
        """Remove the folder and every file in it (nothing if it was never made)."""
        if self._tmp is not None:
            tmp, self._tmp = self._tmp, None
            tmp.cleanup()

    def __enter__(self) -> SpillSpace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_PREADV = getattr(os, "preadv", None)


def _read_at(fh, offset: int, out: np.ndarray) -> None:
    """Fill ``out`` (a contiguous array) with the bytes of ``fh`` from ``offset`` [bytes]."""
    view = memoryview(out).cast("B")
    got = 0
    while got < len(view):
        if _PREADV is not None:
            n = _PREADV(fh.fileno(), [view[got:]], offset + got)
        else:
            fh.seek(offset + got)
            n = fh.readinto(view[got:])
        if not n:
            raise OSError(errno.EIO, f"{fh.name}: a spilled run ends early (at byte {offset + got})")
        got += n


def read_values(path: Path, offset: int, count: int) -> np.ndarray:
    """``count`` uint64 values of the file ``path`` from ``offset`` [bytes] [uint64]."""
    out = np.empty(count, np.uint64)
    if count:
        with open(path, "rb", buffering=0) as fh:
            _read_at(fh, offset, out)
    return out


class _RunWriter:
    """Writes sorted distinct values to a new run, piece by piece, keeping the first value of every page."""

    def __init__(self, space: SpillSpace) -> None:
        self._path = space.new_file("run")
        self._fh = open(self._path, "wb")
        self._n = 0
        self._index: list[np.ndarray] = []
        self._last: np.uint64 | None = None

    def add(self, values: np.ndarray) -> None:
        """Append sorted distinct values, all above those appended before (a repeat of the last is dropped)."""
        if values.size and self._last is not None and values[0] == self._last:
            values = values[1:]
        if not values.size:
            return
        self._index.append(values[(-self._n) % PAGE_VALUES::PAGE_VALUES].copy())
        values.tofile(self._fh)
        self._n += values.size
        self._last = values[-1]

    def finish(self) -> SortedRun:
        """Close the file; the run it holds."""
        self._fh.close()
        index = np.concatenate(self._index) if self._index else _EMPTY
        return SortedRun(self._path, self._n, index)

    def abandon(self) -> None:
        """Close and remove the file (an error met while writing it)."""
        self._fh.close()
        self._path.unlink(missing_ok=True)


class SortedRun:
    """Sorted distinct 64-bit hashes in a file, with a sparse index in memory: one value per page.

    Parameters
    ----------
    path : Path
        The file: the values as native uint64, ascending, none twice.
    n : int
        Values in the file [count].
    index : numpy.ndarray
        The first value of every page of :data:`PAGE_VALUES` values [uint64].

    Notes
    -----
    Make one with :meth:`write` or :meth:`merge`. Memory: the index, 8 bytes per :data:`PAGE_VALUES` values
    (15,625 bytes per million), and an open file.
    """

    def __init__(self, path: Path, n: int, index: np.ndarray) -> None:
        self.path = path
        self.n = n
        self.index = index
        self._fh = open(path, "rb", buffering=0)
        self._last: np.uint64 | None = None

    @classmethod
    def write(cls, space: SpillSpace, runs: list[np.ndarray]) -> SortedRun:
        """A new run in ``space`` of the distinct values of sorted arrays [uint64, at least one value in all].

        The arrays are merged as streams, :data:`_CHUNK_VALUES` of each at a time: no copy of them all is made.
        """
        return cls._written(space, [_slices(run) for run in runs])

    @classmethod
    def merge(cls, runs: list[SortedRun], space: SpillSpace) -> SortedRun:
        """A new run of the distinct values of ``runs``, merged as streams (two chunks of each at most)."""
        return cls._written(space, [run.chunks() for run in runs])

    @classmethod
    def _written(cls, space: SpillSpace, streams: list[Iterator[np.ndarray]]) -> SortedRun:
        writer = _RunWriter(space)
        try:
            for piece in merged_stream(streams):
                writer.add(piece)
        except BaseException:
            writer.abandon()
            raise
        return writer.finish()

    def chunks(self, size: int | None = None) -> Iterator[np.ndarray]:
        """The values in order, ``size`` at a time (default :data:`_CHUNK_VALUES`) [uint64]."""
        size = size or _CHUNK_VALUES
        for lo in range(0, self.n, size):
            out = np.empty(min(size, self.n - lo), np.uint64)
            _read_at(self._fh, 8 * lo, out)
            yield out

    @property
    def last(self) -> np.uint64:
        """The largest value (read once from the file)."""
        if self._last is None:
            out = np.empty(1, np.uint64)
            _read_at(self._fh, 8 * (self.n - 1), out)
            self._last = out[0]
        return self._last

    def contains_sorted(self, queries: np.ndarray) -> np.ndarray:
        """Mask of the ``queries`` [uint64, sorted] that the run holds [bool].

        Each query's page is found in the sparse index; the pages needed are read in batches of at most
        :data:`_LOOKUP_PAGES`, one read per stretch of neighbouring pages, into one buffer that is then
        searched once (a sorted run's pages, taken in order, are sorted too).
        """
        found = np.zeros(queries.size, bool)
        if not queries.size or not self.n:
            return found
        page = np.searchsorted(self.index, queries, "right") - 1  # -1: below the run's first value
        inside = np.flatnonzero((page >= 0) & (queries <= self.last))
        if not inside.size:
            return found
        page = page[inside]
        first_of_page = np.flatnonzero(np.diff(page, prepend=-1))  # queries are sorted: so are their pages
        pages = page[first_of_page]
        for b in range(0, pages.size, _LOOKUP_PAGES):
            batch = pages[b:b + _LOOKUP_PAGES]
            buf = np.empty(batch.size * PAGE_VALUES, np.uint64)
            filled = 0
            cuts = np.flatnonzero(np.diff(batch) != 1) + 1
            for lo, hi in zip(np.r_[0, cuts].tolist(), np.r_[cuts, batch.size].tolist()):
                start = int(batch[lo]) * PAGE_VALUES
                stop = min(int(batch[hi - 1] + 1) * PAGE_VALUES, self.n)
                _read_at(self._fh, 8 * start, buf[filled:filled + stop - start])
                filled += stop - start
            q_lo = first_of_page[b]
            q_hi = first_of_page[b + batch.size] if b + batch.size < pages.size else inside.size
            rows = inside[q_lo:q_hi]
            data, q = buf[:filled], queries[rows]
            pos = np.searchsorted(data, q)
            pos[pos == filled] = 0
            found[rows] = data[pos] == q
        return found

    def close(self) -> None:
        """Close and remove the file."""
        if not self._fh.closed:
            self._fh.close()
        self.path.unlink(missing_ok=True)
