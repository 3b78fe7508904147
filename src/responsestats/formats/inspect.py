"""Look at an unknown export and draft a mapping that ingests it.

:func:`inspect_file` reads the first rows of a CSV, Excel or Parquet file (with the same readers as
``ingest``; :data:`DEFAULT_SAMPLE_ROWS` rows unless told, at most :data:`MAX_SAMPLE_ROWS` and
:data:`MAX_SAMPLE_CHARS` characters, each cell cut at :data:`MAX_CELL_CHARS`, so time and memory stay bounded
on any file), describes each column (its
type, the timestamp patterns that read it, duration patterns, the values), and drafts a mapping
(:meth:`InspectResult.draft_toml`) that ``ingest`` reads **as it is**:

* the stages are found by the meaning of their headers (English, Chinese and pinyin: call / received / start,
  notify / dispatch / assigned, en route / responding / rollout, arrive / on scene / at scene, clear /
  available / close, arrest), and where several columns could be one stage, the data chooses: the candidate
  with the fewest negative and missing intervals against its neighbouring stages wins, and the draft shows
  the counts; without a header that names the call's receipt, the earliest stamp is ``received_at``;
* every timestamp pattern detected is written out; a clock-only time gets the date column it goes with;
  durations (turnout, travel, time on scene...) become stages counted ``after`` the stage before, with their
  pattern (``M:SS``, ``H:MM:SS``, and Excel's ``MM:SS:00`` mangling read first when the sample shows it);
* id columns (``id``, ``*_number``, ``*num``, ``编号``) become ``incident_id``; a unit column makes the level
  ``unit`` when incident ids repeat; a call-source column with officer-initiated / on-view / 自主发现 values
  becomes ``self_initiated``; outcome values get a canonical category each (a code column is mapped
  through the labels of its companion column); ``"-1"`` in a code column is read as missing;
* the midnight roll-over repair is proposed when sampled stamps read 12 to 24 h before the stage before
  them (an evening call, an after-midnight stamp on the call's date);
* personal columns (names, phones, street addresses, narrative, by header or by content) are listed and
  never mapped.

What the drafter could not decide it says in a comment beside the field. The only placeholders left, which
fail to load until they are filled in, are the time zone when ``--tz`` is not given, and ``received_at`` when
no column of the export reads as timestamps at all.
"""

from __future__ import annotations

import csv
import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import privacy
from .. import schema as S
from ..sources import open_source
from ..sources.base import check_regular_file
from . import mapping as _mapping
from .mapping import DURATION_FORMATS, RESERVED_DIMENSION_NAMES, STAGE_ORDER

#: Encodings tried in order when none is given (latin-1 decodes anything, so it is last).
DEFAULT_ENCODINGS = ("utf-8-sig", "gb18030", "cp1252", "latin-1")
#: Rows read from the start of the file when not told otherwise [rows].
DEFAULT_SAMPLE_ROWS = 2000
#: The most rows :func:`inspect_file` reads [rows]: the sample is held in memory (a few hundred bytes a cell).
MAX_SAMPLE_ROWS = 100_000
#: Sampled cells are cut to this many characters [characters] (a longer value is free text or garbage anyway).
MAX_CELL_CHARS = 1000
#: The sample stops after the block in which its cells reach this many characters in all [characters], so a
#: wide file of long values is sampled in bounded memory too.
MAX_SAMPLE_CHARS = 64 << 20

#: Timestamp patterns tried on each column, most specific first.
COMMON_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
    "%m/%d/%y %I:%M:%S %p", "%m/%d/%y %I:%M %p", "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d-%b-%Y %H:%M:%S",
    "%Y %b %d %I:%M:%S %p", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H时%M分%S秒",
    "%Y%m%d%H%M%S", "%Y%m%d %H%M%S",
    "%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%m/%d/%y", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d", "%Y年%m月%d日",
    "%H:%M:%S", "%H:%M",
)
_TIME_ONLY = {"%H:%M:%S", "%H:%M"}
_DATE_ONLY = {"%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%m/%d/%y", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d", "%Y年%m月%d日"}

#: Zone suffixes recognised at the end of timestamps, with their UTC offsets.
KNOWN_SUFFIXES = {
    "Z": "+00:00", "UTC": "+00:00", "GMT": "+00:00",
    "PS": "-08:00", "PST": "-08:00", "PD": "-07:00", "PDT": "-07:00",
    "MS": "-07:00", "MST": "-07:00", "MD": "-06:00", "MDT": "-06:00",
    "CS": "-06:00", "CST": "-06:00", "CD": "-05:00", "CDT": "-05:00",
    "ES": "-05:00", "EST": "-05:00", "ED": "-04:00", "EDT": "-04:00",
}
#: Cell texts read as missing while inspecting; those a mapping does not read as missing by default
#: (:data:`MAPPING_NA_VALUES`) are written into the draft's ``na_values`` when a mapped column has them.
INSPECT_NA_VALUES = ("", "NULL", "NA", "N/A", "null", "Null", "None", "NONE", "none", "(null)", "NaN", "nan",
                     "#N/A", "n/a")
#: ``[format] na_values`` of a mapping that does not set it (docs/mappings.md).
MAPPING_NA_VALUES = ("", "NULL", "NA", "N/A")

#: Header keywords of the canonical fields other than the stages, ids and units (compared after
#: :func:`_norm_header`), best first.
FIELD_KEYWORDS: dict[str, tuple[str, ...]] = {
    S.CALL_GROUP: ("警情类别", "jqlb", "calltypegroup", "callgroup", "category", "discipline", "agencytype"),
    S.CALL_TYPE: ("警情类型", "jqlx", "finalcalltype", "calltype", "incidenttype", "nature", "natureofcall", "type",
                  "problem"),
    S.PRIORITY: ("警情级别", "jqjb", "finalpriority", "callpriority", "priority"),
    S.DISTRICT: ("所属网格", "sswg", "管辖单位", "gxdw", "battalion", "district", "beat", "precinct", "sector", "zone",
                 "responsearea"),
    S.AREA_CLASS: ("区域类别", "qylb", "areaclass", "areatype"),
    S.OUTCOME: ("处警结果", "cjjg", "eventclearancedescription", "finaldispositioncode", "finaldispocode",
                "calldisposition", "finaldisposition", "disposition", "dispo", "clearance", "outcome", "result",
                "status"),
    S.SELF_INITIATED: ("接警方式", "jjfs", "selfinitiated", "officerinitiated", "onview"),
    S.CAUGHT_IN_ACT: ("是否现行抓获", "sfxxzh", "caughtinact"),
    S.LATITUDE: ("纬度", "wd", "yzb", "latitude", "lat",
                 "location", "coordinates", "point", "坐标", "位置"),  # the last: "(lat, lon)" text
    S.LONGITUDE: ("经度", "jd", "xzb", "longitude", "lon", "lng", "long"),
}
#: Keywords shorter than this must equal the whole header (``lat`` must not match ``platoon``).
_EXACT_ONLY = 6
#: Outcome keywords that name an outcome column only when its values hold outcome words (``Status``: ``U``).
_WEAK_OUTCOME_KEYWORDS = ("status", "result")

#: Header words of each stage, for a column of timestamps or clock times (matched on the header's words, see
#: :func:`_has_word`: ``"dispatch*"`` is a word stem, ``"onscene"`` may span two words; Chinese words are matched
#: in the header's text), best first. The words of :data:`_WEAK_STAGE_WORDS` count only where no other stage's
#: word is in the header (``Call Closed`` is a close, not a call).
STAGE_KEYWORDS: dict[str, tuple[str, ...]] = {
    S.RECEIVED_AT: ("接警时间", "jjsj", "报警时间", "bjsj", "来电时间", "受理时间", "receiv*", "rcvd", "receipt",
                    "callreceived", "callstart", "callcreated", "creat*", "alarm", "alarmtime", "queu*", "reported",
                    "pickup", "answer*", "call", "start*", "entry", "entered", "datetime", "opened"),
    S.DISPATCHED_AT: ("派警时间", "pjsj", "派单时间", "pdsj", "调度时间", "dispatch*", "assign*", "notif*", "alerted",
                      "toned", "paged"),
    S.ENROUTE_AT: ("出警时间", "cjsj", "出发时间", "enroute", "enrt", "respond*", "response", "rollout", "rolling",
                   "depart*", "mobile"),
    S.ARRIVED_AT: ("到达现场时间", "ddxcsj", "到达时间", "ddsj", "到场时间", "dcsj", "onscene", "atscene", "onscn",
                   "arriv*", "arrv"),
    S.CLEARED_AT: ("处警结束时间", "cjjssj", "现场处理完毕时间", "clwbsj", "结束时间", "avail*", "clear*", "clos*",
                   "complet*", "inservice", "finish*"),
    S.ARRESTED_AT: ("抓获时间", "zhsj", "arrest*", "booked", "booking", "custody"),
}
_WEAK_STAGE_WORDS = {"call", "start*", "entry", "entered", "datetime", "opened", "response"}
#: Header words that keep a column from a stage: an acknowledgement is no dispatch (it is only a candidate after
#: every other), a hospital arrival no arrival on scene, the end of call entry no clearance.
_STAGE_PENALTY = {S.DISPATCHED_AT: ("ack*", "acknowledg*", "accept*", "confirm*")}
_STAGE_EXCLUDE = {
    S.ARRIVED_AT: ("hospital*", "destination", "patient", "transport*"),
    S.CLEARED_AT: ("entry", "calltaking", "intake"),
    S.ENROUTE_AT: ("hospital*", "transport*"),
}
#: Header words of a duration column: the stage it gives and the stage it is counted from, best first.
DURATION_KEYWORDS: tuple[tuple[str, str, str], ...] = (
    ("turnout*", S.ENROUTE_AT, S.DISPATCHED_AT), ("chute", S.ENROUTE_AT, S.DISPATCHED_AT),
    ("travel*", S.ARRIVED_AT, S.ENROUTE_AT), ("drive*", S.ARRIVED_AT, S.ENROUTE_AT),
    ("driving", S.ARRIVED_AT, S.ENROUTE_AT),
    ("processing", S.DISPATCHED_AT, S.RECEIVED_AT), ("handling", S.DISPATCHED_AT, S.RECEIVED_AT),
    ("dispatchdelay", S.DISPATCHED_AT, S.RECEIVED_AT),
    ("onscene", S.CLEARED_AT, S.ARRIVED_AT), ("atscene", S.CLEARED_AT, S.ARRIVED_AT),
    ("scene", S.CLEARED_AT, S.ARRIVED_AT), ("committed", S.CLEARED_AT, S.ARRIVED_AT),
    ("respons*", S.ARRIVED_AT, S.RECEIVED_AT),
)
#: Header words that say a column of values such as ``1:05`` is a duration, not a time of day.
_STRONG_DURATION_WORDS = ("duration", "elapsed", "interval", "mmss", "minsec", "delay", "turnout*", "chute",
                          "travel*", "drive*", "driving", "processing", "handling", "committed")
_SECONDS_WORDS, _MINUTES_WORDS = ("sec", "secs", "seconds"), ("mins", "minutes")

#: Id columns: header words of an incident's id, of a call's, and the endings of any id.
_ID_INCIDENT_WORDS = ("incident*", "event*", "cad", "master", "eid", "case")
_ID_CALL_WORDS = ("call", "calls")
_ID_ENDINGS = ("id", "number", "num", "no", "nbr", "nr", "编号", "单号")
_ID_CJK_INCIDENT = ("接警单编号", "警情编号", "事件编号", "案件编号", "jjdbh", "jqbh", "sjbh")
#: Header words of columns that end like an id but are not the incident's.
_ID_EXCLUDE = ("unit*", "station*", "box", "zip*", "phone*", "tel", "priority", "beat", "district", "squad", "row",
               "record", "object", "seq*", "badge", "officer", "employee", "house", "street", "address", "addr",
               "apt", "suite", "alarms", "vehicle", "plate", "tract", "grid", "area", "sector", "zone", "route",
               "parcel", "census", "report", "type", "code")
#: Unit columns: header words, and words that make a unit column something else (``Unit Type``).
_UNIT_WORDS = ("unit", "unitid", "apparatus", "vehicle", "rig", "车辆", "出警车辆", "处警单位")
_UNIT_EXCLUDE = ("type", "sequence", "seq", "count", "units", "status", "class", "kind", "als", "bls")
#: Share of rows that repeat an incident id from which a file with a unit column is one row per unit.
_UNIT_LEVEL_REPEATS = 0.05

#: Self-initiated calls: call-source values that mean the officer started the call (whole values, compared
#: without spaces and punctuation), words of a call-source header, and words any value of such a column may hold.
_SELF_VALUES = ("ONVIEW", "OFFICERINITIATED", "SELFINITIATED", "FIELDINITIATED", "OFFICERINIT", "OFFICER", "SELF",
                "巡逻发现", "自行发现", "主动发现", "自主发现", "巡查发现")
_SELF_PARTS = ("ONVIEW", "OFFICERINITIATED", "SELFINITIATED", "FIELDINITIATED", "巡逻发现", "自行发现", "主动发现",
               "自主发现")
_SOURCE_WORDS = ("source", "method", "origin", "channel", "how", "mode", "via", "medium", "报警方式", "接警方式",
                 "来源")
_SELF_MAX_DISTINCT = 30
_TRUE_FLAGS = ("Y", "YES", "TRUE", "T", "1", "是")
_FALSE_FLAGS = ("N", "NO", "FALSE", "F", "0", "否")

_TIME_LIKE_KINDS = {"timestamp", "time", "date", "duration"}
#: A column with at most this many distinct values, or this share of its values, is a category column for the
#: personal-data check (:func:`responsestats.privacy.personal_kind`): short Han words are not taken for names.
_CATEGORY_DISTINCT, _CATEGORY_SHARE = 50, 0.2
#: ... but a column of at least this many values nearly all distinct (this share) is no category, however few.
_UNIQUE_MIN, _UNIQUE_SHARE = 20, 0.9
#: A text column is personal by content when at least this share of its distinct sampled values (and at least
#: ``_PERSONAL_MIN`` of them) are names, phones, e-mails, ID numbers, free text or street addresses.
_PERSONAL_SHARE, _PERSONAL_MIN = 0.5, 3
#: Headers that hold personal data: listed in the draft, never mapped (unless the values are timestamps or
#: durations: a phone pick-up time is no phone number).
PERSONAL_KEYWORDS = ("报警人", "bjr", "报警电话", "bjdh", "联系电话", "lxdh", "联系人", "caller", "phone", "telephone",
                     "name", "ssn", "dob", "birth", "姓名", "身份证", "地址", "报警内容", "简要案情", "address", "addr",
                     "street", "narrative", "comments", "remarks", "reportingparty", "complainant", "email")
_STREET_SUFFIX = (r"(?:ST|STREET|AVE?|AVENUE|RD|ROAD|BLVD|BOULEVARD|DR|DRIVE|LN|LANE|WAY|CT|COURT|PL|PLACE|HWY|"
                  r"HIGHWAY|PKWY|PARKWAY|CIR|CIRCLE|TER|TERRACE|TRL|TRAIL|SQ|PLZ|PLAZA|EXPY|FWY|LOOP|PIKE)")
#: A street address: a house number or block and a street, or an intersection of two streets; 路 / 街 ... 号.
_ADDRESS_RE = re.compile(
    rf"^\s*(?:\[?\d{{1,6}}[A-Z]?\]?(?:\s*-\s*\[?\d{{1,6}}\]?)?\s+(?:BLOCK\s+(?:OF\s+)?)?[NSEW]?\.?\s*\S.*\b"
    rf"{_STREET_SUFFIX}\b|.*\b{_STREET_SUFFIX}\b\.?\s*(?:&|/|@|\bAND\b)\s*\S.*)"
    r"|[\u4e00-\u9fff]{2,}(?:路|街|道|巷|弄)\d+号|小区|号楼", re.IGNORECASE)

#: Words of area classes, checked in this order (``SUBURBAN`` before ``URBAN``).
_AREA_WORDS = ((("SUBURB", "郊区", "城郊"), "suburban"), (("RURAL", "农村", "乡村", "乡镇"), "rural"),
               (("URBAN", "CITY", "城区", "市区", "城市"), "urban"))
_OUTCOME_RULES = (
    (("NO ARREST", "NO REPORT", "NO TRANSPORT", "NON-TRANSPORT", "DECLINED TRANSPORT", "REFUSED TRANSPORT",
      "REFUSAL"), None),
    (("ARREST", "BOOKED", "IN CUSTODY", "抓获", "拘留"), "arrest"),
    (("CITATION", "CITE", "CITED", "TICKET", "SUMMONS", "处罚", "罚款"), "citation"),
    (("REPORT", "受案", "立案"), "report"),
    (("UNFOUNDED", "NO MERIT", "FALSE", "不实", "无效"), "unfounded"),
    (("DUPLICATE", "DUP", "重复"), "duplicate"),
    (("CANCEL", "CANCL", "撤", "取消"), "cancelled"),
    (("GONE ON ARRIVAL", "UNABLE TO LOCATE", "GOA", "未见", "已离开"), "gone_on_arrival"),
    (("TRANSPORT", "送医"), "transport"),
    (("WARNING", "WARNED", "ADVISED", "调解", "警告", "教育"), "advised"),
)
#: Outcome values mapped in a draft [values]; the others fall to ``default`` and are listed by the ingest report.
_OUTCOME_VALUES = 60
_POINT_RE = re.compile(r"^\s*\(?\s*-?\d+(?:\.\d+)?\s*,\s*-?\d+(?:\.\d+)?\s*\)?\s*$")
_SUFFIX_RE = re.compile(r"^(.*\d)\s?([A-Z]{1,3})$")
_DURATION_RE = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$")
_INT_RE = re.compile(r"^-?\d+$")
_NUM_RE = re.compile(r"^-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?$")
_BOOLS = {"true", "false", "yes", "no", "y", "n", "t", "f", "是", "否"}
#: The roll-over signature: the earlier stamp in the evening, the later one in the early morning [hours].
_EVENING, _MORNING = 18, 6


@dataclass
class ColumnReport:
    """What :func:`inspect_file` found in one column.

    Attributes
    ----------
    name : str
        Header name.
    non_null : int
        Values present in the sample (missing-value texts such as ``NULL`` excluded).
    distinct : int
        Distinct values in the sample.
    examples : list of str
        Up to five of the most common values; in a column whose header says it is personal, and for
        values the personal-data check flags (:mod:`responsestats.privacy`), a placeholder instead
        (``[personal: phone, 11 chars]``, ``[personal, 3 chars]``).
    kind : str
        ``empty``, ``integer``, ``number``, ``boolean``, ``timestamp``, ``date``,
        ``time``, ``duration``, ``point`` (``"(lat, lon)"`` text) or ``text``.
    formats : list of (str, float)
        Timestamp patterns that read the values, with the share they read [0-1].
    zone_suffixes : list of str
        Zone suffixes found at the end of the timestamps (``PS``, ``PD``...).
    note : str
        A warning for the analyst (ambiguous day/month order, ``MM:SS:00``...).
    guess : str or None
        The canonical field the draft maps this column to.
    top_values : list of str
        Up to 60 of the most common values, without those the personal-data check flags (none for a
        personal column): the draft's ``map`` keys.
    masked : int
        Distinct sampled values hidden because they are personal [count].
    na_tokens : list of str
        Missing-value texts found (``NULL``, ``None``...), not counted as values.
    personal : str or None
        Why the column is personal (``header``, ``street addresses``, ``name``...), or None.
    duration_formats : list of str
        For values that read as durations: the ``duration_formats`` that read them, in the order proposed.
    counts : dict of str to int
        Rows of each of the most common values (those of ``top_values``) [rows].
    """

    name: str
    non_null: int
    distinct: int
    examples: list[str]
    kind: str
    formats: list[tuple[str, float]] = field(default_factory=list)
    zone_suffixes: list[str] = field(default_factory=list)
    note: str = ""
    guess: str | None = None
    top_values: list[str] = field(default_factory=list)
    masked: int = 0
    na_tokens: list[str] = field(default_factory=list)
    personal: str | None = None
    duration_formats: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class FieldDraft:
    """How the draft maps one canonical field (rendered by :func:`_field_toml`).

    Attributes
    ----------
    name : str
        Canonical field.
    column : str or None
        Source column; None when the export has none (then ``source`` is a placeholder or ``synthetic`` is set).
    why : list of str
        Comment lines written above the field's table: how the column was chosen.
    formats, date_formats, duration_formats : list of str
        Timestamp patterns, date patterns of ``date_source``, duration patterns.
    zone_suffixes : dict
        Suffix -> UTC offset text.
    date_source : str or None
        Date column of a clock-only time.
    after : str or None
        The stage a duration is counted from.
    required : bool
        Rows without the field are quarantined.
    na_values, true_values, false_values : list of str
        Field-level missing values; values read as true; values read as false.
    value_map : list of (str, str, str)
        ``map`` entries: (source value, canonical value, comment).
    default : str or None
        ``default`` key.
    extract : str or None
        ``extract`` regular expression.
    synthetic : str or None
        ``synthetic`` id kind.
    """

    name: str
    column: str | None
    why: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    zone_suffixes: dict[str, str] = field(default_factory=dict)
    date_source: str | None = None
    date_formats: list[str] = field(default_factory=list)
    after: str | None = None
    duration_formats: list[str] = field(default_factory=list)
    required: bool = False
    na_values: list[str] = field(default_factory=list)
    true_values: list[str] = field(default_factory=list)
    false_values: list[str] = field(default_factory=list)
    value_map: list[tuple[str, str, str]] = field(default_factory=list)
    default: str | None = None
    extract: str | None = None
    synthetic: str | None = None


@dataclass
class InspectResult:
    """The columns of one file as :func:`inspect_file` saw them, and the mapping it drafts.

    Attributes
    ----------
    path : Path
        The file.
    encoding : str or None
        The text encoding that decoded it (None for typed sources).
    delimiter : str
        CSV field delimiter.
    sheet : str or int
        Excel sheet.
    header_row : int
        Header row [0-based].
    rows_sampled : int
        Rows read from the start of the file [rows].
    columns : list of ColumnReport
        One per header column.
    fields : dict of str to FieldDraft
        The draft's fields, in the order they are written.
    level : str
        ``incident`` or ``unit``.
    level_why : str
        Why.
    rollover : str
        Why the midnight roll-over repair is proposed (empty: it is not).
    na_values : list of str
        The draft's ``[format] na_values`` (empty: the mapping default).
    notes : list of str
        Comment lines about columns the draft leaves out.
    sample_limit : int
        The most rows the sample could hold [rows].
    """

    path: Path
    encoding: str | None
    delimiter: str
    sheet: str | int
    header_row: int
    rows_sampled: int
    columns: list[ColumnReport]
    fields: dict[str, FieldDraft] = field(default_factory=dict)
    level: str = "incident"
    level_why: str = ""
    rollover: str = ""
    na_values: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sample_limit: int = DEFAULT_SAMPLE_ROWS

    @property
    def personal_columns(self) -> list[str]:
        """Columns that hold personal data by header or content (never mapped)."""
        return [c.name for c in self.columns if c.personal]

    def to_text(self) -> str:
        """A table of the columns for the terminal."""
        lines = [
            f"{self.path}: {len(self.columns)} columns, {self.rows_sampled} rows sampled"
            + (f" (the first {self.sample_limit} at most)" if self.rows_sampled >= self.sample_limit else "")
            + (f", encoding {self.encoding}" if self.encoding else "")
            + (f", delimiter {self.delimiter!r}" if self.delimiter != "," else ""),
            "",
            f"{'column':<32} {'type':<10} {'present':>8} {'distinct':>8}  {'guess':<14} formats / examples",
        ]
        dates = {d.date_source: f"{d.name}.date" for d in self.fields.values() if d.date_source}
        for c in self.columns:
            if c.formats and c.kind != "duration":
                detail = ", ".join(f"{f} ({share:.0%})" for f, share in c.formats[:3])
                if c.zone_suffixes:
                    detail += f" + zone suffix {'/'.join(c.zone_suffixes)}"
            elif c.kind == "duration":
                detail = "duration " + " / ".join(c.duration_formats)
            else:
                detail = ", ".join(repr(e) for e in c.examples[:3])
            if c.note:
                detail += f"  [{c.note}]"
            guess = c.guess or dates.get(c.name) or (f"(personal: {c.personal})" if c.personal and c.personal != "header"
                                                     else "(personal)" if c.personal else "")
            lines.append(f"{c.name[:32]:<32} {c.kind:<10} {c.non_null:>8} {c.distinct:>8}  {guess:<14} {detail}")
        return "\n".join(lines)

    def draft_toml(self, timezone: str | None = None, name: str | None = None) -> str:
        """A draft mapping TOML for this file (see docs/mappings.md) that ingests it as it is.

        Parameters
        ----------
        timezone : str, optional
            IANA zone of the agency; without it the draft says ``CHANGE-ME``,
            which fails to load until it is filled in.
        name : str, optional
            Format name; default from the file name.
        """
        fmt_name = name or re.sub(r"[^A-Za-z0-9_]+", "_", self.path.stem).strip("_").lower() or "new_format"
        received = self.fields.get(S.RECEIVED_AT)
        out = [
            (f"# Draft mapping for {self.path.name}, written by `responsestats inspect` from its first "
             f"{self.rows_sampled} rows."),
            "# It ingests as it is. Check the comments (docs/mappings.md documents each key), then:",
            f"#   responsestats ingest {self.path.name} --mapping {fmt_name}.toml --out DATASET",
            "",
            "[format]",
            f"name = {_q(fmt_name)}",
            (f"description = {_q(f'Drafted by responsestats inspect from {self.path.name}')}"
             "  # TODO: one line: agency, what one row is, time zone"),
            f"level = {_q(self.level)}  # {self.level_why}",
            f"timezone = {_q(timezone or 'CHANGE-ME')}"
            + ("" if timezone else "  # the agency's IANA zone, e.g. \"America/Chicago\", \"Asia/Shanghai\""),
        ]
        if self.encoding:
            out.append(f"encoding = {_q(self.encoding)}")
        if self.delimiter != ",":
            out.append(f"delimiter = {_q(self.delimiter)}")
        if self.header_row:
            out.append(f"header_row = {self.header_row}")
        if self.sheet not in (0, None):
            out.append(f"sheet = {json.dumps(self.sheet, ensure_ascii=False)}")
        if self.na_values:
            out.append("na_values = [" + ", ".join(_q(v) for v in self.na_values) + "]"
                       "  # the missing-value texts of the sample, with the default ones")
        clock = received.column if received is not None and received.column else "the received stamp"
        out.append(f"clock_start = {_q(clock)}"
                   "  # TODO: what event received_at records (PSAP answer, CAD entry, queued...)")
        if self.rollover:
            out += ["", "[repairs]", f"# {self.rollover}", "midnight_rollover = true"]
        for draft in self.fields.values():
            out.append("")
            out.extend(_field_toml(draft))
        personal = [c for c in self.columns if c.personal]
        if personal:
            out += ["", "# Personal columns, never mapped: " + ", ".join(
                c.name + ("" if c.personal == "header" else f" ({c.personal})") for c in personal)]
        if self.notes:
            out += [""] + [f"# {line}" for line in self.notes]
        noted = {line.split(" (", 1)[0] for line in self.notes}
        noted |= {d.date_source for d in self.fields.values() if d.date_source}
        unmapped = [c.name for c in self.columns if not c.guess and not c.personal and c.name not in noted]
        if unmapped:
            out += ["", f"# Columns not mapped (map any that is a canonical field): {', '.join(unmapped)}"]
        categories = [c for c in self.columns if c.name in unmapped and _is_category(c)]
        if categories:  # the agency's own categories an analyst may want to group by: offered, not kept
            out += ["# Or keep a category of your own as a dimension (docs/mappings.md, [dimensions]); remove the "
                    "'# ' to keep it:"]
            for c in categories:
                out += [f"# [dimensions.{_dimension_name(c.name)}]", f"# source = {_q(c.name)}  "
                        f"# {c.distinct:,} distinct values in {c.non_null:,} sampled rows"]
        return "\n".join(out) + "\n"


#: A column offered as a dimension has at most this many distinct sampled values, and at most this share of its
#: sampled values distinct (a category, not an identifier or free text).
DIMENSION_MAX_DISTINCT = 200
DIMENSION_MAX_DISTINCT_SHARE = 0.5


def _is_category(c: ColumnReport) -> bool:
    """A text or integer column of few distinct values: a candidate dimension."""
    return (c.kind in ("text", "integer") and 2 <= c.distinct <= DIMENSION_MAX_DISTINCT
            and c.distinct <= DIMENSION_MAX_DISTINCT_SHARE * max(c.non_null, 1) and c.masked == 0)


#: Dimension names for common Chinese 110 headers and their pinyin codes (others get ASCII words or ``col_NNNN``).
_CN_DIMENSION_NAMES = {"管辖单位": "station", "GXDW": "station", "派出所": "station", "重点部位": "key_site",
                       "ZDBW": "key_site", "接警方式": "call_source", "JJFS": "call_source", "报警方式": "call_source",
                       "所属网格": "grid", "SSWG": "grid", "班次": "shift", "处警单位": "responding_unit",
                       "CJDW": "responding_unit"}  # fmt: skip


def _dimension_name(header: str) -> str:
    """A dimension name for a header: lower-case ASCII words joined by ``_`` (``Station Area`` -> ``station_area``);
    ``dim_<n>`` style fallback for headers without ASCII letters (Chinese, pinyin codes keep their letters)."""
    known = _CN_DIMENSION_NAMES.get(str(header).strip())
    if known:
        return known
    words = re.findall(r"[a-z0-9]+", str(header).casefold())
    name = "_".join(words)[:32].strip("_")
    if not name or not name[0].isalpha() or name in RESERVED_DIMENSION_NAMES:
        name = ("col_" + name)[:32].strip("_") if name else f"col_{zlib.crc32(header.encode('utf-8')) % 10_000:04d}"
    return name


def inspect_file(path: str | Path, encoding: str | None = None, *, sheet: str | int = 0, header_row: int = 0,
                 delimiter: str | None = None, sample_rows: int = DEFAULT_SAMPLE_ROWS) -> InspectResult:
    """Read the first rows of an export, describe its columns and draft its mapping.

    Parameters
    ----------
    path : str or Path
        CSV, Excel or Parquet file.
    encoding : str, optional
        Text encoding; default: the first of :data:`DEFAULT_ENCODINGS` that decodes the file's start.
    sheet : str or int
        Excel sheet name, or its index [0-based].
    header_row : int
        Row of the header [0-based].
    delimiter : str, optional
        CSV delimiter; default: sniffed from the header line.
    sample_rows : int
        Rows read from the start of the file [rows], at most :data:`MAX_SAMPLE_ROWS`.

    Returns
    -------
    InspectResult

    Raises
    ------
    UserError
        Missing or unreadable file.
    """
    path = Path(path)
    sample_rows = max(1, min(int(sample_rows), MAX_SAMPLE_ROWS))
    encodings = (encoding,) if encoding else DEFAULT_ENCODINGS
    if delimiter is None:
        delimiter = _sniff_delimiter(path, encodings, header_row)
    src = open_source(path, encodings, delimiter=delimiter, header_row=header_row, sheet=sheet,
                      block_rows=min(sample_rows, 50_000))
    header = [h for h in src.header if h]
    frame = {h: [] for h in header}
    n = chars = 0
    for block in src.blocks(header):
        take = min(block.num_rows, sample_rows - n)
        for h in header:
            cells = [v if v is None or len(v) <= MAX_CELL_CHARS else v[:MAX_CELL_CHARS]
                     for v in block.columns[h].slice(0, take).to_pylist()]
            chars += sum(len(v) for v in cells if v is not None)
            frame[h].extend(cells)
        n += take
        if n >= sample_rows or chars >= MAX_SAMPLE_CHARS:
            break
    columns = [_describe(h, pd.Series(frame[h], dtype=object)) for h in header]
    result = InspectResult(path=path, encoding=src.encoding, delimiter=delimiter if src.encoding else ",",
                           sheet=sheet, header_row=header_row, rows_sampled=n, columns=columns,
                           sample_limit=sample_rows)
    _assign_guesses(result, {h: _clean(frame[h]) for h in header})
    return result


#: Characters of each line the delimiter sniffer reads at most (the header reader has its own limit).
_SNIFF_LINE_CHARS = 1 << 20


def _sniff_delimiter(path: Path, encodings: tuple[str, ...], header_row: int) -> str:
    if path.suffix.lower() not in (".csv", ".txt", ".tsv", ""):
        return ","
    check_regular_file(path)  # a FIFO would hang here, /dev/zero would never end
    for enc in encodings:
        try:
            with open(path, encoding=enc, newline="") as fh:
                lines = [fh.readline(_SNIFF_LINE_CHARS) for _ in range(header_row + 2)]
        except (UnicodeDecodeError, LookupError, OSError):
            continue
        try:
            return csv.Sniffer().sniff("".join(lines[header_row:]), delimiters=",;\t|").delimiter
        except csv.Error:
            return "\t" if path.suffix.lower() == ".tsv" else ","
    return ","


def _clean(values: list) -> pd.Series:
    """Sampled cells as stripped text, None where missing (the texts of :data:`INSPECT_NA_VALUES` included)."""
    s = pd.Series(values, dtype=object).str.strip()
    return s.where(s.notna() & ~s.isin(INSPECT_NA_VALUES), None).astype(object)


# --- one column ------------------------------------------------------------------------------------------------
def _masked_samples(counts: pd.Series, personal: bool) -> tuple[list[str], list[str], int, int, Counter]:
    """The examples (5) and top values (60) of a column as they may be shown, and what was hidden.

    Every value of a column whose header says it is personal is shown as ``[personal, <n> chars]`` (with its
    kind where the personal-data check tells it), and is no top value; elsewhere a value the check flags
    is shown as ``[personal: <kind>, <n> chars]`` and left out of the top values.

    Returns
    -------
    (list, list, int, int, Counter)
        Examples, top values, distinct values hidden [count], distinct values checked [count], and the kinds
        found among those checked.
    """
    values = [str(v) for v in counts.index]
    rows = int(counts.sum())
    category = not personal and len(values) <= max(_CATEGORY_DISTINCT, _CATEGORY_SHARE * rows) and not (
        len(values) >= _UNIQUE_MIN and len(values) >= _UNIQUE_SHARE * rows)
    examples, top, masked, checked = [], [], 0, 0
    kinds: Counter = Counter()
    for value in values:  # most common first, each checked until enough are shown
        kind = privacy.personal_kind(value, category=category)
        checked += 1
        if kind is not None:
            kinds[kind] += 1
        if personal or kind is not None:
            masked += 1
            if len(examples) < 5:
                examples.append(privacy.placeholder(kind, len(value)))
            elif personal:
                masked = len(values)  # all of them, whatever their kind
                break
            continue
        if len(examples) < 5:
            examples.append(value)
        if len(top) < _OUTCOME_VALUES:
            top.append(value)
        if len(examples) >= 5 and len(top) >= _OUTCOME_VALUES:
            break
    return examples, top, masked, checked, kinds


def _describe(name: str, raw: pd.Series) -> ColumnReport:
    values = raw.dropna().astype(str).str.strip()
    na = values.isin(INSPECT_NA_VALUES)
    na_tokens = sorted(set(values[na]) - {""})
    values = values[~na]
    counts = values.value_counts()
    report = ColumnReport(name=name, non_null=len(values), distinct=len(counts), examples=[], kind="empty",
                          na_tokens=na_tokens)
    if not values.empty:
        sample = pd.Series(counts.index[:500], dtype=object)
        if sample.str.fullmatch(_INT_RE.pattern).all():
            report.kind = "integer"
        elif sample.str.fullmatch(_NUM_RE.pattern).all():
            report.kind = "number"
        elif set(sample.str.casefold()) <= _BOOLS:
            report.kind = "boolean"
        elif sample.str.fullmatch(_POINT_RE.pattern).all():
            report.kind = "point"
        else:
            report.kind = "text"
        _find_timestamp(report, sample, counts.to_numpy()[:500])
    header_personal = _is_personal(name) and report.kind not in _TIME_LIKE_KINDS
    examples, top, masked, checked, kinds = _masked_samples(counts, header_personal)
    report.examples, report.top_values, report.masked = examples, top, masked
    report.counts = {v: int(counts[v]) for v in top}
    if header_personal:
        report.personal = "header"
    elif report.kind == "text" and len(counts):
        head = pd.Series(counts.index[:200], dtype=object)
        addresses = int(head.str.contains(_ADDRESS_RE).sum())
        if addresses >= _PERSONAL_MIN and addresses >= _PERSONAL_SHARE * len(head):
            report.personal = "street addresses"
        elif masked >= _PERSONAL_MIN and masked >= _PERSONAL_SHARE * checked:
            report.personal = kinds.most_common(1)[0][0].replace("_", " ") + "s"
    return report


def _find_timestamp(report: ColumnReport, sample: pd.Series, weights: np.ndarray | None = None) -> None:
    """Set the column's timestamp kind, patterns and zone suffixes, or its duration patterns, from its values.

    Parameters
    ----------
    report : ColumnReport
        Filled in place.
    sample : pandas.Series
        Distinct values (text).
    weights : numpy.ndarray, optional
        Rows of each value [rows]; default one each.
    """
    weights = np.ones(len(sample)) if weights is None else np.asarray(weights, float)
    clock = sample.str.extract(_DURATION_RE)
    if clock[0].notna().all():
        report.duration_formats, note = _duration_patterns(sample, weights)
        if (clock[0].astype(int) >= 24).any():  # 31:10 is no time of day
            report.kind = "duration"
            report.note = note
            return
    text = sample
    parts = sample.str.extract(_SUFFIX_RE)
    if parts[1].notna().mean() >= 0.9 and not parts[1].dropna().isin(["AM", "PM"]).any():
        suffixes = sorted(parts[1].dropna().unique())
        if len(suffixes) <= 4:
            report.zone_suffixes = suffixes
            text = parts[0].where(parts[0].notna(), sample)
    digits = bool(text.str.fullmatch(r"\d+").all())
    lengths = {len(v) for v in text}
    found = []
    for fmt in _probe_formats(text):
        if digits:  # all-digit values: only digit-only patterns of exactly their length
            if len(lengths) != 1 or not re.fullmatch(r"[%YmdHMS]+", fmt):
                continue
            if lengths != {len(pd.Timestamp(2000, 10, 10, 10, 10, 10).strftime(fmt))}:
                continue
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        ok = parsed.notna().to_numpy()
        if not ok.any():
            continue
        if fmt not in _TIME_ONLY and not parsed[ok].dt.year.between(1970, 2100).all():
            continue
        found.append((fmt, float(ok.mean()), ok, parsed))
    # The patterns that together read the most values, best first (a column may mix a few).
    found.sort(key=lambda t: -t[1])
    covered = np.zeros(len(text), bool)
    chosen = []
    midnight = True
    for fmt, share, ok, parsed in found:
        if len(chosen) < 4 and (share >= 0.9 or (ok & ~covered).any()):
            chosen.append((fmt, share))
            new = ok & ~covered
            midnight &= bool((parsed[new] == parsed[new].dt.normalize()).all())
            covered |= ok
    if not chosen or covered.mean() < 0.5:
        return
    report.formats = chosen
    best = chosen[0][0]
    if best in _TIME_ONLY:
        report.kind = "time"
    elif best in _DATE_ONLY or (midnight and len(text) > 1):  # a date printed with a midnight time
        report.kind = "date"
    else:
        report.kind = "timestamp"
    if covered.mean() < 1:
        report.note = f"{1 - covered.mean():.0%} of the sampled values match no pattern"
    names = [f for f, _ in report.formats]
    if any("%m/%d" in f for f in names) and any("%d/%m" in f for f in names):
        report.note = "day/month order is ambiguous in the sample: check"


#: Distinct values each timestamp pattern is tried on first [values]: only the patterns that read some of them
#: (or all patterns, when together they leave some unread) are tried on the whole sample.
_PROBE_VALUES = 60


def _probe_formats(text: pd.Series) -> tuple[str, ...]:
    """The patterns of :data:`COMMON_FORMATS` worth trying on all of ``text``, in their order."""
    probe = text.iloc[:_PROBE_VALUES]
    if len(probe) == len(text):
        return COMMON_FORMATS
    hits, covered = [], np.zeros(len(probe), bool)
    for fmt in COMMON_FORMATS:
        ok = pd.to_datetime(probe, format=fmt, errors="coerce").notna().to_numpy()
        if ok.any():
            hits.append(fmt)
            covered |= ok
    return tuple(hits) if covered.all() else COMMON_FORMATS


def _duration_patterns(sample: pd.Series, weights: np.ndarray) -> tuple[list[str], str]:
    """The ``duration_formats`` that read clock-like values as durations, in the order that reads them plausibly.

    ``M:SS`` for two parts; ``H:MM:SS`` for three, unless the values show Excel's mangling of ``M:SS`` into
    ``MM:SS:00`` (``27:10`` saved as 27 h 10 min, ``27:10:00``): far more values end in ``:00`` than the one
    in 60 chance gives (a tenth or more) and some would read as a day or more as ``H:MM:SS``, or ``M:SS`` values
    sit beside them; or nine in ten end in ``:00``. Then ``MM:SS:00`` is read before ``H:MM:SS``.

    Returns
    -------
    (list of str, str)
        The patterns, and a note with the counts (empty when there is nothing to say).
    """
    two = sample.str.fullmatch(r"\d+:[0-5]\d").to_numpy(bool)
    three = sample.str.extract(r"^(\d+):([0-5]\d):([0-5]\d)$")
    is3 = three[0].notna().to_numpy(bool)
    formats = ["M:SS"] if two.any() else []
    if not is3.any():
        return formats, ""
    ends00 = is3 & (three[2] == "00").to_numpy(bool)
    over_day = ends00 & (pd.to_numeric(three[0], errors="coerce").fillna(0).to_numpy() >= 24)
    n3, n00, nday = weights[is3].sum(), weights[ends00].sum(), weights[over_day].sum()
    mangled = (n00 >= 0.1 * n3 and (nday > 0 or two.any())) or (n00 >= 0.9 * n3 and n3 >= 5)
    if not mangled:
        return formats + ["H:MM:SS"], ""
    formats.append("MM:SS:00")
    if (is3 & ~ends00).any():
        formats.append("H:MM:SS")
    note = (f"looks like MM:SS:00 (minutes and seconds, Excel's mangling of M:SS): {n00:.0f} of {n3:.0f} "
            f"H:MM:SS-like values end in :00 and {nday:.0f} would be a day or more as H:MM:SS; MM:SS:00 is read "
            "first")
    return formats, note


def _norm_header(name: str) -> str:
    return re.sub(r"[\s_\-./()]+", "", str(name)).casefold()


def _is_personal(name: str) -> bool:
    """Whether a header says its column holds personal data."""
    h = _norm_header(name)
    return any(k == h or (len(k) > 3 and k in h) for k in PERSONAL_KEYWORDS)


def _tokens(name: str) -> list[str]:
    """The words of a header, lower case: ``OnSceneDtTm`` -> ``on scene dt tm``, ``START_DATE`` -> ``start date``."""
    s = str(name).replace("\ufeff", "")
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", s)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", s)
    return [t for t in re.split(r"[^0-9a-z\u3400-\u9fff]+", s.lower()) if t]


def _has_word(name: str, tokens: list[str], word: str) -> bool:
    """Whether a header holds ``word``: a Chinese word in its text; a stem (``arriv*``) as the start of one of
    its words; else one word, or two to four adjacent words written together (``onscene``)."""
    if re.search(r"[\u3400-\u9fff]", word):
        return word in str(name)
    if word.endswith("*"):
        stem = word[:-1]
        return any(t.startswith(stem) for t in tokens)
    for i in range(len(tokens)):
        joined = ""
        for t in tokens[i:i + 4]:
            joined += t
            if joined == word:
                return True
            if len(joined) >= len(word):
                break
    return False


def _first_hit(name: str, tokens: list[str], words: tuple[str, ...]) -> int | None:
    """The index of the first of ``words`` the header holds, or None."""
    return next((i for i, w in enumerate(words) if _has_word(name, tokens, w)), None)


def _stage_hits(name: str) -> dict[str, int]:
    """The stages a timestamp header names, each with its rank (lower is better; weak words and penalties last)."""
    tokens = _tokens(name)
    hits: dict[str, tuple[int, bool]] = {}
    for stage, words in STAGE_KEYWORDS.items():
        if any(_has_word(name, tokens, w) for w in _STAGE_EXCLUDE.get(stage, ())):
            continue
        for i, w in enumerate(words):
            if _has_word(name, tokens, w):
                penalised = any(_has_word(name, tokens, p) for p in _STAGE_PENALTY.get(stage, ()))
                hits[stage] = (i + (100 if penalised else 0), w in _WEAK_STAGE_WORDS)
                break
    if any(not weak for _, weak in hits.values()):
        hits = {s: r for s, r in hits.items() if not r[1]}
    return {s: r[0] for s, r in hits.items()}


def _duration_hit(name: str) -> tuple[str, str, int] | None:
    """(stage, the stage it is counted from, rank) of a duration header, or None."""
    tokens = _tokens(name)
    for i, (word, stage, after) in enumerate(DURATION_KEYWORDS):
        if _has_word(name, tokens, word):
            return stage, after, i
    return None


def _is_duration(c: ColumnReport, rows: pd.Series) -> bool:
    """Whether a column of clock-like values below 24 (``1:05``) is a duration rather than a time of day.

    A header that says duration (turnout, travel, processing, duration, elapsed...) decides; a header word that
    also names a stamp (on scene, response) decides only when the values are not spread over the day like
    clock times (no first part of 12 or more)."""
    if c.kind != "time" or not c.duration_formats:
        return False
    tokens = _tokens(c.name)
    if any(_has_word(c.name, tokens, w) for w in _STRONG_DURATION_WORDS):
        return True
    if _duration_hit(c.name) is None:
        return False
    first = pd.to_numeric(rows.str.extract(r"^(\d+):")[0], errors="coerce")
    return bool(first.notna().any() and first.max() < 12)


# --- the draft -------------------------------------------------------------------------------------------------
@dataclass
class _Candidate:
    """A column that may give one stage."""

    stage: str
    col: ColumnReport
    index: int
    rank: int
    how: str  # "stamp", "clock" (a time of day with a date column), "duration", "date"
    after: str | None = None
    date_col: ColumnReport | None = None
    date_why: str = ""


def _assign_guesses(result: InspectResult, rows: dict[str, pd.Series]) -> None:
    """Choose the column of every canonical field and build the draft's fields, in place.

    Parameters
    ----------
    result : InspectResult
        Its columns are described; ``fields``, ``level``, ``rollover``, ``notes`` and each column's ``guess``
        are set.
    rows : dict of str to pandas.Series
        The sampled cells of each column, row by row (:func:`_clean`); the stage choice adds the parsed
        candidates to it (:func:`_parsed`).
    """
    columns = result.columns
    n = result.rows_sampled
    usable = [c for c in columns if not c.personal and c.kind != "empty"]
    for c in usable:  # a clock-like column whose header says duration is a duration (Turnout Time 1:05)
        if _is_duration(c, rows[c.name]):
            c.kind = "duration"
        elif c.kind in ("integer", "number") and _duration_hit(c.name) is not None:
            tokens = _tokens(c.name)
            if any(t in _SECONDS_WORDS for t in tokens):
                c.kind, c.duration_formats = "duration", ["seconds"]
            elif any(t in _MINUTES_WORDS for t in tokens):
                c.kind, c.duration_formats = "duration", ["minutes"]
    drafts: dict[str, FieldDraft] = {}
    used: set[str] = set()

    id_draft = _choose_id(usable, n)
    drafts[S.INCIDENT_ID] = id_draft
    if id_draft.column:
        used.add(id_draft.column)
    level, level_why, unit = _choose_level(usable, rows, id_draft.column, n)
    result.level, result.level_why = level, level_why
    if unit is not None:
        drafts[S.UNIT_ID] = FieldDraft(S.UNIT_ID, unit.name, required=True,
                                       why=[f"the unit of each row: {unit.distinct} units in the sample"])
        used.add(unit.name)

    stage_drafts, rollover, stage_notes = _choose_stages(usable, rows, n)
    for name in S.TIMESTAMP_COLUMNS:
        if name in stage_drafts:
            drafts[name] = stage_drafts[name]
            used.add(stage_drafts[name].column)
            if stage_drafts[name].date_source:
                used.add(stage_drafts[name].date_source)
    if S.RECEIVED_AT not in drafts:
        drafts[S.RECEIVED_AT] = FieldDraft(S.RECEIVED_AT, None, required=True, why=[
            "no column reads as timestamps with a date: name the column of the call's receipt and its formats"])
    result.rollover = rollover
    result.notes.extend(stage_notes)

    for fname, draft in _other_fields(usable, used, rows).items():
        drafts[fname] = draft
    self_draft = _choose_self_initiated(usable, drafts)
    if self_draft is not None:
        drafts[S.SELF_INITIATED] = self_draft

    order = [S.INCIDENT_ID, S.UNIT_ID, *S.TIMESTAMP_COLUMNS]
    result.fields = {f: drafts[f] for f in order + [c for c in S.COLUMNS if c not in order] if f in drafts}
    by_name = {c.name: c for c in columns}
    for fname, draft in result.fields.items():
        col = by_name.get(draft.column or "")
        if col is not None and col.guess is None:
            col.guess = fname
    tokens: set[str] = set()
    for draft in result.fields.values():
        for col_name in (draft.column, draft.date_source):
            if col_name in by_name:
                tokens.update(by_name[col_name].na_tokens)
    extra = sorted(tokens - set(MAPPING_NA_VALUES))
    if extra:
        result.na_values = list(MAPPING_NA_VALUES) + extra


def _choose_id(usable: list[ColumnReport], n: int) -> FieldDraft:
    """The incident id: a header that says id (``id``, ``*_number``, ``*num``, ``编号``), an incident's or event's
    before a call's before any other, present in nearly every row."""
    best = None
    for i, c in enumerate(usable):
        if c.kind not in ("integer", "text"):
            continue
        tokens = _tokens(c.name)
        name = str(c.name)
        norm = _norm_header(name)
        cjk_incident = any(w in name or w == norm for w in _ID_CJK_INCIDENT)
        idish = cjk_incident or any(t in _ID_ENDINGS for t in tokens) or any(
            w in name for w in ("编号", "单号")) or re.search(r"(?:id|num|no)$", norm) is not None or tokens in (
            ["incident"], ["event"], ["case"])
        if not idish or any(_has_word(name, tokens, w) for w in _ID_EXCLUDE):
            continue
        if c.non_null < 0.95 * n:
            continue
        if cjk_incident or any(_has_word(name, tokens, w) for w in _ID_INCIDENT_WORDS) or norm == "eid":
            rank, what = 3, "an incident's or event's id"
        elif any(_has_word(name, tokens, w) for w in _ID_CALL_WORDS):
            rank, what = 2, "a call's id"
        else:
            rank, what = 1, "an id"
        key = (rank, c.non_null, -i)
        if best is None or key > best[0]:
            best = (key, c, what)
    if best is not None:
        _, c, what = best
        return FieldDraft(S.INCIDENT_ID, c.name, required=True,
                          why=[f"the header says {what}; {c.distinct} distinct values in {c.non_null} rows"])
    if "synthetic" in getattr(_mapping, "FIELD_KEYS", {}):
        return FieldDraft(S.INCIDENT_ID, None, synthetic="file_row",
                          why=["no column's header says it is an id: each row is its own incident (file and row);",
                               "use synthetic = \"hash\" of the columns that name an incident to find re-exports"])
    return FieldDraft(S.INCIDENT_ID, None, required=True,
                      why=["no column's header says it is an id: name the column that identifies an incident"])


def _choose_level(usable: list[ColumnReport], rows: dict[str, pd.Series], id_col: str | None,
                  n: int) -> tuple[str, str, ColumnReport | None]:
    """(level, why, unit column): one row per unit when incident ids repeat and a unit column tells the rows
    of one incident apart."""
    units = []
    for c in usable:
        tokens = _tokens(c.name)
        if c.kind not in ("text", "integer") or c.name == id_col:
            continue
        if _first_hit(c.name, tokens, _UNIT_WORDS) is None or any(t in _UNIT_EXCLUDE for t in tokens):
            continue
        units.append(c)
    if id_col is None:
        return "incident", "no incident id column: one row per incident", None
    ids = rows[id_col]
    present = ids.notna()
    repeats = int(present.sum() - ids[present].nunique())
    if not units:
        why = "one row per incident"
        if repeats:
            why += f" ({repeats} sampled rows repeat an earlier row's id: see [format] duplicate_ids)"
        return "incident", why, None
    unit = max(units, key=lambda c: c.non_null)
    if repeats < max(2, _UNIT_LEVEL_REPEATS * n):
        return "incident", (f"one row per incident: {repeats} sampled rows repeat an id, so {unit.name!r} is the "
                            "incident's (primary) unit, not mapped"), None
    pairs = pd.DataFrame({"i": ids, "u": rows[unit.name]}).dropna()
    return "unit", (f"one row per responding unit: {repeats} of {n} sampled rows repeat an incident id, "
                    f"{len(pairs) - len(pairs.drop_duplicates())} of them with the same unit"), unit


# --- stages ------------------------------------------------------------------------------------------------------
def _date_for(col: ColumnReport, dates: list[ColumnReport]) -> tuple[ColumnReport | None, str]:
    """The date column of a clock-only time: the one whose header is the time's with "date" for "time"
    (``OFFENSE_TIME`` -> ``OFFENSE_DATE``), else the only one, else one that names the call."""
    if not dates:
        return None, ""
    stem = [t for t in _tokens(col.name) if t not in ("time", "tm", "hour", "clock", "hhmm", "hhmmss")]
    for d in dates:
        if [t for t in _tokens(d.name) if t not in ("date", "dt", "day")] == stem:
            return d, f"the date of {d.name!r}, the date column of the same name"
    if len(dates) == 1:
        return dates[0], f"the date of {dates[0].name!r}, the only date column"
    for d in dates:
        if S.RECEIVED_AT in _stage_hits(d.name):
            return d, f"the date of {d.name!r}, the call's date"
    return dates[0], f"the date of {dates[0].name!r}, the first date column: check"


def _stage_candidates(usable: list[ColumnReport]) -> tuple[dict[str, list[_Candidate]], list[ColumnReport]]:
    """The columns that may give each stage, by the meaning of their headers; and the date columns."""
    dates = [c for c in usable if c.kind == "date"]
    cands: dict[str, list[_Candidate]] = {s: [] for s in S.TIMESTAMP_COLUMNS}
    for i, c in enumerate(usable):
        if c.kind == "timestamp" or c.kind == "time":
            date_col, date_why = (None, "") if c.kind == "timestamp" else _date_for(c, dates)
            if c.kind == "time" and date_col is None:
                continue
            for stage, rank in _stage_hits(c.name).items():
                cands[stage].append(_Candidate(stage, c, i, rank, "stamp" if c.kind == "timestamp" else "clock",
                                               date_col=date_col, date_why=date_why))
        elif c.kind == "duration" and c.duration_formats:
            hit = _duration_hit(c.name)
            if hit is not None:
                stage, after, rank = hit
                cands[stage].append(_Candidate(stage, c, i, 50 + rank, "duration", after=after))
    return cands, dates


def _parse_with(values: pd.Series, formats: list[str], suffixes: list[str] | None = None) -> pd.Series:
    """Text -> naive timestamps [datetime64[ns]], the first of ``formats`` that reads a value winning."""
    text = values
    if suffixes:
        pattern = r"\s?(?:" + "|".join(re.escape(s) for s in sorted(suffixes, key=len, reverse=True)) + r")$"
        text = values.str.replace(pattern, "", regex=True)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = out.isna() & text.notna()
        if not todo.any():
            break
        out[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    return out


def _duration_seconds(values: pd.Series, formats: list[str]) -> pd.Series:
    """Duration text -> seconds [s] with ``formats`` (the first that reads a value wins, as at ingest)."""
    out = pd.Series(np.nan, index=values.index)
    for name in formats:
        pattern, scale, _rule = DURATION_FORMATS[name]
        todo = out.isna() & values.notna()
        if not todo.any():
            break
        parts = values[todo].str.extract(pattern)
        ok = parts.notna().all(axis=1)
        if ok.any():
            out[parts.index[ok]] = parts[ok].astype(float).to_numpy() @ np.asarray(scale)
    return out


def _values(cand: _Candidate, rows: dict[str, pd.Series], stages: dict[str, pd.Series]) -> pd.Series | None:
    """A candidate's stamps in the sampled rows [datetime64[ns], NaT where none], None when it cannot be read
    (a duration whose base stage is not mapped). Each column is parsed once (:func:`_parsed`)."""
    if cand.how != "duration":
        return _parsed(cand, rows)
    base = stages.get(cand.after)
    if base is None:
        return None
    return base + _parsed(cand, rows)


def _parsed(cand: _Candidate, rows: dict[str, pd.Series]) -> pd.Series:
    """A candidate's column read once: stamps [datetime64[ns]], or a duration [timedelta64[ns]]; kept in ``rows``
    under a key of its own, so the stage choice, which tries every candidate in every combination, parses none
    twice."""
    key = ("parsed", cand.how, cand.col.name, cand.date_col.name if cand.date_col else None)
    if key not in rows:
        col = cand.col
        formats = [f for f, _ in col.formats]
        if cand.how in ("stamp", "date"):
            rows[key] = _parse_with(rows[col.name], formats, col.zone_suffixes)
        elif cand.how == "clock":
            day = _parse_with(rows[cand.date_col.name], [f for f, _ in cand.date_col.formats]).dt.normalize()
            clock = _parse_with(rows[col.name], formats)
            rows[key] = day + (clock - clock.dt.normalize())
        else:
            rows[key] = pd.to_timedelta(_duration_seconds(rows[col.name], col.duration_formats), unit="s")
    return rows[key]


def _count_bad(values: pd.Series, prev: pd.Series | None, nxt: pd.Series | None) -> tuple[int, int]:
    """(negative intervals with the stages before and after, missing values) of a candidate [rows]."""
    negative = 0
    if prev is not None:
        negative += int((values < prev).sum())
    if nxt is not None:
        negative += int((nxt < values).sum())
    return negative, int(values.isna().sum())


def _choose_stages(usable: list[ColumnReport], rows: dict[str, pd.Series],
                   n: int) -> tuple[dict[str, FieldDraft], str, list[str]]:
    """The column of each stage: by header meaning, and among several candidates by the data.

    Returns
    -------
    (dict, str, list of str)
        Stage -> its draft; why the roll-over repair is proposed (empty: it is not); notes on the stamp
        columns left out.
    """
    cands, dates = _stage_candidates(usable)
    order = list(STAGE_ORDER)
    notes: list[str] = []
    why: dict[str, list[str]] = {s: [] for s in S.TIMESTAMP_COLUMNS}
    if not cands[S.RECEIVED_AT]:
        pick, text = _received_fallback(usable, cands, dates, rows)
        if pick is not None:
            cands[S.RECEIVED_AT] = [pick]
            why[S.RECEIVED_AT].append(text)
    chosen: dict[str, _Candidate] = {}
    for stage in order:  # a first choice by header rank, each column once
        options = sorted((c for c in cands[stage] if c.col.name not in {x.col.name for x in chosen.values()}),
                         key=lambda c: (c.rank, c.index))
        options = [c for c in options if c.how != "duration" or c.after in chosen]
        if options:
            chosen[stage] = options[0]
    stages: dict[str, pd.Series] = {}
    for _round in range(2):  # then by the data: the fewest negative and missing intervals with the neighbours
        for k, stage in enumerate(order):
            taken = {x.col.name for s, x in chosen.items() if s != stage}
            options = [c for c in cands[stage] if c.col.name not in taken]
            stages = _stage_values(chosen, rows)
            if len(options) < 2:
                continue
            prev = next((stages[s] for s in reversed(order[:k]) if s in stages), None)
            nxt_stage = next((s for s in order[k + 1:] if s in chosen), None)
            scored = []
            for c in options:
                trial = dict(chosen, **{stage: c})
                values = _stage_values(trial, rows)
                if stage not in values:
                    continue
                nxt = values.get(nxt_stage) if nxt_stage else None
                negative, missing = _count_bad(values[stage], prev, nxt)
                scored.append((negative + missing, c.rank, c.index, c, negative, missing))
            if not scored:
                continue
            scored.sort(key=lambda t: t[:3])
            chosen[stage] = scored[0][3]
            neighbours = " and ".join(s for s in (
                next((s for s in reversed(order[:k]) if s in chosen), None), nxt_stage) if s)
            why[stage] = [line for line in why[stage] if not line.startswith("chosen by the data")]
            why[stage].append(
                f"chosen by the data among {len(scored)} columns, counting negative intervals with "
                f"{neighbours or 'no other stage'} and missing values in {n} rows: " + "; ".join(
                    f"{t[3].col.name!r} {t[4]} negative, {t[5]} missing" for t in scored)
                + (" (a tie: the header decides)" if len(scored) > 1 and scored[0][0] == scored[1][0] else ""))
    arrest = sorted(cands[S.ARRESTED_AT], key=lambda c: (c.rank, c.index))
    arrest = [c for c in arrest if c.col.name not in {x.col.name for x in chosen.values()}]
    if arrest:
        chosen[S.ARRESTED_AT] = arrest[0]
    stages = _stage_values(chosen, rows)
    drafts = {}
    for stage, cand in chosen.items():
        if stage not in stages:
            continue
        drafts[stage] = _stage_draft(stage, cand, why[stage])
    rollover = _rollover(chosen, stages, rows)
    used = {c.col.name for c in chosen.values()} | {c.date_col.name for c in chosen.values() if c.date_col}
    received = stages.get(S.RECEIVED_AT)
    for c in usable:
        if c.name in used or c.kind not in ("timestamp", "time", "duration"):
            continue
        notes.append(_left_out(c, cands, rows, received))
    return drafts, rollover, notes


def _stage_values(chosen: dict[str, _Candidate], rows: dict[str, pd.Series]) -> dict[str, pd.Series]:
    """The stamps of the chosen stages in the sampled rows, durations counted from their base stage."""
    stages: dict[str, pd.Series] = {}
    for stage in list(STAGE_ORDER) + [S.ARRESTED_AT]:
        if stage in chosen:
            values = _values(chosen[stage], rows, stages)
            if values is not None:
                stages[stage] = values
    return stages


def _received_fallback(usable: list[ColumnReport], cands: dict[str, list[_Candidate]], dates: list[ColumnReport],
                       rows: dict[str, pd.Series]) -> tuple[_Candidate | None, str]:
    """Without a header that names the call's receipt: the earliest stamp that names no other stage."""
    staged = {c.col.name for s, cs in cands.items() for c in cs}
    options = []
    for i, c in enumerate(usable):
        if c.name in staged:
            continue
        if c.kind == "timestamp":
            options.append(_Candidate(S.RECEIVED_AT, c, i, 90, "stamp"))
        elif c.kind == "time":
            date_col, date_why = _date_for(c, dates)
            if date_col is not None:
                options.append(_Candidate(S.RECEIVED_AT, c, i, 90, "clock", date_col=date_col, date_why=date_why))
    if not options:
        options = [_Candidate(S.RECEIVED_AT, c, i, 95, "date") for i, c in enumerate(usable) if c.kind == "date"]
        if not options:
            return None, ""
    dated = " (TODO: a date without a time of day: no interval can be measured; check that a row is a call)"
    if len(options) == 1:
        c = options[0]
        return c, (f"no header names the call's receipt: {c.col.name!r} is the only {c.col.kind} column"
                   + (dated if c.how == "date" else ""))
    values = [_values(c, rows, {}) for c in options]
    scored = []
    for k, c in enumerate(options):
        later = sum(int((values[k] > values[j]).sum()) for j in range(len(options)) if j != k)
        missing = int(values[k].isna().sum())
        scored.append((later + missing, c.index, c, later, missing))
    scored.sort(key=lambda t: t[:2])
    c = scored[0][2]
    return c, (f"no header names the call's receipt: {c.col.name!r} is the earliest stamp (later than another in "
               f"{_rows(scored[0][3])}, missing in {scored[0][4]}; " + "; ".join(
                   f"{t[2].col.name!r} later in {_rows(t[3])}, missing in {t[4]}" for t in scored[1:]) + ")")


def _stage_draft(stage: str, cand: _Candidate, why: list[str]) -> FieldDraft:
    """The draft of one stage from its chosen column."""
    col = cand.col
    draft = FieldDraft(stage, col.name, why=list(why), required=stage == S.RECEIVED_AT)
    if cand.how == "duration":
        draft.after = cand.after
        draft.duration_formats = list(col.duration_formats)
        draft.why.append(f"a duration counted from {cand.after}, read as {' then '.join(col.duration_formats)}"
                         + (f": {col.note}" if col.note else ""))
        return draft
    draft.formats = [f for f, _ in col.formats]
    if cand.how == "clock":
        draft.date_source = cand.date_col.name
        draft.date_formats = [f for f, _ in cand.date_col.formats]
        draft.why.append(f"a clock time on {cand.date_why}")
    if col.zone_suffixes:
        draft.zone_suffixes = {s: KNOWN_SUFFIXES.get(s, "+00:00") for s in col.zone_suffixes}
        unknown = [s for s in col.zone_suffixes if s not in KNOWN_SUFFIXES]
        if unknown:
            draft.why.append(f"TODO: the UTC offset of the suffixes {unknown} is not known: +00:00 is a guess")
    if col.note:
        draft.why.append(f"TODO: {col.note}")
    return draft


def _rollover(chosen: dict[str, _Candidate], stages: dict[str, pd.Series], rows: dict[str, pd.Series]) -> str:
    """Why the midnight roll-over repair should be on (empty: it should not): sampled stamps that read 12 to
    24 h before the stage before them, the earlier in the evening and the later in the early morning."""
    last = None
    rolled: dict[str, pd.Series] = {}
    found = []
    for stage in STAGE_ORDER:
        if stage not in stages:
            continue
        cand = chosen[stage]
        if cand.how == "duration":
            base = rolled.get(cand.after)
            values = stages[stage] if base is None else base + _parsed(cand, rows)
        else:
            values = stages[stage].copy()
            if last is not None:
                gap = last - values
                roll = ((gap > pd.Timedelta(hours=12)) & (gap <= pd.Timedelta(hours=24))
                        & (last.dt.hour >= _EVENING) & (values.dt.hour < _MORNING)).fillna(False)
                if roll.any():
                    r = int(np.flatnonzero(roll.to_numpy())[0])
                    found.append((stage, int(roll.sum()), r, last.iloc[r], values.iloc[r]))
                    values[roll] = values[roll] + pd.Timedelta(days=1)
        rolled[stage] = values
        last = values if last is None else values.where(values.notna(), last)
    if not found:
        return ""
    stage, _count, r, before, after = found[0]
    total = sum(f[1] for f in found)
    return (f"{total} sampled rows have a stage 12-24 h before the stage before it, an evening call with an "
            f"after-midnight stamp on the call's date ({stage}, row {r + 1}: {before:%Y-%m-%d %H:%M} then "
            f"{after:%Y-%m-%d %H:%M}): a day is added to such stamps")


def _left_out(c: ColumnReport, cands: dict[str, list[_Candidate]], rows: dict[str, pd.Series],
              received: pd.Series | None) -> str:
    """A note on a timestamp, clock or duration column the draft does not map."""
    stages = [s for s, cs in cands.items() if any(x.col.name == c.name for x in cs)]
    bases = [x.after for s, cs in cands.items() for x in cs if x.col.name == c.name and x.how == "duration"]
    if bases and received is not None:
        return (f"{c.name} (duration {' / '.join(c.duration_formats)}): gives {stages[0]} counted from {bases[0]}, "
                "which the draft does not map")
    if stages:
        return f"{c.name} ({c.kind}): a candidate for {', '.join(stages)}, not chosen"
    if c.kind == "duration":
        return f"{c.name} (duration {' / '.join(c.duration_formats)}): no stage in its header, not mapped"
    text = f"{c.name} ({c.kind}): no stage in its header, not mapped"
    if c.kind == "timestamp" and received is not None:
        values = _parse_with(rows[c.name], [f for f, _ in c.formats], c.zone_suffixes)
        both = values.notna() & received.notna()
        if both.any():
            later = int((values[both] >= received[both]).sum())
            median = (values[both] - received[both]).median()
            text += (f"; it is at or after received_at in {later} of {int(both.sum())} rows "
                     f"(median {_span(median)}): map it if it is a stage")
    return text


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _span(delta: pd.Timedelta) -> str:
    seconds = delta.total_seconds()
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    if seconds >= 3600:
        return f"{sign}{seconds / 3600:.1f} h"
    return f"{sign}{seconds / 60:.0f} min" if seconds >= 60 else f"{sign}{seconds:.0f} s"


# --- the other fields --------------------------------------------------------------------------------------------
def _other_fields(usable: list[ColumnReport], used: set[str], rows: dict[str, pd.Series]) -> dict[str, FieldDraft]:
    """Call type and group, priority, district, area class, outcome, flags and coordinates, by header."""
    candidates = []
    for i, col in enumerate(usable):
        if col.name in used:
            continue
        h = _norm_header(col.name)
        for fname, keywords in FIELD_KEYWORDS.items():
            if col.kind in _TIME_LIKE_KINDS:
                continue
            if fname in (S.LATITUDE, S.LONGITUDE) and col.kind not in ("number", "point"):
                continue
            for rank, kw in enumerate(keywords):
                exact = kw == h
                if exact or (len(kw) >= _EXACT_ONLY and kw in h):
                    if fname == S.OUTCOME and kw in _WEAK_OUTCOME_KEYWORDS and not _has_outcome_words(col):
                        break
                    score = (2 if exact else 1, -rank, len(kw))
                    candidates.append((score, -i, i, fname))
                    break
    chosen: dict[str, ColumnReport] = {}
    taken: set[int] = set()
    for _score, _neg, i, fname in sorted(candidates, reverse=True):
        if i in taken or fname in chosen:
            continue
        chosen[fname] = usable[i]
        taken.add(i)
    if S.LATITUDE in chosen and chosen[S.LATITUDE].kind == "point" and S.LONGITUDE not in chosen:
        chosen[S.LONGITUDE] = chosen[S.LATITUDE]
    drafts = {}
    for fname, col in chosen.items():
        drafts[fname] = _plain_draft(fname, col, usable, rows)
    return drafts


def _has_outcome_words(col: ColumnReport) -> bool:
    """Whether at least two of a column's values read as an outcome other than ``other``."""
    return col.kind == "text" and sum(_guess_outcome(v) != S.OUTCOME_OTHER for v in col.top_values) >= 2


def _plain_draft(fname: str, col: ColumnReport, usable: list[ColumnReport], rows: dict[str, pd.Series]) -> FieldDraft:
    """The draft of a field read from one column by header."""
    draft = FieldDraft(fname, col.name)
    if col.kind == "point" and fname in (S.LATITUDE, S.LONGITUDE):
        draft.extract = r"^\s*\(?\s*(-?\d+(?:\.\d+)?)" if fname == S.LATITUDE else r"(-?\d+(?:\.\d+)?)\s*\)?\s*$"
        draft.why.append("the first number of \"(lat, lon)\" is the latitude, the second the longitude: check")
    if fname == S.OUTCOME:
        _outcome_map(draft, col, _label_column(col, usable, rows))
    if fname == S.SELF_INITIATED:
        flags = [v for v in col.top_values if v.upper() in _TRUE_FLAGS]
        tokens = _self_values(col, source_header=True)
        draft.true_values = tokens or flags
        draft.why.append(_self_why(col, draft.true_values))
    if fname == S.CAUGHT_IN_ACT:
        draft.true_values = [v for v in col.top_values if v.upper() in _TRUE_FLAGS]
        draft.false_values = [v for v in col.top_values if v.upper() in _FALSE_FLAGS]
    if fname == S.AREA_CLASS:
        for v in col.top_values[:20]:
            guess = next((area for words, area in _AREA_WORDS if any(w in v.upper() for w in words)), None)
            draft.value_map.append((v, guess or "urban", "" if guess else "TODO: urban / suburban / rural"))
    if fname in (S.DISTRICT, S.PRIORITY, S.CALL_GROUP, S.CALL_TYPE) and "-1" in col.counts:
        others = [v for v in col.top_values if v != "-1"]
        if others and all(re.fullmatch(r"\d+", v) or len(v) <= 6 for v in others):
            draft.na_values = ["-1"]
            draft.why.append(f"\"-1\" ({_rows(col.counts['-1'])}) reads as no {fname}")
    if col.masked:
        draft.why.append(f"TODO: {col.masked} sampled value(s) look personal (phone, ID number, e-mail, name or "
                         "free text)")
        draft.why.append("and are neither shown nor mapped: check that this is the right column")
    return draft


def _outcome_map(draft: FieldDraft, col: ColumnReport, labels: dict[str, str]) -> None:
    """A canonical outcome for each sampled value; a code column is mapped through its labels' words.

    Parameters
    ----------
    labels : dict of str to str
        Code -> its label, and ``""`` -> the label column's name (see :func:`_label_column`); empty for none.
    """
    pairs = []
    for value in col.top_values:
        rows = col.counts.get(value, 0)
        label = labels.get(value) if labels else None
        guess = _guess_outcome(label) if label else S.OUTCOME_OTHER
        if guess == S.OUTCOME_OTHER:
            guess = _guess_outcome(value)
        note = f"{label} ({_rows(rows)})" if label else _rows(rows)
        pairs.append((value, guess, note))
    draft.value_map = pairs
    draft.default = S.OUTCOME_OTHER
    if labels:
        draft.why.append(f"codes mapped by the words of their labels in {labels['']!r}: check every value")
    else:
        draft.why.append("a canonical outcome for each sampled value, by its words: check every value")
        codes = [v for v in col.top_values if re.fullmatch(r"[A-Z0-9]{1,4}", v)]
        if col.top_values and len(codes) >= 0.8 * len(col.top_values):
            draft.why.append(f"TODO: {len(codes)} of the {len(col.top_values)} values are short codes, read here by "
                             "their letters only: map them with the agency's code table (a [lookups] table)")
    if col.distinct > len(col.top_values):
        draft.why.append(f"{col.distinct - len(col.top_values)} rarer values fall to the default "
                         "(the ingest report lists them)")


def _label_column(col: ColumnReport, usable: list[ColumnReport], rows: dict[str, pd.Series]) -> dict[str, str]:
    """For a code column (``FINAL_DISPO_CODE``), the label of each code in its companion column (``FINAL_DISPO``,
    ``FINAL_DISPO_DESC``): the label most rows of the code have, where at least 9 in 10 have it and it passes the
    personal-data check. The key ``""`` holds the companion's name; empty when there is no companion."""
    tokens = _tokens(col.name)
    if len(tokens) < 2 or tokens[-1] not in ("code", "cd", "cde"):
        return {}
    stem = tokens[:-1]
    for other in usable:
        if other is col or other.kind != "text" or _tokens(other.name) not in (stem, stem + ["desc"],
                                                                                stem + ["description"]):
            continue
        pairs = pd.DataFrame({"code": rows[col.name], "label": rows[other.name]}).dropna()
        labels = {"": other.name}
        for code, group in pairs.groupby("code", sort=False):
            top = group["label"].value_counts()
            if top.iloc[0] >= 0.9 * len(group) and privacy.personal_kind(top.index[0]) is None:
                labels[str(code)] = str(top.index[0])
        return labels
    return {}


def _self_values(col: ColumnReport, source_header: bool) -> list[str]:
    """The values of a column that mean the officer started the call."""
    out = []
    for value in col.top_values:
        squeezed = re.sub(r"[\W_]+", "", value.upper())
        if squeezed in _SELF_VALUES or (source_header and any(p in squeezed for p in _SELF_PARTS)):
            out.append(value)
    return out


def _self_why(col: ColumnReport, values: list[str]) -> str:
    if not values:
        return "TODO: no sampled value means self-initiated: list them in true_values"
    counted = ", ".join(f"{v!r} ({_rows(col.counts.get(v, 0))})" for v in values)
    return f"self-initiated: {counted}; every other value reads as not"


def _choose_self_initiated(usable: list[ColumnReport], drafts: dict[str, FieldDraft]) -> FieldDraft | None:
    """A call-source column whose values mean officer-initiated / on view / 自主发现, when no header said one."""
    if S.SELF_INITIATED in drafts:
        return None
    best = None
    for i, col in enumerate(usable):
        if col.kind != "text" or col.distinct > _SELF_MAX_DISTINCT:
            continue
        source = _first_hit(col.name, _tokens(col.name), _SOURCE_WORDS) is not None
        values = _self_values(col, source)
        if not values:
            continue
        key = (source, sum(col.counts.get(v, 0) for v in values), -i)
        if best is None or key > best[0]:
            best = (key, col, values)
    if best is None:
        return None
    _, col, values = best
    draft = FieldDraft(S.SELF_INITIATED, col.name, true_values=values)
    draft.why.append(f"a call-source column; {_self_why(col, values)}")
    return draft


def _field_toml(draft: FieldDraft) -> list[str]:
    """The TOML lines of one field's table."""
    out = [f"# {line}" for line in draft.why]
    out.append(f"[fields.{draft.name}]")
    if draft.synthetic:
        out.append(f"synthetic = {_q(draft.synthetic)}")
        return out
    if draft.column is None:
        out.append(f"source = {_q('CHANGE-ME')}  # TODO: the column holding {draft.name}")
        if draft.name in S.TIMESTAMP_COLUMNS:
            out.append('formats = ["%Y-%m-%d %H:%M:%S"]  # TODO')
        out.append("required = true")
        return out
    out.append(f"source = {_q(draft.column)}")
    if draft.after:
        out.append(f"after = {_q(draft.after)}")
        out.append("duration_formats = [" + ", ".join(_q(f) for f in draft.duration_formats) + "]")
    if draft.formats:
        out.append("formats = [" + ", ".join(_q(f) for f in draft.formats) + "]")
    if draft.date_source:
        out.append(f"date_source = {_q(draft.date_source)}")
        out.append("date_formats = [" + ", ".join(_q(f) for f in draft.date_formats) + "]")
    if draft.zone_suffixes:
        out.append("zone_suffixes = { " + ", ".join(f"{_q(s)} = {_q(o)}" for s, o in draft.zone_suffixes.items())
                   + " }")
    if draft.required:
        out.append("required = true")
    if draft.na_values:
        out.append("na_values = [" + ", ".join(_q(v) for v in draft.na_values) + "]")
    if draft.extract:
        out.append(f"extract = '{draft.extract}'")
    if draft.name in (S.SELF_INITIATED, S.CAUGHT_IN_ACT):
        out.append("true_values = [" + ", ".join(_q(t) for t in draft.true_values) + "]")
    if draft.false_values:
        out.append("false_values = [" + ", ".join(_q(t) for t in draft.false_values) + "]")
    if draft.default is not None:
        out.append(f"default = {_q(draft.default)}")
    if draft.value_map:
        out.append(f"[fields.{draft.name}.map]")
        for value, mapped, note in draft.value_map:
            out.append(f"{_q(value)} = {_q(mapped)}" + (f"  # {note}" if note else ""))
    return out


def _guess_outcome(value: str) -> str:
    text = value.upper()
    for phrases, outcome in _OUTCOME_RULES:
        hit = [p for p in phrases if p in text]
        if hit:
            if outcome is None:
                for p in hit:
                    text = text.replace(p, " ")
                continue
            return outcome
    return S.OUTCOME_OTHER


def _q(text: str) -> str:
    """A TOML basic string."""
    return json.dumps(str(text), ensure_ascii=False)


__all__ = ["COMMON_FORMATS", "MAX_SAMPLE_ROWS", "ColumnReport", "FieldDraft", "InspectResult", "inspect_file"]
