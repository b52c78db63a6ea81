"""Which of many titles hold every one of some words: the look-up behind the title route of
coverage (`kwtrack.cleanup`) and the title-within-title rule of duplicates
(`kwtrack.duplicates`). Pure Python: no database, no I/O.
"""

from __future__ import annotations

import functools
import heapq
import operator
import re
from collections import defaultdict
from itertools import combinations


class TitleWords:
    """Which of some titles (each a tuple of words; a title is known by its position) hold
    every word of a keyword.

    Each word's titles are a set, and a keyword's titles the intersection of its words'
    sets, walked from the smallest. When even the smallest is large (a generic keyword such
    as `walking shoes` in a store of thousands of shoes), the words' titles are ANDed as bit
    sets instead (a Python int, bit t for title t): one pass in C over a few kilobytes rather
    than thousands of set look-ups."""

    AS_BITS = 256  # titles from which a word's set is ANDed as bits

    def __init__(self, titles: list[tuple[str, ...]]):
        self.size = len(titles)
        self.having: dict[str, set[int]] = defaultdict(set)
        for position, words in enumerate(titles):
            for word in words:
                self.having[word].add(position)
        # The words a keyword may hold and still be found in these titles: their words and
        # the parts of their hyphenated compounds (`readings` may read `non slip` as one).
        self.reachable = set(self.having)
        self.reachable.update(part for word in self.having if "-" in word
                              for part in word.split("-"))
        self._bits: dict[str, int] = {}

    def may_hold(self, words: tuple[str, ...]) -> bool:
        """Whether some reading of a keyword's match words may be in these titles (one set
        operation in C: most keywords of a big library hold a word none of them holds, and
        their readings need not be worked out)."""
        return self.reachable.issuperset(words)

    def holding(self, words: tuple[str, ...] | frozenset[str]) -> set[int] | frozenset[int]:
        """The positions of the titles holding all of `words`."""
        sets = self._sets(words)
        if not sets:
            return frozenset()
        if len(sets[0]) < self.AS_BITS:
            return sets[0].intersection(*sets[1:])
        return set(lowest_bits(self._and(words), self.size))

    def count_and_first(self, readings: tuple[tuple[str, ...], ...], limit: int
                        ) -> tuple[int, list[int]]:
        """How many titles hold all the words of one of a keyword's `readings`
        (`kwtrack.words.readings`), and the lowest `limit` positions of them."""
        if len(readings) > 1:  # (rare: a keyword that may be read as a compound)
            held = set().union(*map(self.holding, readings))
            return len(held), heapq.nsmallest(limit, held)
        sets = self._sets(readings[0])
        if not sets:
            return 0, []
        if len(sets[0]) < self.AS_BITS:
            held = sets[0].intersection(*sets[1:])
            return len(held), heapq.nsmallest(limit, held)
        bits = self._and(readings[0])
        return bits.bit_count(), lowest_bits(bits, limit)

    def most_of(self, words: tuple[str, ...], limit: int, among: set[int] | None = None
                ) -> list[tuple[int, int]]:
        """Up to `limit` titles (of `among`, when given) holding the most of `words`, at
        least one: (position, how many of the words it holds), those holding them all first,
        then all but one, and so on, by position within each: who could carry a keyword
        (adding it to the product's keywords) that no title holds whole."""
        words = tuple(dict.fromkeys(words))
        found: list[tuple[int, int]] = []
        seen: set[int] = set()
        for size in range(len(words), 0, -1):
            level = set().union(*map(self.holding, combinations(words, size))) - seen
            if among is not None:
                level &= among
            found += [(position, size) for position in sorted(level)[:limit - len(found)]]
            if len(found) >= limit:
                break
            seen |= level
        return found

    def _sets(self, words: tuple[str, ...] | frozenset[str]) -> list[set[int]]:
        """The words' sets of titles, smallest first; empty when some word is in none."""
        sets = []
        for word in words:
            found = self.having.get(word)
            if not found:
                return []
            sets.append(found)
        sets.sort(key=len)
        return sets

    def _and(self, words: tuple[str, ...] | frozenset[str]) -> int:
        """The titles holding all of `words` (each in some title) as bits."""
        return functools.reduce(operator.and_, map(self._bits_of, words))

    def _bits_of(self, word: str) -> int:
        found = self._bits.get(word)
        if found is None:
            flags = bytearray(self.size // 8 + 1)
            for position in self.having[word]:
                flags[position >> 3] |= 1 << (position & 7)
            found = self._bits[word] = int.from_bytes(flags, "little")
        return found


_NONZERO_BYTE = re.compile(rb"[^\x00]")


def lowest_bits(bits: int, limit: int) -> list[int]:
    """The positions of the lowest `limit` set bits of a non-negative int (its bytes are
    scanned in C for the first non-zero ones)."""
    found: list[int] = []
    raw = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for match in _NONZERO_BYTE.finditer(raw):
        byte, at = match.group()[0], match.start() * 8
        found += [at + bit for bit in range(8) if byte >> bit & 1]
        if len(found) >= limit:
            break
    return found[:limit]
