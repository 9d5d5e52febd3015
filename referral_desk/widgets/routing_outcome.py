"""Where a referral went (or would go) and why: the panel beside the intake form.

After a submit the VA must see at once who was offered the referral, until
when, and why that agent (the score bars); after a preview, who would get it
and why each other agent would not. Both come from plain engine views.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from ..engine import INTEREST_MODES, OfferView, ReferralView, RoutingDecision
from .score import ScoreBreakdown

__all__ = ["RoutingOutcome", "stored_title"]

SHOWN_WITH_BARS = 3
"""Ranked agents shown with their bars in a preview; the rest get one line each."""
SHOWN_EXCLUDED = 12
"""Excluded agents listed by name in a preview before an "and N more" line."""

AT_ONCE_MODES = frozenset({"open", "warm_transfer"})
"""Modes whose preview lists everyone the referral would reach at the same moment."""

IDLE_TEXT = (
    "Type the referral, then ctrl+r to preview who would get it, or ctrl+s to store and route it."
)


def _name(agent_id: str, names: Mapping[str, str]) -> str:
    name = names.get(agent_id)
    return f"{name} ({agent_id})" if name else agent_id


def _clock(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %H:%M")


def stored_title(
    referral: ReferralView, open_offers: Sequence[OfferView], names: Mapping[str, str]
) -> tuple[str, str]:
    """What became of a referral just stored, in words, and the title's tone (a class)."""
    client = f"{referral.client_first_name} {referral.client_last_name}".strip()
    stored = f"{referral.id} ({client})"
    if referral.status == "qualifying":
        isa = _name(referral.assigned_agent_id or "", names)
        return (
            f"{stored} is with the inside sales agent, {isa}, to qualify: "
            "no offer yet; hand it off (h) from its detail once qualified.",
            "-stored",
        )
    if referral.status == "new":
        return (
            f"{stored} stored, not routed: routing is paused. "
            "It waits in the queue until routing is switched back on (Settings).",
            "-preview",
        )
    if not open_offers:
        return (
            f"{referral.id} stored — nobody could take it: unassigned, flagged for the team lead.",
            "-unassigned",
        )
    if referral.mode == "warm_transfer":
        return (
            f"{stored}: CALL NOW — {len(open_offers)} agents alerted by phone; "
            "the first to claim takes the call.",
            "-unassigned",
        )
    if referral.mode in INTEREST_MODES:
        return (
            f"{stored} open to {len(open_offers)} agents: "
            "pick one (w) from its detail among those interested.",
            "-stored",
        )
    if len(open_offers) == 1:
        return f"{stored} offered to {_name(open_offers[0].agent_id, names)}", "-stored"
    first = ", ".join(_name(offer.agent_id, names) for offer in open_offers[:SHOWN_WITH_BARS])
    more = " …" if len(open_offers) > SHOWN_WITH_BARS else ""
    return f"{stored} offered to {len(open_offers)}: {first}{more}", "-stored"


class RoutingOutcome(VerticalScroll):
    """The routing result of the last submit or preview, with score bars."""

    DEFAULT_CSS = """
    RoutingOutcome {
        height: 1fr;
        padding: 0 1;
    }
    RoutingOutcome > .outcome--title {
        text-style: bold;
        margin-bottom: 1;
    }
    RoutingOutcome > .outcome--title.-stored { color: $success; }
    RoutingOutcome > .outcome--title.-preview { color: $accent; }
    RoutingOutcome > .outcome--title.-unassigned { color: $error; }
    RoutingOutcome > .outcome--agent { text-style: bold; }
    RoutingOutcome > .outcome--note { color: $text-muted; }
    RoutingOutcome > ScoreBreakdown { margin-bottom: 1; }
    """

    def on_mount(self) -> None:
        self.show_idle()

    def _replace(self, *widgets: Widget) -> None:
        self.remove_children()
        self.mount_all(widgets)
        self.scroll_home(animate=False)

    def show_idle(self) -> None:
        """The hint shown before anything was previewed or stored."""
        self._replace(Static(IDLE_TEXT, classes="outcome--note", markup=False))

    def show_stored(self, referral: ReferralView, names: Mapping[str, str], zone: ZoneInfo) -> None:
        """A stored referral: its id, where it waits, and its open offers with their bars
        (the first few: an open referral reaches hundreds of agents)."""
        open_offers = [offer for offer in referral.offers if offer.is_open]
        title, tone = stored_title(referral, open_offers, names)
        widgets: list[Widget] = [
            Static(title, classes=f"outcome--title {tone}", markup=False),
            Static(
                f"{referral.mode.replace('_', ' ')} · {referral.side} · "
                f"{referral.metro}{' ' + referral.zip if referral.zip else ''}",
                classes="outcome--note",
                markup=False,
            ),
        ]
        for offer in open_offers[:SHOWN_WITH_BARS]:
            widgets.append(
                Static(_name(offer.agent_id, names), classes="outcome--agent", markup=False)
            )
            widgets.append(
                Static(
                    Content.assemble(
                        (f"score {offer.score:.2f}", "bold $accent"),
                        (
                            f" · {offer.status} · answer by {_clock(offer.expires_at, zone)}",
                            "$text-muted",
                        ),
                    ),
                    markup=False,
                )
            )
            widgets.append(ScoreBreakdown(offer.breakdown))
        rest = open_offers[SHOWN_WITH_BARS:]
        if rest:
            lines = [f"… and {len(rest)} more:"]
            lines += [f"{_name(offer.agent_id, names)}  {offer.score:.2f}" for offer in rest]
            widgets.append(Static("\n".join(lines), classes="outcome--note", markup=False))
        self._replace(*widgets)

    def show_preview(
        self,
        decision: RoutingDecision,
        names: Mapping[str, str],
        mode: str,
        fallback_id: str | None = None,
    ) -> None:
        """A dry run: who would get it, best first, and why each other agent would not.

        In the sequential modes the fallback agent is listed last whatever its score
        (it is offered only when nobody else is left), so it is marked as such; an open
        referral or a warm transfer reaches everyone listed at once."""
        widgets: list[Widget] = []
        at_once = mode in AT_ONCE_MODES
        if decision.ranked and at_once:
            count = len(decision.ranked)
            title = (
                f"Preview ({mode.replace('_', ' ')}): to {count} agent{'s' * (count != 1)} "
                "at once — nothing saved"
            )
            widgets.append(Static(title, classes="outcome--title -preview", markup=False))
        elif decision.ranked:
            first = _name(decision.ranked[0].agent_id, names)
            title = f"Preview ({mode.replace('_', ' ')}): {first} first — nothing saved"
            widgets.append(Static(title, classes="outcome--title -preview", markup=False))
        else:
            widgets.append(
                Static(
                    "Preview: nobody on the roster is eligible — nothing saved",
                    classes="outcome--title -unassigned",
                    markup=False,
                )
            )
        others: list[str] = []  # one widget for them all: an open referral ranks hundreds
        for place, ranked in enumerate(decision.ranked, start=1):
            label = f"{place}. {_name(ranked.agent_id, names)}"
            if ranked.agent_id == fallback_id and not at_once:
                label += " — fallback, offered last"
            if place <= SHOWN_WITH_BARS:
                widgets.append(
                    Static(
                        Content.assemble(label, (f"  score {ranked.score:.2f}", "bold $accent")),
                        classes="outcome--agent",
                        markup=False,
                    )
                )
                widgets.append(ScoreBreakdown(ranked.breakdown.as_dict()))
            else:
                others.append(f"{label}  {ranked.score:.2f}")
        if others:
            widgets.append(Static("\n".join(others), classes="outcome--note", markup=False))
        if decision.excluded:
            widgets.append(Static("Not eligible:", classes="outcome--agent"))
            for exclusion in decision.excluded[:SHOWN_EXCLUDED]:
                widgets.append(
                    Static(
                        f"{_name(exclusion.agent_id, names)}: {exclusion.reason}",
                        classes="outcome--note",
                        markup=False,
                    )
                )
            hidden = len(decision.excluded) - SHOWN_EXCLUDED
            if hidden > 0:
                widgets.append(
                    Static(f"… and {hidden} more", classes="outcome--note", markup=False)
                )
        self._replace(*widgets)
