"""Packaging: environment.yml and pyproject.toml name the same packages; the glossary covers the schema."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from responsestats import schema as S

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {_name(r) for r in py["project"]["dependencies"]}
    wanted |= {_name(r) for r in py["project"]["optional-dependencies"]["test"]}
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    listed = set()
    in_deps = False
    for line in env.splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        m = re.match(r"^\s+- ([A-Za-z0-9_.-]+)", line)
        if in_deps and m:
            listed.add(_name(m.group(1)))
    listed -= {"python", "pip", "-e"}
    assert listed == wanted
    assert "- -e ." in env.splitlines()[-1]


def test_glossary_documents_every_column():
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_0-9]+)` \|", text, flags=re.M))
    assert set(S.COLUMNS) <= documented
    assert set(S.REPORT_KEYS) <= documented  # the ingest report's keys too
    for q in S.QUARANTINE_SCHEMA.names:
        assert q in documented


def test_readme_leads_with_the_two_commands():
    lines = [ln for ln in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if ln.strip()]
    code = [ln.split("#")[0].strip() for ln in lines[:15] if ln.strip().startswith("make ")]
    assert code[:2] == ["make briefing", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
