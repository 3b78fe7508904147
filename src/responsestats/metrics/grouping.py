"""Group keys: any column of the table or a derived local-time key.

Shared by the summaries, attainment and outcomes so that ``by`` means the
same thing everywhere. Missing key values form their own group (nothing is
silently dropped).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import UserError
from . import names as N
from .timekeys import add_time_keys

#: Columns ``by`` may name without the table having them (derived keys).
DERIVED_KEYS: tuple[str, ...] = N.TIME_KEYS


def resolve_by(by: str | Iterable[str] | None) -> tuple[str, ...]:
    """Group columns from ``None``, ``"a,b"`` or an iterable of names."""
    if by is None:
        return ()
    items = [by] if isinstance(by, str) else list(by)
    out: list[str] = []
    for item in items:
        for name in str(item).split(","):
            name = name.strip()
            if name and name not in out:
                out.append(name)
    return tuple(out)


def check_by(by: Iterable[str], available: Iterable[str] = S.COLUMNS) -> None:
    """Raise :class:`UserError` for a ``by`` column that is neither available nor derived."""
    known = set(available) | set(DERIVED_KEYS)
    bad = [b for b in by if b not in known]
    if bad:
        raise UserError(
            f"cannot group by {', '.join(map(repr, bad))}: not a column of the table; "
            f"use a canonical column or one of {', '.join(DERIVED_KEYS)}"
        )


def with_keys(frame: pd.DataFrame, by: tuple[str, ...]) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Add the derived keys ``by`` needs; return the frame and the output group columns.

    Derived keys always win over a same-named column (e.g. the integer
    ``month`` partition key becomes "YYYY-MM"). ``weekday`` brings
    ``weekday_name`` along as an extra output column.
    """
    check_by(by, frame.columns)
    derived = tuple(b for b in by if b in DERIVED_KEYS)
    if derived:
        frame = add_time_keys(frame, derived)
    out_cols: list[str] = []
    for b in by:
        out_cols.append(b)
        if b == N.KEY_WEEKDAY:
            out_cols.append(N.KEY_WEEKDAY_NAME)
    return frame, tuple(out_cols)


def iter_groups(
    frame: pd.DataFrame, by: tuple[str, ...], out_cols: tuple[str, ...]
) -> Iterator[tuple[dict, np.ndarray]]:
    """Yield ``(key values, row positions)`` per group, in sorted key order.

    Without ``by`` there is one group holding every row (possibly none).
    """
    if not by:
        yield {}, np.arange(len(frame))
        return
    if len(frame) == 0:
        return
    codes = frame.groupby(list(by), sort=True, dropna=False, observed=True).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    keys = frame[list(out_cols)]
    for positions in np.split(order, bounds):
        first = keys.iloc[positions[0]]
        yield {c: first[c] for c in out_cols}, positions
