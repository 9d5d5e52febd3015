"""The status lifecycle: one table, illegal moves named, options checked after the move."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_desk.engine.rules.lifecycle import (
    ACTIVE_STATUSES,
    MAX_SALE_PRICE,
    ROUTING_TARGETS,
    STATUS_LABELS,
    TRANSITIONS,
    USER_MOVES,
    USER_TARGETS,
    IllegalMove,
    InvalidFields,
    allowed_moves,
    archived_outcome,
    check_move,
    check_user_move,
    is_active,
    made_by,
    outcome,
    validate_change,
)
from referral_desk.engine.rules.vocabulary import REFERRAL_STATUSES

LEGAL = [(current, target) for current, targets in TRANSITIONS.items() for target in targets]
ILLEGAL = [
    (current, target)
    for current in REFERRAL_STATUSES
    for target in REFERRAL_STATUSES
    if target not in TRANSITIONS[current]
]
USER_LEGAL = [(current, target) for current, target in LEGAL if target in USER_TARGETS]
NOT_BY_STATUS = [(current, target) for current, target in LEGAL if target not in USER_TARGETS]
CLOSING = date(2026, 12, 15)
SALE = {"sale_price": 510_000, "commission_rate": Decimal("3")}


def problems_of(error: pytest.ExceptionInfo[InvalidFields]) -> tuple[str, ...]:
    return error.value.problems


# --- the table ---------------------------------------------------------------------


def test_table_is_exactly_the_designed_lifecycle() -> None:
    """The table is DESIGN.md's lifecycle, move for move, in the order the UI offers."""
    assert dict(TRANSITIONS) == {
        "draft": ("new",),
        "new": ("qualifying", "offered", "unassigned", "lost"),
        "qualifying": ("new", "lost"),  # with the inside sales agent, then handed off
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


def test_table_covers_every_status_and_nothing_else() -> None:
    """Every status the contract names has a row, and every move leads to a known status."""
    assert set(TRANSITIONS) == set(REFERRAL_STATUSES)
    assert set(STATUS_LABELS) == set(REFERRAL_STATUSES)
    for targets in TRANSITIONS.values():
        assert set(targets) <= set(REFERRAL_STATUSES)


def test_every_status_is_reachable_from_draft() -> None:
    """No status is an island: each can be reached from a draft by legal moves."""
    seen = {"draft"}
    frontier = ["draft"]
    while frontier:
        for target in TRANSITIONS[frontier.pop()]:
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(REFERRAL_STATUSES)


def test_table_cannot_be_changed_at_run_time() -> None:
    """The one table is read-only, so no caller can grow a private lifecycle."""
    with pytest.raises(TypeError):
        TRANSITIONS["archived"] = ("new",)  # type: ignore[index]


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_every_legal_move_is_accepted(current: str, target: str) -> None:
    """Each move in the table passes `check_move`."""
    check_move(current, target)
    assert target in allowed_moves(current)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_illegal_move_names_both_statuses_and_the_allowed_ones(
    current: str, target: str
) -> None:
    """A move outside the table is refused with the contract's line: both statuses, allowed."""
    allowed = ", ".join(TRANSITIONS[current]) or "none"
    with pytest.raises(IllegalMove) as error:
        check_move(current, target)
    assert str(error.value) == (
        f"status: cannot move from {current} to {target} (allowed: {allowed})"
    )


def test_the_contract_example_reads_exactly() -> None:
    """`offered → closed` reads as the contract shows it."""
    with pytest.raises(IllegalMove, match=r"^status: cannot move from offered to closed "):
        check_move("offered", "closed")
    with pytest.raises(IllegalMove) as error:
        check_move("offered", "closed")
    assert str(error.value) == (
        "status: cannot move from offered to closed (allowed: accepted, awarded, unassigned, lost)"
    )


def test_archived_allows_nothing() -> None:
    """An archived referral is done: the message says `(allowed: none)`."""
    with pytest.raises(IllegalMove, match=r"\(allowed: none\)$"):
        check_move("archived", "closed")


@pytest.mark.parametrize(("current", "target"), [("bogus", "lost"), ("new", "escrow")])
def test_unknown_status_lists_the_known_ones(current: str, target: str) -> None:
    """A status the desk does not know is named, with the statuses it does know."""
    unknown = current if current == "bogus" else target
    with pytest.raises(IllegalMove) as error:
        check_move(current, target)
    assert str(error.value) == (
        f"status: unknown status '{unknown}' (known: {', '.join(REFERRAL_STATUSES)})"
    )


def test_illegal_moves_are_value_errors() -> None:
    """Callers that only know `ValueError` still catch a refused move."""
    with pytest.raises(ValueError, match="status: cannot move"):
        check_move("new", "closed")


# --- who makes a move --------------------------------------------------------------


def test_routing_sets_the_routing_statuses() -> None:
    """offered, accepted, pending, awarded and unassigned are set by routing (bar the fee log)."""
    assert made_by("new", "offered") == "routing"
    assert made_by("offered", "accepted") == "routing"
    assert made_by("offered", "awarded") == "routing"
    assert made_by("accepted", "pending") == "routing"
    assert made_by("unassigned", "offered") == "routing"
    assert made_by("offered", "unassigned") == "routing"
    assert made_by("pending", "awarded") == "fee_log"
    assert made_by("draft", "new") == "intake"


@pytest.mark.parametrize(("current", "target"), USER_LEGAL)
def test_status_command_makes_every_user_move(current: str, target: str) -> None:
    """Moves to working, in_escrow, fee_sent, fee_received, closed, lost or archived: a user's."""
    assert made_by(current, target) == "user"
    check_user_move(current, target)
    assert target in USER_MOVES[current]


@pytest.mark.parametrize(("current", "target"), NOT_BY_STATUS)
def test_status_command_refuses_routing_moves(current: str, target: str) -> None:
    """A legal move that routing, the fee log or intake makes is refused to `status`."""
    with pytest.raises(IllegalMove) as error:
        check_user_move(current, target)
    message = str(error.value)
    assert message.startswith(
        f"status: cannot move from {current} to {target} with the status command; "
    )
    assert message.endswith(f"(allowed: {', '.join(USER_MOVES[current]) or 'none'})")


def test_pending_to_awarded_points_at_the_fee_log() -> None:
    """After a network award, the referral becomes awarded when the agreement is logged."""
    with pytest.raises(IllegalMove, match=r"fee ID log"):
        check_user_move("pending", "awarded")


def test_user_moves_are_a_subset_of_the_table() -> None:
    """`USER_MOVES` only filters the table; routing targets never appear in it."""
    for status, targets in USER_MOVES.items():
        assert set(targets) <= set(TRANSITIONS[status])
        assert not set(targets) & ROUTING_TARGETS


# --- active statuses and outcomes --------------------------------------------------


def test_any_active_status_can_be_lost() -> None:
    """Active = still in play: exactly the statuses from which the referral can be lost."""
    assert ACTIVE_STATUSES == (
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
        "unassigned",
    )
    for status in REFERRAL_STATUSES:
        assert is_active(status) == ("lost" in TRANSITIONS[status])
    for finished in ("draft", "closed", "lost", "archived"):
        assert not is_active(finished)


def test_archived_outcome_follows_the_status_left() -> None:
    """Archived from closed (or a fee status) counts as closed; from lost, as lost."""
    assert archived_outcome("closed") == "closed"
    assert archived_outcome("fee_sent") == "closed"
    assert archived_outcome("fee_received") == "closed"
    assert archived_outcome("lost") == "lost"
    with pytest.raises(ValueError, match=r"^archived_from: "):
        archived_outcome(None)
    with pytest.raises(ValueError, match=r"^archived_from: "):
        archived_outcome("working")


def test_outcome_for_reports() -> None:
    """Reports: fee_sent, fee_received, closed → closed; lost → lost; the rest → active."""
    assert outcome("fee_sent") == "closed"
    assert outcome("closed") == "closed"
    assert outcome("lost") == "lost"
    assert outcome("archived", "lost") == "lost"
    assert outcome("archived", "closed") == "closed"
    assert outcome("unassigned") == "active"
    assert outcome("draft") == "active"
    assert outcome("working") == "active"


# --- options of a change -----------------------------------------------------------


def test_move_is_checked_before_its_options() -> None:
    """An illegal move with bad options is reported as the illegal move."""
    with pytest.raises(IllegalMove, match=r"^status: cannot move from offered to closed"):
        validate_change("offered", "closed", sale_price=-5, commission_rate=Decimal("99"))
    with pytest.raises(IllegalMove, match=r"with the status command"):
        validate_change("new", "offered", reason="x" * 9999)


def test_in_escrow_needs_the_expected_closing_date() -> None:
    """Moving to in_escrow records the expected closing date, so it must be given."""
    with pytest.raises(InvalidFields) as error:
        validate_change("working", "in_escrow")
    assert problems_of(error) == (
        "closing_date: is required to move to in_escrow (the expected closing)",
    )
    validate_change("working", "in_escrow", closing_date=CLOSING)


def test_closing_date_must_be_a_date() -> None:
    """A closing date is a desk-zone date, not a moment."""
    with pytest.raises(InvalidFields, match=r"^closing_date: must be a date"):
        validate_change("working", "in_escrow", closing_date=datetime(2026, 12, 15, 10))


@pytest.mark.parametrize("target", ["fee_sent", "closed"])
def test_leaving_escrow_needs_the_sale_figures(target: str) -> None:
    """The first move out of in_escrow records sale price and commission rate."""
    with pytest.raises(InvalidFields) as error:
        validate_change("in_escrow", target)
    assert problems_of(error) == (
        "sale_price: is required to leave in_escrow",
        "commission_rate: is required to leave in_escrow",
    )
    with pytest.raises(InvalidFields) as error:
        validate_change("in_escrow", target, sale_price=510_000)
    assert problems_of(error) == ("commission_rate: is required to leave in_escrow",)
    validate_change("in_escrow", target, **SALE)  # type: ignore[arg-type]
    validate_change("in_escrow", target, closing_date=CLOSING, **SALE)  # type: ignore[arg-type]


def test_recorded_sale_figures_make_them_optional() -> None:
    """When the referral already carries its figures they need not be typed again."""
    validate_change("in_escrow", "closed", sale_recorded=True)
    validate_change("in_escrow", "closed", sale_recorded=True, **SALE)  # type: ignore[arg-type]


def test_leaving_escrow_as_lost_needs_no_figures() -> None:
    """A deal that falls through is lost without a sale price, and refuses one."""
    validate_change("in_escrow", "lost")
    with pytest.raises(InvalidFields) as error:
        validate_change("in_escrow", "lost", sale_price=510_000)
    assert problems_of(error) == (
        "sale_price: only recorded when leaving in_escrow (to fee_sent or closed)",
    )


@pytest.mark.parametrize("price", [0, -1, True, 1.5, "510000", MAX_SALE_PRICE + 1])
def test_sale_price_is_whole_positive_dollars(price: object) -> None:
    """The sale price is an integer number of dollars above zero."""
    with pytest.raises(InvalidFields) as error:
        validate_change(
            "in_escrow",
            "closed",
            sale_price=price,  # type: ignore[arg-type]
            commission_rate=Decimal("3"),
        )
    assert problems_of(error)[0].startswith("sale_price: must be whole dollars")


@pytest.mark.parametrize(
    "rate", [Decimal("0"), Decimal("-1"), Decimal("10.01"), Decimal("NaN"), Decimal("Inf"), 3.0]
)
def test_commission_rate_is_a_percent_up_to_ten(rate: object) -> None:
    """The commission rate is a Decimal percent: above 0, at most 10."""
    with pytest.raises(InvalidFields) as error:
        validate_change(
            "in_escrow",
            "fee_sent",
            sale_price=510_000,
            commission_rate=rate,  # type: ignore[arg-type]
        )
    assert problems_of(error) == ("commission_rate: must be a percent above 0 and at most 10",)


@pytest.mark.parametrize("rate", [Decimal("0.01"), Decimal("2.5"), Decimal("10"), 3])
def test_commission_rate_edges_accepted(rate: Decimal) -> None:
    """10% exactly, a hundredth of a percent and whole numbers are all fine."""
    validate_change("in_escrow", "fee_sent", sale_price=510_000, commission_rate=rate)


def test_lost_takes_an_optional_reason() -> None:
    """`lost` may say why; nothing else takes a reason."""
    validate_change("working", "lost")
    validate_change("working", "lost", reason="client chose to rent")
    with pytest.raises(InvalidFields) as error:
        validate_change("working", "lost", reason="x" * 501)
    assert problems_of(error) == ("reason: must be at most 500 characters (got 501)",)
    with pytest.raises(InvalidFields) as error:
        validate_change("in_escrow", "closed", reason="done", **SALE)  # type: ignore[arg-type]
    assert problems_of(error) == ("reason: only recorded when moving to lost",)


def test_options_a_move_does_not_take_are_named() -> None:
    """Figures on the wrong move are refused one by one, each naming its option."""
    with pytest.raises(InvalidFields) as error:
        validate_change(
            "awarded",
            "working",
            sale_price=1,
            commission_rate=Decimal(3),
            closing_date=CLOSING,
            reason="?",
        )
    assert problems_of(error) == (
        "sale_price: only recorded when leaving in_escrow (to fee_sent or closed)",
        "commission_rate: only recorded when leaving in_escrow (to fee_sent or closed)",
        "closing_date: only recorded when moving to in_escrow, fee_sent, fee_received or closed",
        "reason: only recorded when moving to lost",
    )
    assert str(error.value).startswith("sale_price: ")


def test_figures_after_escrow_are_not_rerecorded() -> None:
    """Once out of in_escrow, later moves do not take the sale figures again."""
    with pytest.raises(InvalidFields, match=r"^sale_price: only recorded when leaving"):
        validate_change("fee_sent", "closed", sale_price=510_000)
    validate_change("fee_sent", "closed", closing_date=CLOSING)


@settings(max_examples=300, deadline=None)
@given(
    current=st.sampled_from(REFERRAL_STATUSES),
    target=st.sampled_from(REFERRAL_STATUSES),
    sale_price=st.none() | st.integers(-10, 10**12),
    rate=st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=2),
    closing=st.none() | st.dates(),
    reason=st.none() | st.text(max_size=600),
    recorded=st.booleans(),
)
def test_the_transition_always_decides_first(
    current: str,
    target: str,
    sale_price: int | None,
    rate: Decimal | None,
    closing: date | None,
    reason: str | None,
    recorded: bool,
) -> None:
    """Whatever the options, an illegal move is refused as a move, and only then options."""
    try:
        check_user_move(current, target)
        move_ok = True
    except IllegalMove:
        move_ok = False
    try:
        validate_change(
            current,
            target,
            sale_price=sale_price,
            commission_rate=rate,
            closing_date=closing,
            reason=reason,
            sale_recorded=recorded,
        )
    except IllegalMove:
        assert not move_ok
    except InvalidFields as error:
        assert move_ok
        assert error.problems
        for problem in error.problems:
            assert problem.split(":", 1)[0] in (
                "sale_price",
                "commission_rate",
                "closing_date",
                "reason",
            )
    else:
        assert move_ok


def test_lifecycle_fees_and_thanks_do_not_import_textual() -> None:
    """The engine's lifecycle, fee and thanks modules load without the UI."""
    code = (
        "import sys\n"
        "import referral_desk.engine.rules.lifecycle, referral_desk.engine.rules.fees, "
        "referral_desk.engine.rules.thanks\n"
        "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if 'textual' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
