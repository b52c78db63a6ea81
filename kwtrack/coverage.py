"""The pre-deletion coverage check: zero-effect products, and what deleting them would orphan.

`zero_effect_products` finds live products with no effect over a window of days.
`coverage_check` treats a set of products as deleted together and says, for every keyword they
cover, which live products still cover it (and how) or that it would be orphaned, with what to
do instead. Everything is computed from a few set-based queries, never a query per keyword.

Coverage routes: `keyword` (the product's own keyword field), `manual`, `search` (a search-term
report) and `title` (the title holds every word of the keyword, whole words, plurals folded);
`strict` drops the title route. All routes compare keywords by `kwtrack.text.match_words`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import mmap
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import NamedTuple

import numpy as np
from peewee import SQL, Database, SqliteDatabase, fn

from kwtrack.aside import aside, can_fork
from kwtrack.db import second_connection
from kwtrack.errors import KwtrackError
from kwtrack.lookup import KeyTable, slot_mask
from kwtrack.models import (
    ANY_EFFECT,
    Coverage,
    ImportBatch,
    Keyword,
    Product,
    ProductStat,
    Store,
    database,
)
from kwtrack.pause import cycle_collection_paused, without_cycle_collection
from kwtrack.similarity import TitleIndex
from kwtrack.text import blocking_keys, match_words, model_codes, words_of

DEFAULT_DAYS = 90
TITLE_LIMIT = 128
TITLE_SHOWN = 10  # live products listed per keyword for the title route; all are counted
ROUTES = ("keyword", "manual", "search", "title")  # how a product covers a keyword, in the
TITLE_ROUTE = 3  # order `covered_by` lists one product's routes
STATS_KINDS = ("product-stats", "product-report")


@dataclass(frozen=True)
class ProductBrief:
    """A product as the check lists it."""

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


class CoveredBy(NamedTuple):
    """A live product that still covers a keyword, and by which route."""

    product_id: str
    title: str
    via: str  # keyword | manual | search | title


class KeywordVerdict(NamedTuple):
    """One keyword the candidates cover: still covered, or orphaned with suggestions.

    (Tuples, not dataclasses: a store-wide check makes a hundred thousand of them.)"""

    keyword: str
    orphaned: bool
    from_: list[str]  # candidate product IDs that cover it
    covered_by: list[CoveredBy]
    suggestions: list[dict]
    title_matches: int = 0  # live titles holding the keyword (covered_by lists TITLE_SHOWN)


@dataclass(frozen=True)
class Candidate:
    """A product to be deleted, with the live products whose titles nearly duplicate it and
    the keywords that would be left uncovered (none: it can go without losing coverage, on
    its own or with the other candidates that can)."""

    product_id: str
    title: str
    near_duplicates: list[dict]
    orphaned: list[str]  # alphabetically


@dataclass(frozen=True)
class CoverageReport:
    """The whole check: candidates, keywords and a summary."""

    as_of: dt.date
    days: int
    strict: bool
    window_covered: bool
    candidates: list[Candidate]
    keywords: KeywordVerdicts
    uncovered_days: int = 0  # days of the zero-effect window no imported stats cover

    @property
    def orphaned(self) -> list[KeywordVerdict]:
        return self.keywords.orphaned

    @property
    def safe(self) -> list[Candidate]:
        """The candidates whose deletion orphans nothing (on their own or together)."""
        return [c for c in self.candidates if not c.orphaned]

    @without_cycle_collection
    def to_dict(self) -> dict:
        """The JSON shape of `kwtrack coverage check --json` (some hundred thousand dicts for
        a store-wide check: the cycle collector would rescan them as they are made)."""
        shown: dict[CoveredBy, dict] = {}  # one dict per (product, route), however often listed

        def covered_by(c: CoveredBy) -> dict:
            found = shown.get(c)
            if found is None:
                found = shown[c] = {"product_id": c.product_id, "title": c.title, "via": c.via}
            return found

        return {
            "as_of": self.as_of.isoformat(), "days": self.days, "strict": self.strict,
            "window_covered": self.window_covered, "uncovered_days": self.uncovered_days,
            "candidates": [{"product_id": c.product_id, "title": c.title,
                            "near_duplicates": c.near_duplicates, "orphaned": c.orphaned}
                           for c in self.candidates],
            "keywords": [{"keyword": k.keyword, "orphaned": k.orphaned, "from": k.from_,
                          "covered_by": list(map(covered_by, k.covered_by)),
                          "title_matches": k.title_matches,
                          "suggestions": k.suggestions} for k in self.keywords],
            "summary": {"candidates": len(self.candidates), "keywords": len(self.keywords),
                        "orphaned": len(self.orphaned), "safe_to_delete": len(self.safe)},
        }


def _live(store: Store):
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
    `days` days ending on `as_of` (no stats row on a covered day counts as zero).

    A product's last day with effect (`Product.last_effect`) settles it unless that day is
    after `as_of`; only then are its stats in the window looked at."""
    if days < 1:
        raise KwtrackError("--days must be at least 1")
    as_of = as_of or dt.date.today()
    start = as_of - dt.timedelta(days=days - 1)
    # NOT EXISTS is one seek per product in the partial index of days with any effect (see
    # models.ANY_EFFECT, repeated here word for word so the database uses that index).
    active = ProductStat.select(SQL("1")).where(
        (ProductStat.product == Product.id) & (ProductStat.period_end >= start)
        & (ProductStat.period_end <= as_of) & (ProductStat.period_start >= start)
        & SQL(f"({ANY_EFFECT})"))
    old_enough = as_of - dt.timedelta(days=days)
    idle = (Product.last_effect.is_null() | (Product.last_effect < start)
            | ((Product.last_effect > as_of) & ~fn.EXISTS(active)))
    products = (_live(store).select(Product.product_id, Product.title)
                .where((Product.published.is_null() | (Product.published <= old_enough)) & idle)
                .order_by(Product.product_id))
    missing = stats_days_missing(store, start, as_of)
    return ZeroEffect(as_of, days, missing == 0, missing,
                      [ProductBrief(*row) for row in _raw(products)])


@without_cycle_collection
def coverage_check(store: Store, product_ids: list[str], *, zero_effect: bool = False,
                   days: int = DEFAULT_DAYS, as_of: dt.date | None = None,
                   strict: bool = False, threshold: float | None = None,
                   title_limit: int = TITLE_LIMIT) -> CoverageReport:
    """Treat `product_ids`, and with `zero_effect` every zero-effect product over `days` days
    to `as_of` (`zero_effect_products`), as deleted together; report every keyword they cover.

    Keywords are compared by their match words (stored with each keyword and title), so
    `camping chairs` and `camping chair` are one keyword here. A keyword's title-route
    coverage lists the first TITLE_SHOWN live products by ID and counts them all.

    The links are read as one column of packed integers and joined with numpy. Where that is
    safe (`kwtrack.aside`), a second process reads them over a connection of its own (and
    hands them over in shared memory) while this one finds the zero-effect products and reads
    the keywords, then does the work on titles alone (near-duplicates, replacement titles)
    while this one finds the routes and sorts the report's rows.
    """
    as_of = as_of or dt.date.today()
    products = _read_products(store)
    second = second_connection() if can_fork() else None
    room = _LinkRoom() if second is not None else None
    with aside(_second_work(products, threshold, title_limit, second, room)) as work:
        zero = zero_effect_products(store, days=days, as_of=as_of) if zero_effect else None
        covered, missing = (zero.window_covered, zero.uncovered_days) if zero else (True, 0)
        candidates, live = _split(products, product_ids, zero)
        if not candidates:
            return CoverageReport(as_of, days, strict, covered, [], KeywordVerdicts(), missing)
        work.resume([p.product_id for p in candidates])  # ahead of the links it answers
        library = _Library.read(store)
        # the links, read by the second process over a connection of its own, or here
        links = next(work)
        if room is not None:
            links = room.take(links)
        if links is None:
            links = _read_links([p.id for p in products])
        routes = _Routes(library, candidates, live, links, strict)
        near = next(work)  # candidate → its near-duplicate live titles
        orphans = routes.orphans_by_candidate()
        work.resume(orphans)
        # while the second process drafts replacement titles:
        listed = [Candidate(p.product_id, p.title, near[p.product_id],
                            orphans.get(p.product_id, [])) for p in candidates]
        rows = routes.rows()
        proposals = next(work)
    return CoverageReport(as_of, days, strict, covered, listed,
                          KeywordVerdicts(rows, _Advice(candidates, live, near, proposals)),
                          missing)


_LISTING = (Product.id, Product.product_id, Product.title, Product.category, Product.title_words,
            Product.title_keys, Product.title_block_keys, Product.title_codes)


def _read_products(store: Store) -> list[_Listing]:
    """Every product of the store, by product ID."""
    live_now = ((Product.status == "online") & Product.archived_at.is_null()).alias("live")
    query = (Product.select(*_LISTING, live_now).where(Product.store == store)
             .order_by(Product.product_id))
    products = list(map(_Listing._make, _raw(query).fetchall()))
    derived = [_Listing._fields.index(name) for name in Product.derived("title", "")]
    if products and (type(products[0].title_keys) is not bytes  # PostgreSQL's memoryview
                     or any(None in map(itemgetter(i), products) for i in derived)):
        products = list(map(_worked_out, products))
    return products


def _worked_out(p: _Listing) -> _Listing:
    """A product as read, with what is worked out from its title filled in where the row has
    none (written before migration 0004), and as bytes where PostgreSQL gives memoryviews."""
    if None in (p.title_words, p.title_keys, p.title_block_keys, p.title_codes):
        return p._replace(**Product.derived("title", p.title))
    return p._replace(title_keys=bytes(p.title_keys), title_block_keys=bytes(p.title_block_keys))


def _split(products: list[_Listing], product_ids: list[str],
           zero: ZeroEffect | None = None) -> tuple[list[_Listing], list[_Listing]]:
    """The candidates (the named products and any zero-effect ones) and the other live
    products (a KwtrackError names any named product the store lacks)."""
    wanted = set(product_ids).union(p.product_id for p in zero.products) if zero else \
        set(product_ids)
    candidates = [p for p in products if p.product_id in wanted]
    live = [p for p in products if p.live and p.product_id not in wanted]
    if len(candidates) < len(wanted):
        found = {p.product_id for p in candidates}
        unknown = [pid for pid in dict.fromkeys(product_ids) if pid not in found]
        raise KwtrackError(f"unknown product{'s' if len(unknown) > 1 else ''}: "
                           f"{', '.join(unknown[:10])}")
    return candidates, live


# A coverage link as one integer (keyword id × 2³², product id × 4, route; product ids stay below
# 2³⁰), so that hundreds of thousands of links come out of the database as one column and are
# joined in numpy.
_ROUTE_CODE = " ".join(f"WHEN '{name}' THEN {code}" for code, name in enumerate(ROUTES[:3]))
_PACKED_LINK = SQL(f"keyword_id * {1 << 32} + product_id * 4 + CASE source {_ROUTE_CODE} END")


def _read_links(product_ids: list[int]) -> np.ndarray:
    """Every coverage link of these products (and of any other store's products whose ids fall
    between theirs), packed: a range scan of the (product, keyword, source) index."""
    if not product_ids:
        return np.zeros(0, dtype=np.int64)
    query = Coverage.select(_PACKED_LINK.alias("link")).where(
        Coverage.product.between(min(product_ids), max(product_ids))
        & Coverage.source.in_(ROUTES[:3]))  # a route the check knows (the importers write no other)
    if isinstance(database.obj, SqliteDatabase):
        # as one comma-separated text made in C and parsed by numpy: no Python int per link
        text = _raw(query.select_from(fn.group_concat(SQL("link")))).fetchone()[0]
        links = np.fromstring(text or "", dtype=np.int64, sep=",")
        if len(links) != (text.count(",") + 1 if text else 0):  # it stops at what it can't read
            raise KwtrackError("the coverage links could not be read")
        return links
    return np.fromiter(itertools.chain.from_iterable(_raw(query)), dtype=np.int64)


class _Library:
    """The store's keywords grouped by match words, as rows read by keyword id.

    A group is named by its first row g: `display[g]` is that keyword as typed; `groups` lists
    them, and `group_of[keyword id]` is the keyword's group, or -1 (archived, another store's,
    or of punctuation alone, which matches nothing). `tokens()` gives the groups' words as
    numbers (`kwtrack.text.word_keys`)."""

    def __init__(self, ids: np.ndarray, display: list[str], words: np.ndarray,
                 counts: np.ndarray):
        """One row per keyword, by id: its id, text, and its word keys (`counts[row]` of them,
        row after row in `words`)."""
        self.display, self._words, self._counts = display, words, counts
        self._offsets = np.cumsum(counts) - counts
        some = np.flatnonzero(counts > 0)
        first = np.full(len(counts), -1, dtype=np.int64)
        first[some] = some[_first_alike(words, counts[some])]  # their words: all words
        self.groups = np.flatnonzero(first == np.arange(len(counts)))
        self.group_of = np.full(int(ids.max(initial=0)) + 1, -1, dtype=np.int64)
        self.group_of[ids] = first

    def tokens(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every group's words (in `groups` order) as one array of word keys, each group's
        first word's place in it, and its number of words."""
        counts = self._counts[self.groups]
        return (self._words[_spans(self._offsets[self.groups], counts)],
                np.cumsum(counts) - counts, counts)

    @classmethod
    def read(cls, store: Store) -> _Library:
        keywords = Keyword.select().where((Keyword.store == store)
                                          & Keyword.archived_at.is_null())
        if isinstance(database.obj, SqliteDatabase):
            read = _library_columns(keywords)
            if read is not None:
                return cls(*read)
        rows = _raw(keywords.select(Keyword.id, Keyword.keyword, Keyword.word_keys)
                    .order_by(Keyword.id)).fetchall()
        ids, display, keys = (list(column) for column in zip(*rows)) if rows else ([], [], [])
        if None in keys or (keys and type(keys[0]) is not bytes):  # not migrated; PostgreSQL
            keys = [Keyword.derived("keyword", text)["word_keys"] if k is None else bytes(k)
                    for text, k in zip(display, keys)]
        return cls(np.array(ids, dtype=np.int64), display, _word_numbers(keys),
                   np.fromiter(map(len, keys), dtype=np.int64, count=len(keys)) // 8)


def _library_columns(keywords) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray] | None:
    """The keywords' ids, texts, word keys and numbers of words, as `_Library` takes them,
    read on SQLite as four concatenations made in C (one scan, no Python object per row);
    None where the plain read must do (a row without stored keys, a separator in a text)."""
    sep = "\x1f"  # the unit separator: not typed into keywords (checked below)
    ids, lengths, keys, texts = _raw(keywords.select(
        fn.group_concat(Keyword.id), fn.group_concat(fn.coalesce(fn.length(Keyword.word_keys),
                                                                 -8)),
        fn.group_concat(Keyword.word_keys, "").cast("BLOB"),
        fn.group_concat(Keyword.keyword, sep))).fetchone()
    ids, lengths = (np.fromstring(text or "", dtype=np.int64, sep=",") for text in (ids, lengths))
    display, keys = texts.split(sep) if texts is not None else [], keys or b""
    if (lengths < 0).any() or len(keys) != lengths.sum() or not (
            len(ids) == len(lengths) == len(display)):  # keys not stored; a separator typed
        return None
    words, counts = np.frombuffer(keys, dtype="<i8").astype(np.int64), lengths // 8
    if (np.diff(ids) < 0).any():  # concatenated in another order than by id
        order = np.argsort(ids)
        words = words[_spans((np.cumsum(counts) - counts)[order], counts[order])]
        ids, counts, display = ids[order], counts[order], [display[i] for i in order.tolist()]
    return ids, display, words, counts


# A word sequence's hash: its word keys times these (one per place in the keyword), summed.
_PLACE_WEIGHTS = np.random.default_rng(20261125).integers(
    1, 2**63, size=64, dtype=np.uint64) | np.uint64(1)


def _first_alike(words: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each of some rows of words (row r is the next `counts[r]` of `words`, at least
    one), the first row with the same words in the same order.

    Rows are hashed by their words; rows whose hashes fall in the same slot of a table four
    times their number are sorted by hash, and each is compared word for word with the first
    row of its hash. Should two different rows ever share a hash, rows are grouped by their
    bytes instead."""
    n = len(counts)
    starts = np.cumsum(counts) - counts  # each row's first word
    place = np.arange(len(words)) - np.repeat(starts, counts)  # each word's place in its row
    weights = _PLACE_WEIGHTS[np.minimum(place, len(_PLACE_WEIGHTS) - 1)]
    hashes = (np.add.reduceat(words.view(np.uint64) * weights, starts) if n else
              np.zeros(0, dtype=np.uint64)) ^ counts.astype(np.uint64)
    first = np.arange(n)
    mask = slot_mask(n)
    slots = (hashes & np.uint64(mask)).astype(np.int64)
    crowded = np.flatnonzero(np.bincount(slots, minlength=mask + 1)[slots] > 1)
    order = crowded[np.argsort(hashes[crowded], kind="stable")]  # alike rows: first row first
    ordered = hashes[order]
    run = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    first[order] = order[np.maximum.accumulate(np.where(run, np.arange(len(order)), 0))]
    moved = np.flatnonzero(first != np.arange(n))
    if not len(moved) or ((counts[moved] == counts[first[moved]]).all() and np.array_equal(
            words[_spans(starts[moved], counts[moved])],
            words[_spans(starts[first[moved]], counts[moved])])):
        return first
    keys = [words[a:a + c].tobytes() for a, c in zip(starts.tolist(), counts.tolist())]
    firsts = dict(zip(reversed(keys), range(n - 1, -1, -1)))  # the first row wins
    return np.array(list(map(firsts.__getitem__, keys)), dtype=np.int64)


def _word_numbers(keys: list[bytes]) -> np.ndarray:
    """Word keys (eight bytes each) of many titles or keywords as one array of numbers."""
    return np.frombuffer(b"".join(keys), dtype="<i8").astype(np.int64)


class _Routes:
    """Which keyword groups the candidates cover, and how live products still cover them.

    Pairs are packed integers sorted once: (group, candidate position) for the candidates and
    (group, live position, route) for the live products, so a group's share of either is one
    slice, and positions are in product-ID order (candidates and live are sorted by it).
    Which groups are orphaned is known at construction; what only the report's lists need
    (`rows`) is found afterwards, while the second process works on titles.
    """

    def __init__(self, library: _Library, candidates: list[_Listing], live: list[_Listing],
                 links: np.ndarray, strict: bool):
        self.library, self.live = library, live
        n_candidates, self.n_live = len(candidates), max(len(live), 1)
        # One slot per product: candidates 0…C-1, live products C…, anything else -1.
        ids = [p.id for p in candidates] + [p.id for p in live]
        slot = np.full(max(ids) + 1, -1, dtype=np.int64)
        slot[ids] = np.arange(len(ids))
        keywords, products, route = links >> 32, (links >> 2) & ((1 << 30) - 1), links & 3
        # Higher ids: other stores' keywords; products neither candidate nor live.
        inside = (keywords < len(library.group_of)) & (products < len(slot))
        group = np.full(len(keywords), -1, dtype=np.int64)
        group[inside] = library.group_of[keywords[inside]]
        slot = np.where(inside, slot[np.where(inside, products, 0)], -1)
        known = (group >= 0) & (slot >= 0)
        group, slot, route = group[known], slot[known], route[known]

        # The candidates' groups: by their links, then by their titles.
        by_link = slot < n_candidates
        pairs = [group[by_link] * n_candidates + slot[by_link]]
        if not strict:
            titles = _TitleRoute(library, [p.title_keys for p in candidates],
                                 [p.title_keys for p in live])
            found, position, _ = titles.holding(0)
            pairs.append(found * n_candidates + position)
        self._from = _unique(np.concatenate(pairs))
        self._from_groups = self._from // n_candidates
        self.groups = _unique(self._from_groups)
        self._codes = [p.product_id for p in candidates]

        # Live products' links to those groups, then their titles holding a group's words.
        covered = np.zeros(len(library.display), dtype=bool)
        covered[self.groups] = True
        by_live = (slot >= n_candidates) & covered[group]
        self._links = ((group[by_live] * self.n_live + slot[by_live] - n_candidates) * 4
                       + route[by_live])
        linked = np.zeros(len(library.display), dtype=bool)
        linked[group[by_live]] = True
        # Live titles holding the words of a group no live product links to: the last thing
        # orphans need. Those of the other groups are only listed, so they are found later
        # (`rows`), while the second process drafts replacement titles.
        self._titles = None if strict else titles
        self._title_parts: list = []
        still = linked.copy()
        if not strict:
            self._title_parts.append(titles.holding(1, self.groups[~linked[self.groups]],
                                                    TITLE_SHOWN))
            still[self._title_parts[0][2][0]] = True
        self._linked = self.groups[linked[self.groups]]
        self.orphaned = self.groups[~still[self.groups]]

    def _live_titles(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For every group the candidates cover: the (group, live position) of the first
        TITLE_SHOWN live titles holding its words, packed as links; the groups some live title
        holds, and how many titles hold each."""
        if self._titles is not None and len(self._title_parts) == 1:
            self._title_parts.append(self._titles.holding(1, self._linked, TITLE_SHOWN))
        parts, none = self._title_parts, [np.zeros(0, dtype=np.int64)]
        found = np.concatenate(none + [found for found, _, _ in parts])
        position = np.concatenate(none + [position for _, position, _ in parts])
        groups = np.concatenate(none + [groups for _, _, (groups, _) in parts])
        counts = np.concatenate(none + [counts for _, _, (_, counts) in parts])
        order = np.argsort(groups)
        return (found * self.n_live + position) * 4 + TITLE_ROUTE, groups[order], counts[order]

    @cached_property
    def _from_ids(self) -> list[str]:
        """The candidate of each (group, candidate) pair, by product ID (for the rows)."""
        return list(map(self._codes.__getitem__, (self._from % len(self._codes)).tolist()))

    def orphans_by_candidate(self) -> dict[str, list[str]]:
        """Each candidate's orphaned keywords, alphabetically."""
        orphaned = np.zeros(len(self.library.display), dtype=bool)
        orphaned[self.orphaned] = True
        pairs = self._from[orphaned[self._from_groups]]
        n = len(self._codes)
        orphans: dict[str, list[str]] = defaultdict(list)
        for keyword, candidate in sorted(zip(
                map(self.library.display.__getitem__, (pairs // n).tolist()),
                (pairs % n).tolist())):
            orphans[self._codes[candidate]].append(keyword)
        return orphans

    def rows(self) -> _Rows:
        """The report's rows: every covered group, alphabetically by keyword."""
        return _Rows(self)


class _Rows:
    """Every group the candidates cover, alphabetically by keyword, as (keyword, candidates
    covering it, live products covering it, live titles holding it): one row at a time
    (`row`) or all at once (`all`), in the same order, from the same sorted arrays."""

    def __init__(self, routes: _Routes):
        self.routes, self.n_live, display = routes, routes.n_live, routes.library.display
        title_links, title_groups, title_counts = routes._live_titles()
        self.entries = _unique(np.concatenate([routes._links, title_links]))
        self.groups = sorted(routes.groups.tolist(), key=display.__getitem__)
        self.order = np.array(self.groups, dtype=np.int64)
        spans = (routes._from_groups, self.entries // (4 * self.n_live))
        self.sources, self.covering = ((np.searchsorted(keys, self.order).tolist(),
                                        np.searchsorted(keys, self.order, "right").tolist())
                                       for keys in spans)
        matches = np.zeros(len(display), dtype=np.int64)
        matches[title_groups] = title_counts
        self.matches = matches[self.order].tolist()
        orphaned = np.zeros(len(display), dtype=bool)
        orphaned[routes.orphaned] = True
        self.orphaned = orphaned[self.order]
        self._made: dict[int, CoveredBy] = {}  # one per (live product, route), shared
        # the orphans' rows, which the check lists at once: made while the replacement
        # titles are drafted
        self.orphan_rows = {i: self.row(i) for i in np.flatnonzero(self.orphaned).tolist()}

    def _covered_by(self, code: int) -> CoveredBy:
        found = self._made.get(code)
        if found is None:
            p = self.routes.live[code >> 2]
            found = self._made[code] = CoveredBy(p.product_id, p.title, ROUTES[code & 3])
        return found

    def row(self, i: int) -> tuple[str, list[str], list[CoveredBy], int]:
        (a, b), (c, d) = ((start[i], end[i]) for start, end in (self.sources, self.covering))
        local = (self.entries[c:d] % (4 * self.n_live)).tolist() if c < d else []
        return (self.routes.library.display[self.groups[i]], self.routes._from_ids[a:b],
                list(map(self._covered_by, local)), self.matches[i])

    def all(self) -> list[tuple[str, list[str], list[CoveredBy], int]]:
        local = self.entries % (4 * self.n_live)
        missing = np.setdiff1d(_unique(local), np.array(list(self._made), dtype=np.int64))
        live = self.routes.live
        products = list(map(live.__getitem__, (missing >> 2).tolist()))
        self._made.update(zip(missing.tolist(), map(CoveredBy._make, zip(
            [p.product_id for p in products], [p.title for p in products],
            map(ROUTES.__getitem__, (missing & 3).tolist())))))
        covered = list(map(self._made.__getitem__, local.tolist()))
        ids = self.routes._from_ids
        return list(zip(map(self.routes.library.display.__getitem__, self.groups),
                        [ids[a:b] for a, b in zip(*self.sources)],
                        [covered[a:b] for a, b in zip(*self.covering)], self.matches))


class KeywordVerdicts(Sequence):
    """Every keyword a check covers, alphabetically, each verdict made when first read.

    A store-wide check covers some hundred thousand keywords, with several hundred thousand
    covering products between them, and most readers want the orphans, a count or a page:
    the orphans' verdicts are made at once, any other when read, and all the rest together
    when the whole sequence is iterated (JSON, the full text report)."""

    def __init__(self, rows: _Rows | None = None,
                 suggest: Callable[[str, list[str]], list[dict]] | None = None):
        self._rows, self._suggest = rows, suggest
        self._made: dict[int, KeywordVerdict] = {}
        self._all: list[KeywordVerdict] | None = None if rows else []
        if rows is not None:
            self._made.update((i, self._verdict(i, row)) for i, row in rows.orphan_rows.items())
        self.orphaned: list[KeywordVerdict] = list(self._made.values())

    def __len__(self) -> int:
        return len(self._all) if self._all is not None else len(self._rows.order)

    def __getitem__(self, index):
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = range(len(self))[index]  # IndexError past the end, negative from the end
        found = self._made.get(i)
        if found is None:
            found = self._made[i] = self._verdict(i, self._rows.row(i))
        return found

    def __iter__(self):
        if self._all is None:
            with cycle_collection_paused():  # a hundred thousand verdicts and their lists
                made = self._made
                self._all = [made[i] if i in made else self._verdict(i, row)
                             for i, row in enumerate(self._rows.all())]
        return iter(self._all)

    def _verdict(self, i: int, row: tuple[str, list[str], list[CoveredBy], int]
                 ) -> KeywordVerdict:
        keyword, from_, covered, matches = row
        orphaned = bool(self._rows.orphaned[i])
        return KeywordVerdict(keyword, orphaned, from_, covered,
                              self._suggest(keyword, from_) if orphaned else [], matches)


class _LinkRoom:
    """Memory shared with the forked second process, for handing over the links it reads.

    Through the pipe, the second process could not go on before the first had read them all
    (megabytes); here it writes them and goes on. Sized by the highest link id, which no
    count of links exceeds unless links are added meanwhile (then they take the pipe)."""

    def __init__(self):
        top = Coverage.select(fn.MAX(Coverage.id)).scalar() or 0
        self._memory = mmap.mmap(-1, 8 * top) if top else None  # anonymous: shared on fork

    def put(self, links: np.ndarray) -> np.ndarray | int:
        """In the second process: the links as handed over (their count, when they fit)."""
        if self._memory is None or links.nbytes > len(self._memory):
            return links
        np.frombuffer(self._memory, dtype=np.int64, count=len(links))[:] = links
        return len(links)

    def take(self, handed: np.ndarray | int | None) -> np.ndarray | None:
        """In the first process: the links handed over by `put`; the memory is then let go."""
        if isinstance(handed, int):
            handed = np.frombuffer(self._memory, dtype=np.int64, count=handed).copy()
        if self._memory is not None:
            self._memory.close()
        return handed


def _second_work(products: list[_Listing], threshold: float | None,
                 title_limit: int, db: Database | None, room: _LinkRoom | None = None):
    """The check's work beside the rest (see `kwtrack.aside`): one read, then titles alone.

    Given `db`, a connection of its own, first yields the links of the store's `products`
    read over it (otherwise None), through `room`; is then sent the candidates' product IDs
    (ahead, so it goes on as soon as the links are handed over). Then yields each
    candidate's near-duplicate live titles; is then sent each candidate's orphaned keywords,
    and yields one replacement title per candidate (with the keywords it carries) that no
    live title nearly duplicates.
    """
    links = None
    if db is not None:
        with db.connection_context():  # closed before the links are handed over
            database.initialize(db)  # this process's own connection
            links = _read_links([p.id for p in products])
        if room is not None:
            links = room.put(links)
    chosen = yield links
    # Every live title is filed, while the first process follows the links; the candidates
    # are left out of what is found.
    live = [p for p in products if p.live]
    index = TitleIndex({p.product_id: p.title for p in live},
                       [(p.title_block_keys, p.title_codes) for p in live])
    candidates, _ = _split(products, chosen)
    ignore = {p.product_id for p in candidates}
    orphans_of = yield dict(zip([p.product_id for p in candidates], index.near_duplicates_of(
        [p.title for p in candidates], threshold=threshold, ignore=ignore,
        blocking=[(p.title_block_keys, p.title_codes) for p in candidates]), strict=True))
    named = {p.product_id: p for p in candidates}
    drafts, blocking = {}, []
    for candidate, orphans in orphans_of.items():
        p = named[candidate]
        title, carried, added = _proposal(p.title, orphans, title_limit, p.title_words)
        if title:
            drafts[candidate] = (title, carried)
            # a draft's blocking keys and codes: its title's, and those of the words added
            blocking.append((_keys_with(p.title_block_keys, blocking_keys(added)),
                             " ".join(sorted({*p.title_codes.split(), *model_codes(added)}))))
    near = index.near_duplicates_of([title for title, _ in drafts.values()],
                                    threshold=threshold, blocking=blocking, ignore=ignore)
    yield {candidate: draft for (candidate, draft), dupes in zip(drafts.items(), near,
                                                                 strict=True) if not dupes}


class _Listing(NamedTuple):
    """A product as the check reads it."""

    id: int
    product_id: str
    title: str
    category: str | None
    title_words: str
    title_keys: bytes
    title_block_keys: bytes
    title_codes: str
    live: bool  # online and not archived


class _TitleRoute:
    """Which titles hold every word of which keyword groups, for a few lists of titles.

    The lists share one vocabulary, and the library's words are looked up in it once. For
    one list, each word a group asks about becomes a row of bits (bit t when title t holds
    it); a group's titles are its words' rows ANDed, thousands of groups at a time in numpy.
    """

    def __init__(self, library: _Library, *title_lists: list[bytes]):
        """`title_lists`: each title's word keys."""
        tokens = [_word_numbers(titles) for titles in title_lists]
        vocabulary = KeyTable(_unique(np.concatenate(tokens)))
        self.vocabulary_size = len(vocabulary.keys)
        self.groups = library.groups
        words, self.offsets, self.counts = library.tokens()
        self.words = vocabulary.places(words)  # len(vocabulary) where no title has the word
        self.lists = []  # (titles, each token's title, each token's word)
        for titles, these in zip(title_lists, tokens):
            counts = np.fromiter(map(len, titles), dtype=np.int64, count=len(titles)) // 8
            self.lists.append((len(titles), np.repeat(np.arange(len(titles)), counts),
                               vocabulary.places(these)))

    def holding(self, which: int, groups: np.ndarray | None = None, limit: int = 0
                ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """(group, title position) for every title of list `which` holding all of a group's
        words, by group then position, at most the lowest `limit` per group when `limit`; and
        (the groups some title holds, how many titles hold each). Of `groups` (sorted) only,
        when given."""
        n_titles, title_of, title_words = self.lists[which]
        present = np.zeros(self.vocabulary_size + 1, dtype=bool)
        present[title_words] = True
        asked = np.zeros(len(self.groups), dtype=bool)
        if len(self.words):
            asked = np.logical_and.reduceat(present[self.words], self.offsets)
        if groups is not None:
            wanted = np.zeros(len(self.groups), dtype=bool)
            wanted[np.searchsorted(self.groups, groups)] = True
            asked &= wanted
        asked = np.flatnonzero(asked)
        # One row of bits per word the asked groups hold, the rows 64 titles to a number.
        counts = self.counts[asked]
        tokens = _spans(self.offsets[asked], counts)
        row_of = np.full(self.vocabulary_size + 1, -1, dtype=np.int64)
        used = _unique(self.words[tokens])
        row_of[used] = np.arange(len(used))
        width = (n_titles + 63) // 64
        bits = np.zeros((len(used), width * 8), dtype=np.uint8)
        keep = row_of[title_words] >= 0
        np.bitwise_or.at(bits, (row_of[title_words[keep]], title_of[keep] >> 3),
                         np.left_shift(1, title_of[keep] & 7).astype(np.uint8))
        bits = bits.view(np.uint64)
        pairs, found, found_counts = [], [], []
        step = max(1, (1 << 20) // max(width, 1))  # ANDed 8 MB at a time
        for size in np.flatnonzero(np.bincount(counts)).tolist():
            these = asked[counts == size]
            for start in range(0, len(these), step):
                chunk = these[start:start + step]
                rows = row_of[self.words[self.offsets[chunk][:, None] + np.arange(size)]]
                held = bits[rows[:, 0]]
                for k in range(1, size):
                    np.bitwise_and(held, bits[rows[:, k]], out=held)
                how_many = np.bitwise_count(held).sum(axis=1, dtype=np.int64)
                some = how_many > 0
                found.append(self.groups[chunk[some]])
                found_counts.append(how_many[some])
                row, position = _set_bits(held, limit)
                pairs.append(self.groups[chunk[row]] * n_titles + position)
        none = [np.zeros(0, dtype=np.int64)]
        pairs = _unique(np.concatenate(pairs or none))
        found, found_counts = np.concatenate(found or none), np.concatenate(found_counts or none)
        order = np.argsort(found)
        n_titles = max(n_titles, 1)
        return pairs // n_titles, pairs % n_titles, (found[order], found_counts[order])


def _keys_with(keys: bytes, more: bytes) -> bytes:
    """Distinct word keys (eight bytes each) with those of `more` that are not among them
    added, in first order."""
    for i in range(0, len(more), 8):
        key = more[i:i + 8]
        at = keys.find(key)
        while at > 0 and at % 8:  # found across two keys: look on
            at = keys.find(key, at + 1)
        if at < 0:
            keys += key
    return keys


def _spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices start, start+1, … start+length-1 of every span, one after another."""
    return (np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
            + np.arange(int(lengths.sum())))


def _runs(values: np.ndarray) -> np.ndarray:
    """Each value's place in its run of equal values (values sorted): 0, 1, 2, 0, 1, …"""
    if not len(values):
        return values
    first = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    return np.arange(len(values)) - np.repeat(first, np.diff(np.append(first, len(values))))


# Every byte value's set bits, as one flat table: value v's are _BIT_PLACES[_BIT_STARTS[v]:…]
_BIT_PLACES = np.array([b for v in range(256) for b in range(8) if v >> b & 1], dtype=np.int64)
_BITS_IN_BYTE = np.array([v.bit_count() for v in range(256)], dtype=np.int64)
_BIT_STARTS = np.cumsum(_BITS_IN_BYTE) - _BITS_IN_BYTE


def _set_bits(rows: np.ndarray, limit: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(row, bit position) of every set bit of rows of 64-bit numbers (bit b of number c is
    position 64c + b), by row then position; only each row's lowest `limit` when `limit`."""
    row, column = np.nonzero(rows)
    if limit:  # each number holds a set bit, so the first `limit` numbers hold enough
        keep = _runs(row) < limit
        row, column = row[keep], column[keep]
    raw = rows[row, column].view(np.uint8)  # bytes in memory order: the order bits were laid
    at = np.flatnonzero(raw)
    values = raw[at]
    counts = _BITS_IN_BYTE[values]
    which = np.repeat(at // 8, counts)
    bit = np.repeat(at % 8 * 8, counts) + _BIT_PLACES[_spans(_BIT_STARTS[values], counts)]
    row, position = row[which], column[which] * 64 + bit
    if limit:
        keep = _runs(row) < limit
        row, position = row[keep], position[keep]
    return row, position


def _raw(query):
    """A query's rows as the driver returns them: no per-value conversion, for big plain reads."""
    return database.obj.execute(query)


def _unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (np.unique hashes first, slower at these sizes)."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


class _Advice:
    """What to do about an orphaned keyword: who could carry it, or a replacement title.

    The advice is the same for every orphan of one candidate but for the last item (publish
    the replacement title when it carries the keyword, else refresh the old listing), so it
    is worked out once per candidate and shared."""

    def __init__(self, candidates: list[_Listing], live: list[_Listing],
                 near: dict[str, list[dict]], proposals: dict[str, tuple[str, set[str]]]):
        self._named = {p.product_id: p for p in candidates}
        self._near, self._proposals = near, proposals
        self._by_category: dict[str, _Listing] = {}
        for p in live:
            if p.category:
                self._by_category.setdefault(p.category, p)
        self._made: dict[str, tuple[list[dict], set[str], dict, dict]] = {}

    def __call__(self, keyword: str, from_: list[str]) -> list[dict]:
        out = []
        for product_id in from_:
            advice = self._made.get(product_id) or self._for(product_id)
            out += advice[0]
            out.append(advice[2] if keyword in advice[1] else advice[3])
        return out

    def _for(self, product_id: str) -> tuple[list[dict], set[str], dict, dict]:
        """A candidate's advice: who could carry its orphans, the keywords its replacement
        title carries, and the two last items (publish it; change the main image)."""
        source, dupes = self._named[product_id], self._near[product_id]
        carriers = [{"action": "add keyword to product", "product_id": d["product_id"],
                     "title": d["title"], "why": f"near-duplicate title ({d['score']})"}
                    for d in dupes[:2]]
        if not dupes and source.category in self._by_category:
            p = self._by_category[source.category]
            carriers.append({"action": "add keyword to product", "product_id": p.product_id,
                             "title": p.title, "why": f"same category ({source.category})"})
        title, carried = self._proposals.get(product_id, (None, set()))
        advice = self._made[product_id] = (
            carriers, carried if title else set(),
            {"action": "publish new product", "title": title, "replaces": product_id},
            {"action": "change main image", "product_id": product_id,
             "why": "keep the listing and refresh it instead of deleting"})
        return advice


def proposed_title(title: str, keywords: list[str], limit: int = TITLE_LIMIT) -> str | None:
    """The title with the keywords' missing words added, as many keywords as fit in `limit`
    characters (None when none does)."""
    return _proposal(title, keywords, limit)[0]


def _proposal(title: str, keywords: list[str], limit: int, words: str | None = None
              ) -> tuple[str | None, set[str], str]:
    """`proposed_title`, which of the keywords it carries, and the words it adds (`words`:
    the title's match words, when known)."""
    have = set((words if words is not None else words_of(title)).split())
    new, carried, added = title, set(), []
    for keyword in keywords:
        extra, folded_extra = [], []
        for word, forms in _typed_words(keyword):  # added whole when it brings a new word
            missing = [f for f in forms if f not in have and f not in folded_extra]
            if missing:
                extra.append(word)
                folded_extra += missing
        candidate = f"{new} {' '.join(extra)}" if extra else new
        if len(candidate) <= limit:
            new = candidate
            have.update(folded_extra)
            carried.add(keyword)
            added += extra
    return (new if new != title else None), carried, " ".join(added)


@lru_cache(maxsize=1 << 16)
def _typed_words(keyword: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A keyword's typed words, each with its match words (`Non-Slip` has two: non, slip)."""
    return tuple((word, _forms(word)) for word in keyword.split())


@lru_cache(maxsize=1 << 16)
def _forms(word: str) -> tuple[str, ...]:
    return match_words(word)


def duplicate_listings(store: Store, *, threshold: float | None = None) -> dict:
    """Clusters of live products with near-duplicate titles, in the `kwtrack dupes` JSON shape."""
    from kwtrack.similarity import DEFAULT_THRESHOLD, duplicate_clusters

    rows = list(_live(store).select(Product.product_id, Product.title, Product.title_block_keys,
                                    Product.title_codes).tuples())
    titles = {product_id: title for product_id, title, _, _ in rows}
    clusters = duplicate_clusters(titles, threshold=threshold,
                                  blocking=[(keys, codes) for _, _, keys, codes in rows])
    return {"threshold": DEFAULT_THRESHOLD if threshold is None else threshold,
            "clusters": [{"products": [{"product_id": i, "title": titles[i]} for i in c.ids],
                          "score": c.score, "reason": c.reason,
                          "differing_words": c.differing_words} for c in clusters]}
