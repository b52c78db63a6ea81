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
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from peewee import SQL, fn

from kwtrack import bulk
from kwtrack.errors import KwtrackError
from kwtrack.models import (
    ANY_EFFECT,
    Coverage,
    ImportBatch,
    Keyword,
    Product,
    ProductStat,
    Store,
    database,
    words_of,
)
from kwtrack.pause import without_cycle_collection
from kwtrack.similarity import TitleIndex
from kwtrack.text import match_words

DEFAULT_DAYS = 90
TITLE_LIMIT = 128
TITLE_SHOWN = 10  # live products listed per keyword for the title route; all are counted
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
    """A product to be deleted, with the live products whose titles nearly duplicate it."""

    product_id: str
    title: str
    near_duplicates: list[dict]


@dataclass(frozen=True)
class CoverageReport:
    """The whole check: candidates, keywords and a summary."""

    as_of: dt.date
    days: int
    strict: bool
    window_covered: bool
    candidates: list[Candidate]
    keywords: list[KeywordVerdict]

    @property
    def orphaned(self) -> list[KeywordVerdict]:
        return [k for k in self.keywords if k.orphaned]

    def to_dict(self) -> dict:
        """The JSON shape of `kwtrack coverage check --json`."""
        return {
            "as_of": self.as_of.isoformat(), "days": self.days, "strict": self.strict,
            "window_covered": self.window_covered,
            "candidates": [{"product_id": c.product_id, "title": c.title,
                            "near_duplicates": c.near_duplicates} for c in self.candidates],
            "keywords": [{"keyword": k.keyword, "orphaned": k.orphaned, "from": k.from_,
                          "covered_by": [{"product_id": c.product_id, "title": c.title,
                                          "via": c.via} for c in k.covered_by],
                          "title_matches": k.title_matches,
                          "suggestions": k.suggestions} for k in self.keywords],
            "summary": {"candidates": len(self.candidates), "keywords": len(self.keywords),
                        "orphaned": len(self.orphaned)},
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
    `days` days ending on `as_of` (no stats row on a covered day counts as zero)."""
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
    products = (_live(store).select(Product.product_id, Product.title)
                .where((Product.published.is_null() | (Product.published <= old_enough))
                       & ~fn.EXISTS(active))
                .order_by(Product.product_id))
    missing = stats_days_missing(store, start, as_of)
    return ZeroEffect(as_of, days, missing == 0, missing,
                      [ProductBrief(*row) for row in _raw(products)])


@without_cycle_collection
def coverage_check(store: Store, product_ids: list[str], *, strict: bool = False,
                   threshold: float | None = None, title_limit: int = TITLE_LIMIT,
                   as_of: dt.date | None = None, days: int = DEFAULT_DAYS,
                   window_covered: bool = True) -> CoverageReport:
    """Treat `product_ids` as deleted together and report every keyword they cover.

    Keywords are compared by their match words (stored with each keyword and title), so
    `camping chairs` and `camping chair` are one keyword here. A keyword's title-route
    coverage lists the first TITLE_SHOWN live products by ID and counts them all.
    """
    columns = (Product.id, Product.product_id, Product.title, Product.category,
               Product.title_words)
    named: dict[str, _Listing] = {}
    for part in bulk.chunked(sorted(set(product_ids))):
        query = Product.select(*columns).where((Product.store == store)
                                               & Product.product_id.in_(list(part)))
        named.update((row[1], _Listing(*row)) for row in _raw(query))
    unknown = [pid for pid in product_ids if pid not in named]
    if unknown:
        raise KwtrackError(f"unknown product{'s' if len(unknown) > 1 else ''}: "
                           f"{', '.join(unknown[:10])}")
    candidates = sorted(named.values(), key=lambda p: p.product_id)
    doomed = {p.id for p in candidates}
    live = [p for p in map(_Listing._make, _raw(_live(store).select(*columns)
                                                .order_by(Product.product_id)))
            if p.id not in doomed]
    live_by_id = {p.id: p for p in live}

    # The library by match words: words → [display form, keyword ids...].
    forms: dict[str, list] = {}
    for keyword_id, text, words in _raw(Keyword.select(Keyword.id, Keyword.keyword,
                                                       Keyword.words)
                                        .where((Keyword.store == store)
                                               & Keyword.archived_at.is_null())):
        if words is None:
            words = words_of(text)
        if words:
            entry = forms.get(words)
            if entry is None:
                forms[words] = [text, keyword_id]
            else:
                entry.append(keyword_id)
    form_of = {kid: words for words, entry in forms.items() for kid in entry[1:]}

    # Which keywords the candidates cover: by their links, then by their titles.
    covered_from: dict[str, set[str]] = defaultdict(set)
    code_of = {p.id: p.product_id for p in candidates}
    for part in bulk.chunked(sorted(doomed)):
        query = Coverage.select(Coverage.keyword, Coverage.product).where(
            Coverage.product.in_(list(part)))
        for keyword_id, product in _raw(query):
            if keyword_id in form_of:
                covered_from[form_of[keyword_id]].add(code_of[product])
    live_titles = _TitleWords([p.words for p in live])
    if not strict and candidates:
        doomed_titles = _TitleWords([p.words for p in candidates])
        vocabulary = doomed_titles.vocabulary
        for words in forms:
            split = words.split()
            if vocabulary.issuperset(split):
                mask = doomed_titles.holding_all(split)
                if mask:  # some one title holds them all, not just the titles between them
                    covered_from[words].update(candidates[i].product_id
                                               for i in _positions(mask))

    # Who else covers them: live products' links to any keyword of the same words.
    links: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with bulk.id_table(kid for words in covered_from for kid in forms[words][1:]) as ids:
        query = (Coverage.select(Coverage.keyword, Coverage.product, Coverage.source)
                 .join(ids, on=(ids.id == Coverage.keyword)))
        for keyword_id, product, source in _raw(query):
            if product in live_by_id:
                links[form_of[keyword_id]].append((product, source))

    index = TitleIndex({p.product_id: p.title for p in live})
    by_category: dict[str, _Listing] = {}
    for p in live:
        if p.category:
            by_category.setdefault(p.category, p)
    found = []
    orphans_of: dict[str, list[str]] = defaultdict(list)  # candidate → its orphaned keywords
    for words in sorted(covered_from, key=lambda w: forms[w][0]):
        display = forms[words][0]
        covered = [CoveredBy(live_by_id[product].product_id, live_by_id[product].title, source)
                   for product, source in dict.fromkeys(links.get(words, ()))]
        title_matches = 0
        if not strict:
            mask = live_titles.holding_all(words.split())
            if mask:
                title_matches = mask.bit_count()
                covered += [CoveredBy(live[i].product_id, live[i].title, "title")
                            for i in _positions(mask, TITLE_SHOWN)]
        from_ = sorted(covered_from[words])
        if not covered:
            for candidate in from_:
                orphans_of[candidate].append(display)
        covered.sort()  # by product ID, then route (a product has one title)
        found.append((display, from_, covered, title_matches))
    # One replacement title per candidate, carrying as many of its orphaned keywords as fit.
    proposals = {}
    for candidate, orphans in orphans_of.items():
        title, carried = _proposal(named[candidate].title, orphans, title_limit)
        if title and not index.near_duplicates(title, threshold=threshold):
            proposals[candidate] = (title, carried)
    verdicts = [KeywordVerdict(display, not covered, from_, covered,
                               _suggest(display, [named[f] for f in from_], index, threshold,
                                        by_category, proposals) if not covered else [],
                               title_matches)
                for display, from_, covered, title_matches in found]
    report_candidates = [Candidate(p.product_id, p.title,
                                   index.near_duplicates(p.title, threshold=threshold))
                         for p in candidates]
    return CoverageReport(as_of or dt.date.today(), days, strict, window_covered,
                          report_candidates, verdicts)


class _Listing(NamedTuple):
    """A product as the check reads it."""

    id: int
    product_id: str
    title: str
    category: str | None
    title_words: str | None

    @property
    def words(self) -> list[str]:
        return (self.title_words if self.title_words is not None
                else words_of(self.title)).split()


class _TitleWords:
    """Which of a list of titles hold all of some words, asked many times.

    Each word has the positions of the titles holding it and, on first use, a bit mask of
    them (a Python int, bit i for title i), so asking is a few big-int ANDs, not set
    intersections over thousands of members.
    """

    def __init__(self, titles: list[list[str]]):
        self.count = len(titles)
        self.postings: dict[str, list[int]] = defaultdict(list)
        for position, words in enumerate(titles):
            for word in set(words):
                self.postings[word].append(position)
        self.vocabulary = set(self.postings)
        self._masks: dict[str, int] = {}

    def mask(self, word: str) -> int:
        found = self._masks.get(word)
        if found is None:
            positions = self.postings.get(word, [])
            bits = np.zeros(self.count, dtype=bool)
            bits[positions] = True
            found = self._masks[word] = int.from_bytes(
                np.packbits(bits, bitorder="little").tobytes(), "little")
        return found

    def holding_all(self, words: list[str]) -> int:
        """The mask of the titles holding every one of `words` (0 when none or no words)."""
        if not words or not self.vocabulary.issuperset(words):
            return 0
        found = -1
        for word in sorted(words, key=lambda w: len(self.postings[w])):
            found &= self.mask(word)
            if not found:
                break
        return found


def _raw(query):
    """A query's rows as the driver returns them: no per-value conversion, for big plain reads."""
    return database.obj.execute(query)


def _positions(mask: int, limit: int | None = None) -> list[int]:
    """The positions of a mask's set bits, lowest first (at most `limit` of them)."""
    if mask <= 0:
        return []
    if (limit is not None and limit <= 16) or mask.bit_count() <= 16:  # pick them off
        found = []
        while mask and (limit is None or len(found) < limit):
            lowest = mask & -mask
            found.append(lowest.bit_length() - 1)
            mask ^= lowest
        return found
    raw = np.frombuffer(mask.to_bytes((mask.bit_length() + 7) // 8, "little"), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little"))[:limit].tolist()


def _suggest(keyword: str, sources: list[_Listing], index: TitleIndex,
             threshold: float | None, by_category: dict[str, _Listing],
             proposals: dict[str, tuple[str, set[str]]]) -> list[dict]:
    """What to do about an orphaned keyword: who could carry it, or a replacement title."""
    out = []
    for source in sources:
        dupes = index.near_duplicates(source.title, threshold=threshold)
        for d in dupes[:2]:
            out.append({"action": "add keyword to product", "product_id": d["product_id"],
                        "title": d["title"], "why": f"near-duplicate title ({d['score']})"})
        if not dupes and source.category in by_category:
            p = by_category[source.category]
            out.append({"action": "add keyword to product", "product_id": p.product_id,
                        "title": p.title, "why": f"same category ({source.category})"})
        title, carried = proposals.get(source.product_id, (None, set()))
        if title and keyword in carried:
            out.append({"action": "publish new product", "title": title,
                        "replaces": source.product_id})
        else:
            out.append({"action": "change main image", "product_id": source.product_id,
                        "why": "keep the listing and refresh it instead of deleting"})
    return out


def proposed_title(title: str, keywords: list[str], limit: int = TITLE_LIMIT) -> str | None:
    """The title with the keywords' missing words added, as many keywords as fit in `limit`
    characters (None when none does)."""
    return _proposal(title, keywords, limit)[0]


def _proposal(title: str, keywords: list[str], limit: int) -> tuple[str | None, set[str]]:
    """`proposed_title`, and which of the keywords it carries."""
    have = set(match_words(title))
    new, carried = title, set()
    for keyword in keywords:
        extra, folded_extra = [], []
        for word, folded in zip(keyword.split(), match_words(keyword), strict=False):
            if folded not in have and folded not in folded_extra:
                extra.append(word)
                folded_extra.append(folded)
        candidate = f"{new} {' '.join(extra)}" if extra else new
        if len(candidate) <= limit:
            new = candidate
            have.update(folded_extra)
            carried.add(keyword)
    return (new if new != title else None), carried


def duplicate_listings(store: Store, *, threshold: float | None = None) -> dict:
    """Clusters of live products with near-duplicate titles, in the `kwtrack dupes` JSON shape."""
    from kwtrack.similarity import DEFAULT_THRESHOLD, duplicate_clusters

    titles = dict(_live(store).select(Product.product_id, Product.title).tuples())
    clusters = duplicate_clusters(titles, threshold=threshold)
    return {"threshold": DEFAULT_THRESHOLD if threshold is None else threshold,
            "clusters": [{"products": [{"product_id": i, "title": titles[i]} for i in c.ids],
                          "score": c.score, "reason": c.reason,
                          "differing_words": c.differing_words} for c in clusters]}
