"""The desk's settings: defaults, validation, and the text form `settings set` takes.

Keys are the contract's (`weights.territory`, `acceptance_window_minutes`, …).
Each is stored as JSON under its key; a missing key means its default, so a
new setting never needs a migration.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo

from ..rules.business_time import add_business_time
from ..rules.errors import InvalidInput, cut, echo
from ..rules.schedule import WeeklySchedule, parse_schedule
from ..rules.text import checked_text
from ..rules.timefmt import day_problem
from ..rules.vocabulary import DEFAULT_MODES, one_of
from . import endpoints

WARM_TRANSFER_NAMED_MAX = 2
"""Warm-transfer agents a desk names; with the fallback agent, three are alerted."""
WEIGHT_KEYS = ("territory", "price", "capacity", "history", "property_type")
WEIGHT_MAX = 1000
"""The largest weight: far above any useful ratio, and five of them add up to a finite sum
(two weights of 1e308 made the sum infinite and every score NaN)."""
DEFAULT_SENDER = "referral-desk@localhost"
"""The From of the desk's email until `smtp_from` is set (only the file channel uses it)."""


class DeskSettings(BaseModel):
    """Every setting of a desk, with its default."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    timezone: str = "America/Chicago"
    """IANA zone of the desk: business days, on-duty hours and typed dates use it."""
    acceptance_window_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    """How long an agent has to answer an offer."""
    weight_territory: float = Field(
        default=40, ge=0, le=WEIGHT_MAX, allow_inf_nan=False, alias="weights.territory"
    )
    """Weight of the territory match (ZIP 1.0, metro only 0.6)."""
    weight_price: float = Field(
        default=25, ge=0, le=WEIGHT_MAX, allow_inf_nan=False, alias="weights.price"
    )
    """Weight of the overlap of the client's band with the agent's sweet spot."""
    weight_capacity: float = Field(
        default=20, ge=0, le=WEIGHT_MAX, allow_inf_nan=False, alias="weights.capacity"
    )
    """Weight of the agent's free slots."""
    weight_history: float = Field(
        default=10, ge=0, le=WEIGHT_MAX, allow_inf_nan=False, alias="weights.history"
    )
    """Weight of the agent's accept rate and response speed."""
    weight_property_type: float = Field(
        default=5, ge=0, le=WEIGHT_MAX, allow_inf_nan=False, alias="weights.property_type"
    )
    """Weight of serving the referral's property type."""
    default_mode: str = "best_fit"
    """Routing mode for an intake that names none."""
    broadcast_size: int = Field(default=10, ge=1, le=500)
    """How many agents a broadcast offers the referral to at once (plus the fallback)."""
    fallback_agent_id: str | None = None
    """The agent offered a referral when nobody eligible is left."""
    card_practice: bool = False
    """Whether the agent sends handwritten cards (adds a card task to each intake)."""
    holidays: tuple[date, ...] = ()
    """Days that are not business days, in the desk's time zone."""
    agent_name: str = Field(default="", max_length=200)
    """Whose voice thank-you drafts are written in."""
    max_offers_before_fallback: int = Field(default=5, ge=1, le=100)
    """Sequential offers made before the fallback agent gets the referral."""
    business_hours: str = "mon-fri 08:00-18:00"
    """The desk's business hours (cards, paused windows)."""
    routing_enabled: bool = True
    """Whether intake routes at once; when false, referrals wait as `new` with no offer,
    and turning it back on routes every one of them, oldest first."""
    isa_agent_id: str | None = None
    """The inside sales agent (a team member): an `isa` referral waits with them,
    qualifying, until they hand it off (`handoff`)."""
    warm_transfer_agent_ids: str = Field(default="", max_length=200)
    """Agents alerted at once when a client is on the line (`;`-separated, at most two;
    the fallback agent is always alerted too), whatever market they cover."""
    warm_transfer_window_minutes: int = Field(default=2, ge=1, le=60)
    """How long a warm transfer's agents have to claim the call."""
    prefer_previous_agent: bool = True
    """Whether a returning source's referral is offered first to the agent who took its
    last one, when that agent is eligible now (sequential modes)."""
    pause_outside_business_hours: bool = False
    """Whether acceptance windows count down only during business hours."""
    team_lead_email: str = Field(default="", max_length=320)
    """Where reassignment and flag notices go (empty: they are not sent)."""
    bookkeeper_email: str = Field(default="", max_length=320)
    """Where the notice of a payable fee falling due goes (empty: not sent)."""
    outbox_dir: str = Field(default="", max_length=1000)
    """Folder for the file channel's .eml files (empty: beside the database); an absolute
    path, resolved when it is set."""
    templates_dir: str = Field(default="", max_length=1000)
    """Folder of message templates that override the packaged ones (empty: none); an
    absolute path, resolved when it is set."""
    smtp_host: str = Field(default="", max_length=255)
    """SMTP server for email (empty: email goes to the outbox folder as .eml files)."""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    """SMTP port."""
    smtp_starttls: bool = True
    """Whether to upgrade the SMTP connection with STARTTLS."""
    smtp_username: str = Field(default="", max_length=320)
    """SMTP login (the password comes from REFERRAL_DESK_SMTP_PASSWORD)."""
    smtp_from: str = Field(default=DEFAULT_SENDER, max_length=320)
    """The From address of email the desk sends."""
    webhook_url: str = Field(default="", max_length=1000)
    """URL that receives SMS messages as JSON (empty: they go to the outbox folder)."""
    delivery_max_attempts: int = Field(default=8, ge=1, le=50)
    """Tries before a message is marked failed and a flag raised."""
    crm_webhook_url: str = Field(default="", max_length=1000)
    """URL that hears every event of every referral as signed JSON (empty: none)."""
    public_url: str = Field(default="", max_length=200)
    """Where partners reach `referral-desk serve`: offer links start with it (empty:
    messages carry no links)."""

    @field_validator("team_lead_email", "bookkeeper_email")
    @classmethod
    def _address(cls, value: str) -> str:
        from .schemas import normalize_email

        return normalize_email(value)

    @field_validator("smtp_from")
    @classmethod
    def _sender(cls, value: str) -> str:
        from .schemas import normalize_email

        value = value.strip()
        if value == DEFAULT_SENDER:
            return value
        if not value:
            raise ValueError("must be an email address (the From of every email the desk sends)")
        return normalize_email(value)

    @field_validator("webhook_url", "crm_webhook_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return endpoints.web_url(value)

    @field_validator("public_url")
    @classmethod
    def _public(cls, value: str) -> str:
        return endpoints.public_url(value)

    @field_validator("smtp_host")
    @classmethod
    def _host(cls, value: str) -> str:
        return endpoints.host_name(value)

    @field_validator("smtp_username")
    @classmethod
    def _login(cls, value: str) -> str:
        return endpoints.login(value)

    @field_validator("outbox_dir", "templates_dir")
    @classmethod
    def _folder(cls, value: str) -> str:
        return endpoints.absolute_path(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {echo(value)}") from None
        return value

    @field_validator("holidays")
    @classmethod
    def _holidays_in_years(cls, value: tuple[date, ...]) -> tuple[date, ...]:
        for day in value:
            problem = day_problem(day)
            if problem:
                raise ValueError(problem)
        return value

    @field_validator("default_mode")
    @classmethod
    def _known_mode(cls, value: str) -> str:
        if value not in DEFAULT_MODES:
            raise ValueError(f"must be {one_of(DEFAULT_MODES)}")
        return value

    @field_validator("warm_transfer_agent_ids")
    @classmethod
    def _warm_agents(cls, value: str) -> str:
        ids = list(dict.fromkeys(part.strip() for part in value.split(";") if part.strip()))
        if len(ids) > WARM_TRANSFER_NAMED_MAX:
            raise ValueError(
                f"at most {WARM_TRANSFER_NAMED_MAX} agents (got {len(ids)}); "
                "the fallback agent is always alerted too"
            )
        return ";".join(ids)

    @property
    def warm_transfer_ids(self) -> tuple[str, ...]:
        """The named warm-transfer agents, then the fallback agent (each once)."""
        named = [part for part in self.warm_transfer_agent_ids.split(";") if part]
        if self.fallback_agent_id is not None:
            named.append(self.fallback_agent_id)
        return tuple(dict.fromkeys(named))

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        schedule = parse_schedule(value)
        if schedule.is_empty():
            raise ValueError("must name at least one day with hours")
        return schedule.format()

    @property
    def zone(self) -> ZoneInfo:
        """The desk's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def business_schedule(self) -> WeeklySchedule:
        """The business hours, parsed."""
        return parse_schedule(self.business_hours)

    def offer_window_end(self, offered_at: datetime) -> datetime:
        """When an offer made at `offered_at` stops taking answers: the acceptance window
        later, counting only business hours when windows pause outside them."""
        window = timedelta(minutes=self.acceptance_window_minutes)
        if not self.pause_outside_business_hours:
            return offered_at + window
        return add_business_time(
            offered_at, window, self.business_schedule, self.zone, frozenset(self.holidays)
        )

    @property
    def weights(self) -> dict[str, float]:
        """The five routing weights by dimension name."""
        return {key: getattr(self, f"weight_{key}") for key in WEIGHT_KEYS}

    def as_contract(self) -> dict[str, Any]:
        """Every setting under its contract key, JSON-ready."""
        values = self.model_dump(by_alias=True, mode="json")
        values["holidays"] = ";".join(day.isoformat() for day in self.holidays)
        return values


FOLDER_KEYS = ("outbox_dir", "templates_dir")
"""Settings naming a folder; `~` in them means a home folder."""

SETTING_KEYS: tuple[str, ...] = tuple(
    (field.alias or name) for name, field in DeskSettings.model_fields.items()
)
_FIELDS: dict[str, FieldInfo] = {
    (field.alias or name): field for name, field in DeskSettings.model_fields.items()
}


def _parse_text(key: str, text: str) -> Any:
    """Turns the text a user typed for a key into the value the model validates."""
    text = text.strip()
    if key == "holidays":
        return [part.strip() for part in text.split(";") if part.strip()]
    if key in ("fallback_agent_id", "isa_agent_id"):
        return text or None
    if key.startswith("weights."):
        try:
            return float(Decimal(text)) + 0.0  # `-0` is stored as 0
        except InvalidOperation:
            raise ValueError(f"not a number ({echo(text)})") from None
    return text


def validated(stored: dict[str, Any]) -> DeskSettings:
    """Builds settings from stored values, raising `InvalidInput` naming each bad key."""
    try:
        settings = DeskSettings.model_validate(stored)
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            key = str(item["loc"][0]) if item["loc"] else "settings"
            field = _FIELDS.get(key)
            if key in DeskSettings.model_fields:  # validated by its name, not its key
                field = DeskSettings.model_fields[key]
                key = field.alias or key
            problems.append(f"{key}: {_message(item, field)}")
        raise InvalidInput(problems) from None
    if sum(settings.weights.values()) <= 0:
        raise InvalidInput(["weights: must not all be zero (the score divides by their sum)"])
    return settings


_OUT_OF_RANGE = frozenset(
    {"greater_than_equal", "less_than_equal", "finite_number", "greater_than", "less_than"}
)


def _message(item: Any, field: FieldInfo | None) -> str:
    """The text after the key: a number out of range says the range and what it got."""
    if item["type"] in _OUT_OF_RANGE and field is not None:
        low = next((rule.ge for rule in field.metadata if isinstance(rule, Ge)), None)
        high = next((rule.le for rule in field.metadata if isinstance(rule, Le)), None)
        if low is not None and high is not None:
            return f"must be from {low} to {high} (got {str(item['input'])[:40]})"
    message = str(item["msg"]).removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def with_setting(current: DeskSettings, key: str, text: str) -> tuple[DeskSettings, Any]:
    """The settings after `settings set KEY TEXT`, and the JSON value to store.

    Every setting is one line of text as typed, and passes the free-text rule
    (`text.py`) first: `agent_name` signs thank-you drafts, `smtp_from` becomes an
    email header, paths and URLs are printed by `settings`. Stored settings are
    not checked again when they are read, so a desk with older values still opens.
    """
    if key not in SETTING_KEYS:
        raise InvalidInput([f"{cut(key)}: unknown setting (known: {', '.join(SETTING_KEYS)})"])
    text = checked_text(key, text)
    try:
        value = _parse_text(key, text)
    except ValueError as error:
        raise InvalidInput([f"{key}: {error}"]) from None
    values = current.model_dump(by_alias=True, mode="json")
    values[key] = value
    try:
        updated = validated(values)
    except InvalidInput as error:
        if key.startswith("weights.") and error.problems[0].startswith("weights:"):
            raise InvalidInput([f"{key}: {error.problems[0].split(': ', 1)[1]}"]) from None
        raise
    if key in FOLDER_KEYS and updated.as_contract()[key]:
        try:  # checked when set, so delivery and drafting never meet it
            Path(updated.as_contract()[key]).expanduser()
        except RuntimeError:
            raise InvalidInput([f"{key}: {echo(text)} names the home of an unknown user"]) from None
    stored = updated.as_contract()[key]
    return updated, stored


def load(rows: dict[str, str]) -> DeskSettings:
    """Settings from the stored `key → JSON text` rows (see `loaded`)."""
    return loaded(rows)[0]


def loaded(rows: dict[str, str]) -> tuple[DeskSettings, tuple[str, ...]]:
    """Settings from the stored rows, and a line for each stored value set aside.

    A stored value today's rules refuse (set under looser rules by an older desk, or
    written into the table by hand) gives way to its default instead of failing
    every command: failing would stop `settings set` too, the one way to fix it.
    """
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, text in rows.items():
        if key not in SETTING_KEYS:
            continue
        try:
            values[key] = json.loads(text)
        except ValueError:
            problems.append(f"{key}: the stored value is not JSON; the default is used")
    if isinstance(values.get("holidays"), str):
        values["holidays"] = [part for part in values["holidays"].split(";") if part]
    try:
        return validated(values), tuple(problems)
    except InvalidInput:
        pass
    kept: dict[str, Any] = {}
    for key, value in values.items():
        try:
            validated({key: value})
        except InvalidInput as error:
            reason = "; ".join(problem.split(": ", 1)[-1] for problem in error.problems)
            problems.append(
                f"{key}: the stored {str(value)[:60]!r} is refused ({reason}); "
                "the default is used until it is set again"
            )
        else:
            kept[key] = value
    try:
        return validated(kept), tuple(problems)
    except InvalidInput:  # each weight passes alone, but together they add up to zero
        problems.append("weights: the stored weights add up to zero; the defaults are used")
        kept = {key: value for key, value in kept.items() if not key.startswith("weights.")}
        return validated(kept), tuple(problems)
