"""The `responsestats` command line.

Each sub-command lives in a module of :mod:`responsestats.cli` and calls the same
library functions as the notebooks. Errors a user can cause print one line and
exit with status 2, without a traceback; an input that fails a quality gate of the
ingest (:class:`~responsestats.errors.QualityGateError`) prints one line and exits
with status 1.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .._version import __version__
from ..errors import QualityGateError, UserError
from . import briefing as _briefing_cmds
from . import ingest as _ingest_cmds
from . import inspect as _inspect_cmds
from . import metrics as _metrics_cmds


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="responsestats",
        description="Response-time and outcome metrics from emergency-dispatch call logs.",
    )
    parser.add_argument("--version", action="version", version=f"responsestats {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _ingest_cmds.add_ingest_parser(sub)
    _ingest_cmds.add_formats_parser(sub)
    _ingest_cmds.add_sample_parser(sub)
    _briefing_cmds.add_briefing_parser(sub)
    _inspect_cmds.add_inspect_parser(sub)
    _metrics_cmds.add_metrics_parser(sub)
    _metrics_cmds.add_outcomes_parser(sub)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so that a run stops the way an interrupt does: cleaning up as it goes."""


def _terminate(signum, frame):  # noqa: ARG001 - the signal handler's signature
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():  # a handler can only be set from the main thread
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.func(args) or 0)
    except QualityGateError as exc:  # readable input whose rows are not fit to add: exit 1, dataset unchanged
        print(f"responsestats: error: {exc}", file=sys.stderr)
        return 1
    except UserError as exc:
        print(f"responsestats: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C (SIGINT: 130) or SIGTERM (143): one line, nothing half-written
        print("responsestats: interrupted; nothing was written: the dataset and the output folder are as they were "
              "before this run", file=sys.stderr)  # fmt: skip
        return 143 if isinstance(exc, Terminated) or getattr(exc, "terminated", False) else 130
    except BrokenPipeError:
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
