"""A whole kwtrack database copied into a new, empty one: the way a team moves its SQLite file
to PostgreSQL (or back) without losing anything — every store, its imports (each still
undoable), the change log (`undo` reaches back across the move), bids and their history,
review marks, plans and growth levels. Rows keep their ids, so every reference between them
holds; PostgreSQL's id sequences are then set past them.

The target gets this kwtrack's schema first (its migrations), then every table in one
transaction, a chunk of rows at a time: an error or Ctrl-C leaves no row copied. The source is
read in one transaction too, so a copy made while others work is of one moment.
"""

from __future__ import annotations

from pathlib import Path

from peewee import Database, PostgresqlDatabase, sort_models

from kwtrack.errors import KwtrackError
from kwtrack.store.bulk import execute_many, quoted, to_db
from kwtrack.store.database import (
    connect_database,
    is_url,
    pending_migrations,
    shown,
    upgrade,
)
from kwtrack.store.models import ALL_MODELS

CHUNK = 5000  # rows read and written at a time (a store's stats run to millions)


def copy_database(source: Database, target: str) -> list[tuple[str, int]]:
    """Copy every table of `source` into the database at `target` (a new SQLite file, or an
    empty PostgreSQL database); returns (table, rows) for each. Refused when `source`'s
    schema is behind this kwtrack, or when `target` holds a store already."""
    if pending_migrations(source):
        raise KwtrackError("this database's schema is behind this kwtrack: run `kwtrack db "
                           "upgrade` first")
    new_file = not is_url(target) and not Path(target).expanduser().exists()
    db = connect_database(target, create=True)
    try:
        if _holds_a_store(db):
            raise KwtrackError(f"{shown(target)} holds stores already: copy into a new, empty "
                               "database")
        upgrade(db)  # (this kwtrack's schema: the source's, checked above)
        with _snapshot(source), db.atomic():
            copied = [(model._meta.table_name, _copy_table(source, db, model))
                      for model in sort_models(ALL_MODELS)]
            if isinstance(db, PostgresqlDatabase):
                _sequences_past_the_ids(db)
    except BaseException:
        db.close()
        if new_file:  # (a file this command made, schema and all, goes with its failure)
            Path(target).expanduser().unlink(missing_ok=True)
        raise
    db.close()
    return copied


def _snapshot(source: Database):
    """One read transaction over the whole copy: an import another process commits meanwhile
    is in every table copied or in none (SQLite: a deferred one, taking no lock from the
    writers; PostgreSQL: repeatable read, one snapshot for every statement)."""
    if isinstance(source, PostgresqlDatabase):
        return source.atomic(isolation_level="REPEATABLE READ")
    return source.atomic(lock_type="DEFERRED")


def _holds_a_store(db: Database) -> bool:
    """Whether the database has a store (its `store` table looked up as its queries find
    it: on PostgreSQL, along the search path)."""
    if isinstance(db, PostgresqlDatabase):
        there = db.execute_sql("SELECT to_regclass('store') IS NOT NULL").fetchone()[0]
    else:
        there = "store" in db.get_tables()
    return bool(there) and db.execute_sql(
        f"SELECT 1 FROM {quoted(db, 'store')} LIMIT 1").fetchone() is not None


def _copy_table(source: Database, target: Database, model) -> int:
    """Copy one table's rows, each value read as its field reads it and written as the
    target's driver takes it (SQLite's 0/1 booleans, its dates as text)."""
    fields = model._meta.sorted_fields
    table = model._meta.table_name
    read = source.execute_sql(
        f"SELECT {', '.join(quoted(source, f.column_name) for f in fields)} "
        f"FROM {quoted(source, table)}")
    write = (f"INSERT INTO {quoted(target, table)} "
             f"({', '.join(quoted(target, f.column_name) for f in fields)}) "
             f"VALUES ({', '.join([target.param] * len(fields))})")
    copied = 0
    while rows := read.fetchmany(CHUNK):
        execute_many(target, write, [
            tuple(to_db(f.db_value(f.python_value(value))) for f, value in zip(fields, row))
            for row in rows], convert=False)
        copied += len(rows)
    return copied


def _sequences_past_the_ids(db: Database) -> None:
    """PostgreSQL hands out ids from a sequence per table, which rows copied with their ids
    did not move: set each past the largest id, or the next row made there would collide."""
    for model in ALL_MODELS:
        primary = model._meta.primary_key
        if getattr(primary, "field_type", None) != "AUTO":
            continue  # (a composite key: no sequence)
        table, column = quoted(db, model._meta.table_name), primary.column_name
        db.execute_sql(f"SELECT setval(pg_get_serial_sequence(%s, %s), MAX({quoted(db, column)})) "
                       f"FROM {table} HAVING MAX({quoted(db, column)}) IS NOT NULL",
                       (table, column))
