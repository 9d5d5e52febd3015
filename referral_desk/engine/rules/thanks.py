"""Acknowledgments to referring parties: when each is due, what to give, what to say.

Every referral source is thanked promptly: a personal thank-you within 24 hours of
receipt, a handwritten card by the end of the third business day if the agent sends
cards, and a closing recognition within a week of the closing whose form follows who
the source is (a card for everyone, a gift for past clients and sphere, a donation
for those who may not take gifts, the referral fee for agents).

Drafts are written in the agent's voice and go to the referring party, so they name
the lead by first name only. The privacy rule is enforced by the signatures: no
draft function takes the client's last name, contact details, address, ZIP, price
or status, so none can leak them.

Everything here is pure: callers pass the moments, the zone and the holidays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from .business_time import end_of_nth_business_day
from .lifecycle import InvalidFields
from .schedule import WeeklySchedule
from .timefmt import as_utc
from .vocabulary import SOURCE_TYPES, one_of


class CardCalendar(Protocol):
    """What the card's due day depends on (the desk's settings have it)."""

    @property
    def card_practice(self) -> bool: ...
    @property
    def business_schedule(self) -> WeeklySchedule: ...
    @property
    def zone(self) -> ZoneInfo: ...
    @property
    def holidays(self) -> tuple[date, ...]: ...


__all__ = [
    "CARD_BUSINESS_DAYS",
    "GIFT_POLICIES",
    "PERSONAL_THANKS_WITHIN",
    "RECOGNITION_DAYS",
    "TASK_KINDS",
    "card_draft",
    "card_due",
    "closing_recognition_due",
    "intake_due",
    "personal_thanks_due",
    "recognition_draft",
    "recognition_items",
    "recognition_suggestion",
    "thanks_draft",
]

TASK_KINDS: Final = ("personal_thanks", "card", "closing_recognition")
"""The acknowledgment tasks, as `thanks --json` names them."""

GIFT_POLICIES: Final = ("gifts", "no_gifts")
"""Whether a source may accept gifts (`no_gifts`: e.g. a CPA → a charity donation)."""

PERSONAL_THANKS_WITHIN: Final = timedelta(hours=24)
"""A personal thank-you is due 24 real hours after the referral is received."""

CARD_BUSINESS_DAYS: Final = 3
"""A handwritten card is due at the close of this business day after receipt."""

RECOGNITION_DAYS: Final = 7
"""A closing recognition is due by the end of this day after the closing."""

_END_OF_DAY: Final = time(23, 59, 59)
"""The last second of a desk-zone day (times are stored to the second)."""

_TITLES: Final = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof"})
"""Honorifics that keep the surname in a greeting: `Dr. Ann Lee` → `Dr. Lee`."""


# --- due dates ---------------------------------------------------------------------


def personal_thanks_due(received_at: datetime) -> datetime:
    """When the personal thank-you is due: 24 real hours after receipt, in UTC.

    Real hours, not wall-clock ones: across a daylight-saving change the due time
    reads an hour earlier or later on the desk's clock.
    """
    return as_utc(received_at) + PERSONAL_THANKS_WITHIN


def card_due(
    received_at: datetime,
    schedule: WeeklySchedule,
    tz: ZoneInfo,
    holidays: Iterable[date] = (),
) -> datetime:
    """When the handwritten card is due: close of business on the 3rd business day after receipt.

    Business days are desk-zone dates with business hours that are not holidays;
    the day of receipt never counts. Received Friday 16:00 in Chicago with
    `mon-fri 08:00-18:00`, the card is due Wednesday 18:00 (Thursday if Monday is
    a holiday).

    Returns:
        An aware UTC datetime.
    """
    return end_of_nth_business_day(
        received_at, CARD_BUSINESS_DAYS, schedule, tz, frozenset(holidays)
    )


def closing_recognition_due(closed_on: date, tz: ZoneInfo) -> datetime:
    """When the closing recognition is due: the end of the 7th day after the closing.

    The closing is a desk-zone date (a datetime is first read in the desk's zone),
    so the task is due at 23:59:59 desk time on that day, whatever the hour the
    status moved; in UTC that may fall on the following date.
    """
    if isinstance(closed_on, datetime):
        closed_on = as_utc(closed_on).astimezone(tz).date()
    due_day = closed_on + timedelta(days=RECOGNITION_DAYS)
    return datetime.combine(due_day, _END_OF_DAY, tzinfo=tz).astimezone(UTC)


def intake_due(received_at: datetime, settings: CardCalendar) -> dict[str, datetime]:
    """The acknowledgment tasks an intake creates, kind → due time (UTC).

    Always a personal thank-you; a card too when the desk's `card_practice` is on.
    """
    due = {"personal_thanks": personal_thanks_due(received_at)}
    if settings.card_practice:
        due["card"] = card_due(
            received_at, settings.business_schedule, settings.zone, settings.holidays
        )
    return due


# --- what to give ------------------------------------------------------------------


def _check_source(source_type: str, gift_policy: str = "gifts") -> None:
    problems: list[str] = []
    if source_type not in SOURCE_TYPES:
        problems.append(f"source_type: must be {one_of(SOURCE_TYPES)}")
    if gift_policy not in GIFT_POLICIES:
        problems.append(f"gift_policy: must be {one_of(GIFT_POLICIES)}")
    if problems:
        raise InvalidFields(problems)


def recognition_items(source_type: str, gift_policy: str = "gifts") -> tuple[str, ...]:
    """What a closing recognition consists of: `card`, `gift`, `donation`, `fee`.

    A card for everyone; a gift as well for past clients and sphere; a charity
    donation instead for clients, sphere and professionals who may not accept
    gifts; for agents, the referral fee (per the signed agreement) and a card.

    Raises:
        InvalidFields: for an unknown source type or gift policy.
    """
    _check_source(source_type, gift_policy)
    if source_type == "agent":
        return ("fee", "card")
    no_gifts = gift_policy == "no_gifts"
    if source_type in ("client", "sphere"):
        return ("card", "donation") if no_gifts else ("card", "gift")
    return ("card", "donation") if no_gifts else ("card",)


_ITEM_TEXT: Final = {
    "card": "a handwritten card",
    "gift": "a thoughtful gift",
    "donation": "a charity donation in their name (they cannot accept gifts)",
    "fee": "the referral fee (per the signed agreement)",
}


def recognition_suggestion(source_type: str, gift_policy: str = "gifts") -> str:
    """The closing recognition to suggest, as one sentence for the task list.

    e.g. `Send a handwritten card and a thoughtful gift.` for a past client.
    """
    items = [_ITEM_TEXT[item] for item in recognition_items(source_type, gift_policy)]
    joined = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return f"Send {joined}."


# --- drafts in the agent's voice ---------------------------------------------------


@dataclass(frozen=True)
class _Voice:
    """First person singular for a named agent, plural when the team signs."""

    sign: str
    i: str
    me: str
    my: str
    ill: str
    im: str
    ive: str

    @classmethod
    def of(cls, agent_name: str) -> _Voice:
        name = _tidy(agent_name)
        if name:
            return cls(name, "I", "me", "my", "I'll", "I'm", "I've")
        return cls("the team", "we", "us", "our", "we'll", "we're", "we've")

    def fill(self, template: str, **names: str) -> str:
        return template.format(
            I=self.i[:1].upper() + self.i[1:],
            i=self.i,
            me=self.me,
            my=self.my,
            Ill=self.ill[:1].upper() + self.ill[1:],
            ill=self.ill,
            Im=self.im[:1].upper() + self.im[1:],
            Ive=self.ive[:1].upper() + self.ive[1:],
            ive=self.ive,
            sign=self.sign,
            **names,
        )


def _tidy(text: str | None) -> str:
    """Trims and collapses whitespace, so a name reads cleanly in a sentence."""
    return " ".join((text or "").split())


def _greeting(source_name: str) -> str:
    """How to greet the referring party: their first name, `Dr. Lee`, or `there`."""
    words = _tidy(source_name).split(" ")
    if not words[0]:
        return "there"
    if words[0].rstrip(".").casefold() in _TITLES and len(words) > 1:
        return f"{words[0]} {words[-1]}"
    return words[0]


def _lead(lead_first_name: str, source_type: str) -> str:
    """The lead by first name, or a kind placeholder when the first name is missing."""
    name = _tidy(lead_first_name)
    if name:
        return name
    return "your friend" if source_type in ("client", "sphere") else "your client"


_THANKS: Final = {
    "client": (
        "Hi {source}, thank you so much for thinking of {me} and introducing {lead}. "
        "It means a great deal that you'd trust {me} with someone you care about, "
        "and {ill} take wonderful care of them. — {sign}"
    ),
    "sphere": (
        "Hi {source}, thank you so much for introducing {lead} to {me}! "
        "Referrals from friends like you are the nicest compliment {i} could ask for, "
        "and {ill} take great care of them. — {sign}"
    ),
    "agent": (
        "Hi {source}, thank you for referring {lead} to {me}. "
        "{Ill} reach out right away and take great care of your client, "
        "and {i} really appreciate your trust. — {sign}"
    ),
    "professional": (
        "Hi {source}, thank you for connecting {me} with {lead}. "
        "{I} appreciate you thinking of {me}, and {ill} make sure they are well looked after. "
        "— {sign}"
    ),
}

_CARDS: Final = {
    "client": (
        "Dear {source}, thank you for introducing {me} to {lead}. "
        "Your trust means the world to {me}, and a referral from you is the greatest "
        "compliment {i} could receive. With gratitude, {sign}"
    ),
    "sphere": (
        "Dear {source}, thank you for introducing {me} to {lead}. "
        "{Im} so grateful to have friends like you in {my} corner. With gratitude, {sign}"
    ),
    "agent": (
        "Dear {source}, thank you for sending {lead} {my} way. "
        "{I} value the trust you've placed in {me} and look forward to partnering "
        "with you again. With gratitude, {sign}"
    ),
    "professional": (
        "Dear {source}, thank you for introducing {me} to {lead}. "
        "{I} truly value our relationship and your confidence in {me}. "
        "With gratitude, {sign}"
    ),
}

_RECOGNITIONS: Final = {
    "client": (
        "Hi {source}, thank you again for introducing {me} to {lead}. "
        "Referrals from people like you are what {my} business is built on. {thanks} "
        "— {sign}"
    ),
    "sphere": (
        "Hi {source}, thank you again for introducing {me} to {lead}. "
        "{Im} lucky to have friends like you. {thanks} — {sign}"
    ),
    "agent": (
        "Hi {source}, thank you again for referring {lead} to {me}. "
        "{I} truly appreciate the partnership, and {my} office will be in touch about "
        "the referral fee as agreed. — {sign}"
    ),
    "professional": (
        "Hi {source}, thank you again for connecting {me} with {lead}. "
        "{I} value our relationship and look forward to returning the favor. {thanks} "
        "— {sign}"
    ),
}

_GIFT_LINE: Final = "A small gift is on its way to say thank you."
_DONATION_LINE: Final = "To say thank you, {ive} made a donation to charity in your honor."


def thanks_draft(agent_name: str, source_name: str, source_type: str, lead_first_name: str) -> str:
    """The personal thank-you (text, email or call notes), due within 24 hours of receipt.

    e.g. `Hi John, thank you for referring Maria to me. … — Priya`. Signed by the
    agent as named in the `agent_name` setting, or by "the team" (speaking as
    "we") when it is empty.

    Raises:
        InvalidFields: for an unknown source type.
    """
    _check_source(source_type)
    return _Voice.of(agent_name).fill(
        _THANKS[source_type],
        source=_greeting(source_name),
        lead=_lead(lead_first_name, source_type),
    )


def card_draft(agent_name: str, source_name: str, source_type: str, lead_first_name: str) -> str:
    """The words for the handwritten card, due by the third business day.

    Raises:
        InvalidFields: for an unknown source type.
    """
    _check_source(source_type)
    return _Voice.of(agent_name).fill(
        _CARDS[source_type],
        source=_greeting(source_name),
        lead=_lead(lead_first_name, source_type),
    )


def recognition_draft(
    agent_name: str,
    source_name: str,
    source_type: str,
    lead_first_name: str,
    gift_policy: str = "gifts",
) -> str:
    """The note that goes with the closing recognition, due within a week of the closing.

    It thanks the source again without saying anything about the client's
    transaction; it mentions the gift or the donation that `recognition_items`
    suggests, and for an agent the referral fee (never its amount).

    Raises:
        InvalidFields: for an unknown source type or gift policy.
    """
    voice = _Voice.of(agent_name)
    items = recognition_items(source_type, gift_policy)
    if "gift" in items:
        thanks = _GIFT_LINE
    elif "donation" in items:
        thanks = voice.fill(_DONATION_LINE)
    else:
        thanks = ""
    text = voice.fill(
        _RECOGNITIONS[source_type],
        source=_greeting(source_name),
        lead=_lead(lead_first_name, source_type),
        thanks=thanks,
    )
    return " ".join(text.split())
