"""The headless runner of the monthly briefing: execute the briefing notebook and write ``index.html``.

``responsestats briefing`` calls :func:`build_briefing`, which runs these steps.

1. It checks the inputs in this process, so that a bad dataset, agency,
   month, standard or language gives a one-line error before any kernel
   starts. It also resolves ``--month latest`` to a month
   (:func:`~.months.latest_full_month`).
2. It converts the briefing notebook shipped in the package
   (``briefing/notebook/04_monthly_briefing.py``, jupytext py:percent; a
   checkout's ``notebooks/04_monthly_briefing.py`` links to it) to a notebook and injects the parameters as papermill does: a new cell
   tagged ``injected-parameters`` goes right after the cell tagged
   ``parameters``.
3. It executes the notebook with nbclient, on a kernel that runs *this*
   interpreter (:func:`kernel_manager`), whatever kernels the machine has
   registered.
4. The notebook writes its PNGs and ``charts.json`` into a staging folder.
   This step adds the executed notebook and ``index.html``, built from the
   manifest. It then moves everything into the output folder, so a failed
   run leaves the previous briefing as it was.

The output folder
-----------------
A briefing writes only into a folder it may call its own, checked in step 1,
before any kernel starts (:func:`check_out_dir`):

* a folder that does not exist yet (it is created), or an empty one (files a
  file browser drops, such as ``.DS_Store``, do not count), is fine;
* a folder holding the marker :data:`MARKER` (``.responsestats-briefing``,
  JSON naming the files the last briefing wrote there) is fine: a run
  replaces only files the marker names, deletes only files the marker names
  that this run did not write again, and leaves every other file alone;
* a folder without the marker that holds nothing but a briefing's own files
  from before the marker existed (``index.html``, ``charts.json``, the
  executed notebook and the PNGs its ``charts.json`` lists) is taken as a
  briefing: those files may be replaced, nothing is deleted;
* any other folder, a file, a dataset folder (it holds ``agency=*``,
  ``_reports``, ``_quarantine`` or ``_keys``) and any folder inside a dataset are
  refused with one line (:class:`~responsestats.errors.UserError`).

A symbolic link given as the output folder is followed: the checks and the
writes apply to the folder it points to (its real path), and the link itself
is never replaced; a link to nothing is refused. If the finished run would
replace a file in the folder that the marker does not name (a file put there
after the check), nothing is moved and the run ends with one line.
"""

from __future__ import annotations

import json
import os
import asyncio
import contextlib
import shutil
import signal
import subprocess
import threading
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .._version import __version__
from ..config import BRIEFING_NOTEBOOK_PATH, KEYS_SUBDIR, QUARANTINE_SUBDIR, REPORTS_SUBDIR
from ..errors import UserError
from ..metrics import load_standard
from ..sources.boundaries import read_boundaries
from ..sources.roster import read_roster
from .book import FILE, LEFT_OUT, MANIFEST, PAGE, REASON, read_manifest
from .data import load_briefing_data
from .deck import DECK, write_deck
from .months import LATEST
from .page import render_index
from .wording.labels import check_language

BRIEFING_NOTEBOOK = BRIEFING_NOTEBOOK_PATH.name
INDEX = "index.html"
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
#: Seconds a single notebook cell may run.
CELL_TIMEOUT = 600
#: The file a briefing writes into its output folder: JSON whose ``files`` are the names it wrote there.
MARKER = ".responsestats-briefing"
#: Files a file browser drops into a folder; they do not make a folder non-empty.
_BROWSER_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


class NotebookFailed(RuntimeError):
    """A notebook cell raised; the message names the cell and the error."""


# --- notebooks -----------------------------------------------------------------------------
def read_notebook(path: str | Path):
    """A jupytext py:percent file (or an .ipynb) as an nbformat notebook."""
    import jupytext

    path = Path(path)
    if not path.is_file():
        raise UserError(f"notebook {path} not found")
    return jupytext.read(path, fmt="py:percent" if path.suffix == ".py" else None)


def inject_parameters(nb, parameters: dict[str, object], comment: str = ""):
    """Insert a cell tagged ``injected-parameters`` right after the ``parameters`` cell, as papermill does.

    A previous injected cell is replaced. The values are written with :func:`repr`, after
    ``comment`` (as ``#`` lines) if one is given.

    Raises
    ------
    ValueError
        If the notebook has no cell tagged ``parameters``.
    """
    import nbformat

    cells = [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]
    where = next((i for i, c in enumerate(cells) if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])), None)
    if where is None:
        raise ValueError("the notebook has no cell tagged 'parameters'")
    notes = "".join(f"# {line}\n" for line in comment.splitlines())
    source = "# Parameters\n" + notes + "".join(f"{name} = {value!r}\n" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source=source, metadata={"tags": [INJECTED_TAG]})
    cells.insert(where + 1, cell)
    nb.cells = cells
    return nb


def kernel_spec():
    """The ipykernel spec of the running interpreter (``sys.executable -m ipykernel_launcher``)."""
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec

    return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())


def kernel_manager(socket_dir: str | Path | None = None):
    """A kernel manager whose ``python3`` kernel is this interpreter.

    A fresh venv has no registered kernel, and a user-level ``python3`` spec
    may point at another Python. Neither matters here, because the spec
    comes from :func:`kernel_spec`. With ``socket_dir`` (on POSIX), the kernel
    talks over Unix sockets in that folder instead of TCP ports on localhost.
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    class ThisInterpreter(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):  # noqa: ARG002 - every name is this interpreter
            return kernel_spec()

        def find_kernel_specs(self):
            return {"python3": kernel_spec().resource_dir}

    km = KernelManager(kernel_name="python3", kernel_spec_manager=ThisInterpreter())
    if socket_dir is not None and os.name == "posix":
        km.transport = "ipc"
        km.ip = str(Path(socket_dir) / "kernel")
    return km


def execute_notebook(path: str | Path, parameters: dict[str, object], cwd: str | Path, timeout: int = CELL_TIMEOUT,
                     comment: str = ""):  # fmt: skip
    """Execute a notebook with ``parameters`` injected (see :func:`inject_parameters`); return it executed.

    Raises
    ------
    NotebookFailed
        When a cell raises; ``.notebook`` holds the notebook as far as it ran.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = inject_parameters(read_notebook(path), parameters, comment)
    stopped: list[int] = []
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    sockets = tempfile.mkdtemp(prefix="responsestats-kernel-")
    km = kernel_manager(sockets)
    client = None
    try:
        client = NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(cwd)}})
        # the kernel's own log goes nowhere: a cell's error comes back in its reply, and an interrupted run
        # must not print the kernel's complaints about its sockets closing under it
        with _record_stops(stopped):
            _run(client.async_execute(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    except CellExecutionError as exc:
        if stopped:
            raise _stop_for(stopped[0]) from None
        error = NotebookFailed(f"{Path(path).name}: {_first_line(exc)}")
        error.notebook = nb
        raise error from None
    except BaseException:
        if stopped:  # nbclient turns an interrupt into errors of its own as it tears the kernel down
            raise _stop_for(stopped[0]) from None
        raise
    finally:
        if client is not None and client.kc is not None:  # the client's channels, which run threads of their own
            client.kc.stop_channels()
        if km.has_kernel:  # nbclient leaves a kernel it did not start running: stop it here
            km.shutdown_kernel()
        shutil.rmtree(sockets, ignore_errors=True)
    return nb


class _OwnSignals(asyncio.SelectorEventLoop):
    """An event loop that lets no coroutine take over SIGINT and SIGTERM (nbclient tries; it then tears the kernel
    down under its own feet and fails with an assertion): :func:`_record_stops` handles them."""

    def add_signal_handler(self, sig, callback, *args):  # noqa: ARG002
        raise RuntimeError("signals are handled by responsestats")


def _run(coroutine):
    """Run ``coroutine`` to its end on a fresh :class:`_OwnSignals` loop.

    When it is interrupted (the signal's exception leaves the loop, not the coroutine), the coroutine is
    cancelled and run to the end of its ``finally`` blocks before the exception goes on, so nothing of it is left
    for ``atexit`` (nbclient registers a clean-up there that would wait on a closed loop).
    """
    loop = _OwnSignals()
    task = loop.create_task(coroutine)
    try:
        return loop.run_until_complete(task)
    except BaseException:
        pending = asyncio.all_tasks(loop)  # the notebook and what it started (nbclient polls the kernel aside)
        for left in pending:
            left.cancel()
        with contextlib.suppress(BaseException):
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        raise
    finally:
        loop.close()


@contextlib.contextmanager
def _record_stops(stopped: list[int]):
    """While the notebook runs, SIGINT and SIGTERM are recorded in ``stopped`` and interrupt the run.

    nbclient answers an interrupt inside its event loop with an assertion or a cell error of its own; the
    record lets :func:`execute_notebook` raise what the user did instead (``KeyboardInterrupt``, or the CLI's
    ``Terminated`` for SIGTERM), so the command prints one line and the staging folder is removed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):  # noqa: ARG001
        stopped.append(signum)
        raise KeyboardInterrupt()

    before = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in before.items():
            signal.signal(sig, old)


def _stop_for(signum: int) -> KeyboardInterrupt:
    """The exception that stands for a stop by ``signum`` (SIGTERM: :class:`Stopped` with ``terminated``)."""
    stop = Stopped()
    stop.terminated = signum == signal.SIGTERM
    return stop


class Stopped(KeyboardInterrupt):
    """The briefing was interrupted (SIGINT) or terminated (SIGTERM, ``terminated``) while its notebook ran."""

    terminated = False


def _first_line(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}".strip()


# --- the command ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BriefingResult:
    """What :func:`build_briefing` wrote."""

    out_dir: Path
    month: str
    lang: str
    charts: tuple[str, ...]
    notebook: Path
    index: Path
    deck: Path | None = None
    #: The pages left out, each "page: reason" (the index lists them too).
    left_out: tuple[str, ...] = ()


def build_briefing(
    dataset: str | Path,
    month: str = LATEST,
    agency: str | None = None,
    lang: str = "zh",
    standard: str = "cn110",
    out_dir: str | Path = "reports/briefing",
    notebook: str | Path | None = None,
    where: str | None = None,
    group_by: str = "district",
    pptx: bool = False,
    roster: str | Path | None = None,
    boundaries: str | Path | None = None,
) -> BriefingResult:
    """Build the monthly briefing of ``month`` into ``out_dir``.

    Parameters
    ----------
    dataset : str or Path
        Dataset folder written by ``responsestats ingest``.
    month : str
        ``"YYYY-MM"``, or ``"latest"``: the latest full calendar month in the data.
    agency : str, optional
        The agency; default the dataset's only one.
    lang : str
        Language of the charts (``"zh"`` or ``"en"``).
    standard : str
        Standard graded against: a built-in name or a ``.toml`` file.
    out_dir : str or Path
        Output folder: new, empty, or one a briefing wrote before (see the module's *The output folder*).
    notebook : str or Path, optional
        The notebook to run (default the packaged briefing notebook).
    where : str, optional
        Brief only the calls this row filter matches (:mod:`~responsestats.metrics.filters`); checked before
        the notebook runs, named in every chart's subtitle and in ``charts.json``.
    group_by : str
        The column the district chart groups by: ``district`` or a dimension of the dataset (``station``).
    pptx : bool
        Also write the charts as a 16:9 slide deck, ``briefing.pptx`` (:func:`~.deck.write_deck`).
    roster : str or Path, optional
        Duty roster CSV for the workload page (:func:`responsestats.sources.roster.read_roster`); read and checked
        before the notebook runs.
    boundaries : str or Path, optional
        GeoJSON polygons for the map page (:func:`responsestats.sources.boundaries.read_boundaries`); checked
        before the notebook runs. Without it the map bins the calls' coordinates.

    Returns
    -------
    BriefingResult
        The folder (its real path), the month briefed, the PNG names, the executed notebook and index.html.

    Raises
    ------
    UserError
        For bad inputs and an output folder this tool may not write into (checked before the notebook runs).
    NotebookFailed
        If the notebook fails; the previous briefing in ``out_dir`` is left as it was.
    """
    notebook = Path(notebook) if notebook else BRIEFING_NOTEBOOK_PATH
    executed_name = notebook.with_suffix(".ipynb").name
    out_dir = check_out_dir(out_dir, executed_name).path
    lang = check_language(lang)
    std = load_standard(standard)
    standard_arg = str(Path(standard).resolve()) if str(standard).endswith(".toml") else std.name
    data = load_briefing_data(dataset, agency=agency, month=month, standard=std, where=where, group_by=group_by)
    roster = _checked_input(roster, "roster")
    boundaries = _checked_input(boundaries, "boundaries")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    except OSError as exc:
        raise UserError(f"output folder {out_dir}: cannot write beside it: {exc.strerror or exc}") from None
    try:
        parameters = {
            "dataset": str(Path(dataset).resolve()),
            "agency": data.agency,
            "month": data.month,
            "language": lang,
            "standard": standard_arg,
            "out_dir": str(staging),
            "where": data.where or None,
            "group_by": data.group_by,
            "roster": roster,
            "boundaries": boundaries,
        }
        import nbformat

        try:
            note = f"out_dir is a staging folder; the files were then moved to {out_dir}"
            nb = execute_notebook(notebook, parameters, cwd=staging, comment=note)
        except NotebookFailed as exc:
            nbformat.write(exc.notebook, str(staging / executed_name))
            failed = out_dir.parent / f"{out_dir.name}.failed.ipynb"
            shutil.copyfile(staging / executed_name, failed)
            raise NotebookFailed(f"{exc}; the notebook as far as it ran: {failed}") from None
        nbformat.write(nb, str(staging / executed_name))
        manifest = read_manifest(staging)
        (staging / INDEX).write_text(render_index(manifest, lang, executed_name), encoding="utf-8")
        charts = tuple(c[FILE] for c in manifest["charts"])
        extra = (write_deck(staging).name,) if pptx else ()
        _publish(staging, out_dir, charts + (MANIFEST, executed_name, INDEX, *extra), data.month, executed_name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    left_out = tuple(f"{e[PAGE]}: {e[REASON]}" for e in manifest.get(LEFT_OUT, []))
    return BriefingResult(out_dir, data.month, lang, charts, out_dir / executed_name, out_dir / INDEX,
                          out_dir / DECK if pptx else None, left_out)


def _checked_input(path: str | Path | None, what: str) -> str | None:
    """An input file of the briefing (roster, boundaries), read once before the notebook runs; its real path.

    The reader's own check names the file, row or feature and what is wrong (:class:`UserError`).
    """
    if path is None:
        return None
    (read_roster if what == "roster" else read_boundaries)(path)
    return str(Path(path).resolve())


# --- the output folder ---------------------------------------------------------------------
@dataclass(frozen=True)
class OutDir:
    """An output folder a briefing may write into (:func:`check_out_dir`)."""

    #: The folder's real path (a symbolic link resolved).
    path: Path
    #: Names the briefing may replace: those its marker names, or a pre-marker briefing's files.
    replaceable: frozenset[str]
    #: Names the briefing may delete when a run does not write them again: those its marker names.
    deletable: frozenset[str]


def check_out_dir(out_dir: str | Path, notebook_name: str | None = None) -> OutDir:
    """Check that a briefing may write into ``out_dir``, changing nothing (rules: the module's *The output folder*).

    Parameters
    ----------
    out_dir : str or Path
        The output folder asked for; a symbolic link is followed.
    notebook_name : str, optional
        File name of the executed notebook a briefing writes (for a folder from before the marker); default
        that of the packaged briefing notebook.

    Returns
    -------
    OutDir
        The real path and the names this tool wrote there.

    Raises
    ------
    UserError
        A file, a link to nothing, a dataset folder or a folder inside one, a folder with an unreadable
        marker, or a non-empty folder this tool did not write.
    """
    given = Path(out_dir)
    notebook_name = notebook_name or BRIEFING_NOTEBOOK_PATH.with_suffix(".ipynb").name
    if given.is_symlink() and not given.exists():
        raise UserError(f"output folder {given}: a symbolic link to {os.readlink(given)}, which does not exist")
    real = given.resolve()
    shown = str(given) if real == given.absolute() and given.name else f"{given} (-> {real})"
    if real.exists() and not real.is_dir():
        raise UserError(f"output folder {shown} is a file, not a folder")
    for folder in (real, *real.parents):
        if _is_dataset(folder):
            where = "is a dataset folder" if folder == real else f"is inside the dataset folder {folder}"
            raise UserError(f"output folder {shown} {where}; write the briefing to a folder outside it")
    if not real.exists():
        return OutDir(real, frozenset(), frozenset())
    present = {entry.name for entry in real.iterdir()} - _BROWSER_FILES
    if MARKER in present:
        owned = _read_marker(real / MARKER, shown)
        return OutDir(real, owned, owned)
    if not present:
        return OutDir(real, frozenset(), frozenset())
    foreign = sorted(present - _briefing_names(real, present, notebook_name))
    if not foreign:
        return OutDir(real, frozenset(present), frozenset())
    some = ", ".join(repr(n) for n in foreign[:3]) + (", ..." if len(foreign) > 3 else "")
    raise UserError(f"output folder {shown} holds files this tool did not write ({len(foreign)}: {some}) and no "
                    f"{MARKER} marker; give a new or empty folder")  # fmt: skip


def _is_dataset(folder: Path) -> bool:
    """Whether ``folder`` looks like a dataset: it holds ``agency=*``, ``_reports``, ``_quarantine`` or ``_keys``."""
    try:
        return (any((folder / sub).is_dir() for sub in (REPORTS_SUBDIR, QUARANTINE_SUBDIR, KEYS_SUBDIR))
                or any(p.is_dir() for p in folder.glob("agency=*")))  # fmt: skip
    except OSError:  # a folder we may not list is not one we write into either; the write will say so
        return False


def _read_marker(path: Path, shown: str) -> frozenset[str]:
    """The bare file names a marker says this tool wrote."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        files = body["files"]
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(f"output folder {shown}: its {MARKER} marker is unreadable; delete the marker after "
                        "checking which files are yours, or give a new folder") from None  # fmt: skip
    return frozenset(f for f in files if _bare(f))


def _briefing_names(folder: Path, present: set[str], notebook_name: str) -> set[str]:
    """Which of ``present`` are files of a briefing written before the marker existed.

    Those are ``index.html``, ``charts.json``, the executed notebook and the PNGs the folder's ``charts.json``
    lists, each a file (not a folder); an unreadable ``charts.json`` makes none of them a briefing's.
    """
    names = {INDEX, MANIFEST, notebook_name}
    if MANIFEST in present:
        try:
            charts = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("charts", [])
            names |= {c[FILE] for c in charts if _bare(c[FILE]) and c[FILE].endswith(".png")}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return set()
    return {n for n in present & names if (folder / n).is_file() and not (folder / n).is_symlink()}


def _bare(name: object) -> bool:
    """Whether ``name`` is a plain file name (no folder part, on any system)."""
    return isinstance(name, str) and name not in ("", ".", "..") and Path(name).name == name and "\\" not in name


def _write_marker(staging: Path, out_dir: Path, files: set[str] | tuple[str, ...], month: str) -> None:
    """Write the marker naming ``files`` into ``out_dir`` atomically (built in ``staging``, then moved)."""
    body = {"written_by": "responsestats briefing", "version": __version__, "month": month,
            "files": sorted(set(files))}  # fmt: skip
    tmp = staging / MARKER
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir / MARKER)


def _publish(staging: Path, out_dir: Path, names: tuple[str, ...], month: str, notebook_name: str) -> None:
    """Move ``names`` from ``staging`` into ``out_dir``, replacing and deleting only files this tool wrote there.

    The folder is checked again first (it may have changed while the notebook ran); a name to be written that
    is there and is not this tool's stops the run before anything is moved. The marker names the old and the
    new files while they are moved, so an interrupted run leaves nothing this tool wrote unlisted.
    """
    target = check_out_dir(out_dir, notebook_name)
    clash = sorted(n for n in names if n not in target.replaceable and os.path.lexists(out_dir / n))
    if clash:
        raise UserError(f"output folder {out_dir}: the briefing would replace {clash[0]!r}, which this tool did not "
                        f"write ({MARKER} does not name it); nothing was changed")  # fmt: skip
    started = False
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_marker(staging, out_dir, set(names) | target.deletable, month)
        started = True
        for name in names:
            os.replace(staging / name, out_dir / name)
        for name in sorted(target.deletable - set(names)):
            path = out_dir / name
            if path.is_symlink() or path.is_file():
                path.unlink()
        _write_marker(staging, out_dir, names, month)
    except OSError as exc:
        state = f"{MARKER} names every file it may have written" if started else "nothing was changed"
        raise UserError(f"output folder {out_dir}: the briefing could not be written ({exc.strerror or exc}); "
                        f"{state}") from None  # fmt: skip


__all__ = [
    "BRIEFING_NOTEBOOK",
    "MARKER",
    "BriefingResult",
    "NotebookFailed",
    "OutDir",
    "build_briefing",
    "check_out_dir",
    "execute_notebook",
    "inject_parameters",
    "kernel_manager",
    "kernel_spec",
    "read_notebook",
]
