"""Effective response force: the full alarm's Nth unit on scene, graded per ``[[erf]]`` entry of a standard.

A hand-worked fixture checks every figure; the San Francisco Fire excerpt is checked against a plain computation
from the CSV (group rows by Call Number, distinct Unit ID at its first arrival, sort, take the n-th) written here
without the package's parsing or levels; bad ``[[erf]]`` tables are refused naming the key.
"""

from __future__ import annotations

import csv
import io
import json
import datetime as dt
import math
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from responsestats import ingest, read_calls
from responsestats import schema as S
from responsestats.cli.app import main
from responsestats.errors import UserError
from responsestats.metrics import (
    effective_response_force,
    load_standard,
    nth_unit_arrival,
    standard_from_dict,
    summarize,
)
from responsestats.metrics import names as N
from responsestats.metrics.erf import ERF_COLUMNS
from paths import REAL_SAMPLE

SFFD_CSV = REAL_SAMPLE / "sffd" / "Fire_Department_Calls_for_Service.csv"
LA = ZoneInfo("America/Los_Angeles")
T0 = "2024-07-01 09:00"

#: The hand-worked fixture's profile: the population is the fire and alarm groups (police calls are not graded);
#: a 3-unit alarm timed from the first dispatch, and a 2-unit alarm timed from the first unit en route, fire only.
PROFILE = {
    "standard": {"name": "hand", "population": {"call_group": ["fire", "alarm"]}},
    "erf": [
        {"id": "full_alarm", "units": 3, "interval": "dispatch_to_nth_arrival_s", "target_s": 300,
         "required_share": 0.9, "label": "3 units", "citation": "hand 1"},
        {"id": "second_unit", "units": 2, "interval": "enroute_to_nth_arrival_s", "target_s": 120,
         "required_share": 0.5, "when": {"call_group": ["Fire"]}, "citation": "hand 2"},
    ],
}


def _unit(incident, unit, group, enroute, arrived, dispatched=20, **extra):
    """One unit row; stamps are seconds after the call is received (every call at T0, dispatched 20 s later)."""
    return dict(incident_id=incident, unit_id=unit, call_group=group, received_at=T0, dispatched_at=dispatched,
                enroute_at=enroute, arrived_at=arrived, **extra)  # fmt: skip


# Per incident, the distinct units' first arrivals [s after received], and what each entry sees.
# full_alarm: 3rd arrival - first dispatch (20), target 300. second_unit: 2nd arrival - first en route, target 120.
ROWS = [
    # A (fire): E2 marks arrival twice, counted once at its first (150). Arrivals 120, 150, 270, 420.
    #   full_alarm: 270 - 20 = 250 (within). second_unit: 150 - first en route 40 = 110 (within).
    _unit("A", "E1", "fire", 40, 120), _unit("A", "E2", "fire", 60, 220), _unit("A", "E2", "fire", 50, 150),
    _unit("A", "E3", "fire", 90, 420), _unit("A", "E4", "fire", 70, 270),
    # B (fire): arrivals 80, 220, 330. full_alarm: 330 - 20 = 310 (late). second_unit: 220 - 30 = 190 (late).
    _unit("B", "E5", "fire", 30, 80), _unit("B", "E6", "fire", 60, 220), _unit("B", "T1", "fire", 110, 330),
    # C (alarm): three units dispatched, two arrive: incomplete for full_alarm (second_unit: fire only).
    _unit("C", "E7", "alarm", 50, 150), _unit("C", "E8", "alarm", 60, 200), _unit("C", "T2", "alarm", 70, None),
    # D (alarm): X twice (60, then 90: counted at 60), a row with no unit id (its own unit), Y, Z.
    #   Arrivals 60, 100, 110, 600 -> 3rd 110: full_alarm 110 - 20 = 90 (within).
    _unit("D", "X", "alarm", 30, 60), _unit("D", "X", "alarm", 35, 90), _unit("D", "Y", "alarm", 40, 100),
    _unit("D", None, "alarm", 45, 110), _unit("D", "Z", "alarm", 50, 600),
    # E (fire): one unit: incomplete for both entries.
    _unit("E", "E9", "fire", 40, 200),
    # F (fire, self-initiated): excluded (self_initiated) from both, before completeness is looked at.
    _unit("F", "E1", "fire", 10, 30, self_initiated=True), _unit("F", "E2", "fire", 10, 40, self_initiated=True),
    _unit("F", "E3", "fire", 10, 50, self_initiated=True),
    # G (alarm): no dispatch stamp: full_alarm's start is missing (excluded_missing).
    _unit("G", "E1", "alarm", 50, 100, dispatched=None), _unit("G", "E2", "alarm", 60, 200, dispatched=None),
    _unit("G", "E3", "alarm", 70, 300, dispatched=None),
    # I (fire): en route stamped after arrival: second_unit 200 - 500 = -300 (excluded_negative);
    #   two units only: incomplete for full_alarm.
    _unit("I", "E1", "fire", 500, 100), _unit("I", "E2", "fire", 500, 200),
    # H (police): outside the population: n_not_applicable for both entries.
    _unit("H", "P1", "police", 20, 100), _unit("H", "P2", "police", 20, 110), _unit("H", "P3", "police", 20, 120),
]

# Wilson interval, z = 1.959964 (95%), z^2 = 3.841459:
#   denom = 1 + z^2/n; centre = (p + z^2/(2n)) / denom; half = z sqrt(p(1-p)/n + z^2/(4n^2)) / denom
#   2 of 3: denom 2.280486, centre 0.573084, half 0.365424 -> (0.207660, 0.938508)
#   1 of 2: denom 2.920729, centre 0.5,      half 0.405469 -> (0.094531, 0.905469)
#   1 of 1: denom 4.841459, centre 0.603275, half 0.396725 -> (0.206549, 1.0)
WILSON = {(2, 3): (0.207660, 0.938508), (1, 2): (0.094531, 0.905469), (1, 1): (0.206549, 1.0)}


def _check(row, expected: dict):
    for column, value in expected.items():
        got = row[column]
        if isinstance(value, float) and math.isnan(value):
            assert pd.isna(got), column
        elif isinstance(value, float):
            assert got == pytest.approx(value, abs=1e-6), column
        else:
            assert got == value, column


FULL_ALARM = {
    # 8 incidents in the population: A B C D E F G I; H (police) is not applicable.
    N.N_POPULATION: 8, N.N_NOT_APPLICABLE: 1,
    # C, E, I: fewer than 3 units on scene
    N.N_INCOMPLETE: 3,
    # F self-initiated, G no dispatch stamp
    N.N_EXCLUDED: 2, "excluded_self_initiated": 1, "excluded_missing": 1, "excluded_negative": 0,
    "excluded_above_cap": 0,
    # values 250 (A), 310 (B), 90 (D): 8 = 3 incomplete + 2 excluded + 3 used
    N.N: 3, N.N_WITHIN: 2, N.SHARE_WITHIN: 2 / 3,
    N.SHARE_WITHIN_CI_LOW: WILSON[2, 3][0], N.SHARE_WITHIN_CI_HIGH: WILSON[2, 3][1],
    # 0.667 < 0.90
    N.MET: False,
    # sorted 90, 250, 310: median 250; p90 at h = (3 - 1) 0.9 = 1.8: 250 + 0.8 (310 - 250) = 298
    N.MEDIAN_S: 250.0, N.P90_S: 298.0, N.VALUE_AT_REQUIRED_S: 298.0,
    N.UNITS: 3, N.INTERVAL: N.DISPATCH_TO_NTH_ARRIVAL_S, N.TARGET_S: 300.0, N.REQUIRED_SHARE: 0.9,
    N.CITATION: "hand 1", N.LABEL: "3 units",
}  # fmt: skip
SECOND_UNIT = {
    # fire incidents A B E F I; H not applicable
    N.N_POPULATION: 5, N.N_NOT_APPLICABLE: 1,
    # E: one unit
    N.N_INCOMPLETE: 1,
    # F self-initiated, I negative
    N.N_EXCLUDED: 2, "excluded_self_initiated": 1, "excluded_missing": 0, "excluded_negative": 1,
    "excluded_above_cap": 0,
    # values 110 (A), 190 (B): 5 = 1 + 2 + 2
    N.N: 2, N.N_WITHIN: 1, N.SHARE_WITHIN: 0.5,
    N.SHARE_WITHIN_CI_LOW: WILSON[1, 2][0], N.SHARE_WITHIN_CI_HIGH: WILSON[1, 2][1],
    # 0.5 >= 0.5
    N.MET: True,
    # median 150; p90 at h = 0.9: 110 + 0.9 * 80 = 182; required share 0.5: the median, 150
    N.MEDIAN_S: 150.0, N.P90_S: 182.0, N.VALUE_AT_REQUIRED_S: 150.0,
    N.UNITS: 2, N.INTERVAL: N.ENROUTE_TO_NTH_ARRIVAL_S, N.TARGET_S: 120.0, N.REQUIRED_SHARE: 0.5,
}  # fmt: skip


@pytest.fixture
def hand(make_calls):
    return make_calls(ROWS)


def test_hand_worked_fixture(hand):
    out = effective_response_force(hand, standard_from_dict(PROFILE, "hand.toml")).set_index(N.TARGET_ID)
    assert list(out.index) == ["full_alarm", "second_unit"]
    assert (out[N.STANDARD] == "hand").all()
    _check(out.loc["full_alarm"], FULL_ALARM)
    _check(out.loc["second_unit"], SECOND_UNIT)
    assert list(out.reset_index().columns) == [N.TARGET_ID, *(c for c in ERF_COLUMNS if c != N.TARGET_ID)]


def test_hand_worked_fixture_by_group(hand):
    out = effective_response_force(hand, standard_from_dict(PROFILE, "hand.toml"), by="call_group")
    out = out.set_index(["call_group", N.TARGET_ID])
    assert list(out.index.get_level_values(0).unique()) == ["alarm", "fire", "police"]
    # alarm: C (incomplete), D (90, within), G (missing dispatch)
    _check(out.loc[("alarm", "full_alarm")], {
        N.N_POPULATION: 3, N.N_NOT_APPLICABLE: 0, N.N_INCOMPLETE: 1, N.N_EXCLUDED: 1, "excluded_missing": 1,
        N.N: 1, N.N_WITHIN: 1, N.SHARE_WITHIN: 1.0, N.SHARE_WITHIN_CI_LOW: WILSON[1, 1][0],
        N.SHARE_WITHIN_CI_HIGH: 1.0, N.MET: True, N.MEDIAN_S: 90.0, N.P90_S: 90.0})  # fmt: skip
    _check(out.loc[("alarm", "second_unit")], {N.N_POPULATION: 0, N.N: 0, N.N_INCOMPLETE: 0,
                                                N.SHARE_WITHIN: float("nan"), N.MEDIAN_S: float("nan")})  # fmt: skip
    assert out.loc[("alarm", "second_unit"), N.MET] is pd.NA
    # fire: A (250), B (310), E and I incomplete, F self-initiated
    _check(out.loc[("fire", "full_alarm")], {
        N.N_POPULATION: 5, N.N_INCOMPLETE: 2, N.N_EXCLUDED: 1, "excluded_self_initiated": 1, N.N: 2,
        N.N_WITHIN: 1, N.SHARE_WITHIN: 0.5, N.MET: False, N.MEDIAN_S: 280.0,
        # p90 at h = 0.9: 250 + 0.9 * 60 = 304
        N.P90_S: 304.0})  # fmt: skip
    _check(out.loc[("fire", "second_unit")], {k: v for k, v in SECOND_UNIT.items() if k != N.N_NOT_APPLICABLE})
    assert out.loc[("fire", "second_unit"), N.N_NOT_APPLICABLE] == 0
    # police: not graded at all, and said so
    for entry in ("full_alarm", "second_unit"):
        _check(out.loc[("police", entry)], {N.N_POPULATION: 0, N.N_NOT_APPLICABLE: 1, N.N: 0, N.N_INCOMPLETE: 0})


def test_row_order_and_filters(hand):
    std = standard_from_dict(PROFILE, "hand.toml")
    base = effective_response_force(hand, std)
    for seed in range(3):
        shuffled = hand.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        pd.testing.assert_frame_equal(effective_response_force(shuffled, std), base)
    # the filter is applied to unit rows before they are counted: without E3 and E4, A has 2 units (incomplete)
    out = effective_response_force(hand, std, where="unit_id not in ('E3', 'E4') or unit_id is null")
    assert (out[N.WHERE] == "unit_id not in ('E3', 'E4') or unit_id is null").all()
    full = out.set_index(N.TARGET_ID).loc["full_alarm"]
    # A and F lose units: A incomplete; F (E1, E2 left) is still self-initiated; G (E1, E2) incomplete
    assert (full[N.N_INCOMPLETE], full[N.N], full["excluded_self_initiated"], full["excluded_missing"]) == (5, 2, 1, 0)


def test_cap_excludes_above(hand):
    std = standard_from_dict(PROFILE, "hand.toml")
    out = effective_response_force(hand, std, cap=300).set_index(N.TARGET_ID)
    # full_alarm: B's 310 > 300 -> above_cap; A 250 and D 90 stay, both within
    _check(out.loc["full_alarm"], {N.N: 2, "excluded_above_cap": 1, N.N_WITHIN: 2, N.SHARE_WITHIN: 1.0})
    with pytest.raises(UserError, match="cap"):
        effective_response_force(hand, std, cap={"travel_s": 10})


def test_nth_unit_arrival_enroute_basis(hand):
    # A: first en route 40 (E1), 4th distinct arrival 420 (E3): 380 s of travel for the alarm
    nth = nth_unit_arrival(hand, 4).set_index(S.INCIDENT_ID)
    assert nth.loc["A", N.ENROUTE_TO_NTH_ARRIVAL_S] == 380
    assert nth.loc["A", N.DISPATCH_TO_NTH_ARRIVAL_S] == 400
    assert nth.loc["D", N.UNITS_ARRIVED] == 4 and nth.loc["D", N.ENROUTE_TO_NTH_ARRIVAL_S] == 600 - 30
    empty = nth_unit_arrival(hand.iloc[0:0], 2)
    assert len(empty) == 0 and N.ENROUTE_TO_NTH_ARRIVAL_S in empty.columns


# --- the profiles -----------------------------------------------------------------------------------------------
def test_nfpa1710_erf_entries():
    # NFPA 1710 (2020) 4.1.2.1(4): 480 s travel for the initial full alarm (other than high-rise); (5): 610 s
    # high-rise; 4.1.2.4: 90 percent. Members at 4 per company: 16 -> 4 units, 42 -> 11 units.
    std = load_standard("nfpa1710")
    erf = {e.id: (e.units, e.interval, e.target_s, e.required_share) for e in std.erf}
    assert erf == {
        "erf_full_alarm": (4, N.ENROUTE_TO_NTH_ARRIVAL_S, 480.0, 0.90),
        "erf_full_alarm_high_rise": (11, N.ENROUTE_TO_NTH_ARRIVAL_S, 610.0, 0.90),
    }
    assert all("4.1.2.1(" in e.citation and "4.1.2.4" in e.citation for e in std.erf)
    # the interval targets and the population are as they were
    assert [t.id for t in std.targets] == ["turnout_ems", "turnout_fire", "travel_first_unit"]
    assert all(e.population == std.population for e in std.erf)
    assert S.CALL_TYPE in std.condition_columns


def test_a_standard_without_erf_is_refused(hand):
    with pytest.raises(UserError, match=r"nfpa1221-2016 has no \[\[erf\]\] entry.*nfpa1710"):
        effective_response_force(hand, "nfpa1221-2016")


def test_an_extending_profile_replaces_an_entry_by_id(tmp_path):
    path = tmp_path / "county.toml"
    path.write_text('[standard]\nname = "county"\nextends = "nfpa1710"\n\n[[erf]]\nid = "erf_full_alarm"\n'
                    'units = 5\ninterval = "dispatch_to_nth_arrival_s"\ntarget_s = 540\nrequired_share = 0.9\n'
                    'when = { call_type = ["Structure Fire"] }\n', encoding="utf-8")  # fmt: skip
    std = load_standard(path)
    erf = {e.id: e for e in std.erf}
    assert list(erf) == ["erf_full_alarm", "erf_full_alarm_high_rise"]
    assert (erf["erf_full_alarm"].units, erf["erf_full_alarm"].target_s) == (5, 540.0)
    assert len(std.targets) == 3
    only = standard_from_dict({"erf": [{"id": "x", "units": 2, "interval": "received_to_nth_arrival_s"}]})
    assert only.targets == () and only.erf[0].target_s is None


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"unit": 4}, r"erf\[0\]: unknown key 'unit'"),
        ({"units": 4, "when": {"calltype": ["x"]}}, r"unknown key 'calltype' in erf\[0\]\.when"),
        ({"units": 4, "when": [{"call_type": ["x"]}, {"calltype": ["y"]}]},
         r"unknown key 'calltype' in erf\[0\]\.when\[1\]"),
        ({"units": 4, "when": []}, r"erf\[0\]\.when is an empty array"),
        ({"units": 4, "when": {"call_type": {"among": ["x"]}}}, r"unknown key 'among'"),
        ({}, r"erf\[0\] lacks 'units'"),
        ({"units": 0}, r"erf\[0\]\.units"),
        ({"units": 2.5}, r"erf\[0\]\.units: expected a whole number"),
        ({"units": True}, r"erf\[0\]\.units"),
        ({"units": 4, "interval": "travel_s"}, r"erf\[0\]\.interval: unknown 'travel_s'"),
        ({"units": 4, "target_s": -1}, r"erf\[0\]\.target_s"),
        ({"units": 4, "required_share": 90}, r"erf\[0\]\.required_share"),
    ],
)
def test_bad_erf_tables_name_the_key(entry, message):
    raw = {"id": "full", "units": 4, "interval": "dispatch_to_nth_arrival_s", "target_s": 480} | entry
    if entry == {}:
        raw.pop("units")
    with pytest.raises(UserError, match=message) as info:
        standard_from_dict({"erf": [raw]}, "mine.toml")
    assert "mine.toml" in str(info.value)


def test_erf_must_be_an_array_of_tables_with_distinct_ids():
    with pytest.raises(UserError, match=r"erf must be an array of tables"):
        standard_from_dict({"erf": {"id": "x"}}, "mine.toml")
    twice = {"id": "x", "units": 2, "interval": "dispatch_to_nth_arrival_s"}
    with pytest.raises(UserError, match=r"duplicate erf id\(s\) x"):
        standard_from_dict({"erf": [twice, twice]}, "mine.toml")


# --- San Francisco Fire excerpt -----------------------------------------------------------------------------------
def _utc(text: str) -> float | None:
    if not text.strip():
        return None
    return dt.datetime.strptime(text.strip(), "%m/%d/%Y %I:%M:%S %p").replace(tzinfo=LA).timestamp()


def _plain_calls() -> dict[str, dict]:
    """Per Call Number: call type, first received / dispatch / en route, each distinct unit's first arrival."""
    calls: dict[str, dict] = {}
    with open(SFFD_CSV, encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            c = calls.setdefault(r["Call Number"], {"type": r["Call Type"], "received": None, "dispatch": None,
                                                    "enroute": None, "units": {}})  # fmt: skip
            for key, column in (("received", "Received DtTm"), ("dispatch", "Dispatch DtTm"),
                                ("enroute", "Response DtTm")):  # fmt: skip
                t = _utc(r[column])
                if t is not None and (c[key] is None or t < c[key]):
                    c[key] = t
            on_scene = _utc(r["On Scene DtTm"])
            if on_scene is not None:
                unit = r["Unit ID"]
                c["units"][unit] = min(on_scene, c["units"].get(unit, on_scene))
    return calls


def _plain_grade(calls, units: int, start: str, target: float, cap: float = 7200.0) -> dict:
    incomplete, missing, negative, above, values = 0, 0, 0, 0, []
    for c in calls:
        arrivals = sorted(c["units"].values())
        if len(arrivals) < units:
            incomplete += 1
        elif c[start] is None:
            missing += 1
        elif arrivals[units - 1] - c[start] < 0:
            negative += 1
        elif arrivals[units - 1] - c[start] > cap:
            above += 1
        else:
            values.append(arrivals[units - 1] - c[start])
    v = np.array(values)
    return {N.N_POPULATION: len(calls), N.N_INCOMPLETE: incomplete, "excluded_missing": missing,
            "excluded_negative": negative, "excluded_above_cap": above, N.N: len(v),
            N.N_WITHIN: int(np.sum(v <= target)), N.SHARE_WITHIN: float(np.mean(v <= target)) if len(v) else np.nan,
            N.MEDIAN_S: float(np.percentile(v, 50)) if len(v) else np.nan,
            N.P90_S: float(np.percentile(v, 90)) if len(v) else np.nan}  # fmt: skip


@pytest.fixture(scope="module")
def sffd(tmp_path_factory):
    out = tmp_path_factory.mktemp("sffd") / "ds"
    ingest([SFFD_CSV], out, mapping="sffd", agency="sffd")
    return out


def test_sffd_nfpa1710_full_alarm_matches_plain_computation(sffd):
    calls = _plain_calls()
    fires = [c for c in calls.values() if c["type"].strip().casefold() == "structure fire"]
    ref = _plain_grade(fires, 4, "enroute", 480)
    got = effective_response_force(read_calls(sffd), "nfpa1710").set_index(N.TARGET_ID).loc["erf_full_alarm"]
    for column, value in ref.items():
        assert got[column] == pytest.approx(value), column
    # three structure fires in the excerpt: one (2 units dispatched, none on scene) is incomplete, the other two
    # assembled 4 units within 480 s of travel
    assert (got[N.N_POPULATION], got[N.N_INCOMPLETE], got[N.N], got[N.N_WITHIN]) == (3, 1, 2, 2)
    assert got[N.SHARE_WITHIN] == 1.0 and bool(got[N.MET])
    assert got[N.MEDIAN_S] == pytest.approx(259.0) and got[N.P90_S] == pytest.approx(315.8)


@pytest.mark.parametrize("units", [1, 2, 3, 4])
def test_sffd_every_call_matches_plain_computation(sffd, units):
    calls = list(_plain_calls().values())
    bases = {N.RECEIVED_TO_NTH_ARRIVAL_S: "received", N.DISPATCH_TO_NTH_ARRIVAL_S: "dispatch",
             N.ENROUTE_TO_NTH_ARRIVAL_S: "enroute"}  # fmt: skip
    std = standard_from_dict({"erf": [{"id": start, "units": units, "interval": basis, "target_s": 300}
                                      for basis, start in bases.items()]})  # fmt: skip
    got = effective_response_force(read_calls(sffd), std).set_index(N.TARGET_ID)
    for start in bases.values():
        ref = _plain_grade(calls, units, start, 300)
        for column, value in ref.items():
            assert got.loc[start, column] == pytest.approx(value, nan_ok=True), (start, column)


def test_sffd_first_unit_is_the_incident_dispatch_to_arrival(sffd):
    # units = 1 from the first dispatch is the incident's dispatch_to_arrival_s; an incident with no arrival is
    # incomplete here and excluded_missing there
    frame = read_calls(sffd)
    std = standard_from_dict({"erf": [{"id": "one", "units": 1, "interval": "dispatch_to_nth_arrival_s"}]})
    erf = effective_response_force(frame, std).iloc[0]
    summary = summarize(frame, "dispatch_to_arrival_s").iloc[0]
    assert erf[N.N] == summary[N.N]
    assert erf[N.N_INCOMPLETE] + erf["excluded_missing"] == summary["excluded_missing"]
    assert erf[N.MEDIAN_S] == pytest.approx(summary[N.MEDIAN_S]) and erf[N.P90_S] == pytest.approx(summary[N.P90_S])


def test_cli_level_erf(sffd, capsys):
    assert main(["metrics", str(sffd), "--level", "erf", "--standard", "nfpa1710", "--format", "json"]) == 0
    table = pd.DataFrame(json.loads(capsys.readouterr().out)).set_index(N.TARGET_ID)
    assert (table.loc["erf_full_alarm", N.N], table.loc["erf_full_alarm", N.N_INCOMPLETE]) == (2, 1)
    assert main(["metrics", str(sffd), "--level", "erf", "--standard", "nfpa1221-2016"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nfpa1221-2016 has no [[erf]] entry" in err[0]
    assert main(["metrics", str(sffd), "--level", "erf"]) == 2
    assert "--level erf needs --standard" in capsys.readouterr().err
    assert main(["metrics", str(sffd), "--standard", "nfpa1710"]) == 2
    assert "--interval NAME is required" in capsys.readouterr().err
    for extra in (["--interval", "travel_s"], ["--percentile", "75"], ["--min-n", "5"]):
        assert main(["metrics", str(sffd), "--level", "erf", "--standard", "nfpa1710", *extra]) == 2
        assert "not apply to --level erf" in capsys.readouterr().err
    # grouped, in minutes: the durations' columns are renamed as for the other levels
    assert main(["metrics", str(sffd), "--level", "erf", "--standard", "nfpa1710", "--by", "call_group",
                 "--unit", "min", "--format", "csv"]) == 0  # fmt: skip
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    alarm = table[(table["call_group"] == "Alarm") & (table[N.TARGET_ID] == "erf_full_alarm")].iloc[0]
    assert alarm["median_min"] == pytest.approx(259 / 60, abs=0.005) and alarm["target_min"] == 8.0
