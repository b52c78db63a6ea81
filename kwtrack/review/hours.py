"""The review's P4P part that is not about words: do the plan's promotion hours cover its
target markets' office hours (`kwtrack.markets`)? Checked for the coming weekday, since the
plan is what runs from now on, whichever week is reviewed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kwtrack.errors import KwtrackError
from kwtrack.markets import MarketCheck, schedule_check
from kwtrack.store.models import P4PPlan, Store

NO_PLAN = ("no P4P plan with promotion hours and markets: `kwtrack p4p plan set --hours "
           "15:00-06:00 --market US --market DE` stores one")


@dataclass(frozen=True)
class PromotionHours:
    """The plan's hours (China time) and each market's check; `missing` says why nothing
    could be checked."""

    hours: str | None
    markets: list[MarketCheck] = field(default_factory=list)
    missing: str | None = None

    @property
    def uncovered(self) -> list[MarketCheck]:
        return [m for m in self.markets if not m.covered]

    def lines(self) -> list[str]:
        """The check as lines of text, one per market (or the one reason there is none)."""
        if self.missing:
            return [self.missing]
        return ([f"Promotion hours {self.hours} (China time) against each market's office hours"]
                + [m.text() for m in self.markets])

    def to_dict(self) -> dict:
        return {"hours": self.hours, "zone": "Asia/Shanghai",
                "markets": [m.to_dict() for m in self.markets], "missing": self.missing}


def promotion_hours(store: Store, on: dt.date) -> PromotionHours:
    """The store's P4P plan checked on `on` (a weekend day checks the next weekday)."""
    plan = P4PPlan.get_or_none(P4PPlan.store == store)
    if plan is None or not plan.hours or not plan.markets:
        return PromotionHours(plan.hours if plan else None, missing=NO_PLAN)
    try:
        return PromotionHours(plan.hours, schedule_check(plan.hours, plan.markets.split(), on))
    except KwtrackError as exc:  # (a market the zone database no longer knows)
        return PromotionHours(plan.hours, missing=str(exc))
