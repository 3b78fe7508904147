"""Row filters: a small, safe expression language over canonical columns (``--where``, ``where=``).

A filter is parsed as data, never run: there is no ``eval`` and no SQL. The grammar::

    expr       := term ("or" term)*
    term       := factor ("and" factor)*
    factor     := "not" factor | "(" expr ")" | test
    test       := column [op value | ["not"] "in" "(" value ("," value)* ")" | "is" ["not"] "null"]
    op         := "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
    value      := 'text' | "text" | number | true | false

A bare column is a test that it is true (``self_initiated``, ``not caught_in_act``). Columns are the
canonical columns (not the timestamps), the local-time keys ``year``, ``month``, ``week``, ``date``,
``weekday`` (0 = Monday) and ``hour`` (in each row's own zone), and any other column the table has.
Words (``and``, ``or``, ``not``, ``in``, ``is``, ``null``, ``true``, ``false``) are case-insensitive.

How values compare:

* text with text: after trimming, case-insensitively (``call_group = 'EMS'`` matches ``ems``), as the
  standard profiles' ``when`` conditions compare;
* text with a number: the text's own number, its first run of digits or a Chinese numeral
  (``P1`` -> 1, ``一级`` -> 1, ``2 - Urgent`` -> 2), so ``priority <= 2`` works on priority codes; text
  without a number never matches;
* a missing value matches no comparison, and ``not`` of such a comparison does not match either
  (three-valued logic, as in SQL): ``call_type != 'X'`` keeps neither ``X`` nor the rows with no call
  type; ``is null`` finds those;
* a missing true/false flag reads as false, as the metrics read it: ``not self_initiated`` keeps the
  rows with no flag (a source that records no self-initiated calls has none).

:func:`parse_filter` checks a filter's syntax and columns and gives its canonical text
(:attr:`RowFilter.text`), which every table and chart made with it carries; :func:`apply_filter`
keeps the rows that match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import UserError
from . import names as N
from .timekeys import add_time_keys

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<op><=|>=|==|!=|<>|=|<|>)
    | (?P<punct>[(),])
    | (?P<word>[^\W\d]\w*)
    )""", re.VERBOSE | re.UNICODE)
_KEYWORDS = {"and", "or", "not", "in", "is", "null", "true", "false"}
_OPS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
#: Longest filter accepted [characters]: a filter is typed by hand.
MAX_FILTER_CHARS = 2000
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_FIRST_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class _Test:
    column: str
    op: str  # =, !=, <, <=, >, >=, in, not in, null, not null, true
    values: tuple = ()


@dataclass(frozen=True)
class _Not:
    inner: object


@dataclass(frozen=True)
class _Bool:
    op: str  # and / or
    parts: tuple


@dataclass(frozen=True)
class RowFilter:
    """A parsed row filter.

    Attributes
    ----------
    text : str
        Its canonical text (the words lower case, values quoted), e.g.
        ``call_group in ('ems', 'fire') and not self_initiated``: what tables and charts print.
    columns : tuple of str
        The columns it reads.
    tree : object
        The parsed expression (private nodes; evaluated by :func:`apply_filter`).
    """

    text: str
    columns: tuple[str, ...]
    tree: object

    def __str__(self) -> str:
        return self.text


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = self._tokenize(text)
        self.i = 0

    def _tokenize(self, text: str) -> list[tuple[str, object, int]]:
        out, pos = [], 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                bad = text[pos:].lstrip()[:12]
                raise UserError(f"--where: cannot read {bad!r} at character {len(text) - len(text[pos:].lstrip()) + 1}"
                                f" of {text!r}")
            kind = m.lastgroup
            raw = m.group(kind)
            start = m.start(kind)
            if kind == "string":
                value = re.sub(r"\\(.)", r"\1", raw[1:-1])
                out.append(("value", value, start))
            elif kind == "number":
                out.append(("value", float(raw) if any(c in raw for c in ".eE") else int(raw), start))
            elif kind == "word" and raw.casefold() in _KEYWORDS:
                word = raw.casefold()
                if word in ("true", "false"):
                    out.append(("value", word == "true", start))
                elif word == "null":
                    out.append(("null", None, start))
                else:
                    out.append((word, word, start))
            elif kind == "word":
                out.append(("column", raw, start))
            else:
                out.append((raw if kind == "punct" else "op", _OPS.get(raw, raw), start))
            pos = m.end()
        return out

    def _peek(self) -> tuple[str, object, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _take(self, *kinds: str) -> tuple[str, object, int]:
        tok = self._peek()
        if tok is None or tok[0] not in kinds:
            self._fail(f"expected {' or '.join(kinds)}")
        self.i += 1
        return tok

    def _fail(self, what: str):
        tok = self._peek()
        where = f"at {self.text[tok[2]:tok[2] + 12]!r} (character {tok[2] + 1})" if tok else "at the end"
        raise UserError(f"--where: {what} {where} of {self.text!r}")

    def parse(self) -> object:
        if not self.tokens:
            raise UserError("--where: the filter is empty")
        tree = self._expr()
        if self._peek() is not None:
            self._fail("expected 'and', 'or' or the end")
        return tree

    def _expr(self) -> object:
        parts = [self._term()]
        while (tok := self._peek()) is not None and tok[0] == "or":
            self.i += 1
            parts.append(self._term())
        return parts[0] if len(parts) == 1 else _Bool("or", tuple(parts))

    def _term(self) -> object:
        parts = [self._factor()]
        while (tok := self._peek()) is not None and tok[0] == "and":
            self.i += 1
            parts.append(self._factor())
        return parts[0] if len(parts) == 1 else _Bool("and", tuple(parts))

    def _factor(self) -> object:
        tok = self._peek()
        if tok is not None and tok[0] == "not":
            self.i += 1
            return _Not(self._factor())
        if tok is not None and tok[0] == "(":
            self.i += 1
            inner = self._expr()
            self._take(")")
            return inner
        return self._test()

    def _test(self) -> _Test:
        column = self._take("column")[1]
        tok = self._peek()
        if tok is None or tok[0] in ("and", "or", ")"):
            return _Test(column, "true")
        if tok[0] == "op":
            self.i += 1
            value = self._take("value")[1]
            return _Test(column, tok[1], (value,))
        negate = False
        if tok[0] == "not":
            self.i += 1
            negate = True
            tok = self._peek()
        if tok is not None and tok[0] == "in":
            self.i += 1
            self._take("(")
            values = [self._take("value")[1]]
            while self._peek() is not None and self._peek()[0] == ",":
                self.i += 1
                values.append(self._take("value")[1])
            self._take(")")
            return _Test(column, "not in" if negate else "in", tuple(values))
        if not negate and tok is not None and tok[0] == "is":
            self.i += 1
            is_not = self._peek() is not None and self._peek()[0] == "not"
            if is_not:
                self.i += 1
            self._take("null")
            return _Test(column, "not null" if is_not else "null")
        self._fail("expected a comparison (=, !=, <, <=, >, >=), 'in', 'is null' or 'and'/'or'")


def _columns(tree) -> list[str]:
    if isinstance(tree, _Test):
        return [tree.column]
    if isinstance(tree, _Not):
        return _columns(tree.inner)
    return [c for p in tree.parts for c in _columns(p)]


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _text(tree, top: bool = True) -> str:
    if isinstance(tree, _Test):
        if tree.op == "true":
            return tree.column
        if tree.op in ("null", "not null"):
            return f"{tree.column} is {'not ' if tree.op == 'not null' else ''}null"
        if tree.op in ("in", "not in"):
            return f"{tree.column} {tree.op} ({', '.join(_literal(v) for v in tree.values)})"
        return f"{tree.column} {tree.op} {_literal(tree.values[0])}"
    if isinstance(tree, _Not):
        return f"not {_text(tree.inner, top=False)}"
    joined = f" {tree.op} ".join(_text(p, top=False) for p in tree.parts)
    return joined if top else f"({joined})"


def filter_columns(available: Iterable[str] | None = None) -> tuple[str, ...]:
    """The columns a filter may name: the canonical columns but the timestamps, and the local-time keys."""
    base = [c for c in S.COLUMNS if c not in S.TIMESTAMP_COLUMNS] + list(N.TIME_KEYS)
    extra = [c for c in (list(available) if available is not None else []) if c not in base
             and c not in S.TIMESTAMP_COLUMNS]
    return tuple(dict.fromkeys(base + extra))


def parse_filter(text: str | RowFilter, available: Iterable[str] | None = None) -> RowFilter:
    """Check a filter (see the module's grammar) and give its canonical form.

    Parameters
    ----------
    text : str or RowFilter
        The filter as typed, e.g. ``"call_group in ('ems', 'fire') and not self_initiated"``.
    available : iterable of str, optional
        More columns the table has (beside the canonical ones and the time keys).

    Returns
    -------
    RowFilter
        The parsed filter.

    Raises
    ------
    UserError
        One line naming the token or column at fault.
    """
    if isinstance(text, RowFilter):
        return text
    text = str(text)
    if len(text) > MAX_FILTER_CHARS:
        raise UserError(f"--where: the filter is {len(text):,} characters, more than {MAX_FILTER_CHARS:,}")
    tree = _Parser(text).parse()
    allowed = filter_columns(available)
    for column in _columns(tree):
        if column in S.TIMESTAMP_COLUMNS:
            raise UserError(f"--where: {column!r} is a timestamp; filter dates with --from/--to or --month, and "
                            "hours with 'hour' (e.g. hour >= 22)")
        if column not in allowed:
            raise UserError(f"--where: unknown column {column!r}; columns are {', '.join(allowed)}")
    return RowFilter(text=_text(tree), columns=tuple(dict.fromkeys(_columns(tree))), tree=tree)


def _number_of(value) -> float:
    """A value's number for a comparison with a number (NaN where it has none)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    m = _FIRST_NUMBER.search(text)
    if m:
        return float(m.group())
    for ch in text:
        if ch in _CN_DIGITS:
            return float(_CN_DIGITS[ch])
    return np.nan


def _evaluate(tree, frame: pd.DataFrame) -> pd.Series:
    """A nullable-boolean mask (three-valued: missing where a value is missing)."""
    if isinstance(tree, _Bool):
        masks = [_evaluate(p, frame) for p in tree.parts]
        out = masks[0]
        for m in masks[1:]:
            out = (out & m) if tree.op == "and" else (out | m)
        return out
    if isinstance(tree, _Not):
        return ~_evaluate(tree.inner, frame)
    col = frame[tree.column]
    missing = col.isna().to_numpy()
    if tree.op in ("null", "not null"):
        hit = missing if tree.op == "null" else ~missing
        return pd.Series(pd.array(hit, dtype="boolean"), index=frame.index)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    unknown = False if tree.op == "true" else None  # a missing flag reads as false, as the metrics read it
    per_value = np.array([_match(tree, v) for v in uniques] + [unknown], dtype=object)
    result = per_value[codes]  # missing values: the trailing None
    return pd.Series(pd.array(list(result), dtype="boolean"), index=frame.index)


def _match(test: _Test, value) -> bool | None:
    """One test on one (present) value: True, False or None (not comparable)."""
    if test.op == "true":
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise UserError(f"--where: {test.column!r} is not a true/false column; compare it, e.g. "
                        f"{test.column} = 'value'")
    values = test.values
    if all(isinstance(v, (bool, np.bool_)) for v in values) and isinstance(value, (bool, np.bool_)):
        left, rights = bool(value), [bool(v) for v in values]
    elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        left = _number_of(value)
        if np.isnan(left):
            return None
        rights = [float(v) for v in values]
    else:
        left = str(value).strip().casefold()
        rights = [str(v).strip().casefold() for v in values]
    if test.op == "in":
        return left in rights
    if test.op == "not in":
        return left not in rights
    right = rights[0]
    try:
        return {"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
                ">": left > right, ">=": left >= right}[test.op]  # fmt: skip
    except TypeError:
        return None


def apply_filter(df: pd.DataFrame, where: str | RowFilter | None) -> pd.DataFrame:
    """The rows of ``df`` that match ``where`` (all rows for None).

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical rows (time keys are worked out from ``received_at`` and ``timezone`` when named).
    where : str, RowFilter or None
        The filter (see the module's grammar).

    Returns
    -------
    pandas.DataFrame
        The matching rows, in order, index kept; ``attrs["where"]`` holds the filter's canonical text.

    Raises
    ------
    UserError
        A filter that does not parse, or names a column the table lacks.
    """
    if where is None:
        return df
    rf = parse_filter(where, df.columns)
    frame = df
    keys = [c for c in rf.columns if c in N.TIME_KEYS and c not in df.columns]
    if keys:
        frame = add_time_keys(df, keys)
    missing = [c for c in rf.columns if c not in frame.columns]
    if missing:
        raise UserError(f"--where: the table has no column {missing[0]!r}")
    mask = _evaluate(rf.tree, frame).fillna(False).to_numpy(dtype=bool)
    out = df[mask]
    out.attrs = {**df.attrs, "where": rf.text}
    return out


def with_population(table: pd.DataFrame, where: RowFilter | None) -> pd.DataFrame:
    """``table`` with the filter it was computed on as its first column (:data:`names.WHERE`), if there was one.

    Parameters
    ----------
    table : pandas.DataFrame
        A metrics table.
    where : RowFilter or None
        The filter applied to its rows.

    Returns
    -------
    pandas.DataFrame
        The table (unchanged without a filter); ``attrs["where"]`` too.
    """
    if where is None:
        return table
    table.insert(0, N.WHERE, where.text)
    table.attrs["where"] = where.text
    return table
