"""Weeks as the review counts them: ISO weeks (Monday to Sunday), named `2026-W47`.

Which week a stats row belongs to is the weekly roll-up's rule (`kwtrack.store.weekly`).
"""

from __future__ import annotations

import datetime as dt
import re

from kwtrack.errors import KwtrackError
from kwtrack.store.weekly import monday_of
from kwtrack.values import FIRST_DAY, LAST_DAY

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


def parse_week(text: str) -> dt.date:
    """`2026-W47` (or `2026W47`) or any date in the week, as the week's Monday."""
    text = text.strip()
    found = _ISO_WEEK.match(text)
    try:
        if found:
            monday = dt.date.fromisocalendar(int(found[1]), int(found[2]), 1)
        else:
            monday = monday_of(dt.date.fromisoformat(text))
    except ValueError:
        raise KwtrackError(f"{text!r} is not a week: write 2026-W47 or a date in the week "
                           "(YYYY-MM-DD)") from None
    if not FIRST_DAY <= monday <= LAST_DAY:  # (as the dates of imports: weeks past it overflow)
        raise KwtrackError(f"{text!r} is out of range ({FIRST_DAY.year}-W01.."
                           f"{LAST_DAY.year}-W52)")
    return monday


def week_name(monday: dt.date) -> str:
    """A week's ISO name: `2026-W47`."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"
