"""What the imported product stats cover: the periods (a day, a week) each product-stats file
held rows for (`ImportPeriod`). A product with no row in a covered period had no effect in
it; a day no period covers is unknown. The zero-effect check and the review's store figures
read them here."""

from __future__ import annotations

import datetime as dt

from kwtrack.store.models import ImportBatch, ImportPeriod, Store

PRODUCT_STATS_KINDS = ("product-stats", "product-report")


def as_date(value) -> dt.date | None:
    """A date column's value as a date (SQLite may hand back text; None stays None)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def period_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every day of the period `start`–`end`, both included."""
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def product_stats_periods(store: Store):
    """The periods the store's imported product-stats files hold rows for (a query of
    `period_start`, `period_end`)."""
    return (ImportPeriod.select(ImportPeriod.period_start, ImportPeriod.period_end)
            .join(ImportBatch)
            .where((ImportBatch.store == store)
                   & ImportBatch.kind.in_(PRODUCT_STATS_KINDS)))


def periods_within(store: Store, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The imported product-stats periods wholly inside [first, last]: those a sum of the
    stats rows inside a window adds (a period reaching outside it is left out of the sum)."""
    return [(as_date(start), as_date(end)) for start, end in product_stats_periods(store).where(
        (ImportPeriod.period_start >= first) & (ImportPeriod.period_end <= last)).tuples()]
