"""The interval summaries on a Dask DataFrame: the same definitions and numbers, past one machine.

:func:`summarize` here takes a Dask DataFrame (e.g. from
:func:`responsestats.store.read_calls_dask`)
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
from typing import TYPE_CHECKING

import pandas as pd

from .. import schema as S
from ..store.dask_reader import dask_modules
from . import names as N
from .exclusions import DEFAULT_CAP, CapSpec
from .standards import Standard
from .summary import DEFAULT_CONFIDENCE, DEFAULT_MIN_N, finish_summary, merge_parts, summary_parts, summary_spec

if TYPE_CHECKING:
    import dask.dataframe as dd

#: Parts merged per task of the reduction tree.
DEFAULT_SPLIT_EVERY = 8


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
        Canonical rows, e.g. from :func:`responsestats.store.read_calls_dask`.
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
    dask, _ = dask_modules()
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


__all__ = ["summarize"]
