"""Importing files into a store: products, keywords, coverage, stats and P4P bids.

`import_file` reads a file (see `kwtrack.imports.files`), checks every row against its kind's
columns, and writes the whole file in one transaction, or nothing: a bad file ends in
`ImportFailed`, whose lines name file, row and column. Rows are streamed and written in chunks with
`kwtrack.store.bulk`, so memory stays flat and large stats files go in at driver speed.

Rules every kind follows:
- headers are matched case-insensitively, spaces and hyphens counting as `_`;
- an empty cell (or `-`) is unknown: it never overwrites what the database already knows;
- keywords are matched on their normal form and keep the display form first seen; a keyword a
  row names that is not in the library yet is added to it;
- the same file imported again is recognised by its sha256 and changes nothing (`force` to
  apply it anyway, which then finds every row unchanged).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from operator import itemgetter
from pathlib import Path

from kwtrack.errors import ImportFailed, KwtrackError
from kwtrack.imports.chunks import read_chunks, row_keys
from kwtrack.imports.detect import find_header, period_from_file_name, period_from_text
from kwtrack.imports.files import open_table
from kwtrack.imports.overlaps import SUMMED, shared_days
from kwtrack.imports.registry import ALIASES, KINDS
from kwtrack.imports.run import Run
from kwtrack.imports.spec import Kind, Period
from kwtrack.imports.undo import ids_before
from kwtrack.store import bulk, weekly
from kwtrack.store.models import (
    ImportBatch,
    ImportPeriod,
    Keyword,
    KeywordStat,
    Store,
    current_user,
    database,
)
from kwtrack.wording import counted


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    file: str
    kind: str
    rows_read: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    keywords_added: int = 0  # keywords the import created in the library
    merged: int = 0  # rows merged into an earlier row of the same key (report layouts)
    merged_keywords: tuple[str, ...] = ()
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    skipped: str | None = None  # why nothing was done, e.g. the file was imported before
    dry_run: bool = False
    ignored_columns: tuple[str, ...] = ()
    # e.g. ("products added", 12) for a report: a plural noun first, counted in the summary
    notes: tuple[tuple[str, int], ...] = ()

    def summary(self) -> str:
        """One line saying what an import added, changed, merged and left unchanged."""
        name = Path(self.file).name
        if self.skipped:
            return f"{name}: {self.skipped}"
        verb = "would be" if self.dry_run else ""
        parts = [counted(self.rows_read, "row"), f"{self.added:,} {verb} added".replace("  ", " "),
                 f"{self.changed:,} {verb} changed".replace("  ", " ")]
        if self.merged:
            more = len(self.merged_keywords) - 10
            shown = ", ".join(self.merged_keywords[:10]) + (f" +{more} more" if more > 0 else "")
            parts.append(f"{self.merged} merged (repeated words, figures added: {shown})")
        parts.append(f"{self.unchanged:,} unchanged")
        if self.keywords_added:
            parts.append(counted(self.keywords_added, "new keyword"))
        for note, count in self.notes:
            noun, _, rest = note.partition(" ")
            parts.append(f"{counted(count, noun.removesuffix('s'))} {rest}")
        period = f", period {self.period_start}..{self.period_end}" if self.period_start else ""
        text = f"{name} ({self.kind}): " + ", ".join(parts) + period
        if self.ignored_columns:
            text += f"; ignored columns: {', '.join(self.ignored_columns)}"
        return text + (" (dry run: nothing written)" if self.dry_run else "")


def count_keywords(store: Store) -> int:
    """The keywords in the store's library (the import's "new keywords" are the difference:
    however a layout adds them, the count is what the library gained)."""
    return Keyword.select().where(Keyword.store == store).count()


def _file_sha256(path: Path, period: Period | None) -> str:
    """What tells an import from another of the same kind: the file's bytes, and the period
    its figures are for when that comes from outside them (`--period`, the file's name): a
    small store's two weekly reports may be the same bytes, named for different weeks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    if period is not None:
        digest.update(f"\0{period.start}..{period.end}".encode())
    return digest.hexdigest()


def _locate_repeats(run: Run, header: list[str], period: Period | None) -> None:
    """Report each repeated row with the number of the row it repeats, read again from the
    file (this runs only for a failing file, so the import itself keeps no keys)."""
    norm_of = {kid: norm for norm, kid in run.keyword_ids.items()}
    code_of = {pid: code for code, pid in run.product_ids.items()}
    wanted: dict[tuple, int] = {}
    for number, values in run.repeats[:ImportFailed.MAX_SHOWN]:
        parts = {"_period": Period(dt.date.fromisoformat(values["period_start"]),
                                   dt.date.fromisoformat(values["period_end"])),
                 "keyword": norm_of.get(values.get("keyword")),
                 "product_id": code_of.get(values.get("product")),
                 "channel": values.get("channel")}
        wanted[tuple(parts[name] for name in run.kind.key)] = number
    first: dict[tuple, int] = {}
    for chunk in read_chunks(run.kind, header, open_table(run.path).rows, period):
        for key, number in zip(row_keys(chunk, run.kind.key), chunk.numbers):
            if key in wanted and key not in first:
                first[key] = number
        if len(first) == len(wanted):
            break
    for key, number in sorted(wanted.items(), key=itemgetter(1)):
        written = next(values for n, values in run.repeats if n == number)
        run.problem(number, None, f"duplicate of row {first.get(key, '?')}"
                                  f"{run.describe_key(written)}")
    if len(run.repeats) > len(wanted):
        run.problem_count += len(run.repeats) - len(wanted)


def _check_header(path: Path, kind: Kind, header: list[str], row: int = 1) -> tuple[str, ...]:
    """Fail on missing required columns; return the columns this kind ignores."""
    names = kind.columns_of(header)
    known = set(kind.column_names)
    for name in dict.fromkeys(n for n in names if n in known):
        twice = [h.strip() for h, n in zip(header, names) if n == name]
        if len(twice) > 1:
            raise ImportFailed([f"{path.name}:{row}: the column {name} is named twice "
                                f"({' and '.join(map(repr, twice))}): which one is meant?"])
    found = set(names)
    missing = [c.name for c in kind.columns if c.required and c.name not in found]
    if missing:
        raise ImportFailed([f"{path.name}:{row}: missing column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)} for {kind.name} "
                            f"(found: {', '.join(h.strip() for h in header) or 'nothing'})"])
    known = set(kind.column_names)
    return tuple(h.strip() for h in header if kind.canonical(h) not in known and h.strip())


class _Rollback(Exception):
    """Raised inside the transaction to undo a dry run."""


def import_file(store: Store, kind_name: str | None, path: str | Path, *,
                dry_run: bool = False, force: bool = False, period: Period | None = None,
                progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import one file into the store, all or nothing.

    `kind_name` None detects the kind from the headers (Alibaba.com's report layouts included).
    A stats row's period comes from its own columns, else `period`, else the report's preamble
    (`时间周期 2026-09-13~2026-09-19`), else the file name. `progress` is called with the
    number of rows read so far, now and then. Raises
    `ImportFailed` (one line per problem, `file:row:column: message`) and leaves the database
    as it was.
    """
    kind_name = ALIASES.get(kind_name, kind_name)
    if kind_name is not None and kind_name not in KINDS:
        raise KwtrackError(f"unknown import kind {kind_name!r} (kinds: {', '.join(KINDS)})")
    path = Path(path)
    table = open_table(path)
    found = find_header(table.rows, kind_name)
    if found is None and kind_name is not None:
        # No row names the kind's required columns: report on the first row as the header.
        table = open_table(path)
        number, header = next(((n, c) for n, c in table.rows if any(x.strip() for x in c)),
                              (1, []))
        if not header:
            raise ImportFailed([f"{path.name}: the file is empty"])
        found = (kind_name, number, header, [])
    if found is None:
        raise _unknown_layout(path)
    kind_name, header_row, header, preamble = found
    kind = KINDS[kind_name]
    outside = period  # (the caller's --period or --date)
    if period is None and (kind.has_period or kind.period_optional):
        # (a file name's one day is a period only for kinds that need one: a P4P report
        # exported on the 22nd may hold the week, and its figures are then left out, saying so)
        period = period_from_text(" ".join(" ".join(r) for r in preamble))
        if period is None:
            period = outside = (period_from_file_name(path) if kind.has_period
                                else period_from_text(path.stem))
    sha = _file_sha256(path, outside)
    earlier = (ImportBatch.select().where((ImportBatch.store == store)
                                          & (ImportBatch.sha256 == sha)
                                          & (ImportBatch.kind == kind.name)
                                          & ImportBatch.undone_at.is_null())
               .order_by(ImportBatch.id.desc()).first())
    if earlier is not None and not force:
        return ImportResult(str(path), kind.name, skipped=(
            f"already imported on {earlier.imported_at:%Y-%m-%d %H:%M} (batch {earlier.id}); "
            "nothing changed"), dry_run=dry_run)
    ignored = _check_header(path, kind, header, header_row)

    db = database.obj
    result = None
    try:
        with db.atomic():
            # (the batch's row first: that write takes the database's write lock, so another
            # import waits for this one rather than failing on a stale read)
            batch = ImportBatch.create(store=store, file_name=path.name, sha256=sha,
                                       kind=kind.name, imported_by=current_user())
            batch.ids_before = ids_before()
            run = Run(store, path, kind, batch)
            first_id = bulk.max_id(kind.stats_model) if kind.stats_model else 0
            rows_read = 0
            keywords_before = count_keywords(store)
            for chunk in read_chunks(kind, header, table.rows, period):
                for problem in chunk.problems:
                    run.problem(*problem)
                run.merged.update(dict.fromkeys(chunk.merged))
                run.merged_rows += chunk.merged_rows
                rows_read += len(chunk) + chunk.merged_rows
                if run.problem_count:
                    continue  # keep checking the rest, write nothing more
                kind.apply(run, chunk)
                if progress:
                    progress(rows_read)
            if run.repeats:
                _locate_repeats(run, header, period)
            if kind.stats_model is not None and not run.problem_count:
                run.added = bulk.count_above(kind.stats_model, first_id)
                run.changed = run.written - run.added
                run.unchanged = run.stats_rows - run.written
            if run.problem_count:
                raise ImportFailed(run.problems, run.problem_count)
            if not rows_read:  # a header and nothing else: no import to record
                raise ImportFailed([f"{path.name}: no rows (a header and nothing under it)"])
            for model in run.stats_written & SUMMED.keys():
                shared = shared_days(store, model, batch, run.periods)
                if shared:
                    raise ImportFailed([shared])
            if progress:
                progress(rows_read)
            batch.rows_read = rows_read
            batch.rows_added, batch.rows_changed = run.added, run.changed
            batch.rows_unchanged = run.unchanged
            batch.period_start, batch.period_end = run.period_start, run.period_end
            batch.save()
            bulk.insert_rows(ImportPeriod, ["batch", "period_start", "period_end"],
                             [(batch.id, p.start, p.end) for p in sorted(run.periods)])
            if KeywordStat in run.stats_written and not dry_run:
                weekly.refresh(store, weekly.weeks_of(p.end for p in run.periods))
            result = ImportResult(
                str(path), kind.name, rows_read, run.added, run.changed, run.unchanged,
                count_keywords(store) - keywords_before, run.merged_rows, tuple(run.merged),
                run.period_start, run.period_end, None, dry_run, ignored,
                tuple(run.notes.items()))
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result


def import_files(store: Store, kind_name: str | None, paths: list[Path], *,
                 dry_run: bool = False, force: bool = False, period: Period | None = None,
                 progress: Callable[[int], None] | None = None) -> list[ImportResult]:
    """Import several files (a week's product and keyword reports) as `import_file` does
    each, all or nothing together: each is an import of its own in the log (undone on its
    own), and a bad one leaves none of them written. A dry run applies them in turn, the
    later seeing what the earlier would write, and then writes nothing."""
    results: list[ImportResult] = []
    try:
        with database.obj.atomic():
            for path in paths:
                results.append(import_file(store, kind_name, path, force=force, period=period,
                                           progress=progress))
            if dry_run:
                raise _Rollback
    except _Rollback:
        results = [replace(r, dry_run=True) for r in results]
    except KwtrackError as exc:
        if len(paths) > 1:  # (the file at fault names itself; say what became of the rest)
            exc.args = (f"{exc}\nnone of the {len(paths)} files was written: they go in "
                        "together or not at all",)
        raise
    return results


def _unknown_layout(path: Path) -> ImportFailed:
    """The error for a file whose header row matches no kind."""
    first = next((cells for _, cells in open_table(path).rows if any(c.strip() for c in cells)), [])
    headers = ", ".join(c.strip() for c in first if c.strip()) or "nothing"
    if not first:
        return ImportFailed([f"{path.name}: the file is empty"])
    near = sorted(KINDS, key=lambda k: -len({KINDS[k].canonical(c) for c in first}
                                            & set(KINDS[k].column_names)))
    return ImportFailed([f"{path.name}: unknown layout: headers found: {headers}; it could be "
                         f"{', '.join(near[:3])} — name the KIND, or fix the headers"])


@dataclass(frozen=True)
class ImportLine:
    """An imported file, as `kwtrack imports list` shows it."""

    id: int
    file_name: str
    kind: str
    period_start: dt.date | None
    period_end: dt.date | None
    rows_read: int
    rows_added: int
    rows_changed: int
    imported_at: dt.datetime
    undone: bool
    by: str | None = None  # who imported it (`current_user`; None: not known)


def list_imports(store: Store, limit: int = 50) -> list[ImportLine]:
    """The store's imported files, newest first."""
    query = (ImportBatch.select(ImportBatch.id, ImportBatch.file_name, ImportBatch.kind,
                                ImportBatch.period_start, ImportBatch.period_end,
                                ImportBatch.rows_read, ImportBatch.rows_added,
                                ImportBatch.rows_changed, ImportBatch.imported_at,
                                ImportBatch.undone_at.is_null(False), ImportBatch.imported_by)
             .where(ImportBatch.store == store).order_by(ImportBatch.id.desc()).limit(limit))
    return [ImportLine(*row[:-2], bool(row[-2]), row[-1]) for row in query.tuples()]
