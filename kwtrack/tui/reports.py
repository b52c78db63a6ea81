"""The report views: Bids, Review, Clean-up, Duplicates and History.

Each is a table with a row count and a details pane that follows the highlighted row. Rows
and details come from the domain modules, always in a thread worker (never on the UI
thread); a worker hands its result to the UI with `call_from_thread`, and an error becomes a
notification and the view's status line, never a traceback.
"""

from __future__ import annotations

import datetime as dt

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Markdown, Static
from textual.worker import get_current_worker

from kwtrack.errors import KwtrackError
from kwtrack.store.database import store_by_id


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def _sort_key(cell: str) -> tuple:
    """Numbers as numbers, then text; `-` (unknown) last."""
    if cell == "-":
        return (2, 0, "")
    try:
        return (0, float(cell.replace(",", "")), "")
    except ValueError:
        return (1, 0, cell.casefold())


class ReportView(Vertical):
    """A table of rows from one domain call, and the highlighted row's details."""

    DEFAULT_CSS = """
    ReportView { height: 1fr; }
    ReportView .status { color: $text-muted; padding: 0 1; height: 1; }
    ReportView Horizontal { height: 1fr; }
    ReportView DataTable { width: 3fr; }
    ReportView VerticalScroll.details { width: 2fr; border-left: solid $primary-muted;
                                        padding: 0 1; }
    """

    columns: tuple[str, ...] = ()
    noun = "rows"

    def __init__(self, store_id: int, **kwargs):
        super().__init__(**kwargs)
        self.store_id = store_id
        self.loaded = False
        self.sorted_by: int | None = None  # the column the rows are sorted by
        self.descending = False

    def sort(self, reverse: bool) -> str:
        """Sort by the next column (`reverse`: the same column, the other way); numbers sort
        as numbers, unknown ones last. Returns what the rows are sorted by."""
        if reverse and self.sorted_by is not None:
            self.descending = not self.descending
        else:
            self.sorted_by = 0 if self.sorted_by is None else (
                (self.sorted_by + 1) % len(self.columns))
            self.descending = False
        column = list(self.table.columns)[self.sorted_by]
        self.table.sort(column, key=_sort_key, reverse=self.descending)
        return f"{self.columns[self.sorted_by]} {'↓' if self.descending else '↑'}"

    def compose(self) -> ComposeResult:
        yield Static("", classes="status", markup=False)
        with Horizontal():
            yield DataTable(cursor_type="row", zebra_stripes=True)
            with VerticalScroll(classes="details"):
                yield Markdown("", classes="details-text")

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.table.add_columns(*self.columns)

    def rows(self, store) -> tuple[list[tuple[str, list]], str]:
        """(key, cells) for every row, and the status line: the domain call (in a worker)."""
        raise NotImplementedError

    def details(self, store, key: str) -> str:
        """The details pane's Markdown for one row (in a worker)."""
        raise NotImplementedError

    def refresh_rows(self) -> None:
        """Read the rows again (in a worker); a status line says it is loading."""
        self.loaded = True
        self.query_one(".status", Static).update(f"loading {self.noun}…")
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="rows")
    def _load(self) -> None:
        try:
            rows, status = self.rows(store_by_id(self.store_id))
        except KwtrackError as exc:
            rows, status = [], f"{exc}"
            self.app.call_from_thread(self.notify, str(exc), severity="warning")
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, rows, status)

    def _show(self, rows: list[tuple[str, list]], status: str) -> None:
        table = self.table
        table.clear()
        for key, cells in rows:
            table.add_row(*map(_cell, cells), key=key)
        self.query_one(".status", Static).update(status)
        if not rows:
            self.query_one(".details-text", Markdown).update("")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self._load_details(event.row_key.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="details")
    def _load_details(self, key: str) -> None:
        try:
            text = self.details(store_by_id(self.store_id), key)
        except KwtrackError as exc:
            text = f"*{exc}*"
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.query_one(".details-text", Markdown).update, text)


class BidsView(ReportView):
    """The store's P4P bids; the details: a bid's history."""

    columns = ("Keyword", "Group", "Status", "Bid", "Base", "Min", "Max")
    noun = "bids"

    def rows(self, store):
        from kwtrack.bids import list_bids

        bids = list_bids(store)
        return ([(b.keyword, [b.keyword, b.group, b.status, b.bid, b.base_price, b.min_bid,
                              b.max_bid]) for b in bids], f"{len(bids):,} P4P keywords")

    def details(self, store, key):
        from kwtrack.bids import bid_history

        lines = [f"## {key}", "", "### Bid history", ""]
        lines += [f"- {h.changed_at:%Y-%m-%d %H:%M}: {_cell(h.old_bid)} → {_cell(h.new_bid)} "
                  f"({h.old_status or '-'} → {h.new_status or '-'}) — {h.reason or ''}"
                  for h in bid_history(store, key)] or ["*no change on record*"]
        return "\n".join(lines)


class ReviewView(ReportView):
    """This week's review, section by section; `[` and `]` move a week."""

    columns = ("Section", "Item", "Impr.", "Clicks", "Spend", "Why")
    noun = "review items"

    def __init__(self, store_id: int, **kwargs):
        super().__init__(store_id, **kwargs)
        self.week: dt.date | None = None  # None: the latest week with keyword stats
        self.items: dict[str, tuple[str, object]] = {}

    def move_week(self, step: int) -> None:
        from kwtrack.review import last_week_with_keyword_stats

        if self.week is None:
            self.week = last_week_with_keyword_stats(store_by_id(self.store_id))
        if self.week is not None:
            self.week += dt.timedelta(weeks=step)
            self.refresh_rows()

    def rows(self, store):
        from kwtrack.review import week_name, weekly_review

        review = weekly_review(store, self.week)
        self.week = review.week
        self.items, rows = {}, []
        for section, items in review.sections.items():
            for n, item in enumerate(items):
                key = f"{section}:{n}"
                self.items[key] = (section, item)
                figures = item.figures
                rows.append((key, [section, item.keyword or item.product_id,
                                   figures.get("impressions"), figures.get("clicks"),
                                   figures.get("spend"), item.why]))
        return rows, f"review of {week_name(review.week)} ([ and ] move a week)"

    def details(self, store, key):
        section, item = self.items[key]
        lines = [f"## {item.keyword or item.product_id}", f"*{section}*: {item.why}", ""]
        lines += [f"- {name}: {_cell(value)}" for name, value in item.figures.items()]
        return "\n".join(lines)


class CleanupView(ReportView):
    """The month's clean-up: zero-effect products, each with what deleting it would orphan."""

    columns = ("Product ID", "Title", "Deleting it", "Near-duplicates")
    noun = "candidates"

    def rows(self, store):
        from kwtrack.cleanup import coverage_check

        report = coverage_check(store, [], zero_effect=True)
        self.report = {c.product_id: c for c in report.candidates}
        return ([(c.product_id, [c.product_id, c.title[:50],
                                 f"orphans {len(c.orphaned)}" if c.orphaned else "safe",
                                 len(c.near_duplicates)]) for c in report.candidates],
                f"{len(report.candidates):,} zero-effect products over {report.days} days to "
                f"{report.as_of} ({len(report.safe):,} safe to delete)")

    def details(self, store, key):
        c = self.report[key]
        lines = [f"## {c.product_id}", c.title, "", f"### Orphaned keywords ({len(c.orphaned)})"]
        lines += [f"- {k}" for k in c.orphaned] or ["*none: safe to delete*"]
        lines += ["", "### Near-duplicate live listings"]
        lines += [f"- {d['product_id']} ({d['score']}, {d['reason']}): {d['title']}"
                  for d in c.near_duplicates] or ["*none*"]
        return "\n".join(lines)


class DuplicatesView(ReportView):
    """Clusters of live products listed twice, with the reason."""

    columns = ("Reason", "Score", "Listings", "First title")
    noun = "clusters"

    def rows(self, store):
        from kwtrack.duplicates import duplicate_listings

        found = duplicate_listings(store)
        self.clusters = {str(n): c for n, c in enumerate(found["clusters"])}
        return ([(key, [c["reason"], c["score"], len(c["products"]),
                        c["products"][0]["title"][:50]]) for key, c in self.clusters.items()],
                f"{len(self.clusters):,} clusters of duplicate listings")

    def details(self, store, key):
        c = self.clusters[key]
        lines = [f"## {c['reason']} ({c['score']})", f"codes: {', '.join(c['codes']) or '-'}", ""]
        lines += [f"- {p['product_id']}: {p['title']}" for p in c["products"]]
        lines += ["", f"differing words: {' '.join(c['differing_words']) or '-'}"]
        return "\n".join(lines)


class HistoryView(ReportView):
    """The change log, newest first."""

    columns = ("Change", "When", "What", "Field", "Old", "New", "Reason")
    noun = "changes"

    def rows(self, store):
        from kwtrack.history import history

        lines = history(store, 500)
        self.lines = {str(n): line for n, line in enumerate(lines)}
        return ([(key, [line.action, f"{line.changed_at:%Y-%m-%d %H:%M}",
                        f"{line.entity} {line.label}", line.field, line.old, line.new,
                        ("(undone) " if line.undone else "") + (line.reason or "")])
                 for key, line in self.lines.items()], f"the last {len(lines):,} changes")

    def details(self, store, key):
        line = self.lines[key]
        return "\n".join([f"## change {line.action}", f"- {line.entity} {line.label}",
                          f"- {line.field}: {line.old!r} → {line.new!r}",
                          f"- reason: {line.reason or '-'}",
                          f"- {'undone' if line.undone else 'in force'}"])
