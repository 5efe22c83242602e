"""Values a workbook can hold but Excel cannot: kept out of everything xltools writes, and named at their cells.

Excel holds numbers within ±9.99999999999999E+307 (no infinity, no NaN) and at most 32,767 characters in a cell. A
returned file can hold more (``<v>1e309</v>`` reads as infinity, ``<v>inf</v>`` too), and one such value written
into the consolidated workbook makes it unreadable. :func:`safe_rows` replaces each such value in the grids the
reader gets with an :class:`OutOfRange`: a short text that shows what was there and says why. The reader types it
as invalid (``amount-invalid`` in a money cell, ``date-invalid`` in a date cell, ``text-too-long`` elsewhere), and
only that short text can reach an output.

Money has a tighter bound than Excel: an amount of 10^15 yuan or more (Excel keeps 15 significant digits; a
40-digit number typed as text is one) is no amount.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

EXCEL_MAX = 9.99999999999999e307
MAX_TEXT = 32_767  # characters in one Excel cell
MAX_AMOUNT = 1e15  # yuan: 15 significant digits, 千万亿元
SHOWN = 60  # characters of an over-long text kept to show what it was

NUMBER_RANGE = "数值超出 Excel 能保存的范围"
NOT_A_NUMBER = "数值无法识别"
AMOUNT_RANGE = "金额超过 15 位数字，不是合理的金额"


class OutOfRange(str):
    """What the reader gets instead of a value Excel cannot hold: a short text showing it, and the reason."""

    reason: str
    length: int  # characters of an over-long text (0 for numbers)

    def __new__(cls, shown: str, reason: str, length: int = 0) -> OutOfRange:
        self = super().__new__(cls, shown)
        self.reason = reason
        self.length = length
        return self

    def __getnewargs__(self) -> tuple[str, str, int]:  # type: ignore[override]
        # Pickled whole: a worker process sends declarations home.
        return str(self), self.reason, self.length


def number_text(value: float) -> str:
    """A number as a message shows it: whole numbers up to 15 digits in full, others as Excel shows them
    (1E+308, not a 309-digit number)."""
    if not math.isfinite(value):
        return "无穷大" if value == math.inf else ("负无穷大" if value == -math.inf else "非数字（NaN）")
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15G}".replace("E+0", "E+").replace("E-0", "E-")


def out_of_range(value: Any) -> OutOfRange | None:
    """The stand-in for ``value`` when Excel cannot hold it, else None."""
    if type(value) is float:
        if math.isfinite(value) and -EXCEL_MAX <= value <= EXCEL_MAX:
            return None
        return OutOfRange(number_text(value), NUMBER_RANGE)
    if isinstance(value, str) and len(value) > MAX_TEXT and not isinstance(value, OutOfRange):
        return too_long(value)
    return None


def too_long(value: str) -> OutOfRange:
    return OutOfRange(value[:SHOWN] + "……", f"文字长达 {len(value)} 字，超过 Excel 单元格上限 {MAX_TEXT} 字",
                      len(value))


def safe_rows(rows: list[list[Any]], flagged: Mapping[tuple[int, int], tuple[str, str]] | None = None,
              ) -> list[list[Any]]:
    """``rows`` with every value Excel cannot hold replaced by its :class:`OutOfRange` (in place), and each cell
    of ``flagged`` (0-based (row, column) -> (what was there, why)) too."""
    for line in rows:
        try:
            if len("".join(line)) <= MAX_TEXT:  # a row of text only, none too long: the common case, at C speed
                continue
        except TypeError:  # numbers or dates in the row: look at each value
            pass
        for j, value in enumerate(line):
            t = type(value)
            if (t is float and not -EXCEL_MAX <= value <= EXCEL_MAX) or (t is str and len(value) > MAX_TEXT):
                line[j] = out_of_range(value)  # NaN fails both comparisons, infinities the bound
    for (i, j), (text, reason) in (flagged or {}).items():
        if i < len(rows) and j < len(rows[i]):
            shown = text if len(text) <= SHOWN else text[:SHOWN] + "……"
            rows[i][j] = OutOfRange(shown, reason)
    return rows


def amount_problem(value: float) -> str | None:
    """Why ``value`` (a number from a money cell) is no amount, or None."""
    if not math.isfinite(value) or abs(value) > EXCEL_MAX:
        return NUMBER_RANGE
    if abs(value) >= MAX_AMOUNT:
        return AMOUNT_RANGE
    return None
