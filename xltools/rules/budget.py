"""Money arithmetic: annual-exceeds-total, subtotal-mismatch, prior-exceeds-budget, prior-execution-low.

Decisions:

* Amounts are compared in yuan with a tolerance of half a fen (0.005): rounding is not a mistake.
* A rule that needs a number stays silent when that number is blank or invalid (``required-missing`` or
  ``amount-invalid`` already point at the cell); recomputing from a partial table would only add noise.
* ``annual-exceeds-total`` at 项目当年预算 (the figure the year's request hangs on; the template's own check flags the
  same cell).
* ``subtotal-mismatch`` at 项目当年预算, like the template's live check: the table is the breakdown, the 当年预算 is
  the figure to reconcile with it, and one finding is clearer than one per row. The message gives the table's sum,
  the 当年预算 and the difference. Silent when the table is empty or any of its rows lacks a valid amount.
* ``prior-exceeds-budget`` and ``prior-execution-low`` at 同名项目上年预算执行数, the figure reported after the fact.
  The rate is 执行数 ÷ 预算额, judged only when 预算额 > 0; below 90% is a warning (a reviewer asks why, the
  form is not wrong). The message shows the rate rounded down to 0.01%, so 89.999% never reads "90.00%". An execution above the budget is an error, and then the rate is not reported as well.
"""

from __future__ import annotations

import math

from xltools import spec
from xltools.findings import Finding
from xltools.model import Declaration
from xltools.rules._common import TOLERANCE, advice, field_value, finding, label, number, table_title, yuan

LOW_EXECUTION = spec.PRIOR_EXECUTION_LOW


def check(decl: Declaration) -> list[Finding]:
    return [*annual_vs_total(decl), *subtotal(decl), *prior(decl)]


def annual_vs_total(decl: Declaration) -> list[Finding]:
    total_cv, annual_cv = field_value(decl, "total_budget"), field_value(decl, "annual_budget")
    total, annual = number(total_cv), number(annual_cv)
    if total is None or annual is None or annual <= total + TOLERANCE:
        return []
    return [finding(decl, "annual-exceeds-total", annual_cv.cell,
                    f"“{label('annual_budget')}”为 {yuan(annual)}，超过“{label('total_budget')}” {yuan(total)}。"
                    f"{advice('annual-exceeds-total')}")]


def subtotal(decl: Declaration) -> list[Finding]:
    annual_cv = field_value(decl, "annual_budget")
    annual = number(annual_cv)
    if annual is None or not decl.subprojects:
        return []
    amounts = [number(row.amount) for row in decl.subprojects]
    if any(a is None for a in amounts):
        return []
    total = math.fsum(a for a in amounts if a is not None)
    diff = total - annual
    if abs(diff) <= TOLERANCE:
        return []
    table = table_title("subprojects")
    relation = "多" if diff > 0 else "少"
    return [finding(decl, "subtotal-mismatch", annual_cv.cell,
                    f"“{table}”各子项目预算金额合计为 {yuan(total)}，与“{label('annual_budget')}” {yuan(annual)} "
                    f"不一致（合计{relation} {yuan(abs(diff))}）。{advice('subtotal-mismatch')}")]


def prior(decl: Declaration) -> list[Finding]:
    budget_cv, executed_cv = field_value(decl, "prior_budget"), field_value(decl, "prior_executed")
    budget, executed = number(budget_cv), number(executed_cv)
    if budget is None or executed is None:
        return []
    if executed > budget + TOLERANCE:
        return [finding(decl, "prior-exceeds-budget", executed_cv.cell,
                        f"“{label('prior_executed')}”为 {yuan(executed)}，超过“{label('prior_budget')}” "
                        f"{yuan(budget)}。{advice('prior-exceeds-budget')}")]
    if budget > 0 and executed < LOW_EXECUTION * budget - TOLERANCE:
        # Rounded down, so a rate just under 90% never shows as "90.00%".
        rate = math.floor(executed / budget * 10000 + 1e-6) / 100
        return [finding(decl, "prior-execution-low", executed_cv.cell,
                        f"同名项目上年预算执行率为 {rate:.2f}%（{yuan(executed)} ÷ {yuan(budget)}），低于 "
                        f"{LOW_EXECUTION:.0%}。{advice('prior-execution-low')}")]
    return []
