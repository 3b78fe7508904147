"""Dimensions: the agency's own columns kept beside the canonical ones (issue 14, part 1).

A mapping's ``[dimensions.<name>]`` keeps a source column as a named dimension, stored as ``dim_<name>``
(dictionary-encoded text), read back under its own name, usable in ``by`` and ``where``; a file without the
column reads as null; a dimension whose values look personal is refused unless the mapping says why not.
"""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from paths import REAL_SAMPLE
from responsestats import read_calls, read_reports, summarize
from responsestats import schema as S
from responsestats.cli import main
from responsestats.errors import MappingError
from responsestats.formats.mapping import load_mapping, parse_mapping
from responsestats.ingestion import ingest
from responsestats.metrics import outcome_summary
from responsestats.store import list_dimensions

HEADER = "id,received,dispatched,station,shift,caller_phone\n"


def _row(i: int, station: str, shift: str = "A", phone: str = "") -> str:
    return f"{i},2024-03-01 10:{i % 60:02d}:00,2024-03-01 10:{i % 60:02d}:40,{station},{shift},{phone}\n"


def _mapping(tmp_path, dims: str, name: str = "dims.toml"):
    text = ('[format]\nname = "dims"\ntimezone = "UTC"\n\n[fields.incident_id]\nsource = "id"\nrequired = true\n\n'
            '[fields.received_at]\nsource = "received"\nformats = ["%Y-%m-%d %H:%M:%S"]\nrequired = true\n\n'
            '[fields.dispatched_at]\nsource = "dispatched"\nformats = ["%Y-%m-%d %H:%M:%S"]\n\n' + dims)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


STATION = '[dimensions.station]\nsource = ["station", "Station Name"]\n\n[dimensions.shift]\nsource = "shift"\n'


def test_dimensions_are_kept_stored_under_a_prefix_and_read_by_name(tmp_path):
    march = tmp_path / "march.csv"
    march.write_text(HEADER + "".join(_row(i, ["North", "South"][i % 2]) for i in range(1, 11)), encoding="utf-8")
    april = tmp_path / "april.csv"  # schema drift: this month's export has no station column
    april.write_text("id,received,dispatched,shift\n" + "".join(
        f"{i},2024-04-02 10:00:00,2024-04-02 10:01:00,B\n" for i in range(11, 15)), encoding="utf-8")
    ds = tmp_path / "ds"
    ingest([march, april], ds, mapping=_mapping(tmp_path, STATION), agency="a")
    # stored as dim_<name>, dictionary-encoded, after the canonical columns
    part = pq.read_schema(next((ds / "agency=a" / "year=2024" / "month=3").glob("*.parquet")))
    assert part.names[: len(S.COLUMNS)] == list(S.COLUMNS)
    assert part.field("dim_station").type == S.DIMENSION_TYPE and "station" not in part.names
    reports = read_reports(ds)
    assert all(r[S.R_DIMENSIONS] == ["station", "shift"] for r in reports)
    assert list_dimensions(ds) == ("shift", "station")
    calls = read_calls(ds)
    assert list(calls.columns[-2:]) == ["shift", "station"]
    assert calls.loc[calls.incident_id == "1", "station"].item() == "South"  # row 1: odd, South
    assert calls.loc[calls.incident_id == "12", "station"].isna().all()  # the April file had no such column
    assert (calls.loc[calls.incident_id == "12", "shift"] == "B").all()
    # usable as a canonical column: by, where, and the command line
    by = summarize(calls, "call_processing_s", by="station").set_index("station")
    assert by.at["North", "n"] == 5 and by.at["South", "n"] == 5
    filtered = summarize(calls, "call_processing_s", where="station = 'north'")
    assert filtered["n"].item() == 5 and filtered["where"].item() == "station = 'north'"
    assert outcome_summary(calls, by="shift").set_index("shift").at["B", "incidents"] == 4
    assert read_calls(ds, columns=["incident_id", "station"]).shape == (14, 2)


def test_the_command_line_groups_and_filters_by_a_dimension(tmp_path, capsys):
    src = tmp_path / "calls.csv"
    src.write_text(HEADER + "".join(_row(i, ["North", "South"][i % 2]) for i in range(1, 11)), encoding="utf-8")
    ingest([src], tmp_path / "ds", mapping=_mapping(tmp_path, STATION), agency="a")
    assert main(["metrics", str(tmp_path / "ds"), "--interval", "call_processing", "--by", "station", "--where",
                 "shift = 'A'", "--format", "csv"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "station" in out.splitlines()[0] and "North" in out and "South" in out
    assert main(["metrics", str(tmp_path / "ds"), "--interval", "call_processing", "--by", "beat"]) == 2
    assert "cannot group by 'beat'" in capsys.readouterr().err


def _id_number(seq: int) -> str:
    """A valid 18-digit Chinese resident ID number (GB 11643 check digit), synthetic."""
    body = f"350602199001{(seq % 28) + 1:02d}{seq % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


@pytest.mark.parametrize(
    ("values", "what"),
    [
        ([f"1{3 + i % 6}{i:09d}" for i in range(40)], "personal data (phone)"),  # mobile numbers
        ([_id_number(i) for i in range(40)], "personal data (id_number)"),
        ([f"note {i}: the caller said the car was parked by gate {i}" for i in range(250)], "free text"),
    ],
)
def test_a_dimension_that_looks_personal_is_refused(tmp_path, values, what):
    src = tmp_path / "calls.csv"
    src.write_text(HEADER + "".join(_row(i, "North", phone=v) for i, v in enumerate(values, 1)), encoding="utf-8")
    mapping = _mapping(tmp_path, '[dimensions.contact]\nsource = "caller_phone"\n')
    ds = tmp_path / "ds"
    with pytest.raises(MappingError) as err:
        ingest([src], ds, mapping=mapping, agency="a")
    text = str(err.value)
    assert "calls.csv" in text and "dimension 'contact'" in text and "caller_phone" in text and what in text
    assert "not_personal" in text and values[0] not in text  # says what to do, never shows a value
    assert not ds.exists() or not list(ds.rglob("*.parquet"))
    # the mapping can say why the values are not personal: then they are kept
    declared = _mapping(tmp_path, '[dimensions.contact]\nsource = "caller_phone"\n'
                                  'not_personal = "test fixture: synthetic values"\n', "declared.toml")
    ingest([src], tmp_path / "ok", mapping=declared, agency="a")
    assert read_calls(tmp_path / "ok")["contact"].notna().all()


@pytest.mark.parametrize(
    ("dims", "message"),
    [
        ('[dimensions.district]\nsource = "station"\n', "not a canonical column"),
        ('[dimensions.month]\nsource = "station"\n', "not a canonical column or a time key"),
        ('[dimensions.Station]\nsource = "station"\n', "lower-case"),
        ('[dimensions.station]\nsource = "station"\nformats = ["%H"]\n', "formats"),
        ('[dimensions.station]\nsource = "station"\nnot_personal = ""\n', "give the reason"),
    ],
)
def test_bad_dimension_tables_are_named(tmp_path, dims, message):
    with pytest.raises(MappingError, match=message):
        load_mapping(_mapping(tmp_path, dims))


def test_dimensions_take_the_keys_of_a_text_field(tmp_path):
    mapping = parse_mapping({"format": {"name": "x", "timezone": "UTC"},
                             "fields": {"incident_id": {"source": "id"},
                                        "received_at": {"source": "r", "formats": ["%Y"]}},
                             "dimensions": {"shift": {"source": ["Shift", "shift"], "map": {"A": "day"},
                                                      "default": "other", "na_values": ["-"], "extract": "^(\\w)"}}})  # fmt: skip
    spec = mapping.fields[S.dimension_column("shift")]
    assert spec.source == ("Shift", "shift") and spec.value_map == {"A": "day"} and spec.default == "other"
    assert mapping.dimensions == {"shift": ""}


BUILTIN_DIMENSIONS = {
    "sffd": ("battalion", "station_area", "unit_type"),
    "seattle_spd": ("beat", "initial_call_type", "precinct", "sector"),
    "san_diego_pd": ("beat", "day_of_week"),
    "san_jose_pd": ("call_type_code", "city"),
    "virginia_beach_ems": ("rescue_squad", "status"),
}


@pytest.mark.parametrize("fmt", sorted(BUILTIN_DIMENSIONS))
def test_builtin_formats_keep_the_dimensions_of_their_real_files(fmt, tmp_path):
    ds = tmp_path / "ds"
    ingest(sorted((REAL_SAMPLE / fmt).glob("*.csv")), ds, mapping=fmt, agency="x")
    assert list_dimensions(ds) == BUILTIN_DIMENSIONS[fmt]
    calls = read_calls(ds)
    for dim in BUILTIN_DIMENSIONS[fmt]:
        assert calls[dim].notna().mean() > 0.5, dim


def test_the_110_sample_keeps_station_key_site_and_call_source(sample_dataset):
    # subtype (警情细类) is declared by cn110 and empty in the small sample (the city scale fills it)
    assert list_dimensions(sample_dataset) == ("call_source", "key_site", "station", "subtype")
    calls = read_calls(sample_dataset)
    assert calls["station"].notna().all() and calls["station"].nunique() > 5
    assert calls["key_site"].nunique() == 76  # the seed article's 76 key sites
    assert 0.05 < calls["key_site"].notna().mean() < 0.5  # most calls are at no key site
    assert "巡逻发现" in set(calls["call_source"])
