"""`kwtrack titles check`: a draft title's length, coverage and duplicates, before publishing."""

from __future__ import annotations

import sys

import click

from kwtrack.cli.common import State, echo_json, pass_state
from kwtrack.wording import counted


@click.group("titles")
def titles_group() -> None:
    """Titles: check a draft before publishing a product."""


@titles_group.command("check")
@click.argument("title")
@click.option("--limit", type=click.IntRange(min=20), default=128, show_default=True,
              help="The title limit.")
@click.option("--threshold", type=click.FloatRange(0, 100), default=None,
              help="Near-duplicate title score (default 90).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def titles_check(state: State, title: str, limit: int, threshold: float | None,
                 as_json: bool) -> None:
    """Check a DRAFT title: its length against the limit, the library keywords it would
    cover by the title route, and the live products it would duplicate (and why).

    Exit status 0 when it fits and duplicates nothing, 3 otherwise.

    \b
    Example:
      kwtrack titles check "Breathable Mesh Running Shoes for Men Model R1218"
    """
    from kwtrack.cleanup import check_title

    found = check_title(state.store(), title, limit=limit, threshold=threshold)
    if as_json:
        echo_json(found.to_dict())
    else:
        click.echo(f"length {found.length} of {found.limit}"
                   + ("" if found.fits else f": {found.length - found.limit} too long"))
        click.echo(f"covers {counted(len(found.keywords), 'library keyword')}"
                   + (": " + ", ".join(found.keywords) if found.keywords else ""))
        for d in found.duplicates:
            click.echo(f"duplicates {d.product_id} ({d.score}, {d.reason}): {d.title}")
        if not found.duplicates:
            click.echo("duplicates no live product")
    if not found.fits or found.duplicates:
        sys.exit(3)
