"""Fixtures for the metrics tests: canonical frames built from dicts of local times.

Test modules import the ``make_calls`` fixture from here (``from metrics_fixtures
import make_calls``). This is deliberately not a ``conftest.py``: the top-level
tests import names ``from conftest``, and a second conftest module would shadow it.
"""

from __future__ import annotations

from numbers import Real

import pandas as pd
import pyarrow as pa
import pytest

from responsestats import schema as S

_DEFAULTS = {
    S.AGENCY: "a",
    S.OUTCOME: S.OUTCOME_UNKNOWN,
    S.SOURCE_FILE: "fixture.csv",
}


def _stamp(value, received: pd.Timestamp | None, zone: str):
    """A local-time string (naive: in ``zone``; or with an offset), seconds after received, or None."""
    if value is None:
        return None
    if isinstance(value, Real) and not isinstance(value, bool):
        return received + pd.Timedelta(seconds=float(value))
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize(zone, ambiguous="raise", nonexistent="raise")
    return ts.tz_convert("UTC")


def build_calls(rows: list[dict], tz: str = "America/Los_Angeles") -> pd.DataFrame:
    """Canonical frame (as the store returns it) from dicts of local times.

    Each dict names canonical columns. Timestamps are local-time strings in
    the row's ``timezone`` (default ``tz``), strings with an explicit offset,
    or numbers = seconds after the row's ``received_at``. Missing columns are
    null; ``incident_id`` defaults to the row number, ``agency`` to "a",
    ``outcome`` to "unknown".
    """
    records = []
    for i, row in enumerate(rows):
        unknown = set(row) - set(S.COLUMNS)
        assert not unknown, f"not canonical columns: {unknown}"
        rec = {c: None for c in S.COLUMNS}
        rec.update(_DEFAULTS)
        rec[S.INCIDENT_ID] = str(i + 1)
        rec[S.SOURCE_ROW] = i + 1
        rec[S.TIMEZONE] = tz
        rec.update({k: v for k, v in row.items() if k not in S.TIMESTAMP_COLUMNS})
        zone = rec[S.TIMEZONE]
        received = _stamp(row[S.RECEIVED_AT], None, zone)
        rec[S.RECEIVED_AT] = received
        for col in S.TIMESTAMP_COLUMNS[1:]:
            rec[col] = _stamp(row.get(col), received, zone)
        records.append(rec)
    table = pa.Table.from_pylist(records, schema=S.CANONICAL_SCHEMA)
    return table.to_pandas()


@pytest.fixture
def make_calls():
    """The :func:`build_calls` helper."""
    return build_calls
