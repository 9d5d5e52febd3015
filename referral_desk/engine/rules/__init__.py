"""The desk's rules as pure decisions: no database, no clock, no screens.

A newcomer told "the lifecycle", "the fee arithmetic", "eligibility", "the
score", "business time", "when a thank-you is due" or "what free text may
hold" (`text`) opens the module of that name here. Everything takes its
inputs (and `now`) as arguments; nothing here imports SQLAlchemy, so each rule
is tested as a plain function.
"""

__all__ = [
    "business_time",
    "eligibility",
    "errors",
    "fees",
    "ids",
    "lifecycle",
    "schedule",
    "schemas",
    "scoring",
    "settings",
    "text",
    "thanks",
    "timefmt",
    "vocabulary",
]
