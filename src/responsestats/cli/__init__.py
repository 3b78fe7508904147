"""The ``responsestats`` command line: one module per command group, the parser and ``main`` in :mod:`.app`.

Each command calls the same library functions as the notebooks. Errors a user
can cause print one line and exit with status 2, without a traceback.
"""

from .app import build_parser, main

__all__ = ["build_parser", "main"]
