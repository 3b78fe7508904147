"""The slides of the monthly briefing, one function each (the call volume pages are in :mod:`.volume`).

Every function takes the :class:`~responsestats.briefing.data.BriefingData` of
the month and the :class:`~responsestats.briefing.wording.labels.Labels` of the
language, computes its tables (:mod:`responsestats.briefing.tables`), states
the finding once (:mod:`responsestats.briefing.wording.titles`) and draws the
chart (:mod:`responsestats.briefing.charts`), so that the notebook and the
tests make each slide with one call. :data:`MONTHLY_BRIEFING` lists them in
the order and under the file names of the briefing.
"""

from __future__ import annotations

from ... import schema as S
from ...metrics import names as N
from .. import charts, tables
from .. import columns as cols
from ..data import RECENT_MONTHS, BriefingData
from ..months import in_months
from ..wording import terms, titles
from ..wording.context import population_text
from ..wording.labels import Labels
from .base import Frame, LeftOut, Slide, arrests_left_out


def edition_intervals(data: BriefingData) -> tuple[str, ...]:
    """The intervals besides the headline one whose share within target the KPI card shows.

    Where the source records arrests (a police log), none: the card's last tiles are the arrest rate and the
    caught-in-the-act share. Where it records none (a fire or EMS log), the other intervals the standard sets a
    numeric target for (NFPA 1710: turnout beside travel), in the standard's order.
    """
    if data.outcomes.arrests:
        return ()
    graded = (t.interval for t in data.standard.targets if t.target_s is not None and t.interval != data.interval)
    return tuple(dict.fromkeys(graded))


def kpi_card(data: BriefingData, labels: Labels) -> Slide:
    """Key figures of the month against the month before and a year before (table: :func:`~..tables.kpi_table`).

    Calls are compared per day of the month the data cover; the median and p90 are of the headline interval;
    the share within target is of the standard's population; a change is coloured only when it is clear. A
    source that records no arrest gets no arrest tiles: the standard's other graded intervals take their place
    (:func:`edition_intervals`).
    """
    frame = Frame(data, labels)
    kpi = tables.kpi_table(data.calls, data.month, data.standard, as_of=data.as_of, coverage=data.coverage,
                           outcomes=data.outcomes.arrests, also_within=edition_intervals(data))  # fmt: skip
    population = population_text(data.standard, labels, data.calls)
    title = titles.kpi_title(kpi, labels, population)
    fig = charts.kpi_card(titles.kpi_tiles(kpi, labels, population), labels, title=title,
                          subtitle=frame.subtitle("kpi"), footer=frame.footer)  # fmt: skip
    return Slide("kpi_card.png", fig, title, frame.caption("kpi_card"), kpi)


def trend(data: BriefingData, labels: Labels) -> Slide:
    """Twelve months of the headline p90 and median against the targets (:func:`~..tables.monthly_trend`).

    The target panels hold the standard's population only (the targets grade it); the title counts the
    months each target panel's p90 is above its target.
    """
    frame = Frame(data, labels)
    table = tables.monthly_trend(data.calls, data.months, data.standard)
    population = population_text(data.standard, labels, data.calls)
    title = titles.trend_title(table, data.month, labels, population)
    fig = charts.trend(table, labels, title=title, subtitle=frame.subtitle("trend"), footer=frame.footer,
                       highlight=data.month, population=population if population != labels("population.all") else None)  # fmt: skip
    return Slide("trend.png", fig, title, frame.caption("trend"), table)


def grid_window(data: BriefingData) -> tuple[str, ...]:
    """The months the grid chart pools: the three recent ones, or the twelve of the trend when the standard
    grades a population (a share of the calls, e.g. urgent calls, which three months spread too thin)."""
    leaves_out = bool(data.standard.population) and not bool(data.standard.in_population(data.calls).all())
    return data.months if leaves_out else data.recent


def p90_by_district(data: BriefingData, labels: Labels) -> Slide:
    """p90 per district (grid) of the standard's population, against each one's target (:func:`~..tables.p90_by_group`).

    Pools three months, or twelve when the standard grades a population (:func:`grid_window`). The groups are
    ``data.group_by``: the district by default, or a dimension (``briefing --group-by station``).
    """
    frame = Frame(data, labels)
    window = grid_window(data)
    table = tables.p90_by_group(in_months(data.calls, window), data.standard, by=data.group_by)
    population = population_text(data.standard, labels, data.calls)
    title = titles.p90_groups_title(table, labels, population)
    group = terms.group_name(data.group_by, labels)
    fields = dict(period=labels.month_span(window[0], window[-1]), group=group,
                  groups=terms.group_word(data.group_by, labels),
                  reason=labels("pooling.window" if len(window) > RECENT_MONTHS else "pooling.recent", group=group))  # fmt: skip
    shown = tables.slowest_per_panel(table)  # the title speaks of every group; the chart draws the slowest
    fig = charts.p90_groups(shown, labels, title=title, subtitle=frame.subtitle("p90_groups", **fields),
                            footer=frame.footer)  # fmt: skip
    return Slide("p90_by_district.png", fig, title, frame.caption("p90_groups", **fields), table)


def attainment_by_priority(data: BriefingData, labels: Labels) -> Slide:
    """Share of the month's calls within target, by priority, of the standard's population (:func:`~..tables.attainment_by`)."""
    frame = Frame(data, labels)
    table = tables.attainment_by(data.month_calls, data.standard)
    population = population_text(data.standard, labels, data.calls)
    title = titles.attainment_title(table, data.month, labels, population)
    fig = charts.attainment_groups(table, labels, title=title, subtitle=frame.subtitle("attainment"), footer=frame.footer,
                                   population=population if population != labels("population.all") else None)  # fmt: skip
    return Slide("attainment_by_priority.png", fig, title, frame.caption("attainment"), table)


def hour_weekday(data: BriefingData, labels: Labels) -> Slide:
    """When calls come in over twelve months: weekday x hour (top) and the hour-of-day profile (bottom).

    The slide's table is the hour profile (:func:`~..tables.hour_profile`); its title states the busiest block
    of hours (:func:`~..tables.busiest_hours`), never one cell.
    """
    frame = Frame(data, labels)
    calls = data.window_calls
    volume = tables.hour_weekday(calls, data.interval)
    profile = tables.hour_profile(calls, data.interval)
    span = labels.month_span(data.months[0], data.months[-1])
    block = tables.busiest_hours(calls)
    title = titles.hours_title(block, profile, span, labels)
    fig = charts.hour_weekday(volume, profile, labels, title=title, period=span, subtitle=frame.subtitle("heatmap"),
                              footer=frame.footer, block=block)  # fmt: skip
    return Slide("hour_weekday.png", fig, title, frame.caption("heatmap"), profile)


def arrests(data: BriefingData, labels: Labels) -> Slide | LeftOut:
    """Arrest rate by call type over twelve months (left) and the time from dispatch to arrest (right).

    The slide's table is the arrest rate by call type (:func:`~..tables.outcomes_by`, highest first); the
    left panel's title gives the rate among the call types with an arrest beside the overall one
    (:func:`~..tables.arrest_concentration`). The month's overall rate is on the KPI card. Where the source
    records no arrest (a fire or EMS log), the page is left out with the reason (:class:`~.base.LeftOut`).
    """
    if (absent := arrests_left_out(data, labels, "arrests.png", "arrests")) is not None:
        return absent  # the source records no arrest: leave the page out and say why, draw no zeros
    frame = Frame(data, labels)
    calls = data.window_calls
    by_type = tables.outcomes_by(calls, by=S.CALL_TYPE, as_of=data.as_of, sort=N.ARREST_RATE)
    by_type = by_type[by_type[cols.SUPPRESSED] | (by_type[N.ELIGIBLE] > 0)].reset_index(drop=True)  # no rate: no row
    focus = tables.arrest_concentration(calls, S.CALL_TYPE, as_of=data.as_of)
    hist = tables.time_to_arrest_histogram(calls, as_of=data.as_of)
    overall = tables.outcomes_by(calls, as_of=data.as_of)
    span = labels.month_span(data.months[0], data.months[-1])
    title = titles.arrest_types_title(by_type, focus, span, labels)
    fig = charts.arrests(
        by_type,
        hist,
        labels,
        title=title,
        rate_title=titles.arrest_focus_title(focus, labels),
        hist_title=titles.time_to_arrest_title(overall, labels),
        subtitle=frame.subtitle("arrests"),
        footer=frame.footer,
    )
    return Slide("arrests.png", fig, title, frame.caption("arrests"), by_type)


def data_quality(data: BriefingData, labels: Labels) -> Slide:
    """Missing stamps and backward intervals per month (left), quarantine by reason (right).

    The slide's table is the reconciliation of every input file (:func:`~..tables.reconciliation_totals`).
    """
    frame = Frame(data, labels)
    table = tables.timestamp_quality(data.window_calls, data.months, standard=data.standard)
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
