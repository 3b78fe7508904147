"""Helpers of the briefing tests: canonical frames from local times, PNG headers, the expected charts."""

from __future__ import annotations

import struct
from numbers import Real
from pathlib import Path

import pandas as pd
import pyarrow as pa

from responsestats import schema as S

#: The latest full month of the bundled sample.
SAMPLE_LATEST = "2025-03"
BRIEFING_PNGS = (
    "01_kpi_card.png",
    "02_trend.png",
    "03_p90_by_district.png",
    "04_attainment_by_priority.png",
    "05_hour_weekday.png",
    "06_arrests.png",
    "07_data_quality.png",
)
NOTEBOOK_PNGS = {
    "01_data_quality": ("quarantine_files.png", "quarantine_reasons.png", "missing_by_month.png",
                        "negative_by_month.png"),
    "02_response_times": ("distribution.png", "segments.png", "p90_by_district.png", "p90_by_priority.png",
                          "hour_weekday.png", "trend.png", "attainment.png"),
    "03_outcomes": ("arrest_rate_by_month.png", "arrest_rate_by_district.png", "arrest_rate_by_call_type.png",
                    "time_to_arrest.png", "km_curve.png"),
}  # fmt: skip
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: str | Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; raises AssertionError if the file is not a PNG."""
    head = Path(path).read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert head[12:16] == b"IHDR", f"{path}: no IHDR chunk first"
    return struct.unpack(">II", head[16:24])


def calls(rows: list[dict], tz: str = "Asia/Shanghai") -> pd.DataFrame:
    """A canonical frame (as the store returns it) from dicts of local times.

    ``received_at`` is a local time string; other stamps are local time strings or seconds
    after ``received_at``. Missing columns are null; ``incident_id`` is the row number.
    """
    records = []
    for i, row in enumerate(rows):
        unknown = set(row) - set(S.COLUMNS)
        assert not unknown, f"not canonical columns: {unknown}"
        rec = {c: None for c in S.COLUMNS}
        rec.update({S.AGENCY: "a", S.OUTCOME: S.OUTCOME_UNKNOWN, S.SOURCE_FILE: "t.csv", S.TIMEZONE: tz,
                    S.INCIDENT_ID: str(i + 1), S.SOURCE_ROW: i + 1})  # fmt: skip
        received = pd.Timestamp(row[S.RECEIVED_AT]).tz_localize(tz).tz_convert("UTC")
        for key, value in row.items():
            if key == S.RECEIVED_AT:
                rec[key] = received
            elif key in S.TIMESTAMP_COLUMNS and isinstance(value, Real):
                rec[key] = received + pd.Timedelta(seconds=float(value))
            elif key in S.TIMESTAMP_COLUMNS and value is not None:
                rec[key] = pd.Timestamp(value).tz_localize(tz).tz_convert("UTC")
            else:
                rec[key] = value
        records.append(rec)
    return pa.Table.from_pylist(records, schema=S.CANONICAL_SCHEMA).to_pandas()
