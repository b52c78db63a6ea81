"""Exporting a store's data in the canonical import columns, so every export is a valid import.

`export_rows` gives a kind's column names and rows; `write_export` writes them as CSV, XLSX or
JSON; `export_to_file` writes a file all or nothing, and `export_to_folder` names the files
itself from the store's name, which can never lead outside the folder chosen.

Text cells that a spreadsheet would run as a formula (starting with =, +, - or @) are written
with a leading `'`, which kwtrack's import drops again.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kwtrack.errors import KwtrackError
from kwtrack.imports import KEYWORD_METRICS, PRODUCT_FIELDS, PRODUCT_METRICS
from kwtrack.paths import written_whole
from kwtrack.store.models import (
    Bid,
    Coverage,
    Keyword,
    KeywordStat,
    Product,
    ProductStat,
    Store,
)
from kwtrack.values import formula_safe

EXPORT_KINDS = ("products", "keywords", "coverage", "bids", "keyword-stats", "product-stats")


def _products(store: Store) -> tuple[list[str], Iterator[list]]:
    columns = ["product_id", *[f for f in PRODUCT_FIELDS if f != "p4p"], "keywords"]
    # each product's keyword field, alphabetically (the same on any database)
    links = (Coverage.select(Coverage.product, Keyword.keyword).join(Keyword)
             .switch(Coverage).join(Product)
             .where((Product.store == store) & (Coverage.source == "keyword"))
             .order_by(Coverage.product, Keyword.norm))
    listed: dict[int, list[str]] = {}
    for product, keyword in links.tuples().iterator():
        listed.setdefault(product, []).append(keyword)
    by_product = {product: "|".join(words) for product, words in listed.items()}
    query = Product.select().where((Product.store == store) & Product.archived_at.is_null())

    def rows():
        for p in query.order_by(Product.id).iterator():
            yield [p.product_id, p.title, p.category, p.status, p.showcase, p.hot, p.score,
                   p.published, by_product.get(p.id)]

    return columns, rows()


def _keywords(store: Store):
    columns = ["keyword", "group", "search_index", "competition", "source", "status", "notes",
               "tracked"]
    query = Keyword.select(Keyword.keyword, Keyword.group, Keyword.search_index,
                           Keyword.competition, Keyword.source, Keyword.status, Keyword.notes,
                           Keyword.tracked_at.is_null(False)
                           ).where((Keyword.store == store) & Keyword.archived_at.is_null())
    # (tracked: Y, or blank rather than N, so that importing the file untracks nothing)
    return columns, ([*r[:-1], True if r[-1] else None]
                     for r in query.order_by(Keyword.norm).tuples().iterator())


def _coverage(store: Store):
    query = (Coverage.select(Product.product_id, Keyword.keyword, Coverage.source)
             .join(Product).switch(Coverage).join(Keyword)
             .where((Product.store == store) & (Coverage.source != "keyword"))
             .order_by(Product.product_id, Keyword.norm, Coverage.source))
    return ["product_id", "keyword", "source"], (list(r) for r in query.tuples().iterator())


def _bids(store: Store):
    columns = ["keyword", "group", "status", "bid", "base_price", "stars", "target_position",
               "min_bid", "max_bid"]
    query = (Bid.select(Keyword.keyword, Bid.group, Bid.status, Bid.bid, Bid.base_price,
                        Bid.stars, Bid.target_position, Bid.min_bid, Bid.max_bid)
             .join(Keyword).where(Keyword.store == store).order_by(Keyword.norm))
    return columns, (list(r) for r in query.tuples().iterator())


def _keyword_stats(store: Store):
    columns = ["keyword", "period_start", "period_end", "channel", *KEYWORD_METRICS]
    query = (KeywordStat.select(Keyword.keyword, KeywordStat.period_start,
                                KeywordStat.period_end, KeywordStat.channel,
                                *[getattr(KeywordStat, m) for m in KEYWORD_METRICS])
             .join(Keyword).where(Keyword.store == store)
             .order_by(Keyword.norm, KeywordStat.period_start, KeywordStat.channel))
    return columns, (list(r) for r in query.tuples().iterator())


def _product_stats(store: Store):
    columns = ["product_id", "period_start", "period_end", *PRODUCT_METRICS]
    query = (ProductStat.select(Product.product_id, ProductStat.period_start,
                                ProductStat.period_end,
                                *[getattr(ProductStat, m) for m in PRODUCT_METRICS])
             .join(Product).where(Product.store == store)
             .order_by(Product.product_id, ProductStat.period_start))
    return columns, (list(r) for r in query.tuples().iterator())


_EXPORTERS = {"products": _products, "keywords": _keywords, "coverage": _coverage,
              "bids": _bids, "keyword-stats": _keyword_stats, "product-stats": _product_stats}


def export_rows(store: Store, kind: str) -> tuple[list[str], Iterator[list]]:
    """The canonical column names of `kind` and its rows, streamed from the database."""
    if kind not in _EXPORTERS:
        raise KwtrackError(f"unknown export kind {kind!r} (kinds: {', '.join(EXPORT_KINDS)})")
    return _EXPORTERS[kind](store)


def _cell(value):
    """A value as a CSV/XLSX cell: Y/N, ISO dates, and formula-looking text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return formula_safe(value)


def _json_value(value):
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def write_export(store: Store, kind: str, out: IO[str] | Path, fmt: str) -> int:
    """Write a kind's export as csv, xlsx or json to a text stream (xlsx: a path); returns rows."""
    columns, rows = export_rows(store, kind)
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            count += 1
    elif fmt == "json":
        out.write("[")
        for row in rows:
            out.write(("," if count else "") + "\n  " + json.dumps(
                dict(zip(columns, (_json_value(v) for v in row), strict=True)),
                ensure_ascii=False, default=str))
            count += 1
        out.write("\n]\n" if count else "]\n")
    elif fmt == "xlsx":
        try:
            from openpyxl import Workbook
        except ImportError as exc:
            raise KwtrackError("XLSX export needs openpyxl: pip install openpyxl") from exc
        book = Workbook(write_only=True)
        sheet = book.create_sheet(kind)
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(v) for v in row])
            count += 1
        book.save(str(out))
    else:
        raise KwtrackError(f"unknown export format {fmt!r} (csv, xlsx, json)")
    return count


# Characters no file name may hold on Windows, macOS or Linux, plus control characters.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}


def safe_file_name(text: str, limit: int = 80) -> str:
    """`text` (a store's name, say) as one plain file name: no folder separators, no control
    or reserved characters, no leading dots (so never `..` or a hidden file), not a Windows
    device name, at most `limit` characters; "export" if nothing is left."""
    name = _UNSAFE.sub("_", text).strip(" ._")[:limit].rstrip(" .")
    if name.split(".")[0].upper() in _WINDOWS_RESERVED:
        name = "_" + name
    return name or "export"


def export_to_file(store: Store, kind: str, path: Path, fmt: str) -> int:
    """Write a kind's export to `path` all or nothing: into a temporary file beside it that
    replaces `path` only once complete, so an error or Ctrl-C leaves no half-written file
    and an older file of that name as it was. Returns the rows written."""
    if not path.parent.is_dir():
        raise KwtrackError(f"{path.parent}: no such folder")
    with written_whole(path) as part:
        if fmt == "xlsx":
            count = write_export(store, kind, part, fmt)
        else:
            with open(part, "w", encoding="utf-8", newline="") as out:
                count = write_export(store, kind, out, fmt)
    return count


def export_to_folder(store: Store, kinds: tuple[str, ...], folder: Path, fmt: str,
                     day: dt.date | None = None) -> list[tuple[str, Path, int]]:
    """Export each of `kinds` into `folder` as STORE-KIND-DATE.FMT; the store's name is made
    a safe file name, and a name that would still land outside `folder` is refused.
    Returns (kind, file, rows) for each file written."""
    if not folder.is_dir():
        raise KwtrackError(f"{folder}: no such folder")
    folder = folder.resolve()
    day = day or dt.date.today()
    written = []
    for kind in kinds:
        path = (folder / f"{safe_file_name(store.name)}-{kind}-{day.isoformat()}.{fmt}")
        if path.resolve().parent != folder:  # belt and braces: a symlink or a missed case
            raise KwtrackError(f"refusing to write {path}: it is outside {folder}")
        written.append((kind, path, export_to_file(store, kind, path, fmt)))
    return written
