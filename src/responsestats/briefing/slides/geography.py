"""The map page: calls and the p90 per grid, from the agency's boundary polygons or from hexagons of coordinates.

:func:`call_map` draws the agency's grid (beat, district) polygons when it is given a boundary file whose names
match the grouping column (``data.group_by``), and hexagons of the incidents' coordinates otherwise. It pools the
months of the grid chart (:func:`~.monthly.grid_window`), grades the p90 as the grid chart does
(:func:`~..tables.response.p90_by_group`) and suppresses small cells the same way.

When the map cannot be drawn, :func:`call_map` returns a :class:`~.base.LeftOut` (no file, the reason in the
briefing's language; :class:`~..book.Book` records it and ``index.html`` lists "Map: left out, <reason>"):

* no call in the months pooled;
* neither usable coordinates nor a boundary polygon matching a grid of the data;
* ``pyproj`` is not installed (the optional extra ``responsestats[map]``): the rest of the briefing builds.

A boundary file that cannot be read is the user's mistake and raises :class:`~responsestats.errors.UserError`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ... import schema as S
from ...sources.boundaries import Boundaries, read_boundaries
from .. import columns as cols
from ..charts.map import call_map as draw_map
from ..data import RECENT_MONTHS, BriefingData
from ..months import in_months
from ..tables import geo
from ..tables.common import DEFAULT_MIN_CELL
from ..wording import terms
from ..wording.context import context, population_text, where_text
from ..wording.labels import Labels
from .base import Frame, LeftOut, Slide

#: The page's file name.
MAP_PNG = "call_map.png"
#: Grids without a boundary (and boundaries without a call) named in the subtitle at most; the rest counted.
NAMED = 3


def _size_text(width_m: float, labels: Labels) -> str:
    if width_m >= 1000.0:
        return labels("map.km", value=f"{width_m / 1000.0:g}")
    return labels("map.m", value=f"{width_m:g}")


def _names(values, by: str | None, labels: Labels) -> str:
    values = list(values)
    shown = labels("common.list_sep").join(labels.value(by, v) if by else str(v) for v in values[:NAMED])
    return shown if len(values) <= NAMED else labels("map.and_more", names=shown, n=labels.count(len(values) - NAMED))


def _left_out(name: str, labels: Labels, key: str, **fields: object) -> LeftOut:
    return LeftOut(name, labels("page_name.map"), labels(f"map.{key}", **fields))


def call_map(data: BriefingData, labels: Labels, boundaries: str | Path | Boundaries | None = None) -> Slide | LeftOut:
    """Calls (left) and the p90 of the headline interval against each cell's target (right), on a map.

    Parameters
    ----------
    data : BriefingData
        The briefing's data; the map pools the grid chart's months (:func:`~.monthly.grid_window`) and joins
        polygons on ``data.group_by``.
    labels : Labels
        The language.
    boundaries : str, Path, Boundaries or None
        The agency's boundary polygons: a GeoJSON file (:func:`~responsestats.sources.boundaries.read_boundaries`,
        key property ``name``) or its parsed :class:`~responsestats.sources.boundaries.Boundaries`. None, or no
        polygon matching a grid of the data: hexagons of the incidents' coordinates.

    Returns
    -------
    Slide or LeftOut
        The map (its table: :attr:`~..tables.geo.MapTable.cells`), or the page left out with the reason.

    Raises
    ------
    UserError
        The boundary file cannot be read or is not valid GeoJSON polygons (one line naming the file and feature).
    """
    from .monthly import grid_window  # here: the monthly briefing lists this page, so it imports this module

    window = grid_window(data)
    calls = in_months(data.calls, window)
    period = labels.month_span(window[0], window[-1])
    by = data.group_by
    if isinstance(boundaries, (str, Path)):
        boundaries = read_boundaries(boundaries)
    if not len(calls):
        return _left_out(MAP_PNG, labels, "no_calls", period=period)
    groups = set(calls[by].dropna().astype(str)) if by in calls else set()
    matched = boundaries is not None and bool(groups & set(boundaries.names))
    lon = calls[S.LONGITUDE].to_numpy(dtype="float64", na_value=np.nan)
    lat = calls[S.LATITUDE].to_numpy(dtype="float64", na_value=np.nan)
    usable = geo.usable_coordinates(lon, lat)
    group = terms.group_name(by, labels)
    mismatch = ""
    if boundaries is not None and not matched:
        example = dict(source=Path(boundaries.source).name, group=group, boundary=boundaries.names[0],
                       value=labels.value(by, sorted(groups)[0]) if groups else labels("common.missing"))  # fmt: skip
        if not usable.any():
            return _left_out(MAP_PNG, labels, "no_match", **example)
        mismatch = labels("map.mismatch", **example)
    if not matched and not usable.any():
        return _left_out(MAP_PNG, labels, "no_coordinates", groups=terms.group_word(by, labels))
    try:
        if matched:
            vertices = boundaries.vertices()
            projection = geo.utm_projection(vertices[:, 0], vertices[:, 1])
        else:
            projection = geo.utm_projection(lon[usable], lat[usable])
    except ImportError:
        return _left_out(MAP_PNG, labels, "no_pyproj")
    if matched:
        table = geo.polygon_table(calls, data.standard, boundaries.names, by=by)
        shapes = [[np.column_stack(projection.forward(r[:, 0], r[:, 1])) for r in boundaries.rings(i)]
                  for i in range(len(boundaries))]  # fmt: skip
        cell, cells_word = group, terms.group_word(by, labels)
    else:
        table = geo.hexagon_table(calls, data.standard, projection)
        shapes = [[geo.hex_outline(x, y, table.width_m)] for x, y in zip(table.cells[geo.X_M], table.cells[geo.Y_M])]
        size = _size_text(table.width_m, labels)
        cell, cells_word = labels("map.hexagon", size=size), labels("map.hexagons")
    return _slide(data, labels, table, shapes, projection, period, window, cell, cells_word, mismatch)


def _slide(data: BriefingData, labels: Labels, table: geo.MapTable, shapes, projection: geo.Projection,
           period: str, window, cell: str, cells_word: str, mismatch: str) -> Slide:  # fmt: skip
    frame = Frame(data, labels)
    by = data.group_by
    population = population_text(data.standard, labels, data.calls)
    what = labels.interval(table.interval, "short")
    title = _title(table, labels, population, what, cells_word, by)
    word = terms.group_name(by, labels) if table.kind == geo.POLYGONS else labels("map.hexagon_word")
    reason = labels("pooling.window" if len(window) > RECENT_MONTHS else "pooling.recent", group=word)
    mapped = _mapped_text(table, labels, by)
    if mismatch:
        mapped = f"{mismatch} {mapped}"
    fields = {**context(data, labels), "period": period, "reason": reason, "population": population, "cell": cell,
              "cells": cells_word, "mapped": mapped, "what_short": what}  # fmt: skip
    kind = "polygons" if table.kind == geo.POLYGONS else "hexagons"
    subtitle = labels(f"map.subtitle_{kind}", **fields) + where_text(data, labels)
    projection_text = labels("map.projection", name=projection.name, epsg=projection.epsg)
    footer = frame.footer + labels("map.footer", projection=projection_text)
    fig = draw_map(
        table.cells,
        shapes,
        labels,
        title=title,
        subtitle=subtitle,
        footer=footer,
        calls_title=labels("map.panel_calls", cell=cell, period=period),
        p90_title=labels("map.panel_diff" if table.cells[cols.TARGET_MIN].notna().any() else "map.panel_p90",
                         what=what, population=population, cell=cell),  # fmt: skip
        p90_label=labels("map.bar_p90", what=what),
        diff_label=labels("map.bar_diff", what=what),
        north_deg=projection.north_deg(),
        mark_cells=table.kind == geo.POLYGONS,
    )
    caption = labels(f"map.caption_{kind}", **fields, projection=projection_text, n=DEFAULT_MIN_CELL)
    return Slide(MAP_PNG, fig, title, caption, table.cells)


def _title(table: geo.MapTable, labels: Labels, population: str, what: str, cells_word: str, by: str) -> str:
    """The finding: cells above their target among those with a p90, and where the calls are."""
    c = table.cells
    shown = c[cols.P90_MIN].notna() & ~c[cols.SUPPRESSED]
    graded = shown & c[cols.TARGET_MIN].notna()
    if graded.any():
        above = int((graded & c[cols.ABOVE_TARGET]).sum())
        p90 = labels("map.title_above", population=population, what=what, cells=cells_word,
                     above=labels.count(above), graded=labels.count(int(graded.sum())))  # fmt: skip
    elif shown.any():
        p90 = labels("map.title_range", population=population, what=what, cells=cells_word,
                     low=labels.number(float(c.loc[shown, cols.P90_MIN].min())),
                     high=labels.number(float(c.loc[shown, cols.P90_MIN].max())),
                     shown=labels.count(int(shown.sum())))  # fmt: skip
    else:
        p90 = labels("map.title_no_p90", population=population, cells=cells_word, n=DEFAULT_MIN_CELL)
    calls = c[cols.CALLS]
    if table.kind == geo.POLYGONS:
        if calls.notna().any() and calls.max() > 0:
            busiest = c.loc[calls.idxmax()]
            where = labels("map.title_busiest", name=labels.value(by, busiest[geo.CELL]),
                           calls=labels.count(busiest[cols.CALLS]))
        else:
            where = labels("map.title_few_calls", n=DEFAULT_MIN_CELL)
    else:
        k, share = geo.busiest_share(table)
        with_calls = int(((calls > 0) | c[geo.CALLS_SUPPRESSED]).sum())
        where = (labels("map.title_share", k=labels.count(k), total=labels.count(with_calls),
                        share=labels.percent(share, 0))
                 if math.isfinite(share) else labels("map.title_few_calls", n=DEFAULT_MIN_CELL))  # fmt: skip
    return labels("map.title", p90=p90, calls=where)


def _mapped_text(table: geo.MapTable, labels: Labels, by: str) -> str:
    """"All 9,337 calls mapped." or what is not on the map, with counts and names."""
    parts = []
    group = terms.group_name(by, labels)
    for reason in geo.NOT_MAPPED_REASONS:
        n = table.not_mapped.get(reason, 0)
        if not n:
            continue
        if reason == geo.NO_BOUNDARY:
            without = table.groups_without_boundary
            parts.append(labels("map.not_mapped_no_boundary", n=labels.count(n), count=labels.count(len(without)),
                                groups=terms.group_word(by, labels), names=_names(without, by, labels)))  # fmt: skip
        else:
            parts.append(labels(f"map.not_mapped_{reason}", n=labels.count(n), group=group))
    if parts:
        text = labels("map.some_mapped", mapped=labels.count(table.mapped), calls=labels.count(table.calls),
                      parts=labels("common.list_sep").join(parts))  # fmt: skip
    else:
        text = labels("map.all_mapped", calls=labels.count(table.calls))
    empty = table.boundaries_without_calls
    if empty:
        text += labels("map.empty_boundaries", count=labels.count(len(empty)), names=_names(empty, by, labels))
    return text
