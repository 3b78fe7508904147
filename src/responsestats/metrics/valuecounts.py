"""Exact order statistics of many groups at once, from per-group value counts.

A group's sorted values are described exactly by its distinct values and how
often each occurs. That table is small when values repeat (CAD stamps are
whole seconds: a group of 10,000 response times holds a few hundred distinct
values) and it merges exactly: the counts of two parts of a group add up. So
the summaries compute it for every (interval, group) *cell* at once with one
sort, then take every percentile, confidence bound and mean from it by index
arithmetic, with no loop over groups; the Dask path
(:mod:`responsestats.metrics.distributed`) computes it per partition and adds
the parts up, and gets the same numbers.

A :class:`ValueCounts` table holds, sorted by (cell, value), the distinct
values of each cell and their counts. Cells are numbered ``0 .. n_cells - 1``;
a cell without values has no rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .quantiles import ci_ranks

#: Packed sort keys ``cell * span + value`` must stay below this.
_PACKED_LIMIT = 2**62


@dataclass(frozen=True)
class ValueCounts:
    """Distinct values per cell with their counts, sorted by (cell, value).

    Attributes
    ----------
    cell : numpy.ndarray of int64
        Cell of each row, ascending.
    value : numpy.ndarray of float64
        Distinct values [s], ascending within a cell.
    count : numpy.ndarray of int64
        How many times each value occurs in its cell (> 0).
    """

    cell: np.ndarray
    value: np.ndarray
    count: np.ndarray

    @classmethod
    def empty(cls) -> ValueCounts:
        return cls(np.zeros(0, "int64"), np.zeros(0, "float64"), np.zeros(0, "int64"))

    def __len__(self) -> int:
        return self.cell.size


def _runs(cell: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Start of every run of equal (cell, value) pairs in arrays sorted by (cell, value)."""
    if cell.size == 0:
        return np.zeros(0, dtype=np.intp)
    change = np.empty(cell.size, dtype=bool)
    change[0] = True
    np.not_equal(cell[1:], cell[:-1], out=change[1:])
    change[1:] |= value[1:] != value[:-1]
    return np.flatnonzero(change)


def count_values(cell: np.ndarray, ticks: np.ndarray, ticks_per_second: int) -> ValueCounts:
    """Count the distinct values of each cell.

    Parameters
    ----------
    cell : numpy.ndarray of int
        Cell of each value (>= 0).
    ticks : numpy.ndarray of int64
        The values as whole clock ticks (e.g. microseconds): exact, so equal
        times count as equal.
    ticks_per_second : int
        Ticks in one second; the table's values are ``ticks / ticks_per_second``.

    Returns
    -------
    ValueCounts

    Notes
    -----
    The pairs are sorted as one packed integer ``cell * span + (tick - min)``
    with :func:`numpy.sort`, many times faster than a lexicographic argsort of
    two keys; when the packed key could overflow, :func:`numpy.lexsort` does
    the same job.
    """
    cell = np.asarray(cell, dtype="int64")
    ticks = np.asarray(ticks, dtype="int64")
    n = cell.size
    if n == 0:
        return ValueCounts.empty()
    lo, hi = int(ticks.min()), int(ticks.max())
    span = hi - lo + 1
    if (int(cell.max()) + 1) * span < _PACKED_LIMIT:
        key = cell * span + (ticks - lo)
        key.sort()
        starts = np.flatnonzero(np.diff(key, prepend=key[0] - 1))
        distinct = key[starts]
        cell, ticks = distinct // span, distinct % span + lo
    else:
        order = np.lexsort((ticks, cell))
        starts = _runs(cell[order], ticks[order])
        cell, ticks = cell[order][starts], ticks[order][starts]
    count = np.diff(np.append(starts, n)).astype("int64")
    return ValueCounts(cell, ticks / ticks_per_second, count)


def concat_counts(tables: Sequence[ValueCounts]) -> ValueCounts:
    """Tables of disjoint cells, each table's cells above the previous table's, as one table."""
    tables = [t for t in tables if len(t)]
    if not tables:
        return ValueCounts.empty()
    if any(a.cell[-1] >= b.cell[0] for a, b in zip(tables, tables[1:])):
        raise ValueError("concat_counts needs tables in ascending, disjoint cell ranges; use merge_counts")
    return ValueCounts(*(np.concatenate([getattr(t, f) for t in tables]) for f in ("cell", "value", "count")))


def merge_counts(tables: Sequence[ValueCounts]) -> ValueCounts:
    """Add up value counts of the same cells (e.g. from partitions of one dataset)."""
    tables = [t for t in tables if len(t)]
    if not tables:
        return ValueCounts.empty()
    if len(tables) == 1:
        return tables[0]
    cell = np.concatenate([t.cell for t in tables])
    value = np.concatenate([t.value for t in tables])
    count = np.concatenate([t.count for t in tables])
    order = np.lexsort((value, cell))
    cell, value, count = cell[order], value[order], count[order]
    starts = _runs(cell, value)
    return ValueCounts(cell[starts], value[starts], np.add.reduceat(count, starts) if starts.size else count)


def cell_sizes(table: ValueCounts, n_cells: int) -> np.ndarray:
    """Number of values in each cell."""
    return np.bincount(table.cell, weights=table.count, minlength=n_cells).astype("int64")


class OrderStatistics:
    """Order statistics of every cell of a :class:`ValueCounts` table.

    Parameters
    ----------
    table : ValueCounts
    n : numpy.ndarray of int64
        Number of values of each cell (:func:`cell_sizes`).
    """

    def __init__(self, table: ValueCounts, n: np.ndarray):
        self.table = table
        self.n = np.asarray(n, dtype="int64")
        self._cum = np.cumsum(table.count)  # values up to and including each row
        self._before = np.cumsum(self.n) - self.n  # values in earlier cells

    def at(self, rank: np.ndarray) -> np.ndarray:
        """The value of 0-based ``rank`` in each cell; NaN where the rank is outside ``0 .. n - 1``."""
        rank = np.asarray(rank, dtype="int64")
        ok = (rank >= 0) & (rank < self.n)
        out = np.full(self.n.size, np.nan)
        if ok.any():
            row = np.searchsorted(self._cum, self._before[ok] + rank[ok], side="right")
            out[ok] = self.table.value[row]
        return out

    def percentile(self, q: float) -> np.ndarray:
        """Percentile ``q`` [percent] of each cell by linear interpolation; NaN for an empty cell.

        The same arithmetic as :func:`numpy.percentile` with ``method="linear"``
        (Hyndman and Fan type 7), so the numbers are identical: virtual index
        ``h = (n - 1) q``, then ``a + (b - a) t`` (or ``b - (b - a)(1 - t)``
        when ``t >= 0.5``) between the neighbouring order statistics.
        """
        frac = np.true_divide(q, 100)
        n = self.n.astype("float64")
        virtual = (n - 1) * frac
        below = np.floor(virtual)
        last = virtual >= n - 1
        prev_rank = np.where(last, self.n - 1, np.maximum(below, 0)).astype("int64")
        next_rank = np.where(last, self.n - 1, np.maximum(below + 1, 0)).astype("int64")
        a, b = self.at(prev_rank), self.at(next_rank)
        t = virtual - np.where(last, -1.0, below)  # numpy's gamma (irrelevant where a == b)
        diff = b - a
        with np.errstate(invalid="ignore"):
            out = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)
        out[self.n == 0] = np.nan
        return out

    def ci(self, p: float, confidence: float) -> tuple[np.ndarray, np.ndarray]:
        """Distribution-free CI of the ``p`` quantile of each cell (see :func:`quantiles.ci_ranks`)."""
        sizes, which = np.unique(self.n, return_inverse=True)
        ranks = np.array([ci_ranks(int(size), p, confidence) if size > 0 else (0, 0) for size in sizes],
                         dtype="int64").reshape(-1, 2)
        r, s = ranks[which, 0], ranks[which, 1]
        return self.at(r - 1), self.at(s - 1)

    def mean(self) -> np.ndarray:
        """Mean of each cell; NaN for an empty cell."""
        total = np.bincount(self.table.cell, weights=self.table.value * self.table.count, minlength=self.n.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 0, total / self.n, np.nan)
