"""The SYNTHETIC Chinese 110 接处警 sample call log (``responsestats sample``).

:mod:`.calibration` holds every calibrated fact of the fictional city (geography, call types, rhythm, delays,
arrest targets, planted defects, export layout, and the city scale's volume, invalid calls, crime sub-types, duty
roster and grid polygons); :mod:`.generator` draws and writes the monthly CSV files (and, at city scale,
``roster.csv`` and ``grids.geojson``).
The public API is re-exported here by name.
"""

from __future__ import annotations

from .calibration import ARREST_TARGETS, DEFECT_RATES, FILE_PREFIX
from .generator import generate_sample

__all__ = ["generate_sample", "DEFECT_RATES", "ARREST_TARGETS", "FILE_PREFIX"]
