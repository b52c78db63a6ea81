"""What an import kind is: its columns, the key that makes a row unique, how it is written.

Every file layout kwtrack reads (its own canonical files, and each of Alibaba.com's reports)
is one `Kind`; `kwtrack.imports.registry` lists them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

# The rows a report's header is looked for in (reports put a title and period above it).
HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class Column:
    """One canonical column of an import kind."""

    name: str
    parse: Callable[[str], object]
    required: bool = False
    default: object = None  # the value of an empty cell, or of every row when the column is absent


class Period(NamedTuple):
    """A stats period, both ends included (a tuple, so hashing it is cheap in the hot loop)."""

    start: dt.date
    end: dt.date


def header_key(name: str) -> str:
    """A header as kinds match it: case-folded, trimmed, spaces and hyphens as `_`."""
    return "_".join(name.strip().casefold().replace("-", " ").split())


@dataclass(frozen=True)
class Kind:
    """An import kind: its columns, the key that makes a row unique, and how rows are written."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns that make a row unique in a file (keywords normalised)
    apply: Callable  # (run: Run, chunk: Chunk) -> None: writes a chunk of rows
    has_period: bool = False
    description: str = ""
    stats_model: type | None = None  # stats kinds count added rows by id
    # The stats table whose days this kind's recorded periods cover, when its rows are not all
    # stats (the P4P report: bids, and P4P figures when it has a period); else `stats_model`.
    period_covers: type | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # header_key → canonical column
    signature: tuple[str, ...] = ()  # header keys that identify a report layout
    period_optional: bool = False  # rows may carry a period, and need none
    # header_key → canonical column, used only when no other header names that column
    # (询盘人数, inquirers, stands in for 询盘个数, inquiries, in older product reports)
    fallbacks: dict[str, str] = field(default_factory=dict)
    # Rows of one file naming the same key are merged (not refused) when set: column → "sum"
    # (counts) or "max" (index figures). Report layouts that list a word twice need it.
    merge: dict[str, str] | None = None

    def canonical(self, header: str) -> str:
        """The canonical column a header names (itself when it is no alias)."""
        key = header_key(header)
        return self.aliases.get(key, key)

    def columns_of(self, header: list[str]) -> list[str]:
        """The canonical column each header names, a fallback header only when no other
        header names its column."""
        names = [self.canonical(h) for h in header]
        for i, h in enumerate(header):
            column = self.fallbacks.get(header_key(h))
            if column is not None and column not in names:
                names[i] = column
        return names

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]
