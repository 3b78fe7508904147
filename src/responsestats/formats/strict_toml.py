"""Strict reading of the project's TOML files: mappings and standard profiles alike.

Mappings (:mod:`.mapping`) and standard profiles
(:mod:`responsestats.metrics.standards`) are data written by users. Both are
parsed with :mod:`tomllib` (nothing in them is executed) and checked with the
functions below, so that every mistake gets the same kind of one-line message
naming the file, the table and the key: an unknown key lists the allowed ones,
a wrong type says what was expected and what was found.

Every function takes ``where`` (the file and table, e.g. ``"my.toml [format]"``)
and ``error``, the :class:`~responsestats.errors.UserError` subclass to raise.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from numbers import Real
from pathlib import Path
from typing import Any

from ..errors import UserError, one_line
from ..sources.base import read_small_file

#: Largest mapping or standard profile accepted [bytes]: the built-in ones are a few KiB.
MAX_TOML_BYTES = 1 << 20


def read_toml(path: Path, what: str, error: type[UserError] = UserError) -> dict[str, Any]:
    """Parse a TOML file.

    Parameters
    ----------
    path : Path
        The file.
    what : str
        What the file is, for messages (``"mapping"``, ``"standard"``).
    error : type
        The error raised.

    Raises
    ------
    UserError
        (``error``) When the file cannot be read, is not a regular file, is larger than
        :data:`MAX_TOML_BYTES` or is not valid TOML.
    """
    try:
        data = read_small_file(Path(path), MAX_TOML_BYTES, what, f"a {what} file is a few KiB of text")
    except UserError as exc:
        raise error(str(exc)) from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not valid TOML: not UTF-8 text at byte {exc.start}") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {one_line(exc)}") from None


def check_table(value: Any, where: str, error: type[UserError] = UserError) -> Mapping[str, Any]:
    """``value`` if it is a TOML table, else raise ``error``."""
    if not isinstance(value, Mapping):
        raise error(f"{where}: expected a table")
    return value


def check_keys(table: Any, allowed: Mapping[str, str] | set[str], where: str,
               error: type[UserError] = UserError) -> None:  # fmt: skip
    """Refuse a key of ``table`` that is not in ``allowed`` (the first one, in file order), listing the allowed ones."""
    check_table(table, where, error)
    for key in table:
        if key not in allowed:
            raise error(f"{where}: unknown key {key!r}; allowed keys are {sorted(allowed)}")


def str_list(value: Any, where: str, error: type[UserError] = UserError) -> list[str]:
    """A string or a list of strings (numbers allowed, as text) as a list of strings."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                               for v in value):
        raise error(f"{where}: expected a string or a list of strings, got {value!r}")
    return [str(v) for v in value]


def text(value: Any, where: str, error: type[UserError] = UserError) -> str:
    """``value`` if it is a string, else raise ``error``."""
    if not isinstance(value, str):
        raise error(f"{where}: expected text, got {value!r}")
    return value


def boolean(value: Any, where: str, error: type[UserError] = UserError) -> bool:
    """``value`` if it is ``true`` or ``false``, else raise ``error``."""
    if not isinstance(value, bool):
        raise error(f"{where}: expected true or false, got {value!r}")
    return value


def number(value: Any, where: str, low: float, high: float, *, low_open: bool = False,
           error: type[UserError] = UserError) -> float:  # fmt: skip
    """A finite number in ``[low, high]`` (``(low, high]`` with ``low_open``) as a float, else raise ``error``."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and value == value and abs(value) != float("inf")
    ok = ok and (value > low if low_open else value >= low) and value <= high
    if not ok:
        bound = f"{'>' if low_open else '>='} {low:g} and <= {high:g}"
        raise error(f"{where}: expected a number {bound}, got {value!r}")
    return float(value)
