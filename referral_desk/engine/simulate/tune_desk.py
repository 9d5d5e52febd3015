"""The desk tuning itself (the app's "Tune settings"): the search on its own roster,
settings and agents' answer habits, over a stream as busy as its last 90 days.

The command line chooses the stream with its options (`simulate --from-desk
--tune …`); the app has no options to ask for, so the stream is drawn here: the
desk's own pace of the last 90 days (at least one referral a day), for as many
days as make about `REFERRALS` referrals (two weeks to three months).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from ..desk import Desk
from .config import SimulationConfig
from .from_desk import inputs_from_desk
from .tune import Progress, TuneResult, tune

__all__ = ["tune_desk"]

REFERRALS: Final = 1000
"""About how many simulated referrals the stream holds."""
CANDIDATES: Final = 30


def tune_desk(
    desk: Desk, now: datetime, progress: Progress | None = None, count: int = CANDIDATES
) -> TuneResult:
    """`simulate --from-desk --tune` with a stream drawn from the desk's own pace."""
    inputs = inputs_from_desk(desk)
    lately = desk.reports.market_drops(now - timedelta(days=90), now)
    per_day = max(1.0, sum(market.received for market in lately.values()) / 90)
    days = min(90, max(14, round(REFERRALS / per_day)))
    config = SimulationConfig(
        days=days,
        per_day=round(per_day, 2),
        roster_csv=inputs.roster_csv,
        settings=inputs.settings,
        habits=inputs.habits,
        from_desk=True,
    )
    return tune(config, count, progress=progress)
