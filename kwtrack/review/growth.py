"""The store's P4P growth level (营销成长等级), recorded by hand as the back end shows it, and
the line the review says about it: the points to the target level (L4 at 81: regional
promotion), the change since the record before, and a record grown old (the monthly routine
reads it once a month)."""

from __future__ import annotations

import datetime as dt
import re

from kwtrack.config import ReviewSettings
from kwtrack.edits import FormField
from kwtrack.errors import KwtrackError
from kwtrack.history import ENTRY, entry_text, log_change, next_action
from kwtrack.store.models import GrowthLevel, Store, database, now
from kwtrack.values import keepable

RECORD = "`kwtrack p4p level POINTS --level L3`"
STALE_DAYS = 31  # a record older than this is last month's: the review asks for this month's

_LEVEL = re.compile(r"[lL]?\s*(\d{1,2})")


def parse_level(text: str) -> int:
    """A growth level as the back end writes it (`L4`) or as a number (`4`)."""
    match = _LEVEL.fullmatch(text.strip())
    if match is None:
        raise KwtrackError(f"{text!r} is not a growth level (L1, L2, … as the back end shows it)")
    return int(match[1])


def record_level(store: Store, points: float, level: int | None = None,
                 on: dt.date | None = None) -> GrowthLevel:
    """Record the growth level the back end showed on `on` (default today; a day's record is
    replaced by a later one of the same day), as one change `kwtrack undo` takes back."""
    on = on or dt.date.today()
    if not keepable(points) or points < 0:  # (click's float reads `nan` and `inf` too)
        raise KwtrackError(f"growth points are a number, 0 or more (got {points:g})")
    if on > dt.date.today():
        raise KwtrackError(f"{on} is still to come: record the level the back end shows")
    with database.obj.atomic():
        action, stamp = next_action(store), now()
        row = GrowthLevel.get_or_none((GrowthLevel.store == store)
                                      & (GrowthLevel.recorded_on == on))
        old = None
        if row is None:
            row = GrowthLevel(store=store, recorded_on=on)
        elif (row.points, row.level) == (points, level):
            return row
        else:  # (the day's record replaced: undo brings it back whole)
            old = entry_text(store=store.id, recorded_on=on, points=row.points, level=row.level)
        row.points, row.level, row.created_at = points, level, stamp
        row.save()
        log_change(store, action, "growth", row.id, ENTRY, old,
                   entry_text(store=store.id, recorded_on=on, points=points, level=level),
                   "recorded again" if old else "recorded", stamp)
    return row


def growth_levels(store: Store, limit: int | None = None) -> list[GrowthLevel]:
    """The store's recorded growth levels, newest first."""
    return list(GrowthLevel.select().where(GrowthLevel.store == store)
                .order_by(GrowthLevel.recorded_on.desc()).limit(limit))


def level_text(row: GrowthLevel) -> str:
    """A record in a few words: `L3, 76 points on 2026-11-20`."""
    level = f"L{row.level}, " if row.level is not None else ""
    return f"{level}{row.points:g} points on {row.recorded_on}"


def growth_said(store: Store, rules: ReviewSettings, on: dt.date) -> str:
    """The review's line on the growth level as of the day `on`: the latest record, the
    points still to the target, the change since the record before, and whether it is old."""
    rows = growth_levels(store, 2)
    if not rows:
        return (f"no P4P growth level recorded: {RECORD} records the one the back end shows "
                f"(L{rules.growth_target_level} at {rules.growth_target:g} points)")
    latest = rows[0]
    said = level_text(latest)
    gap = rules.growth_target - latest.points
    said += (f": {gap:g} points to {rules.growth_target:g} (L{rules.growth_target_level})"
             if gap > 0 else f": at the {rules.growth_target:g} points of "
             f"L{rules.growth_target_level}")
    if len(rows) > 1:
        said += f"; {latest.points - rows[1].points:+g} since {rows[1].recorded_on}"
    if (on - latest.recorded_on).days > STALE_DAYS:
        said += f" — over a month old: {RECORD} records this month's"
    return said


GROWTH_FORM = (FormField("points", "Growth points", "as the back end shows them today, e.g. 76"),
               FormField("level", "Level", "L1, L2, … (blank: not given)"))


def growth_problems(values: dict[str, str]) -> dict[str, str]:
    """What is wrong with a growth level as typed in a form ({field: why})."""
    found = {}
    points = (values.get("points") or "").strip()
    try:
        if not keepable(float(points)) or float(points) < 0:
            found["points"] = "a number, 0 or more"
    except ValueError:
        found["points"] = f"a number, as the back end shows it (not {points!r})"
    level = (values.get("level") or "").strip()
    if level:
        try:
            parse_level(level)
        except KwtrackError as exc:
            found["level"] = str(exc)
    return found


def record_level_from_form(store: Store, values: dict[str, str]) -> GrowthLevel:
    """`record_level` with a form's text, for today."""
    level = (values.get("level") or "").strip()
    return record_level(store, float(values["points"]),
                        parse_level(level) if level else None)
