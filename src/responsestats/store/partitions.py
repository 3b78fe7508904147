"""Which partitions and rows a read wants: the one partition filter, and the local-date filter within a month.

A dataset is partitioned by agency and by the *local* year and month of
``received_at``, so a date range selects whole months by their partition keys
(:func:`partition_filter`, used by every reader, the Dask one included) and
then the rows of the first and last month by their local date
(:func:`received_between`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow.dataset as ds

from .. import schema as S
from ..errors import UserError
from ..localtime import local_time


def partition_filter(agency: str | None = None, start: dt.date | None = None,
                     end: dt.date | None = None) -> ds.Expression | None:  # fmt: skip
    """The partition expression selecting ``agency`` and the months from ``start`` to ``end`` (None: everything).

    Parameters
    ----------
    agency : str, optional
        Only this agency.
    start, end : datetime.date, optional
        Local calendar dates, inclusive; only their year and month are used here.
    """
    expr = None
    if agency is not None:
        expr = ds.field(S.AGENCY) == agency
    if start is not None:
        e = (ds.field(S.YEAR) > start.year) | ((ds.field(S.YEAR) == start.year) & (ds.field(S.MONTH) >= start.month))
        expr = e if expr is None else expr & e
    if end is not None:
        e = (ds.field(S.YEAR) < end.year) | ((ds.field(S.YEAR) == end.year) & (ds.field(S.MONTH) <= end.month))
        expr = e if expr is None else expr & e
    return expr


def received_between(frame: pd.DataFrame, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    """The rows received (local date, each row's own zone) from ``start`` to ``end``, inclusive.

    A partition holds one local month, so a date range that starts or ends
    inside a month needs this on top of the partition filter.
    """
    if start is None and end is None:
        return frame
    local_dates = local_time(frame, S.RECEIVED_AT).dt.date
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= local_dates >= start
    if end is not None:
        keep &= local_dates <= end
    return frame[keep.to_numpy()].reset_index(drop=True)


def as_date(value, name: str) -> dt.date | None:
    """``value`` (a date or ``YYYY-MM-DD`` text, or None) as a date; a clear error naming ``--name`` otherwise."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UserError(f"--{name}: {value!r} is not a date (YYYY-MM-DD)") from None


