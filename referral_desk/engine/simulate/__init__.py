"""What-if runs: the real desk service on an in-memory desk under a virtual clock.

`run.py` runs one simulation (`run_simulation`); `config.py` says what a run is;
`inputs.py` makes the roster, the stream of referrals and the agents' habits;
`from_desk.py` takes them from a real desk; `compare.py` runs two side by side;
`output.py` prints the figures for people and scripts; `models.py` plays the
ISA's hand-off and the sender's award among the interested.
"""

__all__ = ["compare", "config", "from_desk", "inputs", "models", "output", "run"]
