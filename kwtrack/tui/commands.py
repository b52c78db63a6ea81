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
    help: str  # the help screen's line (on the views it works on, under their heading)
    footer: bool = True
    views: tuple[str, ...] = ()  # the views it works on (none: all of them)


VIEWS = (("1", "products", "Products"), ("2", "keywords", "Keywords"), ("3", "bids", "Bids"),
         ("4", "review", "Review"), ("5", "cleanup", "Clean-up"),
         ("6", "duplicates", "Duplicates"), ("7", "history", "History"))

CATALOG = ("products", "keywords")  # the views that edit the catalog
WORDS = ("keywords", "bids", "review")  # the views whose rows are words one can bid on

COMMANDS: tuple[Command, ...] = (
    *(Command(key, f"show('{view}')", label, f"the {label} view", footer=False)
      for key, view, label in VIEWS),
    # (undo first of the keys every view has: a narrow footer keeps it)
    Command("u", "undo", "Undo", "undo the last change (an edit, a delete, a bid, or an "
            "import once you say y)"),
    Command("slash", "filter", "Filter", "filter the view as you type: words, field:value "
            "terms (Products, Keywords: status:offline, group:core, route:none; the other "
            "views: any column, e.g. status:paused) and numbers (impr>1000, bid<=2.5)"),
    Command("escape", "clear_filter", "Clear filter", "clear the filter", footer=False),
    Command("r", "refresh", "Refresh", "read the current view again from the database "
            "(another process may have imported meanwhile)"),
    Command("a", "add", "Add", "add a product or a keyword (a form)", views=CATALOG),
    Command("e", "edit", "Edit", "edit the highlighted row (a form)", views=CATALOG),
    Command("l", "link", "Link", "link the highlighted row to a keyword or a product, or "
            "unlink them (ctrl+x in the form)", views=CATALOG),
    Command("space", "select", "Select", "select or unselect the highlighted row; d deletes "
            "the selected rows together", footer=False, views=CATALOG),
    Command("d", "delete", "Delete", "delete (archive) the highlighted product, or the "
            "selected ones together, after the coverage check; on Keywords, the highlighted "
            "or selected words, asked first", views=("products", "keywords", "cleanup",
                                                   "duplicates")),
    Command("D", "delete_safe", "Delete safe", "delete every candidate that is safe to "
            "delete, together, after the coverage check of them", views=("cleanup",)),
    Command("L", "link_carriers", "Link carriers", "link the highlighted candidate's "
            "orphaned keywords to the live products the check suggests to carry them, asked "
            "first (then it can go: D); u undoes it", views=("cleanup",)),
    Command("b", "bid", "Bid", "set the highlighted word's P4P bid", views=WORDS),
    Command("B", "bid_limits", "Bid limits", "set the highlighted P4P word's own bid limits "
            "(a form; blank: the config's), which bids and the review's proposals keep to; "
            "u undoes them", footer=False, views=("bids",)),
    Command("A", "apply_review", "Apply bids", "apply the bid changes the week's review "
            "proposes (raise, cut), asked first; u undoes them together",
            views=("bids", "review")),
    Command("K", "key_group", "Key group", "put the highlighted word into the key keyword "
            "group (核心词组: [review] key_group), whose bids come first", footer=False,
            views=WORDS),
    Command("t", "track", "Track", "track or untrack the highlighted word", views=WORDS),
    Command("I", "import_file", "Import", "import a report or canonical file, picked in a "
            "folder tree (checked first; u undoes it)", footer=False),
    Command("E", "export_store", "Export", "export every kind of the store as CSV files into a "
            "folder", footer=False),
    Command("ctrl+r", "redo", "Redo", "apply again the change undone last (until the next "
            "edit)"),
    Command("T", "check_title", "Title check", "check a draft title: its length, the "
            "keywords it would cover, the live products it would duplicate", footer=False),
    Command("H", "schedule_check", "Plan check", "check the P4P plan: does the daily budget "
            "last (the latest week's spend), do the promotion hours cover the target markets' "
            "office hours", footer=False),
    Command("P", "p4p_plan", "P4P plan", "set the P4P plan: daily budget, promotion hours "
            "(China time), target markets; the schedule check follows (u undoes it)",
            footer=False),
    Command("M", "growth_level", "Growth level", "record the P4P growth level the back end "
            "shows today (points, level): the review's P4P plan says the way to L4; u undoes "
            "it", footer=False),
    Command("m", "mark(0)", "Done", "mark the highlighted item done", views=("review",)),
    Command("z", "mark(1)", "Snooze", "snooze the highlighted item for a week",
            views=("review",)),
    Command("w", "span", "Span", "widen the span the numbers add up: Products 30 → 90 → 360 "
            "days, Keywords 4 → 13 → 52 weeks (the monthly analysis, sorted by Inq.; a hot "
            "product's year), Clean-up's zero effect 90 → 180 → 365 days; then back",
            footer=False, views=(*CATALOG, "cleanup")),
    Command("s", "sort(False)", "Sort", "sort by the next column"),
    Command("S", "sort(True)", "Sort ↓", "sort by the same column, the other way",
            footer=False),
    Command("left_square_bracket", "week(-1)", "Week −1", "the week before", footer=False,
            views=("review",)),
    Command("right_square_bracket", "week(1)", "Week +1", "the week after", footer=False,
            views=("review",)),
    Command("i", "toggle_details", "Details", "show or hide the details pane (it starts "
            "hidden below 100 columns, to leave the table room)"),
    Command("question_mark", "help", "Help", "the keys of the TUI"),
    Command("q", "quit", "Quit", "quit kwtrack"),
)


def bindings() -> list[Binding]:
    """The app's key bindings, one per command: a view's own commands first, so that the
    footer (which lists them in this order, and cuts what a narrow terminal cannot hold)
    starts with what only this view does."""
    ordered = sorted(COMMANDS, key=lambda c: not c.views)  # (stable: otherwise as declared)
    return [Binding(c.key, c.action, c.label, show=c.footer, id=c.action) for c in ordered]


# action name (without its arguments) → the views it works on, for the commands that have some
VIEWS_OF = {c.action.partition("(")[0]: c.views for c in COMMANDS if c.views}


def offered(action: str, view: str) -> bool:
    """Whether a command works on a view: the app offers only those (keys, footer, palette)."""
    views = VIEWS_OF.get(action.partition("(")[0])
    return not views or view in views


def _key_name(key: str) -> str:
    names = {"question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]",
             "slash": "/", "escape": "Esc", "space": "Space"}
    return names.get(key, key)


MOVING = (("↑ ↓ k j", "a row up or down"), ("PgDn PgUp", "a page; more rows load as you go"),
          ("g G", "the first or last row"),
          ("← →", "the columns past the screen's edge, a column at a time"),
          ("Enter", "the highlighted row's details, where the pane is hidden"),
          ("ctrl+p", "every command of this view, by name"))


def help_sections(view: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The help screen of a view: (heading, [(key, what it does)]) for the view's own
    commands, the commands of every view, and moving about."""
    label = dict((name, label) for _, name, label in VIEWS)[view]
    first, last = VIEWS[0][0], VIEWS[-1][0]
    own = [(_key_name(c.key), c.help) for c in COMMANDS if view in c.views]
    everywhere = [(f"{first}–{last}", "the views: " + ", ".join(v for _, _, v in VIEWS))]
    everywhere += [(_key_name(c.key), c.help) for c in COMMANDS
                   if not c.views and not c.action.startswith("show(")]
    sections = [(f"Keys of the {label} view", own)] if own else []
    return [*sections, ("Keys of every view", everywhere), ("Moving", list(MOVING))]


class KwtrackCommands(Provider):
    """The command palette: the commands of `COMMANDS` that work on the view shown, by name."""

    def _offered(self) -> list[Command]:
        """The commands of the view shown."""
        return [c for c in COMMANDS if self.app.offers(c.action)]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._offered():
            score = matcher.match(f"{command.label} {command.help}")
            if score > 0:
                yield Hit(score, matcher.highlight(command.label),
                          partial(self.app.run_action, command.action), help=command.help)

    async def discover(self) -> Hits:
        for command in self._offered():
            yield Hit(1.0, command.label, partial(self.app.run_action, command.action),
                      help=command.help)
