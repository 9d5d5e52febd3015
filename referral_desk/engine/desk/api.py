"""The intake API's side of the desk: keys, and referrals posted with them.

A key is random and long (`rdk_` and 43 URL-safe characters), shown once when
it is made and kept as its SHA-256 only: a fast hash is enough for a secret no
one could guess, where a password hash (bcrypt) would cost 50–300 ms a request.
A presented key is hashed and the stored hash compared with `hmac.compare_digest`.

A POST with an `Idempotency-Key` keeps its first answer (status and body) in
the same transaction as the referrals it stored. A retry, or a twin sent at the
same moment, finds that answer inside its own write transaction (writes take
turns on both backends) and gets it again, storing nothing new; the same key
with a different body is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import bindparam, insert, select, update

from ..read.views import ReferralView
from ..rules.errors import InvalidInput, NotFound, Refused, echo
from ..rules.text import checked_text
from ..rules.timefmt import iso
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.transaction import Transaction
from .intake import IntakeService
from .writer import DeskWriter

__all__ = ["IDEMPOTENCY_KEY_MAX", "ApiAnswer", "ApiKey", "ApiService"]

KEY_PREFIX: Final = "rdk_"
IDEMPOTENCY_KEY_MAX: Final = 200
NAME_MAX: Final = 100


@dataclass(frozen=True)
class ApiKey:
    """A key as the desk lists it (never the key itself)."""

    id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    requests: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "created_at": iso(self.created_at),
            "revoked_at": iso(self.revoked_at),
            "last_used_at": iso(self.last_used_at),
            "requests": self.requests,
        }


@dataclass(frozen=True)
class ApiAnswer:
    """What a POST answered: its status and JSON body (kept for retries)."""

    status: int
    body: Any
    replayed: bool = False


class _Replay(Exception):
    """The answer was given before: the transaction that found it writes nothing."""

    def __init__(self, answer: ApiAnswer) -> None:
        super().__init__("replayed")
        self.answer = answer


class ApiService:
    """Keys, and referrals taken in through the API."""

    def __init__(self, writer: DeskWriter, intake: IntakeService) -> None:
        self.writer = writer
        self.intake_service = intake

    # --- keys -------------------------------------------------------------------

    def add_key(self, name: str, now: datetime) -> str:
        """Makes a key for `name` and returns it: the only time it is ever shown."""
        name = checked_text("name", name, max_length=NAME_MAX)
        if not name:
            raise InvalidInput(["name: must not be empty"])
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.writer.writing() as session:
            if session.execute(select(m.api_key.c.id).where(m.api_key.c.name == name)).first():
                raise Refused(f"name: a key named {echo(name)} exists (revoke it, or pick another)")
            values = {"name": name, "key_hash": _hash(key), "created_at": now, "requests": 0}
            session.execute(insert(m.api_key).values(values))
        return key

    def keys(self) -> list[ApiKey]:
        """Every key, oldest first, revoked ones included."""
        with self.writer.read() as session:
            rows = session.execute(select(*_KEY_COLUMNS).order_by(m.api_key.c.id)).all()
        return [ApiKey(*row) for row in rows]

    def revoke_key(self, name: str, now: datetime) -> ApiKey:
        """Stops a key working at once (it stays listed, with when it was revoked)."""
        with self.writer.writing() as session:
            table = m.api_key
            changed = session.execute(
                update(table)
                .where(table.c.name == name.strip(), table.c.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount
            if not changed:
                raise NotFound(f"name: no key named {echo(name.strip())} to revoke")
            row = session.execute(select(*_KEY_COLUMNS).where(table.c.name == name.strip())).one()
        return ApiKey(*row)

    def key_for(self, presented: str) -> ApiKey | None:
        """The live key a request presented; None if it is no live key (read only: a
        POST counts its use in its own write, `count_use` counts any other)."""
        if not presented.startswith(KEY_PREFIX) or len(presented) > 200:
            return None
        wanted = _hash(presented)
        with self.writer.read() as session:
            row = session.execute(_KEY_BY_HASH, {"wanted": wanted}).first()
        if row is None or not hmac.compare_digest(row.key_hash, wanted) or row.revoked_at:
            return None
        return ApiKey(*row[:-1])

    def count_use(self, key: ApiKey, now: datetime) -> None:
        """Records a request against its key (a read, or a POST that was refused)."""
        with self.writer.store.write() as session:  # usage only: screens need not refresh
            _count_use(session, key.id, now)

    # --- intake -----------------------------------------------------------------

    def intake(
        self, key: ApiKey, payload: Any, now: datetime, idempotency_key: str | None, body: bytes
    ) -> ApiAnswer:
        """Stores what a lead source posted (201 and the referrals as `show --json`), or
        the first answer to the same `Idempotency-Key`; nothing new on a retry."""
        if idempotency_key is not None:
            idempotency_key = checked_text(
                "Idempotency-Key", idempotency_key, max_length=IDEMPOTENCY_KEY_MAX
            )
        body_hash = hashlib.sha256(body).hexdigest()
        guard = _Guard(key.id, idempotency_key, body_hash, now, isinstance(payload, list))
        try:
            views = self.intake_service.intake(payload, now, guard)
        except _Replay as replay:
            return replay.answer
        return guard.answer or ApiAnswer(201, _documents(guard.is_list, views, now))


_KEY_COLUMNS = (
    m.api_key.c.id,
    m.api_key.c.name,
    m.api_key.c.created_at,
    m.api_key.c.revoked_at,
    m.api_key.c.last_used_at,
    m.api_key.c.requests,
)


_KEY_BY_HASH = Prepared(
    select(*_KEY_COLUMNS, m.api_key.c.key_hash).where(m.api_key.c.key_hash == bindparam("wanted"))
)
"""Every request looks its key up: a prepared statement, built once."""
_COUNT_USE = Prepared(
    update(m.api_key)
    .where(m.api_key.c.id == bindparam("key_id"))
    .values(
        last_used_at=bindparam("now", type_=m.api_key.c.last_used_at.type),
        requests=m.api_key.c.requests + 1,
    )
)
_ANSWER_GIVEN = Prepared(
    select(m.api_answer.c.body_hash, m.api_answer.c.status, m.api_answer.c.answer).where(
        m.api_answer.c.key_id == bindparam("key_id"),
        m.api_answer.c.idempotency_key == bindparam("idempotency_key"),
    )
)


def _count_use(session: Transaction, key_id: int, now: datetime) -> None:
    session.execute(_COUNT_USE, {"key_id": key_id, "now": now})


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _documents(is_list: bool, views: list[ReferralView], now: datetime) -> Any:
    """The referrals as `show --json` prints them: a list for a list, else one."""
    documents = [view.to_json(now) for view in views]
    return documents if is_list else documents[0]


@dataclass
class _Guard:
    """The idempotency check and record, inside the intake's write transaction."""

    key_id: int
    idempotency_key: str | None
    body_hash: str
    now: datetime
    is_list: bool
    answer: ApiAnswer | None = None

    def before(self, session: Transaction) -> None:
        _count_use(session, self.key_id, self.now)
        if self.idempotency_key is None:
            return
        row = session.execute(
            _ANSWER_GIVEN, {"key_id": self.key_id, "idempotency_key": self.idempotency_key}
        ).first()
        if row is None:
            return
        if not hmac.compare_digest(row.body_hash, self.body_hash):
            raise InvalidInput(
                ["Idempotency-Key: already used for a different request; use a new key"]
            )
        raise _Replay(ApiAnswer(row.status, json.loads(row.answer), replayed=True))

    def after(self, session: Transaction, views: list[ReferralView]) -> None:
        if self.idempotency_key is None:
            return
        body = _documents(self.is_list, views, self.now)
        self.answer = ApiAnswer(201, body)
        session.execute(
            insert(m.api_answer).values(
                key_id=self.key_id,
                idempotency_key=self.idempotency_key,
                body_hash=self.body_hash,
                status=201,
                answer=json.dumps(body),
                created_at=self.now,
            )
        )
