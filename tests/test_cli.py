"""The CLI through click's CliRunner: help everywhere, lists, imports, errors as one line."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from kwtrack import __version__
from kwtrack.cli import cli

from .conftest import write_csv


def run(*args, db=None, ok=True):
    """Invoke kwtrack; return the result, checking the exit status."""
    argv = (["--db", str(db)] if db else []) + [str(a) for a in args]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
    return result


def _all_commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from _all_commands(command, prefix + (name,))


@pytest.mark.parametrize("path", list(_all_commands(cli)))
def test_every_command_has_help_with_an_example(path):
    result = run(*path, "--help")
    command = cli
    for name in path:
        command = command.commands[name]
    assert command.help, f"{' '.join(path)} has no help"
    if not isinstance(command, click.Group):
        assert "Example" in result.output


def test_version():
    assert run("--version").output.strip() == f"kwtrack, version {__version__}"


def test_init_import_and_list(tmp_path):
    db = tmp_path / "shop.db"
    run("init", db=db)
    csv = write_csv(tmp_path / "p.csv", "product_id,title,keywords\n"
                    "P1,Walking Shoes A1,walking shoes\nP2,Beach Sandals B2,sandals\n")
    out = run("import", "products", csv, db=db).output
    assert "2 rows, 2 added" in out
    listed = json.loads(run("products", "list", "--json", db=db).output)
    assert [p["product_id"] for p in listed] == ["P1", "P2"]
    assert listed[0]["keywords"] == 1 and listed[0]["impressions"] is None
    found = json.loads(run("keywords", "list", "--json", "--search", "Walking", db=db).output)
    assert [k["keyword"] for k in found] == ["walking shoes"]
    text = run("products", "list", "--search", "sandals", db=db).output
    assert "P2" in text and "P1" not in text


def test_bad_import_is_one_line_per_problem_exit_1_nothing_written(tmp_path):
    db = tmp_path / "shop.db"
    run("init", db=db)
    bad = write_csv(tmp_path / "bad.csv", "product_id,title,score\nP1,Shoes,lots\n")
    result = run("import", "products", bad, db=db, ok=False)
    assert result.exit_code == 1
    assert result.stderr == "kwtrack: error: bad.csv:2:score: 'lots' is not a number\n"
    assert "Traceback" not in result.output
    assert json.loads(run("products", "list", "--json", db=db).output) == []


def test_import_dry_run_and_reimport_messages(tmp_path):
    db = tmp_path / "shop.db"
    run("init", db=db)
    csv = write_csv(tmp_path / "k.csv", "keyword,group\nshoes,core\n")
    assert "dry run" in run("import", "keywords", csv, "--dry-run", db=db).output
    assert json.loads(run("keywords", "list", "--json", db=db).output) == []
    run("import", "keywords", csv, db=db)
    again = run("import", "keywords", csv, db=db).output
    assert "already imported" in again and again.endswith("— --force applies it again\n")


def test_an_import_makes_a_store_the_database_lacks_and_says_so_a_dry_run_none(tmp_path):
    db = tmp_path / "agency.db"
    run("init", db=db)
    csv = write_csv(tmp_path / "k.csv", "keyword,group\nshoes,core\n")
    dry = run("--store", "client-a", "import", csv, "--dry-run", db=db, ok=False)
    assert dry.exit_code == 1 and dry.stderr.startswith(
        "kwtrack: error: no store named 'client-a' in this database (stores: default)")
    assert run("stores", "list", db=db).output == "default\t0 products\n"  # (none made)
    # a file that fails makes no store: the store is made in the import's transaction
    bad = write_csv(tmp_path / "bad.csv", "keyword,group\n,core\n")
    assert run("--store", "client-a", "import", "keywords", bad, db=db, ok=False).exit_code == 1
    assert run("stores", "list", db=db).output == "default\t0 products\n"
    made = run("--store", "client-a", "import", csv, db=db)
    assert made.stderr.startswith("made the store 'client-a' for this import")
    again = run("--store", "client-a", "import", "keywords", csv, "--force", db=db)
    assert "made the store" not in again.stderr
    assert run("stores", "list", db=db).output == "client-a\t0 products\ndefault\t0 products\n"


def test_errors_are_one_line(tmp_path):
    run("init", db=tmp_path / "x.db")
    result = run("--store", "nope", "products", "list", db=tmp_path / "x.db", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("kwtrack: error: no store named 'nope'")
    assert len(result.stderr.splitlines()) == 1
    result = run("--db", tmp_path, "products", "list", ok=False)
    assert "is a directory" in result.stderr and result.exit_code == 1


def test_the_right_database_or_none(tmp_path):
    """Only init and demo create a database: a mistyped --db is an error that names it, and
    so is a file that is not a kwtrack database; nothing is created on the way."""
    missing = tmp_path / "shpo.db"
    result = run("products", "list", db=missing, ok=False)
    assert result.exit_code == 1 and result.stderr == (
        f"kwtrack: error: no kwtrack database at {missing}: `kwtrack init` (or `kwtrack "
        "demo`) creates one; --db picks another\n")
    assert not missing.exists()
    nested = tmp_path / "no" / "such" / "folder" / "shop.db"
    result = run("init", db=nested, ok=False)
    assert f"the folder {nested.parent} does not exist" in result.stderr
    assert not (tmp_path / "no").exists()
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE invoices (id INTEGER)")
    result = run("products", "list", db=other, ok=False)
    assert "is not a kwtrack database (it holds other tables: invoices)" in result.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = run("products", "list", db=junk, ok=False)
    assert result.exit_code == 1 and f"cannot open database {junk}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_db_status_and_upgrade(tmp_path):
    db = tmp_path / "shop.db"
    db.touch()  # an empty SQLite file: every migration pending
    status = run("db", "status", db=db).output
    assert "0001_initial  (pending)" in status
    assert "applied: 0001_initial" in run("db", "upgrade", db=db).output
    assert "[x] 0001_initial" in run("db", "status", db=db).output
    assert "up to date" in run("db", "upgrade", db=db).output


def test_init_demo_then_lists_show_numbers(tmp_path):
    db = tmp_path / "demo.db"
    run("init", "--demo", db=db)
    products = json.loads(run("products", "list", "--json", "--limit", "5", db=db).output)
    assert len(products) == 5 and any(p["impressions"] for p in products)
    core = json.loads(run("keywords", "list", "--json", "--group", "core", db=db).output)
    assert len(core) == 8 and all(k["bid"] is not None for k in core)
    assert "already has data" in run("init", "--demo", db=db, ok=False).stderr


def test_a_list_fits_the_terminal_and_a_pipe_gets_it_whole(tmp_path, monkeypatch):
    """On a terminal of 80 columns the titles give way so no line wraps; into a file or a
    pipe the same list keeps its titles (up to their cap)."""
    from wcwidth import wcswidth as _width

    import kwtrack.cli.common as common

    db = tmp_path / "demo.db"
    run("init", "--demo", db=db)
    piped = run("products", "list", "--limit", "20", db=db).output.splitlines()
    assert max(map(_width, piped)) > 100
    monkeypatch.setattr(common, "_terminal_columns", lambda: 80)
    shown = run("products", "list", "--limit", "20", db=db).output.splitlines()
    assert max(map(_width, shown)) <= 80 and "…" in shown[1]
    assert [line.split()[0] for line in shown] == [line.split()[0] for line in piped]


def test_demo_is_a_store_in_the_default_database_that_every_command_sees(tmp_path):
    mine = tmp_path / "home" / "data" / "x.csv"
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_text("product_id,title\nMY1,My Own Product Model M1\n")
    run("init")
    run("import", "products", str(mine))  # the user's own default store, in the default db
    first = run("demo", "--no-tui")
    assert "demo store 'demo' created in" in first.stderr and "other stores untouched" in (
        first.stderr)
    listed = json.loads(run("--store", "demo", "products", "list", "--json").output)
    assert len(listed) == 311
    again = run("demo", "--no-tui")  # loaded afresh, the same data, not refused
    assert "loaded afresh" in again.stderr
    assert len(json.loads(run("--store", "demo", "products", "list", "--json").output)) == 311
    # the user's own store was never touched, and no other database file was made
    own = json.loads(run("products", "list", "--json").output)
    assert [p["product_id"] for p in own] == ["MY1"]
    assert "demo\t311 products" in run("stores", "list").output
    data = tmp_path / "home" / "data" / "kwtrack"
    assert sorted(p.name for p in data.glob("*.db")) == ["kwtrack.db"]


def test_reading_a_store_that_is_not_there_names_those_that_are(tmp_path):
    """After `kwtrack demo` alone the database holds the demo store only: a command that
    reads the default store says so (it used to make an empty default store and list
    nothing, as if the demo had loaded nothing); the TUI does the same."""
    run("demo", "--no-tui")
    for args in (["products", "list"], ["tui"], []):
        result = run(*args, ok=False)
        assert result.exit_code == 1 and result.stderr.strip() == (
            "kwtrack: error: no store named 'default' in this database (stores: demo); pick "
            "one with --store NAME, or make it with `kwtrack --store NAME init`")
    assert run("stores", "list").output == "demo\t311 products\n"
    run("init")  # makes the default store, as it says
    assert run("products", "list", "--json").output.strip() == "[]"


def test_usage_errors_are_one_line_with_a_hint_to_help():
    result = CliRunner().invoke(cli, ["products", "list", "--bogus"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("kwtrack: error: No such option '--bogus' "
                                     "(see `kwtrack products list --help`)")
    result = CliRunner().invoke(cli, ["import", "nonsense", "x.csv"])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("kwtrack: error: Invalid value for KIND")


def test_a_command_group_alone_shows_its_help_not_an_error_line():
    """`kwtrack bids` alone is someone asking what `bids` does: its help, as click gives it
    (exit 2, a command is missing), not the whole help squeezed into `kwtrack: error: …`."""
    for group in (["bids"], ["p4p"], ["p4p", "plan"]):
        result = CliRunner().invoke(cli, group, prog_name="kwtrack")
        assert result.exit_code == 2
        assert result.stderr.startswith(f"Usage: kwtrack {' '.join(group)} [OPTIONS] COMMAND")
        assert "kwtrack: error" not in result.stderr and "Commands:" in result.stderr


def test_tables_align_chinese_text_by_display_width(capsys):
    from kwtrack.cli.common import echo_table

    echo_table(["keyword", "n"], [["运动鞋", 1], ["shoes", 22], ["zapatos de hombre", 3]])
    lines = capsys.readouterr().out.splitlines()
    from wcwidth import wcswidth

    # the second column starts at the same display column on every line
    starts = [wcswidth(line[:len(line.rstrip("0123456789"))]) for line in lines[1:]]
    assert len(set(starts)) == 1 and lines[1].startswith("运动鞋  ")


def test_the_zero_effect_window_defaults_to_the_checks_own():
    """The CLI spells the window's default (`--help` must not load the database layer for
    it): it must be the check's."""
    from kwtrack.cleanup import DEFAULT_DAYS
    from kwtrack.cli.common import ZERO_EFFECT_DAYS

    assert ZERO_EFFECT_DAYS == DEFAULT_DAYS
    for path in (("products", "zero-effect"), ("products", "delete"), ("coverage", "check")):
        assert f"[default: {DEFAULT_DAYS}; 1<=x<=3660]" in run(*path, "--help").output.replace(
            "\n", " ").replace("  ", " ")


def test_a_list_with_no_rows_says_why_beside_its_header(store, db_path):
    """A header alone reads as a fault: the list says on stderr why it is empty (stdout keeps
    the header for scripts)."""
    cases = [(("products", "list"), "no products in store 'default' yet"),
             (("keywords", "list"), "no keywords in store 'default' yet"),
             (("bids", "list"), "no P4P bids in store 'default' yet"),
             (("imports", "list"), "no files imported in store 'default' yet"),
             (("history",), "no changes logged in store 'default' yet (edits, deletes, bids; "
                            "the imported files: kwtrack imports list)")]
    for args, line in cases:
        result = run(*args, db=db_path)
        assert result.stderr == line + "\n" and len(result.stdout.splitlines()) == 1
    run("keywords", "add", "walking shoes", db=db_path)
    assert run("keywords", "list", "-s", "boots", db=db_path).stderr == (
        "no keywords match 'boots' in store 'default'\n")
    assert run("keywords", "list", "--offset", "1", db=db_path).stderr == (
        "no keywords past the first 1\n")
    listed = run("keywords", "list", db=db_path)
    assert listed.stderr == "" and "walking shoes" in listed.stdout


def test_products_list_over_the_last_n_days_for_the_monthly_product_analysis(demo_db):
    """`--days N`: the numbers over the last N days of data (sort by inquiries: the monthly
    analysis; 360: a hot product's year), said on stderr as the stats give them: a span
    longer than the stats is the days they hold, never a year read from six months."""
    from kwtrack.catalog import list_products
    from kwtrack.store.database import get_store

    month = run("products", "list", "--days", "90", "--sort", "inquiries", "--desc",
                "--limit", "3", "--json", db=demo_db)
    assert month.stderr == "numbers: the last 90 days of data (2026-08-25 – 2026-11-22)\n"
    rows = json.loads(month.stdout)
    every = list_products(get_store(), days=90)
    assert [r["inquiries"] for r in rows] == sorted((r.inquiries for r in every),
                                                    reverse=True)[:3]
    assert rows[0]["inquiries"] > next(r.inquiries for r in list_products(get_store())
                                       if r.product_id == rows[0]["product_id"])
    year = run("products", "list", "--days", "360", "--limit", "1", db=demo_db)
    assert year.stderr == "numbers: the last 180 days of data (2026-05-27 – 2026-11-22)\n"
    assert run("products", "list", "--limit", "1", db=demo_db).stderr == ""
    assert run("products", "list", "--days", "0", db=demo_db, ok=False).exit_code == 2


def test_products_show_a_products_keywords_and_weeks_unknown_where_a_row_is(demo_db,
                                                                            tmp_path):
    """`products show`: the keywords it covers with their routes and its weeks; a week one of
    whose report rows says `-` is unknown there, not 0 (it was added up as 0)."""
    from kwtrack.catalog import product_details
    from kwtrack.store.database import get_store

    pid = json.loads(run("products", "list", "--limit", "1", "--json", db=demo_db).stdout)[0][
        "product_id"]
    shown = run("products", "show", f" {pid} ", db=demo_db).stdout
    details = product_details(get_store(), pid)
    assert shown.startswith(f"{pid}  {details.product.title}\n")
    assert all(f"{k}" in shown for k, _ in details.keywords)
    run("products", "add", "1699000000009", "--title", "Trail Shoes Z9", db=demo_db)
    run("import", "product-stats", write_csv(tmp_path / "s.csv", (
        "product_id,date,impressions,clicks\n1699000000009,2026-11-16,5,1\n"
        "1699000000009,2026-11-17,-,1\n1699000000009,2026-11-10,7,-\n")), db=demo_db)
    weeks = json.loads(run("products", "show", "1699000000009", "--json", db=demo_db).stdout)[
        "weeks"]
    assert [(w["monday"], w["impressions"], w["clicks"]) for w in weeks[-2:]] == [
        ("2026-11-09", 7, None), ("2026-11-16", None, 2)]
    # the weeks named as the review names them
    assert "\n2026-W47  -            2       " in run("products", "show", "1699000000009",
                                                    db=demo_db).stdout
    missing = run("products", "show", "999", db=demo_db, ok=False)
    assert missing.exit_code == 1 and missing.stderr == (
        "kwtrack: error: no product '999' in store 'default'\n")


def test_keywords_show_says_who_covers_the_word_or_which_titles_could(demo_db):
    """`keywords show`: the live products covering a word, by route, as the TUI's details
    pane says; for a word none covers, the titles that could carry it, to link one."""
    from kwtrack import edits
    from kwtrack.catalog import keyword_details
    from kwtrack.store.database import get_store

    rows = json.loads(run("keywords", "list", "--search", "route:none", "--json",
                          db=demo_db).stdout)
    orphan = rows[0]["keyword"]
    could = edits.carriers(get_store(), orphan, limit=3)
    shown = run("keywords", "show", orphan, db=demo_db).stdout.splitlines()
    assert shown[1] == ("covered by no live product; titles that could carry it "
                        "(`kwtrack keywords link WORD ID`):")
    assert [line.split()[0] for line in shown[2:5]] == [p for p, _ in could]
    data = json.loads(run("keywords", "show", orphan, "--json", db=demo_db).stdout)
    assert (data["products"], data["covered_by"]) == (0, [])
    assert [c["product_id"] for c in data["could_carry"]] == [p for p, _ in could]

    run("keywords", "link", orphan, could[0][0], db=demo_db)
    shown = run("keywords", "show", orphan, db=demo_db).stdout.splitlines()
    assert shown[1] == f"covered by 1 live product: {could[0][0]} (manual)"
    busy = max((r for r in json.loads(run("keywords", "list", "--json", "--limit", "2000",
                                          db=demo_db).stdout)), key=lambda r: r["products"])
    details = keyword_details(get_store(), busy["keyword"])
    first = details.products[0]
    line = run("keywords", "show", busy["keyword"], db=demo_db).stdout.splitlines()[1]
    assert line.startswith(f"covered by {busy['products']} live products: {first.product_id} (")
    assert line.endswith(f" +{busy['products'] - 4} more")
    run("keywords", "edit", orphan, "--notes", "asked at the Canton fair", db=demo_db)
    about = run("keywords", "show", orphan, db=demo_db).stdout.splitlines()[2]
    assert about.endswith(" · not in P4P · notes: asked at the Canton fair"), about
    data = json.loads(run("keywords", "show", orphan, "--json", db=demo_db).stdout)
    assert (data["notes"], data["bid"]) == ("asked at the Canton fair", None)


def test_several_files_go_in_together_or_not_at_all(store, db_path, tmp_path):
    """A week's files in one command: each its own import (undone on its own); a bad one
    leaves none written; a dry run judges each after the ones before it."""
    products = write_csv(tmp_path / "p.csv", "product_id,title\nP1,Walking Shoes A1\n")
    stats = write_csv(tmp_path / "s.csv", "product_id,date,impressions\nP1,2026-11-16,5\n")
    bad = write_csv(tmp_path / "bad.csv", "product_id,date,impressions\nP9,2026-11-16,5\n")
    dry = run("import", products, stats, "--dry-run", db=db_path)
    assert dry.stdout.count("(dry run: nothing written)") == 2  # P1 known to the stats' run
    failed = run("import", products, bad, db=db_path, ok=False)
    assert failed.exit_code == 1 and failed.stderr.splitlines() == [
        "kwtrack: error: bad.csv:2:product_id: unknown product 'P9' (import it with "
        "`kwtrack import products` first)",
        "kwtrack: error: none of the 2 files was written: they go in together or not at all"]
    assert json.loads(run("imports", "list", "--json", db=db_path).stdout) == []
    done = json.loads(run("import", products, stats, "--json", db=db_path).stdout)
    assert [(r["kind"], r["added"]) for r in done] == [("products", 1), ("product-stats", 1)]
    assert len(json.loads(run("imports", "list", "--json", db=db_path).stdout)) == 2
    run("undo", db=db_path)  # the stats go, the product stays
    assert json.loads(run("products", "list", "--json", db=db_path).stdout)[0][
        "product_id"] == "P1"
    missing = run("import", tmp_path / "nothere.csv", products, db=db_path, ok=False)
    assert missing.stderr.startswith("kwtrack: error: ") and "nothere.csv: no such file" in (
        missing.stderr)


@pytest.mark.parametrize("args", [
    ["products", "list", "--days", "100000000"],
    ["products", "list", "-n", "100000000000000000000"],
    ["products", "list", "--offset", "100000000000000000000"],
    ["products", "zero-effect", "--days", "100000000"],
    ["coverage", "check", "--zero-effect", "--days", "100000000"],
    ["keywords", "list", "--weeks", "100000000"],
    ["keywords", "list", "-n", "100000000000000000000"],
    ["history", "-n", "100000000000000000000"],
    ["imports", "list", "-n", "100000000000000000000"],
    ["review", "done", "sneakers", "--section", "rising", "--snooze", "100000000"],
])
def test_a_number_past_what_an_option_takes_is_that_options_one_line(demo_db, args):
    """Ten years of days, a billion rows: past them dates and the database's integers
    overflow, which was an 'internal error'; now the option says its range."""
    result = CliRunner().invoke(cli, ["--db", str(demo_db), *args])
    assert result.exit_code == 2, result.output
    assert "is not in the range" in result.stderr and "internal error" not in result.stderr
