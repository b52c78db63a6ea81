"""How kwtrack compares words: one normal form for keywords, and one for matching titles.

`normalise_keyword` is the identity of a keyword in the library (two spellings that normalise
alike are the same keyword). `match_words` is what coverage compares: whole words, simple
English plurals folded (`camping chairs` and `camping chair` cover each other), and a
hyphenated compound kept whole (`Slip-On`, `EU 38-47`): a buyer reads it as one word, so
`on shoes` is not in "Slip-On Shoes" and `38` is not in "EU 38-47", while `readings` lets
`slip on shoes` find the compound. `model_codes` finds the codes that tell templated titles
apart. Pure functions: no database, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from functools import lru_cache

_HYPHENS = re.compile(r"[\-\u2010-\u2015\u2212_]+")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*", re.UNICODE)


def _normal_form(text: str) -> str:
    """NFKC, case-folded, hyphens and space runs to one space (ASCII needs neither NFKC nor
    full case folding, and is most text)."""
    text = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", _HYPHENS.sub(" ", text)).strip()


# The form keywords are matched on, cached: imports ask for the same keywords over and over.
normalise_keyword = lru_cache(maxsize=65536)(_normal_form)


def clean_display(text: str) -> str:
    """A keyword or title as shown: NFKC-compatible spacing, no stray whitespace."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


@lru_cache(maxsize=1 << 18)
def singular(word: str) -> str:
    """Fold a simple English plural to its singular: chairs→chair, boxes→box, bodies→body."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# A match word: letters and digits (with inner apostrophes and dots: men's, 2.5), and words
# joined by hyphens read as one compound (slip-on, 38-47, hr030-a).
_MATCH_WORD = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*(?:-[^\W_]+(?:['’.][^\W_]+)*)*")


def _compound_singular(word: str) -> str:
    """`singular` of a word, or of a compound's last part (t-shirts → t-shirt; the short
    plurals compounds end in too: lace-ups → lace-up, slip-ons → slip-on)."""
    if "-" not in word:
        return singular(word)
    head, _, last = word.rpartition("-")
    if len(last) == 3 and last.isascii() and last.isalpha() and last.endswith("s"):
        return f"{head}-{last[:-1]}"
    return f"{head}-{singular(last)}"


def match_words(text: str) -> tuple[str, ...]:
    """The words of a keyword or title as coverage compares them: normalised (NFKC, case
    folded, every kind of hyphen as `-`), singular, hyphenated compounds whole."""
    # Uncached: a store-wide check meets each title once.
    text = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    text = _HYPHENS.sub("-", text)
    return tuple(map(_compound_singular, _MATCH_WORD.findall(text)))


def keyword_words(keyword: str) -> tuple[str, ...]:
    """A keyword's match words. A keyword's hyphens are spaces, as in its identity
    (`normalise_keyword`: `slip-on shoes` and `slip on shoes` are one keyword), so it holds
    no compound of its own; `readings` finds the compounds titles hold."""
    return match_words(_HYPHENS.sub(" ", keyword))


def keyword_words_of(keyword: str | None) -> str | None:
    """A keyword's match words, space-joined, as the database keeps them (`Keyword.words`)."""
    return None if keyword is None else " ".join(keyword_words(keyword))


def readings(words: tuple[str, ...], compounds: Container[str]) -> list[tuple[str, ...]]:
    """The ways a keyword's match words can stand in a title: as they are, and with runs of
    adjacent words read as one of the hyphenated `compounds` that titles hold (`slip on shoe`
    is also `slip-on shoe`; `on shoe` stays as it is: `on` alone is not in `slip-on`)."""
    if len(words) < 2 or not compounds:
        return [words]
    found: list[tuple[str, ...]] = []

    def extend(done: tuple[str, ...], rest: tuple[str, ...]) -> None:
        if not rest:
            found.append(done)
            return
        extend(done + rest[:1], rest[1:])
        for end in range(2, len(rest) + 1):
            joined = "-".join(rest[:end])
            if joined in compounds:
                extend(done + (joined,), rest[end:])

    extend((), words)
    return found


def words_of(text: str | None) -> str | None:
    """A keyword's or title's match words, space-joined, as the database keeps them."""
    return None if text is None else " ".join(match_words(text))


# Model codes: tokens of 4+ characters mixing letters and digits (A502, HR030-A).
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
