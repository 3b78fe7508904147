"""Row filters (issue 13, part 2): a small grammar parsed as data, three-valued on missing values."""

from __future__ import annotations

import pytest

from responsestats import schema as S
from responsestats.errors import UserError
from responsestats.metrics.filters import apply_filter, parse_filter


@pytest.fixture
def frame(make_calls):
    rows = [
        dict(received_at="2024-03-01 08:00", call_group="EMS", call_type="CHEST PAIN", priority="P1",
             self_initiated=False),
        dict(received_at="2024-03-01 23:30", call_group="fire", call_type="ROUTINE TRANSPORT", priority="P3",
             self_initiated=False),
        dict(received_at="2024-03-02 02:10", call_group="Police", call_type="THEFT", priority="2 - Urgent",
             self_initiated=True),
        dict(received_at="2024-03-02 12:00", call_group=None, call_type=None, priority="一级"),
        dict(received_at="2024-03-03 12:00", call_group="ems", call_type="FALL", priority="ROUTINE"),
    ]  # fmt: skip
    return make_calls(rows, tz="America/Los_Angeles")


def ids(df) -> list[str]:
    return list(df[S.INCIDENT_ID])


@pytest.mark.parametrize("where, expected", [
    ("call_group in ('ems','fire')", ["1", "2", "5"]),             # case-insensitive, trimmed
    ("call_group not in ('ems')", ["2", "3"]),                     # a missing group matches neither
    ("call_type != 'ROUTINE TRANSPORT'", ["1", "3", "5"]),
    ("call_group is null", ["4"]),
    ("call_group is not null and not self_initiated", ["1", "2", "5"]),  # row 5: no flag, read as false
    ("not self_initiated", ["1", "2", "4", "5"]),                  # rows without a flag read as false
    ("call_group != 'police' and not self_initiated", ["1", "2", "5"]),
    ("self_initiated", ["3"]),
    ("priority <= 2", ["1", "3", "4"]),                            # P1, '2 - Urgent', 一级; 'ROUTINE' has no number
    ("priority = 'p1' or priority = 'P3'", ["1", "2"]),
    ("hour >= 22 or hour < 6", ["2", "3"]),                        # local hours
    ("(call_group = 'ems' or call_group = 'fire') and priority > 1", ["2"]),
    ("NOT call_group = 'EMS' AND weekday = 5", ["3"]),             # words in any case; 2024-03-02 is a Saturday
    ("month = '2024-03' and date >= '2024-03-02'", ["3", "4", "5"]),
])
def test_filters_select_the_rows_by_the_stated_rules(frame, where, expected):
    out = apply_filter(frame, where)
    assert ids(out) == expected
    assert out.attrs["where"] == parse_filter(where).text


def test_the_canonical_text_is_what_tables_print():
    rf = parse_filter(" call_group IN ( 'ems' , \"fire\" )  and NOT self_initiated ")
    assert rf.text == "call_group in ('ems', 'fire') and not self_initiated"
    assert parse_filter("(a = 1 or b = 2) and c", ["a", "b", "c"]).text == "(a = 1 or b = 2) and c"
    assert parse_filter("x = 'it\\'s'", ["x"]).text == "x = 'it\\'s'"
    assert rf.columns == (S.CALL_GROUP, S.SELF_INITIATED)


@pytest.mark.parametrize("where, message", [
    ("", "the filter is empty"),
    ("call_grup = 'ems'", "unknown column 'call_grup'"),
    ("received_at > '2024-01-01'", "'received_at' is a timestamp"),
    ("call_group = ", "expected value at the end"),
    ("call_group in ('a' 'b')", r"expected \) at"),
    ("call_group = 'ems' extra", "expected 'and', 'or' or the end"),
    ("call_group ~ 'x'", r"cannot read \"~ 'x'\" at character 12"),
    ("__import__('os').system('x')", "cannot read|unknown column|expected"),
    ("call_group = 'a' or", "expected column"),
    ("x" * 2001, "more than 2,000"),
])
def test_a_bad_filter_is_one_line_naming_the_token_or_column(frame, where, message):
    with pytest.raises(UserError, match=message) as info:
        apply_filter(frame, where)
    assert "\n" not in str(info.value)


def test_a_bare_text_column_is_refused_with_a_hint(frame):
    with pytest.raises(UserError, match="'call_group' is not a true/false column"):
        apply_filter(frame, "call_group")


def test_no_filter_keeps_everything_and_other_columns_of_the_table_are_usable(frame):
    assert apply_filter(frame, None) is frame
    frame = frame.assign(dim_station="S1")
    assert ids(apply_filter(frame, "dim_station = 's1'")) == ["1", "2", "3", "4", "5"]
