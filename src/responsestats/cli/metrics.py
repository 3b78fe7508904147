"""`responsestats metrics` and `responsestats outcomes`.

Both read the dataset through :func:`responsestats.store.read_calls`, call
the library functions of :mod:`responsestats.metrics` and write a tidy table
as CSV, JSON or a text table. Definitions: ``docs/metrics.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from pathlib import Path

import pandas as pd

from .. import schema as S
from ..errors import UserError
from ..metrics import names as N
from ..metrics.export import FORMATS, render
from ..metrics.grouping import check_by, resolve_by
from ..metrics.intervals import INTERVALS, resolve_intervals
from ..metrics.outcomes import outcome_summary, resolve_denominator
from ..metrics.standards import list_standards, load_standard
from ..metrics.summary import DEFAULT_MIN_N, summarize

_SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".txt": "table"}


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
    p.add_argument("--format", choices=FORMATS, help="output format (default: from --output's suffix, else table)")
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")


def _check_date(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{flag}: {value!r} is not a date (YYYY-MM-DD)") from None
    return value


def _read(args: argparse.Namespace, columns: list[str]) -> pd.DataFrame:
    """The dataset's rows, filtered by agency and local dates."""
    from ..store import read_calls

    start, end = _check_date(args.start, "--from"), _check_date(args.end, "--to")
    return read_calls(args.dataset, agency=args.agency, start=start, end=end, columns=list(dict.fromkeys(columns)))


def _by(args: argparse.Namespace) -> tuple[str, ...]:
    by = resolve_by(args.by)
    check_by(by)
    return by


def _write(table: pd.DataFrame, args: argparse.Namespace) -> None:
    fmt = args.format
    if fmt is None:
        fmt = _SUFFIX_FORMATS.get(Path(args.output).suffix.lower(), "csv") if args.output else "table"
    text = render(table, fmt)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)


# --- metrics -------------------------------------------------------------------
def _cap(text: str | None) -> object:
    """``--cap``: None -> default caps; 'none' -> no cap; a number of seconds."""
    if text is None:
        return "default"
    if text.strip().lower() == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"--cap: {text!r} is neither a number of seconds nor 'none'") from None
    if not math.isfinite(value) or value < 0:
        raise UserError(f"--cap: {text!r} must be a number of seconds >= 0")
    return value


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
        "--interval", action="append", required=True, metavar="NAME", help="interval to summarise (repeatable)"
    )
    p.add_argument("--level", choices=N.LEVELS, default=N.LEVEL_INCIDENT, help="incident (default) or unit")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--target", type=float, metavar="SECONDS", help="target for within_target_share (<=)")
    target.add_argument(
        "--standard", metavar="NAME", help=f"standard profile: {', '.join(list_standards())}, or a .toml file"
    )
    p.add_argument("--cap", metavar="SECONDS|none", help="outlier cap for every interval; 'none' turns it off")
    p.add_argument("--percentile", type=float, action="append", default=[], metavar="K", help="extra percentile")
    p.add_argument("--min-n", type=int, default=DEFAULT_MIN_N, metavar="N", help="flag groups with n < N as thin")
    p.set_defaults(func=run_metrics)
    return p


def run_metrics(args: argparse.Namespace) -> int:
    """Run ``responsestats metrics``; returns the exit status."""
    intervals = resolve_intervals([part for item in args.interval for part in item.split(",") if part.strip()])
    by = _by(args)
    cap = _cap(args.cap)
    if args.target is not None and (not math.isfinite(args.target) or args.target <= 0):
        raise UserError(f"--target must be a positive number of seconds, got {args.target:g}")
    standard = load_standard(args.standard) if args.standard else None
    columns = [S.AGENCY, S.INCIDENT_ID, S.UNIT_ID, S.RECEIVED_AT, S.SELF_INITIATED, S.TIMEZONE]
    columns += [c for n in intervals for c in (INTERVALS[n].start, INTERVALS[n].end)]
    columns += [b for b in by if b in S.COLUMNS]
    columns += list(standard.condition_columns) if standard else []
    frame = _read(args, columns)
    table = summarize(
        frame,
        intervals,
        by=by,
        level=args.level,
        percentiles=args.percentile,
        target_s=args.target,
        standard=standard,
        cap=cap,
        min_n=args.min_n,
    )
    _write(table, args)
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
    by = _by(args)
    resolve_denominator(args.denominator)
    as_of = _as_of(args.as_of)
    columns = [S.AGENCY, S.INCIDENT_ID, S.UNIT_ID, S.RECEIVED_AT, S.DISPATCHED_AT, S.CLEARED_AT, S.ARRESTED_AT]
    columns += [S.OUTCOME, S.CAUGHT_IN_ACT, S.TIMEZONE] + [b for b in by if b in S.COLUMNS]
    frame = _read(args, columns)
    table = outcome_summary(frame, by=by, denominator=args.denominator, as_of=as_of)
    _write(table, args)
    return 0
