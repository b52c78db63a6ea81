"""A search index over the text a list's filter looks in, so that a filter typed in the TUI
(or `--search` on the command line) finds the rows holding it without reading every row.

- SQLite: FTS5 tables with the trigram tokenizer (SQLite 3.34 and later), one per list,
  holding no text of their own (`content=`: they index the table's columns by its row ids),
  kept up to date by triggers on every insert, delete and change of those columns.
- PostgreSQL: pg_trgm's trigram GIN indexes on the same columns; they serve ILIKE as it is.

Where neither can be made (an SQLite built without FTS5 or trigrams, a PostgreSQL role that
may not create the extension), nothing is made: the filter reads every row, as before."""

from peewee import DatabaseError, PostgresqlDatabase

# table: (search table, the columns a filter looks in)
INDEXED = {
    "keyword": ("keyword_search", ("norm", "group")),
    "product": ("product_search", ("title", "product_id", "category")),
}


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        _up_postgresql(db)
    else:
        _up_sqlite(db)


def down(migrator, db):
    for table, (search, columns) in INDEXED.items():
        if isinstance(db, PostgresqlDatabase):
            for column in columns:
                db.execute_sql(f"DROP INDEX IF EXISTS {table}_{column}_trgm")
        else:
            for event in ("insert", "delete", "update"):
                db.execute_sql(f"DROP TRIGGER IF EXISTS {search}_{event}")
            db.execute_sql(f"DROP TABLE IF EXISTS {search}")


def _up_sqlite(db):
    try:
        db.execute_sql("CREATE VIRTUAL TABLE temp.kwtrack_probe USING fts5(x, tokenize='trigram')")
        db.execute_sql("DROP TABLE temp.kwtrack_probe")
    except DatabaseError:
        return  # (no FTS5, or no trigram tokenizer: filters read every row)
    for table, (search, columns) in INDEXED.items():
        names = ", ".join(f'"{c}"' for c in columns)
        new = ", ".join(f'new."{c}"' for c in columns)
        old = ", ".join(f'old."{c}"' for c in columns)
        db.execute_sql(f"CREATE VIRTUAL TABLE {search} USING fts5({names}, content='{table}', "
                       f"content_rowid='id', tokenize='trigram')")
        add = f"INSERT INTO {search}(rowid, {names}) VALUES (new.id, {new});"
        remove = (f"INSERT INTO {search}({search}, rowid, {names}) "
                  f"VALUES ('delete', old.id, {old});")
        db.execute_sql(f"CREATE TRIGGER {search}_insert AFTER INSERT ON {table} BEGIN {add} END")
        db.execute_sql(f"CREATE TRIGGER {search}_delete AFTER DELETE ON {table} BEGIN "
                       f"{remove} END")
        db.execute_sql(f"CREATE TRIGGER {search}_update AFTER UPDATE OF {names} ON {table} "
                       f"BEGIN {remove} {add} END")
        db.execute_sql(f"INSERT INTO {search}({search}) VALUES ('rebuild')")


def _up_postgresql(db):
    try:
        with db.atomic():  # (a savepoint: a refusal leaves the migration's transaction usable)
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:  # (not available, or not allowed: filters read every row)
        return
    # (the extension may live in a schema not on this connection's search path, where an
    # earlier database user made it: its operator class is named with its schema)
    schema = db.execute_sql("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON "
                            "n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'").fetchone()[0]
    for table, (_, columns) in INDEXED.items():
        for column in columns:
            db.execute_sql(f'CREATE INDEX {table}_{column}_trgm ON {table} '
                           f'USING gin ("{column}" "{schema}".gin_trgm_ops)')
