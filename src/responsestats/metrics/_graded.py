"""The frame a grading function works on: the intervals' stamps prepared, at a level, with group keys.

Shared by :func:`~.within_target.attainment` and :func:`~.ladders.ladder`, which grade several intervals of
one standard per group.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import schema as S
from ._frame import prepare
from .exclusions import CapSpec, resolve_caps, self_initiated_flags
from .grouping import with_keys
from .intervals import INTERVALS
from .levels import at_level


def graded_frame(df: pd.DataFrame, names: Iterable[str], level: str, by: tuple[str, ...], cap: CapSpec
                 ) -> tuple[pd.DataFrame, tuple[str, ...], np.ndarray, dict[str, float | None]]:
    """``df`` prepared for grading the intervals ``names``.

    Returns
    -------
    (frame, group_cols, flags, caps)
        The rows at ``level`` with the time keys ``by`` needs, the output group columns, each row's
        self-initiated flag [bool], and each interval's cap [s] (None: no cap).
    """
    names = tuple(dict.fromkeys(names))
    needed = [S.AGENCY, S.INCIDENT_ID, S.RECEIVED_AT]
    needed += [c for n in names for c in (INTERVALS[n].start, INTERVALS[n].end)]
    frame = prepare(df, needed, [S.SELF_INITIATED, *S.TIMESTAMP_COLUMNS])
    frame = at_level(frame, level)
    frame, group_cols = with_keys(frame, by)
    return frame, group_cols, self_initiated_flags(frame), resolve_caps(names, cap)
