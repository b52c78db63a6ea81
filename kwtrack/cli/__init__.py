"""The command line: `kwtrack …` (see `kwtrack.cli.main`)."""

from kwtrack.cli.main import cli, main

__all__ = ["cli", "main"]
