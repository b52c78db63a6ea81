"""Canonical CSV import: each kind, bad files, re-imports, dry runs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

import pytest

from kwtrack.errors import ImportFailed, KwtrackError
from kwtrack.imports import import_file, undo_import
from kwtrack.store.models import (
    Bid,
    BidChange,
    Coverage,
    ImportBatch,
    Keyword,
    KeywordStat,
    Product,
    ProductStat,
    database,
)
from kwtrack.store.search import SEARCH_TABLES

from .conftest import write_csv

PRODUCTS = """
Product_ID,Title,Category,Status,Showcase,Hot,Score,Keywords,Published
P1,Men's Running Shoes Model A502,Sports Shoes,online,Y,N,88.5,running shoes|Men Running-Shoes;sneakers,2026-01-10
P2,Women's Walking Shoes Model A503,Casual Shoes,,N,,,walking shoes,
"""


def dump(tables: Iterable[str] | None = None) -> str:
    """A fingerprint of every table's rows (or of `tables`): equal before and after means
    nothing changed."""
    digest = hashlib.sha256()
    for table in sorted(database.get_tables() if tables is None else tables):
        # (in a set order: a table without an id, such as the weekly roll-up, has no other)
        for row in sorted(map(repr, database.execute_sql(f'SELECT * FROM "{table}"'))):
            digest.update(row.encode())
    return digest.hexdigest()


def test_products_import_adds_products_keywords_and_links(store, tmp_path):
    result = import_file(store, "products", write_csv(tmp_path / "p.csv", PRODUCTS))
    assert (result.rows_read, result.added, result.changed) == (2, 2, 0)
    p1 = Product.get(Product.product_id == "P1")
    assert (p1.status, p1.showcase, p1.hot, p1.score) == ("online", True, False, 88.5)
    assert p1.published == dt.date(2026, 1, 10)
    p2 = Product.get(Product.product_id == "P2")
    assert p2.status == "online" and p2.score is None and p2.hot is None  # unknown, not 0
    # "running shoes" and "Men Running-Shoes" are different words; both join the library
    words = sorted(k.norm for k in Keyword.select())
    assert words == ["men running shoes", "running shoes", "sneakers", "walking shoes"]
    assert result.keywords_added == 4
    links = Coverage.select().where(Coverage.product == p1, Coverage.source == "keyword")
    assert links.count() == 3


def test_reimport_same_file_is_a_no_op_and_force_finds_all_unchanged(store, tmp_path):
    path = write_csv(tmp_path / "p.csv", PRODUCTS)
    import_file(store, "products", path)
    before = dump()
    again = import_file(store, "products", path)
    assert again.skipped and "already imported" in again.skipped
    assert dump() == before
    forced = import_file(store, "products", path, force=True)
    assert (forced.added, forced.changed, forced.unchanged) == (0, 0, 2)


def test_edited_product_counts_changed_and_empty_cells_never_erase(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "a.csv", PRODUCTS))
    edited = write_csv(tmp_path / "b.csv", """
        product_id,title,score,keywords
        P1,Men's Running Shoes Model A502 New,,running shoes
        P2,Women's Walking Shoes Model A503,,
    """)
    result = import_file(store, "products", edited)
    assert (result.changed, result.unchanged) == (1, 1)
    p1 = Product.get(Product.product_id == "P1")
    assert p1.title.endswith("New") and p1.score == 88.5  # the empty score kept 88.5
    kws = [c.keyword.norm for c in Coverage.select().where(Coverage.product == p1)]
    assert kws == ["running shoes"]  # the product's keyword field now lists one word


def test_keywords_import_matches_normal_forms_and_keeps_display(store, tmp_path):
    import_file(store, "keywords", write_csv(tmp_path / "k.csv", """
        keyword,group,search_index,competition,source,status,notes
        Running Shoes,core,"1,234",3,advisor,active,
        running-shoes,,,,,,dup spelling
    """.replace("running-shoes,,,,,,dup spelling\n", "")))
    result = import_file(store, "keywords", write_csv(tmp_path / "k2.csv", """
        KEYWORD,Group
        RUNNING-SHOES ,hot
        trail shoes,
    """))
    assert (result.added, result.changed) == (1, 1)
    kw = Keyword.get(Keyword.norm == "running shoes")
    assert (kw.keyword, kw.group, kw.search_index) == ("Running Shoes", "hot", 1234)


def test_coverage_import_links_and_adds_missing_keywords(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", PRODUCTS))
    result = import_file(store, "coverage", write_csv(tmp_path / "c.csv", """
        product_id,keyword,source
        P1,trail running shoes,manual
        P2,walking shoes,search
        P2,walking shoes,
    """))
    assert result.added == 3 and result.keywords_added == 1
    sources = sorted(c.source for c in Coverage.select().join(Product)
                     .where(Product.product_id == "P2"))
    assert sources == ["keyword", "manual", "search"]


def test_coverage_for_unknown_product_fails_whole_file(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", PRODUCTS))
    before = dump()
    with pytest.raises(ImportFailed) as err:
        import_file(store, "coverage", write_csv(tmp_path / "c.csv", """
            product_id,keyword
            P1,trail shoes
            P9,beach sandals
        """))
    assert str(err.value) == "c.csv:3:product_id: unknown product 'P9' (import it with " \
                             "`kwtrack import products` first)"
    assert dump() == before


def test_product_stats_daily_and_periods(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", PRODUCTS))
    result = import_file(store, "product-stats", write_csv(tmp_path / "s.csv", """
        product_id,date,period_start,period_end,impressions,clicks,visitors,favorites,inquiries,tm_chats,orders
        P1,2026-11-01,,,120,4,3,1,1,0,0
        P1,,2026-11-02,2026-11-08,"1,500",30,20,-,2,1,0
        P2,2026-11-01,,,0,0,0,0,0,0,0
    """))
    assert (result.added, result.period_start, result.period_end) == (
        3, dt.date(2026, 11, 1), dt.date(2026, 11, 8))
    week = ProductStat.get(ProductStat.period_start == dt.date(2026, 11, 2))
    assert (week.impressions, week.favorites) == (1500, None)
    batch = ImportBatch.get(ImportBatch.kind == "product-stats")
    assert (batch.period_start, batch.rows_added) == (dt.date(2026, 11, 1), 3)
    again = import_file(store, "product-stats", tmp_path / "s.csv", force=True)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)


def test_keyword_stats_by_week_and_channel(store, tmp_path):
    result = import_file(store, "keyword-stats", write_csv(tmp_path / "k.csv", """
        keyword,week,channel,impressions,clicks,inquiries,spend,avg_position,search_index
        running shoes,2026-11-19,organic,1000,20,1,,,900
        running shoes,2026-11-16,p4p,400,12,0,¥36.50,3.5,
    """))
    assert result.added == 2 and result.keywords_added == 1
    rows = {s.channel: s for s in KeywordStat.select()}
    assert rows["organic"].period_start == dt.date(2026, 11, 16)  # ISO week's Monday
    assert rows["organic"].period_end == dt.date(2026, 11, 22)
    assert rows["p4p"].spend == 36.5 and rows["organic"].spend is None
    updated = import_file(store, "keyword-stats", write_csv(tmp_path / "k2.csv", """
        keyword,period_start,period_end,channel,clicks
        Running Shoes,2026-11-16,2026-11-22,organic,25
    """))
    assert (updated.added, updated.changed) == (0, 1)
    organic = KeywordStat.get(KeywordStat.channel == "organic")
    assert (organic.clicks, organic.impressions) == (25, 1000)


def test_p4p_import_records_bid_history(store, tmp_path):
    import_file(store, "p4p", write_csv(tmp_path / "b.csv", """
        keyword,group,status,bid,base_price,stars,target_position
        running shoes,core,active,3.20,1.50,4,1
        walking shoes,core,paused,2.00,1.00,3,
    """))
    import_file(store, "p4p", write_csv(tmp_path / "b2.csv", """
        keyword,bid
        running shoes,3.80
        walking shoes,2.00
    """))
    bid = Bid.select().join(Keyword).where(Keyword.norm == "running shoes").get()
    assert (bid.bid, bid.status, bid.stars) == (3.8, "active", 4)
    history = [(c.old_bid, c.new_bid) for c in
               BidChange.select().where(BidChange.bid == bid).order_by(BidChange.id)]
    assert history == [(None, 3.2), (3.2, 3.8)]
    assert BidChange.select().count() == 3  # walking shoes: created, then unchanged


@pytest.mark.parametrize("kind,text,message", [
    ("products", "product_id,title,score\nP1,Shoes,abc\n", "p.csv:2:score: 'abc' is not a number"),
    ("products", "product_id,title\nP1,\n", "p.csv:2:title: is empty"),
    ("products", "product_id,title,status\nP1,Shoes,sold\n",
     "p.csv:2:status: 'sold' is not one of online, offline"),
    ("products", "product_id,title\nP1,A\nP1,B\n",
     "p.csv:3: duplicate of row 2 (product id 'P1')"),
    # the same word with a full-width space, named as typed (not as \u3000)
    ("keyword-stats", "keyword,date,clicks\nwalking shoes,2026-11-01,1\n"
                      "walking\u3000shoes,2026-11-01,2\n",
     "p.csv:3: duplicate of row 2 (keyword 'walking\u3000shoes', 2026-11-01, "
     "channel 'organic')"),
    ("products", "id,name\nP1,A\n", "p.csv:1: missing columns product_id, title for products "
                                    "(found: id, name)"),
    ("keyword-stats", "keyword,impressions\nshoes,5\n",
     "p.csv:2: no period: give a date, week, or period_start and period_end column, "
     "or --period START..END / --date DAY"),
    ("keyword-stats", "keyword,date,clicks\nshoes,2026-13-01,5\n",
     "p.csv:2:date: '2026-13-01' is not a date (YYYY-MM-DD)"),
    ("product-stats", "product_id,date,clicks\nP1,2026-11-01,1.5\n",
     "p.csv:2:clicks: '1.5' is not a whole number"),
    ("p4p", "keyword,status\nshoes,maybe\n",
     "p.csv:2:status: 'maybe' is not one of active, paused"),
    ("products", "", "p.csv: the file is empty"),
    # longer than its column holds (PostgreSQL would refuse it with an internal error)
    ("keywords", "keyword,status\nshoes," + "s" * 21 + "\n",
     "p.csv:2:status: is 21 characters long (at most 20 here)"),
    ("products", "product_id,title\n" + "9" * 41 + ",Shoes\n",
     "p.csv:2:product_id: is 41 characters long (at most 40 here)"),
    ("p4p", "keyword,group\nshoes," + "g" * 101 + "\n",
     "p.csv:2:group: is 101 characters long (at most 100 here)"),
    ("product-stats", "product_id,date,clicks\nP1,2026-11-01,2147483648\n",
     "p.csv:2:clicks: '2147483648' is too large a number"),
    ("product-stats", "product_id,date,clicks\nP1,2026-11-01,\"3,000,000,000\"\n",
     "p.csv:2:clicks: '3,000,000,000' is too large a number"),
    # an unquoted thousands comma shifts the row: never read 1 for 1,234 (a trailing empty
    # cell, as some exports write, is fine)
    ("product-stats", "product_id,date,clicks\nP1,2026-11-01,5,\nP2,2026-11-01,1,234\n",
     "p.csv:3:column 4: '234' is past the header's last column (3): is a comma in a number "
     "unquoted?"),
    # two files pasted into one: the second one's rows would be read under the first one's
    # period, its header as a product named `product_id`
    ("products", "product_id,title\nP1,Shoes\nproduct_id,title\nP2,Boots\n",
     "p.csv:3: the header row again (two files pasted into one?): import each file on its own"),
    # a stray quote: read leniently, an unclosed one swallowed every later row into one cell
    # (the import said 1 row changed), and text after a closing quote lost the quotes
    ("products", 'product_id,title\nP1,"Shoes\nP2,Boots\nP3,Sandals\n',
     'p.csv:2: a quoted cell is never closed: its quote (") would take in the rest of the file'),
    ("products", 'product_id,title\nP1,Shoes\nP2,"Hot" Boots\n',
     'p.csv:3: a quoted cell goes on after its closing quote (inside a quoted cell, '
     'a quote is written "")'),
])
def test_bad_files_fail_with_file_row_column_and_write_nothing(store, tmp_path, kind, text,
                                                                message):
    import_file(store, "products", write_csv(tmp_path / "seed.csv", "product_id,title\nP1,x\n"))
    before = dump()
    with pytest.raises(KwtrackError) as err:  # ImportFailed, or a file that cannot be read
        import_file(store, kind, write_csv(tmp_path / "p.csv", text))
    assert str(err.value).splitlines()[0] == message
    assert dump() == before


def test_many_problems_are_capped_at_twenty_with_a_count(store, tmp_path):
    rows = "\n".join(f"P{i},Shoes,bad" for i in range(30))
    with pytest.raises(ImportFailed) as err:
        import_file(store, "products", write_csv(tmp_path / "p.csv",
                                                 "product_id,title,score\n" + rows + "\n"))
    lines = str(err.value).splitlines()
    assert len(lines) == 21 and lines[-1] == "… and 10 more problems"


def test_later_rows_fail_after_earlier_chunks_were_written(store, tmp_path, monkeypatch):
    import kwtrack.imports.chunks as chunking

    monkeypatch.setattr(chunking, "CHUNK_ROWS", 2)
    import_file(store, "products", write_csv(tmp_path / "seed.csv", "product_id,title\nP1,x\n"))
    before = dump()
    text = "keyword,date,clicks\n" + "".join(f"w{i},2026-11-01,{i}\n" for i in range(7))
    with pytest.raises(ImportFailed):
        import_file(store, "keyword-stats", write_csv(tmp_path / "k.csv", text + "w9,x,1\n"))
    assert dump() == before


def test_dry_run_reports_counts_and_writes_nothing(store, tmp_path):
    before = dump()
    result = import_file(store, "products", write_csv(tmp_path / "p.csv", PRODUCTS), dry_run=True)
    assert result.dry_run and result.added == 2
    assert dump() == before


def test_unknown_kind_and_missing_file(store, tmp_path):
    with pytest.raises(KwtrackError, match="unknown import kind"):
        import_file(store, "orders", tmp_path / "x.csv")
    with pytest.raises(KwtrackError, match="no such file"):
        import_file(store, "products", tmp_path / "missing.csv")


def test_gbk_and_bom_csv_are_read(store, tmp_path):
    text = "product_id,title,category\nP1,Shoes,运动鞋\n"
    import_file(store, "products", write_csv(tmp_path / "gbk.csv", text, encoding="gbk"))
    assert Product.get(Product.product_id == "P1").category == "运动鞋"
    import_file(store, "products", write_csv(tmp_path / "bom.csv",
                                             text.replace("P1", "P2"), encoding="utf-8-sig"))
    assert Product.get(Product.product_id == "P2").category == "运动鞋"


def test_a_header_only_file_is_no_rows_and_records_nothing(store, db_path, tmp_path):
    from click.testing import CliRunner

    from kwtrack.cli import cli

    before = dump()
    path = tmp_path / "empty.csv"
    path.write_text("product_id,title,status\n")
    result = CliRunner().invoke(cli, ["--db", str(db_path), "import", "products", str(path)])
    assert result.exit_code == 1
    assert result.stderr == ("kwtrack: error: empty.csv: no rows (a header and nothing under "
                             "it)\n")
    assert dump() == before
    ok = tmp_path / "p.csv"
    ok.write_text("product_id,title\nP1,Shoes\n")
    CliRunner().invoke(cli, ["--db", str(db_path), "import", str(ok)])
    listed = CliRunner().invoke(cli, ["--db", str(db_path), "imports", "list", "--json"])
    [line] = json.loads(listed.stdout)
    assert (line["file_name"], line["kind"], line["rows_read"]) == ("p.csv", "products", 1)


def data_dump() -> str:
    """`dump`, less the import log itself (an undone import stays listed, marked undone) and
    the search index's own storage (written anew as rows come and go: FTS5's integrity check
    says it still indexes exactly the rows)."""
    digest = hashlib.sha256()
    tables = set(database.get_tables())
    for index in set(SEARCH_TABLES.values()) & tables:
        database.execute_sql(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")
    storage = tuple(f"{index}_" for index in SEARCH_TABLES.values())
    for table in sorted(t for t in tables - {"import_batch", "import_undo"}
                        if not t.startswith(storage)):
        # (in a set order: a table without an id, such as the weekly roll-up, has no other)
        for row in sorted(map(repr, database.execute_sql(f'SELECT * FROM "{table}"'))):
            digest.update(row.encode())
    return digest.hexdigest()


def test_undo_of_an_import_removes_its_rows_and_restores_what_it_overwrote(store, db_path,
                                                                          tmp_path):
    from click.testing import CliRunner

    from kwtrack.cli import cli
    from kwtrack.store.models import Bid, Coverage, KeywordStat, Product

    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--db", str(db_path), *map(str, args)])

    first = tmp_path / "p.csv"
    first.write_text("product_id,title,keywords,score\nP1,Walking Shoes A1,walking shoes,70\n")
    run("import", first)
    (tmp_path / "b.csv").write_text("keyword,bid,status\nwalking shoes,1.5,active\n")
    run("import", tmp_path / "b.csv")
    (tmp_path / "s.csv").write_text("keyword,week,clicks\nwalking shoes,2026-11-02,3\n")
    run("import", tmp_path / "s.csv")
    before = data_dump()
    # a second round changes a title and a keyword link, a bid, a known week's stats, and adds
    (tmp_path / "p2.csv").write_text("product_id,title,keywords,score\n"
                                     "P1,Running Shoes A1,running shoes,65\nP2,Sandals B2,,\n")
    assert run("import", tmp_path / "p2.csv").exit_code == 0
    assert Product.get(Product.product_id == "P1").title == "Running Shoes A1"
    undone = run("undo")
    assert undone.exit_code == 0 and "undid import" in undone.stdout
    assert data_dump() == before
    assert Coverage.select().count() == 1 and Product.select().count() == 1
    for name, text in (("b2.csv", "keyword,bid\nwalking shoes,2.5\n"),
                       ("s2.csv", "keyword,week,clicks\nwalking shoes,2026-11-02,9\n")):
        (tmp_path / name).write_text(text)
        assert run("import", tmp_path / name).exit_code == 0
        assert run("imports", "undo").exit_code == 0
        assert data_dump() == before, name
    assert (Bid.get().bid, KeywordStat.get().clicks) == (1.5, 3)
    # an older import waits for the newer ones; a file undone can be imported again
    refused = run("imports", "undo", "1")
    assert refused.exit_code == 1 and "is not the newest" in refused.stderr
    again = run("import", tmp_path / "p2.csv")
    assert again.exit_code == 0 and "already imported" not in again.stdout
    listed = run("imports", "list").stdout
    assert "undone" in listed


DAILY = """
    product_id,date,impressions,clicks,inquiries
    P1,2026-11-16,100,3,0
    P1,2026-11-17,80,2,1
    P2,2026-11-16,0,0,0
"""


def test_stats_of_overlapping_periods_are_refused_not_counted_twice(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", PRODUCTS))
    import_file(store, "product-stats", write_csv(tmp_path / "daily.csv", DAILY))
    before = dump()
    # a week over days that P1 already has daily figures for
    week = write_csv(tmp_path / "week.csv", """
        product_id,period_start,period_end,impressions,clicks,inquiries
        P2,2026-11-16,2026-11-22,0,0,0
        P1,2026-11-16,2026-11-22,900,20,1
    """)
    with pytest.raises(ImportFailed) as failed:
        import_file(store, "product-stats", week)
    assert failed.value.problems == [
        "week.csv: product P1: its stats for 2026-11-16..2026-11-22 share days with its stats "
        "for 2026-11-16 (from import 2, daily.csv), which would count those days twice; import "
        "one period or the other (`kwtrack imports undo ID` takes one back)"]
    assert dump() == before
    # the same days again, the same period: the same figures, updated
    again = import_file(store, "product-stats", write_csv(tmp_path / "again.csv", """
        product_id,date,impressions,clicks,inquiries
        P1,2026-11-17,85,2,1
    """))
    assert (again.added, again.changed) == (0, 1)
    # one file holding a week and one of its days for the same product
    with pytest.raises(ImportFailed, match=r"product P1: .* \(in this file too\)"):
        import_file(store, "product-stats", write_csv(tmp_path / "both.csv", """
            product_id,period_start,period_end,impressions
            P1,2026-11-23,2026-11-29,50
            P1,2026-11-24,2026-11-24,5
        """))


def test_overlapping_keyword_stats_are_refused_per_channel(store, tmp_path):
    import_file(store, "keyword-stats", write_csv(tmp_path / "daily.csv", """
        keyword,date,channel,impressions,clicks
        running shoes,2026-11-16,organic,100,3
    """))
    # the week's P4P figures share no row with the organic day
    paid = import_file(store, "keyword-stats", write_csv(tmp_path / "p4p.csv", """
        keyword,week,channel,impressions,clicks
        running shoes,2026-11-16,p4p,40,2
    """))
    assert paid.added == 1
    organic = write_csv(tmp_path / "organic.csv", """
        keyword,week,channel,impressions,clicks
        running shoes,2026-11-16,organic,700,20
    """)
    with pytest.raises(ImportFailed, match="keyword running shoes: its stats for "
                       r"2026-11-16\.\.2026-11-22 share days with its stats for 2026-11-16 "):
        import_file(store, "keyword-stats", organic)
    # once the daily import is taken back, the week goes in
    undo_import(store)
    undo_import(store)
    assert import_file(store, "keyword-stats", organic).added == 1
