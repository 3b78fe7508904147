"""Outcome tables: arrest rates with their Wilson intervals, time to arrest, the Kaplan-Meier curve, published figures.

The definitions (eligible incidents, arrests, caught in the act, the end of
observation) are :func:`responsestats.metrics.incident_outcomes`'; these
functions group, bin and add intervals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ...metrics import (
    DEFAULT_MIN_N,
    incident_outcomes,
    kaplan_meier,
    outcome_availability,
    outcome_summary,
    unavailable_figures,
    wilson_interval,
)
from ...metrics import names as N
from ..columns import (
    ARREST_RATE_CI_HIGH,
    ARREST_RATE_CI_LOW,
    BY,
    CAUGHT,
    COMPUTED,
    CUMULATIVE,
    CUMULATIVE_CI_HIGH,
    CUMULATIVE_CI_LOW,
    DIFFERENCE,
    ELIGIBLE_WITH_ARRESTS,
    GROUP,
    GROUPS,
    GROUPS_WITH_ARRESTS,
    HOURS,
    HOURS_HIGH,
    HOURS_LOW,
    KM_EVENT,
    KM_HOURS,
    METRIC,
    N_CAUGHT,
    N_LATER,
    PUBLISHED,
    RATE_WITH_ARRESTS,
    RATE_WITH_ARRESTS_CI_HIGH,
    RATE_WITH_ARRESTS_CI_LOW,
    SEGMENT_ALL,
    SOURCE,
    UNIT,
    UNIT_HOURS,
    UNIT_SHARE,
)
from .common import DEFAULT_MIN_CELL, sort_groups, suppress_figures

#: The published figures of the Zhangzhou (漳州) 110 unit that the synthetic
#: sample is calibrated to (see data/sample/README.md and docs/metrics.md):
#: metric (a column of outcome_summary), value, unit.
#: The published 80.84% counts persons ("855 suspects arrested, 80.84% caught in the act"): the first row is the
#: like-for-like comparison; the second reads the same figure per incident with an arrest, for contrast.
PUBLISHED_CN110: tuple[tuple[str, float, str], ...] = (
    (N.CAUGHT_IN_ACT_PERSONS_RATE, 0.8084, UNIT_SHARE),
    (N.CAUGHT_IN_ACT_RATE, 0.8084, UNIT_SHARE),
    (N.MEAN_HOURS_TO_ARREST, 17.2, UNIT_HOURS),
)
#: What each compared figure counts, and the column of :func:`metrics.outcome_summary` that is its ``n``.
_BASIS: dict[str, tuple[str, str]] = {
    N.CAUGHT_IN_ACT_PERSONS_RATE: ("persons arrested", N.PERSONS_ARRESTED),
    N.CAUGHT_IN_ACT_RATE: ("incidents with an arrest", N.ARRESTS),
    N.MEAN_HOURS_TO_ARREST: ("timed arrests (incidents)", N.N_HOURS_TO_ARREST),
}
BASIS = "basis"


PUBLISHED_CN110_SOURCE = "Zhangzhou 110 unit, published figures (2023 to date)"
#: Small-cell rules of an outcome table (:func:`~.common.suppress_figures`): each figure with its base. The
#: arrest rate (its base: the eligible incidents) is the row's figure (``suppressed``); a numerator under 5
#: (arrests of 40 eligible incidents) is shown.
OUTCOME_CELLS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    (N.ELIGIBLE, (N.ELIGIBLE, N.ARRESTS, N.ARREST_RATE, ARREST_RATE_CI_LOW, ARREST_RATE_CI_HIGH), True),
    (N.INCIDENTS, (N.INCIDENTS,), False),
    (N.ARRESTS, (N.CAUGHT_IN_ACT_COUNT, N.CAUGHT_IN_ACT_RATE), False),
    (N.N_HOURS_TO_ARREST, (N.N_HOURS_TO_ARREST, N.MEAN_HOURS_TO_ARREST, N.MEDIAN_HOURS_TO_ARREST,
                           N.P90_HOURS_TO_ARREST), False),
    (N.KM_N, (N.KM_N, N.KM_EVENTS, N.KM_MEDIAN_HOURS_TO_ARREST, N.KM_MEDIAN_CI_LOW_HOURS,
              N.KM_MEDIAN_CI_HIGH_HOURS), False),
)  # fmt: skip
#: Default bins [h] of the time-to-arrest histogram.
ARREST_HOUR_BINS: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 24.0, 48.0, 96.0, 168.0, 336.0, np.inf)


def outcomes_by(
    df: pd.DataFrame,
    by: str | None = None,
    as_of: object = None,
    groups: Sequence[str] | None = None,
    sort: str | None = None,
    min_n: int = DEFAULT_MIN_N,
    min_cell: int = DEFAULT_MIN_CELL,
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
    min_cell : int
        Figures resting on 1 to ``min_cell - 1`` incidents are blanked (:data:`OUTCOME_CELLS`); 0 shows all.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``group`` and the columns of :func:`metrics.outcome_summary`,
        plus ``arrest_rate_ci_low``, ``arrest_rate_ci_high``, ``thin`` and
        ``suppressed`` (1 to ``min_cell - 1`` eligible incidents: the arrest
        rate, its interval and counts blanked). With ``sort``, suppressed
        groups come last.
    """
    o = outcome_summary(df, by=by, as_of=as_of)
    if by:
        o = o.rename(columns={by: GROUP})
        if groups is not None:
            o = o.set_index(GROUP).reindex(list(groups)).rename_axis(GROUP).reset_index()
            blank = set(unavailable_figures(outcome_availability(df)))  # not recorded: missing, never 0
            counts = [c for c in (N.INCIDENTS, N.ELIGIBLE, N.ARRESTS, N.CAUGHT_IN_ACT_COUNT, N.N_HOURS_TO_ARREST,
                                  N.KM_N, N.KM_EVENTS) if c not in blank]  # fmt: skip
            o[counts] = o[counts].fillna(0).astype("int64")
            o[N.NOT_AVAILABLE] = o[N.NOT_AVAILABLE].fillna(";".join(outcome_availability(df).reasons))
        else:
            order = {g: i for i, g in enumerate(sort_groups(o[GROUP], by))}
            o = o.iloc[np.argsort(o[GROUP].map(order).to_numpy(), kind="stable")]
    else:
        o.insert(0, GROUP, SEGMENT_ALL)
    o.insert(0, BY, by or "")
    low, high = wilson_interval(o[N.ARRESTS].to_numpy(), o[N.ELIGIBLE].to_numpy())
    o[ARREST_RATE_CI_LOW], o[ARREST_RATE_CI_HIGH] = low, high
    o[N.THIN] = (o[N.ELIGIBLE] < min_n).to_numpy(dtype=bool)
    o = suppress_figures(o, OUTCOME_CELLS, min_cell)
    if sort == N.ARREST_RATE:
        o = o.assign(_r=o[N.ARREST_RATE].fillna(-1.0)).sort_values(["_r", GROUP], ascending=[False, True])
        o = o.drop(columns="_r")
    elif sort is not None:
        raise ValueError(f"sort must be {N.ARREST_RATE!r} or None, got {sort!r}")
    return o.reset_index(drop=True)


def arrest_concentration(df: pd.DataFrame, by: str, as_of: object = None,
                         min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:  # fmt: skip
    """How much of the arrest rate the groups that never lead to an arrest dilute (e.g. by call type).

    The overall arrest rate counts every eligible incident, also those of call types that never end in an
    arrest (traffic, requests for help); the rate among the groups with at least one arrest is the one to
    compare call types by.

    Returns
    -------
    pandas.DataFrame
        One row: ``by``, ``groups`` (groups with an eligible incident), ``groups_with_arrests``,
        ``eligible``, ``arrests``, ``arrest_rate`` with ``arrest_rate_ci_low`` / ``_high`` (Wilson 95%),
        ``eligible_with_arrests`` (the eligible incidents of the groups with an arrest) and
        ``arrest_rate_with_arrests`` with its interval, ``suppressed`` (1 to ``min_cell - 1`` eligible
        incidents: the rates blanked) and ``not_available`` (as :func:`metrics.outcome_summary`: where the
        source records no arrest, every arrest figure is missing).
    """
    avail = outcome_availability(df)
    o = outcome_summary(df, by=by, as_of=as_of)
    o = o[o[N.ELIGIBLE] > 0]
    with_arrests = o[N.ARRESTS].to_numpy() > 0
    eligible, arrests = int(o[N.ELIGIBLE].sum()), int(o[N.ARRESTS].sum())
    eligible_with = int(o.loc[with_arrests, N.ELIGIBLE].sum())
    low, high = wilson_interval(arrests, eligible)
    low_with, high_with = wilson_interval(arrests, eligible_with)
    out = pd.DataFrame(
        {
            BY: [by], GROUPS: [len(o)], GROUPS_WITH_ARRESTS: [int(with_arrests.sum())], N.ELIGIBLE: [eligible],
            N.ARRESTS: [arrests], N.ARREST_RATE: [arrests / eligible if eligible else np.nan],
            ARREST_RATE_CI_LOW: [float(low)], ARREST_RATE_CI_HIGH: [float(high)],
            ELIGIBLE_WITH_ARRESTS: [eligible_with],
            RATE_WITH_ARRESTS: [arrests / eligible_with if eligible_with else np.nan],
            RATE_WITH_ARRESTS_CI_LOW: [float(low_with)], RATE_WITH_ARRESTS_CI_HIGH: [float(high_with)],
        }
    )  # fmt: skip
    if not avail.arrests:  # not recorded: every arrest figure missing, never 0
        out[[GROUPS_WITH_ARRESTS, N.ARRESTS, N.ARREST_RATE, ARREST_RATE_CI_LOW, ARREST_RATE_CI_HIGH,
             ELIGIBLE_WITH_ARRESTS, RATE_WITH_ARRESTS, RATE_WITH_ARRESTS_CI_LOW, RATE_WITH_ARRESTS_CI_HIGH]] = np.nan
    out[N.NOT_AVAILABLE] = ";".join(avail.reasons)
    rules = [(N.ELIGIBLE, (N.ELIGIBLE, N.ARRESTS, N.ARREST_RATE, ARREST_RATE_CI_LOW, ARREST_RATE_CI_HIGH), True),
             (ELIGIBLE_WITH_ARRESTS, (ELIGIBLE_WITH_ARRESTS, RATE_WITH_ARRESTS, RATE_WITH_ARRESTS_CI_LOW,
                                      RATE_WITH_ARRESTS_CI_HIGH), False)]  # fmt: skip
    return suppress_figures(out, rules, min_cell)


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


def cumulative_at(curve: pd.DataFrame, hours: float) -> float:
    """The Kaplan-Meier cumulative share arrested at ``hours`` (a step function; 0 before the first time)."""
    before = curve[curve[N.KM_TIME] <= hours]
    return float(before[CUMULATIVE].iloc[-1]) if len(before) else 0.0


def published_comparison(
    df: pd.DataFrame, as_of: object = None, published: Sequence[tuple[str, float, str]] = PUBLISHED_CN110,
    source: str = PUBLISHED_CN110_SOURCE,
) -> pd.DataFrame:  # fmt: skip
    """Computed outcome figures beside published ones.

    Returns
    -------
    pandas.DataFrame
        One row per published figure: ``metric`` (a column of
        :func:`metrics.outcome_summary`), ``basis`` (what it counts: persons arrested, incidents with an
        arrest, timed arrests), ``unit``, ``computed``, ``published``, ``difference`` (computed minus
        published), ``n`` (the count of the basis), ``source`` and ``not_available`` (where the source
        records no arrest, or no count of persons: ``computed``, ``difference`` and ``n`` missing, not 0).
    """
    o = outcome_summary(df, as_of=as_of).iloc[0]
    rows = []
    for metric, value, unit in published:
        basis, n_column = _BASIS.get(metric, ("", N.ARRESTS))
        n = o[n_column]
        computed = float(o[metric])
        rows.append({METRIC: metric, BASIS: basis, UNIT: unit, COMPUTED: computed, PUBLISHED: float(value),
                     DIFFERENCE: computed - float(value), N.N: pd.NA if pd.isna(n) else int(n), SOURCE: source,
                     N.NOT_AVAILABLE: o[N.NOT_AVAILABLE]})  # fmt: skip
    columns = [METRIC, BASIS, UNIT, COMPUTED, PUBLISHED, DIFFERENCE, N.N, SOURCE, N.NOT_AVAILABLE]
    return pd.DataFrame(rows, columns=columns).astype({N.N: "Int64"})
