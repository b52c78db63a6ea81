"""The weekly roll-up of keyword stats (`KeywordWeek`): one row per keyword and ISO week.

A stats row belongs to the week that holds its last day, if it lasts no longer than that
week reaches back (it starts at most six days before the Monday): a daily row to its day's
week, an ISO weekly row to its week, the data manager's Sunday-to-Saturday week to the ISO
week that holds six of its seven days. A longer period (a month) is no week's figure.

`refresh` rewrites the given weeks of a store from the stats rows; every import that writes
keyword stats calls it for the weeks it wrote, and so does undoing one, in the same
transaction. It is the only writer of the table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from peewee import fn

from kwtrack.store.models import Keyword, KeywordWeek, Store, database
from kwtrack.store.periods import as_date

WEEK = dt.timedelta(weeks=1)
# how many weeks before a week its `previous_impressions` averages
PREVIOUS_WEEKS = 3


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def earliest_start(monday: dt.date) -> dt.date:
    """The earliest day a stats row of the week of `monday` may start on (six days before
    the Monday: the data manager's Sunday-to-Saturday week)."""
    return monday - dt.timedelta(days=6)


def week_of(start: dt.date, end: dt.date) -> dt.date | None:
    """The Monday of the week a stats row of the period `start`–`end` counts in; None for a
    period longer than that week reaches back (a month): no week's figure."""
    monday = monday_of(end)
    return monday if start >= earliest_start(monday) else None


def weeks_before(monday: dt.date, count: int) -> list[dt.date]:
    """The Mondays of the `count` weeks before this one, oldest first."""
    return [monday - n * WEEK for n in range(count, 0, -1)]


def weeks_of(period_ends: Iterable[dt.date]) -> set[dt.date]:
    """The Mondays of the weeks that stats rows ending on `period_ends` belong to."""
    return {monday_of(end) for end in period_ends}


def refresh(store: Store, mondays: Iterable[dt.date]) -> None:
    """Rewrite the store's roll-up rows of the weeks `mondays` from its keyword stats, and the
    previous-weeks average of the weeks after them that it reaches into."""
    mondays = sorted(set(mondays))
    db, p = database.obj, database.obj.param
    table = KeywordWeek._meta.table_name
    average = (f"(SELECT AVG(e.impressions) FROM {table} e WHERE e.store_id = {p} "
               f"AND e.week IN ({', '.join([p] * PREVIOUS_WEEKS)}) AND e.keyword_id = {{}})")
    # oldest week first: each week's average reads the weeks before it written
    for monday in mondays:
        sunday, before = monday + dt.timedelta(days=6), _previous(monday)
        db.execute_sql(f"DELETE FROM {table} WHERE store_id = {p} AND week = {p}",
                       [store.id, monday.isoformat()])
        # The week's rows through the period_start index; `+` keeps SQLite from looking up
        # each of the store's keywords instead (2.5 times slower at 200,000 words).
        db.execute_sql(
            f"INSERT INTO {table} (store_id, week, keyword_id, impressions, clicks, inquiries, "
            "p4p_clicks, p4p_inquiries, p4p_spend, previous_impressions) "
            f"SELECT {p}, {p}, s.keyword_id, {_known_sum('s.impressions')}, "
            f"{_known_sum('s.clicks')}, SUM(s.inquiries), "
            f"{_known_sum('s.clicks', 'p4p')}, "
            "SUM(CASE WHEN s.channel = 'p4p' THEN s.inquiries END), "
            f"{_known_sum('s.spend', 'p4p')}, "
            f"{average.format('s.keyword_id')} FROM keyword_stat s "
            f"WHERE +s.keyword_id IN (SELECT id FROM {Keyword._meta.table_name} "
            f"WHERE store_id = {p}) AND s.period_start BETWEEN {p} AND {p} "
            f"AND s.period_end BETWEEN {p} AND {p} GROUP BY s.keyword_id",
            [store.id, monday.isoformat(), store.id, *before, store.id,
             earliest_start(monday).isoformat(), sunday.isoformat(),
             monday.isoformat(), sunday.isoformat()])
    following = {m + n * WEEK for m in mondays for n in range(1, PREVIOUS_WEEKS + 1)}
    for monday in sorted(following - set(mondays)):
        db.execute_sql(
            f"UPDATE {table} SET previous_impressions = "
            f"{average.format(f'{table}.keyword_id')} WHERE store_id = {p} AND week = {p}",
            [store.id, *_previous(monday), store.id, monday.isoformat()])


def _known_sum(figure: str, channel: str | None = None) -> str:
    """SQL for a week's sum of a stats figure (of one channel's rows, or of all): NULL when
    some row of them leaves the figure unknown. The keyword advisor's `曝光量 --` beside a
    P4P figure of 0 is a week whose exposure nobody knows, not a week of 0. (Inquiries are
    the sum of the known: `kwtrack.review.figures` says why.)"""
    if channel is not None:
        figure = f"CASE WHEN s.channel = '{channel}' THEN {figure} END"
    rows = "*" if channel is None else f"CASE WHEN s.channel = '{channel}' THEN 1 END"
    return f"CASE WHEN COUNT({rows}) = COUNT({figure}) THEN SUM({figure}) END"


def _previous(monday: dt.date) -> list[str]:
    """The weeks `previous_impressions` averages, as the SQL above takes them."""
    return [day.isoformat() for day in weeks_before(monday, PREVIOUS_WEEKS)]


def last_week(store: Store) -> dt.date | None:
    """The Monday of the latest week the store has weekly keyword figures for."""
    return as_date(KeywordWeek.select(fn.MAX(KeywordWeek.week))
                   .where(KeywordWeek.store == store).scalar())


def weeks_without(store: Store, count: int, *, p4p: bool = False) -> list[dt.date]:
    """Of the store's last `count` weeks of keyword stats, the Mondays of those no stats row
    reaches (`p4p`: no P4P row): a report not imported, which totals over the weeks leave
    out, so the lists say which. (A look-up a week: the TUI asks on every keyword shown.)"""
    last = last_week(store)
    if last is None:
        return []
    missing = []
    for week in [*weeks_before(last, count - 1), last]:
        query = KeywordWeek.select().where((KeywordWeek.store == store)
                                           & (KeywordWeek.week == week))
        if p4p:
            query = query.where(KeywordWeek.p4p_clicks.is_null(False)
                                | KeywordWeek.p4p_spend.is_null(False)
                                | KeywordWeek.p4p_inquiries.is_null(False))
        if not query.exists():
            missing.append(week)
    return missing
