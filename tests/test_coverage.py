"""The pre-deletion coverage check and zero-effect products, on small hand-made stores."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from kwtrack.cleanup import coverage_check, proposed_title, zero_effect_products
from kwtrack.cli import cli
from kwtrack.errors import StatsGap
from kwtrack.imports import import_file

from .conftest import sqlite_only, write_csv

AS_OF = dt.date(2026, 11, 22)

PRODUCTS = """
product_id,title,category,status,keywords,published
A,Folding Camping Chair Model C100,Outdoor Furniture,online,camping chair|folding chair,2025-01-01
B,Portable Camping Chairs for Beach Model C200,Outdoor Furniture,online,beach chair,2025-01-01
C,Memory Foam Mattress Topper Model M300,Bedding,online,mattress topper,2025-01-01
D,Yoga Mat Non-Slip Model Y400,Fitness,online,yoga mat,2025-01-01
E,Storage Boxes with Lids Model S500,Storage,offline,storage box,2025-01-01
F,Kids Toy Storage Box Model S600,Storage,online,,2026-11-01
"""


@pytest.fixture
def shop(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", PRODUCTS))
    import_file(store, "coverage", write_csv(tmp_path / "c.csv", """
        product_id,keyword,source
        D,exercise mat,manual
        C,foam topper,search
        A,beach chair,manual
    """))
    import_file(store, "keywords", write_csv(tmp_path / "k.csv", "keyword\nmat\nyoga mats\n"))
    return store


def verdicts(report):
    return {k.keyword: k for k in report.keywords}


def test_each_route_covers(shop):
    report = coverage_check(shop, ["A"])
    v = verdicts(report)
    # "camping chair" is A's keyword; B covers it by title ("Camping Chairs" = plural)
    assert [(c.product_id, c.via) for c in v["camping chair"].covered_by] == [("B", "title")]
    assert v["folding chair"].orphaned and v["folding chair"].from_ == ("A",)
    report = coverage_check(shop, ["D"])
    v = verdicts(report)
    assert v["exercise mat"].orphaned  # a manual link, now without a live product
    assert "mat" in v  # D's title has the whole word "mat"
    report = coverage_check(shop, ["C"])
    assert verdicts(report)["foam topper"].orphaned  # the search route counted for C


def test_whole_words_only_and_plurals_on_every_route(shop):
    v = verdicts(coverage_check(shop, ["D"]))
    # "mat" is covered by D (title) but not by C's "mattress": orphaned once D goes
    assert v["mat"].orphaned and v["mat"].covered_by == ()
    # the library word "yoga mats" matches D's keyword "yoga mat"
    assert "yoga mats" in v or v["yoga mat"].from_ == ("D",)


def test_products_deleted_together_lose_each_others_coverage(shop):
    alone = verdicts(coverage_check(shop, ["A"]))
    assert not alone["camping chair"].orphaned
    together = verdicts(coverage_check(shop, ["A", "B"]))
    assert together["camping chair"].orphaned
    assert together["camping chair"].from_ == ("A", "B")


def test_offline_products_do_not_cover(shop):
    v = verdicts(coverage_check(shop, ["F"]))
    assert v["storage box"].orphaned  # E has it as keyword but is offline


def test_strict_ignores_titles(shop):
    v = verdicts(coverage_check(shop, ["A"], strict=True))
    assert v["camping chair"].orphaned
    assert "mat" not in verdicts(coverage_check(shop, ["D"], strict=True))


def test_suggestions_for_orphans(shop):
    v = verdicts(coverage_check(shop, ["A"]))
    actions = [s["action"] for s in v["folding chair"].suggestions]
    assert "add keyword to product" in actions  # B: same category
    assert "publish new product" in actions or "change main image" in actions
    assert proposed_title("Folding Camping Chair", ["beach chairs"]) == \
        "Folding Camping Beach Chair"
    assert proposed_title("x" * 120, ["long keyword here"]) is None


def _boots_shop(store, tmp_path):
    """K1 covers three keywords only it covers; the live Shoes titles hold two of
    `waterproof hiking boots`' three words (K4), one of `waterproof work gloves`' (K4) and
    none of `garden hose`'s."""
    import_file(store, "products", write_csv(tmp_path / "p.csv", """
        product_id,title,category,status,published
        K1,Leather Office Shoes Model L100,Shoes,online,2025-01-01
        K2,Canvas Sneakers Model L200,Shoes,online,2025-01-01
        K3,Hiking Socks Model L300,Shoes,online,2025-01-01
        K4,Waterproof Rain Boots Model L400,Shoes,online,2025-01-01
        K5,Waterproof Hiking Jacket Model L500,Outerwear,online,2025-01-01
    """))
    import_file(store, "coverage", write_csv(tmp_path / "c.csv", """
        product_id,keyword,source
        K1,waterproof hiking boots,search
        K1,garden hose,search
        K1,waterproof work gloves,search
    """))


def test_an_orphan_is_offered_to_the_title_of_its_category_holding_most_of_its_words(
        store, tmp_path):
    """Without a near-duplicate, the product to add an orphan to is the live product of the
    candidate's category whose title holds most of the orphan's words, not merely the first
    of the category; one holding fewer than half of them is not offered."""
    _boots_shop(store, tmp_path)
    report = coverage_check(store, ["K1"])
    v = verdicts(report)
    assert all(v[k].orphaned for k in ("waterproof hiking boots", "garden hose",
                                       "waterproof work gloves"))
    carried = {k: [(s["product_id"], s["why"]) for s in v[k].suggestions
                   if s["action"] == "add keyword to product"] for k in v}
    assert carried == {
        "waterproof hiking boots": [
            ("K4", "same category (Shoes); its title has 2 of the keyword's 3 words")],
        "garden hose": [], "waterproof work gloves": []}
    # what `coverage link-carriers` links: the orphans with a carrier
    assert [(h.keyword, h.product_id) for h in report.handovers()] == [
        ("waterproof hiking boots", "K4")]
    assert report.handovers({"K2"}) == []


def test_cli_links_the_orphans_to_their_carriers_as_one_change(store, db_path, tmp_path):
    """`coverage link-carriers` asks first (refused without a terminal or --yes), links each
    orphan to its carrier, prints what to add on Alibaba.com, and `undo` takes it back."""
    _boots_shop(store, tmp_path)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--db", str(db_path), *args])

    refused = run("coverage", "link-carriers", "K1")
    assert refused.exit_code == 2 and "add --yes" in refused.stderr
    linked = run("coverage", "link-carriers", "K1", "--yes")
    assert linked.exit_code == 0, linked.output
    assert linked.stdout.splitlines()[1].split()[:4] == ["waterproof", "hiking", "boots", "K4"]
    assert "linked 1 keyword (change" in linked.stderr
    assert "2 orphans no live product could carry" in linked.stderr
    after = verdicts(coverage_check(store, ["K1"]))
    assert [c.via for c in after["waterproof hiking boots"].covered_by] == ["manual"]
    assert after["garden hose"].orphaned
    again = run("coverage", "link-carriers", "K1", "--yes")
    assert again.exit_code == 0 and again.stdout == ""
    assert "no orphaned keyword has a live product to carry it" in again.stderr
    assert run("undo").exit_code == 0
    assert verdicts(coverage_check(store, ["K1"]))["waterproof hiking boots"].orphaned


def test_a_replacement_title_writes_a_word_as_the_stores_titles_do(store, tmp_path):
    """`oem` typed in lower case goes into a replacement title as `OEM`, as the store's live
    titles write it; a word no title holds is title-cased."""
    import_file(store, "products", write_csv(tmp_path / "p.csv", """
        product_id,title,category,status,keywords,published
        S1,Leather Hiking Boots Model H100,B,online,oem hiking boots|ankle hiking boots,2025-01-01
        S2,OEM Canvas Sneakers Model H200,S,online,,2025-01-01
    """))
    publish = [s for k in coverage_check(store, ["S1"]).keywords for s in k.suggestions
               if s["action"] == "publish new product"]
    assert {s["title"] for s in publish} == {"Leather Ankle OEM Hiking Boots Model H100"}
    assert proposed_title("Leather Hiking Boots Model H100", ["oem hiking boots"]) == \
        "Leather Oem Hiking Boots Model H100"


def _stats(store, tmp_path, text):
    import_file(store, "product-stats", write_csv(tmp_path / "s.csv", text))


def test_zero_effect_window_young_and_offline(shop, tmp_path):
    start = AS_OF - dt.timedelta(days=89)
    _stats(shop, tmp_path, f"""
        product_id,period_start,period_end,impressions,clicks
        A,{start},{AS_OF},0,0
        B,{start},{AS_OF},10,0
        C,{AS_OF},{AS_OF},0,1
    """)
    report = zero_effect_products(shop, days=90, as_of=AS_OF)
    # A: zero; B, C: had effect; D: no stats row on covered days = zero; E offline; F young
    assert [p.product_id for p in report.products] == ["A", "D"]


def test_a_product_shared_had_effect(shop, tmp_path):
    """Alibaba.com's own rule counts shares as effect: a product shared, with no other
    figure, is not a zero-effect product (deleting it would delete one buyers pass on)."""
    start = AS_OF - dt.timedelta(days=89)
    _stats(shop, tmp_path, f"""
        product_id,period_start,period_end,impressions,clicks,shares
        A,{start},{AS_OF},0,0,2
        B,{start},{AS_OF},0,0,0
    """)
    report = zero_effect_products(shop, days=90, as_of=AS_OF)
    assert [p.product_id for p in report.products] == ["B", "C", "D"]  # (C, D: no row)


def test_zero_effect_follows_re_imported_stats_and_a_window_in_the_past(shop, tmp_path):
    days = [AS_OF - dt.timedelta(days=d) for d in range(89, -1, -1)]
    rows = "".join(f"{p},{day},{int(p == 'A' and day == days[-1]) + int(p == 'B')}\n"
                   for p in "ABCD" for day in days)
    _stats(shop, tmp_path, "product_id,date,impressions\n" + rows)

    def zero(as_of):
        return [p.product_id for p in zero_effect_products(shop, days=30, as_of=as_of).products]

    # A had effect only on the last day: idle over a window ending the day before
    assert zero(AS_OF) == ["C", "D"]
    assert zero(AS_OF - dt.timedelta(days=1)) == ["A", "C", "D"]
    # the same file again with A's last day now zero: A is idle as of the last day too
    _stats(shop, tmp_path, "product_id,date,impressions\n" + rows.replace(
        f"A,{days[-1]},1", f"A,{days[-1]},0"))
    assert zero(AS_OF) == ["A", "C", "D"]


def test_a_window_the_stats_do_not_cover_is_an_error_naming_the_days(shop, tmp_path):
    with pytest.raises(StatsGap, match="no product stats imported yet"):
        zero_effect_products(shop, days=90)
    _stats(shop, tmp_path, f"product_id,date,impressions\nA,{AS_OF},0\n")
    with pytest.raises(StatsGap) as gap:
        zero_effect_products(shop, days=90, as_of=AS_OF)
    assert f"do not cover {AS_OF - dt.timedelta(days=89)}..{AS_OF - dt.timedelta(days=1)} " \
           "(89 of the 90 days" in str(gap.value)
    assert gap.value.exit_code == 4
    # a window the one day covers, and the default window: it ends on the last covered day
    # (F, published three weeks before, is old enough for a one-day window)
    assert [p.product_id for p in zero_effect_products(shop, days=1).products] == [
        "A", "B", "C", "D", "F"]


def _weekly_report(store, tmp_path, monday, figures):
    """The data manager's weekly product report: one row per product for seven days."""
    sunday = monday + dt.timedelta(days=6)
    rows = "".join(f"{p},{n}\n" for p, n in figures.items())
    _stats(store, tmp_path, "product_id,period_start,period_end,impressions\n" + "".join(
        f"{p},{monday},{sunday},{n}\n" for p, n in figures.items()) if rows else "")


def test_zero_effect_follows_weekly_periods_and_never_guesses(shop, tmp_path):
    monday = dt.date(2026, 11, 16)
    _weekly_report(shop, tmp_path, monday, {"A": 0, "B": 500, "C": 0, "D": 0})
    # a 3-day window inside the week: B's week had effect, which may have fallen on those days
    three = zero_effect_products(shop, days=3, as_of=monday + dt.timedelta(days=4))
    assert [p.product_id for p in three.products] == ["A", "C", "D", "F"]
    # the window runs past the week: the days after it are unknown, so nothing is named
    with pytest.raises(StatsGap, match="do not cover 2026-11-23..2026-11-24"):
        zero_effect_products(shop, days=7, as_of=monday + dt.timedelta(days=8))
    # a second week covers them; C had effect in it
    _weekly_report(shop, tmp_path, monday + dt.timedelta(days=7), {"A": 0, "C": 3})
    nine = zero_effect_products(shop, days=9, as_of=monday + dt.timedelta(days=8))
    assert [p.product_id for p in nine.products] == ["A", "D", "F"]


def test_cli_zero_effect_on_an_uncovered_window_exits_4_and_names_no_product(
        shop, db_path, tmp_path):
    _stats(shop, tmp_path, f"product_id,date,impressions\nA,{AS_OF},0\n")
    runner = CliRunner()
    for command in (["products", "zero-effect", "--as-of", str(AS_OF), "--json"],
                    ["coverage", "check", "--zero-effect", "--as-of", str(AS_OF), "--json"]):
        result = runner.invoke(cli, ["--db", str(db_path), *command])
        assert result.exit_code == 4, result.output
        assert result.stdout == ""
        assert result.stderr.startswith("kwtrack: error: imported product stats do not cover")
        assert len(result.stderr.strip().splitlines()) == 1


def test_cli_exit_codes_and_json(shop, db_path, tmp_path):
    runner = CliRunner()
    base = ["--db", str(db_path), "coverage", "check"]
    orphan = runner.invoke(cli, base + ["A", "--json"])
    assert orphan.exit_code == 3
    data = json.loads(orphan.stdout)
    assert set(data) == {"as_of", "days", "strict", "candidates", "keywords", "summary"}
    assert data["summary"]["orphaned"] == sum(k["orphaned"] for k in data["keywords"])
    fine = runner.invoke(cli, base + ["B"])
    assert fine.exit_code == 0, fine.output
    bad = runner.invoke(cli, base + ["NOPE"])
    assert bad.exit_code == 1 and "unknown product: NOPE" in bad.stderr


def test_cli_zero_effect_adds_idle_products_to_those_named(shop, db_path, tmp_path):
    _stats(shop, tmp_path, f"product_id,date,impressions\nA,{AS_OF},0\nB,{AS_OF},7\n"
                           f"C,{AS_OF},3\n")
    result = CliRunner().invoke(cli, ["--db", str(db_path), "coverage", "check", "C",
                                      "--zero-effect", "--days", "1", "--json"])
    assert result.exit_code == 3, result.output
    data = json.loads(result.stdout)
    # A, D and F had no effect on the one covered day (the default window ends on it); C is
    # named; B had effect, E is offline
    assert [c["product_id"] for c in data["candidates"]] == ["A", "C", "D", "F"]
    assert data["as_of"] == str(AS_OF)
    neither = CliRunner().invoke(cli, ["--db", str(db_path), "coverage", "check"])
    assert neither.exit_code == 2 and "name PRODUCT_IDS or use --zero-effect" in neither.output


def test_candidates_that_orphan_nothing_are_marked_safe_and_go_without_force(shop, db_path):
    runner = CliRunner()
    base = ["--db", str(db_path)]
    data = json.loads(runner.invoke(cli, base + ["coverage", "check", "B", "C", "D",
                                                 "--json"]).stdout)
    orphaned = {c["product_id"]: c["orphaned"] for c in data["candidates"]}
    # a candidate's orphaned keywords: the orphans that name it among those covering them
    assert orphaned == {c: sorted(k["keyword"] for k in data["keywords"]
                                  if k["orphaned"] and c in k["from"]) for c in orphaned}
    assert orphaned["B"] == [] and "foam topper" in orphaned["C"]
    assert data["summary"]["safe_to_delete"] == 1
    text = runner.invoke(cli, base + ["coverage", "check", "B", "C", "D"])
    assert "candidate B  Portable Camping Chairs for Beach Model C200  [safe to delete]" in (
        text.stdout)
    assert f"candidate C  Memory Foam Mattress Topper Model M300  [orphans {len(orphaned['C'])} " \
           "keywords]" in text.stdout
    assert "3 candidates (1 safe to delete)" in text.stderr
    # what is safe with the others goes on its own, with no --force
    assert runner.invoke(cli, base + ["products", "delete", "B", "--yes"]).exit_code == 0


def test_delete_refuses_then_force_archives_and_undo_restores(shop, db_path):
    from kwtrack.store.models import Product

    runner = CliRunner()
    base = ["--db", str(db_path)]
    refused = runner.invoke(cli, base + ["products", "delete", "A", "--yes"])
    assert refused.exit_code == 3 and "folding chair" in refused.stderr
    assert Product.get(Product.product_id == "A").archived_at is None
    done = runner.invoke(cli, base + ["products", "delete", "A", "--force", "--yes"])
    assert done.exit_code == 0, done.output
    assert Product.get(Product.product_id == "A").archived_at is not None
    listed = json.loads(runner.invoke(cli, base + ["products", "list", "--json"]).stdout)
    assert "A" not in [p["product_id"] for p in listed]
    history = runner.invoke(cli, base + ["history"]).stdout
    assert "product A" in history and "archived_at" in history
    undone = runner.invoke(cli, base + ["undo"])
    assert "undid change 1: product A archived_at" in undone.stdout
    assert Product.get(Product.product_id == "A").archived_at is None
    # the newest change left is the fixture's last import: undo takes it next
    assert "undid import 3: k.csv" in runner.invoke(cli, base + ["undo"]).stdout


def test_the_monthly_clean_up_deletes_the_safe_zero_effect_products_and_keeps_the_rest(
        demo_db):
    """`products delete --zero-effect` refuses while some would orphan keywords; with
    `--only-safe` it archives exactly those the check calls safe, in one undoable change,
    and says which it kept and why; the rest stay live and nothing is orphaned."""
    from kwtrack.store.database import get_store
    from kwtrack.store.models import Product

    runner = CliRunner()
    base = ["--db", str(demo_db), "products", "delete", "--zero-effect", "--yes"]
    report = coverage_check(get_store(), [], zero_effect=True)
    safe = {c.product_id for c in report.safe}
    kept = {c.product_id for c in report.candidates} - safe
    assert safe and kept
    refused = runner.invoke(cli, base)
    assert refused.exit_code == 3 and "--only-safe" in refused.stderr
    done = runner.invoke(cli, [*base, "--only-safe"])
    assert done.exit_code == 0, done.output
    assert f"archived {len(safe)} products" in done.stderr
    # stdout: the archived products, to delete in the back end too
    listed = done.stdout.splitlines()
    assert listed[0].split() == ["product_id", "title"]
    assert {line.split()[0] for line in listed[1:]} == safe
    archived_list = runner.invoke(cli, ["--db", str(demo_db), "products", "list", "--search",
                                        "archived:y", "--json"])
    assert {r["product_id"] for r in json.loads(archived_list.stdout)} == safe
    live_list = runner.invoke(cli, ["--db", str(demo_db), "products", "list", "--search",
                                    "archived:n", "--json"])
    assert not safe & {r["product_id"] for r in json.loads(live_list.stdout)}
    assert f"{len(kept)} products kept" in done.stderr
    first = next(c for c in report.candidates if c.orphaned)
    assert f"kept {first.product_id}: deleting it would orphan {first.orphaned[0]}" in done.stderr
    archived = {p.product_id for p in Product.select().where(Product.archived_at.is_null(False))}
    assert archived == safe
    # the safe ones gone, the check finds the kept ones and none of them safe
    after = coverage_check(get_store(), [], zero_effect=True)
    assert {c.product_id for c in after.candidates} == kept and not after.safe
    again = runner.invoke(cli, [*base, "--only-safe"])
    assert again.exit_code == 0 and "nothing to delete" in again.stderr
    assert runner.invoke(cli, ["--db", str(demo_db), "undo"]).exit_code == 0
    assert not Product.select().where(Product.archived_at.is_null(False)).count()
    assert runner.invoke(cli, ["--db", str(demo_db), "products", "delete"]).exit_code == 2


def test_delete_without_yes_off_a_terminal_asks_for_it(shop, db_path):
    result = CliRunner().invoke(cli, ["--db", str(db_path), "products", "delete", "B"])
    assert result.exit_code == 2 and "--yes" in result.output


def test_the_title_route_follows_a_re_imported_title(shop, tmp_path):
    import_file(shop, "products", write_csv(tmp_path / "b.csv", """
        product_id,title
        B,Beach Umbrella Model B200
    """))
    v = verdicts(coverage_check(shop, ["A"]))
    assert v["camping chair"].orphaned  # B's new title no longer holds it
    import_file(shop, "products", write_csv(tmp_path / "b2.csv", """
        product_id,title
        B,Beach Camping Chair Model B200
    """))
    v = verdicts(coverage_check(shop, ["A"]))
    assert [(c.product_id, c.via) for c in v["camping chair"].covered_by] == [("B", "title")]


def test_title_route_lists_ten_products_and_counts_them_all(store, tmp_path):
    rows = "".join(f"P{i:02},Folding Camping Chair Model C{100 + i},online\n" for i in range(25))
    import_file(store, "products",
                write_csv(tmp_path / "p.csv", "product_id,title,status\n" + rows))
    import_file(store, "keywords",
                write_csv(tmp_path / "k.csv", "keyword\nfolding camping chairs\n"))
    v = verdicts(coverage_check(store, ["P00"]))["folding camping chairs"]
    assert not v.orphaned and v.from_ == ("P00",) and v.title_matches == 24
    assert [c.product_id for c in v.covered_by] == [f"P{i:02}" for i in range(1, 11)]
    assert {c.via for c in v.covered_by} == {"title"}


def test_a_product_covering_by_two_routes_is_listed_once_with_both(store, db_path, tmp_path):
    rows = "".join(f"P{i:02},Folding Camping Chair Model C{100 + i},online,\n" for i in range(7))
    rows = rows.replace("C101,online,", "C101,online,folding camping chairs")
    import_file(store, "products",
                write_csv(tmp_path / "p.csv", "product_id,title,status,keywords\n" + rows))
    v = verdicts(coverage_check(store, ["P00"]))["folding camping chairs"]
    assert v.coverers(2) == ([("P01", ("keyword", "title")), ("P02", ("title",))], 4)
    assert v.coverers(10) == ([("P01", ("keyword", "title")),
                               *[(f"P{i:02}", ("title",)) for i in range(2, 7)]], 0)
    text = CliRunner().invoke(cli, ["--db", str(db_path), "coverage", "check", "P00"]).stdout
    assert ("covered   folding camping chairs  by P01 (keyword, title), P02 (title), "
            "P03 (title), P04 (title) +2 more") in text.splitlines()


def test_a_retitled_product_is_matched_on_its_new_title(shop, tmp_path):
    import_file(shop, "keywords", write_csv(tmp_path / "k2.csv", "keyword\nbeach umbrella\n"))
    assert "beach umbrella" not in verdicts(coverage_check(shop, ["B"]))
    import_file(shop, "products", write_csv(tmp_path / "p2.csv",
                                            "product_id,title\nB,Beach Umbrella Model U200\n"))
    v = verdicts(coverage_check(shop, ["B"]))
    assert v["beach umbrella"].orphaned and v["beach umbrella"].from_ == ("B",)


@sqlite_only  # (SQLite's own query plan and pragmas)
def test_zero_effect_query_reads_the_partial_index(shop):
    from peewee import SQL

    from kwtrack.store.models import ANY_EFFECT, ProductStat, database

    query = ProductStat.select(SQL("1")).where(
        (ProductStat.product == 1) & (ProductStat.period_end >= AS_OF)
        & (ProductStat.period_start >= AS_OF) & SQL(f"({ANY_EFFECT})"))
    sql, params = query.sql()
    plan = " ".join(str(r) for r in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "product_stat_effect" in plan


def test_words_spread_over_two_candidates_titles_are_not_covered(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title\nR,Red Folding Chair Model R100\nB,Blue Side Table Model B200\n")))
    import_file(store, "keywords", write_csv(tmp_path / "k.csv", "keyword\nred table\nred chair\n"))
    v = verdicts(coverage_check(store, ["R", "B"]))
    assert "red chair" in v and "red table" not in v


def test_one_replacement_title_carries_all_the_orphans_that_fit(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title,keywords\n"
        "Z,Garden Hose Reel Model G100,hose reel|expandable hose|" + "x" * 120 + " hose\n"
        "Y,Kitchen Knife Set Model K200,knife set\n")))
    v = verdicts(coverage_check(store, ["Z"]))
    titles = {k: [s["title"] for s in v[k].suggestions if s["action"] == "publish new product"]
              for k in ("hose reel", "expandable hose")}
    assert titles["hose reel"] == titles["expandable hose"] == [
        "Garden Expandable Hose Reel Model G100"]
    long_word = next(k for k in v if k.startswith("x"))
    assert [s["action"] for s in v[long_word].suggestions][-1] == "change main image"
    assert proposed_title("Tent", ["beach tent", "camping tents", "beach"]) == "Beach Camping Tent"


def test_links_of_offline_and_archived_products_after_the_live_ones_count_for_nothing(
        shop, tmp_path):
    # the store's last products by id are offline and archived, and have links
    import_file(shop, "products", write_csv(tmp_path / "late.csv", """
        product_id,title,status,keywords
        G,Folding Chair Model G700,offline,folding chair
        H,Folding Chair Model H800,online,folding chair
    """))
    from kwtrack.history import archive_products

    archive_products(shop, ["H"], reason="test")
    v = verdicts(coverage_check(shop, ["A"]))
    assert v["folding chair"].orphaned and v["folding chair"].covered_by == ()


def test_a_proposed_title_adds_a_hyphenated_word_whole_and_only_once():
    # `Non-Slip` is one word, a compound: added whole, and `slip` alone is not in it (the
    # title route would not find `slip resistant mat` in the title without it)
    assert proposed_title("Yoga Mat", ["non-slip yoga mats"]) == "Non-Slip Yoga Mat"
    assert proposed_title("Non-Slip Yoga Mat", ["slip resistant mat"]) == \
        "Non-Slip Yoga Slip Resistant Mat"


def test_words_inside_a_compound_or_a_number_range_do_not_count(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title\nS,Slip-On Walking Shoes EU 38-47 Model S100\n"
        "T,Canvas Slip On Loafers Model T200\n")))
    import_file(store, "keywords", write_csv(tmp_path / "k.csv", (
        "keyword\non shoes\nslip-on shoes\nsize 38\nwalking shoes\nslip-on loafers\n"
        "eu 38-47\n")))
    v = verdicts(coverage_check(store, ["S"]))
    # the compound matches whole; a word inside it, or a number inside a range, does not:
    # `on shoes` and `size 38` were never covered by S's title
    assert sorted(v) == ["eu 38-47", "slip-on shoes", "walking shoes"]
    # a keyword typed with a hyphen is the same keyword as typed without: `Slip On` covers it
    assert sorted(verdicts(coverage_check(store, ["T"]))) == ["slip-on loafers"]


def test_products_deleted_together_are_not_each_others_near_duplicates(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title,keywords\n"
        "P1,Lightweight Waterproof Hiking Boots,trail boots\n"
        "P2,Lightweight Waterproof Hiking Boots Trail,\n")))
    alone = coverage_check(store, ["P1"])
    assert [d["product_id"] for d in alone.candidates[0].near_duplicates] == ["P2"]
    assert not verdicts(alone)["trail boots"].orphaned  # P2's title holds it
    together = coverage_check(store, ["P1", "P2"])
    assert [c.near_duplicates for c in together.candidates] == [(), ()]
    # P1's replacement title is P2's words in another order: no live title is like it
    assert {"action": "publish new product", "title": "Lightweight Waterproof Hiking Trail Boots",
            "replaces": "P1"} in verdicts(together)["trail boots"].suggestions


def test_a_store_without_keywords_or_links_covers_nothing(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title\nA,Garden Hose\nB,Garden Hoses\n")))
    report = coverage_check(store, ["A"])
    assert report.to_dict()["summary"] == {"candidates": 1, "keywords": 0, "orphaned": 0,
                                           "safe_to_delete": 1}
    assert [d["product_id"] for d in report.candidates[0].near_duplicates] == ["B"]


def test_lists_count_coverage_by_the_same_routes_as_the_check(demo_db):
    """`keywords list` and `products list` count every route the check counts: a core word
    that many titles hold is covered, not "0 products"."""
    from kwtrack.store.database import get_store
    from kwtrack.store.models import Coverage, Keyword, Product
    from kwtrack.words import keyword_words, match_words

    store = get_store()
    live = [p for p in Product.select() if p.status == "online" and p.archived_at is None]
    runner = CliRunner()
    listed = {k["keyword"]: k["products"] for k in json.loads(runner.invoke(
        cli, ["--db", str(demo_db), "keywords", "list", "--json"]).stdout)}
    checked = 0
    title_words = {p.id: set(match_words(p.title)) for p in live}
    compounds = {w.replace("-", " ") for words in title_words.values() for w in words
                 if "-" in w}
    links: dict[int, set[int]] = {}
    for c in Coverage.select():
        if c.product_id in title_words:
            links.setdefault(c.keyword_id, set()).add(c.product_id)
    for kw in Keyword.select().where(Keyword.archived_at.is_null()):
        words = set(keyword_words(kw.keyword))
        if any(compound in kw.keyword.replace("-", " ") for compound in compounds):
            continue  # (compounds: the check's own tests cover them)
        by_title = {p for p, held in title_words.items() if words and words <= held}
        by_link = links.get(kw.id, set())
        assert listed[kw.keyword] == len(by_title | by_link), kw.keyword
        checked += by_title > by_link
    assert checked > 10  # words covered by titles alone were counted
    # and the check, deleting a product whose title holds a core word, agrees
    shoes = next(k for k in listed if k == "running shoes")
    holder = next(p for p in live if {"running", "shoe"} <= set(match_words(p.title)))
    verdict = {k.keyword: k for k in coverage_check(store, [holder.product_id]).keywords}[shoes]
    assert not verdict.orphaned and verdict.title_matches > 0


def test_replacement_titles_are_title_case_say_each_word_once_and_suit_the_product():
    from kwtrack.cleanup import draft_title

    title, carried = draft_title("Men's Walking Shoes Model A1", [
        "breathable walking shoes", "women walking shoes", "mesh shoes", "shoes breathable"])
    assert title == "Men's Breathable Walking Mesh Shoes Model A1"
    assert carried == {"breathable walking shoes", "mesh shoes", "shoes breathable"}
    # a keyword for someone else is never added; a kids' title takes boys' and girls' words
    assert draft_title("Kids Sneakers K1", ["boys sneakers", "men sneakers"]) == (
        "Kids Boys Sneakers K1", {"boys sneakers"})
    # nothing fits, or nothing is missing: no title
    assert draft_title("x" * 120, ["long keyword here"]) == (None, set())
    assert draft_title("Mesh Shoes", ["mesh shoes"]) == (None, set())


def test_a_replacement_title_reads_each_keyword_as_typed_not_after_the_model_code():
    """The missing words go before the keyword's next word in the title, else after the one
    before them, else before the title's tail (`for …`, `Model …`), never after the code."""
    from kwtrack.cleanup import draft_title

    title = "Custom Logo Men's Running Shoes for Daily Wear Model K735"
    assert draft_title(title, ["leather jogging shoes", "winter jogging shoes"])[0] == (
        "Custom Logo Men's Running Leather Winter Jogging Shoes for Daily Wear Model K735")
    assert draft_title(title, ["running shoes breathable"])[0] == (
        "Custom Logo Men's Running Shoes Breathable for Daily Wear Model K735")
    assert draft_title(title, ["trail hiking"])[0] == (
        "Custom Logo Men's Running Shoes Trail Hiking for Daily Wear Model K735")
    assert draft_title("Garden Hose Reel G100", ["kitchen knife"])[0] == (
        "Garden Hose Reel G100 Kitchen Knife")


def test_titles_check_reports_length_coverage_and_duplicates(shop, db_path):
    runner = CliRunner()
    base = ["--db", str(db_path), "titles", "check"]
    fresh = runner.invoke(cli, base + ["Portable Folding Beach Umbrella Model U900", "--json"])
    assert fresh.exit_code == 0, fresh.output
    data = json.loads(fresh.stdout)
    assert (data["length"], data["fits"], data["duplicates"]) == (42, True, [])
    relisted = runner.invoke(cli, base + ["Camping Chair Folding Model C100 Wholesale", "--json"])
    assert relisted.exit_code == 3
    data = json.loads(relisted.stdout)
    assert [(d["product_id"], d["reason"]) for d in data["duplicates"]] == [
        ("A", "same model code")]
    assert {"camping chair", "folding chair"} <= set(data["keywords"])
    too_long = runner.invoke(cli, base + ["Umbrella " * 16])
    assert too_long.exit_code == 3 and "too long" in too_long.stdout
