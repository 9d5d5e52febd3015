"""An agent's time away: two dates (inclusive, desk time zone), or none.

Routing skips an agent who is away, so the dates must be right; the modal
writes them itself and shows a refused date under its field.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ..engine import AgentView, parse_day
from ..widgets.form_field import FormField, problems_by_field
from .common import announce_write, now_of
from .writing import Refused, Written, attempt_each, write, writing

__all__ = ["VacationScreen"]

KEYS = ("away_from", "away_until")


def _day(text: str, key: str) -> date | None:
    """A typed date, or None for a blank field (no time away on that side)."""
    return parse_day(text, key) if text else None


class VacationScreen(ModalScreen[AgentView | None]):
    """Sets or clears an agent's away dates; dismisses with the updated agent."""

    DEFAULT_CSS = """
    VacationScreen {
        align: center middle;
    }
    VacationScreen > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    VacationScreen .vacation--title {
        text-style: bold;
        margin-bottom: 1;
    }
    VacationScreen .vacation--note {
        color: $text-muted;
        margin-bottom: 1;
    }
    VacationScreen #vacation-problems {
        color: $error;
    }
    VacationScreen #vacation-buttons {
        height: auto;
        align-horizontal: right;
        margin-top: 1;
    }
    VacationScreen #vacation-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the dates", id="vacation.save"),
        Binding("escape", "cancel", "Cancel", tooltip="Close without saving", id="vacation.cancel"),
    ]

    def __init__(self, agent: AgentView) -> None:
        super().__init__()
        self.agent = agent

    def compose(self) -> ComposeResult:
        agent = self.agent
        with Vertical():
            yield Label(
                f"Time away — {agent.name} ({agent.id})", classes="vacation--title", markup=False
            )
            yield Static(
                "Dates are inclusive, in the desk's time zone. Leave both blank (or press "
                "Clear) when the agent is back for good.",
                classes="vacation--note",
            )
            for key, label, value in (
                ("away_from", "Away from", agent.away_from),
                ("away_until", "Away until", agent.away_until),
            ):
                control = Input(
                    value.isoformat() if value else "",
                    placeholder="YYYY-MM-DD",
                    id=key.replace("_", "-"),
                    compact=True,
                )
                yield FormField(label, control, key=key)
            yield Static("", id="vacation-problems", markup=False)
            with Horizontal(id="vacation-buttons"):
                yield Button("Clear dates", id="clear", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#away-from", Input).focus()

    def _fields(self) -> dict[str, FormField]:
        return {field.key: field for field in self.query(FormField).results(FormField)}

    def action_save(self) -> None:
        """Checks both dates, then stores them."""
        if writing(self):
            return
        days, slips = attempt_each(
            {
                key: partial(_day, field.control.value.strip(), key)  # type: ignore[attr-defined]
                for key, field in self._fields().items()
            }
        )
        if slips:
            self._show(tuple(problem for problems in slips.values() for problem in problems))
            return
        agent_id, away_from, away_until = self.agent.id, days["away_from"], days["away_until"]
        now = now_of(self)
        write(self, lambda desk: desk.set_vacation(agent_id, away_from, away_until, now))

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        for field in self._fields().values():
            field.control.value = ""  # type: ignore[attr-defined]
        self.action_save()

    @on(Written)
    def _saved(self, message: Written[AgentView]) -> None:
        announce_write(self, message.revision)
        self.dismiss(message.result)

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self._show(message.lines())

    def _show(self, problems: tuple[str, ...]) -> None:
        by_field, rest = problems_by_field(problems, KEYS)
        for key, field in self._fields().items():
            field.show_errors(by_field.get(key, ()))
        self.query_one("#vacation-problems", Static).update("\n".join(rest))
        self.notify("Not saved: check the dates.", severity="warning")

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "away-until":
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Closes without changing anything."""
        self.dismiss(None)
