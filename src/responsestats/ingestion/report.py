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

from .. import schema as S
from .._version import __version__
from ..formats.mapping import Mapping

#: Values listed per column in the report's ``unmapped_values`` and ``lookup_unmatched`` (the most frequent).
TOP_VALUES = 20


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
        }


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
    missing = [f for f in mapping.fields if f not in resolved]
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
        S.R_FIELDS_NOT_IN_SOURCE: missing,
        S.R_CALLER_KEY_FROM: list(link_columns),
        **stats.to_dict(),
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
        """One line for the terminal: rows read = written + quarantined, by reason, and the dataset."""
        reasons = ", ".join(f"{k} {v:,}" for k, v in self.quarantine_by_reason().items())
        replaced = (f"; {self.rows_replaced:,} of the rows written replaced rows of earlier exports (same incident)"
                    if self.rows_replaced else "")
        repeated = f"; {len(self.repeated)} repeated input(s) skipped (same bytes)" if self.repeated else ""
        return (
            f"ingested {len(self.files)} file(s): {self.rows_read:,} rows read = {self.rows_written:,} written + "
            f"{self.rows_quarantined:,} quarantined" + (f" ({reasons})" if reasons else "") + replaced + repeated
            + f" -> {self.dataset}" + ("" if self.reconciled else "  [NOT RECONCILED]")
        )
