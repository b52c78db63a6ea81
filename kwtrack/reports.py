"""Alibaba.com's own report files: their header aliases, layouts, header rows and periods.

The back end's exports (data manager / 数据参谋, keyword advisor, P4P / 外贸直通车, full-site
promotion / 全站推广) carry Chinese headers, a preamble above the header row, totals rows at
the end and the period in the preamble or the file name. This module maps them onto the
canonical import kinds of `kwtrack.importing`, adds kinds for the layouts that feed more than
one table, and finds a file's header row, kind and period.

How the keyword advisor's figures are split: `曝光量`/`点击量` are a word's total exposure and
clicks, of which `外贸直通车曝光`/`外贸直通车点击` are the paid (P4P) part. kwtrack records
the P4P part as the `p4p` channel and the rest (total − P4P) as `organic`, so the two channels
add up to the report's total and nothing is counted twice. A row whose P4P figure exceeds its
total cannot be inclusive; its total is then taken as organic as it stands.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from kwtrack.importing import (
    _PERIOD_COLUMNS,
    KINDS,
    PRODUCT_METRICS,
    Chunk,
    Column,
    Kind,
    Period,
    _apply_keyword_stats,
    _apply_keywords,
    _apply_p4p,
    _apply_product_stats,
    _apply_products,
    _apply_stats,
    _Run,
    chunk_keyword_ids,
    header_key,
)
from kwtrack.models import KeywordStat, ProductStat, SearchTermShare
from kwtrack.values import parse_bool, parse_float, parse_int, parse_text

HEADER_SCAN_ROWS = 30


def _aliases(pairs: dict[str, str]) -> dict[str, str]:
    return {header_key(k): v for k, v in pairs.items()}


# Headers of the canonical kinds in the back end's words (and older wordings).
KINDS["keywords"] = Kind(**{**KINDS["keywords"].__dict__, "aliases": _aliases({
    "关键词": "keyword", "词": "keyword", "关键词组": "group", "分组": "group",
    "搜索热度": "search_index", "关键词指数": "search_index", "搜索指数": "search_index",
    "卖家竞争度": "competition", "竞争度": "competition", "备注": "notes", "状态": "status",
    "来源": "source"})})
KINDS["products"] = Kind(**{**KINDS["products"].__dict__, "aliases": _aliases({
    "产品id": "product_id", "产品编号": "product_id", "产品名称": "title", "标题": "title",
    "类目": "category", "产品分": "score", "产品分数": "score", "是否橱窗": "showcase",
    "关键词": "keywords", "发布时间": "published", "状态": "status"})})
KINDS["keyword-stats"] = Kind(**{**KINDS["keyword-stats"].__dict__, "aliases": _aliases({
    "关键词": "keyword", "曝光量": "impressions", "点击量": "clicks", "询盘": "inquiries",
    "花费": "spend", "平均排名": "avg_position", "渠道": "channel", "日期": "date"})})


PRODUCT_REPORT_STATS = PRODUCT_METRICS


def _apply_product_report(run: _Run, chunk: Chunk) -> None:
    """The data manager's product export: update the products, then record their stats."""
    counts = (run.added, run.changed, run.unchanged)
    _apply_products(run, chunk)
    run.notes["products added"] = run.notes.get("products added", 0) + run.added - counts[0]
    run.notes["products changed"] = (run.notes.get("products changed", 0)
                                     + run.changed - counts[1])
    run.added, run.changed, run.unchanged = counts
    _apply_product_stats(run, chunk, metrics=PRODUCT_REPORT_STATS)


def _apply_keyword_report(run: _Run, chunk: Chunk) -> None:
    """The keyword advisor's traffic-keyword export: index figures, organic and P4P rows."""
    counts = (run.added, run.changed, run.unchanged)
    records = chunk.records()
    _apply_keywords(run, Chunk.from_records([
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
    _apply_keyword_stats(run, Chunk.from_records(split))


def _apply_p4p_report(run: _Run, chunk: Chunk) -> None:
    """A P4P keyword report: the bids, and the P4P channel's numbers when it has a period."""
    _apply_p4p(run, chunk)
    stats = [(n, dict(r, channel="p4p")) for n, r in chunk.records()
             if r.get("_period") and any(r.get(m) is not None
                                         for m in ("impressions", "clicks", "spend"))]
    if stats:
        before = run.written
        _apply_keyword_stats(run, Chunk.from_records(stats))
        run.notes["p4p stats rows written"] = (run.notes.get("p4p stats rows written", 0)
                                               + run.written - before)


def _apply_search_terms(run: _Run, chunk: Chunk) -> None:
    """Full-site promotion's search terms: their click and impression shares."""
    _apply_stats(run, chunk, SearchTermShare, "keyword",
                 ["status", "click_share", "impression_share"], chunk_keyword_ids(run, chunk))


def _register(kind: Kind) -> None:
    KINDS[kind.name] = kind


_register(Kind(
    "product-report",
    (
        Column("product_id", parse_text, True),
        Column("title", parse_text),
        Column("showcase", parse_bool),
        Column("p4p", parse_bool),
        *_PERIOD_COLUMNS,
        *(Column(m, parse_int) for m in PRODUCT_REPORT_STATS),
    ),
    key=("product_id", "_period"),
    apply=_apply_product_report,
    has_period=True,
    stats_model=ProductStat,
    description="the data manager's product export (Products-YYYY-MM-DD.xls)",
    aliases=_aliases({
        "产品id": "product_id", "产品名称": "title", "是否橱窗": "showcase", "是否p4p": "p4p",
        "搜索曝光次数": "search_impressions", "搜索点击次数": "search_clicks",
        "访问人数": "visitors", "询盘个数": "inquiries", "收藏人数": "favorites",
        "分享人数": "shares", "提交订单个数": "orders", "tm咨询人数": "tm_chats",
        "全店曝光次数": "impressions", "全店点击次数": "clicks",
        "营销曝光次数": "marketing_impressions", "营销点击次数": "marketing_clicks",
        "全站推广曝光次数": "promotion_impressions", "全站推广点击次数": "promotion_clicks",
        "曝光次数": "impressions", "点击次数": "clicks", "日期": "date",
    }),
    signature=("产品id", "全店曝光次数"),
))
_register(Kind(
    "keyword-report",
    (
        Column("keyword", parse_text, True),
        *_PERIOD_COLUMNS,
        Column("impressions", parse_int),
        Column("clicks", parse_int),
        Column("p4p_impressions", parse_int),
        Column("p4p_clicks", parse_int),
        Column("search_index", parse_float),
        Column("competition", parse_float),
    ),
    key=("keyword", "_period"),
    apply=_apply_keyword_report,
    has_period=True,
    stats_model=KeywordStat,
    description="the keyword advisor's traffic keywords (getKeywords-YYYY-MM-DD.xls)",
    aliases=_aliases({
        "词": "keyword", "曝光量": "impressions", "点击量": "clicks",
        "外贸直通车曝光": "p4p_impressions", "外贸直通车点击": "p4p_clicks",
        "关键词指数": "search_index", "卖家规模指数": "competition",
    }),
    signature=("词", "外贸直通车曝光"),
))
_register(Kind(
    "p4p-report",
    (
        Column("keyword", parse_text, True),
        Column("group", parse_text),
        Column("status", KINDS["p4p"].columns[2].parse),
        Column("bid", parse_float),
        Column("base_price", parse_float),
        Column("stars", parse_int),
        *_PERIOD_COLUMNS,
        Column("impressions", parse_int),
        Column("clicks", parse_int),
        Column("inquiries", parse_int),
        Column("spend", parse_float),
    ),
    key=("keyword",),
    apply=_apply_p4p_report,
    period_optional=True,
    description="a P4P (外贸直通车) keyword report: bids, and numbers when it has a period",
    aliases=_aliases({
        "关键词": "keyword", "关键词组": "group", "推广组": "group", "状态": "status",
        "出价": "bid", "底价": "base_price", "推广评分": "stars", "星级": "stars",
        "曝光量": "impressions", "曝光": "impressions", "点击量": "clicks", "点击": "clicks",
        "花费": "spend", "消耗": "spend", "询盘": "inquiries", "反馈": "inquiries",
    }),
    signature=("关键词", "出价"),
))
_register(Kind(
    "search-terms",
    (
        Column("keyword", parse_text, True),
        Column("status", parse_text),
        Column("click_share", parse_float),
        Column("impression_share", parse_float),
        *_PERIOD_COLUMNS,
    ),
    key=("keyword", "_period"),
    apply=_apply_search_terms,
    has_period=True,
    stats_model=SearchTermShare,
    description="full-site promotion (全站推广) search terms and their shares",
    aliases=_aliases({"买家搜索词": "keyword", "点击占比": "click_share",
                      "曝光占比": "impression_share", "状态": "status"}),
    signature=("买家搜索词",),
))


def _match(kind: Kind, cells: list[str]) -> int:
    """How many of the row's cells name this kind's columns; 0 unless all required are there."""
    names = {kind.canonical(c) for c in cells if c.strip()}
    known = names & set(kind.column_names)
    if any(c.required and c.name not in names for c in kind.columns):
        return 0
    keys = {header_key(c) for c in cells}
    if kind.signature and not all(s in keys for s in kind.signature):
        return 0
    return len(known)


def best_kind(cells: list[str], only: str | None = None) -> tuple[str, int] | None:
    """The kind whose columns a header row names best (report layouts win ties)."""
    scored = [(score, bool(kind.signature), name) for name, kind in KINDS.items()
              if (only is None or name == only) and (score := _match(kind, cells)) >= 1]
    if not scored:
        return None
    score, _, name = max(scored)
    return name, score


def find_header(rows, only: str | None = None):
    """Scan the first rows for the header: (kind, header cells, preamble rows) or None.

    `rows` is the file's row iterator; it is left positioned just after the header.
    """
    preamble = []
    for number, cells in rows:
        found = best_kind(cells, only)
        if found and (found[1] >= 2 or len(KINDS[found[0]].columns) <= 2 or only):
            return found[0], number, cells, preamble
        preamble.append(cells)
        if len(preamble) >= HEADER_SCAN_ROWS:
            break
    return None


_RANGE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*(?:~|～|至|到|--|—|-)\s*"
                    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_NAME_RANGE = re.compile(r"(?<!\d)(\d{6})\s*[-~_]\s*(\d{6})(?!\d)")
_NAME_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def period_from_text(text: str) -> Period | None:
    """A period written as `2026-09-13~2026-09-19` (or with 至, 年月日…) anywhere in the text."""
    m = _RANGE.search(text)
    if not m:
        return None
    y1, m1, d1, y2, m2, d2 = map(int, m.groups())
    try:
        return Period(dt.date(y1, m1, d1), dt.date(y2, m2, d2))
    except ValueError:
        return None


def period_from_file_name(path: Path) -> Period | None:
    """A period from a file name: `Products-2026-11-20.xlsx` (that day) or `261109-261115.xlsx`."""
    name = path.stem
    found = period_from_text(name)
    if found:
        return found
    m = _NAME_RANGE.search(name)
    try:
        if m:
            a, b = (dt.datetime.strptime(x, "%y%m%d").date() for x in m.groups())
            return Period(a, b)
        m = _NAME_DAY.search(name)
        if m:
            day = dt.date(*map(int, m.groups()))
            return Period(day, day)
    except ValueError:
        return None
    return None
