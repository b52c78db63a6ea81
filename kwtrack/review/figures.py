"""A store's weekly figures, read in one pass: per keyword and per product, week by week.

A figure is known only where a stats row says it: a word missing from a week's report is
unknown that week (None), never zero, so it is never "down 100%". A week's impressions,
clicks and spend are unknown when one of its rows leaves them unknown (the keyword advisor's
`曝光量 --`, a day of a daily file left blank): a part is not the whole. Its inquiries are
the sum of those known (`INQUIRIES_KNOWN_PART`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from peewee import fn

from kwtrack.store import bulk, weekly
from kwtrack.store.models import Keyword, KeywordStat, KeywordWeek, Product, ProductStat, Store
from kwtrack.store.periods import as_date


@dataclass
class Week:
    """One keyword's figures for one week and channel (None: unknown)."""

    impressions: int | None = None
    clicks: int | None = None
    inquiries: int | None = None
    spend: float | None = None
    search_index: float | None = None

    rows: int = 0

    def add(self, impressions, clicks, inquiries, spend, search_index) -> None:
        """Add a stats row's figures (a week of daily rows adds up)."""
        if self.rows == 0:
            self.impressions, self.clicks, self.spend = impressions, clicks, spend
        else:
            self.impressions = _whole(self.impressions, impressions)
            self.clicks = _whole(self.clicks, clicks)
            self.spend = _whole(self.spend, spend)
        self.rows += 1
        self.inquiries = _plus(self.inquiries, inquiries)
        if search_index is not None:
            self.search_index = max(self.search_index or 0, search_index)


# The keyword advisor's export has no inquiries: a word's inquiries are those its other rows
# (a P4P report, the operator's own file) give, and a word with some known "brought
# inquiries" however many its advisor rows leave out.
INQUIRIES_KNOWN_PART = "inquiries"


def _plus(a, b):
    """The sum of the known of two figures (None: neither known)."""
    return b if a is None else a if b is None else a + b


def _whole(a, b):
    """The sum of two parts of a figure, unknown when either is."""
    return None if a is None or b is None else a + b


def ratio(a, b) -> float | None:
    """a ÷ b to four places (CTR, CPC, …); None when either is unknown or b is 0."""
    return None if a is None or not b else round(a / b, 4)


def change(now, before) -> float | None:
    """The change from `before` to `now` as a fraction (None when either is unknown)."""
    return None if now is None or not before else round((now - before) / before, 4)


def total(parts: list[Week], name: str):
    """A week's figure over its channels (`parts`: those with rows), as `add` adds rows."""
    values = [getattr(w, name) for w in parts]
    if name == INQUIRIES_KNOWN_PART:
        known = [v for v in values if v is not None]
        return sum(known) if known else None
    return None if not values or None in values else sum(values)


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
        week = weekly.week_of(as_date(period_start), as_date(period_end))
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
        week = weekly.week_of(as_date(period_start), as_date(period_end))
        if week is not None:  # (a week of daily rows, one unknown, is unknown)
            weeks = found[product]
            weeks[week] = _whole(weeks[week], impressions) if week in weeks else impressions
    return found


def last_week_with_keyword_stats(store: Store) -> dt.date | None:
    """The Monday of the latest week the store has weekly keyword figures for."""
    return weekly.last_week(store)


def has_keyword_stats(store: Store, monday: dt.date) -> bool:
    """Whether some imported keyword stats fall in the week of `monday`."""
    return (KeywordWeek.select().where((KeywordWeek.store == store)
                                       & (KeywordWeek.week == monday)).exists())
