"""Near-duplicate titles, as Alibaba.com sees duplicate listings.

Two signals decide, in this order:
1. **Model codes** (`A502`, `HR030-A`, `K6116`): titles with different codes are different
   products however alike the rest (stores generate titles from one template); titles with the
   same code and a loosely similar title (score ≥ `SAME_CODE_MIN`) are the same product relisted.
2. Without codes, title similarity: rapidfuzz `token_sort_ratio` on processed titles (case and
   punctuation folded, word order ignored) at or above the threshold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process, utils

from kwtrack.lookup import KeyTable
from kwtrack.pause import without_cycle_collection
from kwtrack.text import blocking_keys, model_codes

DEFAULT_THRESHOLD = 90.0
SAME_CODE_MIN = 60.0
def score(a: str, b: str) -> float:
    """Title similarity, 0–100: order-insensitive, case and punctuation folded."""
    return round(fuzz.token_sort_ratio(a, b, processor=utils.default_process), 1)


class TitleIndex:
    """Titles prepared once, for asking "which of them nearly duplicate these titles?".

    Blocking keeps it fast. Titles scoring ≥ 90 differ by at most about one word, so each
    title is filed under its set of words (plurals folded) and under every set with one word
    left out; a title asked about looks in the files of its set, its set less one word and
    less two, so two titles meet when they differ by a word or two added, dropped or
    replaced. Only titles that meet are scored, plus every title sharing a model code. A title
    with a model code is never compared by words with other coded titles: different codes mean
    different products, so only code-less titles are looked up for it.

    A word set's key is the sum of its words' hashes (64-bit, wrapping), so a set less some
    words is the sum less theirs; the files are sorted numpy arrays, and a batch of titles is
    looked up and scored at once (`near_duplicates_of`), in C.
    """

    def __init__(self, titles: dict[str, str], blocking: list[tuple[bytes, str]] | None = None):
        """`titles`: ID → title; `blocking`: each title's blocking keys and model codes as
        the products store them (worked out when not given)."""
        self.ids = list(titles)
        self.position = {i: k for k, i in enumerate(self.ids)}
        self._texts = list(titles.values())
        blocks, codes = _blocking(self._texts, blocking)
        hashes, counts, totals = _word_set_keys(blocks)
        owner = np.repeat(np.arange(len(self.ids)), counts)
        keys = np.concatenate([totals, totals[owner] - hashes])
        owners = np.concatenate([np.arange(len(self.ids)), owner])
        self._files = _Files(keys, owners)
        coded = np.fromiter(map(bool, codes), dtype=bool, count=len(codes))
        self._codeless = _Files(keys[~coded[owners]], owners[~coded[owners]])
        self.by_code: dict[str, list[int]] = defaultdict(list)
        for position, found in enumerate(codes):
            for code in found:
                self.by_code[code].append(position)
        self._processed: list[str | None] = [None] * len(self.ids)

    def processed(self, position: int) -> str:
        """A title as the scorer sees it (case and punctuation folded), worked out when first
        scored: most titles never are."""
        found = self._processed[position]
        if found is None:
            found = self._processed[position] = utils.default_process(self._texts[position])
        return found

    def tokens(self, i: str) -> set[str]:
        """A title's processed words (for telling the words duplicates differ by)."""
        return set(self.processed(self.position[i]).split())

    def near_duplicates(self, title: str, *, threshold: float | None = None,
                        exclude: str | None = None) -> list[dict]:
        """{product_id, title, score, reason} for each near-duplicate of `title`, best first."""
        return self.near_duplicates_of([title], threshold=threshold, exclude=[exclude])[0]

    def near_duplicates_of(self, titles: list[str], *, threshold: float | None = None,
                           exclude: list[str | None] | None = None, workers: int = 1,
                           blocking: list[tuple[bytes, str]] | None = None,
                           ignore: Collection[str] = ()) -> list[list[dict]]:
        """`near_duplicates` of each of `titles` (less its `exclude` ID, and less any of the
        `ignore` IDs: titles filed but not to be reported, such as products being deleted),
        in one batch.

        The same verdicts as `is_duplicate`: a coded title's word candidates are code-less by
        construction, so only titles sharing a code need the model-code rule; every other
        pair met in the files is scored by `rapidfuzz.process.cpdist` in one call (`workers`
        threads).
        """
        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        asked = len(titles)
        blocks, codes = _blocking(titles, blocking)
        hashes, counts, totals = _word_set_keys(blocks)
        owner = np.repeat(np.arange(asked), counts)
        keys, askers = [totals, totals[owner] - hashes], [np.arange(asked), owner]
        starts = np.cumsum(counts) - counts
        for n in np.unique(counts[counts >= 2]).tolist():  # the set less two words
            which = np.flatnonzero(counts == n)
            words = hashes[starts[which][:, None] + np.arange(n)]
            a, b = np.triu_indices(n, 1)
            keys.append((totals[which][:, None] - words[:, a] - words[:, b]).ravel())
            askers.append(np.repeat(which, len(a)))
        keys, askers = np.concatenate(keys), np.concatenate(askers)
        coded = np.fromiter(map(bool, codes), dtype=bool, count=asked)
        by_codeless = self._codeless.meet(keys[coded[askers]], askers[coded[askers]])
        by_all = self._files.meet(keys[~coded[askers]], askers[~coded[askers]])
        size = max(len(self.ids), 1)
        pairs = np.unique(np.concatenate([by_codeless[0], by_all[0]]) * size
                          + np.concatenate([by_codeless[1], by_all[1]]))
        asker, title = pairs // size, pairs % size
        skip = [self.position.get(e, -1) for e in (exclude or [None] * asked)]
        ignored = np.zeros(len(self.ids), dtype=bool)
        ignored[[self.position[i] for i in ignore if i in self.position]] = True
        keep = ~ignored[title]
        if any(s >= 0 for s in skip):
            keep &= title != np.array(skip)[asker]
        asker, title = asker[keep], title[keep]

        found: list[dict[int, tuple[float, str]]] = [{} for _ in range(asked)]
        for k, these in enumerate(codes):
            for position in {p for code in these for p in self.by_code.get(code, ())}:
                if position != skip[k] and not ignored[position]:
                    value = same_model_score(titles[k], self._texts[position])
                    if value >= SAME_CODE_MIN:
                        found[k][position] = (value, "same model code")
        if len(asker):
            processed = [utils.default_process(t) for t in titles]
            scores = process.cpdist([processed[k] for k in asker.tolist()],
                                    [self.processed(p) for p in title.tolist()],
                                    scorer=fuzz.token_sort_ratio, processor=None,
                                    dtype=np.float64, workers=workers)
            near = scores >= threshold - 0.05
            for k, position, value in zip(asker[near].tolist(), title[near].tolist(),
                                          scores[near].tolist()):
                if round(value, 1) >= threshold:  # rounded before the threshold, as `score`
                    found[k][position] = (round(value, 1), "similar title")
        return [[{"product_id": self.ids[p], "title": self._texts[p], "score": round(v, 1),
                  "reason": why}
                 for p, (v, why) in sorted(these.items(),
                                           key=lambda kv: (-kv[1][0], self.ids[kv[0]]))]
                for these in found]


class _Files:
    """Titles filed under word-set keys: the keys sorted once and tabled (`KeyTable`), so a
    batch of keys is looked up at once in C."""

    def __init__(self, keys: np.ndarray, owners: np.ndarray):
        order = np.argsort(keys)  # the titles under one key come out in any order
        keys, self.owners = keys[order], owners[order]
        first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) \
            if len(keys) else np.zeros(0, dtype=np.int64)
        self.keys, self.start = KeyTable(keys[first]), first
        self.end = np.append(first[1:], len(keys)).astype(np.int64)

    def meet(self, keys: np.ndarray, askers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(asker, title position) for every title filed under one of `keys`."""
        if not len(self.keys.keys) or not len(keys):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        at = self.keys.places(keys)
        hit = at < len(self.keys.keys)
        at, askers = at[hit], askers[hit]
        lengths = self.end[at] - self.start[at]
        # each hit's titles are owners[start:end]: one flat index over all of them
        flat = (np.repeat(self.start[at] - np.cumsum(lengths) + lengths, lengths)
                + np.arange(lengths.sum()))
        return np.repeat(askers, lengths), self.owners[flat]


@dataclass(frozen=True)
class Cluster:
    """Titles that are near-duplicates of one another, and why they were grouped."""

    ids: list[str]
    score: float  # the lowest pair score that joined the cluster
    reason: str  # "same model code" or "similar title"
    differing_words: list[str]


def _word_set_keys(blocks: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The titles' word sets as blocking files them, from their `blocking_keys`: every word's
    key (title by title), each title's number of words, and each title's key (the sum of its
    words' keys, wrapping: a set less some words is the sum less theirs)."""
    hashes = np.frombuffer(b"".join(blocks), dtype="<i8").astype(np.int64)
    counts = np.fromiter(map(len, blocks), dtype=np.int64, count=len(blocks)) // 8
    running = np.concatenate(([0], np.cumsum(hashes)))  # int64 sums wrap, as keys may
    ends = np.cumsum(counts)
    return hashes, counts, running[ends] - running[ends - counts]


def _blocking(titles: list[str], stored: list[tuple[bytes, str]] | None
              ) -> tuple[list[bytes], list[Collection[str]]]:
    """Each title's blocking keys and its distinct model codes: as stored with the products
    (`stored`, see `kwtrack.models.Product`), or worked out."""
    if stored is None:
        return list(map(blocking_keys, titles)), list(map(model_codes, titles))
    blocks = [blocking_keys(title) if keys is None else bytes(keys)
              for title, (keys, _) in zip(titles, stored, strict=True)]
    return blocks, [model_codes(title) if codes is None else codes.split()  # stored distinct
                    for title, (_, codes) in zip(titles, stored, strict=True)]


def same_model_score(a: str, b: str) -> float:
    """How alike two titles with the same model code are: a relisting keeps the product words
    (`Portable Walking Shoes A431`) and rewrites the rest, so shared words count most."""
    return round(max(fuzz.token_sort_ratio(a, b, processor=utils.default_process),
                     fuzz.token_set_ratio(a, b, processor=utils.default_process)), 1)


def is_duplicate(a: str, b: str, threshold: float) -> tuple[float, str] | None:
    """(score, reason) when two titles are duplicate listings, else None."""
    codes_a, codes_b = model_codes(a), model_codes(b)
    if codes_a and codes_b:
        if codes_a & codes_b:
            value = same_model_score(a, b)
            return (value, "same model code") if value >= SAME_CODE_MIN else None
        return None
    value = score(a, b)
    return (value, "similar title") if value >= threshold else None


@without_cycle_collection
def duplicate_clusters(titles: dict[str, str], *, threshold: float | None = None,
                       blocking: list[tuple[bytes, str]] | None = None) -> list[Cluster]:
    """Group near-duplicate titles (ID → title) into clusters, largest and closest first
    (`blocking` as `TitleIndex` takes it)."""
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    parent = {i: i for i in titles}

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = TitleIndex(titles, blocking)
    edges: dict[str, list[tuple[float, str]]] = defaultdict(list)
    ids = list(titles)
    near = index.near_duplicates_of(list(titles.values()), threshold=threshold, exclude=ids,
                                    workers=-1, blocking=blocking)
    for a, found in zip(ids, near, strict=True):
        for d in found:
            ra, rb = find(a), find(d["product_id"])  # a pair may come from both sides
            if ra != rb:
                parent[ra] = rb
            edges[a].append((d["score"], d["reason"]))
    groups: dict[str, list[str]] = defaultdict(list)
    for i in titles:
        groups[find(i)].append(i)
    clusters = []
    for members in groups.values():
        if len(members) < 2:
            continue
        found = [v for m in members for v in edges.get(m, [])]
        word_sets = [index.tokens(m) for m in members]
        common = set.intersection(*word_sets)
        differing = sorted(set.union(*word_sets) - common)
        reason = ("same model code" if any(r == "same model code" for _, r in found)
                  else "similar title")
        clusters.append(Cluster(sorted(members), min(v for v, _ in found), reason, differing))
    return sorted(clusters, key=lambda c: (-len(c.ids), -c.score, c.ids[0]))
