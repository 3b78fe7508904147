"""Draw and write the SYNTHETIC Chinese 110 接处警 call log.

:func:`generate_sample` draws every incident from the facts in
:mod:`responsestats.sample.calibration` (a fictional city modelled on the
published figures of the Zhangzhou 110 unit: 48 patrol grids, 76 key sites, a
现行抓获 share of 80.84% of arrests and a mean of 17.2 hours from 派警 to
抓获) and writes them. Nothing in it describes real people or real incidents:
names are ``张某某``-style placeholders and phone numbers are random digits.

The output is one CSV per calendar month, named ``zz110_YYYY-MM.csv``, with the
column headers accepted by the built-in ``cn110`` format. Most months are UTF-8
with Chinese headers (with and without BOM, alternately); the 7th month is a
Windows-style GBK export with pinyin headers, minute-precision timestamps
(``YYYY/MM/DD HH:MM``) and CRLF line endings. A few defects are planted at low,
documented rates (see :data:`~responsestats.sample.calibration.DEFECT_RATES`
and ``data/sample/README.md``).

Only ``np.random.default_rng(seed)`` is used (plus, for stamps added later, and
at city scale, streams seeded ``[seed, k]``), and every draw happens in a fixed
order, so the same arguments always give byte-identical files.

Two scales: ``small`` (the committed sample, 26 calls a day) and ``city`` (the
volume the seed article implies, with invalid calls, a crime sub-type column,
a duty roster and grid polygons; see :func:`generate_sample`).
"""

from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import pandas as pd

from . import calibration as cal

__all__ = ["generate_sample"]


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def generate_sample(
    out_dir: str | pathlib.Path,
    *,
    seed: int = 110,
    start: str = "2024-01",
    months: int = 15,
    calls_per_day: float | None = None,
    scale: str = "small",
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
    calls_per_day : float, optional
        Mean number of valid incidents per day over the year [calls/day]; the
        weekday and seasonal rhythms vary around it. Default: the scale's,
        26.0 for ``small`` and :data:`~.calibration.CITY_CALLS_PER_DAY` (87,
        the volume the seed article's 855 persons arrested imply) for ``city``.
    scale : {"small", "city"}, default "small"
        ``small`` writes the committed sample. ``city`` adds invalid calls
        (无效警情, :data:`~.calibration.INVALID_SHARE` of all calls, merged in
        time order) and a 警情细类 column (crime sub-type of 刑事警情 calls;
        pinyin ``JQXL``), each drawn on its own random stream so that no draw
        of the valid calls moves, and writes two files beside the CSVs:
        ``roster.csv`` (``weekday,hour,teams``: patrol teams on duty by ISO
        weekday and hour, :func:`~.calibration.duty_roster`) and
        ``grids.geojson`` (RFC 7946, one polygon per 所属网格 with properties
        ``name``, ``station``, ``area_class`` and ``district``,
        :func:`~.calibration.grid_cells`). At city scale the arrest targets
        apply to the arrests in the seed article's period
        (:data:`~.calibration.ARTICLE_PERIOD`) when the window holds it, and
        the answering queue counts invalid calls too.

    Returns
    -------
    list of pathlib.Path
        The CSV files written, ``zz110_YYYY-MM.csv``, in month order (at city
        scale ``roster.csv`` and ``grids.geojson`` are written beside them and
        not listed).

    Notes
    -----
    Each row is one incident (接警单). Stage timestamps follow each other with
    lognormal delays: 接警 -> 派警 (median 40 s, p90 100 s), 派警 -> 出警
    (median 60 s), 出警 -> 到达现场 (城区 median 3.3 min, p90 6 min; 郊区
    median 6 min, p90 11 min), then 20-120 min on scene. Arrests are
    calibrated on the written data: among arrests whose 抓获时间 falls inside
    the data window (city scale: the seed article's period), the 现行抓获
    share is 80.84% and the mean of (抓获时间 - 派警时间) is 17.2 h. Later
    arrests that would fall after the window are not recorded (处警结果 受案,
    blank 抓获时间): right-censored.

    Invalid calls (city scale) have 接警时间 and 报警时间 (the same answering
    model), 警情类别 and 处警结果 ``无效警情``, their kind in 警情类型
    (:data:`~.calibration.INVALID_KINDS`), a blank 警情级别, caller fields,
    the caller's grid and station, coordinates for the kinds with a
    conversation, and no later stamp; they carry no planted defect.
    """
    if scale not in cal.SCALES:
        raise ValueError(f"scale must be one of {', '.join(cal.SCALES)}, got {scale!r}")
    if calls_per_day is None:
        calls_per_day = cal.SCALE_CALLS_PER_DAY[scale]
    if months < 1:
        raise ValueError(f"months must be >= 1, got {months}")
    if calls_per_day <= 0:
        raise ValueError(f"calls_per_day must be > 0, got {calls_per_day}")
    city = scale == "city"
    first = pd.Period(start, freq="M")
    periods = [first + i for i in range(months)]
    window_start = _epoch_s(periods[0].start_time)
    window_end = _epoch_s((periods[-1] + 1).start_time)  # exclusive
    calibrate = _article_period(window_start, window_end) if city else None

    rng = np.random.default_rng(seed)
    received = _draw_received(rng, window_start, window_end, calls_per_day)
    volume = None
    if city:
        inv_rng = np.random.default_rng([seed, cal.INVALID_STREAM])
        per_day = calls_per_day * cal.INVALID_SHARE / (1 - cal.INVALID_SHARE)
        inv_received = _draw_received(inv_rng, window_start, window_end, per_day)
        volume = _hour_volume(received) + _hour_volume(inv_received)  # call-takers answer both
        invalid = _draw_invalid(inv_rng, inv_received, volume)
    calls = _draw_calls(rng, received)
    _draw_stages(rng, calls)
    _draw_arrests(rng, calls, window_end, calibrate)
    _draw_extras(np.random.default_rng([seed, cal.EXTRA_STREAM]), calls, window_end, calibrate, volume)
    _draw_callers(rng, calls)
    defects = _choose_defects(rng, calls)

    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if city:
        calls["subtype"] = _draw_subtypes(np.random.default_rng([seed, cal.SUBTYPE_STREAM]), calls)
        table, received, defects = _merge_invalid(_to_frame(calls), _invalid_frame(invalid), defects)
    else:
        table = _to_frame(calls)
    month_of_row = _month_index(received, periods)
    paths = []
    for i, period in enumerate(periods):
        rows = np.flatnonzero(month_of_row == i)
        style = cal.export_style(i)
        text = _format_month(table.iloc[rows], defects, rows, style)
        path = out / f"{cal.FILE_PREFIX}{period.strftime('%Y-%m')}.csv"
        path.write_bytes(text.encode(style.encoding))
        paths.append(path)
    if city:
        _write_roster(out / cal.ROSTER_FILE)
        _write_grids(out / cal.GRIDS_FILE)
    return paths


# ---------------------------------------------------------------------------
# Drawing the incidents
# ---------------------------------------------------------------------------


def _epoch_s(ts: pd.Timestamp) -> int:
    """Naive local timestamp -> seconds since 1970-01-01 00:00 (local) [s]."""
    return int(ts.value // 1_000_000_000)


def _article_period(window_start: int, window_end: int) -> tuple[int, int] | None:
    """The seed article's period [s since epoch, local], when the data window holds it; else None."""
    lo, hi = (_epoch_s(pd.Timestamp(d)) for d in cal.ARTICLE_PERIOD)
    return (lo, hi) if window_start <= lo and hi <= window_end else None


def _hour_volume(received: np.ndarray) -> np.ndarray:
    """Calls received in each local hour of the day 00..23 [calls], as floats."""
    return np.bincount((received // 3600) % 24, minlength=24).astype(np.float64)


def _lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: float, n: int) -> np.ndarray:
    """Lognormal draws with the given median and log-sd, in the median's unit."""
    return np.asarray(median) * np.exp(sigma * rng.standard_normal(n))


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row of ``probs`` (rows need not be normalised)."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cdf[:, -1]
    return np.minimum((u[:, None] >= cdf).sum(axis=1), probs.shape[1] - 1)


def _draw_received(rng: np.random.Generator, start_s: int, end_s: int, calls_per_day: float) -> np.ndarray:
    """Draw the 接警时间 of every incident, sorted [s since epoch, local].

    Daily counts are Poisson around ``calls_per_day`` times the weekday and
    seasonal factors; the hour follows the weekday's hourly profile and the
    second within the hour is uniform.
    """
    days = pd.date_range(pd.Timestamp(start_s, unit="s"), pd.Timestamp(end_s, unit="s"),
                         freq="D", inclusive="left")
    weekday = days.day_of_week.to_numpy()
    season = 1 + cal.SEASON_AMPLITUDE * np.cos(2 * np.pi * (days.day_of_year.to_numpy() - cal.SEASON_PEAK_DOY) / 365.25)
    lam = calls_per_day * cal.WEEKDAY[weekday] / cal.WEEKDAY.mean() * season
    counts = rng.poisson(lam)
    day_of_call = np.repeat(np.arange(len(days)), counts)
    profile = cal.hourly_profile()[weekday[day_of_call]]
    hour = _categorical(rng, profile)
    second = rng.integers(0, 3600, len(day_of_call))
    day_start = start_s + 86_400 * day_of_call
    return np.sort(day_start + 3600 * hour + second)


def _draw_calls(rng: np.random.Generator, received: np.ndarray) -> dict[str, np.ndarray]:
    """Draw type, priority, place, method and initial outcome of each incident."""
    n = len(received)
    hour = (received // 3600) % 24
    types = cal.CALL_TYPES
    # type | hour: the day-long shares, reweighted at night and at rush hours
    share = np.array([t.share for t in types])
    by_hour = np.tile(share, (24, 1))
    by_hour[list(cal.NIGHT_HOURS)] *= [t.night for t in types]
    by_hour[list(cal.RUSH_HOURS)] *= [t.rush for t in types]
    ctype = _categorical(rng, by_hour[hour])
    priority = _categorical(rng, np.array([t.priority for t in types])[ctype])

    # place: a key site (15%) or anywhere in a grid
    at_site = rng.random(n) < cal.KEY_SITE_SHARE
    site_w = np.array([s.weight for s in cal.SITES])
    site = _categorical(rng, np.tile(site_w, (n, 1)))
    grid_w = np.array([g.weight for g in cal.GRIDS])
    site_grid = np.array([s.grid for s in cal.SITES])
    grid = np.where(at_site, site_grid[site], _categorical(rng, np.tile(grid_w, (n, 1))))
    site = np.where(at_site, site, -1)
    g_lat = np.array([g.lat for g in cal.GRIDS])[grid]
    g_lon = np.array([g.lon for g in cal.GRIDS])[grid]
    jitter = np.array([g.jitter for g in cal.GRIDS])[grid]
    # a key site is one address: a small spread around its own fixed point
    site_off = np.where(at_site[:, None], cal.SITE_OFFSETS[np.maximum(site, 0)], 0.0)
    jitter = np.where(at_site, cal.SITE_JITTER, jitter)
    lat = g_lat + site_off[:, 0] + jitter * rng.standard_normal(n)
    lon = g_lon + site_off[:, 1] + jitter * rng.standard_normal(n)

    method = _categorical(rng, np.tile([p for _, p in cal.METHODS], (n, 1)))
    self_init = np.array([m for m, _ in cal.METHODS])[method] == cal.SELF_INITIATED

    group_of_type = np.array([t.group for t in types])[ctype]
    outcome_p = np.array([[dict(cal.OUTCOMES_BY_GROUP[t.group]).get(o, 0.0) for o in cal.OUTCOME_NAMES]
                          for t in types])
    outcome = np.array(cal.OUTCOME_NAMES, dtype=object)[_categorical(rng, outcome_p[ctype])]
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


def _draw_stages(rng: np.random.Generator, calls: dict[str, np.ndarray]) -> None:
    """Add 报警, 派警, 出警, 到达现场 and 处警结束 times [s]; NaN when absent."""
    n = len(calls["received"])
    recv = calls["received"].astype(np.float64)
    self_init = calls["self_initiated"]
    area = np.array([cal.GRIDS[g].area_class for g in calls["grid"]])

    ring = rng.integers(cal.RING_S[0], cal.RING_S[1] + 1, n)
    dispatch = _lognormal(rng, cal.DISPATCH[0] * cal.PRIORITY_DISPATCH_FACTOR[calls["priority"]], cal.DISPATCH[1], n)
    turnout = _lognormal(rng, cal.TURNOUT[0], cal.TURNOUT[1], n)
    travel = np.zeros(n)
    for cls, (median, sigma) in cal.TRAVEL.items():
        draw = _lognormal(rng, median, sigma, n)
        travel = np.where(area == cls, draw, travel)
    scene_med = np.array([t.scene_min for t in cal.CALL_TYPES])[calls["type"]] - cal.SCENE_FLOOR_MIN
    scene = np.minimum(cal.SCENE_FLOOR_MIN + _lognormal(rng, scene_med, cal.SCENE_SIGMA, n), cal.SCENE_CAP_MIN) * 60
    quick = rng.integers(0, np.array(cal.SELF_INITIATED_MAX_S) + 1, (n, 3))
    called_off = (calls["outcome"] == cal.CANCELLED) & (rng.random(n) < cal.CANCELLED_BEFORE_ARRIVAL)
    called_off_after = rng.uniform(cal.CALLED_OFF_AFTER_MIN[0], cal.CALLED_OFF_AFTER_MIN[1], n) * 60

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


def _draw_arrests(rng: np.random.Generator, calls: dict[str, np.ndarray], window_end: int,
                  calibrate: tuple[int, int] | None = None) -> None:
    """Pick arrests and calibrate them to the published Zhangzhou figures.

    Arrest-eligible incidents are criminal and public-order calls that were not
    cancelled, duplicated or unfounded. Later arrests (事后抓获) get a
    heavy-tailed lognormal delay after 派警; the delay scale and the number
    of 现行抓获 are then solved so that, over arrests recorded inside the data
    window (or, given ``calibrate`` = (start, end) [s, local], over arrests
    whose 抓获时间 falls in [start, end)), the 现行抓获 share and the mean
    派警 -> 抓获 time hit :data:`.calibration.ARREST_TARGETS`. Later arrests
    past the window end stay open (受案, blank 抓获时间): they are right-censored.
    """
    n = len(calls["received"])
    act_w = np.array([t.act_weight for t in cal.CALL_TYPES])[calls["type"]]
    later_w = np.array([t.later_weight for t in cal.CALL_TYPES])[calls["type"]]
    eligible = (act_w + later_w > 0) & ~np.isin(calls["outcome"], cal.NOT_ARRESTABLE)
    has_arrival = ~np.isnan(calls["arrived"])
    n_total = int(round(cal.ARREST_SHARE * eligible.sum()))
    share = cal.ARREST_TARGETS["caught_in_act_share"]
    n_later = max(1, int(round(n_total * (1 - share))))

    later_pool = np.flatnonzero(eligible & (later_w > 0))
    later = _weighted_order(rng, later_pool, later_w[later_pool])[:n_later]
    act_ok = eligible & has_arrival & (act_w > 0) & (calls["cleared"] < window_end)
    act_ok[later] = False
    act_pool = np.flatnonzero(act_ok)
    act_order = _weighted_order(rng, act_pool, act_w[act_pool])

    # 现行抓获: between arrival and the end of the call
    frac = rng.uniform(cal.IN_ACT_FRACTION[0], cal.IN_ACT_FRACTION[1], n)
    act_time = calls["arrived"] + np.round(frac * (calls["cleared"] - calls["arrived"]))
    act_delay_h = (act_time - calls["dispatched"]) / 3600
    # 事后抓获: dispatch + max(floor, scale * unit-median lognormal)
    raw = np.exp(cal.LATER_SIGMA * rng.standard_normal(len(later)))
    floor_h = (calls["cleared"][later] - calls["dispatched"][later]) / 3600 + cal.LATER_MIN_AFTER_CLEAR_H
    room_h = (window_end - 1 - calls["dispatched"][later]) / 3600  # recorded iff delay <= room

    if calibrate is None:  # every recorded arrest counts
        act_counts = np.ones(n, bool)
        lo_h, hi_h = None, room_h
        n_later_in = n_later
    else:  # only arrests with 抓获时间 in [start, end): a later arrest counts iff lo_h <= delay <= hi_h
        act_counts = (act_time >= calibrate[0]) & (act_time < calibrate[1])
        lo_h = (calibrate[0] - calls["dispatched"][later]) / 3600
        hi_h = (min(calibrate[1], window_end) - 1 - calls["dispatched"][later]) / 3600
        n_later_in = int(((lo_h <= 0) & (hi_h >= 0)).sum())  # a first guess: dispatched in the period
    counts_in_order = act_counts[act_order]
    cum_act = np.concatenate([[0.0], np.cumsum(np.where(counts_in_order, act_delay_h[act_order], 0.0))])
    cum_in = np.concatenate([[0], np.cumsum(counts_in_order)])

    def first_with(k: int) -> int:
        """How many of act_order to take so that k of them count (or all of them)."""
        return min(int(np.searchsorted(cum_in, k)), len(act_order))

    n_act = first_with(int(round(n_later_in * share / (1 - share))))
    scale = 1.0
    for _ in range(50):
        scale = _solve_scale(raw, floor_h, hi_h, cum_act[n_act], int(cum_in[n_act]), lo_h)
        delay = np.maximum(floor_h, scale * raw)
        counted = delay <= hi_h if lo_h is None else (delay <= hi_h) & (delay >= lo_h)
        n_act_new = first_with(int(round(counted.sum() * share / (1 - share))))
        if n_act_new == n_act:
            break
        n_act = n_act_new

    act = act_order[:n_act]
    delay_h = np.maximum(floor_h, scale * raw)
    recorded = delay_h <= room_h
    later_time = calls["dispatched"][later] + np.round(delay_h * 3600)

    calls["outcome"][act] = cal.CAUGHT_IN_ACT
    calls["caught_in_act"][act] = cal.ARREST_FLAGS[0]
    calls["arrested"][act] = act_time[act]
    rec = later[recorded]
    calls["outcome"][rec] = cal.LATER_ARREST
    calls["caught_in_act"][rec] = cal.ARREST_FLAGS[1]
    calls["arrested"][rec] = later_time[recorded]
    calls["outcome"][later[~recorded]] = cal.OPEN_CASE  # still open at the end of the window


def _draw_extras(extra: np.random.Generator, calls: dict[str, np.ndarray], window_end: int,
                 calibrate: tuple[int, int] | None = None, volume: np.ndarray | None = None) -> None:
    """Add what the second stream draws: answering (报警 -> 接警), 签收, 反馈 and 抓获人数.

    Answering: a lognormal ring (:data:`.calibration.ANSWER`), plus, in busy hours, a queue wait for a share
    of the calls (:data:`.calibration.BUSY_QUEUE_SHARE` at the busiest hour, scaled by the squared ratio of
    the hour's call volume to the busiest hour's): a few seconds mostly, a long tail in busy hours. 签收: the
    unit acknowledges the order after a lognormal delay, never after 出警. 反馈: the result is reported back
    after the call is cleared. 抓获人数: one to five persons per incident with a recorded arrest, adjusted so
    that persons caught in the act make :data:`.calibration.ARREST_TARGETS` ``caught_in_act_persons_share``
    of all persons arrested (of those whose 抓获时间 falls in ``calibrate`` = (start, end) [s, local], if given).
    ``volume``: calls per hour of the day that load the call-takers (default: these calls').
    """
    n = len(calls["received"])
    recv = calls["received"].astype(np.float64)
    self_init = calls["self_initiated"]
    ring = _answering(extra, calls["received"], _hour_volume(calls["received"]) if volume is None else volume)
    calls["reported"] = recv - np.where(self_init, 0, np.maximum(ring, 1))

    ack = np.maximum(np.round(_lognormal(extra, cal.ACKNOWLEDGE[0], cal.ACKNOWLEDGE[1], n)), 1)
    calls["acknowledged"] = np.minimum(calls["dispatched"] + ack, calls["enroute"])
    back = np.round(_lognormal(extra, cal.REPORT_BACK[0], cal.REPORT_BACK[1], n))
    report = calls["cleared"] + back
    calls["report_back"] = np.where(report < window_end, report, np.nan)  # after the window: not yet reported

    arrested = ~np.isnan(calls["arrested"])
    counted = arrested
    if calibrate is not None:
        counted = arrested & (calls["arrested"] >= calibrate[0]) & (calls["arrested"] < calibrate[1])
    caught = counted & (calls["caught_in_act"] == cal.ARREST_FLAGS[0])
    persons = np.where(arrested, 1 + _categorical(extra, np.tile(np.array(cal.PERSONS_PER_ARREST), (n, 1))), 0)
    target = cal.ARREST_TARGETS["caught_in_act_persons_share"]
    act_rows, later_rows = np.flatnonzero(caught), np.flatnonzero(counted & ~caught)
    for _ in range(10 * n):  # one person at a time, on a row of the side that is short
        share = persons[caught].sum() / max(persons[counted].sum(), 1)
        if round(share, 4) == target or not len(act_rows) or not len(later_rows):
            break
        rows = act_rows if share < target else later_rows
        persons[rows[extra.integers(0, len(rows))]] += 1
    calls["persons"] = np.where(arrested, persons, np.nan)


def _answering(rng: np.random.Generator, received: np.ndarray, volume: np.ndarray) -> np.ndarray:
    """报警 -> 接警 of each call [s]: a lognormal ring plus, in busy hours, a queue wait for some calls.

    ``volume`` holds the calls per local hour 00..23 that load the call-takers; an hour's share of queued
    calls is :data:`.calibration.BUSY_QUEUE_SHARE` times the squared ratio of its volume to the busiest hour's.
    """
    n = len(received)
    hour = (received // 3600) % 24  # the local wall clock (times are local seconds)
    busy = (volume / volume.max()) ** 2
    ring = _lognormal(rng, cal.ANSWER[0], cal.ANSWER[1], n)
    queued = rng.random(n) < cal.BUSY_QUEUE_SHARE * busy[hour]
    wait = rng.exponential(cal.QUEUE_MEAN_S, n)
    return np.minimum(np.round(ring + np.where(queued, wait, 0.0)), cal.ANSWER_CAP_S)


def _weighted_order(rng: np.random.Generator, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """A random order of ``items``, heavier items tending to come first."""
    if len(items) == 0:
        return items
    # Efraimidis-Spirakis: sort by U**(1/w), descending
    keys = np.log(rng.random(len(items))) / weights
    return items[np.argsort(-keys, kind="stable")]


def _solve_scale(raw: np.ndarray, floor_h: np.ndarray, room_h: np.ndarray,
                 act_sum_h: float, n_act: int, lo_h: np.ndarray | None = None) -> float:
    """Scale of the later-arrest delays that puts the recorded mean on target.

    The mean over counted arrests (the ``n_act`` in-act ones, of summed delay
    ``act_sum_h`` [h], plus later ones whose delay [h] is at most ``room_h``
    and, given ``lo_h``, at least ``lo_h``) is computed for a given scale;
    censoring makes it only piecewise monotone, so the scale is found by
    bisection on a log grid and the best point seen is kept.
    """
    target = cal.ARREST_TARGETS["mean_dispatch_to_arrest_h"]

    def gap(s: float) -> float:
        d = np.maximum(floor_h, s * raw)
        kept = d <= room_h
        if lo_h is not None:
            kept &= d >= lo_h
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
    name, phone = _fake_callers(rng, len(calls["received"]))
    calls["caller"] = np.where(calls["self_initiated"], "", name)
    calls["phone"] = np.where(calls["self_initiated"], "", phone)


def _fake_callers(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` placeholder caller names (张某某, 李某) and random 11-digit mobile numbers, as object arrays."""
    surname = np.array(list(cal.SURNAMES))[rng.integers(0, len(cal.SURNAMES), n)]
    suffix = np.where(rng.random(n) < cal.CALLER_DOUBLE_SUFFIX_SHARE, *cal.CALLER_SUFFIXES)
    prefix = np.array(cal.PHONE_PREFIXES)[rng.integers(0, len(cal.PHONE_PREFIXES), n)]
    digits = rng.integers(0, 1_000_000_000, n)
    name = np.char.add(surname, suffix).astype(object)
    phone = np.array([f"{p}{d:09d}" for p, d in zip(prefix, digits)], dtype=object)
    return name, phone


# ---------------------------------------------------------------------------
# City scale: invalid calls and crime sub-types
# ---------------------------------------------------------------------------


def _draw_invalid(rng: np.random.Generator, received: np.ndarray, volume: np.ndarray) -> dict[str, np.ndarray]:
    """Draw the invalid calls (无效报警) received at ``received`` [s, local], on their own stream.

    Kind | hour follows :data:`.calibration.INVALID_KINDS` (shares reweighted at night); the caller is
    somewhere in a grid drawn by call volume (never at a key site), with coordinates only for kinds with a
    conversation; 接警方式 from :data:`.calibration.INVALID_METHODS`; answering as for valid calls, the
    call-takers loaded by ``volume`` (all calls per local hour 00..23); placeholder caller fields.
    """
    n = len(received)
    kinds = cal.INVALID_KINDS
    by_hour = np.tile([k.share for k in kinds], (24, 1))
    by_hour[list(cal.NIGHT_HOURS)] *= [k.night for k in kinds]
    kind = _categorical(rng, by_hour[(received // 3600) % 24])
    grid = _categorical(rng, np.tile([g.weight for g in cal.GRIDS], (n, 1)))
    jitter = np.array([g.jitter for g in cal.GRIDS])[grid]
    lat = np.array([g.lat for g in cal.GRIDS])[grid] + jitter * rng.standard_normal(n)
    lon = np.array([g.lon for g in cal.GRIDS])[grid] + jitter * rng.standard_normal(n)
    located = np.array([k.located for k in kinds])[kind]
    method = _categorical(rng, np.tile([p for _, p in cal.INVALID_METHODS], (n, 1)))
    ring = _answering(rng, received, volume)
    caller, phone = _fake_callers(rng, n)
    return {
        "received": received,
        "reported": received - np.maximum(ring, 1),
        "kind": kind,
        "grid": grid,
        "lat": np.where(located, lat, np.nan),
        "lon": np.where(located, lon, np.nan),
        "method": method,
        "caller": caller,
        "phone": phone,
    }


def _draw_subtypes(rng: np.random.Generator, calls: dict[str, np.ndarray]) -> np.ndarray:
    """警情细类 of each valid call: a sub-type of its 刑事警情 type, blank for other calls.

    Drawn on their own stream after everything else, from :data:`.calibration.SUBTYPES`; a call caught in the
    act (现行抓获) never gets a sub-type whose offender cannot be on scene (``in_act`` False).
    """
    n = len(calls["received"])
    u = rng.random(n)
    out = np.full(n, "", dtype=object)
    in_act = calls["caught_in_act"] == cal.ARREST_FLAGS[0]
    names = [t.name for t in cal.CALL_TYPES]
    for type_name, subs in cal.SUBTYPES.items():
        rows = calls["type"] == names.index(type_name)
        labels = np.array([s.name for s in subs], dtype=object)
        for caught in (False, True):
            share = np.array([s.share * (s.in_act or not caught) for s in subs])
            cdf = np.cumsum(share) / share.sum()
            pick = rows & (in_act == caught)
            out[pick] = labels[np.minimum(np.searchsorted(cdf, u[pick], side="right"), len(subs) - 1)]
    return out


def _invalid_frame(invalid: dict[str, np.ndarray]) -> pd.DataFrame:
    """The invalid calls as a table with the city scale's Chinese headers; times numeric [s], NaN = blank."""
    n = len(invalid["received"])
    grids = invalid["grid"]
    blank_text = np.full(n, "", dtype=object)
    frame = {}
    for zh, _ in cal.city_columns():
        frame[zh] = np.full(n, np.nan) if zh in cal.TIME_COLUMNS or zh == "抓获人数" else blank_text
    frame.update({
        "报警时间": invalid["reported"].astype(np.float64),
        "接警时间": invalid["received"].astype(np.float64),
        "警情类别": np.full(n, cal.INVALID_GROUP, dtype=object),
        "警情类型": np.array([k.name for k in cal.INVALID_KINDS], dtype=object)[invalid["kind"]],
        "接警方式": np.array([m for m, _ in cal.INVALID_METHODS], dtype=object)[invalid["method"]],
        "管辖单位": np.array([g.station for g in cal.GRIDS], dtype=object)[grids],
        "所属网格": np.array([g.name for g in cal.GRIDS], dtype=object)[grids],
        "区域类别": np.array([g.area_class for g in cal.GRIDS], dtype=object)[grids],
        "经度": np.round(invalid["lon"], 6),
        "纬度": np.round(invalid["lat"], 6),
        "处警结果": np.full(n, cal.INVALID_OUTCOME, dtype=object),
        "报警人": invalid["caller"],
        "报警电话": invalid["phone"],
    })
    return pd.DataFrame(frame)


def _merge_invalid(valid: pd.DataFrame, invalid: pd.DataFrame, defects: dict[str, np.ndarray]
                   ) -> tuple[pd.DataFrame, np.ndarray, dict[str, np.ndarray]]:
    """Merge the invalid calls into the valid ones in 接警时间 order (a valid call first on a tie).

    Returns the merged table with 接警单编号 renumbered day by day, its 接警时间 [s], and the defects with
    their row indices moved to the merged rows.
    """
    both = pd.concat([valid, invalid[valid.columns]], ignore_index=True)
    received = both["接警时间"].to_numpy().astype(np.int64)
    order = np.argsort(received, kind="stable")
    both = both.iloc[order].reset_index(drop=True)
    both["接警单编号"] = _incident_ids(received[order])
    new_row = np.empty(len(order), dtype=np.int64)
    new_row[order] = np.arange(len(order))
    moved = {k: (v if k == "null_column" else new_row[v]) for k, v in defects.items()}
    return both, received[order], moved


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
    for name, rate in cal.DEFECT_RATES.items():
        ok = eligible[name][order] & ~used[order]
        rows = np.sort(order[ok][: int(round(rate * n))])
        used[rows] = True
        chosen[name] = rows

    calls["arrived"][chosen["missing_arrival"]] = np.nan
    early = chosen["arrival_before_dispatch"]
    lo, hi = cal.EARLY_ARRIVAL_S
    calls["arrived"][early] = calls["dispatched"][early] - rng.integers(lo, hi + 1, len(early))
    null_cols = np.array(cal.NULL_COLUMNS, dtype=object)
    chosen["null_column"] = null_cols[rng.integers(0, len(null_cols), len(chosen["null_string"]))]
    return chosen


# ---------------------------------------------------------------------------
# Formatting and writing
# ---------------------------------------------------------------------------


def _to_frame(calls: dict[str, np.ndarray]) -> pd.DataFrame:
    """The incidents as a table with Chinese headers; times stay numeric [s]."""
    types = cal.CALL_TYPES
    received = calls["received"]
    ids = _incident_ids(received)
    site_names = np.array([""] + [s.name for s in cal.SITES], dtype=object)[calls["site"] + 1]
    grids = calls["grid"]
    frame = pd.DataFrame({
        "接警单编号": ids,
        "报警时间": calls["reported"],
        "接警时间": received.astype(np.float64),
        "派警时间": calls["dispatched"],
        "签收时间": calls["acknowledged"],
        "出警时间": calls["enroute"],
        "到达现场时间": calls["arrived"],
        "处警结束时间": calls["cleared"],
        "反馈时间": calls["report_back"],
        "警情类别": calls["group"],
        "警情类型": np.array([t.name for t in types], dtype=object)[calls["type"]],
        "警情级别": np.array(cal.PRIORITIES, dtype=object)[calls["priority"]],
        "接警方式": np.array([m for m, _ in cal.METHODS], dtype=object)[calls["method"]],
        "管辖单位": np.array([g.station for g in cal.GRIDS], dtype=object)[grids],
        "所属网格": np.array([g.name for g in cal.GRIDS], dtype=object)[grids],
        "区域类别": np.array([g.area_class for g in cal.GRIDS], dtype=object)[grids],
        "重点部位": site_names,
        "经度": np.round(calls["lon"], 6),
        "纬度": np.round(calls["lat"], 6),
        "处警结果": calls["outcome"],
        "是否现行抓获": calls["caught_in_act"],
        "抓获时间": calls["arrested"],
        "抓获人数": calls["persons"],
        "报警人": calls["caller"],
        "报警电话": calls["phone"],
    })
    if "subtype" in calls:  # city scale
        frame.insert(frame.columns.get_loc("警情类型") + 1, cal.SUBTYPE_COLUMN[0], calls["subtype"])
    return frame


def _incident_ids(received: np.ndarray) -> list[str]:
    """接警单编号 of calls sorted by 接警时间 [s]: the date and a serial counting from 1 each day."""
    day = received // 86_400
    starts = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
    counts = np.diff(np.r_[starts, len(day)])
    serial = np.arange(len(day)) - np.repeat(starts, counts) + 1
    dates = pd.to_datetime(received, unit="s").strftime("%Y%m%d").to_numpy()
    return [f"{cal.ID_PREFIX}{d}{s:05d}" for d, s in zip(dates, serial)]


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


def _format_month(frame: pd.DataFrame, defects: dict[str, np.ndarray], rows: np.ndarray, style: cal.Style) -> str:
    """Render one month as CSV text in its export style, defects included."""
    out = frame.copy()
    for col in cal.TIME_COLUMNS:
        out[col] = _format_times(out[col], style.minutes_only)
    for col in ("经度", "纬度"):  # blank: an invalid call without a point (city scale)
        out[col] = out[col].map(lambda v: "" if np.isnan(v) else f"{v:.6f}")
    out["抓获人数"] = out["抓获人数"].map(lambda v: "" if np.isnan(v) else str(int(v)))

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
        out = out.rename(columns=dict(cal.city_columns()))
    return out.to_csv(index=False, lineterminator=style.eol)


def _write_roster(path: pathlib.Path) -> None:
    """Write ``roster.csv``: ``weekday,hour,teams`` (ISO weekday 1-7, hour 0-23, teams on duty) [teams]."""
    teams = cal.duty_roster()
    lines = ["weekday,hour,teams"] + [f"{d + 1},{h},{teams[d, h]}" for d in range(7) for h in range(24)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_grids(path: pathlib.Path) -> None:
    """Write ``grids.geojson``: a FeatureCollection (RFC 7946), one Polygon per grid, one feature per line.

    Properties: ``name`` (the 所属网格 value), ``station`` (管辖单位), ``area_class`` (区域类别) and
    ``district``; coordinates [lon, lat] in WGS 84 [deg].
    """
    features = []
    for grid, ring in zip(cal.GRIDS, cal.grid_cells()):
        features.append(json.dumps({
            "type": "Feature",
            "properties": {"name": grid.name, "station": grid.station, "area_class": grid.area_class,
                           "district": grid.district},
            "geometry": {"type": "Polygon", "coordinates": [ring.tolist()]},
        }, ensure_ascii=False))
    text = '{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
