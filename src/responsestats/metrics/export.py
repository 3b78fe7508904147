"""Render a tidy metrics table as CSV, JSON, a plain-text table or an Excel workbook.

Text cells that begin with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return) are prefixed with ``'`` so that spreadsheets do not run them as
formulas, in CSV and in ``.xlsx`` alike (where every text cell is also stored
as text, never as a formula); numbers, including negative ones, are written as
they are.

Precision. JSON holds every value exactly. CSV rounds by the unit its column
name states (:data:`DECIMALS`): seconds (``*_s``) to 0.1 s, minutes (``*_min``)
and hours (``*hours*``) to 0.01, shares and rates (``*_share``, ``share_*``,
``*_rate``, ``percentile_at_target``) to 4 decimals; counts and other columns
are written as they are. An ``.xlsx`` holds the exact values as numbers and
shows them with the same decimals (a number format). A CSV file written by
:func:`write_table` starts with a UTF-8 byte-order mark, so that Excel reads
its names as UTF-8 whatever the system's code page (text on standard output
has none).
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UserError

#: Formats :func:`render` writes as text.
TEXT_FORMATS: tuple[str, ...] = ("csv", "json", "table")
#: Every output format; ``xlsx`` only to a file (:func:`write_table`).
FORMATS: tuple[str, ...] = TEXT_FORMATS + ("xlsx",)
#: The format of an output file, by its suffix.
SUFFIX_FORMATS: dict[str, str] = {".csv": "csv", ".json": "json", ".txt": "table", ".xlsx": "xlsx"}
#: Decimals a CSV rounds to (and an xlsx shows), by the unit of the column: seconds, minutes, hours, shares.
DECIMALS: dict[str, int] = {"s": 1, "min": 2, "hours": 2, "share": 4}
#: Rows an .xlsx sheet holds, the header included.
XLSX_MAX_ROWS = 1_048_576
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def escape_formula(value: object) -> object:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula.

    Parameters
    ----------
    value : object
        A cell; only text starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) that is not a
        number is changed.

    Returns
    -------
    object
        The cell, safe to open in a spreadsheet.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def _escaped_column(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.StringDtype):  # text only: look at the few cells that start like a formula
        risky = s.str.startswith(_FORMULA_START).fillna(False).to_numpy(dtype=bool)
        if not risky.any():
            return s
        out = s.copy()
        out[risky] = s[risky].map(escape_formula)
        return out
    return s.map(escape_formula, na_action="ignore")


def _escaped(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = _escaped_column(out[col])
    out.columns = [escape_formula(str(c)) for c in out.columns]
    return out


def _json_value(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else float(value)
    return value


def column_decimals(name: str) -> int | None:
    """Decimals a CSV rounds the column ``name`` to (:data:`DECIMALS`), or None for one written exactly.

    Parameters
    ----------
    name : str
        A column name; its unit is read from it (``median_s``: seconds, ``arrest_rate``: a share).

    Returns
    -------
    int or None
        The decimals, or None for counts and columns named without a unit.
    """
    name = str(name)
    if name.endswith("_s"):
        return DECIMALS["s"]
    if name.endswith("_min"):
        return DECIMALS["min"]
    if "hours" in name.split("_"):
        return DECIMALS["hours"]
    if name.endswith(("_share", "_rate")) or name.startswith("share_") or name == "percentile_at_target":
        return DECIMALS["share"]
    return None


def rounded(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its float columns rounded by :func:`column_decimals` (integer and text columns unchanged).

    Parameters
    ----------
    df : pandas.DataFrame
        A metrics table.

    Returns
    -------
    pandas.DataFrame
        A copy, rounded.
    """
    out = df.copy()
    for col in out.columns:
        decimals = column_decimals(col)
        if decimals is not None and pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(decimals)
    return out


def in_minutes(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every numeric ``*_s`` column [s] as a ``*_min`` column [min], in place of it.

    Parameters
    ----------
    df : pandas.DataFrame
        A metrics table (``median_s``, ``p90_ci_low_s``, ``target_s``, ...).

    Returns
    -------
    pandas.DataFrame
        A copy in minutes; other columns unchanged.
    """
    out = df.copy()
    names = {}
    for col in out.columns:
        numeric = pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col])
        if numeric and str(col).endswith("_s"):
            out[col] = out[col].astype("float64") / 60.0
            names[col] = str(col)[:-2] + "_min"
    return out.rename(columns=names)


def to_csv_text(df: pd.DataFrame) -> str:
    """CSV text, values rounded (:func:`rounded`) and formula-like text cells escaped; no byte-order mark."""
    df = rounded(df)
    return _escaped(df).to_csv(index=False, lineterminator="\n")


def to_json_text(df: pd.DataFrame) -> str:
    """JSON array of records; missing values are ``null``.

    The text of ``json.dumps(records, ensure_ascii=False, indent=2)``, made faster: each record is encoded by
    the json module's C encoder (with the indented layout as its item separator), since the pure-Python
    encoder that ``indent`` brings takes seconds for a few tens of thousands of rows.
    """
    columns = [_json_column(df[c]) for c in df.columns] if df.columns.is_unique else None
    if columns is None:
        records = [{str(k): _json_value(v) for k, v in row.items()} for row in df.to_dict(orient="records")]
    else:
        names = [str(c) for c in df.columns]
        records = [dict(zip(names, values)) for values in zip(*columns)] if names else [{} for _ in range(len(df))]
    if not all(isinstance(v, _JSON_SCALARS) for record in records for v in record.values()):
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"  # nested values: the plain way
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",\n    ", ": ")).encode
    texts = ["{\n    " + text[1:-1] + "\n  }" if record else "{}" for record, text in
             ((record, encode(record)) for record in records)]
    return ("[\n  " + ",\n  ".join(texts) + "\n]" if texts else "[]") + "\n"


#: Values :func:`to_json_text` writes with the C encoder.
_JSON_SCALARS = (str, int, float, bool, type(None))


def _json_column(values: pd.Series) -> list:
    """A column's values as JSON-ready Python values (:func:`_json_value`), a whole column at a time."""
    if pd.api.types.is_float_dtype(values.dtype) and isinstance(values.dtype, np.dtype):
        array = values.to_numpy()
        return [None if v != v else v for v in array.tolist()]  # NaN -> null
    if (pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)) and isinstance(
            values.dtype, np.dtype):
        return values.to_numpy().tolist()
    return [_json_value(v) for v in values.tolist()]


#: Control characters (C0 but tab, DEL, C1): in a terminal they move the cursor, clear the screen or retitle the
#: window (an ANSI escape starts with ESC), so a table for the terminal shows them escaped (``\\x1b``).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


#: The same, but line breaks kept (a chart's multi-line labels).
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: object, keep_newlines: bool = False) -> object:
    """``text`` with its control characters written as escapes (``\\x1b``), so that a terminal prints them
    literally instead of obeying them (and a chart shows them instead of a missing glyph); with
    ``keep_newlines``, line breaks stay. Other values are returned as they are."""
    pattern = _CONTROL_BUT_NEWLINE if keep_newlines else _CONTROL
    if not isinstance(text, str) or not pattern.search(text):
        return text
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def to_table_text(df: pd.DataFrame) -> str:
    """Fixed-width text table for a terminal; control characters in names and values escaped."""
    df = df.rename(columns=terminal_safe).map(terminal_safe) if len(df) else df.rename(columns=terminal_safe)
    if df.empty:
        return "(no rows)\n" if len(df.columns) == 0 else " ".join(map(str, df.columns)) + "\n(no rows)\n"
    return df.to_string(index=False, float_format=lambda v: f"{v:.3f}".rstrip("0").rstrip(".")) + "\n"


def render(df: pd.DataFrame, fmt: str) -> str:
    """The table as text, every cell safe to open in a spreadsheet.

    Parameters
    ----------
    df : pandas.DataFrame
        A metrics table.
    fmt : str
        One of :data:`TEXT_FORMATS` (``csv``, ``json``, ``table``).

    Returns
    -------
    str
        The text.

    Raises
    ------
    UserError
        For ``xlsx`` (a binary format: :func:`write_table` writes it to a file) and unknown formats.
    """
    if fmt == "csv":
        return to_csv_text(df)
    if fmt == "json":
        return to_json_text(df)
    if fmt == "table":
        return to_table_text(df)
    if fmt == "xlsx":
        raise UserError("xlsx is a binary format: write it to a file (--output FILE.xlsx)")
    raise UserError(f"unknown output format {fmt!r}; use one of {', '.join(FORMATS)}")


def _xlsx_value(value: object) -> object:
    """A cell as openpyxl stores it: a number as a number, missing and non-finite as empty, the rest as text."""
    value = _json_value(value)
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float)):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))


def to_xlsx_workbook(df: pd.DataFrame, sheet: str = "table"):
    """An openpyxl workbook of the table: one sheet, a header row, numbers as numbers, text as text.

    Text cells are escaped as in CSV (:func:`escape_formula`) and stored as text, so no cell is ever a formula.
    Values are exact; the columns :func:`column_decimals` rounds in CSV are shown with those decimals.

    Parameters
    ----------
    df : pandas.DataFrame
        A metrics table.
    sheet : str
        The sheet's title (at most 31 characters are kept).

    Returns
    -------
    openpyxl.Workbook
        The workbook, not saved.

    Raises
    ------
    UserError
        If the table has more rows than a sheet holds (:data:`XLSX_MAX_ROWS`).
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    if len(df) + 1 > XLSX_MAX_ROWS:
        raise UserError(f"the table has {len(df):,} rows, more than an .xlsx sheet holds ({XLSX_MAX_ROWS - 1:,}); "
                        "write .csv instead")  # fmt: skip
    safe = _escaped(df)
    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\[\]:*?/\\]", "_", sheet)[:31] or "table"
    ws.append([_xlsx_value(c) for c in safe.columns])
    for row in safe.itertuples(index=False, name=None):
        ws.append([_xlsx_value(v) for v in row])
    formats = {d: "0." + "0" * d for d in set(DECIMALS.values())}
    for j, col in enumerate(df.columns, start=1):
        letter = get_column_letter(j)
        decimals = column_decimals(col)
        for (cell,) in ws.iter_rows(min_col=j, max_col=j):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula, whatever it starts with
            elif decimals is not None and isinstance(cell.value, float) and cell.row > 1:
                cell.number_format = formats[decimals]
        ws.column_dimensions[letter].width = min(60, max(10, len(str(col)) + 2))
    ws.freeze_panes = "A2"
    return wb


def output_format(path: str | Path | None, fmt: str | None, option: str = "--output") -> str:
    """The format of an output: from the file's suffix (:data:`SUFFIX_FORMATS`), else ``fmt``, else ``table``.

    Parameters
    ----------
    path : str or Path, optional
        The output file; None for standard output.
    fmt : str, optional
        The format asked for; with a file it must agree with the suffix.
    option : str
        The option's name, for messages.

    Returns
    -------
    str
        One of :data:`FORMATS`.

    Raises
    ------
    UserError
        An unknown suffix, a format that disagrees with the suffix, ``xlsx`` to standard output, or an unknown
        format.
    """
    if fmt is not None and fmt not in FORMATS:
        raise UserError(f"unknown output format {fmt!r}; use one of {', '.join(FORMATS)}")
    if path is None:
        if fmt == "xlsx":
            raise UserError("--format xlsx needs a file: use --output FILE.xlsx")
        return fmt or "table"
    suffix = Path(path).suffix.lower()
    by_suffix = SUFFIX_FORMATS.get(suffix)
    if by_suffix is None:
        raise UserError(f"{option} {path}: unknown suffix {suffix or '(none)'!r}; use "
                        f"{', '.join(SUFFIX_FORMATS)} (the format follows the suffix)")  # fmt: skip
    if fmt is not None and fmt != by_suffix:
        raise UserError(f"{option} {path}: the suffix {suffix!r} means {by_suffix}, but --format {fmt} was given; "
                        "leave --format out or change the suffix")  # fmt: skip
    return by_suffix


def write_table(df: pd.DataFrame, path: str | Path, fmt: str | None = None, sheet: str = "table") -> Path:
    """Write the table to ``path`` atomically (a failed write leaves any earlier file as it was).

    The file's folder is created if need be; a symbolic link is written through (its target is replaced, not the
    link), and a file that is replaced keeps its permissions.

    CSV is UTF-8 with a byte-order mark, rounded (:func:`to_csv_text`); JSON and text tables are UTF-8; ``xlsx``
    is an Excel workbook (:func:`to_xlsx_workbook`).

    Parameters
    ----------
    df : pandas.DataFrame
        A metrics table.
    path : str or Path
        The file; its suffix gives the format (:func:`output_format`).
    fmt : str, optional
        The format asked for, which must agree with the suffix.
    sheet : str
        The sheet's title in an ``.xlsx``.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    UserError
        A bad suffix or format, or a file that cannot be written (the message names it).
    """
    path = Path(path)
    fmt = output_format(path, fmt)
    real = Path(os.path.realpath(path))  # a symbolic link is written through, not replaced
    if real.is_dir():
        raise UserError(f"cannot write {path}: it is a folder")
    try:
        mode = stat.S_IMODE(real.stat().st_mode) if real.exists() else _default_mode()
        real.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if fmt == "xlsx":
                to_xlsx_workbook(df, sheet).save(fh)
            else:
                encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
                fh.write(render(df, fmt).encode(encoding))
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _default_mode() -> int:
    """The permissions a new file gets here (0o666 less the umask); a temporary file starts at 0o600."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
