"""Stats periods that share days: the same days counted twice.

A product's stats rows (a keyword's, per channel) may be of any period, a day or a week,
but two rows of different periods that share a day count that day twice in every sum: the
zero-effect window, the lists' figures, the weekly roll-up the review ranks on. So an import
whose rows share days with stored rows of another period of the same product or keyword (a
weekly report over days a daily file brought), or with each other, is refused; undoing one of
the two imports settles it. Rows of the same period are the same figures again: an import
updates them.

The check is set-based: the stored periods come from the imports' own record of them
(`ImportPeriod`), and only a pair of overlapping periods is looked for row by row, through
the stats tables' unique keys.
"""

from __future__ import annotations

from kwtrack.imports.spec import Period
from kwtrack.store.models import (
    ImportBatch,
    ImportPeriod,
    Keyword,
    KeywordStat,
    Product,
    ProductStat,
    Store,
)

# The stats that sums add up: the field naming what a row belongs to, and how to name that.
SUMMED = {ProductStat: ("product", Product.product_id),
          KeywordStat: ("keyword", Keyword.keyword)}


def shared_days(store: Store, model, batch: ImportBatch, periods: set[Period]) -> str | None:
    """The first row the import `batch` wrote into `model` (one of SUMMED) that shares days
    with a row of another period of the same product or keyword (and channel), described
    for the operator; None when there is none."""
    if not periods:
        return None
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    stored = {Period(start, end) for start, end in (
        ImportPeriod.select(ImportPeriod.period_start, ImportPeriod.period_end)
        .join(ImportBatch)
        .where((ImportBatch.store == store) & ImportBatch.undone_at.is_null()
               & (ImportPeriod.period_start <= last) & (ImportPeriod.period_end >= first))
        .distinct().tuples())}
    known = stored | periods
    pairs = {tuple(sorted((new, old))) for new in periods for old in known
             if old != new and old.start <= new.end and old.end >= new.start}
    for a, b in sorted(pairs):
        for new, old in ((a, b), (b, a)):
            if new in periods:
                found = _first_shared(model, batch, new, old)
                if found is not None:
                    return _described(model, found, new, old, batch)
    return None


def _first_shared(model, batch: ImportBatch, new: Period, old: Period):
    """(owner id, the other row's batch id) of the first row (by owner) of period `new` the
    import wrote whose owner (and channel) has a row of period `old`; None when none has."""
    field = SUMMED[model][0]
    other = model.alias()
    owner = getattr(model, field)
    on = ((getattr(other, field) == owner) & (other.period_start == old.start)
          & (other.period_end == old.end))
    if "channel" in model._meta.fields:  # (keyword stats: organic and P4P are apart)
        on &= other.channel == model.channel
    return (model.select(owner, other.batch).join(other, on=on)
            .where((model.batch == batch) & (model.period_start == new.start)
                   & (model.period_end == new.end))
            .order_by(owner).limit(1).tuples().first())


def _described(model, found, new: Period, old: Period, batch: ImportBatch) -> str:
    """The refusal's one line: the file, the product or keyword, both periods and where the
    other one came from."""
    noun, name_field = SUMMED[model]
    owner_id, other_batch = found
    owners = name_field.model
    name = owners.select(name_field).where(owners.id == owner_id).scalar()
    if other_batch == batch.id:
        source = "in this file too"
    else:
        earlier = ImportBatch.get_or_none(ImportBatch.id == other_batch)
        source = (f"from import {earlier.id}, {earlier.file_name}" if earlier is not None
                  else "entered before")
    return (f"{batch.file_name}: {noun} {name}: its stats for {_text(new)} share days with "
            f"its stats for {_text(old)} ({source}), which would count those days twice; "
            "import one period or the other (`kwtrack imports undo ID` takes one back)")


def _text(period: Period) -> str:
    """A period as the refusal writes it: a day, or first..last."""
    return (period.start.isoformat() if period.start == period.end
            else f"{period.start}..{period.end}")
