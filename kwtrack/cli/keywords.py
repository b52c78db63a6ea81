"""`kwtrack keywords`: the keyword library."""

from __future__ import annotations

import click

from kwtrack.cli.common import State, echo_json, echo_table, pass_state


@click.group()
def keywords() -> None:
    """List and inspect the keyword library."""


@keywords.command("list")
@click.option("-s", "--search", metavar="TEXT", help="Only keywords (or groups) containing TEXT.")
@click.option("-g", "--group", metavar="NAME", help="Only keywords of this group.")
@click.option("-n", "--limit", type=click.IntRange(min=0), default=None,
              help="At most this many rows.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many rows.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records.")
@pass_state
def keywords_list(state: State, search, group, limit, offset, as_json) -> None:
    """List keywords with covering products, recent numbers (last 4 weeks) and P4P bid.

    \b
    Example:
      kwtrack keywords list --group core
      kwtrack keywords list --search "walking shoes" --json
    """
    from kwtrack.catalog import list_keywords

    rows = list_keywords(state.store(), search, group=group, offset=offset, limit=limit)
    if as_json:
        echo_json(rows)
        return
    echo_table(["keyword", "group", "index", "products", "impr", "clicks", "spend", "bid"],
               [[r.keyword, r.group, r.search_index, r.products, r.impressions, r.clicks,
                 r.spend, r.bid] for r in rows], widths={0: 50})
