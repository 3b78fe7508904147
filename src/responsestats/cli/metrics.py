"""`responsestats metrics` and `responsestats outcomes`.

Both read the dataset through :func:`responsestats.store.read_calls`, call
the library functions of :mod:`responsestats.metrics` and write a tidy table
as CSV, JSON, a text table or an Excel workbook
(:mod:`responsestats.metrics.export`). Definitions: ``docs/metrics.md``.

Options a user types are read here, each mistake one line naming the option:

* durations (``--target``, ``--cap``) need a unit: ``90s``, ``8min``, ``2h``,
  ``1h30min`` (also ``秒``, ``分钟``, ``小时``); a bare number is refused,
  because ``--target 8`` would otherwise silently mean 8 seconds;
* ``--month YYYY-MM`` is the local calendar month of ``received_at``, the same
  filter as ``--from`` (its first day) with ``--to`` (its last), so it cannot
  be combined with them; ``--month latest`` is the month
  ``responsestats briefing --month latest`` briefs;
* ``--output FILE``: the suffix gives the format (``.csv``, ``.json``,
  ``.txt``, ``.xlsx``); another suffix is refused, and so is a ``--format``
  that disagrees with it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from .. import schema as S
from ..errors import UserError
from ..metrics import names as N
from ..metrics._frame import prepare
from ..metrics.erf import ERF_LIKE, effective_response_force, erf_standard
from ..metrics.export import FORMATS, in_minutes, output_format, render, write_table
from ..metrics.filters import apply_filter, parse_filter
from ..metrics.grouping import check_by, resolve_by
from ..metrics.intervals import INTERVALS, resolve_intervals, stamps_not_recorded
from ..metrics.ladders import ladder, ladder_standard
from ..metrics.levels import at_level
from ..metrics.outcomes import NOT_AVAILABLE_REASONS, outcome_summary, resolve_denominator
from ..metrics.standards import coverage, list_standards, load_standard
from ..metrics.streaming import stream_summary
from ..metrics.summary import DEFAULT_MIN_N, summarize, summary_spec

#: ``responsestats metrics`` (interval summaries) reads the dataset a piece of a partition at a time
#: (:mod:`responsestats.metrics.streaming`): the same table, notes and errors as reading the whole query
#: into memory, in the memory of one piece. Every option of the summary streams: ``--where`` is a row
#: filter (applied to each partition's rows, before the level, as ``summarize`` applies it), ``--from/--to``
#: and ``--month`` are applied by the partition reader as ``read_calls`` applies them, ``--by`` keys and
#: ``--standard`` targets are per row (or per incident, with every incident's rows together: see the module).
#: ``--level erf`` and ``--ladders`` are other computations and still read the query into memory. False:
#: the in-memory path (``read_calls`` + ``summarize``), kept for the benchmark and for the tests comparing them;
#: it also runs for a DATASET that is not a folder, so that ``read_calls`` reports it (and tests that stand a
#: frame in for ``store.read_calls`` keep doing so).
STREAMING = True
#: A query of more rows than this streams; a smaller one is read into memory, which is faster (the streaming
#: path took 1.5 times as long on 10 M incidents, for a third of the memory: benchmarks/README.md) and holds
#: about 400 bytes a row, some 400 MiB at this size [rows; from the Parquet footers, before any filter].
STREAM_ABOVE_ROWS = 1_000_000

#: Seconds in one of each unit a duration may be written in.
_UNITS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "秒": 1,
          "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "分": 60, "分钟": 60,
          "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600, "小时": 3600}  # fmt: skip
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([^\d\s.]+)")
_BARE = re.compile(r"^[+-]?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DURATION_HINT = "e.g. 90s, 8min, 2h or 1h30min"


# --- shared options ------------------------------------------------------------
def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset", metavar="DATASET", help="dataset folder written by `responsestats ingest`")
    p.add_argument(
        "--by",
        action="append",
        metavar="COL[,COL...]",
        help="group by canonical columns and/or local-time keys: " + ", ".join(N.TIME_KEYS),
    )
    p.add_argument("--agency", metavar="ID", help="only this agency")
    p.add_argument("--from", dest="start", metavar="DATE", help="first local date of received_at (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", metavar="DATE", help="last local date of received_at, inclusive (YYYY-MM-DD)")
    p.add_argument("--month", metavar="YYYY-MM|latest",
                   help="one local calendar month of received_at (not with --from/--to); 'latest': the month "
                   "`responsestats briefing --month latest` briefs")  # fmt: skip
    p.add_argument("--where", metavar="FILTER",
                   help="keep only the rows this filter matches, e.g. \"call_group in ('ems','fire') and not "
                   "self_initiated\" or \"priority <= 2\" (grammar: docs/metrics.md); the filter is written into "
                   "every output row (column 'where')")
    p.add_argument("--format", choices=FORMATS,
                   help="output format (default: from --output's suffix, else table); xlsx only with --output")
    p.add_argument("--output", metavar="FILE",
                   help="write to FILE instead of standard output; its suffix gives the format: .csv (UTF-8 with a "
                   "byte-order mark; seconds rounded to 0.1, minutes and hours to 0.01, shares and rates to 4 "
                   "decimals), .json (exact), .txt (a text table) or .xlsx (an Excel workbook, exact "
                   "numbers)")  # fmt: skip


def _check_date(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{flag}: {value!r} is not a date (YYYY-MM-DD)") from None
    return value


def _count(text: str) -> int:
    """A whole number of 0 or more, for argparse (a negative count is refused in one line)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; give 0 or more")
    return value


def _dates(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """The first and last local dates to read: ``--from``/``--to``, or those of ``--month``."""
    if args.month is None:
        start, end = _check_date(args.start, "--from"), _check_date(args.end, "--to")
        if start is not None and end is not None and start > end:
            raise UserError(f"--from {start} is after --to {end}: the range is empty; give the earlier date first")
        return start, end
    if args.start is not None or args.end is not None:
        raise UserError("--month cannot be combined with --from/--to; give one or the other")
    from ..briefing.months import LATEST, month_bounds, parse_month

    text = args.month.strip()
    if text.lower() == LATEST:
        from ..briefing.data import load_briefing_data

        month = load_briefing_data(args.dataset, agency=args.agency, month=LATEST).month
    else:
        try:
            month = parse_month(text)
        except UserError:
            raise UserError(f"--month: {args.month!r} is not YYYY-MM (e.g. 2025-03) or '{LATEST}'") from None
    first, last = month_bounds(month)
    return first.isoformat(), last.isoformat()


def _read(args: argparse.Namespace, columns: list[str]) -> pd.DataFrame:
    """The dataset's rows, filtered by agency and local dates (``--from``/``--to`` or ``--month``).

    The columns ``--where`` names are read too (checked first, so a bad filter fails before any read).
    """
    from ..store import read_calls

    if args.where is not None:
        dims = _dimensions(args)
        columns = columns + [c for c in parse_filter(args.where, dims).columns if c in S.COLUMNS or c in dims]
    start, end = _dates(args)
    return read_calls(args.dataset, agency=args.agency, start=start, end=end, columns=list(dict.fromkeys(columns)))


def _dimensions(args: argparse.Namespace) -> tuple[str, ...]:
    """The dataset's dimensions (its agency's, with ``--agency``), read once from its reports."""
    if getattr(args, "_dimensions", None) is None:
        from ..store import list_dimensions

        args._dimensions = list_dimensions(args.dataset, args.agency) if Path(args.dataset).is_dir() else ()
    return args._dimensions


def _by(args: argparse.Namespace) -> tuple[str, ...]:
    by = resolve_by(args.by)
    check_by(by, [*S.COLUMNS, *_dimensions(args)])
    return by


def _by_columns(by: tuple[str, ...], args: argparse.Namespace) -> list[str]:
    """The stored columns ``--by`` reads: canonical columns and dimensions (time keys are derived)."""
    return [b for b in by if b in S.COLUMNS or b in _dimensions(args)]


def _format(args: argparse.Namespace) -> str:
    """The output format, checked before the dataset is read (:func:`~responsestats.metrics.export.output_format`)."""
    return output_format(args.output, args.format)


def _write(table: pd.DataFrame, args: argparse.Namespace, sheet: str) -> None:
    fmt = _format(args)
    if args.output:
        write_table(table, args.output, fmt, sheet=sheet)
    else:
        sys.stdout.write(render(table, fmt))


# --- metrics -------------------------------------------------------------------
def _duration(text: str, flag: str) -> float:
    """A duration written with its unit (``90s``, ``8min``, ``2h``, ``1h30min``), in seconds [s].

    Parameters
    ----------
    text : str
        What the user typed.
    flag : str
        The option, for messages.

    Returns
    -------
    float
        The duration [s].

    Raises
    ------
    UserError
        For a bare number (its unit would be a guess), an unknown unit, or text that is not a duration.
    """
    compact = text.strip()
    if compact.startswith("-"):
        raise UserError(f"{flag}: {text!r} is negative; a duration is at least 0 ({_DURATION_HINT})")
    if _BARE.match(compact):
        raise UserError(f"{flag}: {text!r} has no unit; write {compact}min or {compact}s ({_DURATION_HINT})")
    parts = list(_PART.finditer(compact))
    if not parts or "".join(m.group(0) for m in parts).replace(" ", "") != compact.replace(" ", ""):
        raise UserError(f"{flag}: {text!r} is not a duration ({_DURATION_HINT})")
    seconds = 0.0
    for m in parts:
        unit = _UNITS.get(m.group(2).lower())
        if unit is None:
            raise UserError(f"{flag}: unknown unit {m.group(2)!r} in {text!r}; use s, min or h ({_DURATION_HINT})")
        seconds += float(m.group(1)) * unit
    if not math.isfinite(seconds):
        raise UserError(f"{flag}: {text!r} is not a finite duration")
    return seconds


def _cap(text: str | None) -> object:
    """``--cap``: None -> the default caps; 'none' -> no cap; else a duration with its unit [s]."""
    if text is None:
        return "default"
    if text.strip().lower() == "none":
        return None
    return _duration(text, "--cap")


def _target(text: str | None) -> float | None:
    """``--target``: a duration with its unit, above zero [s]; None without the option."""
    if text is None:
        return None
    seconds = _duration(text, "--target")
    if seconds <= 0:
        raise UserError(f"--target: {text!r} must be above zero")
    return seconds


def add_metrics_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``responsestats metrics``."""
    p = subparsers.add_parser(
        "metrics",
        help="response-interval summaries (n, exclusions, mean, median, p90, CIs, share within target)",
        description="Summarise response intervals per group. Intervals: "
        + "; ".join(f"{n} ({i.description})" for n, i in INTERVALS.items())
        + ". Missing, negative, capped and (for response intervals) self-initiated values are excluded "
        "and counted by reason. See docs/metrics.md.",
    )
    _add_common(p)
    p.add_argument(
        "--interval", action="append", metavar="NAME",
        help="interval to summarise (repeatable; required, except with --level erf)",
    )  # fmt: skip
    p.add_argument("--level", choices=(*N.LEVELS, N.LEVEL_ERF), default=N.LEVEL_INCIDENT,
                   help="incident (default) or unit; erf: the effective response force of --standard's [[erf]] "
                   "objectives (the full alarm's Nth unit on scene), one row per group x objective")  # fmt: skip
    target = p.add_mutually_exclusive_group()
    target.add_argument("--target", metavar="DURATION",
                        help="target for within_target_share (<=), with its unit: 90s, 8min, 1h30min; a bare number "
                        "is refused")  # fmt: skip
    target.add_argument(
        "--standard", metavar="NAME", help=f"standard profile: {', '.join(list_standards())}, or a .toml file"
    )
    p.add_argument("--ladders", action="store_true",
                   help="grade --standard's response ladders ([[ladders]]: the share within each of several "
                   "thresholds, e.g. cn110's 签收/出警/反馈 stages and key sites' 1-3-5 minutes), one row per group x "
                   "ladder x step, groups ranked slowest first (rank_slowest)")  # fmt: skip
    p.add_argument("--cap", metavar="DURATION|none",
                   help="outlier cap for every interval, with its unit (e.g. 2h, 45min); 'none' turns it off")
    p.add_argument("--percentile", type=float, action="append", default=[], metavar="K", help="extra percentile")
    p.add_argument("--min-n", type=_count, default=DEFAULT_MIN_N, metavar="N", help="flag groups with n < N as thin")
    p.add_argument("--unit", choices=("s", "min"), default="s",
                   help="unit of the durations in the output: s (columns *_s, the default) or min (columns *_min, as "
                   "the briefing's charts show them)")  # fmt: skip
    p.set_defaults(func=run_metrics)
    return p


def run_metrics(args: argparse.Namespace) -> int:
    """Run ``responsestats metrics``; returns the exit status."""
    _format(args)
    if args.level == N.LEVEL_ERF:
        return _run_erf(args)
    if args.ladders:
        return _run_ladders(args)
    if not args.interval:
        raise UserError("--interval NAME is required (except with --level erf)")
    intervals = resolve_intervals([part for item in args.interval for part in item.split(",") if part.strip()])
    by = _by(args)
    cap = _cap(args.cap)
    target_s = _target(args.target)
    standard = load_standard(args.standard) if args.standard else None
    columns = [S.AGENCY, S.INCIDENT_ID, S.UNIT_ID, S.RECEIVED_AT, S.SELF_INITIATED, S.TIMEZONE]
    columns += [c for n in intervals for c in (INTERVALS[n].start, INTERVALS[n].end)]
    columns += _by_columns(by, args)
    columns += list(standard.condition_columns) if standard else []
    options = dict(by=by, level=args.level, percentiles=args.percentile, target_s=target_s, standard=standard,
                   cap=cap, min_n=args.min_n)  # fmt: skip
    if STREAMING and Path(args.dataset).is_dir() and _rows_selected(args) > STREAM_ABOVE_ROWS:
        # (a path that is not a folder goes to read_calls, which says what is wrong with it)
        table, cover, frame = _summarize_streaming(args, columns, intervals, options)
    else:
        frame = _read(args, columns)
        table = summarize(frame, intervals, where=args.where, **options)
        cover = None
        if standard is not None:
            rows = apply_filter(frame, parse_filter(args.where, frame.columns)) if args.where else frame
            rows = at_level(prepare(rows, [S.AGENCY, S.INCIDENT_ID, S.RECEIVED_AT], S.TIMESTAMP_COLUMNS), args.level)
            cover = coverage(rows, standard)
    if cover is not None:  # who the standard grades, and what its catch-all targets took
        for line in cover.lines(what=f"{args.level}s" if args.level == "incident" else "unit rows"):
            print(f"responsestats: note: {line}", file=sys.stderr)
    _note_absent_stamps(frame, intervals)
    _write(in_minutes(table) if args.unit == "min" else table, args, sheet="metrics")
    return 0


def _rows_selected(args: argparse.Namespace) -> int:
    """Rows of the partitions the query selects (agency, dates), from the Parquet footers: no row is read."""
    from ..store import call_partitions

    start, end = _dates(args)
    return call_partitions(args.dataset, agency=args.agency, start=start, end=end).row_count()


def _summarize_streaming(args: argparse.Namespace, columns: list[str], intervals, options: dict):
    """The summary read a piece of a partition at a time (:mod:`responsestats.metrics.streaming`): the table, the standard's
    coverage (None without one) and an empty frame of the columns read (with the sources' ``attrs``), for the
    notes.

    Reads the columns, in the order, that :func:`_read` would, and checks the same things first, so the table,
    the notes and the errors are those of the in-memory path.
    """
    from ..store import call_partitions

    if args.where is not None:
        dims = _dimensions(args)
        columns = columns + [c for c in parse_filter(args.where, dims).columns if c in S.COLUMNS or c in dims]
    columns = list(dict.fromkeys(columns))
    start, end = _dates(args)
    partitions = call_partitions(args.dataset, agency=args.agency, start=start, end=end)
    partitions.check_columns(columns)
    spec = summary_spec(intervals, **options)
    table, cover = stream_summary(partitions, spec, where=args.where, columns=columns,
                                  with_coverage=spec.standard is not None)  # fmt: skip
    frame = pd.DataFrame(columns=columns)
    frame.attrs[S.FRAME_SOURCES] = partitions.sources
    return table, cover, frame


def _note_absent_stamps(frame: pd.DataFrame, intervals) -> None:
    """One line on standard error naming the intervals no source stamp can fill (blank, not 0), if any.

    ``intervals``: names, or a mapping of the interval whose stamps are checked -> the name to print.
    """
    shown = intervals if isinstance(intervals, dict) else {n: n for n in intervals}
    absent = stamps_not_recorded(frame, shown)
    if absent:
        print("responsestats: note: not available (left blank), the source has no stamp for them: "
              + "; ".join(f"{shown[name]} (no {', '.join(stamps)})" for name, stamps in absent.items()),
              file=sys.stderr)  # fmt: skip


def _run_ladders(args: argparse.Namespace) -> int:
    """``responsestats metrics --ladders``: the standard's response ladders, per group and step."""
    if args.interval or args.percentile or args.min_n != DEFAULT_MIN_N:
        raise UserError("--interval, --percentile and --min-n do not apply to --ladders: each [[ladders]] entry of "
                        "the standard names its interval and thresholds")  # fmt: skip
    if args.standard is None:
        raise UserError("--ladders needs --standard NAME|FILE.toml, a profile with [[ladders]] (e.g. --standard "
                        "cn110)")  # fmt: skip
    standard = ladder_standard(args.standard)
    by = _by(args)
    names = list(dict.fromkeys(x.interval for x in standard.ladders))
    columns = [S.AGENCY, S.INCIDENT_ID, S.UNIT_ID, S.RECEIVED_AT, S.SELF_INITIATED, S.TIMEZONE]
    columns += [c for n in names for c in (INTERVALS[n].start, INTERVALS[n].end)]
    columns += _by_columns(by, args)
    columns += [c.column for x in standard.ladders for c in x.when
                if c.column in S.COLUMNS or c.column in _dimensions(args)]
    frame = _read(args, list(dict.fromkeys(columns)))
    ladders = [x for x in standard.ladders if all(c.column in frame.columns for c in x.when)]
    skipped = [x.id for x in standard.ladders if x not in ladders]
    if skipped:  # a ladder on a dimension this dataset lacks: say so, grade the others
        print(f"responsestats: note: ladder(s) {', '.join(skipped)} not graded: they select on a column this "
              "dataset does not have", file=sys.stderr)
        standard = replace(standard, ladders=tuple(ladders))
    table = ladder(frame, standard, by=by, where=args.where, level=args.level, cap=_cap(args.cap))
    _note_absent_stamps(frame, names)
    _write(in_minutes(table) if args.unit == "min" else table, args, sheet="metrics")
    return 0


def _run_erf(args: argparse.Namespace) -> int:
    """``responsestats metrics --level erf``: the standard's effective-response-force objectives, per group."""
    if args.interval:
        raise UserError("--interval does not apply to --level erf: each [[erf]] objective of the standard names "
                        "what it times")  # fmt: skip
    if args.percentile or args.min_n != DEFAULT_MIN_N:
        raise UserError("--percentile and --min-n do not apply to --level erf (it reports the median, p90 and the "
                        "value at the required share)")  # fmt: skip
    if args.standard is None:
        raise UserError("--level erf needs --standard NAME|FILE.toml, a profile with [[erf]] objectives "
                        "(e.g. --standard nfpa1710)")  # fmt: skip
    standard = erf_standard(args.standard)
    by = _by(args)
    cap = _cap(args.cap)
    columns = [S.AGENCY, S.INCIDENT_ID, S.UNIT_ID, S.RECEIVED_AT, S.DISPATCHED_AT, S.ENROUTE_AT, S.ARRIVED_AT,
               S.SELF_INITIATED, S.TIMEZONE]  # fmt: skip
    columns += _by_columns(by, args) + list(standard.condition_columns)
    frame = _read(args, columns)
    table = effective_response_force(frame, standard, by=by, where=args.where, cap=cap)
    _note_absent_stamps(frame, {ERF_LIKE[e.interval]: e.interval for e in standard.erf})
    _write(in_minutes(table) if args.unit == "min" else table, args, sheet="metrics")
    return 0


# --- outcomes ------------------------------------------------------------------
def add_outcomes_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``responsestats outcomes``."""
    p = subparsers.add_parser(
        "outcomes",
        help="arrest rate, caught-in-the-act rate and time to arrest (with Kaplan-Meier median)",
        description="Outcome metrics over incidents. arrest_rate = arrests / eligible incidents; "
        "caught_in_act_rate = arrests made during the initial response / arrests. See docs/metrics.md.",
    )
    _add_common(p)
    p.add_argument(
        "--denominator",
        default="default",
        metavar="RULE",
        help="eligible incidents: 'default' (all but cancelled, duplicate, unfounded), 'all', "
        "or a comma-separated list of outcomes to leave out",
    )
    p.add_argument("--as-of", metavar="TIMESTAMP", help="censoring time for open cases (default: end of the data)")
    p.set_defaults(func=run_outcomes)
    return p


def _as_of(text: str | None) -> pd.Timestamp | None:
    if text is None:
        return None
    try:
        return pd.Timestamp(text)
    except (ValueError, TypeError):
        raise UserError(f"--as-of: {text!r} is not a timestamp (e.g. 2024-06-30T23:59:59+08:00)") from None


def run_outcomes(args: argparse.Namespace) -> int:
    """Run ``responsestats outcomes``; returns the exit status."""
    _format(args)
    by = _by(args)
    resolve_denominator(args.denominator)
    as_of = _as_of(args.as_of)
    columns = [S.AGENCY, S.INCIDENT_ID, S.UNIT_ID, S.RECEIVED_AT, S.DISPATCHED_AT, S.CLEARED_AT, S.ARRESTED_AT]
    columns += [S.OUTCOME, S.CAUGHT_IN_ACT, S.PERSONS_ARRESTED, S.TIMEZONE] + _by_columns(by, args)
    frame = _read(args, columns)
    table = outcome_summary(frame, by=by, denominator=args.denominator, as_of=as_of, where=args.where)
    codes = sorted({c for cell in table.get(N.NOT_AVAILABLE, []) for c in str(cell).split(";") if c})
    if codes:  # the figures are blank, not 0: say why, once
        print("responsestats: note: some outcome figures are not available (left blank): "
              + "; ".join(NOT_AVAILABLE_REASONS[c] for c in codes), file=sys.stderr)
    _write(table, args, sheet="outcomes")
    return 0
