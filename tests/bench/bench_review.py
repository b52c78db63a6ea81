"""The weekly review and the bid proposals at scale, beside a plain SQL baseline, same run.

Run: python tests/bench/bench_review.py [KEYWORDS]   (default 200,000 keywords)

The generated store has KEYWORDS keywords with 26 weeks of stats: every word organic, one
in five also P4P (about 6.2 million rows at 200,000 words), and an active bid for each P4P word.
It prints, each the median of 3 runs in fresh processes: `kwtrack review --json` and `kwtrack
bids apply-review --dry-run` as whole commands, beside two baselines — a fresh Python reading
with plain sqlite3 the stats rows of the weeks the review looks at (what a review without the
weekly roll-up must read), and those weeks' rows of the roll-up (`keyword_week`) — and what
the roll-up adds to an import: one week of it written again, as a whole process.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench import compile_kwtrack

FIRST = dt.date(2026, 5, 25)  # a Monday; 26 weeks to 2026-11-16
WEEKS = 26


def build_store(path: Path, n_keywords: int, seed: int = 3) -> None:
    """Write the generated store straight into a fresh kwtrack database (bulk SQL)."""
    from kwtrack.store import bulk, weekly
    from kwtrack.store.database import get_store, open_database
    from kwtrack.store.models import (
        Bid,
        ImportBatch,
        ImportPeriod,
        Keyword,
        KeywordStat,
        database,
    )
    from kwtrack.words import keyword_words_of

    rng = random.Random(seed)
    open_database(str(path))
    store = get_store(create=True)
    stamp = "2026-01-01 00:00:00"
    with database.obj.atomic():
        words = [f"word {i} shoes" for i in range(n_keywords)]
        bulk.insert_rows(Keyword, ["store", "keyword", "norm", "words", "group", "created_at",
                                   "updated_at"],
                         [(store.id, w, w, keyword_words_of(w), "core" if i % 50 == 0 else None,
                           stamp, stamp) for i, w in enumerate(words)])
        ids = [k for (k,) in Keyword.select(Keyword.id).order_by(Keyword.id).tuples()]
        paid = ids[::5]
        bulk.insert_rows(Bid, ["keyword", "status", "bid", "updated_at"],
                         [(k, "active", 2.0, stamp) for k in paid])
        for week in range(WEEKS):
            monday = FIRST + dt.timedelta(weeks=week)
            start, end = monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat()
            rows = []
            for k in ids:
                base = (k % 97) * 10 + rng.randint(0, 20) + (week * 30 if k % 41 == 0 else 0)
                rows.append((k, start, end, "organic", base, base // 25, k % 7 == 0 and 1 or 0,
                             None))
            for k in paid:
                clicks = 20 + (k % 13)
                rows.append((k, start, end, "p4p", clicks * 20, clicks, k % 3 and 1 or 0,
                             round(clicks * 1.7, 2)))
            bulk.insert_rows(KeywordStat, ["keyword", "period_start", "period_end", "channel",
                                           "impressions", "clicks", "inquiries", "spend"], rows)
            # as an import of the week's file records it in the import log
            batch = ImportBatch.create(store=store, file_name=f"week-{start}.csv", sha256="-",
                                       kind="keyword-stats", period_start=start,
                                       period_end=end)
            ImportPeriod.create(batch=batch, period_start=start, period_end=end)
            # and as the import's last step, its weeks' roll-up
            weekly.refresh(store, [monday])
    database.obj.close()


_BASELINE = """
import sqlite3, sys, time
start = time.perf_counter()
db = sqlite3.connect(sys.argv[1])
db.execute("SELECT keyword_id, channel, period_end, impressions, clicks, inquiries, spend, "
           "search_index FROM keyword_stat WHERE period_end >= ? AND period_end <= ?",
           (sys.argv[2], sys.argv[3])).fetchall()
print(time.perf_counter() - start)
"""
# the same weeks' rows of the weekly roll-up (what the review ranks on)
_ROLL_UP_BASELINE = """
import sqlite3, sys, time
start = time.perf_counter()
db = sqlite3.connect(sys.argv[1])
db.execute("SELECT keyword_id, week, impressions, clicks, inquiries, p4p_clicks, "
           "p4p_inquiries, p4p_spend, previous_impressions FROM keyword_week "
           "WHERE week BETWEEN ? AND ?", (sys.argv[2], sys.argv[3])).fetchall()
print(time.perf_counter() - start)
"""


# what an import of a week's rows adds: that week's roll-up written again
_REFRESH = """
import datetime as dt, sys
from kwtrack.store import weekly
from kwtrack.store.database import get_store, open_database
from kwtrack.store.models import database
open_database(sys.argv[1])
with database.obj.atomic():
    weekly.refresh(get_store(), [dt.date.fromisoformat(sys.argv[2])])
"""


def median_of(command: list[str], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(n_keywords: int) -> None:
    compile_kwtrack()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "review.db"
        start = time.perf_counter()
        build_store(path, n_keywords)
        rows = n_keywords * WEEKS * 6 // 5
        print(f"built store of {n_keywords:,} keywords, {rows:,} keyword-stat rows in "
              f"{time.perf_counter() - start:.0f} s")
        this = FIRST + dt.timedelta(weeks=WEEKS - 1)
        window = (this - dt.timedelta(weeks=3)).isoformat(), (
            this + dt.timedelta(days=6)).isoformat()
        base, rolled = (statistics.median(float(subprocess.run(
            [sys.executable, "-c", script, str(path), *window], capture_output=True,
            text=True, check=True).stdout) for _ in range(3))
            for script in (_BASELINE, _ROLL_UP_BASELINE))
        kwtrack = [sys.executable, "-m", "kwtrack", "--db", str(path)]
        review = median_of(kwtrack + ["review", "--json"])
        proposals = median_of(kwtrack + ["bids", "apply-review", "--dry-run"])
        refresh = median_of([sys.executable, "-c", _REFRESH, str(path), this.isoformat()])
        print(f"baseline, sqlite3 reading the 4 weeks' rows: {base:.2f} s; "
              f"their roll-up's rows: {rolled:.2f} s")
        print(f"an import's roll-up of one week ({n_keywords * 6 // 5:,} stats rows), "
              f"whole process: {refresh:.2f} s")
        print(f"review --json, whole command: {review:.2f} s (ratio {review / base:.1f})")
        print(f"bids apply-review --dry-run, whole command: {proposals:.2f} s "
              f"(ratio {proposals / base:.1f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
