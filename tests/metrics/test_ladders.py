"""Response ladders (issue 14, part 4): the share within each of several thresholds, per group, slowest ranked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from responsestats import schema as S
from responsestats.errors import UserError
from responsestats.metrics import names as N
from responsestats.metrics import standard_from_dict
from responsestats.metrics.ladders import ladder

T = "2024-05-01 10:00"

# Dispatch at 0 s, arrival at these seconds; key sites on some calls; station A or B:
#   id  arrival  key_site  station
#   1   45       bank      A        -> band 1 (0, 60]
#   2   60       bank      A        -> band 1 (60 is within 60: "<=")
#   3   150      -         A        -> band 2 (60, 180]
#   4   200      school    B        -> band 3 (180, 300]
#   5   400      school    B        -> over 300
#   6   -        bank      B        -> missing arrival: excluded
#   7   250      -         B        -> band 3
# Ladder 60/180/300 s on every call: n 6 (1 excluded); bands 2, 1, 2, 1; within 2/6, 3/6, 5/6.
# Key-site ladder (key_site present): ids 1, 2, 4, 5 graded (6 excluded): bands 2, 0, 1, 1; within 2/4, 2/4, 3/4.
# By station, every-call ladder, step 1: A 2/3, B 0/3 -> B is the slowest (rank 1).
ROWS = [(45, "bank", "A"), (60, "bank", "A"), (150, None, "A"), (200, "school", "B"), (400, "school", "B"),
        (None, "bank", "B"), (250, None, "B")]  # fmt: skip

PROFILE = {
    "standard": {"name": "ladders"},
    "ladders": [
        {"id": "all", "interval": "dispatch_to_arrival_s", "steps_s": [60, 180, 300]},
        {"id": "sites", "interval": "dispatch_to_arrival_s", "steps_s": [60, 180, 300],
         "step_labels": ["self-rescue", "mutual aid", "arrival"], "when": {"key_site": {"present": True}}},
    ],
}  # fmt: skip


@pytest.fixture
def calls(make_calls):
    frame = make_calls([dict(received_at=T, dispatched_at=0, arrived_at=a) for a, _, _ in ROWS])
    frame["key_site"] = [k for _, k, _ in ROWS]  # dimensions, as read_calls gives them
    frame["station"] = [s for _, _, s in ROWS]
    return frame


def test_hand_worked_ladders(calls):
    out = ladder(calls, standard_from_dict(PROFILE, "ladders.toml"))
    every = out[out[N.LADDER_ID] == "all"].set_index(N.STEP)
    assert every[N.N].tolist() == [6, 6, 6, 6] and every[N.N_EXCLUDED].tolist() == [1, 1, 1, 1]
    assert every[N.N_IN_STEP].tolist() == [2, 1, 2, 1]
    assert every[N.SHARE_WITHIN].tolist()[:3] == pytest.approx([2 / 6, 3 / 6, 5 / 6])
    assert np.isnan(every.at[4, N.SHARE_WITHIN]) and np.isnan(every.at[4, N.UPPER_S])  # the open band
    assert every[N.LOWER_S].tolist() == [0, 60, 180, 300]
    sites = out[out[N.LADDER_ID] == "sites"].set_index(N.STEP)
    assert sites[N.N].tolist() == [4] * 4 and sites[N.N_IN_STEP].tolist() == [2, 0, 1, 1]
    assert sites[N.SHARE_WITHIN].tolist()[:3] == pytest.approx([0.5, 0.5, 0.75])
    assert sites[N.STEP_LABEL].tolist() == ["self-rescue", "mutual aid", "arrival", ""]
    low, high = sites.at[3, N.SHARE_WITHIN_CI_LOW], sites.at[3, N.SHARE_WITHIN_CI_HIGH]
    assert low < 0.75 < high  # Wilson


def test_groups_are_ranked_slowest_first(calls):
    out = ladder(calls, standard_from_dict(PROFILE, "ladders.toml"), by="station")
    first = out[(out[N.LADDER_ID] == "all") & (out[N.STEP] == 1)].set_index("station")
    assert first.at["A", N.SHARE_WITHIN] == pytest.approx(2 / 3) and first.at["B", N.SHARE_WITHIN] == 0.0
    assert first.at["B", N.RANK_SLOWEST] == 1 and first.at["A", N.RANK_SLOWEST] == 2
    assert ladder(calls, standard_from_dict(PROFILE, "x.toml"))[N.RANK_SLOWEST].isna().all()  # no groups, no rank


def test_a_ladder_on_a_missing_dimension_is_named(calls):
    with pytest.raises(UserError, match="'key_site'"):
        ladder(calls.drop(columns=["key_site"]), standard_from_dict(PROFILE, "ladders.toml"))
    with pytest.raises(UserError, match="has no \\[\\[ladders\\]\\]"):
        ladder(calls, "nfpa1710")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"id": "x", "interval": "travel_s", "steps_s": [60, 30]}, "must increase"),
        ({"id": "x", "interval": "travel_s", "steps_s": []}, "1 to 20"),
        ({"id": "x", "interval": "travel_s", "steps_s": [60], "step_labels": ["a", "b"]}, "one label per"),
        ({"id": "x", "interval": "warp_s", "steps_s": [60]}, "interval"),
        ({"id": "x", "interval": "travel_s", "steps_s": [60], "when": {"key_site": {"present": False}}}, "present"),
        ({"id": "x", "interval": "travel_s", "steps_s": [60], "color": 1}, "color"),
    ],
)
def test_bad_ladders_are_named(entry, message):
    with pytest.raises(UserError, match=message):
        standard_from_dict({"standard": {"name": "x"}, "ladders": [entry]}, "x.toml")


def test_cn110_ladders_on_the_sample(sample_dataset):
    from responsestats import read_calls

    out = ladder(read_calls(sample_dataset), "cn110", by="station")
    assert set(out[N.LADDER_ID]) == {"order_acknowledged", "unit_under_way", "result_reported", "key_site_arrival",
                                     "all_calls_arrival"}  # fmt: skip
    ack = out[(out[N.LADDER_ID] == "order_acknowledged")]
    assert sorted(ack[N.UPPER_S].dropna().unique()) == [30, 60, 120, 180]
    site = out[(out[N.LADDER_ID] == "key_site_arrival") & (out[N.STEP] == 3)]
    every = out[(out[N.LADDER_ID] == "all_calls_arrival") & (out[N.STEP] == 3)]
    assert site[N.N].sum() < every[N.N].sum()  # key sites are a share of the calls
    # the bands of each group add up to its graded values
    bands = out.groupby(["station", N.LADDER_ID])[N.N_IN_STEP].sum()
    graded = out.groupby(["station", N.LADDER_ID])[N.N].first()
    pd.testing.assert_series_equal(bands, graded, check_names=False)
    assert S.DISTRICT not in out.columns
