"""Weeks as the review counts them: ISO weeks (Monday to Sunday), named `2026-W47`.

A stats row belongs to the week that holds its last day: a daily row to its day's week, an
ISO weekly row to its week, and the data manager's Sunday-to-Saturday week to the ISO week
that holds six of its seven days.
"""

from __future__ import annotations

import datetime as dt
import re

from kwtrack.errors import KwtrackError

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def parse_week(text: str) -> dt.date:
    """`2026-W47` (or `2026W47`) or any date in the week, as the week's Monday."""
    text = text.strip()
    found = _ISO_WEEK.match(text)
    try:
        if found:
            return dt.date.fromisocalendar(int(found[1]), int(found[2]), 1)
        return monday_of(dt.date.fromisoformat(text))
    except ValueError:
        raise KwtrackError(f"{text!r} is not a week: write 2026-W47 or a date in the week "
                           "(YYYY-MM-DD)") from None


def week_name(monday: dt.date) -> str:
    """A week's ISO name: `2026-W47`."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_before(monday: dt.date, count: int) -> list[dt.date]:
    """The Mondays of the `count` weeks before this one, oldest first."""
    return [monday - dt.timedelta(weeks=n) for n in range(count, 0, -1)]
