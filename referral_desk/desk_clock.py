"""The reassignment clock inside the app: one thread worker, one beat at a time.

Every beat runs `desk.tick(now)` off the UI thread (lapsing offers and routing
what follows), then reads the desk's revision counter, so changes made by
another process (a headless `referral-desk clock`, a second desk) reach the
screens within two beats. The next beat is scheduled only when the previous
one has finished, so a slow database never piles beats up. Tests turn the
background loop off and call `run_clock_once()` on a manual clock instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from textual.message import Message

from .engine import Desk, DeskCounts, Lapse, LinkAnswer

__all__ = ["COUNTS_EVERY", "ClockBeat", "beat", "lapse_toast", "link_answer_toast"]

COUNTS_EVERY = 30
"""Beats between recounts when nothing changed (thank-yous fall due with time alone)."""


@dataclass
class ClockBeat(Message):
    """What one beat of the clock found (posted from the clock's thread to the app)."""

    lapses: list[Lapse]
    """Offers the tick lapsed, in expiry order."""
    revision: int
    """The desk's change counter after the tick."""
    counts: DeskCounts | None
    """Fresh header counts, or None when they were not recounted this beat."""
    names: dict[str, str] | None
    """Agent id → name, re-read when the desk changed (the roster may have)."""
    link_answers: list[LinkAnswer] = field(default_factory=list)
    """Answers partners gave on offer links since the last beat that looked."""
    seen_event: int | None = None
    """The newest event looked at for link answers (None: not looked this beat)."""


def beat(
    desk: Desk,
    now: datetime,
    seen_revision: int | None,
    recount: bool,
    seen_event: int | None = None,
) -> ClockBeat:
    """One beat: tick, read the revision, and recount what the header shows if needed;
    when the desk changed, also the answers partners gave on offer links since
    `seen_event` (the first beat only notes where the history stands).

    Runs in the clock's thread; everything it touches goes through the desk service.
    """
    lapses = desk.tick(now)
    revision = desk.revision()
    changed = revision != seen_revision
    counts = desk.counts(now) if changed or recount or lapses else None
    names = desk.agent_names() if changed else None
    if not changed and seen_event is not None:
        return ClockBeat(lapses, revision, counts, names)
    newest, answers = desk.links.answers_after(seen_event)
    return ClockBeat(lapses, revision, counts, names, answers, newest)


def link_answer_toast(answer: LinkAnswer) -> str:
    """`R-000041 accepted by Dana Whitfield from the offer link`."""
    if answer.kind == "interested":
        return f"{answer.referral_id}: {answer.agent_name} is interested (from the offer link)"
    return f"{answer.referral_id} {answer.kind} by {answer.agent_name} from the offer link"


def lapse_toast(lapse: Lapse) -> str:
    """`R-000042: P-ATX-01 lapsed → offered to P-ATX-02` (or where it went instead)."""
    if lapse.next_agent_ids:
        following = ", ".join(lapse.next_agent_ids)
        return f"{lapse.referral_id}: {lapse.agent_id} lapsed → offered to {following}"
    if lapse.referral_status == "unassigned":
        return f"{lapse.referral_id}: {lapse.agent_id} lapsed → unassigned (nobody left)"
    return f"{lapse.referral_id}: {lapse.agent_id} lapsed ({lapse.referral_status})"
