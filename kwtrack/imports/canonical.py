"""kwtrack's own import kinds (the columns `kwtrack export` writes) and how each is written:
products, keywords, coverage links, product and keyword stats, P4P bids.

Headers also match the back end's Chinese names for the same columns (`关键词`, `产品ID` …).
"""

from __future__ import annotations

import numpy as np
from peewee import IntegrityError

from kwtrack.imports.chunks import Chunk, SeenKeys, keyword_forms
from kwtrack.imports.run import Run, chunk_keyword_ids, merge, record_keyword, write_entities
from kwtrack.imports.spec import Column, Kind, header_key
from kwtrack.store import bulk
from kwtrack.store.models import (
    Bid,
    BidChange,
    Coverage,
    Keyword,
    KeywordStat,
    Product,
    ProductStat,
    ScoreHistory,
    now,
)
from kwtrack.values import (
    choice,
    parse_bool,
    parse_date,
    parse_float,
    parse_int,
    parse_text,
    product_id_up_to,
    split_keywords,
    text_up_to,
)
from kwtrack.words import clean_display


def aliases(pairs: dict[str, str]) -> dict[str, str]:
    """Header aliases as kinds match them (`header_key` of each)."""
    return {header_key(k): v for k, v in pairs.items()}


PRODUCT_FIELDS = ["title", "category", "status", "showcase", "hot", "score", "published", "p4p"]


def _note_kept_deleted(run: Run, noun: str, met: int, add: str) -> None:
    """Count the deleted (archived) rows an import's file names. The import keeps them
    deleted — next week's report names the junk word deleted this week, and the product
    deleted in kwtrack is on Alibaba.com until the operator deletes it there — but says so,
    and how to bring one back (`add` its command)."""
    if met:
        note = f"{noun} deleted earlier, kept deleted (`{add}` brings one back)"
        run.notes[note] = run.notes.get(note, 0) + met


def apply_products(run: Run, chunk: Chunk) -> None:
    records = chunk.records()
    wanted_ids = sorted({rec["product_id"] for _, rec in records})
    existing: dict[str, dict] = {}
    for part in bulk.chunked(wanted_ids):
        query = Product.select(Product.id, Product.product_id, Product.archived_at, *[
            getattr(Product, f) for f in PRODUCT_FIELDS
        ]).where((Product.store == run.store) & Product.product_id.in_(list(part)))
        existing.update({r["product_id"]: r for r in query.dicts()})
    _note_kept_deleted(run, "products", sum(r["archived_at"] is not None
                                            for r in existing.values()),
                       "kwtrack products add ID")
    links = _product_keyword_links([r["id"] for r in existing.values()])
    # Each keyword cell's words in (normal, display) form, worked out once for the chunk.
    forms = {k: keyword_forms(k) for _, rec in records if rec.get("keywords")
             for k in rec["keywords"]}
    plans, touched_links = [], []
    for row, rec in records:
        old = existing.get(rec["product_id"])
        if rec.get("title"):
            rec = dict(rec, title=clean_display(rec["title"]))
        elif old is None:
            run.problem(row, "title", f"is empty, and product {rec['product_id']!r} is new")
            continue
        plan = merge(old, rec, PRODUCT_FIELDS)
        if plan and "title" in plan:
            plan.update(Product.derived("title", plan["title"]))
        links_changed = False
        if rec.get("keywords") is not None:
            touched_links.append(rec)
            wanted = {run.keyword_ids.get(forms[k][0]) for k in rec["keywords"]}
            links_changed = old is None or wanted != links.get(old["id"], set())
        if old is None:
            plan["status"] = plan["status"] or "online"
            plans.append((None, {"product_id": rec["product_id"], **plan}))
            run.added += 1
        elif plan:
            plans.append((old["id"], plan))
            run.changed += 1
        elif links_changed:
            run.changed += 1
        else:
            run.unchanged += 1
    write_entities(run, Product, plans, {"store": run.store.id})
    new_ids = [p["product_id"] for i, p in plans if i is None]
    run.reload_ids(Product, Product.product_id, new_ids, run.product_ids)
    _sync_product_keywords(run, touched_links, forms)
    # a score the import sets is recorded, so the review can tell one that fell
    stamp = bulk.to_db(now())
    bulk.insert_rows(ScoreHistory, ["product", "score", "recorded_at", "batch"], [
        (run.product_ids[plan["product_id"]] if row_id is None else row_id, plan["score"],
         stamp, run.batch.id)
        for row_id, plan in plans if plan.get("score") is not None])


def _product_keyword_links(product_ids: list[int]) -> dict[int, set[int]]:
    """product id → ids of the keywords its own keyword field lists."""
    links: dict[int, set[int]] = {}
    for part in bulk.chunked(product_ids):
        query = Coverage.select(Coverage.product, Coverage.keyword).where(
            Coverage.product.in_(list(part)) & (Coverage.source == "keyword")
        )
        for product_id, keyword_id in query.tuples():
            links.setdefault(product_id, set()).add(keyword_id)
    return links


def _sync_product_keywords(run: Run, records: list[dict],
                           forms: dict[str, tuple[str, str]]) -> None:
    """Make each product's `keyword` coverage links exactly the keywords its row lists
    (`forms`: each keyword cell text's normal and display form)."""
    if not records:
        return
    displays: dict[str, str] = {}
    for norm, display in forms.values():
        displays.setdefault(norm, display)
    run.ensure_keywords(displays)
    product_ids = [run.product_ids[r["product_id"]] for r in records]
    current = _product_keyword_links(product_ids)
    add, remove = [], []
    stamp = bulk.to_db(now())
    for rec, pid in zip(records, product_ids, strict=True):
        wanted = {run.keyword_ids[forms[k][0]] for k in rec["keywords"]}
        have = current.get(pid, set())
        add.extend((pid, kid, "keyword", stamp) for kid in wanted - have)
        remove.extend((pid, kid) for kid in have - wanted)
    bulk.insert_rows(Coverage, ["product", "keyword", "source", "created_at"], add,
                     ignore_conflicts=["product", "keyword", "source"])
    for pid, kid in remove:
        gone = Coverage.select().where((Coverage.product == pid) & (Coverage.keyword == kid)
                                       & (Coverage.source == "keyword"))
        run.keep_removed(Coverage, list(gone.dicts()))
        Coverage.delete().where(Coverage.id.in_([row.id for row in gone])).execute()


KEYWORD_FIELDS = ["group", "search_index", "competition", "source", "status", "notes"]


def apply_keywords(run: Run, chunk: Chunk) -> None:
    records = chunk.records()
    norms = {record_keyword(rec)[0] for _, rec in records}
    existing = {}
    for part in bulk.chunked(sorted(norms)):
        query = Keyword.select(Keyword.id, Keyword.norm, Keyword.tracked_at, Keyword.archived_at,
                               *[getattr(Keyword, f) for f in KEYWORD_FIELDS]
                               ).where((Keyword.store == run.store) & Keyword.norm.in_(list(part)))
        existing.update({r["norm"]: r for r in query.dicts()})
    _note_kept_deleted(run, "keywords", sum(r["archived_at"] is not None
                                            for r in existing.values()),
                       "kwtrack keywords add WORD")
    plans = []
    stamp = bulk.to_db(now())
    for _, rec in records:
        norm, display = record_keyword(rec)
        old = existing.get(norm)
        if rec.get("group") is not None:
            rec["group"] = run.spell_group(rec["group"])
        plan = merge(old, rec, KEYWORD_FIELDS)
        tracked = rec.get("tracked")  # (Y tracks the word, N stops it; blank leaves it)
        if old is None:  # (every new row has the same columns: they are inserted together)
            plan["tracked_at"] = stamp if tracked else None
        elif tracked is not None and (old["tracked_at"] is not None) != tracked:
            plan = {**(plan or {}), "tracked_at": stamp if tracked else None}
        if old is None:
            plans.append((None, {"keyword": display, "norm": norm,
                                 **Keyword.derived("keyword", display), **plan}))
            run.added += 1
        elif plan:
            plans.append((old["id"], plan))
            run.changed += 1
        else:
            run.unchanged += 1
    write_entities(run, Keyword, plans, {"store": run.store.id})
    run.reload_ids(Keyword, Keyword.norm, [p["norm"] for i, p in plans if i is None],
                run.keyword_ids)


def apply_coverage(run: Run, chunk: Chunk) -> None:
    records = chunk.records()
    run.ensure_keywords(dict(record_keyword(rec) for _, rec in records))
    wanted = []
    for row, rec in records:
        pid = run.product_ids.get(rec["product_id"])
        if pid is None:
            run.problem(row, "product_id", f"unknown product {rec['product_id']!r} "
                        "(import it with `kwtrack import products` first)")
            continue
        wanted.append((pid, run.keyword_ids[record_keyword(rec)[0]], rec.get("source") or "manual"))
    have = set()
    for part in bulk.chunked(sorted({w[0] for w in wanted})):
        query = Coverage.select(Coverage.product, Coverage.keyword, Coverage.source).where(
            Coverage.product.in_(list(part)))
        have.update(query.tuples())
    new = [w for w in wanted if w not in have]
    run.added += len(new)
    run.unchanged += len(wanted) - len(new)
    stamp = bulk.to_db(now())
    bulk.insert_rows(Coverage, ["product", "keyword", "source", "created_at"],
                     [(*w, stamp) for w in new])


BID_FIELDS = ["group", "status", "bid", "base_price", "stars", "target_position", "min_bid",
              "max_bid"]


def apply_p4p(run: Run, chunk: Chunk) -> None:
    records = chunk.records()
    run.ensure_keywords(dict(record_keyword(rec) for _, rec in records))
    ids = {run.keyword_ids[record_keyword(rec)[0]] for _, rec in records}
    existing = {}
    for part in bulk.chunked(sorted(ids)):
        query = Bid.select(Bid.id, Bid.keyword, *[getattr(Bid, f) for f in BID_FIELDS]).where(
            Bid.keyword.in_(list(part)))
        existing.update({r["keyword"]: r for r in query.dicts()})
    plans, history = [], []
    for row, rec in records:
        low, high = rec.get("min_bid"), rec.get("max_bid")
        if low is not None and high is not None and low > high:  # (`bids limits` refuses it)
            run.problem(row, "min_bid", f"{low:g} is above max_bid {high:g}")
            continue
        kid = run.keyword_ids[record_keyword(rec)[0]]
        old = existing.get(kid)
        plan = merge(old, rec, BID_FIELDS)
        if old is None:
            plan["status"] = plan["status"] or "active"
            plans.append((None, {"keyword": kid, **plan}))
            run.added += 1
        elif plan:
            plans.append((old["id"], plan))
            run.changed += 1
        else:
            run.unchanged += 1
            continue
        if old is None or "bid" in plan or "status" in plan:
            history.append((kid, old, plan))
    stamp = bulk.to_db(now())
    new = [p for i, p in plans if i is None]
    if new:
        fields = ["keyword", *BID_FIELDS, "updated_at"]
        bulk.insert_rows(Bid, fields, [tuple(p.get(f) for f in fields[:-1]) + (stamp,)
                                       for p in new])
    run.keep_old_values(Bid, [(row_id, list(plan)) for row_id, plan in plans
                              if row_id is not None])
    for row_id, plan in plans:
        if row_id is not None:
            bulk.update_rows(Bid, [*plan, "updated_at"], [(*plan.values(), stamp, row_id)])
    bid_ids = dict(Bid.select(Bid.keyword, Bid.id).where(
        Bid.keyword.in_([h[0] for h in history])).tuples()) if history else {}
    reason = f"import {run.path.name}"
    bulk.insert_rows(
        BidChange,
        ["bid", "old_bid", "new_bid", "old_status", "new_status", "changed_at", "reason", "batch"],
        [(bid_ids[kid],
          old and old["bid"], plan.get("bid", old and old["bid"]),
          old and old["status"], plan.get("status", old and old["status"]),
          stamp, reason, run.batch.id) for kid, old, plan in history],
    )


def apply_stats(run: Run, chunk: Chunk, model, owner: str, metrics: list[str],
                 owner_ids: list[int], channels: list[str] | None = None) -> None:
    """Insert or update stats rows keyed by (owner, period[, channel]), a whole chunk at once.

    Only the metrics the file has are written (the others are unknown, so they change
    nothing). Rows of a period the table had no row of before this import are plainly
    inserted, and the table's unique key itself catches one repeating an earlier row of the
    file, so a big file of new days needs no memory for that check. Rows of known periods are
    upserted, after checking them against the keys of this import's earlier upserted rows.
    """
    if run.problem_count:
        return
    periods = chunk.get("_period")
    run.stats_written.add(model)
    start_of, end_of = {}, {}
    for period in dict.fromkeys(periods):
        start_of[period], end_of[period] = period.start.isoformat(), period.end.isoformat()
        run.see_period(period)
    present = [m for m in metrics if m in chunk.columns]
    columns = [owner_ids, list(map(start_of.__getitem__, periods)),
               list(map(end_of.__getitem__, periods))]
    if channels is not None:
        columns.append(channels)
    columns += [chunk.columns[m] for m in present]
    rows = list(zip(*columns))
    key = [owner, "period_start", "period_end"] + (["channel"] if channels is not None else [])
    fresh = {start for start in start_of.values() if run.is_fresh_period(model, start)}
    if len(fresh) in (0, len(start_of)):
        parts = [(bool(fresh), rows, chunk.numbers)]
    else:
        split: dict[bool, tuple[list, list]] = {True: ([], []), False: ([], [])}
        for row, number in zip(rows, chunk.numbers):
            part_rows, part_numbers = split[row[1] in fresh]
            part_rows.append(row)
            part_numbers.append(number)
        parts = [(f, r, n) for f, (r, n) in split.items() if r]
    for is_fresh, part, numbers in parts:
        if is_fresh:
            before = bulk.rows_changed(model)
            try:
                with bulk.statement_guard(model):
                    written = bulk.upsert_rows(model, key, present, part, convert=False,
                                               constants={"batch": run.batch.id}, fresh=True)
            except IntegrityError:
                # The rows before the failing one went in (the import fails and is undone as a
                # whole); they cannot repeat each other, so look from the failing one on.
                done = bulk.rows_changed(model) - before
                _find_repeats(run, model, key, part[done:], numbers[done:])
                continue
        else:
            keys = [row[:len(key)] for row in part]
            hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
            seen = run.upserted.setdefault(model, SeenKeys())
            earlier = seen.earlier_rows(hashes)
            if earlier.any():
                for position in np.flatnonzero(earlier).tolist():
                    run.problem(numbers[position], None,
                                f"duplicate of row {earlier[position]}"
                                f"{run.describe_key(dict(zip(key, part[position])))}")
                continue
            seen.add(hashes, numbers)
            _keep_overwritten(run, model, key, present, part)
            written = bulk.upsert_rows(model, key, present, part, convert=False,
                                       constants={"batch": run.batch.id})
        # Added rows are counted at the end of the import (ids above the starting maximum).
        run.written += written
        run.stats_rows += len(part)


PRODUCT_METRICS = ["impressions", "clicks", "visitors", "favorites", "inquiries", "tm_chats",
                   "orders", "shares", "search_impressions", "search_clicks",
                   "marketing_impressions", "marketing_clicks", "promotion_impressions",
                   "promotion_clicks"]
KEYWORD_METRICS = ["impressions", "clicks", "inquiries", "spend", "avg_position", "search_index"]


def apply_product_stats(run: Run, chunk: Chunk,
                         metrics: list[str] = PRODUCT_METRICS) -> None:
    ids = list(map(run.product_ids.get, chunk.get("product_id")))
    if None in ids:
        for number, product_id, pid in zip(chunk.numbers, chunk.get("product_id"), ids):
            if pid is None:
                run.problem(number, "product_id", f"unknown product {product_id!r} "
                            "(import it with `kwtrack import products` first)")
        return
    apply_stats(run, chunk, ProductStat, "product", metrics, ids)


def apply_keyword_stats(run: Run, chunk: Chunk) -> None:
    channels = chunk.get("channel")
    if None in channels:
        channels = ["organic" if c is None else c for c in channels]
    apply_stats(run, chunk, KeywordStat, "keyword", KEYWORD_METRICS,
                 chunk_keyword_ids(run, chunk), channels)


parse_product_id = product_id_up_to(Product.product_id.max_length)
STATUS = choice("online", "offline", aliases={"on": "online", "off": "offline",
                                               "上架": "online", "下架": "offline"})
# (the back end's words for a keyword's promotion: on, paused, never started)
BID_STATUS = choice("active", "paused", aliases={
    "on": "active", "off": "paused", "推广中": "active", "开启": "active", "暂停": "paused",
    "已暂停": "paused", "暂停推广": "paused", "已暂停推广": "paused", "未推广": "paused",
    "关闭": "paused"})
PERIOD_COLUMNS = (
    Column("date", parse_date),
    Column("period_start", parse_date),
    Column("period_end", parse_date),
)

KINDS = (
    Kind(
        "products",
        (
            Column("product_id", parse_product_id, True),
            Column("title", parse_text, True),
            Column("category", parse_text),
            Column("status", STATUS),
            Column("showcase", parse_bool),
            Column("hot", parse_bool),
            Column("score", parse_float),
            Column("keywords", split_keywords),
            Column("published", parse_date),
        ),
        key=("product_id",),
        apply=apply_products,
        description="the store's listings",
        aliases=aliases({
            "产品id": "product_id", "产品编号": "product_id", "产品名称": "title",
            "标题": "title", "类目": "category", "产品分": "score", "产品分数": "score",
            "是否橱窗": "showcase", "关键词": "keywords", "发布时间": "published",
            "状态": "status"}),
    ),
    Kind(
        "keywords",
        (
            Column("keyword", parse_text, True),
            Column("group", text_up_to(Keyword.group.max_length)),
            Column("search_index", parse_float),
            Column("competition", parse_float),
            Column("source", text_up_to(Keyword.source.max_length)),
            Column("status", text_up_to(Keyword.status.max_length)),
            Column("notes", parse_text),
            Column("tracked", parse_bool),  # (followed between reviews: `keywords track`)
        ),
        key=("keyword",),
        apply=apply_keywords,
        description="the keyword library",
        aliases=aliases({
            "关键词": "keyword", "词": "keyword", "关键词组": "group", "分组": "group",
            "搜索热度": "search_index", "关键词指数": "search_index",
            "搜索指数": "search_index", "卖家竞争度": "competition",
            "竞争度": "competition", "备注": "notes", "状态": "status", "来源": "source"}),
    ),
    Kind(
        "coverage",
        (
            Column("product_id", parse_product_id, True),
            Column("keyword", parse_text, True),
            Column("source", choice("manual", "search"), default="manual"),
        ),
        key=("product_id", "keyword", "source"),
        apply=apply_coverage,
        description="which product covers which keyword",
    ),
    Kind(
        "product-stats",
        (
            Column("product_id", parse_product_id, True),
            *PERIOD_COLUMNS,
            *(Column(m, parse_int) for m in PRODUCT_METRICS),
        ),
        key=("product_id", "_period"),
        apply=apply_product_stats,
        has_period=True,
        stats_model=ProductStat,
        description="products' numbers per day or period",
    ),
    Kind(
        "keyword-stats",
        (
            Column("keyword", parse_text, True),
            *PERIOD_COLUMNS,
            Column("week", parse_date),
            Column("channel", choice("organic", "p4p", aliases={"直通车": "p4p",
                                                                "自然": "organic"}),
                   default="organic"),
            Column("impressions", parse_int),
            Column("clicks", parse_int),
            Column("inquiries", parse_int),
            Column("spend", parse_float),
            Column("avg_position", parse_float),
            Column("search_index", parse_float),
        ),
        key=("keyword", "_period", "channel"),
        apply=apply_keyword_stats,
        has_period=True,
        stats_model=KeywordStat,
        description="keywords' numbers per week or period, organic or p4p",
        aliases=aliases({
            "关键词": "keyword", "曝光量": "impressions", "曝光次数": "impressions",
            "点击量": "clicks", "点击次数": "clicks", "询盘": "inquiries",
            "询盘数": "inquiries", "询盘个数": "inquiries", "花费": "spend", "消耗": "spend",
            "平均排名": "avg_position", "渠道": "channel", "日期": "date"}),
    ),
    Kind(
        "p4p",
        (
            Column("keyword", parse_text, True),
            Column("group", text_up_to(Bid.group.max_length)),
            Column("status", BID_STATUS),
            Column("bid", parse_float),
            Column("base_price", parse_float),
            Column("stars", parse_int),
            Column("target_position", parse_int),
            Column("min_bid", parse_float),  # (the word's own limits: `bids limits`)
            Column("max_bid", parse_float),
        ),
        key=("keyword",),
        apply=apply_p4p,
        description="P4P keyword bids",
    ),
)


def _keep_overwritten(run: Run, model, key: list[str], present: list[str],
                      part: list[tuple]) -> None:
    """Before stats rows of known periods are upserted: the values they overwrite, kept for
    undoing the import (rows of periods new to the table overwrite nothing)."""
    wanted = {row[:len(key)] for row in part}
    fields = [getattr(model, name) for name in key]
    found = []
    for owners in bulk.chunked(sorted({row[0] for row in part})):
        query = model.select(model.id, *fields).where(
            fields[0].in_(list(owners))
            & fields[1].in_(sorted({row[1] for row in part})))
        found += [row_id for row_id, *values in bulk.raw_rows(query)
                  if tuple(map(bulk.to_db, values)) in wanted]
    run.keep_old_values(model, [(row_id, [*present, "batch"]) for row_id in found])


def _find_repeats(run: Run, model, key: list[str], rows: list[tuple], numbers: list[int]):
    """Note the rows of a chunk whose key an earlier row of this import wrote already; the
    import then finds the earlier rows' numbers (`_locate_repeats`)."""
    fields = [getattr(model, name) for name in key]
    written = set()
    for part in bulk.chunked(sorted({row[0] for row in rows})):
        query = model.select(*fields).where((model.batch == run.batch.id)
                                            & fields[0].in_(list(part)))
        written.update(tuple(map(bulk.to_db, found)) for found in query.tuples())
    for row, number in zip(rows, numbers):
        if row[:len(key)] in written:
            run.repeats.append((number, dict(zip(key, row))))
