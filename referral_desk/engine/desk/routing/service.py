"""Routing operations: answers to offers, awards, re-routing, preview, the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ...read.link_answers import LINK_DETAIL
from ...read.offer_pages import offer_page
from ...read.views import ReferralView
from ...rules.eligibility import RoutingDecision
from ...rules.errors import InvalidInput, NotFound, Refused
from ...rules.lifecycle import REASON_MAX
from ...rules.text import checked_text
from ...storage.rows import agent_row, known_network, referral_row
from ...values.schemas import parse_intake
from ..writer import DeskWriter, settings_of
from . import dispatch, interest, isa, lapses, responses
from .previews import preview_decision


class RoutingService:
    """What agents answer, and what the clock does when they do not."""

    def __init__(self, writer: DeskWriter, raise_due_flags: Callable[[datetime], object]) -> None:
        self.writer = writer
        self._raise_due_flags = raise_due_flags
        """The closing area's time-based flags, which the clock raises at each tick."""

    def respond(
        self,
        referral_id: str,
        agent_id: str,
        response: str,
        now: datetime,
        reason: str | None = None,
    ) -> ReferralView:
        """Records an agent's answer: accept / claim, decline, or interest (network).

        The reason is one line of free text (`rules/text.py`), at most the column's
        width on any backend; it is checked before anything is read.
        """
        if reason is not None:
            reason = checked_text("reason", reason, max_length=REASON_MAX)
        with self.writer.writing() as session:
            referral = referral_row(session, referral_id)
            run = self.writer.routing_run(session, now)
            responses.respond(run, referral, agent_id.strip(), response.strip().lower(), reason)
            return self.writer.written(session, referral.id or 0)

    def respond_by_link(
        self, offer_id: int, agent_id: str, response: str, now: datetime, reason: str | None
    ) -> ReferralView:
        """An answer given on an offer link: `respond`'s rules, for that very offer only (a
        link to an older offer of the same agent answers nothing), recorded as from the link."""
        if reason is not None:
            reason = checked_text("reason", reason, max_length=REASON_MAX)
        with self.writer.writing() as session:
            page = offer_page(session, offer_id, agent_id)
            if page is None:
                raise NotFound("offer: no such offer")
            if not page.latest:
                raise Refused(
                    f"offer: this link is for an earlier offer of {page.referral_id}; "
                    "it takes no response"
                )
            referral = referral_row(session, page.referral_id)
            run = self.writer.routing_run(session, now)
            response = response.strip().lower()
            responses.respond(run, referral, agent_id, response, reason, via=LINK_DETAIL)
            return self.writer.written(session, referral.id or 0)

    def award(self, referral_id: str, agent_id: str, now: datetime) -> ReferralView:
        """Picks the receiver among interested agents of a network referral."""
        with self.writer.writing() as session:
            referral = referral_row(session, referral_id)
            responses.award(self.writer.routing_run(session, now), referral, agent_id.strip())
            return self.writer.written(session, referral.id or 0)

    def reroute(self, referral_id: str, now: datetime, agent_id: str | None = None) -> ReferralView:
        """Routes an unassigned referral again, or offers it privately to one agent."""
        with self.writer.writing() as session:
            referral = referral_row(session, referral_id)
            if referral.status != "unassigned":
                raise Refused(
                    "status: only an unassigned referral can be routed again "
                    f"(it is {referral.status})"
                )
            run = self.writer.routing_run(session, now)
            if agent_id is not None:
                agent_row(session, agent_id, field="agent_id")
                referral.mode, referral.private_agent_id = "private", agent_id
                refusal = dispatch.private_refusal(run, referral)
                if refusal is not None:
                    raise InvalidInput([f"agent_id: {agent_id} is not eligible: {refusal}"])
            self.writer.record(
                session,
                referral.id,
                "rerouted",
                now,
                agent_id=agent_id,
                detail=f"routing again ({referral.mode})",
            )
            dispatch.start(run, referral)
            return self.writer.written(session, referral.id or 0)

    def handoff(
        self,
        referral_id: str,
        now: datetime,
        mode: str | None = None,
        agent_id: str | None = None,
    ) -> ReferralView:
        """The inside sales agent hands a qualifying referral off: routed by `mode` (the
        desk's `default_mode`, or `best_fit` when that is `isa`), or offered privately to
        `agent_id`; refused, nothing written, when it is not qualifying."""
        with self.writer.writing() as session:
            referral = referral_row(session, referral_id)
            run = self.writer.routing_run(session, now)
            default = run.settings.default_mode
            chosen = (mode or "").strip().lower() or (default if default != "isa" else "best_fit")
            agent = agent_id.strip() if agent_id is not None else None
            isa.hand_off(run, referral, chosen, agent)
            return self.writer.written(session, referral.id or 0)

    def invite(self, referral_id: str, agent_ids: list[str], now: datetime) -> ReferralView:
        """Adds receivers to a private referral to check their interest (each must be able
        to take it now); from then on the sender awards one of the interested."""
        with self.writer.writing() as session:
            referral = referral_row(session, referral_id)
            interest.invite(self.writer.routing_run(session, now), referral, agent_ids)
            return self.writer.written(session, referral.id or 0)

    def preview(self, payload: Any, now: datetime) -> RoutingDecision:
        """Who would get this referral and why each other agent would not; writes nothing."""
        data = parse_intake(payload)
        with self.writer.read() as session:
            if data.network is not None:
                known_network(session, data.network)
            return preview_decision(session, data, settings_of(session), now)

    def tick(self, now: datetime) -> list[lapses.Lapse]:
        """The clock: lapses every offer past its window and routes what follows.

        Also raises the time-based flags (a closing near with no fee logged).
        """

        def write_one(offer_id: int) -> lapses.Lapse | None:
            with self.writer.store.write() as session:
                settings = settings_of(session)
                links = self.writer.offer_links(settings)
                lapse = lapses.lapse_one(session, self.writer, settings, offer_id, now, links)
                if lapse is not None:
                    self.writer.bump(session)
                return lapse

        handled = lapses.handle_due(self.writer.read, write_one, now)
        self._raise_due_flags(now)
        return handled
