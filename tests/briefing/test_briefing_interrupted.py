"""Interrupting the briefing (issue 16, part 3): SIGINT or SIGTERM while the notebook runs leaves no partial output,
no staging folder and no kernel behind, and prints one line (exit 130 for SIGINT, 143 for SIGTERM).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

#: Seconds to wait for the notebook's kernel to start (the staging folder holds its first PNG by then).
START_TIMEOUT_S = 120


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stopped_briefing_leaves_nothing_and_prints_one_line(sample_dataset, tmp_path, sig, status):
    out = tmp_path / "briefing"
    proc = subprocess.Popen([sys.executable, "-m", "responsestats", "briefing", str(sample_dataset), "--month",
                             "latest", "--agency", "zz110", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT_S
    while not list(tmp_path.glob(".briefing.staging-*/*.png")):  # the notebook is running: a chart is written
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the briefing did not start"
        time.sleep(0.1)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == status, stderr
    assert stderr.strip().splitlines() == [
        "responsestats: interrupted; nothing was written: the dataset and the output folder are as they were "
        "before this run"]  # fmt: skip
    assert "Traceback" not in stdout + stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []  # no partial output, no staging folder
