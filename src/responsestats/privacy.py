"""Personal data in a text value, told from its content: phone numbers, ID numbers, e-mail addresses, names, free text.

The ingest never reads a column a mapping does not name, and no built-in mapping names a personal
column; but a mapped column can still carry personal data (free text typed into the outcome
column, caller names in a timestamp column of a file whose headers are swapped). Wherever the
package keeps or prints a *source value* (``outcome_raw``, the report's unmapped values and
unmatched lookup keys, the quarantine's ``raw_value``, the samples ``inspect`` prints), the value
is first checked here, and a value that is flagged is replaced by a placeholder naming its kind
(:func:`placeholder`), never kept.

What is flagged (:func:`personal_kind`), in this order:

``id_number``
    A Chinese resident ID anywhere in the value: 18 characters (province code, a real birth date
    from 1900 on, the ISO 7064 MOD 11-2 check character) or the old 15-digit form (province code and
    a valid ``YYMMDD`` date; it has no check digit).
``email``
    ``local@domain.tld`` anywhere in the value.
``phone``
    Anywhere in the value, not inside a longer number: a Chinese mobile (``1[3-9]`` and 9 more digits,
    ``+86`` and separators allowed), a Chinese landline with its area code (``0596-2345678``,
    ``(010)12345678``, ``05962345678``), a North American number written with separators
    (``(415) 555-0199``, ``415-555-0199``, ``+1 415 555 0199``), or an international number
    starting with ``+`` (8 to 15 digits). A bare 10-digit number is not taken as a phone (it is too
    often an incident or unit number).
``name``
    The whole value is a Chinese name with 某 or a title in place of the given name (``张某``,
    ``欧阳某某``, ``李先生``, ``王女士``), in any column. In a column that is *not* a category
    (``category=False``: timestamps, identifiers, the quarantine's raw values), also 2 to 3 Han
    characters starting with a common surname (``张伟``, 4 with a compound surname: ``欧阳修文``),
    and 2 to 3 capitalised Latin words (``John Q. Caller``).
``free_text``
    A long value that reads as sentences: 80 characters or more; 14 words or more (runs of two or
    more letters); 8 words or more in 40 characters or more, 3 of them in lower case (category values
    are mostly upper or title case: ``CITATION ISSUED (CRIMINAL OR NON-CRIMINAL)`` and ``No report
    required; dispatch record only`` pass); 16 Han
    characters or more; 10 Han characters or more with sentence punctuation (``，。；！？``); or a
    line break in a value of 3 words or 6 Han characters or more.

Precision. Category values are never taken for names on their shape alone: in a category column
(``category=True``, the default: call types, outcomes, priorities, districts, lookup keys) 2 to 3
Han characters such as 盗窃, 纠纷 or 受案 pass, and so do grid names such as 芗城-01网格. On the
distinct values of every category column of the bundled sample and the five real excerpts
(``data/sample``), the check flags none (``tests/test_privacy.py``,
``test_no_category_value_of_the_samples_is_flagged``). The price is recall: a real given name in a
category column (``张伟`` in the outcome column) passes unless it carries 某 or a title, and a bare
10-digit phone number passes everywhere.

Every function works once per distinct value (the arrays are dictionary-encoded first), as the
ingest applies every rule of a value alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: The kinds of personal data the check tells apart (the ``<kind>`` of a placeholder).
KIND_ID_NUMBER = "id_number"
KIND_EMAIL = "email"
KIND_PHONE = "phone"
KIND_NAME = "name"
KIND_FREE_TEXT = "free_text"
KINDS: tuple[str, ...] = (KIND_ID_NUMBER, KIND_EMAIL, KIND_PHONE, KIND_NAME, KIND_FREE_TEXT)

#: A placeholder's text: ``[personal: phone]``, ``[personal: phone, 11 chars]``; without a kind
#: (a column whose *header* says it is personal): ``[personal, 3 chars]``.
PLACEHOLDER = "[personal: {kind}]"
PLACEHOLDER_LENGTH = "[personal: {kind}, {n} chars]"
PLACEHOLDER_COLUMN = "[personal, {n} chars]"

#: Free text: values at least this long [characters].
FREE_TEXT_CHARS = 80
#: Free text: at least this many words in at least ``FREE_TEXT_WORD_CHARS`` characters, ``FREE_TEXT_LOWER`` of
#: them in lower case (category values are upper or title case); or ``FREE_TEXT_MANY_WORDS`` words.
FREE_TEXT_WORDS, FREE_TEXT_WORD_CHARS, FREE_TEXT_LOWER, FREE_TEXT_MANY_WORDS = 8, 40, 3, 14
#: Free text: at least this many Han characters; or ``FREE_TEXT_HAN_PUNCT`` with sentence punctuation.
FREE_TEXT_HAN, FREE_TEXT_HAN_PUNCT = 16, 10

# --- Chinese resident ID numbers (GB 11643-1999) ------------------------------------------------------
#: Province codes (the first two digits of a resident ID).
_PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91})  # fmt: skip
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])(\d{15})(?![0-9A-Za-z])")

# --- e-mail and phone numbers -------------------------------------------------------------------------
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONES = (
    # Chinese mobile: 1[3-9]x xxxx xxxx, optionally +86 / 86 / 0086 first
    re.compile(r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])"),
    # Chinese landline with its area code (0 and 2-3 digits, not 00)
    re.compile(r"(?<![0-9])(?:\(0[1-9]\d{1,2}\)|0[1-9]\d{1,2})[ -]?[2-9]\d{6,7}(?![0-9])"),
    # North American, written with separators
    re.compile(r"(?<![0-9])(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\)[ .-]?|[2-9]\d{2}[ .-])\d{3}[ .-]\d{4}(?![0-9])"),
    # international, starting with +
    re.compile(r"(?<![0-9A-Za-z])\+[1-9]\d{0,2}(?:[ .-]?\d){7,13}(?![0-9])"),
)

# --- names --------------------------------------------------------------------------------------------
_HAN = r"\u4e00-\u9fff\u3400-\u4dbf"
#: Common single-character surnames (the ~300 most frequent in China cover well over 95% of people).
_SURNAMES_1 = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康"
    "施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏"
    "席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀"
    "郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣"
    "晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎"
    "勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
#: Compound surnames.
_SURNAMES_2 = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕",
    "令狐", "端木", "独孤", "南宫", "西门", "百里", "呼延", "万俟", "澹台", "公冶", "钟离", "宗政", "濮阳", "淳于",
    "单于", "太叔", "申屠", "赫连", "闻人", "拓跋", "完颜", "司空", "第五", "左丘", "谷梁", "乐正", "闾丘", "东郭",
})  # fmt: skip
#: A name with 某 or a title in place of the given name: 张某, 欧阳某某, 李先生, 王女士.
_NAME_MOU = re.compile(rf"^[{_HAN}]{{1,2}}(?:某{{1,2}}|先生|女士|小姐)$")
_HAN_ONLY = re.compile(rf"^[{_HAN}]{{2,4}}$")
_LATIN_NAME = re.compile(r"^[A-Z][a-z]+(?: (?:[A-Z]\.|[A-Z][a-z]+(?:-[A-Z][a-z]+)?)){1,2}$")

# --- free text ----------------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W\d_]{2,}")
_HAN_CHAR = re.compile(rf"[{_HAN}]")
_SENTENCE = re.compile(r"[，。；！？]")


def _normal(value: str) -> str:
    """``value`` as compared: Unicode NFKC (full-width digits and letters as ASCII), spaces trimmed."""
    return unicodedata.normalize("NFKC", value).strip()


def _id18_valid(text: str) -> bool:
    """An 18-character resident ID: province, birth date and the ISO 7064 MOD 11-2 check character."""
    if int(text[:2]) not in _PROVINCES or not _valid_date(int(text[6:10]), int(text[10:12]), int(text[12:14])):
        return False
    if not 1900 <= int(text[6:10]) <= 2100:
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == text[17].upper()


def _id15_valid(text: str) -> bool:
    """A 15-digit resident ID (before 1999): province and a valid ``YYMMDD`` birth date (19YY)."""
    return int(text[:2]) in _PROVINCES and _valid_date(1900 + int(text[6:8]), int(text[8:10]), int(text[10:12]))


def _valid_date(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    days = (31, 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31,
            30, 31, 30, 31)  # fmt: skip
    return day <= days[month - 1]


def _is_name(text: str, category: bool) -> bool:
    if _NAME_MOU.match(text):
        return True
    if category:
        return False
    if _HAN_ONLY.match(text):
        if len(text) <= 3 and text[0] in _SURNAMES_1:
            return True
        return text[:2] in _SURNAMES_2 and len(text) >= 3
    return bool(_LATIN_NAME.match(text))


def _is_free_text(text: str) -> bool:
    if len(text) >= FREE_TEXT_CHARS:
        return True
    found = _WORD.findall(text)
    words = len(found)
    han = len(_HAN_CHAR.findall(text))
    if words >= FREE_TEXT_MANY_WORDS:
        return True
    sentence = words >= FREE_TEXT_WORDS and len(text) >= FREE_TEXT_WORD_CHARS
    if sentence and sum(w.islower() for w in found) >= FREE_TEXT_LOWER:
        return True
    if han >= FREE_TEXT_HAN or (han >= FREE_TEXT_HAN_PUNCT and _SENTENCE.search(text)):
        return True
    return ("\n" in text or "\r" in text) and (words >= 3 or han >= 6)


def personal_kind(value: object, *, category: bool = True) -> str | None:
    """The kind of personal data ``value`` holds (one of :data:`KINDS`), or None when it passes.

    Parameters
    ----------
    value : str or None
        A source value (None and empty text pass).
    category : bool
        The value comes from a category column (call types, outcomes, districts, lookup keys): short
        Han words are not taken for names there. False for timestamps, identifiers and the
        quarantine's raw values, where 2 to 3 Han characters after a common surname are a name.
    """
    if value is None:
        return None
    text = _normal(str(value))
    if not text:
        return None
    kind = _contact_kind(text, _PHONES, old_style_ids=True)
    if kind is not None:
        return kind
    if _is_name(text, category):
        return KIND_NAME
    if _is_free_text(text):
        return KIND_FREE_TEXT
    return None


def identifier_kind(value: object) -> str | None:
    """As :func:`personal_kind` for an identifier (an incident or unit id): the kinds an id cannot be mistaken
    for, only. A resident ID number with its check digit (18 digits), an e-mail address, a mobile, North
    American or international phone number: not a 15-digit old-style ID (a region code and a date, which an
    incident number may well be), a landline (a zero-padded number may look like one), a name or free text.
    """
    if value is None:
        return None
    return _contact_kind(_normal(str(value)), _ID_PHONES, old_style_ids=False)


#: The phone patterns an identifier is checked against: mobile, North American, international (not landline).
_ID_PHONES = (_PHONES[0], _PHONES[2], _PHONES[3])


def _contact_kind(text: str, phones: tuple, *, old_style_ids: bool) -> str | None:
    """``id_number``, ``email`` or ``phone`` when ``text`` holds one (15-digit IDs only with ``old_style_ids``)."""
    has_digit = any(c.isdigit() for c in text)
    if has_digit:
        if any(_id18_valid(f.group(1)) for f in _ID18.finditer(text)):
            return KIND_ID_NUMBER
        if old_style_ids and any(_id15_valid(f.group(1)) for f in _ID15.finditer(text)):
            return KIND_ID_NUMBER
    if "@" in text and _EMAIL.search(text):
        return KIND_EMAIL
    if has_digit and any(p.search(text) for p in phones):
        return KIND_PHONE
    return None


def placeholder(kind: str | None, length: int | None = None) -> str:
    """The text kept in place of a flagged value: ``[personal: phone]``, ``[personal: phone, 11 chars]``.

    Parameters
    ----------
    kind : str or None
        One of :data:`KINDS`; None for a value of a column whose header says it is personal.
    length : int, optional
        The value's length [characters], shown when given.
    """
    if kind is None:
        return PLACEHOLDER_COLUMN.format(n=int(length or 0))
    if length is None:
        return PLACEHOLDER.format(kind=kind)
    return PLACEHOLDER_LENGTH.format(kind=kind, n=int(length))


def redact_value(value: object, *, category: bool = True, with_length: bool = True) -> object:
    """``value`` itself when it passes, else its :func:`placeholder` (with its length by default)."""
    kind = personal_kind(value, category=category)
    if kind is None:
        return value
    return placeholder(kind, len(str(value)) if with_length else None)


def kinds_of(values: Sequence[object], *, category: bool = True) -> list[str | None]:
    """:func:`personal_kind` of each value of a short list (e.g. the distinct values of a column)."""
    return [personal_kind(v, category=category) for v in values]


def personal_kinds(values: pa.Array, *, category: bool = True,
                   encoded: pa.DictionaryArray | None = None) -> tuple[list[str | None], np.ndarray]:  # fmt: skip
    """The kind of each distinct value of an Arrow text array, checked once per distinct value.

    Parameters
    ----------
    values : pyarrow.Array
        Text, null where missing.
    category : bool
        See :func:`personal_kind`.
    encoded : pyarrow.DictionaryArray, optional
        ``values`` already dictionary-encoded.

    Returns
    -------
    (list, numpy.ndarray)
        The kind (or None) of each distinct value, null last; and the row -> distinct-value index [int64].
    """
    enc = encoded if encoded is not None else pc.dictionary_encode(values)
    uniques = enc.dictionary.to_pylist() + [None]
    codes = enc.indices.fill_null(len(uniques) - 1).to_numpy(zero_copy_only=False).astype(np.int64)
    return kinds_of(uniques, category=category), codes


def redact(values: pa.Array, *, category: bool = True, with_length: bool = True,
           encoded: pa.DictionaryArray | None = None
           ) -> tuple[pa.Array, np.ndarray, dict[str, np.ndarray]]:  # fmt: skip
    """Each value of an Arrow text array, or its :func:`placeholder` where it is flagged (vectorised).

    Parameters
    ----------
    values : pyarrow.Array
        Text, null where missing.
    category : bool
        See :func:`personal_kind`.
    with_length : bool
        Placeholders give the value's length: ``[personal: phone, 11 chars]``; else ``[personal: phone]``.
    encoded : pyarrow.DictionaryArray, optional
        ``values`` already dictionary-encoded.

    Returns
    -------
    (pyarrow.Array, numpy.ndarray, dict)
        The values to keep (string); the mask of rows replaced [bool]; and, per kind found, the mask
        of its rows [bool].
    """
    n = len(values)
    if n == 0:
        return values.cast(pa.string()), np.zeros(0, bool), {}
    enc = encoded if encoded is not None else pc.dictionary_encode(values)
    uniques = enc.dictionary.to_pylist()
    kinds = kinds_of(uniques, category=category)
    if not any(kinds):
        return values, np.zeros(n, bool), {}
    kept = [u if k is None else placeholder(k, len(u) if with_length else None) for u, k in zip(uniques, kinds)]
    result = pa.array(kept, pa.string()).take(enc.indices)
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    by_kind = {}
    flagged = np.zeros(n, bool)
    for kind in KINDS:
        hit = np.flatnonzero(np.array([k == kind for k in kinds], bool))
        if len(hit):
            mask = np.isin(codes, hit)
            by_kind[kind] = mask
            flagged |= mask
    return result, flagged, by_kind


def passes(values: Iterable[object], *, category: bool = True) -> bool:
    """True when no value of ``values`` is flagged."""
    return all(personal_kind(v, category=category) is None for v in values)


__all__ = [
    "identifier_kind",
    "KINDS", "KIND_EMAIL", "KIND_FREE_TEXT", "KIND_ID_NUMBER", "KIND_NAME", "KIND_PHONE", "kinds_of", "passes",
    "personal_kind", "personal_kinds", "placeholder", "redact", "redact_value",
]  # fmt: skip
