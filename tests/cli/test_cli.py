"""The headless contract: `referral-desk` commands, their JSON, and how they fail.

Most tests call `referral_desk.cli.main([...])` in this process; two run the
real command in a subprocess (`python -m referral_desk`, the same entry point).
On any error a command writes nothing, prints exactly one line on stderr that
starts with the field's key or the rule, and exits with the README's code: 2 bad
input, 3 unknown id, 4 refused by the desk's rules, 5 database trouble.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from referral_desk.cli import main
from referral_desk.engine.desk import Desk
from referral_desk.engine.storage import tables as m
from tests.conftest import ROSTER_CSV
from tests.factories import agent_row, intake, roster_csv

NOW = "2026-11-23T14:00:00Z"

CONTRACT_REFERRAL_KEYS = {
    "id",
    "status",
    "received_at",
    "mode",
    "side",
    "metro",
    "zip",
    "price_min",
    "price_max",
    "property_type",
    "client",
    "source",
    "assigned_agent_id",
    "offers",
    "events",
    "fees",
    "tasks",
}
CONTRACT_OFFER_KEYS = {
    "agent_id",
    "status",
    "offered_at",
    "expires_at",
    "seconds_left",
    "score",
    "breakdown",
}
BREAKDOWN_KEYS = {"territory", "price", "capacity", "history", "property_type"}
CONTRACT_SETTINGS = {
    "timezone": "America/Chicago",
    "acceptance_window_minutes": 30,
    "weights.territory": 40,
    "weights.price": 25,
    "weights.capacity": 20,
    "weights.history": 10,
    "weights.property_type": 5,
    "default_mode": "best_fit",
    "broadcast_size": 10,
    "fallback_agent_id": None,
    "card_practice": False,
    "holidays": "",
    "agent_name": "",
    "max_offers_before_fallback": 5,
    "business_hours": "mon-fri 08:00-18:00",
    "pause_outside_business_hours": False,
}
"""Every key of CONTRACT.md's Settings section, with its default."""


class Result:
    """What one command did: exit code, stdout, stderr."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        """Stdout as the one JSON document it must be."""
        return json.loads(self.out)

    def assert_one_line_error(self, starts_with: str, exit_code: int) -> None:
        """A failure: exit `exit_code`, one stderr line starting with the key, no traceback."""
        assert self.code == exit_code, (self.code, self.err)
        assert "Traceback" not in self.err
        lines = self.err.splitlines()
        assert len(lines) == 1, f"expected one stderr line, got {lines!r}"
        assert lines[0].startswith(starts_with), lines[0]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """Runs `referral-desk ARGS…` in this process and returns its Result."""

    def run(*arguments: str) -> Result:
        code = main([str(argument) for argument in arguments])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def db(desk_url: str) -> str:
    """Where the test's desk lives: a SQLite file, or a PostgreSQL URL (see conftest)."""
    return desk_url


@pytest.fixture
def maria_file(tmp_path: Path) -> Path:
    """The contract's example intake, as a file."""
    path = tmp_path / "maria.json"
    path.write_text(json.dumps(intake()), encoding="utf-8")
    return path


def write_text(tmp_path: Path, name: str, content: str) -> Path:
    """A file in the test's folder with this text."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def write_json(tmp_path: Path, name: str, document: Any) -> Path:
    """A file in the test's folder holding this JSON document."""
    return write_text(tmp_path, name, json.dumps(document))


def stored(db: Path) -> dict[str, int]:
    """Row counts of what commands write: agents, referrals, parties, events, settings."""
    desk = Desk.open(str(db))
    try:
        with desk.store.read() as session:
            return {
                model.name: session.execute(select(func.count()).select_from(model)).scalar_one()
                for model in (m.agent, m.referral, m.referring_party, m.event, m.setting, m.offer)
            }
    finally:
        desk.close()


def test_import_intake_show_prints_the_contract_referral(
    cli: Any, db: Path, maria_file: Path
) -> None:
    """`partners import`, `intake`, then `show R-000001 --json` prints the contract's object."""
    assert cli("--db", db, "partners", "import", ROSTER_CSV).code == 0
    intake_result = cli("--db", db, "--now", NOW, "intake", maria_file, "--json")
    assert intake_result.code == 0, intake_result.err
    shown = cli("--db", db, "--now", NOW, "show", "R-000001", "--json")
    assert shown.code == 0, shown.err
    referral = shown.json()
    assert referral == intake_result.json(), "intake prints the same object as show"
    assert set(referral) >= CONTRACT_REFERRAL_KEYS
    assert {key: referral[key] for key in CONTRACT_REFERRAL_KEYS - {"offers", "events"}} == {
        "id": "R-000001",
        "status": "offered",
        "received_at": "2026-11-23T14:00:00Z",
        "mode": "best_fit",
        "side": "buyer",
        "metro": "Austin",
        "zip": "78704",
        "price_min": 400000,
        "price_max": 700000,
        "property_type": "residential",
        "client": {
            "first_name": "Maria",
            "last_name": "Lopez",
            "email": "maria.lopez@example.com",
            "phone": "+15125550142",
        },
        "source": {"id": "S-000001", "name": "John Smith", "type": "agent"},
        "assigned_agent_id": None,
        "fees": [],
        "tasks": referral["tasks"],
    }
    assert isinstance(referral["tasks"], list)
    [offer] = referral["offers"]
    assert set(offer) >= CONTRACT_OFFER_KEYS
    assert (offer["agent_id"], offer["status"]) == ("P-ATX-01", "offered")
    assert (offer["offered_at"], offer["expires_at"]) == (NOW, "2026-11-23T14:30:00Z")
    assert offer["seconds_left"] == 1800
    assert set(offer["breakdown"]) == BREAKDOWN_KEYS
    weights = {"territory": 40, "price": 25, "capacity": 20, "history": 10, "property_type": 5}
    expected = sum(weights[k] * offer["breakdown"][k] for k in weights) / sum(weights.values())
    assert offer["score"] == pytest.approx(expected, abs=0.005)
    first_event = referral["events"][0]
    assert {"at", "kind", "agent_id", "detail"} <= set(first_event)
    assert (first_event["kind"], first_event["at"]) == ("received", NOW)
    assert "offered" in [event["kind"] for event in referral["events"]]


def test_seconds_left_counts_down_with_now(cli: Any, db: Path, maria_file: Path) -> None:
    """`show` at a later `--now` shows fewer seconds left on the open offer."""
    cli("--db", db, "partners", "import", ROSTER_CSV)
    cli("--db", db, "--now", NOW, "intake", maria_file)
    later = cli("--db", db, "--now", "2026-11-23T14:12:30Z", "show", "R-000001", "--json")
    assert later.json()["offers"][0]["seconds_left"] == 1800 - 750


def test_db_option_selects_the_database(cli: Any, tmp_path: Path) -> None:
    """`--db PATH` reads and writes that file and no other."""
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    roster = write_text(tmp_path, "one.csv", roster_csv([agent_row(id="P-ONE")]))
    assert cli("--db", first, "partners", "import", roster).code == 0
    assert [a["id"] for a in cli("--db", first, "partners", "list", "--json").json()] == ["P-ONE"]
    assert cli("--db", second, "partners", "list", "--json").json() == []


def test_environment_variable_selects_the_database(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`REFERRAL_DESK_DB` selects the database when `--db` is not given; `--db` wins over it."""
    from_env, from_option = tmp_path / "env.db", tmp_path / "option.db"
    monkeypatch.setenv("REFERRAL_DESK_DB", str(from_env))
    roster = write_text(tmp_path, "one.csv", roster_csv([agent_row(id="P-ENV")]))
    assert cli("partners", "import", roster).code == 0
    assert from_env.exists()
    assert [a["id"] for a in cli("partners", "list", "--json").json()] == ["P-ENV"]
    assert cli("--db", from_option, "partners", "list", "--json").json() == []


def test_default_database_lives_in_the_user_data_directory(cli: Any, tmp_path: Path) -> None:
    """With neither `--db` nor the variable, the desk is `referral-desk.db` in the data dir."""
    assert cli("settings", "set", "agent_name", "Sam Rivera").code == 0
    [database] = (tmp_path / "home").rglob("referral-desk.db")
    assert database.parent.name == "referral-desk"
    assert cli("settings", "--json").json()["agent_name"] == "Sam Rivera"


def test_intake_reads_stdin(cli: Any, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`intake -` reads the referral from standard input."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(intake(client_first_name="Ines"))))
    result = cli("--db", db, "--now", NOW, "intake", "-", "--json")
    assert result.code == 0, result.err
    assert result.json()["client"]["first_name"] == "Ines"
    assert stored(db)["referral"] == 1


def test_intake_of_a_list_prints_a_list(cli: Any, db: Path, tmp_path: Path) -> None:
    """A list in gives a list of stored referrals out, in order."""
    path = write_json(
        tmp_path, "two.json", [intake(client_first_name="Ana"), intake(client_first_name="Ben")]
    )
    result = cli("--db", db, "--now", NOW, "intake", path, "--json")
    assert result.code == 0, result.err
    assert [r["id"] for r in result.json()] == ["R-000001", "R-000002"]
    assert [r["client"]["first_name"] for r in result.json()] == ["Ana", "Ben"]


def test_now_timestamps_intake_without_received_at(cli: Any, db: Path, tmp_path: Path) -> None:
    """Without `received_at`, the referral and its `received` event carry `--now` (in UTC)."""
    payload = intake()
    del payload["received_at"]
    path = write_json(tmp_path, "no-time.json", payload)
    result = cli("--db", db, "--now", "2026-11-24T09:30:00-06:00", "intake", path, "--json")
    assert result.code == 0, result.err
    referral = result.json()
    assert referral["received_at"] == "2026-11-24T15:30:00Z"
    [received] = [event for event in referral["events"] if event["kind"] == "received"]
    assert received["at"] == "2026-11-24T15:30:00Z"


# --------------------------------------------------------------------- errors


def test_bad_intake_fails_with_the_field_and_writes_nothing(
    cli: Any, db: Path, tmp_path: Path
) -> None:
    """A bad intake exits 2, names the field on one stderr line, and stores nothing."""
    cli("--db", db, "partners", "import", ROSTER_CSV)
    before = stored(db)
    path = write_json(tmp_path, "bad.json", intake(price_min=900_000))
    result = cli("--db", db, "--now", NOW, "intake", path, "--json")
    result.assert_one_line_error("price_min: must not exceed price_max", 2)
    assert result.out == ""
    assert stored(db) == before


def test_several_intake_problems_fit_on_one_line(cli: Any, db: Path, tmp_path: Path) -> None:
    """Several bad fields are all named, still on a single stderr line."""
    path = write_json(
        tmp_path, "bad.json", [intake(), intake(), intake(side="renter", zip="1", colour="x")]
    )
    result = cli("--db", db, "--now", NOW, "intake", path)
    result.assert_one_line_error("", 2)
    for key in ("side:", "zip:", "colour:"):
        assert key in result.err
    assert stored(db)["referral"] == 0


def test_bad_csv_names_its_rows(cli: Any, db: Path, tmp_path: Path) -> None:
    """A roster file with bad rows fails on one line naming each row; no agent is imported."""
    text = roster_csv(
        [agent_row(id="P-1"), agent_row(id="P-2", email="nope"), agent_row(id="P-3", weight="0")]
    )
    result = cli("--db", db, "partners", "import", write_text(tmp_path, "bad.csv", text))
    result.assert_one_line_error("row 3: email: ", 2)
    assert "row 4: weight: " in result.err
    assert stored(db)["agent"] == 0


def test_unknown_referral_id_fails(cli: Any, db: Path) -> None:
    """`show` of a referral that does not exist exits 3, naming the referral."""
    result = cli("--db", db, "show", "R-000042", "--json")
    result.assert_one_line_error("referral: ", 3)
    assert "R-000042" in result.err
    assert result.out == ""


def test_now_without_zone_fails(cli: Any, db: Path, maria_file: Path) -> None:
    """`--now` without `Z` or an offset is refused, naming `now`, and nothing is stored."""
    result = cli("--db", db, "--now", "2026-11-23T14:00:00", "intake", maria_file)
    result.assert_one_line_error("now: ", 2)
    assert stored(db)["referral"] == 0


def test_unknown_setting_fails(cli: Any, db: Path) -> None:
    """`settings set` with a key the desk does not have fails, naming the key."""
    result = cli("--db", db, "settings", "set", "colour", "teal")
    result.assert_one_line_error("colour: ", 2)
    assert stored(db)["setting"] == 0


def test_bad_setting_value_fails(cli: Any, db: Path) -> None:
    """`settings set` with a bad value fails naming the key, and the setting is unchanged."""
    result = cli("--db", db, "settings", "set", "acceptance_window_minutes", "soon")
    result.assert_one_line_error("acceptance_window_minutes: ", 2)
    assert cli("--db", db, "settings", "--json").json()["acceptance_window_minutes"] == 30


def test_malformed_json_fails(cli: Any, db: Path, tmp_path: Path) -> None:
    """Intake of text that is not JSON fails on one line saying where it broke."""
    path = write_text(tmp_path, "broken.json", '{"client_first_name": "Maria",')
    result = cli("--db", db, "--now", NOW, "intake", path)
    result.assert_one_line_error("input: ", 2)
    assert "line 1" in result.err


def test_missing_intake_file_fails(cli: Any, db: Path, tmp_path: Path) -> None:
    """Intake of a file that does not exist fails on one line naming the file."""
    result = cli("--db", db, "--now", NOW, "intake", tmp_path / "nowhere.json")
    result.assert_one_line_error("file: ", 2)


def test_usage_error_is_one_line(cli: Any, db: Path) -> None:
    """A missing argument is an error like any other: exit 2, one stderr line."""
    try:
        result = cli("--db", db, "show")
    except SystemExit as exit_:
        pytest.fail(f"SystemExit({exit_.code}) escaped main()")
    result.assert_one_line_error("usage: ", 2)


def what_the_desk_holds(cli: Any, db: str) -> tuple[int, list[str]]:
    """The desk's change counter, and what a user reads of it: the referral, the roster,
    the follow-ups and the outbox."""
    desk = Desk.open(db)
    try:
        revision = desk.revision()
    finally:
        desk.close()
    reads = [["show", "R-000001"], ["partners", "list"], ["thanks"], ["flags", "--all"], ["outbox"]]
    shown = [cli("--db", db, "--now", NOW, *read, "--json") for read in reads]
    assert all(result.code == 0 for result in shown), [result.err for result in shown]
    return revision, [result.out for result in shown]


UNKNOWN_IDS = [
    (["show", "R-999999"], "referral: no referral 'R-999999'"),
    (["show", "nonsense"], "referral: no referral 'nonsense'"),
    (["respond", "R-999999", "--agent", "P-ATX-01", "accept"], "referral: no referral 'R-999999'"),
    (["status", "R-999999", "working"], "referral: no referral 'R-999999'"),
    (
        ["fee", "R-999999", "log", "--direction", "receivable", "--agreed-by", "Sam Rivera"],
        "referral: no referral 'R-999999'",
    ),
    (["thanks", "done", "T-999999"], "task: no task 'T-999999'"),
    (["flags", "resolve", "F-999999", "--note", "x"], "flag: no flag 'F-999999'"),
    (["outbox", "retry", "M-999999"], "message: no message 'M-999999'"),
    (["partners", "deactivate", "P-NOBODY"], "agent: no agent 'P-NOBODY'"),
]
"""Commands naming a referral, task, flag, message or agent the desk does not have."""


def test_an_unknown_id_exits_3_and_changes_nothing(cli: Any, db: str, maria_file: Path) -> None:
    """An id the desk does not have, whatever the command, exits 3 with one line naming the
    kind of id and the id; stdout is empty and the desk is as it was."""
    assert cli("--db", db, "partners", "import", ROSTER_CSV).code == 0
    assert cli("--db", db, "--now", NOW, "intake", maria_file).code == 0
    before = what_the_desk_holds(cli, db)
    for arguments, starts_with in UNKNOWN_IDS:
        result = cli("--db", db, "--now", NOW, *arguments)
        result.assert_one_line_error(starts_with, 3)
        assert result.out == "", arguments
    assert what_the_desk_holds(cli, db) == before


REFUSED_BY_THE_RULES = [
    (["status", "R-000001", "closed"], "status: cannot move from offered to closed"),
    (["status", "R-000001", "in_escrow"], "status: cannot move from offered to in_escrow"),
    (["reroute", "R-000001"], "status: only an unassigned referral can be routed again"),
    (
        ["respond", "R-000001", "--agent", "P-ATX-01", "accept"],
        "offer: the offer to P-ATX-01 is already declined",
    ),
    (
        ["respond", "R-000001", "--agent", "P-ATX-01", "decline"],
        "offer: the offer to P-ATX-01 is already declined",
    ),
    (["award", "R-000001", "--agent", "T-HQ-01"], "award: only network referrals are awarded"),
    (["fee", "R-000001", "paid", "--amount", "100"], "fee: no fee agreement is logged"),
]
"""Well-formed requests about a referral that is `offered` (its first offer declined, the
second open) which the desk's rules do not allow now."""


def test_a_move_the_rules_refuse_exits_4_and_changes_nothing(
    cli: Any, db: str, maria_file: Path
) -> None:
    """A status move the lifecycle does not allow, an answer to an offer already declined,
    an award, a reroute or a payment the referral is not ready for: each exits 4 with one
    line starting with the rule; stdout is empty and the desk is as it was."""
    assert cli("--db", db, "partners", "import", ROSTER_CSV).code == 0
    assert cli("--db", db, "--now", NOW, "intake", maria_file).code == 0
    declined = cli(
        "--db", db, "--now", NOW, "respond", "R-000001", "--agent", "P-ATX-01", "decline"
    )
    assert declined.code == 0, declined.err
    offers = cli("--db", db, "--now", NOW, "show", "R-000001", "--json").json()["offers"]
    assert [(offer["agent_id"], offer["status"]) for offer in offers] == [
        ("P-ATX-01", "declined"),
        ("T-HQ-01", "offered"),
    ]
    before = what_the_desk_holds(cli, db)
    for arguments, starts_with in REFUSED_BY_THE_RULES:
        result = cli("--db", db, "--now", NOW, *arguments)
        result.assert_one_line_error(starts_with, 4)
        assert result.out == "", arguments
    assert what_the_desk_holds(cli, db) == before


def not_a_desk_database(folder: Path) -> str:
    """A text file where the desk's database should be."""
    path = folder / "notes.db"
    path.write_text("Call Dana back about the Zilker listing.\n", encoding="utf-8")
    return str(path)


def a_folder(folder: Path) -> str:
    """A folder where the desk's database should be."""
    path = folder / "desk.db"
    path.mkdir()
    return str(path)


def an_unreachable_server(folder: Path) -> str:
    """A PostgreSQL URL where nothing listens (port 1 on this machine)."""
    return "postgresql+psycopg://nobody@127.0.0.1:1/x"


@pytest.mark.parametrize(
    "make_target",
    [
        pytest.param(not_a_desk_database, id="text-file"),
        pytest.param(a_folder, id="folder"),
        pytest.param(an_unreachable_server, id="unreachable-server"),
    ],
)
def test_database_trouble_exits_5_and_writes_nothing(
    cli: Any, tmp_path: Path, maria_file: Path, make_target: Any
) -> None:
    """A `--db` that is no database, or a server that does not answer: reads and writes alike
    exit 5 with one line starting `database:`, stdout is empty, and nothing is written
    where the desk was looked for."""
    folder = tmp_path / "desk-folder"
    folder.mkdir()
    target = make_target(folder)
    before = {path: path.read_bytes() if path.is_file() else None for path in folder.rglob("*")}
    commands = [
        ["queue"],
        ["show", "R-000001"],
        ["partners", "list"],
        ["partners", "import", ROSTER_CSV],
        ["intake", maria_file],
        ["settings", "set", "agent_name", "Sam Rivera"],
    ]
    for arguments in commands:
        result = cli("--db", target, "--now", NOW, *arguments)
        result.assert_one_line_error("database: ", 5)
        assert result.out == "", arguments
    after = {path: path.read_bytes() if path.is_file() else None for path in folder.rglob("*")}
    assert after == before


# ------------------------------------------------------------------- settings


def test_settings_json_lists_every_contract_key_with_its_default(cli: Any, db: Path) -> None:
    """`settings --json` prints every contract setting with its default value."""
    result = cli("--db", db, "settings", "--json")
    assert result.code == 0
    shown = result.json()
    assert {key: shown.get(key, "<missing>") for key in CONTRACT_SETTINGS} == CONTRACT_SETTINGS


def test_settings_set_then_show(cli: Any, db: Path) -> None:
    """`settings set acceptance_window_minutes 15`, then `settings --json` shows 15."""
    assert cli("--db", db, "settings", "set", "acceptance_window_minutes", "15").code == 0
    shown = cli("--db", db, "settings", "--json").json()
    assert shown["acceptance_window_minutes"] == 15
    assert shown["broadcast_size"] == 10


def test_settings_set_weight_keeps_json_valid(cli: Any, db: Path) -> None:
    """A weight that is not a finite number is refused, so `settings --json` stays valid JSON."""
    cli("--db", db, "settings", "set", "weights.price", "inf").assert_one_line_error(
        "weights.price: ", 2
    )
    assert cli("--db", db, "settings", "--json").json()["weights.price"] == 25


# -------------------------------------------------------------- sources, roster


def test_sources_json(cli: Any, db: Path, tmp_path: Path) -> None:
    """`sources --json` lists referring parties with id, name, type and referral_count."""
    path = write_json(
        tmp_path,
        "three.json",
        [
            intake(),
            intake(client_first_name="Omar"),
            intake(source__name="Dr. Lee", source__type="professional", source__email=""),
        ],
    )
    assert cli("--db", db, "--now", NOW, "intake", path).code == 0
    sources = cli("--db", db, "sources", "--json").json()
    assert [{k: s[k] for k in ("id", "name", "type", "referral_count")} for s in sources] == [
        {"id": "S-000001", "name": "John Smith", "type": "agent", "referral_count": 2},
        {"id": "S-000002", "name": "Dr. Lee", "type": "professional", "referral_count": 1},
    ]


def test_partners_export_reimports(cli: Any, tmp_path: Path) -> None:
    """`partners export` prints a roster that `partners import` takes back unchanged."""
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    assert cli("--db", first, "partners", "import", ROSTER_CSV).code == 0
    exported = cli("--db", first, "partners", "export")
    assert exported.code == 0
    rows = list(csv.DictReader(io.StringIO(exported.out)))
    assert len(rows) == len(ROSTER_CSV.read_text(encoding="utf-8").splitlines()) - 1
    path = write_text(tmp_path, "exported.csv", exported.out)
    assert cli("--db", second, "partners", "import", path, "--json").json() == {
        "created": len(rows),
        "updated": 0,
    }
    assert (
        cli("--db", second, "partners", "list", "--json").json()
        == cli("--db", first, "partners", "list", "--json").json()
    )


def test_partners_list_has_the_roster_columns(cli: Any, db: Path) -> None:
    """`partners list --json` prints objects with every roster column as a key."""
    cli("--db", db, "partners", "import", ROSTER_CSV)
    columns = ROSTER_CSV.read_text(encoding="utf-8").splitlines()[0].lstrip("\ufeff").split(",")
    agents = cli("--db", db, "partners", "list", "--json").json()
    assert agents
    for agent in agents:
        assert set(columns) <= set(agent)


# ------------------------------------------------------------------ subprocess


def run_command(
    *arguments: str | Path, cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """The real `referral-desk` command, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "referral_desk", *map(str, arguments)],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=cwd,
        env={**os.environ, "REFERRAL_DESK_DEBUG": ""},
        timeout=60,
        check=False,
    )


def test_real_command_intakes_from_stdin(tmp_path: Path, db: Path) -> None:
    """The installed command reads stdin, stores the referral, and prints one JSON document."""
    result = run_command(
        "--db", db, "--now", NOW, "intake", "-", "--json", cwd=tmp_path, stdin=json.dumps(intake())
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout)["id"] == "R-000001"


def test_real_command_error_is_one_line_without_traceback(tmp_path: Path, db: Path) -> None:
    """In a real process a bad intake exits 2 with one stderr line and no traceback."""
    result = run_command(
        "--db", db, "intake", "-", cwd=tmp_path, stdin=json.dumps(intake(client_email="maria@"))
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("client_email: ")
    assert result.stdout == ""


@pytest.mark.parametrize("kind", ["acknowledgment_dissatisfied", "status_inquiry"])
def test_a_source_that_was_not_thanked_is_flagged_by_hand(
    cli: Any, db: Path, maria_file: Path, kind: str
) -> None:
    """`flags raise acknowledgment_dissatisfied` (a source says they were not thanked, or
    are unhappy): listed with the referral, and the referral's history says so."""
    assert cli("--db", db, "partners", "import", ROSTER_CSV).code == 0
    assert cli("--db", db, "--now", NOW, "intake", maria_file).code == 0
    raised = cli("--db", db, "--now", NOW, "flags", "raise", kind, "--referral", "R-000001",
                 "--detail", "John says nobody thanked him", "--json")  # fmt: skip
    assert raised.code == 0, raised.err
    [flag] = cli("--db", db, "flags", "--json").json()
    assert (flag["kind"], flag["referral_id"]) == (kind, "R-000001")
    assert flag["detail"] == "John says nobody thanked him"
    events = cli("--db", db, "--now", NOW, "show", "R-000001", "--json").json()["events"]
    assert events[-1]["detail"] == f"{kind}: John says nobody thanked him"
    refused = cli("--db", db, "--now", NOW, "flags", "raise", "delivery_failed", "--referral",
                  "R-000001")  # fmt: skip
    refused.assert_one_line_error("kind: 'delivery_failed' cannot be raised", 2)
