"""The kwtrack terminal UI: seven views in tabs, driven from the keyboard."""

from __future__ import annotations

from textual import work
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, TabbedContent, TabPane

from kwtrack import __version__
from kwtrack.errors import KwtrackError
from kwtrack.store.database import store_by_id
from kwtrack.tui.commands import KwtrackCommands, bindings, offered
from kwtrack.tui.dialogs import (
    BidDialog,
    ConfirmDialog,
    DeleteDialog,
    ExportDialog,
    HelpScreen,
    ImportDialog,
)
from kwtrack.tui.forms import FormDialog, LinkDialog, ResultDialog
from kwtrack.tui.reports import (
    BidsView,
    CleanupView,
    DuplicatesView,
    HistoryView,
    ReportView,
    ReviewView,
    plan_report,
    title_report,
)
from kwtrack.tui.views import KeywordsView, ProductsView
from kwtrack.tui.widgets import BrowseView, SaysWorkerErrors
from kwtrack.wording import counted, price, step


class KwtrackApp(SaysWorkerErrors, App[None]):
    """One store's products, keywords, bids, weekly review, clean-up, duplicates and history,
    each a view switched with a number key; every command also in the palette (ctrl+p)."""

    TITLE = "kwtrack"
    # The details pane hides as a whole (every view) when asked, or on a narrow terminal.
    CSS = """
    .-no-details VerticalScroll.details { display: none; }
    """
    NARROW = 100  # columns below which the details pane starts hidden
    LISTED = 15  # rows a question lists (bid changes, links; it counts the rest)
    BINDINGS = bindings()
    COMMANDS = App.COMMANDS | {KwtrackCommands}

    def __init__(self, store_id: int, config=None, **kwargs):
        """`config`: the review and bid thresholds (`kwtrack.config.Config`; default: the
        user's file), as `kwtrack --config FILE` gives them."""
        super().__init__(**kwargs)
        self.store_id = store_id
        if config is None:
            from kwtrack.config import load_config

            config = load_config()
        self.config = config
        # The view shown (kept here: the palette asks from a screen of its own).
        self.view_name = "products"

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
        self.query_one("#products-view").table.focus()

    def action_toggle_details(self) -> None:
        self.toggle_class("-no-details")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row shows its details where the pane was hidden (as `i` does)."""
        self.remove_class("-no-details")

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.view_name = event.pane.id
        self.refresh_bindings()  # (the footer offers the commands of this view)
        self._read_if_never(self.query_one(f"#{event.pane.id}-view"))

    def offers(self, action: str) -> bool:
        """Whether a command works on the view shown (`kwtrack.tui.commands.offered`)."""
        return offered(action, self.view_name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys and the footer offer only the commands of the view shown."""
        return self.offers(action)

    def on_browse_view_first_window(self, event: BrowseView.FirstWindow) -> None:
        for view in self.query(BrowseView):
            self._read_if_never(view)

    def _read_if_never(self, view) -> None:
        """Read a view's rows if it has not yet (it waited for the first view's, or for
        being shown)."""
        if isinstance(view, ReportView) and not view.loaded:
            view.refresh_rows()
        elif isinstance(view, BrowseView) and not view.asked:
            view.reload()

    def action_show(self, name: str) -> None:
        self.query_one(TabbedContent).active = name
        view = self.query_one(f"#{name}-view")
        self._read_if_never(view)
        view.table.focus()

    def _current(self):
        return self.query_one(f"#{self.query_one(TabbedContent).active}-view")

    def action_refresh(self) -> None:
        view = self._current()
        if isinstance(view, ReportView):
            view.refresh_rows()
        else:  # counted again, the cursor kept on its row
            view.load(view.table.start, recount=True)

    def action_week(self, step: int) -> None:
        view = self._current()
        if isinstance(view, ReviewView):
            view.move_week(step)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.view_name))

    def action_mark(self, snooze: int) -> None:
        view = self._current()
        if not isinstance(view, ReviewView) or not view.table.row_count:
            self.notify("Items are marked on the Review view (4)", severity="warning")
            return
        if view.highlighted_key() not in view.items:
            self.notify("The store's, the categories' and the P4P plan's rows are figures, not "
                        "items to mark (P changes the plan)", severity="warning")
            return
        section, item = view.items[view.highlighted_key()]
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

    def action_filter(self) -> None:
        self._current().action_filter()

    def action_clear_filter(self) -> None:
        self._current().action_clear_filter()

    def action_sort(self, reverse: bool) -> None:
        self.notify(f"sorted by {self._current().sort(reverse)}")

    def action_span(self) -> None:
        self.notify(f"numbers over {self._current().widen()}")

    def _highlighted(self) -> tuple[str, str | None]:
        """The current view's name and the key of its highlighted row (a product ID or a
        keyword), if any."""
        name = self.query_one(TabbedContent).active
        view = self._current()
        key = view.highlighted_key()
        if key is not None and isinstance(view, ReviewView):  # (an item: its word, if any)
            key = view.items[key][1].keyword if key in view.items else None
        return name, key

    def _after_change(self, changed: bool | None) -> None:
        if changed:
            self.action_refresh()

    def action_delete(self) -> None:
        name, key = self._highlighted()
        if key is None:
            return
        # (the rows picked with space, on Products and Keywords; Clean-up and Duplicates
        # delete their highlighted row)
        selected = getattr(self._current().table, "selected", set())
        chosen = sorted(selected) or [key]
        if name == "keywords":
            self._delete_keywords(chosen, selected)
            return

        def done(changed: bool | None) -> None:
            if changed:
                selected.clear()
            self._after_change(changed)

        self.push_screen(DeleteDialog(self.store_id, chosen), done)

    def _delete_keywords(self, chosen: list[str], selected: set[str]) -> None:
        """Words leave the library: asked, then archived together (one change)."""
        from kwtrack.edits import delete_keywords

        def write(store) -> int:
            action = delete_keywords(store, chosen)[0]
            selected.clear()  # (done: the rows read again are marked no more)
            return action

        one = len(chosen) == 1
        self._ask_then_write(
            f"Delete the keyword {chosen[0]!r} from the library?" if one else
            f"Delete {counted(len(chosen), 'keyword')} from the library?", [] if one else chosen,
            "They leave the lists, the review and the coverage check; their stats and links "
            "are kept.", "delete", write, f"deleted {counted(len(chosen), 'keyword')}")

    def action_delete_safe(self) -> None:
        view = self._current()
        if not isinstance(view, CleanupView):
            return
        safe = [c.product_id for c in getattr(view, "report", {}).values() if not c.orphaned]
        if not safe:
            self.notify("no candidate is safe to delete: each would orphan keywords")
            return
        self.push_screen(DeleteDialog(self.store_id, safe), self._after_change)

    def action_import_file(self) -> None:
        self.push_screen(ImportDialog(self.store_id), self._after_change)

    def action_export_store(self) -> None:
        self.push_screen(ExportDialog(self.store_id))

    def action_bid(self) -> None:
        _, key = self._highlighted()
        if key is None:
            return
        view = self._current()
        # (a Review raise or cut item: its proposed bid, offered)
        proposal = view.proposal(view.highlighted_key()) if isinstance(view, ReviewView) else None
        self._open_bid(key, proposal)

    @work(thread=True, exit_on_error=False)
    def _open_bid(self, keyword: str, proposal=None) -> None:
        from kwtrack.bids import current_bid

        bid = current_bid(store_by_id(self.store_id), keyword)
        self.call_from_thread(self.push_screen, BidDialog(self.store_id, keyword, bid,
                                                          proposal), self._after_change)

    def action_bid_limits(self) -> None:
        _, key = self._highlighted()
        if key is not None:
            self._open_limits(key)

    @work(thread=True, exit_on_error=False)
    def _open_limits(self, keyword: str) -> None:
        from kwtrack import bids

        form = FormDialog(self.store_id, f"Bid limits of {keyword!r}", bids.LIMITS_FORM,
                          bids.limits_values(store_by_id(self.store_id), keyword),
                          bids.limits_problems, lambda store, values: bids.set_limits_from_form(
                              store, keyword, values, self.config))
        self.call_from_thread(self.push_screen, form, self._after_change)

    @work(thread=True, exit_on_error=False)
    def action_apply_review(self) -> None:
        """The week's proposed bid changes (the Review's week, else the latest), asked
        first, applied as one change."""
        from kwtrack.bids import apply_proposals, review_proposals
        from kwtrack.review import TITLES

        view = self._current()
        week = view.week if isinstance(view, ReviewView) else None
        store = store_by_id(self.store_id)
        try:
            changing = [p for p in review_proposals(store, week, self.config)
                        if p.new_bid is not None]
        except KwtrackError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        if not changing:
            self.call_from_thread(self.notify, "the review proposes no bid change this week")
            return
        self.call_from_thread(
            self._ask_then_write,
            f"Apply the review's {counted(len(changing), 'bid change')}?",
            [f"{p.keyword}: {step(p.old_bid, p.new_bid, price)} ({TITLES[p.rule]})"
             for p in changing], "They are one change: u undoes them together.", "apply them",
            lambda store: apply_proposals(store, changing),
            f"{counted(len(changing), 'bid')} changed")

    def action_link_carriers(self) -> None:
        """The highlighted candidate's orphans, each linked to the live product the check
        suggests to carry it (`CoverageReport.handovers`), asked first, as one change."""
        from kwtrack.edits import link_all

        view, (_, key) = self._current(), self._highlighted()
        if key is None or not isinstance(view, CleanupView):
            return
        handovers = view.check.handovers({key})
        if not handovers:
            self.notify(f"{key}: no orphan has a live product to carry it" if
                        view.report[key].orphaned else f"{key} orphans nothing")
            return
        self._ask_then_write(
            f"Link {counted(len(handovers), 'orphaned keyword')} of {key}, each to the live "
            "product suggested to carry it?", [str(h) for h in handovers],
            "Add them to those products' keywords on Alibaba.com too. One change: u undoes it.",
            "link them", lambda store: link_all(
                store, [(h.keyword, h.product_id) for h in handovers],
                "linked to carry an orphan of the coverage check"),
            f"{counted(len(handovers), 'keyword')} linked")

    def _ask_then_write(self, head: str, rows: list[str], tail: str, verb: str, write,
                        done: str) -> None:
        """Ask `head`, listing the first LISTED `rows` (the rest counted), then `tail`; on
        yes, run `write(store)` (→ its action number) in a worker and say `done` with the
        change's number, then read the view again."""
        listed = [f"  {row}" for row in rows[:self.LISTED]]
        if len(rows) > self.LISTED:
            listed.append(f"  … and {len(rows) - self.LISTED:,} more")
        question = "\n\n".join(filter(None, [head, "\n".join(listed), tail]))

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(write, done)

        self.push_screen(ConfirmDialog(question, verb), answered)

    @work(thread=True, exit_on_error=False)
    def _write(self, write, done: str) -> None:
        try:
            action = write(store_by_id(self.store_id))
        except KwtrackError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.call_from_thread(self.notify, f"{done} (change {action}; u undoes it)")
        self.call_from_thread(self.action_refresh)

    def action_key_group(self) -> None:
        _, key = self._highlighted()
        if key is not None:
            self._to_key_group(key)

    @work(thread=True, exit_on_error=False)
    def _to_key_group(self, keyword: str) -> None:
        from kwtrack.edits import move_to_group

        group = self.config.review.key_group
        try:
            action = move_to_group(store_by_id(self.store_id), keyword, group)
        except KwtrackError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        if action is None:
            self.call_from_thread(self.notify, f"{keyword}: in the key group {group!r} already")
            return
        self.call_from_thread(self.notify, f"{keyword}: into the key group {group!r} (change "
                              f"{action}; u undoes it)")
        self.call_from_thread(self.action_refresh)

    def action_track(self) -> None:
        _, key = self._highlighted()
        if key is None:
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
        """Undo the newest change; an import (thousands of rows, which redo does not bring
        back) or another person's change only once the user says so: `u` is one stray key
        away from a typed word, and a teammate's work is theirs."""
        from kwtrack.history import import_to_undo, someone_elses_newest, undo

        store = store_by_id(self.store_id)
        batch, other = import_to_undo(store), someone_elses_newest(store)
        if batch is None and other is None:
            self._after_history(undo, "nothing to undo")
            return
        question = "" if other is None else (
            f"The newest change is {other}.\n\nUndo takes changes back newest first: "
            "yours come after it.\n\n")
        if batch is not None:
            question += (f"Undo import {batch.id}: {batch.file_name} ({batch.kind}, "
                         f"{counted(batch.rows_read, 'row')}, imported "
                         f"{str(batch.imported_at)[:16]})?\n\nIts rows leave the store, and "
                         "redo does not bring them back: only importing the file again does.")
        else:
            question += "Undo it?"
        import_id = batch.id if batch is not None else None

        def answered(yes: bool | None) -> None:
            if yes:
                self._undo_asked(import_id, other)

        self.call_from_thread(self.push_screen, ConfirmDialog(
            question, "undo the import" if batch is not None else "undo their change"),
            answered)

    @work(thread=True, exit_on_error=False)
    def _undo_asked(self, import_id: int | None, other: str | None) -> None:
        from kwtrack.history import undo

        self._after_history(lambda store: undo(store, import_id, theirs=True, asked=other),
                            "nothing to undo")

    @work(thread=True, exit_on_error=False)
    def action_redo(self) -> None:
        """Redo the change undone last; one another person undid only once asked."""
        from kwtrack.history import NOTHING_TO_REDO, redo, someone_elses_undo

        other = someone_elses_undo(store_by_id(self.store_id))
        if other is None:
            self._after_history(redo, NOTHING_TO_REDO)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._redo_asked(other)

        self.call_from_thread(self.push_screen, ConfirmDialog(
            f"The change undone last is {other}.\n\nRedo it?", "redo it"), answered)

    @work(thread=True, exit_on_error=False)
    def _redo_asked(self, other: str) -> None:
        from kwtrack.history import NOTHING_TO_REDO, redo

        self._after_history(lambda store: redo(store, theirs=True, asked=other),
                            NOTHING_TO_REDO)

    def _after_history(self, step, nothing: str) -> None:
        """Run `undo` or `redo` (in the calling worker) and say what it did."""
        try:
            said = step(store_by_id(self.store_id))
        except KwtrackError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.call_from_thread(self.notify, said or nothing)
        if said:
            self.call_from_thread(self.action_refresh)

    # Adding, editing and linking: forms over kwtrack.edits, on the Products and Keywords views.

    def action_add(self) -> None:
        from kwtrack import edits

        name, _ = self._highlighted()
        if name == "products":
            self.push_screen(FormDialog(
                self.store_id, "Add a product", edits.PRODUCT_FORM, {"status": "online"},
                lambda values: edits.product_problems(values, adding=True), edits.add_product),
                self._after_change)
        else:
            self.push_screen(FormDialog(
                self.store_id, "Add a keyword", edits.KEYWORD_FORM, {}, edits.keyword_problems,
                edits.add_keyword, _GROUPS_OFFERED), self._after_change)

    def action_edit(self) -> None:
        name, key = self._highlighted()
        if key is None:
            return
        self._open_edit(name, key)

    @work(thread=True, exit_on_error=False)
    def _open_edit(self, name: str, key: str) -> None:
        from kwtrack import catalog, edits

        store = store_by_id(self.store_id)
        if name == "products":
            found = catalog.product_details(store, key)
            if found is None:
                return
            p = found.product
            form = FormDialog(self.store_id, f"Edit product {key}", edits.PRODUCT_FORM[1:],
                              {"title": p.title, "category": p.category or "",
                               "status": p.status},
                              lambda values: edits.product_problems(values, adding=False),
                              lambda store, values: edits.edit_product(store, key, values))
        else:
            found = catalog.keyword_details(store, key)
            if found is None:
                return
            k = found.keyword
            form = FormDialog(self.store_id, f"Edit keyword {k.keyword!r}",
                              edits.KEYWORD_FORM[1:],
                              {"keyword": k.keyword, "group": k.group or "",
                               "status": found.status or "", "notes": found.notes or ""},
                              edits.keyword_problems,
                              lambda store, values: edits.edit_keyword(store, key, values),
                              _GROUPS_OFFERED)
        self.call_from_thread(self.push_screen, form, self._after_change)

    def action_link(self) -> None:
        from kwtrack import edits

        name, key = self._highlighted()
        if key is None:
            return
        if name == "products":
            field, fixed = edits.KEYWORD_FORM[0], {"product_id": key}
        else:
            field, fixed = edits.PRODUCT_FORM[0], {"keyword": key}
        self.push_screen(LinkDialog(
            self.store_id, f"Link {key} with a {field.label.lower()}", field, fixed,
            lambda store, v: edits.link(store, v["keyword"], v["product_id"]),
            lambda store, v: edits.unlink(store, v["keyword"], v["product_id"]),
            lambda store: edits.completions(store, field.name),
            (lambda store, v: edits.link(store, v["keyword"], v["product_id"], add=True))
            if field.name == "keyword" else None,
            (lambda store: edits.carriers(store, key)) if field.name == "product_id" else None),
            self._after_change)

    def action_select(self) -> None:
        view = self._current()
        view.table.toggle_selected()
        view.show_position()

    # Checks from the palette

    def action_check_title(self) -> None:
        self.push_screen(ResultDialog(self.store_id, "Check a draft title", title_report,
                                      ask="Draft title (Enter checks)"))

    def action_schedule_check(self) -> None:
        rules = self.config.review
        self.push_screen(ResultDialog(self.store_id, "The P4P plan: budget and promotion hours",
                                      lambda store: plan_report(store, rules)))

    def action_p4p_plan(self) -> None:
        self._open_plan()

    @work(thread=True, exit_on_error=False)
    def _open_plan(self) -> None:
        from kwtrack import bids

        form = FormDialog(self.store_id, "The P4P plan (blank: left as it is)", bids.PLAN_FORM,
                          bids.plan_values(store_by_id(self.store_id)), bids.plan_problems,
                          bids.set_plan_from_form)
        self.call_from_thread(self.push_screen, form, self._after_plan)

    def _after_plan(self, changed: bool | None) -> None:
        if changed:  # (what the new hours cover, at once)
            self.action_refresh()
            self.action_schedule_check()

    def action_growth_level(self) -> None:
        from kwtrack import review

        self.push_screen(FormDialog(self.store_id, "The P4P growth level the back end shows "
                                    "today", review.GROWTH_FORM, {}, review.growth_problems,
                                    review.record_level_from_form),
                         lambda changed: changed and self.action_refresh())


def _groups(store) -> list[str]:
    from kwtrack import edits

    return edits.completions(store, "group")


_GROUPS_OFFERED = {"group": _groups}  # (a keyword form's group, completed as it is typed)


REPORTS = (("bids", "3 Bids", BidsView), ("review", "4 Review", ReviewView),
           ("cleanup", "5 Clean-up", CleanupView), ("duplicates", "6 Duplicates", DuplicatesView),
           ("history", "7 History", HistoryView))
