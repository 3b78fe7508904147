"""Slides: one function per chart, returning the figure with the title that states its finding and its caption.

A notebook (or a test) makes a slide with one call, e.g.
``slides.trend(data, labels)``, shows its table and adds it to a
:class:`~responsestats.briefing.book.Book`. :mod:`.monthly`, :mod:`.volume`,
:mod:`.workload` and :mod:`.geography` hold the slides of the monthly briefing (:data:`MONTHLY_BRIEFING`, in
order);
:mod:`.response`, :mod:`.outcomes` and :mod:`.quality` those of the analysis
notebooks.
"""

from . import geography, volume, workload
from .base import Frame, LeftOut, Slide
from .monthly import (
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

#: The monthly briefing: (file name, slide function), in order. Each function takes (data, labels); the
#: workload and map pages also take the roster and the boundaries (see the notebook). A function may return a
#: :class:`~.base.LeftOut` page instead of a slide (the index lists it with its reason).
MONTHLY_BRIEFING = (
    ("01_kpi_card.png", kpi_card),
    ("02_call_volume.png", volume.call_volume),
    ("03_call_mix.png", volume.call_mix),
    ("04_by_station.png", volume.by_station),
    ("05_trend.png", trend),
    ("06_p90_by_district.png", p90_by_district),
    ("07_attainment_by_priority.png", attainment_by_priority),
    ("08_targets.png", volume.targets),
    ("09_ladders.png", volume.ladders),
    ("10_hour_weekday.png", hour_weekday),
    ("11_workload.png", workload.workload),
    ("12_map.png", geography.call_map),
    ("13_arrests.png", arrests),
    ("14_data_quality.png", data_quality),
)

__all__ = [
    "MONTHLY_BRIEFING",
    "Frame",
    "LeftOut",
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
