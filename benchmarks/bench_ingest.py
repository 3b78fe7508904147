"""Ingest rate and peak memory of `responsestats ingest`, on demand (not part of the tests).

Usage::

    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000

It generates a synthetic cn110 log of about ``--rows`` rows (cached under
benchmarks/out/), then runs `responsestats ingest` on it in a fresh process and
reports wall time, rows/s, MB/s and the peak resident memory of that process.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def _generate(rows: int) -> list[Path]:
    from responsestats.sample import generate_sample

    folder = OUT / f"cn110_{rows}"
    marker = folder / ".done"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        months = 12
        calls_per_day = rows / (months * 30.4)
        generate_sample(folder, months=months, calls_per_day=calls_per_day)
        marker.touch()
    return sorted(folder.glob("*.csv"))


def run(files: list[Path], label: str) -> dict:
    dataset = OUT / f"ds_{label}"
    shutil.rmtree(dataset, ignore_errors=True)
    args = ["ingest", *map(str, files), "--format", "cn110", "--agency", "bench", "--out", str(dataset),
            "--report", str(OUT / f"report_{label}.json")]
    # The child measures its own peak RSS: RUSAGE_CHILDREN would include the
    # parent's memory image copied at fork time.
    code = (
        "import resource, sys; from responsestats.cli import main; rc = main(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(rc)"
    )
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], check=True, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    peak_kib = int(proc.stderr.strip().splitlines()[-1])
    report = json.loads((OUT / f"report_{label}.json").read_text(encoding="utf-8"))
    size = sum(f.stat().st_size for f in files)
    return {
        "input": label,
        "rows_read": report["rows_read"],
        "bytes": size,
        "wall_s": round(wall, 2),
        "rows_per_s": round(report["rows_read"] / wall),
        "mb_per_s": round(size / 1e6 / wall, 1),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "reconciled": report["reconciled"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sample", action="store_true", help="measure on the bundled sample instead")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    if args.sample:
        files = sorted((HERE.parent / "data" / "sample" / "cn110").glob("*.csv"))
        result = run(files, "sample")
    else:
        files = _generate(args.rows)
        result = run(files, f"{args.rows}")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
