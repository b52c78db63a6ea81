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

from rapidfuzz import fuzz, process, utils

DEFAULT_THRESHOLD = 90.0
SAME_CODE_MIN = 50.0
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
    found = {}
    hits = process.extract(title, [others[i] for i in ids], scorer=fuzz.token_sort_ratio,
                           processor=utils.default_process,
                           score_cutoff=min(threshold, SAME_CODE_MIN), limit=None)
    for _, value, index in hits:
        other_codes = model_codes(others[ids[index]])
        if codes and other_codes:
            if codes & other_codes and value >= SAME_CODE_MIN:
                found[ids[index]] = (value, "same model code")
        elif value >= threshold:
            found[ids[index]] = (value, "similar title")
    return [{"product_id": pid, "title": others[pid], "score": round(v, 1), "reason": why}
            for pid, (v, why) in sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0]))]


def title_is_near_duplicate(title: str, others: dict[str, str], *,
                            threshold: float | None = None) -> bool:
    """Whether any of `others` nearly duplicates `title` (see `near_duplicates_of`)."""
    return bool(near_duplicates_of(title, others, threshold=threshold))
