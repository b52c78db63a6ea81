"""Shared fixtures: every test gets its own database and never touches the user's.

By default each test's database is an SQLite file of its own. With KWTRACK_TEST_DATABASE_URL
set to a PostgreSQL server's database (`postgresql://postgres@127.0.0.1:5432/test`), the same
fixtures give each test a PostgreSQL database of its own instead (made from a template, dropped
afterwards), so the whole suite runs against PostgreSQL; tests of SQLite files as such (backups
of the file, PRAGMA checks, killing a writer) are marked `sqlite_only` and skipped there, with
the reason shown.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from kwtrack.store.database import connect_database, get_store, open_database
from kwtrack.store.models import database

# Who the change log says made each change: the same on every machine (the snapshots show it).
os.environ["KWTRACK_USER"] = "operator"

POSTGRES_URL = os.environ.get("KWTRACK_TEST_DATABASE_URL") or None
ON_POSTGRES = POSTGRES_URL is not None
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite file behaviour (the suite runs on "
                                                     "PostgreSQL: KWTRACK_TEST_DATABASE_URL)")


def pytest_report_header(config) -> str:
    if ON_POSTGRES:
        return f"kwtrack databases: PostgreSQL, one per test, on {POSTGRES_URL}"
    return ("kwtrack databases: SQLite files (set KWTRACK_TEST_DATABASE_URL to run the suite "
            "on PostgreSQL)")


def _url_of(name: str) -> str:
    """The test server's URL for database `name`."""
    parts = urlsplit(POSTGRES_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    """Run one statement outside a transaction on the test server's own database."""
    admin = connect_database(POSTGRES_URL)
    admin.connect(reuse_if_open=True)
    admin.connection().autocommit = True
    try:
        admin.execute_sql(sql)
    finally:
        admin.close()


def postgres_database(template: str | None = None) -> str:
    """A new PostgreSQL database (a copy of `template`, if given); returns its URL."""
    name = f"kwtrack_test_{uuid.uuid4().hex[:12]}"
    _admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    return _url_of(name)


def drop_postgres_database(url: str) -> None:
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()
    _admin(f"DROP DATABASE IF EXISTS {urlsplit(url).path.lstrip('/')} WITH (FORCE)")


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path, monkeypatch):
    """Keep tests away from $HOME and any KWTRACK_* set by the developer."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.delenv("KWTRACK_DB", raising=False)
    monkeypatch.delenv("KWTRACK_STORE", raising=False)
    monkeypatch.delenv("KWTRACK_CONFIG", raising=False)
    monkeypatch.setenv("KWTRACK_BACKUPS", str(tmp_path / "backups"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / "config"))
    yield
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory):
    """A migrated, empty database made once per session (PostgreSQL only; None on SQLite)."""
    if not ON_POSTGRES:
        yield None
        return
    url = postgres_database()
    open_database(url).close()
    yield urlsplit(url).path.lstrip("/")
    drop_postgres_database(url)


@pytest.fixture
def db_path(tmp_path, empty_template):
    """A fresh, migrated database, opened and bound to the models: an SQLite file's path, or
    on PostgreSQL (KWTRACK_TEST_DATABASE_URL) a database URL (`str(db_path)` serves both)."""
    if ON_POSTGRES:
        url = postgres_database(empty_template)
        open_database(url)
        yield url
        drop_postgres_database(url)
        return
    path = tmp_path / "kwtrack.db"
    open_database(str(path))
    yield path


@pytest.fixture
def store(db_path):
    """The default store of a fresh database."""
    return get_store(create=True)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo store loaded once per test session; tests get a copy (see `demo_db`)."""
    from kwtrack.demo import load_demo

    if ON_POSTGRES:
        url = postgres_database()
        db = open_database(url)
        load_demo(get_store(create=True))
        db.close()
        yield urlsplit(url).path.lstrip("/")
        drop_postgres_database(url)
        return
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_database(str(path))
    load_demo(get_store(create=True))
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    yield path


@pytest.fixture
def demo_db(demo_template, tmp_path):
    """A private copy of the demo database, opened and bound to the models (a path, or on
    PostgreSQL a URL)."""
    if ON_POSTGRES:
        url = postgres_database(demo_template)
        open_database(url)
        yield url
        drop_postgres_database(url)
        return
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    open_database(str(path))
    yield path


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a test file from a dedented string."""
    import textwrap

    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
    return path
