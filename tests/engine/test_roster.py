"""The roster (CSV import and export, vacations, activation) and the desk's settings.

A roster file is all-or-nothing: one bad row and nothing is imported, and the
error names every bad row as a spreadsheet numbers it (header row 1, first
agent row 2). Settings are validated, and a bad value names its key.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import DeskError, InvalidInput
from tests.conftest import ROSTER_CSV
from tests.factories import agent_row, roster_csv

PROBLEM = re.compile(r"^row (\d+): ([a-z_]+): .+")


@pytest.fixture(scope="module")
def empty_desk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One empty desk, migrated once for the whole module."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    Desk.open(str(path)).close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, empty_desk_file: Path) -> Path:
    """A fresh desk file for each test: a copy of the empty desk, so no test pays for migrating."""
    path = tmp_path / "desk.db"
    shutil.copyfile(empty_desk_file, path)
    return path


@pytest.fixture
def other_desk(tmp_path: Path, empty_desk_file: Path) -> Iterator[Desk]:
    """A second, empty desk (to import an export into)."""
    path = tmp_path / "other.db"
    shutil.copyfile(empty_desk_file, path)
    opened = Desk.open(str(path))
    yield opened
    opened.close()


def problem_cells(error: InvalidInput) -> list[tuple[int, str]]:
    """`(row, column)` of each problem, checking each reads `row N: column: message`."""
    cells = []
    for problem in error.problems:
        match = PROBLEM.match(problem)
        assert match is not None, f"not a `row N: field: …` problem: {problem!r}"
        cells.append((int(match.group(1)), match.group(2)))
    return cells


def listed(desk: Desk) -> list[dict[str, Any]]:
    """The roster as `partners list --json` prints it."""
    return [agent.to_json() for agent in desk.agents()]


def demo_rows() -> list[dict[str, str]]:
    """The demo roster file's agent rows."""
    return list(csv.DictReader(io.StringIO(ROSTER_CSV.read_text(encoding="utf-8"))))


# ---------------------------------------------------------------------- import


def test_demo_roster_imports(roster_desk: Desk) -> None:
    """The demo roster imports whole: every row becomes an agent with its columns."""
    rows = demo_rows()
    agents = {agent.id: agent for agent in roster_desk.agents()}
    assert sorted(agents) == sorted(row["id"] for row in rows)
    for row in rows:
        agent = agents[row["id"]]
        assert agent.name == row["name"]
        assert agent.kind == row["kind"]
        assert agent.metros == tuple(row["metros"].split(";"))
        assert (agent.price_min, agent.price_max) == (int(row["price_min"]), int(row["price_max"]))
        assert agent.active == (row["active"] == "true")
        assert agent.network == (row["network"] or None)
        assert agent.phone.startswith("+") and " " not in agent.phone


def test_import_reports_created_and_updated(desk: Desk, clock: ManualClock) -> None:
    """Import says how many agents were new and how many updated."""
    text = roster_csv([agent_row(id="P-1"), agent_row(id="P-2")])
    assert desk.import_roster(text, clock.now()) == (2, 0)
    text = roster_csv([agent_row(id="P-2"), agent_row(id="P-3")])
    assert desk.import_roster(text, clock.now()) == (1, 1)
    assert [agent.id for agent in desk.agents()] == ["P-1", "P-2", "P-3"]


def test_two_bad_rows_import_nothing_and_are_both_named(desk: Desk, clock: ManualClock) -> None:
    """A file with two bad rows imports nothing; the error names both as `row N: field: …`."""
    desk.import_roster(roster_csv([agent_row(id="P-KEEP", name="Kept As Is")]), clock.now())
    before = listed(desk)
    text = roster_csv(
        [
            agent_row(id="P-KEEP", name="Would Be Renamed"),
            agent_row(id="P-BAD-1", email="dana-at-example.com"),
            agent_row(id="P-NEW"),
            agent_row(id="P-BAD-2", sides="renters"),
        ]
    )
    with pytest.raises(InvalidInput) as caught:
        desk.import_roster(text, clock.now())
    assert problem_cells(caught.value) == [(3, "email"), (5, "sides")]
    assert "\n" not in str(caught.value)
    assert listed(desk) == before


def test_every_bad_field_of_a_row_is_named(desk: Desk, clock: ManualClock) -> None:
    """A row with several bad cells gets one problem per cell, all under its row number."""
    text = roster_csv(
        [agent_row(id="P-1", preferred_channel="pigeon", capacity="-2", property_types="castle")]
    )
    with pytest.raises(InvalidInput) as caught:
        desk.import_roster(text, clock.now())
    assert sorted(problem_cells(caught.value)) == [
        (2, "capacity"),
        (2, "preferred_channel"),
        (2, "property_types"),
    ]
    assert desk.agents() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": ""}, "id"),
        ({"id": "P 1"}, "id"),
        ({"name": "  "}, "name"),
        ({"kind": "vendor"}, "kind"),
        ({"email": "dana@"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"preferred_channel": "fax"}, "preferred_channel"),
        ({"metros": ""}, "metros"),
        ({"zips": "78704;7874"}, "zips"),
        ({"sides": "renters"}, "sides"),
        ({"price_min": "cheap"}, "price_min"),
        ({"price_max": "-1"}, "price_max"),
        ({"price_min": "900000", "price_max": "800000"}, "price_min"),
        ({"property_types": "castle"}, "property_types"),
        ({"capacity": "lots"}, "capacity"),
        ({"active": "perhaps"}, "active"),
        ({"away_from": "soon"}, "away_from"),
        ({"away_from": "2027-01-10", "away_until": "2026-12-20"}, "away_from"),
        ({"on_duty": "someday 09:00-17:00"}, "on_duty"),
        ({"on_duty": "mon-fri 17:00-09:00"}, "on_duty"),
        ({"on_duty": "mon-fri nine to five"}, "on_duty"),
        ({"weight": "0"}, "weight"),
        ({"network": "x" * 500}, "network"),
    ],
)
def test_bad_cell_names_row_and_field(
    desk: Desk, clock: ManualClock, changes: dict[str, str], field: str
) -> None:
    """A bad cell is refused as `row 3: <column>: …` and nothing is imported."""
    text = roster_csv([agent_row(id="P-GOOD"), agent_row(**({"id": "P-2"} | changes))])
    with pytest.raises(InvalidInput) as caught:
        desk.import_roster(text, clock.now())
    assert str(caught.value).startswith(f"row 3: {field}: ")
    assert desk.agents() == []


def test_row_numbers_count_blank_lines(desk: Desk, clock: ManualClock) -> None:
    """Row numbers are the spreadsheet's: a blank line is a row, so the bad row after it is 4."""
    header, good = roster_csv([agent_row(id="P-1")]).splitlines()
    bad = roster_csv([agent_row(id="P-2", email="nope")]).splitlines()[1]
    with pytest.raises(InvalidInput) as caught:
        desk.import_roster("\n".join([header, good, "", bad]) + "\n", clock.now())
    assert str(caught.value).startswith("row 4: email: ")


def test_duplicate_ids_in_one_file_are_refused(desk: Desk, clock: ManualClock) -> None:
    """The same id twice in one file names the repeat and its first row; nothing is imported."""
    text = roster_csv([agent_row(id="P-1"), agent_row(id="P-2"), agent_row(id="P-1")])
    with pytest.raises(InvalidInput) as caught:
        desk.import_roster(text, clock.now())
    message = str(caught.value)
    assert message.startswith("row 4: id: ")
    assert "row 2" in message
    assert desk.agents() == []


def test_unknown_header_column_is_refused(desk: Desk, clock: ManualClock) -> None:
    """A column the roster does not have is refused by name; nothing is imported."""
    rows = [agent_row(id="P-1") | {"favourite_colour": "teal"}]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    with pytest.raises(InvalidInput) as caught:
        desk.import_roster(buffer.getvalue(), clock.now())
    assert str(caught.value).startswith("header: ")
    assert "favourite_colour" in str(caught.value)
    assert desk.agents() == []


@pytest.mark.parametrize("column", ["id", "name", "metros", "price_max"])
def test_missing_required_column_is_refused(desk: Desk, clock: ManualClock, column: str) -> None:
    """A file without a required column is refused, naming the column."""
    row = agent_row(id="P-1")
    del row[column]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    with pytest.raises(InvalidInput) as caught:
        desk.import_roster(buffer.getvalue(), clock.now())
    assert str(caught.value).startswith("header: ")
    assert column in str(caught.value)
    assert desk.agents() == []


def test_optional_columns_may_be_left_out(desk: Desk, clock: ManualClock) -> None:
    """Only id, name, metros and price_max are required; the rest take their defaults."""
    desk.import_roster("id,name,metros,price_max\nP-1,Dana Whitfield,Austin,800000\n", clock.now())
    [agent] = desk.agents()
    assert (agent.kind, agent.sides, agent.weight, agent.active) == ("partner", "both", 1, True)
    assert agent.price_min == 0


@pytest.mark.parametrize(
    "text",
    ["", "\ufeff", "id,name,metros,price_max\n", "id,name,metros,price_max\n,,,\n"],
    ids=["empty", "bom-only", "header-only", "blank-row-only"],
)
def test_file_without_agents_is_refused(desk: Desk, clock: ManualClock, text: str) -> None:
    """A file with no agent rows is an error, not a silent success."""
    with pytest.raises(InvalidInput) as caught:
        desk.import_roster(text, clock.now())
    assert str(caught.value).startswith("file: ")


def test_row_with_more_cells_than_header_is_refused(desk: Desk, clock: ManualClock) -> None:
    """A row with cells beyond the header is named rather than silently cut."""
    header, row = roster_csv([agent_row(id="P-1")]).splitlines()
    with pytest.raises(InvalidInput) as caught:
        desk.import_roster(f"{header}\n{row},surplus\n", clock.now())
    assert str(caught.value).startswith("row 2: ")


def test_bom_and_crlf_are_accepted(desk: Desk, clock: ManualClock) -> None:
    """A spreadsheet's file (UTF-8 BOM, CRLF line ends) imports with clean values."""
    text = roster_csv([agent_row(id="P-1", network="texas-relo"), agent_row(id="P-2", network="")])
    assert desk.import_roster("\ufeff" + text.replace("\n", "\r\n"), clock.now()) == (2, 0)
    first, second = desk.agents()
    assert first.id == "P-1"
    assert first.network == "texas-relo"
    assert second.network is None


def test_header_is_read_case_insensitively(desk: Desk, clock: ManualClock) -> None:
    """`ID,Name,…` headers (as a spreadsheet may capitalise them) are understood."""
    header, row = roster_csv([agent_row(id="P-1")]).splitlines()
    desk.import_roster(f"{header.upper()}\n{row}\n", clock.now())
    assert [agent.id for agent in desk.agents()] == ["P-1"]


def test_importing_an_existing_id_updates_that_agent(desk: Desk, clock: ManualClock) -> None:
    """Importing an id that exists updates every column of that agent."""
    desk.import_roster(roster_csv([agent_row(id="P-1"), agent_row(id="P-2")]), clock.now())
    changed = agent_row(
        id="P-1",
        name="Dana Whitfield-Ortiz",
        zips="78701",
        metros="Austin",
        capacity="9",
        sides="seller",
        network="texas-relo",
        on_duty="mon-fri 09:00-17:00",
    )
    assert desk.import_roster(roster_csv([changed]), clock.now()) == (0, 1)
    agent = desk.agent("P-1")
    assert agent.name == "Dana Whitfield-Ortiz"
    assert (agent.zips, agent.metros) == (("78701",), ("Austin",))
    assert (agent.capacity, agent.sides, agent.network) == (9, "seller", "texas-relo")
    assert agent.on_duty == "mon-fri 09:00-17:00"
    assert desk.agent("P-2").name == "Dana Whitfield", "the other agent is untouched"


def test_export_then_import_gives_the_same_roster(
    desk: Desk, other_desk: Desk, clock: ManualClock
) -> None:
    """`partners export` writes a file that imports back to identical `partners list` data."""
    rows = [
        agent_row(
            id="P-1",
            name='Dana "DW" Whitfield, Jr.',
            brokerage="Hill Country Realty, LLC",
            network="texas-relo",
            on_duty="mon-fri 09:00-17:00;sat 10:00-14:00",
            away_from="2026-12-20",
            away_until="2027-01-02",
            weight="3",
        ),
        agent_row(id="T-2", kind="team", zips="", phone="", email="", active="false"),
        agent_row(id="P-3", name="Zoë Ångström", metros="Round Rock", property_types="land"),
    ]
    desk.import_roster(roster_csv(rows), clock.now())
    exported = desk.export_roster()
    assert other_desk.import_roster(exported, clock.now()) == (3, 0)
    assert listed(other_desk) == listed(desk)
    assert other_desk.export_roster() == exported


def test_demo_roster_round_trips(roster_desk: Desk, other_desk: Desk, clock: ManualClock) -> None:
    """The demo roster exported and imported elsewhere lists exactly the same."""
    other_desk.import_roster(roster_desk.export_roster(), clock.now())
    assert listed(other_desk) == listed(roster_desk)


def test_export_has_the_import_columns(roster_desk: Desk) -> None:
    """The export's header is the contract's columns, in the contract's order."""
    header = roster_desk.export_roster().splitlines()[0]
    assert header == ROSTER_CSV.read_text(encoding="utf-8").splitlines()[0].lstrip("\ufeff")
    assert header.split(",") == [
        "id", "name", "kind", "brokerage", "email", "phone", "preferred_channel", "metros",
        "zips", "sides", "price_min", "price_max", "property_types", "capacity", "active",
        "away_from", "away_until", "on_duty", "weight", "network",
    ]  # fmt: skip


def test_reimporting_own_export_changes_nothing(roster_desk: Desk, clock: ManualClock) -> None:
    """Importing the desk's own export updates every agent and changes no value."""
    before = listed(roster_desk)
    created, updated = roster_desk.import_roster(roster_desk.export_roster(), clock.now())
    assert (created, updated) == (0, len(before))
    assert listed(roster_desk) == before


def test_list_has_the_contract_keys(roster_desk: Desk) -> None:
    """`partners list --json` objects carry every roster column."""
    columns = ROSTER_CSV.read_text(encoding="utf-8").splitlines()[0].lstrip("\ufeff").split(",")
    for agent in listed(roster_desk):
        assert set(columns) <= set(agent)


# ------------------------------------------------------- vacation and activation


def test_vacation_is_recorded_inclusive(desk: Desk, clock: ManualClock) -> None:
    """Time away covers both its first and its last day, and shows in the export."""
    desk.import_roster(roster_csv([agent_row(id="P-1")]), clock.now())
    agent = desk.set_vacation("P-1", date(2026, 12, 20), date(2027, 1, 2), clock.now())
    assert (agent.away_from, agent.away_until) == (date(2026, 12, 20), date(2027, 1, 2))
    assert not agent.is_away(date(2026, 12, 19))
    assert agent.is_away(date(2026, 12, 20))
    assert agent.is_away(date(2027, 1, 2))
    assert not agent.is_away(date(2027, 1, 3))
    assert desk.agent("P-1").away_until == date(2027, 1, 2)
    assert ",2026-12-20,2027-01-02," in desk.export_roster()


def test_vacation_is_cleared_with_no_dates(desk: Desk, clock: ManualClock) -> None:
    """Setting no dates ends an agent's time away."""
    desk.import_roster(
        roster_csv([agent_row(id="P-1", away_from="2026-12-20", away_until="2027-01-02")]),
        clock.now(),
    )
    agent = desk.set_vacation("P-1", None, None, clock.now())
    assert (agent.away_from, agent.away_until) == (None, None)
    assert not desk.agent("P-1").is_away(date(2026, 12, 25))


def test_backwards_vacation_is_refused(desk: Desk, clock: ManualClock) -> None:
    """A vacation that ends before it starts is refused under `away_from`, and nothing changes."""
    desk.import_roster(roster_csv([agent_row(id="P-1")]), clock.now())
    with pytest.raises(InvalidInput) as caught:
        desk.set_vacation("P-1", date(2027, 1, 2), date(2026, 12, 20), clock.now())
    assert str(caught.value).startswith("away_from: ")
    assert desk.agent("P-1").away_from is None


def test_vacation_for_unknown_agent_is_refused(desk: Desk, clock: ManualClock) -> None:
    """Time away for an id not on the roster is refused, naming the agent."""
    with pytest.raises(DeskError) as caught:
        desk.set_vacation("P-NOPE", date(2026, 12, 20), date(2027, 1, 2), clock.now())
    assert str(caught.value).startswith("agent: ")


def test_agent_is_deactivated_and_reactivated(desk: Desk, clock: ManualClock) -> None:
    """An agent can be switched off and on; the roster and the export show it."""
    desk.import_roster(roster_csv([agent_row(id="P-1")]), clock.now())
    assert desk.set_active("P-1", False, clock.now()).active is False
    assert desk.agent("P-1").active is False
    assert next(csv.DictReader(io.StringIO(desk.export_roster())))["active"] == "false"
    assert desk.set_active("P-1", True, clock.now()).active is True
    assert desk.agent("P-1").active is True


def test_activating_unknown_agent_is_refused(desk: Desk, clock: ManualClock) -> None:
    """Switching off an id not on the roster is refused, naming the agent."""
    with pytest.raises(DeskError) as caught:
        desk.set_active("P-NOPE", False, clock.now())
    assert str(caught.value).startswith("agent: ")


def test_on_duty_schedule_is_stored_normalized(desk: Desk, clock: ManualClock) -> None:
    """A valid on-duty schedule is kept (in its canonical spelling)."""
    desk.import_roster(
        roster_csv([agent_row(id="P-1", on_duty="mon-fri 09:00-17:00;sat 10:00-14:00")]),
        clock.now(),
    )
    assert desk.agent("P-1").on_duty == "mon-fri 09:00-17:00;sat 10:00-14:00"


# -------------------------------------------------------------------- settings

GOOD_SETTINGS = [
    ("timezone", "America/New_York", "America/New_York"),
    ("acceptance_window_minutes", "15", 15),
    ("weights.territory", "50", 50),
    ("weights.price", "12.5", 12.5),
    ("weights.capacity", "0", 0),
    ("weights.history", "30", 30),
    ("weights.property_type", "1", 1),
    ("default_mode", "round_robin", "round_robin"),
    ("broadcast_size", "4", 4),
    ("fallback_agent_id", "P-FALL", "P-FALL"),
    ("card_practice", "true", True),
    ("holidays", "2026-12-25;2027-01-01", "2026-12-25;2027-01-01"),
    ("agent_name", "Sam Rivera", "Sam Rivera"),
    ("max_offers_before_fallback", "3", 3),
    ("business_hours", "mon-sat 09:00-17:00", "mon-sat 09:00-17:00"),
    ("pause_outside_business_hours", "true", True),
]

BAD_SETTINGS = [
    ("timezone", "Mars/Olympus_Mons"),
    ("acceptance_window_minutes", "0"),
    ("acceptance_window_minutes", "soon"),
    ("acceptance_window_minutes", "1.5"),
    ("weights.territory", "-1"),
    ("weights.price", "lots"),
    ("weights.capacity", "inf"),
    ("weights.history", "nan"),
    ("weights.property_type", "-0.5"),
    ("default_mode", "lottery"),
    ("default_mode", "private"),
    ("broadcast_size", "0"),
    ("fallback_agent_id", "P-NOPE"),
    ("card_practice", "sometimes"),
    ("holidays", "2026-13-01"),
    ("holidays", "christmas"),
    ("agent_name", "x" * 10_240),
    ("max_offers_before_fallback", "0"),
    ("business_hours", "whenever"),
    ("business_hours", "mon-fri 18:00-08:00"),
    ("pause_outside_business_hours", "maybe"),
]

CONTRACT_SETTING_KEYS = (
    "timezone",
    "acceptance_window_minutes",
    "weights.territory",
    "weights.price",
    "weights.capacity",
    "weights.history",
    "weights.property_type",
    "default_mode",
    "broadcast_size",
    "fallback_agent_id",
    "card_practice",
    "holidays",
    "agent_name",
    "max_offers_before_fallback",
    "business_hours",
    "pause_outside_business_hours",
)
"""The keys CONTRACT.md's Settings section lists."""


@pytest.fixture
def settings_desk(desk: Desk, clock: ManualClock) -> Desk:
    """A desk with an agent who can be the fallback."""
    desk.import_roster(roster_csv([agent_row(id="P-FALL")]), clock.now())
    return desk


def test_every_contract_key_is_a_setting(desk: Desk) -> None:
    """`settings` knows every key the contract lists (and shows each one)."""
    assert set(CONTRACT_SETTING_KEYS) <= set(desk.settings().as_contract())


@pytest.mark.parametrize(("key", "text", "shown"), GOOD_SETTINGS, ids=[g[0] for g in GOOD_SETTINGS])
def test_good_setting_is_stored(
    settings_desk: Desk, clock: ManualClock, key: str, text: str, shown: Any
) -> None:
    """`settings set KEY VALUE` with a good value changes that key and no other."""
    before = settings_desk.settings().as_contract()
    returned = settings_desk.set_setting(key, text, clock.now()).as_contract()
    after = settings_desk.settings().as_contract()
    assert after == returned
    assert after[key] == shown
    assert {k: v for k, v in after.items() if k != key} == {
        k: v for k, v in before.items() if k != key
    }


@pytest.mark.parametrize(
    ("key", "text"), BAD_SETTINGS, ids=[f"{k}={t[:12]}" for k, t in BAD_SETTINGS]
)
def test_bad_setting_is_refused_naming_the_key(
    settings_desk: Desk, clock: ManualClock, key: str, text: str
) -> None:
    """A bad value is refused with a message starting with its key, and nothing changes."""
    before = settings_desk.settings().as_contract()
    with pytest.raises(InvalidInput) as caught:
        settings_desk.set_setting(key, text, clock.now())
    assert str(caught.value).startswith(f"{key}: ")
    assert settings_desk.settings().as_contract() == before


def test_every_key_has_a_good_and_a_bad_value_tested() -> None:
    """Each contract key is exercised above with an accepted and with a refused value."""
    assert sorted({key for key, _, _ in GOOD_SETTINGS}) == sorted(CONTRACT_SETTING_KEYS)
    assert sorted({key for key, _ in BAD_SETTINGS}) == sorted(CONTRACT_SETTING_KEYS)


def test_weights_must_not_all_be_zero(settings_desk: Desk, clock: ManualClock) -> None:
    """Four weights may be zero, but the last one set to zero is refused (the score divides by
    their sum)."""
    for key in ("weights.territory", "weights.price", "weights.capacity", "weights.history"):
        settings_desk.set_setting(key, "0", clock.now())
    with pytest.raises(InvalidInput) as caught:
        settings_desk.set_setting("weights.property_type", "0", clock.now())
    assert str(caught.value).startswith("weights.property_type: ")
    assert settings_desk.settings().weights["property_type"] == 5


def test_unknown_setting_is_refused(desk: Desk, clock: ManualClock) -> None:
    """A key the desk does not have is refused, naming it."""
    with pytest.raises(InvalidInput) as caught:
        desk.set_setting("colour", "teal", clock.now())
    assert str(caught.value).startswith("colour: ")


def test_fallback_agent_can_be_cleared(settings_desk: Desk, clock: ManualClock) -> None:
    """An empty value clears the fallback agent."""
    settings_desk.set_setting("fallback_agent_id", "P-FALL", clock.now())
    assert settings_desk.set_setting("fallback_agent_id", "", clock.now()).fallback_agent_id is None


def test_setting_survives_reopening(db_path: Path, desk: Desk, clock: ManualClock) -> None:
    """A changed setting is stored in the database, not only in memory."""
    desk.set_setting("acceptance_window_minutes", "45", clock.now())
    desk.set_setting("holidays", "2026-11-26;2026-12-25", clock.now())
    reopened = Desk.open(str(db_path))
    try:
        assert reopened.settings().acceptance_window_minutes == 45
        assert reopened.settings().holidays == (date(2026, 11, 26), date(2026, 12, 25))
    finally:
        reopened.close()


def test_defaults(desk: Desk) -> None:
    """A new desk has the contract's defaults."""
    shown = desk.settings().as_contract()
    assert shown["timezone"] == "America/Chicago"
    assert shown["acceptance_window_minutes"] == 30
    assert [shown[f"weights.{k}"] for k in ("territory", "price", "capacity", "history")] == [
        40,
        25,
        20,
        10,
    ]
    assert shown["weights.property_type"] == 5
    assert shown["default_mode"] == "best_fit"
    assert shown["broadcast_size"] == 10
    assert shown["max_offers_before_fallback"] == 5
    assert shown["business_hours"] == "mon-fri 08:00-18:00"
    assert shown["pause_outside_business_hours"] is False
    assert shown["fallback_agent_id"] is None
