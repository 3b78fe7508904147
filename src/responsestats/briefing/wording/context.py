"""The facts of a briefing in words, and the subtitle, footer and caption every chart carries.

:func:`context` words the month, the window, the standard and its targets,
the agency and the end of observation of a :class:`~..data.BriefingData`;
:func:`subtitle`, :func:`footer` and :func:`briefing_caption` fill the
catalogue's templates with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..._version import __version__
from ...metrics import Standard
from ..months import PLAUSIBLE_MONTH_SHARE
from ..tables.common import segment_key
from .labels import Labels
from .terms import group_name

if TYPE_CHECKING:
    from ..data import BriefingData


def targets_text(standard: Standard, interval: str, labels: Labels) -> str:
    """The numeric targets of ``interval``, e.g. "Urban 5 min, Suburban 10 min"."""
    parts = [
        labels("common.pair", name=labels.segment(segment_key(t)), value=labels.minutes(t.target_s / 60.0, 0))
        for t in standard.targets_for(interval)
        if t.target_s is not None
    ]
    return labels("common.list_sep").join(parts) if parts else labels("common.dash")


#: Values of a population named in words at most; the rest are counted.
_NAMED = 3


def _shown_values(cond, frame: pd.DataFrame | None) -> tuple[str, ...]:
    """The values of a population condition worth naming: with ``frame``, those its rows hold (in the frame's
    spelling, most frequent first) when any does, so that a long list (NFPA 1710's fire and EMS words) reads
    as the groups the agency has; else the profile's list."""
    if frame is None or cond.column not in frame or cond.negate:
        return cond.shown
    counts = frame[cond.column].dropna().astype(str).value_counts()
    present = [v for v in counts.index if v.strip().casefold() in cond.values]
    return tuple(present) if present else cond.shown


def population_text(standard: Standard, labels: Labels, frame: pd.DataFrame | None = None) -> str:
    """The calls a standard grades, in words: "Priority 1 calls" / "一级警情", or "all calls".

    With ``frame``: "all calls" when the population leaves none of its calls out (NFPA 1710's fire and EMS
    groups on a fire department's export); otherwise the population's values the calls hold, at most three
    named; and says so when some of its calls have no value in a population column (they are graded, see
    :meth:`responsestats.metrics.standards.Condition.covers`), or when none has one (every call is graded).
    """
    if not standard.population:
        return labels("population.all")
    if frame is not None and standard.tells_valid_calls:  # invalid calls are never graded: not "unrecorded"
        frame = frame[~standard.is_invalid(frame)]
    if frame is not None and len(frame) and bool(standard.in_population(frame).all()) and not any(
            c.column not in frame or frame[c.column].isna().all() for c in standard.population):
        return labels("population.all")  # the population leaves none of these calls out: every call is graded
    parts = []
    for cond in standard.population:
        shown = _shown_values(cond, frame)
        values = labels("population.or").join(labels.value(cond.column, v) for v in shown[:_NAMED])
        if len(shown) > _NAMED:  # a long list (NFPA 1710's fire and EMS words, without rows to pick from)
            values = labels("population.more", values=values, n=labels.count(len(shown) - _NAMED))
        parts.append(labels("population.not_in" if cond.negate else "population.in", values=values))
    text = labels("population.and").join(parts)
    if frame is None or len(frame) == 0:
        return text
    for cond in standard.population:
        missing = frame[cond.column].isna().to_numpy(dtype=bool) if cond.column in frame else np.ones(len(frame), bool)
        if missing.all():
            return labels("population.none_recorded", group=group_name(cond.column, labels))
        if missing.any():
            text = labels("population.unrecorded", population=text, group=group_name(cond.column, labels))
    return text


def context(data: BriefingData, labels: Labels) -> dict[str, str]:
    """Worded facts of a briefing that subtitles, footers and captions fill in."""
    return {
        "month": labels.month(data.month),
        "previous": labels.month(data.previous),
        "year_ago": labels.month(data.year_ago),
        "span": labels.month_span(data.months[0], data.months[-1]),
        "quarter_span": labels.month_span(data.recent[0], data.recent[-1]),
        "what": labels.interval(data.interval),
        "what_short": labels.interval(data.interval, "short"),
        "standard": data.standard.name,
        "targets": targets_text(data.standard, data.interval, labels),
        "population": population_text(data.standard, labels, data.calls),
        "agency": data.agency,
        "first": labels.month(data.first_month),
        "last": labels.month(data.last_month),
        "as_of": data.as_of.tz_convert(data.timezone).strftime("%Y-%m-%d %H:%M"),
        "timezone": data.timezone,
        "version": __version__,
        "where": getattr(data, "where", "") or labels("population.all"),
    }


def subtitle(kind: str, data: BriefingData, labels: Labels, **extra: object) -> str:
    """The catalogue's ``subtitle.<kind>`` filled with :func:`context` (and ``extra``), then the row filter in
    force (``data.where``), so that no chart travels without its population."""
    return labels(f"subtitle.{kind}", **{**context(data, labels), **extra}) + where_text(data, labels)


def where_text(data: BriefingData, labels: Labels) -> str:
    """``" Filter: priority = 'EMERGENT'."`` when the briefing's calls are filtered, else ``""``."""
    where = getattr(data, "where", "")
    return labels("common.where", where=where) if where else ""


def footer(data: BriefingData, labels: Labels) -> str:
    """The source line under every chart; it names the months left out for holding implausibly few calls."""
    text = labels("footer.text", **context(data, labels))
    ignored = getattr(data, "ignored_months", ())
    if ignored:
        months = labels("common.list_sep").join(
            labels("footer.ignored_month", month=labels.month(m), n=labels.count(n)) for m, n in ignored)
        text += labels("footer.ignored", months=months, median=labels.count(data.median_month_calls),
                       share=labels.percent(PLAUSIBLE_MONTH_SHARE, 0))  # fmt: skip
    return text


def briefing_caption(chart: str, data: BriefingData, labels: Labels, **extra: object) -> str:
    """How to read a briefing chart (``caption.<chart>``), filled with :func:`context` (and ``extra``)."""
    return labels(f"caption.{chart}", **{**context(data, labels), **extra})


def page_text(data: BriefingData, labels: Labels) -> dict[str, str]:
    """The ``title`` and ``intro`` of the briefing's page (``index.html``), for the manifest."""
    return {
        "title": labels("page.title", month=labels.month(data.month), agency=data.agency),
        "intro": labels("page.intro", **context(data, labels)) + where_text(data, labels),
    }
