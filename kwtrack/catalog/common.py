"""What the product and keyword lists share: the recent windows' lengths, the stores, the
`route:` filter, a search term's yes or no, and the order of unknown values."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from peewee import JOIN, SQL, fn

from kwtrack.cleanup import ROUTES, StoreCoverage
from kwtrack.errors import KwtrackError
from kwtrack.store import bulk
from kwtrack.store.models import Keyword, Product, Store, database
from kwtrack.values import parse_bool

RECENT_DAYS = 30  # a product's recent numbers: its last 30 days of data
RECENT_WEEKS = 4  # a keyword's: its last 4 weeks


@dataclass(frozen=True)
class StoreSummary:
    """A store kept in the database, and how many products it lists."""

    name: str
    products: int


def store_summaries() -> list[StoreSummary]:
    """Every store in the database, by name, with its number of products (archived included)."""
    query = (Store.select(Store.name, fn.COUNT(Product.id)).join(Product, JOIN.LEFT_OUTER)
             .group_by(Store.id, Store.name).order_by(Store.name))
    return [StoreSummary(name, count) for name, count in query.tuples()]


ROUTE_FILTERS = (*ROUTES, "none")  # `route:` values: covered by this route, or by none


def _routed(store: Store, route: str, model) -> set[int]:
    """The ids of `model` (Keyword or Product) that a `route:` filter keeps: the keywords
    live products cover by that route and those products; `none`: the keywords no live
    product covers, and the products that cover no keyword."""
    route = route.casefold()
    if route not in ROUTE_FILTERS:
        raise KwtrackError(f"route: is one of {', '.join(ROUTE_FILTERS)}, not {route!r}")
    side = 0 if model is Keyword else 1
    coverage = StoreCoverage.of(store)
    if route != "none":
        return coverage.routed(route)[side]
    covered = set().union(*(coverage.routed(r)[side] for r in ROUTES))
    everything = model.select(model.id).where(model.store == store)
    return {row[0] for row in bulk.raw_rows(everything) if row[0] not in covered}


@contextmanager
def route_filter(store: Store, query, route: str | None):
    """The query kept to what a `route:` term names (a temporary table of ids, so that the
    list's count, sort and window run in SQL as usual)."""
    if route is None:
        yield query
        return
    model = query.model
    with bulk.id_table(database.obj, "kwtrack_routed", _routed(store, route, model)) as table:
        yield query.where(model.id.in_(SQL(f"(SELECT id FROM {table})")))


def refuse(problem: str | None) -> None:
    """A search's mistyped term (`filters.unread_term`) as the error the lists say."""
    if problem is not None:
        raise KwtrackError(problem)


def yes(name: str, value: str) -> bool:
    """A filter term's yes or no (`showcase:y`, `archived:no`); anything else is refused,
    never read as no (which would list the other rows, unasked)."""
    try:
        found = parse_bool(value)
    except ValueError:
        found = None
    if found is None:
        raise KwtrackError(f"'{name}:{value}': say y or n ({name}:y)")
    return found


def direction(expression, descending: bool, from_end: bool = False):
    """An ORDER BY term with unknown (NULL) values last, ascending or descending (a column
    that is never NULL is ordered plainly, so its index serves the order); `from_end`: the
    same order read backwards (descending becomes ascending, unknown values come first)."""
    nulls = ("FIRST" if from_end else "LAST") if getattr(expression, "null", True) else None
    if from_end:
        descending = not descending
    return expression.desc(nulls=nulls) if descending else expression.asc(nulls=nulls)


def as_int(value) -> int | None:
    return None if value is None else int(value)
