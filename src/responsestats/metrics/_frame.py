"""Check and normalise the columns of a canonical frame before computing on it.

Frames reach the metrics from the store (pyarrow -> pandas), from tests and
from notebooks, so dtypes vary: timestamps may be numpy or Arrow backed,
booleans ``bool``, ``object`` or ``boolean``. Metrics call :func:`prepare`
once and then rely on tz-aware UTC timestamps and nullable booleans.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import UserError

_TIMESTAMPS = frozenset(S.TIMESTAMP_COLUMNS)
_BOOLEANS = frozenset((S.SELF_INITIATED, S.CAUGHT_IN_ACT))


def _as_utc(s: pd.Series) -> pd.Series:
    """Timestamps as ``datetime64[*, UTC]``; naive values are read as UTC."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s if str(s.dtype.tz) == "UTC" else s.dt.tz_convert("UTC")
    if isinstance(s.dtype, pd.ArrowDtype):
        aware = getattr(s.dtype.pyarrow_dtype, "tz", None) is not None
        return _as_utc(s.astype("datetime64[us, UTC]" if aware else "datetime64[us]"))
    return pd.to_datetime(s, utc=True)


def _as_boolean(s: pd.Series) -> pd.Series:
    """Booleans as pandas' nullable ``boolean`` dtype."""
    if s.dtype == "boolean":
        return s
    return s.astype("boolean")


def prepare(df: pd.DataFrame, required: Iterable[str], optional: Iterable[str] = ()) -> pd.DataFrame:
    """Copy of ``df`` with the timestamp and boolean columns it uses normalised.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame.
    required : iterable of str
        Columns that must be present.
    optional : iterable of str
        Columns normalised when present; a missing optional boolean is added
        as all-missing.

    Returns
    -------
    pandas.DataFrame
        Shallow copy of ``df``, timestamps tz-aware UTC, booleans ``boolean``.

    Raises
    ------
    UserError
        If a required column is missing.
    """
    required = list(dict.fromkeys(required))
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise UserError(f"the table lacks column(s) {', '.join(missing)} needed by this metric")
    out = df.copy(deep=False)
    for col in list(dict.fromkeys([*required, *optional])):
        if col not in out.columns:
            if col in _BOOLEANS:
                out[col] = pd.arrays.BooleanArray(np.zeros(len(out), dtype=bool), np.ones(len(out), dtype=bool))
            elif col in _TIMESTAMPS:
                out[col] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[us, UTC]")
            continue
        if col in _TIMESTAMPS:
            out[col] = _as_utc(out[col])
        elif col in _BOOLEANS:
            out[col] = _as_boolean(out[col])
    return out
