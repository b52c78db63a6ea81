"""`kwtrack keywords`: the keyword library."""

from __future__ import annotations

from textwrap import shorten

import click

from kwtrack.cli.common import (
    ROWS,
    WEEKS,
    State,
    coverers_text,
    echo_json,
    echo_table,
    given,
    none_listed,
    pass_state,
)
from kwtrack.wording import counted, price


@click.group()
def keywords() -> None:
    """List and inspect the keyword library."""


@keywords.command("list")
@click.option("-s", "--search", metavar="TEXT", help="Only keywords (or groups) containing "
              "TEXT; terms too: group:core, route:none, tracked:y, p4p:n, impr>1000, "
              "inq>0, bid<=2.5, spend<1.")
@click.option("-g", "--group", metavar="NAME", help="Only keywords of this group.")
@click.option("-n", "--limit", type=ROWS, default=None,
              help="At most this many rows.")
@click.option("--offset", type=ROWS, default=0, help="Skip this many rows.")
@click.option("--sort", metavar="FIELD", help="Sort by FIELD: impressions, clicks, … (a "
              "wrong one lists them); unknown values last.")
@click.option("--desc", is_flag=True, help="Sort the other way (largest first).")
@click.option("--weeks", type=WEEKS, default=None, metavar="N",
              help="Numbers over the last N weeks of data (default 4; 13 for the monthly "
              "analysis).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records.")
@pass_state
def keywords_list(state: State, search, group, limit, offset, as_json, sort, desc,
                  weeks) -> None:
    """List keywords with covering products, recent numbers (last 4 weeks) and P4P bid.

    \b
    Example:
      kwtrack keywords list --group core
      kwtrack keywords list --search "walking shoes" --json
      kwtrack keywords list --weeks 13 --sort inquiries --desc -s "inq>0 p4p:n"
                                  # the words that brought inquiries, not in P4P
    """
    from kwtrack.catalog import (
        RECENT_WEEKS,
        keyword_window_said,
        list_keywords,
        recent_keyword_window,
        weeks_without_keyword_stats,
    )
    from kwtrack.review import week_name

    store = state.store()
    rows = list_keywords(store, search, group=group, offset=offset, limit=limit,
                         sort=sort, descending=desc, weeks=weeks or RECENT_WEEKS)
    if as_json:
        echo_json(rows)
        return
    echo_table(["keyword", "group", "index", "products", "impr", "clicks", "inq", "spend",
                "bid"],
               [[r.keyword, r.group, r.search_index, r.products, r.impressions, r.clicks,
                 r.inquiries, price(r.spend), price(r.bid)] for r in rows], widths={0: 50},
               empty=none_listed("keywords", store.name,
                                 " ".join(filter(None, (search, group and f"group:{group}"))),
                                 offset))
    if rows and weeks:  # (the span asked for, as the stats give it)
        click.echo(f"numbers: {keyword_window_said(recent_keyword_window(store, weeks))}",
                   err=True)
    missing = weeks_without_keyword_stats(store, weeks or RECENT_WEEKS) if rows else []
    if missing:  # (a keyword report not imported: the totals are of fewer weeks)
        them = "it" if len(missing) == 1 else "them"
        click.echo(f"no keyword stats for {', '.join(map(week_name, missing))}: the "
                   f"{weeks or RECENT_WEEKS}-week figures leave {them} out", err=True)


@keywords.command("track")
@click.argument("words", nargs=-1, required=True)
@pass_state
def keywords_track(state: State, words) -> None:
    """Track keywords on their own between weekly reviews (the review lists them).

    \b
    Example:
      kwtrack keywords track "walking shoes" "zapatos de hombre"
    """
    from kwtrack.review import set_tracked

    changed = set_tracked(state.store(), list(words), True)
    click.echo(f"{counted(changed, 'keyword')} now tracked")


@keywords.command("untrack")
@click.argument("words", nargs=-1, required=True)
@pass_state
def keywords_untrack(state: State, words) -> None:
    """Stop tracking keywords.

    \b
    Example:
      kwtrack keywords untrack "walking shoes"
    """
    from kwtrack.review import set_tracked

    changed = set_tracked(state.store(), list(words), False)
    click.echo(f"{counted(changed, 'keyword')} no longer tracked")


@keywords.command("show")
@click.argument("word")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records.")
@pass_state
def keywords_show(state: State, word: str, as_json: bool) -> None:
    """A keyword's weekly history, organic and P4P, as a table with a sparkline, the live
    products covering it (when none does: the titles that could carry it), its group,
    status, P4P bid and notes.

    \b
    Example:
      kwtrack keywords show "walking shoes"
    """
    from kwtrack.catalog import keyword_details
    from kwtrack.charts import sparkline
    from kwtrack.edits import carriers
    from kwtrack.review import keyword_history, week_name

    store = state.store()
    keyword, weeks = keyword_history(store, word)
    details = keyword_details(store, keyword.keyword)
    routes: dict[str, list[str]] = {}  # product ID → its routes (title matches: the first 50)
    for p in details.products:
        routes.setdefault(p.product_id, []).append(p.source)
    could = [] if routes else carriers(store, keyword.keyword, limit=3)
    row = details.keyword
    if as_json:
        echo_json({"keyword": keyword.keyword, "group": row.group, "status": details.status,
                   "bid": row.bid, "p4p_status": row.p4p_status, "notes": details.notes,
                   "products": details.keyword.products,
                   "covered_by": [{"product_id": p.product_id, "title": p.title,
                                   "via": p.source} for p in details.products],
                   "could_carry": [{"product_id": i, "title": t} for i, t in could],
                   "weeks": weeks})
        return
    click.echo(f"{keyword.keyword}  impressions {sparkline([w.impressions for w in weeks])}"
               + ("  (tracked)" if keyword.tracked_at else ""))
    if routes:
        others = details.keyword.products - min(4, len(routes))
        click.echo(f"covered by {counted(details.keyword.products, 'live product')}: "
                   + coverers_text(list(routes.items())[:4], others))
    else:
        click.echo("covered by no live product"
                   + ("; titles that could carry it (`kwtrack keywords link WORD ID`):"
                      if could else ""))
        for product_id, title in could:
            click.echo(f"  {product_id}  {shorten(title, 80, placeholder=' …')}")
    click.echo(" · ".join(filter(None, (
        f"group {row.group}" if row.group else "no group",
        f"status {details.status}" if details.status else None,
        f"P4P bid {price(row.bid)} ({row.p4p_status})" if row.bid is not None
        else "not in P4P", f"notes: {details.notes}" if details.notes else None))))
    echo_table(["week", "organic impr", "organic clicks", "p4p impr", "p4p clicks", "spend",
                "inquiries", "index"],
               [[week_name(w.week), w.organic_impressions, w.organic_clicks,
                 w.p4p_impressions, w.p4p_clicks, price(w.p4p_spend), w.inquiries, w.search_index]
                for w in weeks])


@keywords.command("add")
@click.argument("keyword")
@click.option("-g", "--group", help="Its group (core, rising, …).")
@click.option("--status", help="Its status.")
@click.option("--notes", help="Notes.")
@pass_state
def keywords_add(state: State, keyword: str, group, status, notes) -> None:
    """Add a keyword to the library (an archived one comes back); `kwtrack undo` archives
    it again.

    \b
    Example:
      kwtrack keywords add "slip on walking shoes" --group rising
    """
    from kwtrack.edits import add_keyword
    from kwtrack.words import clean_display

    action = add_keyword(state.store(), {"keyword": keyword, "group": group or "",
                                         "status": status or "", "notes": notes or ""})
    click.echo(f"added {clean_display(keyword)!r} (change {action})")  # (as the library has it)


@keywords.command("edit")
@click.argument("keyword")
@click.option("-g", "--group", help="A new group ('' clears it).")
@click.option("--status", help="A new status.")
@click.option("--notes", help="New notes.")
@click.option("-r", "--reason", help="Why (kept in the change log).")
@pass_state
def keywords_edit(state: State, keyword: str, group, status, notes, reason) -> None:
    """Change a keyword's group, status or notes; `kwtrack undo` puts them back.

    \b
    Example:
      kwtrack keywords edit "walking shoes" --group core
    """
    from kwtrack.edits import edit_keyword

    values = given(group=group, status=status, notes=notes)
    if not values:
        raise click.UsageError("say what to change: --group, --status or --notes")
    action = edit_keyword(state.store(), keyword, values, reason=reason)
    click.echo(f"edited {keyword!r} (change {action})")


@keywords.command("delete")
@click.argument("words", nargs=-1, required=True)
@click.option("-r", "--reason", help="Why (kept in the change log).")
@pass_state
def keywords_delete(state: State, words, reason) -> None:
    """Delete (archive) keywords from the library, together: they leave the lists, the
    review and the coverage check; their stats and links are kept, and `kwtrack undo` (or
    `kwtrack keywords add WORD`) brings them back. A word with an active P4P bid is refused.

    \b
    Example:
      kwtrack keywords delete "zapatos de hombre" "shoes shoes" --reason "not our market"
    """
    from kwtrack.edits import delete_keywords

    action, deleted = delete_keywords(state.store(), list(words), reason=reason)
    click.echo(f"deleted {', '.join(map(repr, deleted))} (change {action}; `kwtrack undo` "
               f"brings {'it' if len(deleted) == 1 else 'them'} back)")


@keywords.command("link")
@click.argument("keyword")
@click.argument("product_id")
@click.option("--add", is_flag=True, help="Add KEYWORD to the library first if it is not there "
              "(one change: `kwtrack undo` takes both back).")
@pass_state
def keywords_link(state: State, keyword: str, product_id: str, add: bool) -> None:
    """Link KEYWORD to a product by hand (a manual link: the product covers it).

    \b
    Example:
      kwtrack keywords link "walking shoes" 1600000022533
      kwtrack keywords link "memory foam sneakers" 1600000022533 --add
    """
    from kwtrack.edits import link

    action = link(state.store(), keyword, product_id, add=add)
    click.echo(f"linked {keyword!r} to {product_id} (change {action})")


@keywords.command("unlink")
@click.argument("keyword")
@click.argument("product_id")
@pass_state
def keywords_unlink(state: State, keyword: str, product_id: str) -> None:
    """Remove the links between KEYWORD and a product (`kwtrack undo` restores them). A
    title holding the keyword still covers it.

    \b
    Example:
      kwtrack keywords unlink "walking shoes" 1600000022533
    """
    from kwtrack.edits import unlink

    action = unlink(state.store(), keyword, product_id)
    click.echo(f"unlinked {keyword!r} from {product_id} (change {action})")
