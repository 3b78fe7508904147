"""``read_calls(local=True)``: each timestamp's wall-clock twin in its row's own zone (issue 18, part 7)."""

from __future__ import annotations

import pandas as pd

from conftest import CN_HEADER, cn_row, write_csv
from responsestats import ingest, read_calls
from responsestats import schema as S


def test_local_twins_give_the_hours_the_agency_saw(tmp_path):
    rows = [cn_row("H1", "2024-03-01 08:30:00", arrived="2024-03-01 08:41:00"), cn_row("H2", "2024-03-01 23:50:00")]
    out = tmp_path / "ds"
    ingest([write_csv(tmp_path / "a.csv", CN_HEADER, rows)], out, mapping="cn110", agency="zz")
    calls = read_calls(out, columns=[S.INCIDENT_ID, S.RECEIVED_AT, S.ARRIVED_AT], local=True).set_index(S.INCIDENT_ID)
    assert list(calls.columns) == [S.RECEIVED_AT, "received_at_local", S.ARRIVED_AT, "arrived_at_local"]
    assert list(calls[S.RECEIVED_AT].dt.hour) == [0, 15]  # UTC: not what the 110 centre's clock showed
    assert list(calls[S.local_column(S.RECEIVED_AT)].dt.hour) == [8, 23]
    assert calls.loc["H1", "arrived_at_local"] == pd.Timestamp("2024-03-01 08:41:00")
    assert pd.isna(calls.loc["H2", "arrived_at_local"])
    assert S.TIMEZONE not in calls.columns  # read for the conversion, not returned
    plain = list(read_calls(out).columns)  # off by default: the canonical columns, then cn110's dimensions
    assert plain == [*S.COLUMNS, "call_source", "key_site", "station", "subtype"]
