"""The key-figure table of the KPI card: the month against the month before and the same month a year before.

Each row is one figure in one unit, with its 95% interval in every period and, against each reference period,
the interval of the change and whether the change is clear (:mod:`.compare`). Calls are compared per day of
the month the data cover, since months differ in length (and a dataset may start or end inside a month).
The median and the p90 are of one interval, the standard's headline interval, so the pair reads together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ...metrics import DEFAULT_MIN_N, Standard, load_standard, outcome_summary, summarize, wilson_interval
from ...metrics.outcomes import ARREST_REASONS
from ...metrics import names as N
from ..columns import (
    CHANGE_HIGH_OF,
    CHANGE_LOW_OF,
    CI_HIGH_OF,
    CI_LOW_OF,
    CLEAR_OF,
    DAYS_OF,
    DELTA_PREVIOUS,
    DELTA_YEAR_AGO,
    DIRECTION,
    HIGHER_IS_BETTER,
    KPI,
    KPI_ARREST_RATE,
    KPI_CALLS,
    KPI_VALID_CALLS,
    KPI_CAUGHT_IN_ACT,
    KPI_MEDIAN,
    KPI_P90,
    KPI_WITHIN_TARGET,
    KPI_WITHIN_TARGET_OF,
    LOWER_IS_BETTER,
    MONTH_OF,
    N_OF,
    NEUTRAL,
    PERIOD_CURRENT,
    PERIOD_PREVIOUS,
    PERIOD_YEAR_AGO,
    PERIODS,
    SUPPRESSED,
    THIN_OF,
    UNIT,
    UNIT_MIN,
    UNIT_PER_DAY,
    UNIT_SHARE,
)
from ..months import in_months, month_bounds, parse_month, shift_month
from .common import DEFAULT_MIN_CELL, SECONDS_PER_MINUTE, headline_interval, small_cells
from .compare import difference_interval, is_clear, poisson_interval

#: Prefix of the KPI table's small-cell flags, one per period (``suppressed_current``, ...), as ``month_`` and ``n_``.
SUPPRESSED_OF = SUPPRESSED + "_"
#: The reference periods a change is taken against, with the column of the change.
REFERENCES: tuple[tuple[str, str], ...] = ((PERIOD_PREVIOUS, DELTA_PREVIOUS), (PERIOD_YEAR_AGO, DELTA_YEAR_AGO))


def covered_days(month: str, coverage: Sequence[dt.date] | None = None) -> int:
    """Days of ``month`` inside ``coverage`` = (first, last) local date of the data, both included [days].

    Without ``coverage``, every day of the month (28 to 31).
    """
    first, last = month_bounds(month)
    if coverage is not None:
        first, last = max(first, coverage[0]), min(last, coverage[1])
    return max(0, (last - first).days + 1)


def kpi_table(
    df: pd.DataFrame,
    month: str,
    standard: str | Standard,
    interval: str | None = None,
    as_of: object = None,
    min_n: int = DEFAULT_MIN_N,
    min_cell: int = DEFAULT_MIN_CELL,
    coverage: Sequence[dt.date] | None = None,
    outcomes: bool = True,
    also_within: Sequence[str] = (),
) -> pd.DataFrame:
    """Key figures of ``month``, the month before and the same month a year before.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame holding (at least) the three months.
    month : str
        The month briefed.
    standard : str or Standard
        Gives the target of ``within_target`` and the population it grades (``Standard.population``).
    interval : str, optional
        Interval of the median, p90 and target rows; default :func:`headline_interval`.
    as_of : timestamp-like, optional
        End of observation for open arrest cases (see :func:`metrics.outcome_summary`).
    min_n : int
        A value with ``n < min_n`` is thin (``thin_<period>``; ``thin`` for the current month); a change
        with a thin side is never clear.
    min_cell : int
        A value resting on 1 to ``min_cell - 1`` incidents (its ``n``) is blanked, with its ``n``, and
        flagged ``suppressed_<period>`` (see :data:`~.common.DEFAULT_MIN_CELL`); 0 shows all.
    coverage : (datetime.date, datetime.date), optional
        First and last local date of the data: calls per day count only the days of each month inside it
        (:func:`covered_days`); default every day of the month.
    outcomes : bool
        Include the arrest rate and the caught-in-the-act share (False where the source records no arrest:
        a fire or EMS log has no such figure, and the card leaves it out rather than show n/a).
    also_within : sequence of str
        Further intervals whose share within target the card shows (``within_target_of`` rows), e.g. a fire
        edition's turnout beside the headline travel; intervals without a numeric target are skipped.

    Returns
    -------
    pandas.DataFrame
        One row per KPI: ``kpi``, ``interval``, ``unit`` (per_day, min, share), ``direction`` (lower /
        higher is better, or neutral), ``current``, ``previous``, ``year_ago``, their ``month_*``, ``n_*``
        (the denominator; for calls the count itself), ``days_*`` (covered days of the month),
        ``ci_low_*`` / ``ci_high_*`` (95% interval of the value), ``thin_*``, ``suppressed_*`` (the
        small-cell flag of each period), ``delta_previous`` and ``delta_year_ago`` (current minus the
        other, NaN when either is suppressed), ``change_low_*`` / ``change_high_*`` (95% interval of the
        change, :func:`~.compare.difference_interval`), ``clear_*`` (:func:`~.compare.is_clear`),
        ``thin`` and ``not_available`` (why an outcome figure is blank rather than 0: codes of
        :data:`~responsestats.metrics.NOT_AVAILABLE_REASONS`, empty when it is available). Rows: calls (incidents per covered day; interval: Poisson score / days), median and p90
        (of ``interval``; order-statistic intervals; ``valid_calls`` instead where the standard
        defines invalid calls, :attr:`~responsestats.metrics.Standard.tells_valid_calls`: the valid ones only), within_target (share of ``interval`` values of the
        standard's population within each row's target; Wilson), arrest_rate (arrests / eligible
        incidents; Wilson), caught_in_act_rate (of arrests; Wilson).
    """
    std = load_standard(standard)
    interval = interval or headline_interval(std)
    months = {PERIOD_CURRENT: parse_month(month), PERIOD_PREVIOUS: shift_month(month, -1),
              PERIOD_YEAR_AGO: shift_month(month, -12)}  # fmt: skip
    days = {p: covered_days(m, coverage) for p, m in months.items()}
    sub = in_months(df, months.values())
    summ = summarize(sub, interval, by=N.KEY_MONTH, standard=std, min_n=min_n)
    outc = outcome_summary(sub, by=N.KEY_MONTH, as_of=as_of)
    has_target = any(t.target_s is not None for t in std.targets_for(interval))
    nan = float("nan")

    def pick(table: pd.DataFrame, value: str, n_column: str, scale: float = 1.0, low: str | None = None,
             high: str | None = None, k_column: str | None = None):  # fmt: skip
        """(value, n, ci_low, ci_high) per period: an interval from the table's columns, or Wilson of k of n."""
        rows = table.set_index(N.KEY_MONTH)
        out = {}
        for period, m in months.items():
            if m not in rows.index:
                out[period] = (nan, 0, nan, nan)
                continue
            raw_n = rows.at[m, n_column]
            v, n = float(rows.at[m, value]), 0 if pd.isna(raw_n) else int(raw_n)  # NaN: not recorded at all
            if k_column is not None:
                lo, hi = (float(x) for x in wilson_interval(rows.at[m, k_column], n))
            elif low is not None:
                lo, hi = float(rows.at[m, low]), float(rows.at[m, high])
            else:
                lo = hi = nan
            out[period] = (v * scale, n, lo * scale, hi * scale)
        return out

    def per_day():
        rows = (outcome_summary(sub[~std.is_invalid(sub)], by=N.KEY_MONTH, as_of=as_of) if std.tells_valid_calls
                else outc).set_index(N.KEY_MONTH)  # fmt: skip
        out = {}
        for period, m in months.items():
            k = int(rows.at[m, N.INCIDENTS]) if m in rows.index else 0
            d = days[period]
            if d == 0 or k == 0:  # not covered, or no call: no data (a month of no call is not "0 a day")
                out[period] = (nan, k, nan, nan)
                continue
            lo, hi = (float(x) / d for x in poisson_interval(k))
            out[period] = (k / d, k, lo, hi)
        return out

    summ = summ.assign(_k=np.round(summ[N.WITHIN_TARGET_SHARE].fillna(0) * summ[N.N_TARGET]))
    to_min = 1 / SECONDS_PER_MINUTE
    spec = [
        (KPI_VALID_CALLS if std.tells_valid_calls else KPI_CALLS, None, UNIT_PER_DAY, NEUTRAL, per_day()),
        (KPI_MEDIAN, interval, UNIT_MIN, LOWER_IS_BETTER,
         pick(summ, N.MEDIAN_S, N.N, to_min, N.MEDIAN_CI_LOW_S, N.MEDIAN_CI_HIGH_S)),
        (KPI_P90, interval, UNIT_MIN, LOWER_IS_BETTER, pick(summ, N.P90_S, N.N, to_min, N.P90_CI_LOW_S, N.P90_CI_HIGH_S)),
    ]  # fmt: skip
    if has_target:
        spec.append((KPI_WITHIN_TARGET, interval, UNIT_SHARE, HIGHER_IS_BETTER,
                     pick(summ, N.WITHIN_TARGET_SHARE, N.N_TARGET, k_column="_k")))  # fmt: skip
    for other in dict.fromkeys(also_within):
        if other == interval or not any(t.target_s is not None for t in std.targets_for(other)):
            continue
        graded = summarize(sub, other, by=N.KEY_MONTH, standard=std, min_n=min_n)
        graded = graded.assign(_k=np.round(graded[N.WITHIN_TARGET_SHARE].fillna(0) * graded[N.N_TARGET]))
        spec.append((KPI_WITHIN_TARGET_OF, other, UNIT_SHARE, HIGHER_IS_BETTER,
                     pick(graded, N.WITHIN_TARGET_SHARE, N.N_TARGET, k_column="_k")))  # fmt: skip
    spec += [] if not outcomes else [
        (KPI_ARREST_RATE, None, UNIT_SHARE, HIGHER_IS_BETTER, pick(outc, N.ARREST_RATE, N.ELIGIBLE, k_column=N.ARRESTS)),
        (KPI_CAUGHT_IN_ACT, None, UNIT_SHARE, HIGHER_IS_BETTER,
         pick(outc, N.CAUGHT_IN_ACT_RATE, N.ARRESTS, k_column=N.CAUGHT_IN_ACT_COUNT)),
    ]  # fmt: skip
    codes = sorted({c for cell in outc.get(N.NOT_AVAILABLE, []) for c in str(cell).split(";") if c})
    missing = {KPI_ARREST_RATE: [c for c in codes if c in ARREST_REASONS],
               KPI_CAUGHT_IN_ACT: [c for c in codes if c in (*ARREST_REASONS, "no_caught_source")]}
    rows = []
    for kpi, kpi_interval, unit, direction, values in spec:
        row = {KPI: kpi, N.INTERVAL: kpi_interval, UNIT: unit, DIRECTION: direction,
               N.NOT_AVAILABLE: ";".join(missing.get(kpi, []))}
        for period in PERIODS:
            row[period] = values[period][0]
        for period in PERIODS:
            row[MONTH_OF + period] = months[period]
            row[N_OF + period] = values[period][1]
            row[DAYS_OF + period] = days[period]
            row[CI_LOW_OF + period], row[CI_HIGH_OF + period] = values[period][2], values[period][3]
            row[THIN_OF + period] = bool(row[N_OF + period] < min_n)
        row[N.THIN] = row[THIN_OF + PERIOD_CURRENT]
        for period in PERIODS:
            hidden = bool(small_cells([row[N_OF + period]], min_cell)[0])
            row[SUPPRESSED_OF + period] = hidden
            if hidden:
                for col in (period, N_OF + period, CI_LOW_OF + period, CI_HIGH_OF + period):
                    row[col] = nan
        for ref, delta_col in REFERENCES:
            row[delta_col] = row[PERIOD_CURRENT] - row[ref]
            low, high = difference_interval(row[PERIOD_CURRENT], row[CI_LOW_OF + PERIOD_CURRENT],
                                            row[CI_HIGH_OF + PERIOD_CURRENT], row[ref], row[CI_LOW_OF + ref],
                                            row[CI_HIGH_OF + ref])  # fmt: skip
            row[CHANGE_LOW_OF + ref], row[CHANGE_HIGH_OF + ref] = float(low), float(high)
            row[CLEAR_OF + ref] = bool(is_clear(low, high, row[N_OF + PERIOD_CURRENT], row[N_OF + ref], min_n))
        rows.append(row)
    per_period = [MONTH_OF, N_OF, DAYS_OF, CI_LOW_OF, CI_HIGH_OF, THIN_OF, SUPPRESSED_OF]
    per_ref = [CHANGE_LOW_OF, CHANGE_HIGH_OF, CLEAR_OF]
    columns = [KPI, N.INTERVAL, UNIT, DIRECTION, *PERIODS, *(pre + p for pre in per_period for p in PERIODS),
               DELTA_PREVIOUS, DELTA_YEAR_AGO, *(pre + ref for pre in per_ref for ref, _ in REFERENCES),
               N.THIN, N.NOT_AVAILABLE]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
