"""Intervals and per-interval exclusions on hand-made incidents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from responsestats import schema as S
from responsestats.errors import UserError
from responsestats.metrics import (
    DEFAULT_CAPS_S,
    INTERVALS,
    RESPONSE_INTERVALS,
    compute_intervals,
    exclusion_reasons,
    resolve_caps,
    resolve_intervals,
)
from responsestats.metrics import names as N

# Five one-unit incidents, stamps in seconds after received_at:
#   id  disp  enroute  arrived  cleared   -> call_proc turnout travel d2a  response on_scene
#   1    30     90       330     1330     ->    30       60     240   300    330     1000
#   2    45    125       545     2345     ->    45       80     420   500    545     1800
#   3    60     60       300       -      ->    60        0     240   240    300     missing
#   4    20      -       200       -      ->    20     missing missing 180   200     missing
#   5    90     50       400       -      ->    90      -40     350   310    400     missing
FIVE = [
    dict(received_at="2024-01-15 10:00", dispatched_at=30, enroute_at=90, arrived_at=330, cleared_at=1330),
    dict(received_at="2024-01-15 11:00", dispatched_at=45, enroute_at=125, arrived_at=545, cleared_at=2345),
    dict(received_at="2024-01-15 12:00", dispatched_at=60, enroute_at=60, arrived_at=300),
    dict(received_at="2024-01-15 13:00", dispatched_at=20, arrived_at=200),
    dict(received_at="2024-01-15 14:00", dispatched_at=90, enroute_at=50, arrived_at=400),
]


def test_intervals_are_declared_as_data_with_the_issue_endpoints():
    expected = {
        N.ANSWERING_S: (S.RING_AT, S.RECEIVED_AT),
        N.CALL_PROCESSING_S: (S.RECEIVED_AT, S.DISPATCHED_AT),
        N.TURNOUT_S: (S.DISPATCHED_AT, S.ENROUTE_AT),
        N.TRAVEL_S: (S.ENROUTE_AT, S.ARRIVED_AT),
        N.DISPATCH_TO_ARRIVAL_S: (S.DISPATCHED_AT, S.ARRIVED_AT),
        N.RESPONSE_S: (S.RECEIVED_AT, S.ARRIVED_AT),
        N.ON_SCENE_S: (S.ARRIVED_AT, S.CLEARED_AT),
        N.DISPATCH_TO_ARREST_S: (S.DISPATCHED_AT, S.ARRESTED_AT),
        N.ACKNOWLEDGEMENT_S: (S.DISPATCHED_AT, S.ACKNOWLEDGED_AT),
        N.DISPATCH_TO_REPORT_S: (S.DISPATCHED_AT, S.REPORTED_AT),
    }
    assert {n: (i.start, i.end) for n, i in INTERVALS.items()} == expected
    assert set(RESPONSE_INTERVALS) == {
        N.ANSWERING_S, N.CALL_PROCESSING_S, N.TURNOUT_S, N.TRAVEL_S, N.DISPATCH_TO_ARRIVAL_S, N.RESPONSE_S,
        N.ACKNOWLEDGEMENT_S,
    }


def test_compute_intervals_hand_values(make_calls):
    got = compute_intervals(make_calls(FIVE))
    nan = np.nan
    expected = pd.DataFrame(
        {
            N.ANSWERING_S: [nan] * 5,
            N.CALL_PROCESSING_S: [30, 45, 60, 20, 90],
            N.TURNOUT_S: [60, 80, 0, nan, -40],
            N.TRAVEL_S: [240, 420, 240, nan, 350],
            N.DISPATCH_TO_ARRIVAL_S: [300, 500, 240, 180, 310],
            N.RESPONSE_S: [330, 545, 300, 200, 400],
            N.ON_SCENE_S: [1000, 1800, nan, nan, nan],
            N.DISPATCH_TO_ARREST_S: [nan] * 5,
            N.ACKNOWLEDGEMENT_S: [nan] * 5,
            N.DISPATCH_TO_REPORT_S: [nan] * 5,
        },
        dtype="float64",
    )
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)


def test_exclusions_are_per_interval_and_zero_is_valid(make_calls):
    reasons = exclusion_reasons(make_calls(FIVE), [N.TURNOUT_S, N.TRAVEL_S, N.DISPATCH_TO_ARRIVAL_S])
    # incident 3 has a zero turnout: kept; incident 4 lacks en route; incident 5 went en route before dispatch
    assert reasons[N.TURNOUT_S].isna().tolist() == [True, True, True, False, False]
    assert reasons[N.TURNOUT_S].tolist()[3:] == [N.REASON_MISSING, N.REASON_NEGATIVE]
    # the same row 4 still has a valid dispatch-to-arrival (exclusion is per interval, not per row)
    assert reasons[N.DISPATCH_TO_ARRIVAL_S].isna().all()
    assert reasons[N.TRAVEL_S].tolist()[3] == N.REASON_MISSING


def test_cap_is_strictly_above_and_self_initiated_only_hits_response_intervals(make_calls):
    df = make_calls(
        [
            # travel exactly at the 2 h cap: kept; one second more: excluded
            dict(received_at="2024-01-15 10:00", dispatched_at=10, enroute_at=20, arrived_at=20 + 7200),
            dict(received_at="2024-01-15 11:00", dispatched_at=10, enroute_at=20, arrived_at=20 + 7201),
            # self-initiated: excluded from response intervals, kept for on-scene time
            dict(received_at="2024-01-15 12:00", dispatched_at=0, enroute_at=0, arrived_at=0, cleared_at=600,
                 self_initiated=True),
        ]
    )
    reasons = exclusion_reasons(df, [N.TRAVEL_S, N.RESPONSE_S, N.ON_SCENE_S])
    assert pd.isna(reasons[N.TRAVEL_S].iloc[0])
    assert reasons[N.TRAVEL_S].iloc[1] == N.REASON_ABOVE_CAP
    assert reasons[N.TRAVEL_S].iloc[2] == N.REASON_SELF_INITIATED
    assert reasons[N.RESPONSE_S].iloc[2] == N.REASON_SELF_INITIATED
    assert pd.isna(reasons[N.ON_SCENE_S].iloc[2])
    # no cap: the long one is kept
    assert exclusion_reasons(df, N.TRAVEL_S, cap=None)[N.TRAVEL_S].isna().tolist() == [True, True, False]


def test_default_caps_and_cap_options():
    assert DEFAULT_CAPS_S == {
        N.ANSWERING_S: 3600.0,
        N.CALL_PROCESSING_S: 3600.0,
        N.TURNOUT_S: 3600.0,
        N.TRAVEL_S: 7200.0,
        N.DISPATCH_TO_ARRIVAL_S: 7200.0,
        N.RESPONSE_S: 7200.0,
        N.ON_SCENE_S: 86400.0,
        N.DISPATCH_TO_ARREST_S: None,
        N.ACKNOWLEDGEMENT_S: 3600.0,
        N.DISPATCH_TO_REPORT_S: 86400.0,
    }
    names = [N.TURNOUT_S, N.ON_SCENE_S]
    assert resolve_caps(names, None) == {N.TURNOUT_S: None, N.ON_SCENE_S: None}
    assert resolve_caps(names, 900) == {N.TURNOUT_S: 900.0, N.ON_SCENE_S: 900.0}
    assert resolve_caps(names, {"turnout": 120}) == {N.TURNOUT_S: 120.0, N.ON_SCENE_S: 86400.0}
    with pytest.raises(UserError):
        resolve_caps(names, -1)
    with pytest.raises(UserError):
        resolve_caps(names, "huge")


def test_interval_names_are_validated():
    assert resolve_intervals(["turnout", "travel_s", "turnout_s"]) == (N.TURNOUT_S, N.TRAVEL_S)
    with pytest.raises(UserError, match="unknown interval 'warp'"):
        resolve_intervals("warp")


def test_missing_required_column_is_a_user_error(make_calls):
    df = make_calls(FIVE).drop(columns=[S.ENROUTE_AT])
    with pytest.raises(UserError, match=S.ENROUTE_AT):
        compute_intervals(df, N.TURNOUT_S)
