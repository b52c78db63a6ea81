"""Opening databases, the URL choice, and migrations producing exactly the models' schema."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import textwrap
import uuid
from pathlib import Path

import pytest
from peewee import PostgresqlDatabase, SqliteDatabase
from playhouse.schema_diff import diff_models

from kwtrack import paths
from kwtrack.errors import KwtrackError
from kwtrack.store.database import (
    connect_database,
    get_store,
    migration_status,
    open_database,
    shown,
)
from kwtrack.store.models import ALL_MODELS, Product, Store, database
from kwtrack.store.search import SEARCH_TABLES

from .conftest import sqlite_only


def model_diff(db):
    """How the database's schema differs from the models', but for the search index's
    trigram indexes on PostgreSQL (migration 0011: no model declares them)."""
    diff = diff_models(db, ALL_MODELS)
    return diff._replace(drop_indexes=[i for i in diff.drop_indexes
                                       if not i.name.endswith("_trgm")])


def _sqlite_schema(db) -> set[tuple]:
    """Tables, columns (with type, null, default, pk) and indexes, as SQLite reports them."""
    shape = set()
    for table in db.get_tables():
        # (the search index is no model's table: migration 0011 makes it, and its own test
        # says what it holds)
        if table == "schema_migration" or table.startswith(tuple(SEARCH_TABLES.values())):
            continue
        for col in db.execute_sql(f'PRAGMA table_info("{table}")').fetchall():
            shape.add(("column", table, *col[1:]))
        for index in db.get_indexes(table):
            shape.add(("index", table, index.name, tuple(index.columns), index.unique))
        for fk in db.get_foreign_keys(table):
            shape.add(("fk", table, fk.column, fk.dest_table, fk.dest_column))
    return shape


def test_migrations_yield_exactly_the_models_schema(tmp_path):
    migrated = open_database(str(tmp_path / "migrated.db"))
    assert not model_diff(migrated)
    migrated_shape = _sqlite_schema(migrated)
    migrated.close()
    direct = SqliteDatabase(str(tmp_path / "direct.db"))
    with direct.bind_ctx(ALL_MODELS):
        direct.create_tables(ALL_MODELS)
    assert _sqlite_schema(direct) == migrated_shape


@sqlite_only  # (SQLite's own query plan and pragmas)
def test_sqlite_opens_with_wal_foreign_keys_and_busy_timeout(db_path):
    db = database.obj
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_database_choice_path_url_and_env(tmp_path, monkeypatch):
    db = connect_database(f"sqlite:///{tmp_path}/url.db")
    assert isinstance(db, SqliteDatabase) and db.database == f"{tmp_path}/url.db"
    db.close()
    monkeypatch.setenv("KWTRACK_DB", str(tmp_path / "env.db"))
    assert paths.default_database() == str(tmp_path / "env.db")
    monkeypatch.delenv("KWTRACK_DB")
    assert paths.default_database().endswith(os.path.join("kwtrack", "kwtrack.db"))
    with pytest.raises(KwtrackError, match="unsupported database URL"):
        connect_database("mongodb://localhost/x")


def test_stores_are_separate(db_path):
    default = get_store(create=True)
    other = get_store("agency-client-2", create=True)
    Product.create(store=default, product_id="P1", title="a")
    Product.create(store=other, product_id="P1", title="b")  # same ID, other store
    assert Product.select().where(Product.store == other).count() == 1
    with pytest.raises(KwtrackError, match="no store named 'nope'"):
        get_store("nope")
    assert Store.select().count() == 2


def test_older_sqlite_database_is_copied_aside_and_upgraded(tmp_path, monkeypatch):
    folder = tmp_path / "migrations"
    folder.mkdir()
    shutil.copy(paths.migrations_dir() / "0001_initial.py", folder)
    monkeypatch.setattr("kwtrack.store.database.migrations_dir", lambda: folder)
    path = tmp_path / "old.db"
    db = open_database(str(path))
    # Raw SQL: the models have moved on since 0001, this database has not.
    db.execute_sql("INSERT INTO product (store_id, product_id, title, status, created_at, "
                   "updated_at) VALUES (?, 'P1', 'kept', 'online', '2026-01-01', '2026-01-01')",
                   (get_store(create=True).id,))
    db.close()
    (folder / "0002_product_note.py").write_text(textwrap.dedent("""
        from peewee import TextField

        def up(migrator, db):
            migrator.migrate(migrator.add_column("product", "note", TextField(null=True)))
    """))
    db = open_database(str(path))
    assert [m.applied for m in migration_status(db)] == [True, True]
    assert "note" in [c.name for c in db.get_columns("product")]
    [made] = (tmp_path / "backups").glob("old-auto-before-upgrade-*.db")
    backup = SqliteDatabase(str(made))
    assert "note" not in [c.name for c in backup.get_columns("product")]
    assert backup.execute_sql("SELECT title FROM product").fetchone()[0] == "kept"


def _postgres_url() -> str | None:
    url = os.environ.get("KWTRACK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        db = connect_database(url)
    except KwtrackError:
        return None
    db.close()
    return url


@pytest.fixture
def postgres_url():
    url = _postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432")
    schema = f"kwtrack_{uuid.uuid4().hex[:8]}"
    admin = connect_database(url)
    admin.execute_sql(f"CREATE SCHEMA {schema}")
    yield f"{url}?options=-csearch_path%3D{schema}"
    admin.execute_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.close()


def test_a_products_keywords_are_found_whatever_the_servers_collation(tmp_path, monkeypatch):
    """A product's details find the keywords its title may hold by ranges of words in byte
    order, on a server whose own collation orders text otherwise (ICU ignoring spaces and
    punctuation: there `slip on trainer` sorts after `slip on!`)."""
    from kwtrack.cleanup import StoreCoverage, routes
    from kwtrack.store.models import Keyword

    url = _postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432")
    name = f"kwtrack_icu_{uuid.uuid4().hex[:8]}"
    admin = connect_database(url)
    admin.connect(reuse_if_open=True)
    admin.connection().autocommit = True
    try:
        admin.execute_sql(f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu "
                          "ICU_LOCALE 'und-u-ka-shifted' LOCALE 'C.UTF-8'")
    except Exception as exc:  # noqa: BLE001 — (a server before 15, or without ICU)
        admin.close()
        pytest.skip(f"this server makes no ICU database: {exc}")
    try:
        db = open_database(url.rsplit("/", 1)[0] + f"/{name}")
        store = get_store(create=True)
        for text in ("slip on trainer", "slip on", "mesh trainers", "trainer"):
            Keyword.create(store=store, keyword=text, norm=text,
                           **Keyword.derived("keyword", text))
        product = Product.create(store=store, product_id="P1", title="Slip-On Mesh Trainers",
                                 status="online",
                                 **Product.derived("title", "Slip-On Mesh Trainers"))
        monkeypatch.setattr(routes, "STARTS_PER_KEYWORD", 0)  # (by ranges, however small)
        found = StoreCoverage(store).covered([(product.id, product.title_words,
                                               product.title)])
        assert {k for k, _ in found[product.id]} == {"slip on trainer", "slip on",
                                                     "mesh trainers", "trainer"}
        db.close()
    finally:
        admin.execute_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def test_postgresql_gets_the_same_schema_and_imports(postgres_url, tmp_path, monkeypatch):
    import kwtrack.imports.chunks as chunking
    from kwtrack.errors import ImportFailed
    from kwtrack.imports import import_file

    db = open_database(postgres_url)
    assert isinstance(db, PostgresqlDatabase)
    assert not model_diff(db)
    store = get_store(create=True)
    (tmp_path / "p.csv").write_text("product_id,title,keywords\nP1,Shoes,running shoes|sneakers\n"
                                    "P2,Men's Running Shoes R1,\n")
    (tmp_path / "s.csv").write_text("product_id,date,impressions\nP1,2026-11-01,5\n")
    assert import_file(store, "products", tmp_path / "p.csv").added == 2
    assert import_file(store, "product-stats", tmp_path / "s.csv").added == 1
    again = import_file(store, "product-stats", tmp_path / "s.csv", force=True)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 1)
    # keyword stats: a new week goes in by plain insert, then by upsert
    (tmp_path / "k.csv").write_text("keyword,week,channel,clicks\nrunning shoes,2026-11-02,p4p,3\n"
                                    "boots,2026-11-02,,4\n")
    assert import_file(store, "keyword-stats", tmp_path / "k.csv").added == 2
    (tmp_path / "k2.csv").write_text("keyword,week,channel,clicks\n"
                                     "running shoes,2026-11-02,p4p,5\n")
    assert import_file(store, "keyword-stats", tmp_path / "k2.csv").changed == 1
    # a row repeating one of an earlier chunk, on a new day: caught by the unique key, and the
    # transaction stays usable to say which row it repeats
    monkeypatch.setattr(chunking, "CHUNK_ROWS", 2)
    (tmp_path / "k3.csv").write_text("keyword,date,clicks\na,2026-11-09,1\nb,2026-11-09,2\n"
                                     "c,2026-11-09,3\nA,2026-11-09,4\n")
    with pytest.raises(ImportFailed, match="k3.csv:5: duplicate of row 2"):
        import_file(store, "keyword-stats", tmp_path / "k3.csv")
    # the effect index's condition, and the check's routes
    from kwtrack.cleanup import coverage_check, zero_effect_products

    zero = zero_effect_products(store, days=1)  # the window the stats cover: 11-01
    assert [p.product_id for p in zero.products] == ["P2"]  # P1 had impressions on 11-01
    report = coverage_check(store, ["P1"])
    assert [k.keyword for k in report.orphaned] == ["sneakers"]
    assert [(c.product_id, c.via) for k in report.keywords for c in k.covered_by] == [
        ("P2", "title")]
    db.close()


def test_upgrade_fills_match_words_and_adds_the_effect_index(tmp_path, monkeypatch):
    folder = tmp_path / "migrations"
    folder.mkdir()
    for name in ("0001_initial.py", "0002_report_columns.py"):
        shutil.copy(paths.migrations_dir() / name, folder)
    monkeypatch.setattr("kwtrack.store.database.migrations_dir", lambda: folder)
    path = tmp_path / "old.db"
    db = open_database(str(path))
    store_id = get_store(create=True).id
    db.execute_sql("INSERT INTO product (store_id, product_id, title, status, created_at, "
                   "updated_at) VALUES (?, 'P1', 'Folding Camping-Chairs', 'online', '', '')",
                   (store_id,))
    db.execute_sql("INSERT INTO keyword (store_id, keyword, norm, created_at, updated_at) "
                   "VALUES (?, 'Boxes', 'boxes', '', '')", (store_id,))
    db.execute_sql("INSERT INTO product_stat (product_id, period_start, period_end, clicks) "
                   "VALUES (1, '2026-11-01', '2026-11-01', 2), (1, '2026-11-02', '2026-11-02', 0)")
    db.close()
    shutil.copy(paths.migrations_dir() / "0003_match_words_and_effect_index.py", folder)
    db = open_database(str(path))
    title_words = db.execute_sql("SELECT title_words FROM product").fetchone()[0]
    assert title_words == "folding camping chair"
    assert db.execute_sql("SELECT words FROM keyword").fetchone()[0] == "box"
    db.close()
    shutil.copy(paths.migrations_dir() / "0004_coverage_check_columns.py", folder)
    db = open_database(str(path))
    keys, blocks, codes, last_effect = db.execute_sql(
        "SELECT title_keys, title_block_keys, title_codes, last_effect FROM product").fetchone()
    assert last_effect == "2026-11-01"  # 0004 as released: its frozen backfill, not kwtrack's

    def key(word):
        return hashlib.blake2b(word.encode(), digest_size=8).digest()

    assert bytes(keys) == key("folding") + key("camping") + key("chair")
    assert (bytes(blocks), codes) == (key("folding") + key("campingchair"), "")
    db.close()
    for later in sorted(paths.migrations_dir().glob("00*.py"))[4:]:  # 0005 on
        shutil.copy(later, folder)
    db = open_database(str(path))
    # the stats rows' periods became what the earlier import covered
    assert db.execute_sql("SELECT period_start, period_end FROM import_period").fetchall() == []
    assert not model_diff(db)
    # (0007 keeps the title's compound whole)
    assert db.execute_sql("SELECT title_words FROM product").fetchone()[0] == (
        "folding camping-chair")
    assert "product_stat_effect" in [i.name for i in db.get_indexes("product_stat")]


def test_a_database_made_by_the_released_migrations_upgrades_cleanly(tmp_path):
    """tests/data/released-0004.db was made by kwtrack as released with migrations 0001-0004
    (`init` and five imports); opening it copies it aside and upgrades it, data intact."""
    path = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "data" / "released-0004.db", path)
    db = open_database(str(path))
    assert all(m.applied for m in migration_status(db))
    assert not model_diff(db)
    assert list((tmp_path / "backups").glob("old-auto-before-upgrade-*.db"))
    store = get_store()
    assert sorted(p.product_id for p in Product.select()) == ["1001", "1002", "1003"]
    # (the title's words as migration 0007 reads them: compounds whole)
    assert Product.get(Product.product_id == "1002").title_words == (
        "slip-on canva shoe eu 38-47")
    from kwtrack.cleanup import coverage_check

    report = coverage_check(store, ["1001"])
    assert {k.keyword: k.orphaned for k in report.keywords} == {
        "mesh sneakers": True, "walking shoes": True}
    # the periods the earlier imports held are known (migration 0006), so zero effect is too
    from kwtrack.cleanup import zero_effect_products

    zero = zero_effect_products(store, days=1)
    assert (zero.as_of, [p.product_id for p in zero.products]) == (dt.date(2026, 11, 1),
                                                                   ["1002"])
    # the weekly roll-up (migration 0012) holds what kwtrack itself writes of those stats
    from kwtrack.store import weekly
    from kwtrack.store.models import KeywordWeek

    def roll_up():
        return sorted(KeywordWeek.select().tuples())

    migrated = roll_up()
    # (both channels added, P4P apart; inquiries unknown in both, so unknown)
    assert [row[1:] for row in migrated] == [
        (dt.date(2026, 11, 16), 1, 140, 7, None, 2, None, 3.5, None)]
    weekly.refresh(store, [dt.date(2026, 11, 16)])
    assert roll_up() == migrated
    db.close()


def test_backup_and_restore_keep_what_they_replace(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from kwtrack.cli import cli

    runner = CliRunner()
    db = tmp_path / "shop.db"
    assert runner.invoke(cli, ["--db", str(db), "init"]).exit_code == 0
    (tmp_path / "p.csv").write_text("product_id,title\nP1,Walking Shoes A1\nP2,Sandals B2\n")
    runner.invoke(cli, ["--db", str(db), "import", str(tmp_path / "p.csv")])
    copy = tmp_path / "copy.db"
    made = runner.invoke(cli, ["--db", str(db), "db", "backup", str(copy)])
    assert made.exit_code == 0 and copy.exists()
    # a delete backs up automatically first; the last five automatic backups are kept
    for _ in range(7):
        runner.invoke(cli, ["--db", str(db), "products", "delete", "P2", "--yes", "--force"])
        runner.invoke(cli, ["--db", str(db), "undo"])
    assert len(list((tmp_path / "backups").glob("shop-auto-before-delete-*.db"))) == 5
    runner.invoke(cli, ["--db", str(db), "products", "delete", "P1", "P2", "--yes", "--force"])
    refused = runner.invoke(cli, ["--db", str(db), "db", "restore", str(copy)])
    assert refused.exit_code == 2 and "--yes" in refused.output
    done = runner.invoke(cli, ["--db", str(db), "db", "restore", str(copy), "--yes"])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(cli, ["--db", str(db), "products", "list", "--json"]).stdout
    assert '"P1"' in listed and '"P2"' in listed
    kept = list((tmp_path / "backups").glob("shop-auto-before-restore-*.db"))
    assert len(kept) == 1
    bad = runner.invoke(cli, ["--db", str(db), "db", "restore", str(tmp_path / "p.csv"),
                              "--yes"])
    assert bad.exit_code == 1 and "not an SQLite database" in bad.stderr


def test_postgresql_and_sqlite_give_the_same_check_dupes_review_and_bids(postgres_url,
                                                                         tmp_path):
    """The demo store loaded into each database answers the operator's questions alike."""
    from click.testing import CliRunner

    from kwtrack.cli import cli

    runner = CliRunner()
    commands = {
        "check": ["coverage", "check", "--zero-effect", "--json"],
        "dupes": ["dupes", "--json"],
        "review": ["review", "--json"],
        "bids": ["bids", "apply-review", "--dry-run", "--json"],
    }
    answers = {}
    for name, url in (("sqlite", str(tmp_path / "demo.db")), ("postgres", postgres_url)):
        loaded = runner.invoke(cli, ["--db", url, "init", "--demo"])
        assert loaded.exit_code == 0, loaded.output
        answers[name] = {}
        for what, args in commands.items():
            done = runner.invoke(cli, ["--db", url, *args])
            # (the check exits 3 when a deletion would orphan keywords, as it does here)
            assert done.exit_code == (3 if what == "check" else 0), (name, what, done.output)
            answers[name][what] = json.loads(done.stdout)
        database.obj.close()
    for what in commands:
        assert answers["postgres"][what] == answers["sqlite"][what], what
    # (and the answers are not empty ones alike)
    review = answers["sqlite"]["review"]
    assert review["top_traffic"] and review["cut"] and review["product_strength"]
    assert answers["sqlite"]["check"]["summary"]["orphaned"] > 0
    assert answers["sqlite"]["dupes"] and answers["sqlite"]["bids"]["proposals"]


_SLOW_MIGRATIONS = """
import sys, time
from playhouse import migrations

run = migrations.Runner._run
done = []


def slowed(self, name, module, direction, fake=False):
    up = module.up

    def up_then_wait(migrator, database):
        up(migrator, database)
        done.append(name)
        if len(done) > int(sys.argv[2]):
            print(name, flush=True)
            time.sleep(60)  # killed here: the migration's changes made, its transaction open

    module.up = up_then_wait
    run(self, name, module, direction, fake)


migrations.Runner._run = slowed
from kwtrack.store.database import open_database

open_database(sys.argv[1])
"""


@sqlite_only  # (PRAGMA integrity_check of the file)
@pytest.mark.parametrize("killed", [0, 2, 4])
def test_a_migration_killed_midway_is_rolled_back_and_the_next_start_finishes(tmp_path,
                                                                               killed):
    """SIGKILL inside the `killed`-th pending migration of a released database: the file is
    sound, that migration left nothing, and the next start applies the rest, data intact."""
    import sqlite3
    import subprocess
    import sys

    path = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "data" / "released-0004.db", path)
    pending = [m.name for m in migration_status(connect_database(str(path))) if not m.applied]
    child = subprocess.Popen([sys.executable, "-c", _SLOW_MIGRATIONS, str(path), str(killed)],
                             stdout=subprocess.PIPE, text=True)
    name = child.stdout.readline().strip()
    child.kill()
    child.wait()
    assert name == pending[killed]
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    left = [m.name for m in migration_status(connect_database(str(path))) if not m.applied]
    assert left == pending[killed:]  # the killed one is not recorded as applied
    db = open_database(str(path))  # the next start finishes the upgrade
    assert all(m.applied for m in migration_status(db)) and not model_diff(db)
    assert sorted(p.product_id for p in Product.select()) == ["1001", "1002", "1003"]
    db.close()


def test_upgrade_writes_the_weekly_roll_up_again_unknown_where_a_row_is(tmp_path,
                                                                       monkeypatch):
    """A week 0012 added up from the known rows alone (the advisor's `曝光量 --` beside a
    P4P 0: a week of 0) is unknown after 0013; the weeks after it average the known."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for name in sorted(paths.migrations_dir().glob("00*.py"))[:12]:  # 0001-0012
        shutil.copy(name, folder)
    monkeypatch.setattr("kwtrack.store.database.migrations_dir", lambda: folder)
    path = tmp_path / "old.db"
    db = open_database(str(path))
    store_id = get_store(create=True).id
    db.execute_sql("INSERT INTO keyword (store_id, keyword, norm, created_at, updated_at) "
                   "VALUES (?, 'sneakers', 'sneakers', '', '')", (store_id,))
    db.execute_sql("INSERT INTO keyword_stat (keyword_id, period_start, period_end, channel, "
                   "impressions, clicks, spend) VALUES "
                   "(1, '2026-11-01', '2026-11-01', 'organic', 900, 30, NULL), "
                   "(1, '2026-11-08', '2026-11-08', 'organic', NULL, NULL, NULL), "
                   "(1, '2026-11-08', '2026-11-08', 'p4p', 0, 0, 0.0)")
    # the roll-up of those rows as kwtrack wrote it before 0013
    db.execute_sql("INSERT INTO keyword_week (store_id, week, keyword_id, impressions, clicks, "
                   "p4p_clicks, p4p_spend, previous_impressions) VALUES "
                   "(?, '2026-10-26', 1, 900, 30, NULL, NULL, NULL), "
                   "(?, '2026-11-02', 1, 0, 0, 0, 0.0, 900.0)", (store_id, store_id))
    db.close()
    weeks = "SELECT week, impressions, clicks, p4p_clicks, previous_impressions " \
        "FROM keyword_week ORDER BY week"
    shutil.copy(paths.migrations_dir() / "0013_unknown_weekly_totals.py", folder)
    db = open_database(str(path))
    assert [row[1:] for row in db.execute_sql(weeks).fetchall()] == [
        (900, 30, None, None), (None, None, 0, 900.0)]
    from kwtrack.store import weekly

    rows = db.execute_sql(weeks).fetchall()
    weekly.refresh(get_store(), [dt.date(2026, 10, 26), dt.date(2026, 11, 2)])
    assert db.execute_sql(weeks).fetchall() == rows  # what kwtrack itself writes
    db.close()


def test_a_database_url_is_shown_with_its_password_masked():
    assert shown("postgresql://kw:s3cret@db.example:5432/shop?sslmode=require") == (
        "postgresql://kw:***@db.example:5432/shop?sslmode=require")
    assert shown("postgresql://kw@db/shop") == "postgresql://kw@db/shop"
    assert shown("postgresql://:p%40ss@db/shop") == "postgresql://:***@db/shop"
    assert shown("/home/me/kwtrack.db") == "/home/me/kwtrack.db"


def test_only_the_servers_refusals_are_said_as_such():
    from peewee import IntegrityError, OperationalError, ProgrammingError

    from kwtrack.store.database import refusal

    assert refusal(OperationalError("server closed the connection\n  unexpectedly")) == (
        "the database refused: server closed the connection unexpectedly")
    assert refusal(ProgrammingError("permission denied for table product")).startswith(
        "the database refused: permission denied for table product: use the URL of a user")
    assert refusal(IntegrityError("UNIQUE constraint failed")) is None  # (kwtrack's fault)
    assert refusal(ProgrammingError("syntax error")) is None and refusal(ValueError()) is None


def test_a_server_that_refuses_is_one_line_naming_what_to_do_and_no_password(postgres_url):
    """A database the server lacks says how to make it; a user without rights on kwtrack's
    tables says whose URL to use; neither prints the URL's password nor a traceback."""
    from click.testing import CliRunner

    from kwtrack.cli import cli

    base, options = postgres_url.split("?", 1)
    server, _ = base.rsplit("/", 1)
    runner = CliRunner()
    missing = f"nodb_{uuid.uuid4().hex[:8]}"
    result = runner.invoke(cli, ["--db", f"{server}/{missing}", "products", "list"])
    assert result.exit_code == 1 and result.stderr == (
        f"kwtrack: error: cannot open database {shown(server)}/{missing}: the server has no "
        f"database '{missing}': make it first (createdb {missing}, or CREATE DATABASE "
        f"{missing}; in psql); kwtrack then makes its tables\n")
    open_database(postgres_url).close()  # (kwtrack's tables, made by the server's admin)
    role = f"reader_{uuid.uuid4().hex[:8]}"
    admin = connect_database(postgres_url)
    admin.execute_sql(f"CREATE ROLE {role} LOGIN PASSWORD 'not-to-be-shown'")
    schema = options.rsplit("%3D", 1)[1]
    admin.execute_sql(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    netloc = server.split("://", 1)[1].rsplit("@", 1)[-1]
    url = f"postgresql://{role}:not-to-be-shown@{netloc}/{base.rsplit('/', 1)[1]}?{options}"
    try:
        for args in (["products", "list"], ["db", "status"]):
            result = runner.invoke(cli, ["--db", url, *args])
            assert result.exit_code == 1, result.output
            lines = result.stderr.splitlines()
            assert len(lines) == 1 and "permission denied for table schema_migration: use " \
                "the URL of a user with rights on kwtrack's tables" in lines[0], result.stderr
            assert "not-to-be-shown" not in result.output + result.stderr
    finally:
        admin.execute_sql(f"DROP OWNED BY {role}")
        admin.execute_sql(f"DROP ROLE {role}")
        admin.close()


SAME_ANSWERS = (["review", "--json"], ["history", "--json"], ["imports", "list"],
                ["keywords", "list", "--json"], ["products", "list", "--json", "--archived"],
                ["bids", "list"], ["p4p", "level", "--json"], ["coverage", "check",
                                                               "--zero-effect", "--json"])


def _copied_and_compared(source: str, target: str) -> None:
    """`db copy` from `source` to `target`: every answer the same, and both go on apart."""
    from click.testing import CliRunner

    from kwtrack.cli import cli

    runner = CliRunner()

    def run(db: str, *args):
        result = runner.invoke(cli, ["--db", db, *args])
        assert result.exit_code in (0, 3), result.output  # (3: the check orphans keywords)
        return result.stdout

    run(source, "keywords", "edit", "sneakers", "--notes", "from the fair")  # (a change)
    copied = runner.invoke(cli, ["--db", source, "db", "copy", target])
    assert copied.exit_code == 0, copied.output
    assert copied.stdout.startswith("copied ") and " rows of 18 tables to " in copied.stdout
    for args in SAME_ANSWERS:
        assert run(target, *args) == run(source, *args), args
    # undo reaches back across the move; the copy makes new rows past the copied ids
    assert "keyword sneakers notes (now -)" in run(target, "undo")
    assert not json.loads(run(source, "history", "--json"))[0]["undone"]  # (apart)
    assert run(target, "products", "add", "1699000000777", "--title",
               "Rain Boots Model R7").startswith("added product 1699000000777")
    again = runner.invoke(cli, ["--db", source, "db", "copy", target])
    assert again.exit_code == 1 and "holds stores already" in again.stderr


def test_a_database_copied_into_a_new_file_answers_alike_and_undo_reaches_back(demo_db,
                                                                               tmp_path):
    """A team's file moved whole (here into a new SQLite file; on the PostgreSQL run, from
    the server into a file): the same answers, the same change log."""
    _copied_and_compared(str(demo_db), str(tmp_path / "copy.db"))


def test_a_file_copied_onto_postgresql_answers_alike(demo_db, postgres_url):
    """The move the README's team makes: their SQLite file onto an empty PostgreSQL database,
    whose id sequences then go on past the copied ids."""
    _copied_and_compared(str(demo_db), postgres_url)


def test_a_copy_that_fails_leaves_no_new_file(demo_db, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from kwtrack.cli import cli
    from kwtrack.store import copy

    def broken(source, target, model):
        raise KwtrackError("the disk is full")

    monkeypatch.setattr(copy, "_copy_table", broken)
    target = tmp_path / "copy.db"
    failed = CliRunner().invoke(cli, ["--db", str(demo_db), "db", "copy", str(target)])
    assert failed.exit_code == 1 and "the disk is full" in failed.stderr
    assert not target.exists()


def test_a_copy_is_of_one_moment_while_another_process_writes(demo_db, tmp_path, monkeypatch):
    """Another operator records a growth level while the copy runs: the copy reads the
    database in one transaction, so it holds the state of the moment it began."""
    from click.testing import CliRunner

    from kwtrack.cli import cli
    from kwtrack.store import copy
    from kwtrack.store.database import connect_database

    other, real, copied = connect_database(str(demo_db)), copy._copy_table, []

    def copying(source, target, model):
        rows = real(source, target, model)
        if not copied:  # (once the copy has read its first table)
            with other.atomic():
                other.execute_sql("INSERT INTO growth_level (store_id, recorded_on, points, "
                                  "created_at) VALUES (1, '2026-12-01', 80, "
                                  "'2026-12-01 10:00:00')")
        copied.append(model)
        return rows

    monkeypatch.setattr(copy, "_copy_table", copying)
    target = tmp_path / "copy.db"
    result = CliRunner().invoke(cli, ["--db", str(demo_db), "db", "copy", str(target)])
    assert result.exit_code == 0, result.output
    count = "SELECT COUNT(*) FROM growth_level"
    assert other.execute_sql(count).fetchone()[0] == 3  # (the demo's two, and the new one)
    assert connect_database(str(target)).execute_sql(count).fetchone()[0] == 2
    other.close()
