"""The desk service: the one place that writes.

Each public method is one transaction: it validates everything first, writes,
appends the events that explain the change, bumps the desk's revision counter
(so screens in other processes notice) and commits — or writes nothing at all.
Methods take `now`; the service never reads the system clock. The methods
live in `service/`, one module per area of the desk.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from . import models as m
from .service.base import agent_row, put_setting, settings_of
from .service.closing import ClosingOperations
from .service.outbox import OutboxOperations
from .service.referrals import ReferralOperations
from .service.reports import ReportOperations
from .service.roster import RosterOperations
from .service.routing import RoutingOperations
from .settings import DeskSettings, with_setting
from .store import open_store

__all__ = ["Desk"]


class Desk(
    RosterOperations,
    ReferralOperations,
    RoutingOperations,
    ClosingOperations,
    OutboxOperations,
    ReportOperations,
):
    """Every operation of the referral desk, over one database."""

    @classmethod
    def open(
        cls, url_or_path: str, actor: str = "desk", *, views_with_history: bool = True
    ) -> Desk:
        """Opens (creating or migrating) the desk at a path or SQLAlchemy URL."""
        return cls(open_store(url_or_path), actor, views_with_history=views_with_history)

    def close(self) -> None:
        """Releases the database connections."""
        self.store.dispose()

    def settings(self) -> DeskSettings:
        """The desk's settings (defaults for anything never set)."""
        with self.store.read() as session:
            return settings_of(session)

    def set_setting(self, key: str, text: str, now: datetime) -> DeskSettings:
        """Changes one setting after validating it; names the key when the value is bad."""
        with self.writing() as session:
            updated, value = with_setting(settings_of(session), key, text)
            if key == "fallback_agent_id" and value is not None:
                agent_row(session, value, field=key)
            put_setting(session, key, value)
            return updated

    def revision(self) -> int:
        """A counter every write bumps: poll it to notice changes from other processes."""
        with self.store.read() as session:
            value = session.execute(select(m.desk_revision.c.revision)).scalar()
            return int(value or 0)
