"""What every command shares: the database and store it works on, how errors and interrupts
end (one `kwtrack: error:` line, a documented exit status, never a traceback), and how results
are printed (JSON, aligned tables, import summaries)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys

import click

from kwtrack.errors import KwtrackError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Price(click.ParamType):
    """A price typed on the command line (`kwtrack.values.parse_price`)."""

    name = "price"

    def convert(self, value, param, ctx):
        from kwtrack.values import parse_price

        if isinstance(value, float):
            return value
        try:
            return parse_price(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class State:
    """What every command needs: where the database is and which store is meant."""

    def __init__(self, db: str | None, store: str | None, config: str | None = None):
        self.db_target = db
        self.store_name = store
        self.config_file = config
        self._db = None
        self._marks = None  # what the store's logs held when the command began

    @property
    def target(self) -> str:
        from kwtrack.paths import default_database

        return self.db_target or default_database()

    @property
    def shown_target(self) -> str:
        """The database as messages name it (a URL's password masked)."""
        from kwtrack.store.database import shown

        return shown(self.target)

    def open(self, *, upgrade_schema: bool = True, create: bool = False):
        """Open the database (once) and return it; only `create` (init, demo) makes a new
        one: any other command on a missing database is an error naming it."""
        from kwtrack.store.database import open_database

        if self._db is None:
            self._db = open_database(self.target, upgrade_schema=upgrade_schema,
                                     create=create)
        return self._db

    def store(self, *, create: bool = False):
        """The selected store (the default one unless --store names another)."""
        from kwtrack.history import write_marks
        from kwtrack.store.database import get_store

        self.open()
        store = get_store(self.store_name, create=create)
        if self._marks is None:
            self._marks = (store, write_marks(store))
        return store

    def use_new(self, store) -> None:
        """Work on `store`, being made (`kwtrack.store.database.new_store`): an interrupt
        compares its logs with the none it had."""
        from kwtrack.history import write_marks

        self._marks = (store, write_marks(store))

    def config(self):
        """The review and bid thresholds in force (`--config`, else the user's file)."""
        from kwtrack.config import load_config

        return load_config(self.config_file)

    def committed_meanwhile(self) -> bool:
        """Whether the command committed a write to its store (an import, an edit, a delete,
        an undo) before it was interrupted: the logs are read again and compared."""
        if self._marks is None:
            return False
        from kwtrack.history import write_marks

        store, before = self._marks
        try:
            return write_marks(store) != before
        except Exception:  # the database itself is gone: nothing can be claimed
            return False


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
    """The top-level group: turns kwtrack's errors into UserError, so no traceback escapes,
    and prints usage errors as the same one line, with a hint to `--help`."""

    def main(self, *args, **kwargs):
        """As click's, but a usage error (unknown option, bad KIND…) is one line
        `kwtrack: error: … (see `kwtrack import --help`)` and exit status 2."""
        standalone = kwargs.pop("standalone_mode", True)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
            if not standalone:
                return result
            # (click hands back an Exit's status as the result; commands return nothing)
            sys.exit(result if isinstance(result, int) else 0)
        except click.exceptions.NoArgsIsHelpError as exc:
            # (a group typed alone: its help, as click shows it, is the answer, not an error)
            exc.show()
            if not standalone:
                raise
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            # (the command as the user typed it, whatever name the program was run by)
            path = exc.ctx.command_path.split()[1:] if exc.ctx is not None else []
            command = " ".join(["kwtrack", *path])
            message = exc.format_message().rstrip(".")
            click.echo(f"kwtrack: error: {message} (see `{command} --help`)", err=True)
            if not standalone:
                raise
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            if not standalone:
                raise
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("kwtrack: aborted: nothing was changed", err=True)
            if not standalone:
                raise
            sys.exit(1)
        except click.exceptions.Exit as exc:
            if not standalone:
                raise
            sys.exit(exc.exit_code)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KwtrackError as exc:
            raise UserError(str(exc), exc.exit_code) from exc
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            # One line, and a status that says whether the work went in: an interrupted
            # transaction is rolled back whole, so either all of it was committed or none.
            state = ctx.find_object(State)
            if state is not None and state.committed_meanwhile():
                click.echo("kwtrack: interrupted after the changes were committed "
                           "(`kwtrack history` lists them)", err=True)
                raise click.exceptions.Exit(0) from None
            click.echo("kwtrack: interrupted: nothing was written", err=True)
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:
            # The reader (head, less) went away: stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None
        except Exception as exc:
            if os.environ.get("KWTRACK_DEBUG"):
                raise
            from kwtrack.store.database import refusal

            said = refusal(exc)
            if said is not None:
                raise UserError(said) from exc
            said = " ".join(str(exc).split())  # (one line, whatever the error wrote)
            raise UserError(f"internal error: {type(exc).__name__}: {said} "
                            "(set KWTRACK_DEBUG=1 for the details)") from exc


def _json_default(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)  # at any depth: a report, a list of lines, proposals
    raise TypeError(f"cannot serialise {type(value).__name__}")


def echo_json(data) -> None:
    """Print dataclasses, lists and dicts as JSON: indented on a terminal, one line otherwise
    (what scripts and `jq` read, and several times faster to write for a big report)."""
    click.echo(json_text(data, indent=2 if sys.stdout.isatty() else None))


def json_text(data, indent: int | None = None) -> str:
    """Dataclasses, lists and dicts as JSON text (dates as ISO text)."""
    return json.dumps(data, ensure_ascii=False, indent=indent, default=_json_default)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _width(text: str) -> int:
    """Columns a text takes on a terminal: Chinese, Japanese and Korean characters take two
    (wcwidth); a character it cannot measure counts as one."""
    from wcwidth import wcswidth, wcwidth  # (only tables need it: 40 ms off JSON commands)

    return max(wcswidth(text), 0) or sum(max(wcwidth(c), 1) for c in text)


def _terminal_columns() -> int | None:
    """The terminal's width when stdout is one (None: a file or a pipe)."""
    import shutil

    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _fit(text: str, cap: int) -> str:
    """The text cut to `cap` columns, with `…` where it was cut."""
    from wcwidth import wcwidth

    if _width(text) <= cap:
        return text
    out, used = [], 0
    for char in text:
        used += max(wcwidth(char), 1)
        if used > cap - 1:
            break
        out.append(char)
    return "".join(out) + "…"


def echo_table(headers: list[str], rows: list[list], widths: dict[int, int] | None = None,
               *, empty: str | None = None) -> None:
    """Print rows as aligned columns, by display width (CJK text takes two columns a
    character); `widths` caps some columns (long titles are cut). With no rows, `empty`
    says why on stderr (a header alone reads as a fault; a script still gets the header)."""
    texts = [[_cell(v) for v in row] for row in rows]
    for i, cap in (widths or {}).items():
        for row in texts:
            row[i] = _fit(row[i], cap)
    sizes = [max([_width(h)] + [_width(r[i]) for r in texts]) for i, h in enumerate(headers)]
    room = _terminal_columns()
    over = sum(sizes) + 2 * (len(sizes) - 1) - (room or 0)
    if room and over > 0 and widths:  # (on a terminal a line that wraps is hard to read: the
        # cut columns give way, down to 20 each; a file or a pipe gets them whole)
        for i in sorted(widths, key=lambda i: -sizes[i]):
            cap = max(20, sizes[i] - over)
            over -= sizes[i] - cap
            for row in texts:
                row[i] = _fit(row[i], cap)
            sizes[i] = max([_width(headers[i])] + [_width(r[i]) for r in texts])

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (s - _width(c)) for c, s in zip(cells, sizes, strict=True))

    click.echo(line(headers).rstrip())
    for row in texts:
        click.echo(line(row).rstrip())
    if not rows and empty:
        click.echo(empty, err=True)


def coverers_text(listed: list[tuple[str, list[str] | tuple[str, ...]]], others: int) -> str:
    """Products covering a keyword as a line reads them: `1600… (keyword, title), 1600…
    (title) +3 more` (`others`: how many the list leaves out)."""
    text = ", ".join(f"{product_id} ({', '.join(routes)})" for product_id, routes in listed)
    return f"{text} +{others} more" if others > 0 else text


def none_listed(what: str, store_name: str, search: str | None = None, offset: int = 0) -> str:
    """The line a list with no rows prints: `no products match 'x' in store 'demo'`."""
    where = f" in store '{store_name}'"
    if offset:
        return f"no {what}{' match ' + repr(search) if search else ''} past the first {offset}"
    if search:
        return f"no {what} match {search!r}{where}"
    return f"no {what}{where} yet"


def report_imports(results) -> None:
    for r in results:
        click.echo(r.summary(), err=True)


def parse_period(period: str | None, date: str | None):
    """--period START..END or --date DAY as a Period (None when neither is given)."""
    from kwtrack.imports import Period
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


def progress_printer():
    """A progress line on stderr when it is a terminal, else nothing."""
    if not sys.stderr.isatty():
        return None

    def show(rows: int) -> None:
        click.echo(f"\r  {rows:,} rows…", nl=False, err=True)

    return show


ZERO_EFFECT_DAYS = 90  # kwtrack.cleanup.DEFAULT_DAYS (importing it would slow `--help` 45 ms)

# What the number options take, at most: ten years of days or weeks, a billion rows (past
# them dates and the database's integers overflow: the option's one line, not an error of ours)
DAYS = click.IntRange(1, 3660)
WEEKS = click.IntRange(1, 520)
ROWS = click.IntRange(0, 10**9)


def zero_effect_window(command):
    """The zero-effect window's options, `--days` and `--as-of`, as every command that finds
    zero-effect products takes them (`parse_as_of` reads the day)."""
    command = click.option("--as-of", metavar="DAY", help="The zero-effect window's last day "
                           "(default: the last day imported product stats cover).")(command)
    return click.option("--days", type=DAYS, default=ZERO_EFFECT_DAYS,
                        show_default=True, help="The zero-effect window, in days, ending on "
                        "--as-of.")(command)


SHOWN = 20  # rows a question lists (it counts the rest)


def ask_first(verb: str, question: str, rows: list[str] = (), undone: str | None = None
              ) -> None:
    """Ask before a change (`--yes` skips it): `question`, the first SHOWN of `rows` (the rest
    counted) and what undoes it; exits when the answer is no, and refuses without a terminal,
    where nobody could answer: a script says --yes."""
    if not sys.stdin.isatty():
        raise click.UsageError(f"not a terminal: add --yes to {verb} without asking")
    lines = [question, *(f"  {row}" for row in rows[:SHOWN])]
    if len(rows) > SHOWN:
        lines.append(f"  … and {len(rows) - SHOWN:,} more")
    if undone:
        lines.append(f"({undone})")
    click.confirm("\n".join(lines), abort=True)


def parse_as_of(value: str | None, option: str = "--as-of"):
    """A day the user gave with `option` (None: not given); a bad one is that option's error."""
    from kwtrack.values import parse_date

    try:
        return parse_date(value) if value else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def given(**options) -> dict:
    """The options the user gave (not None), by name: what an `edit` command changes."""
    return {name: value for name, value in options.items() if value is not None}
