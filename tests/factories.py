"""Builders of test inputs, in one place: canonical call frames and minimal mapping files.

Tests use these through the fixtures of ``conftest.py`` (``make_calls``,
``minimal_mapping``) or import them directly (``from factories import calls``).
"""

from __future__ import annotations

from numbers import Real
from pathlib import Path

import pandas as pd
import pyarrow as pa

from responsestats import schema as S

#: The zone of a frame's rows when a test names none.
DEFAULT_ZONE = "America/Los_Angeles"
#: The zone of the bundled 110 sample.
SAMPLE_ZONE = "Asia/Shanghai"

_DEFAULTS = {
    S.AGENCY: "a",
    S.OUTCOME: S.OUTCOME_UNKNOWN,
    S.SOURCE_FILE: "fixture.csv",
}


def _stamp(value, received: pd.Timestamp | None, zone: str):
    """A local-time string (naive: in ``zone``; or with an offset), seconds after received, or None."""
    if value is None:
        return None
    if isinstance(value, Real) and not isinstance(value, bool):
        return received + pd.Timedelta(seconds=float(value))
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize(zone, ambiguous="raise", nonexistent="raise")
    return ts.tz_convert("UTC")


def calls(rows: list[dict], tz: str = DEFAULT_ZONE) -> pd.DataFrame:
    """A canonical frame, as the store returns it, from dicts of local times.

    Each dict names canonical columns. Timestamps are local-time strings in
    the row's ``timezone`` (default ``tz``), strings with an explicit offset,
    or numbers = seconds after the row's ``received_at``. Missing columns are
    null; ``incident_id`` defaults to the row number, ``agency`` to "a",
    ``outcome`` to "unknown".
    """
    records = []
    for i, row in enumerate(rows):
        unknown = set(row) - set(S.COLUMNS)
        assert not unknown, f"not canonical columns: {unknown}"
        rec = {c: None for c in S.COLUMNS}
        rec.update(_DEFAULTS)
        rec[S.INCIDENT_ID] = str(i + 1)
        rec[S.SOURCE_ROW] = i + 1
        rec[S.TIMEZONE] = tz
        rec.update({k: v for k, v in row.items() if k not in S.TIMESTAMP_COLUMNS})
        zone = rec[S.TIMEZONE]
        received = _stamp(row[S.RECEIVED_AT], None, zone)
        rec[S.RECEIVED_AT] = received
        for col in S.TIMESTAMP_COLUMNS[1:]:
            rec[col] = _stamp(row.get(col), received, zone)
        records.append(rec)
    table = pa.Table.from_pylist(records, schema=S.CANONICAL_SCHEMA)
    return table.to_pandas()


#: An ``arrived_at`` field for :func:`mapping_toml`'s ``fields``: column ``arrived``, the same layout as ``received``.
ARRIVED = '[fields.arrived_at]\nsource = "arrived"\nformats = ["%Y-%m-%d %H:%M:%S"]\n'


def mapping_toml(name: str = "minimal", timezone: str = "UTC", *, received_formats: tuple[str, ...] = (
                 "%Y-%m-%d %H:%M:%S",), received: str = "", fields: str = "", format_extra: str = "",
                 extra: str = "") -> str:  # fmt: skip
    """The text of a minimal mapping: ``incident_id`` from column ``id`` and ``received_at`` from ``received``.

    Parameters
    ----------
    name, timezone : str
        The ``[format]`` name and IANA zone.
    received_formats : tuple of str
        The layouts of ``received``.
    received : str
        More keys of ``[fields.received_at]`` (TOML lines).
    fields : str
        More ``[fields.*]`` tables (TOML text).
    format_extra, extra : str
        More keys of ``[format]``, and more tables (``[repairs]``, ``[lookups.*]``).
    """
    formats = ", ".join(f'"{f}"' for f in received_formats)
    return (
        f'[format]\nname = "{name}"\ntimezone = "{timezone}"\n{format_extra}\n'
        f"{extra}\n"
        '[fields.incident_id]\nsource = "id"\nrequired = true\n\n'
        f'[fields.received_at]\nsource = "received"\nformats = [{formats}]\nrequired = true\n{received}\n'
        f"{fields}\n"
    )


def write_mapping(path: Path, **kwargs) -> Path:
    """:func:`mapping_toml` written to ``path`` (returned)."""
    Path(path).write_text(mapping_toml(**kwargs), encoding="utf-8")
    return Path(path)
