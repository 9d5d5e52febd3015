"""Referral fees: the arithmetic, and the rules for recording an agreement and a payment.

Fees run both ways. A *receivable* fee is owed to us by the partner agent who took a
referral we routed out (commonly 25% of their commission); a *payable* fee is owed by
us to an out-of-area agent who sent us a client, per the agreement they signed. In
both cases the desk only records what an agent agreed (`agreed_by` names them); it
never agrees a fee itself.

The expected amount is sale price × commission rate × percent, in exact `Decimal`
arithmetic, rounded half up to the cent. Money never passes through a float.
Everything here is pure: no database, no clock.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final, Literal

from .errors import echo
from .lifecycle import COMMISSION_RATE_MAX, MAX_SALE_PRICE, InvalidFields
from .text import TextProblem, clean_text
from .timefmt import CENT

__all__ = [
    "DEFAULT_RECEIVABLE_PERCENT",
    "FEE_DIRECTIONS",
    "FeeDirection",
    "FeeTerms",
    "check_agreed_by",
    "check_direction",
    "check_paid_amount",
    "check_percent",
    "expected_fee",
    "fee_due_on",
    "is_discrepancy",
    "needs_bookkeeper_notice",
    "parse_decimal",
    "validate_agreement",
]

FeeDirection = Literal["receivable", "payable"]

FEE_DIRECTIONS: Final = ("receivable", "payable")
"""`receivable`: a partner agent pays us; `payable`: we pay a referring agent."""

DEFAULT_RECEIVABLE_PERCENT: Final = Decimal("25")
"""The desk's usual share of a partner agent's commission when none is given."""

PERCENT_MAX: Final = Decimal("100")
"""A fee is at most the whole commission."""

AGREED_BY_MAX: Final = 200
"""Longest name in `agreed_by` (the column's width)."""

DIGITS_LIMIT: Final = 20
"""How many places from the decimal point a typed number may reach either way: `1e30` is
refused as out of range, never passed on to arithmetic that overflows."""

_GROUPED: Final = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_HUNDRED: Final = Decimal(100)
_EXACT: Final = decimal.Context(prec=100, rounding=ROUND_HALF_UP, traps=[InvalidOperation])
"""Enough digits that a product of three bounded inputs is never rounded before the cent."""


@dataclass(frozen=True)
class FeeTerms:
    """An agreement as it will be recorded: checked, with the default percent applied."""

    direction: FeeDirection
    """Which way the money goes."""
    percent: Decimal
    """The share of the commission, in percent (0 < percent ≤ 100)."""
    agreed_by: str
    """The agent who agreed the fee, trimmed: the desk records, it never agrees."""


def parse_decimal(field: str, text: str) -> Decimal:
    """A number as typed on the command line (`3`, `2.5`, `$3,825.00`), exactly.

    A leading `$` and thousands commas (`1,234.50`) are allowed; a decimal comma
    (`3,5`) is refused rather than misread as 35.

    Raises:
        InvalidFields: `field: not a number ('…')` for anything else, NaN and
            infinities included; `field: out of range ('…')` past 10^20 or below 10^-20.
    """
    cleaned = text.strip().removeprefix("$")
    if _GROUPED.match(cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise InvalidFields([f"{field}: not a number ({echo(text)})"])
    if value and not -DIGITS_LIMIT <= value.adjusted() <= DIGITS_LIMIT:
        raise InvalidFields([f"{field}: out of range ({echo(text)})"])
    return value


def _in_range(value: object, high: Decimal) -> bool:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return False
    number = Decimal(value)
    return number.is_finite() and 0 < number <= high


def check_direction(direction: str) -> FeeDirection:
    """The direction, if it is one the desk knows.

    Raises:
        InvalidFields: `direction: must be receivable or payable`.
    """
    if direction == "receivable":
        return "receivable"
    if direction == "payable":
        return "payable"
    raise InvalidFields(["direction: must be receivable or payable"])


def check_percent(percent: Decimal | int) -> Decimal:
    """The fee's percent of the commission, if 0 < percent ≤ 100.

    Raises:
        InvalidFields: `percent: must be above 0 and at most 100`.
    """
    if not _in_range(percent, PERCENT_MAX):
        raise InvalidFields([f"percent: must be above 0 and at most {PERCENT_MAX}"])
    return Decimal(percent)


def check_agreed_by(agreed_by: str | None) -> str:
    """The name of the agent who agreed the fee: one line of free text (`text.py`),
    runs of spaces made one.

    Raises:
        InvalidFields: `agreed_by: the agent who agreed the fee must be named`
            when it is missing or blank; `agreed_by: must …` when it holds a line
            break or a control character, or is too long.
    """
    try:
        name = " ".join(clean_text(agreed_by or "").split())
    except TextProblem as problem:
        raise InvalidFields([f"agreed_by: {problem}"]) from None
    if not name:
        raise InvalidFields(["agreed_by: the agent who agreed the fee must be named"])
    if len(name) > AGREED_BY_MAX:
        raise InvalidFields([f"agreed_by: must be at most {AGREED_BY_MAX} characters"])
    return name


def validate_agreement(
    direction: str, percent: Decimal | int | None, agreed_by: str | None
) -> FeeTerms:
    """Checks a `fee ID log` request and returns the terms to record.

    A receivable fee without a percent takes `DEFAULT_RECEIVABLE_PERCENT` (25); a
    payable fee must state the percent from the signed agreement.

    Raises:
        InvalidFields: every problem at once, in the order direction, percent,
            agreed_by.
    """
    problems: list[str] = []
    checked_direction: FeeDirection | None = None
    checked_percent: Decimal | None = None
    name = ""
    try:
        checked_direction = check_direction(direction)
    except InvalidFields as error:
        problems.extend(error.problems)
    if percent is None:
        if checked_direction == "receivable":
            checked_percent = DEFAULT_RECEIVABLE_PERCENT
        elif checked_direction == "payable":
            problems.append("percent: is required for a payable fee (per the signed agreement)")
    else:
        try:
            checked_percent = check_percent(percent)
        except InvalidFields as error:
            problems.extend(error.problems)
    try:
        name = check_agreed_by(agreed_by)
    except InvalidFields as error:
        problems.extend(error.problems)
    if problems or checked_direction is None or checked_percent is None:
        raise InvalidFields(problems)
    return FeeTerms(direction=checked_direction, percent=checked_percent, agreed_by=name)


def expected_fee(sale_price: int, commission_rate: Decimal, percent: Decimal) -> Decimal:
    """Sale price × commission rate % × fee percent %, rounded half up to the cent.

    The same arithmetic serves both directions: what a partner owes us and what we
    owe a referring agent. `510000 × 3% × 25%` is `Decimal('3825.00')`.

    Raises:
        InvalidFields: naming the input out of range (sale price 1…10,000,000,000
            dollars, commission rate 0 < rate ≤ 10, percent 0 < percent ≤ 100).
    """
    problems: list[str] = []
    if (
        isinstance(sale_price, bool)
        or not isinstance(sale_price, int)
        or not 0 < sale_price <= MAX_SALE_PRICE
    ):
        problems.append(f"sale_price: must be whole dollars from 1 to {MAX_SALE_PRICE}")
    if not _in_range(commission_rate, COMMISSION_RATE_MAX):
        problems.append(
            f"commission_rate: must be a percent above 0 and at most {COMMISSION_RATE_MAX}"
        )
    if not _in_range(percent, PERCENT_MAX):
        problems.append(f"percent: must be above 0 and at most {PERCENT_MAX}")
    if problems:
        raise InvalidFields(problems)
    product = _EXACT.multiply(
        _EXACT.multiply(Decimal(sale_price), Decimal(commission_rate)), Decimal(percent)
    )
    exact = _EXACT.divide(product, _HUNDRED * _HUNDRED)
    return exact.quantize(CENT, rounding=ROUND_HALF_UP, context=_EXACT)


def check_paid_amount(amount: Decimal | int) -> Decimal:
    """A payment as logged with `fee ID paid --amount`: dollars and cents, above 0.

    Returns:
        The amount with exactly two decimals.

    Raises:
        InvalidFields: `amount: …` for zero, negatives, more than two decimals,
            more than the largest sale price, or a non-number.
    """
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise InvalidFields(["amount: must be dollars and cents above 0"])
    value = Decimal(amount)
    if not value.is_finite() or value <= 0:
        raise InvalidFields(["amount: must be dollars and cents above 0"])
    if value > MAX_SALE_PRICE:  # no fee is larger than the largest sale the desk takes
        raise InvalidFields([f"amount: must be at most {MAX_SALE_PRICE} dollars"])
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP, context=_EXACT)
    if rounded != value:
        raise InvalidFields(["amount: must be dollars and cents (at most two decimals)"])
    return rounded


def is_discrepancy(expected: Decimal | None, paid: Decimal) -> bool:
    """Whether a payment differs from the expected fee by at least a cent.

    With no expected amount (the sale's figures are not recorded yet) there is
    nothing to compare against, so no discrepancy is reported.
    """
    if expected is None:
        return False
    return abs(Decimal(expected) - Decimal(paid)) >= CENT


def fee_due_on(closing_date: date | None) -> date | None:
    """When a fee falls due: at the closing, in both directions; unknown before it.

    Referral fees are paid from the commission at closing (through escrow or
    title), so receivable and payable fees alike are due on the closing date.
    """
    return closing_date


def needs_bookkeeper_notice(direction: FeeDirection) -> bool:
    """Whether a closing must tell the bookkeeper: only when we owe the fee (payable)."""
    return direction == "payable"
