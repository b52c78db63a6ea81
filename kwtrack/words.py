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
from collections.abc import Container, Iterable
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


def group_key(name: str) -> str:
    """What makes two keyword group names one group: `Core `, `core` and `CORE` are the
    same group to an operator (and to the review's key group)."""
    return " ".join(name.split()).casefold()


def spelled_group(name: str | None, spellings: dict[str, str]) -> str | None:
    """A group name as the store spells that group (`spellings`: `group_key` → spelling,
    `Keyword.group_spellings`); a new group as typed, its spaces tidied."""
    if name is None:
        return None
    return spellings.get(group_key(name), " ".join(name.split()))


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


class Compounds(set):
    """Hyphenated compounds titles hold, with the first two parts of each (`hr030-a-b` gives
    `hr030-a` too), and `firsts`: the words a compound starts with (so that a keyword none of
    whose words starts one is passed over in one set operation)."""

    def __init__(self, words: Iterable[str] = ()):
        super().__init__()
        self.firsts: set[str] = set()
        for word in words:
            if "-" in word:
                parts = word.split("-", 2)
                self.update((word, f"{parts[0]}-{parts[1]}"))
                self.firsts.add(parts[0])


def compound_vocabulary(words: Iterable[str]) -> Compounds:
    """The hyphenated compounds among some titles' words: what `readings` takes."""
    return Compounds(words)


def readings(words: tuple[str, ...], compounds: Container[str]
             ) -> tuple[tuple[str, ...], ...]:
    """The ways a keyword's match words can stand in a title: as they are, and with runs of
    adjacent words read as one of the hyphenated `compounds` that titles hold (`slip on shoe`
    is also `slip-on shoe`; `on shoe` stays as it is: `on` alone is not in `slip-on`).
    `compounds`: from `compound_vocabulary`."""
    if len(words) < 2 or not compounds:
        return (words,)
    # (most keywords hold no word a compound starts with: one set operation, in C)
    firsts = getattr(compounds, "firsts", None)
    if firsts is not None and firsts.isdisjoint(words[:-1]):
        return (words,)
    if not any(f"{a}-{b}" in compounds for a, b in zip(words, words[1:])):
        return (words,)
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
    return tuple(found)


def words_of(text: str | None) -> str | None:
    """A keyword's or title's match words, space-joined, as the database keeps them."""
    return None if text is None else " ".join(match_words(text))


# Model codes, as stores write them. A token of 4+ characters mixing letters and digits
# (A502, HR030-A, ZX2116; a colour suffix makes another product: HR030-A ≠ HR030-B), except
# measures (500ml, 2.5mm, 20pcs, 5000mAh) and sizes (EU38); or a number the title marks as a
# model (Model 201, Style 7212, Item No. 88, Art. 3301), or a number the store's other titles
# mark so (`numbered`). Years, size ranges (38-47), quantities (20 Pack, 3 Pieces) and
# capacities are not codes.
_DIGIT = re.compile(r"\d")
_CODE = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_MEASURE = re.compile(r"\d+(?:\.\d+)?(?:ml|l|kg|g|mg|cm|mm|m|km|pcs|pc|w|kw|v|mah|ah|oz|lb|lbs|"
                      r"in|inch|ft|gb|tb|mb|hz|khz|mhz|x|k|p|d|h|s|min|pairs?|sets?|packs?)",
                      re.IGNORECASE)
_SIZE = re.compile(r"(?:eu|us|uk|cn|jp|size)\d+(?:\.\d+)?", re.IGNORECASE)
_MARKED_NUMBER = re.compile(r"\b(?:model|style|item|art|ref|no|nr|sku)\b\.?\s*(?:no\.?\s*)?"
                            r"#?\s*(\d{2,8})(?![\d.-])", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.-])(\d{2,8})(?![\w.-])")
_COUNTED = re.compile(r"\s*(?:pcs|pieces?|packs?|pairs?|sets?|units?|count|ct|x\b)",
                      re.IGNORECASE)


def _is_year(number: str) -> bool:
    return len(number) == 4 and 1990 <= int(number) <= 2039


def marked_numbers(title: str) -> frozenset[str]:
    """The numbers a title marks as models: `Model 201`, `Style No. 7212`, `Art. 3301`."""
    return frozenset(m for m in _MARKED_NUMBER.findall(title) if not _is_year(m))


# (one empty set for every title without codes: an index holds tens of thousands of them)
_NO_CODES: frozenset[str] = frozenset()


def model_codes(title: str, numbered: frozenset[str] = frozenset(),
                marked: frozenset[str] | None = None) -> frozenset[str]:
    """Model codes in a title (see above): letter-and-digit codes, numbers marked as models,
    and the `numbered` numbers (those the store's other titles mark as models) standing on
    their own, not counting something (`201 Pieces`) or naming a year. `marked`: the title's
    `marked_numbers`, when the caller has worked them out already."""
    if not _DIGIT.search(title):  # no digit, no code: skip the slower patterns
        return _NO_CODES
    codes = {m.upper() for m in _CODE.findall(title)
             if len(m) >= 4 and not _MEASURE.fullmatch(m) and not _SIZE.fullmatch(m)}
    codes.update(marked_numbers(title) if marked is None else marked)
    if numbered:
        for match in _NUMBER.finditer(title):
            number = match.group(1)
            if number in numbered and not _COUNTED.match(title, match.end()) \
                    and not _is_year(number):
                codes.add(number)
    return frozenset(codes) if codes else _NO_CODES
