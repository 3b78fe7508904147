"""The Dask path gives the single-machine summaries number for number, on a LocalCluster.

Two small ingested datasets: the bundled cn110 sample (one row per incident, 15
monthly files, so 15 partitions) and the real SFFD excerpt (one row per unit)
written as two input files that take the units of each call in turn, so that
the units of most incidents sit in different Parquet files, i.e. different
partitions: the incident level must bring them together.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from responsestats import ingest, read_calls
from responsestats.metrics import INTERVALS, summarize

dd = pytest.importorskip("dask.dataframe")
distributed_ = pytest.importorskip("distributed")

from responsestats.store import read_calls_dask  # noqa: E402
from responsestats.metrics.distributed import summarize as summarize_dask  # noqa: E402
from paths import REAL_SAMPLE, REPO

SFFD = REAL_SAMPLE / "sffd" / "Fire_Department_Calls_for_Service.csv"


@pytest.fixture(scope="module")
def client():
    cluster = distributed_.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with cluster, distributed_.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def cn110(tmp_path_factory):
    out = tmp_path_factory.mktemp("cn110") / "ds"
    ingest(sorted((REPO / "data" / "sample" / "cn110").glob("*.csv")), out, mapping="cn110", agency="zz110")
    return out


@pytest.fixture(scope="module")
def sffd_split(tmp_path_factory):
    """The SFFD excerpt as two files; the rows of each call alternate between them."""
    folder = tmp_path_factory.mktemp("sffd")
    rows = list(csv.reader(io.StringIO(SFFD.read_text(encoding="utf-8-sig"))))
    header, body = rows[0], rows[1:]
    seen: dict[str, int] = {}
    halves: list[list[list[str]]] = [[], []]
    for row in body:
        k = seen.get(row[0], 0)
        seen[row[0]] = k + 1
        halves[k % 2].append(row)
    paths = []
    for i, half in enumerate(halves):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([header, *half])
        path = folder / f"sffd_part{i}.csv"
        path.write_text(buf.getvalue(), encoding="utf-8")
        paths.append(path)
    out = folder / "ds"
    ingest(paths, out, mapping="sffd", agency="sffd")
    return out


def _same(dataset: Path, **kwargs) -> pd.DataFrame:
    expected = summarize(read_calls(dataset), **kwargs)
    got = summarize_dask(read_calls_dask(dataset), **kwargs)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    return got


def test_cn110_month_district_priority_is_identical(client, cn110):
    ddf = read_calls_dask(cn110)
    assert ddf.npartitions == 15
    got = _same(cn110, by="month,district,priority", percentiles=(75, 97.5))
    assert len(got) == len(INTERVALS) * len(got[["month", "district", "priority"]].drop_duplicates()) > 7 * 1000


def test_cn110_with_a_standard_and_unit_level(client, cn110):
    _same(cn110, intervals=["dispatch_to_arrival_s", "response_s"], by=["weekday", "hour"], standard="cn110")
    _same(cn110, intervals="turnout_s", by="area_class", level="unit", cap=None, min_n=5, confidence=0.8)


def test_sffd_incidents_split_across_partitions(client, sffd_split):
    ddf = read_calls_dask(sffd_split, columns=["incident_id"])
    ids = [set(part.compute()["incident_id"]) for part in ddf.to_delayed()]
    assert len(ids) >= 2 and ids[0] & ids[1]  # incidents whose units sit in different partitions
    got = _same(sffd_split, by="priority", standard="nfpa1710", percentiles=(75,))
    whole = _same(sffd_split, by=None)
    incidents = read_calls(sffd_split)["incident_id"].nunique()
    assert (whole["n"] + whole["n_excluded"] == incidents).all()  # every incident counted once
    assert not got.empty
    _same(sffd_split, by="month,district", level="unit")


def test_read_calls_dask_filters_like_read_calls(client, cn110):
    cols = ["incident_id", "received_at", "district"]
    got = read_calls_dask(cn110, start="2024-03-05", end="2024-04-10", columns=cols).compute()
    expected = read_calls(cn110, start="2024-03-05", end="2024-04-10", columns=cols)
    pd.testing.assert_frame_equal(got.sort_values("incident_id").reset_index(drop=True),
                                  expected.sort_values("incident_id").reset_index(drop=True))
    assert list(got.dtypes) == list(expected.dtypes)
