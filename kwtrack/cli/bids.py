"""`kwtrack bids` (set, list, history, apply-review) and `kwtrack p4p` (the plan, and the
check that the promotion hours cover the markets' office hours)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from kwtrack.cli.common import (
    Price,
    State,
    echo_json,
    echo_table,
    none_listed,
    parse_as_of,
    pass_state,
)
from kwtrack.errors import KwtrackError
from kwtrack.wording import counted, price, step


@click.group("bids")
def bids_group() -> None:
    """P4P bids: set, list, history, and the changes the weekly review proposes."""


@bids_group.command("set")
@click.argument("keyword")
@click.argument("bid", metavar="PRICE", type=Price())
@click.option("-r", "--reason", help="Why (kept in the bid history).")
@click.option("--status", type=click.Choice(["active", "paused"]), default=None,
              help="Also set the status.")
@pass_state
def bids_set(state: State, keyword: str, bid: float, reason: str | None,
             status: str | None) -> None:
    """Set KEYWORD's bid to PRICE (CNY per click); `kwtrack undo` restores it.

    \b
    Example:
      kwtrack bids set "walking shoes" 3.2 --reason "steady clicks, good inquiry rate"
    """
    from kwtrack.bids import set_bid

    old, new = set_bid(state.store(), keyword, bid, reason=reason, status=status,
                       config=state.config())
    click.echo(f"{keyword}: bid {step(old, new, price)}")


@bids_group.command("limits")
@click.argument("keyword")
@click.option("--min", "low", metavar="PRICE", type=Price(), help="Never bid below PRICE.")
@click.option("--max", "high", metavar="PRICE", type=Price(), help="Never bid above PRICE.")
@click.option("--clear", is_flag=True, help="Take the word's own limits off first (back to "
              "the config's [bids] min_bid and max_bid).")
@click.option("-r", "--reason", help="Why (kept in the change log).")
@pass_state
def bids_limits(state: State, keyword: str, low: float | None, high: float | None,
                clear: bool, reason: str | None) -> None:
    """Give KEYWORD its own bid limits, inside the config's: `bids set`, the TUI and the
    review's proposals keep its bid between them. A limit not given stays as it is;
    `kwtrack undo` puts them back.

    \b
    Example:
      kwtrack bids limits "walking shoes" --max 5 --reason "margin is thin"
      kwtrack bids limits "walking shoes" --clear
    """
    from kwtrack.bids import set_limits

    if low is None and high is None and not clear:
        raise KwtrackError("say --min PRICE, --max PRICE or --clear")
    rules = state.config().bids
    low, high = set_limits(state.store(), keyword, low=low, high=high, clear=clear,
                           reason=reason, config=state.config())
    click.echo(f"{keyword}: bids between {price(low or rules.min_bid)} and "
               f"{price(high or rules.max_bid)}"
               + ("" if low and high else " (the config's where the word has none)"))


@bids_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records.")
@pass_state
def bids_list(state: State, as_json: bool) -> None:
    """List the store's P4P keywords and their bids, with their P4P clicks, spend, cost per
    click and inquiries over the last 4 weeks of keyword stats.

    \b
    Example:
      kwtrack bids list --json
    """
    from kwtrack.bids import list_bids, weeks_without_p4p
    from kwtrack.review import week_name

    store = state.store()
    lines = list_bids(store)
    if as_json:
        echo_json(lines)
        return
    echo_table(["keyword", "group", "status", "bid", "base", "min", "max", "clicks 4w", "spend",
                "cpc", "inq"],
               [[b.keyword, b.group, b.status,
                 *map(price, (b.bid, b.base_price, b.min_bid, b.max_bid)),
                 b.clicks, price(b.spend), price(b.cpc), b.inquiries]
                for b in lines], widths={0: 50}, empty=none_listed("P4P bids", store.name))
    missing = weeks_without_p4p(store) if lines else []
    if missing:  # (a P4P report not imported: the totals are of fewer weeks than they say)
        them = "it" if len(missing) == 1 else "them"
        click.echo(f"no P4P stats for {', '.join(map(week_name, missing))}: the 4-week "
                   f"figures leave {them} out", err=True)


@bids_group.command("history")
@click.argument("keyword")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records.")
@pass_state
def bids_history(state: State, keyword: str, as_json: bool) -> None:
    """List KEYWORD's bid and status changes, newest first, with their reasons.

    \b
    Example:
      kwtrack bids history "walking shoes"
    """
    from kwtrack.bids import bid_history

    lines = bid_history(state.store(), keyword)
    if as_json:
        echo_json(lines)
        return
    echo_table(["when", "bid", "status", "reason"],
               [[f"{h.changed_at:%Y-%m-%d %H:%M}", step(h.old_bid, h.new_bid, price),
                 step(h.old_status, h.new_status), h.reason] for h in lines],
               empty=f"no bid changes of {keyword!r} logged yet")


@bids_group.command("apply-review")
@click.option("-w", "--week", metavar="W", help="The review's week (default: the latest).")
@click.option("--dry-run", is_flag=True, help="Print the proposals and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def bids_apply_review(state: State, week: str | None, dry_run: bool, as_json: bool) -> None:
    """Raise the bids of the review's `raise_bid` words and cut those of its `cut` words, by
    the configured steps, within the bid limits, at most once per word within the cooldown.
    The whole run is one change: `kwtrack undo` reverts it.

    \b
    Example:
      kwtrack bids apply-review --dry-run
      kwtrack bids apply-review && kwtrack export bids -o bids.xlsx
    """
    from kwtrack.bids import apply_proposals, review_proposals
    from kwtrack.review import parse_week

    store = state.store()
    proposals = review_proposals(store, parse_week(week) if week else None, state.config())
    action = None if dry_run else apply_proposals(store, proposals)
    if as_json:
        echo_json({"dry_run": dry_run, "change": action, "proposals": proposals})
        return
    echo_table(["keyword", "rule", "old bid", "new bid", "reason"],
               [[p.keyword, p.rule, price(p.old_bid), price(p.new_bid) if p.new_bid is not None
                 else f"(none: {p.skipped})", p.reason] for p in proposals],
               widths={0: 40})  # (the reason, last, whole: it is why)
    changing = sum(p.new_bid is not None for p in proposals)
    if dry_run:
        click.echo(f"dry run: {counted(changing, 'bid')} would change; nothing was changed",
                   err=True)
    elif action is not None:
        click.echo(f"{counted(changing, 'bid')} changed (change {action}); `kwtrack undo` reverts "
                   "them all", err=True)
    else:
        click.echo("no bid to change", err=True)


@click.group("p4p")
def p4p_group() -> None:
    """The P4P plan: budget, promotion hours and target markets; the growth level."""


@p4p_group.group("plan")
def plan_group() -> None:
    """The stored P4P plan."""


@plan_group.command("set")
@click.option("--budget", type=Price(), metavar="CNY",
              help="The daily budget.")
@click.option("--hours", metavar="HH:MM-HH:MM", help="Promotion hours, China time (may pass "
              "midnight: 20:00-02:00).")
@click.option("--market", "markets", multiple=True, metavar="M",
              help="A target market: ISO country code (US, DE) or time zone; repeat.")
@pass_state
def plan_set(state: State, budget: float | None, hours: str | None, markets) -> None:
    """Store the P4P plan (what is not given stays as it was).

    \b
    Example:
      kwtrack p4p plan set --budget 300 --hours 15:00-06:00 --market US --market DE
    """
    from kwtrack.bids import set_plan

    click.echo(_plan_line(set_plan(state.store(), budget=budget, hours=hours,
                                   markets=list(markets))))


@plan_group.command("show")
@pass_state
def plan_show(state: State) -> None:
    """Show the stored P4P plan.

    \b
    Example:
      kwtrack p4p plan show
    """
    from kwtrack.bids import get_plan

    plan = get_plan(state.store())
    click.echo(_plan_line(plan) if plan is not None else
               "no P4P plan yet: `kwtrack p4p plan set --budget CNY --hours HH:MM-HH:MM "
               "--market M` stores one")


def _plan_line(plan) -> str:
    return (f"plan: budget {price(plan.budget)} CNY/day, hours {plan.hours or '-'} "
            f"(China time), markets {plan.markets or '-'}")


@p4p_group.command("level")
@click.argument("points", type=float, required=False)
@click.option("--level", "level", metavar="L", help="The level the back end shows (L3).")
@click.option("--on", "on", metavar="DAY", help="The day it showed them (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON.")
@pass_state
def level_cmd(state: State, points: float | None, level: str | None, on: str | None,
              as_json: bool) -> None:
    """Record the P4P growth level (营销成长等级) the back end shows: its POINTS and level;
    without POINTS, list the records. The review says the way to L4 (81 points: regional
    promotion). `kwtrack undo` takes a record back.

    \b
    Example:
      kwtrack p4p level 76 --level L3     # this month's, read off the back end
      kwtrack p4p level                   # the records, newest first
    """
    from kwtrack.review import growth_levels, level_text, parse_level, record_level

    store = state.store()
    if points is not None:
        row = record_level(store, points, parse_level(level) if level else None,
                           parse_as_of(on, "--on"))
        click.echo(f"recorded {level_text(row)} (`kwtrack undo` takes it back)")
        return
    if level or on:
        raise click.UsageError("--level and --on go with the POINTS they record")
    rows = growth_levels(store)
    if as_json:
        echo_json([{"recorded_on": r.recorded_on.isoformat(), "level": r.level,
                    "points": r.points} for r in rows])
        return
    before = [*rows[1:], None][:len(rows)]  # (each record's change on the one before it)
    echo_table(["day", "level", "points", "change"],
               [[r.recorded_on, f"L{r.level}" if r.level is not None else None,
                 f"{r.points:g}", f"{r.points - b.points:+g}" if b else None]
                for r, b in zip(rows, before, strict=True)],
               empty="no P4P growth level recorded: `kwtrack p4p level POINTS --level L3` "
                     "records the one the back end shows")


@p4p_group.command("schedule-check")
@click.option("--hours", metavar="HH:MM-HH:MM", help="Promotion hours, China time (default: "
              "the plan's).")
@click.option("--market", "markets", multiple=True, metavar="M",
              help="A market to check (default: the plan's); repeat.")
@click.option("--date", "date", metavar="DAY", help="The day to check (default: today; a "
              "weekend day checks the next weekday).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def schedule_check_cmd(state: State, hours: str | None, markets, date: str | None,
                       as_json: bool) -> None:
    """Check that the promotion hours (China time, Asia/Shanghai) cover each market's weekday
    office hours, 09:00–18:00 in its own time zone, daylight saving included. Exit 0 when
    every market is covered, 3 otherwise, with the uncovered local hours.

    \b
    Example:
      kwtrack p4p schedule-check --hours 08:00-23:00 --market US --market DE
    """
    from kwtrack.bids import get_plan, schedule_check

    plan = get_plan(state.store()) if not (hours and markets) else None
    hours = hours or (plan.hours if plan else None)
    markets = list(markets) or (plan.markets.split() if plan and plan.markets else [])
    if not hours:
        raise click.UsageError("no promotion hours: give --hours, or set the plan's")
    checks = schedule_check(hours, markets, parse_as_of(date, "--date") or dt.date.today())
    if as_json:
        echo_json({"hours": hours, "zone": "Asia/Shanghai",
                   "markets": [c.to_dict() for c in checks]})
    else:
        for c in checks:
            click.echo(c.text())
    if not all(c.covered for c in checks):
        sys.exit(3)
