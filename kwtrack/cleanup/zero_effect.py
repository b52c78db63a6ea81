"""Zero-effect products: live products whose stats prove no effect over a window of days.

Operators delete them every month (after the coverage check), so "zero effect" is never a
guess. Stats come in periods (a day, or the data manager's week): a period that overlaps the
window and shows any effect means the product is not zero-effect (the effect may have fallen
on a window day), and a period that shows none means zero on each of its days. The window
must be covered, every day of it, by the periods of imported product-stats files; if not, no
product is named and `StatsGap` says which days are missing. A product with no row in a
covered period had no effect in it (the report lists every product with any figure).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import SQL, fn

from kwtrack.errors import KwtrackError, StatsGap
from kwtrack.store.models import ANY_EFFECT, ImportPeriod, Product, ProductStat, Store
from kwtrack.store.periods import as_date, period_days, product_stats_periods

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class ProductBrief:
    """A product as the clean-up lists it."""

    product_id: str
    title: str


@dataclass(frozen=True)
class ZeroEffect:
    """The zero-effect products over the `days` days ending on `as_of`."""

    as_of: dt.date
    days: int
    products: list[ProductBrief]


def live_products(store: Store):
    """The store's live products: online and not archived (a query)."""
    return Product.select().where((Product.store == store) & (Product.status == "online")
                                  & Product.archived_at.is_null())


def last_stats_day(store: Store) -> dt.date | None:
    """The last day imported product stats cover (None when there are none)."""
    last = product_stats_periods(store).select(fn.MAX(ImportPeriod.period_end)).scalar()
    return None if last is None else as_date(last)


def missing_stats_days(store: Store, start: dt.date, end: dt.date) -> list[dt.date]:
    """The days of [start, end] that no imported product-stats period covers."""
    covered: set[dt.date] = set()
    periods = product_stats_periods(store).where((ImportPeriod.period_end >= start)
                                          & (ImportPeriod.period_start <= end))
    for a, b in periods.tuples():
        a, b = max(as_date(a), start), min(as_date(b), end)
        covered.update(period_days(a, b))
    return [day for day in period_days(start, end) if day not in covered]


def day_ranges(days: list[dt.date]) -> str:
    """Days as compact ranges: `2026-11-01..2026-11-03, 2026-11-07`."""
    runs: list[list[dt.date]] = []
    for day in sorted(days):
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return ", ".join(str(a) if a == b else f"{a}..{b}" for a, b in runs)


def zero_effect_products(store: Store, *, days: int = DEFAULT_DAYS,
                         as_of: dt.date | None = None) -> ZeroEffect:
    """Live products, published at least `days` days before `as_of`, whose stats prove no
    effect in the `days` days ending on `as_of` (default: the last day imported product stats
    cover). Raises StatsGap, naming the missing days, when the stats do not cover them all."""
    if days < 1:
        raise KwtrackError("--days must be at least 1")
    if as_of is None:
        as_of = last_stats_day(store)
        if as_of is None:
            raise StatsGap("no product stats imported yet: zero effect cannot be known "
                           "(import the data manager's product report first)")
    start = as_of - dt.timedelta(days=days - 1)
    missing = missing_stats_days(store, start, as_of)
    if missing:
        last = last_stats_day(store)
        raise StatsGap(f"imported product stats do not cover {day_ranges(missing)} "
                       f"({len(missing)} of the {days} days ending {as_of}): zero effect "
                       "cannot be known; import those reports, or choose --as-of/--days "
                       f"inside the stats (the last day they cover: {last or 'none'})")
    # Any period with effect overlapping the window: one seek per product in the partial
    # index of rows with any effect (the condition is models.ANY_EFFECT word for word, so
    # that the database uses that index).
    active = ProductStat.select(SQL("1")).where(
        (ProductStat.product == Product.id) & (ProductStat.period_end >= start)
        & (ProductStat.period_start <= as_of) & SQL(f"({ANY_EFFECT})"))
    old_enough = as_of - dt.timedelta(days=days)
    products = (live_products(store).select(Product.product_id, Product.title)
                .where((Product.published.is_null() | (Product.published <= old_enough))
                       & ~fn.EXISTS(active))
                .order_by(Product.product_id))
    return ZeroEffect(as_of, days, [ProductBrief(*row) for row in products.tuples()])
