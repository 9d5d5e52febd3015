"""The desk's web face as an ASGI app: offer links (`/o/TOKEN`) and the intake API.

Built by `create_app` around one `WebContext` (the desk and its clock), so tests
drive it in-process with Starlette's TestClient and `serve` hands it to
uvicorn. Nothing but the routes below answers: any other path is a bare 404,
any other method a 405.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from .api import errors, openapi, post_referrals, queue
from .board import board, board_rows
from .offers import answer_offer, show_offer
from .pages import SecurityHeaders, WebContext

__all__ = ["create_app"]


def create_app(web: WebContext) -> Starlette:
    """The ASGI app serving `web.desk`."""
    app = Starlette(
        routes=[
            Route("/o/{token}", show_offer, methods=["GET", "HEAD"]),
            Route("/o/{token}", answer_offer, methods=["POST"]),
            Route("/api/referrals", post_referrals, methods=["POST"]),
            Route("/api/queue", queue, methods=["GET"]),
            Route("/api/openapi.json", openapi, methods=["GET"]),
            Route("/board", board, methods=["GET"]),
            Route("/board/rows", board_rows, methods=["GET"]),
        ],
        middleware=[Middleware(SecurityHeaders, log=web.log_line)],
        exception_handlers={404: _bare, 405: _bare, 500: _server_error},
    )
    app.state.web = web
    return app


async def _bare(request: Request, error: Exception) -> Response:
    status = getattr(error, "status_code", 404)
    if request.url.path.startswith("/api/"):
        return errors(status, "path: no such endpoint" if status == 404 else "method: not allowed")
    return PlainTextResponse("Not found" if status == 404 else "Method not allowed", status)


async def _server_error(request: Request, error: Exception) -> Response:
    """No traceback reaches a partner: one line on the server's log, a plain page here."""
    web = request.app.state.web
    web.log_line(f"error: {type(error).__name__} on {request.method} (see the desk's log)")
    if request.url.path.startswith("/api/"):
        return errors(500, "desk: could not answer just now; try again")
    return PlainTextResponse("The desk could not answer just now; please try again.", 500)
