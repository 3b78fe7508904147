"""Small wording shared by titles and charts: group nouns, hour bins, segments with their targets, captions."""

from __future__ import annotations

import math

from .changes import is_missing
from .labels import Labels


def axis_group(by: str, labels: Labels) -> str:
    """A grouping column as an axis title (Priority / 警情级别)."""
    return labels(f"group_axis.{by}") if labels.get(f"group_axis.{by}") is not None else by


def group_name(by: str, labels: Labels) -> str:
    """The singular noun of a grouping column, for running text (grid / 网格)."""
    return labels(f"group.{by}") if labels.get(f"group.{by}") is not None else by


def group_word(by: str, labels: Labels) -> str:
    """The plural noun of a grouping column (grids, priorities, ...)."""
    return labels(f"groups.{by}") if labels.get(f"groups.{by}") is not None else by


def hours_edge(hours: float, labels: Labels) -> str:
    """A bin edge of hours in a readable unit: 15 min, 2 h, 4 d."""
    if hours < 1:
        return labels("unit.min_short", value=f"{hours * 60:g}")
    if hours < 48:
        return labels("unit.h_short", value=f"{hours:g}")
    return labels("unit.d_short", value=f"{hours / 24:g}")


def hours_bin_label(low: float, high: float, labels: Labels) -> str:
    """The label of a bin ``[low, high)`` [h]: "< 15 min", "1 h – 2 h", "≥ 14 d"."""
    if low <= 0:
        return labels("bins.below", high=hours_edge(high, labels))
    if math.isinf(high):
        return labels("bins.above", low=hours_edge(low, labels))
    return labels("bins.between", low=hours_edge(low, labels), high=hours_edge(high, labels))


def segment_name(key: str, target_min: float, labels: Labels) -> str:
    """A segment with its target, e.g. "Urban (target 5 min)"; just the name without a target."""
    name = labels.segment(key)
    if is_missing(target_min):
        return name
    return labels("common.with_target", name=name, target=labels.number(target_min, 0 if target_min == int(target_min) else 1))


def caption(chart: str, labels: Labels, **fields: object) -> str:
    """How to read a chart (the catalogue's ``caption.<chart>``)."""
    return labels(f"caption.{chart}", **fields)
