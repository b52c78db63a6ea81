"""The pre-deletion coverage check: what deleting some products together would orphan.

`coverage_check` treats a set of products (named, and with `zero_effect` every zero-effect
product) as deleted together and says, for every keyword they cover, which live products
still cover it and how, or that it would be orphaned, with what to do instead.

Coverage routes, one definition for all of kwtrack: `keyword` (the product's own keyword
field), `manual`, `search` (a search-term report) and `title` (the title holds every word of
the keyword: whole words, plurals folded, `kwtrack.words.match_words`); `strict` drops the
title route. Keywords with the same match words are one keyword here, shown as the first.

The work is a handful of set-based reads (the store's products, keywords and links, each
once) and Python sets and dicts: no query per keyword.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from peewee import SQL

from kwtrack.cleanup.routes import ROUTE_PLACE, ROUTES, CoveredBy
from kwtrack.cleanup.titles import TITLE_LIMIT, draft_title
from kwtrack.cleanup.zero_effect import DEFAULT_DAYS, ZeroEffect, zero_effect_products
from kwtrack.duplicates import TitleIndex
from kwtrack.errors import KwtrackError
from kwtrack.store import bulk
from kwtrack.store.models import Coverage, Keyword, Product, Store, database
from kwtrack.words import (
    compound_vocabulary,
    keyword_words_of,
    match_words,
    readings,
    words_of,
)
from kwtrack.wordsets import TitleWords

TITLE_SHOWN = 10  # live products listed per keyword for the title route; all are counted


@dataclass(frozen=True, slots=True)
class KeywordVerdict:
    """One keyword the candidates cover: still covered, or orphaned with suggestions."""

    keyword: str
    orphaned: bool
    from_: tuple[str, ...]  # candidate product IDs that cover it
    covered_by: tuple[CoveredBy, ...]
    suggestions: tuple[dict, ...]
    title_matches: int = 0  # live titles holding the keyword (covered_by lists TITLE_SHOWN)

    def coverers(self, shown: int) -> tuple[list[tuple[str, tuple[str, ...]]], int]:
        """The first `shown` live products covering the keyword, each with its routes (a
        product covering it by keyword field and by title is listed once), and how many
        coverings the list leaves out (`not_shown`)."""
        routes: dict[str, list[str]] = {}
        listed = 0
        for c in self.covered_by:  # (a product's routes are next to each other)
            if c.product_id not in routes and len(routes) == shown:
                break
            routes.setdefault(c.product_id, []).append(c.via)
            listed += 1
        return [(p, tuple(vias)) for p, vias in routes.items()], self.not_shown(listed)

    def not_shown(self, shown: int) -> int:
        """How many of the keyword's coverings a list of the first `shown` of `covered_by`
        leaves out, the title matches `covered_by` does not list included."""
        listed_titles = sum(c.via == "title" for c in self.covered_by)
        return max(0, len(self.covered_by) - shown) + max(0, self.title_matches - listed_titles)


@dataclass(frozen=True)
class Candidate:
    """A product to be deleted, with the live products whose titles nearly duplicate it and
    the keywords that would be left uncovered (none: it can go without losing coverage, on
    its own or with the other candidates that can)."""

    product_id: str
    title: str
    near_duplicates: tuple[dict, ...]
    orphaned: tuple[str, ...]  # alphabetically


@dataclass(frozen=True)
class Handover:
    """An orphaned keyword and the live product the check suggests adding it to."""

    keyword: str
    product_id: str
    title: str
    why: str

    def __str__(self) -> str:
        """The handover in a line, as `coverage link-carriers` and the TUI ask it."""
        return f"{self.keyword} → {self.product_id} — {self.why}"


@dataclass(frozen=True)
class CoverageReport:
    """The whole check: candidates, keywords (alphabetically) and a summary."""

    as_of: dt.date
    days: int
    strict: bool
    candidates: list[Candidate]
    keywords: list[KeywordVerdict]

    @property
    def orphaned(self) -> list[KeywordVerdict]:
        return [k for k in self.keywords if k.orphaned]

    @property
    def safe(self) -> list[Candidate]:
        """The candidates whose deletion orphans nothing (on their own or together)."""
        return [c for c in self.candidates if not c.orphaned]

    def handovers(self, product_ids: set[str] | None = None) -> list[Handover]:
        """Each orphaned keyword (of the candidates `product_ids`, when given) with the first
        live product the check suggests adding it to: linking those lets the candidates go
        without orphaning it (`kwtrack coverage link-carriers`, the TUI's Clean-up `L`).
        An orphan no live product could carry is left out: it wants a new product or a
        new main image."""
        found = []
        for k in self.orphaned:
            if product_ids is not None and product_ids.isdisjoint(k.from_):
                continue
            carrier = next((s for s in k.suggestions
                            if s["action"] == "add keyword to product"), None)
            if carrier is not None:
                found.append(Handover(k.keyword, carrier["product_id"], carrier["title"],
                                      carrier["why"]))
        return found

    def to_dict(self) -> dict:
        """The JSON shape of `kwtrack coverage check --json`."""
        return {
            "as_of": self.as_of.isoformat(), "days": self.days, "strict": self.strict,
            "candidates": [{"product_id": c.product_id, "title": c.title,
                            "near_duplicates": c.near_duplicates, "orphaned": c.orphaned}
                           for c in self.candidates],
            "keywords": [{"keyword": k.keyword, "orphaned": k.orphaned, "from": k.from_,
                          "covered_by": [{"product_id": c.product_id, "title": c.title,
                                          "via": c.via} for c in k.covered_by],
                          "title_matches": k.title_matches,
                          "suggestions": k.suggestions} for k in self.keywords],
            "summary": {"candidates": len(self.candidates), "keywords": len(self.keywords),
                        "orphaned": len(self.orphaned), "safe_to_delete": len(self.safe)},
        }


def suggestion_text(suggestion: dict) -> str:
    """One of a verdict's suggestions in a line, as the check's text and the TUI show it."""
    action = suggestion["action"]
    if action == "publish new product":
        return f"{action}: {suggestion['title']}"
    if action == "add keyword to product":
        return f"{action}: {suggestion['product_id']} — {suggestion['why']}"
    return f"{action}: {suggestion['product_id']}"


class _Listing(NamedTuple):
    """A product as the check reads it (a tuple: a store-wide check reads tens of thousands)."""

    id: int
    product_id: str
    title: str
    category: str | None
    words: tuple[str, ...]  # the title's match words
    live: bool  # online and not archived


def coverage_check(store: Store, product_ids: list[str], *, zero_effect: bool = False,
                   days: int = DEFAULT_DAYS, as_of: dt.date | None = None,
                   strict: bool = False, threshold: float | None = None,
                   title_limit: int = TITLE_LIMIT) -> CoverageReport:
    """Treat `product_ids`, and with `zero_effect` every zero-effect product over `days` days
    to `as_of` (`zero_effect_products`: it raises StatsGap when the stats do not cover the
    window), as deleted together; report every keyword they cover.

    A keyword's title-route coverage lists the first TITLE_SHOWN live products by product ID
    and counts them all (a generic word can sit in thousands of titles).
    """
    zero = zero_effect_products(store, days=days, as_of=as_of) if zero_effect else None
    as_of = zero.as_of if zero else (as_of or dt.date.today())
    products = _read_products(store)
    candidates, live = _split(products, product_ids, zero)
    if not candidates:
        return CoverageReport(as_of, days, strict, [], [])
    live_titles = TitleWords([p.words for p in live])
    rows = _covered_keywords(store, candidates, live, live_titles, strict)

    orphans: dict[str, list[str]] = defaultdict(list)
    for keyword, from_, routes, _ in rows:
        if not routes:
            for i in from_:
                orphans[candidates[i].product_id].append(keyword)
    advice = _Advice(candidates, live, live_titles, orphans, threshold, title_limit)
    # One CoveredBy per (live product, route), however many keywords list it.
    places = {place for _, _, routes, _ in rows for place in routes}
    shown = {(i, r): CoveredBy(live[i].product_id, live[i].title, ROUTES[r]) for i, r in places}
    candidate_ids = [p.product_id for p in candidates]
    verdicts = []
    for keyword, from_, routes, matches in rows:
        from_ = tuple(map(candidate_ids.__getitem__, from_))
        verdicts.append(KeywordVerdict(keyword, not routes, from_,
                                       tuple(map(shown.__getitem__, routes)),
                                       () if routes else advice.suggestions(keyword, from_),
                                       matches))
    listed = [Candidate(p.product_id, p.title, advice.near[p.product_id],
                        tuple(sorted(orphans.get(p.product_id, ())))) for p in candidates]
    return CoverageReport(as_of, days, strict, listed, verdicts)


def _covered_keywords(store: Store, candidates: list[_Listing], live: list[_Listing],
                      live_titles: TitleWords, strict: bool
                      ) -> list[tuple[str, tuple[int, ...], tuple, int]]:
    """The keyword groups the candidates cover, alphabetically: (keyword, the candidates
    covering it by place, the live products covering it as (place, route place) pairs, and
    how many live titles hold it). Its sets and maps are gone when it returns: the rows
    are all the rest of the check needs (and all the garbage collector walks from then on).
    """
    library = _Library(store)
    # Products by their place in `candidates` and in `live` (both in product-ID order, so
    # sorting places sorts by product ID), and each link's route by its place in ROUTES.
    candidate_at = {p.id: i for i, p in enumerate(candidates)}
    live_at = {p.id: i for i, p in enumerate(live)}
    group_of = library.group_of
    sources: dict[int, set[int]] = defaultdict(set)  # group → candidates covering it
    db = database.obj
    with bulk.id_table(db, "kwtrack_candidates", candidate_at) as doomed_table:
        for keyword, product in bulk.raw_rows(
                Coverage.select(Coverage.keyword, Coverage.product)
                .where(Coverage.product.in_(SQL(f"(SELECT id FROM {doomed_table})")))):
            if keyword in group_of:
                sources[group_of[keyword]].add(candidate_at[product])
        group_readings: dict[int, tuple[tuple[str, ...], ...]] = {}

        def readings_of(group: int) -> tuple[tuple[str, ...], ...]:
            """A group's readings (`kwtrack.words.readings`), worked out once: the live
            titles are asked about them too, for the groups the candidates cover."""
            found = group_readings.get(group)
            if found is None:
                found = group_readings[group] = readings(library.words[group], compounds)
            return found

        if not strict:
            doomed = TitleWords([p.words for p in candidates])
            # Hyphenated compounds the titles hold: `slip on shoe` may be read `slip-on shoe`.
            compounds = compound_vocabulary((*doomed.having, *live_titles.having))
            vocabulary = set(doomed.having)
            for group, words in enumerate(library.words):
                if not doomed.may_hold(words):
                    continue
                for reading in readings_of(group):
                    if vocabulary.issuperset(reading):
                        found = doomed.holding(reading)
                        if found:
                            sources[group].update(found)
        # The live products' links to the keywords the candidates cover, and by which route.
        live_links: dict[int, set[tuple[int, int]]] = defaultdict(set)  # group → (live, route)
        wanted = [keyword for keyword, group in group_of.items() if group in sources]
        with bulk.id_table(db, "kwtrack_keywords", wanted) as keyword_table:
            for keyword, product, route in bulk.raw_rows(
                    Coverage.select(Coverage.keyword, Coverage.product, Coverage.source)
                    .where(Coverage.keyword.in_(SQL(f"(SELECT id FROM {keyword_table})"))
                           & Coverage.product.not_in(SQL(f"(SELECT id FROM {doomed_table})")))):
                if product in live_at:
                    live_links[group_of[keyword]].add((live_at[product], ROUTE_PLACE[route]))

    title_route = ROUTE_PLACE["title"]
    rows = []  # (keyword, candidates, (live, route) pairs, live titles holding it)
    for group in sorted(sources, key=library.display.__getitem__):
        routes = live_links.get(group, set())
        matches = 0
        if not strict and live_titles.may_hold(library.words[group]):
            matches, first = live_titles.count_and_first(readings_of(group), TITLE_SHOWN)
            if first:
                routes = routes | {(i, title_route) for i in first}
        rows.append((library.display[group], tuple(sorted(sources[group])),
                     tuple(sorted(routes)), matches))
    return rows


def _read_products(store: Store) -> list[_Listing]:
    """Every product of the store, by product ID, with its title's match words."""
    live_now = ((Product.status == "online") & Product.archived_at.is_null()).alias("live")
    query = (Product.select(Product.id, Product.product_id, Product.title, Product.category,
                            Product.title_words, live_now)
             .where(Product.store == store).order_by(Product.product_id))
    return [_Listing(id_, product_id, title, category,
                     tuple((words if words is not None else words_of(title)).split()),
                     bool(live))
            for id_, product_id, title, category, words, live in bulk.raw_rows(query)]


def _split(products: list[_Listing], product_ids: list[str], zero: ZeroEffect | None
           ) -> tuple[list[_Listing], list[_Listing]]:
    """The candidates (the named products and any zero-effect ones) and the other live
    products (a KwtrackError names any named product the store lacks)."""
    wanted = set(product_ids)
    if zero is not None:
        wanted.update(p.product_id for p in zero.products)
    candidates = [p for p in products if p.product_id in wanted]
    live = [p for p in products if p.live and p.product_id not in wanted]
    if len(candidates) < len(wanted):
        found = {p.product_id for p in candidates}
        unknown = [pid for pid in dict.fromkeys(product_ids) if pid not in found]
        raise KwtrackError(f"unknown product{'s' if len(unknown) > 1 else ''}: "
                           f"{', '.join(unknown[:10])}")
    return candidates, live


class _Library:
    """The store's keywords grouped by match words: group g is shown as `display[g]` (its
    first keyword by id) and matched on `words[g]`; `group_of` maps a keyword id to its group.
    A keyword of punctuation alone has no words and no group: it matches nothing."""

    def __init__(self, store: Store):
        self.display: list[str] = []
        self.words: list[tuple[str, ...]] = []
        self.group_of: dict[int, int] = {}
        groups: dict[str, int] = {}
        query = (Keyword.select(Keyword.id, Keyword.keyword, Keyword.words)
                 .where((Keyword.store == store) & Keyword.archived_at.is_null())
                 .order_by(Keyword.id))
        for keyword_id, keyword, words in bulk.raw_rows(query):
            words = words if words is not None else keyword_words_of(keyword)
            if not words:
                continue
            group = groups.get(words)
            if group is None:
                group = groups[words] = len(self.display)
                self.display.append(keyword)
                self.words.append(tuple(words.split()))
            self.group_of[keyword_id] = group


class _Advice:
    """What to do about an orphaned keyword: who could carry it, or a replacement title.

    Worked out once per candidate: its near-duplicate live titles, and one replacement title
    that carries as many of its orphans as fit and is not itself a near-duplicate of a live
    title; once per orphan and category: the live title of that category holding most of
    the orphan's words."""

    def __init__(self, candidates: list[_Listing], live: list[_Listing],
                 live_titles: TitleWords, orphans: dict[str, list[str]],
                 threshold: float | None, title_limit: int):
        index = TitleIndex({p.product_id: p.title for p in live})
        self.near = {p.product_id: tuple(d.to_dict() for d in index.near_duplicates(
            p.title, threshold=threshold)) for p in candidates}
        self._named = {p.product_id: p for p in candidates}
        self._live, self._live_titles = live, live_titles
        self._in_category: dict[str, set[int]] = defaultdict(set)  # category → live places
        for i, p in enumerate(live):
            if p.category:
                self._in_category[p.category].add(i)
        self._drafts: dict[str, tuple[str, set[str]]] = {}
        spellings = self._spellings({k for keywords in orphans.values() for k in keywords})
        for product_id, keywords in orphans.items():
            p = self._named[product_id]
            title, carried = draft_title(p.title, sorted(keywords), title_limit,
                                         " ".join(p.words), spellings)
            if title and not index.near_duplicates(title, threshold=threshold):
                self._drafts[product_id] = (title, carried)
        self._by_category: dict[tuple[str, str], list[dict]] = {}  # (keyword, category)

    def _spellings(self, keywords: set[str]) -> dict[str, str]:
        """How the live titles write the keywords' words (`OEM`, `EVA`, `PU`), by the word
        lower-cased: the commonest way among the first 20 titles holding it (a replacement
        title writes a word as the store does; one no title holds is title-cased)."""
        found = {}
        for typed in {word.lower() for keyword in keywords for word in keyword.split()}:
            forms = match_words(typed)
            places = self._live_titles.having.get(forms[0]) if len(forms) == 1 else None
            if places:
                ways = Counter(token for place in heapq.nsmallest(20, places)
                               for token in self._live[place].title.split()
                               if token.lower() == typed)
                if ways:
                    found[typed] = ways.most_common(1)[0][0]
        return found

    def suggestions(self, keyword: str, from_: tuple[str, ...]) -> tuple[dict, ...]:
        """For each candidate that covered the orphan: who could carry it, then either the
        replacement title that carries it or "change the main image instead"."""
        out = []
        for product_id in from_:
            out += self._carriers_of(keyword, product_id)
            title, carried = self._drafts.get(product_id, (None, set()))
            if keyword in carried:
                out.append({"action": "publish new product", "title": title,
                            "replaces": product_id})
            else:
                out.append({"action": "change main image", "product_id": product_id,
                            "why": "keep the listing and refresh it instead of deleting"})
        return tuple(out)

    def _carriers_of(self, keyword: str, product_id: str) -> list[dict]:
        """Who could carry an orphan of a candidate: its two nearest near-duplicates, else the
        live title of its category holding most of the orphan's words, when it holds at
        least half of them (a running shoe sharing `men` with `china men high top sneakers`
        is no carrier: `coverage link-carriers` would link it)."""
        source, dupes = self._named[product_id], self.near[product_id]
        if dupes:
            return [{"action": "add keyword to product", "product_id": d["product_id"],
                     "title": d["title"], "why": f"near-duplicate title ({d['score']})"}
                    for d in dupes[:2]]
        among = self._in_category.get(source.category or "")
        if not among:
            return []
        found = self._by_category.get((keyword, source.category))
        if found is None:
            words = tuple(dict.fromkeys((keyword_words_of(keyword) or "").split()))
            found = []
            for place, held in self._live_titles.most_of(words, 1, among):
                if held * 2 < len(words):
                    break
                p = self._live[place]
                found.append({"action": "add keyword to product", "product_id": p.product_id,
                              "title": p.title,
                              "why": f"same category ({source.category}); its title has "
                                     f"{held} of the keyword's {len(words)} words"})
            self._by_category[(keyword, source.category)] = found
        return found
