"""The Dask path against the default path on one dataset: equal tables, and the wall time of each.

Usage::

    .venv/bin/python benchmarks/bench_dask.py benchmarks/out/ds_cn110_1m --workers 2

Runs ``metrics.summarize(store.read_calls(...))`` and, on a ``LocalCluster`` of ``--workers`` single-threaded
worker processes, ``metrics.distributed.summarize(read_calls_dask(...))`` with the arguments of
bench_metrics.py, checks the two tables are identical (``assert_frame_equal(check_exact=True)``) and prints the
times (cluster start-up excluded). On one machine Dask adds scheduling, a shuffle and serialisation: this shows
what that costs, not a speed-up.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

INTERVALS = ["call_processing_s", "turnout_s", "travel_s", "response_s"]
COLUMNS = ["agency", "incident_id", "unit_id", "received_at", "self_initiated", "timezone", "dispatched_at",
           "enroute_at", "arrived_at", "district", "priority"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--by", default="month,district,priority")
    ap.add_argument("--level", default="incident")
    args = ap.parse_args(argv)
    from distributed import Client, LocalCluster

    from responsestats.metrics import summarize
    from responsestats.store import read_calls_dask
    from responsestats.metrics.distributed import summarize as summarize_dask
    from responsestats.store import read_calls

    kwargs = dict(by=args.by, level=args.level, target_s=300)
    t0 = time.perf_counter()
    single = summarize(read_calls(args.dataset, columns=COLUMNS), INTERVALS, **kwargs)
    t_single = time.perf_counter() - t0
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
            Client(cl):
        t0 = time.perf_counter()
        ddf = read_calls_dask(args.dataset, columns=COLUMNS)
        dask_table = summarize_dask(ddf, INTERVALS, **kwargs)
        t_dask = time.perf_counter() - t0
    pd.testing.assert_frame_equal(dask_table, single, check_exact=True)
    print(f"{args.dataset}: {ddf.npartitions} partitions, {len(single):,} rows of output, identical; "
          f"default path {t_single:.1f} s, Dask ({args.workers} workers) {t_dask:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
