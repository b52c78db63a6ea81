"""Undoing an import: the rows it added go, the values it overwrote come back, the rows it
removed are put back, as one step, for the store's newest import.

An import records each table's highest id before it began (it holds the write lock, so the
rows above belong to it, or to later writes, which undo refuses to cross) and what it
overwrote or removed (`ImportUndo`).
"""

from __future__ import annotations

import json

from kwtrack.errors import KwtrackError
from kwtrack.store import weekly
from kwtrack.store.models import (
    Bid,
    BidChange,
    Change,
    Coverage,
    ImportBatch,
    ImportPeriod,
    ImportUndo,
    Keyword,
    KeywordStat,
    Product,
    ProductStat,
    ScoreHistory,
    SearchTermShare,
    Store,
    database,
    now,
)

# The tables an import writes, children before parents (the order rows are removed in).
TABLES = (BidChange, KeywordStat, SearchTermShare, ProductStat, ScoreHistory, Coverage, Bid,
          Product, Keyword)
_BY_NAME = {model._meta.table_name: model for model in TABLES}


def ids_before() -> str:
    """Each table's highest id now, as an import records it before writing (JSON)."""
    from peewee import fn

    return json.dumps({m._meta.table_name: m.select(fn.MAX(m.id)).scalar() or 0
                       for m in TABLES})


def _of_store(model, store: Store):
    """A condition: the row belongs to the store."""
    keywords = Keyword.select(Keyword.id).where(Keyword.store == store)
    products = Product.select(Product.id).where(Product.store == store)
    if model in (Product, Keyword):
        return model.store == store
    if model in (KeywordStat, SearchTermShare, Bid):
        return model.keyword.in_(keywords)
    if model in (ProductStat, ScoreHistory, Coverage):
        return model.product.in_(products)
    bids = Bid.select(Bid.id).where(Bid.keyword.in_(keywords))
    return BidChange.bid.in_(bids)


def newest_import(store: Store) -> ImportBatch | None:
    """The store's newest import not undone (the one `undo_import` takes back), if any."""
    return (ImportBatch.select().where((ImportBatch.store == store)
                                       & ImportBatch.undone_at.is_null())
            .order_by(ImportBatch.id.desc()).first())


def undo_import(store: Store, batch_id: int | None = None) -> ImportBatch:
    """Undo the store's newest import (or `batch_id`, which must be it); returns its batch.
    Refused when something was written after it: undo that first."""
    newest = newest_import(store)
    if newest is None:
        raise KwtrackError("no import to undo")
    batch = newest if batch_id is None else ImportBatch.get_or_none(
        (ImportBatch.id == batch_id) & (ImportBatch.store == store))
    if batch is None:
        raise KwtrackError(f"no import {batch_id} in this store (`kwtrack imports list`)")
    if batch.undone_at is not None:
        raise KwtrackError(f"import {batch.id} ({batch.file_name}) is undone already")
    if batch.id != newest.id:
        raise KwtrackError(f"import {batch.id} is not the newest: undo import {newest.id} "
                           f"({newest.file_name}) first")
    if batch.ids_before is None:
        raise KwtrackError(f"import {batch.id} was made by an older kwtrack that kept no record "
                           "for undoing it")
    later = Change.select().where((Change.store == store) & Change.undone_at.is_null()
                                  & (Change.changed_at >= batch.imported_at)).exists()
    if later:
        raise KwtrackError(f"changes were made after import {batch.id}: undo them first "
                           "(`kwtrack history`)")
    before = json.loads(batch.ids_before)
    with database.obj.atomic():
        stats_touched = False  # (only then has the weekly roll-up to be written again)
        for model in TABLES:  # the rows it added
            removed = model.delete().where((model.id > before[model._meta.table_name])
                                           & _of_store(model, store)).execute()
            stats_touched |= model is KeywordStat and removed > 0
        kept = list(ImportUndo.select().where(ImportUndo.batch == batch)
                    .order_by(ImportUndo.id.desc()))
        for record in kept:
            model, data = _BY_NAME[record.table], json.loads(record.data)
            stats_touched |= model is KeywordStat
            if record.action == "update":  # the values it overwrote
                model.update({getattr(model, k): v for k, v in data.items()}).where(
                    model.id == record.row_id).execute()
            else:  # the rows it removed
                model.insert({getattr(model, k): v for k, v in data.items()}).execute()
        if stats_touched:
            periods = ImportPeriod.select(ImportPeriod.period_end).where(
                ImportPeriod.batch == batch)
            weekly.refresh(store, weekly.weeks_of(p.period_end for p in periods))
        ImportPeriod.delete().where(ImportPeriod.batch == batch).execute()
        ImportUndo.delete().where(ImportUndo.batch == batch).execute()
        batch.undone_at = now()
        batch.save()
    return batch
