"""CRM write-back: every event of a referral, queued in the outbox as signed JSON.

With the `crm_webhook_url` setting, each write queues one `crm` message per event
it recorded, in the same transaction (an event is never heard without having
happened, nor lost when the CRM is down): `{"event", "at", "referral_id",
"status", "assigned_agent_id", "agent_id", "detail"}` — the referral's status and
assignee as the write leaves them, and never the client's contact. The outbox
POSTs each (`channels.CrmChannel`), signed like the SMS webhook, and retries it
with backoff like every message.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

from sqlalchemy import bindparam, insert, select

from ..rules.ids import format_id
from ..rules.timefmt import iso
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.transaction import Transaction

__all__ = ["CRM_CHANNEL", "crm_document", "queue_events"]

CRM_CHANNEL: Final = "crm"
_STATES = Prepared(
    select(m.referral.c.id, m.referral.c.status, m.referral.c.assigned_agent_id).where(
        m.referral.c.id.in_(bindparam("numbers", expanding=True))
    )
)
_INSERT = Prepared(insert(m.outbox_message))


def crm_document(event: dict[str, Any], status: str | None, assigned: str | None) -> str:
    """One event as the CRM hears it (no client contact: the event's own fields)."""
    number = event["referral_id"]
    return json.dumps(
        {
            "event": event["kind"],
            "at": iso(event["at"]),
            "referral_id": format_id("referral", number) if number else None,
            "status": status,
            "assigned_agent_id": assigned,
            "agent_id": event["agent_id"],
            "detail": event["detail"],
        },
        ensure_ascii=False,
    )


def queue_events(session: Transaction, events: list[dict[str, Any]], url: str) -> None:
    """Queues one `crm` message per event (the referral's state read as the write
    leaves it), in the transaction that recorded them."""
    if not events:
        return
    numbers = sorted({event["referral_id"] for event in events if event["referral_id"]})
    states = (
        {
            row.id: (row.status, row.assigned_agent_id)
            for row in session.execute(_STATES, {"numbers": numbers})
        }
        if numbers
        else {}
    )
    rows = []
    for event in events:
        status, assigned = states.get(event["referral_id"], (None, None))
        at: datetime = event["at"]
        rows.append(
            {
                "kind": "crm_event",
                "channel": CRM_CHANNEL,
                "recipient": url,
                "subject": event["kind"],
                "body": crm_document(event, status, assigned),
                "referral_id": event["referral_id"],
                "status": "pending",
                "created_at": at,
                "attempts": 0,
                "next_attempt_at": at,
            }
        )
    session.execute(_INSERT, rows)
