"""Near-duplicate titles, as Alibaba.com sees duplicate listings.

Two signals decide, in this order:
1. **Model codes** (`A502`, `HR030-A`, `K6116`): titles with different codes are different
   products however alike the rest (stores generate titles from one template); titles with the
   same code and a loosely similar title (score ≥ `SAME_CODE_MIN`) are the same product relisted.
2. Without codes, title similarity: rapidfuzz `token_sort_ratio` on processed titles (case and
   punctuation folded, word order ignored) at or above the threshold.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

DEFAULT_THRESHOLD = 90.0
SAME_CODE_MIN = 60.0
_CODE = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def model_codes(title: str) -> frozenset[str]:
    """Model codes in a title: tokens of 4+ characters mixing letters and digits (A502, HR030-A).

    Years and sizes (2026, 35-46) have no letters; `3D`, `4K` and `5G` are too short.
    """
    return frozenset(m.upper() for m in _CODE.findall(title) if len(m) >= 4)


def score(a: str, b: str) -> float:
    """Title similarity, 0–100: order-insensitive, case and punctuation folded."""
    return round(fuzz.token_sort_ratio(a, b, processor=utils.default_process), 1)


def near_duplicates_of(title: str, others: dict[str, str], *,
                       threshold: float | None = None) -> list[dict]:
    """Products among `others` (product ID → title) whose titles nearly duplicate `title`.

    Each is {product_id, title, score, reason}, best first.
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    codes = model_codes(title)
    ids = list(others)
    # Cheap pre-filter at C speed; same-code titles are scored on their own below.
    hits = process.extract(title, [others[i] for i in ids], scorer=fuzz.token_sort_ratio,
                           processor=utils.default_process, score_cutoff=threshold, limit=None)
    maybe = {ids[index] for _, _, index in hits}
    if codes:
        maybe |= {i for i in ids if codes & model_codes(others[i])}
    found = {}
    for pid in maybe:
        verdict = is_duplicate(title, others[pid], threshold)
        if verdict:
            found[pid] = verdict
    return [{"product_id": pid, "title": others[pid], "score": round(v, 1), "reason": why}
            for pid, (v, why) in sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0]))]


def title_is_near_duplicate(title: str, others: dict[str, str], *,
                            threshold: float | None = None) -> bool:
    """Whether any of `others` nearly duplicates `title` (see `near_duplicates_of`)."""
    return bool(near_duplicates_of(title, others, threshold=threshold))


BLOCK_TOKENS = 3  # each title is compared only with titles sharing one of its rarest words
MAX_BLOCK = 2000  # a "rare" word shared by more titles than this is no signal


@dataclass(frozen=True)
class Cluster:
    """Titles that are near-duplicates of one another, and why they were grouped."""

    ids: list[str]
    score: float  # the lowest pair score that joined the cluster
    reason: str  # "same model code" or "similar title"
    differing_words: list[str]


def _tokens(title: str) -> list[str]:
    return utils.default_process(title).split()


def candidate_pairs(titles: dict[str, str]) -> set[tuple[str, str]]:
    """Pairs worth scoring: sharing a model code, or one of each title's rarest words."""
    ids = list(titles)
    tokens = {i: set(_tokens(titles[i])) for i in ids}
    frequency: dict[str, int] = defaultdict(int)
    for words in tokens.values():
        for w in words:
            frequency[w] += 1
    blocks: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        for code in model_codes(titles[i]):
            blocks["code:" + code].append(i)
        rare = sorted(tokens[i], key=lambda w: (frequency[w], w))[:BLOCK_TOKENS]
        for w in rare:
            if frequency[w] <= MAX_BLOCK:
                blocks[w].append(i)
    pairs = set()
    for members in blocks.values():
        members = sorted(set(members))
        for a_index, a in enumerate(members):
            for b in members[a_index + 1:]:
                pairs.add((a, b))
    return pairs


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

    edges: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for a, b in candidate_pairs(titles):
        verdict = is_duplicate(titles[a], titles[b], threshold)
        if verdict:
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
        word_sets = [set(_tokens(titles[m])) for m in members]
        common = set.intersection(*word_sets)
        differing = sorted(set.union(*word_sets) - common)
        reason = ("same model code" if any(r == "same model code" for _, r in found)
                  else "similar title")
        clusters.append(Cluster(sorted(members), min(v for v, _ in found), reason, differing))
    return sorted(clusters, key=lambda c: (-len(c.ids), -c.score, c.ids[0]))
