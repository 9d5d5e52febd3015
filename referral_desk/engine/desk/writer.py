"""The one way the desk writes: a transaction with its events and its revision bump.

Every area of the desk service (`referrals.py`, `roster.py`, `routing/`,
`closing/`, `outbox.py`) is handed the same `DeskWriter` and writes through it;
the look-ups they share (`settings_of`, `referral_row`, `agent_row`) live here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from ..delivery import crm
from ..delivery.links import OfferLinks
from ..read import queries
from ..read.people import SourceView
from ..read.views import ReferralView
from ..rules.errors import InvalidInput
from ..rules.text import checked_text
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.records import Referral
from ..storage.rows import agent_row, load_referral
from ..storage.store import Store
from ..storage.transaction import Transaction
from ..values.settings import DeskSettings, load, loaded, with_setting
from .routing.dispatch import RoutingRun, start

_INSERT_EVENT = Prepared(insert(m.event))
_REVISION = m.desk_revision
_BUMP = Prepared(update(_REVISION).values(revision=_REVISION.c.revision + 1))
_SETTING_ROWS = Prepared(select(m.setting.c.key, m.setting.c.value))
_UPDATE_SETTING = Prepared(
    update(m.setting)
    .where(m.setting.c.key == bindparam("stored_key"))
    .values(value=bindparam("stored_value"))
)


class DeskWriter:
    """The store, who is acting, and the one way to write."""

    def __init__(
        self,
        store: Store,
        actor: str = "desk",
        *,
        views_with_history: bool = True,
        secret: Callable[[], str] | None = None,
    ) -> None:
        self.store = store
        self.actor = actor
        self.secret = secret
        """The desk's signing secret, read when an offer needs a link (None: no links)."""
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

    def written_all(self, session: Transaction, numbers: list[int]) -> list[ReferralView]:
        """The referrals as this write leaves them (as `written` shows each), read with one
        statement a table for all of them, and each referring party once: a long list
        read a party's notes, which gain a line with every referral, for each referral."""
        records = [session.tracked(Referral, number) for number in numbers]
        sources: dict[int, SourceView] = {}
        for record in records:
            assert record is not None, "a referral this transaction wrote is there"
            if record.source_id not in sources:
                sources[record.source_id] = queries.source_view(session, record.source_id)
        return queries.referral_views_of(session, records, sources, history=self.views_with_history)

    def read(self) -> AbstractContextManager[Transaction]:
        """A read-only transaction (it never takes the write lock)."""
        return self.store.read()

    def settings(self) -> DeskSettings:
        """The desk's settings as stored now (defaults for anything never set)."""
        with self.store.read() as session:
            return settings_of(session)

    def settings_problems(self) -> tuple[str, ...]:
        """A line for each stored setting today's rules refuse (its default is used)."""
        with self.store.read() as session:
            rows = session.execute(_SETTING_ROWS).all()
            return loaded({key: value for key, value in rows})[1]

    def set_settings(self, changes: Mapping[str, str], now: datetime) -> DeskSettings:
        """Changes settings after validating each, in one write (all or none); a bad value
        is named by its key.

        A folder is resolved here, against this process's working folder, and must
        exist; the fallback agent must be on the roster and active (routing never offers
        an inactive one anything, so what nobody else takes would go unassigned); the
        inside sales agent must be on the roster and on the team."""
        from ..delivery.folders import FOLDER_KEYS, resolved_folder  # only `settings set`

        texts = {
            key: resolved_folder(key, checked_text(key, text)) if key in FOLDER_KEYS else text
            for key, text in changes.items()  # the rule before the disk
        }
        with self.writing() as session:
            updated = settings_of(session)
            for key, text in texts.items():
                updated, value = with_setting(updated, key, text)
                self._check_agents(session, key, value)
                put_setting(session, key, value)
            if texts.get("routing_enabled") is not None and updated.routing_enabled:
                self._route_held(session, now, updated)
            return updated

    @staticmethod
    def _check_agents(session: Transaction, key: str, value: Any) -> None:
        """The agent settings name agents on the roster, fit for the part."""
        if key == "fallback_agent_id" and value is not None:
            agent = agent_row(session, value, field=key)
            if not agent.active:
                raise InvalidInput([f"{key}: {value} is inactive (activate the agent first)"])
        if key == "warm_transfer_agent_ids":
            for agent_id in filter(None, value.split(";")):
                agent_row(session, agent_id, field=key)
        if key == "isa_agent_id" and value is not None:
            agent = agent_row(session, value, field=key)
            if agent.kind != "team":
                raise InvalidInput([f"{key}: {value} is a partner; the ISA is a team member"])

    def _route_held(self, session: Transaction, now: datetime, settings: DeskSettings) -> None:
        """Routing was turned on: every referral taken in while it was off (`new`, no
        offer) is routed now, oldest first, in the same write."""
        numbers = (
            session.execute(
                select(m.referral.c.id)
                .where(m.referral.c.status == "new")
                .order_by(m.referral.c.received_at, m.referral.c.id)
            )
            .scalars()
            .all()
        )
        for number in numbers:
            referral = load_referral(session, number)
            if referral is not None:
                start(self.routing_run(session, now, settings), referral)

    def bump(self, session: Transaction) -> None:
        """Bumps the revision counter screens poll to notice writes from other processes."""
        session.execute(_BUMP)

    def routing_run(
        self, session: Transaction, now: datetime, settings: DeskSettings | None = None
    ) -> RoutingRun:
        """The context routing and lifecycle steps act in (the desk's settings read now,
        unless given)."""
        settings = settings or settings_of(session)
        return RoutingRun(session, self, settings, now, links=self.offer_links(settings))

    def offer_links(self, settings: DeskSettings) -> OfferLinks | None:
        """What signs offer links: with a `public_url` set, every offer message carries one."""
        if settings.public_url and self.secret is not None:
            return OfferLinks(settings.public_url, self.secret())
        return None

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
        values = {
            "referral_id": referral_id,
            "at": at,
            "kind": kind,
            "actor": self.actor,
            "agent_id": agent_id,
            "offer_id": offer_id,
            "detail": detail,
        }
        session.insert_later(_INSERT_EVENT, values)
        session.recorded_events.append(values)
        session.before_commit("crm", lambda: _write_back_to_crm(session))


def _write_back_to_crm(session: Transaction) -> None:
    """With a `crm_webhook_url`, queues each event of the write for the CRM, in the write."""
    url = settings_of(session).crm_webhook_url
    if url:
        crm.queue_events(session, session.recorded_events, url)


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
