"""A re-export replaces, never doubles: key by key, the rows of the file ingested last stand.

The rule
--------
A canonical row's *key* is its agency, ``incident_id`` and ``unit_id`` (null at
incident level). When an input file is ingested, every row of the same agency
that another input file wrote earlier and whose key the new file also holds is
removed from the dataset: the new file's rows stand in its place. So the same
month exported again with other bytes (CRLF line ends, a column added, a late
correction) replaces the first export instead of adding its rows a second
time, and two monthly exports that overlap by a few days hold each incident
once. Rows of the earlier file whose keys the new one does not hold stay.

The new file's report counts what it replaced (``rows_replaced``, and per
earlier file ``replaced_from``); each earlier file's report counts what it
lost (``rows_superseded``, ``superseded_by``), so that every report still
reconciles (rows read = written + quarantined) and the dataset holds the rows
written less the rows superseded. With ``on_overlap="refuse"`` an overlap is
an error instead, naming the files and counting the rows, and nothing is
written.

How
---
Each input file's keys are hashed (:func:`~.fingerprints.key_hashes`) as its
blocks are written (:class:`FileKeys`, spilled to disk past a memory budget)
and recorded per partition beside its rows (the store's key index, ``_keys/``);
the keys of a new file are compared with every key index of the agency, one
index at a time, and only the parts that share keys are read and rewritten.
A dataset written before key indexes existed gets them built from its rows on
the first ingest that needs them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from .. import schema as S
from ..errors import UserError
from ..store import DatasetTransaction, PartFile, file_key
from . import spill
from .fingerprints import KEY_HASH_VERSION, SeenHashes, key_hashes
from .spill import SpillSpace, read_values

#: What an ingest does with rows whose keys another file already wrote: ``replace`` them (the default: the file
#: ingested last wins) or ``refuse`` the file.
ON_OVERLAP: tuple[str, ...] = ("replace", "refuse")


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (a sort and a comparison: ``np.unique`` is far slower on uint64)."""
    ordered = np.sort(np.asarray(values))
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def check_on_overlap(value: str) -> str:
    """``value`` if it is one of :data:`ON_OVERLAP`, else raise :class:`~responsestats.errors.UserError`."""
    if value not in ON_OVERLAP:
        raise UserError(f"on_overlap {value!r} is not one of {', '.join(ON_OVERLAP)}")
    return value


class FileKeys:
    """The key hashes of one input file's kept rows, per partition, collected as its blocks are written.

    At most ``budget`` hashes are held in memory (:data:`~.spill.MEMORY_BUDGET`: 524,288, 4 MiB); past it, each
    partition's distinct hashes so far are written to one spill file (in ``space``) and memory starts afresh.
    :meth:`by_partition` then gives one partition at a time, read back and merged, so that a file's keys are
    never all in memory at once: only its largest partition's (a month of one file), as the store writes a
    partition's key index in one piece.

    Parameters
    ----------
    space : SpillSpace, optional
        Where to spill (default: a folder of its own in the system's temporary folder, made on the first spill).
    budget : int, optional
        Key hashes held in memory at most [count]. Default: :data:`~.spill.MEMORY_BUDGET`.
    """

    def __init__(self, space: SpillSpace | None = None, budget: int | None = None) -> None:
        self._parts: dict[tuple[int, int], list[np.ndarray]] = defaultdict(list)
        self._held = 0  # hashes in memory [count]
        self._budget = int(budget if budget is not None else spill.MEMORY_BUDGET)
        self._own_space = space is None
        self._space = space if space is not None else SpillSpace()
        self._spilled: dict[tuple[int, int], list[tuple[Path, int, int]]] = defaultdict(list)  # (file, offset, n)
        self._files: list[Path] = []

    def add(self, table: pa.Table, year: np.ndarray, month: np.ndarray) -> None:
        """Record the keys of a block of canonical rows and their partition keys (local year and month)."""
        if table.num_rows == 0:
            return
        hashes = key_hashes(table.column(S.INCIDENT_ID), table.column(S.UNIT_ID))
        ym = year.astype(np.int64) * 100 + month.astype(np.int64)
        for value in _sorted_unique(ym):
            self._parts[(int(value // 100), int(value % 100))].append(hashes[ym == value])
        self._held += len(hashes)
        if self._held > self._budget:
            self._spill()

    def _spill(self) -> None:
        """Write each partition's distinct hashes held in memory to one file, one after the other."""
        path = self._space.new_file("keys")
        self._files.append(path)
        offset = 0
        with open(path, "wb") as fh:
            for ym in sorted(self._parts):
                hashes = _sorted_unique(np.concatenate(self._parts.pop(ym)))  # freed partition by partition
                hashes.tofile(fh)
                self._spilled[ym].append((path, offset, hashes.size))
                offset += hashes.nbytes
        self._parts.clear()
        self._held = 0

    @property
    def spilled(self) -> bool:
        """Whether any key went to disk."""
        return bool(self._files)

    def by_partition(self) -> Iterator[tuple[tuple[int, int], np.ndarray]]:
        """Each (year, month) with the sorted distinct key hashes of that partition [uint64], in order.

        One partition is in memory at a time (besides what :meth:`add` holds); the file may be read again.
        """
        for ym in sorted(set(self._parts) | set(self._spilled)):
            pieces = [read_values(path, offset, n) for path, offset, n in self._spilled.get(ym, ())]
            pieces += self._parts.get(ym, [])
            yield ym, _sorted_unique(np.concatenate(pieces))

    @property
    def space(self) -> SpillSpace:
        """Where this object spills (and :meth:`members` too)."""
        return self._space

    def members(self) -> SeenHashes:
        """Every key hash of the file, as a bounded set for membership tests; the caller closes it (before this)."""
        members = SeenHashes(self._space)
        for _, hashes in self.by_partition():
            members.add(hashes, presorted=True)
        return members

    def close(self) -> None:
        """Free the memory and remove the spill files (and the spill folder, if it is this object's own)."""
        self._parts.clear()
        self._held = 0
        for path in self._files:
            path.unlink(missing_ok=True)
        self._files.clear()
        self._spilled.clear()
        if self._own_space:
            self._space.close()

    def __enter__(self) -> FileKeys:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _row_hashes(tx: DatasetTransaction, part: PartFile) -> np.ndarray:
    """The key hash of every stored row of ``part``, in stored order [uint64]."""
    ids = tx.read_part_columns(part, [S.INCIDENT_ID, S.UNIT_ID])
    return key_hashes(ids.column(S.INCIDENT_ID), ids.column(S.UNIT_ID))


def _index(tx: DatasetTransaction, part: PartFile) -> np.ndarray:
    """The key index of ``part``, built from its rows (and recorded) where it is missing or made otherwise."""
    keys = tx.read_keys(part, KEY_HASH_VERSION)
    if keys is None:
        keys = _sorted_unique(_row_hashes(tx, part))
        tx.write_keys(part, keys, KEY_HASH_VERSION)
    return keys


def record_keys(tx: DatasetTransaction, agency: str, file_sha256: str, keys: FileKeys) -> None:
    """Write the key index of every partition one input file wrote, one partition at a time."""
    key = file_key(file_sha256)
    for (year, month), hashes in keys.by_partition():
        tx.write_keys(PartFile(agency, key, year, month), hashes, KEY_HASH_VERSION)


def settle_overlaps(tx: DatasetTransaction, agency: str, file_sha256: str, keys: FileKeys, source_file: str,
                    on_overlap: str = "replace") -> dict[str, int]:  # fmt: skip
    """Remove (or refuse) the rows of other files whose keys the new file holds; see the module's rule.

    Parameters
    ----------
    tx : DatasetTransaction
        The open transaction; the new file's rows are written, its key index not yet.
    agency, file_sha256 : str
        The agency and the new file's SHA-256.
    keys : FileKeys
        The new file's keys.
    source_file : str
        The new file's name, for messages.
    on_overlap : {"replace", "refuse"}
        What to do with the overlap.

    Returns
    -------
    dict
        Earlier file key -> rows of it removed [count] (empty when nothing overlapped).

    Raises
    ------
    UserError
        With ``on_overlap="refuse"``, when any row overlaps (naming the files and the rows).

    Notes
    -----
    Memory stays bounded whatever the sizes: the new file's keys are a :class:`~.fingerprints.SeenHashes`
    (spilled to disk past its budget), each earlier partition's key index is tested against it and settled
    before the next is read, and the overlap is counted (for ``refuse``) in another such set.
    """
    own = file_key(file_sha256)
    others = [part for part in tx.part_files(agency) if part.key != own]
    if not others:
        return {}
    removed: dict[str, int] = defaultdict(int)
    with keys.members() as new, SeenHashes(keys.space) as overlap:
        if not len(new):
            return {}
        overlapping = 0  # distinct keys of the new file that another file wrote [count]
        for part in others:
            index = _index(tx, part)
            common = index[new.contains(index)]  # the index is sorted and distinct: so is this
            if not common.size:
                continue
            hashes = _row_hashes(tx, part)
            keep = ~np.isin(hashes, common)
            if on_overlap == "refuse":
                removed[part.key] += int((~keep).sum())
                fresh = common[~overlap.contains(common)]
                overlapping += fresh.size
                overlap.add(fresh, presorted=True)
                continue
            removed[part.key] += tx.keep_rows(part, keep)
            if keep.any():
                tx.write_keys(part, _sorted_unique(hashes[keep]), KEY_HASH_VERSION)
    if on_overlap == "refuse" and removed:
        names = ", ".join(f"{_source_name(tx, agency, k)} ({n:,} rows)" for k, n in sorted(removed.items()))
        raise UserError(
            f"{source_file}: {overlapping:,} of its incident keys are already in the dataset, written by {names}; "
            "nothing was written. Ingest with --on-overlap replace to let this export replace those rows"
        )
    return dict(removed)


def _source_name(tx: DatasetTransaction, agency: str, key: str) -> str:
    report = tx.read_report(agency, key) or {}
    return str(report.get(S.R_SOURCE_FILE) or key)


def note_supersessions(tx: DatasetTransaction, agency: str, removed: dict[str, int], by: str) -> dict[str, int]:
    """Count, in each earlier file's report, the rows the file ``by`` replaced; returns source file -> rows.

    Parameters
    ----------
    tx : DatasetTransaction
        The open transaction.
    agency : str
        The agency.
    removed : dict
        Earlier file key -> rows of it removed [count] (:func:`settle_overlaps`).
    by : str
        The new file's name.

    Returns
    -------
    dict
        Earlier source file name -> rows replaced [count], for the new file's ``replaced_from``.
    """
    replaced_from: dict[str, int] = defaultdict(int)
    for key, n in sorted(removed.items()):
        report = tx.read_report(agency, key)
        name = str((report or {}).get(S.R_SOURCE_FILE) or key)
        replaced_from[name] += n
        if report is not None:
            report[S.R_ROWS_SUPERSEDED] = int(report.get(S.R_ROWS_SUPERSEDED, 0)) + n
            by_file = dict(report.get(S.R_SUPERSEDED_BY) or {})
            by_file[by] = int(by_file.get(by, 0)) + n
            report[S.R_SUPERSEDED_BY] = dict(sorted(by_file.items()))
            tx.update_report(agency, key, report)
    return dict(sorted(replaced_from.items()))
