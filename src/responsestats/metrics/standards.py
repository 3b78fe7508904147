"""Standard profiles: response-time targets read from TOML data files.

Built-in profiles live in ``responsestats/metrics/profiles/<name>.toml``; any other
TOML file with the same layout can be loaded by path, and may extend a
built-in profile (``extends = "nfpa1710"``). Files are parsed with
:mod:`tomllib` and validated: an unknown key is an error that names it. The
layout is documented in ``docs/metrics.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import schema as S
from ..config import STANDARDS_DIR
from ..errors import UserError
from ..formats.strict_toml import check_keys, number, read_toml, text
from . import names as N
from .intervals import resolve_intervals

#: Allowed keys of the ``[standard]`` table.
STANDARD_KEYS = {
    "name": "short name used to select the profile",
    "title": "full title of the standard",
    "edition": "edition or year",
    "citation": "where the targets come from",
    "note": "free text shown in docs",
    "extends": "name (or path) of a profile whose targets this file starts from",
    "population": "table column -> list of values (as `when`) naming the calls every target grades, e.g. "
                  "{ priority = [\"一级\"] }; {} grades every call; a row with no value in the column is graded",
    "invalid_calls": "table column -> list of values (as `when`) naming the calls that are not valid calls "
                     "(有效警情 are the others: hang-ups, harassment, consultations...), e.g. "
                     "{ call_group = [\"无效警情\"] }; every condition must match; a row with no value is valid; "
                     "{} or absent: the standard does not tell valid from invalid calls",
}
#: Allowed keys of a ``[[targets]]`` table.
TARGET_KEYS = {
    "id": "unique id within the profile (default: the interval name)",
    "interval": "interval the target applies to, e.g. turnout_s",
    "target_s": "the target [s]; leave out for 'no numeric target'",
    "required_share": "share of values that must be within the target, e.g. 0.90",
    "label": "short description",
    "citation": "section of the standard",
    "note": "free text",
    "when": "table column -> list of values (or {in = [...]} / {not_in = [...]}) selecting the rows",
}
#: Allowed keys of an ``[[erf]]`` table (an effective-response-force objective, see :class:`ErfTarget`).
ERF_KEYS = {
    "id": "unique id within the profile's [[erf]] entries",
    "units": "the alarm's number of distinct units: the objective is met when the units-th unit is on scene",
    "interval": "what is timed to the units-th arrival: " + ", ".join(N.ERF_INTERVALS),
    "target_s": "the target [s]; leave out for 'no numeric target'",
    "required_share": "share of incidents that must be within the target, e.g. 0.90",
    "label": "short description",
    "citation": "section of the standard",
    "note": "free text",
    "when": "the incidents the entry grades: a table as for targets, or an array of such tables (any may match)",
}
#: Largest ``units`` an ``[[erf]]`` entry may ask for [count].
MAX_ERF_UNITS = 1000
#: Allowed keys of a ``[[ladders]]`` table (a response ladder, see :class:`Ladder`).
LADDER_KEYS = {
    "id": "unique id within the profile's [[ladders]] entries",
    "interval": "the interval the ladder grades, e.g. response_s",
    "steps_s": "the thresholds [s], increasing, e.g. [60, 180, 300]: the share within each is reported",
    "step_labels": "optional words for the steps, one per threshold (e.g. the article's 'self-rescue')",
    "label": "short description",
    "citation": "where the ladder comes from",
    "note": "free text",
    "when": "the calls the ladder grades (as for targets; {present = true} selects calls with any value); "
            "a ladder does not take the standard's population unless it says so here",
}
#: Most steps a ladder may have [count].
MAX_LADDER_STEPS = 20
_CONDITION_KEYS = {"in", "not_in", "present"}
_TOP_KEYS = {"standard", "targets", "erf", "ladders"}


@dataclass(frozen=True)
class Condition:
    """Rows whose ``column`` is (or, with ``negate``, is not) one of ``values``.

    Values compare case-insensitively after trimming; a missing value never
    matches, either way.
    """

    column: str
    values: frozenset[str]
    negate: bool = False
    #: The values as the profile writes them (for wording), in file order.
    shown: tuple[str, ...] = field(default=(), compare=False)

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean array: which rows of ``frame`` satisfy the condition."""
        if self.column not in frame.columns:
            return np.zeros(len(frame), dtype=bool)
        codes, uniques = pd.factorize(frame[self.column])  # compare each distinct value once; missing: -1
        present = codes >= 0
        text = pd.Series([str(v) for v in uniques], dtype=object).str.strip().str.casefold()
        hit = np.append(text.isin(self.values).to_numpy(dtype=bool), False)[codes]
        return present & (~hit if self.negate else hit)

    def covers(self, frame: pd.DataFrame) -> np.ndarray:
        """As :meth:`mask`, but a row with no value in ``column`` (or a frame without it) is covered.

        The rule of a standard's ``population``: a call whose priority was not recorded may be urgent, so it is
        graded rather than silently dropped; a dataset without priorities is graded whole.
        """
        if self.column not in frame.columns:
            return np.ones(len(frame), dtype=bool)
        return self.mask(frame) | frame[self.column].isna().to_numpy(dtype=bool)


def population_mask(frame: pd.DataFrame, population: tuple[Condition, ...],
                    invalid: tuple[Condition, ...] = ()) -> np.ndarray:  # fmt: skip
    """Boolean array: the rows of ``frame`` in ``population`` (every condition covers them, see
    :meth:`Condition.covers`) that are not invalid calls (every ``invalid`` condition matches them, see
    :attr:`Standard.invalid_calls`: a hang-up or a harassment call is never graded)."""
    mask = np.ones(len(frame), dtype=bool)
    for cond in population:
        mask &= cond.covers(frame)
    if invalid:
        mask &= ~all_match(frame, invalid)
    return mask


def all_match(frame: pd.DataFrame, conditions: tuple[Condition, ...]) -> np.ndarray:
    """Boolean array: the rows every one of ``conditions`` matches (:meth:`Condition.mask`); all rows without any."""
    mask = np.ones(len(frame), dtype=bool)
    for cond in conditions:
        mask &= cond.mask(frame)
    return mask


@dataclass(frozen=True)
class Target:
    """One objective: ``required_share`` of ``interval`` values within ``target_s``.

    Attributes
    ----------
    id : str
        Unique within its profile.
    interval : str
        The interval graded, e.g. ``turnout_s``.
    target_s : float or None
        The target [s]; None: no numeric target (the rows it selects are not graded).
    required_share : float or None
        Share of values that must be within the target [fraction, 0-1], if the standard sets one.
    label, citation, note : str
        A short description, the section of the standard, free text.
    when : tuple of Condition
        The rows the target applies to (all must hold); empty: every row.
    population : tuple of Condition
        The standard's population (``[standard].population``), which the target grades within: a row must be
        in it too (:func:`population_mask`); empty: every row.
    invalid : tuple of Condition
        The standard's invalid calls (``[standard].invalid_calls``), never graded.
    """

    id: str
    interval: str
    target_s: float | None
    required_share: float | None = None
    label: str = ""
    citation: str = ""
    note: str = ""
    when: tuple[Condition, ...] = ()
    population: tuple[Condition, ...] = ()
    invalid: tuple[Condition, ...] = ()

    def applies(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean array: the rows this target applies to (its ``when``, within the standard's population)."""
        mask = population_mask(frame, self.population, self.invalid)
        for cond in self.when:
            mask &= cond.mask(frame)
        return mask


@dataclass(frozen=True)
class ErfTarget:
    """An effective-response-force objective: the ``units``-th distinct unit on scene within ``target_s``.

    Attributes
    ----------
    id : str
        Unique among the profile's ``[[erf]]`` entries.
    units : int
        The alarm's number of distinct units [count]: the incident's full alarm is on scene when its
        ``units``-th distinct unit arrives (a unit counts once, at its first arrival).
    interval : str
        What is timed to that arrival: ``received_to_nth_arrival_s`` (from the call), ``dispatch_to_nth_arrival_s``
        (from the first dispatch) or ``enroute_to_nth_arrival_s`` (from the first unit en route: the travel of
        the full alarm).
    target_s : float or None
        The target [s]; None: no numeric target (incidents are counted, not graded).
    required_share : float or None
        Share of complete incidents that must be within the target [fraction, 0-1], if the standard sets one.
    label, citation, note : str
        A short description, the section of the standard, free text.
    when : tuple of tuple of Condition
        The incidents the entry grades: any of the alternatives, each a set of conditions that must all hold;
        empty: every incident.
    population : tuple of Condition
        The standard's population, which the entry grades within (as :attr:`Target.population`).
    invalid : tuple of Condition
        The standard's invalid calls, never graded (as :attr:`Target.invalid`).
    """

    id: str
    units: int
    interval: str
    target_s: float | None
    required_share: float | None = None
    label: str = ""
    citation: str = ""
    note: str = ""
    when: tuple[tuple[Condition, ...], ...] = ()
    population: tuple[Condition, ...] = ()
    invalid: tuple[Condition, ...] = ()

    def applies(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean array: the rows (incidents) this entry grades (any ``when`` alternative, within the population)."""
        mask = population_mask(frame, self.population, self.invalid)
        if not self.when:
            return mask
        any_of = np.zeros(len(frame), dtype=bool)
        for alternative in self.when:
            both = np.ones(len(frame), dtype=bool)
            for cond in alternative:
                both &= cond.mask(frame)
            any_of |= both
        return mask & any_of


@dataclass(frozen=True)
class Ladder:
    """A response ladder: the share of an interval's values within each of several thresholds.

    Chinese 110 centres grade stages this way (指令签收 0-30 s, 30-60 s, ...; key sites "1 minute self-rescue,
    3 minutes mutual aid, 5 minutes arrival"), and many fire and police agencies report 4/6/8 or 5/10/15-minute
    ladders. Graded by :func:`~responsestats.metrics.ladders.ladder`.

    Attributes
    ----------
    id : str
        Unique among the profile's ``[[ladders]]``.
    interval : str
        The interval graded, e.g. ``response_s``.
    steps_s : tuple of float
        The thresholds [s], increasing; "within" means ``<=``.
    step_labels : tuple of str
        Words for the steps (empty, or one per threshold).
    label, citation, note : str
        A short description, where it comes from, free text.
    when : tuple of Condition
        The calls it grades (all must hold); empty: every call. Not the standard's population.
    """

    id: str
    interval: str
    steps_s: tuple[float, ...]
    step_labels: tuple[str, ...] = ()
    label: str = ""
    citation: str = ""
    note: str = ""
    when: tuple[Condition, ...] = ()

    def applies(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean array: the rows the ladder grades."""
        return all_match(frame, self.when)


@dataclass(frozen=True)
class Standard:
    """A named set of targets (a standard profile, ``docs/metrics.md``).

    Attributes
    ----------
    name : str
        The name it is selected by (``cn110``, ``nfpa1710``, ...).
    targets : tuple of Target
        The targets, in file order (the first that applies to a row is the row's).
    title, edition, citation, note : str
        The standard's title, edition or year, where the targets come from, free text.
    source : str
        The file (or ``"custom"``) the profile was read from.
    condition_columns : tuple of str
        The columns the targets' ``when`` conditions and the population read.
    population : tuple of Condition
        The calls every target grades (``[standard].population``, e.g. the urgent priorities of ``cn110``);
        empty: every call. A row with no value in a population column is graded (:meth:`Condition.covers`).
    erf : tuple of ErfTarget
        The effective-response-force objectives (``[[erf]]``), in file order; graded by
        :func:`~responsestats.metrics.erf.effective_response_force`, not by the interval targets.
    ladders : tuple of Ladder
        The response ladders (``[[ladders]]``), in file order; graded by
        :func:`~responsestats.metrics.ladders.ladder`.
    invalid_calls : tuple of Condition
        The calls that are not valid calls (``[standard].invalid_calls``: hang-ups, harassment, consultations...;
        every condition must match); never graded, and left out of valid-call counts. Empty: the standard does
        not tell valid from invalid calls (:attr:`tells_valid_calls`).
    """

    name: str
    targets: tuple[Target, ...]
    title: str = ""
    edition: str = ""
    citation: str = ""
    note: str = ""
    source: str = ""
    condition_columns: tuple[str, ...] = field(default=())
    population: tuple[Condition, ...] = ()
    erf: tuple[ErfTarget, ...] = ()
    ladders: tuple[Ladder, ...] = ()
    invalid_calls: tuple[Condition, ...] = ()

    def in_population(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean array: the rows of ``frame`` the standard grades (all of them without a population), invalid
        calls left out."""
        return population_mask(frame, self.population, self.invalid_calls)

    @property
    def tells_valid_calls(self) -> bool:
        """Whether the standard defines invalid calls (``[standard].invalid_calls``), so valid calls can be counted."""
        return bool(self.invalid_calls)

    def is_invalid(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean array: the rows of ``frame`` that are invalid calls (every ``invalid_calls`` condition matches).

        A row with no value in a condition's column does not match it, so it counts as valid; without
        ``invalid_calls`` no row is invalid (see :attr:`tells_valid_calls` before calling a count "valid").
        """
        if not self.invalid_calls:
            return np.zeros(len(frame), dtype=bool)
        return all_match(frame, self.invalid_calls)

    def targets_for(self, interval: str) -> tuple[Target, ...]:
        """The targets of one interval, in file order."""
        return tuple(t for t in self.targets if t.interval == interval)

    @property
    def intervals(self) -> tuple[str, ...]:
        """Intervals that have at least one target, in file order."""
        return tuple(dict.fromkeys(t.interval for t in self.targets))


def _error(source: str, message: str) -> UserError:
    return UserError(f"standard {source}: {message}")


def _where(source: str, where: str) -> str:
    """The place of a key in a profile, for :mod:`~responsestats.formats.strict_toml`'s messages."""
    return f"standard {source} {where}"


def _conditions(when: Any, where: str, source: str, key: str = "when", dimensions: bool = False
                ) -> tuple[Condition, ...]:
    """The conditions of a ``when`` table (``key = "when"``, at ``where``) or of a population (``where`` is the key)."""
    place = f"{where}.{key}" if key == "when" else where
    if not isinstance(when, Mapping):
        raise _error(source, f"{place} must be a table of column = [values]")
    out = []
    for column, spec in when.items():
        if column not in S.COLUMNS and not (dimensions and re.match(S.DIMENSION_NAME_PATTERN, str(column))):
            raise _error(source, f"unknown key {column!r} in {place}: not a canonical column")
        negate = False
        if isinstance(spec, Mapping):
            check_keys(spec, _CONDITION_KEYS, _where(source, f"{place}.{column}"))
            if len(spec) != 1:
                raise _error(source, f"{place}.{column} needs exactly one of 'in', 'not_in' or 'present'")
            if "present" in spec:  # any recorded value: "not in (nothing)"
                if spec["present"] is not True:
                    raise _error(source, f"{place}.{column}.present: only 'present = true' (a recorded value) is "
                                         "supported")
                out.append(Condition(column, frozenset(), True, ()))
                continue
            negate = "not_in" in spec
            spec = spec["not_in" if negate else "in"]
        if isinstance(spec, str):
            spec = [spec]
        if not isinstance(spec, list) or not all(isinstance(v, (str, int, float, bool)) for v in spec):
            raise _error(source, f"{place}.{column} must be a list of values")
        values = frozenset(str(v).strip().casefold() for v in spec)
        shown = tuple(dict.fromkeys(str(v).strip() for v in spec))
        out.append(Condition(column, values, negate, shown))
    return tuple(out)


def _target(raw: Any, index: int, source: str) -> Target:
    where = f"targets[{index}]"
    if not isinstance(raw, Mapping):
        raise _error(source, f"{where} must be a table")
    check_keys(raw, TARGET_KEYS, _where(source, where))
    if "interval" not in raw:
        raise _error(source, f"{where} lacks 'interval'")
    try:
        interval = resolve_intervals(text(raw["interval"], _where(source, f"{where}.interval")))[0]
    except UserError as exc:
        raise _error(source, f"{where}.interval: {exc}") from None
    target_s = raw.get("target_s")
    if target_s is not None:
        target_s = number(target_s, _where(source, f"{where}.target_s"), 0.0, float("inf"), low_open=True)
    share = raw.get("required_share")
    if share is not None:
        share = number(share, _where(source, f"{where}.required_share"), 0.0, 1.0, low_open=True)
    return Target(
        id=text(raw.get("id", interval), _where(source, f"{where}.id")),
        interval=interval,
        target_s=target_s,
        required_share=share,
        label=text(raw.get("label", ""), _where(source, f"{where}.label")),
        citation=text(raw.get("citation", ""), _where(source, f"{where}.citation")),
        note=text(raw.get("note", ""), _where(source, f"{where}.note")),
        when=_conditions(raw.get("when", {}), where, source),
    )


def _erf_when(when: Any, where: str, source: str) -> tuple[tuple[Condition, ...], ...]:
    """The alternatives of an ``[[erf]]`` entry's ``when``: one table, or an array of tables (any may match)."""
    if isinstance(when, list):
        if not when:
            raise _error(source, f"{where}.when is an empty array: give at least one table, or leave 'when' out")
        return tuple(_conditions(w, f"{where}.when[{i}]", source, "population") for i, w in enumerate(when))
    alternative = _conditions(when, where, source)
    return (alternative,) if alternative else ()


def _entry_table(raw: Any, where: str, keys: dict[str, str], required: tuple[str, ...], source: str) -> None:
    """Check one ``[[...]]`` table: a table, only ``keys``, every ``required`` key present."""
    if not isinstance(raw, Mapping):
        raise _error(source, f"{where} must be a table")
    check_keys(raw, keys, _where(source, where))
    for key in required:
        if key not in raw:
            raise _error(source, f"{where} lacks {key!r} ({keys[key]})")


def _erf(raw: Any, index: int, source: str) -> ErfTarget:
    where = f"erf[{index}]"
    _entry_table(raw, where, ERF_KEYS, ("id", "units", "interval"), source)
    units = number(raw["units"], _where(source, f"{where}.units"), 1.0, MAX_ERF_UNITS)
    if not float(units).is_integer() or not isinstance(raw["units"], int):
        raise _error(source, f"{where}.units: expected a whole number of units, got {raw['units']!r}")
    interval = text(raw["interval"], _where(source, f"{where}.interval"))
    if interval not in N.ERF_INTERVALS:
        raise _error(source, f"{where}.interval: unknown {interval!r}; use one of {', '.join(N.ERF_INTERVALS)}")
    target_s = raw.get("target_s")
    if target_s is not None:
        target_s = number(target_s, _where(source, f"{where}.target_s"), 0.0, float("inf"), low_open=True)
    share = raw.get("required_share")
    if share is not None:
        share = number(share, _where(source, f"{where}.required_share"), 0.0, 1.0, low_open=True)
    return ErfTarget(
        id=text(raw["id"], _where(source, f"{where}.id")),
        units=int(units),
        interval=interval,
        target_s=target_s,
        required_share=share,
        label=text(raw.get("label", ""), _where(source, f"{where}.label")),
        citation=text(raw.get("citation", ""), _where(source, f"{where}.citation")),
        note=text(raw.get("note", ""), _where(source, f"{where}.note")),
        when=_erf_when(raw.get("when", {}), where, source),
    )


def _ladder(raw: Any, index: int, source: str) -> Ladder:
    where = f"ladders[{index}]"
    _entry_table(raw, where, LADDER_KEYS, ("id", "interval", "steps_s"), source)
    try:
        interval = resolve_intervals(text(raw["interval"], _where(source, f"{where}.interval")))[0]
    except UserError as exc:
        raise _error(source, f"{where}.interval: {exc}") from None
    steps = raw["steps_s"]
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_LADDER_STEPS:
        raise _error(source, f"{where}.steps_s: expected a list of 1 to {MAX_LADDER_STEPS} thresholds [s]")
    steps_s = tuple(number(s, _where(source, f"{where}.steps_s"), 0.0, float("inf"), low_open=True) for s in steps)
    if any(b <= a for a, b in zip(steps_s, steps_s[1:])):
        raise _error(source, f"{where}.steps_s: the thresholds must increase, got {list(steps_s)}")
    labels = raw.get("step_labels", [])
    if not isinstance(labels, list) or (labels and len(labels) != len(steps_s)):
        raise _error(source, f"{where}.step_labels: expected one label per threshold ({len(steps_s)})")
    return Ladder(
        id=text(raw["id"], _where(source, f"{where}.id")),
        interval=interval,
        steps_s=steps_s,
        step_labels=tuple(text(x, _where(source, f"{where}.step_labels")) for x in labels),
        label=text(raw.get("label", ""), _where(source, f"{where}.label")),
        citation=text(raw.get("citation", ""), _where(source, f"{where}.citation")),
        note=text(raw.get("note", ""), _where(source, f"{where}.note")),
        when=_conditions(raw.get("when", {}), where, source, dimensions=True),
    )


def _entries(data: Mapping[str, Any], key: str, parse, source: str) -> list:
    """The ``[[key]]`` tables of a profile, each parsed by ``parse(raw, index, source)``, their ids distinct."""
    raw = data.get(key, [])
    if not isinstance(raw, list):
        raise _error(source, f"{key} must be an array of tables ([[{key}]])")
    entries = [parse(item, i, source) for i, item in enumerate(raw)]
    ids = [e.id for e in entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise _error(source, f"duplicate {key} id(s) {', '.join(dupes)}: give each [[{key}]] entry a distinct 'id'")
    return entries


def with_entries(standard: str | Standard, key: str) -> Standard:
    """A standard profile that has ``[[key]]`` entries (``erf``, ``ladders``).

    Parameters
    ----------
    standard : str or Standard
        Built-in profile name, TOML path, or a loaded :class:`Standard`.
    key : str
        ``"erf"`` or ``"ladders"``.

    Returns
    -------
    Standard
        The profile.

    Raises
    ------
    UserError
        When it has none: one line naming it and the built-in profiles that have some.
    """
    std = load_standard(standard)
    if not getattr(std, key):
        having = [name for name in list_standards() if getattr(load_standard(name), key)]
        hint = f"built-in profiles with some: {', '.join(having)}" if having else "no built-in profile has any"
        raise UserError(f"standard {std.name} has no [[{key}]] entry; {hint}, or add [[{key}]] tables to a profile "
                        "(docs/metrics.md)")
    return std


def _merge(base: tuple[Target, ...], extra: list[Target]) -> tuple[Target, ...]:
    """Base targets with same-id targets replaced in place and new ones appended."""
    by_id = {t.id: t for t in extra}
    merged = [by_id.pop(t.id, t) for t in base]
    merged.extend(t for t in extra if t.id in by_id)
    return tuple(merged)


#: Longest chain of ``extends`` followed [profiles]; a longer one is refused (a profile built on a profile built
#: on ... is a mistake long before this).
MAX_EXTENDS_DEPTH = 10


def standard_from_dict(data: Mapping[str, Any], source: str = "<dict>", _chain: tuple[str, ...] = ()) -> Standard:
    """Build and validate a :class:`Standard` from parsed TOML.

    Parameters
    ----------
    data : mapping
        ``{"standard": {...}, "targets": [{...}, ...], "erf": [{...}, ...]}`` (``erf``: optional
        effective-response-force objectives, :class:`ErfTarget`).
    source : str
        Where the data came from, for error messages.
    _chain : tuple of str
        Internal: the profiles whose ``extends`` led here (cycles and a depth over
        :data:`MAX_EXTENDS_DEPTH` are refused in one line).

    Returns
    -------
    Standard
        The validated profile (``extends`` resolved).

    Raises
    ------
    UserError
        Naming the unknown key or invalid value.
    """
    check_keys(data, _TOP_KEYS, _where(source, "the file"))
    head = data.get("standard", {})
    if not isinstance(head, Mapping):
        raise _error(source, "[standard] must be a table")
    check_keys(head, STANDARD_KEYS, _where(source, "[standard]"))
    targets = _entries(data, "targets", _target, source)
    erf = _entries(data, "erf", _erf, source)
    ladders = _entries(data, "ladders", _ladder, source)
    base = None
    if "extends" in head:
        base = _load_base(text(head["extends"], _where(source, "[standard].extends")), (*_chain, source))
    if "population" in head:  # an extending profile's population replaces the base's ({} grades every call)
        population = _conditions(head["population"], "[standard].population", source, "population")
    else:
        population = base.population if base else ()
    if "invalid_calls" in head:  # as the population: an extending profile's definition replaces the base's
        invalid = _conditions(head["invalid_calls"], "[standard].invalid_calls", source, "population", dimensions=True)
    else:
        invalid = base.invalid_calls if base else ()
    merged = _merge(base.targets, targets) if base else tuple(targets)
    merged_erf = _merge(base.erf, erf) if base else tuple(erf)
    merged_ladders = _merge(base.ladders, ladders) if base else tuple(ladders)
    if not merged and not merged_erf and not merged_ladders:
        raise _error(source, "no targets")
    merged = tuple(replace(t, population=population, invalid=invalid) for t in merged)
    merged_erf = tuple(replace(e, population=population, invalid=invalid) for e in merged_erf)
    texts = ("name", "title", "edition", "citation", "note")
    fields = {k: text(head[k], _where(source, f"[standard].{k}")) for k in texts if k in head}
    default_name = Path(source).stem if source.endswith(".toml") else "custom"
    std = Standard(
        name=fields.get("name", base.name if base else default_name),
        targets=merged,
        title=fields.get("title", base.title if base else ""),
        edition=fields.get("edition", base.edition if base else ""),
        citation=fields.get("citation", base.citation if base else ""),
        note=fields.get("note", base.note if base else ""),
        source=source,
        population=population,
        erf=merged_erf,
        ladders=merged_ladders,
        invalid_calls=invalid,
    )
    erf_columns = [c.column for e in merged_erf for alternative in e.when for c in alternative]
    columns = tuple(dict.fromkeys([*(c.column for t in merged for c in t.when), *(c.column for c in population),
                                   *erf_columns]))  # fmt: skip (ladders may select on dimensions: not listed here)
    return replace(std, condition_columns=columns)


def _profile_key(standard: str) -> str:
    """What identifies a profile in an ``extends`` chain: a built-in's name, or a file's resolved path."""
    path = Path(standard)
    if path.is_file():
        return str(path.resolve())
    return path.stem  # a built-in, named "nfpa1710" in an extends and "nfpa1710.toml" as a source


def _load_base(standard: str, chain: tuple[str, ...]) -> Standard:
    """The profile an ``extends`` names, following the chain with cycle detection and a depth limit."""
    if _profile_key(standard) in {_profile_key(s) for s in chain}:
        cycle = " -> ".join([*(Path(s).name for s in chain), Path(standard).name])
        raise UserError(f"standard {Path(chain[-1]).name}: extends forms a cycle ({cycle}); a profile cannot extend "
                        "itself, directly or through another")
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise UserError(f"standard {Path(chain[0]).name}: extends is followed more than {MAX_EXTENDS_DEPTH} deep")
    return load_standard(standard, _chain=chain)


def list_standards() -> tuple[str, ...]:
    """The built-in standard profiles.

    Returns
    -------
    tuple of str
        Their names, sorted (``cn110``, ``nfpa1710``, ...).
    """
    return tuple(sorted(p.stem for p in Path(STANDARDS_DIR).glob("*.toml")))


def load_standard(standard: str | Path | Standard, _chain: tuple[str, ...] = ()) -> Standard:
    """A built-in profile by name, or a profile file by path.

    Parameters
    ----------
    standard : str, pathlib.Path or Standard
        A built-in name (see :func:`list_standards`), the path of a TOML
        file, or an already loaded :class:`Standard` (returned as is).
    _chain : tuple of str
        Internal: the profiles whose ``extends`` led here.

    Returns
    -------
    Standard
        The validated profile.

    Raises
    ------
    UserError
        Unknown name, unreadable file or invalid content.
    """
    if isinstance(standard, Standard):
        return standard
    text = str(standard)
    path = Path(text)
    if isinstance(standard, Path) or text.endswith(".toml") or path.is_file():
        return standard_from_dict(read_toml(path, "standard"), str(path), _chain)
    builtin = Path(STANDARDS_DIR) / f"{text}.toml"
    if not builtin.is_file():
        known = ", ".join(list_standards())
        raise UserError(f"unknown standard {text!r}; built-in standards: {known} (or the path of a .toml file)")
    return standard_from_dict(read_toml(builtin, "standard"), builtin.name, _chain)


def custom_standard(
    targets_s: float | Mapping[str, float], intervals: tuple[str, ...] = (), required_share: float | None = None
) -> Standard:
    """An ad-hoc profile: one target [s] for every interval, or per interval.

    Parameters
    ----------
    targets_s : float or mapping
        One target [s] for all ``intervals``, or interval -> target [s].
    intervals : tuple of str
        Intervals a single number applies to.
    required_share : float or None
        Share [fraction, 0-1] required to meet the target, if any.

    Returns
    -------
    Standard
        A profile named ``custom``.
    """
    if isinstance(targets_s, Mapping):
        pairs = list(targets_s.items())
    else:
        pairs = [(i, targets_s) for i in intervals]
    raw = [{"id": resolve_intervals(i)[0], "interval": i, "target_s": t} for i, t in pairs]
    if required_share is not None:
        for r in raw:
            r["required_share"] = required_share
    return standard_from_dict({"standard": {"name": "custom"}, "targets": raw}, "custom")


def row_target_index(frame: pd.DataFrame, standard: Standard, interval: str) -> tuple[np.ndarray, np.ndarray]:
    """Which target value applies to each row, for one interval.

    Each row takes the first target of ``interval`` (in file order) whose
    ``when`` matches it; a matching target without ``target_s`` (e.g. rural
    areas in ``cn110``) leaves the row without a target.

    Returns
    -------
    (index, values)
        ``index`` int64 per row into ``values`` (the distinct target values
        [s]), -1 where the row has no numeric target.
    """
    values = sorted({t.target_s for t in standard.targets_for(interval) if t.target_s is not None})
    index = np.full(len(frame), -1, dtype="int64")
    decided = np.zeros(len(frame), dtype=bool)
    for target in standard.targets_for(interval):
        mask = target.applies(frame) & ~decided
        index[mask] = -1 if target.target_s is None else values.index(target.target_s)
        decided |= mask
    return index, np.asarray(values, dtype="float64")


def row_targets(frame: pd.DataFrame, standard: Standard, interval: str) -> np.ndarray:
    """The target of each row for one interval; see :func:`row_target_index`.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical rows (the columns the standard's ``when`` conditions read).
    standard : Standard
        The profile.
    interval : str
        An interval name, e.g. ``dispatch_to_arrival_s``.

    Returns
    -------
    numpy.ndarray
        The target [s] of each row; NaN where no numeric target applies.
    """
    index, values = row_target_index(frame, standard, interval)
    return np.append(values, np.nan)[index]


def _value_counts(frame: pd.DataFrame, column: str, mask: np.ndarray) -> dict[str, int]:
    """Rows of ``frame[mask]`` per value of ``column`` (as text, most first; missing values as ``""``)."""
    if column not in frame.columns or not mask.any():
        return {}
    counts = frame.loc[mask, column].astype("object").fillna("").astype(str).value_counts(sort=False)
    return dict(sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0])))


@dataclass(frozen=True)
class Coverage:
    """What a standard grades in a frame, for the note printed beside its figures.

    Attributes
    ----------
    standard : str
        The profile's name.
    n_rows : int
        Rows looked at [count].
    n_not_applicable : int
        Rows outside the standard's ``population`` (not graded by any of its targets) [count].
    not_applicable : dict
        Population column -> {value: rows [count]} of the rows left out, most first.
    catch_all : dict
        Target id -> (column, {value: rows}) for each target that takes rows by exclusion (a ``not_in``
        condition, e.g. NFPA 1710's "every group not in the EMS list is fire"): the values it took, so an agency
        whose own group names fell into it can see it.
    """

    standard: str
    n_rows: int
    n_not_applicable: int
    not_applicable: dict[str, dict[str, int]]
    catch_all: dict[str, tuple[str, dict[str, int]]]

    def lines(self, limit: int = 8, what: str = "rows") -> list[str]:
        """The facts in words, one line each (empty when everything is graded and no catch-all took a row).

        ``limit``: values named per list; ``what``: what a count counts (``"incidents"`` at incident level).
        """

        def shown(counts: dict[str, int]) -> str:
            items = [f"{k or '(missing)'} {v:,}" for k, v in list(counts.items())[:limit]]
            more = len(counts) - limit
            return ", ".join(items) + (f" and {more} more" if more > 0 else "")

        out = []
        if self.n_not_applicable:
            parts = "; ".join(f"{col}: {shown(c)}" for col, c in self.not_applicable.items() if c)
            out.append(f"{self.standard} does not apply to {self.n_not_applicable:,} of {self.n_rows:,} {what}, "
                       f"left ungraded (n_not_applicable) - {parts}")  # fmt: skip
        for target_id, (column, counts) in self.catch_all.items():
            if counts:
                out.append(f"{self.standard} target {target_id} took by catch-all ({column} not in its list): "
                           f"{shown(counts)}")  # fmt: skip
        return out


def coverage(frame: pd.DataFrame, standard: str | Standard) -> Coverage:
    """The rows a standard leaves out, and the values its catch-all targets take.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical rows (with the standard's :attr:`~Standard.condition_columns` where the source has them).
    standard : str or Standard
        The profile.

    Returns
    -------
    Coverage
        Counts of rows, not of incidents: call it on the level the figures are made at.
    """
    std = load_standard(standard)
    inside = std.in_population(frame)
    outside = ~inside
    not_applicable = {c.column: _value_counts(frame, c.column, outside) for c in std.population}
    catch_all = {}
    for target in std.targets:
        negated = [c for c in target.when if c.negate]
        if negated:
            column = negated[0].column
            catch_all[target.id] = (column, _value_counts(frame, column, target.applies(frame)))
    return Coverage(std.name, len(frame), int(outside.sum()), not_applicable, catch_all)


__all__ = [
    "Condition",
    "Coverage",
    "ErfTarget",
    "Ladder",
    "Standard",
    "Target",
    "custom_standard",
    "coverage",
    "list_standards",
    "load_standard",
    "all_match",
    "population_mask",
    "with_entries",
    "row_target_index",
    "row_targets",
    "standard_from_dict",
]
