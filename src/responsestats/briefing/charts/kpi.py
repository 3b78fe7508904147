"""The KPI summary card: one tile per key figure, compared with last month and last year."""

from __future__ import annotations

import math

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ...metrics import DEFAULT_MIN_N
from ..wording.labels import Labels
from .base import GREY, PALE, STATE_COLOURS, _fit, new_figure, style


def kpi_card(tiles: list[dict], labels: Labels, *, title: str, subtitle: str = "", footer: str = "") -> Figure:
    """Tiles laid out three to a row.

    ``tiles``: :func:`responsestats.briefing.wording.titles.kpi_tiles` (label, value, n, thin, lines of (text, state)).
    """
    cols = 3
    rows = max(1, math.ceil(len(tiles) / cols))
    fig = new_figure(title, subtitle, footer)
    with style():
        axes = fig.subplots(rows, cols, squeeze=False)
        fig.get_layout_engine().execute(fig)  # the tiles' size, to fit their lines
        fitted = []
        for k, ax in enumerate(axes.flat):
            ax.set_axis_off()
            if k >= len(tiles):
                continue
            tile = tiles[k]
            ax.add_patch(FancyBboxPatch((0.0, 0.0), 1.0, 1.0, boxstyle="round,pad=0,rounding_size=0.04",
                                        transform=ax.transAxes, facecolor=PALE, edgecolor="none", zorder=0))  # fmt: skip
            ax.text(0.05, 0.9, tile["label"], transform=ax.transAxes, fontsize=19, va="top", color="#333333")
            ax.text(0.05, 0.58, tile["value"], transform=ax.transAxes, fontsize=46, va="center", color="#111111")
            n_text = tile["n"] + (labels("common.clause_sep") + labels("legend.thin_short", n=DEFAULT_MIN_N) if tile["thin"] else "")
            width = 0.92 * ax.get_window_extent(fig.canvas.get_renderer()).width
            fitted.append((ax.text(0.05, 0.37, n_text, transform=ax.transAxes, fontsize=13.5, va="center",
                                   color=GREY), width, 10.0))  # fmt: skip
            for i, (text, state) in enumerate(tile["lines"]):
                fitted.append((ax.text(0.05, 0.21 - 0.12 * i, text, transform=ax.transAxes, fontsize=15, va="center",
                                       color=STATE_COLOURS.get(state, GREY)), width, 11.0))  # fmt: skip
        for text, width, smallest in fitted:  # shrink a line that is wider than its tile (then wrap it)
            text.set_in_layout(False)
            _fit(fig, text, width, smallest)
        for role in (10.0, 11.0):  # one size for the denominators, one for the changes: the smallest needed
            texts = [t for t, _, smallest in fitted if smallest == role]
            if texts and all("\n" not in t.get_text() for t in texts):
                size = min(t.get_fontsize() for t in texts)
                for t in texts:
                    t.set_fontsize(size)
    return fig
