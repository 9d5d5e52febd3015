"""Add or edit one agent of the roster, in a modal that keeps what was typed.

The modal writes through the desk itself (in a thread worker) so that when the
engine refuses a value, its message appears under that field and the modal
stays open with everything the team lead typed. It dismisses with the saved
agent, or None when cancelled.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, Switch

from ..engine import AGENT_KINDS, AGENT_SIDES, CHANNELS, PROPERTY_TYPES, AgentView
from ..widgets.form_field import FormField, problems_by_field
from ..widgets.price_input import PriceError, PriceInput, parse_price
from .common import announce_write, now_of
from .writing import Refused, Written, write, writing

__all__ = ["AgentFormScreen"]

TEXT_FIELDS = (
    ("id", "Id", "stable id, e.g. P-ATX-01"),
    ("name", "Name", ""),
    ("brokerage", "Brokerage", ""),
    ("email", "Email", ""),
    ("phone", "Phone", ""),
    ("metros", "Metros", "Austin;Round Rock"),
    ("zips", "ZIPs", "78704;78745 (optional)"),
    ("property_types", "Property types", "residential;condo"),
    ("capacity", "Capacity", "open referrals at once"),
    ("away_from", "Away from", "YYYY-MM-DD (optional)"),
    ("away_until", "Away until", "YYYY-MM-DD (optional)"),
    ("on_duty", "On duty", "mon-fri 09:00-17:00;sat 10:00-14:00"),
    ("weight", "RR weight", "round-robin weight, default 1"),
    ("network", "Network", "network group (optional)"),
)
CHOICE_FIELDS = (
    ("kind", "Kind", AGENT_KINDS, "partner"),
    ("preferred_channel", "Channel", CHANNELS, "email"),
    ("sides", "Sides", AGENT_SIDES, "both"),
)
ORDER = (
    "id", "name", "kind", "brokerage", "email", "phone", "preferred_channel", "metros", "zips",
    "sides", "price_min", "price_max", "property_types", "capacity", "active", "away_from",
    "away_until", "on_duty", "weight", "network",
)  # fmt: skip
"""The roster's columns, in the order the form shows them (the CSV's order)."""


def _initial(agent: AgentView | None) -> dict[str, Any]:
    """The form's starting values: the agent's, as the CSV writes them, or blanks."""
    if agent is None:
        return {"capacity": "3", "weight": "1", "active": True}
    row: dict[str, Any] = dict(agent.csv_row())
    row["active"] = agent.active
    return row


class AgentFormScreen(ModalScreen[AgentView | None]):
    """The roster form: every column of a roster row, with the engine's messages."""

    DEFAULT_CSS = """
    AgentFormScreen {
        align: center middle;
    }
    AgentFormScreen > Vertical {
        width: 90;
        max-width: 100%;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    AgentFormScreen .agent--title {
        text-style: bold;
        width: 1fr;
    }
    AgentFormScreen VerticalScroll {
        height: 1fr;
    }
    AgentFormScreen #agent-problems {
        color: $error;
        display: none;
    }
    AgentFormScreen #agent-problems.-shown {
        display: block;
    }
    AgentFormScreen #agent-buttons {
        height: auto;
        align-horizontal: right;
    }
    AgentFormScreen #agent-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the agent", id="agent-form.save"),
        Binding(
            "escape", "cancel", "Cancel", tooltip="Close without saving", id="agent-form.cancel"
        ),
    ]

    def __init__(self, agent: AgentView | None, existing_ids: set[str]) -> None:
        """`agent` None adds a new one; `existing_ids` stops an add overwriting someone."""
        super().__init__()
        self.agent = agent
        self.existing_ids = existing_ids

    def compose(self) -> ComposeResult:
        values = _initial(self.agent)
        title = f"Edit {self.agent.name} ({self.agent.id})" if self.agent else "Add an agent"
        controls: dict[str, tuple[str, Widget, str]] = {}
        for key, label, placeholder in TEXT_FIELDS:
            controls[key] = (label, Input(str(values.get(key, "")), placeholder=placeholder), "")
        for key, label, choices, default in CHOICE_FIELDS:
            select = Select(
                [(choice, choice) for choice in choices],
                allow_blank=False,
                value=values.get(key) or default,
            )
            controls[key] = (label, select, "")
        controls["price_min"] = ("Price from", PriceInput(str(values.get("price_min", ""))), "")
        controls["price_max"] = ("Price to", PriceInput(str(values.get("price_max", ""))), "")
        controls["active"] = ("Active", Switch(bool(values.get("active", True))), "")
        controls["property_types"] = (
            controls["property_types"][0],
            controls["property_types"][1],
            "any of: " + ", ".join(PROPERTY_TYPES),
        )
        with Vertical():
            yield Label(title, classes="agent--title", markup=False)
            yield Static("", id="agent-problems", markup=False)
            with VerticalScroll():
                for key in ORDER:
                    label, control, hint = controls[key]
                    control.id = f"agent-{key.replace('_', '-')}"
                    if hasattr(control, "compact"):
                        control.compact = True
                    if key == "id" and self.agent is not None:
                        control.disabled = True
                    yield FormField(label, control, key=key, hint=hint)
            with Horizontal(id="agent-buttons"):
                yield Button("Cancel (esc)", id="cancel", compact=True)
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)

    def on_mount(self) -> None:
        first = "name" if self.agent is not None else "id"
        self.query_one(f"#agent-{first}").focus()

    def _fields(self) -> dict[str, FormField]:
        return {field.key: field for field in self.query(FormField).results(FormField)}

    def payload(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The roster row the engine validates, and problems found before asking it."""
        data: dict[str, Any] = {}
        local: dict[str, str] = {}
        for key, field in self._fields().items():
            control = field.control
            if isinstance(control, Switch):
                data[key] = control.value
            elif isinstance(control, Select):
                data[key] = control.selection or ""
            elif isinstance(control, PriceInput):
                try:
                    dollars = parse_price(control.value)
                except PriceError as error:
                    local[key] = str(error)
                    continue
                if dollars is not None:
                    data[key] = dollars
            elif isinstance(control, Input):
                text = control.value.strip()
                if text or key in ("id", "name", "metros"):
                    data[key] = text
        if self.agent is None and data.get("id") in self.existing_ids:
            local["id"] = "already on the roster (edit that agent instead)"
        return data, local

    def action_save(self) -> None:
        """Saves the agent through the desk (the modal closes only when it is saved)."""
        if writing(self):
            return
        data, local = self.payload()
        if local:
            self._show_problems((), local)
            return
        now = now_of(self)
        write(self, lambda desk: desk.save_agent(data, now))

    @on(Written)
    def _saved(self, message: Written[AgentView]) -> None:
        announce_write(self, message.revision)
        self.dismiss(message.result)

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self._show_problems(message.lines("agent"), {})

    def _show_problems(self, problems: tuple[str, ...], local: dict[str, str]) -> None:
        fields = self._fields()
        by_field, rest = problems_by_field(problems, fields)
        by_field.update({key: [message] for key, message in local.items()})
        for key, field in fields.items():
            field.show_errors(by_field.get(key, ()))
        banner = self.query_one("#agent-problems", Static)
        banner.update("\n".join(rest))
        banner.set_class(bool(rest), "-shown")
        first = next((field for key, field in fields.items() if key in by_field), None)
        if first is not None:
            first.control.focus()
            self.query_one(VerticalScroll).scroll_to_widget(first, animate=False)
        self.notify("Not saved: fix the marked fields.", severity="warning")

    @on(Input.Changed, "PriceInput")
    def _price_typed(self, event: Input.Changed) -> None:
        assert isinstance(event.input, PriceInput)
        for field in self._fields().values():
            if field.control is event.input:
                field.set_hint(event.input.understood())

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Closes without saving."""
        self.dismiss(None)
