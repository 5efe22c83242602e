"""The declaration's live rules across fields: the prior-year pair, the project period and the budget amounts
(mirroring :mod:`xltools.rules.fields`, :mod:`xltools.rules.dates` and :mod:`xltools.rules.budget`), and the
sub-project table against 项目当年预算."""

from __future__ import annotations

from xltools import spec
from xltools.cells import column_letter
from xltools.live.fields import FieldCells
from xltools.live.formulas import bad_amount, date_ok, num_ok, tidy
from xltools.live.layout import STATE_COL, Layout


def check_budget(cells: FieldCells) -> None:
    lay, f = cells.lay, cells.fields
    on, blank = cells.on, cells.blank
    # 同名项目上年预算额 and 执行数 come as a pair (xltools.rules.fields._prior_pair).
    pb, pe = "prior_budget", "prior_executed"
    on("required-missing", pb, f"AND({blank(pb)},NOT({blank(pe)}))")
    on("required-missing", pe, f"AND({blank(pe)},NOT({blank(pb)}))")

    start, end = cells.ref("start"), cells.ref("end")
    both = f"{date_ok(start)},{date_ok(end)}"
    on("date-order", "end", f"AND({both},{start}>{end})")
    year = lay.on_meta(f"${STATE_COL}$4")
    on("date-outside-year", "start",
       f"AND({both},{start}<={end},ISNUMBER({year}),OR({end}<DATE({year},1,1),{start}>DATE({year},12,31)))")

    tol = spec.MONEY_TOLERANCE
    total, annual = cells.ref("total_budget"), cells.ref("annual_budget")
    on("annual-exceeds-total", "annual_budget", f"AND({num_ok(total)},{num_ok(annual)},{annual}>{total}+{tol})")
    budget, executed = lay.ref(f[pb].cell), lay.ref(f[pe].cell)
    pair = f"{num_ok(budget)},{num_ok(executed)}"
    on("prior-exceeds-budget", pe, f"AND({pair},{executed}>{budget}+{tol})")
    on("prior-execution-low", pe,
       f"AND({pair},{executed}<={budget}+{tol},{budget}>0,{executed}<{spec.PRIOR_EXECUTION_LOW}*{budget}-{tol})")


def check_subprojects(lay: Layout, form: spec.FormSpec) -> None:
    t = form.tables["subprojects"]
    name_col, amount_col = t.column("name").letter, t.column("amount").letter
    rows = t.rows
    for i, r in enumerate(rows):
        name, amount = lay.ref(f"{name_col}{r}"), lay.ref(f"{amount_col}{r}")
        n, a = lay.at("s_name", r), lay.at("s_amount", r)
        lay.put("s_name", r, tidy(name))
        lay.put("s_amount", r, tidy(amount))
        lay.put("s_filled", r, f'IF(OR({n}<>"",{a}<>""),1,0)')
        lay.put("s_ok", r, f'IF(AND({lay.at("s_filled", r)}=1,{num_ok(amount)}),1,0)')
        # An empty table is one finding at its first 子项目名称 (it never coincides with a row's own finding).
        empty = (f'SUM({lay.span("s_filled", rows.start, rows.stop - 1)})=0',) if i == 0 else ()
        lay.flag("required-missing", name_col, r, f'AND({n}="",{a}<>"")', *empty)
        lay.flag("required-missing", amount_col, r, f'AND({a}="",{n}<>"")')
        lay.flag("amount-invalid", amount_col, r, f'AND({a}<>"",{bad_amount(amount, a)})')
    first, last = rows.start, rows.stop - 1
    f = form.fields
    annual = lay.ref(f["annual_budget"].cell)
    filled, ok = f"SUM({lay.span('s_filled', first, last)})", f"SUM({lay.span('s_ok', first, last)})"
    amounts = f"'{form.sheet}'!${amount_col}${first}:${amount_col}${last}"
    letter, row = column_letter(f["annual_budget"].first_col), f["annual_budget"].row
    lay.flag("subtotal-mismatch", letter, row,
             f"AND({num_ok(annual)},{filled}>0,{ok}={filled},ABS(SUM({amounts})-{annual})>{spec.MONEY_TOLERANCE})")
