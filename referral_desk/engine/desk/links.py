"""Signed links: the desk's secret, the offer page behind a link and answers given
there, and the team lead's board.

`serve` reaches the desk through this area only: a token is read here (a forged,
altered or rotated-secret one is no token at all), the page is read for the
offer and agent it names, and an answer goes through routing's `respond` rules.
The form token that guards each answer (CSRF) is bound to the link and signed
with the same secret, so no server-side session is needed.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from pathlib import Path

from ..delivery.links import (
    LinkTarget,
    OfferLinks,
    board_token,
    read_board_token,
    read_offer_token,
)
from ..read.board import BoardLine, board_lines
from ..read.link_answers import LinkAnswer, last_event_id, link_answers_after
from ..read.offer_pages import OfferPage, offer_page
from ..rules.errors import InvalidInput, NotFound
from ..storage.secret import SecretKeeper
from .routing.service import RoutingService
from .writer import DeskWriter

__all__ = ["LinkService"]


class LinkService:
    """The links area of the desk service."""

    def __init__(self, writer: DeskWriter, routing: RoutingService, keeper: SecretKeeper) -> None:
        self.writer = writer
        self.routing = routing
        self.keeper = keeper

    def secret_file(self) -> Path | None:
        """Where the secret is kept (None when the desk has no file to keep it beside)."""
        return self.keeper.path

    def rotate_secret(self) -> Path:
        """A new secret: every link sent so far stops working (404)."""
        return self.keeper.rotate()

    def link_for(self, offer_id: int, agent_id: str) -> str | None:
        """The link an offer message carries, or None when `public_url` is not set."""
        public_url = self.writer.settings().public_url
        if not public_url:
            return None
        return OfferLinks(public_url, self.keeper.secret()).url(offer_id, agent_id)

    def target(self, token: str) -> LinkTarget | None:
        """The offer and agent a token names, or None when it is not one of the desk's."""
        return read_offer_token(self.keeper.secret(), token)

    def page(self, token: str) -> OfferPage | None:
        """The offer behind a link, as its agent may see it; None for a bad token."""
        target = self.target(token)
        if target is None:
            return None
        with self.writer.read() as session:
            return offer_page(session, target.offer_id, target.agent_id)

    def answer(
        self, token: str, response: str, now: datetime, reason: str | None = None
    ) -> OfferPage:
        """Records the agent's answer given on the link (`respond`'s rules and refusals),
        and returns the page as it now reads."""
        target = self.target(token)
        if target is None:
            raise NotFound("link: no such offer")
        self.routing.respond_by_link(target.offer_id, target.agent_id, response, now, reason)
        page = self.page(token)
        if page is None:  # the offer is gone: it cannot be, an answer was just recorded
            raise NotFound("link: no such offer")
        return page

    def board_link(self, base_url: str, now: datetime, days: int) -> str:
        """A signed link to the team lead's board, good for `days` days."""
        if not 1 <= days <= 366:
            raise InvalidInput([f"days: must be from 1 to 366 (got {days})"])
        token = board_token(self.keeper.secret(), now + timedelta(days=days))
        return f"{base_url.rstrip('/')}/board?t={token}"

    def board(self) -> list[BoardLine]:
        """The queue as the board shows it: open offers and open flags, no client contact."""
        with self.writer.read() as session:
            return board_lines(session)

    def board_token_ok(self, token: str, now: datetime) -> bool:
        """Whether a board link's token (or the cookie it set) is good now."""
        return read_board_token(self.keeper.secret(), token, now)

    def answers_after(self, event_id: int | None) -> tuple[int, list[LinkAnswer]]:
        """Answers given on links since `event_id`, and the event id to ask after next
        time; None starts from now (nothing older is news)."""
        with self.writer.read() as session:
            if event_id is None:
                return last_event_id(session), []
            answers = link_answers_after(session, event_id)
        return (answers[-1].event_id if answers else event_id), answers

    def form_token(self, token: str) -> str:
        """The token each answer form carries: bound to this link and the current secret."""
        key = self.keeper.secret().encode()
        return hmac.new(key, b"form:" + token.encode(), hashlib.sha256).hexdigest()[:32]

    def form_token_ok(self, token: str, given: str) -> bool:
        """Whether a posted form token is the one this link's page carried."""
        return hmac.compare_digest(self.form_token(token), given.strip()[:64])
