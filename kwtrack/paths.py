"""Where kwtrack keeps its database and finds the files it ships (migrations, demo store)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from platformdirs import user_data_path

_PACKAGE = Path(__file__).resolve().parent
_SOURCE_TREE = _PACKAGE.parent


def default_database() -> str:
    """The database URL or path: `KWTRACK_DB` if set, else a file in the user data dir."""
    env = os.environ.get("KWTRACK_DB")
    if env:
        return env
    return str(user_data_path("kwtrack", appauthor=False) / "kwtrack.db")


def backups_dir() -> Path:
    """Where backups go: `backups/` in the user data dir (`KWTRACK_BACKUPS` to override)."""
    env = os.environ.get("KWTRACK_BACKUPS")
    return Path(env) if env else user_data_path("kwtrack", appauthor=False) / "backups"


def _shipped(inside_package: str, in_source_tree: str) -> Path:
    """A folder shipped in the wheel under the package, or the source tree's in a checkout."""
    packaged = _PACKAGE / inside_package
    if packaged.is_dir():
        return packaged
    return _SOURCE_TREE / in_source_tree


def migrations_dir() -> Path:
    """The numbered migration files."""
    return _shipped("_migrations", "migrations")


def demo_dir() -> Path:
    """The demo store's canonical CSV files."""
    return _shipped("_fixtures/demo", "fixtures/demo")


@contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` to write into, which replaces `path` only once the
    block completes: an error or Ctrl-C leaves no half-written file, and an older file of
    that name as it was. (The caller checks that the folder exists.)"""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                         dir=path.parent)
    os.close(handle)
    part = Path(temporary)
    try:
        yield part
        os.chmod(part, 0o644)  # mkstemp makes it private; an export is an ordinary file
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
