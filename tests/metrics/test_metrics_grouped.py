"""The vectorised summaries against a plain per-group numpy computation, on many groups at once.

``summarize`` computes every group's percentiles, CIs and mean from one sort of
(group, value) pairs (metrics/valuecounts.py). Here the same figures are
computed the slow, obvious way, group by group with ``np.percentile`` and
``quantile_ci``, and must agree exactly (the mean to float rounding). Splitting
the frame into parts and merging their counts (what the Dask path does) must
give the same table again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from responsestats import schema as S
from responsestats.metrics import names as N
from responsestats.metrics import quantile_ci, summarize
from responsestats.metrics.summary import finish_summary, merge_parts, summary_parts, summary_spec

CAP = {N.RESPONSE_S: 7200.0, N.TURNOUT_S: 3600.0}


def _random_calls(seed: int, n: int, n_districts: int) -> pd.DataFrame:
    """One row per incident: whole-second and millisecond values, ties, exclusions of every kind."""
    rng = np.random.default_rng(seed)
    received = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 180 * 86400, n), unit="s")
    whole = rng.random(n) < 0.8  # most stamps whole seconds (many ties), some to the millisecond
    response = np.where(whole, np.round(rng.lognormal(6.0, 0.7, n)), np.round(rng.lognormal(6.0, 0.7, n), 3))
    kind = rng.random(n)
    response[kind < 0.04] = np.nan  # missing arrival
    response[(kind >= 0.04) & (kind < 0.06)] = -rng.integers(1, 300, n)[(kind >= 0.04) & (kind < 0.06)]
    response[(kind >= 0.06) & (kind < 0.08)] = 7200 + rng.integers(1, 5000, n)[(kind >= 0.06) & (kind < 0.08)]
    response[(kind >= 0.08) & (kind < 0.085)] = 7200.0  # exactly at the cap: kept
    dispatch = np.round(rng.uniform(0, 120, n))
    turnout = np.where(rng.random(n) < 0.03, np.nan, np.round(rng.lognormal(4.0, 0.5, n)))
    return pd.DataFrame(
        {
            S.AGENCY: "a",
            S.INCIDENT_ID: [f"I{i}" for i in range(n)],
            S.RECEIVED_AT: received,
            S.DISPATCHED_AT: received + pd.to_timedelta(dispatch, unit="s"),
            S.ENROUTE_AT: received + pd.to_timedelta(dispatch + turnout, unit="s"),
            S.ARRIVED_AT: received + pd.to_timedelta(response * 1000, unit="ms"),
            S.DISTRICT: pd.array([f"d{k:03d}" for k in rng.integers(0, n_districts, n)], dtype="str"),
            S.PRIORITY: pd.array(rng.choice(["1", "2", "3", None], n, p=[0.3, 0.4, 0.28, 0.02]), dtype="str"),
            S.CALL_GROUP: pd.array(rng.choice(["EMS", "Fire"], n), dtype="str"),
            S.SELF_INITIATED: rng.random(n) < 0.05,
            S.TIMEZONE: "America/Los_Angeles",
        }
    )


def _reference(df: pd.DataFrame, interval: str, start: str, end: str, by: list[str], extra=(75.0, 97.5)):
    """Per group, the obvious way: exclusions by the documented rules, then numpy on the kept values."""
    seconds = (df[end] - df[start]).dt.total_seconds().to_numpy()
    self_init = df[S.SELF_INITIATED].to_numpy(dtype=bool)
    out = {}
    for key, sub in df.groupby(by, dropna=False, sort=True):
        pos = df.index.get_indexer(sub.index)
        v, si = seconds[pos], self_init[pos]
        keep = ~si & ~np.isnan(v) & (v >= 0) & (v <= CAP[interval])
        kept = np.sort(v[keep])
        row = {N.N: int(keep.sum()), N.N_EXCLUDED: int((~keep).sum()),
               N.excluded_column(N.REASON_SELF_INITIATED): int(si.sum()),
               N.excluded_column(N.REASON_MISSING): int((~si & np.isnan(v)).sum()),
               N.excluded_column(N.REASON_NEGATIVE): int((~si & (v < 0)).sum()),
               N.excluded_column(N.REASON_ABOVE_CAP): int((~si & (v > CAP[interval])).sum())}
        if kept.size:
            qs = np.percentile(kept, [50.0, 90.0, *extra])
            row.update({N.MEAN_S: kept.mean(), N.MEDIAN_S: qs[0], N.P90_S: qs[1]})
            row.update({N.percentile_column(q): x for q, x in zip(extra, qs[2:])})
            row[N.MEDIAN_CI_LOW_S], row[N.MEDIAN_CI_HIGH_S] = quantile_ci(kept, 0.5)
            row[N.P90_CI_LOW_S], row[N.P90_CI_HIGH_S] = quantile_ci(kept, 0.9)
            row[N.WITHIN_TARGET_SHARE] = float(np.mean(kept <= 480))
        out[key if isinstance(key, tuple) else (key,)] = row
    return out


@pytest.mark.parametrize("interval,start", [(N.RESPONSE_S, S.RECEIVED_AT), (N.TURNOUT_S, S.DISPATCHED_AT)])
def test_many_groups_match_plain_numpy(interval, start):
    df = _random_calls(seed=6, n=6000, n_districts=150)
    end = S.ARRIVED_AT if interval == N.RESPONSE_S else S.ENROUTE_AT
    by = [S.DISTRICT, S.PRIORITY]
    got = summarize(df, interval, by=by, percentiles=(75, 97.5), target_s=480, min_n=10)
    ref = _reference(df, interval, start, end, by)
    assert len(got) == len(ref) > 400  # 150 districts x 3-4 priorities
    assert list(map(tuple, got[by].astype(object).to_numpy())) == [tuple(k) for k in ref]  # sorted key order
    exact = [N.N, N.N_EXCLUDED, *N.EXCLUDED_COLUMNS, N.MEDIAN_S, N.P90_S, "p75_s", "p97_5_s", N.MEDIAN_CI_LOW_S,
             N.MEDIAN_CI_HIGH_S, N.P90_CI_LOW_S, N.P90_CI_HIGH_S, N.WITHIN_TARGET_SHARE]
    for (_, row), (key, expected) in zip(got.iterrows(), ref.items()):
        for col in exact:
            want = expected.get(col, np.nan)
            assert row[col] == want or (np.isnan(row[col]) and np.isnan(want)), (key, col, row[col], want)
        want_mean = expected.get(N.MEAN_S, np.nan)
        assert row[N.MEAN_S] == pytest.approx(want_mean, rel=1e-12, nan_ok=True), key
        assert row[N.THIN] == (expected[N.N] < 10)


def test_merged_parts_give_the_same_table():
    df = _random_calls(seed=7, n=4000, n_districts=60)
    spec = summary_spec([N.RESPONSE_S, N.TURNOUT_S], by="month,district,priority", percentiles=(75,),
                        standard="nfpa1710")
    whole = finish_summary(summary_parts(df, spec), spec)
    rng = np.random.default_rng(1)
    shuffled = df.iloc[rng.permutation(len(df))]  # one row per incident: any split is valid
    pieces = [shuffled.iloc[i::5] for i in range(5)]
    merged = finish_summary(merge_parts([summary_parts(p, spec) for p in pieces], spec), spec)
    pd.testing.assert_frame_equal(merged, whole, check_exact=True)
    assert whole[N.N].sum() > 0 and whole[N.N_TARGET].sum() > 0
    assert whole.equals(summarize(df, [N.RESPONSE_S, N.TURNOUT_S], by="month,district,priority",
                                  percentiles=(75,), standard="nfpa1710"))
