"""The 分解目标 table: level1-missing, level2-invalid, indicator-incomplete, indicator-duplicate.

The framework (一级 -> allowed 二级) is data: the one the reader resolved for the form (``decl.framework_def``:
shipped, or a bureau's file given with ``--framework``), else the shipped framework ``decl.framework`` names.
A 一级/二级 is read through :meth:`~xltools.data.Framework.canonical_level1` / ``canonical_level2``: its name or an
alias of the framework file, compared without whitespace and full-width/half-width differences (a label typed as
"产出 目标" still names 产出目标; ``服务对象满意度`` names ``服务对象满意度指标`` where the file says so).

Decisions:

* ``level1-missing``: one finding per *required* 一级 of the framework (every 一级 unless its file says
  ``required = false``) with no row, all at the first 一级指标 cell of the
  table. That cell is always visible (later rows may be hidden in the template) and it is where the 一级 column
  starts; the message names the missing 一级 and tells to add rows for it. Skipped when the table is empty
  (``required-missing`` covers that) or the framework is unknown.
* ``level2-invalid``, at the cell a person must change:
  - a typed 二级 not allowed under its 一级: at the 二级 cell; the message lists the allowed 二级;
  - an unknown 一级 (not in the framework): at that 一级 cell, with code ``level2-invalid``. The codes are fixed and
    this is the closest: under an unknown 一级 no 二级 is allowed, so the row's 一级/二级 pair is invalid, and the
    cell to fix is the 一级. ``level1-missing`` would be wrong (that is about a framework 一级 with no rows) and so
    would ``indicator-incomplete`` (nothing is blank). Its 二级 is then not judged separately (one finding per
    mistake);
  - values carried down from the row above (blank cells under a merged-looking group, see the reader) are not
    flagged again on every row: the mistake is reported once, where it was typed. The one exception is a 二级
    carried across a change of 一级 (a reader that did that would make the blank 二级 cell the one to fill).
  Skipped when the framework is unknown (an unknown ``decl.framework`` id is the reader's to report).
* ``indicator-incomplete`` (error) at each blank cell of a non-empty row that a person must fill: 三级指标,
  指标目标值, and also a 一级/二级 that is blank and could not be carried down (the table's first row, or a 二级
  under a newly typed 一级). A row with two gaps gets two findings, one per cell.
* ``indicator-duplicate`` (warning) at the 三级指标 cell of every repeat after the first, naming the first cell.
  Names are compared after NFKC (full-width to half-width), without whitespace, case-insensitively. The same 三级
  under different 二级 is still a repeat: the form's 三级 names are meant to be distinct measures.
"""

from __future__ import annotations

import unicodedata

from xltools import data
from xltools.data import Framework
from xltools.findings import Finding
from xltools.model import CellValue, Declaration, Indicator
from xltools.rules._common import advice, column_label, compact, finding, form, table_title


def check(decl: Declaration) -> list[Finding]:
    fw = decl.framework_def or load_framework(decl.framework)
    out: list[Finding] = []
    if fw is not None:
        out.extend(level1_missing(decl, fw))
    out.extend(rows(decl, fw))
    out.extend(duplicates(decl))
    return out


def load_framework(framework_id: object) -> Framework | None:
    """The shipped framework named by the form, or None when there is none by that id."""
    if not isinstance(framework_id, str) or framework_id not in data.framework_ids():
        return None
    return data.framework(framework_id)


def level1_missing(decl: Declaration, fw: Framework) -> list[Finding]:
    if not decl.indicators:
        return []
    present = {fw.canonical_level1(row.level1.text) for row in decl.indicators}
    table = form(decl).tables["indicators"]
    cell = table.cell("level1", 0)
    return [
        finding(decl, "level1-missing", cell,
                f"“{table.title}”中没有一级指标“{name}”的指标。{advice('level1-missing')}请为“{name}”补充至少一行"
                f"指标（可选二级指标：{'、'.join(fw.levels[name])}），并填写三级指标和指标目标值。")
        for name in fw.required
        if name not in present
    ]


def rows(decl: Declaration, fw: Framework | None) -> list[Finding]:
    out: list[Finding] = []
    previous: Indicator | None = None
    for row in decl.indicators:
        l1, l2 = compact(row.level1.text), compact(row.level2.text)
        if not l1:
            out.append(_incomplete(decl, row, row.level1, "level1"))
        if not l2:
            out.append(_incomplete(decl, row, row.level2, "level2"))
        level1 = fw.canonical_level1(l1) if fw is not None and l1 else None
        if not l1 or fw is None:
            pass
        elif level1 is None:
            if not row.level1_inherited:
                out.append(finding(decl, "level2-invalid", row.level1.cell,
                                   f"一级指标“{row.level1.text}”不在指标体系（{fw.name}）中。"
                                   f"{advice('level2-invalid')}可选一级指标：{'、'.join(fw.level1)}。"))
        elif l2 and fw.canonical_level2(level1, l2) is None:
            crossed = previous is not None and fw.canonical_level1(previous.level1.text) != level1
            if not row.level2_inherited or crossed:
                out.append(_bad_level2(decl, row, fw.levels[level1]))
        if row.level3.blank:
            out.append(_incomplete(decl, row, row.level3, "level3"))
        if row.target.blank:
            out.append(_incomplete(decl, row, row.target, "target"))
        previous = row
    return out


def _bad_level2(decl: Declaration, row: Indicator, allowed: tuple[str, ...]) -> Finding:
    carried = "（此格留空，沿用了上一行的二级指标）" if row.level2_inherited else ""
    return finding(decl, "level2-invalid", row.level2.cell,
                   f"二级指标“{row.level2.text}”{carried}不属于一级指标“{row.level1.text}”。"
                   f"{advice('level2-invalid')}可选二级指标：{'、'.join(allowed)}。")


def _incomplete(decl: Declaration, row: Indicator, cv: CellValue, column: str) -> Finding:
    name = column_label("indicators", column)
    level3 = f"（三级指标“{row.level3.text}”）" if row.level3.text and column != "level3" else ""
    return finding(decl, "indicator-incomplete", cv.cell,
                   f"“{table_title('indicators')}”第 {_ordinal(decl, row)} 行{level3}未填写{name}。"
                   f"{advice('indicator-incomplete')}")


def _ordinal(decl: Declaration, row: Indicator) -> int:
    """1-based position of the row in the table, as a person counts it."""
    return row.row - form(decl).tables["indicators"].first_row + 1


def duplicates(decl: Declaration) -> list[Finding]:
    out: list[Finding] = []
    first: dict[str, Indicator] = {}
    for row in decl.indicators:
        key = _name_key(row.level3.text)
        if not key:
            continue
        if key in first:
            out.append(finding(decl, "indicator-duplicate", row.level3.cell,
                               f"三级指标“{row.level3.text}”重复，与 {first[key].level3.cell} 相同。"
                               f"{advice('indicator-duplicate')}"))
        else:
            first[key] = row
    return out


def _name_key(text: str) -> str:
    return compact(unicodedata.normalize("NFKC", text)).casefold()
