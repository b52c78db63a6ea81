"""Loading the demo store: a footwear supplier's listings, keywords, stats and bids.

The files are the canonical CSVs in `fixtures/demo/` (shipped in the wheel), so loading the demo
also exercises the real import path.
"""

from __future__ import annotations

import datetime as dt

from kwtrack.errors import KwtrackError
from kwtrack.imports import ImportResult, import_file
from kwtrack.paths import demo_dir
from kwtrack.store.models import GrowthLevel, Keyword, P4PPlan, Product, Store, database

# Order matters: keywords and products before the links, stats and bids that name them.
DEMO_FILES = (
    ("keywords", "keywords.csv"),
    ("products", "products.csv"),
    ("coverage", "coverage.csv"),
    ("p4p", "p4p.csv"),
    ("product-stats", "product-stats.csv"),
    ("keyword-stats", "keyword-stats.csv"),
)


DEMO_STORE = "demo"
# The supplier's P4P plan: a day in China that misses the American afternoon, and a budget the
# demo's last week spent two thirds of (the weekly review's P4P plan part says both).
DEMO_PLAN = {"budget": 300.0, "hours": "08:00-23:00", "markets": "US DE GB"}
# ... and its P4P growth level as read off the back end the last two months: L3, short of L4
DEMO_GROWTH = ((dt.date(2026, 10, 20), 72.0, 3), (dt.date(2026, 11, 20), 76.0, 3))


def refresh_demo(name: str = DEMO_STORE) -> tuple[Store, list[ImportResult], bool]:
    """Create the demo store `name`, or load it afresh when it exists (its rows are deleted
    and the demo files imported again), in one transaction: no other store is touched.
    Returns the store, the imports, and whether it existed before."""
    with database.obj.atomic():
        existing = Store.get_or_none(Store.name == name)
        if existing is not None:
            Store.delete().where(Store.id == existing.id).execute()  # its rows go with it
        store = Store.create(name=name)
        return store, load_demo(store), existing is not None


def load_demo(store: Store) -> list[ImportResult]:
    """Import the demo files into an empty store, in one transaction."""
    if Product.select().where(Product.store == store).exists() or \
            Keyword.select().where(Keyword.store == store).exists():
        raise KwtrackError(f"store {store.name!r} already has data: load the demo into a new "
                           "database (--db) or another store (--store)")
    folder = demo_dir()
    with database.obj.atomic():
        results = [import_file(store, kind, folder / name) for kind, name in DEMO_FILES]
        P4PPlan.create(store=store, **DEMO_PLAN)  # (demo data, as the imports: no change)
        for day, points, level in DEMO_GROWTH:
            GrowthLevel.create(store=store, recorded_on=day, points=points, level=level)
        return results
