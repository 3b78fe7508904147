"""CSV -> Parquet: `responsestats ingest` beside naive pandas, DuckDB and polars, on the same file, in one run.

Usage::

    .venv/bin/python benchmarks/bench_ingest.py --format cn110 --rows 1000000 --repeat 3
    .venv/bin/python benchmarks/bench_ingest.py --format sffd --rows 5000000 --engines responsestats,polars

The input is ``benchmarks/out/<format>_<rows>.csv`` from ``generate.py`` (made first if missing), or ``--file``.
Every engine runs in a fresh process, engines in turn, ``--repeat`` times; each child reports its own peak RSS
(``getrusage(RUSAGE_SELF)``: ``RUSAGE_CHILDREN`` would include the parent's memory copied at fork). The table shows
medians: rows/s, MB/s (input bytes), peak memory, and each engine's time over the fastest one's.

What each engine does, the same parsing on the same file:

* ``responsestats``: ``responsestats ingest FILE --format F`` (mapping, validation, quarantine, partitions);
* ``pandas``: ``read_csv`` (every column as text), ``to_datetime`` with the format's timestamp format on the
  timestamp columns the mapping reads, localise to the format's zone, convert to UTC, ``to_parquet`` (zstd);
* ``duckdb``: ``COPY (SELECT ... try_strptime ... timezone(zone, ...)) TO ... (FORMAT parquet, COMPRESSION zstd)``
  over ``read_csv(all_varchar = true)``;
* ``polars``: ``scan_csv(infer_schema=False)``, ``str.strptime`` / ``replace_time_zone`` / ``convert_time_zone``,
  ``sink_parquet`` (zstd).
* ``polars_checks``: polars doing the per-row checks an ingest does besides parsing, to see what they cost a
  compiled engine: every column trimmed and NA tokens (``NULL``, ``NA``...) as null; each record's fingerprint
  and the duplicates (``is_first_distinct``, over the whole file); the timestamps parsed, localised and converted;
  a reason per row (received time missing or unreadable, a later stage before it, a duplicate); the kept rows
  written partitioned by local year/month (``PartitionBy``) and the others to a quarantine file with their row
  number, reason and raw value, both from one scan (``collect_all``). Not all of responsestats' rules (no
  category maps, no per-column findings, no report), so it is a lower bound for a compiled rewrite.

The three engines write one Parquet file of every column with the timestamps parsed; responsestats writes the
canonical columns, partitioned by agency/year/month, plus the quarantine and the report. DuckDB and polars are
benchmark-only dependencies (``benchmarks/requirements.txt``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from childproc import PEAK, run_child

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ENGINES = ("responsestats", "pandas", "duckdb", "polars", "polars_checks")

#: format -> (timestamp columns the built-in mapping parses, strptime format, IANA zone)
FORMATS = {
    "cn110": (["接警时间", "派警时间", "出警时间", "到达现场时间", "处警结束时间", "抓获时间"], "%Y-%m-%d %H:%M:%S",
              "Asia/Shanghai"),
    "sffd": (["Received DtTm", "Dispatch DtTm", "Response DtTm", "On Scene DtTm", "Available DtTm"],
             "%m/%d/%Y %I:%M:%S %p", "America/Los_Angeles"),
}

PANDAS = """
import sys, pandas as pd
src, out, fmt, zone, cols = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5].split("|")
df = pd.read_csv(src, dtype=str, keep_default_na=False, na_values=[""])
for c in cols:
    naive = pd.to_datetime(df[c], format=fmt, errors="coerce")
    df[c] = naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward").dt.tz_convert("UTC")
df.to_parquet(out, compression="zstd", index=False)
"""

DUCKDB = """
import sys, duckdb
src, out, fmt, zone, cols = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5].split("|")
parsed = ", ".join(f"timezone('{zone}', try_strptime(\\"{c}\\", '{fmt}')) AS \\"{c}\\"" for c in cols)
duckdb.connect().execute(
    f"COPY (SELECT * REPLACE ({parsed}) FROM read_csv('{src}', all_varchar = true, header = true)) "
    f"TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
"""

POLARS = """
import sys, polars as pl
src, out, fmt, zone, cols = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5].split("|")
parsed = [pl.col(c).str.strptime(pl.Datetime("us"), fmt, strict=False)
          .dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")
          for c in cols]
pl.scan_csv(src, infer_schema=False).with_columns(parsed).sink_parquet(out, compression="zstd")
"""

POLARS_CHECKS = """
import sys, polars as pl
src, out, fmt, zone, cols = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5].split("|")
NA = ["", "NULL", "null", "NA", "N/A", "None"]
lf = pl.scan_csv(src, infer_schema=False)
names = lf.collect_schema().names()
received, later = cols[0], cols[1:]
lf = lf.with_columns(pl.col(names).str.strip_chars())
lf = lf.with_columns([pl.when(pl.col(c).is_in(NA)).then(None).otherwise(pl.col(c)).alias(c) for c in names])
lf = lf.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("source_row"),
                                         pl.struct(names).hash().alias("_h"))
lf = lf.with_columns([pl.col(c).str.strptime(pl.Datetime("us"), fmt, strict=False)
                      .dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
                      .dt.convert_time_zone("UTC").alias(c + "_utc") for c in cols])
rec = pl.col(received + "_utc")
reason = (pl.when(pl.col(received).is_null()).then(pl.lit("missing_timestamp"))
          .when(rec.is_null()).then(pl.lit("bad_timestamp"))
          .when(pl.any_horizontal([pl.col(c + "_utc") < rec for c in later])).then(pl.lit("stage_before_received"))
          .when(~pl.col("_h").is_first_distinct()).then(pl.lit("duplicate_row")))
lf = lf.with_columns(reason.alias("_reason"))
local = rec.dt.convert_time_zone(zone)
kept = (lf.filter(pl.col("_reason").is_null())
        .with_columns(local.dt.year().alias("year"), local.dt.month().alias("month"))
        .drop(["_h", "_reason"] + cols).rename({c + "_utc": c for c in cols}))
quarantine = lf.filter(pl.col("_reason").is_not_null()).select("source_row", "_reason", pl.col(received).alias("raw"))
pl.collect_all([
    kept.sink_parquet(pl.PartitionBy(out + "/calls", key=["year", "month"]), compression="zstd", mkdir=True,
                      lazy=True),
    quarantine.sink_parquet(out + "/quarantine.parquet", compression="zstd", mkdir=True, lazy=True),
])
"""

RESPONSESTATS = "import sys; from responsestats.cli import main; rc = main(sys.argv[1:]); {peak}; sys.exit(rc)"


def run_engine(engine: str, src: Path, fmt: str, work: Path) -> dict:
    """One run of one engine; returns wall time [s], peak RSS [MiB] and rows written."""
    cols, strptime, zone = FORMATS[fmt]
    out = work / engine
    shutil.rmtree(out, ignore_errors=True)
    if engine == "responsestats":
        report = work / "report.json"
        wall, peak = run_child(RESPONSESTATS.format(peak=PEAK), [
            "ingest", str(src), "--format", fmt, "--agency", "bench", "--out", str(out), "--report", str(report)])
        rep = json.loads(report.read_text(encoding="utf-8"))
        info = {"rows_written": rep["rows_written"], "rows_quarantined": rep["rows_quarantined"],
                "reconciled": rep["reconciled"]}
    elif engine == "polars_checks":
        wall, peak = run_child(POLARS_CHECKS + "\n" + PEAK, [str(src), str(out), strptime, zone, "|".join(cols)])
        import pyarrow.parquet as pq

        info = {"rows_written": sum(pq.ParquetFile(f).metadata.num_rows for f in (out / "calls").rglob("*.parquet")),
                "rows_quarantined": pq.ParquetFile(out / "quarantine.parquet").metadata.num_rows}
    else:
        out.mkdir(parents=True)
        code = {"pandas": PANDAS, "duckdb": DUCKDB, "polars": POLARS}[engine] + "\n" + PEAK
        target = out / "calls.parquet"
        wall, peak = run_child(code, [str(src), str(target), strptime, zone, "|".join(cols)])
        import pyarrow.parquet as pq

        info = {"rows_written": pq.ParquetFile(target).metadata.num_rows}
    info.update(wall_s=wall, peak_mib=peak, parquet_mib=sum(f.stat().st_size for f in out.rglob("*.parquet")) / 2**20)
    shutil.rmtree(out, ignore_errors=True)
    return info


def _data_rows(src: Path) -> int:
    with open(src, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b"")) - 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--format", choices=sorted(FORMATS), default="cn110")
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows of the generated input file")
    ap.add_argument("--file", type=Path, help="use this CSV instead of the generated one")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        raise SystemExit(f"unknown engine(s) {sorted(unknown)}; known: {', '.join(ENGINES)}")
    if args.file:
        src = args.file.resolve()
    else:
        from generate import default_path, generate

        src = default_path(args.format, args.rows)
        if not src.exists():
            generate(args.format, args.rows, src)
    rows, size = _data_rows(src), src.stat().st_size
    runs: dict[str, list[dict]] = {e: [] for e in engines}
    with tempfile.TemporaryDirectory(dir=OUT if OUT.exists() else None) as tmp:
        for k in range(args.repeat):
            order = engines if k % 2 == 0 else engines[::-1]
            for engine in order:
                r = run_engine(engine, src, args.format, Path(tmp))
                runs[engine].append(r)
                print(f"  run {k + 1} {engine:<14} {r['wall_s']:7.2f} s {r['peak_mib']:7.0f} MiB", file=sys.stderr)
    med = {e: statistics.median(r["wall_s"] for r in rs) for e, rs in runs.items()}
    fastest = min(med.values())
    table = []
    for e in sorted(engines, key=med.get):
        rs = runs[e]
        table.append({
            "engine": e, "wall_s": round(med[e], 2), "rows_per_s": round(rows / med[e]),
            "mb_per_s": round(size / 1e6 / med[e], 1), "peak_mib": round(statistics.median(r["peak_mib"] for r in rs)),
            "parquet_mib": round(rs[0]["parquet_mib"], 1), "vs_fastest": round(med[e] / fastest, 2),
            "runs_s": [round(r["wall_s"], 2) for r in rs],
            **{k: v for k, v in rs[0].items() if k in ("rows_written", "rows_quarantined", "reconciled")},
        })
    print(f"\n{args.format}: {rows:,} rows, {size / 1e6:,.0f} MB ({src.name}), median of {args.repeat}\n")
    print("| engine | wall | rows/s | MB/s | peak memory | Parquet | time vs fastest |")
    print("|---|---|---|---|---|---|---|")
    for t in table:
        print(f"| {t['engine']} | {t['wall_s']} s | {t['rows_per_s']:,} | {t['mb_per_s']} | "
              f"{t['peak_mib']} MiB | {t['parquet_mib']} MiB | {t['vs_fastest']} |")
    if args.json:
        args.json.write_text(json.dumps({"format": args.format, "rows": rows, "bytes": size, "file": str(src),
                                         "repeat": args.repeat, "engines": table}, indent=2) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
