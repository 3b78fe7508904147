"""Privacy: nothing personal is kept, unless linked as a salted hash on request (issue #7, part 5).

* No built-in mapping reads a name, phone, address or narrative column; every column a mapping does
  not name is never read, so values planted in those columns reach no output, for every built-in
  format (CSV and Parquet inputs).
* The quarantine keeps the raw value of the failing column only.
* ``[format] link_fields`` + ``--link-salt-file``: the caller's columns are stored only as
  ``caller_key`` (HMAC-SHA-256 keyed with the salt).

Outputs are scanned decoded (every cell of every Parquet file, its schema metadata, every JSON
report), not as compressed bytes, in which a planted value could hide.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from responsestats import ingest, load_mapping, read_calls, read_quarantine
from responsestats import schema as S
from responsestats.cli import main
from responsestats.config import SAMPLE_CN110_DIR
from responsestats.errors import MappingError, UserError
from responsestats.formats.mapping import builtin_formats
from responsestats.ingestion.normalize import normalize_link_value

from conftest import CN_HEADER, cn_row, write_csv
from paths import REPO
from reliability_helpers import TALLY, check_ingest

EXCERPTS = REPO / "data" / "sample" / "real"
#: Column names that hold personal data in the exports we know (English and Chinese).
PERSONAL_COLUMN = re.compile(
    r"caller|name|phone|tel(ephone)?\b|address|addr\b|street|narrative|comment|remark|notes?\b|"
    r"报警人|电话|地址|姓名|身份证|内容|简要案情", re.I)
#: An 11-digit Chinese mobile number, or a North American number, not inside a longer word or number.
PHONE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d{9}|\(?\d{3}\)?[ .-]\d{3}-\d{4})(?![0-9A-Za-z])")


def output_strings(out: Path) -> list[str]:
    """Every text a dataset holds, decoded: Parquet cells, column names and metadata; JSON reports; file names."""
    texts = [str(p.relative_to(out)) for p in out.rglob("*")]
    for path in sorted(out.rglob("*.parquet")):
        table = pq.read_table(path)
        texts += table.schema.names
        texts += [f"{k!r}{v!r}" for k, v in (table.schema.metadata or {}).items()]
        for column in table.columns:
            texts += [str(v) for v in column.to_pylist() if v is not None]
    for path in sorted(out.rglob("*.json")):
        texts.append(path.read_text(encoding="utf-8"))
    return texts


def leaks(out: Path, needles, patterns=()) -> list[str]:
    found = []
    for text in output_strings(out):
        found += [n for n in needles if n and n in text]
        for pattern in patterns:
            found += [m.group(0) for m in pattern.finditer(text)]
    return sorted(set(found))


# --- what the built-in formats read ----------------------------------------------------------------
@pytest.mark.parametrize("fmt", sorted(builtin_formats()))
def test_no_builtin_mapping_reads_a_personal_column(fmt):
    mapping = load_mapping(fmt)
    sources = [alias for spec in mapping.fields.values() for alias in spec.source + spec.date_source]
    sources += [alias for lookup in mapping.lookups.values() for alias in lookup.on]
    assert not [s for s in sources if PERSONAL_COLUMN.search(s)], sources
    assert not mapping.link_fields
    # and the schema has no field for such data
    assert not [c for c in S.COLUMNS if PERSONAL_COLUMN.search(c) and c != S.CALLER_KEY]  # caller_key: a hash


def _planted(column: str, i: int) -> str:
    return f"Zebulon Quixby{i} ({i % 10}15) 555-01{i % 100:02d} {i} Plantation Ave, {column}"


@pytest.mark.parametrize("kind", ["csv", "parquet"])
@pytest.mark.parametrize("fmt", sorted(set(builtin_formats()) - {"cn110"}))
def test_unmapped_columns_reach_no_output(fmt, kind, tmp_path):
    """Each real excerpt with every column its format does not map overwritten by planted personal data."""
    source = next((EXCERPTS / fmt).glob("*.csv"))
    frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig").head(120)
    mapping = load_mapping(fmt)
    used = set(mapping.columns_to_read(mapping.resolve_columns(list(frame.columns), fmt)))
    assert not [c for c in used if PERSONAL_COLUMN.search(c)]
    unmapped = [c for c in frame.columns if c not in used]
    assert {c for c in frame.columns if PERSONAL_COLUMN.search(c)} <= set(unmapped)
    for j, column in enumerate(unmapped):
        frame[column] = [_planted(column, 100 * j + i) for i in range(len(frame))]
    path = tmp_path / f"planted.{kind}"
    if kind == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    out = tmp_path / "ds"
    res = check_ingest([path], out, mapping=fmt, family="privacy: planted personal columns")
    assert res.rows_written > 0
    assert leaks(out, ["Zebulon", "Quixby", "Plantation", "555-01"]) == []
    TALLY[("privacy: planted personal columns", f"{fmt} {kind}: nothing planted in any output")] += 1


def test_cn110_caller_name_and_phone_reach_no_output(tmp_path, capsys):
    """The synthetic 110 log carries 报警人 (caller) and 报警电话 (phone) on every row: none reaches any output,
    including the JSON report printed by the CLI."""
    month = sorted(SAMPLE_CN110_DIR.glob("*.csv"))[0]
    frame = pd.read_csv(month, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    names = {n for n in frame["报警人"] if n}
    phones = {p for p in frame["报警电话"] if p}
    assert len(names) > 100 and len(phones) > 100
    out = tmp_path / "ds"
    assert main(["ingest", str(month), "--format", "cn110", "--agency", "zz", "--out", str(out), "--report", "-"]) == 0
    printed = capsys.readouterr().out
    assert leaks(out, names | phones, [PHONE]) == []
    assert not [v for v in names | phones if v in printed] and not PHONE.search(printed)
    assert "报警电话" not in printed  # not even the column's name


def test_quarantine_keeps_only_the_failing_columns_value(tmp_path):
    """Every quarantine reason, on rows whose caller, phone and an extra narrative column are planted."""
    header = CN_HEADER + ["简要案情"]

    def row(*args, **kw):
        r = cn_row(*args, caller="PlantedName", phone="13900001111", **kw)
        return r + ["PlantedNarrative knife"]

    rows = [row("Q1", "2024-03-01 10:00:00"), row("", "2024-03-01 10:00:00"), row("Q3", "2024-02-30 10:00:00"),
            row("Q4", ""), row("Q1", "2024-03-01 10:00:00"), header, row("Q7", "2024-03-01 10:00:00")[:-3],
            row("Q8", "2024-03-01 10:00:00", dispatched="garbage")]
    path = write_csv(tmp_path / "q.csv", header, rows)
    out = tmp_path / "ds"
    check_ingest([path], out, mapping="cn110", family="privacy: quarantine")
    mapping = load_mapping("cn110")
    mapped = set(mapping.columns_to_read(mapping.resolve_columns(header, "q.csv")))
    q = read_quarantine(out)
    assert set(q[S.Q_REASON]) == {S.REASON_MISSING_ID, S.REASON_BAD_TIMESTAMP, S.REASON_MISSING_TIMESTAMP,
                                  S.REASON_DUPLICATE_ROW, S.REASON_REPEATED_HEADER, S.REASON_RAGGED_ROW}
    for rec in q.itertuples():
        column, raw = getattr(rec, S.Q_COLUMN), getattr(rec, S.Q_RAW_VALUE)
        if pd.isna(column):
            assert pd.isna(raw)  # whole-record reasons keep no value at all
        else:
            assert column in mapped
            source = rows[getattr(rec, S.Q_SOURCE_ROW) - 1]
            assert pd.isna(raw) or raw == source[header.index(column)].strip()
    assert leaks(out, ["PlantedName", "13900001111", "PlantedNarrative", "knife"], [PHONE]) == []


# --- linking callers, opt-in ------------------------------------------------------------------------
SALT = "k3y-for-tests-only-9f2c1e7a5b"


def _link_mapping(tmp_path: Path) -> Path:
    text = (Path(load_mapping("cn110").path).read_text(encoding="utf-8")
            .replace('clock_start = ', 'link_fields = [["报警电话", "BJDH"]]\nclock_start = ', 1))
    path = tmp_path / "cn110_link.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _hmac(value: str, salt: str = SALT) -> str:
    return hmac.new(salt.encode(), value.encode(), hashlib.sha256).hexdigest()


def test_caller_key_links_calls_without_keeping_the_phone(tmp_path):
    rows = [cn_row("K1", "2024-03-01 10:00:00", phone="13812345678"),
            cn_row("K2", "2024-03-02 10:00:00", phone=" 13812345678 "),   # same caller, spaces around
            cn_row("K3", "2024-03-03 10:00:00", phone="13987654321"),
            cn_row("K4", "2024-03-04 10:00:00", phone=""),                # unknown caller: no key
            cn_row("", "2024-03-05 10:00:00", phone="13700000000")]       # quarantined: its phone goes nowhere
    path = write_csv(tmp_path / "calls.csv", CN_HEADER, rows)
    out = tmp_path / "ds"
    res = check_ingest([path], out, mapping=_link_mapping(tmp_path), family="privacy: caller_key", link_salt=SALT)
    keys = read_calls(out).set_index(S.INCIDENT_ID)[S.CALLER_KEY]
    assert keys["K1"] == keys["K2"] == _hmac("13812345678")
    assert keys["K3"] == _hmac("13987654321") and keys["K3"] != keys["K1"]
    assert pd.isna(keys["K4"])
    assert res.files[0]["caller_key_from"] == ["报警电话"]
    assert leaks(out, ["13812345678", "13987654321", "13700000000", SALT, "张某某"], [PHONE]) == []
    # another salt, other keys; no salt, no key
    other = check_ingest([path], tmp_path / "ds2", mapping=_link_mapping(tmp_path), family="privacy: caller_key",
                         link_salt=SALT[::-1])
    assert other.rows_written == res.rows_written
    assert set(read_calls(tmp_path / "ds2")[S.CALLER_KEY].dropna()).isdisjoint(set(keys.dropna()))
    plain = check_ingest([path], tmp_path / "ds3", mapping="cn110", family="privacy: caller_key")
    assert read_calls(tmp_path / "ds3")[S.CALLER_KEY].isna().all()
    # linking changes nothing else: same rows kept, same quarantine
    assert plain.files[0]["quarantine_by_reason"] == res.files[0]["quarantine_by_reason"]
    a = read_calls(out).drop(columns=[S.CALLER_KEY]).sort_values(S.SOURCE_ROW).reset_index(drop=True)
    b = read_calls(tmp_path / "ds3").drop(columns=[S.CALLER_KEY]).sort_values(S.SOURCE_ROW).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_link_value_normalisation():
    assert normalize_link_value("  ＡＢＣ  Def ") == "abc def"  # NFKC, case folded, spaces collapsed
    assert normalize_link_value(None) == ""


def test_linkage_needs_both_the_columns_and_a_salt(tmp_path):
    path = write_csv(tmp_path / "calls.csv", CN_HEADER, [cn_row("K1", "2024-03-01 10:00:00")])
    linked = _link_mapping(tmp_path)
    with pytest.raises(UserError, match="link_fields: give a secret salt"):
        ingest([path], tmp_path / "ds", mapping=linked)
    with pytest.raises(UserError, match="has no \\[format\\] link_fields"):
        ingest([path], tmp_path / "ds", mapping="cn110", link_salt=SALT)
    with pytest.raises(UserError, match="at least 16"):
        ingest([path], tmp_path / "ds", mapping=linked, link_salt="short")
    no_phone = write_csv(tmp_path / "nophone.csv", [h for h in CN_HEADER if h != "报警电话"],
                         [[v for h, v in zip(CN_HEADER, cn_row("K1", "2024-03-01 10:00:00")) if h != "报警电话"]])
    with pytest.raises(MappingError, match="link column"):
        ingest([no_phone], tmp_path / "ds", mapping=linked, link_salt=SALT)
    assert not (tmp_path / "ds").exists()


def test_link_salt_file_on_the_command_line(tmp_path, capsys):
    path = write_csv(tmp_path / "calls.csv", CN_HEADER, [cn_row("K1", "2024-03-01 10:00:00", phone="13812345678")])
    salt_file = tmp_path / "salt.txt"
    salt_file.write_text(SALT + "\n", encoding="utf-8")
    out = tmp_path / "ds"
    args = ["ingest", str(path), "--mapping", str(_link_mapping(tmp_path)), "--out", str(out), "--report", "-"]
    assert main(args + ["--link-salt-file", str(salt_file)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"][0]["caller_key_from"] == ["报警电话"] and SALT not in json.dumps(report)
    assert read_calls(out)[S.CALLER_KEY].tolist() == [_hmac("13812345678")]
    assert main(args + ["--link-salt-file", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read the link salt" in capsys.readouterr().err


# --- a custom mapping, through to the briefing (issue 16, part 2) ---------------------------------------------
def _custom_110(tmp_path: Path, extra: str = "") -> Path:
    """A mapping of the agency's own: cn110's text, renamed, districts read from the stations, plus ``extra``."""
    text = Path(load_mapping("cn110").path).read_text(encoding="utf-8")
    text = text.replace('name = "cn110"', 'name = "county110"', 1)
    text = text.replace('source = ["所属网格", "SSWG", "管辖单位", "GXDW"]', 'source = ["管辖单位", "GXDW"]', 1)
    path = tmp_path / "county110.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.mark.parametrize("column", ["报警电话", "报警人"])
def test_a_custom_mapping_that_maps_the_caller_anywhere_stops_the_ingest(tmp_path, column, capsys):
    files = [str(p) for p in sorted(SAMPLE_CN110_DIR.glob("zz110_2025-0[1-3].csv"))]
    mapping = _custom_110(tmp_path, f'\n[dimensions.reporting_line]\nsource = ["{column}"]\n')
    assert main(["ingest", *files, "--format", str(mapping), "--agency", "zz", "--out", str(tmp_path / "ds")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and column in err[0] and ("phone" in err[0] or "name" in err[0]), err
    assert not (tmp_path / "ds").exists()


def test_a_custom_mapping_brings_no_caller_into_any_briefing_output(tmp_path, capsys):
    """The sample's callers and phones, through an agency's own mapping, to every text the briefing writes:
    charts.json, index.html, the executed notebook and the deck's XML (titles, notes)."""
    import zipfile

    files = sorted(SAMPLE_CN110_DIR.glob("zz110_2025-0[1-3].csv"))
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig") for p in files]
    names = {v for f in frames for v in f["报警人"] if v}
    phones = {v for f in frames for v in f["报警电话"] if v}
    assert len(names) > 100 and len(phones) > 100
    out = tmp_path / "ds"
    assert main(["ingest", *map(str, files), "--format", str(_custom_110(tmp_path)), "--agency", "zz",
                 "--out", str(out)]) == 0  # fmt: skip
    briefing = tmp_path / "briefing"
    assert main(["briefing", str(out), "--month", "2025-03", "--lang", "zh", "--pptx", "--out", str(briefing)]) == 0
    texts = [p.read_text(encoding="utf-8") for p in briefing.iterdir() if p.suffix in (".html", ".json", ".ipynb")]
    with zipfile.ZipFile(briefing / "briefing.pptx") as deck:
        texts += [deck.read(n).decode("utf-8") for n in deck.namelist() if n.endswith(".xml")]
    blob = "\n".join(texts + [capsys.readouterr().out])
    assert "派出所" in blob  # the custom districts (stations) are in the titles
    assert not [v for v in names | phones if v in blob] and not PHONE.search(blob)
    TALLY[("privacy: planted personal columns", "a custom mapping: nothing planted in any briefing output")] += 1
