"""`responsestats briefing`: the monthly chart set, executed from the briefing notebook."""

from __future__ import annotations

import argparse
import sys

from ..briefing.wording.labels import DEFAULT_LANGUAGE, LANGUAGES


def add_briefing_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``responsestats briefing``."""
    p = sub.add_parser(
        "briefing",
        help="build the monthly briefing: PNG charts, the executed notebook and index.html",
        description="Execute the briefing notebook (04_monthly_briefing.py) headless for one month and write its charts "
        "(1920x1080 PNG, Chinese or English), the executed notebook, an index.html and the marker "
        ".responsestats-briefing (the names of the files it wrote) into --out.",
    )
    p.add_argument("dataset", metavar="DATASET", help="dataset folder written by `responsestats ingest`")
    p.add_argument("--month", required=True, metavar="YYYY-MM|latest",
                   help="the month to brief; 'latest': the latest full calendar month in the data")  # fmt: skip
    p.add_argument("--agency", metavar="ID", help="agency id (default: the dataset's only agency)")
    p.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE, help="language of the charts (default zh)")
    p.add_argument("--standard", default="cn110", metavar="NAME",
                   help="standard graded against: a built-in name or a .toml file (default cn110)")  # fmt: skip
    p.add_argument("--where", metavar="FILTER",
                   help="brief only the calls this filter matches, e.g. \"call_group in ('ems', 'fire')\" or "
                   "\"priority = '一级'\" (docs/metrics.md, row filters); every chart's subtitle and charts.json "
                   "name it")  # fmt: skip
    p.add_argument("--group-by", default="district", metavar="COLUMN",
                   help="the column the district chart groups by: district (default), or a dimension of the "
                   "dataset such as station or beat (see `responsestats metrics --help`)")  # fmt: skip
    p.add_argument("--roster", metavar="FILE",
                   help="duty roster CSV for the workload page: columns weekday (1 = Monday .. 7) or date "
                   "(YYYY-MM-DD), hour (0-23), teams (docs/metrics.md, Workload and deployment)")  # fmt: skip
    p.add_argument("--boundaries", metavar="FILE",
                   help="GeoJSON of the districts' polygons for the map page (a FeatureCollection whose property "
                   "'name' holds the district value); default a hexagonal binning of the calls' coordinates")  # fmt: skip
    p.add_argument("--pptx", action="store_true",
                   help="also write the charts as a 16:9 slide deck, briefing.pptx, one chart per slide with its "
                   "title and caption in the speaker notes")  # fmt: skip
    p.add_argument("--out", required=True, metavar="DIR",
                   help="output folder: a new or empty one, or one an earlier briefing wrote (it holds the marker "
                   ".responsestats-briefing; only the files the marker names are replaced or removed). Any other "
                   "folder, and a dataset folder, is refused (exit 2) before the notebook runs; a symbolic link is "
                   "followed to the folder it points to")  # fmt: skip
    p.set_defaults(func=run_briefing)
    return p


def run_briefing(args: argparse.Namespace) -> int:
    """Run ``responsestats briefing``; returns the exit status."""
    from ..briefing.runner import NotebookFailed, build_briefing

    try:
        result = build_briefing(args.dataset, month=args.month, agency=args.agency, lang=args.lang,
                                standard=args.standard, out_dir=args.out, where=args.where,
                                group_by=args.group_by, pptx=args.pptx, roster=args.roster,
                                boundaries=args.boundaries)  # fmt: skip
    except NotebookFailed as exc:
        print(f"responsestats: briefing failed: {exc}", file=sys.stderr)
        return 1
    deck = f", {result.deck.name}" if result.deck else ""
    print(f"briefing {result.month} ({result.lang}): {len(result.charts)} charts{deck}, {result.notebook.name} and "
          f"{result.index.name} -> {result.out_dir}")  # fmt: skip
    for line in result.left_out:
        print(f"  left out: {line}")
    return 0
