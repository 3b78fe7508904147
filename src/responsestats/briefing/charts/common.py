"""Drawing helpers shared by the charts (layout only: no figures are computed here).

A suppressed cell (a table row flagged ``suppressed``: its figure rests on 1 to 4
incidents, see :func:`responsestats.briefing.tables.common.suppress_figures`) is
drawn as the catalogue's ``chart.suppressed_cell`` (``<5``) in grey, never as a
bar or a point; a chart that has one adds :func:`suppressed_handle` to its legend.
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import pandas as pd

from ...metrics import DEFAULT_MIN_N
from .. import columns as cols
from ..tables.common import DEFAULT_MIN_CELL
from ..wording.labels import Labels
from .base import BLACK, GREY, VERMILLION

THIN_HATCH = "///"


def tint(colour: str, amount: float = 0.55) -> tuple[float, float, float]:
    """``colour`` mixed with white (``amount`` of white)."""
    r, g, b = to_rgb(colour)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def mark_thin(patches, thin, colours) -> None:
    """Hatch and lighten the bars of thin groups."""
    for patch, is_thin, colour in zip(patches, thin, colours):
        if bool(is_thin):
            patch.set_facecolor(tint(colour))
            patch.set_edgecolor(colour)
            patch.set_hatch(THIN_HATCH)
            patch.set_linewidth(0.0)


def thin_handle(labels: Labels) -> Patch:
    """Legend entry of a thin (hatched) bar."""
    return Patch(facecolor=tint(GREY), edgecolor=GREY, hatch=THIN_HATCH, linewidth=0.0,
                 label=labels("legend.thin", n=DEFAULT_MIN_N))  # fmt: skip


def thin_marker_handle(labels: Labels, colour: str = GREY) -> Line2D:
    """Legend entry of a thin (hollow) point."""
    return Line2D([], [], ls="none", marker="o", markerfacecolor="white", markeredgecolor=colour, markersize=8,
                  markeredgewidth=1.8, label=labels("legend.thin_point", n=DEFAULT_MIN_N))  # fmt: skip


def target_handle(labels: Labels, colour: str = VERMILLION, ls: str = ":") -> Line2D:
    """Legend entry of a target line."""
    return Line2D([], [], color=colour, ls=ls, lw=2, label=labels("legend.target"))


def ci_handle(labels: Labels) -> Line2D:
    """Legend entry of a 95% CI whisker."""
    return Line2D([], [], color=BLACK, lw=1.2, marker="|", markersize=10, label=labels("legend.ci"))


def line_with_thin(ax, x, y, thin, colour: str, ls: str, marker: str, label: str) -> None:
    """A line whose thin points are hollow markers."""
    y = np.asarray(y, dtype="float64")
    thin = np.asarray(thin, dtype=bool)
    ax.plot(x, y, color=colour, ls=ls, marker=None, label=label, zorder=3)
    solid = ~thin
    ax.plot(np.asarray(x)[solid], y[solid], ls="none", marker=marker, color=colour, zorder=4)
    ax.plot(np.asarray(x)[thin], y[thin], ls="none", marker=marker, markerfacecolor="white",
            markeredgecolor=colour, markeredgewidth=1.8, zorder=4)  # fmt: skip


def whiskers(ax, centre, low, high, pos, horizontal: bool) -> None:
    """95% CI whiskers where both ends are known."""
    centre, low, high, pos = (np.asarray(a, dtype="float64") for a in (centre, low, high, pos))
    ok = ~(np.isnan(low) | np.isnan(high) | np.isnan(centre))
    if not ok.any():
        return
    err = np.vstack([centre[ok] - low[ok], high[ok] - centre[ok]]).clip(min=0)
    if horizontal:
        ax.errorbar(centre[ok], pos[ok], xerr=err, fmt="none", ecolor=BLACK, elinewidth=1.1, capsize=3, zorder=4)
    else:
        ax.errorbar(pos[ok], centre[ok], yerr=err, fmt="none", ecolor=BLACK, elinewidth=1.1, capsize=3, zorder=4)


def tick_size(count: int) -> float:
    """Tick label size for ``count`` category labels on one axis."""
    return 12.0 if count <= 20 else 11.0 if count <= 32 else 9.0


def upper(values, *others) -> float:
    """The largest finite value among arrays (0 if none), for axis limits."""
    found = [np.nanmax(np.asarray(v, dtype="float64")) for v in (values, *others) if np.isfinite(np.asarray(v, dtype="float64")).any()]
    top = max(found) if found else 0.0
    return top if math.isfinite(top) and top > 0 else 1.0


def text_colour(value: float, vmin: float, vmax: float, dark_high: bool = True) -> str:
    """Black or white text, readable on a cell of a sequential colour map."""
    if not np.isfinite(value) or vmax <= vmin:
        return BLACK
    frac = (value - vmin) / (vmax - vmin)
    return "white" if (frac > 0.55) == dark_high else BLACK


def month_ticks(months, labels: Labels, counts=None) -> list[str]:
    """Tick labels of consecutive months as one text each: the short name, the year under the first month and
    every January, and with ``counts`` (numbers or worded) the count on a last line.

    For text (a table, a test); charts draw the rows with :func:`month_axis`, which keeps each row on one line
    so that a month name with a descender ("May") does not push its year or count below the others'.
    """
    years = [i == 0 or month.endswith("-01") for i, month in enumerate(months)]
    out = []
    for i, month in enumerate(months):
        lines = [labels.month(month, "short")]
        if years[i]:
            lines.append(month[:4])
        if counts is not None:
            lines.append(counts[i] if isinstance(counts[i], str) else labels.count(counts[i]))
        out.append("\n".join(lines))
    return out


#: Height of one row of tick labels [in units of the font size].
_ROW = 1.3


def month_axis(ax, months, labels: Labels, counts=None, fontsize: float = 11.0, positions=None) -> None:
    """Month ticks on ``ax``'s x axis in aligned rows: names; years (the first month and every January);
    counts (with ``counts``, numbers or worded).

    Each row is its own axis of one-line labels at a fixed distance from the spine (the years on a secondary
    x axis, the counts on another), so every year sits on one line and every count on the next, whatever the
    month names' descenders.
    """
    months = list(months)
    x = np.arange(len(months)) if positions is None else np.asarray(positions, dtype="float64")
    ax.set_xticks(x, [labels.month(m, "short") for m in months], fontsize=fontsize)
    pad = ax.xaxis.get_major_ticks()[0].get_pad() if len(months) else 3.5
    rows = []
    first = [i for i, m in enumerate(months) if i == 0 or m.endswith("-01")]
    rows.append(([x[i] for i in first], [months[i][:4] for i in first]))
    if counts is not None:
        rows.append((list(x), [c if isinstance(c, str) else labels.count(c) for c in counts]))
    for k, (where, texts) in enumerate(rows, start=1):
        row = ax.secondary_xaxis("bottom")
        row.set_xticks(where, texts, fontsize=fontsize)
        row.tick_params(axis="x", length=0, pad=pad + k * _ROW * fontsize)
        row.spines["bottom"].set_visible(False)
    # the axis title goes under the last row (it is placed from the names' row otherwise)
    ax.xaxis.labelpad = matplotlib.rcParams["axes.labelpad"] + len(rows) * _ROW * fontsize


def empty_panel(fig, labels: Labels, text: str | None = None):
    """One blank panel saying there is nothing to draw (a table with no rows, e.g. no call in a population).

    ``text``: what to say instead of the catalogue's ``title.empty`` (e.g. why a figure is not available).
    """
    ax = fig.subplots()
    ax.set_axis_off()
    ax.text(0.5, 0.5, labels("title.empty") if text is None else text, ha="center", va="center", fontsize=20,
            color=GREY, transform=ax.transAxes, wrap=True)  # fmt: skip
    return ax


def suppressed_of(table: pd.DataFrame) -> np.ndarray:
    """The small-cell flag of each row of a table [bool]; all False for a table without one."""
    if cols.SUPPRESSED not in table:
        return np.zeros(len(table), dtype=bool)
    return table[cols.SUPPRESSED].astype("boolean").fillna(False).to_numpy(dtype=bool)


def suppressed_text(labels: Labels) -> str:
    """The mark of a suppressed cell, ``<5``."""
    return labels("chart.suppressed_cell", n=DEFAULT_MIN_CELL)


def suppressed_handle(labels: Labels) -> Patch:
    """Legend entry explaining the ``<5`` mark."""
    return Patch(facecolor="white", edgecolor=GREY, linestyle=":",
                 label=labels("legend.suppressed", n=DEFAULT_MIN_CELL))  # fmt: skip


def mark_suppressed(ax, positions, hidden, labels: Labels, horizontal: bool, fontsize: float = 12.0,
                    at: float = 0.0, colour: str = GREY) -> None:  # fmt: skip
    """Write ``<5`` where the bar or point of a suppressed cell would be.

    Parameters
    ----------
    positions : array-like
        The bars' or points' positions on the category axis (x; y when ``horizontal``).
    hidden : array-like of bool
        The suppressed ones.
    at : float
        Where along the value axis [axes fraction, 0-1]: at the bars' base by default.
    """
    pos = np.asarray(positions, dtype="float64")
    hidden = np.asarray(hidden, dtype=bool)
    text = suppressed_text(labels)
    for p in pos[hidden]:
        if horizontal:
            ax.text(at, p, "  " + text, transform=ax.get_yaxis_transform(), ha="left", va="center",
                    fontsize=fontsize, color=colour, zorder=5)  # fmt: skip
        else:
            ax.text(p, at, text, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=fontsize,
                    color=colour, zorder=5)  # fmt: skip
