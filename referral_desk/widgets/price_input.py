"""Prices as people type them: `400000`, `400K`, `$400,000`, `1.2M`.

The engine takes whole dollars as integers (a JSON int); a VA copying from
an email types whatever the email said. This module turns that text into
dollars, and `PriceInput` shows what it understood as you type.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from textual.widgets import Input

__all__ = ["PriceError", "PriceInput", "format_band", "format_price", "parse_price"]

_SUFFIXES = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
_PRICE = re.compile(r"^\$?\s*([0-9][0-9,_]*(?:\.[0-9]+)?|\.[0-9]+)\s*([kmb]?)$", re.IGNORECASE)


class PriceError(ValueError):
    """Text that is not a price; its message says what to type instead."""


def parse_price(text: str) -> int | None:
    """Whole dollars from `400000`, `400K`, `$400,000` or `1.2M`; None when blank.

    Raises:
        PriceError: the text is not a price (the message is shown under the field).
    """
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        return None
    match = _PRICE.match(cleaned)
    if match is None:
        raise PriceError("not a price: type 400000, 400K or $400,000")
    number, suffix = match.groups()
    try:
        amount = Decimal(number.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise PriceError("not a price: type 400000, 400K or $400,000") from None
    dollars = amount * _SUFFIXES[suffix.lower()]
    if dollars != dollars.to_integral_value():
        raise PriceError("must be whole dollars")
    return int(dollars)


def format_price(dollars: int) -> str:
    """`$400,000` — how the desk shows a price."""
    return f"${dollars:,}"


def format_band(low: int, high: int) -> str:
    """`$400K–$700K`: a price band short enough for a table column."""

    def short(dollars: int) -> str:
        if dollars >= 1_000_000 and dollars % 10_000 == 0:
            return f"${dollars / 1_000_000:g}M"
        if dollars >= 1_000 and dollars % 1_000 == 0:
            return f"${dollars // 1_000:,}K"
        return f"${dollars:,}"

    return f"{short(low)}–{short(high)}"


class PriceInput(Input):
    """An input for whole dollars that accepts the shorthands people use."""

    def __init__(self, value: str = "", **kwargs: object) -> None:
        super().__init__(value, placeholder="e.g. 400K", **kwargs)  # type: ignore[arg-type]

    @property
    def dollars(self) -> int | None:
        """The typed price in whole dollars (None when blank); raises `PriceError`."""
        return parse_price(self.value)

    def understood(self) -> str:
        """What the desk reads from the text (`= $400,000`), or why it cannot."""
        try:
            dollars = self.dollars
        except PriceError as error:
            return str(error)
        return "" if dollars is None else f"= {format_price(dollars)}"
