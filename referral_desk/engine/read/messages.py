"""The frozen view of a message in the outbox, as the CLI prints it and screens show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from ..rules.ids import format_id
from ..rules.timefmt import iso


@dataclass(frozen=True)
class MessageView:
    """A message in the outbox: queued, being sent, sent, failed, or a call to make."""

    id: str
    kind: str
    channel: str
    to: str
    subject: str
    body: str
    referral_id: str | None
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, row: Row[Any]) -> MessageView:
        assert row.id is not None
        return cls(
            id=format_id("message", row.id),
            kind=row.kind,
            channel=row.channel,
            to=row.recipient,
            subject=row.subject,
            body=row.body,
            referral_id=format_id("referral", row.referral_id) if row.referral_id else None,
            status=row.status,
            attempts=row.attempts,
            created_at=row.created_at,
            sent_at=row.sent_at,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
        )

    def to_json(self) -> dict[str, Any]:
        """The contract's outbox object, plus delivery details."""
        return {
            "id": self.id,
            "kind": self.kind,
            "channel": self.channel,
            "to": self.to,
            "subject": self.subject,
            "body": self.body,
            "referral_id": self.referral_id,
            "status": self.status,
            "attempts": self.attempts,
            "created_at": iso(self.created_at),
            "sent_at": iso(self.sent_at),
            "next_attempt_at": iso(self.next_attempt_at),
            "last_error": self.last_error,
        }
