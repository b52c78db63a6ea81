"""The P4P plan (budget, promotion hours, target markets), stored per store, each change
undoable. The check of the hours against the markets is `kwtrack.markets`."""

from __future__ import annotations

from kwtrack.edits import FormField
from kwtrack.errors import KwtrackError
from kwtrack.history import log_change, next_action
from kwtrack.markets import market_zone, parse_hours
from kwtrack.store.models import P4PPlan, Store, database, now
from kwtrack.values import parse_price

PLAN_FORM = (FormField("budget", "Daily budget", "CNY a day"),
             FormField("hours", "Promotion hours", "China time, HH:MM-HH:MM; may pass midnight"),
             FormField("markets", "Target markets", "country codes or zones: US DE Asia/Dubai"))


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


def plan_problems(values: dict[str, str]) -> dict[str, str]:
    """What is wrong with a plan as typed in a form ({field: why}); a blank field is left as
    it was."""
    found = {}
    checks = {"budget": parse_price, "hours": parse_hours,
              "markets": lambda text: [market_zone(m) for m in text.split()]}
    for name, check in checks.items():
        text = (values.get(name) or "").strip()
        if text:
            try:
                check(text)
            except (ValueError, KwtrackError) as exc:
                found[name] = str(exc)
    return found


def set_plan_from_form(store: Store, values: dict[str, str]) -> P4PPlan:
    """`set_plan` with a form's text: what is blank stays as it was."""
    budget, hours, markets = ((values.get(f.name) or "").strip() for f in PLAN_FORM)
    return set_plan(store, budget=parse_price(budget) if budget else None,
                    hours=hours or None, markets=markets.split() or None)


def plan_values(store: Store) -> dict[str, str]:
    """The stored plan as a form's text (blank where it is not set)."""
    plan = get_plan(store)
    if plan is None:
        return {}
    return {"budget": f"{plan.budget:g}" if plan.budget is not None else "",
            "hours": plan.hours or "", "markets": plan.markets or ""}
