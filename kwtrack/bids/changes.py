"""P4P bids: setting one, listing them, a word's bid history, and the changes the weekly
review proposes (raise a steady converter, cut a spender without inquiries), within limits.

Every change of a bid or status is a `BidChange` (the bid history, with its reason) and a
change in the change log, so `kwtrack undo` restores it; a whole `apply_review` run is one
change, undone as a whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from kwtrack.config import BidSettings, Config, load_config
from kwtrack.edits import FormField
from kwtrack.errors import KwtrackError
from kwtrack.history import ENTRY, entry_text, log_change, next_action
from kwtrack.review import Review, find_keyword, weekly_review
from kwtrack.store import weekly
from kwtrack.store.models import (
    Bid,
    BidChange,
    Change,
    Keyword,
    KeywordWeek,
    Store,
    database,
    now,
)
from kwtrack.values import parse_price


@dataclass(frozen=True)
class BidLine:
    """A keyword's P4P settings, as `bids list` shows them."""

    keyword: str
    group: str | None
    status: str
    bid: float | None
    base_price: float | None
    min_bid: float | None
    max_bid: float | None
    updated_at: dt.datetime
    # its P4P figures over the store's last RECENT_WEEKS weeks of keyword stats (None: no
    # stats row said them)
    clicks: int | None = None
    spend: float | None = None
    inquiries: int | None = None

    @property
    def cpc(self) -> float | None:
        """Spend per click over those weeks (None without clicks)."""
        return round(self.spend / self.clicks, 2) if self.spend is not None and self.clicks \
            else None


@dataclass(frozen=True)
class BidHistoryLine:
    """One change of a keyword's bid or status."""

    changed_at: dt.datetime
    old_bid: float | None
    new_bid: float | None
    old_status: str | None
    new_status: str | None
    reason: str | None


@dataclass(frozen=True)
class Proposal:
    """A bid change the weekly review proposes, or why a word gets none."""

    keyword: str
    old_bid: float | None
    new_bid: float | None  # None: no change (see `skipped`)
    rule: str  # raise_bid | cut
    reason: str
    skipped: str | None = None

    @property
    def history_reason(self) -> str:
        """The reason the bid history keeps when the proposal is applied."""
        return f"weekly review ({self.rule}): {self.reason}"


def _write(store: Store, action: int, bid: Bid, *, new_bid: float | None = None,
           new_status: str | None = None, reason: str, stamp: dt.datetime) -> None:
    """Change a bid's price or status, logging both histories."""
    old_bid, old_status = bid.bid, bid.status
    new_bid = old_bid if new_bid is None else new_bid
    new_status = old_status if new_status is None else new_status
    if new_bid != old_bid:
        log_change(store, action, "bid", bid.id, "bid", old_bid, new_bid, reason, stamp)
    if new_status != old_status:
        log_change(store, action, "bid", bid.id, "status", old_status, new_status, reason,
                   stamp)
    Bid.update(bid=new_bid, status=new_status, updated_at=stamp).where(
        Bid.id == bid.id).execute()
    BidChange.create(bid=bid, old_bid=old_bid, new_bid=new_bid, old_status=old_status,
                     new_status=new_status, changed_at=stamp, reason=reason)


def set_bid(store: Store, keyword: str, price: float, *, reason: str | None = None,
            status: str | None = None, config: Config | None = None
            ) -> tuple[float | None, float]:
    """Set a keyword's bid (CNY per click), creating its P4P entry if it has none; returns
    (old bid, new bid). One change in the history, with its reason.

    The price is taken as typed or refused, never rounded: in fen (two decimals), within the
    limits the review's proposals keep to (`[bids]` min_bid and max_bid, narrowed by the
    word's own), so that a slip of the finger (999 for 9.99) costs nothing."""
    if price <= 0:
        raise KwtrackError(f"a bid is a price per click above 0 (got {price:g})")
    if round(price, 2) != price:
        raise KwtrackError(f"a bid is in CNY to the fen, two decimals at most (got {price:g})")
    if status not in (None, "active", "paused"):
        raise KwtrackError(f"a bid's status is active or paused (got {status!r})")
    rules = (config or load_config()).bids
    found = find_keyword(store, keyword)
    with database.obj.atomic():
        bid = Bid.get_or_none(Bid.keyword == found)
        low, high = _limits(bid, rules) if bid is not None else (rules.min_bid, rules.max_bid)
        if not low <= price <= high:
            raise KwtrackError(
                f"a bid of {price:g} is outside this word's limits, {low:g}–{high:g} CNY "
                "([bids] min_bid and max_bid, narrowed by the word's own: `kwtrack config "
                "show`, `kwtrack bids limits`): change the limits to bid that")
        stamp = now()
        action = next_action(store)
        if bid is None:
            bid = Bid.create(keyword=found, status=status or "active", bid=None, updated_at=stamp)
            # (undo removes the entry, redo makes it again: `kwtrack.history.ENTRY`)
            log_change(store, action, "bid", bid.id, ENTRY, None,
                       entry_text(keyword=found.id, status=bid.status), "new bid", stamp)
        old = bid.bid
        _write(store, action, bid, new_bid=price, new_status=status,
               reason=reason or "set by hand", stamp=stamp)
    return old, price


def set_limits(store: Store, keyword: str, *, low: float | None = None,
               high: float | None = None, clear: bool = False, reason: str | None = None,
               config: Config | None = None) -> tuple[float | None, float | None]:
    """Give a P4P word its own bid limits, inside `[bids]` min_bid and max_bid: `bids set`,
    the TUI and the review's proposals keep its bid between them. `clear` first takes both
    off (back to the config's); a limit not given stays as it is. One change `kwtrack undo`
    reverses; returns the limits now (None: the config's). Refused: a word not in P4P, a
    limit not in fen or outside the config's, the low one above the high one, or a bid
    already outside them (set the bid first)."""
    rules = (config or load_config()).bids
    for name, value in (("low", low), ("high", high)):
        if value is not None and (round(value, 2) != value
                                  or not rules.min_bid <= value <= rules.max_bid):
            raise KwtrackError(f"a {name} limit of {value:g} is not a price in fen within "
                               f"[bids] min_bid and max_bid, {rules.min_bid:g}–"
                               f"{rules.max_bid:g} CNY (`kwtrack config show`)")
    found = find_keyword(store, keyword)
    with database.obj.atomic():
        bid = Bid.get_or_none(Bid.keyword == found)
        if bid is None:
            raise KwtrackError(f"{found.keyword!r} is not in P4P: give it a bid first "
                               "(`kwtrack bids set`)")
        old = bid.min_bid, bid.max_bid
        kept = (None, None) if clear else old
        new = (kept[0] if low is None else low, kept[1] if high is None else high)
        if None not in new and new[0] > new[1]:
            raise KwtrackError(f"the low limit {new[0]:g} is above the high one {new[1]:g}")
        low, high = new[0] or rules.min_bid, new[1] or rules.max_bid
        if bid.bid is not None and not low <= bid.bid <= high:
            raise KwtrackError(f"its bid of {bid.bid:.2f} is outside {low:.2f}–{high:.2f}: "
                               "set the bid first")
        stamp, action = now(), next_action(store)
        for field, was, value in zip(("min_bid", "max_bid"), old, new, strict=True):
            if value != was:
                log_change(store, action, "bid", bid.id, field, was, value,
                           reason or "limits set by hand", stamp)
        Bid.update(min_bid=new[0], max_bid=new[1], updated_at=stamp).where(
            Bid.id == bid.id).execute()
    return new


LIMITS_FORM = (FormField("min_bid", "Lowest bid", "CNY per click; blank: the config's"),
               FormField("max_bid", "Highest bid", "CNY per click; blank: the config's"))


def limits_values(store: Store, keyword: str) -> dict[str, str]:
    """A P4P word's own limits as a form's text (blank: none, the config's)."""
    bid = Bid.get_or_none(Bid.keyword == find_keyword(store, keyword))
    return {name: "" if getattr(bid, name, None) is None else f"{getattr(bid, name):.2f}"
            for name in ("min_bid", "max_bid")}


def limits_problems(values: dict[str, str]) -> dict[str, str]:
    """What is wrong with limits as typed in a form ({field: why}; blank is no limit)."""
    found = {}
    for name in ("min_bid", "max_bid"):
        text = (values.get(name) or "").strip()
        if text:
            try:
                parse_price(text)
            except ValueError as exc:
                found[name] = str(exc)
    return found


def set_limits_from_form(store: Store, keyword: str, values: dict[str, str],
                         config: Config | None = None) -> tuple[float | None, float | None]:
    """`set_limits` from a form: the limits typed, a blank one the config's."""
    low, high = ((values.get(name) or "").strip() for name in ("min_bid", "max_bid"))
    return set_limits(store, keyword, low=parse_price(low) if low else None,
                      high=parse_price(high) if high else None, clear=True,
                      reason="limits set by hand", config=config)


RECENT_WEEKS = 4  # the weeks of P4P figures a bid list shows beside each bid


def list_bids(store: Store) -> list[BidLine]:
    """Every P4P keyword of the store, by keyword, with its P4P clicks, spend and inquiries
    over the last RECENT_WEEKS weeks the store has keyword stats for (the weekly roll-up)."""
    query = (Bid.select(Keyword.id, Keyword.keyword, Bid.group, Bid.status, Bid.bid,
                        Bid.base_price, Bid.min_bid, Bid.max_bid, Bid.updated_at)
             .join(Keyword).where(Keyword.store == store).order_by(Keyword.norm))
    figures: dict[int, tuple] = {}
    last = weekly.last_week(store)
    if last is not None:
        weeks = [last, *weekly.weeks_before(last, RECENT_WEEKS - 1)]
        figures = {row[0]: row[1:] for row in (
            KeywordWeek.select(KeywordWeek.keyword, fn.SUM(KeywordWeek.p4p_clicks),
                               fn.SUM(KeywordWeek.p4p_spend), fn.SUM(KeywordWeek.p4p_inquiries))
            .where((KeywordWeek.store == store) & KeywordWeek.week.in_(weeks))
            .group_by(KeywordWeek.keyword).tuples())}
    lines = []
    for keyword_id, *row in query.tuples():
        clicks, spend, inquiries = figures.get(keyword_id, (None, None, None))
        lines.append(BidLine(*row, clicks=None if clicks is None else int(clicks),
                             spend=None if spend is None else round(spend, 2),
                             inquiries=None if inquiries is None else int(inquiries)))
    return lines


def weeks_without_p4p(store: Store) -> list[dt.date]:
    """The weeks of a bid list's last RECENT_WEEKS (`list_bids`) that no P4P stats reach (a
    P4P report not imported): the list's totals leave them out, so it says which."""
    return weekly.weeks_without(store, RECENT_WEEKS, p4p=True)


def current_bid(store: Store, keyword: str) -> float | None:
    """A keyword's P4P bid now (None: not in P4P, or no price on record)."""
    bid = Bid.get_or_none(Bid.keyword == find_keyword(store, keyword))
    return None if bid is None else bid.bid


def bid_history(store: Store, keyword: str) -> list[BidHistoryLine]:
    """A keyword's bid and status changes, newest first."""
    bid = Bid.get_or_none(Bid.keyword == find_keyword(store, keyword))
    if bid is None:
        return []
    query = (BidChange.select(BidChange.changed_at, BidChange.old_bid, BidChange.new_bid,
                              BidChange.old_status, BidChange.new_status, BidChange.reason)
             .where(BidChange.bid == bid).order_by(BidChange.changed_at.desc(),
                                                   BidChange.id.desc()))
    return [BidHistoryLine(*row) for row in query.tuples()]


def _limits(bid: Bid, rules: BidSettings) -> tuple[float, float]:
    """The lowest and highest bid allowed for this word: the global limits, narrowed by the
    word's own."""
    low = max(rules.min_bid, bid.min_bid or rules.min_bid)
    high = min(rules.max_bid, bid.max_bid or rules.max_bid)
    return low, high


def review_proposals(store: Store, week: dt.date | None = None, config: Config | None = None,
                     *, today: dt.datetime | None = None,
                     review: Review | None = None) -> list[Proposal]:
    """The bid changes the week's review proposes: `raise_bid` words up a step, `cut` words
    down a step, never outside the limits, at most one change per word within the cooldown
    (a change: a bid or status that had a value before), and nothing for a word without
    enough data (the review's rules already require it). `review`: the week's review, when
    the caller has it (else it is worked out)."""
    config = config or (review.config if review else load_config())
    rules, today = config.bids, today or now()
    review = review or weekly_review(store, week, config)
    steps = {"raise_bid": 1 + rules.raise_step, "cut": 1 - rules.cut_step}
    proposals = []
    recent = today - dt.timedelta(days=rules.cooldown_days)
    for rule, factor in steps.items():
        for item in review.sections[rule]:
            bid = Bid.get(Bid.keyword == find_keyword(store, item.keyword))
            last = _last_change(bid)
            skipped = None
            new = None
            if bid.bid is None:
                skipped = "no bid on record"
            elif last is not None and last > recent:
                skipped = f"changed {last:%Y-%m-%d}, within the {rules.cooldown_days}-day cooldown"
            else:
                low, high = _limits(bid, rules)
                new = round(min(max(bid.bid * factor, low), high), 2)
                if new == bid.bid:
                    skipped, new = f"already at the limit ({low:g}–{high:g})", None
            proposals.append(Proposal(item.keyword, bid.bid, new, rule, item.why, skipped))
    return proposals


def _last_change(bid: Bid) -> dt.datetime | None:
    """When the bid's price or status last changed, of the changes that stand: an edit in
    kwtrack not undone (the change log: an applied review undone leaves no cooldown behind),
    or a new value in a later P4P report. A bid's first record is no change: it says when
    kwtrack first saw the bid, not when it was set, and would hold every new bid back."""
    edited = Change.select(fn.MAX(Change.changed_at)).where(
        (Change.entity == "bid") & (Change.entity_id == bid.id)
        & Change.field.in_(("bid", "status")) & Change.old.is_null(False)
        & Change.undone_at.is_null()).scalar()
    reported = BidChange.select(fn.MAX(BidChange.changed_at)).where(
        (BidChange.bid == bid) & BidChange.batch.is_null(False)
        & (BidChange.old_bid.is_null(False) | BidChange.old_status.is_null(False))).scalar()
    stamps = [s if isinstance(s, dt.datetime) else dt.datetime.fromisoformat(str(s))
              for s in (edited, reported) if s is not None]
    return max(stamps, default=None)


def apply_proposals(store: Store, proposals: list[Proposal]) -> int | None:
    """Apply the proposals that change a bid, as one change (`kwtrack undo` reverts it
    whole); returns its action number (None when nothing changed)."""
    changing = [p for p in proposals if p.new_bid is not None]
    if not changing:
        return None
    with database.obj.atomic():
        action, stamp = next_action(store), now()
        for p in changing:
            bid = Bid.get(Bid.keyword == find_keyword(store, p.keyword))
            _write(store, action, bid, new_bid=p.new_bid,
                   reason=p.history_reason, stamp=stamp)
    return action
