"""Local-time group keys (month, ISO week, weekday, hour) from ``received_at``.

Timestamps are stored in UTC; each row carries its agency's IANA zone in the
``timezone`` column. Keys are computed in that local time, one zone at a
time, so a frame may mix agencies in different zones and DST changes put each
call in the hour and day its clock on the wall showed.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import UserError
from . import names as N

#: English weekday names, index 0 = Monday.
WEEKDAY_NAMES: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _zero_pad(values: pd.Series, width: int) -> pd.Series:
    return values.astype("int64").astype(str).str.zfill(width)


def _keys_in_zone(utc: pd.Series, zone: str, keys: tuple[str, ...]) -> dict[str, pd.Series]:
    """The requested keys for timestamps that share one zone."""
    try:
        local = utc.dt.tz_convert(zone)
    except Exception as exc:  # zoneinfo / pytz raise different types
        raise UserError(f"unknown time zone {zone!r} in column {S.TIMEZONE}") from exc
    out: dict[str, pd.Series] = {}
    year = local.dt.year
    if N.KEY_YEAR in keys:
        out[N.KEY_YEAR] = year.astype("Int64")
    if N.KEY_MONTH in keys:
        out[N.KEY_MONTH] = _zero_pad(year, 4) + "-" + _zero_pad(local.dt.month, 2)
    if N.KEY_DATE in keys:
        out[N.KEY_DATE] = _zero_pad(year, 4) + "-" + _zero_pad(local.dt.month, 2) + "-" + _zero_pad(local.dt.day, 2)
    if N.KEY_WEEK in keys:
        iso = local.dt.isocalendar()
        out[N.KEY_WEEK] = _zero_pad(iso["year"], 4) + "-W" + _zero_pad(iso["week"], 2)
    if N.KEY_WEEKDAY in keys:
        weekday = local.dt.day_of_week
        out[N.KEY_WEEKDAY] = weekday.astype("Int64")
        names = np.array(WEEKDAY_NAMES, dtype=object)[weekday.to_numpy()]
        out[N.KEY_WEEKDAY_NAME] = pd.Series(names, index=local.index, dtype="str")
    if N.KEY_HOUR in keys:
        out[N.KEY_HOUR] = local.dt.hour.astype("Int64")
    return out


def add_time_keys(df: pd.DataFrame, keys: Iterable[str] = N.TIME_KEYS) -> pd.DataFrame:
    """Add local-time keys derived from ``received_at``.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame with tz-aware ``received_at`` and ``timezone``.
    keys : iterable of str
        Any of ``year`` (int), ``month`` ("YYYY-MM"), ``week`` (ISO week,
        "YYYY-Www"), ``date`` ("YYYY-MM-DD"), ``weekday`` (0 = Monday .. 6 =
        Sunday, plus ``weekday_name``) and ``hour`` (0-23).

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
    utc = utc.reset_index(drop=True)  # positional: the index may repeat
    zones = out[S.TIMEZONE].astype("object").reset_index(drop=True)
    if zones.isna().any():
        raise UserError(f"{int(zones.isna().sum())} row(s) have no {S.TIMEZONE}; local-time keys need it")
    parts: dict[str, list[pd.Series]] = {}
    for zone, positions in zones.groupby(zones, sort=True).indices.items():
        for key, values in _keys_in_zone(utc.iloc[positions], str(zone), keys).items():
            parts.setdefault(key, []).append(values)
    for key, pieces in parts.items():
        column = pd.concat(pieces).sort_index()
        column.index = out.index
        out[key] = column
    if len(out) == 0:
        for key in keys:
            out[key] = pd.Series([], dtype="Int64" if key in (N.KEY_YEAR, N.KEY_WEEKDAY, N.KEY_HOUR) else "str")
        if N.KEY_WEEKDAY in keys:
            out[N.KEY_WEEKDAY_NAME] = pd.Series([], dtype="str")
    return out
