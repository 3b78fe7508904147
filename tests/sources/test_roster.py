"""Duty rosters (issue 15, part 4): two layouts read into a tidy frame, every mistake one line naming file, row
and column."""

from __future__ import annotations

import pandas as pd
import pytest

from responsestats.errors import UserError
from responsestats.sources.roster import MAX_ROSTER_BYTES, ROSTER_KIND, read_roster


def _write(tmp_path, text: str, name: str = "roster.csv", *, bom: bool = False, crlf: bool = False,
           encoding: str = "utf-8"):  # fmt: skip
    if crlf:
        text = text.replace("\n", "\r\n")
    data = text.encode(encoding)
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def _one_line(err: pytest.ExceptionInfo, *parts: str) -> str:
    msg = str(err.value)
    assert "\n" not in msg, msg
    for part in parts:
        assert part in msg, (part, msg)
    return msg


def test_a_weekday_roster_with_bom_and_crlf(tmp_path):
    path = _write(tmp_path, "weekday,hour,teams\n1,8,5\n1,7,4\n\n7,23,0\n", bom=True, crlf=True)
    roster = read_roster(path)
    assert list(roster.columns) == ["weekday", "hour", "teams"]
    assert roster.values.tolist() == [[1, 7, 4], [1, 8, 5], [7, 23, 0]]  # sorted by key
    assert roster.attrs[ROSTER_KIND] == "weekday" and str(roster["teams"].dtype) == "int64"


def test_a_date_roster_any_column_order_and_case(tmp_path):
    path = _write(tmp_path, " Teams , HOUR ,Date\n3,0,2025-03-04\n2,23,2025-03-03\n")
    roster = read_roster(path)
    assert list(roster.columns) == ["date", "hour", "teams"]
    assert roster.values.tolist() == [["2025-03-03", 23, 2], ["2025-03-04", 0, 3]]
    assert roster.attrs[ROSTER_KIND] == "date"
    assert isinstance(roster, pd.DataFrame)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("weekday,hour,teams,shift\n1,8,5,a\n", ["unknown column", "'shift'"]),
        ("weekday,teams\n1,5\n", ["missing column", "hour"]),
        ("hour,teams\n1,5\n", ["missing column", "weekday"]),
        ("weekday,date,hour,teams\n1,2025-03-03,8,5\n", ["both weekday and date"]),
        ("weekday,hour,hour,teams\n1,8,8,5\n", ["more than once", "hour"]),
        ("weekday,hour,teams\n1,8,5\n1,24,5\n", ["row 2 (line 3)", "column hour", "'24'", "0 to 23"]),
        ("weekday,hour,teams\n1,-1,5\n", ["row 1 (line 2)", "column hour", "negative"]),
        ("weekday,hour,teams\n1,8.5,5\n", ["row 1", "column hour", "not a whole number"]),
        ("weekday,hour,teams\n1,8,-2\n", ["row 1", "column teams", "'-2'", "negative"]),
        ("weekday,hour,teams\n1,8,2.5\n", ["row 1", "column teams", "'2.5'", "not a whole number"]),
        ("weekday,hour,teams\n1,8,\n", ["row 1", "column teams", "empty"]),
        ("weekday,hour,teams\n0,8,2\n", ["row 1", "column weekday", "1 (Monday) to 7 (Sunday)"]),
        ("weekday,hour,teams\n8,8,2\n", ["row 1", "column weekday", "out of range"]),
        ("weekday,hour,teams\nMon,8,2\n", ["row 1", "column weekday", "'Mon'"]),
        ("date,hour,teams\n2025/03/03,8,2\n", ["row 1", "column date", "YYYY-MM-DD"]),
        ("date,hour,teams\n2025-02-30,8,2\n", ["row 1", "column date", "not a date of the calendar"]),
        ("weekday,hour,teams\n1,8,2\n2,8,3\n1,8,4\n", ["row 3 (line 4)", "weekday 1 hour 8 is given twice",
                                                          "first in row 1"]),
        ("date,hour,teams\n2025-03-03,8,2\n2025-03-03,08,3\n", ["row 2", "given twice"]),
        ("weekday,hour,teams\n1,8\n", ["row 1 (line 2)", "has 2 field(s), the header 3"]),
        ("weekday,hour,teams\n", ["no data row"]),
        ("", ["is empty"]),
    ],
)  # fmt: skip
def test_mistakes_are_one_line_naming_file_row_and_column(tmp_path, text, parts):
    path = _write(tmp_path, text, name="duty.csv")
    with pytest.raises(UserError) as err:
        read_roster(path)
    _one_line(err, "duty.csv", *parts)


def test_rows_are_numbered_as_data_rows_with_blank_lines_counted(tmp_path):
    path = _write(tmp_path, "weekday,hour,teams\r\n1,8,2\r\n\r\n1,9,x\r\n", crlf=False)
    with pytest.raises(UserError) as err:
        read_roster(path)
    _one_line(err, "row 3 (line 4)", "column teams", "'x'")


def test_a_file_that_is_not_utf8_or_not_a_file(tmp_path):
    path = _write(tmp_path, "weekday,hour,teams\n1,8,2\n# 班组\n", encoding="gb18030")
    with pytest.raises(UserError) as err:
        read_roster(path)
    _one_line(err, "roster.csv", "not UTF-8")
    with pytest.raises(UserError) as err:
        read_roster(tmp_path / "nowhere.csv")
    _one_line(err, "nowhere.csv", "cannot read")
    with pytest.raises(UserError) as err:
        read_roster(tmp_path)
    _one_line(err, "folder")


def test_a_roster_over_the_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.write(b"weekday,hour,teams\n")
        fh.truncate(MAX_ROSTER_BYTES + 1)  # sparse: no disk used
    with pytest.raises(UserError) as err:
        read_roster(path)
    _one_line(err, "huge.csv", "larger than 4 MiB")
