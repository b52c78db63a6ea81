"""Opening the database (SQLite file or PostgreSQL URL) and keeping its schema current.

`open_database` is the one way in: it connects, points `kwtrack.store.models.database` at the
connection and, when the schema is behind, upgrades it (copying an SQLite file aside first) or
says what to run. Schema changes live in numbered files in `migrations/`, run by peewee's
`playhouse.migrations.Runner`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from peewee import (
    Database,
    DatabaseError,
    OperationalError,
    PostgresqlDatabase,
    ProgrammingError,
    SqliteDatabase,
)
from playhouse.migrations import Runner

from kwtrack.errors import KwtrackError
from kwtrack.paths import default_database, migrations_dir
from kwtrack.store.models import ALL_MODELS, Store, database

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,  # ms: another kwtrack (or the TUI) may be writing
    "synchronous": "normal",  # safe with WAL, and much faster for imports
    "cache_size": -64_000,  # 64 MB
    "temp_store": "memory",  # temporary b-trees of big sorts and DISTINCTs, in memory
    # Read through the OS's page cache: each TUI worker thread has a connection of its own,
    # and a fresh connection's page cache is empty (a window of 200,000 keywords read 13×
    # slower in a new thread without it).
    "mmap_size": 1 << 30,
}

# Every transaction of kwtrack's writes, so each takes the write lock as it begins and waits
# (busy_timeout) for a writer already under way. A plain BEGIN reads first and asks for the
# lock at its first write; if another process committed meanwhile, SQLite cannot wait (the
# reads would be stale) and fails at once with "database is locked" — a TUI delete made while
# an import is writing did exactly that.
SQLITE_LOCK = "IMMEDIATE"

DEFAULT_STORE = "default"


@dataclass(frozen=True)
class MigrationState:
    """One migration file and whether it has been applied."""

    name: str
    applied: bool


def is_url(target: str) -> bool:
    """True when the target is a database URL rather than a file path."""
    return "://" in target


def shown(target: str) -> str:
    """A database as messages name it: a URL's password masked (a team's URL is typed
    into shells and CI logs; what kwtrack prints must not repeat its password)."""
    if not is_url(target):
        return target
    parts = urlsplit(target)
    if parts.password is None:
        return target
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return parts._replace(netloc=user + parts.netloc.rsplit("@", 1)[1]).geturl()


_MISSING_DATABASE = re.compile(r'database "([^"]+)" does not exist')


def _driver_says(exc: Exception) -> str:
    """A driver's error in one line (PostgreSQL's span lines and pad with spaces)."""
    text = " ".join(str(exc).split())
    missing = _MISSING_DATABASE.search(text)
    if missing:
        name = missing.group(1)
        return (f"the server has no database {name!r}: make it first (createdb {name}, or "
                f"CREATE DATABASE {name}; in psql); kwtrack then makes its tables")
    if "permission denied" in text:
        return (f"{text}: use the URL of a user with rights on kwtrack's tables (the user "
                "that made them with `kwtrack init` or `kwtrack db upgrade`)")
    return text


def refusal(exc: Exception) -> str | None:
    """What the database server said, in one line, when `exc` is its refusal (a server gone
    away, a user without rights on kwtrack's tables); None for any other error (a broken
    constraint is kwtrack's own fault, said as such)."""
    refused = isinstance(exc, OperationalError) or (
        isinstance(exc, ProgrammingError) and "permission denied" in str(exc))
    return f"the database refused: {_driver_says(exc)}" if refused else None


def connect_database(target: str, *, create: bool = True) -> Database:
    """Connect to an SQLite file (path or sqlite:// URL) or a postgresql:// URL; no schema work.

    Without `create`, an SQLite file that does not exist is an error naming it (a mistyped
    --db must not become a new, empty database). A file's folder is made only for the
    default database (in the user data dir); another path's folder must exist."""
    if is_url(target):
        from playhouse.db_url import connect  # (loads the PostgreSQL driver: only for URLs)

        scheme = target.split("://", 1)[0].lower()
        if scheme.startswith("sqlite"):
            db = connect(target, pragmas=SQLITE_PRAGMAS, lock_type=SQLITE_LOCK)
        elif scheme.startswith("postgres"):
            try:
                import psycopg2  # noqa: F401
            except ImportError as exc:
                raise KwtrackError(
                    "PostgreSQL needs the psycopg2 driver: pip install 'kwtrack[postgres]'"
                ) from exc
            db = connect(target)
        else:
            raise KwtrackError(f"unsupported database URL scheme {scheme!r}: use a path, "
                               "sqlite:///PATH or postgresql://…")
    else:
        path = Path(target).expanduser()
        if path.is_dir():
            raise KwtrackError(f"{path}: is a directory, not a database file")
        if not path.exists():
            if not create:
                raise KwtrackError(f"no kwtrack database at {path}: `kwtrack init` (or "
                                   "`kwtrack demo`) creates one; --db picks another")
            if not path.parent.is_dir():
                if str(path) != default_database():
                    raise KwtrackError(f"{path}: the folder {path.parent} does not exist")
                path.parent.mkdir(parents=True, exist_ok=True)
        db = SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, lock_type=SQLITE_LOCK)
    try:
        db.connect(reuse_if_open=True)
        tables = db.get_tables()
    except Exception as exc:  # driver errors vary by backend ("file is not a database", …)
        db.close()
        raise KwtrackError(f"cannot open database {shown(target)}: {_driver_says(exc)}") \
            from exc
    if tables and "schema_migration" not in tables and "store" not in tables:
        db.close()
        raise KwtrackError(f"{shown(target)} is not a kwtrack database (it holds other tables: "
                           f"{', '.join(tables[:5])}{' …' if len(tables) > 5 else ''})")
    return db


def runner(db: Database) -> Runner:
    """The migration runner over kwtrack's migration files."""
    return Runner(db, directory=str(migrations_dir()))


def migration_status(db: Database) -> list[MigrationState]:
    """Every migration file, in order, with whether it is applied."""
    return [MigrationState(m.name, m.applied is not None) for m in runner(db).status()
            if m.path is not None]


def pending_migrations(db: Database) -> list[str]:
    """Names of the migrations not yet applied."""
    return [m.name for m in migration_status(db) if not m.applied]


def upgrade(db: Database) -> list[str]:
    """Apply pending migrations; returns their names."""
    return runner(db).up()


def _has_user_tables(db: Database) -> bool:
    return any(t in db.get_tables() for t in (m._meta.table_name for m in ALL_MODELS))


def open_database(target: str, *, upgrade_schema: bool = True, create: bool = True
                  ) -> Database:
    """Open the database at `target`, bind the models to it and bring its schema up to date
    (`create`: make it when it does not exist; the CLI does only for init and demo).

    A new database gets the whole schema. An SQLite file from an older kwtrack is backed up
    (`kwtrack.store.backup.automatic_backup`) and upgraded. A PostgreSQL database is never
    upgraded behind the team's back: the error says to run `kwtrack db upgrade`.
    """
    db = connect_database(target, create=create)
    database.initialize(db)
    if not upgrade_schema:
        return db
    try:
        pending = pending_migrations(db)
    except DatabaseError as exc:  # (a PostgreSQL user without rights on kwtrack's tables)
        db.close()
        raise KwtrackError(f"cannot use database {shown(target)}: {_driver_says(exc)}") \
            from exc
    if pending:
        if not _has_user_tables(db):
            upgrade(db)
        elif isinstance(db, SqliteDatabase):
            from kwtrack.store.backup import automatic_backup

            automatic_backup(db, "before-upgrade")
            upgrade(db)
        elif isinstance(db, PostgresqlDatabase):
            db.close()
            raise KwtrackError(
                f"the database schema is behind this kwtrack ({', '.join(pending)} pending): "
                "run `kwtrack db upgrade`"
            )
    return db


def get_store(name: str | None = None, *, create: bool = False) -> Store:
    """The store named `name` (the default store when None); create it if asked. (Only
    what makes data creates a store: reading a store that is not there is an error naming
    the stores there are, not a new empty store that shows nothing.)"""
    name = name or DEFAULT_STORE
    store = Store.get_or_none(Store.name == name)
    if store is not None:
        return store
    if create:
        store, _ = Store.get_or_create(name=name)
        return store
    known = ", ".join(s.name for s in Store.select().order_by(Store.name)) or "none"
    raise KwtrackError(f"no store named {name!r} in this database (stores: {known}); pick "
                       "one with --store NAME, or make it with `kwtrack --store NAME init`")


@contextmanager
def new_store(name: str | None) -> Iterator[Store]:
    """The store `name` (the default store when None), made for the work done in this block
    and in one transaction with it: work that fails (a bad file) or is interrupted leaves no
    empty store behind."""
    with database.obj.atomic():
        yield get_store(name, create=True)


def store_by_id(store_id: int) -> Store:
    """The store with this id (the TUI keeps the id, not the row, across workers)."""
    store = Store.get_or_none(Store.id == store_id)
    if store is None:
        raise KwtrackError(f"no store with id {store_id}")
    return store
