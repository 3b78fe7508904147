"""Helpers of the briefing tests: PNG headers and the expected charts."""

from __future__ import annotations

import struct
from pathlib import Path


#: The latest full month of the bundled sample.
SAMPLE_LATEST = "2025-03"
#: The charts of the briefing on the bundled 110 sample (08_targets.png is left out: cn110 grades one interval).
BRIEFING_PNGS = (
    "01_kpi_card.png",
    "02_call_volume.png",
    "03_call_mix.png",
    "04_by_station.png",
    "05_trend.png",
    "06_p90_by_district.png",
    "07_attainment_by_priority.png",
    "09_ladders.png",
    "10_hour_weekday.png",
    "11_workload.png",
    "12_map.png",
    "13_arrests.png",
    "14_data_quality.png",
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
