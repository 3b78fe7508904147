"""Response-time and outcome metrics: pure functions on canonical tables.

Every function takes a canonical :class:`pandas.DataFrame` (see
:mod:`responsestats.schema`) and returns a tidy table. Workload and deployment
(calls, incidents in progress, units busy and teams on duty by hour of day; unit
hour utilisation) are in :mod:`.workload`. :func:`summarize_dataset` (:mod:`.streaming`) gives
:func:`summarize` of a dataset folder, read a piece of a partition at a time through the store. Definitions, standards
and methods are documented in ``docs/metrics.md``.
"""

from __future__ import annotations

from .erf import effective_response_force
from .exclusions import DEFAULT_CAP, exclusion_reasons, resolve_caps
from .export import escape_formula, render
from .filters import RowFilter, apply_filter, parse_filter
from .grouping import resolve_by
from .intervals import (
    DEFAULT_CAPS_S,
    INTERVALS,
    RESPONSE_INTERVALS,
    Interval,
    compute_intervals,
    resolve_intervals,
    stamps_not_recorded,
)
from .levels import at_level, incident_level, nth_unit_arrival
from .outcomes import (
    DEFAULT_INELIGIBLE,
    NOT_AVAILABLE_REASONS,
    OutcomeAvailability,
    incident_outcomes,
    outcome_availability,
    outcome_summary,
    resolve_denominator,
    unavailable_figures,
)
from .proportions import wilson_interval
from .quantiles import binom_cdf, binom_ppf, percentile, quantile_ci
from .standards import (
    Coverage,
    ErfTarget,
    Standard,
    Target,
    coverage,
    custom_standard,
    list_standards,
    load_standard,
    row_targets,
    standard_from_dict,
)
from .streaming import summarize_dataset
from .summary import DEFAULT_MIN_N, summarize
from .survival import kaplan_meier, km_median
from .timekeys import add_time_keys
from .within_target import attainment
from .workload import has_unit_rows, hourly_workload, teams_on_duty, unit_hour_utilisation, workload_period

__all__ = [
    "DEFAULT_CAP",
    "DEFAULT_CAPS_S",
    "Coverage",
    "DEFAULT_INELIGIBLE",
    "DEFAULT_MIN_N",
    "ErfTarget",
    "INTERVALS",
    "NOT_AVAILABLE_REASONS",
    "OutcomeAvailability",
    "RESPONSE_INTERVALS",
    "Interval",
    "Standard",
    "Target",
    "RowFilter",
    "add_time_keys",
    "apply_filter",
    "at_level",
    "attainment",
    "binom_cdf",
    "binom_ppf",
    "compute_intervals",
    "coverage",
    "custom_standard",
    "effective_response_force",
    "escape_formula",
    "exclusion_reasons",
    "has_unit_rows",
    "hourly_workload",
    "incident_level",
    "incident_outcomes",
    "kaplan_meier",
    "km_median",
    "list_standards",
    "load_standard",
    "nth_unit_arrival",
    "outcome_availability",
    "outcome_summary",
    "parse_filter",
    "percentile",
    "quantile_ci",
    "render",
    "resolve_by",
    "resolve_caps",
    "resolve_denominator",
    "resolve_intervals",
    "row_targets",
    "standard_from_dict",
    "stamps_not_recorded",
    "summarize",
    "summarize_dataset",
    "teams_on_duty",
    "unavailable_figures",
    "unit_hour_utilisation",
    "wilson_interval",
    "workload_period",
]
