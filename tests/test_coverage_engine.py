"""The coverage check's engine (packed links, keyword groups, rows of title bits, verdicts made
when read, the second process), checked against a plain per-keyword reference on a generated
store."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kwtrack import aside
from kwtrack.coverage import (
    TITLE_SHOWN,
    _first_alike,
    _keys_with,
    _runs,
    _set_bits,
    _spans,
    coverage_check,
    zero_effect_products,
)
from kwtrack.db import get_store, open_database
from kwtrack.errors import KwtrackError
from kwtrack.importing import import_file
from kwtrack.models import Coverage, Keyword, Product, Store
from kwtrack.text import match_words, normalise_keyword

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
    from kwtrack.models import database

    database.execute_sql("UPDATE product SET status = 'offline' WHERE id % 29 = 0")
    database.execute_sql("UPDATE product SET archived_at = '2026-01-01 00:00:00' "
                         "WHERE id % 31 = 0 OR id = (SELECT MAX(id) FROM product)")
    return get_store()


def reference(store: Store, product_ids: list[str], strict: bool = False) -> dict:
    """The check done the slow, obvious way: keyword by keyword, product by product."""
    products = list(Product.select().where(Product.store == store))
    live = [p for p in products if p.status == "online" and p.archived_at is None
            and p.product_id not in product_ids]
    doomed = [p for p in products if p.product_id in product_ids]
    keywords = list(Keyword.select().where((Keyword.store == store)
                                           & Keyword.archived_at.is_null()).order_by(Keyword.id))
    words_of = {k.id: " ".join(match_words(k.keyword)) for k in keywords}
    display: dict[str, str] = {}
    for k in keywords:
        display.setdefault(words_of[k.id], k.keyword)
    links: dict[int, set[tuple[str, str]]] = {}  # product → (words, via) of its links
    for c in Coverage.select():
        if c.keyword_id in words_of:
            links.setdefault(c.product_id, set()).add((words_of[c.keyword_id], c.source))
    # --strict: no title holds anything
    title_words = {p.id: set() if strict else set(match_words(p.title)) for p in products}

    found = {}
    for words, shown in display.items():
        needed = set(words.split())
        sources = sorted(p.product_id for p in doomed if needed <= title_words[p.id]
                         or any(w == words for w, _ in links.get(p.id, ())))
        if not sources:
            continue
        by_link = {(p.product_id, via) for p in live for w, via in links.get(p.id, ())
                   if w == words}
        by_title = sorted(p.product_id for p in live if needed <= title_words[p.id])
        covered = sorted(by_link | {(pid, "title") for pid in by_title[:TITLE_SHOWN]})
        found[shown] = (sources, covered, len(by_title))
    return found


def as_found(report) -> dict:
    return {k.keyword: (k.from_, [(c.product_id, c.via) for c in k.covered_by], k.title_matches)
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


def test_verdicts_read_one_at_a_time_are_those_of_the_whole_list(generated):
    candidates = [p.product_id for p in zero_effect_products(generated, as_of=AS_OF).products]
    one_by_one = coverage_check(generated, candidates, as_of=AS_OF).keywords
    whole = list(coverage_check(generated, candidates, as_of=AS_OF).keywords)
    n = len(whole)
    assert len(one_by_one) == n > 100
    # from the end, by negative index, by slice, then iterated: orphans made up front are the
    # same objects afterwards
    assert [one_by_one[i] for i in range(-1, -n - 1, -1)] == whole[::-1]
    assert one_by_one[3:40:3] == whole[3:40:3]
    first_orphan = one_by_one.orphaned[0]
    assert list(one_by_one) == whole and first_orphan in list(one_by_one)
    assert any(k is first_orphan for k in one_by_one)
    with pytest.raises(IndexError):
        one_by_one[n]


def test_forked_and_in_process_checks_give_the_same_report(generated, monkeypatch):
    candidates = [p.product_id for p in zero_effect_products(generated, as_of=AS_OF).products]
    started = []
    real = aside.Aside.__init__
    monkeypatch.setattr(aside.Aside, "__init__",
                        lambda self, *a, **k: started.append(1) or real(self, *a, **k))
    forked = coverage_check(generated, candidates, as_of=AS_OF).to_dict()
    assert started == [1]
    monkeypatch.setattr(aside, "can_fork", lambda: False)
    inline = coverage_check(generated, candidates, as_of=AS_OF).to_dict()
    assert started == [1] and forked == inline
    assert any(c["near_duplicates"] for c in forked["candidates"])
    assert any(s["action"] == "publish new product"
               for k in forked["keywords"] for s in k["suggestions"])


def test_links_are_handed_over_in_shared_memory_or_whole_when_more_were_added(generated):
    import numpy as np

    from kwtrack.coverage import _LinkRoom

    top = Coverage.select(Coverage.id).order_by(Coverage.id.desc()).scalar()
    links = np.arange(top, dtype=np.int64) * 7
    room = _LinkRoom()
    handed = room.put(links)
    assert handed == top and room.take(handed).tolist() == links.tolist()
    more = np.arange(top + 1, dtype=np.int64)  # a link added after the room was sized
    room = _LinkRoom()
    assert room.put(more) is more and room.take(more) is more


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
    assert verdict.orphaned and verdict.covered_by == []


def test_keywords_of_the_same_words_are_one_keyword_shown_as_the_first(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title,keywords\n"
        "A,Garden Hose Model G1,garden hoses\n"
        "B,Kitchen Knife Model K1,garden hose\n")))
    report = coverage_check(store, ["A"])
    assert [(k.keyword, k.from_, [c.product_id for c in k.covered_by])
            for k in report.keywords] == [("garden hoses", ["A"], ["B"])]
    Keyword.update(archived_at=dt.datetime(2026, 1, 1)).where(
        Keyword.keyword == "garden hoses").execute()
    report = coverage_check(store, ["A"])  # the plural is archived; the singular remains
    assert [(k.keyword, k.orphaned) for k in report.keywords] == [("garden hose", False)]


def test_rows_without_stored_word_keys_are_worked_out(generated):
    from kwtrack.models import database

    candidates = [p.product_id for p in zero_effect_products(generated, as_of=AS_OF).products]
    before = coverage_check(generated, candidates, as_of=AS_OF).to_dict()
    # as rows written before migration 0004 (or by hand) would be
    database.execute_sql("UPDATE product SET title_keys = NULL, title_codes = NULL "
                         "WHERE id % 3 = 0")
    database.execute_sql("UPDATE keyword SET word_keys = NULL WHERE id % 3 = 0")
    assert coverage_check(generated, candidates, as_of=AS_OF).to_dict() == before


def test_keywords_read_in_another_order_than_by_id_or_holding_the_read_separator(generated):
    from kwtrack.models import database

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
    # Written by hand, some keywords hold the unit separator that the one-scan read splits on.
    database.execute_sql("UPDATE keyword SET keyword = keyword || char(31) WHERE id % 5 = 0")
    found = as_found(coverage_check(generated, candidates, as_of=AS_OF))
    assert found == reference(generated, candidates) and any("\x1f" in k for k in found)


_ROWS = st.lists(st.lists(st.integers(-3, 3), min_size=1, max_size=4), max_size=40)


@pytest.mark.parametrize("hashed", [True, False])
@given(rows=_ROWS)
def test_rows_of_the_same_words_are_found_alike(rows, hashed):
    """With every hash the same (`hashed` False), rows are told apart by their words."""
    from unittest import mock

    import numpy as np

    from kwtrack import coverage

    words = np.array([w for row in rows for w in row], dtype=np.int64)
    counts = np.array(list(map(len, rows)), dtype=np.int64)
    weights = coverage._PLACE_WEIGHTS * np.uint64(hashed)
    with mock.patch.object(coverage, "_PLACE_WEIGHTS", weights):
        first = _first_alike(words, counts).tolist()
    assert first == [rows.index(row) for row in rows]


def test_a_keyword_of_punctuation_alone_covers_nothing_and_stops_nothing(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title,keywords\nA,Garden Hose Model G1,!!!|garden hose\n"
        "B,Kitchen Knife Model K1,!!!\n")))
    assert [(k.keyword, k.orphaned) for k in coverage_check(store, ["A"]).keywords] == [
        ("garden hose", True)]


def _swap(message):
    yield "ready"
    value = yield
    if value == "fail":
        raise KwtrackError(message)
    if value == "crash":
        raise ValueError(message)
    yield value * 2


@pytest.mark.parametrize("fork", [True, False])
def test_a_second_process_answers_and_its_errors_reach_the_caller(fork, monkeypatch):
    monkeypatch.setattr(aside, "can_fork", lambda: fork)
    with aside.aside(_swap("x")) as worker:
        assert isinstance(worker, aside.Aside if fork else aside.Inline)
        assert next(worker) == "ready"
        assert next(worker) is None
        worker.resume(21)
        assert next(worker) == 42
    with aside.aside(_swap("x")) as worker:  # values handed over ahead of the items they answer
        worker.resume(None)
        worker.resume(5)
        assert [next(worker), next(worker), next(worker)] == ["ready", None, 10]
    for value, error in (("fail", KwtrackError), ("crash", RuntimeError if fork else ValueError)):
        with aside.aside(_swap("broke")) as worker:
            next(worker), next(worker)
            worker.resume(value)
            with pytest.raises(error, match="broke"):
                next(worker)


@given(st.lists(st.sets(st.integers(0, 300), max_size=40), max_size=8), st.integers(0, 12))
def test_set_bits_of_many_rows_at_once(bit_sets, limit):
    import numpy as np

    rows = np.zeros((len(bit_sets), 5), dtype=np.uint64)
    for r, bits in enumerate(bit_sets):
        for b in bits:
            rows[r, b // 64] |= np.uint64(1 << (b % 64))
    row, position = _set_bits(rows, limit)
    assert list(zip(row.tolist(), position.tolist(), strict=True)) == [
        (r, b) for r, s in enumerate(bit_sets) for b in sorted(s)[:limit or None]]


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 5)), max_size=20))
def test_spans_and_runs(spans):
    import numpy as np

    starts, lengths = (np.array(c, dtype=np.int64) for c in zip(*spans)) if spans else (
        np.zeros(0, dtype=np.int64),) * 2
    assert _spans(starts, lengths).tolist() == [s + i for s, n in spans for i in range(n)]
    values = np.sort(starts)
    places = _runs(values).tolist()
    assert places == [list(values[:i + 1]).count(v) - 1 for i, v in enumerate(values)]


# Eight-byte keys over a tiny alphabet, so that one key often spans the end of another.
_KEY = st.binary(min_size=8, max_size=8).map(lambda b: bytes(x % 2 for x in b))


@given(st.lists(_KEY, unique=True, max_size=6), st.lists(_KEY, unique=True, max_size=6))
def test_keys_are_added_when_not_among_the_keys_already_there(keys, more):
    joined = _keys_with(b"".join(keys), b"".join(more))
    assert joined == b"".join(dict.fromkeys(keys + more))


def test_a_check_inside_a_transaction_sees_its_uncommitted_changes(store, tmp_path):
    from kwtrack.models import database

    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title,keywords\nA,Garden Hose Model G1,hose reel\n"
        "B,Kitchen Knife Model K1,hose reel\n")))
    assert not {k.keyword: k for k in coverage_check(store, ["A"]).keywords}["hose reel"].orphaned
    with database.atomic() as transaction:
        # a second connection would not see this: the links must be read on this one
        b = Product.get(Product.product_id == "B")
        Coverage.delete().where(Coverage.product == b).execute()
        verdict = {k.keyword: k for k in coverage_check(store, ["A"]).keywords}["hose reel"]
        assert verdict.orphaned
        transaction.rollback()


def test_a_failure_in_the_first_process_stops_the_second(generated, monkeypatch):
    import multiprocessing

    from kwtrack import coverage

    def broken(*args, **kwargs):
        raise RuntimeError("routes failed")

    monkeypatch.setattr(coverage._Routes, "__init__", broken)
    candidates = [p.product_id for p in zero_effect_products(generated, as_of=AS_OF).products]
    with pytest.raises(RuntimeError, match="routes failed"):
        coverage_check(generated, candidates, as_of=AS_OF)
    assert multiprocessing.active_children() == []
