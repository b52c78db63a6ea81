"""The store's products as lists and details show them: pages with their numbers over the
recent days of data, one product's details and weeks, and a new title."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from peewee import JOIN, SQL, Case

from kwtrack.catalog.common import RECENT_DAYS, as_int, direction, refuse, route_filter, yes
from kwtrack.cleanup import StoreCoverage, day_ranges, last_stats_day
from kwtrack.errors import KwtrackError
from kwtrack.filters import split_comparisons, split_search, unread_term
from kwtrack.store import bulk, weekly
from kwtrack.store.models import (
    ImportPeriod,
    Product,
    ProductStat,
    Store,
    database,
    now,
)
from kwtrack.store.periods import (
    as_date,
    period_days,
    periods_within,
    product_stats_periods,
)
from kwtrack.store.search import holding, in_store
from kwtrack.store.totals import whole_sum


@dataclass(frozen=True)
class ProductRow:
    """A product as a list shows it, with its numbers over the recent days of data."""

    product_id: str
    title: str
    category: str | None
    status: str
    showcase: bool | None
    hot: bool | None
    score: float | None
    published: dt.date | None
    keywords: int
    impressions: int | None
    clicks: int | None
    inquiries: int | None
    archived: bool


@dataclass(frozen=True)
class ProductDetails:
    """Everything the details pane shows about one product."""

    product: ProductRow
    keywords: list[tuple[str, str]]  # (keyword, route), by route then keyword
    window: tuple[dt.date, dt.date] | None  # the recent days the numbers cover
    gap: str | None = None  # the days of the window no stats cover (`recent_product_gap`)


PRODUCT_FILTERS = ("status", "category", "showcase", "hot", "route", "archived")


# the numbers a product list filters on (`impr>100`), by the names the lists show
PRODUCT_NUMBERS = {"impressions": "impressions", "impr": "impressions", "clicks": "clicks",
                   "inquiries": "inquiries", "inq": "inquiries", "score": "score"}


def recent_product_window(store: Store, days: int = RECENT_DAYS
                          ) -> tuple[dt.date, dt.date] | None:
    """The recent days of product stats the lists add up: the last `days` days of data,
    from the first day of the periods wholly inside them (weekly reports: the last four
    whole weeks; a week reaching back past them would be left out of the sums, not cut);
    None when there are none."""
    last = last_stats_day(store)
    if last is None:
        return None
    earliest = last - dt.timedelta(days=days - 1)
    return min((start for start, _ in periods_within(store, earliest, last)),
               default=earliest), last


def recent_product_gap(store: Store, days: int = RECENT_DAYS, *, short: bool = False
                       ) -> str | None:
    """The days of `recent_product_window` that no product-stats period inside it covers, in
    a line (a report not imported: the numbers leave them out; `short`: the days alone, for a
    status line); None when there are none."""
    window = recent_product_window(store, days)
    if window is None:
        return None
    covered = {day for period in periods_within(store, *window) for day in period_days(*period)}
    missing = [day for day in period_days(*window) if day not in covered]
    if not missing:
        return None
    said = f"no product stats for {day_ranges(missing)}"
    return said if short else (f"{said}: the numbers of the last {window_days(window)} days "
                               f"leave {'it' if len(missing) == 1 else 'them'} out")


def window_days(window: tuple[dt.date, dt.date]) -> int:
    """How many days a window holds."""
    return (window[1] - window[0]).days + 1


def window_said(window: tuple[dt.date, dt.date] | None) -> str:
    """A recent window in words, as every list of product numbers names it (`the last 28
    days of data (2026-10-25 – 2026-11-21)`)."""
    if window is None:
        return "no product stats imported"
    return f"the last {window_days(window)} days of data ({window[0]} – {window[1]})"


@contextmanager
def _product_query(store: Store, search: str | None, include_archived: bool, days: int):
    """The store's products a list shows: live and offline ones (with `include_archived`
    the archived too; an `archived:y` term lists the archived alone), kept to the search."""
    query = Product.select().where(in_store(Product, store))
    search, compared = split_comparisons(search, PRODUCT_NUMBERS)
    search, terms = split_search(search, PRODUCT_FILTERS)
    refuse(unread_term(search, PRODUCT_FILTERS, PRODUCT_NUMBERS))
    archived = terms.pop("archived", None)
    if archived is not None:
        query = query.where(Product.archived_at.is_null(not yes("archived", archived)))
    elif not include_archived:
        query = query.where(Product.archived_at.is_null())
    route = terms.pop("route", None)
    if search:
        text = search.strip()
        query = query.where(holding(Product, {Product.title: text, Product.product_id: text,
                                              Product.category: text}))
    for name, compare, number in compared:
        query = query.where(compare(_product_number(store, name, days), number))
    for name, value in terms.items():
        field = getattr(Product, name)
        if name in ("showcase", "hot"):
            query = query.where(field == yes(name, value))
        else:
            query = query.where(field ** value)
    with route_filter(store, query, route) as query:
        yield query


def _product_number(store: Store, name: str, days: int):
    """A product's number as its list row shows it, in SQL: its score, or a sum over the
    last `days` days of stats (0 when no row falls in them; unknown when the store has none,
    or when a row leaves it unknown: `kwtrack.store.totals`)."""
    if name == "score":
        return Product.score
    window = recent_product_window(store, days)
    if window is None:
        return SQL("NULL")
    return ProductStat.select(whole_sum(getattr(ProductStat, name), empty=0)).where(
        (ProductStat.product == Product.id) & (ProductStat.period_start >= window[0])
        & (ProductStat.period_end <= window[1]))


def count_products(store: Store, search: str | None = None, *,
                   include_archived: bool = False, days: int = RECENT_DAYS) -> int:
    """How many products a list with this search would show."""
    with _product_query(store, search, include_archived, days) as query:
        return query.count()


# What a product list can be sorted by (`sort=`), each a column kept in the database or a
# sum over the recent days of data; the keyword count (title route included) is worked out in
# Python per page, so a list cannot be sorted by it.
PRODUCT_SORTS = ("product_id", "title", "status", "showcase", "score", "published",
                 "impressions", "clicks", "inquiries")


def list_products(store: Store, search: str | None = None, *, offset: int = 0,
                  limit: int | None = None, include_archived: bool = False,
                  sort: str | None = None, descending: bool = False,
                  from_end: bool = False, days: int = RECENT_DAYS) -> list[ProductRow]:
    """One page of products (title, ID or category containing `search`), in import order or
    by `sort` (one of PRODUCT_SORTS; unknown values last either way), in the database, with
    their numbers over the last `days` days of data (`recent_product_window`).
    `from_end`: `offset` counts from the list's end (the rows still come in list order), so
    the last rows are read without stepping over all the others."""
    with _product_query(store, search, include_archived, days) as query:
        order = None
        if sort in ("impressions", "clicks", "inquiries"):
            window = recent_product_window(store, days)
            if window:
                # as the rows show it: a product without stats in the window has 0
                sums = (ProductStat.select(ProductStat.product, whole_sum(
                            getattr(ProductStat, sort)).alias("total"))
                        .where((ProductStat.period_start >= window[0])
                               & (ProductStat.period_end <= window[1]))
                        .group_by(ProductStat.product).alias("sums"))
                query = query.join(sums, JOIN.LEFT_OUTER, on=(sums.c.product_id == Product.id))
                order = Case(None, [(sums.c.product_id.is_null(), 0)], sums.c.total)
        elif sort in PRODUCT_SORTS:
            order = getattr(Product, sort)
        elif sort is not None:
            raise KwtrackError(f"products sort by one of {', '.join(PRODUCT_SORTS)}, not {sort!r}")
        terms = [direction(Product.id, False, from_end)]
        if order is not None:
            terms.insert(0, direction(order, descending, from_end))
        page = list(query.order_by(*terms).offset(offset).limit(limit))
    return _product_rows(store, page[::-1] if from_end else page, days=days)


def _product_rows(store: Store, products: list[Product],
                  covered: dict[int, list[tuple[str, str]]] | None = None,
                  days: int = RECENT_DAYS) -> list[ProductRow]:
    """The list rows of some products, their numbers over the last `days` days of data
    (`covered`: the keywords each covers, when the caller has them already)."""
    ids = [p.id for p in products]
    if not ids:
        return []
    if covered is None:  # the keywords each product covers, by any route
        covered = StoreCoverage.of(store).covered([(p.id, p.title_words, p.title)
                                                for p in products])
    keyword_counts = {p: len({k for k, _ in found}) for p, found in covered.items()}
    totals: dict[int, tuple] = {}
    window = recent_product_window(store, days)
    for part in bulk.chunked(ids) if window else ():
        totals.update((row[0], row[1:]) for row in (
            ProductStat.select(ProductStat.product, whole_sum(ProductStat.impressions),
                               whole_sum(ProductStat.clicks), whole_sum(ProductStat.inquiries))
            .where(ProductStat.product.in_(list(part))
                   & (ProductStat.period_start >= window[0])
                   & (ProductStat.period_end <= window[1]))
            .group_by(ProductStat.product).tuples()))
    rows = []
    for p in products:
        impressions, clicks, inquiries = totals.get(p.id, (0, 0, 0) if window else
                                                    (None, None, None))
        rows.append(ProductRow(
            p.product_id, p.title, p.category, p.status, p.showcase, p.hot, p.score,
            as_date(p.published), keyword_counts.get(p.id, 0), as_int(impressions), as_int(clicks),
            as_int(inquiries), p.archived_at is not None))
    return rows


def product_rows(store: Store, product_ids: list[str]) -> dict[str, ProductRow]:
    """Some products' list rows (recent figures, keyword counts), by product ID, for a report
    that names products: which of two duplicate listings earns more, say. IDs the store
    lacks are left out."""
    products = [p for part in bulk.chunked(list(dict.fromkeys(product_ids)))
                for p in Product.select().where((Product.store == store)
                                                & Product.product_id.in_(list(part)))]
    # (all at once: the keywords they cover are found in one pass over the library)
    return {row.product_id: row for row in _product_rows(store, products)}


def product_details(store: Store, product_id: str) -> ProductDetails | None:
    """A product's row, the keywords it covers (and by which route: keyword field, manual,
    search term, title) and the window of its numbers."""
    product = Product.get_or_none((Product.store == store) & (Product.product_id == product_id))
    if product is None:
        return None
    covered = StoreCoverage.of(store).covered([(product.id, product.title_words, product.title)])
    return ProductDetails(_product_rows(store, [product], covered)[0],
                          sorted(covered[product.id], key=lambda kv: (kv[1], kv[0])),
                          recent_product_window(store), recent_product_gap(store))


@dataclass(frozen=True)
class ProductWeek:
    """A product's figures over one ISO week (None: unknown, `product_weeks` says when)."""

    monday: dt.date
    impressions: int | None
    clicks: int | None
    inquiries: int | None


def product_weeks(store: Store, product_id: str, weeks: int = 12) -> list[ProductWeek]:
    """A product's last `weeks` ISO weeks of figures, oldest first, to the week of the last
    day the store's product stats cover. A row counts in its week as the review counts it
    (`weekly.week_of`: the data manager's Sunday-to-Saturday week is the ISO week holding six
    of its days); a week is known once the product-stats periods counting in it cover seven
    days (a product without a row then had none), and a row's `-` leaves its figure unknown."""
    last = last_stats_day(store)
    product = Product.get_or_none((Product.store == store) & (Product.product_id == product_id))
    if last is None or product is None:
        return []
    first = weekly.monday_of(last) - dt.timedelta(weeks=weeks - 1)
    days: dict[dt.date, set[dt.date]] = {}  # week → the days its periods cover
    for start, end in product_stats_periods(store).where(
            ImportPeriod.period_end >= first).tuples():
        start, end = as_date(start), as_date(end)
        days.setdefault(weekly.week_of(start, end), set()).update(period_days(start, end))
    sums: dict[dt.date, list[int | None]] = {}
    for start, end, *figures in (
            ProductStat.select(ProductStat.period_start, ProductStat.period_end,
                               ProductStat.impressions, ProductStat.clicks,
                               ProductStat.inquiries)
            .where((ProductStat.product == product) & (ProductStat.period_end >= first))
            .tuples()):
        week = sums.setdefault(weekly.week_of(as_date(start), as_date(end)), [0, 0, 0])
        for i, value in enumerate(figures):  # (a `-` row: unknown)
            week[i] = None if value is None or week[i] is None else week[i] + value
    return [ProductWeek(monday, *(sums.get(monday, (0, 0, 0))
                                  if len(days.get(monday, ())) >= 7 else (None, None, None)))
            for monday in (first + dt.timedelta(weeks=n) for n in range(weeks))]


def set_title(store: Store, product_id: str, title: str, *, reason: str | None = None,
              force: bool = False) -> tuple[str, str]:
    """Give a product a new title, as one change `kwtrack undo` reverses; returns (old, new).

    A hot product's title may change, but not casually: it needs `force` and a reason, and
    the change log keeps the product's figures at the change (its recent days of data)."""
    from kwtrack.cleanup import TITLE_LIMIT
    from kwtrack.history import log_change, next_action
    from kwtrack.words import clean_display

    product = Product.get_or_none((Product.store == store) & (Product.product_id == product_id)
                                  & Product.archived_at.is_null())
    if product is None:
        raise KwtrackError(f"no live product {product_id!r}")
    title = clean_display(title)
    if not title:
        raise KwtrackError("a title cannot be empty")
    if len(title) > TITLE_LIMIT:
        raise KwtrackError(f"the title is {len(title)} characters, over the limit of "
                           f"{TITLE_LIMIT}")
    if product.hot and not (force and reason):
        raise KwtrackError(f"product {product_id} is a hot product: its title changes only "
                           "with --force and a --reason (its traffic rides on this title)")
    row = _product_rows(store, [product])[0]
    figures = (f"impressions {row.impressions}, clicks {row.clicks}, inquiries "
               f"{row.inquiries} over {window_said(recent_product_window(store))}")
    note = "; ".join(filter(None, [reason,
                                   f"hot product: {figures}" if product.hot else None]))
    old = product.title
    with database.obj.atomic():
        stamp = now()
        log_change(store, next_action(store), "product", product.id, "title", old, title,
                   note or None, stamp)
        product.title, product.updated_at = title, stamp
        product.save()  # (its match words follow, Product.DERIVED)
    return old, title
