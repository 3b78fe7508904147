"""Reading a dataset: canonical rows, the quarantine and the ingest reports, reading only what is asked for.

Every reader opens the dataset through :func:`open_dataset` (hive partitions
``agency=/year=/month=``) and selects partitions with
:func:`~.partitions.partition_filter`, so that a month of one agency costs a
read of that month's files, whatever the history holds.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from .. import schema as S
from ..config import QUARANTINE_SUBDIR, REPORTS_SUBDIR
from ..errors import UserError
from ..localtime import local_time
from .partitions import as_date, partition_filter, received_between


def open_dataset(dataset: str | Path, dimensions: Sequence[str] = ()) -> ds.Dataset:
    """The canonical rows of a dataset as a :class:`pyarrow.dataset.Dataset`.

    Parameters
    ----------
    dataset : str or Path
        Dataset folder written by ``responsestats ingest``.
    dimensions : sequence of str
        Dimensions (names, :func:`list_dimensions`) to include as their stored ``dim_<name>`` columns; a file
        without one reads it as null (schema drift between months is no error).

    Returns
    -------
    pyarrow.dataset.Dataset
        Hive-partitioned (``agency``, ``year``, ``month``), with the canonical schema (and the dimensions').
    """
    path = Path(dataset)
    if not path.is_dir():
        raise UserError(f"{path}: no dataset here (run `responsestats ingest ... --out {path}` first)")
    partitioning = ds.partitioning(S.PARTITION_SCHEMA, flavor="hive")
    return ds.dataset(path, format="parquet", partitioning=partitioning, schema=S.dataset_schema(tuple(dimensions)))


def list_dimensions(dataset: str | Path, agency: str | None = None, reports: Iterable[dict] | None = None
                    ) -> tuple[str, ...]:
    """The dimensions (the agency's own columns kept by its mappings) a dataset holds.

    Parameters
    ----------
    dataset : str or Path
        Dataset folder.
    agency : str, optional
        Only this agency's files.
    reports : iterable of dict, optional
        The dataset's ingest reports, when already read (:func:`read_reports`).

    Returns
    -------
    tuple of str
        Dimension names, sorted: those any file's mapping declared (``[dimensions.<name>]``).
    """
    reports = read_reports(dataset) if reports is None else reports
    return tuple(sorted({d for r in reports if agency is None or r.get(S.R_AGENCY) == agency
                         for d in (r.get(S.R_DIMENSIONS) or ())}))


def read_calls(
    dataset: str | Path,
    *,
    agency: str | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    columns: Iterable[str] | None = None,
    local: bool = False,
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
        Canonical columns and dimensions (by name) to read (default all). The columns needed for the
        date filter are read as well.
    local : bool
        Also give each timestamp column read in local time: ``<column>_local``
        (e.g. ``received_at_local``), the wall-clock time in each row's own
        ``timezone`` as naive ``datetime64[us]``. Use these for hours and
        dates as the agency saw them (``calls.received_at_local.dt.hour``); the
        timestamps themselves are UTC.

    Returns
    -------
    pandas.DataFrame
        Timestamps as ``datetime64[us, UTC]``; with ``local``, their ``*_local`` twins after them. The
        dataset's dimensions come after the canonical columns, under their own names (``station``), as text;
        null where a file has no such column.
        ``attrs["sources"]`` holds what the files' reports say of the sources (:func:`sources_summary`), so
        that outcome figures tell a source that records no arrests from one with none in these rows.
    """
    reports = read_reports(dataset)
    path = Path(dataset)
    if path.is_dir() and not reports and not any(path.glob(f"{S.AGENCY}=*")):
        raise UserError(f"{path}: an empty folder, not a dataset (no ingest wrote here); run `responsestats ingest "
                        f"... --out {path}` first")
    dims = list_dimensions(dataset, agency, reports)
    d = open_dataset(dataset, dims)
    start_d = as_date(start, "start")
    end_d = as_date(end, "end")
    expr = partition_filter(agency, start_d, end_d)
    wanted = list(columns) if columns is not None else [*S.COLUMNS, *dims]
    unknown = [c for c in wanted if c not in S.DATASET_SCHEMA.names and c not in dims]
    if unknown:
        raise UserError(f"unknown column(s) {unknown}; canonical columns are {list(S.COLUMNS)}"
                        + (f", dimensions {list(dims)}" if dims else ""))
    stored = {c: S.dimension_column(c) if c in dims else c for c in wanted}
    read_cols = list(dict.fromkeys([stored[c] for c in wanted]
                                   + ([S.RECEIVED_AT, S.TIMEZONE] if (start_d or end_d) else [])))
    if local and S.TIMEZONE not in read_cols:
        read_cols.append(S.TIMEZONE)
    table = d.to_table(columns=read_cols, filter=expr)
    for i, name in enumerate(table.column_names):  # dimensions as plain text under their own names
        if name.startswith(S.DIMENSION_PREFIX) and S.dimension_name(name) in dims:
            table = table.set_column(i, S.dimension_name(name), table.column(i).cast(pa.string()))
    frame = received_between(table.to_pandas(), start_d, end_d)
    out = frame[wanted]
    out.attrs[S.FRAME_SOURCES] = sources_summary(reports, agency)
    if local:
        out = out.copy()
        for column in [c for c in wanted if c in S.TIMESTAMP_COLUMNS]:
            out.insert(out.columns.get_loc(column) + 1, S.local_column(column), local_time(frame, column))
    return out


def sources_summary(reports: Iterable[dict], agency: str | None = None) -> dict:
    """What the ingest reports of an agency's files (every agency's for None) say of the sources.

    Parameters
    ----------
    reports : iterable of dict
        Ingest reports (:func:`read_reports`).
    agency : str, optional
        Only this agency's.

    Returns
    -------
    dict
        ``outcomes_possible``: the canonical outcomes any file can yield, sorted (None when a report does not
        say, or there is none); ``columns_used``: the canonical fields any file read, sorted.
    """
    mine = [r for r in reports if agency is None or r.get(S.R_AGENCY) == agency]
    possible = None
    if mine and all(S.R_OUTCOMES_POSSIBLE in r for r in mine):
        possible = sorted({o for r in mine for o in r[S.R_OUTCOMES_POSSIBLE]})
    used = sorted({k for r in mine for k in (r.get(S.R_COLUMNS_USED) or {}) if k in S.COLUMNS})
    return {S.R_OUTCOMES_POSSIBLE: possible, S.R_COLUMNS_USED: used}


def read_quarantine(dataset: str | Path) -> pd.DataFrame:
    """All quarantined rows of a dataset, with the agency of each.

    Parameters
    ----------
    dataset : str or Path
        Dataset folder.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`responsestats.schema.QUARANTINE_SCHEMA` and ``agency``.
    """
    folder = Path(dataset) / QUARANTINE_SUBDIR
    if not folder.exists():
        return S.QUARANTINE_SCHEMA.empty_table().to_pandas().assign(**{S.AGENCY: pd.Series(dtype=object)})
    q = ds.dataset(folder, format="parquet", partitioning=ds.partitioning(
        pa.schema([pa.field(S.AGENCY, pa.string())]), flavor="hive"))
    return q.to_table().to_pandas()


def read_reports(dataset: str | Path) -> list[dict]:
    """The ingest report of every input file in a dataset, oldest ingest first.

    Parameters
    ----------
    dataset : str or Path
        Dataset folder.

    Returns
    -------
    list of dict
        One :data:`responsestats.schema.FileReport` per input file.
    """
    folder = Path(dataset) / REPORTS_SUBDIR
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*/*.json"))]
    return sorted(reports, key=lambda r: (r.get(S.R_INGESTED_AT, ""), r.get(S.R_SOURCE_FILE, "")))


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
    for frag in d.get_fragments(filter=partition_filter(agency)):
        yield ds.get_partition_keys(frag.partition_expression), frag


class CallPartitions:
    """The partitions (agency, local year, local month) a query selects, each read on its own.

    Made by :func:`call_partitions`. Reading every partition with :meth:`read` and concatenating gives the rows
    :func:`read_calls` gives with the same arguments (row order aside), so a computation that adds up over
    partitions never holds more than one of them: ``metrics.streaming`` uses it for the interval summaries.

    Attributes
    ----------
    keys : tuple of (str, int, int)
        (agency, year, month) of every selected partition, sorted.
    dimensions : tuple of str
        The dataset's dimensions (the agency's, with ``agency``), readable by name.
    sources : dict
        What the files' reports say of the sources (:func:`sources_summary`), as ``read_calls`` sets it in
        ``attrs["sources"]``.
    """

    def __init__(self, dataset: str | Path, agency: str | None = None, start: str | dt.date | None = None,
                 end: str | dt.date | None = None) -> None:  # fmt: skip
        reports = read_reports(dataset)
        path = Path(dataset)
        if path.is_dir() and not reports and not any(path.glob(f"{S.AGENCY}=*")):
            raise UserError(f"{path}: an empty folder, not a dataset (no ingest wrote here); run `responsestats "
                            f"ingest ... --out {path}` first")  # fmt: skip
        self.dimensions = list_dimensions(dataset, agency, reports)
        self.sources = sources_summary(reports, agency)
        self._dataset = open_dataset(dataset, self.dimensions)
        self._agency = agency
        self._start, self._end = as_date(start, "start"), as_date(end, "end")
        found = set()
        for frag in self._dataset.get_fragments(filter=partition_filter(agency, self._start, self._end)):
            keys = ds.get_partition_keys(frag.partition_expression)
            found.add((keys[S.AGENCY], int(keys[S.YEAR]), int(keys[S.MONTH])))
        self.keys = tuple(sorted(found))
        self._groups: dict[tuple[str, int, int], list] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def row_count(self) -> int:
        """Stored rows of the selected partitions [count] (from the Parquet footers; no date filter within a month)."""
        return sum(sum(sizes) for key in self.keys for _, _, sizes in self._row_groups(key))

    def _filter(self, key: tuple[str, int, int] | None) -> ds.Expression:
        if key is None:  # no partition: prunes every file
            return ds.field(S.AGENCY).is_null()
        agency, year, month = key
        return (ds.field(S.AGENCY) == agency) & (ds.field(S.YEAR) == year) & (ds.field(S.MONTH) == month)

    def check_columns(self, columns: Iterable[str]) -> list[str]:
        """``columns`` as a list, after checking that each is a canonical column or a dimension.

        Parameters
        ----------
        columns : iterable of str
            Canonical columns and dimensions (by name).

        Returns
        -------
        list of str
            The columns, in order.

        Raises
        ------
        UserError
            Naming the unknown columns, as :func:`read_calls` does.
        """
        wanted = list(columns)
        dims = self.dimensions
        unknown = [c for c in wanted if c not in S.DATASET_SCHEMA.names and c not in dims]
        if unknown:
            raise UserError(f"unknown column(s) {unknown}; canonical columns are {list(S.COLUMNS)}"
                            + (f", dimensions {list(dims)}" if dims else ""))
        return wanted

    def pieces(self, key: tuple[str, int, int], max_rows: int) -> list[Piece]:
        """One partition cut into pieces of whole Parquet row groups, of at most ``max_rows`` rows each.

        A row group larger than ``max_rows`` is a piece alone. The cut is made from the files' footers (no row
        is read) and is the same every time it is asked for, so two passes over the pieces meet the same rows in
        the same pieces.

        Parameters
        ----------
        key : (str, int, int)
            One of :attr:`keys`.
        max_rows : int
            Stored rows of a piece at most [count].

        Returns
        -------
        list of Piece
            In file order (files by path, row groups in order); read with :meth:`read` or :meth:`incident_ids`.
        """
        out: list[Piece] = []
        current: list[tuple[str, ds.Expression, list[int]]] = []
        size = 0
        for path, expression, sizes in self._row_groups(key):
            for group, rows in enumerate(sizes):
                if current and size + rows > max_rows:
                    out.append(Piece(key, tuple((f, e, tuple(ids)) for f, e, ids in current)))
                    current, size = [], 0
                if not current or current[-1][0] != path:
                    current.append((path, expression, []))
                current[-1][2].append(group)
                size += rows
        if current:
            out.append(Piece(key, tuple((f, e, tuple(ids)) for f, e, ids in current)))
        return out

    def _row_groups(self, key: tuple[str, int, int]) -> list[tuple[str, ds.Expression, tuple[int, ...]]]:
        """Each file of a partition (by path) with its partition expression and the rows of its row groups.

        Read from the footers once per partition and kept as numbers only: the dataset's own fragments would
        keep every footer they read (130 MiB for the 960 files of 100 M rows).
        """
        found = self._groups.get(key)
        if found is None:
            fragments = sorted(self._dataset.get_fragments(filter=self._filter(key)), key=lambda f: f.path)
            found = []
            for fragment in fragments:
                meta = pq.read_metadata(fragment.path, filesystem=self._dataset.filesystem)
                found.append((fragment.path, fragment.partition_expression,
                              tuple(meta.row_group(i).num_rows for i in range(meta.num_row_groups))))
            self._groups[key] = found
        return found

    def _table(self, where: tuple[str, int, int] | Piece | None, columns: list[str]) -> pa.Table:
        """The stored ``columns`` of a partition (a key), of a piece of one, or of none (an empty table)."""
        if not isinstance(where, Piece):
            return self._dataset.to_table(columns=columns, filter=self._filter(where))
        tables = [self._dataset.format.make_fragment(path, self._dataset.filesystem, partition_expression=expression,
                                                     row_groups=list(ids))
                  .to_table(schema=self._dataset.schema, columns=columns)
                  for path, expression, ids in where.groups]
        return pa.concat_tables(tables) if len(tables) > 1 else tables[0]

    def incident_ids(self, key: tuple[str, int, int] | Piece) -> pa.ChunkedArray:
        """The ``incident_id`` of every row of one partition or piece (no date filter within the month: a superset).

        Parameters
        ----------
        key : (str, int, int) or Piece
            One of :attr:`keys`, or one of its :meth:`pieces`.

        Returns
        -------
        pyarrow.ChunkedArray
            Text, one value per stored row.
        """
        return self._table(key, [S.INCIDENT_ID]).column(S.INCIDENT_ID)

    def read(self, key: tuple[str, int, int] | Piece | None, columns: Iterable[str]) -> pd.DataFrame:
        """The rows of one partition or piece, as :func:`read_calls` gives them (its date filter applied).

        Parameters
        ----------
        key : (str, int, int), Piece or None
            One of :attr:`keys`, or one of its :meth:`pieces`; None: no partition (an empty frame with the
            columns and their types).
        columns : iterable of str
            Canonical columns and dimensions (by name).

        Returns
        -------
        pandas.DataFrame
            ``columns``, with the types :func:`read_calls` gives; ``attrs["sources"]`` set.
        """
        wanted = self.check_columns(columns)
        dims = self.dimensions
        stored = {c: S.dimension_column(c) if c in dims else c for c in wanted}
        dated = self._start is not None or self._end is not None
        read_cols = list(dict.fromkeys([stored[c] for c in wanted] + ([S.RECEIVED_AT, S.TIMEZONE] if dated else [])))
        table = self._table(key, read_cols)
        for i, name in enumerate(table.column_names):
            if name.startswith(S.DIMENSION_PREFIX) and S.dimension_name(name) in dims:
                table = table.set_column(i, S.dimension_name(name), table.column(i).cast(pa.string()))
        out = received_between(table.to_pandas(), self._start, self._end)[wanted]
        out.attrs[S.FRAME_SOURCES] = self.sources
        return out


@dataclass(frozen=True)
class Piece:
    """Whole row groups of one partition's files, read together (:meth:`CallPartitions.pieces`).

    Attributes
    ----------
    key : (str, int, int)
        The partition (agency, year, month).
    groups : tuple of (str, pyarrow.dataset.Expression, tuple of int)
        Each file of the piece (path), its partition expression and the ids of its row groups.
    """

    key: tuple[str, int, int]
    groups: tuple


def call_partitions(dataset: str | Path, *, agency: str | None = None, start: str | dt.date | None = None,
                    end: str | dt.date | None = None) -> CallPartitions:  # fmt: skip
    """The partitions of a query, to be read one at a time (:class:`CallPartitions`).

    Parameters
    ----------
    dataset : str or Path
        Dataset folder.
    agency : str, optional
        Only this agency.
    start, end : str or date, optional
        Local calendar dates (``YYYY-MM-DD``), inclusive, on ``received_at``, as :func:`read_calls`.

    Returns
    -------
    CallPartitions
        Selected from the partition folders; no row is read yet.
    """
    return CallPartitions(dataset, agency=agency, start=start, end=end)
