"""The city scale of the synthetic 110 sample (issue 15, part 1): the seed article's volume, invalid calls, a
crime sub-type column, a duty roster and grid polygons, without touching the small (committed) scale."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pandas as pd
import pytest

from responsestats.cli import main
from responsestats.ingestion import ingest
from responsestats.sample import DEFECT_RATES, generate_sample
from responsestats.sample import calibration as cal

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "data" / "sample" / "cn110"
HEADERS = [zh for zh, _ in cal.city_columns()]
PINYIN = dict((py, zh) for zh, py in cal.city_columns())
STAMPS = ["派警时间", "签收时间", "出警时间", "到达现场时间", "处警结束时间", "反馈时间", "抓获时间"]
#: Quarantine reasons of the planted defects that make a row unusable, by defect.
PLANTED = {"duplicate_row": "duplicate_row", "missing_incident_id": "missing_incident_id",
           "unparseable_required_timestamp": "bad_received"}


def _read(folder: pathlib.Path) -> pd.DataFrame:
    """Every month of a generated folder as text, Chinese headers, duplicates kept."""
    frames = []
    for i, path in enumerate(sorted(folder.glob(f"{cal.FILE_PREFIX}*.csv"))):
        style = cal.export_style(i)
        frame = pd.read_csv(path, encoding="gb18030" if style.encoding == "gbk" else "utf-8-sig", dtype=str,
                            keep_default_na=False)
        frames.append(frame.rename(columns=PINYIN).assign(_file=path.name))
    return pd.concat(frames, ignore_index=True)


def _times(frame: pd.DataFrame, col: str) -> pd.Series:
    text = frame[col].where(~frame[col].isin(["", "NULL"]))
    iso = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    return iso.fillna(pd.to_datetime(text, format="%Y/%m/%d %H:%M", errors="coerce"))


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> pathlib.Path:
    """Two months at the city scale's own volume."""
    out = tmp_path_factory.mktemp("city") / "a"
    generate_sample(out, scale="city", months=2)
    return out


@pytest.fixture(scope="module")
def rows(city: pathlib.Path) -> pd.DataFrame:
    return _read(city)


@pytest.fixture(scope="module")
def city_8(tmp_path_factory) -> pathlib.Path:
    """Eight months from 2024-01 at a low volume: holds the article's period and the GBK (7th) month."""
    out = tmp_path_factory.mktemp("city8")
    generate_sample(out, scale="city", months=8, calls_per_day=12.0)
    return out


# --- the small scale is untouched ---------------------------------------------


def test_small_scale_is_the_committed_sample_and_writes_no_side_files(tmp_path):
    fresh = generate_sample(tmp_path, scale="small")
    assert [p.name for p in fresh] == sorted(p.name for p in SAMPLE_DIR.glob("zz110_*.csv"))
    for p in fresh:
        assert p.read_bytes() == (SAMPLE_DIR / p.name).read_bytes(), p.name
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in fresh]


def test_unknown_scale_is_refused(tmp_path):
    with pytest.raises(ValueError, match="scale"):
        generate_sample(tmp_path, scale="town")


# --- the city scale -------------------------------------------------------------


def test_city_scale_is_deterministic(city, tmp_path):
    again = tmp_path / "b"
    generate_sample(again, scale="city", months=2)
    names = sorted(p.name for p in city.iterdir())
    assert names == ["grids.geojson", "roster.csv", "zz110_2024-01.csv", "zz110_2024-02.csv"]
    assert sorted(p.name for p in again.iterdir()) == names
    for name in names:
        assert (city / name).read_bytes() == (again / name).read_bytes(), name


def test_volume_follows_the_article_arithmetic(rows):
    arithmetic = cal.city_volume_arithmetic()
    assert cal.CITY_CALLS_PER_DAY == round(arithmetic["calls_per_day"])
    assert arithmetic["days"] == 238 and arithmetic["persons_per_day"] == pytest.approx(855 / 238)
    valid = rows[rows["警情类别"] != cal.INVALID_GROUP]
    doy = pd.date_range("2024-01-01", "2024-02-29").day_of_year.to_numpy()
    season = 1 + cal.SEASON_AMPLITUDE * np.cos(2 * np.pi * (doy - cal.SEASON_PEAK_DOY) / 365.25)  # the winter trough
    assert len(valid) / (cal.CITY_CALLS_PER_DAY * season.sum()) == pytest.approx(1, abs=0.04)  # Poisson days


def test_invalid_calls(rows):
    invalid = rows[rows["警情类别"] == cal.INVALID_GROUP]
    assert abs(len(invalid) / len(rows) - cal.INVALID_SHARE) < 0.015
    kinds = {k.name: k for k in cal.INVALID_KINDS}
    assert set(invalid["警情类型"]) == set(kinds)
    shares = invalid["警情类型"].value_counts(normalize=True)
    expected = pd.Series({k.name: k.share for k in cal.INVALID_KINDS}) / sum(k.share for k in cal.INVALID_KINDS)
    assert (shares - expected).abs().max() < 0.03
    assert (invalid["处警结果"] == cal.INVALID_OUTCOME).all()
    assert (invalid[STAMPS + ["警情级别", "警情细类", "重点部位", "是否现行抓获", "抓获人数"]] == "").all().all()
    assert set(invalid["接警方式"]) == {"110接转", "电话报警"}
    assert (invalid[["报警时间", "接警时间", "管辖单位", "所属网格", "区域类别", "报警人", "报警电话"]] != "").all().all()
    assert (_times(invalid, "报警时间") <= _times(invalid, "接警时间")).all()
    located = invalid["警情类型"].map(lambda k: kinds[k].located)
    assert ((invalid["经度"] != "") == located).all() and ((invalid["纬度"] != "") == located).all()
    # merged in time order with the valid calls, ids renumbered day by day
    received = _times(rows.drop_duplicates(subset=HEADERS), "接警时间").dropna()
    assert received.is_monotonic_increasing
    ids = rows["接警单编号"][rows["接警单编号"] != ""]
    assert ids.str.fullmatch(r"J350600\d{8}\d{5}").all()
    assert ids.nunique() == len(ids) - rows[rows["接警单编号"] != ""].duplicated(subset=HEADERS).sum()


def test_subtype_only_on_criminal_calls(rows):
    criminal = rows["警情类别"] == "刑事警情"
    assert ((rows["警情细类"] != "") == criminal).all()
    for call_type, subs in cal.SUBTYPES.items():
        these = rows.loc[criminal & (rows["警情类型"] == call_type), "警情细类"]
        assert set(these) <= {s.name for s in subs} and len(these) > 0, call_type
    assert set(rows.loc[criminal, "警情类型"]) == set(cal.SUBTYPES)
    never_in_act = {s.name for subs in cal.SUBTYPES.values() for s in subs if not s.in_act}
    assert not (rows.loc[rows["处警结果"] == "现行抓获", "警情细类"].isin(never_in_act)).any()


def test_roster_follows_the_calls_and_counts_170_teams_of_8_hours(city, rows):
    roster = pd.read_csv(city / cal.ROSTER_FILE)
    assert list(roster.columns) == ["weekday", "hour", "teams"] and len(roster) == 7 * 24
    assert list(roster["weekday"]) == [d for d in range(1, 8) for _ in range(24)]
    assert list(roster["hour"]) == list(range(24)) * 7
    per_day = roster.groupby("weekday")["teams"].sum()
    assert (per_day == cal.PATROL_TEAMS_PER_DAY * cal.SHIFT_H).all()
    assert roster["teams"].min() >= cal.ROSTER_MIN_TEAMS and roster["teams"].max() <= cal.PATROL_TEAMS_PER_DAY
    # 警力跟着警情走: teams by weekday and hour track the valid calls received then
    valid = rows[rows["警情类别"] != cal.INVALID_GROUP]
    received = _times(valid, "接警时间").dropna()
    calls = received.groupby([received.dt.day_of_week + 1, received.dt.hour]).size()
    teams = roster.set_index(["weekday", "hour"])["teams"]
    assert np.corrcoef(teams.loc[calls.index], calls)[0, 1] > 0.85


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return float((x[:-1] * y[1:] - x[1:] * y[:-1]).sum() / 2)


def _inside(ring: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Ray casting: is each point (x, y) inside the closed ring?"""
    x0, y0, x1, y1 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
    crosses = (y0 > y[:, None]) != (y1 > y[:, None])
    at_x = x0 + (x1 - x0) * (y[:, None] - y0) / np.where(y1 == y0, 1.0, y1 - y0)
    return (crosses & (x[:, None] < at_x)).sum(axis=1) % 2 == 1


def test_grid_polygons_are_geojson_and_hold_their_calls(city, rows):
    text = (city / cal.GRIDS_FILE).read_text(encoding="utf-8")
    geo = json.loads(text)
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == len(cal.GRIDS) == 48
    names = [f["properties"]["name"] for f in geo["features"]]
    assert names == [g.name for g in cal.GRIDS] and set(rows["所属网格"]) <= set(names)
    rings = {}
    for feature, grid in zip(geo["features"], cal.GRIDS):
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"
        assert feature["properties"]["station"] == grid.station
        assert feature["properties"]["area_class"] == grid.area_class
        (ring,) = feature["geometry"]["coordinates"]  # one exterior ring, no holes
        ring = np.array(ring)
        assert ring.shape[1] == 2 and len(ring) >= 4 and (ring[0] == ring[-1]).all()
        assert _ring_area(ring) > 0  # counter-clockwise (RFC 7946)
        assert ((116 < ring[:, 0]) & (ring[:, 0] < 119) & (23 < ring[:, 1]) & (ring[:, 1] < 26)).all()  # lon, lat
        assert _inside(ring, np.array([grid.lon]), np.array([grid.lat])).item(), grid.name
        rings[grid.name] = ring
    # the cells tile their bounding box: no gap, no overlap
    points = np.vstack(list(rings.values()))
    box = (points[:, 0].max() - points[:, 0].min()) * (points[:, 1].max() - points[:, 1].min())
    assert sum(_ring_area(r) for r in rings.values()) == pytest.approx(box, rel=1e-6)
    # most calls with coordinates fall inside their grid's polygon
    located = rows[rows["经度"] != ""]
    inside = np.zeros(len(located), bool)
    for name, idx in located.groupby("所属网格").indices.items():
        part = located.iloc[idx]
        lon, lat = part["经度"].astype(float).to_numpy(), part["纬度"].astype(float).to_numpy()
        inside[idx] = _inside(rings[name], lon, lat)
    assert inside.mean() > 0.7


def test_city_sample_ingests_with_only_the_planted_defects_quarantined(city, rows, tmp_path):
    result = ingest(sorted(city.glob("zz110_*.csv")), tmp_path / "ds", mapping="cn110", agency="zz110")
    assert result.reconciled and result.rows_read == len(rows)
    valid = rows[rows["警情类别"] != cal.INVALID_GROUP]
    incidents = len(valid) - int(valid.duplicated(subset=HEADERS).sum())
    reasons = result.quarantine_by_reason()
    assert set(reasons) <= set(PLANTED)
    for reason, count in reasons.items():
        assert count == round(DEFECT_RATES[PLANTED[reason]] * incidents), reason
    for report in result.files:
        assert not report["unmapped_values"] and not report["fields_not_in_source"], report["source_file"]
    from responsestats import read_calls

    calls = read_calls(tmp_path / "ds")
    assert (calls["outcome"] == "unfounded").sum() >= (rows["处警结果"] == cal.INVALID_OUTCOME).sum()
    assert set(calls["subtype"].dropna()) == {s.name for subs in cal.SUBTYPES.values() for s in subs}


def test_gbk_month_has_the_subtype_column_in_pinyin(city_8):
    gbk = sorted(city_8.glob("zz110_*.csv"))[cal.GBK_MONTH_INDEX]
    header = gbk.read_bytes().decode("gbk").split("\r\n")[0].split(",")
    assert header == [py for _, py in cal.city_columns()] and "JQXL" in header


def test_arrests_are_calibrated_over_the_articles_period(city_8):
    frame = _read(city_8).drop_duplicates(subset=HEADERS)
    arrested, dispatched = _times(frame, "抓获时间"), _times(frame, "派警时间")
    start, end = (pd.Timestamp(d) for d in cal.ARTICLE_PERIOD)
    arrests = frame[frame["处警结果"].isin(["现行抓获", "事后抓获"]) & (arrested >= start) & (arrested < end)]
    in_act = arrests["是否现行抓获"] == "是"
    persons = arrests["抓获人数"].astype(int)
    assert len(arrests) > 50
    assert abs(in_act.mean() - cal.ARREST_TARGETS["caught_in_act_share"]) <= 1 / len(arrests)
    assert round(persons[in_act].sum() / persons.sum(), 4) == cal.ARREST_TARGETS["caught_in_act_persons_share"]
    hours = (arrested - dispatched)[arrests.index].dt.total_seconds() / 3600
    assert hours.mean() == pytest.approx(cal.ARREST_TARGETS["mean_dispatch_to_arrest_h"], abs=0.05)


def test_the_command_line_writes_the_city_scale(tmp_path, capsys):
    assert main(["sample", "--out", str(tmp_path), "--scale", "city", "--months", "1", "--calls-per-day", "5"]) == 0
    assert "roster.csv" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grids.geojson", "roster.csv", "zz110_2024-01.csv"]
