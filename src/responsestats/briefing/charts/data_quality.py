"""Data-quality charts: missing and negative timestamps by month, quarantine and reconciliation."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ... import schema as S
from ...metrics import names as N
from .. import columns as cols
from ..wording.labels import Labels
from .base import BLUE, OKABE_ITO, PALE, figure_legend, new_figure, panel_title, style
from .common import month_axis, tick_size, upper

_MARKERS = ("o", "s", "D", "^", "v", "P", "X")


def _check_lines(ax, quality: pd.DataFrame, check: str, labels: Labels, highlight: str | None) -> list:
    """One line per field of ``check`` (share of rows, %); returns legend handles."""
    rows = quality[quality[cols.CHECK] == check]
    months = list(dict.fromkeys(rows[N.KEY_MONTH]))
    x = np.arange(len(months))
    handles = []
    for i, field in enumerate(dict.fromkeys(rows[cols.FIELD])):
        part = rows[rows[cols.FIELD] == field].set_index(N.KEY_MONTH).reindex(months)
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        name = labels(f"field.{field}") if check == cols.CHECK_MISSING else labels.interval(field)
        ax.plot(x, 100 * part[cols.SHARE], color=colour, marker=_MARKERS[i % len(_MARKERS)], lw=2, markersize=6,
                label=name)  # fmt: skip
        handles.append(Line2D([], [], color=colour, marker=_MARKERS[i % len(_MARKERS)], lw=2, label=name))
    if highlight in months:
        i = months.index(highlight)
        ax.axvspan(i - 0.5, i + 0.5, color=PALE, zorder=0)
    month_axis(ax, months, labels, fontsize=tick_size(len(months)))
    ax.set_xlim(-0.5, len(months) - 0.5)
    ax.set_ylim(0, upper(100 * rows[cols.SHARE]) * 1.25 if rows[cols.SHARE].max() > 0 else 1.0)
    ax.set_ylabel(labels(f"axis.{check}_share"))
    return handles


def missing(quality: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "", footer: str = "",
            highlight: str | None = None) -> Figure:  # fmt: skip
    """Share of rows missing each timestamp, per month. ``quality``: :func:`responsestats.briefing.tables.timestamp_quality`."""
    fig = new_figure(title, subtitle, footer)
    with style():
        ax = fig.subplots()
        handles = _check_lines(ax, quality, cols.CHECK_MISSING, labels, highlight)
        ax.set_xlabel(labels("axis.month"))
        figure_legend(fig, handles)
    return fig


def negative(quality: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "", footer: str = "",
             highlight: str | None = None) -> Figure:  # fmt: skip
    """Share of intervals whose end precedes their start, per month."""
    fig = new_figure(title, subtitle, footer)
    with style():
        ax = fig.subplots()
        handles = _check_lines(ax, quality, cols.CHECK_NEGATIVE, labels, highlight)
        ax.set_xlabel(labels("axis.month"))
        figure_legend(fig, handles)
    return fig


def _reason_bars(ax, reasons: pd.DataFrame, labels: Labels) -> None:
    y = np.arange(len(reasons))
    ax.barh(y, reasons[cols.ROWS], color=BLUE, height=0.5, zorder=3)
    right = upper(reasons[cols.ROWS]) * 1.35 if len(reasons) else 1.0
    for yi, n, s in zip(y, reasons[cols.ROWS], reasons[cols.SHARE]):
        ax.text(n + right * 0.01, yi, f"{n}  ({100 * s:.2f}%)", va="center", fontsize=12)
    ax.set_yticks(y, [labels(f"reason.{r}") for r in reasons[S.Q_REASON]], fontsize=12)
    ax.set_ylim(max(len(reasons), 1) - 0.4, -0.6)
    ax.set_xlim(0, right)
    ax.grid(axis="x", visible=True)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(labels("axis.rows"))
    if reasons.empty:
        ax.text(0.5, 0.5, labels("chart.none_quarantined"), transform=ax.transAxes, ha="center", fontsize=15)


def quarantine(reasons: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "", footer: str = "") -> Figure:
    """Quarantined rows by reason. ``reasons``: :func:`responsestats.briefing.tables.quarantine_reasons`."""
    fig = new_figure(title, subtitle, footer)
    with style():
        ax = fig.subplots()
        _reason_bars(ax, reasons, labels)
    return fig


def quarantine_files(by_file: pd.DataFrame, recon: pd.DataFrame, labels: Labels, *, title: str, subtitle: str = "",
                     footer: str = "") -> Figure:  # fmt: skip
    """Quarantined rows per input file, stacked by reason, with rows read per file.

    ``by_file``: :func:`responsestats.briefing.tables.quarantine_by_file`; ``recon``: :func:`responsestats.briefing.tables.reconciliation`.
    """
    files = list(recon[S.SOURCE_FILE])
    reasons = list(dict.fromkeys(by_file[S.Q_REASON]))
    y = np.arange(len(files))
    fig = new_figure(title, subtitle, footer)
    with style():
        ax = fig.subplots()
        left = np.zeros(len(files))
        for i, reason in enumerate(reasons):
            part = by_file[by_file[S.Q_REASON] == reason].set_index(S.SOURCE_FILE)[cols.ROWS].reindex(files)
            values = part.fillna(0).to_numpy(dtype="float64")
            ax.barh(y, values, left=left, color=OKABE_ITO[i % len(OKABE_ITO)], height=0.7, zorder=3,
                    label=labels(f"reason.{reason}"))  # fmt: skip
            left += values
        right = upper(left) * 1.45
        for yi, q, r, ok in zip(y, left, recon[S.R_ROWS_READ], recon[cols.RECONCILED]):
            mark = labels("chart.reconciled") if ok else labels("chart.not_reconciled")
            ax.text(q + right * 0.01, yi, labels("chart.file_rows", q=int(q), read=labels.count(r), mark=mark),
                    va="center", fontsize=tick_size(len(files)) - 0.5)  # fmt: skip
        ax.set_yticks(y, files, fontsize=tick_size(len(files)))
        ax.set_ylim(len(files) - 0.4, -0.6)
        ax.set_xlim(0, right)
        ax.grid(axis="x", visible=True)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(labels("axis.rows_quarantined"))
        handles, _ = ax.get_legend_handles_labels()
        figure_legend(fig, handles)
    return fig


def quality(quality_table: pd.DataFrame, reasons: pd.DataFrame, totals: pd.DataFrame, labels: Labels, *,
            title: str, subtitle: str = "", footer: str = "", highlight: str | None = None) -> Figure:  # fmt: skip
    """The briefing's data-quality chart: missing stamps and negative intervals by month (left), quarantine (right)."""
    t = totals.iloc[0]
    fig = new_figure(title, subtitle, footer)
    with style():
        grid = fig.add_gridspec(2, 2, width_ratios=[1.6, 1])
        top = fig.add_subplot(grid[0, 0])
        bottom = fig.add_subplot(grid[1, 0], sharex=top)
        side = fig.add_subplot(grid[:, 1])
        h1 = _check_lines(top, quality_table, cols.CHECK_MISSING, labels, highlight)
        panel_title(top, labels("chart.missing_panel"))
        top.legend(handles=h1, loc="upper left", ncols=3, fontsize=11, bbox_to_anchor=(0, 1.0))
        top.set_ylim(0, top.get_ylim()[1] * 1.35)
        h2 = _check_lines(bottom, quality_table, cols.CHECK_NEGATIVE, labels, highlight)
        panel_title(bottom, labels("chart.negative_panel"))
        bottom.legend(handles=h2, loc="upper left", ncols=3, fontsize=11)
        bottom.set_ylim(0, bottom.get_ylim()[1] * 1.5)
        _reason_bars(side, reasons, labels)
        panel_title(side, labels("chart.quarantine_panel", read=labels.count(t[S.R_ROWS_READ]),
                              written=labels.count(t[S.R_ROWS_WRITTEN]),
                              quarantined=labels.count(t[S.R_ROWS_QUARANTINED])))  # fmt: skip
        if highlight is not None:
            figure_legend(fig, [Patch(facecolor=PALE, label=labels("legend.this_month"))])
    return fig

