"""A seeded, deterministic generator of a SYNTHETIC Chinese 110 接处警 call log.

The log describes a fictional prefecture-level city modelled on the published
figures of the Zhangzhou 110 unit: 48 patrol grids (所属网格), 76 key sites
(重点部位), a caught-in-the-act (现行抓获) share of 80.84% of arrests and a mean
of 17.2 hours from dispatch (派警) to arrest. Nothing in it describes real
people or real incidents: names are ``张某某``-style placeholders and phone
numbers are random digits.

The output is one CSV per calendar month, named ``zz110_YYYY-MM.csv``, with the
column headers accepted by ``mappings/cn110.toml``. Most months are UTF-8 with
Chinese headers (with and without BOM, alternately); the 7th month is a
Windows-style GBK export with pinyin headers, minute-precision timestamps
(``YYYY/MM/DD HH:MM``) and CRLF line endings. A few defects are planted at low,
documented rates (see :data:`DEFECT_RATES` and ``data/sample/README.md``).

Only ``np.random.default_rng(seed)`` is used, and every draw happens in a fixed
order, so the same arguments always give byte-identical files.
"""

from __future__ import annotations

import math
import pathlib
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["generate_sample", "DEFECT_RATES", "ARREST_TARGETS", "FILE_PREFIX"]

#: File names are ``f"{FILE_PREFIX}{YYYY-MM}.csv"``.
FILE_PREFIX = "zz110_"

#: Calibration targets, from the published Zhangzhou 110 figures.
ARREST_TARGETS = {
    "caught_in_act_share": 0.8084,  # 现行抓获 / all arrests
    "mean_dispatch_to_arrest_h": 17.2,  # mean (抓获时间 - 派警时间) [h]
}

#: Planted defects: share of the generated incidents (before duplication) that
#: carry each defect. Counts are exact: ``round(rate * n_incidents)``, chosen
#: without overlap between defects.
DEFECT_RATES = {
    "missing_arrival": 0.02,  # 到达现场时间 blank although a unit arrived
    "arrival_before_dispatch": 0.003,  # 到达现场时间 2-15 min before 派警时间
    "duplicate_row": 0.002,  # the row is exported twice, byte for byte
    "missing_incident_id": 0.0005,  # 接警单编号 blank
    "bad_received": 0.0005,  # 接警时间 unparseable, e.g. 2024-02-30 25:61:00
    "null_string": 0.005,  # literal "NULL" in 出警时间, 处警结束时间 or 抓获时间
}

# ---------------------------------------------------------------------------
# Geography: districts -> stations (管辖单位) -> patrol grids (所属网格)
# ---------------------------------------------------------------------------


class _District(NamedTuple):
    name: str
    area_class: str  # 区域类别: 城区 (arrival target 5 min) or 郊区 (10 min)
    n_grids: int
    lat: float  # centre [deg N]
    lon: float  # centre [deg E]
    spread: float  # radius over which grid centres are laid out [deg]
    jitter: float  # s.d. of a call's position around its grid centre [deg]
    stations: tuple[str, ...]


_DISTRICTS: tuple[_District, ...] = (
    _District("芗城", "城区", 16, 24.513, 117.652, 0.022, 0.0035,
              ("芗城东派出所", "芗城西派出所", "芗城南派出所", "芗城北派出所")),
    _District("龙文", "城区", 14, 24.503, 117.712, 0.024, 0.0040,
              ("龙文东派出所", "龙文西派出所", "龙文北派出所")),
    _District("龙海", "郊区", 10, 24.446, 117.818, 0.070, 0.0120,
              ("龙海城关派出所", "龙海港尾派出所", "龙海角美派出所")),
    _District("长泰", "郊区", 8, 24.625, 117.759, 0.060, 0.0110,
              ("长泰城关派出所", "长泰岩溪派出所")),
)


class _Grid(NamedTuple):
    name: str  # 所属网格, e.g. 芗城-01网格
    district: str
    station: str  # 管辖单位
    area_class: str
    lat: float
    lon: float
    jitter: float
    weight: float  # relative call volume


def _layout_grids(districts: tuple[_District, ...]) -> tuple[_Grid, ...]:
    """Lay grid centres on a sunflower spiral around each district centre.

    The layout is fixed (no randomness): busier grids sit near the centre, and
    suburban grids carry less traffic than urban ones.
    """
    golden_angle = math.pi * (3.0 - math.sqrt(5.0))
    grids = []
    for d in districts:
        for k in range(d.n_grids):
            r = math.sqrt((k + 0.5) / d.n_grids)  # 0..1, uniform over the disc
            theta = k * golden_angle
            weight = (1.5 - r) * (1.0 if d.area_class == "城区" else 0.6)
            grids.append(
                _Grid(
                    name=f"{d.name}-{k + 1:02d}网格",
                    district=d.name,
                    station=d.stations[k * len(d.stations) // d.n_grids],
                    area_class=d.area_class,
                    lat=round(d.lat + d.spread * r * math.sin(theta), 4),
                    lon=round(d.lon + d.spread * r * math.cos(theta), 4),
                    jitter=d.jitter,
                    weight=round(weight, 3),
                )
            )
    return tuple(grids)


#: The 48 patrol grids (30 城区, 18 郊区).
_GRIDS: tuple[_Grid, ...] = _layout_grids(_DISTRICTS)

# ---------------------------------------------------------------------------
# Key sites (重点部位): 76 sites, each inside one grid
# ---------------------------------------------------------------------------


class _SiteKind(NamedTuple):
    kind: str
    count: int
    template: str  # {d}: district, {n}: Chinese ordinal within the district
    weight: float  # relative call volume of one site of this kind


_SITE_KINDS: tuple[_SiteKind, ...] = (
    _SiteKind("学校", 14, "{d}第{n}中学", 0.6),
    _SiteKind("医院", 6, "{d}第{n}医院", 1.4),
    _SiteKind("银行", 10, "{d}农商银行第{n}支行", 0.6),
    _SiteKind("商场", 8, "{d}第{n}购物中心", 1.6),
    _SiteKind("车站", 4, "{d}第{n}客运站", 1.8),
    _SiteKind("市场", 8, "{d}第{n}农贸市场", 1.3),
    _SiteKind("机关", 6, "{d}第{n}政务服务中心", 0.5),
    _SiteKind("公园", 8, "{d}第{n}公园", 0.9),
    _SiteKind("加油站", 6, "{d}第{n}加油站", 0.5),
    _SiteKind("网吧", 6, "{d}第{n}网吧", 1.0),
)

#: Share of calls located at one of the key sites.
_KEY_SITE_SHARE = 0.15

_CN_DIGITS = "零一二三四五六七八九"


def _cn_ordinal(n: int) -> str:
    """Chinese numeral for 1 <= n <= 99 (一, 十, 十一, 二十三)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + ("" if ones == 0 else _CN_DIGITS[ones])


class _Site(NamedTuple):
    name: str
    grid: int  # index into _GRIDS
    weight: float


def _place_sites(kinds: tuple[_SiteKind, ...], grids: tuple[_Grid, ...]) -> tuple[_Site, ...]:
    """Spread the sites over the grids (a fixed stride visits every grid)."""
    sites = []
    ordinal: dict[tuple[str, str], int] = {}
    k = 0
    for kind in kinds:
        for _ in range(kind.count):
            g = (k * 29) % len(grids)  # 29 is prime to 48: every grid gets 1-2 sites
            district = grids[g].district
            n = ordinal[(district, kind.kind)] = ordinal.get((district, kind.kind), 0) + 1
            sites.append(_Site(kind.template.format(d=district, n=_cn_ordinal(n)), g, kind.weight))
            k += 1
    return tuple(sites)


#: The 76 key sites.
_SITES: tuple[_Site, ...] = _place_sites(_SITE_KINDS, _GRIDS)

# ---------------------------------------------------------------------------
# Call types (警情类型), their group (警情类别) and behaviour
# ---------------------------------------------------------------------------


class _CallType(NamedTuple):
    name: str  # 警情类型
    group: str  # 警情类别
    share: float  # relative frequency over a whole day
    night: float  # frequency multiplier 20:00-03:59
    rush: float  # frequency multiplier 07:00-08:59 and 17:00-18:59
    priority: tuple[float, float, float]  # P(一级), P(二级), P(三级)
    scene_min: float  # median time on scene (arrival -> cleared) [min]
    act_weight: float  # propensity to end in 现行抓获 (0: never)
    later_weight: float  # propensity to end in 事后抓获 (0: never)


_CALL_TYPES: tuple[_CallType, ...] = (
    _CallType("盗窃", "刑事警情", 0.090, 1.2, 1.0, (0.10, 0.60, 0.30), 45, 1.0, 1.6),
    _CallType("抢劫", "刑事警情", 0.006, 1.8, 0.8, (0.85, 0.15, 0.00), 60, 3.0, 2.0),
    _CallType("诈骗", "刑事警情", 0.050, 0.6, 1.0, (0.05, 0.45, 0.50), 40, 0.3, 2.5),
    _CallType("打架斗殴", "治安警情", 0.070, 2.2, 0.8, (0.35, 0.55, 0.10), 40, 2.0, 0.8),
    _CallType("纠纷", "治安警情", 0.200, 1.0, 1.0, (0.02, 0.38, 0.60), 45, 0.15, 0.1),
    _CallType("扰乱秩序", "治安警情", 0.060, 1.6, 0.9, (0.08, 0.52, 0.40), 35, 1.2, 0.3),
    _CallType("交通事故", "交通警情", 0.180, 0.8, 1.6, (0.12, 0.48, 0.40), 55, 0.0, 0.0),
    _CallType("交通堵塞", "交通警情", 0.050, 0.3, 2.5, (0.00, 0.20, 0.80), 30, 0.0, 0.0),
    _CallType("求助", "群众求助", 0.190, 0.9, 1.0, (0.05, 0.35, 0.60), 35, 0.0, 0.0),
    _CallType("走失", "群众求助", 0.020, 0.8, 1.0, (0.30, 0.55, 0.15), 70, 0.0, 0.0),
    _CallType("火情", "灾害事故", 0.020, 1.0, 1.0, (0.75, 0.25, 0.00), 60, 0.0, 0.0),
    _CallType("其他", "其他警情", 0.064, 1.0, 1.0, (0.00, 0.30, 0.70), 30, 0.0, 0.0),
)

_PRIORITIES = ("一级", "二级", "三级")
#: Call-processing (接警 -> 派警) median multiplier by priority.
_PRIORITY_DISPATCH_FACTOR = np.array([0.75, 1.0, 1.15])

#: Outcomes (处警结果) before arrests are drawn, by 警情类别; every value is a
#: key of the outcome map in mappings/cn110.toml.
_OUTCOMES_BY_GROUP: dict[str, tuple[tuple[str, float], ...]] = {
    "刑事警情": (("受案", 0.62), ("到场未见", 0.10), ("警情不实", 0.07), ("撤警", 0.06),
             ("重复报警", 0.05), ("移交处理", 0.05), ("其他", 0.05)),
    "治安警情": (("调解处理", 0.45), ("行政处罚", 0.10), ("到场未见", 0.12), ("警情不实", 0.06),
             ("撤警", 0.08), ("重复报警", 0.05), ("受案", 0.06), ("其他", 0.08)),
    "交通警情": (("调解处理", 0.38), ("行政处罚", 0.14), ("移交处理", 0.10), ("送医救治", 0.05),
             ("撤警", 0.09), ("重复报警", 0.07), ("到场未见", 0.10), ("其他", 0.07)),
    "群众求助": (("求助处理", 0.70), ("送医救治", 0.08), ("撤警", 0.07), ("到场未见", 0.05),
             ("重复报警", 0.04), ("警情不实", 0.03), ("其他", 0.03)),
    "灾害事故": (("移交处理", 0.50), ("送医救治", 0.10), ("重复报警", 0.15), ("警情不实", 0.10),
             ("其他", 0.15)),
    "其他警情": (("其他", 0.50), ("警情不实", 0.20), ("撤警", 0.10), ("重复报警", 0.10),
             ("求助处理", 0.10)),
}
_OUTCOME_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(o for rows in _OUTCOMES_BY_GROUP.values() for o, _ in rows)
)
#: Outcomes that rule an incident out of any arrest.
_NOT_ARRESTABLE = ("撤警", "重复报警", "警情不实")
_CANCELLED = "撤警"
#: Share of cancelled (撤警) calls called off before any unit arrived.
_CANCELLED_BEFORE_ARRIVAL = 0.5

# ---------------------------------------------------------------------------
# How calls come in (接警方式) and who calls
# ---------------------------------------------------------------------------

_METHODS: tuple[tuple[str, float], ...] = (("110接转", 0.65), ("电话报警", 0.32), ("巡逻发现", 0.03))
_SELF_INITIATED = "巡逻发现"

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程苏魏吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武莫孔向汤"
_PHONE_PREFIXES = ("13", "15", "18")

# ---------------------------------------------------------------------------
# Rhythm: hour of day, day of week, season
# ---------------------------------------------------------------------------

#: Relative call volume by local hour 00..23 (few calls 03-06, evening peak).
_HOURLY = np.array([
    3.2, 2.4, 1.8, 1.2, 1.0, 1.1, 1.6, 2.6, 3.6, 4.2, 4.5, 4.6,
    4.3, 4.2, 4.5, 4.8, 5.1, 5.5, 5.6, 5.7, 5.8, 5.4, 4.6, 3.9,
])
#: Relative daily volume, Monday..Sunday.
_WEEKDAY = np.array([0.98, 0.96, 0.97, 0.99, 1.05, 1.08, 0.97])
#: (weekdays, hours, multiplier): Friday/Saturday evenings and the nights after.
_WEEKEND_NIGHTS: tuple[tuple[tuple[int, ...], tuple[int, ...], float], ...] = (
    ((4, 5), (19, 20, 21, 22, 23), 1.35),
    ((5, 6), (0, 1, 2), 1.40),
)
_NIGHT_HOURS = (20, 21, 22, 23, 0, 1, 2, 3)
_RUSH_HOURS = (7, 8, 17, 18)
_SEASON_AMPLITUDE = 0.08  # summer peak, winter trough [fraction of the mean]
_SEASON_PEAK_DOY = 196  # mid July

# ---------------------------------------------------------------------------
# Stage delays: lognormal (median, sigma) [s]; sigma = ln(p90/median) / 1.2816
# ---------------------------------------------------------------------------

_Z90 = 1.2815515655446004
_RING_S = (2, 20)  # 报警时间 -> 接警时间, uniform integer range [s]
_DISPATCH = (40.0, math.log(100 / 40) / _Z90)  # 接警 -> 派警: median 40 s, p90 100 s
_TURNOUT = (60.0, math.log(150 / 60) / _Z90)  # 派警 -> 出警: median 60 s, p90 150 s
_TRAVEL = {  # 出警 -> 到达现场, by 区域类别
    "城区": (200.0, math.log(360 / 200) / _Z90),  # median 3.3 min, p90 6 min
    "郊区": (360.0, math.log(660 / 360) / _Z90),  # median 6 min, p90 11 min
}
_SCENE_FLOOR_MIN, _SCENE_CAP_MIN, _SCENE_SIGMA = 20.0, 120.0, 0.7  # on scene [min]
_SELF_INITIATED_MAX_S = (3, 3, 5)  # patrol: dispatch, turnout, travel [s], uniform 0..max

# ---------------------------------------------------------------------------
# Arrests
# ---------------------------------------------------------------------------

#: Arrests (recorded or censored) per arrest-eligible incident.
_ARREST_SHARE = 0.075
#: Spread (sigma of the log) of the later-arrest delay; heavy right tail.
_LATER_SIGMA = 1.2
#: A later arrest comes at least this long after the unit cleared [h].
_LATER_MIN_AFTER_CLEAR_H = 0.5

# ---------------------------------------------------------------------------
# Output columns: (Chinese header, pinyin header)
# ---------------------------------------------------------------------------

_COLUMNS: tuple[tuple[str, str], ...] = (
    ("接警单编号", "JJDBH"),
    ("报警时间", "BJSJ"),
    ("接警时间", "JJSJ"),
    ("派警时间", "PJSJ"),
    ("出警时间", "CJSJ"),
    ("到达现场时间", "DDXCSJ"),
    ("处警结束时间", "CJJSSJ"),
    ("警情类别", "JQLB"),
    ("警情类型", "JQLX"),
    ("警情级别", "JQJB"),
    ("接警方式", "JJFS"),
    ("管辖单位", "GXDW"),
    ("所属网格", "SSWG"),
    ("区域类别", "QYLB"),
    ("重点部位", "ZDBW"),
    ("经度", "JD"),
    ("纬度", "WD"),
    ("处警结果", "CJJG"),
    ("是否现行抓获", "SFXXZH"),
    ("抓获时间", "ZHSJ"),
    ("报警人", "BJR"),
    ("报警电话", "BJDH"),
)
_TIME_COLUMNS = ("报警时间", "接警时间", "派警时间", "出警时间", "到达现场时间", "处警结束时间", "抓获时间")
_ID_PREFIX = "J350600"
_GBK_MONTH_INDEX = 6  # the 7th month is the Windows/GBK/pinyin export


class _Style(NamedTuple):
    encoding: str
    pinyin: bool
    minutes_only: bool  # timestamps as YYYY/MM/DD HH:MM
    eol: str


_STYLE_UTF8_BOM = _Style("utf-8-sig", False, False, "\n")
_STYLE_UTF8 = _Style("utf-8", False, False, "\n")
_STYLE_GBK = _Style("gbk", True, True, "\r\n")


def _style_for(month_index: int) -> _Style:
    """Export style of the ``month_index``-th month (0-based)."""
    if month_index == _GBK_MONTH_INDEX:
        return _STYLE_GBK
    return _STYLE_UTF8_BOM if month_index % 2 == 0 else _STYLE_UTF8


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def generate_sample(
    out_dir: str | pathlib.Path,
    *,
    seed: int = 110,
    start: str = "2024-01",
    months: int = 15,
    calls_per_day: float = 26.0,
) -> list[pathlib.Path]:
    """Write a synthetic 110 接处警 call log, one CSV per calendar month.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Directory to write into (created if missing). Existing files with the
        same names are overwritten.
    seed : int, default 110
        Seed of ``numpy.random.default_rng``; the same arguments always give
        byte-identical files.
    start : str, default "2024-01"
        First month, ``YYYY-MM`` [local time, Asia/Shanghai].
    months : int, default 15
        Number of full calendar months to generate [months].
    calls_per_day : float, default 26.0
        Mean number of incidents per day over the year [calls/day]; the
        weekday and seasonal rhythms vary around it.

    Returns
    -------
    list of pathlib.Path
        The files written, ``zz110_YYYY-MM.csv``, in month order.

    Notes
    -----
    Each row is one incident (接警单). Stage timestamps follow each other with
    lognormal delays: 接警 -> 派警 (median 40 s, p90 100 s), 派警 -> 出警
    (median 60 s), 出警 -> 到达现场 (城区 median 3.3 min, p90 6 min; 郊区
    median 6 min, p90 11 min), then 20-120 min on scene. Arrests are
    calibrated on the written data: among arrests whose 抓获时间 falls inside
    the data window, the 现行抓获 share is 80.84% and the mean of
    (抓获时间 - 派警时间) is 17.2 h. Later arrests that would fall after the
    window are not recorded (处警结果 受案, blank 抓获时间): right-censored.
    """
    if months < 1:
        raise ValueError(f"months must be >= 1, got {months}")
    if calls_per_day <= 0:
        raise ValueError(f"calls_per_day must be > 0, got {calls_per_day}")
    first = pd.Period(start, freq="M")
    periods = [first + i for i in range(months)]
    window_start = _epoch_s(periods[0].start_time)
    window_end = _epoch_s((periods[-1] + 1).start_time)  # exclusive

    rng = np.random.default_rng(seed)
    received = _draw_received(rng, window_start, window_end, calls_per_day)
    calls = _draw_calls(rng, received)
    _draw_stages(rng, calls)
    _draw_arrests(rng, calls, window_end)
    _draw_callers(rng, calls)
    defects = _choose_defects(rng, calls)

    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = _to_frame(calls)
    month_of_row = _month_index(received, periods)
    paths = []
    for i, period in enumerate(periods):
        rows = np.flatnonzero(month_of_row == i)
        style = _style_for(i)
        text = _format_month(table.iloc[rows], defects, rows, style)
        path = out / f"{FILE_PREFIX}{period.strftime('%Y-%m')}.csv"
        path.write_bytes(text.encode(style.encoding))
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------
# Drawing the incidents
# ---------------------------------------------------------------------------


def _epoch_s(ts: pd.Timestamp) -> int:
    """Naive local timestamp -> seconds since 1970-01-01 00:00 (local) [s]."""
    return int(ts.value // 1_000_000_000)


def _lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: float, n: int) -> np.ndarray:
    """Lognormal draws with the given median and log-sd, in the median's unit."""
    return np.asarray(median) * np.exp(sigma * rng.standard_normal(n))


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row of ``probs`` (rows need not be normalised)."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cdf[:, -1]
    return np.minimum((u[:, None] >= cdf).sum(axis=1), probs.shape[1] - 1)


def _hourly_profile() -> np.ndarray:
    """Relative call volume by (weekday, hour), shape (7, 24), rows sum to 1."""
    profile = np.tile(_HOURLY, (7, 1))
    for weekdays, hours, factor in _WEEKEND_NIGHTS:
        profile[np.ix_(weekdays, hours)] *= factor
    return profile / profile.sum(axis=1, keepdims=True)


def _draw_received(rng: np.random.Generator, start_s: int, end_s: int, calls_per_day: float) -> np.ndarray:
    """Draw the 接警时间 of every incident, sorted [s since epoch, local].

    Daily counts are Poisson around ``calls_per_day`` times the weekday and
    seasonal factors; the hour follows the weekday's hourly profile and the
    second within the hour is uniform.
    """
    days = pd.date_range(pd.Timestamp(start_s, unit="s"), pd.Timestamp(end_s, unit="s"),
                         freq="D", inclusive="left")
    weekday = days.day_of_week.to_numpy()
    season = 1 + _SEASON_AMPLITUDE * np.cos(2 * np.pi * (days.day_of_year.to_numpy() - _SEASON_PEAK_DOY) / 365.25)
    lam = calls_per_day * _WEEKDAY[weekday] / _WEEKDAY.mean() * season
    counts = rng.poisson(lam)
    day_of_call = np.repeat(np.arange(len(days)), counts)
    profile = _hourly_profile()[weekday[day_of_call]]
    hour = _categorical(rng, profile)
    second = rng.integers(0, 3600, len(day_of_call))
    day_start = start_s + 86_400 * day_of_call
    return np.sort(day_start + 3600 * hour + second)


def _draw_calls(rng: np.random.Generator, received: np.ndarray) -> dict[str, np.ndarray]:
    """Draw type, priority, place, method and initial outcome of each incident."""
    n = len(received)
    hour = (received // 3600) % 24
    types = _CALL_TYPES
    # type | hour: the day-long shares, reweighted at night and at rush hours
    share = np.array([t.share for t in types])
    by_hour = np.tile(share, (24, 1))
    by_hour[list(_NIGHT_HOURS)] *= [t.night for t in types]
    by_hour[list(_RUSH_HOURS)] *= [t.rush for t in types]
    ctype = _categorical(rng, by_hour[hour])
    priority = _categorical(rng, np.array([t.priority for t in types])[ctype])

    # place: a key site (15%) or anywhere in a grid
    at_site = rng.random(n) < _KEY_SITE_SHARE
    site_w = np.array([s.weight for s in _SITES])
    site = _categorical(rng, np.tile(site_w, (n, 1)))
    grid_w = np.array([g.weight for g in _GRIDS])
    site_grid = np.array([s.grid for s in _SITES])
    grid = np.where(at_site, site_grid[site], _categorical(rng, np.tile(grid_w, (n, 1))))
    site = np.where(at_site, site, -1)
    g_lat = np.array([g.lat for g in _GRIDS])[grid]
    g_lon = np.array([g.lon for g in _GRIDS])[grid]
    jitter = np.array([g.jitter for g in _GRIDS])[grid]
    # a key site is one address: a small spread around its own fixed point
    site_off = np.where(at_site[:, None], _site_offsets()[np.maximum(site, 0)], 0.0)
    jitter = np.where(at_site, 0.0003, jitter)
    lat = g_lat + site_off[:, 0] + jitter * rng.standard_normal(n)
    lon = g_lon + site_off[:, 1] + jitter * rng.standard_normal(n)

    method = _categorical(rng, np.tile([p for _, p in _METHODS], (n, 1)))
    self_init = np.array([m for m, _ in _METHODS])[method] == _SELF_INITIATED

    group_of_type = np.array([t.group for t in types])[ctype]
    outcome_p = np.array([[dict(_OUTCOMES_BY_GROUP[t.group]).get(o, 0.0) for o in _OUTCOME_NAMES]
                          for t in types])
    outcome = np.array(_OUTCOME_NAMES, dtype=object)[_categorical(rng, outcome_p[ctype])]
    return {
        "received": received,
        "type": ctype,
        "group": group_of_type,
        "priority": priority,
        "grid": grid,
        "site": site,
        "lat": lat,
        "lon": lon,
        "method": method,
        "self_initiated": self_init,
        "outcome": outcome,
    }


def _site_offsets() -> np.ndarray:
    """Fixed offset of each key site from its grid centre [deg], shape (76, 2)."""
    k = np.arange(len(_SITES))
    jitter = np.array([_GRIDS[s.grid].jitter for s in _SITES])
    angle = k * math.pi * (3.0 - math.sqrt(5.0))
    return np.column_stack([np.sin(angle), np.cos(angle)]) * jitter[:, None]


def _draw_stages(rng: np.random.Generator, calls: dict[str, np.ndarray]) -> None:
    """Add 报警, 派警, 出警, 到达现场 and 处警结束 times [s]; NaN when absent."""
    n = len(calls["received"])
    recv = calls["received"].astype(np.float64)
    self_init = calls["self_initiated"]
    area = np.array([_GRIDS[g].area_class for g in calls["grid"]])

    ring = rng.integers(_RING_S[0], _RING_S[1] + 1, n)
    dispatch = _lognormal(rng, _DISPATCH[0] * _PRIORITY_DISPATCH_FACTOR[calls["priority"]], _DISPATCH[1], n)
    turnout = _lognormal(rng, _TURNOUT[0], _TURNOUT[1], n)
    travel = np.zeros(n)
    for cls, (median, sigma) in _TRAVEL.items():
        draw = _lognormal(rng, median, sigma, n)
        travel = np.where(area == cls, draw, travel)
    scene_med = np.array([t.scene_min for t in _CALL_TYPES])[calls["type"]] - _SCENE_FLOOR_MIN
    scene = np.minimum(_SCENE_FLOOR_MIN + _lognormal(rng, scene_med, _SCENE_SIGMA, n), _SCENE_CAP_MIN) * 60
    quick = rng.integers(0, np.array(_SELF_INITIATED_MAX_S) + 1, (n, 3))
    called_off = (calls["outcome"] == _CANCELLED) & (rng.random(n) < _CANCELLED_BEFORE_ARRIVAL)
    called_off_after = rng.uniform(2, 15, n) * 60

    ring = np.where(self_init, 0, ring)
    dispatch = np.where(self_init, quick[:, 0], np.maximum(np.round(dispatch), 5))
    turnout = np.where(self_init, quick[:, 1], np.maximum(np.round(turnout), 5))
    travel = np.where(self_init, quick[:, 2], np.maximum(np.round(travel), 20))
    called_off &= ~self_init

    calls["reported"] = recv - ring
    calls["dispatched"] = recv + dispatch
    calls["enroute"] = calls["dispatched"] + turnout
    arrived = calls["enroute"] + travel
    calls["cleared"] = np.where(called_off, calls["enroute"] + np.round(called_off_after), arrived + np.round(scene))
    calls["arrived"] = np.where(called_off, np.nan, arrived)
    calls["arrested"] = np.full(n, np.nan)
    calls["caught_in_act"] = np.full(n, "", dtype=object)


def _draw_arrests(rng: np.random.Generator, calls: dict[str, np.ndarray], window_end: int) -> None:
    """Pick arrests and calibrate them to the published Zhangzhou figures.

    Arrest-eligible incidents are criminal and public-order calls that were not
    cancelled, duplicated or unfounded. Later arrests (事后抓获) get a
    heavy-tailed lognormal delay after 派警; the delay scale and the number
    of 现行抓获 are then solved so that, over arrests recorded inside the data
    window, the 现行抓获 share and the mean 派警 -> 抓获 time hit
    :data:`ARREST_TARGETS`. Later arrests past the window end stay open
    (受案, blank 抓获时间): they are right-censored.
    """
    n = len(calls["received"])
    act_w = np.array([t.act_weight for t in _CALL_TYPES])[calls["type"]]
    later_w = np.array([t.later_weight for t in _CALL_TYPES])[calls["type"]]
    eligible = (act_w + later_w > 0) & ~np.isin(calls["outcome"], _NOT_ARRESTABLE)
    has_arrival = ~np.isnan(calls["arrived"])
    n_total = int(round(_ARREST_SHARE * eligible.sum()))
    share = ARREST_TARGETS["caught_in_act_share"]
    n_later = max(1, int(round(n_total * (1 - share))))

    later_pool = np.flatnonzero(eligible & (later_w > 0))
    later = _weighted_order(rng, later_pool, later_w[later_pool])[:n_later]
    act_ok = eligible & has_arrival & (act_w > 0) & (calls["cleared"] < window_end)
    act_ok[later] = False
    act_pool = np.flatnonzero(act_ok)
    act_order = _weighted_order(rng, act_pool, act_w[act_pool])

    # 现行抓获: between arrival and the end of the call
    frac = rng.uniform(0.1, 0.7, n)
    act_time = calls["arrived"] + np.round(frac * (calls["cleared"] - calls["arrived"]))
    act_delay_h = (act_time - calls["dispatched"]) / 3600
    # 事后抓获: dispatch + max(floor, scale * unit-median lognormal)
    raw = np.exp(_LATER_SIGMA * rng.standard_normal(len(later)))
    floor_h = (calls["cleared"][later] - calls["dispatched"][later]) / 3600 + _LATER_MIN_AFTER_CLEAR_H
    room_h = (window_end - 1 - calls["dispatched"][later]) / 3600  # recorded iff delay <= room

    cum_act = np.concatenate([[0.0], np.cumsum(act_delay_h[act_order])])
    n_act = int(round(n_later * share / (1 - share)))
    scale = 1.0
    for _ in range(50):
        n_act = min(n_act, len(act_order))
        scale = _solve_scale(raw, floor_h, room_h, cum_act[n_act], n_act)
        recorded = np.maximum(floor_h, scale * raw) <= room_h
        n_act_new = min(int(round(recorded.sum() * share / (1 - share))), len(act_order))
        if n_act_new == n_act:
            break
        n_act = n_act_new

    act = act_order[:n_act]
    delay_h = np.maximum(floor_h, scale * raw)
    recorded = delay_h <= room_h
    later_time = calls["dispatched"][later] + np.round(delay_h * 3600)

    calls["outcome"][act] = "现行抓获"
    calls["caught_in_act"][act] = "是"
    calls["arrested"][act] = act_time[act]
    rec = later[recorded]
    calls["outcome"][rec] = "事后抓获"
    calls["caught_in_act"][rec] = "否"
    calls["arrested"][rec] = later_time[recorded]
    calls["outcome"][later[~recorded]] = "受案"  # still open at the end of the window


def _weighted_order(rng: np.random.Generator, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """A random order of ``items``, heavier items tending to come first."""
    if len(items) == 0:
        return items
    # Efraimidis-Spirakis: sort by U**(1/w), descending
    keys = np.log(rng.random(len(items))) / weights
    return items[np.argsort(-keys, kind="stable")]


def _solve_scale(raw: np.ndarray, floor_h: np.ndarray, room_h: np.ndarray,
                 act_sum_h: float, n_act: int) -> float:
    """Scale of the later-arrest delays that puts the recorded mean on target.

    The mean over recorded arrests (in-act ones plus later ones that fall
    inside the window) is computed for a given scale; censoring makes it only
    piecewise monotone, so the scale is found by bisection on a log grid and
    the best point seen is kept.
    """
    target = ARREST_TARGETS["mean_dispatch_to_arrest_h"]

    def gap(s: float) -> float:
        d = np.maximum(floor_h, s * raw)
        kept = d <= room_h
        return (act_sum_h + d[kept].sum()) / max(n_act + kept.sum(), 1) - target

    lo, hi = 1e-3, 1e4
    best, best_gap = lo, abs(gap(lo))
    for _ in range(100):
        mid = math.sqrt(lo * hi)
        g = gap(mid)
        if abs(g) < best_gap:
            best, best_gap = mid, abs(g)
        if g < 0:
            lo = mid
        else:
            hi = mid
    return best


def _draw_callers(rng: np.random.Generator, calls: dict[str, np.ndarray]) -> None:
    """Fake caller names (张某某) and 11-digit mobile numbers; blank for patrol."""
    n = len(calls["received"])
    surname = np.array(list(_SURNAMES))[rng.integers(0, len(_SURNAMES), n)]
    suffix = np.where(rng.random(n) < 0.7, "某某", "某")
    prefix = np.array(_PHONE_PREFIXES)[rng.integers(0, len(_PHONE_PREFIXES), n)]
    digits = rng.integers(0, 1_000_000_000, n)
    name = np.char.add(surname, suffix).astype(object)
    phone = np.array([f"{p}{d:09d}" for p, d in zip(prefix, digits)], dtype=object)
    calls["caller"] = np.where(calls["self_initiated"], "", name)
    calls["phone"] = np.where(calls["self_initiated"], "", phone)


# ---------------------------------------------------------------------------
# Defects
# ---------------------------------------------------------------------------


def _choose_defects(rng: np.random.Generator, calls: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Choose the rows of each planted defect, disjoint across defects.

    Numeric defects (missing arrival, arrival before dispatch) are applied to
    ``calls`` here; text defects are returned as row indices (and, for
    ``null_string``, a column) and applied when the month is formatted.
    """
    n = len(calls["received"])
    has_arrival = ~np.isnan(calls["arrived"])
    no_arrest = np.isnan(calls["arrested"])
    eligible = {
        "missing_arrival": has_arrival,
        "arrival_before_dispatch": has_arrival & ~calls["self_initiated"],
        "duplicate_row": np.ones(n, bool),
        "missing_incident_id": np.ones(n, bool),
        "bad_received": np.ones(n, bool),
        "null_string": no_arrest,
    }
    order = rng.permutation(n)
    used = np.zeros(n, bool)
    chosen = {}
    for name, rate in DEFECT_RATES.items():
        ok = eligible[name][order] & ~used[order]
        rows = np.sort(order[ok][: int(round(rate * n))])
        used[rows] = True
        chosen[name] = rows

    calls["arrived"][chosen["missing_arrival"]] = np.nan
    early = chosen["arrival_before_dispatch"]
    calls["arrived"][early] = calls["dispatched"][early] - rng.integers(120, 901, len(early))
    null_cols = ("出警时间", "处警结束时间", "抓获时间")
    chosen["null_column"] = np.array(null_cols, dtype=object)[rng.integers(0, 3, len(chosen["null_string"]))]
    return chosen


# ---------------------------------------------------------------------------
# Formatting and writing
# ---------------------------------------------------------------------------


def _to_frame(calls: dict[str, np.ndarray]) -> pd.DataFrame:
    """The incidents as a table with Chinese headers; times stay numeric [s]."""
    types = _CALL_TYPES
    received = calls["received"]
    day = received // 86_400
    starts = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
    counts = np.diff(np.r_[starts, len(day)])
    serial = np.arange(len(day)) - np.repeat(starts, counts) + 1
    dates = pd.to_datetime(received, unit="s").strftime("%Y%m%d").to_numpy()
    ids = [f"{_ID_PREFIX}{d}{s:05d}" for d, s in zip(dates, serial)]
    site_names = np.array([""] + [s.name for s in _SITES], dtype=object)[calls["site"] + 1]
    grids = calls["grid"]
    return pd.DataFrame({
        "接警单编号": ids,
        "报警时间": calls["reported"],
        "接警时间": received.astype(np.float64),
        "派警时间": calls["dispatched"],
        "出警时间": calls["enroute"],
        "到达现场时间": calls["arrived"],
        "处警结束时间": calls["cleared"],
        "警情类别": calls["group"],
        "警情类型": np.array([t.name for t in types], dtype=object)[calls["type"]],
        "警情级别": np.array(_PRIORITIES, dtype=object)[calls["priority"]],
        "接警方式": np.array([m for m, _ in _METHODS], dtype=object)[calls["method"]],
        "管辖单位": np.array([g.station for g in _GRIDS], dtype=object)[grids],
        "所属网格": np.array([g.name for g in _GRIDS], dtype=object)[grids],
        "区域类别": np.array([g.area_class for g in _GRIDS], dtype=object)[grids],
        "重点部位": site_names,
        "经度": np.round(calls["lon"], 6),
        "纬度": np.round(calls["lat"], 6),
        "处警结果": calls["outcome"],
        "是否现行抓获": calls["caught_in_act"],
        "抓获时间": calls["arrested"],
        "报警人": calls["caller"],
        "报警电话": calls["phone"],
    })


def _month_index(received: np.ndarray, periods: list[pd.Period]) -> np.ndarray:
    """0-based month of each incident's 接警时间."""
    ts = pd.to_datetime(received, unit="s")
    months = (ts.year - periods[0].year) * 12 + (ts.month - periods[0].month)
    return np.asarray(months)


def _format_times(seconds: pd.Series, minutes_only: bool) -> pd.Series:
    """Seconds since epoch (NaN = blank) -> local timestamp text."""
    ts = pd.to_datetime(seconds, unit="s")
    text = ts.dt.strftime("%Y/%m/%d %H:%M" if minutes_only else "%Y-%m-%d %H:%M:%S")
    return text.where(ts.notna(), "").astype(object)


def _bad_timestamp(received_s: float, minutes_only: bool) -> str:
    """An unparseable 接警时间 in the month's own style (day 30/32, 25:61)."""
    ts = pd.Timestamp(int(received_s), unit="s")
    day = 30 if ts.month == 2 else 32
    if minutes_only:
        return f"{ts.year}/{ts.month:02d}/{day} 25:61"
    return f"{ts.year}-{ts.month:02d}-{day} 25:61:00"


def _format_month(frame: pd.DataFrame, defects: dict[str, np.ndarray], rows: np.ndarray, style: _Style) -> str:
    """Render one month as CSV text in its export style, defects included."""
    out = frame.copy()
    for col in _TIME_COLUMNS:
        out[col] = _format_times(out[col], style.minutes_only)
    out["经度"] = out["经度"].map("{:.6f}".format)
    out["纬度"] = out["纬度"].map("{:.6f}".format)

    pos = {r: i for i, r in enumerate(rows)}  # global row -> position in month
    for r in defects["missing_incident_id"]:
        if r in pos:
            out.iat[pos[r], out.columns.get_loc("接警单编号")] = ""
    for r in defects["bad_received"]:
        if r in pos:
            out.iat[pos[r], out.columns.get_loc("接警时间")] = _bad_timestamp(frame["接警时间"].iloc[pos[r]],
                                                                          style.minutes_only)
    for r, col in zip(defects["null_string"], defects["null_column"]):
        if r in pos:
            out.iat[pos[r], out.columns.get_loc(col)] = "NULL"
    repeat = np.ones(len(out), dtype=np.int64)
    for r in defects["duplicate_row"]:
        if r in pos:
            repeat[pos[r]] = 2
    out = out.iloc[np.repeat(np.arange(len(out)), repeat)]
    if style.pinyin:
        out = out.rename(columns=dict(_COLUMNS))
    return out.to_csv(index=False, lineterminator=style.eol)
