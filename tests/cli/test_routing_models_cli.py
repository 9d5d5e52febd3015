"""The routing models from the shell: `settings set isa_agent_id`, an `isa` intake,
`queue` showing the inside sales agent, `handoff` and its refusals (exit codes as for
every command: 2 for bad input naming the field, 4 for a refusal)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Run
from tests.conftest import ROSTER_CSV
from tests.factories import intake

NOW = "2026-11-23T14:00:00Z"


@pytest.fixture
def desk_cli(run_cli: Callable[..., Run], tmp_path: Path) -> Callable[..., Run]:
    """`referral-desk --db DESK --now NOW ARGS…` on a desk with the demo roster and an ISA."""
    db = tmp_path / "desk.db"

    def run(*arguments: str | Path) -> Run:
        return run_cli("--db", db, "--now", NOW, *arguments)

    assert run("partners", "import", ROSTER_CSV).code == 0
    assert run("settings", "set", "isa_agent_id", "T-HQ-01").code == 0
    return run


def taken_in(run: Callable[..., Run], tmp_path: Path, **changes: Any) -> dict[str, Any]:
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(intake(received_at=None, **changes)), encoding="utf-8")
    done = run("intake", path, "--json")
    assert done.code == 0, done.err
    document: dict[str, Any] = json.loads(done.out)
    return document


def test_an_isa_referral_is_handed_off_from_the_shell(
    desk_cli: Callable[..., Run], tmp_path: Path
) -> None:
    referral = taken_in(desk_cli, tmp_path, mode="isa")
    assert (referral["status"], referral["assigned_agent_id"]) == ("qualifying", "T-HQ-01")
    queue = desk_cli("queue")
    assert "T-HQ-01 (inside sales agent, qualifying)" in queue.out
    handed = desk_cli("handoff", referral["id"], "--mode", "broadcast", "--json")
    assert handed.code == 0, handed.err
    document = json.loads(handed.out)
    assert document["status"] == "offered" and document["mode"] == "broadcast"
    assert document["assigned_agent_id"] is None
    assert [event["kind"] for event in document["events"]].count("handoff") == 1


@pytest.mark.parametrize(
    ("arguments", "code", "line"),
    [
        (["--mode", "isa"], 2, "mode: hand off by one of"),
        (["--agent", "P-DEN-01"], 2, "agent_id: P-DEN-01 is not eligible"),
        (["--agent", "NOBODY"], 2, "agent_id: unknown agent 'NOBODY'"),
    ],
)
def test_a_refused_hand_off_names_the_field_and_leaves_it_qualifying(
    desk_cli: Callable[..., Run], tmp_path: Path, arguments: list[str], code: int, line: str
) -> None:
    referral = taken_in(desk_cli, tmp_path, mode="isa")
    refused = desk_cli("handoff", referral["id"], *arguments)
    assert (refused.code, refused.out) == (code, "")
    assert refused.err.startswith(line) and len(refused.err.splitlines()) == 1
    shown = json.loads(desk_cli("show", referral["id"], "--json").out)
    assert shown["status"] == "qualifying"


def test_handing_off_what_is_not_qualifying_is_refused(
    desk_cli: Callable[..., Run], tmp_path: Path
) -> None:
    referral = taken_in(desk_cli, tmp_path)
    refused = desk_cli("handoff", referral["id"])
    assert refused.code == 4
    assert refused.err.startswith(f"status: {referral['id']} is offered, not qualifying")


def test_the_isa_setting_names_a_team_member(desk_cli: Callable[..., Run]) -> None:
    refused = desk_cli("settings", "set", "isa_agent_id", "P-ATX-01")
    assert refused.code == 2
    assert refused.err.startswith("isa_agent_id: P-ATX-01 is a partner")
    settings = json.loads(desk_cli("settings", "--json").out)
    assert settings["isa_agent_id"] == "T-HQ-01"
    assert settings["prefer_previous_agent"] is True


def test_an_open_referral_and_an_invite_from_the_shell(
    desk_cli: Callable[..., Run], tmp_path: Path
) -> None:
    open_one = taken_in(desk_cli, tmp_path, mode="open")
    assert open_one["mode"] == "open" and len(open_one["offers"]) > 3
    private = taken_in(
        desk_cli, tmp_path, mode="private", agent_id="P-ATX-02", client_first_name="Rosa"
    )
    invited = desk_cli("invite", private["id"], "--agent", "P-ATX-05", "--agent", "T-ATX-01")
    assert invited.code == 0, invited.err
    shown = json.loads(desk_cli("show", private["id"], "--json").out)
    assert [offer["agent_id"] for offer in shown["offers"]] == ["P-ATX-02", "P-ATX-05", "T-ATX-01"]
    refused = desk_cli("invite", open_one["id"], "--agent", "P-ATX-05")
    assert refused.code == 4 and refused.err.startswith("mode: only a private referral")
    ineligible = desk_cli("invite", private["id"], "--agent", "P-DEN-01")
    assert ineligible.code == 2 and ineligible.err.startswith("agent_id: P-DEN-01 is not eligible")
