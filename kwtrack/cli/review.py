"""`kwtrack review` (the weekly keyword review, and marking its items done or snoozed) and
`kwtrack config show`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from kwtrack.cli.common import (
    WEEKS,
    State,
    UserError,
    echo_json,
    json_text,
    pass_state,
)

# an output file's suffix → the review's format
SUFFIXES = {".xlsx": "xlsx", ".md": "markdown", ".markdown": "markdown", ".csv": "csv",
            ".json": "json"}


def _week(value: str | None):
    from kwtrack.review import parse_week

    return parse_week(value) if value else None


@click.group(invoke_without_command=True)
@click.option("-w", "--week", metavar="W", help="An ISO week (2026-W47) or a date in it "
              "(default: the latest week with keyword stats).")
@click.option("--json", "fmt", flag_value="json", help="Print JSON: a key per section.")
@click.option("--markdown", "fmt", flag_value="markdown", help="Print markdown for the "
              "review meeting's notes.")
@click.option("--csv", "fmt", flag_value="csv", help="Print one CSV table of every item.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Write to FILE, whole or not at all; its suffix picks the "
              "format: .xlsx (a sheet per section, for the meeting), .md, .csv, .json.")
@click.pass_context
def review(ctx: click.Context, week: str | None, fmt: str | None,
           output: Path | None) -> None:
    """The weekly keyword review: the store's last four weeks and what swung, the week by
    category, top traffic and spend, new and rising words, what to put into P4P, where to
    raise or cut bids, the P4P plan, the key group, showcase candidates and slots to swap,
    product strength and the words you track.
    Thresholds: `kwtrack config show`.

    \b
    Example:
      kwtrack review --week 2026-W47 --markdown > review.md
      kwtrack review -o review-2026-W47.xlsx
      kwtrack review done "walking shoes" --section rising
    """
    if ctx.invoked_subcommand is not None:
        return
    from kwtrack.paths import written_whole
    from kwtrack.review import week_name, weekly_review, write_workbook

    if output is not None:
        named = SUFFIXES.get(output.suffix.lower())
        if fmt is not None and named not in (None, fmt):
            raise click.UsageError(f"{output.name} names {named} but --{fmt} was given: "
                                   "give one or the other")
        fmt = fmt or named
        if fmt is None:
            raise click.UsageError(f"{output.name}: name an .xlsx, .md, .csv or .json file, "
                                   "or give the format (--markdown, --csv, --json)")
        if not output.parent.is_dir():
            raise UserError(f"{output.parent}: no such folder")
    state = ctx.find_object(State)
    found = weekly_review(state.store(), _week(week), state.config())
    if output is None:
        if fmt == "json":
            echo_json(found.to_dict())
        else:
            click.echo(_text(found, fmt), nl=False)
        return
    with written_whole(output) as part:
        if fmt == "xlsx":
            write_workbook(found, part)
        else:
            part.write_text(_text(found, fmt), encoding="utf-8")
    items = sum(len(items) for items in found.sections.values())
    click.echo(f"wrote the review of {week_name(found.week)} to {output} ({items:,} items)")


def _text(found, fmt: str | None) -> str:
    """The review as markdown (the default), CSV or JSON text."""
    from kwtrack.review import csv_rows, markdown
    from kwtrack.values import formula_safe

    if fmt == "json":
        return json_text(found.to_dict(), indent=2)
    if fmt != "csv":
        return markdown(found) + "\n"
    header, rows = csv_rows(found)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    # (a buyer's search term may start like a formula: no spreadsheet runs it, as exported)
    writer.writerows([[formula_safe(cell) for cell in row] for row in rows])
    return text.getvalue()


@review.command("done")
@click.argument("item")
@click.option("-s", "--section", required=True, metavar="SECTION",
              help="The section it is listed in, by key or title (rising, raise_bid, "
                   "'Put into P4P', …).")
@click.option("--snooze", metavar="N", type=WEEKS, default=None,
              help="Hide it for N weeks only (default: done for good).")
@click.option("-w", "--week", metavar="W", help="The week it was handled in (default: the "
              "latest week with keyword stats).")
@pass_state
def review_done(state: State, item: str, section: str, snooze: int | None,
                week: str | None) -> None:
    """Mark a review ITEM (a keyword, or a product ID in the showcase and product strength
    sections) done, or snoozed for N weeks: the next reviews show what is new.

    \b
    Example:
      kwtrack review done "walking shoes" --section rising
      kwtrack review done 1600000022533 --section showcase --snooze 2
    """
    from kwtrack.review import last_week_with_keyword_stats, mark_item

    store = state.store()
    monday = _week(week) or last_week_with_keyword_stats(store)
    if monday is None:
        raise click.UsageError("no keyword stats imported yet: give --week")
    mark = mark_item(store, item, section, week=monday, snooze_weeks=snooze)
    click.echo(f"{item}: {section} " + (f"snoozed until the week of {mark.until}"
                                        if mark.until else "done"))


@click.group("config")
def config_group() -> None:
    """The review and bid thresholds."""


@config_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def config_show(state: State, as_json: bool) -> None:
    """Print the thresholds in force and where each came from (default, or a file).

    \b
    Example:
      kwtrack config show
      kwtrack --config team.toml config show
    """
    from kwtrack.config import default_config_file

    config = state.config()
    values = {f"{section}.{key}": value
              for section, settings in (("review", config.review), ("bids", config.bids))
              for key, value in settings.__dict__.items()}
    if as_json:
        echo_json({key: {"value": value, "from": config.sources[key]}
                   for key, value in values.items()})
        return
    click.echo(f"# config file: {state.config_file or default_config_file()}")
    section = None
    for key, value in values.items():
        head, name = key.split(".")
        if head != section:
            section = head
            click.echo(f"[{section}]")
        shown = f'"{value}"' if isinstance(value, str) else value
        click.echo(f"{name} = {shown}    # {config.sources[key]}")
