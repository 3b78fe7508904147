"""Run one benchmark engine in a fresh Python process; its wall time and its own peak memory."""

from __future__ import annotations

import subprocess
import sys
import time

#: Code a child ends with: prints its own peak RSS to stderr, for :func:`run_child`. It is the ``VmHWM`` of
#: ``/proc/self/status``, which starts afresh when the child execs. ``getrusage(RUSAGE_SELF).ru_maxrss`` does
#: not: Linux carries the high-water mark of the memory the child was forked from (the parent's) across exec, so
#: every engine printed the parent's peak (the input generated in the same run: 1,095 MiB for all of them).
#: Where ``/proc`` is missing (macOS), ``ru_maxrss`` is the fallback, and its figures carry that caveat.
PEAK = ("import os, resource, sys; print('PEAK_KIB', next((int(l.split()[1]) for l in open('/proc/self/status') "
        "if l.startswith('VmHWM:')), 0) if os.path.exists('/proc/self/status') "
        "else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")


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
