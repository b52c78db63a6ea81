"""The report views: Bids, Review, Clean-up, Duplicates and History.

Each is a table with a row count and a details pane that follows the highlighted row. Rows
and details come from the domain modules, always in a thread worker (never on the UI
thread); a worker hands its result to the UI with `call_from_thread`, and an error becomes a
notification and the view's status line, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from textual import work
from textual.widgets.data_table import RowDoesNotExist
from textual.worker import get_current_worker

from kwtrack.errors import KwtrackError
from kwtrack.filters import split_comparisons, split_search
from kwtrack.store.database import store_by_id
from kwtrack.tui.widgets import TableView, cell, cell_text
from kwtrack.wording import counted, price, step


def _number(shown) -> float | None:
    """A cell's number (`1,234`, `2.9%`, `-24%`), or None: unknown (`-`) or text."""
    try:
        return float(str(shown).replace(",", "").removesuffix("%"))
    except ValueError:
        return None


def _sort_key(shown) -> tuple:
    """Numbers as numbers, then text; `-` (unknown) last."""
    text = str(shown)
    if text == "-":
        return (2, 0, "")
    number = _number(text)
    return (0, number, "") if number is not None else (1, 0, text.casefold())


KEPT_SHOWN = 50  # still-covered keywords a check's details list (all are counted)
COVERERS_SHOWN = 3  # live products listed for each of them


def verdicts_markdown(verdicts, level: str = "##") -> list[str]:
    """Some keywords' verdicts of a coverage check (`KeywordVerdict`), as the Clean-up pane
    and the delete dialog show them: the orphaned ones each with what to do instead (said
    once, however many candidates it came from), then who still covers the others."""
    from kwtrack.cleanup import suggestion_text

    orphaned = [v for v in verdicts if v.orphaned]
    kept = [v for v in verdicts if not v.orphaned]
    lines = [f"{level} Orphaned keywords ({len(orphaned)})"]
    for v in orphaned:
        lines.append(f"- **{v.keyword}**")
        lines += [f"  - {text}" for text in dict.fromkeys(map(suggestion_text, v.suggestions))]
    if not orphaned:
        lines.append("*none: safe to delete*")
    lines += ["", f"{level} Still covered ({len(kept)})"]
    for v in kept[:KEPT_SHOWN]:
        listed, more = v.coverers(COVERERS_SHOWN)
        lines.append(f"- {v.keyword}: " + ", ".join(
            f"{product_id} ({', '.join(vias)})" for product_id, vias in listed)
            + (f" *+{more} more*" if more else ""))
    if len(kept) > KEPT_SHOWN:
        lines.append(f"- *… and {len(kept) - KEPT_SHOWN:,} more*")
    return lines


def near_duplicate_lines(near_duplicates) -> list[str]:
    """A candidate's near-duplicate live listings (`Candidate.near_duplicates`), a line each."""
    return [f"- {d['product_id']} ({d['score']}, {d['reason']}): {d['title']}"
            for d in near_duplicates]


class ReportView(TableView):
    """A table of every row of one domain call (read in a worker), sorted here."""

    example_filter = "status:paused"

    def __init__(self, store_id: int, **kwargs):
        super().__init__(store_id, **kwargs)
        self.loaded = False
        self.sorted_by: int | None = None  # the column the rows are sorted by
        self.descending = False
        self._rows: list[tuple[str, list]] = []  # every row read, the filter's or not
        self._status = ""

    def sort(self, reverse: bool) -> str:
        """Sort by the next column (`reverse`: the same column, the other way); numbers sort
        as numbers, unknown ones last. Returns what the rows are sorted by."""
        if reverse and self.sorted_by is not None:
            self.descending = not self.descending
        else:
            self.sorted_by = 0 if self.sorted_by is None else (
                (self.sorted_by + 1) % len(self.columns))
            self.descending = False
        self._sort_table()
        return f"{self.columns[self.sorted_by]} {'↓' if self.descending else '↑'}"

    def _sort_table(self) -> None:
        if self.sorted_by is not None:
            column = list(self.table.columns)[self.sorted_by]
            self.table.sort(column, key=_sort_key, reverse=self.descending)

    def row_style(self, key: str) -> str:
        """How a row is drawn (a Rich style; "": plainly)."""
        return ""

    def rows(self, store) -> tuple[list[tuple[str, list]], str]:
        """(key, cells) for every row, and the status line: the domain call (in a worker)."""
        raise NotImplementedError

    def refresh_rows(self) -> None:
        """Read the rows again (in a worker); a status line says it is loading."""
        self.loaded = True
        self.set_status(f"loading {self.noun}…")
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
        self._rows, self._status = rows, status
        self.apply_filter(soon=False)

    def apply_filter(self, *, soon: bool) -> None:
        """Show the rows read that the filter keeps (all of them are in memory: at once):
        its words in any cell, `column:value` (a column's name, e.g. `status:paused`) in
        that column, and `column>number` (`<`, `>=`, `<=`, `=`; e.g. `impr>1000`) on that
        column's numbers (an unknown one never passes); in the order the table is sorted by."""
        names = tuple(_column_name(c) for c in self.columns)
        text, compared = split_comparisons(self.search, names)
        text, terms = split_search(text, names)
        wanted = [(names.index(name), value.casefold()) for name, value in terms.items()]
        table = self.table
        # (the highlight stays on its row through a refresh: where a row left, on the next)
        kept, at = self.highlighted_key(), table.cursor_row
        table.clear()
        shown = 0
        for key, cells in self._rows:
            texts = [cell(c).casefold() for c in cells]
            if text and text.casefold() not in " ".join(texts):
                continue
            if any(value not in texts[column] for column, value in wanted):
                continue
            if any((number := _number(texts[names.index(name)])) is None
                   or not test(number, limit) for name, test, limit in compared):
                continue
            style = self.row_style(key)
            table.add_row(*(cell_text(c, style) for c in cells), key=key)
            shown += 1
        self._sort_table()
        if shown:
            try:
                at = table.get_row_index(kept)
            except RowDoesNotExist:
                at = min(at, shown - 1)
            table.move_cursor(row=at)
        status = self._status
        if self.search:
            status += f" · {shown:,} shown · filter: {self.search!r}"
        self.set_status(status)
        if not shown:
            self._show_details("")


def _column_name(label: str) -> str:
    """A column's name in a `name:value` or `name>number` filter: its label in lower case,
    without the dot of an abbreviation or the span its figures cover (`Impr.` → `impr`,
    `Clicks 4w` → `clicks`)."""
    return _SPAN.sub("", label).casefold().rstrip(".").replace(" ", "_")


_SPAN = re.compile(r"\s+\d+[dw]$")


class BidsView(ReportView):
    """The store's P4P bids; the details: a bid's history."""

    # what a bid earns beside it (the last 4 weeks of P4P); its limits are in the details
    columns = ("Keyword", "Bid", "CPC", "Clicks 4w", "Spend", "Inq.", "Status", "Group", "Base")
    widths = (28, 6, 6, 9, 8, 5, 7, 10, 6)
    noun = "bids"

    def rows(self, store):
        from kwtrack.bids import list_bids, weeks_without_p4p
        from kwtrack.review import last_week_with_keyword_stats, plan_check, week_name

        bids = list_bids(store)
        missing = weeks_without_p4p(store) if bids else []
        # (a P4P report not imported: the 4 weeks' totals are of fewer weeks)
        gap = f" · no P4P stats for {', '.join(map(week_name, missing))}" if missing else ""
        self.lines = {b.keyword: b for b in bids}
        # the plan's budget beside the bids it pays for (H: the whole check)
        week = last_week_with_keyword_stats(store)
        plan = plan_check(store, week, dt.date.today(), self.app.config.review)
        budget = "" if plan.budget is None else f" · budget {price(plan.budget)} a day" + (
            "" if plan.budget_used is None else
            f", {plan.budget_used:.0%} spent in {week_name(week)} (H: the plan)")
        return ([(b.keyword, [b.keyword, price(b.bid), price(b.cpc), b.clicks, price(b.spend),
                              b.inquiries, b.status, b.group, price(b.base_price)])
                 for b in bids],
                (counted(len(bids), "P4P keyword") if bids else
                 "no P4P keywords yet: import a P4P report, or b sets a word's bid") + gap
                + budget)

    def details(self, store, key):
        from kwtrack.bids import bid_history

        b = getattr(self, "lines", {}).get(key)
        lines = [f"## {key}", ""]
        if b is not None:
            rules = self.app.config.bids  # (a limit the word has not: the config's)
            limits = ("the config's" if b.min_bid is None and b.max_bid is None else
                      f"{price(b.min_bid or rules.min_bid)}–{price(b.max_bid or rules.max_bid)}"
                      " (the word's own)")
            lines += [f"bid {price(b.bid)} · base {price(b.base_price)} · limits {limits}", "",
                      f"last 4 weeks of P4P: {cell(b.clicks)} clicks, spend {price(b.spend)}, "
                      f"CPC {price(b.cpc)}, {cell(b.inquiries)} inquiries", ""]
        lines += ["### Bid history", ""]
        lines += [f"- {h.changed_at:%Y-%m-%d %H:%M}: {step(h.old_bid, h.new_bid, price)} "
                  f"({step(h.old_status, h.new_status)}) — {h.reason or ''}"
                  for h in bid_history(store, key)] or ["*no change on record*"]
        return "\n".join(lines)


class ReviewView(ReportView):
    """This week's review, section by section; `[` and `]` move a week."""

    columns = ("Section", "Item", "Impr.", "Clicks", "Spend", "Why")
    fixed = 2
    example_filter = "section:rising"
    widths = (16, 30, 8, 7, 8, 50)
    noun = "review items"

    def __init__(self, store_id: int, **kwargs):
        super().__init__(store_id, **kwargs)
        self.week: dt.date | None = None  # None: the latest week with keyword stats
        self.step = 0  # weeks to move from `week` at the next read
        self.items: dict[str, tuple[str, object]] = {}
        self.proposals: dict[tuple[str, str], object] = {}  # (section, keyword) → Proposal
        self.review = None  # the review shown (kwtrack.review.Review)

    def move_week(self, step: int) -> None:
        self.step += step
        self.refresh_rows()

    def rows(self, store):
        from kwtrack.bids import review_proposals
        from kwtrack.review import TITLES, last_week_with_keyword_stats, week_name, weekly_review

        if self.step:
            week = self.week or last_week_with_keyword_stats(store)
            if week is not None:
                self.week = week + dt.timedelta(weeks=self.step)
            self.step = 0
        review = weekly_review(store, self.week, self.app.config)
        self.week, self.review = review.week, review
        # the bid each raise or cut item would get (`b` offers it, `A` applies them all)
        self.proposals = {(p.rule, p.keyword): p
                          for p in review_proposals(store, review=review)}
        self.items, rows = {}, self._store_rows(review) + self._category_rows(review)
        for section, items in review.sections.items():
            for n, item in enumerate(items):
                key = f"{section}:{n}"
                self.items[key] = (section, item)
                # A figure the section does not weigh is blank: `-` would say it is unknown
                # (a top-traffic word's spend is known, and shown in its details). A P4P
                # section's are the P4P figures.
                figures = item.figures
                rows.append((key, [TITLES[section], item.keyword or item.product_id,
                                   figures.get("impressions", figures.get("p4p_impressions", "")),
                                   figures.get("clicks", figures.get("p4p_clicks", "")),
                                   price(figures["spend"]) if "spend" in figures else "",
                                   item.why]))
            if section == "cut":  # the P4P plan, as the notes have it: budget, then markets
                rows += self._plan_rows(review.plan)
        return rows, f"review of {week_name(review.week)} ([ and ] move a week)"

    @staticmethod
    def _store_rows(review) -> list:
        """The store's weeks (its products' impressions and clicks, the P4P spend), oldest
        first, then what swung into the reviewed week."""
        from kwtrack.review import week_name

        rows = [(f"store:{n}", ["The store", week_name(w.week), w.figures["impressions"],
                                w.figures["clicks"], price(w.figures["p4p_spend"]),
                                w.note or ""])
                for n, w in enumerate(review.overview)]
        return rows + [(f"store:swing:{n}", ["The store", "swing", "", "", "", said])
                       for n, said in enumerate(review.swings)]

    @staticmethod
    def _category_rows(review) -> list:
        """The reviewed week by category: impressions and clicks, then its inquiries."""
        from kwtrack.review import figure_text

        def said(figures: dict) -> str:
            shown = {name: figure_text(name, value) for name, value in figures.items()}
            return (f"{shown['inquiries']} inquiries, {shown['inquiry_rate']} of visitors; "
                    f"impressions {shown['impressions_change']}")

        return [(f"category:{n}", ["By category", c.name, c.figures["impressions"],
                                   c.figures["clicks"], "", said(c.figures)])
                for n, c in enumerate(review.categories)]

    def _plan_rows(self, plan) -> list:
        """The P4P plan's rows: its budget, one per market (or why there are none), and the
        store's P4P growth level."""
        used = "" if plan.budget_used is None else f" {plan.budget_used:.0%} spent"
        rows = [("plan:budget", ["P4P plan", f"budget{used}", "", "",
                                 price(plan.spend) if plan.spend is not None else "",
                                 plan.budget_said])]
        if not plan.markets:
            rows.append(("plan:hours", ["P4P plan", "hours", "", "", "", plan.hours_said]))
        rows += [(f"plan:{n}", ["P4P plan", f"{m.market} {m.state()}", "", "", "", m.text()])
                 for n, m in enumerate(plan.markets)]
        return [*rows, ("plan:growth", ["P4P plan", "growth level", "", "", "",
                                        plan.growth_said])]

    def details(self, store, key):
        from kwtrack.review import TITLES, figure_name, figure_text, plan_markdown, week_name

        if key.startswith("store:"):
            return self._store_details(key)
        if key.startswith("category:"):
            found = self.review.categories[int(key.split(":")[1])]
            return "\n".join([f"## {found.name} in {week_name(self.review.week)}",
                              "*products: the category's live listings now; inquiry rate: "
                              "inquiries ÷ visitors; changes on the week before*", "",
                              *(f"- {figure_name(name)}: {figure_text(name, value)}"
                                for name, value in found.figures.items())])
        if key.startswith("plan:"):
            return "\n".join(["## P4P plan", "", *plan_markdown(self.review.plan), "",
                              "*P (or `kwtrack p4p plan set`) changes the plan; M (or "
                              "`kwtrack p4p level`) records the growth level*"])
        section, item = self.items[key]
        lines = [f"## {item.keyword or item.product_id}"]
        if item.title:  # (a product's)
            lines += [item.title, ""]
        lines += [f"*{TITLES.get(section, section)}*: {item.why}", ""]
        proposal = self.proposal(key)
        if proposal is not None:
            lines += [f"**Proposed bid: {step(proposal.old_bid, proposal.new_bid, price)}** "
                      "(b sets it, A applies the week's proposals)"
                      if proposal.new_bid is not None
                      else f"No bid change proposed: {proposal.skipped}", ""]
        lines += [f"- {figure_name(name)}: {figure_text(name, value)}"
                  for name, value in item.figures.items()]
        return "\n".join(lines)

    def _store_details(self, key: str) -> str:
        """A week of the store, figure by figure (a swing's row: the reviewed week's)."""
        from kwtrack.review import figure_name, figure_text, week_name

        part = key.split(":")[-1]
        week = self.review.overview[-1 if key.startswith("store:swing:") else int(part)]
        lines = [f"## The store in {week_name(week.week)}",
                 "*impressions to inquiries: the products' (the data manager's product "
                 "report); P4P: the P4P words'*", ""]
        lines += [f"- {figure_name(name)}: {figure_text(name, value)}"
                  for name, value in week.figures.items()]
        if week.note:
            lines += ["", week.note]
        if week is self.review.overview[-1] and self.review.swings:
            lines += ["", "### Since the week before", "",
                      *(f"- {said}" for said in self.review.swings)]
        return "\n".join(lines)

    def proposal(self, key: str):
        """The bid change proposed for a raise or cut item (`kwtrack.bids.Proposal`), if any."""
        if key not in self.items:  # (a row of the store's weeks or of the P4P plan)
            return None
        section, item = self.items[key]
        return self.proposals.get((section, item.keyword))


class CleanupView(ReportView):
    """The month's clean-up: zero-effect products, each with what deleting it would orphan."""

    # what deleting it would do first: the title is the longest and matters least at 80×24
    columns = ("Product ID", "Deleting it", "Near-dups", "Title")
    example_filter = "title:sandals"
    widths = (15, 12, 9, 50)
    noun = "candidates"
    spans = (90, 180, 365)  # zero effect over …: the monthly routine's, then longer (`w`)

    def __init__(self, store_id: int, **kwargs):
        super().__init__(store_id, **kwargs)
        self.span = self.spans[0]

    def widen(self) -> str:
        """Check again over the next zero-effect window (after a year, 90 days again): the
        products with no effect for half a year or a year (Alibaba.com takes those down)."""
        self.span = self.spans[(self.spans.index(self.span) + 1) % len(self.spans)]
        self.refresh_rows()
        return f"zero effect over {self.span} days"

    def rows(self, store):
        from kwtrack.cleanup import coverage_check

        self.check = report = coverage_check(store, [], zero_effect=True, days=self.span)
        self.report = {c.product_id: c for c in report.candidates}
        self.keywords = defaultdict(list)  # candidate → the verdicts of the keywords it covers
        for verdict in report.keywords:
            for product_id in verdict.from_:
                self.keywords[product_id].append(verdict)
        return ([(c.product_id, [c.product_id,
                                 f"orphans {len(c.orphaned)}" if c.orphaned else "safe",
                                 len(c.near_duplicates), c.title[:50]])
                 for c in report.candidates],
                f"{counted(len(report.candidates), 'zero-effect product')} over "
                f"{report.days} days to {report.as_of} ({len(report.safe):,} safe to delete)")

    def details(self, store, key):
        c = self.report[key]
        lines = [f"## {c.product_id}", c.title, ""]
        lines += verdicts_markdown(self.keywords.get(key, []), "###")
        lines += ["", "### Near-duplicate live listings"]
        lines += near_duplicate_lines(c.near_duplicates) or ["*none*"]
        return "\n".join(lines)


class DuplicatesView(ReportView):
    """Live products listed twice: a row per listing, cluster by cluster, with what each earns
    and covers, so the operator keeps the one that earns and deletes (`d`) the other."""

    columns = ("Cluster", "Product ID", "Impr.", "Clicks", "Keywords", "Title")
    fixed = 2
    example_filter = "title:slippers"
    widths = (7, 15, 7, 6, 8, 50)
    noun = "duplicate listings"

    def rows(self, store):
        from kwtrack.catalog import product_rows, recent_product_window, window_days
        from kwtrack.duplicates import duplicate_listings

        clusters, window = duplicate_listings(store)["clusters"], recent_product_window(store)
        self.figures = product_rows(store, [p["product_id"] for c in clusters
                                            for p in c["products"]])
        self.cluster_of, rows = {}, []
        for number, c in enumerate(clusters, 1):
            for p in c["products"]:
                self.cluster_of[p["product_id"]] = (number, c)
                row = self.figures[p["product_id"]]
                rows.append((p["product_id"], [number, p["product_id"], row.impressions,
                                               row.clicks, row.keywords, p["title"][:50]]))
        if not clusters:
            return rows, "no duplicate listings among the live products"
        figures = f"the last {window_days(window)} days" if window else "no product stats"
        return rows, (f"{counted(len(clusters), 'cluster')} of duplicate listings "
                      f"({counted(len(rows), 'listing')}; figures: {figures})")

    def details(self, store, key):
        number, c = self.cluster_of[key]
        lines = [f"## Cluster {number}: {c['reason']} ({c['score']})",
                 f"codes: {', '.join(c['codes']) or '-'}", ""]
        for p in c["products"]:
            row = self.figures[p["product_id"]]
            mark = "**" if p["product_id"] == key else ""
            lines.append(f"- {mark}{p['product_id']}{mark}: {p['title']}  \n"
                         f"  {cell(row.impressions)} impressions, {cell(row.clicks)} clicks, "
                         f"{counted(row.keywords, 'keyword')} covered")
        lines += ["", f"differing words: {' '.join(c['differing_words']) or '-'}"]
        return "\n".join(lines)


class HistoryView(ReportView):
    """The change log and the imported files, newest first: what `u` takes back next is the
    first row not undone."""

    columns = ("Change", "When", "What", "Field", "Old", "New", "Reason", "By")
    fixed = 3
    example_filter = "field:title"
    widths = (6, 16, 24, 12, 20, 20, 30, 12)
    noun = "changes"
    SHOWN = 500  # the newest listed (`kwtrack history` and `imports list` read further back)

    def rows(self, store):
        from kwtrack.history import ChangeLine, timeline

        events = timeline(store, self.SHOWN)
        self.lines = {str(n): event for n, event in enumerate(events)}
        changes = sum(isinstance(e, ChangeLine) for e in events)
        status = ("no changes yet" if not events
                  else f"the last {len(events):,} changes and imports" if len(events) == self.SHOWN
                  else f"{counted(changes, 'change')}, {counted(len(events) - changes, 'import')}")
        return [(key, self._cells(event)) for key, event in self.lines.items()], status

    def row_style(self, key: str) -> str:
        """A change or import undone is struck through (its "(undone)" is off the screen's
        edge at 80 columns)."""
        return "dim strike" if self.lines[key].undone else ""

    @staticmethod
    def _cells(event) -> list:
        from kwtrack.imports import ImportLine

        undone = "(undone) " if event.undone else ""
        if isinstance(event, ImportLine):
            period = (f"{event.period_start}..{event.period_end}" if event.period_start
                      else "")
            return ["", f"{event.imported_at:%Y-%m-%d %H:%M}", f"import {event.file_name}",
                    event.kind, None, f"{event.rows_read:,} rows", undone + period, event.by]
        return [event.action, f"{event.changed_at:%Y-%m-%d %H:%M}",
                f"{event.entity} {event.label}", event.field, event.old, event.new,
                undone + (event.reason or ""), event.by]

    def details(self, store, key):
        from kwtrack.imports import ImportLine

        line = self.lines[key]
        state = "undone" if line.undone else "in force"
        if isinstance(line, ImportLine):
            period = (f"{line.period_start} – {line.period_end}" if line.period_start
                      else "none")
            return "\n".join([f"## import {line.id}: {line.file_name}", f"- kind: {line.kind}",
                              f"- period: {period}",
                              f"- rows: {line.rows_read:,} read, {line.rows_added:,} added, "
                              f"{line.rows_changed:,} changed",
                              f"- imported {line.imported_at:%Y-%m-%d %H:%M} by "
                              f"{line.by or 'someone (not recorded)'}", f"- {state}"])
        return "\n".join([f"## change {line.action}", f"- {line.entity} {line.label}",
                          f"- {line.field}: {line.old!r} → {line.new!r}",
                          f"- reason: {line.reason or '-'}",
                          f"- by {line.by or 'someone (not recorded)'}", f"- {state}"])


def title_report(store, title: str) -> str:
    """A draft title's check as Markdown (kwtrack.cleanup.check_title)."""
    from kwtrack.cleanup import check_title

    found = check_title(store, title)
    lines = [f"**Length** {found.length} of {found.limit}"
             + ("" if found.fits else f" — {found.length - found.limit} too long"), "",
             f"**Covers {counted(len(found.keywords), 'library keyword')}**"
             + (": " + ", ".join(found.keywords[:40]) if found.keywords else ""), "",
             "**Duplicates**"]
    lines += [f"- {d.product_id} ({d.score}, {d.reason}): {d.title}"
              for d in found.duplicates] or ["- no live product"]
    return "\n".join(lines)


def plan_report(store, rules) -> str:
    """The P4P plan checked: its budget against the latest week's spend, its promotion hours
    against its markets (kwtrack.review's part of the weekly review)."""
    from kwtrack.review import last_week_with_keyword_stats, plan_check, plan_markdown

    check = plan_check(store, last_week_with_keyword_stats(store), dt.date.today(), rules)
    return "\n".join(plan_markdown(check))
