"""Alibaba.com's own report files: their header aliases, layouts, header rows and periods.

The back end's exports (data manager / 数据参谋, keyword advisor, P4P / 外贸直通车, full-site
promotion / 全站推广) carry Chinese headers, a preamble above the header row, totals rows at
the end and the period in the preamble or the file name. This module maps them onto the
canonical import kinds (`kwtrack.imports.canonical`) with a kind for each layout that feeds more
than one table; `kwtrack.imports.detect` finds a file's header row, kind and period.

How the keyword advisor's figures are split: `曝光量`/`点击量` are a word's total exposure and
clicks, of which `外贸直通车曝光`/`外贸直通车点击` are the paid (P4P) part. kwtrack records
the P4P part as the `p4p` channel and the rest (total − P4P) as `organic`, so the two channels
add up to the report's total and nothing is counted twice. A row whose P4P figure exceeds its
total cannot be inclusive; its total is then taken as organic as it stands.
"""

from __future__ import annotations

from kwtrack.imports.canonical import (
    BID_STATUS,
    PERIOD_COLUMNS,
    PRODUCT_METRICS,
    aliases,
    apply_keyword_stats,
    apply_keywords,
    apply_p4p,
    apply_product_stats,
    apply_products,
    apply_stats,
    parse_product_id,
)
from kwtrack.imports.chunks import Chunk
from kwtrack.imports.run import Run, chunk_keyword_ids
from kwtrack.imports.spec import Column, Kind
from kwtrack.store.models import Bid, KeywordStat, ProductStat, SearchTermShare
from kwtrack.values import parse_bool, parse_float, parse_int, parse_text, text_up_to

PRODUCT_REPORT_STATS = PRODUCT_METRICS


def _apply_product_report(run: Run, chunk: Chunk) -> None:
    """The data manager's product export: update the products, then record their stats."""
    counts = (run.added, run.changed, run.unchanged)
    apply_products(run, chunk)
    run.notes["products added"] = run.notes.get("products added", 0) + run.added - counts[0]
    run.notes["products changed"] = (run.notes.get("products changed", 0)
                                     + run.changed - counts[1])
    run.added, run.changed, run.unchanged = counts
    apply_product_stats(run, chunk, metrics=PRODUCT_REPORT_STATS)


def _apply_keyword_report(run: Run, chunk: Chunk) -> None:
    """The keyword advisor's traffic-keyword export: index figures, organic and P4P rows."""
    counts = (run.added, run.changed, run.unchanged)
    records = chunk.records()
    apply_keywords(run, Chunk.from_records([
        (n, r) for n, r in records
        if r.get("search_index") is not None or r.get("competition") is not None]))
    run.added, run.changed, run.unchanged = counts
    split = []
    for number, rec in records:
        total_imp, total_clicks = rec.get("impressions"), rec.get("clicks")
        p4p_imp, p4p_clicks = rec.get("p4p_impressions"), rec.get("p4p_clicks")
        inclusive = (p4p_imp or 0) <= (total_imp or 0) and (p4p_clicks or 0) <= (total_clicks or 0)
        organic = dict(rec, channel="organic", search_index=rec.get("search_index"))
        if inclusive and total_imp is not None:
            organic["impressions"] = total_imp - (p4p_imp or 0)
        if inclusive and total_clicks is not None:
            organic["clicks"] = total_clicks - (p4p_clicks or 0)
        split.append((number, organic))
        if p4p_imp is not None or p4p_clicks is not None:
            split.append((number, {"keyword": rec["keyword"], "_period": rec["_period"],
                                   "channel": "p4p", "impressions": p4p_imp,
                                   "clicks": p4p_clicks}))
    apply_keyword_stats(run, Chunk.from_records(split))


NO_PERIOD = ("rows whose P4P figures were left out: the report names no period (its bids "
             "are in; give --period START..END for the figures)")


def _apply_p4p_report(run: Run, chunk: Chunk) -> None:
    """A P4P keyword report: the bids, and the P4P channel's numbers when it has a period."""
    apply_p4p(run, chunk)
    with_figures = [(n, r) for n, r in chunk.records()
                    if any(r.get(m) is not None for m in ("impressions", "clicks", "spend"))]
    stats = [(n, dict(r, channel="p4p")) for n, r in with_figures if r.get("_period")]
    if len(stats) < len(with_figures):  # (said, not dropped in silence)
        run.notes[NO_PERIOD] = run.notes.get(NO_PERIOD, 0) + len(with_figures) - len(stats)
    if stats:
        before = run.written
        apply_keyword_stats(run, Chunk.from_records(stats))
        written = "rows written as P4P stats"
        run.notes[written] = run.notes.get(written, 0) + run.written - before


def _apply_search_terms(run: Run, chunk: Chunk) -> None:
    """Full-site promotion's search terms: their click and impression shares."""
    apply_stats(run, chunk, SearchTermShare, "keyword",
                 ["status", "click_share", "impression_share"], chunk_keyword_ids(run, chunk))


PRODUCT_REPORT = Kind(
    "product-report",
    (
        Column("product_id", parse_product_id, True),
        Column("title", parse_text),
        Column("showcase", parse_bool),
        Column("p4p", parse_bool),
        *PERIOD_COLUMNS,
        *(Column(m, parse_int) for m in PRODUCT_REPORT_STATS),
    ),
    key=("product_id", "_period"),
    apply=_apply_product_report,
    has_period=True,
    stats_model=ProductStat,
    description="the data manager's product export (Products-YYYY-MM-DD.xls)",
    aliases=aliases({
        "产品id": "product_id", "产品名称": "title", "是否橱窗": "showcase", "是否p4p": "p4p",
        "搜索曝光次数": "search_impressions", "搜索点击次数": "search_clicks",
        "访问人数": "visitors", "询盘个数": "inquiries", "收藏人数": "favorites",
        "分享人数": "shares", "提交订单个数": "orders", "tm咨询人数": "tm_chats",
        "全店曝光次数": "impressions", "全店点击次数": "clicks",
        "营销曝光次数": "marketing_impressions", "营销点击次数": "marketing_clicks",
        "全站推广曝光次数": "promotion_impressions", "全站推广点击次数": "promotion_clicks",
        "曝光次数": "impressions", "点击次数": "clicks", "日期": "date",
    }),
    # Older layouts count inquirers (询盘人数) but not inquiries (询盘个数): then the inquirers
    # are the inquiries; when both are present, 询盘个数 wins.
    fallbacks=aliases({"询盘人数": "inquiries"}),
    signature=("产品id", "全店曝光次数"),

)
KEYWORD_REPORT = Kind(
    "keyword-report",
    (
        Column("keyword", parse_text, True),
        *PERIOD_COLUMNS,
        Column("impressions", parse_int),
        Column("clicks", parse_int),
        Column("p4p_impressions", parse_int),
        Column("p4p_clicks", parse_int),
        Column("search_index", parse_float),
        Column("competition", parse_float),
    ),
    key=("keyword", "_period"),
    # The export drops accents, so one file can list a word twice with different figures
    # (what buyers typed with and without them): merged, counts added, indexes the larger.
    merge={"impressions": "sum", "clicks": "sum", "p4p_impressions": "sum",
           "p4p_clicks": "sum", "search_index": "max", "competition": "max"},
    apply=_apply_keyword_report,
    has_period=True,
    stats_model=KeywordStat,
    description="the keyword advisor's traffic keywords (getKeywords-YYYY-MM-DD.xls)",
    aliases=aliases({
        "词": "keyword", "曝光量": "impressions", "点击量": "clicks",
        "外贸直通车曝光": "p4p_impressions", "外贸直通车点击": "p4p_clicks",
        "关键词指数": "search_index", "卖家规模指数": "competition",
    }),
    signature=("词", "外贸直通车曝光"),

)
P4P_REPORT = Kind(
    "p4p-report",
    (
        Column("keyword", parse_text, True),
        Column("group", text_up_to(Bid.group.max_length)),
        Column("status", BID_STATUS),
        Column("bid", parse_float),
        Column("base_price", parse_float),
        Column("stars", parse_int),
        *PERIOD_COLUMNS,
        Column("impressions", parse_int),
        Column("clicks", parse_int),
        Column("inquiries", parse_int),
        Column("spend", parse_float),
    ),
    key=("keyword",),
    apply=_apply_p4p_report,
    period_optional=True,
    period_covers=KeywordStat,
    description="a P4P (外贸直通车) keyword report: bids, and numbers when it has a period",
    aliases=aliases({
        "关键词": "keyword", "关键词组": "group", "推广组": "group", "状态": "status",
        "出价": "bid", "底价": "base_price", "推广评分": "stars", "星级": "stars",
        "曝光量": "impressions", "曝光": "impressions", "点击量": "clicks", "点击": "clicks",
        "花费": "spend", "消耗": "spend", "询盘": "inquiries", "询盘数": "inquiries",
        "询盘个数": "inquiries", "反馈": "inquiries",
    }),
    signature=("关键词", "出价"),
)
SEARCH_TERMS = Kind(
    "search-terms",
    (
        Column("keyword", parse_text, True),
        Column("status", text_up_to(SearchTermShare.status.max_length)),
        Column("click_share", parse_float),
        Column("impression_share", parse_float),
        *PERIOD_COLUMNS,
    ),
    key=("keyword", "_period"),
    apply=_apply_search_terms,
    has_period=True,
    stats_model=SearchTermShare,
    description="full-site promotion (全站推广) search terms and their shares",
    aliases=aliases({"买家搜索词": "keyword", "点击占比": "click_share",
                      "曝光占比": "impression_share", "状态": "status"}),
    signature=("买家搜索词",),
)

KINDS = (PRODUCT_REPORT, KEYWORD_REPORT, P4P_REPORT, SEARCH_TERMS)
