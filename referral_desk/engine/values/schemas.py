"""Validation of what comes in: intake objects and roster rows.

Every problem becomes `key: message`, where `key` is the field as the user
typed it (`source.email`, `price_min`), so a script or a form can point at the
field. Nothing reaches the database before its whole input has passed here.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from ..rules.errors import InvalidInput, cut, echo
from ..rules.schedule import parse_schedule
from ..rules.text import clean_text, text_problem
from ..rules.timefmt import day_problem, moment_problem
from ..rules.vocabulary import (
    AGENT_KINDS,
    AGENT_SIDES,
    CHANNELS,
    MODES,
    PROPERTY_TYPES,
    SIDES,
    SOURCE_TYPES,
    one_of,
)

NAME_MAX = 100
TEXT_MAX = 200
TIMELINE_MAX = 500
NOTES_MAX = 5000
ZIP_LENGTH = 5
PRICE_LIMIT = 10_000_000_000
"""Ten billion dollars: above any real price, and far inside a 64-bit database integer."""


def _text(limit: int, required: bool = False, multiline: bool = False) -> Any:
    """A trimmed string of at most `limit` characters that passes the free-text rule
    (`text.py`: no control or invisible formatting characters, one line unless
    `multiline`)."""

    def check(value: str) -> str:
        return clean_text(value, multiline=multiline, max_length=limit, required=required)

    return Annotated[str, AfterValidator(check)]


def _one_line(value: str) -> str:
    """The free-text rule for a field with its own format (email, phone, ZIP, a choice,
    a schedule), run before that format's check, so a control character is named as
    one whatever the field."""
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _choice(values: tuple[str, ...]) -> Any:
    def check(value: str) -> str:
        _one_line(value)
        cleaned = value.strip().lower()
        if cleaned not in values:
            raise ValueError(f"must be {one_of(values)} (got {echo(value)})")
        return cleaned

    return Annotated[str, AfterValidator(check)]


def normalize_email(value: str) -> str:
    """Checks an address's syntax only (the desk works offline) and normalizes it."""
    value = value.strip()
    if not value:
        return ""
    return _normalized_email(value)


@lru_cache(maxsize=4096)
def _normalized_email(value: str) -> str:
    """Kept per address: a referring party's comes back with each of its referrals,
    and checking it (IDNA rules, character by character) cost a tenth of an intake.
    Refused addresses raise each time (`lru_cache` keeps no exceptions)."""
    from email_validator import EmailNotValidError, validate_email  # loaded when needed

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(f"not a valid email address ({error})") from None


def normalize_phone(value: str) -> str:
    """Parses a phone number (US by default) and stores it as E.164."""
    value = value.strip()
    if not value:
        return ""
    import phonenumbers  # loaded when needed

    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        raise ValueError(f"not a phone number ({echo(value)})") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"not a valid phone number ({echo(value)})")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _zip(value: str) -> str:
    value = value.strip()
    if len(value) != ZIP_LENGTH or not (value.isascii() and value.isdigit()):
        raise ValueError(f"must be 5 digits (got {echo(value, 20)})")
    return value


def _not_negative(value: int) -> int:
    if value < 0:
        raise ValueError("must not be negative")
    if value > PRICE_LIMIT:
        raise ValueError(f"must be at most {PRICE_LIMIT} dollars")
    return value


def _moment_text(value: Any) -> Any:
    """A JSON time must be ISO-8601 text, never a bare number read as a Unix timestamp."""
    if value is not None and not isinstance(value, str | datetime):
        raise ValueError("must be an ISO-8601 time with a zone (e.g. 2026-11-23T14:00:00Z)")
    return value


def _in_years(value: datetime | None) -> datetime | None:
    """A time from 1900 up to 2200 (`timefmt.moment_problem`)."""
    problem = None if value is None else moment_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _day_in_years(value: date | None) -> date | None:
    """A date from 1900 to 2199: away dates may lie ahead, within reason."""
    problem = None if value is None else day_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _split_list(value: Any) -> Any:
    """Roster lists arrive `;`-separated in CSV and as lists elsewhere (the whole cell
    passes the free-text rule first: trimming its parts must not hide a line break)."""
    if isinstance(value, str):
        _one_line(value)
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def _blank_to_none(value: Any) -> Any:
    """A blank optional field is absent; blank with a line break or a control character
    is not blank, and goes on to be refused by the field's own check."""
    if isinstance(value, str) and not value.strip() and text_problem(value) is None:
        return None
    return value


Email = Annotated[str, AfterValidator(_one_line), AfterValidator(normalize_email)]
Phone = Annotated[str, AfterValidator(_one_line), AfterValidator(normalize_phone)]
Zip = Annotated[str, AfterValidator(_one_line), AfterValidator(_zip)]
Dollars = Annotated[int, AfterValidator(_not_negative)]
JsonDollars = Annotated[int, Strict(), AfterValidator(_not_negative)]
"""Whole dollars given as a JSON integer: `"400000"`, `true` or `4e5` are refused."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)


class SourceIn(_Strict):
    """The referring party as given at intake."""

    name: _text(TEXT_MAX, required=True)  # type: ignore[valid-type]
    type: _choice(SOURCE_TYPES)  # type: ignore[valid-type]
    email: Email = ""
    phone: Phone = ""
    brokerage: _text(TEXT_MAX) = ""  # type: ignore[valid-type]
    gift_policy: _choice(("gifts", "no_gifts")) = "gifts"  # type: ignore[valid-type]


class IntakeIn(_Strict):
    """One referral as a VA or a script hands it to the desk."""

    client_first_name: _text(NAME_MAX, required=True)  # type: ignore[valid-type]
    client_last_name: _text(NAME_MAX) = ""  # type: ignore[valid-type]
    client_email: Email = ""
    client_phone: Phone = ""
    side: _choice(SIDES)  # type: ignore[valid-type]
    metro: _text(NAME_MAX, required=True)  # type: ignore[valid-type]
    zip: Annotated[Zip | None, BeforeValidator(_blank_to_none)] = None
    price_min: JsonDollars
    price_max: JsonDollars
    property_type: _choice(PROPERTY_TYPES) = "residential"  # type: ignore[valid-type]
    timeline: _text(TIMELINE_MAX) = ""  # type: ignore[valid-type]
    notes: _text(NOTES_MAX, multiline=True) = ""  # type: ignore[valid-type]
    source: SourceIn
    mode: Annotated[_choice(MODES) | None, BeforeValidator(_blank_to_none)] = None  # type: ignore[valid-type]
    agent_id: Annotated[_text(64) | None, BeforeValidator(_blank_to_none)] = None  # type: ignore[valid-type]
    network: Annotated[_text(NAME_MAX) | None, BeforeValidator(_blank_to_none)] = None  # type: ignore[valid-type]
    received_at: Annotated[
        AwareDatetime | None, BeforeValidator(_moment_text), AfterValidator(_in_years)
    ] = None

    @model_validator(mode="after")
    def _band_and_mode(self) -> IntakeIn:
        if self.price_min > self.price_max:
            raise _FieldProblem("price_min", "must not exceed price_max")
        if self.mode == "private" and not self.agent_id:
            raise _FieldProblem("agent_id", "is required for private mode")
        return self


class AgentIn(_Strict):
    """One agent of the roster: a CSV row, or the roster form."""

    id: _text(64, required=True)  # type: ignore[valid-type]
    name: _text(TEXT_MAX, required=True)  # type: ignore[valid-type]
    kind: _choice(AGENT_KINDS) = "partner"  # type: ignore[valid-type]
    brokerage: _text(TEXT_MAX) = ""  # type: ignore[valid-type]
    email: Email = ""
    phone: Phone = ""
    preferred_channel: _choice(CHANNELS) = "email"  # type: ignore[valid-type]
    metros: Annotated[list[_text(NAME_MAX, required=True)], BeforeValidator(_split_list)]  # type: ignore[valid-type]
    zips: Annotated[list[Zip], BeforeValidator(_split_list)] = Field(default_factory=list)
    sides: _choice(AGENT_SIDES) = "both"  # type: ignore[valid-type]
    price_min: Dollars = 0
    price_max: Dollars
    property_types: Annotated[
        list[_choice(PROPERTY_TYPES)],  # type: ignore[valid-type]
        BeforeValidator(_split_list),
    ] = Field(default_factory=lambda: ["residential"])
    capacity: Annotated[int, Field(ge=0, le=1000)] = 3
    active: bool = True
    away_from: Annotated[
        date | None, BeforeValidator(_blank_to_none), AfterValidator(_day_in_years)
    ] = None
    away_until: Annotated[
        date | None, BeforeValidator(_blank_to_none), AfterValidator(_day_in_years)
    ] = None
    on_duty: _text(500) = ""  # type: ignore[valid-type]
    weight: Annotated[
        int, BeforeValidator(lambda v: _blank_to_none(v) or 1), Field(ge=1, le=100)
    ] = 1
    network: Annotated[_text(NAME_MAX) | None, BeforeValidator(_blank_to_none)] = None  # type: ignore[valid-type]

    @field_validator("id")
    @classmethod
    def _id_characters(cls, value: str) -> str:
        if not all(ch.isalnum() or ch in "-_." for ch in value):
            raise ValueError("may hold only letters, digits, '-', '_' and '.'")
        return value

    @field_validator("metros")
    @classmethod
    def _some_metro(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("must name at least one metro")
        return value

    @field_validator("on_duty")
    @classmethod
    def _schedule(cls, value: str) -> str:
        canonical = parse_schedule(value).format() if value else ""
        if len(canonical) > 500:  # `9:00` is stored as `09:00`: it can outgrow the column
            raise ValueError("must be at most 500 characters once written out in full")
        return canonical

    @model_validator(mode="after")
    def _ranges(self) -> AgentIn:
        if self.price_min > self.price_max:
            raise _FieldProblem("price_min", "must not exceed price_max")
        if self.away_from and self.away_until and self.away_from > self.away_until:
            raise _FieldProblem("away_from", "must not be after away_until")
        return self


class _FieldProblem(ValueError):
    """A cross-field rule broken, reported under the field a user should fix."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def problems_of(error: ValidationError, prefix: str = "") -> list[str]:
    """Turns pydantic's errors into `key: message` lines a user can act on."""
    problems: list[str] = []
    for item in error.errors(include_url=False):
        location = [str(part) for part in item["loc"]]
        message = item["msg"]
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, _FieldProblem):
            location = [*location, cause.field]
            message = str(cause)
        elif item["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        elif item["type"] == "missing":
            message = "is required"
        elif item["type"] == "extra_forbidden":
            message = "is not a known field"
        elif item["type"] == "timezone_aware":
            message = "must include a time zone (e.g. 2026-11-23T14:00:00Z)"
        else:
            message = message[:1].lower() + message[1:]
        key = ".".join(cut(part) for part in location if not part.isdigit()) or "input"
        problems.append(f"{prefix}{key}: {message}")
    return problems


def parse_intake(payload: Any) -> IntakeIn:
    """Validates one intake object, raising `InvalidInput` with every problem."""
    if not isinstance(payload, dict):
        raise InvalidInput(["input: must be a JSON object (or a list of them)"])
    try:
        return IntakeIn.model_validate(payload)
    except ValidationError as error:
        raise InvalidInput(problems_of(error)) from None


def parse_agent(row: dict[str, Any], prefix: str = "") -> AgentIn:
    """Validates one roster row, raising `InvalidInput` naming every bad field."""
    try:
        return AgentIn.model_validate(row)
    except ValidationError as error:
        raise InvalidInput(problems_of(error, prefix)) from None


def intake_json_schema(ref_template: str = "#/$defs/{model}") -> dict[str, Any]:
    """The JSON Schema of one intake object (what `intake` and the intake API take),
    as pydantic derives it from `IntakeIn`: the API's description is built from it
    (with `ref_template` pointing where its nested definitions will live)."""
    return IntakeIn.model_json_schema(by_alias=True, ref_template=ref_template)
