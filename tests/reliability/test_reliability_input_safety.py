"""Input safety: files are parsed as data, and exported CSV cells do not run as formulas (issue #7, part 6)."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest

from responsestats import ingest, read_calls
from responsestats.cli import main
from responsestats.metrics.export import escape_formula, to_csv_text

from conftest import CN_HEADER, cn_row, write_csv
from paths import REPO

PACKAGE = REPO / "src" / "responsestats"
#: Ways Python code can run text or unpickle bytes.
UNSAFE = re.compile(r"(?<![\w.])(eval|exec|compile)\s*\(|\bpickle\b|\bmarshal\b|\bshelve\b|\bdill\b|"
                    r"read_pickle|allow_pickle\s*=\s*True|yaml\.(unsafe_)?load\b|\bjoblib\b")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def test_package_source_never_evaluates_or_unpickles():
    """No eval(, exec(, compile(, pickle, marshal, shelve, yaml.load or joblib anywhere in the package."""
    hits = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if UNSAFE.search(code):
                hits.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert hits == []


def test_mapping_and_standard_files_are_read_with_tomllib():
    """The three kinds of TOML the package reads (mappings, standards, labels) go through tomllib only.

    Mappings and standards share one reader, :func:`responsestats.formats.strict_toml.read_toml`.
    """
    readers = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
               if re.search(r"\btomllib\.loads?\(", p.read_text(encoding="utf-8"))}
    assert readers == {"formats/strict_toml.py", "briefing/wording/labels.py"}
    for user in ("formats/mapping.py", "metrics/standards.py"):
        assert re.search(r"\bread_toml\(", (PACKAGE / user).read_text(encoding="utf-8")), user


def test_code_in_a_mapping_is_only_text(tmp_path):
    """Python in a mapping's values is kept as text or matched as a regular expression, never run."""
    marker = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {marker}')"
    mapping = tmp_path / "evil.toml"
    mapping.write_text(f'''
[format]
name = "evil"
description = "{payload}"
timezone = "Asia/Shanghai"
[fields.incident_id]
source = "id"
required = true
[fields.received_at]
source = "received"
formats = ["%Y-%m-%d %H:%M:%S"]
required = true
[fields.district]
source = "district"
default = "{payload}"
extract = '(?P<x>{re.escape("__import__")}.*)'
[fields.call_type]
source = "call_type"
map = {{ "a" = "{payload}" }}
''', encoding="utf-8")
    path = write_csv(tmp_path / "in.csv", ["id", "received", "district", "call_type"],
                     [["1", "2024-03-01 10:00:00", payload, "a"], ["2", "2024-03-01 10:00:00", "", "b"]])
    ingest([path], tmp_path / "ds", mapping=mapping, agency="evil")
    df = read_calls(tmp_path / "ds").sort_values("incident_id")
    assert df["district"].tolist() == [payload, payload] and df["call_type"].tolist() == [payload, "b"]
    assert not marker.exists()


# --- CSV exports ------------------------------------------------------------------------------------
def test_every_csv_writer_in_the_package_escapes_formulas():
    """The package writes CSV in two places: metrics/export.py (every metrics and outcomes table, escaped)
    and sample/generator.py (the synthetic input log, which is data to ingest and must stay as generated)."""
    writers = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\.to_csv\(|csv\.writer\(|csv\.DictWriter\(", text):
            writers.add(path.relative_to(PACKAGE).as_posix())
    assert writers == {"metrics/export.py", "sample/generator.py"}, "a new CSV writer: route it through metrics.export"
    export = (PACKAGE / "metrics" / "export.py").read_text(encoding="utf-8")
    assert re.search(r"_escaped\(df\)\.to_csv\(", export)


EVIL = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "=HYPERLINK(\"http://x\",\"y\")"]


@pytest.fixture
def evil_dataset(tmp_path):
    rows = []
    for i, text in enumerate(EVIL * 3):
        rows.append(cn_row(f"E{i:02d}", f"2024-03-0{1 + i % 3} 10:00:00", f"2024-03-0{1 + i % 3} 10:01:00",
                           f"2024-03-0{1 + i % 3} 10:02:00", f"2024-03-0{1 + i % 3} 10:0{5 + i % 4}:00",
                           grid=text, ctype=text, group=text, result="调解处理"))
    rows.append(cn_row("N1", "2024-03-01 11:00:00", arrived="2024-03-01 11:06:00", grid="-5", ctype="-5"))
    path = write_csv(tmp_path / "evil.csv", CN_HEADER, rows)
    out = tmp_path / "ds"
    ingest([path], out, mapping="cn110", agency="zz")
    return out


def _check_cells(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_START):
                assert NUMBER.match(cell), f"formula-like cell not escaped: {cell!r}"
    return rows


@pytest.mark.parametrize("args", [
    ["metrics", "--interval", "response_s", "--by", "district"],
    ["metrics", "--interval", "dispatch_to_arrival_s", "--by", "call_type,call_group", "--min-n", "1"],
    ["outcomes", "--by", "call_type"],
    ["outcomes", "--by", "district,call_group"],
])
@pytest.mark.parametrize("how", ["stdout", "file"])
def test_exported_csv_escapes_formula_cells(evil_dataset, tmp_path, capsys, args, how):
    """District and call-type texts such as `=cmd|...` come out as text (`'=cmd|...`); numbers stay numbers."""
    cmd = [args[0], str(evil_dataset), *args[1:]]
    if how == "file":
        target = tmp_path / "out.csv"
        assert main(cmd + ["--output", str(target)]) == 0
        text = target.read_text(encoding="utf-8-sig")  # a CSV file starts with a BOM (issue 18, for Excel)
    else:
        assert main(cmd + ["--format", "csv"]) == 0
        text = capsys.readouterr().out
    rows = _check_cells(text)
    cells = {c for r in rows for c in r}
    group_col = args[args.index("--by") + 1].split(",")[0]
    assert group_col in rows[0]
    escaped = {"'" + e for e in EVIL}
    assert escaped & cells, "the evil texts should be in the table, escaped"
    assert "-5" in cells  # a number-like text is a number to a spreadsheet: harmless, left as it is


def test_escape_formula_leaves_numbers_alone():
    df = pd.DataFrame({"district": ["=1+1", "-1", "-1.5e3", "+7", "@x", "ok", None, "-", "-a"],
                       "n": [-1, -2, 3, 4, 5, 6, 7, 8, 9], "share": [-0.5, 0.25, -1e-9, 1.0, 0, 0, 0, 0, 0]})
    rows = list(csv.reader(io.StringIO(to_csv_text(df))))
    assert rows[0] == ["district", "n", "share"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "-1", "-1.5e3", "+7", "'@x", "ok", "", "'-", "'-a"]
    assert [r[1] for r in rows[1:3]] == ["-1", "-2"] and rows[1][2] == "-0.5" and float(rows[3][2]) == -1e-9
    assert escape_formula(-3) == -3 and escape_formula("=x") == "'=x"
    _check_cells(to_csv_text(df))



def test_a_catastrophic_extract_pattern_runs_in_linear_time(tmp_path, minimal_mapping):
    """Issue 16, part 1: ``^(a+)+$`` backtracks for hours in Python's ``re`` on 41 a's and a '!'; every extract
    runs in RE2, whose time is linear in the text, for ASCII and non-ASCII values alike."""
    import time

    from responsestats import ingest, read_calls

    src = tmp_path / "calls.csv"
    src.write_text("id,received,code\n1,2024-03-01 10:00:00," + "a" * 41 + "!\n2,2024-03-01 10:00:00,\u957f"
                   + "a" * 41 + "!\n3,2024-03-01 10:00:00,aaa\n", encoding="utf-8")  # fmt: skip
    mapping = minimal_mapping(fields="[fields.call_type]\nsource = \"code\"\nextract = '^(a+)+$'\n")
    started = time.perf_counter()
    ingest([src], tmp_path / "ds", mapping=mapping, agency="a")
    assert time.perf_counter() - started < 5  # seconds, start-up included; the pattern itself takes microseconds
    calls = read_calls(tmp_path / "ds").set_index("incident_id")
    assert calls["call_type"].isna().tolist() == [True, True, False] and calls.at["3", "call_type"] == "aaa"


@pytest.mark.parametrize("pattern", [r"(a)\1", r"a(?=b)", r"(?<=x)a"])
def test_an_extract_the_linear_engine_cannot_run_is_refused_naming_the_key(pattern, tmp_path, minimal_mapping):
    from responsestats.errors import MappingError
    from responsestats.formats.mapping import load_mapping

    path = minimal_mapping(fields=f"[fields.call_type]\nsource = \"code\"\nextract = '{pattern}'\n")
    with pytest.raises(MappingError, match=r"\[fields.call_type\] extract: .*linear-time engine"):
        load_mapping(path)
