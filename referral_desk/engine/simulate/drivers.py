"""What drives a simulated run's drops: per cause, with what would help, and per market.

A bare dropped rate tells a team lead *that* referrals drop; the causes
(`rules.drops`) and the markets they drop in tell them what to change: recruit
where nobody was eligible, widen the window or offer wider where every offer
lapsed, answer faster where clients were lost first.
"""

from __future__ import annotations

from typing import Any, Final

from ..report.figure_text import count_text
from ..report.market_drops import MarketDrops
from ..rules.coverage import SIDE_NOUNS
from ..rules.drops import DROP_CAUSE_LABELS, DROP_CAUSES, DropCause
from .run import SimulationResult

__all__ = ["drivers_json", "drivers_text"]

SHOWN_MARKETS: Final = 5
"""Markets named in the text, most drops first (the JSON has them all)."""

REMEDIES: Final[dict[DropCause, str]] = {
    "nobody_eligible": "recruit in those markets, or name a fallback agent who covers them",
    "declined_or_lapsed": "widen the acceptance window, or offer to more agents at once",
    "lost_before_acceptance": "offer sooner: clients were lost while offers waited",
}


def _causes_text(market: MarketDrops) -> str:
    return "; ".join(
        f"{count} {DROP_CAUSE_LABELS[cause]}" for cause, count in _ordered(market.causes).items()
    )


def _ordered(causes: dict[DropCause, int]) -> dict[DropCause, int]:
    return {cause: causes[cause] for cause in DROP_CAUSES if causes.get(cause)}


def drivers_text(result: SimulationResult) -> str:
    """A few lines under the table: each cause with its remedy, then the worst markets."""
    report = result.report
    if not report.dropped:
        return "Nothing dropped: every referral was accepted, or is still in play.\n"
    dropped, received = count_text(report.dropped), count_text(report.received)
    lines = [f"What drives the drops ({dropped} of {received} referrals):"]
    width = max(len(DROP_CAUSE_LABELS[cause]) for cause in DROP_CAUSES)
    for cause, count in _ordered(report.dropped_by_cause).items():
        label = DROP_CAUSE_LABELS[cause].ljust(width)
        lines.append(f"  {label}  {count_text(count):>6}  → {REMEDIES[cause]}")
    worst = [market for market in result.drops if market.dropped][:SHOWN_MARKETS]
    if worst:
        lines.append("Where:")
        for market in worst:
            lines.append(
                f"  {market.metro} {SIDE_NOUNS.get(market.side, market.side)}: "
                f"{count_text(market.dropped)} of {count_text(market.received)} dropped "
                f"({_causes_text(market)})"
            )
    return "\n".join(lines) + "\n"


def drivers_json(result: SimulationResult) -> dict[str, Any]:
    """The same for scripts: the causes, and every market with a referral, worst first."""
    return {
        "by_cause": dict(result.report.dropped_by_cause),
        "by_market": [
            {
                "metro": market.metro,
                "side": market.side,
                "received": market.received,
                "dropped": market.dropped,
                "by_cause": {cause: market.causes.get(cause, 0) for cause in DROP_CAUSES},
            }
            for market in result.drops
        ],
    }
