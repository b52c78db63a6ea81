"""The Products and Keywords views: what each column shows and what the details pane says."""

from __future__ import annotations

from textwrap import shorten

from rich.text import Text

from kwtrack import catalog
from kwtrack.bids import bid_history
from kwtrack.charts import sparkline
from kwtrack.history import changes_of
from kwtrack.review import keyword_history, week_name
from kwtrack.tui.widgets import BrowseView, cell
from kwtrack.wording import counted, price

CHANNEL = {"organic": "org.", "p4p": "P4P"}  # short: the details pane is narrow


def _flag(value: bool | None) -> str:
    return "-" if value is None else ("Y" if value else "")


class SpanView(BrowseView):
    """A catalog list whose numbers add up its last `span` days or weeks of data, which `w`
    widens (the monthly analysis: products over 90 days by inquiries, keywords over 13
    weeks; a hot product's year), then brings back. The impressions column names the span
    (`Impr. 90d`); its filter terms (`inq>0`) and sorts are over the same span."""

    spans: tuple[int, ...] = ()  # the first is the lists' own (`catalog.RECENT_…`)
    unit = ""  # `d` or `w`
    span_column = 0  # the column whose label names the span

    def __init__(self, store_id: int, **kwargs):
        super().__init__(store_id, **kwargs)
        self.span = self.spans[0]
        self.columns = list(self.columns)  # (this view's own: its span's label changes)
        self.columns[self.span_column] = self._label()

    def _label(self) -> str:
        return f"Impr. {self.span}{self.unit}"

    def widen(self) -> str:
        """Read the rows again over the next span (after the widest, the first); returns
        the span in words."""
        self.span = self.spans[(self.spans.index(self.span) + 1) % len(self.spans)]
        self.columns[self.span_column] = self._label()
        self.table.ordered_columns[self.span_column].label = Text(self._label())
        self.reload()  # (its window's rows are made again: the header with them)
        return f"the last {self.span} {'days' if self.unit == 'd' else 'weeks'} of data"


class ProductsView(SpanView):
    """Every product of the store, with its keywords and recent numbers in the details."""

    columns = ("Product ID", "Title", "Status", "Showcase", "Score", "Keywords",
               "Impr. 30d", "Clicks", "Inq.")
    sorts = ("product_id", "title", "status", "showcase", "score", None, "impressions",
             "clicks", "inquiries")
    widths = (15, 40, 8, 8, 5, 8, 10, 6, 5)
    noun = "products"
    example_filter = "status:offline"
    spans, unit, span_column = (catalog.RECENT_DAYS, 90, 360), "d", 6

    def count(self, store, search):
        return catalog.count_products(store, search, days=self.span)

    def caveat(self, store):
        return catalog.recent_product_gap(store, self.span, short=True)

    def fetch(self, store, search, sort, descending, offset, limit, from_end):
        return [(r.product_id, [r.product_id, r.title[:40],
                                "archived" if r.archived else r.status, _flag(r.showcase),
                                r.score, r.keywords, r.impressions, r.clicks, r.inquiries])
                for r in catalog.list_products(store, search, offset=offset, limit=limit,
                                               sort=sort, descending=descending,
                                               from_end=from_end, days=self.span)]

    def details(self, store, key: str) -> str:
        d = catalog.product_details(store, key)
        if d is None:
            return f"*Product {key} is gone.*"
        p = d.product
        lines = [
            f"## {p.title}",
            f"**{p.product_id}** · {p.category or 'no category'} · {p.status}"
            f"{' · showcase' if p.showcase else ''}{' · hot product' if p.hot else ''}",
            f"Score {cell(p.score)} · published {p.published or 'unknown'}",
            "",
            f"**{catalog.window_said(d.window).capitalize()}**: impressions "
            f"{cell(p.impressions)}, clicks {cell(p.clicks)}, inquiries {cell(p.inquiries)}"
            + (f" *({d.gap})*" if d.gap else ""),
            "",
            f"### Keywords ({len(d.keywords)})",
        ]
        lines += [f"- {k} *({source})*" for k, source in d.keywords] or ["*none*"]
        weeks = catalog.product_weeks(store, key)
        if weeks:
            lines += ["", f"### Weekly impressions since {week_name(weeks[0].monday)}", "",
                      f"`{sparkline([w.impressions for w in weeks])}` "
                      f"({week_name(weeks[-1].monday)} {cell(weeks[-1].impressions)}, clicks "
                      f"{cell(weeks[-1].clicks)}, inquiries {cell(weeks[-1].inquiries)})"]
        lines += _changes(store, "product", key)
        return "\n".join(lines)


class KeywordsView(SpanView):
    """The keyword library, with covering products and weekly stats in the details."""

    columns = ("Keyword", "Group", "Index", "Products", "Impr. 4w", "Clicks", "Inq.", "Spend",
               "Bid")
    sorts = ("keyword", "group", "search_index", None, "impressions", "clicks", "inquiries",
             "spend", "bid")
    widths = (34, 10, 7, 8, 9, 7, 5, 9, 6)
    noun = "keywords"
    example_filter = "route:none"
    read_at_start = False  # (after Products, shown first)
    spans, unit, span_column = (catalog.RECENT_WEEKS, 13, 52), "w", 4

    def count(self, store, search):
        return catalog.count_keywords(store, search, weeks=self.span)

    def caveat(self, store):
        missing = catalog.weeks_without_keyword_stats(store, self.span)
        return f"no keyword stats for {', '.join(map(week_name, missing))}" if missing else None

    def fetch(self, store, search, sort, descending, offset, limit, from_end):
        return [(r.keyword, [r.keyword, r.group or "", r.search_index, r.products,
                             r.impressions, r.clicks, r.inquiries, r.spend, r.bid])
                for r in catalog.list_keywords(store, search, offset=offset, limit=limit,
                                               sort=sort, descending=descending,
                                               from_end=from_end, weeks=self.span)]

    def details(self, store, key: str) -> str:
        d = catalog.keyword_details(store, key)
        if d is None:
            return f"*Keyword {key!r} is gone.*"
        k = d.keyword
        bid = (f"P4P bid ¥{price(k.bid)} ({k.p4p_status})" if k.bid is not None
               else "not in P4P")
        lines = [
            f"## {k.keyword}",
            f"Group **{k.group or '-'}** · search index {cell(k.search_index)} · "
            f"competition {cell(k.competition)} · {bid}",
        ]
        if d.notes:
            lines += ["", d.notes]
        lines += ["", f"### Covered by {counted(k.products, 'live product')}"]
        lines += [f"- {p.product_id} {shorten(p.title, 70, placeholder=' …')} "
                  f"*({p.source}{', offline' if p.status != 'online' else ''})*"
                  for p in d.products] or ["*no product covers this keyword*"]
        listed = len({p.product_id for p in d.products})
        if k.products > listed:  # (title matches past the first ones listed)
            lines.append(f"- *… and {k.products - listed:,} more by title*")
        lines += ["", "### Recent weeks", "",
                  "| Week | | Impr. | Clicks | Inq. | Spend |", "|---|---|---|---|---|---|"]
        lines += [f"| {week_name(s.week) if s.week else f'{s.period_start}–{s.period_end}'} | "
                  f"{CHANNEL.get(s.channel, s.channel)} | "
                  f"{cell(s.impressions)} | {cell(s.clicks)} | {cell(s.inquiries)} | "
                  f"{cell(s.spend)} |" for s in d.stats]
        if not d.stats:
            lines.append("| – | no stats | | | | |")
        missing = catalog.weeks_without_keyword_stats(store)
        if missing:  # (a keyword report not imported: the 4-week figures leave it out)
            them = "it" if len(missing) == 1 else "them"
            lines += ["", f"*No keyword stats for {', '.join(map(week_name, missing))}: the "
                      f"4-week figures leave {them} out.*"]
        _, weeks = keyword_history(store, key)
        if weeks:
            weeks = weeks[-12:]
            lines += ["", f"### Weekly impressions since {week_name(weeks[0].week)}", "",
                      f"- organic `{sparkline([w.organic_impressions for w in weeks])}`",
                      f"- P4P     `{sparkline([w.p4p_impressions for w in weeks])}`"]
        if k.bid is not None:
            lines += ["", "### Bid history", ""]
            lines += [f"- {h.changed_at:%Y-%m-%d}: {cell(h.old_bid)} → {cell(h.new_bid)} "
                      f"— {h.reason or ''}" for h in bid_history(store, key)[:5]]
        lines += _changes(store, "keyword", key)
        return "\n".join(lines)


def _changes(store, entity: str, key: str) -> list[str]:
    """The details pane's lines for a row's last changes (kwtrack.history)."""
    lines = [f"- {c.changed_at:%Y-%m-%d %H:%M} {c.field}: {c.old or '-'} → {c.new or '-'}"
             f"{' (undone)' if c.undone else ''}" for c in changes_of(store, entity, key)]
    return ["", "### Changes", ""] + lines if lines else []
