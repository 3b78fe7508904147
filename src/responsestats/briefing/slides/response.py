"""The response-time slides of the analysis notebook (``02_response_times``), one function each.

As :mod:`.monthly`: each function computes its tables, states the finding
once and draws the chart. Slides that the monthly briefing also shows
(:func:`~.monthly.trend`, :func:`~.monthly.p90_by_district`) are not repeated here.
"""

from __future__ import annotations

from ... import schema as S
from .. import charts, tables
from ..data import BriefingData
from ..wording import titles
from ..wording.labels import Labels
from .base import Frame, Slide


def distribution(data: BriefingData, labels: Labels) -> Slide:
    """The month's distribution of the headline interval by area class, with medians, p90s and targets.

    The slide's table is the summary per area class (:func:`~..tables.interval_summary`).
    """
    frame = Frame(data, labels)
    by_area = tables.interval_summary(data.month_calls, data.interval, by=S.AREA_CLASS, standard=data.standard)
    overall = tables.interval_summary(data.month_calls, data.interval)
    curves = tables.ecdf(data.month_calls, data.interval, by=S.AREA_CLASS)
    title = titles.distribution_title(overall, labels.month(data.month), labels)
    fig = charts.distribution(
        curves,
        by_area,
        labels,
        title=title,
        subtitle=frame.subtitle("distribution"),
        footer=frame.footer,
        target=by_area,
    )
    return Slide("distribution.png", fig, title, table=by_area)


def segments(data: BriefingData, labels: Labels) -> Slide:
    """Monthly medians of the segments and of the whole response (:func:`~..tables.segment_medians`)."""
    frame = Frame(data, labels)
    table = tables.segment_medians(data.window_calls, groups=data.months)
    title = titles.segments_title(table, labels)
    fig = charts.segments(
        table, labels, title=title, subtitle=frame.subtitle("segments"), footer=frame.footer, highlight=data.month
    )
    return Slide("segments.png", fig, title, table=table)


def p90_by_priority(data: BriefingData, labels: Labels) -> Slide:
    """Median and p90 of the month by priority, with the p90's interval (:func:`~..tables.interval_summary`)."""
    frame = Frame(data, labels)
    table = tables.interval_summary(data.month_calls, data.interval, by=S.PRIORITY, standard=data.standard)
    title = titles.priority_title(table, labels)
    fig = charts.p90_by(table, labels, title=title, subtitle=frame.subtitle("priority"), footer=frame.footer)
    return Slide("p90_by_priority.png", fig, title, table=table)


def hour_weekday_window(data: BriefingData, labels: Labels) -> Slide:
    """Calls and median response per weekday and hour, both over twelve months (:func:`~..tables.hour_weekday`).

    The title states the busiest block of hours (:func:`~..tables.busiest_hours`), never one cell.
    """
    frame = Frame(data, labels)
    table = tables.hour_weekday(data.window_calls, data.interval)
    span = labels.month_span(data.months[0], data.months[-1])
    profile = tables.hour_profile(data.window_calls, data.interval)
    title = titles.hours_title(tables.busiest_hours(data.window_calls), profile, span, labels)
    fig = charts.hour_weekday_maps(
        table,
        table,
        labels,
        title=title,
        volume_period=span,
        response_period=span,
        subtitle=frame.subtitle("heatmap_window"),
        footer=frame.footer,
    )
    return Slide("hour_weekday.png", fig, title, table=table)


def attainment_trend(data: BriefingData, labels: Labels) -> Slide:
    """Share within each target of the standard, per month (:func:`~..tables.attainment_trend`)."""
    frame = Frame(data, labels)
    table = tables.attainment_trend(data.calls, data.months, data.standard)
    title = titles.attainment_trend_title(table, data.month, labels)
    fig = charts.attainment_trend(
        table,
        labels,
        title=title,
        subtitle=frame.subtitle("attainment_trend"),
        footer=frame.footer,
        highlight=data.month,
    )
    return Slide("attainment.png", fig, title, table=table)
