"""Files in and out: `kwtrack import` and `kwtrack export`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kwtrack.cli.common import (
    ROWS,
    State,
    echo_json,
    echo_table,
    none_listed,
    parse_period,
    pass_state,
    progress_printer,
)
from kwtrack.errors import KwtrackError
from kwtrack.wording import counted


@click.command("import")
@click.argument("kind_or_file", metavar="[KIND] FILE...", nargs=-1, required=True)
@click.option("--period", metavar="START..END", help="Stats period for rows that carry none.")
@click.option("--date", "date", metavar="DAY", help="One-day stats period for rows without one.")
@click.option("--dry-run", is_flag=True, help="Check the files and say what would change.")
@click.option("--force", is_flag=True, help="Apply a file even if it was imported before.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
def import_(state: State, kind_or_file: tuple[str, ...], period, date, dry_run: bool,
            force: bool, as_json: bool) -> None:
    """Import CSV, TSV, XLSX or XLS files into the store, all or nothing.

    KIND is detected from the headers when left out. Kinds: products, keywords, coverage,
    product-stats, keyword-stats, p4p (or bids, as `kwtrack export` names it): the canonical
    files, and Alibaba.com's reports: product-report (data manager Products-….xls),
    keyword-report (keyword advisor getKeywords-….xls), p4p-report, search-terms (full-site
    promotion). A bad file writes nothing: each problem is printed as file:row:column:
    message. Several files go in together, in the order given (each is an import of its
    own in `kwtrack imports list`), or, if one is bad, none of them.

    \b
    Example:
      kwtrack import products products.csv
      kwtrack import Products-2026-09-19.xls getKeywords-2026-09-19.xls
      kwtrack import keyword-stats week-47.csv --period 2026-11-16..2026-11-22 --dry-run
    """
    from kwtrack.imports import ALIASES, KINDS, import_files

    # (the first of several is a KIND unless it is a file, or names one that is missing)
    first = Path(kind_or_file[0])
    named = len(kind_or_file) > 1 and not first.is_file() and not first.suffix \
        and first.name == kind_or_file[0]
    kind = kind_or_file[0].lower() if named else None
    if kind is not None and kind not in KINDS and kind not in ALIASES:
        raise click.BadParameter(f"{kind!r} is not one of {', '.join(KINDS)}", param_hint="KIND")
    files = [Path(f) for f in kind_or_file[1 if named else 0:]]
    progress = progress_printer()
    period = parse_period(period, date)
    state.open()  # (no database is an error of its own, before the store is looked for)
    try:
        store = state.store()
    except KwtrackError:
        if dry_run:
            raise  # (a dry run writes nothing, a store included)
        store = None
    made = store is None
    if not made:
        results = import_files(store, kind, files, dry_run=dry_run, force=force, period=period,
                               progress=progress)
    else:
        # A new client's first report makes its store, in the import's transaction (a bad
        # file leaves no empty store), and says so, so that a mistyped --store shows at once.
        from kwtrack.store.database import new_store

        with new_store(state.store_name) as store:
            state.use_new(store)
            results = import_files(store, kind, files, force=force, period=period,
                                   progress=progress)
    if progress:
        click.echo("\r\033[K", nl=False, err=True)
    if made:
        click.echo(f"made the store {store.name!r} for this import (`kwtrack stores list` "
                   "lists the stores)", err=True)
    if as_json:
        echo_json(results[0] if len(results) == 1 else results)
        return
    for result in results:
        click.echo(result.summary() + (" — --force applies it again" if result.skipped else ""))


@click.command("export")
@click.argument("kind", type=click.Choice(["products", "keywords", "coverage", "bids",
                                           "keyword-stats", "product-stats", "all"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output; xlsx needs a file).")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Write into this folder as STORE-KIND-DATE.FORMAT (needed for `all`).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default=None,
              help="Default: from the file's suffix, else csv.")
@pass_state
def export(state: State, kind: str, output: Path | None, folder: Path | None,
           fmt: str | None) -> None:
    """Export KIND in the canonical import columns (every export is a valid import).

    A file is written whole or not at all: an error or Ctrl-C leaves no half-written file.

    \b
    Example:
      kwtrack export products -o products.csv
      kwtrack export keyword-stats --format json > stats.json
      kwtrack export bids -o bids.xlsx
      kwtrack export all --dir backups/   # backups/demo-products-2026-11-27.csv, ...
    """
    from kwtrack.exports import EXPORT_KINDS, export_to_file, export_to_folder, write_export

    if output and folder:
        raise click.UsageError("give either -o FILE or --dir FOLDER, not both")
    if kind == "all" and folder is None:
        raise click.UsageError("`export all` writes one file per kind: add --dir FOLDER")
    fmt = fmt or (output.suffix.lstrip(".").lower() if output and output.suffix.lower()
                  in (".csv", ".xlsx", ".json") else "csv")
    store = state.store()
    if folder is not None:
        kinds = EXPORT_KINDS if kind == "all" else (kind,)
        for done, path, count in export_to_folder(store, kinds, folder, fmt):
            click.echo(f"{counted(count, 'row')} of {done} exported to {path}", err=True)
        return
    if output is not None:
        count = export_to_file(store, kind, output, fmt)
    elif fmt == "xlsx":
        raise click.UsageError("xlsx needs an output file: -o FILE.xlsx or --dir FOLDER")
    else:
        count = write_export(store, kind, sys.stdout, fmt)
    click.echo(f"{counted(count, 'row')} of {kind} exported", err=True)


@click.group("imports")
def imports_group() -> None:
    """The files imported into the store."""


@imports_group.command("list")
@click.option("-n", "--limit", type=ROWS, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON records.")
@pass_state
def imports_list(state: State, limit: int, as_json: bool) -> None:
    """List the imported files, newest first: name, kind, period, rows, when.

    \b
    Example:
      kwtrack imports list -n 10
    """
    from kwtrack.imports import list_imports

    store = state.store()
    lines = list_imports(store, limit)
    if as_json:
        echo_json(lines)
        return
    echo_table(["id", "file", "kind", "period", "rows", "added", "changed", "when", "by", ""],
               [[line.id, line.file_name, line.kind,
                 f"{line.period_start}..{line.period_end}" if line.period_start else None,
                 line.rows_read, line.rows_added, line.rows_changed,
                 f"{line.imported_at:%Y-%m-%d %H:%M}", line.by, "undone" if line.undone else ""]
                for line in lines], widths={1: 40},
               empty=none_listed("files imported", store.name))


@imports_group.command("undo")
@click.argument("batch_id", required=False, type=int, metavar="[ID]")
@pass_state
def imports_undo(state: State, batch_id: int | None) -> None:
    """Undo the newest import (ID: the one `imports list` shows, which must be the newest):
    the rows it added go, the values it overwrote come back.

    \b
    Example:
      kwtrack imports undo
    """
    from kwtrack.imports import undo_import

    batch = undo_import(state.store(), batch_id)
    click.echo(f"undid import {batch.id}: {batch.file_name} ({batch.kind})")
