"""Delivering the outbox: claim, send, record — so nothing is lost or sent twice.

A message is claimed by a conditional update (`pending` → `sending`, with a
lease), delivered outside any transaction, and its delivery recorded at once
in its own transaction before anything else happens. A sender killed mid-send
leaves the message `sending` until its lease runs out; it is then tried again.
Failures back off exponentially (capped); after the last try the message is
`failed` and a `delivery_failed` flag tells the team lead. Any exception a channel
raises is such a failure: a message is never left `sending` by one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Row, and_, bindparam, or_, select, update
from sqlalchemy.engine import make_url

from ..rules.ids import format_id
from ..rules.text import shown_text
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.store import Store
from ..storage.transaction import Transaction
from ..values.settings import DeskSettings
from .channels import Channel, Parcel, TryAgain, Undeliverable, transport_for
from .escalation import raise_flag

LEASE: Final = timedelta(minutes=2)
"""How long a claimed message is left to its sender before another may retry it."""
FIRST_RETRY: Final = timedelta(seconds=30)
RETRY_CAP: Final = timedelta(hours=1)
BATCH: Final = 50


@dataclass(frozen=True)
class DeliveryReport:
    """What one pass of the dispatcher did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), RETRY_CAP)


def outbox_folder(settings: DeskSettings, database_url: str, server_fallback: Path) -> Path:
    """`outbox_dir` if set; beside a SQLite file as `<name>.outbox/`; else the fallback."""
    if settings.outbox_dir:
        return Path(settings.outbox_dir).expanduser()
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(url.database or "")
        return database.with_name(f"{database.stem}.outbox")
    return server_fallback


_DUE = and_(  # sending too: its lease lapsed
    or_(m.outbox_message.c.status == "pending", m.outbox_message.c.status == "sending"),
    m.outbox_message.c.next_attempt_at <= bindparam("now", type_=m.outbox_message.c.sent_at.type),
)
_DUE_IDS = Prepared(
    select(m.outbox_message.c.id).where(_DUE).order_by(m.outbox_message.c.id).limit(BATCH)
)
_CLAIM = Prepared(
    update(m.outbox_message)
    .where(m.outbox_message.c.id == bindparam("message_id"), _DUE)
    .values(
        status="sending",
        attempts=m.outbox_message.c.attempts + 1,
        next_attempt_at=bindparam("lease_until", type_=m.outbox_message.c.next_attempt_at.type),
    )
    .returning(*m.outbox_message.c)
)
"""Claims one due message and returns it as claimed, in the claim's own write: the
dispatcher needs no second transaction to read what it is about to send."""
_SENT = Prepared(
    update(m.outbox_message)
    .where(m.outbox_message.c.id == bindparam("message_id"))
    .values(
        status="sent",
        sent_at=bindparam("sent", type_=m.outbox_message.c.sent_at.type),
        last_error=None,
        next_attempt_at=None,
    )
)


def _claim(store: Store, now: datetime) -> Iterator[tuple[int, Parcel, int]]:
    """Claims due messages (pending, or sending with a lapsed lease):
    (id, what to deliver, attempts).

    One at a time, as the dispatcher asks for the next: a lease covers one delivery,
    not a whole batch, so a sender killed mid-send holds back only its message, and a
    long pass never outlives the leases of messages it has yet to send.
    """
    with store.read() as session:
        candidates = list(session.execute(_DUE_IDS, {"now": now}).scalars())
    for message_id in candidates:
        with store.write() as session:
            row = session.execute(
                _CLAIM, {"message_id": message_id, "now": now, "lease_until": now + LEASE}
            ).first()
        if row is not None:
            yield message_id, _parcel(row), row.attempts


def _parcel(row: Row[Any]) -> Parcel:
    from .channels import when

    return Parcel(
        message_id=format_id("message", row.id),
        kind=row.kind,
        channel=row.channel,
        recipient=row.recipient,
        subject=row.subject,
        body=row.body,
        referral_id=format_id("referral", row.referral_id) if row.referral_id else None,
        created_at=when(row.created_at),
    )


def deliver_due(
    store: Store,
    settings: DeskSettings,
    now: datetime,
    folder: Path,
    bump: Callable[[Transaction], None],
    transport: Callable[[str], Channel] | None = None,
) -> DeliveryReport:
    """One pass: every due message claimed, tried once, and its outcome recorded.

    Whatever a channel raises is recorded against its message: `Undeliverable` fails
    it at once; `TryAgain`, and any other exception (a bug, a setting a channel
    chokes on, a library's surprise), is retried with backoff and failed with a
    `delivery_failed` flag after the last try. Left to propagate, such an error
    would leave its message `sending` for good and stop the clock's courier.
    """
    choose = transport or (lambda channel: transport_for(channel, settings, folder))
    sent = retrying = failed = 0
    for message_id, parcel, attempts in _claim(store, now):
        try:
            choose(parcel.channel).deliver(parcel)
        except Undeliverable as error:
            _fail(store, settings, message_id, _reason(error), now, bump)
            failed += 1
            continue
        except Exception as error:  # TryAgain, and whatever else a channel may raise
            reason = _reason(error)
            if attempts >= settings.delivery_max_attempts:
                _fail(store, settings, message_id, reason, now, bump)
                failed += 1
            else:
                _retry(store, message_id, reason, now + backoff(attempts))
                retrying += 1
            continue
        _sent(store, message_id, now, bump)
        sent += 1
    return DeliveryReport(sent, retrying, failed)


def _reason(error: Exception) -> str:
    """Why a try failed, on one line: a channel's own words for `TryAgain` and
    `Undeliverable`; any other error named by its type (`ValueError: …`), since its
    message alone rarely says where it came from. Control characters and lone
    surrogates are escaped: a NUL would be refused by PostgreSQL and wedge the pass."""
    try:
        text = shown_text(" ".join(str(error).split()))
    except Exception:  # an exception whose message itself fails to show
        text = ""
    if isinstance(error, TryAgain | Undeliverable):
        return text or type(error).__name__
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _sent(
    store: Store, message_id: int, now: datetime, bump: Callable[[Transaction], None]
) -> None:
    with store.write() as session:
        session.execute(_SENT, {"message_id": message_id, "sent": now})
        bump(session)


def _retry(store: Store, message_id: int, error: str, at: datetime) -> None:
    with store.write() as session:
        session.execute(
            update(m.outbox_message)
            .where(m.outbox_message.c.id == message_id, m.outbox_message.c.status == "sending")
            .values(status="pending", last_error=error[:2000], next_attempt_at=at)
        )


def _fail(
    store: Store,
    settings: DeskSettings,
    message_id: int,
    error: str,
    now: datetime,
    bump: Callable[[Transaction], None],
) -> None:
    with store.write() as session:
        row = _change_message(
            session, message_id, status="failed", last_error=error[:2000], next_attempt_at=None
        )
        detail = (
            f"{format_id('message', message_id)} ({row.kind} to {row.recipient}) could not be "
            f"delivered after {row.attempts} tries: {error[:300]}"
        )
        # No notice for this flag: a failing channel must not queue more failing mail.
        raise_flag(session, "delivery_failed", now, detail, referral_id=row.referral_id)
        bump(session)


def retry_now(session: Transaction, message_id: int, now: datetime) -> Row[Any]:
    """Puts a failed (or waiting) message back in line for the next pass; returns it."""
    return _change_message(session, message_id, status="pending", next_attempt_at=now, attempts=0)


def mark_sent(session: Transaction, message_id: int, now: datetime) -> Row[Any]:
    """Records a message as sent now (the VA made the call it asked for); returns it."""
    return _change_message(session, message_id, status="sent", sent_at=now)


def _change_message(session: Transaction, message_id: int, **values: Any) -> Row[Any]:
    """Sets some columns of one message and returns it as it now stands."""
    return session.execute(
        update(m.outbox_message)
        .where(m.outbox_message.c.id == message_id)
        .values(**values)
        .returning(*m.outbox_message.c)
    ).one()
