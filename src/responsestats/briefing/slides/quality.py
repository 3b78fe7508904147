"""The data-quality slides of the analysis notebook (``01_data_quality``), one function each.

As :mod:`.monthly`: each function computes its tables, states the finding
once and draws the chart. The missing-stamp and backward-interval slides take
the quality table computed once over the whole history
(:func:`~..tables.timestamp_quality`), which the notebook also shows.
"""

from __future__ import annotations

import pandas as pd

from .. import charts, tables
from ..data import BriefingData
from ..wording import titles
from ..wording.labels import Labels
from .base import Frame, Slide


def quarantine_files(data: BriefingData, labels: Labels) -> Slide:
    """Quarantined rows per input file by reason, and each file's reconciliation (:func:`~..tables.reconciliation`)."""
    frame = Frame(data, labels)
    recon = tables.reconciliation(data.reports)
    totals = tables.reconciliation_totals(data.reports)
    by_file = tables.quarantine_by_file(data.reports)
    title = titles.reconciliation_title(totals, labels)
    fig = charts.quarantine_files(
        by_file, recon, labels, title=title, subtitle=frame.subtitle("quarantine_files"), footer=frame.footer
    )
    return Slide("quarantine_files.png", fig, title, table=recon)


def quarantine_reasons(data: BriefingData, labels: Labels) -> Slide:
    """Quarantined rows by reason over every input file (:func:`~..tables.quarantine_reasons`)."""
    frame = Frame(data, labels)
    reasons = tables.quarantine_reasons(data.reports)
    totals = tables.reconciliation_totals(data.reports)
    title = titles.quarantine_title(reasons, totals, labels)
    fig = charts.quarantine(reasons, labels, title=title, subtitle=frame.subtitle("quarantine"), footer=frame.footer)
    return Slide("quarantine_reasons.png", fig, title, table=reasons)


def missing_by_month(data: BriefingData, labels: Labels, quality: pd.DataFrame) -> Slide:
    """Share of rows missing each stamp, per month (``quality``: :func:`~..tables.timestamp_quality`)."""
    frame = Frame(data, labels)
    span = labels.month_span(data.first_month, data.last_month)
    title = titles.missing_title(quality, labels)
    fig = charts.missing(
        quality,
        labels,
        title=title,
        subtitle=frame.subtitle("missing", span=span),
        footer=frame.footer,
        highlight=data.month,
    )
    return Slide("missing_by_month.png", fig, title, table=quality)


def negative_by_month(data: BriefingData, labels: Labels, quality: pd.DataFrame) -> Slide:
    """Share of intervals running backwards per month (``quality``: :func:`~..tables.timestamp_quality`)."""
    frame = Frame(data, labels)
    span = labels.month_span(data.first_month, data.last_month)
    title = titles.negative_title(quality, labels)
    fig = charts.negative(
        quality,
        labels,
        title=title,
        subtitle=frame.subtitle("negative", span=span),
        footer=frame.footer,
        highlight=data.month,
    )
    return Slide("negative_by_month.png", fig, title, table=quality)
