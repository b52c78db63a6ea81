"""Titles an operator can publish: replacement titles that carry orphaned keywords, and the
check of a draft title before a new product goes live.

When deleting a product would leave keywords with no live product covering them, the
operator can publish a new product whose title carries them. The title keeps the old one and
adds, keyword by keyword, the words it lacks where the keyword's phrase then reads as typed
(`… Leather Jogging Shoes for Daily Wear Model K735`, not after the model code), in title
case, each word once, as long as the result fits the title limit and no added word
contradicts who the product is for (a men's shoe does not take `women`). Whether a draft
nearly duplicates a live title is the caller's question to `kwtrack.duplicates` (the same
rules as `kwtrack dupes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from kwtrack.duplicates import NearDuplicate, TitleIndex
from kwtrack.store import bulk
from kwtrack.store.models import Keyword, Product, Store
from kwtrack.words import compound_vocabulary, keyword_words_of, match_words, readings

TITLE_LIMIT = 128  # characters: Alibaba.com's title limit

# Who a product is for, by the words that say so. A title for one never takes a keyword for
# another (`kids` goes with `boys` and `girls`, which are kids).
_AUDIENCES = {
    "men": {"men", "man", "men's", "mens", "male", "gentleman", "gentlemen"},
    "women": {"women", "woman", "women's", "womens", "lady", "ladies", "female"},
    "boys": {"boy", "boys", "boy's"},
    "girls": {"girl", "girls", "girl's"},
    "kids": {"kid", "kids", "kid's", "child", "children", "children's", "baby", "toddler"},
}
_COMPATIBLE = {"kids": {"kids", "boys", "girls"}, "boys": {"kids", "boys"},
               "girls": {"kids", "girls"}, "men": {"men"}, "women": {"women"}}


def audiences(words) -> set[str]:
    """Who the words say a product is for (`men`, `women`, `boys`, `girls`, `kids`)."""
    words = set(words)
    return {name for name, said in _AUDIENCES.items() if words & said}


def contradicts(title_audiences: set[str], keyword_audiences: set[str]) -> bool:
    """Whether a keyword is for someone the title is not (a unisex title takes any)."""
    if not title_audiences or not keyword_audiences:
        return False
    allowed = set().union(*(_COMPATIBLE[a] for a in title_audiences))
    return not keyword_audiences <= allowed


@lru_cache(maxsize=1 << 16)
def _typed_words(keyword: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A keyword's typed words, each with its match words (`Non-Slip` is one: non-slip)."""
    return tuple((word, match_words(word)) for word in keyword.split())


def _title_case(word: str) -> str:
    """A word as a title writes it: each part's first letter capital (`Non-Slip`), the rest
    as typed (`LED`, `A502` keep their capitals)."""
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))


@lru_cache(maxsize=1 << 16)
def _token_words(token: str) -> frozenset[str]:
    """The match words of one space-separated word of a title (`Non-Slip` → non-slip)."""
    return frozenset(match_words(token))


# Words that start a title's tail (what it is for, what comes with it, its model), where a
# keyword with none of its words in the title goes in.
_TAIL = {"for", "with", "model"}


def draft_title(title: str, keywords: list[str], limit: int = TITLE_LIMIT,
                words: str | None = None, spellings: Mapping[str, str] | None = None
                ) -> tuple[str | None, set[str]]:
    """The title with the keywords' missing words added (title case, each once), as many
    keywords as fit in `limit` characters and suit who the product is for, and which keywords
    it carries; (None, empty) when none fits or none is missing. `words`: the title's match
    words, when known (kwtrack.words.words_of); `spellings`: how the store's titles write
    some words, by the word lower-cased (`oem` → `OEM`), else an added word is title-cased.

    A keyword's missing words go where they make its phrase read as typed: before the title
    word that is the keyword's next word (`leather` before `Shoes` for `leather jogging
    shoes`), else after the word before them, else before the title's tail (`for …`,
    `with …`, `Model …`), else at the end."""
    have = set((words if words is not None else " ".join(match_words(title))).split())
    for_whom = audiences(w.lower() for w in title.split()) | audiences(have)
    tokens = title.split()
    length, carried = len(" ".join(tokens)), set()
    for keyword in keywords:
        if contradicts(for_whom, audiences(w.lower() for w in keyword.split())):
            continue
        extra, folded_extra = [], []
        before: frozenset[str] | None = None  # the keyword's present word before the missing
        after: frozenset[str] | None = None  # ... and after them
        for word, forms in _typed_words(keyword):  # added whole when it brings a new word
            missing = [f for f in forms if f not in have and f not in folded_extra]
            if missing:
                extra.append((spellings or {}).get(word.lower()) or _title_case(word))
                folded_extra += missing
            elif not extra:
                before = frozenset(forms)
            elif after is None:
                after = frozenset(forms)
        added = len(" ".join(extra)) + 1 if extra else 0
        if length + added > limit:
            continue
        if extra:
            at = _place(tokens, before, after)
            tokens[at:at] = extra
            length += added
            have.update(folded_extra)
        carried.add(keyword)
    new = " ".join(tokens)
    return (new, carried) if new != " ".join(title.split()) else (None, set())


def _place(tokens: list[str], before: frozenset[str] | None,
           after: frozenset[str] | None) -> int:
    """Where a keyword's missing words go in the title's words (see `draft_title`)."""
    if after is not None:
        for i, token in enumerate(tokens):
            if _token_words(token) & after:
                return i
    if before is not None:
        for i, token in enumerate(tokens):
            if _token_words(token) & before:
                return i + 1
    return next((i for i, token in enumerate(tokens) if i and token.lower() in _TAIL),
                len(tokens))


def proposed_title(title: str, keywords: list[str], limit: int = TITLE_LIMIT) -> str | None:
    """The title with the keywords' missing words added, as many keywords as fit in `limit`
    characters (None when none does)."""
    return draft_title(title, keywords, limit)[0]


@dataclass(frozen=True)
class TitleCheck:
    """What a draft title would do: its length against the limit, the library keywords it
    covers by the title route, and the live products it would duplicate (and why)."""

    title: str
    length: int
    limit: int
    keywords: list[str]  # alphabetically
    duplicates: list[NearDuplicate]

    @property
    def fits(self) -> bool:
        return self.length <= self.limit

    def to_dict(self) -> dict:
        return {"title": self.title, "length": self.length, "limit": self.limit,
                "fits": self.fits, "keywords": self.keywords,
                "duplicates": [d.to_dict() for d in self.duplicates]}


def check_title(store: Store, title: str, *, limit: int = TITLE_LIMIT,
                threshold: float | None = None) -> TitleCheck:
    """The check an operator runs before publishing a product under `title`."""
    words = set(match_words(title))
    compounds = compound_vocabulary(words)
    library = bulk.raw_rows(Keyword.select(Keyword.keyword, Keyword.words)
                            .where((Keyword.store == store) & Keyword.archived_at.is_null()))
    covered = sorted({keyword for keyword, stored in library
                      for reading in readings(tuple((stored if stored is not None else
                                                     keyword_words_of(keyword)).split()),
                                              compounds)
                      if reading and words.issuperset(reading)})
    live = bulk.raw_rows(Product.select(Product.product_id, Product.title)
                         .where((Product.store == store) & (Product.status == "online")
                                & Product.archived_at.is_null()))
    duplicates = TitleIndex(dict(live)).near_duplicates(title, threshold=threshold)
    return TitleCheck(title, len(title), limit, covered, duplicates)
