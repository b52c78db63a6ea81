"""Promotion hours against the target markets' office hours: P4P runs in China time
(Asia/Shanghai, as the back end shows the hours) and must cover each market's weekday office
hours, 09:00–18:00 in the market's own time zone on that date, daylight saving included
(`zoneinfo`; `tzdata` where the platform has no zone database). A range of hours may pass
midnight (`20:00-02:00`). Pure: the plan itself is stored by `kwtrack.bids`, and the weekly
review checks it too."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kwtrack.errors import KwtrackError

CHINA = ZoneInfo("Asia/Shanghai")
OFFICE_OPENS, OFFICE_CLOSES = dt.time(9), dt.time(18)

# A market named by its ISO country code takes its main business zone.
MARKET_ZONES = {
    "US": "America/New_York", "CA": "America/Toronto", "MX": "America/Mexico_City",
    "BR": "America/Sao_Paulo", "AR": "America/Argentina/Buenos_Aires", "CL": "America/Santiago",
    "CO": "America/Bogota", "PE": "America/Lima", "GB": "Europe/London", "UK": "Europe/London",
    "IE": "Europe/Dublin", "DE": "Europe/Berlin", "FR": "Europe/Paris", "ES": "Europe/Madrid",
    "IT": "Europe/Rome", "NL": "Europe/Amsterdam", "BE": "Europe/Brussels",
    "PL": "Europe/Warsaw", "PT": "Europe/Lisbon", "SE": "Europe/Stockholm",
    "RU": "Europe/Moscow", "TR": "Europe/Istanbul", "AE": "Asia/Dubai", "SA": "Asia/Riyadh",
    "IL": "Asia/Jerusalem", "EG": "Africa/Cairo", "NG": "Africa/Lagos",
    "ZA": "Africa/Johannesburg", "KE": "Africa/Nairobi", "IN": "Asia/Kolkata",
    "PK": "Asia/Karachi", "BD": "Asia/Dhaka", "TH": "Asia/Bangkok", "VN": "Asia/Ho_Chi_Minh",
    "MY": "Asia/Kuala_Lumpur", "SG": "Asia/Singapore", "ID": "Asia/Jakarta",
    "PH": "Asia/Manila", "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "AU": "Australia/Sydney",
    "NZ": "Pacific/Auckland",
}
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def parse_hours(text: str) -> tuple[int, int]:
    """`HH:MM-HH:MM` as minutes from midnight (start, end); `00:00-24:00` is all day, and a
    range whose end is not after its start passes midnight."""
    found = _HOURS.match(text.strip())
    if not found:
        raise KwtrackError(f"{text!r} is not a range of hours: write HH:MM-HH:MM (China time)")
    h1, m1, h2, m2 = map(int, found.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise KwtrackError(f"{text!r} is not a range of hours: write HH:MM-HH:MM")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end:
        raise KwtrackError(f"{text!r} is an empty range of hours")
    return start, end


def market_zone(market: str) -> tuple[str, ZoneInfo]:
    """A market as (its name, its time zone): an ISO country code, or an IANA zone name."""
    name = market.strip()
    zone = MARKET_ZONES.get(name.upper(), name)
    try:
        return name.upper() if name.upper() in MARKET_ZONES else name, ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise KwtrackError(f"unknown market {market!r}: give an ISO country code "
                           f"({', '.join(sorted(MARKET_ZONES)[:8])}, …) or a time zone "
                           "(America/New_York)") from None


@dataclass(frozen=True)
class MarketCheck:
    """Whether the promotion hours cover a market's office hours on a date, and the local
    hours they miss."""

    market: str
    zone: str
    date: dt.date  # the market's weekday checked (local)
    covered: bool
    uncovered: list[tuple[str, str]]  # local HH:MM ranges
    # the same ranges in China time: the hours to add to the plan to cover them
    uncovered_china: list[tuple[str, str]] = field(default_factory=list)

    def state(self) -> str:
        """`covered`, or the local hours left uncovered: `uncovered 10:00–18:00`."""
        return "covered" if self.covered else "uncovered " + _ranges(self.uncovered)

    def text(self) -> str:
        """One line: the market, its day, and the local office hours left uncovered with the
        China-time hours that would cover them."""
        add = "" if self.covered else f" (add {_ranges(self.uncovered_china)} China time)"
        return (f"{self.market} ({self.zone}), {self.date:%a %Y-%m-%d}: office hours "
                f"{OFFICE_OPENS:%H:%M}–{OFFICE_CLOSES:%H:%M} {self.state()}{add}")

    def to_dict(self) -> dict:
        return {"market": self.market, "zone": self.zone, "date": self.date.isoformat(),
                "covered": self.covered,
                "uncovered": [f"{a}-{b}" for a, b in self.uncovered],
                "uncovered_china": [f"{a}-{b}" for a, b in self.uncovered_china]}


def _ranges(ranges: list[tuple[str, str]]) -> str:
    return ", ".join(f"{a}–{b}" for a, b in ranges)


def _runs_at(moment: dt.datetime, hours: tuple[int, int]) -> bool:
    """Whether P4P runs at `moment` (any zone), given daily hours in China time."""
    local = moment.astimezone(CHINA)
    minute = local.hour * 60 + local.minute
    start, end = hours
    return start <= minute < end if start < end else (minute >= start or minute < end)


def check_market(market: str, hours: tuple[int, int], on: dt.date) -> MarketCheck:
    """The market's office hours on `on` (the next weekday there, from `on`), minute by minute
    against the promotion hours."""
    name, zone = market_zone(market)
    day = on
    while day.weekday() >= 5:  # office hours are a weekday's
        day += dt.timedelta(days=1)
    opens = dt.datetime.combine(day, OFFICE_OPENS, tzinfo=zone)
    closes = dt.datetime.combine(day, OFFICE_CLOSES, tzinfo=zone)
    uncovered: list[list[dt.datetime]] = []
    moment = opens
    while moment < closes:
        if not _runs_at(moment, hours):
            if uncovered and uncovered[-1][1] == moment:
                uncovered[-1][1] = moment + dt.timedelta(minutes=1)
            else:
                uncovered.append([moment, moment + dt.timedelta(minutes=1)])
        moment += dt.timedelta(minutes=1)
    return MarketCheck(name, zone.key, day, not uncovered,
                       [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in uncovered],
                       [(a.astimezone(CHINA).strftime("%H:%M"),
                         b.astimezone(CHINA).strftime("%H:%M")) for a, b in uncovered])


def schedule_check(hours: str, markets: list[str], on: dt.date) -> list[MarketCheck]:
    """Each market's check of the promotion `hours` (China time) on the date `on`."""
    if not markets:
        raise KwtrackError("no market to check: give --market (or store them with "
                           "`kwtrack p4p plan set --market …`)")
    span = parse_hours(hours)
    return [check_market(m, span, on) for m in markets]
