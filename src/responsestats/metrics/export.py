"""Render a tidy metrics table as CSV, JSON or a plain-text table.

CSV cells that begin with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return) are prefixed with ``'`` so that spreadsheets do not run them as
formulas; numbers, including negative ones, are written as they are.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from ..errors import UserError

FORMATS: tuple[str, ...] = ("csv", "json", "table")
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


def to_csv_text(df: pd.DataFrame) -> str:
    """CSV text, formula-like text cells escaped."""
    return _escaped(df).to_csv(index=False, lineterminator="\n")


def to_json_text(df: pd.DataFrame) -> str:
    """JSON array of records; missing values are ``null``."""
    records = [{str(k): _json_value(v) for k, v in row.items()} for row in df.to_dict(orient="records")]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def to_table_text(df: pd.DataFrame) -> str:
    """Fixed-width text table for a terminal."""
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
        One of :data:`FORMATS` (``csv``, ``json``, ``table``).

    Returns
    -------
    str
        The text.
    """
    if fmt == "csv":
        return to_csv_text(df)
    if fmt == "json":
        return to_json_text(df)
    if fmt == "table":
        return to_table_text(df)
    raise UserError(f"unknown output format {fmt!r}; use one of {', '.join(FORMATS)}")
