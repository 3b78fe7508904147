"""`responsestats ingest`, `formats` and `sample`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import UserError
from ..formats.mapping import builtin_formats, load_mapping
from ..ingestion import ingest
from ..ingestion.pipeline import DEFAULT_MAX_QUARANTINE_SHARE
from ..ingestion.reexports import ON_OVERLAP


def add_ingest_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ingest",
        help="normalise call-log files into a partitioned Parquet dataset",
        description="Read INPUT files in blocks, normalise them with a format mapping, and add them to the "
        "dataset at --out atomically. Rows that cannot be used go to the dataset's _quarantine/ with a reason.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="input files (CSV, Excel .xlsx/.xls, Parquet)")
    fmt = p.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--format", dest="format", metavar="NAME", help="a built-in format (see `responsestats formats`)")
    fmt.add_argument("--mapping", dest="format", metavar="FILE.toml", help="a mapping file for another export")
    p.add_argument("--out", required=True, metavar="DATASET", help="dataset folder (created or added to)")
    p.add_argument("--agency", metavar="ID", help="agency id (partition key); default from the format")
    p.add_argument("--tz", metavar="ZONE", help="IANA time zone of the timestamps; default from the format")
    p.add_argument("--report", metavar="FILE|-", help="write the run's JSON report to FILE, or '-' for stdout")
    p.add_argument("--on-overlap", choices=ON_OVERLAP, default=ON_OVERLAP[0],
                   help="rows whose incident (and unit) another input file already wrote: 'replace' them, so the "
                   "file ingested last wins and a re-export never doubles the dataset (default), or 'refuse' the "
                   "file")
    p.add_argument("--max-quarantine-share", type=_share, default=DEFAULT_MAX_QUARANTINE_SHARE, metavar="SHARE",
                   help="quality gate: a file of which more than this share of rows (0 to 1) would be quarantined "
                   "fails the run with exit status 1, naming the column and value behind most of it, and nothing "
                   f"is written (default {DEFAULT_MAX_QUARANTINE_SHARE:g}; 1 turns the gate off)")
    p.add_argument("--link-salt-file", metavar="FILE",
                   help="a file holding a secret salt: the mapping's link_fields (caller phone, name...) are stored "
                   "only as caller_key, a salted hash that links calls from one caller (docs/mappings.md)")
    p.set_defaults(func=run_ingest)


def run_ingest(args: argparse.Namespace) -> int:
    mapping = load_mapping(args.format)
    salt = _read_salt(args.link_salt_file) if args.link_salt_file else None
    bar = _progress_bar()
    try:
        result = ingest(args.inputs, args.out, mapping=mapping, agency=args.agency, timezone=args.tz,
                        progress=bar.update if bar is not None else None, link_salt=salt,
                        on_overlap=args.on_overlap, max_quarantine_share=args.max_quarantine_share)
    finally:
        if bar is not None:
            bar.close()
    report = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    if args.report == "-":
        print(report)
    elif args.report:
        try:
            Path(args.report).write_text(report + "\n", encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{args.report}: cannot write the report ({exc.strerror or exc}); "
                            f"the ingest itself completed: {result.summary_line()}") from None
    print(result.summary_line(), file=sys.stderr if args.report == "-" else sys.stdout)
    return 0


def _share(text: str) -> float:
    """``--max-quarantine-share``: a number from 0 to 1 (argparse prints the error, exit 2)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share of the rows from 0 to 1 (e.g. 0.5)")
    return value


#: Largest salt file read [bytes]: a salt is a short secret (64 hex digits from ``secrets.token_hex(32)``);
#: at most this plus one byte is read, so ``/dev/zero`` or a large file given by mistake is refused at once.
MAX_SALT_BYTES = 64 << 10


def _read_salt(path: str) -> bytes:
    """The secret in a salt file (surrounding spaces and the final newline removed).

    A regular file, or a pipe (``--link-salt-file <(pass show salt)``), of at most :data:`MAX_SALT_BYTES`
    [bytes]; a device, a folder, a FIFO with no writer or a larger file gives one line
    (:func:`~responsestats.sources.base.read_small_file`).
    """
    from ..sources.base import read_small_file

    make = "`python -c 'import secrets; print(secrets.token_hex(32))' > salt.txt`"
    salt = read_small_file(Path(path), MAX_SALT_BYTES, "the link salt", f"a salt is a short secret, e.g. {make}",
                           pipe=True).strip()
    if not salt:
        raise UserError(f"{path}: the link salt is empty (a pipe with nothing written to it reads as empty); "
                        f"put a random secret in it, e.g. {make}")
    return salt


def _progress_bar():
    """A tqdm bar on a terminal; None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit=" rows", unit_scale=True, desc="ingest", file=sys.stderr)


def add_formats_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("formats", help="list the built-in formats")
    p.set_defaults(func=run_formats)


def run_formats(args: argparse.Namespace) -> int:
    for name in builtin_formats():
        m = load_mapping(name)
        print(f"{name:<20} {m.description}")
    return 0


def add_sample_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sample", help="generate the synthetic 110 sample call log")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the sample's)")
    p.add_argument("--start", default=None, metavar="YYYY-MM", help="first month")
    p.add_argument("--months", type=int, default=None, help="number of months")
    p.add_argument("--calls-per-day", type=float, default=None,
                   help="mean valid calls per day (default: the scale's)")
    p.add_argument("--scale", choices=("small", "city"), default="small",
                   help="small: the committed sample (default); city: the seed article's volume, with invalid "
                        "calls, a crime sub-type column, roster.csv and grids.geojson")
    p.set_defaults(func=run_sample)


def run_sample(args: argparse.Namespace) -> int:
    from ..sample import generate_sample

    kwargs = {k: v for k, v in (("seed", args.seed), ("start", args.start), ("months", args.months),
                                ("calls_per_day", args.calls_per_day)) if v is not None}
    paths = generate_sample(args.out, scale=args.scale, **kwargs)
    extra = " (and roster.csv, grids.geojson)" if args.scale == "city" else ""
    print(f"wrote {len(paths)} file(s){extra} to {args.out}")
    return 0
