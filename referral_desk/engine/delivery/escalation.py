"""Raising an escalation: a flag stored for the team lead, and a notice queued to them.

Below the desk's areas and beside delivery, because both raise flags: routing
when the roster is exhausted, closing on fee deadlines and discrepancies, and
the outbox when a message cannot be delivered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert

from ..rules.ids import format_id
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.transaction import Transaction
from ..values.settings import DeskSettings
from . import notify

__all__ = ["raise_flag"]

_INSERT_FLAG = Prepared(insert(m.flag).returning(*m.flag.c))


def raise_flag(
    session: Transaction,
    kind: str,
    now: datetime,
    detail: str,
    *,
    referral_id: int | None = None,
    source_id: int | None = None,
    settings: DeskSettings | None = None,
) -> Row[Any]:
    """Stores a new open flag, and queues a notice to the team lead when one is set."""
    flag = session.execute(
        _INSERT_FLAG,
        {
            "kind": kind,
            "referral_id": referral_id,
            "source_id": source_id,
            "raised_at": now,
            "detail": detail,
        },
    ).one()
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
