"""Why a referral was dropped: the one rule the report, the coverage check, the
simulator and a referral's detail all use.

A referral is dropped when it ended unassigned or lost with no agent ever accepting
it (the report's `dropped_rate`). A team lead can act only on the reason, so each
dropped referral has exactly one cause, and the causes add up to the dropped count:

- `nobody_eligible`: it went unassigned without a single offer: when it was routed,
  no agent was active, present, covering its market and side, with a free slot.
  Recruit in that market, or widen the fallback.
- `declined_or_lapsed`: it was offered, and every offer was declined or ran out.
  Widen the window, or offer to more agents at once.
- `lost_before_acceptance`: the client was lost (marked `lost`) before any agent
  accepted, whatever the offers had done by then.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from .lifecycle import outcome

__all__ = ["DROP_CAUSES", "DROP_CAUSE_LABELS", "DROP_CAUSE_WORDS", "DropCause", "drop_cause"]

DropCause = Literal["nobody_eligible", "declined_or_lapsed", "lost_before_acceptance"]
DROP_CAUSES: Final[tuple[DropCause, ...]] = get_args(DropCause)

DROP_CAUSE_LABELS: Final[dict[DropCause, str]] = {
    "nobody_eligible": "nobody eligible, never offered",
    "declined_or_lapsed": "every offer declined or lapsed",
    "lost_before_acceptance": "lost before any agent accepted",
}
"""Each cause as a report's table row or a simulator's line names it."""

DROP_CAUSE_WORDS: Final[dict[DropCause, str]] = {
    "nobody_eligible": "nobody was eligible (no active, present agent covering its market "
    "and side had a free slot), so it was never offered",
    "declined_or_lapsed": "it was offered, and every offer was declined or lapsed",
    "lost_before_acceptance": "it was lost before any agent accepted it",
}
"""Each cause as a referral's detail says it (after "Dropped: ")."""


def drop_cause(
    status: str, archived_from: str | None, *, accepted: bool, offered: bool
) -> DropCause | None:
    """The cause a referral was dropped for, or None when it was not dropped.

    `accepted`: an agent accepted (or claimed, or was awarded) it at some point;
    `offered`: it had at least one offer. An archived referral counts as the status
    it was archived from; one whose archived-from status is not known counts as
    still active (not dropped), as the report counts it.
    """
    if accepted:
        return None
    try:
        result = outcome(status, archived_from)
    except ValueError:
        return None
    if result == "lost":
        return "lost_before_acceptance"
    if status == "unassigned":
        return "declined_or_lapsed" if offered else "nobody_eligible"
    return None
