"""The keyword library as lists and details show it: pages with their numbers over the
recent weeks of data, and one keyword's covering products and stats."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from peewee import JOIN, SQL, fn

from kwtrack.catalog.common import RECENT_WEEKS, as_int, direction, refuse, route_filter, yes
from kwtrack.cleanup import StoreCoverage
from kwtrack.errors import KwtrackError
from kwtrack.filters import split_comparisons, split_search, unread_term
from kwtrack.store import weekly
from kwtrack.store.models import (
    Bid,
    ImportBatch,
    ImportPeriod,
    Keyword,
    KeywordStat,
    Store,
)
from kwtrack.store.periods import as_date
from kwtrack.store.search import holding, in_store
from kwtrack.store.totals import whole_sum
from kwtrack.words import normalise_keyword


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
    inquiries: int | None = None  # (the sum of those known: `kwtrack.store.totals`)


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

    @property
    def week(self) -> dt.date | None:
        """The Monday of the week the row counts in, as the review counts it (None: a period
        longer than a week)."""
        return weekly.week_of(self.period_start, self.period_end)


@dataclass(frozen=True)
class KeywordDetails:
    """Everything the details pane shows about one keyword."""

    keyword: KeywordRow
    products: list[CoveringProduct]
    stats: list[StatLine]
    notes: str | None
    status: str | None  # the keyword's own status (the operator's), not its P4P status


KEYWORD_NUMBERS = {"impressions": "impressions", "impr": "impressions", "clicks": "clicks",
                   "inquiries": "inquiries", "inq": "inquiries", "spend": "spend",
                   "bid": "bid", "search_index": "search_index", "index": "search_index",
                   "competition": "competition"}


KEYWORD_FILTERS = ("group", "status", "source", "route", "archived", "tracked", "p4p")
WEEK_FIGURES = ("impressions", "clicks", "inquiries", "spend")  # (sums over the recent weeks)


def _keyword_stats_days(store: Store) -> tuple[dt.date | None, dt.date | None]:
    """The first and the last day the store's imported keyword stats cover, from the import
    log (a look-up among a few hundred periods rather than a scan of millions of stats rows)."""
    from kwtrack.imports import KEYWORD_STATS_KINDS

    first, last = (ImportPeriod.select(fn.MIN(ImportPeriod.period_start),
                                       fn.MAX(ImportPeriod.period_end)).join(ImportBatch)
                   .where((ImportBatch.store == store)
                          & ImportBatch.kind.in_(KEYWORD_STATS_KINDS)).tuples().get())
    return as_date(first), as_date(last)


def recent_keyword_window(store: Store, weeks: int = RECENT_WEEKS
                          ) -> tuple[dt.date, dt.date] | None:
    """The last `weeks` weeks of keyword stats, from their first day at the earliest (the
    monthly analysis asks 13 weeks of a store with 8), or None when there are none."""
    first, last = _keyword_stats_days(store)
    if last is None:
        return None
    return max(first, last - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)), last


def keyword_window_said(window: tuple[dt.date, dt.date] | None) -> str:
    """A keyword list's window in words (`the last 8 weeks of data (2026-09-28 –
    2026-11-22)`), as `products list --days` names its own."""
    if window is None:
        return "no keyword stats imported"
    days = (window[1] - window[0]).days + 1
    span = f"{days // 7} weeks" if days % 7 == 0 else f"{days} days"
    return f"the last {span} of data ({window[0]} – {window[1]})"


def weeks_without_keyword_stats(store: Store, weeks: int = RECENT_WEEKS) -> list[dt.date]:
    """The Mondays of the keyword lists' recent weeks that no keyword stats reach (a keyword
    report not imported, since the first): their figures leave them out, so the lists say
    which."""
    window = recent_keyword_window(store, weeks)
    if window is None:
        return []
    return [w for w in weekly.weeks_without(store, weeks) if w >= window[0] - dt.timedelta(6)]


def _keyword_number(store: Store, name: str, weeks: int):
    """A keyword's number as its list row shows it, in SQL: its index figures, its P4P bid,
    or a sum over the last `weeks` weeks of stats (unknown when no row falls in them)."""
    if name in ("search_index", "competition"):
        return getattr(Keyword, name)
    if name == "bid":
        return Bid.select(Bid.bid).where(Bid.keyword == Keyword.id)
    window = recent_keyword_window(store, weeks)
    if window is None:
        return SQL("NULL")
    return KeywordStat.select(_keyword_total(name)).where(
        (KeywordStat.keyword == Keyword.id) & (KeywordStat.period_start >= window[0])
        & (KeywordStat.period_end <= window[1]))


def _keyword_total(name: str):
    """A keyword's figure over its recent stats rows, in SQL (`kwtrack.store.totals`):
    spend over its P4P rows (organic rows have none), inquiries the sum of those known, the
    others over all of them."""
    if name == "inquiries":
        return fn.SUM(KeywordStat.inquiries)
    rows = KeywordStat.channel == "p4p" if name == "spend" else None
    return whole_sum(getattr(KeywordStat, name), rows=rows)


@contextmanager
def _keyword_query(store: Store, search: str | None, group: str | None, weeks: int):
    search, compared = split_comparisons(search, KEYWORD_NUMBERS)
    search, terms = split_search(search, KEYWORD_FILTERS)
    refuse(unread_term(search, KEYWORD_FILTERS, KEYWORD_NUMBERS))
    route, archived = terms.pop("route", None), terms.pop("archived", None)
    tracked = terms.pop("tracked", None)  # (the words followed between reviews)
    p4p = terms.pop("p4p", None)  # (with a P4P bid, whatever its status)
    # (the deleted words only with `archived:y`: `keywords add WORD` brings one back)
    query = Keyword.select().where(in_store(Keyword, store) & Keyword.archived_at.is_null(
        archived is None or not yes("archived", archived)))
    if tracked is not None:
        query = query.where(Keyword.tracked_at.is_null(not yes("tracked", tracked)))
    if p4p is not None:
        bid = fn.EXISTS(Bid.select(SQL("1")).where(Bid.keyword == Keyword.id))
        query = query.where(bid if yes("p4p", p4p) else ~bid)
    for name, value in terms.items():
        query = query.where(getattr(Keyword, name) ** value)
    for name, compare, number in compared:
        query = query.where(compare(_keyword_number(store, name, weeks), number))
    if search:
        query = query.where(holding(Keyword, {Keyword.norm: normalise_keyword(search),
                                              Keyword.group: search.strip()}))
    if group:
        query = query.where(fn.LOWER(Keyword.group) == fn.LOWER(" ".join(group.split())))
    with route_filter(store, query, route) as query:
        yield query


def count_keywords(store: Store, search: str | None = None, *, group: str | None = None,
                   weeks: int = RECENT_WEEKS) -> int:
    """How many keywords a list with this search (its figures over `weeks`) would show."""
    with _keyword_query(store, search, group, weeks) as query:
        return query.count()


# What a keyword list can be sorted by (`sort=`): columns kept in the database, the P4P bid,
# or a sum over the recent weeks of data (the covering products are counted per page).
KEYWORD_SORTS = ("keyword", "group", "search_index", "competition", *WEEK_FIGURES, "bid")


def list_keywords(store: Store, search: str | None = None, *, group: str | None = None,
                  offset: int = 0, limit: int | None = None, sort: str | None = None,
                  descending: bool = False, from_end: bool = False,
                  weeks: int = RECENT_WEEKS) -> list[KeywordRow]:
    """One page of the keyword library, its figures over the last `weeks` weeks of data,
    alphabetical by normal form or by `sort` (one of KEYWORD_SORTS; unknown values last
    either way), in the database; `from_end` as for `list_products`."""
    with _keyword_query(store, search, group, weeks) as query:
        if sort is None or sort == "keyword":
            order = Keyword.norm
        elif sort == "bid":
            query = query.join(Bid, JOIN.LEFT_OUTER, on=(Bid.keyword == Keyword.id))
            order = Bid.bid
        elif sort in WEEK_FIGURES:
            window = recent_keyword_window(store, weeks)
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
        terms = [direction(order, descending, from_end)]
        if order is not Keyword.norm:
            terms.append(direction(Keyword.norm, False, from_end))
        page = list(query.order_by(*terms).offset(offset).limit(limit))
    return _keyword_rows(store, page[::-1] if from_end else page, weeks=weeks)


def _keyword_rows(store: Store, keywords: list[Keyword], coverage: StoreCoverage | None = None,
                  *, weeks: int = RECENT_WEEKS) -> list[KeywordRow]:
    ids = [k.id for k in keywords]
    if not ids:
        return []
    # the live products covering each keyword, by any route (kwtrack.cleanup.routes)
    covering = (coverage or StoreCoverage.of(store)).covering(
        [(k.id, k.words, k.keyword) for k in keywords])
    product_counts = {k: count for k, (_, count) in covering.items()}
    bids = {b.keyword_id: b for b in Bid.select().where(Bid.keyword.in_(ids))}
    window = recent_keyword_window(store, weeks)
    totals: dict[int, tuple] = {}
    if window:
        totals = {row[0]: row[1:] for row in (
            KeywordStat.select(KeywordStat.keyword, *map(_keyword_total, WEEK_FIGURES))
            .where(KeywordStat.keyword.in_(ids) & (KeywordStat.period_start >= window[0])
                   & (KeywordStat.period_end <= window[1]))
            .group_by(KeywordStat.keyword).tuples())}
    rows = []
    for k in keywords:
        impressions, clicks, inquiries, spend = totals.get(k.id, (None,) * len(WEEK_FIGURES))
        bid = bids.get(k.id)
        rows.append(KeywordRow(
            k.keyword, k.group, k.search_index, k.competition, product_counts.get(k.id, 0),
            as_int(impressions), as_int(clicks), None if spend is None else round(spend, 2),
            bid.bid if bid else None, bid.status if bid else None, as_int(inquiries)))
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
