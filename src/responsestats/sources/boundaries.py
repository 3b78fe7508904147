"""Boundary polygons of an agency's grids, beats or districts, read from a GeoJSON file.

The briefing's map (:mod:`responsestats.briefing.slides.geography`) draws one polygon per grid when the agency
supplies them. The file is a GeoJSON ``FeatureCollection`` (RFC 7946) of ``Polygon`` and ``MultiPolygon``
features in WGS 84 longitude / latitude, each naming its grid in one property (``name`` by default) with
exactly the value the call log's grid column holds (``芗城-01网格``).

:func:`read_boundaries` checks the file and returns a small :class:`Boundaries` (names and rings as numpy
arrays): json and numpy only, no geometry library. Every mistake is one :class:`~responsestats.errors.UserError`
line naming the file and the feature (its index, from 0, and its name when it has one). Rings are accepted open
or closed (a closing point equal to the first is dropped) and are returned oriented as RFC 7946 asks: the outer
ring of each polygon counter-clockwise, its holes clockwise, so that a drawing with the non-zero fill rule leaves
holes empty whatever the file's own orientation.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import UserError
from .base import read_small_file

#: Largest boundary file read [bytes]: a few thousand grids with detailed outlines fit many times over.
MAX_BOUNDARY_BYTES = 64 << 20
#: The property naming each feature's grid, unless the caller says otherwise.
DEFAULT_KEY = "name"
#: Geometry types accepted.
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
#: ``crs`` names (of the 2008 GeoJSON draft) that mean WGS 84 longitude / latitude; any other is refused.
WGS84_NAMES = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "urn:ogc:def:crs:EPSG::4326",
               "EPSG:4326", "CRS84", "WGS84")  # fmt: skip

Ring = np.ndarray  # (n, 2) float64: longitude, latitude [degrees]


@dataclass(frozen=True, eq=False)
class Boundaries:
    """The polygons of a boundary file, one feature per grid.

    Attributes
    ----------
    names : tuple of str
        Each feature's key property (the grid's value in the call log), in file order, all different.
    shapes : tuple
        Per feature, its polygons; per polygon, its rings (the outer ring first, then holes); each ring an
        ``(n, 2)`` float array of longitude and latitude [degrees], ``n >= 3``, not repeating its first point,
        the outer ring counter-clockwise and holes clockwise.
    source : str
        Where they were read from (a path, or what the caller named), for messages.
    key : str
        The property the names come from.
    """

    names: tuple[str, ...]
    shapes: tuple[tuple[tuple[Ring, ...], ...], ...]
    source: str = ""
    key: str = DEFAULT_KEY

    def __len__(self) -> int:
        return len(self.names)

    def rings(self, i: int) -> list[Ring]:
        """Every ring of feature ``i`` (all its polygons' outer rings and holes), for drawing as one path."""
        return [ring for polygon in self.shapes[i] for ring in polygon]

    def vertices(self) -> np.ndarray:
        """Every vertex of every feature, ``(n, 2)`` longitude and latitude [degrees]."""
        return np.concatenate([ring for i in range(len(self)) for ring in self.rings(i)])


def read_boundaries(path: str | Path, key: str = DEFAULT_KEY) -> Boundaries:
    """Read and check a GeoJSON file of boundary polygons.

    Parameters
    ----------
    path : str or Path
        A GeoJSON ``FeatureCollection`` of ``Polygon`` / ``MultiPolygon`` features in WGS 84 longitude /
        latitude (at most :data:`MAX_BOUNDARY_BYTES`; UTF-8, a byte-order mark allowed).
    key : str
        The property holding each feature's grid name, as the call log spells it.

    Returns
    -------
    Boundaries

    Raises
    ------
    UserError
        One line naming the file (and the feature): not readable, too large, not JSON, not a
        FeatureCollection, a feature without geometry or of another type, without the key property, with
        malformed or out-of-range coordinates, or two features with one name.
    """
    path = Path(path)
    raw = read_small_file(path, MAX_BOUNDARY_BYTES, "boundary file",
                          "simplify the outlines (a map of grids needs no more than metres of detail)")  # fmt: skip
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: boundary file is not UTF-8 text (byte {exc.start}); GeoJSON is UTF-8") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: boundary file is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
                        ) from None  # fmt: skip
    except RecursionError:
        raise UserError(f"{path}: boundary file is nested too deeply to be GeoJSON") from None
    return parse_boundaries(document, str(path), key)


def parse_boundaries(document: object, source: str = "boundaries", key: str = DEFAULT_KEY) -> Boundaries:
    """Check a GeoJSON document already parsed (a dict) and return its :class:`Boundaries`.

    ``source`` names it in messages. Raises :class:`UserError` as :func:`read_boundaries` does.
    """
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        found = document.get("type") if isinstance(document, dict) else type(document).__name__
        raise UserError(f"{source}: not a GeoJSON FeatureCollection (type {found!r}); the boundary file must be "
                        "a FeatureCollection of Polygon or MultiPolygon features")  # fmt: skip
    _check_crs(document.get("crs"), source)
    features = document.get("features")
    if not isinstance(features, list):
        raise UserError(f"{source}: the FeatureCollection has no list of 'features'")
    if not features:
        raise UserError(f"{source}: the FeatureCollection has no features")
    names: list[str] = []
    shapes = []
    first_of: dict[str, int] = {}
    for i, feature in enumerate(features):
        where = f"{source}: feature {i}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise UserError(f"{where} is not a GeoJSON Feature")
        name = _name(feature, key, where)
        where = f"{where} ({name!r})"
        if name in first_of:
            raise UserError(f"{source}: features {first_of[name]} and {i} both have {key} {name!r}; give each "
                            "grid one feature (a MultiPolygon for a grid in several parts)")  # fmt: skip
        first_of[name] = i
        names.append(name)
        shapes.append(_geometry(feature.get("geometry"), where))
    return Boundaries(tuple(names), tuple(shapes), source, key)


def _check_crs(crs: object, source: str) -> None:
    """Refuse a 2008-style ``crs`` member that names anything but WGS 84 longitude / latitude."""
    if crs is None:
        return
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    if not isinstance(name, str) or name.strip() not in WGS84_NAMES:
        raise UserError(f"{source}: the file declares the coordinate system {name or crs!r}; the boundaries must be "
                        "WGS 84 longitude / latitude (RFC 7946): reproject the file (e.g. ogr2ogr -t_srs EPSG:4326)")


def _name(feature: dict, key: str, where: str) -> str:
    properties = feature.get("properties")
    if not isinstance(properties, dict) or key not in properties:
        present = ", ".join(sorted(map(str, properties))) if isinstance(properties, dict) and properties else "none"
        raise UserError(f"{where} has no property {key!r} naming its grid (properties: {present})")
    value = properties[key]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise UserError(f"{where}: property {key!r} is {value!r}; it must be the grid's name as text")
    name = str(value)
    if not name.strip():
        raise UserError(f"{where}: property {key!r} is empty")
    return name


def _geometry(geometry: object, where: str) -> tuple[tuple[Ring, ...], ...]:
    if not isinstance(geometry, dict):
        raise UserError(f"{where} has no geometry")
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        raise UserError(f"{where}: geometry type {kind!r}; only {' and '.join(GEOMETRY_TYPES)} draw a grid")
    coords = geometry.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise UserError(f"{where}: the {kind} has no coordinates")
    return tuple(_polygon(p, f"{where}, polygon {j}" if kind == "MultiPolygon" else where)
                 for j, p in enumerate(polygons))  # fmt: skip


def _polygon(rings: object, where: str) -> tuple[Ring, ...]:
    if not isinstance(rings, list) or not rings:
        raise UserError(f"{where}: a polygon must be a list of rings (the outer ring first)")
    out = []
    for k, ring in enumerate(rings):
        arr = _ring(ring, f"{where}, ring {k}")
        outer = k == 0
        out.append(arr if (_signed_area(arr) > 0) == outer else arr[::-1].copy())
    return tuple(out)


def _ring(ring: object, where: str) -> Ring:
    if not isinstance(ring, list) or not all(isinstance(p, list) and len(p) >= 2 for p in ring):
        raise UserError(f"{where}: a ring must be a list of [longitude, latitude] positions")
    values = [p[:2] for p in ring]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for p in values for v in p):
        raise UserError(f"{where}: a position holds something other than a finite number")
    arr = np.asarray(values, dtype="float64").reshape(-1, 2)
    bad = (np.abs(arr[:, 0]) > 180.0) | (np.abs(arr[:, 1]) > 90.0)
    if bad.any():
        lon, lat = arr[np.argmax(bad)]
        raise UserError(f"{where}: position [{lon:.10g}, {lat:.10g}] is outside longitude -180..180 / latitude "
                        "-90..90; the boundaries must be WGS 84 longitude / latitude (RFC 7946), not projected metres")
    if len(arr) > 1 and np.array_equal(arr[0], arr[-1]):
        arr = arr[:-1]
    if len(np.unique(arr, axis=0)) < 3 or _signed_area(arr) == 0.0:
        raise UserError(f"{where}: a ring needs at least three distinct positions enclosing an area")
    return arr


def _signed_area(ring: Ring) -> float:
    """The signed area of a ring (shoelace formula) [square degrees]; positive when counter-clockwise."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))
