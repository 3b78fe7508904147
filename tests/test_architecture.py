"""The map of the house (docs/architecture.md) holds: one folder per stage, imports one way, names that do not clash.

The graph is read from the source (every ``import`` of every module, ``TYPE_CHECKING`` blocks left out), so a
stage that reaches into a later one fails here whatever is imported at run time.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import responsestats
from paths import REPO

PACKAGE = Path(responsestats.__file__).resolve().parent

#: The stages, in the order data flows (and imports may point only backwards, or within a stage).
STAGES = ("foundation", "sources", "formats", "store", "ingestion", "metrics", "briefing", "sample", "cli", "top")
#: Modules at the package root that every stage may use.
FOUNDATION = {"_version", "_memory", "errors", "config", "schema", "localtime", "privacy"}
#: Inside the briefing, the same rule between its parts.
BRIEFING_PARTS = ("columns", "months", "tables", "data", "wording", "charts", "slides", "book", "page", "runner")


def _stage(module: str) -> str:
    parts = module.split(".")[1:]
    if not parts or parts[0] in ("__init__", "__main__"):
        return "top"
    if parts[0] in FOUNDATION:
        return "foundation"
    return parts[0]


def _briefing_part(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "briefing" and parts[2] in BRIEFING_PARTS else None


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        if "notebook" in rel.parts:  # the briefing notebook is package data, not a module
            continue
        name = ".".join(rel.parts)
        out[name.removesuffix(".__init__")] = path
    return out


MODULES = _modules()


def _is_package(module: str) -> bool:
    return MODULES.get(module, Path()).name == "__init__.py"


def _imports(module: str, path: Path) -> set[str]:
    """The project modules ``module`` imports at run time (not under ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    found = set()
    base = module.split(".") if _is_package(module) else module.split(".")[:-1]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("responsestats")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                target = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("responsestats"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    return found


EDGES = {m: _imports(m, p) for m, p in MODULES.items()}


def test_the_stages_are_the_folders_of_the_package():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(STAGES) - {"foundation", "top"}
    assert {p.stem for p in PACKAGE.glob("*.py")} == FOUNDATION | {"__init__", "__main__"}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_one_way(module):
    """A module imports its own stage or earlier ones, never a later one, and never the root package."""
    mine = STAGES.index(_stage(module))
    for target in sorted(EDGES[module]):
        if target == module:
            continue
        assert target != "responsestats" or _stage(module) == "top", f"{module} imports the root package"
        theirs = STAGES.index(_stage(target))
        assert theirs <= mine, f"{module} ({_stage(module)}) imports {target} ({_stage(target)}): an upward import"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _briefing_part(m)))
def test_the_briefing_parts_import_one_way(module):
    mine = BRIEFING_PARTS.index(_briefing_part(module))
    for target in sorted(EDGES[module]):
        part = _briefing_part(target)
        if part is not None:
            assert BRIEFING_PARTS.index(part) <= mine, f"{module} imports {target}: against the briefing's flow"


def test_charts_and_wording_read_no_files():
    """Only briefing.data reads a dataset: charts, wording and tables never reach the store."""
    for module, targets in EDGES.items():
        if _briefing_part(module) in ("charts", "wording", "tables", "columns", "months"):
            assert not {t for t in targets if _stage(t) in ("store", "ingestion")}, module


def _all_modules():
    yield responsestats
    for info in pkgutil.walk_packages(responsestats.__path__, "responsestats."):
        if info.name.endswith("__main__"):
            continue
        yield importlib.import_module(info.name)


def test_every_module_imports_by_its_dotted_name_and_no_function_shares_a_module_name():
    """``import responsestats.ingestion.pipeline`` works, and ``package.<name>`` is the module of that name."""
    seen = 0
    for module in _all_modules():
        seen += 1
        if not hasattr(module, "__path__"):
            continue
        for info in pkgutil.iter_modules(module.__path__):
            if info.name == "__main__":
                continue
            attr = getattr(module, info.name, None)
            child = importlib.import_module(f"{module.__name__}.{info.name}")
            assert attr is None or attr is child, f"{module.__name__}.{info.name} is a {type(attr).__name__}"
    assert seen >= 60


def test_the_stages_are_attributes_of_the_root_package():
    for stage in set(STAGES) - {"foundation", "top"}:
        assert getattr(responsestats, stage).__name__ == f"responsestats.{stage}"


def test_the_architecture_document_names_every_folder():
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    for stage in set(STAGES) - {"foundation", "top"}:
        assert f"{stage}/" in text, stage
    for part in BRIEFING_PARTS:
        assert f"`{part}" in text, part
