"""A worksheet's values rewritten from its XML as expat reads it: what calamine gets when the fast scan of
:mod:`xltools.ooxml` cannot prove a sheet small, or after calamine failed on it.

One linear pass. A cell is placed as calamine places it: by its ``r`` attribute, else after the previous cell of
its row, rows after the previous row (``<row r>`` or counting). Prefixes do not matter (``x:c`` is a cell, as in
calamine); comments, CDATA and processing instructions are what XML says they are, so a ``<c r="XFD1048576">`` in a
comment is no cell. A cell's value is its last ``<v>`` or ``<is>`` child; its formula (``<f>``) is kept apart for
the reader and not written. The copy holds only addressed cells with a value, in ``<row>`` runs, nothing else: what
calamine allocates for it is exactly the extent measured here, and a sheet whose values reach beyond
``MAX_CELLS`` is refused before calamine sees it.

After calamine failed on a sheet (a date serial of -1E+308 makes it panic, a duration of 1E+308 overflow), the
sheet is rewritten again with ``date_styles``: every number calamine cannot convert becomes text, and the cell is
remembered with the reason, so the form is read and that cell gets its finding instead of the file being lost.
"""

from __future__ import annotations

import math
import re
from typing import Any

from xltools import xmlsafe
from xltools.bounds import EXCEL_MAX, NOT_A_NUMBER, NUMBER_RANGE
from xltools.cells import column_letter
from xltools.package import UnreadableError

# calamine keeps a sheet as a dense grid and aborts the process when that allocation fails.
MAX_CELLS = 2_000_000
# Serial numbers calamine turns into dates and times without failing: 1899-12-30 .. 9999-12-31.
SAFE_SERIALS = (0.0, 2_958_465.999)
DATE_RANGE = "日期或时间超出 Excel 的范围"
_ERRORS = frozenset(["#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA"])
# Patterns as text: compiled on first use by re's own cache (the rewrite is the rare path; importing stays cheap).
_REF = r"([A-Za-z]+)([0-9]+)"
_ROW = r"[A-Za-z]*([0-9]+)"
_RUST_FLOAT = r"(?i)[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)"
_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_TAIL = "</sheetData></worksheet>"
_FAR = 1 << 40  # an address too long to be real: surely beyond any bound


class Sheet:
    """One sheet as calamine gets it, the formulas typed into its cells, and the cells turned into text
    (0-based (row, column) -> (what was there, why))."""

    __slots__ = ("flagged", "formulas", "xml")

    def __init__(self, xml: bytes, formulas: dict[str, str] | None,
                 flagged: dict[tuple[int, int], tuple[str, str]] | None = None) -> None:
        self.xml = xml
        self.formulas = formulas  # None: not looked for yet (the fast path finds them when asked)
        self.flagged = flagged or {}


def too_large(sheet: str, rows: int, cols: int, far: str) -> UnreadableError:
    """The refusal of a sheet whose values reach ``rows`` x ``cols``; ``far``: the farthest cell ("" if absurd)."""
    where = f"（{far}）" if far else ""
    return UnreadableError(f"工作表“{sheet}”的范围异常（{rows} 行 × {cols} 列），出于安全不予读取。"
                           f"可能在远处的单元格{where}中误填了内容，请删除后再报送。")


def _ref(text: str) -> tuple[int, int] | None:
    """0-based (row, column) of an A1 reference as calamine parses one (letters then digits, any case)."""
    m = re.fullmatch(_REF, text)
    if m is None:
        return None
    letters, digits = m.groups()
    if len(letters) > 4 or len(digits) > 10:
        return _FAR, _FAR
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    row = int(digits)
    return (row - 1, col - 1) if row >= 1 else None


class _Cell:
    __slots__ = ("col", "depth", "formula", "inline", "row", "s", "t", "values")

    def __init__(self, row: int, col: int, s: str | None, t: str | None) -> None:
        self.row, self.col, self.s, self.t = row, col, s, t
        self.depth = 0
        self.values: list[tuple[str, str | None]] = []
        self.formula: str | None = None
        self.inline: list[Any] | None = None  # inside <is>: [rich, phonetic depth, result, done]


class _Rewriter:
    def __init__(self, sheet: str, date_styles: frozenset[int] | None) -> None:
        self.sheet = sheet
        self.dates = date_styles
        self.parts: list[str] = []
        self.formulas: dict[str, str] = {}
        self.flagged: dict[tuple[int, int], tuple[str, str]] = {}
        self.phase = 0  # 0 before <sheetData>, 1 inside, 2 after
        self.row = self.col = 0
        self.cell: _Cell | None = None
        self.text: list[str] | None = None
        self.max_row = self.max_col = -1
        self.open_row = -1

    def damaged(self, what: str) -> UnreadableError:
        return UnreadableError(f"工作表“{self.sheet}”已损坏（{what}），无法读取。请重新保存后再报送。")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.phase != 1:
            if self.phase == 0 and xmlsafe.local(name) == "sheetData":
                self.phase = 1
            return
        cell = self.cell
        tag = xmlsafe.local(name)
        if cell is not None:
            cell.depth += 1
            if cell.depth == 1:
                if tag in ("v", "f"):
                    self.text = []
                elif tag == "is":
                    cell.inline = [False, 0, None, False]
            elif cell.inline is not None:
                inline = cell.inline
                if tag == "r":
                    inline[0] = True
                elif tag == "rPh":
                    inline[1] += 1
                elif tag == "t" and not inline[1] and not inline[3]:
                    self.text = []
            return
        if tag == "c":
            ref = attrs.get("r")
            if ref is None:
                row, col = self.row, self.col
            else:
                place = _ref(ref)
                if place is None:
                    raise self.damaged(f"单元格地址“{ref[:20]}”无效")
                row, col = place
                self.col = col
            self.cell = _Cell(row, col, attrs.get("s"), attrs.get("t"))
        elif tag == "row":
            ref = attrs.get("r")
            if ref is not None:
                m = re.fullmatch(_ROW, ref)
                if m is None or not int(m.group(1)[:11]):
                    raise self.damaged(f"行号“{ref[:20]}”无效")
                self.row = int(m.group(1)[:11]) - 1

    def end(self, name: str) -> None:
        if self.phase != 1:
            return
        tag = xmlsafe.local(name)
        cell = self.cell
        if cell is None:
            if tag == "row":
                self.row += 1
                self.col = 0
            elif tag == "sheetData":
                self.phase = 2
            return
        if cell.depth == 0:  # the cell's own end tag
            self.finish(cell)
            self.cell = None
            self.col += 1
            return
        if cell.depth == 1:
            if tag == "v" and self.text is not None:
                cell.values.append(("v", "".join(self.text)))
            elif tag == "f" and self.text is not None:
                cell.formula = "".join(self.text)
            elif tag == "is" and cell.inline is not None:
                cell.values.append(("is", cell.inline[2]))
                cell.inline = None
            self.text = None
        elif cell.inline is not None:
            inline = cell.inline
            if tag == "t" and self.text is not None:
                captured = "".join(self.text)
                if inline[0]:
                    inline[2] = (inline[2] or "") + captured
                else:
                    inline[2], inline[3] = captured, True
                self.text = None
            elif tag == "rPh":
                inline[1] -= 1
        cell.depth -= 1

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def finish(self, cell: _Cell) -> None:
        ref = f"{column_letter(cell.col + 1)}{cell.row + 1}" if cell.col < _FAR and cell.row < _FAR else ""
        if cell.formula is not None and ref:
            self.formulas[ref] = "=" + cell.formula
        value: tuple[str, str | None] | None = None
        for kind, text in cell.values:  # the last value child decides, as in calamine
            value = None if kind == "v" and cell.t in ("inlineStr", "is") else (kind, text)
        if value is None or value[1] is None:
            return
        kind, text = value[0], value[1]
        t = cell.t
        if kind == "v" and not text and t in (None, "n", "s", "b", "e"):
            return  # an empty number: nothing to calamine
        if cell.row >= self.max_row or cell.col >= self.max_col:
            rows, cols = max(self.max_row, cell.row) + 1, max(self.max_col, cell.col) + 1
            if rows * cols > MAX_CELLS:
                raise too_large(self.sheet, rows, cols, ref)
            self.max_row, self.max_col = rows - 1, cols - 1
        if kind == "v" and self.dates is not None:
            text_instead, reason = self.neutral(t, cell.s, text)
            if text_instead:
                kind = "is"
                if reason:
                    self.flagged[(cell.row, cell.col)] = (text, reason)
        if cell.row != self.open_row:
            self.parts.append(f'</row><row r="{cell.row + 1}">' if self.open_row >= 0 else
                              f'<row r="{cell.row + 1}">')
            self.open_row = cell.row
        s = f' s="{xmlsafe.attr(cell.s)}"' if cell.s is not None else ""
        if kind == "is":
            self.parts.append(f'<c r="{ref}"{s} t="inlineStr"><is><t>{xmlsafe.text(text)}</t></is></c>')
        else:
            typ = f' t="{xmlsafe.attr(t)}"' if t is not None else ""
            self.parts.append(f'<c r="{ref}"{s}{typ}><v>{xmlsafe.text(text)}</v></c>')

    def neutral(self, t: str | None, s: str | None, text: str) -> tuple[bool, str]:
        """(whether the value becomes text, the reason to report) for a value calamine may fail to convert."""
        if t in (None, "n"):
            if not re.fullmatch(_RUST_FLOAT, text):
                return True, NOT_A_NUMBER
            x = float(text)
            if not math.isfinite(x) or abs(x) > EXCEL_MAX:
                return True, NUMBER_RANGE
            if self.dates and s is not None and s.isdigit() and int(s) in self.dates \
                    and not SAFE_SERIALS[0] <= x <= SAFE_SERIALS[1]:
                return True, DATE_RANGE
            return False, ""
        if t in ("str", "inlineStr", "is"):
            return False, ""
        if t == "s":
            return not text.isdigit(), ""
        if t == "b":
            return text not in ("0", "1"), ""
        if t == "e":
            return text not in _ERRORS, ""
        return True, ""  # t="d" (an ISO date: read as text) or a type calamine does not know

    def xml(self) -> bytes:
        body = "".join(self.parts) + ("</row>" if self.open_row >= 0 else "")
        return (_HEAD + body + _TAIL).encode("utf-8")


def rewrite(sheet: str, xml: bytes, date_styles: frozenset[int] | None = None) -> Sheet:
    """Sheet ``sheet`` (its name, for messages) rewritten from ``xml`` (see the module); ``date_styles`` given:
    after calamine failed on it, values it cannot convert become text."""
    w = _Rewriter(sheet, date_styles)
    p = xmlsafe.parser()
    p.StartElementHandler = w.start
    p.EndElementHandler = w.end
    p.CharacterDataHandler = w.chars
    xmlsafe.parse(p, xml, f"工作表“{sheet}”")
    return Sheet(w.xml(), w.formulas, w.flagged)
