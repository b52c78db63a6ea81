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
    # (a canonical product-stats file has no traffic sources: unknown)
    assert w44.figures == {
        "impressions": 700, "clicks": 14, "ctr": 0.02, "visitors": 7, "inquiries": 0,
        "p4p_impressions": None, "p4p_clicks": None, "p4p_ctr": None, "p4p_spend": None,
        "cpc": None, "search_impressions": None, "marketing_impressions": None,
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
        "p4p_impressions": 1100, "p4p_clicks": 52, "p4p_ctr": 0.0473, "p4p_spend": 160.0,
        "cpc": 3.0769}
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
    assert ("| 2026-W47 | 1,500 | 40 | 2.7% | – | 1 | 1,100 | 52 | 4.7% | 160.00 | 3.08 |"
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
    assert [book["The store"][cell].number_format for cell in ("D5", "J5", "K5", "B5")] == [
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
