"""The desk's tables.

Rows stay inside the engine: the desk service turns them into frozen views
(`views.py`) before anything outside the engine sees them. Every table here is
created by an Alembic migration under `migrations/versions`; changing a column
means adding a migration, never editing an old one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from .columns import ExactDecimal, UTCDateTime


def _utc(nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Setting(SQLModel, table=True):
    """One desk setting, stored as JSON text under its contract key."""

    __tablename__ = "setting"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class Agent(SQLModel, table=True):
    """An agent on the roster: an external partner or a team member."""

    __tablename__ = "agent"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    brokerage: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=320)
    phone: str = Field(default="", max_length=32)
    preferred_channel: str = Field(default="email", max_length=16)
    metros: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    zips: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    sides: str = Field(default="both", max_length=16)
    price_min: int = 0
    price_max: int = 0
    property_types: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    capacity: int = 1
    active: bool = True
    away_from: date | None = None
    away_until: date | None = None
    on_duty: str = Field(default="", max_length=500)
    weight: int = 1
    network: str | None = Field(default=None, max_length=100, index=True)
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())


class AgentTerritory(SQLModel, table=True):
    """One metro or ZIP an agent covers, casefolded, so routing filters in SQL."""

    __tablename__ = "agent_territory"
    __table_args__ = (Index("ix_agent_territory_kind_value", "kind", "value"),)
    id: int | None = Field(default=None, primary_key=True)
    agent_id: str = Field(foreign_key="agent.id", index=True, max_length=64)
    kind: str = Field(max_length=8)
    value: str = Field(max_length=200)


class ReferringParty(SQLModel, table=True):
    """Who sent a referral: past client, sphere, out-of-area agent or professional."""

    __tablename__ = "referring_party"
    __table_args__ = (Index("ix_referring_party_identity", "name", "type", "email"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    type: str = Field(max_length=16)
    email: str = Field(default="", max_length=320)
    phone: str = Field(default="", max_length=32)
    brokerage: str = Field(default="", max_length=200)
    tag: str = Field(default="Referral Source", max_length=100)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    referral_count: int = 0
    gift_policy: str = Field(default="gifts", max_length=32)
    identity_key: str = Field(default="", max_length=600, index=True)
    """Casefolded name, type and email: the same key means the same party."""
    created_at: datetime = Field(sa_column=_utc())


class Referral(SQLModel, table=True):
    """A referral: who the client is, what they want, who sent it, who has it."""

    __tablename__ = "referral"
    # The report's covering indexes (migration 0004, which also adds two expression
    # indexes on routing delays that only the migration declares).
    __table_args__ = (
        Index(
            "ix_referral_status_received", "status", "archived_from", "received_at", "accepted_at"
        ),
        Index("ix_referral_assigned_status", "assigned_agent_id", "status"),
        Index("ix_referral_status_closing", "status", "closing_date"),
        Index(
            "ix_referral_received_report",
            "received_at",
            "source_id",
            "first_offered_at",
            "accepted_at",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(sa_column=_utc(index=True))
    client_first_name: str = Field(max_length=100)
    client_last_name: str = Field(default="", max_length=100)
    client_email: str = Field(default="", max_length=320)
    client_phone: str = Field(default="", max_length=32)
    side: str = Field(max_length=8)
    metro: str = Field(max_length=100)
    zip: str | None = Field(default=None, max_length=5)
    price_min: int
    price_max: int
    property_type: str = Field(max_length=32)
    timeline: str = Field(default="", max_length=500)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    source_id: int = Field(foreign_key="referring_party.id", index=True)
    lead_source: str = Field(default="", max_length=300)
    mode: str = Field(max_length=16)
    network: str | None = Field(default=None, max_length=100)
    private_agent_id: str | None = Field(default=None, foreign_key="agent.id", max_length=64)
    status: str = Field(max_length=16, index=True)
    assigned_agent_id: str | None = Field(
        default=None, foreign_key="agent.id", index=True, max_length=64
    )
    sale_price: int | None = None
    commission_rate: Decimal | None = Field(default=None, sa_column=Column(ExactDecimal()))
    closing_date: date | None = None
    lost_reason: str | None = Field(default=None, max_length=500)
    archived_from: str | None = Field(default=None, max_length=16)
    first_offered_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    accepted_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())


class Offer(SQLModel, table=True):
    """One referral offered to one agent, with its window and why this agent."""

    __tablename__ = "offer"
    __table_args__ = (
        Index("ix_offer_status_expires", "status", "expires_at"),
        Index("ix_offer_agent_status", "agent_id", "status"),
        Index("ix_offer_agent_offered", "agent_id", "offered_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    agent_id: str = Field(foreign_key="agent.id", max_length=64)
    sequence: int = 1
    offered_at: datetime = Field(sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc())
    status: str = Field(max_length=16)
    responded_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    reason: str | None = Field(default=None, max_length=500)
    score: float = 0.0
    breakdown: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class FeeAgreement(SQLModel, table=True):
    """A referral fee the receiving or referring agent agreed; the desk only records it."""

    __tablename__ = "fee_agreement"
    __table_args__ = (
        Index(
            "ix_fee_agreement_report",
            "referral_id",
            "direction",
            "created_at",
            "expected_cents",
            "paid_cents",
            "paid_on",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    direction: str = Field(max_length=16)
    counterparty: str = Field(max_length=200)
    percent: Decimal = Field(sa_column=Column(ExactDecimal(), nullable=False))
    agreed_by: str = Field(max_length=200)
    agreed_on: date
    expected_cents: int | None = None
    due_on: date | None = None
    paid_cents: int | None = None
    paid_on: date | None = None
    created_at: datetime = Field(sa_column=_utc())


class AckTask(SQLModel, table=True):
    """An acknowledgment to make to a referring party: thanks, card, recognition."""

    __tablename__ = "ack_task"
    __table_args__ = (Index("ix_ack_task_open_due", "done_at", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    source_id: int = Field(foreign_key="referring_party.id", index=True)
    kind: str = Field(max_length=32)
    due_at: datetime = Field(sa_column=_utc())
    done_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    draft: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    channel: str = Field(default="", max_length=16)


class Flag(SQLModel, table=True):
    """An escalation for the team lead; resolved flags stay as history."""

    __tablename__ = "flag"
    __table_args__ = (Index("ix_flag_kind_referral", "kind", "referral_id"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    referral_id: int | None = Field(default=None, foreign_key="referral.id", index=True)
    source_id: int | None = Field(default=None, foreign_key="referring_party.id")
    raised_at: datetime = Field(sa_column=_utc())
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    resolved_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True, index=True))
    resolution_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Event(SQLModel, table=True):
    """Append-only history: everything that happened to a referral, when and by whom."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_referral", "referral_id", "id"),
        Index("ix_event_kind_at", "kind", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    referral_id: int | None = Field(default=None, foreign_key="referral.id")
    at: datetime = Field(sa_column=_utc())
    kind: str = Field(max_length=32)
    actor: str = Field(default="desk", max_length=100)
    agent_id: str | None = Field(default=None, max_length=64)
    offer_id: int | None = None
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class OutboxMessage(SQLModel, table=True):
    """A message the desk will send or has sent; written with the event that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    channel: str = Field(max_length=16)
    recipient: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    referral_id: int | None = Field(default=None, foreign_key="referral.id", index=True)
    status: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(sa_column=_utc())
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class AgentStats(SQLModel, table=True):
    """Running per-agent offer statistics, kept current so routing never scans history."""

    __tablename__ = "agent_stats"
    agent_id: str = Field(primary_key=True, foreign_key="agent.id", max_length=64)
    offers_total: int = 0
    accepted: int = 0
    declined: int = 0
    lapsed: int = 0
    response_seconds_sum: float = 0.0
    responses: int = 0
    rotation_served: int = 0


class DeskRevision(SQLModel, table=True):
    """A single counter bumped by every write, so a screen can poll for changes cheaply."""

    __tablename__ = "desk_revision"
    id: int = Field(default=1, primary_key=True)
    revision: int = 0
