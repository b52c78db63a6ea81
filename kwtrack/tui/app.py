"""The kwtrack terminal UI: Products and Keywords in tabs, driven from the keyboard."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Markdown, TabbedContent, TabPane

from kwtrack import __version__
from kwtrack.store.database import store_by_id
from kwtrack.tui.views import KeywordsView, ProductsView

HELP = """\
# kwtrack — keys

| Key | What it does |
|---|---|
| `1` / `2` | Products / Keywords tab |
| `↑` `↓` `PgUp` `PgDn` | Move; more rows load as you go |
| `g` / `G` | First / last row |
| `/` | Filter the rows (Enter applies, Esc clears) |
| `?` | This help |
| `q` | Quit |

The details pane on the right follows the highlighted row: a product's keywords and recent
numbers, or a keyword's covering products, P4P bid and recent weeks.
"""


class HelpScreen(ModalScreen[None]):
    """The keys, on top of whatever is open."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 80; height: auto; max-height: 90%;
                                  border: thick $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(HELP)


class KwtrackApp(App[None]):
    """Browse one store's products and keywords."""

    TITLE = "kwtrack"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("1", "tab('products')", "Products", show=False),
        Binding("2", "tab('keywords')", "Keywords", show=False),
    ]

    def __init__(self, store_id: int, **kwargs):
        super().__init__(**kwargs)
        self.store_id = store_id

    def compose(self) -> ComposeResult:
        store = store_by_id(self.store_id)
        self.sub_title = f"store: {store.name} — v{__version__}"
        yield Header()
        with TabbedContent(initial="products"):
            with TabPane("Products", id="products"):
                yield ProductsView(self.store_id, id="products-view")
            with TabPane("Keywords", id="keywords"):
                yield KeywordsView(self.store_id, id="keywords-view")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#products-view PagedTable").focus()

    def action_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = name
        self.query_one(f"#{name}-view PagedTable").focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())
