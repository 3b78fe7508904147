"""Paths the tests read, in one place."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
#: Inputs made for the tests: one deliberately broken file per format, Excel fixtures.
TEST_DATA = TESTS / "data"
BROKEN_DIR = TEST_DATA / "broken"
EXCEL_DIR = TEST_DATA / "excel"
#: The bundled excerpts of real exports.
REAL_SAMPLE = REPO / "data" / "sample" / "real"
#: Three synthetic exports in shapes no built-in format covers, with the mappings one ends with (issue 13).
UNSEEN_SAMPLE = REPO / "data" / "sample" / "unseen"
#: The full real exports beside the checkout (optional: tests that need them skip without).
SHARED_REAL = REPO.parent / "shared" / "data" / "real"
