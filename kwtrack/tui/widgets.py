"""Reusable widgets: a table paged from the database, and a browse view built on it."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Markdown, Static

PAGE_SIZE = 200


class PagedTable(DataTable):
    """A DataTable that holds only the pages the user has scrolled to.

    The owner (a `BrowseView`) answers `count` and `fetch(offset, limit)`; the table asks for the
    next page when the cursor comes near the last loaded row.
    """

    DEFAULT_CSS = """
    PagedTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("g", "scroll_top", "First row", show=False),
        Binding("G", "load_all_to_end", "Last row", show=False),
    ]

    def __init__(self, view: BrowseView, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.view = view
        self.total = 0

    def reload(self) -> None:
        """Start again from the first page (after a filter change)."""
        self.clear()
        self.total = self.view.count()
        self.load_more()

    def load_more(self) -> None:
        """Append the next page, if there is one."""
        if self.row_count >= self.total:
            return
        for key, values in self.view.fetch(self.row_count, PAGE_SIZE):
            self.add_row(*values, key=key)
        self.view.show_position()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.row_count - 20:
            self.load_more()

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_load_all_to_end(self) -> None:
        """Jump to the last row, loading the pages between (the user asked for the end)."""
        while self.row_count < self.total:
            self.load_more()
        self.move_cursor(row=self.row_count - 1)


class BrowseView(Vertical):
    """A filter box, a paged table and a details pane for one kind of record.

    Subclasses say what the columns are, how to count and fetch rows, and what the details of
    one row read like (Markdown).
    """

    DEFAULT_CSS = """
    BrowseView { height: 1fr; }
    BrowseView Input.filter { display: none; margin: 0 1; }
    BrowseView Input.filter.visible { display: block; }
    BrowseView .position { color: $text-muted; padding: 0 1; height: 1; }
    BrowseView Horizontal { height: 1fr; }
    BrowseView PagedTable { width: 3fr; }
    BrowseView VerticalScroll.details { width: 2fr; border-left: solid $primary-muted;
                                        padding: 0 1; }
    """

    BINDINGS = [
        Binding("slash", "filter", "Filter", tooltip="Type to filter the rows"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    columns: Sequence[str] = ()
    noun = "rows"
    example_filter = ""

    def __init__(self, store_id: int, **kwargs):
        super().__init__(**kwargs)
        self.store_id = store_id
        self.search: str | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder=f"Filter {self.noun}… (as you type; field:value too, e.g. "
                                f"{self.example_filter}; Esc clears)",
                    classes="filter")
        yield Static("", classes="position")
        with Horizontal():
            yield PagedTable(self)
            with VerticalScroll(classes="details"):
                yield Markdown("", classes="details-text")

    @property
    def table(self) -> PagedTable:
        return self.query_one(PagedTable)

    def on_mount(self) -> None:
        self.table.add_columns(*self.columns)
        self.table.reload()

    def count(self) -> int:
        raise NotImplementedError

    def fetch(self, offset: int, limit: int) -> list[tuple[str, list]]:
        """Rows as (key, cell values)."""
        raise NotImplementedError

    def details(self, key: str) -> str:
        """The details pane's Markdown for one row."""
        raise NotImplementedError

    def show_position(self) -> None:
        table = self.table
        shown = f"{table.row_count:,} of {table.total:,} {self.noun} loaded"
        if self.search:
            shown += f" — filter: {self.search!r}"
        self.query_one(".position", Static).update(shown)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self.query_one(".details-text", Markdown).update(self.details(event.row_key.value))

    def action_filter(self) -> None:
        box = self.query_one(Input)
        box.add_class("visible")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the operator types."""
        self.search = event.value.strip() or None
        self.table.reload()
        self.show_position()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.search = event.value.strip() or None
        self.table.reload()
        self.show_position()
        if not self.search:
            event.input.remove_class("visible")
        self.table.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one(Input)
        box.value = ""
        box.remove_class("visible")
        if self.search:
            self.search = None
            self.table.reload()
            self.show_position()
        self.table.focus()
