"""Typed cells as text, the same way for every typed source.

Typed cells (Excel dates and numbers, Parquet columns) are rendered as text
by :func:`render_cell` (one Python value) and :func:`arrow_to_text` (an Arrow
column): timestamps as ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (zone-aware instants
in UTC, with a ``Z``), whole numbers without a decimal point, booleans as
``true``/``false``.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pyarrow as pa


def render_cell(value) -> str | None:
    """One typed cell as text (see the module docstring); None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return value.isoformat(sep=" ") + "Z"
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        total = int(round(value.total_seconds()))
        sign = "-" if total < 0 else ""
        h, rem = divmod(abs(total), 3600)
        return f"{sign}{h}:{rem // 60:02d}:{rem % 60:02d}"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def arrow_to_text(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A typed Arrow column as text, rendered like :func:`render_cell`."""
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    if pa.types.is_dictionary(t):
        return arrow_to_text(arr.dictionary_decode())
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return arr.cast(pa.string())
    if pa.types.is_timestamp(t):
        if t.tz is not None:
            utc = arr.cast(pa.timestamp(t.unit))  # the UTC instant
            return pc.binary_join_element_wise(_ts_text(utc), pa.scalar("Z"), pa.scalar(""))
        return _ts_text(arr)
    if pa.types.is_date(t):
        return pc.strftime(arr.cast(pa.date32()).cast(pa.timestamp("s")), format="%Y-%m-%d")
    if pa.types.is_floating(t):
        values = [render_cell(v) for v in arr.to_pylist()]
        return pa.array(values, pa.string())
    if pa.types.is_duration(t):
        seconds = pc.divide(arr.cast(pa.int64()).cast(pa.float64()),
                            {"s": 1, "ms": 1e3, "us": 1e6, "ns": 1e9}[t.unit])
        return pa.array([render_cell(v) for v in seconds.to_pylist()], pa.string())
    if pa.types.is_time(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return pa.array([render_cell(v) if not isinstance(v, bytes) else v.decode("utf-8", "replace")
                         for v in arr.to_pylist()], pa.string())
    if not pa.types.is_nested(t):
        try:
            return arr.cast(pa.string())
        except pa.ArrowException:
            pass
    # lists, structs, maps, intervals...: as JSON text (no canonical field reads them as they are)
    return pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                     for v in arr.to_pylist()], pa.string())


def _ts_text(arr: pa.Array) -> pa.Array:
    """Naive timestamps as ``YYYY-MM-DD HH:MM:SS``, with ``.ffffff`` only where there is a fraction."""
    import pyarrow.compute as pc

    text = pc.strftime(arr.cast(pa.timestamp("us"), safe=False), format="%Y-%m-%d %H:%M:%S")
    return pc.replace_substring_regex(text, pattern=r"\.000000$", replacement="")


