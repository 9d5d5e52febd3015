"""The desk's tables, as SQLAlchemy Core `Table`s on one `MetaData`.

Rows stay inside the engine: the desk service turns them into frozen views
(`views.py`) before anything outside the engine sees them; the one row a write
changes field by field is a record (`records.py`). Every table here is created
by an Alembic migration under `migrations/versions`, and a test checks that the
migrated schema and these definitions agree; changing a column means adding a
migration, never editing an old one.

Core tables rather than ORM classes: the desk reads and writes with prebuilt
statements, and the ORM's mapping and unit of work cost a third of a simulated
run and a quarter of a second at every start (README, Performance). Python-side
`default`s fill what an insert leaves out; the schema itself has no server
defaults, as before.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from .columns import ExactDecimal, UTCDateTime

__all__ = [
    "ack_task",
    "agent",
    "agent_stats",
    "agent_territory",
    "desk_revision",
    "event",
    "fee_agreement",
    "flag",
    "metadata",
    "offer",
    "outbox_message",
    "referral",
    "referring_party",
    "setting",
]

metadata = MetaData()
"""Every table of the desk (Alembic compares migrations against it)."""


def _utc(name: str, nullable: bool = False, index: bool = False) -> Column[object]:
    return Column(name, UTCDateTime(), nullable=nullable, index=index)


def _text(name: str, nullable: bool = False, default: str | None = "") -> Column[object]:
    return Column(name, Text, nullable=nullable, default=default)


setting = Table(
    "setting",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
"""One desk setting, stored as JSON text under its contract key."""

agent = Table(
    "agent",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("brokerage", String(200), nullable=False, default=""),
    Column("email", String(320), nullable=False, default=""),
    Column("phone", String(32), nullable=False, default=""),
    Column("preferred_channel", String(16), nullable=False, default="email"),
    _text("metros"),
    _text("zips"),
    Column("sides", String(16), nullable=False, default="both"),
    Column("price_min", Integer, nullable=False, default=0),
    Column("price_max", Integer, nullable=False, default=0),
    _text("property_types"),
    Column("capacity", Integer, nullable=False, default=1),
    Column("active", Boolean, nullable=False, default=True),
    Column("away_from", Date, nullable=True),
    Column("away_until", Date, nullable=True),
    Column("on_duty", String(500), nullable=False, default=""),
    Column("weight", Integer, nullable=False, default=1),
    Column("network", String(100), nullable=True, index=True),
    _utc("created_at"),
    _utc("updated_at"),
)
"""An agent on the roster: an external partner or a team member."""

agent_territory = Table(
    "agent_territory",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agent_id", String(64), ForeignKey("agent.id"), nullable=False, index=True),
    Column("kind", String(8), nullable=False),
    Column("value", String(200), nullable=False),
    Index("ix_agent_territory_kind_value", "kind", "value"),
)
"""One metro or ZIP an agent covers, casefolded, so routing filters in SQL."""

referring_party = Table(
    "referring_party",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("type", String(16), nullable=False),
    Column("email", String(320), nullable=False, default=""),
    Column("phone", String(32), nullable=False, default=""),
    Column("brokerage", String(200), nullable=False, default=""),
    Column("tag", String(100), nullable=False, default="Referral Source"),
    _text("notes"),
    Column("referral_count", Integer, nullable=False, default=0),
    Column("gift_policy", String(32), nullable=False, default="gifts"),
    # Casefolded name, type and email: the same key means the same party.
    Column("identity_key", String(600), nullable=False, default="", index=True),
    _utc("created_at"),
    Index("ix_referring_party_identity", "name", "type", "email"),
)
"""Who sent a referral: past client, sphere, out-of-area agent or professional."""

referral = Table(
    "referral",
    metadata,
    Column("id", Integer, primary_key=True),
    _utc("received_at", index=True),
    Column("client_first_name", String(100), nullable=False),
    Column("client_last_name", String(100), nullable=False, default=""),
    Column("client_email", String(320), nullable=False, default=""),
    Column("client_phone", String(32), nullable=False, default=""),
    Column("side", String(8), nullable=False),
    Column("metro", String(100), nullable=False),
    Column("zip", String(5), nullable=True),
    Column("price_min", Integer, nullable=False),
    Column("price_max", Integer, nullable=False),
    Column("property_type", String(32), nullable=False),
    Column("timeline", String(500), nullable=False, default=""),
    _text("notes"),
    Column("source_id", Integer, ForeignKey("referring_party.id"), nullable=False),
    Column("lead_source", String(300), nullable=False, default=""),
    Column("mode", String(16), nullable=False),
    Column("network", String(100), nullable=True),
    Column("private_agent_id", String(64), ForeignKey("agent.id"), nullable=True),
    Column("status", String(16), nullable=False, index=True),
    Column("assigned_agent_id", String(64), ForeignKey("agent.id"), nullable=True, index=True),
    Column("sale_price", Integer, nullable=True),
    Column("commission_rate", ExactDecimal(), nullable=True),
    Column("closing_date", Date, nullable=True),
    Column("lost_reason", String(500), nullable=True),
    Column("archived_from", String(16), nullable=True),
    _utc("first_offered_at", nullable=True),
    _utc("accepted_at", nullable=True),
    _utc("closed_at", nullable=True),
    _utc("created_at"),
    _utc("updated_at"),
    # The report's covering indexes (migration 0004, which also adds two expression
    # indexes on routing delays that only the migration declares).
    Index("ix_referral_status_received", "status", "archived_from", "received_at", "accepted_at"),
    Index("ix_referral_assigned_status", "assigned_agent_id", "status"),
    Index("ix_referral_status_closing", "status", "closing_date"),
    # A source's referrals in a span (the burst flag), and all of a source's (migration 0009).
    Index("ix_referral_source_received", "source_id", "received_at"),
    # The agent who took a source's last referral (`prefer_previous_agent`, migration 0011).
    Index("ix_referral_source_agent", "source_id", "assigned_agent_id"),
    Index(
        "ix_referral_received_report", "received_at", "source_id", "first_offered_at", "accepted_at"
    ),
)
"""A referral: who the client is, what they want, who sent it, who has it."""

offer = Table(
    "offer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("referral_id", Integer, ForeignKey("referral.id"), nullable=False, index=True),
    Column("agent_id", String(64), ForeignKey("agent.id"), nullable=False),
    Column("sequence", Integer, nullable=False, default=1),
    _utc("offered_at"),
    _utc("expires_at"),
    Column("status", String(16), nullable=False),
    _utc("responded_at", nullable=True),
    Column("reason", String(500), nullable=True),
    Column("score", Float, nullable=False, default=0.0),
    _text("breakdown", default="{}"),
    Index("ix_offer_status_expires", "status", "expires_at"),
    Index("ix_offer_agent_status", "agent_id", "status"),
    Index("ix_offer_agent_offered", "agent_id", "offered_at"),
)
"""One referral offered to one agent, with its window and why this agent."""

fee_agreement = Table(
    "fee_agreement",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("referral_id", Integer, ForeignKey("referral.id"), nullable=False, index=True),
    Column("direction", String(16), nullable=False),
    Column("counterparty", String(200), nullable=False),
    Column("percent", ExactDecimal(), nullable=False),
    Column("agreed_by", String(200), nullable=False),
    Column("agreed_on", Date, nullable=False),
    Column("expected_cents", Integer, nullable=True),
    Column("due_on", Date, nullable=True),
    Column("paid_cents", Integer, nullable=True),
    Column("paid_on", Date, nullable=True),
    _utc("created_at"),
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
"""A referral fee the receiving or referring agent agreed; the desk only records it."""

ack_task = Table(
    "ack_task",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("referral_id", Integer, ForeignKey("referral.id"), nullable=False, index=True),
    Column("source_id", Integer, ForeignKey("referring_party.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    _utc("due_at"),
    _utc("done_at", nullable=True),
    _text("draft"),
    Column("channel", String(16), nullable=False, default=""),
    Column("agent_id", String(64), nullable=True),  # an agent's task (isa_followup), 0011
    Index("ix_ack_task_open_due", "done_at", "due_at"),
)
"""An acknowledgment to make to a referring party: thanks, card, recognition."""

flag = Table(
    "flag",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("referral_id", Integer, ForeignKey("referral.id"), nullable=True, index=True),
    Column("source_id", Integer, ForeignKey("referring_party.id"), nullable=True),
    _utc("raised_at"),
    _text("detail"),
    _utc("resolved_at", nullable=True, index=True),
    _text("resolution_note", nullable=True, default=None),
    Index("ix_flag_kind_referral", "kind", "referral_id"),
    Index("ix_flag_kind_source", "kind", "source_id", "raised_at"),
)
"""An escalation for the team lead; resolved flags stay as history."""

event = Table(
    "event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("referral_id", Integer, ForeignKey("referral.id"), nullable=True),
    _utc("at"),
    Column("kind", String(32), nullable=False),
    Column("actor", String(100), nullable=False, default="desk"),
    Column("agent_id", String(64), nullable=True),
    Column("offer_id", Integer, nullable=True),
    _text("detail"),
    Index("ix_event_referral", "referral_id", "id"),
    Index("ix_event_kind_at", "kind", "at"),
    Index("ix_event_referral_kind", "referral_id", "kind", "at"),
)
"""Append-only history: everything that happened to a referral, when and by whom."""

outbox_message = Table(
    "outbox_message",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("referral_id", Integer, ForeignKey("referral.id"), nullable=True, index=True),
    Column("status", String(16), nullable=False, default="pending"),
    _utc("created_at"),
    Column("attempts", Integer, nullable=False, default=0),
    _utc("next_attempt_at", nullable=True),
    _utc("sent_at", nullable=True),
    _text("last_error", nullable=True, default=None),
    Index("ix_outbox_status_next", "status", "next_attempt_at"),
)
"""A message the desk will send or has sent; written with the event that caused it."""

agent_stats = Table(
    "agent_stats",
    metadata,
    Column("agent_id", String(64), ForeignKey("agent.id"), primary_key=True),
    Column("offers_total", Integer, nullable=False, default=0),
    Column("accepted", Integer, nullable=False, default=0),
    Column("declined", Integer, nullable=False, default=0),
    Column("lapsed", Integer, nullable=False, default=0),
    Column("response_seconds_sum", Float, nullable=False, default=0.0),
    Column("responses", Integer, nullable=False, default=0),
    Column("rotation_served", Integer, nullable=False, default=0),
    Column("load", Integer, nullable=False, default=0, server_default="0"),
)
"""Running per-agent offer statistics, kept current so routing never scans history.

`load` (open offers plus referrals assigned in an active status) is kept by
triggers on `offer` and `referral` (migration 0007), not by the service."""

api_key = Table(
    "api_key",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    _utc("created_at"),
    _utc("revoked_at", nullable=True),
    _utc("last_used_at", nullable=True),
    Column("requests", Integer, nullable=False, default=0),
)
"""Keys lead sources post referrals with: only each key's SHA-256 is kept (a key is
random and long, so a fast hash is enough; it is shown once, when made)."""

api_answer = Table(
    "api_answer",
    metadata,
    Column("key_id", Integer, ForeignKey("api_key.id"), primary_key=True),
    Column("idempotency_key", String(200), primary_key=True),
    Column("body_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    _text("answer"),
    _utc("created_at"),
)
"""The first answer to a POST sent with an `Idempotency-Key`: a retry gets it again."""

desk_revision = Table(
    "desk_revision",
    metadata,
    Column("id", Integer, primary_key=True, default=1),
    Column("revision", Integer, nullable=False, default=0),
    Column("roster_version", BigInteger, nullable=False, default=0, server_default="0"),
)
"""A single counter bumped by every write, so a screen can poll for changes cheaply.

`roster_version` takes a new random value whenever the roster (`agent`,
`agent_territory`) is written, by triggers (migration 0008): routing keeps the
roster's profiles until it moves."""
