"""The benchmarks' generated call logs still ingest: the generator follows the sample's columns and formats.

The benchmarks run on demand, not in the tests; but their input generator reads the sample's calibration, and a
column added to the sample once made every generated cn110 row ragged without a test noticing. Here a small
file of each format is generated and ingested with the built-in format.
"""

from __future__ import annotations

import importlib.util

import pytest

from paths import REPO
from responsestats import ingest


def _generate_module():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("fmt", ["cn110", "sffd"])
def test_generated_logs_ingest_with_the_builtin_format(fmt, tmp_path):
    gen = _generate_module()
    path = gen.generate(fmt, 3000, tmp_path / f"{fmt}.csv", chunk=1000)
    result = ingest([path], tmp_path / "ds", mapping=fmt, agency="bench")
    assert result.reconciled and result.rows_read >= 3000
    assert result.rows_quarantined <= 0.02 * result.rows_read, result.quarantine_by_reason()  # planted defects
    assert "ragged_row" not in result.quarantine_by_reason()
