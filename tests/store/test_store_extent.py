"""What a dataset holds, read from its folders and Parquet footers, equals what its rows say;
and the monthly briefing reads the briefed year, not the whole history."""

from __future__ import annotations

import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

from responsestats.briefing import data as briefing_data
from responsestats.briefing import load_briefing_data, months
from responsestats import schema as S
from responsestats import store
from responsestats.config import SAMPLE_CN110_DIR
from responsestats.ingestion import ingest
from responsestats.formats.mapping import load_mapping


@pytest.fixture(scope="module")
def two_agencies(tmp_path_factory):
    """The sample as two agencies: zz110 (all months) and yy110 (the first three files)."""
    out = tmp_path_factory.mktemp("two") / "ds"
    files = sorted(SAMPLE_CN110_DIR.glob("*.csv"))
    mapping = load_mapping("cn110")
    ingest(files, out, mapping=mapping, agency="zz110")
    ingest(files[:3], out, mapping=mapping, agency="yy110")
    return out


def test_agencies_and_months_come_from_the_folders(two_agencies):
    rows = store.read_calls(two_agencies, columns=[S.AGENCY, S.RECEIVED_AT, S.TIMEZONE])
    assert store.list_agencies(two_agencies) == sorted(rows[S.AGENCY].unique())
    for agency, part in rows.groupby(S.AGENCY):
        assert store.months_present(two_agencies, agency) == sorted(months.month_keys(part).unique())


def test_latest_stamp_equals_the_rows_maximum(two_agencies):
    columns = [S.RECEIVED_AT, S.CLEARED_AT, S.ARRESTED_AT]
    for agency in ("zz110", "yy110"):
        rows = store.read_calls(two_agencies, agency=agency, columns=columns)
        want = max(rows[c].max() for c in columns if rows[c].notna().any())
        assert store.latest_stamp(two_agencies, agency, columns) == want
    assert store.latest_stamp(two_agencies, "nobody", columns) is None


def test_the_briefing_reads_only_its_year_and_the_edge_months(sample_dataset, tmp_path, monkeypatch):
    """load_briefing_data gives what reading every row gives, and reads no partition outside the
    13 months it briefs except the first and last month (for their dates)."""
    data = load_briefing_data(sample_dataset, month="latest")
    everything = store.read_calls(sample_dataset, agency=data.agency)
    keys = months.month_keys(everything)
    assert (data.first_month, data.last_month) == (keys.min(), keys.max())
    assert data.month == months.latest_full_month(everything)
    assert data.as_of == max(everything[c].max() for c in (S.RECEIVED_AT, S.CLEARED_AT, S.ARRESTED_AT))

    asked = []
    real = briefing_data.read_calls

    def spy(dataset, **kw):
        asked.append((kw.get("start"), kw.get("end")))
        return real(dataset, **kw)

    monkeypatch.setattr(briefing_data, "read_calls", spy)
    month = "2024-06"
    load_briefing_data(sample_dataset, month=month)
    assert asked, "read_calls was not used"
    assert all(start is not None and end is not None for start, end in asked)  # never the whole history
    assert all(str(start) >= "2023-06-01" for start, _ in asked)


def test_a_month_without_calls_is_named(sample_dataset):
    with pytest.raises(Exception, match="no calls in 2030-01"):
        load_briefing_data(sample_dataset, month="2030-01")


def test_a_dataset_without_statistics_still_gives_the_latest_stamp(two_agencies, tmp_path):
    """Files written without column statistics: the column is read instead."""
    import pyarrow.parquet as pq

    copy = tmp_path / "copy"
    shutil.copytree(two_agencies, copy)
    for path in copy.glob("agency=yy110/*/*/*.parquet"):
        table = pq.read_table(path)
        pq.write_table(table, path, write_statistics=False)
    columns = [S.RECEIVED_AT, S.CLEARED_AT, S.ARRESTED_AT]
    assert store.latest_stamp(copy, "yy110", columns) == store.latest_stamp(two_agencies, "yy110", columns)
    assert isinstance(store.latest_stamp(copy, "yy110", columns), pd.Timestamp)


def test_footers_carry_statistics_for_time_stamps_not_free_text(two_agencies):
    """latest_stamp needs the time stamps' min/max; free text gets none (costly to write, never read)."""
    files = sorted(two_agencies.glob("agency=*/year=*/month=*/*.parquet"))
    assert files
    for path in files:
        meta = pq.ParquetFile(path).metadata
        for i in range(meta.num_row_groups):
            group = meta.row_group(i)
            stats = {group.column(j).path_in_schema: group.column(j).statistics for j in range(group.num_columns)}
            assert stats[S.RECEIVED_AT].has_min_max and stats[S.AGENCY].has_min_max
            assert stats[S.INCIDENT_ID] is None and stats[S.DISTRICT] is None
