"""Call volume charts: calls against valid calls by month, counts by group with their changes, ladders.

Layout only: every figure comes from :mod:`responsestats.briefing.tables.volume` or
:mod:`~responsestats.briefing.tables.response`, every word from the catalogue (passed in as text).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ...metrics import names as N
from .. import columns as cols
from ..wording.labels import Labels
from .base import BLUE, GREEN, GREY, LIGHT_GREY, STATE_COLOURS, VERMILLION, figure_legend, new_figure, panel_title, style
from .common import empty_panel, month_axis, tint

#: Bars drawn per count panel at most (the rest are counted in the panel's note).
MAX_BARS = 15
#: Colours of a ladder's bands, fastest first (dark blue to orange-red: the slow end stands out).
BAND_COLOURS = ("#08519C", "#3182BD", "#9ECAE1", "#FDAE6B", VERMILLION, "#A50F15")


def call_volume(monthly: pd.DataFrame, side: pd.DataFrame, labels: Labels, *, title: str, subtitle: str,
                footer: str, side_title: str, highlight: str, valid: bool) -> Figure:  # fmt: skip
    """Calls per day by month (all, and valid within them), and the month's breakdown on the right.

    ``monthly``: :func:`~..tables.volume.monthly_volume`; ``side``: :func:`~..tables.volume.volume_by` (the
    invalid calls by kind, or every call by category where the standard tells no valid calls).
    """
    fig = new_figure(title, subtitle, footer)
    with style():
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.7, 1]})
        x = np.arange(len(monthly))
        per_day = monthly[cols.PER_DAY].to_numpy(float)
        colours = [BLUE if m == highlight else tint(BLUE, 0.35) for m in monthly[N.KEY_MONTH]]
        if valid:
            left.bar(x, np.nan_to_num(per_day), 0.75, color=LIGHT_GREY, zorder=2)
            left.bar(x, np.nan_to_num(monthly[cols.VALID_PER_DAY].to_numpy(float)), 0.75, color=colours, zorder=3)
            for xi, total, share in zip(x, per_day, monthly[cols.VALID_SHARE].to_numpy(float)):
                if np.isfinite(total) and np.isfinite(share):
                    left.text(xi, total, labels.percent(share, 0), ha="center", va="bottom", fontsize=11, color=GREY)
        else:
            left.bar(x, np.nan_to_num(per_day), 0.75, color=colours, zorder=3)
        month_axis(left, list(monthly[N.KEY_MONTH]), labels)
        left.set_ylabel(labels("volume.axis_per_day"))
        left.set_ylim(0, max(1.0, np.nanmax(np.append(per_day, 0)) * 1.12))
        panel_title(left, labels("volume.panel_months"), loc="left")
        _count_bars(right, side, labels, side_title)
        handles = [Patch(color=LIGHT_GREY, label=labels("volume.legend_all")),
                   Patch(color=BLUE, label=labels("volume.legend_valid"))] if valid else []  # fmt: skip
        figure_legend(fig, handles)
    return fig


def _change_text(row: pd.Series, labels: Labels) -> list[tuple[str, str]]:
    """The changes of one group in words, each with its colour state (clear: up/down coloured; else grey)."""
    out = []
    for ref, col in ((cols.PERIOD_PREVIOUS, cols.CHANGE_PREVIOUS), (cols.PERIOD_YEAR_AGO, cols.CHANGE_YEAR_AGO)):
        value = row[col]
        if not np.isfinite(value):
            out.append((labels(f"volume.change_na_{ref}"), "na"))
            continue
        clear = bool(row[cols.CLEAR_OF + ref])
        out.append((labels(f"volume.change_{ref}", value=f"{int(round(100 * value)):+d}%"), ("worse" if value > 0 else "better")
                    if clear else "noise"))  # fmt: skip
    return out


def _count_bars(ax, table: pd.DataFrame, labels: Labels, title: str) -> None:
    """Horizontal bars of the month's count per group, most first, each with its 环比/同比 in words."""
    panel_title(ax, title, loc="left")
    if table.empty:
        ax.text(0.5, 0.5, labels("volume.no_calls"), ha="center", va="center", transform=ax.transAxes, color=GREY)
        ax.set_axis_off()
        return
    shown = table.head(MAX_BARS)
    y = np.arange(len(shown))[::-1]
    counts = shown[cols.PERIOD_CURRENT].to_numpy(float)
    ax.barh(y, np.nan_to_num(counts), 0.7, color=tint(BLUE, 0.25), zorder=3)
    top = np.nanmax(np.append(counts, 1.0))
    for yi, (_, row) in zip(y, shown.iterrows()):
        if row[cols.SUPPRESSED]:
            ax.text(0, yi, " " + labels("chart.suppressed_cell"), va="center", fontsize=12, color=GREY)
            continue
        ax.text(row[cols.PERIOD_CURRENT] + top * 0.01, yi, labels.count(row[cols.PERIOD_CURRENT]), va="center",
                fontsize=12)  # fmt: skip
        parts = _change_text(row, labels)
        ax.text(top * 1.16, yi + 0.17, parts[0][0], va="center", fontsize=10.5, color=STATE_COLOURS[parts[0][1]])
        ax.text(top * 1.16, yi - 0.19, parts[1][0], va="center", fontsize=10.5, color=STATE_COLOURS[parts[1][1]])
    names = [labels.value(table.attrs.get("by", ""), g) for g in shown[cols.GROUP]]
    ax.set_yticks(y, names, fontsize=12)
    ax.set_xlim(0, top * 1.65)
    ax.set_xticks([])
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    if len(table) > len(shown):
        ax.text(1.0, -0.04, labels("volume.more_groups", n=len(table) - len(shown)), transform=ax.transAxes,
                ha="right", va="top", fontsize=11, color=GREY)  # fmt: skip


def count_panels(panels: Sequence[tuple[str, pd.DataFrame]], labels: Labels, *, title: str, subtitle: str,
                 footer: str) -> Figure:  # fmt: skip
    """One panel of horizontal count bars per (panel title, :func:`~..tables.volume.volume_by` table)."""
    fig = new_figure(title, subtitle, footer)
    with style():
        axes = fig.subplots(1, len(panels), squeeze=False)[0]
        for ax, (panel, table) in zip(axes, panels):
            _count_bars(ax, table, labels, panel)
        figure_legend(fig, [Patch(color=STATE_COLOURS["worse"], label=labels("volume.legend_up")),
                            Patch(color=STATE_COLOURS["better"], label=labels("volume.legend_down")),
                            Patch(color=GREY, label=labels("volume.legend_noise"))])  # fmt: skip
    return fig


def ladders(panels: Sequence[tuple[str, pd.DataFrame]], open_orders: pd.DataFrame, band_names: Sequence[str],
            labels: Labels, *, title: str, subtitle: str, footer: str, open_title: str,
            all_label: str) -> Figure:  # fmt: skip
    """Per ladder, 100% bars of the steps' bands for all calls and the slowest groups; the open orders last.

    ``panels``: (panel title, rows of one ladder: ``group`` (``all_label`` for all calls first), ``step``,
    ``share_in_step``, ``n``, ``suppressed``). ``open_orders``: rows ``age_band``, ``open_orders`` (summed
    over groups); ``band_names``: the age bands' names.
    """
    fig = new_figure(title, subtitle, footer)
    with style():
        n = len(panels) + 1
        ncols = 3 if n > 4 else 2
        nrows = int(np.ceil(n / ncols))
        axes = fig.subplots(nrows, ncols, squeeze=False).flat
        for ax, (panel, rows) in zip(axes, panels):
            panel_title(ax, panel, loc="left", fontsize=14)
            groups = list(dict.fromkeys(rows[cols.GROUP]))
            y = np.arange(len(groups))[::-1]
            for yi, g in zip(y, groups):
                one = rows[rows[cols.GROUP] == g].sort_values(N.STEP)
                if one[cols.SUPPRESSED].any():
                    ax.text(0.01, yi, labels("chart.suppressed_cell"), va="center", fontsize=11, color=GREY)
                    continue
                left = 0.0
                for k, share in enumerate(one[N.SHARE_IN_STEP].fillna(0).to_numpy(float)):
                    ax.barh(yi, share, 0.7, left=left, color=BAND_COLOURS[min(k, len(BAND_COLOURS) - 1)], zorder=3)
                    if share >= 0.08:
                        ax.text(left + share / 2, yi, f"{100 * share:.0f}", ha="center", va="center", fontsize=10,
                                color="white" if k in (0, 1, 4, 5) else "#222222")  # fmt: skip
                    left += share
                ax.text(1.01, yi, labels.n(int(one[N.N].iloc[0])), va="center", fontsize=10, color=GREY)
            ax.set_yticks(y, groups, fontsize=11)
            ax.set_xlim(0, 1.12)
            ax.set_xticks([0, 0.5, 1.0], ["0", "50%", "100%"], fontsize=10)
            ax.spines[["top", "right"]].set_visible(False)
            steps = rows.drop_duplicates(N.STEP).sort_values(N.STEP)
            handles = [Patch(color=BAND_COLOURS[min(k, len(BAND_COLOURS) - 1)], label=str(name))
                       for k, name in enumerate(steps[cols.BAND])]  # fmt: skip
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=len(handles),
                      fontsize=9.5, frameon=False, handlelength=1.2, columnspacing=0.8)  # fmt: skip
        ax = fig.axes[len(panels)]
        panel_title(ax, open_title, loc="left", fontsize=14)
        counts = open_orders.set_index(cols.AGE_BAND)[cols.OPEN_ORDERS].reindex(range(len(band_names))).fillna(0)
        y = np.arange(len(band_names))[::-1]
        ax.barh(y, counts.to_numpy(float), 0.7, color=tint(VERMILLION, 0.2), zorder=3)
        top = max(1.0, float(counts.max()))
        for yi, value in zip(y, counts.to_numpy()):
            ax.text(value + top * 0.02, yi, labels.count(value), va="center", fontsize=11)
        ax.set_yticks(y, band_names, fontsize=11)
        ax.set_xlim(0, top * 1.2)
        ax.set_xticks([])
        ax.spines[["top", "right", "bottom"]].set_visible(False)
        for extra in fig.axes[len(panels) + 1:]:
            extra.set_axis_off()
    return fig


def targets(table: pd.DataFrame, labels: Labels, *, title: str, subtitle: str, footer: str) -> Figure:
    """Share within target per target of the standard: bar, 95% interval, the required share as a tick.

    ``table``: :func:`~..tables.targets.targets_table` (``label`` already worded).
    """
    fig = new_figure(title, subtitle, footer)
    with style():
        ax = fig.subplots()
        if table.empty:
            empty_panel(fig, labels)
            return fig
        y = np.arange(len(table))[::-1]
        share = 100 * table[N.SHARE_WITHIN].to_numpy(float)
        met = table[N.SHARE_WITHIN].to_numpy(float) >= table[N.REQUIRED_SHARE].fillna(0).to_numpy(float)
        colours = [GREEN if m else VERMILLION for m in met]
        ax.barh(y, np.nan_to_num(share), 0.6, color=[tint(c, 0.15) for c in colours], zorder=3)
        low, high = 100 * table[cols.SHARE_CI_LOW].to_numpy(float), 100 * table[cols.SHARE_CI_HIGH].to_numpy(float)
        ok = np.isfinite(share) & np.isfinite(low)
        ax.errorbar(share[ok], y[ok], xerr=[share[ok] - low[ok], high[ok] - share[ok]], fmt="none", ecolor="#222222",
                    capsize=4, zorder=4)  # fmt: skip
        for yi, req in zip(y, table[N.REQUIRED_SHARE].to_numpy(float)):
            if np.isfinite(req):
                ax.plot([100 * req] * 2, [yi - 0.38, yi + 0.38], color="#222222", ls="--", lw=1.6, zorder=5)
        for yi, (_, row) in zip(y, table.iterrows()):
            ax.text(101, yi, row[cols.VALUE_TEXT], va="center", fontsize=12.5)
        ax.set_yticks(y, table[cols.LABEL_TEXT], fontsize=12.5)
        ax.set_xlim(0, 150)
        ax.set_xticks(np.arange(0, 101, 20))
        ax.set_xlabel(labels("axis.share_within"))
        ax.spines[["top", "right"]].set_visible(False)
        figure_legend(fig, [Patch(color=tint(GREEN, 0.15), label=labels("targets.legend_met")),
                            Patch(color=tint(VERMILLION, 0.15), label=labels("targets.legend_not_met")),
                            Line2D([], [], color="#222222", ls="--", label=labels("legend.required_share")),
                            Line2D([], [], color="#222222", marker="|", ls="none", markersize=12,
                                   label=labels("legend.ci"))])  # fmt: skip
    return fig
