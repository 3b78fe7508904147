"""A duty roster: how many teams (巡组, crews, units) are on duty in each local hour, read from a small CSV.

Two layouts, told apart by the header (names in any order, any case, spaces around them ignored):

* ``weekday,hour,teams``: a week that repeats; ``weekday`` is ISO, 1 = Monday .. 7 = Sunday (note: the
  metrics' ``weekday`` time key counts 0 = Monday .. 6 = Sunday);
* ``date,hour,teams``: a calendar; ``date`` is ``YYYY-MM-DD``, a local date of the agency.

``hour`` is the local hour of the day, 0-23 (the hour from ``hour:00`` to ``hour:59``), and ``teams`` a whole
number of teams, 0 or more. A key (``weekday`` or ``date``, ``hour``) may appear once. The file is UTF-8 (a
byte-order mark is allowed) with LF or CRLF line ends; blank lines are skipped. Every mistake is one
:class:`~responsestats.errors.UserError` naming the file, the row (the 1-based data row, header excluded, as
``source_row`` and the quarantine number them; the file's line beside it) and the column.

This is the first stage: nothing here knows about call logs. The metrics expand a roster over a period
(:func:`responsestats.metrics.workload.teams_on_duty`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd

from ..errors import UserError, one_line
from .base import read_small_file

#: The columns of a roster, as the file and the tidy frame name them.
WEEKDAY = "weekday"
DATE = "date"
HOUR = "hour"
TEAMS = "teams"
#: The two layouts: the key column of each, then the hour and the teams.
LAYOUTS: tuple[tuple[str, str, str], ...] = ((WEEKDAY, HOUR, TEAMS), (DATE, HOUR, TEAMS))
#: Key of the tidy frame's ``attrs``: which layout the file has (``weekday`` or ``date``).
ROSTER_KIND = "roster_kind"
#: Key of the tidy frame's ``attrs``: the file it was read from (its name).
ROSTER_SOURCE = "roster_source"
#: Largest roster file [bytes]: a year of dates by hour is about 9,000 rows (some 150 KiB).
MAX_ROSTER_BYTES = 4 << 20

_WHOLE = re.compile(r"^[0-9]+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _cell_error(path: Path, row: int, line: int, column: str, text: str, why: str) -> UserError:
    shown = one_line(text)[:40]
    return UserError(f"{path}: row {row} (line {line}), column {column}: {shown!r} {why}")


def _whole(path: Path, row: int, line: int, column: str, text: str, low: int, high: int | None, what: str) -> int:
    """A whole number from ``low`` to ``high`` (no upper bound when None), else an error naming the cell."""
    value = text.strip()
    if not value:
        raise _cell_error(path, row, line, column, text, f"is empty; give {what}")
    if value.startswith("-") and _WHOLE.match(value[1:]):
        raise _cell_error(path, row, line, column, text, f"is negative; give {what}")
    if not _WHOLE.match(value):
        raise _cell_error(path, row, line, column, text, f"is not a whole number; give {what}")
    number = int(value)
    if number < low or (high is not None and number > high):
        raise _cell_error(path, row, line, column, text, f"is out of range; give {what}")
    return number


def _date(path: Path, row: int, line: int, text: str) -> str:
    """A ``YYYY-MM-DD`` date that exists, as that text."""
    value = text.strip()
    what = "a date as YYYY-MM-DD (local date of the agency)"
    if not value:
        raise _cell_error(path, row, line, DATE, text, f"is empty; give {what}")
    if not _DATE.match(value):
        raise _cell_error(path, row, line, DATE, text, f"is not {what}")
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise _cell_error(path, row, line, DATE, text, "is not a date of the calendar") from None


def _layout(path: Path, header: list[str]) -> tuple[tuple[str, str, str], list[int]]:
    """The layout the header names, and the position of each of its columns."""
    names = [h.strip().lower() for h in header]
    if len(names) == 1 and not names[0]:
        raise UserError(f"{path}: the first line is empty; a roster starts with the header weekday,hour,teams "
                        "or date,hour,teams")  # fmt: skip
    known = {WEEKDAY, DATE, HOUR, TEAMS}
    unknown = [h for h in names if h not in known]
    if unknown:
        raise UserError(f"{path}: unknown column(s) {', '.join(repr(u) for u in unknown)} in the header; a roster "
                        "has the columns weekday,hour,teams or date,hour,teams")  # fmt: skip
    repeated = sorted({h for h in names if names.count(h) > 1})
    if repeated:
        raise UserError(f"{path}: column(s) {', '.join(repeated)} appear more than once in the header")
    if WEEKDAY in names and DATE in names:
        raise UserError(f"{path}: the header has both weekday and date; a roster is by weekday (weekday,hour,teams) "
                        "or by date (date,hour,teams), not both")  # fmt: skip
    layout = LAYOUTS[1] if DATE in names else LAYOUTS[0]
    missing = [c for c in layout if c not in names]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)} in the header; a roster has the columns "
                        "weekday,hour,teams or date,hour,teams")  # fmt: skip
    return layout, [names.index(c) for c in layout]


def read_roster(path: str | Path) -> pd.DataFrame:
    """Read and check a duty roster CSV.

    Parameters
    ----------
    path : str or Path
        The CSV file: header ``weekday,hour,teams`` (ISO weekday, 1 = Monday .. 7 = Sunday) or
        ``date,hour,teams`` (``YYYY-MM-DD``, local date of the agency); ``hour`` is the local hour 0-23 and
        ``teams`` a whole number of teams on duty, 0 or more. UTF-8, with or without a byte-order mark,
        LF or CRLF line ends.

    Returns
    -------
    pandas.DataFrame
        One row per key, sorted: ``weekday`` [1-7, int64] or ``date`` (``"YYYY-MM-DD"`` text), ``hour``
        [0-23, int64], ``teams`` [count, int64]. ``attrs["roster_kind"]`` is ``"weekday"`` or ``"date"``,
        ``attrs["roster_source"]`` the file's name.

    Raises
    ------
    UserError
        One line naming the file and, for a bad value, the row (1-based, header excluded), its line and the
        column: a file that cannot be read, is larger than 4 MiB or is not UTF-8; an unknown, repeated or
        missing column; a row with another number of fields; an empty cell; a weekday outside 1-7; a date
        that is not ``YYYY-MM-DD`` or not in the calendar; an hour outside 0-23; negative or non-integer
        teams; a key (weekday or date, hour) given twice; no data row.
    """
    path = Path(path)
    raw = read_small_file(path, MAX_ROSTER_BYTES, "duty roster", "a roster lists teams per weekday or date and hour")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: the duty roster is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8 "
                        "CSV") from None  # fmt: skip
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise UserError(f"{path}: the duty roster is empty; it starts with the header weekday,hour,teams or "
                            "date,hour,teams")  # fmt: skip
        layout, positions = _layout(path, header)
        key_column = layout[0]
        keys: dict[tuple[object, int], int] = {}
        records: list[tuple[object, int, int]] = []
        for row, fields in enumerate(reader, start=1):
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue  # a blank line
            if len(fields) != len(header):
                raise UserError(f"{path}: row {row} (line {line}) has {len(fields)} field(s), the header "
                                f"{len(header)}")  # fmt: skip
            cells = [fields[p] for p in positions]
            if key_column == WEEKDAY:
                key: object = _whole(path, row, line, WEEKDAY, cells[0], 1, 7, "an ISO weekday 1 (Monday) to 7 (Sunday)")
            else:
                key = _date(path, row, line, cells[0])
            hour = _whole(path, row, line, HOUR, cells[1], 0, 23, "a local hour 0 to 23")
            teams = _whole(path, row, line, TEAMS, cells[2], 0, None, "a whole number of teams, 0 or more")
            if (key, hour) in keys:
                raise UserError(f"{path}: row {row} (line {line}), columns {key_column},{HOUR}: {key_column} "
                                f"{key} hour {hour} is given twice (first in row {keys[(key, hour)]})")  # fmt: skip
            keys[(key, hour)] = row
            records.append((key, hour, teams))
    except csv.Error as exc:  # a NUL byte, a field over the csv module's limit
        raise UserError(f"{path}: line {reader.line_num}: {one_line(exc)}") from None
    if not records:
        raise UserError(f"{path}: the duty roster has a header but no data row")
    frame = pd.DataFrame(records, columns=list(layout))
    frame = frame.sort_values([key_column, HOUR], kind="stable").reset_index(drop=True)
    if key_column == WEEKDAY:
        frame[WEEKDAY] = frame[WEEKDAY].astype("int64")
    else:
        frame[DATE] = frame[DATE].astype("str")
    frame[HOUR] = frame[HOUR].astype("int64")
    frame[TEAMS] = frame[TEAMS].astype("int64")
    frame.attrs[ROSTER_KIND] = key_column
    frame.attrs[ROSTER_SOURCE] = path.name
    return frame


def roster_kind(roster: pd.DataFrame) -> str:
    """Whether a tidy roster is by ``weekday`` or by ``date`` (from its columns), checking its columns.

    Parameters
    ----------
    roster : pandas.DataFrame
        A frame as :func:`read_roster` returns it (or built in code with the same columns).

    Returns
    -------
    str
        ``"weekday"`` or ``"date"``.

    Raises
    ------
    UserError
        When the frame lacks ``hour`` or ``teams``, or has neither or both of ``weekday`` and ``date``.
    """
    columns = set(roster.columns)
    has = [c for c in (WEEKDAY, DATE) if c in columns]
    if len(has) != 1 or not {HOUR, TEAMS} <= columns:
        raise UserError(f"a roster has the columns weekday,hour,teams or date,hour,teams; got "
                        f"{', '.join(map(str, roster.columns)) or 'none'}")  # fmt: skip
    return has[0]


__all__ = ["DATE", "HOUR", "LAYOUTS", "MAX_ROSTER_BYTES", "ROSTER_KIND", "ROSTER_SOURCE", "TEAMS", "WEEKDAY",
           "read_roster", "roster_kind"]  # fmt: skip
