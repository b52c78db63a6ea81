"""Alibaba.com's own exports: XLS/XLSX with preambles, GBK CSV, Chinese headers, totals rows."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
import xlwt
from click.testing import CliRunner

from kwtrack.cli import cli
from kwtrack.errors import ImportFailed, KwtrackError
from kwtrack.imports import Period, import_file
from kwtrack.imports.detect import period_from_file_name, period_from_text
from kwtrack.store.models import Bid, Keyword, KeywordStat, Product, ProductStat, SearchTermShare

from .conftest import write_csv
from .test_import import dump

PRODUCT_HEADER = ["产品ID", "产品名称", "是否橱窗", "是否顶展", "是否P4P", "搜索曝光次数",
                  "搜索点击次数", "搜索点击率", "访问人数", "询盘个数", "近90天商机人数",
                  "询盘人数", "询盘率", "收藏人数", "分享人数 ", "对比人数", "提交订单个数",
                  "TM咨询人数", "产品负责人", "RTS线上买家数", "RTS线上实收GMV", "全店曝光次数",
                  "全店点击次数", "营销曝光次数", "营销点击次数", "标准推广曝光次数",
                  "标准推广点击次数", "全站推广曝光次数", "全站推广点击次数"]


def product_rows():
    return [
        ["1600123456789", "Men's Casual Walking Shoes Model A502", "Y", "N", "Y", "1,200", "30",
         "2.5%", "25", "2", "3", "2", "8%", "4", "1", "0", "1", "1", "Lily", "-", "-", "1500",
         "40", "300", "10", "200", "6", "100", "4"],
        ["1600123456790", "Women's Slippers Model K6116", "否", "否", "否", "0", "0", "-", "0",
         "0", "0", "0", "-", "0", "0", "0", "0", "0", "Lily", "-", "-", "0", "0", "-", "-", "-",
         "-", "-", "-"],
        ["合计", "", "", "", "", "1200", "30"],
    ]


def write_xls(path, preamble: str, header, rows):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    sheet.write(0, 0, preamble)
    for c, h in enumerate(header):
        sheet.write(5, c, h)
    for r, row in enumerate(rows, start=6):
        for c, v in enumerate(row):
            sheet.write(r, c, v)
    book.save(str(path))
    return path


def write_xlsx(path, preamble: str, header, rows, blank_rows=4):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([preamble])
    for _ in range(blank_rows):
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_data_manager_product_export_xls(store, tmp_path):
    path = write_xls(tmp_path / "Products-2026-09-19.xls",
                     "产品数据, 时间周期 2026-09-13~2026-09-19",
                     PRODUCT_HEADER, product_rows())
    result = import_file(store, None, path)
    assert result.kind == "product-report"
    assert (result.period_start, result.period_end) == (dt.date(2026, 9, 13), dt.date(2026, 9, 19))
    assert dict(result.notes)["products added"] == 2 and result.added == 2
    p = Product.get(Product.product_id == "1600123456789")
    assert (p.showcase, p.p4p, p.title) == (True, True, "Men's Casual Walking Shoes Model A502")
    s = ProductStat.get(ProductStat.product == p)
    assert (s.impressions, s.clicks, s.search_impressions, s.promotion_clicks, s.shares) == (
        1500, 40, 1200, 4, 1)
    quiet = ProductStat.get(ProductStat.product == Product.get(
        Product.product_id == "1600123456790"))
    assert quiet.impressions == 0 and quiet.marketing_impressions is None  # '-' is unknown


def test_product_export_as_xlsx_and_gbk_csv(store, tmp_path):
    xlsx = write_xlsx(tmp_path / "Products-2026-11-20.xlsx", "产品数据", PRODUCT_HEADER,
                      product_rows())
    result = import_file(store, None, xlsx)
    assert (result.period_start, result.period_end) == (dt.date(2026, 11, 20),) * 2  # file name
    csv_text = "\n".join(",".join(f'"{c}"' for c in row) for row in
                         [["产品数据,时间周期2026-11-01~2026-11-07"], [], [], [], [],
                          PRODUCT_HEADER, *product_rows()])
    gbk = tmp_path / "products.csv"
    gbk.write_bytes(csv_text.encode("gbk"))
    result = import_file(store, None, gbk)
    assert result.period_start == dt.date(2026, 11, 1) and result.added == 2


def test_an_xls_that_is_an_html_table_or_tab_separated_text_is_read_as_what_it_is(store,
                                                                                tmp_path):
    """Back ends save HTML tables and tab-separated text under an .xls name and call it an
    Excel export: the same report, read as what the file holds (GBK here)."""
    def cells(row, tag="td"):
        return "".join(f"<{tag}>{c}</{tag}>" for c in row)

    html = tmp_path / "Products-2026-09-19.xls"
    html.write_bytes((
        "<html><head><meta charset='gbk'><style>td { mso-number-format: '@'; }</style></head>"
        "<body><table><tr><td colspan=3>产品数据, 时间周期 2026-09-13~2026-09-19</td></tr>"
        + "<tr></tr>" * 4 + f"<tr>{cells(PRODUCT_HEADER, 'th')}</tr>\n"
        + "".join(f"<tr>{cells(row)}</tr>\n" for row in product_rows())
        + "</table></body></html>").replace("Men's", "Men&#39;s&nbsp;").encode("gbk"))
    result = import_file(store, None, html)
    assert result.kind == "product-report" and result.added == 2
    assert (result.period_start, result.period_end) == (dt.date(2026, 9, 13), dt.date(2026, 9, 19))
    p = Product.get(Product.product_id == "1600123456789")
    assert p.title == "Men's Casual Walking Shoes Model A502"
    assert ProductStat.get(ProductStat.product == p).impressions == 1500

    tabbed = tmp_path / "Products-2026-09-26.xls"
    tabbed.write_bytes("\n".join("\t".join(row) for row in (
        ["产品数据, 时间周期 2026-09-20~2026-09-26"], [], [], [], [], PRODUCT_HEADER,
        *product_rows())).encode("gbk"))
    result = import_file(store, None, tabbed)
    assert result.period_start == dt.date(2026, 9, 20) and result.added == 2  # the week's stats

    page = tmp_path / "Products-2026-10-10.xls"  # a login page saved instead of the report
    page.write_text("<html><body><p>Please sign in</p></body></html>")
    with pytest.raises(KwtrackError, match=r"^Products-2026-10-10.xls: an HTML page with no "):
        import_file(store, None, page)

    pdf = tmp_path / "Products-2026-10-03.xls"
    pdf.write_bytes(b"%PDF-1.4\n" + bytes(range(128, 256)) * 8)
    with pytest.raises(KwtrackError, match=r"^Products-2026-10-03.xls: not a spreadsheet"):
        import_file(store, None, pdf)


def test_keyword_advisor_export_splits_organic_and_p4p(store, tmp_path):
    header = ["词", "曝光量", "点击量", "点击率", "外贸直通车曝光", "外贸直通车点击",
              "外贸直通车推广时长", "Top10平均曝光", "Top10平均点击", "关键词指数", "卖家规模指数"]
    rows = [["shoes", "1000", "50", "5%", "300", "20", "24", "900", "40", "5,200", "310"],
            ["zapatos de hombre", "80", "2", "2.5%", "-", "-", "-", "50", "1", "900", "40"],
            ["运动鞋", "10", "1", "10%", "40", "2", "5", "9", "1", "300", "12"]]
    path = write_xls(tmp_path / "getKeywords-2026-09-19.xls",
                     "流量关键词,时间周期2026-09-13~2026-09-19",
                     header, rows)
    result = import_file(store, None, path)
    assert result.kind == "keyword-report" and result.added == 5
    stats = {(s.keyword.keyword, s.channel): s for s in KeywordStat.select()}
    assert (stats["shoes", "organic"].impressions, stats["shoes", "p4p"].impressions) == (700, 300)
    assert (stats["shoes", "organic"].clicks, stats["shoes", "p4p"].clicks) == (30, 20)
    assert ("zapatos de hombre", "p4p") not in stats
    assert stats["运动鞋", "organic"].impressions == 10  # P4P above total: not inclusive
    kw = Keyword.get(Keyword.norm == "shoes")
    assert (kw.search_index, kw.competition) == (5200, 310)


def test_p4p_report_updates_bids_and_p4p_stats(store, tmp_path):
    path = tmp_path / "p4p.csv"
    path.write_text("关键词,关键词组,状态,出价,底价,推广评分,曝光量,点击量,花费,询盘\n"
                    "walking shoes,核心词,推广中,¥3.50,1.20,4,900,30,\"¥1,05.00\",1\n"
                    "总计,,,,,,900,30,105,1\n".replace("\"¥1,05.00\"", "105.00"),
                    encoding="utf-8-sig")
    result = import_file(store, None, path, period=Period(dt.date(2026, 11, 16),
                                                           dt.date(2026, 11, 22)))
    assert result.kind == "p4p-report" and result.added == 1
    bid = Bid.get()
    assert (bid.bid, bid.base_price, bid.stars, bid.status, bid.group) == (3.5, 1.2, 4, "active",
                                                                         "核心词")
    stat = KeywordStat.get()
    assert (stat.channel, stat.spend, stat.period_start) == ("p4p", 105.0, dt.date(2026, 11, 16))


def test_a_p4p_reports_figures_go_in_for_the_period_its_preamble_names_else_it_says_so(
        store, tmp_path):
    header = ["关键词", "状态", "出价", "曝光量", "点击量", "花费"]
    rows = [["walking shoes", "推广中", "3.5", "100", "5", "12.5"],
            ["hiking boots", "暂停推广", "2.8", "-", "-", "-"]]
    # exported on the 22nd (the name's one day is no period), the week in its preamble
    dated = write_xlsx(tmp_path / "p4p-report-2026-11-22.xlsx",
                       "时间周期：2026-11-16 至 2026-11-22", header, rows)
    result = import_file(store, None, dated)
    assert (result.period_start, result.period_end) == (dt.date(2026, 11, 16),
                                                        dt.date(2026, 11, 22))
    assert "1 row written as P4P stats" in result.summary()
    assert [(s.channel, s.clicks) for s in KeywordStat.select()] == [("p4p", 5)]
    undated = write_csv(tmp_path / "p4p-2026-11-29.csv",
                        "\n".join(",".join(r) for r in [header, *rows]).replace("3.5", "3.6"))
    result = import_file(store, None, undated)
    assert result.period_start is None and Bid.get(Bid.id == 1).bid == 3.6  # the bids went in
    assert ("1 row whose P4P figures were left out: the report names no period (its bids are "
            "in; give --period START..END for the figures)") in result.summary()
    assert KeywordStat.select().count() == 1


@pytest.mark.parametrize("kind,header", [
    ("keyword-stats", "关键词,曝光次数,点击次数,询盘数,消耗"),
    ("keyword-stats", "关键词,曝光量,点击量,询盘个数,花费"),
    ("p4p-report", "关键词,出价,曝光量,点击量,询盘数,花费"),
])
def test_the_ways_reports_head_inquiries_all_read_as_inquiries(store, tmp_path, kind, header):
    """询盘数 and 询盘个数 (inquiries) are read, not left out as unknown columns."""
    row = "walking shoes,3.50,900,30,2,105.00" if kind == "p4p-report" else \
        "walking shoes,900,30,2,105.00"
    path = write_csv(tmp_path / "k.csv", f"{header}\n{row}\n")
    result = import_file(store, kind, path, period=Period(dt.date(2026, 11, 16),
                                                          dt.date(2026, 11, 22)))
    assert "ignored columns" not in result.summary()
    stat = KeywordStat.get()
    assert (stat.impressions, stat.clicks, stat.inquiries, stat.spend) == (900, 30, 2, 105.0)


@pytest.mark.parametrize("said", ["暂停推广", "已暂停", "未推广", "关闭", "paused", "Off"])
def test_the_back_ends_words_for_a_paused_keyword_read_as_paused(store, tmp_path, said):
    path = write_csv(tmp_path / "p4p.csv", f"关键词,状态,出价\nrunning shoes,{said},2.80\n")
    import_file(store, "p4p-report", path)
    assert (Bid.get().status, Bid.get().bid) == ("paused", 2.8)


def test_search_term_shares(store, tmp_path):
    path = tmp_path / "search-terms-261109-261115.csv"
    path.write_text("状态,买家搜索词,点击占比,曝光占比\n已添加,running shoes,12.5%,8.1%\n"
                    "未添加,trail shoes,-,0.4%\n", encoding="utf-8")
    result = import_file(store, None, path)
    assert result.kind == "search-terms" and result.added == 2
    assert result.period_start == dt.date(2026, 11, 9)
    share = SearchTermShare.get(SearchTermShare.click_share.is_null(False))
    assert (share.click_share, share.impression_share, share.status) == (12.5, 8.1, "已添加")


def test_older_keyword_index_goes_to_the_library(store, tmp_path):
    path = tmp_path / "index.csv"
    path.write_text("关键词,搜索热度,卖家竞争度,橱窗数\nhiking boots,3400,120,8\n",
                    encoding="utf-8")
    result = import_file(store, None, path)
    assert result.kind == "keywords"
    kw = Keyword.get()
    assert (kw.keyword, kw.search_index, kw.competition) == ("hiking boots", 3400, 120)


def test_unknown_layout_lists_headers_and_candidates(store, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("订单号,买家,金额\n1,a,2\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        import_file(store, None, path)
    assert str(err.value).startswith("odd.csv: unknown layout: headers found: 订单号, 买家, 金额")


def test_stats_report_without_a_period_anywhere_is_an_error(store, tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text("状态,买家搜索词,点击占比,曝光占比\n已添加,shoes,1%,1%\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="terms.csv:2: no period"):
        import_file(store, None, path)


def test_broken_files_fail_cleanly(store, tmp_path):
    before = dump()
    truncated = tmp_path / "Products-2026-11-20.xlsx"
    good = write_xlsx(tmp_path / "full.xlsx", "产品数据", PRODUCT_HEADER, product_rows())
    truncated.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(KwtrackError, match="cannot read spreadsheet"):
        import_file(store, None, truncated)
    binary = tmp_path / "bad.csv"
    binary.write_bytes(b"product_id,title\n\xff\xfe\x00\x81\x30\x81\xff,x\n")
    with pytest.raises(KwtrackError, match="not readable text"):
        import_file(store, None, binary)
    assert dump() == before


def test_periods_from_text_and_names():
    week = Period(dt.date(2026, 9, 13), dt.date(2026, 9, 19))
    # as the Chinese back end writes it, as the English one does, and with compact dates
    for text in ("产品数据, 时间周期 2026-09-13~2026-09-19", "时间周期：2026/09/13 ~ 2026/09/19",
                 "统计时间 2026年09月13日至2026年09月19日", "Period: 2026-09-13 to 2026-09-19",
                 "Date range 2026/9/13 - 2026/9/19", "时间周期 20260913~20260919"):
        assert period_from_text(text) == week, text
    # a date that does not exist, or an end before the start, is no period
    assert period_from_text("时间周期 2026-09-13~2026-09-31") is None
    assert period_from_text("时间周期 2026-09-19~2026-09-13") is None
    assert period_from_text("订单 20260913 号") is None
    assert period_from_file_name(tmp := __import__("pathlib").Path("261109-261115.xlsx")) == Period(
        dt.date(2026, 11, 9), dt.date(2026, 11, 15)), tmp
    assert period_from_file_name(__import__("pathlib").Path("Products-2026-11-20.xlsx")) == Period(
        dt.date(2026, 11, 20), dt.date(2026, 11, 20))
    assert period_from_file_name(__import__("pathlib").Path("products.xlsx")) is None


def test_cli_detects_kind_and_takes_period_option(tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text("状态,买家搜索词,点击占比,曝光占比\n已添加,shoes,1%,1%\n", encoding="utf-8")
    CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "init"])
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "import", str(path),
                                      "--period", "2026-11-16..2026-11-22"])
    assert result.exit_code == 0, result.output
    assert "terms.csv (search-terms): 1 row, 1 added" in result.output
    bad = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "import", str(path),
                                   "--period", "2026-11-22"])
    assert bad.exit_code == 2 and "START..END" in bad.output


def test_every_kind_the_readme_lists_imports_by_name_on_the_command_line(db_path, tmp_path):
    """Each kind named on the command line, the report layouts included (the registry lists
    them all up front: nothing is registered as a side effect of an import)."""
    runner = CliRunner()
    files = {
        "products": ("p.csv", "product_id,title,keywords\nP1,Walking Shoes A502,walking shoes\n"),
        "keywords": ("k.csv", "keyword,group\nwalking shoes,core\n"),
        "coverage": ("c.csv", "product_id,keyword,source\nP1,running shoes,manual\n"),
        "product-stats": ("ps.csv", "product_id,date,impressions\nP1,2026-11-01,5\n"),
        "keyword-stats": ("ks.csv", "keyword,week,clicks\nwalking shoes,2026-11-02,3\n"),
        "p4p": ("b.csv", "keyword,bid\nwalking shoes,1.5\n"),
        "product-report": ("Products-2026-11-08.csv",
                           "产品ID,产品名称,全店曝光次数,全店点击次数\n"
                           "P1,Walking Shoes A502,10,1\n"),
        "keyword-report": ("getKeywords-2026-11-08.csv",
                           "词,曝光量,点击量,外贸直通车曝光,外贸直通车点击\nshoes,100,5,10,1\n"),
        "p4p-report": ("p4p-report.csv", "关键词,出价,状态\nshoes,2.5,推广中\n"),
        "search-terms": ("terms-261102-261108.csv", "状态,买家搜索词,点击占比\n已添加,shoes,5%\n"),
    }
    from kwtrack.imports import KINDS

    assert set(files) == set(KINDS)
    for kind, (name, text) in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = runner.invoke(cli, ["--db", str(db_path), "import", kind, str(path), "--json"])
        assert result.exit_code == 0, (kind, result.output)
        assert json.loads(result.stdout)["kind"] == kind
    # `bids`, the name `kwtrack export` gives the p4p kind, reads back what it wrote
    path = tmp_path / "bids.csv"
    path.write_text("keyword,bid\nwalking shoes,1.8\n", encoding="utf-8")
    result = runner.invoke(cli, ["--db", str(db_path), "import", "bids", str(path), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["kind"] == "p4p"
    bad = runner.invoke(cli, ["--db", str(db_path), "import", "nonsense", str(path)])
    assert bad.exit_code == 2 and "product-report" in bad.output


KEYWORD_HEADER = ["词", "曝光量", "点击量", "点击率", "外贸直通车曝光", "外贸直通车点击",
                  "关键词指数", "卖家规模指数"]


def test_a_keyword_advisor_export_that_repeats_words_merges_them_and_says_so(store, db_path,
                                                                             tmp_path):
    """The export drops accents: `tênis masculino` and `tenis masculino` both arrive as
    `tnis masculino`, with different figures."""
    rows = [["adidas", "100", "5", "5%", "10", "1", "300", "20"],
            ["tnis masculino", "40", "2", "5%", "-", "-", "150", "9"],
            ["shoes", "10", "1", "10%", "0", "0", "90", "4"],
            ["adidas", "60", "3", "5%", "20", "2", "350", "18"],
            ["tnis masculino", "10", "1", "10%", "-", "-", "120", "12"]]
    path = write_xls(tmp_path / "getKeywords-2026-11-08.xls",
                     "流量关键词,时间周期2026-11-02~2026-11-08", KEYWORD_HEADER, rows)
    before = Keyword.select().count()
    result = import_file(store, None, path)
    assert result.kind == "keyword-report" and result.rows_read == 5
    assert (result.merged, result.merged_keywords) == (2, ("adidas", "tnis masculino"))
    assert result.keywords_added == Keyword.select().count() - before == 3
    stats = {(s.keyword.keyword, s.channel): s for s in KeywordStat.select()}
    # counts added (organic = total − P4P), index figures the larger
    assert (stats["adidas", "organic"].impressions, stats["adidas", "p4p"].impressions) == (
        130, 30)
    assert stats["tnis masculino", "organic"].clicks == 3
    assert ("tnis masculino", "p4p") not in stats  # unknown in both rows: still unknown
    adidas = Keyword.get(Keyword.norm == "adidas")
    assert (adidas.search_index, adidas.competition) == (350, 20)
    line = CliRunner().invoke(cli, ["--db", str(db_path), "import", str(path), "--force"]).stdout
    assert "2 merged (repeated words, figures added: adidas, tnis masculino)" in line


def test_the_users_own_files_still_refuse_repeated_rows_naming_the_keyword(store, tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("keyword,week,clicks\nshoes,2026-11-02,1\nboots,2026-11-02,2\n"
                    "Shoes,2026-11-03,3\n")
    with pytest.raises(ImportFailed) as err:
        import_file(store, "keyword-stats", path)
    assert str(err.value) == ("k.csv:4: duplicate of row 2 "
                              "(keyword 'Shoes', 2026-11-02..2026-11-08, channel 'organic')")


def test_a_product_report_with_inquirers_but_no_inquiries_stores_them_as_inquiries(
        store, tmp_path):
    header = ["产品ID", "产品名称", "访问人数", "询盘人数", "全店曝光次数", "全店点击次数"]
    path = write_xls(tmp_path / "Products-2026-11-08.xls",
                     "产品数据,时间周期 2026-11-02~2026-11-08",
                     header, [["1600000000001", "Walking Shoes A502", "9", "3", "100", "4"]])
    import_file(store, None, path)
    assert ProductStat.get().inquiries == 3
    # both present: 询盘个数 (inquiries) wins over 询盘人数 (inquirers)
    header = ["产品ID", "产品名称", "询盘人数", "询盘个数", "全店曝光次数", "全店点击次数"]
    path = write_xls(tmp_path / "Products-2026-11-15.xls",
                     "产品数据,时间周期 2026-11-09~2026-11-15",
                     header, [["1600000000001", "Walking Shoes A502", "3", "5", "100", "4"]])
    import_file(store, None, path)
    latest = ProductStat.select().order_by(ProductStat.period_start.desc()).first()
    assert latest.inquiries == 5


def test_zero_effect_from_two_consecutive_weekly_data_manager_reports(store, tmp_path):
    """The data manager's product export, one row per product for a week, two weeks running:
    a window inside the weeks names only the products whose weeks show no effect, and a
    window reaching past them names none."""
    from kwtrack.cleanup import zero_effect_products
    from kwtrack.errors import StatsGap

    def week(name, period, figures):
        rows = [[pid, title, "N", "N", "N", "0", "0", "-", str(v), "0", "0", "0", "-", "0",
                 "0", "0", "0", "0", "Lily", "-", "-", str(i), "0", "-", "-", "-", "-", "-",
                 "-"] for pid, title, i, v in figures]
        return import_file(store, None, write_xls(tmp_path / name,
                                                  f"产品数据, 时间周期 {period}",
                                                  PRODUCT_HEADER, rows))

    products = [("1600000000001", "Best Seller Running Shoes R1"),
                ("1600000000002", "Quiet Slippers S2"), ("1600000000003", "Sandals T3")]
    week("Products-2026-11-15.xls", "2026-11-09~2026-11-15",
         [(p, t, i, v) for (p, t), (i, v) in zip(products, [(900, 40), (0, 0), (0, 0)])])
    week("Products-2026-11-22.xls", "2026-11-16~2026-11-22",
         [(p, t, i, v) for (p, t), (i, v) in zip(products, [(800, 30), (0, 0), (5, 0)])])
    Product.update(published=dt.date(2025, 1, 1)).execute()
    three = zero_effect_products(store, days=3, as_of=dt.date(2026, 11, 12))  # in week 1
    assert [p.product_id for p in three.products] == ["1600000000002", "1600000000003"]
    both = zero_effect_products(store, days=14)  # the default: ending on the last covered day
    assert both.as_of == dt.date(2026, 11, 22)
    assert [p.product_id for p in both.products] == ["1600000000002"]
    with pytest.raises(StatsGap, match="2026-11-23"):
        zero_effect_products(store, days=14, as_of=dt.date(2026, 11, 23))


def test_a_product_id_a_spreadsheet_rounded_is_refused_naming_it(store, tmp_path):
    """Excel shows a 13-digit ID as `1.60000E+12` and saves it so: taken as it stands it
    would be a product that does not exist."""
    path = write_xlsx(tmp_path / "Products-2026-11-29.xlsx",
                      "产品数据,时间周期2026-11-23~2026-11-29",
                      ["产品ID", "产品名称", "全店曝光次数"],
                      [[1600000022533, "Walking Shoes A1", 120], ["1.60000E+12", "Sandals", 10]])
    with pytest.raises(ImportFailed) as err:
        import_file(store, None, path)
    assert str(err.value).startswith(
        "Products-2026-11-29.xlsx:8:产品ID: '1.60000E+12' is a product ID a spreadsheet "
        "rounded (its last digits are lost)")
    assert Product.select().count() == 0


def test_a_product_id_written_as_a_whole_number_is_that_product(store, tmp_path):
    """A script or spreadsheet that read the IDs as numbers writes `1600000022533.0`: the
    product it names, every digit there, not a new one beside it."""
    (tmp_path / "products.csv").write_text(
        "product_id,title\n1600000022533,Walking Shoes A1\n1600000079194,Sandals B2\n")
    import_file(store, None, tmp_path / "products.csv")
    (tmp_path / "again.csv").write_text(
        "product_id,title\n1600000022533.0,Walking Shoes A1 Black\n1600000079194.00,Sandals B2\n")
    result = import_file(store, None, tmp_path / "again.csv")
    assert (result.added, result.changed, result.unchanged) == (0, 1, 1)
    assert sorted(Product.select(Product.product_id, Product.title).tuples()) == [
        ("1600000022533", "Walking Shoes A1 Black"), ("1600000079194", "Sandals B2")]


def test_the_same_bytes_named_for_another_week_are_another_import(store, tmp_path):
    """A small store's weekly reports can be byte for byte the same; named for different
    weeks (the period then comes from the name) they are different imports — the second was
    taken for the first "already imported" and its week left without figures."""
    text = "词,曝光量,点击量,外贸直通车曝光,外贸直通车点击\nshoes,100,5,0,0\n"
    first = tmp_path / "getKeywords-2026-11-15.csv"
    second = tmp_path / "getKeywords-2026-11-22.csv"
    for path in (first, second):
        path.write_text(text, encoding="utf-8")
    assert import_file(store, None, first).added == 2
    assert import_file(store, None, second).added == 2
    assert import_file(store, None, second).skipped.startswith("already imported")
    again = import_file(store, None, second, period=Period(dt.date(2026, 11, 23),
                                                             dt.date(2026, 11, 29)))
    assert again.skipped is None and again.added == 2
    assert sorted({s.period_end for s in KeywordStat.select()}) == [
        dt.date(2026, 11, 15), dt.date(2026, 11, 22), dt.date(2026, 11, 29)]


def test_two_reports_pasted_into_one_file_are_refused_at_the_second_header(store, tmp_path):
    """The second week's rows would be read under the first week's period: the repeated
    header is named, alone (not each of its cells as a bad number), and nothing is written."""
    import csv

    def report(period):
        return [[f"产品数据, 时间周期 {period}"], [], [], [], [], PRODUCT_HEADER,
                *product_rows()[:2]]

    path = tmp_path / "two-weeks.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(report("2026-09-13~2026-09-19")
                                 + report("2026-09-20~2026-09-26"))
    before = dump()
    with pytest.raises(KwtrackError) as err:
        import_file(store, None, path)
    assert str(err.value).splitlines()[0] == (
        "two-weeks.csv:14: the header row again (two files pasted into one?): import each "
        "file on its own")
    assert not any("'是否橱窗' is not Y or N" in line for line in str(err.value).splitlines())
    assert dump() == before
