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
blocks are written and recorded per partition beside its rows (the store's
key index, ``_keys/``); the keys of a new file are compared with every key
index of the agency, and only the parts that share keys are read and
rewritten. A dataset written before key indexes existed gets them built from
its rows on the first ingest that needs them.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa

from .. import schema as S
from ..errors import UserError
from ..store import DatasetTransaction, PartFile, file_key
from .fingerprints import KEY_HASH_VERSION, key_hashes

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
    """The key hashes of one input file's kept rows, per partition, collected as its blocks are written."""

    def __init__(self) -> None:
        self._parts: dict[tuple[int, int], list[np.ndarray]] = defaultdict(list)

    def add(self, table: pa.Table, year: np.ndarray, month: np.ndarray) -> None:
        """Record the keys of a block of canonical rows and their partition keys (local year and month)."""
        if table.num_rows == 0:
            return
        hashes = key_hashes(table.column(S.INCIDENT_ID), table.column(S.UNIT_ID))
        ym = year.astype(np.int64) * 100 + month.astype(np.int64)
        for value in _sorted_unique(ym):
            self._parts[(int(value // 100), int(value % 100))].append(hashes[ym == value])

    def by_partition(self) -> dict[tuple[int, int], np.ndarray]:
        """(year, month) -> the sorted distinct key hashes of that partition [uint64]."""
        return {ym: _sorted_unique(np.concatenate(parts)) for ym, parts in sorted(self._parts.items())}

    def all(self) -> np.ndarray:
        """Every distinct key hash of the file, sorted [uint64]."""
        parts = [h for hs in self._parts.values() for h in hs]
        return _sorted_unique(np.concatenate(parts)) if parts else np.zeros(0, np.uint64)


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
    """Write the key index of every partition one input file wrote."""
    key = file_key(file_sha256)
    for (year, month), hashes in keys.by_partition().items():
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
    """
    own = file_key(file_sha256)
    new = keys.all()
    hits: dict[PartFile, np.ndarray] = {}
    if new.size:
        for part in tx.part_files(agency):
            if part.key != own:
                common = np.intersect1d(_index(tx, part), new, assume_unique=True)
                if common.size:
                    hits[part] = common
    removed: dict[str, int] = defaultdict(int)
    for part, common in hits.items():
        hashes = _row_hashes(tx, part)
        keep = ~np.isin(hashes, common)
        if on_overlap == "refuse":
            removed[part.key] += int((~keep).sum())
            continue
        removed[part.key] += tx.keep_rows(part, keep)
        if keep.any():
            tx.write_keys(part, _sorted_unique(hashes[keep]), KEY_HASH_VERSION)
    if on_overlap == "refuse" and removed:
        names = ", ".join(f"{_source_name(tx, agency, k)} ({n:,} rows)" for k, n in sorted(removed.items()))
        raise UserError(
            f"{source_file}: {len(_sorted_unique(np.concatenate(list(hits.values())))):,} of its incident keys are "
            f"already in the dataset, written by {names}; nothing was written. Ingest with --on-overlap replace to "
            "let this export replace those rows"
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
