"""Outcome charts: arrest rate with its denominator, time to arrest, the Kaplan-Meier curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ...metrics import names as N
from .. import columns as cols
from ..tables.outcomes import cumulative_at
from ..wording.labels import Labels
from ..wording.terms import hours_bin_label, hours_edge
from .base import BLUE, GREEN, GREY, ORANGE, PALE, figure_legend, new_figure, panel_title, style
from .common import (
    ci_handle,
    empty_panel,
    mark_suppressed,
    mark_thin,
    month_axis,
    suppressed_handle,
    suppressed_of,
    thin_handle,
    tick_size,
    tint,
    upper,
    whiskers,
)


def _rate_bars(ax, table: pd.DataFrame, labels: Labels, highlight: str | None) -> None:
    """Vertical bars of the arrest rate per group (months on x) with CI and 'arrests/eligible' (``<5``: suppressed)."""
    by = table[cols.BY].iloc[0]
    groups = list(table[cols.GROUP])
    x = np.arange(len(groups))
    rate = 100 * table[N.ARREST_RATE].to_numpy(dtype="float64")
    colours = [BLUE if (highlight is None or g == highlight) else tint(BLUE, 0.35) for g in groups]
    bars = ax.bar(x, np.nan_to_num(rate), color=colours, width=0.7, zorder=3)
    mark_thin(bars, table[N.THIN], [BLUE] * len(groups))
    high = 100 * table[cols.ARREST_RATE_CI_HIGH].to_numpy(dtype="float64")
    whiskers(ax, rate, 100 * table[cols.ARREST_RATE_CI_LOW], high, x, horizontal=False)
    for xi, r, h, a, e in zip(x, rate, high, table[N.ARRESTS], table[N.ELIGIBLE]):
        if np.isfinite(r):
            ax.text(xi, (h if np.isfinite(h) else r) + 0.15, f"{r:.1f}%\n{labels.count(a)}/{labels.count(e)}", ha="center", va="bottom",
                    fontsize=10.5, linespacing=1.1)  # fmt: skip
    mark_suppressed(ax, x, suppressed_of(table), labels, horizontal=False, at=0.01, fontsize=10.5)
    if by == N.KEY_MONTH:
        month_axis(ax, groups, labels, fontsize=tick_size(len(groups)))
    else:
        ax.set_xticks(x, [labels.value(by, g) for g in groups], fontsize=tick_size(len(groups)))
    ax.set_ylim(0, upper(high, rate) * 1.3)
    ax.set_ylabel(labels("axis.arrest_rate"))
    if highlight in groups:
        i = groups.index(highlight)
        ax.axvspan(i - 0.5, i + 0.5, color=PALE, zorder=0)


def _rate_hbars(ax, table: pd.DataFrame, labels: Labels, right: float) -> None:
    """Horizontal bars of the arrest rate per group, in table order from the top (``<5``: suppressed)."""
    if table.empty:  # no eligible call in these months (e.g. a filter that keeps only cancelled calls)
        ax.set_axis_off()
        ax.text(0.5, 0.5, labels("title.empty"), ha="center", va="center", fontsize=16, color=GREY,
                transform=ax.transAxes)  # fmt: skip
        return
    by = table[cols.BY].iloc[0]
    y = np.arange(len(table))
    rate = 100 * table[N.ARREST_RATE].to_numpy(dtype="float64")
    bars = ax.barh(y, np.nan_to_num(rate), color=BLUE, height=0.7, zorder=3)
    mark_thin(bars, table[N.THIN], [BLUE] * len(table))
    high = 100 * table[cols.ARREST_RATE_CI_HIGH].to_numpy(dtype="float64")
    whiskers(ax, rate, 100 * table[cols.ARREST_RATE_CI_LOW], high, y, horizontal=True)
    size = tick_size(len(table))
    for yi, r, h, a, e in zip(y, rate, high, table[N.ARRESTS], table[N.ELIGIBLE]):
        if np.isfinite(r):
            ax.text((h if np.isfinite(h) else r) + right * 0.01, yi, f"{r:.1f}%  ({labels.count(a)}/{labels.count(e)})", va="center",
                    fontsize=size - 0.5)  # fmt: skip
    mark_suppressed(ax, y, suppressed_of(table), labels, horizontal=True, fontsize=size - 0.5)
    ax.set_yticks(y, [labels.value(by, g) for g in table[cols.GROUP]], fontsize=size)
    ax.set_ylim(len(table) - 0.4, -0.6)
    ax.set_xlim(0, right)
    ax.grid(axis="x", visible=True)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(labels("axis.arrest_rate"))


def arrest_rate(table: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "", footer: str = "",
                highlight: str | None = None) -> Figure:  # fmt: skip
    """Arrest rate per group with its 95% CI and 'arrests / eligible' on every bar.

    Months run along x; other groups are horizontal bars in table order (two
    panels when there are more than 25). ``table``: :func:`responsestats.briefing.tables.outcomes_by`.
    """
    by = table[cols.BY].iloc[0]
    fig = new_figure(title, subtitle, footer)
    with style():
        if by == N.KEY_MONTH:
            ax = fig.subplots()
            _rate_bars(ax, table, labels, highlight)
            ax.set_xlabel(labels("axis.month"))
        else:
            halves = [table] if len(table) <= 25 else [table.iloc[: (len(table) + 1) // 2], table.iloc[(len(table) + 1) // 2:]]
            axes = fig.subplots(1, len(halves), squeeze=False)[0]
            right = upper(100 * table[cols.ARREST_RATE_CI_HIGH], 100 * table[N.ARREST_RATE]) * 1.35
            for ax, part in zip(axes, halves):
                _rate_hbars(ax, part.reset_index(drop=True), labels, right)
        figure_legend(fig, [Patch(color=BLUE, label=labels("legend.arrest_rate")), ci_handle(labels),
                            thin_handle(labels), _legend_suppressed(labels, table)])  # fmt: skip
    return fig


def _legend_suppressed(labels: Labels, table: pd.DataFrame):
    """The ``<5`` legend entry when the table has a suppressed cell, else None (left out of the legend)."""
    return suppressed_handle(labels) if suppressed_of(table).any() else None


def _arrest_hist(ax, hist: pd.DataFrame, labels: Labels) -> None:
    y = np.arange(len(hist))
    caught = hist[cols.N_CAUGHT].to_numpy()
    later = hist[cols.N_LATER].to_numpy()
    ax.barh(y, caught, color=GREEN, height=0.7, label=labels("legend.caught"), zorder=3)
    ax.barh(y, later, left=caught, color=ORANGE, height=0.7, label=labels("legend.later"), zorder=3)
    total = caught + later
    right = upper(total) * 1.18
    for yi, t in zip(y, total):
        if t:
            ax.text(t + right * 0.01, yi, f"{t}", va="center", fontsize=12)
    names = [hours_bin_label(lo, hi, labels) for lo, hi in zip(hist[cols.HOURS_LOW], hist[cols.HOURS_HIGH])]
    ax.set_yticks(y, names, fontsize=12)
    ax.set_ylim(len(hist) - 0.4, -0.6)
    ax.set_xlim(0, right)
    ax.grid(axis="x", visible=True)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(labels("axis.arrests"))
    ax.set_ylabel(labels("axis.time_to_arrest"))


def time_to_arrest(hist: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "", footer: str = "") -> Figure:
    """Arrests by time from dispatch to arrest: caught in the act or later, stacked.

    ``hist``: :func:`responsestats.briefing.tables.time_to_arrest_histogram`.
    """
    fig = new_figure(title, subtitle, footer)
    with style():
        ax = fig.subplots()
        _arrest_hist(ax, hist, labels)
        handles, _ = ax.get_legend_handles_labels()
        figure_legend(fig, handles)
    return fig


def arrests(by_type: pd.DataFrame, hist: pd.DataFrame, labels: Labels, *, title: str, rate_title: str,
            hist_title: str, subtitle: str = "", footer: str = "") -> Figure:  # fmt: skip
    """The briefing's outcome chart: arrest rate by call type (left) and time to arrest (right).

    ``by_type``: :func:`responsestats.briefing.tables.outcomes_by` by a group column, highest rate first;
    ``hist``: :func:`responsestats.briefing.tables.time_to_arrest_histogram`.
    """
    fig = new_figure(title, subtitle, footer)
    with style():
        left, right = fig.subplots(1, 2, width_ratios=[1.25, 1])
        top = upper(100 * by_type[cols.ARREST_RATE_CI_HIGH], 100 * by_type[N.ARREST_RATE]) * 1.45
        _rate_hbars(left, by_type.reset_index(drop=True), labels, top)
        panel_title(left, rate_title)
        _arrest_hist(right, hist, labels)
        panel_title(right, hist_title)
        handles, _ = right.get_legend_handles_labels()
        figure_legend(fig, [Patch(color=BLUE, label=labels("legend.arrest_rate")), ci_handle(labels),
                            thin_handle(labels) if by_type[N.THIN].any() else None, *handles,
                            _legend_suppressed(labels, by_type)])  # fmt: skip
    return fig


def km_curve(curve: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "", footer: str = "",
             marks_hours: tuple[float, ...] = (1.0, 24.0, 168.0)) -> Figure:  # fmt: skip
    """Kaplan-Meier cumulative share of eligible incidents with an arrest, by hours since dispatch (log scale).

    ``curve``: :func:`responsestats.briefing.tables.arrest_curve`.
    """
    fig = new_figure(title, subtitle, footer)
    with style():
        ax = fig.subplots()
        t = curve[N.KM_TIME].to_numpy(dtype="float64")
        keep = t > 0
        start = max(np.nanmin(t[keep]) if keep.any() else 0.01, 0.01)
        t_plot = np.concatenate([[start], np.clip(t[keep], start, None)])
        c = np.concatenate([[0.0], 100 * curve[cols.CUMULATIVE].to_numpy()[keep]])
        lo = np.concatenate([[0.0], 100 * curve[cols.CUMULATIVE_CI_LOW].to_numpy()[keep]])
        hi = np.concatenate([[0.0], 100 * curve[cols.CUMULATIVE_CI_HIGH].to_numpy()[keep]])
        ax.fill_between(t_plot, lo, hi, step="post", color=BLUE, alpha=0.15, lw=0)
        ax.step(t_plot, c, where="post", color=BLUE, lw=2.5)
        ax.set_xscale("log")
        top = upper(hi, c) * 1.2
        for h in marks_hours:
            if start < h < t_plot[-1]:
                v = 100 * cumulative_at(curve, h)
                ax.plot([h], [v], marker="o", color=BLUE, markersize=9, zorder=5)
                ax.annotate(labels("chart.km_mark", time=hours_edge(h, labels), value=f"{v:.2f}%"), xy=(h, v), xytext=(8, -18), textcoords="offset points",
                            fontsize=13)  # fmt: skip
        ticks = [x for x in (0.1, 0.5, 1, 2, 4, 8, 24, 72, 168, 336, 720, 2160) if start <= x <= t_plot[-1] * 1.01]
        ax.set_xticks(ticks, [hours_edge(x, labels) for x in ticks])
        ax.minorticks_off()
        ax.set_xlim(start, t_plot[-1])
        ax.set_ylim(0, top)
        ax.set_xlabel(labels("axis.hours_since_dispatch"))
        ax.set_ylabel(labels("axis.cumulative_arrested"))
        ax.grid(axis="x", visible=True)
        figure_legend(fig, [Line2D([], [], color=BLUE, lw=2.5, label=labels("legend.km")),
                            Patch(facecolor=BLUE, alpha=0.15, label=labels("legend.ci_band"))])  # fmt: skip
    return fig


def not_available(labels: Labels, reasons: str, *, title: str, subtitle: str = "", footer: str = "") -> Figure:
    """The slide of an outcome chart the source cannot fill: no axes, no zeros, the reason in words.

    ``reasons``: why (the catalogue's ``not_available.<code>`` texts, joined).
    """
    fig = new_figure(title, subtitle, footer)
    with style():
        empty_panel(fig, labels, reasons)
    return fig
