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
LONGEST_CELL = 4096  # characters: no title, keyword or note of a store is longer
LARGEST_NUMBER = 2**63 - 1  # what the database stores
# ... and the least but 0: PostgreSQL keeps figures as `real`, which holds magnitudes down to
# about 1e-38 (`2.9e-284` was an error of the server's); no report's figure comes near
SMALLEST_NUMBER = 1e-30
LARGEST_COUNT = 2**31 - 1  # an integer column on PostgreSQL (no store's count comes near)
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)  # stats of real stores


def formula_safe(value):
    """A value as a spreadsheet cell keeps it: text starting like a formula (`=`, `+`, `-`,
    `@`; a buyer's search term can) gets a leading `'`, so that no spreadsheet runs it
    (`parse_text` takes the `'` off again); anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def parse_text(text: str) -> str | None:
    """Text with surrounding whitespace removed; unknown marks become None.

    A leading `'` before `=`, `+`, `-` or `@` is dropped: it is how kwtrack's exports (and
    careful spreadsheets) keep a cell from being run as a formula.
    """
    if not text:
        return None
    if is_unknown(text):
        return None
    if "\x00" in text:
        raise ValueError("holds a NUL byte (a damaged or binary file?)")
    if len(text) > LONGEST_CELL:
        raise ValueError(f"is {len(text):,} characters long (the most kwtrack takes is "
                         f"{LONGEST_CELL:,})")
    text = text.strip()
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def text_up_to(limit: int):
    """A parser of text (as `parse_text`) of at most `limit` characters: for a column of that
    size (PostgreSQL refuses a longer value, where SQLite would keep it)."""

    def parse(text: str) -> str | None:
        value = parse_text(text)
        if value is not None and len(value) > limit:
            raise ValueError(f"is {len(value):,} characters long (at most {limit:,} here)")
        return value

    return parse


# A long number as a spreadsheet shows it once it has read a product ID as a number and
# saved it back: `1.60000E+12`. The digits it rounded away are gone.
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+")
# ... and as a script or a spreadsheet writes it once it has read it as a number, every digit
# kept: `1600000022533.0`.
_WHOLE_NUMBER = re.compile(r"(\d+)\.0+")


def product_id_up_to(limit: int):
    """A parser of product IDs (text, as `text_up_to(limit)`) that reads `1600000022533.0`
    as the ID it is and refuses one a spreadsheet rounded to scientific notation: taken as
    they stand, either would be a new product that does not exist, and the real one's
    figures would be lost."""
    text = text_up_to(limit)

    def parse(cell: str) -> str | None:
        value = text(cell)
        if value is not None and (whole := _WHOLE_NUMBER.fullmatch(value)):
            return whole.group(1)
        if value is not None and _SCIENTIFIC.fullmatch(value):
            raise ValueError(f"{value!r} is a product ID a spreadsheet rounded (its last "
                             "digits are lost): export the report again, or keep the "
                             "column as text when saving")
        return value

    return parse


def keepable(value: float) -> bool:
    """Whether the database can keep the number as it is (finite, 0 or of a magnitude
    between SMALLEST_NUMBER and LARGEST_NUMBER)."""
    return math.isfinite(value) and (value == 0
                                     or SMALLEST_NUMBER <= abs(value) <= LARGEST_NUMBER)


def parse_float(text: str) -> float | None:
    """A number that may carry thousands separators, a currency sign or a percent sign.

    A percentage is kept as written (`3.2%` → 3.2), as reports show rates.
    """
    if not text:
        return None
    try:
        value = float(text)  # the common case, at C speed
    except ValueError:
        if is_unknown(text):
            return None
        cleaned = _NUMBER_NOISE.sub("", text.strip()).removesuffix("%")
        try:
            value = float(cleaned)
        except ValueError:
            raise ValueError(f"{text.strip()!r} is not a number") from None
    if not keepable(value):
        raise ValueError(f"{text.strip()!r} is not a number kwtrack can keep")
    if value < 0:
        raise ValueError(f"{text.strip()!r} is below 0 (counts, money and scores cannot be)")
    return value


def parse_price(text: str) -> float:
    """A price typed by hand (a bid, a budget): a number of CNY above 0, as typed; `4,50`
    or `¥4.80` is refused with how to write it rather than guessed at. (Limits and the
    two decimals are the domain's to check.)"""
    try:
        price = float(text.strip())
    except ValueError:
        price = None
    if price is None or not (price > 0 and keepable(price)):
        raise ValueError(f"{text.strip()!r} is not a price in CNY: write it like 4.50")
    return price


def parse_int(text: str) -> int | None:
    """A whole number (a count), written with or without thousands separators."""
    if not text:
        return None
    try:
        value = int(text)  # the common case, at C speed
    except ValueError:
        pass
    else:
        if 0 <= value <= LARGEST_COUNT:
            return value
        raise ValueError(f"{text.strip()!r} is below 0 (a count cannot be)" if value < 0 else
                         f"{text.strip()!r} is too large a number")
    value = parse_float(text)
    if value is None:
        return None
    if value != int(value):
        raise ValueError(f"{text.strip()!r} is not a whole number")
    if value > LARGEST_COUNT:
        raise ValueError(f"{text.strip()!r} is too large a number")
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
        found = dt.date.fromisoformat(text)  # the common case, at C speed
    except ValueError:
        if is_unknown(text):
            return None
        found = _date_in_some_format(text.strip().split(" ")[0].split("T")[0])
        if found is None:
            raise ValueError(f"{text.strip()!r} is not a date (YYYY-MM-DD)") from None
    if not FIRST_DAY <= found <= LAST_DAY:
        raise ValueError(f"{text.strip()!r} is out of range ({FIRST_DAY}..{LAST_DAY})")
    return found


def _date_in_some_format(day: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(day, fmt).date()
        except ValueError:
            continue
    return None


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
