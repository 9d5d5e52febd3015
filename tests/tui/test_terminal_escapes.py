"""No control character reaches the terminal, whatever the desk holds (issue 16, class 4).

The desk refuses control characters in what is typed now, but a desk may hold
text stored before that rule. Here one is written straight into the database
(as an older version could have): escape sequences that would retitle the
terminal, clear it, or turn the rest red, an 8-bit CSI and a direction
override, in an agent's name, a client's name, the metro, the notes and a
decline reason. Every place, a referral's detail and the palette are drawn,
and what would be written to the terminal holds none of those characters while
the readable part of each text still shows.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

from textual.command import CommandPalette

from referral_desk.app import ReferralDeskApp, make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.messages import ShowReferral
from referral_desk.navigation import PLACES
from tests.factories import agent_row, intake
from tests.tui.helpers import settle

ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m\x9b2J\u202e\x00\x08"
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e]")


def drawn(app: ReferralDeskApp) -> str:
    """The text of every cell the screen would write to the terminal now."""
    update = app.screen._compositor.render_update(full=True)
    return " ¦ ".join(
        "".join(segment.text for strip in line for segment in strip if not segment.control)
        for line in update.strips  # type: ignore[attr-defined]
    )


def legacy_desk(db_path: Path, clock: ManualClock) -> str:
    """A desk, then control characters written into its text the way no command can now."""
    now = clock.now()
    desk = Desk.open(str(db_path), actor="test")
    try:
        desk.save_agent(agent_row(id="P-ZED-01", name="Zed Agent"), now)
        [referral] = desk.intake(intake(client_first_name="Ann"), now)
        desk.respond(referral.id, "P-ZED-01", "decline", now, "busy")
    finally:
        desk.close()
    with closing(sqlite3.connect(db_path)) as connection, connection:
        connection.execute("UPDATE agent SET name = ?", (f"Zed{ESCAPES}Agent",))
        connection.execute(
            "UPDATE referral SET client_first_name = ?, metro = ?, notes = ?",
            (f"Ann{ESCAPES}", f"Austin{ESCAPES}", f"line one{ESCAPES}\nline two"),
        )
        connection.execute("UPDATE offer SET reason = ?", (f"busy{ESCAPES}",))
        connection.execute("UPDATE referring_party SET name = ?", (f"John{ESCAPES}",))
    return referral.id


async def test_no_place_draws_a_control_character(db_path: Path, clock: ManualClock) -> None:
    referral_id = legacy_desk(db_path, clock)
    app = make_app(str(db_path), clock, clock_interval=None)
    seen: dict[str, str] = {}
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        for place in PLACES:
            await app.action_go(place.mode)
            await settle(pilot)
            seen[place.mode] = drawn(app)
        app.post_message(ShowReferral(referral_id))
        await settle(pilot)
        seen["detail"] = drawn(app)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Zed")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        seen["palette"] = drawn(app)
    assert {mode: UNSAFE.findall(text) for mode, text in seen.items() if UNSAFE.search(text)} == {}
    assert "Ann" in seen["queue"] and "Austin" in seen["queue"]
    assert "Zed" in seen["roster"]
    assert "line one" in seen["detail"] and "busy" in seen["detail"]
