"""How kwtrack words things for the people reading it: counts with their nouns."""

from __future__ import annotations


def counted(number: int, noun: str) -> str:
    """`1 cluster`, `24 clusters`, `1,052 keywords`: a count and its noun (kwtrack's nouns
    all take an `s`)."""
    return f"{number:,} {noun if number == 1 else noun + 's'}"
