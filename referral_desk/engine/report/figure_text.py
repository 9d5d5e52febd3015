"""How the report's figures read for people: counts, money, shares and durations.

One place for it, so the filed Markdown report, the report screen and the
simulator's table write the same figure the same way (`12,480`, `$3,375.00`,
`42.9%`, `2 h 40 min`). CSV and JSON keep the plain values for machines.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["count_text", "duration_text", "money_text", "percent_text", "within_text"]


def count_text(count: int) -> str:
    """`252,269`: thousands grouped, as a reader of a filed report expects."""
    return f"{count:,}"


def money_text(amount: Decimal | str) -> str:
    """`$1,234.50`: dollars and cents, thousands grouped."""
    return f"${Decimal(amount):,.2f}"


def percent_text(share: float | None) -> str:
    """`42.9%`; an em dash when there is no share (nothing to divide by)."""
    return "—" if share is None else f"{share * 100:.1f}%"


def duration_text(seconds: int | None) -> str:
    """`0 s`, `4 min 10 s`, `2 h 5 min`, `3 d 4 h`; an em dash when there is nothing to say."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes} min" + (f" {rest} s" if rest else "")
    if seconds < 86400:
        hours, rest = divmod(seconds, 3600)
        return f"{hours} h" + (f" {rest // 60} min" if rest // 60 else "")
    days, rest = divmod(seconds, 86400)
    return f"{days} d" + (f" {rest // 3600} h" if rest // 3600 else "")


def within_text(seconds: int | None) -> str:
    """A delay in a sentence: `at once` for none, else `within 2 h 40 min`."""
    return "at once" if seconds == 0 else f"within {duration_text(seconds)}"
