"""The intake form: every field of the contract's intake object, with its errors.

The screen around it handles keys, workers and the result; this widget knows
the fields — how to read them into the engine's intake dict (prices typed as
`400K` become whole dollars, a typed time is read in the desk's zone), how to
put each engine problem under its field, whether anything has been typed, and
how to pick the referring party from those the desk already knows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input, Select, Static, TextArea

from ..engine import MODES, PROPERTY_TYPES, SIDES, SOURCE_TYPES, AgentView, SourceView
from .form_field import FormField, problems_by_field
from .plain import plain
from .price_input import PriceError, PriceInput, parse_price

__all__ = ["IntakeForm", "parse_local_moment"]

MODE_LABELS = {
    "best_fit": "best fit",
    "round_robin": "round robin",
    "on_duty": "on duty",
    "broadcast": "broadcast (first to claim)",
    "network": "network (pick from interested)",
    "private": "private (one chosen agent)",
    "isa": "inside sales agent (qualify first)",
    "warm_transfer": "warm transfer (client on the line now)",
    "open": "open (every agent in the market, pick from interested)",
}
GIFT_POLICIES = (("accepts gifts", "gifts"), ("no gifts (donate instead)", "no_gifts"))
PRICE_KEYS = ("price_min", "price_max")


def _id(key: str) -> str:
    """The widget id of a field key (`source.email` → `source-email`)."""
    return key.replace(".", "-").replace("_", "-")


def _choices(values: Iterable[str]) -> list[tuple[str, str]]:
    return [(value.replace("_", " "), value) for value in values]


def parse_local_moment(text: str, zone: ZoneInfo) -> str | None:
    """An ISO time typed at the desk (`2026-11-23 08:00`, desk zone unless it says
    otherwise) as the contract's UTC text; None when blank.

    Raises:
        ValueError: the text is not a time (the message goes under the field).
    """
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        moment = datetime.fromisoformat(cleaned.replace(" ", "T", 1))
    except ValueError:
        raise ValueError("not a time: type 2026-11-23 08:00 (desk time)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class IntakeForm(VerticalScroll):
    """Every intake field, grouped as a VA reads a referral: client, market, source, routing."""

    DEFAULT_CSS = """
    IntakeForm {
        padding: 0 1;
    }
    IntakeForm > .intake--section {
        color: $accent;
        text-style: bold;
        margin-top: 1;
    }
    IntakeForm > .intake--section.-first {
        margin-top: 0;
    }
    IntakeForm TextArea {
        height: 3;
    }
    IntakeForm #field-notes {
        grid-rows: 3 auto;
    }
    IntakeForm #form-problems {
        color: $error;
        display: none;
    }
    IntakeForm #form-problems.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._pristine: dict[str, Any] = {}
        self._sources: list[SourceView] = []
        self._agent_options: list[tuple[Text, str]] = []
        self._filled: dict[str, str] = {}
        """Fields filled in from a known party, so they can be taken back if the name changes."""
        self.zone = ZoneInfo("UTC")

    def compose(self) -> ComposeResult:
        yield Static("", id="form-problems", markup=False)
        yield Static("Client", classes="intake--section -first")
        yield self._field("First name", Input(), "client_first_name")
        yield self._field("Last name", Input(), "client_last_name")
        yield self._field("Email", Input(), "client_email")
        yield self._field("Phone", Input(), "client_phone")
        yield Static("Market", classes="intake--section")
        yield self._field("Side", Select(_choices(SIDES), prompt="buyer or seller"), "side")
        yield self._field("Metro", Input(placeholder="e.g. Austin"), "metro")
        yield self._field("ZIP", Input(placeholder="5 digits, optional"), "zip")
        yield self._field("Price from", PriceInput(), "price_min")
        yield self._field("Price to", PriceInput(), "price_max")
        yield self._field(
            "Property type",
            Select(_choices(PROPERTY_TYPES), allow_blank=False, value="residential"),
            "property_type",
        )
        yield self._field("Timeline", Input(placeholder="e.g. touring this weekend"), "timeline")
        yield self._field("Notes", TextArea(), "notes")
        yield Static("Referring party", classes="intake--section")
        yield self._field(
            "Name",
            Input(placeholder="type to pick a known party (→ accepts)"),
            "source.name",
        )
        yield self._field(
            "Type", Select(_choices(SOURCE_TYPES), prompt="who sent it"), "source.type"
        )
        yield self._field("Email", Input(), "source.email")
        yield self._field("Phone", Input(), "source.phone")
        yield self._field("Brokerage", Input(placeholder="agents only"), "source.brokerage")
        yield self._field(
            "Gift policy",
            Select(GIFT_POLICIES, allow_blank=False, value="gifts"),
            "source.gift_policy",
        )
        yield Static("Routing", classes="intake--section")
        yield self._field(
            "Mode",
            Select([(MODE_LABELS[m], m) for m in MODES], allow_blank=False, value="best_fit"),
            "mode",
        )
        yield self._field("Agent", Select([], prompt="pick the agent"), "agent_id")
        yield self._field(
            "Network", Input(placeholder="blank = the group covering the market"), "network"
        )
        yield self._field(
            "Received", Input(placeholder="blank = now; or 2026-11-23 08:00"), "received_at"
        )

    def _field(self, label: str, control: Widget, key: str) -> FormField:
        control.id = _id(key)
        control.compact = True  # type: ignore[attr-defined]
        return FormField(label, control, key=key, id=f"field-{_id(key)}")

    def on_mount(self) -> None:
        self._show_mode_fields("best_fit")
        self._pristine = self.values()

    # --- reading and writing the fields -------------------------------------------

    @property
    def fields(self) -> dict[str, FormField]:
        """Each field by its engine key."""
        return {field.key: field for field in self.query(FormField).results(FormField)}

    def control(self, key: str) -> Any:
        """The control of a field (an Input, Select or TextArea)."""
        return self.query_one(f"#{_id(key)}")

    def values(self) -> dict[str, Any]:
        """What each control holds now (to tell a typed form from an untouched one)."""
        result: dict[str, Any] = {}
        for key, field in self.fields.items():
            control = field.control
            if isinstance(control, TextArea):
                result[key] = control.text
            else:
                result[key] = control.value  # type: ignore[attr-defined]
        return result

    @property
    def is_dirty(self) -> bool:
        """Whether anything was typed or picked since the form was last cleared."""
        return self.values() != self._pristine

    def _text(self, key: str) -> str:
        control = self.control(key)
        return control.text.strip() if isinstance(control, TextArea) else control.value.strip()

    def _choice(self, key: str) -> str | None:
        selection: str | None = self.control(key).selection
        return selection

    def payload(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The contract's intake dict, and problems found before asking the engine
        (a price or a time that cannot be read; the raw text still goes to the engine,
        so every other field is checked in the same pass)."""
        local: dict[str, str] = {}
        data: dict[str, Any] = {
            key: self._text(key)
            for key in (
                "client_first_name",
                "client_last_name",
                "client_email",
                "client_phone",
                "metro",
                "zip",
                "timeline",
                "notes",
            )
        }
        for key in ("side", "property_type"):
            choice = self._choice(key)
            if choice is not None:
                data[key] = choice
        for key in PRICE_KEYS:
            text = self._text(key)
            try:
                dollars = parse_price(text)
            except PriceError as error:
                local[key] = str(error)
                data[key] = text
                continue
            if dollars is not None:
                data[key] = dollars
        source: dict[str, Any] = {
            name: self._text(f"source.{name}") for name in ("name", "email", "phone", "brokerage")
        }
        source["type"] = self._choice("source.type") or ""
        source["gift_policy"] = self._choice("source.gift_policy") or "gifts"
        data["source"] = source
        mode = self._choice("mode") or "best_fit"
        data["mode"] = mode
        data["agent_id"] = self._choice("agent_id") if mode == "private" else None
        data["network"] = (self._text("network") or None) if mode == "network" else None
        try:
            received = parse_local_moment(self._text("received_at"), self.zone)
        except ValueError as error:
            local["received_at"] = str(error)
        else:
            if received is not None:
                data["received_at"] = received
        return data, local

    def show_problems(self, problems: Sequence[str], local: dict[str, str]) -> FormField | None:
        """Puts each problem under its field (local ones win); returns the first bad field."""
        fields = self.fields
        by_field, rest = problems_by_field(problems, fields, aliases={"source": "source.name"})
        for key, message in local.items():
            by_field[key] = [message]
        for key, field in fields.items():
            field.show_errors(by_field.get(key, ()))
        banner = self.query_one("#form-problems", Static)
        banner.update("\n".join(rest))
        banner.set_class(bool(rest), "-shown")
        return next((field for key, field in fields.items() if key in by_field), None)

    def clear(self, default_mode: str) -> None:
        """Empties every field for the next referral (errors too)."""
        for key, field in self.fields.items():
            control = field.control
            if isinstance(control, TextArea):
                control.clear()
            elif isinstance(control, Select):
                if key == "mode":
                    control.value = default_mode
                elif key == "property_type":
                    control.value = "residential"
                elif key == "source.gift_policy":
                    control.value = "gifts"
                else:
                    control.clear()
            elif isinstance(control, Input):
                control.value = ""
            field.clear_errors()
            field.set_hint("")
        self._filled.clear()
        self.show_problems((), {})
        self._show_mode_fields(default_mode)
        self._pristine = self.values()
        self.scroll_home(animate=False)

    # --- what the desk knows: parties, agents, the default mode -------------------

    def set_lookups(
        self, sources: list[SourceView], agents: list[AgentView], default_mode: str, zone: ZoneInfo
    ) -> None:
        """Known referring parties (suggested as you type), the roster (private mode)
        and the default mode (applied unless the mode was already changed)."""
        self._sources = sources
        self.zone = zone
        names = list(dict.fromkeys(source.name for source in sources))
        self.control("source.name").suggester = SuggestFromList(names, case_sensitive=False)
        options = [
            (plain(f"{agent.name} ({agent.id})"), agent.id) for agent in agents if agent.active
        ]
        if options != self._agent_options:  # an open picker is left alone when nothing changed
            self._agent_options = options
            agent_select = self.control("agent_id")
            chosen = agent_select.selection
            agent_select.set_options(options)
            if chosen is not None and any(agent_id == chosen for _, agent_id in options):
                agent_select.value = chosen
        mode = self.control("mode")
        if mode.value == self._pristine.get("mode", mode.value):
            mode.value = default_mode
            self._pristine["mode"] = default_mode

    def matching_sources(self, name: str) -> list[SourceView]:
        """Known parties with exactly this name (ignoring case and spacing)."""
        wanted = " ".join(name.casefold().split())
        return [s for s in self._sources if " ".join(s.name.casefold().split()) == wanted]

    @on(Input.Changed, "#source-name")
    def _source_named(self, event: Input.Changed) -> None:
        field = self.fields["source.name"]
        name = event.value.strip()
        matches = self.matching_sources(name)
        if len(matches) != 1:
            self._unfill()
        if not name:
            field.set_hint("")
        elif not matches:
            field.set_hint("new referring party (it is created on submit)")
        elif len(matches) > 1:
            kinds = ", ".join(f"{s.type} {s.email or s.id}" for s in matches)
            field.set_hint(
                f"{len(matches)} known parties with this name ({kinds}): type and email pick which"
            )
        else:
            party = matches[0]
            field.set_hint(
                f"known party {party.id} · {party.type} · {party.referral_count} referral(s)"
            )
            self._fill_from(party)

    def _fill_from(self, party: SourceView) -> None:
        """Fills the party's details into empty fields, so the desk matches it on submit."""
        self._unfill()
        if self.control("source.type").selection is None:
            self.control("source.type").value = party.type
            self._filled["source.type"] = party.type
        for name in ("email", "phone", "brokerage"):
            control = self.control(f"source.{name}")
            if not control.value.strip() and getattr(party, name):
                control.value = getattr(party, name)
                self._filled[f"source.{name}"] = control.value
        self.control("source.gift_policy").value = party.gift_policy

    def _unfill(self) -> None:
        """Takes back what `_fill_from` filled in, unless the user has changed it since."""
        for key, value in self._filled.items():
            control = self.control(key)
            if isinstance(control, Select):
                if control.selection == value:
                    control.clear()
            elif control.value == value:
                control.value = ""
        self._filled.clear()

    @on(Input.Changed, "PriceInput")
    def _price_typed(self, event: Input.Changed) -> None:
        assert isinstance(event.input, PriceInput)
        key = "price_min" if event.input.id == _id("price_min") else "price_max"
        self.fields[key].set_hint(event.input.understood())

    @on(Select.Changed, "#mode")
    def _mode_changed(self, event: Select.Changed) -> None:
        self._show_mode_fields(str(event.value))

    def _show_mode_fields(self, mode: str) -> None:
        self.query_one(f"#field-{_id('agent_id')}").display = mode == "private"
        self.query_one(f"#field-{_id('network')}").display = mode == "network"
