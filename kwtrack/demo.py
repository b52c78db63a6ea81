"""Loading the demo store: a footwear supplier's listings, keywords, stats and bids.

The files are the canonical CSVs in `fixtures/demo/` (shipped in the wheel), so loading the demo
also exercises the real import path.
"""

from __future__ import annotations

from kwtrack.errors import KwtrackError
from kwtrack.imports import ImportResult, import_file
from kwtrack.paths import demo_dir
from kwtrack.store.models import Keyword, Product, Store, database

# Order matters: keywords and products before the links, stats and bids that name them.
DEMO_FILES = (
    ("keywords", "keywords.csv"),
    ("products", "products.csv"),
    ("coverage", "coverage.csv"),
    ("p4p", "p4p.csv"),
    ("product-stats", "product-stats.csv"),
    ("keyword-stats", "keyword-stats.csv"),
)


def load_demo(store: Store) -> list[ImportResult]:
    """Import the demo files into an empty store, in one transaction."""
    if Product.select().where(Product.store == store).exists() or \
            Keyword.select().where(Keyword.store == store).exists():
        raise KwtrackError(f"store {store.name!r} already has data: load the demo into a new "
                           "database (--db) or another store (--store)")
    folder = demo_dir()
    with database.obj.atomic():
        return [import_file(store, kind, folder / name) for kind, name in DEMO_FILES]
