"""`kwtrack undo` and `kwtrack history`: the change log."""

from __future__ import annotations

import click

from kwtrack.cli.common import State, echo_json, echo_table, pass_state


@click.command()
@pass_state
def undo(state: State) -> None:
    """Undo the last change (an import, a delete, an edit) that is not undone yet.

    \b
    Example:
      kwtrack undo
    """
    from kwtrack.history import newest_is_an_import, undo_last
    from kwtrack.imports import undo_import

    store = state.store()
    if newest_is_an_import(store):
        batch = undo_import(store)
        click.echo(f"undid import {batch.id}: {batch.file_name} ({batch.kind}); its rows are "
                   "gone and what it overwrote is back")
        return
    lines = undo_last(store)
    if not lines:
        click.echo("nothing to undo")
        return
    click.echo(f"undid change {lines[0].action}: " + ", ".join(
        f"{line.entity} {line.label} {line.field}" for line in lines))


@click.command("history")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def history_cmd(state: State, limit: int, as_json: bool) -> None:
    """List the newest logged changes.

    \b
    Example:
      kwtrack history -n 20
    """
    from kwtrack.history import history

    lines = history(state.store(), limit)
    if as_json:
        echo_json(lines)
        return
    echo_table(["change", "when", "what", "field", "old", "new", "reason", ""],
               [[line.action, line.changed_at, f"{line.entity} {line.label}", line.field,
                 line.old, line.new, line.reason, "undone" if line.undone else ""]
                for line in lines])
