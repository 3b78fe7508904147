"""The calibrated facts of the SYNTHETIC Chinese 110 接处警 call log.

Every number, name and distribution the generator draws from lives here, as a
public constant: the geography of a fictional prefecture-level city modelled
on the published figures of the Zhangzhou 110 unit (48 patrol grids, 76 key
sites), its call types and outcomes, how calls come in, the hourly, weekly and
seasonal rhythm, the stage delays, the arrest targets (80.84% 现行抓获, a mean
of 17.2 h from 派警 to 抓获), the planted defects and the export layout; and,
for the city scale, the volume the article's 855 persons arrested imply, the
invalid calls, the crime sub-types, the duty roster (170 teams a day) and the
grid polygons.
:mod:`responsestats.sample.generator` only draws and writes; the benchmark
generator (``benchmarks/generate.py``) reuses the same facts.

Nothing here is random: derived tables (grid centres, key sites, their
offsets) are laid out by fixed rules when the module is imported. Units are
given in brackets: ``[s]``, ``[min]``, ``[h]``, ``[deg]``, ``[fraction]``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = [
    # output files, targets, defects
    "FILE_PREFIX", "ARREST_TARGETS", "DEFECT_RATES", "EARLY_ARRIVAL_S", "NULL_COLUMNS",
    # geography
    "District", "DISTRICTS", "Grid", "GRIDS", "SiteKind", "SITE_KINDS", "KEY_SITE_SHARE", "Site", "SITES",
    "SITE_JITTER", "SITE_OFFSETS",
    # call types, priorities, outcomes
    "CallType", "CALL_TYPES", "PRIORITIES", "PRIORITY_DISPATCH_FACTOR", "OUTCOMES_BY_GROUP", "OUTCOME_NAMES",
    "NOT_ARRESTABLE", "CANCELLED", "CANCELLED_BEFORE_ARRIVAL", "CALLED_OFF_AFTER_MIN",
    # how calls come in, who calls
    "METHODS", "SELF_INITIATED", "SURNAMES", "CALLER_SUFFIXES", "CALLER_DOUBLE_SUFFIX_SHARE", "PHONE_PREFIXES",
    # rhythm
    "HOURLY", "WEEKDAY", "WEEKEND_NIGHTS", "NIGHT_HOURS", "RUSH_HOURS", "SEASON_AMPLITUDE", "SEASON_PEAK_DOY",
    "hourly_profile",
    # stage delays
    "Z90", "RING_S", "DISPATCH", "TURNOUT", "TRAVEL", "SCENE_FLOOR_MIN", "SCENE_CAP_MIN", "SCENE_SIGMA",
    "SELF_INITIATED_MAX_S", "EXTRA_STREAM", "ANSWER", "BUSY_QUEUE_SHARE", "QUEUE_MEAN_S", "ANSWER_CAP_S",
    "ACKNOWLEDGE", "REPORT_BACK", "PERSONS_PER_ARREST",
    # arrests
    "CAUGHT_IN_ACT", "LATER_ARREST", "OPEN_CASE", "ARREST_FLAGS", "ARREST_SHARE", "IN_ACT_FRACTION",
    "LATER_SIGMA", "LATER_MIN_AFTER_CLEAR_H",
    # export layout
    "COLUMNS", "TIME_COLUMNS", "ID_PREFIX", "GBK_MONTH_INDEX", "Style", "STYLE_UTF8_BOM", "STYLE_UTF8", "STYLE_GBK",
    "export_style",
    # city scale
    "SCALES", "SMALL_CALLS_PER_DAY", "ARTICLE_PERSONS_ARRESTED", "ARTICLE_PERIOD", "PATROL_TEAMS_PER_DAY",
    "OFFICERS_PER_DAY", "OFFICERS_PER_TEAM", "expected_type_shares", "city_volume_arithmetic", "CITY_CALLS_PER_DAY",
    "SCALE_CALLS_PER_DAY", "INVALID_SHARE", "INVALID_GROUP", "INVALID_OUTCOME", "INVALID_STREAM", "InvalidKind",
    "INVALID_KINDS", "INVALID_METHODS", "SUBTYPE_COLUMN", "SUBTYPE_STREAM", "SubType", "SUBTYPES", "city_columns",
    "ROSTER_FILE", "SHIFT_H", "ROSTER_MIN_TEAMS", "duty_roster", "GRIDS_FILE", "GRID_MAP_MARGIN_DEG", "grid_cells",
]

# ---------------------------------------------------------------------------
# Output files, calibration targets and planted defects
# ---------------------------------------------------------------------------

#: File names are ``f"{FILE_PREFIX}{YYYY-MM}.csv"``.
FILE_PREFIX = "zz110_"

#: Calibration targets, from the published Zhangzhou 110 figures.
ARREST_TARGETS = {
    "caught_in_act_share": 0.8084,  # 现行抓获 / all arrests [fraction]
    "mean_dispatch_to_arrest_h": 17.2,  # mean (抓获时间 - 派警时间) [h]
    # persons caught in the act / persons arrested (抓获人数) [fraction]: the article's 80.84% counts persons
    # ("855 suspects arrested, 80.84% caught in the act"); the incident share above is held too
    "caught_in_act_persons_share": 0.8084,
}

#: Planted defects: share of the generated incidents (before duplication) that
#: carry each defect [fraction]. Counts are exact: ``round(rate * n_incidents)``,
#: chosen without overlap between defects.
DEFECT_RATES = {
    "missing_arrival": 0.02,  # 到达现场时间 blank although a unit arrived
    "arrival_before_dispatch": 0.003,  # 到达现场时间 2-15 min before 派警时间
    "duplicate_row": 0.002,  # the row is exported twice, byte for byte
    "missing_incident_id": 0.0005,  # 接警单编号 blank
    "bad_received": 0.0005,  # 接警时间 unparseable, e.g. 2024-02-30 25:61:00
    "null_string": 0.005,  # literal "NULL" in 出警时间, 处警结束时间 or 抓获时间
}

#: ``arrival_before_dispatch`` defect: how long before 派警时间 the planted
#: 到达现场时间 falls, uniform integer range, both ends included [s].
EARLY_ARRIVAL_S = (120, 900)

#: ``null_string`` defect: the columns that may hold the literal ``NULL``, one
#: drawn uniformly per affected row.
NULL_COLUMNS = ("出警时间", "处警结束时间", "抓获时间")

# ---------------------------------------------------------------------------
# Geography: districts -> stations (管辖单位) -> patrol grids (所属网格)
# ---------------------------------------------------------------------------


class District(NamedTuple):
    """One district (区) of the fictional city.

    Attributes
    ----------
    name : str
        District name, e.g. ``芗城``.
    area_class : str
        区域类别: ``城区`` (arrival target 5 min) or ``郊区`` (10 min).
    n_grids : int
        Number of patrol grids in the district.
    lat, lon : float
        District centre [deg N], [deg E].
    spread : float
        Radius over which grid centres are laid out [deg].
    jitter : float
        Standard deviation of a call's position around its grid centre [deg].
    stations : tuple of str
        Police stations (派出所, 管辖单位), each covering consecutive grids.
    """

    name: str
    area_class: str
    n_grids: int
    lat: float
    lon: float
    spread: float
    jitter: float
    stations: tuple[str, ...]


#: The four districts: two urban (城区), two suburban (郊区).
DISTRICTS: tuple[District, ...] = (
    District("芗城", "城区", 16, 24.513, 117.652, 0.022, 0.0035,
             ("芗城东派出所", "芗城西派出所", "芗城南派出所", "芗城北派出所")),
    District("龙文", "城区", 14, 24.503, 117.712, 0.024, 0.0040,
             ("龙文东派出所", "龙文西派出所", "龙文北派出所")),
    District("龙海", "郊区", 10, 24.446, 117.818, 0.070, 0.0120,
             ("龙海城关派出所", "龙海港尾派出所", "龙海角美派出所")),
    District("长泰", "郊区", 8, 24.625, 117.759, 0.060, 0.0110,
             ("长泰城关派出所", "长泰岩溪派出所")),
)


class Grid(NamedTuple):
    """One patrol grid (所属网格).

    Attributes
    ----------
    name : str
        所属网格, e.g. ``芗城-01网格``.
    district : str
        Name of its :class:`District`.
    station : str
        管辖单位, the police station covering the grid.
    area_class : str
        区域类别 of its district: ``城区`` or ``郊区``.
    lat, lon : float
        Grid centre [deg N], [deg E].
    jitter : float
        Standard deviation of a call's position around the centre [deg].
    weight : float
        Relative call volume [unitless].
    """

    name: str
    district: str
    station: str
    area_class: str
    lat: float
    lon: float
    jitter: float
    weight: float


def _layout_grids(districts: tuple[District, ...]) -> tuple[Grid, ...]:
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
                Grid(
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
GRIDS: tuple[Grid, ...] = _layout_grids(DISTRICTS)

# ---------------------------------------------------------------------------
# Key sites (重点部位): 76 sites, each inside one grid
# ---------------------------------------------------------------------------


class SiteKind(NamedTuple):
    """A kind of key site (重点部位) and how many there are.

    Attributes
    ----------
    kind : str
        Kind, e.g. ``学校``.
    count : int
        Number of sites of this kind in the city.
    template : str
        Site name; ``{d}`` is the district, ``{n}`` the Chinese ordinal of the
        site within its district and kind.
    weight : float
        Relative call volume of one site of this kind [unitless].
    """

    kind: str
    count: int
    template: str
    weight: float


#: The ten kinds of key site, 76 sites in all.
SITE_KINDS: tuple[SiteKind, ...] = (
    SiteKind("学校", 14, "{d}第{n}中学", 0.6),
    SiteKind("医院", 6, "{d}第{n}医院", 1.4),
    SiteKind("银行", 10, "{d}农商银行第{n}支行", 0.6),
    SiteKind("商场", 8, "{d}第{n}购物中心", 1.6),
    SiteKind("车站", 4, "{d}第{n}客运站", 1.8),
    SiteKind("市场", 8, "{d}第{n}农贸市场", 1.3),
    SiteKind("机关", 6, "{d}第{n}政务服务中心", 0.5),
    SiteKind("公园", 8, "{d}第{n}公园", 0.9),
    SiteKind("加油站", 6, "{d}第{n}加油站", 0.5),
    SiteKind("网吧", 6, "{d}第{n}网吧", 1.0),
)

#: Share of calls located at one of the key sites [fraction].
KEY_SITE_SHARE = 0.15

_CN_DIGITS = "零一二三四五六七八九"


def _cn_ordinal(n: int) -> str:
    """Chinese numeral for 1 <= n <= 99 (一, 十, 十一, 二十三)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + ("" if ones == 0 else _CN_DIGITS[ones])


class Site(NamedTuple):
    """One key site (重点部位).

    Attributes
    ----------
    name : str
        Site name, e.g. ``芗城第一中学``.
    grid : int
        Index of its grid in :data:`GRIDS`.
    weight : float
        Relative call volume [unitless].
    """

    name: str
    grid: int
    weight: float


def _place_sites(kinds: tuple[SiteKind, ...], grids: tuple[Grid, ...]) -> tuple[Site, ...]:
    """Spread the sites over the grids (a fixed stride visits every grid)."""
    sites = []
    ordinal: dict[tuple[str, str], int] = {}
    k = 0
    for kind in kinds:
        for _ in range(kind.count):
            g = (k * 29) % len(grids)  # 29 is prime to 48: every grid gets 1-2 sites
            district = grids[g].district
            n = ordinal[(district, kind.kind)] = ordinal.get((district, kind.kind), 0) + 1
            sites.append(Site(kind.template.format(d=district, n=_cn_ordinal(n)), g, kind.weight))
            k += 1
    return tuple(sites)


#: The 76 key sites.
SITES: tuple[Site, ...] = _place_sites(SITE_KINDS, GRIDS)

#: Standard deviation of a call's position around its key site [deg]: a key
#: site is one address.
SITE_JITTER = 0.0003


def _site_offsets(sites: tuple[Site, ...], grids: tuple[Grid, ...]) -> np.ndarray:
    """Fixed offset of each key site from its grid centre [deg], shape (n_sites, 2)."""
    k = np.arange(len(sites))
    jitter = np.array([grids[s.grid].jitter for s in sites])
    angle = k * math.pi * (3.0 - math.sqrt(5.0))
    return np.column_stack([np.sin(angle), np.cos(angle)]) * jitter[:, None]


#: Offset (lat, lon) of each key site from its grid centre [deg], shape (76, 2);
#: a golden-angle spiral scaled by the grid's jitter.
SITE_OFFSETS: np.ndarray = _site_offsets(SITES, GRIDS)

# ---------------------------------------------------------------------------
# Call types (警情类型), their group (警情类别) and behaviour
# ---------------------------------------------------------------------------


class CallType(NamedTuple):
    """One call type (警情类型) and how it behaves.

    Attributes
    ----------
    name : str
        警情类型, e.g. ``盗窃``.
    group : str
        警情类别, e.g. ``刑事警情``; a key of :data:`OUTCOMES_BY_GROUP`.
    share : float
        Relative frequency over a whole day [unitless].
    night : float
        Frequency multiplier in :data:`NIGHT_HOURS` (20:00-03:59) [unitless].
    rush : float
        Frequency multiplier in :data:`RUSH_HOURS` (07:00-08:59, 17:00-18:59) [unitless].
    priority : tuple of float
        P(一级), P(二级), P(三级) [fraction]; index order of :data:`PRIORITIES`.
    scene_min : float
        Median time on scene, arrival -> cleared [min].
    act_weight : float
        Propensity to end in 现行抓获 [unitless]; 0: never.
    later_weight : float
        Propensity to end in 事后抓获 [unitless]; 0: never.
    """

    name: str
    group: str
    share: float
    night: float
    rush: float
    priority: tuple[float, float, float]
    scene_min: float
    act_weight: float
    later_weight: float


#: The twelve call types in six groups.
CALL_TYPES: tuple[CallType, ...] = (
    CallType("盗窃", "刑事警情", 0.090, 1.2, 1.0, (0.10, 0.60, 0.30), 45, 1.0, 1.6),
    CallType("抢劫", "刑事警情", 0.006, 1.8, 0.8, (0.85, 0.15, 0.00), 60, 3.0, 2.0),
    CallType("诈骗", "刑事警情", 0.050, 0.6, 1.0, (0.05, 0.45, 0.50), 40, 0.3, 2.5),
    CallType("打架斗殴", "治安警情", 0.070, 2.2, 0.8, (0.35, 0.55, 0.10), 40, 2.0, 0.8),
    CallType("纠纷", "治安警情", 0.200, 1.0, 1.0, (0.02, 0.38, 0.60), 45, 0.15, 0.1),
    CallType("扰乱秩序", "治安警情", 0.060, 1.6, 0.9, (0.08, 0.52, 0.40), 35, 1.2, 0.3),
    CallType("交通事故", "交通警情", 0.180, 0.8, 1.6, (0.12, 0.48, 0.40), 55, 0.0, 0.0),
    CallType("交通堵塞", "交通警情", 0.050, 0.3, 2.5, (0.00, 0.20, 0.80), 30, 0.0, 0.0),
    CallType("求助", "群众求助", 0.190, 0.9, 1.0, (0.05, 0.35, 0.60), 35, 0.0, 0.0),
    CallType("走失", "群众求助", 0.020, 0.8, 1.0, (0.30, 0.55, 0.15), 70, 0.0, 0.0),
    CallType("火情", "灾害事故", 0.020, 1.0, 1.0, (0.75, 0.25, 0.00), 60, 0.0, 0.0),
    CallType("其他", "其他警情", 0.064, 1.0, 1.0, (0.00, 0.30, 0.70), 30, 0.0, 0.0),
)

#: 警情级别, most urgent first; indexed by the priority code 0, 1, 2.
PRIORITIES = ("一级", "二级", "三级")
#: Call-processing (接警 -> 派警) median multiplier by priority code [unitless].
PRIORITY_DISPATCH_FACTOR = np.array([0.75, 1.0, 1.15])

#: Outcomes (处警结果) before arrests are drawn, by 警情类别: (outcome, share
#: [fraction]) pairs. Every outcome is a key of the outcome map of the
#: built-in ``cn110`` format.
OUTCOMES_BY_GROUP: dict[str, tuple[tuple[str, float], ...]] = {
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
#: Every outcome of :data:`OUTCOMES_BY_GROUP`, in order of first appearance
#: (the arrest outcomes are not among them).
OUTCOME_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(o for rows in OUTCOMES_BY_GROUP.values() for o, _ in rows)
)
#: Outcomes that rule an incident out of any arrest.
NOT_ARRESTABLE = ("撤警", "重复报警", "警情不实")
#: The outcome of a cancelled call.
CANCELLED = "撤警"
#: Share of cancelled (撤警) calls called off before any unit arrived [fraction].
CANCELLED_BEFORE_ARRIVAL = 0.5
#: A call called off before arrival ends this long after 出警, uniform [min].
CALLED_OFF_AFTER_MIN = (2, 15)

# ---------------------------------------------------------------------------
# How calls come in (接警方式) and who calls
# ---------------------------------------------------------------------------

#: 接警方式 (call source) and its share [fraction].
METHODS: tuple[tuple[str, float], ...] = (("110接转", 0.65), ("电话报警", 0.32), ("巡逻发现", 0.03))
#: The self-initiated source (a patrol finds the incident): no caller, near-zero delays.
SELF_INITIATED = "巡逻发现"

#: Surnames of the placeholder caller names (张某某), one character each, drawn uniformly.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程苏魏吕丁沈任"
    "姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武莫孔向汤"
)
#: Placeholder given names: ``某某`` (张某某) or ``某`` (张某).
CALLER_SUFFIXES = ("某某", "某")
#: Share of callers named with the double placeholder ``某某`` [fraction].
CALLER_DOUBLE_SUFFIX_SHARE = 0.7
#: First two digits of the random 11-digit mobile numbers, drawn uniformly.
PHONE_PREFIXES = ("13", "15", "18")

# ---------------------------------------------------------------------------
# Rhythm: hour of day, day of week, season
# ---------------------------------------------------------------------------

#: Relative call volume by local hour 00..23 [unitless] (few calls 03-06, evening peak).
HOURLY = np.array([
    3.2, 2.4, 1.8, 1.2, 1.0, 1.1, 1.6, 2.6, 3.6, 4.2, 4.5, 4.6,
    4.3, 4.2, 4.5, 4.8, 5.1, 5.5, 5.6, 5.7, 5.8, 5.4, 4.6, 3.9,
])
#: Relative daily volume, Monday..Sunday [unitless].
WEEKDAY = np.array([0.98, 0.96, 0.97, 0.99, 1.05, 1.08, 0.97])
#: (weekdays 0=Monday, hours, multiplier [unitless]): Friday/Saturday evenings
#: and the nights after.
WEEKEND_NIGHTS: tuple[tuple[tuple[int, ...], tuple[int, ...], float], ...] = (
    ((4, 5), (19, 20, 21, 22, 23), 1.35),
    ((5, 6), (0, 1, 2), 1.40),
)
#: Local hours where :attr:`CallType.night` applies (20:00-03:59).
NIGHT_HOURS = (20, 21, 22, 23, 0, 1, 2, 3)
#: Local hours where :attr:`CallType.rush` applies (07:00-08:59, 17:00-18:59).
RUSH_HOURS = (7, 8, 17, 18)
#: Seasonal swing of the daily volume, summer peak and winter trough [fraction of the mean].
SEASON_AMPLITUDE = 0.08
#: Day of the year of the seasonal peak [day], mid July.
SEASON_PEAK_DOY = 196


def hourly_profile() -> np.ndarray:
    """Relative call volume by weekday and local hour.

    Returns
    -------
    numpy.ndarray
        Shape (7, 24), rows Monday..Sunday, columns hours 00..23: :data:`HOURLY`
        raised on :data:`WEEKEND_NIGHTS`; each row sums to 1 [fraction of the
        day's calls]. A new array on every call.
    """
    profile = np.tile(HOURLY, (7, 1))
    for weekdays, hours, factor in WEEKEND_NIGHTS:
        profile[np.ix_(weekdays, hours)] *= factor
    return profile / profile.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------
# Stage delays: lognormal (median, sigma) [s]; sigma = ln(p90/median) / Z90
# ---------------------------------------------------------------------------

#: 90th percentile of the standard normal distribution [unitless].
Z90 = 1.2815515655446004
#: 报警时间 -> 接警时间 (ring time), uniform integer range, both ends included [s]: drawn, then replaced by
#: the answering model below (the draw is kept so that every later draw of the main stream stays where it was).
RING_S = (2, 20)
#: Seed suffix of the second random stream (``default_rng([seed, EXTRA_STREAM])``) that draws the stamps and
#: counts added after the first calibration (answering, acknowledgement, report back, persons arrested), so that
#: the main stream, and every figure calibrated on it, is unchanged.
EXTRA_STREAM = 2
#: 报警时间 -> 接警时间 (answering): a call-taker picks up after a lognormal ring (median [s], sigma of the log):
#: median 6 s, p90 11 s ...
ANSWER = (6.0, math.log(11 / 6) / Z90)
#: ... and in busy hours some calls queue first: the share that queues at the busiest hour of the day
#: [fraction] (scaled by the hour's call volume relative to the busiest hour, squared) ...
BUSY_QUEUE_SHARE = 0.25
#: ... for an exponential wait of this mean [s] ...
QUEUE_MEAN_S = 20.0
#: ... the whole capped here [s].
ANSWER_CAP_S = 180
#: 派警 -> 签收 (the unit acknowledges the order), lognormal (median [s], sigma): median 20 s, p90 75 s; never
#: after 出警.
ACKNOWLEDGE = (20.0, math.log(75 / 20) / Z90)
#: 处警结束 -> 反馈 (the result reported back), lognormal (median [s], sigma): median 8 min, p90 45 min.
REPORT_BACK = (480.0, math.log(2700 / 480) / Z90)
#: Persons arrested per incident with an arrest (抓获人数): probabilities of 1, 2, 3, 4 and 5 persons; then
#: adjusted one person at a time until the persons caught in the act make
#: ``ARREST_TARGETS["caught_in_act_persons_share"]`` of all persons arrested.
PERSONS_PER_ARREST = (0.76, 0.16, 0.05, 0.02, 0.01)
#: 接警 -> 派警, lognormal (median [s], sigma of the log): median 40 s, p90 100 s;
#: the median is scaled by :data:`PRIORITY_DISPATCH_FACTOR`.
DISPATCH = (40.0, math.log(100 / 40) / Z90)
#: 派警 -> 出警, lognormal (median [s], sigma of the log): median 60 s, p90 150 s.
TURNOUT = (60.0, math.log(150 / 60) / Z90)
#: 出警 -> 到达现场 by 区域类别, lognormal (median [s], sigma of the log).
TRAVEL = {
    "城区": (200.0, math.log(360 / 200) / Z90),  # median 3.3 min, p90 6 min
    "郊区": (360.0, math.log(660 / 360) / Z90),  # median 6 min, p90 11 min
}
#: Time on scene (到达现场 -> 处警结束): floor + lognormal(scene_min - floor,
#: sigma), capped [min]: floor 20 min, cap 120 min, sigma of the log 0.7.
SCENE_FLOOR_MIN, SCENE_CAP_MIN, SCENE_SIGMA = 20.0, 120.0, 0.7
#: Self-initiated calls: dispatch, turnout and travel, each uniform 0..max [s].
SELF_INITIATED_MAX_S = (3, 3, 5)

# ---------------------------------------------------------------------------
# Arrests
# ---------------------------------------------------------------------------

#: 处警结果 of an arrest on scene (现行抓获).
CAUGHT_IN_ACT = "现行抓获"
#: 处警结果 of a later arrest (事后抓获).
LATER_ARREST = "事后抓获"
#: 处警结果 of a later arrest that falls after the data window (still open, right-censored).
OPEN_CASE = "受案"
#: 是否现行抓获 of an in-act arrest and of a later arrest (blank without arrest).
ARREST_FLAGS = ("是", "否")
#: Arrests (recorded or censored) per arrest-eligible incident [fraction].
ARREST_SHARE = 0.075
#: An in-act arrest happens this far into the time on scene, uniform [fraction].
IN_ACT_FRACTION = (0.1, 0.7)
#: Spread of the later-arrest delay (sigma of the log) [unitless]; heavy right tail.
#: Its scale is solved to hit :data:`ARREST_TARGETS`.
LATER_SIGMA = 1.2
#: A later arrest comes at least this long after the unit cleared [h].
LATER_MIN_AFTER_CLEAR_H = 0.5

# ---------------------------------------------------------------------------
# Export layout: columns (Chinese header, pinyin header), ids, styles
# ---------------------------------------------------------------------------

#: The 22 output columns, in file order: (Chinese header, pinyin header).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("接警单编号", "JJDBH"),
    ("报警时间", "BJSJ"),
    ("接警时间", "JJSJ"),
    ("派警时间", "PJSJ"),
    ("签收时间", "QSSJ"),
    ("出警时间", "CJSJ"),
    ("到达现场时间", "DDXCSJ"),
    ("处警结束时间", "CJJSSJ"),
    ("反馈时间", "FKSJ"),
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
    ("抓获人数", "ZHRS"),
    ("报警人", "BJR"),
    ("报警电话", "BJDH"),
)
#: The timestamp columns (Chinese headers) [local time, Asia/Shanghai].
TIME_COLUMNS = ("报警时间", "接警时间", "派警时间", "签收时间", "出警时间", "到达现场时间", "处警结束时间", "反馈时间",
                "抓获时间")
#: 接警单编号 is ``f"{ID_PREFIX}{YYYYMMDD}{serial:05d}"``, the serial counting from 1 each day.
ID_PREFIX = "J350600"
#: The month (0-based index) written as the Windows/GBK/pinyin export: the 7th.
GBK_MONTH_INDEX = 6


class Style(NamedTuple):
    """How one month's file is exported.

    Attributes
    ----------
    encoding : str
        Text encoding (Python codec name).
    pinyin : bool
        Pinyin headers (second element of :data:`COLUMNS`) instead of Chinese.
    minutes_only : bool
        Timestamps as ``YYYY/MM/DD HH:MM`` instead of ``YYYY-MM-DD HH:MM:SS``.
    eol : str
        Line ending.
    """

    encoding: str
    pinyin: bool
    minutes_only: bool
    eol: str


#: UTF-8 with BOM, Chinese headers, second-precision timestamps, LF.
STYLE_UTF8_BOM = Style("utf-8-sig", False, False, "\n")
#: UTF-8 without BOM, otherwise as :data:`STYLE_UTF8_BOM`.
STYLE_UTF8 = Style("utf-8", False, False, "\n")
#: A Windows export: GBK, pinyin headers, minute-precision timestamps, CRLF.
STYLE_GBK = Style("gbk", True, True, "\r\n")


def export_style(month_index: int) -> Style:
    """Export style of one month.

    Parameters
    ----------
    month_index : int
        0-based index of the month in the generated window.

    Returns
    -------
    Style
        :data:`STYLE_GBK` for :data:`GBK_MONTH_INDEX`; otherwise
        :data:`STYLE_UTF8_BOM` for even and :data:`STYLE_UTF8` for odd indices.
    """
    if month_index == GBK_MONTH_INDEX:
        return STYLE_GBK
    return STYLE_UTF8_BOM if month_index % 2 == 0 else STYLE_UTF8


# ---------------------------------------------------------------------------
# City scale: the seed article's volume, invalid calls, crime sub-types, duty roster, grid polygons
# ---------------------------------------------------------------------------

#: The sample's scales: ``small`` (the committed sample) and ``city`` (the volume the seed article implies, with
#: invalid calls, crime sub-types, a duty roster and grid polygons).
SCALES = ("small", "city")
#: Valid calls per day of the small scale, the committed sample [calls/day].
SMALL_CALLS_PER_DAY = 26.0

#: Seed article: persons arrested (抓获) in the year to late August [persons] ...
ARTICLE_PERSONS_ARRESTED = 855
#: ... over this period, read as 2024-01-01 to 2024-08-25 inclusive; the end here is exclusive [local dates].
ARTICLE_PERIOD = ("2024-01-01", "2024-08-26")
#: Seed article: patrol teams (巡组) on duty a day [teams] ...
PATROL_TEAMS_PER_DAY = 170
#: ... and officers on duty a day [officers] ...
OFFICERS_PER_DAY = 511
#: ... hence officers per patrol team [officers/team]: 511 / 170 = 3.0.
OFFICERS_PER_TEAM = OFFICERS_PER_DAY / PATROL_TEAMS_PER_DAY


def expected_type_shares() -> np.ndarray:
    """Expected share of each call type among valid calls, over the whole week.

    Returns
    -------
    numpy.ndarray
        Shape (len(CALL_TYPES),) [fraction, sums to 1]: the hour-by-hour type mix (:attr:`CallType.share`
        reweighted by :attr:`CallType.night` and :attr:`CallType.rush`) averaged over the hours, each hour weighted
        by its share of the week's calls (:func:`hourly_profile` times :data:`WEEKDAY`).
    """
    hour_share = (WEEKDAY[:, None] * hourly_profile()).sum(axis=0) / WEEKDAY.sum()
    by_hour = np.tile([t.share for t in CALL_TYPES], (24, 1))
    by_hour[list(NIGHT_HOURS)] *= [t.night for t in CALL_TYPES]
    by_hour[list(RUSH_HOURS)] *= [t.rush for t in CALL_TYPES]
    return (hour_share[:, None] * by_hour / by_hour.sum(axis=1, keepdims=True)).sum(axis=0)


def city_volume_arithmetic() -> dict[str, float]:
    """From the seed article's 855 persons arrested to valid calls per day, step by step.

    Returns
    -------
    dict
        ``days`` of :data:`ARTICLE_PERIOD` [days]; ``persons_per_day`` [persons/day]; ``persons_per_arrest``, the
        mean of :data:`PERSONS_PER_ARREST` [persons/incident]; ``arrests_per_day`` [incidents/day];
        ``eligible_share`` of valid calls (criminal or public-order types whose outcome is not in
        :data:`NOT_ARRESTABLE`) [fraction]; ``arrests_per_valid_call`` = :data:`ARREST_SHARE` x eligible share
        [incidents/call]; ``season``, the mean seasonal factor over the period [unitless]; and
        ``calls_per_day`` = arrests per day / (arrests per valid call x season) [calls/day], unrounded.
    """
    first, end = (np.datetime64(d, "D") for d in ARTICLE_PERIOD)
    day = np.arange(first, end)
    doy = (day - day.astype("datetime64[Y]")).astype(int) + 1
    season = float(np.mean(1 + SEASON_AMPLITUDE * np.cos(2 * np.pi * (doy - SEASON_PEAK_DOY) / 365.25)))
    not_arrestable = {g: sum(p for o, p in rows if o in NOT_ARRESTABLE) for g, rows in OUTCOMES_BY_GROUP.items()}
    eligible = float(sum(s * (1 - not_arrestable[t.group]) for s, t in zip(expected_type_shares(), CALL_TYPES)
                         if t.act_weight + t.later_weight > 0))
    persons_per_arrest = float(np.dot(np.arange(1, len(PERSONS_PER_ARREST) + 1), PERSONS_PER_ARREST))
    persons_per_day = ARTICLE_PERSONS_ARRESTED / len(day)
    arrests_per_day = persons_per_day / persons_per_arrest
    per_call = ARREST_SHARE * eligible
    return {
        "days": float(len(day)), "persons_per_day": persons_per_day, "persons_per_arrest": persons_per_arrest,
        "arrests_per_day": arrests_per_day, "eligible_share": eligible, "arrests_per_valid_call": per_call,
        "season": season, "calls_per_day": arrests_per_day / (per_call * season),
    }


#: Valid calls per day of the city scale [calls/day]: :func:`city_volume_arithmetic`, rounded to a whole call
#: (855 persons in 238 days, 1.36 persons per arrest, 7.5% of the 40% arrest-eligible calls: 87).
CITY_CALLS_PER_DAY = float(round(city_volume_arithmetic()["calls_per_day"]))
#: Default valid calls per day of each scale [calls/day].
SCALE_CALLS_PER_DAY = {"small": SMALL_CALLS_PER_DAY, "city": CITY_CALLS_PER_DAY}

# --- invalid calls (无效报警), city scale only ---------------------------------

#: Share of invalid calls among all calls at city scale [fraction]. Published Chinese city 110 reports put valid
#: calls (有效警情) at 15-35% of all calls; 30% valid, 70% invalid is taken here.
INVALID_SHARE = 0.70
#: 警情类别 of an invalid call.
INVALID_GROUP = "无效警情"
#: 处警结果 of an invalid call (the ``cn110`` outcome map reads it as ``unfounded``).
INVALID_OUTCOME = "无效警情"
#: Seed suffix of the random stream of the invalid calls (``default_rng([seed, INVALID_STREAM])``): they never
#: move a draw of the valid calls, so the arrest calibration is untouched.
INVALID_STREAM = 3


class InvalidKind(NamedTuple):
    """One kind of invalid call (警情类型 of a 无效警情 row).

    Attributes
    ----------
    name : str
        警情类型, e.g. ``误拨``.
    share : float
        Relative frequency over a whole day [unitless].
    night : float
        Frequency multiplier in :data:`NIGHT_HOURS` [unitless].
    located : bool
        Whether the row has coordinates (经度, 纬度): a call with a conversation has the location the call-taker
        confirmed; a silent call or a hang-up has only its grid (from the handset's cell), no point.
    """

    name: str
    share: float
    night: float
    located: bool


#: The six kinds of invalid call. Assumed shares (no one published breakdown is followed): silent calls and
#: misdials (pocket dials, children, phone tests) make most of the invalid traffic; harassment (骚扰电话, often
#: drunk callers) is heavier at night, consultations (咨询) and non-police matters (非警务求助, for 12345 or
#: another department) lighter.
INVALID_KINDS: tuple[InvalidKind, ...] = (
    InvalidKind("无声电话", 0.28, 1.2, False),
    InvalidKind("误拨", 0.22, 0.8, True),
    InvalidKind("挂断", 0.18, 1.0, False),
    InvalidKind("骚扰电话", 0.10, 2.0, True),
    InvalidKind("咨询", 0.12, 0.6, True),
    InvalidKind("非警务求助", 0.10, 0.8, True),
)
#: 接警方式 of invalid calls and their shares [fraction]: the caller sources of :data:`METHODS` (a patrol never
#: finds an invalid call), renormalised.
INVALID_METHODS: tuple[tuple[str, float], ...] = tuple(
    (m, p / sum(q for n, q in METHODS if n != SELF_INITIATED)) for m, p in METHODS if m != SELF_INITIATED
)

# --- crime sub-types (警情细类), city scale only ---------------------------------

#: The sub-type column (Chinese header, pinyin header); at city scale it follows 警情类型.
SUBTYPE_COLUMN = ("警情细类", "JQXL")
#: Seed suffix of the random stream of the sub-types (``default_rng([seed, SUBTYPE_STREAM])``).
SUBTYPE_STREAM = 4


class SubType(NamedTuple):
    """One crime sub-type (警情细类) of a 刑事警情 call type.

    Attributes
    ----------
    name : str
        警情细类, e.g. ``盗窃电动车``.
    share : float
        Relative frequency within its call type [unitless].
    in_act : bool
        Whether a unit can catch the offender on scene (现行抓获); False for telecom fraud, whose offender is
        never where the victim calls from.
    """

    name: str
    share: float
    in_act: bool


#: Sub-types of each 刑事警情 call type (every criminal type of :data:`CALL_TYPES` has an entry). Assumed shares:
#: e-bike theft is the commonest theft reported in southern Chinese cities, car theft rare; telecom and online
#: fraud (电信网络诈骗) makes most fraud reports in national figures; snatching (抢夺) is nearly as common as robbery.
SUBTYPES: dict[str, tuple[SubType, ...]] = {
    "盗窃": (SubType("入室盗窃", 0.15, True), SubType("盗窃电动车", 0.30, True), SubType("盗窃机动车", 0.03, True),
           SubType("盗窃车内财物", 0.12, True), SubType("扒窃", 0.12, True), SubType("其他盗窃", 0.28, True)),
    "诈骗": (SubType("电信网络诈骗", 0.70, False), SubType("其他诈骗", 0.30, True)),
    "抢劫": (SubType("抢劫", 0.55, True), SubType("抢夺", 0.45, True)),
}


def city_columns() -> tuple[tuple[str, str], ...]:
    """The output columns of the city scale: :data:`COLUMNS` with :data:`SUBTYPE_COLUMN` after 警情类型.

    Returns
    -------
    tuple of (str, str)
        (Chinese header, pinyin header) pairs, in file order.
    """
    at = [zh for zh, _ in COLUMNS].index("警情类型") + 1
    return COLUMNS[:at] + (SUBTYPE_COLUMN,) + COLUMNS[at:]


# --- duty roster (roster.csv), city scale only ------------------------------------

#: File name of the duty roster written beside the month files.
ROSTER_FILE = "roster.csv"
#: Length of one patrol team's shift [h]: "170 teams on duty a day" is read as 170 team-shifts of 8 h (三班倒),
#: i.e. 170 x 8 = 1,360 team-hours a day, about 57 teams on duty in an average hour.
SHIFT_H = 8
#: Fewest teams on duty in any hour [teams]: one team for every two of the 48 grids, however quiet the hour.
ROSTER_MIN_TEAMS = 24


def duty_roster() -> np.ndarray:
    """Patrol teams on duty by weekday and hour, following the call volume (警力跟着警情走).

    Every weekday has :data:`PATROL_TEAMS_PER_DAY` x :data:`SHIFT_H` team-hours. Each hour gets
    :data:`ROSTER_MIN_TEAMS`, and the rest of the day's team-hours are shared in proportion to the hour's share
    of the weekday's calls (:func:`hourly_profile`), rounded to whole teams by largest remainder so that each
    weekday's total is exact.

    Returns
    -------
    numpy.ndarray
        Shape (7, 24), int, rows Monday..Sunday, columns hours 00..23 [teams on duty during the hour]; each row
        sums to ``PATROL_TEAMS_PER_DAY * SHIFT_H`` [team-hours].
    """
    team_hours = PATROL_TEAMS_PER_DAY * SHIFT_H
    want = ROSTER_MIN_TEAMS + (team_hours - 24 * ROSTER_MIN_TEAMS) * hourly_profile()
    teams = np.floor(want).astype(np.int64)
    for day in range(7):
        short = team_hours - int(teams[day].sum())
        order = np.argsort(-(want[day] - teams[day]), kind="stable")
        teams[day, order[:short]] += 1
    return teams


# --- grid polygons (grids.geojson), city scale only -------------------------------

#: File name of the grid polygons written beside the month files.
GRIDS_FILE = "grids.geojson"
#: The map's bounding box extends this far beyond the outermost grid centres [deg]: over three standard
#: deviations of the widest call spread around a grid centre (0.012).
GRID_MAP_MARGIN_DEG = 0.04


def _clip_half_plane(poly: np.ndarray, normal: np.ndarray, offset: float) -> np.ndarray:
    """The part of a convex polygon (k, 2) where ``p @ normal <= offset`` (Sutherland-Hodgman, one edge)."""
    out = []
    side = poly @ normal - offset
    for k in range(len(poly)):
        p, q, fp, fq = poly[k], poly[(k + 1) % len(poly)], side[k], side[(k + 1) % len(poly)]
        if fp <= 0:
            out.append(p)
        if fp * fq < 0:
            out.append(p + fp / (fp - fq) * (q - p))
    return np.array(out)


def grid_cells(grids: tuple[Grid, ...] = GRIDS, margin: float = GRID_MAP_MARGIN_DEG) -> list[np.ndarray]:
    """The polygon of each patrol grid: the Voronoi cells of the grid centres, clipped to a bounding box.

    Distances are measured on a local plane (longitude scaled by the cosine of the mean latitude), so a cell is
    the area nearer its grid's centre than any other on the ground. The cells tile the box
    (:data:`GRID_MAP_MARGIN_DEG` around the outermost centres) without gap or overlap.

    Parameters
    ----------
    grids : tuple of Grid, default GRIDS
        The grids, in order.
    margin : float, default GRID_MAP_MARGIN_DEG
        Margin of the bounding box around the grid centres [deg].

    Returns
    -------
    list of numpy.ndarray
        One array per grid, shape (k, 2): the closed exterior ring as (longitude, latitude) [deg E, deg N],
        counter-clockwise, first point repeated last, rounded to 6 decimals (RFC 7946).
    """
    lon = np.array([g.lon for g in grids])
    lat = np.array([g.lat for g in grids])
    lon0, lat0 = lon.mean(), lat.mean()
    k = math.cos(math.radians(lat0))
    pts = np.column_stack([(lon - lon0) * k, lat - lat0])
    lo = pts.min(axis=0) - np.array([margin * k, margin])
    hi = pts.max(axis=0) + np.array([margin * k, margin])
    box = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])  # counter-clockwise
    cells = []
    for i, p in enumerate(pts):
        poly = box
        for j, q in enumerate(pts):
            if j != i:
                normal = q - p
                poly = _clip_half_plane(poly, normal, float((p + q) @ normal / 2))
        ring = np.round(np.column_stack([poly[:, 0] / k + lon0, poly[:, 1] + lat0]), 6)
        keep = np.r_[True, np.any(ring[1:] != ring[:-1], axis=1)]
        ring = ring[keep]
        if np.all(ring[0] == ring[-1]):
            ring = ring[:-1]
        cells.append(np.vstack([ring, ring[:1]]))
    return cells
