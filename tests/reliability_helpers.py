"""Helpers of the reliability tests (tests/test_reliability_*.py, issue #7).

* :func:`check_ingest` runs one ingest and checks the promise of docs/reliability.md: either a
  clean ingest where every input record is accounted for exactly once, or one UserError with
  the dataset exactly as it was before (same files, same bytes) and no staging debris.
* :data:`TALLY` counts cases and how each ended; ``conftest.py`` prints it after the run.
* :data:`SCALE`: the ``long`` hypothesis profile (``HYPOTHESIS_PROFILE=long``) multiplies the
  number of examples of every fuzz test by it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

from responsestats import ingest, read_calls, read_quarantine
from responsestats import schema as S
from responsestats.errors import UserError

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "fast")
#: Examples of the long profile per example of the fast one.
SCALE = 25 if PROFILE == "long" else 1

#: (test family, outcome) -> count, printed at the end of the session by conftest.py.
TALLY: Counter = Counter()


def examples(n: int) -> int:
    """``n`` examples in the fast profile, ``n * SCALE`` in the long one."""
    return n * SCALE


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``root`` ({} if it does not exist)."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def debris(out: Path) -> list[str]:
    """Staging folders or swap leftovers beside a dataset (the lock file is allowed: it is reused)."""
    return sorted(p.name for p in out.parent.glob(f".{out.name}.*") if not p.name.endswith(".lock"))


#: A mapping that exercises every kind of field: required and optional timestamps, a duration,
#: a clock-only time with its date column, booleans, numbers, mapped text, extract.
FUZZ_MAPPING = """
[format]
name = "fuzz"
level = "incident"
timezone = "America/Los_Angeles"
encoding = ["utf-8-sig", "gb18030"]
na_values = ["", "NULL", "N/A"]

[repairs]
midnight_rollover = true

[fields.incident_id]
source = "id"
required = true

[fields.received_at]
source = "received"
formats = ["%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M %p", "%Y%m%d%H%M%S"]
zone_suffixes = { PS = "-08:00", PD = "-07:00" }
required = true

[fields.dispatched_at]
source = "dispatch_delay"
after = "received_at"
duration_formats = ["M:SS", "H:MM:SS", "seconds"]

[fields.arrived_at]
source = "arrived_clock"
formats = ["%H:%M:%S", "%H:%M"]
date_source = "arrived_date"
date_formats = ["%Y-%m-%d", "%m/%d/%Y"]

[fields.district]
source = "district"

[fields.priority]
source = "priority"
map = { "1" = "high", "2" = "low" }

[fields.outcome]
source = "outcome"
map = { "ARREST" = "arrest", "REPORT" = "report" }

[fields.self_initiated]
source = "channel"
true_values = ["ONVIEW"]
false_values = ["911"]

[fields.latitude]
source = "lat"

[fields.longitude]
source = "point"
extract = '(-?\\d+(?:\\.\\d+)?)\\s*\\)?\\s*$'
"""
FUZZ_COLUMNS = ("id", "received", "dispatch_delay", "arrived_clock", "arrived_date", "district", "priority",
                "outcome", "channel", "lat", "point", "caller_name", "caller_phone", "narrative")


def write_mapping(folder: Path, text: str = FUZZ_MAPPING, name: str = "fuzz.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def csv_records(data: bytes, encoding: str, header_row: int = 0) -> list[list[str]] | None:
    """The data records of a CSV file as Python's csv module reads them (an independent oracle).

    Decoded with the encoding the tool chose (undecodable bytes kept as surrogates, so that they
    cannot move a record boundary). Blank lines are not records. None if the csv module fails.
    """
    text = data.decode(encoding, errors="surrogateescape")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None
    # the header is the header_row-th line, blank or not; records after it exclude blank lines
    return [r for r in rows[header_row + 1:] if r]


def csv_oracle(data: bytes, header_row: int = 0):
    """For :func:`check_ingest`: the encoding the tool reports -> the csv module's records."""
    return lambda encoding: csv_records(data, encoding, header_row)


def check_ingest(inputs: list[Path], out: Path, *, mapping, family: str, agency: str = "fz",
                 oracle=None, id_index: int | None = None, **kwargs):
    """Ingest; assert the reliability promise; return the IngestResult, or the UserError.

    Parameters
    ----------
    oracle : callable, optional
        For a single CSV input (:func:`csv_oracle`): its records as the csv module reads them.
        Then the tool must have read exactly as many, and each kept row's incident_id must be
        the oracle's for its source_row (``id_index``: the id column's position).
    """
    before = tree_digest(out)
    try:
        res = ingest(inputs, out, mapping=mapping, agency=agency, **kwargs)
    except UserError as err:
        msg = str(err)
        assert msg and "\n" not in msg, f"the message is not one line: {msg!r}"
        assert tree_digest(out) == before, "a failed ingest changed the dataset"
        assert not debris(out), f"staging debris left: {debris(out)}"
        TALLY[(family, "clear error (UserError), dataset unchanged")] += 1
        return err
    assert not debris(out), f"staging debris left: {debris(out)}"
    assert res.reconciled
    calls = read_calls(out, columns=[S.SOURCE_FILE, S.SOURCE_ROW, S.INCIDENT_ID])
    quarantine = read_quarantine(out)
    for report in res.files:
        assert report["rows_read"] == report["rows_written"] + report["rows_quarantined"]
        name = report["source_file"]
        kept = calls.loc[calls[S.SOURCE_FILE] == name, S.SOURCE_ROW].tolist()
        quar = quarantine.loc[quarantine[S.Q_SOURCE_FILE] == name, S.Q_SOURCE_ROW].tolist()
        assert len(kept) == report["rows_written"] and len(quar) == report["rows_quarantined"]
        # nothing lost: every record accounted for once, in the dataset or in the quarantine
        assert sorted(kept + quar) == list(range(1, report["rows_read"] + 1)), (sorted(kept), sorted(quar))
    records = oracle(res.files[0]["encoding"]) if oracle is not None else None
    if records is not None:
        assert res.rows_read == len(records), f"read {res.rows_read} records, the csv module reads {len(records)}"
        if id_index is not None:
            kept = calls.set_index(S.SOURCE_ROW)[S.INCIDENT_ID]
            for row, ident in kept.items():
                assert records[row - 1][id_index].strip() == ident, (row, records[row - 1], ident)
    TALLY[(family, "clean ingest, every record accounted for")] += 1
    return res


def dataset_frames(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical rows and quarantine, sorted, for comparing two datasets."""
    calls = read_calls(out).sort_values([S.SOURCE_FILE, S.SOURCE_ROW]).reset_index(drop=True)
    q = read_quarantine(out).sort_values([S.Q_SOURCE_FILE, S.Q_SOURCE_ROW]).reset_index(drop=True)
    return calls, q


def run_cli(args: list[str], *, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """``responsestats ARGS`` in a fresh Python process."""
    return subprocess.run([sys.executable, "-m", "responsestats.cli", *args], capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def make_big_cn110(path: Path, copies: int) -> Path:
    """A cn110 file of ``copies`` x the first sample month, incident ids made unique (a few MB per copy)."""
    from responsestats.config import SAMPLE_CN110_DIR

    src = sorted(SAMPLE_CN110_DIR.glob("*.csv"))[0].read_bytes()
    header, _, body = src.partition(b"\n")
    lines = body.splitlines(keepends=True)
    with open(path, "wb") as fh:
        fh.write(header + b"\n")
        for c in range(copies):
            tag = f"C{c:03d}".encode()
            fh.writelines(tag + line for line in lines)
    return path
