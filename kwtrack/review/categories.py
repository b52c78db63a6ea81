"""The store by category, the review's second table: the data overview's "conversion per
category". For the reviewed week, each category's products (its live listings now), their
impressions, clicks, visitors and inquiries, the inquiry rate (inquiries ÷ visitors), the
orders submitted, and the change in impressions and inquiries on the week before.

Known only where the stats say it, as the store's weeks are (`overview`): a week whose
product stats do not cover its seven days gives no table (the store's weeks say why); a
product without a row had no effect; one row leaving a figure unknown (a report's `-`)
leaves its category's unknown. A product counts in the category it has now.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from kwtrack.review.figures import change, ratio
from kwtrack.review.overview import StoreWeek, week_rows
from kwtrack.store import bulk
from kwtrack.store.models import Product, ProductStat, Store
from kwtrack.store.totals import whole_sum

# The table's figures, in order.
CATEGORY_FIGURES = ("products", "impressions", "clicks", "ctr", "visitors", "inquiries",
                    "inquiry_rate", "orders", "impressions_change", "inquiries_change")
NO_CATEGORY = "(no category)"
_SUMMED = ("impressions", "clicks", "visitors", "inquiries", "orders")


@dataclass(frozen=True)
class CategoryWeek:
    """One category in the reviewed week: its figures (CATEGORY_FIGURES; None: unknown)."""

    category: str | None  # None: products without one
    figures: dict

    @property
    def name(self) -> str:
        return self.category if self.category is not None else NO_CATEGORY

    def to_dict(self) -> dict:
        return {"category": self.category, **self.figures}


def by_category(store: Store, weeks: list[StoreWeek]) -> list[CategoryWeek]:
    """Each category's figures in the last of `weeks` (the reviewed week; the one before it,
    when its stats cover it too, gives the changes), most impressions first. Empty when the
    stats do not cover the reviewed week, or no product has a category (the one row would
    be the store's own)."""
    if not weeks or weeks[-1].product_days < 7:
        return []
    now = _totals(store, weeks[-1])
    before = _totals(store, weeks[-2]) if len(weeks) > 1 and weeks[-2].product_days == 7 \
        else None
    listed = dict(bulk.raw_rows(
        Product.select(Product.category, fn.COUNT(Product.id))
        .where((Product.store == store) & (Product.status == "online")
               & Product.archived_at.is_null())
        .group_by(Product.category)))
    categories = set(now) | set(listed)
    if categories <= {None}:
        return []
    nothing = dict.fromkeys(_SUMMED, 0)  # (a category without a row had no effect)
    found = []
    for category in categories:
        figures = now.get(category, nothing)
        earlier = None if before is None else before.get(category, nothing)
        moved = {name: None if earlier is None else change(figures[name], earlier[name])
                 for name in ("impressions", "inquiries")}
        found.append(CategoryWeek(category, {
            "products": listed.get(category, 0), "impressions": figures["impressions"],
            "clicks": figures["clicks"], "ctr": ratio(figures["clicks"], figures["impressions"]),
            "visitors": figures["visitors"], "inquiries": figures["inquiries"],
            "inquiry_rate": ratio(figures["inquiries"], figures["visitors"]),
            "orders": figures["orders"],
            "impressions_change": moved["impressions"],
            "inquiries_change": moved["inquiries"]}))
    return sorted(found, key=lambda c: (c.figures["impressions"] is None,
                                        -(c.figures["impressions"] or 0), c.name))


def _totals(store: Store, week: StoreWeek) -> dict[str | None, dict]:
    """The week's impressions, clicks, visitors, inquiries and orders of each category's products
    (archived ones too: the week's figures are the store's as it was then)."""
    query = (ProductStat.select(Product.category,
                                *(whole_sum(getattr(ProductStat, name)) for name in _SUMMED))
             .join(Product)
             .where((Product.store == store) & week_rows(ProductStat, week.week))
             .group_by(Product.category))
    return {category: dict(zip(_SUMMED, sums, strict=True))
            for category, *sums in bulk.raw_rows(query)}
