"""The Products and Keywords views: what each column shows and what the details pane says."""

from __future__ import annotations

from kwtrack import catalog
from kwtrack.store.database import store_by_id
from kwtrack.tui.widgets import BrowseView


def _n(value) -> str:
    """A number for a table cell; '-' when unknown."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}"


def _flag(value: bool | None) -> str:
    return "-" if value is None else ("Y" if value else "")


class ProductsView(BrowseView):
    """Every product of the store, with its keywords and recent numbers in the details."""

    columns = ("Product ID", "Title", "Status", "Showcase", "Score", "Keywords",
               "Impr. 30d", "Clicks", "Inq.")
    noun = "products"
    example_filter = "status:offline"

    def store(self):
        return store_by_id(self.store_id)

    def count(self) -> int:
        return catalog.count_products(self.store(), self.search)

    def fetch(self, offset: int, limit: int):
        return [(r.product_id, [r.product_id, r.title[:40], r.status, _flag(r.showcase),
                                _n(r.score), _n(r.keywords), _n(r.impressions), _n(r.clicks),
                                _n(r.inquiries)])
                for r in catalog.list_products(self.store(), self.search, offset=offset,
                                               limit=limit)]

    def details(self, key: str) -> str:
        d = catalog.product_details(self.store(), key)
        if d is None:
            return f"*Product {key} is gone.*"
        p = d.product
        window = f"{d.window[0]} – {d.window[1]}" if d.window else "no stats imported"
        lines = [
            f"## {p.title}",
            f"**{p.product_id}** · {p.category or 'no category'} · {p.status}"
            f"{' · showcase' if p.showcase else ''}{' · hot product' if p.hot else ''}",
            f"Score {_n(p.score)} · published {p.published or 'unknown'}",
            "",
            f"**Last 30 days of data** ({window}): {_n(p.impressions)} impressions, "
            f"{_n(p.clicks)} clicks, {_n(p.inquiries)} inquiries",
            "",
            f"### Keywords ({len(d.keywords)})",
        ]
        lines += [f"- {k} *({source})*" for k, source in d.keywords] or ["*none*"]
        return "\n".join(lines)


class KeywordsView(BrowseView):
    """The keyword library, with covering products and weekly stats in the details."""

    columns = ("Keyword", "Group", "Index", "Products", "Impr. 4w", "Clicks", "Spend", "Bid")
    noun = "keywords"
    example_filter = "group:core"

    def store(self):
        return store_by_id(self.store_id)

    def count(self) -> int:
        return catalog.count_keywords(self.store(), self.search)

    def fetch(self, offset: int, limit: int):
        return [(r.keyword, [r.keyword, r.group or "", _n(r.search_index), _n(r.products),
                             _n(r.impressions), _n(r.clicks), _n(r.spend), _n(r.bid)])
                for r in catalog.list_keywords(self.store(), self.search, offset=offset,
                                               limit=limit)]

    def details(self, key: str) -> str:
        d = catalog.keyword_details(self.store(), key)
        if d is None:
            return f"*Keyword {key!r} is gone.*"
        k = d.keyword
        bid = (f"P4P bid ¥{k.bid:.2f} ({k.p4p_status})" if k.bid is not None
               else "not in P4P")
        lines = [
            f"## {k.keyword}",
            f"Group **{k.group or '-'}** · search index {_n(k.search_index)} · "
            f"competition {_n(k.competition)} · {bid}",
        ]
        if d.notes:
            lines += ["", d.notes]
        lines += ["", f"### Covered by {len(d.products)} product link(s)"]
        lines += [f"- {p.product_id} {p.title[:70]} "
                  f"*({p.source}{', offline' if p.status != 'online' else ''})*"
                  for p in d.products] or ["*no product covers this keyword*"]
        lines += ["", "### Recent weeks", "",
                  "| Week | Channel | Impr. | Clicks | Inq. | Spend |", "|---|---|---|---|---|---|"]
        lines += [f"| {s.period_start} | {s.channel} | {_n(s.impressions)} | {_n(s.clicks)} | "
                  f"{_n(s.inquiries)} | {_n(s.spend)} |" for s in d.stats]
        if not d.stats:
            lines.append("| – | no stats | | | | |")
        return "\n".join(lines)
