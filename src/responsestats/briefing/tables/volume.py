"""Call volume tables: all calls against valid calls, the mix by category and by station, orders still open.

Published Chinese city 110 weekly and monthly reports open with the calls received (报警总量) against the valid
calls (有效警情), then the valid calls by category (刑事, 治安, 交通...), by crime sub-type and by station, each
against the last period (环比) and the same period a year before (同比); a fire department's pack counts its
incidents by type and by station the same way. Which calls are invalid is the standard's definition
(:attr:`~responsestats.metrics.Standard.invalid_calls`, documented in ``docs/metrics.md``); a standard without
one counts every call, and the tables say so (``valid`` is then NaN, never equal to the calls).

Counts are of incidents (a unit-level export's rows are collapsed first). Periods of different lengths are
compared per covered day (:func:`~.kpi.covered_days`), and a change is *clear* only when the 95% interval of
the difference of the two daily rates excludes zero (:mod:`.compare`). A count of 1 to ``min_cell - 1`` is
blanked with its changes (small-cell rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ... import schema as S
from ...metrics import Standard, add_time_keys, incident_level, load_standard, wilson_interval
from ...metrics import names as N
from ..columns import (
    AGE_BAND,
    CALLS,
    CHANGE_PREVIOUS,
    CHANGE_YEAR_AGO,
    CLEAR_OF,
    DAYS,
    GROUP,
    INVALID,
    OPEN_ORDERS,
    PERIOD_CURRENT,
    PERIOD_PREVIOUS,
    PERIOD_YEAR_AGO,
    PER_DAY,
    SHARE,
    SHARE_CI_HIGH,
    SHARE_CI_LOW,
    SUPPRESSED,
    VALID,
    VALID_PER_DAY,
    VALID_SHARE,
)
from ..months import in_months, parse_month, shift_month
from .common import DEFAULT_MIN_CELL, small_cells
from .compare import difference_interval, is_clear, poisson_interval
from .kpi import covered_days

#: The reference periods of a change (环比: the month before; 同比: the same month a year before), with the
#: column of the change and its shift in months.
CHANGES: tuple[tuple[str, str, int], ...] = ((PERIOD_PREVIOUS, CHANGE_PREVIOUS, -1), (PERIOD_YEAR_AGO, CHANGE_YEAR_AGO, -12))
#: A count is compared (its change is clear or not) only when both periods hold this many calls [count].
MIN_COMPARED = 1


def _incidents(df: pd.DataFrame) -> pd.DataFrame:
    """One row per incident (unit rows collapsed)."""
    if len(df) and df.duplicated([S.AGENCY, S.INCIDENT_ID]).any():
        return incident_level(df, sort=False)
    return df


def _month_keys(df: pd.DataFrame) -> pd.Series:
    """The local month (``"YYYY-MM"``) each row was received in."""
    return add_time_keys(df[[S.RECEIVED_AT, S.TIMEZONE]], [N.KEY_MONTH])[N.KEY_MONTH]


def monthly_volume(
    df: pd.DataFrame,
    months: Sequence[str],
    standard: str | Standard,
    coverage: Sequence[dt.date] | None = None,
) -> pd.DataFrame:
    """Calls and valid calls per month, per covered day, and the share of calls that are valid.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical rows (unit or incident level) holding the months.
    months : sequence of str
        The months (``"YYYY-MM"``), in order; a month without calls has zeros.
    standard : str or Standard
        Gives the definition of invalid calls (``invalid_calls``); without one, ``valid`` is NaN.
    coverage : (datetime.date, datetime.date), optional
        First and last local date of the data (per-day rates count only the days inside).

    Returns
    -------
    pandas.DataFrame
        Per month: ``month``, ``days`` [days], ``calls`` [count] (incidents), ``valid`` and ``invalid``
        [count], ``per_day`` and ``valid_per_day`` [calls/day] (NaN for a month not covered), ``valid_share``
        [fraction] of calls with its Wilson 95% interval ``share_ci_low`` / ``share_ci_high``.
    """
    std = load_standard(standard)
    inc = _incidents(df)
    month_of = _month_keys(inc) if len(inc) else pd.Series(dtype=object)
    invalid = std.is_invalid(inc)
    rows = []
    for m in months:
        m = parse_month(m)
        here = (month_of == m).to_numpy(dtype=bool)
        calls, bad = int(here.sum()), int((here & invalid).sum())
        days = covered_days(m, coverage)
        valid = calls - bad if std.tells_valid_calls else np.nan
        rows.append({N.KEY_MONTH: m, DAYS: days, CALLS: calls, VALID: valid,
                     INVALID: bad if std.tells_valid_calls else np.nan,
                     PER_DAY: calls / days if days and calls else np.nan,
                     VALID_PER_DAY: valid / days if days and calls else np.nan})  # fmt: skip
    out = pd.DataFrame(rows, columns=[N.KEY_MONTH, DAYS, CALLS, VALID, INVALID, PER_DAY, VALID_PER_DAY])
    with np.errstate(invalid="ignore", divide="ignore"):
        out[VALID_SHARE] = out[VALID] / out[CALLS].where(out[CALLS] > 0)
    low, high = wilson_interval(out[VALID].fillna(0).to_numpy(), out[CALLS].to_numpy())
    known = out[VALID].notna().to_numpy()
    out[SHARE_CI_LOW], out[SHARE_CI_HIGH] = np.where(known, low, np.nan), np.where(known, high, np.nan)
    return out


def volume_by(
    df: pd.DataFrame,
    by: str,
    month: str,
    standard: str | Standard,
    *,
    coverage: Sequence[dt.date] | None = None,
    calls: str = VALID,
    min_cell: int = DEFAULT_MIN_CELL,
) -> pd.DataFrame:
    """Calls of ``month`` per value of ``by``, against the month before (环比) and a year before (同比).

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical rows holding the three months (``month``, the one before, the same month a year before).
    by : str
        The column counted by: ``call_group`` (category), ``call_type``, a dimension (``station``,
        ``subtype``), ``district``...; a row with no value counts as its own group (NaN).
    month : str
        The month briefed.
    standard : str or Standard
        Gives the definition of invalid calls.
    coverage : (datetime.date, datetime.date), optional
        First and last local date of the data: rates are per covered day of each month.
    calls : str
        Which calls are counted: ``"valid"`` (the valid calls; every call where the standard defines no
        invalid calls) or ``"invalid"`` (the invalid ones, e.g. by kind; empty where the standard defines none).
    min_cell : int
        A group of 1 to ``min_cell - 1`` calls in the month is blanked (count, share and changes) and flagged.

    Returns
    -------
    pandas.DataFrame
        Per group, most calls first: ``group``, ``current``, ``previous``, ``year_ago`` [count],
        ``share`` [fraction] of the month's counted calls, ``change_previous`` and ``change_year_ago``
        [fraction]: the change of calls per covered day (NaN where a period has no calls or no covered
        day), ``clear_previous`` / ``clear_year_ago`` (the 95% interval of the difference of the daily rates
        excludes zero), ``suppressed``. ``attrs["total"]`` holds the month's counted calls,
        ``attrs["days"]`` the covered days of the three months and ``attrs["by"]`` the column.
    """
    std = load_standard(standard)
    if calls not in (VALID, INVALID):
        raise ValueError(f"calls must be {VALID!r} or {INVALID!r}, got {calls!r}")
    month = parse_month(month)
    periods = {PERIOD_CURRENT: month, **{p: shift_month(month, k) for p, _, k in CHANGES}}
    inc = _incidents(in_months(df, list(periods.values())))
    invalid = std.is_invalid(inc)
    inc = inc[invalid] if calls == INVALID else inc[~invalid]
    month_of = _month_keys(inc).to_numpy() if len(inc) else np.array([], dtype=object)
    values = inc[by] if by in inc.columns else pd.Series(np.nan, index=inc.index)
    counts = {p: values[month_of == m].value_counts(dropna=False) for p, m in periods.items()}
    groups = counts[PERIOD_CURRENT].index
    out = pd.DataFrame({GROUP: groups})
    for p in periods:
        out[p] = counts[p].reindex(groups).fillna(0).astype("int64").to_numpy()
    days = {p: covered_days(m, coverage) for p, m in periods.items()}
    total = int(out[PERIOD_CURRENT].sum())
    out[SHARE] = out[PERIOD_CURRENT] / total if total else np.nan
    for ref, change_col, _ in CHANGES:
        cur, old = out[PERIOD_CURRENT].to_numpy(float), out[ref].to_numpy(float)
        d1, d0 = days[PERIOD_CURRENT], days[ref]
        with np.errstate(invalid="ignore", divide="ignore"):
            rate1 = cur / d1 if d1 else np.full(len(out), np.nan)
            rate0 = np.where(old > 0, old / d0, np.nan) if d0 else np.full(len(out), np.nan)
            out[change_col] = rate1 / rate0 - 1
            l1, h1 = (x / d1 if d1 else np.nan for x in poisson_interval(cur))
            l0, h0 = (x / d0 if d0 else np.nan for x in poisson_interval(old))
        low, high = difference_interval(rate1, l1, h1, rate0, l0, h0)
        out[CLEAR_OF + ref] = is_clear(low, high, cur, old, min_n=MIN_COMPARED) & np.isfinite(out[change_col].to_numpy())
    hide = small_cells(out[PERIOD_CURRENT].to_numpy(), min_cell)
    out[SUPPRESSED] = hide
    for col in (PERIOD_CURRENT, PERIOD_PREVIOUS, PERIOD_YEAR_AGO, SHARE, CHANGE_PREVIOUS, CHANGE_YEAR_AGO):
        out[col] = out[col].astype("float64").mask(hide)
    for ref, _, _ in CHANGES:
        out[CLEAR_OF + ref] = out[CLEAR_OF + ref] & ~hide
    names = np.array(["" if pd.isna(v) else str(v) for v in out[GROUP]], dtype=str)
    order = np.lexsort((names, -out[PERIOD_CURRENT].fillna(0).to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    out.attrs.update(total=total, days=days, by=by)
    return out


#: Age bands of the orders still open at the cut-off [h]: under 1 h, 1-4 h, 4-24 h, 1-7 days, over 7 days.
OPEN_AGE_EDGES_H: tuple[float, ...] = (1.0, 4.0, 24.0, 168.0)


def open_orders(df: pd.DataFrame, cut_off: object, by: str | None = None,
                closed_by: str = S.CLEARED_AT) -> pd.DataFrame:  # fmt: skip
    """Orders dispatched before the cut-off and not closed by it, by age and (optionally) by group.

    An order is open at ``cut_off`` when it was dispatched before it and its ``closed_by`` stamp (default the
    end of the call, ``cleared_at``; ``reported_at`` for the result reported back) is missing or later. The
    data are what the export holds: an order closed after the export is open in it.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical rows (unit rows are collapsed to incidents: the incident is open until its last unit clears).
    cut_off : timestamp-like
        The report's cut-off (tz-aware, or UTC); e.g. the end of the month briefed.
    by : str, optional
        A column to count by (station, district...).
    closed_by : str
        The stamp that closes an order.

    Returns
    -------
    pandas.DataFrame
        One row per age band (and group): ``group`` (None without ``by``), ``age_band`` (0 to
        ``len(OPEN_AGE_EDGES_H)``: under the first edge, ..., over the last) and ``open_orders`` [count];
        ``attrs["total"]`` the open orders, ``attrs["dispatched"]`` the orders dispatched before the cut-off.
    """
    cut = pd.Timestamp(cut_off)
    cut = cut.tz_localize("UTC") if cut.tzinfo is None else cut.tz_convert("UTC")
    inc = _incidents(df) if len(df) else df
    if len(inc) == 0 or S.DISPATCHED_AT not in inc.columns:
        empty = pd.DataFrame(columns=[GROUP, AGE_BAND, OPEN_ORDERS])
        empty.attrs.update(total=0, dispatched=0)
        return empty
    dispatched = inc[S.DISPATCHED_AT]
    before = (dispatched < cut).to_numpy(dtype=bool) & dispatched.notna().to_numpy(dtype=bool)
    closed = inc[closed_by] if closed_by in inc.columns else pd.Series(pd.NaT, index=inc.index)
    still = before & ~((closed <= cut).to_numpy(dtype=bool) & closed.notna().to_numpy(dtype=bool))
    age_h = ((cut - dispatched[still]).dt.total_seconds() / 3600).to_numpy()
    band = np.searchsorted(np.asarray(OPEN_AGE_EDGES_H), age_h, side="right")
    group = inc.loc[still, by].to_numpy(dtype=object) if by else np.full(len(band), None, dtype=object)
    table = pd.DataFrame({GROUP: group, AGE_BAND: band})
    out = table.groupby([GROUP, AGE_BAND], dropna=False).size().rename(OPEN_ORDERS).reset_index()
    out.attrs.update(total=int(still.sum()), dispatched=int(before.sum()))
    return out


__all__ = ["CHANGES", "OPEN_AGE_EDGES_H", "monthly_volume", "open_orders", "volume_by"]
