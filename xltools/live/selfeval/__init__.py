"""The self-evaluation's live checks and scores: every rule and score a formula can decide, inside the form (no
Python needed), on the generic machinery of :mod:`xltools.live` (layout on ``_checks``, per-cell grids, per-rule
counts on ``_xltools``, the status line). Formulas follow :mod:`xltools.scoring` and
:mod:`xltools.rules.selfeval` step for step (same operations in the same order, so they round alike), with the
Excel 2010 function set and nothing volatile.

* :mod:`~xltools.live.selfeval.money`: 执行率 and its score, subtotals, execution beyond the budget;
* :mod:`~xltools.live.selfeval.indicators`: each row's actual read, its score, band, reason and approved texts;
* :mod:`~xltools.live.selfeval.coverage`: which rules are live and how much of each;
* here: the totals (分值 total, 总分, 等级) and the assembly (:func:`build`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xltools import spec
from xltools.data.selfeval_rules import Scoring
from xltools.evaluation import Approved
from xltools.live.counts import counts, grids, started
from xltools.live.explain import explained
from xltools.live.fields import check_fields
from xltools.live.formulas import quoted
from xltools.live.layout import GRIDS, Layout, Lists, form_columns
from xltools.live.selfeval.coverage import ADVICE, COVERAGE, LIVE_CODES, REQUIRED_CODES
from xltools.live.selfeval.indicators import EPS, TOL, check_indicators, number
from xltools.live.selfeval.money import check_money


@dataclass(frozen=True)
class SelfEvalChecks:
    """The live cells (``layout``) and what the form itself shows of them (``shown``: form cell -> formula or
    number: rates, scores, totals, the 等级)."""

    layout: Layout
    shown: dict[str, str | float]


def build(form: spec.FormSpec, scoring: Scoring, approved: Approved, meta_rows: Sequence[tuple[str, str]],
          ) -> SelfEvalChecks:
    """Every live cell of a self-evaluation made for ``approved`` with ``scoring``; ``meta_rows``: the meta sheet's
    rows (:func:`xltools.evaluation.meta_rows`), where the approved texts are read from."""
    lay = Layout(form)
    for grid in GRIDS:  # first, at the left of _checks, where a person inspecting the sheet looks first
        for letter in form_columns(form):
            lay.col(f"{grid}@{letter}")
    cells = check_fields(lay, form, Lists(choices={}))
    shown: dict[str, str | float] = dict(check_money(cells, approved, scoring.execution_weight))
    rows = {key: i for i, (key, _value) in enumerate(meta_rows, start=1)}
    shown |= check_indicators(lay, scoring, approved, lambda key: lay.on_meta(f"$B${rows[key]}"))
    shown |= _totals(lay, form, scoring, len(approved.rows))
    started(lay, form, False, (("x_touched", "indicators"),))
    grids(lay, form, REQUIRED_CODES)
    counts(lay, LIVE_CODES, REQUIRED_CODES)
    # The status line's states and the explanation sheet, as the declaration's, in this form's words.
    explained(lay, LIVE_CODES, REQUIRED_CODES, ADVICE)
    return SelfEvalChecks(lay, shown)


def _totals(lay: Layout, form: spec.FormSpec, scoring: Scoring, count: int) -> dict[str, str | float]:
    """分值 total (and weights-not-100), 总分 and 等级 on the 总分 line."""
    t = form.tables["indicators"]
    first, last = t.first_row, t.first_row + count - 1
    for r in range(first, last + 1):
        w = lay.at("x_w", r)
        lay.put("x_wsum", r, f"IF(ISNUMBER({w}),{w},0)")
        lay.put("x_wbad", r, f"IF(ISNUMBER({w}),0,1)")

    def total(key: str) -> str:
        return f"SUM({lay.span(key, first, last)})" if count else "0"

    row = form.checks["total"].row
    weight, x_exec = number(scoring.execution_weight), lay.at("x_exec", form.fields["budget"].row)
    w_total = lay.at("x_wtotal", row)
    lay.put("x_wtotal", row, f"{weight}+{total('x_wsum')}")
    cell = form.checks["weight_total"]
    lay.flag("weights-not-100", cell.cell.rstrip("0123456789"), row,
             f"AND({total('x_wbad')}=0,ABS({w_total}-100)>{TOL})")
    x_total = lay.at("x_total", row)
    lay.put("x_total", row, f"ROUND({x_exec}+{total('x_eff')},2)")
    grade = quoted(scoring.grades[-1].name)
    for g in reversed(scoring.grades[:-1]):
        grade = f"IF({x_total}>={number(g.min)}-{EPS},{quoted(g.name)},{grade})"
    lay.put("x_grade", row, grade)
    return {
        form.checks["execution_weight"].cell: scoring.execution_weight,
        cell.cell: "=" + lay.full(w_total),
        form.checks["total"].cell: "=" + lay.full(x_total),
        form.checks["grade"].cell: "=" + lay.full(lay.at("x_grade", row)),
    }


__all__ = ["COVERAGE", "LIVE_CODES", "REQUIRED_CODES", "SelfEvalChecks", "build"]
