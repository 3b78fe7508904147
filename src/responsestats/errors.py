"""Errors a user can cause, reported as one clear message without a traceback."""

from __future__ import annotations


def one_line(text: object) -> str:
    """``text`` with its line breaks and runs of spaces as single spaces (for a library's message)."""
    return " ".join(str(text).split())


class UserError(ValueError):
    """A problem with the user's input or arguments (file, column, row, option).

    A :class:`ValueError`, so that code calling the library catches it as
    pandas' and numpy's bad-argument errors are caught. The CLI prints the
    message and exits with status 2; it never shows a traceback for these.
    The message must name the file, column or row.
    """


class MappingError(UserError):
    """A mapping (format) file is invalid, or does not fit the input file."""


class DatasetLockedError(UserError):
    """Another process is writing to the same dataset."""


class IngestIOError(UserError, OSError):
    """A file could not be read or written during an ingest (disk full, no permission, a vanished file).

    Both a :class:`UserError` (the CLI prints one line and exits with status 2)
    and an :class:`OSError` (``errno`` is the cause's). Raised only when the
    dataset was left as it was before the run.
    """


class QualityGateError(UserError):
    """An input file failed a quality gate of the ingest (e.g. more than ``--max-quarantine-share`` of its rows
    were quarantined); nothing was written.

    A :class:`UserError` (one line, no traceback) that the CLI maps to exit status **1**, not 2: the command
    and its files were readable, but what they hold is not fit to be added to the dataset. The message names
    the file, the column and the value behind most of it. ``report`` is the file's ingest report
    (:data:`responsestats.schema.FileReport`), for a caller that wants the whole account.
    """

    def __init__(self, message: str, report: dict | None = None) -> None:
        super().__init__(message)
        self.report = report
