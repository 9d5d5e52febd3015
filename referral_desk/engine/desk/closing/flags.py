"""The rules that raise escalations for the team lead, once each (`delivery.escalation`
stores a flag and tells the team lead).

Flags are raised by the service (a payment that differs from the agreement, a
burst of referrals from one source, a source asking about status, an exhausted
roster) and by the clock's tick (a closing within 10 days with no fee logged).
Resolving a flag keeps it, with its note, as history.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Row, Select, and_, bindparam, exists, func, select

from ...delivery.escalation import raise_flag
from ...rules.ids import format_id
from ...storage import tables as m
from ...storage.prepared import Prepared
from ...storage.transaction import Transaction
from ...values.settings import DeskSettings

FEE_DEADLINE_DAYS: Final = 10
BURST_COUNT: Final = 3
BURST_WINDOW: Final = timedelta(days=30)

_REFERRAL = m.referral
_FLAG = m.flag
# Built once: every intake asks.
_SOURCE_RECENT_REFERRALS = Prepared(
    select(func.count()).where(
        _REFERRAL.c.source_id == bindparam("source_id"),
        _REFERRAL.c.received_at > bindparam("since", type_=_REFERRAL.c.received_at.type),
        _REFERRAL.c.received_at <= bindparam("until", type_=_REFERRAL.c.received_at.type),
    )
)
_RECENT_BURST_FLAG = Prepared(
    select(_FLAG.c.id).where(
        _FLAG.c.kind == "source_burst",
        _FLAG.c.source_id == bindparam("source_id"),
        _FLAG.c.raised_at > bindparam("since", type_=_FLAG.c.raised_at.type),
    )
)


def check_source_burst(
    session: Transaction,
    party: Row[Any],
    received_at: datetime,
    now: datetime,
    settings: DeskSettings | None = None,
) -> Row[Any] | None:
    """Three or more referrals from one source within 30 days: one flag per burst.

    The flag is looked for first: while one is up, the referrals need no counting.
    Counted first, a list of 10,000 referrals from one source counted 5,000 of them
    on average for each, a cost that grew with the list (and with a busy source).
    """
    recent_flag = session.execute(
        _RECENT_BURST_FLAG, {"source_id": party.id, "since": now - BURST_WINDOW}
    ).first()
    if recent_flag is not None:
        return None
    count = session.execute(
        _SOURCE_RECENT_REFERRALS,
        {"source_id": party.id, "since": received_at - BURST_WINDOW, "until": received_at},
    ).scalar_one()
    if count < BURST_COUNT:
        return None
    detail = f"{party.name} sent {count} referrals within 30 days: thank them, check the fit"
    return raise_flag(session, "source_burst", now, detail, source_id=party.id, settings=settings)


def _due_fee_deadlines(one: bool) -> Select[Any]:
    referral = m.referral
    partner = exists().where(
        m.agent.c.id == referral.c.assigned_agent_id, m.agent.c.kind == "partner"
    )
    agent_source = exists().where(
        m.referring_party.c.id == referral.c.source_id, m.referring_party.c.type == "agent"
    )
    logged = exists().where(m.fee_agreement.c.referral_id == referral.c.id)
    flagged = exists().where(
        and_(m.flag.c.referral_id == referral.c.id, m.flag.c.kind == "fee_not_formalized")
    )
    # The probes in the order that rules most referrals out first: in escrow, most
    # have their fee logged already (a third less work for the clock's sweep).
    query = select(referral.c.id, referral.c.closing_date, referral.c.source_id).where(
        referral.c.status == "in_escrow",
        referral.c.closing_date.is_not(None),
        referral.c.closing_date <= bindparam("horizon", type_=referral.c.closing_date.type),
        ~logged,
        ~flagged,
        partner | agent_source,
    )
    return query.where(referral.c.id == bindparam("referral_id")) if one else query


# Built once: the clock asks on every tick.
_DUE_FEE_DEADLINES = Prepared(_due_fee_deadlines(one=False))
_DUE_FEE_DEADLINE_OF = Prepared(_due_fee_deadlines(one=True))


def due_fee_deadlines(
    session: Transaction, today: date, referral_id: int | None = None
) -> list[Row[Any]]:
    """Referrals in escrow closing within 10 days whose fee is owed but not logged
    (their id, closing date and source)."""
    horizon = today + timedelta(days=FEE_DEADLINE_DAYS)
    if referral_id is None:
        return list(session.execute(_DUE_FEE_DEADLINES, {"horizon": horizon}))
    wanted = {"horizon": horizon, "referral_id": referral_id}
    return list(session.execute(_DUE_FEE_DEADLINE_OF, wanted))


def flag_fee_deadline_if_due(
    session: Transaction, referral_id: int, now: datetime, settings: DeskSettings
) -> Row[Any] | None:
    """The fee-not-formalized flag for this referral if its deadline is due and unflagged."""
    today = now.astimezone(settings.zone).date()
    due = due_fee_deadlines(session, today, referral_id=referral_id)
    return raise_fee_deadline(session, due[0], now, settings) if due else None


def raise_fee_deadline(
    session: Transaction, referral: Row[Any], now: datetime, settings: DeskSettings | None = None
) -> Row[Any]:
    """The fee-not-formalized flag for one referral."""
    detail = (
        f"{format_id('referral', referral.id or 0)} closes {referral.closing_date} "
        "and no fee agreement is logged: ask the agent to formalize it"
    )
    return raise_flag(
        session,
        "fee_not_formalized",
        now,
        detail,
        referral_id=referral.id,
        source_id=referral.source_id,
        settings=settings,
    )
