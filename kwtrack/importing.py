"""Importing files into a store: products, keywords, coverage, stats and P4P bids.

`import_file` reads a file (see `kwtrack.reading`), checks every row against its kind's columns,
and writes the whole file in one transaction, or nothing: a bad file ends in `ImportFailed`,
whose lines name file, row and column. Rows are streamed and written in chunks with
`kwtrack.bulk`, so memory stays flat and large stats files go in at driver speed.

Rules every kind follows:
- headers are matched case-insensitively, spaces and hyphens counting as `_`;
- an empty cell (or `-`) is unknown: it never overwrites what the database already knows;
- keywords are matched on their normal form and keep the display form first seen; a keyword a
  row names that is not in the library yet is added to it;
- the same file imported again is recognised by its sha256 and changes nothing (`force` to
  apply it anyway, which then finds every row unchanged).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import multiprocessing
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import numpy as np
from peewee import Database, IntegrityError

from kwtrack import bulk
from kwtrack.errors import ImportFailed, KwtrackError
from kwtrack.models import (
    Bid,
    BidChange,
    Coverage,
    ImportBatch,
    Keyword,
    KeywordStat,
    Product,
    ProductStat,
    Store,
    database,
    now,
    words_of,
)
from kwtrack.pause import cycle_collection_paused
from kwtrack.reading import open_table
from kwtrack.text import clean_display, normalise_keyword
from kwtrack.values import (
    choice,
    parse_bool,
    parse_date,
    parse_float,
    parse_int,
    parse_text,
    split_keywords,
)

CHUNK_ROWS = 2_000  # small enough that a chunk's cells stay in the CPU's cache
TOTALS = frozenset({"合计", "总计", "汇总", "total", "totals", "总和"})
_TOTALS_CELLS = TOTALS | {t + mark for t in TOTALS for mark in ":："}


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


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    file: str
    kind: str
    rows_read: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    keywords_added: int = 0
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    skipped: str | None = None  # why nothing was done, e.g. the file was imported before
    dry_run: bool = False
    ignored_columns: tuple[str, ...] = ()
    notes: tuple[tuple[str, int], ...] = ()  # e.g. ("products added", 12) for a report


def header_key(name: str) -> str:
    """A header as kinds match it: case-folded, trimmed, spaces and hyphens as `_`."""
    return "_".join(name.strip().casefold().replace("-", " ").split())


def is_totals_row(cells: list[str]) -> bool:
    """A report's closing 合计/总计/Total row."""
    first = next((c.strip() for c in cells if c.strip()), "")
    return first.casefold().rstrip(":：") in TOTALS


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class _Run:
    """The state of one import: the store, the caches of ids, the counts and the problems."""

    def __init__(self, store: Store, path: Path, kind: Kind, batch: ImportBatch):
        self.store = store
        self.path = path
        self.kind = kind
        self.batch = batch
        self.db: Database = database.obj
        self.problems: list[str] = []
        self.problem_count = 0
        self.added = self.changed = self.unchanged = self.keywords_added = 0
        self.period_start: dt.date | None = None
        self.period_end: dt.date | None = None
        self.notes: dict[str, int] = {}  # extra counts a report layout wants to tell
        self.written = self.stats_rows = 0  # for stats kinds: rows inserted or updated
        self._keyword_ids: dict[str, int] | None = None
        self._product_ids: dict[str, int] | None = None
        self._fresh_periods: dict[tuple, bool] = {}
        self.upserted: dict[type, _SeenKeys] = {}  # keys of rows upserted so far, by table
        self.repeats: list[tuple[int, dict]] = []  # rows repeating an earlier row's key

    def problem(self, row: int, column: str | None, message: str) -> None:
        """Record a problem with a row; nothing is written once there is one."""
        self.problem_count += 1
        if len(self.problems) < ImportFailed.MAX_SHOWN:
            where = f"{self.path.name}:{row}" + (f":{column}" if column else "")
            self.problems.append(f"{where}: {message}")

    def is_fresh_period(self, model, start: str) -> bool:
        """Whether the stats table had no row starting on this day before this import.

        Asked the first time the import meets the day, before it writes any row of it."""
        fresh = self._fresh_periods.get((model, start))
        if fresh is None:
            fresh = self._fresh_periods[model, start] = not (
                model.select().where(model.period_start == start).exists())
        return fresh

    def see_period(self, period: Period) -> None:
        if self.period_start is None or period.start < self.period_start:
            self.period_start = period.start
        if self.period_end is None or period.end > self.period_end:
            self.period_end = period.end

    @property
    def keyword_ids(self) -> dict[str, int]:
        """normalised keyword → Keyword.id, for the store."""
        if self._keyword_ids is None:
            query = Keyword.select(Keyword.norm, Keyword.id).where(Keyword.store == self.store)
            self._keyword_ids = dict(query.tuples())
        return self._keyword_ids

    @property
    def product_ids(self) -> dict[str, int]:
        """Alibaba.com product ID → Product.id, for the store."""
        if self._product_ids is None:
            query = Product.select(Product.product_id, Product.id).where(
                Product.store == self.store
            )
            self._product_ids = dict(query.tuples())
        return self._product_ids

    def ensure_keywords(self, display_by_norm: dict[str, str]) -> None:
        """Add the keywords not yet in the library (display form as given)."""
        if display_by_norm.keys() <= self.keyword_ids.keys():
            return
        known = self.keyword_ids
        missing = {n: d for n, d in display_by_norm.items() if n not in known}
        stamp = bulk.to_db(now())
        last_id = bulk.max_id(Keyword)
        bulk.insert_rows(
            Keyword,
            ["store", "keyword", "norm", "words", "source", "created_at", "updated_at"],
            [(self.store.id, d, n, words_of(d), "import", stamp, stamp)
             for n, d in missing.items()],
        )
        self.keywords_added += len(missing)
        known.update(Keyword.select(Keyword.norm, Keyword.id)
                     .where(Keyword.id > last_id).tuples())

    def _reload(self, model, key_field, keys: list, into: dict) -> None:
        for part in bulk.chunked(keys):
            query = model.select(key_field, model.id).where(
                (model.store == self.store) & key_field.in_(list(part))
            )
            into.update(query.tuples())


@dataclass(frozen=True)
class Kind:
    """An import kind: its columns, the key that makes a row unique, and how rows are written."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns that make a row unique in a file (keywords normalised)
    apply: Callable[[_Run, Chunk], None]
    has_period: bool = False
    description: str = ""
    stats_model: type | None = None  # stats kinds count added rows by id
    aliases: dict[str, str] = field(default_factory=dict)  # header_key → canonical column
    signature: tuple[str, ...] = ()  # header keys that identify a report layout
    period_optional: bool = False  # rows may carry a period, and need none

    def canonical(self, header: str) -> str:
        """The canonical column a header names (itself when it is no alias)."""
        key = header_key(header)
        return self.aliases.get(key, key)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _kw(record: dict, column: str = "keyword") -> tuple[str, str]:
    """(normal form, display form) of a record's keyword."""
    return _keyword_forms(record[column])


@lru_cache(maxsize=65536)
def _keyword_forms(text: str) -> tuple[str, str]:
    display = clean_display(text)
    return normalise_keyword(display), display


def _merge(existing: dict | None, incoming: dict, fields: list[str]) -> dict | None:
    """The fields to write: None when nothing changes. Unknown incoming values change nothing."""
    if existing is None:
        return {f: incoming.get(f) for f in fields}
    updates = {f: incoming[f] for f in fields if incoming.get(f) is not None
               and incoming[f] != existing.get(f)}
    return updates or None


def _write_entities(run: _Run, model, plans: list[tuple[int | None, dict]], base: dict) -> None:
    """Insert new rows (id None) and update changed ones, grouping updates by the fields set."""
    stamp = bulk.to_db(now())
    new = [p for i, p in plans if i is None]
    if new:
        fields = list(base) + list(new[0]) + ["created_at", "updated_at"]
        bulk.insert_rows(model, fields,
                         [tuple(base.values()) + tuple(p.values()) + (stamp, stamp) for p in new])
    by_fields: dict[tuple, list] = {}
    for row_id, plan in plans:
        if row_id is not None:
            by_fields.setdefault(tuple(plan), []).append(tuple(plan.values()) + (stamp, row_id))
    for fields, rows in by_fields.items():
        bulk.update_rows(model, [*fields, "updated_at"], rows)


PRODUCT_FIELDS = ["title", "category", "status", "showcase", "hot", "score", "published", "p4p"]


def _apply_products(run: _Run, chunk: Chunk) -> None:
    records = chunk.records()
    wanted_ids = sorted({rec["product_id"] for _, rec in records})
    existing: dict[str, dict] = {}
    for part in bulk.chunked(wanted_ids):
        query = Product.select(Product.id, Product.product_id, *[
            getattr(Product, f) for f in PRODUCT_FIELDS
        ]).where((Product.store == run.store) & Product.product_id.in_(list(part)))
        existing.update({r["product_id"]: r for r in query.dicts()})
    links = _product_keyword_links([r["id"] for r in existing.values()])
    # Each keyword cell's words in (normal, display) form, worked out once for the chunk.
    forms = {k: _keyword_forms(k) for _, rec in records if rec.get("keywords")
             for k in rec["keywords"]}
    plans, touched_links = [], []
    for row, rec in records:
        old = existing.get(rec["product_id"])
        if rec.get("title"):
            rec = dict(rec, title=clean_display(rec["title"]))
        elif old is None:
            run.problem(row, "title", f"is empty, and product {rec['product_id']!r} is new")
            continue
        plan = _merge(old, rec, PRODUCT_FIELDS)
        if plan and "title" in plan:
            plan["title_words"] = words_of(plan["title"])
        links_changed = False
        if rec.get("keywords") is not None:
            touched_links.append(rec)
            wanted = {run.keyword_ids.get(forms[k][0]) for k in rec["keywords"]}
            links_changed = old is None or wanted != links.get(old["id"], set())
        if old is None:
            plan["status"] = plan["status"] or "online"
            plans.append((None, {"product_id": rec["product_id"], **plan}))
            run.added += 1
        elif plan:
            plans.append((old["id"], plan))
            run.changed += 1
        elif links_changed:
            run.changed += 1
        else:
            run.unchanged += 1
    _write_entities(run, Product, plans, {"store": run.store.id})
    new_ids = [p["product_id"] for i, p in plans if i is None]
    run._reload(Product, Product.product_id, new_ids, run.product_ids)
    _sync_product_keywords(run, touched_links, forms)


def _product_keyword_links(product_ids: list[int]) -> dict[int, set[int]]:
    """product id → ids of the keywords its own keyword field lists."""
    links: dict[int, set[int]] = {}
    for part in bulk.chunked(product_ids):
        query = Coverage.select(Coverage.product, Coverage.keyword).where(
            Coverage.product.in_(list(part)) & (Coverage.source == "keyword")
        )
        for product_id, keyword_id in query.tuples():
            links.setdefault(product_id, set()).add(keyword_id)
    return links


def _sync_product_keywords(run: _Run, records: list[dict],
                           forms: dict[str, tuple[str, str]]) -> None:
    """Make each product's `keyword` coverage links exactly the keywords its row lists
    (`forms`: each keyword cell text's normal and display form)."""
    if not records:
        return
    displays: dict[str, str] = {}
    for norm, display in forms.values():
        displays.setdefault(norm, display)
    run.ensure_keywords(displays)
    product_ids = [run.product_ids[r["product_id"]] for r in records]
    current = _product_keyword_links(product_ids)
    add, remove = [], []
    stamp = bulk.to_db(now())
    for rec, pid in zip(records, product_ids, strict=True):
        wanted = {run.keyword_ids[forms[k][0]] for k in rec["keywords"]}
        have = current.get(pid, set())
        add.extend((pid, kid, "keyword", stamp) for kid in wanted - have)
        remove.extend((pid, kid) for kid in have - wanted)
    bulk.insert_rows(Coverage, ["product", "keyword", "source", "created_at"], add,
                     ignore_conflicts=["product", "keyword", "source"])
    for pid, kid in remove:
        Coverage.delete().where((Coverage.product == pid) & (Coverage.keyword == kid)
                                & (Coverage.source == "keyword")).execute()


KEYWORD_FIELDS = ["group", "search_index", "competition", "source", "status", "notes"]


def _apply_keywords(run: _Run, chunk: Chunk) -> None:
    records = chunk.records()
    norms = {_kw(rec)[0] for _, rec in records}
    existing = {}
    for part in bulk.chunked(sorted(norms)):
        query = Keyword.select(Keyword.id, Keyword.norm, *[
            getattr(Keyword, f) for f in KEYWORD_FIELDS
        ]).where((Keyword.store == run.store) & Keyword.norm.in_(list(part)))
        existing.update({r["norm"]: r for r in query.dicts()})
    plans = []
    for _, rec in records:
        norm, display = _kw(rec)
        old = existing.get(norm)
        plan = _merge(old, rec, KEYWORD_FIELDS)
        if old is None:
            plans.append((None, {"keyword": display, "norm": norm, "words": words_of(display),
                                 **plan}))
            run.added += 1
        elif plan:
            plans.append((old["id"], plan))
            run.changed += 1
        else:
            run.unchanged += 1
    _write_entities(run, Keyword, plans, {"store": run.store.id})
    run._reload(Keyword, Keyword.norm, [p["norm"] for i, p in plans if i is None],
                run.keyword_ids)


def _apply_coverage(run: _Run, chunk: Chunk) -> None:
    records = chunk.records()
    run.ensure_keywords(dict(_kw(rec) for _, rec in records))
    wanted = []
    for row, rec in records:
        pid = run.product_ids.get(rec["product_id"])
        if pid is None:
            run.problem(row, "product_id", f"unknown product {rec['product_id']!r} "
                        "(import it with `kwtrack import products` first)")
            continue
        wanted.append((pid, run.keyword_ids[_kw(rec)[0]], rec.get("source") or "manual"))
    have = set()
    for part in bulk.chunked(sorted({w[0] for w in wanted})):
        query = Coverage.select(Coverage.product, Coverage.keyword, Coverage.source).where(
            Coverage.product.in_(list(part)))
        have.update(query.tuples())
    new = [w for w in wanted if w not in have]
    run.added += len(new)
    run.unchanged += len(wanted) - len(new)
    stamp = bulk.to_db(now())
    bulk.insert_rows(Coverage, ["product", "keyword", "source", "created_at"],
                     [(*w, stamp) for w in new])


BID_FIELDS = ["group", "status", "bid", "base_price", "stars", "target_position"]


def _apply_p4p(run: _Run, chunk: Chunk) -> None:
    records = chunk.records()
    run.ensure_keywords(dict(_kw(rec) for _, rec in records))
    ids = {run.keyword_ids[_kw(rec)[0]] for _, rec in records}
    existing = {}
    for part in bulk.chunked(sorted(ids)):
        query = Bid.select(Bid.id, Bid.keyword, *[getattr(Bid, f) for f in BID_FIELDS]).where(
            Bid.keyword.in_(list(part)))
        existing.update({r["keyword"]: r for r in query.dicts()})
    plans, history = [], []
    for _, rec in records:
        kid = run.keyword_ids[_kw(rec)[0]]
        old = existing.get(kid)
        plan = _merge(old, rec, BID_FIELDS)
        if old is None:
            plan["status"] = plan["status"] or "active"
            plans.append((None, {"keyword": kid, **plan}))
            run.added += 1
        elif plan:
            plans.append((old["id"], plan))
            run.changed += 1
        else:
            run.unchanged += 1
            continue
        if old is None or "bid" in plan or "status" in plan:
            history.append((kid, old, plan))
    stamp = bulk.to_db(now())
    new = [p for i, p in plans if i is None]
    if new:
        fields = ["keyword", *BID_FIELDS, "updated_at"]
        bulk.insert_rows(Bid, fields, [tuple(p.get(f) for f in fields[:-1]) + (stamp,)
                                       for p in new])
    for row_id, plan in plans:
        if row_id is not None:
            bulk.update_rows(Bid, [*plan, "updated_at"], [(*plan.values(), stamp, row_id)])
    bid_ids = dict(Bid.select(Bid.keyword, Bid.id).where(
        Bid.keyword.in_([h[0] for h in history])).tuples()) if history else {}
    reason = f"import {run.path.name}"
    bulk.insert_rows(
        BidChange,
        ["bid", "old_bid", "new_bid", "old_status", "new_status", "changed_at", "reason", "batch"],
        [(bid_ids[kid],
          old and old["bid"], plan.get("bid", old and old["bid"]),
          old and old["status"], plan.get("status", old and old["status"]),
          stamp, reason, run.batch.id) for kid, old, plan in history],
    )


def _apply_stats(run: _Run, chunk: Chunk, model, owner: str, metrics: list[str],
                 owner_ids: list[int], channels: list[str] | None = None) -> None:
    """Insert or update stats rows keyed by (owner, period[, channel]), a whole chunk at once.

    Only the metrics the file has are written (the others are unknown, so they change
    nothing). Rows of a period the table had no row of before this import are plainly
    inserted, and the table's unique key itself catches one repeating an earlier row of the
    file, so a big file of new days needs no memory for that check. Rows of known periods are
    upserted, after checking them against the keys of this import's earlier upserted rows.
    """
    if run.problem_count:
        return
    periods = chunk.get("_period")
    start_of, end_of = {}, {}
    for period in dict.fromkeys(periods):
        start_of[period], end_of[period] = period.start.isoformat(), period.end.isoformat()
        run.see_period(period)
    present = [m for m in metrics if m in chunk.columns]
    columns = [owner_ids, list(map(start_of.__getitem__, periods)),
               list(map(end_of.__getitem__, periods))]
    if channels is not None:
        columns.append(channels)
    columns += [chunk.columns[m] for m in present]
    rows = list(zip(*columns))
    key = [owner, "period_start", "period_end"] + (["channel"] if channels is not None else [])
    fresh = {start for start in start_of.values() if run.is_fresh_period(model, start)}
    if len(fresh) in (0, len(start_of)):
        parts = [(bool(fresh), rows, chunk.numbers)]
    else:
        split: dict[bool, tuple[list, list]] = {True: ([], []), False: ([], [])}
        for row, number in zip(rows, chunk.numbers):
            part_rows, part_numbers = split[row[1] in fresh]
            part_rows.append(row)
            part_numbers.append(number)
        parts = [(f, r, n) for f, (r, n) in split.items() if r]
    for is_fresh, part, numbers in parts:
        if is_fresh:
            before = bulk.rows_changed(model)
            try:
                with bulk.statement_guard(model):
                    written = bulk.upsert_rows(model, key, present, part, convert=False,
                                               constants={"batch": run.batch.id}, fresh=True)
            except IntegrityError:
                # The rows before the failing one went in (the import fails and is undone as a
                # whole); they cannot repeat each other, so look from the failing one on.
                done = bulk.rows_changed(model) - before
                _find_repeats(run, model, key, part[done:], numbers[done:])
                continue
        else:
            keys = [row[:len(key)] for row in part]
            hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
            seen = run.upserted.setdefault(model, _SeenKeys())
            earlier = seen.earlier_rows(hashes)
            if earlier.any():
                for position in np.flatnonzero(earlier):
                    run.problem(numbers[position], None,
                                f"duplicate of row {earlier[position]}")
                continue
            seen.add(hashes, numbers)
            written = bulk.upsert_rows(model, key, present, part, convert=False,
                                       constants={"batch": run.batch.id})
        # Added rows are counted at the end of the import (ids above the starting maximum).
        run.written += written
        run.stats_rows += len(part)


def _find_repeats(run: _Run, model, key: list[str], rows: list[tuple], numbers: list[int]):
    """Note the rows of a chunk whose key an earlier row of this import wrote already; the
    import then finds the earlier rows' numbers (`_locate_repeats`)."""
    fields = [getattr(model, name) for name in key]
    written = set()
    for part in bulk.chunked(sorted({row[0] for row in rows})):
        query = model.select(*fields).where((model.batch == run.batch.id)
                                            & fields[0].in_(list(part)))
        written.update(tuple(map(bulk.to_db, found)) for found in query.tuples())
    for row, number in zip(rows, numbers):
        if row[:len(key)] in written:
            run.repeats.append((number, dict(zip(key, row))))


def _locate_repeats(run: _Run, header: list[str], period: Period | None) -> None:
    """Report each repeated row with the number of the row it repeats, read again from the
    file (this runs only for a failing file, so the import itself keeps no keys)."""
    norm_of = {kid: norm for norm, kid in run.keyword_ids.items()}
    code_of = {pid: code for code, pid in run.product_ids.items()}
    wanted: dict[tuple, int] = {}
    for number, values in run.repeats[:ImportFailed.MAX_SHOWN]:
        parts = {"_period": Period(dt.date.fromisoformat(values["period_start"]),
                                   dt.date.fromisoformat(values["period_end"])),
                 "keyword": norm_of.get(values.get("keyword")),
                 "product_id": code_of.get(values.get("product")),
                 "channel": values.get("channel")}
        wanted[tuple(parts[name] for name in run.kind.key)] = number
    first: dict[tuple, int] = {}
    for chunk in _chunks(run.kind, header, open_table(run.path).rows, period):
        for key, number in zip(_row_keys(chunk, run.kind.key), chunk.numbers):
            if key in wanted and key not in first:
                first[key] = number
        if len(first) == len(wanted):
            break
    for key, number in sorted(wanted.items(), key=itemgetter(1)):
        run.problem(number, None, f"duplicate of row {first.get(key, '?')}")
    if len(run.repeats) > len(wanted):
        run.problem_count += len(run.repeats) - len(wanted)


def chunk_keyword_ids(run: _Run, chunk: Chunk) -> list[int]:
    """Each row's Keyword.id, adding the keywords the library does not have yet."""
    norms, displays = chunk.keyword_forms()
    run.ensure_keywords(displays)
    return list(map(run.keyword_ids.__getitem__, norms))


PRODUCT_METRICS = ["impressions", "clicks", "visitors", "favorites", "inquiries", "tm_chats",
                   "orders", "shares", "search_impressions", "search_clicks",
                   "marketing_impressions", "marketing_clicks", "promotion_impressions",
                   "promotion_clicks"]
KEYWORD_METRICS = ["impressions", "clicks", "inquiries", "spend", "avg_position", "search_index"]


def _apply_product_stats(run: _Run, chunk: Chunk,
                         metrics: list[str] = PRODUCT_METRICS) -> None:
    ids = list(map(run.product_ids.get, chunk.get("product_id")))
    if None in ids:
        for number, product_id, pid in zip(chunk.numbers, chunk.get("product_id"), ids):
            if pid is None:
                run.problem(number, "product_id", f"unknown product {product_id!r} "
                            "(import it with `kwtrack import products` first)")
        return
    _apply_stats(run, chunk, ProductStat, "product", metrics, ids)


def _apply_keyword_stats(run: _Run, chunk: Chunk) -> None:
    channels = chunk.get("channel")
    if None in channels:
        channels = ["organic" if c is None else c for c in channels]
    _apply_stats(run, chunk, KeywordStat, "keyword", KEYWORD_METRICS,
                 chunk_keyword_ids(run, chunk), channels)


_STATUS = choice("online", "offline", aliases={"on": "online", "off": "offline",
                                               "上架": "online", "下架": "offline"})
_PERIOD_COLUMNS = (
    Column("date", parse_date),
    Column("period_start", parse_date),
    Column("period_end", parse_date),
)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "products",
            (
                Column("product_id", parse_text, True),
                Column("title", parse_text, True),
                Column("category", parse_text),
                Column("status", _STATUS),
                Column("showcase", parse_bool),
                Column("hot", parse_bool),
                Column("score", parse_float),
                Column("keywords", split_keywords),
                Column("published", parse_date),
            ),
            key=("product_id",),
            apply=_apply_products,
            description="the store's listings",
        ),
        Kind(
            "keywords",
            (
                Column("keyword", parse_text, True),
                Column("group", parse_text),
                Column("search_index", parse_float),
                Column("competition", parse_float),
                Column("source", parse_text),
                Column("status", parse_text),
                Column("notes", parse_text),
            ),
            key=("keyword",),
            apply=_apply_keywords,
            description="the keyword library",
        ),
        Kind(
            "coverage",
            (
                Column("product_id", parse_text, True),
                Column("keyword", parse_text, True),
                Column("source", choice("manual", "search"), default="manual"),
            ),
            key=("product_id", "keyword", "source"),
            apply=_apply_coverage,
            description="which product covers which keyword",
        ),
        Kind(
            "product-stats",
            (
                Column("product_id", parse_text, True),
                *_PERIOD_COLUMNS,
                *(Column(m, parse_int) for m in PRODUCT_METRICS),
            ),
            key=("product_id", "_period"),
            apply=_apply_product_stats,
            has_period=True,
            stats_model=ProductStat,
            description="products' numbers per day or period",
        ),
        Kind(
            "keyword-stats",
            (
                Column("keyword", parse_text, True),
                *_PERIOD_COLUMNS,
                Column("week", parse_date),
                Column("channel", choice("organic", "p4p", aliases={"直通车": "p4p",
                                                                    "自然": "organic"}),
                       default="organic"),
                Column("impressions", parse_int),
                Column("clicks", parse_int),
                Column("inquiries", parse_int),
                Column("spend", parse_float),
                Column("avg_position", parse_float),
                Column("search_index", parse_float),
            ),
            key=("keyword", "_period", "channel"),
            apply=_apply_keyword_stats,
            has_period=True,
            stats_model=KeywordStat,
            description="keywords' numbers per week or period, organic or p4p",
        ),
        Kind(
            "p4p",
            (
                Column("keyword", parse_text, True),
                Column("group", parse_text),
                Column("status", choice("active", "paused", aliases={
                    "on": "active", "off": "paused", "推广中": "active", "暂停": "paused",
                    "已暂停": "paused"})),
                Column("bid", parse_float),
                Column("base_price", parse_float),
                Column("stars", parse_int),
                Column("target_position", parse_int),
            ),
            key=("keyword",),
            apply=_apply_p4p,
            description="P4P keyword bids",
        ),
    )
}


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
            forms = {text: _keyword_forms(text) for text in dict.fromkeys(values)}
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
            norm, display = _keyword_forms(text)
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
            if convert is int or math.isfinite(sum(parsed)):
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


class _SeenKeys:
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


def _row_keys(chunk: Chunk, names: tuple[str, ...]) -> list[tuple]:
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


def _chunks(kind: Kind, header: list[str], rows: Iterator[tuple[int, list[str]]],
            default_period: Period | None) -> Iterator[Chunk]:
    """The file's rows as parsed chunks; the rows with a bad cell, no period or a duplicate key
    are left out of them and reported in their `problems`.

    This is the import's hot loop, run a column at a time: only a column that fails to parse
    in one go is parsed again cell by cell, to say which cell is wrong and why. It needs no
    database, so a large file can be parsed in a second process while this one writes.
    """
    specs = {c.name: c for c in kind.columns}
    positions = [(i, specs[kind.canonical(h)]) for i, h in enumerate(header)
                 if kind.canonical(h) in specs]
    width = max([i for i, _ in positions] + [0]) + 1
    wants_period = kind.has_period or kind.period_optional
    # A stats table's unique key (or, for known periods, `_apply_stats`) finds rows repeating
    # a row of an earlier chunk; other kinds remember the keys here.
    seen = _SeenKeys() if kind.stats_model is None else None
    memos: list[dict] = [{} for _ in positions]
    keywords = _KeywordMemo()
    while raw := list(islice(rows, CHUNK_ROWS)):
        numbers = list(map(itemgetter(0), raw))
        cells = list(map(itemgetter(1), raw))
        del raw
        if min(map(len, cells)) < width:
            cells = [c if len(c) >= width else c + [""] * (width - len(c)) for c in cells]
        numbers, cells = _without_blank_and_totals(numbers, cells)
        if not numbers:
            continue
        problems: list[tuple] = []  # (position in chunk, column order, column, message)
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
        if wants_period:
            periods = _periods(kind, chunk.columns, len(chunk), default_period)
            if any(isinstance(v, str) for v in set(periods)):
                problems += [(p, after, None, v) for p, v in enumerate(periods)
                             if isinstance(v, str)]
            chunk.columns["_period"] = periods
        keys = _row_keys(chunk, kind.key)
        repeats: dict[int, int] = {}  # position → position of the row it repeats
        if len(set(keys)) < len(keys):
            first_of: dict[tuple, int] = {}
            for p, key in enumerate(keys):
                repeats[p] = first_of.setdefault(key, p)
            repeats = {p: first for p, first in repeats.items() if first != p}
        problems += [(p, after, None, f"duplicate of row {chunk.numbers[first]}")
                     for p, first in repeats.items()]
        if seen is not None:
            hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
            earlier = seen.earlier_rows(hashes)
            if earlier.any():
                problems += [(int(p), after, None, f"duplicate of row {earlier[p]}")
                             for p in np.flatnonzero(earlier) if p not in repeats]
        chunk, more, keep = _without_problems(chunk, problems)
        if seen is not None:
            seen.add(hashes if keep is None else hashes[keep], chunk.numbers)
        chunk.problems = [(row, column, message) for row, _, column, message
                          in sorted(reported + more, key=itemgetter(0, 1))]
        yield chunk


def _without_problems(chunk: Chunk, problems: list[tuple]):
    """The chunk less the rows with problems, the problems by row number, the rows kept."""
    if not problems:
        return chunk, [], None
    bad = {p for p, *_ in problems}
    keep = [p for p in range(len(chunk)) if p not in bad]
    return (chunk.subset(keep),
            [(chunk.numbers[p], order, column, message) for p, order, column, message in problems],
            keep)


def _check_header(path: Path, kind: Kind, header: list[str], row: int = 1) -> tuple[str, ...]:
    """Fail on missing required columns; return the columns this kind ignores."""
    found = {kind.canonical(h) for h in header}
    missing = [c.name for c in kind.columns if c.required and c.name not in found]
    if missing:
        raise ImportFailed([f"{path.name}:{row}: missing column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)} for {kind.name} "
                            f"(found: {', '.join(h.strip() for h in header) or 'nothing'})"])
    known = set(kind.column_names)
    return tuple(h.strip() for h in header if kind.canonical(h) not in known and h.strip())


BACKGROUND_BYTES = 1 << 20  # files at least this big are parsed in a second process


def _parse_in_background(path: Path) -> bool:
    """Whether to parse this file in a second process: a big file, on Linux (macOS can fork
    but its system libraries are not safe to use after it; Windows cannot), from a program
    with no other threads (forking those is unsafe)."""
    return (path.stat().st_size >= BACKGROUND_BYTES and threading.active_count() == 1
            and sys.platform.startswith("linux"))


def _in_background(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """The same chunks, parsed by a forked second process while this one writes.

    Parsing and writing each take about half of an import's time, and a machine has more than
    one core: this nearly doubles the rows a second. The worker reads the file and never
    touches the database; it stays at most a chunk or two ahead (the pipe blocks), so memory
    stays flat. A worker's error arrives as the same KwtrackError it raised.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_send_chunks, args=(chunks, sender), daemon=True)
    worker.start()
    sender.close()
    try:
        while True:
            try:
                item = receiver.recv()
            except EOFError:
                raise KwtrackError("the process parsing the file stopped unexpectedly") from None
            if item is None:
                break
            if isinstance(item, tuple):  # ("error", message) or ("crash", message)
                kind, message = item
                raise KwtrackError(message) if kind == "error" else RuntimeError(message)
            yield item
        worker.join()
    finally:
        if worker.is_alive():
            worker.kill()
            worker.join()
        receiver.close()


def _send_chunks(chunks: Iterator[Chunk], sender) -> None:
    """The worker's side of `_in_background`: every chunk, then None (or the error)."""
    try:
        for chunk in chunks:
            sender.send(chunk)
        sender.send(None)
    except KwtrackError as exc:
        sender.send(("error", str(exc)))
    except BrokenPipeError:
        pass  # the importing process has stopped listening
    except Exception as exc:  # reported to the importing process, which decides what to show
        sender.send(("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


class _Rollback(Exception):
    """Raised inside the transaction to undo a dry run."""


def import_file(store: Store, kind_name: str | None, path: str | Path, *,
                dry_run: bool = False, force: bool = False, period: Period | None = None,
                progress: Callable[[int], None] | None = None,
                background: bool | None = None) -> ImportResult:
    """Import one file into the store, all or nothing.

    `kind_name` None detects the kind from the headers (Alibaba.com's report layouts included).
    A stats row's period comes from its own columns, else `period`, else the report's preamble
    (`时间周期 2026-09-13~2026-09-19`), else the file name. `progress` is called with the
    number of rows read so far, now and then. `background` parses the file in a second
    process while this one writes (None: when the file is big enough to gain). Raises
    `ImportFailed` (one line per problem, `file:row:column: message`) and leaves the database
    as it was.
    """
    from kwtrack import reports

    if kind_name is not None and kind_name not in KINDS:
        raise KwtrackError(f"unknown import kind {kind_name!r} (kinds: {', '.join(KINDS)})")
    path = Path(path)
    table = open_table(path)
    sha = _file_sha256(path)
    found = reports.find_header(table.rows, kind_name)
    if found is None and kind_name is not None:
        # No row names the kind's required columns: report on the first row as the header.
        table = open_table(path)
        number, header = next(((n, c) for n, c in table.rows if any(x.strip() for x in c)),
                              (1, []))
        if not header:
            raise ImportFailed([f"{path.name}: the file is empty"])
        found = (kind_name, number, header, [])
    if found is None:
        raise _unknown_layout(path)
    kind_name, header_row, header, preamble = found
    kind = KINDS[kind_name]
    earlier = (ImportBatch.select().where((ImportBatch.store == store)
                                          & (ImportBatch.sha256 == sha)
                                          & (ImportBatch.kind == kind.name))
               .order_by(ImportBatch.id.desc()).first())
    if earlier is not None and not force:
        return ImportResult(str(path), kind.name, skipped=(
            f"already imported on {earlier.imported_at:%Y-%m-%d %H:%M} (batch {earlier.id}); "
            "nothing changed — use --force to apply it again"), dry_run=dry_run)
    ignored = _check_header(path, kind, header, header_row)
    if kind.has_period and period is None:
        period = (reports.period_from_text(" ".join(" ".join(r) for r in preamble))
                  or reports.period_from_file_name(path))

    db = database.obj
    result = None
    try:
        with cycle_collection_paused(), db.atomic():
            batch = ImportBatch.create(store=store, file_name=path.name, sha256=sha,
                                       kind=kind.name)
            run = _Run(store, path, kind, batch)
            first_id = bulk.max_id(kind.stats_model) if kind.stats_model else 0
            rows_read = 0
            chunks = _chunks(kind, header, table.rows, period)
            if _parse_in_background(path) if background is None else background:
                chunks = _in_background(chunks)
            for chunk in chunks:
                for problem in chunk.problems:
                    run.problem(*problem)
                rows_read += len(chunk)
                if run.problem_count:
                    continue  # keep checking the rest, write nothing more
                kind.apply(run, chunk)
                if progress:
                    progress(rows_read)
            if run.repeats:
                _locate_repeats(run, header, period)
            if kind.stats_model is not None and not run.problem_count:
                run.added = bulk.count_above(kind.stats_model, first_id)
                run.changed = run.written - run.added
                run.unchanged = run.stats_rows - run.written
            if run.problem_count:
                raise ImportFailed(run.problems, run.problem_count)
            if progress:
                progress(rows_read)
            batch.rows_read = rows_read
            batch.rows_added, batch.rows_changed = run.added, run.changed
            batch.rows_unchanged = run.unchanged
            batch.period_start, batch.period_end = run.period_start, run.period_end
            batch.save()
            result = ImportResult(
                str(path), kind.name, rows_read, run.added, run.changed, run.unchanged,
                run.keywords_added, run.period_start, run.period_end, None, dry_run, ignored,
                tuple(run.notes.items()))
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result


def _unknown_layout(path: Path) -> ImportFailed:
    """The error for a file whose header row matches no kind."""
    first = next((cells for _, cells in open_table(path).rows if any(c.strip() for c in cells)), [])
    headers = ", ".join(c.strip() for c in first if c.strip()) or "nothing"
    if not first:
        return ImportFailed([f"{path.name}: the file is empty"])
    near = sorted(KINDS, key=lambda k: -len({KINDS[k].canonical(c) for c in first}
                                            & set(KINDS[k].column_names)))
    return ImportFailed([f"{path.name}: unknown layout: headers found: {headers}; it could be "
                         f"{', '.join(near[:3])} — name the KIND, or fix the headers"])
