"""Personal data in any mapped column stops the ingest (issue 16, part 2): a custom mapping that reads the caller's
phone as the district or the incident id, or names as the unit, is refused in one line, nothing written."""

from __future__ import annotations

import pytest

from responsestats import ingest, read_calls
from responsestats.errors import MappingError

PHONES = [f"1{3 + i % 6}{i:09d}" for i in range(30)]  # Chinese mobile numbers (synthetic)
NAMES = [f"{s}某某" for s in "王李张刘陈杨黄赵吴周"] * 3


def _write(tmp_path, values, field: str, extra: str = "") -> tuple:
    src = tmp_path / "calls.csv"
    src.write_text("id,received,other\n" + "".join(f"{i},2024-03-01 10:{i % 60:02d}:00,{v}\n"
                                                  for i, v in enumerate(values, 1)), encoding="utf-8")  # fmt: skip
    mapping = tmp_path / "m.toml"
    id_source = "other" if field == "incident_id" else "id"
    body = (f'[format]\nname = "custom"\ntimezone = "UTC"\n[fields.incident_id]\nsource = "{id_source}"\n'
            '[fields.received_at]\nsource = "received"\nformats = ["%Y-%m-%d %H:%M:%S"]\n')
    if field != "incident_id":
        body += f'[fields.{field}]\nsource = "other"\n{extra}'
    else:
        body = body.replace('source = "other"\n', f'source = "other"\n{extra}', 1)
    mapping.write_text(body, encoding="utf-8")
    return src, mapping


@pytest.mark.parametrize(("field", "values", "kind"), [
    ("district", PHONES, "phone"),
    ("incident_id", PHONES, "phone"),
    ("call_type", NAMES, "name"),
    ("unit_id", [f"u{i}@example.org" for i in range(30)], "email"),
])  # fmt: skip
def test_a_personal_column_mapped_anywhere_is_refused(tmp_path, field, values, kind):
    src, mapping = _write(tmp_path, values, field)
    with pytest.raises(MappingError) as err:
        ingest([src], tmp_path / "ds", mapping=mapping, agency="a")
    text = str(err.value)
    assert f"field '{field}'" in text and "column 'other'" in text and f"({kind})" in text
    assert "not_personal" in text and values[0] not in text
    assert not list((tmp_path / "ds").rglob("*.parquet")) if (tmp_path / "ds").exists() else True
    # declared not personal, with a reason: kept
    src, mapping = _write(tmp_path, values, field, 'not_personal = "test: synthetic values"\n')
    ingest([src], tmp_path / "ok", mapping=mapping, agency="a")
    assert len(read_calls(tmp_path / "ok")) == len(values)


def test_ids_that_only_resemble_personal_data_pass(tmp_path):
    """Zero-padded ids (landline-like), 15-digit region + date ids and one stray phone number are not refused."""
    values = [f"0{2 + i % 7}{i:08d}" for i in range(20)] + [f"350600240101{i:03d}" for i in range(20)]
    src, mapping = _write(tmp_path, values, "incident_id")
    ingest([src], tmp_path / "ds", mapping=mapping, agency="a")
    assert len(read_calls(tmp_path / "ds")) == 40
    src, mapping = _write(tmp_path, ["North"] * 10 + [PHONES[0]], "district")  # one odd value is no column
    ingest([src], tmp_path / "ds2", mapping=mapping, agency="a")


@pytest.mark.parametrize("chunk", [1, 64, 4 << 20])
def test_the_verdict_does_not_depend_on_how_the_file_is_cut(tmp_path, chunk, monkeypatch):
    """Three personal values among eight rows are refused whether the reader cuts the file in blocks of one byte
    or reads it whole: the check judges windows of the file's values in file order, not blocks (found by the
    chunking fuzz test: a block of one row never held three)."""
    from responsestats.sources import csvchunks

    monkeypatch.setattr(csvchunks, "CHUNK_BYTES", chunk)
    values = ["一级"] * 5 + ["13812345678", "(415) 555-0199", "张某某"]
    src, mapping = _write(tmp_path, values, "priority")
    with pytest.raises(MappingError) as err:
        ingest([src], tmp_path / "ds", mapping=mapping, agency="a")
    assert "field 'priority'" in str(err.value) and not (tmp_path / "ds").exists()
