"""The TUI's Keywords view on a store of many keywords, beside plain sqlite3 in the same run.

Run: python tests/bench/bench_tui.py [KEYWORDS]   (default 200,000 keywords)

The store is the weekly-review bench store (KEYWORDS keywords, 26 weeks of organic and P4P
stats; see bench_review.py) plus 3,000 live products whose titles hold some of the words. The
TUI runs headless (Textual's pilot) at 120×40, and each step is timed from the action its key
runs to the rows in the table (the worker's read included):
- open: the app starting until the first view (Products) shows its first rows, and until
  the Keywords table, read next, holds its first window (count, first window, covering
  products per row);
- switch: `2` (Keywords, from Products) until the screen is first painted with it: the
  first time (`switch (first)`: the view is laid out for the first time) and the median of
  seven switches back and forth (`switch`);
- details: a cursor move (`j`) on Keywords and on Products until the details pane shows the
  new row (the keyword's weeks, covering products, bid and changes; the product's keywords
  by route, found through the words index), beside sqlite3 reading what a naive pane would
  (a keyword's rows and every live title; a product's links and the whole library);
- `G`, the last row;
- sort by the last 4 weeks' impressions, largest first (`s` × 4, `S`);
- a filter (`/`, then `word 1999` as one change: a word pasted, or the last key of a word
  typed after a pause) until its rows are in the table; and `filter key`, the median of the
  same word typed a key at a time with a pause after each (every key is read at once: the
  first keys find most of the list, whose first rows show while it is counted), on the list
  in its own order.
Beside each, the baseline: plain sqlite3 running the same count and page of the same SQL
order (no covering products), so the ratio shows what the TUI adds. Medians of 3 runs, each in
a fresh process, whose memory is printed too (`memory_mb`).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench import compile_kwtrack

PRODUCTS = 3_000


def add_products(path: Path, n_keywords: int) -> None:
    """3,000 live products whose titles hold some of the store's words."""
    from kwtrack.store import bulk
    from kwtrack.store.database import get_store, open_database
    from kwtrack.store.models import Product, database

    open_database(str(path))
    store = get_store()
    stamp = "2026-01-01 00:00:00"
    with database.obj.atomic():
        titles = [f"Men's Word {i * (n_keywords // PRODUCTS)} Walking Shoes Model A{i:04d}"
                  for i in range(PRODUCTS)]
        bulk.insert_rows(Product, ["store", "product_id", "title",
                                   *Product.derived("title", ""), "status", "created_at",
                                   "updated_at"],
                         [(store.id, str(1_600_000_000_000 + i), t,
                           *Product.derived("title", t).values(), "online", stamp, stamp)
                          for i, t in enumerate(titles)])
    # A store in use has had its write-ahead log checkpointed many times over; the generated
    # one's would otherwise hold the whole database, and every read would search it.
    database.obj.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.obj.close()


async def time_steps(path: Path) -> dict[str, float]:
    """Seconds from each key press to its rows on screen."""
    from textual.widgets import Input

    from kwtrack.store.database import get_store, open_database
    from kwtrack.tui.app import KwtrackApp

    open_database(str(path))
    app = KwtrackApp(store_id=get_store().id)
    found = {}
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one("#keywords-view")
        table = view.table

        async def until(condition) -> None:
            while not condition():
                await asyncio.sleep(0.005)

        # The app opens on Products; Keywords reads its first window once Products' rows
        # are on screen.
        products = app.query_one("#products-view")
        await until(lambda: products.table.total and not products.reading)
        found["open"] = time.perf_counter() - start
        await until(lambda: table.total and not view.reading)
        found["open (Keywords)"] = time.perf_counter() - start
        await pilot.pause(0.5)
        # The app's own actions, as the keys run them: timed to the rows in the table (the
        # pilot's key presses also wait for every repaint and animation to settle).
        switches = []
        for name in ("keywords", "products") * 3 + ("keywords",):
            painted = _paint_probe(app)
            start = time.perf_counter()
            app.action_show(name)
            await until(lambda painted=painted: painted)
            switches.append(time.perf_counter() - start)
            await pilot.pause(0.5)
        found["switch (first)"] = switches[0]
        found["switch"] = statistics.median(switches)
        for name, shown in (("keywords", view), ("products", products)):
            app.action_show(name)
            await pilot.pause(0.5)
            shown.table.action_cursor_down()
            key = shown.highlighted_key()
            start = time.perf_counter()
            await until(lambda key=key, shown=shown:
                        key in shown.query_one(".details-text").source)
            found[f"details ({name})"] = time.perf_counter() - start
        app.action_show("keywords")
        await pilot.pause(0.5)
        start = time.perf_counter()
        table.action_last()
        await until(lambda: table.position == table.total - 1 and not view.reading)
        found["G"] = time.perf_counter() - start
        table.action_first()
        await until(lambda: table.position == 0 and not view.reading)
        start = time.perf_counter()
        for _ in range(4):
            view.sort(False)
        view.sort(True)
        await until(lambda: view.descending and not view.reading)
        found["sort"] = time.perf_counter() - start
        view.action_filter()
        await pilot.pause(0.5)  # (the box opens; then the operator types)
        box = view.query_one(Input)
        start = time.perf_counter()
        box.value = FILTER
        await until(lambda: view.search == FILTER and table.total < 1000 and not view.reading)
        found["filter"] = time.perf_counter() - start
        # Typed a key at a time, on the list in its own order (sorted by the weeks' sums,
        # every read sums them as the sort does).
        box.value = ""
        view.sort_column, view.descending = None, False
        view.reload()
        await until(lambda: view.search is None and not view.reading and not view.counting)
        await pilot.pause(0.5)
        keys = []
        for typed in _typed(FILTER):  # each key after a pause: each is read at once
            start = time.perf_counter()
            box.value = typed
            await until(lambda typed=typed: view.search == typed.strip() and not view.reading)
            keys.append(time.perf_counter() - start)
            await pilot.pause(0.3)
        found["filter key"] = statistics.median(keys)
    return found


FILTER = "word 1999"


def _typed(text: str) -> list[str]:
    """What the filter box holds after each key of `text` that changes the filter (a space
    at the end changes nothing)."""
    return [text[:n] for n in range(1, len(text) + 1) if not text[:n].endswith(" ")]


def _paint_probe(app) -> list[float]:
    """A list that gets the time of every screen paint from now on (Textual sends no event
    when it paints, so the screen's compositor refresh is wrapped)."""
    painted: list[float] = []
    screen = app.screen
    refresh = screen._compositor_refresh

    def timed() -> None:
        refresh()
        painted.append(time.perf_counter())

    screen._compositor_refresh = timed
    return painted


def baseline(path: Path) -> dict[str, float]:
    """The same counts and pages with plain sqlite3: what any table of this list must read."""
    from kwtrack.tui.widgets import WINDOW

    db = sqlite3.connect(path)
    found = {}

    def timed(name: str, *queries: tuple[str, tuple]) -> None:
        start = time.perf_counter()
        for sql, args in queries:
            db.execute(sql, args).fetchall()
        found[name] = time.perf_counter() - start

    count = ("SELECT COUNT(*) FROM keyword WHERE archived_at IS NULL", ())
    page = (f"SELECT * FROM keyword WHERE archived_at IS NULL ORDER BY norm LIMIT {WINDOW} "
            "OFFSET ?")
    total = db.execute(count[0]).fetchone()[0]
    timed("open", ("SELECT COUNT(*) FROM product WHERE archived_at IS NULL", ()),
          (f"SELECT * FROM product WHERE archived_at IS NULL ORDER BY product_id "
           f"LIMIT {WINDOW}", ()))
    timed("open (Keywords)", count, (page, (0,)))
    found["switch (first)"] = found["switch"] = 0.0  # (nothing to read: the rows are there)
    # Details, read the naive way: a keyword's weeks, links and every live title (to find
    # the titles holding it); a product's links and the whole library (to find the keywords
    # its title holds).
    timed("details (keywords)", ("SELECT * FROM keyword_stat WHERE keyword_id = 2", ()),
          ("SELECT * FROM coverage WHERE keyword_id = 2", ()),
          ("SELECT product_id, title, title_words FROM product WHERE status = 'online'", ()))
    timed("details (products)", ("SELECT * FROM coverage WHERE product_id = 2", ()),
          ("SELECT keyword, words FROM keyword WHERE archived_at IS NULL", ()))
    timed("G", (page, (total - WINDOW,)))
    last = db.execute("SELECT MAX(period_end) FROM keyword_stat").fetchone()[0]
    timed("sort", ("SELECT k.*, s.total FROM keyword k LEFT JOIN (SELECT keyword_id, "
                   "SUM(impressions) AS total FROM keyword_stat WHERE period_start >= "
                   "date(?, '-27 days') AND period_end <= ? GROUP BY keyword_id) s ON "
                   "s.keyword_id = k.id WHERE k.archived_at IS NULL ORDER BY s.total DESC "
                   f"NULLS LAST, k.norm LIMIT {WINDOW}", (last, last)))

    def like(text: str) -> list[tuple[str, tuple]]:
        return [("SELECT COUNT(*) FROM keyword WHERE norm LIKE ?", (f"%{text}%",)),
                (f"SELECT * FROM keyword WHERE norm LIKE ? ORDER BY norm LIMIT {WINDOW}",
                 (f"%{text}%",))]

    timed("filter", *like(FILTER))
    keys = []
    for typed in _typed(FILTER):
        timed("filter key", *like(typed))
        keys.append(found["filter key"])
    found["filter key"] = statistics.median(keys)
    db.close()
    return found


def main(n_keywords: int) -> None:
    from tests.bench.bench_review import build_store

    compile_kwtrack()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "keywords.db"
        start = time.perf_counter()
        build_store(path, n_keywords)
        add_products(path, n_keywords)
        print(f"built a store of {n_keywords:,} keywords and {PRODUCTS:,} products in "
              f"{time.perf_counter() - start:.0f} s")
        runs = [_fresh_run(path) for _ in range(3)]
        floors = [baseline(path) for _ in range(3)]
        anon = statistics.median(r.pop("anon_mb") for r in runs)
        mapped = statistics.median(r.pop("file_mb") for r in runs)
        for step in runs[0]:
            tui = statistics.median(r[step] for r in runs)
            floor = statistics.median(f[step] for f in floors)
            ratio = f"ratio {tui / floor:.1f}" if floor else "nothing to read"
            print(f"{step:>18}: TUI {tui:.3f} s, sqlite3 {floor:.3f} s ({ratio}); runs "
                  f"{', '.join(f'{r[step]:.3f}' for r in runs)}")
        print(f"{'memory':>18}: TUI process {anon:.0f} MB of its own at the end, plus "
              f"{mapped:.0f} MB of the database file mapped (page cache)")


def memory_mb() -> dict[str, float]:
    """The process's resident memory: its own (`anon_mb`) and the database file's pages it
    maps (`file_mb`: SQLite reads through mmap; those pages are the OS's page cache, shared
    and dropped under pressure), from Linux's /proc; elsewhere the peak of both (`anon_mb`)."""
    try:
        status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text()
                      .splitlines())
        return {"anon_mb": int(status["RssAnon"].split()[0]) / 1024,
                "file_mb": int(status["RssFile"].split()[0]) / 1024}
    except (OSError, KeyError, ValueError):
        import resource

        return {"anon_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "file_mb": 0.0}


def _fresh_run(path: Path) -> dict[str, float]:
    """One run of `time_steps` in a fresh Python, as the app starts for real, with the
    process's memory at the end (`memory_mb`)."""
    code = ("import asyncio, json, sys; from pathlib import Path; "
            "from tests.bench.bench_tui import memory_mb, time_steps; "
            "found = asyncio.run(time_steps(Path(sys.argv[1]))); "
            "found.update(memory_mb()); print(json.dumps(found))")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, check=True, cwd=Path(__file__).resolve().parents[2])
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
