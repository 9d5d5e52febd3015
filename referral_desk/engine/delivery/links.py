"""Offer links: `PUBLIC_URL/o/TOKEN`, one per offer, signed with the desk's secret.

A token names the offer and its agent and nothing else (no client data; the
agent id is the roster's own code). It is signed with itsdangerous (HMAC), so
a changed character, a token made up or one signed before the secret was
rotated reads as no token at all. A token is not single-use by itself: the
offer's status makes it so, since an answer is taken only while the offer is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from itsdangerous import BadData, URLSafeSerializer

SALT: Final = "referral-desk/offer-link/1"
"""Keeps an offer token from being accepted as any other signed value (a board link)."""
TOKEN_MAX: Final = 200
"""Longer than any token the desk makes: anything longer is refused before it is read."""

BOARD_SALT: Final = "referral-desk/board-link/1"

__all__ = ["LinkTarget", "OfferLinks", "board_token", "read_board_token", "read_offer_token"]


@dataclass(frozen=True)
class LinkTarget:
    """What a valid token names."""

    offer_id: int
    agent_id: str


@dataclass(frozen=True)
class OfferLinks:
    """Makes the links offer messages carry."""

    public_url: str
    secret: str

    def token(self, offer_id: int, agent_id: str) -> str:
        return _serializer(self.secret).dumps([offer_id, agent_id])

    def url(self, offer_id: int, agent_id: str) -> str:
        return f"{self.public_url}/o/{self.token(offer_id, agent_id)}"


def read_offer_token(secret: str, token: str) -> LinkTarget | None:
    """The offer and agent a token names, or None for anything forged, altered or signed
    with another secret."""
    if not token or len(token) > TOKEN_MAX or not token.isascii():
        return None
    try:
        value = _serializer(secret).loads(token)
    except BadData:
        return None
    if not (isinstance(value, list) and len(value) == 2):
        return None
    offer_id, agent_id = value
    if type(offer_id) is not int or not isinstance(agent_id, str) or offer_id < 1:
        return None
    # Base64 leaves spare bits in a segment's last character: a token with one of
    # them flipped decodes to the same signed bytes. Only the desk's own spelling of
    # a token is taken, so any altered character is a different, unknown token.
    if _serializer(secret).dumps([offer_id, agent_id]) != token:
        return None
    return LinkTarget(offer_id, agent_id)


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def board_token(secret: str, until: datetime) -> str:
    """A token for the team lead's board, good until `until` (signed, so it cannot be
    stretched; the secret's rotation ends it too)."""
    return URLSafeSerializer(secret, salt=BOARD_SALT).dumps({"until": int(until.timestamp())})


def read_board_token(secret: str, token: str, now: datetime) -> bool:
    """Whether a board token is the desk's and still good at `now`."""
    if not token or len(token) > TOKEN_MAX or not token.isascii():
        return False
    try:
        value = URLSafeSerializer(secret, salt=BOARD_SALT).loads(token)
    except BadData:
        return False
    until = value.get("until") if isinstance(value, dict) else None
    if type(until) is not int or board_token(secret, _moment(until)) != token:
        return False  # not the desk's own spelling of the token (see read_offer_token)
    return now.timestamp() < until


def _moment(timestamp: int) -> datetime:
    from datetime import UTC

    return datetime.fromtimestamp(timestamp, UTC)
