"""The outbox: what the desk has queued or sent, its delivery, and retries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select

from ..delivery import outbox as delivery
from ..read.messages import MessageView
from ..rules.errors import NotFound, Refused, echo
from ..rules.ids import format_id, parse_id
from ..storage import tables as m
from ..storage.transaction import Transaction
from .writer import DeskWriter


class OutboxService:
    """Messages to agents, the team lead and the bookkeeper."""

    def __init__(self, writer: DeskWriter, server_outbox_dir: Callable[[], Path | None]) -> None:
        self.writer = writer
        self._server_outbox_dir = server_outbox_dir
        """Where the file channel writes for a server database, as the app or CLI set it."""

    def outbox_folder(self) -> Path:
        """Where the file channel puts `.eml` files for this desk."""
        from ...locations import server_outbox_dir  # the user data dir, never the cwd

        fallback = self._server_outbox_dir() or server_outbox_dir()
        return delivery.outbox_folder(self.writer.settings(), self.writer.store.url, fallback)

    def deliver_outbox(
        self, now: datetime, transport: object | None = None
    ) -> delivery.DeliveryReport:
        """One pass of the dispatcher: every due message tried once (the clock runs it)."""
        settings = self.writer.settings()
        chooser = transport if callable(transport) else None
        return delivery.deliver_due(
            self.writer.store,
            settings,
            now,
            self.outbox_folder(),
            self.writer.bump,
            chooser,
        )

    def retry_message(self, message_id: str, now: datetime) -> MessageView:
        """Puts a failed or waiting message back in line now."""
        with self.writer.writing() as session:
            row = self._message(session, message_id)
            if row.status in ("sent", "sending", "to_call"):
                raise Refused(f"message: {format_id('message', row.id or 0)} is {row.status}")
            return MessageView.of(delivery.retry_now(session, row.id, now))

    def mark_called(self, message_id: str, now: datetime) -> MessageView:
        """The VA made the call a `call` message asked for."""
        with self.writer.writing() as session:
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
            raise NotFound(f"message: no message {echo(message_id.strip())}")
        return row


__all__ = ["OutboxService"]
