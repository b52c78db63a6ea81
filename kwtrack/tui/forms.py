"""Modal forms: add and edit a record, link a keyword and a product, check a draft title, and
show a check's result.

A form checks each field as it is typed with the domain's own checks (kwtrack.edits) and says
what is wrong next to the field; saving runs in a worker, and the database's answer (a
duplicate, a hot product) shows in the form rather than closing it.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from kwtrack.errors import KwtrackError
from kwtrack.store.database import store_by_id
from kwtrack.tui.widgets import SaysWorkerErrors

FORM_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 76; max-width: 95%; height: auto; max-height: 95%;
                    border: thick $primary; background: $surface; padding: 0 1; }}
{name} .error {{ color: $error; height: auto; display: none; }}
{name} .hint {{ color: $text-muted; height: auto; }}
{name} Input {{ border: none; height: 1; padding: 0 1; margin: 0; background: $boost; }}
{name} Input:focus {{ border: none; background: $primary 30%; }}
"""


class FormDialog(SaysWorkerErrors, ModalScreen[bool]):
    """A form of `fields` (kwtrack.edits.FormField): each field checked as it is typed by
    `problems` (values → {field: what is wrong}); Enter moves to the next field and saves on
    the last (ctrl+s saves from any); `save(store, values)` runs in a worker. The fields
    `offered` names complete what is typed from `offered[name](store)` (read in a worker;
    → takes it)."""

    DEFAULT_CSS = FORM_CSS.format(name="FormDialog")
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]
    hint = "Enter: next field, saves on the last · ctrl+s: save · Esc: cancel"

    def __init__(self, store_id: int, heading: str, fields, values: dict[str, str],
                 problems: Callable[[dict], dict], save: Callable,
                 offered: dict[str, Callable] | None = None):
        super().__init__()
        self.store_id, self.heading, self.fields = store_id, heading, fields
        self.values, self.problems, self.save = dict(values), problems, save
        self.offered = offered or {}
        self.touched: set[str] = set()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.heading)
            for field in self.fields:
                yield Label(f"{field.label} [dim]— {field.hint}[/]" if field.hint else field.label)
                yield Input(value=self.values.get(field.name, ""), id=f"field-{field.name}")
                yield Static("", classes="error", id=f"error-{field.name}", markup=False)
            yield from self.below_fields()
            yield Static("", classes="error", id="error-form", markup=False)
            yield Static(self.hint, classes="hint")

    def below_fields(self) -> ComposeResult:
        """What a form shows under its fields (a kind of form adds to it)."""
        yield from ()

    def on_mount(self) -> None:
        if self.offered:
            self._read_offered()

    @work(thread=True, exit_on_error=False)
    def _read_offered(self) -> None:
        store = store_by_id(self.store_id)
        for name, read in self.offered.items():
            field = self.query_one(f"#field-{name}", Input)
            self.app.call_from_thread(setattr, field, "suggester",
                                      SuggestFromList(read(store), case_sensitive=False))

    def _values(self) -> dict[str, str]:
        return {f.name: self.query_one(f"#field-{f.name}", Input).value for f in self.fields}

    def _show_problems(self, shown: set[str]) -> dict[str, str]:
        found = self.problems({**self.values, **self._values()})
        for field in self.fields:
            text = found.get(field.name, "") if field.name in shown else ""
            _say(self.query_one(f"#error-{field.name}", Static), text)
        return found

    def on_input_changed(self, event: Input.Changed) -> None:
        self.touched.add(event.input.id.removeprefix("field-"))
        self._show_problems(self.touched)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        names = [f.name for f in self.fields]
        place = names.index(event.input.id.removeprefix("field-"))
        if place + 1 < len(names):
            self.query_one(f"#field-{names[place + 1]}", Input).focus()
        else:
            self.action_save()

    def action_save(self) -> None:
        found = self._show_problems({f.name for f in self.fields})
        if found:
            first = next(f.name for f in self.fields if f.name in found)
            self.query_one(f"#field-{first}", Input).focus()
            return
        self._save({**self.values, **self._values()}, self.save)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _save(self, values: dict[str, str], save: Callable) -> None:
        try:
            save(store_by_id(self.store_id), values)
        except KwtrackError as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        self.app.call_from_thread(self.dismiss, True)

    def _say(self, text: str) -> None:
        _say(self.query_one("#error-form", Static), text)

    def action_cancel(self) -> None:
        self.dismiss(False)


def _say(line: Static, text: str) -> None:
    """Show what is wrong under a field; an empty line takes no room."""
    line.update(text)
    line.display = bool(text)


class LinkDialog(FormDialog):
    """Link a keyword and a product (Enter), or remove their links (ctrl+x); the field
    offers to complete what is typed from the store's keywords or products (→ takes it).
    With `add` (the field is a keyword), ctrl+n adds a word the library lacks and links it,
    as one change. With `carriers` (the field is a product: `store → [(product ID, title)]`,
    kwtrack.edits.carriers), the products whose titles could carry the word are listed to
    pick from: nobody remembers a 13-digit ID."""

    DEFAULT_CSS = FORM_CSS.format(name="LinkDialog") + """
    LinkDialog OptionList { height: auto; max-height: 6; border: none; padding: 0;
                            text-wrap: nowrap; text-overflow: ellipsis; }
    LinkDialog OptionList:focus { border: none; background-tint: $primary 10%; }
    """
    BINDINGS = [Binding("ctrl+x", "unlink", "Unlink"), Binding("ctrl+n", "add", "Add and link")]

    def __init__(self, store_id: int, heading: str, field, fixed: dict[str, str],
                 link: Callable, unlink: Callable, completions: Callable | None = None,
                 add: Callable | None = None, carriers: Callable | None = None):
        super().__init__(store_id, heading, (field,), fixed, _needs(field.name), link,
                         {field.name: completions} if completions is not None else None)
        self.unlink, self.add, self.carriers = unlink, add, carriers
        self.hint = " · ".join([
            "→: take the word offered", "Enter: link",
            *(["Tab: the products listed (Enter links one)"] if carriers else []),
            *(["ctrl+n: a new word: add it to the library and link it"] if add else []),
            "ctrl+x: unlink (the change log keeps the link)", "Esc: cancel"])

    def below_fields(self) -> ComposeResult:
        if self.carriers is not None:
            yield Label("Titles holding most of its words: [dim]looking…[/]", id="carriers-said")
            yield OptionList(id="carriers")

    def on_mount(self) -> None:
        super().on_mount()
        if self.carriers is not None:
            self._read_carriers()

    @work(thread=True, exit_on_error=False)
    def _read_carriers(self) -> None:
        found = self.carriers(store_by_id(self.store_id))
        self.app.call_from_thread(self._show_carriers, found)

    def _show_carriers(self, found: list[tuple[str, str]]) -> None:
        self.query_one("#carriers-said", Label).update(
            "Titles holding most of its words:" if found else
            "Titles holding most of its words: [dim]none (no live product left to link)[/]")
        self.query_one("#carriers", OptionList).add_options(
            [Option(f"{product_id}  {title}", id=product_id) for product_id, title in found])
        if found:
            self.query_one("#carriers", OptionList).highlighted = 0  # (Tab, Enter: the best)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one(f"#field-{self.fields[0].name}", Input).value = event.option.id
        self._save_with(self.save)

    def action_unlink(self) -> None:
        self._save_with(self.unlink)

    def action_add(self) -> None:
        if self.add is None:
            self.app.bell()  # (a product cannot be made from its ID alone)
        else:
            self._save_with(self.add)

    def _save_with(self, save: Callable) -> None:
        if not self._show_problems({f.name for f in self.fields}):
            self._save({**self.values, **self._values()}, save)


def _needs(name: str) -> Callable[[dict], dict]:
    def problems(values: dict) -> dict:
        return {} if (values.get(name) or "").strip() else {name: "needed"}
    return problems


class ResultDialog(SaysWorkerErrors, ModalScreen[None]):
    """A check's result as Markdown, worked out in a worker by `run(store) → markdown`; with
    `ask` (a label), an input whose text is passed on as `run(store, text)` at each Enter."""

    DEFAULT_CSS = FORM_CSS.format(name="ResultDialog") + """
    ResultDialog VerticalScroll { height: auto; max-height: 30; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close")]

    def __init__(self, store_id: int, heading: str, run: Callable, ask: str | None = None):
        super().__init__()
        self.store_id, self.heading, self.run, self.ask = store_id, heading, run, ask

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.heading)
            if self.ask:
                yield Label(self.ask)
                yield Input(id="ask")
            with VerticalScroll():
                yield Markdown("" if self.ask else "*checking…*", id="result")
            yield Static("Esc: close" + (" · Enter: check" if self.ask else ""),
                         classes="hint")

    def on_mount(self) -> None:
        if not self.ask:
            self._run(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.query_one("#result", Markdown).update("*checking…*")
            self._run(event.value.strip())

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _run(self, text: str | None) -> None:
        store = store_by_id(self.store_id)
        try:
            shown = self.run(store) if text is None else self.run(store, text)
        except KwtrackError as exc:
            shown = f"*{exc}*"
        self.app.call_from_thread(lambda: self.query_one("#result", Markdown).update(shown))
