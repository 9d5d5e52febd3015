"""Spreadsheet-safe CSV cells: a cell a spreadsheet would run as a formula is written as text.

The roster and the report go to Excel, LibreOffice or Google Sheets, which run
a cell that begins with `=`, `+`, `-` or `@` as a formula: an agent named
`=HYPERLINK("http://evil","Click")` would become a link, and worse. So every
text cell that begins with one of them is written with a leading `'`, which a
spreadsheet reads as "this is text" and does not show. Numbers (`-5`, `0.25`)
and E.164 phone numbers (`+15125550142`) stay as they are: a spreadsheet reads
them as the values they are, and a sorted price column stays numeric.

`partners import` takes the `'` off again (`cell_text`), so an export imports
back unchanged. A text that already began with quotes before such a character
(`'=x`) gets one more, so the two functions are exact inverses for every text.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_STARTS", "cell_text", "safe_cell"]

FORMULA_STARTS = frozenset("=+-@")
"""What makes a spreadsheet read a cell as a formula."""

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_QUOTED_FORMULA = re.compile(r"'+[=+\-@]")


def safe_cell(text: str) -> str:
    """The cell to write for `text`: with a leading `'` if a spreadsheet would run it."""
    if text.lstrip("'")[:1] not in FORMULA_STARTS:
        return text
    if _NUMBER.fullmatch(text) or _E164.fullmatch(text):
        return text
    return "'" + text


def cell_text(cell: str) -> str:
    """The text a cell written by `safe_cell` stands for (its guarding `'` taken off)."""
    return cell[1:] if _QUOTED_FORMULA.match(cell) else cell
