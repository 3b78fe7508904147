"""The wheel works outside the checkout.

The wheel is built from a copy of the checkout and installed into a fresh
virtual environment in a temporary folder. ``responsestats sample``,
``ingest``, ``metrics`` and ``briefing`` then run end to end from there, with
the checkout on no path.

* **Default (fast).** The fresh venv gets no dependencies from the index. A
  ``.pth`` line adds the running environment's site-packages to its
  ``sys.path``. A folder added by a ``.pth`` line does not have its own
  ``.pth`` files processed, so the editable install of the checkout
  (``__editable__.responsestats-*.pth`` in that folder) stays invisible. The
  test checks this: ``responsestats`` and ``config.PACKAGE_DIR`` must resolve
  inside the fresh venv. The wheel is installed with
  ``--no-deps --no-index``.
* **``-m slow``.** The wheel is installed *with* its dependencies from the
  index into a plain fresh venv. This shows that the runtime dependencies
  alone are enough, without the test extras of the running environment.

An audit hook, loaded by a ``.pth`` file in the fresh venv, logs every file
the CLI processes and the notebook kernel open or list under the checkout
(the running environment's own prefix excepted). The log must show the hook
running in every process and no reads.

The wheel is built with ``pip wheel --no-build-isolation`` (no ``build``
package, no network). It needs the build requirements in the running
environment, so they are in the ``test`` extra. The build runs on a copy of
the project files, never in the checkout: an in-tree build writes ``build/``
and ``*.egg-info`` into the tree, and a stale ``build/lib`` can put files that
were deleted from ``src/`` back into the wheel.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from briefing_helpers import BRIEFING_PNGS
from paths import REPO

SRC = REPO / "src"
PACKAGE = "responsestats"
#: Seconds allowed per CLI command (the briefing runs a notebook: about 10 s here).
COMMAND_TIMEOUT = 600
BRIEFING_NOTEBOOK = "04_monthly_briefing.ipynb"
#: The charts of the briefing on the bundled sample (the page of every target is left out for cn110).
N_CHARTS = len(BRIEFING_PNGS)
#: Copied into the build folder when present (the readme is added from pyproject.toml).
PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "MANIFEST.in")
LICENSE_GLOBS = ("LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*")
#: Not package files: caches, bytecode and build metadata, hidden files.
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "*.egg-info", ".*")
GUARD = "_responsestats_wheel_guard"


def _timed(timings: dict[str, float], step: str, cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run ``cmd``, add its wall time to ``timings[step]``; fail with its output if it exits non-zero."""
    kwargs.setdefault("timeout", COMMAND_TIMEOUT)
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, encoding="utf-8", errors="replace",
                          **kwargs)
    timings[step] = timings.get(step, 0.0) + time.perf_counter() - start
    assert proc.returncode == 0, (
        f"{step}: exit {proc.returncode}\n$ {' '.join(map(str, cmd))}\n"
        f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
    )
    return proc


def _report(timings: dict[str, float]) -> None:
    print("\n" + "\n".join(f"  {step:<28} {seconds:6.1f} s" for step, seconds in timings.items()))


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


# --- the wheel -----------------------------------------------------------------------------
def _check_build_requirements() -> None:
    """The running environment must satisfy [build-system] requires (they are in the test extra)."""
    try:
        major = int(metadata.version("setuptools").split(".")[0])
        metadata.version("wheel")
    except metadata.PackageNotFoundError as exc:
        pytest.fail(f"{exc.name} is not installed; install the test extra: pip install -e '.[test]'")
    if major < 77:
        pytest.fail(f"setuptools {metadata.version('setuptools')} cannot build pyproject.toml (license "
                    "expression); install the test extra: pip install -e '.[test]'")


def _copy_project(dest: Path) -> Path:
    """Copy what the build reads (pyproject, readme, licence files, src/) into ``dest``."""
    dest.mkdir()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    readme = pyproject["project"].get("readme")
    readme = readme.get("file") if isinstance(readme, dict) else readme
    names = set(PROJECT_FILES) | ({readme} if readme else set())
    names |= {p.name for pattern in LICENSE_GLOBS for p in REPO.glob(pattern)}
    for name in sorted(names):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, dest / name)
    shutil.copytree(SRC, dest / "src", ignore=IGNORED)
    return dest


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory) -> tuple[Path, dict[str, float]]:
    """The wheel built from a copy of the checkout (offline), and the build's wall time."""
    _check_build_requirements()
    root = tmp_path_factory.mktemp("wheel")
    project = _copy_project(root / "project")
    timings: dict[str, float] = {}
    _timed(timings, "build wheel", [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                                    "--no-index", "--disable-pip-version-check", "-q", "-w", str(root / "dist"),
                                    str(project)])
    wheels = sorted((root / "dist").glob(f"{PACKAGE}-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0], timings


def _glob_regex(pattern: str) -> re.Pattern:
    """A setuptools package-data glob as a regex on ``/``-separated names (``*`` stays within a folder)."""
    out = []
    for part in re.split(r"(\*\*/?|\*|\?)", pattern):
        out.append({"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part)))
    return re.compile("".join(out) + r"\Z")


def _package_files() -> list[Path]:
    """Every file under src/responsestats, caches, bytecode and hidden files aside."""
    files = []
    for path in sorted((SRC / PACKAGE).rglob("*")):
        rel = path.relative_to(SRC)
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel.parts) \
                and path.suffix not in (".pyc", ".pyo"):
            files.append(rel)
    return files


def test_wheel_contents(built_wheel):
    wheel, _ = built_wheel
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        entry_points = zf.read(f"{dist_info}/entry_points.txt").decode("utf-8")

    problems = []  # every problem at once, not just the first
    # Only the package and its metadata: no tests, caches, bytecode or egg-info.
    if {n.split("/")[0] for n in names} != {PACKAGE, dist_info}:
        problems.append(f"top-level entries: {sorted({n.split('/')[0] for n in names})}")
    stray = sorted(n for n in names if re.search(r"(^|/)(__pycache__|\.[^/]+|[^/]+\.egg-info)(/|$)|\.py[co]$", n))
    if stray:
        problems.append(f"not package files, in the wheel: {stray}")
    if not re.search(rf"^{PACKAGE} = {PACKAGE}\.cli:main$", entry_points, flags=re.MULTILINE):
        problems.append(f"no console script {PACKAGE} = {PACKAGE}.cli:main in entry_points.txt:\n{entry_points}")

    # Every package-data pattern of pyproject.toml matches a file in the wheel.
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    assert package_data, "no [tool.setuptools.package-data] in pyproject.toml"
    unmatched = []
    for package, patterns in package_data.items():
        # Names relative to the package's folder; for "*" (every package), relative to any folder.
        if package == "*":
            relative = {n.split("/", i)[-1] for n in names for i in range(1, n.count("/") + 1)}
        else:
            prefix = package.replace(".", "/") + "/"
            relative = {n[len(prefix):] for n in names if n.startswith(prefix)}
        for pattern in patterns:
            regex = _glob_regex(pattern)
            if not any(regex.match(n) for n in relative):
                unmatched.append(f"{package}: {pattern}")
    if unmatched:
        problems.append(f"package-data patterns of pyproject.toml that match no file in the wheel: {unmatched}")

    # Every file the code reads beside itself (the package-data folders of responsestats.config) is in the wheel ...
    from responsestats import config

    data_paths = [config.MAPPINGS_DIR, config.STANDARDS_DIR, config.LABELS_DIR, config.STYLE_PATH.parent,
                  config.INDEX_TEMPLATE_PATH.parent, config.BRIEFING_NOTEBOOK_PATH.parent]
    for path in (config.STYLE_PATH, config.INDEX_TEMPLATE_PATH, config.BRIEFING_NOTEBOOK_PATH):
        assert path.is_file(), path
    package_files = _package_files()
    wanted = set()
    for folder in data_paths:
        rel = (SRC / PACKAGE / Path(folder).relative_to(config.PACKAGE_DIR)).relative_to(SRC)
        found = [f for f in package_files if rel in f.parents]
        assert found, f"no files under {rel} in the checkout"
        wanted |= set(found)
    missing = sorted(f.as_posix() for f in wanted if f.as_posix() not in names)
    if missing:
        problems.append(f"package data read by the code (responsestats.config) but missing from the wheel: {missing}")
    # ... and so is every other file of the package (a module in a folder without __init__.py, a new data file).
    missing = sorted(f.as_posix() for f in package_files if f.as_posix() not in names and f not in wanted)
    if missing:
        problems.append(f"other files under src/{PACKAGE} missing from the wheel: {missing}")
    assert not problems, "\n".join(problems)


# --- the fresh environment -----------------------------------------------------------------
def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _venv_script(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / (name + (".exe" if os.name == "nt" else ""))


def _purelib(python: Path) -> Path:
    out = subprocess.run([str(python), "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def _running_site_dirs() -> list[str]:
    paths = sysconfig.get_paths()
    return list(dict.fromkeys(str(Path(paths[k]).resolve()) for k in ("purelib", "platlib")))


def _make_venv(tmp: Path, wheel: Path, timings: dict[str, float], *, with_dependencies: bool) -> Path:
    """A fresh venv in ``tmp`` with the wheel installed; returns the venv folder."""
    venv = tmp / "venv"
    _timed(timings, "create venv", [sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = _venv_python(venv)
    # The running pip installs into the new interpreter (--python): no pip bootstrap in the new venv.
    # Without PYTHONPATH, and before the .pth of _install_guard: were the checkout or the running
    # environment visible, pip would find their responsestats of the same version and skip the wheel.
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--disable-pip-version-check",
               "--no-input", "-q"]
    if with_dependencies:
        _timed(timings, "install wheel + deps (index)", install + [str(wheel)], timeout=3600, env=_base_env())
    else:
        _timed(timings, "install wheel", install + ["--no-deps", "--no-index", str(wheel)], env=_base_env())
    return venv


def _install_guard(venv: Path, tmp: Path, *, running_site_dirs: list[str]) -> Path:
    """Make the fresh venv see ``running_site_dirs`` and log reads under the checkout; returns the log."""
    purelib = _purelib(_venv_python(venv))
    if running_site_dirs:
        (purelib / "_responsestats_running_env.pth").write_text("\n".join(running_site_dirs) + "\n",
                                                                encoding="utf-8")
    log = tmp / "guard.log"
    allowed = [str(Path(sys.prefix).resolve()), str(tmp.resolve())]
    (purelib / f"{GUARD}.py").write_text(_GUARD_SOURCE.format(repo=str(REPO), allowed=allowed, log=str(log)),
                                         encoding="utf-8")
    (purelib / f"{GUARD}.pth").write_text(f"import {GUARD}\n", encoding="utf-8")
    return log


_GUARD_SOURCE = '''"""tests/test_wheel.py: log files opened or listed under the checkout."""
import os
import sys

_REPO = {repo!r}
_ALLOWED = {allowed!r}
_LOG = {log!r}
_EVENTS = frozenset(("open", "os.listdir", "os.scandir", "glob.glob", "os.chdir"))


def _inside(path, root):
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _write(line):
    fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\\n").encode("utf-8", "backslashreplace"))
    finally:
        os.close(fd)


def _hook(event, args):
    if event not in _EVENTS or not args or args[0] is None or isinstance(args[0], int):
        return
    try:
        path = os.path.abspath(os.fsdecode(os.fspath(args[0])))
    except (TypeError, ValueError, OSError):
        return
    if _inside(path, _REPO) and not any(_inside(path, a) for a in _ALLOWED):
        _write("read\\t%d\\t%s\\t%s" % (os.getpid(), event, path))


_write("start\\t%d\\t%r" % (os.getpid(), getattr(sys, "orig_argv", None)))
sys.addaudithook(_hook)
'''


def _base_env() -> dict[str, str]:
    """``os.environ`` without PYTHON* variables (PYTHONPATH...), RESPONSESTATS_PROJECT_DIR or an active env."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTHON") and k not in ("RESPONSESTATS_PROJECT_DIR", "VIRTUAL_ENV", "CONDA_PREFIX")}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _clean_env(venv: Path) -> dict[str, str]:
    """The environment of the CLI runs: :func:`_base_env`, with the fresh venv first on PATH."""
    env = _base_env()
    running_bin = str(Path(sys.executable).parent)
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != running_bin]
    env["PATH"] = os.pathsep.join([str(_venv_script(venv, "python").parent), *path])
    env["VIRTUAL_ENV"] = str(venv)
    # No script folder or working folder on sys.path (the kernel runs `-m ipykernel_launcher`).
    env["PYTHONSAFEPATH"] = "1"
    return env


_WHERE = """
import json, sys
from importlib import metadata
import responsestats
from responsestats import config
dist = metadata.distribution("responsestats")
print(json.dumps({"file": responsestats.__file__, "package_dir": str(config.PACKAGE_DIR), "path": sys.path,
                  "dist": str(dist.locate_file("")), "direct_url": dist.read_text("direct_url.json")}))
"""


def _check_installed(venv: Path, work: Path, env: dict[str, str]) -> None:
    """``responsestats`` imports from the fresh venv, not from the checkout, and is not an editable install."""
    python = _venv_python(venv)
    out = subprocess.run([str(python), "-I", "-c", _WHERE], check=False, capture_output=True, text=True, cwd=work,
                         env=env, timeout=COMMAND_TIMEOUT)
    assert out.returncode == 0, out.stderr
    where = json.loads(out.stdout)
    purelib = _purelib(python).resolve()
    package = Path(where["file"]).resolve().parent
    assert package == purelib / PACKAGE, where
    assert Path(where["package_dir"]) == package, where
    assert Path(where["dist"]).resolve() == purelib, where
    assert str(SRC) not in where["path"]  # the editable .pth line of the running env was not processed
    allowed = [Path(sys.prefix).resolve()]
    on_path = [p for p in where["path"] if p and _inside(Path(p).resolve(), REPO)
               and not any(_inside(Path(p).resolve(), a) for a in allowed)]
    assert not on_path, f"checkout folders on the fresh venv's sys.path: {on_path}"
    direct_url = json.loads(where["direct_url"] or "{}")
    assert not direct_url.get("dir_info", {}).get("editable"), direct_url


def _run_end_to_end(venv: Path, work: Path, log: Path, timings: dict[str, float], langs=("en",)) -> None:
    """sample -> ingest -> metrics -> briefing (per language) with the fresh venv's console script, in ``work``."""
    work.mkdir()
    env = _clean_env(venv)
    _check_installed(venv, work, env)
    exe = str(_venv_script(venv, "responsestats"))

    def cli(step, *args):
        return _timed(timings, step, [exe, *map(str, args)], cwd=work, env=env)

    cli("sample", "sample", "--out", "S")
    inputs = sorted((work / "S").glob("*.csv"))
    assert inputs, "responsestats sample wrote no CSV"
    cli("ingest", "ingest", *[p.relative_to(work) for p in inputs], "--format", "cn110", "--agency", "zz110",
        "--out", "D")
    assert (work / "D").is_dir()
    cli("metrics", "metrics", "D", "--by", "month", "--interval", "response_s", "--interval", "dispatch_to_arrival_s",
        "--standard", "cn110", "--format", "csv", "--output", "M.csv")
    with (work / "M.csv").open(encoding="utf-8-sig", newline="") as fh:  # a CSV file starts with a BOM
        rows = list(csv.DictReader(fh))
    assert rows, "responsestats metrics wrote no rows"
    assert {"month", "interval", "n", "p90_s"} <= set(rows[0]), rows[0].keys()
    assert {r["interval"] for r in rows} == {"response_s", "dispatch_to_arrival_s"}
    assert sum(int(r["n"]) for r in rows) > 0
    for lang in langs:
        name = "B" if lang == "en" else f"B_{lang}"
        step = "briefing" if lang == "en" else f"briefing ({lang})"
        out = cli(step, "briefing", "D", "--month", "latest", "--agency", "zz110", "--lang", lang, "--out", name)
        _check_briefing(work / name, out.stdout)

    # Nothing was read from the checkout, by the CLI processes or by the notebook kernel.
    lines = log.read_text(encoding="utf-8").splitlines()
    started = [ln for ln in lines if ln.startswith("start\t")]
    assert len(started) >= 5 and any("ipykernel_launcher" in ln for ln in started), started
    reads = [ln for ln in lines if ln.startswith("read\t")]
    assert not reads, "read from the checkout:\n" + "\n".join(reads[:40])


def _check_briefing(briefing: Path, stdout: str) -> None:
    """The 7 PNGs, charts.json, index.html and the executed notebook are in ``briefing``."""
    pngs = sorted(p.name for p in briefing.glob("*.png"))
    assert len(pngs) == N_CHARTS, (pngs, stdout)
    for name in pngs:
        assert (briefing / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    manifest = json.loads((briefing / "charts.json").read_text(encoding="utf-8"))
    assert sorted(c["file"] for c in manifest["charts"]) == pngs
    index = (briefing / "index.html").read_text(encoding="utf-8")
    assert all(name in index for name in pngs)
    nb = json.loads((briefing / BRIEFING_NOTEBOOK).read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c.get("execution_count") for c in code), "the briefing notebook was not executed"
    assert not [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_wheel_runs_outside_checkout(built_wheel, tmp_path):
    """Fast: the fresh venv borrows the running environment's third-party packages (see the module docstring)."""
    wheel, build_timings = built_wheel
    timings = dict(build_timings)
    venv = _make_venv(tmp_path, wheel, timings, with_dependencies=False)
    log = _install_guard(venv, tmp_path, running_site_dirs=_running_site_dirs())
    _run_end_to_end(venv, tmp_path / "work", log, timings)
    _report(timings)


@pytest.mark.slow
def test_wheel_runs_with_dependencies_from_index(built_wheel, tmp_path):
    """Slow: the wheel and its runtime dependencies, from the index, in a plain fresh venv."""
    wheel, build_timings = built_wheel
    timings = dict(build_timings)
    venv = _make_venv(tmp_path, wheel, timings, with_dependencies=True)
    log = _install_guard(venv, tmp_path, running_site_dirs=[])
    # Chinese too: its font comes from mplfonts as installed from the index.
    _run_end_to_end(venv, tmp_path / "work", log, timings, langs=("en", "zh"))
    _report(timings)
