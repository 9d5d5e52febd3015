"""What every part of the desk service shares: transactions, events, look-ups."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update

from .. import models as m
from .. import queries
from ..dispatch import RoutingRun
from ..errors import InvalidInput, NotFound
from ..ids import parse_id
from ..prepared import Prepared
from ..records import Referral
from ..rows import load_referral
from ..settings import DeskSettings, load
from ..store import Store, Transaction
from ..views import ReferralView

_INSERT_EVENT = Prepared(insert(m.event))
_REVISION = m.desk_revision
_BUMP = Prepared(update(_REVISION).values(revision=_REVISION.c.revision + 1))
_SETTING_ROWS = Prepared(select(m.setting.c.key, m.setting.c.value))
_UPDATE_SETTING = Prepared(
    update(m.setting)
    .where(m.setting.c.key == bindparam("stored_key"))
    .values(value=bindparam("stored_value"))
)
_AGENT_BY_ID = Prepared(select(m.agent).where(m.agent.c.id == bindparam("agent_id")))


class DeskBase:
    """The store, who is acting, and the one way to write."""

    def __init__(
        self, store: Store, actor: str = "desk", *, views_with_history: bool = True
    ) -> None:
        self.store = store
        self.actor = actor
        self.views_with_history = views_with_history
        """What a write hands back: the referral with its history, fees, tasks and flags
        (the CLI and the screens show them), or with its offers only, as lists show it
        (the simulator reads no more, and reading the rest was a fifth of its cost)."""

    @contextmanager
    def writing(self) -> Iterator[Transaction]:
        """One write transaction that bumps the desk's revision counter when it commits."""
        with self.store.write() as session:
            yield session
            self.bump(session)

    def written(self, session: Transaction, number: int) -> ReferralView:
        """The referral as this write leaves it, read in the same transaction.

        Reading it there costs no second transaction, and no other desk's write
        can slip in between: the view shows exactly what this write did.
        """
        record = session.tracked(Referral, number)
        view = queries.referral_view(
            session, number, history=self.views_with_history, current=record
        )
        assert view is not None, "a referral this transaction wrote is there"
        return view

    def bump(self, session: Transaction) -> None:
        """Bumps the revision counter screens poll to notice writes from other processes."""
        session.execute(_BUMP)

    def routing_run(self, session: Transaction, now: datetime) -> RoutingRun:
        """The context routing and lifecycle steps act in."""
        return RoutingRun(session, self, settings_of(session), now)

    def record(
        self,
        session: Transaction,
        referral_id: int | None,
        kind: str,
        at: datetime,
        *,
        agent_id: str | None = None,
        offer_id: int | None = None,
        detail: str = "",
    ) -> None:
        """Appends one event to a referral's history.

        Queued, and inserted with the write's other events in one batch when the
        write commits (or before, if a statement of the write reads events): a
        write records several, and one statement each cost more than the rows.
        """
        session.insert_later(
            _INSERT_EVENT,
            {
                "referral_id": referral_id,
                "at": at,
                "kind": kind,
                "actor": self.actor,
                "agent_id": agent_id,
                "offer_id": offer_id,
                "detail": detail,
            },
        )


def settings_of(session: Transaction) -> DeskSettings:
    """The desk's settings as stored (defaults for the rest)."""
    rows = session.execute(_SETTING_ROWS).all()
    return _parsed_settings(tuple(sorted((key, value) for key, value in rows)))


@lru_cache(maxsize=16)
def _parsed_settings(rows: tuple[tuple[str, str], ...]) -> DeskSettings:
    """Validated once per distinct set of stored rows: every write reads the settings,
    and validating them costs more than reading them (the result is frozen)."""
    return load(dict(rows))


def put_setting(session: Transaction, key: str, value: Any) -> None:
    """Stores one setting's JSON value."""
    values = {"stored_key": key, "stored_value": json.dumps(value)}
    if session.execute(_UPDATE_SETTING, values).rowcount == 0:
        session.execute(insert(m.setting), {"key": key, "value": values["stored_value"]})


def referral_row(session: Transaction, referral_id: str) -> Referral:
    """The referral with this id (`R-000042` or `42`), or NotFound."""
    number = parse_id("referral", referral_id)
    row = load_referral(session, number)
    if row is None:
        raise NotFound(f"referral: no referral {referral_id.strip()[:40]!r}")
    return row


def agent_row(
    session: Transaction, agent_id: str, field: str = "agent", suffix: str = ""
) -> Row[Any]:
    """The agent with this id; NotFound, or a field problem when it came from input."""
    row = session.execute(_AGENT_BY_ID, {"agent_id": agent_id.strip()}).one_or_none()
    if row is None:
        if field == "agent":
            raise NotFound(f"agent: no agent {agent_id.strip()[:64]!r} on the roster")
        raise InvalidInput([f"{field}: unknown agent {agent_id.strip()[:64]!r}{suffix}"])
    return row
