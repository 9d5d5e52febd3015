"""The frozen view of a message in the outbox, as the CLI prints it and screens show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from ..rules.ids import format_id
from .mapping import json_of, view_of


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
        return view_of(
            cls,
            row,
            id=format_id("message", row.id),
            to=row.recipient,
            referral_id=format_id("referral", row.referral_id) if row.referral_id else None,
        )

    def to_json(self) -> dict[str, Any]:
        """The contract's outbox object, plus delivery details."""
        return json_of(self)
