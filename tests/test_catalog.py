"""Product and keyword lists sorted in the database: the same order, filtered or not."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap

import pytest

from kwtrack import catalog
from kwtrack.cleanup import ROUTES
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


@pytest.mark.parametrize("kind, sorts", [("keywords", catalog.KEYWORD_SORTS),
                                         ("products", (None, *catalog.PRODUCT_SORTS))])
def test_a_page_read_from_the_end_is_the_same_rows_in_the_same_order(demo_db, kind, sorts):
    """`from_end` (how the TUI reads a window near the bottom) reads the list backwards, the
    unknown values included, and gives the rows the forward read gives there."""
    listing = catalog.list_keywords if kind == "keywords" else catalog.list_products
    store = get_store()
    for sort in sorts:
        for descending in (False, True):
            whole = listing(store, "shoes", sort=sort, descending=descending)
            tail = listing(store, "shoes", sort=sort, descending=descending, offset=3,
                           limit=40, from_end=True)
            assert len(whole) > 43 and tail == whole[-43:-3], (sort, descending)


def test_products_sort_and_an_unknown_sort_is_one_clear_error(demo_db):
    store = get_store()
    top = catalog.list_products(store, sort="impressions", descending=True, limit=3)
    assert [r.impressions for r in top] == sorted((r.impressions for r in top), reverse=True)
    with pytest.raises(KwtrackError, match="products sort by one of product_id, title"):
        catalog.list_products(store, sort="nope")


def test_route_filters_keep_what_the_coverage_details_show(demo_db):
    """`route:title` keeps the keywords some live title holds, `route:none` those no live
    product covers by any route (what a delete would have orphaned already), as the
    per-keyword coverage says; on products, the ones covering something by that route."""
    from kwtrack.cleanup import StoreCoverage
    from kwtrack.store.models import Keyword, Product

    store = get_store()
    coverage = StoreCoverage(store)
    library = [(k.id, k.words, k.keyword) for k in
               Keyword.select().where(Keyword.archived_at.is_null())]
    covering = coverage.covering(library, limit=10**6)
    names = {k: text for k, _, text in library}
    by_route = {route: {names[k] for k, (found, _) in covering.items()
                        if any(c.via == route for c in found)} for route in ROUTES}
    nothing = {names[k] for k, (_, count) in covering.items() if count == 0}
    for route, expected in [*by_route.items(), ("none", nothing)]:
        shown = {r.keyword for r in catalog.list_keywords(store, f"route:{route}")}
        assert shown == expected and expected, route
        assert catalog.count_keywords(store, f"route:{route}") == len(expected)
    narrowed = catalog.list_keywords(store, "route:title boots", sort="impressions")
    assert {r.keyword for r in narrowed} == {k for k in by_route["title"] if "boots" in k}

    products = Product.select().where(Product.archived_at.is_null())
    covered = coverage.covered([(p.id, p.title_words, p.title) for p in products])
    code = {p.id: p.product_id for p in products}
    live = {p.product_id for p in products if p.status == "online"}
    for route in (*ROUTES, "none"):  # (an offline product covers nothing, links or not)
        if route == "none":
            expected = {code[p] for p, found in covered.items() if not found} | (
                set(code.values()) - live)
        else:
            expected = live & {code[p] for p, found in covered.items()
                               if any(r == route for _, r in found)}
        shown = {r.product_id for r in catalog.list_products(store, f"ROUTE:{route}")}
        assert shown == expected, route
    with pytest.raises(KwtrackError, match="route: is one of keyword, manual, search, title"):
        catalog.count_products(store, "route:everywhere")
    # a term mistyped is refused, never read as words that quietly match nothing
    for search, said in [("stauts:online", "'stauts:online' is not a filter term: the terms "
                          "are status, category, showcase, hot, route, archived"),
                         ("status: online", "'status:': write the value right after the colon"),
                         ("impr>lots", "'impr>lots': compare with a number (impr>100)"),
                         # (a yes or no that is neither: it listed the live rows, unasked)
                         ("archived:y?", "'archived:y?': say y or n (archived:y)"),
                         ("hot:maybe", "'hot:maybe': say y or n (hot:y)")]:
        with pytest.raises(KwtrackError, match=re.escape(said)):
            catalog.list_products(store, search)
    with pytest.raises(KwtrackError, match="'grup:core' is not a filter term"):
        catalog.count_keywords(store, "grup:core walking")
    with pytest.raises(KwtrackError, match=re.escape("'archived:-': say y or n")):
        catalog.count_keywords(store, "archived:- walking")
    assert catalog.count_keywords(store, "group:core walking") > 0

    from click.testing import CliRunner

    from kwtrack.cli import cli

    listed = CliRunner().invoke(cli, ["--db", str(demo_db), "keywords", "list", "--search",
                                      "route:none", "--limit", "5000", "--json"])
    assert listed.exit_code == 0, listed.output
    assert {k["keyword"] for k in json.loads(listed.stdout)} == nothing
    typo = CliRunner().invoke(cli, ["--db", str(demo_db), "products", "list", "--search",
                                    "impr>lots"])
    assert typo.exit_code == 1 and typo.stdout == "" and typo.stderr == (
        "kwtrack: error: 'impr>lots': compare with a number (impr>100)\n")


def test_a_products_keywords_found_by_their_first_words_are_those_the_library_gives(
        demo_db, monkeypatch):
    """A product's details find the keywords its title may hold through the (store, words)
    index, by the words they start with: for every product of the demo store, exactly what
    reading the whole library finds; and the prefix ranges' edges (`a b` holds `a b c`, not
    `a bc` nor `a b's`; a compound's parts start `slip on` keywords)."""
    from kwtrack.cleanup import StoreCoverage, routes
    from kwtrack.store.models import Keyword, Product

    store = get_store()
    for text in ("slip on trainer", "slip on", "mesh trainers", "mesh trainer's",
                 "mesh trainerx", "trainer"):
        Keyword.create(store=store, keyword=text, norm=text, **Keyword.derived("keyword", text))
    Product.create(store=store, product_id="P-EDGE", title="Slip-On Mesh Trainers",
                   status="online", **Product.derived("title", "Slip-On Mesh Trainers"))
    products = [(p.id, p.title_words, p.title) for p in Product.select()]
    coverage = StoreCoverage(store)
    monkeypatch.setattr(routes, "STARTS_PER_KEYWORD", 0)  # (the demo's library is small)
    indexed = {p[0]: coverage.covered([p]) for p in products}
    monkeypatch.setattr(routes, "STARTS_PER_KEYWORD", 10**9)  # the whole library read
    whole = {p[0]: coverage.covered([p]) for p in products}
    assert indexed == whole
    edge = Product.get(Product.product_id == "P-EDGE").id
    assert {k for k, route in indexed[edge][edge] if route == "title"} == {
        "slip on trainer", "slip on", "mesh trainers", "trainer"}


def test_a_store_with_only_p4p_reports_lists_their_figures(store, tmp_path):
    """A P4P report with a period writes P4P figures: the keyword list sums them (they are
    keyword stats of the days it covers, not unknown)."""
    import datetime as dt

    from kwtrack.imports import import_file
    from kwtrack.imports.spec import Period

    path = tmp_path / "p4p.csv"
    path.write_text("关键词,出价,曝光量,点击量,花费\nwalking shoes,3.2,\"1,234\",56,180.5\n",
                    encoding="utf-8")
    import_file(store, "p4p-report", path,
                period=Period(dt.date(2026, 11, 16), dt.date(2026, 11, 22)))
    [row] = catalog.list_keywords(store)
    assert (row.keyword, row.impressions, row.clicks, row.spend, row.bid) == (
        "walking shoes", 1234, 56, 180.5, 3.2)


def test_product_rows_by_id_are_the_rows_the_products_list_shows(demo_db):
    store = get_store()
    listed = catalog.list_products(store, include_archived=True)
    wanted = [r.product_id for r in listed[::-1]] + ["1699999999999"]  # one the store lacks
    found = catalog.product_rows(store, wanted)
    assert found == {r.product_id: r for r in listed}
    assert any(r.impressions for r in found.values())


@pytest.mark.parametrize("kind,search,keep", [
    ("keywords", "impr>1000", lambda r: r.impressions is not None and r.impressions > 1000),
    ("keywords", "impressions<=10", lambda r: r.impressions is not None and r.impressions <= 10),
    ("keywords", "spend<1", lambda r: r.spend is not None and r.spend < 1),  # unknown: never
    ("keywords", "bid>=6 shoes",
     lambda r: r.bid is not None and r.bid >= 6 and "shoes" in r.keyword),
    ("keywords", "index>5000 group:core",
     lambda r: (r.search_index or 0) > 5000 and r.group == "core"),
    ("keywords", "clicks=0", lambda r: r.clicks == 0),
    ("products", "impr<50", lambda r: r.impressions < 50),  # (no stats rows: it shows 0)
    ("products", "score>=80 impr>2000", lambda r: (r.score or 0) >= 80 and r.impressions > 2000),
    ("products", "inq.>=2 sneakers",
     lambda r: r.inquiries >= 2 and "sneakers" in r.title.casefold()),
])
def test_numeric_terms_keep_the_rows_that_show_such_a_number(demo_db, kind, search, keep):
    store = get_store()
    lister, counter = {"keywords": (catalog.list_keywords, catalog.count_keywords),
                       "products": (catalog.list_products, catalog.count_products)}[kind]
    every = lister(store)
    wanted = [r for r in every if keep(r)]
    assert wanted and len(wanted) < len(every)
    assert lister(store, search) == wanted
    assert counter(store, search) == len(wanted)


def test_a_total_a_row_leaves_unknown_is_unknown_not_the_sum_of_the_others(store, tmp_path):
    """A product's week saying `-` for clicks makes its clicks over the recent days unknown,
    not the other week's alone: a filter never keeps it, a sort puts it last; a product
    with no row had none (0). Likewise a keyword's figures, its spend over its P4P rows
    only (organic rows have none)."""
    from kwtrack.imports import import_file

    from .conftest import write_csv

    import_file(store, "products", write_csv(tmp_path / "p.csv", """
        product_id,title,status
        P1,Leather Boots Model B1,online
        P2,Canvas Shoes Model C2,online
        P3,Rain Boots Model R3,online
    """))
    import_file(store, "product-stats", write_csv(tmp_path / "ps.csv", """
        product_id,period_start,period_end,impressions,clicks,inquiries
        P1,2026-11-09,2026-11-15,100,5,1
        P1,2026-11-16,2026-11-22,80,,0
        P2,2026-11-09,2026-11-15,50,2,0
        P2,2026-11-16,2026-11-22,40,1,0
    """))
    rows = {r.product_id: r for r in catalog.list_products(store)}
    assert [(rows[p].impressions, rows[p].clicks) for p in ("P1", "P2", "P3")] == [
        (180, None), (90, 3), (0, 0)]
    assert [r.product_id for r in catalog.list_products(store, "clicks>=0")] == ["P2", "P3"]
    assert [r.product_id for r in catalog.list_products(
        store, sort="clicks", descending=True)] == ["P2", "P3", "P1"]
    import_file(store, "keyword-stats", write_csv(tmp_path / "ks.csv", """
        keyword,period_start,period_end,channel,impressions,clicks,spend
        shoes,2026-11-09,2026-11-15,organic,500,20,
        shoes,2026-11-09,2026-11-15,p4p,100,10,12.5
        shoes,2026-11-16,2026-11-22,organic,400,,
        shoes,2026-11-16,2026-11-22,p4p,90,9,11
        boots,2026-11-16,2026-11-22,organic,30,3,
        boots,2026-11-16,2026-11-22,p4p,10,1,
    """))
    words = {r.keyword: r for r in catalog.list_keywords(store)}
    assert [(words[k].impressions, words[k].clicks, words[k].spend)
            for k in ("shoes", "boots")] == [(1090, None, 23.5), (40, 4, None)]
    assert [r.keyword for r in catalog.list_keywords(store, "clicks>0")] == ["boots"]
    assert [r.keyword for r in catalog.list_keywords(store, "spend>0")] == ["shoes"]


def _two_products(store, tmp_path, stats: str) -> None:
    """Products P1 and P2, and their product stats (`stats`: the CSV's rows)."""
    from kwtrack.imports import import_file

    from .conftest import write_csv

    import_file(store, "products", write_csv(tmp_path / "p.csv", """
        product_id,title
        P1,Leather Boots Model B1
        P2,Canvas Shoes Model C2
    """))
    import_file(store, "product-stats", write_csv(
        tmp_path / "ps.csv", "product_id,period_start,period_end,impressions,clicks,inquiries\n"
        + textwrap.dedent(stats).lstrip("\n")))


def test_a_products_weeks_are_the_reviews_weeks_unknown_where_the_stats_miss_days(
        store, tmp_path):
    """`products show`'s weeks: the data manager's Sunday-to-Saturday week is the ISO week
    holding six of its days, as the review counts it (it was put in the week before, and
    the week it belongs to read 0); a week whose days the stats do not all cover is unknown,
    not 0; a week they cover and the product has no row in had none."""


    _two_products(store, tmp_path, """
        P1,2026-10-25,2026-10-31,100,5,1
        P1,2026-11-08,2026-11-14,70,,0
        P2,2026-11-08,2026-11-14,10,1,0
        P1,2026-11-15,2026-11-21,90,4,0
    """)
    weeks = catalog.product_weeks(store, "P1", weeks=5)
    assert [(w.monday.isoformat(), w.impressions, w.clicks) for w in weeks] == [
        ("2026-10-19", None, None),  # W43: no stats
        ("2026-10-26", 100, 5),  # W44: the week of 10-25..10-31
        ("2026-11-02", None, None),  # W45: the report of 11-01..11-07 not imported
        ("2026-11-09", 70, None),  # (its clicks `-`)
        ("2026-11-16", 90, 4)]
    assert [w.impressions for w in catalog.product_weeks(store, "P2", weeks=2)] == [10, 0]


def test_recent_numbers_are_over_whole_reports_and_a_missing_report_is_said(
        store, tmp_path, db_path):
    """Weekly reports: the recent numbers are the last four whole weeks (a week reaching
    back past the 30 days is left out of the sums: the window says 28 days, not 30); a
    report not imported inside it is named wherever the numbers are shown, not summed as
    if nothing happened."""
    from click.testing import CliRunner

    from kwtrack.cli import cli
    from kwtrack.imports import import_file

    from .conftest import write_csv

    _two_products(store, tmp_path, """
        P1,2026-10-18,2026-10-24,1000,50,5
        P1,2026-10-25,2026-10-31,100,5,1
        P1,2026-11-08,2026-11-14,100,5,1
        P2,2026-11-08,2026-11-14,50,5,0
        P1,2026-11-15,2026-11-21,100,5,1
    """)
    assert catalog.recent_product_window(store) == (dt.date(2026, 10, 25),
                                                    dt.date(2026, 11, 21))
    assert catalog.recent_product_gap(store) == (
        "no product stats for 2026-11-01..2026-11-07: the numbers of the last 28 days "
        "leave them out")
    assert [(r.product_id, r.impressions) for r in catalog.list_products(store)] == [
        ("P1", 300), ("P2", 50)]
    runner = CliRunner()
    listed = runner.invoke(cli, ["--db", str(db_path), "products", "list"])
    assert listed.exit_code == 0 and listed.stderr == catalog.recent_product_gap(store) + "\n"
    shown = runner.invoke(cli, ["--db", str(db_path), "products", "show", "P1"]).stdout
    assert ("  the last 28 days of data (2026-10-25 – 2026-11-21): impressions 300, clicks 15, "
            "inquiries 3\n  (no product stats for 2026-11-01..2026-11-07" in shown)
    # the missing week imported: nothing to say
    import_file(store, "product-stats", write_csv(tmp_path / "w45.csv", """
        product_id,period_start,period_end,impressions,clicks,inquiries
        P2,2026-11-01,2026-11-07,10,1,0
    """))
    assert catalog.recent_product_gap(store) is None
    assert runner.invoke(cli, ["--db", str(db_path), "products", "list"]).stderr == ""


def test_a_keyword_report_not_imported_is_named_below_the_keyword_list(store, tmp_path,
                                                                       db_path):
    """The keyword list's 4-week figures add the weeks that have stats: a week none reach
    (that week's report not imported) is named, as the bid list names a week without P4P
    stats."""
    from click.testing import CliRunner

    from kwtrack.cli import cli
    from kwtrack.imports import import_file

    from .conftest import write_csv

    import_file(store, "keyword-stats", write_csv(tmp_path / "ks.csv", """
        keyword,week,impressions,clicks
        shoes,2026-10-26,100,5
        shoes,2026-11-02,100,5
        boots,2026-11-16,30,3
    """))
    assert catalog.weeks_without_keyword_stats(store) == [dt.date(2026, 11, 9)]
    listed = CliRunner().invoke(cli, ["--db", str(db_path), "keywords", "list"])
    assert listed.exit_code == 0 and listed.stderr == (
        "no keyword stats for 2026-W46: the 4-week figures leave it out\n")
    import_file(store, "keyword-stats", write_csv(tmp_path / "w46.csv", """
        keyword,week,impressions
        boots,2026-11-09,20
    """))
    assert catalog.weeks_without_keyword_stats(store) == []


def test_tracked_y_lists_the_words_followed_between_reviews(demo_db):
    from kwtrack.review import set_tracked

    store = get_store()
    set_tracked(store, ["sneakers", "basketball shoes"], True)
    assert [r.keyword for r in catalog.list_keywords(store, "tracked:y")] == [
        "basketball shoes", "sneakers"]
    assert catalog.count_keywords(store, "tracked:n") == catalog.count_keywords(store) - 2
    assert [r.keyword for r in catalog.list_keywords(store, "tracked:y sneak")] == ["sneakers"]
    with pytest.raises(KwtrackError, match=r"'tracked:maybe': say y or n \(tracked:y\)"):
        catalog.list_keywords(store, "tracked:maybe")


def test_the_monthly_keyword_analysis_the_words_that_brought_inquiries_over_n_weeks(
        store, tmp_path, db_path):
    """The monthly routine: the words that brought inquiries go into P4P or the library. A
    keyword list over the last N weeks of data (`weeks=`) with its inquiries, sorted and
    filtered by them, and `p4p:n` for the words not in P4P; the span said as the stats give
    it (13 weeks asked, 8 held), and only weeks since the first keyword report counted as a
    report not imported."""
    from click.testing import CliRunner

    from kwtrack.cli import cli
    from kwtrack.imports import import_file

    from .conftest import write_csv

    import_file(store, "p4p", write_csv(tmp_path / "p4p.csv", """
        keyword,bid,status
        shoes,2.5,active
    """))
    mondays = [dt.date(2026, 9, 28) + dt.timedelta(weeks=w) for w in range(8)]  # W40–W47
    rows = [f"{word},{mondays[w]},100,5,{inquiries}" for word, w, inquiries in (
        ("shoes", 0, 0), ("shoes", 7, 3), ("boots", 1, 2), ("boots", 7, 0), ("sandals", 6, 1),
        ("slippers", 7, ""), ("loafers", 2, 0))]
    rows += [f"loafers,{m},10,1,0" for m in mondays[3:]]
    import_file(store, "keyword-stats", write_csv(tmp_path / "ks.csv", "\n".join(
        ["keyword,week,impressions,clicks,inquiries", *rows])))

    recent = {r.keyword: r.inquiries for r in catalog.list_keywords(store)}
    assert recent == {"boots": 0, "loafers": 0, "sandals": 1, "shoes": 3, "slippers": None}
    quarter = catalog.list_keywords(store, weeks=13, sort="inquiries", descending=True)
    assert [(r.keyword, r.inquiries) for r in quarter] == [
        ("shoes", 3), ("boots", 2), ("sandals", 1), ("loafers", 0), ("slippers", None)]
    assert [r.keyword for r in catalog.list_keywords(store, "inq>0 p4p:n", weeks=13)] == [
        "boots", "sandals"]
    assert catalog.count_keywords(store, "inq>0 p4p:n", weeks=13) == 2
    assert [r.keyword for r in catalog.list_keywords(store, "p4p:y")] == ["shoes"]
    assert catalog.list_keywords(store, "inq>0 p4p:n") == [
        r for r in catalog.list_keywords(store) if r.keyword == "sandals"]

    window = catalog.recent_keyword_window(store, 13)
    assert window == (dt.date(2026, 9, 28), dt.date(2026, 11, 22))  # (since the first report)
    assert catalog.weeks_without_keyword_stats(store, 13) == []
    listed = CliRunner().invoke(cli, ["--db", str(db_path), "keywords", "list", "--weeks", "13",
                                      "--sort", "inquiries", "--desc", "-s", "p4p:n inq>0"])
    assert listed.exit_code == 0, listed.output
    assert listed.stderr == "numbers: the last 8 weeks of data (2026-09-28 – 2026-11-22)\n"
    assert [line.split()[0] for line in listed.stdout.splitlines()[1:]] == ["boots", "sandals"]
    assert "inq" in listed.stdout.splitlines()[0]
    records = json.loads(CliRunner().invoke(
        cli, ["--db", str(db_path), "keywords", "list", "--weeks", "13", "--json"]).stdout)
    assert {r["keyword"]: r["inquiries"] for r in records}["boots"] == 2
