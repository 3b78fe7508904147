"""The interval summaries of a dataset in bounded memory: one partition at a time, the same table.

:func:`summarize_dataset` gives ``summarize(read_calls(dataset, ...), ...)`` number for number without holding
the rows of the query: it reads one partition (agency, local year, local month) at a time, only the columns
the summary uses, turns it into exact per-group counts (:func:`summary.summary_parts`), adds those up every
few partitions (:func:`summary.merge_parts`) and computes the statistics once at the end
(:func:`summary.finish_summary`), as the Dask path (:mod:`.distributed`) does per task. Memory: one
partition's rows, plus the merged value counts (distinct whole-second values per group x interval), plus the
rows of the incidents set aside below.

The files are read by the store (:class:`responsestats.store.CallPartitions`); this module only loops over
the frames it hands over, so the metrics still open no file themselves.

**Incidents split across partitions.** A partition holds one local month of ``received_at``, so an incident
whose unit rows were received in two months (or whose id comes in two input files that landed in two months)
has rows in two partitions, and the incident level (first dispatch, en route, arrival over its units) needs
them together. At incident level a first pass reads only ``incident_id`` of each partition and finds the ids
seen in more than one partition of the same agency: each partition's distinct ids, as 64-bit hashes, are
looked up in a Bloom filter of the ids of the partitions before it (4 bit positions per id, about 16 bits per
stored row, at most 64 MiB) and then added to it. An id that is in an earlier partition is always found (a
Bloom filter has no false negatives); an id that is not may be found too (about 0.04 % of ids at 10 M rows).
The ids found are kept as text. In the second pass every row of those incidents is set aside, in every
partition, and the set-aside rows are summarised together at the end. An incident is thus summarised from all
of its rows, either in its one partition or in the set-aside frame; an id found by mistake only moves a whole
incident into the set-aside frame, which changes no figure. At unit level rows are counted as they are, and
there is no first pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import schema as S
from ..store.read import CallPartitions
from . import names as N
from ._frame import prepare
from .exclusions import DEFAULT_CAP, CapSpec
from .filters import RowFilter, apply_filter, parse_filter, with_population
from .levels import at_level
from .proportions import DEFAULT_CONFIDENCE
from .standards import Coverage, Standard, coverage
from .summary import (
    DEFAULT_MIN_N,
    SummaryParts,
    SummarySpec,
    finish_summary,
    merge_parts,
    summary_parts,
    summary_spec,
)

#: Partitions whose counts are added to the running total at once.
DEFAULT_MERGE_EVERY = 8
#: Bit positions per id in the Bloom filter of the first pass.
_BLOOM_HASHES = 4
#: Bits of the Bloom filter per stored row, and its least and greatest size [bits] (2^29 bits: 64 MiB).
_BLOOM_BITS_PER_ROW, _BLOOM_MIN_BITS, _BLOOM_MAX_BITS = 16, 1 << 16, 1 << 29


def _id_hashes(agency: str, ids: pa.ChunkedArray) -> np.ndarray:
    """64-bit hash of each (agency, incident_id); equal ids hash equal in every partition."""
    salt = pd.util.hash_array(np.array([agency], dtype=object), categorize=False)[0]
    return pd.util.hash_array(ids.to_numpy(zero_copy_only=False), categorize=False) ^ salt


class _Bloom:
    """A Bloom filter of 64-bit hashes (double hashing into one bit array)."""

    def __init__(self, n_rows: int) -> None:
        bits = 1 << max(0, int(n_rows * _BLOOM_BITS_PER_ROW) - 1).bit_length()
        self.bits = int(min(max(bits, _BLOOM_MIN_BITS), _BLOOM_MAX_BITS))
        self.words = np.zeros(self.bits // 64, dtype=np.uint64)

    def _positions(self, h: np.ndarray) -> np.ndarray:
        low, high = h & np.uint64(0xFFFFFFFF), (h >> np.uint64(32)) | np.uint64(1)
        mask = np.uint64(self.bits - 1)
        return np.concatenate([(low + np.uint64(i) * high) & mask for i in range(_BLOOM_HASHES)])

    def contains(self, h: np.ndarray) -> np.ndarray:
        p = self._positions(h)
        hit = ((self.words[p >> np.uint64(6)] >> (p & np.uint64(63))) & np.uint64(1)).astype(bool)
        return hit.reshape(_BLOOM_HASHES, len(h)).all(axis=0)

    def add(self, h: np.ndarray) -> None:
        p = self._positions(h)
        word, bit = p >> np.uint64(6), np.uint64(1) << (p & np.uint64(63))
        while word.size:  # positions sharing a word: the last write wins, so write again what did not stick
            self.words[word] |= bit
            lost = (self.words[word] & bit) == 0
            word, bit = word[lost], bit[lost]


def split_incident_ids(partitions: CallPartitions) -> dict[str, frozenset[str]]:
    """The incident ids that occur in more than one partition of their agency (and, rarely, a few more).

    Parameters
    ----------
    partitions : responsestats.store.CallPartitions
        The query's partitions; only their ``incident_id`` column is read.

    Returns
    -------
    dict
        Agency -> the ids to summarise together (module docstring: every id in two or more partitions, and the
        Bloom filter's rare false positives, which change no figure).
    """
    bloom = _Bloom(partitions.row_count())
    found: dict[str, set[str]] = {}
    for key in partitions.keys:
        ids = partitions.incident_ids(key)
        if len(ids) == 0:
            continue
        h = _id_hashes(key[0], ids)
        seen = bloom.contains(h)  # every id looked up before any is added: a partition's own rows never count
        if seen.any():
            found.setdefault(key[0], set()).update(ids.filter(pa.array(seen)).to_pylist())
        bloom.add(h)
    return {agency: frozenset(ids) for agency, ids in found.items()}


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
) -> tuple[pd.DataFrame, Coverage | None]:
    """The summary of every partition's rows, read one partition at a time; and the standard's coverage.

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
        Partitions [count] whose counts are added to the running total at once.
    with_coverage : bool
        Also give :func:`standards.coverage` of the rows at the summary's level (needs a standard).

    Returns
    -------
    (pandas.DataFrame, Coverage or None)
        The table :func:`summary.summarize` gives on all the rows; the coverage, with ``with_coverage``.
    """
    rf = parse_filter(where, partitions.dimensions) if where is not None else None
    columns = _read_columns(spec, partitions, rf) if columns is None else partitions.check_columns(columns)
    if rf is not None:
        rf = parse_filter(rf.text, columns)  # as summarize checks it against its frame's columns
    split = split_incident_ids(partitions) if spec.level == N.LEVEL_INCIDENT and len(partitions) > 1 else {}
    covers = with_coverage and spec.standard is not None
    merged: SummaryParts | None = None
    pending: list[SummaryParts] = []
    cover_parts: list[Coverage] = []
    set_aside: list[pd.DataFrame] = []
    empty: pd.DataFrame | None = None

    def take(frame: pd.DataFrame) -> None:
        pending.append(summary_parts(frame, spec))
        if covers:
            rows = at_level(prepare(frame, [S.AGENCY, S.INCIDENT_ID, S.RECEIVED_AT], S.TIMESTAMP_COLUMNS), spec.level)
            cover_parts.append(coverage(rows, spec.standard))

    for key in partitions.keys:
        frame = partitions.read(key, columns)
        if rf is not None:
            frame = apply_filter(frame, rf)
        empty = frame.iloc[0:0]
        ids = split.get(key[0])
        if ids and len(frame):
            aside = frame[S.INCIDENT_ID].isin(list(ids)).to_numpy()
            if aside.any():
                set_aside.append(frame[aside])
                frame = frame[~aside]
        if len(frame):
            take(frame)
        if len(pending) >= merge_every:
            merged = merge_parts(([merged] if merged is not None else []) + pending, spec)
            pending = []
    if set_aside:
        take(pd.concat(set_aside, ignore_index=True))
    if merged is None and not pending:  # no rows: the table of an empty frame
        take(partitions.read(None, columns) if empty is None else empty)
    merged = merge_parts(([merged] if merged is not None else []) + pending, spec)
    table = with_population(finish_summary(merged, spec), rf)
    return table, (_merge_coverage(cover_parts) if covers else None)


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
) -> pd.DataFrame:
    """:func:`responsestats.metrics.summarize` of a dataset's rows, read one partition at a time.

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
        Partitions [count] whose counts are added to the running total at once.

    Returns
    -------
    pandas.DataFrame
        Identical to ``summarize(read_calls(dataset, agency=, start=, end=), ...)``; all values in seconds.

    Notes
    -----
    Memory is one partition (one agency's local month) plus the merged value counts, plus the rows of the
    incidents whose rows lie in two or more partitions, which are summarised together at the end (module
    docstring). Without ``--from``/``--to`` a query's size does not change its peak.
    """
    spec = summary_spec(intervals, by, level, percentiles, target_s, standard, cap, min_n, confidence)
    if not isinstance(dataset, CallPartitions):
        dataset = CallPartitions(dataset, agency=agency, start=start, end=end)
    return stream_summary(dataset, spec, where=where, merge_every=merge_every)[0]


__all__ = ["DEFAULT_MERGE_EVERY", "split_incident_ids", "stream_summary", "summarize_dataset"]
