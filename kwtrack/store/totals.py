"""Totals over stats rows, as the lists show them (products, keywords).

A total is unknown when one of the rows it adds leaves the figure unknown (a report's `-`):
the sum of the others would be a lower bound read as a total. The weekly roll-up keeps the
same rule for a week (`kwtrack.store.weekly`). Inquiries of keywords are the exception the
review explains (`kwtrack.review.figures`): the sum of those known, so they add plainly.
"""

from __future__ import annotations

from peewee import SQL, Case, fn


def whole_sum(figure, *, rows=None, empty: int | None = None):
    """SQL for the sum of `figure` over a group's rows (those meeting the condition `rows`,
    when given: spend is a figure of P4P rows only), NULL when one of them leaves it NULL;
    `empty` when there is no such row (a product the reports list no row for had no effect:
    0; a keyword without rows is unknown: None)."""
    if rows is not None:
        counted, figure = fn.COUNT(Case(None, [(rows, 1)])), Case(None, [(rows, figure)])
    else:
        counted = fn.COUNT(SQL("*"))
    total = fn.SUM(figure) if empty is None else fn.COALESCE(fn.SUM(figure), empty)
    return Case(None, [(counted == fn.COUNT(figure), total)], None)
