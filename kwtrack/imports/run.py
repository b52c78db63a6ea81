"""One import under way: its store, file, batch, caches of ids, counts and problems, and the
helpers every kind's writer shares (adding keywords, merging known values, bulk writes)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from peewee import Database

from kwtrack.errors import ImportFailed
from kwtrack.imports.chunks import Chunk, SeenKeys, describe_key, keyword_forms
from kwtrack.imports.spec import Kind, Period
from kwtrack.store import bulk
from kwtrack.store.models import (
    ImportBatch,
    ImportUndo,
    Keyword,
    Product,
    Store,
    database,
    now,
)
from kwtrack.words import group_key, spelled_group


class Run:
    """The state of one import: the store, the caches of ids, the counts and the problems."""

    def __init__(self, store: Store, path: Path, kind: Kind, batch: ImportBatch):
        self.store = store
        self.path = path
        self.kind = kind
        self.batch = batch
        self.db: Database = database.obj
        self.problems: list[str] = []
        self.problem_count = 0
        self.added = self.changed = self.unchanged = 0
        self.period_start: dt.date | None = None
        self.period_end: dt.date | None = None
        self.periods: set[Period] = set()  # the distinct stats periods of the file's rows
        self.stats_written: set[type] = set()  # the stats tables written to
        self.merged: dict[str, None] = {}  # keywords whose repeated rows were merged
        self.merged_rows = 0
        self.notes: dict[str, int] = {}  # extra counts a report layout wants to tell
        self.written = self.stats_rows = 0  # for stats kinds: rows inserted or updated
        self._keyword_ids: dict[str, int] | None = None
        self._group_spellings: dict[str, str] | None = None
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

    def keep_old_values(self, model, rows: list[tuple[int, list[str]]]) -> None:
        """Record the current values of these rows' fields (row id, fields about to be
        written), so that undoing the import restores them."""
        by_fields: dict[tuple, list[int]] = {}
        stamped = ("updated_at",) if "updated_at" in model._meta.fields else ()
        for row_id, fields in rows:
            by_fields.setdefault(tuple(fields) + stamped, []).append(row_id)
        records = []
        for fields, ids in by_fields.items():
            columns = [getattr(model, f) for f in fields]
            for part in bulk.chunked(ids):
                for row_id, *values in bulk.raw_rows(
                        model.select(model.id, *columns).where(model.id.in_(list(part)))):
                    records.append((self.batch.id, model._meta.table_name, "update", row_id,
                                    json.dumps(dict(zip(fields, values)), default=str)))
        bulk.insert_rows(ImportUndo, ["batch", "table", "action", "row_id", "data"], records)

    def keep_removed(self, model, rows: list[dict]) -> None:
        """Record rows about to be removed, so that undoing the import puts them back."""
        bulk.insert_rows(ImportUndo, ["batch", "table", "action", "row_id", "data"],
                         [(self.batch.id, model._meta.table_name, "delete", row.get("id"),
                           json.dumps(row, default=str)) for row in rows])

    def describe_key(self, values: dict) -> str:
        """A stats row's key as written (ids, ISO dates), for the user, as
        `chunks.describe_key` tells a parsed row's: ` (keyword 'shoes', 2026-11-09, …)`."""
        keyword_of = {kid: norm for norm, kid in self.keyword_ids.items()} \
            if "keyword" in values else {}
        code_of = {pid: code for code, pid in self.product_ids.items()} \
            if "product" in values else {}
        record = {"keyword": keyword_of.get(values.get("keyword")),
                  "product_id": code_of.get(values.get("product")),
                  "channel": values.get("channel")}
        if values.get("period_start"):
            record["_period"] = Period(dt.date.fromisoformat(str(values["period_start"])),
                                       dt.date.fromisoformat(str(values["period_end"])))
        names = tuple(name for name in self.kind.key if record.get(name) is not None)
        return describe_key(Chunk.from_records([(0, record)]), 0, names)

    def see_period(self, period: Period) -> None:
        """Note a stats period the file holds rows for (recorded as an ImportPeriod)."""
        self.periods.add(period)
        if self.period_start is None or period.start < self.period_start:
            self.period_start = period.start
        if self.period_end is None or period.end > self.period_end:
            self.period_end = period.end

    def spell_group(self, name: str | None) -> str | None:
        """A keyword group as the store spells it (`kwtrack.words.spelled_group`); a new
        group is spelled as its first row in the file has it."""
        if self._group_spellings is None:
            self._group_spellings = Keyword.group_spellings(self.store)
        spelled = spelled_group(name, self._group_spellings)
        if spelled is not None:
            self._group_spellings.setdefault(group_key(spelled), spelled)
        return spelled

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
        known.update(Keyword.select(Keyword.norm, Keyword.id)
                     .where(Keyword.id > last_id).tuples())

    def reload_ids(self, model, key_field, keys: list, into: dict) -> None:
        """Read the ids of rows just written (by their keys) into the cache `into`."""
        for part in bulk.chunked(keys):
            query = model.select(key_field, model.id).where(
                (model.store == self.store) & key_field.in_(list(part))
            )
            into.update(query.tuples())


def record_keyword(record: dict, column: str = "keyword") -> tuple[str, str]:
    """(normal form, display form) of a record's keyword."""
    return keyword_forms(record[column])


def merge(existing: dict | None, incoming: dict, fields: list[str]) -> dict | None:
    """The fields to write: None when nothing changes. Unknown incoming values change nothing."""
    if existing is None:
        return {f: incoming.get(f) for f in fields}
    updates = {f: incoming[f] for f in fields if incoming.get(f) is not None
               and incoming[f] != existing.get(f)}
    return updates or None


def write_entities(run: Run, model, plans: list[tuple[int | None, dict]], base: dict) -> None:
    """Insert new rows (id None) and update changed ones, grouping updates by the fields set
    (their old values kept for undoing the import)."""
    run.keep_old_values(model, [(row_id, list(plan)) for row_id, plan in plans
                                if row_id is not None])
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


def chunk_keyword_ids(run: Run, chunk: Chunk) -> list[int]:
    """Each row's Keyword.id, adding the keywords the library does not have yet."""
    norms, displays = chunk.keyword_forms()
    run.ensure_keywords(displays)
    return list(map(run.keyword_ids.__getitem__, norms))
