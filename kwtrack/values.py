"""Reading cell values as reports write them: `1,234`, `3.2%`, `¥1.20`, `是/否`, `-` for unknown.

Each parser takes the cell text and returns a Python value, None for unknown, or raises
ValueError with a message fit for the user.
"""

from __future__ import annotations

import datetime as dt
import math
import re

UNKNOWN = frozenset({"", "-", "--", "—", "–", "n/a", "na", "null", "none", "/"})
_TRUE = frozenset({"y", "yes", "true", "1", "是", "t", "on"})
_FALSE = frozenset({"n", "no", "false", "0", "否", "f", "off"})
_NUMBER_NOISE = re.compile(r"[,\s¥￥$€]|CNY|RMB|US\$", re.IGNORECASE)


_LONGEST_UNKNOWN = max(map(len, UNKNOWN))


def is_unknown(text: str | None) -> bool:
    """True for an empty cell or one of the report's 'no value' marks."""
    if text is None:
        return True
    text = text.strip()
    return not text or (len(text) <= _LONGEST_UNKNOWN and text.casefold() in UNKNOWN)


FORMULA_STARTS = ("=", "+", "-", "@")


def parse_text(text: str) -> str | None:
    """Text with surrounding whitespace removed; unknown marks become None.

    A leading `'` before `=`, `+`, `-` or `@` is dropped: it is how kwtrack's exports (and
    careful spreadsheets) keep a cell from being run as a formula.
    """
    if not text:
        return None
    if is_unknown(text):
        return None
    text = text.strip()
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def parse_float(text: str) -> float | None:
    """A number that may carry thousands separators, a currency sign or a percent sign.

    A percentage is kept as written (`3.2%` → 3.2), as reports show rates.
    """
    if not text:
        return None
    try:
        value = float(text)  # the common case, at C speed
        if math.isfinite(value):
            return value
    except ValueError:
        pass
    if is_unknown(text):
        return None
    cleaned = _NUMBER_NOISE.sub("", text.strip()).removesuffix("%")
    try:
        return float(cleaned)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None


def parse_int(text: str) -> int | None:
    """A whole number (a count), written with or without thousands separators."""
    if not text:
        return None
    try:
        return int(text)  # the common case, at C speed
    except ValueError:
        pass
    value = parse_float(text)
    if value is None:
        return None
    if value != int(value):
        raise ValueError(f"{text.strip()!r} is not a whole number")
    return int(value)


def parse_bool(text: str) -> bool | None:
    """Y/N, yes/no, true/false, 1/0, 是/否."""
    if is_unknown(text):
        return None
    folded = text.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(f"{text.strip()!r} is not Y or N")


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")


def parse_date(text: str) -> dt.date | None:
    """A date as YYYY-MM-DD (also with / or . separators, or YYYYMMDD); a time part is ignored."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)  # the common case, at C speed
    except ValueError:
        pass
    if is_unknown(text):
        return None
    day = text.strip().split(" ")[0].split("T")[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(day, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text.strip()!r} is not a date (YYYY-MM-DD)")


def choice(*allowed: str, aliases: dict[str, str] | None = None):
    """A parser accepting one of `allowed` (case-insensitive), or an alias of one."""
    table = {a.casefold(): a for a in allowed}
    table.update({k.casefold(): v for k, v in (aliases or {}).items()})

    def parse(text: str) -> str | None:
        if is_unknown(text):
            return None
        value = table.get(text.strip().casefold())
        if value is None:
            raise ValueError(f"{text.strip()!r} is not one of {', '.join(allowed)}")
        return value

    parse.__doc__ = f"One of {', '.join(allowed)}."
    return parse


def split_keywords(text: str) -> list[str] | None:
    """A product's keywords from one cell: separated by newlines, `|` or `;` (None if none)."""
    if is_unknown(text):
        return None
    return [part.strip() for part in re.split(r"[\n\r|;；]+", text) if part.strip()] or None
