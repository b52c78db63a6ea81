"""Browsing a store: pages of products and keywords, and the details of one of each.

The CLI's `list` commands and the TUI's tables both read through here. Lists come a page at a
time (offset/limit), so a table of 200,000 keywords never loads them all; "recent" numbers are
over the last days or weeks of imported data, not of the calendar, since reports lag.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, fn

from kwtrack.store.models import Bid, Coverage, Keyword, KeywordStat, Product, ProductStat, Store
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
    """A product linked to a keyword, and how (keyword field, manual link, search report)."""

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
    keywords: list[tuple[str, str]]  # (keyword, source)
    window: tuple[dt.date, dt.date] | None  # the recent days the numbers cover


@dataclass(frozen=True)
class KeywordDetails:
    """Everything the details pane shows about one keyword."""

    keyword: KeywordRow
    products: list[CoveringProduct]
    stats: list[StatLine]
    notes: str | None


def last_product_stats_day(store: Store) -> dt.date | None:
    """The last day the store's imported product stats cover."""
    return (ProductStat.select(fn.MAX(ProductStat.period_end)).join(Product)
            .where(Product.store == store).scalar())


def last_keyword_stats_day(store: Store) -> dt.date | None:
    """The last day the store's imported keyword stats cover."""
    return (KeywordStat.select(fn.MAX(KeywordStat.period_end)).join(Keyword)
            .where(Keyword.store == store).scalar())


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def recent_product_window(store: Store) -> tuple[dt.date, dt.date] | None:
    """The last RECENT_DAYS days of product stats, or None when there are none."""
    last = _as_date(last_product_stats_day(store))
    if last is None:
        return None
    return last - dt.timedelta(days=RECENT_DAYS - 1), last


def _product_query(store: Store, search: str | None, include_archived: bool):
    query = Product.select().where(Product.store == store)
    if not include_archived:
        query = query.where(Product.archived_at.is_null())
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where((Product.title ** pattern) | (Product.product_id ** pattern)
                            | (Product.category ** pattern))
    return query


def count_products(store: Store, search: str | None = None, *,
                   include_archived: bool = False) -> int:
    """How many products a list with this search would show."""
    return _product_query(store, search, include_archived).count()


def list_products(store: Store, search: str | None = None, *, offset: int = 0,
                  limit: int | None = None, include_archived: bool = False) -> list[ProductRow]:
    """One page of products (title, ID or category containing `search`), in import order."""
    page = list(_product_query(store, search, include_archived)
                .order_by(Product.id).offset(offset).limit(limit))
    return _product_rows(store, page)


def _product_rows(store: Store, products: list[Product]) -> list[ProductRow]:
    ids = [p.id for p in products]
    if not ids:
        return []
    keyword_counts = dict(
        Coverage.select(Coverage.product, fn.COUNT(fn.DISTINCT(Coverage.keyword)))
        .where(Coverage.product.in_(ids)).group_by(Coverage.product).tuples())
    totals: dict[int, tuple] = {}
    window = recent_product_window(store)
    if window:
        totals = {row[0]: row[1:] for row in (
            ProductStat.select(ProductStat.product, fn.SUM(ProductStat.impressions),
                               fn.SUM(ProductStat.clicks), fn.SUM(ProductStat.inquiries))
            .where(ProductStat.product.in_(ids) & (ProductStat.period_start >= window[0])
                   & (ProductStat.period_end <= window[1]))
            .group_by(ProductStat.product).tuples())}
    rows = []
    for p in products:
        impressions, clicks, inquiries = totals.get(p.id, (0, 0, 0) if window else
                                                    (None, None, None))
        rows.append(ProductRow(
            p.product_id, p.title, p.category, p.status, p.showcase, p.hot, p.score,
            _as_date(p.published), keyword_counts.get(p.id, 0), _int(impressions), _int(clicks),
            _int(inquiries), p.archived_at is not None))
    return rows


def _int(value) -> int | None:
    return None if value is None else int(value)


def product_details(store: Store, product_id: str) -> ProductDetails | None:
    """A product's row, its keywords (with the link's source) and the window of its numbers."""
    product = Product.get_or_none((Product.store == store) & (Product.product_id == product_id))
    if product is None:
        return None
    keywords = [
        (k, s) for k, s in Coverage.select(Keyword.keyword, Coverage.source).join(Keyword)
        .where(Coverage.product == product).order_by(Coverage.source, Keyword.keyword).tuples()
    ]
    return ProductDetails(_product_rows(store, [product])[0], keywords,
                          recent_product_window(store))


def recent_keyword_window(store: Store) -> tuple[dt.date, dt.date] | None:
    """The last RECENT_WEEKS weeks of keyword stats, or None when there are none."""
    last = _as_date(last_keyword_stats_day(store))
    if last is None:
        return None
    return last - dt.timedelta(weeks=RECENT_WEEKS) + dt.timedelta(days=1), last


def _keyword_query(store: Store, search: str | None, group: str | None):
    query = Keyword.select().where((Keyword.store == store) & Keyword.archived_at.is_null())
    if search:
        query = query.where((Keyword.norm ** f"%{normalise_keyword(search)}%")
                            | (Keyword.group ** f"%{search.strip()}%"))
    if group:
        query = query.where(Keyword.group == group)
    return query


def count_keywords(store: Store, search: str | None = None, *, group: str | None = None) -> int:
    """How many keywords a list with this search would show."""
    return _keyword_query(store, search, group).count()


def list_keywords(store: Store, search: str | None = None, *, group: str | None = None,
                  offset: int = 0, limit: int | None = None) -> list[KeywordRow]:
    """One page of the keyword library, alphabetical by normal form."""
    page = list(_keyword_query(store, search, group).order_by(Keyword.norm)
                .offset(offset).limit(limit))
    return _keyword_rows(store, page)


def _keyword_rows(store: Store, keywords: list[Keyword]) -> list[KeywordRow]:
    ids = [k.id for k in keywords]
    if not ids:
        return []
    product_counts = dict(
        Coverage.select(Coverage.keyword, fn.COUNT(fn.DISTINCT(Coverage.product)))
        .join(Product).where(Coverage.keyword.in_(ids) & (Product.status == "online")
                             & Product.archived_at.is_null())
        .group_by(Coverage.keyword).tuples())
    bids = {b.keyword_id: b for b in Bid.select().where(Bid.keyword.in_(ids))}
    window = recent_keyword_window(store)
    totals: dict[int, tuple] = {}
    if window:
        totals = {row[0]: row[1:] for row in (
            KeywordStat.select(KeywordStat.keyword, fn.SUM(KeywordStat.impressions),
                               fn.SUM(KeywordStat.clicks), fn.SUM(KeywordStat.spend))
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
    """A keyword's row, the products linked to it and its last `weeks` weeks of stats."""
    kw = Keyword.get_or_none((Keyword.store == store)
                             & (Keyword.norm == normalise_keyword(keyword)))
    if kw is None:
        return None
    products = [CoveringProduct(*row) for row in (
        Coverage.select(Product.product_id, Product.title, Product.status, Coverage.source)
        .join(Product, JOIN.INNER)
        .where((Coverage.keyword == kw) & Product.archived_at.is_null())
        .order_by(Product.product_id, Coverage.source).tuples())]
    stats = [StatLine(_as_date(a), _as_date(b), *rest) for a, b, *rest in (
        KeywordStat.select(KeywordStat.period_start, KeywordStat.period_end, KeywordStat.channel,
                           KeywordStat.impressions, KeywordStat.clicks, KeywordStat.inquiries,
                           KeywordStat.spend)
        .where(KeywordStat.keyword == kw)
        .order_by(KeywordStat.period_start.desc(), KeywordStat.channel)
        .limit(weeks * 2).tuples())]
    return KeywordDetails(_keyword_rows(store, [kw])[0], products, stats, kw.notes)
