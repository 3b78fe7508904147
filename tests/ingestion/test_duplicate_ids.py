"""Duplicate incident ids at incident level: counted, reported, and handled as the mapping says; synthetic ids.

docs/mappings.md, *Incident ids*; docs/reliability.md, *Rows that share an incident id are never merged silently*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from responsestats import incident_level, ingest, read_calls, read_quarantine
from responsestats import schema as S
from responsestats.errors import MappingError
from responsestats.formats.mapping import load_mapping
from responsestats.ingestion.fingerprints import SeenHashes
from responsestats.ingestion.normalize import FileContext, finish_block, prepare_block
from responsestats.sources import csvchunks, open_source

from conftest import CN_HEADER, cn_row, write_csv
from factories import write_mapping
from paths import REAL_SAMPLE

HEADER = ["id", "received", "district"]


def _mapping(tmp_path, action: str | None = None, fields: str = "", name: str = "m.toml", level: str = "incident"):
    extra = f'level = "{level}"\n' + (f'duplicate_ids = "{action}"\n' if action else "")
    return write_mapping(tmp_path / name, name="dup", timezone="UTC", format_extra=extra,
                         fields='[fields.district]\nsource = "district"\n' + fields)


def _rows() -> list[list[str]]:
    """A1 re-used by a later call (row 3), A2 written twice with another district (row 5), B1 once."""
    return [
        ["A1", "2024-03-01 10:00:00", "north"],
        ["A2", "2024-03-01 11:00:00", "south"],
        ["A1", "2024-03-02 09:30:00", "east"],
        ["B1", "2024-03-02 12:00:00", "north"],
        ["A2", "2024-03-01 11:00:00", "west"],
    ]


def test_a_reused_incident_id_is_quarantined_by_default_and_reported(tmp_path):
    path = write_csv(tmp_path / "calls.csv", HEADER, _rows())
    out = tmp_path / "ds"
    res = ingest([path], out, mapping=_mapping(tmp_path))
    report = res.files[0]
    assert (report[S.R_ROWS_READ], report[S.R_ROWS_WRITTEN], report[S.R_ROWS_QUARANTINED]) == (5, 3, 2)
    assert report[S.R_QUARANTINE_BY_REASON] == {S.REASON_DUPLICATE_ID: 2}
    assert report[S.R_DUPLICATE_INCIDENT_IDS] == {S.R_I_ACTION: "quarantine", S.R_I_ID_FROM: "column",
                                                  S.R_I_ROWS: 2, S.R_I_EXAMPLES: ["A1", "A2"]}
    calls = read_calls(out).sort_values(S.SOURCE_ROW)
    assert calls[S.SOURCE_ROW].tolist() == [1, 2, 4]  # the first row of each id stays
    assert calls[S.DISTRICT].tolist() == ["north", "south", "north"]
    q = read_quarantine(out).sort_values(S.Q_SOURCE_ROW)
    assert q[S.Q_SOURCE_ROW].tolist() == [3, 5]
    assert q[S.Q_COLUMN].tolist() == ["id", "id"] and q[S.Q_RAW_VALUE].tolist() == ["A1", "A2"]
    assert set(q[S.Q_REASON]) == {S.REASON_DUPLICATE_ID}
    line = res.summary_line()
    assert "duplicate_incident_ids 2" in line and "'A1'" in line and "quarantined" in line
    assert "duplicate_incident_id 2 in column 'id', e.g. 'A1' (row 3)" in line


def test_keep_first_sets_the_later_rows_aside_under_their_own_reason(tmp_path):
    path = write_csv(tmp_path / "calls.csv", HEADER, _rows())
    out = tmp_path / "ds"
    res = ingest([path], out, mapping=_mapping(tmp_path, "keep_first"))
    report = res.files[0]
    assert report[S.R_QUARANTINE_BY_REASON] == {S.REASON_LATER_ROW_OF_INCIDENT: 2}
    assert report[S.R_DUPLICATE_INCIDENT_IDS][S.R_I_ACTION] == "keep_first"
    assert report[S.R_DUPLICATE_INCIDENT_IDS][S.R_I_ROWS] == 2
    assert sorted(read_calls(out)[S.SOURCE_ROW]) == [1, 2, 4]
    assert "set aside, the first row kept" in res.summary_line()


def test_merge_keeps_every_row_and_the_incident_level_merges_them(tmp_path):
    path = write_csv(tmp_path / "calls.csv", HEADER, _rows())
    out = tmp_path / "ds"
    res = ingest([path], out, mapping=_mapping(tmp_path, "merge"))
    report = res.files[0]
    assert (report[S.R_ROWS_WRITTEN], report[S.R_ROWS_QUARANTINED]) == (5, 0)
    assert report[S.R_DUPLICATE_INCIDENT_IDS] == {S.R_I_ACTION: "merge", S.R_I_ID_FROM: "column",
                                                  S.R_I_ROWS: 2, S.R_I_EXAMPLES: ["A1", "A2"]}
    assert "kept, merged at incident level" in res.summary_line()
    incidents = incident_level(read_calls(out))
    assert incidents[S.INCIDENT_ID].tolist() == ["A1", "A2", "B1"]
    assert incidents.set_index(S.INCIDENT_ID).loc["A1", S.RECEIVED_AT] == pd.Timestamp("2024-03-01 10:00", tz="UTC")


def test_exact_duplicates_stay_duplicate_rows_and_a_quarantined_row_takes_no_id(tmp_path):
    rows = [
        ["A1", "2024-03-01 10:00:00", "north"],
        ["A1", "2024-03-01 10:00:00", "north"],  # exact duplicate: duplicate_row, not an id repeat
        ["C1", "not a time", "north"],           # quarantined: its id is not taken ...
        ["C1", "2024-03-03 10:00:00", "north"],  # ... so this row is kept
    ]
    path = write_csv(tmp_path / "calls.csv", HEADER, rows)
    res = ingest([path], tmp_path / "ds", mapping=_mapping(tmp_path))
    report = res.files[0]
    assert report[S.R_QUARANTINE_BY_REASON] == {S.REASON_DUPLICATE_ROW: 1, S.REASON_BAD_TIMESTAMP: 1}
    assert report[S.R_DUPLICATE_INCIDENT_IDS][S.R_I_ROWS] == 0
    assert sorted(read_calls(tmp_path / "ds")[S.SOURCE_ROW]) == [1, 4]


@pytest.mark.parametrize("chunk", [64, 300, None])
def test_repeats_are_found_across_blocks_whatever_the_cut(tmp_path, monkeypatch, chunk):
    """The first row of an id in file order is kept, however the file is cut into blocks."""
    if chunk is not None:
        monkeypatch.setattr(csvchunks, "CHUNK_BYTES", chunk)
    rng = np.random.default_rng(5)
    ids = [f"I{k}" for k in rng.integers(0, 150, 400)]
    rows = [[ident, f"2024-03-01 {i // 60 % 24:02d}:{i % 60:02d}:00", f"d{i}"] for i, ident in enumerate(ids)]
    path = write_csv(tmp_path / "calls.csv", HEADER, rows)
    out = tmp_path / "ds"
    res = ingest([path], out, mapping=_mapping(tmp_path))
    first_rows = sorted(pd.Series(ids).drop_duplicates().index + 1)
    assert sorted(read_calls(out)[S.SOURCE_ROW]) == first_rows
    assert res.files[0][S.R_DUPLICATE_INCIDENT_IDS][S.R_I_ROWS] == len(ids) - len(first_rows)
    assert sorted(read_quarantine(out)[S.Q_SOURCE_ROW]) == sorted(set(range(1, 401)) - set(first_rows))
    assert res.reconciled


@pytest.mark.parametrize("chunk", [2048, None])
def test_the_id_check_remembers_at_most_8_bytes_per_record(tmp_path, monkeypatch, chunk):
    """The bounded set behind the check holds 64-bit hashes: each block's distinct ids, never more than the rows."""
    if chunk is not None:
        monkeypatch.setattr(csvchunks, "CHUNK_BYTES", chunk)
    rows = [[f"I{i % 700}", "2024-03-01 10:00:00", f"d{i}"] for i in range(2000)]
    path = write_csv(tmp_path / "calls.csv", HEADER, rows)
    mapping = load_mapping(_mapping(tmp_path, "merge"))
    src = open_source(path, mapping.encodings, delimiter=mapping.delimiter, header_row=0, sheet=0)
    resolved = mapping.resolve_columns(src.header, str(path))
    ctx = FileContext(mapping=mapping, resolved=resolved, agency="a", timezone="UTC", source_file=path.name,
                      file_sha256="0" * 64)
    blocks = 0
    for block in src.blocks(mapping.columns_to_read(resolved)):
        finish_block(prepare_block(block, ctx), ctx)
        blocks += 1
    assert (blocks > 1) == (chunk is not None)
    assert isinstance(ctx.seen_ids, SeenHashes)
    held = sum(r.nbytes for r in ctx.seen_ids._runs)
    assert held == 8 * len(ctx.seen_ids) and 700 <= len(ctx.seen_ids) <= 2000
    assert len(ctx.seen_ids) == 700 if blocks == 1 else len(ctx.seen_ids) > 700
    assert ctx.stats.duplicate_id_rows == 1300  # whatever the blocks


def test_unit_level_rows_are_not_checked(tmp_path):
    path = REAL_SAMPLE / "sffd" / "Fire_Department_Calls_for_Service.csv"
    res = ingest([path], tmp_path / "ds", mapping="sffd")
    assert res.files[0][S.R_DUPLICATE_INCIDENT_IDS] == {}
    assert res.rows_written == 302 and "duplicate_incident_ids" not in res.summary_line()


def test_the_san_jose_excerpt_declares_merge_for_its_update_records(tmp_path):
    """3 EIDs appear twice (records of one CAD event): the built-in mapping keeps them, the report counts them."""
    path = REAL_SAMPLE / "san_jose_pd" / "sampled_file2024.csv"
    res = ingest([path], tmp_path / "ds", mapping="san_jose_pd")
    section = res.files[0][S.R_DUPLICATE_INCIDENT_IDS]
    assert section == {S.R_I_ACTION: "merge", S.R_I_ID_FROM: "column", S.R_I_ROWS: 3,
                       S.R_I_EXAMPLES: ["10044478", "9867082", "9919123"]}
    assert res.rows_written == 300
    # the same file under the default would lose the later record of each
    text = load_mapping("san_jose_pd").path.read_text(encoding="utf-8").replace('duplicate_ids = "merge"\n', "")
    default = tmp_path / "san_jose_default.toml"
    default.write_text(text, encoding="utf-8")
    res = ingest([path], tmp_path / "ds2", mapping=default)
    assert res.files[0][S.R_QUARANTINE_BY_REASON] == {S.REASON_DUPLICATE_ID: 3}


def test_a_cn110_file_that_reuses_an_incident_number(tmp_path):
    rows = [cn_row("J001", "2024-03-01 10:00:00"), cn_row("J002", "2024-03-01 11:00:00"),
            cn_row("J001", "2024-03-05 08:00:00", ctype="诈骗")]
    path = write_csv(tmp_path / "cn.csv", CN_HEADER, rows)
    res = ingest([path], tmp_path / "ds", mapping="cn110", agency="zz")
    q = read_quarantine(tmp_path / "ds")
    assert q[[S.Q_SOURCE_ROW, S.Q_COLUMN, S.Q_RAW_VALUE, S.Q_REASON]].values.tolist() == [
        [3, "接警单编号", "J001", S.REASON_DUPLICATE_ID]]
    assert res.files[0][S.R_DUPLICATE_INCIDENT_IDS][S.R_I_EXAMPLES] == ["J001"]


# --- synthetic ids ---------------------------------------------------------------------------------

def _synthetic_mapping(tmp_path, id_table: str, name: str = "syn.toml"):
    text = (
        '[format]\nname = "syn"\ntimezone = "UTC"\n\n'
        f"[fields.incident_id]\n{id_table}\n\n"
        '[fields.received_at]\nsource = "received"\nformats = ["%Y-%m-%d %H:%M:%S"]\nrequired = true\n\n'
        '[fields.district]\nsource = "district"\n\n[fields.call_type]\nsource = ["note", "call_type"]\n'
    )
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_row_id_for_a_source_without_ids(tmp_path):
    rows = [["2024-03-01 10:00:00", "north"], ["2024-03-01 10:00:00", "south"], ["2024-03-01 10:00:00", "south"]]
    path = write_csv(tmp_path / "export.csv", ["received", "district"], rows)
    res = ingest([path], tmp_path / "ds", mapping=_synthetic_mapping(tmp_path, 'synthetic = "file_row"'))
    calls = read_calls(tmp_path / "ds").sort_values(S.SOURCE_ROW)
    assert calls[S.INCIDENT_ID].tolist() == ["export.csv:1", "export.csv:2"]  # row 3 repeats row 2 exactly
    report = res.files[0]
    assert report[S.R_QUARANTINE_BY_REASON] == {S.REASON_DUPLICATE_ROW: 1}
    assert report[S.R_DUPLICATE_INCIDENT_IDS][S.R_I_ID_FROM] == "file_row"
    assert S.INCIDENT_ID not in report[S.R_FIELDS_NOT_IN_SOURCE]


def test_a_hash_id_names_an_incident_by_its_columns(tmp_path):
    """Rows that agree on the hash_of columns share an id: counted as duplicates; a re-export replaces them."""
    table = 'synthetic = "hash"\nhash_of = ["received", ["district", "zone"]]'
    mapping = _synthetic_mapping(tmp_path, table)
    header = ["received", "district", "note"]
    rows = [["2024-03-01 10:00:00", "north", "a"], ["2024-03-01 10:00:00", "south", "a"],
            ["2024-03-01 10:00:00", "north", "b"], ["", "", "c"], ["2024-03-01 10:00:00", "north", "b"]]
    path = write_csv(tmp_path / "jan.csv", header, rows)
    out = tmp_path / "ds"
    res = ingest([path], out, mapping=mapping)
    report = res.files[0]
    assert report[S.R_COLUMNS_USED] == {"incident_id.hash_of.1": "received", "incident_id.hash_of.2": "district",
                                        "district": "district", "received_at": "received", "call_type": "note"}
    # row 3 shares row 1's hash (another note), row 4 has no hash_of value at all, row 5 repeats row 3 exactly
    assert report[S.R_QUARANTINE_BY_REASON] == {S.REASON_DUPLICATE_ID: 1, S.REASON_MISSING_ID: 1,
                                                S.REASON_DUPLICATE_ROW: 1}
    assert report[S.R_DUPLICATE_INCIDENT_IDS][S.R_I_ID_FROM] == "hash"
    calls = read_calls(out).sort_values(S.SOURCE_ROW)
    ids = calls[S.INCIDENT_ID].tolist()
    assert len(ids) == 2 and ids[0] != ids[1] and all(len(i) == 16 and int(i, 16) >= 0 for i in ids)
    # the same two records in another export (another order, another note): replaced, not doubled
    again = write_csv(tmp_path / "jan_again.csv", ["note", "district", "received"],
                      [["x", "south", "2024-03-01 10:00:00"], ["y", "north", "2024-03-01 10:00:00"]])
    res2 = ingest([again], out, mapping=mapping)
    assert res2.rows_replaced == 2
    assert sorted(read_calls(out)[S.INCIDENT_ID]) == sorted(ids)


_RECEIVED = '[fields.received_at]\nsource = "r"\nformats = ["%Y-%m-%d"]\n'


@pytest.mark.parametrize("fmt, id_table, more, message", [
    ('duplicate_ids = "drop"', 'source = "id"', "",
     r"duplicate_ids: 'drop' is not one of \['quarantine', 'keep_first', 'merge'\]"),
    ('level = "unit"\nduplicate_ids = "merge"', 'source = "id"', '[fields.unit_id]\nsource = "u"\n',
     "applies at level = 'incident' only"),
    ("", 'synthetic = "row"', "", r"synthetic: 'row' is not one of \['file_row', 'hash'\]"),
    ("", 'synthetic = "hash"', "", "needs 'hash_of'"),
    ("", 'synthetic = "file_row"\nsource = "id"', "", "a synthetic id takes no 'source'"),
    ("", 'synthetic = "file_row"\nhash_of = ["a"]', "", "'hash_of' goes with synthetic = 'hash'"),
    ("", 'source = "id"\nhash_of = ["a"]', "", "'hash_of' needs synthetic = 'hash'"),
    ("", 'source = "id"', '[fields.district]\nsource = "d"\nsynthetic = "file_row"\n',
     r"'synthetic' applies only to \[fields.incident_id\]"),
    ('level = "unit"', 'synthetic = "file_row"', '[fields.unit_id]\nsource = "u"\n', "a unit-level source cannot be"),
])
def test_bad_duplicate_and_synthetic_keys_fail_at_load(tmp_path, fmt, id_table, more, message):
    path = tmp_path / "bad.toml"
    path.write_text(f'[format]\nname = "x"\ntimezone = "UTC"\n{fmt}\n\n[fields.incident_id]\n{id_table}\n\n'
                    f"{_RECEIVED}\n{more}", encoding="utf-8")
    with pytest.raises(MappingError, match=message):
        load_mapping(path)


def test_a_hash_column_missing_from_the_file_fails_before_reading(tmp_path):
    mapping = _synthetic_mapping(tmp_path, 'synthetic = "hash"\nhash_of = ["received", "Call Type"]')
    path = write_csv(tmp_path / "x.csv", ["received", "district"], [["2024-03-01 10:00:00", "n"]])
    with pytest.raises(MappingError, match=r"x.csv: required column for 'incident_id' \(column 2 of its synthetic "
                                           r"hash_of\) not found .*\['Call Type'\]"):
        ingest([path], tmp_path / "ds", mapping=mapping)
    assert not (tmp_path / "ds").exists()
