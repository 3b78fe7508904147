"""Run one benchmark engine in a fresh Python process; its wall time and its own peak memory."""

from __future__ import annotations

import subprocess
import sys
import time

#: Code a child ends with: prints its own peak RSS (``RUSAGE_SELF``: ``RUSAGE_CHILDREN`` would include the
#: parent's memory copied at fork) to stderr, for :func:`run_child`.
PEAK = "import resource, sys; print('PEAK_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"


def run_child(code: str, args: list[str]) -> tuple[float, float]:
    """Run ``python -c code *args``; its wall time [s] and peak RSS [MiB] (``code`` must run :data:`PEAK`)."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"child failed ({proc.returncode}): {' '.join(args[:3])}\n{proc.stderr[-3000:]}")
    peak = [int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK_KIB")][-1]
    return wall, peak / 1024
