"""How kwtrack words things for the people reading it: counts with their nouns, prices, changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def counted(number: int, noun: str) -> str:
    """`1 cluster`, `24 clusters`, `1,052 keywords`: a count and its noun (kwtrack's nouns
    all take an `s`)."""
    return f"{number:,} {noun if number == 1 else noun + 's'}"


def number(value: int | None) -> str:
    """A count as it reads: `10,784`, `-` when unknown."""
    return "-" if value is None else f"{value:,}"


def price(value: float | None) -> str:
    """A bid or price (CNY) as money reads: two decimals (`3.50`), `-` when unknown."""
    return "-" if value is None else f"{value:,.2f}"


def step(old, new, show: Callable[[Any], str] = str) -> str:
    """A logged change as text, each value through `show`: `3.50 → 3.20`; the new value
    alone where there was none before (a first record) or it did not change; `-` for none."""
    if old is None or old == new:
        return "-" if new is None else show(new)
    return f"{show(old)} → {'-' if new is None else show(new)}"
