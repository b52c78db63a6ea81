"""Zero-effect products: live products with no effect over a window of days.

Operators delete them every month (after the coverage check). A product is a candidate only
when the stats prove it: a day that imported product stats cover but with no row for the
product counts as zero, and the days no imported stats file covers are counted and reported,
never taken as zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import SQL, fn

from kwtrack.errors import KwtrackError
from kwtrack.store.models import ANY_EFFECT, ImportBatch, Product, ProductStat, Store

DEFAULT_DAYS = 90
STATS_KINDS = ("product-stats", "product-report")


@dataclass(frozen=True)
class ProductBrief:
    """A product as the clean-up lists it."""

    product_id: str
    title: str


@dataclass(frozen=True)
class ZeroEffect:
    """The zero-effect products as of a day, and whether the stats cover the whole window."""

    as_of: dt.date
    days: int
    window_covered: bool
    uncovered_days: int
    products: list[ProductBrief]


def live_products(store: Store):
    """The store's live products: online and not archived (a query)."""
    return Product.select().where((Product.store == store) & (Product.status == "online")
                                  & Product.archived_at.is_null())


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def stats_days_missing(store: Store, start: dt.date, end: dt.date) -> int:
    """How many days of [start, end] no imported product-stats file covers."""
    covered: set[dt.date] = set()
    batches = ImportBatch.select(ImportBatch.period_start, ImportBatch.period_end).where(
        (ImportBatch.store == store) & ImportBatch.kind.in_(STATS_KINDS)
        & ImportBatch.period_start.is_null(False))
    for a, b in batches.tuples():
        a, b = max(_as_date(a), start), min(_as_date(b), end)
        covered.update(a + dt.timedelta(days=i) for i in range((b - a).days + 1))
    return (end - start).days + 1 - len(covered)


def zero_effect_products(store: Store, *, days: int = DEFAULT_DAYS,
                         as_of: dt.date | None = None) -> ZeroEffect:
    """Live products, published at least `days` days before `as_of`, with no effect in the
    `days` days ending on `as_of` (no stats row on a covered day counts as zero)."""
    if days < 1:
        raise KwtrackError("--days must be at least 1")
    as_of = as_of or dt.date.today()
    start = as_of - dt.timedelta(days=days - 1)
    # One seek per product in the partial index of rows with any effect (the condition is
    # models.ANY_EFFECT word for word, so that the database uses that index).
    active = ProductStat.select(SQL("1")).where(
        (ProductStat.product == Product.id) & (ProductStat.period_end >= start)
        & (ProductStat.period_end <= as_of) & (ProductStat.period_start >= start)
        & SQL(f"({ANY_EFFECT})"))
    old_enough = as_of - dt.timedelta(days=days)
    products = (live_products(store).select(Product.product_id, Product.title)
                .where((Product.published.is_null() | (Product.published <= old_enough))
                       & ~fn.EXISTS(active))
                .order_by(Product.product_id))
    missing = stats_days_missing(store, start, as_of)
    return ZeroEffect(as_of, days, missing == 0, missing,
                      [ProductBrief(*row) for row in products.tuples()])
