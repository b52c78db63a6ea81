"""Between weekly reviews: items marked done or snoozed, words tracked on their own, and a
word's week-by-week history."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kwtrack.errors import KwtrackError
from kwtrack.history import ENTRY, entry_text, log_change, next_action
from kwtrack.review.figures import keyword_weeks, total
from kwtrack.review.sections import PRODUCT_SECTIONS
from kwtrack.review.weeks import monday_of
from kwtrack.store.models import (
    Keyword,
    KeywordStat,
    Product,
    ReviewMark,
    Store,
    database,
    now,
)
from kwtrack.words import normalise_keyword


def find_keyword(store: Store, text: str) -> Keyword:
    """The library keyword `text` names (by its normal form), or a KwtrackError."""
    keyword = Keyword.get_or_none((Keyword.store == store)
                                  & (Keyword.norm == normalise_keyword(text)))
    if keyword is None:
        raise KwtrackError(f"no keyword {text!r} in the library")
    return keyword


def section_named(text: str) -> str:
    """A review section by its key (`top_traffic`) or by its title as the review prints it
    (`Top traffic`, `top-traffic`), or a KwtrackError naming them."""
    from kwtrack.review.report import TITLES

    def folded(name: str) -> str:
        return re.sub(r"[\s_-]+", "_", name.strip().casefold())

    wanted = folded(text)
    for key, title in TITLES.items():
        if wanted in (key, folded(title)):
            return key
    raise KwtrackError(f"no review section {text!r} (sections: {', '.join(TITLES)})")


def mark_item(store: Store, name: str, section: str, *, week: dt.date,
              snooze_weeks: int | None = None) -> ReviewMark:
    """Mark a review item (a keyword, or a product ID in the product sections) done for good,
    or snoozed for `snooze_weeks` weeks from `week`: the reviews after show what is new."""
    section = section_named(section)
    if snooze_weeks is not None and snooze_weeks < 1:
        raise KwtrackError("--snooze takes a number of weeks, at least 1")
    monday = monday_of(week)
    target = {}
    if section in PRODUCT_SECTIONS:
        product = Product.get_or_none((Product.store == store) & (Product.product_id == name))
        if product is None:
            raise KwtrackError(f"no product {name!r}")
        target["product"] = product
    else:
        target["keyword"] = find_keyword(store, name)
    until = None if snooze_weeks is None else monday + dt.timedelta(weeks=snooze_weeks)
    with database.obj.atomic():  # (one change: `kwtrack undo` takes the mark back)
        stamp = now()
        mark = ReviewMark.create(store=store, section=section, week=monday, until=until,
                                 created_at=stamp, **target)
        columns = {name: row.id for name, row in target.items()}
        log_change(store, next_action(store), "mark", mark.id, ENTRY, None,
                   entry_text(store=store.id, section=section, week=monday, until=until,
                              **columns),
                   "snoozed" if until else "done", stamp)
    return mark


def set_tracked(store: Store, keywords: list[str], tracked: bool) -> int:
    """Track (or stop tracking) library keywords, as one change `kwtrack undo` reverses;
    returns how many changed."""
    found = [find_keyword(store, text) for text in keywords]
    changed = 0
    with database.obj.atomic():
        action = next_action(store)
        stamp = now()
        for keyword in found:
            if (keyword.tracked_at is not None) == tracked:
                continue
            new = stamp if tracked else None
            log_change(store, action, "keyword", keyword.id, "tracked_at", keyword.tracked_at,
                       new, "track" if tracked else "untrack", stamp)
            Keyword.update(tracked_at=new).where(Keyword.id == keyword.id).execute()
            changed += 1
    return changed


@dataclass(frozen=True)
class KeywordWeek:
    """A keyword's figures in one week, organic and P4P apart (None: unknown)."""

    week: dt.date  # the Monday
    impressions: int | None  # both channels (`kwtrack.review.figures.total`)
    organic_impressions: int | None
    organic_clicks: int | None
    p4p_impressions: int | None
    p4p_clicks: int | None
    p4p_spend: float | None
    inquiries: int | None
    search_index: float | None


def keyword_history(store: Store, text: str) -> tuple[Keyword, list[KeywordWeek]]:
    """A word's weekly history, every week on record, oldest first."""
    keyword = find_keyword(store, text)
    first = KeywordStat.select(KeywordStat.period_end).where(
        KeywordStat.keyword == keyword).order_by(KeywordStat.period_end).scalar()
    if first is None:
        return keyword, []
    first = monday_of(first if isinstance(first, dt.date) else dt.date.fromisoformat(first))
    weeks = keyword_weeks(store, first, dt.date.max - dt.timedelta(days=7),
                          ids=[keyword.id]).get(keyword.id, {})
    history = []
    for monday in sorted(weeks):
        organic, p4p = weeks[monday].get("organic"), weeks[monday].get("p4p")
        history.append(KeywordWeek(
            monday, total([w for w in (organic, p4p) if w], "impressions"),
            organic and organic.impressions, organic and organic.clicks,
            p4p and p4p.impressions, p4p and p4p.clicks, p4p and p4p.spend,
            total([w for w in (organic, p4p) if w], "inquiries"),
            max((w.search_index for w in (organic, p4p) if w and w.search_index is not None),
                default=None)))
    return keyword, history
