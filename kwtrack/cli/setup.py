"""Getting started: open the TUI, create a database, load the demo store."""

from __future__ import annotations

import click

from kwtrack.cli.common import State, pass_state, report_imports


@click.command()
@pass_state
def tui(state: State) -> None:
    """Open the terminal UI on the selected store.

    \b
    Example:
      kwtrack --db shop.db tui
    """
    from kwtrack.tui.app import KwtrackApp

    store = state.store()
    KwtrackApp(store_id=store.id, config=state.config()).run()


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
    state.open(create=True)
    store = state.store(create=True)
    if demo:
        from kwtrack.demo import load_demo

        report_imports(load_demo(store))
    click.echo(f"database ready: {state.shown_target} (store {store.name!r})")


@click.command()
@click.option("--no-tui", is_flag=True, help="Load the demo but do not open the TUI.")
@pass_state
def demo(state: State, no_tui: bool) -> None:
    """Load the demo store (a footwear supplier) and open the TUI on it.

    The demo is a store named `demo` in your database (the default one, or --db): created
    the first time, loaded afresh each time after. No other store is touched, so afterwards
    every command sees it with `--store demo`.

    \b
    Example:
      kwtrack demo
      kwtrack --store demo products list
    """
    from kwtrack.demo import DEMO_STORE, refresh_demo

    state.open(create=True)
    store, results, refreshed = refresh_demo(state.store_name or DEMO_STORE)
    report_imports(results)
    click.echo(f"demo store {store.name!r} {'loaded afresh' if refreshed else 'created'} in "
               f"{state.shown_target} (other stores untouched); see it with "
               f"`kwtrack --store {store.name} …`", err=True)
    if not no_tui:
        from kwtrack.tui.app import KwtrackApp

        KwtrackApp(store_id=store.id, config=state.config()).run()
