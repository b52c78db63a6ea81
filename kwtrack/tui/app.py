"""The kwtrack terminal UI: seven views in tabs, driven from the keyboard."""

from __future__ import annotations

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Markdown, TabbedContent, TabPane

from kwtrack import __version__
from kwtrack.errors import KwtrackError
from kwtrack.store.database import store_by_id
from kwtrack.tui.commands import KwtrackCommands, bindings, help_markdown
from kwtrack.tui.dialogs import BidDialog, DeleteDialog, ExportDialog, ImportDialog
from kwtrack.tui.reports import (
    BidsView,
    CleanupView,
    DuplicatesView,
    HistoryView,
    ReportView,
    ReviewView,
)
from kwtrack.tui.views import KeywordsView, ProductsView


class HelpScreen(ModalScreen[None]):
    """The keys, on top of whatever is open."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 80; height: auto; max-height: 90%;
                                  border: thick $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(help_markdown())


class KwtrackApp(App[None]):
    """One store's products, keywords, bids, weekly review, clean-up, duplicates and history,
    each a view switched with a number key; every command also in the palette (ctrl+p)."""

    TITLE = "kwtrack"
    # The details pane hides as a whole (every view) when asked, or on a narrow terminal.
    CSS = """
    .-no-details VerticalScroll.details { display: none; }
    """
    NARROW = 100  # columns below which the details pane starts hidden
    BINDINGS = bindings()
    COMMANDS = App.COMMANDS | {KwtrackCommands}

    def __init__(self, store_id: int, **kwargs):
        super().__init__(**kwargs)
        self.store_id = store_id

    def compose(self) -> ComposeResult:
        store = store_by_id(self.store_id)
        self.sub_title = f"store: {store.name} — v{__version__}"
        yield Header()
        with TabbedContent(initial="products"):
            with TabPane("1 Products", id="products"):
                yield ProductsView(self.store_id, id="products-view")
            with TabPane("2 Keywords", id="keywords"):
                yield KeywordsView(self.store_id, id="keywords-view")
            for view, label, widget in REPORTS:
                with TabPane(label, id=view):
                    yield widget(self.store_id, id=f"{view}-view")
        yield Footer()

    def on_mount(self) -> None:
        self.set_class(self.size.width < self.NARROW, "-no-details")
        self.query_one("#products-view PagedTable").focus()

    def action_toggle_details(self) -> None:
        self.toggle_class("-no-details")

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        view = self.query_one(f"#{event.pane.id}-view")
        if isinstance(view, ReportView) and not view.loaded:
            view.refresh_rows()

    def action_show(self, name: str) -> None:
        self.query_one(TabbedContent).active = name
        view = self.query_one(f"#{name}-view")
        if isinstance(view, ReportView):
            if not view.loaded:
                view.refresh_rows()
            view.table.focus()
        else:
            view.query_one("PagedTable").focus()

    def _current(self):
        return self.query_one(f"#{self.query_one(TabbedContent).active}-view")

    def action_refresh(self) -> None:
        view = self._current()
        if isinstance(view, ReportView):
            view.refresh_rows()
        else:
            view.table.reload()
            view.show_position()

    def action_week(self, step: int) -> None:
        view = self._current()
        if isinstance(view, ReviewView):
            view.move_week(step)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_mark(self, snooze: int) -> None:
        view = self._current()
        if not isinstance(view, ReviewView) or not view.table.row_count:
            self.notify("Items are marked on the Review view (4)", severity="warning")
            return
        key = view.table.coordinate_to_cell_key((view.table.cursor_row, 0)).row_key.value
        section, item = view.items[key]
        self._mark(section, item.keyword or item.product_id, view.week, snooze or None)

    @work(thread=True, exit_on_error=False)
    def _mark(self, section: str, name: str, week, snooze: int | None) -> None:
        from kwtrack.review import mark_item

        try:
            mark_item(store_by_id(self.store_id), name, section, week=week, snooze_weeks=snooze)
        except KwtrackError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.call_from_thread(self.notify, f"{name}: {section} "
                              + ("snoozed for a week" if snooze else "done"))
        self.call_from_thread(self.action_refresh)

    def action_sort(self, reverse: bool) -> None:
        view = self._current()
        if not isinstance(view, ReportView):
            self.notify("Products and Keywords come in pages from the database: they are not "
                        "sorted here yet", severity="warning")
            return
        self.notify(f"sorted by {view.sort(reverse)}")

    def _highlighted(self) -> tuple[str, str | None]:
        """The current view's name and the key of its highlighted row (a product ID or a
        keyword), if any."""
        name = self.query_one(TabbedContent).active
        view = self._current()
        table = view.table
        if not table.row_count:
            return name, None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        if isinstance(view, ReviewView):
            item = view.items[key][1]
            key = item.keyword
        return name, key

    def _after_change(self, changed: bool | None) -> None:
        if changed:
            self.action_refresh()

    def action_delete(self) -> None:
        name, key = self._highlighted()
        if name != "products" or key is None:
            self.notify("Delete works on the Products view (1)", severity="warning")
            return
        self.push_screen(DeleteDialog(self.store_id, [key]), self._after_change)

    def action_import_file(self) -> None:
        self.push_screen(ImportDialog(self.store_id), self._after_change)

    def action_export_store(self) -> None:
        self.push_screen(ExportDialog(self.store_id))

    def action_bid(self) -> None:
        name, key = self._highlighted()
        if name not in ("keywords", "bids", "review") or key is None:
            self.notify("Bids are set on the Keywords, Bids or Review view", severity="warning")
            return
        self._open_bid(key)

    @work(thread=True, exit_on_error=False)
    def _open_bid(self, keyword: str) -> None:
        from kwtrack.bids import list_bids

        bid = next((b.bid for b in list_bids(store_by_id(self.store_id))
                    if b.keyword == keyword), None)
        self.call_from_thread(self.push_screen, BidDialog(self.store_id, keyword, bid),
                              self._after_change)

    def action_track(self) -> None:
        name, key = self._highlighted()
        if name not in ("keywords", "bids", "review") or key is None:
            self.notify("Words are tracked from the Keywords, Bids or Review view",
                        severity="warning")
            return
        self._toggle_track(key)

    @work(thread=True, exit_on_error=False)
    def _toggle_track(self, keyword: str) -> None:
        from kwtrack.review import set_tracked

        store = store_by_id(self.store_id)
        try:
            now_tracked = set_tracked(store, [keyword], True) == 1
            if not now_tracked:
                set_tracked(store, [keyword], False)
        except KwtrackError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        state = "tracked" if now_tracked else "no longer tracked"
        self.call_from_thread(self.notify, f"{keyword}: {state}")

    @work(thread=True, exit_on_error=False)
    def action_undo(self) -> None:
        from kwtrack.history import newest_is_an_import, undo_last
        from kwtrack.imports import undo_import

        store = store_by_id(self.store_id)
        if newest_is_an_import(store):  # as `kwtrack undo`: the newest change, whichever kind
            try:
                batch = undo_import(store)
            except KwtrackError as exc:
                self.call_from_thread(self.notify, str(exc), severity="error")
                return
            self.call_from_thread(self.notify, f"undid import {batch.id}: {batch.file_name}")
            self.call_from_thread(self.action_refresh)
            return
        lines = undo_last(store)
        if not lines:
            self.call_from_thread(self.notify, "nothing to undo")
            return
        self.call_from_thread(self.notify, f"undid change {lines[0].action}: " + ", ".join(
            f"{line.entity} {line.label} {line.field}" for line in lines[:3]))
        self.call_from_thread(self.action_refresh)


REPORTS = (("bids", "3 Bids", BidsView), ("review", "4 Review", ReviewView),
           ("cleanup", "5 Clean-up", CleanupView), ("duplicates", "6 Duplicates", DuplicatesView),
           ("history", "7 History", HistoryView))
