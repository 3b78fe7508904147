"""Local-time group keys (month, ISO week, weekday, hour) from ``received_at``.

Timestamps are stored in UTC; each row carries its agency's IANA zone in the
``timezone`` column. Keys are computed in that local time, one zone at a
time, so a frame may mix agencies in different zones and DST changes put each
call in the hour and day its clock on the wall showed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import UserError
from ..localtime import wall_clock
from . import names as N

#: English weekday names, index 0 = Monday.
WEEKDAY_NAMES: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _text_key(row_day: np.ndarray, day_labels: list[str], categorical: bool):
    """A text key spread from days to rows: ``str`` values, or a categorical with sorted categories."""
    categories = sorted(set(day_labels))
    position = {label: k for k, label in enumerate(categories)}
    day_code = np.array([position[label] for label in day_labels] + [-1], dtype="int64")
    codes = day_code[row_day]  # row_day -1 (missing) picks the trailing -1
    if categorical:
        return pd.Categorical.from_codes(codes, categories=categories)
    return pd.array(categories, dtype="str").take(codes, allow_fill=True)


def _keys_from_wall(wall: np.ndarray, keys: tuple[str, ...], categorical: bool = False) -> dict[str, pd.Series]:
    """The requested keys from local wall-clock times (NaT gives missing keys).

    Every key but the hour is a function of the local date, so each is worked
    out once per day of the covered period and spread to the rows.
    """
    valid = ~np.isnat(wall)
    day_number = wall.astype("datetime64[D]").astype("int64")  # days since 1970-01-01
    first = int(day_number[valid].min()) if valid.any() else 0
    last = int(day_number[valid].max()) if valid.any() else -1
    row_day = np.where(valid, day_number - first, -1)
    days = np.arange(first, last + 1).astype("datetime64[D]")
    months = days.astype("datetime64[M]").astype("int64")  # months since 1970-01
    weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday

    def ints(per_day: np.ndarray) -> pd.Series:
        values = np.append(per_day, 0)[row_day]
        return pd.Series(pd.arrays.IntegerArray(values.astype("int64"), ~valid))

    out: dict[str, pd.Series] = {}
    if N.KEY_YEAR in keys:
        out[N.KEY_YEAR] = ints(months // 12 + 1970)
    if N.KEY_MONTH in keys:
        labels = [f"{m // 12 + 1970:04d}-{m % 12 + 1:02d}" for m in months]
        out[N.KEY_MONTH] = pd.Series(_text_key(row_day, labels, categorical))
    if N.KEY_DATE in keys:
        out[N.KEY_DATE] = pd.Series(_text_key(row_day, [str(d) for d in days], categorical))
    if N.KEY_WEEK in keys:
        iso = pd.DatetimeIndex(days).isocalendar()
        labels = [f"{y:04d}-W{w:02d}" for y, w in zip(iso["year"], iso["week"])]
        out[N.KEY_WEEK] = pd.Series(_text_key(row_day, labels, categorical))
    if N.KEY_WEEKDAY in keys:
        out[N.KEY_WEEKDAY] = ints(weekday)
        out[N.KEY_WEEKDAY_NAME] = pd.Series(_text_key(row_day, [WEEKDAY_NAMES[w] for w in weekday], categorical))
    if N.KEY_HOUR in keys:
        hour = (wall - wall.astype("datetime64[D]")).astype("timedelta64[h]").astype("int64")
        out[N.KEY_HOUR] = pd.Series(pd.arrays.IntegerArray(np.where(valid, hour, 0), ~valid))
    return out


def add_time_keys(df: pd.DataFrame, keys: Iterable[str] = N.TIME_KEYS, categorical: bool = False) -> pd.DataFrame:
    """Add local-time keys derived from ``received_at``.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame with tz-aware ``received_at`` and ``timezone``.
    keys : iterable of str
        Any of ``year`` (int), ``month`` ("YYYY-MM"), ``week`` (ISO week,
        "YYYY-Www"), ``date`` ("YYYY-MM-DD"), ``weekday`` (0 = Monday .. 6 =
        Sunday, plus ``weekday_name``) and ``hour`` (0-23).
    categorical : bool
        Text keys as categoricals (categories sorted as the text sorts)
        instead of ``str``: what grouping wants on millions of rows.

    Returns
    -------
    pandas.DataFrame
        Copy of ``df`` with the key columns added (an existing column of the
        same name, e.g. the integer ``month`` partition key, is replaced).

    Raises
    ------
    UserError
        If a key is unknown, a column is missing or a zone is unknown.
    """
    keys = tuple(dict.fromkeys(keys))
    unknown = [k for k in keys if k not in N.TIME_KEYS]
    if unknown:
        raise UserError(f"unknown time key(s) {', '.join(unknown)}; known: {', '.join(N.TIME_KEYS)}")
    for col in (S.RECEIVED_AT, S.TIMEZONE):
        if col not in df.columns:
            raise UserError(f"the table lacks column {col} needed for local-time keys")
    out = df.copy(deep=False)
    if not keys:
        return out
    utc = out[S.RECEIVED_AT]
    if not isinstance(utc.dtype, pd.DatetimeTZDtype):
        utc = pd.to_datetime(utc, utc=True)
    wall = wall_clock(utc.reset_index(drop=True), out[S.TIMEZONE].reset_index(drop=True))
    for key, values in _keys_from_wall(wall, keys, categorical).items():
        values.index = out.index
        out[key] = values
    if len(out) == 0:
        for key in keys:
            out[key] = pd.Series([], dtype="Int64" if key in (N.KEY_YEAR, N.KEY_WEEKDAY, N.KEY_HOUR) else "str")
        if N.KEY_WEEKDAY in keys:
            out[N.KEY_WEEKDAY_NAME] = pd.Series([], dtype="str")
    return out


#: :func:`last_month` of a group no time key bounds (it may take rows from any month).
UNBOUNDED_MONTH = np.iinfo("int64").max


def month_index(year: int, month: int) -> int:
    """A calendar month as one integer, ``12 * year + month - 1`` [months], so that months compare and subtract."""
    return 12 * int(year) + int(month) - 1


def last_month(keys: pd.DataFrame, by: Iterable[str]) -> np.ndarray:
    """The last local month each group's time keys let it take rows from [:func:`month_index`, int64].

    A group keyed on ``month`` or ``date`` holds rows of that local month only, one keyed on ``week`` rows
    up to the month of the week's Sunday, one keyed on ``year`` up to that December; one without such a key
    (or whose key is missing) is :data:`UNBOUNDED_MONTH`. The streaming summary finishes a group once every
    partition up to that month is read (:mod:`.streaming`).

    Parameters
    ----------
    keys : pandas.DataFrame
        One row per group, holding the group columns ``by`` (the time keys as :func:`add_time_keys` writes them).
    by : iterable of str
        The group columns.
    """
    out = np.full(len(keys), UNBOUNDED_MONTH, dtype="int64")

    def tighten(values: pd.Series, of_value) -> None:
        labels = values.astype("object").to_numpy()
        distinct = pd.unique(labels[pd.notna(labels)])
        bound = {v: of_value(v) for v in distinct}
        mapped = np.array([bound.get(v, UNBOUNDED_MONTH) if pd.notna(v) else UNBOUNDED_MONTH for v in labels],
                          dtype="int64")
        np.minimum(out, mapped, out=out)

    by = tuple(by)
    if N.KEY_MONTH in by:
        tighten(keys[N.KEY_MONTH], lambda v: month_index(str(v)[:4], str(v)[5:7]))
    if N.KEY_DATE in by:
        tighten(keys[N.KEY_DATE], lambda v: month_index(str(v)[:4], str(v)[5:7]))
    if N.KEY_WEEK in by:
        def sunday(v) -> int:
            day = dt.date.fromisocalendar(int(str(v)[:4]), int(str(v)[6:8]), 7)
            return month_index(day.year, day.month)
        tighten(keys[N.KEY_WEEK], sunday)
    if N.KEY_YEAR in by:
        tighten(keys[N.KEY_YEAR], lambda v: month_index(int(v), 12))
    return out


#: The time keys that end by a month (:func:`last_month`).
TIME_BOUNDED_KEYS: tuple[str, ...] = (N.KEY_YEAR, N.KEY_MONTH, N.KEY_WEEK, N.KEY_DATE)
