"""Replacement titles: a deleted product's title with its orphaned keywords' words added.

When deleting a product would leave keywords with no live product covering them, the
operator can publish a new product whose title carries them. The title keeps the old one and
adds, keyword by keyword, the words it lacks, as long as the result fits the title limit.
"""

from __future__ import annotations

from functools import lru_cache

from kwtrack.words import match_words

TITLE_LIMIT = 128  # characters: Alibaba.com's title limit


@lru_cache(maxsize=1 << 16)
def _typed_words(keyword: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A keyword's typed words, each with its match words (`Non-Slip` has two: non, slip)."""
    return tuple((word, match_words(word)) for word in keyword.split())


def draft_title(title: str, keywords: list[str], limit: int = TITLE_LIMIT,
                words: str | None = None) -> tuple[str | None, set[str]]:
    """The title with the keywords' missing words added, as many keywords as fit in `limit`
    characters, and which keywords it carries; (None, empty) when none fits or none is
    missing. `words`: the title's match words, when known (kwtrack.words.words_of)."""
    have = set((words if words is not None else " ".join(match_words(title))).split())
    new, carried = title, set()
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
    return (new, carried) if new != title else (None, set())


def proposed_title(title: str, keywords: list[str], limit: int = TITLE_LIMIT) -> str | None:
    """The title with the keywords' missing words added, as many keywords as fit in `limit`
    characters (None when none does)."""
    return draft_title(title, keywords, limit)[0]
