"""Which interval values are excluded, and why: per interval, not per row.

A row can be valid for one interval and excluded from another (a unit that
never marked arrival still has a valid turnout). Every excluded value gets
exactly one reason, the first that applies in this order:

1. ``self_initiated``: the call was self-initiated (on-view); response
   intervals only (see :data:`intervals.RESPONSE_INTERVALS`);
2. ``missing``: an endpoint timestamp is missing;
3. ``negative``: the end precedes the start;
4. ``above_cap``: the value is above the interval's cap (``> cap``).

Zero is a valid value. A missing ``self_initiated`` flag counts as false.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import UserError
from . import names as N
from ._frame import prepare
from .intervals import DEFAULT_CAPS_S, INTERVALS, interval_seconds, resolve_intervals

#: Sentinel for "the default cap of each interval".
DEFAULT_CAP = "default"

#: Integer code of each reason in :func:`exclusion_codes` (0 = included).
REASON_CODES: dict[str, int] = {r: i + 1 for i, r in enumerate(N.EXCLUSION_REASONS)}

CapSpec = str | float | None | Mapping[str, float | None]


def _check_cap(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(float(value)) or value < 0:
        raise UserError(f"cap for {where} must be a number of seconds >= 0 or none, got {value!r}")
    return float(value)


def resolve_caps(intervals: Iterable[str], cap: CapSpec = DEFAULT_CAP) -> dict[str, float | None]:
    """The cap [s] of each interval.

    Parameters
    ----------
    intervals : iterable of str
        Interval names.
    cap : "default", None, float or mapping
        ``"default"``: each interval's default cap (:data:`DEFAULT_CAPS_S`);
        ``None``: no cap; a number [s]: that cap for every interval; a
        mapping interval -> seconds or None: overrides the defaults for the
        intervals it names.

    Returns
    -------
    dict
        Interval name -> cap [s] or None (no cap).
    """
    names = resolve_intervals(list(intervals))
    if isinstance(cap, str):
        if cap != DEFAULT_CAP:
            raise UserError(f"cap must be 'default', none, a number of seconds or a mapping, got {cap!r}")
        return {n: DEFAULT_CAPS_S[n] for n in names}
    if cap is None:
        return {n: None for n in names}
    if isinstance(cap, Mapping):
        caps = {n: DEFAULT_CAPS_S[n] for n in names}
        for key, value in cap.items():
            name = resolve_intervals(key)[0]
            if name in caps:
                caps[name] = _check_cap(value, name)
        return caps
    value = _check_cap(cap, "every interval")
    return {n: value for n in names}


def exclusion_codes(
    values: np.ndarray, self_initiated: np.ndarray | None, interval: str, cap_s: float | None
) -> np.ndarray:
    """Reason code of every value: 0 = included, else :data:`REASON_CODES`.

    Parameters
    ----------
    values : numpy.ndarray
        Interval values [s], NaN where an endpoint is missing.
    self_initiated : numpy.ndarray of bool or None
        True for self-initiated calls (missing already read as False).
    interval : str
        Interval name (self-initiated calls only matter for response intervals).
    cap_s : float or None
        Values strictly above this [s] are excluded; None: no cap.

    Returns
    -------
    numpy.ndarray of int8
    """
    values = np.asarray(values, dtype="float64")
    codes = np.zeros(values.shape, dtype="int8")
    rules: list[tuple[str, np.ndarray]] = []
    if self_initiated is not None and INTERVALS[interval].response:
        rules.append((N.REASON_SELF_INITIATED, np.asarray(self_initiated, dtype=bool)))
    missing = np.isnan(values)
    rules.append((N.REASON_MISSING, missing))
    with np.errstate(invalid="ignore"):
        rules.append((N.REASON_NEGATIVE, ~missing & (values < 0)))
        if cap_s is not None:
            rules.append((N.REASON_ABOVE_CAP, ~missing & (values > cap_s)))
    for reason, mask in reversed(rules):  # earlier rules win
        codes[mask] = REASON_CODES[reason]
    return codes


def self_initiated_flags(frame: pd.DataFrame) -> np.ndarray:
    """``self_initiated`` as a plain bool array, missing read as False."""
    if S.SELF_INITIATED not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[S.SELF_INITIATED].astype("boolean").fillna(False).to_numpy(dtype=bool)


def exclusion_reasons(
    df: pd.DataFrame, intervals: str | Iterable[str] | None = None, cap: CapSpec = DEFAULT_CAP
) -> pd.DataFrame:
    """The exclusion reason of every row, per interval.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame at the level to be summarised.
    intervals : str, iterable of str or None
        Which intervals; None: all.
    cap : see :func:`resolve_caps`

    Returns
    -------
    pandas.DataFrame
        One column per interval holding the reason (``self_initiated``,
        ``missing``, ``negative``, ``above_cap``) or missing when the value
        is used; indexed like ``df``.
    """
    names = resolve_intervals(intervals)
    caps = resolve_caps(names, cap)
    needed = sorted({c for n in names for c in (INTERVALS[n].start, INTERVALS[n].end)})
    frame = prepare(df, needed, [S.SELF_INITIATED])
    flags = self_initiated_flags(frame)
    labels = np.array([None, *N.EXCLUSION_REASONS], dtype=object)
    out = {}
    for name in names:
        codes = exclusion_codes(interval_seconds(frame, name).to_numpy(), flags, name, caps[name])
        out[name] = pd.Series(labels[codes], index=frame.index, dtype="str")
    return pd.DataFrame(out, index=frame.index)
