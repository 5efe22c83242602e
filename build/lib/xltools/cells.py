"""A1 addresses. Tiny on purpose: importing openpyxl (which pulls in numpy) would cost the check path ~0.3 s."""

from __future__ import annotations

import re
from functools import lru_cache

_A1 = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    if index < 1:
        raise ValueError(index)
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 1, AA -> 27."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


@lru_cache(maxsize=4096)  # a form has a few hundred addresses, parsed for every file
def split(cell: str) -> tuple[str, int]:
    """"B12" -> ("B", 12)."""
    m = _A1.fullmatch(cell)
    if not m:
        raise ValueError(f"not an A1 address: {cell!r}")
    return m.group(1), int(m.group(2))


@lru_cache(maxsize=4096)
def coords(cell: str) -> tuple[int, int]:
    """0-based (column, row) of an A1 address, for indexing value grids."""
    letters, row = split(cell)
    return column_index(letters) - 1, row - 1


def sort_key(cell: str) -> tuple[int, int]:
    """Order addresses by row, then column; an empty address (a whole-file finding) first."""
    if not cell:
        return (0, 0)
    letters, row = split(cell)
    return (row, column_index(letters))
