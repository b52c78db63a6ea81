"""`kwtrack products`: list, zero-effect products, delete (after the coverage check)."""

from __future__ import annotations

import sys

import click

from kwtrack.cli.common import (
    DAYS,
    ROWS,
    State,
    ask_first,
    echo_json,
    echo_table,
    given,
    none_listed,
    parse_as_of,
    pass_state,
    zero_effect_window,
)
from kwtrack.errors import KwtrackError
from kwtrack.wording import counted, number


@click.group()
def products() -> None:
    """List and inspect the store's products."""


@products.command("list")
@click.option("-s", "--search", metavar="TEXT", help="Only titles, IDs or categories with "
              "TEXT; terms too: status:offline, route:none, impr<50, score>=80, archived:y (the "
              "deleted).")
@click.option("-n", "--limit", type=ROWS, default=None,
              help="At most this many rows.")
@click.option("--offset", type=ROWS, default=0, help="Skip this many rows.")
@click.option("--sort", metavar="FIELD", help="Sort by FIELD: impressions, clicks, … (a "
              "wrong one lists them); unknown values last.")
@click.option("--desc", is_flag=True, help="Sort the other way (largest first).")
@click.option("--archived", is_flag=True, help="Include archived (deleted) products.")
@click.option("--days", type=DAYS, default=None, metavar="N",
              help="Numbers over the last N days of data (default 30; 360 for a hot "
                   "product's year).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records.")
@pass_state
def products_list(state: State, search, limit, offset, archived, days, as_json, sort,
                  desc) -> None:
    """List products with their keyword count and recent numbers (the last 30 days of data,
    whole reports: weekly ones, the last four weeks).

    \b
    Example:
      kwtrack products list --search sandals --limit 20
      kwtrack products list --days 90 --sort inquiries --desc   # the monthly analysis
      kwtrack products list --json > products.json
    """
    from kwtrack.catalog import (
        RECENT_DAYS,
        list_products,
        recent_product_gap,
        recent_product_window,
        window_said,
    )

    store = state.store()
    rows = list_products(store, search, offset=offset, limit=limit,
                         include_archived=archived, sort=sort, descending=desc,
                         days=days or RECENT_DAYS)
    if as_json:
        echo_json(rows)
    else:
        echo_table(["product_id", "title", "status", "kw", "impr", "clicks", "inq"],
                   [[r.product_id, r.title, r.status + (" (archived)" if r.archived else ""),
                     r.keywords, r.impressions, r.clicks, r.inquiries] for r in rows],
                   widths={1: 70}, empty=none_listed("products", store.name, search, offset))
    if rows and days:  # (the span asked for, as the stats give it: fewer days, whole reports)
        click.echo(f"numbers: {window_said(recent_product_window(store, days))}", err=True)
    gap = recent_product_gap(store, days or RECENT_DAYS) if rows else None
    if gap:  # (a report not imported: the numbers are of fewer days than they say)
        click.echo(gap, err=True)


@products.command("show")
@click.argument("product_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def products_show(state: State, product_id: str, as_json: bool) -> None:
    """A product: its numbers over the recent days of data, the keywords it covers and by
    which route (keyword field, manual, search term, title), and its last 12 weeks.

    \b
    Example:
      kwtrack products show 1600000022533
    """
    from kwtrack.catalog import product_details, product_weeks, window_said
    from kwtrack.charts import sparkline
    from kwtrack.review import week_name

    store = state.store()
    product_id = product_id.strip()
    found = product_details(store, product_id)
    if found is None:
        raise KwtrackError(f"no product {product_id!r} in store {store.name!r}")
    weeks = product_weeks(store, product_id)
    if as_json:
        echo_json({"product": found.product, "window": found.window,
                   "keywords": [{"keyword": k, "via": via} for k, via in found.keywords],
                   "weeks": weeks})
        return
    p = found.product
    flags = [p.status + (" (archived)" if p.archived else ""), p.category,
             "showcase" if p.showcase else None, "hot product" if p.hot else None,
             None if p.score is None else f"score {p.score:g}"]
    click.echo(f"{p.product_id}  {p.title}")
    click.echo("  " + " · ".join(f for f in flags if f))
    click.echo(f"  {window_said(found.window)}: impressions {number(p.impressions)}, "
               f"clicks {number(p.clicks)}, inquiries {number(p.inquiries)}")
    if found.gap:
        click.echo(f"  ({found.gap})")
    click.echo(f"  covers {counted(len(found.keywords), 'keyword')}"
               + (f"; impressions by week {sparkline([w.impressions for w in weeks])}"
                  if weeks else ""))
    echo_table(["keyword", "via"], [[k, via] for k, via in found.keywords],
               empty="no keyword: no link, and its title holds no keyword of the library")
    if weeks:
        click.echo()
        # (ISO weeks, as the review and `keywords show` name them)
        echo_table(["week", "impressions", "clicks", "inquiries"],
                   [[week_name(w.monday), w.impressions, w.clicks, w.inquiries]
                    for w in weeks])


@products.command("zero-effect")
@zero_effect_window
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def products_zero_effect(state: State, days: int, as_of: str | None, as_json: bool) -> None:
    """List live products with no effect (impressions, clicks, visitors, favourites,
    inquiries, TM chats, orders) over the last DAYS days, published at least DAYS days ago.
    Exit status 4, naming no product, when imported product stats do not cover every day of
    the window (a day without stats is unknown, not zero).

    \b
    Example:
      kwtrack products zero-effect --days 90 --as-of 2026-11-22
    """
    from kwtrack.cleanup import zero_effect_products

    report = zero_effect_products(state.store(), days=days, as_of=parse_as_of(as_of))
    if as_json:
        echo_json(report)
        return
    echo_table(["product_id", "title"], [[p.product_id, p.title] for p in report.products],
               widths={1: 90})
    click.echo(f"{len(report.products)} zero-effect products over {days} days to {report.as_of}",
               err=True)


@products.command("delete")
@click.argument("product_ids", nargs=-1)
@click.option("--zero-effect", is_flag=True, help="Also every zero-effect product (over --days "
              "to --as-of, as `products zero-effect` lists them).")
@zero_effect_window
@click.option("--only-safe", is_flag=True, help="Archive only the products whose deletion "
              "orphans nothing, and keep (and list) the others.")
@click.option("--force", is_flag=True, help="Delete even if keywords would be orphaned.")
@click.option("--strict", is_flag=True, help="Check coverage without the title route.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def products_delete(state: State, product_ids, zero_effect: bool, days: int, as_of: str | None,
                    only_safe: bool, force: bool, strict: bool, yes: bool) -> None:
    """Archive products after the coverage check; refuses (exit 3) if keywords would be
    orphaned, unless --force (or --only-safe, which keeps those that would orphan some).
    Prints the archived products (to delete in Alibaba.com's back end too); `kwtrack undo`
    brings them back, and `products list --search archived:y` lists them later.

    \b
    Example:
      kwtrack products delete 1600000022533 --yes
      kwtrack products delete --zero-effect --only-safe   # the monthly clean-up
      kwtrack products delete --zero-effect --only-safe --yes > to-delete.txt
    """
    from kwtrack.cleanup import coverage_check
    from kwtrack.history import archive_products

    if not product_ids and not zero_effect:
        raise click.UsageError("name the PRODUCT_IDS to delete, or give --zero-effect")
    if only_safe and force:
        raise click.UsageError("--only-safe keeps what --force would delete: give one of them")
    store = state.store()
    report = coverage_check(store, list(dict.fromkeys(product_ids)), zero_effect=zero_effect,
                            days=days, as_of=parse_as_of(as_of), strict=strict)
    chosen = report.safe if only_safe else report.candidates
    if only_safe:
        # (keeping some candidates live keeps every keyword they cover covered: the safe ones
        # orphan nothing together, without them)
        for c in (kept := [c for c in report.candidates if c.orphaned]):
            click.echo(f"kept {c.product_id}: deleting it would orphan {', '.join(c.orphaned[:5])}"
                       + (f" (+{len(c.orphaned) - 5} more)" if len(c.orphaned) > 5 else ""),
                       err=True)
        if kept:
            click.echo(f"{counted(len(kept), 'product')} kept: deleting them would orphan "
                       "keywords (`kwtrack coverage check` says what to do instead)", err=True)
    elif report.orphaned and not force:
        words = ", ".join(k.keyword for k in report.orphaned[:20])
        more = f" (+{len(report.orphaned) - 20} more)" if len(report.orphaned) > 20 else ""
        orphans = counted(len(report.orphaned), "keyword")
        click.echo(f"kwtrack: error: refusing to delete: {orphans} would "
                   f"be left uncovered: {words}{more} — see `kwtrack coverage check`, or use "
                   "--only-safe or --force", err=True)
        sys.exit(3)
    if not chosen:  # (no zero-effect product, or none safe)
        click.echo("nothing to delete", err=True)
        return
    ids = [c.product_id for c in chosen]
    if not yes:
        ask_first("delete", f"Archive {counted(len(ids), 'product')}:",
                  [f"{c.product_id}  {c.title}" for c in chosen], "`kwtrack undo` restores them")
    orphaned = 0 if only_safe else len(report.orphaned)
    reason = "deleted" + (f", orphaning {counted(orphaned, 'keyword')}" if orphaned else "")
    from kwtrack.store.backup import automatic_backup

    automatic_backup(state.open(), "before-delete")
    action = archive_products(store, ids, reason)
    # (stdout: what to delete in Alibaba.com's back end too, for a file or a script)
    echo_table(["product_id", "title"], [[c.product_id, c.title] for c in chosen],
               widths={1: 90})
    click.echo(f"archived {counted(len(ids), 'product')} (change {action}); "
               "`kwtrack undo` restores them", err=True)


@products.command("set-title")
@click.argument("product_id")
@click.argument("title")
@click.option("-r", "--reason", help="Why (kept in the change log).")
@click.option("--force", is_flag=True, help="Change a hot product's title (needs --reason).")
@pass_state
def products_set_title(state: State, product_id: str, title: str, reason: str | None,
                       force: bool) -> None:
    """Give a product a new TITLE; `kwtrack undo` restores the old one. A hot product's title
    changes only with --force and a --reason, and its figures at the change are logged.

    \b
    Example:
      kwtrack products set-title 1600000022533 "Men's Slip-On Walking Shoes Model A502"
    """
    from kwtrack.catalog import set_title

    old, new = set_title(state.store(), product_id, title, reason=reason, force=force)
    click.echo(f"{product_id}: {old!r} → {new!r}")


@products.command("add")
@click.argument("product_id")
@click.option("--title", required=True, help="The listing's title.")
@click.option("--category", help="Its category.")
@click.option("--status", default="online", show_default=True, help="online or offline.")
@pass_state
def products_add(state: State, product_id: str, title: str, category: str | None,
                 status: str) -> None:
    """Add a product by hand (an archived one with this ID comes back); `kwtrack undo`
    archives it again.

    \b
    Example:
      kwtrack products add 1600123456789 --title "Men's Walking Shoes Model A502"
    """
    from kwtrack.edits import add_product

    action = add_product(state.store(), {"product_id": product_id, "title": title,
                                         "category": category or "", "status": status})
    click.echo(f"added product {product_id} (change {action})")


@products.command("edit")
@click.argument("product_id")
@click.option("--title", help="A new title (a hot product's: use set-title --force).")
@click.option("--category", help="A new category ('' clears it).")
@click.option("--status", help="online or offline.")
@click.option("-r", "--reason", help="Why (kept in the change log).")
@pass_state
def products_edit(state: State, product_id: str, title, category, status, reason) -> None:
    """Change a product's title, category or status; `kwtrack undo` puts them back.

    \b
    Example:
      kwtrack products edit 1600000022533 --status offline --reason "out of stock"
    """
    from kwtrack.edits import edit_product

    values = given(title=title, category=category, status=status)
    if not values:
        raise click.UsageError("say what to change: --title, --category or --status")
    action = edit_product(state.store(), product_id, values, reason=reason)
    click.echo(f"edited product {product_id} (change {action})")
