"""`referral-desk outbox`: what the desk queued or sent, retrying, calls, and how it fails.

Each test runs `referral_desk.cli.main([...])` in this process on a SQLite file in
the test's folder, as a script would. Errors are one line on stderr that starts
with the field (`message:`, `status:`), never a traceback, and exit with the
README's code: 2 bad input, 3 unknown id, 4 refused by the desk's rules.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from referral_desk.cli import main
from tests.conftest import ROSTER_CSV
from tests.factories import intake

NOW = "2026-11-23T14:00:00Z"
CONTRACT_MESSAGE_KEYS = {"id", "channel", "to", "subject", "body", "referral_id", "status"}


class Result:
    """What one command did: exit code, stdout, stderr."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        """Stdout as the one JSON document it must be."""
        assert self.code == 0, self.err
        return json.loads(self.out)

    def assert_one_line_error(self, starts_with: str, exit_code: int) -> None:
        """A failure: exit `exit_code`, one stderr line starting with the key, no traceback."""
        assert self.code == exit_code, (self.code, self.err)
        assert "Traceback" not in self.err
        lines = self.err.splitlines()
        assert len(lines) == 1, f"expected one stderr line, got {lines!r}"
        assert lines[0].startswith(starts_with), lines[0]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli-desk.db"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db: Path) -> Any:
    """Runs `referral-desk --db DB ARGS…` in this process and returns its Result."""

    def run(*arguments: object) -> Result:
        code = main(["--db", str(db), *(str(argument) for argument in arguments)])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def desk_with_offer(cli: Any, tmp_path: Path) -> Any:
    """The demo roster and the contract's referral (Maria, offered to P-ATX-01 by SMS)."""
    assert cli("partners", "import", ROSTER_CSV).code == 0
    maria = tmp_path / "maria.json"
    maria.write_text(json.dumps(intake()), encoding="utf-8")
    assert cli("--now", NOW, "intake", maria).code == 0
    return cli


def closed_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_outbox_json_lists_each_message_with_the_contract_keys(
    desk_with_offer: Any, db: Path
) -> None:
    """`outbox --json` is one list of messages with `id`, `channel`, `to`, `subject`, `body`,
    `referral_id` and `status`; `outbox send` delivers them (to .eml files with no set-up)."""
    cli = desk_with_offer
    [message] = cli("--now", NOW, "outbox", "--json").json()
    assert set(message) >= CONTRACT_MESSAGE_KEYS
    assert {key: message[key] for key in CONTRACT_MESSAGE_KEYS - {"subject", "body"}} == {
        "id": "M-000001",
        "channel": "sms",
        "to": "+15125550120",
        "referral_id": "R-000001",
        "status": "pending",
    }
    assert message["subject"].startswith("New referral for you: buyer in Austin 78704")
    assert "Client:     Maria" in message["body"]
    assert "Lopez" not in message["body"] and "maria.lopez" not in message["body"]

    assert cli("--now", NOW, "outbox", "send", "--json").json() == {
        "sent": 1,
        "retrying": 0,
        "failed": 0,
    }
    assert [path.name for path in db.with_name("cli-desk.outbox").iterdir()] == [
        "M-000001-offer.eml"
    ]
    [sent] = cli("outbox", "--status", "sent", "--json").json()
    assert (sent["id"], sent["status"]) == ("M-000001", "sent")
    assert cli("outbox", "--status", "pending", "--json").json() == []


def test_clock_once_lapses_then_delivers_the_next_offer(desk_with_offer: Any, db: Path) -> None:
    """`clock --once` handles the lapse, then sends what is due: the first offer and the next
    one, made by the same tick, go out in the same run."""
    cli = desk_with_offer
    result = cli("--now", "2026-11-23T14:31:00Z", "clock", "--once", "--json")
    [lapse] = result.json()["lapsed"]
    assert (lapse["agent_id"], lapse["next_agent_ids"]) == ("P-ATX-01", ["T-HQ-01"])
    newest, first = cli("outbox", "--json").json()
    assert (first["id"], first["to"], first["status"]) == ("M-000001", "+15125550120", "sent")
    assert (newest["id"], newest["to"], newest["status"]) == (
        "M-000002",
        "priya.raman@example.com",
        "sent",
    )
    assert sorted(path.name for path in db.with_name("cli-desk.outbox").iterdir()) == [
        "M-000001-offer.eml",
        "M-000002-offer.eml",
    ]


def test_outbox_retry_puts_a_failed_message_back_and_send_delivers_it(
    desk_with_offer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message failed after its last try is pending again after `outbox retry ID`, and the
    next `outbox send` delivers it; retrying a sent message is refused in one line."""
    monkeypatch.setenv("no_proxy", "*")
    cli = desk_with_offer
    url = f"http://127.0.0.1:{closed_port()}/sms"
    assert cli("settings", "set", "webhook_url", url).code == 0
    assert cli("settings", "set", "delivery_max_attempts", "1").code == 0
    assert cli("--now", NOW, "outbox", "send", "--json").json()["failed"] == 1
    [failed] = cli("outbox", "--status", "failed", "--json").json()
    assert failed["id"] == "M-000001"

    retried = cli("--now", "2026-11-23T14:05:00Z", "outbox", "retry", "M-000001", "--json").json()
    assert set(retried) >= CONTRACT_MESSAGE_KEYS
    assert (retried["id"], retried["status"]) == ("M-000001", "pending")

    assert cli("settings", "set", "webhook_url", "").code == 0
    report = cli("--now", "2026-11-23T14:05:00Z", "outbox", "send", "--json").json()
    assert report == {"sent": 1, "retrying": 0, "failed": 0}
    [sent] = cli("outbox", "--json").json()
    assert sent["status"] == "sent"

    cli("--now", NOW, "outbox", "retry", "M-000001").assert_one_line_error(
        "message: M-000001 is sent", 4
    )


def test_outbox_called_marks_a_call_task_done(cli: Any, tmp_path: Path) -> None:
    """A `call` message waits as `to_call` (the VA phones the agent) until `outbox called`."""
    assert cli("partners", "import", ROSTER_CSV).code == 0
    north = tmp_path / "north.json"
    north.write_text(json.dumps(intake(zip="78759", mode="private", agent_id="P-ATX-02")))
    assert cli("--now", NOW, "intake", north).code == 0
    [message] = cli("outbox", "--json").json()
    assert (message["channel"], message["status"]) == ("call", "to_call")
    assert message["to"] == "+15125550117"

    called = cli("--now", NOW, "outbox", "called", message["id"], "--json").json()
    assert (called["id"], called["status"]) == (message["id"], "sent")
    cli("outbox", "called", message["id"]).assert_one_line_error(
        "message: M-000001 is not a call to make", 4
    )


@pytest.mark.parametrize(
    ("arguments", "starts_with", "exit_code"),
    [
        (("outbox", "retry", "M-000999"), "message: no message 'M-000999'", 3),
        (("outbox", "retry", "nonsense"), "message: no message 'nonsense'", 3),
        (("outbox", "called", "M-000001"), "message: M-000001 is not a call to make", 4),
        (("outbox", "--status", "faild"), "status: ", 2),
    ],
)
def test_outbox_errors_are_one_line_naming_the_field(
    desk_with_offer: Any, arguments: tuple[str, ...], starts_with: str, exit_code: int
) -> None:
    """Unknown ids (exit 3), a message that is no call (4), and a misspelt status filter (2)
    each fail with one line on stderr that names what was wrong."""
    result = desk_with_offer("--now", NOW, *arguments)
    result.assert_one_line_error(starts_with, exit_code)
    assert result.out == ""
