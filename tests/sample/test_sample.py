"""Tests of the synthetic 110 call-log generator and of its committed copy."""

from __future__ import annotations

import pathlib
import re
import tomllib

import pandas as pd
import pytest

from responsestats.formats import builtin_formats
from responsestats.sample import DEFECT_RATES, generate_sample

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "data" / "sample" / "cn110"
MAPPING = builtin_formats()["cn110"]
GBK_MONTH = "zz110_2024-07.csv"
WINDOW_END = pd.Timestamp("2025-04-01 00:00:00")  # defaults: 2024-01 .. 2025-03

CHINESE_HEADER = [
    "接警单编号", "报警时间", "接警时间", "派警时间", "签收时间", "出警时间", "到达现场时间", "处警结束时间",
    "反馈时间", "警情类别", "警情类型", "警情级别", "接警方式", "管辖单位", "所属网格", "区域类别", "重点部位",
    "经度", "纬度", "处警结果", "是否现行抓获", "抓获时间", "抓获人数", "报警人", "报警电话",
]
PINYIN_HEADER = [
    "JJDBH", "BJSJ", "JJSJ", "PJSJ", "QSSJ", "CJSJ", "DDXCSJ", "CJJSSJ", "FKSJ", "JQLB", "JQLX", "JQJB", "JJFS",
    "GXDW", "SSWG", "QYLB", "ZDBW", "JD", "WD", "CJJG", "SFXXZH", "ZHSJ", "ZHRS", "BJR", "BJDH",
]
TIME_COLUMNS = ["报警时间", "接警时间", "派警时间", "签收时间", "出警时间", "到达现场时间", "处警结束时间", "反馈时间",
                "抓获时间"]


def _committed_files() -> list[pathlib.Path]:
    return sorted(SAMPLE_DIR.glob("zz110_*.csv"))


def _read(path: pathlib.Path) -> pd.DataFrame:
    """One month as text, Chinese headers, parsed the plain pandas way."""
    encoding = "gb18030" if path.name == GBK_MONTH else "utf-8-sig"
    frame = pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False)
    return frame.rename(columns=dict(zip(PINYIN_HEADER, CHINESE_HEADER)))


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """All committed months, every row as exported (duplicates included)."""
    files = _committed_files()
    assert files, f"no committed sample in {SAMPLE_DIR}"
    return pd.concat([_read(p).assign(_file=p.name) for p in files], ignore_index=True)


@pytest.fixture(scope="module")
def incidents(raw: pd.DataFrame) -> pd.DataFrame:
    """Committed rows without exact duplicates, plus parsed timestamps."""
    out = raw.drop_duplicates(subset=CHINESE_HEADER).copy()
    for col in TIME_COLUMNS:
        text = out[col].where(~out[col].isin(["", "NULL"]))
        iso = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S", errors="coerce")
        win = pd.to_datetime(text, format="%Y/%m/%d %H:%M", errors="coerce")
        out["t_" + col] = iso.fillna(win)
    return out


# --- the generator ----------------------------------------------------------


def test_same_arguments_give_identical_bytes(tmp_path: pathlib.Path) -> None:
    a = generate_sample(tmp_path / "a", months=2)
    b = generate_sample(tmp_path / "b", months=2)
    assert [p.name for p in a] == ["zz110_2024-01.csv", "zz110_2024-02.csv"]
    assert [p.name for p in b] == [p.name for p in a]
    for pa_, pb_ in zip(a, b):
        assert pa_.read_bytes() == pb_.read_bytes()


def test_seed_changes_the_data(tmp_path: pathlib.Path) -> None:
    a = generate_sample(tmp_path / "a", months=1, seed=110)
    b = generate_sample(tmp_path / "b", months=1, seed=111)
    assert a[0].read_bytes() != b[0].read_bytes()


def test_paths_follow_the_calendar(tmp_path: pathlib.Path) -> None:
    paths = generate_sample(tmp_path, start="2024-11", months=3, calls_per_day=3.0)
    assert [p.name for p in paths] == ["zz110_2024-11.csv", "zz110_2024-12.csv", "zz110_2025-01.csv"]
    for p, month in zip(paths, ["2024-11", "2024-12", "2025-01"]):
        received = _read(p)["接警时间"]
        assert received.str.startswith(month).mean() > 0.95  # bar the planted bad stamps


def test_committed_copy_is_the_default_output(tmp_path: pathlib.Path) -> None:
    fresh = generate_sample(tmp_path)
    assert [p.name for p in fresh] == [p.name for p in _committed_files()]
    for p in fresh:
        assert p.read_bytes() == (SAMPLE_DIR / p.name).read_bytes(), p.name


# --- export styles ----------------------------------------------------------


def test_gbk_month_is_a_windows_pinyin_export() -> None:
    data = (SAMPLE_DIR / GBK_MONTH).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gb18030")
    lines = text.split("\r\n")
    assert lines[0].split(",") == PINYIN_HEADER
    assert data.count(b"\n") == data.count(b"\r\n") > 500
    first = lines[1].split(",")
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}", first[PINYIN_HEADER.index("JJSJ")])


def test_other_months_are_utf8_with_chinese_headers() -> None:
    others = [p for p in _committed_files() if p.name != GBK_MONTH]
    assert len(others) == 14
    boms = 0
    for p in others:
        data = p.read_bytes()
        boms += data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8-sig")
        assert b"\r" not in data, p.name
        header, first = text.split("\n")[:2]
        assert header.split(",") == CHINESE_HEADER, p.name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", first.split(",")[2]), p.name
    assert 0 < boms < len(others)  # some with BOM, some without


# --- content ----------------------------------------------------------------


def test_size_and_geography(raw: pd.DataFrame) -> None:
    assert len(raw) >= 10_000
    assert sum(p.stat().st_size for p in _committed_files()) <= 4_000_000
    grids = raw.drop_duplicates("所属网格")
    assert len(grids) == 48
    assert grids["区域类别"].value_counts().to_dict() == {"城区": 30, "郊区": 18}
    sites = raw["重点部位"][raw["重点部位"] != ""]
    assert sites.nunique() == 76
    assert 0.13 <= len(sites) / len(raw) <= 0.17
    lat, lon = raw["纬度"].astype(float), raw["经度"].astype(float)
    assert abs(lat.median() - 24.51) < 0.05 and abs(lon.median() - 117.65) < 0.1


def test_outcomes_come_from_the_mapping(raw: pd.DataFrame) -> None:
    outcome_map = tomllib.loads(MAPPING.read_text(encoding="utf-8"))["fields"]["outcome"]["map"]
    assert set(raw["处警结果"]) <= set(outcome_map)


def test_rhythm_and_delays(incidents: pd.DataFrame) -> None:
    received = incidents["t_接警时间"].dropna()
    by_hour = received.dt.hour.value_counts()
    assert by_hour[[3, 4, 5]].mean() < 0.35 * by_hour[[17, 18, 19, 20]].mean()
    weekday = received.dt.day_of_week.value_counts()
    assert weekday[[4, 5]].mean() > weekday[[0, 1, 2]].mean()

    exact = incidents[incidents["_file"] != GBK_MONTH]
    ok = exact["接警方式"] != "巡逻发现"
    dispatch_s = (exact["t_派警时间"] - exact["t_接警时间"])[ok].dt.total_seconds()
    assert 35 <= dispatch_s.median() <= 45
    assert 85 <= dispatch_s.quantile(0.9) <= 115
    travel_min = (exact["t_到达现场时间"] - exact["t_出警时间"]).dt.total_seconds() / 60
    urban = travel_min[ok & (exact["区域类别"] == "城区")].median()
    suburban = travel_min[ok & (exact["区域类别"] == "郊区")].median()
    assert 2.8 <= urban <= 3.8 and 5.3 <= suburban <= 6.7


def test_self_initiated_calls(incidents: pd.DataFrame) -> None:
    patrol = incidents[incidents["接警方式"] == "巡逻发现"]
    assert 0.02 <= len(patrol) / len(incidents) <= 0.04
    exact = patrol[patrol["_file"] != GBK_MONTH]
    lag = (exact["t_到达现场时间"] - exact["t_接警时间"]).dt.total_seconds().dropna()
    assert (lag <= 11).mean() > 0.95
    assert (patrol["报警电话"] == "").all()


def test_personal_fields_are_fake(raw: pd.DataFrame) -> None:
    callers = raw[raw["接警方式"] != "巡逻发现"]
    assert callers["报警人"].str.fullmatch(r"\w某某?").all()
    assert callers["报警电话"].str.fullmatch(r"1[358]\d{9}").all()
    assert callers["报警电话"].nunique() > 0.99 * len(callers)


def test_incident_ids(raw: pd.DataFrame) -> None:
    ids = raw["接警单编号"][raw["接警单编号"] != ""]
    assert ids.str.fullmatch(r"J350600\d{8}\d{5}").all()
    # unique per incident: only the exact duplicated rows repeat an id
    assert ids.nunique() == len(ids) - raw[raw["接警单编号"] != ""].duplicated(subset=CHINESE_HEADER).sum()


# --- calibration against the published Zhangzhou figures -------------------


def test_arrests_match_the_published_figures(incidents: pd.DataFrame) -> None:
    arrests = incidents[incidents["处警结果"].isin(["现行抓获", "事后抓获"])]
    inside = arrests["t_抓获时间"].notna() & (arrests["t_抓获时间"] < WINDOW_END)
    arrests = arrests[inside & arrests["t_派警时间"].notna()]
    assert 200 <= len(arrests) <= 600
    in_act = arrests["是否现行抓获"] == "是"
    assert ((arrests["处警结果"] == "现行抓获") == in_act).all()
    assert abs(in_act.mean() - 0.808) <= 0.02
    hours = (arrests["t_抓获时间"] - arrests["t_派警时间"]).dt.total_seconds() / 3600
    assert abs(hours.mean() - 17.2) <= 1.0
    # in-act arrests happen on scene, later ones after the unit cleared
    assert hours[in_act].max() < 2.5
    assert hours[~in_act].median() > 12
    assert set(incidents.loc[incidents.index.isin(arrests.index), "警情类别"]) <= {"刑事警情", "治安警情"}


def test_persons_arrested_match_the_published_share(incidents: pd.DataFrame) -> None:
    """The published 80.84% counts persons: 抓获人数 on every recorded arrest, persons caught in the act 80.84%."""
    arrests = incidents[incidents["处警结果"].isin(["现行抓获", "事后抓获"])]
    persons = arrests["抓获人数"].astype(int)
    assert (persons >= 1).all() and (incidents.loc[~incidents.index.isin(arrests.index), "抓获人数"] == "").all()
    in_act = arrests["是否现行抓获"] == "是"
    assert round(persons[in_act].sum() / persons.sum(), 4) == 0.8084
    assert 0.15 <= (persons >= 2).mean() <= 0.4  # a realistic share of incidents with two or more suspects


def test_answering_acknowledgement_and_report_back(incidents: pd.DataFrame) -> None:
    called = incidents[incidents["接警方式"] != "巡逻发现"]
    ring = (called["t_接警时间"] - called["t_报警时间"]).dt.total_seconds().dropna()
    ring = ring[ring % 60 != 0]  # the minute-precision month rounds both stamps
    assert 4 <= ring.median() <= 8 and 10 <= ring.quantile(0.9) <= 25 and ring.max() <= 180
    hour = called.loc[ring.index, "t_报警时间"].dt.hour
    assert ring[hour.isin([19, 20, 21])].quantile(0.9) > ring[hour.isin([3, 4, 5])].quantile(0.9)  # busy hours
    ack = incidents["t_签收时间"] - incidents["t_派警时间"]
    assert (ack.dropna().dt.total_seconds() >= 0).all()
    assert (incidents["t_签收时间"] <= incidents["t_出警时间"]).where(incidents["t_出警时间"].notna(), True).all()
    back = (incidents["t_反馈时间"] - incidents["t_处警结束时间"]).dt.total_seconds().dropna()
    assert (back >= 0).all() and 5 * 60 <= back.median() <= 12 * 60


def test_open_cases_have_no_arrest_time(incidents: pd.DataFrame) -> None:
    no_arrest = ~incidents["处警结果"].isin(["现行抓获", "事后抓获"])
    assert incidents.loc[no_arrest, "t_抓获时间"].isna().all()
    assert (incidents.loc[no_arrest, "是否现行抓获"] == "").all()


# --- planted defects ----------------------------------------------------------


def test_defect_rates(raw: pd.DataFrame, incidents: pd.DataFrame) -> None:
    n = len(incidents)

    def assert_rate(count: int, name: str, tolerance: float) -> None:
        rate = DEFECT_RATES[name]
        assert count > 0, name
        assert abs(count / n - rate) <= tolerance * rate, (name, count, count / n)

    duplicates = int(raw.duplicated(subset=CHINESE_HEADER).sum())
    assert_rate(duplicates, "duplicate_row", 0.3)
    # blank arrival on a call that was not cancelled (cancelled calls may
    # legitimately have no arrival)
    missing = (incidents["到达现场时间"] == "") & (incidents["处警结果"] != "撤警")
    assert_rate(int(missing.sum()), "missing_arrival", 0.2)
    early = incidents["t_到达现场时间"] < incidents["t_派警时间"]
    assert_rate(int(early.sum()), "arrival_before_dispatch", 0.3)
    assert_rate(int((incidents["接警单编号"] == "").sum()), "missing_incident_id", 0.5)
    bad = incidents["t_接警时间"].isna() & (incidents["接警时间"] != "")
    assert_rate(int(bad.sum()), "bad_received", 0.5)
    nulls = (incidents[TIME_COLUMNS] == "NULL").any(axis=1)
    assert_rate(int(nulls.sum()), "null_string", 0.3)
    assert (incidents["接警时间"] != "NULL").all() and (incidents["派警时间"] != "NULL").all()
