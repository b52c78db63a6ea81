"""The `kwtrack` command: a thin click skin over the domain modules.

Each command opens the database, makes one library call and prints the result. Errors the
user can act on (`KwtrackError`) become one line on stderr and a non-zero exit, never a
traceback. `kwtrack` with no command opens the TUI.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from kwtrack import __version__
from kwtrack.errors import KwtrackError
from kwtrack.pause import without_cycle_collection

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class State:
    """What every command needs: where the database is and which store is meant."""

    def __init__(self, db: str | None, store: str | None):
        self.db_target = db
        self.store_name = store
        self._opened = False

    @property
    def target(self) -> str:
        from kwtrack.paths import default_database

        return self.db_target or default_database()

    def open(self, *, upgrade_schema: bool = True):
        """Open the database (once) and return it."""
        from kwtrack.db import open_database
        from kwtrack.models import database

        if not self._opened:
            open_database(self.target, upgrade_schema=upgrade_schema)
            self._opened = True
        return database.obj

    def store(self, *, create: bool = False):
        """The selected store (the default one unless --store names another)."""
        from kwtrack.db import get_store

        self.open()
        return get_store(self.store_name, create=create)


pass_state = click.make_pass_decorator(State)


class UserError(click.ClickException):
    """A KwtrackError on its way out: one `kwtrack: error:` line per problem, its exit code."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        for line in self.message.splitlines():
            click.echo(f"kwtrack: error: {line}", err=True)


class KwtrackGroup(click.Group):
    """The top-level group: turns kwtrack's errors into UserError, so no traceback escapes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KwtrackError as exc:
            raise UserError(str(exc), exc.exit_code) from exc
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:
            # The reader (head, less) went away: stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None
        except Exception as exc:
            if os.environ.get("KWTRACK_DEBUG"):
                raise
            raise UserError(f"internal error: {type(exc).__name__}: {exc} "
                            "(set KWTRACK_DEBUG=1 for the details)") from exc


def _json_default(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def echo_json(data) -> None:
    """Print dataclasses, lists and dicts as JSON: indented on a terminal, one line otherwise
    (what scripts and `jq` read, and several times faster to write for a big report)."""
    if dataclasses.is_dataclass(data):
        data = dataclasses.asdict(data)
    elif isinstance(data, list):
        data = [dataclasses.asdict(d) if dataclasses.is_dataclass(d) else d for d in data]
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json.dumps(data, ensure_ascii=False, indent=indent, default=_json_default))


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def echo_table(headers: list[str], rows: list[list], widths: dict[int, int] | None = None) -> None:
    """Print rows as aligned columns; `widths` caps some columns (long titles are cut)."""
    texts = [[_cell(v) for v in row] for row in rows]
    for i, cap in (widths or {}).items():
        for row in texts:
            if len(row[i]) > cap:
                row[i] = row[i][: cap - 1] + "…"
    sizes = [max([len(h)] + [len(r[i]) for r in texts]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(s) for h, s in zip(headers, sizes, strict=True)).rstrip())
    for row in texts:
        click.echo("  ".join(c.ljust(s) for c, s in zip(row, sizes, strict=True)).rstrip())


@click.group(cls=KwtrackGroup, context_settings=CONTEXT_SETTINGS, invoke_without_command=True)
@click.option("--db", "db", metavar="PATH|URL", envvar="KWTRACK_DB", show_envvar=True,
              help="SQLite file or postgresql:// URL (default: a file in your user data dir).")
@click.option("--store", metavar="NAME", envvar="KWTRACK_STORE", show_envvar=True,
              help="Which store in the database (default: 'default').")
@click.version_option(__version__, "-V", "--version", prog_name="kwtrack")
@click.pass_context
def cli(ctx: click.Context, db: str | None, store: str | None) -> None:
    """Keyword and product tracking for Alibaba.com stores.

    With no command, opens the terminal UI on your database.

    \b
    Example:
      kwtrack demo                      # try it on the demo store
      kwtrack import products Products.csv
      kwtrack products list --search "walking shoes"
    """
    ctx.obj = State(db, store)
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)


@cli.command()
@pass_state
def tui(state: State) -> None:
    """Open the terminal UI on the selected store.

    \b
    Example:
      kwtrack --db shop.db tui
    """
    from kwtrack.tui.app import KwtrackApp

    store = state.store(create=True)
    KwtrackApp(store_id=store.id).run()


@cli.command()
@click.option("--demo", is_flag=True, help="Also load the demo store's data.")
@pass_state
def init(state: State, demo: bool) -> None:
    """Create the database (and the store) if needed; optionally load the demo data.

    \b
    Example:
      kwtrack --db shop.db init
      kwtrack --db try.db init --demo
    """
    store = state.store(create=True)
    if demo:
        from kwtrack.demo import load_demo

        _report_imports(load_demo(store))
    click.echo(f"database ready: {state.target} (store {store.name!r})")


def _demo_target(state: State) -> str:
    """Where `kwtrack demo` puts its fresh database."""
    if state.db_target:
        return state.db_target
    from platformdirs import user_data_path

    return str(user_data_path("kwtrack", appauthor=False) / "demo.db")


@cli.command()
@click.option("--no-tui", is_flag=True, help="Load the demo but do not open the TUI.")
@pass_state
def demo(state: State, no_tui: bool) -> None:
    """Load the demo store into a fresh database and open the TUI on it.

    Without --db the demo lives in its own file (demo.db in your user data dir), rebuilt each
    time, so your own data is never touched.

    \b
    Example:
      kwtrack demo
    """
    from kwtrack.db import is_url

    target = _demo_target(state)
    if not state.db_target and Path(target).exists():
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
    elif not is_url(target) and Path(target).exists() and Path(target).stat().st_size > 0:
        raise KwtrackError(f"{target} already exists: `kwtrack demo` needs a fresh database "
                           "(pick a new --db, or use `kwtrack init --demo` on an empty store)")
    state.db_target = target
    from kwtrack.demo import load_demo

    store = state.store(create=True)
    _report_imports(load_demo(store))
    click.echo(f"demo store loaded into {target}", err=True)
    if not no_tui:
        from kwtrack.tui.app import KwtrackApp

        KwtrackApp(store_id=store.id).run()


def _report_imports(results) -> None:
    for r in results:
        click.echo(_import_summary(r), err=True)


def _import_summary(r) -> str:
    name = Path(r.file).name
    if r.skipped:
        return f"{name}: {r.skipped}"
    verb = "would be" if r.dry_run else ""
    parts = [f"{r.rows_read} rows", f"{r.added} {verb} added".replace("  ", " "),
             f"{r.changed} {verb} changed".replace("  ", " "), f"{r.unchanged} unchanged"]
    if r.keywords_added:
        parts.append(f"{r.keywords_added} new keywords")
    parts += [f"{count} {note}" for note, count in r.notes]
    period = f", period {r.period_start}..{r.period_end}" if r.period_start else ""
    text = f"{name} ({r.kind}): " + ", ".join(parts) + period
    if r.ignored_columns:
        text += f"; ignored columns: {', '.join(r.ignored_columns)}"
    return text + (" (dry run: nothing written)" if r.dry_run else "")


def _parse_period(period: str | None, date: str | None):
    """--period START..END or --date DAY as a Period (None when neither is given)."""
    from kwtrack.importing import Period
    from kwtrack.values import parse_date

    try:
        if period:
            start, sep, end = period.partition("..")
            if not sep:
                raise ValueError("write it as START..END")
            p = Period(parse_date(start), parse_date(end))
            if p.start is None or p.end is None or p.end < p.start:
                raise ValueError("START and END are dates, END not before START")
            return p
        if date:
            day = parse_date(date)
            return Period(day, day)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period/--date") from None
    return None


def _progress_printer():
    """A progress line on stderr when it is a terminal, else nothing."""
    if not sys.stderr.isatty():
        return None

    def show(rows: int) -> None:
        click.echo(f"\r  {rows:,} rows…", nl=False, err=True)

    return show


@cli.command("import")
@click.argument("kind_or_file", metavar="[KIND] FILE", nargs=-1, required=True)
@click.option("--period", metavar="START..END", help="Stats period for rows that carry none.")
@click.option("--date", "date", metavar="DAY", help="One-day stats period for rows without one.")
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change.")
@click.option("--force", is_flag=True, help="Apply a file even if it was imported before.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
def import_(state: State, kind_or_file: tuple[str, ...], period, date, dry_run: bool,
            force: bool, as_json: bool) -> None:
    """Import a CSV, TSV, XLSX or XLS file into the store, all or nothing.

    KIND is detected from the headers when left out. Kinds: products, keywords, coverage,
    product-stats, keyword-stats, p4p (the canonical files), and Alibaba.com's reports:
    product-report (data manager Products-….xls), keyword-report (keyword advisor
    getKeywords-….xls), p4p-report, search-terms (full-site promotion). A bad file writes
    nothing: each problem is printed as file:row:column: message.

    \b
    Example:
      kwtrack import products products.csv
      kwtrack import Products-2026-09-19.xls
      kwtrack import keyword-stats week-47.csv --period 2026-11-16..2026-11-22 --dry-run
    """
    from kwtrack.importing import KINDS, import_file

    if len(kind_or_file) > 2:
        raise click.UsageError("give at most a KIND and one FILE")
    kind = kind_or_file[0].lower() if len(kind_or_file) == 2 else None
    if kind is not None and kind not in KINDS:
        raise click.BadParameter(f"{kind!r} is not one of {', '.join(KINDS)}", param_hint="KIND")
    file = Path(kind_or_file[-1])
    progress = _progress_printer()
    result = import_file(state.store(create=True), kind, file, dry_run=dry_run, force=force,
                         period=_parse_period(period, date), progress=progress)
    if progress:
        click.echo("\r\033[K", nl=False, err=True)
    if as_json:
        echo_json(result)
    else:
        click.echo(_import_summary(result))


@cli.command("export")
@click.argument("kind", type=click.Choice(["products", "keywords", "coverage", "bids",
                                           "keyword-stats", "product-stats"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output; xlsx needs a file).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default=None,
              help="Default: from the file's suffix, else csv.")
@pass_state
def export(state: State, kind: str, output: Path | None, fmt: str | None) -> None:
    """Export KIND in the canonical import columns (every export is a valid import).

    \b
    Example:
      kwtrack export products -o products.csv
      kwtrack export keyword-stats --format json > stats.json
      kwtrack export bids -o bids.xlsx
    """
    from kwtrack.exporting import write_export

    fmt = fmt or (output.suffix.lstrip(".").lower() if output and output.suffix.lower()
                  in (".csv", ".xlsx", ".json") else "csv")
    store = state.store()
    if fmt == "xlsx":
        if output is None:
            raise click.UsageError("xlsx needs an output file: -o FILE.xlsx")
        count = write_export(store, kind, output, fmt)
    elif output is None:
        count = write_export(store, kind, sys.stdout, fmt)
    else:
        with output.open("w", encoding="utf-8", newline="") as fh:
            count = write_export(store, kind, fh, fmt)
    click.echo(f"{count} {kind} rows exported", err=True)


@cli.group()
def products() -> None:
    """List and inspect the store's products."""


@products.command("list")
@click.option("-s", "--search", metavar="TEXT", help="Only titles, IDs or categories with TEXT.")
@click.option("-n", "--limit", type=click.IntRange(min=0), default=None,
              help="At most this many rows.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many rows.")
@click.option("--archived", is_flag=True, help="Include archived (deleted) products.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records.")
@pass_state
def products_list(state: State, search, limit, offset, archived, as_json) -> None:
    """List products with their keyword count and recent numbers (last 30 days of data).

    \b
    Example:
      kwtrack products list --search sandals --limit 20
      kwtrack products list --json > products.json
    """
    from kwtrack.catalog import list_products

    rows = list_products(state.store(), search, offset=offset, limit=limit,
                         include_archived=archived)
    if as_json:
        echo_json(rows)
        return
    echo_table(["product_id", "title", "status", "kw", "impr", "clicks", "inq"],
               [[r.product_id, r.title, r.status + (" (archived)" if r.archived else ""),
                 r.keywords, r.impressions, r.clicks, r.inquiries] for r in rows],
               widths={1: 70})


def _as_of(value: str | None):
    from kwtrack.values import parse_date

    try:
        return parse_date(value) if value else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None


@products.command("zero-effect")
@click.option("--days", type=click.IntRange(min=1), default=90, show_default=True,
              help="The window, in days, ending on --as-of.")
@click.option("--as-of", metavar="DAY", help="The window's last day (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def products_zero_effect(state: State, days: int, as_of: str | None, as_json: bool) -> None:
    """List live products with no effect (impressions, clicks, visitors, favourites,
    inquiries, TM chats, orders) over the last DAYS days, published at least DAYS days ago.

    \b
    Example:
      kwtrack products zero-effect --days 90 --as-of 2026-11-22
    """
    from kwtrack.coverage import zero_effect_products

    report = zero_effect_products(state.store(), days=days, as_of=_as_of(as_of))
    if not report.window_covered:
        click.echo(f"kwtrack: warning: imported product stats miss {report.uncovered_days} of "
                   f"the {days} days ending {report.as_of}: products may look idle that are not",
                   err=True)
    if as_json:
        echo_json(report)
        return
    echo_table(["product_id", "title"], [[p.product_id, p.title] for p in report.products],
               widths={1: 90})
    click.echo(f"{len(report.products)} zero-effect products over {days} days to {report.as_of}",
               err=True)


@cli.group("coverage")
def coverage_group() -> None:
    """The pre-deletion coverage check."""


@coverage_group.command("check")
@click.argument("product_ids", nargs=-1)
@click.option("--zero-effect", is_flag=True, help="Also check every zero-effect product.")
@click.option("--days", type=click.IntRange(min=1), default=90, show_default=True,
              help="Zero-effect window in days.")
@click.option("--as-of", metavar="DAY", help="Zero-effect window's last day (default: today).")
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

    Exit status 0 when nothing would be orphaned, 3 when some keyword would be.

    \b
    Example:
      kwtrack coverage check 1600000022533 1600000079194
      kwtrack coverage check --zero-effect --as-of 2026-11-22 --json
    """
    from kwtrack.coverage import coverage_check

    if not product_ids and not zero_effect:
        raise click.UsageError("name PRODUCT_IDS or use --zero-effect")
    report = coverage_check(state.store(), list(dict.fromkeys(product_ids)),
                            zero_effect=zero_effect, days=days, as_of=_as_of(as_of),
                            strict=strict, threshold=threshold, title_limit=title_limit)
    if not report.window_covered:
        click.echo(f"kwtrack: warning: imported product stats miss {report.uncovered_days} "
                   f"of the {days} days ending {report.as_of}", err=True)
    if as_json:
        echo_json(report.to_dict())
    else:
        _print_coverage(report)
    if report.orphaned:
        sys.exit(3)


@without_cycle_collection  # some hundred thousand lines and lists
def _print_coverage(report) -> None:
    """The check as text: candidates, then every keyword (orphans with what to do), then the
    summary on stderr. Written in one piece: a big store's report runs to 100,000 lines."""
    lines = []
    for c in report.candidates:
        verdict = (f"orphans {len(c.orphaned)} keyword{'s' if len(c.orphaned) > 1 else ''}"
                   if c.orphaned else "safe to delete")
        lines.append(f"candidate {c.product_id}  {c.title}  [{verdict}]")
        lines += [f"    near-duplicate {d['product_id']} ({d['score']}, {d['reason']})"
                  for d in c.near_duplicates]
    for k in report.keywords:
        if k.orphaned:
            lines.append(f"ORPHANED  {k.keyword}  (from {', '.join(k.from_)})")
            for s in k.suggestions:
                target = s.get("title") if s["action"] == "publish new product" else \
                    s.get("product_id")
                lines.append(f"    → {s['action']}: {target}")
        else:
            vias = ", ".join([f"{c.product_id} ({c.via})" for c in k.covered_by[:4]])
            listed_titles = [c.via for c in k.covered_by].count("title")
            others = len(k.covered_by) - 4 + max(0, k.title_matches - listed_titles)
            more = f" +{others} more" if others > 0 else ""
            lines.append(f"covered   {k.keyword}  by {vias}{more}")
    if lines:
        click.echo("\n".join(lines))
    click.echo(f"{len(report.candidates)} candidates ({len(report.safe)} safe to delete), "
               f"{len(report.keywords)} keywords, {len(report.orphaned)} orphaned", err=True)


@products.command("delete")
@click.argument("product_ids", nargs=-1, required=True)
@click.option("--force", is_flag=True, help="Delete even if keywords would be orphaned.")
@click.option("--strict", is_flag=True, help="Check coverage without the title route.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def products_delete(state: State, product_ids, force, strict, yes) -> None:
    """Archive products after the coverage check; refuses (exit 3) if keywords would be
    orphaned, unless --force. `kwtrack undo` brings them back.

    \b
    Example:
      kwtrack products delete 1600000022533 --yes
    """
    from kwtrack.coverage import coverage_check
    from kwtrack.history import archive_products

    store = state.store()
    ids = list(dict.fromkeys(product_ids))
    report = coverage_check(store, ids, strict=strict)
    if report.orphaned and not force:
        words = ", ".join(k.keyword for k in report.orphaned[:20])
        more = f" (+{len(report.orphaned) - 20} more)" if len(report.orphaned) > 20 else ""
        click.echo(f"kwtrack: error: refusing to delete: {len(report.orphaned)} keyword(s) would "
                   f"be left uncovered: {words}{more} — see `kwtrack coverage check`, or use "
                   "--force", err=True)
        sys.exit(3)
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("not a terminal: add --yes to delete without asking")
        click.confirm(f"Archive {len(ids)} product(s)?", abort=True)
    reason = "deleted" + (f", orphaning {len(report.orphaned)} keywords" if report.orphaned
                          else "")
    action = archive_products(store, ids, reason)
    click.echo(f"archived {len(ids)} product(s) (change {action}); `kwtrack undo` restores them")


@cli.command()
@pass_state
def undo(state: State) -> None:
    """Undo the last change (a delete, an edit) that is not undone yet.

    \b
    Example:
      kwtrack undo
    """
    from kwtrack.history import undo_last

    lines = undo_last(state.store())
    if not lines:
        click.echo("nothing to undo")
        return
    click.echo(f"undid change {lines[0].action}: " + ", ".join(
        f"{line.entity} {line.label} {line.field}" for line in lines))


@cli.command("history")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def history_cmd(state: State, limit: int, as_json: bool) -> None:
    """List the newest logged changes.

    \b
    Example:
      kwtrack history -n 20
    """
    from kwtrack.history import history

    lines = history(state.store(), limit)
    if as_json:
        echo_json(lines)
        return
    echo_table(["change", "when", "what", "field", "old", "new", "reason", ""],
               [[line.action, line.changed_at, f"{line.entity} {line.label}", line.field,
                 line.old, line.new, line.reason, "undone" if line.undone else ""]
                for line in lines])


@cli.command()
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
    from kwtrack.coverage import duplicate_listings

    found = duplicate_listings(state.store(), threshold=threshold)
    if as_json:
        echo_json(found)
        return
    for cluster in found["clusters"]:
        click.echo(f"{cluster['reason']} ({cluster['score']}): differing words: "
                   f"{' '.join(cluster['differing_words'][:12])}")
        for p in cluster["products"]:
            click.echo(f"    {p['product_id']}  {p['title']}")
    click.echo(f"{len(found['clusters'])} clusters", err=True)


@cli.group()
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


@cli.group("db")
def db_group() -> None:
    """Database schema: status and upgrades."""


@db_group.command("status")
@pass_state
def db_status(state: State) -> None:
    """List the schema migrations, applied and pending.

    \b
    Example:
      kwtrack db status
    """
    from kwtrack.db import migration_status

    db = state.open(upgrade_schema=False)
    click.echo(f"database: {state.target}")
    for m in migration_status(db):
        click.echo(f"  [{'x' if m.applied else ' '}] {m.name}{'' if m.applied else '  (pending)'}")


@db_group.command("upgrade")
@pass_state
def db_upgrade(state: State) -> None:
    """Apply pending schema migrations.

    \b
    Example:
      kwtrack --db postgresql://localhost/shop db upgrade
    """
    from kwtrack.db import upgrade

    db = state.open(upgrade_schema=False)
    applied = upgrade(db)
    click.echo("applied: " + ", ".join(applied) if applied else "the schema is up to date")


@cli.group("stores")
def stores_group() -> None:
    """The stores kept in this database."""


@stores_group.command("list")
@pass_state
def stores_list(state: State) -> None:
    """List the stores in the database.

    \b
    Example:
      kwtrack stores list
    """
    from kwtrack.models import Product, Store

    state.open()
    for store in Store.select().order_by(Store.name):
        count = Product.select().where(Product.store == store).count()
        click.echo(f"{store.name}\t{count} products")


def main() -> None:
    """Entry point of the `kwtrack` console script."""
    cli(prog_name="kwtrack")
