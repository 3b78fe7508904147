"""A slide: one chart with the title that states its finding and the caption that says how to read it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from .. import charts
from ..data import BriefingData
from ..wording.context import briefing_caption, footer, subtitle
from ..wording.labels import Labels


@dataclass(frozen=True)
class Slide:
    """One chart of a briefing or a notebook, ready for a deck.

    Attributes
    ----------
    name : str
        The PNG's default file name (a :class:`~responsestats.briefing.book.Book` may number it).
    figure : matplotlib.figure.Figure
        The chart, 1920 x 1080 px, with its title, subtitle and footer drawn.
    title : str
        The finding, as drawn at the top of the chart and listed in ``index.html``.
    caption : str
        How to read the chart (empty where the catalogue has none).
    table : pandas.DataFrame or None
        The main table the chart draws, for a notebook to show.
    """

    name: str
    figure: Figure
    title: str
    caption: str = ""
    table: pd.DataFrame | None = None


@dataclass(frozen=True)
class LeftOut:
    """A page a briefing leaves out because its inputs are absent, with the reason (never a chart of zeros).

    A slide function returns it instead of a :class:`Slide` when the data or the standard cannot support the
    page (no arrest code in the source, no unit rows, no coordinates...). :class:`~..book.Book` records it, and
    ``index.html`` lists it in one line: the page and why it was left out.

    Attributes
    ----------
    name : str
        The file name the page would have had.
    page : str
        The page's name, as the index lists it.
    reason : str
        Why it was left out, in the briefing's language.
    """

    name: str
    page: str
    reason: str
    #: No figure and no table: a notebook cell showing ``slide.table`` shows nothing.
    figure: None = None
    table: None = None
    title: str = ""
    caption: str = ""


class Frame:
    """The text every chart of one briefing shares: the footer, and subtitles and captions by kind."""

    def __init__(self, data: BriefingData, labels: Labels):
        self.data = data
        self.labels = labels
        self.footer = footer(data, labels)

    def subtitle(self, kind: str, **extra: object) -> str:
        """The catalogue's ``subtitle.<kind>`` for this briefing."""
        return subtitle(kind, self.data, self.labels, **extra)

    def caption(self, kind: str, **extra: object) -> str:
        """The catalogue's ``caption.<kind>`` for this briefing (``extra`` fills placeholders of its own)."""
        return briefing_caption(kind, self.data, self.labels, **extra)


def arrests_not_recorded(data: BriefingData, labels: Labels, name: str) -> Slide | None:
    """The slide that stands in for an arrest chart where the source records no arrest; None where it does.

    Where :attr:`BriefingData.outcomes` says arrests are not available (no outcome column, or no outcome
    value mapped to ``arrest`` and no arrest time), an arrest chart would show zeros that are not zeros: this
    slide draws no axes, states the reason in the title and the caption, and keeps the chart's file name.
    """
    if data.outcomes.arrests:
        return None
    frame = Frame(data, labels)
    reason = labels("common.list_sep").join(labels(f"not_available.{c}") for c in data.outcomes.reasons)
    title = labels("title.arrests_not_available", span=labels.month_span(data.months[0], data.months[-1]),
                   reason=reason)  # fmt: skip
    fig = charts.not_available(labels, reason, title=title, subtitle=frame.subtitle("not_available"),
                               footer=frame.footer)  # fmt: skip
    return Slide(name, fig, title, frame.caption("not_available", reason=reason))


def arrests_left_out(data: BriefingData, labels: Labels, name: str, page: str) -> LeftOut | None:
    """The briefing's arrest page left out where the source records no arrest (the reason, never 0.0%); else None.

    ``page`` is the page's key in the catalogue's ``[page_name]`` table.
    """
    if data.outcomes.arrests:
        return None
    reason = labels("common.list_sep").join(labels(f"not_available.{c}") for c in data.outcomes.reasons)
    return LeftOut(name, labels(f"page_name.{page}"), reason)
