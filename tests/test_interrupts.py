"""Ctrl-C during a command: one line, no traceback, and an exit status that says whether the
work was committed (130: nothing was written; 0: it all went in before the interrupt)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

from click.testing import CliRunner

import kwtrack.imports as imports
from kwtrack.cli import cli
from kwtrack.store.database import get_store
from kwtrack.store.models import Store

from .conftest import ON_POSTGRES
from .test_import import dump


def _stats(path, rows: int):
    """A keyword-stats file of `rows` distinct rows: 5,000 words a week, week after week."""
    first = dt.date(2020, 1, 6)
    with path.open("w") as fh:
        fh.write("keyword,week,channel,impressions,clicks\n")
        for i in range(rows):
            week = first + dt.timedelta(weeks=i // 5000)
            fh.write(f"word {i % 5000},{week},organic,{i},{i % 7}\n")
    return path


def test_ctrl_c_during_an_import_writes_nothing_and_exits_130(store, db_path, tmp_path):
    path = _stats(tmp_path / "big.csv", 400_000)
    before = dump()
    process = subprocess.Popen([sys.executable, "-m", "kwtrack", "--db", str(db_path), "import",
                                str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    time.sleep(1.5)  # well into the import (it takes several seconds)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert err.strip() == "kwtrack: interrupted: nothing was written"
    assert "Traceback" not in err and out == ""
    assert dump() == before
    # no process of it is left, and the same import then goes in whole
    assert subprocess.run(["pgrep", "-f", str(path)], capture_output=True).stdout == b""
    again = CliRunner().invoke(cli, ["--db", str(db_path), "import", str(path)])
    assert again.exit_code == 0 and "400,000 rows, 400,000 added" in again.stdout


def test_an_interrupt_after_the_commit_says_so_and_exits_0(db_path, tmp_path, monkeypatch):
    real = imports.import_files

    def committed_then_interrupted(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    path = _stats(tmp_path / "small.csv", 10)
    monkeypatch.setattr(imports, "import_files", committed_then_interrupted)
    get_store(create=True)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "import", str(path)])
    assert result.exit_code == 0
    assert result.stderr.strip() == ("kwtrack: interrupted after the changes were committed "
                                     "(`kwtrack history` lists them)")
    # into a store the import makes: one transaction with it, so nothing went in
    result = CliRunner().invoke(cli, ["--db", str(db_path), "--store", "new", "import",
                                      str(path)])
    assert result.exit_code == 130
    assert result.stderr.strip() == "kwtrack: interrupted: nothing was written"
    assert [s.name for s in Store.select()] == ["default"]


def test_an_interrupt_before_anything_is_written_exits_130(db_path, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(imports, "import_files", interrupted)
    get_store(create=True)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "import",
                                      str(_stats(tmp_path / "s.csv", 10))])
    assert result.exit_code == 130
    assert result.stderr.strip() == "kwtrack: interrupted: nothing was written"
    assert ON_POSTGRES or os.path.exists(db_path)  # (the file is not left half-made)
