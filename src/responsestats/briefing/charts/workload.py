"""The workload chart: by hour of day, incidents in progress, units busy and teams on duty (top), calls received
per day (bottom), and, for unit-level data, the unit hour utilisation per unit type or station (right).

Layout only: the tables come from :mod:`responsestats.briefing.tables.workload` and every word from the
catalogue's ``[workload]`` table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ...metrics import names as N
from .. import columns as cols
from ..wording.labels import Labels
from ..wording.terms import group_name, group_word
from .base import BLUE, GREEN, GREY, ORANGE, PALE, figure_legend, new_figure, panel_title, style
from .common import mark_suppressed, suppressed_handle, suppressed_of, tick_size, tint, upper

HOURS = np.arange(24)
#: Rows the UHU panel has room for at least, so that two groups do not make two slabs.
MIN_UHU_ROWS = 6
#: Line colours: incidents in progress, units busy, teams on duty.
INCIDENT_COLOUR, UNIT_COLOUR, TEAM_COLOUR = BLUE, ORANGE, GREEN


def _block_hours(block: pd.DataFrame | None) -> list[int]:
    if block is None or not len(block):
        return []
    start, span = int(block[cols.HOUR_START].iloc[0]), int(block[cols.HOURS_IN_BLOCK].iloc[0])
    return [(start + k) % 24 for k in range(span)]


def _shade(ax, hours: list[int]) -> None:
    for h in hours:
        ax.axvspan(h - 0.5, h + 0.5, color=PALE, zorder=0, lw=0)


def _hour_axis(ax, labels: Labels, with_labels: bool) -> None:
    ax.set_xticks(HOURS, [f"{h:02d}" for h in HOURS] if with_labels else [], fontsize=11)
    ax.set_xlim(-0.6, 23.6)
    ax.grid(axis="x", visible=False)


def _at_once(ax, table: pd.DataFrame, labels: Labels, block_hours: list[int]) -> list:
    """Incidents in progress, units busy (where available) and teams on duty (a step line, where a roster is
    given); the legend handles."""
    incidents = table[N.INCIDENTS_IN_PROGRESS].to_numpy(dtype="float64")
    units = table[N.UNITS_BUSY].to_numpy(dtype="float64")
    teams = table[N.TEAMS_ON_DUTY].to_numpy(dtype="float64")
    _shade(ax, block_hours)
    ax.plot(HOURS, incidents, color=INCIDENT_COLOUR, marker="o", zorder=5)
    handles = [Line2D([], [], color=INCIDENT_COLOUR, marker="o", label=labels("workload.legend_incidents"))]
    if np.isfinite(units).any():
        ax.plot(HOURS, units, color=UNIT_COLOUR, ls="--", marker="s", markersize=6, zorder=4)
        handles.append(Line2D([], [], color=UNIT_COLOUR, ls="--", marker="s", label=labels("workload.legend_units")))
    if np.isfinite(teams).any():
        ax.step(np.arange(25) - 0.5, np.append(teams, teams[-1]), where="post", color=TEAM_COLOUR, lw=2.6, zorder=3)
        handles.append(Line2D([], [], color=TEAM_COLOUR, lw=2.6, label=labels("workload.legend_teams")))
    ax.set_ylim(0, upper(incidents, units, teams) * 1.18)
    ax.set_ylabel(labels("workload.axis_at_once"))
    _hour_axis(ax, labels, with_labels=False)
    return handles


def _calls(ax, table: pd.DataFrame, labels: Labels, block_hours: list[int]) -> None:
    per_day = table[N.CALLS_PER_DAY].to_numpy(dtype="float64")
    hidden = suppressed_of(table)
    colours = [BLUE if h in block_hours else tint(BLUE, 0.45) for h in HOURS]
    ax.bar(HOURS, np.nan_to_num(per_day), width=0.72, color=colours, zorder=3)
    mark_suppressed(ax, HOURS, hidden, labels, horizontal=False, at=0.02, fontsize=10.5)
    ax.set_ylim(0, upper(per_day) * 1.15)
    ax.set_ylabel(labels("workload.axis_calls_per_day"))
    ax.set_xlabel(labels("workload.axis_hour"))
    _hour_axis(ax, labels, with_labels=True)


def _uhu(ax, uhu: pd.DataFrame, labels: Labels) -> None:
    by = uhu[cols.BY].iloc[0]
    y = np.arange(len(uhu))
    share = 100.0 * uhu[N.UHU].to_numpy(dtype="float64")
    ax.barh(y, np.nan_to_num(share), height=0.7, color=BLUE, zorder=3)
    size = tick_size(len(uhu))
    for yi, value, units in zip(y, share, uhu[N.N_UNITS]):
        text = labels("workload.uhu_value", value=labels.number(value, 1),
                      units=labels.count(units)) if np.isfinite(value) else labels("workload.uhu_none")  # fmt: skip
        ax.text(0 if not np.isfinite(value) else value, yi, "  " + text, va="center", ha="left", fontsize=size - 1,
                color="#333333", zorder=5)  # fmt: skip
    names = [labels.value(by, g) if by is not None else labels("workload.uhu_all") for g in uhu[cols.GROUP]]
    ax.set_yticks(y, names, fontsize=size)
    ax.set_ylim(max(len(uhu), MIN_UHU_ROWS) - 0.4, -0.6)  # a few groups: bars of a normal height, at the top
    ax.set_xlim(0, upper(share) * 1.75)
    ax.grid(axis="x", visible=True)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(labels("workload.axis_uhu") + "\n" + labels("workload.uhu_assumption"), fontsize=12.5)
    total, shown = int(uhu[cols.PANEL_TOTAL].iloc[0]), len(uhu)
    name = group_name(by, labels) if by is not None else labels("workload.uhu_all")
    title = labels("workload.panel_uhu", group=name)
    if shown < total:
        title += labels("workload.panel_uhu_shown", shown=shown, total=total, groups=group_word(by, labels))
    panel_title(ax, title)


def workload_by_hour(table: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "", footer: str = "",
                     block: pd.DataFrame | None = None, uhu: pd.DataFrame | None = None,
                     reasons: dict[str, str] | None = None) -> Figure:  # fmt: skip
    """By hour of the day: incidents in progress, units busy and teams on duty (top), calls per day (bottom);
    with ``uhu``, the unit hour utilisation per group (right).

    ``table``: :func:`responsestats.briefing.tables.workload.workload_table`; ``block``:
    :func:`~responsestats.briefing.tables.workload.pressure_block` (its hours shaded, and darker bars);
    ``uhu``: :func:`~responsestats.briefing.tables.workload.uhu_table` (None or empty: no right panel);
    ``reasons``: the figures not shown (``units`` / ``teams``) -> why, in words, for the legend.
    """
    reasons = reasons or {}
    block_hours = _block_hours(block)
    with_uhu = uhu is not None and len(uhu) > 0
    fig = new_figure(title, subtitle, footer)
    with style():
        if with_uhu:
            grid = fig.add_gridspec(2, 2, width_ratios=[2.15, 1], height_ratios=[1.35, 1])
            top = fig.add_subplot(grid[0, 0])
            bottom = fig.add_subplot(grid[1, 0], sharex=top)
            _uhu(fig.add_subplot(grid[:, 1]), uhu, labels)
        else:
            top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.35, 1])
        handles = _at_once(top, table, labels, block_hours)
        top.tick_params(axis="x", labelbottom=False)  # the hours are read on the bottom panel
        panel_title(top, labels("workload.panel_hours"))
        _calls(bottom, table, labels, block_hours)
        panel_title(bottom, labels("workload.panel_calls"))
        handles.append(Patch(color=tint(BLUE, 0.45), label=labels("workload.legend_calls")))
        if block_hours:
            handles.append(Patch(color=PALE, label=labels("workload.legend_block")))
        for key, reason in reasons.items():
            handles.append(Line2D([], [], color=GREY, ls=":", lw=2, label=labels(f"workload.legend_{key}_na",
                                                                                reason=reason)))  # fmt: skip
        if suppressed_of(table).any():
            handles.append(suppressed_handle(labels))
        figure_legend(fig, handles)
    return fig


__all__ = ["workload_by_hour"]
