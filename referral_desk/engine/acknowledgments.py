"""Acknowledgment tasks inside a write transaction: created at intake and closing.

`thanks.py` decides when each task is due and drafts its words (pure); this
module stores the tasks with the channel the referring party can be reached on.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from . import models as m
from .settings import DeskSettings
from .thanks import (
    card_draft,
    closing_recognition_due,
    intake_due,
    recognition_draft,
    recognition_suggestion,
    thanks_draft,
)


def channel_for(party: m.ReferringParty) -> str:
    """How to reach the referring party: email, else a call, else in person."""
    if party.email:
        return "email"
    if party.phone:
        return "call"
    return "in_person"


def add_intake_tasks(
    session: Session, referral: m.Referral, party: m.ReferringParty, settings: DeskSettings
) -> None:
    """The personal thank-you (24 h), and a card (3 business days) if the agent sends cards."""
    voice = settings.agent_name
    drafts = {
        "personal_thanks": thanks_draft(voice, party.name, party.type, referral.client_first_name),
        "card": card_draft(voice, party.name, party.type, referral.client_first_name),
    }
    for kind, due_at in intake_due(referral.received_at, settings).items():
        session.add(
            m.AckTask(
                referral_id=referral.id or 0,
                source_id=party.id or 0,
                kind=kind,
                due_at=due_at,
                draft=drafts[kind],
                channel="card" if kind == "card" else channel_for(party),
            )
        )


def add_closing_task(
    session: Session,
    referral: m.Referral,
    party: m.ReferringParty,
    settings: DeskSettings,
    closed_on: date,
) -> None:
    """The closing recognition, due within a week of the closing, suited to the source."""
    suggestion = recognition_suggestion(party.type, party.gift_policy)
    note = recognition_draft(
        settings.agent_name, party.name, party.type, referral.client_first_name, party.gift_policy
    )
    session.add(
        m.AckTask(
            referral_id=referral.id or 0,
            source_id=party.id or 0,
            kind="closing_recognition",
            due_at=closing_recognition_due(closed_on, settings.zone),
            draft=f"{suggestion}\n\n{note}",
            channel=channel_for(party),
        )
    )


def complete(task: m.AckTask, now: datetime) -> bool:
    """Marks a task done; False if it already was."""
    if task.done_at is not None:
        return False
    task.done_at = now
    return True
