"""Import speed: kwtrack's `import keyword-stats` against plain sqlite3 executemany, same run.

Run: python tests/bench/bench_import.py [ROWS]   (default 300,000 rows; prints medians of 3)

It also prints the import's peak memory for ROWS and for 4 × ROWS rows, each
in a fresh interpreter: memory should hardly grow with the file.

The baseline parses nothing and validates nothing: it inserts already-made tuples into a table
with the same schema and indexes, in one transaction. kwtrack reads the CSV, parses and checks
every cell, resolves keywords and upserts. The ratio kwtrack / baseline is the figure to watch.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_csv(path: Path, rows: int) -> list[tuple]:
    """A keyword-stats CSV of `rows` rows (words × weeks × 2 channels); returns its tuples."""
    words = max(1, -(-rows // 52))
    monday = dt.date(2026, 6, 1)
    out = []
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["keyword", "week", "channel", "impressions", "clicks", "inquiries", "spend"])
        n = 0
        for week in range(26):
            day = (monday + dt.timedelta(weeks=week)).isoformat()
            for i in range(words):
                for channel in ("organic", "p4p"):
                    if n >= rows:
                        return out
                    row = (f"keyword {i}", day, channel, i % 997, i % 31, i % 3,
                           round((i % 50) * 0.37, 2))
                    w.writerow(row)
                    out.append(row)
                    n += 1
    return out


def baseline(tuples: list[tuple], folder: Path) -> float:
    """Seconds for sqlite3 executemany of the same rows into the same table and indexes."""
    from kwtrack.store.database import open_database
    from kwtrack.store.models import database

    path = folder / f"base-{time.monotonic_ns()}.db"
    open_database(str(path))
    database.obj.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=normal")
    con.execute("INSERT INTO store (name, created_at) VALUES ('b', '2026-01-01')")
    ids = {}
    for word in dict.fromkeys(t[0] for t in tuples):
        ids[word] = con.execute("INSERT INTO keyword (store_id, keyword, norm, created_at, "
                                "updated_at) VALUES (1, ?, ?, '', '')", (word, word)).lastrowid
    con.commit()
    rows = [(ids[t[0]], t[1], t[1], t[2], *t[3:]) for t in tuples]
    start = time.perf_counter()
    with con:
        con.executemany("INSERT INTO keyword_stat (keyword_id, period_start, period_end, channel,"
                        " impressions, clicks, inquiries, spend) VALUES (?,?,?,?,?,?,?,?)", rows)
    took = time.perf_counter() - start
    con.close()
    return took


def kwtrack_import(csv_path: Path, folder: Path) -> float:
    """Seconds for `import_file(store, 'keyword-stats', csv)` into a fresh database."""
    from kwtrack.imports import import_file
    from kwtrack.store.database import get_store, open_database
    from kwtrack.store.models import database

    open_database(str(folder / f"kw-{time.monotonic_ns()}.db"))
    store = get_store(create=True)
    start = time.perf_counter()
    result = import_file(store, "keyword-stats", csv_path)
    took = time.perf_counter() - start
    assert result.added == result.rows_read
    database.obj.close()
    return took


_MEASURE_MEMORY = """
import sys
from kwtrack.store.database import get_store, open_database
from kwtrack.imports import import_file
open_database(sys.argv[2])
import_file(get_store(create=True), "keyword-stats", sys.argv[1])
# VmHWM is this process's own peak (ru_maxrss would carry the launching process's over exec).
own = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(own / 1024)
"""


def peak_memory_mb(rows: int, folder: Path) -> float:
    """Peak resident memory in MB of one process importing a CSV of `rows` rows."""
    path = folder / f"mem-{rows}.csv"
    make_csv(path, rows)
    out = subprocess.run([sys.executable, "-c", _MEASURE_MEMORY, str(path),
                          str(folder / f"mem-{rows}.db")], capture_output=True, text=True,
                         check=True)
    return float(out.stdout)


def run(rows: int, repeats: int = 3) -> dict:
    """Measure both, `repeats` times; return the medians and the ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tuples = make_csv(folder / "stats.csv", rows)
        ours = statistics.median(kwtrack_import(folder / "stats.csv", folder)
                                 for _ in range(repeats))
        base = statistics.median(baseline(tuples, folder) for _ in range(repeats))
    return {"rows": len(tuples), "kwtrack_rows_per_s": len(tuples) / ours,
            "sqlite3_rows_per_s": len(tuples) / base, "ratio": base / ours}


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    with tempfile.TemporaryDirectory() as tmp:
        small, big = peak_memory_mb(size, Path(tmp)), peak_memory_mb(4 * size, Path(tmp))
    figures = run(size)
    print(f"rows: {figures['rows']:,}")
    print("kwtrack import keyword-stats (CSV → SQLite): "
          f"{figures['kwtrack_rows_per_s']:>10,.0f} rows/s")
    print("sqlite3 executemany baseline (tuples → SQLite): "
          f"{figures['sqlite3_rows_per_s']:>10,.0f} rows/s")
    print(f"ratio kwtrack / baseline: {figures['ratio']:.2f} "
          "(target ≥ 0.50; kwtrack target ≥ 200,000 rows/s)")
    print(f"peak memory: {small:,.0f} MB for {size:,} rows, {big:,.0f} MB for {4 * size:,} rows")
