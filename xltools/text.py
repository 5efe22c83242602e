"""Small text helpers shared by the reader, the rules, the writers and fill (light: standard library only)."""

from __future__ import annotations

import re
import unicodedata

from xltools.bounds import number_text

# Characters XML 1.0 forbids; a unit can paste them into a cell.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text for an XML element; forbidden characters are dropped rather than corrupt the file."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return _XML_ILLEGAL.sub("", text)


def display_width(text: str) -> int:
    """Width in Excel column units: a wide (CJK) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# Wrapped text needs its row height in the file: LibreOffice keeps a row without one at a single line.
LINE_HEIGHT = 15.0  # points per line of 11-point text (CJK fonts included)
MAX_LINES = 27  # Excel's tallest row (409 points)


def lines(text: str, width: float, slack: float = 0.9) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` units wide (an estimate: CJK counts double).
    ``slack``: the share of the width counted as usable (Latin glyphs of mixed text are a little wider than counted;
    the form's CJK paragraphs fill the whole width, 1.0)."""
    room = max(1.0, (width - 2.0) * slack)  # the padding
    return min(MAX_LINES, sum(max(1, -int(-display_width(part) // room)) for part in text.split("\n")))


def yuan(value: float) -> str:
    """Money as staff write it: thousands separators, two decimals (beyond 15 digits, or not finite, as Excel
    shows such a number: 1E+300, not 301 digits)."""
    if not abs(value) < 1e15:
        return number_text(value)
    return f"{value:,.2f}"
