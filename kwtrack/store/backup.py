"""Backups of an SQLite database: by hand (`kwtrack db backup`, `db restore`) and automatic,
before every migration and every delete, the last few kept in the data directory.

Copies are made with SQLite's online backup API, so they are consistent while other
connections read and write (WAL included), and restoring keeps a copy of the database it
replaces. PostgreSQL is backed up by `pg_dump` (the server's own tool) when it is installed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
from pathlib import Path

from peewee import Database, SqliteDatabase

from kwtrack.errors import KwtrackError
from kwtrack.paths import backups_dir

KEPT = 5  # automatic backups kept per database


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def backup(db: Database, target: Path | None = None) -> Path:
    """Copy the database to `target` (default: a dated file in the backups folder)."""
    if isinstance(db, SqliteDatabase):
        source = Path(db.database)
        target = target or backups_dir() / f"{source.stem}-{_stamp()}.db"
        if target.exists():
            raise KwtrackError(f"{target} already exists: pick another file")
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(target)
        try:
            db.connection().backup(dest)
        finally:
            dest.close()
        return target
    if shutil.which("pg_dump") is None:
        raise KwtrackError("backing up PostgreSQL needs pg_dump (the PostgreSQL client "
                           "tools); or use `kwtrack export` for each kind")
    target = target or backups_dir() / f"postgres-{_stamp()}.sql"
    target.parent.mkdir(parents=True, exist_ok=True)
    params = db.connect_params
    command = ["pg_dump", "--file", str(target), "--dbname", db.database]
    for flag, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            command += [flag, str(params[key])]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise KwtrackError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1]}")
    return target


def automatic_backup(db: Database, why: str) -> Path | None:
    """A backup before something that changes much (a migration, a delete), named for it;
    only the last KEPT automatic backups of the database are kept. None on PostgreSQL (its
    team backs it up with the server's own tools)."""
    if not isinstance(db, SqliteDatabase) or db.database in ("", ":memory:"):
        return None
    stem = Path(db.database).stem
    made = backup(db, backups_dir() / f"{stem}-auto-{why}-{_stamp()}.db")
    older = sorted(backups_dir().glob(f"{stem}-auto-*.db"), key=lambda p: p.stat().st_mtime)
    for old in older[:-KEPT]:
        old.unlink(missing_ok=True)
    return made


def restore(db: Database, source: Path) -> Path:
    """Replace the SQLite database's contents with the backup `source`; returns the copy of
    the database as it was (kept in the backups folder)."""
    if not isinstance(db, SqliteDatabase):
        raise KwtrackError("restore works on SQLite files; restore PostgreSQL with psql or "
                           "pg_restore from your dump")
    if not source.is_file():
        raise KwtrackError(f"{source}: no such backup file")
    try:
        check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        tables = {name for (name,) in check.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        check.close()
    except sqlite3.DatabaseError as exc:
        raise KwtrackError(f"{source}: not an SQLite database ({exc})") from None
    if not {"store", "schema_migration"} <= tables:
        raise KwtrackError(f"{source} is not a kwtrack database")
    kept = automatic_backup(db, "before-restore")
    origin = sqlite3.connect(source)
    try:
        origin.backup(db.connection())
    finally:
        origin.close()
    return kept
