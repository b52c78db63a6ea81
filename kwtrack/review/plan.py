"""The review's look at the P4P plan itself, beside its words: does the daily budget last
the day (the reviewed week's P4P spend against seven days of it), and do the promotion hours
cover the target markets' office hours (`kwtrack.markets`, checked for the coming weekday:
the plan is what runs from now on, whichever week is reviewed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kwtrack.config import ReviewSettings
from kwtrack.errors import KwtrackError
from kwtrack.markets import MarketCheck, schedule_check
from kwtrack.review.growth import growth_said
from kwtrack.review.overview import p4p_totals
from kwtrack.review.weeks import week_name
from kwtrack.store.models import P4PPlan, Store
from kwtrack.wording import price

SET_PLAN = "`kwtrack p4p plan set --budget 300 --hours 15:00-06:00 --market US --market DE`"


@dataclass(frozen=True)
class PlanCheck:
    """The plan's budget against the week's spend, and its hours against its markets; each
    `…_said` is the line the review prints."""

    budget: float | None  # CNY a day
    spend: float | None  # the week's P4P spend (None: unknown, or no P4P row)
    budget_used: float | None  # spend ÷ seven days of budget
    budget_said: str
    hours: str | None
    hours_said: str
    markets: list[MarketCheck] = field(default_factory=list)
    growth_said: str = ""  # the P4P growth level (`kwtrack.review.growth`)

    def to_dict(self) -> dict:
        return {"budget": self.budget, "week_spend": self.spend,
                "budget_used": self.budget_used, "budget_said": self.budget_said,
                "hours": self.hours, "zone": "Asia/Shanghai", "hours_said": self.hours_said,
                "markets": [m.to_dict() for m in self.markets],
                "growth_said": self.growth_said}


def week_spend(store: Store, monday: dt.date) -> tuple[float | None, int]:
    """The store's P4P spend in the week of `monday` (`overview.p4p_totals`), and how many
    P4P rows the week has."""
    totals, rows = p4p_totals(store, [monday])[monday]
    return totals["spend"], rows


def plan_check(store: Store, week: dt.date | None, on: dt.date, rules: ReviewSettings,
               spent: tuple[float | None, int] | None = None) -> PlanCheck:
    """The store's P4P plan checked: its budget against the spend of `week` (a Monday; None:
    no week to measure; `spent`: its spend and P4P rows, when the caller has them already),
    its hours on the date `on` (a weekend day checks the next weekday)."""
    plan = P4PPlan.get_or_none(P4PPlan.store == store)
    budget = plan.budget if plan else None
    if spent is None:
        spent = week_spend(store, week) if week is not None else (None, 0)
    spend, rows = spent
    used = round(spend / (7 * budget), 4) if budget and spend is not None else None
    return PlanCheck(budget, spend, used, _budget_said(budget, spend, rows, used, week, rules),
                     plan.hours if plan else None, *_hours(plan, on),
                     growth_said(store, rules, on))


def _budget_said(budget, spend, rows, used, week, rules: ReviewSettings) -> str:
    if budget is None:
        return f"no daily budget in the plan: {SET_PLAN} stores one"
    said = f"{price(budget)} CNY a day"
    if week is None or not rows:
        return (f"{said}; no P4P stats for {week_name(week) if week else 'any week'}: import "
                "the week's P4P report to see how much of it was spent")
    if used is None:
        return (f"{said}; the P4P spend of {week_name(week)} is unknown (a P4P row of the week "
                "leaves it unknown)")
    said += (f": {week_name(week)} spent {price(spend)} CNY, {used:.0%} of seven days of "
             "it")
    if used >= rules.budget_spent_high:
        said += (" — it runs out most days, so the ads stop before the promotion hours end: "
                 "raise it, or cut the bids of the words that bring no inquiry")
    elif used <= rules.budget_spent_low:
        said += " — most of it went unspent: room for the key words' bids, or new words"
    return said


def _hours(plan: P4PPlan | None, on: dt.date) -> tuple[str, list[MarketCheck]]:
    if plan is None or not plan.hours or not plan.markets:
        return f"no promotion hours and markets in the plan: {SET_PLAN} stores them", []
    try:
        checks = schedule_check(plan.hours, plan.markets.split(), on)
    except KwtrackError as exc:  # (a market the zone database no longer knows)
        return str(exc), []
    return (f"{plan.hours} (China time) against each market's office hours", checks)
