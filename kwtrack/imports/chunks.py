"""Reading a file's rows into parsed chunks, the import's hot loop.

A chunk holds up to CHUNK_ROWS rows column by column (`Chunk`); each column is parsed in one go
(numbers through `int`/`float` at C speed, anything else once per distinct cell text), and
only a column that fails is parsed again cell by cell, to say which cell is wrong. Rows with a
bad cell, no period or a key repeated in the file are left out of their chunk and reported in
its `problems`. Nothing here touches the database.

`kwtrack.imports` says what a kind's columns and keys are and writes the chunks.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import islice
from operator import itemgetter

import numpy as np

from kwtrack.imports.spec import Column, Kind, Period
from kwtrack.values import (
    LARGEST_COUNT,
    LARGEST_NUMBER,
    SMALLEST_NUMBER,
    parse_float,
    parse_int,
)
from kwtrack.words import clean_display, normalise_keyword

CHUNK_ROWS = 2_000  # small enough that a chunk's cells stay in the CPU's cache
TOTALS = frozenset({"合计", "总计", "汇总", "total", "totals", "总和"})
_TOTALS_CELLS = TOTALS | {t + mark for t in TOTALS for mark in ":："}


def is_totals_row(cells: list[str]) -> bool:
    """A report's closing 合计/总计/Total row."""
    first = next((c.strip() for c in cells if c.strip()), "")
    return first.casefold().rstrip(":：") in TOTALS


@lru_cache(maxsize=65536)
def keyword_forms(text: str) -> tuple[str, str]:
    display = clean_display(text)
    return normalise_keyword(display), display


def row_period(record: dict, default: Period | None) -> Period | str:
    """A stats row's period from its `date`, `week` or `period_start`+`period_end` cells.

    Returns an error message instead when the row has none and there is no default.
    """
    if record.get("date"):
        return Period(record["date"], record["date"])
    if record.get("week"):
        monday = record["week"] - dt.timedelta(days=record["week"].weekday())
        return Period(monday, monday + dt.timedelta(days=6))
    start, end = record.get("period_start"), record.get("period_end")
    if start and end:
        if end < start:
            return "period_end is before period_start"
        return Period(start, end)
    if start or end:
        return "give both period_start and period_end"
    if default is not None:
        return default
    return ("no period: give a date, week, or period_start and period_end column, "
            "or --period START..END / --date DAY")


class Chunk:
    """Up to CHUNK_ROWS rows of a file, held column by column: the unit an import writes.

    `numbers` are the rows' numbers in the file; `columns` maps a canonical column to its
    values, parsed. Holding columns rather than one dict per row is what lets a stats file go
    in at hundreds of thousands of rows a second: every step runs over whole columns at C speed.
    """

    def __init__(self, numbers: list[int], columns: dict[str, list]):
        self.numbers = numbers
        self.columns = columns
        self.problems: list[tuple[int, str | None, str]] = []  # rows left out: row, column, why
        self.merged: list[str] = []  # keywords whose repeated rows were merged into one
        self.merged_rows = 0
        self._forms: dict[str, tuple[list[str], dict[str, str]]] = {}

    def __len__(self) -> int:
        return len(self.numbers)

    def get(self, name: str) -> list:
        """A column's values; None for every row when the file has no such column."""
        values = self.columns.get(name)
        return values if values is not None else [None] * len(self.numbers)

    def keyword_forms(self, name: str = "keyword") -> tuple[list[str], dict[str, str]]:
        """Each row's keyword in normal form, and the display form of each normal form."""
        if name not in self._forms:
            values = self.columns[name]
            forms = {text: keyword_forms(text) for text in dict.fromkeys(values)}
            norm_of = {text: form[0] for text, form in forms.items()}
            displays: dict[str, str] = {}
            for norm, display in forms.values():
                displays.setdefault(norm, display)
            self._forms[name] = (list(map(norm_of.__getitem__, values)), displays)
        return self._forms[name]

    def records(self) -> list[tuple[int, dict]]:
        """The rows as (row number, {column: value}), for kinds that work row by row."""
        names = list(self.columns)
        return [(number, dict(zip(names, values)))
                for number, values in zip(self.numbers, zip(*self.columns.values()))]

    @classmethod
    def from_records(cls, records: list[tuple[int, dict]]) -> Chunk:
        """A chunk of rows made in code (a report's split rows), from (number, record) pairs."""
        names = dict.fromkeys(name for _, record in records for name in record)
        return cls([number for number, _ in records],
                   {name: [record.get(name) for _, record in records] for name in names})

    def subset(self, keep: list[int]) -> Chunk:
        """The rows at the positions `keep`, in that order."""
        chunk = Chunk([self.numbers[i] for i in keep],
                      {name: [values[i] for i in keep] for name, values in self.columns.items()})
        for name, (norms, displays) in self._forms.items():
            chunk._forms[name] = ([norms[i] for i in keep], displays)
        return chunk


class _KeywordMemo:
    """A file's keyword cells → normal forms, remembered from chunk to chunk.

    It hands each normal form's display form over once, with the first chunk that shows it:
    later chunks find it in the library already.
    """

    def __init__(self) -> None:
        self.norm_of: dict[str, str] = {}
        self.shown: set[str] = set()

    def forms(self, values: list[str]) -> tuple[list[str], dict[str, str]]:
        """Like `Chunk.keyword_forms`, with only the normal forms new to the file displayed."""
        if len(self.norm_of) > MEMO_LIMIT:
            self.norm_of.clear()
            self.shown.clear()
        norm_of, displays = self.norm_of, {}
        new = set(values).difference(norm_of)
        for text in [t for t in dict.fromkeys(values) if t in new] if new else ():
            norm, display = keyword_forms(text)
            norm_of[text] = norm
            if norm not in self.shown:
                self.shown.add(norm)
                displays[norm] = display
        return list(map(norm_of.__getitem__, values)), displays


# Parsers whose common case a builtin does at C speed for a whole column at once.
_AT_C_SPEED: dict[Callable, Callable] = {parse_int: int, parse_float: float}


MEMO_LIMIT = 100_000  # distinct cell texts remembered per column across chunks


def _parse_column(spec: Column, values: list[str], memo: dict) -> list:
    """Parse a column's cells in one go; raises ValueError when a cell is bad.

    Numbers go through `int`/`float` first (a column of plain figures needs nothing more);
    anything else is parsed once per distinct cell text, remembered in `memo` from chunk to
    chunk, as dates, channels and keywords repeat row after row.
    """
    convert = _AT_C_SPEED.get(spec.parse)
    if convert is not None:
        try:
            parsed = list(map(convert, values))
        except ValueError:
            pass
        else:
            # (what int/float take at C speed may still be out of range: check it cell by
            # cell then, so the bad cells are named)
            largest = LARGEST_COUNT if convert is int else LARGEST_NUMBER
            if parsed and 0 <= min(parsed) and max(parsed) <= largest and (
                    convert is int or (math.isfinite(sum(parsed)) and min(
                        filter(None, parsed), default=SMALLEST_NUMBER) >= SMALLEST_NUMBER)):
                return parsed
        return list(map(spec.parse, values))
    new = set(values).difference(memo)
    if len(memo) + len(new) > MEMO_LIMIT:
        memo.clear()
        new = set(values)
    memo.update({text: spec.parse(text) for text in new})
    return list(map(memo.__getitem__, values))


def _parse_cells(spec: Column, values: list[str]) -> tuple[list, dict[int, str]]:
    """Parse a column cell by cell: the values (None where bad) and position → error message."""
    parsed, bad = [], {}
    for position, text in enumerate(values):
        try:
            parsed.append(spec.parse(text))
        except ValueError as exc:
            parsed.append(None)
            bad[position] = str(exc)
    return parsed, bad


def _skip_row(cells: list[str]) -> bool:
    """A blank row, or a report's closing totals row: read past, not imported."""
    return not "".join(cells).strip() or is_totals_row(cells)


def _without_blank_and_totals(numbers: list[int], cells: list[list[str]]):
    """The rows less the blank ones and the totals rows (checked on distinct first cells)."""
    firsts = set(map(itemgetter(0), cells))
    folded = set(map(str.casefold, map(str.strip, firsts)))
    if "" not in folded and folded.isdisjoint(_TOTALS_CELLS):
        return numbers, cells
    suspects = {v for v in firsts if not v.strip() or v.strip().casefold() in _TOTALS_CELLS}
    keep = [i for i, row in enumerate(cells) if row[0] not in suspects or not _skip_row(row)]
    return [numbers[i] for i in keep], [cells[i] for i in keep]


class SeenKeys:
    """The keys of the rows read so far, to tell a duplicate row and the row it repeats.

    Keys are kept as 64-bit hashes with their row numbers, in sorted runs merged as they grow
    (16 bytes a row, where a dict of the keys themselves takes well over 100): a file of ten
    million rows needs 160 MB for it. A fixed bitmap of
    the hashes answers "never seen" for nearly every new row without searching the runs.
    """

    BITMAP_BITS = 1 << 27  # 16 MB
    LONGEST_RUN = 1 << 22  # runs stop merging here, so a merge never needs over ~200 MB

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._bitmap = np.zeros(self.BITMAP_BITS // 8, dtype=np.uint8)

    def _bits(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        slots = hashes.view(np.uint64) % np.uint64(self.BITMAP_BITS)
        return slots >> np.uint64(3), (np.uint8(1) << (slots & np.uint64(7)).astype(np.uint8))

    def earlier_rows(self, hashes: np.ndarray) -> np.ndarray:
        """For each hash, the row number of an earlier row with the same key, else 0."""
        found = np.zeros(len(hashes), dtype=np.int64)
        byte, bit = self._bits(hashes)
        maybe = np.flatnonzero(self._bitmap[byte] & bit)
        if not len(maybe):
            return found
        wanted = hashes[maybe]
        for keys, rows in self._runs:
            at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            hit = (keys[at] == wanted) & (found[maybe] == 0)
            found[maybe[hit]] = rows[at[hit]]
        return found

    def add(self, hashes: np.ndarray, numbers: list[int]) -> None:
        if not len(hashes):
            return
        byte, bit = self._bits(hashes)
        np.bitwise_or.at(self._bitmap, byte, bit)
        order = np.argsort(hashes, kind="stable")
        self._runs.append((hashes[order], np.asarray(numbers, dtype=np.int64)[order]))
        while (len(self._runs) > 1 and len(self._runs[-2][0]) <= len(self._runs[-1][0])
               and len(self._runs[-2][0]) + len(self._runs[-1][0]) <= self.LONGEST_RUN):
            (keys_a, rows_a), (keys_b, rows_b) = self._runs.pop(-2), self._runs.pop()
            keys, rows = np.concatenate([keys_a, keys_b]), np.concatenate([rows_a, rows_b])
            order = np.argsort(keys, kind="stable")
            self._runs.append((keys[order], rows[order]))


def row_keys(chunk: Chunk, names: tuple[str, ...]) -> list[tuple]:
    """Each row's key: the values of the kind's key columns, keywords in normal form."""
    return list(zip(*(chunk.keyword_forms(n)[0] if n == "keyword" else chunk.get(n)
                      for n in names)))


_MARKS = ("date", "week", "period_start", "period_end")


def _periods(kind: Kind, columns: dict[str, list], rows: int,
             default: Period | None) -> list[Period | str | None]:
    """Each row's period, or the message saying why it has none (None where none is needed)."""
    present = [name for name in _MARKS if name in columns]
    if len(present) == 1:  # the common case: one date or week column, no tuples to build
        marks = columns[present[0]]
        memo = {m: row_period({present[0]: m}, default) for m in set(marks)}
    elif present:
        marks = list(zip(*(columns[name] for name in present)))
        memo = {m: row_period(dict(zip(present, m)), default) for m in set(marks)}
    else:
        marks = [None] * rows
        memo = {None: row_period({}, default)}
    if not kind.has_period:
        memo = {m: None if isinstance(p, str) else p for m, p in memo.items()}
    return list(map(memo.__getitem__, marks))


def read_chunks(kind: Kind, header: list[str], rows: Iterator[tuple[int, list[str]]],
            default_period: Period | None) -> Iterator[Chunk]:
    """The file's rows as parsed chunks; the rows with a bad cell, no period or a duplicate key
    are left out of them and reported in their `problems`.

    This is the import's hot loop, run a column at a time: only a column that fails to parse
    in one go is parsed again cell by cell, to say which cell is wrong and why. It needs no
    database, so a large file can be parsed in a second process while this one writes.
    """
    specs = {c.name: c for c in kind.columns}
    positions = [(i, specs[name]) for i, name in enumerate(kind.columns_of(header))
                 if name in specs]
    width = max([i for i, _ in positions] + [0]) + 1
    wants_period = kind.has_period or kind.period_optional
    # A stats table's unique key (or, for known periods, `_apply_stats`) finds rows repeating
    # a row of an earlier chunk; other kinds remember the keys here.
    seen = SeenKeys() if kind.stats_model is None else None
    memos: list[dict] = [{} for _ in positions]
    keywords = _KeywordMemo()
    # A kind that merges repeated rows reads the file as one chunk, so a row meets every row
    # it repeats (report exports of that kind hold thousands of rows, not millions).
    while raw := list(islice(rows, None if kind.merge else CHUNK_ROWS)):
        numbers = list(map(itemgetter(0), raw))
        cells = list(map(itemgetter(1), raw))
        del raw
        if min(map(len, cells)) < width:
            cells = [c if len(c) >= width else c + [""] * (width - len(c)) for c in cells]
        numbers, cells = _without_blank_and_totals(numbers, cells)
        if not numbers:
            continue
        problems: list[tuple] = []  # (position in chunk, column order, column, message)
        if max(map(len, cells)) > len(header):
            problems += _past_the_header(cells, len(header))
        again: set[int] = set()  # the rows that are the header again: said so, and no more
        if header[0] in set(map(itemgetter(0), cells)):
            found = _header_again(cells, header)
            problems, again = problems + found, {numbers[p] for p, *_ in found}
        columns: dict[str, list] = {}
        for order, (i, spec) in enumerate(positions):
            values = list(map(itemgetter(i), cells))
            bad: dict[int, str] = {}
            try:
                parsed = _parse_column(spec, values, memos[order])
            except ValueError:
                parsed, bad = _parse_cells(spec, values)
                problems += [(p, order, header[i].strip(), m) for p, m in bad.items()]
            if spec.required and None in parsed:
                problems += [(p, order, spec.name, "is empty") for p, v in enumerate(parsed)
                             if v is None and p not in bad]
            columns[spec.name] = parsed
        del cells
        for spec in kind.columns:
            if spec.default is not None:
                values = columns.get(spec.name)
                columns[spec.name] = ([spec.default] * len(numbers) if values is None else
                                      [spec.default if v is None else v for v in values])
        chunk, reported, _ = _without_problems(Chunk(numbers, columns), problems)
        if "keyword" in chunk.columns:
            chunk._forms["keyword"] = keywords.forms(chunk.columns["keyword"])
        after = len(positions)  # period and duplicate problems come after a row's cell problems
        problems = []
        no_period: set[int] = set()  # rows already failing for their period
        if wants_period:
            periods = _periods(kind, chunk.columns, len(chunk), default_period)
            if any(isinstance(v, str) for v in set(periods)):
                no_period = {p for p, v in enumerate(periods) if isinstance(v, str)}
                problems += [(p, after, None, periods[p]) for p in sorted(no_period)]
            chunk.columns["_period"] = periods
        keys = row_keys(chunk, kind.key)
        repeats: dict[int, int] = {}  # position → position of the row it repeats
        if len(set(keys)) < len(keys):
            first_of: dict[tuple, int] = {}
            for p, key in enumerate(keys):
                if p not in no_period:  # (a row without a period has no key to repeat)
                    repeats[p] = first_of.setdefault(key, p)
            repeats = {p: first for p, first in repeats.items() if first != p}
        merged: tuple[list[str], int] = ([], 0)
        if repeats and kind.merge:
            chunk, kept = _merged(chunk, repeats, kind.merge)
            merged = (chunk.merged, chunk.merged_rows)
            # (a row without a period is never merged away: its problem moves with it)
            at = {old: new for new, old in enumerate(kept)}
            problems = [(at[p], *rest) for p, *rest in problems]
            keys = row_keys(chunk, kind.key)
            repeats = {}
        problems += [(p, after, None, f"duplicate of row {chunk.numbers[first]}"
                      f"{describe_key(chunk, p, kind.key)}") for p, first in repeats.items()]
        if seen is not None:
            hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
            earlier = seen.earlier_rows(hashes)
            if earlier.any():
                problems += [(int(p), after, None, f"duplicate of row {earlier[p]}"
                              f"{describe_key(chunk, int(p), kind.key)}")
                             for p in np.flatnonzero(earlier) if p not in repeats]
        chunk, more, keep = _without_problems(chunk, problems)
        if seen is not None:
            seen.add(hashes if keep is None else hashes[keep], chunk.numbers)
        chunk.problems = [(row, column, message) for row, _, column, message
                          in sorted(reported + more, key=itemgetter(0, 1))
                          if row not in again or message == HEADER_AGAIN]
        chunk.merged, chunk.merged_rows = merged
        yield chunk


def describe_key(chunk: Chunk, position: int, names: tuple[str, ...]) -> str:
    """What makes a row's key, for the user: ` (keyword 'shoes', 2026-11-09..2026-11-15)`."""
    parts = []
    for name in names:
        value = chunk.get(name)[position]
        if name == "_period" and value is not None:
            parts.append(str(value.start) if value.start == value.end
                         else f"{value.start}..{value.end}")
        elif value is not None:  # (text as typed: repr would spell a full-width space \u3000)
            shown = f"'{value}'" if isinstance(value, str) else repr(value)
            parts.append(f"{name.replace('_', ' ')} {shown}")
    return f" ({', '.join(parts)})" if parts else ""


def _merged(chunk: Chunk, repeats: dict[int, int], rules: dict[str, str]
            ) -> tuple[Chunk, list[int]]:
    """The chunk with each repeated row merged into the first row of its key (counts added,
    index figures the larger, unknown where every row is unknown), and the positions it
    keeps; its `merged` names the keywords (display forms) merged, once each."""
    columns = {name: list(values) for name, values in chunk.columns.items()}
    for position, first in sorted(repeats.items()):
        for name, rule in rules.items():
            values = columns.get(name)
            if values is None or values[position] is None:
                continue
            if values[first] is None:
                values[first] = values[position]
            elif rule == "sum":
                values[first] += values[position]
            else:
                values[first] = max(values[first], values[position])
    keep = [p for p in range(len(chunk)) if p not in repeats]
    merged = Chunk(chunk.numbers, columns).subset(keep)
    merged._forms.update({n: ([f[0][p] for p in keep], f[1]) for n, f in chunk._forms.items()})
    words = chunk.columns.get("keyword")
    merged.merged = list(dict.fromkeys(words[repeats[p]] for p in sorted(repeats))) if words \
        else []
    merged.merged_rows = len(repeats)
    return merged, keep


def _past_the_header(cells: list[list[str]], width: int) -> list[tuple]:
    """A problem for each row with a filled cell past the header's `width` columns: its cells
    are shifted (an unquoted `1,234` is two cells), so every figure after the split would be
    read from the wrong column. Empty cells there (a trailing comma) are no problem."""
    problems = []
    for position, row in enumerate(cells):
        extra = next((i for i in range(width, len(row)) if row[i].strip()), None)
        if extra is not None:
            problems.append((position, -1, f"column {extra + 1}",
                             f"{row[extra]!r} is past the header's last column ({width}): "
                             "is a comma in a number unquoted?"))
    return problems


HEADER_AGAIN = "the header row again (two files pasted into one?): import each file on its own"


def _header_again(cells: list[list[str]], header: list[str]) -> list[tuple]:
    """A problem for each row that is the header again: two files pasted into one, whose
    second one's rows would be read under the first one's period (and its header as data)."""
    named = [h.strip().casefold() for h in header]
    return [(position, -1, None, HEADER_AGAIN) for position, row in enumerate(cells)
            if [c.strip().casefold() for c in row[:len(named)]] == named]


def _without_problems(chunk: Chunk, problems: list[tuple]):
    """The chunk less the rows with problems, the problems by row number, the rows kept."""
    if not problems:
        return chunk, [], None
    bad = {p for p, *_ in problems}
    keep = [p for p in range(len(chunk)) if p not in bad]
    return (chunk.subset(keep),
            [(chunk.numbers[p], order, column, message) for p, order, column, message in problems],
            keep)
