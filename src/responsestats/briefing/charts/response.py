"""Response-time charts: trend, groups against target, attainment, heatmap, distribution, segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ...metrics import DEFAULT_MIN_N
from ...metrics import names as N
from .. import columns as cols
from ..tables.common import DEFAULT_MIN_CELL
from ..wording.labels import Labels
from ..wording.terms import axis_group, group_word, segment_name
from .base import (
    BLACK,
    BLUE,
    GREY,
    OKABE_ITO,
    ORANGE,
    PALE,
    SKY,
    VERMILLION,
    figure_legend,
    new_figure,
    panel_title,
    style,
)
from .common import (
    ci_handle,
    empty_panel,
    line_with_thin,
    mark_suppressed,
    mark_thin,
    month_axis,
    suppressed_handle,
    suppressed_of,
    suppressed_text,
    target_handle,
    text_colour,
    thin_handle,
    thin_marker_handle,
    tick_size,
    tint,
    upper,
    whiskers,
)

#: Reference lines at 50% and 90%.
LIGHT = "#C8C8C8"


def _month_ticks(ax, months, n, labels: Labels, hidden=None) -> None:
    """Month tick labels with the count under each month (``<5`` for a suppressed month), in aligned rows."""
    counts = list(n)
    if hidden is not None:
        counts = [suppressed_text(labels) if h else c for c, h in zip(counts, hidden)]
    month_axis(ax, list(months), labels, counts)


def _legend_suppressed(labels: Labels, *tables: pd.DataFrame):
    """The ``<5`` legend entry when a table has a suppressed cell, else None (left out of the legend)."""
    return suppressed_handle(labels) if any(suppressed_of(t).any() for t in tables) else None


def trend(table: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "", footer: str = "",
          highlight: str | None = None, population: str | None = None) -> Figure:  # fmt: skip
    """Monthly median and p90 (with its 95% CI), one panel per segment, target line where there is one.

    ``table``: :func:`responsestats.briefing.tables.monthly_trend`. A suppressed month has no point, ``<5``
    at the foot of its panel and under its name. With ``population`` (the calls a standard grades, in
    words), each target panel names it and a panel without a target reads "(not graded)".
    """
    segments = list(dict.fromkeys(table[cols.SEGMENT]))
    interval = table[N.INTERVAL].iloc[0]
    months = list(dict.fromkeys(table[N.KEY_MONTH]))
    fig = new_figure(title, subtitle, footer)
    with style():
        axes = fig.subplots(1, len(segments), sharey=True, squeeze=False)[0]
        top = upper(table[cols.P90_CI_HIGH_MIN], table[cols.P90_MIN], table[cols.TARGET_MIN])
        for ax, seg in zip(axes, segments):
            rows = table[table[cols.SEGMENT] == seg].reset_index(drop=True)
            x = np.arange(len(rows))
            if highlight in months:
                i = months.index(highlight)
                ax.axvspan(i - 0.5, i + 0.5, color=PALE, zorder=0)
            ax.fill_between(x, rows[cols.P90_CI_LOW_MIN], rows[cols.P90_CI_HIGH_MIN], color=BLUE, alpha=0.13, lw=0)
            line_with_thin(ax, x, rows[cols.P90_MIN], rows[N.THIN], BLUE, "-", "o", labels("legend.p90"))
            line_with_thin(ax, x, rows[cols.MEDIAN_MIN], rows[N.THIN], ORANGE, "--", "s", labels("legend.median"))
            target = rows[cols.TARGET_MIN].iloc[0]
            if pd.notna(target):
                ax.axhline(target, color=VERMILLION, ls=":", lw=2.2, zorder=2)
                ax.annotate(labels("chart.target_line", target=labels.number(target, 0)), xy=(0.99, target),
                            xycoords=("axes fraction", "data"), ha="right", va="bottom", color=VERMILLION,
                            fontsize=13, xytext=(0, 3), textcoords="offset points", zorder=6,
                            bbox=dict(facecolor="white", edgecolor="none", pad=1.0, alpha=0.85))  # fmt: skip
            hidden = suppressed_of(rows)
            _month_ticks(ax, rows[N.KEY_MONTH], rows[N.N], labels, hidden)
            mark_suppressed(ax, x, hidden, labels, horizontal=False, at=0.02)
            ax.set_xlim(-0.6, len(rows) - 0.4)
            name = segment_name(rows[cols.SEGMENT_KEY].iloc[0], target, labels)
            if population is not None:
                name = labels("chart.graded_panel" if pd.notna(target) else "chart.ungraded_panel", panel=name,
                              population=population)  # fmt: skip
            panel_title(ax, name)
            ax.set_xlabel(labels("axis.month_n"), fontsize=12, color=GREY)
        axes[0].set_ylim(0, top * 1.12)
        axes[0].set_ylabel(labels("axis.interval_min", what=labels.interval(interval)))
        handles = [
            Line2D([], [], color=BLUE, marker="o", label=labels("legend.p90")),
            Patch(facecolor=BLUE, alpha=0.13, label=labels("legend.p90_ci")),
            Line2D([], [], color=ORANGE, ls="--", marker="s", label=labels("legend.median")),
            target_handle(labels) if table[cols.TARGET_MIN].notna().any() else None,
            thin_marker_handle(labels),
            Patch(facecolor=PALE, label=labels("legend.this_month")) if highlight in months else None,
            _legend_suppressed(labels, table),
        ]
        figure_legend(fig, handles)
    return fig


def p90_groups(table: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "", footer: str = "") -> Figure:
    """p90 per group as sorted horizontal bars, one panel per target, the target marked.

    ``table``: :func:`responsestats.briefing.tables.p90_by_group`. A suppressed group has no bar: ``<5``.
    An empty table (no call in the standard's population) gives a blank panel that says so.
    """
    if table.empty:
        fig = new_figure(title, subtitle, footer)
        with style():
            empty_panel(fig, labels)
        return fig
    by = table[cols.BY].iloc[0]
    interval = table[N.INTERVAL].iloc[0]
    key = table[cols.TARGET_MIN].fillna(-1.0)
    panels = [(table.loc[key == k].reset_index(drop=True)) for k in dict.fromkeys(key)]
    fig = new_figure(title, subtitle, footer)
    with style():
        axes = fig.subplots(1, len(panels), squeeze=False)[0]
        right = upper(table[cols.P90_MIN], table[cols.TARGET_MIN]) * 1.3
        for ax, rows in zip(axes, panels):
            y = np.arange(len(rows))
            target = rows[cols.TARGET_MIN].iloc[0]
            colours = [GREY if pd.isna(target) else VERMILLION if above else BLUE for above in rows[cols.ABOVE_TARGET]]
            hidden = suppressed_of(rows)
            bars = ax.barh(y, rows[cols.P90_MIN].fillna(0), color=colours, height=0.72, zorder=3)
            mark_thin(bars, rows[N.THIN], colours)
            for yi, (_, r), h in zip(y, rows.iterrows(), hidden):
                if h:  # no bar, no value: the small-cell mark
                    ax.text(0, yi, "  " + suppressed_text(labels), va="center", ha="left",
                            fontsize=tick_size(len(rows)) - 0.5, color=GREY, zorder=5)  # fmt: skip
                    continue
                ax.text(r[cols.P90_MIN] if pd.notna(r[cols.P90_MIN]) else 0, yi, "  " + labels("chart.value_n",
                        value=labels.number(r[cols.P90_MIN]), n=labels.count(r[N.N])),
                        va="center", ha="left", fontsize=tick_size(len(rows)) - 0.5, color="#333333", zorder=5,
                        bbox=dict(facecolor="white", edgecolor="none", pad=0.6, alpha=0.85))  # fmt: skip
            if pd.notna(target):
                ax.axvline(target, color=BLACK, ls="--", lw=1.6, zorder=4)
                ax.annotate(labels("chart.target_line", target=labels.number(target, 0)), xy=(target, 1.0),
                            xycoords=("data", "axes fraction"), ha="center", va="bottom", fontsize=12,
                            xytext=(0, 2), textcoords="offset points")  # fmt: skip
            names = [labels.value(by, g) for g in rows[cols.GROUP]]
            ax.set_yticks(y, names, fontsize=tick_size(len(rows)))
            ax.set_ylim(len(rows) - 0.4, -0.6)
            ax.set_xlim(0, right)
            ax.grid(axis="x", visible=True)
            ax.grid(axis="y", visible=False)
            ax.set_xlabel(labels("axis.p90_min", what=labels.interval(interval)))
            total = int(rows[cols.PANEL_TOTAL].iloc[0])
            shown = len(rows)
            heading = labels("chart.panel_target", target=labels.number(target, 0)) if pd.notna(target) else labels(
                "chart.panel_no_target")
            word = group_word(by, labels)
            count = labels("chart.groups_shown", shown=shown, total=total, groups=word) if shown < total else labels(
                "chart.groups_count", total=total, groups=word)
            panel_title(ax, f"{heading}{labels('common.clause_sep')}{count}", pad=22 if pd.notna(target) else 10)
        handles = [
            Patch(color=VERMILLION, label=labels("legend.above_target")),
            Patch(color=BLUE, label=labels("legend.within_target")),
            Line2D([], [], color=BLACK, ls="--", lw=1.6, label=labels("legend.target")),
            thin_handle(labels),
            _legend_suppressed(labels, table),
        ]
        figure_legend(fig, handles)
    return fig


def attainment_groups(table: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "",
                      footer: str = "", population: str | None = None) -> Figure:  # fmt: skip
    """Share within target per group (e.g. priority), one bar per segment, 95% CI and n.

    ``table``: :func:`responsestats.briefing.tables.attainment_by`. A suppressed cell has no bar: ``<5``.
    With ``population`` (the calls graded, in words), the ``all`` segment is named after it. An empty table
    (no call in the standard's population) gives a blank panel that says so.
    """
    if table.empty:
        fig = new_figure(title, subtitle, footer)
        with style():
            empty_panel(fig, labels)
        return fig
    by = table[cols.BY].iloc[0]
    groups = list(dict.fromkeys(table[cols.GROUP]))
    segments = list(dict.fromkeys(table[cols.SEGMENT]))
    colours = {seg: OKABE_ITO[i % len(OKABE_ITO)] for i, seg in enumerate(segments)}

    def name(seg, key, target):
        text = segment_name(key, target, labels)
        if population is not None and seg == cols.SEGMENT_ALL:
            return labels("chart.all_graded", population=population, panel=text)
        return text

    width = 0.8 / len(segments)
    fig = new_figure(title, subtitle, footer)
    with style():
        ax = fig.subplots()
        for j, seg in enumerate(segments):
            rows = table[table[cols.SEGMENT] == seg].set_index(cols.GROUP).reindex(groups)
            x = np.arange(len(groups)) + (j - (len(segments) - 1) / 2) * width
            share = 100 * rows[N.SHARE_WITHIN].to_numpy(dtype="float64")
            colour = colours[seg]
            bars = ax.bar(x, np.nan_to_num(share), width=width * 0.92, color=colour, zorder=3,
                          label=name(seg, rows[cols.SEGMENT_KEY].dropna().iloc[0], rows[cols.TARGET_MIN].iloc[0]))  # fmt: skip
            mark_thin(bars, rows[N.THIN].fillna(True), [colour] * len(groups))
            whiskers(ax, share, 100 * rows[cols.SHARE_CI_LOW], 100 * rows[cols.SHARE_CI_HIGH], x, horizontal=False)
            mark_suppressed(ax, x, suppressed_of(rows), labels, horizontal=False, at=0.01, fontsize=12)
            for xi, s, hi, n in zip(x, share, 100 * rows[cols.SHARE_CI_HIGH].to_numpy(dtype="float64"), rows[N.N]):
                if np.isfinite(s):
                    top = hi if np.isfinite(hi) else s
                    ax.text(xi, top + 1.5, f"{s:.0f}%\n{labels.n(n)}", ha="center", va="bottom", fontsize=12,
                            linespacing=1.1)  # fmt: skip
            required = rows[N.REQUIRED_SHARE].dropna()
            if len(required):
                ax.hlines(100 * required.iloc[0], x[0] - width / 2, x[-1] + width / 2, colors=BLACK, linestyles="--")
        ax.set_xticks(np.arange(len(groups)), [labels.value(by, g) for g in groups], fontsize=14)
        ax.set_ylim(0, 118)
        ax.set_yticks(np.arange(0, 101, 20))
        ax.set_ylabel(labels("axis.share_within"))
        ax.set_xlabel(axis_group(by, labels))
        handles = [
            Patch(color=colours[seg], label=name(seg, table.loc[table[cols.SEGMENT] == seg, cols.SEGMENT_KEY].iloc[0],
                                                 table.loc[table[cols.SEGMENT] == seg, cols.TARGET_MIN].iloc[0]))
            for seg in segments
        ]  # fmt: skip
        extra = [ci_handle(labels), thin_handle(labels) if table[N.THIN].any() else None,
                 _legend_suppressed(labels, table)]  # fmt: skip
        if table[N.REQUIRED_SHARE].notna().any():
            extra.insert(0, Line2D([], [], color=BLACK, ls="--", label=labels("legend.required_share")))
        figure_legend(fig, handles + extra)
    return fig


def _heat(ax, fig, grid: np.ndarray, cmap: str, labels: Labels, fmt, dark_high: bool, thin=None, unit: str = "",
          suppressed=None, min_cell: int = DEFAULT_MIN_CELL):  # fmt: skip
    """A weekday x hour map of a time (e.g. the median): colour where known, ``<5`` where suppressed."""
    vmin, vmax = np.nanmin(grid) if np.isfinite(grid).any() else 0, np.nanmax(grid) if np.isfinite(grid).any() else 1
    image = ax.imshow(grid, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    for d in range(grid.shape[0]):
        for h in range(grid.shape[1]):
            v = grid[d, h]
            if np.isfinite(v):
                ax.text(h, d, fmt(v), ha="center", va="center", fontsize=10.5,
                        color=text_colour(v, vmin, vmax, dark_high))  # fmt: skip
            elif suppressed is not None and suppressed[d, h]:
                ax.text(h, d, labels("chart.suppressed_cell", n=min_cell), ha="center", va="center",
                        fontsize=10, color=GREY)  # fmt: skip
            if thin is not None and thin[d, h]:
                cell = Rectangle((h - 0.5, d - 0.5), 1, 1, fill=False, hatch="//", edgecolor="#B4B4B4", linewidth=0)
                if hasattr(cell, "set_hatch_linewidth"):
                    cell.set_hatch_linewidth(1.6)
                ax.add_patch(cell)  # fmt: skip
    _heat_axes(ax, labels)
    bar = fig.colorbar(image, ax=ax, pad=0.01, fraction=0.025, aspect=12)
    _colour_bar(bar, unit)


def _heat_axes(ax, labels: Labels) -> None:
    ax.set_yticks(range(7), [labels.weekday(d) for d in range(7)], fontsize=12)
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)], fontsize=11)
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)


def _colour_bar(bar, unit: str) -> None:
    bar.set_label(unit, fontsize=12)
    bar.ax.tick_params(labelsize=11)
    bar.outline.set_visible(False)


#: Colours of the cells of a count map that carry no count on the colour scale.
ZERO_CELL, SUPPRESSED_CELL = "#FFFFFF", "#E4E4E4"


def _count_heat(ax, fig, calls: np.ndarray, hidden: np.ndarray, labels: Labels, min_cell: int = DEFAULT_MIN_CELL):
    """A weekday x hour map of counts where 0, 1 to 4 and 5+ never look alike.

    0 (no call) is white with a grey ``0``; a suppressed cell (1 to ``min_cell - 1`` calls) is light grey
    with ``<5``; only counts of ``min_cell`` or more take a colour, on a scale that starts at ``min_cell``
    and is darker than white, so no shown count reads as "no call".
    """
    shown = np.isfinite(calls) & ~hidden & (calls >= max(min_cell, 1))
    top = float(np.nanmax(np.where(shown, calls, np.nan))) if shown.any() else float(min_cell + 1)
    norm = Normalize(vmin=float(min_cell), vmax=max(top, float(min_cell) + 1.0))
    cmap = LinearSegmentedColormap.from_list("calls", [tint(BLUE, 0.8), BLUE, "#08306B"])
    rgba = np.ones(calls.shape + (4,))
    rgba[shown] = cmap(norm(calls[shown]))
    rgba[hidden] = to_rgba(SUPPRESSED_CELL)
    ax.imshow(rgba, aspect="auto", interpolation="nearest")
    for d in range(calls.shape[0]):
        for h in range(calls.shape[1]):
            v = calls[d, h]
            if hidden[d, h]:
                ax.text(h, d, labels("chart.suppressed_cell", n=min_cell), ha="center", va="center", fontsize=10,
                        color="#555555")  # fmt: skip
            elif np.isfinite(v) and v == 0:
                ax.text(h, d, "0", ha="center", va="center", fontsize=10.5, color=GREY)
            elif shown[d, h]:
                frac = norm(v)
                ax.text(h, d, f"{v:.0f}", ha="center", va="center", fontsize=10.5,
                        color="white" if frac > 0.45 else BLACK)  # fmt: skip
    _heat_axes(ax, labels)
    for edge in np.arange(-0.5, calls.shape[1], 1.0):  # hairlines keep white 0 cells apart from each other
        ax.axvline(edge, color="#F0F0F0", lw=0.6, zorder=2)
    for edge in np.arange(-0.5, calls.shape[0], 1.0):
        ax.axhline(edge, color="#F0F0F0", lw=0.6, zorder=2)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, pad=0.01, fraction=0.025, aspect=12)
    _colour_bar(bar, labels("axis.calls"))


def _count_handles(labels: Labels, hidden: bool, calls: np.ndarray) -> list:
    """Legend entries of the 0 and ``<5`` cells of a count map, for those the chart has."""
    handles = []
    if (np.isfinite(calls) & (calls == 0)).any():
        handles.append(Patch(facecolor=ZERO_CELL, edgecolor=GREY, lw=0.8, label=labels("legend.zero_cell")))
    if hidden:
        handles.append(Patch(facecolor=SUPPRESSED_CELL, edgecolor="none", label=labels("legend.suppressed", n=DEFAULT_MIN_CELL)))
    return handles


def _hour_profile(ax, profile: pd.DataFrame, labels: Labels, block: pd.DataFrame | None = None):
    """Calls per hour (bars; ``<5`` for a suppressed hour; the busiest block darker when it is clear) and the
    median time per hour (line with 95% whiskers; hollow: thin hours)."""
    x = profile[N.KEY_HOUR].to_numpy(dtype="float64")
    calls = profile[cols.CALLS].to_numpy(dtype="float64")
    hidden = suppressed_of(profile)
    colours = [tint(BLUE, 0.45)] * 24
    if block is not None and len(block) and bool(block[cols.CLEAR].iloc[0]):
        start, span = int(block[cols.HOUR_START].iloc[0]), int(block[cols.HOURS_IN_BLOCK].iloc[0])
        for h in range(start, start + span):
            colours[h % 24] = BLUE
    ax.bar(x, np.nan_to_num(calls), width=0.72, color=colours, zorder=3)
    mark_suppressed(ax, x, hidden, labels, horizontal=False, at=0.01, fontsize=11)
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)], fontsize=11)
    ax.set_xlim(-0.6, 23.6)
    ax.set_ylim(0, upper(calls) * 1.15)
    ax.set_ylabel(labels("axis.calls"))
    ax.set_xlabel(labels("axis.hour"))
    ax.grid(axis="x", visible=False)
    right = ax.twinx()
    median = profile[cols.MEDIAN_MIN].to_numpy(dtype="float64")
    low, high = profile[cols.MEDIAN_CI_LOW_MIN].to_numpy(dtype="float64"), profile[cols.MEDIAN_CI_HIGH_MIN].to_numpy(dtype="float64")
    ok = np.isfinite(median) & np.isfinite(low) & np.isfinite(high)
    if ok.any():
        err = np.vstack([median[ok] - low[ok], high[ok] - median[ok]]).clip(min=0)
        right.errorbar(x[ok], median[ok], yerr=err, fmt="none", ecolor=tint(VERMILLION, 0.35), elinewidth=1.2,
                       capsize=3, zorder=3)  # fmt: skip
    line_with_thin(right, x, median, profile[N.THIN].to_numpy(dtype=bool), VERMILLION, "-", "o", "")
    right.set_ylim(0, upper(high, median) * 1.25)
    right.set_ylabel(labels("axis.interval_min", what=labels.interval(profile[N.INTERVAL].iloc[0])), color=VERMILLION)
    right.tick_params(axis="y", colors=VERMILLION)
    right.grid(False)
    right.spines["right"].set_visible(True)
    return right


def hour_weekday(volume: pd.DataFrame, profile: pd.DataFrame, labels: Labels, *, title: str, period: str,
                 subtitle: str = "", footer: str = "", block: pd.DataFrame | None = None) -> Figure:  # fmt: skip
    """When calls come in: calls per weekday x hour (top) and the hour-of-day profile (bottom).

    ``volume``: :func:`responsestats.briefing.tables.hour_weekday` (its ``calls``); ``profile``:
    :func:`responsestats.briefing.tables.hour_profile`, both over the same ``period``. In the map 0, 1 to 4
    (``<5``, suppressed) and 5 or more are drawn distinctly (:func:`_count_heat`); the profile has the calls
    of each hour as bars and the median time with its 95% interval as a line (hollow: thin hours). With
    ``block`` (:func:`responsestats.briefing.tables.busiest_hours`), a clear peak's hours are drawn darker.
    """
    calls = volume[cols.CALLS].to_numpy(dtype="float64").reshape(7, 24)
    hidden = volume[cols.SUPPRESSED].to_numpy(dtype=bool).reshape(7, 24)
    interval = profile[N.INTERVAL].iloc[0]
    fig = new_figure(title, subtitle, footer)
    with style():
        top, bottom = fig.subplots(2, 1, height_ratios=[1.15, 1])
        _count_heat(top, fig, calls, hidden, labels)
        panel_title(top, labels("chart.heat_calls", period=period, n=DEFAULT_MIN_CELL, m=DEFAULT_MIN_CELL - 1))
        _hour_profile(bottom, profile, labels, block)
        panel_title(bottom, labels("chart.hour_profile", what=labels.interval(interval, "short"), period=period))
        peak = block is not None and len(block) and bool(block[cols.CLEAR].iloc[0])
        handles = [
            Patch(color=tint(BLUE, 0.45), label=labels("legend.calls_hour")),
            Patch(color=BLUE, label=labels("legend.peak_hours", hours=int(block[cols.HOURS_IN_BLOCK].iloc[0])))
            if peak else None,
            Line2D([], [], color=VERMILLION, marker="o", label=labels("legend.median_hour",
                                                                       what=labels.interval(interval, "short"))),
            Line2D([], [], ls="none", marker="o", markerfacecolor="white", markeredgecolor=VERMILLION, markersize=8,
                   markeredgewidth=1.8, label=labels("legend.thin_hour", n=DEFAULT_MIN_N))
            if profile[N.THIN].any() else None,
            *_count_handles(labels, bool(hidden.any() or suppressed_of(profile).any()), calls),
        ]  # fmt: skip
        figure_legend(fig, handles)
    return fig


def hour_weekday_maps(volume: pd.DataFrame, response: pd.DataFrame, labels: Labels, *, title: str,
                      volume_period: str, response_period: str, subtitle: str = "", footer: str = "") -> Figure:  # fmt: skip
    """Two weekday x hour maps: calls received (``volume``, 0 / ``<5`` / 5+ distinct) and median response.

    Both tables: :func:`responsestats.briefing.tables.hour_weekday`; thin cells of the response map are hatched.
    """
    interval = response[N.INTERVAL].iloc[0]
    calls = volume[cols.CALLS].to_numpy(dtype="float64").reshape(7, 24)
    median = response[cols.MEDIAN_MIN].to_numpy(dtype="float64").reshape(7, 24)
    thin = response[N.THIN].to_numpy(dtype=bool).reshape(7, 24) & np.isfinite(median)  # an empty cell is not thin
    hidden_calls = volume[cols.SUPPRESSED].to_numpy(dtype=bool).reshape(7, 24)
    hidden_median = (response[cols.SUPPRESSED].to_numpy(dtype=bool) | response[N.N].isna().to_numpy()).reshape(7, 24)
    fig = new_figure(title, subtitle, footer)
    with style():
        top, bottom = fig.subplots(2, 1)
        _count_heat(top, fig, calls, hidden_calls, labels)
        panel_title(top, labels("chart.heat_calls", period=volume_period, n=DEFAULT_MIN_CELL, m=DEFAULT_MIN_CELL - 1))
        _heat(bottom, fig, median, "cividis", labels, lambda v: f"{v:.1f}", False, thin=thin,
              unit=labels("unit.min_axis"), suppressed=hidden_median)  # fmt: skip
        panel_title(bottom, labels("chart.heat_median", what=labels.interval(interval), period=response_period,
                                n=DEFAULT_MIN_N))  # fmt: skip
        bottom.set_xlabel(labels("axis.hour"))
        figure_legend(fig, _count_handles(labels, bool(hidden_calls.any()), calls))
    return fig


def distribution(curves: pd.DataFrame, summary: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "",
                 footer: str = "", target: pd.DataFrame | None = None) -> Figure:  # fmt: skip
    """Empirical CDF per group with each group's median and p90 marked.

    ``curves``: :func:`responsestats.briefing.tables.ecdf`; ``summary``: :func:`responsestats.briefing.tables.interval_summary` with the same ``by``.
    A suppressed group has no curve and no marks; its legend entry says ``<5``.
    """
    by = curves[cols.BY].iloc[0]
    interval = curves[N.INTERVAL].iloc[0]
    groups = list(dict.fromkeys(curves[cols.GROUP]))
    fig = new_figure(title, subtitle, footer)
    with style():
        ax = fig.subplots()
        right = upper(summary[cols.P90_MIN]) * 1.6
        for i, group in enumerate(groups):
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            rows = curves[curves[cols.GROUP] == group]
            s = summary[summary[cols.GROUP] == group].iloc[0]
            name = labels.value(by, group) if by else labels("common.all_calls")
            if suppressed_of(rows).any() or suppressed_of(s.to_frame().T).any():
                ax.plot([], [], color=colour, lw=2.5, ls=":", label=f"{name} ({suppressed_text(labels)})")
                continue
            ax.step(rows[cols.VALUE_MIN], 100 * rows[cols.ECDF], where="post", color=colour, lw=2.5,
                    label=f"{name} ({labels.n(s[N.N])})")  # fmt: skip
            for q, value, marker in ((50, s[cols.MEDIAN_MIN], "o"), (90, s[cols.P90_MIN], "D")):
                ax.plot([value], [q], marker=marker, color=colour, markersize=10, markeredgecolor="white", zorder=5)
                ax.vlines(value, 0, q, colors=colour, linestyles=":", lw=1.5)
                ax.annotate(labels("chart.quantile_at", q=q, value=labels.number(value)), xy=(value, q),
                            xytext=(8, -16 - 14 * i), textcoords="offset points", fontsize=12, color=colour)  # fmt: skip
            if target is not None:
                t = target[target[cols.GROUP] == group][cols.TARGET_MIN]
                if len(t) and pd.notna(t.iloc[0]):
                    ax.axvline(t.iloc[0], color=colour, ls="--", lw=1.4, alpha=0.8)
        ax.axhline(50, color=LIGHT, lw=1)
        ax.axhline(90, color=LIGHT, lw=1)
        ax.set_xlim(0, right)
        ax.set_ylim(0, 101)
        ax.set_yticks([0, 25, 50, 75, 90, 100])
        ax.set_xlabel(labels("axis.interval_min", what=labels.interval(interval)))
        ax.set_ylabel(labels("axis.cumulative_share"))
        ax.grid(axis="x", visible=True)
        handles, _ = ax.get_legend_handles_labels()
        handles += [
            Line2D([], [], ls="none", marker="o", color=GREY, markersize=10, label=labels("legend.median")),
            Line2D([], [], ls="none", marker="D", color=GREY, markersize=10, label=labels("legend.p90")),
        ]
        if target is not None:
            handles.append(Line2D([], [], color=GREY, ls="--", label=labels("legend.target")))
        figure_legend(fig, handles)
    return fig



def segments(table: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "", footer: str = "",
             highlight: str | None = None) -> Figure:  # fmt: skip
    """Medians of call processing, turnout and travel stacked per group, with the median of the whole response.

    ``table``: :func:`responsestats.briefing.tables.segment_medians`. A group with a suppressed median has
    ``<5`` above its bars (and no bar or diamond for that median).
    """
    by = table[cols.BY].iloc[0]
    groups = list(dict.fromkeys(table[cols.GROUP]))
    x = np.arange(len(groups))
    colours = {N.CALL_PROCESSING_S: SKY, N.TURNOUT_S: ORANGE, N.TRAVEL_S: BLUE}
    hidden = np.zeros(len(groups), dtype=bool)
    for interval in (*cols.SEGMENT_INTERVALS, N.RESPONSE_S):
        hidden |= suppressed_of(table[table[N.INTERVAL] == interval].set_index(cols.GROUP).reindex(groups))
    fig = new_figure(title, subtitle, footer)
    with style():
        ax = fig.subplots()
        bottom = np.zeros(len(groups))
        for interval in cols.SEGMENT_INTERVALS:
            rows = table[table[N.INTERVAL] == interval].set_index(cols.GROUP).reindex(groups)
            values = np.nan_to_num(rows[cols.MEDIAN_MIN].to_numpy(dtype="float64"))
            bars = ax.bar(x, values, bottom=bottom, width=0.68, color=colours[interval], zorder=3,
                          label=labels.interval(interval))  # fmt: skip
            mark_thin(bars, rows[N.THIN], [colours[interval]] * len(groups))
            for xi, b, v in zip(x, bottom, values):
                if v > 0.35:
                    ax.text(xi, b + v / 2, f"{v:.1f}", ha="center", va="center", fontsize=11,
                            color="white" if interval == N.TRAVEL_S else BLACK, zorder=4)  # fmt: skip
            bottom = bottom + values
        total = table[table[N.INTERVAL] == N.RESPONSE_S].set_index(cols.GROUP).reindex(groups)
        ax.plot(x, total[cols.MEDIAN_MIN], ls="none", marker="D", color=VERMILLION, markersize=11, zorder=5,
                label=labels("legend.median_total"))  # fmt: skip
        for xi, v, n, h in zip(x, total[cols.MEDIAN_MIN], total[N.N], hidden):
            if h:
                ax.text(xi, bottom[int(xi)] + 0.25, suppressed_text(labels), ha="center", va="bottom", fontsize=10.5,
                        color=GREY)  # fmt: skip
            elif pd.notna(v):
                ax.text(xi, max(v, bottom[int(xi)]) + 0.25, f"{v:.1f}\n{labels.count(n)}", ha="center", va="bottom",
                        fontsize=10.5, color=VERMILLION, linespacing=1.05)  # fmt: skip
        if highlight in groups:
            i = groups.index(highlight)
            ax.axvspan(i - 0.5, i + 0.5, color=PALE, zorder=0)
        if by == N.KEY_MONTH:
            month_axis(ax, groups, labels, fontsize=tick_size(len(groups)))
        else:
            ax.set_xticks(x, [labels.value(by, g) for g in groups], fontsize=tick_size(len(groups)))
        ax.set_ylim(0, upper(bottom, total[cols.MEDIAN_MIN]) * 1.25)
        ax.set_ylabel(labels("axis.median_min"))
        ax.set_xlabel(labels("axis.month_total_n") if by == N.KEY_MONTH else axis_group(by, labels))
        handles, _ = ax.get_legend_handles_labels()
        figure_legend(fig, handles + [thin_handle(labels), _legend_suppressed(labels, table)])
    return fig


def p90_by(summary: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "", footer: str = "") -> Figure:
    """Median and p90 (95% CI) per group as paired bars with n (e.g. by priority).

    ``summary``: :func:`responsestats.briefing.tables.interval_summary` with a ``by``. A suppressed group has no
    bars: ``<5``, and ``n<5`` under its name.
    """
    by = summary[cols.BY].iloc[0]
    interval = summary[N.INTERVAL].iloc[0]
    groups = list(summary[cols.GROUP])
    x = np.arange(len(groups))
    hidden = suppressed_of(summary)
    fig = new_figure(title, subtitle, footer)
    with style():
        ax = fig.subplots()
        heights = {c: np.nan_to_num(summary[c].to_numpy(dtype="float64")) for c in (cols.MEDIAN_MIN, cols.P90_MIN)}
        med = ax.bar(x - 0.2, heights[cols.MEDIAN_MIN], width=0.38, color=ORANGE, label=labels("legend.median"),
                     zorder=3)  # fmt: skip
        p90 = ax.bar(x + 0.2, heights[cols.P90_MIN], width=0.38, color=BLUE, label=labels("legend.p90"), zorder=3)
        mark_thin(med, summary[N.THIN], [ORANGE] * len(groups))
        mark_thin(p90, summary[N.THIN], [BLUE] * len(groups))
        whiskers(ax, summary[cols.P90_MIN], summary[cols.P90_CI_LOW_MIN], summary[cols.P90_CI_HIGH_MIN], x + 0.2, False)
        for xi, m, p, hi, n, h in zip(x, summary[cols.MEDIAN_MIN], summary[cols.P90_MIN],
                                      summary[cols.P90_CI_HIGH_MIN], summary[N.N], hidden):  # fmt: skip
            if h:
                continue
            ax.text(xi - 0.2, m + 0.15, f"{m:.1f}", ha="center", va="bottom", fontsize=13)
            ax.text(xi + 0.2, (hi if pd.notna(hi) else p) + 0.15, f"{p:.1f}", ha="center", va="bottom", fontsize=13)
        mark_suppressed(ax, x, hidden, labels, horizontal=False, at=0.01, fontsize=13)
        names = [f"{labels.value(by, g)}\n{labels('common.n_suppressed', n=DEFAULT_MIN_CELL) if h else labels.n(n)}"
                 for g, n, h in zip(groups, summary[N.N], hidden)]  # fmt: skip
        ax.set_xticks(x, names, fontsize=14)
        ax.set_ylim(0, upper(summary[cols.P90_CI_HIGH_MIN], summary[cols.P90_MIN]) * 1.18)
        ax.set_ylabel(labels("axis.interval_min", what=labels.interval(interval)))
        handles, _ = ax.get_legend_handles_labels()
        figure_legend(fig, handles + [ci_handle(labels), thin_handle(labels), _legend_suppressed(labels, summary)])
    return fig


def attainment_trend(table: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "", footer: str = "",
                     highlight: str | None = None) -> Figure:  # fmt: skip
    """Share within target per month, one line per target, 95% CI band; the required share if the standard has one.

    ``table``: :func:`responsestats.briefing.tables.attainment_trend`. A suppressed month of a target has no
    point: ``<5`` in the target's colour at the foot of the month, and in its count.
    """
    targets = list(dict.fromkeys(table[N.TARGET_ID]))
    months = list(dict.fromkeys(table[N.KEY_MONTH]))
    x = np.arange(len(months))
    fig = new_figure(title, subtitle, footer)
    with style():
        ax = fig.subplots()
        if highlight in months:
            i = months.index(highlight)
            ax.axvspan(i - 0.5, i + 0.5, color=PALE, zorder=0)
        for j, target_id in enumerate(targets):
            rows = table[table[N.TARGET_ID] == target_id]
            colour = OKABE_ITO[j % len(OKABE_ITO)]
            name = segment_name(rows[cols.SEGMENT_KEY].iloc[0], rows[cols.TARGET_MIN].iloc[0], labels)
            ax.fill_between(x, 100 * rows[cols.SHARE_CI_LOW], 100 * rows[cols.SHARE_CI_HIGH], color=colour, alpha=0.14, lw=0)
            line_with_thin(ax, x, 100 * rows[N.SHARE_WITHIN], rows[N.THIN], colour, "-", "o", name)
            mark_suppressed(ax, x, suppressed_of(rows), labels, horizontal=False, at=0.01 + 0.05 * j, colour=colour)
            required = rows[N.REQUIRED_SHARE].iloc[0]
            if pd.notna(required):
                ax.axhline(100 * required, color=colour, ls="--", lw=1.5)
            last = rows[N.SHARE_WITHIN].iloc[-1]
            if pd.notna(last):
                ax.annotate(f"{100 * last:.0f}%", xy=(x[-1], 100 * last), xytext=(10, 0), textcoords="offset points",
                            va="center", color=colour, fontsize=13)  # fmt: skip
        counts = []
        for m in months:
            month_rows = table[table[N.KEY_MONTH] == m].set_index(N.TARGET_ID).reindex(targets)
            counts.append("/".join(suppressed_text(labels) if h else labels.count(v)
                                   for v, h in zip(month_rows[N.N], suppressed_of(month_rows))))  # fmt: skip
        month_axis(ax, months, labels, counts)
        ax.set_xlim(-0.6, len(months) - 0.1)
        ax.set_ylim(0, 105)
        ax.set_ylabel(labels("axis.share_within"))
        names = "/".join(labels.segment(table[table[N.TARGET_ID] == t][cols.SEGMENT_KEY].iloc[0]) for t in targets)
        ax.set_xlabel(labels("axis.month_n_of", names=names), color=GREY, fontsize=12)
        handles, _ = ax.get_legend_handles_labels()
        figure_legend(fig, handles + [Patch(facecolor=GREY, alpha=0.2, label=labels("legend.ci_band")),
                                      thin_marker_handle(labels), _legend_suppressed(labels, table)])  # fmt: skip
    return fig


__all__ = ["attainment_groups", "attainment_trend", "distribution", "hour_weekday", "hour_weekday_maps", "p90_by",
           "p90_groups",
           "segments", "trend"]  # fmt: skip
