"""The change log: every edit recorded field by field, so that `undo` can put it back.

Changes made by one command share an action number; `undo_last` reverses the newest action
that is not undone yet. Deleting a product archives it (sets `archived_at`): nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from peewee import fn

from kwtrack.errors import KwtrackError
from kwtrack.store.models import (
    Bid,
    BidChange,
    Change,
    Coverage,
    GrowthLevel,
    ImportBatch,
    Keyword,
    P4PPlan,
    Product,
    ReviewMark,
    Store,
    current_user,
    database,
    now,
)
from kwtrack.wording import price

ENTITIES = {"product": Product, "keyword": Keyword, "coverage": Coverage, "bid": Bid,
            "p4p": P4PPlan, "mark": ReviewMark, "growth": GrowthLevel}
# The field a row made by an edit is logged under (a P4P entry, a review mark, a growth level
# recorded), its value the row's columns (`entry_text`): undo removes the row, redo makes it
# again with the same id; a row replaced logs its old columns too.
ENTRY = "entry"


@dataclass(frozen=True)
class ChangeLine:
    """One logged change, as `kwtrack history` shows it."""

    action: int
    changed_at: dt.datetime
    entity: str
    entity_id: int
    label: str
    field: str
    old: str | None
    new: str | None
    reason: str | None
    undone: bool
    by: str | None = None  # who made it (`current_user`; None: not known)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def write_marks(store: Store) -> tuple:
    """What the store's import log and change log hold, in brief: it differs after any
    committed import, edit, delete or undo (so an interrupted command can tell whether its
    work went in)."""
    batches = ImportBatch.select(fn.MAX(ImportBatch.id)).where(ImportBatch.store == store)
    changes = Change.select(fn.MAX(Change.id), fn.COUNT(Change.undone_at)).where(
        Change.store == store)
    return (batches.scalar(), *changes.tuples().get())


def next_action(store: Store) -> int:
    """A fresh action number for a command's changes."""
    return (Change.select(fn.MAX(Change.action)).where(Change.store == store).scalar() or 0) + 1


def entry_text(**columns) -> str:
    """A new row's columns as its ENTRY change keeps them (JSON; dates as ISO text)."""
    return json.dumps({name: value.isoformat() if isinstance(value, dt.date) else value
                       for name, value in columns.items()}, sort_keys=True)


def log_change(store: Store, action: int, entity: str, entity_id: int, field: str, old,
               new, reason: str | None, stamp: dt.datetime | None = None) -> Change:
    """Record one edited field in the change log (the caller makes the edit itself, in the
    same transaction), under the command's `action` number."""
    return Change.create(store=store, action=action, entity=entity, entity_id=entity_id,
                         field=field, old=_text(old), new=_text(new), reason=reason,
                         changed_at=stamp or now(), changed_by=current_user())


def archive_products(store: Store, product_ids: list[str], reason: str) -> int:
    """Archive (delete) products, logging each; returns the action number."""
    products = list(Product.select().where((Product.store == store)
                                           & Product.product_id.in_(product_ids)
                                           & Product.archived_at.is_null()))
    found = {p.product_id for p in products}
    missing = [pid for pid in product_ids if pid not in found]
    if missing:
        raise KwtrackError(f"no live product {', '.join(missing[:10])}")
    with database.obj.atomic():
        action = next_action(store)
        stamp = now()
        for p in products:
            log_change(store, action, "product", p.id, "archived_at", None, stamp, reason, stamp)
            p.archived_at = stamp
            p.save()
    return action


def _parse_like(model, field: str, text: str | None):
    """A logged text value back as the field's Python value."""
    if text is None:
        return None
    column = model._meta.fields[field]
    return column.python_value(text) if hasattr(column, "python_value") else text


def undo_last(store: Store) -> list[ChangeLine]:
    """Reverse the newest action not undone yet; returns its changes (empty when none)."""
    action = (Change.select(fn.MAX(Change.action))
              .where((Change.store == store) & Change.undone_at.is_null()).scalar())
    return [] if action is None else _replay(store, action, redo=False)


def action_to_redo(store: Store) -> int | None:
    """The action `redo_last` would apply again: the one undone last, unless an edit was made
    since (an edit after an undo starts a new line of changes, as in any editor)."""
    undone = (Change.select(Change.action, Change.undone_at)
              .where((Change.store == store) & Change.undone_at.is_null(False))
              .order_by(Change.undone_at.desc(), Change.action).first())
    if undone is None:
        return None
    later = Change.select().where((Change.store == store) & (Change.action > undone.action)
                                  & Change.undone_at.is_null())
    return None if later.exists() else undone.action


def redo_last(store: Store) -> list[ChangeLine]:
    """Apply again the action undone last (`action_to_redo`); returns its changes (empty when
    there is nothing to redo). An undone import is redone by importing the file again."""
    action = action_to_redo(store)
    return [] if action is None else _replay(store, action, redo=True)


def _replay(store: Store, action: int, *, redo: bool) -> list[ChangeLine]:
    """Undo an action's changes (newest first, back to their old values) or redo them (in
    order, to their new values), in one transaction; returns them."""
    order = Change.id if redo else Change.id.desc()
    changes = list(Change.select().where((Change.store == store) & (Change.action == action))
                   .order_by(order))
    with database.obj.atomic():
        stamp = now()
        # (to the microsecond: `redo_last` takes the action undone last, and an undo, an
        # edit and another undo can come within one second, from a script)
        undone = None if redo else dt.datetime.now()
        for change in changes:
            _apply(change, change.new if redo else change.old, stamp, "redo" if redo else "undo")
            change.undone_at, change.undone_by = undone, None if redo else current_user()
            change.save()
    return _lines(changes)


def _apply(change: Change, text: str | None, stamp: dt.datetime, why: str) -> None:
    """Put a logged field back to `text` (its old value for undo, its new one for redo)."""
    if change.entity == "coverage" and change.field == "link":
        # a link made (text None: remove it) or removed (text: make it again, as it was)
        Coverage.delete().where(Coverage.id == change.entity_id).execute()
        if text is not None:
            product, keyword, source = text.split(":")
            Coverage.insert(id=change.entity_id, product=int(product), keyword=int(keyword),
                            source=source, created_at=stamp).execute()
        return
    if change.field == ENTRY or (change.entity == "bid" and change.field == "status"
                                 and change.old is None):
        _apply_entry(change, text, stamp)
        return
    model = ENTITIES[change.entity]
    value = _parse_like(model, change.field, text)
    if change.entity == "bid" and change.field in ("bid", "status"):
        _log_bid_change(change, value, stamp, why)
    model.update({change.field: value, **model.derived(change.field, value)}).where(
        model.id == change.entity_id).execute()


def _apply_entry(change: Change, text: str | None, stamp: dt.datetime) -> None:
    """Remove a row an edit made (undo: `text` None) or make it again (redo), or put back a
    row it replaced (`text` its columns, in the place of the row there now). A P4P entry an
    older kwtrack logged as a status change (no keyword kept) is removed, not made again."""
    model = ENTITIES[change.entity]
    if text is not None and change.field != ENTRY:
        raise KwtrackError(f"change {change.action} made a P4P entry that cannot be made again "
                           "here: set the bid with `kwtrack bids set`")
    model.delete().where(model.id == change.entity_id).execute()
    if text is None:
        return
    columns = json.loads(text)
    for name in ("created_at", "updated_at"):  # (made again now)
        if name in model._meta.fields:
            columns[name] = stamp
    model.insert(id=change.entity_id, **columns).execute()


def _log_bid_change(change: Change, value, stamp: dt.datetime, why: str) -> None:
    """An undone or redone bid or status change is itself a change in the bid's history."""
    bid = Bid.get_or_none(Bid.id == change.entity_id)
    if bid is None:
        return
    old_bid, old_status = bid.bid, bid.status
    new_bid = value if change.field == "bid" else old_bid
    new_status = value if change.field == "status" else old_status
    BidChange.create(bid=bid, old_bid=old_bid, new_bid=new_bid, old_status=old_status,
                     new_status=new_status, changed_at=stamp,
                     reason=f"{why} of change {change.action}")


def _lines(changes: list[Change]) -> list[ChangeLine]:
    labels = {}
    for entity in {c.entity for c in changes}:
        ids = [c.entity_id for c in changes if c.entity == entity]
        if entity == "product":
            labels.update({("product", i): pid for i, pid in Product.select(
                Product.id, Product.product_id).where(Product.id.in_(ids)).tuples()})
        elif entity == "keyword":
            labels.update({("keyword", i): k for i, k in Keyword.select(
                Keyword.id, Keyword.keyword).where(Keyword.id.in_(ids)).tuples()})
        elif entity == "coverage":
            labels.update(_link_labels([c for c in changes if c.entity == "coverage"]))
        elif entity == "bid":  # (a bid is named by its keyword; an entry undone, by its log)
            entries = {c.entity_id: json.loads(c.new or c.old)["keyword"] for c in changes
                       if c.entity == "bid" and c.field == ENTRY and (c.new or c.old)}
            words = dict(Keyword.select(Keyword.id, Keyword.keyword)
                         .where(Keyword.id.in_(list(entries.values()))).tuples())
            labels.update({("bid", i): words[k] for i, k in entries.items() if k in words})
            labels.update({("bid", i): k for i, k in Bid.select(Bid.id, Keyword.keyword)
                           .join(Keyword).where(Bid.id.in_(ids)).tuples()})
    labels.update({("p4p", c.entity_id): "plan" for c in changes if c.entity == "p4p"})
    labels.update({("growth", c.entity_id): "level" for c in changes if c.entity == "growth"})
    labels.update(_mark_labels([c for c in changes if c.entity == "mark"]))
    return [ChangeLine(c.action, c.changed_at, c.entity, c.entity_id,
                       labels.get((c.entity, c.entity_id), str(c.entity_id)), c.field,
                       _shown(c, c.old), _shown(c, c.new), c.reason, c.undone_at is not None,
                       c.changed_by)
            for c in changes]


def _shown(change: Change, value: str | None) -> str | None:
    """A logged value as people read it: a bid as money (logged as `2.0`, shown `2.00`)."""
    if value is not None and change.entity == "bid" and change.field in ("bid", "min_bid",
                                                                          "max_bid"):
        return price(float(value))
    if value is not None and change.field == ENTRY:
        row = json.loads(value)
        if change.entity == "bid":
            return f"in P4P ({row['status']})"
        if change.entity == "growth":
            level = f"L{row['level']}, " if row["level"] is not None else ""
            return f"{level}{row['points']:g} points on {row['recorded_on']}"
        return (f"{row['section']}: snoozed to {row['until']}" if row.get("until")
                else f"{row['section']}: done")
    return value


def _mark_labels(changes: list[Change]) -> dict[tuple[str, int], str]:
    """Logged review marks named by their keyword or product ID."""
    rows = {c.entity_id: json.loads(c.new or c.old) for c in changes if c.new or c.old}
    keywords = dict(Keyword.select(Keyword.id, Keyword.keyword).where(
        Keyword.id.in_([r["keyword"] for r in rows.values() if r.get("keyword")])).tuples())
    products = dict(Product.select(Product.id, Product.product_id).where(
        Product.id.in_([r["product"] for r in rows.values() if r.get("product")])).tuples())
    return {("mark", i): keywords.get(r.get("keyword")) or products.get(r.get("product"), "?")
            for i, r in rows.items()}


def _link_labels(changes: list[Change]) -> dict[tuple[str, int], str]:
    """Logged links named as `keyword ↔ product ID`."""
    pairs = {c.entity_id: tuple(map(int, (c.old or c.new).split(":")[:2]))
             for c in changes if c.field == "link" and (c.old or c.new)}
    products = dict(Product.select(Product.id, Product.product_id).where(
        Product.id.in_([p for p, _ in pairs.values()])).tuples())
    keywords = dict(Keyword.select(Keyword.id, Keyword.keyword).where(
        Keyword.id.in_([k for _, k in pairs.values()])).tuples())
    return {("coverage", i): f"{keywords.get(k, k)} ↔ {products.get(p, p)}"
            for i, (p, k) in pairs.items()}


def history(store: Store, limit: int = 50, by: str | None = None) -> list[ChangeLine]:
    """The newest logged changes, newest first; `by`: only those this person made."""
    query = Change.select().where(Change.store == store)
    if by is not None:
        query = query.where(Change.changed_by == by)
    return _lines(list(query.order_by(Change.id.desc()).limit(limit)))


def timeline(store: Store, limit: int = 50) -> list:
    """The newest changes (`ChangeLine`) and imported files (`kwtrack.imports.ImportLine`)
    together, newest first, as many as `limit`: what `undo` takes back next is the first not
    undone (at the same second, the change: `newest_is_an_import`)."""
    from kwtrack.imports import list_imports

    events = [*history(store, limit), *list_imports(store, limit)]
    # (a stable sort: at the same time, changes stay before imports)
    events.sort(key=lambda e: e.changed_at if isinstance(e, ChangeLine) else e.imported_at,
                reverse=True)
    return events[:limit]


def newest_is_an_import(store: Store) -> bool:
    """Whether the store's newest change, not undone, is an import (not an edit)."""
    batch = (ImportBatch.select(fn.MAX(ImportBatch.imported_at))
             .where((ImportBatch.store == store) & ImportBatch.undone_at.is_null()).scalar())
    edit = (Change.select(fn.MAX(Change.changed_at))
            .where((Change.store == store) & Change.undone_at.is_null()).scalar())
    # (to the second: a tie is taken as the edit, made after the import it follows)
    return batch is not None and (edit is None or str(batch) > str(edit))


def import_to_undo(store: Store) -> ImportBatch | None:
    """The import `undo` would take back next; None when that is an edit (or nothing)."""
    from kwtrack.imports import newest_import

    return newest_import(store) if newest_is_an_import(store) else None


def someone_elses_newest(store: Store) -> str | None:
    """The change `undo` would take back next, in a few words, when another person made it
    (`current_user`, in a team's shared database); None when it is yours, nobody's on record,
    or there is none."""
    me = current_user()
    batch = import_to_undo(store)
    if batch is not None:
        who, when, what = (batch.imported_by, batch.imported_at,
                           f"import {batch.id}: {batch.file_name}")
    else:
        action = (Change.select(fn.MAX(Change.action))
                  .where((Change.store == store) & Change.undone_at.is_null()).scalar())
        if action is None:
            return None
        changes = _changes_of(store, action)
        who, when, what = changes[0].changed_by, changes[0].changed_at, _described(changes)
    if who is None or me is None or who == me:
        return None
    return f"{who}'s {what} ({str(when)[:16]})"


def someone_elses_undo(store: Store) -> str | None:
    """The change `redo` would apply again, in a few words, when another person undid it
    (a teammate took it back on purpose); None when you did, nobody on record, or none."""
    action = action_to_redo(store)
    if action is None:
        return None
    changes = _changes_of(store, action)
    who, me = changes[0].undone_by, current_user()
    if who is None or me is None or who == me:
        return None
    return f"{who}'s undo of {_described(changes)} ({str(changes[0].undone_at)[:16]})"


def _changes_of(store: Store, action: int) -> list[Change]:
    return list(Change.select().where((Change.store == store) & (Change.action == action))
                .order_by(Change.id))


def _described(changes: list[Change]) -> str:
    """An action in a few words: `change 4: keyword sandals notes, …`."""
    lines = _lines(changes)
    return f"change {changes[0].action}: " + ", ".join(_what(line) for line in lines[:3]) + (
        f" and {len(lines) - 3} more" if len(lines) > 3 else "")


def undo(store: Store, import_id: int | None = None, *, theirs: bool = False,
         asked: str | None = None) -> str | None:
    """Undo the store's newest change, whichever kind (an import, or an edit, a delete, a
    bid); returns one line saying what was undone, None when there is nothing to undo.
    `import_id`: the import the user agreed to undo (`import_to_undo`), refused when the
    newest change is no longer that import. Another person's change (`someone_elses_newest`)
    is refused unless `theirs`: in a shared database, `u` would otherwise take back a
    teammate's work. `asked`: the other person's change the user agreed to undo, refused when
    it is no longer the newest."""
    other = someone_elses_newest(store) if not theirs or asked is not None else None
    _unless_agreed(other, theirs, asked, "is no longer the newest change: nothing was undone",
                   f"the newest change is {other}: nothing was undone; undo takes changes "
                   "back newest first, so yours come after it (`kwtrack undo --theirs` takes "
                   "it back)")
    batch = import_to_undo(store)
    if import_id is not None and (batch is None or batch.id != import_id):
        raise KwtrackError(f"import {import_id} is no longer the newest change: nothing was "
                           "undone")
    if batch is not None:
        from kwtrack.imports import undo_import

        batch = undo_import(store, batch.id)
        return (f"undid import {batch.id}: {batch.file_name} ({batch.kind}); its rows are "
                "gone and what it overwrote is back")
    lines = undo_last(store)
    return _said("undid", lines)


NOTHING_TO_REDO = "nothing to redo (an undone import comes back by importing its file again)"


def redo(store: Store, *, theirs: bool = False, asked: str | None = None) -> str | None:
    """Apply again the change undone last (`redo_last`); one line saying what, or None.
    A change another person undid (`someone_elses_undo`) is refused unless `theirs`: they
    took it back on purpose. `asked`: the undo the user agreed to reverse, refused when it is
    no longer the one to redo."""
    other = someone_elses_undo(store) if not theirs or asked is not None else None
    _unless_agreed(other, theirs, asked, "is no longer the change to redo: nothing was redone",
                   f"the change undone last is {other}: nothing was redone (`kwtrack redo "
                   "--theirs` applies it again)")
    return _said("redid", redo_last(store))


def _unless_agreed(other: str | None, theirs: bool, asked: str | None, gone: str,
                   refused: str) -> None:
    """Refuse to undo or redo another person's work (`other`) unless told (`theirs`), and
    work the user agreed to (`asked`) that is no longer the one next in line."""
    if asked is not None and other != asked:
        raise KwtrackError(f"{asked} {gone}")
    if not theirs and other is not None:
        raise KwtrackError(refused)


def _said(verb: str, lines: list[ChangeLine]) -> str | None:
    """One line: what was undone or redone, and each field's value now."""
    if not lines:
        return None

    def now(line: ChangeLine) -> str:
        value = line.old if verb == "undid" else line.new
        if line.field == "link":  # (the logged value is the link's ids)
            return "linked" if value else "not linked"
        value = value or "-"
        return value if len(value) <= 40 else value[:39] + "…"

    return f"{verb} change {lines[0].action}: " + ", ".join(
        f"{_what(line)} (now {now(line)})" for line in lines[:5]) + (
        f" and {len(lines) - 5} more" if len(lines) > 5 else "")


def _what(line: ChangeLine) -> str:
    """A changed field in a few words: "bid of walking shoes", not "bid walking shoes bid"."""
    if line.field == line.entity:
        return f"{line.field} of {line.label}"
    return f"{line.entity} {line.label} {line.field}"


def changes_of(store: Store, entity: str, label: str, limit: int = 5) -> list[ChangeLine]:
    """The newest logged changes of one product (by product ID) or keyword (by its text),
    newest first."""
    from kwtrack.words import normalise_keyword

    if entity == "product":
        row = Product.get_or_none((Product.store == store) & (Product.product_id == label))
    else:
        row = Keyword.get_or_none((Keyword.store == store)
                                  & (Keyword.norm == normalise_keyword(label)))
    if row is None:
        return []
    return _lines(list(Change.select().where((Change.store == store) & (Change.entity == entity)
                                             & (Change.entity_id == row.id))
                       .order_by(Change.id.desc()).limit(limit)))
