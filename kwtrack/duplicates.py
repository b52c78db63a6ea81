"""Duplicate listings: live products whose titles say they are the same product listed twice.

Alibaba.com penalises a product listed twice. kwtrack decides, in this order:
1. **Model codes** (`kwtrack.words.model_codes`: `A502`, `HR030-A`, `Model 201`): titles with
   different codes are different products however alike the rest (stores generate titles from
   one template, and a colour suffix is another product); titles sharing a code and a loosely
   similar title (score ≥ `SAME_CODE_MIN`) are the same product relisted.
2. Without codes on both sides, title similarity: rapidfuzz `token_sort_ratio` on processed
   titles (case, punctuation and hyphens folded, word order ignored) at or above the threshold;
   or, between two code-less titles, one title holding every word of the other and at most
   `SUBSET_EXTRA` words more (`Bamboo Cutting Board Set 3 Pieces` / `3 Pieces Bamboo Cutting
   Board Set with Juice Groove`).

`TitleIndex` files titles so that only likely pairs are scored (blocking); `duplicate_clusters`
groups a store's titles, never putting two different model codes in one cluster; and
`duplicate_listings` is what `kwtrack dupes` shows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz import fuzz, utils

from kwtrack.store import bulk
from kwtrack.store.models import Product, Store
from kwtrack.words import marked_numbers, model_codes, singular
from kwtrack.wordsets import TitleWords

DEFAULT_THRESHOLD = 90.0
SAME_CODE_MIN = 60.0
SUBSET_EXTRA = 3  # words a code-less title may add to another and still be the same listing
SUBSET_MIN_WORDS = 4  # ... when the shorter one has at least this many words
SAME_CODE = "same model code"
SIMILAR = "similar title"
WITHIN = "one title within the other"
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NearDuplicate:
    """A title found to duplicate the one asked about, how closely and why."""

    product_id: str
    title: str
    score: float
    reason: str  # SAME_CODE, SIMILAR or WITHIN

    def to_dict(self) -> dict:
        return {"product_id": self.product_id, "title": self.title, "score": self.score,
                "reason": self.reason}


@dataclass(frozen=True)
class Cluster:
    """Titles that are near-duplicates of one another, and why they were grouped."""

    ids: list[str]
    score: float  # the lowest pair score that joined the cluster
    reason: str  # SAME_CODE when a shared code joined it, else SIMILAR or WITHIN
    differing_words: list[str]
    codes: list[str]  # the model code its coded titles share (never more than one model)


def score(a: str, b: str) -> float:
    """Title similarity, 0–100: order-insensitive, case and punctuation folded."""
    return round(fuzz.token_sort_ratio(a, b, processor=utils.default_process), 1)


def same_model_score(a: str, b: str) -> float:
    """How alike two titles with the same model code are: a relisting keeps the product words
    (`Portable Walking Shoes A431`) and rewrites the rest, so shared words count most."""
    return round(max(fuzz.token_sort_ratio(a, b, processor=utils.default_process),
                     fuzz.token_set_ratio(a, b, processor=utils.default_process)), 1)


_APOSTROPHES = re.compile(r"['’]")


def title_words(title: str) -> frozenset[str]:
    """A title's words as duplicates are told by: rapidfuzz's processed words (case folded,
    punctuation and hyphens as spaces: `Lace-Up` = `Lace Up`) with apostrophes dropped
    (`Men's` is one word), plurals folded."""
    return frozenset(_words_in_order(title))


def _words_in_order(title: str) -> list[str]:
    """`title_words` in the title's order, repeats kept."""
    return list(map(singular, utils.default_process(_APOSTROPHES.sub("", title)).split()))


def _filing(title: str) -> tuple[frozenset[str], list[int], tuple[int, ...]]:
    """A title's words (`title_words`), the files it goes in (`_blocking_keys`) and the files
    it looks in besides (`_two_dropped`)."""
    ordered = _words_in_order(title)
    words = frozenset(ordered)
    keys = _blocking_keys(words)
    return words, keys, _two_dropped(ordered, keys[0])


def is_duplicate(a: str, b: str, threshold: float = DEFAULT_THRESHOLD, *,
                 codes_a: frozenset[str] | None = None, codes_b: frozenset[str] | None = None,
                 words_a: frozenset[str] | None = None, words_b: frozenset[str] | None = None
                 ) -> tuple[float, str] | None:
    """(score, reason) when two titles are duplicate listings, else None (`codes_…`: the
    titles' model codes, when known with the store's numbers; else worked out alone;
    `words_…`: their `title_words`, when an index has them)."""
    codes_a = model_codes(a) if codes_a is None else codes_a
    codes_b = model_codes(b) if codes_b is None else codes_b
    if codes_a and codes_b:
        if codes_a & codes_b:
            value = same_model_score(a, b)
            return (value, SAME_CODE) if value >= SAME_CODE_MIN else None
        return None
    value = score(a, b)
    if value >= threshold:
        return value, SIMILAR
    if not codes_a and not codes_b:
        small, big = sorted((title_words(a) if words_a is None else words_a,
                             title_words(b) if words_b is None else words_b), key=len)
        if len(small) >= SUBSET_MIN_WORDS and small <= big \
                and len(big) - len(small) <= SUBSET_EXTRA:
            return value, WITHIN
    return None


def _blocking_keys(words: frozenset[str]) -> list[int]:
    """The files a title goes in: its word set, and that set less each one word.

    A word set's file is named by the sum of its words' hashes, so the set less a word is
    the sum less that word's hash: no set is built for each file. (Two different sets may
    share a name now and then; their titles are then merely scored for nothing.)"""
    hashes = list(map(hash, words))
    whole = sum(hashes)
    return [whole, *[whole - h for h in hashes]] if len(hashes) > 1 else [whole]


def _two_dropped(ordered: list[str], whole: int) -> tuple[int, ...]:
    """The files of a title's word set less two adjacent words (`_blocking_keys`' naming;
    `whole`: the set's): where the titles that say in one word what it says in two are
    filed (`Walking Shoes` for `Towel`; `Non-Slip`, two words here, for `Men's`)."""
    return tuple([whole - hash(a) - hash(b) for a, b in zip(ordered, ordered[1:]) if a != b])


class TitleIndex:
    """Titles filed once, for asking "which of them nearly duplicate this title?".

    Titles scoring 90 or more differ by about one word at most, so each title is filed under
    its set of words and under every set with one word left out; two titles meet when one
    shares a file with the other: the same words, one word added or dropped, or one word
    replaced. A title also meets the titles in the files of its word set less two adjacent
    words (two words of it replaced by one). A code-less title also meets the code-less
    titles holding all its words (the title-within-title rule), found through each word's
    titles. Only titles that meet are scored, plus every title sharing a model code; two
    titles that both carry model codes are never compared by words (different codes mean
    different products).
    """

    def __init__(self, titles: dict[str, str]):
        """`titles`: product ID → title. Numbers that some title marks as a model (`Model
        201`) are codes in every title of the index (`… Walking Shoes 201 Solid Mesh`)."""
        self.titles = titles
        # (kept for the titles that mark some: most mark none)
        marked = {i: found for i, title in titles.items() if (found := marked_numbers(title))}
        self.numbered = frozenset().union(*marked.values())
        # A file's first title, and its others: most files hold one title, and a list for
        # each of them (half a million at 50,000 titles) was most of the garbage
        # collector's work.
        self.first_in: dict[int, str] = {}
        self.more_in: dict[int, list[str]] = defaultdict(list)
        # (tuples: most codes name one title, and a tuple of strings is one object fewer
        # for the garbage collector to walk once it has seen it, where a list stays one)
        self.by_code: dict[str, tuple[str, ...]] = {}
        self.codes: dict[str, frozenset[str]] = {}
        self._words: dict[str, frozenset[str]] = {}
        self._two_dropped: dict[str, tuple[int, ...]] = {}
        for product_id, title in titles.items():
            words, keys, self._two_dropped[product_id] = _filing(title)
            self._words[product_id] = words
            for key in keys:
                if self.first_in.setdefault(key, product_id) != product_id:
                    self.more_in[key].append(product_id)
            codes = self.codes[product_id] = model_codes(title, self.numbered,
                                                         marked.get(product_id, _NONE))
            for code in codes:
                self.by_code[code] = (*self.by_code.get(code, ()), product_id)

        # The code-less titles by their words, for the title-within-title rule.
        self._codeless = [i for i, codes in self.codes.items() if not codes]
        self._codeless_words = TitleWords([tuple(self._words[i]) for i in self._codeless])

    def codes_of(self, title: str) -> frozenset[str]:
        """A title's model codes, the index's marked numbers included."""
        return model_codes(title, self.numbered)

    def words(self, product_id: str) -> frozenset[str]:
        """A filed title's words (for telling the words duplicates differ by)."""
        return self._words[product_id]

    def met_by(self, title: str, codes: frozenset[str] | None = None) -> set[str]:
        """The filed titles that `title` meets: in a file it goes in or looks in, by a
        shared model code, or (a code-less title) as a code-less title holding all its words
        (`codes`: the title's `codes_of`, when the caller has them)."""
        codes = self.codes_of(title) if codes is None else codes
        met = {other for code in codes for other in self.by_code.get(code, ())}
        words, keys, looks_in = _filing(title)
        for key in (*keys, *looks_in):
            for other in self.filed(key):
                if not (codes and self.codes[other]):
                    met.add(other)
        if not codes and len(words) >= SUBSET_MIN_WORDS:
            met.update(self._codeless_holding(words))
        return met

    def _codeless_holding(self, words: frozenset[str]) -> list[str]:
        """The filed code-less titles holding all of `words`."""
        return list(map(self._codeless.__getitem__, self._codeless_words.holding(words)))

    def filed(self, key: int) -> tuple[str, ...]:
        """The titles in one file (most files asked about are empty)."""
        first = self.first_in.get(key)
        return () if first is None else (first, *self.more_in.get(key, ()))

    def near_duplicates(self, title: str, *, threshold: float | None = None,
                        ignore: Collection[str] = ()) -> list[NearDuplicate]:
        """The filed titles that nearly duplicate `title`, best first (less the `ignore` IDs:
        the product itself, or products being deleted with it)."""
        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        codes = self.codes_of(title)
        found = []
        for other in self.met_by(title, codes):
            if other in ignore:
                continue
            verdict = is_duplicate(title, self.titles[other], threshold, codes_a=codes,
                                   codes_b=self.codes[other], words_b=self._words[other])
            if verdict is not None:
                found.append(NearDuplicate(other, self.titles[other], *verdict))
        return sorted(found, key=lambda d: (-d.score, d.product_id))

    def pairs(self) -> Iterator[tuple[str, str]]:
        """Every pair of filed titles worth scoring (each once), for clustering the whole
        index: titles sharing a model code; titles sharing a file, or one in a file of the
        other's words less two adjacent ones, of which at least one has no code (a file of
        templated titles that differ only in their codes gives none); and code-less titles
        one of which holds all the other's words."""
        seen: set[tuple[str, str]] = set()

        def fresh(a: str, b: str) -> bool:
            pair = (a, b) if a < b else (b, a)
            if pair in seen:
                return False
            seen.add(pair)
            return True

        for group in self.by_code.values():
            yield from ((a, b) for a, b in combinations(group, 2) if fresh(a, b))
        for key in self.more_in:  # (the files holding two titles or more)
            group = self.filed(key)
            codeless = [i for i in group if not self.codes[i]]
            coded = [i for i in group if self.codes[i]]
            yield from ((a, b) for a, b in combinations(codeless, 2) if fresh(a, b))
            yield from ((a, b) for a in codeless for b in coded if fresh(a, b))
        for a, keys in self._two_dropped.items():
            for key in filter(self.first_in.__contains__, keys):  # (most files are empty)
                for b in self.filed(key):
                    if b != a and not (self.codes[a] and self.codes[b]) and fresh(a, b):
                        yield a, b
        for a, words in self._words.items():
            if self.codes[a] or len(words) < SUBSET_MIN_WORDS:
                continue
            for b in self._codeless_holding(words):
                if b != a and fresh(a, b):
                    yield a, b


def duplicate_clusters(titles: dict[str, str], *, threshold: float | None = None
                       ) -> list[Cluster]:
    """Group near-duplicate titles (product ID → title) into clusters, largest and closest
    first. Pairs join best first, and a cluster never holds two different model codes: a
    code-less title like several coded ones joins the one it matches best."""
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    index = TitleIndex(titles)
    parent = {i: i for i in titles}
    codes = dict(index.codes)  # a cluster's codes, kept at its root

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    verdicts = []
    for a, b in index.pairs():
        verdict = is_duplicate(titles[a], titles[b], threshold, codes_a=index.codes[a],
                               codes_b=index.codes[b], words_a=index.words(a),
                               words_b=index.words(b))
        if verdict is not None:
            verdicts.append((verdict, a, b))
    verdicts.sort(key=lambda v: (-v[0][0], v[1], v[2]))
    edges: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for verdict, a, b in verdicts:
        ra, rb = find(a), find(b)
        if ra == rb:
            edges[a].append(verdict)
            continue
        if codes[ra] and codes[rb] and not codes[ra] & codes[rb]:
            continue  # it would put two models in one cluster
        parent[ra] = rb
        codes[rb] = (codes[ra] & codes[rb]) if codes[ra] and codes[rb] else \
            codes[ra] | codes[rb]
        edges[a].append(verdict)
    # The clusters: each joined title under its root, then the root (most titles joined
    # nothing, and a list for each of them was measurable work at 50,000 titles).
    groups: dict[str, list[str]] = defaultdict(list)
    for i, up in parent.items():
        if up != i:
            groups[find(i)].append(i)
    clusters = []
    for root, members in groups.items():
        members.append(root)
        found = [v for m in members for v in edges.get(m, [])]
        word_sets = [index.words(m) for m in members]
        differing = sorted(frozenset.union(*word_sets) - frozenset.intersection(*word_sets))
        reasons = {r for _, r in found}
        reason = next(r for r in (SAME_CODE, SIMILAR, WITHIN) if r in reasons)
        clusters.append(Cluster(sorted(members), min(v for v, _ in found), reason, differing,
                                sorted(codes[root])))
    return sorted(clusters, key=lambda c: (-len(c.ids), -c.score, c.ids[0]))


def duplicate_listings(store: Store, *, threshold: float | None = None) -> dict:
    """Clusters of live products with near-duplicate titles, in the `kwtrack dupes` JSON shape."""
    live = (Product.select(Product.product_id, Product.title)
            .where((Product.store == store) & (Product.status == "online")
                   & Product.archived_at.is_null()))
    titles = dict(bulk.raw_rows(live))
    clusters = duplicate_clusters(titles, threshold=threshold)
    return {"threshold": DEFAULT_THRESHOLD if threshold is None else threshold,
            "clusters": [{"products": [{"product_id": i, "title": titles[i]} for i in c.ids],
                          "score": c.score, "reason": c.reason, "codes": c.codes,
                          "differing_words": c.differing_words} for c in clusters]}
