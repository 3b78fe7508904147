"""The map page: hexagon binning worked by hand, the polygon join's counts, suppression, the projection, the page
left out (no pyproj, nothing to map) and the slide in both languages."""

from __future__ import annotations

import dataclasses
import math
import sys
import warnings

import numpy as np
import pytest

from briefing_helpers import png_size
from factories import calls as make_frame
from responsestats import schema as S
from responsestats.briefing import load_briefing_data
from responsestats.briefing import columns as cols
from responsestats.briefing.charts.base import save
from responsestats.briefing.charts.map import call_map as draw_map
from responsestats.briefing.slides.base import LeftOut, Slide
from responsestats.briefing.slides.geography import MAP_PNG, call_map
from responsestats.briefing.slides.monthly import grid_window
from responsestats.briefing.months import in_months
from responsestats.briefing.tables import geo
from responsestats.briefing.tables.response import p90_by_group
from responsestats.briefing.wording.labels import LANGUAGES, load_labels
from responsestats.metrics import names as N
from responsestats.sources.boundaries import parse_boundaries

GLYPH_MISSING = r"Glyph .* missing from"


# --- hexagons, by hand -------------------------------------------------------------------------------------
def test_hexagon_index_by_hand():
    """Width 1000 m: neighbours along x are 1000 m apart, rows 866 m apart, every other row shifted by 500 m."""
    x = [0, 600, 499, 10, -10, 0, 5, 1000, -500]
    y = [0, 0, 0, 600, 600, 500, 5, 0, 866]
    q, r = geo.hex_index(x, y, 1000.0)
    # (0, 500) is 500 m from (0, 0) and 1000 m from (+-500, 866); (10, 600) is nearer (500, 866) than (0, 0)
    assert list(zip(q, r)) == [(0, 0), (1, 0), (0, 0), (0, 1), (-1, 1), (0, 0), (0, 0), (1, 0), (-1, 1)]
    cx, cy = geo.hex_centres([0, 1, 0, -1], [0, 0, 1, 1], 1000.0)
    np.testing.assert_allclose(cx, [0, 1000, 500, -500])
    np.testing.assert_allclose(cy, [0, 0, 866.0254, 866.0254], atol=1e-3)


def test_a_centre_falls_in_its_own_hexagon_and_the_outline_has_the_width():
    q = np.arange(-3, 4).repeat(7)
    r = np.tile(np.arange(-3, 4), 7)
    cx, cy = geo.hex_centres(q, r, 250.0)
    q2, r2 = geo.hex_index(cx, cy, 250.0)
    assert (q2 == q).all() and (r2 == r).all()
    corners = geo.hex_outline(100.0, 200.0, 250.0)
    assert corners.shape == (6, 2)
    np.testing.assert_allclose(np.hypot(corners[:, 0] - 100, corners[:, 1] - 200), 250 / math.sqrt(3))
    assert corners[:, 0].max() - corners[:, 0].min() == pytest.approx(250.0)  # flat side to flat side
    # a point just inside the east flat side of hexagon (1, 2) belongs to it, just outside to its neighbour (2, 2)
    (x,), (y,) = geo.hex_centres([1], [2], 250.0)
    q, r = geo.hex_index([x + 124.9, x + 125.1], [y, y], 250.0)
    assert list(zip(q, r)) == [(1, 2), (2, 2)]


def test_the_hexagon_width_rule():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 30_000, 2000), rng.uniform(0, 10_000, 2000)
    assert geo.hex_width_m(x, y) == 2000.0  # 30 km across: 2 km (30 / 15)
    assert geo.hex_width_m(x / 10, y / 10) == 200.0  # 3 km: 200 m
    assert geo.hex_width_m(np.append(x / 10, 5e6), np.append(y / 10, 5e6)) == 200.0  # one stray point: the same
    assert geo.hex_width_m([5.0, 5.0], [7.0, 7.0]) == geo.MIN_HEX_WIDTH_M
    assert [geo.nice_length(v) for v in (1240, 3300, 7200, 150)] == [1000.0, 5000.0, 10000.0, 200.0]


def test_projection_zone_and_usable_coordinates():
    assert geo.utm_epsg(117.7, 24.5) == 32650  # 漳州: UTM 50N
    assert geo.utm_epsg(-122.4, 37.7) == 32610  # San Francisco: 10N
    assert geo.utm_epsg(151.2, -33.9) == 32756  # Sydney: 56S
    assert geo.utm_epsg(180.0, 0.0) == geo.utm_epsg(-180.0, 0.0) == 32601
    ok = geo.usable_coordinates([117.7, np.nan, 0.0, 200.0, 117.7, 0.0], [24.5, 24.5, 0.0, 24.5, -91.0, 5.0])
    assert ok.tolist() == [True, False, False, False, False, True]


def test_the_utm_projection_is_metres_at_equal_scale():
    pytest.importorskip("pyproj")
    p = geo.utm_projection([117.60, 117.80], [24.40, 24.60])
    assert (p.epsg, p.name) == (32650, "WGS 84 / UTM zone 50N")
    x, y = p.forward([117.7, 117.7, 117.71], [24.5, 24.51, 24.5])
    assert y[1] - y[0] == pytest.approx(1109.0, rel=0.01)  # 0.01 deg of latitude: 1.11 km
    assert x[2] - x[0] == pytest.approx(1013.0, rel=0.01)  # 0.01 deg of longitude at 24.5 N: 1.01 km
    assert -1.0 < p.north_deg() < 0.0  # east of the central meridian (117 E), true north leans left of grid north


# --- tables ------------------------------------------------------------------------------------------------
def _row(district, arrival_min, *, lon=117.65, lat=24.51, priority="一级", area="urban"):
    return {S.RECEIVED_AT: "2025-03-03 10:00:00", S.DISPATCHED_AT: 60, S.ARRIVED_AT: 60 + 60 * arrival_min,
            S.DISTRICT: district, S.PRIORITY: priority, S.AREA_CLASS: area, S.LONGITUDE: lon, S.LATITUDE: lat}  # fmt: skip


@pytest.fixture(scope="module")
def grid_frame():
    rows = [_row("A", 2 + 0.2 * i) for i in range(40)]  # 40 urgent urban calls: a p90, not thin
    rows += [_row("B", 4) for _ in range(3)]  # 3 calls: calls and p90 suppressed
    rows += [_row("C", 6) for _ in range(3)] + [_row("C", 6, priority="二级") for _ in range(4)]  # 7 calls, 3 graded
    rows += [_row("E", 6, priority="三级") for _ in range(6)]  # 6 calls, none graded
    rows += [_row("X", 3) for _ in range(5)]  # a grid no boundary has
    rows += [_row(None, 3) for _ in range(2)]  # no grid at all
    return make_frame(rows, tz="Asia/Shanghai")


def test_the_polygon_join_counts_every_call(grid_frame):
    t = geo.polygon_table(grid_frame, "cn110", ["A", "B", "C", "E", "D"])
    c = t.cells.set_index(geo.CELL)
    assert list(c.index) == ["A", "B", "C", "E", "D"]  # the boundaries' order, D with no call kept
    assert c[cols.CALLS].tolist()[:1] + c[cols.CALLS].tolist()[2:] == [40, 7, 6, 0]
    assert np.isnan(c.loc["B", cols.CALLS]) and c[geo.CALLS_SUPPRESSED].tolist() == [False, True, False, False, False]
    assert c[cols.SUPPRESSED].tolist() == [False, True, True, False, False]  # the p90 of B (3) and C (3 graded)
    assert c.loc["A", N.N] == 40 and c.loc["E", N.N] == 0 and c.loc["D", N.N] == 0
    assert np.isnan(c.loc["B", N.N]) and np.isnan(c.loc["C", N.N]) and np.isnan(c.loc["C", cols.P90_MIN])
    assert (t.calls, t.mapped, t.not_mapped) == (63, 56, {geo.NO_GROUP: 2, geo.NO_BOUNDARY: 5})
    assert t.groups_without_boundary == ("X",) and t.boundaries_without_calls == ("D",)
    # the p90 is p90_by_group's, not a percentile of its own
    direct = p90_by_group(grid_frame[grid_frame[S.DISTRICT] == "A"], "cn110").iloc[0]
    assert c.loc["A", cols.P90_MIN] == direct[cols.P90_MIN]
    assert c.loc["A", cols.TARGET_MIN] == 5.0 and bool(c.loc["A", cols.ABOVE_TARGET]) == (direct[cols.P90_MIN] > 5)
    assert not c.loc["A", N.THIN] and not c.loc["B", cols.ABOVE_TARGET]


def test_no_suppression_when_min_cell_is_zero(grid_frame):
    c = geo.polygon_table(grid_frame, "cn110", ["A", "B"], min_cell=0).cells.set_index(geo.CELL)
    assert c.loc["B", cols.CALLS] == 3 and c.loc["B", N.N] == 3 and not c.loc["B", cols.SUPPRESSED]


class _Metres:
    """A stand-in projection: 1e-5 degree = 1 m, so that points are placed in metres by hand."""

    def forward(self, lon, lat):
        return np.asarray(lon, dtype="float64") * 1e5, np.asarray(lat, dtype="float64") * 1e5


def test_hexagon_table_by_hand():
    rows = [_row("g", 3 + i / 50, lon=5e-5, lat=5e-5) for i in range(200)]  # (5 m, 5 m): hexagon (0, 0)
    rows += [_row("g", 4, lon=600e-5, lat=5e-5) for _ in range(6)]  # (600, 5): (1, 0)
    rows += [_row("g", 4, lon=10e-5, lat=600e-5) for _ in range(3)]  # (10, 600): (0, 1), 3 calls: suppressed
    rows += [_row("g", 4, lon=-10e-5, lat=600e-5, priority="二级") for _ in range(8)]  # (-10, 600): (-1, 1)
    rows += [_row("g", 4, lon=np.nan, lat=np.nan), _row("g", 4, lon=0.0, lat=0.0)]  # no usable coordinates
    rows += [_row("g", 4, lon=10.0, lat=10.0)]  # 1,000 km away: outside the mapped area
    df = make_frame(rows, tz="Asia/Shanghai")
    t = geo.hexagon_table(df, "cn110", _Metres(), width_m=1000.0)
    c = t.cells
    assert list(zip(c[geo.HEX_Q], c[geo.HEX_R])) == [(0, 0), (1, 0), (-1, 1), (0, 1)]  # south to north, west to east
    assert c[geo.CELL].tolist() == ["0:0", "1:0", "-1:1", "0:1"]
    np.testing.assert_allclose(c[geo.X_M], [0, 1000, -500, 500])
    np.testing.assert_allclose(c[geo.Y_M], [0, 0, 866.0254, 866.0254], atol=1e-3)
    assert c[cols.CALLS].tolist()[:3] == [200, 6, 8] and np.isnan(c[cols.CALLS].iloc[3])
    assert c[geo.CALLS_SUPPRESSED].tolist() == [False, False, False, True]
    assert c[N.N].iloc[:3].tolist() == [200, 6, 0]  # (-1, 1): no urgent call, no p90, nothing suppressed
    assert c[cols.SUPPRESSED].tolist() == [False, False, False, True]
    assert t.calls == 200 + 6 + 3 + 8 + 3 and t.not_mapped == {geo.NO_COORDINATES: 2, geo.OUTSIDE: 1}
    assert t.mapped == 217 and t.kind == geo.HEXAGONS and t.width_m == 1000.0
    direct = p90_by_group(df.iloc[:200], "cn110").iloc[0]
    assert c[cols.P90_MIN].iloc[0] == direct[cols.P90_MIN]
    assert geo.busiest_share(t) == (1, pytest.approx(200 / 217))


# --- the slide ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data(sample_dataset):
    return load_briefing_data(sample_dataset, month="latest")


def _square(lon0, lat0, lon1, lat1):
    return [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]


@pytest.fixture(scope="module")
def squares(data):
    """Two squares around the calls of two grids of the sample, and one square with no call, named as the data."""
    calls = in_months(data.calls, grid_window(data))
    features = []
    for name in ("芗城-01网格", "龙文-01网格"):
        pts = calls.loc[calls[S.DISTRICT] == name, [S.LONGITUDE, S.LATITUDE]].to_numpy()
        (lon0, lat0), (lon1, lat1) = np.percentile(pts, 5, axis=0), np.percentile(pts, 95, axis=0)
        features.append({"type": "Feature", "properties": {"name": name},
                         "geometry": {"type": "Polygon", "coordinates": [_square(lon0, lat0, lon1, lat1)]}})  # fmt: skip
    features.append({"type": "Feature", "properties": {"name": "空白-99网格"},
                     "geometry": {"type": "Polygon", "coordinates": [_square(117.50, 24.30, 117.52, 24.32)]}})  # fmt: skip
    return parse_boundaries({"type": "FeatureCollection", "features": features}, "squares.geojson")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_map_builds_in_both_languages_from_hexagons_and_polygons(data, squares, lang, tmp_path):
    pytest.importorskip("pyproj")
    labels = load_labels(lang)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        hexes = call_map(data, labels)
        polygons = call_map(data, labels, boundaries=squares)
        for slide, name in ((hexes, "hex.png"), (polygons, "polygons.png")):
            assert isinstance(slide, Slide) and slide.name == MAP_PNG
            assert png_size(save(slide.figure, tmp_path / name)) == (1920, 1080)
    assert labels("map.hexagon", size=labels("map.km", value="2")) in hexes.figure.texts[1].get_text()
    assert (hexes.table[geo.HEX_Q].notna()).all() and hexes.table[cols.CALLS].sum() > 0
    assert polygons.table[geo.CELL].tolist() == ["芗城-01网格", "龙文-01网格", "空白-99网格"]
    subtitle = polygons.figure.texts[1].get_text()
    assert "46" in subtitle and "空白-99网格" in subtitle  # 46 grids without a boundary, one boundary without a call
    footer = polygons.figure.texts[-1].get_text()
    assert "EPSG:32650" in footer and "UTM zone 50N" in footer
    assert polygons.caption and hexes.caption and "{" not in polygons.caption + polygons.title + hexes.title


def test_a_boundary_file_is_read_by_path(data, squares, tmp_path):
    pytest.importorskip("pyproj")
    import json

    features = [{"type": "Feature", "properties": {"name": n},
                 "geometry": {"type": "Polygon", "coordinates": [r.tolist() for r in squares.shapes[i][0]]}}
                for i, n in enumerate(squares.names)]  # fmt: skip
    doc = {"type": "FeatureCollection", "features": features}
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    slide = call_map(data, load_labels("en"), boundaries=path)
    assert slide.table[geo.CELL].tolist() == list(squares.names)


def test_the_map_is_left_out_without_pyproj(data, squares, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyproj", None)  # `import pyproj` now raises ImportError
    for lang in LANGUAGES:
        labels = load_labels(lang)
        for boundaries in (None, squares):
            out = call_map(data, labels, boundaries=boundaries)
            assert isinstance(out, LeftOut) and out.name == MAP_PNG and out.figure is None
            assert out.page == labels("page_name.map") and "pyproj" in out.reason and "[map]" in out.reason


def test_without_coordinates_polygons_still_map_and_nothing_else_does(data, squares):
    pytest.importorskip("pyproj")
    labels = load_labels("en")
    blind = dataclasses.replace(data, calls=data.calls.assign(**{S.LATITUDE: np.nan, S.LONGITUDE: np.nan}))
    out = call_map(blind, labels)
    assert isinstance(out, LeftOut) and out.reason == labels("map.no_coordinates", groups="grids")
    assert isinstance(call_map(blind, labels, boundaries=squares), Slide)  # polygons need no coordinates
    elsewhere = parse_boundaries({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "name": "Beat 7"}, "geometry": {"type": "Polygon", "coordinates": [_square(117.5, 24.3, 117.6, 24.4)]}}]},
        "beats.geojson")  # fmt: skip
    out = call_map(blind, labels, boundaries=elsewhere)
    assert isinstance(out, LeftOut) and "beats.geojson" in out.reason and "Beat 7" in out.reason
    # with coordinates, boundaries that name no grid of the data give hexagons, and the subtitle says why
    slide = call_map(data, labels, boundaries=elsewhere)
    assert isinstance(slide, Slide) and geo.HEX_Q in slide.table
    assert "beats.geojson" in slide.figure.texts[1].get_text()


def test_no_call_in_the_months_leaves_the_map_out(data):
    empty = dataclasses.replace(data, calls=data.calls.iloc[:0])
    out = call_map(empty, load_labels("zh"))
    window = grid_window(empty)
    assert isinstance(out, LeftOut) and out.reason == load_labels("zh")("map.no_calls", period=load_labels(
        "zh").month_span(window[0], window[-1]))  # fmt: skip


def test_suppressed_cells_are_grey_and_marked_never_coloured(grid_frame):
    """A polygon map of the hand-made grids: B (3 calls) carries ``<5`` in both panels, C's p90 (3 values) too."""
    labels = load_labels("en")
    t = geo.polygon_table(grid_frame, "cn110", ["A", "B", "C", "E", "D"])
    shapes = [[np.array(_square(i * 1000.0, 0.0, i * 1000.0 + 900.0, 900.0)[:-1][::1])] for i in range(5)]
    fig = draw_map(t.cells, shapes, labels, title="t", calls_title="calls", p90_title="p90", p90_label="p90",
                   diff_label="diff")  # fmt: skip
    left, right = fig.axes[:2]  # then the two colour bars
    marks = lambda ax: sorted(round(t.get_position()[0]) for t in ax.texts if t.get_text() == "<5")  # noqa: E731
    assert marks(left) == [1450]  # B only: C's 7 calls are shown
    assert marks(right) == [1450, 2450]  # B and C: their p90 rest on 3 values
    faces = right.collections[0].get_facecolors()  # the cells, in the table's order
    assert [bool(np.allclose(f[:3], 0xD4 / 255, atol=1e-3)) for f in faces] == [False, True, True, False, False]
    assert [bool(np.allclose(f[:3], 0xD4 / 255, atol=1e-3)) for f in left.collections[0].get_facecolors()] == [
        False, True, False, False, False]  # fmt: skip
