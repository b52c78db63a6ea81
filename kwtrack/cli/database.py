"""`kwtrack db` and `kwtrack stores`: the schema, and the stores a database keeps."""

from __future__ import annotations

import click

from kwtrack.cli.common import State, pass_state


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
    click.echo(f"database: {state.target}")
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
