"""The desk service: one object for everything the desk does, composed of its areas.

`Desk` holds one object per area and passes each what it needs: the read side
(`reads.py`), intake (`intake.py`), the roster (`roster.py`), routing
(`routing/service.py`), closing (`closing/service.py`), the outbox (`outbox.py`),
reports (`reports.py`), the web's links (`links.py`) and API (`api.py`); routing,
links and api are public. The areas that write share one `DeskWriter` (`writer.py`):
each public method that writes is one transaction that validates everything first,
writes, appends the events that explain the change, bumps the desk's revision
counter (so screens in other processes notice) and commits — or writes nothing at
all. Methods take `now`; the service never reads the system clock.

An area is built (its modules imported) when first used: `show` loads reads only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..storage.store import Store, open_store
from .reads import DeskReads

if TYPE_CHECKING:
    from ..delivery.outbox import DeliveryReport
    from ..read.answer_history import AgentAnswers
    from ..read.messages import MessageView
    from ..read.people import AgentView, SourceView
    from ..read.summary import DeskCounts, ReferralName
    from ..read.views import FlagView, ReferralView, TaskView
    from ..report.audit import Audit
    from ..report.figures import Report
    from ..rules.eligibility import RoutingDecision
    from ..storage.files import DeskFiles
    from ..values.schemas import AgentIn
    from ..values.settings import DeskSettings
    from .api import ApiService
    from .closing.service import ClosingService
    from .intake import IntakeService
    from .links import LinkService
    from .outbox import OutboxService
    from .reports import ReportService
    from .roster import RosterService
    from .routing.lapses import Lapse
    from .routing.service import RoutingService
    from .writer import DeskWriter

__all__ = ["Desk"]


class Desk:
    """Every operation of the referral desk, over one database."""

    def __init__(
        self, store: Store, actor: str = "desk", *, views_with_history: bool = True
    ) -> None:
        self.store = store  # the engine's tests and storage tools reach it; screens do not
        self.actor = actor  # whom this desk's events name (the user at the keyboard, `clock`)
        self.views_with_history = views_with_history
        """Whether a write hands back a referral with its history (CLI, screens) or not."""
        # Set by the app or CLI for a server database, which has no folder beside it:
        self.server_outbox_dir: Path | None = None  # where the file channel writes
        self.server_secret_file: Path | None = None  # where the signing secret is kept
        self._reads = DeskReads(store)

    @classmethod
    def open(
        cls, url_or_path: str, actor: str = "desk", *, views_with_history: bool = True
    ) -> Desk:
        """Opens (creating or migrating) the desk at a path or SQLAlchemy URL."""
        return cls(open_store(url_or_path), actor, views_with_history=views_with_history)

    def close(self) -> None:
        """Releases the database connections."""
        self.store.dispose()

    @property
    def url(self) -> str:
        """The database's URL (print it with `storage.connect.shown_url`)."""
        return self.store.url

    # --- the areas, each built when first used ------------------------------------

    @cached_property
    def _writer(self) -> DeskWriter:
        from .writer import DeskWriter

        return DeskWriter(
            self.store,
            self.actor,
            views_with_history=self.views_with_history,
            secret=lambda: self.links.keeper.secret(),
        )

    @cached_property
    def api(self) -> ApiService:
        """The intake API (`serve`): keys, and referrals lead sources post with them."""
        from .api import ApiService

        return ApiService(self._writer, self._intake)

    @cached_property
    def links(self) -> LinkService:
        """Offer links (`serve`): the signing secret, the page behind a link, its answers."""
        from ..storage.secret import SecretKeeper
        from .links import LinkService

        keeper = SecretKeeper.of_desk(self.url, self.server_secret_file)
        return LinkService(self._writer, self.routing, keeper)

    @cached_property
    def _intake(self) -> IntakeService:
        from .intake import IntakeService

        return IntakeService(self._writer)

    @cached_property
    def _roster(self) -> RosterService:
        from .roster import RosterService

        return RosterService(self._writer)

    @cached_property
    def _closing(self) -> ClosingService:
        from .closing.service import ClosingService

        return ClosingService(self._writer)

    @cached_property
    def routing(self) -> RoutingService:
        """Routing; beyond answers and the clock: the ISA's `handoff`, `invite`."""
        from .routing.service import RoutingService

        return RoutingService(self._writer, raise_due_flags=self._closing.raise_due_flags)

    @cached_property
    def _outbox(self) -> OutboxService:
        from .outbox import OutboxService

        return OutboxService(self._writer, lambda: self.server_outbox_dir)

    @cached_property
    def reports(self) -> ReportService:
        """Figures read, never written: the report over any span, roster coverage, drops."""
        from .reports import ReportService

        return ReportService(self._writer)

    # --- settings -----------------------------------------------------------------

    def settings(self) -> DeskSettings:
        """The desk's settings (defaults for anything never set)."""
        return self._writer.settings()

    def set_setting(self, key: str, text: str, now: datetime) -> DeskSettings:
        """Changes one setting after validating it; names the key when the value is bad."""
        return self._writer.set_settings({key: text}, now)

    def set_settings(self, changes: Mapping[str, str], now: datetime) -> DeskSettings:
        """Several settings in one write (`simulate --tune --apply`): all, or none."""
        return self._writer.set_settings(changes, now)

    def settings_problems(self) -> tuple[str, ...]:
        """A line per stored setting today's rules refuse (its default is used instead)."""
        return self._writer.settings_problems()

    # --- reading ------------------------------------------------------------------

    def revision(self) -> int:
        """A counter every write bumps: poll it to notice changes from other processes."""
        return self._reads.revision()

    def referral(self, referral_id: str) -> ReferralView:
        """A referral with its offers, history, fees, tasks and flags."""
        return self._reads.referral(referral_id)

    def referrals(
        self, statuses: Sequence[str] | None = None, limit: int = 200
    ) -> list[ReferralView]:
        """Referrals (newest first), optionally only those in some statuses."""
        return self._reads.referrals(statuses, limit)

    def queue(self) -> list[ReferralView]:
        """Every referral the desk is waiting on, oldest first."""
        return self._reads.queue()

    def sources(self, limit: int | None = None, offset: int = 0) -> list[SourceView]:
        """Referring parties, most referrals first (a page with `limit` / `offset`)."""
        return self._reads.sources(limit, offset)

    def referrals_from_source(
        self, source_id: str, limit: int = 50, offset: int = 0
    ) -> list[ReferralView]:
        """One referring party's referrals, newest first, a page at a time."""
        return self._reads.referrals_from_source(source_id, limit, offset)

    def agents(self) -> list[AgentView]:
        """The whole roster, by id, with each agent's current load."""
        return self._reads.agents()

    def agent(self, agent_id: str) -> AgentView:
        """One agent, or NotFound."""
        return self._reads.agent(agent_id)

    def answer_history(self) -> list[AgentAnswers]:
        """How each agent has answered offers so far (counts and response times)."""
        return self._reads.answer_history()

    def tasks(self, open_only: bool = False) -> list[TaskView]:
        """Acknowledgment tasks, soonest due first (open ones before done ones)."""
        return self._reads.tasks(open_only)

    def flags(self, include_resolved: bool = False) -> list[FlagView]:
        """Escalations, newest first; open ones only unless asked."""
        return self._reads.flags(include_resolved)

    def outbox(self, status: str | None = None, limit: int = 1000) -> list[MessageView]:
        """Messages, newest first; optionally only those in one status."""
        return self._reads.outbox(status, limit)

    def counts(self, now: datetime) -> DeskCounts:
        """The header's four counts: waiting, unassigned, thank-yous due, open flags."""
        return self._reads.counts(now)

    def agent_names(self) -> dict[str, str]:
        """Agent id → name for the whole roster."""
        return self._reads.agent_names()

    def find_referrals(self, text: str, limit: int = 20) -> list[ReferralName]:
        """Referrals whose id or client name contains `text`, newest first (the palette)."""
        return self._reads.find_referrals(text, limit)

    def report(self, quarter: str, now: datetime) -> Report:
        """The report on the referrals received in `quarter` (`YYYY-QN`), as they stand at now."""
        return self.reports.report(quarter, now)

    def audit(self, month: str, now: datetime) -> Audit:
        """The monthly check of the desk's own records (`YYYY-MM`, as they stand at now)."""
        return self.reports.audit(month, now)

    def export_roster(self) -> str:
        """The roster as CSV with the import columns."""
        from .roster_csv import write_roster_csv

        return write_roster_csv(self.agents())

    def own_files(self) -> DeskFiles:
        """The desk's own files (database, journals, secret, outbox): no export writes there."""
        from ..storage.connect import sqlite_file
        from ..storage.files import DeskFiles

        return DeskFiles.of(sqlite_file(self.url), self.outbox_folder())

    def write_file(self, path: Path, data: str | bytes, *, force: bool = False) -> Path:
        """Writes an export safely (`storage/files.py`): atomic, owner-only, never onto the desk."""
        from ..storage.files import write_file_safely

        return write_file_safely(path, data, desk_files=self.own_files(), force=force)

    # --- intake and the roster ----------------------------------------------------

    def intake(self, payload: Any, now: datetime) -> list[ReferralView]:
        """Stores and routes one referral or a list, all or nothing (`IntakeService.intake`)."""
        return self._intake.intake(payload, now)

    def save_agent(self, data: AgentIn | dict[str, Any], now: datetime) -> AgentView:
        """Creates the agent, or updates the one with that id."""
        return self._roster.save_agent(data, now)

    def import_roster(self, csv_text: str, now: datetime) -> tuple[int, int]:
        """Imports a roster CSV, all or nothing; returns (created, updated)."""
        return self._roster.import_roster(csv_text, now)

    def set_active(self, agent_id: str, active: bool, now: datetime) -> AgentView:
        """Activates or deactivates an agent (a deactivated agent gets no new offers)."""
        return self._roster.set_active(agent_id, active, now)

    def set_vacation(
        self, agent_id: str, away_from: date | None, away_until: date | None, now: datetime
    ) -> AgentView:
        """Records (or clears, with two Nones) an agent's time away, inclusive dates."""
        return self._roster.set_vacation(agent_id, away_from, away_until, now)

    # --- routing ------------------------------------------------------------------

    def preview(self, payload: Any, now: datetime) -> RoutingDecision:
        """Who would get this referral and why each other agent would not; writes nothing."""
        return self.routing.preview(payload, now)

    def respond(
        self,
        referral_id: str,
        agent_id: str,
        response: str,
        now: datetime,
        reason: str | None = None,
    ) -> ReferralView:
        """Records an agent's answer: accept / claim, decline, or interest (network)."""
        return self.routing.respond(referral_id, agent_id, response, now, reason)

    def award(self, referral_id: str, agent_id: str, now: datetime) -> ReferralView:
        """Picks the receiver among interested agents of a network referral."""
        return self.routing.award(referral_id, agent_id, now)

    def reroute(self, referral_id: str, now: datetime, agent_id: str | None = None) -> ReferralView:
        """Routes an unassigned referral again, or offers it privately to one agent."""
        return self.routing.reroute(referral_id, now, agent_id)

    def tick(self, now: datetime) -> list[Lapse]:
        """The clock: lapses offers past their window, routes what follows, raises flags."""
        return self.routing.tick(now)

    # --- closing, and the outbox --------------------------------------------------

    def change_status(
        self,
        referral_id: str,
        status: str,
        now: datetime,
        *,
        sale_price: int | None = None,
        commission_rate: Decimal | None = None,
        closing_date: date | None = None,
        reason: str | None = None,
        on: date | None = None,
    ) -> ReferralView:
        """Moves a referral to a new status (the move is checked before its options)."""
        return self._closing.change_status(
            referral_id,
            status,
            now,
            sale_price=sale_price,
            commission_rate=commission_rate,
            closing_date=closing_date,
            reason=reason,
            on=on,
        )

    def log_fee(
        self,
        referral_id: str,
        direction: str,
        percent: Decimal | None,
        agreed_by: str,
        now: datetime,
        on: date | None = None,
    ) -> ReferralView:
        """Records a fee agreement the agent made; a pending referral becomes awarded."""
        return self._closing.log_fee(referral_id, direction, percent, agreed_by, now, on)

    def fee_paid(
        self,
        referral_id: str,
        amount: Decimal,
        now: datetime,
        on: date | None = None,
        direction: str | None = None,
    ) -> ReferralView:
        """Records a payment on a fee; a different amount than expected raises a flag."""
        return self._closing.fee_paid(referral_id, amount, now, on, direction)

    def complete_task(self, task_id: str, now: datetime) -> TaskView:
        """Marks an acknowledgment done (the thank-you was sent, the card written)."""
        return self._closing.complete_task(task_id, now)

    def complete_first_open_task(self, referral_id: str, now: datetime) -> TaskView | None:
        """Marks the referral's earliest open task done (the demo's stories use it)."""
        return self._closing.complete_first_open_task(referral_id, now)

    def raise_flag(self, kind: str, referral_id: str, now: datetime, detail: str = "") -> FlagView:
        """Raises a flag by hand, e.g. a referring party asking about status."""
        return self._closing.raise_flag(kind, referral_id, now, detail)

    def resolve_flag(self, flag_id: str, note: str, now: datetime) -> FlagView:
        """Resolves a flag with a note; it stays in the history."""
        return self._closing.resolve_flag(flag_id, note, now)

    def raise_due_flags(self, now: datetime) -> list[FlagView]:
        """Time-based flags (the clock runs this): closings near with no fee logged."""
        return self._closing.raise_due_flags(now)

    def outbox_folder(self) -> Path:
        return self._outbox.outbox_folder()  # where the file channel puts `.eml` files

    def deliver_outbox(self, now: datetime, transport: object | None = None) -> DeliveryReport:
        """One pass of the dispatcher: every due message tried once (the clock runs it)."""
        return self._outbox.deliver_outbox(now, transport)

    def retry_message(self, message_id: str, now: datetime) -> MessageView:
        """Puts a failed or waiting message back in line now."""
        return self._outbox.retry_message(message_id, now)

    def mark_called(self, message_id: str, now: datetime) -> MessageView:
        """The VA made the call a `call` message asked for."""
        return self._outbox.mark_called(message_id, now)
