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
    """Group columns from ``None``, ``"a,b"`` or an iterable of names.

    Parameters
    ----------
    by : str, iterable of str or None
        Column names or time keys, comma-separated or listed.

    Returns
    -------
    tuple of str
        The names in order, each once; empty for ``None``.
    """
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
        frame = add_time_keys(frame, derived, categorical=True)  # grouped on, not shown: codes are enough
    out_cols: list[str] = []
    for b in by:
        out_cols.append(b)
        if b == N.KEY_WEEKDAY:
            out_cols.append(N.KEY_WEEKDAY_NAME)
    return frame, tuple(out_cols)


def group_codes(frame: pd.DataFrame, by: tuple[str, ...], out_cols: tuple[str, ...]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group number of every row, and the key values of each group.

    Groups are numbered in sorted key order (missing values last, as
    ``groupby(sort=True, dropna=False)``). Without ``by`` there is one group
    holding every row (possibly none).

    Returns
    -------
    (codes, keys)
        ``codes`` int64, one per row; ``keys`` one row per group holding
        ``out_cols``, taken from the group's first row.
    """
    if not by:
        return np.zeros(len(frame), dtype="int64"), pd.DataFrame(index=pd.RangeIndex(1))
    if len(frame) == 0:
        return np.zeros(0, dtype="int64"), frame[list(out_cols)].iloc[0:0].reset_index(drop=True)
    try:
        codes = _sorted_group_numbers(frame, by)
    except TypeError:  # values that do not sort together: let pandas decide, as before
        codes = frame.groupby(list(by), sort=True, dropna=False, observed=True).ngroup().to_numpy(dtype="int64")
    first = np.full(int(codes.max()) + 1, len(frame), dtype="int64")
    np.minimum.at(first, codes, np.arange(len(frame), dtype="int64"))
    return codes, frame[list(out_cols)].iloc[first].reset_index(drop=True)


def _sorted_group_numbers(frame: pd.DataFrame, by: tuple[str, ...]) -> np.ndarray:
    """``frame.groupby(by, sort=True, dropna=False, observed=True).ngroup()``, computed column by column.

    Each key column is factorised in sorted order (missing last), the codes are
    combined as digits of one integer, and that integer is factorised in sorted
    order: the same numbering, without hashing tuples of every row's values.
    """
    combined = np.zeros(len(frame), dtype="int64")
    size = 1
    for col in by:
        codes, uniques = pd.factorize(frame[col], sort=True, use_na_sentinel=False)
        if size * max(len(uniques), 1) >= 2**62:  # renumber densely (order kept) before adding a digit
            combined, kept = pd.factorize(combined, sort=True)
            size = len(kept)
        combined = combined * len(uniques) + codes
        size *= max(len(uniques), 1)
    numbers, _ = pd.factorize(combined, sort=True)
    return numbers.astype("int64")


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
    codes, keys = group_codes(frame, by, out_cols)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    for g, positions in enumerate(np.split(order, bounds)):
        first = keys.iloc[g]
        yield {c: first[c] for c in out_cols}, positions
