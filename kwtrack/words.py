"""How kwtrack compares words: one normal form for keywords, and one for matching titles.

`normalise_keyword` is the identity of a keyword in the library (two spellings that normalise
alike are the same keyword). `match_words` goes further for coverage: it also folds simple
English plurals, so `camping chairs` and `camping chair` cover each other. `model_codes` finds
the codes that tell templated titles apart. Pure functions: no database, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
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


def match_words(text: str) -> tuple[str, ...]:
    """The words of a keyword or title as coverage compares them: normalised, singular."""
    # Uncached: a store-wide check meets each title once.
    return tuple(map(singular, _WORD.findall(_normal_form(text))))


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
