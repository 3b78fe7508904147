"""Labels of the charts, titles and the briefing page, in Chinese or English.

All wording lives in one catalogue per language, ``catalogues/<lang>.toml``.
Both files have the same keys and placeholders, and a test checks this.
Code asks for a label by its dotted key, e.g. ``labels("axis.minutes")``,
or through the helpers below for months, weekdays, intervals, data values
and numbers. No chart or title holds a literal word of either language.
"""

from __future__ import annotations

import math
import string
import tomllib
from functools import lru_cache
from typing import Any

from ...config import LABELS_DIR
from ...errors import UserError

#: Languages with a catalogue; the first is the default.
LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = LANGUAGES[0]


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def placeholders(template: str) -> set[str]:
    """The ``{name}`` fields of a template."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


class Labels:
    """The labels of one language.

    Call the object with a dotted key (and format fields) to get a label:
    ``labels("title.trend", value="6.2")``.
    """

    def __init__(self, lang: str, catalogue: dict[str, Any]):
        self.lang = lang
        self._flat = _flatten(catalogue)

    # -- raw access ------------------------------------------------------------------
    def __call__(self, key: str, **fields: object) -> str:
        try:
            template = self._flat[key]
        except KeyError:
            raise KeyError(f"no label {key!r} in the {self.lang} catalogue") from None
        return str(template).format(**fields) if fields else str(template)

    def get(self, key: str, default: object = None) -> object:
        """The raw catalogue entry (a string or list), or ``default``."""
        return self._flat.get(key, default)

    def keys(self) -> set[str]:
        """Every dotted key of the catalogue."""
        return set(self._flat)

    def for_district(self, noun: str) -> Labels:
        """These labels with the ``district`` column named as the agency's ``noun`` (beat, battalion...).

        The catalogue's words for ``district`` are a 110 centre's (grid, 网格); a mapping that says what a district
        is at its agency (``[fields.district] noun``, in the ingest reports) gets its own noun in every title,
        axis and subtitle. An empty or unknown noun changes nothing.
        """
        if not noun or f"groups.{noun}" not in self._flat:
            return self
        copy = Labels.__new__(Labels)
        copy.lang, copy._flat = self.lang, dict(self._flat)
        for table in ("group", "groups", "group_axis"):
            copy._flat[f"{table}.district"] = self._flat[f"{table}.{noun}"]
        return copy

    # -- calendar ----------------------------------------------------------------------
    def month(self, month: str, form: str = "long") -> str:
        """A ``"YYYY-MM"`` month: ``long`` (March 2025 / 2025年3月), ``name`` (March / 3月) or ``short`` (Mar / 3月)."""
        year, mon = (int(p) for p in month.split("-"))
        names = self._flat[f"calendar.month_{'short' if form == 'short' else 'name'}"]
        name = names[mon - 1]
        if form == "long":
            return self("calendar.month_long", name=name, year=year, month=mon)
        return name

    def ref_month(self, month: str, current: str) -> str:
        """``month`` as a reference from ``current``: the name alone within the same year, else with the year."""
        return self.month(month, "name" if month[:4] == current[:4] else "long")

    def month_span(self, first: str, last: str) -> str:
        """``first`` to ``last`` (``Apr 2024 – Mar 2025``)."""
        if first == last:
            return self.month(first)
        return self("calendar.span", first=self.month(first), last=self.month(last))

    def weekday(self, index: int, form: str = "short") -> str:
        """Weekday ``index`` (0 = Monday), ``short`` or ``long``."""
        return self._flat[f"calendar.weekday_{form}"][int(index)]

    # -- vocabulary --------------------------------------------------------------------
    def interval(self, name: str, form: str = "long") -> str:
        """An interval's name: ``long`` for axes and legends, ``short`` inside titles."""
        return self(f"interval_{form}.{name}")

    def value(self, column: str, value: object) -> str:
        """A data value shown in a chart: its translation when the catalogue has one, else itself."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self("common.missing")
        text = str(value)
        translated = self._flat.get(f"values.{column}.{text}")
        if translated is not None:
            return str(translated)
        template = self._flat.get(f"value_template.{column}")  # e.g. "Priority {value}" for a code "2"
        return str(template).format(value=text) if template is not None else text

    def segment(self, key: str) -> str:
        """A trend / attainment segment: ``all``, ``<column>:<value>``, or a standard's label as is."""
        if key == "all":
            return self("common.all_calls")
        column, sep, value = key.partition(":")
        if sep and column and ":" not in value:
            return self.value(column, value)
        return key

    # -- numbers -----------------------------------------------------------------------
    def number(self, x: float, digits: int = 1) -> str:
        """``x`` with ``digits`` decimals; a dash for a missing value."""
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return self("common.dash")
        return f"{x:,.{digits}f}"

    def count(self, n: float) -> str:
        """A whole number with thousands separators."""
        if n is None or (isinstance(n, float) and math.isnan(n)):
            return self("common.dash")
        return f"{int(round(n)):,d}"

    def percent(self, share: float, digits: int = 1) -> str:
        """A share (0..1) as a percentage."""
        if share is None or (isinstance(share, float) and math.isnan(share)):
            return self("common.dash")
        return self("unit.percent", value=f"{100.0 * share:.{digits}f}")

    def minutes(self, x: float, digits: int = 1) -> str:
        """A duration [min] with its unit."""
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return self("common.dash")
        return self("unit.minutes", value=self.number(x, digits))

    def hours(self, x: float, digits: int = 1) -> str:
        """A duration [h] with its unit."""
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return self("common.dash")
        return self("unit.hours", value=self.number(x, digits))

    def n(self, n: int) -> str:
        """A sample size, ``n=412``."""
        return self("common.n", n=self.count(n))


@lru_cache(maxsize=None)
def _read(lang: str) -> dict[str, Any]:
    path = LABELS_DIR / f"{lang}.toml"
    with path.open("rb") as fh:
        return tomllib.load(fh)


def check_language(lang: str) -> str:
    """``lang`` if it has a catalogue, else raise :class:`UserError`."""
    if lang not in LANGUAGES:
        raise UserError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return lang


def load_labels(lang: str = DEFAULT_LANGUAGE, district_noun: str = "") -> Labels:
    """The :class:`Labels` of ``lang`` (``zh`` or ``en``); with ``district_noun``, :meth:`Labels.for_district`."""
    return Labels(check_language(lang), _read(lang)).for_district(district_noun)
