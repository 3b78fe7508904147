"""Slides: one function per chart, returning the figure with the title that states its finding and its caption.

A notebook (or a test) makes a slide with one call, e.g.
``slides.trend(data, labels)``, shows its table and adds it to a
:class:`~responsestats.briefing.book.Book`. :mod:`.monthly` holds the seven
slides of the monthly briefing (:data:`MONTHLY_BRIEFING`, in order);
:mod:`.response`, :mod:`.outcomes` and :mod:`.quality` those of the analysis
notebooks.
"""

from .base import Frame, Slide
from .monthly import (
    MONTHLY_BRIEFING,
    arrests,
    attainment_by_priority,
    data_quality,
    hour_weekday,
    kpi_card,
    p90_by_district,
    trend,
)
from .outcomes import arrest_rate_by, arrest_rate_by_month, km_curve, time_to_arrest
from .quality import missing_by_month, negative_by_month, quarantine_files, quarantine_reasons
from .response import attainment_trend, distribution, hour_weekday_window, p90_by_priority, segments

__all__ = [
    "MONTHLY_BRIEFING",
    "Frame",
    "Slide",
    "arrest_rate_by",
    "arrest_rate_by_month",
    "arrests",
    "attainment_by_priority",
    "attainment_trend",
    "data_quality",
    "distribution",
    "hour_weekday",
    "hour_weekday_window",
    "kpi_card",
    "km_curve",
    "missing_by_month",
    "negative_by_month",
    "p90_by_district",
    "p90_by_priority",
    "quarantine_files",
    "quarantine_reasons",
    "segments",
    "time_to_arrest",
    "trend",
]
