"""The quarterly referral report: its figures, their SQL, and how they read.

`figures.py` builds the report (`Report`) for a quarter or any period;
`queries.py` answers each figure with an aggregate over indexed columns;
`as_of.py` gives the figures of referrals as they stood at the report's moment;
`formats.py` writes it as Markdown and CSV, with `figure_text.py` for how
counts, money, shares and durations read.
"""

__all__ = ["as_of", "figure_text", "figures", "formats", "queries"]
