"""Exports use the canonical columns, neutralise formulas, and import back to the same data."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from kwtrack.cli import cli
from kwtrack.exports import EXPORT_KINDS, export_rows, write_export
from kwtrack.imports import import_file
from kwtrack.store.database import get_store, open_database
from kwtrack.store.models import Product

from .conftest import write_csv


def snapshot(store) -> dict[str, list]:
    """Every export kind's rows, as comparable lists."""
    return {kind: [list(map(str, row)) for row in export_rows(store, kind)[1]]
            for kind in EXPORT_KINDS}


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_then_import_into_empty_database_gives_the_same_data(demo_db, tmp_path, fmt):
    store = get_store()
    before = snapshot(store)
    kinds = EXPORT_KINDS
    if fmt == "xlsx":  # writing 80,000 stats rows with openpyxl is slow; CSV/JSON cover them
        kinds = ("products", "keywords", "coverage", "bids")
        before = {k: v for k, v in before.items() if k in kinds}
    files = {}
    for kind in kinds:
        path = tmp_path / f"{kind}.{fmt}"
        if fmt == "xlsx":
            write_export(store, kind, path, fmt)
        else:
            with path.open("w", encoding="utf-8", newline="") as fh:
                write_export(store, kind, fh, fmt)
        files[kind] = path
    open_database(str(tmp_path / "empty.db"))
    fresh = get_store(create=True)
    for kind in ("keywords", "products", "coverage", "bids", "product-stats", "keyword-stats"):
        if kind in files:
            import_file(fresh, kind, files[kind])  # (each by the name it was exported as)
    after = snapshot(fresh)
    for kind in kinds:
        assert after[kind] == before[kind], kind


def test_formula_cells_are_neutralised_and_read_back(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv",
                                             "product_id,title\nP1,\"=HYPERLINK(\"\"x\"\")\"\n"
                                             "P2,@SUM(A1)\nP3,-5% off sandals\n"))
    out = io.StringIO()
    write_export(store, "products", out, "csv")
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("P1,\"'=HYPERLINK") and lines[2].startswith("P2,'@SUM")
    assert lines[3].startswith("P3,'-5% off")
    (tmp_path / "back.csv").write_text(out.getvalue())
    result = import_file(store, "products", tmp_path / "back.csv")
    assert result.unchanged == 3
    assert Product.get(Product.product_id == "P3").title == "-5% off sandals"


def test_cli_export_json_and_stdout(demo_db):
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(demo_db), "export", "bids", "--format", "json"])
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert len(records) == 260 and set(records[0]) == {
        "keyword", "group", "status", "bid", "base_price", "stars", "target_position",
        "min_bid", "max_bid"}
    bad = runner.invoke(cli, ["--db", str(demo_db), "export", "bids", "--format", "xlsx"])
    assert bad.exit_code == 2 and "needs an output file" in bad.output


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "etc_passwd"),
    ("..", "export"),
    ("a/b\\c", "a_b_c"),
    ("C:\\Windows", "C_Windows"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("Store\x00\n name", "Store_ name"),
    (".hidden", "hidden"),
    ("鞋业 旗舰店", "鞋业 旗舰店"),
    ("x" * 300, "x" * 80),
])
def test_safe_file_name_keeps_names_inside_one_folder(name, expected):
    from kwtrack.exports import safe_file_name

    assert safe_file_name(name) == expected


@pytest.mark.parametrize("name", ["../../outside", "/tmp/abs", "..\\..\\win", "sub/dir"])
def test_export_to_folder_never_escapes_it_whatever_the_store_is_called(db_path, tmp_path,
                                                                       name):
    from kwtrack.exports import export_to_folder

    store = get_store(name, create=True)
    folder = tmp_path / "out" / "inner"
    folder.mkdir(parents=True)
    before = {p for p in tmp_path.rglob("*") if p.is_file()}
    written = export_to_folder(store, EXPORT_KINDS, folder, "csv")
    made = {p for p in tmp_path.rglob("*") if p.is_file()} - before
    assert made == {path for _, path, _ in written} and len(made) == len(EXPORT_KINDS)
    assert all(path.parent == folder.resolve() for path in made)


def test_export_to_folder_refuses_a_file_name_that_is_a_link_out(db_path, tmp_path):
    from kwtrack.errors import KwtrackError
    from kwtrack.exports import export_to_folder

    folder, elsewhere = tmp_path / "out", tmp_path / "elsewhere.csv"
    folder.mkdir()
    elsewhere.write_text("precious\n")
    day = __import__("datetime").date(2026, 11, 27)
    (folder / "default-products-2026-11-27.csv").symlink_to(elsewhere)
    with pytest.raises(KwtrackError, match="outside"):
        export_to_folder(get_store(create=True), ("products",), folder, "csv", day)
    assert elsewhere.read_text() == "precious\n"


def test_an_export_that_fails_midway_leaves_the_old_file_and_no_part(demo_db, tmp_path,
                                                                     monkeypatch):
    from kwtrack import exports

    target = tmp_path / "bids.csv"
    target.write_text("last month's export\n")
    real = exports.export_rows

    def failing(store, kind):
        columns, rows = real(store, kind)

        def some_then_interrupt():
            for i, row in enumerate(rows):
                if i == 50:
                    raise KeyboardInterrupt
                yield row
        return columns, some_then_interrupt()

    monkeypatch.setattr(exports, "export_rows", failing)
    with pytest.raises(KeyboardInterrupt):
        exports.export_to_file(get_store(), "bids", target, "csv")
    assert target.read_text() == "last month's export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    monkeypatch.setattr(exports, "export_rows", real)
    assert exports.export_to_file(get_store(), "bids", target, "csv") == 260
    assert len(target.read_text().splitlines()) == 261


def test_cli_export_all_into_a_folder_and_its_errors(demo_db, tmp_path):
    runner = CliRunner()
    folder = tmp_path / "monthly"
    folder.mkdir()
    done = runner.invoke(cli, ["--db", str(demo_db), "export", "all", "--dir", str(folder)])
    assert done.exit_code == 0, done.output
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == len(EXPORT_KINDS) and all(n.startswith("default-") for n in names)
    assert "260 rows of bids exported to" in done.output
    missing = runner.invoke(cli, ["--db", str(demo_db), "export", "all"])
    assert missing.exit_code == 2 and "--dir FOLDER" in missing.output
    nowhere = runner.invoke(cli, ["--db", str(demo_db), "export", "bids", "-o",
                                  str(tmp_path / "no" / "such" / "bids.csv")])
    assert nowhere.exit_code == 1 and "no such folder" in nowhere.output
    assert "Traceback" not in nowhere.output


def test_tracked_words_go_out_with_the_keywords_and_come_back_in(store, db_path, tmp_path):
    """A word tracked between reviews (typed by the operator) leaves with `export keywords`
    (`tracked`: Y; blank, not N, for the others, so the file untracks nothing) and comes back
    with the import; N stops tracking; undo puts it back."""
    from kwtrack.review import set_tracked
    from kwtrack.store.models import Keyword

    def tracked(name: str) -> set[str]:
        return {k.keyword for k in Keyword.select().join_from(Keyword, type(store)).where(
            (type(store).name == name) & Keyword.tracked_at.is_null(False))}

    import_file(store, "keywords", write_csv(tmp_path / "k.csv", "keyword\na\nb\nc\n"))
    set_tracked(store, ["a", "b"], True)
    out = tmp_path / "out.csv"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db_path), "export", "keywords", "-o", str(out)]
                         ).exit_code == 0
    assert out.read_text().splitlines() == [
        "keyword,group,search_index,competition,source,status,notes,tracked",
        "a,,,,,,,Y", "b,,,,,,,Y", "c,,,,,,,"]
    other = ["--db", str(db_path), "--store", "other"]
    assert runner.invoke(cli, [*other, "init"]).exit_code == 0
    assert runner.invoke(cli, [*other, "import", "keywords", str(out)]).exit_code == 0
    assert tracked("other") == {"a", "b"}
    moved = runner.invoke(cli, [*other, "import", "keywords", str(write_csv(
        tmp_path / "t.csv", "keyword,tracked\na,N\nc,Y\nb,\n"))])
    assert "3 rows, 0 added, 2 changed, 1 unchanged" in moved.stdout, moved.output
    assert tracked("other") == {"b", "c"}
    runner.invoke(cli, [*other, "undo"])
    assert tracked("other") == {"a", "b"} == tracked("default")
    odd = runner.invoke(cli, [*other, "import", "keywords", str(write_csv(
        tmp_path / "odd.csv", "keyword,tracked\na,maybe\n"))])
    assert odd.exit_code == 1 and "odd.csv:2:tracked" in odd.stderr
