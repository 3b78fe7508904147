"""Writing a dataset: one atomic, idempotent transaction per ingest run.

The layout of a dataset folder is drawn in :mod:`responsestats.store`; every
file an input wrote is named by its key (:func:`file_key`).

Writes are atomic: a run builds the next version of the dataset in a sibling
staging folder (unchanged files are hard links, so this is cheap), then swaps
it with the current folder in one ``rename``. A crash or Ctrl-C before the
swap leaves the previous dataset as it was; a concurrent writer is refused by
a lock file beside the dataset. What differs between operating systems (the
lock, the swap, flushing) is in :mod:`._platform`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .. import schema as S
from ..config import KEYS_SUBDIR, QUARANTINE_SUBDIR, REPORTS_SUBDIR
from ..errors import UserError
from . import _platform

_AGENCY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_DICTIONARY_COLUMNS = [
    S.AGENCY, S.CALL_TYPE, S.CALL_GROUP, S.PRIORITY, S.DISTRICT, S.AREA_CLASS,
    S.OUTCOME, S.OUTCOME_RAW, S.TIMEZONE, S.SOURCE_FILE,
]
#: Columns whose min/max statistics the Parquet files carry: all but the text columns, whose statistics nothing
#: reads (:func:`latest_stamp` reads the time stamps'; the agency is kept for readers without the partitioning)
#: and which cost about a quarter of the writing time.
_STATISTICS_COLUMNS = [f.name for f in S.CANONICAL_SCHEMA if not pa.types.is_string(f.type)] + [S.AGENCY]
#: How every file of canonical rows is written.
_PART_WRITE_OPTIONS = {"compression": "zstd", "use_dictionary": _DICTIONARY_COLUMNS,
                       "write_statistics": _STATISTICS_COLUMNS}


def check_agency_id(agency: str) -> str:
    """Return ``agency`` if it is usable as a folder name, else raise UserError."""
    if not _AGENCY_RE.match(agency or ""):
        raise UserError(
            f"agency id {agency!r} must be 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit"
        )
    return agency


def file_key(file_sha256: str) -> str:
    """Short key naming everything one input file wrote."""
    return file_sha256[:20]


#: Schema metadata key of a key index, naming how its hashes were made (see :meth:`DatasetTransaction.write_keys`).
KEY_HASH_METADATA = b"responsestats.key_hash"
_KEY_COLUMN = "key_hash"
_PART_SCHEMA_METADATA = {"responsestats.schema_version": "1"}


@dataclass(frozen=True)
class PartFile:
    """The canonical rows one input file wrote into one ``agency/year/month`` partition.

    Attributes
    ----------
    agency : str
        The agency id.
    key : str
        The input file's key (:func:`file_key`).
    year, month : int
        The partition: the local year and month [1-12] of ``received_at``.
    """

    agency: str
    key: str
    year: int
    month: int

    def rows_path(self, root: Path) -> Path:
        """The Parquet file of the rows under dataset folder ``root``."""
        return root / f"{S.AGENCY}={self.agency}" / f"{S.YEAR}={self.year}" / f"{S.MONTH}={self.month}" / \
            f"part-{self.key}.parquet"

    def keys_path(self, root: Path) -> Path:
        """The key index of those rows (:meth:`DatasetTransaction.write_keys`)."""
        return root / KEYS_SUBDIR / f"{S.AGENCY}={self.agency}" / f"{S.YEAR}={self.year}" / \
            f"{S.MONTH}={self.month}" / f"{self.key}.parquet"


class DatasetTransaction:
    """One atomic change of a dataset (use as a context manager).

    Parameters
    ----------
    root : Path
        The dataset folder (created on commit if missing). A symbolic link is followed: the real folder is
        locked, staged beside and swapped, and the link stays a link.

    Notes
    -----
    Call :meth:`replace_file` before writing a file's rows, then
    :meth:`write_rows`, :meth:`write_quarantine` and :meth:`write_report`;
    :meth:`commit` makes the change visible at once. Leaving the ``with``
    block without committing discards the change.
    """

    def __init__(self, root: Path):
        self.root = Path(root).resolve()  # the real folder: one lock per dataset, however it is named
        self._mode: int | None = None
        self.staging = self.root.parent / f".{self.root.name}.staging-{os.getpid()}"
        self._lock = _platform.WriterLock(self.root.parent / f".{self.root.name}.lock", self.root)
        self._writers: dict[tuple, pq.ParquetWriter] = {}
        self._metadata: dict[bytes, bytes] = {}
        self.committed = False

    # -- context ----------------------------------------------------------
    def __enter__(self) -> DatasetTransaction:
        if self.root.parent.exists() and not self.root.parent.is_dir():
            raise UserError(f"{self.root}: cannot create the dataset: {self.root.parent} is a file")
        self.root.parent.mkdir(parents=True, exist_ok=True)
        self._lock.acquire()
        try:
            for stale in self.root.parent.glob(f".{self.root.name}.staging-*"):
                shutil.rmtree(stale, ignore_errors=True)  # left by a run that was killed
            _platform.recover_interrupted_swap(self.root)
            _check_dataset_folder(self.root)
            if self.root.exists():
                self._mode = stat.S_IMODE(self.root.stat().st_mode)  # a private dataset stays private
                _platform.hardlink_tree(self.root, self.staging)
            else:
                self._mode = None
                self.staging.mkdir()
        except BaseException:
            shutil.rmtree(self.staging, ignore_errors=True)
            self._lock.release()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            for writer in self._writers.values():
                try:
                    writer.close()
                except Exception:  # noqa: BLE001 - discarding anyway
                    pass
            self._writers.clear()
            if self.staging.exists():
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._lock.release()

    # -- writing ----------------------------------------------------------
    def replace_file(self, agency: str, file_sha256: str) -> int:
        """Remove everything a previous ingest of this file wrote. Returns files removed."""
        key = file_key(file_sha256)
        removed = 0
        agency_dir = f"{S.AGENCY}={agency}"
        targets = list((self.staging / agency_dir).glob(f"*/*/part-{key}.parquet"))
        targets += list((self.staging / KEYS_SUBDIR / agency_dir).glob(f"*/*/{key}.parquet"))
        targets += [
            self.staging / QUARANTINE_SUBDIR / agency_dir / f"{key}.parquet",
            self.staging / REPORTS_SUBDIR / agency_dir / f"{key}.json",
        ]
        for path in targets:
            if path.exists():
                path.unlink()
                removed += 1
        _platform.remove_empty_dirs(self.staging / agency_dir)
        _platform.remove_empty_dirs(self.staging / KEYS_SUBDIR / agency_dir)
        return removed

    def write_rows(self, agency: str, file_sha256: str, table: pa.Table, year: np.ndarray, month: np.ndarray,
                   timezone: str) -> None:
        """Append canonical rows to their ``agency/year/month`` partition files."""
        if table.num_rows == 0:
            return
        keys = year.astype(np.int64) * 100 + month.astype(np.int64)
        for ym in np.unique(keys):
            part = table.filter(pa.array(keys == ym))
            y, m = int(ym // 100), int(ym % 100)
            writer = self._writer(agency, file_sha256, y, m, timezone, part.schema)
            writer.write_table(part)

    def _writer(self, agency: str, file_sha256: str, year: int, month: int, timezone: str,
                table_schema: pa.Schema = S.CANONICAL_SCHEMA) -> pq.ParquetWriter:
        wkey = (agency, file_sha256, year, month)
        writer = self._writers.get(wkey)
        if writer is None:
            folder = self.staging / f"{S.AGENCY}={agency}" / f"{S.YEAR}={year}" / f"{S.MONTH}={month}"
            folder.mkdir(parents=True, exist_ok=True)
            # the canonical columns, then the mapping's dimensions (dim_<name>), if any
            schema = table_schema.with_metadata({**_PART_SCHEMA_METADATA, "responsestats.timezone": timezone})
            writer = pq.ParquetWriter(_new_file(folder / f"part-{file_key(file_sha256)}.parquet"), schema,
                                      **_PART_WRITE_OPTIONS)
            self._writers[wkey] = writer
        return writer

    def finish_file(self, agency: str, file_sha256: str) -> None:
        """Close the partition files of one input file (frees their buffers)."""
        for wkey in [k for k in self._writers if k[:2] == (agency, file_sha256)]:
            self._writers.pop(wkey).close()

    def write_quarantine(self, agency: str, file_sha256: str, tables: Sequence[pa.Table]) -> None:
        """Write the quarantined rows of one input file (always, even if none)."""
        folder = self.staging / QUARANTINE_SUBDIR / f"{S.AGENCY}={agency}"
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.concat_tables(tables) if tables else S.QUARANTINE_SCHEMA.empty_table()
        pq.write_table(table, _new_file(folder / f"{file_key(file_sha256)}.parquet"), compression="zstd")

    def write_report(self, agency: str, file_sha256: str, report: dict) -> None:
        """Write the ingest report of one input file."""
        self.update_report(agency, file_key(file_sha256), report)

    def read_report(self, agency: str, key: str) -> dict | None:
        """The report of the input file with key ``key``, as the dataset being built holds it (None: none)."""
        path = self.staging / REPORTS_SUBDIR / f"{S.AGENCY}={agency}" / f"{key}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def update_report(self, agency: str, key: str, report: dict) -> None:
        """Write (or rewrite) the report of the input file with key ``key``."""
        folder = self.staging / REPORTS_SUBDIR / f"{S.AGENCY}={agency}"
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(report, ensure_ascii=False, indent=2, sort_keys=False)
        _new_file(folder / f"{key}.json").write_text(text + "\n", encoding="utf-8")

    # -- keys: which incidents each file wrote ------------------------------------------------
    def part_files(self, agency: str) -> list[PartFile]:
        """Every :class:`PartFile` of ``agency`` in the dataset being built, in path order."""
        out = []
        for path in sorted((self.staging / f"{S.AGENCY}={agency}").glob("*/*/part-*.parquet")):
            year, month = (int(p.name.partition("=")[2]) for p in (path.parent.parent, path.parent))
            out.append(PartFile(agency, path.stem.removeprefix("part-"), year, month))
        return out

    def read_part_columns(self, part: PartFile, columns: Sequence[str]) -> pa.Table:
        """Columns of the rows of ``part``, in their stored order."""
        return pq.read_table(part.rows_path(self.staging), columns=list(columns))

    def write_keys(self, part: PartFile, hashes: np.ndarray, version: str) -> None:
        """Record the key hashes [uint64, sorted, unique] of the rows of ``part``; ``version`` names the hash."""
        path = part.keys_path(self.staging)
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.table({_KEY_COLUMN: pa.array(np.asarray(hashes, dtype=np.uint64))})
        table = table.replace_schema_metadata({KEY_HASH_METADATA: version.encode()})
        pq.write_table(table, _new_file(path), compression="zstd")

    def read_keys(self, part: PartFile, version: str) -> np.ndarray | None:
        """The key hashes of ``part`` [uint64, sorted, unique]; None if absent or made by another ``version``."""
        path = part.keys_path(self.staging)
        if not path.is_file():
            return None
        table = pq.read_table(path)
        if (table.schema.metadata or {}).get(KEY_HASH_METADATA) != version.encode():
            return None
        return table.column(_KEY_COLUMN).to_numpy()

    def keep_rows(self, part: PartFile, keep: np.ndarray) -> int:
        """Rewrite the rows of ``part`` keeping only those where ``keep`` [bool, one per stored row] is True.

        Returns the rows dropped. A part with no row left is removed, with its key index.
        """
        path = part.rows_path(self.staging)
        table = pq.read_table(path)
        keep = np.asarray(keep, dtype=bool)
        if len(keep) != table.num_rows:
            raise RuntimeError(f"{path}: {len(keep)} flags for {table.num_rows} rows")
        dropped = int((~keep).sum())
        if dropped == 0:
            return 0
        if not keep.any():
            path.unlink()
            part.keys_path(self.staging).unlink(missing_ok=True)
            _platform.remove_empty_dirs(path.parents[2])
            _platform.remove_empty_dirs(part.keys_path(self.staging).parents[2])
            return dropped
        kept = table.filter(pa.array(keep)).replace_schema_metadata(table.schema.metadata)
        pq.write_table(kept, _new_file(path), **_PART_WRITE_OPTIONS)
        return dropped

    def commit(self) -> None:
        """Make the change visible, atomically.

        Everything that can fail (closing files, fsync) happens before the one
        swap; after it the change is made, and tidying up cannot undo it.
        """
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        if self._mode is not None:
            _keep_permissions(self.staging, self._mode)
        _platform.fsync_tree(self.staging)
        if self.root.exists():
            _platform.exchange(self.staging, self.root)
        else:
            os.rename(self.staging, self.root)
        self.committed = True
        shutil.rmtree(self.staging, ignore_errors=True)  # the previous version, if any
        try:
            _platform.fsync_dir(self.root.parent)
        except OSError:
            pass  # the rename is made; only its durability across a power cut is less certain


def _keep_permissions(top: Path, mode: int) -> None:
    """Give the folders under ``top`` the dataset's ``mode``, and the files this run made its read/write bits.

    Files hard-linked from the live dataset (more than one link) keep theirs: changing them would change the
    live files before the commit.
    """
    os.chmod(top, mode)
    for dirpath, dirs, files in os.walk(top):
        for name in dirs:
            os.chmod(Path(dirpath) / name, mode)
        for name in files:
            path = Path(dirpath) / name
            if path.stat().st_nlink == 1:
                os.chmod(path, mode & 0o666)


def _new_file(path: Path) -> Path:
    """``path``, with any file already there unlinked first.

    A file in the staging folder may be a hard link to the live dataset's file:
    opening it for writing would truncate the live file too. Unlinking makes
    the write create a new file, whatever the caller did before.
    """
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    return path


def _check_dataset_folder(root: Path) -> None:
    """Refuse an ``--out`` that is a file, or a folder holding anything but a dataset.

    A commit swaps the whole folder, so ingesting into, say, a folder of input
    files would hide them in the previous version, which is then deleted.
    """
    if not root.exists():
        return
    if not root.is_dir():
        raise UserError(f"{root}: exists and is not a folder; give a new or empty folder, or an existing dataset")
    other = sorted(p.name for p in root.iterdir()
                   if not (p.name.startswith(".") or (p.name.startswith((f"{S.AGENCY}=", "_")) and p.is_dir())))
    if other:
        shown = ", ".join(other[:5]) + (", ..." if len(other) > 5 else "")
        raise UserError(f"{root}: is not a responsestats dataset (it holds {shown}); give a new or empty folder, "
                        "or an existing dataset")


