"""The key-figure table of the KPI card: the month against the month before and the same month a year before."""

from __future__ import annotations

import pandas as pd

from ...metrics import DEFAULT_MIN_N, Standard, load_standard, outcome_summary, summarize
from ...metrics import names as N
from ..columns import (
    DELTA_PREVIOUS,
    DELTA_YEAR_AGO,
    DIRECTION,
    HIGHER_IS_BETTER,
    KPI,
    KPI_ARREST_RATE,
    KPI_CALLS,
    KPI_CAUGHT_IN_ACT,
    KPI_MEDIAN_RESPONSE,
    KPI_P90,
    KPI_WITHIN_TARGET,
    LOWER_IS_BETTER,
    MONTH_OF,
    N_OF,
    NEUTRAL,
    PERIOD_CURRENT,
    PERIOD_PREVIOUS,
    PERIOD_YEAR_AGO,
    PERIODS,
    SUPPRESSED,
    UNIT,
    UNIT_COUNT,
    UNIT_MIN,
    UNIT_SHARE,
)
from ..months import in_months, parse_month, shift_month
from .common import DEFAULT_MIN_CELL, SECONDS_PER_MINUTE, headline_interval, small_cells

#: Prefix of the KPI table's small-cell flags, one per period (``suppressed_current``, ...), as ``month_`` and ``n_``.
SUPPRESSED_OF = SUPPRESSED + "_"


def kpi_table(
    df: pd.DataFrame,
    month: str,
    standard: str | Standard,
    interval: str | None = None,
    as_of: object = None,
    min_n: int = DEFAULT_MIN_N,
    min_cell: int = DEFAULT_MIN_CELL,
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
    min_cell : int
        A value resting on 1 to ``min_cell - 1`` incidents (its ``n``) is blanked, with its ``n``, and
        flagged ``suppressed_<period>`` (see :data:`~.common.DEFAULT_MIN_CELL`); 0 shows all.

    Returns
    -------
    pandas.DataFrame
        One row per KPI: ``kpi``, ``interval``, ``unit`` (count, min, share),
        ``direction`` (lower / higher is better, or neutral), ``current``,
        ``previous``, ``year_ago``, their ``month_*`` and ``n_*`` (the
        denominator), ``suppressed_*`` (the small-cell flag of each period),
        ``delta_previous`` and ``delta_year_ago`` (current minus the other,
        NaN when either is suppressed), ``thin``. Rows: calls (incidents), median_response
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
         pick(summ, N.MEDIAN_S, N.N, 1 / SECONDS_PER_MINUTE, N.RESPONSE_S)),
        (KPI_P90, interval, UNIT_MIN, LOWER_IS_BETTER, pick(summ, N.P90_S, N.N, 1 / SECONDS_PER_MINUTE, interval)),
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
        row[N.THIN] = row[N_OF + PERIOD_CURRENT] < min_n
        for period in PERIODS:
            hidden = bool(small_cells([row[N_OF + period]], min_cell)[0])
            row[SUPPRESSED_OF + period] = hidden
            if hidden:
                row[period], row[N_OF + period] = float("nan"), float("nan")
        row[DELTA_PREVIOUS] = row[PERIOD_CURRENT] - row[PERIOD_PREVIOUS]
        row[DELTA_YEAR_AGO] = row[PERIOD_CURRENT] - row[PERIOD_YEAR_AGO]
        rows.append(row)
    columns = [KPI, N.INTERVAL, UNIT, DIRECTION, *PERIODS, *(MONTH_OF + p for p in PERIODS),
               *(N_OF + p for p in PERIODS), *(SUPPRESSED_OF + p for p in PERIODS), DELTA_PREVIOUS, DELTA_YEAR_AGO,
               N.THIN]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
