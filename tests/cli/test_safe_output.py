"""What the CLI prints from text stored before the desk refused control characters.

A desk's rows are given hostile text with plain SQL, as an older desk may have
stored it: ESC sequences that retitle or clear the terminal, the 8-bit CSI,
CR LF followed by `Bcc:`, a right-to-left override, a tab. Every text output
must print none of it raw and keep each record on its line; every JSON
output must still carry the text exactly; and every email the desk sends
from such a row has a one-line subject and no header the text asked for.
"""

from __future__ import annotations

import email
import json
import unicodedata
from collections.abc import Callable, Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.text import KEPT_FORMAT
from referral_desk.engine.storage import tables as m
from tests.cli.conftest import Run
from tests.conftest import ROSTER_CSV
from tests.factories import intake

NOW = "2026-11-23T14:00:00Z"

EVIL = "Eve\x1b]0;pwned\x07\x1b[2J\r\nBcc: x@evil.example\u202eyxa\x9b31m\tend"
"""Everything a terminal or a mail server would obey, in one stored value."""

TEXT_OUTPUTS = [
    ("show", "R-000001"),
    ("queue",),
    ("sources",),
    ("flags", "--all"),
    ("settings",),
    ("partners", "list"),
    ("thanks",),
    ("outbox",),
    ("respond", "R-000001", "--agent", "P-ATX-01", "interest"),  # refused: prints one error line
]
DOCUMENTS = [
    ("report", "--quarter", "2026-Q4", "--format", "md"),
    ("report", "--quarter", "2026-Q4", "--format", "csv"),
    ("partners", "export", "-"),
]
JSON_OUTPUTS = {
    ("show", "R-000001", "--json"): lambda doc: doc["client"]["first_name"],
    ("queue", "--json"): lambda doc: doc[0]["metro"],
    ("sources", "--json"): lambda doc: doc[0]["name"],
    ("flags", "--all", "--json"): lambda doc: doc[0]["detail"],
    ("settings", "--json"): lambda doc: doc["agent_name"],
    ("partners", "list", "--json"): lambda doc: doc[0]["name"],
    ("outbox", "--json"): lambda doc: doc[0]["subject"],
}


def obeyed(text: str, *, keep: str = "\n") -> list[str]:
    """Characters in printed output that a terminal would act on or hide."""
    return [
        ch
        for ch in text
        if ch not in keep
        and ch not in KEPT_FORMAT
        and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")
    ]


@pytest.fixture
def older_desk(
    desk_url: str,
    run_cli: Callable[..., Run],
    tmp_path: Path,
) -> Iterator[tuple[str, Desk, Callable[..., Run]]]:
    """Maria's referral offered to P-ATX-01, a resolved flag, its outbox in `tmp_path`."""
    maria = tmp_path / "maria.json"
    maria.write_text(json.dumps(intake()), encoding="utf-8")
    (tmp_path / "outbox").mkdir()  # the desk takes only a folder that exists
    steps = [
        ("settings", "set", "outbox_dir", str(tmp_path / "outbox")),
        ("partners", "import", ROSTER_CSV),
        ("intake", maria),
        ("flags", "raise", "status_inquiry", "--referral", "R-000001", "--detail", "asked"),
        ("flags", "resolve", "F-000001", "--note", "called back"),
    ]
    for step in steps:
        done = run_cli("--db", desk_url, "--now", NOW, *step)
        assert done.code == 0, done.err
    desk = Desk.open(desk_url)

    def run(*arguments: str | Path) -> Run:
        return run_cli("--db", desk_url, "--now", NOW, *arguments)

    yield desk_url, desk, run
    desk.close()


def store_hostile_text(desk: Desk) -> None:
    """What an older desk may hold: EVIL in every text column the outputs show."""
    with desk.store.write() as session:
        session.execute(
            update(m.referral).values(
                client_first_name=EVIL,
                client_last_name=EVIL,
                metro=EVIL,
                timeline=EVIL,
                notes=EVIL,
                lead_source=EVIL,
            )
        )
        session.execute(update(m.referring_party).values(name=EVIL, brokerage=EVIL))
        session.execute(update(m.agent).where(m.agent.c.id == "P-ATX-01").values(name=EVIL))
        session.execute(update(m.agent_territory).values(value=EVIL))
        session.execute(update(m.flag).values(detail=EVIL, resolution_note=EVIL))
        session.execute(update(m.event).values(detail=EVIL))
        session.execute(update(m.outbox_message).values(subject=EVIL))
        for key in ("agent_name", "smtp_from"):
            session.execute(insert_or_update_setting(key, EVIL))


def insert_or_update_setting(key: str, value: str) -> Any:
    """The statement that stores one setting's JSON (none of these keys is set yet)."""
    return m.setting.insert().values(key=key, value=json.dumps(value))


def test_text_outputs_print_stored_escapes_as_text_one_record_a_line(
    older_desk: tuple[str, Desk, Callable[..., Run]],
) -> None:
    """`show`, `queue`, `sources`, `flags`, `settings`, `partners list`, `thanks`, `outbox`:
    the same lines as before the text was changed, and nothing raw in them."""
    _url, desk, run = older_desk
    before = {command: run(*command) for command in TEXT_OUTPUTS + DOCUMENTS}
    store_hostile_text(desk)
    for command in TEXT_OUTPUTS:
        after = run(*command)
        assert after.code == before[command].code, (command, after.err)
        printed = after.out + after.err
        assert obeyed(printed) == [], (command, printed)
        assert "\\x1b]0;pwned" in printed or command[0] in ("thanks", "respond"), command
        assert len(after.out.splitlines()) == len(before[command].out.splitlines()), (
            command,
            after.out,
        )
        new_warnings = after.err.splitlines()[len(before[command].err.splitlines()) :]
        # a stored setting today's rules refuse is named once on stderr (its default is used)
        assert all(line.startswith("warning: ") for line in new_warnings), (command, after.err)
    for command in DOCUMENTS:
        after = run(*command)
        assert after.code == 0, (command, after.err)
        assert obeyed(after.out, keep="\n\t") == [], (command, after.out)


def test_json_outputs_carry_stored_text_exactly_and_nothing_raw(
    older_desk: tuple[str, Desk, Callable[..., Run]],
) -> None:
    """JSON escapes what a terminal would obey (C1 controls and bidi overrides included)
    and a JSON reader gets the stored text back unchanged."""
    _url, desk, run = older_desk
    store_hostile_text(desk)
    for command, pick in JSON_OUTPUTS.items():
        printed = run(*command)
        assert printed.code == 0, (command, printed.err)
        assert obeyed(printed.out) == [], (command, printed.out)
        assert pick(json.loads(printed.out)) == EVIL, command


def test_mail_from_older_text_has_one_line_subjects_and_no_added_headers(
    older_desk: tuple[str, Desk, Callable[..., Run]], tmp_path: Path
) -> None:
    """A metro of `Austin\\r\\nBcc: …` stored by an older desk: the next offer's subject is
    one line, its body does not start with `Bcc:`, and no sent email has a Bcc header."""
    _url, desk, run = older_desk
    assert run("settings", "set", "fallback_agent_id", "T-HQ-01").code == 0
    with desk.store.write() as session:  # nobody covers that metro: the fallback gets it
        session.execute(
            update(m.referral).values(metro=EVIL, timeline=EVIL, client_first_name=EVIL)
        )
        session.execute(update(m.outbox_message).values(subject=EVIL))
        session.execute(insert_or_update_setting("smtp_from", EVIL))
    declined = run("respond", "R-000001", "--agent", "P-ATX-01", "decline")
    assert declined.code == 0, declined.err
    with desk.store.read() as session:
        message = m.outbox_message.c
        drafted = session.execute(select(message.subject, message.body).order_by(message.id))
        old, *messages = list(drafted)
    assert old.subject == EVIL, "the older row, sent below"
    assert messages, "the decline offered the referral to the fallback agent"
    assert any("Bcc: x@evil.example" in subject for subject, _ in messages), "shown as text"
    for subject, body in messages:
        assert obeyed(subject, keep="") == [], subject
        assert not body.startswith("Bcc:")
    sent = run("outbox", "send", "--json")
    assert sent.code == 0, sent.err
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert files, "the file channel wrote the messages"
    for path in files:
        parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert parsed.get_all("Bcc") is None, path.name
        for header in ("Subject", "From", "To"):
            assert obeyed(str(parsed[header]), keep="") == [], (path.name, parsed[header])
