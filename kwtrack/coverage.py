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
from dataclasses import dataclass, field

from peewee import SQL, fn

from kwtrack.errors import KwtrackError
from kwtrack.models import (ANY_EFFECT, Coverage, ImportBatch, Keyword, Product, ProductStat,
                            Store, database)
from kwtrack.similarity import TitleIndex
from kwtrack.text import match_words

DEFAULT_DAYS = 90
TITLE_LIMIT = 128
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


@dataclass(frozen=True)
class CoveredBy:
    """A live product that still covers a keyword, and by which route."""

    product_id: str
    title: str
    via: str  # keyword | manual | search | title


@dataclass(frozen=True)
class KeywordVerdict:
    """One keyword the candidates cover: still covered, or orphaned with suggestions."""

    keyword: str
    orphaned: bool
    from_: list[str]  # candidate product IDs that cover it
    covered_by: list[CoveredBy]
    suggestions: list[dict] = field(default_factory=list)


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


def coverage_check(store: Store, product_ids: list[str], *, strict: bool = False,
                   threshold: float | None = None, title_limit: int = TITLE_LIMIT,
                   as_of: dt.date | None = None, days: int = DEFAULT_DAYS,
                   window_covered: bool = True) -> CoverageReport:
    """Treat `product_ids` as deleted together and report every keyword they cover."""
    products = {p.product_id: p for p in Product.select().where(
        (Product.store == store) & Product.product_id.in_(product_ids))} if product_ids else {}
    unknown = [pid for pid in product_ids if pid not in products]
    if unknown:
        raise KwtrackError(f"unknown product{'s' if len(unknown) > 1 else ''}: "
                           f"{', '.join(unknown[:10])}")
    doomed = {p.id for p in products.values()}
    # Named tuples, not model instances: tens of thousands of rows, read-only here.
    live = {p.id: p for p in _live(store).select(Product.id, Product.product_id, Product.title,
                                                 Product.category).namedtuples()
            if p.id not in doomed}

    # Every keyword of the store and every link, by the keyword's match form.
    display: dict[tuple[str, ...], str] = {}
    words_of: dict[int, tuple[str, ...]] = {}
    for keyword_id, text in _raw(Keyword.select(Keyword.id, Keyword.keyword)
                                 .where((Keyword.store == store)
                                        & Keyword.archived_at.is_null())):
        words = words_of[keyword_id] = match_words(text)
        if words:
            display.setdefault(words, text)
    links: dict[tuple[str, ...], list[tuple[int, str]]] = defaultdict(list)
    query = (Coverage.select(Coverage.product, Coverage.source, Coverage.keyword)
             .join(Keyword).where(Keyword.store == store))
    for product_id, source, keyword_id in _raw(query):
        if keyword_id in words_of and words_of[keyword_id]:
            links[words_of[keyword_id]].append((product_id, source))

    # Title route: inverted indexes of live titles' words and the candidates' words.
    by_word: dict[str, set[int]] = defaultdict(set)
    for pid, p in live.items():
        for w in match_words(p.title):
            by_word[w].add(pid)
    doomed_by_word: dict[str, set[str]] = defaultdict(set)
    for p in products.values():
        for w in match_words(p.title):
            doomed_by_word[w].add(p.product_id)

    # The keywords the candidates cover, by any route.
    code_of = {p.id: p.product_id for p in products.values()}
    covered_by_doomed: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for words, pairs in links.items():
        for product_id, _ in pairs:
            if product_id in doomed:
                covered_by_doomed[words].add(code_of[product_id])
    if not strict and doomed_by_word:
        for words in display:
            if all(w in doomed_by_word for w in words):
                covered_by_doomed[words] |= _all_of(doomed_by_word, words)
    index = TitleIndex({p.product_id: p.title for p in live.values()})
    by_category: dict[str, Product] = {}
    for p in sorted(live.values(), key=lambda p: p.product_id):
        if p.category:
            by_category.setdefault(p.category, p)
    verdicts = []
    for words, from_ in sorted(covered_by_doomed.items(), key=lambda kv: display[kv[0]]):
        if not from_:
            continue
        from_ = sorted(from_)
        covered = []
        seen = set()
        for product_id, source in links.get(words, []):
            if product_id in live and (product_id, source) not in seen:
                seen.add((product_id, source))
                covered.append(CoveredBy(live[product_id].product_id, live[product_id].title,
                                         source))
        if not strict and all(w in by_word for w in words):
            for product_id in sorted(_all_of(by_word, words)):
                covered.append(CoveredBy(live[product_id].product_id, live[product_id].title,
                                         "title"))
        orphaned = not covered
        suggestions = (_suggest(display[words], [products[f] for f in from_], live, index,
                                threshold, title_limit, by_category) if orphaned else [])
        verdicts.append(KeywordVerdict(display[words], orphaned, sorted(from_),
                                       sorted(covered, key=lambda c: (c.product_id, c.via)),
                                       suggestions))
    candidates = [Candidate(p.product_id, p.title,
                            index.near_duplicates(p.title, threshold=threshold))
                  for p in sorted(products.values(), key=lambda p: p.product_id)]
    return CoverageReport(as_of or dt.date.today(), days, strict, window_covered, candidates,
                          verdicts)


def _raw(query):
    """A query's rows as the driver returns them: no per-value conversion, for big plain reads."""
    return database.obj.execute(query)


def _all_of(postings: dict[str, set], words: tuple[str, ...]) -> set:
    """The members found under every one of `words`, intersecting the smallest sets first."""
    sets = sorted((postings[w] for w in words), key=len)
    return sets[0].intersection(*sets[1:])


def _suggest(keyword: str, sources: list[Product], live: dict[int, Product],
             index: TitleIndex, threshold: float | None, title_limit: int,
             by_category: dict[str, Product]) -> list[dict]:
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
        title = proposed_title(source.title, [keyword], title_limit)
        if title and not index.near_duplicates(title, threshold=threshold):
            out.append({"action": "publish new product", "title": title,
                        "replaces": source.product_id})
        else:
            out.append({"action": "change main image", "product_id": source.product_id,
                        "why": "keep the listing and refresh it instead of deleting"})
    return out


def proposed_title(title: str, keywords: list[str], limit: int = TITLE_LIMIT) -> str | None:
    """The title with the keywords' missing words added, if it fits in `limit` characters."""
    have = set(match_words(title))
    extra = []
    for keyword in keywords:
        for word, folded in zip(keyword.split(), match_words(keyword), strict=False):
            if folded not in have:
                extra.append(word)
                have.add(folded)
    if not extra:
        return None
    new = f"{title} {' '.join(extra)}"
    return new if len(new) <= limit else None


def duplicate_listings(store: Store, *, threshold: float | None = None) -> dict:
    """Clusters of live products with near-duplicate titles, in the `kwtrack dupes` JSON shape."""
    from kwtrack.similarity import DEFAULT_THRESHOLD, duplicate_clusters

    titles = dict(_live(store).select(Product.product_id, Product.title).tuples())
    clusters = duplicate_clusters(titles, threshold=threshold)
    return {"threshold": DEFAULT_THRESHOLD if threshold is None else threshold,
            "clusters": [{"products": [{"product_id": i, "title": titles[i]} for i in c.ids],
                          "score": c.score, "reason": c.reason,
                          "differing_words": c.differing_words} for c in clusters]}
