"""The tables behind the notebooks and the monthly briefing.

Every number a notebook prints or a chart draws comes from a function here.
The functions are built on the metrics API (:mod:`responsestats.metrics`).
They filter, reshape and convert units. The metric definitions
(exclusions, levels, percentiles, targets, denominators) stay in the metrics
package. Each function takes a canonical frame, as :func:`store.read_calls`
returns it, and returns a tidy :class:`pandas.DataFrame`. The column names
are the constants below, or those of :mod:`responsestats.metrics.names`.

Conventions
-----------
* Months are local-time ``"YYYY-MM"`` strings (the ``month`` key of
  :func:`metrics.add_time_keys`).
* Durations drawn on charts are in minutes (``*_min``) or hours.
  Shares are fractions from 0 to 1.
* A group is ``thin`` when it has fewer than ``min_n`` values
  (:data:`metrics.DEFAULT_MIN_N`, the metrics' own flag).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from . import schema as S
from .errors import UserError
from .metrics import (
    DEFAULT_MIN_N,
    INTERVALS,
    Standard,
    add_time_keys,
    attainment,
    compute_intervals,
    exclusion_reasons,
    incident_level,
    incident_outcomes,
    kaplan_meier,
    load_standard,
    outcome_summary,
    summarize,
)
from .metrics import names as N
from .metrics.standards import Target
from .store import latest_stamp, list_agencies, months_present, read_calls, read_reports

# --- column names of the tables ---------------------------------------------------
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
#: Cells counting fewer incidents than this (but at least one) are suppressed
#: in briefing tables and charts, as public statistics do (values set to NaN,
#: ``suppressed`` True). 0 turns suppression off.
DEFAULT_MIN_CELL = 5
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
DELTA_PREVIOUS = "delta_previous"
DELTA_YEAR_AGO = "delta_year_ago"
KPI_CALLS = "calls"
KPI_MEDIAN_RESPONSE = "median_response"
KPI_P90 = "p90"
KPI_WITHIN_TARGET = "within_target"
KPI_ARREST_RATE = "arrest_rate"
KPI_CAUGHT_IN_ACT = "caught_in_act_rate"
UNIT_COUNT = "count"
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

# keys of an ingest report (JSON) read here
R_SOURCE_FILE = "source_file"
R_ENCODING = "encoding"
R_AGENCY = "agency"
R_ROWS_READ = "rows_read"
R_ROWS_WRITTEN = "rows_written"
R_ROWS_QUARANTINED = "rows_quarantined"
R_RECONCILED = "reconciled"
R_QUARANTINE_BY_REASON = "quarantine_by_reason"
R_ISSUE_KINDS: tuple[str, ...] = ("values_nulled", "repairs", "unmapped_values")

# published figures
METRIC = "metric"
COMPUTED = "computed"
PUBLISHED = "published"
DIFFERENCE = "difference"
SOURCE = "source"

#: The published figures of the Zhangzhou (漳州) 110 unit that the synthetic
#: sample is calibrated to (see data/sample/README.md and docs/metrics.md):
#: metric (a column of outcome_summary), value, unit.
PUBLISHED_CN110: tuple[tuple[str, float, str], ...] = (
    (N.CAUGHT_IN_ACT_RATE, 0.8084, UNIT_SHARE),
    (N.MEAN_HOURS_TO_ARREST, 17.2, UNIT_HOURS),
)
PUBLISHED_CN110_SOURCE = "Zhangzhou 110 unit, published figures (2023 to date)"

#: Timestamps checked for missing values, and the rows each is expected on:
#: (column, only these outcomes or None for all, except these outcomes).
#: A call cancelled before anyone arrived has no arrival by design; an
#: arrest stamp is only expected on arrests.
MISSING_CHECKS: tuple[tuple[str, tuple[str, ...] | None, tuple[str, ...]], ...] = (
    (S.DISPATCHED_AT, None, ()),
    (S.ENROUTE_AT, None, ()),
    (S.ARRIVED_AT, None, ("cancelled",)),
    (S.CLEARED_AT, None, ()),
    (S.ARRESTED_AT, (S.OUTCOME_ARREST,), ()),
)
#: Intervals checked for negative values (end before start).
NEGATIVE_CHECKS: tuple[str, ...] = (
    N.CALL_PROCESSING_S,
    N.TURNOUT_S,
    N.TRAVEL_S,
    N.DISPATCH_TO_ARRIVAL_S,
    N.ON_SCENE_S,
)
#: The segments of a response, in order (their medians are stacked).
SEGMENT_INTERVALS: tuple[str, ...] = (N.CALL_PROCESSING_S, N.TURNOUT_S, N.TRAVEL_S)

#: Default bins [h] of the time-to-arrest histogram.
ARREST_HOUR_BINS: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 24.0, 48.0, 96.0, 168.0, 336.0, np.inf)

LATEST = "latest"
#: Months pooled for per-grid percentiles (one month gives each grid too few calls).
RECENT_MONTHS = 3
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_SECONDS_PER_MINUTE = 60.0
_SECONDS_PER_HOUR = 3600.0


# --- months -----------------------------------------------------------------------
def parse_month(text: str) -> str:
    """``"YYYY-MM"`` from user text; raise :class:`UserError` otherwise."""
    m = _MONTH_RE.match(str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise UserError(f"month {text!r} is not YYYY-MM (e.g. 2025-03) or '{LATEST}'")
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def shift_month(month: str, k: int) -> str:
    """The month ``k`` months after ``month`` (before, for negative ``k``)."""
    year, mon = (int(p) for p in parse_month(month).split("-"))
    index = year * 12 + (mon - 1) + int(k)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(end: str, n: int) -> tuple[str, ...]:
    """The ``n`` months ending with ``end``, oldest first."""
    return tuple(shift_month(end, k) for k in range(-(int(n) - 1), 1))


def months_between(first: str, last: str) -> tuple[str, ...]:
    """Every month from ``first`` to ``last``, inclusive (empty when ``last`` precedes ``first``)."""
    out, month = [], parse_month(first)
    last = parse_month(last)
    while month <= last:
        out.append(month)
        month = shift_month(month, 1)
    return tuple(out)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last calendar day of ``month``."""
    first = dt.date.fromisoformat(parse_month(month) + "-01")
    last = dt.date.fromisoformat(shift_month(month, 1) + "-01") - dt.timedelta(days=1)
    return first, last


def month_keys(df: pd.DataFrame) -> pd.Series:
    """The local month (``"YYYY-MM"``) of each row's ``received_at``."""
    return add_time_keys(df[[S.RECEIVED_AT, S.TIMEZONE]], [N.KEY_MONTH])[N.KEY_MONTH]


def in_months(df: pd.DataFrame, months: str | Iterable[str]) -> pd.DataFrame:
    """The rows received (local time) in one of ``months``."""
    wanted = [months] if isinstance(months, str) else list(months)
    return df[month_keys(df).isin(wanted).to_numpy()]


def latest_full_month(df: pd.DataFrame) -> str:
    """The latest calendar month the data cover in full.

    A month counts as full when the data reach its last day (a call received
    on that local date or later) and start on or before its first day.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame with ``received_at`` and ``timezone``.

    Raises
    ------
    UserError
        If the frame is empty or covers no full month.
    """
    if len(df) == 0:
        raise UserError("the dataset has no calls, so it has no full month")
    dates = add_time_keys(df[[S.RECEIVED_AT, S.TIMEZONE]], [N.KEY_DATE])[N.KEY_DATE]
    first, last = dt.date.fromisoformat(dates.min()), dt.date.fromisoformat(dates.max())
    month = f"{last.year:04d}-{last.month:02d}"
    if last != month_bounds(month)[1]:
        month = shift_month(month, -1)
    if first > month_bounds(month)[0]:
        raise UserError(f"the data run from {first} to {last}: no calendar month is covered in full")
    return month


# --- reading a dataset ---------------------------------------------------------------
def resolve_agency(dataset: str | Path, agency: str | None = None) -> str:
    """``agency``, checked against the dataset; or the dataset's only agency."""
    agencies = list_agencies(dataset)
    if agency is not None:
        if agency not in agencies:
            raise UserError(f"{dataset}: no calls of agency {agency!r}; agencies: {', '.join(agencies) or 'none'}")
        return agency
    if len(agencies) != 1:
        raise UserError(f"{dataset} holds {len(agencies)} agencies ({', '.join(agencies)}): choose one with --agency")
    return agencies[0]


@dataclass(frozen=True)
class BriefingData:
    """What a notebook or the briefing reads from a dataset, once.

    Attributes
    ----------
    dataset, agency : the source.
    month : the month briefed (``"YYYY-MM"``).
    months : the 12 months ending with ``month`` (the trend window).
    recent : the 3 months ending with ``month`` (enough calls per grid for a p90).
    previous, year_ago : the month before, and the same month a year before.
    first_month, last_month : the months of the first and last calls in the dataset.
    standard : the standard graded against; ``interval`` its headline interval.
    calls : canonical rows received from ``year_ago`` through ``month``.
    as_of : end of observation for open arrest cases (latest stamp in the dataset).
    reports : the ingest reports of the agency's files.
    """

    dataset: Path
    agency: str
    month: str
    months: tuple[str, ...]
    recent: tuple[str, ...]
    previous: str
    year_ago: str
    first_month: str
    last_month: str
    standard: Standard
    interval: str
    calls: pd.DataFrame
    as_of: pd.Timestamp
    reports: tuple[dict, ...]

    @property
    def month_calls(self) -> pd.DataFrame:
        """The calls received in ``month``."""
        return in_months(self.calls, self.month)

    @property
    def recent_calls(self) -> pd.DataFrame:
        """The calls received in the 3 months ``recent``."""
        return in_months(self.calls, self.recent)

    @property
    def all_months(self) -> tuple[str, ...]:
        """Every month from the dataset's first to its last."""
        return months_between(self.first_month, self.last_month)

    def all_calls(self) -> pd.DataFrame:
        """Every call of the agency in the dataset (read on demand)."""
        return read_calls(self.dataset, agency=self.agency)

    @property
    def timezone(self) -> str:
        """The agency's time zone (of its first call)."""
        return str(self.calls[S.TIMEZONE].iloc[0]) if len(self.calls) else "UTC"

    @property
    def window_calls(self) -> pd.DataFrame:
        """The calls received in the 12 months ``months``."""
        return in_months(self.calls, self.months)


def load_briefing_data(
    dataset: str | Path,
    agency: str | None = None,
    month: str = LATEST,
    standard: str | Standard = "cn110",
    window: int = 12,
) -> BriefingData:
    """Read what the notebooks and the briefing need from a dataset.

    Parameters
    ----------
    dataset : str or Path
        Dataset folder written by ``responsestats ingest``.
    agency : str, optional
        The agency; default the dataset's only one.
    month : str
        ``"YYYY-MM"``, or ``"latest"`` for :func:`latest_full_month`.
    standard : str or Standard
        Built-in standard name, TOML path or loaded standard.
    window : int
        Months in the trend window (ending with ``month``).

    Raises
    ------
    UserError
        No dataset, unknown agency or standard, a month without calls.
    """
    std = load_standard(standard)
    agency = resolve_agency(dataset, agency)
    # What the whole history holds comes from the partition folders and the Parquet footers, and only the
    # first and last months are read for their first and last dates: the cost does not grow with history.
    present = months_present(dataset, agency)
    if not present:
        raise UserError(f"{dataset}: no calls of agency {agency!r}")
    first_month, last_month = present[0], present[-1]
    if str(month).strip().lower() == LATEST:
        edges = read_calls(dataset, agency=agency, columns=[S.RECEIVED_AT, S.TIMEZONE],
                           start=month_bounds(first_month)[0], end=month_bounds(first_month)[1])
        if last_month != first_month:
            edges = pd.concat([edges, read_calls(dataset, agency=agency, columns=[S.RECEIVED_AT, S.TIMEZONE],
                                                 start=month_bounds(last_month)[0], end=month_bounds(last_month)[1])])
        month = latest_full_month(edges)
    else:
        month = parse_month(month)
        if month not in present:
            raise UserError(f"{dataset}: no calls in {month}; the data cover {first_month} to {last_month}")
    as_of = latest_stamp(dataset, agency, [S.RECEIVED_AT, S.CLEARED_AT, S.ARRESTED_AT])
    year_ago = shift_month(month, -12)
    calls = read_calls(dataset, agency=agency, start=month_bounds(year_ago)[0], end=month_bounds(month)[1])
    reports = tuple(r for r in read_reports(dataset) if r.get(R_AGENCY) == agency)
    return BriefingData(
        dataset=Path(dataset),
        agency=agency,
        month=month,
        months=month_range(month, window),
        recent=month_range(month, RECENT_MONTHS),
        previous=shift_month(month, -1),
        year_ago=year_ago,
        first_month=first_month,
        last_month=last_month,
        standard=std,
        interval=headline_interval(std),
        calls=calls,
        as_of=as_of,
        reports=reports,
    )


# --- small helpers ------------------------------------------------------------------
def headline_interval(standard: str | Standard) -> str:
    """The interval a briefing leads with: the last one (in response order) the standard grades.

    ``cn110``: dispatch_to_arrival_s; ``nfpa1710``: travel_s; ``nfpa1221-2016``: call_processing_s.
    """
    std = load_standard(standard)
    order = list(INTERVALS)
    return max(std.intervals, key=order.index)


def wilson_interval(k, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``k / n`` (arrays or scalars; NaN where ``n == 0``)."""
    k = np.asarray(k, dtype="float64")
    n = np.asarray(n, dtype="float64")
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def priority_rank(value: object) -> tuple[float, str]:
    """Sort key of a priority code: its first number (digits or a Chinese numeral), then the text.

    ``"一级" < "二级" < "三级"``, ``"P1" < "P2" < "P10"``; codes without a number sort last.
    """
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    m = re.search(r"\d+", text)
    if m:
        return float(m.group()), text
    for ch in text:
        if ch in _CN_DIGITS:
            return float(_CN_DIGITS[ch]), text
    return float("inf"), text


def sort_groups(values: Iterable[object], by: str) -> list[object]:
    """Group values in display order: priorities by rank, area classes urban to rural, anything else as text."""
    values = list(dict.fromkeys(values))
    if by == S.PRIORITY:
        return sorted(values, key=priority_rank)
    if by == S.AREA_CLASS:
        known = {a: i for i, a in enumerate(S.AREA_CLASSES)}
        return sorted(values, key=lambda v: (known.get(v, len(known)), str(v)))
    return sorted(values, key=lambda v: (v is None, str(v)))


def _minutes(seconds) -> np.ndarray:
    return np.asarray(seconds, dtype="float64") / _SECONDS_PER_MINUTE


def _segment_key(target: Target | None) -> str:
    """``"all"``; ``"<column>:<value>"`` for a target on one value of one column; else the target's label."""
    if target is None:
        return SEGMENT_ALL
    if len(target.when) == 1 and not target.when[0].negate and len(target.when[0].values) == 1:
        cond = target.when[0]
        return f"{cond.column}:{next(iter(cond.values))}"
    return target.label or target.id


def _segments(df: pd.DataFrame, std: Standard, interval: str) -> list[tuple[str, str, np.ndarray, float]]:
    """(segment id, segment key, row mask, target [s] or NaN) of each panel of a trend or attainment view.

    One segment per numeric target of ``interval`` that applies to some row,
    after an ``all`` segment; a single target that applies to every row is
    shown as ``all`` with its target.
    """
    everything = np.ones(len(df), dtype=bool)
    found = []
    for target in std.targets_for(interval):
        if target.target_s is None:
            continue
        mask = target.applies(df)
        if mask.any():
            found.append((target.id, _segment_key(target), mask, float(target.target_s)))
    if len(found) == 1 and found[0][2].all():
        return [(SEGMENT_ALL, SEGMENT_ALL, everything, found[0][3])]
    return [(SEGMENT_ALL, SEGMENT_ALL, everything, float("nan"))] + found


# --- response times ---------------------------------------------------------------------
def kpi_table(
    df: pd.DataFrame,
    month: str,
    standard: str | Standard,
    interval: str | None = None,
    as_of: object = None,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Key figures of ``month``, the month before and the same month a year before.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame holding (at least) the three months.
    month : str
        The month briefed.
    standard : str or Standard
        Gives the target of ``within_target``.
    interval : str, optional
        Interval of the p90 and target rows; default :func:`headline_interval`.
    as_of : timestamp-like, optional
        End of observation for open arrest cases (see :func:`metrics.outcome_summary`).
    min_n : int
        A current value with ``n < min_n`` is ``thin``.

    Returns
    -------
    pandas.DataFrame
        One row per KPI: ``kpi``, ``interval``, ``unit`` (count, min, share),
        ``direction`` (lower / higher is better, or neutral), ``current``,
        ``previous``, ``year_ago``, their ``month_*`` and ``n_*`` (the
        denominator), ``delta_previous`` and ``delta_year_ago`` (current minus
        the other), ``thin``. Rows: calls (incidents), median_response
        (received to arrival), p90 (of ``interval``), within_target (share of
        ``interval`` values within each row's target), arrest_rate (arrests /
        eligible incidents), caught_in_act_rate (of arrests).
    """
    std = load_standard(standard)
    interval = interval or headline_interval(std)
    months = {PERIOD_CURRENT: parse_month(month), PERIOD_PREVIOUS: shift_month(month, -1),
              PERIOD_YEAR_AGO: shift_month(month, -12)}  # fmt: skip
    sub = in_months(df, months.values())
    intervals = list(dict.fromkeys([N.RESPONSE_S, interval]))
    summ = summarize(sub, intervals, by=N.KEY_MONTH, standard=std, min_n=min_n)
    outc = outcome_summary(sub, by=N.KEY_MONTH, as_of=as_of)
    has_target = any(t.target_s is not None for t in std.targets_for(interval))

    def pick(table: pd.DataFrame, column: str, n_column: str, scale: float = 1.0, which: str | None = None):
        rows = table if which is None else table[table[N.INTERVAL] == which]
        rows = rows.set_index(N.KEY_MONTH)
        out = {}
        for period, m in months.items():
            if m in rows.index:
                out[period] = (float(rows.at[m, column]) * scale, int(rows.at[m, n_column]))
            else:
                out[period] = (float("nan"), 0)
        return out

    spec = [
        (KPI_CALLS, None, UNIT_COUNT, NEUTRAL, pick(outc, N.INCIDENTS, N.INCIDENTS)),
        (KPI_MEDIAN_RESPONSE, N.RESPONSE_S, UNIT_MIN, LOWER_IS_BETTER,
         pick(summ, N.MEDIAN_S, N.N, 1 / _SECONDS_PER_MINUTE, N.RESPONSE_S)),
        (KPI_P90, interval, UNIT_MIN, LOWER_IS_BETTER, pick(summ, N.P90_S, N.N, 1 / _SECONDS_PER_MINUTE, interval)),
    ]  # fmt: skip
    if has_target:
        spec.append((KPI_WITHIN_TARGET, interval, UNIT_SHARE, HIGHER_IS_BETTER,
                     pick(summ, N.WITHIN_TARGET_SHARE, N.N_TARGET, 1.0, interval)))  # fmt: skip
    spec += [
        (KPI_ARREST_RATE, None, UNIT_SHARE, HIGHER_IS_BETTER, pick(outc, N.ARREST_RATE, N.ELIGIBLE)),
        (KPI_CAUGHT_IN_ACT, None, UNIT_SHARE, HIGHER_IS_BETTER, pick(outc, N.CAUGHT_IN_ACT_RATE, N.ARRESTS)),
    ]
    rows = []
    for kpi, kpi_interval, unit, direction, values in spec:
        row = {KPI: kpi, N.INTERVAL: kpi_interval, UNIT: unit, DIRECTION: direction}
        for period in PERIODS:
            row[period] = values[period][0]
        for period in PERIODS:
            row[MONTH_OF + period] = months[period]
            row[N_OF + period] = values[period][1]
        row[DELTA_PREVIOUS] = row[PERIOD_CURRENT] - row[PERIOD_PREVIOUS]
        row[DELTA_YEAR_AGO] = row[PERIOD_CURRENT] - row[PERIOD_YEAR_AGO]
        row[N.THIN] = row[N_OF + PERIOD_CURRENT] < min_n
        rows.append(row)
    return pd.DataFrame(rows)


def monthly_trend(
    df: pd.DataFrame,
    months: Sequence[str],
    standard: str | Standard,
    interval: str | None = None,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Median and 90th percentile per month, overall and per target of the standard.

    Returns
    -------
    pandas.DataFrame
        One row per segment x month (every month of ``months``, in order):
        ``segment`` (``all`` or a target id), ``segment_key`` (see
        :func:`_segment_key`), ``target_min`` (NaN: no single target),
        ``month``, ``interval``, ``n``, ``median_min``, ``p90_min``,
        ``p90_ci_low_min``, ``p90_ci_high_min``, ``within_target_share``,
        ``thin`` (also for months without values).
    """
    std = load_standard(standard)
    interval = interval or headline_interval(std)
    months = [parse_month(m) for m in months]
    sub = in_months(df, months)
    frames = []
    for seg, key, mask, target_s in _segments(sub, std, interval):
        part = sub[mask]
        if seg == SEGMENT_ALL and np.isnan(target_s):
            s = summarize(part, interval, by=N.KEY_MONTH, standard=std, min_n=min_n)
        else:
            s = summarize(part, interval, by=N.KEY_MONTH, target_s=target_s, min_n=min_n)
        s = s.set_index(N.KEY_MONTH).reindex(months)
        frames.append(
            pd.DataFrame(
                {
                    SEGMENT: seg,
                    SEGMENT_KEY: key,
                    TARGET_MIN: target_s / _SECONDS_PER_MINUTE,
                    N.KEY_MONTH: months,
                    N.INTERVAL: interval,
                    N.N: s[N.N].fillna(0).astype("int64").to_numpy(),
                    MEDIAN_MIN: _minutes(s[N.MEDIAN_S]),
                    P90_MIN: _minutes(s[N.P90_S]),
                    P90_CI_LOW_MIN: _minutes(s[N.P90_CI_LOW_S]),
                    P90_CI_HIGH_MIN: _minutes(s[N.P90_CI_HIGH_S]),
                    N.WITHIN_TARGET_SHARE: s[N.WITHIN_TARGET_SHARE].to_numpy(dtype="float64"),
                    N.THIN: s[N.THIN].astype("boolean").fillna(True).to_numpy(dtype=bool),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def p90_by_group(
    df: pd.DataFrame,
    standard: str | Standard,
    by: str = S.DISTRICT,
    interval: str | None = None,
    min_n: int = DEFAULT_MIN_N,
    limit: int | None = None,
) -> pd.DataFrame:
    """90th percentile per group (e.g. district / grid), against each group's target.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``by`` (the column), ``group``, ``interval``,
        ``n``, ``median_min``, ``p90_min``, ``p90_ci_low_min``,
        ``p90_ci_high_min``, ``target_min`` (NaN when the group's rows have no
        single target), ``within_target_share``, ``above_target`` (p90 above
        the target), ``thin`` and ``panel_total`` (groups sharing this
        target). Sorted by target (groups without one last), then slowest p90
        first; with ``limit``, only the slowest ``limit`` of each target.
    """
    std = load_standard(standard)
    interval = interval or headline_interval(std)
    s = summarize(df, interval, by=by, standard=std, min_n=min_n)
    out = pd.DataFrame(
        {
            BY: by,
            GROUP: s[by].to_numpy(),
            N.INTERVAL: interval,
            N.N: s[N.N].to_numpy(),
            MEDIAN_MIN: _minutes(s[N.MEDIAN_S]),
            P90_MIN: _minutes(s[N.P90_S]),
            P90_CI_LOW_MIN: _minutes(s[N.P90_CI_LOW_S]),
            P90_CI_HIGH_MIN: _minutes(s[N.P90_CI_HIGH_S]),
            TARGET_MIN: _minutes(s[N.TARGET_S]),
            N.WITHIN_TARGET_SHARE: s[N.WITHIN_TARGET_SHARE].to_numpy(dtype="float64"),
            N.THIN: s[N.THIN].to_numpy(dtype=bool),
        }
    )
    out[ABOVE_TARGET] = (out[P90_MIN] > out[TARGET_MIN]).to_numpy(dtype=bool)
    out["_no_target"] = out[TARGET_MIN].isna()
    out["_no_p90"] = out[P90_MIN].isna()
    out = out.sort_values(["_no_target", TARGET_MIN, "_no_p90", P90_MIN, GROUP],
                          ascending=[True, True, True, False, True], kind="stable")  # fmt: skip
    panel = out[TARGET_MIN].fillna(-1.0)
    out[PANEL_TOTAL] = panel.map(panel.value_counts()).astype("int64")
    if limit is not None:
        out = out[out.groupby(panel, sort=False).cumcount().to_numpy() < limit]
    return out.drop(columns=["_no_target", "_no_p90"]).reset_index(drop=True)


def attainment_by(
    df: pd.DataFrame,
    standard: str | Standard,
    by: str = S.PRIORITY,
    interval: str | None = None,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Share within target per group (e.g. priority), overall and per target.

    Returns
    -------
    pandas.DataFrame
        One row per group x segment: ``by``, ``group`` (priorities in rank
        order), ``segment``, ``segment_key``, ``target_min`` (NaN for ``all``
        when the targets differ), ``required_share``, ``n`` (values graded),
        ``n_within``, ``share_within``, ``share_ci_low`` / ``share_ci_high``
        (Wilson 95%), ``thin``. The ``all`` segment grades each value against
        its own row's target (:func:`metrics.summarize`); the others come from
        :func:`metrics.attainment`.
    """
    std = load_standard(standard)
    interval = interval or headline_interval(std)
    segments = _segments(df, std, interval)
    keys = {seg: (key, target_s) for seg, key, _, target_s in segments}
    rows = []
    if SEGMENT_ALL in keys:
        key, target_s = keys[SEGMENT_ALL]
        s = summarize(df, interval, by=by, standard=std, min_n=min_n)
        shares = {t.required_share for t in std.targets_for(interval) if t.target_s is not None}
        common = shares.pop() if len(shares) == 1 else None
        for _, r in s.iterrows():
            n = int(r[N.N_TARGET])
            share = float(r[N.WITHIN_TARGET_SHARE])
            rows.append({BY: by, GROUP: r[by], SEGMENT: SEGMENT_ALL, SEGMENT_KEY: key,
                         TARGET_MIN: target_s / _SECONDS_PER_MINUTE,
                         N.REQUIRED_SHARE: np.nan if common is None else common,
                         N.N: n, N.N_WITHIN: int(round(share * n)) if n else 0, N.SHARE_WITHIN: share})  # fmt: skip
    others = [seg for seg in keys if seg != SEGMENT_ALL]
    if others:
        a = attainment(df, std, by=by)
        a = a[a[N.TARGET_ID].isin(others) & (a[N.N_POPULATION] > 0)]
        for _, r in a.iterrows():
            rows.append({BY: by, GROUP: r[by], SEGMENT: r[N.TARGET_ID], SEGMENT_KEY: keys[r[N.TARGET_ID]][0],
                         TARGET_MIN: float(r[N.TARGET_S]) / _SECONDS_PER_MINUTE,
                         N.REQUIRED_SHARE: float(r[N.REQUIRED_SHARE]), N.N: int(r[N.N]),
                         N.N_WITHIN: int(r[N.N_WITHIN]) if pd.notna(r[N.N_WITHIN]) else 0,
                         N.SHARE_WITHIN: float(r[N.SHARE_WITHIN])})  # fmt: skip
    columns = [BY, GROUP, SEGMENT, SEGMENT_KEY, TARGET_MIN, N.REQUIRED_SHARE, N.N, N.N_WITHIN, N.SHARE_WITHIN]
    out = pd.DataFrame(rows, columns=columns)
    low, high = wilson_interval(out[N.N_WITHIN].to_numpy(), out[N.N].to_numpy())
    out[SHARE_CI_LOW], out[SHARE_CI_HIGH] = low, high
    out[N.THIN] = (out[N.N] < min_n).to_numpy(dtype=bool)
    order = {g: i for i, g in enumerate(sort_groups(out[GROUP], by))}
    seg_order = {seg: i for i, seg in enumerate(keys)}
    out = out.assign(_g=out[GROUP].map(order), _s=out[SEGMENT].map(seg_order))
    out = out.sort_values(["_g", "_s"], kind="stable").drop(columns=["_g", "_s"])
    out[N.N] = out[N.N].astype("int64")
    out[N.N_WITHIN] = out[N.N_WITHIN].astype("int64")
    return out.reset_index(drop=True)


def suppress_small_cells(table: pd.DataFrame, count: str, values: Sequence[str],
                         min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:  # fmt: skip
    """Blank the cells that rest on 1 to ``min_cell - 1`` incidents.

    Parameters
    ----------
    table : pandas.DataFrame
        A briefing table with one count column.
    count : str
        The column counting the incidents behind each row.
    values : sequence of str
        Columns set to NaN in suppressed rows (the count itself included if listed).
    min_cell : int
        Smallest count shown; 0 or 1 shows everything.

    Returns
    -------
    pandas.DataFrame
        A copy with a boolean ``suppressed`` column. Zero counts are not suppressed
        (an empty cell discloses nobody).
    """
    out = table.copy()
    n = out[count].to_numpy(dtype="float64")
    hide = (n > 0) & (n < min_cell)
    for col in values:
        out[col] = out[col].astype("float64").where(~hide)
    out[SUPPRESSED] = hide
    return out


def hour_weekday(df: pd.DataFrame, interval: str, min_n: int = DEFAULT_MIN_N,
                 min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:  # fmt: skip
    """Calls and response per local weekday x hour: all 7 x 24 cells.

    Returns
    -------
    pandas.DataFrame
        168 rows, Monday 00 h first: ``weekday`` (0 = Monday), ``hour``,
        ``calls`` (incidents received; NaN when suppressed), ``interval``,
        ``n`` (values used), ``median_min``, ``p90_min``, ``thin``
        (``n < min_n``) and ``suppressed`` (1 to ``min_cell - 1`` calls in the
        cell: calls and times blanked, see :func:`suppress_small_cells`).
    """
    s = summarize(df, interval, by=[N.KEY_WEEKDAY, N.KEY_HOUR], min_n=min_n)
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=[N.KEY_WEEKDAY, N.KEY_HOUR])
    if len(s):
        s = s.assign(**{N.KEY_WEEKDAY: s[N.KEY_WEEKDAY].astype("int64"), N.KEY_HOUR: s[N.KEY_HOUR].astype("int64")})
    s = s.set_index([N.KEY_WEEKDAY, N.KEY_HOUR]).reindex(grid)
    n = s[N.N].fillna(0).astype("int64").to_numpy()
    out = pd.DataFrame(
        {
            N.KEY_WEEKDAY: grid.get_level_values(0).astype("int64"),
            N.KEY_HOUR: grid.get_level_values(1).astype("int64"),
            CALLS: n + s[N.N_EXCLUDED].fillna(0).astype("int64").to_numpy(),
            N.INTERVAL: interval,
            N.N: n,
            MEDIAN_MIN: _minutes(s[N.MEDIAN_S]),
            P90_MIN: _minutes(s[N.P90_S]),
        }
    )
    out[N.THIN] = out[N.N] < min_n
    return suppress_small_cells(out, CALLS, [CALLS, MEDIAN_MIN, P90_MIN], min_cell)


def segment_medians(
    df: pd.DataFrame, by: str = N.KEY_MONTH, groups: Sequence[str] | None = None, min_n: int = DEFAULT_MIN_N
) -> pd.DataFrame:
    """Median of each segment of the response (call processing, turnout, travel) and of the whole.

    Medians of segments do not add up to the median of the whole response;
    the table has both so that a chart can show the gap.

    Returns
    -------
    pandas.DataFrame
        One row per group x interval (the three segments, then
        ``response_s``): ``by``, ``group``, ``interval``, ``n``,
        ``median_min``, ``thin``. With ``groups``, exactly those groups in that
        order (missing ones with ``n = 0``).
    """
    intervals = [*SEGMENT_INTERVALS, N.RESPONSE_S]
    s = summarize(df, intervals, by=by, min_n=min_n)
    if groups is None:
        groups = sort_groups(s[by], by)
    frames = []
    for interval in intervals:
        part = s[s[N.INTERVAL] == interval].set_index(by).reindex(list(groups))
        frames.append(
            pd.DataFrame(
                {
                    BY: by,
                    GROUP: list(groups),
                    N.INTERVAL: interval,
                    N.N: part[N.N].fillna(0).astype("int64").to_numpy(),
                    MEDIAN_MIN: _minutes(part[N.MEDIAN_S]),
                    N.THIN: part[N.THIN].astype("boolean").fillna(True).to_numpy(dtype=bool),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _included(df: pd.DataFrame, interval: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Incident-level frame and the interval's values [s] where they are used (NaN where excluded)."""
    frame = incident_level(df)
    values = compute_intervals(frame, interval)[interval].to_numpy(dtype="float64")
    reasons = exclusion_reasons(frame, interval)[interval]
    used = reasons.isna().to_numpy()
    return frame, np.where(used, values, np.nan)


def ecdf(df: pd.DataFrame, interval: str, by: str | None = None) -> pd.DataFrame:
    """Empirical distribution of an interval's used values, per group.

    The values are those :func:`metrics.summarize` uses at incident level
    (same exclusions and caps), so its median and p90 sit on these curves.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``group`` (``all`` without ``by``), ``interval``,
        ``value_min`` ascending within each group, ``ecdf`` (share of the
        group's values at or below it), ``n``.
    """
    frame, values = _included(df, interval)
    groups = frame[by].astype("object") if by else pd.Series(SEGMENT_ALL, index=frame.index, dtype="object")
    frames = []
    for group in sort_groups(groups.dropna(), by or ""):
        v = np.sort(values[(groups == group).to_numpy() & ~np.isnan(values)])
        frames.append(
            pd.DataFrame(
                {BY: by or "", GROUP: group, N.INTERVAL: interval, VALUE_MIN: _minutes(v),
                 ECDF: np.arange(1, v.size + 1) / max(v.size, 1), N.N: v.size}  # fmt: skip
            )
        )
    columns = [BY, GROUP, N.INTERVAL, VALUE_MIN, ECDF, N.N]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def interval_summary(
    df: pd.DataFrame, interval: str, by: str | None = None, standard: str | Standard | None = None,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:  # fmt: skip
    """:func:`metrics.summarize` of one interval, in minutes, groups in display order.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``group`` (``all`` without ``by``), ``interval``, ``n``,
        ``n_excluded``, ``median_min``, ``p90_min``, ``p90_ci_low_min``,
        ``p90_ci_high_min``, ``target_min``, ``within_target_share``, ``thin``.
    """
    s = summarize(df, interval, by=by, standard=standard, min_n=min_n)
    groups = s[by].to_numpy() if by else np.array([SEGMENT_ALL] * len(s), dtype=object)
    nan = np.full(len(s), np.nan)
    out = pd.DataFrame(
        {
            BY: by or "",
            GROUP: groups,
            N.INTERVAL: interval,
            N.N: s[N.N].to_numpy(),
            N.N_EXCLUDED: s[N.N_EXCLUDED].to_numpy(),
            MEDIAN_MIN: _minutes(s[N.MEDIAN_S]),
            P90_MIN: _minutes(s[N.P90_S]),
            P90_CI_LOW_MIN: _minutes(s[N.P90_CI_LOW_S]),
            P90_CI_HIGH_MIN: _minutes(s[N.P90_CI_HIGH_S]),
            TARGET_MIN: _minutes(s[N.TARGET_S]) if N.TARGET_S in s else nan,
            N.WITHIN_TARGET_SHARE: s[N.WITHIN_TARGET_SHARE].to_numpy(dtype="float64") if standard else nan,
            N.THIN: s[N.THIN].to_numpy(dtype=bool),
        }
    )
    if by:
        order = {g: i for i, g in enumerate(sort_groups(out[GROUP], by))}
        out = out.iloc[np.argsort(out[GROUP].map(order).to_numpy(), kind="stable")]
    return out.reset_index(drop=True)


def attainment_trend(df: pd.DataFrame, months: Sequence[str], standard: str | Standard) -> pd.DataFrame:
    """:func:`metrics.attainment` of every target per month (months without calls have ``n = 0``).

    Returns
    -------
    pandas.DataFrame
        One row per target x month: ``target_id``, ``segment_key``,
        ``interval``, ``target_min``, ``required_share``, ``month``, ``n``,
        ``n_within``, ``share_within``, ``share_ci_low``, ``share_ci_high``,
        ``met``, ``thin``. Targets without a numeric target are left out.
    """
    std = load_standard(standard)
    months = [parse_month(m) for m in months]
    a = attainment(in_months(df, months), std, by=N.KEY_MONTH)
    frames = []
    for target in std.targets:
        if target.target_s is None:
            continue
        part = a[a[N.TARGET_ID] == target.id].set_index(N.KEY_MONTH).reindex(months)
        n = part[N.N].fillna(0).astype("int64").to_numpy()
        within = part[N.N_WITHIN].astype("Float64").fillna(0).astype("int64").to_numpy()
        low, high = wilson_interval(within, n)
        frames.append(
            pd.DataFrame(
                {
                    N.TARGET_ID: target.id,
                    SEGMENT_KEY: _segment_key(target),
                    N.INTERVAL: target.interval,
                    TARGET_MIN: target.target_s / _SECONDS_PER_MINUTE,
                    N.REQUIRED_SHARE: np.nan if target.required_share is None else target.required_share,
                    N.KEY_MONTH: months,
                    N.N: n,
                    N.N_WITHIN: within,
                    N.SHARE_WITHIN: part[N.SHARE_WITHIN].to_numpy(dtype="float64"),
                    SHARE_CI_LOW: low,
                    SHARE_CI_HIGH: high,
                    N.MET: part[N.MET].astype("boolean").to_numpy(),
                    N.THIN: n < DEFAULT_MIN_N,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(out):
        out = out[out.groupby(N.TARGET_ID)[N.N].transform("sum") > 0].reset_index(drop=True)
    return out


# --- outcomes ------------------------------------------------------------------------------
def outcomes_by(
    df: pd.DataFrame,
    by: str | None = None,
    as_of: object = None,
    groups: Sequence[str] | None = None,
    sort: str | None = None,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """:func:`metrics.outcome_summary` with a Wilson 95% CI of the arrest rate and a ``thin`` flag.

    Parameters
    ----------
    by : str, optional
        Group column or time key.
    groups : sequence, optional
        Exactly these groups, in this order (missing ones with zero counts).
    sort : {"arrest_rate", None}
        Highest arrest rate first (groups without eligible incidents last); default display order.
    min_n : int
        ``thin`` when fewer than ``min_n`` eligible incidents.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``group`` and the columns of :func:`metrics.outcome_summary`,
        plus ``arrest_rate_ci_low``, ``arrest_rate_ci_high``, ``thin``.
    """
    o = outcome_summary(df, by=by, as_of=as_of)
    if by:
        o = o.rename(columns={by: GROUP})
        if groups is not None:
            o = o.set_index(GROUP).reindex(list(groups)).rename_axis(GROUP).reset_index()
            counts = [N.INCIDENTS, N.ELIGIBLE, N.ARRESTS, N.CAUGHT_IN_ACT_COUNT, N.N_HOURS_TO_ARREST, N.KM_N, N.KM_EVENTS]
            o[counts] = o[counts].fillna(0).astype("int64")
        else:
            order = {g: i for i, g in enumerate(sort_groups(o[GROUP], by))}
            o = o.iloc[np.argsort(o[GROUP].map(order).to_numpy(), kind="stable")]
    else:
        o.insert(0, GROUP, SEGMENT_ALL)
    o.insert(0, BY, by or "")
    low, high = wilson_interval(o[N.ARRESTS].to_numpy(), o[N.ELIGIBLE].to_numpy())
    o[ARREST_RATE_CI_LOW], o[ARREST_RATE_CI_HIGH] = low, high
    o[N.THIN] = (o[N.ELIGIBLE] < min_n).to_numpy(dtype=bool)
    if sort == N.ARREST_RATE:
        o = o.assign(_r=o[N.ARREST_RATE].fillna(-1.0)).sort_values(["_r", GROUP], ascending=[False, True])
        o = o.drop(columns="_r")
    elif sort is not None:
        raise ValueError(f"sort must be {N.ARREST_RATE!r} or None, got {sort!r}")
    return o.reset_index(drop=True)


def arrest_durations(df: pd.DataFrame, as_of: object = None, denominator: str = "default") -> pd.DataFrame:
    """Per incident: eligible, arrest, caught in the act, hours to arrest and the Kaplan-Meier time.

    A thin view of :func:`metrics.incident_outcomes` (the one definition);
    see there for the columns.
    """
    return incident_outcomes(df, denominator=denominator, as_of=as_of)


def time_to_arrest_histogram(
    df: pd.DataFrame, as_of: object = None, bins: Sequence[float] = ARREST_HOUR_BINS
) -> pd.DataFrame:
    """Arrests by hours from dispatch to arrest, caught in the act or later.

    Returns
    -------
    pandas.DataFrame
        One row per bin ``[hours_low, hours_high)``: ``hours_low``,
        ``hours_high``, ``n_caught`` (caught in the act), ``n_later``.
    """
    d = arrest_durations(df, as_of=as_of)
    timed = d[d[HOURS].notna()]
    edges = np.asarray(bins, dtype="float64")
    caught = timed[CAUGHT].to_numpy(dtype=bool)
    h = timed[HOURS].to_numpy()
    n_caught = np.histogram(h[caught], bins=edges)[0] if len(edges) > 1 else np.array([], dtype="int64")
    n_later = np.histogram(h[~caught], bins=edges)[0] if len(edges) > 1 else np.array([], dtype="int64")
    return pd.DataFrame(
        {HOURS_LOW: edges[:-1], HOURS_HIGH: edges[1:], N_CAUGHT: n_caught.astype("int64"),
         N_LATER: n_later.astype("int64")}  # fmt: skip
    )


def arrest_curve(df: pd.DataFrame, as_of: object = None) -> pd.DataFrame:
    """Kaplan-Meier curve of time to arrest, as the cumulative share arrested.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`metrics.kaplan_meier` (``time`` in hours from
        dispatch), plus ``cumulative`` = 1 - survival and its CI
        ``cumulative_ci_low`` / ``cumulative_ci_high``.
    """
    d = arrest_durations(df, as_of=as_of)
    use = d[KM_HOURS].notna().to_numpy()
    curve = kaplan_meier(d[KM_HOURS].to_numpy()[use], d[KM_EVENT].to_numpy(dtype=bool)[use])
    curve[CUMULATIVE] = 1.0 - curve[N.KM_SURVIVAL]
    curve[CUMULATIVE_CI_LOW] = 1.0 - curve[N.KM_CI_HIGH]
    curve[CUMULATIVE_CI_HIGH] = 1.0 - curve[N.KM_CI_LOW]
    return curve


def published_comparison(
    df: pd.DataFrame, as_of: object = None, published: Sequence[tuple[str, float, str]] = PUBLISHED_CN110,
    source: str = PUBLISHED_CN110_SOURCE,
) -> pd.DataFrame:  # fmt: skip
    """Computed outcome figures beside published ones.

    Returns
    -------
    pandas.DataFrame
        One row per published figure: ``metric`` (a column of
        :func:`metrics.outcome_summary`), ``unit``, ``computed``,
        ``published``, ``difference`` (computed minus published), ``n``
        (arrests for a rate, timed arrests for hours), ``source``.
    """
    o = outcome_summary(df, as_of=as_of).iloc[0]
    rows = []
    for metric, value, unit in published:
        n = o[N.N_HOURS_TO_ARREST] if unit == UNIT_HOURS else o[N.ARRESTS]
        computed = float(o[metric])
        rows.append({METRIC: metric, UNIT: unit, COMPUTED: computed, PUBLISHED: float(value),
                     DIFFERENCE: computed - float(value), N.N: int(n), SOURCE: source})  # fmt: skip
    return pd.DataFrame(rows, columns=[METRIC, UNIT, COMPUTED, PUBLISHED, DIFFERENCE, N.N, SOURCE])


# --- data quality --------------------------------------------------------------------------
def reconciliation(reports: Iterable[dict]) -> pd.DataFrame:
    """Rows read, written and quarantined per input file (from the ingest reports).

    ``reconciled`` is recomputed: rows read = written + quarantined.
    """
    rows = [
        {
            S.SOURCE_FILE: r.get(R_SOURCE_FILE),
            R_ENCODING: r.get(R_ENCODING),
            R_ROWS_READ: int(r.get(R_ROWS_READ, 0)),
            R_ROWS_WRITTEN: int(r.get(R_ROWS_WRITTEN, 0)),
            R_ROWS_QUARANTINED: int(r.get(R_ROWS_QUARANTINED, 0)),
        }
        for r in reports
    ]
    out = pd.DataFrame(rows, columns=[S.SOURCE_FILE, R_ENCODING, R_ROWS_READ, R_ROWS_WRITTEN, R_ROWS_QUARANTINED])
    out[RECONCILED] = (out[R_ROWS_READ] == out[R_ROWS_WRITTEN] + out[R_ROWS_QUARANTINED]).to_numpy(dtype=bool)
    return out.sort_values(S.SOURCE_FILE, kind="stable").reset_index(drop=True)


def reconciliation_totals(reports: Iterable[dict]) -> pd.DataFrame:
    """One row: ``files``, rows read / written / quarantined, ``quarantined_share``, ``reconciled`` (all files)."""
    r = reconciliation(reports)
    read = int(r[R_ROWS_READ].sum())
    quarantined = int(r[R_ROWS_QUARANTINED].sum())
    return pd.DataFrame(
        [{FILES: len(r), R_ROWS_READ: read, R_ROWS_WRITTEN: int(r[R_ROWS_WRITTEN].sum()),
          R_ROWS_QUARANTINED: quarantined, QUARANTINED_SHARE: quarantined / read if read else np.nan,
          RECONCILED: bool(r[RECONCILED].all())}]  # fmt: skip
    )


def quarantine_reasons(reports: Iterable[dict]) -> pd.DataFrame:
    """Quarantined rows by reason over all files: ``reason``, ``rows``, ``share`` (of rows read); most first."""
    reports = list(reports)
    counts: dict[str, int] = {}
    for r in reports:
        for reason, n in (r.get(R_QUARANTINE_BY_REASON) or {}).items():
            counts[reason] = counts.get(reason, 0) + int(n)
    read = sum(int(r.get(R_ROWS_READ, 0)) for r in reports)
    out = pd.DataFrame({S.Q_REASON: list(counts), ROWS: list(counts.values())}, columns=[S.Q_REASON, ROWS])
    out[ROWS] = out[ROWS].astype("int64")
    out[SHARE] = out[ROWS] / read if read else np.nan
    return out.sort_values([ROWS, S.Q_REASON], ascending=[False, True], kind="stable").reset_index(drop=True)


def quarantine_by_file(reports: Iterable[dict]) -> pd.DataFrame:
    """Quarantined rows per file and reason (long): ``source_file``, ``reason``, ``rows``."""
    rows = [
        {S.SOURCE_FILE: r.get(R_SOURCE_FILE), S.Q_REASON: reason, ROWS: int(n)}
        for r in reports
        for reason, n in (r.get(R_QUARANTINE_BY_REASON) or {}).items()
    ]
    out = pd.DataFrame(rows, columns=[S.SOURCE_FILE, S.Q_REASON, ROWS])
    return out.sort_values([S.SOURCE_FILE, S.Q_REASON], kind="stable").reset_index(drop=True)


def report_issues(reports: Iterable[dict]) -> pd.DataFrame:
    """Values nulled, repaired or left unmapped at ingest: ``source_file``, ``kind``, ``column``, ``item``, ``count``.

    ``kind`` is ``values_nulled`` (item: why), ``repairs`` (item: which
    repair, e.g. a DST fix) or ``unmapped_values`` (item: the raw value).
    """
    rows = []
    for r in reports:
        for kind in R_ISSUE_KINDS:
            for column, items in (r.get(kind) or {}).items():
                for item, n in (items or {}).items():
                    rows.append({S.SOURCE_FILE: r.get(R_SOURCE_FILE), KIND: kind, COLUMN: column, ITEM: item,
                                 COUNT: int(n)})  # fmt: skip
    out = pd.DataFrame(rows, columns=[S.SOURCE_FILE, KIND, COLUMN, ITEM, COUNT])
    return out.sort_values([KIND, COLUMN, S.SOURCE_FILE, ITEM], kind="stable").reset_index(drop=True)


def timestamp_quality(df: pd.DataFrame, months: Sequence[str] | None = None) -> pd.DataFrame:
    """Missing timestamps and negative intervals per month, as rows stand in the dataset.

    Missing: share of rows without the stamp, among the rows that should
    have it (:data:`MISSING_CHECKS`: ``arrived_at`` among calls not
    cancelled, ``arrested_at`` among arrests). Negative: share of rows whose interval end precedes
    its start, among rows with both stamps. Nothing is excluded first (no
    self-initiated or cap rule): this is about the data, not the metric.

    Returns
    -------
    pandas.DataFrame
        One row per check x month: ``check`` (missing / negative), ``field``
        (a timestamp column or an interval), ``month``, ``n_checked``,
        ``n_flagged``, ``share`` (NaN when nothing was checked).
    """
    keys = month_keys(df).to_numpy()
    if months is None:
        months = sorted(set(keys.tolist()))
    months = list(months)
    values = compute_intervals(df, NEGATIVE_CHECKS)
    outcome = df[S.OUTCOME].astype("object").to_numpy()
    checks: list[tuple[str, str, np.ndarray, np.ndarray]] = []
    for column, only, unless in MISSING_CHECKS:
        applies = np.ones(len(df), dtype=bool) if only is None else np.isin(outcome, only)
        applies &= ~np.isin(outcome, unless)
        checks.append((CHECK_MISSING, column, applies, df[column].isna().to_numpy()))
    for interval in NEGATIVE_CHECKS:
        v = values[interval].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore"):
            checks.append((CHECK_NEGATIVE, interval, ~np.isnan(v), v < 0))
    rows = []
    for check, field, applies, flagged in checks:
        for month in months:
            here = applies & (keys == month)
            n = int(here.sum())
            k = int((here & flagged).sum())
            rows.append({CHECK: check, FIELD: field, N.KEY_MONTH: month, N_CHECKED: n, N_FLAGGED: k,
                         SHARE: k / n if n else np.nan})  # fmt: skip
    return pd.DataFrame(rows, columns=[CHECK, FIELD, N.KEY_MONTH, N_CHECKED, N_FLAGGED, SHARE])


def quality_wide(quality: pd.DataFrame, check: str, value: str = SHARE) -> pd.DataFrame:
    """One ``check`` of :func:`timestamp_quality` as a field x month table of ``value`` (share or n_flagged)."""
    rows = quality[quality[CHECK] == check]
    fields = list(dict.fromkeys(rows[FIELD]))
    months = list(dict.fromkeys(rows[N.KEY_MONTH]))
    return rows.pivot(index=FIELD, columns=N.KEY_MONTH, values=value).reindex(index=fields, columns=months)
