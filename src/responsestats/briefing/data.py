"""What a notebook or the briefing reads from a dataset, once: the only module of the briefing that reads files.

:func:`load_briefing_data` checks the dataset, agency, month and standard,
then reads the calls of the thirteen months a briefing needs (the month, the
eleven before it and the same month a year before), the end of observation
for open arrest cases and the ingest reports, into a :class:`BriefingData`.
Everything after it (tables, wording, charts) works on that in memory.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds

from .. import schema as S
from ..errors import UserError
from ..metrics import (
    OutcomeAvailability,
    Standard,
    add_time_keys,
    apply_filter,
    load_standard,
    outcome_availability,
    parse_filter,
)
from ..metrics import names as N
from ..store import (
    latest_stamp,
    list_agencies,
    list_dimensions,
    months_present,
    open_dataset,
    partition_filter,
    read_calls,
    read_reports,
)
from .months import (
    LATEST,
    in_months,
    latest_full_month,
    month_bounds,
    month_range,
    months_between,
    parse_month,
    plausible_months,
    shift_month,
)
from .tables.common import headline_interval

#: Months pooled for per-grid percentiles (one month gives each grid too few calls).
RECENT_MONTHS = 3


def resolve_agency(dataset: str | Path, agency: str | None = None) -> str:
    """``agency``, checked against the dataset; or the dataset's only agency."""
    agencies = list_agencies(dataset)
    if agency is not None:
        if agency not in agencies:
            raise UserError(f"{dataset}: no calls of agency {agency!r}; agencies: {', '.join(agencies) or 'none'}")
        return agency
    if len(agencies) != 1:
        raise UserError(f"{dataset} holds {len(agencies)} agencies ({', '.join(agencies)}): choose one with --agency")
    return agencies[0]


@dataclass(frozen=True)
class BriefingData:
    """What a notebook or the briefing reads from a dataset, once.

    Attributes
    ----------
    dataset, agency : the source.
    month : the month briefed (``"YYYY-MM"``).
    months : the 12 months ending with ``month`` (the trend window).
    recent : the 3 months ending with ``month`` (enough calls per grid for a p90).
    previous, year_ago : the month before, and the same month a year before.
    first_month, last_month : the months of the first and last calls in the dataset (of the months with a
        plausible number of calls, see ``ignored_months``).
    standard : the standard graded against.
    interval : the standard's headline interval (:func:`~.tables.common.headline_interval`).
    calls : canonical rows received from ``year_ago`` through ``month``.
    as_of : end of observation for open arrest cases (latest stamp in the dataset).
    reports : the ingest reports of the agency's files.
    outcomes : what outcome figures the source can show at all (:func:`~responsestats.metrics.outcome_availability`,
        from the reports); ``calls.attrs`` carries it to every outcome table.
    ignored_months : (month, calls) of each month left out of ``latest`` and of the span
        ``first_month`` to ``last_month`` because it holds implausibly few calls against the median month
        (:func:`~.months.plausible_months`: a stray row typed as 2042); the footer of every chart names them.
    median_month_calls : calls of the dataset's median month [count] (the yardstick of ``ignored_months``).
    first_date, last_date : the local dates of the first and last calls of ``first_month`` and
        ``last_month`` (None: unknown); calls per day count only the days between them
        (:func:`~.tables.kpi.covered_days`).
    group_by : the column the district chart groups by: ``district`` (the default) or a dimension of the
        dataset (``station``, ``beat``...; :func:`~responsestats.store.list_dimensions`).
    where : the row filter every table and chart is made on (:mod:`~responsestats.metrics.filters`, its
        canonical text; empty: every call); every subtitle and the manifest name it.
    """

    dataset: Path
    agency: str
    month: str
    months: tuple[str, ...]
    recent: tuple[str, ...]
    previous: str
    year_ago: str
    first_month: str
    last_month: str
    standard: Standard
    interval: str
    calls: pd.DataFrame
    as_of: pd.Timestamp
    reports: tuple[dict, ...]
    outcomes: OutcomeAvailability = OutcomeAvailability()
    ignored_months: tuple[tuple[str, int], ...] = ()
    median_month_calls: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    where: str = ""
    group_by: str = S.DISTRICT

    @property
    def district_noun(self) -> str:
        """What a district is at the agency, as its mapping says (beat, battalion...; the reports'
        ``district_noun``); empty: the default, a grid, or reports that disagree."""
        nouns = {r.get(S.R_DISTRICT_NOUN) or "" for r in self.reports}
        return nouns.pop() if len(nouns) == 1 else ""

    @property
    def coverage(self) -> tuple[dt.date, dt.date] | None:
        """(first, last) local date of the data, or None when unknown."""
        if self.first_date is None or self.last_date is None:
            return None
        return self.first_date, self.last_date

    @property
    def month_calls(self) -> pd.DataFrame:
        """The calls received in ``month``."""
        return in_months(self.calls, self.month)

    @property
    def recent_calls(self) -> pd.DataFrame:
        """The calls received in the 3 months ``recent``."""
        return in_months(self.calls, self.recent)

    @property
    def all_months(self) -> tuple[str, ...]:
        """Every month from the dataset's first to its last."""
        return months_between(self.first_month, self.last_month)

    def all_calls(self) -> pd.DataFrame:
        """Every call of the agency in the dataset (read on demand)."""
        calls = read_calls(self.dataset, agency=self.agency)
        calls = apply_filter(calls, self.where or None)
        calls.attrs[N.OUTCOME_AVAILABILITY] = self.outcomes
        return calls

    @property
    def timezone(self) -> str:
        """The agency's time zone (of its first call)."""
        return str(self.calls[S.TIMEZONE].iloc[0]) if len(self.calls) else "UTC"

    @property
    def window_calls(self) -> pd.DataFrame:
        """The calls received in the 12 months ``months``."""
        return in_months(self.calls, self.months)


def load_briefing_data(
    dataset: str | Path,
    agency: str | None = None,
    month: str = LATEST,
    standard: str | Standard = "cn110",
    window: int = 12,
    where: str | None = None,
    group_by: str = S.DISTRICT,
) -> BriefingData:
    """Read what the notebooks and the briefing need from a dataset.

    Parameters
    ----------
    dataset : str or Path
        Dataset folder written by ``responsestats ingest``.
    agency : str, optional
        The agency; default the dataset's only one.
    month : str
        ``"YYYY-MM"``, or ``"latest"`` for :func:`latest_full_month` of the months with a plausible
        number of calls (:func:`~.months.plausible_months`; the others are listed in ``ignored_months``).
    standard : str or Standard
        Built-in standard name, TOML path or loaded standard.
    window : int
        Months in the trend window [count] (ending with ``month``).
    where : str, optional
        Keep only the calls this row filter matches (:mod:`~responsestats.metrics.filters`, e.g.
        ``"call_group in ('ems', 'fire')"``) in every table and chart. The month briefed (``latest``), the
        span of the data and the ingest reconciliation are of the whole dataset; outcome availability is of the
        source.
    group_by : str
        The column the district chart groups by: ``district``, another canonical column, or a dimension of the
        dataset (``station``).

    Returns
    -------
    BriefingData
        The month, its windows, the standard, the calls of the thirteen months, the end of
        observation and the ingest reports.

    Raises
    ------
    UserError
        No dataset, unknown agency or standard, a month without calls.
    """
    std = load_standard(standard)
    agency = resolve_agency(dataset, agency)
    dims = list_dimensions(dataset, agency)
    row_filter = parse_filter(where, dims) if where else None  # checked before anything is read
    if group_by not in S.COLUMNS and group_by not in dims:
        raise UserError(f"--group-by {group_by!r}: not a column of the dataset; use a canonical column (district, "
                        f"priority, call_type...)" + (f" or a dimension: {', '.join(dims)}" if dims else ""))
    # What the whole history holds comes from the partition folders and the Parquet footers, and only the
    # first and last months are read for their first and last dates: the cost does not grow with history.
    present = months_present(dataset, agency)
    if not present:
        raise UserError(f"{dataset}: no calls of agency {agency!r}")
    counts = _month_counts(dataset, agency)
    plausible, implausible = plausible_months(counts)
    plausible = plausible or present
    first_month, last_month = plausible[0], plausible[-1]
    edges = read_calls(dataset, agency=agency, columns=[S.RECEIVED_AT, S.TIMEZONE],
                       start=month_bounds(first_month)[0], end=month_bounds(first_month)[1])
    if last_month != first_month:
        edges = pd.concat([edges, read_calls(dataset, agency=agency, columns=[S.RECEIVED_AT, S.TIMEZONE],
                                             start=month_bounds(last_month)[0], end=month_bounds(last_month)[1])])
    first_date, last_date = _date_span(edges)
    if str(month).strip().lower() == LATEST:
        month = latest_full_month(edges)
    else:
        month = parse_month(month)
        if month not in present:
            raise UserError(f"{dataset}: no calls in {month}; the data cover {first_month} to {last_month}")
    as_of = latest_stamp(dataset, agency, [S.RECEIVED_AT, S.CLEARED_AT, S.ARRESTED_AT])
    year_ago = shift_month(month, -12)
    calls = read_calls(dataset, agency=agency, start=month_bounds(year_ago)[0], end=month_bounds(month)[1])
    reports = tuple(r for r in read_reports(dataset) if r.get(S.R_AGENCY) == agency)
    outcomes = outcome_availability(calls, reports)  # of the source, before the filter
    if row_filter is not None:
        kept = apply_filter(calls, row_filter)
        if len(calls) and not len(kept):
            raise UserError(f"--where {row_filter.text}: no call of agency {agency!r} from {year_ago} to {month} "
                            f"matches it ({len(calls):,} calls in those months); check the values (metrics --by)")
        calls = kept
    calls.attrs[N.OUTCOME_AVAILABILITY] = outcomes  # every outcome table made from these rows knows
    return BriefingData(
        dataset=Path(dataset),
        agency=agency,
        month=month,
        months=month_range(month, window),
        recent=month_range(month, RECENT_MONTHS),
        previous=shift_month(month, -1),
        year_ago=year_ago,
        first_month=first_month,
        last_month=last_month,
        standard=std,
        interval=headline_interval(std),
        calls=calls,
        as_of=as_of,
        reports=reports,
        outcomes=outcomes,
        ignored_months=tuple((m, int(counts.get(m, 0))) for m in implausible),
        median_month_calls=round(statistics.median(counts.values())) if counts else 0,
        first_date=first_date,
        last_date=last_date,
        where=row_filter.text if row_filter else "",
        group_by=group_by,
    )


def _date_span(edges: pd.DataFrame) -> tuple[dt.date | None, dt.date | None]:
    """The first and last local dates of calls (rows of the first and last months)."""
    if len(edges) == 0:
        return None, None
    dates = add_time_keys(edges, [N.KEY_DATE])[N.KEY_DATE].dropna()
    if dates.empty:
        return None, None
    return dt.date.fromisoformat(dates.min()), dt.date.fromisoformat(dates.max())


def _month_counts(dataset: str | Path, agency: str) -> dict[str, int]:
    """Rows per local month (``"YYYY-MM"``) of the agency, from the Parquet footers (no rows read) [count]."""
    counts: dict[str, int] = {}
    for frag in open_dataset(dataset).get_fragments(filter=partition_filter(agency)):
        keys = ds.get_partition_keys(frag.partition_expression)
        month = f"{int(keys[S.YEAR]):04d}-{int(keys[S.MONTH]):02d}"
        counts[month] = counts.get(month, 0) + frag.metadata.num_rows
    return counts
