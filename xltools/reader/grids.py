"""Value grids as the reader gets them (rows of cell values from A1, from python-calamine or xlwings), and the
small text helpers every reading step shares."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from xltools.bounds import number_text
from xltools.cells import coords

Grid = Sequence[Sequence[Any]]


def plain(value: Any) -> str:
    """A cell value as text: whole floats without ``.0``, blanks as ``""``, stripped."""
    if isinstance(value, float) and value.is_integer():
        return number_text(value)  # 1e308 prints short, not as 309 digits
    return "" if value is None else str(value).strip()


def at(grid: Grid, cell: str) -> Any:
    """The value at ``cell``; ``""`` beyond the grid (calamine stops at the last used cell)."""
    col, row = coords(cell)
    if row < len(grid) and col < len(grid[row]):
        return grid[row][col]
    return ""


def label_text(value: Any) -> str:
    """A label compared without whitespace and width: LibreOffice and WPS may add or drop whitespace inside."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", plain(value)))


_SPACES = re.compile(r"[ \t\u3000]+")
_UNTIDY = re.compile(r"[\t\u3000\r\n]|  |^\s|\s$")


def tidy(text: str) -> str:
    """Strip ends and collapse runs of spaces inside a line; keep line breaks (paragraphs matter)."""
    if not _UNTIDY.search(text):  # the common case: nothing to do
        return text
    lines = [_SPACES.sub(" ", line).strip() for line in text.strip().splitlines()]
    return "\n".join(lines)
