"""The store at a glance, the review's first table: week by week over the reviewed week and
the three before (the month the monthly meeting looks back on), its products' traffic as the
data manager's product report gives it and its P4P figures, and the week's swings worth
explaining before anyone reads the words.

A figure is known only where the stats say it. The products' figures of a week are the rows
that count in it (a day, an ISO week, the data manager's Sunday-to-Saturday week, as the
weekly roll-up counts them) once the periods of imported product-stats files counting in it
cover seven days; a product without a row had none, and one row leaving a figure unknown
leaves the week's unknown. The P4P figures are the week's P4P rows (none: no P4P stats).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import SQL, fn

from kwtrack.config import ReviewSettings
from kwtrack.review.figures import Week, change, ratio
from kwtrack.review.weeks import week_name
from kwtrack.store.models import (
    ImportPeriod,
    Keyword,
    KeywordStat,
    Product,
    ProductStat,
    Store,
)
from kwtrack.store.periods import as_date, period_days, product_stats_periods
from kwtrack.store.totals import whole_sum
from kwtrack.store.weekly import earliest_start, week_of

# The table's figures, in order: the products' (data manager), then the P4P words'.
FIGURES = ("impressions", "clicks", "ctr", "visitors", "inquiries", "orders",
           "p4p_impressions", "p4p_clicks", "p4p_ctr", "p4p_spend", "cpc")
# The product report's impressions by traffic source (views that overlap, not parts that
# add up), kept beside the table's figures to say where a swing of impressions came from.
SOURCES = {"search_impressions": "search", "marketing_impressions": "marketing",
           "promotion_impressions": "full-site promotion"}
_PRODUCT_FIGURES = ("impressions", "clicks", "visitors", "inquiries", "orders", *SOURCES)
# The figures whose swing from one week to the next is said, each with its name in the
# sentence and where to look; counts only from a base of `rising_min_base` (a few clicks
# more is no swing).
_SWINGS = {
    "impressions": ("product impressions",
                    "the data manager's traffic sources say where they came from"),
    "visitors": ("visitors", "the data manager's traffic sources say where they came from"),
    "p4p_clicks": ("P4P clicks", "Top P4P spend and the bids below say which words"),
    "p4p_spend": ("P4P spend", "Top P4P spend below says which words"),
    "cpc": ("CPC", "the bids of Top P4P spend below say which words"),
}
_COUNTS = {"impressions", "visitors", "p4p_clicks"}


@dataclass(frozen=True)
class StoreWeek:
    """One week of the store: its figures (FIGURES; None: unknown) and what the stats of it
    hold, which says why some are unknown."""

    week: dt.date  # the Monday
    figures: dict
    product_days: int = 7  # the days of the week the product stats cover (7: all)
    p4p_rows: int = 0  # the week's P4P stats rows (none: no P4P report reaches it)

    @property
    def note(self) -> str | None:
        """Why some of the week's figures are unknown, in a line (None: none is for that)."""
        return "; ".join(gaps([self])) or None

    def to_dict(self) -> dict:
        return {"week": week_name(self.week), "week_start": self.week.isoformat(),
                **self.figures, "note": self.note}


def gaps(weeks: list[StoreWeek]) -> list[str]:
    """Why figures of `weeks` are unknown, each reason once for all the weeks it holds for
    (a store that imports no product report reads it once, not once a week)."""
    def named(found: list[StoreWeek]) -> str:
        return ", ".join(week_name(w.week) for w in found)

    bare = [w for w in weeks if not w.product_days]
    unpaid = [w for w in weeks if not w.p4p_rows]
    return ([f"no product stats for {named(bare)}"] if bare else []) + [
        f"the product stats of {week_name(w.week)} cover {w.product_days} of its 7 days"
        for w in weeks if 0 < w.product_days < 7] + (
        [f"no P4P stats for {named(unpaid)}"] if unpaid else [])


def week_rows(model, monday: dt.date):
    """The condition for a stats row counting in the week of `monday` (`weekly.week_of`)."""
    sunday = monday + dt.timedelta(days=6)
    return (model.period_start.between(earliest_start(monday), sunday)
            & model.period_end.between(monday, sunday))


def p4p_totals(store: Store, mondays: list[dt.date]) -> dict[dt.date, tuple[dict, int]]:
    """For each week of `mondays`, the store's P4P impressions, clicks, spend and inquiries
    (its P4P rows that count in the week) and how many rows there are. A figure is unknown
    when one row leaves it unknown; inquiries are the sum of those known (a P4P report's).
    One query for all the weeks, summed by period, the periods then put in their weeks: a
    query a week would walk each keyword's rows once a week (200,000 keywords: 0.25 s each)."""
    first, last = min(mondays), max(mondays) + dt.timedelta(days=6)
    periods = (KeywordStat.select(KeywordStat.period_start, KeywordStat.period_end,
                                  fn.COUNT(SQL("*")), whole_sum(KeywordStat.impressions),
                                  whole_sum(KeywordStat.clicks), whole_sum(KeywordStat.spend),
                                  fn.SUM(KeywordStat.inquiries))
               .where(KeywordStat.keyword.in_(Keyword.select(Keyword.id)
                                              .where(Keyword.store == store))
                      & (KeywordStat.channel == "p4p")
                      & KeywordStat.period_start.between(earliest_start(first), last)
                      & KeywordStat.period_end.between(first, last))
               .group_by(KeywordStat.period_start, KeywordStat.period_end).tuples())
    weeks, counted = {monday: Week() for monday in mondays}, dict.fromkeys(mondays, 0)
    for start, end, rows, impressions, clicks, spend, inquiries in periods:
        week = week_of(as_date(start), as_date(end))
        if week in weeks:  # (a week of daily rows: seven periods, added as rows add up)
            weeks[week].add(impressions, clicks, inquiries, spend, None)
            counted[week] += rows
    return {monday: ({"impressions": w.impressions, "clicks": w.clicks,
                      "spend": None if w.spend is None else round(w.spend, 2),
                      "inquiries": w.inquiries}, counted[monday])
            for monday, w in weeks.items()}


def _covered_days(store: Store, monday: dt.date) -> int:
    """How many days the product-stats periods counting in the week of `monday` cover."""
    days: set[dt.date] = set()
    for start, end in product_stats_periods(store).where(
            week_rows(ImportPeriod, monday)).tuples():
        start, end = as_date(start), as_date(end)
        days.update(period_days(start, end))
    return len(days)


def _product_totals(store: Store, monday: dt.date) -> tuple[dict, int]:
    """The store's products' impressions, clicks, visitors, inquiries, orders and
    impressions by source in the week of `monday`, all None when the product stats do not
    cover the week, and how many of its days they cover."""
    covered = _covered_days(store, monday)
    if covered < 7:
        return dict.fromkeys(_PRODUCT_FIGURES), covered
    # (archived products too: the week's figure is the store's as it was then)
    totals = (ProductStat.select(*(whole_sum(getattr(ProductStat, name), empty=0)
                                   for name in _PRODUCT_FIGURES))
              .join(Product).where((Product.store == store) & week_rows(ProductStat, monday))
              .tuples().get())
    return dict(zip(_PRODUCT_FIGURES, totals, strict=True)), 7


def store_weeks(store: Store, mondays: list[dt.date], paid: dict | None = None
                ) -> list[StoreWeek]:
    """The store's figures (FIGURES) for each week of `mondays`, in that order (`paid`: the
    weeks' `p4p_totals`, when the caller has them already)."""
    found, paid = [], paid or p4p_totals(store, mondays)
    for monday in mondays:
        products, days = _product_totals(store, monday)
        p4p, rows = paid[monday]
        figures = {**products, "ctr": ratio(products["clicks"], products["impressions"]),
                   "p4p_impressions": p4p["impressions"], "p4p_clicks": p4p["clicks"],
                   "p4p_ctr": ratio(p4p["clicks"], p4p["impressions"]),
                   "p4p_spend": p4p["spend"], "cpc": ratio(p4p["spend"], p4p["clicks"])}
        found.append(StoreWeek(monday, {name: figures[name] for name in (*FIGURES, *SOURCES)},
                               days, rows))
    return found


def swings(weeks: list[StoreWeek], rules: ReviewSettings) -> list[str]:
    """What moved by `rules.overview_swing` or more from the week before the reviewed week
    (the last of `weeks`) to it, each with where to look: the meeting's first question."""
    if len(weeks) < 2:
        return []
    before, now = weeks[-2], weeks[-1]
    said = []
    for name, (label, where) in _SWINGS.items():
        moved = change(now.figures[name], before.figures[name])
        if moved is None or (name in _COUNTS and before.figures[name] < rules.rising_min_base):
            continue
        if abs(moved) >= rules.overview_swing:
            if name == "impressions":  # (the report's traffic sources, where it has them)
                where = _by_source(before, now) or where
            said.append(f"{label} {'rose' if moved > 0 else 'fell'} {abs(moved):.0%} on "
                        f"{week_name(before.week)} ({_number(before.figures[name])} → "
                        f"{_number(now.figures[name])}): {where}")
    return said


def _by_source(before: StoreWeek, now: StoreWeek) -> str | None:
    """Each traffic source's impressions from one week to the next (those known in both)."""
    moves = [f"{source} {_number(before.figures[name])} → {_number(now.figures[name])}"
             + ("" if (c := change(now.figures[name], before.figures[name])) is None
                else f" ({c:+.0%})")
             for name, source in SOURCES.items()
             if before.figures[name] is not None and now.figures[name] is not None]
    return "by source, " + ", ".join(moves) if moves else None


def _number(value) -> str:
    return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
