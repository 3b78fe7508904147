"""Names of every derived column the metrics produce, in one place.

Canonical input columns come from :mod:`responsestats.schema`; this module
names what the metrics add: interval columns, level and time keys, exclusion
reasons and the columns of the summary tables. Metric code refers to these
constants, never to string literals.
"""

from __future__ import annotations

from .. import schema as S

# --- intervals [s] ----------------------------------------------------------
ANSWERING_S = "answering_s"
CALL_PROCESSING_S = "call_processing_s"
TURNOUT_S = "turnout_s"
TRAVEL_S = "travel_s"
DISPATCH_TO_ARRIVAL_S = "dispatch_to_arrival_s"
RESPONSE_S = "response_s"
ON_SCENE_S = "on_scene_s"
DISPATCH_TO_ARREST_S = "dispatch_to_arrest_s"
ACKNOWLEDGEMENT_S = "acknowledgement_s"
DISPATCH_TO_REPORT_S = "dispatch_to_report_s"

# --- levels -----------------------------------------------------------------
LEVEL_INCIDENT = "incident"
LEVEL_UNIT = "unit"
LEVELS: tuple[str, ...] = (LEVEL_INCIDENT, LEVEL_UNIT)

#: Incident level: number of distinct units (rows without a unit id count once each).
N_UNITS = "n_units"
#: Incident level: the en-route stamp of the first-arriving unit (start of incident travel).
FIRST_ARRIVING_ENROUTE_AT = "first_arriving_enroute_at"

# --- effective response force (nth_unit_arrival) ------------------------------
UNITS_ARRIVED = "units_arrived"
NTH_ARRIVED_AT = "nth_arrived_at"
RECEIVED_TO_NTH_ARRIVAL_S = "received_to_nth_arrival_s"
DISPATCH_TO_NTH_ARRIVAL_S = "dispatch_to_nth_arrival_s"
#: From the incident's first unit en route to the Nth distinct unit on scene: the travel of the full alarm.
ENROUTE_TO_NTH_ARRIVAL_S = "enroute_to_nth_arrival_s"
#: What an ``[[erf]]`` entry of a standard may time to the Nth arrival (its ``interval``).
ERF_INTERVALS: tuple[str, ...] = (RECEIVED_TO_NTH_ARRIVAL_S, DISPATCH_TO_NTH_ARRIVAL_S, ENROUTE_TO_NTH_ARRIVAL_S)
#: ``responsestats metrics --level erf``: the effective-response-force table instead of interval summaries.
LEVEL_ERF = "erf"
#: The ERF table: the alarm's number of distinct units [count].
UNITS = "units"
#: The ERF table: incidents an entry grades at which fewer than ``units`` distinct units arrived [count].
N_INCOMPLETE = "n_incomplete"
#: The ERF table: Wilson interval of ``share_within`` [fraction].
SHARE_WITHIN_CI_LOW = "share_within_ci_low"
SHARE_WITHIN_CI_HIGH = "share_within_ci_high"

# --- local-time group keys (derived from received_at) -----------------------
KEY_YEAR = S.YEAR
KEY_MONTH = S.MONTH
KEY_WEEK = "week"
KEY_DATE = "date"
KEY_WEEKDAY = "weekday"
KEY_WEEKDAY_NAME = "weekday_name"
KEY_HOUR = "hour"
TIME_KEYS: tuple[str, ...] = (KEY_YEAR, KEY_MONTH, KEY_WEEK, KEY_DATE, KEY_WEEKDAY, KEY_HOUR)

# --- exclusion reasons (in order of precedence) ------------------------------
REASON_SELF_INITIATED = "self_initiated"
REASON_MISSING = "missing"
REASON_NEGATIVE = "negative"
REASON_ABOVE_CAP = "above_cap"
EXCLUSION_REASONS: tuple[str, ...] = (
    REASON_SELF_INITIATED,
    REASON_MISSING,
    REASON_NEGATIVE,
    REASON_ABOVE_CAP,
)
EXCLUDED_PREFIX = "excluded_"


def excluded_column(reason: str) -> str:
    """Name of the count column of one exclusion reason, e.g. ``excluded_missing``."""
    return f"{EXCLUDED_PREFIX}{reason}"


EXCLUDED_COLUMNS: tuple[str, ...] = tuple(excluded_column(r) for r in EXCLUSION_REASONS)

# --- summary table ------------------------------------------------------------
#: The row filter a table was computed on (``--where`` / ``where=``), its canonical text; only when one was given.
WHERE = "where"
INTERVAL = "interval"
N = "n"
N_EXCLUDED = "n_excluded"
MEAN_S = "mean_s"
MEDIAN_S = "median_s"
P90_S = "p90_s"
MEDIAN_CI_LOW_S = "median_ci_low_s"
MEDIAN_CI_HIGH_S = "median_ci_high_s"
P90_CI_LOW_S = "p90_ci_low_s"
P90_CI_HIGH_S = "p90_ci_high_s"
TARGET_S = "target_s"
N_TARGET = "n_target"
#: Values (used, not excluded) of rows outside the standard's population: not graded by it.
N_NOT_APPLICABLE = "n_not_applicable"
WITHIN_TARGET_SHARE = "within_target_share"
THIN = "thin"


def percentile_column(q: float) -> str:
    """Name of the column of percentile ``q`` [percent], e.g. ``p75_s`` or ``p97_5_s``."""
    q = float(q)
    text = str(int(q)) if q.is_integer() else f"{q:g}".replace(".", "_")
    return f"p{text}_s"


# --- attainment table ---------------------------------------------------------
STANDARD = "standard"
TARGET_ID = "target_id"
LABEL = "label"
REQUIRED_SHARE = "required_share"
N_POPULATION = "n_population"
N_WITHIN = "n_within"
SHARE_WITHIN = "share_within"
MET = "met"
PERCENTILE_AT_TARGET = "percentile_at_target"
VALUE_AT_REQUIRED_S = "value_at_required_s"
CITATION = "citation"

# --- ladder table (ladder) -------------------------------------------------------
LADDER_ID = "ladder_id"
STEP = "step"
STEP_LABEL = "step_label"
LOWER_S = "lower_s"
UPPER_S = "upper_s"
N_IN_STEP = "n_in_step"
SHARE_IN_STEP = "share_in_step"
RANK_SLOWEST = "rank_slowest"

# --- outcome table ------------------------------------------------------------
INCIDENTS = "incidents"
ELIGIBLE = "eligible"
ARRESTS = "arrests"
ARREST_RATE = "arrest_rate"
CAUGHT_IN_ACT_COUNT = S.CAUGHT_IN_ACT
CAUGHT_IN_ACT_RATE = "caught_in_act_rate"
#: Persons arrested over the group's eligible incidents with an arrest and a recorded count [count] ...
PERSONS_ARRESTED = S.PERSONS_ARRESTED
#: ... of them caught in the act [count], their share of persons arrested [fraction], and the arrests with a
#: recorded count (the persons' base) [count].
PERSONS_CAUGHT_IN_ACT = "persons_caught_in_act"
CAUGHT_IN_ACT_PERSONS_RATE = "caught_in_act_persons_rate"
ARRESTS_WITH_PERSONS = "arrests_with_persons_count"
N_HOURS_TO_ARREST = "n_hours_to_arrest"
MEAN_HOURS_TO_ARREST = "mean_hours_to_arrest"
MEDIAN_HOURS_TO_ARREST = "median_hours_to_arrest"
P90_HOURS_TO_ARREST = "p90_hours_to_arrest"
KM_N = "km_n"
KM_EVENTS = "km_events"
KM_MEDIAN_HOURS_TO_ARREST = "km_median_hours_to_arrest"
KM_MEDIAN_CI_LOW_HOURS = "km_median_ci_low_hours"
KM_MEDIAN_CI_HIGH_HOURS = "km_median_ci_high_hours"
AS_OF = "as_of"
DENOMINATOR = "denominator"
#: Why outcome figures are missing (codes; empty when every figure is available).
NOT_AVAILABLE = "not_available"
#: Key of a frame's ``attrs`` holding its :class:`~responsestats.metrics.outcomes.OutcomeAvailability`.
OUTCOME_AVAILABILITY = "outcome_availability"

# --- per-incident outcome table (incident_outcomes) ------------------------------
IS_ELIGIBLE = "eligible"
IS_ARREST = "arrest"
IS_CAUGHT = "caught"
HOURS_TO_ARREST = "hours"
KM_HOURS = "km_hours"
KM_EVENT = "km_event"

# --- Kaplan-Meier curve -------------------------------------------------------
KM_TIME = "time"
KM_AT_RISK = "at_risk"
KM_EVENTS_AT = "events"
KM_CENSORED = "censored"
KM_SURVIVAL = "survival"
KM_CI_LOW = "ci_low"
KM_CI_HIGH = "ci_high"

# --- workload and deployment (workload.py) -----------------------------------------
#: Days of the period a workload table averages over [count].
DAYS = "days"
#: Incidents received in the local hour over the period [count], and per day of the period [count/day].
CALLS = "calls"
CALLS_PER_DAY = "calls_per_day"
#: Time-weighted mean number of incidents open (first dispatch to last cleared) during the local hour [count].
INCIDENTS_IN_PROGRESS = "incidents_in_progress"
#: Time-weighted mean number of units busy (dispatched to cleared) during the local hour [count].
UNITS_BUSY = "units_busy"
#: Unit rows timed (both stamps, not excluded) for ``units_busy`` [count], and those left out [count].
N_UNIT_ROWS = "n_unit_rows"
N_UNIT_ROWS_EXCLUDED = "n_unit_rows_excluded"
#: Mean teams on duty in the local hour over the period's dates, from a roster [count].
TEAMS_ON_DUTY = "teams_on_duty"
#: Dates of the period the roster has no row for, for that hour [count].
DAYS_MISSING = "days_missing"
#: Unit hour utilisation: committed unit-hours [h], available unit-hours [h] and their ratio [fraction].
BUSY_UNIT_HOURS = "busy_unit_hours"
AVAILABLE_UNIT_HOURS = "available_unit_hours"
UHU = "uhu"
#: Unit rows without a unit id, left out of the unit hour utilisation [count].
N_NO_UNIT_ID = "n_no_unit_id"
#: Why a workload figure is not available (``not_available`` codes, ``;``-joined): the source has no unit id
#: (incident-level rows), the roster lacks dates or hours of the period ...
NO_UNIT_ID = "no_unit_id"
ROSTER_INCOMPLETE = "roster_incomplete"
#: ... and no incident (or unit row) has both a dispatch and a cleared stamp within the cap.
NO_BUSY_TIMES = "no_busy_times"
