"""The TUI driven by Textual's pilot, on a copy of the demo store, plus a snapshot."""

from __future__ import annotations

from textual.widgets import Input, Markdown, TabbedContent

from kwtrack.store.database import get_store
from kwtrack.store.models import Product
from kwtrack.tui.app import HelpScreen, KwtrackApp
from kwtrack.tui.widgets import PAGE_SIZE, PagedTable


def details_text(view) -> str:
    return view.query_one(".details-text", Markdown).source


async def test_opens_on_products_with_a_page_and_details(demo_db):
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        view = app.query_one("#products-view")
        table = view.query_one(PagedTable)
        assert table.total == 311 and table.row_count == PAGE_SIZE  # paged, not all rows
        assert app.focused is table
        first = table.coordinate_to_cell_key((0, 0)).row_key.value
        assert first in details_text(view) and "### Keywords" in details_text(view)
        await pilot.press("down")
        await pilot.pause()
        second = table.coordinate_to_cell_key((1, 0)).row_key.value
        assert second in details_text(view)


async def test_scrolling_to_the_end_loads_the_next_page(demo_db):
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        table = app.query_one("#products-view PagedTable")
        table.move_cursor(row=PAGE_SIZE - 5)
        await pilot.pause()
        assert table.row_count == 311
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_filter_narrows_and_escape_clears(demo_db):
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        view = app.query_one("#products-view")
        table = view.query_one(PagedTable)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"sandals", "enter")
        await pilot.pause()
        assert 0 < table.total < 311
        shown = [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]
        products = Product.select().where(Product.product_id.in_(shown))
        assert all("sandals" in (p.title + p.category).lower() for p in products)
        assert app.focused is table
        await pilot.press("escape")
        await pilot.pause()
        assert table.total == 311


async def test_keywords_tab_shows_covering_products_and_stats(demo_db):
    app = KwtrackApp(store_id=get_store().id)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "keywords"
        view = app.query_one("#keywords-view")
        await pilot.press("slash", *"running shoes", "enter")
        await pilot.pause()
        text = details_text(view)
        assert "### Covered by" in text and "### Recent weeks" in text and "organic" in text


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
    assert snap_compare(app, terminal_size=(140, 40))
