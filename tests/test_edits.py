"""Editing by hand (kwtrack.edits) and redo: every edit one change that undo and redo move."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from kwtrack import edits
from kwtrack.cli import cli
from kwtrack.errors import KwtrackError
from kwtrack.history import history, redo, redo_last, someone_elses_newest, undo, undo_last
from kwtrack.store.models import Change, Coverage, Keyword, Product

SHOE = {"product_id": "1699000000001", "title": "Men's  Trail Walking Shoes Model Z901",
        "category": "", "status": "online"}


def test_form_checks_name_each_bad_field():
    assert edits.product_problems(SHOE, adding=True) == {}
    bad = edits.product_problems({"product_id": "16x", "title": "x" * 129, "status": "maybe"},
                                 adding=True)
    assert set(bad) == {"product_id", "title", "status"}
    assert "129 characters, over the limit of 128" in bad["title"]
    assert "'maybe' is not one of online, offline" in bad["status"]
    assert edits.product_problems({"title": "t\x00", "status": "online"}, adding=False) == {
        "title": "holds a NUL byte (a damaged or binary file?)"}
    assert "needs words" in edits.keyword_problems({"keyword": "!!!"})["keyword"]
    assert "group" in edits.keyword_problems({"keyword": "shoes", "group": "g" * 101})


def test_add_undo_archives_redo_restores_and_adding_again_brings_it_back(store):
    action = edits.add_product(store, SHOE)
    shoe = Product.get(Product.product_id == SHOE["product_id"])
    assert shoe.title == "Men's Trail Walking Shoes Model Z901"  # spacing cleaned
    assert shoe.title_words  # the derived match words follow the title
    with pytest.raises(KwtrackError, match="already in the store"):
        edits.add_product(store, SHOE)
    assert [line.action for line in undo_last(store)] == [action]
    assert Product.get_by_id(shoe.id).archived_at is not None  # archived, not deleted
    assert redo_last(store) and Product.get_by_id(shoe.id).archived_at is None
    undo_last(store)
    edits.add_product(store, {**SHOE, "category": "Hiking"})  # the archived one comes back
    back = Product.get_by_id(shoe.id)
    assert (back.archived_at, back.category) == (None, "Hiking")
    assert Product.select().count() == 1


def test_an_import_agreed_to_be_undone_is_undone_only_while_it_is_the_newest_change(
        store, tmp_path):
    from kwtrack.history import import_to_undo
    from kwtrack.imports import import_file

    from .conftest import write_csv

    import_file(store, "keywords", write_csv(tmp_path / "k.csv", "keyword\nrain boots\n"))
    batch = import_to_undo(store)
    assert batch is not None and batch.file_name == "k.csv"
    edits.add_product(store, SHOE)  # meanwhile: an edit, now the newest change
    assert import_to_undo(store) is None
    with pytest.raises(KwtrackError, match=f"import {batch.id} is no longer the newest"):
        undo(store, batch.id)
    assert Keyword.select().count() == 1 and Product.select().count() == 1
    undo_last(store)
    assert undo(store, batch.id).startswith(f"undid import {batch.id}: k.csv")
    assert Keyword.select().count() == 0


def test_edit_logs_only_what_changed_and_refuses_a_hot_title(store):
    edits.add_product(store, SHOE)
    action = edits.edit_product(store, SHOE["product_id"], {"status": "offline",
                                                           "title": SHOE["title"]},
                                reason="out of stock")
    changes = list(Change.select().where(Change.action == action))
    assert [(c.field, c.old, c.new, c.reason) for c in changes] == [
        ("status", "online", "offline", "out of stock")]
    Product.update(hot=True).execute()
    with pytest.raises(KwtrackError, match="hot product"):
        edits.edit_product(store, SHOE["product_id"], {"title": "Another Title"})
    with pytest.raises(KwtrackError, match="no live product"):
        edits.edit_product(store, "404", {"status": "online"})


def test_link_unlink_undo_and_redo_keep_the_link_as_it_was(store):
    edits.add_product(store, SHOE)
    edits.add_keyword(store, {"keyword": "Trail Shoes", "group": "rising"})
    keyword = Keyword.get(Keyword.norm == "trail shoes")
    assert keyword.words == "trail shoe" and keyword.source == "manual"
    edits.link(store, "trail shoes", SHOE["product_id"])
    with pytest.raises(KwtrackError, match="already linked"):
        edits.link(store, "TRAIL SHOES", SHOE["product_id"])
    first = Coverage.get()
    edits.unlink(store, "trail shoes", SHOE["product_id"])
    assert Coverage.select().count() == 0
    assert "undid change" in undo(store)
    again = Coverage.get()
    assert (again.id, again.product_id, again.keyword_id, again.source) == (
        first.id, first.product_id, first.keyword_id, "manual")
    assert history(store, 1)[0].label == f"Trail Shoes ↔ {SHOE['product_id']}"
    assert "redid change" in redo(store) and Coverage.select().count() == 0


def test_links_made_together_are_one_change_and_a_bad_pair_refuses_them_all(store):
    edits.add_product(store, SHOE)
    for word in ("trail shoes", "hiking shoes", "mesh shoes"):
        edits.add_keyword(store, {"keyword": word})
    edits.link(store, "mesh shoes", SHOE["product_id"])
    with pytest.raises(KwtrackError, match="no keyword 'nope'"):
        edits.link_all(store, [("trail shoes", SHOE["product_id"]),
                               ("nope", SHOE["product_id"])], "carriers")
    assert Coverage.select().count() == 1  # (nothing of the refused lot)
    pairs = [(w, SHOE["product_id"]) for w in ("trail shoes", "hiking shoes", "mesh shoes")]
    action = edits.link_all(store, pairs, "carriers")
    assert Coverage.select().count() == 3  # the linked pair is left as it was
    logged = list(Change.select().where(Change.action == action))
    assert len(logged) == 2 and {c.reason for c in logged} == {"carriers"}
    assert edits.link_all(store, pairs, "carriers") is None
    undo(store)
    assert [c.keyword.keyword for c in Coverage.select()] == ["mesh shoes"]


def test_the_products_that_could_carry_a_word_are_the_live_titles_holding_most_of_it(store):
    """Linking a word by hand picks from the titles holding most of its words; a product
    linked to it already, offline or archived is not offered."""
    titles = {"1699000000001": "Leather Casual Boots for Men Model B1",
              "1699000000002": "Casual Sneakers for Men Model S2",
              "1699000000003": "Casual Sneakers Black Model S3",
              "1699000000004": "Casual Sneakers White Model S4",
              "1699000000005": "Casual Sneakers Red Model S5",
              "1699000000006": "Garden Hose Model G6"}
    for product_id, title in titles.items():
        edits.add_product(store, {"product_id": product_id, "title": title, "status": "online"})
    edits.add_keyword(store, {"keyword": "Casual Sneakers"})
    assert [p for p, _ in edits.carriers(store, "casual sneakers")] == [
        "1699000000002", "1699000000003", "1699000000004", "1699000000005", "1699000000001"]
    edits.edit_product(store, "1699000000003", {"status": "offline"})
    edits.link(store, "casual sneakers", "1699000000004")
    Product.update(archived_at=Product.created_at).where(
        Product.product_id == "1699000000005").execute()
    assert edits.carriers(store, "casual sneakers", limit=2) == [
        ("1699000000002", titles["1699000000002"]), ("1699000000001", titles["1699000000001"])]


def test_linking_a_new_word_adds_it_in_the_same_change(store):
    edits.add_product(store, SHOE)
    with pytest.raises(KwtrackError, match="no keyword 'Memory Foam Sneakers' in the library"):
        edits.link(store, "Memory Foam Sneakers", SHOE["product_id"])
    assert not Keyword.select().exists() and not Coverage.select().exists()
    action = edits.link(store, "Memory Foam Sneakers", SHOE["product_id"], add=True)
    word = Keyword.get()
    assert (word.keyword, word.source, word.archived_at) == ("Memory Foam Sneakers", "manual",
                                                             None)
    assert Coverage.get().keyword_id == word.id
    logged = Change.select().where(Change.action == action)  # one change: undo takes both
    assert sorted(c.entity for c in logged) == ["coverage", "keyword"]
    undo(store)
    assert Keyword.get().archived_at is not None and not Coverage.select().exists()
    redo(store)
    assert Keyword.get().archived_at is None and Coverage.get().keyword_id == word.id
    # a product that is not there adds nothing
    with pytest.raises(KwtrackError, match="no live product '1699000000009'"):
        edits.link(store, "brand new words", "1699000000009", add=True)
    assert Keyword.select().count() == 1


def test_redo_stops_at_a_new_edit(store):
    edits.add_keyword(store, {"keyword": "trail shoes"})
    edits.edit_keyword(store, "trail shoes", {"group": "core"})
    undo(store)
    edits.edit_keyword(store, "trail shoes", {"notes": "seasonal"})  # a new line of changes
    assert redo(store) is None
    assert Keyword.get().group is None and Keyword.get().notes == "seasonal"


def test_cli_add_edit_link_undo_redo(db_path, store):
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--db", str(db_path), *args])

    assert run("products", "add", "1699000000001", "--title", "Trail Walking Shoes Z901"
               ).exit_code == 0
    added = run("keywords", "add", " trail  walking shoes ", "--group", "rising")
    assert added.exit_code == 0 and added.output.startswith("added 'trail walking shoes'")
    done = run("keywords", "link", "trail walking shoes", "1699000000001")
    assert done.exit_code == 0 and "linked 'trail walking shoes'" in done.output
    new = run("keywords", "link", "trail runner", "1699000000001")
    assert new.exit_code == 1 and "no keyword 'trail runner' in the library" in new.output
    new = run("keywords", "link", "trail runner", "1699000000001", "--add")
    assert new.exit_code == 0 and Keyword.get(Keyword.norm == "trail runner").source == "manual"
    assert "keyword trail runner archived_at" in run("undo").output
    assert Keyword.get(Keyword.norm == "trail runner").archived_at is not None
    bad = run("products", "add", "abc", "--title", "")
    assert bad.exit_code == 1 and "product_id: 'abc' is not a product ID" in bad.output
    assert "Traceback" not in bad.output
    assert run("products", "edit", "1699000000001").exit_code == 2  # nothing to change
    assert run("products", "edit", "1699000000001", "--status", "offline").exit_code == 0
    assert "undid change 5: product 1699000000001 status (now online)" in run("undo").output
    assert "redid change 5: product 1699000000001 status (now offline)" in run("redo").output
    assert run("keywords", "unlink", "trail walking shoes", "1699000000001").exit_code == 0
    assert "coverage trail walking shoes ↔ 1699000000001 link (now linked)" in run("undo").output
    assert run("redo").exit_code == 0
    assert run("redo").output.strip() == ("nothing to redo (an undone import comes back by "
                                          "importing its file again)")
    listed = run("products", "list", "--archived", "--json")
    assert '"status": "offline"' in listed.output or '"status":"offline"' in listed.output


def test_product_weeks_are_unknown_where_no_stats_period_reaches(demo_db):
    from kwtrack.catalog import product_weeks
    from kwtrack.store.database import get_store
    from kwtrack.store.models import ProductStat

    store = get_store()
    row = ProductStat.select().order_by(ProductStat.impressions.desc()).first()
    weeks = product_weeks(store, row.product.product_id, weeks=40)
    assert len(weeks) == 40 and weeks[0].monday.weekday() == 0
    assert weeks[0].impressions is None  # before the first imported report: unknown
    assert any(w.impressions for w in weeks)
    edits.add_product(store, SHOE)  # no rows of its own: zero in the weeks reports cover
    assert product_weeks(store, SHOE["product_id"])[-1].impressions == 0


def test_a_group_typed_another_way_is_the_same_group(store, db_path, tmp_path):
    """`Core `, `CORE` and `core` are one group: written as the store spells it (by hand and
    by import), and the review's key group (`core`) holds a word spelled `Core` all the
    same — it was silently left out of it."""
    from kwtrack.imports import import_file

    edits.add_keyword(store, {"keyword": "sneakers", "group": "core"})
    edits.add_keyword(store, {"keyword": "boots", "group": " Core  "})
    edits.add_keyword(store, {"keyword": "sandals", "group": "Long   Tail"})
    edits.add_keyword(store, {"keyword": "mules", "group": "long tail"})
    edits.edit_keyword(store, "sandals", {"group": "CORE"})
    groups = {k.keyword: k.group for k in Keyword.select()}
    assert groups == {"sneakers": "core", "boots": "core", "sandals": "core",
                      "mules": "Long Tail"}
    assert edits.move_to_group(store, "boots", "CORE") is None  # in it already
    path = tmp_path / "k.csv"
    path.write_text("keyword,group\nsneakers,CORE\nclogs,Rising\nslides,rising \n")
    result = import_file(store, "keywords", path)
    assert (result.added, result.changed, result.unchanged) == (2, 0, 1)
    assert {k.keyword: k.group for k in Keyword.select()}["slides"] == "Rising"
    listed = CliRunner().invoke(cli, ["--db", str(db_path), "keywords", "list", "-g", "CORE"])
    assert [line.split()[0] for line in listed.stdout.splitlines()[1:]] == [
        "boots", "sandals", "sneakers"]
    # a word an older kwtrack stored as `Core` is in the review's key group `core`
    Keyword.update(group="Core").where(Keyword.keyword == "boots").execute()
    import datetime as dt

    monday = dt.date(2026, 11, 16)
    import_file(store, "keyword-stats", _write(tmp_path / "ks.csv", (
        "keyword,week,impressions\nboots,2026-11-02,500\nboots,2026-11-09,500\n"
        "boots,2026-11-16,3\n")))
    from kwtrack.config import load_config
    from kwtrack.review import weekly_review
    from kwtrack.review.narrow import narrow

    weeks = [monday - dt.timedelta(weeks=n) for n in (3, 2, 1, 0)]
    boots = Keyword.get(Keyword.keyword == "boots").id
    assert narrow(store, weeks, load_config(None).review, spare=0).quiet == [boots]

    moves = {i.keyword: i.why for i in weekly_review(store, monday).sections["key_group"]}
    assert "gone quiet" in moves["boots"]


def _write(path, text):
    path.write_text(text)
    return path


def test_in_a_shared_database_undo_leaves_a_teammates_change_unless_asked(db_path, store,
                                                                          monkeypatch,
                                                                          tmp_path):
    """Each change and import records who made it (`KWTRACK_USER`, else the login name);
    `history` and `imports list` say who. `undo` refuses to take back someone else's newest
    change (it would silently undo a teammate's work) until told `--theirs`; a change logged
    before kwtrack kept names is nobody's on record, and anyone may undo it."""
    runner = CliRunner()

    def run(user, *args):
        monkeypatch.setenv("KWTRACK_USER", user)
        return runner.invoke(cli, ["--db", str(db_path), *args])

    assert run("ann", "products", "add", "1699000000001", "--title", "Trail Shoes Z901"
               ).exit_code == 0
    # (a minute ago: the change log and the import log order by time, to the second)
    for change in Change.select():
        change.changed_at -= dt.timedelta(minutes=1)
        change.save()
    csv = tmp_path / "k.csv"
    csv.write_text("keyword,group\ntrail shoes,core\n", encoding="utf-8")
    assert run("bob", "import", "keywords", str(csv)).exit_code == 0
    listed = run("ann", "imports", "list").output
    assert listed.splitlines()[1].split()[-1] == "bob", listed
    # bob's import is the newest change: ann's undo leaves it, and says whose it is
    refused = run("ann", "undo")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr.startswith("kwtrack: error: the newest change is bob's import 1: "
                                     "k.csv (")
    assert "`kwtrack undo --theirs` takes it back" in refused.stderr
    assert Keyword.select().where(Keyword.norm == "trail shoes").exists()
    assert "undid import 1" in run("ann", "undo", "--theirs").output
    # ann's own change, next: hers to undo; bob's undo is refused, his history says whose
    lines = run("bob", "history").output.splitlines()
    assert lines[0].split()[:4] == ["change", "when", "by", "what"]
    assert lines[1].split()[3] == "ann", lines
    assert len(run("bob", "history", "--by", "ann").output.splitlines()) == 2
    assert "no changes by 'bob' in store" in run("bob", "history", "--by", "bob").stderr
    refused = run("bob", "undo")
    assert refused.exit_code == 1 and "the newest change is ann's change 1: " in refused.stderr
    # agreed to undo ann's change, but another came first: nothing is undone
    monkeypatch.setenv("KWTRACK_USER", "bob")
    asked = someone_elses_newest(store)
    assert asked.startswith("ann's change 1: ")
    monkeypatch.setenv("KWTRACK_USER", "cid")
    edits.edit_product(store, "1699000000001", {"status": "offline"})
    monkeypatch.setenv("KWTRACK_USER", "bob")
    with pytest.raises(KwtrackError, match="is no longer the newest change: nothing was undone"):
        undo(store, theirs=True, asked=asked)
    assert Product.get(Product.product_id == "1699000000001").status == "offline"
    assert "undid change 2" in run("cid", "undo").output
    # a teammate's undo is theirs too: redo leaves it unless told
    refused = run("bob", "redo")
    assert refused.exit_code == 1 and refused.stderr.startswith(
        "kwtrack: error: the change undone last is cid's undo of change 2: product "
        "1699000000001 status (")
    assert "`kwtrack redo --theirs` applies it again" in refused.stderr
    assert Product.get(Product.product_id == "1699000000001").status == "online"
    assert "redid change 2" in run("bob", "redo", "--theirs").output
    assert "undid change 2" in run("cid", "undo").output
    assert "undid change 1" in run("ann", "undo").output
    # a change from before names were kept: anyone's to undo
    assert run("ann", "products", "add", "1699000000002", "--title", "Trail Shoes Z902"
               ).exit_code == 0
    Change.update(changed_by=None).execute()
    assert "undid change 3" in run("bob", "undo").output


def test_keywords_deleted_together_leave_the_library_and_the_check_and_undo_brings_them_back(
        db_path, store):
    """A junk word (another market's, a typo) leaves the library: the lists, the coverage
    check; its links and stats are kept for undo. A word with an active bid is refused, and
    one unknown word refuses them all."""
    from kwtrack.bids import set_bid
    from kwtrack.catalog import list_keywords
    from kwtrack.cleanup import coverage_check

    edits.add_product(store, SHOE)
    for word in ("zapatos de hombre", "shoes shoes", "trail shoes", "walking shoes"):
        edits.add_keyword(store, {"keyword": word})
    edits.link(store, "zapatos de hombre", SHOE["product_id"])
    set_bid(store, "walking shoes", 2.5, status="active")

    def run(*args):
        return CliRunner().invoke(cli, ["--db", str(db_path), *args])

    def library():
        return sorted(row.keyword for row in list_keywords(store))

    def checked():
        return {k.keyword for k in coverage_check(store, [SHOE["product_id"]]).keywords}

    assert "zapatos de hombre" in checked()
    refused = run("keywords", "delete", "zapatos de hombre", "walking shoes")
    assert refused.exit_code == 1
    assert "'walking shoes': an active P4P bid, which goes on costing money" in refused.stderr
    refused = run("keywords", "delete", "zapatos de hombre", "no such word")
    assert refused.exit_code == 1 and "no keyword 'no such word'" in refused.stderr
    assert len(library()) == 4  # (neither refusal deleted anything)
    deleted = run("keywords", "delete", "ZAPATOS DE HOMBRE", "shoes shoes", "-r", "not ours")
    assert deleted.exit_code == 0, deleted.output
    assert deleted.stdout.startswith("deleted 'zapatos de hombre', 'shoes shoes' (change ")
    assert library() == ["trail shoes", "walking shoes"]
    assert sorted(row.keyword for row in list_keywords(store, "archived:y")) == [
        "shoes shoes", "zapatos de hombre"]
    assert "zapatos de hombre" not in checked()
    assert Coverage.select().count() == 1  # (the link is kept, for undo)
    assert run("undo").exit_code == 0
    assert len(library()) == 4 and "zapatos de hombre" in checked()


def test_an_import_naming_a_deleted_word_or_product_keeps_it_deleted_and_says_so(
        db_path, store, tmp_path):
    """Next week's files name a junk word deleted this week, or a product deleted in kwtrack
    and not yet on Alibaba.com: an import does not bring them back (the deletion would last a
    week), but it says how many it met, and how to bring one back."""
    from kwtrack.history import archive_products

    from .conftest import write_csv

    edits.add_product(store, SHOE)
    edits.add_product(store, {"product_id": "1699000000002", "title": "Rain Boots Model R3",
                             "status": "online"})
    for word in ("zapatos de hombre", "trail shoes"):
        edits.add_keyword(store, {"keyword": word})
    edits.delete_keywords(store, ["zapatos de hombre"], reason="not ours")
    archive_products(store, [SHOE["product_id"]], "zero effect")

    def run(*args):
        return CliRunner().invoke(cli, ["--db", str(db_path), *args])

    words = run("import", "keywords", str(write_csv(tmp_path / "k.csv", """
        keyword,group
        zapatos de hombre,core
        trail shoes,core
        hiking shoes,
    """)))
    assert words.exit_code == 0, words.output
    assert ("1 keyword deleted earlier, kept deleted (`kwtrack keywords add WORD` brings one "
            "back)") in words.stdout
    assert Keyword.get(Keyword.norm == "zapatos de hombre").archived_at is not None
    products = run("import", "products", str(write_csv(tmp_path / "p.csv", f"""
        product_id,title
        {SHOE["product_id"]},{SHOE["title"]}
        1699000000002,Rain Boots Model R3
    """)))
    assert products.exit_code == 0, products.output
    assert ("1 product deleted earlier, kept deleted (`kwtrack products add ID` brings one "
            "back)") in products.stdout
    assert Product.get(Product.product_id == SHOE["product_id"]).archived_at is not None
    again = run("import", "keywords", str(write_csv(tmp_path / "k2.csv", """
        keyword
        trail shoes
    """)))
    assert "deleted earlier" not in again.stdout
