"""The canonical dataset on disk: atomic, idempotent writes and filtered reads.

Layout of a dataset folder::

    DATASET/
      agency=<id>/year=<yyyy>/month=<m>/part-<key>.parquet   canonical rows
      _quarantine/agency=<id>/<key>.parquet                   rows not kept, with a reason
      _reports/agency=<id>/<key>.json                         the ingest report of each input file

``<key>`` identifies one input file by its content (SHA-256), so ingesting the
same file again replaces exactly what it wrote before. Folders starting with
``_`` are skipped by Parquet readers of the dataset.

Writes are atomic: a run builds the next version of the dataset in a sibling
staging folder (unchanged files are hard links, so this is cheap), then swaps
it with the current folder in one ``rename``. A crash or Ctrl-C before the
swap leaves the previous dataset as it was; a concurrent writer is refused by
a lock file beside the dataset.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import errno
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from . import schema as S
from .config import QUARANTINE_SUBDIR, REPORTS_SUBDIR
from .errors import DatasetLockedError, UserError

_AGENCY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_DICTIONARY_COLUMNS = [
    S.AGENCY, S.CALL_TYPE, S.CALL_GROUP, S.PRIORITY, S.DISTRICT, S.AREA_CLASS,
    S.OUTCOME, S.OUTCOME_RAW, S.TIMEZONE, S.SOURCE_FILE,
]
#: Columns whose min/max statistics the Parquet files carry: all but the text columns, whose statistics nothing
#: reads (:func:`latest_stamp` reads the time stamps'; the agency is kept for readers without the partitioning)
#: and which cost about a quarter of the writing time.
_STATISTICS_COLUMNS = [f.name for f in S.CANONICAL_SCHEMA if not pa.types.is_string(f.type)] + [S.AGENCY]


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


class DatasetTransaction:
    """One atomic change of a dataset (use as a context manager).

    Parameters
    ----------
    root : Path
        The dataset folder (created on commit if missing).

    Notes
    -----
    Call :meth:`replace_file` before writing a file's rows, then
    :meth:`write_rows`, :meth:`write_quarantine` and :meth:`write_report`;
    :meth:`commit` makes the change visible at once. Leaving the ``with``
    block without committing discards the change.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self.staging = self.root.parent / f".{self.root.name}.staging-{os.getpid()}"
        self._lock_path = self.root.parent / f".{self.root.name}.lock"
        self._lock_fh = None
        self._writers: dict[tuple, pq.ParquetWriter] = {}
        self._metadata: dict[bytes, bytes] = {}
        self.committed = False

    # -- context ----------------------------------------------------------
    def __enter__(self) -> DatasetTransaction:
        if self.root.parent.exists() and not self.root.parent.is_dir():
            raise UserError(f"{self.root}: cannot create the dataset: {self.root.parent} is a file")
        self.root.parent.mkdir(parents=True, exist_ok=True)
        self._acquire_lock()
        try:
            for stale in self.root.parent.glob(f".{self.root.name}.staging-*"):
                shutil.rmtree(stale, ignore_errors=True)  # left by a run that was killed
            _recover_interrupted_swap(self.root)
            _check_dataset_folder(self.root)
            if self.root.exists():
                _hardlink_tree(self.root, self.staging)
            else:
                self.staging.mkdir()
        except BaseException:
            shutil.rmtree(self.staging, ignore_errors=True)
            self._release_lock()
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
            self._release_lock()

    def _acquire_lock(self) -> None:
        fh = open(self._lock_path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.close()
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise  # e.g. no lock support on this file system: not "another ingest"
            raise DatasetLockedError(
                f"{self.root}: another ingest is writing to this dataset (lock {self._lock_path}); "
                "wait for it to finish and run again"
            ) from None
        self._lock_fh = fh

    def _release_lock(self) -> None:
        if self._lock_fh is not None:
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
            self._lock_fh.close()
            self._lock_fh = None

    # -- writing ----------------------------------------------------------
    def replace_file(self, agency: str, file_sha256: str) -> int:
        """Remove everything a previous ingest of this file wrote. Returns files removed."""
        key = file_key(file_sha256)
        removed = 0
        agency_dir = f"{S.AGENCY}={agency}"
        targets = list((self.staging / agency_dir).glob(f"*/*/part-{key}.parquet"))
        targets += [
            self.staging / QUARANTINE_SUBDIR / agency_dir / f"{key}.parquet",
            self.staging / REPORTS_SUBDIR / agency_dir / f"{key}.json",
        ]
        for path in targets:
            if path.exists():
                path.unlink()
                removed += 1
        _remove_empty_dirs(self.staging / agency_dir)
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
            writer = self._writer(agency, file_sha256, y, m, timezone)
            writer.write_table(part)

    def _writer(self, agency: str, file_sha256: str, year: int, month: int, timezone: str) -> pq.ParquetWriter:
        wkey = (agency, file_sha256, year, month)
        writer = self._writers.get(wkey)
        if writer is None:
            folder = self.staging / f"{S.AGENCY}={agency}" / f"{S.YEAR}={year}" / f"{S.MONTH}={month}"
            folder.mkdir(parents=True, exist_ok=True)
            schema = S.CANONICAL_SCHEMA.with_metadata(
                {"responsestats.schema_version": "1", "responsestats.timezone": timezone}
            )
            writer = pq.ParquetWriter(
                _new_file(folder / f"part-{file_key(file_sha256)}.parquet"),
                schema,
                compression="zstd",
                use_dictionary=_DICTIONARY_COLUMNS,
                write_statistics=_STATISTICS_COLUMNS,
            )
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
        folder = self.staging / REPORTS_SUBDIR / f"{S.AGENCY}={agency}"
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(report, ensure_ascii=False, indent=2, sort_keys=False)
        _new_file(folder / f"{file_key(file_sha256)}.json").write_text(text + "\n", encoding="utf-8")

    def commit(self) -> None:
        """Make the change visible, atomically.

        Everything that can fail (closing files, fsync) happens before the one
        swap; after it the change is made, and tidying up cannot undo it.
        """
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        _fsync_tree(self.staging)
        if self.root.exists():
            _exchange(self.staging, self.root)
        else:
            os.rename(self.staging, self.root)
        self.committed = True
        shutil.rmtree(self.staging, ignore_errors=True)  # the previous version, if any
        try:
            _fsync_dir(self.root.parent)
        except OSError:
            pass  # the rename is made; only its durability across a power cut is less certain


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


# -- atomic swap helpers ------------------------------------------------------
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> None:
    """Swap two folders atomically (Linux renameat2 RENAME_EXCHANGE).

    Where the kernel or libc lacks it, fall back to two renames with a marker
    that :func:`_recover_interrupted_swap` uses to finish or undo the swap.
    """
    libc_name = ctypes.util.find_library("c")
    if libc_name:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        if renameat2 is not None:
            rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
            if rc == 0:
                return
            err = ctypes.get_errno()
            if err not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
                raise OSError(err, os.strerror(err), str(b))
    previous = b.parent / f".{b.name}.previous"
    os.rename(b, previous)
    os.rename(a, b)
    os.rename(previous, a)


def _recover_interrupted_swap(root: Path) -> None:
    """Finish a fallback swap that was interrupted between its renames."""
    previous = root.parent / f".{root.name}.previous"
    if previous.exists():
        if not root.exists():
            os.rename(previous, root)  # the new version never arrived: restore the old one
        else:
            shutil.rmtree(previous, ignore_errors=True)


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


def _hardlink_tree(src: Path, dst: Path) -> None:
    for dirpath, _dirs, files in os.walk(src):
        rel = Path(dirpath).relative_to(src)
        (dst / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(Path(dirpath) / name, dst / rel / name)


def _remove_empty_dirs(top: Path) -> None:
    if not top.exists():
        return
    for dirpath, _dirs, _files in sorted(os.walk(top), key=lambda t: -len(t[0])):
        try:
            os.rmdir(dirpath)
        except OSError:
            pass


def _fsync_tree(top: Path) -> None:
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            fd = os.open(Path(dirpath) / name, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- reading ----------------------------------------------------------------
def open_dataset(dataset: str | Path) -> ds.Dataset:
    """The canonical rows of a dataset as a :class:`pyarrow.dataset.Dataset`."""
    path = Path(dataset)
    if not path.is_dir():
        raise UserError(f"{path}: no dataset here (run `responsestats ingest ... --out {path}` first)")
    partitioning = ds.partitioning(S.PARTITION_SCHEMA, flavor="hive")
    return ds.dataset(path, format="parquet", partitioning=partitioning, schema=S.DATASET_SCHEMA)


def read_calls(
    dataset: str | Path,
    *,
    agency: str | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read canonical rows, reading only the partitions and columns needed.

    Parameters
    ----------
    dataset : str or Path
        Dataset folder.
    agency : str, optional
        Only this agency.
    start, end : str or date, optional
        Local calendar dates (``YYYY-MM-DD``), inclusive, on ``received_at`` in
        each row's own time zone.
    columns : iterable of str, optional
        Canonical columns to read (default all). The columns needed for the
        date filter are read as well.

    Returns
    -------
    pandas.DataFrame
        Timestamps as ``datetime64[us, UTC]``.
    """
    d = open_dataset(dataset)
    start_d = as_date(start, "start")
    end_d = as_date(end, "end")
    expr = None
    if agency is not None:
        expr = ds.field(S.AGENCY) == agency
    if start_d is not None:
        e = (ds.field(S.YEAR) > start_d.year) | (
            (ds.field(S.YEAR) == start_d.year) & (ds.field(S.MONTH) >= start_d.month))
        expr = e if expr is None else expr & e
    if end_d is not None:
        e = (ds.field(S.YEAR) < end_d.year) | ((ds.field(S.YEAR) == end_d.year) & (ds.field(S.MONTH) <= end_d.month))
        expr = e if expr is None else expr & e
    wanted = list(columns) if columns is not None else list(S.COLUMNS)
    unknown = [c for c in wanted if c not in S.DATASET_SCHEMA.names]
    if unknown:
        raise UserError(f"unknown column(s) {unknown}; canonical columns are {list(S.COLUMNS)}")
    read_cols = list(dict.fromkeys(wanted + ([S.RECEIVED_AT, S.TIMEZONE] if (start_d or end_d) else [])))
    table = d.to_table(columns=read_cols, filter=expr)
    return received_between(table.to_pandas(), start_d, end_d)[wanted]


def received_between(frame: pd.DataFrame, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    """The rows received (local date, each row's own zone) from ``start`` to ``end``, inclusive.

    A partition holds one local month, so a date range that starts or ends
    inside a month needs this on top of the partition filter.
    """
    if start is None and end is None:
        return frame
    local_dates = local_time(frame, S.RECEIVED_AT).dt.date
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= local_dates >= start
    if end is not None:
        keep &= local_dates <= end
    return frame[keep.to_numpy()].reset_index(drop=True)


def local_time(frame: pd.DataFrame, column: str) -> pd.Series:
    """A UTC timestamp column in each row's local zone, as naive wall-clock time.

    Rows may come from agencies in different zones; each is converted with
    the zone in its own ``timezone`` column.
    """
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
    for tz, idx in frame.groupby(S.TIMEZONE, sort=False).groups.items():
        out.loc[idx] = frame.loc[idx, column].dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[us]")
    return out


def as_date(value, name: str) -> dt.date | None:
    """``value`` (a date or ``YYYY-MM-DD`` text, or None) as a date; a clear error naming ``--name`` otherwise."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UserError(f"--{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def read_quarantine(dataset: str | Path) -> pd.DataFrame:
    """All quarantined rows of a dataset, with the agency of each."""
    folder = Path(dataset) / QUARANTINE_SUBDIR
    if not folder.exists():
        return S.QUARANTINE_SCHEMA.empty_table().to_pandas().assign(**{S.AGENCY: pd.Series(dtype=object)})
    q = ds.dataset(folder, format="parquet", partitioning=ds.partitioning(
        pa.schema([pa.field(S.AGENCY, pa.string())]), flavor="hive"))
    return q.to_table().to_pandas()


def read_reports(dataset: str | Path) -> list[dict]:
    """The ingest report of every input file in a dataset, oldest ingest first."""
    folder = Path(dataset) / REPORTS_SUBDIR
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*/*.json"))]
    return sorted(reports, key=lambda r: (r.get("ingested_at", ""), r.get("source_file", "")))


def dataset_row_count(dataset: str | Path, agency: str | None = None) -> int:
    """Number of canonical rows (fast: from Parquet metadata)."""
    d = open_dataset(dataset)
    if agency is None:
        return d.count_rows()
    return d.count_rows(filter=pc.field(S.AGENCY) == agency)


def list_agencies(dataset: str | Path) -> list[str]:
    """The agencies with rows in a dataset, from its partition folders (no rows read)."""
    return sorted({keys[S.AGENCY] for keys, _frag in _partition_fragments(dataset)})


def months_present(dataset: str | Path, agency: str) -> list[str]:
    """The local months (``"YYYY-MM"``) in which the agency has calls, from the partition folders."""
    return sorted({f"{keys[S.YEAR]:04d}-{keys[S.MONTH]:02d}"
                   for keys, _frag in _partition_fragments(dataset, agency)})


def latest_stamp(dataset: str | Path, agency: str, columns: Sequence[str]) -> pd.Timestamp | None:
    """The latest value of any of the timestamp ``columns`` over the agency's rows [UTC].

    Read from the Parquet footers (every file's column statistics), so the cost
    is a few bytes per file, not a read of the rows; a file without statistics
    for a column has that column read.
    """
    latest = None
    for _keys, frag in _partition_fragments(dataset, agency):
        meta = frag.metadata
        names = meta.schema.to_arrow_schema().names
        for column in columns:
            if column not in names:  # a file written before the column existed
                continue
            idx = names.index(column)
            for i in range(meta.num_row_groups):
                stats = meta.row_group(i).column(idx).statistics
                if stats is None or not stats.has_min_max:
                    if stats is not None and stats.null_count == meta.row_group(i).num_rows:
                        continue  # every value missing
                    value = pc.max(frag.to_table(columns=[column]).column(column)).as_py()
                else:
                    value = stats.max
                if value is not None:
                    value = pd.Timestamp(value)
                    value = value.tz_localize("UTC") if value.tzinfo is None else value.tz_convert("UTC")
                    latest = value if latest is None or value > latest else latest
    return latest


def _partition_fragments(dataset: str | Path, agency: str | None = None):
    """(partition keys, file fragment) of each Parquet file of the dataset, optionally of one agency."""
    d = open_dataset(dataset)
    expr = None if agency is None else ds.field(S.AGENCY) == agency
    for frag in d.get_fragments(filter=expr):
        yield ds.get_partition_keys(frag.partition_expression), frag
