"""A team's templates are read safely, and a template never stops an intake.

`templates_dir` followed symlinks (an `offer.txt` linked to `/etc/passwd` was mailed
to an agent) and a template that was not UTF-8 failed every intake. Only a regular
file directly inside the folder is read now; any other gives way to the packaged
template, and one open `delivery_failed` flag per problem tells the team lead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.read.messages import MessageView
from tests.factories import agent_row, intake, roster_csv

SECRET = "root:x:0:0:root:/root:/bin/bash\n"
CUSTOM = "Subject: Our own offer, $agent_first_name\n\nA $side in $market for you.\n"
PACKAGED = "New referral for you: buyer in Austin 78704"
"""How the packaged offer's subject starts for the contract's referral."""


@pytest.fixture
def folder(desk: Desk, clock: ManualClock, tmp_path: Path) -> Path:
    """A templates folder set on a desk with one email agent who takes private offers."""
    row = agent_row(id="P-EML-01", name="Evelyn Brooks", email="evelyn@agents.example")
    roster = roster_csv([{**row, "preferred_channel": "email", "capacity": "1000"}])
    desk.import_roster(roster, clock.now())
    templates = tmp_path / "templates"
    templates.mkdir()
    desk.set_setting("templates_dir", str(templates), clock.now())
    return templates


def offer_for_new_referral(desk: Desk, clock: ManualClock) -> MessageView:
    """Takes a referral in (it must never fail) and returns the offer it queued."""
    [referral] = desk.intake(
        intake(mode="private", agent_id="P-EML-01", received_at=None), clock.advance(minutes=1)
    )
    assert referral.status == "offered"
    [offer] = [m for m in desk.outbox() if m.referral_id == referral.id and m.kind == "offer"]
    return offer


def template_flags(desk: Desk) -> list[str]:
    return [f.detail for f in desk.flags() if f.kind == "delivery_failed"]


def test_an_offer_linked_to_a_secret_is_not_read_and_one_flag_says_so(
    desk: Desk, clock: ManualClock, folder: Path, tmp_path: Path
) -> None:
    """The link is not followed: the agent gets the packaged wording, the team lead one
    flag (not one per message), and a new flag once the first is resolved."""
    secret = tmp_path / "passwd"
    secret.write_text(SECRET, encoding="utf-8")
    (folder / "offer.txt").symlink_to(secret)

    first = offer_for_new_referral(desk, clock)
    second = offer_for_new_referral(desk, clock)

    for offer in (first, second):
        assert offer.subject.startswith(PACKAGED)
        assert "root:" not in offer.body
    [flag] = [f for f in desk.flags() if f.kind == "delivery_failed"]
    assert flag.detail == (
        f"template {folder / 'offer.txt'}: is a symbolic link (links are not followed); "
        "the packaged template was used"
    )
    assert flag.referral_id is None
    desk.resolve_flag(flag.id, "asked IT to remove the link", clock.now())
    offer_for_new_referral(desk, clock)
    assert len(template_flags(desk)) == 1, "a new open flag after the first was resolved"


@pytest.mark.parametrize(
    "case",
    [
        "link inside the folder",
        "hard link to a file elsewhere",
        "a folder",
        "a fifo",
        "too big",
        "latin-1",
        "NUL",
        "escape sequence",
        "folder gone",
        "folder swapped for a link",
    ],
)
def test_an_offer_template_that_cannot_be_read_safely_gives_way_to_the_packaged_one(
    desk: Desk, clock: ManualClock, folder: Path, tmp_path: Path, case: str
) -> None:
    target = folder / "offer.txt"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if case == "link inside the folder":
        (folder / "real.txt").write_text(CUSTOM, encoding="utf-8")
        target.symlink_to(folder / "real.txt")
    elif case == "hard link to a file elsewhere":
        (elsewhere / "passwd").write_text(SECRET, encoding="utf-8")
        os.link(elsewhere / "passwd", target)
    elif case == "a folder":
        target.mkdir()
    elif case == "a fifo":
        os.mkfifo(target)
    elif case == "too big":
        target.write_text(CUSTOM + "x" * 70_000, encoding="utf-8")
    elif case == "latin-1":
        target.write_bytes("Subject: Caf\u00e9 $market\n\nVoil\u00e0.\n".encode("latin-1"))
    elif case == "NUL":
        target.write_text(CUSTOM + "\x00", encoding="utf-8")
    elif case == "escape sequence":
        target.write_text(CUSTOM + "\x1b]0;pwned\x07", encoding="utf-8")
    elif case == "folder gone":
        folder.rmdir()
    elif case == "folder swapped for a link":
        (elsewhere / "offer.txt").write_text(SECRET, encoding="utf-8")
        folder.rmdir()
        folder.symlink_to(elsewhere)

    offer = offer_for_new_referral(desk, clock)

    assert offer.subject.startswith(PACKAGED)
    assert "root:" not in offer.body and "\x00" not in offer.body
    [detail] = template_flags(desk)
    assert detail.endswith("; the packaged template was used")


def test_a_missing_template_is_no_problem(desk: Desk, clock: ManualClock, folder: Path) -> None:
    """A folder that overrides only some kinds: the others keep the packaged wording, and
    nothing is flagged."""
    (folder / "withdrawn.txt").write_text("Subject: Gone\n\nIt went elsewhere.\n", encoding="utf-8")
    assert offer_for_new_referral(desk, clock).subject.startswith(PACKAGED)
    assert template_flags(desk) == []


def test_a_windows_template_with_a_bom_and_crlf_is_used(
    desk: Desk, clock: ManualClock, folder: Path
) -> None:
    text = "\ufeff" + CUSTOM.replace("\n", "\r\n")
    (folder / "offer.txt").write_bytes(text.encode("utf-8"))
    offer = offer_for_new_referral(desk, clock)
    assert offer.subject == "Our own offer, Evelyn"
    assert offer.body == "A buyer in Austin 78704 for you.\n"
    assert template_flags(desk) == []


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda text: ("Subject: x\n\n" + text).encode("utf-8")),
        st.text(max_size=200).map(lambda text: text.encode("utf-16")),
    )
)
def test_whatever_bytes_the_template_holds_the_intake_goes_through(
    desk: Desk, clock: ManualClock, folder: Path, data: bytes
) -> None:
    """Arbitrary bytes as `offer.txt`: the referral is stored and offered; the offer uses
    the file when it is UTF-8 text without control characters, else the packaged
    wording with an open flag."""
    (folder / "offer.txt").write_bytes(data)
    for flag in desk.flags():
        desk.resolve_flag(flag.id, "next example", clock.now())

    offer = offer_for_new_referral(desk, clock)

    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
        usable = not any(
            (ord(ch) < 0x20 and ch not in "\t\n") or 0x7F <= ord(ch) < 0xA0 for ch in text
        )
    except UnicodeDecodeError:
        usable = False
    assert "\x00" not in offer.body + offer.subject
    if usable:
        assert template_flags(desk) == []
    else:
        assert offer.subject.startswith(PACKAGED)
        assert len(template_flags(desk)) == 1
