"""The one rule for free text: what a person or a partner may type into the desk.

Every piece of free text the desk stores (names, metro, timeline, notes,
reasons, flag details and notes, who agreed a fee, text settings…) passes
here before it is written, whoever typed it: the CLI, the TUI, an import, a
script. Free text is later shown on terminals (the TUI, `show`, `flags`),
written into email subjects and CSV rows, so a character that is an
instruction rather than a letter must never get in:

- **control characters** (Unicode category Cc: ESC and the C0/C1 controls,
  DEL, NUL): an escape sequence retitles the terminal or paints over the
  screen of whoever reads the text. A multi-line field (notes, details,
  resolution notes) keeps newline and tab; a Windows line end (CR LF) is
  taken as a newline, but a lone carriage return (which returns the cursor to
  overwrite the line) is refused.
- **line breaks** in a single-line field (name, metro, ZIP, timeline, reason,
  agreed-by, a setting): `\\n`, `\\r`, the other Cc breaks (VT, FF, NEL,
  the file/group/record separators) and U+2028/U+2029. A break in a metro
  splits a queue row in two, or puts `Bcc: …` at the top of an email body.
  Multi-line fields refuse U+2028/U+2029 too: their one line break is `\\n`.
- **format characters that reorder or hide text** (category Cf: the bidi
  overrides and isolates U+202A–U+202E and U+2066–U+2069, the marks U+200E/F
  and U+061C, the zero-width space U+200B, the word joiner, U+FEFF, the soft
  hyphen, tag characters…): `Smith\\u202egnp.exe` shows as `Smithexe.png`,
  and a zero-width space makes two names look equal when they are not.
  Two format characters are kept, because words need them: the zero-width
  non-joiner U+200C (Persian, and Indic scripts, spell with it) and the
  zero-width joiner U+200D (Indic conjuncts, and emoji such as 👩‍👩‍👧).
- **lone surrogates** (category Cs), which cannot be written as UTF-8 at all.

Text is then trimmed at both ends and checked for emptiness and length. Text
stored before this rule existed may still hold such characters: `shown_text`
is the display side of the same rule, for whatever prints stored text.
Everything here is pure and uses the standard library only.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from .errors import InvalidInput

__all__ = [
    "TextProblem",
    "checked_text",
    "clean_text",
    "header_text",
    "shown_text",
    "text_problem",
]

KEPT_FORMAT: Final = frozenset("\u200c\u200d")
"""Format characters words are spelled with (ZWNJ, ZWJ): kept."""

LINE_BREAKS: Final = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
"""Everything `str.splitlines` breaks a line at."""

_MULTILINE_KEEPS: Final = frozenset("\n\t")


class TextProblem(ValueError):
    """Why a text is refused, without the field (the caller names it)."""


def _refused(ch: str, multiline: bool) -> bool:
    """Whether the rule refuses this one character."""
    if multiline and ch in _MULTILINE_KEEPS:
        return False
    category = unicodedata.category(ch)
    if category == "Cf":
        return ch not in KEPT_FORMAT
    return category in ("Cc", "Cs", "Zl", "Zp")


def _first_refused(value: str, multiline: bool) -> str | None:
    # Most text is printable (str.isprintable runs in C): only the rest is walked.
    if value.isprintable():
        return None
    return next((ch for ch in value if _refused(ch, multiline)), None)


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why this text cannot be stored (a message without the field), or None.

    `multiline` fields keep newline and tab, and take CR LF as a newline.
    """
    if multiline:
        value = value.replace("\r\n", "\n")
    found = _first_refused(value, multiline)
    if found is None:
        return None
    code = f"U+{ord(found):04X}"
    if found in LINE_BREAKS:
        if multiline:
            return f"must not contain line breaks other than a newline ({code})"
        return f"must be a single line (line break {code})"
    category = unicodedata.category(found)
    if category == "Cs":
        return f"must be valid Unicode text (lone surrogate {code})"
    if category == "Cf":
        return f"must not contain invisible formatting characters ({code})"
    return f"must not contain control characters ({code})"


def clean_text(
    value: str,
    *,
    multiline: bool = False,
    max_length: int | None = None,
    required: bool = False,
) -> str:
    """The text as the desk stores it: checked, CR LF made `\\n` if multi-line, trimmed.

    Raises:
        TextProblem: the first thing wrong, as `must …` without the field name
            (pydantic validators and `checked_text` add it).
    """
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise TextProblem(problem)
    if multiline:
        value = value.replace("\r\n", "\n")
    value = value.strip()
    if required and not value:
        raise TextProblem("must not be empty")
    if max_length is not None and len(value) > max_length:
        raise TextProblem(f"must be at most {max_length} characters (got {len(value)})")
    return value


def checked_text(
    field: str,
    value: str,
    *,
    multiline: bool = False,
    max_length: int | None = None,
    required: bool = False,
) -> str:
    """`clean_text` for one named field: the desk service calls it on every free text.

    Raises:
        InvalidInput: `field: must …`, the line the CLI prints (exit 2) and a
            form shows under the field.
    """
    try:
        return clean_text(value, multiline=multiline, max_length=max_length, required=required)
    except TextProblem as problem:
        raise InvalidInput([f"{field}: {problem}"]) from None


def shown_text(text: str, *, multiline: bool = False) -> str:
    """Text made safe to print on a terminal: each character the rule refuses is written
    as a Python escape (`\\x1b`, `\\u202e`). Newline and tab are escaped too (`\\n`,
    `\\t`: one record stays one line), unless `multiline` (a whole document, whose
    lines are its own). For stored text older than the rule, error lines that quote
    input, and anything else a terminal is handed."""
    if text.isprintable():
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if _refused(ch, multiline) else ch
        for ch in text
    )


def header_text(text: str) -> str:
    """Text made fit for one header line (an email subject): every character the rule
    refuses becomes a space and runs of spaces one. For what delivery builds from
    stored values, which may predate the rule: a line break in a header would start
    a header of the value's choosing (`Bcc: …`)."""
    if not text.isprintable():
        text = "".join(" " if _refused(ch, False) else ch for ch in text)
    return " ".join(text.split())
