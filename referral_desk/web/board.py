"""`/board`: the team lead's live, read-only view of the queue, from a signed link.

`referral-desk board-link` prints `…/board?t=TOKEN`. Opening it sets an HttpOnly,
SameSite cookie holding the token (Secure when `public_url` is https) and
redirects to `/board`, so the token leaves the address bar and the history.
The page lists the queue as served (it works without JavaScript): unassigned
referrals first, then the soonest deadline, open flags marked. A small script
ticks the countdowns and asks `/board/rows?since=REVISION&seen=FINGERPRINT`
every second; the rows come back only when the desk's revision moved (any write,
any process) and what the board shows changed with it: a write the board does
not show (a message sent, a setting) answers with the new revision alone.
No client contact is on the board: a client is a first name and an initial.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from ..engine import STATUS_LABELS, BoardLine, DeskCounts, iso
from .offer_words import clock_time, time_left
from .pages import TEMPLATES, WebContext, render

__all__ = ["BoardRow", "board", "board_rows", "fingerprint", "rows_of"]

COOKIE: Final = "rd_board"


@dataclass(frozen=True)
class BoardRow:
    """One referral as the board shows it."""

    referral_id: str
    status: str
    client: str
    market: str
    mode: str
    offered_to: str
    deadline: datetime | None
    left: str
    flags: int
    unassigned: bool


def rows_of(lines: list[BoardLine], names: dict[str, str], now: datetime) -> list[BoardRow]:
    """The queue as board rows: unassigned first, then the soonest deadline first."""
    rows = []
    for line in lines:
        ticking = [offer.expires_at for offer in line.offers if offer.status == "offered"]
        deadline = min(ticking, default=None)
        agents = [names.get(offer.agent_id, offer.agent_id) for offer in line.offers]
        rows.append(
            BoardRow(
                referral_id=line.referral_id,
                status=STATUS_LABELS.get(line.status, line.status),
                client=line.client,
                market=line.market,
                mode=line.mode.replace("_", " "),
                offered_to=", ".join(agents) if agents else "—",
                deadline=deadline,
                left=time_left(deadline, now) if deadline and deadline > now else "—",
                flags=line.open_flags,
                unassigned=line.status == "unassigned",
            )
        )
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda row: (not row.unassigned, row.deadline or far, row.referral_id))


def fingerprint(
    lines: list[BoardLine], names: dict[str, str], counts: DeskCounts, as_of: str
) -> str:
    """What the board shows (its time left aside: the page's script ticks that itself):
    equal fingerprints, nothing to redraw. Taken from the lines before they become
    rows, so a write the board does not show costs no rows. Stable within one `serve`."""
    shown = hash((tuple(lines), frozenset(names.items()), counts, as_of))
    return format(shown & 0xFFFF_FFFF_FFFF_FFFF, "016x")


async def board(request: Request) -> Response:
    """GET /board: from the link (set the cookie, then redirect), or with the cookie."""
    web: WebContext = request.app.state.web
    now = web.clock.now()
    token = request.query_params.get("t")
    if token is not None:
        if not web.desk.links.board_token_ok(token, now):
            return _unauthorized()
        response = RedirectResponse("/board", status_code=303)
        secure = (await web.read(web.desk.settings)).public_url.startswith("https://")
        response.set_cookie(
            COOKIE,
            token,
            max_age=366 * 86400,  # the token inside ends when it says; the cookie need not
            httponly=True,
            samesite="strict",
            secure=secure,
            path="/board",
        )
        return response
    if not web.desk.links.board_token_ok(request.cookies.get(COOKIE, ""), now):
        return _unauthorized()
    state = await web.read(_board_state, web, now)
    return render(request, "board.html", _page_context(state, now), 200)


async def board_rows(request: Request) -> Response:
    """GET /board/rows?since=N&seen=F: 204 while the desk is as it was; the new revision
    alone while the board shows what fingerprint F says; else the fresh rows."""
    web: WebContext = request.app.state.web
    now = web.clock.now()
    if not web.desk.links.board_token_ok(request.cookies.get(COOKIE, ""), now):
        return _unauthorized()
    since = request.query_params.get("since", "")
    revision = await web.read(web.desk.revision)
    if since.isdigit() and int(since) == revision:
        return Response(status_code=204)
    state = await web.read(_board_state, web, now)
    if request.query_params.get("seen") == state.fingerprint:
        return JSONResponse({"revision": state.revision, "fingerprint": state.fingerprint})
    fragment = TEMPLATES.env.get_template("board_rows.html").render(_page_context(state, now))
    return JSONResponse(
        {"revision": state.revision, "fingerprint": state.fingerprint, "html": fragment}
    )


@dataclass(frozen=True)
class _BoardState:
    """The desk as the board reads it, before it is laid out as rows."""

    revision: int
    lines: list[BoardLine]
    names: dict[str, str]
    counts: DeskCounts
    as_of: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.lines, self.names, self.counts, self.as_of)


def _board_state(web: WebContext, now: datetime) -> _BoardState:
    desk = web.desk
    zone: tzinfo = desk.settings().zone
    return _BoardState(
        revision=desk.revision(),
        lines=desk.links.board(),
        names=desk.agent_names(),
        counts=desk.counts(now),
        as_of=clock_time(now, zone),
    )


def _page_context(state: _BoardState, now: datetime) -> dict[str, Any]:
    rows = rows_of(state.lines, state.names, now)
    return {
        "title": "The queue",
        "revision": state.revision,
        "fingerprint": state.fingerprint,
        "rows": rows,
        "counts": state.counts,
        "live_offers": sum(1 for row in rows if row.deadline),
        "as_of": state.as_of,
        "iso": iso,
    }


def _unauthorized() -> Response:
    return PlainTextResponse(
        "This board needs a valid link: ask for a new one (referral-desk board-link).", 401
    )
