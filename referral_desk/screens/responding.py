"""Recording agents' answers, shared by the queue and the referral detail screen.

A VA takes a partner's call ("yes, I'll take it", "no, full this month") from
whichever screen is in front of them, so both screens offer the same keys:
accept, decline (with an optional reason), claim, interest, award, and
reassign now. Prompts run in an async worker (`push_screen_wait`); the desk
call itself goes through `writing.write` (a thread worker answering by
message), so a refused answer is shown here, as a warning with the desk's line.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from textual import on, work
from textual.binding import Binding, BindingType

from ..engine import INTEREST_MODES, SEQUENTIAL_MODES, OfferView, ReferralView
from ..widgets.countdown import countdown_text
from .base import DeskScreen
from .modals import Choice, PickOne, ReasonPrompt
from .writing import Refused, Written, write

__all__ = ["REASSIGNED_BY_DESK", "RESPONSE_BINDINGS", "RespondingScreen"]

REASSIGNED_BY_DESK = "reassigned by the desk"
"""The decline reason recorded when the desk moves an open offer on without an answer."""

RESPONSE_BINDINGS: list[BindingType] = [
    Binding(
        "a", "accept", "Accept", tooltip="The agent takes it (sequential or broadcast)", id="accept"
    ),
    Binding(
        "d",
        "decline",
        "Decline",
        tooltip="The agent declines; asks an optional reason",
        id="decline",
    ),
    Binding(
        "c",
        "claim",
        "Claim",
        tooltip="Broadcast: the agent claims it, first wins",
        id="claim",
        show=False,
    ),
    Binding("n", "interest", "Interest", tooltip="Network: the agent is interested", id="interest"),
    Binding(
        "w", "award", "Award", tooltip="Network: pick the receiver among the interested", id="award"
    ),
    Binding(
        "h",
        "handoff",
        "Hand off",
        tooltip="ISA: route a qualifying referral now (pick the mode)",
        id="handoff",
    ),
    Binding(
        "v",
        "invite",
        "Invite",
        tooltip="Private: add a receiver to check their interest",
        id="invite",
    ),
    Binding(
        "r",
        "reassign",
        "Reassign",
        tooltip="Route it on now: next agent, or route an unassigned one",
        id="reassign",
    ),
]
"""The response keys; each names what it records, so the footer and help read as a desk."""


def picks_from_interested(referral: ReferralView) -> bool:
    """Network and open referrals, and private ones with receivers invited: their offers
    take `interest`, and the sender awards one."""
    if referral.mode in INTEREST_MODES:
        return True
    return referral.mode == "private" and any(e.kind == "invited" for e in referral.events)


def _offered(referral: ReferralView) -> list[OfferView]:
    return [offer for offer in referral.offers if offer.status == "offered"]


def _interested(referral: ReferralView) -> list[OfferView]:
    return [offer for offer in referral.offers if offer.status == "interested"]


HANDOFF_CHOICES = (
    ("best_fit", "best fit: the best-scoring agent first"),
    ("round_robin", "round robin: the next agent in the rotation"),
    ("on_duty", "on duty: the best agent on duty now"),
    ("broadcast", "broadcast: several at once, first to claim"),
    ("network", "network: the market's group, pick from interested"),
    ("open", "open: every agent covering the market, pick from interested"),
    ("warm_transfer", "warm transfer: the client is on the line now"),
)
"""How the ISA can hand a referral off from the screen (`handoff --agent` for one agent)."""

ANSWER_ACTIONS = (
    "accept",
    "decline",
    "claim",
    "interest",
    "award",
    "handoff",
    "invite",
    "reassign",
)
"""The actions whose keys depend on the referral in focus."""


class RespondingScreen(DeskScreen):
    """A desk screen with a referral in focus that agents' answers can be recorded on."""

    HIDE_UNFIT = False
    """Hide (not dim) keys that do not fit: right for one open referral, whose keys
    stay put; a list keeps them, dimmed, so the footer does not jump row to row."""

    def current_referral(self) -> ReferralView | None:
        """The referral the keys act on (the highlighted row, the open referral)."""
        raise NotImplementedError

    def refresh_answer_keys(self) -> None:
        """Asks the footer to show the keys that fit the referral now in focus.

        Cheap when nothing changed: `DeskFooter` rebuilds only when the keys differ.
        """
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dims keys that do not fit the referral in focus; hides network-only ones elsewhere."""
        if action not in ANSWER_ACTIONS:
            return True
        fits = self._fits(action)
        return False if fits is None and self.HIDE_UNFIT else fits

    def _fits(self, action: str) -> bool | None:
        referral = self.current_referral()
        if referral is None:
            return None
        network = picks_from_interested(referral)
        offered = bool(_offered(referral))
        if action in ("interest", "award"):
            if not network:
                return False
            fits = offered if action == "interest" else bool(_interested(referral))
            return True if fits else None
        if action in ("accept", "claim"):
            return True if offered and not network else None
        if action == "decline":
            return True if offered else None
        if action == "handoff":  # shown only on a referral with the ISA: most desks have none
            return referral.status == "qualifying"
        if action == "invite":  # shown only on an open private referral
            return referral.mode == "private" and referral.status in ("offered", "accepted")
        return True if referral.status == "unassigned" or self._reassignable(referral) else None

    @staticmethod
    def _reassignable(referral: ReferralView) -> bool:
        offered = _offered(referral)
        return len(offered) == 1 and (
            referral.mode in SEQUENTIAL_MODES or referral.mode == "private"
        )

    def action_accept(self) -> None:
        self._answer("accept")

    def action_claim(self) -> None:
        self._answer("claim")

    def action_decline(self) -> None:
        self._answer("decline")

    def action_interest(self) -> None:
        self._answer("interest")

    def action_award(self) -> None:
        self._award()

    def action_handoff(self) -> None:
        self._hand_off()

    def action_invite(self) -> None:
        self._invite()

    def action_reassign(self) -> None:
        referral = self.current_referral()
        if referral is None:
            return
        now = self.now()
        if referral.status == "unassigned":
            write(
                self,
                lambda desk: desk.reroute(referral.id, now),
                f"{referral.id}: routed again",
            )
            return
        if not self._reassignable(referral):
            self._warn(
                referral,
                "Reassign now moves a single open offer on, or routes an unassigned referral; "
                "record each agent's answer for broadcast and network offers.",
            )
            return
        agent_id = _offered(referral)[0].agent_id
        name = self.desk_app.agent_names.get(agent_id, agent_id)
        write(
            self,
            lambda desk: desk.respond(referral.id, agent_id, "decline", now, REASSIGNED_BY_DESK),
            f"{referral.id}: {name} ({agent_id}) passed over → next agent",
        )

    def _agent_label(self, offer: OfferView, now: datetime) -> str:
        name = self.desk_app.agent_names.get(offer.agent_id, offer.agent_id)
        left = offer.seconds_left(now)
        tail = f" · {countdown_text(left)} left" if left is not None else f" · {offer.status}"
        return f"{name} ({offer.agent_id}) · score {offer.score:.2f}{tail}"

    async def _choose(self, title: str, offers: list[OfferView]) -> str | None:
        if len(offers) == 1:
            return offers[0].agent_id
        now = self.now()
        choices = [Choice(offer.agent_id, self._agent_label(offer, now)) for offer in offers]
        return await self.app.push_screen_wait(PickOne(title, choices))

    @work(group="prompt", exclusive=True, exit_on_error=False)
    async def _answer(self, response: str) -> None:
        referral = self.current_referral()
        if referral is None:
            return
        offers = _offered(referral)
        if not offers:
            self._warn(referral, f"Nobody has an open offer on {referral.id} to {response}.")
            return
        agent_id = await self._choose(f"{referral.id}: whose {response}?", offers)
        if agent_id is None:
            return
        reason: str | None = None
        if response == "decline":
            name = self.desk_app.agent_names.get(agent_id, agent_id)
            typed = await self.app.push_screen_wait(
                ReasonPrompt(f"{referral.id}: why does {name} decline?")
            )
            if typed is None:
                return
            reason = typed or None
        now = self.now()
        past = {"accept": "accepted", "claim": "claimed", "decline": "declined"}
        done = past.get(response, "is interested")
        name = self.desk_app.agent_names.get(agent_id, agent_id)
        write(
            self,
            lambda desk: desk.respond(referral.id, agent_id, response, now, reason),
            f"{referral.id}: {name} ({agent_id}) {done}",
        )

    @work(group="prompt", exclusive=True, exit_on_error=False)
    async def _award(self) -> None:
        referral = self.current_referral()
        if referral is None:
            return
        interested = _interested(referral)
        if not interested:
            self._warn(referral, f"No agent has marked interest in {referral.id} yet.")
            return
        agent_id = await self._choose(f"{referral.id}: award to whom?", interested)
        if agent_id is None:
            return
        now = self.now()
        write(
            self,
            lambda desk: desk.award(referral.id, agent_id, now),
            f"{referral.id}: awarded to {agent_id} (pending the fee agreement)",
        )

    @work(group="prompt", exclusive=True, exit_on_error=False)
    async def _hand_off(self) -> None:
        referral = self.current_referral()
        if referral is None:
            return
        if referral.status != "qualifying":
            self._warn(
                referral, f"{referral.id} is not with the inside sales agent: nothing to hand off."
            )
            return
        choices = [Choice(mode, label) for mode, label in HANDOFF_CHOICES]
        mode = await self.app.push_screen_wait(PickOne(f"{referral.id}: hand off by", choices))
        if mode is None:
            return
        now = self.now()
        write(
            self,
            lambda desk: desk.routing.handoff(referral.id, now, mode),
            f"{referral.id}: handed off ({mode.replace('_', ' ')})",
        )

    @work(group="prompt", exclusive=True, exit_on_error=False)
    async def _invite(self) -> None:
        referral = self.current_referral()
        if referral is None:
            return
        holding = {offer.agent_id for offer in referral.offers}
        metro = referral.metro.casefold()
        agents = await asyncio.to_thread(self.desk.agents)
        choices = [
            Choice(agent.id, f"{agent.name} ({agent.id}) · load {agent.load}/{agent.capacity}")
            for agent in agents
            if agent.active
            and agent.id not in holding
            and metro in (m.casefold() for m in agent.metros)
        ]
        if not choices:
            self._warn(referral, f"No other active agent covers {referral.metro} to invite.")
            return
        agent_id = await self.app.push_screen_wait(
            PickOne(f"{referral.id}: invite whom to show interest?", choices)
        )
        if agent_id is None:
            return
        now = self.now()
        write(
            self,
            lambda desk: desk.routing.invite(referral.id, [agent_id], now),
            f"{referral.id}: {agent_id} invited (the sender awards among the interested)",
        )

    def _warn(self, referral: ReferralView, text: str) -> None:
        """Says why a key did nothing for the referral in focus (text, never markup)."""
        self.notify(text, title=referral.id, severity="warning", markup=False)

    @on(Written)
    def _written(self, message: Written[object]) -> None:
        """An answer was recorded: the summary it was started with, and every screen re-reads."""
        self.notify(message.what, timeout=4, markup=False)
        self.desk_app.announce_write(message.revision)

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        """The desk refused the answer (the offer lapsed meanwhile, say): its one line."""
        self.notify(
            str(message.error), title="Refused", severity="warning", timeout=8, markup=False
        )
