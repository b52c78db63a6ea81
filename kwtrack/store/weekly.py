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

from kwtrack.store.models import Keyword, KeywordWeek, Store, database

WEEK = dt.timedelta(weeks=1)
# how many weeks before a week its `previous_impressions` averages
PREVIOUS_WEEKS = 3


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def weeks_of(period_ends: Iterable[dt.date]) -> set[dt.date]:
    """The Mondays of the weeks that stats rows ending on `period_ends` belong to."""
    return {monday_of(end) for end in period_ends}


def refresh(store: Store, mondays: Iterable[dt.date]) -> None:
    """Rewrite the store's roll-up rows of the weeks `mondays` from its keyword stats, and the
    previous-weeks average of those weeks and the weeks it reaches into after them."""
    mondays = sorted(set(mondays))
    if not mondays:
        return
    db, p = database.obj, database.obj.param
    table = KeywordWeek._meta.table_name
    keywords = f"SELECT id FROM {Keyword._meta.table_name} WHERE store_id = {p}"
    for monday in mondays:
        sunday = monday + dt.timedelta(days=6)
        db.execute_sql(f"DELETE FROM {table} WHERE week = {p} AND keyword_id IN ({keywords})",
                       [monday.isoformat(), store.id])
        # (period_start bounds the scan through its index)
        db.execute_sql(
            f"INSERT INTO {table} (keyword_id, week, impressions, clicks, inquiries, "
            "p4p_clicks, p4p_inquiries, p4p_spend) "
            f"SELECT s.keyword_id, {p}, SUM(s.impressions), SUM(s.clicks), SUM(s.inquiries), "
            "SUM(CASE WHEN s.channel = 'p4p' THEN s.clicks END), "
            "SUM(CASE WHEN s.channel = 'p4p' THEN s.inquiries END), "
            "SUM(CASE WHEN s.channel = 'p4p' THEN s.spend END) "
            "FROM keyword_stat s JOIN keyword kw ON kw.id = s.keyword_id "
            f"WHERE kw.store_id = {p} AND s.period_start BETWEEN {p} AND {p} "
            f"AND s.period_end BETWEEN {p} AND {p} GROUP BY s.keyword_id",
            [monday.isoformat(), store.id, (monday - dt.timedelta(days=6)).isoformat(),
             sunday.isoformat(), monday.isoformat(), sunday.isoformat()])
    following = {m + n * WEEK for m in mondays for n in range(PREVIOUS_WEEKS + 1)}
    for monday in sorted(following):
        db.execute_sql(
            f"UPDATE {table} SET previous_impressions = (SELECT AVG(e.impressions) "
            f"FROM {table} e WHERE e.keyword_id = {table}.keyword_id "
            f"AND e.week BETWEEN {p} AND {p}) WHERE week = {p} AND keyword_id IN ({keywords})",
            [(monday - PREVIOUS_WEEKS * WEEK).isoformat(), (monday - WEEK).isoformat(),
             monday.isoformat(), store.id])


def last_week(store: Store) -> dt.date | None:
    """The Monday of the latest week the store has weekly keyword figures for."""
    # The newest weeks first, from the roll-up's week index; `+` keeps SQLite, which has no
    # statistics here, from visiting every keyword of the store instead.
    p = database.obj.param
    row = database.obj.execute_sql(
        f"SELECT w.week FROM {KeywordWeek._meta.table_name} w JOIN keyword kw "
        f"ON kw.id = w.keyword_id WHERE +kw.store_id = {p} ORDER BY w.week DESC LIMIT 1",
        [store.id]).fetchone()
    if row is None or isinstance(row[0], dt.date):
        return row and row[0]
    return dt.date.fromisoformat(str(row[0])[:10])
