"""``--where`` in `metrics` and `outcomes`, and ``where=`` in the API: the filter travels with every row."""

from __future__ import annotations

import io

import pandas as pd

from responsestats import outcome_summary, read_calls, summarize
from responsestats import schema as S
from responsestats.cli import main
from responsestats.metrics import names as N


def test_where_in_the_api_equals_filtering_by_hand(sample_dataset):
    calls = read_calls(sample_dataset, start="2025-03-01", end="2025-03-31")
    where = "priority in ('一级', '二级') and not self_initiated"
    got = summarize(calls, "dispatch_to_arrival_s", where=where)
    by_hand = calls[calls[S.PRIORITY].isin(["一级", "二级"]) & ~calls[S.SELF_INITIATED].fillna(False).astype(bool)]
    want = summarize(by_hand, "dispatch_to_arrival_s")
    assert list(got[N.WHERE]) == ["priority in ('一级', '二级') and not self_initiated"]
    pd.testing.assert_frame_equal(got.drop(columns=N.WHERE), want)
    assert got[N.N].iloc[0] < summarize(calls, "dispatch_to_arrival_s")[N.N].iloc[0]
    o = outcome_summary(calls, by="priority", where="priority = '一级'")
    assert list(o["priority"]) == ["一级"] and set(o[N.WHERE]) == {"priority = '一级'"}
    assert N.WHERE not in summarize(calls, "dispatch_to_arrival_s").columns  # only when a filter is given


def test_where_on_the_command_line_names_its_population_in_every_row(sample_dataset, capsys):
    argv = ["metrics", str(sample_dataset), "--interval", "dispatch_to_arrival_s", "--by", "priority",
            "--month", "2025-03", "--where", "priority <= 2", "--format", "csv"]  # fmt: skip
    assert main(argv) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert set(table["priority"]) == {"一级", "二级"} and set(table[N.WHERE]) == {"priority <= 2"}
    assert main(["outcomes", str(sample_dataset), "--month", "2025-03", "--where", "hour >= 22 or hour < 6",
                 "--format", "json"]) == 0  # fmt: skip
    assert '"where": "hour >= 22 or hour < 6"' in capsys.readouterr().out


def test_a_bad_filter_exits_2_before_reading_the_dataset(tmp_path, capsys):
    argv = ["outcomes", str(tmp_path / "no_dataset"), "--where", "priority <"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--where: expected value at the end" in err and err.count("\n") == 1
