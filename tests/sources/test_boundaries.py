"""Boundary polygons (GeoJSON) for the briefing's map: good files read, every broken one refused in one line.

The broken documents are written by each test into its own folder (``tests/data/broken/`` holds one broken
export per built-in format, checked by the format tests): each case is one defect, and the message must name
the file and the feature.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from responsestats.errors import UserError
from responsestats.sources import boundaries as B
from responsestats.sources.boundaries import Boundaries, parse_boundaries, read_boundaries

# An outer ring given clockwise with a hole given counter-clockwise (both the "wrong" way for RFC 7946), closed.
SQUARE_CW = [[117.60, 24.50], [117.60, 24.52], [117.62, 24.52], [117.62, 24.50], [117.60, 24.50]]
HOLE_CCW = [[117.605, 24.505], [117.615, 24.505], [117.615, 24.515], [117.605, 24.515], [117.605, 24.505]]
# An open ring (no closing point), counter-clockwise.
OPEN_CCW = [[117.63, 24.50], [117.65, 24.50], [117.65, 24.52], [117.63, 24.52]]


def _feature(name, geometry, key="name", **more) -> dict:
    return {"type": "Feature", "properties": {key: name, **more}, "geometry": geometry}


def _polygon(*rings) -> dict:
    return {"type": "Polygon", "coordinates": [list(r) for r in rings]}


def _collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def _write(tmp_path, document, name="grids.geojson", bom=False):
    path = tmp_path / name
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _signed_area(ring) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


GOOD = _collection(
    _feature("芗城-01网格", _polygon(SQUARE_CW, HOLE_CCW), station="芗城东派出所"),
    _feature("芗城-02网格", {"type": "MultiPolygon", "coordinates": [[OPEN_CCW], [[[117.66, 24.50], [117.67, 24.50],
                                                                                   [117.67, 24.51]]]]}),
)  # fmt: skip


def test_a_good_file_gives_names_and_rings_oriented_as_rfc_7946(tmp_path):
    b = read_boundaries(_write(tmp_path, GOOD, bom=True))
    assert b.names == ("芗城-01网格", "芗城-02网格")
    assert len(b) == 2 and b.key == "name" and b.source.endswith("grids.geojson")
    (outer, hole), = b.shapes[0]
    assert outer.shape == (4, 2) and hole.shape == (4, 2)  # the closing point dropped
    assert _signed_area(outer) > 0 > _signed_area(hole)  # outer counter-clockwise, hole clockwise, whatever the file
    assert [len(p) for p in b.shapes[1]] == [1, 1]  # a MultiPolygon: two polygons of one ring
    assert all(_signed_area(r) > 0 for r in b.rings(1))
    assert b.shapes[1][0][0].shape == (4, 2)  # an open ring is read as it is
    assert b.vertices().shape == (4 + 4 + 4 + 3, 2)
    np.testing.assert_allclose(b.vertices().min(axis=0), [117.60, 24.50])


def test_another_key_property_and_numeric_names(tmp_path):
    doc = _collection(_feature(101, _polygon(OPEN_CCW), key="grid_id"),
                      _feature("102", _polygon(SQUARE_CW), key="grid_id"))
    b = read_boundaries(_write(tmp_path, doc), key="grid_id")
    assert b.names == ("101", "102") and b.key == "grid_id"


def test_a_crs_member_naming_wgs84_is_accepted():
    doc = {**GOOD, "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}}
    assert parse_boundaries(doc, "grids").names == ("芗城-01网格", "芗城-02网格")
    assert isinstance(parse_boundaries(GOOD), Boundaries)


BROKEN = {
    "not_json": ('{"type": "FeatureCollection", "features": [', r"grids\.geojson: boundary file is not JSON \(line 1"),
    "not_utf8": (None, r"grids\.geojson: boundary file is not UTF-8"),
    "a_list": ([1, 2], r"grids\.geojson: not a GeoJSON FeatureCollection \(type 'list'\)"),
    "a_feature": (_feature("a", _polygon(OPEN_CCW)), r"not a GeoJSON FeatureCollection \(type 'Feature'\)"),
    "no_features": ({"type": "FeatureCollection"}, r"grids\.geojson: the FeatureCollection has no list of 'features'"),
    "empty": (_collection(), r"grids\.geojson: the FeatureCollection has no features"),
    "not_a_feature": (_collection(_feature("a", _polygon(OPEN_CCW)), {"type": "Polygon"}),
                      r"grids\.geojson: feature 1 is not a GeoJSON Feature"),
    "no_key": (_collection(_feature("a", _polygon(OPEN_CCW), key="NAME", id=3)),
               r"grids\.geojson: feature 0 has no property 'name' naming its grid \(properties: NAME, id\)"),
    "empty_name": (_collection(_feature(" ", _polygon(OPEN_CCW))), r"feature 0: property 'name' is empty"),
    "name_not_text": (_collection(_feature({"zh": "a"}, _polygon(OPEN_CCW))), r"feature 0: property 'name' is \{"),
    "no_geometry": (_collection(_feature("a", None)), r"grids\.geojson: feature 0 \('a'\) has no geometry"),
    "point": (_collection(_feature("a", _polygon(OPEN_CCW)),
                          _feature("b", {"type": "Point", "coordinates": [117.6, 24.5]})),
              r"feature 1 \('b'\): geometry type 'Point'; only Polygon and MultiPolygon"),
    "projected": (_collection(_feature("a", _polygon([[570000, 2710000], [571000, 2710000], [571000, 2711000]]))),
                  r"feature 0 \('a'\), ring 0: position \[570000, 2710000\] is outside longitude .* not projected metres"),
    "latitude_over_90": (_collection(_feature("a", _polygon([[24.5, 117.6], [24.6, 117.6], [24.6, 117.7]]))),
                         r"feature 0 \('a'\), ring 0: position \[24.5, 117.6\] is outside"),
    "text_coordinate": (_collection(_feature("a", _polygon([[117.6, "24.5"], [117.7, 24.5], [117.7, 24.6]]))),
                        r"feature 0 \('a'\), ring 0: a position holds something other than a finite number"),
    "two_points": (_collection(_feature("a", _polygon([[117.6, 24.5], [117.7, 24.5], [117.6, 24.5]]))),
                   r"feature 0 \('a'\), ring 0: a ring needs at least three distinct positions"),
    "collinear": (_collection(_feature("a", _polygon([[117.6, 24.5], [117.7, 24.5], [117.8, 24.5]]))),
                  r"ring 0: a ring needs at least three distinct positions enclosing an area"),
    "bad_multipolygon": (_collection(_feature("a", {"type": "MultiPolygon", "coordinates": [[OPEN_CCW], "x"]})),
                         r"feature 0 \('a'\), polygon 1: a polygon must be a list of rings"),
    "duplicate": (_collection(_feature("a", _polygon(OPEN_CCW)), _feature("b", _polygon(OPEN_CCW)),
                              _feature("a", _polygon(SQUARE_CW))),
                  r"grids\.geojson: features 0 and 2 both have name 'a'"),
    "projected_crs": ({**GOOD, "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}},
                      r"declares the coordinate system 'urn:ogc:def:crs:EPSG::3857'; .* WGS 84"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_is_refused_naming_the_file_and_feature(tmp_path, case):
    document, message = BROKEN[case]
    if document is None:
        path = tmp_path / "grids.geojson"
        path.write_bytes(b'{"type": "FeatureCollection", "name": "\xcd\xf8\xb8\xf1"}')  # GBK, not UTF-8
    else:
        path = _write(tmp_path, document)
    with pytest.raises(UserError, match=message) as info:
        read_boundaries(path)
    assert "\n" not in str(info.value)


def test_a_missing_file_a_folder_and_a_file_over_the_limit_are_refused(tmp_path, monkeypatch):
    with pytest.raises(UserError, match=r"nowhere\.geojson: cannot read boundary file"):
        read_boundaries(tmp_path / "nowhere.geojson")
    with pytest.raises(UserError, match="is a folder"):
        read_boundaries(tmp_path)
    path = _write(tmp_path, GOOD)
    monkeypatch.setattr(B, "MAX_BOUNDARY_BYTES", path.stat().st_size - 1)
    with pytest.raises(UserError, match=r"grids\.geojson: boundary file is larger than .* simplify the outlines"):
        read_boundaries(path)
    monkeypatch.setattr(B, "MAX_BOUNDARY_BYTES", path.stat().st_size)
    assert len(read_boundaries(path)) == 2  # at the limit: read
