"""The public API: ``import responsestats as rs`` gives the notebook functions by name, each documented (numpydoc,
with units in brackets), and user errors are ``ValueError``s."""

from __future__ import annotations

import dataclasses
import inspect
import re

import pandas as pd
import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc

import responsestats as rs
from responsestats import metrics
from responsestats.errors import DatasetLockedError, IngestIOError, MappingError, UserError

#: What a notebook reaches for first.
NOTEBOOK_API = {"read_calls", "summarize", "attainment", "outcome_summary", "kaplan_meier", "add_time_keys",
                "load_briefing_data", "ingest"}  # fmt: skip
#: A parameter or result of one of these types is a quantity: its entry names its unit, e.g. ``[s]``, ``[count]``.
NUMERIC_TYPE = re.compile(r"\b(int|float|number|numbers|timestamp-like|timedelta)\b", re.I)
UNIT = re.compile(r"\[[^\]]+\]")


def _public(module) -> list[tuple[str, object]]:
    return [(name, getattr(module, name)) for name in module.__all__
            if not inspect.ismodule(getattr(module, name)) and callable(getattr(module, name))]  # fmt: skip


PUBLIC = {f"rs.{n}": o for n, o in _public(rs)} | {f"rs.metrics.{n}": o for n, o in _public(metrics)}


def test_the_notebook_api_is_exported_by_name():
    assert NOTEBOOK_API <= set(rs.__all__)
    assert len(rs.__all__) == len(set(rs.__all__))
    for name in rs.__all__:
        assert getattr(rs, name) is not None, name
    assert rs.summarize is metrics.summarize and rs.read_calls is rs.store.read_calls


def test_user_errors_are_value_errors():
    for kind in (UserError, MappingError, DatasetLockedError, IngestIOError):
        assert issubclass(kind, ValueError), kind
    assert issubclass(IngestIOError, OSError)
    with pytest.raises(ValueError, match="unknown interval"):
        rs.summarize(pd.DataFrame(), "drive_time_s")


def _entries(doc, section: str) -> list:
    return list(doc[section]) if section in doc else []


def _documented(doc) -> set[str]:
    names = set()
    for entry in _entries(doc, "Parameters") + _entries(doc, "Other Parameters") + _entries(doc, "Attributes"):
        names |= {n.strip().lstrip("*") for n in entry.name.split(",")}
    return names


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_names_have_numpydoc_docstrings_with_units(name):
    obj = PUBLIC[name]
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        assert (obj.__doc__ or "").strip(), f"{name}: no docstring"
        return
    doc = ClassDoc(obj, config={"show_class_members": False}) if inspect.isclass(obj) else FunctionDoc(obj)
    assert doc["Summary"], f"{name}: no summary line"
    if inspect.isclass(obj):
        if dataclasses.is_dataclass(obj):
            missing = {f.name for f in dataclasses.fields(obj)} - _documented(doc)
            assert not missing, f"{name}: fields not documented under Attributes: {sorted(missing)}"
        entries = _entries(doc, "Attributes") + _entries(doc, "Parameters")
    else:
        wanted = [p for p, v in inspect.signature(obj).parameters.items()
                  if v.kind not in (v.VAR_POSITIONAL, v.VAR_KEYWORD)]  # fmt: skip
        missing = set(wanted) - _documented(doc)
        assert not missing, f"{name}: parameters not documented: {sorted(missing)}"
        returns = inspect.signature(obj).return_annotation
        if returns not in (None, "None", inspect.Signature.empty):
            assert doc["Returns"] or doc["Yields"], f"{name}: no Returns section"
        entries = _entries(doc, "Parameters") + _entries(doc, "Returns")
    for entry in entries:
        text = " ".join([entry.type, *entry.desc])
        if NUMERIC_TYPE.search(entry.type):
            assert UNIT.search(text), f"{name}: {entry.name or entry.type!r} is a quantity without a unit in brackets"
