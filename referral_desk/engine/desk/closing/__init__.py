"""From award to closing inside the desk's writes: status moves, fees, thank-yous, flags.

`steps.py` moves a referral's status and records fee agreements and payments;
`acknowledgments.py` creates and completes the thank-you tasks; `flags.py` holds
the rules that raise escalations (a burst of referrals, a fee deadline);
`service.py` is the area's face on the desk. The arithmetic and the lifecycle
they apply are in `engine/rules/` (`fees.py`, `lifecycle.py`, `thanks.py`).
"""

__all__ = ["acknowledgments", "flags", "service", "steps"]
