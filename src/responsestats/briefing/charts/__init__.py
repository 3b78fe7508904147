"""Charts: tidy tables in, matplotlib figures out, in the briefing style.

Each chart takes tables from :mod:`responsestats.briefing.tables` and wording
from :mod:`responsestats.briefing.wording`, and does layout only: no figure is
computed here. :func:`save` writes a 1920 x 1080 PNG that is identical
byte for byte for identical input.
"""

from __future__ import annotations

from .base import DPI, HEIGHT_PX, OKABE_ITO, STYLE_PATH, WIDTH_PX, new_figure, register_fonts, save, show, style
from .data_quality import missing, negative, quality, quarantine, quarantine_files
from .kpi import kpi_card
from .outcomes import arrest_rate, arrests, km_curve, not_available, time_to_arrest
from .response import (
    attainment_groups,
    attainment_trend,
    distribution,
    hour_weekday,
    hour_weekday_maps,
    p90_by,
    p90_groups,
    segments,
    trend,
)

__all__ = [
    "DPI", "HEIGHT_PX", "OKABE_ITO", "STYLE_PATH", "WIDTH_PX", "arrest_rate", "arrests",
    "attainment_groups", "attainment_trend", "distribution", "hour_weekday", "hour_weekday_maps", "km_curve", "kpi_card", "missing",
    "negative", "new_figure", "not_available", "p90_by", "p90_groups", "quality", "quarantine", "quarantine_files",
    "register_fonts", "save", "segments", "show", "style", "time_to_arrest", "trend",
]  # fmt: skip
