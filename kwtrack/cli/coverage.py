"""`kwtrack coverage check` and `kwtrack dupes`: what deleting would orphan, and duplicate
listings."""

from __future__ import annotations

import sys

import click

from kwtrack.cli.common import (
    State,
    ask_first,
    coverers_text,
    echo_json,
    echo_table,
    parse_as_of,
    pass_state,
    zero_effect_window,
)
from kwtrack.wording import counted, number


@click.group("coverage")
def coverage_group() -> None:
    """The pre-deletion coverage check."""


@coverage_group.command("check")
@click.argument("product_ids", nargs=-1)
@click.option("--zero-effect", is_flag=True, help="Also check every zero-effect product.")
@zero_effect_window
@click.option("--strict", is_flag=True, help="Ignore the title route (keyword, manual, search "
              "links only).")
@click.option("--threshold", type=click.FloatRange(0, 100), default=None,
              help="Near-duplicate title score (default 90).")
@click.option("--title-limit", type=click.IntRange(min=20), default=128, show_default=True,
              help="Longest title a suggestion may propose.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def coverage_check_cmd(state: State, product_ids, zero_effect, days, as_of, strict, threshold,
                       title_limit, as_json) -> None:
    """Say which keywords would lose all coverage if PRODUCT_IDS were deleted together.

    Exit status 0 when nothing would be orphaned, 3 when some keyword would be, 4 when
    --zero-effect's window is not fully covered by imported product stats (no product is
    named then: a day without stats is unknown, not zero).

    \b
    Example:
      kwtrack coverage check 1600000022533 1600000079194
      kwtrack coverage check --zero-effect --as-of 2026-11-22 --json
    """
    from kwtrack.cleanup import coverage_check

    if not product_ids and not zero_effect:
        raise click.UsageError("name PRODUCT_IDS or use --zero-effect")
    report = coverage_check(state.store(), list(dict.fromkeys(product_ids)),
                            zero_effect=zero_effect, days=days, as_of=parse_as_of(as_of),
                            strict=strict, threshold=threshold, title_limit=title_limit)
    if as_json:
        echo_json(report.to_dict())
    else:
        print_coverage(report)
    if report.orphaned:
        sys.exit(3)


@coverage_group.command("link-carriers")
@click.argument("product_ids", nargs=-1)
@click.option("--zero-effect", is_flag=True, help="Also every zero-effect product.")
@zero_effect_window
@click.option("--strict", is_flag=True, help="Check coverage without the title route.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def link_carriers(state: State, product_ids, zero_effect, days, as_of, strict, yes) -> None:
    """Link each keyword that deleting PRODUCT_IDS together would orphan to the live product
    the coverage check suggests to carry it, as one change (`kwtrack undo` takes it back),
    so that they can be deleted without orphaning it. Add the keywords to those products on
    Alibaba.com too: the list is printed (keyword, product ID, title).

    An orphan no live product could carry is not linked: `kwtrack coverage check` says what
    to publish instead.

    \b
    Example:
      kwtrack coverage link-carriers --zero-effect
      kwtrack products delete --zero-effect --only-safe     # then more are safe
    """
    from kwtrack.cleanup import coverage_check
    from kwtrack.edits import link_all

    if not product_ids and not zero_effect:
        raise click.UsageError("name PRODUCT_IDS or use --zero-effect")
    store = state.store()
    report = coverage_check(store, list(dict.fromkeys(product_ids)), zero_effect=zero_effect,
                            days=days, as_of=parse_as_of(as_of), strict=strict)
    handovers = report.handovers()
    left = len(report.orphaned) - len(handovers)
    if not handovers:
        click.echo("no orphaned keyword has a live product to carry it"
                   if report.orphaned else "nothing would be orphaned", err=True)
        return
    if not yes:
        ask_first("link", f"Link {counted(len(handovers), 'orphaned keyword')}, each to the "
                  "live product suggested to carry it:", [str(h) for h in handovers],
                  "`kwtrack undo` unlinks them")
    action = link_all(store, [(h.keyword, h.product_id) for h in handovers],
                      "linked to carry an orphan of the coverage check")
    # (stdout: what to add to the products' keywords in Alibaba.com's back end too)
    echo_table(["keyword", "product_id", "title"],
               [[h.keyword, h.product_id, h.title] for h in handovers], widths={2: 90})
    click.echo(f"linked {counted(len(handovers), 'keyword')} (change {action}); `kwtrack "
               "undo` unlinks them"
               + (f"; {counted(left, 'orphan')} no live product could carry: see `kwtrack "
                  "coverage check`" if left else ""), err=True)


def print_coverage(report) -> None:
    """The check as text: candidates, then every keyword (orphans with what to do), then the
    summary on stderr. Written in one piece: a big store's report runs to 100,000 lines."""
    from kwtrack.cleanup import suggestion_text

    lines = []
    for c in report.candidates:
        verdict = (f"orphans {counted(len(c.orphaned), 'keyword')}"
                   if c.orphaned else "safe to delete")
        lines.append(f"candidate {c.product_id}  {c.title}  [{verdict}]")
        lines += [f"    near-duplicate {d['product_id']} ({d['score']}, {d['reason']})"
                  for d in c.near_duplicates]
    for k in report.keywords:
        if k.orphaned:
            lines.append(f"ORPHANED  {k.keyword}  (from {', '.join(k.from_)})")
            lines += [f"    → {suggestion_text(s)}" for s in k.suggestions]
        else:
            lines.append(f"covered   {k.keyword}  by {coverers_text(*k.coverers(4))}")
    if lines:
        click.echo("\n".join(lines))
    click.echo(f"{len(report.candidates)} candidates ({len(report.safe)} safe to delete), "
               f"{len(report.keywords)} keywords, {len(report.orphaned)} orphaned", err=True)


@click.command()
@click.option("--threshold", type=click.FloatRange(0, 100), default=None,
              help="Title similarity for titles without model codes (default 90).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def dupes(state: State, threshold: float | None, as_json: bool) -> None:
    """Find clusters of live products listed twice (near-duplicate titles).

    Titles with different model codes are different products; the same model code with a
    loosely similar title is a relisting. Without codes, titles scoring at least the threshold
    (rapidfuzz token_sort_ratio) are duplicates.

    \b
    Example:
      kwtrack dupes --json
    """
    from kwtrack.catalog import product_rows, recent_product_window, window_said
    from kwtrack.duplicates import duplicate_listings

    store = state.store()
    found = duplicate_listings(store, threshold=threshold)
    if as_json:
        echo_json(found)
        return
    # What each listing earns and covers: the one to keep, the one to delete.
    figures = product_rows(store, [p["product_id"] for c in found["clusters"]
                                   for p in c["products"]])
    for cluster in found["clusters"]:
        click.echo(f"{cluster['reason']} ({cluster['score']}): differing words: "
                   f"{' '.join(cluster['differing_words'][:12])}")
        for p in cluster["products"]:
            row = figures[p["product_id"]]
            click.echo(f"    {p['product_id']}  impr {number(row.impressions):>7}  "
                       f"clicks {number(row.clicks):>5}  keywords {row.keywords:>3}  "
                       f"{p['title']}")
    listings = sum(len(c["products"]) for c in found["clusters"])
    click.echo(f"{counted(len(found['clusters']), 'cluster')}, "
               f"{counted(listings, 'listing')} (impressions and clicks: "
               f"{window_said(recent_product_window(store))})", err=True)
