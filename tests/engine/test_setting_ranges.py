"""Every numeric setting has a range, and `clock --interval` has one too.

Weights of `1e308` were accepted: two of them made the weights' sum infinite, every
score NaN, and every intake fail on the database. An interval of 0, a negative or
NaN made the clock service spin at full CPU, and `inf` ended it with a traceback.
The properties here throw arbitrary numbers (and non-numbers) at each of them.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from annotated_types import Ge, Le
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_desk.cli import main
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput
from referral_desk.engine.rules.scoring import Breakdown, Weights, weighted_score
from referral_desk.engine.values.settings import WEIGHT_KEYS, DeskSettings, with_setting
from tests.factories import agent_row, intake, roster_csv

RANGES = {
    "acceptance_window_minutes": (1, 7 * 24 * 60),
    "weights.territory": (0, 1000),
    "weights.price": (0, 1000),
    "weights.capacity": (0, 1000),
    "weights.history": (0, 1000),
    "weights.property_type": (0, 1000),
    "broadcast_size": (1, 500),
    "max_offers_before_fallback": (1, 100),
    "smtp_port": (1, 65535),
    "delivery_max_attempts": (1, 50),
    "warm_transfer_window_minutes": (1, 60),
}
"""Each numeric setting and the range a user may set it in."""

numbers = st.one_of(
    st.floats().map(repr),
    st.floats().map(lambda value: f"{value:e}"),
    st.integers().map(str),
    st.integers(-10, 70_000).map(str),
    st.sampled_from(["1e308", "-1e308", "1e999", "NaN", "sNaN", "-inf", "Infinity", "-0", "1_000"]),
    st.text(max_size=12),
)


def number_in(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def test_every_numeric_setting_has_a_range() -> None:
    """A numeric setting added later without bounds fails here."""
    numeric = {
        field.alias or name: field
        for name, field in DeskSettings.model_fields.items()
        if field.annotation in (int, float)
    }
    assert set(numeric) == set(RANGES)
    for key, field in numeric.items():
        low = next(rule.ge for rule in field.metadata if isinstance(rule, Ge))
        high = next(rule.le for rule in field.metadata if isinstance(rule, Le))
        assert (low, high) == RANGES[key]


@settings(max_examples=600, deadline=None)
@given(key=st.sampled_from(sorted(RANGES)), text=numbers)
def test_a_number_is_stored_only_inside_its_range(key: str, text: str) -> None:
    """Refused on one line naming the key (and, for a number out of range, the range), or
    stored as a finite number inside the range."""
    low, high = RANGES[key]
    try:
        stored = with_setting(DeskSettings(), key, text)[1]
    except InvalidInput as error:
        assert str(error).startswith(f"{key}: ") and "\n" not in str(error)
        number = number_in(text)
        typed_right = key.startswith("weights.") or re.fullmatch(r"\s*[+-]?[0-9]+\s*", text)
        if number is not None and not low <= number <= high and typed_right:
            assert f"must be from {low} to {high} (got " in str(error)
        return
    assert isinstance(stored, int | float)
    assert math.isfinite(stored) and low <= stored <= high


def test_a_huge_weight_is_refused_naming_its_range() -> None:
    with pytest.raises(
        InvalidInput, match=r"^weights.territory: must be from 0 to 1000 \(got 1e\+308\)$"
    ):
        with_setting(DeskSettings(), "weights.territory", "1e308")


@settings(max_examples=300, deadline=None)
@given(
    weights=st.lists(st.floats(0, 1000), min_size=5, max_size=5).filter(lambda w: sum(w) > 0),
    values=st.lists(st.floats(0, 1), min_size=5, max_size=5),
)
def test_any_weights_the_desk_accepts_give_a_score_from_0_to_1(
    weights: list[float], values: list[float]
) -> None:
    """Set one by one as a user would, any accepted weights score every breakdown finitely."""
    current = DeskSettings()
    for key, weight in zip(WEIGHT_KEYS, weights, strict=True):
        try:
            current = with_setting(current, f"weights.{key}", repr(weight))[0]
        except InvalidInput as error:  # only a zero sum along the way is refused
            assert "must not all be zero" in str(error)
    score = weighted_score(Breakdown(*values), Weights(**current.weights))
    assert math.isfinite(score) and 0 <= score <= 1


def test_the_largest_weights_still_route_an_intake(desk: Desk, clock: ManualClock) -> None:
    """Every weight at its maximum: the intake is stored and offered, its score finite."""
    desk.import_roster(roster_csv([agent_row(id="P-1"), agent_row(id="P-2", zips="")]), clock.now())
    for key in WEIGHT_KEYS:
        desk.set_setting(f"weights.{key}", "1000", clock.now())
    [referral] = desk.intake(intake(received_at=None), clock.now())
    assert referral.status == "offered"
    assert referral.offers[0].agent_id == "P-1"
    assert 0 <= referral.offers[0].score <= 1


# --- clock --interval ----------------------------------------------------------------


def clock_once(capsys: pytest.CaptureFixture[str], db: Any, interval: str) -> tuple[int, str]:
    """`clock --once --interval=TEXT` (with `=`: `-1e16` alone would read as an option)."""
    arguments = ["--db", str(db), "--now", "2026-11-23T14:00:00Z", "clock", "--once"]
    code = main([*arguments, f"--interval={interval}"])
    return code, capsys.readouterr().err


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(
        st.floats().map(repr),
        st.sampled_from(
            ["0", "-1", "-0.5", "nan", "NaN", "inf", "-inf", "1e309", "0.09", "3600.5", "abc", ""]
        ),
        st.text(max_size=8),
    )
)
def test_clock_interval_is_refused_outside_a_tenth_of_a_second_to_an_hour(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    """Outside 0.1–3600 s (or not a number): exit 2, one line starting `interval:`;
    inside: the tick runs."""
    db = tmp_path_factory.getbasetemp() / "interval.db"
    try:
        inside = 0.1 <= float(text) <= 3600
    except ValueError:
        inside = False
    code, err = clock_once(capsys, db, text)
    if inside:
        assert (code, err) == (0, "")
    else:
        assert code == 2
        assert err.startswith("interval: must be a number of seconds from 0.1 to 3600")
        assert err.count("\n") == 1


@pytest.mark.parametrize("text", ["0.1", "1", "5", "3600"])
def test_sensible_intervals_are_taken(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    assert clock_once(capsys, tmp_path / "desk.db", text) == (0, "")
