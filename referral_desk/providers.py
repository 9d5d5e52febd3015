"""Command palette providers: every action a key offers, every referral and agent by name.

The palette is how a VA reaches anything without remembering its key or its
screen: "decline", "Maria Lopez", "Dana" all work. Referrals are searched in
the database as the user types (a desk may hold 100,000 of them); the roster
is small enough to match in memory.

Referral and agent hits carry names people typed, so their prompt and help are
`Content` (text, never markup; see `widgets/plain.py`): Textual's own
`Matcher.highlight` and a `str` help are read as markup, which made a name with
`[/]` drop out of the results and one with `[@click=app.quit]` a link that quit.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from .messages import ShowReferral

if TYPE_CHECKING:
    from .app import ReferralDeskApp
    from .engine import AgentView

__all__ = ["AgentsProvider", "DeskActionsProvider", "ReferralsProvider", "highlighted"]


def highlighted(matcher: Matcher, text: str) -> Content:
    """`text` as plain `Content` with the letters the query matched highlighted.

    `Matcher.highlight` would do the same on `text` read as markup; the matched
    offsets are the same either way, since matching runs on the raw text.
    """
    content = Content(text)
    _, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def plain_help(text: str) -> str:
    """A hit's help line that is shown as text: the palette passes a hit's help to
    `Content.from_markup`, which hands a `Content` back untouched (Textual is pinned)."""
    return Content(text)  # type: ignore[return-value]


class DeskActionsProvider(Provider):
    """The places, and every action bound to a key on the screen the palette opened over."""

    def _commands(self) -> list[tuple[str, str, object]]:
        app: ReferralDeskApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, str, object]] = [
            (f"Go to {place.title}", place.help, partial(app.run_action, f"go('{place.mode}')"))
            for place in app.places.values()
        ]
        commands.append(("Help: keys", "Every key of this screen", app.action_help))
        seen = {title for title, _, _ in commands}
        for binding_info in self.screen.active_bindings.values():
            binding = binding_info.binding
            if not binding.description or binding.action.startswith(("go(", "app.go(")):
                continue
            if not binding_info.enabled or binding.action in ("command_palette", "help"):
                continue
            title = binding.description
            if title in seen:
                continue
            seen.add(title)
            node = binding_info.node
            commands.append(
                (title, binding.tooltip or title, partial(app.run_action, binding.action, node))
            )
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)  # type: ignore[arg-type]


class ReferralsProvider(Provider):
    """Referrals by id or client name, read from the desk as the user types."""

    async def search(self, query: str) -> Hits:
        app: ReferralDeskApp = self.app  # type: ignore[assignment]
        if len(query.strip()) < 2:
            return
        found = await asyncio.to_thread(app.desk.find_referrals, query, 20)
        matcher = self.matcher(query)
        for referral in found:
            title = f"{referral.id} {referral.client_first_name} {referral.client_last_name}"
            score = max(matcher.match(title), 0.5)
            yield Hit(
                score,
                highlighted(matcher, title),
                partial(app.post_message, ShowReferral(referral.id)),
                text=title,
                help=plain_help(f"{referral.metro} · {referral.status.replace('_', ' ')}"),
            )


class AgentsProvider(Provider):
    """Agents on the roster by name or id; choosing one shows their card."""

    async def startup(self) -> None:
        app: ReferralDeskApp = self.app  # type: ignore[assignment]
        self._agents: list[AgentView] = await asyncio.to_thread(app.desk.agents)

    async def search(self, query: str) -> Hits:
        from .screens.modals import AgentCard

        app: ReferralDeskApp = self.app  # type: ignore[assignment]
        matcher = self.matcher(query)
        for agent in self._agents:
            title = f"{agent.name} ({agent.id})"
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    highlighted(matcher, title),
                    partial(app.push_screen, AgentCard(agent)),
                    text=title,
                    help=plain_help(
                        f"{agent.brokerage} · {', '.join(agent.metros)} · "
                        f"load {agent.load}/{agent.capacity}"
                    ),
                )
