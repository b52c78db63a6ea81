"""Getting started: open the TUI, create a database, load the demo store."""

from __future__ import annotations

from pathlib import Path

import click

from kwtrack.cli.common import State, pass_state, report_imports
from kwtrack.errors import KwtrackError


@click.command()
@pass_state
def tui(state: State) -> None:
    """Open the terminal UI on the selected store.

    \b
    Example:
      kwtrack --db shop.db tui
    """
    from kwtrack.tui.app import KwtrackApp

    store = state.store(create=True)
    KwtrackApp(store_id=store.id).run()


@click.command()
@click.option("--demo", is_flag=True, help="Also load the demo store's data.")
@pass_state
def init(state: State, demo: bool) -> None:
    """Create the database (and the store) if needed; optionally load the demo data.

    \b
    Example:
      kwtrack --db shop.db init
      kwtrack --db try.db init --demo
    """
    store = state.store(create=True)
    if demo:
        from kwtrack.demo import load_demo

        report_imports(load_demo(store))
    click.echo(f"database ready: {state.target} (store {store.name!r})")


def demo_target(state: State) -> str:
    """Where `kwtrack demo` puts its fresh database."""
    if state.db_target:
        return state.db_target
    from platformdirs import user_data_path

    return str(user_data_path("kwtrack", appauthor=False) / "demo.db")


@click.command()
@click.option("--no-tui", is_flag=True, help="Load the demo but do not open the TUI.")
@pass_state
def demo(state: State, no_tui: bool) -> None:
    """Load the demo store into a fresh database and open the TUI on it.

    Without --db the demo lives in its own file (demo.db in your user data dir), rebuilt each
    time, so your own data is never touched.

    \b
    Example:
      kwtrack demo
    """
    from kwtrack.store.database import is_url

    target = demo_target(state)
    if not state.db_target and Path(target).exists():
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
    elif not is_url(target) and Path(target).exists() and Path(target).stat().st_size > 0:
        raise KwtrackError(f"{target} already exists: `kwtrack demo` needs a fresh database "
                           "(pick a new --db, or use `kwtrack init --demo` on an empty store)")
    state.db_target = target
    from kwtrack.demo import load_demo

    store = state.store(create=True)
    report_imports(load_demo(store))
    click.echo(f"demo store loaded into {target}", err=True)
    if not no_tui:
        from kwtrack.tui.app import KwtrackApp

        KwtrackApp(store_id=store.id).run()
