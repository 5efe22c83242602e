"""Single cells: required-missing, amount-invalid, date-invalid, project-type-invalid.

Decisions:

* Which fields are required, and which are money, dates or choices, comes from the spec (``required``, ``kind``,
  ``choices``): no field key is listed here.
* ``required-missing`` for the tables: an empty 项目当年投入资金构成 is one finding at the first 子项目名称 cell, an
  empty 分解目标 one finding at the first 一级指标 cell. A sub-project row with a name but no amount (or an amount but
  no name) is ``required-missing`` at the blank cell. Gaps in 分解目标 rows belong to ``indicator-incomplete``
  (see :mod:`xltools.rules.indicators`).
* 同名项目上年预算额 and 上年预算执行数 are optional (a new project has neither), but they come as a pair: when one is
  filled and the other blank, the blank one is ``required-missing``. Without both, the execution rate cannot be
  judged, and a reviewer asks for the missing one.
* ``amount-invalid``: a non-blank money cell whose value the reader could not type (``problem``), or that is not a
  non-negative number. The message quotes what was typed and the reader's reason.
* ``date-invalid``: likewise for date cells.
* ``project-type-invalid``: a non-blank choice cell whose text is not exactly one item of its list (typed text,
  two items, a near miss, an inner space). Blank is ``required-missing`` instead. Strict on purpose: consolidation
  groups by these values, so "结转 项目" must not pass as "结转项目".
"""

from __future__ import annotations

from xltools import data, spec
from xltools.findings import Finding
from xltools.model import CellValue, Declaration
from xltools.rules._common import (
    advice,
    column_label,
    field_value,
    finding,
    form,
    label,
    number,
    shown,
    table_title,
)

_HINT = {
    spec.CHOICE: "请从下拉列表中选择一项。",
    spec.DATE: advice("date-invalid"),
    spec.MONEY: "请填写金额（元），只填数字，如 1000000。",
}
PRIOR_PAIR = ("prior_budget", "prior_executed")


def check(decl: Declaration) -> list[Finding]:
    return [*required(decl), *amounts(decl), *dates(decl), *choices(decl)]


def required(decl: Declaration) -> list[Finding]:
    out: list[Finding] = []
    for key, f in form(decl).fields.items():
        cv = field_value(decl, key)
        if f.required and cv.blank:
            hint = _HINT.get(f.kind, f"请填写{f.label}。")
            out.append(finding(decl, "required-missing", cv.cell, f"“{f.label}”未填写。{hint}"))
    out.extend(_prior_pair(decl))
    out.extend(_tables(decl))
    return out


def _prior_pair(decl: Declaration) -> list[Finding]:
    a, b = (field_value(decl, key) for key in PRIOR_PAIR)
    if a.blank == b.blank:
        return []
    filled, empty = (PRIOR_PAIR[0], PRIOR_PAIR[1]) if b.blank else (PRIOR_PAIR[1], PRIOR_PAIR[0])
    cell = field_value(decl, empty).cell
    return [finding(decl, "required-missing", cell,
                    f"已填写“{label(filled)}”，但“{label(empty)}”未填写。同名项目请两项都填写；"
                    "新项目两项都留空。")]


def _tables(decl: Declaration) -> list[Finding]:
    out: list[Finding] = []
    tables = form(decl).tables
    sub, ind = tables["subprojects"], tables["indicators"]
    if not decl.subprojects:
        out.append(finding(decl, "required-missing", sub.cell("name", 0),
                           f"“{sub.title}”未填写。请至少填写一行{column_label('subprojects', 'name')}和"
                           f"{column_label('subprojects', 'amount')}。"))
    for row in decl.subprojects:
        if row.name.blank and not row.amount.blank:
            out.append(finding(decl, "required-missing", row.name.cell,
                               f"“{sub.title}”中金额 {shown(row.amount)} 所在行未填写"
                               f"{column_label('subprojects', 'name')}。请填写子项目名称，或删除这一行的金额。"))
        elif row.amount.blank and not row.name.blank:
            out.append(finding(decl, "required-missing", row.amount.cell,
                               f"子项目“{row.name.text or shown(row.name)}”未填写"
                               f"{column_label('subprojects', 'amount')}。请填写金额（元），只填数字。"))
    if not decl.indicators:
        out.append(finding(decl, "required-missing", ind.cell("level1", 0),
                           f"“{ind.title}”未填写。请按一级、二级、三级指标逐行填写指标及指标目标值。"))
    return out


def amounts(decl: Declaration) -> list[Finding]:
    out: list[Finding] = []
    for key, f in form(decl).fields.items():
        if f.kind == spec.MONEY:
            cv = field_value(decl, key)
            if _bad_amount(cv):
                out.append(_amount_finding(decl, cv, f.label))
    name = column_label("subprojects", "amount")
    title = table_title("subprojects")
    for row in decl.subprojects:
        if _bad_amount(row.amount):
            what = f"子项目“{row.name.text}”的{name}" if row.name.text else f"{title}中的{name}"
            out.append(_amount_finding(decl, row.amount, what))
    return out


def _bad_amount(cv: CellValue) -> bool:
    return not cv.blank and number(cv) is None


def _amount_finding(decl: Declaration, cv: CellValue, what: str) -> Finding:
    reason = f"（{cv.problem}）" if cv.problem else ""
    return finding(decl, "amount-invalid", cv.cell,
                   f"{what}填写为“{shown(cv)}”，不是有效金额{reason}。{advice('amount-invalid')}")


def dates(decl: Declaration) -> list[Finding]:
    out: list[Finding] = []
    for key, f in form(decl).fields.items():
        if f.kind != spec.DATE:
            continue
        cv = field_value(decl, key)
        if not cv.blank and (cv.problem or cv.date is None):
            reason = f"（{cv.problem}）" if cv.problem else ""
            out.append(finding(decl, "date-invalid", cv.cell,
                               f"“{f.label}”填写为“{shown(cv)}”，不是有效日期{reason}。{advice('date-invalid')}"))
    return out


def choices(decl: Declaration) -> list[Finding]:
    out: list[Finding] = []
    lists = data.choices()
    for key, f in form(decl).fields.items():
        if f.kind != spec.CHOICE or not f.choices:
            continue
        cv = field_value(decl, key)
        allowed = lists.get(f.choices, ())
        if cv.blank or cv.text.strip() in allowed:
            continue
        out.append(finding(decl, "project-type-invalid", cv.cell,
                           f"“{f.label}”填写为“{shown(cv)}”，不是一个有效选项。{advice('project-type-invalid')}"
                           f"可选：{'、'.join(allowed)}。"))
    return out
