"""Every command of the TUI, declared once: its key, the action it runs, its label and help.

The app's key bindings, the footer, the help screen and the command palette (ctrl+p) are all
derived from `COMMANDS`, so a command never has a key without a palette entry or a help line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.binding import Binding
from textual.command import Hit, Hits, Provider


@dataclass(frozen=True)
class Command:
    """One thing the operator can do from the keyboard."""

    key: str  # Textual key name(s), comma-separated
    action: str  # the app action it runs
    label: str  # footer and palette
    help: str  # the help screen's line
    footer: bool = True


VIEWS = (("1", "products", "Products"), ("2", "keywords", "Keywords"), ("3", "bids", "Bids"),
         ("4", "review", "Review"), ("5", "cleanup", "Clean-up"),
         ("6", "duplicates", "Duplicates"), ("7", "history", "History"))

COMMANDS: tuple[Command, ...] = (
    *(Command(key, f"show('{view}')", label, f"the {label} view", footer=False)
      for key, view, label in VIEWS),
    Command("slash", "filter", "Filter", "filter the view as you type: words, or field:value "
            "terms (Products, Keywords: status:offline, group:core, route:none; the other "
            "views: any column, e.g. status:paused)"),
    Command("escape", "clear_filter", "Clear filter", "clear the filter", footer=False),
    Command("r", "refresh", "Refresh", "read the current view again from the database "
            "(another process may have imported meanwhile)"),
    Command("a", "add", "Add", "Products, Keywords: add a product or a keyword (a form)"),
    Command("e", "edit", "Edit", "Products, Keywords: edit the highlighted row (a form)"),
    Command("l", "link", "Link", "Products, Keywords: link the highlighted row to a keyword "
            "or a product, or unlink them (ctrl+x in the form)"),
    Command("space", "select", "Select", "Products: select or unselect the highlighted row; "
            "d deletes the selected rows together", footer=False),
    Command("d", "delete", "Delete", "Products: delete (archive) the highlighted product, or "
            "the selected ones together, after the coverage check"),
    Command("b", "bid", "Bid", "Keywords, Bids, Review: set the highlighted word's P4P bid"),
    Command("t", "track", "Track", "Keywords, Bids, Review: track or untrack the highlighted "
            "word"),
    Command("I", "import_file", "Import", "import a report or canonical file, picked in a "
            "folder tree (checked first; u undoes it)", footer=False),
    Command("E", "export_store", "Export", "export every kind of the store as CSV files into a "
            "folder", footer=False),
    Command("u", "undo", "Undo", "undo the last change (an edit, a delete, a bid, or an "
            "import once you say y)"),
    Command("ctrl+r", "redo", "Redo", "apply again the change undone last (until the next "
            "edit)"),
    Command("T", "check_title", "Title check", "check a draft title: its length, the "
            "keywords it would cover, the live products it would duplicate", footer=False),
    Command("H", "schedule_check", "Schedule check", "check that the P4P promotion hours "
            "cover the target markets' office hours", footer=False),
    Command("m", "mark(0)", "Done", "Review: mark the highlighted item done"),
    Command("z", "mark(1)", "Snooze", "Review: snooze the highlighted item for a week"),
    Command("s", "sort(False)", "Sort", "Bids, Review, Clean-up, Duplicates, History: sort by "
            "the next column"),
    Command("S", "sort(True)", "Sort ↓", "sort by the same column, the other way",
            footer=False),
    Command("left_square_bracket", "week(-1)", "Week −1", "Review: the week before",
            footer=False),
    Command("right_square_bracket", "week(1)", "Week +1", "Review: the week after",
            footer=False),
    Command("i", "toggle_details", "Details", "show or hide the details pane (it starts "
            "hidden below 100 columns, to leave the table room)"),
    Command("question_mark", "help", "Help", "the keys of the TUI"),
    Command("q", "quit", "Quit", "quit kwtrack"),
)


def bindings() -> list[Binding]:
    """The app's key bindings, one per command."""
    return [Binding(c.key, c.action, c.label, show=c.footer, id=c.action) for c in COMMANDS]


def _key_name(key: str) -> str:
    names = {"question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]",
             "slash": "/", "escape": "Esc"}
    return names.get(key, key)


def help_markdown() -> str:
    """The help screen: every command with its key."""
    lines = ["# kwtrack — keys", "", "| Key | What it does |", "|---|---|"]
    lines += [f"| `{_key_name(c.key)}` | {c.help} |" for c in COMMANDS]
    lines += ["| `↑` `↓` (`k` `j`) `PgUp` `PgDn` | move; more rows load as you go |",
              "| `g` / `G` | first / last row |",
              "| `ctrl+p` | every command, by name |", "",
              "The pane on the right follows the highlighted row."]
    return "\n".join(lines)


class KwtrackCommands(Provider):
    """The command palette: every command of `COMMANDS`, run by name."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in COMMANDS:
            score = matcher.match(f"{command.label} {command.help}")
            if score > 0:
                yield Hit(score, matcher.highlight(command.label),
                          partial(self.app.run_action, command.action), help=command.help)

    async def discover(self) -> Hits:
        for command in COMMANDS:
            yield Hit(1.0, command.label, partial(self.app.run_action, command.action),
                      help=command.help)
