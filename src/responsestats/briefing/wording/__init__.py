"""Wording: every word of the briefing, in Chinese or English, from one catalogue per language.

* :mod:`.labels`: the catalogues (``catalogues/<lang>.toml``) and :class:`Labels`
  (months, weekdays, intervals, data values, numbers);
* :mod:`.changes`: a change in words, with its state and arrow;
* :mod:`.titles`: titles that state each chart's finding;
* :mod:`.terms`: nouns, bins and segment names that titles and charts share;
* :mod:`.context`: a briefing's facts in words, and each chart's subtitle,
  footer and caption.

No chart or title holds a literal word of either language.
"""

from .labels import DEFAULT_LANGUAGE, LANGUAGES, Labels, check_language, load_labels, placeholders

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Labels", "check_language", "load_labels", "placeholders"]
