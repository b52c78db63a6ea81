"""The coverage check's engine (keyword groups, links, the title route's set intersections),
checked against a plain keyword-by-keyword reference on a generated store."""

from __future__ import annotations

import datetime as dt

import pytest

from kwtrack.cleanup import TITLE_SHOWN, coverage_check, zero_effect_products
from kwtrack.imports import import_file
from kwtrack.store.database import get_store, open_database
from kwtrack.store.models import Coverage, Keyword, Product, Store
from kwtrack.words import match_words, normalise_keyword

from .bench.bench_coverage import AS_OF, build_store
from .conftest import write_csv


@pytest.fixture
def generated(tmp_path):
    """A generated store of 400 products (templated titles, 12 links each, 20% zero effect,
    some offline or archived)."""
    path = tmp_path / "gen.db"
    build_store(path, 400, seed=7)
    open_database(str(path))
    # some products offline or archived, the last one by id among them
    from kwtrack.store.models import database

    database.execute_sql("UPDATE product SET status = 'offline' WHERE id % 29 = 0")
    database.execute_sql("UPDATE product SET archived_at = '2026-01-01 00:00:00' "
                         "WHERE id % 31 = 0 OR id = (SELECT MAX(id) FROM product)")
    # keywords found only inside a title's compound (`Non-Slip`): read whole, or not at all
    for text in ("non slip", "slip", "non slip yoga mat", "slip yoga mat", "kids non slip"):
        Keyword.create(store=get_store(), keyword=text, norm=normalise_keyword(text),
                       words=" ".join(match_words(text)))  # (no hyphen to fold)
    return get_store()


def reference(store: Store, product_ids: list[str], strict: bool = False) -> dict:
    """The check done the slow, obvious way: keyword by keyword, product by product."""
    products = list(Product.select().where(Product.store == store))
    live = [p for p in products if p.status == "online" and p.archived_at is None
            and p.product_id not in product_ids]
    doomed = [p for p in products if p.product_id in product_ids]
    keywords = list(Keyword.select().where((Keyword.store == store)
                                           & Keyword.archived_at.is_null()).order_by(Keyword.id))
    words_of = {k.id: " ".join(match_words(k.keyword.replace("-", " "))) for k in keywords}
    display: dict[str, str] = {}
    for k in keywords:
        display.setdefault(words_of[k.id], k.keyword)
    links: dict[int, set[tuple[str, str]]] = {}  # product → (words, via) of its links
    for c in Coverage.select():
        if c.keyword_id in words_of:
            links.setdefault(c.product_id, set()).add((words_of[c.keyword_id], c.source))
    # --strict: no title holds anything
    title_words = {p.id: set() if strict else set(match_words(p.title)) for p in products}

    def holds(title: set[str], words: list[str]) -> bool:
        """Each title word stands for one keyword word, or for a run of them joined by
        hyphens (a compound: `slip on` is in `slip-on`, `on` alone is not)."""
        return not words or any("-".join(words[:end]) in title and holds(title, words[end:])
                                for end in range(1, len(words) + 1))

    found = {}
    for words, shown in display.items():
        needed = words.split()
        sources = sorted(p.product_id for p in doomed if holds(title_words[p.id], needed)
                         or any(w == words for w, _ in links.get(p.id, ())))
        if not sources:
            continue
        by_link = {(p.product_id, via) for p in live for w, via in links.get(p.id, ())
                   if w == words}
        by_title = sorted(p.product_id for p in live if holds(title_words[p.id], needed))
        covered = sorted(by_link | {(pid, "title") for pid in by_title[:TITLE_SHOWN]})
        found[shown] = (sources, covered, len(by_title))
    return found


def as_found(report) -> dict:
    return {k.keyword: (list(k.from_), [(c.product_id, c.via) for c in k.covered_by],
                        k.title_matches)
            for k in report.keywords}


def test_the_check_agrees_with_a_keyword_by_keyword_reference(generated):
    candidates = [p.product_id for p in zero_effect_products(generated, as_of=AS_OF).products]
    assert 40 < len(candidates) < 200
    report = coverage_check(generated, candidates, as_of=AS_OF)
    assert as_found(report) == reference(generated, candidates)
    assert {k.keyword for k in report.orphaned} == {
        k for k, (_, covered, _) in reference(generated, candidates).items() if not covered}
    assert report.orphaned and len(report.orphaned) < len(report.keywords)
    # every route, keywords from several candidates, and a title route longer than is listed
    assert {c.via for k in report.keywords for c in k.covered_by} == {
        "keyword", "manual", "search", "title"}
    assert any(len(k.from_) > 1 for k in report.keywords)
    assert max(k.title_matches for k in report.keywords) > TITLE_SHOWN
    strict = coverage_check(generated, candidates, as_of=AS_OF, strict=True)
    assert as_found(strict) == reference(generated, candidates, strict=True)
    assert len(strict.keywords) < len(report.keywords)


def test_links_of_another_stores_products_are_not_counted(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "a.csv", (
        "product_id,title,keywords\nA1,Garden Hose Model G1,hose reel\n")))
    other = Store.create(name="other")
    # The other store's product sits between this store's ids and covers the same words.
    import_file(other, "products", write_csv(tmp_path / "b.csv", (
        "product_id,title,keywords\nB1,Kitchen Knife Model K1,hose reel\n")))
    import_file(store, "products", write_csv(tmp_path / "c.csv", (
        "product_id,title,keywords\nA2,Desk Lamp Model D2,desk lamp\n")))
    ids = [p.id for p in Product.select().order_by(Product.id)]
    assert [Product.get_by_id(i).store_id for i in ids] == [store.id, other.id, store.id]
    verdict = {k.keyword: k for k in coverage_check(store, ["A1"]).keywords}["hose reel"]
    assert verdict.orphaned and verdict.covered_by == ()


def test_keywords_of_the_same_words_are_one_keyword_shown_as_the_first(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title,keywords\n"
        "A,Garden Hose Model G1,garden hoses\n"
        "B,Kitchen Knife Model K1,garden hose\n")))
    report = coverage_check(store, ["A"])
    assert [(k.keyword, k.from_, [c.product_id for c in k.covered_by])
            for k in report.keywords] == [("garden hoses", ("A",), ["B"])]
    Keyword.update(archived_at=dt.datetime(2026, 1, 1)).where(
        Keyword.keyword == "garden hoses").execute()
    report = coverage_check(store, ["A"])  # the plural is archived; the singular remains
    assert [(k.keyword, k.orphaned) for k in report.keywords] == [("garden hose", False)]


def test_keywords_read_in_another_order_than_by_id_or_without_stored_match_words(generated):
    from kwtrack.store.models import database

    candidates = [p.product_id for p in zero_effect_products(generated, as_of=AS_OF).products]
    # A plural spelling typed later: the first spelling, by id, is the one shown.
    covered = set(reference(generated, candidates))
    first = next(k for k in Keyword.select().order_by(Keyword.id)
                 if k.keyword[-1].isalpha() and k.keyword in covered)
    Keyword.create(store=generated, keyword=first.keyword + "s",
                   norm=normalise_keyword(first.keyword + "s"))
    # Without the store index the keywords are read by (store, norm), here not by id.
    database.execute_sql("DROP INDEX keyword_store_id")
    database.execute_sql("UPDATE keyword SET norm = '!' || norm WHERE id % 7 = 0 OR id = "
                         "(SELECT MAX(id) FROM keyword)")
    ids = [i for (i,) in database.execute_sql(
        "SELECT id FROM keyword WHERE store_id = ? AND archived_at IS NULL", (generated.id,))]
    assert ids != sorted(ids)
    assert as_found(coverage_check(generated, candidates, as_of=AS_OF)) == reference(
        generated, candidates)
    # Rows whose match words were never stored (written by hand) are worked out.
    database.execute_sql("UPDATE keyword SET words = NULL WHERE id % 5 = 0")
    database.execute_sql("UPDATE product SET title_words = NULL WHERE id % 3 = 0")
    assert as_found(coverage_check(generated, candidates, as_of=AS_OF)) == reference(
        generated, candidates)


def test_a_keyword_of_punctuation_alone_covers_nothing_and_stops_nothing(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title,keywords\nA,Garden Hose Model G1,!!!|garden hose\n"
        "B,Kitchen Knife Model K1,!!!\n")))
    assert [(k.keyword, k.orphaned) for k in coverage_check(store, ["A"]).keywords] == [
        ("garden hose", True)]


def test_a_check_inside_a_transaction_sees_its_uncommitted_changes(store, tmp_path):
    from kwtrack.store.models import database

    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title,keywords\nA,Garden Hose Model G1,hose reel\n"
        "B,Kitchen Knife Model K1,hose reel\n")))
    assert not {k.keyword: k for k in coverage_check(store, ["A"]).keywords}["hose reel"].orphaned
    with database.atomic() as transaction:
        b = Product.get(Product.product_id == "B")
        Coverage.delete().where(Coverage.product == b).execute()
        verdict = {k.keyword: k for k in coverage_check(store, ["A"]).keywords}["hose reel"]
        assert verdict.orphaned
        transaction.rollback()


def test_lowest_bits_and_the_bit_set_route_agree_with_sets():
    import random

    from kwtrack.wordsets import TitleWords, lowest_bits

    assert lowest_bits(0, 10) == [] and lowest_bits(0b1010_0000_0001, 2) == [0, 9]
    rng = random.Random(5)
    titles = [tuple(w for w in ("walk", "shoe", "red", "mesh") if rng.random() < 0.6)
              + (f"code{i}",) for i in range(3000)]
    index = TitleWords(titles)
    for words in [("walk",), ("walk", "shoe"), ("walk", "shoe", "red", "mesh"), ("code7",),
                  ("walk", "nothing"), ("code7", "walk")]:
        held = [t for t, title in enumerate(titles) if set(words) <= set(title)]
        assert sorted(index.holding(words)) == held
        assert index.count_and_first([words], 10) == (len(held), held[:10])
    assert len(index.having["walk"]) > TitleWords.AS_BITS  # the bit route was taken


def test_the_titles_holding_most_of_some_words_agree_with_counting_them():
    """`most_of` (who could carry a keyword) lists the titles holding most of its words,
    at least one, by position among equals, and only those of `among` when asked."""
    import random

    from kwtrack.wordsets import TitleWords

    rng = random.Random(7)
    vocabulary = ("walk", "shoe", "red", "mesh", "kid", "boot")
    titles = [tuple(w for w in vocabulary if rng.random() < 0.4) for _ in range(2000)]
    index = TitleWords(titles)
    for words in [("walk", "shoe", "red"), ("boot",), ("walk", "nothing"), ("nothing",),
                  ("mesh", "kid", "boot", "red", "walk"), ("red", "red")]:
        for limit, among in [(5, None), (400, None), (3, set(range(0, 2000, 7)))]:
            wanted = set(words)
            counted = [(-len(wanted & set(title)), t) for t, title in enumerate(titles)
                       if wanted & set(title) and (among is None or t in among)]
            expected = [(t, -n) for n, t in sorted(counted)[:limit]]
            assert index.most_of(words, limit, among) == expected, (words, limit)
