"""The weekly keyword review: each section's rule, over the figures of the words that
`narrow` picks in SQL.

Sections (README: "The weekly keyword review"): top_traffic, top_spend, new, rising,
p4p_candidates, raise_bid, cut, key_group, showcase, showcase_swap, product_strength, and
tracked (the words followed on their own). Every item carries the figures that put it there.
A figure is known only where the stats say it; an unknown figure never ranks, rises or falls.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import NamedTuple

from peewee import JOIN, fn

from kwtrack.config import Config, load_config
from kwtrack.errors import KwtrackError
from kwtrack.review.categories import CategoryWeek, by_category
from kwtrack.review.figures import (
    Week,
    change,
    has_keyword_stats,
    keyword_weeks,
    last_week_with_keyword_stats,
    product_weeks,
    ratio,
    total,
)
from kwtrack.review.narrow import narrow
from kwtrack.review.overview import StoreWeek, p4p_totals, store_weeks, swings
from kwtrack.review.plan import PlanCheck, plan_check
from kwtrack.review.weeks import week_name
from kwtrack.store import bulk
from kwtrack.store.models import Bid, Coverage, Keyword, Product, ReviewMark, ScoreHistory, Store
from kwtrack.store.weekly import weeks_before
from kwtrack.words import group_key

SECTIONS = ("top_traffic", "top_spend", "new", "rising", "p4p_candidates", "raise_bid", "cut",
            "key_group", "showcase", "showcase_swap", "product_strength", "tracked")
PRODUCT_SECTIONS = ("showcase", "showcase_swap", "product_strength")  # (items are products)
KEYWORD_SECTIONS = tuple(s for s in SECTIONS if s not in PRODUCT_SECTIONS)


@dataclass(frozen=True)
class ReviewItem:
    """One line of a section: a keyword (or a product) and the figures that put it there."""

    keyword: str | None
    product_id: str | None
    figures: dict
    why: str
    title: str | None = None  # a product's (a meeting knows its products by their titles)

    def to_dict(self) -> dict:
        name = {"keyword": self.keyword} if self.keyword is not None else {
            "product_id": self.product_id, "title": self.title}
        return {**name, **self.figures, "why": self.why}


@dataclass(frozen=True)
class Review:
    """A week's review: its sections, in SECTIONS order, and the settings in force."""

    week: dt.date  # the Monday
    config: Config
    sections: dict[str, list[ReviewItem]] = field(default_factory=dict)
    plan: PlanCheck | None = None  # the P4P plan's budget and hours
    # the store's figures over the reviewed week and the three before (oldest first), and
    # what swung from the week before to it
    overview: list[StoreWeek] = field(default_factory=list)
    swings: list[str] = field(default_factory=list)
    # the reviewed week by product category (`categories.by_category`)
    categories: list[CategoryWeek] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"week": week_name(self.week), "week_start": self.week.isoformat(),
                "config": {"review": self.config.review.__dict__,
                           "bids": self.config.bids.__dict__},
                "overview": [w.to_dict() for w in self.overview],
                "overview_swings": self.swings,
                "categories": [c.to_dict() for c in self.categories],
                **{name: [i.to_dict() for i in items] for name, items in self.sections.items()},
                "p4p_plan": self.plan.to_dict() if self.plan else None}


class _Keyword:
    """One keyword's figures over the weeks the review looks at."""

    def __init__(self, weeks: dict[dt.date, dict[str, Week]]):
        self.weeks = weeks

    def channel(self, week: dt.date, name: str) -> Week:
        return self.weeks.get(week, {}).get(name) or Week()

    def total(self, week: dt.date, name: str):
        """A figure of the week, organic and P4P added (`figures.total`)."""
        return total(list(self.weeks.get(week, {}).values()), name)

    def search_index(self, week: dt.date) -> float | None:
        """The word's search index that week (the same figure whichever channel says it)."""
        return max((c.search_index for c in self.weeks.get(week, {}).values()
                    if c.search_index is not None), default=None)

    def traffic(self, week: dt.date, before: dt.date) -> dict:
        """The week's traffic figures, organic and P4P apart, and the change on `before`."""
        organic, p4p = self.channel(week, "organic"), self.channel(week, "p4p")
        impressions, clicks = self.total(week, "impressions"), self.total(week, "clicks")
        inquiries = self.total(week, "inquiries")
        return {"impressions": impressions, "clicks": clicks,
                "ctr": ratio(clicks, impressions), "inquiries": inquiries,
                "inquiry_rate": ratio(inquiries, clicks),
                "organic_impressions": organic.impressions, "organic_clicks": organic.clicks,
                "p4p_impressions": p4p.impressions, "p4p_clicks": p4p.clicks,
                "impressions_change": change(impressions, self.total(before, "impressions")),
                "clicks_change": change(clicks, self.total(before, "clicks"))}

    def paid(self, week: dt.date, before: dt.date) -> dict:
        """The week's P4P figures, named as such (the CSV's one `clicks` column holds the
        words' total clicks: a spreadsheet adds it up), and the change in spend on `before`."""
        p4p = self.channel(week, "p4p")
        return {"spend": p4p.spend, "p4p_clicks": p4p.clicks, "p4p_inquiries": p4p.inquiries,
                "p4p_impressions": p4p.impressions, "cpc": ratio(p4p.spend, p4p.clicks),
                "cost_per_inquiry": ratio(p4p.spend, p4p.inquiries),
                "p4p_inquiry_rate": ratio(p4p.inquiries, p4p.clicks),
                "spend_change": change(p4p.spend, self.channel(before, "p4p").spend)}

    def base(self, earlier: list[dt.date]) -> float | None:
        """The average impressions of the known `earlier` weeks (None: none known)."""
        known = [v for v in (self.total(w, "impressions") for w in earlier) if v is not None]
        return statistics.fmean(known) if known else None


def weekly_review(store: Store, week: dt.date | None = None, config: Config | None = None,
                  today: dt.date | None = None) -> Review:
    """The review of `week` (a Monday; default: the latest week with keyword stats), with
    the P4P plan's budget against the week's spend and its hours checked for `today`
    (default: the date today)."""
    config = config or load_config()
    rules = config.review
    if week is None:
        week = last_week_with_keyword_stats(store)
        if week is None:
            raise KwtrackError("no keyword stats imported yet: import a keyword report first")
    elif not has_keyword_stats(store, week):
        # (a week without stats is unknown, not a week without traffic: every section would
        # say "nothing this week")
        last = last_week_with_keyword_stats(store)
        latest = (f"the latest week with some is {week_name(last)}" if last
                  else "none are imported yet")
        raise KwtrackError(f"no keyword stats for the week {week_name(week)} ({latest}): "
                           "import that week's keyword report first")
    back = max(3, rules.raise_bid_weeks, rules.cut_weeks)
    earlier = weeks_before(week, back)
    previous = earlier[-1]
    hidden = _hidden(store, week)
    narrowed = narrow(store, [*earlier, week], rules, spare=len(hidden))
    info = {k: (g, t) for k, g, t in bulk.raw_rows(
        Keyword.select(Keyword.id, Keyword.group, Keyword.tracked_at)
        .where((Keyword.store == store) & Keyword.archived_at.is_null()
               & ((fn.LOWER(Keyword.group) == fn.LOWER(rules.key_group))
                  | Keyword.tracked_at.is_null(False))))}
    # only the words some section may hold are read in full
    wanted = narrowed.all() | {k for k, (_, tracked) in info.items() if tracked is not None}
    figures = {k: _Keyword(w) for k, w in keyword_weeks(store, earlier[0], week,
                                                        list(wanted)).items()}
    names = {}
    for part in bulk.chunked(sorted(wanted)):
        names.update(bulk.raw_rows(Keyword.select(Keyword.id, Keyword.keyword)
                                   .where(Keyword.id.in_(list(part)))))
    active = {}  # the active bids of the words read (the others are in no section)
    for part in bulk.chunked(sorted(wanted)):
        active.update(bulk.raw_rows(Bid.select(Bid.keyword, Bid.bid).where(
            Bid.keyword.in_(list(part)) & (Bid.status == "active"))))
    sections: dict[str, list[ReviewItem]] = {}

    def item(keyword_id: int, numbers: dict, why: str) -> ReviewItem:
        return ReviewItem(names.get(keyword_id, str(keyword_id)), None, numbers, why)

    def keep(section: str, ordered: list[int], build) -> list[ReviewItem]:
        """The first `top` keywords of `ordered` not marked done or snoozed, each made into
        an item by `build` (only those: a big store has thousands per section)."""
        found = []
        for k in ordered:
            if (section, names.get(k)) not in hidden:
                found.append(build(k))
                if len(found) == rules.top:
                    break
        return found

    def by(key) -> list[int]:
        return sorted(key, key=key.__getitem__)

    impressions = {k: f.total(week, "impressions") for k, f in figures.items()}
    with_traffic = {k: f for k, f in figures.items() if (impressions[k] or 0) > 0}
    ranked = by({k: (-impressions[k], -(f.total(week, "clicks") or 0), names.get(k, ""))
                 for k, f in with_traffic.items()})
    sections["top_traffic"] = keep("top_traffic", ranked, lambda k: item(
        k, figures[k].traffic(week, previous), "most impressions this week"))
    spend = {k: f.channel(week, "p4p").spend for k, f in figures.items()}
    sections["top_spend"] = keep("top_spend", by(
        {k: (-v, names.get(k, "")) for k, v in spend.items() if (v or 0) > 0}),
        lambda k: item(k, figures[k].paid(week, previous), "highest P4P spend this week"))
    # New: traffic this week and none ever before (found in SQL: `narrow`).
    new = set(narrowed.new)
    sections["new"] = keep("new", [k for k in ranked if k in new],
                           lambda k: item(k, figures[k].traffic(week, previous),
                                          "traffic this week, none before"))
    rising = {}  # keyword → growth on the average of the 3 weeks before (a floor keeps tiny
    for k, f in with_traffic.items():  # words out)
        base = f.base(earlier[-3:])
        if base is not None and base >= rules.rising_min_base:
            growth = (impressions[k] - base) / base
            if growth >= rules.rising_min_growth:
                rising[k] = growth
    sections["rising"] = keep("rising", by({k: (-g, names.get(k, "")) for k, g in rising.items()}),
                              lambda k: item(k, {
                                  **figures[k].traffic(week, previous),
                                  "growth": round(rising[k], 4),
                                  "trend": "surging" if rising[k] > rules.surging_growth
                                  else f"+{rising[k]:.0%}"},
                                  "impressions up on the 3 weeks before"))
    asking = {k for k, f in figures.items() if (f.total(week, "inquiries") or 0) > 0}
    candidates = (set(rising) | asking) - set(active)
    sections["p4p_candidates"] = keep("p4p_candidates", by(
        {k: (k not in rising, -(impressions[k] or 0), names.get(k, "")) for k in candidates}),
        lambda k: item(k, figures[k].traffic(week, previous),
                       "rising, no active bid" if k in rising else
                       "brought inquiries, no active bid"))
    def ranked_items(section: str, found: list[tuple]) -> list[ReviewItem]:
        """Items made by a rule, as (item, sort key): the first `top` not marked."""
        found = [i for i, _ in sorted(found, key=lambda x: x[1])
                 if (section, i.keyword) not in hidden]
        return found[: rules.top]

    sections["raise_bid"] = ranked_items("raise_bid", _raise_bid(
        figures, active, narrowed.median_inquiry_rate, week, rules, item))
    sections["cut"] = ranked_items("cut", _cut(figures, active, week, rules, item))
    sections["key_group"] = ranked_items("key_group", _key_group(
        figures, info, ranked, rising, week, previous, rules, item))
    mondays = [*earlier[-3:], week]
    paid = p4p_totals(store, mondays)  # (the store's weeks and the plan's budget read them)
    overview = store_weeks(store, mondays, paid)
    named = _named_products(store)  # (the product sections name their products)
    products = product_weeks(store, earlier[-3], week)
    sections["showcase"] = _showcase(store, week, earlier, figures, products, rules, hidden,
                                     named)
    sections["showcase_swap"] = _showcase_swap(overview, products, rules, hidden, named)
    sections["product_strength"] = _strength(store, rules, hidden, named)
    sections["tracked"] = keep("tracked", by(
        {k: names.get(k, "") for k, (_, tracked) in info.items() if tracked is not None}),
        lambda k: item(k, figures[k].traffic(week, previous) if k in figures else
                       {"impressions": None}, "tracked"))
    spent = paid[week][0]["spend"], paid[week][1]
    return Review(week, config, {name: sections[name] for name in SECTIONS},
                  plan_check(store, week, today or dt.date.today(), rules, spent), overview,
                  swings(overview, rules), by_category(store, overview))


def _raise_bid(figures, active, median, week, rules, item) -> list[tuple]:
    """Active P4P words with steady clicks (within ±band week on week, enough of them) and an
    inquiry rate at or above the store's median (`median`, of the active words): invest
    more."""
    recent = weeks_before(week, rules.raise_bid_weeks - 1) + [week]
    if median is None:
        return []
    found = []
    for k in active:
        f = figures.get(k)
        if f is None:
            continue
        clicks = [f.channel(w, "p4p").clicks for w in [weeks_before(recent[0], 1)[0], *recent]]
        if any(c is None or c < rules.raise_bid_min_clicks for c in clicks):
            continue  # not enough data: nothing is said
        steady = all(abs(b - a) / a <= rules.raise_bid_band for a, b in zip(clicks, clicks[1:]))
        paid = f.paid(week, weeks_before(week, 1)[0])
        rate = paid["p4p_inquiry_rate"]
        if steady and rate is not None and rate >= median:
            found.append((item(k, {**paid, "bid": active[k], "store_median_inquiry_rate":
                                   round(median, 4)},
                               f"clicks steady ±{rules.raise_bid_band:.0%} for "
                               f"{rules.raise_bid_weeks} weeks, inquiry rate at or above the "
                               "store's median"), (-rate, -(paid["p4p_clicks"] or 0))))
    return found


def _cut(figures, active, week, rules, item) -> list[tuple]:
    """Active P4P words that spent above the floor with no inquiry over the cut window."""
    recent = weeks_before(week, rules.cut_weeks - 1) + [week]
    found = []
    for k in active:
        f = figures.get(k)
        if f is None:
            continue
        weeks = [f.channel(w, "p4p") for w in recent]
        if any(w.spend is None or w.inquiries is None for w in weeks):
            continue  # unknown weeks prove nothing
        spend = sum(w.spend for w in weeks)
        clicks = [w.clicks for w in weeks]  # (a week's unknown: the sum is unknown, not less)
        if spend >= rules.cut_min_spend and not any(w.inquiries for w in weeks):
            found.append((item(k, {"spend": round(spend, 2), "weeks": rules.cut_weeks,
                                   "p4p_clicks": None if None in clicks else sum(clicks),
                                   "p4p_inquiries": 0, "bid": active[k]},
                               f"spent {spend:.2f} over {rules.cut_weeks} weeks with no "
                               "inquiry: lower the bid or pause"), -spend))
    return found


def _key_group(figures, info, ranked, rising, week, previous, rules, item) -> list[tuple]:
    """Hot or rising words to move into the key group, and key-group words gone quiet."""
    in_group = {k for k, (g, _) in info.items()
                if group_key(g or "") == group_key(rules.key_group)}
    found = []
    hot = set(ranked[: rules.hot_top])
    for n, k in enumerate(ranked):
        if k not in in_group and (k in hot or k in rising):
            found.append((item(k, figures[k].traffic(week, previous),
                               f"{'hot' if k in hot else 'rising'}: move into the key group "
                               f"({rules.key_group})"), (0, n)))
    for k in sorted(in_group):
        f = figures.get(k)
        now = f.total(week, "impressions") if f else None
        if now is not None and now < rules.quiet_impressions:
            found.append((item(k, f.traffic(week, previous),
                               f"key-group word gone quiet (<{rules.quiet_impressions} "
                               "impressions)"), (1, now)))
    return found


def _hidden(store: Store, week: dt.date) -> set[tuple[str, str]]:
    """(section, keyword or product ID) of items marked done, or snoozed past this week."""
    hidden = set()
    marks = (ReviewMark.select(ReviewMark.section, Keyword.keyword, Product.product_id,
                               ReviewMark.week, ReviewMark.until)
             .join(Keyword, on=(ReviewMark.keyword == Keyword.id), join_type=JOIN.LEFT_OUTER)
             .switch(ReviewMark)
             .join(Product, on=(ReviewMark.product == Product.id), join_type=JOIN.LEFT_OUTER)
             .where(ReviewMark.store == store))
    for section, keyword, product, marked, until in marks.tuples():
        if (until is None and marked <= week) or (until is not None and marked <= week < until):
            hidden.add((section, keyword if keyword is not None else product))
    return hidden


class _Named(NamedTuple):
    """A product as the product sections name it, with its showcase and P4P flags (None:
    not known) and whether it is live (online, not archived)."""

    product_id: str
    title: str
    showcase: bool | None
    p4p: bool | None
    live: bool


def _named_products(store: Store) -> dict[int, _Named]:
    """The store's products by row id."""
    live = ((Product.status == "online") & Product.archived_at.is_null()).alias("live")
    return {id_: _Named(product_id, title, showcase, p4p, bool(is_live))
            for id_, product_id, title, showcase, p4p, is_live in bulk.raw_rows(
                Product.select(Product.id, Product.product_id, Product.title,
                               Product.showcase, Product.p4p, live)
                .where(Product.store == store))}


def _wanted(p: _Named) -> str | None:
    """What a rising product still lacks of a showcase slot and P4P (a flag not known may be
    either: it is named), and what it has; None when it has both."""
    lacks = [name for name, has in (("a showcase slot", p.showcase), ("P4P", p.p4p))
             if not has]
    if not lacks:
        return None
    has = "a showcase slot" if p.showcase else "P4P" if p.p4p else None
    return " and ".join(lacks) + (f" (it has {has})" if has else "")


def _showcase(store, week, earlier, figures, products, rules, hidden, named
              ) -> list[ReviewItem]:
    """Products whose traffic rose while their keywords' search index rose too: a showcase
    slot and P4P, or the one of them they lack."""
    index = {}
    for k, f in figures.items():
        now, before = f.search_index(week), f.search_index(earlier[-1])
        if now is not None and before is not None:
            index[k] = (now, before)
    links: dict[int, list[int]] = {}
    for product, keyword in bulk.raw_rows(Coverage.select(Coverage.product, Coverage.keyword)
                                          .join(Product).where(Product.store == store)):
        if keyword in index:
            links.setdefault(product, []).append(keyword)
    found = []
    for product, by_week in products.items():
        now = by_week.get(week)
        known = [by_week[w] for w in earlier[-3:] if by_week.get(w) is not None]
        if now is None or not known or not links.get(product):
            continue
        base = statistics.fmean(known)
        growth = (now - base) / base if base else None
        now_index = statistics.fmean(index[k][0] for k in links[product])
        before_index = statistics.fmean(index[k][1] for k in links[product])
        p = named[product]
        wants = _wanted(p)
        if growth is not None and growth >= rules.showcase_min_growth and wants \
                and now_index > before_index and ("showcase", p.product_id) not in hidden:
            found.append(ReviewItem(None, p.product_id, {
                "impressions": now, "growth": round(growth, 4),
                "keyword_index": round(now_index, 2),
                "keyword_index_change": change(now_index, before_index)},
                f"traffic rising with its keywords' search index: {wants}", p.title))
    return sorted(found, key=lambda i: -i.figures["growth"])[: rules.top]


def _showcase_swap(overview, products, rules, hidden, named) -> list[ReviewItem]:
    """Live products in a showcase slot (a scarce one) whose impressions fell
    `showcase_min_growth` or more on the average of the known weeks before (from a base of
    `rising_min_base`), or that had none in any of them: swap them for a rising product.
    Only weeks the product stats cover count (`overview`): there a product without a row had
    no impressions; nothing is said of a reviewed week they do not cover."""
    covered = {w.week for w in overview if w.product_days == 7}
    week, before = overview[-1].week, [w.week for w in overview[:-1]]
    if week not in covered:
        return []
    found = []
    for product, p in named.items():
        if not (p.showcase and p.live) or ("showcase_swap", p.product_id) in hidden:
            continue
        by_week = products.get(product, {})
        now = by_week.get(week, 0)  # (a covered week without a row: none)
        known = [v for v in (by_week.get(w, 0) for w in before if w in covered)
                 if v is not None]
        if now is None or not known:
            continue
        base = statistics.fmean(known)
        if now == 0 and base == 0:
            why = f"no impressions in {len(known) + 1} weeks in a showcase slot: swap it " \
                  "for a rising product"
        elif base >= rules.rising_min_base and (now - base) / base <= -rules.showcase_min_growth:
            why = "impressions falling in a showcase slot: swap it for a rising product"
        else:
            continue
        found.append(ReviewItem(None, p.product_id, {
            "impressions": now, "growth": change(now, base)}, why, p.title))
    # (the idle first, then the steepest falls)
    return sorted(found, key=lambda i: (i.figures["growth"] is not None,
                                        i.figures["growth"] or 0, i.product_id))[: rules.top]


def _strength(store, rules, hidden, named) -> list[ReviewItem]:
    """Products near a strong score, and products whose score fell since the last import."""
    found = []
    for product_id, title, score in bulk.raw_rows(
            Product.select(Product.product_id, Product.title, Product.score)
            .where((Product.store == store) & Product.archived_at.is_null()
                   & (Product.score >= rules.strength_low)
                   & (Product.score < rules.strength_high))
            .order_by(Product.score.desc(), Product.product_id)):  # ties alike on any database
        if ("product_strength", product_id) not in hidden:
            found.append(ReviewItem(None, product_id, {"score": score},
                                    f"near a strong score ({rules.strength_low:g}–"
                                    f"{rules.strength_high:g}): push it up", title))
    history: dict[int, list[float]] = {}
    for product, score in bulk.raw_rows(
            ScoreHistory.select(ScoreHistory.product, ScoreHistory.score).join(Product)
            .where((Product.store == store) & Product.archived_at.is_null())
            .order_by(ScoreHistory.product, ScoreHistory.recorded_at, ScoreHistory.id)):
        history.setdefault(product, []).append(score)
    for product, scores in history.items():
        if len(scores) >= 2 and scores[-1] < scores[-2] and \
                ("product_strength", named[product][0]) not in hidden:
            found.append(ReviewItem(None, named[product][0], {
                "score": scores[-1], "previous_score": scores[-2]},
                "score fell since the last import: why?", named[product][1]))
    return found[: rules.top * 2]
