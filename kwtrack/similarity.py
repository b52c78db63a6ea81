"""Near-duplicate titles, as Alibaba.com sees duplicate listings.

Two signals decide, in this order:
1. **Model codes** (`A502`, `HR030-A`, `K6116`): titles with different codes are different
   products however alike the rest (stores generate titles from one template); titles with the
   same code and a loosely similar title (score ≥ `SAME_CODE_MIN`) are the same product relisted.
2. Without codes, title similarity: rapidfuzz `token_sort_ratio` on processed titles (case and
   punctuation folded, word order ignored) at or above the threshold.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process, utils

from kwtrack.pause import without_cycle_collection

DEFAULT_THRESHOLD = 90.0
SAME_CODE_MIN = 60.0
_DIGIT = re.compile(r"\d")
_CODE = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


@lru_cache(maxsize=1 << 17)
def model_codes(title: str) -> frozenset[str]:
    """Model codes in a title: tokens of 4+ characters mixing letters and digits (A502, HR030-A).

    Years and sizes (2026, 35-46) have no letters; `3D`, `4K` and `5G` are too short.
    """
    if not _DIGIT.search(title):  # no digit, no code: skip the slower pattern
        return frozenset()
    return frozenset(m.upper() for m in _CODE.findall(title) if len(m) >= 4)


def score(a: str, b: str) -> float:
    """Title similarity, 0–100: order-insensitive, case and punctuation folded."""
    return round(fuzz.token_sort_ratio(a, b, processor=utils.default_process), 1)


class TitleIndex:
    """Titles prepared once, for asking "which of them nearly duplicate this title?" many times.

    Blocking keeps it fast. Titles scoring ≥ 90 differ by at most about one word, so each
    title is filed under its set of words (plurals folded) and under every set with one word
    left out; two titles meet in some file exactly when they differ by at most one word added,
    dropped or replaced. Only titles that meet are scored, plus every title sharing a model
    code. A title with a model code is never compared by words with other coded titles:
    different codes mean different products, so only code-less titles are looked up for it.
    """

    def __init__(self, titles: dict[str, str]):
        self.titles = titles
        self.codes = {i: model_codes(t) for i, t in titles.items()}
        self.files: dict[int, list[str]] = defaultdict(list)  # word-set key → titles
        self.codeless: dict[int, list[str]] = defaultdict(list)  # the same, code-less titles
        self.by_code: dict[str, set[str]] = defaultdict(set)
        for i, title in titles.items():
            total, hashes = _word_hashes(title)
            keys = [total - h for h in hashes]
            keys.append(total)
            if self.codes[i]:
                for key in keys:
                    self.files[key].append(i)
                for code in self.codes[i]:
                    self.by_code[code].add(i)
            else:
                for key in keys:
                    self.files[key].append(i)
                    self.codeless[key].append(i)
        self._processed: dict[str, str] = {}
        self._memo: dict[tuple[str, float], list[dict]] = {}

    def processed(self, i: str) -> str:
        """A title as the scorer sees it (case and punctuation folded), worked out when first
        scored: most titles never are."""
        found = self._processed.get(i)
        if found is None:
            found = self._processed[i] = utils.default_process(self.titles[i])
        return found

    def tokens(self, i: str) -> set[str]:
        """A title's processed words (for telling the words duplicates differ by)."""
        return set(self.processed(i).split())

    def _blocks(self, title: str) -> tuple[list[str], set[str]]:
        """The titles to compare with `title` by words, and those sharing a model code."""
        codes = model_codes(title)
        files = self.codeless if codes else self.files
        found: set[str] = set()
        total, hashes = _word_hashes(title)
        # The set, the set less one word, and less two: the last also meets titles with one
        # word replaced and one more dropped (the files hold sets less one word, so this costs
        # lookups, not index size).
        keys = [total, *[total - h for h in hashes],
                *[total - a - b for a, b in itertools.combinations(hashes, 2)]]
        for key in keys:
            if key in files:
                found.update(files[key])
        same_code: set[str] = set()
        for code in codes:
            same_code |= self.by_code.get(code, set())
        return list(found), same_code

    def near_duplicates(self, title: str, *, threshold: float | None = None,
                        exclude: str | None = None) -> list[dict]:
        """{product_id, title, score, reason} for each near-duplicate of `title`, best first.

        The same verdicts as `is_duplicate`: a coded title's word candidates are code-less by
        construction, so only titles sharing a code need the model-code rule; the rest are
        scored in rapidfuzz's C loop all at once.
        """
        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        memo_key = (title, threshold)
        if memo_key not in self._memo:
            by_words, same_code = self._blocks(title)
            found: dict[str, tuple[float, str]] = {}
            for pid in same_code:
                value = same_model_score(title, self.titles[pid])
                if value >= SAME_CODE_MIN:
                    found[pid] = (value, "same model code")
            # Scores are rounded before the threshold applies, as `score` does.
            for _, value, k in process.extract(
                    utils.default_process(title), [self.processed(i) for i in by_words],
                    scorer=fuzz.token_sort_ratio, processor=None,
                    score_cutoff=max(threshold - 0.05, 0), limit=None):
                if round(value, 1) >= threshold:
                    found[by_words[k]] = (round(value, 1), "similar title")
            self._memo[memo_key] = [
                {"product_id": pid, "title": self.titles[pid], "score": round(v, 1),
                 "reason": why}
                for pid, (v, why) in sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0]))]
        return [d for d in self._memo[memo_key] if d["product_id"] != exclude]


@dataclass(frozen=True)
class Cluster:
    """Titles that are near-duplicates of one another, and why they were grouped."""

    ids: list[str]
    score: float  # the lowest pair score that joined the cluster
    reason: str  # "same model code" or "similar title"
    differing_words: list[str]


def _tokens(title: str) -> list[str]:
    return utils.default_process(title).split()


_NOT_IN_WORD = re.compile(r"[^\w\s]|_")


def _word_hashes(title: str) -> tuple[int, list[int]]:
    """A title's word set as blocking files it: the sum of its words' hashes, and those hashes.

    A set less some words is then the sum less theirs: no set is built per key. A word here is
    what the seller typed between spaces (`Men's`, `Non-Slip` stay one word), lower-cased,
    punctuation dropped and trailing `s` cut, so `Kids`, `Kid` and a typo'd `Kidss` meet:
    blocking needs only to be consistent, not to be good English. (Two different sets summing
    alike only adds a title to score.)
    """
    words = {w.rstrip("s") or w for w in _NOT_IN_WORD.sub("", title.lower()).split()}
    hashes = list(map(hash, words))
    return sum(hashes), hashes


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
def duplicate_clusters(titles: dict[str, str], *,
                       threshold: float | None = None) -> list[Cluster]:
    """Group near-duplicate titles (ID → title) into clusters, largest and closest first."""
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    parent = {i: i for i in titles}

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = TitleIndex(titles)
    edges: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for a, title in titles.items():
        for d in index.near_duplicates(title, threshold=threshold, exclude=a):
            ra, rb = find(a), find(d["product_id"])  # a pair may come from both sides
            if ra != rb:
                parent[ra] = rb
            edges[a].append((d["score"], d["reason"]))
        index._memo.clear()  # each title is asked about once here
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
