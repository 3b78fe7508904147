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
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..config import BRIEFING_NOTEBOOK_PATH
from ..errors import UserError
from ..metrics import load_standard
from .book import FILE, MANIFEST, read_manifest
from .data import load_briefing_data
from .months import LATEST
from .page import render_index
from .wording.labels import check_language

BRIEFING_NOTEBOOK = BRIEFING_NOTEBOOK_PATH.name
INDEX = "index.html"
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
#: Seconds a single notebook cell may run.
CELL_TIMEOUT = 600


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
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    sockets = tempfile.mkdtemp(prefix="responsestats-kernel-")
    km = kernel_manager(sockets)
    try:
        client = NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(cwd)}})
        client.execute()
    except CellExecutionError as exc:
        error = NotebookFailed(f"{Path(path).name}: {_first_line(exc)}")
        error.notebook = nb
        raise error from None
    finally:
        if km.has_kernel:  # nbclient leaves a kernel it did not start running: stop it here
            km.shutdown_kernel()
        shutil.rmtree(sockets, ignore_errors=True)
    return nb


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


def build_briefing(
    dataset: str | Path,
    month: str = LATEST,
    agency: str | None = None,
    lang: str = "zh",
    standard: str = "cn110",
    out_dir: str | Path = "reports/briefing",
    notebook: str | Path | None = None,
) -> BriefingResult:
    """Build the monthly briefing of ``month`` into ``out_dir``.

    Returns
    -------
    BriefingResult
        The folder, the month briefed, the PNG names, the executed notebook and index.html.

    Raises
    ------
    UserError
        For bad inputs (checked before the notebook runs).
    NotebookFailed
        If the notebook fails; the previous briefing in ``out_dir`` is left as it was.
    """
    lang = check_language(lang)
    std = load_standard(standard)
    standard_arg = str(Path(standard).resolve()) if str(standard).endswith(".toml") else std.name
    data = load_briefing_data(dataset, agency=agency, month=month, standard=std)
    notebook = Path(notebook) if notebook else BRIEFING_NOTEBOOK_PATH
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        parameters = {
            "dataset": str(Path(dataset).resolve()),
            "agency": data.agency,
            "month": data.month,
            "language": lang,
            "standard": standard_arg,
            "out_dir": str(staging),
        }
        import nbformat

        executed_name = notebook.with_suffix(".ipynb").name
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
        _publish(staging, out_dir, charts + (MANIFEST, executed_name, INDEX))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BriefingResult(out_dir, data.month, lang, charts, out_dir / executed_name, out_dir / INDEX)


def _publish(staging: Path, out_dir: Path, names: tuple[str, ...]) -> None:
    """Move ``names`` from ``staging`` into ``out_dir``; drop charts a previous briefing made that this one did not."""
    out_dir.mkdir(parents=True, exist_ok=True)
    old = out_dir / MANIFEST
    if old.is_file():
        try:
            previous = {c[FILE] for c in json.loads(old.read_text(encoding="utf-8")).get("charts", [])}
        except (ValueError, KeyError, TypeError):
            previous = set()
        for name in previous - set(names):
            if Path(name).name == name and (out_dir / name).is_file():  # a bare file name, on any system
                (out_dir / name).unlink()
    for name in names:
        os.replace(staging / name, out_dir / name)


__all__ = [
    "BRIEFING_NOTEBOOK",
    "BriefingResult",
    "NotebookFailed",
    "build_briefing",
    "execute_notebook",
    "inject_parameters",
    "kernel_manager",
    "kernel_spec",
    "read_notebook",
]
