"""Lets `python -m kwtrack` behave like the `kwtrack` command."""

from kwtrack.cli import main

main()
