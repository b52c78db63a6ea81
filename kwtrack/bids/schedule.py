"""The P4P plan (budget, promotion hours, target markets), stored per store, each change
undoable. The check of the hours against the markets is `kwtrack.markets`."""

from __future__ import annotations

from kwtrack.errors import KwtrackError
from kwtrack.history import log_change, next_action
from kwtrack.markets import market_zone, parse_hours
from kwtrack.store.models import P4PPlan, Store, database, now


def get_plan(store: Store) -> P4PPlan | None:
    """The store's P4P plan, if one was set."""
    return P4PPlan.get_or_none(P4PPlan.store == store)


def set_plan(store: Store, *, budget: float | None = None, hours: str | None = None,
             markets: list[str] | None = None) -> P4PPlan:
    """Store the P4P plan's budget, hours and markets (what is not given stays); each change
    is in the change log, so `kwtrack undo` puts the plan back."""
    if budget is not None and budget <= 0:
        raise KwtrackError(f"a daily budget is above 0 CNY (got {budget:g})")
    if hours is not None:
        parse_hours(hours)
    for market in markets or ():
        market_zone(market)
    wanted = {"budget": budget, "hours": hours.strip() if hours is not None else None,
              "markets": " ".join(markets) if markets else None}
    with database.obj.atomic():
        plan = get_plan(store) or P4PPlan(store=store)
        changed = {field: value for field, value in wanted.items()
                   if value is not None and value != getattr(plan, field)}
        if not changed:
            return plan
        old = {field: getattr(plan, field) for field in changed}
        for field, value in changed.items():
            setattr(plan, field, value)
        plan.updated_at = stamp = now()
        plan.save()
        action = next_action(store)
        for field, value in changed.items():
            log_change(store, action, "p4p", plan.id, field, old[field], value, "plan set",
                       stamp)
    return plan
