"""Editing the catalog by hand: add and edit products and keywords, link and unlink them.

Each edit is one action in the change log (kwtrack.history), written at once in its own
transaction: `undo` reverses it and `redo` applies it again. Nothing is deleted:
- adding logs the new row's `archived_at` going from a time to none, so undoing an add
  archives the row, and adding a product or keyword that was archived brings it back;
- a link is logged as the `link` field of its coverage row (`product id:keyword id:source`,
  or none), so an unlink can be undone with the link as it was.

The checks of each field live here (`product_problems`, `keyword_problems`), so the TUI's
forms and any other caller say the same thing about the same value.
"""

from __future__ import annotations

from dataclasses import dataclass

from kwtrack.cleanup import TITLE_LIMIT
from kwtrack.errors import KwtrackError
from kwtrack.history import log_change, next_action
from kwtrack.store.models import Bid, Coverage, Keyword, Product, Store, database, now
from kwtrack.values import choice, parse_text
from kwtrack.words import (
    clean_display,
    group_key,
    keyword_words_of,
    normalise_keyword,
    spelled_group,
    words_of,
)
from kwtrack.wordsets import TitleWords

PRODUCT_STATUS = choice("online", "offline", aliases={"上架": "online", "下架": "offline"})
GROUP_LIMIT = 100  # characters (the column's size)


@dataclass(frozen=True)
class FormField:
    """One field of an add or edit form."""

    name: str
    label: str
    hint: str = ""


PRODUCT_FORM = (
    FormField("product_id", "Product ID", "the number Alibaba.com gives the listing"),
    FormField("title", "Title", f"at most {TITLE_LIMIT} characters"),
    FormField("category", "Category", "optional"),
    FormField("status", "Status", "online or offline"),
)
KEYWORD_FORM = (
    FormField("keyword", "Keyword", "as buyers type it"),
    FormField("group", "Group", "optional: core, rising, … (→ takes the group offered)"),
    FormField("status", "Status", "optional"),
    FormField("notes", "Notes", "optional"),
)


def completions(store: Store, field: str) -> list[str]:
    """What a form's field offers to complete as it is typed: the library's live keywords,
    most searched first (`walk` offers `walking shoes` before `walking stick`), the store's
    keyword groups, most used first, or the live products' IDs."""
    if field == "group":
        return list(Keyword.group_spellings(store).values())
    if field == "keyword":
        query = (Keyword.select(Keyword.keyword)
                 .where((Keyword.store == store) & Keyword.archived_at.is_null())
                 .order_by(Keyword.search_index.desc(nulls="LAST"), Keyword.keyword))
    else:
        query = (Product.select(Product.product_id)
                 .where((Product.store == store) & Product.archived_at.is_null())
                 .order_by(Product.product_id))
    return [row[0] for row in query.tuples()]


def carriers(store: Store, keyword: str, limit: int = 5) -> list[tuple[str, str]]:
    """The live products that could carry a keyword, best first, as (product ID, title): for
    linking by hand a word that no product covers. The titles holding most of the keyword's
    match words come first (`TitleWords.most_of`: all of them, then all but one, …; plurals
    folded, as coverage reads them), by product ID among equals; products linked to it
    already are left out."""
    row = _live_keyword(store, keyword)
    live = list(Product.select(Product.product_id, Product.title, Product.title_words)
                .where((Product.store == store) & Product.archived_at.is_null()
                       & (Product.status == "online")
                       & Product.id.not_in(Coverage.select(Coverage.product)
                                           .where(Coverage.keyword == row)))
                .order_by(Product.product_id).tuples())
    titles = [(product_id, title) for product_id, title, _ in live]
    words = TitleWords([tuple((w if w is not None else words_of(t)).split())
                        for _, t, w in live])
    wanted = tuple((row.words or keyword_words_of(row.keyword) or "").split())
    return [titles[position] for position, _ in words.most_of(wanted, limit)]


def _text(values: dict[str, str], name: str, problems: dict[str, str]) -> str | None:
    try:
        return parse_text(values.get(name) or "")
    except ValueError as exc:
        problems[name] = str(exc)
        return None


def product_problems(values: dict[str, str], *, adding: bool) -> dict[str, str]:
    """What is wrong with a product form's values, field by field (empty: nothing)."""
    problems: dict[str, str] = {}
    product_id = _text(values, "product_id", problems)
    if adding and "product_id" not in problems:
        if not product_id:
            problems["product_id"] = "a product needs its ID"
        elif not product_id.isdigit():
            problems["product_id"] = f"{product_id!r} is not a product ID (digits only)"
    title = clean_display(_text(values, "title", problems) or "")
    if "title" not in problems:
        if not title:
            problems["title"] = "a product needs a title"
        elif len(title) > TITLE_LIMIT:
            problems["title"] = f"{len(title)} characters, over the limit of {TITLE_LIMIT}"
    _text(values, "category", problems)
    try:
        if PRODUCT_STATUS(values.get("status") or "") is None:
            problems["status"] = "online or offline"
    except ValueError as exc:
        problems["status"] = str(exc)
    return problems


def keyword_problems(values: dict[str, str]) -> dict[str, str]:
    """What is wrong with a keyword form's values, field by field (empty: nothing)."""
    problems: dict[str, str] = {}
    keyword = _text(values, "keyword", problems)
    if "keyword" not in problems and not keyword_words_of(keyword or ""):
        problems["keyword"] = "a keyword needs words (punctuation alone matches nothing)"
    group = _text(values, "group", problems)
    if group and len(group) > GROUP_LIMIT:
        problems["group"] = f"{len(group)} characters, over the limit of {GROUP_LIMIT}"
    _text(values, "status", problems)
    _text(values, "notes", problems)
    return problems


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise KwtrackError("; ".join(f"{name}: {text}" for name, text in problems.items()))


def _write_fields(store: Store, action: int, row, entity: str, changes: dict, reason: str,
                  stamp) -> None:
    """Set and log each field of `changes` that differs from the row's value."""
    for field, new in changes.items():
        old = getattr(row, field)
        if old != new:
            log_change(store, action, entity, row.id, field, old, new, reason, stamp)
            setattr(row, field, new)
    row.updated_at = stamp
    row.save()  # (derived columns follow, BaseModel.DERIVED)


def add_product(store: Store, values: dict[str, str]) -> int:
    """Add a product by hand (or bring back an archived one with that ID); returns the
    action number."""
    _refuse(product_problems(values, adding=True))
    product_id = parse_text(values["product_id"])
    fields = {"title": clean_display(values["title"]),
              "category": parse_text(values.get("category") or ""),
              "status": PRODUCT_STATUS(values["status"])}
    with database.obj.atomic():
        stamp, action = now(), next_action(store)
        product = Product.get_or_none((Product.store == store)
                                      & (Product.product_id == product_id))
        if product is not None and product.archived_at is None:
            raise KwtrackError(f"product {product_id} is already in the store")
        if product is None:
            product = Product.create(store=store, product_id=product_id, archived_at=stamp,
                                     created_at=stamp, **fields)
        _write_fields(store, action, product, "product",
                      {**fields, "archived_at": None}, "added by hand", stamp)
    return action


def edit_product(store: Store, product_id: str, values: dict[str, str], *,
                 reason: str | None = None) -> int:
    """Change a live product's title, category or status (the fields of `values`); returns
    the action number. A hot product's title changes only through `kwtrack products
    set-title --force` (its traffic rides on it)."""
    product = _live_product(store, product_id)
    current = {"title": product.title, "category": product.category or "",
               "status": product.status}
    _refuse(product_problems({**current, **values}, adding=False))
    changes = {"title": clean_display(values.get("title", product.title)),
               "category": parse_text(values.get("category", product.category or "") or ""),
               "status": PRODUCT_STATUS(values.get("status", product.status))}
    if product.hot and changes["title"] != product.title:
        raise KwtrackError(f"product {product_id} is a hot product: change its title with "
                           "`kwtrack products set-title --force --reason …`")
    with database.obj.atomic():
        action = next_action(store)
        _write_fields(store, action, product, "product", changes, reason or "edited by hand",
                      now())
    return action


def add_keyword(store: Store, values: dict[str, str]) -> int:
    """Add a keyword to the library (or bring back an archived one); returns the action
    number."""
    with database.obj.atomic():
        stamp, action = now(), next_action(store)
        _add_keyword(store, action, values, stamp)
    return action


def _add_keyword(store: Store, action: int, values: dict[str, str], stamp) -> Keyword:
    """Add the keyword of `values` (or bring back an archived one) as part of change
    `action`: logged as its `archived_at` going from a time to none, so undo archives it."""
    _refuse(keyword_problems(values))
    keyword = clean_display(parse_text(values["keyword"]))
    norm = normalise_keyword(keyword)
    fields = {name: parse_text(values.get(name) or "") for name in ("group", "status", "notes")}
    fields["group"] = spelled_group(fields["group"], Keyword.group_spellings(store))
    row = Keyword.get_or_none((Keyword.store == store) & (Keyword.norm == norm))
    if row is not None and row.archived_at is None:
        raise KwtrackError(f"{row.keyword!r} is already in the library")
    if row is None:
        row = Keyword.create(store=store, keyword=keyword, norm=norm, source="manual",
                             archived_at=stamp, created_at=stamp, **fields)
    _write_fields(store, action, row, "keyword", {**fields, "archived_at": None},
                  "added by hand", stamp)
    return row


def _live_keyword(store: Store, keyword: str) -> Keyword:
    """The library's keyword (not archived) that `keyword` names, however it is typed."""
    row = Keyword.get_or_none((Keyword.store == store)
                              & (Keyword.norm == normalise_keyword(keyword))
                              & Keyword.archived_at.is_null())
    if row is None:
        raise KwtrackError(f"no keyword {keyword!r} in the library")
    return row


def edit_keyword(store: Store, keyword: str, values: dict[str, str], *,
                 reason: str | None = None) -> int:
    """Change a keyword's group, status or notes (its words make it the keyword it is: add
    another instead); returns the action number."""
    row = _live_keyword(store, keyword)
    _refuse(keyword_problems({"keyword": row.keyword, **values}))
    changes = {name: parse_text(values[name] or "") for name in ("group", "status", "notes")
               if name in values}
    if "group" in changes:
        changes["group"] = spelled_group(changes["group"], Keyword.group_spellings(store))
    with database.obj.atomic():
        action = next_action(store)
        _write_fields(store, action, row, "keyword", changes, reason or "edited by hand", now())
    return action


def delete_keywords(store: Store, keywords: list[str], *, reason: str | None = None
                    ) -> tuple[int, list[str]]:
    """Delete (archive) keywords from the library, together, as one change; returns the
    action number and the words as the library writes them. They leave the lists, the
    review and the coverage check; their stats and links stay, and `undo` brings them back.
    A word with an active P4P bid is refused: it goes on costing money on Alibaba.com, and
    the Bids view would no longer show it (pause the bid first)."""
    rows = [_live_keyword(store, keyword) for keyword in dict.fromkeys(keywords)]
    paid = [row.keyword for row in rows
            if Bid.select().where((Bid.keyword == row) & (Bid.status == "active")).exists()]
    if paid:
        bids = ("an active P4P bid, which goes on costing money; pause it" if len(paid) == 1
                else "active P4P bids, which go on costing money; pause them")
        raise KwtrackError(f"{', '.join(map(repr, paid[:5]))}: {bids} first (`kwtrack bids "
                           "set WORD PRICE --status paused`, or b in the TUI)")
    with database.obj.atomic():
        stamp, action = now(), next_action(store)
        for row in rows:
            _write_fields(store, action, row, "keyword", {"archived_at": stamp},
                          reason or "deleted by hand", stamp)
    return action, [row.keyword for row in rows]


def move_to_group(store: Store, keyword: str, group: str) -> int | None:
    """Put a keyword into `group` (the key keyword group, say) as one change; returns the
    action number, None when it is in that group already."""
    if group_key(_live_keyword(store, keyword).group or "") == group_key(group):
        return None
    return edit_keyword(store, keyword, {"group": group}, reason=f"into the {group} group")


def link_text(product: int, keyword: int, source: str) -> str:
    """A coverage link as the change log keeps it."""
    return f"{product}:{keyword}:{source}"


def _live_product(store: Store, product_id: str) -> Product:
    """The store's product (not archived) of that product ID."""
    product = Product.get_or_none((Product.store == store) & (Product.product_id == product_id)
                                  & Product.archived_at.is_null())
    if product is None:
        raise KwtrackError(f"no live product {product_id!r}")
    return product


def _live_pair(store: Store, keyword: str, product_id: str) -> tuple[Keyword, Product]:
    return _live_keyword(store, keyword), _live_product(store, product_id)


def link(store: Store, keyword: str, product_id: str, *, add: bool = False) -> int:
    """Link a keyword to a product by hand (a `manual` link); returns the action number.
    `add`: a keyword the library lacks is added to it in the same change (undo takes both
    back), as an operator linking a new word means."""
    product = _live_product(store, product_id)
    with database.obj.atomic():
        stamp, action = now(), next_action(store)
        try:
            row = _live_keyword(store, keyword)
        except KwtrackError:
            if not add:
                raise
            row = _add_keyword(store, action, {"keyword": keyword}, stamp)
        if not _link(store, action, stamp, row, product, "linked by hand"):
            raise KwtrackError(f"{row.keyword!r} is already linked to {product_id}")
    return action


def link_all(store: Store, pairs: list[tuple[str, str]], reason: str) -> int | None:
    """Link each (keyword, product ID) by hand as one change, which undo takes back whole:
    the orphans a coverage check hands to the live products that could carry them. A pair
    linked already is left as it is; returns the action number, None when every pair was.
    A keyword or product that is not live refuses the lot."""
    with database.obj.atomic():
        stamp, action = now(), next_action(store)
        linked = [_link(store, action, stamp, *_live_pair(store, keyword, product_id), reason)
                  for keyword, product_id in pairs]
    return action if any(linked) else None


def _link(store: Store, action: int, stamp, row: Keyword, product: Product, reason: str
          ) -> bool:
    """A manual link written and logged under `action`; False when the two are linked."""
    if Coverage.get_or_none((Coverage.product == product) & (Coverage.keyword == row)):
        return False
    found = Coverage.create(product=product, keyword=row, source="manual", created_at=stamp)
    log_change(store, action, "coverage", found.id, "link", None,
               link_text(product.id, row.id, "manual"), reason, stamp)
    return True


def unlink(store: Store, keyword: str, product_id: str) -> int:
    """Remove every link between a keyword and a product (the change log keeps them, for
    undo); returns the action number. The title route is not a link: a title that holds
    the keyword still covers it."""
    row, product = _live_pair(store, keyword, product_id)
    found = list(Coverage.select().where((Coverage.product == product)
                                         & (Coverage.keyword == row)))
    if not found:
        raise KwtrackError(f"{row.keyword!r} is not linked to {product_id}")
    with database.obj.atomic():
        stamp, action = now(), next_action(store)
        for c in found:
            log_change(store, action, "coverage", c.id, "link",
                       link_text(product.id, row.id, c.source), None, "unlinked by hand", stamp)
            c.delete_instance()
    return action
