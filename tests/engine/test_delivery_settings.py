"""Delivery settings are checked when they are set, so no channel chokes on one later.

The properties run the setting rules on arbitrary text: whatever `settings set`
accepts for `smtp_from` can head an email, for `webhook_url` builds an HTTP request,
for `smtp_host` resolves as a host name and for `smtp_username` goes through
`smtplib`; everything else is refused with a line starting with the key. Folders
are resolved when set and must exist. Values stored under older, looser rules give
way to their defaults instead of stopping the desk.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_desk.cli import main
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.delivery.channels import Parcel, email_of
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput
from referral_desk.engine.values.settings import DeskSettings, with_setting
from tests.factories import agent_row, intake, roster_csv

PROPERTY = settings(max_examples=400, deadline=None)
PARCEL = Parcel("M-000001", "offer", "email", "a@agents.example", "Hi", "Body", None, "now")

label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True).filter(
    lambda name: name[2:4] != "--"  # `xn--`-like: reserved for Punycode (IDNA), not plain
)
hosts = st.builds(".".join, st.lists(label, min_size=1, max_size=3)).filter(
    lambda host: not host.replace(".", "").isdigit()
)
domains = st.builds(lambda name, tld: f"{name}.{tld}", hosts, st.sampled_from(["com", "example"]))
addresses = st.builds(
    lambda local, domain: f"{local}@{domain}",
    st.from_regex(r"[a-z0-9]([a-z0-9._+-]{0,10}[a-z0-9])?", fullmatch=True).filter(
        lambda local: ".." not in local
    ),
    domains,
)
urls = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
    st.sampled_from(["http", "https"]),
    st.one_of(hosts, st.just("127.0.0.1"), st.just("[::1]")),
    st.one_of(st.just(""), st.integers(1, 65535).map(lambda port: f":{port}")),
    st.from_regex(r"(/[A-Za-z0-9._~%-]{0,12}){0,3}", fullmatch=True),
)
whitespace = st.sampled_from([" ", "\t", "\r", "\n", "\r\n", "\x0b", "\x85", "\u2028"])


def insert(text: str, position: int, piece: str) -> str:
    spot = position % (len(text) + 1)
    return text[:spot] + piece + text[spot:]


def setting(key: str, text: str) -> Any:
    """What `settings set KEY TEXT` stores, or the refusal's one line."""
    try:
        return with_setting(DeskSettings(), key, text)[1]
    except InvalidInput as error:
        assert str(error).startswith(f"{key}: "), str(error)
        assert "\n" not in str(error)
        return error


# --- smtp_from --------------------------------------------------------------------


@PROPERTY
@given(
    st.one_of(
        st.text(max_size=40), addresses, st.builds(insert, addresses, st.integers(0), whitespace)
    )
)
def test_any_accepted_sender_can_head_an_email(text: str) -> None:
    """Arbitrary text, addresses, and addresses with a line break or space slipped in:
    refused naming `smtp_from`, or accepted and usable as the From of an email."""
    stored = setting("smtp_from", text)
    if not isinstance(stored, InvalidInput):
        assert str(email_of(PARCEL, stored)["From"]) == stored


@pytest.mark.parametrize(
    "text", ["", "   ", "not an address", "desk@keystone.example\r\nBcc: all@x.example", "@x.com"]
)
def test_a_sender_that_is_not_one_address_is_refused(text: str) -> None:
    assert isinstance(setting("smtp_from", text), InvalidInput)


@PROPERTY
@given(addresses)
def test_every_plain_address_is_accepted_as_the_sender(address: str) -> None:
    assert setting("smtp_from", address) == address


# --- webhook_url and smtp_host ----------------------------------------------------


@PROPERTY
@given(
    st.one_of(
        st.text(max_size=40),
        urls,
        st.builds(insert, urls, st.integers(0), whitespace),
        st.builds(insert, urls, st.integers(0), st.sampled_from(list('_ @<>\\^`{|}"\x00é'))),
        st.builds(lambda url: url.replace("://", "://-", 1), urls),
    )
)
def test_any_accepted_webhook_url_builds_a_request(text: str) -> None:
    """Whatever `webhook_url` accepts is an http(s) URL urllib can send to (its host a
    name the resolver takes); spaces, control characters, broken hosts are refused."""
    stored = setting("webhook_url", text)
    if isinstance(stored, InvalidInput) or stored == "":
        return
    request = urllib.request.Request(stored, data=b"{}", method="POST")
    assert request.type in ("http", "https")
    http.client.HTTPConnection(request.host)  # parses the host and port as urlopen will
    request.selector.encode("ascii")  # http.client sends the path as ASCII


@PROPERTY
@given(urls)
def test_every_plain_url_is_accepted(url: str) -> None:
    assert setting("webhook_url", url) == url


@pytest.mark.parametrize(
    "text",
    [
        "https://hooks example.com/sms",
        "https://hooks.example.com/s ms",
        "https:// hooks.example.com",
        "https://",
        "https:///sms",
        "https://exa_mple.com/sms",
        "https://-bad.example/sms",
        "https://a..b/sms",
        "https://[::1/sms",
        "https://hooks.example.com:0/sms",
        "https://hooks.example.com:99999/sms",
        "https://user:secret@hooks.example.com/sms",
        "ftp://hooks.example.com/sms",
        "hooks.example.com/sms",
        "https://bücher.example/sms",
        "https://999.1.1.1/sms",
        f"https://{'a' * 64}.example/sms",
    ],
)
def test_a_webhook_url_with_a_space_or_a_broken_host_is_refused(text: str) -> None:
    assert isinstance(setting("webhook_url", text), InvalidInput)


@PROPERTY
@given(
    st.one_of(
        st.text(max_size=30), hosts, st.builds(insert, hosts, st.integers(0), st.text(max_size=2))
    )
)
def test_any_accepted_smtp_host_is_a_name_the_resolver_takes(text: str) -> None:
    stored = setting("smtp_host", text)
    if isinstance(stored, InvalidInput) or stored == "":
        return
    assert stored.encode("idna") and " " not in stored and "/" not in stored


@PROPERTY
@given(st.text(max_size=30))
def test_any_accepted_smtp_login_can_be_sent_by_smtplib(text: str) -> None:
    stored = setting("smtp_username", text)
    if not isinstance(stored, InvalidInput):
        stored.encode("ascii")
        assert not any(ch.isspace() for ch in stored)


@pytest.mark.parametrize(
    ("key", "text"), [("smtp_port", "0"), ("smtp_port", "65536"), ("smtp_port", "25.5")]
)
def test_ports_outside_1_to_65535_are_refused(key: str, text: str) -> None:
    assert isinstance(setting(key, text), InvalidInput)


# --- folders -----------------------------------------------------------------------


def test_a_relative_folder_is_stored_absolute_and_means_the_same_everywhere(
    desk: Desk, clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`outbox_dir out` typed in one folder is that folder's `out`, for every process."""
    (tmp_path / "work" / "out").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    stored = desk.set_setting("outbox_dir", "out", clock.now()).outbox_dir
    monkeypatch.chdir(tmp_path / "elsewhere")

    assert stored == str((tmp_path / "work" / "out").resolve())
    assert desk.outbox_folder() == (tmp_path / "work" / "out").resolve()


def test_a_folder_is_stored_resolved(desk: Desk, clock: ManualClock, tmp_path: Path) -> None:
    """A link to a folder, `..` and `~` are resolved when set (the real folder is stored)."""
    real = tmp_path / "real-templates"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    home = Path(os.environ["HOME"])
    (home / "tpl").mkdir()

    assert desk.set_setting(
        "templates_dir", str(tmp_path / "link"), clock.now()
    ).templates_dir == str(real.resolve())
    typed = str(tmp_path / "link" / ".." / "real-templates")
    assert desk.set_setting("templates_dir", typed, clock.now()).templates_dir == str(
        real.resolve()
    )
    assert desk.set_setting("templates_dir", "~/tpl", clock.now()).templates_dir == str(
        (home / "tpl").resolve()
    )
    assert desk.set_setting("templates_dir", "", clock.now()).templates_dir == ""


@pytest.mark.parametrize("key", ["outbox_dir", "templates_dir"])
@pytest.mark.parametrize("case", ["missing", "a file", "a link loop", "control"])
def test_a_folder_that_is_not_one_is_refused_and_nothing_changes(
    desk: Desk, clock: ManualClock, tmp_path: Path, key: str, case: str
) -> None:
    target = tmp_path / "target"
    text = str(target)
    if case == "a file":
        target.write_text("x", encoding="utf-8")
    elif case == "a link loop":
        target.symlink_to(target)
    elif case == "control":
        target.mkdir()
        text = f"{target}\x1b[31m"
    before = desk.settings().as_contract()

    with pytest.raises(InvalidInput) as refusal:
        desk.set_setting(key, text, clock.now())

    assert str(refusal.value).startswith(f"{key}: ")
    assert desk.settings().as_contract() == before


# --- through the command line, and values stored by older desks ----------------------


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("smtp_from", "desk@keystone.example\r\nBcc: everyone@x.example"),
        ("smtp_from", "not an address"),
        ("smtp_from", ""),
        ("webhook_url", "https://hooks example.com/sms"),
        ("webhook_url", "https://exa_mple.com/sms"),
        ("smtp_host", "mail.example.com/smtp"),
        ("smtp_port", "70000"),
        ("outbox_dir", "no/such/folder"),
        ("templates_dir", "/no/such/folder"),
    ],
)
def test_settings_set_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, text: str
) -> None:
    db = str(tmp_path / "desk.db")
    assert main(["--db", db, "settings", "set", key, text]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"{key}: ") and captured.err.count("\n") == 1
    assert captured.out == ""
    assert main(["--db", db, "settings", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[key] == DeskSettings().as_contract()[key]


def test_values_stored_under_older_rules_give_way_to_their_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clock: ManualClock
) -> None:
    """A desk whose table holds values today's rules refuse still opens: each such key
    has its default, `settings` warns about it on stderr, intake routes, and `settings
    set` replaces it."""
    db = str(tmp_path / "desk.db")
    desk = Desk.open(db)
    desk.import_roster(
        roster_csv([agent_row(id="P-EML-01", preferred_channel="email")]), clock.now()
    )
    with desk.store.write() as session:
        for key, value in (
            ("weights.territory", "1e308"),
            ("weights.price", "1e308"),
            ("smtp_from", json.dumps("desk@x.example\r\nBcc: a@b.example")),
            ("webhook_url", json.dumps("https://hooks example.com")),
            ("outbox_dir", json.dumps("relative/out")),
            ("broadcast_size", "{not json"),
        ):
            session.connection.exec_driver_sql(
                "INSERT INTO setting (key, value) VALUES (?, ?)", (key, value)
            )
    try:
        shown = desk.settings()
        assert (shown.weight_territory, shown.smtp_from, shown.outbox_dir) == (
            40,
            "referral-desk@localhost",
            "",
        )
        assert sorted(p.split(":")[0] for p in desk.settings_problems()) == [
            "broadcast_size",
            "outbox_dir",
            "smtp_from",
            "webhook_url",
            "weights.price",
            "weights.territory",
        ]
        [referral] = desk.intake(intake(received_at=None), clock.now())
        assert referral.status == "offered" and 0 <= referral.offers[0].score <= 1

        assert main(["--db", db, "settings", "--json"]) == 0
        captured = capsys.readouterr()
        assert json.loads(captured.out)["weights.territory"] == 40
        assert captured.err.count("warning: ") == 6
        assert "weights.territory: the stored '1e+308' is refused" in captured.err

        assert main(["--db", db, "settings", "set", "weights.territory", "60"]) == 0
        assert desk.settings().weight_territory == 60
        assert len(desk.settings_problems()) == 5
    finally:
        desk.close()
