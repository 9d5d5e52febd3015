"""Command lines for every command the parser has, as hypothesis draws them.

The commands are walked from `referral_desk.cli.build_parser()`; each argument
gets values by its `dest`: half the time one that makes the command do its work
on the demo desk (`GOOD`), else its kind of value at the edges (`BY_DEST`) or
anything at all. `FILE + name` in a drawn line stands for a file the test prepares.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass

from hypothesis import strategies as st

from referral_desk.cli import entry as cli
from referral_desk.engine.rules.lifecycle import TRANSITIONS
from referral_desk.engine.rules.vocabulary import MANUAL_KINDS
from referral_desk.engine.values.settings import SETTING_KEYS

NOW = "2026-11-23T14:00:00Z"
"""The demo desk is seeded at this moment; most command lines act at it."""

# ----------------------------------------------------------------- the parser


@dataclass(frozen=True, repr=False)
class Level:
    """One word of a command (`fee`, then `paid`) and the arguments it takes."""

    name: str
    positionals: tuple[argparse.Action, ...]
    options: tuple[argparse.Action, ...]

    def __repr__(self) -> str:
        return self.name


Command = tuple[Level, ...]


def commands(parser: argparse.ArgumentParser, above: Command = ()) -> Iterator[Command]:
    """Every command the parser accepts: each leaf, and each parent whose action is
    optional (`thanks` as well as `thanks done`)."""
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for group in subparsers:
        if not group.required:
            yield above
        for name, child in group.choices.items():
            yield from commands(child, (*above, _level(name, child)))
    if not subparsers and above:
        yield above


def _level(name: str, parser: argparse.ArgumentParser) -> Level:
    kept = [
        action
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction | argparse._HelpAction)
    ]
    return Level(
        name,
        tuple(action for action in kept if not action.option_strings),
        tuple(action for action in kept if action.option_strings),
    )


PARSER = cli.build_parser()
COMMANDS = sorted(commands(PARSER), key=lambda command: [level.name for level in command])
TOP = {action.dest: action for action in _level("referral-desk", PARSER).options}

# ----------------------------------------------------------------- the values

REFERRAL_IDS = ["R-000007", "R-000014", "R-000021", "R-000034", "R-000036", "R-000038"]
REFERRAL_IDS += ["R-000039", "R-000040", "R-000043", "R-000044", "R-000045", "r-45", "R-999999"]
"""Referrals of the demo desk at NOW: closed, fee_sent, in escrow, working, pending, awarded,
accepted (network, two interested), and offered in each mode; then unknown ones."""
OTHER_IDS = ["T-000001", "T-000020", "F-000001", "F-000003", "M-000001", "M-000050", "S-000001"]
AGENT_IDS = ["P-ATX-01", "T-HQ-01", "P-PHX-01", "P-DEN-01", "P-RRK-01", "P-RDU-02", "P-NOBODY"]
"""Agents holding the open offers above, the fallback, and one the roster does not have."""
BAD_IDS = ["R-99999999999999999999999", "R-9223372036854775808", "0", "-1", "R-", "R-1e3", ""]
NUMBERS = [
    "0",
    "1",
    "-1",
    "2.5",
    "25",
    "3,5",
    "1,234.50",
    "$3,825.00",
    "1e30",
    "-1e30",
    "1e-30",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "99999999999999999999999",
    "9" * 5_000,
    "1e999999999",
    "-1e-999999999",
    "10000000000",
    "0x10",
]
DAYS = [
    "2026-11-23",
    "2026-11-24",
    "2026-11-25",
    "2026-10-01",
    "2099-01-01",
    "0001-01-01",
    "1899-12-31",
    "1900-01-01",
    "2199-12-31",
    "2200-01-01",
    "9999-12-31",
    "2026-02-30",
    "26-11-23",
]
MOMENTS = [
    NOW,
    "2026-11-23T15:00:00Z",
    "2026-11-22T14:00:00Z",
    "2026-11-23T08:00:00-06:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-14:00",
    "1899-12-31T23:59:59Z",
    "1900-01-01T00:00:00Z",
    "2199-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z",
    "2026-11-23T14:00:00",
    "2026-11-23",
    "yesterday",
]
QUARTERS = ["2026-Q4", "2026-Q3", "9999-Q4", "0001-Q1", "0000-Q1", "1900-Q1", "2199-Q4", "2026-Q5"]
ODD_TEXT = [
    "",
    " ",
    "\x1b[2J",
    "line\nbreak",
    "tab\tand\rreturn",
    "\ud800",
    "Zoë 李 👩‍👩‍👧",
    "'; DROP TABLE referral; --",
    "x" * 5_000,
    "--json",
    "-",
    "=",
    "K=V",
    "%s%n",
    "~nobody-at-all/outbox",
]
PAIRS = [
    "acceptance_window_minutes=15",
    "acceptance_window_minutes=0",
    "acceptance_window_minutes=99999999999999999999",
    "weights.price=nan",
    "weights.price=1e308",
    "holidays=9999-12-31",
    "holidays=0001-01-01;2026-12-25",
    "timezone=America",
    "timezone=../../etc/passwd",
    "timezone=",
    "broadcast_size=3",
    "default_mode=broadcast",
    "business_hours=mon-sun 00:00-24:00",
    "colour=teal",
    "Austin=3",
    "Houston=-1",
    "Nowhere=inf",
    "=1",
    "noequals",
]

odd_text = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(st.characters(blacklist_characters="\x00"), max_size=30),
)
numbers = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats().map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
moments = st.one_of(
    st.sampled_from(MOMENTS),
    st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
)
days = st.one_of(st.sampled_from(DAYS), st.dates().map(str))
ids = st.sampled_from(REFERRAL_IDS + OTHER_IDS + AGENT_IDS + BAD_IDS)
small_counts = st.sampled_from(["0", "1", "2", "-1", "0.5", "1e9", "nan", "inf", "99999", "x"])


def anything() -> st.SearchStrategy[str]:
    """Any of the above: an argument is sometimes given what belongs to another."""
    return st.one_of(odd_text, numbers, moments, days, ids, st.sampled_from(QUARTERS + PAIRS))


# Which values an argument gets, by its `dest`. Anything not named here gets text.
BY_DEST: dict[str, st.SearchStrategy[str]] = {
    "referral_id": st.sampled_from(REFERRAL_IDS + BAD_IDS),
    "referral": st.sampled_from(REFERRAL_IDS + BAD_IDS),
    "agent": st.sampled_from(AGENT_IDS),
    "agent_id": st.sampled_from(AGENT_IDS),
    "task_id": st.sampled_from(OTHER_IDS + BAD_IDS),
    "flag_id": st.sampled_from(OTHER_IDS + BAD_IDS),
    "message_id": st.sampled_from(OTHER_IDS + BAD_IDS),
    "now": moments,
    "on": days,
    "closing_date": days,
    "away_from": days,
    "away_until": days,
    "amount": numbers,
    "sale_price": numbers,
    "commission_rate": numbers,
    "percent": numbers,
    "interval": numbers,
    "seed": numbers,
    "accept_probability": numbers,
    "response_minutes": numbers,
    "days": small_counts,
    "per_day": small_counts,
    "quarter": st.sampled_from(QUARTERS),
    "new_status": st.sampled_from([*TRANSITIONS, "CLOSED", " working ", "done"]),
    "kind": st.sampled_from([*MANUAL_KINDS, "delivery_failed", "nope"]),
    "key": st.sampled_from([*SETTING_KEYS, "colour", "weights", "x" * 200]),
    "direction": st.sampled_from(["receivable", "payable", "PAYABLE", "both", ""]),
    "status": st.sampled_from(["pending", "sent", "failed", "to_call", "nope"]),
    "settings": st.sampled_from(PAIRS),
    "compare": st.sampled_from(PAIRS),
    "markets": st.sampled_from(PAIRS),
}
FILE = "\0"
"""Marks a drawn word that names a prepared file (`FILE + "roster"`): no drawn text holds
NUL, which no real command line can carry either."""
FILES = [
    "roster",
    "intake",
    "intake-bare",
    "huge-key",
    "huge-cell",
    "folder",
    "missing",
    "empty",
    "latin1",
    "no-such-home",
]
READS = [*FILES, "roster", "intake", "-"]
WRITES = ["output", "output", "output-folder", "no-such-folder", "no-such-home", "desk", "-"]
PATHS = {
    "db": ["desk"] * 18 + ["folder", "intake", "no-such-home"],
    "file": READS,
    "roster": READS,
}
"""Files an argument naming one may get: `FILE + name` names a prepared file (see `inputs`),
filled in by `run`; `-` is standard input or output."""
WRITTEN = {("backup", "file"), ("export", "file")}
"""Arguments naming a file the command writes: they get the example's own files, never a
prepared one (a backup over the roster would spoil every later example)."""
SPAN_DESTS = {"days", "per_day"}
"""`simulate` always gets these: its defaults (90 days of 20 a day) take seconds."""


GOOD: dict[str, list[str]] = {
    "referral_id": REFERRAL_IDS,
    "referral": REFERRAL_IDS,
    "agent": AGENT_IDS,
    "agent_id": AGENT_IDS,
    "task_id": ["T-000001", "T-000020", "T-000046"],
    "flag_id": ["F-000001", "F-000002", "F-000003"],
    "message_id": ["M-000001", "M-000050", "M-000090"],
    "on": ["2026-11-23", "2026-11-20", "2026-11-24"],
    "closing_date": ["2026-12-20", "2027-03-01"],
    "away_from": ["2026-12-20"],
    "away_until": ["2026-12-31"],
    "amount": ["4625.00", "100", "$3,825.00"],
    "sale_price": ["510000", "510,000"],
    "commission_rate": ["3", "2.5"],
    "percent": ["25", "30"],
    "interval": ["1", "0.5"],
    "seed": ["1", "7"],
    "accept_probability": ["0.8", "1"],
    "response_minutes": ["5", "0"],
    "days": ["1", "2"],
    "per_day": ["1", "2.5"],
    "quarter": ["2026-Q4", "2026-Q3"],
    "agreed_by": ["Dana Whitfield"],
    "settings": ["acceptance_window_minutes=15", "broadcast_size=3", "default_mode=broadcast"],
    "compare": ["acceptance_window_minutes=15", "max_offers_before_fallback=2"],
    "markets": ["Austin=3", "Houston=1"],
}
"""Values that make a command do its work on the demo desk, drawn half the time, so the
rules behind the parsing are reached too."""


def value_for(level: str, action: argparse.Action) -> st.SearchStrategy[str]:
    """Values for one argument: its choices, a value that works, its kind of value at
    the edges, or anything at all."""
    if action.dest in PATHS:
        names = WRITES if (level, action.dest) in WRITTEN else PATHS[action.dest]
        return st.sampled_from(names).map(lambda name: name if name == "-" else FILE + name)
    if action.choices is not None:
        return st.sampled_from([*action.choices] * 3 + ["nope"])
    usual = BY_DEST.get(action.dest, odd_text)
    good = st.sampled_from(GOOD.get(action.dest, ["Sam Rivera", "full this month"]))
    if level == "simulate" and action.dest in SPAN_DESTS:  # a valid span stays a few referrals
        return st.one_of(good, usual)
    # Drawn by weight, not with one_of: one_of flattens nested choices and picks among all
    # of them evenly, so `anything()`'s many branches would crowd out the working values.
    return st.integers(0, 3).flatmap(lambda kind: [good, good, usual, anything()][kind])


def _option(action: argparse.Action, values: list[str]) -> list[str]:
    """`--amount 5`; `--amount=-inf` when the value would read as an option."""
    name = action.option_strings[-1]
    if len(values) == 1 and values[0].startswith("-"):
        return [f"{name}={values[0]}"]
    return [name, *values]


@st.composite
def command_lines(draw: st.DrawFn, command: Command) -> list[str]:
    """One command line for a command: its words, its arguments, sometimes one too many
    or one missing; `FILE + name` stands for a prepared file, filled in by `run`."""
    words = ["--db", draw(value_for("", TOP["db"]))]
    if draw(st.integers(0, 9)):  # --now given nine times in ten
        words += _option(TOP["now"], [draw(st.one_of(st.just(NOW), st.just(NOW), moments))])
    for level in command:
        words.append(level.name)
        for action in level.options:
            forced = level.name == "simulate" and action.dest in SPAN_DESTS
            forced |= (level.name, action.dest) in (("clock", "once"), ("demo", "seed_only"))
            # a required option is left out one time in fifteen, any other half the time
            given = draw(st.integers(0, 14)) if action.required else draw(st.booleans())
            if not (forced or given):
                continue
            if isinstance(action, argparse._StoreTrueAction):
                words.append(action.option_strings[0])
                continue
            count = draw(st.integers(1, 3)) if action.nargs == "+" else 1
            values = [draw(value_for(level.name, action)) for _ in range(count)]
            words += _option(action, values)
        for action in level.positionals:
            if draw(st.integers(0, 19)) or action.nargs == "?":  # left out one time in twenty
                words.append(draw(value_for(level.name, action)))
    if not draw(st.integers(0, 14)):  # one word too many
        words.insert(draw(st.integers(2, len(words))), draw(st.sampled_from(["--bogus", "x"])))
    return words
