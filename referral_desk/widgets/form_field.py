"""A labelled form control with its own hint and error line.

Every form of the desk (intake, roster, settings) shows the engine's
`field: message` problems right under the field they name, so the person at
the keyboard sees what to fix without reading a toast. This widget is that
field: a label, the control, an optional note beside it, a hint line and an
error line that stay hidden until they have something to say.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label, Static, Switch

__all__ = ["FormField", "problems_by_field"]


class FormField(Widget):
    """One field of a form: `label  [control]  aside`, then one note line for the
    hint (grey) and the errors (red).

    Kept to three or four widgets (a grid, not nested containers): a form holds
    twenty of these, and every focus change restyles and lays them out again.
    """

    DEFAULT_CSS = """
    FormField {
        layout: grid;
        grid-size: 2;
        grid-columns: 16 1fr;
        grid-rows: auto;
        height: auto;
        width: 1fr;
    }
    FormField.-with-aside {
        grid-size: 3;
        grid-columns: 16 1fr auto;
    }
    FormField.-with-aside.-switch {
        grid-columns: 16 auto 1fr;
    }
    FormField > .field--label {
        color: $text-muted;
        padding: 0 1 0 0;
        width: 1fr;
    }
    FormField.-invalid > .field--label {
        color: $error;
    }
    FormField.-focused > .field--label {
        color: $accent;
        text-style: bold;
    }
    FormField > Input, FormField > Select, FormField > TextArea {
        width: 1fr;
    }
    FormField > Switch {
        border: none;
        height: 1;
        padding: 0;
        width: auto;
    }
    FormField > Switch:focus {
        border: none;
        background-tint: $foreground 10%;
    }
    FormField > .field--aside {
        width: auto;
        padding: 0 0 0 1;
        color: $text-muted;
    }
    FormField > .field--note {
        column-span: 3;
        padding-left: 16;
        color: $text-muted;
        display: none;
    }
    FormField > .field--note.-shown {
        display: block;
    }
    """

    def __init__(
        self,
        label: str,
        control: Widget,
        *,
        key: str,
        hint: str = "",
        aside: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Wraps `control`; `key` is the field as the engine names it (`source.email`)."""
        super().__init__(id=id, classes=classes)
        self.label = label
        self.control = control
        self.key = key
        self._hint = hint
        self._errors: list[str] = []
        self._aside = aside
        self.set_class(aside, "-with-aside")
        self.set_class(isinstance(control, Switch), "-switch")

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field--label", markup=False)
        yield self.control
        if self._aside:
            yield Static("", classes="field--aside", markup=False)
        yield Static(
            self._note(),
            classes="field--note -shown" if self._hint else "field--note",
            markup=False,
        )

    def _note(self) -> Content:
        # A live hint that says what an error says (an unreadable price) is not repeated.
        hint = self._hint if self._hint not in self._errors else ""
        lines = [Content(hint)] if hint else []
        lines += [Content.styled(error, "$error") for error in self._errors]
        return Content("\n").join(lines)

    def _show_note(self) -> None:
        note = self.query_one(".field--note", Static)
        note.update(self._note())
        note.set_class(bool(self._hint or self._errors), "-shown")

    def on_descendant_focus(self, _: events.DescendantFocus) -> None:
        # A class, not :focus-within, so the label's style is recomputed on blur too.
        self.add_class("-focused")

    def on_descendant_blur(self, _: events.DescendantBlur) -> None:
        self.remove_class("-focused")

    def set_hint(self, text: str) -> None:
        """Shows (or, with an empty text, hides) the grey line under the control."""
        if text != self._hint:
            self._hint = text
            self._show_note()

    @property
    def hint(self) -> str:
        """The grey line under the control."""
        return self._hint

    def set_aside(self, text: str) -> None:
        """Updates the note beside the control (e.g. a weight's share of the total)."""
        for aside in self.query(".field--aside").results(Static):
            aside.update(text)

    def show_errors(self, messages: Iterable[str]) -> None:
        """Shows the engine's messages for this field (without the key) in red."""
        errors = [message for message in messages if message]
        if errors != self._errors:
            self._errors = errors
            self._show_note()
        self.set_class(bool(errors), "-invalid")

    def clear_errors(self) -> None:
        """Hides the errors once the field is fixed or the form is cleared."""
        self.show_errors(())

    @property
    def errors(self) -> list[str]:
        """The messages showing under this field."""
        return list(self._errors)

    @property
    def has_errors(self) -> bool:
        """Whether an error is showing under this field."""
        return bool(self._errors)


def problems_by_field(
    problems: Iterable[str], known: Iterable[str], aliases: dict[str, str] | None = None
) -> tuple[dict[str, list[str]], list[str]]:
    """Splits the engine's `field: message` lines into per-field messages and the rest.

    Why: the engine names fields exactly as the input did (`source.email`,
    `price_min`, `row 7: email`), and a form must put each message under the
    field it names. Lines naming no known field (`input: …`) come back apart,
    prefixed by their key, for a form-level message.
    """
    fields = set(known)
    aliases = aliases or {}
    by_field: dict[str, list[str]] = {}
    rest: list[str] = []
    for problem in problems:
        key, separator, message = problem.partition(": ")
        key = aliases.get(key, key)
        if separator and key in fields:
            by_field.setdefault(key, []).append(message)
        else:
            rest.append(problem)
    return by_field, rest
