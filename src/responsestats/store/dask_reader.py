"""A dataset as a Dask DataFrame: one partition per Parquet file, read where the workers are.

The same partitions, columns and local-date filter as :func:`~.read.read_calls`
(both use :mod:`.partitions`). Dask is imported only when these functions run:
the single-machine path needs no Dask. Install with ``pip install
'responsestats[dask]'``; ``docs/scaling.md`` covers clusters and remote storage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow.dataset as ds

from .. import schema as S
from ..errors import UserError
from .partitions import as_date, partition_filter, received_between

if TYPE_CHECKING:
    import dask.dataframe as dd


def dask_modules():
    """``(dask, dask.dataframe)``, or a one-line error saying how to install them."""
    try:
        import dask
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise UserError("the Dask path needs dask[dataframe] and distributed: pip install 'responsestats[dask]'") \
            from exc
    return dask, dd


def _read_fragment(fragment, columns: list[str], expr, start, end) -> pd.DataFrame:
    """One Parquet file of the dataset as :func:`~.read.read_calls` reads it.

    Dask passes the ``columns`` a computation uses (column projection), so only
    those are read.
    """
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
        As :func:`~.read.read_calls`: only the partitions and
        columns needed are read, and local dates are filtered per row.
    storage_options : mapping, optional
        Passed to fsspec for a URL (credentials, endpoint, ...).
    filesystem : pyarrow or fsspec filesystem, optional
        Use this filesystem instead (then ``dataset`` is a path on it).

    Returns
    -------
    dask.dataframe.DataFrame
        The same columns and dtypes as :func:`~.read.read_calls` gives.
    """
    dask, dd = dask_modules()
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
    expr = partition_filter(agency, start_d, end_d)
    fragments = list(dataset_.get_fragments(filter=expr))
    meta = S.DATASET_SCHEMA.empty_table().select(wanted).to_pandas()
    if not fragments:
        with dask.config.set({"dataframe.convert-string": False}):
            return dd.from_pandas(meta, npartitions=1)
    # keep the dtypes read_calls gives (Dask would turn text and mixed columns into its own string dtype)
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_map(_read_fragment, fragments, columns=wanted, expr=expr, start=start_d, end=end_d,
                           meta=meta, enforce_metadata=False)
