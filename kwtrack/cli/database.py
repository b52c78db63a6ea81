"""`kwtrack db` and `kwtrack stores`: the schema, and the stores a database keeps."""

from __future__ import annotations

from pathlib import Path

import click

from kwtrack.cli.common import State, ask_first, pass_state


@click.group("db")
def db_group() -> None:
    """Database schema: status and upgrades."""


@db_group.command("status")
@pass_state
def db_status(state: State) -> None:
    """List the schema migrations, applied and pending.

    \b
    Example:
      kwtrack db status
    """
    from kwtrack.store.database import migration_status

    db = state.open(upgrade_schema=False)
    click.echo(f"database: {state.shown_target}")
    for m in migration_status(db):
        click.echo(f"  [{'x' if m.applied else ' '}] {m.name}{'' if m.applied else '  (pending)'}")


@db_group.command("upgrade")
@pass_state
def db_upgrade(state: State) -> None:
    """Apply pending schema migrations.

    \b
    Example:
      kwtrack --db postgresql://localhost/shop db upgrade
    """
    from kwtrack.store.database import upgrade

    db = state.open(upgrade_schema=False)
    applied = upgrade(db)
    click.echo("applied: " + ", ".join(applied) if applied else "the schema is up to date")


@db_group.command("backup")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def db_backup(state: State, file: Path | None) -> None:
    """Copy the database to FILE (default: a dated file in the backups folder of your data
    dir), consistently, while others may be using it. PostgreSQL: through pg_dump.

    \b
    Example:
      kwtrack db backup ~/shop-2026-11-27.db
    """
    from kwtrack.store.backup import backup

    made = backup(state.open(), file)
    click.echo(f"backed up to {made}")


@db_group.command("copy")
@click.argument("target", metavar="TARGET")
@pass_state
def db_copy(state: State, target: str) -> None:
    """Copy the whole database into TARGET, a new SQLite file or an empty PostgreSQL
    database: every store, its imports, the change log (undo reaches back across the move),
    bids and their history, marks, plans. The way a team moves its file to a server.

    \b
    Example:
      kwtrack db copy postgresql://ops@db.internal/kwtrack
    """
    from kwtrack.store.copy import copy_database
    from kwtrack.store.database import shown

    copied = copy_database(state.open(), target)
    click.echo(f"copied {sum(n for _, n in copied):,} rows of {len(copied)} tables to "
               f"{shown(target)}; open it with --db (or KWTRACK_DB)")


@db_group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def db_restore(state: State, file: Path, yes: bool) -> None:
    """Replace the database with the backup FILE; the database it replaces is kept as a
    backup first (SQLite).

    \b
    Example:
      kwtrack db restore ~/shop-2026-11-27.db
    """
    from kwtrack.store.backup import restore

    db = state.open()
    if not yes:
        ask_first("restore", f"Replace {state.shown_target} with {file}?")
    kept = restore(db, file)
    click.echo(f"restored {file} into {state.shown_target}; the database it replaced is kept in "
               f"{kept}")


@click.group("stores")
def stores_group() -> None:
    """The stores kept in this database."""


@stores_group.command("list")
@pass_state
def stores_list(state: State) -> None:
    """List the stores in the database.

    \b
    Example:
      kwtrack stores list
    """
    from kwtrack.catalog import store_summaries

    state.open()
    for store in store_summaries():
        click.echo(f"{store.name}\t{store.products} products")
