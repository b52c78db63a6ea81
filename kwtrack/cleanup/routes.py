"""One definition of coverage, for the whole of kwtrack: how a live product covers a keyword.

A live product (online, not archived) covers a keyword by one of four routes, listed in this
order: `keyword` (the product's own keyword field), `manual` (a link the operator made),
`search` (a search-term report attributed the word to it), or `title` (its title holds every
word of the keyword: whole words, plurals folded, a hyphenated compound whole; see
`kwtrack.words.readings`). The coverage check, the product and keyword lists and the TUI's
panes all count coverage through here, so they never disagree.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from peewee import SQL, PostgresqlDatabase, Select, fn

from kwtrack.store import bulk
from kwtrack.store.models import Coverage, Keyword, Product, Store, database
from kwtrack.words import compound_vocabulary, keyword_words_of, readings, words_of
from kwtrack.wordsets import TitleWords

ROUTES = ("keyword", "manual", "search", "title")  # in the order a product's routes list
ROUTE_PLACE = {route: place for place, route in enumerate(ROUTES)}


@dataclass(frozen=True, slots=True)
class CoveredBy:
    """A live product that covers a keyword, and by which route."""

    product_id: str
    title: str
    via: str  # one of ROUTES


STARTS_PER_KEYWORD = 3  # (measured: 200,000 keywords read in 0.3 s, 14,000 ranges in 0.06 s)


def library_within(store: Store, titles: list[tuple[str, ...]]
                   ) -> list[tuple[str, str | None]]:
    """The library's keywords (text, stored match words) that some of `titles` (their match
    words) may hold: at least those whose first two words, or whose one word, are words of
    one title (or parts of its hyphenated compounds, which a keyword's words may be read as).
    Found through the (store, words) index by prefix ranges: "a b" to "a b!" holds `a b` and
    every `a b …`, as words sort byte by byte and hold no character below "!" but the space
    between them. Many titles in a small library read the whole library instead.
    """
    singles: set[str] = set()
    pairs: set[str] = set()
    for title in titles:
        words = set(title)
        words.update(part for word in title if "-" in word for part in word.split("-"))
        singles |= words
        pairs.update(f"{a} {b}" for a in words for b in words)
    live = (Keyword.store == store) & Keyword.archived_at.is_null()
    # A range costs about what reading three keywords does: many titles (a page of products)
    # in a small library read the library. (Whether the library is larger than that is asked
    # by stepping that far into it, not by counting it: 200,000 words took 25 ms to count.)
    enough = (len(singles) + len(pairs)) * STARTS_PER_KEYWORD
    if Keyword.select(Keyword.id).where(live).offset(max(enough - 1, 0)).limit(1).scalar() is None:
        return bulk.raw_rows(Keyword.select(Keyword.keyword, Keyword.words).where(live))
    db = database.obj  # (the database itself: its class says which SQL it speaks)
    param = db.param
    words = 'k.words COLLATE "C"' if isinstance(db, PostgresqlDatabase) else "k.words"
    ranges = [(w, f"{w} ") for w in singles] + [(p, f"{p}!") for p in pairs]
    found = []
    for part in bulk.chunked(ranges, 400):  # (an old SQLite takes 999 parameters at most)
        sql = (f"WITH p(lo, hi) AS (VALUES {', '.join([f'({param}, {param})'] * len(part))}) "
               f"SELECT k.keyword, k.words FROM p JOIN keyword k ON k.store_id = {param} AND "
               f"{words} >= p.lo AND {words} < p.hi WHERE k.archived_at IS NULL")
        found += db.execute_sql(sql, [*(x for r in part for x in r), store.id]).fetchall()
    # (a keyword whose words were never worked out is read from its text: the few there are)
    return found + bulk.raw_rows(Keyword.select(Keyword.keyword, Keyword.words)
                                 .where(live & Keyword.words.is_null()))


# (database, store id): (the fingerprint of the live products, their coverage)
_LAST_READ: dict[tuple[str, int], tuple[str | None, StoreCoverage]] = {}


def _live_products_fingerprint(store: Store) -> str | None:
    """Everything StoreCoverage reads of the store's live products, as one string made by the
    database (one value to compare, not thousands of rows): any change of them changes it."""
    db = database.obj
    param, sep = db.param, "\x1f"
    lines = (Product.select(SQL(f"id || {param} || product_id || {param} || title || {param} "
                                "|| COALESCE(title_words, '')", (sep, sep, sep)).alias("line"))
             .where((Product.store == store) & live_filter()).order_by(Product.product_id))
    join = fn.string_agg if isinstance(db, PostgresqlDatabase) else fn.group_concat
    return Select([lines.alias("live")], [join(SQL("line"), "\x1e")]).scalar(db)


def live_filter():
    """The condition of a live product: online and not archived."""
    return (Product.status == "online") & Product.archived_at.is_null()


class StoreCoverage:
    """The store's live products as coverage sees them (their titles' words and their
    links), read once, to ask which products cover some keywords and which keywords some
    products cover — what the lists and the details panes show."""

    @classmethod
    def of(cls, store: Store) -> StoreCoverage:
        """The store's coverage as it is now: the one read last in this process while the
        store's live products are still what it read, else a new read. The TUI asks for it
        on every window of rows and every row's details, and the products seldom change in
        between; building it makes thousands of objects the garbage collector then walks."""
        now = _live_products_fingerprint(store)
        key = (database.obj.database, store.id)
        kept = _LAST_READ.get(key)
        if kept is not None and kept[0] == now:
            return kept[1]
        coverage = cls(store)
        _LAST_READ[key] = (now, coverage)
        return coverage

    def __init__(self, store: Store):
        self.store = store
        rows = bulk.raw_rows(Product.select(Product.id, Product.product_id, Product.title,
                                            Product.title_words)
                             .where((Product.store == store) & live_filter())
                             .order_by(Product.product_id))
        self.ids = [row[0] for row in rows]
        self.codes = [row[1] for row in rows]
        self.titles = [row[2] for row in rows]
        self.place = {product: i for i, product in enumerate(self.ids)}
        self.words = TitleWords([tuple((w if w is not None else words_of(t)).split())
                                 for _, _, t, w in rows])
        self.compounds = compound_vocabulary(self.words.having)

    def covering(self, keywords: list[tuple[int, str | None, str]], limit: int = 10
                 ) -> dict[int, tuple[list[CoveredBy], int]]:
        """For each keyword (id, stored words, text): the live products covering it, by
        product ID and route (title matches: the first `limit`), and how many live products
        cover it by any route."""
        ids = [k for k, _, _ in keywords]
        links: dict[int, set[tuple[int, int]]] = defaultdict(set)
        for part in bulk.chunked(ids):
            for keyword, product, route in bulk.raw_rows(
                    Coverage.select(Coverage.keyword, Coverage.product, Coverage.source)
                    .where(Coverage.keyword.in_(list(part)))):
                if product in self.place:
                    links[keyword].add((self.place[product], ROUTE_PLACE[route]))
        found = {}
        for keyword, words, text in keywords:
            words = tuple((words if words is not None else keyword_words_of(text)).split())
            routes = set(links.get(keyword, ()))
            held: set[int] = set()
            if words:
                held = set().union(*map(self.words.holding,
                                        readings(words, self.compounds)))
            first = heapq.nsmallest(limit, held)
            routes.update((i, ROUTE_PLACE["title"]) for i in first)
            products = {i for i, _ in routes} | held
            found[keyword] = ([CoveredBy(self.codes[i], self.titles[i], ROUTES[r])
                               for i, r in sorted(routes)], len(products))
        return found

    def covered(self, products: list[tuple[int, str | None, str]]
                ) -> dict[int, list[tuple[str, str]]]:
        """For each product (id, stored title words, title): the keywords of the library it
        covers, as (keyword, route), by keyword then route. A product that is not live
        covers nothing by title (its links are listed all the same)."""
        ids = [p for p, _, _ in products]
        found: dict[int, set[tuple[str, int]]] = {p: set() for p in ids}
        for part in bulk.chunked(ids):
            for product, keyword, route in bulk.raw_rows(
                    Coverage.select(Coverage.product, Keyword.keyword, Coverage.source)
                    .join(Keyword).where(Coverage.product.in_(list(part))
                                         & Keyword.archived_at.is_null())):
                found[product].add((keyword, ROUTE_PLACE[route]))
        live = [(p, w, t) for p, w, t in products if p in self.place]
        if live:
            title_words = [tuple((w if w is not None else words_of(t)).split())
                           for _, w, t in live]
            titles = TitleWords(title_words)
            vocabulary = set(titles.having)
            for keyword, words in library_within(self.store, title_words):
                words = tuple((words if words is not None else keyword_words_of(keyword))
                              .split())
                for reading in (readings(words, self.compounds) if words else ()):
                    if vocabulary.issuperset(reading):
                        for position in titles.holding(reading):
                            found[live[position][0]].add((keyword, ROUTE_PLACE["title"]))
        return {p: [(k, ROUTES[r]) for k, r in sorted(routes)] for p, routes in found.items()}

    def routed(self, route: str) -> tuple[set[int], set[int]]:
        """The library keywords (ids) that live products cover by `route` (one of ROUTES),
        and those live products (ids): what a `route:` filter of the lists keeps."""
        keywords: set[int] = set()
        products: set[int] = set()
        if route != "title":
            for keyword, product in bulk.raw_rows(
                    Coverage.select(Coverage.keyword, Coverage.product).join(Keyword)
                    .where((Keyword.store == self.store) & Keyword.archived_at.is_null()
                           & (Coverage.source == route))):
                if product in self.place:
                    keywords.add(keyword)
                    products.add(product)
            return keywords, products
        library = bulk.raw_rows(Keyword.select(Keyword.id, Keyword.keyword, Keyword.words)
                                .where((Keyword.store == self.store)
                                       & Keyword.archived_at.is_null()))
        for keyword, text, words in library:
            words = tuple((words if words is not None else keyword_words_of(text)).split())
            for reading in (readings(words, self.compounds) if words else ()):
                held = self.words.holding(reading)
                if held:
                    keywords.add(keyword)
                    products.update(map(self.ids.__getitem__, held))
        return keywords, products
