"""The desk's fixed vocabularies, in one place for validation, routing and screens."""

from __future__ import annotations

from typing import Final, Literal, get_args

Side = Literal["buyer", "seller"]
AgentSides = Literal["buyer", "seller", "both"]
AgentKind = Literal["partner", "team"]
Channel = Literal["sms", "email", "call"]
SourceType = Literal["client", "sphere", "agent", "professional"]
Mode = Literal[
    "best_fit",
    "round_robin",
    "on_duty",
    "broadcast",
    "network",
    "private",
    "isa",
    "warm_transfer",
    "open",
]

SIDES: Final = ("buyer", "seller")
AGENT_SIDES: Final = ("buyer", "seller", "both")
AGENT_KINDS: Final = ("partner", "team")
CHANNELS: Final = ("sms", "email", "call")
SOURCE_TYPES: Final = ("client", "sphere", "agent", "professional")
MODES: Final[tuple[str, ...]] = get_args(Mode)
INTEREST_MODES: Final = ("network", "open")
"""Modes whose offers take `interest`, the sender then awarding one (a private referral
joins them once receivers are invited)."""
DEFAULT_MODES: Final = ("best_fit", "round_robin", "on_duty", "broadcast", "isa", "open")
"""Modes a desk may route by when an intake names none (`default_mode`): not the ones
that name their agents (private, network) or a moment (warm_transfer: the client is on
the line now)."""
SEQUENTIAL_MODES: Final = ("best_fit", "round_robin", "on_duty")

PROPERTY_TYPES: Final = (
    "residential",
    "condo",
    "townhouse",
    "multi-family",
    "land",
    "commercial",
    "farm-ranch",
    "mobile",
)

REFERRAL_STATUSES: Final = (
    "draft",
    "new",
    "qualifying",
    "offered",
    "accepted",
    "pending",
    "awarded",
    "working",
    "in_escrow",
    "fee_sent",
    "fee_received",
    "closed",
    "lost",
    "archived",
    "unassigned",
)

OFFER_STATUSES: Final = ("offered", "accepted", "declined", "lapsed", "withdrawn", "interested")
OPEN_OFFER_STATUSES: Final = ("offered", "interested")
ACTIVE_ASSIGNED_STATUSES: Final = ("pending", "awarded", "working", "in_escrow")
"""Referral statuses that occupy a slot of the assigned agent's capacity."""

WAITING_STATUSES: Final = ("new", "qualifying", "offered", "accepted", "pending", "unassigned")
"""Referral statuses the desk is waiting on: what the queue shows (`new`: held while
routing is off; `qualifying`: with the inside sales agent)."""


def one_of(values: tuple[str, ...]) -> str:
    """`a, b or c` — the tail of a 'must be one of' message."""
    if len(values) == 1:
        return values[0]
    return ", ".join(values[:-1]) + " or " + values[-1]


FLAG_KINDS: Final = (
    "roster_exhausted",
    "fee_not_formalized",
    "fee_discrepancy",
    "source_burst",
    "status_inquiry",
    "delivery_failed",
    "acknowledgment_dissatisfied",
)
MANUAL_KINDS: Final = (
    "status_inquiry",
    "fee_discrepancy",
    "roster_exhausted",
    "acknowledgment_dissatisfied",
)
"""Kinds a user may raise by hand (`flags raise`): `acknowledgment_dissatisfied` when a
source says they were not thanked, or are unhappy with how they were."""
