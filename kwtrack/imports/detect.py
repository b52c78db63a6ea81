"""Recognising a file: which row is its header and which kind that header names (a report
puts a title and its period above the header), and the period a stats file covers when its
rows carry none (the report's preamble, or the file name)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from kwtrack.imports.registry import KINDS
from kwtrack.imports.spec import HEADER_SCAN_ROWS, Kind, Period, header_key


def _match(kind: Kind, cells: list[str]) -> int:
    """How many of the row's cells name this kind's columns; 0 unless all required are there."""
    names = {name for c, name in zip(cells, kind.columns_of(cells)) if c.strip()}
    known = names & set(kind.column_names)
    if any(c.required and c.name not in names for c in kind.columns):
        return 0
    keys = {header_key(c) for c in cells}
    if kind.signature and not all(s in keys for s in kind.signature):
        return 0
    return len(known)


def best_kind(cells: list[str], only: str | None = None) -> tuple[str, int] | None:
    """The kind whose columns a header row names best (report layouts win ties)."""
    scored = [(score, bool(kind.signature), name) for name, kind in KINDS.items()
              if (only is None or name == only) and (score := _match(kind, cells)) >= 1]
    if not scored:
        return None
    score, _, name = max(scored)
    return name, score


def find_header(rows, only: str | None = None):
    """Scan the first rows for the header: (kind, header cells, preamble rows) or None.

    `rows` is the file's row iterator; it is left positioned just after the header.
    """
    preamble = []
    for number, cells in rows:
        found = best_kind(cells, only)
        if found and (found[1] >= 2 or len(KINDS[found[0]].columns) <= 2 or only):
            return found[0], number, cells, preamble
        preamble.append(cells)
        if len(preamble) >= HEADER_SCAN_ROWS:
            break
    return None


# `2026-09-13~2026-09-19`, `2026/9/13 - 2026/9/19`, `2026年09月13日至2026年09月19日`,
# `2026-09-13 to 2026-09-19` (the English back end), `20260913~20260919`
_DAY = r"(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))"
_RANGE = re.compile(rf"(?<!\d){_DAY}\s*(?:~|～|至|到|--|—|-|\s[tT][oO]\s)\s*{_DAY}(?!\d)")
_NAME_RANGE = re.compile(r"(?<!\d)(\d{6})\s*[-~_]\s*(\d{6})(?!\d)")
_NAME_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def period_from_text(text: str) -> Period | None:
    """A period written as `2026-09-13~2026-09-19` (or with 至, 年月日…) anywhere in the text."""
    m = _RANGE.search(text)
    if not m:
        return None
    # (each day is year, then month and day either separated or compact)
    y1, m1, d1, c1, e1, y2, m2, d2, c2, e2 = m.groups()
    try:
        start = dt.date(int(y1), int(m1 or c1), int(d1 or e1))
        end = dt.date(int(y2), int(m2 or c2), int(d2 or e2))
    except ValueError:  # (a day that does not exist)
        return None
    return Period(start, end) if start <= end else None


def period_from_file_name(path: Path) -> Period | None:
    """A period from a file name: `Products-2026-11-20.xlsx` (that day) or `261109-261115.xlsx`."""
    name = path.stem
    found = period_from_text(name)
    if found:
        return found
    m = _NAME_RANGE.search(name)
    try:
        if m:
            a, b = (dt.datetime.strptime(x, "%y%m%d").date() for x in m.groups())
            return Period(a, b)
        m = _NAME_DAY.search(name)
        if m:
            day = dt.date(*map(int, m.groups()))
            return Period(day, day)
    except ValueError:
        return None
    return None
