"""Typing one non-blank cell by its kind: text, money (yuan, non-negative) or a date. Each kind is a function of
the cells, the address and the raw value; what it normalises is noted on the cells. A new kind is a new function
in ``TYPERS``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from xltools import spec
from xltools.bounds import OutOfRange, amount_problem, number_text
from xltools.model import CellValue
from xltools.reader.cells import FormCells
from xltools.reader.grids import tidy
from xltools.text import yuan

_FULLWIDTH = str.maketrans("０１２３４５６７８９，．－　", "0123456789,.- ")
_MONEY_RE = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?")
_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"),
    re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1990, 2100


def text(cells: FormCells, cell: str, raw: Any) -> CellValue:
    if type(raw) is str:  # the common case first
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = number_text(raw)
    elif isinstance(raw, dt.datetime):
        value = raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    elif isinstance(raw, dt.date):
        value = raw.isoformat()
    else:
        value = str(raw)
    if cell in cells.formulas:
        cells.note(cell, raw, value, "单元格中填写了公式，按文字读取，不计算")
        return CellValue(cell, raw, value)
    stripped = tidy(value)
    if stripped != value and stripped != value.strip():
        cells.note(cell, value, stripped, "去除多余空格")
    return CellValue(cell, raw, stripped)


def money(cells: FormCells, cell: str, raw: Any) -> CellValue:
    if cell in cells.formulas:
        return CellValue(cell, raw, None, "金额单元格中是公式，请直接填写数值")
    if isinstance(raw, bool):
        return CellValue(cell, raw, None, "不是数值")
    if isinstance(raw, int | float):
        if raw < 0:
            return CellValue(cell, raw, None, "金额为负数")
        problem = amount_problem(raw)  # beyond Excel, or no plausible amount (xltools.bounds)
        return CellValue(cell, raw, None if problem else float(raw), problem)
    if isinstance(raw, dt.date | dt.datetime | dt.time | dt.timedelta):
        return CellValue(cell, raw, None, "不是金额而是日期/时间")
    shown = str(raw)
    cleaned = shown.translate(_FULLWIDTH).strip().replace(" ", "")
    if _MONEY_RE.fullmatch(cleaned):
        value = float(cleaned.replace(",", ""))
        problem = amount_problem(value)
        if problem:
            return CellValue(cell, raw, None, problem)
        reasons = []
        if cleaned != shown.strip():
            reasons.append("全角数字或空格转为半角")
        if "," in cleaned:
            reasons.append("去除以文字输入的千位分隔符")
        reasons.append("以文字输入的数字转为数值")
        cells.note(cell, shown, yuan(value), "，".join(reasons))
        return CellValue(cell, raw, value)
    return CellValue(cell, raw, None, "不是有效的金额数字")


def date(cells: FormCells, cell: str, raw: Any) -> CellValue:
    if cell in cells.formulas:
        return CellValue(cell, raw, None, "日期单元格中是公式，请直接填写日期")
    if isinstance(raw, dt.date):
        day = raw.date() if isinstance(raw, dt.datetime) else raw
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            # A small number in a date-formatted cell shows as a day in 1900.
            return CellValue(cell, raw, None, f"日期超出合理范围（{day.year}年）")
        return CellValue(cell, raw, day)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        # A date typed into a cell whose format was lost reads as an Excel serial number.
        if 20000 <= raw <= 80000 and float(raw).is_integer():
            value = _EXCEL_EPOCH + dt.timedelta(days=int(raw))
            cells.note(cell, raw, value.isoformat(), "Excel 日期序号转为日期")
            return CellValue(cell, raw, value)
        return CellValue(cell, raw, None, "不是日期")
    shown = str(raw).translate(_FULLWIDTH).strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(shown)
        if not m:
            continue
        groups = m.groupdict()
        year = int(groups["y"]) if groups.get("y") else cells.year
        if year is None:
            break
        try:
            value = dt.date(year, int(groups["m"]), int(groups["d"]))
        except ValueError:
            break
        reason = "文字日期转为日期" if groups.get("y") else f"未写年份的日期按预算年度 {year} 年读取"
        cells.note(cell, raw, value.isoformat(), reason)
        return CellValue(cell, raw, value)
    return CellValue(cell, raw, None, "不是有效日期")


Typer = Callable[[FormCells, str, Any], CellValue]
# Kinds not listed (text, long text, choices) are read as text.
TYPERS: dict[str, Typer] = {spec.MONEY: money, spec.DATE: date}


def typed(cells: FormCells, cell: str, kind: str, raw: Any = None) -> CellValue:
    """The value of ``cell`` typed as a ``kind`` cell; ``raw`` is its grid value when the caller has it already
    (tables). A blank stays blank (value None, no problem)."""
    if raw is None or cell in cells.formulas:
        raw = cells.raw(cell)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return CellValue(cell, "" if raw is None else raw, None)
    if isinstance(raw, OutOfRange):  # a value Excel cannot hold (xltools.bounds): invalid, shown short
        return CellValue(cell, raw, None if kind in (spec.MONEY, spec.DATE) else str(raw), raw.reason)
    return TYPERS.get(kind, text)(cells, cell, raw)
