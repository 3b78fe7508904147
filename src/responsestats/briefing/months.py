"""Month arithmetic of the briefing, on :class:`pandas.Period`, and rows by local month.

A month is written ``"YYYY-MM"`` everywhere a user or a table sees it (the
``month`` key of :func:`responsestats.metrics.add_time_keys`); the arithmetic
(the month before, a year before, twelve months back) is done on monthly
periods, never on text.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Iterable, Mapping

import pandas as pd

from .. import schema as S
from ..errors import UserError
from ..metrics import add_time_keys
from ..metrics import names as N

#: The ``--month`` value that picks the latest full month in the data (:func:`latest_full_month`).
LATEST = "latest"
#: A month holding fewer calls than this share of the dataset's median month is implausible
#: (:func:`plausible_months`): a stray row typed as 2042, not a month of data [share, 0-1].
PLAUSIBLE_MONTH_SHARE = 0.1
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: str) -> str:
    """``"YYYY-MM"`` from user text (``2025-3`` too); raise :class:`UserError` otherwise."""
    return str(as_period(text))


def as_period(month: str | pd.Period) -> pd.Period:
    """A ``"YYYY-MM"`` month as a monthly :class:`pandas.Period`; raise :class:`UserError` for other text."""
    if isinstance(month, pd.Period):
        return month.asfreq("M")
    m = _MONTH_RE.match(str(month).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise UserError(f"month {month!r} is not YYYY-MM (e.g. 2025-03) or '{LATEST}'")
    return pd.Period(year=int(m.group(1)), month=int(m.group(2)), freq="M")


def shift_month(month: str, k: int) -> str:
    """The month ``k`` months after ``month`` (before, for negative ``k``)."""
    return str(as_period(month) + int(k))


def month_range(end: str, n: int) -> tuple[str, ...]:
    """The ``n`` months ending with ``end``, oldest first."""
    last = as_period(end)
    return tuple(str(last - k) for k in range(int(n) - 1, -1, -1))


def months_between(first: str, last: str) -> tuple[str, ...]:
    """Every month from ``first`` to ``last``, inclusive (empty when ``last`` precedes ``first``)."""
    start, stop = as_period(first), as_period(last)
    return tuple(str(start + k) for k in range(max(0, stop.ordinal - start.ordinal + 1)))


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last calendar day of ``month``."""
    p = as_period(month)
    return dt.date(p.year, p.month, 1), dt.date(p.year, p.month, p.days_in_month)


def month_keys(df: pd.DataFrame) -> pd.Series:
    """The local month (``"YYYY-MM"``) of each row's ``received_at``."""
    return add_time_keys(df[[S.RECEIVED_AT, S.TIMEZONE]], [N.KEY_MONTH])[N.KEY_MONTH]


def in_months(df: pd.DataFrame, months: str | Iterable[str]) -> pd.DataFrame:
    """The rows received (local time) in one of ``months``."""
    wanted = [months] if isinstance(months, str) else list(months)
    return df[month_keys(df).isin(wanted).to_numpy()]


def plausible_months(counts: Mapping[str, int], share: float = PLAUSIBLE_MONTH_SHARE) -> tuple[list[str], list[str]]:
    """The months with a plausible number of calls, and those without, each in month order.

    A month is implausible when it holds fewer than ``share`` of the calls of the median month
    (the median over the months that hold any call): one row with a mistyped year makes a
    month of its own, which ``latest`` must not pick.

    Parameters
    ----------
    counts : mapping of str to int
        Calls (rows) per month ``"YYYY-MM"`` [count].
    share : float
        The threshold, a share of the median month [0-1].

    Returns
    -------
    (list of str, list of str)
        The plausible months and the implausible ones.
    """
    months = sorted(m for m, n in counts.items() if n > 0)
    if not months:
        return [], []
    floor = share * statistics.median(counts[m] for m in months)
    kept = [m for m in months if counts[m] >= floor]
    return kept, [m for m in months if counts[m] < floor]


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
