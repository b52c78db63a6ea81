"""The filter's text search: the search index (migration 0011) finds exactly the rows that
reading every row finds, before and after the rows change, and the coverage the lists count
with is read again whenever the store's live products change."""

from __future__ import annotations

import pytest

from kwtrack import catalog, edits
from kwtrack.cleanup import StoreCoverage
from kwtrack.store import search
from kwtrack.store.database import get_store
from kwtrack.store.models import Keyword, Product, database

from .conftest import sqlite_only

SEARCHES = ["shoes", "SHOES", "walking sh", "men's", "a", "ho", "sli", "slip-on", "slip on",
            "core", "1600000", "sneakers 2", '"quoted"', "50%", "a_b", "女鞋", "zzzz",
            "shoe ", " lace-up"]


def _found(store, searches, index: bool) -> dict:
    """Every search's keyword and product lists, with or without the search index."""
    table = search._search_table
    try:
        if not index:
            search._search_table = lambda model: None
        return {s: ([r.keyword for r in catalog.list_keywords(store, s)],
                    [r.product_id for r in catalog.list_products(store, s)])
                for s in searches}
    finally:
        search._search_table = table


def _uses_index(monkeypatch) -> list[str]:
    """The search terms that went through the index from now on."""
    used = []
    execute = database.obj.execute_sql

    def watched(sql, params=None, *args, **kwargs):
        if " MATCH " in sql:
            used.append(params[0])
        return execute(sql, params, *args, **kwargs)

    monkeypatch.setattr(database.obj, "execute_sql", watched)
    return used


@sqlite_only  # (PostgreSQL's trigram indexes serve the same ILIKE: nothing to compare)
def test_the_index_finds_what_reading_every_row_finds(demo_db, monkeypatch):
    store = get_store()
    plain = _found(store, SEARCHES, index=False)
    used = _uses_index(monkeypatch)
    indexed = _found(store, SEARCHES, index=True)
    assert indexed == plain
    assert any(plain[s][0] for s in SEARCHES) and any(plain[s][1] for s in SEARCHES)
    # `%` and `_` are text (a keyword's own search is for its normal form: `a b` there)
    assert plain["50%"][1] == [] and plain["a_b"][1] == []
    assert used and not any('"ho"' in term for term in used)  # (under 3: every row is read)
    # Many rows holding the text: the list is read in its order instead (same rows).
    monkeypatch.setattr(search, "INDEXED_MATCHES", 5)
    assert _found(store, SEARCHES, index=True) == plain


@sqlite_only
def test_the_index_follows_every_change_of_the_rows(demo_db, monkeypatch):
    store = get_store()
    product = Product.select().where((Product.store == store) & ~Product.hot).first()
    edits.edit_product(store, product.product_id, {"title": "Qwertyuiop Trail Runner"})
    keyword = Keyword.select().where(Keyword.store == store).first()
    edits.edit_keyword(store, keyword.keyword, {"group": "xylophone"})
    edits.add_keyword(store, {"keyword": "zebra stripe slides"})
    doomed = Keyword.select().where(Keyword.store == store).order_by(Keyword.id.desc()).first()
    with database.obj.atomic():  # (a row gone for good, as an import's undo removes one)
        Keyword.delete().where(Keyword.id == doomed.id).execute()
    searches = ["qwertyuiop", "xylophone", "zebra stripe", "stripe slides",
                product.title[:12]]
    assert _found(store, searches, index=True) == _found(store, searches, index=False)
    assert _found(store, ["qwertyuiop"], index=True)["qwertyuiop"][1] == [product.product_id]
    for table in search.SEARCH_TABLES.values():  # (FTS5's own check against the rows)
        database.obj.execute_sql(f"INSERT INTO {table}({table}, rank) "
                                 f"VALUES ('integrity-check', 1)")


def test_the_lists_coverage_is_read_again_when_live_products_change(demo_db):
    store = get_store()
    first = StoreCoverage.of(store)
    assert StoreCoverage.of(store) is first  # nothing changed: the same read
    product = Product.select().where((Product.store == store) & (Product.status == "online")
                                     & ~Product.hot).first()
    edits.edit_product(store, product.product_id, {"title": product.title + " Extra"})
    second = StoreCoverage.of(store)
    assert second is not first and product.title + " Extra" in second.titles
    edits.edit_product(store, product.product_id, {"status": "offline"})
    third = StoreCoverage.of(store)
    assert third is not second and product.id not in third.place
    assert StoreCoverage.of(store) is third


@pytest.mark.parametrize("text", ["walking", "ab"])
def test_a_search_condition_is_the_plain_one_without_an_index(demo_db, text, monkeypatch):
    """Texts under 3 characters, and databases without the index, read every row."""
    monkeypatch.setattr(search, "_search_table", lambda model: None)
    condition = search.holding(Keyword, {Keyword.norm: text})
    rows = Keyword.select().where((Keyword.store == get_store()) & condition)
    assert all(text in k.norm for k in rows)
