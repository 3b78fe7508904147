"""summarize(): hand-worked statistics, exclusion counts, targets, thin flag, and a numpy cross-check."""

from __future__ import annotations

import numpy as np
import pytest

from responsestats import schema as S
from responsestats.errors import UserError
from responsestats.metrics import summarize
from responsestats.metrics import names as N

# Call processing (received -> dispatched) of nine incidents [s]:
#   used:      10, 20, 30, 40, 100                       -> n = 5
#   excluded:  missing dispatch, -5 (negative), 3601 (above the 1 h cap), self-initiated -> 4
# mean = 200 / 5 = 40; median = 30;
# p90 (linear): h = (5 - 1) * 0.9 = 3.6 -> 40 + 0.6 * (100 - 40) = 76
# p25: h = 1.0 -> 20; p75: h = 3.0 -> 40
# within a 30 s target (<=): 10, 20, 30 -> 3 / 5 = 0.6
# median CI with n = 5: P(B <= 0) = 1/32 >= 0.025, so no lower order statistic exists -> NaN (and the
# upper needs x_(6)) -> both NaN.
NINE = [
    dict(received_at="2024-05-01 08:00", dispatched_at=10),
    dict(received_at="2024-05-01 09:00", dispatched_at=20),
    dict(received_at="2024-05-01 10:00", dispatched_at=30),
    dict(received_at="2024-05-01 11:00", dispatched_at=40),
    dict(received_at="2024-05-01 12:00", dispatched_at=100),
    dict(received_at="2024-05-01 13:00"),
    dict(received_at="2024-05-01 14:00", dispatched_at=-5),
    dict(received_at="2024-05-01 15:00", dispatched_at=3601),
    dict(received_at="2024-05-01 16:00", dispatched_at=15, self_initiated=True),
]


def test_hand_worked_summary(make_calls):
    out = summarize(make_calls(NINE), N.CALL_PROCESSING_S, percentiles=(25, 75), target_s=30)
    assert len(out) == 1
    row = out.iloc[0]
    assert row[N.INTERVAL] == N.CALL_PROCESSING_S
    assert row[N.N] == 5
    assert row[N.N_EXCLUDED] == 4
    for reason in N.EXCLUSION_REASONS:
        assert row[N.excluded_column(reason)] == 1
    assert row[N.MEAN_S] == pytest.approx(40.0)
    assert row[N.MEDIAN_S] == pytest.approx(30.0)
    assert row[N.P90_S] == pytest.approx(76.0)
    assert row["p25_s"] == pytest.approx(20.0)
    assert row["p75_s"] == pytest.approx(40.0)
    assert row[N.WITHIN_TARGET_SHARE] == pytest.approx(0.6)
    assert row[N.TARGET_S] == 30
    assert np.isnan(row[N.MEDIAN_CI_LOW_S]) and np.isnan(row[N.MEDIAN_CI_HIGH_S])
    assert bool(row[N.THIN]) is True
    assert not summarize(make_calls(NINE), N.CALL_PROCESSING_S, min_n=5)[N.THIN].item()


def test_output_columns_in_order(make_calls):
    out = summarize(make_calls(NINE), [N.CALL_PROCESSING_S, N.RESPONSE_S], by=S.DISTRICT, percentiles=(75,),
                    target_s=60)
    assert list(out.columns) == [
        S.DISTRICT, N.INTERVAL, N.N, N.N_EXCLUDED, *N.EXCLUDED_COLUMNS, N.MEAN_S, N.MEDIAN_S, N.P90_S, "p75_s",
        N.TARGET_S, N.N_TARGET, N.WITHIN_TARGET_SHARE, N.N_NOT_APPLICABLE, N.MEDIAN_CI_LOW_S, N.MEDIAN_CI_HIGH_S,
        N.P90_CI_LOW_S, N.P90_CI_HIGH_S, N.THIN,
    ]
    # district is missing on every row: one group, kept (NA key), not dropped
    assert len(out) == 2 and out[S.DISTRICT].isna().all()
    # no target -> no target columns
    assert N.WITHIN_TARGET_SHARE not in summarize(make_calls(NINE), N.CALL_PROCESSING_S).columns


def test_standard_targets_follow_the_call_group_rule(make_calls):
    # Turnout [s]: EMS 55 (<= 60) and 65 (> 60); fire 75 (<= 80) and 85 (> 80)
    rows = [
        dict(received_at="2024-05-01 08:00", dispatched_at=0, enroute_at=55, call_group="EMS"),
        dict(received_at="2024-05-01 09:00", dispatched_at=0, enroute_at=65, call_group="ems"),
        dict(received_at="2024-05-01 10:00", dispatched_at=0, enroute_at=75, call_group="fire"),
        dict(received_at="2024-05-01 11:00", dispatched_at=0, enroute_at=85, call_group="fire"),
    ]
    df = make_calls(rows)
    overall = summarize(df, N.TURNOUT_S, standard="nfpa1710").iloc[0]
    assert overall[N.WITHIN_TARGET_SHARE] == pytest.approx(0.5)
    assert overall[N.N_TARGET] == 4
    assert np.isnan(overall[N.TARGET_S])  # mixed targets in the group
    split = summarize(df, N.TURNOUT_S, by=S.CALL_GROUP, standard="nfpa1710", level="unit").set_index(S.CALL_GROUP)
    assert split.loc["fire", N.TARGET_S] == 80
    assert split.loc["fire", N.WITHIN_TARGET_SHARE] == pytest.approx(0.5)
    assert split.loc["EMS", N.TARGET_S] == 60 and split.loc["ems", N.TARGET_S] == 60
    assert split.loc["EMS", N.WITHIN_TARGET_SHARE] == 1.0 and split.loc["ems", N.WITHIN_TARGET_SHARE] == 0.0


def test_target_and_standard_are_exclusive(make_calls):
    with pytest.raises(UserError):
        summarize(make_calls(NINE), N.CALL_PROCESSING_S, target_s=60, standard="nfpa1710")
    with pytest.raises(UserError, match="unknown standard"):
        summarize(make_calls(NINE), N.CALL_PROCESSING_S, standard="nfpa9999")
    with pytest.raises(UserError, match="unknown level"):
        summarize(make_calls(NINE), N.CALL_PROCESSING_S, level="beat")


def test_empty_frame_gives_a_zero_row(make_calls):
    empty = make_calls(NINE).iloc[0:0]
    out = summarize(empty, N.RESPONSE_S)
    assert out[N.N].item() == 0 and out[N.N_EXCLUDED].item() == 0 and np.isnan(out[N.MEDIAN_S].item())
    assert summarize(empty, N.RESPONSE_S, by="month").empty


def _random_rows(rng: np.random.Generator, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        arrival = float(rng.lognormal(6.0, 0.8))
        kind = rng.random()
        if kind < 0.05:
            arrival = None  # missing
        elif kind < 0.08:
            arrival = -float(rng.integers(1, 300))  # negative
        elif kind < 0.11:
            arrival = 7200.0 + float(rng.integers(1, 5000))  # above the 2 h cap
        rows.append(
            dict(
                incident_id=f"R{i}",
                received_at=f"2024-0{1 + i % 6}-{1 + i % 27:02d} {i % 24:02d}:{i % 60:02d}",
                arrived_at=None if arrival is None else round(arrival, 3),
                district=["north", "south", "east"][int(rng.integers(0, 3))],
                self_initiated=bool(rng.random() < 0.07),
            )
        )
    return rows


def test_summarize_matches_plain_numpy_on_a_random_frame(make_calls):
    rng = np.random.default_rng(20240501)
    df = make_calls(_random_rows(rng, 600))
    out = summarize(df, N.RESPONSE_S, by=S.DISTRICT, percentiles=(75, 95), target_s=480).set_index(S.DISTRICT)

    seconds = (df[S.ARRIVED_AT] - df[S.RECEIVED_AT]).dt.total_seconds().to_numpy()
    self_init = df[S.SELF_INITIATED].astype(bool).to_numpy()
    for district, sub in df.groupby(S.DISTRICT):
        pos = df.index.get_indexer(sub.index)
        v, si = seconds[pos], self_init[pos]
        keep = ~si & ~np.isnan(v) & (v >= 0) & (v <= 7200)
        kept = v[keep]
        row = out.loc[district]
        assert row[N.N] == keep.sum()
        assert row[N.N_EXCLUDED] == (~keep).sum() == row[list(N.EXCLUDED_COLUMNS)].sum()
        assert row[N.excluded_column(N.REASON_SELF_INITIATED)] == si.sum()
        assert row[N.excluded_column(N.REASON_MISSING)] == (np.isnan(v) & ~si).sum()
        assert row[N.MEAN_S] == pytest.approx(kept.mean())
        assert row[N.MEDIAN_S] == pytest.approx(np.median(kept))
        assert row[N.P90_S] == pytest.approx(np.quantile(kept, 0.9))
        assert row["p75_s"] == pytest.approx(np.quantile(kept, 0.75))
        assert row["p95_s"] == pytest.approx(np.quantile(kept, 0.95))
        assert row[N.WITHIN_TARGET_SHARE] == pytest.approx((kept <= 480).mean())
        assert row[N.MEDIAN_CI_LOW_S] <= row[N.MEDIAN_S] <= row[N.MEDIAN_CI_HIGH_S]
        assert row[N.P90_CI_LOW_S] <= row[N.P90_S] <= row[N.P90_CI_HIGH_S]
        assert not row[N.THIN]
