"""Every notebook runs headless on the sample; the briefing command writes its PNGs, notebook and index.

The notebooks run in a kernel with PYTHONWARNINGS=error:Glyph, so a character that no font can draw
(matplotlib's "Glyph ... missing from font(s)" warning) fails the cell and the test.
"""

from __future__ import annotations

import ast
import html
import json
import sys

import nbformat
import pytest

from briefing_helpers import BRIEFING_PNGS, NOTEBOOK_PNGS, SAMPLE_LATEST, png_size
from responsestats.briefing import runner as B
from responsestats.briefing.book import MANIFEST
from responsestats.cli import main
from responsestats.config import BRIEFING_NOTEBOOK_PATH, NOTEBOOKS_DIR

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py"))
PARAMETERS = {"dataset", "agency", "month", "language", "standard", "where", "out_dir"}
#: The walk-through for a new agency starts from an export, not from a dataset.
NEW_AGENCY_PARAMETERS = {"export", "timezone", "agency", "mapping", "where", "standard", "dataset", "out_dir"}
#: pandas / numpy calls that compute figures; notebooks leave them to the library.
METRIC_CALLS = {
    "groupby", "agg", "aggregate", "mean", "median", "sum", "quantile", "std", "var", "count", "value_counts",
    "describe", "apply", "transform", "resample", "rolling", "cumsum", "diff", "pct_change", "pivot_table",
    "crosstab", "percentile", "nanpercentile", "div", "mul", "sub", "round", "clip",
}  # fmt: skip
STRICT_GLYPHS = "error:Glyph"


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _parameters_cell(nb):
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged parameters"
    return tagged[0]


def _assert_clean(nb) -> None:
    for cell in _code_cells(nb):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{out.get('ename')}: {out.get('evalue')}"
            if out.output_type == "stream":
                assert "missing from font" not in out.text


# --- the notebooks as text ----------------------------------------------------------------------
def test_the_notebooks_are_py_percent_with_parameters_and_narrative():
    assert [p.stem for p in NOTEBOOKS] == ["00_new_agency", "01_data_quality", "02_response_times", "03_outcomes",
                                           "04_monthly_briefing"]  # fmt: skip
    for path in NOTEBOOKS:
        assert path.read_text(encoding="utf-8").count('# %% tags=["parameters"]') == 1, path.name
        nb = B.read_notebook(path)
        names = {t.id for node in ast.parse(_parameters_cell(nb).source).body if isinstance(node, ast.Assign)
                 for t in node.targets}  # fmt: skip
        assert (NEW_AGENCY_PARAMETERS if path.stem == "00_new_agency" else PARAMETERS) <= names, path.name
        assert sum(c.cell_type == "markdown" for c in nb.cells) >= 5, f"{path.name}: too little narrative"
    assert not list(NOTEBOOKS_DIR.glob("*.ipynb")) or "notebooks/*.ipynb" in (
        NOTEBOOKS_DIR.parent / ".gitignore").read_text()  # fmt: skip
    # the briefing notebook ships in the package; notebooks/ links to it, so there is one copy
    assert (NOTEBOOKS_DIR / BRIEFING_NOTEBOOK_PATH.name).samefile(BRIEFING_NOTEBOOK_PATH)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_hold_no_metric_logic(path):
    """No arithmetic and no aggregation in a notebook: every number comes from a tested library function."""
    nb = B.read_notebook(path)
    for cell in _code_cells(nb):
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(node, (ast.BinOp, ast.AugAssign)), f"{path.name}: arithmetic in\n{cell.source}"
            assert not isinstance(node, (ast.Lambda, ast.FunctionDef, ast.For, ast.ListComp, ast.DictComp)), (
                f"{path.name}: logic in\n{cell.source}")  # fmt: skip
            if isinstance(node, ast.Attribute):
                assert node.attr not in METRIC_CALLS, f"{path.name}: .{node.attr} in\n{cell.source}"
            if isinstance(node, ast.Compare):
                raise AssertionError(f"{path.name}: comparison (a filter) in\n{cell.source}")


# --- running notebooks --------------------------------------------------------------------------------
def test_kernel_is_this_interpreter():
    assert B.kernel_spec().argv[0] == sys.executable
    assert B.kernel_manager().kernel_spec.argv[0] == sys.executable
    assert "ipykernel_launcher" in B.kernel_spec().argv


def test_parameters_are_injected_after_the_parameters_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell("a = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("print(a)")]  # fmt: skip
    B.inject_parameters(nb, {"a": 2, "b": "x"}, comment="note")
    assert nb.cells[2].metadata["tags"] == ["injected-parameters"]
    assert nb.cells[2].source == "# Parameters\n# note\na = 2\nb = 'x'\n"
    B.inject_parameters(nb, {"a": 3})
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and nb.cells[2] is injected[0] and "a = 3" in injected[0].source
    nb.cells = nb.cells[:1]
    with pytest.raises(ValueError, match="parameters"):
        B.inject_parameters(nb, {"a": 1})


@pytest.mark.parametrize("name, lang", [("01_data_quality", "zh"), ("02_response_times", "en"), ("03_outcomes", "zh")])
def test_notebook_runs_on_the_sample(name, lang, sample_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONWARNINGS", STRICT_GLYPHS)
    out = tmp_path / "out"
    parameters = {"dataset": str(sample_dataset), "agency": "zz110", "month": "latest", "language": lang,
                  "standard": "cn110", "out_dir": str(out)}  # fmt: skip
    nb = B.execute_notebook(NOTEBOOKS_DIR / f"{name}.py", parameters, cwd=tmp_path)
    _assert_clean(nb)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert [c["file"] for c in manifest["charts"]] == list(NOTEBOOK_PNGS[name])
    for png in NOTEBOOK_PNGS[name]:
        assert png_size(out / png) == (1920, 1080), png


def test_the_new_agency_walk_through_runs_on_an_unseen_export(tmp_path, monkeypatch):
    from paths import UNSEEN_SAMPLE
    from responsestats import read_calls, read_reports

    monkeypatch.setenv("PYTHONWARNINGS", STRICT_GLYPHS)
    parameters = {"export": str(UNSEEN_SAMPLE / "fire_district.csv"), "timezone": "America/Denver",
                  "agency": "cvfd", "mapping": str(UNSEEN_SAMPLE / "fire_district.toml"),
                  "where": "priority == 'EMERGENT'", "standard": "nfpa1710", "dataset": str(tmp_path / "ds"),
                  "out_dir": str(tmp_path / "work")}  # fmt: skip
    nb = B.execute_notebook(NOTEBOOKS_DIR / "00_new_agency.py", parameters, cwd=tmp_path)
    _assert_clean(nb)
    text = "\n".join(o.get("text", "") or json.dumps(o.get("data", {})) for c in _code_cells(nb)
                     for o in c.get("outputs", []))  # fmt: skip
    # the draft was written, ingested whole, and the edited mapping's dataset holds every row
    assert (tmp_path / "work" / "draft.toml").is_file() and (tmp_path / "work" / "draft_dataset").is_dir()
    assert "285 rows read = 285 written + 0 quarantined" in text and "ambiguous_durations" in text
    (report,) = read_reports(tmp_path / "ds")
    assert report["rows_written"] == 285 and len(read_calls(tmp_path / "ds")) == 285
    # the filtered table carries its population; the standard's coverage and the by-hand check are shown
    assert "priority = 'EMERGENT'" in text and "turnout_fire took by catch-all" in text
    assert "received_at_local" in text and "travel_s" in text


@pytest.mark.parametrize("lang, month", [("zh", "latest"), ("en", "2024-12")])
def test_briefing_command_writes_the_chart_set(lang, month, sample_dataset, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PYTHONWARNINGS", STRICT_GLYPHS)
    out = tmp_path / "briefing"
    argv = ["briefing", str(sample_dataset), "--month", month, "--agency", "zz110", "--lang", lang, "--out", str(out)]
    assert main(argv + (["--pptx"] if lang == "zh" else [])) == 0
    expected_month = SAMPLE_LATEST if month == "latest" else month
    printed = capsys.readouterr().out
    assert f"briefing {expected_month} ({lang}): {len(BRIEFING_PNGS)} charts" in printed
    assert "left out: " in printed and not (out / "08_targets.png").exists()  # cn110 grades one interval
    # the deck beside the charts when asked for, named in the marker so that a rerun may replace it
    assert (out / "briefing.pptx").is_file() == (lang == "zh")
    assert ("briefing.pptx" in (out / ".responsestats-briefing").read_text(encoding="utf-8")) == (lang == "zh")
    for png in BRIEFING_PNGS:
        assert png_size(out / png) == (1920, 1080), png
    nb = nbformat.read(out / "04_monthly_briefing.ipynb", as_version=4)
    _assert_clean(nb)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    at = tags.index(["parameters"])
    assert tags[at + 1] == ["injected-parameters"]
    assert f"month = '{expected_month}'" in nb.cells[at + 1].source and f"language = '{lang}'" in nb.cells[at + 1].source
    assert all(c.get("execution_count") for c in _code_cells(nb))
    page = (out / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert [c["file"] for c in manifest["charts"]] == list(BRIEFING_PNGS)
    for chart in manifest["charts"]:
        assert f'src="{chart["file"]}"' in page
        assert html.escape(chart["title"]) in page and html.escape(chart["caption"]) in page and chart["caption"]
    assert 'href="04_monthly_briefing.ipynb"' in page
    assert [e["file"] for e in manifest["left_out"]] == ["08_targets.png"]
    assert html.escape(manifest["left_out"][0]["reason"]) in page  # one line in the index says why
    assert ("月度简报" in page) == (lang == "zh")
    assert not list(tmp_path.glob(".briefing.staging-*"))
    _assert_no_caller_identity(out)


def test_a_filtered_briefing_names_its_population_everywhere(sample_dataset, tmp_path, monkeypatch, capsys):
    """--where: every table and chart is of the filtered calls, and every subtitle, charts.json and the page say so."""
    from responsestats.briefing import load_briefing_data
    from responsestats.briefing.slides import Frame
    from responsestats.briefing.wording.labels import load_labels

    where = "priority = '一级'"
    data = load_briefing_data(sample_dataset, month="2024-12", where=where)
    assert data.where == where and len(data.calls) and (data.calls["priority"] == "一级").all()
    whole = load_briefing_data(sample_dataset, month="2024-12")
    assert whole.where == "" and len(whole.calls) > len(data.calls)
    assert data.month == whole.month  # the month briefed is of the whole dataset
    assert Frame(data, load_labels("en")).subtitle("kpi").endswith(f" Filter: {where}.")
    assert "筛选条件" not in Frame(whole, load_labels("zh")).subtitle("kpi")
    monkeypatch.setenv("PYTHONWARNINGS", STRICT_GLYPHS)
    out = tmp_path / "briefing"
    argv = ["briefing", str(sample_dataset), "--month", "2024-12", "--lang", "zh", "--where", where, "--out", str(out)]
    assert main(argv) == 0
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["meta"]["where"] == where
    assert f"筛选条件：{where}" in manifest["meta"]["intro"]
    nb = nbformat.read(out / "04_monthly_briefing.ipynb", as_version=4)
    assert any(f"where = {where!r}" in c.source for c in _code_cells(nb))


def _planted_identities() -> tuple[set[str], set[str]]:
    """Caller names and phone numbers present in the raw sample files."""
    import csv

    from responsestats.config import SAMPLE_CN110_DIR

    names, phones = set(), set()
    for path in sorted(SAMPLE_CN110_DIR.glob("*.csv")):
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if not path.name.endswith("2024-07.csv") else raw.decode("gb18030")
        for row in csv.DictReader(text.splitlines()):
            names.add(row.get("报警人") or row.get("BJR") or "")
            phones.add(row.get("报警电话") or row.get("BJDH") or "")
    return names - {""}, phones - {""}


def _assert_no_caller_identity(out) -> None:
    """Issue 7: no caller name or phone number reaches the briefing's text outputs."""
    import re

    names, phones = _planted_identities()
    assert len(phones) > 1000 and len(names) > 50  # the raw input does hold them
    texts = [p.read_text(encoding="utf-8") for p in out.iterdir() if p.suffix in (".html", ".json", ".ipynb")]
    blob = "\n".join(texts)
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", blob), "a mobile phone number pattern in the briefing"
    assert not [n for n in names if n in blob], "a caller name in the briefing"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "2025-13"], "is not YYYY-MM"),
        (["--month", "2019-01"], "no calls in 2019-01"),
        (["--month", "latest", "--standard", "nope"], "unknown standard"),
        (["--month", "latest", "--agency", "other"], "agency"),
        (["--month", "latest", "--where", "priority =="], "--where"),
        (["--month", "latest", "--where", "phone = '1'"], "phone"),
    ],
)
def test_briefing_user_errors_exit_2_before_any_kernel(args, message, sample_dataset, tmp_path, capsys):
    assert main(["briefing", str(sample_dataset), "--out", str(tmp_path / "b"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "b").exists()


def test_briefing_of_a_missing_dataset_exits_2(tmp_path, capsys):
    assert main(["briefing", str(tmp_path / "none"), "--month", "latest", "--out", str(tmp_path / "b")]) == 2
    assert "no dataset here" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["briefing", str(tmp_path), "--month", "latest", "--lang", "fr", "--out", str(tmp_path / "b")])


FAILING = '''# %% tags=["parameters"]
dataset = agency = month = language = standard = out_dir = None

# %%
from pathlib import Path
from responsestats.briefing import charts as C
C.save(C.new_figure("\\U00013000"), Path(out_dir) / "tofu.png")
'''


def test_a_failing_notebook_leaves_the_previous_briefing(sample_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONWARNINGS", STRICT_GLYPHS)
    notebook = tmp_path / "failing.py"
    notebook.write_text(FAILING, encoding="utf-8")
    out = tmp_path / "briefing"
    out.mkdir()
    (out / "index.html").write_text("previous", encoding="utf-8")
    with pytest.raises(B.NotebookFailed, match="missing from font"):
        B.build_briefing(sample_dataset, month="latest", out_dir=out, notebook=notebook)
    assert (out / "index.html").read_text(encoding="utf-8") == "previous"
    assert not (out / "tofu.png").exists()
    assert (tmp_path / "briefing.failed.ipynb").is_file()
    assert not list(tmp_path.glob(".briefing.staging-*"))
