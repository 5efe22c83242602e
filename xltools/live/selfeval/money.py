"""The self-evaluation's live rules and scores on its money block (mirroring :mod:`xltools.rules.selfeval.money`
and :func:`xltools.scoring.execution`): 执行率 and its score, the 其中 rows' rates, subtotals, execution beyond
the budget, and 年初预算数 against the approved budget."""

from __future__ import annotations

from xltools import spec
from xltools.evaluation import Approved
from xltools.live.fields import FieldCells
from xltools.live.formulas import num_ok
from xltools.spec.selfeval import SOURCES

TOL = spec.MONEY_TOLERANCE
COLUMNS = ("initial", "budget", "executed")
ROWS = ("", *(f"_{key}" for key, _label in SOURCES))


def rate(cells: FieldCells, suffix: str) -> str:
    """执行率 of a row: 全年执行数 ÷ 全年预算数, "" without two amounts and a budget above 0."""
    budget, executed = cells.ref(f"budget{suffix}"), cells.ref(f"executed{suffix}")
    return f'IF(AND({num_ok(budget)},{num_ok(executed)},{budget}>0),{executed}/{budget},"")'


def check_money(cells: FieldCells, approved: Approved, weight: float) -> dict[str, str]:
    """Flags of the money block; returns the form cells it shows (rates, the 执行率 score) and the helper cells the
    totals read (``x_exec`` at the 年度资金总额 row)."""
    lay, form = cells.lay, cells.lay.form
    for column in COLUMNS:
        total = cells.ref(column)
        parts = [f"{column}_{key}" for key, _label in SOURCES]
        filled = ",".join(f"NOT({cells.blank(p)})" for p in parts)
        usable = ",".join(f"OR({cells.blank(p)},{num_ok(cells.ref(p))})" for p in parts)
        added = f"SUM({','.join(cells.ref(p) for p in parts)})"
        cells.on("subtotal-mismatch", column,
                 f"AND({num_ok(total)},OR({filled}),{usable},ABS({added}-{total})>{TOL})")
    for suffix in ROWS:
        budget, executed = cells.ref(f"budget{suffix}"), cells.ref(f"executed{suffix}")
        cells.on("execution-over-budget", f"executed{suffix}",
                 f"AND({num_ok(budget)},{num_ok(executed)},{executed}>{budget}+{TOL})")
    initial = cells.ref("initial")
    same = (cells.blank("initial") if approved.budget is None
            else f"AND({num_ok(initial)},ABS({initial}-{approved.budget!r})<={TOL})")
    cells.on("target-changed", "initial", f"NOT({same})")

    row = form.fields["budget"].row
    lay.put("x_rate", row, rate(cells, ""))
    x_rate = lay.at("x_rate", row)
    lay.put("x_exec", row, f"IF(ISNUMBER({x_rate}),MAX(0,ROUND(MIN({weight!r},{weight!r}*{x_rate}),2)),0)")
    shown = {
        form.checks["execution_rate"].cell: f"={lay.full(x_rate)}",
        form.checks["execution_score"].cell: f'=IF(ISNUMBER({lay.full(x_rate)}),{lay.full(lay.at("x_exec", row))},"")',
    }
    for key, _label in SOURCES:
        shown[form.checks[f"rate_{key}"].cell] = "=" + rate(cells, f"_{key}")
    return shown
