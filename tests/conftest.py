"""Shared fixtures: every test gets its own database file and never touches the user's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kwtrack.store.database import get_store, open_database
from kwtrack.store.models import database


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


@pytest.fixture
def db_path(tmp_path) -> Path:
    """A fresh, migrated SQLite database file, opened and bound to the models."""
    path = tmp_path / "kwtrack.db"
    open_database(str(path))
    return path


@pytest.fixture
def store(db_path):
    """The default store of a fresh database."""
    return get_store(create=True)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo store loaded once per test session; tests get a copy (see `demo_db`)."""
    from kwtrack.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_database(str(path))
    load_demo(get_store(create=True))
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def demo_db(demo_template, tmp_path) -> Path:
    """A private copy of the demo database, opened and bound to the models."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    open_database(str(path))
    return path


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a test file from a dedented string."""
    import textwrap

    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
    return path
