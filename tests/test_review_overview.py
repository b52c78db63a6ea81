"""The review's first table: the store's own figures, week by week, known only where the
stats say them, and the swings worth explaining."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from click.testing import CliRunner

from kwtrack.cli import cli
from kwtrack.config import load_config
from kwtrack.imports import import_file
from kwtrack.review import csv_rows, markdown, weekly_review, write_workbook
from kwtrack.review.overview import FIGURES

from .conftest import write_csv
from .test_reports import PRODUCT_HEADER, write_xlsx

THIS = dt.date(2026, 11, 16)  # 2026-W47


@pytest.fixture
def shop(store, tmp_path):
    """Four weeks of product stats, each in another shape, and two weeks of P4P stats."""
    import_file(store, "products", write_csv(tmp_path / "p.csv",
                                             "product_id,title\nP1,Shoes\nP2,Boots\nP3,Mats\n"))
    rows = ["product_id,period_start,period_end,impressions,clicks,visitors,inquiries"]
    # W44: daily rows of P1 on all seven days (P2 and P3 had none: zero)
    rows += [f"P1,{day},{day},100,2,1,0" for day in (
        dt.date(2026, 10, 26) + dt.timedelta(days=n) for n in range(7))]
    # W45: the data manager's Sunday-to-Saturday week, P2 only
    rows.append("P2,2026-11-01,2026-11-07,2000,40,30,2")
    # W46: P1's daily rows of six of its seven days
    rows += [f"P1,{day},{day},50,1,1,0" for day in (
        dt.date(2026, 11, 9) + dt.timedelta(days=n) for n in range(6))]
    # W47: an ISO week; P1's visitors unknown (the report's `-`)
    rows += ["P1,2026-11-16,2026-11-22,1000,30,,1", "P2,2026-11-16,2026-11-22,500,10,5,0"]
    import_file(store, "product-stats", write_csv(tmp_path / "ps.csv", "\n".join(rows) + "\n"))
    import_file(store, "keyword-stats", write_csv(tmp_path / "ks.csv", (
        "keyword,week,channel,impressions,clicks,inquiries,spend\n"
        "shoes,2026-11-02,organic,800,20,,\n"
        "shoes,2026-11-09,p4p,1000,20,1,100\n"
        "shoes,2026-11-16,p4p,1100,52,0,160\n"
        "boots,2026-11-16,organic,300,9,,\n")))
    return store


def test_the_store_week_by_week_known_only_where_the_stats_say_it(shop):
    review = weekly_review(shop, THIS, today=THIS)
    weeks = {w.to_dict()["week"]: w for w in review.overview}
    assert list(weeks) == ["2026-W44", "2026-W45", "2026-W46", "2026-W47"]
    w44, w45, w46, w47 = weeks.values()
    # (this product-stats file has no orders nor traffic sources: unknown)
    assert w44.figures == {
        "impressions": 700, "clicks": 14, "ctr": 0.02, "visitors": 7, "inquiries": 0,
        "orders": None, "p4p_impressions": None, "p4p_clicks": None, "p4p_ctr": None,
        "p4p_spend": None, "cpc": None, "search_impressions": None, "marketing_impressions": None,
        "promotion_impressions": None}
    assert w44.note == "no P4P stats for 2026-W44"
    # a Sunday-to-Saturday week is its ISO week's figure
    assert (w45.figures["impressions"], w45.figures["visitors"], w45.figures["inquiries"]) == (
        2000, 30, 2)
    # six days of seven: unknown, never the six days' sum
    assert w46.figures["impressions"] is None and w46.figures["clicks"] is None
    assert w46.note == "the product stats of 2026-W46 cover 6 of its 7 days"
    assert (w46.figures["p4p_spend"], w46.figures["cpc"]) == (100.0, 5.0)
    # one row's visitors unknown: the week's visitors are, the rest add up
    assert {name: w47.figures[name] for name in FIGURES} == {
        "impressions": 1500, "clicks": 40, "ctr": 0.0267, "visitors": None, "inquiries": 1,
        "orders": None, "p4p_impressions": 1100, "p4p_clicks": 52, "p4p_ctr": 0.0473,
        "p4p_spend": 160.0, "cpc": 3.0769}
    assert w47.note is None


def test_the_weeks_swings_are_said_with_where_to_look(shop, tmp_path):
    review = weekly_review(shop, THIS, today=THIS)
    # P4P spend +60% and CPC −38% are said; P4P clicks +160% are not (from 20: no base), nor
    # product impressions (the week before is unknown)
    assert review.swings == [
        "P4P spend rose 60% on 2026-W46 (100.00 → 160.00): Top P4P spend below says which "
        "words",
        "CPC fell 38% on 2026-W46 (5.00 → 3.08): the bids of Top P4P spend below say which "
        "words"]
    config = load_config()
    calm = dataclasses.replace(config, review=dataclasses.replace(config.review,
                                                                  overview_swing=0.7))
    assert weekly_review(shop, THIS, calm, today=THIS).swings == []


def test_the_store_table_in_every_form_of_the_review(shop, db_path, tmp_path):
    from openpyxl import load_workbook

    review = weekly_review(shop, THIS, today=THIS)
    text = markdown(review)
    assert text.index("## The store, week by week") < text.index("## Top traffic")
    assert ("| 2026-W47 | 1,500 | 40 | 2.7% | – | 1 | – | 1,100 | 52 | 4.7% | 160.00 | 3.08 |"
            in text)
    # (each reason once, for the weeks it holds for: not a line a week)
    assert "- no P4P stats for 2026-W44, 2026-W45\n" in text
    assert text.count("no P4P stats") == 1
    assert "- P4P spend rose 60% on 2026-W46" in text
    header, rows = csv_rows(review)
    store_rows = [dict(zip(header, row, strict=True)) for row in rows
                  if row[1] == "overview"]
    assert [(r["week"], r["impressions"], r["p4p_spend"]) for r in store_rows[:4]] == [
        ("2026-W44", 700, None), ("2026-W45", 2000, None), ("2026-W46", None, 100.0),
        ("2026-W47", 1500, 160.0)]
    assert store_rows[4]["why"].startswith("P4P spend rose 60%")
    out = tmp_path / "r.xlsx"
    write_workbook(review, out)
    book = load_workbook(out)
    assert book.sheetnames[0] == "The store"
    sheet = list(book["The store"].iter_rows(values_only=True))
    assert sheet[0][:4] == ("week", "impressions", "clicks", "CTR")
    assert sheet[4][:5] == ("2026-W47", 1500, 40, 0.0267, None)
    # (as the markdown shows them: a rate in percent, money to the fen, a count with commas)
    assert [book["The store"][cell].number_format for cell in ("D5", "K5", "L5", "B5")] == [
        "0.0%", "#,##0.00", "#,##0.00", "#,##0"]
    assert sheet[6][0].startswith("P4P spend rose 60%")
    shown = json.loads(CliRunner().invoke(cli, ["--db", str(db_path), "review", "--week",
                                                "2026-W47", "--json"]).stdout)
    assert shown["overview"][3]["week"] == "2026-W47"
    assert shown["overview"][3]["visitors"] is None
    assert shown["overview_swings"] == review.swings


def test_a_swing_of_impressions_says_which_traffic_source_moved(store, tmp_path):
    """The data manager's product report gives impressions by source (views that overlap):
    a fall of the whole store's impressions says which of them fell; a source one row
    leaves unknown (`-`) is left out."""

    def report(name: str, period: str, rows: list[dict]):
        cells = [[row.get(h.strip(), "0") for h in PRODUCT_HEADER] for row in rows]
        return write_xlsx(tmp_path / name, f"产品数据, 时间周期 {period}", PRODUCT_HEADER, cells)

    def product(pid, whole, search, marketing, promotion="0"):
        return {"产品ID": pid, "产品名称": f"Shoes {pid}", "全店曝光次数": whole,
                "搜索曝光次数": search, "营销曝光次数": marketing, "全站推广曝光次数": promotion,
                "访问人数": "10"}

    import_file(store, None, report("Products-2026-11-14.xlsx", "2026-11-08~2026-11-14", [
        product("1600000000001", "1000", "800", "200"),
        product("1600000000002", "500", "400", "100", "-")]))
    import_file(store, None, report("Products-2026-11-21.xlsx", "2026-11-15~2026-11-21", [
        product("1600000000001", "600", "400", "190"),
        product("1600000000002", "300", "200", "100")]))
    import_file(store, "keyword-stats", write_csv(tmp_path / "k.csv", (
        "keyword,week,impressions,clicks\nshoes,2026-11-16,300,9\n")))
    review = weekly_review(store, THIS, today=THIS)
    assert review.overview[-1].figures["search_impressions"] == 600
    assert review.overview[-2].figures["promotion_impressions"] is None
    assert review.swings == [
        "product impressions fell 40% on 2026-W46 (1,500 → 900): by source, search 1,200 → "
        "600 (-50%), marketing 300 → 290 (-3%)"]


@pytest.fixture
def categories(store, tmp_path):
    """Two weeks of product stats over three categories, a product without one, an offline
    and an archived product (W46 a Sunday-to-Saturday week, W47 an ISO week)."""
    from kwtrack.store.models import Product

    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title,category,status\n"
        "S1,Running Shoes,Shoes,online\nS2,Court Shoes,Shoes,online\n"
        "S3,Old Shoes,Shoes,online\nB1,Boots,Boots,online\nB2,Snow Boots,Boots,offline\n"
        "M1,Mats,Mats,online\nX1,Socks,,online\n")))
    Product.update(archived_at=dt.datetime(2026, 11, 20)).where(
        Product.product_id == "S3").execute()
    import_file(store, "product-stats", write_csv(tmp_path / "ps.csv", (
        "product_id,period_start,period_end,impressions,clicks,visitors,inquiries,orders\n"
        "S1,2026-11-08,2026-11-14,1000,20,10,1,0\n"
        "B1,2026-11-08,2026-11-14,400,8,4,0,0\n"
        "M1,2026-11-08,2026-11-14,50,1,1,0,0\n"
        # W47: the archived S3 still counts (its week's traffic was the store's); B1's
        # visitors unknown; M1 had no row (no effect)
        "S1,2026-11-16,2026-11-22,800,16,8,2,1\nS3,2026-11-16,2026-11-22,200,4,2,0,0\n"
        "B1,2026-11-16,2026-11-22,600,12,,1,0\nX1,2026-11-16,2026-11-22,30,3,3,1,\n")))
    import_file(store, "keyword-stats", write_csv(tmp_path / "ks.csv", (
        "keyword,week,impressions,clicks\nshoes,2026-11-09,300,9\nshoes,2026-11-16,300,9\n"
        "shoes,2026-11-23,300,9\n")))
    return store


def test_the_reviewed_week_by_category(categories):
    """The data overview's conversion per category: each category's live listings and its
    products' figures, an unknown figure kept to its category, a category without rows had
    no effect, changes on the week before."""
    review = weekly_review(categories, THIS, today=THIS)
    shown = [c.to_dict() for c in review.categories]
    assert [c["category"] for c in shown] == ["Shoes", "Boots", None, "Mats"]
    shoes, boots, none, mats = shown
    assert shoes == {"category": "Shoes", "products": 2, "impressions": 1000, "clicks": 20,
                     "ctr": 0.02, "visitors": 10, "inquiries": 2, "inquiry_rate": 0.2,
                     "orders": 1, "impressions_change": 0.0, "inquiries_change": 1.0}
    # (B2 is offline: not listed; one row's `-` leaves Boots' visitors and rate unknown)
    assert (boots["products"], boots["impressions"], boots["visitors"],
            boots["inquiry_rate"], boots["impressions_change"]) == (1, 600, None, None, 0.5)
    # no row this week: none (the week's stats cover it); its change is down all the way
    assert (mats["impressions"], mats["inquiries"], mats["impressions_change"]) == (0, 0, -1.0)
    # none the week before: no change to say, not "up from nothing"
    assert (none["products"], none["impressions"], none["impressions_change"]) == (1, 30, None)
    assert (boots["orders"], mats["orders"], none["orders"]) == (0, 0, None)  # (X1's blank)
    assert review.categories[2].name == "(no category)"
    # the week before: its stats cover it too, and Shoes led it
    earlier = weekly_review(categories, THIS - dt.timedelta(weeks=1), today=THIS)
    assert [(c.name, c.figures["impressions"]) for c in earlier.categories][:2] == [
        ("Shoes", 1000), ("Boots", 400)]
    assert earlier.categories[0].figures["impressions_change"] is None  # (W45: no stats)


def test_no_table_by_category_for_a_week_the_product_stats_do_not_cover(categories):
    # a week the product stats do not cover: unknown, not a table of zeros
    assert weekly_review(categories, THIS + dt.timedelta(weeks=1), today=THIS).categories == []
    assert "## By category" not in markdown(weekly_review(
        categories, THIS + dt.timedelta(weeks=1), today=THIS))


def test_no_table_by_category_without_categories(store, tmp_path):
    # products without categories: the one row would be the store's own
    import_file(store, "products", write_csv(tmp_path / "p.csv", "product_id,title\nP1,Shoes\n"))
    import_file(store, "product-stats", write_csv(tmp_path / "ps.csv", (
        "product_id,period_start,period_end,impressions\nP1,2026-11-16,2026-11-22,100\n")))
    import_file(store, "keyword-stats", write_csv(tmp_path / "ks.csv", (
        "keyword,week,impressions,clicks\nshoes,2026-11-16,300,9\n")))
    review = weekly_review(store, THIS, today=THIS)
    assert review.overview[-1].figures["impressions"] == 100 and review.categories == []


def test_the_table_by_category_in_every_form_of_the_review(categories, db_path, tmp_path):
    from openpyxl import load_workbook

    review = weekly_review(categories, THIS, today=THIS)
    text = markdown(review)
    assert (text.index("## The store, week by week") < text.index("## By category")
            < text.index("## Top traffic"))
    assert "| Shoes | 2 | 1,000 | 20 | 2.0% | 10 | 2 | 20.0% | 1 | +0% | +100% |" in text
    assert "| Boots | 1 | 600 | 12 | 2.0% | – | 1 | – | 0 | +50% | – |" in text
    header, rows = csv_rows(review)
    found = [dict(zip(header, row, strict=True)) for row in rows if row[1] == "category"]
    assert [(r["category"], r["impressions"], r["inquiry_rate"]) for r in found] == [
        ("Shoes", 1000, 0.2), ("Boots", 600, None), ("(no category)", 30, 0.3333),
        ("Mats", 0, None)]
    out = tmp_path / "r.xlsx"
    write_workbook(review, out)
    book = load_workbook(out)
    assert book.sheetnames[:2] == ["The store", "By category"]
    sheet = list(book["By category"].iter_rows(values_only=True))
    assert sheet[0][:3] == ("category", "products", "impressions")
    assert sheet[1][:3] == ("Shoes", 2, 1000) and sheet[2][5] is None
    assert book["By category"]["H2"].number_format == "0.0%"
    shown = json.loads(CliRunner().invoke(cli, ["--db", str(db_path), "review", "--week",
                                                "2026-W47", "--json"]).stdout)
    assert shown["categories"][0]["category"] == "Shoes"
    assert shown["categories"][2] == {**review.categories[2].to_dict(), "category": None}
