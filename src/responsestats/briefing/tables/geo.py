"""Map tables: calls and the p90 of the headline interval per boundary polygon or per hexagon of coordinates.

The briefing's map (:mod:`..slides.geography`) has two panels, calls per cell and the p90 per cell against its
target, on one of two kinds of cell:

* **polygons** (:func:`polygon_table`): the agency's boundary file (:mod:`responsestats.sources.boundaries`),
  joined on the grouping column's value (``district`` by default) = each feature's key property. Calls whose
  grid has no polygon, and calls with no grid at all, are counted in :attr:`MapTable.not_mapped`; the grids
  without a polygon and the polygons without a call are listed: nothing is dropped without a count.
* **hexagons** (:func:`hexagon_table`): incident coordinates (``latitude``, ``longitude``) projected to metres
  (:func:`utm_projection`) and binned into hexagons of one fixed width (:func:`hex_width_m`). Calls without
  usable coordinates, and calls far outside the area most calls fall in, are counted, not drawn.

The p90 comes from :func:`~.response.p90_by_group` (the standard's population, its targets, the
:func:`~responsestats.metrics.summarize` percentiles), with a column of cells as the group: the same numbers,
thinness and small-cell suppression as the grid chart. Calls are incidents (every call, not only the graded
ones), suppressed from 1 to ``min_cell - 1`` like every count of the briefing (:func:`~.common.small_cells`).

The projection needs ``pyproj`` (the optional extra ``responsestats[map]``); it is imported when a projection
is made, so that everything else here, and the rest of the briefing, works without it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ... import schema as S
from ...metrics import DEFAULT_MIN_N, Standard, load_standard
from ...metrics import names as N
from ..columns import ABOVE_TARGET, CALLS, GROUP, P90_MIN, SUPPRESSED, TARGET_MIN
from .common import DEFAULT_MIN_CELL, headline_interval, small_cells
from .response import p90_by_group

#: Column of a map table: the cell (a polygon's name, or a hexagon's ``"q:r"``).
CELL = "cell"
#: Columns of a hexagon table: the axial coordinates and the centre [m, projected].
HEX_Q, HEX_R, X_M, Y_M = "hex_q", "hex_r", "x_m", "y_m"
#: The cell's calls count 1 to ``min_cell - 1`` (its ``calls`` blanked). ``suppressed`` is the p90's own flag.
CALLS_SUPPRESSED = "calls_suppressed"
#: The kinds of cell.
POLYGONS, HEXAGONS = "polygons", "hexagons"
#: Why a call is not on the map (:attr:`MapTable.not_mapped`): no value in the grouping column; a value no
#: polygon has; no usable coordinates; coordinates far outside the area most calls fall in.
NO_GROUP, NO_BOUNDARY, NO_COORDINATES, OUTSIDE = "no_group", "no_boundary", "no_coordinates", "outside"
NOT_MAPPED_REASONS = (NO_GROUP, NO_BOUNDARY, NO_COORDINATES, OUTSIDE)

#: The hexagon width is the 1-2-5 value nearest (in ratio) to the larger side of the calls' central extent
#: divided by this [count]: about 15 hexagons across the area most calls fall in, whatever its size.
HEXAGONS_ACROSS = 15
#: Narrowest hexagon [m].
MIN_HEX_WIDTH_M = 100.0
#: The central extent: these percentiles of the projected x and y [percent] (a stray point does not stretch it).
CENTRAL_PERCENTILES = (1.0, 99.0)
#: Calls farther than this share of the central extent's larger side (plus one hexagon) outside it are counted
#: as outside the mapped area, not drawn (a bad geocode 500 km away would shrink the city to a dot).
OUTSIDE_MARGIN = 0.5
#: Longitude / latitude step [degrees] used to find true north on the projected map.
_NORTH_STEP_DEG = 0.01
_SQRT3 = math.sqrt(3.0)


# --- projection ----------------------------------------------------------------------------------------------
def utm_epsg(lon: float, lat: float) -> int:
    """The EPSG code of the WGS 84 / UTM zone holding (``lon``, ``lat``): 326zz north of the equator, 327zz south.

    The zone is the 6-degree band ``floor((lon + 180) / 6) + 1`` (the Norway and Svalbard exceptions are not
    applied: a city's map in the neighbouring zone is still true to a few parts in ten thousand).
    """
    zone = int(math.floor((float(lon) + 180.0) / 6.0)) % 60 + 1
    return (32600 if float(lat) >= 0 else 32700) + zone


@dataclass(frozen=True)
class Projection:
    """A transverse Mercator (UTM) projection of WGS 84 longitude / latitude to metres.

    Attributes
    ----------
    epsg : int
        The projected system's EPSG code (``32650``: WGS 84 / UTM zone 50N).
    name : str
        Its name, as the map's subtitle states it.
    centre : (float, float)
        The longitude and latitude the zone was chosen from [degrees].
    """

    epsg: int
    name: str
    centre: tuple[float, float]
    transformer: object = field(repr=False, compare=False)

    def forward(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Project longitudes and latitudes [degrees] to easting and northing [m]."""
        x, y = self.transformer.transform(np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64"))
        return np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")

    def north_deg(self) -> float:
        """The direction of true north at the centre, clockwise from the map's up (grid north) [degrees].

        UTM's grid north departs from true north by the meridian convergence (under a degree near the zone's
        central meridian at mid latitudes): the map's north arrow points along it.
        """
        lon, lat = self.centre
        x, y = self.forward([lon, lon], [lat, min(lat + _NORTH_STEP_DEG, 89.9)])
        return math.degrees(math.atan2(x[1] - x[0], y[1] - y[0]))


def utm_projection(lon, lat) -> Projection:
    """The UTM projection of the zone of the median longitude and latitude of the points given.

    Metres, the same scale on both axes (conformal), true to within 0.04% across a zone.

    Raises
    ------
    ImportError
        ``pyproj`` is not installed (``pip install 'responsestats[map]'``).
    ValueError
        No point given.
    """
    import pyproj  # the optional extra: only the map needs it

    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    if lon.size == 0:
        raise ValueError("no point to choose a projection from")
    centre = (float(np.median(lon)), float(np.median(lat)))
    epsg = utm_epsg(*centre)
    crs = pyproj.CRS.from_epsg(epsg)
    transformer = pyproj.Transformer.from_crs(pyproj.CRS.from_epsg(4326), crs, always_xy=True)
    return Projection(epsg, crs.name, centre, transformer)


def usable_coordinates(lon, lat) -> np.ndarray:
    """Rows whose coordinates can be mapped [bool]: both finite, within longitude -180..180 and latitude
    -90..90, and not both exactly 0 (the "null island" an empty geocode gives)."""
    lon = pd.to_numeric(pd.Series(lon), errors="coerce").to_numpy(dtype="float64")
    lat = pd.to_numeric(pd.Series(lat), errors="coerce").to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180.0) & (np.abs(lat) <= 90.0)
    return ok & ~((lon == 0.0) & (lat == 0.0))


# --- hexagons ------------------------------------------------------------------------------------------------
def nice_length(value: float) -> float:
    """The 1-2-5 value (…, 100, 200, 500, 1000, …) nearest ``value`` in ratio; ``value`` must be positive."""
    exponent = math.floor(math.log10(value))
    candidates = [step * 10.0**e for e in (exponent, exponent + 1) for step in (1.0, 2.0, 5.0)]
    return min(candidates, key=lambda c: abs(math.log(c / value)))


def central_extent(x, y) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) of the central points: the :data:`CENTRAL_PERCENTILES` of each axis [m]."""
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    if x.size == 0:
        return (0.0, 0.0, 0.0, 0.0)
    lo, hi = CENTRAL_PERCENTILES
    (x0, x1), (y0, y1) = np.percentile(x, [lo, hi]), np.percentile(y, [lo, hi])
    return float(x0), float(x1), float(y0), float(y1)


def hex_width_m(x, y) -> float:
    """The hexagon width of a map [m]: the 1-2-5 value nearest the central extent's larger side / 15.

    The width is the distance between the centres of neighbouring hexagons (flat side to flat side), at least
    :data:`MIN_HEX_WIDTH_M`. The central extent (:func:`central_extent`) leaves out the outermost 1% of the
    points on each side, so one stray call does not coarsen the map. A city 30 km across gets 2 km hexagons.
    """
    x0, x1, y0, y1 = central_extent(x, y)
    side = max(x1 - x0, y1 - y0)
    if not side > 0:
        return MIN_HEX_WIDTH_M
    return max(MIN_HEX_WIDTH_M, nice_length(side / HEXAGONS_ACROSS))


def hex_index(x, y, width_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The hexagon holding each point: axial coordinates (q, r) of a pointy-top hexagonal grid [int].

    Hexagon (0, 0) is centred on the origin; its neighbours along x are ``width_m`` away (:func:`hex_centres`).
    Each point goes to the hexagon whose centre is nearest (cube rounding).
    """
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    size = width_m / _SQRT3  # centre to corner
    qf = (_SQRT3 / 3.0 * x - y / 3.0) / size
    rf = (2.0 / 3.0 * y) / size
    sf = -qf - rf
    q, r, s = np.round(qf), np.round(rf), np.round(sf)
    dq, dr, ds = np.abs(q - qf), np.abs(r - rf), np.abs(s - sf)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    q = np.where(fix_q, -r - s, q)
    r = np.where(fix_r, -q - s, r)
    return q.astype("int64"), r.astype("int64")


def hex_centres(q, r, width_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The centres [m] of hexagons (q, r) of :func:`hex_index`: ``x = w (q + r/2)``, ``y = w sqrt(3)/2 r``."""
    q, r = np.asarray(q, dtype="float64"), np.asarray(r, dtype="float64")
    return width_m * (q + r / 2.0), width_m * _SQRT3 / 2.0 * r


def hex_outline(x: float, y: float, width_m: float) -> np.ndarray:
    """The six corners [m] of the pointy-top hexagon centred on (x, y), counter-clockwise from the upper right."""
    size = width_m / _SQRT3
    angles = np.radians(30.0 + 60.0 * np.arange(6))
    return np.column_stack([x + size * np.cos(angles), y + size * np.sin(angles)])


# --- tables --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class MapTable:
    """What the map draws, and what it leaves out.

    Attributes
    ----------
    cells : pandas.DataFrame
        One row per cell: ``cell``, ``calls`` (incidents; NaN when suppressed), ``calls_suppressed``, ``n``
        (values of the standard's population the p90 rests on), ``p90_min``, ``target_min`` (NaN: the cell's
        calls have no single target), ``above_target``, ``thin`` (``n < min_n``), ``suppressed`` (the p90 rests
        on 1 to ``min_cell - 1`` values: p90 and n blanked); hexagons add ``hex_q``, ``hex_r``, ``x_m``,
        ``y_m`` (centre, projected). Polygons: one row per boundary feature, in file order (0 calls where none
        falls in it); hexagons: one row per hexagon with a call, south to north, west to east.
    kind : str
        ``polygons`` or ``hexagons``.
    by : str or None
        The grouping column polygons are joined on (None for hexagons).
    interval : str
        The interval of the p90.
    calls : int
        Incidents in the frame [count].
    not_mapped : dict
        Incidents not on the map, per reason (:data:`NOT_MAPPED_REASONS`; reasons with none left out).
    groups_without_boundary : tuple of str
        Values of ``by`` with calls and no polygon, most calls first.
    boundaries_without_calls : tuple of str
        Polygons no call falls in, in file order.
    width_m : float
        The hexagons' width [m] (NaN for polygons).
    """

    cells: pd.DataFrame
    kind: str
    by: str | None
    interval: str
    calls: int
    not_mapped: dict[str, int]
    groups_without_boundary: tuple[str, ...] = ()
    boundaries_without_calls: tuple[str, ...] = ()
    width_m: float = float("nan")

    @property
    def mapped(self) -> int:
        """Incidents on the map [count]."""
        return self.calls - sum(self.not_mapped.values())


def _incidents(df: pd.DataFrame) -> int:
    return int(df[S.INCIDENT_ID].nunique()) if len(df) else 0


def _cell_figures(frame: pd.DataFrame, std: Standard, interval: str, min_n: int, min_cell: int) -> pd.DataFrame:
    """Calls and p90 per value of ``frame[CELL]``, indexed by cell (cells with a call only)."""
    calls = frame.groupby(CELL, sort=True)[S.INCIDENT_ID].nunique().rename(CALLS)
    p90 = p90_by_group(frame, std, by=CELL, interval=interval, min_n=min_n, min_cell=min_cell)
    p90 = p90.set_index(GROUP)[[N.N, P90_MIN, TARGET_MIN, ABOVE_TARGET, N.THIN, SUPPRESSED]]
    return pd.DataFrame(calls).join(p90, how="left")


def _finish(cells: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Fill cells without a call, and blank the calls of cells with 1 to ``min_cell - 1``."""
    cells[CALLS] = cells[CALLS].fillna(0).astype("float64")
    for col, value in ((ABOVE_TARGET, False), (N.THIN, True), (SUPPRESSED, False)):
        cells[col] = cells[col].astype("boolean").fillna(value).astype(bool)
    # n is 0 where no value of the population falls in the cell, NaN where it is suppressed (1 to min_cell - 1)
    cells[N.N] = cells[N.N].astype("float64").where(cells[SUPPRESSED] | cells[N.N].notna(), 0.0)
    hide = small_cells(cells[CALLS], min_cell)
    cells[CALLS] = cells[CALLS].where(~hide)
    cells[CALLS_SUPPRESSED] = hide
    columns = [CELL, CALLS, CALLS_SUPPRESSED, N.N, P90_MIN, TARGET_MIN, ABOVE_TARGET, N.THIN, SUPPRESSED]
    return cells[columns + [c for c in cells.columns if c not in columns]].reset_index(drop=True)


def _keys(values: pd.Series) -> pd.Series:
    """A grouping column as text (None where missing), so that it joins on names however it was stored."""
    return values.astype(object).map(lambda v: None if pd.isna(v) else str(v))


def polygon_table(
    df: pd.DataFrame,
    standard: str | Standard,
    names: Sequence[str],
    by: str = S.DISTRICT,
    interval: str | None = None,
    min_n: int = DEFAULT_MIN_N,
    min_cell: int = DEFAULT_MIN_CELL,
) -> MapTable:
    """Calls and the p90 per boundary polygon, joined on ``df[by]`` = the polygon's name.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical calls (the months the map pools).
    standard : str or Standard
        Its population and targets grade the p90 (:func:`~.response.p90_by_group`).
    names : sequence of str
        The polygons' names (:attr:`responsestats.sources.boundaries.Boundaries.names`).
    by : str
        The column whose values the names are (``district``, or a dimension such as ``beat``).
    interval : str, optional
        Default: the standard's headline interval.
    min_n, min_cell : int
        Thin below ``min_n`` values; figures of 1 to ``min_cell - 1`` suppressed.

    Returns
    -------
    MapTable
        One row per polygon, in ``names`` order; grids without a polygon and polygons without a call listed,
        their calls counted in ``not_mapped`` (``no_boundary``, and ``no_group`` for calls with no ``by``).
    """
    std = load_standard(standard)
    interval = interval or headline_interval(std)
    names = [str(n) for n in names]
    keys = _keys(df[by]) if by in df else pd.Series([None] * len(df), index=df.index, dtype=object)
    known = keys.notna().to_numpy()
    drawn = keys.isin(set(names)).to_numpy() & known
    frame = df[drawn].assign(**{CELL: keys[drawn].to_numpy()})
    figures = _cell_figures(frame, std, interval, min_n, min_cell)
    cells = pd.DataFrame({CELL: names}).join(figures, on=CELL)
    cells = _finish(cells, min_cell)
    others = df[known & ~drawn].assign(**{CELL: keys[known & ~drawn].to_numpy()})
    per_group = others.groupby(CELL)[S.INCIDENT_ID].nunique() if len(others) else pd.Series(dtype="int64")
    without = sorted(per_group.index, key=lambda g: (-int(per_group[g]), g))
    not_mapped = {NO_GROUP: _incidents(df[~known]), NO_BOUNDARY: _incidents(others)}
    return MapTable(
        cells=cells,
        kind=POLYGONS,
        by=by,
        interval=interval,
        calls=_incidents(df),
        not_mapped={k: v for k, v in not_mapped.items() if v},
        groups_without_boundary=tuple(without),
        boundaries_without_calls=tuple(n for n, c, h in zip(cells[CELL], cells[CALLS], cells[CALLS_SUPPRESSED])
                                       if not h and c == 0),  # fmt: skip
    )


def mapped_area(x, y, width_m: float) -> tuple[float, float, float, float]:
    """The area drawn: the central extent widened on every side by :data:`OUTSIDE_MARGIN` of its larger side
    and one hexagon (xmin, xmax, ymin, ymax) [m]."""
    x0, x1, y0, y1 = central_extent(x, y)
    margin = OUTSIDE_MARGIN * max(x1 - x0, y1 - y0) + width_m
    return x0 - margin, x1 + margin, y0 - margin, y1 + margin


def hexagon_table(
    df: pd.DataFrame,
    standard: str | Standard,
    projection: Projection,
    width_m: float | None = None,
    interval: str | None = None,
    min_n: int = DEFAULT_MIN_N,
    min_cell: int = DEFAULT_MIN_CELL,
) -> MapTable:
    """Calls and the p90 per hexagon of the incidents' coordinates.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical calls (the months the map pools), with ``longitude`` and ``latitude``.
    standard : str or Standard
        Its population and targets grade the p90 (:func:`~.response.p90_by_group`).
    projection : Projection
        From longitude / latitude to metres (:func:`utm_projection`; anything with ``forward(lon, lat)``).
    width_m : float, optional
        Hexagon width [m]; default :func:`hex_width_m` of the projected points.
    interval : str, optional
        Default: the standard's headline interval.
    min_n, min_cell : int
        Thin below ``min_n`` values; figures of 1 to ``min_cell - 1`` suppressed.

    Returns
    -------
    MapTable
        One row per hexagon with at least one call, with its axial coordinates and centre; calls without
        usable coordinates (:func:`usable_coordinates`) and outside the mapped area (:func:`mapped_area`)
        counted in ``not_mapped``.
    """
    std = load_standard(standard)
    interval = interval or headline_interval(std)
    lon = df[S.LONGITUDE].to_numpy(dtype="float64", na_value=np.nan) if S.LONGITUDE in df else np.full(len(df), np.nan)
    lat = df[S.LATITUDE].to_numpy(dtype="float64", na_value=np.nan) if S.LATITUDE in df else np.full(len(df), np.nan)
    usable = usable_coordinates(lon, lat)
    x = np.full(len(df), np.nan)
    y = np.full(len(df), np.nan)
    if usable.any():
        x[usable], y[usable] = projection.forward(lon[usable], lat[usable])
    width = float(width_m) if width_m else hex_width_m(x[usable], y[usable])
    x0, x1, y0, y1 = mapped_area(x[usable], y[usable], width)
    with np.errstate(invalid="ignore"):
        inside = usable & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    q, r = hex_index(np.where(inside, x, 0.0), np.where(inside, y, 0.0), width)
    ids = np.char.add(np.char.add(q.astype(str), ":"), r.astype(str))
    frame = df[inside].assign(**{CELL: ids[inside]})
    figures = _cell_figures(frame, std, interval, min_n, min_cell)
    cells = figures.reset_index().rename(columns={"index": CELL})
    axial = pd.DataFrame({CELL: ids[inside], HEX_Q: q[inside], HEX_R: r[inside]}).drop_duplicates(CELL)
    cells = cells.merge(axial, on=CELL, how="left")
    cells[X_M], cells[Y_M] = hex_centres(cells[HEX_Q], cells[HEX_R], width)
    cells = cells.sort_values([HEX_R, HEX_Q], kind="stable")
    cells = _finish(cells, min_cell)
    not_mapped = {NO_COORDINATES: _incidents(df[~usable]), OUTSIDE: _incidents(df[usable & ~inside])}
    return MapTable(
        cells=cells,
        kind=HEXAGONS,
        by=None,
        interval=interval,
        calls=_incidents(df),
        not_mapped={k: v for k, v in not_mapped.items() if v},
        width_m=width,
    )


def busiest_share(table: MapTable, fraction: float = 0.1) -> tuple[int, float]:
    """(k, share): the busiest ``ceil(fraction x cells with calls)`` cells and the share of the mapped calls
    they hold (NaN when a suppressed cell would be among them, or nothing is mapped)."""
    calls = table.cells[CALLS]
    with_calls = table.cells[(calls > 0) | table.cells[CALLS_SUPPRESSED]]
    k = max(1, math.ceil(fraction * len(with_calls))) if len(with_calls) else 0
    top = with_calls[CALLS].sort_values(ascending=False, na_position="last").head(k)
    if k == 0 or top.isna().any() or not table.mapped:
        return k, float("nan")
    return k, float(top.sum()) / table.mapped
