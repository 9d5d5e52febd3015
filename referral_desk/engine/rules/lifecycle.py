"""The referral status lifecycle: one table that the service, the CLI and the screens read.

DESIGN.md draws the path Draft → New → Offered → Accepted → Pending → Awarded →
Working → In escrow → Fee sent → Fee received → Closed, with Lost reachable from any
active status, Archived after Closed or Lost, and Unassigned as the escalation from
which the desk routes again. `TRANSITIONS` is that drawing; nothing else in the code
may list moves.

Who makes a move matters as much as whether it is legal. Routing (offers, responses,
awards, the clock, the inside sales agent's hold and hand-off) sets qualifying,
offered, accepted, pending, awarded and unassigned; logging
the fee agreement turns pending into awarded; a user moves a referral along the rest
with the `status` command. `validate_change` is that command's rule book: it checks
the move first (an illegal move is reported as such, whatever options came with it),
then the options the move takes.

Everything here is pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal

from .errors import InvalidInput, Refused, echo
from .text import TextProblem, clean_text
from .timefmt import day_problem
from .vocabulary import REFERRAL_STATUSES

__all__ = [
    "ACTIVE_STATUSES",
    "CLOSED_STATUSES",
    "CLOSING_DATE_TARGETS",
    "COMMISSION_RATE_MAX",
    "FINISHED_STATUSES",
    "MAX_SALE_PRICE",
    "REASON_MAX",
    "ROUTING_TARGETS",
    "SALE_RECORDING_TARGETS",
    "STATUS_LABELS",
    "TRANSITIONS",
    "USER_MOVES",
    "USER_TARGETS",
    "IllegalMove",
    "InvalidFields",
    "Outcome",
    "allowed_moves",
    "archived_outcome",
    "check_move",
    "check_status",
    "check_user_move",
    "is_active",
    "made_by",
    "outcome",
    "validate_change",
]

MoveMaker = Literal["intake", "routing", "fee_log", "user"]
Outcome = Literal["closed", "lost", "active"]


class IllegalMove(Refused, ValueError):
    """A status move the lifecycle does not allow (or not through the `status` command).

    The message is the one line a user reads, starting with `status:`. The service
    maps it to a refusal, not to bad input: the words typed were fine, the move is not.
    """


class InvalidFields(InvalidInput, ValueError):
    """One or more `field: message` problems with the options of a change.

    `problems` keeps them apart; the message joins them with `; ` so the line
    still starts with the first field's key (it is the desk's `InvalidInput`).
    """


TRANSITIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "draft": ("new",),
        "new": ("qualifying", "offered", "unassigned", "lost"),
        # qualifying → new: the inside sales agent hands it off, and routing takes it.
        "qualifying": ("new", "lost"),
        # offered → awarded: a sequential accept or a broadcast claim takes it at once.
        "offered": ("accepted", "awarded", "unassigned", "lost"),
        "accepted": ("pending", "unassigned", "lost"),
        "pending": ("awarded", "lost"),
        "awarded": ("working", "lost"),
        "working": ("in_escrow", "lost"),
        "in_escrow": ("fee_sent", "closed", "lost"),
        "fee_sent": ("fee_received", "closed", "lost"),
        "fee_received": ("closed", "lost"),
        "unassigned": ("offered", "lost"),
        "closed": ("archived",),
        "lost": ("archived",),
        "archived": (),
    }
)
"""Each status → the statuses it may move to, in the order the UI offers them."""

ROUTING_TARGETS: Final = frozenset(
    {"qualifying", "offered", "accepted", "pending", "awarded", "unassigned"}
)
"""Statuses only routing sets (offers, responses, awards, lapses, the inside sales agent's
hold); never `status`."""

USER_TARGETS: Final = (
    "working",
    "in_escrow",
    "fee_sent",
    "fee_received",
    "closed",
    "lost",
    "archived",
)
"""Statuses a user sets with the `status` command."""

USER_MOVES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        status: tuple(target for target in targets if target in USER_TARGETS)
        for status, targets in TRANSITIONS.items()
    }
)
"""Each status → the moves the `status` command may make from it (a subset of the table)."""

_FEE_LOG_MOVES: Final = frozenset({("pending", "awarded")})
"""Moves made by logging the fee agreement (`fee ID log`), after a network award."""

_INTAKE_MOVES: Final = frozenset({("draft", "new")})
"""Moves made by completing an intake."""

_HANDOFF_MOVES: Final = frozenset({("qualifying", "new")})
"""Moves made by the inside sales agent's hand-off (`handoff ID`), which routes it next."""

ACTIVE_STATUSES: Final = tuple(
    status for status in REFERRAL_STATUSES if "lost" in TRANSITIONS.get(status, ())
)
"""Statuses of a referral still in play: every status from which it can still be lost.

A draft is not yet on the desk, and closed, lost and archived are finished.
"""

FINISHED_STATUSES: Final = ("closed", "lost", "archived")
"""Statuses after which nothing happens to the referral except archiving."""

SALE_RECORDING_TARGETS: Final = ("fee_sent", "closed")
"""Leaving in_escrow for one of these records the sale's price and commission rate."""

CLOSED_STATUSES: Final = ("fee_sent", "fee_received", "closed")
"""Statuses a report counts as closed: the sale happened (and so does an archive of one)."""

CLOSING_DATE_TARGETS: Final = ("in_escrow", *CLOSED_STATUSES)
"""Moves that may carry a closing date: expected on in_escrow, actual afterwards."""

COMMISSION_RATE_MAX: Final = Decimal("10")
"""The highest commission rate (percent) the desk accepts; above it is a typo."""

MAX_SALE_PRICE: Final = 10_000_000_000
"""The highest sale price (dollars) the desk accepts; keeps cents within 64 bits."""

REASON_MAX: Final = 500
"""Longest reason for a lost referral (the column's width)."""

STATUS_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "draft": "Draft",
        "new": "New",
        "qualifying": "Qualifying",
        "offered": "Offered",
        "accepted": "Accepted",
        "pending": "Pending",
        "awarded": "Awarded",
        "working": "Working with client",
        "in_escrow": "In escrow",
        "fee_sent": "Fee sent",
        "fee_received": "Fee received",
        "closed": "Closed",
        "lost": "Lost",
        "archived": "Archived",
        "unassigned": "Unassigned",
    }
)
"""How each status reads on screen."""


def _listed(values: Sequence[str]) -> str:
    return ", ".join(values) if values else "none"


def check_status(status: str) -> None:
    """Refuses a status the desk does not know.

    Raises:
        IllegalMove: `status: unknown status 'x' (known: draft, new, …)`.
    """
    if status not in TRANSITIONS:
        raise IllegalMove(
            f"status: unknown status {echo(status)} (known: {_listed(REFERRAL_STATUSES)})"
        )


def allowed_moves(current: str) -> tuple[str, ...]:
    """Every status `current` may move to, by anyone (routing, fee log or user)."""
    check_status(current)
    return TRANSITIONS[current]


def check_move(current: str, target: str) -> None:
    """Refuses a move the lifecycle table does not have.

    Raises:
        IllegalMove: naming both statuses and what is allowed, e.g.
            `status: cannot move from offered to closed (allowed: accepted, awarded,
            unassigned, lost)`; `(allowed: none)` from archived.
    """
    check_status(current)
    check_status(target)
    allowed = TRANSITIONS[current]
    if target not in allowed:
        raise IllegalMove(
            f"status: cannot move from {current} to {target} (allowed: {_listed(allowed)})"
        )


def made_by(current: str, target: str) -> MoveMaker:
    """Who makes a legal move: intake, routing, the fee log, or a user with `status`.

    Raises:
        IllegalMove: when the move is not in the table at all.
    """
    check_move(current, target)
    if (current, target) in _INTAKE_MOVES:
        return "intake"
    if (current, target) in _FEE_LOG_MOVES:
        return "fee_log"
    if target in ROUTING_TARGETS or (current, target) in _HANDOFF_MOVES:
        return "routing"
    return "user"


def check_user_move(current: str, target: str) -> None:
    """Refuses what the `status` command may not do: an illegal move, or one routing makes.

    The table is checked first, so an illegal move always gets the contract's
    `cannot move from … to …` line; a legal move that belongs to routing, the fee
    log or intake is then refused saying what makes it, and `allowed` lists only
    what the status command may do from there.

    Raises:
        IllegalMove: with a line that starts with `status:`.
    """
    maker = made_by(current, target)
    if maker == "user":
        return
    if maker == "fee_log":
        who = "logging the fee agreement (fee ID log) makes that move"
    elif maker == "intake":
        who = "completing the intake makes that move"
    elif (current, target) in _HANDOFF_MOVES:
        who = "the hand-off (referral-desk handoff ID) makes that move"
    else:
        who = "routing (offers, responses, awards) makes that move"
    raise IllegalMove(
        f"status: cannot move from {current} to {target} with the status command; {who} "
        f"(allowed: {_listed(USER_MOVES[current])})"
    )


def is_active(status: str) -> bool:
    """Whether a referral in this status is still in play (it can still be lost)."""
    return status in ACTIVE_STATUSES


def archived_outcome(archived_from: str | None) -> Literal["closed", "lost"]:
    """How an archived referral ended, from the status it was archived from.

    Reports count a referral archived from fee_sent, fee_received or closed as
    closed, and one archived from lost as lost.

    Raises:
        ValueError: `archived_from: …` when the status is missing or cannot be archived.
    """
    if archived_from in CLOSED_STATUSES:
        return "closed"
    if archived_from == "lost":
        return "lost"
    raise ValueError(
        f"archived_from: {echo(archived_from)} is not a status a referral is archived from"
    )


def outcome(status: str, archived_from: str | None = None) -> Outcome:
    """A referral's outcome for reports: closed, lost, or still active.

    `closed` covers fee_sent, fee_received and closed (the sale happened); `lost`
    covers lost; an archived referral takes the outcome of the status it left;
    everything else, drafts and unassigned included, is active.
    """
    check_status(status)
    if status == "archived":
        return archived_outcome(archived_from)
    if status in CLOSED_STATUSES:
        return "closed"
    if status == "lost":
        return "lost"
    return "active"


def _sale_price_problem(sale_price: object) -> str | None:
    if (
        isinstance(sale_price, bool)
        or not isinstance(sale_price, int)
        or not 0 < sale_price <= MAX_SALE_PRICE
    ):
        return f"sale_price: must be whole dollars from 1 to {MAX_SALE_PRICE}"
    return None


def _commission_rate_problem(rate: object) -> str | None:
    message = f"commission_rate: must be a percent above 0 and at most {COMMISSION_RATE_MAX}"
    if isinstance(rate, bool) or not isinstance(rate, Decimal | int):
        return message
    value = Decimal(rate)
    if not value.is_finite() or not 0 < value <= COMMISSION_RATE_MAX:
        return message
    return None


def validate_change(
    current: str,
    target: str,
    *,
    sale_price: int | None = None,
    commission_rate: Decimal | None = None,
    closing_date: date | None = None,
    reason: str | None = None,
    sale_recorded: bool = False,
) -> None:
    """Checks a `status ID TARGET [options]` request: the move first, then its options.

    - `in_escrow` needs `closing_date` (the expected closing).
    - The first move out of in_escrow (to fee_sent or closed) needs `sale_price`
      (whole dollars > 0) and `commission_rate` (a percent, 0 < rate ≤ 10); when
      `sale_recorded` is true the referral already carries them, so they are
      optional and, if given, replace the stored figures.
    - `closing_date` may also come with fee_sent, fee_received or closed (the
      actual closing date).
    - `lost` takes an optional `reason`: one line of free text (`text.py`).
    - Any option a move does not take is refused, naming the option.

    Raises:
        IllegalMove: the move itself is not allowed (checked before any option).
        InvalidFields: every option problem, each `field: message`.
    """
    check_user_move(current, target)
    problems: list[str] = []
    leaving_escrow = current == "in_escrow" and target in SALE_RECORDING_TARGETS
    figures = (("sale_price", sale_price), ("commission_rate", commission_rate))
    for key, value in figures:
        if value is None:
            if leaving_escrow and not sale_recorded:
                problems.append(f"{key}: is required to leave in_escrow")
            continue
        if not leaving_escrow:
            problems.append(f"{key}: only recorded when leaving in_escrow (to fee_sent or closed)")
            continue
        check = _sale_price_problem if key == "sale_price" else _commission_rate_problem
        problem = check(value)
        if problem:
            problems.append(problem)
    if closing_date is None:
        if target == "in_escrow":
            problems.append("closing_date: is required to move to in_escrow (the expected closing)")
    elif target not in CLOSING_DATE_TARGETS:
        problems.append(
            "closing_date: only recorded when moving to in_escrow, fee_sent, fee_received or closed"
        )
    elif isinstance(closing_date, datetime) or not isinstance(closing_date, date):
        problems.append("closing_date: must be a date (YYYY-MM-DD)")
    elif day_problem(closing_date):  # an expected closing may lie ahead, within reason
        problems.append(f"closing_date: {day_problem(closing_date)}")
    if reason is not None:
        if target != "lost":
            problems.append("reason: only recorded when moving to lost")
        else:
            try:
                clean_text(reason, max_length=REASON_MAX)
            except TextProblem as problem:
                problems.append(f"reason: {problem}")
    if problems:
        raise InvalidFields(problems)
