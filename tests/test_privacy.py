"""The personal-data content check (``responsestats.privacy``) and every place a source value is kept or printed.

* what the check flags (phones, resident IDs with their check character, e-mail, names, free text) and what it
  lets pass (category values, timestamps, coordinates, identifiers);
* its precision on every distinct value of every category column of the bundled sample and the five real
  excerpts (none flagged), and its recall on the sample's caller and phone columns (all flagged);
* ``outcome_raw``, the report's ``unmapped_values`` and ``lookup_unmatched``, the quarantine's ``raw_value``,
  the briefing's table of report issues and ``responsestats inspect`` keep or print a value only when it passes.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from responsestats import ingest, load_mapping, privacy, read_calls, read_quarantine
from responsestats import schema as S
from responsestats.briefing import tables as T
from responsestats.briefing.columns import ITEM
from responsestats.cli import main
from responsestats.formats.inspect import _is_personal, inspect_file
from responsestats.formats.mapping import LOOKUP_KEY_PREFIX
from responsestats.ingestion.normalize import VALUE_PERSONAL
from responsestats.sources import open_source

from conftest import CN_HEADER, cn_row, write_csv
from paths import REAL_SAMPLE, REPO

SAMPLE_CN110 = REPO / "data" / "sample" / "cn110"
FORMATS = ("san_diego_pd", "san_jose_pd", "seattle_spd", "sffd", "virginia_beach_ems")
#: Columns with more distinct values than this are no category columns (ids, timestamps, coordinates).
CATEGORY_MAX_DISTINCT = 300


# --- what the check flags ---------------------------------------------------------------------------
@pytest.mark.parametrize("value, kind", [
    ("13812345678", privacy.KIND_PHONE), ("138-1234-5678", privacy.KIND_PHONE),
    ("+86 138 1234 5678", privacy.KIND_PHONE), ("１３８１２３４５６７８", privacy.KIND_PHONE),  # full-width digits
    ("0596-2345678", privacy.KIND_PHONE), ("(010)62345678", privacy.KIND_PHONE), ("05962345678", privacy.KIND_PHONE),
    ("(415) 555-0199", privacy.KIND_PHONE), ("415-555-0199", privacy.KIND_PHONE),
    ("+1 415 555 0199", privacy.KIND_PHONE), ("+44 20 7946 0958", privacy.KIND_PHONE),
    ("报警人13812345678", privacy.KIND_PHONE),
    ("11010519491231002X", privacy.KIND_ID_NUMBER), ("11010519491231002x", privacy.KIND_ID_NUMBER),
    ("身份证号11010519491231002X", privacy.KIND_ID_NUMBER), ("110105491231002", privacy.KIND_ID_NUMBER),
    ("zhang.san@example.com", privacy.KIND_EMAIL), ("mail me: a.b+c@mail.co.uk", privacy.KIND_EMAIL),
    ("张某某", privacy.KIND_NAME), ("孔某", privacy.KIND_NAME), ("欧阳某某", privacy.KIND_NAME),
    ("李先生", privacy.KIND_NAME), ("王女士", privacy.KIND_NAME),
    ("报警人称其电动车在小区门口被盗，请求处理", privacy.KIND_FREE_TEXT),
    ("caller says a man, \"armed\"\nwith a knife", privacy.KIND_FREE_TEXT),
    ("caller reports that a man with a knife was seen near the front door", privacy.KIND_FREE_TEXT),
    ("x" * 200, privacy.KIND_FREE_TEXT),
])  # fmt: skip
def test_the_check_flags_personal_values(value, kind):
    assert privacy.personal_kind(value) == kind
    assert privacy.personal_kind(value, category=False) == kind


@pytest.mark.parametrize("value", [
    None, "", "   ", "盗窃", "纠纷", "受案", "二级", "现行抓获", "报警人撤销", "芗城-01网格", "龙文西派出所", "城区",
    "2024-03-01 10:00:00", "20240315092336", "03/10/2024 2:30 AM", "117.712412", "24.51", "(37.77, -122.4)",
    "J3506002024010100001", "2018000012345", "4155550199", "99999999999999999999", "1e400", "=cmd|' /C calc'!A0",
    "110105194912310021",  # 18 digits, wrong check character
    "100105194912310021",  # no such province
    "PHYSICAL ARREST MADE", "REPORT WRITTEN (NO ARREST)", "CITATION ISSUED (CRIMINAL OR NON-CRIMINAL)",
    "No report required; dispatch record only", "Citizen Assist / Service Call", "Medical Incident",
])  # fmt: skip
def test_the_check_lets_category_values_and_stamps_pass(value):
    assert privacy.personal_kind(value) is None


def test_short_han_names_count_only_outside_category_columns():
    """张伟 cannot be told from 盗窃 by its shape: a name only where the column is no category."""
    for name in ("张伟", "欧阳修文", "王小明"):
        assert privacy.personal_kind(name) is None
        assert privacy.personal_kind(name, category=False) == privacy.KIND_NAME
    assert privacy.personal_kind("John Q. Caller", category=False) == privacy.KIND_NAME
    for value in ("盗窃", "受案", "二级", "不详", "无"):  # not a surname first: never a name
        assert privacy.personal_kind(value, category=False) is None


def test_placeholders_and_the_vectorised_redaction():
    assert privacy.placeholder(privacy.KIND_PHONE) == "[personal: phone]"
    assert privacy.placeholder(privacy.KIND_PHONE, 11) == "[personal: phone, 11 chars]"
    assert privacy.placeholder(None, 3) == "[personal, 3 chars]"
    values = pa.array(["受案", "13812345678", None, "13812345678", "张某", "受案"])
    kept, flagged, by_kind = privacy.redact(values, with_length=False)
    assert kept.to_pylist() == ["受案", "[personal: phone]", None, "[personal: phone]", "[personal: name]", "受案"]
    assert flagged.tolist() == [False, True, False, True, True, False]
    assert {k: m.tolist() for k, m in by_kind.items()} == {
        privacy.KIND_PHONE: [False, True, False, True, False, False],
        privacy.KIND_NAME: [False, False, False, False, True, False]}
    clean = pa.array(["受案", None])
    assert privacy.redact(clean)[0] is clean  # nothing flagged: the array itself
    kinds, codes = privacy.personal_kinds(values)
    assert [kinds[c] for c in codes] == [None, "phone", None, "phone", "name", None]


# --- precision and recall on the bundled data ------------------------------------------------------------
def _read(files, mapping) -> dict[str, list]:
    """Every column of the files as the ingest reads them (the mapping's encodings and delimiter)."""
    out: dict[str, list] = {}
    for path in files:
        src = open_source(Path(path), mapping.encodings, delimiter=mapping.delimiter, header_row=mapping.header_row)
        header = [h for h in src.header if h]
        for block in src.blocks(header):
            for h in header:
                out.setdefault(h, []).extend(block.columns[h].to_pylist())
    return out


def _category_values() -> dict[tuple[str, str], set[str]]:
    """(format, column) -> distinct values of every category column of the sample and the real excerpts.

    A category column: not a timestamp, number or id of the mapping, not personal by its header, and at most
    ``CATEGORY_MAX_DISTINCT`` distinct values; the lookup tables' values too (the San Diego dispositions).
    """
    found = {}
    sources = {"cn110": sorted(SAMPLE_CN110.glob("*.csv"))}
    sources.update({fmt: sorted((REAL_SAMPLE / fmt).glob("*.csv")) for fmt in FORMATS})
    for fmt, files in sources.items():
        mapping = load_mapping(fmt)
        columns = _read(files, mapping)
        resolved = mapping.resolve_columns(list(columns), fmt)
        skip = {src for field, src in resolved.items() if field in mapping.fields
                and (mapping.fields[field].kind in ("timestamp", "float") or field == S.INCIDENT_ID)}  # fmt: skip
        for column, values in columns.items():
            distinct = {str(v).strip() for v in values if v is not None} - {""}
            if column in skip or _is_personal(column) or len(distinct) > CATEGORY_MAX_DISTINCT:
                continue
            found[(fmt, column)] = distinct
        for lookup in mapping.lookups.values():
            for column, table in lookup.table.items():
                found[(fmt, LOOKUP_KEY_PREFIX + lookup.name + "." + column)] = {v for v in table.values() if v}
    return found


def test_no_category_value_of_the_samples_is_flagged():
    """Precision: 0 false positives on the ~3,000 distinct category values of data/sample (all seven formats'
    columns: call types, groups, priorities, grids, stations, area classes, outcomes, channels, units, ...)."""
    values = _category_values()
    assert sum(len(v) for v in values.values()) > 2500
    assert {fmt for fmt, _ in values} == {"cn110", *FORMATS}
    flagged = [(key, v, privacy.personal_kind(v)) for key, vs in values.items() for v in sorted(vs)
               if privacy.personal_kind(v) is not None]  # fmt: skip
    assert flagged == []


def test_the_samples_callers_and_phones_are_all_flagged():
    """Recall on the synthetic 110 log: every caller (张某某 style) and every phone number, in any column."""
    columns = _read(sorted(SAMPLE_CN110.glob("*.csv")), load_mapping("cn110"))
    for column, kind in (("报警人", privacy.KIND_NAME), ("报警电话", privacy.KIND_PHONE)):
        distinct = {v for v in columns[column] if v}
        assert len(distinct) > 100
        for category in (True, False):
            assert {privacy.personal_kind(v, category=category) for v in distinct} == {kind}, column


# --- the ingest keeps only values that pass -------------------------------------------------------------
def _texts(out: Path) -> str:
    """Every text a dataset holds, decoded: Parquet cells and every JSON report."""
    texts = []
    for path in sorted(out.rglob("*.parquet")):
        for column in pq.read_table(path).columns:
            texts += [str(v) for v in column.to_pylist() if v is not None]
    texts += [p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.json"))]
    return "\n".join(texts)


NARRATIVE = "报警人张某某13912345678称其电动车在小区门口被盗"


def test_outcome_raw_and_unmapped_values_keep_only_values_that_pass(tmp_path):
    rows = [cn_row("P1", "2024-03-01 10:00:00", result="调解处理"),
            cn_row("P2", "2024-03-01 11:00:00", result=NARRATIVE),
            cn_row("P3", "2024-03-01 12:00:00", result="13987654321"),
            cn_row("P4", "2024-03-01 13:00:00", result="13987654321"),
            cn_row("P5", "2024-03-01 14:00:00", result="李某某"),
            cn_row("P6", "2024-03-01 15:00:00", result="某种新结果")]  # fmt: skip
    path = write_csv(tmp_path / "calls.csv", CN_HEADER, rows)
    out = tmp_path / "ds"
    res = ingest([path], out, mapping="cn110", agency="zz")
    calls = read_calls(out).set_index(S.INCIDENT_ID)
    assert calls.loc["P1", S.OUTCOME_RAW] == "调解处理" and calls.loc["P6", S.OUTCOME_RAW] == "某种新结果"
    assert calls.loc["P2", S.OUTCOME_RAW] == "[personal: phone]"  # the phone is found first
    assert calls.loc["P3", S.OUTCOME_RAW] == calls.loc["P4", S.OUTCOME_RAW] == "[personal: phone]"
    assert calls.loc["P5", S.OUTCOME_RAW] == "[personal: name]"
    assert (calls.loc[["P2", "P3", "P5"], S.OUTCOME] == S.OUTCOME_OTHER).all()  # unmapped, as before
    report = res.files[0]
    assert report[S.R_VALUES_NULLED][S.OUTCOME_RAW] == {VALUE_PERSONAL.format(kind=privacy.KIND_PHONE): 3,
                                                        VALUE_PERSONAL.format(kind=privacy.KIND_NAME): 1}
    assert report[S.R_UNMAPPED_VALUES][S.OUTCOME] == {
        "[personal: phone, 11 chars]": 2, f"[personal: phone, {len(NARRATIVE)} chars]": 1,
        "[personal: name, 3 chars]": 1, "某种新结果": 1}  # fmt: skip
    text = _texts(out)
    for secret in ("13987654321", "13912345678", "李某某", "电动车", "张某某"):
        assert secret not in text


def test_lookup_keys_that_are_personal_are_listed_by_kind(tmp_path):
    """San Diego's dispositions are joined from a lookup: an unmatched key that is a phone is not listed."""
    source = next((REAL_SAMPLE / "san_diego_pd").glob("*.csv"))
    header, row = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"))))[:2]
    row[header.index("disposition")] = "619-555-0142"
    path = write_csv(tmp_path / "sd.csv", header, [row])
    res = ingest([path], tmp_path / "ds", mapping="san_diego_pd")
    assert res.files[0][S.R_LOOKUP_UNMATCHED] == {"dispo": {"[personal: phone, 12 chars]": 1}}
    assert "619-555-0142" not in _texts(tmp_path / "ds")


def test_swapped_headers_put_no_caller_in_the_quarantine(tmp_path):
    """Caller names under the call-time header: quarantined as unreadable, kept as their kind and length only."""
    header = list(CN_HEADER)
    i, j = header.index("接警时间"), header.index("报警人")
    header[i], header[j] = header[j], header[i]
    rows = [cn_row("Q1", "2024-03-01 10:00:00", caller="张伟"), cn_row("Q2", "2024-03-01 10:00:00", caller="欧阳某某"),
            cn_row("Q3", "2024-03-01 10:00:00", caller="13812345678"), cn_row("Q4", "2024-03-01 10:00:00",
                                                                             caller="garbage")]  # fmt: skip
    path = write_csv(tmp_path / "swapped.csv", header, rows)
    ingest([path], tmp_path / "ds", mapping="cn110", agency="zz")
    q = read_quarantine(tmp_path / "ds").set_index(S.Q_SOURCE_ROW)
    assert (q[S.Q_REASON] == S.REASON_BAD_TIMESTAMP).all() and (q[S.Q_COLUMN] == "接警时间").all()
    assert q[S.Q_RAW_VALUE].to_dict() == {1: "[personal: name, 2 chars]", 2: "[personal: name, 4 chars]",
                                          3: "[personal: phone, 11 chars]", 4: "garbage"}  # fmt: skip
    text = _texts(tmp_path / "ds")
    assert "张伟" not in text and "欧阳某某" not in text and "13812345678" not in text


def test_report_issues_mask_unmapped_values_of_older_reports():
    reports = [{S.R_SOURCE_FILE: "old.csv", S.R_UNMAPPED_VALUES: {S.OUTCOME: {"13812345678": 2, "某种新结果": 1}},
                S.R_VALUES_NULLED: {}, S.R_REPAIRS: {}}]  # fmt: skip
    items = T.report_issues(reports)[ITEM].tolist()
    assert sorted(items) == ["[personal: phone, 11 chars]", "某种新结果"]


# --- inspect prints nothing personal ----------------------------------------------------------------------
def test_inspect_masks_personal_columns_and_flagged_values(tmp_path, capsys):
    rows = [cn_row(f"J{i}", f"2024-07-01 08:{i:02d}:00", caller=c, phone=f"1381234{i:04d}", result=r)
            for i, (c, r) in enumerate([("张伟", "现行抓获"), ("李某某", "13912345678"), ("王五", "调解处理")] * 3)]
    path = write_csv(tmp_path / "cn.csv", CN_HEADER, rows, bom=True)
    result = inspect_file(path)
    cols = {c.name: c for c in result.columns}
    assert set(result.personal_columns) == {"报警人", "报警电话"}
    # a personal column is no category: its short Han values are names (with their kind)
    assert cols["报警人"].examples == [privacy.placeholder(privacy.KIND_NAME, n) for n in (2, 3, 2)]
    assert cols["报警人"].top_values == [] and cols["报警人"].masked == 3
    assert all(e == "[personal: phone, 11 chars]" for e in cols["报警电话"].examples)
    assert "[personal: phone, 11 chars]" in cols["处警结果"].examples and cols["处警结果"].masked == 1
    assert "13912345678" not in cols["处警结果"].top_values
    draft = result.draft_toml(timezone="Asia/Shanghai")
    assert '"现行抓获" = "arrest"' in draft and "13912345678" not in draft and "look personal" in draft
    assert main(["inspect", str(path), "--tz", "Asia/Shanghai"]) == 0
    printed = capsys.readouterr().out
    for secret in ["张伟", "李某某", "王五", "13912345678"] + [f"1381234{i:04d}" for i in range(9)]:
        assert secret not in printed, secret


def test_inspect_still_shows_the_real_excerpts_values():
    """Masking does not hide category values: the Seattle draft still maps its clearance descriptions."""
    result = inspect_file(REAL_SAMPLE / "seattle_spd" / "db_call_data_2018-2023.csv")
    assert sum(c.masked for c in result.columns) == 0
    assert '"PHYSICAL ARREST MADE" = "arrest"' in result.draft_toml(timezone="America/Los_Angeles")


def test_the_check_runs_once_per_distinct_value(monkeypatch):
    calls_made = []
    real = privacy.personal_kind

    def spy(value, *, category=True):
        calls_made.append(value)
        return real(value, category=category)

    monkeypatch.setattr(privacy, "personal_kind", spy)
    values = pa.array(np.array(["受案", "13812345678", "调解处理"] * 10_000, dtype=object))
    kept, flagged, _ = privacy.redact(values)
    assert int(flagged.sum()) == 10_000 and len(calls_made) == 3
    assert json.dumps(kept.unique().to_pylist(), ensure_ascii=False).count("personal") == 1
