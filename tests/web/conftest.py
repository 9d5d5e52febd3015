"""A desk with the demo roster and `public_url` set, its web app, and link helpers.

Every test drives the real ASGI app in-process (Starlette's TestClient) over the
real desk service, on each backend, with a manual clock the pages read too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.web.app import create_app
from referral_desk.web.pages import WebContext
from tests.conftest import ROSTER_CSV

PUBLIC_URL = "https://desk.example.com"
LINK = re.compile(r"^https://desk\.example\.com(/o/[A-Za-z0-9_.-]+)$", re.MULTILINE)
FORM_TOKEN = re.compile(r'name="form_token" value="([0-9a-f]+)"')


@pytest.fixture
def web_desk(desk: Desk, clock: ManualClock, tmp_path: Path) -> Desk:
    """The demo roster, offer links on (a PostgreSQL desk keeps its secret in tmp_path)."""
    desk.server_secret_file = tmp_path / "server-secret"
    desk.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), clock.now())
    desk.set_setting("public_url", PUBLIC_URL, clock.now())
    return desk


@pytest.fixture
def client(web_desk: Desk, clock: ManualClock) -> Iterator[TestClient]:
    with TestClient(create_app(WebContext(web_desk, clock)), base_url=PUBLIC_URL) as client:
        yield client


def links_of(desk: Desk, referral_id: str) -> dict[str, str]:
    """Agent id → the path of the link in their latest offer message for the referral."""
    found: dict[str, str] = {}
    for message in reversed(desk.outbox()):
        if message.referral_id != referral_id or "offer" not in message.kind:
            continue
        match = LINK.search(message.body)
        if match:
            page = desk.links.page(match.group(1).removeprefix("/o/"))
            assert page is not None
            found.setdefault(page.agent_id, match.group(1))
    return found


def form_token(html: str) -> str:
    match = FORM_TOKEN.search(html)
    assert match, "the page carries no answer form"
    return match.group(1)


def answer(client: TestClient, path: str, response: str, **fields: Any) -> Any:
    """Opens the page, then presses the button for `response` as a browser would."""
    page = client.get(path)
    return client.post(
        path, data={"answer": response, "form_token": form_token(page.text), **fields}
    )
