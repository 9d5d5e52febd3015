"""Offer links: in every offer message on every channel, signed, and private.

What a partner sees from a link: the offer (never the client's last name,
email, phone or notes) until the referral is theirs, then the client's
contact; anyone else's link never shows it. A link that is not the desk's —
forged, altered, signed before the secret was rotated — is a bare 404.
"""

from __future__ import annotations

import email
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from tests.factories import agent_row, intake
from tests.web.conftest import LINK, PUBLIC_URL, answer, links_of

CLIENT_DETAILS = (
    "Lopez",
    "maria.lopez@example.com",
    "555 0142",
    "5550142",
    "relocating from Denver",
)


def shows_client_details(html: str) -> list[str]:
    return [detail for detail in CLIENT_DETAILS if detail in html]


# --- the links in the messages ------------------------------------------------------


def test_every_offer_message_carries_its_link_alone_on_the_last_line(
    web_desk: Desk, clock: ManualClock
) -> None:
    """Sequential, broadcast and network offers, by SMS, email and call alike."""
    referrals = [
        web_desk.intake(intake(mode=mode, received_at=None), clock.now())[0]
        for mode in ("best_fit", "broadcast", "network")
    ]
    offers = [m for m in web_desk.outbox() if m.kind.endswith("offer")]
    assert {m.channel for m in offers} >= {"sms", "email", "call"}
    assert len(offers) == sum(len(r.offers) for r in referrals)
    for message in offers:
        last = message.body.rstrip("\n").splitlines()[-1]
        assert LINK.fullmatch(last), message.body
        assert message.body.count(PUBLIC_URL) == 1


def test_without_public_url_messages_carry_no_link(web_desk: Desk, clock: ManualClock) -> None:
    web_desk.set_setting("public_url", "", clock.now())
    web_desk.intake(intake(mode="broadcast", received_at=None), clock.now())
    assert all("/o/" not in m.body for m in web_desk.outbox())


@pytest.mark.sqlite_only
def test_the_link_in_an_eml_file_is_one_unbroken_line(web_desk: Desk, clock: ManualClock) -> None:
    """The `.eml` on disk holds the link whole (no quoted-printable folding)."""
    web_desk.save_agent(
        agent_row(id="P-EML-09", preferred_channel="email", email="eve@agents.example"),
        clock.now(),
    )
    long_url = PUBLIC_URL + "/a-rather-long-path-prefix-for-this-desk"
    web_desk.set_setting("public_url", long_url, clock.now())
    [referral] = web_desk.intake(
        intake(mode="private", agent_id="P-EML-09", received_at=None), clock.now()
    )
    web_desk.deliver_outbox(clock.now())
    [eml] = sorted(web_desk.outbox_folder().glob("*-offer.eml"))
    raw = eml.read_bytes().decode("utf-8")
    [line] = [line for line in raw.splitlines() if "/o/" in line]
    assert line.startswith(long_url + "/o/") and "=" not in line
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert line in parsed.get_content()  # type: ignore[attr-defined]
    assert referral.id in parsed["X-Referral-Desk-Referral"]


# --- what a link shows --------------------------------------------------------------


def test_an_open_offer_page_shows_the_offer_and_no_client_detail(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    [referral] = web_desk.intake(intake(received_at=None), clock.now())
    [path] = links_of(web_desk, referral.id).values()
    clock.advance(minutes=3)
    page = client.get(path)
    assert page.status_code == 200
    text = page.text
    shown = ("Maria", "Austin 78704", "$400K–$700K", "residential", "buyer",
             "touring this weekend", "Dana Whitfield", "8:30 AM CST", "27 min<")  # fmt: skip
    assert [item for item in shown if item not in text] == []
    assert ">Accept<" in text and ">Decline<" in text
    assert shows_client_details(text) == []


def test_the_contact_shows_to_the_awarded_agent_only(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    """Broadcast: the winner's link shows the contact; the others' say someone else
    claimed it, with no client detail."""
    [referral] = web_desk.intake(intake(mode="broadcast", received_at=None), clock.now())
    links = links_of(web_desk, referral.id)
    assert len(links) >= 3
    winner, *others = sorted(links)
    clock.advance(minutes=1)
    assert answer(client, links[winner], "claim").status_code == 200
    awarded = client.get(links[winner]).text
    assert "Maria Lopez" in awarded and "maria.lopez@example.com" in awarded
    assert "relocating from Denver" in awarded and "+15125550142" in awarded
    for other in others:
        page = client.get(links[other])
        assert page.status_code == 200
        assert "Another agent claimed it first." in page.text
        assert shows_client_details(page.text) == []
        assert "form_token" not in page.text


def test_a_get_never_changes_the_desk(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    """Mail scanners open links: any number of GETs (and HEADs) leave the desk as it was."""
    [referral] = web_desk.intake(intake(mode="broadcast", received_at=None), clock.now())
    revision = web_desk.revision()
    for path in links_of(web_desk, referral.id).values():
        for _ in range(3):
            assert client.get(path).status_code == 200
            assert client.head(path).status_code == 200
    assert web_desk.revision() == revision
    assert web_desk.referral(referral.id).status == "offered"


# --- links that are not the desk's --------------------------------------------------


@given(position=st.integers(min_value=0), replacement=st.sampled_from("AZaz09-_."))
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_an_altered_token_is_a_bare_404(
    web_desk: Desk, clock: ManualClock, client: TestClient, position: int, replacement: str
) -> None:
    [referral] = web_desk.intake(intake(received_at=None), clock.now())
    [path] = links_of(web_desk, referral.id).values()
    token = path.removeprefix("/o/")
    index = position % len(token)
    altered = token[:index] + replacement + token[index + 1 :]
    if altered == token:
        return
    for response in (client.get(f"/o/{altered}"), client.post(f"/o/{altered}", data={})):
        assert response.status_code == 404
        assert response.text == "Not found"


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "WzEsIlAtQVRYLTAxIl0",
        "WzEsIlAtQVRYLTAxIl0.",
        "a" * 5000,
        "%00",
        "..%2F..%2Fetc",
        "WzEsIlAtQVRYLTAxIl0.RumsqDRKxdE9Szln_Xysm1BLrMA",
    ],
)
def test_made_up_tokens_are_a_bare_404(client: TestClient, token: str) -> None:
    response = client.get(f"/o/{token}")
    assert response.status_code == 404
    assert response.text == "Not found"


def test_a_token_for_an_offer_that_does_not_exist_is_a_404(
    web_desk: Desk, client: TestClient
) -> None:
    """Signed by the desk, but naming no offer made to that agent."""
    assert web_desk.links.link_for(999, "P-ATX-01") is not None
    path = str(web_desk.links.link_for(999, "P-ATX-01")).removeprefix(PUBLIC_URL)
    assert client.get(path).status_code == 404


def test_rotating_the_secret_turns_every_old_link_into_a_404(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    [referral] = web_desk.intake(intake(mode="broadcast", received_at=None), clock.now())
    old = links_of(web_desk, referral.id)
    before = web_desk.links.secret_file()
    assert before is not None and before.stat().st_mode & 0o777 == 0o600
    web_desk.links.rotate_secret()
    assert before.stat().st_mode & 0o777 == 0o600
    for path in old.values():
        assert client.get(path).status_code == 404
    [fresh] = web_desk.intake(intake(mode="best_fit", received_at=None), clock.now())
    [new_path] = links_of(web_desk, fresh.id).values()
    assert client.get(new_path).status_code == 200


def test_the_secret_from_the_environment_signs_and_cannot_be_rotated_here(
    web_desk: Desk, clock: ManualClock, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from referral_desk.engine.rules.errors import InvalidInput

    monkeypatch.setenv("REFERRAL_DESK_SECRET", "a-shared-secret-of-several-desks")
    [referral] = web_desk.intake(intake(received_at=None), clock.now())
    [path] = links_of(web_desk, referral.id).values()
    assert client.get(path).status_code == 200
    with pytest.raises(InvalidInput, match="secret: it comes from REFERRAL_DESK_SECRET"):
        web_desk.links.rotate_secret()
    monkeypatch.setenv("REFERRAL_DESK_SECRET", "another-secret-entirely-now")
    assert client.get(path).status_code == 404


def test_the_secret_file_is_never_written_over_by_an_export(
    web_desk: Desk, clock: ManualClock, db_path: Path
) -> None:
    from referral_desk.engine.rules.errors import InvalidInput

    web_desk.intake(intake(received_at=None), clock.now())
    secret = web_desk.links.secret_file()
    assert secret == db_path.with_name("desk.db.secret")
    with pytest.raises(InvalidInput, match="file: "):
        web_desk.write_file(secret, "x", force=True)


def test_no_one_character_change_of_a_token_is_taken() -> None:
    """Every position, every character of the token alphabet: base64 leaves spare bits in
    a segment's last character, so a flipped one decoded to the same signed bytes; only
    the desk's own spelling of a token is taken (offer and board links alike)."""
    from datetime import UTC, datetime, timedelta

    from referral_desk.engine.delivery.links import (
        OfferLinks,
        board_token,
        read_board_token,
        read_offer_token,
    )

    secret = "s" * 32
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    now = datetime(2026, 11, 23, 14, tzinfo=UTC)
    offer = OfferLinks("https://desk.example.com", secret).token(41, "P-ATX-01")
    board = board_token(secret, now + timedelta(days=1))
    assert read_offer_token(secret, offer) is not None and read_board_token(secret, board, now)
    for index in range(len(offer)):
        for character in alphabet:
            altered = offer[:index] + character + offer[index + 1 :]
            if altered != offer:
                assert read_offer_token(secret, altered) is None, altered
    for index in range(len(board)):
        for character in alphabet:
            altered = board[:index] + character + board[index + 1 :]
            if altered != board:
                assert not read_board_token(secret, altered, now), altered
