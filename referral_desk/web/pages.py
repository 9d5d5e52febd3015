"""What every page shares: the desk and clock, the templates, security headers, the log.

Templates are Jinja2 with autoescaping on: whatever a person typed (a name, a
reason, a timeline) is shown as text, never as HTML. Each response carries a
strict Content-Security-Policy (inline script and style only with the
response's own nonce), no referrer (a link's token never leaks to another
site), and may not be framed.
"""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

from anyio import CapacityLimiter, to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..engine import Clock, Desk, OfferPage, shown_text

__all__ = [
    "SecurityHeaders",
    "WebContext",
    "message_page",
    "not_found",
    "render",
]

DESK_THREADS = 4
"""Desk calls in flight at once (within the database pool's five connections)."""
T = TypeVar("T")

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))


@dataclass
class WebContext:
    """What the pages work with: the desk, its clock, and where lines are logged."""

    desk: Desk
    clock: Clock
    log: TextIO = field(default_factory=lambda: sys.stderr)
    _limiter: CapacityLimiter | None = field(default=None, repr=False)

    async def read(self, function: Callable[..., T], *arguments: Any) -> T:
        """Runs a desk read: on the event loop for a SQLite desk, else in a worker thread.

        A read of a SQLite desk in WAL mode never waits for a writer and takes well
        under a millisecond, while handing it to a thread and back costs more than
        the read (the loop and the worker trade the GIL): inline, `serve` answered
        2.3× the link opens a second. A server database is across a network: its
        reads go to a thread, so a slow one never holds every other request up."""
        if self.desk.url.startswith("sqlite"):
            return function(*arguments)
        return await self.write(function, *arguments)

    async def write(self, function: Callable[..., T], *arguments: Any) -> T:
        """Runs a desk write in a worker thread, at most `DESK_THREADS` at once: a write
        may wait for another process's (the busy timeout), and the loop must not.
        More threads than this only wait on each other while each holds a pooled
        connection (twenty in flight would open connections past the pool's size)."""
        if self._limiter is None:
            self._limiter = CapacityLimiter(DESK_THREADS)
        return await to_thread.run_sync(function, *arguments, limiter=self._limiter)

    def log_line(self, line: str) -> None:
        """One line on the server's log (text made safe for a terminal)."""
        print(shown_text(line), file=self.log, flush=True)

    def log_answer(self, page: OfferPage, answer: str) -> None:
        """Says on the log that an agent answered from a link (no client data)."""
        self.log_line(f"answer: {page.referral_id} {answer} by {page.agent_id} from the link")


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """A page from a template, with the response's CSP nonce."""
    context = {**context, "nonce": request.scope.get("csp_nonce", "")}
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


def message_page(request: Request, title: str, message: str, status: int) -> Response:
    """A short page saying one thing (a refusal the person can act on)."""
    return render(request, "message.html", {"title": title, "message": message}, status)


def not_found(request: Request) -> Response:
    """404 with no detail: nothing says whether a guessed link was close."""
    return PlainTextResponse("Not found", status_code=404)


class SecurityHeaders:
    """ASGI middleware: the security headers on every response, and one log line per
    request naming the path without its token (`/o/…`)."""

    def __init__(self, app: ASGIApp, log: Callable[[str], None]) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope["csp_nonce"] = nonce
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.setdefault("headers", [])
                headers.extend(_security_headers(nonce))
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            self.log(f"{scope['method']} {_logged_path(scope['path'])} {status} {elapsed:.1f} ms")


def _security_headers(nonce: str) -> list[tuple[bytes, bytes]]:
    policy = (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
    return [
        (b"content-security-policy", policy.encode()),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
    ]


def _logged_path(path: str) -> str:
    """The path as logged: a link's token is a credential, so it is never written down."""
    for prefix in ("/o/", "/board/"):
        if path.startswith(prefix):
            return prefix + "…"
    return shown_text(path[:200])
