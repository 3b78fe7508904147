"""Look at an unknown export and draft a mapping for it.

:func:`inspect_file` reads the first rows of a CSV, Excel or Parquet file
(with the same readers as ``ingest``), guesses each column's type, tries a
list of common timestamp patterns on a sample of its values, guesses which
canonical field each column is from its header (English, Chinese or pinyin
names), and writes a draft mapping TOML (:meth:`InspectResult.draft_toml`)
that the analyst checks and completes. Nothing is guessed silently: the
draft marks what it could not decide with ``CHANGE-ME`` (which fails to load)
or ``TODO`` comments.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import privacy
from .. import schema as S
from ..sources import open_source
from ..sources.base import check_regular_file

#: Encodings tried in order when none is given (latin-1 decodes anything, so it is last).
DEFAULT_ENCODINGS = ("utf-8-sig", "gb18030", "cp1252", "latin-1")

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

#: Header keywords of each canonical field (compared after :func:`_norm_header`), best first.
FIELD_KEYWORDS: dict[str, tuple[str, ...]] = {
    S.INCIDENT_ID: ("接警单编号", "jjdbh", "警情编号", "jqbh", "事件编号",
                    "incidentnumber", "incidentnum", "incidentid", "incidentno", "cadeventnumber", "eventnumber",
                    "eventid", "emscallnumber", "callnumber", "callno", "callid", "cadnumber", "eid", "incident"),
    S.UNIT_ID: ("unitid", "unitnumber", "unitno", "apparatus", "unit"),
    S.RECEIVED_AT: ("接警时间", "jjsj", "报警时间", "bjsj", "receiveddttm", "receivedtimestamp", "timereceived",
                    "callreceived", "originaltimequeued", "timequeued", "calldateandtime", "calldatetime",
                    "received", "calltime", "queued", "datetime", "created"),
    S.DISPATCHED_AT: ("派警时间", "pjsj", "dispatchdttm", "dispatchtimestamp", "dispatchdateandtime", "dispatched",
                      "dispatch", "assigned"),
    S.ENROUTE_AT: ("出警时间", "cjsj", "enroutedateandtime", "enroute", "responsedttm", "responsetimestamp",
                   "responding"),
    S.ARRIVED_AT: ("到达现场时间", "ddxcsj", "到达时间", "ddsj", "onscenedttm", "onscenedateandtime", "onscene",
                   "arrivedtime", "arrived", "arrival"),
    S.CLEARED_AT: ("处警结束时间", "cjjssj", "现场处理完毕时间", "clwbsj", "availabledttm", "available",
                   "closedateandtime", "cleared", "closed", "close", "clear", "completed"),
    S.ARRESTED_AT: ("抓获时间", "zhsj", "arresttime", "arrested"),
    S.CALL_GROUP: ("警情类别", "jqlb", "calltypegroup", "callgroup", "category"),
    S.CALL_TYPE: ("警情类型", "jqlx", "finalcalltype", "calltype", "incidenttype", "nature", "natureofcall", "type"),
    S.PRIORITY: ("警情级别", "jqjb", "finalpriority", "callpriority", "priority"),
    S.DISTRICT: ("所属网格", "sswg", "管辖单位", "gxdw", "battalion", "district", "beat", "precinct", "sector", "zone"),
    S.AREA_CLASS: ("区域类别", "qylb", "areaclass", "areatype"),
    S.OUTCOME: ("处警结果", "cjjg", "eventclearancedescription", "finaldispositioncode", "finaldispocode",
                "calldisposition", "finaldisposition", "disposition", "dispo", "clearance", "outcome", "result"),
    S.SELF_INITIATED: ("接警方式", "jjfs", "selfinitiated", "officerinitiated", "onview"),
    S.CAUGHT_IN_ACT: ("是否现行抓获", "sfxxzh", "caughtinact"),
    S.LATITUDE: ("纬度", "wd", "yzb", "latitude", "lat",
                 "location", "coordinates", "point", "坐标", "位置"),  # the last: "(lat, lon)" text
    S.LONGITUDE: ("经度", "jd", "xzb", "longitude", "lon", "lng", "long"),
}
#: Keywords shorter than this must equal the whole header (``lat`` must not match ``platoon``).
_EXACT_ONLY = 6
_TIMESTAMP_KINDS = {"timestamp", "time"}
#: A column with at most this many distinct values, or this share of its values, is a category column for the
#: personal-data check (:func:`responsestats.privacy.personal_kind`): short Han words are not taken for names.
_CATEGORY_DISTINCT, _CATEGORY_SHARE = 50, 0.2
#: Headers that hold personal data: listed in the draft, never mapped.
PERSONAL_KEYWORDS = ("报警人", "bjr", "报警电话", "bjdh", "联系电话", "lxdh", "caller", "phone", "telephone", "name",
                     "ssn", "dob", "birth", "姓名", "身份证", "地址", "报警内容", "简要案情", "address", "addr",
                     "street", "narrative", "comments", "remarks")

_OUTCOME_RULES = (
    (("NO ARREST", "NO REPORT"), None),
    (("ARREST", "抓获", "拘留"), "arrest"),
    (("CITATION", "CITE", "TICKET", "处罚", "罚款"), "citation"),
    (("REPORT", "受案", "立案"), "report"),
    (("UNFOUNDED", "FALSE", "不实", "无效"), "unfounded"),
    (("DUPLICATE", "DUP", "重复"), "duplicate"),
    (("CANCEL", "撤"), "cancelled"),
    (("GONE ON ARRIVAL", "UNABLE TO LOCATE", "GOA", "未见", "已离开"), "gone_on_arrival"),
    (("TRANSPORT", "送医"), "transport"),
    (("WARNING", "ADVISED", "调解", "警告", "教育"), "advised"),
)
_SELF_TOKENS = ("ONVIEW", "ON VIEW", "OFFICER", "SELF", "巡逻发现", "自行发现", "主动发现")
_POINT_RE = re.compile(r"^\s*\(?\s*-?\d+(?:\.\d+)?\s*,\s*-?\d+(?:\.\d+)?\s*\)?\s*$")
_SUFFIX_RE = re.compile(r"^(.*\d)\s?([A-Z]{1,3})$")
_DURATION_RE = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$")
_INT_RE = re.compile(r"^-?\d+$")
_NUM_RE = re.compile(r"^-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?$")
_BOOLS = {"true", "false", "yes", "no", "y", "n", "t", "f", "是", "否"}


@dataclass
class ColumnReport:
    """What :func:`inspect_file` found in one column.

    Attributes
    ----------
    name : str
        Header name.
    non_null : int
        Values present in the sample.
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
        The canonical field this column probably is.
    top_values : list of str
        Up to 30 of the most common values, without those the personal-data check flags (none for a
        personal column): the draft's ``map`` keys.
    masked : int
        Distinct sampled values hidden because they are personal [count].
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


@dataclass
class InspectResult:
    """The columns of one file as :func:`inspect_file` saw them."""

    path: Path
    encoding: str | None
    delimiter: str
    sheet: str | int
    header_row: int
    rows_sampled: int
    columns: list[ColumnReport]

    @property
    def personal_columns(self) -> list[str]:
        """Columns whose header suggests personal data (never mapped)."""
        return [c.name for c in self.columns if _is_personal(c.name)]

    def to_text(self) -> str:
        """A table of the columns for the terminal."""
        lines = [
            f"{self.path}: {len(self.columns)} columns, {self.rows_sampled} rows sampled"
            + (f", encoding {self.encoding}" if self.encoding else "")
            + (f", delimiter {self.delimiter!r}" if self.delimiter != "," else ""),
            "",
            f"{'column':<32} {'type':<10} {'present':>8} {'distinct':>8}  {'guess':<14} formats / examples",
        ]
        for c in self.columns:
            if c.formats:
                detail = ", ".join(f"{f} ({share:.0%})" for f, share in c.formats[:3])
                if c.zone_suffixes:
                    detail += f" + zone suffix {'/'.join(c.zone_suffixes)}"
            else:
                detail = ", ".join(repr(e) for e in c.examples[:3])
            if c.note:
                detail += f"  [{c.note}]"
            guess = c.guess or ("(personal)" if _is_personal(c.name) else "")
            lines.append(f"{c.name[:32]:<32} {c.kind:<10} {c.non_null:>8} {c.distinct:>8}  {guess:<14} {detail}")
        return "\n".join(lines)

    def draft_toml(self, timezone: str | None = None, name: str | None = None) -> str:
        """A draft mapping TOML for this file (see docs/mappings.md).

        Parameters
        ----------
        timezone : str, optional
            IANA zone of the agency; without it the draft says ``CHANGE-ME``,
            which fails to load until it is filled in.
        name : str, optional
            Format name; default from the file name.
        """
        by_field = {c.guess: c for c in self.columns if c.guess}
        fmt_name = name or re.sub(r"[^A-Za-z0-9_]+", "_", self.path.stem).strip("_").lower() or "new_format"
        level = "unit" if S.UNIT_ID in by_field else "incident"
        out = [
            f"# Draft mapping for {self.path.name}, written by `responsestats inspect` from its first "
            f"{self.rows_sampled} rows.",
            "# Check every table (docs/mappings.md documents each key), replace CHANGE-ME and the TODOs, then:",
            f"#   responsestats ingest {self.path.name} --mapping {fmt_name}.toml --out DATASET",
            "",
            "[format]",
            f"name = {_q(fmt_name)}",
            f"description = {_q('TODO: one line: agency, what one row is, time zone')}",
            f"level = {_q(level)}  # 'incident': one row per incident; 'unit': one row per responding unit",
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
        out.append(f"clock_start = {_q('TODO: what event received_at records (PSAP answer, CAD entry, queued...)')}")
        order = [S.INCIDENT_ID, S.UNIT_ID, *S.TIMESTAMP_COLUMNS]
        for fname in order + [c for c in S.COLUMNS if c not in order]:
            if fname == S.LONGITUDE and S.LATITUDE in by_field and by_field[S.LATITUDE].kind == "point":
                col = by_field[S.LATITUDE]
            elif fname in by_field:
                col = by_field[fname]
            elif fname in (S.INCIDENT_ID, S.RECEIVED_AT):
                col = None
            else:
                continue
            out.append("")
            out.extend(_field_toml(fname, col))
        unmapped = [c.name for c in self.columns if not c.guess and not _is_personal(c.name)]
        if self.personal_columns:
            out += ["", f"# Personal columns, never mapped: {', '.join(self.personal_columns)}"]
        if unmapped:
            out += ["", f"# Columns not mapped (map any that is a canonical field): {', '.join(unmapped)}"]
        return "\n".join(out) + "\n"


def inspect_file(path: str | Path, encoding: str | None = None, *, sheet: str | int = 0, header_row: int = 0,
                 delimiter: str | None = None, sample_rows: int = 2000) -> InspectResult:
    """Read the first rows of an export and describe its columns.

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
        Rows read [rows].

    Returns
    -------
    InspectResult

    Raises
    ------
    UserError
        Missing or unreadable file.
    """
    path = Path(path)
    encodings = (encoding,) if encoding else DEFAULT_ENCODINGS
    if delimiter is None:
        delimiter = _sniff_delimiter(path, encodings, header_row)
    src = open_source(path, encodings, delimiter=delimiter, header_row=header_row, sheet=sheet,
                      block_rows=sample_rows)
    header = [h for h in src.header if h]
    frame = {h: [] for h in header}
    n = 0
    for block in src.blocks(header):
        take = min(block.num_rows, sample_rows - n)
        for h in header:
            frame[h].extend(block.columns[h].slice(0, take).to_pylist())
        n += take
        if n >= sample_rows:
            break
    columns = [_describe(h, pd.Series(frame[h], dtype=object)) for h in header]
    _assign_guesses(columns)
    return InspectResult(path=path, encoding=src.encoding, delimiter=delimiter if src.encoding else ",",
                         sheet=sheet, header_row=header_row, rows_sampled=n, columns=columns)


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


def _masked_samples(name: str, counts: pd.Series) -> tuple[list[str], list[str], int]:
    """The examples (5) and top values (30) of a column as they may be shown, and how many values were hidden.

    Every value of a column whose header says it is personal is shown as ``[personal, <n> chars]`` (with its
    kind where the personal-data check tells it), and is no top value; elsewhere a value the check flags
    is shown as ``[personal: <kind>, <n> chars]`` and left out of the top values.
    """
    values = [str(v) for v in counts.index]
    personal = _is_personal(name)
    category = not personal and len(values) <= max(_CATEGORY_DISTINCT, _CATEGORY_SHARE * int(counts.sum()))
    examples, top, masked = [], [], 0
    for value in values:  # most common first, each checked until enough are shown
        kind = privacy.personal_kind(value, category=category)
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
        if len(top) < 30:
            top.append(value)
        if len(examples) >= 5 and len(top) >= 30:
            break
    return examples, top, masked


def _describe(name: str, raw: pd.Series) -> ColumnReport:
    values = raw.dropna().astype(str).str.strip()
    values = values[values != ""]
    counts = values.value_counts()
    examples, top_values, masked = _masked_samples(name, counts)
    report = ColumnReport(name=name, non_null=len(values), distinct=len(counts), examples=examples, kind="empty",
                          top_values=top_values, masked=masked)
    if values.empty:
        return report
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
    _find_timestamp(report, sample)
    return report


def _find_timestamp(report: ColumnReport, sample: pd.Series) -> None:
    clock = sample.str.extract(_DURATION_RE)
    if clock[0].notna().all() and (clock[0].astype(int) >= 24).any():  # 31:10 is no time of day
        report.kind = "duration"
        if clock[2].notna().all() and (clock[2] == "00").all():
            report.note = "looks like MM:SS:00 (minutes and seconds)"
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
    for fmt in COMMON_FORMATS:
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
        found.append((fmt, float(ok.mean()), ok))
    # The patterns that together read the most values, best first (a column may mix a few).
    found.sort(key=lambda t: -t[1])
    covered = np.zeros(len(text), bool)
    chosen = []
    for fmt, share, ok in found:
        if len(chosen) < 4 and (share >= 0.9 or (ok & ~covered).any()):
            chosen.append((fmt, share))
            covered |= ok
    if not chosen or covered.mean() < 0.5:
        return
    report.formats = chosen
    best = chosen[0][0]
    if best in _TIME_ONLY:
        report.kind = "time"
    elif best in _DATE_ONLY:
        report.kind = "date"
    else:
        report.kind = "timestamp"
    if covered.mean() < 1:
        report.note = f"{1 - covered.mean():.0%} of the sampled values match no pattern"
    names = [f for f, _ in report.formats]
    if any("%m/%d" in f for f in names) and any("%d/%m" in f for f in names):
        report.note = "day/month order is ambiguous in the sample: check"


def _norm_header(name: str) -> str:
    return re.sub(r"[\s_\-./()]+", "", str(name)).casefold()


def _is_personal(name: str) -> bool:
    h = _norm_header(name)
    return any(k == h or (len(k) > 3 and k in h) for k in PERSONAL_KEYWORDS)


def _assign_guesses(columns: list[ColumnReport]) -> None:
    """Give each canonical field at most one column, best header match first."""
    candidates = []
    for i, col in enumerate(columns):
        if _is_personal(col.name) or col.kind == "empty":
            continue
        h = _norm_header(col.name)
        for fname, keywords in FIELD_KEYWORDS.items():
            is_ts = fname in S.TIMESTAMP_COLUMNS
            if is_ts != (col.kind in _TIMESTAMP_KINDS or (is_ts and col.kind == "duration")):
                if not (fname in (S.LATITUDE, S.LONGITUDE) and col.kind == "point"):
                    continue
            if fname in (S.LATITUDE, S.LONGITUDE) and col.kind not in ("number", "point"):
                continue
            for rank, kw in enumerate(keywords):
                exact = kw == h
                if exact or (len(kw) >= _EXACT_ONLY and kw in h):
                    score = (2 if exact else 1, -rank, len(kw))
                    candidates.append((score, i, fname))
                    break
    taken_cols: set[int] = set()
    for _score, i, fname in sorted(candidates, reverse=True):
        if i in taken_cols or any(c.guess == fname for c in columns):
            continue
        columns[i].guess = fname
        taken_cols.add(i)


def _field_toml(fname: str, col: ColumnReport | None) -> list[str]:
    out = [f"[fields.{fname}]"]
    if col is None:
        out.append(f"source = {_q('CHANGE-ME')}  # TODO: the column holding {fname}")
        if fname == S.RECEIVED_AT:
            out.append('formats = ["%Y-%m-%d %H:%M:%S"]  # TODO')
        out.append("required = true")
        return out
    out.append(f"source = {_q(col.name)}")
    if fname in S.TIMESTAMP_COLUMNS:
        if col.kind == "duration":
            out.append(f"after = {_q(S.RECEIVED_AT)}  # TODO: the stage this duration counts from")
            fmt = "MM:SS:00" if "MM:SS:00" in col.note else "H:MM:SS"
            out.append(f"duration_formats = [{_q(fmt)}, \"M:SS\"]")
        else:
            formats = [f for f, _ in col.formats] or ["%Y-%m-%d %H:%M:%S"]
            out.append("formats = [" + ", ".join(_q(f) for f in formats) + "]")
            if col.kind == "time":
                out.append(f"date_source = {_q('CHANGE-ME')}  # TODO: the column holding the date")
                out.append('date_formats = ["%Y-%m-%d"]  # TODO')
            if col.zone_suffixes:
                pairs = [f"{_q(s)} = {_q(KNOWN_SUFFIXES.get(s, 'CHANGE-ME'))}" for s in col.zone_suffixes]
                out.append("zone_suffixes = { " + ", ".join(pairs) + " }")
        if col.note:
            out.append(f"# TODO: {col.note}")
    if fname in (S.INCIDENT_ID, S.RECEIVED_AT) or (fname == S.UNIT_ID):
        out.append("required = true")
    if col.kind == "point" and fname in (S.LATITUDE, S.LONGITUDE):
        regex = r"^\s*\(?\s*(-?\d+(?:\.\d+)?)" if fname == S.LATITUDE else r"(-?\d+(?:\.\d+)?)\s*\)?\s*$"
        out.append(f"extract = '{regex}'  # TODO: check which number is the latitude")
    if fname == S.OUTCOME:
        pairs = []
        for value in col.top_values:
            pairs.append(f"{_q(value)} = {_q(_guess_outcome(value))}")
        out.append("map = { " + ", ".join(pairs) + " }  # TODO: check every value")
        out.append('default = "other"')
    if fname == S.SELF_INITIATED:
        tokens = [v for v in col.top_values if any(t in v.upper() for t in _SELF_TOKENS)]
        out.append("true_values = [" + ", ".join(_q(t) for t in tokens) + "]  # TODO: the self-initiated values")
    if fname == S.AREA_CLASS:
        out.append("map = { " + ", ".join(f"{_q(v)} = \"urban\"" for v in col.top_values[:10])
                   + " }  # TODO: urban / suburban / rural")
    if col.masked:
        out.append(f"# TODO: {col.masked} sampled value(s) look personal (phone, ID number, e-mail, name or free text)")
        out.append("# and are neither shown nor mapped: check that this is the right column")
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


__all__ = ["inspect_file", "InspectResult", "ColumnReport", "COMMON_FORMATS"]
