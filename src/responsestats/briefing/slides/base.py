"""A slide: one chart with the title that states its finding and the caption that says how to read it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

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
