"""Helpers of the briefing tests: PNG headers and the expected charts."""

from __future__ import annotations

import struct
from pathlib import Path


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
