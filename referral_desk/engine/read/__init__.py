"""What the desk shows: frozen views of its rows, and the queries that build them.

The CLI, the screens and the simulator read these plain values (`views.py`: a
referral and its parts; `people.py`: agents and referring parties;
`messages.py`: the outbox), never rows. `queries.py` builds them in one read;
`summary.py` holds the cheap glances the header and the palette need.
"""

__all__ = ["answer_history", "messages", "people", "queries", "summary", "views"]
