"""The seven slides of the monthly briefing, one function each.

Every function takes the :class:`~responsestats.briefing.data.BriefingData` of
the month and the :class:`~responsestats.briefing.wording.labels.Labels` of the
language, computes its tables (:mod:`responsestats.briefing.tables`), states
the finding once (:mod:`responsestats.briefing.wording.titles`) and draws the
chart (:mod:`responsestats.briefing.charts`), so that the notebook and the
tests make each slide with one call. :data:`MONTHLY_BRIEFING` lists them in
the order and under the file names of the briefing.
"""

from __future__ import annotations

from ...metrics import names as N
from .. import charts, tables
from ..data import BriefingData
from ..wording import titles
from ..wording.labels import Labels
from .base import Frame, Slide


def kpi_card(data: BriefingData, labels: Labels) -> Slide:
    """Key figures of the month against the month before and a year before (table: :func:`~..tables.kpi_table`)."""
    frame = Frame(data, labels)
    kpi = tables.kpi_table(data.calls, data.month, data.standard, as_of=data.as_of)
    title = titles.kpi_title(kpi, labels)
    fig = charts.kpi_card(
        titles.kpi_tiles(kpi, labels), labels, title=title, subtitle=frame.subtitle("kpi"), footer=frame.footer
    )
    return Slide("kpi_card.png", fig, title, frame.caption("kpi_card"), kpi)


def trend(data: BriefingData, labels: Labels) -> Slide:
    """Twelve months of the headline p90 and median against the targets (:func:`~..tables.monthly_trend`)."""
    frame = Frame(data, labels)
    table = tables.monthly_trend(data.calls, data.months, data.standard)
    title = titles.trend_title(table, data.month, labels)
    fig = charts.trend(
        table, labels, title=title, subtitle=frame.subtitle("trend"), footer=frame.footer, highlight=data.month
    )
    return Slide("trend.png", fig, title, frame.caption("trend"), table)


def p90_by_district(data: BriefingData, labels: Labels) -> Slide:
    """p90 per district (grid) over three months, against each one's target (:func:`~..tables.p90_by_group`)."""
    frame = Frame(data, labels)
    table = tables.p90_by_group(data.recent_calls, data.standard)
    title = titles.p90_groups_title(table, labels)
    fig = charts.p90_groups(table, labels, title=title, subtitle=frame.subtitle("p90_groups"), footer=frame.footer)
    return Slide("p90_by_district.png", fig, title, frame.caption("p90_groups"), table)


def attainment_by_priority(data: BriefingData, labels: Labels) -> Slide:
    """Share of the month's calls within target, by priority (:func:`~..tables.attainment_by`)."""
    frame = Frame(data, labels)
    table = tables.attainment_by(data.month_calls, data.standard)
    title = titles.attainment_title(table, data.month, labels)
    fig = charts.attainment_groups(
        table, labels, title=title, subtitle=frame.subtitle("attainment"), footer=frame.footer
    )
    return Slide("attainment_by_priority.png", fig, title, frame.caption("attainment"), table)


def hour_weekday(data: BriefingData, labels: Labels) -> Slide:
    """Calls of the month (top) and the median response over twelve months (bottom), weekday x hour.

    The slide's table is the response map (:func:`~..tables.hour_weekday` of the twelve months).
    """
    frame = Frame(data, labels)
    volume = tables.hour_weekday(data.month_calls, data.interval)
    response = tables.hour_weekday(data.window_calls, data.interval)
    title = titles.heatmap_title(volume, response, labels)
    fig = charts.hour_weekday(
        volume,
        response,
        labels,
        title=title,
        volume_period=labels.month(data.month),
        response_period=labels.month_span(data.months[0], data.months[-1]),
        subtitle=frame.subtitle("heatmap"),
        footer=frame.footer,
    )
    return Slide("hour_weekday.png", fig, title, frame.caption("heatmap"), response)


def arrests(data: BriefingData, labels: Labels) -> Slide:
    """Arrest rate per month with its interval (left) and the time from dispatch to arrest (right).

    The slide's table is the arrest rate per month (:func:`~..tables.outcomes_by`).
    """
    frame = Frame(data, labels)
    by_month = tables.outcomes_by(data.window_calls, by=N.KEY_MONTH, as_of=data.as_of, groups=data.months)
    hist = tables.time_to_arrest_histogram(data.window_calls, as_of=data.as_of)
    overall = tables.outcomes_by(data.window_calls, as_of=data.as_of)
    title = titles.arrests_title(by_month, data.month, labels)
    fig = charts.arrests(
        by_month,
        hist,
        labels,
        title=title,
        rate_title=labels("chart.rate_panel"),
        hist_title=titles.time_to_arrest_title(overall, labels),
        subtitle=frame.subtitle("arrests"),
        footer=frame.footer,
        highlight=data.month,
    )
    return Slide("arrests.png", fig, title, frame.caption("arrests"), by_month)


def data_quality(data: BriefingData, labels: Labels) -> Slide:
    """Missing stamps and backward intervals per month (left), quarantine by reason (right).

    The slide's table is the reconciliation of every input file (:func:`~..tables.reconciliation_totals`).
    """
    frame = Frame(data, labels)
    table = tables.timestamp_quality(data.window_calls, data.months)
    reasons = tables.quarantine_reasons(data.reports)
    totals = tables.reconciliation_totals(data.reports)
    title = titles.quality_title(table, totals, data.month, labels)
    fig = charts.quality(
        table,
        reasons,
        totals,
        labels,
        title=title,
        subtitle=frame.subtitle("quality"),
        footer=frame.footer,
        highlight=data.month,
    )
    return Slide("data_quality.png", fig, title, frame.caption("quality"), totals)


#: The monthly briefing: (file name, slide function), in order.
MONTHLY_BRIEFING = (
    ("01_kpi_card.png", kpi_card),
    ("02_trend.png", trend),
    ("03_p90_by_district.png", p90_by_district),
    ("04_attainment_by_priority.png", attainment_by_priority),
    ("05_hour_weekday.png", hour_weekday),
    ("06_arrests.png", arrests),
    ("07_data_quality.png", data_quality),
)
