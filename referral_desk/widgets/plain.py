"""What people typed, shown as they typed it: never read as markup.

Textual reads a `str` as content markup almost everywhere it shows one: a
`Static` or `Label`, a toast, a `DataTable` cell, an `OptionList` option, a
`Select` choice, a palette hit and its help. The desk's names, notes, reasons and
timelines are typed by people or imported from files, so a `str` holding them
must never reach one of those as markup: an agent named `[/]` crashed the app,
one named `[@click=app.quit]Zed[/]` became a link in the palette that quit it.

The desk does not escape such text (`textual.markup.escape` misses tags such
as `[$error]` and `[B]`, and doubles a trailing backslash); it never lets it be
parsed at all:

- a `Static`, `Label` or toast built from anything but a literal passes
  `markup=False` (`tests/test_house.py` checks it);
- a table cell, an option or a choice is `plain(text)`, a Rich `Text`;
- styled text is `Content.from_markup` with `$variables` (substituted as text)
  or `Content.assemble` of `(text, style)` pairs, never an f-string of markup.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from ..engine import shown_text

__all__ = ["plain"]


def plain(text: str, style: str | Style = "") -> Text:
    """`text` as a Rich `Text`: a table cell, an option or a choice shown exactly as typed.

    Why not a `str`: `DataTable`, `OptionList` and `Select` read a `str` as markup,
    and a `Text` as text. A control character stored before the desk refused them
    (an escape sequence, a line break) is shown as its escape (`\\x1b`), never sent
    to the terminal.
    """
    return Text(shown_text(text), style=style)
