"""Acknowledgments: due dates in the desk zone, what to give, drafts that keep clients private."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from referral_desk.engine.rules.lifecycle import InvalidFields
from referral_desk.engine.rules.schedule import parse_schedule
from referral_desk.engine.rules.thanks import (
    GIFT_POLICIES,
    card_draft,
    card_due,
    closing_recognition_due,
    intake_due,
    personal_thanks_due,
    recognition_draft,
    recognition_items,
    recognition_suggestion,
    thanks_draft,
)
from referral_desk.engine.rules.vocabulary import REFERRAL_STATUSES, SOURCE_TYPES
from referral_desk.engine.values.settings import DeskSettings

CHICAGO = ZoneInfo("America/Chicago")
BUSINESS = parse_schedule("mon-fri 08:00-18:00")


def chicago(
    year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0
) -> datetime:
    """A desk-zone wall-clock moment, as an aware datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=CHICAGO)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


FRIDAY_4PM = chicago(2026, 11, 20, 16)
"""Friday 20 November 2026, 16:00 in Chicago (22:00 UTC)."""


def is_utc(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() == timedelta(0)


# --- personal thank-you ------------------------------------------------------------


def test_personal_thanks_due_a_day_after_receipt() -> None:
    """Received Friday 16:00 desk time → personal thank-you due Saturday 16:00, stored in UTC."""
    due = personal_thanks_due(FRIDAY_4PM)
    assert due == chicago(2026, 11, 21, 16)
    assert due == utc(2026, 11, 21, 22)
    assert is_utc(due)


def test_naive_received_at_is_utc() -> None:
    """A naive time (as SQLite returns it) is read as UTC, not as local time."""
    assert personal_thanks_due(datetime(2026, 11, 20, 22, 0)) == utc(2026, 11, 21, 22)


def test_personal_thanks_counts_real_hours_across_dst() -> None:
    """24 real hours: received Saturday 10:00 CDT, due Sunday 09:00 CST after clocks fall back."""
    due = personal_thanks_due(chicago(2026, 10, 31, 10))
    assert due == utc(2026, 11, 1, 15)
    assert due.astimezone(CHICAGO).hour == 9


# --- handwritten card --------------------------------------------------------------


def test_card_due_wednesday_end_of_day_after_a_friday_afternoon() -> None:
    """Received Friday 16:00 → card due Wednesday 18:00 Chicago (Mon, Tue, Wed)."""
    due = card_due(FRIDAY_4PM, BUSINESS, CHICAGO)
    assert due == chicago(2026, 11, 25, 18)
    assert due == utc(2026, 11, 26, 0)
    assert is_utc(due)


def test_card_skips_a_monday_holiday() -> None:
    """A holiday on Monday does not count: the card is due Thursday."""
    due = card_due(FRIDAY_4PM, BUSINESS, CHICAGO, [date(2026, 11, 23)])
    assert due == chicago(2026, 11, 26, 18)


def test_card_skips_every_holiday() -> None:
    """Monday and Thanksgiving Thursday both off: due Friday."""
    holidays = (date(2026, 11, 23), date(2026, 11, 26))
    assert card_due(FRIDAY_4PM, BUSINESS, CHICAGO, holidays) == chicago(2026, 11, 27, 18)


def test_card_counts_from_the_desk_date_not_the_utc_date() -> None:
    """Friday 23:30 in Chicago is already Saturday in UTC; the card still counts from Friday."""
    late_friday = chicago(2026, 11, 20, 23, 30)
    assert late_friday.astimezone(UTC).date() == date(2026, 11, 21)
    assert card_due(late_friday.astimezone(UTC), BUSINESS, CHICAGO) == chicago(2026, 11, 25, 18)


def test_day_of_receipt_never_counts() -> None:
    """Received Monday before opening: Tuesday, Wednesday, Thursday → due Thursday."""
    assert card_due(chicago(2026, 11, 23, 7), BUSINESS, CHICAGO) == chicago(2026, 11, 26, 18)


def test_card_across_the_autumn_dst_weekend() -> None:
    """Friday before clocks fall back: due Wednesday 18:00 CST, which is midnight UTC."""
    due = card_due(chicago(2026, 10, 30, 16), BUSINESS, CHICAGO)
    assert due == utc(2026, 11, 5, 0)
    assert due.astimezone(CHICAGO).hour == 18


def test_card_across_the_spring_dst_weekend() -> None:
    """Friday before clocks spring forward: due Wednesday 18:00 CDT, 23:00 UTC."""
    due = card_due(chicago(2026, 3, 6, 16), BUSINESS, CHICAGO)
    assert due == utc(2026, 3, 11, 23)
    assert due.astimezone(CHICAGO).hour == 18


def test_card_follows_the_desks_business_hours() -> None:
    """With Saturday hours, Saturday is a business day and closes at its own hour."""
    schedule = parse_schedule("mon-fri 08:00-18:00;sat 10:00-14:00")
    assert card_due(FRIDAY_4PM, schedule, CHICAGO) == chicago(2026, 11, 24, 18)
    assert card_due(chicago(2026, 11, 18, 9), schedule, CHICAGO) == chicago(2026, 11, 21, 14)


def test_intake_tasks_follow_the_settings() -> None:
    """Intake always prompts a thank-you; a card only when the agent sends cards."""
    received = FRIDAY_4PM.astimezone(UTC)
    assert intake_due(received, DeskSettings()) == {"personal_thanks": utc(2026, 11, 21, 22)}
    with_cards = DeskSettings(card_practice=True, holidays=(date(2026, 11, 23),))
    assert intake_due(received, with_cards) == {
        "personal_thanks": utc(2026, 11, 21, 22),
        "card": chicago(2026, 11, 26, 18),
    }


def test_intake_card_uses_the_desks_zone() -> None:
    """A New York desk closes at 18:00 New York time, an hour before Chicago does."""
    new_york = DeskSettings(card_practice=True, timezone="America/New_York")
    due = intake_due(FRIDAY_4PM.astimezone(UTC), new_york)["card"]
    assert due == datetime(2026, 11, 25, 18, tzinfo=ZoneInfo("America/New_York"))
    assert due == utc(2026, 11, 25, 23)


# --- closing recognition -----------------------------------------------------------


def test_closing_recognition_due_at_the_end_of_the_seventh_day() -> None:
    """Closed on Tuesday 1 December: due Tuesday 8 December 23:59:59 desk time (UTC stored)."""
    due = closing_recognition_due(date(2026, 12, 1), CHICAGO)
    assert due == chicago(2026, 12, 8, 23, 59, 59)
    assert due == utc(2026, 12, 9, 5, 59, 59)
    assert is_utc(due)


def test_closing_recognition_across_dst() -> None:
    """A week that contains the change still ends at 23:59:59 on the desk's clock."""
    due = closing_recognition_due(date(2026, 10, 28), CHICAGO)
    assert due == chicago(2026, 11, 4, 23, 59, 59)
    assert due == utc(2026, 11, 5, 5, 59, 59)


def test_closing_given_as_a_moment_is_read_in_the_desk_zone() -> None:
    """A closing recorded at 01:00 UTC on the 2nd was the evening of the 1st in Chicago."""
    due = closing_recognition_due(utc(2026, 12, 2, 1), CHICAGO)
    assert due == chicago(2026, 12, 8, 23, 59, 59)


# --- what to give ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_type", "gift_policy", "items"),
    [
        ("client", "gifts", ("card", "gift")),
        ("sphere", "gifts", ("card", "gift")),
        ("client", "no_gifts", ("card", "donation")),
        ("sphere", "no_gifts", ("card", "donation")),
        ("agent", "gifts", ("fee", "card")),
        ("agent", "no_gifts", ("fee", "card")),
        ("professional", "gifts", ("card",)),
        ("professional", "no_gifts", ("card", "donation")),
    ],
)
def test_recognition_follows_source_type_and_gift_policy(
    source_type: str, gift_policy: str, items: tuple[str, ...]
) -> None:
    """Card for all; gift for clients and sphere; donation if gifts are refused; fee for agents."""
    assert recognition_items(source_type, gift_policy) == items
    suggestion = recognition_suggestion(source_type, gift_policy)
    assert suggestion.startswith("Send ") and suggestion.endswith(".")
    assert "handwritten card" in suggestion
    assert ("gift" in suggestion.replace("cannot accept gifts", "")) == ("gift" in items)
    assert ("donation" in suggestion) == ("donation" in items)
    assert ("referral fee (per the signed agreement)" in suggestion) == ("fee" in items)


def test_unknown_source_type_or_policy_is_named() -> None:
    """A misspelt source type or gift policy is refused naming the field."""
    with pytest.raises(InvalidFields, match=r"^source_type: must be client, sphere"):
        recognition_suggestion("friend", "gifts")
    with pytest.raises(InvalidFields, match=r"^gift_policy: must be gifts or no_gifts"):
        recognition_items("client", "maybe")
    with pytest.raises(InvalidFields, match=r"^source_type: "):
        thanks_draft("Priya", "John Smith", "lender", "Maria")


# --- drafts ------------------------------------------------------------------------

Draft = Callable[[str, str, str, str], str]
DRAFTS: tuple[Draft, ...] = (thanks_draft, card_draft, recognition_draft)


def every_draft(agent: str, source: str, lead_first: str) -> list[str]:
    """Every draft the desk writes, for every source type, gift policy and voice."""
    texts = []
    for source_type in SOURCE_TYPES:
        texts.append(thanks_draft(agent, source, source_type, lead_first))
        texts.append(card_draft(agent, source, source_type, lead_first))
        for policy in GIFT_POLICIES:
            texts.append(recognition_draft(agent, source, source_type, lead_first, policy))
    return texts


def test_thanks_draft_reads_like_the_agent() -> None:
    """Greets the source by first name, names the lead, signs with the agent's name."""
    draft = thanks_draft("Priya", "John Smith", "client", "Maria")
    assert draft.startswith("Hi John, thank you so much for thinking of me and introducing Maria.")
    assert draft.endswith("— Priya")


def test_drafts_are_short() -> None:
    """Every draft is two to four sentences."""
    for text in every_draft("Priya", "John Smith", "Maria") + every_draft("", "John", "Maria"):
        sentences = re.findall(r"[.!?](?:\s|$)", text)
        assert 2 <= len(sentences) <= 4, text


def test_team_signs_when_no_agent_is_named() -> None:
    """With no agent name, drafts speak as 'we' and sign as the team."""
    for text in every_draft("", "John Smith", "Maria"):
        assert text.endswith("the team"), text
        assert not re.search(r"\b(I|me|my|I'll|I'm|I've)\b", text), text
    assert "thinking of us" in thanks_draft("  ", "John Smith", "client", "Maria")


def test_greeting_keeps_a_title_with_the_surname() -> None:
    """`Dr. Ann Lee` is greeted as `Dr. Lee`; a source with no name as `there`."""
    assert card_draft("Priya", "Dr. Ann Lee", "professional", "Maria").startswith("Dear Dr. Lee,")
    assert thanks_draft("Priya", "", "sphere", "Maria").startswith("Hi there,")


def test_missing_first_name_gets_a_kind_placeholder() -> None:
    """A lead with no first name is 'your friend' to clients and sphere, 'your client' to pros."""
    assert "your friend" in thanks_draft("Priya", "John", "sphere", "")
    assert "your client" in card_draft("Priya", "John", "agent", "")


def test_agent_recognition_mentions_the_fee_never_an_amount() -> None:
    """Agents are told the fee follows as agreed; the note carries no figure."""
    draft = recognition_draft("Priya", "John Smith", "agent", "Maria")
    assert "referral fee as agreed" in draft
    assert not re.search(r"\d", draft)


def test_recognition_mentions_the_gift_or_the_donation() -> None:
    """The note matches the suggestion: a gift, or a donation when gifts are refused."""
    assert "gift" in recognition_draft("Priya", "John", "client", "Maria", "gifts")
    donation = recognition_draft("Priya", "John", "client", "Maria", "no_gifts")
    assert "donation" in donation and "gift" not in donation


PRIVATE_PARAMETERS = re.compile(
    r"last|email|phone|zip|price|address|street|status|amount|sale|contact", re.IGNORECASE
)


@pytest.mark.parametrize("draft", DRAFTS, ids=lambda draft: draft.__name__)
def test_drafts_cannot_even_receive_private_details(draft: Draft) -> None:
    """No draft function takes a last name, contact, ZIP, price or status as a parameter."""
    for name in inspect.signature(draft).parameters:
        assert not PRIVATE_PARAMETERS.search(name), name


TEMPLATE_TEXT = " ".join(every_draft("·", "·", "·") + every_draft("", "", ""))
"""The fixed words of every draft, with the names replaced by a non-letter."""

STATUS_WORDS = re.compile(
    r"\b(" + "|".join(status.replace("_", r"[ _]") for status in REFERRAL_STATUSES) + r"|escrow)\b",
    re.IGNORECASE,
)

NAME = st.from_regex(r"[A-Z][a-z]{1,11}", fullmatch=True) | st.sampled_from(
    ["José", "Zoë", "Siobhán", "Nguyễn", "Ana-María", "O'Neil"]
)
EMAIL = st.emails()
PHONE = st.from_regex(r"\+1 [2-9]\d{2} \d{3} \d{4}", fullmatch=True)
ZIP = st.from_regex(r"\d{5}", fullmatch=True)
PRICE = st.integers(50_000, 20_000_000)
STREET = st.builds(lambda number, name: f"{number} {name} St", st.integers(1, 99_999), NAME)


@settings(max_examples=200, deadline=None)
@given(
    agent=st.sampled_from(["", "Priya"]) | NAME,
    source_first=NAME,
    source_last=NAME,
    first=NAME,
    last=NAME,
    email=EMAIL,
    phone=PHONE,
    zip_code=ZIP,
    price=PRICE,
    street=STREET,
)
def test_drafts_never_carry_the_clients_private_details(
    agent: str,
    source_first: str,
    source_last: str,
    first: str,
    last: str,
    email: str,
    phone: str,
    zip_code: str,
    price: int,
    street: str,
) -> None:
    """Only the lead's first name reaches a draft: no last name, email, phone, ZIP, price,
    address or status, for every draft, source type and gift policy."""
    source = f"{source_first} {source_last}"
    # A last name that happens to be part of a name shown, or of the drafts' own
    # words, would be found for the wrong reason.
    assume(all(last not in shown for shown in (agent, source, first, TEMPLATE_TEXT)))
    # A name such as "Pending" is a name here, not a status.
    assume(not STATUS_WORDS.search(f"{agent} {source} {first}"))
    for text in every_draft(agent, source, first):
        assert first in text
        assert last not in text
        assert email not in text and "@" not in text
        for secret in (phone, zip_code, str(price), f"{price:,}", street):
            assert secret not in text
        assert not re.search(r"\d", text), text
        assert not STATUS_WORDS.search(text), text
