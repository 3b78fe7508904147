"""Issue 18, part 2: `briefing --out` writes only into a folder it may call its own, and never destroys.

The rules (``briefing/runner.py``, *The output folder*): a new or empty folder is fine; a folder holding the
marker ``.responsestats-briefing`` is fine, and only the files the marker names are replaced or deleted; any other
non-empty folder, a file, a dataset folder and a folder inside a dataset are refused with one line (exit 2)
before any kernel starts; a symbolic link is followed to its real folder and never replaced.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from responsestats.briefing import runner as B
from responsestats.briefing.book import MANIFEST
from responsestats.cli import main
from responsestats.errors import UserError
from responsestats.store import read_calls

NOTEBOOK_IPYNB = "04_monthly_briefing.ipynb"

#: A tiny notebook that writes one chart (named by ``CHART``) and the manifest: a real kernel, in seconds.
TINY = '''# %% tags=["parameters"]
dataset = agency = month = language = standard = out_dir = None

# %%
import json
from pathlib import Path
Path(out_dir, "CHART").write_bytes(b"not really a png")
Path(out_dir, "charts.json").write_text(json.dumps({"meta": {}, "charts": [
    {"file": "CHART", "title": "a title", "caption": "a caption"}]}), encoding="utf-8")
'''


def _tiny(tmp_path: Path, chart: str) -> Path:
    path = tmp_path / f"tiny_{chart.replace('.', '_')}.py"
    path.write_text(TINY.replace("CHART", chart), encoding="utf-8")
    return path


def _marker(folder: Path) -> dict:
    return json.loads((folder / B.MARKER).read_text(encoding="utf-8"))


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if a notebook is executed: the refusals must come before any kernel starts."""

    def refuse(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(B, "execute_notebook", refuse)


def _stage(tmp_path: Path, names: dict[str, str]) -> Path:
    staging = tmp_path / "staging"
    staging.mkdir(exist_ok=True)
    for name, text in names.items():
        (staging / name).write_text(text, encoding="utf-8")
    return staging


# --- the rule, without a kernel -------------------------------------------------------------------------
def test_new_and_empty_folders_are_fine(tmp_path):
    new = B.check_out_dir(tmp_path / "a" / "new")
    assert new.path == (tmp_path / "a" / "new").resolve() and not new.replaceable and not new.deletable
    assert not (tmp_path / "a").exists(), "a check changes nothing"
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / ".DS_Store").write_bytes(b"\0")
    assert B.check_out_dir(empty).path == empty.resolve()


def test_a_folder_with_the_marker_owns_only_what_the_marker_names(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / B.MARKER).write_text(json.dumps({"files": ["a.png", "charts.json", "../evil.txt", "sub/x.png"]}),
                                encoding="utf-8")  # fmt: skip
    (out / "notes.docx").write_text("mine", encoding="utf-8")
    target = B.check_out_dir(out)
    assert target.replaceable == target.deletable == {"a.png", "charts.json"}  # only bare names
    (out / B.MARKER).write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match="marker is unreadable"):
        B.check_out_dir(out)


@pytest.mark.parametrize("user_file", ["notes.docx", "index.html.bak", "sub/"])
def test_a_folder_of_someone_else_is_refused(tmp_path, user_file):
    out = tmp_path / "out"
    out.mkdir()
    if user_file.endswith("/"):
        (out / user_file).mkdir()
    else:
        (out / user_file).write_text("mine", encoding="utf-8")
    with pytest.raises(UserError, match="did not write") as info:
        B.check_out_dir(out)
    assert user_file.rstrip("/") in str(info.value) and "\n" not in str(info.value)


def test_a_briefing_from_before_the_marker_is_replaced_but_nothing_deleted(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text(json.dumps({"charts": [{"file": "old.png"}, {"file": "report.docx"}]}),
                                encoding="utf-8")  # fmt: skip
    for name in ("old.png", "index.html", NOTEBOOK_IPYNB):
        (out / name).write_text("x", encoding="utf-8")
    target = B.check_out_dir(out)
    assert target.replaceable == {"old.png", "index.html", NOTEBOOK_IPYNB, MANIFEST} and not target.deletable
    # a document its charts.json happens to name is not a chart: the folder is not a briefing's
    (out / "report.docx").write_text("the user's", encoding="utf-8")
    with pytest.raises(UserError, match="report.docx"):
        B.check_out_dir(out)


def test_dataset_folders_and_folders_inside_them_are_refused(tmp_path):
    ds = tmp_path / "ds"
    (ds / "agency=zz" / "year=2024").mkdir(parents=True)
    for out in (ds, ds / "agency=zz", ds / "agency=zz" / "year=2024" / "briefing", ds / "briefing"):
        with pytest.raises(UserError, match="dataset folder"):
            B.check_out_dir(out)
    for sub in ("_reports", "_quarantine", "_keys"):
        other = tmp_path / f"ds{sub}"
        (other / sub).mkdir(parents=True)
        with pytest.raises(UserError, match="is a dataset folder"):
            B.check_out_dir(other)


def test_a_file_and_a_link_to_nothing_are_refused(tmp_path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match="is a file"):
        B.check_out_dir(tmp_path / "f")
    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(UserError, match="does not exist"):
        B.check_out_dir(link)


def test_a_link_is_followed_to_its_real_folder(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    assert B.check_out_dir(link).path == real.resolve()
    (real / "mine.txt").write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match=r"link \(-> .*real\)"):  # the message names both
        B.check_out_dir(link)


# --- publishing, without a kernel ----------------------------------------------------------------------------
def test_publish_deletes_only_files_the_marker_names(tmp_path):
    """The issue's case: an old charts.json names a user's document; the document survives."""
    out = tmp_path / "out"
    out.mkdir()
    (out / B.MARKER).write_text(json.dumps({"files": ["old.png", MANIFEST, "index.html"]}), encoding="utf-8")
    (out / MANIFEST).write_text(json.dumps({"charts": [{"file": "old.png"}, {"file": "report.docx"}]}),
                                encoding="utf-8")  # fmt: skip
    (out / "old.png").write_text("old chart", encoding="utf-8")
    (out / "report.docx").write_text("the user's document", encoding="utf-8")
    (out / "index.html").write_text("old page", encoding="utf-8")
    staging = _stage(tmp_path, {"new.png": "new chart", MANIFEST: "{}", "index.html": "new page"})
    B._publish(staging, out, ("new.png", MANIFEST, "index.html"), "2025-03", NOTEBOOK_IPYNB)
    assert (out / "report.docx").read_text(encoding="utf-8") == "the user's document"
    assert not (out / "old.png").exists(), "a chart the marker names and this run did not write again goes"
    assert (out / "new.png").read_text(encoding="utf-8") == "new chart"
    assert (out / "index.html").read_text(encoding="utf-8") == "new page"
    marker = _marker(out)
    assert marker["files"] == sorted(["new.png", MANIFEST, "index.html"]) and marker["month"] == "2025-03"


def test_publish_never_replaces_a_file_the_marker_does_not_name(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / B.MARKER).write_text(json.dumps({"files": ["index.html"]}), encoding="utf-8")
    (out / "kpi.png").write_text("a user's picture", encoding="utf-8")
    staging = _stage(tmp_path, {"kpi.png": "chart", "index.html": "page"})
    before = _tree(out)
    with pytest.raises(UserError, match="would replace 'kpi.png'"):
        B._publish(staging, out, ("kpi.png", "index.html"), "2025-03", NOTEBOOK_IPYNB)
    assert _tree(out) == before, "nothing was changed"


def test_publish_into_a_new_folder_writes_the_marker(tmp_path):
    out = tmp_path / "new"
    staging = _stage(tmp_path, {"a.png": "a", "index.html": "p"})
    B._publish(staging, out, ("a.png", "index.html"), "2025-03", NOTEBOOK_IPYNB)
    assert sorted(os.listdir(out)) == sorted([B.MARKER, "a.png", "index.html"])
    assert _marker(out)["files"] == ["a.png", "index.html"] and _marker(out)["written_by"] == "responsestats briefing"


# --- the command -----------------------------------------------------------------------------------------------
def test_briefing_into_a_user_folder_exits_2_before_any_kernel(sample_dataset, tmp_path, capsys, no_kernel):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "budget.xlsx").write_bytes(b"the user's")
    (out / MANIFEST).write_text(json.dumps({"charts": [{"file": "budget.xlsx"}]}), encoding="utf-8")
    before = _tree(out)
    assert main(["briefing", str(sample_dataset), "--month", "latest", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "did not write" in err and str(out) in err and err.count("\n") == 1
    assert _tree(out) == before
    assert not list(tmp_path.glob(".documents.staging-*"))


def test_briefing_into_the_dataset_exits_2_and_the_dataset_stays_readable(sample_dataset, capsys, no_kernel):
    before = _tree(sample_dataset)
    for out in (sample_dataset, sample_dataset / "agency=zz110"):
        assert main(["briefing", str(sample_dataset), "--month", "latest", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "dataset folder" in err and err.count("\n") == 1
    assert _tree(sample_dataset) == before
    assert len(read_calls(sample_dataset, columns=["incident_id"])) > 0
    assert not list(sample_dataset.parent.glob(".*.staging-*"))


def test_two_runs_replace_their_own_files_and_keep_the_users(sample_dataset, tmp_path):
    """A real kernel: a run through a symbolic link writes into its target; a second run (another chart) removes
    the first run's chart, replaces its page, and keeps a file the user put into the folder in between."""
    real = tmp_path / "real"
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    with pytest.raises(UserError, match="does not exist"):  # a link to nothing is refused
        B.build_briefing(sample_dataset, month="latest", agency="zz110", out_dir=link, notebook=_tiny(tmp_path, "x"))
    real.mkdir()
    first = B.build_briefing(sample_dataset, month="latest", agency="zz110", out_dir=link,
                             notebook=_tiny(tmp_path, "one.png"))  # fmt: skip
    assert link.is_symlink() and first.out_dir == real.resolve()
    assert sorted(os.listdir(real)) == sorted([B.MARKER, "one.png", MANIFEST, "index.html", "tiny_one_png.ipynb"])
    assert set(_marker(real)["files"]) == set(os.listdir(real)) - {B.MARKER}
    (real / "notes.txt").write_text("the user's notes", encoding="utf-8")
    B.build_briefing(sample_dataset, month="latest", agency="zz110", out_dir=link,
                     notebook=_tiny(tmp_path, "two.png"))  # fmt: skip
    assert link.is_symlink()
    assert (real / "notes.txt").read_text(encoding="utf-8") == "the user's notes"
    assert not (real / "one.png").exists() and (real / "two.png").is_file()
    assert not (real / "tiny_one_png.ipynb").exists() and (real / "tiny_two_png.ipynb").is_file()
    assert set(_marker(real)["files"]) == {"two.png", MANIFEST, "index.html", "tiny_two_png.ipynb"}
    assert not list(tmp_path.glob(".*.staging-*"))


def test_interactive_notebook_runs_write_to_their_own_folders():
    """Each notebook's default out_dir is its own folder under reports/notebooks, never reports/briefing."""
    import ast

    from responsestats.config import NOTEBOOKS_DIR

    for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py")):
        nb = B.read_notebook(path)
        cell = next(c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", []))
        values = {t.id: ast.literal_eval(node.value) for node in ast.parse(cell.source).body
                  if isinstance(node, ast.Assign) for t in node.targets}  # fmt: skip
        assert values["out_dir"] == f"../reports/notebooks/{path.stem}", path.name
