"""Referral fees: exact arithmetic rounded half up, agreements recorded (never made), payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_desk.engine.rules.fees import (
    DEFAULT_RECEIVABLE_PERCENT,
    FeeTerms,
    check_agreed_by,
    check_paid_amount,
    check_percent,
    expected_fee,
    fee_due_on,
    is_discrepancy,
    needs_bookkeeper_notice,
    parse_decimal,
    validate_agreement,
)
from referral_desk.engine.rules.lifecycle import MAX_SALE_PRICE, InvalidFields

AGREED_BY_MESSAGE = "agreed_by: the agent who agreed the fee must be named"


def half_up_cents(exact: Fraction) -> Fraction:
    """The reference rounding: to the nearest cent, halves away from zero (all positive)."""
    return Fraction(floor(exact * 100 + Fraction(1, 2)), 100)


# --- arithmetic --------------------------------------------------------------------


def test_the_issue_example() -> None:
    """$510,000 × 3% × 25% is exactly $3,825.00, two decimals."""
    fee = expected_fee(510_000, Decimal("3"), Decimal("25"))
    assert fee == Decimal("3825.00")
    assert str(fee) == "3825.00"


def test_receivable_fee_from_a_partner_defaults_to_a_quarter() -> None:
    """A partner who takes our referral owes 25% of their commission unless told otherwise."""
    terms = validate_agreement("receivable", None, "Priya Patel")
    assert terms == FeeTerms("receivable", DEFAULT_RECEIVABLE_PERCENT, "Priya Patel")
    assert expected_fee(640_000, Decimal("2.5"), terms.percent) == Decimal("4000.00")


def test_payable_fee_to_a_referring_agent_follows_the_signed_percent() -> None:
    """We owe the referring agent the percent of our commission their agreement says."""
    terms = validate_agreement("payable", Decimal("35"), "Priya Patel")
    assert terms.direction == "payable"
    assert expected_fee(425_000, Decimal("2.5"), terms.percent) == Decimal("3718.75")


@pytest.mark.parametrize(
    ("sale_price", "rate", "percent", "expected"),
    [
        (1, "1", "50", "0.01"),  # exactly half a cent rounds up, not to even
        (5, "1", "50", "0.03"),  # 0.025 → 0.03 (banker's rounding would give 0.02)
        (1001, "0.5", "1", "0.05"),  # 0.05005 → 0.05
        (333_333, "2.75", "33.33", "3055.25"),  # 3055.2469… → 3055.25
        (999_999, "3", "25", "7499.99"),  # 7499.9925 → 7499.99
        (275_000, "2.8", "20", "1540.00"),
    ],
)
def test_rounding_is_half_up_to_the_cent(
    sale_price: int, rate: str, percent: str, expected: str
) -> None:
    """Sale × rate% × percent% rounds half up to cents, whatever the inputs' decimals."""
    assert str(expected_fee(sale_price, Decimal(rate), Decimal(percent))) == expected


RATES = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("10"), places=4)
PERCENTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2)


@settings(max_examples=400, deadline=None)
@given(sale_price=st.integers(1, MAX_SALE_PRICE), rate=RATES, percent=PERCENTS)
def test_fee_is_the_exact_product_rounded_half_up(
    sale_price: int, rate: Decimal, percent: Decimal
) -> None:
    """Always exactly two decimals, equal to the exact product rounded half up."""
    fee = expected_fee(sale_price, rate, percent)
    assert fee.as_tuple().exponent == -2
    exact = Fraction(sale_price) * Fraction(rate) * Fraction(percent) / 10_000
    assert Fraction(fee) == half_up_cents(exact)
    assert abs(Fraction(fee) - exact) <= Fraction(1, 200)


@settings(max_examples=200, deadline=None)
@given(sale_price=st.integers(1, 5_000_000), rate=RATES, low=PERCENTS, high=PERCENTS)
def test_a_bigger_share_never_pays_less(
    sale_price: int, rate: Decimal, low: Decimal, high: Decimal
) -> None:
    """The fee grows (or stays) with the percent: rounding never reverses the order."""
    low, high = min(low, high), max(low, high)
    assert expected_fee(sale_price, rate, low) <= expected_fee(sale_price, rate, high)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ((0, Decimal(3), Decimal(25)), "sale_price"),
        ((True, Decimal(3), Decimal(25)), "sale_price"),
        ((MAX_SALE_PRICE + 1, Decimal(3), Decimal(25)), "sale_price"),
        ((510_000, Decimal(0), Decimal(25)), "commission_rate"),
        ((510_000, Decimal("10.5"), Decimal(25)), "commission_rate"),
        ((510_000, 3.0, Decimal(25)), "commission_rate"),
        ((510_000, Decimal(3), Decimal("100.01")), "percent"),
        ((510_000, Decimal(3), Decimal("NaN")), "percent"),
    ],
)
def test_fee_inputs_out_of_range_are_named(arguments: tuple[object, ...], field: str) -> None:
    """A bad input never yields an amount: the error names the field."""
    with pytest.raises(InvalidFields, match=rf"^{field}: "):
        expected_fee(*arguments)  # type: ignore[arg-type]


# --- recording an agreement --------------------------------------------------------


@pytest.mark.parametrize("agreed_by", ["", "   ", None])
def test_agreement_needs_the_agent_who_agreed(agreed_by: str | None) -> None:
    """The desk records agreements, never makes them: the agent who agreed is named."""
    with pytest.raises(InvalidFields) as error:
        validate_agreement("receivable", Decimal("25"), agreed_by)
    assert error.value.problems == (AGREED_BY_MESSAGE,)
    assert str(error.value) == AGREED_BY_MESSAGE


def test_agreed_by_is_trimmed_and_bounded() -> None:
    """Stray spaces go; an absurdly long name is refused."""
    assert check_agreed_by("  Priya   Patel ") == "Priya Patel"
    with pytest.raises(InvalidFields, match=r"^agreed_by: must be at most 200"):
        check_agreed_by("x" * 201)


def test_direction_is_receivable_or_payable() -> None:
    """Only the two directions exist."""
    with pytest.raises(InvalidFields) as error:
        validate_agreement("incoming", Decimal("25"), "Priya")
    assert error.value.problems == ("direction: must be receivable or payable",)


@pytest.mark.parametrize("percent", [Decimal("0"), Decimal("-5"), Decimal("100.01"), 25.0, True])
def test_percent_is_above_zero_and_at_most_a_hundred(percent: object) -> None:
    """A fee is a share of the commission: more than nothing, at most all of it."""
    with pytest.raises(InvalidFields) as error:
        check_percent(percent)  # type: ignore[arg-type]
    assert error.value.problems == ("percent: must be above 0 and at most 100",)


def test_percent_edges_accepted() -> None:
    """100% and a hundredth of a percent are both valid shares."""
    assert check_percent(Decimal("100")) == Decimal("100")
    assert check_percent(Decimal("0.01")) == Decimal("0.01")
    assert check_percent(30) == Decimal("30")


def test_payable_fee_must_state_its_percent() -> None:
    """We pay what the signed agreement says, so a payable fee has no default percent."""
    with pytest.raises(InvalidFields) as error:
        validate_agreement("payable", None, "Priya")
    assert error.value.problems == (
        "percent: is required for a payable fee (per the signed agreement)",
    )


def test_every_agreement_problem_is_reported_at_once() -> None:
    """Direction, percent and agreed_by problems come together, in that order."""
    with pytest.raises(InvalidFields) as error:
        validate_agreement("sideways", Decimal("0"), " ")
    assert error.value.problems == (
        "direction: must be receivable or payable",
        "percent: must be above 0 and at most 100",
        AGREED_BY_MESSAGE,
    )


# --- payments and discrepancies ----------------------------------------------------


def test_paid_amount_is_dollars_and_cents() -> None:
    """A payment has at most two decimals and is stored with exactly two."""
    assert str(check_paid_amount(Decimal("3825"))) == "3825.00"
    assert str(check_paid_amount(Decimal("3825.5"))) == "3825.50"
    assert str(check_paid_amount(12)) == "12.00"
    for bad in (Decimal("0"), Decimal("-1"), Decimal("3825.005"), Decimal("NaN"), 3825.0):
        with pytest.raises(InvalidFields, match=r"^amount: "):
            check_paid_amount(bad)  # type: ignore[arg-type]


def test_matching_payment_is_no_discrepancy_in_either_direction() -> None:
    """Paid exactly what was expected, receivable or payable: nothing to flag."""
    for direction, percent in (("receivable", None), ("payable", Decimal("25"))):
        terms = validate_agreement(direction, percent, "Priya")
        expected = expected_fee(510_000, Decimal("3"), terms.percent)
        assert not is_discrepancy(expected, check_paid_amount(Decimal("3825.00")))
        assert is_discrepancy(expected, check_paid_amount(Decimal("3800.00")))
        assert is_discrepancy(expected, check_paid_amount(Decimal("3825.01")))


def test_discrepancy_starts_at_one_cent() -> None:
    """A difference of a cent or more is a discrepancy; less than a cent is not."""
    assert is_discrepancy(Decimal("3825.00"), Decimal("3824.99"))
    assert not is_discrepancy(Decimal("3825.00"), Decimal("3825.004"))
    assert not is_discrepancy(Decimal("3825.00"), Decimal("3825"))


def test_no_expected_amount_means_nothing_to_compare() -> None:
    """Before the sale's figures are recorded there is no expected amount to differ from."""
    assert not is_discrepancy(None, Decimal("3825.00"))


CENTS = st.integers(1, 10**9).map(lambda cents: Decimal(cents) / 100)


@given(expected=CENTS, paid=CENTS)
def test_discrepancy_is_symmetric_and_exact(expected: Decimal, paid: Decimal) -> None:
    """For amounts in cents, a discrepancy is exactly 'not equal', whichever is larger."""
    assert is_discrepancy(expected, paid) == (expected != paid)
    assert is_discrepancy(expected, paid) == is_discrepancy(paid, expected)


# --- when a fee is due -------------------------------------------------------------


def test_fees_fall_due_at_the_closing() -> None:
    """A fee is due on the closing date; before a closing is known, it is not yet due."""
    assert fee_due_on(date(2026, 12, 15)) == date(2026, 12, 15)
    assert fee_due_on(None) is None


def test_only_payable_fees_notify_the_bookkeeper() -> None:
    """When a referral closes, the bookkeeper hears about what we owe, not what we are owed."""
    assert needs_bookkeeper_notice("payable")
    assert not needs_bookkeeper_notice("receivable")


# --- numbers as typed --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", "3"), (" 2.5 ", "2.5"), ("$3,825.00", "3825.00"), ("1,234,567", "1234567")],
)
def test_numbers_are_read_exactly(text: str, value: str) -> None:
    """Typed numbers become exact Decimals; a dollar sign and thousands commas are fine."""
    assert parse_decimal("amount", text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "3,5", "NaN", "inf", "1,23"])
def test_unreadable_numbers_name_the_field(text: str) -> None:
    """Anything else, a decimal comma included, is refused naming the field."""
    with pytest.raises(InvalidFields, match=r"^percent: not a number"):
        parse_decimal("percent", text)
