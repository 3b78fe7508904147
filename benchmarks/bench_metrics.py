"""Grouped interval summaries: `responsestats metrics` against DuckDB SQL, on the same Parquet dataset.

Usage::

    .venv/bin/python benchmarks/bench_metrics.py --rows 1000000        # generate + ingest (cached), then compare
    .venv/bin/python benchmarks/bench_metrics.py --rows 10000000 --repeat 3
    .venv/bin/python benchmarks/bench_metrics.py DATASET --interval response_s --by month --level unit

Without DATASET it uses ``benchmarks/out/ds_cn110_<rows>``, made on first use from a synthetic cn110 log
(``generate.py``, one file per million rows, as an agency's periodic exports) by ``responsestats ingest``.

Each side runs as a whole process, alternately, ``--repeat`` times:

* ``responsestats metrics DATASET --interval ... --by ... --target 300`` (the CLI: it reads the dataset a piece of a
  partition at a time, ``metrics.streaming``), writing JSON (exact numbers);
* ``responsestats_memory``: the same command on the in-memory path (``store.read_calls`` then
  ``metrics.summarize``, as the CLI ran before the streaming path); its JSON must equal the first byte for byte;
* one DuckDB SQL query, written out below, computing the same figures by the same definitions (incident level,
  local-time month, exclusions and caps, ``quantile_cont`` = linear interpolation), writing Parquet.

Each child reports its own peak RSS (``VmHWM``, :mod:`childproc`). ``--engines`` picks the sides. The script then checks that every group x
interval agrees: counts exactly, mean / median / p90 / share within 300 s to 1e-9 relative, and prints the median
wall time of each side, their ratio and peak memory. DuckDB is a benchmark-only dependency
(``benchmarks/requirements.txt``).

The SQL follows docs/metrics.md. Two definitions are written for data in which they are unambiguous: "the
first-arriving unit's own en-route stamp" uses ``arg_min`` (ties between units arriving in the same second are
broken arbitrarily by DuckDB, by row order by responsestats), and an incident's district and priority are those of
its first row by received_at. For one-row-per-incident formats such as cn110 there are no such ties.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent

from childproc import PEAK, run_child
from responsestats.metrics.intervals import DEFAULT_CAPS_S, INTERVALS, RESPONSE_INTERVALS

DEFAULT_INTERVALS = ("call_processing_s", "turnout_s", "travel_s", "response_s")
TARGET_S = 300.0
#: What can be timed: the CLI as shipped (streaming), the CLI's in-memory path, and the DuckDB query.
ENGINES = ("responsestats", "responsestats_memory", "duckdb")


REASONS = ("self_initiated", "missing", "negative", "above_cap")
FIGURES = ("n", *[f"excluded_{r}" for r in REASONS], "mean_s", "median_s", "p90_s", "within_target_share")


def duckdb_sql(dataset: Path, intervals: tuple[str, ...], by: tuple[str, ...], level: str, out: Path) -> str:
    """The summary as one DuckDB query (see the module docstring), one row per group, a column per figure.

    Written for speed: one pass of one ``GROUP BY`` with ``FILTER``ed aggregates per interval (a long form
    with ``UNION ALL`` runs the incident collapse once per interval), ``quantile_cont`` with a list of
    fractions (one sort per group for both percentiles), and the local month taken from the dataset's
    ``year``/``month`` partition keys, which the ingest derives from received_at in the agency's zone.
    """
    files = f"{dataset}/agency=*/year=*/month=*/*.parquet"
    stamps = sorted({c for n in intervals for c in (INTERVALS[n].start, INTERVALS[n].end)} | {"received_at"})
    plain = [b for b in by if b != "month"]
    if level == "incident":
        cols = [f"{'max' if c == 'cleared_at' else 'min'}({c}) AS {c}" for c in stamps]
        cols += ["arg_min(enroute_at, arrived_at) AS first_arriving_enroute_at",
                 "coalesce(bool_or(self_initiated), false) AS self_initiated",
                 "arg_min(year * 100 + month, received_at) AS ym"]
        cols += [f"arg_min({b}, received_at) FILTER (WHERE {b} IS NOT NULL) AS {b}" for b in plain]
        level_sql = f"SELECT {', '.join(cols)} FROM calls GROUP BY agency, incident_id"
    else:
        level_sql = ("SELECT *, enroute_at AS first_arriving_enroute_at, coalesce(self_initiated, false) AS "
                     "self_initiated, year * 100 + month AS ym FROM calls")
    group = ["ym" if b == "month" else b for b in by]
    values, reasons, aggregates = [], [], []
    for k, name in enumerate(intervals):
        spec = INTERVALS[name]
        start = "first_arriving_enroute_at" if (spec.incident_start and level == "incident") else spec.start
        values.append(f"date_diff('microsecond', {start}, {spec.end}) / 1e6 AS v{k}")
        cap = DEFAULT_CAPS_S[name]
        reason = "CASE " + ("WHEN self_initiated THEN 1 " if name in RESPONSE_INTERVALS else "")
        above = f"WHEN v{k} > {cap} THEN 4 " if cap else ""
        reason += f"WHEN v{k} IS NULL THEN 2 WHEN v{k} < 0 THEN 3 {above}ELSE 0 END"
        reasons.append(f"{reason} AS r{k}")
        used = f"FILTER (WHERE r{k} = 0)"
        aggregates += [
            f"count(*) {used} AS \"{name}.n\"",
            *[f"count(*) FILTER (WHERE r{k} = {j}) AS \"{name}.excluded_{r}\"" for j, r in enumerate(REASONS, 1)],
            f"avg(v{k}) {used} AS \"{name}.mean_s\"",
            f"quantile_cont(v{k}, [0.5, 0.9]) {used} AS \"{name}.q\"",
            f"avg(CASE WHEN v{k} <= {TARGET_S} THEN 1.0 ELSE 0.0 END) {used} AS \"{name}.within_target_share\"",
        ]
    keys = ["printf('%04d-%02d', ym // 100, ym % 100) AS month" if b == "month" else b for b in by]
    return (
        f"COPY (WITH calls AS (SELECT * FROM read_parquet('{files}', hive_partitioning = true)), "
        f"level AS ({level_sql}), "
        f"v AS (SELECT {', '.join(group)}, self_initiated, {', '.join(values)} FROM level), "
        f"r AS (SELECT *, {', '.join(reasons)} FROM v), "
        f"g AS (SELECT {', '.join(group)}, {', '.join(aggregates)} FROM r GROUP BY {', '.join(group)}) "
        f"SELECT {', '.join(keys)}, * EXCLUDE ({', '.join(group)}) FROM g) TO '{out}' (FORMAT parquet)"
    )


def duckdb_long(wide: pd.DataFrame, intervals: tuple[str, ...], by: tuple[str, ...]) -> pd.DataFrame:
    """DuckDB's one-row-per-group table as one row per group x interval."""
    parts = []
    for name in intervals:
        part = wide[list(by)].copy()
        part["interval"] = name
        for fig in FIGURES:
            if fig in ("median_s", "p90_s"):
                q = wide[f"{name}.q"]
                part[fig] = [np.nan if v is None else v[0 if fig == "median_s" else 1] for v in q]
            else:
                part[fig] = wide[f"{name}.{fig}"]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def run_responsestats(dataset: Path, intervals, by, level, out: Path, streaming: bool = True) -> tuple[float, float]:
    """``responsestats metrics`` in a child: by default as shipped (one partition at a time,
    ``metrics.streaming``); ``streaming=False``: the whole query in memory (``read_calls`` + ``summarize``)."""
    switch = "" if streaming else "import responsestats.cli.metrics as m; m.STREAMING = False; "
    code = f"import sys; {switch}from responsestats.cli import main; rc = main(sys.argv[1:]); {PEAK}; sys.exit(rc)"
    args = ["metrics", str(dataset), "--interval", ",".join(intervals), "--by", ",".join(by), "--level", level,
            "--target", f"{TARGET_S:g}s", "--output", str(out)]
    return run_child(code, args)


def run_duckdb(sql: str) -> tuple[float, float]:
    code = f"import sys, duckdb; duckdb.connect().execute(sys.argv[1]); {PEAK}"
    return run_child(code, [sql])


def compare(ours: Path, theirs: Path, by: tuple[str, ...]) -> dict:
    """Join the two tables on group x interval; raise if any figure disagrees."""
    a = pd.read_json(ours, dtype={b: "str" for b in by})
    intervals = tuple(dict.fromkeys(a["interval"]))
    b = duckdb_long(pd.read_parquet(theirs), intervals, by)
    keys = [*by, "interval"]
    for col in by:
        b[col] = b[col].astype("str")
    merged = a.merge(b, on=keys, how="outer", suffixes=("", "_duckdb"), indicator=True)
    only = merged["_merge"] != "both"
    if only.any():
        raise SystemExit(f"{int(only.sum())} group x interval rows only on one side:\n{merged[only].head()}")
    exact = list(FIGURES[:5])
    close = list(FIGURES[5:])
    worst = 0.0
    for col in exact:
        bad = merged[col].to_numpy() != merged[f"{col}_duckdb"].to_numpy()
        if bad.any():
            shown = merged.loc[bad, keys + [col, col + "_duckdb"]]
            raise SystemExit(f"{col} differs in {int(bad.sum())} rows:\n{shown}")
    for col in close:
        x, y = merged[col].to_numpy(float), merged[f"{col}_duckdb"].to_numpy(float)
        both_nan = np.isnan(x) & np.isnan(y)
        rel = np.abs(x - y) / np.maximum(np.abs(y), 1e-300)
        rel[both_nan] = 0.0
        if (rel > 1e-9).any() or np.isnan(rel).any():
            bad = (rel > 1e-9) | np.isnan(rel)
            shown = merged.loc[bad, keys + [col, col + "_duckdb"]]
            raise SystemExit(f"{col} differs in {int(bad.sum())} rows:\n{shown}")
        worst = max(worst, float(rel.max(initial=0.0)))
    return {"output_rows": len(merged), "groups": len(merged) // max(1, merged["interval"].nunique()),
            "max_rel_diff": worst}


def ensure_dataset(rows: int) -> Path:
    """``benchmarks/out/ds_cn110_<rows>``: a generated cn110 log ingested by ``responsestats ingest`` (cached)."""
    from generate import default_path, generate

    parts = max(1, rows // 1_000_000)
    label = default_path("cn110", rows).stem.removeprefix("cn110_")
    dataset = HERE / "out" / f"ds_cn110_{label}"
    if not dataset.is_dir():
        src = default_path("cn110", rows, parts)
        if not src.exists():
            generate("cn110", rows, src, parts=parts)
        files = [src] if src.is_file() else sorted(src.glob("*.csv"))
        subprocess.run([sys.executable, "-m", "responsestats.cli", "ingest", *map(str, files), "--format", "cn110",
                        "--out", str(dataset)], check=True, stdout=subprocess.DEVNULL)
    return dataset


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", type=Path, nargs="?", help="dataset folder (default: see --rows)")
    ap.add_argument("--rows", type=int, default=1_000_000, help="size of the generated dataset used by default")
    ap.add_argument("--interval", default=",".join(DEFAULT_INTERVALS))
    ap.add_argument("--by", default="month,district,priority")
    ap.add_argument("--level", choices=["incident", "unit"], default="incident")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--engines", default=",".join(ENGINES),
                    help="comma-separated, from: " + ", ".join(ENGINES) + " (duckdb needs benchmarks/requirements.txt)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    intervals = tuple(args.interval.split(","))
    by = tuple(args.by.split(","))
    dataset = (args.dataset or ensure_dataset(args.rows)).resolve()
    rows = int(__import__("pyarrow.dataset", fromlist=["dataset"]).dataset(dataset, format="parquet").count_rows())
    engines = tuple(e for e in args.engines.split(",") if e)
    unknown = set(engines) - set(ENGINES)
    if unknown or not engines:
        raise SystemExit(f"--engines: unknown {sorted(unknown)}; choose from {', '.join(ENGINES)}")
    times: dict[str, list[float]] = {e: [] for e in engines}
    peaks: dict[str, list[float]] = {e: [] for e in engines}
    with tempfile.TemporaryDirectory() as tmp:
        # JSON: exact numbers (the command's CSV rounds seconds to 0.1), compared byte for byte between our paths
        outputs = {"responsestats": Path(tmp) / "ours.json", "responsestats_memory": Path(tmp) / "memory.json",
                   "duckdb": Path(tmp) / "duckdb.parquet"}
        sql = duckdb_sql(dataset, intervals, by, args.level, outputs["duckdb"])
        for k in range(args.repeat):
            for side in (engines if k % 2 == 0 else engines[::-1]):
                if side == "duckdb":
                    wall, peak = run_duckdb(sql)
                else:
                    wall, peak = run_responsestats(dataset, intervals, by, args.level, outputs[side],
                                                   streaming=side == "responsestats")
                times[side].append(wall)
                peaks[side].append(peak)
                print(f"  run {k + 1} {side:<20} {wall:6.2f} s  {peak:7.0f} MiB", file=sys.stderr)
        ours = [e for e in ("responsestats", "responsestats_memory") if e in engines]
        if len(ours) == 2 and outputs[ours[0]].read_bytes() != outputs[ours[1]].read_bytes():
            raise SystemExit("the streaming and the in-memory path wrote different tables")
        check = (compare(outputs[ours[0]], outputs["duckdb"], by) if ours and "duckdb" in engines
                 else {"output_rows": len(pd.read_json(outputs[ours[0]])) if ours else None, "max_rel_diff": None})
    med = {s: statistics.median(v) for s, v in times.items()}
    result = {
        "dataset": str(dataset), "rows": rows, "intervals": list(intervals), "by": list(by),
        "level": args.level, "repeat": args.repeat, **check,
        **{f"{e}_s": round(med[e], 2) for e in engines},
        **{f"{e}_peak_mib": round(max(peaks[e])) for e in engines},
        **{f"{e}_runs_s": [round(t, 2) for t in times[e]] for e in engines},
    }
    print("| rows | groups x intervals | " + " | ".join(f"{e} time | {e} peak" for e in engines) + " |\n"
          + "|---|---|" + "---|---|" * len(engines) + "\n"
          + f"| {rows:,} | {check['output_rows'] if check['output_rows'] is None else format(check['output_rows'], ',')} | "
          + " | ".join(f"{result[f'{e}_s']} s | {result[f'{e}_peak_mib']} MiB" for e in engines) + " |")
    if len(ours) == 2:
        print("the streaming and the in-memory path wrote the same table, byte for byte")
    if check["max_rel_diff"] is not None:
        print(f"figures agree with DuckDB (largest relative difference {check['max_rel_diff']:.1e})")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
