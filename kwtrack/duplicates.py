"""Duplicate listings: live products whose titles say they are the same product listed twice.

Alibaba.com penalises a product listed twice. Two signals decide, in this order:
1. **Model codes** (`A502`, `HR030-A`, `K6116`): titles with different codes are different
   products however alike the rest (stores generate titles from one template); titles with the
   same code and a loosely similar title (score ≥ `SAME_CODE_MIN`) are the same product relisted.
2. Without codes, title similarity: rapidfuzz `token_sort_ratio` on processed titles (case and
   punctuation folded, word order ignored) at or above the threshold.

`TitleIndex` files titles so that only likely pairs are scored (blocking); `duplicate_clusters`
groups a store's titles, and `duplicate_listings` is what `kwtrack dupes` shows.
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
from kwtrack.words import model_codes

DEFAULT_THRESHOLD = 90.0
SAME_CODE_MIN = 60.0
SAME_CODE = "same model code"
SIMILAR = "similar title"


@dataclass(frozen=True)
class NearDuplicate:
    """A title found to duplicate the one asked about, how closely and why."""

    product_id: str
    title: str
    score: float
    reason: str  # SAME_CODE or SIMILAR

    def to_dict(self) -> dict:
        return {"product_id": self.product_id, "title": self.title, "score": self.score,
                "reason": self.reason}


@dataclass(frozen=True)
class Cluster:
    """Titles that are near-duplicates of one another, and why they were grouped."""

    ids: list[str]
    score: float  # the lowest pair score that joined the cluster
    reason: str  # SAME_CODE or SIMILAR
    differing_words: list[str]


def score(a: str, b: str) -> float:
    """Title similarity, 0–100: order-insensitive, case and punctuation folded."""
    return round(fuzz.token_sort_ratio(a, b, processor=utils.default_process), 1)


def same_model_score(a: str, b: str) -> float:
    """How alike two titles with the same model code are: a relisting keeps the product words
    (`Portable Walking Shoes A431`) and rewrites the rest, so shared words count most."""
    return round(max(fuzz.token_sort_ratio(a, b, processor=utils.default_process),
                     fuzz.token_set_ratio(a, b, processor=utils.default_process)), 1)


def is_duplicate(a: str, b: str, threshold: float = DEFAULT_THRESHOLD
                 ) -> tuple[float, str] | None:
    """(score, reason) when two titles are duplicate listings, else None."""
    codes_a, codes_b = model_codes(a), model_codes(b)
    if codes_a and codes_b:
        if codes_a & codes_b:
            value = same_model_score(a, b)
            return (value, SAME_CODE) if value >= SAME_CODE_MIN else None
        return None
    value = score(a, b)
    return (value, SIMILAR) if value >= threshold else None


_NOT_IN_WORD = re.compile(r"[^\w\s]|_")


def blocking_words(title: str) -> frozenset[str]:
    """A title's words as blocking files it: what the seller typed between spaces, lower-cased,
    punctuation dropped and a trailing `s` cut (`Non-Slip` stays one word, as a buyer reads
    it; `Kids`, `Kid` and a typo'd `Kidss` meet). Blocking needs only to be consistent, not
    to be good English."""
    return frozenset(w.rstrip("s") or w for w in _NOT_IN_WORD.sub("", title.lower()).split())


def _blocking_keys(words: frozenset[str]) -> list[int]:
    """The files a title goes in: its word set, and that set less each one word.

    A word set's file is named by the sum of its words' hashes, so the set less a word is
    the sum less that word's hash: no set is built for each file. (Two different sets may
    share a name now and then; their titles are then merely scored for nothing.)"""
    hashes = [hash(word) for word in words]
    whole = sum(hashes)
    return [whole, *(whole - h for h in hashes)] if len(hashes) > 1 else [whole]


class TitleIndex:
    """Titles filed once, for asking "which of them nearly duplicate this title?".

    Titles scoring 90 or more differ by about one word at most, so each title is filed under
    its set of words and under every set with one word left out; two titles meet when one
    shares a file with the other: the same words, one word added or dropped, or one word
    replaced. Only titles that meet are scored, plus every title sharing a model code. Two
    titles that both carry model codes are never compared by words (different codes mean
    different products; the same code is the model-code rule's).
    """

    def __init__(self, titles: dict[str, str]):
        """`titles`: product ID → title."""
        self.titles = titles
        self.files: dict[int, list[str]] = defaultdict(list)
        self.by_code: dict[str, list[str]] = defaultdict(list)
        self._codes: dict[str, frozenset[str]] = {}
        for product_id, title in titles.items():
            for key in _blocking_keys(blocking_words(title)):
                self.files[key].append(product_id)
            codes = self._codes[product_id] = model_codes(title)
            for code in codes:
                self.by_code[code].append(product_id)
        self._processed: dict[str, str] = {}

    def processed(self, product_id: str) -> str:
        """A filed title as the scorer sees it (case and punctuation folded)."""
        found = self._processed.get(product_id)
        if found is None:
            found = self._processed[product_id] = utils.default_process(self.titles[product_id])
        return found

    def met_by(self, title: str) -> set[str]:
        """The filed titles that `title` meets in some file or by a shared model code."""
        codes = model_codes(title)
        met = {other for code in codes for other in self.by_code.get(code, ())}
        for key in _blocking_keys(blocking_words(title)):
            for other in self.files.get(key, ()):
                if not (codes and self._codes[other]):
                    met.add(other)
        return met

    def near_duplicates(self, title: str, *, threshold: float | None = None,
                        ignore: Collection[str] = ()) -> list[NearDuplicate]:
        """The filed titles that nearly duplicate `title`, best first (less the `ignore` IDs:
        the product itself, or products being deleted with it)."""
        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        found = []
        for other in self.met_by(title):
            if other in ignore:
                continue
            verdict = is_duplicate(title, self.titles[other], threshold)
            if verdict is not None:
                found.append(NearDuplicate(other, self.titles[other], *verdict))
        return sorted(found, key=lambda d: (-d.score, d.product_id))

    def pairs(self) -> Iterator[tuple[str, str]]:
        """Every pair of filed titles worth scoring (each once), for clustering the whole
        index: titles sharing a model code, and titles sharing a file of which at least one
        has no code (a file of templated titles that differ only in their codes gives none)."""
        seen: set[tuple[str, str]] = set()

        def fresh(a: str, b: str) -> bool:
            pair = (a, b) if a < b else (b, a)
            if pair in seen:
                return False
            seen.add(pair)
            return True

        for group in self.by_code.values():
            yield from ((a, b) for a, b in combinations(group, 2) if fresh(a, b))
        for group in self.files.values():
            if len(group) < 2:
                continue
            codeless = [i for i in group if not self._codes[i]]
            coded = [i for i in group if self._codes[i]]
            yield from ((a, b) for a, b in combinations(codeless, 2) if fresh(a, b))
            yield from ((a, b) for a in codeless for b in coded if fresh(a, b))


def duplicate_clusters(titles: dict[str, str], *, threshold: float | None = None
                       ) -> list[Cluster]:
    """Group near-duplicate titles (product ID → title) into clusters, largest and closest
    first."""
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    index = TitleIndex(titles)
    parent = {i: i for i in titles}

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edges: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for a, b in index.pairs():
        verdict = is_duplicate(titles[a], titles[b], threshold)
        if verdict is None:
            continue
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
        edges[a].append(verdict)
    groups: dict[str, list[str]] = defaultdict(list)
    for i in titles:
        groups[find(i)].append(i)
    clusters = []
    for members in groups.values():
        if len(members) < 2:
            continue
        found = [v for m in members for v in edges.get(m, [])]
        word_sets = [set(index.processed(m).split()) for m in members]
        differing = sorted(set.union(*word_sets) - set.intersection(*word_sets))
        reason = SAME_CODE if any(r == SAME_CODE for _, r in found) else SIMILAR
        clusters.append(Cluster(sorted(members), min(v for v, _ in found), reason, differing))
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
                          "score": c.score, "reason": c.reason,
                          "differing_words": c.differing_words} for c in clusters]}
