"""Finding 64-bit keys among many, in numpy: word keys and word-set keys are hashes.

The coverage check and the near-duplicate index ask hundreds of thousands of times at once
"where is this key among those?". A binary search (`np.searchsorted`) jumps about memory for
every key asked; because these keys are hashes, their low bits spread evenly, and a table
indexed by those bits finds almost every key with one look.
"""

from __future__ import annotations

import numpy as np


def slot_mask(n: int) -> int:
    """The mask of a key's low bits that index a table of at least four slots per key, for
    `n` keys (a power of two, less one)."""
    return (1 << max(4, (4 * n - 1).bit_length())) - 1


class KeyTable:
    """Distinct 64-bit keys, sorted, and a table for finding a key's place among them.

    The table has at least four slots per key, indexed by a key's low bits; where several
    keys share a slot, the keys asked about that land on it and are not found there are
    looked up by binary search."""

    def __init__(self, keys: np.ndarray):
        """`keys`: distinct int64 keys, sorted."""
        self.keys = keys
        n = len(keys)
        self._mask = slot_mask(n)
        slots = keys & self._mask
        self._table = np.full(self._mask + 1, n, dtype=np.int32 if n < 2**31 else np.int64)
        self._table[slots] = np.arange(n)  # where keys share a slot, one of them
        self._shared = np.zeros(self._mask + 1, dtype=bool)
        self._shared[slots[self._table[slots] != np.arange(n)]] = True
        self._padded = np.append(keys, np.int64(0))  # position n: no key

    def places(self, wanted: np.ndarray) -> np.ndarray:
        """Each wanted key's place in `keys`, or len(keys) where it is not there."""
        n = len(self.keys)
        if not n:
            return np.full(len(wanted), 0, dtype=np.int64)
        slots = wanted & self._mask
        at = self._table[slots].astype(np.int64)
        found = self._padded[at] == wanted
        places = np.where(found, at, n)
        unsure = np.flatnonzero(~found & self._shared[slots])
        if len(unsure):
            at = np.minimum(np.searchsorted(self.keys, wanted[unsure]), n - 1)
            places[unsure] = np.where(self.keys[at] == wanted[unsure], at, n)
        return places
