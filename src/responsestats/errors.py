"""Errors a user can cause, reported as one clear message without a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input or arguments (file, column, row, option).

    The CLI prints the message and exits with status 2; it never shows a
    traceback for these. The message must name the file, column or row.
    """


class MappingError(UserError):
    """A mapping (format) file is invalid, or does not fit the input file."""


class DatasetLockedError(UserError):
    """Another process is writing to the same dataset."""
