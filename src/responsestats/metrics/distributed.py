"""The interval summaries on a Dask DataFrame: the same definitions and numbers, past one machine.

:func:`summarize` here takes a Dask DataFrame (e.g. from :func:`read_calls_dask`)
and the arguments of :func:`responsestats.metrics.summarize`, and returns the
same table, number for number. It runs the single-machine definitions on each
partition (:func:`summary.summary_parts`: level, intervals, exclusions, caps,
group keys, targets), adds the exact per-group counts up in a tree
(:func:`summary.merge_parts`; whole-second values make the value counts small
and exact to merge), and computes the percentiles and CIs from the merged
counts on the client (:func:`summary.finish_summary`), as the default path
does. At incident level the rows are first shuffled by (agency, incident_id) so
that all units of an incident meet in one partition.

Dask is imported only here, and only when these functions run: the
single-machine path needs no Dask. Install with ``pip install
'responsestats[dask]'``. Pointing it at a cluster and at remote storage:
``docs/scaling.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow.dataset as ds

from .. import schema as S
from ..errors import UserError
from ..store import as_date
from . import names as N
from .exclusions import DEFAULT_CAP, CapSpec
from .standards import Standard
from .summary import DEFAULT_CONFIDENCE, DEFAULT_MIN_N, finish_summary, merge_parts, summary_parts, summary_spec

if TYPE_CHECKING:
    import dask.dataframe as dd

#: Parts merged per task of the reduction tree.
DEFAULT_SPLIT_EVERY = 8


def _dask():
    try:
        import dask
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise UserError("the Dask path needs dask[dataframe] and distributed: pip install 'responsestats[dask]'") \
            from exc
    return dask, dd


def _partition_filter(agency, start, end):
    """Row filter on agency and on the year/month partition keys (as :func:`store.read_calls`)."""
    expr = None
    if agency is not None:
        expr = ds.field(S.AGENCY) == agency
    if start is not None:
        e = (ds.field(S.YEAR) > start.year) | ((ds.field(S.YEAR) == start.year) & (ds.field(S.MONTH) >= start.month))
        expr = e if expr is None else expr & e
    if end is not None:
        e = (ds.field(S.YEAR) < end.year) | ((ds.field(S.YEAR) == end.year) & (ds.field(S.MONTH) <= end.month))
        expr = e if expr is None else expr & e
    return expr


def _read_fragment(fragment, columns: list[str], expr, start, end) -> pd.DataFrame:
    """One Parquet file of the dataset as :func:`store.read_calls` reads it.

    Dask passes the ``columns`` a computation uses (column projection), so only
    those are read.
    """
    from ..store import received_between

    columns = list(columns)
    dated = start is not None or end is not None
    read = list(dict.fromkeys(columns + ([S.RECEIVED_AT, S.TIMEZONE] if dated else [])))
    frame = fragment.to_table(schema=S.DATASET_SCHEMA, columns=read, filter=expr).to_pandas()
    return received_between(frame, start, end)[columns]


def read_calls_dask(
    dataset: str,
    *,
    agency: str | None = None,
    start: Any = None,
    end: Any = None,
    columns: Iterable[str] | None = None,
    storage_options: Mapping[str, Any] | None = None,
    filesystem: Any = None,
) -> dd.DataFrame:
    """A dataset written by ``responsestats ingest`` as a Dask DataFrame, one partition per Parquet file.

    Parameters
    ----------
    dataset : str
        The dataset folder: a local path, or a URL such as
        ``s3://bucket/calls`` or ``hdfs://namenode:8020/calls`` (read with
        fsspec; workers must reach it too).
    agency, start, end, columns
        As :func:`responsestats.store.read_calls`: only the partitions and
        columns needed are read, and local dates are filtered per row.
    storage_options : mapping, optional
        Passed to fsspec for a URL (credentials, endpoint, ...).
    filesystem : pyarrow or fsspec filesystem, optional
        Use this filesystem instead (then ``dataset`` is a path on it).

    Returns
    -------
    dask.dataframe.DataFrame
        The same columns and dtypes as :func:`store.read_calls` gives.
    """
    dask, dd = _dask()
    path = str(dataset)
    if filesystem is None and "://" in path:
        from fsspec.core import url_to_fs

        filesystem, path = url_to_fs(path, **dict(storage_options or {}))
    start_d, end_d = as_date(start, "start"), as_date(end, "end")
    wanted = list(columns) if columns is not None else list(S.COLUMNS)
    unknown = [c for c in wanted if c not in S.DATASET_SCHEMA.names]
    if unknown:
        raise UserError(f"unknown column(s) {unknown}; canonical columns are {list(S.COLUMNS)}")
    try:
        dataset_ = ds.dataset(path, format="parquet", filesystem=filesystem, schema=S.DATASET_SCHEMA,
                              partitioning=ds.partitioning(S.PARTITION_SCHEMA, flavor="hive"))
    except (FileNotFoundError, OSError) as exc:
        raise UserError(f"{dataset}: no dataset here ({exc})") from None
    expr = _partition_filter(agency, start_d, end_d)
    fragments = list(dataset_.get_fragments(filter=expr))
    meta = S.DATASET_SCHEMA.empty_table().select(wanted).to_pandas()
    if not fragments:
        with dask.config.set({"dataframe.convert-string": False}):
            return dd.from_pandas(meta, npartitions=1)
    # keep the dtypes read_calls gives (Dask would turn text and mixed columns into its own string dtype)
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_map(_read_fragment, fragments, columns=wanted, expr=expr, start=start_d, end=end_d,
                           meta=meta, enforce_metadata=False)


def summarize(
    ddf: dd.DataFrame,
    intervals: str | Iterable[str] | None = None,
    by: str | Iterable[str] | None = None,
    level: str = N.LEVEL_INCIDENT,
    percentiles: Iterable[float] = (),
    target_s: float | Mapping[str, float] | None = None,
    standard: str | Standard | None = None,
    cap: CapSpec = DEFAULT_CAP,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
    split_every: int = DEFAULT_SPLIT_EVERY,
) -> pd.DataFrame:
    """:func:`responsestats.metrics.summarize` of a Dask DataFrame; the same table.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Canonical rows, e.g. from :func:`read_calls_dask`.
    intervals, by, level, percentiles, target_s, standard, cap, min_n, confidence
        As :func:`responsestats.metrics.summarize`.
    split_every : int
        Partial results merged per task of the reduction tree.

    Returns
    -------
    pandas.DataFrame
        Identical to ``summarize(ddf.compute(), ...)``.

    Notes
    -----
    Runs on the active ``dask.distributed`` client if there is one (e.g.
    ``Client("tcp://scheduler:8786")``), else on Dask's default scheduler.
    """
    dask, _ = _dask()
    spec = summary_spec(intervals, by, level, percentiles, target_s, standard, cap, min_n, confidence)
    used = [*spec.columns, S.UNIT_ID, S.SELF_INITIATED, S.TIMEZONE, *S.TIMESTAMP_COLUMNS, *spec.by]
    if spec.standard is not None:
        used += list(spec.standard.condition_columns)
    ddf = ddf[[c for c in ddf.columns if c in set(used)]]  # move only what the summary reads
    if spec.level == N.LEVEL_INCIDENT and ddf.npartitions > 1:
        ddf = ddf.shuffle(on=[S.AGENCY, S.INCIDENT_ID])  # all units of an incident in one partition
    parts = [dask.delayed(summary_parts)(part, spec) for part in ddf.to_delayed()]
    while len(parts) > 1:
        parts = [dask.delayed(merge_parts)(parts[i:i + split_every], spec) for i in range(0, len(parts), split_every)]
    (merged,) = dask.compute(parts[0])
    return finish_summary(merged, spec)


__all__ = ["read_calls_dask", "summarize"]
