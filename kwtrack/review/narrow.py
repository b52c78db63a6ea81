"""Which keywords a week's review needs to look at, found in SQL.

A store of 200,000 words has some five million stats rows; the review's sections need the
figures of a few thousand words at most. The weeks the review reads are summed per word and
week into a temporary table (one scan, in the database), and each section's rule picks its
words there: the top words by impressions and by spend, the new and rising words, those that
brought inquiries without a bid, the P4P words steady enough to raise or spending without
inquiries. Only those words' figures are then read in full (`figures.keyword_weeks`).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
from contextlib import contextmanager
from dataclasses import dataclass

from peewee import PostgresqlDatabase

from kwtrack.config import ReviewSettings
from kwtrack.store.models import Store, database

TABLE = "kwtrack_review_weeks"


@dataclass(frozen=True)
class Narrowed:
    """The words each section may hold, and the store's median P4P inquiry rate."""

    top: list[int]  # by impressions this week, best first (`top` + marked ones)
    spenders: list[int]  # by P4P spend this week
    new: list[int]  # traffic this week, none in the earlier weeks read
    rising: list[int]
    asking: list[int]  # brought inquiries this week and have no active bid
    raise_bid: list[int]
    cut: list[int]
    quiet: list[int]  # key-group words under the quiet floor this week
    median_inquiry_rate: float | None

    def all(self) -> set[int]:
        return {*self.top, *self.spenders, *self.new, *self.rising, *self.asking,
                *self.raise_bid, *self.cut, *self.quiet}


def _week(i: int) -> str:
    return f"w{i}"


@contextmanager
def weekly_table(store: Store, mondays: list[dt.date]):
    """A temporary table of the store's keywords (column `k`) with, for each of `mondays`
    (column suffix 0, 1, …), the week's impressions, clicks and inquiries (both channels) and
    the P4P clicks, inquiries and spend; NULL where no row says it. Dropped afterwards."""
    db = database.obj
    # Each row's week (0, 1, …) is worked out once, then each sum asks for one week.
    # MATERIALIZED keeps it once: SQLite would otherwise fold the subquery into the sums and
    # work the week out again in each of the 24 (5.0 s instead of 3.4 s at 200,000 words).
    # (SQLite reads the word from 3.35 on; PostgreSQL from 12.)
    materialized = "MATERIALIZED " if sqlite3.sqlite_version_info >= (3, 35) else ""
    if isinstance(db, PostgresqlDatabase):
        week = f"(s.period_end - CAST({db.param} AS DATE)) / 7"
    else:
        week = f"CAST(julianday(s.period_end) - julianday({db.param}) AS INTEGER) / 7"
    sums = []
    for i in range(len(mondays)):
        for column, source, paid in (("imp", "impressions", False), ("clk", "clicks", False),
                                     ("inq", "inquiries", False), ("pclk", "clicks", True),
                                     ("pinq", "inquiries", True), ("pspend", "spend", True)):
            channel = " AND ch = 'p4p'" if paid else ""
            sums.append(f"SUM(CASE WHEN w = {i}{channel} THEN {source} END) AS {column}{i}")
    last = (mondays[-1] + dt.timedelta(days=6)).isoformat()
    # (period_start bounds the scan through its index: a row ends at most days after it
    # starts, and a week's rows start no earlier than six days before its Monday)
    db.execute_sql(
        f"CREATE TEMPORARY TABLE {TABLE} AS WITH weekly AS {materialized}("
        f"SELECT s.keyword_id AS k, {week} AS w, s.channel AS ch, s.impressions AS impressions, "
        "s.clicks AS clicks, s.inquiries AS inquiries, s.spend AS spend "
        "FROM keyword_stat s JOIN keyword kw ON kw.id = s.keyword_id "
        f"WHERE kw.store_id = {db.param} AND kw.archived_at IS NULL "
        f"AND s.period_start BETWEEN {db.param} AND {db.param} "
        f"AND s.period_end BETWEEN {db.param} AND {db.param}) "
        f"SELECT k, {', '.join(sums)} FROM weekly GROUP BY k",
        [mondays[0].isoformat(), store.id, (mondays[0] - dt.timedelta(days=6)).isoformat(),
         last, mondays[0].isoformat(), last])
    try:
        yield TABLE
    finally:
        db.execute_sql(f"DROP TABLE {TABLE}")


def _ids(sql: str, params=()) -> list[int]:
    return [row[0] for row in database.obj.execute_sql(sql, params).fetchall()]


def narrow(store: Store, mondays: list[dt.date], rules: ReviewSettings, spare: int
           ) -> Narrowed:
    """Each section's words for the week `mondays[-1]` (the weeks before it: `mondays[:-1]`);
    `spare`: how many items marked done or snoozed the ranked lists must reach past."""
    db, t = database.obj, len(mondays) - 1
    limit = rules.top + spare
    with weekly_table(store, mondays) as table:
        named = f"FROM {table} r JOIN keyword kw ON kw.id = r.k"
        top = _ids(f"SELECT r.k {named} WHERE r.imp{t} > 0 ORDER BY r.imp{t} DESC, "
                   f"r.clk{t} DESC, kw.keyword LIMIT {max(limit, rules.hot_top + spare)}")
        spenders = _ids(f"SELECT r.k {named} WHERE r.pspend{t} > 0 ORDER BY r.pspend{t} DESC, "
                        f"kw.keyword LIMIT {limit}")
        earlier = " AND ".join(f"COALESCE(r.imp{i}, 0) = 0" for i in range(t)) or "1 = 1"
        # new: traffic this week, none in the weeks read nor before them (one index seek)
        new = _ids(f"SELECT r.k {named} WHERE r.imp{t} > 0 AND {earlier} AND NOT EXISTS ("
                   "SELECT 1 FROM keyword_stat e WHERE e.keyword_id = r.k AND e.period_end < "
                   f"{db.param} AND e.impressions > 0) ORDER BY r.imp{t} DESC, r.clk{t} DESC, "
                   f"kw.keyword LIMIT {limit}", [mondays[0].isoformat()])
        # rising: this week on the average of the known weeks of the 3 before
        before = range(max(0, t - 3), t)
        known = " + ".join(f"CASE WHEN r.imp{i} IS NULL THEN 0 ELSE 1 END" for i in before)
        total = " + ".join(f"COALESCE(r.imp{i}, 0)" for i in before)
        base = f"(1.0 * ({total}) / NULLIF({known}, 0))"
        is_rising = (f"r.imp{t} > 0 AND {base} >= {db.param} AND "
                     f"r.imp{t} >= {base} * {db.param}")
        growth = [rules.rising_min_base, 1 + rules.rising_min_growth]
        active = "JOIN bid b ON b.keyword_id = r.k AND b.status = 'active'"
        in_group = ("EXISTS (SELECT 1 FROM keyword g WHERE g.id = r.k AND "
                    f"g.\"group\" = {db.param})")
        by_impressions = f"ORDER BY r.imp{t} DESC, r.clk{t} DESC, kw.keyword LIMIT {limit}"
        rising = list(dict.fromkeys([
            # the section, by growth; the rising words the P4P and key-group lists may take
            *_ids(f"SELECT r.k {named} WHERE {is_rising} ORDER BY r.imp{t} / {base} DESC, "
                  f"kw.keyword LIMIT {limit}", growth),
            *_ids(f"SELECT r.k {named} LEFT {active} WHERE {is_rising} AND b.id IS NULL "
                  f"{by_impressions}", growth),
            *_ids(f"SELECT r.k {named} WHERE {is_rising} AND NOT {in_group} "
                  f"{by_impressions}", [*growth, rules.key_group])]))
        asking = _ids(f"SELECT r.k {named} LEFT {active} WHERE r.inq{t} > 0 AND b.id IS NULL "
                      f"{by_impressions}")
        rates = [inq / clk for inq, clk in db.execute_sql(
            f"SELECT r.pinq{t}, r.pclk{t} FROM {table} r {active} WHERE r.pclk{t} > 0 "
            f"AND r.pinq{t} IS NOT NULL").fetchall()]
        median = statistics.median(rates) if rates else None
        raise_bid = []
        if median is not None:
            # steady: enough clicks each week, within ±band of the week before; converting at
            # or above the median
            steady = range(t - rules.raise_bid_weeks, t + 1)
            enough = [f"r.pclk{i} >= {db.param}" for i in steady]
            within = [f"ABS(r.pclk{i} - r.pclk{i - 1}) <= {db.param} * r.pclk{i - 1}"
                      for i in steady[1:]]
            raise_bid = _ids(
                f"SELECT r.k FROM {table} r {active} WHERE {' AND '.join(enough + within)} "
                f"AND r.pinq{t} >= {db.param} * r.pclk{t} "
                f"ORDER BY 1.0 * r.pinq{t} / r.pclk{t} DESC, r.pclk{t} DESC LIMIT {limit}",
                [rules.raise_bid_min_clicks] * len(steady)
                + [rules.raise_bid_band] * len(within) + [median])
        window = range(t - rules.cut_weeks + 1, t + 1)
        spent = " + ".join(f"r.pspend{i}" for i in window)
        quiet = " AND ".join(f"r.pinq{i} = 0" for i in window)
        cut = _ids(f"SELECT r.k FROM {table} r {active} WHERE {quiet} AND {spent} >= "
                   f"{db.param} ORDER BY {spent} DESC LIMIT {limit}", [rules.cut_min_spend])
        quiet = _ids(f"SELECT r.k FROM {table} r WHERE {in_group} AND r.imp{t} < {db.param} "
                     f"ORDER BY r.imp{t} LIMIT {limit}", [rules.key_group,
                                                           rules.quiet_impressions])
    return Narrowed(top, spenders, new, rising, asking, raise_bid, cut, quiet, median)
