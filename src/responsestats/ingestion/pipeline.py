"""Ingest input files into a dataset: read -> normalise -> store, in one transaction.

:func:`ingest` checks every input's header against the mapping, then streams
each file's blocks through :func:`~.normalize.prepare_block` (threads) and
:func:`~.normalize.finish_block` (file order) into one
:class:`~responsestats.store.DatasetTransaction`, and commits only if every
file reconciles (rows read = rows written + rows quarantined) and, when asked
(``max_quarantine_share``), passes the quality gate: no file with more than that
share of its rows quarantined (:class:`~responsestats.errors.QualityGateError`).
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa

from .. import schema as S
from ..config import DEFAULT_BLOCK_ROWS
from ..errors import IngestIOError, QualityGateError, UserError, one_line
from ..formats.mapping import Mapping, check_zone, load_mapping
from ..sources import open_source
from ..store import DatasetTransaction, check_agency_id, file_key
from .._memory import arrow_memory_pool, release_freed_memory
from .normalize import FileContext, finish_block, prepare_block
from .reexports import FileKeys, check_on_overlap, note_supersessions, record_keys, settle_overlaps
from .report import IngestResult, describe_quarantine_entry, file_report, gate_share, quarantine_by_column
from .spill import SpillSpace

#: Blocks prepared at once (threads; Arrow and numpy release the GIL). Each holds one block in memory.
INGEST_THREADS = min(2, os.cpu_count() or 1)
#: The command line's default quality gate: a file with more than this share of its rows quarantined fails
#: (``--max-quarantine-share``; the Python API gates only when given ``max_quarantine_share``).
DEFAULT_MAX_QUARANTINE_SHARE = 0.5


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def ingest(
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    mapping: Mapping | str | Path,
    agency: str | None = None,
    timezone: str | None = None,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    progress: Callable[[int], None] | None = None,
    link_salt: str | bytes | None = None,
    on_overlap: str = "replace",
    max_quarantine_share: float | None = None,
) -> IngestResult:
    """Normalise input files into the dataset at ``out``, atomically.

    Parameters
    ----------
    inputs : sequence of path
        Input files: CSV (any encoding the mapping lists), Excel (``.xlsx``,
        ``.xls``) or Parquet.
    out : path
        Dataset folder; created if missing, added to if present.
    mapping : Mapping, str or path
        The format: a built-in name (``cn110``), a mapping TOML file, or a
        loaded :class:`~responsestats.mapping.Mapping`.
    agency : str, optional
        Agency id (partition key). Default: the mapping's ``agency``, else its name.
    timezone : str, optional
        IANA zone of the file's naive timestamps; overrides the mapping's.
    block_rows : int
        Rows per block [count] for Excel and Parquet inputs (CSV blocks are sized in bytes).
    progress : callable, optional
        Called with the number of rows handled after each block.
    link_salt : str or bytes, optional
        A secret (at least :data:`MIN_SALT_BYTES` bytes). With it, the columns
        named by the mapping's ``link_fields`` are read and stored only as
        ``caller_key`` (HMAC-SHA-256 keyed with the salt); without it they are
        never read. The salt is not stored anywhere.
    on_overlap : {"replace", "refuse"}
        Rows whose key (agency, incident id, unit id) another input file already wrote: ``replace`` them, so
        the file ingested last wins and a re-export never doubles the dataset (counted in both files'
        reports), or ``refuse`` the file (:mod:`~responsestats.ingestion.reexports`).
    max_quarantine_share : float, optional
        The quality gate [share of rows read, 0 to 1]: a file of which more than this share of rows is
        quarantined (rows the mapping set aside by ``duplicate_ids = "keep_first"`` not counted) fails the
        whole run with :class:`~responsestats.errors.QualityGateError`, naming the column and value behind
        most of it, and nothing is written. None (the default here; the command line's is
        :data:`DEFAULT_MAX_QUARANTINE_SHARE`): no gate.

    Returns
    -------
    IngestResult

    Raises
    ------
    UserError
        Missing file, unknown format, a required column absent, bad encoding,
        a file that cannot be read or written (:class:`~responsestats.errors.IngestIOError`,
        e.g. a full disk), a file over the quality gate (:class:`~responsestats.errors.QualityGateError`).
        Nothing is changed in the dataset when an error is raised.
    """
    share = _check_share(max_quarantine_share)
    try:
        with arrow_memory_pool():
            return _ingest(inputs, out, mapping=mapping, agency=agency, timezone=timezone, block_rows=block_rows,
                           progress=progress, link_salt=link_salt, on_overlap=check_on_overlap(on_overlap),
                           max_quarantine_share=share)
    except IngestIOError:
        raise
    except OSError as exc:
        raise _io_error(exc, Path(out)) from exc


#: Shortest salt accepted for ``caller_key`` [bytes]: a short one could be guessed, and with it every phone number.
MIN_SALT_BYTES = 16


def _io_error(exc: OSError, out: Path) -> IngestIOError:
    """One line for an OSError met while ingesting (nothing was committed when it is raised)."""
    what = one_line(exc.strerror or exc) or type(exc).__name__
    where = f"{one_line(exc.filename)}: " if exc.filename else ""
    err = IngestIOError(f"{where}{what}; the dataset {out} was left as it was before this run")
    err.errno = exc.errno
    return err


def _check_share(share: float | None) -> float | None:
    """``max_quarantine_share`` as a float in [0, 1], or None; else a UserError."""
    if share is None:
        return None
    try:
        value = float(share)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise UserError(f"max quarantine share {share!r}: give a share of the rows read between 0 and 1 (e.g. 0.5)")
    return value


def _quality_gate(report: dict, path: Path, out: Path, limit: float) -> None:
    """Raise :class:`QualityGateError` when more than ``limit`` of a file's rows were quarantined.

    The message names the file, the share, and the (reason, column) behind most of the rows with its
    most frequent value.
    """
    rows, share = gate_share(report)
    if share <= limit:
        return
    entries = [e for e in report[S.R_QUARANTINE_BY_COLUMN] if e[S.R_I_REASON] not in S.DECLARED_QUARANTINE_REASONS]
    cause = ""
    if entries:
        top = entries[0]
        cause = (f"; most of them ({top[S.R_I_ROWS]:,}) {top[S.R_I_REASON]}{describe_quarantine_entry(top)}"
                 + _GATE_HINTS.get(top[S.R_I_REASON], ""))
    raise QualityGateError(
        f"{path}: {rows:,} of {report[S.R_ROWS_READ]:,} rows ({share:.1%}) would be quarantined, more than the "
        f"limit of {limit:.0%} (--max-quarantine-share){cause}; nothing was written: the dataset {out} was left "
        "as it was before this run", report)


#: What to check, by the quarantine reason behind most of a file that fails the quality gate.
_GATE_HINTS = {
    S.REASON_BAD_TIMESTAMP: ": check that column's `formats` in the mapping",
    S.REASON_MISSING_TIMESTAMP: ": check the mapping's `source` for that column",
    S.REASON_MISSING_ID: ": check the mapping's `source` for incident_id",
    S.REASON_MISSING_VALUE: ": check the mapping's `source` for that column",
    S.REASON_RAGGED_ROW: ": check the mapping's `delimiter`, `encoding` and `header_row`",
    S.REASON_DUPLICATE_ID: ": the column does not identify incidents; choose [format] duplicate_ids or a "
                           "synthetic incident_id (docs/mappings.md)",
}


def _ingest(inputs, out, *, mapping, agency, timezone, block_rows, progress, link_salt, on_overlap,
            max_quarantine_share=None) -> IngestResult:
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    agency = check_agency_id(agency or mapping.agency or mapping.name)
    if timezone is not None and not str(timezone).strip():
        raise UserError("--tz: an empty time zone; give an IANA zone such as Asia/Shanghai, or leave --tz out to use "
                        "the format's")
    tz = timezone or mapping.timezone
    check_zone(tz, "--tz")
    paths = [Path(p) for p in inputs]
    if not paths:
        raise UserError("no input files given")
    salt = _check_salt(link_salt, mapping)

    # Check every input's header before reading any data.
    sources = []
    for path in paths:
        src = open_source(path, mapping.encodings, delimiter=mapping.delimiter, header_row=mapping.header_row,
                          sheet=mapping.sheet, block_rows=block_rows)
        resolved = mapping.resolve_columns(src.header, str(path))
        link_columns = tuple(mapping.resolve_link_columns(src.header, str(path))) if salt is not None else ()
        sources.append((path, src, resolved, link_columns))

    result = IngestResult(dataset=Path(out))
    with DatasetTransaction(Path(out)) as tx, _spill_space(tx) as space:
        done: dict[str, Path] = {}  # SHA-256 -> the input that gave those bytes in this run
        for path, src, resolved, link_columns in sources:
            before = _stamp(path)
            sha = file_sha256(path)
            if sha in done:  # the same bytes again (the same file twice, or a copy): once is enough
                result.repeated.append(str(path))
                continue
            done[sha] = path
            tx.replace_file(agency, sha)
            ctx = FileContext(
                mapping=mapping, resolved=resolved, agency=agency, timezone=tz,
                source_file=path.name, file_sha256=sha, typed=src.typed,
                link_columns=link_columns, link_salt=salt, spill=space,
            )
            columns = list(dict.fromkeys(mapping.columns_to_read(resolved) + list(link_columns)))
            with FileKeys(space) as keys, _QuarantineSpool(space) as spool:
                try:
                    _ingest_blocks(src.blocks(columns), ctx, tx, progress, keys, spool)
                finally:
                    ctx.close()  # the file is read: its fingerprints and ids are no longer needed
                tx.finish_file(agency, sha)
                if _stamp(path) != before:
                    raise UserError(f"{path}: the file changed while it was read; ingest it again once it is "
                                    "complete (nothing was written)")
                removed = settle_overlaps(tx, agency, sha, keys, path.name, on_overlap)
                replaced_from = note_supersessions(tx, agency, removed, by=path.name)
                record_keys(tx, agency, sha, keys)
                quarantined = spool.tables()
            tx.write_quarantine(agency, sha, quarantined)
            ctx.stats.quarantine_by_column = quarantine_by_column(quarantined)
            report = file_report(path, sha, file_key(sha), src.encoding, mapping, agency, tz, resolved, ctx.stats,
                                 link_columns, replaced_from)
            if max_quarantine_share is not None:
                _quality_gate(report, path, Path(out), max_quarantine_share)
            tx.write_report(agency, sha, report)
            for earlier in result.files:  # earlier files of this run that this one replaced rows of
                if earlier[S.R_FILE_KEY] in removed:
                    earlier.update(tx.read_report(agency, earlier[S.R_FILE_KEY]) or {})
            result.files.append(report)
        if not result.reconciled:  # a bug, never a user error: refuse to commit
            raise RuntimeError("ingest did not reconcile (rows_read != written + quarantined); nothing was written")
        tx.commit()
    return result


def _spill_space(tx: DatasetTransaction) -> SpillSpace:
    """Where this run's bounded sets spill: a folder made beside the dataset on first use, removed at the end.

    Beside the dataset, on the disk its staging copy is on (not the system's temporary folder, which may be
    small or held in memory); named ``.<dataset>.spill-*``. Folders of that name left by a run that was killed
    are removed first: the transaction holds the dataset's lock, so no other run is using them.
    """
    pattern = f".{glob.escape(tx.root.name)}.spill-*"
    for stale in tx.root.parent.glob(pattern):
        shutil.rmtree(stale, ignore_errors=True)
    return SpillSpace(tx.root.parent, prefix=f".{tx.root.name}.spill-")


def _stamp(path: Path) -> tuple[int, int]:
    """Size [bytes] and modification time [ns] of a file: equal before and after reading, or it changed."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _ingest_blocks(blocks, ctx: FileContext, tx: DatasetTransaction, progress, keys: FileKeys,
                   spool: _QuarantineSpool) -> None:
    """Normalise and write one file's blocks; their keys go to ``keys``, their quarantine tables to ``spool``.

    Blocks are read by the caller's iterator, prepared on :data:`INGEST_THREADS`
    threads, finished here in file order (duplicates of earlier blocks,
    counts), and written by one more thread (Parquet encoding), so that
    reading, preparing and writing overlap. Memory: at most
    ``INGEST_THREADS`` blocks being prepared, one being finished and one table
    waiting for the writer; what is kept of every block (fingerprints, incident
    ids, keys, quarantined rows) is bounded too, spilled to disk past a budget
    (:mod:`.spill`, :class:`_QuarantineSpool`).
    """
    with ThreadPoolExecutor(max_workers=INGEST_THREADS) as pool, ThreadPoolExecutor(max_workers=1) as writer:
        pending: deque = deque()
        writes: deque = deque()

        def finish(limit: int) -> None:
            """Finish, in file order, the oldest prepared blocks until ``limit`` are in flight."""
            while len(pending) > limit:
                prep = pending.popleft().result()
                nb = finish_block(prep, ctx)
                keys.add(nb.table, nb.year, nb.month)
                writes.append(writer.submit(tx.write_rows, ctx.agency, ctx.file_sha256, nb.table, nb.year,
                                            nb.month, ctx.timezone))
                while len(writes) > min(limit, 1):
                    writes.popleft().result()
                if nb.quarantine.num_rows:
                    spool.append(nb.quarantine)
                release_freed_memory()
                if progress is not None:
                    progress(prep.n + len(prep.bad_records))

        for block in blocks:
            pending.append(pool.submit(prepare_block, block, ctx))
            finish(INGEST_THREADS)
        finish(0)
    ctx.personal.finish(ctx)  # the file's last window of every text column checked for personal data


#: Bytes of quarantine tables held in memory while a file is read, at most [bytes]; past it they are spilled.
QUARANTINE_MEMORY_BYTES = 4 << 20


class _QuarantineSpool:
    """The quarantine tables of one file, in file order: in memory up to :data:`QUARANTINE_MEMORY_BYTES`, the
    rest appended to an Arrow IPC stream in the spill space, so that they do not add up while the file is read.

    :meth:`tables` gives them back at the end, when the blocks' memory is free again, as the same tables
    (the same chunks, so the quarantine file is written byte for byte as from the tables in memory). Many
    small tables held for the whole file also keep allocator pages from being reused; this avoids that too.
    """

    def __init__(self, space: SpillSpace) -> None:
        self._space = space
        self._held: list[pa.Table] = []
        self._bytes = 0
        self._path: Path | None = None
        self._writer = None
        self._chunks: list[int] = []  # record batches of each spilled table [count]

    def append(self, table: pa.Table) -> None:
        """Add a block's quarantine table."""
        self._held.append(table)
        self._bytes += table.nbytes
        if self._bytes > QUARANTINE_MEMORY_BYTES:
            if self._writer is None:
                self._path = self._space.new_file("quarantine", ".arrows")
                self._writer = pa.ipc.new_stream(str(self._path), S.QUARANTINE_SCHEMA)
            for held in self._held:
                batches = held.to_batches()
                for batch in batches:
                    self._writer.write_batch(batch)
                self._chunks.append(len(batches))
            self._held, self._bytes = [], 0

    def tables(self) -> list[pa.Table]:
        """Every table added, in order (read back from disk if spilled)."""
        if self._writer is None:
            return list(self._held)
        self._writer.close()
        self._writer = None
        with pa.OSFile(str(self._path)) as source:
            reader = pa.ipc.open_stream(source)
            out = [pa.Table.from_batches([reader.read_next_batch() for _ in range(n)], S.QUARANTINE_SCHEMA)
                   for n in self._chunks]
        self._path.unlink()
        self._path, self._chunks = None, []
        return out + self._held

    def close(self) -> None:
        """Remove the spilled stream (if any)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None

    def __enter__(self) -> _QuarantineSpool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _check_salt(link_salt: str | bytes | None, mapping: Mapping) -> bytes | None:
    """The salt as bytes (None: no linkage), checked against the mapping's ``link_fields``."""
    if link_salt is None:
        if mapping.link_fields:
            raise UserError(
                f"mapping '{mapping.name}' lists [format] link_fields: give a secret salt "
                "(`--link-salt-file FILE`) to store them as caller_key, or remove link_fields"
            )
        return None
    salt = link_salt.encode("utf-8") if isinstance(link_salt, str) else bytes(link_salt)
    if len(salt) < MIN_SALT_BYTES:
        raise UserError(f"the link salt is {len(salt)} bytes; use a random secret of at least {MIN_SALT_BYTES} "
                        "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))' > salt.txt`)")
    if not mapping.link_fields:
        raise UserError(
            f"mapping '{mapping.name}' has no [format] link_fields: a salt was given, but there is nothing to link; "
            "list the caller's columns in link_fields (see docs/mappings.md)"
        )
    return salt
