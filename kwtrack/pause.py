"""Pausing Python's cycle collector around work that builds hundreds of thousands of objects.

An import, the coverage check and the near-duplicate index each make that many short-lived
objects (rows, sets, tuples), none of them in reference cycles. The collector would walk the
whole growing heap again and again as they are made, which costs half the time or more.
Reference counting still frees everything as soon as it is dropped.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Run the block with the cycle collector off (as it was, afterwards).

    Whatever the block made and kept is moved to the oldest generation as it ends, without
    a look (`gc.freeze` then `gc.unfreeze`): the first collection afterwards would otherwise
    walk all of it (some 40 ms after a store-wide check) only to move it there."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def without_cycle_collection(function):
    """Decorate a function to run with the cycle collector paused."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with cycle_collection_paused():
            return function(*args, **kwargs)

    return wrapper
