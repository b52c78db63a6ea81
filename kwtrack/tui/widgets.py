"""The one anatomy of a TUI view, and the table that reads long lists a window at a time.

Every view is a `TableView`: a status line, a table, and a details pane that follows the
highlighted row. `ReportView` (kwtrack.tui.reports) fills its table from one domain call;
`BrowseView` reads the Products and Keywords lists a window of rows at a time, sorted and
filtered in the database, so a store of 200,000 keywords opens, sorts and jumps to its end as
fast as one of 200.

All database work runs in thread workers; a worker hands its result to the UI with
`call_from_thread` and never touches a widget itself. An error becomes a notification and
the status line, never a traceback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial

from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from kwtrack.errors import KwtrackError
from kwtrack.store.database import store_by_id

WINDOW = 150  # rows a BrowseView's table holds at once (Textual's DataTable measures each)
EDGE = 20  # rows from the window's edge at which the next rows are read
# Keys closer together than these are "coming fast": the details, or the filter or sort,
# wait for them to pause (`Settle`).
DETAILS_DELAY = 0.12
FILTER_DELAY = 0.15


class Settle:
    """Runs an action (reading a row's details, applying a filter or a sort) at once when
    the keys are quiet, and once they pause when they come fast (a key held down, a word
    typed): a call within `delay` of the one before replaces the action waiting."""

    def __init__(self, owner: Widget, delay: float):
        self.owner = owner
        self.delay = delay
        self._last = 0.0  # (time.monotonic)
        self._timer: Timer | None = None

    def __call__(self, action: Callable[[], object]) -> None:
        self.cancel()
        now = time.monotonic()
        fast, self._last = now - self._last < self.delay, now
        if fast:
            self._timer = self.owner.set_timer(self.delay, action)
        else:
            action()

    def cancel(self) -> None:
        """Drop the action waiting, if any."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None


class SaysWorkerErrors:
    """For every widget, screen and app that runs workers: a worker failing with an error
    it was not written to expect (a database error, a bug) is one notification, never a
    silent nothing (a worker's messages do not bubble, so each owner says it). A writing
    worker's transaction has rolled back whole by then."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.app.notify(f"{type(error).__name__}: {error}", title="Not done",
                            severity="error", timeout=10)


def cell_text(value, style: str = "") -> Text:
    """A value as a table cell, taken literally (a title holding `[…]` is not markup), drawn
    in `style` (Rich's: "dim strike" for a change undone)."""
    return Text(cell(value), style=style, no_wrap=True, overflow="ellipsis")


def cell(value) -> str:
    """A value as a table cell: `-` when unknown."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "Y" if value else ""
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class MarkdownPane(Static):
    """Markdown drawn as one widget (Rich's renderer): a details pane is redrawn on every
    cursor rest and laid out again on every view switch, and Textual's `Markdown` makes a
    widget of every paragraph, list item and table cell (a keyword's weeks table alone was
    a hundred), which made switching views take a third of a second."""

    def __init__(self, source: str = "", **kwargs):
        super().__init__(**kwargs)
        self.show(source)

    def show(self, source: str) -> None:
        """Show `source` (Markdown), kept as `source`."""
        self.source = source
        self.update(RichMarkdown(source, hyperlinks=False))


class TableView(SaysWorkerErrors, Vertical):
    """A filter box, a status line, a table and the highlighted row's details (Markdown, from
    a worker). How a filter applies is the subclass's (`apply_filter`)."""

    DEFAULT_CSS = """
    TableView Input.filter { display: none; margin: 0 1; }
    TableView Input.filter.visible { display: block; }
    TableView { height: 1fr; }
    TableView .status { color: $text-muted; padding: 0 1; height: 1; }
    TableView Horizontal { height: 1fr; }
    TableView DataTable { width: 3fr; height: 1fr; }
    TableView VerticalScroll.details { width: 2fr; border-left: solid $primary-muted;
                                       padding: 0 1; }
    """

    columns: Sequence[str] = ()
    example_filter = ""
    # Per column, the most important first: fixed, so a table measures no cell (measuring
    # every cell of a window was most of the time it took to show) and its layout does not
    # shift as rows arrive.
    widths: Sequence[int] = ()
    fixed = 1  # the first columns, naming a row, kept in view when ← → scroll the others
    noun = "rows"

    def __init__(self, store_id: int, **kwargs):
        super().__init__(**kwargs)
        self.store_id = store_id
        self.search: str | None = None  # the filter in force
        self.reading = False  # rows are being read
        self._settle_details = Settle(self, DETAILS_DELAY)

    def make_table(self) -> DataTable:
        return Table()

    def compose(self) -> ComposeResult:
        yield Input(placeholder=f"Filter {self.noun}… (as you type; field:value too, e.g. "
                                f"{self.example_filter}; Esc clears)", classes="filter")
        yield Static("", classes="status", markup=False)
        with Horizontal():
            yield self.make_table()
            with VerticalScroll(classes="details"):
                yield MarkdownPane(classes="details-text")

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        for label, width in zip(self.columns, self.widths, strict=True):
            self.table.add_column(label, width=width)
        self.table.fixed_columns = self.fixed

    def set_status(self, text: str) -> None:
        self.query_one(".status", Static).update(text)

    def highlighted_key(self) -> str | None:
        """The key of the highlighted row (a product ID, a keyword, …), if any."""
        table = self.table
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value

    def details(self, store, key: str) -> str:
        """The details pane's Markdown for one row (in a worker)."""
        raise NotImplementedError

    def apply_filter(self, *, soon: bool) -> None:
        """Show the rows `search` keeps (`soon`: a key typed; others may follow)."""
        raise NotImplementedError

    def action_filter(self) -> None:
        box = self.query_one(Input)
        box.add_class("visible")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the operator types."""
        search = event.value.strip() or None
        if search != self.search:
            self.search = search
            self.apply_filter(soon=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.search = event.value.strip() or None
        self.apply_filter(soon=False)
        if not self.search:
            event.input.remove_class("visible")
        self.table.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one(Input)
        box.value = ""
        box.remove_class("visible")
        if self.search or self.reading:
            self.search = None
            self.apply_filter(soon=False)
        self.table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is None or event.row_key.value is None:
            return
        # A single move reads the row's details at once; while the cursor runs (a key held
        # down), they are read once it rests, not for every row it passes.
        key = event.row_key.value
        self._settle_details(lambda: self._load_details(key))

    @work(thread=True, exclusive=True, exit_on_error=False, group="details")
    def _load_details(self, key: str) -> None:
        try:
            text = self.details(store_by_id(self.store_id), key)
        except KwtrackError as exc:
            text = f"*{exc}*"
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_details, text)

    def _show_details(self, text: str) -> None:
        self.query_one(".details-text", MarkdownPane).show(text)


class Table(DataTable):
    """A view's table: rows as the cursor, striped, `j` / `k` moving it as the arrows do and
    `g` / `G` to the first and last rows (what keyboard people reach for first); its fixed
    columns (those naming a row) stay in view when ← → scroll the others."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First row", show=False),
        Binding("G", "last", "Last row", show=False),
    ]

    def __init__(self, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=self.row_count - 1)

    # ← → bring the columns past the screen's edge into view a whole column at a time
    # (DataTable's own step, with a row cursor, is one character).
    def action_cursor_right(self) -> None:
        self._scroll_to_column(+1)

    def action_cursor_left(self) -> None:
        self._scroll_to_column(-1)

    def _scroll_to_column(self, step: int) -> None:
        widths = [column.get_render_width(self) for column in self.ordered_columns]
        fixed = sum(widths[:self.fixed_columns])
        # the scroll that puts each column just after the fixed ones
        stops = [sum(widths[:i]) - fixed for i in range(self.fixed_columns, len(widths))]
        here = round(self.scroll_x)
        if step > 0:
            target = next((x for x in stops if x > here), None)
            if target is None or target > self.max_scroll_x:
                # the rest is in view but for the last column's padding, or else the last
                # columns come in at the cost of cutting the one after the first
                hidden = self.max_scroll_x - here
                target = self.max_scroll_x if hidden > 2 * self.cell_padding else here
        else:
            target = max((x for x in stops if x < here), default=0)
        self.scroll_to(x=target, animate=False)


class WindowTable(Table):
    """A DataTable holding rows `start` … `start + row_count` of a list of `total` rows.

    Moving near either edge of the window asks its view for the rows around the cursor; `g`
    and `G` ask for the first and the last rows. The cursor stays on the same record while the
    window moves under it.
    """

    MARK, UNMARKED = "● ", "  "  # before the first cell of a selected row, of any other

    def __init__(self, view: BrowseView, **kwargs):
        super().__init__(**kwargs)
        self.view = view
        self.start = 0
        self.total = 0
        self.selected: set[str] = set()  # keys of the rows picked with space

    @property
    def position(self) -> int:
        """The highlighted record's place in the whole list."""
        return self.start + self.cursor_row

    def show_window(self, start: int, rows: list[tuple[str, list]], total: int,
                    position: int | None) -> None:
        """Put rows `start` … in the table; the cursor on record `position` (None: the
        record it was on)."""
        if position is None:
            position = self.position
        self.clear()
        self.start, self.total = start, total
        for key, values in rows:
            cells = list(map(cell, values))
            cells[0] = (self.MARK if key in self.selected else self.UNMARKED) + cells[0]
            self.add_row(*map(cell_text, cells), key=key)
        if rows:
            self.move_cursor(row=min(max(position - start, 0), len(rows) - 1), animate=False)

    def toggle_selected(self) -> None:
        """Select the highlighted row, or unselect it, and move to the next row."""
        if not self.row_count:
            return
        row = self.cursor_row
        key = self.coordinate_to_cell_key((row, 0)).row_key.value
        self.selected ^= {key}
        text = str(self.get_cell_at((row, 0)))[len(self.MARK):]
        mark = self.MARK if key in self.selected else self.UNMARKED
        self.update_cell_at((row, 0), cell_text(mark + text))
        self.move_cursor(row=row + 1)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = event.cursor_row
        if row != self.cursor_row or self.view.reading:
            return  # (a row passed while the window was being replaced)
        near_end = row >= self.row_count - EDGE and self.start + self.row_count < self.total
        near_start = row < EDGE and self.start > 0
        if near_end or near_start:
            self.view.load(max(self.position - WINDOW // 2, 0))

    def action_first(self) -> None:
        if self.start == 0:
            self.move_cursor(row=0)
        else:
            self.view.load(0, position=0)

    def action_last(self) -> None:
        if self.view.counting:  # (the last row is not known yet)
            self.view.when_counted(self.action_last)
        elif self.start + self.row_count >= self.total:
            self.move_cursor(row=self.row_count - 1)
        else:
            self.view.load(max(self.total - WINDOW, 0), position=self.total - 1)


class BrowseView(TableView):
    """A filter box over a `WindowTable` of one kind of record, sorted in the database.

    Subclasses name the columns and, for each, the sort it means (None: not sortable), and
    count and fetch rows; all of it runs in workers.
    """

    sorts: Sequence[str | None] = ()  # per column: the list's sort name, or None
    first_steps = "I imports a report or your own file, a adds one"  # (to an empty store)
    # The view shown at start reads at once; the others once its first rows are on screen
    # (`FirstWindow`), or when shown: the first rows the operator sees do not share the
    # interpreter with a hidden view's read.
    read_at_start = True

    def __init__(self, store_id: int, **kwargs):
        super().__init__(store_id, **kwargs)
        self.sort_column: int | None = None  # None: the list's own order
        self.descending = False
        self.counting = False  # the rows are shown, and the list's length is being counted
        self._when_counted: Callable[[], object] | None = None  # (`G` while counting)
        self._counted: tuple[str | None] | None = None  # the search the table's total counts
        self._asked = 0  # reads asked for: only the last one asked for is shown
        self._shown_once = False
        self._settle_reload = Settle(self, FILTER_DELAY)
        self._caveat: str | None = None  # (`caveat`, read with the list)

    def make_table(self) -> WindowTable:
        return WindowTable(self)

    @property
    def table(self) -> WindowTable:
        return self.query_one(WindowTable)

    # (Textual calls the handler of every class on the MRO: TableView's own `on_mount` and
    # `on_data_table_row_highlighted` run too, so these must not call super(); that made
    # the tables' columns twice over and read every row's details twice.)
    def on_mount(self) -> None:
        if self.read_at_start:
            self.reload()

    @property
    def asked(self) -> bool:
        """Whether rows were ever asked for (a view waiting to read at start has not)."""
        return self._asked > 0

    class FirstWindow(Message):
        """A view's first rows are on screen: the views that wait for it may read theirs."""

    def count(self, store, search: str | None) -> int:
        raise NotImplementedError

    def caveat(self, store) -> str | None:
        """What the rows' numbers leave out, in a few words for the status line (a report
        not imported), or None: at 80 columns the details pane that says it is hidden."""
        return None

    def fetch(self, store, search: str | None, sort: str | None, descending: bool,
              offset: int, limit: int, from_end: bool) -> list[tuple[str, list]]:
        """Rows as (key, cell values), in the database's order for `sort` (`from_end`:
        `offset` counts from the last row)."""
        raise NotImplementedError

    def reload(self, *, recount: bool = True) -> None:
        """Read from the first row again, and count the rows (a new filter, a refresh, an
        edit); `recount=False`: a new order of the same rows, whose count is kept when the
        table's total is that of the search in force."""
        self._settle_reload.cancel()
        self.load(0, position=0, recount=recount)

    def load(self, offset: int, *, position: int | None = None, recount: bool = False) -> None:
        """Read WINDOW rows from `offset` in a worker and show them (the cursor on record
        `position`; None: where it is)."""
        self._asked += 1
        self.reading = True
        self.set_status(f"loading {self.noun}…")
        sort = None if self.sort_column is None else self.sorts[self.sort_column]
        known = not recount and not self.counting and self._counted == (self.search,)
        self._load(self._asked, offset, position, self.table.total if known else None,
                   self.search, sort, self.descending)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rows")
    def _load(self, asked: int, offset: int, position: int | None, total: int | None,
              search: str | None, sort: str | None, descending: bool) -> None:
        try:
            store = store_by_id(self.store_id)
            if offset == 0:  # (a new read of the list: its numbers' caveat may have changed)
                caveat = self.caveat(store)
                self.app.call_from_thread(setattr, self, "_caveat", caveat)
            rows = None
            if total is None and offset == 0:
                # From the first row, the window is read and shown before the count: a list
                # shorter than a window (most filters) is counted by it, and read once; a
                # longer one is counted while the operator reads its first rows.
                rows = self.fetch(store, search, sort, descending, 0, WINDOW, False)
                if len(rows) == WINDOW:
                    if get_current_worker().is_cancelled:
                        return
                    self.app.call_from_thread(self._show_window, asked, 0, rows, None,
                                              position, search)
                    total = self.count(store, search)
                    if not get_current_worker().is_cancelled:
                        self.app.call_from_thread(self._show_count, asked, total, search)
                    return
                total = len(rows)
            elif total is None:
                total = self.count(store, search)
            offset = min(offset, max(total - WINDOW, 0))
            if rows is None:
                # A window nearer the end is read from the end: the database steps over the
                # rows after it rather than all the rows before it (`G` on 200,000 keywords).
                after = total - offset - WINDOW
                from_end = 0 < offset and after < offset
                rows = self.fetch(store, search, sort, descending,
                                  max(after, 0) if from_end else offset, WINDOW, from_end)
        except KwtrackError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_window, asked, offset, rows, total, position,
                                      search)

    def _show_window(self, asked, offset, rows, total, position, search) -> None:
        """Rows read (`total` None: the list is being counted, and holds at least these)."""
        if asked != self._asked:
            return  # (a newer read was asked for meanwhile: a filter or sort keys still came)
        if not self._shown_once:
            self._shown_once = True
            self.post_message(self.FirstWindow())
        self.reading = False
        self.counting = total is None
        self._when_counted = None
        if not self.counting:
            self._counted = (search,)
        self.table.show_window(offset, rows, offset + len(rows) if total is None else total,
                               position)
        self.show_position()
        if not rows:
            self._show_details("")

    def _show_count(self, asked, total, search) -> None:
        if asked != self._asked:
            return
        self.counting = False
        self._counted = (search,)
        self.table.total = total
        self.show_position()
        then, self._when_counted = self._when_counted, None
        if then is not None:
            then()

    def when_counted(self, action: Callable[[], object]) -> None:
        """Run `action` once the list is counted (at once when it is)."""
        if self.counting:
            self._when_counted = action
        else:
            action()

    def _failed(self, text: str) -> None:
        self.reading = False
        if not self.query_one(Input).has_focus:  # (while a filter is typed, the status says it)
            self.notify(text, severity="error")
        self.set_status(text)

    def show_position(self) -> None:
        table = self.table
        if not table.total:
            shown = f"no {self.noun}"
            if not self.search:
                shown += f" yet: {self.first_steps}"
        else:
            total = (f"{table.total:,}+ {self.noun} (counting…)" if self.counting
                     else f"{table.total:,} {self.noun}" if table.total > 1
                     else f"1 {self.noun.removesuffix('s')}")  # (every noun takes an `s`)
            shown = (f"{table.position + 1:,} of {total} (rows "
                     f"{table.start + 1:,}–{table.start + table.row_count:,} loaded)")
        if self.sort_column is not None:
            shown += f" · by {self.columns[self.sort_column]} {'↓' if self.descending else '↑'}"
        if self.search:
            shown += f" · filter: {self.search!r}"
        if table.selected:
            shown += f" · {len(table.selected):,} selected"
        if self._caveat:
            shown += f" · {self._caveat}"
        self.set_status(shown)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.table.total:
            self.show_position()

    def sort(self, reverse: bool) -> str:
        """Sort by the next sortable column (`reverse`: the same one, the other way), in the
        database; returns what the rows are sorted by."""
        sortable = [i for i, name in enumerate(self.sorts) if name is not None]
        if reverse and self.sort_column is not None:
            self.descending = not self.descending
        else:
            later = [i for i in sortable if self.sort_column is None or i > self.sort_column]
            self.sort_column = later[0] if later else None
            self.descending = False
        self._reload_soon(recount=False)  # (the same rows: their count stands)
        if self.sort_column is None:
            return "the list's own order"
        return f"{self.columns[self.sort_column]} {'↓' if self.descending else '↑'}"

    def apply_filter(self, *, soon: bool) -> None:
        """Show the rows `search` keeps: in the database (`soon`: once keys pause)."""
        if soon:
            self._reload_soon()
        else:
            self.reload()

    def _reload_soon(self, *, recount: bool = True) -> None:
        """Reload at once, or, while keys come fast, once they pause: `s s s` or typing a
        word read the database once or twice, not once per key (a read under way cannot be
        stopped)."""
        self._asked += 1
        self.reading = True
        self.set_status(f"loading {self.noun}…")
        self._settle_reload(partial(self.reload, recount=recount))

