"""A store's weekly figures, read in one pass: per keyword and per product, week by week.

A figure is known only where a stats row says it: a word missing from a week's report is
unknown that week (None), never zero, so it is never "down 100%".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from peewee import fn

from kwtrack.store import bulk, weekly
from kwtrack.store.models import Keyword, KeywordStat, KeywordWeek, Product, ProductStat, Store


@dataclass
class Week:
    """One keyword's figures for one week and channel (None: unknown)."""

    impressions: int | None = None
    clicks: int | None = None
    inquiries: int | None = None
    spend: float | None = None
    search_index: float | None = None

    def add(self, impressions, clicks, inquiries, spend, search_index) -> None:
        """Add a stats row's figures (a week of daily rows adds up)."""
        self.impressions = _plus(self.impressions, impressions)
        self.clicks = _plus(self.clicks, clicks)
        self.inquiries = _plus(self.inquiries, inquiries)
        self.spend = _plus(self.spend, spend)
        if search_index is not None:
            self.search_index = max(self.search_index or 0, search_index)


def _plus(a, b):
    return b if a is None else a if b is None else a + b


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def keyword_weeks(store: Store, first: dt.date, last: dt.date, ids: list[int] | None = None
                  ) -> dict[int, dict[dt.date, dict[str, Week]]]:
    """keyword id → week Monday → channel → its figures, for the weeks from `first` to the
    week of `last` (a row counts in the week `weekly.week_of` says); of the keywords `ids`
    only, when given."""
    end = last + dt.timedelta(days=6)
    query = (KeywordStat.select(KeywordStat.keyword, KeywordStat.channel,
                                KeywordStat.period_start, KeywordStat.period_end,
                                KeywordStat.impressions,
                                KeywordStat.clicks, KeywordStat.inquiries, KeywordStat.spend,
                                KeywordStat.search_index)
             .join(Keyword).where((Keyword.store == store) & Keyword.archived_at.is_null()
                                  & (KeywordStat.period_end >= first)
                                  & (KeywordStat.period_end <= end)))
    if ids is None:
        # (period_start bounds the scan through its index, as in `narrow.weekly_table`)
        query = query.where(KeywordStat.period_start.between(weekly.earliest_start(first),
                                                             end))
        rows = bulk.raw_rows(query)
    else:
        rows = []
        for part in bulk.chunked(sorted(ids)):
            rows += bulk.raw_rows(query.where(KeywordStat.keyword.in_(list(part))))
    found: dict[int, dict[dt.date, dict[str, Week]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Week)))
    for keyword, channel, period_start, period_end, *figures in rows:
        week = weekly.week_of(_date(period_start), _date(period_end))
        if week is not None:  # (a longer period is no week's figure)
            found[keyword][week][channel].add(*figures)
    return found


def product_weeks(store: Store, first: dt.date, last: dt.date
                  ) -> dict[int, dict[dt.date, int | None]]:
    """product id → week Monday → impressions (None: unknown), for live products."""
    end = last + dt.timedelta(days=6)
    rows = bulk.raw_rows(
        ProductStat.select(ProductStat.product, ProductStat.period_start,
                           ProductStat.period_end, fn.SUM(ProductStat.impressions))
        .join(Product).where((Product.store == store) & Product.archived_at.is_null()
                             & (ProductStat.period_end >= first)
                             & (ProductStat.period_end <= end))
        .group_by(ProductStat.product, ProductStat.period_start, ProductStat.period_end))
    found: dict[int, dict[dt.date, int | None]] = defaultdict(dict)
    for product, period_start, period_end, impressions in rows:
        week = weekly.week_of(_date(period_start), _date(period_end))
        if week is not None:
            found[product][week] = _plus(found[product].get(week), impressions)
    return found


def last_week_with_keyword_stats(store: Store) -> dt.date | None:
    """The Monday of the latest week the store has weekly keyword figures for."""
    return weekly.last_week(store)


def has_keyword_stats(store: Store, monday: dt.date) -> bool:
    """Whether some imported keyword stats fall in the week of `monday`."""
    return (KeywordWeek.select().where((KeywordWeek.store == store)
                                       & (KeywordWeek.week == monday)).exists())
