"""The version of responsestats, in one place (read by the package, the reports and the CLI)."""

__version__ = "0.1.0"
