"""The `kwtrack` command: a thin click skin over the feature packages.

Each command opens the database, makes one library call and prints the result; the commands
live by subject in this package (`files`, `products`, `coverage`, `keywords`, `history`,
`database`, `setup`). `kwtrack` with no command opens the TUI.
"""

from __future__ import annotations

import click

from kwtrack import __version__
from kwtrack.cli import (
    bids,
    coverage,
    database,
    files,
    history,
    keywords,
    products,
    review,
    setup,
    titles,
)
from kwtrack.cli.common import CONTEXT_SETTINGS, KwtrackGroup, State


@click.group(cls=KwtrackGroup, context_settings=CONTEXT_SETTINGS, invoke_without_command=True)
@click.option("--db", "db", metavar="PATH|URL", envvar="KWTRACK_DB", show_envvar=True,
              help="SQLite file or postgresql:// URL (default: a file in your user data dir).")
@click.option("--store", metavar="NAME", envvar="KWTRACK_STORE", show_envvar=True,
              help="Which store in the database (default: 'default').")
@click.option("--config", metavar="FILE", type=click.Path(dir_okay=False),
              help="Review and bid thresholds (TOML; default: config.toml in your user "
                   "config dir; see `kwtrack config show`).")
@click.version_option(__version__, "-V", "--version", prog_name="kwtrack")
@click.pass_context
def cli(ctx: click.Context, db: str | None, store: str | None, config: str | None) -> None:
    """Keyword and product tracking for Alibaba.com stores.

    With no command, opens the terminal UI on your database.

    \b
    Example:
      kwtrack demo                      # try it on the demo store
      kwtrack import products Products.csv
      kwtrack products list --search "walking shoes"
    """
    ctx.obj = State(db, store, config)
    if ctx.invoked_subcommand is None:
        ctx.invoke(setup.tui)


for command in (setup.tui, setup.init, setup.demo, files.import_, files.export,
                files.imports_group,
                products.products, coverage.coverage_group, coverage.dupes, keywords.keywords,
                titles.titles_group, review.review, review.config_group, bids.bids_group,
                bids.p4p_group, history.undo, history.redo, history.history_cmd, database.db_group,
                database.stores_group):
    cli.add_command(command)


def main() -> None:
    """Entry point of the `kwtrack` console script."""
    cli(prog_name="kwtrack")
