"""Changes in words: "0.8 min worse than February", "1.0 pts higher", "unchanged", and their state and arrow.

Rounding rule: a change is described at the precision it is printed with.
When it rounds to zero, it reads "unchanged" and not "0.0 min better".

Noise rule (:func:`judged_change`): a change is better or worse (and coloured so) only when it is clear,
i.e. outside the noise (its 95% interval excludes zero) with neither period thin
(:func:`~responsestats.briefing.tables.compare.is_clear`). Otherwise it is worded without a verdict ("0.8 min
more than February, within the noise"; "..., too few values to judge") and drawn grey.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import columns as cols
from .labels import Labels

#: States of a change, for the colours and arrows of the KPI card.
BETTER, WORSE, SAME, NEUTRAL, NOT_AVAILABLE = "better", "worse", "same", "neutral", "na"
#: States of a change that is not clear: inside its interval, or with a thin side (both drawn grey).
NOISE, THIN = "noise", "thin"
UP, DOWN, LEVEL = "▲", "▼", "="


def is_missing(x: object) -> bool:
    """True for None, NaN and ``pd.NA``."""
    return x is None or (isinstance(x, (float, np.floating)) and math.isnan(x)) or x is pd.NA


def change(delta: float, unit: str, direction: str, ref: str, labels: Labels, digits: int = 1) -> tuple[str, str]:
    """Describe ``delta`` (current minus ``ref``'s value) in words.

    Parameters
    ----------
    delta : float
        The change, in the KPI's own unit (minutes, a share 0..1, a count).
    unit : str
        ``min``, ``share`` (described in percentage points) or ``count``.
    direction : str
        ``lower`` or ``higher`` is better, or ``neutral``.
    ref : str
        The reference, already worded (e.g. "February").

    Returns
    -------
    (str, str)
        The phrase and its state: better, worse, same, neutral or na.
    """
    if is_missing(delta):
        return labels("change.na", ref=ref), NOT_AVAILABLE
    if unit == cols.UNIT_SHARE:
        size, kind = abs(100.0 * delta), "pts"
    elif unit == cols.UNIT_COUNT:
        size, kind, digits = abs(delta), "count", 0
    elif unit == cols.UNIT_PER_DAY:
        size, kind = abs(delta), "day"
    else:
        size, kind = abs(delta), "min" if unit == cols.UNIT_MIN else "hours"
    shown = round(size, digits)
    if shown == 0:
        return labels("change.same", ref=ref), SAME
    text_size = labels.count(shown) if kind == "count" else f"{shown:.{digits}f}"
    up = delta > 0
    if kind in ("min", "hours") and direction != cols.NEUTRAL:
        good = up if direction == cols.HIGHER_IS_BETTER else not up
        key = f"change.{kind}_{'better' if good else 'worse'}"
    else:
        key = f"change.{kind}_{'up' if up else 'down'}"
    if direction == cols.NEUTRAL:
        state = NEUTRAL
    else:
        state = BETTER if up == (direction == cols.HIGHER_IS_BETTER) else WORSE
    return labels(key, delta=text_size, ref=ref), state


def judged_change(delta: float, unit: str, direction: str, ref: str, labels: Labels, *, clear: bool,
                  thin: bool, digits: int = 1) -> tuple[str, str]:  # fmt: skip
    """:func:`change` under the noise rule: a verdict (better / worse) only for a ``clear`` change.

    Parameters
    ----------
    delta, unit, direction, ref, labels, digits
        As :func:`change`.
    clear : bool
        The change is outside the noise and neither side is thin (``clear_*`` of the KPI table).
    thin : bool
        Either period has fewer than ``min_n`` values (said instead of "within the noise").

    Returns
    -------
    (str, str)
        The phrase and its state: better, worse or neutral for a clear change; same or na as
        :func:`change`; else ``thin`` ("..., too few values to judge") or ``noise`` ("..., within the
        noise"), worded without a verdict.
    """
    text, state = change(delta, unit, direction, ref, labels, digits)
    if clear or state in (SAME, NOT_AVAILABLE):
        return text, state
    plain, _ = change(delta, unit, cols.NEUTRAL, ref, labels, digits)
    if thin:
        return labels("change.thin", change=plain), THIN
    return labels("change.noise", change=plain), NOISE


def arrow(delta: float, labels: Labels, unit: str, digits: int = 1) -> str:
    """▲ / ▼ for a change that shows at the printed precision, else =."""
    if is_missing(delta):
        return ""
    size = abs(100.0 * delta) if unit == cols.UNIT_SHARE else abs(delta)
    if round(size, 0 if unit == cols.UNIT_COUNT else digits) == 0:
        return LEVEL
    return UP if delta > 0 else DOWN


def format_value(value: float, unit: str, labels: Labels) -> str:
    """A KPI value with its unit."""
    if unit == cols.UNIT_COUNT:
        return labels.count(value)
    if unit == cols.UNIT_PER_DAY:
        return labels.number(value)
    if unit == cols.UNIT_SHARE:
        return labels.percent(value)
    if unit == cols.UNIT_HOURS:
        return labels.hours(value)
    return labels.minutes(value)
