"""The TUI driven by Textual's pilot, on a copy of the demo store, plus a snapshot."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from textual.widgets import Footer, Input, Markdown, Static, TabbedContent

from kwtrack import catalog
from kwtrack.cleanup import coverage_check, suggestion_text
from kwtrack.store.database import get_store
from kwtrack.store.models import Coverage, ImportBatch, Product
from kwtrack.tui.app import HelpScreen, KwtrackApp
from kwtrack.tui.commands import VIEWS
from kwtrack.tui.widgets import WINDOW, MarkdownPane
from tests.pilot import settle


def details_text(view) -> str:
    return view.query_one(".details-text", MarkdownPane).source


async def test_opens_on_products_with_a_window_and_details(demo_db):
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        view = app.query_one("#products-view")
        table = view.table
        assert table.total == 311 and table.row_count == WINDOW  # a window, not all rows
        assert app.focused is table
        first = table.coordinate_to_cell_key((0, 0)).row_key.value
        assert first in details_text(view) and "### Keywords" in details_text(view)
        assert "### Weekly impressions since" in details_text(view)  # the chart
        await pilot.press("down")
        await settle(app, pilot)
        second = table.coordinate_to_cell_key((1, 0)).row_key.value
        assert second in details_text(view)
        assert "2 of 311 products" in str(view.query_one(".status").render())


async def test_the_window_follows_the_cursor_and_g_G_jump(demo_db):
    from kwtrack import catalog

    every = [r.keyword for r in catalog.list_keywords(get_store())]
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        table = app.query_one("#keywords-view").table
        assert table.total == len(every) > 3 * WINDOW
        table.move_cursor(row=WINDOW - 5)  # near the window's end: the rows around it load
        await settle(app, pilot)
        assert table.start > 0 and table.row_count == WINDOW
        assert table.position == WINDOW - 5  # the cursor stayed on its record
        assert table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value == every[
            WINDOW - 5]
        await pilot.press("G")  # the last row, without reading the rows between
        await settle(app, pilot)
        assert table.position == len(every) - 1 and table.row_count == WINDOW
        assert table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value == every[-1]
        await pilot.press("g")
        await settle(app, pilot)
        assert table.position == 0 and table.start == 0


async def test_rows_show_while_the_list_is_counted_and_G_waits_for_the_count(demo_db,
                                                                             monkeypatch):
    """A list longer than a window shows its first rows first and is counted meanwhile; `G`
    then goes to the last row once the count is in. A new order of the same rows keeps the
    count; a refresh counts again."""
    import threading

    from kwtrack import catalog
    from kwtrack.tui.views import KeywordsView

    every = catalog.count_keywords(get_store())
    counted, release = [], threading.Event()
    real = KeywordsView.count

    def slow_count(self, store, search):
        counted.append(search)
        release.wait(10)
        return real(self, store, search)

    monkeypatch.setattr(KeywordsView, "count", slow_count)
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("2")
        view = app.query_one("#keywords-view")
        for _ in range(100):
            await pilot.pause(0.05)
            if view.table.row_count:
                break
        assert view.counting and view.table.row_count == WINDOW and not view.reading
        assert "1 of 150+ keywords (counting…)" in str(view.query_one(".status").render())
        await pilot.press("G")
        release.set()
        await settle(app, pilot)
        assert not view.counting and view.table.total == every > WINDOW
        assert view.table.position == every - 1
        assert f"{every:,} of {every:,} keywords" in str(view.query_one(".status").render())
        counted.clear()
        await pilot.press("s")
        await settle(app, pilot)
        assert counted == [] and view.table.total == every  # (the same rows, sorted)
        await pilot.press("r")
        await settle(app, pilot)
        assert counted == [None] and view.table.total == every


async def test_report_views_filter_as_you_type_by_text_and_column(demo_db):
    """Every view filters: a report view (all its rows in memory) keeps the rows holding the
    typed text in any cell, or `column:value` in that column, sorted as before; Esc clears."""
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        bids = await _rows_of(app, pilot, "bids")
        every = bids.table.row_count

        def shown(column: int) -> list[str]:
            return [str(bids.table.get_cell_at((row, column)))
                    for row in range(bids.table.row_count)]

        await pilot.press("s", "slash", *"walk")
        await settle(app, pilot)
        assert 0 < bids.table.row_count < every
        assert all("walk" in k for k in shown(0)) and shown(0) == sorted(shown(0))
        assert "shown · filter: 'walk'" in str(bids.query_one(".status").render())
        await pilot.press(*" group:hot")
        await settle(app, pilot)
        group = bids.columns.index("Group")
        assert bids.table.row_count and set(shown(group)) == {"hot"}
        assert all("walk" in k for k in shown(0))
        await pilot.press("escape")
        await settle(app, pilot)
        assert bids.table.row_count == every and bids.search is None
        history = await _rows_of(app, pilot, "history")
        await pilot.press("slash", *"field:nothing-like-it")
        await settle(app, pilot)
        assert history.table.row_count == 0


async def test_products_and_keywords_sort_in_the_database(demo_db):
    from kwtrack import catalog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        view = app.query_one("#keywords-view")
        await pilot.press("s", "s", "s", "s")  # keyword, group, index, then 4 weeks' impressions
        await settle(app, pilot)
        assert view.columns[view.sort_column] == "Impr. 4w"
        await pilot.press("S")
        await settle(app, pilot)
        top = [r.keyword for r in catalog.list_keywords(get_store(), sort="impressions",
                                                         descending=True, limit=5)]
        shown = [view.table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(5)]
        assert shown == top and "by Impr. 4w ↓" in str(view.query_one(".status").render())
        await pilot.press("G")  # the end of the sorted list: words without stats come last
        await settle(app, pilot)
        assert str(view.table.get_row_at(view.table.cursor_row)[4]) == "-"


async def test_filter_narrows_and_escape_clears(demo_db):
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        view = app.query_one("#products-view")
        table = view.table
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"sandals", "enter")
        await settle(app, pilot)
        assert 0 < table.total < 311
        shown = [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]
        products = Product.select().where(Product.product_id.in_(shown))
        assert all("sandals" in (p.title + p.category).lower() for p in products)
        assert app.focused is table
        await pilot.press("escape")
        await settle(app, pilot)
        assert table.total == 311
        await pilot.press("slash", *"1600000022533", "enter")  # one product: singular
        await settle(app, pilot)
        assert "1 of 1 product (rows 1–1 loaded)" in str(view.query_one(".status").render())
        # a term mistyped is said as it is typed (not read as words matching nothing)
        await pilot.press("escape", "slash", *"stauts:online")
        await settle(app, pilot)
        assert "'stauts:online' is not a filter term" in str(view.query_one(".status").render())
        assert not app.query("Toast")  # (the status says it while the filter is typed)
        await pilot.press("backspace", *"n", "ctrl+a", "ctrl+k", *"status:online", "enter")
        await settle(app, pilot)
        assert 0 < table.total < 311


async def test_keywords_tab_shows_covering_products_and_stats(demo_db):
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "keywords"
        view = app.query_one("#keywords-view")
        await pilot.press("slash", *"running shoes", "enter")
        await settle(app, pilot)
        text = details_text(view)
        covering = catalog.keyword_details(get_store(), "2026 running shoes").keyword.products
        assert f"### Covered by {covering} live products" in text and "### Recent weeks" in text
        assert text.startswith("## 2026 running shoes") and "not in P4P" in text
        assert "| 2026-W47 | org. |" in text  # (the review's weeks, as ISO weeks)
        # weekly charts: a word never in P4P has unknown P4P weeks (blank), not zeros
        assert "- organic `▆" in text and "- P4P     `            `" in text
        keys = [view.table.coordinate_to_cell_key((i, 0)).row_key.value
                for i in range(view.table.row_count)]
        view.table.move_cursor(row=keys.index("running shoes"))
        await settle(app, pilot)
        text = details_text(view)
        assert "### Bid history" in text and "→ 2.82" in text and "- P4P     ` " not in text


async def test_help_and_quit(demo_db):
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test() as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")
    assert app.return_code == 0


def test_products_screen_snapshot(demo_db, snap_compare):
    app = KwtrackApp(store_id=get_store().id)

    async def loaded(pilot):
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=(140, 40), run_before=loaded)


async def _rows_of(app, pilot, view: str):
    """Switch to a report view by its number key and wait for its worker."""

    key = next(k for k, name, _ in VIEWS if name == view)
    await pilot.press(key)
    await settle(app, pilot)
    return app.query_one(f"#{view}-view")


async def test_report_views_by_number_key_with_details_from_workers(demo_db):
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        bids = await _rows_of(app, pilot, "bids")
        assert bids.table.row_count == 260 and app.focused is bids.table
        # the plan's budget beside the bids it pays for
        assert str(bids.query_one(".status").render()).startswith(
            "260 P4P keywords · budget 300.00 a day, 65% spent in 2026-W47 (H: the plan)")
        await settle(app, pilot)
        assert "Bid history" in details_text(bids)
        review = await _rows_of(app, pilot, "review")
        assert review.table.row_count > 20 and "review of 2026-W47" in str(
            review.query_one(".status").render())
        # a figure the section does not weigh is blank; `-` would say it is unknown
        spend = {section: str(review.table.get_row(key)[4])
                 for key, (section, _) in review.items.items()}
        assert spend["top_traffic"] == "" and re.fullmatch(r"[\d,]+\.\d\d", spend["top_spend"])
        # past the last week with keyword stats: no rows, and the status line says why (an
        # empty review would read as a week without traffic); back, and it is there again
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert review.table.row_count == 0 and "no keyword stats for the week 2026-W48" in str(
            review.query_one(".status").render())
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(app, pilot)
        assert "2026-W46" in str(review.query_one(".status").render())
        # the store's weeks come first, the oldest of the four on top; then the items, each
        # with its figures as the review's markdown shows them: rates in percent
        text = details_text(review)
        assert text.startswith("## The store in 2026-W43") and re.search(
            r"- P4P CTR: \d+\.\d%", text), text
        await pilot.press("down", "down", "down", "down")
        await settle(app, pilot)
        # then the week by category, most impressions first
        text = details_text(review)
        assert re.match(r"## [\w ]+ in 2026-W46\n", text) and re.search(
            r"- inquiry rate: \d+\.\d%", text), text
        await pilot.press(*["down"] * len(review.review.categories))
        await settle(app, pilot)
        text = details_text(review)
        assert "*Top traffic*" in text and re.search(r"- CTR: \d+\.\d%", text), text
        cleanup = await _rows_of(app, pilot, "cleanup")
        assert cleanup.table.row_count == 28
        await settle(app, pilot)
        # the first candidate: its orphans with what to do instead, and who covers the rest
        report = coverage_check(get_store(), [], zero_effect=True)
        first = report.candidates[0]
        covered = [k for k in report.keywords if first.product_id in k.from_]
        text = details_text(cleanup)
        assert first.orphaned and f"### Orphaned keywords ({len(first.orphaned)})" in text
        for verdict in covered:
            if verdict.orphaned:
                assert f"- **{verdict.keyword}**" in text
                assert all(f"  - {suggestion_text(s)}" in text for s in verdict.suggestions)
            else:
                assert f"- {verdict.keyword}: {verdict.covered_by[0].product_id} (" in text
        assert f"### Still covered ({sum(not k.orphaned for k in covered)})" in text
        duplicates = await _rows_of(app, pilot, "duplicates")
        assert duplicates.table.row_count > 10


async def test_the_bids_view_names_a_week_no_p4p_report_reaches(demo_db):
    """Its 4-week totals leave such a week out, so the status line says which."""
    import datetime as dt

    from kwtrack.store import weekly
    from kwtrack.store.models import KeywordStat

    store = get_store()
    week = weekly.last_week(store) - dt.timedelta(weeks=1)
    KeywordStat.delete().where((KeywordStat.channel == "p4p") & KeywordStat.period_end.between(
        week, week + dt.timedelta(days=6))).execute()
    weekly.refresh(store, [week])
    app = KwtrackApp(store_id=store.id)
    async with app.run_test(size=(140, 40)) as pilot:
        bids = await _rows_of(app, pilot, "bids")
        assert str(bids.query_one(".status").render()).startswith(
            "260 P4P keywords · no P4P stats for 2026-W46 · budget 300.00 a day")


async def test_the_keyword_details_name_a_week_no_keyword_report_reaches(demo_db):
    """The keyword list's 4-week figures leave such a week out: the details say which."""
    from kwtrack.store import weekly
    from kwtrack.store.models import KeywordStat

    store = get_store()
    week = weekly.last_week(store) - dt.timedelta(weeks=1)
    KeywordStat.delete().where(KeywordStat.period_end.between(
        week, week + dt.timedelta(days=6))).execute()
    weekly.refresh(store, [week])
    app = KwtrackApp(store_id=store.id)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        assert ("*No keyword stats for 2026-W46: the 4-week figures leave it out.*"
                in details_text(app.query_one("#keywords-view")))


async def test_every_command_is_in_the_palette_and_the_help(demo_db):
    """Each view offers its own commands (keys, footer, palette); its help lists them, its
    own first, and nothing it does not offer."""
    from textual.screen import ModalScreen

    from kwtrack.tui.commands import COMMANDS, VIEWS, KwtrackCommands, help_sections

    for _, view, label in VIEWS:
        sections = help_sections(view)
        listed = [what for _, keys in sections for _, what in keys]
        views_line = "the views: Products, Keywords, Bids, Review, Clean-up, Duplicates, History"
        assert listed.count(views_line) == 1
        assert sorted(w for w in listed if w in {c.help for c in COMMANDS}) == sorted(
            c.help for c in COMMANDS if offered_on(c, view) and not c.action.startswith("show"))
        if any(view in c.views for c in COMMANDS):
            assert sections[0][0] == f"Keys of the {label} view"
    assert ("Space", "select or unselect the highlighted row; d deletes the selected rows "
            "together") in help_sections("products")[0][1]
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        assert {b.action for b in app.BINDINGS} == {c.action for c in COMMANDS}
        offered = {}
        for key, view in (("1", "products"), ("3", "bids"), ("4", "review"),
                          ("7", "history")):
            await pilot.press(key)
            await settle(app, pilot)
            provider = KwtrackCommands(app.screen)
            offered[view] = {hit.help async for hit in provider.discover()}
            footer = " ".join(str(w.render()) for w in app.query_one(Footer).query("*"))
            assert ("Delete" in footer) == (view == "products"), (view, footer)
            assert ("Bid" in footer) == (view in ("bids", "review")), (view, footer)
        assert offered["products"] == {c.help for c in COMMANDS
                                       if not c.views or "products" in c.views}
        every_view = {c.help for c in COMMANDS if not c.views}
        assert offered["history"] == every_view
        assert offered["review"] - every_view == {c.help for c in COMMANDS
                                                  if "review" in c.views}
        # a key of another view's command does nothing here
        await pilot.press("a")
        await settle(app, pilot)
        assert not isinstance(app.screen, ModalScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.view == "history"


def offered_on(command, view: str) -> bool:
    return not command.views or view in command.views


async def test_a_narrow_footer_starts_with_the_keys_of_the_view_shown(demo_db):
    """At 80 columns the footer cannot hold every key: the Review's own (m done, z snooze)
    come before the keys every view has, which the help and the palette list; of those,
    undo first."""
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await settle(app, pilot)
        keys = [w.key for w in app.query_one(Footer).query("FooterKey")]
        assert keys[:7] == ["b", "A", "t", "m", "z", "u", "slash"], keys


async def test_refresh_shows_what_another_process_wrote(demo_db, tmp_path):
    from click.testing import CliRunner

    from kwtrack.cli import cli

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        # the demo's imports, newest first (what u would take back next is on top)
        history = await _rows_of(app, pilot, "history")
        imports = [b.file_name for b in ImportBatch.select().order_by(ImportBatch.id.desc())]
        assert len(imports) == 6 and history.table.row_count == 6
        assert [str(history.table.get_row_at(i)[2]) for i in range(6)] == [
            f"import {name}" for name in imports]
        assert str(history.query_one(".status").render()).startswith("0 changes, 6 imports")
        first = Product.select().first().product_id
        done = CliRunner().invoke(cli, ["--db", str(demo_db), "products", "set-title", first,
                                        "Renamed Walking Shoes Model Z9", "--force",
                                        "--reason", "test"])
        assert done.exit_code == 0, done.output
        await pilot.press("r")
        await settle(app, pilot)
        assert history.table.row_count == 7
        assert str(history.table.get_row_at(0)[2]) == f"product {first}"
        assert str(history.query_one(".status").render()).startswith("1 change, 6 imports")
        await pilot.press("j")  # an import's details
        await settle(app, pilot)
        assert f"## import 6: {imports[0]}" in details_text(history)
        # a change undone is struck through, whatever columns the screen has room for
        assert CliRunner().invoke(cli, ["--db", str(demo_db), "undo"]).exit_code == 0
        await pilot.press("r")
        await settle(app, pilot)
        undone, kept = history.table.get_row_at(0), history.table.get_row_at(1)
        assert str(undone[6]).startswith("(undone) ") and undone[0].style == "dim strike"
        assert kept[0].style == ""


def test_review_and_cleanup_views_at_80_by_24_snapshot(demo_db, snap_compare):
    """The weekly review and the clean-up at the smallest terminal operators use."""
    app = KwtrackApp(store_id=get_store().id)

    async def open_review(pilot):
        await _rows_of(app, pilot, "review")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_review)




async def test_delete_shows_the_coverage_check_cancel_confirm_and_undo(demo_db):
    from kwtrack.tui.dialogs import DeleteDialog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        table = app.query_one("#products-view").table
        first = table.coordinate_to_cell_key((0, 0)).row_key.value
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DeleteDialog)
        check = app.screen.query_one("#check", Markdown).source
        assert f"# Delete {first}?" in check and "Orphaned keywords" in check
        await pilot.press("escape")  # cancel: nothing changes
        await pilot.pause()
        assert Product.get(Product.product_id == first).archived_at is None
        await pilot.press("d")
        await settle(app, pilot)
        orphans = app.screen.report.orphaned
        await pilot.press("y")
        await settle(app, pilot)
        if orphans:  # an orphaning delete asks a second time
            assert isinstance(app.screen, DeleteDialog)
            await pilot.press("y")
            await settle(app, pilot)
        assert not isinstance(app.screen, DeleteDialog)
        assert Product.get(Product.product_id == first).archived_at is not None
        assert ("archived 1 product: u undoes it; on Products the filter archived:y lists the "
                "archived") in [n.message for n in app._notifications]
        # the deleted product leaves the list; `archived:y` shows it, marked archived
        shown = [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]
        assert first not in shown
        await pilot.press("slash", *"archived:y", "enter")
        await settle(app, pilot)
        assert table.row_count == 1
        assert [str(c).strip() for c in table.get_row_at(0)[:3:2]] == [first, "archived"]
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("u")  # undo brings it back
        await settle(app, pilot)
        assert Product.get(Product.product_id == first).archived_at is None


async def test_the_clean_up_deletes_a_safe_candidate_and_lists_it_no_more(demo_db):
    """The monthly routine in one place: the check lists a candidate safe, `d` deletes it
    (the dialog checks it again), and it leaves the list."""
    from kwtrack.tui.dialogs import DeleteDialog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        cleanup = await _rows_of(app, pilot, "cleanup")
        rows = [cleanup.table.get_row_at(r) for r in range(cleanup.table.row_count)]
        safe = next(i for i, row in enumerate(rows) if row[1].plain == "safe")
        product_id = rows[safe][0].plain
        cleanup.table.move_cursor(row=safe)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DeleteDialog) and app.screen.product_ids == [product_id]
        assert not app.screen.report.orphaned
        await pilot.press("y")
        await settle(app, pilot)
        assert Product.get(Product.product_id == product_id).archived_at is not None
        assert product_id not in cleanup.report and len(cleanup.report) == len(rows) - 1


async def test_the_duplicates_view_shows_what_each_listing_earns_and_deletes_one(demo_db):
    """A row per duplicate listing with its recent figures and keyword count (as Products
    shows them), so the operator deletes the listing that earns nothing, from here."""
    from kwtrack.catalog import product_rows
    from kwtrack.duplicates import duplicate_listings
    from kwtrack.tui.dialogs import DeleteDialog

    clusters = duplicate_listings(get_store())["clusters"]
    listed = [p["product_id"] for c in clusters for p in c["products"]]
    figures = product_rows(get_store(), listed)
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        duplicates = await _rows_of(app, pilot, "duplicates")
        rows = [[c.plain for c in duplicates.table.get_row_at(r)]
                for r in range(duplicates.table.row_count)]
        assert [r[1] for r in rows] == listed
        assert rows[0][0] == "1" and rows[-1][0] == str(len(clusters))
        first = figures[listed[0]]
        assert rows[0][2:5] == [f"{first.impressions:,}", f"{first.clicks:,}",
                                str(first.keywords)]
        # the weakest listing of the first cluster goes
        weakest = min(range(len(clusters[0]["products"])),
                      key=lambda r: (figures[listed[r]].impressions, r))
        duplicates.table.move_cursor(row=weakest)
        await settle(app, pilot)
        assert f"## Cluster 1: {clusters[0]['reason']}" in details_text(duplicates)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DeleteDialog)
        assert app.screen.product_ids == [listed[weakest]]
        await pilot.press("y")
        await settle(app, pilot)
        assert Product.get(Product.product_id == listed[weakest]).archived_at is not None
        assert listed[weakest] not in duplicates.cluster_of
        assert duplicates.table.row_count < len(rows)


async def test_set_a_bid_with_a_validation_error_then_a_fix(demo_db):
    from kwtrack.bids import bid_history
    from kwtrack.tui.dialogs import BidDialog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        bids = await _rows_of(app, pilot, "bids")
        keyword = bids.table.coordinate_to_cell_key((0, 0)).row_key.value
        await pilot.press("b")
        await settle(app, pilot)
        assert isinstance(app.screen, BidDialog)
        price = app.screen.query_one("#price", Input)
        price.value = "4,50"  # said how to write it, as on the command line
        await pilot.pause()
        assert "'4,50' is not a price in CNY: write it like 4.50" in str(
            app.screen.query_one("#price-error").render())
        price.value = "333"  # a slip for 3.33: over the limits, refused on Enter
        price.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BidDialog)
        assert "outside this word's limits" in str(app.screen.query_one("#price-error").render())
        price.value = "3.33"
        app.screen.query_one("#reason", Input).value = "steady clicks"
        price.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, BidDialog)
        latest = bid_history(get_store(), keyword)[0]
        assert (latest.new_bid, latest.reason) == (3.33, "steady clicks")


async def test_a_words_own_bid_limits_from_a_form_refused_then_set_and_undone(demo_db):
    """B on the Bids view: the word's own limits, a blank one the config's; limits its bid
    breaks are refused in the form; set, the details say them; u takes them back."""
    from kwtrack.store.models import Bid, Keyword
    from kwtrack.tui.forms import FormDialog

    def limits(word: str) -> tuple:
        bid = Bid.get(Bid.keyword == Keyword.get(Keyword.keyword == word))
        return bid.min_bid, bid.max_bid

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        bids = await _rows_of(app, pilot, "bids")
        keyword = bids.table.coordinate_to_cell_key((0, 0)).row_key.value
        now = bids.lines[keyword].bid
        await pilot.press("B")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog)
        low, high = (app.screen.query_one(f"#field-{name}", Input)
                     for name in ("min_bid", "max_bid"))
        assert (low.value, high.value) == ("", "")
        high.value = f"{now - 0.01:.2f}"  # under the bid it has: refused, nothing written
        high.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog) and "set the bid first" in str(
            app.screen.query_one("#error-form").render())
        assert limits(keyword) == (None, None)
        high.value = f"{now + 1:.2f}"
        high.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, FormDialog)
        assert limits(keyword) == (None, round(now + 1, 2))
        assert f"limits 0.30–{now + 1:.2f} (the word's own)" in details_text(bids)
        await pilot.press("u")
        await settle(app, pilot)
        assert limits(keyword) == (None, None)


async def _first_keyword(app, pilot) -> str:
    """Show Keywords and name the word on its first row."""
    await pilot.press("2")
    await settle(app, pilot)
    return app.query_one("#keywords-view").table.coordinate_to_cell_key((0, 0)).row_key.value


async def test_track_a_word_and_filter_as_you_type(demo_db):
    from kwtrack.store.models import Keyword

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        keyword = await _first_keyword(app, pilot)
        view = app.query_one("#keywords-view")
        await pilot.press("t")
        await settle(app, pilot)
        assert Keyword.get(Keyword.keyword == keyword).tracked_at is not None
        await pilot.press("slash")
        await pilot.press(*"slip")  # no Enter: the rows follow the typing
        await settle(app, pilot)
        assert view.search == "slip" and 0 < view.table.total < 1052
        await pilot.press(*" impr>100")  # a number, as the rows show it
        await settle(app, pilot)
        assert view.table.total == catalog.count_keywords(get_store(), "slip impr>100")
        assert 0 < view.table.total < catalog.count_keywords(get_store(), "slip")


async def test_d_on_keywords_deletes_the_words_asked_first_and_u_brings_them_back(demo_db):
    """Junk words leave the library from the keyboard: `d` asks, `y` archives the highlighted
    word (or the words picked with space, together), `u` brings them back; a word with an
    active P4P bid is refused, in one line."""
    from textual.widgets import Static

    from kwtrack.store.models import Keyword
    from kwtrack.tui.dialogs import ConfirmDialog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        keyword = await _first_keyword(app, pilot)
        view = app.query_one("#keywords-view")
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert f"Delete the keyword {keyword!r}" in str(app.screen.query_one(Static).render())
        await pilot.press("y")
        await settle(app, pilot)
        assert view.table.total == 1051
        assert Keyword.get(Keyword.keyword == keyword).archived_at is not None
        await pilot.press("u")
        await settle(app, pilot)
        assert view.table.total == 1052
        assert Keyword.get(Keyword.keyword == keyword).archived_at is None
        # two words picked with space go together, in one change
        await pilot.press("space", "down", "space")
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert "Delete 2 keywords from the library?" in str(
            app.screen.query_one(Static).render())
        await pilot.press("y")
        await settle(app, pilot)
        assert view.table.total == 1050 and not view.table.selected
        await pilot.press("u")
        await settle(app, pilot)
        assert view.table.total == 1052
        paid = "2026 casual walking shoes"  # (the demo bids on it)
        view.table.move_cursor(row=view.table.get_row_index(paid))
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert view.table.total == 1052
        assert any("an active P4P bid" in str(n.message) for n in app._notifications)


async def test_every_table_has_its_columns_once_and_a_move_reads_details_once(demo_db,
                                                                               monkeypatch):
    from kwtrack.tui.views import ProductsView
    from kwtrack.tui.widgets import TableView

    read = []
    details = ProductsView.details
    monkeypatch.setattr(ProductsView, "details",
                        lambda self, store, key: read.append(key) or details(self, store, key))
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        views = list(app.query(TableView))
        assert len(views) == len(VIEWS)
        for view in views:
            assert [c.label.plain for c in view.table.columns.values()] == list(view.columns)
        read.clear()
        await pilot.press("j")  # (as `down`)
        await settle(app, pilot)
        products = app.query_one("#products-view")
        assert products.table.cursor_row == 1 and read == [products.highlighted_key()]
        await pilot.press("k")
        await settle(app, pilot)
        assert products.table.cursor_row == 0 and len(read) == 2


async def test_keywords_read_after_the_first_views_rows_even_when_there_are_none(store):
    """The app opens on Products and Keywords reads once Products' rows are shown, so it
    reads on an empty store too, and a view shown before then reads at once."""
    from kwtrack.store.models import Keyword

    Keyword.create(store=store, keyword="yoga mat", norm="yoga mat",
                   **Keyword.derived("keyword", "yoga mat"))
    app = KwtrackApp(store_id=store.id)
    async with app.run_test(size=(140, 40)) as pilot:
        keywords = app.query_one("#keywords-view")
        await settle(app, pilot)
        assert app.query_one("#products-view").table.total == 0
        assert keywords.table.total == 1 and not keywords.reading
    app = KwtrackApp(store_id=store.id)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("2")  # (as soon as the app is up)
        await settle(app, pilot)
        assert app.query_one("#keywords-view").table.total == 1


async def test_every_view_of_an_empty_store_says_what_is_missing(store):
    """A new store's views each say, in their status line, what is not there yet (and what
    to import), and the keys that act on rows find none and do nothing."""
    from textual.screen import ModalScreen

    said = {"products": "no products yet: I imports a report or your own file, a adds one",
            "keywords": "no keywords yet: I imports a report or your own file, a adds one",
            "bids": "no P4P keywords yet: import a P4P report",
            "review": "no keyword stats imported yet",
            "cleanup": "no product stats imported yet",
            "duplicates": "no duplicate listings", "history": "no changes yet"}
    app = KwtrackApp(store_id=store.id)
    async with app.run_test(size=(140, 40)) as pilot:
        for view, words in said.items():
            shown = await _rows_of(app, pilot, view)
            assert words in str(shown.query_one(".status").render()), view
            await pilot.press("d", "D", "A", "b", "m", "K", "e", "l")
            await settle(app, pilot)
            assert not isinstance(app.screen, ModalScreen), view


def test_settle_acts_at_once_when_keys_are_quiet_and_once_they_pause_when_fast():
    """A single `j` shows the row's details at once; a held key or a typed word waits for
    the keys to pause, and only the last action waiting runs."""
    import time

    from kwtrack.tui.widgets import Settle

    class Owner:  # what Settle asks of a widget: set_timer
        def __init__(self):
            self.waiting = []

        def set_timer(self, delay, action):
            owner = self

            class Timer:
                def stop(self):
                    owner.waiting.remove(action)

            self.waiting.append(action)
            return Timer()

    owner, ran = Owner(), []
    settle_keys = Settle(owner, 0.05)
    settle_keys(lambda: ran.append("j"))
    assert ran == ["j"] and not owner.waiting  # quiet: at once
    settle_keys(lambda: ran.append("j j"))
    settle_keys(lambda: ran.append("j j j"))
    assert ran == ["j"] and len(owner.waiting) == 1  # fast: only the last one waits
    owner.waiting[0]()
    assert ran == ["j", "j j j"]
    time.sleep(0.06)
    settle_keys(lambda: ran.append("k"))
    assert ran[-1] == "k"
    settle_keys(lambda: ran.append("never"))
    settle_keys.cancel()
    assert not owner.waiting and "never" not in ran


async def test_sort_cycles_columns_and_reverses(demo_db):
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        bids = await _rows_of(app, pilot, "bids")
        await pilot.press("s")  # keyword, ascending
        await pilot.press("s")  # then the bid
        await pilot.pause()
        column = bids.columns.index("Bid")
        values = [float(str(bids.table.get_row_at(i)[column]))
                  for i in range(bids.table.row_count)
                  if str(bids.table.get_row_at(i)[column]) != "-"]
        assert values == sorted(values) and bids.columns[bids.sorted_by] == "Bid"
        await pilot.press("S")
        await pilot.pause()
        values = [float(str(bids.table.get_row_at(i)[column]))
                  for i in range(bids.table.row_count)
                  if str(bids.table.get_row_at(i)[column]) != "-"]
        assert values == sorted(values, reverse=True)


async def test_keys_that_come_fast_show_only_the_last_sort_asked_for(demo_db):
    """`s` acts at once; `s s s S` right after it wait for a pause. The first `s`'s rows,
    read meanwhile, are not shown (nor do they end the "loading" state): the table goes
    from the old order to the last one asked for."""
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        view = app.query_one("#keywords-view")
        view.sort(False)  # by keyword: read at once
        for _ in range(3):
            view.sort(False)
        view.sort(True)  # ... by impressions, largest first: once the keys pause
        await pilot.pause(0.1)  # (the first read is done; the keys' pause not yet over)
        assert view.reading
        await settle(app, pilot)
        assert not view.reading and view.columns[view.sort_column] == "Impr. 4w"
        shown = [str(view.table.get_row_at(i)[4]) for i in range(view.table.row_count)]
        known = [int(v.replace(",", "")) for v in shown if v != "-"]
        assert known and known == sorted(known, reverse=True)


async def test_field_filters_and_review_done_and_snooze(demo_db):
    from kwtrack.store.models import ReviewMark

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("2", "slash", *"group:core")
        await settle(app, pilot)
        view = app.query_one("#keywords-view")
        assert view.table.total == 8  # the demo's core group
        await pilot.press("escape")
        review = await _rows_of(app, pilot, "review")
        before = review.table.row_count
        # (the store's weeks come first: figures, not items to mark)
        await pilot.press("m")
        await settle(app, pilot)
        assert not ReviewMark.select().exists()
        review.table.move_cursor(row=review.table.get_row_index("top_traffic:0"))
        first = review.items["top_traffic:0"][1]
        await pilot.press("m")
        await settle(app, pilot)
        assert review.table.row_count == before  # the next word moved up in its place
        shown = [i.keyword for key, (s, i) in review.items.items() if s == "top_traffic"]
        assert first.keyword not in shown
        await pilot.press("z")
        await settle(app, pilot)
        marks = sorted((m.until is None) for m in ReviewMark.select())
        assert marks == [False, True]  # one done for good, one snoozed
        # a stray m is taken back with u, as any edit
        await pilot.press("u", "u")
        await settle(app, pilot)
        assert not ReviewMark.select().exists()
        assert review.items["top_traffic:0"][1] == first
        await pilot.press("G")  # the last row and back, as on Products and Keywords
        assert review.table.cursor_row == review.table.row_count - 1 > 0
        await pilot.press("g")
        assert review.table.cursor_row == 0
        # sections by their titles, and a filter on one of them
        await pilot.press("slash", *"section:rising")
        await settle(app, pilot)
        sections = {review.table.get_row_at(r)[0].plain for r in range(review.table.row_count)}
        assert sections == {"Rising words"}


async def test_the_review_view_shows_the_p4p_plans_budget_and_hours(demo_db):
    """The P4P plan is part of the weekly review: its budget against the week's spend, then a
    row per market after the cuts, its details the China-time hours to add; they say how the
    plan runs, so `m` does not mark them."""
    from kwtrack.bids import set_plan
    from kwtrack.store.models import ReviewMark

    set_plan(get_store(), budget=200, hours="00:00-24:00", markets=["US", "AU"])
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        review = await _rows_of(app, pilot, "review")
        await pilot.press("slash", *"section:p4p plan", "enter")
        await settle(app, pilot)
        rows = [[str(c) for c in review.table.get_row_at(r)]
                for r in range(review.table.row_count)]
        # (the demo's last week spent 1,365.73 CNY on P4P: 98% of 7 × 200)
        assert [row[:2] for row in rows] == [["P4P plan", "budget 98% spent"],
                                             ["P4P plan", "US covered"],
                                             ["P4P plan", "AU covered"],
                                             ["P4P plan", "growth level"]]
        assert "runs out most days" in rows[0][5]
        await pilot.press("down")
        await settle(app, pilot)
        shown = details_text(review)
        assert "**Promotion hours.** 00:00-24:00 (China time)" in shown, shown
        await pilot.press("m")
        await settle(app, pilot)
        assert not ReviewMark.select().exists()
        assert "P changes the plan" in [n.message for n in app._notifications][-1]


async def test_arrows_bring_the_columns_past_the_edge_a_column_at_a_time(demo_db):
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.query_one("#products-view").table
        widths = [column.get_render_width(table) for column in table.ordered_columns]
        # the scrolls that put each column after the product ID, which stays in view
        stops = [sum(widths[1:i]) for i in range(1, len(widths))]
        assert table.fixed_columns == 1 and table.max_scroll_x > 0  # (the numbers are past)
        seen = []
        for _ in range(len(stops) + 2):
            await pilot.press("right")
            await pilot.pause()
            seen.append(round(table.scroll_x))
        # each step puts a column after the ID, until all but the last padding is in view
        assert seen[0] == stops[1] and all(x in stops or x == table.max_scroll_x for x in seen)
        assert table.max_scroll_x - seen[-1] <= 2 * table.cell_padding
        await pilot.press("left")
        await pilot.pause()
        assert round(table.scroll_x) < seen[-1]
        await pilot.press(*["left"] * len(stops))
        await pilot.pause()
        assert table.scroll_x == 0 and table.cursor_row == 0
        # the Review keeps its section and item in view, its figures scrolling
        review = await _rows_of(app, pilot, "review")
        await pilot.press("right")
        await pilot.pause()
        header = review.table.render_line(0).text
        assert review.table.scroll_x > 0 and "Section" in header and "Item" in header
        assert "Impr." not in header


async def test_details_pane_starts_hidden_when_narrow_and_i_toggles_it(demo_db):
    for size, shown_at_start in (((80, 24), False), ((140, 40), True)):
        app = KwtrackApp(store_id=get_store().id)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            pane = app.query_one("#products-view VerticalScroll.details")
            table = app.query_one("#products-view").table
            assert pane.display is shown_at_start
            wide = table.size.width
            await pilot.press("i")
            await pilot.pause()
            assert pane.display is not shown_at_start
            # the table takes the room the pane leaves, and the keywords view follows
            assert (table.size.width > wide) is shown_at_start
            await pilot.press("2")
            await pilot.pause()
            assert app.query_one("#keywords-view VerticalScroll.details").display is (
                not shown_at_start)
            # Enter on a row shows them where they were hidden, and leaves them shown
            await pilot.press("i", "enter")
            await pilot.pause()
            assert app.query_one("#keywords-view VerticalScroll.details").display is True


async def test_import_from_the_tui_checks_first_then_imports_and_u_undoes(demo_db, tmp_path,
                                                                          monkeypatch):
    from textual.widgets import DirectoryTree, ProgressBar, Static

    from kwtrack.tui import dialogs

    good = tmp_path / "new.csv"
    good.write_text("product_id,title\n1699999999999,Brand New Kids' Rain Boots Model Z9\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("product_id,title,status\n1699999999998,Boots,sideways\n")
    (tmp_path / "notes.pdf").write_text("not a report")
    monkeypatch.setattr(dialogs, "start_folder", lambda: tmp_path)
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        before = Product.select().count()
        await pilot.press("I")  # a bad file, its path typed: the problem named, nothing written
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, dialogs.ImportDialog)
        # typed as the dialog opens (the folder tree has the focus): it goes into the path
        assert isinstance(app.focused, DirectoryTree)
        await pilot.press(*str(bad), "enter")
        await settle(app, pilot)
        said = str(dialog.query_one("#said", Static).render())
        assert "sideways" in said and "bad.csv" in said and Product.select().count() == before
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("I")  # a good one, picked in the folder tree
        await settle(app, pilot)
        dialog = app.screen
        tree = dialog.query_one(DirectoryTree)
        shown = [str(node.label) for node in tree.root.children]
        assert shown == ["bad.csv", "new.csv"]  # only what can be imported
        tree.focus()
        await pilot.press("down", "down", "enter")  # the tree's root, bad.csv, new.csv
        await settle(app, pilot)
        said = str(dialog.query_one("#said", Static).render())
        assert "new.csv (products)" in said and "would be added" in said, said
        assert Product.select().count() == before and dialog.rows == 1
        bar = dialog.query_one(ProgressBar)
        assert not bar.has_class("running")
        await pilot.press("enter")  # the checked file: now imported
        await settle(app, pilot)
        assert not isinstance(app.screen, dialogs.ImportDialog)
        assert Product.select().count() == before + 1
        assert (bar.total, bar.progress) == (1, 1)  # the bar ran to the rows checked
        # `u` undoes an import only once asked (redo cannot bring it back): other keys and
        # `n` leave it; `y` undoes it.
        await pilot.press("u")
        await settle(app, pilot)
        assert isinstance(app.screen, dialogs.ConfirmDialog)
        question = str(app.screen.query(Static).first().render())
        assert question.startswith("Undo import ") and "new.csv (products, 1 row," in question
        await pilot.press("p", "t", "n")
        await settle(app, pilot)
        assert not isinstance(app.screen, dialogs.ConfirmDialog)
        assert Product.select().count() == before + 1
        await pilot.press("u")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert Product.select().count() == before


async def test_u_and_ctrl_r_ask_before_taking_back_a_teammates_work(demo_db, monkeypatch):
    """In a shared database the newest change may be another person's: `u` says whose and
    asks (`n` leaves it); the History view says who made each change. The change undone last
    may be another person's undo: ctrl+r says whose, and asks too."""
    from kwtrack import edits
    from kwtrack.tui import dialogs

    monkeypatch.setenv("KWTRACK_USER", "ann")
    edits.edit_keyword(get_store(), "sneakers", {"notes": "ann's note"})
    monkeypatch.setenv("KWTRACK_USER", "bob")
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(160, 40)) as pilot:
        history = await _rows_of(app, pilot, "history")
        assert [str(c) for c in history.table.get_row_at(0)][-1] == "ann"
        await pilot.press("u")
        await settle(app, pilot)
        assert isinstance(app.screen, dialogs.ConfirmDialog)
        question = str(app.screen.query(Static).first().render())
        assert question.startswith("The newest change is ann's change ") and \
            "keyword sneakers notes" in question and question.endswith("Undo it?")
        await pilot.press("n")
        await settle(app, pilot)
        assert catalog.keyword_details(get_store(), "sneakers").notes == "ann's note"
        await pilot.press("u")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert catalog.keyword_details(get_store(), "sneakers").notes != "ann's note"
        monkeypatch.setenv("KWTRACK_USER", "ann")  # (ann, at the same database)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert isinstance(app.screen, dialogs.ConfirmDialog)
        question = str(app.screen.query(Static).first().render())
        assert question.startswith("The change undone last is bob's undo of change ") and \
            "keyword sneakers notes" in question and question.endswith("Redo it?")
        await pilot.press("y")
        await settle(app, pilot)
        assert catalog.keyword_details(get_store(), "sneakers").notes == "ann's note"


async def test_a_file_imported_before_is_said_so_and_enter_applies_it_again(demo_db, tmp_path):
    """The check of a file imported before says so (no CLI flag to name); Enter then applies
    it again, as `--force` does: its values come back over an edit made since."""
    from textual.widgets import Static

    from kwtrack.edits import edit_product
    from kwtrack.imports import import_file
    from kwtrack.tui import dialogs

    path = tmp_path / "titles.csv"
    path.write_text("product_id,title\n1699999999999,Kids' Rain Boots Model Z9\n")
    import_file(get_store(), None, path)
    edit_product(get_store(), "1699999999999", {"title": "Kids' Rain Boots Model Z9 Blue"})
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("I")
        await settle(app, pilot)
        dialog = app.screen
        await pilot.click("#path")
        dialog.query_one("#path", Input).value = str(path)
        await pilot.press("enter")
        await settle(app, pilot)
        said = str(dialog.query_one("#said", Static).render())
        assert "already imported" in said and "--force" not in said, said
        assert "Enter imports it again" in said
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, dialogs.ImportDialog)
        title = Product.get(Product.product_id == "1699999999999").title
        assert title == "Kids' Rain Boots Model Z9"


async def _until(pilot, condition, seconds: float = 20.0) -> None:
    """Wait for a worker's result to show (the export of 80,000 rows takes a moment)."""
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    assert condition()


async def test_export_from_the_tui_writes_every_kind_into_the_folder(demo_db, tmp_path):
    from textual.widgets import Static

    from kwtrack.exports import EXPORT_KINDS
    from kwtrack.tui.dialogs import ExportDialog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for folder in (tmp_path / "missing", tmp_path):
            await pilot.press("E")
            await pilot.pause()
            assert isinstance(app.screen, ExportDialog)
            app.screen.query_one("#folder", Input).value = str(folder)
            app.screen.query_one("#folder", Input).focus()
            await pilot.press("enter")
            if folder.name == "missing":
                dialog = app.screen
                await _until(pilot, lambda d=dialog: "no such folder" in str(
                    d.query_one("#said", Static).render()))
                assert not folder.exists()
                await pilot.press("escape")
                await pilot.pause()
        await _until(pilot, lambda: not isinstance(app.screen, ExportDialog))
    made = sorted(p.name for p in tmp_path.glob("default-*.csv"))
    assert len(made) == len(EXPORT_KINDS)
    assert (tmp_path / made[0]).read_text().count("\n") > 1


async def test_add_a_product_with_field_errors_then_edit_link_and_undo(demo_db):
    from kwtrack.store.models import Coverage, Keyword
    from kwtrack.tui.forms import FormDialog, LinkDialog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(80, 24)) as pilot:  # the forms fit the smallest terminal
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog)
        await pilot.press(*"16x", "enter")
        await pilot.pause()
        assert "not a product ID" in str(form.query_one("#error-product_id").render())
        await pilot.press("ctrl+s")  # saving with errors: each bad field says why
        await settle(app, pilot)
        assert "needs a title" in str(form.query_one("#error-title").render())
        assert isinstance(app.screen, FormDialog) and Product.select().count() == 311
        form.query_one("#field-product_id", Input).value = "1699000000001"
        form.query_one("#field-title", Input).value = "Men's Trail Walking Shoes Model Z901"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, FormDialog)
        added = Product.get(Product.product_id == "1699000000001")
        assert added.archived_at is None and added.status == "online"

        view = app.query_one("#products-view")
        await pilot.press("slash", *"Z901", "enter")
        await settle(app, pilot)
        assert view.table.total == 1
        await pilot.press("e")
        await settle(app, pilot)
        app.screen.query_one("#field-category", Input).value = "Hiking Shoes"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert Product.get_by_id(added.id).category == "Hiking Shoes"

        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LinkDialog)
        await pilot.press(*"no such words", "enter")
        await settle(app, pilot)
        assert "no keyword 'no such words'" in str(app.screen.query_one("#error-form").render())
        assert "ctrl+n: a new word" in str(app.screen.query_one(".hint").render())
        await pilot.press("ctrl+n")  # a new word: added to the library and linked, one change
        await settle(app, pilot)
        new = Keyword.get(Keyword.keyword == "no such words")
        assert Coverage.get((Coverage.product == added.id) & (Coverage.keyword == new))
        await pilot.press("u")
        await settle(app, pilot)
        assert Keyword.get_by_id(new.id).archived_at is not None
        assert not Coverage.select().where(Coverage.keyword == new).exists()
        await pilot.press("l")
        await pilot.pause()
        # the field offers the store's keywords as they are typed, the most searched first
        most_searched = (Keyword.select().where(Keyword.keyword.startswith("runn"))
                         .order_by(Keyword.search_index.desc()).first())
        field = app.screen.query_one("#field-keyword", Input)
        field.value = ""
        await pilot.press(*"RUNN")
        await _until(pilot, lambda: field._suggestion == most_searched.keyword)
        await pilot.press("right")
        assert field.value == most_searched.keyword != "RUNN"
        await pilot.press("enter")
        await settle(app, pilot)
        running = most_searched
        link = Coverage.get((Coverage.product == added.id) & (Coverage.keyword == running))
        assert link.source == "manual"

        await pilot.press("u")  # the link, then the edit, then the add, one at a time
        await settle(app, pilot)
        assert not Coverage.select().where(Coverage.id == link.id).exists()
        await pilot.press("u")
        await settle(app, pilot)
        assert Product.get_by_id(added.id).category is None
        await pilot.press("ctrl+r")  # redo puts the category back
        await settle(app, pilot)
        assert Product.get_by_id(added.id).category == "Hiking Shoes"


async def test_a_word_no_product_covers_is_linked_by_picking_a_title_offered(demo_db):
    """`l` on a word no product covers lists the live products whose titles could carry it
    (nobody remembers a 13-digit ID): Tab and Enter link the first, as a manual link."""
    from textual.widgets import OptionList

    from kwtrack import edits
    from kwtrack.store.models import Coverage, Keyword
    from kwtrack.tui.forms import LinkDialog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _rows_of(app, pilot, "keywords")
        await pilot.press("slash", *"route:none", "enter")
        await settle(app, pilot)
        view.table.focus()
        word = view.highlighted_key()
        offered = edits.carriers(get_store(), word)
        assert len(offered) == 5
        await pilot.press("l")
        dialog = app.screen
        assert isinstance(dialog, LinkDialog)
        options = dialog.query_one("#carriers", OptionList)
        await _until(pilot, lambda: options.option_count == 5)
        assert [options.get_option_at_index(i).id for i in range(5)] == [p for p, _ in offered]
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, LinkDialog)
        keyword = Keyword.get(Keyword.keyword == word)
        links = Coverage.select().where(Coverage.keyword == keyword)
        assert [(c.product.product_id, c.source) for c in links] == [(offered[0][0], "manual")]


async def test_space_selects_products_and_d_checks_and_archives_them_together(demo_db):
    from kwtrack.history import history
    from kwtrack.tui.dialogs import DeleteDialog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        table = app.query_one("#products-view").table
        chosen = [table.coordinate_to_cell_key((i, 0)).row_key.value for i in (0, 1)]
        await pilot.press("space", "space")
        assert table.selected == set(chosen) and table.cursor_row == 2
        assert str(table.get_cell_at((0, 0))).startswith("● ")
        await pilot.press("d")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, DeleteDialog) and dialog.product_ids == sorted(chosen)
        assert f"# Delete {', '.join(sorted(chosen))}?" in dialog.query_one(
            "#check", Markdown).source
        await pilot.press("y")
        await settle(app, pilot)
        if dialog.report.orphaned:
            await pilot.press("y")
            await settle(app, pilot)
        assert not isinstance(app.screen, DeleteDialog) and not table.selected
        archived = Product.select().where(Product.product_id.in_(chosen)
                                          & Product.archived_at.is_null(False))
        assert archived.count() == 2
        assert len({line.action for line in history(get_store(), 2)}) == 1  # one change


async def test_title_and_schedule_checks_from_the_palette_keys(demo_db):
    from kwtrack.tui.forms import ResultDialog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, ResultDialog)
        await pilot.press(*"Breathable Mesh Running Shoes for Men", "enter")
        await settle(app, pilot)
        shown = app.screen.query_one("#result", Markdown).source
        assert "**Length** 37 of 128" in shown and "running shoes" in shown
        await pilot.press("escape")
        await pilot.press("H")  # the demo's plan: its budget against W47, its hours
        await settle(app, pilot)
        shown = app.screen.query_one("#result", Markdown).source
        assert ("**Budget.** 300.00 CNY a day: 2026-W47 spent 1,365.73 CNY, 65% of seven days "
                "of it") in shown
        assert "**Promotion hours.** 08:00-23:00 (China time)" in shown
        assert "- GB (Europe/London)" in shown
        await pilot.press("escape")
        from kwtrack.bids import set_plan

        set_plan(get_store(), hours="08:00-12:00", markets=["US", "DE"])
        await pilot.press("H")
        await settle(app, pilot)
        shown = app.screen.query_one("#result", Markdown).source
        assert "**Promotion hours.** 08:00-12:00 (China time)" in shown
        # (08:00–12:00 in China is a New York night, summer or winter)
        assert re.search(r"- US \(America/New_York\), .*: office hours 09:00–18:00 uncovered "
                         r"09:00–18:00 \(add ", shown), shown


async def test_the_p4p_plan_is_set_from_a_form_checked_as_typed_and_undone(demo_db):
    """P opens the plan's form: each field checked as typed, blank fields left as they are,
    the schedule check of the new hours at once; u takes the plan back."""
    from kwtrack.bids import get_plan
    from kwtrack.tui.forms import FormDialog, ResultDialog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("P")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.query_one("#field-budget", Input).value == "300"  # (the demo's plan)
        assert form.query_one("#field-markets", Input).value == "US DE GB"
        await pilot.press("tab", *"8:00-25:00")
        await pilot.pause()
        assert "not a range of hours" in str(form.query_one("#error-hours").render())
        form.query_one("#field-hours", Input).value = "15:00-06:00"
        await pilot.press("tab")
        form.query_one("#field-markets", Input).value = "US Mars/Olympus"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form and "unknown market 'Mars/Olympus'" in str(
            form.query_one("#error-markets").render())
        form.query_one("#field-markets", Input).value = "US DE"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ResultDialog)  # the check of what was just set
        shown = app.screen.query_one("#result", Markdown).source
        assert "**Promotion hours.** 15:00-06:00" in shown
        plan = get_plan(get_store())
        assert (plan.budget, plan.hours, plan.markets) == (300, "15:00-06:00", "US DE")
        await pilot.press("escape", "u")
        await settle(app, pilot)
        plan = get_plan(get_store())
        assert (plan.budget, plan.hours, plan.markets) == (300, "08:00-23:00", "US DE GB")


async def test_m_records_the_p4p_growth_level_the_review_says_the_way_to_l4(demo_db):
    """M (marketing growth, 营销成长) opens a form for the growth level the back end shows
    today (checked as typed); the review's P4P plan rows say the points to L4 at once; u
    takes the record back."""
    from kwtrack.review import growth_levels
    from kwtrack.tui.forms import FormDialog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        review = await _rows_of(app, pilot, "review")
        await pilot.press("M")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        await pilot.press(*"79", "tab", *"top")
        await pilot.pause()
        assert "not a growth level" in str(form.query_one("#error-level").render())
        form.query_one("#field-level", Input).value = "L3"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        demo = [(76, 3), (72, 3)]  # (the demo's October and November)
        assert [(r.points, r.level) for r in growth_levels(get_store())] == [(79, 3), *demo]
        await pilot.press("slash", *"growth", "enter")
        await settle(app, pilot)
        row = [str(c) for c in review.table.get_row_at(0)]
        assert row[1] == "growth level" and ": 2 points to 81 (L4); +3 since 2026-11-20" in row[5]
        await pilot.press("escape", "u")
        await settle(app, pilot)
        assert [(r.points, r.level) for r in growth_levels(get_store())] == demo


async def test_titles_with_brackets_show_as_written(demo_db):
    """A title is data, not markup: `[/b]` would break Rich's markup parser."""
    from kwtrack import edits

    edits.add_product(get_store(), {"product_id": "1699000000009", "status": "online",
                                    "title": "Rain Boots [/b] [red] Model Q7"})
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("slash", *"Q7", "enter")
        await settle(app, pilot)
        table = app.query_one("#products-view").table
        assert table.total == 1
        assert str(table.get_row_at(0)[1]) == "Rain Boots [/b] [red] Model Q7"


async def test_an_unexpected_error_in_a_worker_is_a_notification(demo_db, monkeypatch):
    from peewee import OperationalError

    from kwtrack import history

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(history, "archive_products", locked)
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        for _ in range(2):
            await pilot.press("y")
            await settle(app, pilot)
        said = [n.message for n in app._notifications]
        assert "OperationalError: database is locked" in said
        assert Product.select().where(Product.archived_at.is_null(False)).count() == 0


SCREENS = {  # name → the keys that open it from the start
    **{name: [key] for key, name, _ in VIEWS},
    "delete-dialog": ["d"], "add-form": ["a"], "bid-dialog": ["3", "b"],
    "import-dialog": ["I"], "help": ["question_mark"],
}
FIXED_TIME = dt.datetime(2026, 11, 23, 9, 30)


def _pin_times() -> None:
    """Every stored time (when the demo was loaded, when its changes were logged) set to one
    fixed moment, so that a screen shows the same text on every run."""
    from peewee import DateTimeField

    from kwtrack.store.models import ALL_MODELS

    for model in ALL_MODELS:
        for field in model._meta.sorted_fields:
            if isinstance(field, DateTimeField):
                model.update({field: FIXED_TIME}).where(field.is_null(False)).execute()


@pytest.mark.parametrize("size", ["80x24", "120x40"])
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_every_view_and_dialog_snapshot(demo_db, snap_compare, tmp_path, monkeypatch,
                                        screen, size):
    """Each view and dialog, its rows and details loaded, at the smallest terminal operators
    use and at a roomy one."""
    from kwtrack.tui import dialogs

    _pin_times()
    # The import's picker, in a folder of one name (tmp_path's name grows with the runs
    # before it: the picture must not depend on which tests ran first).
    picker = tmp_path / "Downloads"
    picker.mkdir()
    monkeypatch.setattr(dialogs, "start_folder", lambda: picker)
    (picker / "products.csv").write_text("product_id,title\n")
    app = KwtrackApp(store_id=get_store().id)

    async def open_it(pilot):
        await settle(app, pilot)
        for key in SCREENS[screen]:
            await pilot.press(key)
            await settle(app, pilot)
        for box in app.screen.query(Input):  # (a blinking cursor is caught on or off)
            box.cursor_blink = False
        # The footer under a dialog redraws its keys when Textual gets to it: now.
        app.screen_stack[0].query_one(Footer).refresh(recompose=True)
        await pilot.pause(0.1)
        await pilot.pause()

    width, height = map(int, size.split("x"))
    assert snap_compare(app, terminal_size=(width, height), run_before=open_it)


async def test_the_weeks_bid_changes_from_the_review_one_by_b_or_all_by_a(demo_db):
    """The weekly routine's bids from the keyboard: a cut item's details say the proposed
    bid, `b` offers it with the reason apply-review would keep, `A` lists every proposed
    change and applies them only on `y`, as one change that `u` undoes."""
    from textual.screen import ModalScreen

    from kwtrack.bids import bid_history, list_bids, review_proposals
    from kwtrack.tui.dialogs import BidDialog, ConfirmDialog

    store = get_store()
    proposals = [p for p in review_proposals(store) if p.new_bid is not None]
    assert len(proposals) > 2 and {p.rule for p in proposals} == {"cut"}  # (the demo's week)
    first, rest = proposals[0], proposals[1:]
    app = KwtrackApp(store_id=store.id)
    async with app.run_test(size=(140, 40)) as pilot:
        review = await _rows_of(app, pilot, "review")
        row = next(review.table.get_row_index(key)
                   for key, (section, item) in review.items.items()
                   if (section, item.keyword) == ("cut", first.keyword))
        review.table.move_cursor(row=row)
        await settle(app, pilot)
        assert (f"Proposed bid: {first.old_bid:.2f} → {first.new_bid:.2f}"
                in details_text(review))
        await pilot.press("b")
        await settle(app, pilot)
        assert isinstance(app.screen, BidDialog)
        assert app.screen.query_one("#price", Input).value == f"{first.new_bid:.2f}"
        assert app.screen.query_one("#reason", Input).value == first.history_reason
        app.screen.query_one("#price", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert bid_history(store, first.keyword)[0].new_bid == first.new_bid
        # the word just set is in its cooldown: the details say so, and A leaves it out
        assert "No bid change proposed: changed" in details_text(review)
        bids = {b.keyword: b.bid for b in list_bids(store)}
        await pilot.press("A")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        question = app.screen.question
        assert f"Apply the review's {len(rest)} bid changes?" in question
        assert all(f"{p.keyword}: {p.old_bid:.2f} → {p.new_bid:.2f}" in question for p in rest)
        assert f"  {first.keyword}:" not in question
        await pilot.press("n")
        await settle(app, pilot)
        assert not isinstance(app.screen, ModalScreen)
        assert {b.keyword: b.bid for b in list_bids(store)} == bids
        await pilot.press("A")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        after = {b.keyword: b.bid for b in list_bids(store)}
        assert all(after[p.keyword] == p.new_bid for p in rest)
        assert bid_history(store, rest[0].keyword)[0].reason == rest[0].history_reason
        await pilot.press("u")  # the whole apply, at once
        await settle(app, pilot)
        assert {b.keyword: b.bid for b in list_bids(store)} == bids


async def test_a_report_view_filters_on_numbers(demo_db):
    """`bid>5`, `bid<=2.5`, `impr<100` keep the rows whose column holds such a number (an
    unknown one never passes), and mix with words and `column:value` terms."""
    from kwtrack.bids import list_bids

    bids = list_bids(get_store())
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        view = await _rows_of(app, pilot, "bids")

        async def shown(search: str) -> set[str]:
            await pilot.press("slash")
            app.focused.value = ""
            await pilot.press(*search, "enter")
            await settle(app, pilot)
            return {view.table.coordinate_to_cell_key((r, 0)).row_key.value
                    for r in range(view.table.row_count)}

        over = {b.keyword for b in bids if b.bid is not None and b.bid > 5}
        assert 0 < len(over) < len(bids)
        assert await shown("bid>5") == over
        assert await shown("bid<=2.5") == {b.keyword for b in bids
                                           if b.bid is not None and b.bid <= 2.5}
        assert await shown("bid>5 group:hot") == {b.keyword for b in bids
                                                  if b.keyword in over and b.group == "hot"}
        assert await shown("bid>5 shoes") == {k for k in over if "shoes" in k}
        assert await shown("bid>999") == set()
        # a column named with its span (`Clicks 4w`) by its figure alone
        assert await shown("clicks>10") == {b.keyword for b in bids
                                            if b.clicks is not None and b.clicks > 10}
        duplicates = await _rows_of(app, pilot, "duplicates")
        view = duplicates
        low = {duplicates.table.coordinate_to_cell_key((r, 0)).row_key.value
               for r in range(duplicates.table.row_count)
               if int(duplicates.table.get_row_at(r)[2].plain.replace(",", "")) < 100}
        assert low and await shown("impr<100") == low


async def test_the_clean_up_deletes_every_safe_candidate_at_once(demo_db):
    """`D` on Clean-up: the safe candidates together, checked in the dialog (nothing
    orphaned), archived on `y` as one change; the candidates that would orphan stay."""
    from kwtrack.tui.dialogs import DeleteDialog

    report = coverage_check(get_store(), [], zero_effect=True)
    safe = [c.product_id for c in report.safe]
    assert len(safe) > 3
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        cleanup = await _rows_of(app, pilot, "cleanup")
        await pilot.press("D")
        await settle(app, pilot)
        assert isinstance(app.screen, DeleteDialog) and app.screen.product_ids == safe
        assert not app.screen.report.orphaned
        assert f"# Delete {len(safe)} products?" in app.screen.query_one("#check").source
        await pilot.press("y")
        await settle(app, pilot)
        archived = {p.product_id for p in Product.select().where(
            Product.archived_at.is_null(False))}
        assert archived == set(safe)
        assert set(cleanup.report) == {c.product_id for c in report.candidates} - archived
        await pilot.press("D")  # none left safe: said, no dialog
        await settle(app, pilot)
        assert not isinstance(app.screen, DeleteDialog)


async def test_the_clean_up_links_a_candidates_orphans_to_their_carriers_then_it_is_safe(
        demo_db):
    """`L` on a candidate whose orphans all have a carrier: asked first, linked on `y` as
    one change, and the candidate reads safe; `u` takes the links back. On one with no
    carrier for any orphan it says so and asks nothing."""
    from kwtrack.tui.dialogs import ConfirmDialog

    report = coverage_check(get_store(), [], zero_effect=True)
    carried = {h.keyword for h in report.handovers()}
    candidate = next(c for c in report.candidates
                     if c.orphaned and set(c.orphaned) <= carried)
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        cleanup = await _rows_of(app, pilot, "cleanup")
        keys = [cleanup.table.coordinate_to_cell_key((r, 0)).row_key.value
                for r in range(cleanup.table.row_count)]
        cleanup.table.move_cursor(row=keys.index(candidate.product_id))
        await pilot.press("L")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        assert not cleanup.report[candidate.product_id].orphaned
        linked = {(c.keyword.keyword, c.product.product_id) for c in Coverage.select().where(
            Coverage.source == "manual")}
        assert {(h.keyword, h.product_id)
                for h in report.handovers({candidate.product_id})} <= linked
        await pilot.press("u")
        await settle(app, pilot)
        assert cleanup.report[candidate.product_id].orphaned == candidate.orphaned
        safe = next(c for c in report.candidates if not c.orphaned)
        cleanup.table.move_cursor(row=keys.index(safe.product_id))
        await pilot.press("L")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmDialog)


async def test_the_tui_reviews_and_bids_with_the_config_it_was_given(demo_db, tmp_path,
                                                                      monkeypatch):
    """`kwtrack --config FILE` (the TUI too): the review's lists and the bid limits follow
    the file, not the defaults."""
    from click.testing import CliRunner

    from kwtrack.cli import cli
    from kwtrack.config import load_config
    from kwtrack.tui.dialogs import BidDialog

    path = tmp_path / "team.toml"
    path.write_text("[review]\ntop = 3\n\n[bids]\nmax_bid = 4.0\n", encoding="utf-8")
    opened = []
    monkeypatch.setattr(KwtrackApp, "run", lambda self: opened.append(self.config))
    assert CliRunner().invoke(cli, ["--db", str(demo_db), "--config", str(path)]).exit_code == 0
    assert opened[0].review.top == 3 and opened[0].bids.max_bid == 4.0
    app = KwtrackApp(store_id=get_store().id, config=load_config(path))
    async with app.run_test(size=(140, 40)) as pilot:
        review = await _rows_of(app, pilot, "review")
        assert [s for s, _ in review.items.values()].count("top_traffic") == 3
        bids = await _rows_of(app, pilot, "bids")
        keyword = bids.table.coordinate_to_cell_key((0, 0)).row_key.value
        await pilot.press("b")
        await settle(app, pilot)
        assert isinstance(app.screen, BidDialog)
        app.screen.query_one("#price", Input).value = "4.50"
        app.screen.query_one("#price", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert "outside this word's limits, 0.3–4 CNY" in str(
            app.screen.query_one("#price-error").render()), keyword


async def test_shift_k_puts_a_rising_word_into_the_key_group_and_u_takes_it_out(demo_db):
    """The daily routine's move of a rising word into the key keyword group, one key from
    the Review; a second `K` changes nothing; `u` puts the word's old group back."""
    from kwtrack.history import history
    from kwtrack.store.models import Keyword

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        review = await _rows_of(app, pilot, "review")
        row, item = next((review.table.get_row_index(key), item)
                         for key, (section, item) in review.items.items()
                         if section == "rising"
                         and Keyword.get(Keyword.keyword == item.keyword).group != "core")
        old = Keyword.get(Keyword.keyword == item.keyword).group
        review.table.move_cursor(row=row)
        await pilot.press("K")
        await settle(app, pilot)
        assert Keyword.get(Keyword.keyword == item.keyword).group == "core"
        logged = len(history(get_store(), 100))
        await pilot.press("K")
        await settle(app, pilot)
        assert len(history(get_store(), 100)) == logged
        await pilot.press("u")
        await settle(app, pilot)
        assert Keyword.get(Keyword.keyword == item.keyword).group == old


async def test_a_keywords_group_is_offered_from_the_stores_groups_and_kept_as_spelled(demo_db):
    """The keyword form offers the store's groups as the group is typed (`CO` → `core`, →
    takes it); a group typed in other letters is saved as the store spells it."""
    from kwtrack.store.models import Keyword
    from kwtrack.tui.forms import FormDialog

    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(80, 24)) as pilot:
        word = await _first_keyword(app, pilot)
        await pilot.press("e")
        await _until(pilot, lambda: isinstance(app.screen, FormDialog))
        field = app.screen.query_one("#field-group", Input)
        field.focus()
        field.value = ""
        await pilot.press(*"CO")
        await _until(pilot, lambda: field._suggestion == "core")
        await pilot.press("right")
        assert field.value == "core"
        field.value = " CORE "
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: not isinstance(app.screen, FormDialog))
        assert Keyword.get(Keyword.keyword == word).group == "core"


async def test_a_report_not_imported_is_said_on_the_status_line_too(demo_db):
    """At 80 columns the details pane, which names a report not imported, is hidden: the
    Products and Keywords status lines say it too (their numbers leave those days out)."""
    from kwtrack.store.models import ImportPeriod, KeywordWeek

    days = [dt.date(2026, 11, 10) + dt.timedelta(days=n) for n in range(3)]
    ImportPeriod.delete().where(ImportPeriod.period_start.in_(days)).execute()
    KeywordWeek.delete().where(KeywordWeek.week == dt.date(2026, 11, 9)).execute()
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        status = str(app.query_one("#products-view").query_one(".status").render())
        assert status.endswith("· no product stats for 2026-11-10..2026-11-12"), status
        keywords = await _rows_of(app, pilot, "keywords")
        status = str(keywords.query_one(".status").render())
        assert status.endswith("· no keyword stats for 2026-W46"), status


async def test_w_widens_the_span_the_numbers_add_up_for_the_monthly_analysis(demo_db):
    """w: Products over 90 days, then 360, then 30 again; Keywords over 13 weeks: the column
    says the span, and the rows, their sort and their filter terms are over it."""
    store = get_store()
    app = KwtrackApp(store_id=store.id)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        products = app.query_one("#products-view")
        await pilot.press("w")
        await settle(app, pilot)
        assert products.columns[6] == "Impr. 90d"
        assert str(products.table.ordered_columns[6].label) == "Impr. 90d"
        wide = catalog.list_products(store, limit=3, days=90)
        assert [str(products.table.get_row_at(i)[6]) for i in range(3)] == [
            f"{r.impressions:,}" for r in wide]
        assert wide != catalog.list_products(store, limit=3)  # (the 30 days' differ)
        await pilot.press("w", "w")
        await settle(app, pilot)
        assert products.columns[6] == "Impr. 30d"
        keywords = await _rows_of(app, pilot, "keywords")
        await pilot.press("w")
        await pilot.press("slash", *"inq>0", "enter")
        await settle(app, pilot)
        assert keywords.columns[4] == "Impr. 13w"
        assert keywords.table.total == catalog.count_keywords(store, "inq>0", weeks=13)
        assert keywords.table.total > catalog.count_keywords(store, "inq>0")


async def test_w_on_clean_up_checks_zero_effect_over_half_a_year_and_a_year(demo_db):
    """w on Clean-up: zero effect over 180 days, then 365 — more than the demo's stats
    cover, which is said, never read as no effect — then 90 again."""
    from kwtrack.cleanup import zero_effect_products

    store = get_store()
    app = KwtrackApp(store_id=store.id)
    async with app.run_test(size=(140, 40)) as pilot:
        cleanup = await _rows_of(app, pilot, "cleanup")
        assert "over 90 days" in str(cleanup.query_one(".status").render())
        await pilot.press("w")
        await settle(app, pilot)
        half = zero_effect_products(store, days=180).products
        assert "over 180 days" in str(cleanup.query_one(".status").render())
        assert cleanup.table.row_count == len(half)
        await pilot.press("w")
        await settle(app, pilot)
        status = str(cleanup.query_one(".status").render())
        assert cleanup.table.row_count == 0 and "zero effect cannot be known" in status, status
        await pilot.press("w")
        await settle(app, pilot)
        assert "over 90 days" in str(cleanup.query_one(".status").render())
