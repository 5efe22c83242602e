"""value-out-of-range: a text, choice or indicator cell holding a value Excel cannot hold.

The reader hands such a value on as an :class:`xltools.bounds.OutOfRange` (text over 32,767 characters, a number
beyond ±9.99E+307, infinity, NaN): a short text showing it, with the reason. Money and date cells report it as
``amount-invalid`` and ``date-invalid`` (their typed value is None); every other cell holding one gets this finding,
so the cell is named and fixed, and only the short text reaches a consolidation.
"""

from __future__ import annotations

from collections.abc import Iterator

from xltools.bounds import OutOfRange
from xltools.findings import Finding
from xltools.model import CellValue, Declaration
from xltools.rules._common import advice, finding


def _cells(decl: Declaration) -> Iterator[CellValue]:
    yield from decl.fields.values()
    for sub in decl.subprojects:
        yield from (sub.name, sub.amount)
    for row in decl.indicators:
        yield from (row.level1, row.level2, row.level3, row.target)


def check(decl: Declaration) -> list[Finding]:
    out = []
    for cv in _cells(decl):
        if isinstance(cv.raw, OutOfRange) and cv.value is not None:
            out.append(finding(decl, "value-out-of-range", cv.cell,
                               f"单元格中的值 Excel 无法保存（{cv.raw.reason}）：“{cv.raw}”。"
                               f"{advice('value-out-of-range')}"))
    return out
