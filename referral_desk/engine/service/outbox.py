"""The outbox: what the desk has queued or sent, its delivery, and retries."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select

from .. import models as m
from .. import outbox as delivery
from ..channels import Channel
from ..errors import NotFound, Refused
from ..ids import format_id, parse_id
from ..settings import DeskSettings
from ..store import Transaction
from ..views import MessageView
from .base import DeskBase, settings_of


class OutboxOperations(DeskBase):
    """Messages to agents, the team lead and the bookkeeper."""

    server_outbox_dir: Path | None = None
    """Where the file channel writes for a server database (the app sets it)."""

    def outbox(self, status: str | None = None, limit: int = 1000) -> list[MessageView]:
        """Messages, newest first; optionally only those in one status."""
        with self.store.read() as session:
            query = select(m.outbox_message)
            if status is not None:
                query = query.where(m.outbox_message.c.status == status)
            rows = session.execute(query.order_by(m.outbox_message.c.id.desc()).limit(limit))
            return [MessageView.of(row) for row in rows]

    def outbox_folder(self) -> Path:
        """Where the file channel puts `.eml` files for this desk."""
        from ...locations import server_outbox_dir  # the user data dir, never the cwd

        fallback = self.server_outbox_dir or server_outbox_dir()
        return delivery.outbox_folder(self.settings_now(), self.store.url, fallback)

    def settings_now(self) -> DeskSettings:
        """The desk's settings as stored now (each delivery pass reads them afresh)."""
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
            self.bump,
            chooser,
        )

    def retry_message(self, message_id: str, now: datetime) -> MessageView:
        """Puts a failed or waiting message back in line now."""
        with self.writing() as session:
            row = self._message(session, message_id)
            if row.status in ("sent", "sending", "to_call"):
                raise Refused(f"message: {format_id('message', row.id or 0)} is {row.status}")
            return MessageView.of(delivery.retry_now(session, row.id, now))

    def mark_called(self, message_id: str, now: datetime) -> MessageView:
        """The VA made the call a `call` message asked for."""
        with self.writing() as session:
            row = self._message(session, message_id)
            if row.status != "to_call":
                raise Refused(f"message: {format_id('message', row.id or 0)} is not a call to make")
            return MessageView.of(delivery.mark_sent(session, row.id, now))

    @staticmethod
    def _message(session: Transaction, message_id: str) -> Row[Any]:
        number = parse_id("message", message_id)
        row = session.execute(
            select(m.outbox_message).where(m.outbox_message.c.id == number)
        ).one_or_none()
        if row is None:
            raise NotFound(f"message: no message {message_id.strip()[:40]!r}")
        return row


__all__ = ["Channel", "OutboxOperations"]
