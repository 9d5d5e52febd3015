"""Routing inside the desk's writes: who is offered a referral, and what follows.

`dispatch.py` decides whom to offer a referral to by mode and falls back, and
`offers.py` makes the offers (rows, messages, events); `responses.py` takes an
agent's answer and the sender's award; `lapses.py` is the clock's work on
offers past their window; `returning.py` finds a returning source's previous
agent; `candidates.py` and `profiles.py` read the roster as routing sees it;
`isa.py`, `warm.py` and `interest.py` are the inside sales agent's, the warm
transfer's and the pick-from-interested (network, open, invited) models;
`previews.py` is the same decision with nothing written; `service.py` is the
area's face on the desk. The pure rules they apply are in
`engine/rules/` (`scoring.py`, `eligibility.py`).
"""

__all__ = [
    "candidates",
    "dispatch",
    "interest",
    "isa",
    "lapses",
    "offers",
    "previews",
    "profiles",
    "responses",
    "returning",
    "service",
    "warm",
]
