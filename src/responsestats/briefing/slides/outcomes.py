"""The outcome slides of the analysis notebook (``03_outcomes``), one function each.

As :mod:`.monthly`: each function computes its tables, states the finding
once and draws the chart.
"""

from __future__ import annotations

from ...metrics import names as N
from .. import charts, tables
from ..data import BriefingData
from ..wording import terms, titles
from ..wording.labels import Labels
from .base import Frame, Slide, arrests_not_recorded


def arrest_rate_by_month(data: BriefingData, labels: Labels) -> Slide:
    """Arrests per eligible incident in each month of the window, with 95% intervals (:func:`~..tables.outcomes_by`)."""
    if (absent := arrests_not_recorded(data, labels, "arrest_rate_by_month.png")) is not None:
        return absent
    frame = Frame(data, labels)
    table = tables.outcomes_by(data.window_calls, by=N.KEY_MONTH, as_of=data.as_of, groups=data.months)
    title = titles.arrests_title(table, data.month, labels)
    fig = charts.arrest_rate(
        table, labels, title=title, subtitle=frame.subtitle("outcomes_month"), footer=frame.footer, highlight=data.month
    )
    return Slide("arrest_rate_by_month.png", fig, title, table=table)


def arrest_rate_by(data: BriefingData, labels: Labels, by: str) -> Slide:
    """Arrest rate per value of ``by`` (a column) over the window, highest first (:func:`~..tables.outcomes_by`).

    The file name is ``arrest_rate_by_<by>.png``.
    """
    if (absent := arrests_not_recorded(data, labels, f"arrest_rate_by_{by}.png")) is not None:
        return absent
    frame = Frame(data, labels)
    table = tables.outcomes_by(data.window_calls, by=by, as_of=data.as_of, sort=N.ARREST_RATE)
    title = titles.outcome_groups_title(table, labels)
    fig = charts.arrest_rate(
        table,
        labels,
        title=title,
        subtitle=frame.subtitle("outcomes_group", group=terms.group_name(by, labels)),
        footer=frame.footer,
    )
    return Slide(f"arrest_rate_by_{by}.png", fig, title, table=table)


def time_to_arrest(data: BriefingData, labels: Labels) -> Slide:
    """Arrests of the window by time from dispatch, caught in the act or later.

    The slide's table is the overall outcome summary (:func:`~..tables.outcomes_by`).
    """
    if (absent := arrests_not_recorded(data, labels, "time_to_arrest.png")) is not None:
        return absent
    frame = Frame(data, labels)
    overall = tables.outcomes_by(data.window_calls, as_of=data.as_of)
    hist = tables.time_to_arrest_histogram(data.window_calls, as_of=data.as_of)
    title = titles.time_to_arrest_title(overall, labels)
    fig = charts.time_to_arrest(
        hist, labels, title=title, subtitle=frame.subtitle("time_to_arrest"), footer=frame.footer
    )
    return Slide("time_to_arrest.png", fig, title, table=overall)


def km_curve(data: BriefingData, labels: Labels) -> Slide:
    """Kaplan-Meier share of eligible incidents arrested by time since dispatch (:func:`~..tables.arrest_curve`)."""
    if (absent := arrests_not_recorded(data, labels, "km_curve.png")) is not None:
        return absent
    frame = Frame(data, labels)
    table = tables.arrest_curve(data.window_calls, as_of=data.as_of)
    title = titles.km_title(table, labels)
    fig = charts.km_curve(table, labels, title=title, subtitle=frame.subtitle("km"), footer=frame.footer)
    return Slide("km_curve.png", fig, title, table=table)
