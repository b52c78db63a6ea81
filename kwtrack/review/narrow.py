"""Which keywords a week's review needs to look at, found in SQL.

A store of 200,000 words has some five million stats rows; the review's sections need the
figures of a few hundred words. Each section's rule picks its words on the weekly roll-up
(`keyword_week`: one row per word and week, written at import), most through its indexes:
the top words by impressions and by spend, the new and rising words, those that brought
inquiries without a bid; the P4P words steady enough to raise or spending without inquiries
from their weeks, looked up side by side into a temporary table. Only the words picked are
then read in full (`figures.keyword_weeks`).
"""

from __future__ import annotations

import datetime as dt
import statistics
from contextlib import contextmanager
from dataclasses import dataclass

from kwtrack.config import ReviewSettings
from kwtrack.store.models import Store, database
from kwtrack.words import group_key

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


@contextmanager
def paid_table(store: Store, mondays: list[dt.date], first: int = 0):
    """A temporary table of the store's words with an active bid (column `k`) with, for each
    of `mondays` from `first` on (column suffix `first`, …), the week's P4P clicks, inquiries
    and spend; NULL where no row says it. Dropped afterwards."""
    db, p = database.obj, database.obj.param
    # one look-up per word and week in the roll-up's key: no grouping
    columns = ", ".join(f"w{i}.p4p_clicks AS pclk{i}, w{i}.p4p_inquiries AS pinq{i}, "
                        f"w{i}.p4p_spend AS pspend{i}" for i in range(first, len(mondays)))
    weeks = " ".join(f"LEFT JOIN keyword_week w{i} ON w{i}.store_id = kw.store_id "
                     f"AND w{i}.week = {p} AND w{i}.keyword_id = b.keyword_id"
                     for i in range(first, len(mondays)))
    db.execute_sql(
        f"CREATE TEMPORARY TABLE {TABLE} AS SELECT b.keyword_id AS k, {columns} "
        f"FROM bid b JOIN keyword kw ON kw.id = b.keyword_id {weeks} "
        f"WHERE kw.store_id = {p} AND kw.archived_at IS NULL AND b.status = 'active'",
        [*(m.isoformat() for m in mondays[first:]), store.id])
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
    db, p, t = database.obj, database.obj.param, len(mondays) - 1
    limit = rules.top + spare
    this_week = mondays[-1].isoformat()
    # this week's rows of the store's live words
    rows = ("FROM keyword_week r JOIN keyword kw ON kw.id = r.keyword_id "
            f"WHERE r.store_id = {p} AND r.week = {p} AND kw.archived_at IS NULL")
    here = [store.id, this_week]
    by_impressions = f"ORDER BY r.impressions DESC, r.clicks DESC, kw.keyword LIMIT {limit}"
    no_bid = ("NOT EXISTS (SELECT 1 FROM bid b WHERE b.keyword_id = r.keyword_id "
              "AND b.status = 'active')")
    top = _ids(f"SELECT r.keyword_id {rows} AND r.impressions > 0 ORDER BY r.impressions DESC, "
               f"r.clicks DESC, kw.keyword LIMIT {max(limit, rules.hot_top + spare)}", here)
    spenders = _ids(f"SELECT r.keyword_id {rows} AND r.p4p_spend > 0 "
                    f"ORDER BY r.p4p_spend DESC, kw.keyword LIMIT {limit}", here)
    # new: traffic this week and none before (the weeks before, then any stats row before)
    new = _ids(f"SELECT r.keyword_id {rows} AND r.impressions > 0 "
               "AND COALESCE(r.previous_impressions, 0) = 0 AND NOT EXISTS (SELECT 1 FROM "
               "keyword_stat e WHERE e.keyword_id = r.keyword_id AND e.period_end < "
               f"{p} AND e.impressions > 0) {by_impressions}", [*here, this_week])
    # rising: this week on the average of the known weeks of the 3 before. All of them in
    # one scan (a rule that lets few words through), then the section's words by growth and
    # the words the P4P and key-group lists may take, by impressions.
    risers = db.execute_sql(
        f"SELECT r.keyword_id, r.impressions, r.clicks, r.previous_impressions, kw.keyword, "
        f"kw.\"group\", CASE WHEN {no_bid} THEN 1 ELSE 0 END {rows} AND r.impressions > 0 "
        f"AND r.previous_impressions >= {p} AND r.impressions >= r.previous_impressions * {p}",
        [*here, rules.rising_min_base, 1 + rules.rising_min_growth]).fetchall()
    by_growth = sorted(risers, key=lambda r: (-r[1] / r[3], r[4]))
    by_traffic = sorted(risers, key=lambda r: (-r[1], -(r[2] if r[2] is not None else -1), r[4]))
    rising = list(dict.fromkeys([
        *(r[0] for r in by_growth[:limit]),
        *[r[0] for r in by_traffic if r[6]][:limit],  # no active bid
        *[r[0] for r in by_traffic if group_key(r[5] or "") != group_key(rules.key_group)]
        [:limit]]))
    asking = _ids(f"SELECT r.keyword_id {rows} AND r.inquiries > 0 AND {no_bid} "
                  f"{by_impressions}", here)
    quiet = _ids(f"SELECT r.keyword_id {rows} AND LOWER(kw.\"group\") = LOWER({p}) "
                 f"AND r.impressions < {p} "
                 f"ORDER BY r.impressions LIMIT {limit}",
                 [*here, rules.key_group, rules.quiet_impressions])
    # (the weeks the bid rules look at)
    first = t - max(rules.raise_bid_weeks, rules.cut_weeks - 1)
    with paid_table(store, mondays, first) as table:
        rates = [inq / clk for inq, clk in db.execute_sql(
            f"SELECT r.pinq{t}, r.pclk{t} FROM {table} r WHERE r.pclk{t} > 0 "
            f"AND r.pinq{t} IS NOT NULL").fetchall()]
        median = statistics.median(rates) if rates else None
        raise_bid = []
        if median is not None:
            # steady: enough clicks each week, within ±band of the week before; converting at
            # or above the median
            steady = range(t - rules.raise_bid_weeks, t + 1)
            enough = [f"r.pclk{i} >= {p}" for i in steady]
            within = [f"ABS(r.pclk{i} - r.pclk{i - 1}) <= {p} * r.pclk{i - 1}"
                      for i in steady[1:]]
            raise_bid = _ids(
                f"SELECT r.k FROM {table} r WHERE {' AND '.join(enough + within)} "
                f"AND r.pinq{t} >= {p} * r.pclk{t} "
                f"ORDER BY 1.0 * r.pinq{t} / r.pclk{t} DESC, r.pclk{t} DESC LIMIT {limit}",
                [rules.raise_bid_min_clicks] * len(steady)
                + [rules.raise_bid_band] * len(within) + [median])
        window = range(t - rules.cut_weeks + 1, t + 1)
        spent = " + ".join(f"r.pspend{i}" for i in window)
        no_inquiry = " AND ".join(f"r.pinq{i} = 0" for i in window)
        cut = _ids(f"SELECT r.k FROM {table} r WHERE {no_inquiry} AND {spent} >= "
                   f"{p} ORDER BY {spent} DESC LIMIT {limit}", [rules.cut_min_spend])
    return Narrowed(top, spenders, new, rising, asking, raise_bid, cut, quiet, median)
