"""Following a referral to closing: status moves, fee agreements and payments.

The move is checked before its options (`lifecycle.validate_change`); sale
figures are recorded on the first move out of in_escrow and fill in the
expected amount of every fee agreement; a closing queues the recognition task
and makes payable fees due; a payment that differs from the agreement raises
one discrepancy flag.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, insert, select, update

from ...delivery import notify
from ...delivery.escalation import raise_flag
from ...rules.errors import InvalidInput, Refused
from ...rules.fees import (
    check_direction,
    check_paid_amount,
    expected_fee,
    fee_due_on,
    is_discrepancy,
    validate_agreement,
)
from ...rules.ids import format_id
from ...rules.lifecycle import IllegalMove, InvalidFields, validate_change
from ...rules.timefmt import cents_to_text, check_not_ahead, day_problem, to_cents
from ...storage import tables as m
from ...storage.prepared import Prepared
from ...storage.records import FeeAgreement, Referral
from ...storage.rows import agent_contact, referring_party
from ...storage.transaction import Transaction
from ..routing.dispatch import RoutingRun, release_contact, set_status
from .acknowledgments import add_closing_task

# Built once: logging a fee runs them on every agreement.
_FLAG = m.flag
_SETTLE_FEE_DEADLINE = Prepared(
    update(_FLAG)
    .where(
        _FLAG.c.kind == "fee_not_formalized",
        _FLAG.c.referral_id == bindparam("settled_referral"),
        _FLAG.c.resolved_at.is_(None),
    )
    .values(resolved_at=bindparam("at"), resolution_note="fee agreement logged")
)
_AGREEMENTS_OF = Prepared(
    select(m.fee_agreement)
    .where(m.fee_agreement.c.referral_id == bindparam("referral_id"))
    .order_by(m.fee_agreement.c.id)
)
_INSERT_AGREEMENT = Prepared(insert(m.fee_agreement).returning(*m.fee_agreement.c))
_OPEN_DISCREPANCY = Prepared(
    select(m.flag.c.id).where(
        m.flag.c.kind == "fee_discrepancy",
        m.flag.c.referral_id == bindparam("referral_id"),
        m.flag.c.resolved_at.is_(None),
    )
)


def change_status(
    run: RoutingRun,
    referral: Referral,
    target: str,
    *,
    sale_price: int | None,
    commission_rate: Decimal | None,
    closing_date: date | None,
    reason: str | None,
    on: date | None,
) -> None:
    """Moves a referral by hand (`status ID NEW_STATUS`), recording what the move carries."""
    current = referral.status
    try:
        validate_change(
            current,
            target,
            sale_price=sale_price,
            commission_rate=commission_rate,
            closing_date=closing_date,
            reason=reason,
            sale_recorded=referral.sale_price is not None,
        )
    except IllegalMove as error:
        raise Refused(str(error)) from None
    except InvalidFields as error:
        raise InvalidInput(error.problems) from None
    happened = happened_on(run, on)
    if closing_date is not None:
        referral.closing_date = closing_date
    if sale_price is not None and commission_rate is not None:
        _record_sale(run.session, referral, sale_price, commission_rate)
    if target == "lost":
        referral.lost_reason = reason.strip() if reason else None
    if target == "archived":
        referral.archived_from = current
    detail = f"on {happened.isoformat()}" if on else ""
    if reason:
        detail = f"{detail} — {reason.strip()}".strip(" —")
    set_status(run, referral, target, detail)
    if target == "closed" or (target == "fee_sent" and current == "in_escrow"):
        _on_closing(run, referral, referral.closing_date or happened)


def happened_on(run: RoutingRun, on: date | None) -> date:
    """The day something happened: `on` when given (from 1900 on, and not more than a day
    after now: a status move or a payment dated 2099 has not happened), else today."""
    if on is None:
        return run.now.astimezone(run.settings.zone).date()
    problem = day_problem(on)
    if problem:
        raise InvalidInput([f"on: {problem}"])
    check_not_ahead("on", on, run.now, run.settings.zone)
    return on


def _record_sale(
    session: Transaction, referral: Referral, sale_price: int, commission_rate: Decimal
) -> None:
    referral.sale_price = sale_price
    referral.commission_rate = commission_rate
    for agreement in _agreements(session, referral):
        agreement.expected_cents = to_cents(
            expected_fee(sale_price, commission_rate, agreement.percent)
        )


def _on_closing(run: RoutingRun, referral: Referral, closed_on: date) -> None:
    """The sale closed: recognition for the source, payable fees due (once)."""
    if referral.closed_at is not None:
        return
    referral.closed_at = run.now
    party = referring_party(run.session, referral.source_id)
    add_closing_task(run.session, referral, party, run.settings, closed_on)
    for agreement in _agreements(run.session, referral):
        agreement.due_on = fee_due_on(closed_on)
        if agreement.direction == "payable":
            amount = cents_to_text(agreement.expected_cents) or "the agreed percent"
            run.journal.record(
                run.session,
                referral.id,
                "fee",
                run.now,
                detail=f"payable fee to {agreement.counterparty} due {closed_on}: {amount}",
            )
            _notify_bookkeeper(run, referral, agreement, amount)


def _notify_bookkeeper(
    run: RoutingRun, referral: Referral, agreement: FeeAgreement, amount: str
) -> None:
    """The bookkeeper hears of a payable fee falling due (when an address is set)."""
    address = run.settings.bookkeeper_email
    if not address:
        return
    values = {
        "referral_id": format_id("referral", referral.id or 0),
        "counterparty": agreement.counterparty,
        "percent": str(agreement.percent),
        "agreed_by": agreement.agreed_by,
        "amount": f"${amount}" if amount[:1].isdigit() else amount,
        "due_on": str(agreement.due_on),
    }
    draft = notify.team_draft("bookkeeper", values, address, run.settings)
    notify.queue(run.session, draft, run.now, referral.id)


def log_fee(
    run: RoutingRun,
    referral: Referral,
    direction: str,
    percent: Decimal | None,
    agreed_by: str,
    on: date | None,
) -> FeeAgreement:
    """Records the fee agreement an agent made (the desk never makes one)."""
    try:
        terms = validate_agreement(direction, percent, agreed_by)
    except InvalidFields as error:
        raise InvalidInput(error.problems) from None
    agreed_on = happened_on(run, on)
    counterparty = _counterparty(run.session, referral, terms.direction)
    agreement = next(
        (a for a in _agreements(run.session, referral) if a.direction == terms.direction), None
    )
    if agreement is None:
        values = {
            "referral_id": referral.id,
            "direction": terms.direction,
            "counterparty": counterparty,
            "percent": terms.percent,
            "agreed_by": terms.agreed_by,
            "agreed_on": agreed_on,
            "created_at": run.now,
        }
        row = run.session.execute(_INSERT_AGREEMENT, values).one()
        agreement = run.session.track(FeeAgreement.of(row))
        verb = "logged"
    else:
        agreement.percent, agreement.agreed_by = terms.percent, terms.agreed_by
        agreement.agreed_on = agreed_on if on else agreement.agreed_on
        verb = "updated"
    if referral.sale_price is not None and referral.commission_rate is not None:
        agreement.expected_cents = to_cents(
            expected_fee(referral.sale_price, referral.commission_rate, terms.percent)
        )
    if referral.closed_at is not None and referral.closing_date is not None:
        agreement.due_on = fee_due_on(referral.closing_date)
    run.journal.record(
        run.session,
        referral.id,
        "fee",
        run.now,
        detail=f"{terms.direction} {terms.percent}% {verb} with {counterparty}, "
        f"agreed by {terms.agreed_by}",
    )
    _resolve_fee_deadline(run, referral)
    if referral.status == "pending":
        release_contact(run, referral)
        set_status(run, referral, "awarded", "fee agreement logged")
        run.journal.record(
            run.session,
            referral.id,
            "awarded",
            run.now,
            agent_id=referral.assigned_agent_id,
            detail=f"awarded to {referral.assigned_agent_id} on the desk's referral terms",
        )
    return agreement


def _resolve_fee_deadline(run: RoutingRun, referral: Referral) -> None:
    """A logged agreement settles any open fee-not-formalized flag of the referral."""
    run.session.execute(_SETTLE_FEE_DEADLINE, {"settled_referral": referral.id, "at": run.now})


def _counterparty(session: Transaction, referral: Referral, direction: str) -> str:
    if direction == "receivable":
        if referral.assigned_agent_id is None:
            raise Refused("direction: a receivable fee needs a receiving agent; none is assigned")
        agent = agent_contact(session, referral.assigned_agent_id)
        if agent.kind != "partner":
            raise Refused(
                f"direction: {agent.name} is a team member; no referral fee is owed to us"
            )
        return str(agent.name)
    party = referring_party(session, referral.source_id)
    if party.type != "agent":
        raise Refused(
            f"direction: payable fees are owed to referring agents; {party.name} is a "
            f"{party.type} source"
        )
    return str(party.name)


def record_payment(
    run: RoutingRun,
    referral: Referral,
    amount: Decimal,
    on: date | None,
    direction: str | None,
) -> FeeAgreement:
    """Logs a fee payment; a paid amount that differs from the expected one raises a flag."""
    try:
        paid = check_paid_amount(amount)
        if direction is not None:
            direction = check_direction(direction.strip().lower())
    except InvalidFields as error:
        raise InvalidInput(error.problems) from None
    paid_on = happened_on(run, on)
    agreement = _agreement_for_payment(run.session, referral, direction)
    agreement.paid_cents = to_cents(paid)
    agreement.paid_on = paid_on
    expected_text = cents_to_text(agreement.expected_cents)
    expected = Decimal(expected_text) if expected_text is not None else None
    run.journal.record(
        run.session,
        referral.id,
        "fee",
        run.now,
        detail=f"{agreement.direction} fee paid: {paid} on {agreement.paid_on}",
    )
    if is_discrepancy(expected, paid):
        _flag_discrepancy(run, referral, agreement, expected, paid)
    return agreement


def _agreement_for_payment(
    session: Transaction, referral: Referral, direction: str | None
) -> FeeAgreement:
    agreements = _agreements(session, referral)
    if direction is not None:
        agreements = [a for a in agreements if a.direction == direction]
    if not agreements:
        wanted = f"{direction} " if direction else ""
        raise Refused(
            f"fee: no {wanted}fee agreement is logged for "
            f"{format_id('referral', referral.id or 0)} (log it first: fee ID log)"
        )
    if len(agreements) > 1:
        raise InvalidInput(["direction: this referral has both fees; say which was paid"])
    return agreements[0]


def _flag_discrepancy(
    run: RoutingRun,
    referral: Referral,
    agreement: FeeAgreement,
    expected: Decimal | None,
    paid: Decimal,
) -> None:
    open_flag = run.session.execute(_OPEN_DISCREPANCY, {"referral_id": referral.id}).first()
    if open_flag is not None:
        return
    detail = (
        f"{agreement.direction} fee from {agreement.counterparty}: paid {paid}, tracked {expected}"
    )
    raise_flag(
        run.session,
        "fee_discrepancy",
        run.now,
        detail,
        referral_id=referral.id,
        source_id=referral.source_id,
        settings=run.settings,
    )


def _agreements(session: Transaction, referral: Referral) -> list[FeeAgreement]:
    """The referral's fee agreements, as records this write may change."""
    rows = session.execute(_AGREEMENTS_OF, {"referral_id": referral.id})
    return [session.track(FeeAgreement.of(row)) for row in rows]
