"""The one rule for free text (`rules/text.py`), tried on many strings.

What a user notices: a name or a reason with an escape sequence, a line break
or a bidi override in it is refused naming the field; ordinary text in any
script (accents, CJK, Arabic, emoji built with joiners) is stored as typed;
notes keep their lines; and whatever the desk prints from stored text, or puts
in an email subject, holds no character a terminal or a mail server would obey.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_desk.engine.delivery.channels import Parcel, email_of
from referral_desk.engine.delivery.notify import render
from referral_desk.engine.rules.errors import InvalidInput
from referral_desk.engine.rules.text import (
    KEPT_FORMAT,
    LINE_BREAKS,
    checked_text,
    header_text,
    shown_text,
    text_problem,
)
from referral_desk.engine.values.settings import DeskSettings

ESCAPE_SEQUENCES = [
    "\x1b[2J\x1b[H",  # clear the screen, cursor home
    "\x1b]0;pwned\x07",  # retitle the terminal
    "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",  # a hidden hyperlink
    "\x9b31m",  # the 8-bit CSI
    "\x1b[31mred\x1b[0m",
]
FORMAT_CHARACTERS = [
    "\u202e",  # right-to-left override
    "\u202a",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",  # isolates
    "\u200b",  # zero-width space
    "\u200e",
    "\u200f",  # directional marks
    "\u061c",
    "\u2060",  # word joiner
    "\ufeff",  # a byte-order mark inside text
    "\u00ad",  # soft hyphen
    "\U000e0041",  # a tag character
]
ONE_LINE_BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\x1e"]

controls = st.characters(categories=["Cc"])
"""Every control character: C0, DEL, C1."""
formats = st.characters(categories=["Cf"]).filter(lambda ch: ch not in KEPT_FORMAT)
surrogates = st.characters(categories=["Cs"])
bad_anywhere = st.one_of(
    st.sampled_from(ESCAPE_SEQUENCES + FORMAT_CHARACTERS + ["\u2028", "\u2029"]),
    controls.filter(lambda ch: ch not in "\n\t\r"),
    formats,
    surrogates,
)
"""What no field takes, single-line or not."""
bad_in_one_line = st.one_of(bad_anywhere, st.sampled_from([*ONE_LINE_BREAKS, "\t"]), controls)
clean = st.text(
    alphabet=st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1, max_size=30
)
"""Ordinary text in any script: letters, marks, digits, punctuation, symbols, spaces."""
written = st.text(min_size=0, max_size=12)


def hostile(bad: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Some text, then something the rule refuses, then more text."""
    return st.builds(lambda before, ugly, after: f"{before}{ugly}{after}", written, bad, written)


def refused_chars(text: str, multiline: bool) -> list[str]:
    """The characters of `text` no field may hold (the test's own reading of the rule)."""
    allowed = "\n\t" if multiline else ""
    return [
        ch
        for ch in text
        if ch not in allowed
        and ch not in KEPT_FORMAT
        and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")
    ]


@settings(max_examples=400)
@given(value=hostile(bad_in_one_line))
def test_a_single_line_field_refuses_controls_breaks_and_hidden_characters(value: str) -> None:
    """Anything that is not a letter of one line is refused, naming the field."""
    with pytest.raises(InvalidInput) as error:
        checked_text("metro", value)
    assert str(error.value).startswith("metro: must ")
    assert error.value.problems == (str(error.value),), "one problem, on one line"
    assert shown_text(str(error.value)) == str(error.value), "the message quotes no raw character"


@settings(max_examples=400)
@given(value=hostile(bad_anywhere))
def test_a_multi_line_field_refuses_the_same_but_keeps_lines_and_tabs(value: str) -> None:
    """Notes keep newlines and tabs; an escape sequence or a bidi override is still refused."""
    with pytest.raises(InvalidInput, match=r"^notes: must "):
        checked_text("notes", value, multiline=True)


@settings(max_examples=300)
@given(lines=st.lists(clean, min_size=1, max_size=4), joiner=st.sampled_from(["\n", "\r\n"]))
def test_notes_keep_their_lines_and_take_windows_line_ends(lines: list[str], joiner: str) -> None:
    """CR LF is a line end as Windows writes it: stored as a newline; tabs stay."""
    value = joiner.join(lines) + "\tend"
    stored = checked_text("notes", value, multiline=True)
    assert stored == ("\n".join(lines) + "\tend").strip()


def test_a_lone_carriage_return_is_refused_in_notes() -> None:
    """A bare CR moves the cursor back to overwrite the line: not a line end the desk takes."""
    with pytest.raises(InvalidInput, match=r"^notes: .*U\+000D"):
        checked_text("notes", "paid in full\rnot paid", multiline=True)


@settings(max_examples=300)
@given(value=clean)
def test_ordinary_text_in_any_script_is_stored_as_typed(value: str) -> None:
    """Letters, accents, CJK, Arabic, symbols and spaces pass, trimmed only."""
    assert checked_text("name", value) == value.strip()
    assert shown_text(value) == value


@pytest.mark.parametrize(
    "name",
    [
        "Zoë",
        "李小龙",
        "محمد",
        "می\u200cخواهم",
        "क्\u200dष",
        "👩\u200d👩\u200d👧",
        "e\u0301",
        "O’Brien",
    ],
)
def test_words_spelled_with_joiners_are_kept(name: str) -> None:
    """ZWNJ and ZWJ spell Persian and Indic words and build emoji: a name may need them."""
    assert checked_text("client_first_name", name) == name


@pytest.mark.parametrize("breaks", ONE_LINE_BREAKS)
def test_a_line_break_is_named_as_one(breaks: str) -> None:
    """`Austin\\r\\nBcc: …` in a metro: refused as a line break, not stored."""
    problem = text_problem(f"Austin{breaks}Bcc: someone@example.com")
    assert problem is not None and problem.startswith("must be a single line (line break U+")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("A\x1b[2J", "must not contain control characters (U+001B)"),
        ("A\u202egnp.exe", "must not contain invisible formatting characters (U+202E)"),
        ("A\ud800", "must be valid Unicode text (lone surrogate U+D800)"),
        ("A\tB", "must not contain control characters (U+0009)"),
    ],
)
def test_the_message_says_which_character(value: str, expected: str) -> None:
    """The message names the character by its code point, never by the character itself."""
    assert text_problem(value) == expected


def test_length_and_emptiness_are_checked_after_trimming() -> None:
    """`required` and `max_length` apply to the text as stored."""
    assert checked_text("reason", "  full this month  ", max_length=15) == "full this month"
    with pytest.raises(InvalidInput, match=r"^reason: must be at most 5 characters \(got 6\)$"):
        checked_text("reason", "abcdef", max_length=5)
    with pytest.raises(InvalidInput, match=r"^name: must not be empty$"):
        checked_text("name", "   ", required=True)


@settings(max_examples=400)
@given(value=st.text(max_size=40) | hostile(bad_in_one_line))
def test_shown_text_leaves_nothing_a_terminal_would_obey(value: str) -> None:
    """Whatever is stored, what is printed holds no control, break or hidden character,
    and a clean text prints as itself."""
    shown = shown_text(value)
    assert refused_chars(shown, multiline=False) == []
    assert not set(shown) & LINE_BREAKS
    if not refused_chars(value, multiline=False):
        assert shown == value
    document = shown_text(value, multiline=True)
    assert refused_chars(document, multiline=True) == []


@settings(max_examples=400)
@given(value=st.text(max_size=60) | hostile(bad_in_one_line))
def test_a_header_is_always_one_clean_line(value: str) -> None:
    """An email subject built from any stored value is one line of visible text."""
    header = header_text(value)
    assert refused_chars(header, multiline=False) == []
    assert header == header.strip() and "  " not in header
    assert len(header.splitlines()) <= 1


@settings(max_examples=200)
@given(market=hostile(bad_in_one_line), kind=st.sampled_from(["offer", "award", "withdrawn"]))
def test_a_subject_is_one_line_whatever_the_values_hold(market: str, kind: str) -> None:
    """Values from an older desk (`Austin\\r\\nBcc: …`) cannot end a subject early: the
    subject is one clean line, and the body starts where the template says."""
    values = {"market": market, "side": "buyer", "band": "$400K–$700K", "deadline": "soon"}
    subject, body, _ = render(kind, values, DeskSettings())
    assert refused_chars(subject, multiline=False) == []
    assert len(subject.splitlines()) == 1
    assert body.startswith("Hi ")


def test_an_email_never_carries_a_header_its_text_asked_for() -> None:
    """A stored subject, recipient or sender with CR LF in it adds no header to the email."""
    parcel = Parcel(
        message_id="M-000001",
        kind="offer",
        channel="email",
        recipient="dana@example.com\r\nBcc: x@evil.example",
        subject="New referral\r\nBcc: x@evil.example\x1b]0;pwned\x07",
        body="Hi Dana,\n",
        referral_id="R-000001",
        created_at="Mon, 23 Nov 2026 14:00:00 +0000",
    )
    message = email_of(parcel, "desk@example.com\nBcc: y@evil.example")
    assert message.get_all("Bcc") is None
    for header in ("Subject", "To", "From"):
        assert refused_chars(str(message[header]), multiline=False) == [], header
    assert str(message["Subject"]) == "New referral Bcc: x@evil.example ]0;pwned"
