"""Escalations for the team lead: the rules that raise them, once each.

Flags are raised by the service (a payment that differs from the agreement, a
burst of referrals from one source, a source asking about status, an exhausted
roster) and by the clock's tick (a closing within 10 days with no fee logged).
Resolving a flag keeps it, with its note, as history.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import and_, exists, func, select
from sqlmodel import Session, col

from . import models as m
from . import notify
from .ids import format_id
from .settings import DeskSettings

FLAG_KINDS: Final = (
    "roster_exhausted",
    "fee_not_formalized",
    "fee_discrepancy",
    "source_burst",
    "status_inquiry",
    "delivery_failed",
)
MANUAL_KINDS: Final = ("status_inquiry", "fee_discrepancy", "roster_exhausted")
"""Kinds a user may raise by hand (`flags raise`)."""

FEE_DEADLINE_DAYS: Final = 10
BURST_COUNT: Final = 3
BURST_WINDOW: Final = timedelta(days=30)


def raise_flag(
    session: Session,
    kind: str,
    now: datetime,
    detail: str,
    *,
    referral_id: int | None = None,
    source_id: int | None = None,
    settings: DeskSettings | None = None,
) -> m.Flag:
    """Stores a new open flag, and queues a notice to the team lead when one is set."""
    flag = m.Flag(
        kind=kind, referral_id=referral_id, source_id=source_id, raised_at=now, detail=detail
    )
    session.add(flag)
    session.flush()
    if settings is not None and settings.team_lead_email:
        values = {
            "flag_kind": kind.replace("_", " "),
            "flag_detail": detail,
            "flag_id": format_id("flag", flag.id or 0),
            "referral_id": format_id("referral", referral_id) if referral_id else "",
            "raised_at": now.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M %Z"),
        }
        draft = notify.team_draft("flag", values, settings.team_lead_email, settings)
        notify.queue(session, draft, now, referral_id)
    return flag


def check_source_burst(
    session: Session,
    party: m.ReferringParty,
    received_at: datetime,
    now: datetime,
    settings: DeskSettings | None = None,
) -> m.Flag | None:
    """Three or more referrals from one source within 30 days: one flag per burst."""
    since = received_at - BURST_WINDOW
    count = session.execute(
        select(func.count()).where(
            m.Referral.source_id == party.id,
            m.Referral.received_at > since,
            m.Referral.received_at <= received_at,
        )
    ).scalar_one()
    if count < BURST_COUNT:
        return None
    recent_flag = session.execute(
        select(m.Flag.id).where(
            m.Flag.kind == "source_burst",
            m.Flag.source_id == party.id,
            m.Flag.raised_at > now - BURST_WINDOW,
        )
    ).first()
    if recent_flag is not None:
        return None
    detail = f"{party.name} sent {count} referrals within 30 days: thank them, check the fit"
    return raise_flag(session, "source_burst", now, detail, source_id=party.id, settings=settings)


def due_fee_deadlines(
    session: Session, today: date, referral_id: int | None = None
) -> list[m.Referral]:
    """Referrals in escrow closing within 10 days whose fee is owed but not logged."""
    horizon = today + timedelta(days=FEE_DEADLINE_DAYS)
    partner = exists().where(m.Agent.id == m.Referral.assigned_agent_id, m.Agent.kind == "partner")
    agent_source = exists().where(
        m.ReferringParty.id == m.Referral.source_id, m.ReferringParty.type == "agent"
    )
    logged = exists().where(m.FeeAgreement.referral_id == m.Referral.id)
    flagged = exists().where(
        and_(m.Flag.referral_id == m.Referral.id, m.Flag.kind == "fee_not_formalized")
    )
    query = select(m.Referral)
    if referral_id is not None:
        query = query.where(m.Referral.id == referral_id)
    return list(
        session.execute(
            query.where(
                m.Referral.status == "in_escrow",
                col(m.Referral.closing_date).is_not(None),
                col(m.Referral.closing_date) <= horizon,
                partner | agent_source,
                ~logged,
                ~flagged,
            )
        ).scalars()
    )


def raise_fee_deadline(
    session: Session, referral: m.Referral, now: datetime, settings: DeskSettings | None = None
) -> m.Flag:
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
