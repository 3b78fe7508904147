"""Generate large synthetic call logs for the benchmarks, fast: vectorised numpy, CSV written in chunks.

Usage::

    .venv/bin/python benchmarks/generate.py --format cn110 --rows 5000000
    .venv/bin/python benchmarks/generate.py --format sffd --rows 1000000 --out /tmp/sffd_1m.csv

Two layouts, both read by the built-in mappings (``--format cn110`` / ``--format sffd``):

``cn110``
    A Chinese 110 接处警 export, one row per incident, the 22 columns of
    :mod:`responsestats.sample.calibration` (Chinese headers, UTF-8, ``YYYY-MM-DD HH:MM:SS``)
    and its geography: 48 patrol grids (所属网格, the ``district``), three
    priorities (警情级别). Over the default 48 months that is 48 x 48 x 3 =
    6,912 month x district x priority groups.
``sffd``
    The San Francisco Fire Department "Calls for Service" export: 34 columns,
    one row per responding unit (1 to 5 units per call), 12-hour timestamps
    (``MM/DD/YYYY hh:mm:ss AM``), ``Location`` as ``"(lat, lon)"``.

``--rows`` is the number of data rows in the file (for ``sffd``, unit rows).
Calls are spread over ``--months`` months from ``--start`` with an hourly,
weekly and seasonal rhythm; stage delays are lognormal (medians as in
``data/sample/README.md``). A few defects are planted at low rates (missing
arrival, arrival before dispatch, ``NULL`` text, missing id, unparseable
received time, duplicated rows) so the quarantine and the exclusions have work.

Rows are generated and written ``--chunk`` at a time (memory stays flat) in
time order; the same arguments give the same bytes. Timestamps are formatted
by integer arithmetic into fixed-width byte arrays (``pyarrow.compute.strftime``
runs at about 0.4 M values/s, far too slow for tens of millions of values).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from responsestats.sample import calibration as cn  # the cn110 geography, call types and rhythm

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
FORMATS = ("cn110", "sffd")
DAY = 86_400


# --- fixed-width text from integers -------------------------------------------------------------
def _put_digits(buf: np.ndarray, col: int, values: np.ndarray, width: int) -> None:
    """Write ``values`` as zero-padded decimal digits into ``buf[:, col:col + width]``."""
    v = values.astype(np.int64).copy()
    for k in range(width - 1, -1, -1):
        buf[:, col + k] = 48 + v % 10
        v //= 10


def _put_text(buf: np.ndarray, col: int, text: str) -> None:
    raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    buf[:, col:col + raw.size] = raw


def _strings(buf: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A pyarrow string array over the rows of a fixed-width byte matrix (no copy of the bytes)."""
    n, width = buf.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32) if n * width < 2**31 else None
    data = pa.py_buffer(np.ascontiguousarray(buf))
    bitmap = None
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    if offsets is None:
        off = pa.py_buffer(np.arange(0, (n + 1) * width, width, dtype=np.int64))
        return pa.LargeStringArray.from_buffers(n, off, data, bitmap)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), data, bitmap)


def _civil(seconds: np.ndarray) -> tuple[np.ndarray, ...]:
    """Year, month, day, hour, minute, second of naive local epoch seconds."""
    s = seconds.astype(np.int64)
    days = (s // DAY).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    sod = s % DAY
    return year, month, day, sod // 3600, sod // 60 % 60, sod % 60


def iso_times(seconds: np.ndarray) -> pa.Array:
    """``YYYY-MM-DD HH:MM:SS``; NaN -> null."""
    valid = ~np.isnan(seconds)
    y, mo, d, h, mi, s = _civil(np.where(valid, seconds, 0))
    buf = np.empty((len(seconds), 19), dtype=np.uint8)
    _put_digits(buf, 0, y, 4), _put_text(buf, 4, "-"), _put_digits(buf, 5, mo, 2), _put_text(buf, 7, "-")
    _put_digits(buf, 8, d, 2), _put_text(buf, 10, " "), _put_digits(buf, 11, h, 2), _put_text(buf, 13, ":")
    _put_digits(buf, 14, mi, 2), _put_text(buf, 16, ":"), _put_digits(buf, 17, s, 2)
    return _strings(buf, valid)


def us_times(seconds: np.ndarray) -> pa.Array:
    """``MM/DD/YYYY hh:mm:ss AM`` (12-hour clock, as SFFD exports); NaN -> null."""
    valid = ~np.isnan(seconds)
    y, mo, d, h, mi, s = _civil(np.where(valid, seconds, 0))
    buf = np.empty((len(seconds), 22), dtype=np.uint8)
    _put_digits(buf, 0, mo, 2), _put_text(buf, 2, "/"), _put_digits(buf, 3, d, 2), _put_text(buf, 5, "/")
    _put_digits(buf, 6, y, 4), _put_text(buf, 10, " ")
    _put_digits(buf, 11, np.where(h % 12 == 0, 12, h % 12), 2), _put_text(buf, 13, ":")
    _put_digits(buf, 14, mi, 2), _put_text(buf, 16, ":"), _put_digits(buf, 17, s, 2), _put_text(buf, 19, " AM")
    buf[:, 20] = np.where(h < 12, ord("A"), ord("P"))
    return _strings(buf, valid)


def us_dates(seconds: np.ndarray) -> pa.Array:
    """``MM/DD/YYYY``."""
    y, mo, d, *_ = _civil(seconds)
    buf = np.empty((len(seconds), 10), dtype=np.uint8)
    _put_digits(buf, 0, mo, 2), _put_text(buf, 2, "/"), _put_digits(buf, 3, d, 2), _put_text(buf, 5, "/")
    _put_digits(buf, 6, y, 4)
    return _strings(buf)


def decimals(x: np.ndarray, int_digits: int, places: int) -> pa.Array:
    """Fixed-point text of non-negative ``x``: ``int_digits`` digits, ``places`` decimals."""
    scaled = np.round(x * 10**places).astype(np.int64)
    buf = np.empty((len(x), int_digits + 1 + places), dtype=np.uint8)
    _put_digits(buf, 0, scaled // 10**places, int_digits)
    _put_text(buf, int_digits, ".")
    _put_digits(buf, int_digits + 1, scaled % 10**places, places)
    return _strings(buf)


def join(*parts) -> pa.Array:
    """Element-wise concatenation of string arrays and literals."""
    arrays = [p if isinstance(p, pa.Array) else pa.scalar(p) for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def text(values: np.ndarray) -> pa.Array:
    """Numbers as their shortest decimal text."""
    return pc.cast(pa.array(values), pa.string())


def categories(names, codes: np.ndarray) -> pa.Array:
    """``names[codes]`` as a string array; a negative code -> null."""
    table = pa.array(list(names), type=pa.string())
    idx = pa.array(codes.astype(np.int32), mask=codes < 0)
    return table.take(idx)


def prefixed_numbers(prefix: str, values: np.ndarray, width: int) -> pa.Array:
    buf = np.empty((len(values), len(prefix.encode()) + width), dtype=np.uint8)
    _put_text(buf, 0, prefix)
    _put_digits(buf, len(prefix.encode()), values, width)
    return _strings(buf)


# --- when calls come in -------------------------------------------------------------------------
def _lognormal(rng: np.random.Generator, median, sigma: float, n: int) -> np.ndarray:
    return np.asarray(median) * np.exp(sigma * rng.standard_normal(n))


def _choice(rng: np.random.Generator, probs, n: int) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row of a (n, k) table of weights."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cdf[:, -1]
    return np.minimum((u[:, None] >= cdf).sum(axis=1), probs.shape[1] - 1)


class Calendar:
    """Days of the window with their relative call volume (weekday x season)."""

    def __init__(self, start: str, months: int):
        first = pd.Period(start, freq="M")
        self.t0 = int(first.start_time.value // 10**9)
        self.t1 = int((first + months).start_time.value // 10**9)
        days = pd.date_range(first.start_time, (first + months).start_time, freq="D", inclusive="left")
        weekday = days.day_of_week.to_numpy()
        season = 1 + cn.SEASON_AMPLITUDE * np.cos(2 * np.pi * (days.day_of_year.to_numpy() - cn.SEASON_PEAK_DOY)
                                                  / 365.25)
        weight = cn.WEEKDAY[weekday] * season
        self.weekday = weekday
        self.n_days = len(days)
        self.cum = np.cumsum(weight) / weight.sum()  # share of calls up to the end of each day
        self.profile = cn.hourly_profile()  # (weekday, hour)

    def received(self, rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
        """``n`` sorted call times [naive local epoch s] in the volume quantiles ``[lo, hi)`` of the window."""
        u = np.sort(rng.uniform(lo, hi, n))
        day = np.minimum(np.searchsorted(self.cum, u, side="right"), self.n_days - 1)
        hour = _choice_rows(rng, self.profile[self.weekday[day]])
        t = self.t0 + DAY * day + 3600 * hour + rng.integers(0, 3600, n)
        return np.sort(t)


# --- cn110 -------------------------------------------------------------------------------------
CN_COLUMNS = [c for c, _ in cn.COLUMNS]


def cn110_chunk(rng: np.random.Generator, cal: Calendar, lo: float, hi: float, n: int, first_id: int) -> pa.Table:
    """``n`` rows (incidents plus a few duplicated rows) of a cn110 export."""
    recv = cal.received(rng, lo, hi, n).astype(np.float64)
    types, grids, sites = cn.CALL_TYPES, cn.GRIDS, cn.SITES
    hour = (recv.astype(np.int64) // 3600) % 24
    share = np.array([t.share for t in types])
    by_hour = np.tile(share, (24, 1))
    by_hour[list(cn.NIGHT_HOURS)] *= [t.night for t in types]
    by_hour[list(cn.RUSH_HOURS)] *= [t.rush for t in types]
    ctype = _choice_rows(rng, by_hour[hour])
    prio = _choice_rows(rng, np.array([t.priority for t in types])[ctype])
    grid = _choice(rng, [g.weight for g in grids], n)
    at_site = rng.random(n) < cn.KEY_SITE_SHARE
    site = np.where(at_site, _choice(rng, [s.weight for s in sites], n), -1)
    grid = np.where(at_site, np.array([s.grid for s in sites])[np.maximum(site, 0)], grid)
    jitter = np.array([g.jitter for g in grids])[grid]
    lat = np.array([g.lat for g in grids])[grid] + jitter * rng.standard_normal(n)
    lon = np.array([g.lon for g in grids])[grid] + jitter * rng.standard_normal(n)
    method = _choice(rng, [p for _, p in cn.METHODS], n)
    self_init = method == [m for m, _ in cn.METHODS].index(cn.SELF_INITIATED)
    outcome_names = list(cn.OUTCOME_NAMES) + ["现行抓获", "事后抓获"]
    outcome_p = np.array([[dict(cn.OUTCOMES_BY_GROUP[t.group]).get(o, 0.0) for o in outcome_names] for t in types])
    outcome = _choice_rows(rng, outcome_p[ctype])

    urban = np.array([g.area_class == "城区" for g in grids])[grid]
    ring = np.where(self_init, 0, rng.integers(cn.RING_S[0], cn.RING_S[1] + 1, n))
    dispatch = np.maximum(np.round(_lognormal(rng, cn.DISPATCH[0] * cn.PRIORITY_DISPATCH_FACTOR[prio],
                                              cn.DISPATCH[1], n)), 5)
    turnout = np.maximum(np.round(_lognormal(rng, cn.TURNOUT[0], cn.TURNOUT[1], n)), 5)
    travel = np.where(urban, _lognormal(rng, *cn.TRAVEL["城区"], n), _lognormal(rng, *cn.TRAVEL["郊区"], n))
    travel = np.maximum(np.round(travel), 20)
    quick = rng.integers(0, 6, (n, 3))
    dispatch = np.where(self_init, quick[:, 0], dispatch)
    turnout = np.where(self_init, quick[:, 1], turnout)
    travel = np.where(self_init, quick[:, 2], travel)
    scene_med = np.array([t.scene_min for t in types])[ctype] - cn.SCENE_FLOOR_MIN
    scene = np.round(np.minimum(cn.SCENE_FLOOR_MIN + _lognormal(rng, scene_med, cn.SCENE_SIGMA, n),
                                cn.SCENE_CAP_MIN) * 60)
    dispatched = recv + dispatch
    enroute = dispatched + turnout
    arrived = enroute + travel
    cleared = arrived + scene
    cancelled = (outcome == outcome_names.index(cn.CANCELLED)) & (rng.random(n) < 0.5) & ~self_init
    arrived[cancelled] = np.nan
    cleared[cancelled] = enroute[cancelled] + np.round(rng.uniform(120, 900, cancelled.sum()))

    # arrests: ~7.5% of criminal / public-order calls that were not called off; 81% in the act
    arrestable = (np.array([t.act_weight + t.later_weight for t in types])[ctype] > 0) & ~cancelled
    arrested_now = arrestable & (rng.random(n) < 0.075)
    in_act = arrested_now & (rng.random(n) < cn.ARREST_TARGETS["caught_in_act_share"])
    later = arrested_now & ~in_act
    arrested = np.full(n, np.nan)
    arrested[in_act] = arrived[in_act] + np.round(0.4 * scene[in_act])
    arrested[later] = cleared[later] + np.round(3600 * np.exp(rng.normal(3.2, 1.2, later.sum())))
    outcome[in_act] = outcome_names.index("现行抓获")
    outcome[later] = outcome_names.index("事后抓获")
    caught = np.where(in_act, 0, np.where(later, 1, -1))

    # defects (rates as data/sample/README.md); numeric ones first
    u = rng.random(n)
    missing_arrival = (u < 0.02) & ~np.isnan(arrived)
    arrived[missing_arrival] = np.nan
    early = (u >= 0.02) & (u < 0.023) & ~np.isnan(arrived) & ~self_init
    arrived[early] = dispatched[early] - rng.integers(120, 901, early.sum())
    text_defect = rng.random(n)

    ids = prefixed_numbers("J3506", first_id + np.arange(n), 12)
    received_text = iso_times(recv)
    enroute_text = iso_times(enroute)
    # an impossible clock time, a blank id, a literal NULL, as broken exports write them
    received_text = pc.if_else(pa.array(text_defect < 0.0005), "2024-02-30 25:61:00", received_text)
    ids = pc.if_else(pa.array((text_defect >= 0.0005) & (text_defect < 0.001)), pa.scalar(None, pa.string()), ids)
    enroute_text = pc.if_else(pa.array((text_defect >= 0.001) & (text_defect < 0.006) & ~np.isnan(enroute)),
                              "NULL", enroute_text)

    names = [s + sfx for s in cn.SURNAMES for sfx in ("某某", "某")]
    caller = np.where(self_init, -1, rng.integers(0, len(names), n))
    phone_prefix = np.array([13, 15, 18])[rng.integers(0, 3, n)]
    phone = prefixed_numbers("", phone_prefix * 10**9 + rng.integers(0, 10**9, n), 11)
    phone = pc.if_else(pa.array(self_init), pa.scalar(None, pa.string()), phone)

    # the stamps and counts the sample gained later (签收, 反馈, 抓获人数), drawn last so the rest is unchanged
    acknowledged = np.minimum(dispatched + np.maximum(np.round(_lognormal(rng, *cn.ACKNOWLEDGE, n)), 1), enroute)
    reported = cleared + np.round(_lognormal(rng, *cn.REPORT_BACK, n))
    persons = 1 + _choice(rng, cn.PERSONS_PER_ARREST, n)
    persons_text = pc.if_else(pa.array(~np.isnan(arrested)), pa.array(persons.astype(str)),
                              pa.scalar(None, pa.string()))

    columns = {
        "接警单编号": ids,
        "报警时间": iso_times(recv - ring),
        "接警时间": received_text,
        "派警时间": iso_times(dispatched),
        "签收时间": iso_times(acknowledged),
        "出警时间": enroute_text,
        "到达现场时间": iso_times(arrived),
        "处警结束时间": iso_times(cleared),
        "反馈时间": iso_times(reported),
        "警情类别": categories([t.group for t in types], ctype),
        "警情类型": categories([t.name for t in types], ctype),
        "警情级别": categories(cn.PRIORITIES, prio),
        "接警方式": categories([m for m, _ in cn.METHODS], method),
        "管辖单位": categories([g.station for g in grids], grid),
        "所属网格": categories([g.name for g in grids], grid),
        "区域类别": categories([g.area_class for g in grids], grid),
        "重点部位": categories([s.name for s in sites], site),
        "经度": decimals(lon, 3, 6),
        "纬度": decimals(lat, 2, 6),
        "处警结果": categories(outcome_names, outcome),
        "是否现行抓获": categories(["是", "否"], caught),
        "抓获时间": iso_times(arrested),
        "抓获人数": persons_text,
        "报警人": categories(names, caller),
        "报警电话": phone,
    }
    table = pa.table({c: columns[c] for c in CN_COLUMNS})  # the header's order (sample.calibration.COLUMNS)
    dup = rng.random(n) < 0.002  # exported twice, byte for byte
    if dup.any():
        table = table.take(pa.array(np.repeat(np.arange(n), np.where(dup, 2, 1))[:n]))
    return table


# --- sffd --------------------------------------------------------------------------------------
SFFD_COLUMNS = [
    "Call Number", "Unit ID", "Incident Number", "Call Type", "Call Date", "Watch Date", "Received DtTm",
    "Entry DtTm", "Dispatch DtTm", "Response DtTm", "On Scene DtTm", "Transport DtTm", "Hospital DtTm",
    "Call Final Disposition", "Available DtTm", "Address", "City", "Zipcode of Incident", "Battalion",
    "Station Area", "Box", "Original Priority", "Priority", "Final Priority", "ALS Unit", "Call Type Group",
    "Number of Alarms", "Unit Type", "Unit sequence in call dispatch", "Fire Prevention District",
    "Supervisor District", "Neighborhood  District", "Location", "RowID",
]
# (call type, share, call type group, P(priority 3), P(transport), units mean)
_SF_TYPES = (
    ("Medical Incident", 0.62, "Potentially Life-Threatening", 0.70, 0.55, 1.9),
    ("Alarms", 0.12, "Alarm", 0.55, 0.0, 2.4),
    ("Structure Fire", 0.05, "Alarm", 0.95, 0.02, 4.5),
    ("Traffic Collision", 0.05, "Potentially Life-Threatening", 0.60, 0.35, 2.2),
    ("Other", 0.05, "Non Life-threatening", 0.20, 0.01, 1.3),
    ("Citizen Assist / Service Call", 0.04, "Non Life-threatening", 0.15, 0.02, 1.2),
    ("Outside Fire", 0.03, "Fire", 0.85, 0.0, 2.0),
    ("Water Rescue", 0.01, "Potentially Life-Threatening", 0.95, 0.10, 3.5),
    ("Gas Leak (Natural and LP Gases)", 0.015, "Alarm", 0.80, 0.0, 2.2),
    ("Vehicle Fire", 0.015, "Fire", 0.85, 0.0, 1.6),
)
_SF_DISPOSITIONS = ("Code 2 Transport", "Code 3 Transport", "Fire", "No Merit", "Patient Declined Transport",
                    "Against Medical Advice", "Cancelled", "Gone on Arrival", "Unable to Locate", "Other", "SFPD")
_SF_UNIT_TYPES = (("E", "ENGINE"), ("M", "MEDIC"), ("T", "TRUCK"), ("B", "CHIEF"), ("RC", "RESCUE CAPTAIN"))
_SF_STREETS = ("MARKET ST", "MISSION ST", "GEARY BLVD", "BALCETA AVE", "MARINA BLVD", "VALENCIA ST", "POLK ST",
               "TARAVAL ST", "3RD ST", "VAN NESS AVE", "FOLSOM ST", "IRVING ST", "CLEMENT ST", "OCEAN AVE",
               "SAN BRUNO AVE", "CHURCH ST", "DIVISADERO ST", "FILLMORE ST", "LOMBARD ST", "JUDAH ST")
_SF_NEIGHBORHOODS = ("Mission", "Tenderloin", "South of Market", "Financial District/South Beach", "Marina",
                     "West of Twin Peaks", "Bayview Hunters Point", "Sunset/Parkside", "Outer Richmond",
                     "Nob Hill", "Castro/Upper Market", "Hayes Valley", "Excelsior", "Chinatown")
_SF_BATTALIONS = tuple(f"B{i:02d}" for i in range(1, 11))


def sffd_chunk(rng: np.random.Generator, cal: Calendar, lo: float, hi: float, n_rows: int,
               first_call: int) -> tuple[pa.Table, int]:
    """``n_rows`` unit rows of an SFFD export, and the number of calls they hold."""
    mean_units = sum(t[1] * t[5] for t in _SF_TYPES) / sum(t[1] for t in _SF_TYPES)
    n_calls = int(math.ceil(n_rows / mean_units * 1.1)) + 10
    recv = cal.received(rng, lo, hi, n_calls).astype(np.float64)
    ctype = _choice(rng, [t[1] for t in _SF_TYPES], n_calls)
    units = np.clip(rng.poisson(np.array([t[5] for t in _SF_TYPES])[ctype] - 1) + 1, 1, 5)
    batt = rng.integers(0, len(_SF_BATTALIONS), n_calls)
    station = batt * 5 + rng.integers(1, 6, n_calls)
    prio3 = rng.random(n_calls) < np.array([t[3] for t in _SF_TYPES])[ctype]
    transport = rng.random(n_calls) < np.array([t[4] for t in _SF_TYPES])[ctype]
    dispo = np.where(transport, np.where(prio3, 1, 0), _choice(rng, [0, 0, 3, 4, 4, 2, 3, 1, 1, 3, 1], n_calls))
    entry = recv + np.round(_lognormal(rng, 60.0, 0.6, n_calls))
    first_dispatch = entry + np.round(_lognormal(rng, 20.0, 0.7, n_calls))
    lat = 37.76 + 0.03 * rng.standard_normal(n_calls)
    lon = -122.44 + 0.03 * rng.standard_normal(n_calls)

    call = np.repeat(np.arange(n_calls), units)
    seq = np.arange(len(call)) - np.repeat(np.cumsum(units) - units, units) + 1
    call, seq = call[:n_rows], seq[:n_rows]  # the last call may lose some of its units
    m = len(call)
    # units: the k-th unit of a call is the k-th kind, from the call's station (no unit twice per call)
    kind = (seq - 1) % len(_SF_UNIT_TYPES)
    unit_no = station[call] + 3 * ((seq - 1) // len(_SF_UNIT_TYPES))
    dispatched = first_dispatch[call] + np.where(seq == 1, 0, np.round(rng.exponential(40.0, m)))
    enroute = dispatched + np.round(_lognormal(rng, 75.0, 0.5, m))
    onscene = enroute + np.round(_lognormal(rng, 260.0, 0.45, m))
    cancelled = rng.random(m) < np.where(seq == 1, 0.04, 0.18)
    onscene[cancelled] = np.nan
    available = np.where(cancelled, enroute + np.round(rng.uniform(60, 600, m)),
                         onscene + np.round(_lognormal(rng, 1500.0, 0.7, m)))
    medic = (kind == 1) & transport[call] & ~cancelled
    transport_t = np.where(medic, onscene + np.round(_lognormal(rng, 1100.0, 0.4, m)), np.nan)
    hospital_t = np.where(medic, transport_t + np.round(_lognormal(rng, 700.0, 0.4, m)), np.nan)
    available = np.where(medic, hospital_t + np.round(_lognormal(rng, 1800.0, 0.5, m)), available)
    u = rng.random(m)
    missing_onscene = (u < 0.01) & ~np.isnan(onscene)
    onscene[missing_onscene] = np.nan
    early = (u >= 0.01) & (u < 0.012) & ~np.isnan(onscene)
    onscene[early] = dispatched[early] - rng.integers(30, 600, early.sum())

    call_no = first_call + call
    unit_codes = [p for p, _ in _SF_UNIT_TYPES]
    unit_id = join(categories(unit_codes, kind), text(unit_no))
    call_no_text = prefixed_numbers("", call_no, 9)
    orig_prio = np.where(prio3, 3, 2)[call]
    medical = ctype[call] == 0
    prio_raw = np.where(medical & (rng.random(m) < 0.5), np.where(orig_prio == 3, 2, 3), orig_prio - 2)
    loc = join('"(', text(np.round(lat, 12)[call]), ", ", text(np.round(lon, 12)[call]), ')"')  # quoted: a comma
    block = (rng.integers(0, 40, n_calls) * 100)[call]
    street = rng.integers(0, len(_SF_STREETS), n_calls)[call]
    address = join(text(block), " Block of ", categories(_SF_STREETS, street))
    columns = {
        "Call Number": call_no_text,
        "Unit ID": unit_id,
        "Incident Number": prefixed_numbers("", 16_000_000 + call_no % 10**7, 8),
        "Call Type": categories([t[0] for t in _SF_TYPES], ctype[call]),
        "Call Date": us_dates(recv[call]),
        "Watch Date": us_dates(recv[call] - 8 * 3600),
        "Received DtTm": us_times(recv[call]),
        "Entry DtTm": us_times(entry[call]),
        "Dispatch DtTm": us_times(dispatched),
        "Response DtTm": us_times(enroute),
        "On Scene DtTm": us_times(onscene),
        "Transport DtTm": us_times(transport_t),
        "Hospital DtTm": us_times(hospital_t),
        "Call Final Disposition": categories(_SF_DISPOSITIONS, dispo[call]),
        "Available DtTm": us_times(available),
        "Address": address,
        "City": categories(["San Francisco"], np.zeros(m, np.int32)),
        "Zipcode of Incident": prefixed_numbers("941", (batt * 3 + 2)[call], 2),
        "Battalion": categories(_SF_BATTALIONS, batt[call]),
        "Station Area": prefixed_numbers("", station[call], 2),
        "Box": prefixed_numbers("", rng.integers(1000, 9999, n_calls)[call], 4),
        "Original Priority": text(orig_prio),
        "Priority": categories(["2", "3", "A", "E"], prio_raw),
        "Final Priority": text(orig_prio),
        "ALS Unit": categories(["true", "false"], (kind != 1).astype(np.int32)),
        "Call Type Group": categories([t[2] for t in _SF_TYPES], ctype[call]),
        "Number of Alarms": categories(["1"], np.zeros(m, np.int32)),
        "Unit Type": categories([t for _, t in _SF_UNIT_TYPES], kind),
        "Unit sequence in call dispatch": text(seq),
        "Fire Prevention District": text(batt[call] % 10 + 1),
        "Supervisor District": text(station[call] % 11 + 1),
        "Neighborhood  District": categories(_SF_NEIGHBORHOODS, (station % len(_SF_NEIGHBORHOODS))[call]),
        "Location": loc,
        "RowID": join(call_no_text, "-", unit_id),
    }
    return pa.table(columns), int(call[-1]) + 1 if m else 0


def csv_bytes(table: pa.Table) -> memoryview:
    """The rows of a table of strings as CSV text, quoted only where the values say so, LF line ends.

    Unlike ``pyarrow.csv.write_csv`` (which quotes every string), this leaves
    fields bare, as most CAD exports do; a value holding a comma comes here
    already quoted.
    """
    columns = [c.combine_chunks() for c in table.columns]
    lines = pc.binary_join_element_wise(*columns, ",", null_handling="replace", null_replacement="")
    lines = pc.binary_join_element_wise(lines, "", "\n")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset:lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0]:offsets[-1]]


# --- driver ------------------------------------------------------------------------------------
def default_path(fmt: str, rows: int, parts: int = 1) -> Path:
    """``benchmarks/out/<fmt>_<rows>.csv``, or the folder ``<fmt>_<rows>_<parts>files/`` for several parts."""
    label = f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else str(rows)
    return OUT / (f"{fmt}_{label}.csv" if parts == 1 else f"{fmt}_{label}_{parts}files")


def generate(fmt: str, rows: int, out: Path | None = None, *, seed: int = 6, start: str = "2021-01",
             months: int = 48, chunk: int = 500_000, parts: int = 1) -> Path:
    """Write a ``fmt`` call log of ``rows`` data rows to ``out`` (default :func:`default_path`).

    With ``parts > 1``, ``out`` is a folder of that many CSV files of consecutive periods (as an agency
    exports a long log, e.g. a file per quarter), each with its header; otherwise one file.
    """
    if fmt not in FORMATS:
        raise SystemExit(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    out = Path(out) if out else default_path(fmt, rows, parts)
    rng = np.random.default_rng(seed)
    cal = Calendar(start, months)
    n_chunks = max(parts, math.ceil(rows / chunk))
    n_chunks += -n_chunks % parts  # whole chunks per part
    header = (",".join(CN_COLUMNS if fmt == "cn110" else SFFD_COLUMNS) + "\n").encode("utf-8")
    if parts > 1:
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / f"{fmt}_part{k + 1:02d}.csv" for k in range(parts)]
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        paths = [out]
    written, next_id = 0, 0
    per_part = n_chunks // parts
    for p, path in enumerate(paths):
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "wb") as fh:
            fh.write(header)
            for k in range(p * per_part, (p + 1) * per_part):
                n = (rows * (k + 1)) // n_chunks - (rows * k) // n_chunks  # rows spread evenly over the chunks
                lo, hi = k / n_chunks, (k + 1) / n_chunks
                if fmt == "cn110":
                    table = cn110_chunk(rng, cal, lo, hi, n, next_id)
                    next_id += n
                else:
                    table, calls = sffd_chunk(rng, cal, lo, hi, n, 160_000_000 + next_id)
                    next_id += calls
                fh.write(csv_bytes(table))
                written += table.num_rows
        tmp.replace(path)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--format", choices=FORMATS, default="cn110")
    ap.add_argument("--rows", type=int, default=1_000_000, help="data rows in the file (sffd: unit rows)")
    ap.add_argument("--out", type=Path, help="output CSV (default benchmarks/out/<format>_<rows>.csv)")
    ap.add_argument("--start", default="2021-01", help="first month, YYYY-MM")
    ap.add_argument("--months", type=int, default=48)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--chunk", type=int, default=500_000, help="rows generated and written at a time")
    ap.add_argument("--parts", type=int, default=1, help="write a folder of this many files (consecutive periods)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    path = generate(args.format, args.rows, args.out, seed=args.seed, start=args.start, months=args.months,
                    chunk=args.chunk, parts=args.parts)
    size = sum(f.stat().st_size for f in ([path] if path.is_file() else path.glob("*.csv")))
    print(f"{path}: {args.rows:,} rows, {size / 1e6:,.0f} MB in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
