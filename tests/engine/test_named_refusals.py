"""A network nobody is in, and an inactive fallback agent, are refused naming the field.

Routing matches a network's name exactly: a referral naming one no agent is in
went unassigned at once. An inactive fallback agent is never offered anything,
so setting one left what nobody else takes with no one. Both are input errors
now, refused before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_desk.cli import main
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput
from tests.factories import agent_row, intake, roster_csv

NETWORKS = ("Hill Country Partners", "Gulf Coast Group")


@pytest.fixture
def network_desk(desk: Desk, clock: ManualClock) -> Desk:
    """Three agents covering Austin: two networks, one agent in none (and one inactive
    agent who is the only member of a third network)."""
    rows = [
        agent_row(id="P-1", network=NETWORKS[0]),
        agent_row(id="P-2", network=NETWORKS[1]),
        agent_row(id="P-3"),
        agent_row(id="P-4", network="Dormant Circle", active="false"),
    ]
    desk.import_roster(roster_csv(rows), clock.now())
    return desk


def referral_count(desk: Desk) -> int:
    return len(desk.referrals(limit=10_000))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.one_of(
        st.text(
            st.characters(exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp")),
            min_size=1,
            max_size=40,
        ),
        st.sampled_from(NETWORKS).map(str.lower),
        st.sampled_from(NETWORKS).map(lambda name: name + "s"),
    ).filter(lambda name: name.strip() not in (*NETWORKS, "Dormant Circle", ""))
)
def test_a_network_nobody_is_in_is_refused_at_intake_and_preview(
    network_desk: Desk, clock: ManualClock, name: str
) -> None:
    """Any other name (a different case, a typo, arbitrary printable text) is refused
    naming `network`, listing the roster's networks, and nothing is stored."""
    payload = intake(mode="network", network=name)
    for attempt in (
        lambda: network_desk.intake(payload, clock.now()),
        lambda: network_desk.preview(payload, clock.now()),
    ):
        with pytest.raises(InvalidInput) as refusal:
            attempt()
        line = str(refusal.value)
        assert line.startswith("network: no agent on the roster is in network ")
        assert line.endswith("(known: Dormant Circle, Gulf Coast Group, Hill Country Partners)")
    assert referral_count(network_desk) == 0


def test_a_network_on_the_roster_is_taken(network_desk: Desk, clock: ManualClock) -> None:
    """Named exactly, a network is routed to its members; an inactive agent's network
    is known too (the referral simply finds nobody available)."""
    [referral] = network_desk.intake(intake(mode="network", network=NETWORKS[1]), clock.now())
    assert referral.network == NETWORKS[1]
    assert [offer.agent_id for offer in referral.offers] == ["P-2"]
    [dormant] = network_desk.intake(intake(mode="network", network="Dormant Circle"), clock.now())
    assert dormant.status == "unassigned"


def test_one_unknown_network_in_a_batch_stores_none_and_names_the_item(
    network_desk: Desk, clock: ManualClock
) -> None:
    batch = [intake(mode="network", network=NETWORKS[0]), intake(mode="network", network="Nope")]
    with pytest.raises(InvalidInput, match=r"^network: .* \(item 2\)$"):
        network_desk.intake(batch, clock.now())
    assert referral_count(network_desk) == 0


def test_a_desk_with_no_networks_says_so(desk: Desk, clock: ManualClock) -> None:
    desk.import_roster(roster_csv([agent_row(id="P-1")]), clock.now())
    with pytest.raises(InvalidInput, match=r"^network: .*'Anything' \(known: none\)$"):
        desk.intake(intake(mode="network", network="Anything"), clock.now())


def test_intake_of_an_unknown_network_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "desk.db")
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_csv([agent_row(id="P-1", network=NETWORKS[0])]), encoding="utf-8")
    referral = tmp_path / "referral.json"
    referral.write_text(
        json.dumps(intake(mode="network", network="Hill Country")), encoding="utf-8"
    )
    assert main(["--db", db, "partners", "import", str(roster)]) == 0
    capsys.readouterr()

    assert main(["--db", db, "intake", str(referral)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "network: no agent on the roster is in network 'Hill Country' "
        "(known: Hill Country Partners)\n"
    )


# --- the fallback agent ---------------------------------------------------------------


def test_an_inactive_fallback_agent_is_refused(network_desk: Desk, clock: ManualClock) -> None:
    """Refused naming the key; once the agent is active again, accepted."""
    with pytest.raises(InvalidInput) as refusal:
        network_desk.set_setting("fallback_agent_id", "P-4", clock.now())
    assert str(refusal.value) == "fallback_agent_id: P-4 is inactive (activate the agent first)"
    assert network_desk.settings().fallback_agent_id is None

    network_desk.set_active("P-4", True, clock.now())
    assert (
        network_desk.set_setting("fallback_agent_id", "P-4", clock.now()).fallback_agent_id == "P-4"
    )


def test_settings_set_of_an_inactive_fallback_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "desk.db")
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_csv([agent_row(id="T-HQ-01", active="false")]), encoding="utf-8")
    assert main(["--db", db, "partners", "import", str(roster)]) == 0
    capsys.readouterr()

    assert main(["--db", db, "settings", "set", "fallback_agent_id", "T-HQ-01"]) == 2
    assert capsys.readouterr().err.startswith("fallback_agent_id: T-HQ-01 is inactive")
