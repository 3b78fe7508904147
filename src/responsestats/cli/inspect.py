"""`responsestats inspect`: describe an unknown export and draft its mapping."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UserError
from ..formats.inspect import DEFAULT_SAMPLE_ROWS, MAX_SAMPLE_CHARS, MAX_SAMPLE_ROWS


def add_inspect_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inspect",
        help="describe an export's columns and draft a mapping TOML for it",
        description="Read the first rows of FILE (CSV, Excel or Parquet), print each column's guessed type, the "
        "timestamp patterns that read it and the canonical field it is mapped to, then a draft mapping TOML that "
        "ingests FILE as it is (with --tz), with a comment beside each choice to check (see docs/mappings.md). "
        "Only the sampled rows are read, so a large file takes as long as a small one.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--encoding", metavar="ENC", help="text encoding (default: guessed: utf-8, gb18030, cp1252)")
    p.add_argument("--sheet", metavar="NAME|N", default="0", help="Excel sheet name or 0-based index (default 0)")
    p.add_argument("--header-row", type=int, default=0, metavar="N", help="0-based row of the header (default 0)")
    p.add_argument("--rows", type=int, default=DEFAULT_SAMPLE_ROWS, metavar="N",
                   help=f"rows to sample from the start of the file (default {DEFAULT_SAMPLE_ROWS}, at most "
                   f"{MAX_SAMPLE_ROWS:,}; the sample also stops at {MAX_SAMPLE_CHARS >> 20} MiB of text)")
    p.add_argument("--tz", metavar="ZONE", help="the agency's IANA time zone, written into the draft")
    p.add_argument("--draft", metavar="FILE.toml", help="write the draft mapping here instead of printing it")
    p.set_defaults(func=run_inspect)


def run_inspect(args: argparse.Namespace) -> int:
    from ..formats.inspect import inspect_file
    from ..formats.mapping import check_zone

    if args.tz:
        check_zone(args.tz, "--tz")
    if not 1 <= args.rows <= MAX_SAMPLE_ROWS:
        raise UserError(f"--rows must be between 1 and {MAX_SAMPLE_ROWS:,}: inspect holds its sample in memory")
    sheet = int(args.sheet) if str(args.sheet).isdigit() else args.sheet
    result = inspect_file(args.file, args.encoding, sheet=sheet, header_row=args.header_row, sample_rows=args.rows)
    print(result.to_text())
    draft = result.draft_toml(timezone=args.tz)
    if args.draft:
        Path(args.draft).write_text(draft, encoding="utf-8")
        print(f"\ndraft mapping written to {args.draft}")
    else:
        print("\n" + draft, end="")
    return 0
