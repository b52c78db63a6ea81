"""Reading report files as rows of text cells: CSV/TSV in any common encoding, XLSX, XLS.

`open_table` streams a file's rows without loading the whole file. CSV encodings (UTF-8, UTF-8
with BOM, GB18030/GBK) are detected, not asked for; spreadsheets are read by python-calamine,
which reads both .xlsx and legacy BIFF8 .xls files quickly and without Excel. An `.xls` that
is really an HTML table or tab-separated text (what many back ends export as "Excel") is read
as what it is.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import islice
from pathlib import Path

from kwtrack.errors import KwtrackError
from kwtrack.imports.spec import HEADER_SCAN_ROWS

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_SNIFF_BYTES = 1 << 20


@dataclass(frozen=True)
class Table:
    """A file's rows as lists of cell text; `rows` yields (row number, cells), row 1 first."""

    path: Path
    encoding: str | None
    rows: Iterator[tuple[int, list[str]]]


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else GB18030.

    GB18030 is a superset of GBK and GB2312, the encodings Chinese Excel saves CSV in. The whole
    file is checked, in chunks, because a file can be ASCII for megabytes before its first
    Chinese title.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        head = fh.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        try:
            decoder.decode(head)
            while chunk := fh.read(_SNIFF_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return _check_gb18030(path)
    return "utf-8"


def _check_gb18030(path: Path) -> str:
    decoder = codecs.getincrementaldecoder("gb18030")()
    offset = 0
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(_SNIFF_BYTES):
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise KwtrackError(
                f"{path.name}: not readable text (neither UTF-8 nor GB18030/GBK; "
                f"bad bytes near byte {offset + exc.start})"
            ) from None
    return "gb18030"


def _csv_dialect(path: Path, encoding: str) -> str:
    """The delimiter: tab when the first lines hold more tabs than commas, else comma (the
    lines the header is looked for in: a report's one-cell title line above it says
    nothing, and may hold a comma: `产品数据, 时间周期 …`)."""
    with path.open(encoding=encoding, newline="") as fh:
        head = "".join(islice(fh, HEADER_SCAN_ROWS))
    return "\t" if head.count("\t") > head.count(",") else ","


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """The rows, numbered. Read strictly: leniently, a stray quote that is never closed takes
    every later row into one cell (the import would say "1 row"), and one followed by more
    text (`"Hot" Boots`) loses its quotes silently."""
    delimiter = _csv_dialect(path, encoding)
    with path.open(encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        number = 0
        try:
            for number, row in enumerate(reader, start=1):
                yield number, row
        except csv.Error as exc:
            raise KwtrackError(f"{path.name}:{number + 1}: {_csv_problem(str(exc))}") from None


def _csv_problem(message: str) -> str:
    """What the csv module's complaint means for the person who made the file."""
    if message == "unexpected end of data":
        return 'a quoted cell is never closed: its quote (") would take in the rest of the file'
    if message.endswith("expected after '\"'"):
        return ('a quoted cell goes on after its closing quote (inside a quoted cell, '
                'a quote is written "")')
    return f"broken CSV: {message}"


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


LARGEST_SHEET = 256 << 20  # bytes an XLSX may expand to: far past any real report


def _check_expansion(path: Path) -> None:
    """Refuse an XLSX (a zip archive) that would expand past LARGEST_SHEET: a zip bomb."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip at all: the spreadsheet reader says what is wrong
    if size > LARGEST_SHEET:
        raise KwtrackError(f"{path.name}: the spreadsheet expands past {LARGEST_SHEET >> 20} MB "
                           f"({size >> 20:,} MB): refused")


def _spreadsheet_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from python_calamine import CalamineWorkbook

    if path.suffix.lower() in (".xlsx", ".xlsm", ".ods"):
        _check_expansion(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception as exc:  # calamine raises several types for damaged files
        raise KwtrackError(f"{path.name}: cannot read spreadsheet: {exc}") from None
    start = getattr(sheet, "start", None)
    first = (start[0] if start else 0) + 1
    for number, row in enumerate(rows, start=first):
        yield number, [_cell_text(v) for v in row]


def _json_records(path: Path) -> Iterator[dict]:
    """The records of a JSON list, one at a time: a big export is never held in memory whole."""
    import json

    decoder = json.JSONDecoder()
    number = 0
    try:
        with path.open(encoding="utf-8-sig") as fh:
            buffer, pos = "", 0

            def fill() -> bool:
                nonlocal buffer, pos
                more = fh.read(_JSON_READ)
                buffer, pos = buffer[pos:] + more, 0
                return bool(more)

            def next_char() -> str:
                nonlocal pos
                while True:
                    while pos < len(buffer) and buffer[pos].isspace():
                        pos += 1
                    if pos < len(buffer) or not fill():
                        return buffer[pos] if pos < len(buffer) else ""

            if next_char() != "[":
                raise KwtrackError(f"{path.name}: expected a JSON list of records")
            pos += 1
            if next_char() == "]":
                return
            while True:
                next_char()
                try:
                    record, end = decoder.raw_decode(buffer, pos)
                except json.JSONDecodeError as exc:
                    if fill():  # the record was cut by the last read: read on
                        continue
                    raise KwtrackError(f"{path.name}: not valid JSON after record {number}: "
                                       f"{exc.msg}") from None
                if not isinstance(record, dict):
                    raise KwtrackError(f"{path.name}: expected a JSON list of records "
                                       f"(item {number + 1} is not a record)")
                number += 1
                pos = end
                yield record
                mark = next_char()
                pos += 1
                if mark == "]":
                    if next_char():
                        raise KwtrackError(f"{path.name}: not valid JSON: text after the list")
                    return
                if mark != ",":
                    raise KwtrackError(f"{path.name}: not valid JSON after record {number}: "
                                       "expected , or ]")
    except UnicodeDecodeError as exc:
        raise KwtrackError(f"{path.name}: not valid JSON: {exc}") from None


_JSON_READ = 1 << 16


def _json_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """A JSON export (a list of records) as a header row and cell rows; row N is record N-1.

    The file is read twice, streaming both times: once for the columns (the keys of all
    records, in order of appearance), once for the rows.
    """
    columns = list(dict.fromkeys(k for record in _json_records(path) for k in record))
    yield 1, columns
    for number, record in enumerate(_json_records(path), start=2):
        yield number, [_cell_text(_json_cell(record.get(c))) for c in columns]


def _json_cell(value: object) -> object:
    if isinstance(value, bool):
        return "Y" if value else "N"
    return value


class _HtmlRows(HTMLParser):
    """The rows of the tables in an HTML file, fed to it piece by piece: each `<tr>` a row,
    each `<td>` or `<th>` a cell's text (runs of spaces and line breaks as one space);
    `done` holds the rows finished so far."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.done: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "tr":
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            self._end_cell()
            self._cell = [] if self._row is not None else None
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def close(self) -> None:
        super().close()
        self._end_row()  # (a last row left open)

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None:
            self.done.append(self._row)
        self._row = None


def _html_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """An HTML table saved under an .xls name (what many back ends call an Excel export):
    its rows, row 1 the first `<tr>`, read a piece at a time."""
    rows, number = _HtmlRows(), 0
    with path.open(encoding=encoding, errors="replace") as fh:
        while True:
            piece = fh.read(_SNIFF_BYTES)
            if piece:
                rows.feed(piece)
            else:
                rows.close()
            for row in rows.done:
                number += 1
                yield number, row
            rows.done.clear()
            if not piece:
                if not number:
                    raise KwtrackError(f"{path.name}: an HTML page with no table in it (not "
                                       "a report export?)")
                return


# How a spreadsheet file begins: a legacy .xls (an OLE compound file), or a zip (.xlsx, .ods).
_SPREADSHEET_MAGIC = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04")


def _content_of(path: Path) -> str:
    """What a file named as a spreadsheet holds: `spreadsheet`, `html` (a table saved as
    .xls) or `text` (a CSV or tab-separated export given an .xls name)."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(_SPREADSHEET_MAGIC):
        return "spreadsheet"
    if head.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<"):
        return "html"
    return "text"


def open_table(path: str | Path) -> Table:
    """Open a CSV, TSV, JSON or spreadsheet file for reading its rows. A file named as a
    spreadsheet is read as what it holds: back ends save HTML tables and tab-separated text
    as `.xls` too."""
    path = Path(path)
    if not path.is_file():
        raise KwtrackError(f"{path}: no such file")
    if path.suffix.lower() == ".json":
        return Table(path, "utf-8", _json_rows(path))
    content = _content_of(path) if path.suffix.lower() in SPREADSHEET_SUFFIXES else "text"
    if content == "spreadsheet":
        return Table(path, None, _spreadsheet_rows(path))
    try:
        encoding = detect_encoding(path)
    except KwtrackError:
        if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
            raise
        raise KwtrackError(f"{path.name}: not a spreadsheet (neither an Excel nor an "
                           "OpenDocument file) nor readable text") from None
    if content == "html":
        return Table(path, encoding, _html_rows(path, encoding))
    return Table(path, encoding, _csv_rows(path, encoding))
