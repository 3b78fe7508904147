"""Tables: the numbers behind every chart and notebook cell, by family, pure functions of canonical frames.

Each function takes canonical rows (as :func:`responsestats.store.read_calls`
gives them) or ingest reports, and returns a tidy :class:`pandas.DataFrame`
whose columns are named in :mod:`..columns`. They are built on
:mod:`responsestats.metrics`, which keeps every definition (exclusions,
levels, percentiles, targets, denominators): here the numbers are filtered,
reshaped and converted to the units charts draw (minutes, hours, shares).

* :mod:`.kpi`: the key figures of a month;
* :mod:`.response`: trends, groups against targets, attainment, weekday x hour;
* :mod:`.outcomes`: arrest rates and time to arrest;
* :mod:`.quality`: reconciliation, quarantine, missing stamps, backward intervals;
* :mod:`.compare`: when a change is outside the noise (intervals of counts and of differences);
* :mod:`.common`: units, display order of groups, segments, small-cell suppression.
"""

from .common import (
    DEFAULT_MIN_CELL,
    headline_interval,
    priority_rank,
    segment_key,
    sort_groups,
    suppress_small_cells,
    target_segments,
)
from .compare import difference_interval, is_clear, poisson_interval
from .kpi import covered_days, kpi_table
from .outcomes import (
    ARREST_HOUR_BINS,
    PUBLISHED_CN110,
    PUBLISHED_CN110_SOURCE,
    arrest_concentration,
    arrest_curve,
    arrest_durations,
    cumulative_at,
    outcomes_by,
    published_comparison,
    time_to_arrest_histogram,
)
from .quality import (
    MISSING_CHECKS,
    NEGATIVE_CHECKS,
    quality_wide,
    quarantine_by_file,
    quarantine_reasons,
    reconciliation,
    reconciliation_totals,
    report_issues,
    timestamp_quality,
)
from .response import (
    BLOCK_HOURS,
    MIN_CALLS_FOR_HOURS,
    attainment_by,
    attainment_trend,
    busiest_hours,
    ecdf,
    hour_profile,
    hour_weekday,
    slowest_per_panel,
    stage_ladders,
    interval_summary,
    monthly_trend,
    p90_by_group,
    segment_medians,
)

__all__ = [
    "ARREST_HOUR_BINS",
    "BLOCK_HOURS",
    "DEFAULT_MIN_CELL",
    "MIN_CALLS_FOR_HOURS",
    "MISSING_CHECKS",
    "NEGATIVE_CHECKS",
    "PUBLISHED_CN110",
    "PUBLISHED_CN110_SOURCE",
    "arrest_concentration",
    "arrest_curve",
    "arrest_durations",
    "attainment_by",
    "attainment_trend",
    "busiest_hours",
    "covered_days",
    "cumulative_at",
    "difference_interval",
    "ecdf",
    "headline_interval",
    "hour_profile",
    "hour_weekday",
    "slowest_per_panel",
    "stage_ladders",
    "interval_summary",
    "is_clear",
    "kpi_table",
    "monthly_trend",
    "outcomes_by",
    "p90_by_group",
    "poisson_interval",
    "priority_rank",
    "published_comparison",
    "quality_wide",
    "quarantine_by_file",
    "quarantine_reasons",
    "reconciliation",
    "reconciliation_totals",
    "report_issues",
    "segment_key",
    "segment_medians",
    "sort_groups",
    "suppress_small_cells",
    "target_segments",
    "time_to_arrest_histogram",
    "timestamp_quality",
]
