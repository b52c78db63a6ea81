"""The filter's text search: the rows whose fields hold what the operator typed (anywhere in
the text, in any case; `%` and `_` are plain characters), found through the search index of
migration 0011 where that is quicker than reading the rows.

On SQLite the index is an FTS5 trigram table per list (`keyword_search`, `product_search`);
on PostgreSQL, pg_trgm indexes that serve the ILIKE below themselves, so there the condition
is always the plain one."""

from __future__ import annotations

import operator
from functools import reduce

from peewee import Field, Model, SqliteDatabase, fn

from kwtrack.store.models import database

SEARCH_TABLES = {"keyword": "keyword_search", "product": "product_search"}

# Above this many rows holding the text, the list is read in its own order instead, keeping
# the rows that hold it: so many are found soon enough for a window, and the index's ids
# would only have to be sorted.
INDEXED_MATCHES = 2_000


def holding(model: type[Model], texts: dict[Field, str]):
    """A condition on `model`'s rows: any field holds its text (each field's own text: the
    keyword's normal form is searched for the normalised words)."""
    plain = reduce(operator.or_, (field.contains(text) for field, text in texts.items()))
    table = _search_table(model)
    # A trigram index finds texts of 3 characters or more.
    if table is None or min(len(text) for text in texts.values()) < 3:
        return plain
    match = " OR ".join(f'"{field.column_name}" : "{text.replace(chr(34), chr(34) * 2)}"'
                        for field, text in texts.items())
    ids = [row[0] for row in database.obj.execute_sql(
        f"SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT ?",
        (match, INDEXED_MATCHES + 1))]
    if len(ids) > INDEXED_MATCHES:
        return plain
    return model.id.in_(ids)


def in_store(model: type[Model], store):
    """A condition on `model`'s rows: in `store`; the one to use with `holding`. Nearly every
    row is in the store, and SQLite's planner is told so (`likely`): without statistics it
    takes the store's condition to be narrow, and would read the store's rows in list order
    (to save a sort) instead of fetching the few hundred rows a search found by id."""
    condition = model.store == store
    return fn.likely(condition) if isinstance(database.obj, SqliteDatabase) else condition


def _search_table(model: type[Model]) -> str | None:
    """The SQLite search table of `model`'s list, when the database has it (an SQLite without
    FTS5 trigrams has none; PostgreSQL's indexes serve ILIKE)."""
    table = SEARCH_TABLES.get(model._meta.table_name)
    if table is None or not isinstance(database.obj, SqliteDatabase):
        return None
    found = database.obj.execute_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    return table if found else None
