"""What the desk shows, read in one short transaction each: the desk's read side.

Apart from the areas that write, so a command that only shows something (`show`,
`queue`, the TUI's header) loads the views and their queries and nothing of
routing, validation or delivery. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from ..read import queries, summary
from ..read.answer_history import AgentAnswers, answer_history
from ..read.messages import MessageView
from ..read.people import AgentView, SourceView
from ..read.summary import DeskCounts, ReferralName
from ..read.views import FlagView, ReferralView, TaskView
from ..rules.errors import NotFound, echo
from ..rules.ids import parse_id
from ..rules.vocabulary import WAITING_STATUSES
from ..storage import tables as m
from ..storage.rows import agent_row
from ..storage.store import Store


class DeskReads:
    """Read-only views of referrals, sources, the roster, tasks, flags and the outbox."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def revision(self) -> int:
        """A counter every write bumps: poll it to notice changes from other processes."""
        with self.store.read() as session:
            value = session.execute(select(m.desk_revision.c.revision)).scalar()
            return int(value or 0)

    def referral(self, referral_id: str) -> ReferralView:
        """A referral with its offers, history, fees, tasks and flags."""
        number = parse_id("referral", referral_id)
        with self.store.read() as session:
            view = queries.referral_view(session, number)
        if view is None:
            raise NotFound(f"referral: no referral {echo(referral_id.strip())}")
        return view

    def referrals(
        self, statuses: Sequence[str] | None = None, limit: int = 200
    ) -> list[ReferralView]:
        """Referrals (newest first), optionally only those in some statuses."""
        with self.store.read() as session:
            return queries.referral_views(session, statuses, limit=limit)

    def queue(self) -> list[ReferralView]:
        """Every referral the desk is waiting on, oldest first."""
        with self.store.read() as session:
            return queries.referral_views(
                session, WAITING_STATUSES, limit=100_000, oldest_first=True
            )

    def sources(self, limit: int | None = None, offset: int = 0) -> list[SourceView]:
        """Referring parties, most referrals first (a page with `limit` / `offset`)."""
        with self.store.read() as session:
            return queries.source_views(session, limit, offset)

    def referrals_from_source(
        self, source_id: str, limit: int = 50, offset: int = 0
    ) -> list[ReferralView]:
        """One referring party's referrals, newest first, a page at a time."""
        number = parse_id("source", source_id)
        with self.store.read() as session:
            return queries.referral_views(
                session, limit=limit, offset=offset, source_id=number, with_offers=False
            )

    def agents(self) -> list[AgentView]:
        """The whole roster, by id, with each agent's current load."""
        with self.store.read() as session:
            loads = queries.agent_loads(session)
            rows = session.execute(select(m.agent).order_by(m.agent.c.id))
            return [AgentView.of(row, loads.get(row.id, 0)) for row in rows]

    def agent(self, agent_id: str) -> AgentView:
        """One agent, or NotFound."""
        with self.store.read() as session:
            row = agent_row(session, agent_id)
            return AgentView.of(row, queries.agent_loads(session, [row.id]).get(row.id, 0))

    def answer_history(self) -> list[AgentAnswers]:
        """How each agent has answered offers so far (counts and response times)."""
        with self.store.read() as session:
            return answer_history(session)

    def tasks(self, open_only: bool = False) -> list[TaskView]:
        """Acknowledgment tasks, soonest due first (open ones before done ones)."""
        with self.store.read() as session:
            query = select(m.ack_task)
            if open_only:
                query = query.where(m.ack_task.c.done_at.is_(None))
            rows = session.execute(query.order_by(m.ack_task.c.due_at, m.ack_task.c.id))
            views = [TaskView.of(row) for row in rows]
        return sorted(views, key=lambda task: task.done_at is not None)

    def flags(self, include_resolved: bool = False) -> list[FlagView]:
        """Escalations, newest first; open ones only unless asked."""
        with self.store.read() as session:
            query = select(m.flag)
            if not include_resolved:
                query = query.where(m.flag.c.resolved_at.is_(None))
            rows = session.execute(query.order_by(m.flag.c.raised_at.desc(), m.flag.c.id.desc()))
            return [FlagView.of(row) for row in rows]

    def outbox(self, status: str | None = None, limit: int = 1000) -> list[MessageView]:
        """Messages, newest first; optionally only those in one status."""
        with self.store.read() as session:
            query = select(m.outbox_message)
            if status is not None:
                query = query.where(m.outbox_message.c.status == status)
            rows = session.execute(query.order_by(m.outbox_message.c.id.desc()).limit(limit))
            return [MessageView.of(row) for row in rows]

    def counts(self, now: datetime) -> DeskCounts:
        """The header's four counts: waiting, unassigned, thank-yous due, open flags."""
        with self.store.read() as session:
            return summary.desk_counts(session, now)

    def agent_names(self) -> dict[str, str]:
        """Agent id → name for the whole roster: screens show names where routing stores ids."""
        with self.store.read() as session:
            return summary.agent_names(session)

    def find_referrals(self, text: str, limit: int = 20) -> list[ReferralName]:
        """Referrals whose id or client name contains `text` (newest first), for the palette."""
        with self.store.read() as session:
            return summary.find_referrals(session, text, limit)
