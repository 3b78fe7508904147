"""The ingest report: what one input file gave, counted as the blocks go, and the run's totals.

The report's keys are defined once, in :mod:`responsestats.schema` (``R_*``,
:data:`~responsestats.schema.FileReport`); this module fills them in.
:class:`FileStats` accumulates the counts of one file over its blocks,
:func:`file_report` builds the file's report (written to the dataset's
``_reports/`` and read back by :func:`responsestats.store.read_reports`), and
:class:`IngestResult` sums the files of one run.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .. import privacy
from .. import schema as S
from .._version import __version__
from ..formats.mapping import DUPLICATE_IDS_KEEP_FIRST, DUPLICATE_IDS_MERGE, DUPLICATE_IDS_QUARANTINE, Mapping

#: Values listed per column in the report's ``unmapped_values`` and ``lookup_unmatched`` (the most frequent).
TOP_VALUES = 20
#: Values listed per column in the report's ``ambiguous_durations`` (the most frequent).
AMBIGUOUS_EXAMPLES = 5
#: Quarantine reasons the summary line names with their column and an example value (the most frequent).
SUMMARY_TOP_REASONS = 3


def _counters() -> defaultdict:
    return defaultdict(Counter)


@dataclass
class FileStats:
    """Counts for one input file, accumulated over its blocks.

    The four sections that count values per column are keyed like the report:
    :meth:`section` takes a report key (``R_VALUES_NULLED``, ``R_REPAIRS``,
    ``R_UNMAPPED_VALUES``, ``R_LOOKUP_UNMATCHED``).
    """

    rows_read: int = 0
    rows_written: int = 0
    rows_quarantined: int = 0
    quarantine_by_reason: Counter = field(default_factory=Counter)
    nulls_per_column: Counter = field(default_factory=Counter)
    values_nulled: dict = field(default_factory=_counters)
    repairs: dict = field(default_factory=_counters)
    unmapped_values: dict = field(default_factory=_counters)
    lookup_unmatched: dict = field(default_factory=_counters)
    duplicate_id_rows: int = 0  # later rows whose incident id an earlier kept row has (incident level)
    duplicate_id_examples: list = field(default_factory=list)  # a few of those ids, first met first
    #: column -> {R_I_READ_AS | R_I_OVER_A_DAY_AS | R_I_UNDER_AN_HOUR_AS | R_I_EXAMPLES: Counter}
    ambiguous_durations: dict = field(default_factory=lambda: defaultdict(_counters))
    quarantine_by_column: list = field(default_factory=list)  # set when the file is done (quarantine_by_column)

    def add_ambiguous_durations(self, name: str, kind: tuple[str, str, str], rows: int, counts: list) -> None:
        """Count ``rows`` duration values of column ``name`` that two patterns read on either side of plausibility.

        ``kind`` is (the pattern that won, the one reading over a day, the one reading under an hour);
        ``counts`` the values' ``pyarrow.compute.value_counts`` as a list of ``{"values", "counts"}``.
        """
        entry = self.ambiguous_durations[name]
        for key, pattern in zip((S.R_I_READ_AS, S.R_I_OVER_A_DAY_AS, S.R_I_UNDER_AN_HOUR_AS), kind):
            entry[key][pattern] += rows
        for item in counts:
            entry[S.R_I_EXAMPLES][item["values"]] += int(item["counts"])

    def section(self, key: str) -> defaultdict:
        """The column -> item -> count section of the report named ``key``."""
        sections = {S.R_VALUES_NULLED: self.values_nulled, S.R_REPAIRS: self.repairs,
                    S.R_UNMAPPED_VALUES: self.unmapped_values, S.R_LOOKUP_UNMATCHED: self.lookup_unmatched}
        return sections[key]

    def to_dict(self) -> dict:
        """The counting part of the report, JSON-ready, keys sorted for stable output."""
        def nested(d):
            return {k: dict(sorted(v.items())) for k, v in sorted(d.items()) if v}

        def top(d):
            return {k: dict(v.most_common(TOP_VALUES)) for k, v in sorted(d.items()) if v}

        return {
            S.R_ROWS_READ: self.rows_read,
            S.R_ROWS_WRITTEN: self.rows_written,
            S.R_ROWS_QUARANTINED: self.rows_quarantined,
            S.R_RECONCILED: self.rows_read == self.rows_written + self.rows_quarantined,
            S.R_QUARANTINE_BY_REASON: dict(sorted(self.quarantine_by_reason.items())),
            S.R_NULLS_PER_COLUMN: {c: int(self.nulls_per_column.get(c, 0)) for c in S.COLUMNS},
            S.R_VALUES_NULLED: nested(self.values_nulled),
            S.R_REPAIRS: nested(self.repairs),
            S.R_UNMAPPED_VALUES: top(self.unmapped_values),
            S.R_LOOKUP_UNMATCHED: top(self.lookup_unmatched),
            S.R_AMBIGUOUS_DURATIONS: self._ambiguous_to_dict(),
            S.R_QUARANTINE_BY_COLUMN: list(self.quarantine_by_column),
        }

    def _ambiguous_to_dict(self) -> dict:
        """``ambiguous_durations`` as reported: per column, rows, the patterns and the most frequent values."""
        out = {}
        for name, entry in sorted(self.ambiguous_durations.items()):
            rows = sum(entry[S.R_I_READ_AS].values())
            if not rows:
                continue
            out[name] = {S.R_I_ROWS: rows,
                         **{key: dict(entry[key].most_common())
                            for key in (S.R_I_READ_AS, S.R_I_OVER_A_DAY_AS, S.R_I_UNDER_AN_HOUR_AS)},
                         S.R_I_EXAMPLES: [privacy.redact_value(v, category=True)
                                          for v, _ in entry[S.R_I_EXAMPLES].most_common(AMBIGUOUS_EXAMPLES)]}
        return out


def quarantine_by_column(tables: list[pa.Table]) -> list[dict]:
    """Quarantined rows of one file per (reason, source column), most first, each with its most frequent value.

    Parameters
    ----------
    tables : list of pyarrow.Table
        The file's quarantine tables (:data:`responsestats.schema.QUARANTINE_SCHEMA`).

    Returns
    -------
    list of dict
        One entry per (reason, column) with the items ``reason``, ``column`` (None for a whole record:
        a duplicate, a ragged row, a repeated header), ``rows`` [count], ``example`` (the most frequent
        raw value, as the quarantine keeps it: None where it has none) and ``example_row`` (the first
        ``source_row`` holding it). Sorted by rows (most first), then reason and column.
    """
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return []
    table = pa.concat_tables(tables)
    keys = [S.Q_REASON, S.Q_COLUMN, S.Q_RAW_VALUE]
    frame = table.group_by(keys).aggregate([(S.Q_SOURCE_ROW, "count"), (S.Q_SOURCE_ROW, "min")]).to_pandas()
    rows, first, total = f"{S.Q_SOURCE_ROW}_count", f"{S.Q_SOURCE_ROW}_min", "_rows_of_pair"
    pair = [S.Q_REASON, S.Q_COLUMN]
    frame[total] = frame.groupby(pair, dropna=False, sort=False)[rows].transform("sum")
    # per (reason, column): its most frequent value first (ties: the one met first in the file)
    frame = frame.sort_values([total, rows, first], ascending=[False, False, True], kind="stable")
    out = []
    for rec in frame.drop_duplicates(pair, keep="first").to_dict("records"):
        column, value = rec[S.Q_COLUMN], rec[S.Q_RAW_VALUE]
        out.append({S.R_I_REASON: str(rec[S.Q_REASON]), S.R_I_COLUMN: None if pd.isna(column) else str(column),
                    S.R_I_ROWS: int(rec[total]), S.R_I_EXAMPLE: None if pd.isna(value) else str(value),
                    S.R_I_EXAMPLE_ROW: int(rec[first])})
    out.sort(key=lambda e: (-e[S.R_I_ROWS], e[S.R_I_REASON], e[S.R_I_COLUMN] or ""))
    return out


def outcomes_possible(mapping: Mapping, resolved: dict[str, str]) -> list[str]:
    """The canonical outcomes a file's rows can carry: what its outcome field maps to, and ``unknown``.

    Parameters
    ----------
    mapping : Mapping
        The format.
    resolved : dict
        Canonical field -> the file's source column (:meth:`~responsestats.formats.mapping.Mapping.resolve_columns`).

    Returns
    -------
    list of str
        Sorted; ``["unknown"]`` alone when the file has no outcome column. A value the map does not know
        becomes the field's ``default`` (``other`` without one), so that is possible too.
    """
    possible = {S.OUTCOME_UNKNOWN}
    spec = mapping.fields.get(S.OUTCOME)
    if spec is not None and S.OUTCOME in resolved:
        possible |= set(spec.value_map.values()) | {str(spec.default or S.OUTCOME_OTHER)}
    return sorted(possible)


def file_report(path: Path, sha: str, file_key: str, encoding: str | None, mapping: Mapping, agency: str, tz: str,
                resolved: dict[str, str], stats: FileStats, link_columns: tuple[str, ...] = (),
                replaced_from: dict[str, int] | None = None) -> S.FileReport:
    """The report of one ingested file (:data:`responsestats.schema.FileReport`, keys in that order).

    Parameters
    ----------
    path : Path
        The input file.
    sha, file_key : str
        Its SHA-256 and the short key naming what it wrote.
    encoding : str or None
        The text encoding read (None for Excel and Parquet).
    mapping, agency, tz
        The format, agency id and IANA zone of the run.
    resolved : dict
        Canonical field -> source column, as the mapping resolved them.
    stats : FileStats
        The counts.
    link_columns : tuple of str
        Source columns hashed into ``caller_key``.
    replaced_from : dict, optional
        Earlier source file -> rows of it this file's rows replaced [count] (:mod:`.reexports`).
    """
    missing = [f for f, spec in mapping.fields.items() if f not in resolved and spec.synthetic is None]
    replaced_from = dict(replaced_from or {})
    values = {
        S.R_SOURCE_FILE: path.name,
        S.R_SOURCE_PATH: str(path),
        S.R_FILE_SHA256: sha,
        S.R_FILE_KEY: file_key,
        S.R_FILE_BYTES: path.stat().st_size,
        S.R_ENCODING: encoding,
        S.R_FORMAT: mapping.name,
        S.R_AGENCY: agency,
        S.R_TIMEZONE: tz,
        S.R_LEVEL: mapping.level,
        S.R_MIDNIGHT_ROLLOVER: mapping.midnight_rollover,
        S.R_LOOKUPS: {name: str(lk.file.name) for name, lk in sorted(mapping.lookups.items())},
        S.R_CLOCK_START: mapping.clock_start,
        S.R_COLUMNS_USED: dict(sorted(resolved.items())),
        S.R_DIMENSIONS: list(mapping.dimensions),
        S.R_OUTCOMES_POSSIBLE: outcomes_possible(mapping, resolved),
        S.R_DISTRICT_NOUN: mapping.fields[S.DISTRICT].noun if S.DISTRICT in mapping.fields else "",
        S.R_FIELDS_NOT_IN_SOURCE: missing,
        S.R_CALLER_KEY_FROM: list(link_columns),
        **stats.to_dict(),
        S.R_DUPLICATE_INCIDENT_IDS: _duplicate_ids_section(mapping, stats),
        S.R_ROWS_REPLACED: sum(replaced_from.values()),
        S.R_REPLACED_FROM: replaced_from,
        S.R_ROWS_SUPERSEDED: 0,
        S.R_SUPERSEDED_BY: {},
        S.R_INGESTED_AT: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        S.R_RESPONSESTATS_VERSION: __version__,
        S.R_PYTHON: sys.version.split()[0],
        S.R_CANONICAL_COLUMNS: list(S.COLUMNS),
    }
    return {key: values[key] for key in S.REPORT_KEYS}  # type: ignore[return-value]


def _duplicate_ids_section(mapping: Mapping, stats: FileStats) -> dict:
    """The report's ``duplicate_incident_ids``: {} at unit level; else the action, where ids come from, the rows
    whose id an earlier kept row of the file has [count], and a few of those ids."""
    if mapping.level != "incident":
        return {}
    spec = mapping.fields[S.INCIDENT_ID]
    return {S.R_I_ACTION: mapping.duplicate_ids, S.R_I_ID_FROM: spec.synthetic or "column",
            S.R_I_ROWS: stats.duplicate_id_rows, S.R_I_EXAMPLES: list(stats.duplicate_id_examples)}


def gate_share(report: dict) -> tuple[int, float]:
    """Rows of a file's report that count for the quarantine quality gate [count], and their share of rows read.

    Every quarantined row counts but those the mapping asked for (:data:`~responsestats.schema.
    DECLARED_QUARANTINE_REASONS`: later rows of an incident under ``duplicate_ids = "keep_first"``).
    """
    declared = sum(report[S.R_QUARANTINE_BY_REASON].get(r, 0) for r in S.DECLARED_QUARANTINE_REASONS)
    rows = report[S.R_ROWS_QUARANTINED] - declared
    return rows, rows / report[S.R_ROWS_READ] if report[S.R_ROWS_READ] else 0.0


#: What became of the rows that repeat an incident id, in words, by ``duplicate_ids``.
_DONE = {DUPLICATE_IDS_QUARANTINE: "quarantined", DUPLICATE_IDS_KEEP_FIRST: "set aside, the first row kept",
         DUPLICATE_IDS_MERGE: "kept, merged at incident level"}


def _shown(value: object) -> str:
    """A value as a message quotes it: ``'27:10:00'``; one line, at most 60 characters."""
    text = " ".join(str(value).split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


def describe_quarantine_entry(entry: dict, source_file: str | None = None) -> str:
    """One ``quarantine_by_column`` entry in words: ``in column '接警时间', e.g. '2024-02-30 25:61:00' (row 4)``."""
    where = f" in column {entry[S.R_I_COLUMN]!r}" if entry.get(S.R_I_COLUMN) else ""
    row = f"row {entry[S.R_I_EXAMPLE_ROW]:,}" + (f" of {source_file}" if source_file else "")
    value = entry.get(S.R_I_EXAMPLE)
    if value is None:
        return f"{where}, e.g. {row}" + (" (empty)" if where else "")
    return f"{where}, e.g. {_shown(value)} ({row})"


@dataclass
class IngestResult:
    """What one ``ingest`` run did: one report per input file, and totals.

    Attributes
    ----------
    dataset : Path
        The dataset written.
    files : list of dict
        The report of each input file (:data:`responsestats.schema.FileReport`), in input order.
    repeated : list of str
        Inputs skipped because an earlier input of the same run had the same bytes.
    """

    dataset: Path
    files: list[dict] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        """Rows read over all files [count]."""
        return sum(f[S.R_ROWS_READ] for f in self.files)

    @property
    def rows_written(self) -> int:
        """Rows written to the dataset over all files [count]."""
        return sum(f[S.R_ROWS_WRITTEN] for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        """Rows quarantined over all files [count]."""
        return sum(f[S.R_ROWS_QUARANTINED] for f in self.files)

    @property
    def rows_replaced(self) -> int:
        """Rows already in the dataset (from earlier files) that this run's rows replaced [count]."""
        return sum(int(f.get(S.R_ROWS_REPLACED, 0)) for f in self.files)

    @property
    def reconciled(self) -> bool:
        """Every file, and the run, reconcile: rows read = written + quarantined."""
        return all(f[S.R_RECONCILED] for f in self.files) and (
            self.rows_read == self.rows_written + self.rows_quarantined
        )

    def quarantine_by_reason(self) -> dict[str, int]:
        """Rows quarantined per reason over all files [count], reasons sorted."""
        total: dict[str, int] = {}
        for f in self.files:
            for reason, count in f[S.R_QUARANTINE_BY_REASON].items():
                total[reason] = total.get(reason, 0) + count
        return dict(sorted(total.items()))

    def to_dict(self) -> dict:
        """The run's report: totals and every file's report (what ``--report`` writes)."""
        return {
            S.R_DATASET: str(self.dataset),
            S.R_ROWS_READ: self.rows_read,
            S.R_ROWS_WRITTEN: self.rows_written,
            S.R_ROWS_QUARANTINED: self.rows_quarantined,
            S.R_RECONCILED: self.reconciled,
            S.R_QUARANTINE_BY_REASON: self.quarantine_by_reason(),
            S.R_ROWS_REPLACED: self.rows_replaced,
            S.R_REPEATED_INPUTS: self.repeated,
            S.R_FILES: self.files,
        }

    def summary_line(self) -> str:
        """One line for the terminal: rows read = written + quarantined, by reason, and the dataset.

        The quarantine reasons come most frequent first; the first :data:`SUMMARY_TOP_REASONS` name the
        column behind most of their rows and its most frequent value (or a row, for whole records). Then
        the rows that repeat an incident id and the ambiguous duration columns, with examples.
        """
        replaced = (f"; {self.rows_replaced:,} of the rows written replaced rows of earlier exports (same incident)"
                    if self.rows_replaced else "")
        repeated = f"; {len(self.repeated)} repeated input(s) skipped (same bytes)" if self.repeated else ""
        return (
            f"ingested {len(self.files)} file(s): {self.rows_read:,} rows read = {self.rows_written:,} written + "
            f"{self.rows_quarantined:,} quarantined" + self._reasons_text() + self._duplicate_ids_text()
            + self._ambiguous_text() + replaced + repeated
            + f" -> {self.dataset}" + ("" if self.reconciled else "  [NOT RECONCILED]")
        )

    def _reasons_text(self) -> str:
        """`` (reason N in column 'C', e.g. 'v' (row 4 of f.csv); reason M, ...)``, most frequent first."""
        totals = self.quarantine_by_reason()
        if not totals:
            return ""
        top: dict[str, tuple[dict, str]] = {}  # reason -> its largest (reason, column) entry over the files
        for f in self.files:
            for entry in f.get(S.R_QUARANTINE_BY_COLUMN) or []:
                best = top.get(entry[S.R_I_REASON])
                if best is None or entry[S.R_I_ROWS] > best[0][S.R_I_ROWS]:
                    top[entry[S.R_I_REASON]] = (entry, f[S.R_SOURCE_FILE])
        parts = []
        for k, (reason, count) in enumerate(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))):
            text = f"{reason} {count:,}"
            if k < SUMMARY_TOP_REASONS and reason in top:
                entry, source = top[reason]
                text += describe_quarantine_entry(entry, source if len(self.files) > 1 else None)
            parts.append(text)
        return " (" + "; ".join(parts) + ")"

    def _duplicate_ids_text(self) -> str:
        """``; 3 rows repeat an earlier row's incident id (quarantined), e.g. 'A1', 'A2'``, or ``""``."""
        sections = [f[S.R_DUPLICATE_INCIDENT_IDS] for f in self.files if f.get(S.R_DUPLICATE_INCIDENT_IDS)]
        rows = sum(int(d[S.R_I_ROWS]) for d in sections)
        if not rows:
            return ""
        actions = sorted({_DONE.get(d[S.R_I_ACTION], d[S.R_I_ACTION]) for d in sections if d[S.R_I_ROWS]})
        examples = [e for d in sections for e in d[S.R_I_EXAMPLES]][:3]
        return (f"; {S.R_DUPLICATE_INCIDENT_IDS} {rows:,} (rows whose incident id an earlier row of the file has: "
                f"{', '.join(actions)}), e.g. " + ", ".join(_shown(e) for e in examples))

    def _ambiguous_text(self) -> str:
        """``; ambiguous_durations: arrived_at 2,738 read as H:MM:SS (over a day; MM:SS:00 reads under an hour),
        e.g. '27:10:00'``, or ``""``."""
        merged: dict[str, dict] = {}
        for f in self.files:
            for name, entry in (f.get(S.R_AMBIGUOUS_DURATIONS) or {}).items():
                into = merged.setdefault(name, {S.R_I_ROWS: 0, S.R_I_READ_AS: Counter(), S.R_I_OVER_A_DAY_AS: Counter(),
                                                S.R_I_UNDER_AN_HOUR_AS: Counter(), S.R_I_EXAMPLES: []})
                into[S.R_I_ROWS] += entry[S.R_I_ROWS]
                for key in (S.R_I_READ_AS, S.R_I_OVER_A_DAY_AS, S.R_I_UNDER_AN_HOUR_AS):
                    into[key].update(entry[key])
                into[S.R_I_EXAMPLES] += entry[S.R_I_EXAMPLES]
        parts = []
        for name, e in sorted(merged.items()):
            read_as = e[S.R_I_READ_AS].most_common(1)[0][0]
            over = e[S.R_I_OVER_A_DAY_AS].most_common(1)[0][0]
            under = e[S.R_I_UNDER_AN_HOUR_AS].most_common(1)[0][0]
            plausible = "under an hour" if read_as == under else "over a day"
            other = over if read_as == under else under
            other_reads = "over a day" if read_as == under else "under an hour"
            parts.append(f"{name} {e[S.R_I_ROWS]:,} read as {read_as} ({plausible}; {other} reads {other_reads}), "
                         "e.g. " + ", ".join(_shown(v) for v in e[S.R_I_EXAMPLES][:2]))
        return f"; {S.R_AMBIGUOUS_DURATIONS}: " + "; ".join(parts) if parts else ""
