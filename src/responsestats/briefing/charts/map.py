"""The map chart: calls per cell (left) and the p90 per cell against its target (right), no basemap.

Cells are the agency's boundary polygons or hexagons of incident coordinates, already projected to metres
(:mod:`..tables.geo`); both axes have the same scale. Each panel has its colour bar with units, a scale bar in
km and a north arrow (true north, which departs from the projection's grid north by the meridian convergence).

* Calls: 0 is white, 1 to 4 grey (``<5``, suppressed), 5 or more coloured on a scale that starts at 5 (the
  hour map's blues), so that no shown count looks like "no call".
* p90: each cell's p90 minus its own target [min], diverging around 0 (blue within, orange-red above, as the
  grid chart's bars), since targets differ between cells (urban 5 min, suburban 10 min); with no target at
  all, the p90 itself on a sequential scale. A p90 of 1 to 4 values is grey (``<5``); a cell with no graded
  value is white; a thin p90 (fewer than 30 values) is hatched, as thin bars are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.collections import PatchCollection
from matplotlib.colors import LinearSegmentedColormap, LogNorm, Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FixedLocator, FuncFormatter
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from ...metrics import DEFAULT_MIN_N
from ...metrics import names as N
from .. import columns as cols
from ..tables.common import DEFAULT_MIN_CELL
from ..tables.geo import CALLS_SUPPRESSED
from ..wording.labels import Labels
from .base import BLUE, GREY, VERMILLION, figure_legend, new_figure, panel_title, style
from .common import suppressed_text, tint

#: Fills of the cells that carry no value on a colour scale (as the hour map's).
ZERO_CELL, SUPPRESSED_CELL, NO_TARGET_CELL = "#FFFFFF", "#D4D4D4", "#F3F3F3"
#: Thin cells (fewer than 30 values) are hatched as thin bars are, more sparsely: a grid can be large.
MAP_HATCH, HATCH_COLOUR = "//", (0.5, 0.5, 0.5, 0.8)
#: Free bands below and above the cells for the scale bar and the north arrow [share of the cells' height].
FURNITURE_BAND = 0.12
#: Cell outlines: a hairline between cells.
EDGE, EDGE_WIDTH = "#9A9A9A", 0.45
#: Calls scale: light to dark blue (the hour map's), logarithmic when the busiest cell has this many times the
#: smallest count shown.
CALLS_CMAP = LinearSegmentedColormap.from_list("map_calls", [tint(BLUE, 0.85), BLUE, "#08306B"])
LOG_RATIO = 20.0
#: p90 minus target: blue (within) to pale blue at the target, then pale to dark orange-red (above): the colour
#: changes family at the target, as the grid chart's bars do, and no graded cell is white like a cell without one.
DIFF_CMAP = LinearSegmentedColormap.from_list("map_diff", [(0.0, "#08306B"), (0.25, BLUE), (0.5, tint(BLUE, 0.8)),
                                                           (0.5, tint(VERMILLION, 0.75)), (0.75, VERMILLION),
                                                           (1.0, "#6B2700")])  # fmt: skip
#: The diverging scale reaches this percentile of the cells' distance from their target [percent]; the few
#: beyond take the end colours (the colour bar's arrows), so that one outlier does not wash the rest out.
SCALE_PERCENTILE = 90.0
#: Where a cell within its target sits at most on the diverging scale (just below the change of colour family).
_WITHIN_TOP = 0.4999
#: p90 alone (a standard without targets): light to dark orange.
P90_CMAP = LinearSegmentedColormap.from_list("map_p90", ["#FFF3DC", "#F5B041", VERMILLION, "#7A2E00"])


def _path(rings: Sequence[np.ndarray]) -> Path:
    """One compound path of a cell's rings (outer rings counter-clockwise, holes clockwise: holes stay empty)."""
    vertices, codes = [], []
    for ring in rings:
        ring = np.asarray(ring, dtype="float64")
        vertices.append(np.vstack([ring, ring[:1]]))
        codes.append(np.r_[Path.MOVETO, np.full(len(ring) - 1, Path.LINETO), Path.CLOSEPOLY])
    return Path(np.concatenate(vertices), np.concatenate(codes).astype(Path.code_type))


def _label_point(rings: Sequence[np.ndarray]) -> tuple[float, float]:
    """Where a cell's mark goes: the centroid of its largest ring."""
    best, area_best = None, -1.0
    for ring in rings:
        x, y = ring[:, 0], ring[:, 1]
        cross = x * np.roll(y, -1) - np.roll(x, -1) * y
        area = 0.5 * cross.sum()
        if abs(area) > area_best:
            area_best = abs(area)
            if area:
                best = (float(((x + np.roll(x, -1)) * cross).sum() / (6 * area)),
                        float(((y + np.roll(y, -1)) * cross).sum() / (6 * area)))
            else:
                best = (float(x.mean()), float(y.mean()))
    return best if best is not None else (0.0, 0.0)


def _bounds(paths: Sequence[Path]) -> tuple[float, float, float, float]:
    points = np.concatenate([p.vertices for p in paths])
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    pad = 0.03 * max(x1 - x0, y1 - y0, 1.0)
    return x0 - pad, x1 + pad, y0 - pad, y1 + pad


def _nice(value: float) -> float:
    """The 1-2-5 value at or below ``value`` (> 0)."""
    exponent = np.floor(np.log10(value))
    for step in (5.0, 2.0, 1.0):
        if step * 10**exponent <= value:
            return float(step * 10**exponent)
    return float(10**exponent)


def _draw_cells(ax, paths: Sequence[Path], faces, hatched) -> None:
    """The cells as one collection (thousands of grids draw in a second), the thin ones hatched over them."""
    cells = PatchCollection([PathPatch(p) for p in paths], facecolors=faces, edgecolors=EDGE, linewidths=EDGE_WIDTH,
                            zorder=2)  # fmt: skip
    ax.add_collection(cells)
    thin = [PathPatch(p) for p, h in zip(paths, hatched) if h]
    if thin:
        ax.add_collection(PatchCollection(thin, facecolors="none", edgecolors=[HATCH_COLOUR], linewidths=0.0,
                                          hatch=MAP_HATCH, zorder=3))  # fmt: skip


def _marks(ax, points, flags, labels: Labels) -> None:
    for (x, y), flag in zip(points, flags):
        if flag:
            ax.text(x, y, suppressed_text(labels), ha="center", va="center", fontsize=10, color="#444444", zorder=5,
                    clip_on=True)  # fmt: skip


def _furniture(ax, bounds, north_deg: float, labels: Labels) -> None:
    """Equal scale, a scale bar in km (lower left) and a north arrow (upper right), in bands kept free of cells.

    The limits are the cells' bounds with :data:`FURNITURE_BAND` of their height added below and above (so the
    scale bar and the arrow never cover a cell), widened along one axis to fill the panel at equal scale.
    """
    x0, x1, y0, y1 = bounds
    band = FURNITURE_BAND * (y1 - y0)
    ax.update_datalim([(x0, y0 - band), (x1, y1 + band)])
    ax.margins(0.0)
    ax.autoscale_view()
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_axis_off()
    length = _nice(0.22 * (x1 - x0))
    km = length / 1000.0
    text = labels("map.km", value=f"{km:g}")
    bar = AnchoredSizeBar(ax.transData, length, text, "lower left", pad=0.4, borderpad=0.3, sep=4, frameon=True,
                          size_vertical=0.006 * (y1 - y0), color="#222222", fontproperties={"size": 12})  # fmt: skip
    bar.patch.set(facecolor="white", alpha=0.85, edgecolor="none")
    bar.set_zorder(6)
    ax.add_artist(bar)
    angle = np.radians(north_deg)
    dx, dy = 30 * np.sin(angle), 30 * np.cos(angle)
    ax.annotate("", xy=(0.955, 0.93), xycoords="axes fraction", xytext=(-dx, -dy), textcoords="offset points",
                arrowprops=dict(arrowstyle="-|>,head_length=0.7,head_width=0.35", color="#222222", lw=2.0),
                zorder=6)  # fmt: skip
    ax.annotate(labels("map.north"), xy=(0.955, 0.93), xycoords="axes fraction", xytext=(dx * 0.12, dy * 0.12 + 4),
                textcoords="offset points", ha="center", va="bottom", fontsize=14, zorder=6)  # fmt: skip


def _colour_bar(fig, ax, mappable, label: str, ticks=None, formatter=None, extend: str = "neither"):
    bar = fig.colorbar(mappable, ax=ax, fraction=0.035, pad=0.015, shrink=0.82, aspect=24, extend=extend)
    bar.set_label(label, fontsize=13)
    bar.ax.tick_params(labelsize=11.5)
    bar.outline.set_visible(False)
    if ticks is not None:
        bar.ax.yaxis.set_major_locator(FixedLocator(ticks))
        bar.ax.yaxis.set_minor_locator(FixedLocator([]))
    if formatter is not None:
        bar.ax.yaxis.set_major_formatter(FuncFormatter(formatter))
    return bar


def _calls_panel(fig, ax, cells: pd.DataFrame, paths, points, labels: Labels, mark: bool, min_cell: int) -> None:
    calls = cells[cols.CALLS].to_numpy(dtype="float64")
    hidden = cells[CALLS_SUPPRESSED].to_numpy(dtype=bool)
    shown = np.isfinite(calls) & ~hidden & (calls >= max(min_cell, 1))
    top = float(np.nanmax(np.where(shown, calls, np.nan))) if shown.any() else float(min_cell + 1)
    low = float(np.nanmin(np.where(shown, calls, np.nan))) if shown.any() else float(max(min_cell, 1))
    top = max(top, low + 1.0)
    log = top / low >= LOG_RATIO
    norm = LogNorm(vmin=low, vmax=top) if log else Normalize(vmin=low, vmax=top)
    faces = [CALLS_CMAP(norm(c)) if s else to_rgba(SUPPRESSED_CELL) if h else to_rgba(ZERO_CELL)
             for c, s, h in zip(calls, shown, hidden)]  # fmt: skip
    _draw_cells(ax, paths, faces, [False] * len(paths))
    if mark:
        _marks(ax, points, hidden, labels)
    ticks = None
    if log:
        ticks = [v for e in range(0, 7) for v in (1 * 10**e, 2 * 10**e, 5 * 10**e) if low <= v <= top]
        ticks = sorted({int(low), *ticks, int(top)})
        ticks = [t for i, t in enumerate(ticks)
                 if i in (0, len(ticks) - 1) or (t / ticks[i - 1] > 1.6 and ticks[-1] / t > 1.6)]  # labels apart
    _colour_bar(fig, ax, ScalarMappable(norm=norm, cmap=CALLS_CMAP), labels("map.bar_calls"), ticks,
                lambda v, _: labels.count(v))  # fmt: skip


def _p90_panel(fig, ax, cells: pd.DataFrame, paths, points, labels: Labels, mark: bool, p90_label: str,
               diff_label: str) -> dict[str, bool]:  # fmt: skip
    """Draw the p90 panel; return which kinds of cell it has (for the legend)."""
    p90 = cells[cols.P90_MIN].to_numpy(dtype="float64")
    target = cells[cols.TARGET_MIN].to_numpy(dtype="float64")
    hidden = cells[cols.SUPPRESSED].to_numpy(dtype=bool)
    thin = cells[N.THIN].to_numpy(dtype=bool)
    shown = np.isfinite(p90) & ~hidden
    graded = shown & np.isfinite(target)
    diverging = bool(graded.any())
    above = cells[cols.ABOVE_TARGET].to_numpy(dtype=bool)
    if diverging:
        diff = p90 - target
        wide = max(float(np.percentile(np.abs(diff[graded]), SCALE_PERCENTILE)), 1.0)
        step = _nice(wide / 2.5)
        reach = step * np.ceil(wide / step)
        norm = Normalize(vmin=-reach, vmax=reach)
        extend = {(False, False): "neither", (True, False): "min", (False, True): "max", (True, True): "both"}[
            (bool((diff[graded] < -reach).any()), bool((diff[graded] > reach).any()))]
        value, cmap, label = diff, DIFF_CMAP, diff_label
        colour_of = graded
        ticks = list(np.arange(-reach, reach + step / 2, step))
    else:
        top = float(np.nanmax(p90[shown])) if shown.any() else 1.0
        norm = Normalize(vmin=0.0, vmax=max(1.0, np.ceil(top)))
        value, cmap, label = p90, P90_CMAP, p90_label
        colour_of = shown
        ticks = None
        extend = "neither"
    faces = []
    for v, c, h, s, a in zip(value, colour_of, hidden, shown, above):
        if c:
            level = float(norm(v))
            faces.append(cmap(level if (a or not diverging) else min(level, _WITHIN_TOP)))
        else:
            faces.append(to_rgba(SUPPRESSED_CELL) if h else to_rgba(NO_TARGET_CELL) if s else to_rgba(ZERO_CELL))
    _draw_cells(ax, paths, faces, shown & thin)
    if mark:
        _marks(ax, points, hidden, labels)
    def fmt(v, _):
        return ("+" if diverging and v > 0 else "") + labels.number(v, 0)

    _colour_bar(fig, ax, ScalarMappable(norm=norm, cmap=cmap), label, ticks, formatter=fmt, extend=extend)
    return {"thin": bool((shown & thin).any()), "hidden": bool(hidden.any()),
            "no_target": diverging and bool((shown & ~graded).any()), "no_value": bool((~shown & ~hidden).any())}


def call_map(
    cells: pd.DataFrame,
    shapes: Sequence[Sequence[np.ndarray]],
    labels: Labels,
    *,
    title: str,
    subtitle: str = "",
    footer: str = "",
    calls_title: str,
    p90_title: str,
    p90_label: str,
    diff_label: str,
    north_deg: float = 0.0,
    mark_cells: bool = True,
    min_cell: int = DEFAULT_MIN_CELL,
) -> Figure:
    """Calls per cell and the p90 per cell against its target, side by side, on the same projected cells.

    Parameters
    ----------
    cells : pandas.DataFrame
        :attr:`responsestats.briefing.tables.geo.MapTable.cells`.
    shapes : sequence
        Per row of ``cells``, its rings in projected metres (``(n, 2)`` arrays; outer rings counter-clockwise,
        holes clockwise).
    title, subtitle, footer : str
        The slide's text.
    calls_title, p90_title : str
        The panels' titles.
    p90_label, diff_label : str
        Colour bar labels of the p90 [min] (a standard without targets) and of the p90 minus the target [min].
    north_deg : float
        True north, clockwise from the map's up [degrees].
    mark_cells : bool
        Write ``<5`` in suppressed cells (polygons; hexagons are too small, the legend says it).
    """
    paths = [_path(rings) for rings in shapes]
    points = [_label_point(rings) for rings in shapes]
    fig = new_figure(title, subtitle, footer)
    with style():
        left, right = fig.subplots(1, 2)
        if not paths:
            for ax in (left, right):
                ax.set_axis_off()
            return fig
        bounds = _bounds(paths)
        _calls_panel(fig, left, cells, paths, points, labels, mark_cells, min_cell)
        kinds = _p90_panel(fig, right, cells, paths, points, labels, mark_cells, p90_label, diff_label)
        for ax in (left, right):
            _furniture(ax, bounds, north_deg, labels)
        panel_title(left, calls_title)
        panel_title(right, p90_title)
        calls_hidden = bool(cells[CALLS_SUPPRESSED].any())
        zero = bool(((cells[cols.CALLS] == 0) & ~cells[CALLS_SUPPRESSED]).any())
        handles = [
            Patch(facecolor=ZERO_CELL, edgecolor=EDGE, lw=0.8, label=labels("legend.zero_cell")) if zero else None,
            Patch(facecolor=SUPPRESSED_CELL, edgecolor=EDGE, lw=0.8, label=labels("legend.suppressed", n=min_cell))
            if calls_hidden or kinds["hidden"] else None,
            Patch(facecolor=tint(GREY, 0.8), edgecolor=HATCH_COLOUR, hatch=MAP_HATCH, lw=0.0,
                  label=labels("legend.thin", n=DEFAULT_MIN_N)) if kinds["thin"] else None,
            Patch(facecolor=ZERO_CELL, edgecolor=EDGE, lw=0.8, label=labels("map.legend_no_value"))
            if kinds["no_value"] else None,
            Patch(facecolor=NO_TARGET_CELL, edgecolor=EDGE, lw=0.8, label=labels("map.legend_no_target"))
            if kinds["no_target"] else None,
        ]  # fmt: skip
        figure_legend(fig, handles)
    return fig
