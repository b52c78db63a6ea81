"""Modal dialogs: a yes-or-no question, deleting a product after the coverage check, setting a
bid, importing a file, exporting the store, and the help.

A dialog validates what is typed and says what is wrong next to the field; its database
work runs in a thread worker, and every change it makes is written at once (and logged, so
`u` undoes it).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Label, Markdown, ProgressBar, Static
from textual.worker import get_current_worker

from kwtrack.errors import KwtrackError
from kwtrack.store.database import store_by_id
from kwtrack.tui.commands import help_sections
from kwtrack.tui.reports import near_duplicate_lines, verdicts_markdown
from kwtrack.tui.widgets import SaysWorkerErrors
from kwtrack.values import parse_price
from kwtrack.wording import counted, price


class ConfirmDialog(ModalScreen[bool]):
    """A question a stray key must not answer: `y` says yes, `n`/Esc no (and other keys
    nothing)."""

    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical { width: 76; max-width: 95%; height: auto; border: thick $warning;
                               background: $surface; padding: 0 1; }
    ConfirmDialog .ask { height: auto; color: $warning; margin-top: 1; }
    """
    BINDINGS = [Binding("y", "yes", "Yes"), Binding("n,escape", "no", "No")]

    def __init__(self, question: str, yes: str):
        super().__init__()
        self.question, self.yes = question, yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            yield Static(f"y: {self.yes}   n / Esc: cancel", classes="ask", markup=False)

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


class DeleteDialog(SaysWorkerErrors, ModalScreen[bool]):
    """Deleting products: the coverage check first (what would be orphaned, who still covers
    the rest and how, near-duplicates, a replacement title); `y` archives, `n`/Esc cancels,
    and a delete that orphans keywords asks a second time."""

    DEFAULT_CSS = """
    DeleteDialog { align: center middle; }
    DeleteDialog > Vertical { width: 90%; height: 80%; border: thick $error;
                              background: $surface; padding: 0 1; }
    DeleteDialog VerticalScroll { height: 1fr; }
    DeleteDialog .ask { height: auto; color: $warning; }
    """
    BINDINGS = [Binding("y", "yes", "Archive"), Binding("n,escape", "no", "Cancel")]

    def __init__(self, store_id: int, product_ids: list[str]):
        super().__init__()
        self.store_id, self.product_ids = store_id, product_ids
        self.report = None
        self.confirmed_once = False

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll():
                yield Markdown("*running the coverage check…*", id="check")
            yield Static("", classes="ask", markup=False)

    def on_mount(self) -> None:
        self._check()

    @work(thread=True, exit_on_error=False)
    def _check(self) -> None:
        from kwtrack.cleanup import coverage_check

        try:
            report = coverage_check(store_by_id(self.store_id), self.product_ids)
        except KwtrackError as exc:
            self.app.call_from_thread(self.query_one("#check", Markdown).update, f"*{exc}*")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, report)

    def _show(self, report) -> None:
        self.report = report
        if len(self.product_ids) <= 3:
            lines = [f"# Delete {', '.join(self.product_ids)}?", ""]
        else:  # (the clean-up's safe candidates: a list)
            lines = [f"# Delete {counted(len(self.product_ids), 'product')}?", ""]
            lines += [f"- {c.product_id}: {c.title}" for c in report.candidates] + [""]
        orphans = report.orphaned
        lines += verdicts_markdown(report.keywords)
        for c in report.candidates:
            if c.near_duplicates:
                lines += ["", f"## Near-duplicates of {c.product_id}"]
                lines += near_duplicate_lines(c.near_duplicates)
        self.query_one("#check", Markdown).update("\n".join(lines))
        self.query_one(".ask", Static).update(
            f"y: archive ({counted(len(orphans), 'keyword')} would be orphaned — y asks "
            "again)   "
            "n / Esc: cancel" if orphans else "y: archive   n / Esc: cancel")

    def action_yes(self) -> None:
        if self.report is None:
            return
        if self.report.orphaned and not self.confirmed_once:
            self.confirmed_once = True
            self.query_one(".ask", Static).update(
                f"Really orphan {counted(len(self.report.orphaned), 'keyword')}? "
                "y: archive anyway   "
                "n / Esc: cancel")
            return
        self._archive()

    @work(thread=True, exit_on_error=False)
    def _archive(self) -> None:
        from kwtrack.history import archive_products

        orphans = len(self.report.orphaned)
        reason = "deleted in the TUI" + (f", orphaning {counted(orphans, 'keyword')}"
                                         if orphans else "")
        try:
            archive_products(store_by_id(self.store_id), self.product_ids, reason)
        except KwtrackError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error")
            self.app.call_from_thread(self.dismiss, False)
            return
        # (what to delete in Alibaba.com's back end too: the Products filter lists them)
        self.app.call_from_thread(
            self.app.notify, f"archived {counted(len(self.product_ids), 'product')}: u undoes "
            "it; on Products the filter archived:y lists the archived")
        self.app.call_from_thread(self.dismiss, True)

    def action_no(self) -> None:
        self.dismiss(False)


class BidDialog(SaysWorkerErrors, ModalScreen[bool]):
    """Setting a keyword's bid, with a reason: the price is checked as it is typed."""

    DEFAULT_CSS = """
    BidDialog { align: center middle; }
    BidDialog > Vertical { width: 60; height: auto; border: thick $primary;
                           background: $surface; padding: 1 2; }
    BidDialog .error { color: $error; height: auto; }
    BidDialog Label { width: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, store_id: int, keyword: str, bid: float | None, proposal=None):
        """`proposal`: the weekly review's proposed change of this bid (`kwtrack.bids.
        Proposal`), offered as the price and the reason."""
        super().__init__()
        self.store_id, self.keyword, self.bid = store_id, keyword, bid
        self.proposal = proposal if proposal is not None and proposal.new_bid else None

    def compose(self) -> ComposeResult:
        proposal = self.proposal
        offered = self.bid if proposal is None else proposal.new_bid
        said = "" if proposal is None else f"; the review proposes {price(proposal.new_bid)}"
        with Vertical():
            yield Label(f"Bid for {self.keyword!r} (now {price(self.bid)}{said}), CNY per click")
            yield Input(value="" if offered is None else f"{offered:.2f}", id="price")
            yield Static("", classes="error", id="price-error", markup=False)
            yield Label("Reason")
            yield Input(value="" if proposal is None else proposal.history_reason,
                        placeholder="why (kept in the bid history)", id="reason")
            yield Label("Enter saves, Esc cancels")

    def _price(self) -> float | None:
        try:
            price = parse_price(self.query_one("#price", Input).value)
        except ValueError as exc:
            self.query_one("#price-error", Static).update(str(exc))
            return None
        self.query_one("#price-error", Static).update("")
        return price

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "price":
            self._price()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        price = self._price()
        if price is not None:
            self._save(price, self.query_one("#reason", Input).value.strip() or None)

    @work(thread=True, exit_on_error=False)
    def _save(self, price: float, reason: str | None) -> None:
        from kwtrack.bids import set_bid

        try:
            set_bid(store_by_id(self.store_id), self.keyword, price, reason=reason,
                    config=self.app.config)
        except KwtrackError as exc:
            self.app.call_from_thread(self.query_one("#price-error", Static).update, str(exc))
            return
        self.app.call_from_thread(self.dismiss, True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ReportFiles(DirectoryTree):
    """A folder tree showing only what kwtrack can import (and the folders that may hold
    it), hidden files and folders left out."""

    SUFFIXES = {".csv", ".tsv", ".txt", ".xls", ".xlsx"}

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if not path.name.startswith(".")
                and (path.suffix.lower() in self.SUFFIXES or _is_folder(path))]


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # (a folder we may not read)
        return False


def start_folder() -> Path:
    """Where the picker opens: the Downloads folder, where the back end's exports land, when
    there is one."""
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.cwd()


class ImportDialog(SaysWorkerErrors, ModalScreen[bool]):
    """Importing a file from the TUI: picked in a folder tree or typed (the kind is detected
    from its headers), checked first by a dry run that says what would change, then Enter
    again imports it, all or nothing, with a progress bar; `u` undoes it afterwards like any
    import."""

    DEFAULT_CSS = """
    ImportDialog { align: center middle; }
    ImportDialog > Vertical { width: 90%; height: 90%; border: thick $primary;
                              background: $surface; padding: 0 1; }
    ImportDialog ReportFiles { height: 1fr; min-height: 4; }
    ImportDialog ProgressBar { display: none; }
    ImportDialog ProgressBar.running { display: block; }
    ImportDialog .said { height: auto; max-height: 6; }
    ImportDialog Label { width: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, store_id: int, folder: Path | None = None):
        super().__init__()
        self.store_id = store_id
        self.folder = folder or start_folder()
        self.checked: str | None = None  # the path a dry run passed
        self.again: str | None = None  # ... that had been imported before (Enter forces it)
        self.rows: int | None = None  # ... and the rows it read (the progress bar's total)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Pick a file (CSV, TSV, XLSX, XLS; the kind is found from its headers) "
                        "or type its path")
            yield ReportFiles(self.folder, id="files")
            # (not selected on focus: typing in the tree moves here and goes on typing)
            yield Input(placeholder="~/Downloads/Products-2026-11-22.xls", id="path",
                        select_on_focus=False)
            yield ProgressBar(id="progress", show_eta=False)
            yield Static("Enter checks the file first (nothing is written); Enter again "
                         "imports it; Esc cancels", classes="said", id="said", markup=False)

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.query_one("#path", Input).value = str(event.path)
        self.query_one("#path", Input).focus()
        self._run(str(event.path), dry_run=True)

    def on_key(self, event: events.Key) -> None:
        """Typing while the folder tree has the focus types the path (the label offers both;
        the tree takes no letters, and its Enter would only fold the folder)."""
        if (event.is_printable and event.character not in (None, " ")
                and isinstance(self.focused, DirectoryTree)):
            event.stop()
            path = self.query_one("#path", Input)
            path.focus()
            path.insert_text_at_cursor(event.character)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.value.strip() != self.checked:
            self.checked = None  # a changed path is checked again

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text:
            self._run(text, dry_run=self.checked != text, force=self.again == text)

    @work(thread=True, exit_on_error=False, exclusive=True)
    def _run(self, text: str, dry_run: bool, force: bool = False) -> None:
        from kwtrack.imports import import_file

        say, bar = self.query_one("#said", Static), self.query_one("#progress", ProgressBar)
        self.app.call_from_thread(say.update, "checking…" if dry_run else "importing…")
        self.app.call_from_thread(self._start_progress, None if dry_run else self.rows)
        try:
            result = import_file(store_by_id(self.store_id), None, Path(text).expanduser(),
                                 dry_run=dry_run, force=force,
                                 progress=lambda rows: self.app.call_from_thread(
                                     bar.update, progress=rows))
        except (KwtrackError, OSError) as exc:
            self.app.call_from_thread(say.update, str(exc))
            return
        finally:
            self.app.call_from_thread(bar.remove_class, "running")
        if dry_run:
            # (a file imported before was not read: its rows are not known; Enter applies it
            # again, as the CLI's --force does)
            self.checked, self.again = text, text if result.skipped else None
            self.rows = None if result.skipped else result.rows_read
            then = ("Enter imports it again (its values over any edits since)" if result.skipped
                    else "Enter imports it")
            self.app.call_from_thread(say.update, f"{result.summary()}\n{then}; Esc cancels")
            return
        self.app.call_from_thread(self.app.notify, result.summary())
        self.app.call_from_thread(self.dismiss, True)

    def _start_progress(self, total: int | None) -> None:
        """Show the bar, empty, of `total` rows (None: not known yet, as in a dry run)."""
        bar = self.query_one("#progress", ProgressBar)
        bar.add_class("running")
        bar.update(total=total, progress=0)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ExportDialog(SaysWorkerErrors, ModalScreen[bool]):
    """Exporting every kind of the store into a folder, as `kwtrack export all --dir` does:
    one CSV per kind named STORE-KIND-DATE.csv, each written whole or not at all."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical { width: 90%; height: auto; border: thick $primary;
                              background: $surface; padding: 1 2; }
    ExportDialog .said { height: auto; }
    ExportDialog Label { width: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, store_id: int):
        super().__init__()
        self.store_id = store_id

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Folder to export every kind into (one CSV per kind)")
            yield Input(value=str(Path.cwd()), id="folder")
            yield Static("Enter exports; Esc cancels", classes="said", id="said", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self._export(event.value.strip())

    @work(thread=True, exit_on_error=False, exclusive=True)
    def _export(self, text: str) -> None:
        from kwtrack.exports import EXPORT_KINDS, export_to_folder

        say = self.query_one("#said", Static)
        self.app.call_from_thread(say.update, "exporting…")
        try:
            written = export_to_folder(store_by_id(self.store_id), EXPORT_KINDS,
                                       Path(text).expanduser(), "csv")
        except (KwtrackError, OSError) as exc:
            self.app.call_from_thread(say.update, str(exc))
            return
        rows = sum(count for _, _, count in written)
        self.app.call_from_thread(self.app.notify, f"{len(written)} files, {rows:,} rows, "
                                  f"exported to {written[0][1].parent}")
        self.app.call_from_thread(self.dismiss, False)

    def action_cancel(self) -> None:
        self.dismiss(False)


class HelpScreen(ModalScreen[None]):
    """The keys of the view shown, then those of every view, on top of whatever is open:
    one line a key (wrapped when long), so that most of it fits an 80×24 terminal."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 100; max-width: 100%; height: auto; max-height: 100%;
                                  border: thick $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, view: str):
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        sections = help_sections(self.view)
        width = max(len(key) for _, keys in sections for key, _ in keys)  # (keys align)
        parts = []
        for heading, keys in sections:
            table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
            table.add_column(style="bold", no_wrap=True, min_width=width)
            table.add_column(ratio=1)
            for key, what in keys:
                table.add_row(Text(key), Text(what))  # (as written: no markup)
            parts += [Text(heading, style="bold underline"), table, Text("")]
        with VerticalScroll():
            yield Static(Group(*parts[:-1]))
