"""Settings: how the desk routes, when it works, and whose voice it thanks in.

Every value goes through the engine's own validation (`set_setting`, the
same as `settings set KEY VALUE`), one key at a time, so a refused value is
shown under its field while the others are saved. The routing weights show
each one's share of the total as you type: the score divides by their sum,
so a share says more than the raw number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import ClassVar
from zoneinfo import available_timezones

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static, Switch
from textual.widgets.select import InvalidSelectValueError

from ..engine import DEFAULT_MODES, WEIGHT_KEYS, AgentView, Desk, DeskSettings
from ..widgets.desk_footer import DeskFooter
from ..widgets.desk_header import DeskHeader
from ..widgets.form_field import FormField
from ..widgets.plain import plain
from ..widgets.score import score_bar
from .base import DeskScreen
from .common import announce_write
from .writing import Refused, Written, attempt_each, write, writing

__all__ = ["SettingsScreen", "weight_shares"]

SEQUENTIAL_DEFAULTS = DEFAULT_MODES
WEIGHT_LABELS = {
    "territory": "Territory",
    "price": "Price",
    "capacity": "Capacity",
    "history": "History",
    "property_type": "Property type",
}
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("routing_enabled", "Routing on", "off: take referrals in and hold them as new"),
    ("acceptance_window_minutes", "Window (min)", "minutes an agent has to answer an offer"),
    ("default_mode", "Default mode", "routing mode when an intake names none"),
    ("broadcast_size", "Broadcast size", "agents a broadcast goes to at once (plus fallback)"),
    ("max_offers_before_fallback", "Max offers", "sequential offers before the fallback agent"),
    ("prefer_previous_agent", "Previous agent", "returning sources go to their last agent first"),
    ("fallback_agent_id", "Fallback agent", "offered when nobody eligible is left"),
    ("isa_agent_id", "Inside sales", "a team member who qualifies isa referrals first"),
    (
        "warm_transfer_agent_ids",
        "Warm transfer",
        "up to two agents alerted with the fallback: P-ATX-01;T-HQ-01",
    ),
    ("warm_transfer_window_minutes", "Warm window", "minutes to claim a client on the line"),
    ("timezone", "Time zone", "IANA zone of the desk, e.g. America/Chicago"),
    ("business_hours", "Business hours", "e.g. mon-fri 08:00-18:00;sat 10:00-14:00"),
    ("holidays", "Holidays", "not business days: 2026-12-25;2027-01-01"),
    (
        "pause_outside_business_hours",
        "Pause off-hours",
        "acceptance windows count down only in business hours",
    ),
    ("card_practice", "Card practice", "add a handwritten-card task to each intake"),
    ("agent_name", "Agent name", "whose voice the thank-you drafts use"),
)
AGENT_SELECTS = {"fallback_agent_id": ("partner", "team"), "isa_agent_id": ("team",)}
"""Settings that name one agent, and the kinds of agent each may name."""
SWITCHES = frozenset(
    {"card_practice", "pause_outside_business_hours", "routing_enabled", "prefer_previous_agent"}
)
SECTIONS = {
    "routing_enabled": "Routing",
    "timezone": "Time and business days",
    "card_practice": "Thank-yous",
}


def _text(value: object) -> str:
    """A stored setting as the text its field holds (`40.0` reads as `40`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def weight_shares(texts: dict[str, str]) -> dict[str, float | None]:
    """Each weight's share of the total from what is typed (None where it is not a number)."""
    numbers: dict[str, float | None] = {}
    for key, text in texts.items():
        try:
            value = float(text)
        except ValueError:
            value = None
        numbers[key] = value if value is not None and value >= 0 else None
    total = sum(value for value in numbers.values() if value is not None)
    return {
        key: (value / total if total > 0 else 0.0) if value is not None else None
        for key, value in numbers.items()
    }


@dataclass(frozen=True)
class _SaveOutcome:
    """What a save did, key by key, and what the desk holds after it."""

    saved: list[str]
    """The keys stored."""
    refused: dict[str, list[str]]
    """The keys refused, each with the engine's messages (without the key)."""
    settings: DeskSettings
    agents: list[AgentView]
    """The roster, for the fallback agent's choices."""


def _save_settings(desk: Desk, changes: list[tuple[str, str]], now: datetime) -> _SaveOutcome:
    """Saves each changed setting on its own, as `settings set KEY VALUE` would: a refused
    value keeps its text and its message while the others are saved."""
    saved, refused = attempt_each(
        {key: partial(desk.set_setting, key, text, now) for key, text in changes}
    )
    return _SaveOutcome(
        list(saved),
        {
            key: [problem.partition(": ")[2] or problem for problem in problems]
            for key, problems in refused.items()
        },
        desk.settings(),
        desk.agents(),
    )


class SettingsScreen(DeskScreen):
    """Every setting a team lead tunes, saved key by key through the engine."""

    DEFAULT_CSS = """
    SettingsScreen #settings-form {
        padding: 0 1;
        height: 1fr;
    }
    SettingsScreen .settings--section {
        color: $accent;
        text-style: bold;
        margin-top: 1;
    }
    SettingsScreen .settings--section.-first {
        margin-top: 0;
    }
    SettingsScreen FormField.settings--weight {
        grid-columns: 16 12 1fr;
    }
    SettingsScreen FormField.settings--weight > .field--aside {
        color: $accent;
    }
    SettingsScreen #settings-buttons {
        height: auto;
        padding: 0 1;
    }
    SettingsScreen #settings-buttons Button {
        margin-right: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the changed settings", id="settings.save"),
        Binding(
            "ctrl+r", "revert", "Revert", tooltip="Put back the stored values", id="settings.revert"
        ),
    ]

    @dataclass
    class Loaded(Message):
        """The stored settings and the roster (for the fallback agent)."""

        settings: DeskSettings
        agents: list[AgentView]

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.stored: dict[str, str] = {}
        """What the desk holds, as field text: a field differing from it is unsaved."""
        self._shown = False
        """Whether the first load has arrived (and the first field taken focus)."""

    def compose(self) -> ComposeResult:
        yield DeskHeader("Settings")
        with VerticalScroll(id="settings-form"):
            yield Static("Routing weights (share of the score)", classes="settings--section -first")
            for key in WEIGHT_KEYS:
                yield FormField(
                    WEIGHT_LABELS[key],
                    Input(id=f"weights-{key}", compact=True),
                    key=f"weights.{key}",
                    aside=True,
                    classes="settings--weight",
                )
            for key, label, hint in FIELDS:
                if key in SECTIONS:
                    yield Static(SECTIONS[key], classes="settings--section", markup=False)
                control = self._control(key)
                yield FormField(
                    label, control, key=key, hint=hint, aside=isinstance(control, Switch)
                )
        with Horizontal(id="settings-buttons"):
            yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
            yield Button("Revert (ctrl+r)", id="revert", compact=True)
        yield DeskFooter(compact=True)

    def _control(self, key: str) -> Widget:
        control_id = key.replace("_", "-")
        if key in SWITCHES:
            return Switch(id=control_id)
        if key == "default_mode":
            return Select(
                [(mode.replace("_", " "), mode) for mode in SEQUENTIAL_DEFAULTS],
                allow_blank=False,
                id=control_id,
                compact=True,
            )
        if key in AGENT_SELECTS:
            return Select([], prompt="none", id=control_id, compact=True)
        suggester = (
            SuggestFromList(sorted(available_timezones()), case_sensitive=False)
            if key == "timezone"
            else None
        )
        return Input(id=control_id, suggester=suggester, compact=True)

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="settings-load", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(self.Loaded(self.desk.settings(), self.desk.agents()))

    def refresh_from_desk(self) -> None:
        self._load()

    # --- fields -------------------------------------------------------------------

    @property
    def fields(self) -> dict[str, FormField]:
        """Each field by its setting key."""
        return {item.key: item for item in self.query(FormField).results(FormField)}

    def value_of(self, key: str) -> str:
        """A field's value as the text `settings set KEY VALUE` takes."""
        control = self.fields[key].control
        if isinstance(control, Switch):
            return "true" if control.value else "false"
        if isinstance(control, Select):
            return str(control.selection or "")
        assert isinstance(control, Input)
        return control.value.strip()

    def _put(self, key: str, text: str) -> None:
        control = self.fields[key].control
        if isinstance(control, Switch):
            control.value = text == "true"
            self.fields[key].set_aside("on" if control.value else "off")
        elif isinstance(control, Select):
            try:
                control.value = text if text else Select.NULL
            except InvalidSelectValueError:  # e.g. a fallback agent no longer on the roster
                control.clear()
        elif isinstance(control, Input):
            control.value = text

    def changed_keys(self) -> list[str]:
        """Settings whose field differs from what the desk holds."""
        return [key for key in self.stored if self.value_of(key) != self.stored[key]]

    def _apply(
        self, settings: DeskSettings, agents: list[AgentView] | None, keys: list[str] | None = None
    ) -> None:
        """Shows stored values: in every untouched field, or in `keys` (just saved)."""
        if agents is not None:
            for key, kinds in AGENT_SELECTS.items():
                select = self.fields[key].control
                assert isinstance(select, Select)
                chosen = select.selection
                listed = [a for a in agents if a.kind in kinds]
                select.set_options([(plain(f"{a.name} ({a.id})"), a.id) for a in listed])
                if chosen is not None and any(a.id == chosen for a in listed):
                    select.value = chosen
        values = settings.as_contract()
        for key in self.fields:
            text = _text(values.get(key))
            untouched = key not in self.stored or self.value_of(key) == self.stored[key]
            if (keys is None and untouched) or (keys is not None and key in keys):
                self._put(key, text)
            self.stored[key] = text
        self._show_shares()

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self._apply(message.settings, message.agents)
        if not self._shown:
            # Focused only once it holds its value, so typing replaces the whole of it.
            self._shown = True
            self.query_one("#weights-territory", Input).focus()

    @on(Switch.Changed)
    def _switched(self, event: Switch.Changed) -> None:
        for item in self.fields.values():
            if item.control is event.switch:
                item.set_aside("on" if event.value else "off")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("weights-"):
            self._show_shares()

    def _show_shares(self) -> None:
        fields = self.fields
        shares = weight_shares({key: self.value_of(f"weights.{key}") for key in WEIGHT_KEYS})
        for key, share in shares.items():
            aside = "not a number" if share is None else f"{share:>4.0%} {score_bar(share, 16)}"
            fields[f"weights.{key}"].set_aside(aside)

    # --- saving -------------------------------------------------------------------

    def action_save(self) -> None:
        """Saves every changed setting; a refused one keeps its text and shows why."""
        if writing(self):
            return
        changes = [(key, self.value_of(key)) for key in self.changed_keys()]
        if not changes:
            self.notify("Nothing changed.", severity="information")
            return
        now = self.now()
        write(self, lambda desk: _save_settings(desk, changes, now))

    @on(Written)
    def _saved(self, message: Written[_SaveOutcome]) -> None:
        outcome = message.result
        fields = self.fields
        for key, item in fields.items():
            if key in outcome.saved:
                item.clear_errors()
            elif key in outcome.refused:
                item.show_errors(outcome.refused[key])
        self._apply(outcome.settings, outcome.agents, keys=outcome.saved)
        if outcome.saved:
            announce_write(self, message.revision)
        if outcome.refused:
            names = ", ".join(outcome.refused)
            self.notify(
                f"Saved {len(outcome.saved)}; refused {names} (see the field).",
                title="Check the settings",
                severity="warning",
                markup=False,
            )
            fields[next(iter(outcome.refused))].control.focus()
        else:
            self.notify(f"Saved {len(outcome.saved)} setting(s).", title="Settings", markup=False)

    @on(Refused)
    def _not_saved(self, message: Refused) -> None:
        """The desk failed part way (not a refused value): say so, and show what it holds."""
        self.notify(str(message.error), title="Settings not saved", severity="error", markup=False)
        self._load()

    def action_revert(self) -> None:
        """Puts every field back to what the desk holds."""
        for key, text in self.stored.items():
            self._put(key, text)
            self.fields[key].clear_errors()
        self._show_shares()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#revert")
    def _revert_pressed(self) -> None:
        self.action_revert()
