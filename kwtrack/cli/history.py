"""`kwtrack undo` and `kwtrack history`: the change log."""

from __future__ import annotations

import click

from kwtrack.cli.common import (
    ROWS,
    State,
    echo_json,
    echo_table,
    none_listed,
    pass_state,
)


@click.command()
@click.option("--theirs", is_flag=True, help="Undo it even when another person made it "
              "(a team's shared database; `kwtrack history` says who made what).")
@pass_state
def undo(state: State, theirs: bool) -> None:
    """Undo the last change (an import, a delete, an edit) that is not undone yet. Changes
    go back newest first; the newest made by someone else (`KWTRACK_USER`, or the login
    name) is refused without --theirs.

    \b
    Example:
      kwtrack undo
    """
    from kwtrack.history import undo as undo_newest

    click.echo(undo_newest(state.store(), theirs=theirs) or "nothing to undo")


@click.command()
@click.option("--theirs", is_flag=True, help="Redo it even when another person undid it "
              "(a team's shared database).")
@pass_state
def redo(state: State, theirs: bool) -> None:
    """Apply again the change undone last (an edit, a delete, a bid), unless an edit was
    made since. An undone import is redone by importing its file again. A change someone
    else undid is refused without --theirs.

    \b
    Example:
      kwtrack undo && kwtrack redo
    """
    from kwtrack.history import NOTHING_TO_REDO
    from kwtrack.history import redo as redo_last

    click.echo(redo_last(state.store(), theirs=theirs) or NOTHING_TO_REDO)


@click.command("history")
@click.option("-n", "--limit", type=ROWS, default=50, show_default=True)
@click.option("--by", metavar="NAME", help="Only the changes NAME made (a team's database: "
              "`KWTRACK_USER`, or the login name).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def history_cmd(state: State, limit: int, by: str | None, as_json: bool) -> None:
    """List the newest logged changes, with who made each.

    \b
    Example:
      kwtrack history -n 20
      kwtrack history --by ann
    """
    from kwtrack.history import history

    store = state.store()
    lines = history(store, limit, by)
    if as_json:
        echo_json(lines)
        return
    echo_table(["change", "when", "by", "what", "field", "old", "new", "reason", ""],
               [[line.action, line.changed_at, line.by, f"{line.entity} {line.label}",
                 line.field, line.old, line.new, line.reason, "undone" if line.undone else ""]
                for line in lines],
               empty=(f"no changes by {by!r} in store '{store.name}' (see who made each: "
                      "kwtrack history)") if by else
                     f"{none_listed('changes logged', store.name)} (edits, deletes, bids; "
                     "the imported files: kwtrack imports list)")
