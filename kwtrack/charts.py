"""Text charts for terminals: a sparkline of weekly figures."""

from __future__ import annotations

_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list) -> str:
    """A row of bars, one per value, scaled to the largest (a space where the value is
    unknown: a week without stats is not a week of zero)."""
    known = [v for v in values if v is not None]
    top = max(known, default=0) or 1
    return "".join(" " if v is None else _BARS[min(int(v / top * 7), 7)] for v in values)
