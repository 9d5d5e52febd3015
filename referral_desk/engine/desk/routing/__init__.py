"""Routing inside the desk's writes: who is offered a referral, and what follows.

`dispatch.py` makes offers by mode and falls back; `responses.py` takes an
agent's answer and the sender's award; `lapses.py` is the clock's work on
offers past their window; `returning.py` finds a returning source's previous
agent; `candidates.py` and `profiles.py` read the roster as routing sees it;
`isa.py` and `warm.py` are the inside sales agent's and the warm transfer's
models; `previews.py` is the same decision with nothing written;
`service.py` is the area's face on the desk. The pure rules they apply are in
`engine/rules/` (`scoring.py`, `eligibility.py`).
"""

__all__ = [
    "candidates",
    "dispatch",
    "isa",
    "lapses",
    "previews",
    "profiles",
    "responses",
    "returning",
    "service",
    "warm",
]
