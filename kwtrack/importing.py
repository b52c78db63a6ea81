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
from functools import lru_cache
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from peewee import Database

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
)
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

CHUNK_ROWS = 20_000
TOTALS = frozenset({"合计", "总计", "汇总", "total", "totals", "总和"})


@dataclass(frozen=True)
class Column:
    """One canonical column of an import kind."""

    name: str
    parse: Callable[[str], object]
    required: bool = False


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

    def problem(self, row: int, column: str | None, message: str) -> None:
        """Record a problem with a row; nothing is written once there is one."""
        self.problem_count += 1
        if len(self.problems) < ImportFailed.MAX_SHOWN:
            where = f"{self.path.name}:{row}" + (f":{column}" if column else "")
            self.problems.append(f"{where}: {message}")

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
        missing = {n: d for n, d in display_by_norm.items() if n not in self.keyword_ids}
        if not missing:
            return
        stamp = now()
        bulk.insert_rows(
            Keyword,
            ["store", "keyword", "norm", "source", "created_at", "updated_at"],
            [(self.store.id, d, n, "import", stamp, stamp) for n, d in missing.items()],
        )
        self.keywords_added += len(missing)
        self._reload(Keyword, Keyword.norm, list(missing), self.keyword_ids)

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
    key: Callable[[dict], tuple]
    apply: Callable[[_Run, list[tuple[int, dict]]], None]
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
    stamp = now()
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


def _apply_products(run: _Run, records: list[tuple[int, dict]]) -> None:
    wanted_ids = sorted({rec["product_id"] for _, rec in records})
    existing: dict[str, dict] = {}
    for part in bulk.chunked(wanted_ids):
        query = Product.select(Product.id, Product.product_id, *[
            getattr(Product, f) for f in PRODUCT_FIELDS
        ]).where((Product.store == run.store) & Product.product_id.in_(list(part)))
        existing.update({r["product_id"]: r for r in query.dicts()})
    links = _product_keyword_links([r["id"] for r in existing.values()])
    plans, touched_links = [], []
    for row, rec in records:
        old = existing.get(rec["product_id"])
        if rec.get("title"):
            rec = dict(rec, title=clean_display(rec["title"]))
        elif old is None:
            run.problem(row, "title", f"is empty, and product {rec['product_id']!r} is new")
            continue
        plan = _merge(old, rec, PRODUCT_FIELDS)
        links_changed = False
        if rec.get("keywords") is not None:
            touched_links.append(rec)
            wanted = {run.keyword_ids.get(normalise_keyword(k)) for k in rec["keywords"]}
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
    _sync_product_keywords(run, touched_links)


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


def _sync_product_keywords(run: _Run, records: list[dict]) -> None:
    """Make each product's `keyword` coverage links exactly the keywords its row lists."""
    if not records:
        return
    displays = {}
    for rec in records:
        for k in rec["keywords"]:
            displays.setdefault(normalise_keyword(clean_display(k)), clean_display(k))
    run.ensure_keywords(displays)
    product_ids = [run.product_ids[r["product_id"]] for r in records]
    current = _product_keyword_links(product_ids)
    add, remove = [], []
    stamp = now()
    for rec, pid in zip(records, product_ids, strict=True):
        wanted = {run.keyword_ids[normalise_keyword(clean_display(k))] for k in rec["keywords"]}
        have = current.get(pid, set())
        add.extend((pid, kid, "keyword", stamp) for kid in wanted - have)
        remove.extend((pid, kid) for kid in have - wanted)
    bulk.insert_rows(Coverage, ["product", "keyword", "source", "created_at"], add,
                     ignore_conflicts=["product", "keyword", "source"])
    for pid, kid in remove:
        Coverage.delete().where((Coverage.product == pid) & (Coverage.keyword == kid)
                                & (Coverage.source == "keyword")).execute()


KEYWORD_FIELDS = ["group", "search_index", "competition", "source", "status", "notes"]


def _apply_keywords(run: _Run, records: list[tuple[int, dict]]) -> None:
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
            plans.append((None, {"keyword": display, "norm": norm, **plan}))
            run.added += 1
        elif plan:
            plans.append((old["id"], plan))
            run.changed += 1
        else:
            run.unchanged += 1
    _write_entities(run, Keyword, plans, {"store": run.store.id})
    run._reload(Keyword, Keyword.norm, [p["norm"] for i, p in plans if i is None],
                run.keyword_ids)


def _apply_coverage(run: _Run, records: list[tuple[int, dict]]) -> None:
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
    stamp = now()
    bulk.insert_rows(Coverage, ["product", "keyword", "source", "created_at"],
                     [(*w, stamp) for w in new])


BID_FIELDS = ["group", "status", "bid", "base_price", "stars", "target_position"]


def _apply_p4p(run: _Run, records: list[tuple[int, dict]]) -> None:
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
    stamp = now()
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


def _apply_stats(run: _Run, records: list[tuple[int, dict]], model, owner: str,
                 metrics: list[str], resolve: Callable[[int, dict], int | None],
                 with_channel: bool) -> None:
    """Insert or update stats rows keyed by (owner, period[, channel])."""
    rows = []
    iso: dict[Period, tuple[str, str]] = {}
    batch_id = run.batch.id
    for row, rec in records:
        owner_id = resolve(row, rec)
        if owner_id is None:
            continue
        period: Period = rec["_period"]
        dates = iso.get(period)
        if dates is None:
            dates = iso[period] = (period.start.isoformat(), period.end.isoformat())
            run.see_period(period)
        key = (owner_id, *dates) + ((rec.get("channel") or "organic",) if with_channel else ())
        rows.append(key + tuple([rec.get(m) for m in metrics]) + (batch_id,))
    if run.problem_count:
        return
    key = [owner, "period_start", "period_end"] + (["channel"] if with_channel else [])
    written = bulk.upsert_rows(model, key, metrics, rows, always=["batch"], convert=False)
    # Added rows are counted at the end of the import (ids above the starting maximum).
    run.written += written
    run.stats_rows += len(rows)


PRODUCT_METRICS = ["impressions", "clicks", "visitors", "favorites", "inquiries", "tm_chats",
                   "orders", "shares", "search_impressions", "search_clicks",
                   "marketing_impressions", "marketing_clicks", "promotion_impressions",
                   "promotion_clicks"]
KEYWORD_METRICS = ["impressions", "clicks", "inquiries", "spend", "avg_position", "search_index"]


def _apply_product_stats(run: _Run, records: list[tuple[int, dict]],
                         metrics: list[str] = PRODUCT_METRICS) -> None:
    def resolve(row: int, rec: dict) -> int | None:
        pid = run.product_ids.get(rec["product_id"])
        if pid is None:
            run.problem(row, "product_id", f"unknown product {rec['product_id']!r} "
                        "(import it with `kwtrack import products` first)")
        return pid

    _apply_stats(run, records, ProductStat, "product", metrics, resolve, False)


def _apply_keyword_stats(run: _Run, records: list[tuple[int, dict]]) -> None:
    run.ensure_keywords(dict(_kw(rec) for _, rec in records))
    _apply_stats(run, records, KeywordStat, "keyword", KEYWORD_METRICS,
                 lambda row, rec: run.keyword_ids[_kw(rec)[0]], True)


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
            key=lambda r: (r["product_id"],),
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
            key=lambda r: (normalise_keyword(r["keyword"]),),
            apply=_apply_keywords,
            description="the keyword library",
        ),
        Kind(
            "coverage",
            (
                Column("product_id", parse_text, True),
                Column("keyword", parse_text, True),
                Column("source", choice("manual", "search")),
            ),
            key=lambda r: (r["product_id"], normalise_keyword(r["keyword"]),
                           r.get("source") or "manual"),
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
            key=lambda r: (r["product_id"], r["_period"]),
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
                                                                    "自然": "organic"})),
                Column("impressions", parse_int),
                Column("clicks", parse_int),
                Column("inquiries", parse_int),
                Column("spend", parse_float),
                Column("avg_position", parse_float),
                Column("search_index", parse_float),
            ),
            key=lambda r: (normalise_keyword(r["keyword"]), r["_period"],
                           r.get("channel") or "organic"),
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
            key=lambda r: (normalise_keyword(r["keyword"]),),
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


def _records(run: _Run, header: list[str], rows: Iterator[tuple[int, list[str]]],
             default_period: Period | None) -> Iterator[tuple[int, dict]]:
    """Parse rows into records of canonical column → value, reporting bad cells and duplicates.

    This is the import's hot loop: a row is first parsed in one go, and only a row that fails
    is parsed again cell by cell to say which cell is wrong and why.
    """
    kind = run.kind
    specs = {c.name: c for c in kind.columns}
    positions = [(i, specs[kind.canonical(h)]) for i, h in enumerate(header)
                 if kind.canonical(h) in specs]
    fast = [(i, spec.name, spec.parse) for i, spec in positions]
    required = [spec.name for _, spec in positions if spec.required]
    width = max((i for i, _ in positions), default=-1) + 1
    wants_period = kind.has_period or kind.period_optional
    periods: dict[tuple, Period | str] = {}
    seen: dict[tuple, int] = {}
    for number, cells in rows:
        first = cells[0].strip() if cells else ""
        if first:
            if first.casefold().rstrip(":：") in TOTALS:
                continue
        elif not "".join(cells).strip() or is_totals_row(cells):
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        try:
            record = {name: parse(cells[i]) for i, name, parse in fast}
            ok = all(record[name] is not None and record[name] != [] for name in required)
        except ValueError:
            ok = False
        if not ok:
            record = _record_slowly(run, number, header, positions, cells)
            if record is None:
                continue
        if wants_period:
            marks = (record.get("date"), record.get("week"), record.get("period_start"),
                     record.get("period_end"))
            period = periods.get(marks)
            if period is None:
                period = periods[marks] = row_period(record, default_period)
            if isinstance(period, str):
                if kind.has_period:
                    run.problem(number, None, period)
                    continue
                period = None
            record["_period"] = period
        key = kind.key(record)
        if key in seen:
            run.problem(number, None, f"duplicate of row {seen[key]}")
            continue
        seen[key] = number
        yield number, record


def _record_slowly(run: _Run, number: int, header: list[str], positions, cells: list[str]):
    """Parse a row cell by cell, reporting every bad or missing cell; None when any is bad."""
    record, bad = {}, False
    for i, spec in positions:
        try:
            value = spec.parse(cells[i])
        except ValueError as exc:
            run.problem(number, header[i].strip(), str(exc))
            bad = True
            continue
        if value is None or value == []:
            if spec.required:
                run.problem(number, spec.name, "is empty")
                bad = True
            value = None
        record[spec.name] = value
    return None if bad else record


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
                progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import one file into the store, all or nothing.

    `kind_name` None detects the kind from the headers (Alibaba.com's report layouts included).
    A stats row's period comes from its own columns, else `period`, else the report's preamble
    (`时间周期 2026-09-13~2026-09-19`), else the file name. `progress` is called with the
    number of rows read so far, now and then. Raises `ImportFailed` (one line per problem,
    `file:row:column: message`) and leaves the database as it was.
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
        with db.atomic():
            batch = ImportBatch.create(store=store, file_name=path.name, sha256=sha,
                                       kind=kind.name)
            run = _Run(store, path, kind, batch)
            first_id = bulk.max_id(kind.stats_model) if kind.stats_model else 0
            rows_read = 0
            chunk: list[tuple[int, dict]] = []
            for item in _records(run, header, table.rows, period):
                rows_read += 1
                if run.problem_count:
                    continue  # keep checking the rest, write nothing more
                chunk.append(item)
                if len(chunk) >= CHUNK_ROWS:
                    kind.apply(run, chunk)
                    chunk = []
                    if progress:
                        progress(rows_read)
            if chunk and not run.problem_count:
                kind.apply(run, chunk)
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
