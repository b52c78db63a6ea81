"""Bulk writes at the database driver's speed, for imports of hundreds of thousands of rows.

peewee's `insert_many` builds a fresh SQL statement for every chunk, which caps an import at a
few tens of thousands of rows a second; one prepared statement run with `executemany` is an
order of magnitude faster. These helpers build that statement from a model's metadata, so
table and column names still come from `kwtrack.store.models`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from peewee import Database, Model, PostgresqlDatabase, fn
from peewee import __exception_wrapper__ as driver_errors  # driver errors as peewee's


def quoted(db: Database, name: str) -> str:
    """A table or column name as `db` quotes it."""
    return f"{db.quote[0]}{name}{db.quote[1]}"


def _database(model: type[Model]) -> Database:
    """The model's real database (not the proxy), whose class tells the driver."""
    db = model._meta.database
    return getattr(db, "obj", db)


def _columns(model: type[Model], fields: Sequence[str]) -> list[str]:
    return [model._meta.fields[f].column_name for f in fields]


def to_db(value: object) -> object:
    """A Python value as the driver should receive it (dates as ISO text, for SQLite's sake)."""
    kind = type(value)
    if kind is dt.datetime:
        return value.isoformat(" ")
    if kind is dt.date:
        return value.isoformat()
    return value


def execute_many(db: Database, sql: str, rows: Iterable[Sequence[object]], *,
                 convert: bool = True) -> None:
    """Run one statement for every row, in the current transaction (`convert=False`: the
    values are driver-ready already, see `to_db`)."""
    rows = [tuple(map(to_db, row)) for row in rows] if convert else list(rows)
    if not rows:
        return
    cursor = db.cursor()
    if isinstance(db, PostgresqlDatabase):
        from psycopg2.extras import execute_batch

        with driver_errors:
            execute_batch(cursor, sql, rows, page_size=1000)
    else:
        with driver_errors:
            cursor.executemany(sql, rows)


def insert_rows(
    model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[object]],
    *, ignore_conflicts: Sequence[str] | None = None,
) -> None:
    """Insert rows (tuples in the order of `fields`) into the model's table.

    With `ignore_conflicts` (the unique key's fields), rows that already exist are skipped.
    """
    db = _database(model)
    table = quoted(db, model._meta.table_name)
    cols = ", ".join(quoted(db, c) for c in _columns(model, fields))
    marks = ", ".join([db.param] * len(fields))
    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
    if ignore_conflicts:
        target = ", ".join(quoted(db, c) for c in _columns(model, ignore_conflicts))
        sql += f" ON CONFLICT ({target}) DO NOTHING"
    execute_many(db, sql, rows)


def update_rows(
    model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """Update rows by primary key: each row is the `fields` values followed by the id."""
    db = _database(model)
    table = quoted(db, model._meta.table_name)
    sets = ", ".join(f"{quoted(db, c)} = {db.param}" for c in _columns(model, fields))
    pk = quoted(db, model._meta.primary_key.column_name)
    execute_many(db, f"UPDATE {table} SET {sets} WHERE {pk} = {db.param}", rows)


def chunked(items: Sequence, size: int = 500) -> Iterable[Sequence]:
    """Slices of at most `size` items: keeps IN (…) lists under every driver's limit."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def upsert_rows(
    model: type[Model], key: Sequence[str], values: Sequence[str],
    rows: Sequence[Sequence[object]], *, constants: dict[str, int] | None = None,
    convert: bool = True, fresh: bool = False,
) -> int:
    """Insert rows, or update the existing row with the same `key`; returns rows written.

    Each row holds the `key` fields, then the `values` fields. An incoming NULL never
    overwrites a stored value; a row whose values are all already stored is left alone (not
    written, not counted), so re-importing a file counts nothing written. `constants` (such as
    the import batch) are the same for every row and set whenever a row is written; they are
    written into the statement, not bound row by row. With `convert=False` the caller has
    already made every value driver-ready (see `to_db`). `fresh` says no row can exist yet
    with any of these keys, so a plain insert does.
    """
    if not rows:
        return 0
    db = _database(model)
    constants = constants or {}
    if not all(type(v) is int for v in constants.values()):
        raise TypeError("constants are written into the SQL, so they must be ints")
    table = quoted(db, model._meta.table_name)
    names = _columns(model, [*key, *values, *constants])
    cols = ", ".join(quoted(db, c) for c in names)
    marks = ", ".join([db.param] * (len(key) + len(values)) + [str(v) for v in constants.values()])
    value_cols = [quoted(db, c) for c in _columns(model, values)]
    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
    if not fresh:
        sets = [f"{c} = COALESCE(excluded.{c}, {table}.{c})" for c in value_cols]
        sets += [f"{c} = excluded.{c}" for c in (quoted(db, c) for c in _columns(model, constants))]
        differs = "IS DISTINCT FROM" if isinstance(db, PostgresqlDatabase) else "IS NOT"
        when = " OR ".join(f"(excluded.{c} IS NOT NULL AND excluded.{c} {differs} {table}.{c})"
                           for c in value_cols) or "FALSE"
        target = ", ".join(quoted(db, c) for c in _columns(model, key))
        sql += f" ON CONFLICT ({target}) DO UPDATE SET {', '.join(sets)} WHERE {when}"
    if convert:
        rows = [tuple(map(to_db, row)) for row in rows]
    if isinstance(db, PostgresqlDatabase):
        from psycopg2.extras import execute_values

        template = "(" + ", ".join(["%s"] * (len(key) + len(values))
                                   + [str(v) for v in constants.values()]) + ")"
        sql = sql.replace(f"VALUES ({marks})", "VALUES %s") + " RETURNING 1"
        with driver_errors:
            return len(execute_values(db.cursor(), sql, rows, template=template,
                                      page_size=1000, fetch=True))
    connection = db.connection()
    before = connection.total_changes
    with driver_errors:
        connection.executemany(sql, rows)
    return connection.total_changes - before


@contextmanager
def statement_guard(model: type[Model]) -> Iterator[None]:
    """Let a failing bulk statement leave the transaction usable: PostgreSQL aborts the whole
    transaction on an error, so it gets a savepoint. SQLite only undoes the failing row, and a
    savepoint there would copy every page the statement touches, a quarter of an import's time."""
    db = _database(model)
    if isinstance(db, PostgresqlDatabase):
        with db.atomic():
            yield
    else:
        yield


def rows_changed(model: type[Model]) -> int:
    """A running count of rows the connection has written (SQLite), to tell how far a failed
    `executemany` got; 0 on PostgreSQL, where the guard undoes the whole statement."""
    db = _database(model)
    return 0 if isinstance(db, PostgresqlDatabase) else db.connection().total_changes


def max_id(model: type[Model]) -> int:
    """The highest primary key in the model's table (0 when empty)."""
    return model.select(fn.MAX(model._meta.primary_key)).scalar() or 0


def count_above(model: type[Model], last_id: int) -> int:
    """How many rows were inserted after `max_id` returned `last_id`."""
    return model.select().where(model._meta.primary_key > last_id).count()


def raw_rows(query) -> list[tuple]:
    """A query's rows as the driver returns them, without peewee's per-value conversion: for
    big reads of ids, numbers and text (several times faster than `.tuples()`; dates and
    booleans come back as the driver stores them, so convert those yourself)."""
    return query.model._meta.database.execute(query).fetchall()


@contextmanager
def id_table(db: Database, name: str, ids: Iterable[int]) -> Iterator[str]:
    """A temporary table `name` (one column, `id`) holding `ids`, for joining a large set of
    ids in SQL instead of spelling them out in IN lists; dropped afterwards. Yields the table's
    quoted name. (Temporary tables belong to the connection: no other one sees it.)"""
    table = quoted(db, name)
    db.execute_sql(f"CREATE TEMPORARY TABLE {table} (id INTEGER PRIMARY KEY)")
    try:
        execute_many(db, f"INSERT INTO {table} (id) VALUES ({db.param})",
                     [(i,) for i in ids], convert=False)
        yield table
    finally:
        db.execute_sql(f"DROP TABLE {table}")
