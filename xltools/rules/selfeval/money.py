"""The self-evaluation's single fields and its money block: required-missing, amount-invalid, subtotal-mismatch,
execution-over-budget.

Decisions:

* Required: 主管部门, 全年预算数 and 全年执行数 of 年度资金总额, 实际完成情况. The prefilled cells (项目名称, 实施单位,
  年初预算数, 预期目标) are the bureau's, locked: ``target-changed`` speaks for them. The 其中 rows are optional.
* ``amount-invalid`` for every money cell the unit fills that is not a non-negative amount (as the declaration).
* ``subtotal-mismatch`` at the 年度资金总额 cell of a column whose 其中 rows are filled in part or whole and add up to
  another figure (blank 其中 cells count 0); silent while an amount of that column is invalid.
* ``execution-over-budget`` (error) at the 全年执行数 of any row whose 全年执行数 exceeds its 全年预算数: money cannot be
  spent beyond the budget of the year. The 执行率 score is capped at its 分值 anyway.
"""

from __future__ import annotations

import math

from xltools import spec
from xltools.evaluation import SelfEvaluation
from xltools.findings import Finding
from xltools.rules._common import TOLERANCE, shown, yuan
from xltools.rules.selfeval.scores import number
from xltools.spec.selfeval import SOURCES

COLUMNS = (("initial", "年初预算数"), ("budget", "全年预算数"), ("executed", "全年执行数"))
ROWS = (("", "年度资金总额"), *((f"_{key}", label) for key, label in SOURCES))


def finding(se: SelfEvaluation, code: str, cell: str, message: str) -> Finding:
    return Finding.of(code, message, file=se.file, sheet=se.sheet, cell=cell)


def check(se: SelfEvaluation) -> list[Finding]:
    return [*required(se), *amounts(se), *subtotals(se), *over_budget(se)]


def required(se: SelfEvaluation) -> list[Finding]:
    out = []
    for key, f in se.form.fields.items():
        if f.required and se.fields[key].blank:
            hint = "请填写金额（元），只填数字。" if f.kind == spec.MONEY else f"请填写{f.label}。"
            where = "年度资金总额的" if key in ("budget", "executed") else ""
            out.append(finding(se, "required-missing", f.cell, f"“{where}{f.label}”未填写。{hint}"))
    return out


def amounts(se: SelfEvaluation) -> list[Finding]:
    out = []
    for key, f in se.form.fields.items():
        cv = se.fields[key]
        if f.kind == spec.MONEY and not cv.blank and number(cv) is None:
            reason = f"（{cv.problem}）" if cv.problem else ""
            out.append(finding(se, "amount-invalid", cv.cell,
                               f"“{f.label}”填写为“{shown(cv)}”，不是有效金额{reason}。"
                               "请只填写以元为单位的非负数字，不带文字和单位，如 1200000。"))
    return out


def subtotals(se: SelfEvaluation) -> list[Finding]:
    out = []
    for column, label in COLUMNS:
        parts = [se.fields[f"{column}_{key}"] for key, _name in SOURCES]
        total_cv = se.fields[column]
        total = number(total_cv)
        if total is None or all(p.blank for p in parts) or any(not p.blank and number(p) is None for p in parts):
            continue
        added = math.fsum(number(p) or 0.0 for p in parts)
        if abs(added - total) > TOLERANCE:
            names = "、".join(name for _key, name in SOURCES)
            out.append(finding(se, "subtotal-mismatch", total_cv.cell,
                               f"“其中”各项（{names}）的{label}合计为 {yuan(added)}，与年度资金总额的{label} "
                               f"{yuan(total)} 不一致。请核对各项金额，两者应相等；某项没有资金时填 0 或留空。"))
    return out


def over_budget(se: SelfEvaluation) -> list[Finding]:
    out = []
    for suffix, label in ROWS:
        budget, executed_cv = number(se.fields[f"budget{suffix}"]), se.fields[f"executed{suffix}"]
        executed = number(executed_cv)
        if budget is not None and executed is not None and executed > budget + TOLERANCE:
            out.append(finding(se, "execution-over-budget", executed_cv.cell,
                               f"{label}的全年执行数 {yuan(executed)} 超过全年预算数 {yuan(budget)}。"
                               "执行数不能超过当年的预算数：请核对两项金额（预算调整后以调整后的全年预算数为准）。"))
    return out
