"""Issue 18, part 7: analyst output of `metrics` and `outcomes`.

Real `.xlsx` (numbers as numbers, no cell a formula), unknown suffixes refused, CSV files with a UTF-8 BOM and
rounded values (JSON exact), durations with units (a bare number refused), `--month`, durations in minutes, every
command in the README with an example that parses, and JupyterLab opening `.py` notebooks as notebooks.
"""

from __future__ import annotations

import argparse
import codecs
import io
import json
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest

from responsestats.cli import main
from responsestats.cli import metrics as cmd
from responsestats.cli.app import build_parser
from responsestats.errors import UserError
from responsestats.metrics.export import column_decimals, rounded, to_xlsx_workbook, write_table

ROOT = Path(__file__).resolve().parents[2]
EVIL = "=HYPERLINK(\"http://x\",\"y\")"
#: response_s 100.04, 200.17 and 300 s; dispatch to arrest 1000 s on the first row.
ROWS = [
    dict(received_at="2024-03-01 10:00", dispatched_at=20.02, arrived_at=100.04, district="城区", outcome="arrest",
         arrested_at=1020.02, cleared_at=2000),
    dict(received_at="2024-03-02 10:00", dispatched_at=30.5, arrived_at=200.17, district="城区", outcome="report"),
    dict(received_at="2024-03-03 10:00", dispatched_at=40, arrived_at=300, district=EVIL, outcome="report"),
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="responsestats")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd.add_metrics_parser(sub)
    cmd.add_outcomes_parser(sub)
    return parser


@pytest.fixture
def fake_store(monkeypatch, make_calls):
    """Replace the store's reader with one returning ROWS; record its arguments."""
    store = pytest.importorskip("responsestats.store")
    calls = []

    def read_calls(dataset, *, agency=None, start=None, end=None, columns=None):
        calls.append(dict(dataset=dataset, agency=agency, start=start, end=end, columns=columns))
        frame = make_calls(ROWS)
        return frame if columns is None else frame[list(columns)]

    monkeypatch.setattr(store, "read_calls", read_calls)
    return calls


def _run(argv, capsys) -> str:
    args = _parser().parse_args(argv)
    assert args.func(args) == 0
    return capsys.readouterr().out


def _error(argv) -> str:
    args = _parser().parse_args(argv)
    with pytest.raises(UserError) as info:
        args.func(args)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- xlsx ----------------------------------------------------------------------------------------------------
def _sheet_rows(path: Path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    return ws, [[c for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize("command", ["metrics", "outcomes"])
def test_xlsx_output_is_a_workbook_with_numbers_and_no_formulas(fake_store, capsys, tmp_path, command):
    out = tmp_path / "table.xlsx"
    argv = [command, "ds", "--by", "district", "--output", str(out)]
    argv += ["--interval", "response_s", "--target", "200s"] if command == "metrics" else []
    assert _run(argv, capsys) == ""
    assert out.read_bytes()[:2] == b"PK", "an .xlsx is a zip archive, not CSV text"
    ws, rows = _sheet_rows(out)
    assert ws.title == command
    header = [c.value for c in rows[0]]
    records = [dict(zip(header, [c.value for c in r])) for r in rows[1:]]
    assert all(c.data_type != "f" for r in rows for c in r), "no cell is a formula"
    assert {"'" + EVIL, "城区"} <= {r["district"] for r in records}
    city = next(r for r in records if r["district"] == "城区")
    if command == "metrics":
        assert type(city["n"]) is int and city["n"] == 2
        assert type(city["median_s"]) is float and city["median_s"] == pytest.approx((100.04 + 200.17) / 2)
        assert city["within_target_share"] == pytest.approx(0.5) and type(city["thin"]) is bool
        median = rows[1][header.index("median_s")]
        assert median.number_format == "0.0", "seconds shown to 0.1 s, stored exactly"
    else:
        assert type(city["incidents"]) is int and city["arrest_rate"] == pytest.approx(0.5)
        assert city["mean_hours_to_arrest"] == pytest.approx(1000 / 3600)


def test_xlsx_text_cells_are_text_whatever_they_start_with(tmp_path):
    df = pd.DataFrame({"=name": ["=1+1", "@x", "-a", "ok\x07bell", None], "value_s": [1.23456, -2.0, None, 3.0, 4.0]})
    path = write_table(df, tmp_path / "t.xlsx")
    _ws, rows = _sheet_rows(path)
    assert [c.value for c in rows[0]] == ["'=name", "value_s"]
    assert [r[0].value for r in rows[1:]] == ["'=1+1", "'@x", "'-a", "ok\ufffdbell", None]
    assert [r[1].value for r in rows[1:]] == [1.23456, -2.0, None, 3.0, 4.0]
    assert all(r[0].data_type == "s" for r in rows[:-1])
    with pytest.raises(UserError, match="more than an .xlsx sheet holds"):
        import responsestats.metrics.export as E

        old, E.XLSX_MAX_ROWS = E.XLSX_MAX_ROWS, 3
        try:
            to_xlsx_workbook(df)
        finally:
            E.XLSX_MAX_ROWS = old


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--output", "x.xls"], "unknown suffix '.xls'"),
        (["--output", "x.tsv"], "unknown suffix '.tsv'"),
        (["--output", "table"], "unknown suffix '(none)'"),
        (["--output", "x.xlsx", "--format", "csv"], "means xlsx, but --format csv"),
        (["--output", "x.csv", "--format", "json"], "means csv, but --format json"),
        (["--format", "xlsx"], "--format xlsx needs a file"),
    ],
)
@pytest.mark.parametrize("command", ["metrics", "outcomes"])
def test_output_suffix_and_format_must_agree(fake_store, tmp_path, monkeypatch, command, extra, message):
    monkeypatch.chdir(tmp_path)
    argv = [command, "ds", *extra] + (["--interval", "response_s"] if command == "metrics" else [])
    assert message in _error(argv)
    assert not fake_store, "refused before the dataset is read"
    assert not list(tmp_path.iterdir()), "nothing written"


# --- CSV -----------------------------------------------------------------------------------------------------
def test_csv_file_has_a_bom_and_rounded_values_json_stays_exact(fake_store, capsys, tmp_path):
    out = tmp_path / "m.csv"
    argv = ["metrics", "ds", "--interval", "response_s", "--target", "250s"]  # 100.04 and 200.17 s within
    _run(argv + ["--output", str(out)], capsys)
    raw = out.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8), "Excel reads a CSV as UTF-8 only with a BOM"
    text = raw.decode("utf-8-sig")
    assert text.startswith("interval,n,")
    row = pd.read_csv(io.StringIO(text)).iloc[0]
    assert row["mean_s"] == 200.1 and row["median_s"] == 200.2  # seconds to 0.1 s
    assert row["within_target_share"] == 0.6667  # shares to 4 decimals
    assert "0.6666666" not in text and "200.07" not in text
    exact = json.loads(_run(argv + ["--format", "json"], capsys))[0]
    assert exact["within_target_share"] == pytest.approx(2 / 3, abs=1e-12)
    assert exact["mean_s"] == pytest.approx((100.04 + 200.17 + 300) / 3, abs=1e-6)
    stdout = _run(argv + ["--format", "csv"], capsys)
    assert not stdout.startswith("\ufeff") and "0.6667" in stdout  # a pipe gets no BOM, the same rounding


def test_csv_keeps_chinese_names_for_excel(fake_store, capsys, tmp_path):
    out = tmp_path / "o.csv"
    _run(["outcomes", "ds", "--by", "district", "--output", str(out)], capsys)
    text = out.read_bytes().decode("utf-8-sig")
    assert "城区" in text and "'" + EVIL.replace('"', '""') in text
    table = pd.read_csv(out, encoding="utf-8-sig")
    city = table[table["district"] == "城区"].iloc[0]
    assert city["arrest_rate"] == 0.5 and city["mean_hours_to_arrest"] == 0.28  # hours to 0.01


def test_rounding_rule_by_column_unit():
    names = ("median_s", "p97_5_s", "median_min", "mean_hours_to_arrest", "km_median_ci_low_hours",
             "within_target_share", "arrest_rate", "share_within", "percentile_at_target", "n", "n_hours_to_arrest",
             "share", "district")  # fmt: skip
    assert [column_decimals(c) for c in names] == [1, 1, 2, 2, 2, 4, 4, 4, 4, None, 2, None, None]
    df = pd.DataFrame({"median_s": [1.26], "n": [3], "n_hours_to_arrest": [4], "arrest_rate": [1 / 3]})
    out = rounded(df)
    assert out["median_s"].item() == 1.3 and out["arrest_rate"].item() == 0.3333 and out["n"].item() == 3


def test_an_output_through_a_link_writes_its_target_and_keeps_permissions(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_table(pd.DataFrame({"a": [1]}), link)
    assert link.is_symlink() and real.read_bytes() == codecs.BOM_UTF8 + b"a\n1\n"
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"], "no temporary file left"
    (tmp_path / "sub.csv").mkdir()
    with pytest.raises(UserError, match="it is a folder"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "sub.csv")
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "new" / "x.csv")  # the folder is created
    assert (tmp_path / "new" / "x.csv").is_file()
    with pytest.raises(UserError, match="cannot write .*real.csv.x.csv"):
        write_table(pd.DataFrame({"a": [1]}), real / "x.csv")  # a file is in the way


# --- durations -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, seconds", [("8min", 480), ("480s", 480), ("0.125h", 450), ("1h30min", 5400),
                                           ("1h 30min", 5400), ("90 s", 90), ("8分钟", 480), ("2小时", 7200),
                                           ("45秒", 45), ("8m", 480), ("1.5MIN", 90)])  # fmt: skip
def test_durations_are_read_with_their_unit(text, seconds):
    assert cmd._duration(text, "--target") == seconds


@pytest.mark.parametrize(
    "option, text, message",
    [
        ("--target", "8", "'8' has no unit; write 8min or 8s"),
        ("--target", "600", "has no unit"),
        ("--cap", "7200", "--cap: '7200' has no unit"),
        ("--target", "8d", "unknown unit 'd'"),
        ("--target", "eight minutes", "is not a duration"),
        ("--target", "min8", "is not a duration"),
        ("--target", "-5min", "is negative"),
        ("--target", "0s", "must be above zero"),
        ("--cap", "big", "--cap: 'big' is not a duration"),
    ],
)
def test_a_duration_without_a_unit_is_refused_in_one_line(fake_store, option, text, message):
    assert message in _error(["metrics", "ds", "--interval", "response_s", f"{option}={text}"])
    assert not fake_store


def test_target_and_cap_with_units_change_the_result(fake_store, capsys):
    def row(*extra):
        return json.loads(_run(["metrics", "ds", "--interval", "response_s", "--format", "json", *extra], capsys))[0]

    assert row("--target", "3min")["within_target_share"] == pytest.approx(1 / 3)  # 180 s: only 100 s within
    assert row("--target", "3min")["target_s"] == 180
    assert row("--target", "0.1h")["within_target_share"] == 1.0  # 360 s
    assert row("--cap", "4min")["n"] == 2 and row("--cap", "4min")["excluded_above_cap"] == 1
    assert row("--cap", "none")["n"] == 3


def test_durations_in_minutes(fake_store, capsys):
    rows = json.loads(_run(["metrics", "ds", "--interval", "response_s", "--target", "3min", "--unit", "min",
                            "--format", "json"], capsys))  # fmt: skip
    row = rows[0]
    assert not [k for k in row if k.endswith("_s")]
    assert row["median_min"] == pytest.approx(200.17 / 60) and row["target_min"] == 3.0
    text = _run(["metrics", "ds", "--interval", "response_s", "--unit", "min", "--format", "csv"], capsys)
    assert "median_min" in text.splitlines()[0] and "3.34" in text  # 200.17 s = 3.336 min, to 0.01


# --- --month ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["metrics", "outcomes"])
def test_month_is_the_local_calendar_month(fake_store, capsys, command):
    extra = ["--interval", "response_s"] if command == "metrics" else []
    _run([command, "ds", "--month", "2024-02", "--format", "json", *extra], capsys)
    assert (fake_store[-1]["start"], fake_store[-1]["end"]) == ("2024-02-01", "2024-02-29")
    _run([command, "ds", "--month", "2024-4", "--format", "json", *extra], capsys)
    assert (fake_store[-1]["start"], fake_store[-1]["end"]) == ("2024-04-01", "2024-04-30")


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--month", "2024-13"], "--month: '2024-13' is not YYYY-MM"),
        (["--month", "March"], "--month: 'March' is not YYYY-MM"),
        (["--month", "2024-03", "--from", "2024-03-01"], "--month cannot be combined with --from/--to"),
        (["--month", "2024-03", "--to", "2024-03-31"], "--month cannot be combined with --from/--to"),
    ],
)
@pytest.mark.parametrize("command", ["metrics", "outcomes"])
def test_month_errors(fake_store, command, extra, message):
    argv = [command, "ds", *extra] + (["--interval", "response_s"] if command == "metrics" else [])
    assert message in _error(argv)
    assert not fake_store


def test_month_latest_is_the_briefings_month(sample_dataset, capsys):
    from briefing_helpers import SAMPLE_LATEST

    assert main(["metrics", str(sample_dataset), "--interval", "response_s", "--by", "month", "--month", "latest",
                 "--format", "json"]) == 0  # fmt: skip
    assert [r["month"] for r in json.loads(capsys.readouterr().out)] == [SAMPLE_LATEST]
    assert main(["outcomes", str(sample_dataset), "--by", "month", "--month", "latest", "--format", "json"]) == 0
    assert [r["month"] for r in json.loads(capsys.readouterr().out)] == [SAMPLE_LATEST]
    assert main(["outcomes", str(sample_dataset), "--month", "latest", "--agency", "nobody"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# --- README and JupyterLab -------------------------------------------------------------------------------------
def _command_line_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Command line", 1)[1].split("\n## ", 1)[0]
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL):
        lines += [ln.split(" # ")[0].strip() for ln in block.splitlines() if ln.startswith("responsestats ")]
    return lines


def test_the_readme_shows_every_command_with_an_example_that_parses():
    parser = build_parser()
    commands = set(next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices)
    examples = _command_line_examples()
    shown = {shlex.split(ex)[1] for ex in examples}
    assert commands <= shown, f"commands without an example in README.md: {sorted(commands - shown)}"
    for example in examples:
        args = parser.parse_args(shlex.split(example)[1:])  # exits (fails the test) on a wrong option
        if args.command in ("metrics", "outcomes"):
            cmd.output_format(args.output, args.format)
            if getattr(args, "target", None):
                cmd._target(args.target)


def test_jupyterlab_opens_py_notebooks_as_notebooks(monkeypatch):
    """`make lab` puts the checkout's .jupyter on JUPYTER_CONFIG_PATH, whose labconfig sets the default viewer."""
    settings = pytest.importorskip("jupyterlab_server.settings_utils")
    config = ROOT / ".jupyter"
    overrides = json.loads((config / "labconfig" / "default_setting_overrides.json").read_text(encoding="utf-8"))
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["python"] == "Jupytext Notebook"
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(config))
    found, error = settings._get_overrides(str(ROOT / "no-app-settings"))
    assert not error and found["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["python"] == (
        "Jupytext Notebook")  # fmt: skip
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lab = makefile.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "JUPYTER_CONFIG_PATH" in lab and ".jupyter" in lab and "jupyter lab notebooks/" in lab


def test_json_text_is_the_json_modules_indented_text():
    """to_json_text encodes record by record with the C encoder: the text is json.dumps(..., indent=2)'s."""
    import numpy as np

    from responsestats.metrics import export

    frame = pd.DataFrame({
        "district": ["芗城-01", 'a "quoted"\nline', None], "n": np.array([1, 2, 3], "int64"),
        "p90_s": [1.5, np.nan, 1e-20], "thin": [True, False, True],
        "at": pd.to_datetime(["2024-01-01 00:00", None, "2024-02-01 08:00"], utc=True),
        "count": pd.array([1, None, 3], dtype="Int64"), "mixed": [np.float64(2.5), None, np.int64(4)],
    })

    def plain(df):
        records = [{str(k): export._json_value(v) for k, v in row.items()} for row in df.to_dict(orient="records")]
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"

    for df in (frame, frame.iloc[0:0], pd.DataFrame(index=range(2)), frame[["district"]],
               pd.DataFrame({"nested": [[1, 2], {"a": 1}]})):
        assert export.to_json_text(df) == plain(df)
