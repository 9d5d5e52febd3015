"""`/board`: the team lead's live, read-only view of the queue, from a signed link.

`referral-desk board-link` prints `…/board?t=TOKEN`. Opening it sets an HttpOnly,
SameSite cookie holding the token (Secure when `public_url` is https) and
redirects to `/board`, so the token leaves the address bar and the history.
The page lists the queue as served (it works without JavaScript): unassigned
referrals first, then the soonest deadline, open flags marked. A small script
ticks the countdowns and asks `/board/rows?since=REVISION` every second; the
rows come back only when the desk's revision moved (any write, any process).
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

__all__ = ["BoardRow", "board", "board_rows", "rows_of"]

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
    revision, context = await web.read(_board_context, web, now)
    return render(request, "board.html", {**context, "revision": revision}, 200)


async def board_rows(request: Request) -> Response:
    """GET /board/rows?since=N: 204 while the desk is as it was, else the fresh rows."""
    web: WebContext = request.app.state.web
    now = web.clock.now()
    if not web.desk.links.board_token_ok(request.cookies.get(COOKIE, ""), now):
        return _unauthorized()
    since = request.query_params.get("since", "")
    revision = await web.read(web.desk.revision)
    if since.isdigit() and int(since) == revision:
        return Response(status_code=204)
    revision, context = await web.read(_board_context, web, now)
    fragment = TEMPLATES.env.get_template("board_rows.html").render(context)
    return JSONResponse({"revision": revision, "html": fragment})


def _board_context(web: WebContext, now: datetime) -> tuple[int, dict[str, Any]]:
    desk = web.desk
    revision = desk.revision()
    zone: tzinfo = desk.settings().zone
    counts: DeskCounts = desk.counts(now)
    rows = rows_of(desk.links.board(), desk.agent_names(), now)
    return revision, {
        "title": "The queue",
        "rows": rows,
        "counts": counts,
        "live_offers": sum(1 for row in rows if row.deadline),
        "as_of": clock_time(now, zone),
        "iso": iso,
    }


def _unauthorized() -> Response:
    return PlainTextResponse(
        "This board needs a valid link: ask for a new one (referral-desk board-link).", 401
    )
