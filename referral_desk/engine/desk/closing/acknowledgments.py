"""Acknowledgment tasks inside a write transaction: created at intake and closing.

`thanks.py` decides when each task is due and drafts its words (pure); this
module stores the tasks with the channel the referring party can be reached on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Row, bindparam, insert, select, update

from ...rules.thanks import (
    card_draft,
    closing_recognition_due,
    intake_due,
    recognition_draft,
    recognition_suggestion,
    thanks_draft,
)
from ...storage import tables as m
from ...storage.prepared import Prepared
from ...storage.records import Referral
from ...storage.transaction import Transaction
from ...values.settings import DeskSettings

_INSERT_TASK = Prepared(insert(m.ack_task))
"""Built once; tasks are written as Core rows (nothing reads them back in the same write)."""


class Thanked(Protocol):
    """What a task needs of the referring party (its row)."""

    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def gift_policy(self) -> str: ...


def channel_for(party: Thanked) -> str:
    """How to reach the referring party: email, else a call, else in person."""
    if party.email:
        return "email"
    if party.phone:
        return "call"
    return "in_person"


def _channel(kind: str, party: Thanked) -> str:
    return "card" if kind == "card" else channel_for(party)


def add_intake_tasks(
    session: Transaction, referral: Referral, party: Thanked, settings: DeskSettings
) -> None:
    """The personal thank-you (24 h), and a card (3 business days) if the agent sends cards."""
    voice = settings.agent_name
    drafts = {
        "personal_thanks": thanks_draft(voice, party.name, party.type, referral.client_first_name),
        "card": card_draft(voice, party.name, party.type, referral.client_first_name),
    }
    rows = [
        _task_row(referral, party, kind, due_at, drafts[kind], _channel(kind, party))
        for kind, due_at in intake_due(referral.received_at, settings).items()
    ]
    if rows:
        session.execute(_INSERT_TASK, rows)


def _task_row(
    referral: Referral,
    party: Thanked,
    kind: str,
    due_at: datetime,
    draft: str,
    channel: str,
) -> dict[str, Any]:
    return {
        "referral_id": referral.id or 0,
        "source_id": party.id or 0,
        "kind": kind,
        "due_at": due_at,
        "done_at": None,
        "draft": draft,
        "channel": channel,
    }


def add_closing_task(
    session: Transaction,
    referral: Referral,
    party: Thanked,
    settings: DeskSettings,
    closed_on: date,
) -> None:
    """The closing recognition, due within a week of the closing, suited to the source."""
    suggestion = recognition_suggestion(party.type, party.gift_policy)
    note = recognition_draft(
        settings.agent_name, party.name, party.type, referral.client_first_name, party.gift_policy
    )
    due_at = closing_recognition_due(closed_on, settings.zone)
    draft = f"{suggestion}\n\n{note}"
    row = _task_row(referral, party, "closing_recognition", due_at, draft, channel_for(party))
    session.execute(_INSERT_TASK, row)


_COMPLETE_TASK = Prepared(
    update(m.ack_task)
    .where(m.ack_task.c.id == bindparam("task_id"), m.ack_task.c.done_at.is_(None))
    .values(done_at=bindparam("finished_at", type_=m.ack_task.c.done_at.type))
)
_TASK = Prepared(select(m.ack_task).where(m.ack_task.c.id == bindparam("task_id")))


def complete(session: Transaction, task_id: int, now: datetime) -> tuple[Row[Any], bool] | None:
    """Marks a task done: the task, and whether this call did it (False: it already was);
    None when there is no such task."""
    changed = session.execute(_COMPLETE_TASK, {"task_id": task_id, "finished_at": now}).rowcount
    task = session.execute(_TASK, {"task_id": task_id}).one_or_none()
    return None if task is None else (task, changed == 1)
