"""Local wall-clock time of UTC stamps, each row in its own agency's zone.

Timestamps are stored in UTC and every row carries its agency's IANA zone in
the ``timezone`` column (:mod:`responsestats.schema`). Local dates, months,
weekdays and hours are always worked out from the pair, here and nowhere
else, so the store's date filter and the metrics' time keys agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import schema as S
from .errors import UserError


def wall_clock(utc: pd.Series, zones: pd.Series) -> np.ndarray:
    """Local wall-clock time of each UTC stamp in its row's zone, as naive ``datetime64``.

    Parameters
    ----------
    utc : pandas.Series
        Timezone-aware stamps [UTC].
    zones : pandas.Series
        The IANA zone of each row (same length as ``utc``; positions, not labels, are matched).

    Returns
    -------
    numpy.ndarray
        Naive ``datetime64`` of the same unit as ``utc``; NaT where ``utc`` is missing.

    Raises
    ------
    UserError
        If a row has no zone or a zone is unknown.

    Notes
    -----
    Rows are converted one zone at a time, so a frame may mix agencies.
    """
    if len(zones) and zones.notna().all() and (zones == zones.iloc[0]).all():  # the usual case: one agency
        codes, uniques = np.zeros(len(zones), dtype="int64"), [zones.iloc[0]]
    else:
        codes, uniques = pd.factorize(zones)
    if (codes < 0).any():
        raise UserError(f"{int((codes < 0).sum())} row(s) have no {S.TIMEZONE}; local-time keys need it")
    wall = np.empty(len(utc), dtype=f"datetime64[{utc.dtype.unit}]")
    for k, zone in enumerate(uniques):
        rows = np.flatnonzero(codes == k) if len(uniques) > 1 else slice(None)
        try:
            local = utc.iloc[rows].dt.tz_convert(str(zone))
        except Exception as exc:  # zoneinfo / pytz raise different types
            raise UserError(f"unknown time zone {zone!r} in column {S.TIMEZONE}") from exc
        wall[rows] = local.dt.tz_localize(None).to_numpy()
    return wall


def local_time(frame: pd.DataFrame, column: str) -> pd.Series:
    """A UTC timestamp column of a canonical frame in each row's local zone, as naive wall-clock time.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical rows with ``column`` and ``timezone``.
    column : str
        A timestamp column [UTC].

    Returns
    -------
    pandas.Series
        ``datetime64[us]`` wall-clock times, on ``frame``'s index.
    """
    wall = wall_clock(frame[column], frame[S.TIMEZONE])
    return pd.Series(wall.astype("datetime64[us]"), index=frame.index)
