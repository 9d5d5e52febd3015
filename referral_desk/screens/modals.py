"""Small modals the queue and the detail screen ask through.

Each is a `ModalScreen[T]` that returns with `dismiss(value)` (None when the
user backs out with Escape), so a screen awaits it with `push_screen_wait`
inside a worker and reads the answer as a plain value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..engine import AgentView
from ..widgets.plain import plain

__all__ = ["AgentCard", "Choice", "PickOne", "ReasonPrompt"]

_CLOSE: list[BindingType] = [
    Binding("escape", "close", "Back", tooltip="Close without doing anything", id="modal-close"),
]


class ReasonPrompt(ModalScreen[str | None]):
    """Asks for an optional reason (a decline's); Enter sends, Escape cancels (None)."""

    BINDINGS: ClassVar[list[BindingType]] = _CLOSE

    def __init__(self, title: str, placeholder: str = "optional reason") -> None:
        super().__init__(classes="desk-modal")
        self.prompt_title = title
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-body"):
            yield Label(self.prompt_title, classes="modal-title", markup=False)
            yield Input(placeholder=self.placeholder, id="reason", max_length=500)
            yield Static("Enter to record · Escape to cancel", classes="modal-hint")

    @on(Input.Submitted)
    def _send(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_close(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Choice:
    """One thing to choose (an agent, a routing mode), with a line saying what it is."""

    key: str
    label: str


class PickOne(ModalScreen[str | None]):
    """Picks one among several: whose offer to answer, whom to award, how to hand off."""

    BINDINGS: ClassVar[list[BindingType]] = _CLOSE

    def __init__(self, title: str, choices: list[Choice]) -> None:
        super().__init__(classes="desk-modal")
        self.prompt_title = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-body"):
            yield Label(self.prompt_title, classes="modal-title", markup=False)
            yield OptionList(
                *(Option(plain(choice.label), id=choice.key) for choice in self.choices),
                id="agents",
            )
            yield Static("Enter to choose · Escape to cancel", classes="modal-hint")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


class AgentCard(ModalScreen[None]):
    """An agent's card from the palette: contact, territory, load."""

    BINDINGS: ClassVar[list[BindingType]] = _CLOSE

    def __init__(self, agent: AgentView) -> None:
        super().__init__(classes="desk-modal")
        self.agent = agent

    def compose(self) -> ComposeResult:
        agent = self.agent
        away = ""
        if agent.away_from or agent.away_until:
            away = f"\nAway      {agent.away_from or '…'} – {agent.away_until or '…'}"
        with Vertical(classes="modal-body"):
            yield Label(f"{agent.name} ({agent.id})", classes="modal-title", markup=False)
            yield Static(
                f"{agent.kind.title()} · {agent.brokerage}\n"
                f"Contact   {agent.email} · {agent.phone} (prefers {agent.preferred_channel})\n"
                f"Metros    {', '.join(agent.metros)}\n"
                f"ZIPs      {', '.join(agent.zips) or '—'}\n"
                f"Serves    {agent.sides} · ${agent.price_min:,}–${agent.price_max:,}\n"
                f"Types     {', '.join(agent.property_types)}\n"
                f"Load      {agent.load} of {agent.capacity}"
                f"{'' if agent.active else ' · inactive'}{away}",
                markup=False,
            )
            yield Button("Close", id="close", variant="primary")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
