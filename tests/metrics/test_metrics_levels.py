"""Incident level (first dispatch, first en route, first arrival) and nth-unit arrival."""

from __future__ import annotations

import numpy as np
import pandas as pd

from responsestats import schema as S
from responsestats.metrics import compute_intervals, incident_level, nth_unit_arrival, summarize
from responsestats.metrics import names as N

T0 = "2024-02-01 08:00"

# One incident, three units (seconds after received_at):
#   unit  disp  enroute  arrived  cleared  arrested
#   E1     60    100      400     3000      -
#   E2     65     80      500     3600     1200
#   E3     70     90      900     1800      -      <- late unit
# Incident: dispatched 60 (E1), en route 80 (E2, first en route), arrived 400 (E1, first arriving),
# cleared 3600 (last), arrested 1200.
#   turnout = 80 - 60 = 20; travel = E1's own 400 - 100 = 300; dispatch_to_arrival = 400 - 60 = 340
#   (turnout + travel = 320 != 340: the first en-route unit, E2, is not the first to arrive)
#   response = 400; on_scene = 3600 - 400 = 3200. E3's arrival at 900 must not extend anything.
UNITS = [
    dict(incident_id="X", unit_id="E1", received_at=T0, dispatched_at=60, enroute_at=100, arrived_at=400,
         cleared_at=3000, call_group="fire", outcome="unknown"),
    dict(incident_id="X", unit_id="E2", received_at=T0, dispatched_at=65, enroute_at=80, arrived_at=500,
         cleared_at=3600, arrested_at=1200, outcome="arrest", caught_in_act=True),
    dict(incident_id="X", unit_id="E3", received_at=T0, dispatched_at=70, enroute_at=90, arrived_at=900,
         cleared_at=1800, outcome="report", self_initiated=False),
]


def test_incident_level_takes_first_stamps_and_first_arriving_unit(make_calls):
    inc = incident_level(make_calls(UNITS))
    assert len(inc) == 1
    row = inc.iloc[0]
    t0 = pd.Timestamp(T0, tz="America/Los_Angeles").tz_convert("UTC")
    sec = lambda s: t0 + pd.Timedelta(seconds=s)  # noqa: E731
    assert row[S.DISPATCHED_AT] == sec(60)
    assert row[S.ENROUTE_AT] == sec(80)
    assert row[S.ARRIVED_AT] == sec(400)
    assert row[S.CLEARED_AT] == sec(3600)
    assert row[S.ARRESTED_AT] == sec(1200)
    assert row[S.UNIT_ID] == "E1"
    assert row[N.N_UNITS] == 3
    assert row[S.OUTCOME] == "arrest"  # first outcome that is not unknown
    assert bool(row[S.CAUGHT_IN_ACT]) is True
    assert bool(row[S.SELF_INITIATED]) is False
    assert row[S.CALL_GROUP] == "fire"


def test_incident_intervals_and_late_unit_does_not_extend_response(make_calls):
    inc = incident_level(make_calls(UNITS))
    got = compute_intervals(inc).iloc[0]
    assert got[N.TURNOUT_S] == 20
    assert got[N.TRAVEL_S] == 300
    assert got[N.DISPATCH_TO_ARRIVAL_S] == 340
    assert got[N.TURNOUT_S] + got[N.TRAVEL_S] != got[N.DISPATCH_TO_ARRIVAL_S]
    assert got[N.RESPONSE_S] == 400
    assert got[N.ON_SCENE_S] == 3200
    assert got[N.DISPATCH_TO_ARREST_S] == 1140

    # A later unit arriving even later changes nothing at incident level ...
    later = UNITS + [dict(incident_id="X", unit_id="E4", received_at=T0, dispatched_at=61, enroute_at=95,
                          arrived_at=5000)]
    inc2 = summarize(make_calls(later), [N.RESPONSE_S, N.DISPATCH_TO_ARRIVAL_S], level="incident")
    assert inc2[N.MEDIAN_S].tolist() == [400.0, 340.0]
    # ... while the unit level sees each unit: responses 400, 500, 900, 5000
    units = summarize(make_calls(later), N.RESPONSE_S, level="unit")
    assert units[N.N].item() == 4
    assert units[N.MEAN_S].item() == (400 + 500 + 900 + 5000) / 4


def test_incident_outcome_is_unknown_only_when_all_are(make_calls):
    rows = [
        dict(incident_id="Y", unit_id="A", received_at=T0, outcome="unknown"),
        dict(incident_id="Y", unit_id="B", received_at=T0, outcome="unknown"),
        dict(incident_id="Z", unit_id="A", received_at=T0, outcome="unknown"),
        dict(incident_id="Z", unit_id="B", received_at=T0, outcome="citation"),
    ]
    inc = incident_level(make_calls(rows)).set_index(S.INCIDENT_ID)
    assert inc.loc["Y", S.OUTCOME] == "unknown"
    assert inc.loc["Z", S.OUTCOME] == "citation"


def test_same_incident_id_in_two_agencies_stays_two_incidents(make_calls):
    rows = [dict(agency="a", incident_id="1", received_at=T0), dict(agency="b", incident_id="1", received_at=T0)]
    assert len(incident_level(make_calls(rows))) == 2


def test_nth_unit_arrival(make_calls):
    rows = UNITS + [
        # E1 marks arrival twice: counted once, at its first arrival
        dict(incident_id="X", unit_id="E1", received_at=T0, dispatched_at=60, arrived_at=450),
        # a second incident with only one unit on scene
        dict(incident_id="W", unit_id="M1", received_at="2024-02-01 09:00", dispatched_at=30, arrived_at=300),
    ]
    second = nth_unit_arrival(make_calls(rows), 2).set_index(S.INCIDENT_ID)
    # X: distinct units arrive at 400 (E1), 500 (E2), 900 (E3) -> 2nd at 500: 500 s from received, 440 from dispatch
    assert second.loc["X", N.UNITS_ARRIVED] == 3
    assert second.loc["X", N.RECEIVED_TO_NTH_ARRIVAL_S] == 500
    assert second.loc["X", N.DISPATCH_TO_NTH_ARRIVAL_S] == 440
    # W: only one unit: no second arrival
    assert second.loc["W", N.UNITS_ARRIVED] == 1
    assert np.isnan(second.loc["W", N.RECEIVED_TO_NTH_ARRIVAL_S])
    third = nth_unit_arrival(make_calls(rows), 3).set_index(S.INCIDENT_ID)
    assert third.loc["X", N.RECEIVED_TO_NTH_ARRIVAL_S] == 900


def test_incident_level_is_idempotent(make_calls):
    rows = UNITS + [dict(incident_id="V", unit_id="M9", received_at="2024-02-01 07:00", dispatched_at=20,
                         enroute_at=50, outcome="report")]
    once = incident_level(make_calls(rows))
    twice = incident_level(once)
    pd.testing.assert_frame_equal(once, twice, check_dtype=False)
    # a one-row incident without an arrival has no first-arriving unit
    v = once.set_index(S.INCIDENT_ID).loc["V"]
    assert pd.isna(v[S.UNIT_ID]) and pd.isna(v[N.FIRST_ARRIVING_ENROUTE_AT])


# --- the first-arriving unit does not depend on row order (issue 13, part 5) --------------------------------------

#: Units of one incident on scene in the same second; the rule picks by en route, then dispatch, then unit id.
#:   incident  unit  disp  enroute  arrived   first-arriving: why
#:   T1        B2     60    100      400      A1 (same arrival, A1 en route earlier: travel 400 - 90 = 310)
#:   T1        A1     62     90      400
#:   T2        C1     30     70      300      C2 (same arrival and en route, C2 dispatched earlier: travel 230)
#:   T2        C2     20     70      300
#:   T3        M7     10     50      200      M3 (everything equal: the smaller unit id)
#:   T3        M3     10     50      200
#:   T4        Q1     10   None      200      Q2 (a missing en-route stamp comes last)
#:   T4        Q2     12     80      200
TIES = [
    dict(incident_id="T1", unit_id="B2", received_at=T0, dispatched_at=60, enroute_at=100, arrived_at=400),
    dict(incident_id="T1", unit_id="A1", received_at=T0, dispatched_at=62, enroute_at=90, arrived_at=400),
    dict(incident_id="T2", unit_id="C1", received_at="2024-02-01 09:00", dispatched_at=30, enroute_at=70,
         arrived_at=300, district="d1"),
    dict(incident_id="T2", unit_id="C2", received_at="2024-02-01 09:00", dispatched_at=20, enroute_at=70,
         arrived_at=300, district="d2"),
    dict(incident_id="T3", unit_id="M7", received_at="2024-02-02 10:00", dispatched_at=10, enroute_at=50,
         arrived_at=200),
    dict(incident_id="T3", unit_id="M3", received_at="2024-02-02 10:00", dispatched_at=10, enroute_at=50,
         arrived_at=200),
    dict(incident_id="T4", unit_id="Q1", received_at="2024-02-03 10:00", dispatched_at=10, arrived_at=200),
    dict(incident_id="T4", unit_id="Q2", received_at="2024-02-03 10:00", dispatched_at=12, enroute_at=80,
         arrived_at=200),
]


def test_ties_in_arrival_are_broken_by_en_route_dispatch_and_unit_id(make_calls):
    for rows in (TIES, TIES[::-1]):
        inc = incident_level(make_calls(rows)).set_index(S.INCIDENT_ID)
        assert inc[S.UNIT_ID].to_dict() == {"T1": "A1", "T2": "C2", "T3": "M3", "T4": "Q2"}
        travel = compute_intervals(inc)[N.TRAVEL_S].to_dict()
        assert travel == {"T1": 310.0, "T2": 230.0, "T3": 150.0, "T4": 120.0}
        assert inc.loc["T2", S.DISTRICT] == "d2"  # the incident's "first" row is the first-arriving one too


def _figures(frame: pd.DataFrame) -> pd.DataFrame:
    intervals = [N.CALL_PROCESSING_S, N.TURNOUT_S, N.TRAVEL_S, N.DISPATCH_TO_ARRIVAL_S, N.RESPONSE_S, N.ON_SCENE_S]
    return summarize(frame, intervals, by=[N.KEY_MONTH], level="incident", percentiles=(75,))


def test_shuffled_rows_give_the_same_incident_figures(make_calls):
    """Reversing or shuffling a unit-level table's rows changes no incident figure (before: the travel time of an
    incident whose units arrived in the same second was that of whichever came first in the table)."""
    rng = np.random.default_rng(13)
    rows = []
    for k in range(120):  # 120 incidents over three months, 2 to 4 units each, arrivals often tied
        received = pd.Timestamp("2024-01-01 08:00") + pd.Timedelta(hours=17 * k)
        for u in range(int(rng.integers(2, 5))):
            arrived = 240 + 60 * int(rng.integers(0, 3))
            rows.append(dict(incident_id=f"I{k}", unit_id=f"U{u}", received_at=str(received),
                             dispatched_at=int(rng.integers(20, 60)), enroute_at=int(rng.integers(60, 200)),
                             arrived_at=arrived, cleared_at=arrived + int(rng.integers(600, 3600)),
                             district=f"d{k % 3}"))
    frame = make_calls(rows)
    want_incidents = incident_level(frame)
    want = _figures(frame)
    assert len(want) == 6 * 3
    for order in [np.arange(len(frame))[::-1]] + [rng.permutation(len(frame)) for _ in range(10)]:
        shuffled = frame.iloc[order].reset_index(drop=True)
        pd.testing.assert_frame_equal(_figures(shuffled), want)
        pd.testing.assert_frame_equal(incident_level(shuffled), want_incidents)


def test_a_real_unit_level_export_reversed_gives_the_same_figures(tmp_path):
    from responsestats import ingest, read_calls

    from paths import REAL_SAMPLE

    ingest([REAL_SAMPLE / "sffd" / "Fire_Department_Calls_for_Service.csv"], tmp_path / "ds", mapping="sffd")
    frame = read_calls(tmp_path / "ds")
    want = _figures(frame)
    pd.testing.assert_frame_equal(_figures(frame.iloc[::-1].reset_index(drop=True)), want)
    pd.testing.assert_frame_equal(_figures(frame.sample(frac=1, random_state=3).reset_index(drop=True)), want)
