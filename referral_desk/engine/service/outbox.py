"""The outbox: what the desk has queued or sent, its delivery, and retries."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from .. import models as m
from .. import outbox as delivery
from ..channels import Channel
from ..errors import NotFound, Refused
from ..ids import format_id, parse_id
from ..views import MessageView
from .base import DeskBase, settings_of


class OutboxOperations(DeskBase):
    """Messages to agents, the team lead and the bookkeeper."""

    server_outbox_dir: Path | None = None
    """Where the file channel writes for a server database (the app sets it)."""

    def outbox(self, status: str | None = None, limit: int = 1000) -> list[MessageView]:
        """Messages, newest first; optionally only those in one status."""
        with self.store.read() as session:
            query = select(m.OutboxMessage)
            if status is not None:
                query = query.where(m.OutboxMessage.status == status)
            rows = session.execute(
                query.order_by(col(m.OutboxMessage.id).desc()).limit(limit)
            ).scalars()
            return [MessageView.of(row) for row in rows]

    def outbox_folder(self) -> Path:
        """Where the file channel puts `.eml` files for this desk."""
        from ...locations import server_outbox_dir  # the user data dir, never the cwd

        fallback = self.server_outbox_dir or server_outbox_dir()
        return delivery.outbox_folder(self.settings_now(), self.store.url, fallback)

    def settings_now(self):  # type: ignore[no-untyped-def]
        with self.store.read() as session:
            return settings_of(session)

    def deliver_outbox(
        self, now: datetime, transport: object | None = None
    ) -> delivery.DeliveryReport:
        """One pass of the dispatcher: every due message tried once (the clock runs it)."""
        settings = self.settings_now()
        chooser = transport if callable(transport) else None
        return delivery.deliver_due(
            self.store,
            settings,
            now,
            self.outbox_folder(),
            self.bump,  # type: ignore[arg-type]
            chooser,  # type: ignore[arg-type]
        )

    def retry_message(self, message_id: str, now: datetime) -> MessageView:
        """Puts a failed or waiting message back in line now."""
        with self.writing() as session:
            row = self._message(session, message_id)
            if row.status in ("sent", "sending", "to_call"):
                raise Refused(f"message: {format_id('message', row.id or 0)} is {row.status}")
            delivery.retry_now(row, now)
            return MessageView.of(row)

    def mark_called(self, message_id: str, now: datetime) -> MessageView:
        """The VA made the call a `call` message asked for."""
        with self.writing() as session:
            row = self._message(session, message_id)
            if row.status != "to_call":
                raise Refused(f"message: {format_id('message', row.id or 0)} is not a call to make")
            row.status, row.sent_at = "sent", now
            return MessageView.of(row)

    @staticmethod
    def _message(session, message_id: str) -> m.OutboxMessage:  # type: ignore[no-untyped-def]
        row = session.get(m.OutboxMessage, parse_id("message", message_id))
        if row is None:
            raise NotFound(f"message: no message {message_id.strip()[:40]!r}")
        return row


__all__ = ["Channel", "OutboxOperations"]
