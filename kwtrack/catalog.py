"""Browsing a store: pages of products and keywords, and the details of one of each.

The CLI's `list` commands and the TUI's tables both read through here. Lists come a page at a
time (offset/limit), so a table of 200,000 keywords never loads them all; "recent" numbers are
over the last days or weeks of imported data, not of the calendar, since reports lag.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from peewee import JOIN, SQL, Case, fn

from kwtrack.cleanup import ROUTES, StoreCoverage, last_stats_day
from kwtrack.errors import KwtrackError
from kwtrack.filters import split_comparisons, split_search, unread_term
from kwtrack.store import bulk, weekly
from kwtrack.store.models import (
    Bid,
    ImportBatch,
    ImportPeriod,
    Keyword,
    KeywordStat,
    Product,
    ProductStat,
    Store,
    database,
    now,
)
from kwtrack.store.periods import as_date, product_stats_periods
from kwtrack.store.search import holding, in_store
from kwtrack.store.totals import whole_sum
from kwtrack.values import parse_bool
from kwtrack.words import normalise_keyword

RECENT_DAYS = 30
RECENT_WEEKS = 4


@dataclass(frozen=True)
class StoreSummary:
    """A store kept in the database, and how many products it lists."""

    name: str
    products: int


def store_summaries() -> list[StoreSummary]:
    """Every store in the database, by name, with its number of products (archived included)."""
    query = (Store.select(Store.name, fn.COUNT(Product.id)).join(Product, JOIN.LEFT_OUTER)
             .group_by(Store.id, Store.name).order_by(Store.name))
    return [StoreSummary(name, count) for name, count in query.tuples()]


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
class KeywordRow:
    """A keyword as a list shows it, with its numbers over the recent weeks of data."""

    keyword: str
    group: str | None
    search_index: float | None
    competition: float | None
    products: int
    impressions: int | None
    clicks: int | None
    spend: float | None
    bid: float | None
    p4p_status: str | None


@dataclass(frozen=True)
class CoveringProduct:
    """A live product covering a keyword, and how (`kwtrack.cleanup.ROUTES`: keyword field,
    manual link, search term, title)."""

    product_id: str
    title: str
    status: str
    source: str


@dataclass(frozen=True)
class StatLine:
    """One period's numbers for a keyword and channel."""

    period_start: dt.date
    period_end: dt.date
    channel: str
    impressions: int | None
    clicks: int | None
    inquiries: int | None
    spend: float | None


@dataclass(frozen=True)
class ProductDetails:
    """Everything the details pane shows about one product."""

    product: ProductRow
    keywords: list[tuple[str, str]]  # (keyword, route), by route then keyword
    window: tuple[dt.date, dt.date] | None  # the recent days the numbers cover


@dataclass(frozen=True)
class KeywordDetails:
    """Everything the details pane shows about one keyword."""

    keyword: KeywordRow
    products: list[CoveringProduct]
    stats: list[StatLine]
    notes: str | None
    status: str | None  # the keyword's own status (the operator's), not its P4P status


def last_keyword_stats_day(store: Store) -> dt.date | None:
    """The last day the store's imported keyword stats cover, from the import log (a look-up
    among a few hundred periods rather than a scan of millions of stats rows)."""
    from kwtrack.imports import KEYWORD_STATS_KINDS

    last = (ImportPeriod.select(fn.MAX(ImportPeriod.period_end)).join(ImportBatch)
            .where((ImportBatch.store == store) & ImportBatch.kind.in_(KEYWORD_STATS_KINDS))
            .scalar())
    return as_date(last)


def recent_product_window(store: Store) -> tuple[dt.date, dt.date] | None:
    """The last RECENT_DAYS days of product stats, or None when there are none."""
    last = last_stats_day(store)
    if last is None:
        return None
    return last - dt.timedelta(days=RECENT_DAYS - 1), last


PRODUCT_FILTERS = ("status", "category", "showcase", "hot", "route", "archived")
# the numbers a product list filters on (`impr>100`), by the names the lists show
PRODUCT_NUMBERS = {"impressions": "impressions", "impr": "impressions", "clicks": "clicks",
                   "inquiries": "inquiries", "inq": "inquiries", "score": "score"}
KEYWORD_NUMBERS = {"impressions": "impressions", "impr": "impressions", "clicks": "clicks",
                   "spend": "spend", "bid": "bid", "search_index": "search_index",
                   "index": "search_index", "competition": "competition"}
KEYWORD_FILTERS = ("group", "status", "source", "route", "archived")
ROUTE_FILTERS = (*ROUTES, "none")  # `route:` values: covered by this route, or by none


def _routed(store: Store, route: str, model) -> set[int]:
    """The ids of `model` (Keyword or Product) that a `route:` filter keeps: the keywords
    live products cover by that route and those products; `none`: the keywords no live
    product covers, and the products that cover no keyword."""
    route = route.casefold()
    if route not in ROUTE_FILTERS:
        raise KwtrackError(f"route: is one of {', '.join(ROUTE_FILTERS)}, not {route!r}")
    side = 0 if model is Keyword else 1
    coverage = StoreCoverage.of(store)
    if route != "none":
        return coverage.routed(route)[side]
    covered = set().union(*(coverage.routed(r)[side] for r in ROUTES))
    everything = model.select(model.id).where(model.store == store)
    return {row[0] for row in bulk.raw_rows(everything) if row[0] not in covered}


@contextmanager
def _route_filter(store: Store, query, route: str | None):
    """The query kept to what a `route:` term names (a temporary table of ids, so that the
    list's count, sort and window run in SQL as usual)."""
    if route is None:
        yield query
        return
    model = query.model
    with bulk.id_table(database.obj, "kwtrack_routed", _routed(store, route, model)) as table:
        yield query.where(model.id.in_(SQL(f"(SELECT id FROM {table})")))


def _refuse(problem: str | None) -> None:
    """A search's mistyped term (`filters.unread_term`) as the error the lists say."""
    if problem is not None:
        raise KwtrackError(problem)


def _yes(name: str, value: str) -> bool:
    """A filter term's yes or no (`showcase:y`, `archived:no`); anything else is refused,
    never read as no (which would list the other rows, unasked)."""
    try:
        found = parse_bool(value)
    except ValueError:
        found = None
    if found is None:
        raise KwtrackError(f"'{name}:{value}': say y or n ({name}:y)")
    return found


@contextmanager
def _product_query(store: Store, search: str | None, include_archived: bool):
    """The store's products a list shows: live and offline ones (with `include_archived`
    the archived too; an `archived:y` term lists the archived alone), kept to the search."""
    query = Product.select().where(in_store(Product, store))
    search, compared = split_comparisons(search, PRODUCT_NUMBERS)
    search, terms = split_search(search, PRODUCT_FILTERS)
    _refuse(unread_term(search, PRODUCT_FILTERS, PRODUCT_NUMBERS))
    archived = terms.pop("archived", None)
    if archived is not None:
        query = query.where(Product.archived_at.is_null(not _yes("archived", archived)))
    elif not include_archived:
        query = query.where(Product.archived_at.is_null())
    route = terms.pop("route", None)
    if search:
        text = search.strip()
        query = query.where(holding(Product, {Product.title: text, Product.product_id: text,
                                              Product.category: text}))
    for name, compare, number in compared:
        query = query.where(compare(_product_number(store, name), number))
    for name, value in terms.items():
        field = getattr(Product, name)
        if name in ("showcase", "hot"):
            query = query.where(field == _yes(name, value))
        else:
            query = query.where(field ** value)
    with _route_filter(store, query, route) as query:
        yield query


def _product_number(store: Store, name: str):
    """A product's number as its list row shows it, in SQL: its score, or a sum over the
    recent days of stats (0 when no row falls in them; unknown when the store has none, or
    when a row leaves it unknown: `kwtrack.store.totals`)."""
    if name == "score":
        return Product.score
    window = recent_product_window(store)
    if window is None:
        return SQL("NULL")
    return ProductStat.select(whole_sum(getattr(ProductStat, name), empty=0)).where(
        (ProductStat.product == Product.id) & (ProductStat.period_start >= window[0])
        & (ProductStat.period_end <= window[1]))


def _keyword_number(store: Store, name: str):
    """A keyword's number as its list row shows it, in SQL: its index figures, its P4P bid,
    or a sum over the recent weeks of stats (unknown when no row falls in them)."""
    if name in ("search_index", "competition"):
        return getattr(Keyword, name)
    if name == "bid":
        return Bid.select(Bid.bid).where(Bid.keyword == Keyword.id)
    window = recent_keyword_window(store)
    if window is None:
        return SQL("NULL")
    return KeywordStat.select(_keyword_total(name)).where(
        (KeywordStat.keyword == Keyword.id) & (KeywordStat.period_start >= window[0])
        & (KeywordStat.period_end <= window[1]))


def _keyword_total(name: str):
    """A keyword's figure over its recent stats rows, in SQL (`kwtrack.store.totals`):
    spend over its P4P rows (organic rows have none), the others over all of them."""
    rows = KeywordStat.channel == "p4p" if name == "spend" else None
    return whole_sum(getattr(KeywordStat, name), rows=rows)


def count_products(store: Store, search: str | None = None, *,
                   include_archived: bool = False) -> int:
    """How many products a list with this search would show."""
    with _product_query(store, search, include_archived) as query:
        return query.count()


# What a product list can be sorted by (`sort=`), each a column kept in the database or a
# sum over the recent days of data; the keyword count (title route included) is worked out in
# Python per page, so a list cannot be sorted by it.
PRODUCT_SORTS = ("product_id", "title", "status", "showcase", "score", "published",
                 "impressions", "clicks", "inquiries")


def list_products(store: Store, search: str | None = None, *, offset: int = 0,
                  limit: int | None = None, include_archived: bool = False,
                  sort: str | None = None, descending: bool = False,
                  from_end: bool = False) -> list[ProductRow]:
    """One page of products (title, ID or category containing `search`), in import order or
    by `sort` (one of PRODUCT_SORTS; unknown values last either way), in the database.
    `from_end`: `offset` counts from the list's end (the rows still come in list order), so
    the last rows are read without stepping over all the others."""
    with _product_query(store, search, include_archived) as query:
        order = None
        if sort in ("impressions", "clicks", "inquiries"):
            window = recent_product_window(store)
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
        terms = [_direction(Product.id, False, from_end)]
        if order is not None:
            terms.insert(0, _direction(order, descending, from_end))
        page = list(query.order_by(*terms).offset(offset).limit(limit))
    return _product_rows(store, page[::-1] if from_end else page)


def _direction(expression, descending: bool, from_end: bool = False):
    """An ORDER BY term with unknown (NULL) values last, ascending or descending (a column
    that is never NULL is ordered plainly, so its index serves the order); `from_end`: the
    same order read backwards (descending becomes ascending, unknown values come first)."""
    nulls = ("FIRST" if from_end else "LAST") if getattr(expression, "null", True) else None
    if from_end:
        descending = not descending
    return expression.desc(nulls=nulls) if descending else expression.asc(nulls=nulls)


def _product_rows(store: Store, products: list[Product],
                  covered: dict[int, list[tuple[str, str]]] | None = None) -> list[ProductRow]:
    """The list rows of some products (`covered`: the keywords each covers, when the caller
    has them already)."""
    ids = [p.id for p in products]
    if not ids:
        return []
    if covered is None:  # the keywords each product covers, by any route
        covered = StoreCoverage.of(store).covered([(p.id, p.title_words, p.title)
                                                for p in products])
    keyword_counts = {p: len({k for k, _ in found}) for p, found in covered.items()}
    totals: dict[int, tuple] = {}
    window = recent_product_window(store)
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
            as_date(p.published), keyword_counts.get(p.id, 0), _int(impressions), _int(clicks),
            _int(inquiries), p.archived_at is not None))
    return rows


def _int(value) -> int | None:
    return None if value is None else int(value)


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
                          recent_product_window(store))


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
        days.setdefault(weekly.week_of(start, end), set()).update(
            start + dt.timedelta(days=n) for n in range((end - start).days + 1))
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


def recent_keyword_window(store: Store) -> tuple[dt.date, dt.date] | None:
    """The last RECENT_WEEKS weeks of keyword stats, or None when there are none."""
    last = as_date(last_keyword_stats_day(store))
    if last is None:
        return None
    return last - dt.timedelta(weeks=RECENT_WEEKS) + dt.timedelta(days=1), last


@contextmanager
def _keyword_query(store: Store, search: str | None, group: str | None):
    search, compared = split_comparisons(search, KEYWORD_NUMBERS)
    search, terms = split_search(search, KEYWORD_FILTERS)
    _refuse(unread_term(search, KEYWORD_FILTERS, KEYWORD_NUMBERS))
    route, archived = terms.pop("route", None), terms.pop("archived", None)
    # (the deleted words only with `archived:y`: `keywords add WORD` brings one back)
    query = Keyword.select().where(in_store(Keyword, store) & Keyword.archived_at.is_null(
        archived is None or not _yes("archived", archived)))
    for name, value in terms.items():
        query = query.where(getattr(Keyword, name) ** value)
    for name, compare, number in compared:
        query = query.where(compare(_keyword_number(store, name), number))
    if search:
        query = query.where(holding(Keyword, {Keyword.norm: normalise_keyword(search),
                                              Keyword.group: search.strip()}))
    if group:
        query = query.where(fn.LOWER(Keyword.group) == fn.LOWER(" ".join(group.split())))
    with _route_filter(store, query, route) as query:
        yield query


def count_keywords(store: Store, search: str | None = None, *, group: str | None = None) -> int:
    """How many keywords a list with this search would show."""
    with _keyword_query(store, search, group) as query:
        return query.count()


# What a keyword list can be sorted by (`sort=`): columns kept in the database, the P4P bid,
# or a sum over the recent weeks of data (the covering products are counted per page).
KEYWORD_SORTS = ("keyword", "group", "search_index", "competition", "impressions", "clicks",
                 "spend", "bid")


def list_keywords(store: Store, search: str | None = None, *, group: str | None = None,
                  offset: int = 0, limit: int | None = None, sort: str | None = None,
                  descending: bool = False, from_end: bool = False) -> list[KeywordRow]:
    """One page of the keyword library, alphabetical by normal form or by `sort` (one of
    KEYWORD_SORTS; unknown values last either way), in the database; `from_end` as for
    `list_products`."""
    with _keyword_query(store, search, group) as query:
        if sort is None or sort == "keyword":
            order = Keyword.norm
        elif sort == "bid":
            query = query.join(Bid, JOIN.LEFT_OUTER, on=(Bid.keyword == Keyword.id))
            order = Bid.bid
        elif sort in ("impressions", "clicks", "spend"):
            window = recent_keyword_window(store)
            if window is None:
                order = Keyword.norm
            else:
                # unknown stays unknown: a word without stats in the window sorts last
                sums = (KeywordStat.select(KeywordStat.keyword,
                                           _keyword_total(sort).alias("total"))
                        .where((KeywordStat.period_start >= window[0])
                               & (KeywordStat.period_end <= window[1])))
                if search or group:  # sum the listed words only, not the whole library's
                    sums = sums.where(KeywordStat.keyword.in_(query.select(Keyword.id)))
                sums = sums.group_by(KeywordStat.keyword).alias("sums")
                query = query.join(sums, JOIN.LEFT_OUTER, on=(sums.c.keyword_id == Keyword.id))
                order = sums.c.total
        elif sort in KEYWORD_SORTS:
            order = getattr(Keyword, sort)
        else:
            raise KwtrackError(f"keywords sort by one of {', '.join(KEYWORD_SORTS)}, not {sort!r}")
        terms = [_direction(order, descending, from_end)]
        if order is not Keyword.norm:
            terms.append(_direction(Keyword.norm, False, from_end))
        page = list(query.order_by(*terms).offset(offset).limit(limit))
    return _keyword_rows(store, page[::-1] if from_end else page)


def _keyword_rows(store: Store, keywords: list[Keyword],
                  coverage: StoreCoverage | None = None) -> list[KeywordRow]:
    ids = [k.id for k in keywords]
    if not ids:
        return []
    # the live products covering each keyword, by any route (kwtrack.cleanup.routes)
    covering = (coverage or StoreCoverage.of(store)).covering(
        [(k.id, k.words, k.keyword) for k in keywords])
    product_counts = {k: count for k, (_, count) in covering.items()}
    bids = {b.keyword_id: b for b in Bid.select().where(Bid.keyword.in_(ids))}
    window = recent_keyword_window(store)
    totals: dict[int, tuple] = {}
    if window:
        totals = {row[0]: row[1:] for row in (
            KeywordStat.select(KeywordStat.keyword, _keyword_total("impressions"),
                               _keyword_total("clicks"), _keyword_total("spend"))
            .where(KeywordStat.keyword.in_(ids) & (KeywordStat.period_start >= window[0])
                   & (KeywordStat.period_end <= window[1]))
            .group_by(KeywordStat.keyword).tuples())}
    rows = []
    for k in keywords:
        impressions, clicks, spend = totals.get(k.id, (None, None, None))
        bid = bids.get(k.id)
        rows.append(KeywordRow(
            k.keyword, k.group, k.search_index, k.competition, product_counts.get(k.id, 0),
            _int(impressions), _int(clicks), None if spend is None else round(spend, 2),
            bid.bid if bid else None, bid.status if bid else None))
    return rows


def keyword_details(store: Store, keyword: str, *, weeks: int = 8) -> KeywordDetails | None:
    """A keyword's row, the live products covering it (by route; title matches: the first
    50) and its last `weeks` weeks of stats."""
    kw = Keyword.get_or_none((Keyword.store == store)
                             & (Keyword.norm == normalise_keyword(keyword)))
    if kw is None:
        return None
    coverage = StoreCoverage.of(store)
    covered_by, _ = coverage.covering([(kw.id, kw.words, kw.keyword)], limit=50)[kw.id]
    products = [CoveringProduct(c.product_id, c.title, "online", c.via) for c in covered_by]
    stats = [StatLine(as_date(a), as_date(b), *rest) for a, b, *rest in (
        KeywordStat.select(KeywordStat.period_start, KeywordStat.period_end, KeywordStat.channel,
                           KeywordStat.impressions, KeywordStat.clicks, KeywordStat.inquiries,
                           KeywordStat.spend)
        .where(KeywordStat.keyword == kw)
        .order_by(KeywordStat.period_start.desc(), KeywordStat.channel)
        .limit(weeks * 2).tuples())]
    return KeywordDetails(_keyword_rows(store, [kw], coverage)[0], products, stats, kw.notes,
                          kw.status)


def set_title(store: Store, product_id: str, title: str, *, reason: str | None = None,
              force: bool = False) -> tuple[str, str]:
    """Give a product a new title, as one change `kwtrack undo` reverses; returns (old, new).

    A hot product's title may change, but not casually: it needs `force` and a reason, and
    the change log keeps the product's figures at the change (its last 30 days of data)."""
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
               f"{row.inquiries} over the last {RECENT_DAYS} days of data")
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
