"""The coverage check and dupes at store scale, each beside a baseline measured in the same run.

Run: python tests/bench/bench_coverage.py [PRODUCTS]   (default 3,000 products: a real store)

The generated store has PRODUCTS products (templated titles with model codes, some relisted,
20% without codes), 4 keywords per product in the library, 12 coverage links per product and
180 days of product stats (about 20% of products with zero effect in the last 90 days): at
3,000 products that is 12,000 keywords, 36,000 links and 540,000 stats rows.

It prints, each a median of 3 runs in fresh processes, beside its baseline:
- `kwtrack coverage check --zero-effect --json` as a whole command (start, check, JSON out)
  and `kwtrack dupes --json`, beside the floor of any such command: a fresh Python that
  imports the same libraries (peewee, rapidfuzz, click), reads the rows the check reads with
  plain sqlite3 and writes them out as JSON;
- the check alone, in one process, beside plain sqlite3 reading those rows;
- `dupes`' recall of the pairs that brute-force `rapidfuzz.process.cdist` finds over a sample
  of 5,000 titles (those the model-code rule calls duplicates).
The machine is shared and noisy: compare the ratios.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench import compile_kwtrack

AS_OF = dt.date(2026, 11, 22)
NOUNS = ["Walking Shoes", "Camping Chair", "Storage Box", "Yoga Mat", "Desk Lamp", "Water Bottle",
         "Phone Case", "Backpack", "Hiking Boots", "Coffee Mug", "Sandals", "Slippers", "Tent",
         "Sunglasses", "Wallet", "Watch", "Umbrella", "Pillow", "Blanket", "Towel"]
WORDS = ["Lightweight", "Waterproof", "Portable", "Foldable", "Breathable", "Durable", "Soft",
         "Non-Slip", "Insulated", "Rechargeable", "Custom", "Wholesale", "Luxury", "Kids",
         "Men's", "Women's", "Outdoor", "Travel", "Summer", "Winter", "Cotton", "Leather"]


def build_store(path: Path, n_products: int, seed: int = 1) -> None:
    """Write the generated store straight into a fresh kwtrack database (bulk SQL)."""
    from kwtrack.store import bulk
    from kwtrack.store.database import get_store, open_database
    from kwtrack.store.models import (
        Coverage,
        Keyword,
        Product,
        ProductStat,
        database,
    )
    from kwtrack.words import normalise_keyword

    rng = random.Random(seed)
    open_database(str(path))
    store = get_store(create=True)
    stamp = "2026-01-01 00:00:00"
    n_keywords = 4 * n_products
    words = set()
    while len(words) < n_keywords:
        words.add(f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(NOUNS)}".lower()
                  + ("" if rng.random() < 0.3 else f" {rng.randint(1, 9999)}"))
    words = sorted(words)
    with database.obj.atomic():
        # Match words stored as `save` and the importers store them.
        bulk.insert_rows(Keyword, ["store", "keyword", "norm", *Keyword.derived("keyword", ""),
                                   "created_at", "updated_at"],
                         [(store.id, w, normalise_keyword(w),
                           *Keyword.derived("keyword", w).values(), stamp, stamp)
                          for w in words])
        titles = []
        codes = rng.sample(range(10000, 99999), n_products)
        i = 0
        while len(titles) < n_products:
            noun = rng.choice(NOUNS)
            base = " ".join(rng.sample(WORDS, 3))
            code = f"{rng.choice('ABKLR')}{codes[i]}"
            i += 1
            if rng.random() < 0.2:  # a title without a model code, sometimes listed twice
                titles.append(f"{base} {noun} with Gift Box {rng.choice(WORDS)}")
                if rng.random() < 0.2 and len(titles) < n_products:
                    words_ = titles[-1].split()
                    words_[0], words_[1] = words_[1], words_[0]
                    titles.append(" ".join(words_) + "s")
                continue
            titles.append(f"{base} {noun} for Outdoor Travel Model {code}")
            if rng.random() < 0.05 and len(titles) < n_products:
                titles.append(f"Factory Direct {base.split()[0]} {noun} {code} for Online Sellers")
        derived = list(Product.derived("title", ""))
        bulk.insert_rows(Product, ["store", "product_id", "title", *derived, "status",
                                   "published", "created_at", "updated_at"],
                         [(store.id, str(1_600_000_000_000 + k), t,
                           *Product.derived("title", t).values(), "online", "2025-01-01",
                           stamp, stamp) for k, t in enumerate(titles)])
        kid = dict(Keyword.select(Keyword.keyword, Keyword.id).tuples())
        pids = [p for (p,) in Product.select(Product.id).order_by(Product.id).tuples()]
        links = set()
        for p in pids:
            for w in rng.sample(words, 12):
                links.add((p, kid[w], rng.choice(["keyword"] * 4 + ["manual", "search"])))
        bulk.insert_rows(Coverage, ["product", "keyword", "source", "created_at"],
                         [(*link, stamp) for link in links])
        zero = set(rng.sample(pids, len(pids) // 5))
        first = AS_OF - dt.timedelta(days=179)
        days = [(first + dt.timedelta(days=d)).isoformat() for d in range(180)]
        rows = []
        for p in pids:
            for d, day in enumerate(days):
                effect = 0 if (p in zero and d >= 90) else rng.randint(0, 3)
                rows.append((p, day, day, effect * 10, effect, effect))
            if len(rows) > 500_000:
                bulk.insert_rows(ProductStat, ["product", "period_start", "period_end",
                                               "impressions", "clicks", "visitors"], rows)
                rows = []
        bulk.insert_rows(ProductStat, ["product", "period_start", "period_end", "impressions",
                                       "clicks", "visitors"], rows)
        from kwtrack.store.models import ImportBatch, ImportPeriod

        batch = ImportBatch.create(store=store, file_name="generated", sha256="-",
                                   kind="product-stats", period_start=first, period_end=AS_OF)
        bulk.insert_rows(ImportPeriod, ["batch", "period_start", "period_end"],
                         [(batch.id, day, day) for day in days])
    database.obj.close()


def median_of(command: list[str], repeats: int = 3) -> float:
    """Median wall time of a command run in a fresh process, its output thrown away."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def check_once(path: str) -> None:
    """One coverage check of every zero-effect product in this (fresh) process: prints its
    seconds and the counts."""
    from kwtrack.cleanup import coverage_check
    from kwtrack.store.database import get_store, open_database

    open_database(path)
    store = get_store()
    start = time.perf_counter()
    report = coverage_check(store, [], zero_effect=True, as_of=AS_OF)
    print(time.perf_counter() - start, len(report.candidates), len(report.keywords),
          len(report.orphaned))


_READ = """
import json, sqlite3, sys, time
start = time.perf_counter()
{imports}
db = sqlite3.connect(sys.argv[1])
rows = [db.execute("SELECT id, product_id, title, title_words, status FROM product").fetchall(),
        db.execute("SELECT id, keyword, words FROM keyword").fetchall(),
        db.execute("SELECT keyword_id, product_id, source FROM coverage").fetchall()]
{write}
print(time.perf_counter() - start)
"""
READING = _READ.format(imports="", write="")
COMMAND_FLOOR = _READ.format(imports="import click, peewee, rapidfuzz",
                             write="open('/dev/null', 'w').write(json.dumps(rows))")


def baseline(code: str, path: Path, repeats: int = 3) -> float:
    """Median seconds of a baseline script (READING, COMMAND_FLOOR) in fresh processes."""
    return statistics.median(
        float(subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[-1])
        for _ in range(repeats))


def main(n_products: int) -> None:
    from rapidfuzz import fuzz, process, utils

    from kwtrack.duplicates import DEFAULT_THRESHOLD, duplicate_clusters, is_duplicate
    from kwtrack.store.database import open_database
    from kwtrack.store.models import Product

    compile_kwtrack()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        start = time.perf_counter()
        build_store(path, n_products)
        print(f"built store of {n_products:,} products in {time.perf_counter() - start:.0f} s")
        kwtrack = [sys.executable, "-m", "kwtrack", "--db", str(path)]
        median_of(kwtrack + ["db", "status"], repeats=1)  # warm the file cache
        floor = baseline(COMMAND_FLOOR, path)
        check = median_of(kwtrack + ["coverage", "check", "--zero-effect", "--as-of",
                                     AS_OF.isoformat(), "--json"])
        dupes = median_of(kwtrack + ["dupes", "--json"])
        print(f"command floor (python, imports, sqlite3 reads, JSON out): {floor:.2f} s")
        print(f"coverage check --zero-effect --json, whole command: {check:.2f} s "
              f"(ratio {check / floor:.1f})")
        print(f"dupes --json, whole command: {dupes:.2f} s (ratio {dupes / floor:.1f})")

        runs = []
        for _ in range(3):
            out = subprocess.run([sys.executable, __file__, "--check-once", str(path)],
                                 capture_output=True, text=True, check=True).stdout.split()
            runs.append(float(out[0]))
        took, reading = statistics.median(runs), baseline(READING, path)
        print(f"coverage check --zero-effect: {int(out[1]):,} candidates, {int(out[2]):,} "
              f"keywords, {int(out[3]):,} orphaned: {took:.2f} s in one process; runs "
              + ", ".join(f"{t:.2f}" for t in runs))
        print(f"baseline, sqlite3 reading the products, keywords and links: {reading:.2f} s; "
              f"ratio check / baseline: {took / reading:.1f}")

        open_database(str(path))
        titles = {p: t for p, t in Product.select(Product.product_id, Product.title).tuples()}
        sample_ids = sorted(titles)[: min(len(titles), 5000)]
        sample = {i: titles[i] for i in sample_ids}
        start = time.perf_counter()
        matrix = process.cdist(list(sample.values()), list(sample.values()),
                               scorer=fuzz.token_sort_ratio, processor=utils.default_process,
                               score_cutoff=DEFAULT_THRESHOLD, workers=-1)
        brute_time = time.perf_counter() - start
        brute = {(sample_ids[a], sample_ids[b]) for a, b in zip(*matrix.nonzero(), strict=True)
                 if a < b}
        # Brute force applies no model-code rule; kwtrack does (different codes = different
        # products). Recall is over brute-force pairs that the same rule calls duplicates.
        dupes = {pair for pair in brute
                 if is_duplicate(titles[pair[0]], titles[pair[1]], DEFAULT_THRESHOLD)}
        ours = {tuple(sorted(p)) for c in duplicate_clusters(sample)
                for p in itertools.combinations(c.ids, 2)}
        recall = len(dupes & ours) / len(dupes) if dupes else 1.0
        print(f"brute-force cdist over {len(sample):,} titles: {brute_time:.2f} s, "
              f"{len(brute):,} pairs ≥ {DEFAULT_THRESHOLD:g} of which {len(dupes):,} pass the "
              f"model-code rule; kwtrack finds {recall:.1%} of those")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check-once"]:
        check_once(sys.argv[2])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 3_000)
