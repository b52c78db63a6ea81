"""Product and keyword lists sorted in the database: the same order, filtered or not."""

from __future__ import annotations

import pytest

from kwtrack import catalog
from kwtrack.errors import KwtrackError
from kwtrack.store.database import get_store


@pytest.mark.parametrize("sort", catalog.KEYWORD_SORTS)
def test_a_filtered_keyword_list_keeps_the_whole_lists_order(demo_db, sort):
    store = get_store()
    for descending in (False, True):
        whole = catalog.list_keywords(store, sort=sort, descending=descending)
        shown = catalog.list_keywords(store, "shoes", sort=sort, descending=descending)
        assert shown and [r.keyword for r in shown] == [
            r.keyword for r in whole if "shoes" in r.keyword]
        known = [getattr(r, sort) for r in whole if getattr(r, sort, None) is not None]
        if sort not in ("keyword", "group"):
            assert known == sorted(known, reverse=descending)  # unknown values come last
            assert all(getattr(r, sort) is None for r in whole[len(known):])


def test_products_sort_and_an_unknown_sort_is_one_clear_error(demo_db):
    store = get_store()
    top = catalog.list_products(store, sort="impressions", descending=True, limit=3)
    assert [r.impressions for r in top] == sorted((r.impressions for r in top), reverse=True)
    with pytest.raises(KwtrackError, match="products sort by one of product_id, title"):
        catalog.list_products(store, sort="nope")
