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
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import numpy as np
from peewee import Database, IntegrityError

from kwtrack import bulk
from kwtrack.aside import in_background
from kwtrack.chunking import (
    Chunk,
    Column,
    Period,
    SeenKeys,
    header_key,
    keyword_forms,
    parse_in_background,
    read_chunks,
    row_keys,
)
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
    refresh_last_effect,
)
from kwtrack.pause import cycle_collection_paused
from kwtrack.reading import open_table
from kwtrack.text import clean_display
from kwtrack.values import (
    choice,
    parse_bool,
    parse_date,
    parse_float,
    parse_int,
    parse_text,
    split_keywords,
)


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
        self.stats_products: set[int] = set()  # products whose stats this import wrote
        self._keyword_ids: dict[str, int] | None = None
        self._product_ids: dict[str, int] | None = None
        self._fresh_periods: dict[tuple, bool] = {}
        self.upserted: dict[type, SeenKeys] = {}  # keys of rows upserted so far, by table
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
        derived = list(Keyword.derived("keyword", ""))  # the columns worked out from it
        bulk.insert_rows(
            Keyword, ["store", "keyword", "norm", *derived, "source", "created_at", "updated_at"],
            [(self.store.id, d, n, *Keyword.derived("keyword", d).values(), "import", stamp,
              stamp) for n, d in missing.items()],
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
    return keyword_forms(record[column])


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
    forms = {k: keyword_forms(k) for _, rec in records if rec.get("keywords")
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
            plan.update(Product.derived("title", plan["title"]))
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
            plans.append((None, {"keyword": display, "norm": norm,
                                 **Keyword.derived("keyword", display), **plan}))
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
            seen = run.upserted.setdefault(model, SeenKeys())
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
    for chunk in read_chunks(run.kind, header, open_table(run.path).rows, period):
        for key, number in zip(row_keys(chunk, run.kind.key), chunk.numbers):
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
    run.stats_products.update(ids)


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
            chunks = read_chunks(kind, header, table.rows, period)
            if parse_in_background(path) if background is None else background:
                chunks = in_background(chunks)
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
            if run.stats_products and not run.problem_count:
                refresh_last_effect(list(run.stats_products))
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
