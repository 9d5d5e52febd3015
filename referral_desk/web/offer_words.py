"""What an offer page says, in the agent's words, for every state an offer can be in.

Pure: an `OfferPage`, the time and the desk's zone in, a `Words` out. The page
templates only lay the words out; every decision about what an agent is told
(and which answers a page offers) is made here, where a test can read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from ..engine import OfferPage

__all__ = ["ANSWERS", "Answer", "Words", "answers_of", "clock_time", "time_left", "words_for"]


@dataclass(frozen=True)
class Answer:
    """One button: the word on it and the `respond` answer it gives."""

    label: str
    response: str


ACCEPT = Answer("Accept", "accept")
CLAIM = Answer("Claim", "claim")
INTERESTED = Answer("Interested", "interest")
DECLINE = Answer("Decline", "decline")

ANSWERS: dict[str, tuple[Answer, ...]] = {
    "broadcast": (CLAIM, DECLINE),
    "network": (INTERESTED, DECLINE),
}
"""The answers an open offer takes, by routing mode; sequential modes take Accept/Decline."""


def answers_of(mode: str) -> tuple[Answer, ...]:
    """The answers an offer of this routing mode takes."""
    return ANSWERS.get(mode, (ACCEPT, DECLINE))


@dataclass(frozen=True)
class Words:
    """The page's headline and lines, and the answers it offers (none once it is closed)."""

    headline: str
    lines: tuple[str, ...]
    answers: tuple[Answer, ...] = ()
    next_steps: tuple[str, ...] = ()


def clock_time(moment: datetime, zone: tzinfo) -> str:
    """`2:32 PM CST on Mon Nov 23` — a deadline as a person reads it, in the desk's zone."""
    local = moment.astimezone(zone)
    return f"{local:%I:%M %p %Z}".lstrip("0") + f" on {local:%a %b} {local.day}"


def time_left(deadline: datetime, now: datetime) -> str:
    """`27 min`, `1 h 05 min`, `less than a minute` (the page's script ticks it the same way)."""
    seconds = int((deadline - now).total_seconds())
    if seconds < 60:
        return "less than a minute"
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def words_for(page: OfferPage, now: datetime, zone: tzinfo) -> Words:
    """What the agent is told about their offer now."""
    name = page.agent_name.split()[0] if page.agent_name.split() else page.agent_name
    closed_at = clock_time(page.expires_at, zone)
    if page.contact is not None:
        return Words(
            f"It's yours, {name}: {page.referral_id}",
            ("The referral is yours. Here is the client's contact:",),
            next_steps=(
                "Reach the client today, ideally within the hour.",
                "The desk logs the referral fee agreement with you and follows up on the "
                "status of the deal.",
            ),
        )
    if page.is_open(now):
        return Words(
            f"{name}, a {page.side} referral for you",
            (f"Answer by {closed_at}.",),
            answers=answers_of(page.mode),
        )
    return Words(f"{page.referral_id}: this offer is closed", (_what_became(page, closed_at),))


def _what_became(page: OfferPage, closed_at: str) -> str:
    """One sentence on what became of an offer that takes no answer."""
    status = page.offer_status
    if not page.latest:
        return "This link is for an earlier offer; the desk sent you a newer one."
    if status == "declined":
        return "You declined this referral. Thank you for answering quickly."
    if status == "interested":
        return (
            "You said you are interested. The referring agent chooses among the agents "
            "who are; if it is you, this page shows the client's contact."
        )
    if status == "accepted":
        return (
            "The referral is yours; the client's contact comes to this page as soon as "
            "the referral fee agreement is logged."
        )
    if status == "withdrawn" and page.taken_by_other:
        if page.mode == "broadcast":
            return "Another agent claimed it first."
        return "The referral went to another agent."
    if status == "withdrawn":
        return "The desk withdrew this offer."
    return f"The window closed at {closed_at}."
