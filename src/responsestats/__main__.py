"""``python -m responsestats``: the command line (:func:`responsestats.cli.main`)."""

import sys

from .cli import main

sys.exit(main())
