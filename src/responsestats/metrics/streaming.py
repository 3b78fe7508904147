"""The interval summaries of a dataset in bounded memory: a piece of a partition at a time, the same table.

:func:`summarize_dataset` gives ``summarize(read_calls(dataset, ...), ...)`` number for number without holding
the rows of the query: it reads the partitions (agency, local year, local month) month by month
(:func:`month_order`), each a piece of whole row groups at a time, only the columns the summary uses, turns each
piece into exact per-group counts (:func:`summary.level_rows`, :func:`summary.level_parts`), adds those up every
few pieces (:func:`summary.merge_parts`) and computes the statistics from the counts
(:func:`summary.cell_statistics`), as the Dask path (:mod:`.distributed`) does per task.

**Groups finished month by month.** A group keyed on a time key that ends by a month (``month``, ``date``,
``week``, ``year``: :func:`.timekeys.last_month`) gets no more rows once every partition up to that month is
read and no incident that began by then is still set aside (below). Its statistics are computed then and its
value counts dropped. So a query ``--by month,...`` holds the counts of the month being read, not of the
whole query; a query without such a key holds the counts of its groups, which grow with the distinct
(group, interval, second) cells and not with the rows. A row of a month already finished, met in a later
partition (a dataset whose partitions disagree with its rows' months), stops the summary with an
``AssertionError`` rather than give a wrong figure. Memory: one piece's rows, plus the counts held, plus
the rows of the incidents set aside.

The files are read by the store (:class:`responsestats.store.CallPartitions`); this module only loops over
the frames it hands over, so the metrics still open no file themselves.

**Incidents split across partitions.** A partition holds one local month of ``received_at``, so an incident
whose unit rows were received in two months (or whose id comes in two input files that landed in two months)
has rows in two partitions, and one whose rows fall either side of a piece's edge in two pieces; the incident
level (first dispatch, en route, arrival over its units) needs
them together. At incident level a first pass reads only ``incident_id`` of each piece, in the same order,
and finds the ids seen in more than one piece of the same agency: each piece's ids, as 64-bit hashes,
are looked up in a blocked Bloom filter of the ids of the pieces before it (6 bits of one 64-bit word per
id, 32 bits per stored row, at most 128 MiB) and then added to it. An id that is in an earlier piece is
always found (a Bloom filter has no false negatives); an id that is not may be found too (2 in 100,000
at 10 M rows, 0.35 % at 100 M, where the filter is at its greatest size). The ids found are kept as Arrow
text with the position of the last piece that holds each (:class:`SplitIds`). In the second pass every
row of those incidents is set aside, and an incident's rows are summarised together once its last piece
is read. An incident is thus summarised from all of its rows, either in its one piece or from the
set-aside rows; an id found by mistake only moves a whole incident to the set-aside rows, which changes no
figure. At unit level rows are counted as they are, and there is no first pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema as S
from .._memory import arrow_memory_pool, release_freed_memory
from ..ingestion.fingerprints import BlockedBloom, text_hashes
from ..store.read import CallPartitions, Piece
from . import names as N
from .exclusions import DEFAULT_CAP, CapSpec
from .filters import RowFilter, apply_filter, parse_filter, with_population
from .proportions import DEFAULT_CONFIDENCE
from .standards import Coverage, Standard, coverage
from .summary import (
    DEFAULT_MIN_N,
    SummaryParts,
    SummarySpec,
    cell_statistics,
    finish_summary,
    level_parts,
    level_rows,
    merge_parts,
    select_groups,
    summary_spec,
    summary_table,
)
from .timekeys import TIME_BOUNDED_KEYS, UNBOUNDED_MONTH, last_month, month_index

#: Pieces whose counts are added to the running total at once.
DEFAULT_MERGE_EVERY = 3
#: Rows read at a time at most [count]: a partition (one agency's month) larger than this is read in pieces of
#: whole Parquet row groups. About 500 bytes a row while a piece is summarised (its frame, the incident level,
#: the keys and intervals): some 200 MiB.
PIECE_ROWS = 250_000
#: Bits set per id in the first pass's Bloom filter, all in one 64-bit word
#: (:class:`~responsestats.ingestion.fingerprints.BlockedBloom`).
_BLOOM_HASHES = 6
#: Bits of the Bloom filter per stored row, and its least and greatest size [bits] (2^30 bits: 128 MiB).
_BLOOM_BITS_PER_ROW, _BLOOM_MIN_BITS, _BLOOM_MAX_BITS = 32, 1 << 16, 1 << 30


def _text(values: pd.Series | pa.ChunkedArray | pa.Array) -> pa.Array:
    """Text values as one Arrow ``string`` array (no copy where they are Arrow-backed already)."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    return arr if arr.type == pa.string() else arr.cast(pa.string())


def _id_hashes(agency: str, ids: pd.Series | pa.ChunkedArray | pa.Array) -> np.ndarray:
    """64-bit hash of each (agency, incident_id) [uint64]; equal ids hash equal in every partition."""
    salt = text_hashes(pa.array([agency], pa.string()))[0]
    return text_hashes(_text(ids)) ^ salt


def _bloom(n_rows: int) -> BlockedBloom:
    """The first pass's filter for ``n_rows`` stored rows: :data:`_BLOOM_BITS_PER_ROW` bits a row or more (a power
    of two), within bounds."""
    bits = 1 << max(0, int(n_rows * _BLOOM_BITS_PER_ROW) - 1).bit_length()
    bits = min(max(bits, _BLOOM_MIN_BITS), _BLOOM_MAX_BITS)
    return BlockedBloom(bits // 64, _BLOOM_HASHES)


class SplitIds:
    """The incident ids of one agency to summarise together, with the position (in the order the summary reads
    the pieces of the partitions, month by month) of the last piece holding each.

    Parameters
    ----------
    agency : str
    ids : pyarrow.Array
        The ids (text), each once.
    last : numpy.ndarray of int64
        Position of the last piece holding each.
    """

    def __init__(self, agency: str, ids: pa.Array, last: np.ndarray) -> None:
        self.agency, self.ids, self.last = agency, ids, np.asarray(last, dtype="int64")

    @classmethod
    def of(cls, agency: str, last: Mapping[str, int]) -> SplitIds:
        """From ids as text: {id: position of its last piece}."""
        return cls(agency, pa.array(list(last), pa.string()), np.fromiter(last.values(), "int64", len(last)))

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, incident_id: object) -> bool:
        return bool((self.last_positions(pa.array([incident_id], pa.string())) >= 0)[0])

    def last_positions(self, ids: pd.Series | pa.Array | pa.ChunkedArray) -> np.ndarray:
        """Position of the last piece of each id's incident; -1 where the id is not split [int64]."""
        index = pc.index_in(_text(ids), value_set=self.ids).fill_null(-1).to_numpy(zero_copy_only=False)
        return np.where(index >= 0, self.last[index], -1)


def month_order(keys: Iterable[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Partition keys (agency, year, month) in the order the summary reads them: month by month, agencies within."""
    return sorted(keys, key=lambda k: (k[1], k[2], k[0]))


def _pieces(partitions: CallPartitions, piece_rows: int) -> list[Piece]:
    """Every partition's pieces, month by month (:func:`month_order`): the order both passes read."""
    return [piece for key in month_order(partitions.keys) for piece in partitions.pieces(key, piece_rows)]


def split_incident_ids(partitions: CallPartitions, piece_rows: int = PIECE_ROWS) -> dict[str, SplitIds]:
    """The incident ids that occur in more than one piece of their agency's partitions (and, rarely, a few more).

    Parameters
    ----------
    partitions : responsestats.store.CallPartitions
        The query's partitions; only their ``incident_id`` column is read.
    piece_rows : int
        Rows of a piece at most [count] (:meth:`~responsestats.store.CallPartitions.pieces`).

    Returns
    -------
    dict
        Agency -> :class:`SplitIds`, the ids to summarise together (module docstring: every id in two or more
        pieces, and the Bloom filter's rare false positives, which change no figure), each with the position
        of its last piece.
    """
    bloom = _bloom(partitions.row_count())
    found: dict[str, list[tuple[pa.Array, int]]] = {}
    for position, piece in enumerate(_pieces(partitions, piece_rows)):
        ids = partitions.incident_ids(piece)
        if len(ids) == 0:
            continue
        key = piece.key
        h = _id_hashes(key[0], ids)
        seen = bloom.contains(h)  # every id looked up before any is added: a partition's own rows never count
        if seen.any():
            found.setdefault(key[0], []).append((_text(ids).filter(pa.array(seen)), position))
        bloom.add(h)
    out = {}
    for agency, parts in found.items():
        table = pa.table({"id": pa.concat_arrays([ids for ids, _ in parts]),
                          "last": pa.array(np.concatenate([np.full(len(ids), k, "int64") for ids, k in parts]))})
        last = table.group_by("id").aggregate([("last", "max")])
        out[agency] = SplitIds(agency, last.column("id").combine_chunks(), last.column("last_max").to_numpy())
    return out


def _read_columns(spec: SummarySpec, partitions: CallPartitions, rf: RowFilter | None) -> list[str]:
    """The stored columns the summary can use (what ``summarize`` reads of a full ``read_calls`` frame)."""
    stored = set(S.COLUMNS) | set(partitions.dimensions)
    used = [*spec.columns, S.UNIT_ID, S.SELF_INITIATED, S.TIMEZONE, *S.TIMESTAMP_COLUMNS, *spec.by]
    if spec.standard is not None:
        used += list(spec.standard.condition_columns)
    if rf is not None:
        used += list(rf.columns)
    return [c for c in dict.fromkeys(used) if c in stored]


def _merge_coverage(parts: list[Coverage]) -> Coverage:
    """Coverage of the union of the parts' rows (the counts add up; values most first, as :func:`coverage`)."""

    def added(dicts: Iterable[dict[str, int]]) -> dict[str, int]:
        total: dict[str, int] = {}
        for d in dicts:
            for k, v in d.items():
                total[k] = total.get(k, 0) + v
        return dict(sorted(total.items(), key=lambda kv: (-kv[1], kv[0])))

    first = parts[0]
    return Coverage(
        first.standard,
        sum(p.n_rows for p in parts),
        sum(p.n_not_applicable for p in parts),
        {c: added(p.not_applicable[c] for p in parts) for c in first.not_applicable},
        {t: (col, added(p.catch_all[t][1] for p in parts)) for t, (col, _) in first.catch_all.items()},
    )


def stream_summary(
    partitions: CallPartitions,
    spec: SummarySpec,
    where: str | RowFilter | None = None,
    columns: Iterable[str] | None = None,
    merge_every: int = DEFAULT_MERGE_EVERY,
    with_coverage: bool = False,
    piece_rows: int = PIECE_ROWS,
) -> tuple[pd.DataFrame, Coverage | None]:
    """The summary of every partition's rows, read a piece of a partition at a time; and the standard's coverage.

    Parameters
    ----------
    partitions : responsestats.store.CallPartitions
        The query's partitions (:func:`responsestats.store.call_partitions`).
    spec : SummarySpec
        From :func:`summary.summary_spec`.
    where : str or RowFilter, optional
        Row filter, as :func:`summary.summarize`'s ``where``.
    columns : iterable of str, optional
        The columns to read (default: every column the summary can use); pass the columns an in-memory read
        would hold to get its table.
    merge_every : int
        Pieces [count] whose counts are added to the running total at once.
    with_coverage : bool
        Also give :func:`standards.coverage` of the rows at the summary's level (needs a standard).
    piece_rows : int
        Rows read at a time at most [count]: a partition is read in pieces of whole row groups
        (:meth:`~responsestats.store.CallPartitions.pieces`).

    Returns
    -------
    (pandas.DataFrame, Coverage or None)
        The table :func:`summary.summarize` gives on all the rows; the coverage, with ``with_coverage``.
    """
    rf = parse_filter(where, partitions.dimensions) if where is not None else None
    columns = _read_columns(spec, partitions, rf) if columns is None else partitions.check_columns(columns)
    if rf is not None:
        rf = parse_filter(rf.text, columns)  # as summarize checks it against its frame's columns
    order = _pieces(partitions, piece_rows)
    covers = with_coverage and spec.standard is not None
    run = _Run(spec, merge_every)
    cover_parts: list[Coverage] = []
    empty: pd.DataFrame | None = None

    def take(frame: pd.DataFrame) -> None:
        rows = level_rows(frame, spec)  # the level once, for the summary and the coverage (counts: any order)
        run.add(level_parts(rows, spec))
        if covers:
            cover_parts.append(coverage(rows, spec.standard))

    # Arrow's jemalloc pool, and freed memory handed back after the first pass and after each piece: else the
    # allocators keep the pages of every piece read (1.3 GiB at 100 M incidents instead of under 0.9).
    with arrow_memory_pool():
        split = (split_incident_ids(partitions, piece_rows) if spec.level == N.LEVEL_INCIDENT and len(order) > 1
                 else {})
        release_freed_memory()
        aside = _SetAside(split)
        for position, piece in enumerate(order):
            key = piece.key
            frame = partitions.read(piece, columns)
            if rf is not None:
                frame = apply_filter(frame, rf)
            empty = frame.iloc[0:0]
            frame = aside.keep(frame, key)
            if len(frame):
                take(frame)
            del frame
            if position + 1 == len(order) or order[position + 1].key[1:] != key[1:]:  # the month's last piece
                done = aside.complete(position)
                if done is not None:
                    take(done)
                run.seal(min(month_index(key[1], key[2]), aside.first_month() - 1))
            release_freed_memory()
    done = aside.complete(None)  # the end: every incident held is whole now
    if done is not None:
        take(done)
    if run.empty:  # no rows: the table of an empty frame
        take(partitions.read(None, columns) if empty is None else empty)
    table = with_population(run.table(), rf)
    return table, (_merge_coverage(cover_parts) if covers else None)


class _SetAside:
    """The rows of incidents found in two or more partitions (:func:`split_incident_ids`), held until the last
    partition of each is read, then handed over whole."""

    def __init__(self, split: dict[str, SplitIds]) -> None:
        self._split = split
        self._held: list[tuple[int, np.ndarray, pd.DataFrame]] = []  # (month index, last positions, rows)

    def keep(self, frame: pd.DataFrame, key: tuple[str, int, int]) -> pd.DataFrame:
        """``frame`` without the rows of split incidents, which are held."""
        split = self._split.get(key[0])
        if split is None or not len(split) or not len(frame):
            return frame
        last = split.last_positions(frame[S.INCIDENT_ID])
        held = last >= 0
        if not held.any():
            return frame
        self._held.append((month_index(key[1], key[2]), last[held], frame[held]))
        return frame[~held]

    def complete(self, position: int | None) -> pd.DataFrame | None:
        """The held rows of every incident whose last piece is at or before ``position`` (None: of every
        incident held); None if there are none."""
        done, held = [], []
        for month, last, frame in self._held:
            ended = last <= position if position is not None else np.ones(len(last), bool)
            if ended.any():
                done.append(frame[ended])
            if not ended.all():
                held.append((month, last[~ended], frame[~ended]))
        self._held = held
        return pd.concat(done, ignore_index=True) if done else None

    def first_month(self) -> int:
        """The earliest month [:func:`~.timekeys.month_index`] of a row still held; far in the future if none."""
        return min((month for month, _, _ in self._held), default=UNBOUNDED_MONTH)


class _Run:
    """The running total of a summary's parts; groups finished early where their months are all read.

    A group whose time keys end by a month (``month``, ``date``, ``week``, ``year``:
    :func:`~.timekeys.last_month`) can get no more rows once every partition up to that month is read and no
    incident that started by then is still set aside: its statistics are computed then
    (:func:`summary.cell_statistics`) and its value counts dropped, so the counts held are those of the
    months still open, not of the query.
    """

    def __init__(self, spec: SummarySpec, merge_every: int) -> None:
        self._spec, self._merge_every = spec, merge_every
        self._merged: SummaryParts | None = None
        self._pending: list[SummaryParts] = []
        self._finished: list[tuple[pd.DataFrame, dict[str, np.ndarray]]] = []
        self._sealed_through = -1  # month index up to which every group is finished
        self._bounded = any(k in spec.by for k in TIME_BOUNDED_KEYS)

    @property
    def empty(self) -> bool:
        return self._merged is None and not self._pending and not self._finished

    def add(self, parts: SummaryParts) -> None:
        self._pending.append(parts)
        if len(self._pending) >= self._merge_every:
            self._merge()

    def _merge(self) -> None:
        if self._pending:
            self._merged = merge_parts(([self._merged] if self._merged is not None else []) + self._pending,
                                       self._spec)
            self._pending = []

    def seal(self, through: int) -> None:
        """Finish the groups whose last month is ``through`` [:func:`~.timekeys.month_index`] or earlier."""
        if not self._bounded or through <= self._sealed_through:
            return
        self._merge()
        if self._merged is None or self._merged.n_groups == 0:
            return
        last = last_month(self._merged.keys, self._spec.by)
        if (last <= self._sealed_through).any():
            raise AssertionError("rows of a month already summarised were found in a later partition")
        done = last <= through
        if done.any():
            finished = select_groups(self._merged, np.flatnonzero(done))
            self._finished.append((finished.keys, cell_statistics(finished, self._spec)))
            self._merged = select_groups(self._merged, np.flatnonzero(~done))
        self._sealed_through = through

    def table(self) -> pd.DataFrame:
        """The summary table of every group, finished early or now."""
        self._merge()
        if not self._finished:
            return finish_summary(self._merged, self._spec)
        if self._merged is not None and self._merged.n_groups:
            if (last_month(self._merged.keys, self._spec.by) <= self._sealed_through).any():
                raise AssertionError("rows of a month already summarised were found in a later partition")
            self._finished.append((self._merged.keys, cell_statistics(self._merged, self._spec)))
        n_intervals = len(self._spec.intervals)
        keys = pd.concat([k for k, _ in self._finished], ignore_index=True)
        cells = {column: np.concatenate([c[column].reshape(n_intervals, -1) for _, c in self._finished],
                                        axis=1).reshape(-1)
                 for column in self._finished[0][1]}
        return summary_table(keys, cells, self._spec)


def summarize_dataset(
    dataset: str | Path | CallPartitions,
    intervals: str | Iterable[str] | None = None,
    by: str | Iterable[str] | None = None,
    level: str = N.LEVEL_INCIDENT,
    percentiles: Iterable[float] = (),
    target_s: float | Mapping[str, float] | None = None,
    standard: str | Standard | None = None,
    cap: CapSpec = DEFAULT_CAP,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
    where: str | RowFilter | None = None,
    *,
    agency: str | None = None,
    start: str | None = None,
    end: str | None = None,
    merge_every: int = DEFAULT_MERGE_EVERY,
    piece_rows: int = PIECE_ROWS,
) -> pd.DataFrame:
    """:func:`responsestats.metrics.summarize` of a dataset's rows, read a piece of a partition at a time.

    Parameters
    ----------
    dataset : str, Path or responsestats.store.CallPartitions
        Dataset folder written by ``responsestats ingest`` (or its partitions, already selected).
    intervals, by, level, percentiles, target_s, standard, cap, min_n, confidence, where
        As :func:`responsestats.metrics.summarize` (``target_s`` [s], ``cap`` [s], ``min_n`` [count],
        ``confidence`` [fraction], ``percentiles`` [percent]).
    agency : str, optional
        Only this agency.
    start, end : str or date, optional
        Local calendar dates (``YYYY-MM-DD``), inclusive, on ``received_at``, as
        :func:`responsestats.store.read_calls`.
    merge_every : int
        Pieces [count] whose counts are added to the running total at once.
    piece_rows : int
        Rows read at a time at most [count] (:func:`stream_summary`).

    Returns
    -------
    pandas.DataFrame
        Identical to ``summarize(read_calls(dataset, agency=, start=, end=), ...)``; all values in seconds.

    Notes
    -----
    Memory is one piece of a partition (at most ``piece_rows`` rows), plus the value counts of the groups not
    yet finished, plus the rows of the incidents whose rows lie in two or more pieces, held until their last
    piece is read (module docstring). The size of the query does not change its peak.
    """
    spec = summary_spec(intervals, by, level, percentiles, target_s, standard, cap, min_n, confidence)
    if not isinstance(dataset, CallPartitions):
        dataset = CallPartitions(dataset, agency=agency, start=start, end=end)
    return stream_summary(dataset, spec, where=where, merge_every=merge_every, piece_rows=piece_rows)[0]


__all__ = ["DEFAULT_MERGE_EVERY", "PIECE_ROWS", "SplitIds", "month_order", "split_incident_ids", "stream_summary", "summarize_dataset"]
