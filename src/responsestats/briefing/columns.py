"""The column names of the briefing's tables, in one place.

Tables (:mod:`.tables`) write these columns, and the wording (:mod:`.wording`)
and the charts (:mod:`.charts`) read them; nobody repeats a string literal.
Columns of the metrics' own tables keep their names from
:mod:`responsestats.metrics.names`, the ingest report's from
:mod:`responsestats.schema` (``R_*``); a few are re-exported here under the
name the briefing uses.

Conventions
-----------
* Durations drawn on charts are in minutes (``*_min``) or hours; shares are
  fractions from 0 to 1.
* A group is ``thin`` (:data:`responsestats.metrics.names.THIN`) when it has
  fewer values than the metrics' ``min_n``.
"""

from __future__ import annotations

from ..metrics import names as N

# --- every table ----------------------------------------------------------------
GROUP = "group"  # the value of the grouping column
BY = "by"  # the name of the grouping column
SEGMENT = "segment"  # "all", or the id of a standard's target
SEGMENT_KEY = "segment_key"  # "all", "<column>:<value>", or the target's label
SEGMENT_ALL = "all"
TARGET_MIN = "target_min"
MEDIAN_MIN = "median_min"
P90_MIN = "p90_min"
P90_CI_LOW_MIN = "p90_ci_low_min"
P90_CI_HIGH_MIN = "p90_ci_high_min"
ABOVE_TARGET = "above_target"
PANEL_TOTAL = "panel_total"
CALLS = "calls"
SUPPRESSED = "suppressed"
SHARE_CI_LOW = "share_ci_low"
SHARE_CI_HIGH = "share_ci_high"
ARREST_RATE_CI_LOW = "arrest_rate_ci_low"
ARREST_RATE_CI_HIGH = "arrest_rate_ci_high"
VALUE_MIN = "value_min"
ECDF = "ecdf"
HOURS = N.HOURS_TO_ARREST
HOURS_LOW = "hours_low"
HOURS_HIGH = "hours_high"
N_CAUGHT = "n_caught"
N_LATER = "n_later"
CUMULATIVE = "cumulative"
CUMULATIVE_CI_LOW = "cumulative_ci_low"
CUMULATIVE_CI_HIGH = "cumulative_ci_high"
ELIGIBLE = N.IS_ELIGIBLE
ARREST = N.IS_ARREST
CAUGHT = N.IS_CAUGHT
KM_HOURS = N.KM_HOURS
KM_EVENT = N.KM_EVENT
MEDIAN_CI_LOW_MIN = "median_ci_low_min"
MEDIAN_CI_HIGH_MIN = "median_ci_high_min"

# hour profile and its busiest block of hours
HOUR_START = "hour_start"  # first hour of the block (local, 0-23)
HOUR_END = "hour_end"  # the hour the block ends at (exclusive, 0-23: the block may wrap past midnight)
HOURS_IN_BLOCK = "hours"
TOTAL = "total"
EVEN_SHARE = "even_share"  # the block's share if calls were spread evenly over the hours
CLEAR = "clear"  # the block's share is above the even share beyond its 95% interval
FEW = "few"  # too few calls in all for an hour pattern

# arrests concentrated in some groups (call types)
GROUPS = "groups"
GROUPS_WITH_ARRESTS = "groups_with_arrests"
ELIGIBLE_WITH_ARRESTS = "eligible_with_arrests"  # eligible incidents of the groups with at least one arrest
RATE_WITH_ARRESTS = "arrest_rate_with_arrests"
RATE_WITH_ARRESTS_CI_LOW = "arrest_rate_with_arrests_ci_low"
RATE_WITH_ARRESTS_CI_HIGH = "arrest_rate_with_arrests_ci_high"

# KPI table
KPI = "kpi"
UNIT = "unit"
DIRECTION = "direction"
PERIOD_CURRENT = "current"
PERIOD_PREVIOUS = "previous"
PERIOD_YEAR_AGO = "year_ago"
PERIODS: tuple[str, ...] = (PERIOD_CURRENT, PERIOD_PREVIOUS, PERIOD_YEAR_AGO)
MONTH_OF = "month_"  # prefix: month_current, ...
N_OF = "n_"  # prefix: n_current, ...
DAYS_OF = "days_"  # prefix: days_current, ... (days of the month the data cover)
CI_LOW_OF = "ci_low_"  # prefix: ci_low_current, ... (95% interval of the period's value)
CI_HIGH_OF = "ci_high_"
THIN_OF = "thin_"  # prefix: thin_current, ... (fewer than min_n values)
DELTA_PREVIOUS = "delta_previous"
DELTA_YEAR_AGO = "delta_year_ago"
#: Columns of a change against a reference period, by the reference (``previous``, ``year_ago``).
CHANGE_LOW_OF = "change_low_"  # prefix: change_low_previous, ... (95% interval of the change, MOVER)
CHANGE_HIGH_OF = "change_high_"
CLEAR_OF = "clear_"  # prefix: clear_previous, ... (the change is outside the noise: tables.compare.is_clear)
KPI_CALLS = "calls"
#: Valid calls (有效警情) per day: the calls row where the standard tells invalid calls apart.
KPI_VALID_CALLS = "valid_calls"
KPI_MEDIAN = "median"
KPI_P90 = "p90"
KPI_WITHIN_TARGET = "within_target"
#: The share within target of another interval the standard grades (a fire edition's turnout beside travel).
KPI_WITHIN_TARGET_OF = "within_target_of"
KPI_ARREST_RATE = "arrest_rate"
KPI_CAUGHT_IN_ACT = "caught_in_act_rate"
UNIT_COUNT = "count"
UNIT_PER_DAY = "per_day"  # calls per day of the month the data cover
UNIT_MIN = "min"
UNIT_SHARE = "share"
UNIT_HOURS = "h"
LOWER_IS_BETTER = "lower"
HIGHER_IS_BETTER = "higher"
NEUTRAL = "neutral"

# data quality
FIELD = "field"
CHECK = "check"
CHECK_MISSING = "missing"
CHECK_NEGATIVE = "negative"
N_CHECKED = "n_checked"
N_FLAGGED = "n_flagged"
SHARE = "share"
ROWS = "rows"
FILES = "files"
KIND = "kind"
COLUMN = "column"
ITEM = "item"
COUNT = "count"
RECONCILED = "reconciled"
QUARANTINED_SHARE = "quarantined_share"

# published figures
METRIC = "metric"
COMPUTED = "computed"
PUBLISHED = "published"
DIFFERENCE = "difference"
SOURCE = "source"

# rows of the segment table
#: The segments of a response, in order (their medians are stacked).
SEGMENT_INTERVALS: tuple[str, ...] = (N.CALL_PROCESSING_S, N.TURNOUT_S, N.TRAVEL_S)

# call volume (tables/volume.py)
VALID = "valid"  # valid calls (有效警情) [count]; NaN where the standard defines no invalid calls
INVALID = "invalid"  # invalid calls [count]
DAYS = "days"  # covered days of a month [days]
PER_DAY = "per_day"  # calls per covered day [calls/day]
VALID_PER_DAY = "valid_per_day"  # valid calls per covered day [calls/day]
VALID_SHARE = "valid_share"  # valid calls / calls [fraction]
CHANGE_PREVIOUS = "change_previous"  # change of calls per day against the month before (环比) [fraction]
CHANGE_YEAR_AGO = "change_year_ago"  # change against the same month a year before (同比) [fraction]
OPEN_ORDERS = "open_orders"  # orders dispatched and not closed at the cut-off [count]
AGE_BAND = "age_band"  # index of an open order's age band (OPEN_AGE_EDGES_H)
BAND = "band"  # the words of a ladder step's band ("0-30 s")
LABEL_TEXT = "label_text"  # a row's name as drawn (a target with its limit)
VALUE_TEXT = "value_text"  # a row's figure as drawn ("85.0% (68 of 80)")
KIND_OF_TARGET = "target_kind"  # "interval" (a [[targets]] entry) or "erf" (an [[erf]] entry)
