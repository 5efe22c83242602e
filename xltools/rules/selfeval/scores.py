"""A self-evaluation scored: each approved indicator row with its kind, its 实际完成值 read, the rules' score and
the score that counts; the 执行率 and its score; the 分值 total, the 总分 and the 等级. The rules, consolidation and
the tests read these; the live formulas compute the same (:mod:`xltools.live.selfeval`).

Rows are matched to the approved ones by position in the table (the rows are prefilled and locked, so a row in
another position is a changed one: ``target-changed``). Scores always follow the approved 年度指标值.

* A quantitative row (its approved target a number, with or without a sign) scores by the rules from its
  实际完成值; its 得分 cell holds the template's formula, which is never read: the score is the rules' score. A number
  typed over it counts as typed (the unit may lower the score of a target met by a wide margin; the rules check it).
* A qualitative row (any other target: a word, a deadline, a phrase) counts the 得分 typed, within the band chosen
  as 实际完成值.
* 总分 = 执行率得分 + Σ row scores, rounded to two decimals; a score that is not a number counts 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xltools.data.selfeval_rules import Band
from xltools.evaluation import ApprovedRow, EvalIndicator, SelfEvaluation
from xltools.model import CellValue
from xltools.scoring import (
    Actual,
    beyond,
    execution,
    indicator_score,
    is_quantitative,
    met,
    needs_reason,
    operator,
    read_actual,
    round2,
)
from xltools.targets import Target, parse_target


@dataclass(frozen=True)
class RowScore:
    index: int  # 0-based position in the table
    indicator: EvalIndicator | None  # None: the row is blank on the form
    approved: ApprovedRow | None  # None: a row the approval does not have
    target: Target  # the approved 年度指标值, read
    op: str | None  # quantitative: the comparison (a bare number's from the rules); None: qualitative
    actual: Actual | None  # quantitative and filled in
    band: Band | None  # qualitative: the band chosen as 实际完成值
    weight: float | None  # a usable 分值
    computed: float | None  # quantitative: the rules' score
    score: float  # what counts in 总分
    typed: float | None  # a number typed into 得分 (None: blank, a formula, or not a number)
    reason_needed: bool
    over: bool  # met by the deviation or more: the unit may lower the score
    band_first: Band | None = None  # the top band of the rules (a qualitative row in it reached its target)

    @property
    def quantitative(self) -> bool:
        return self.op is not None


@dataclass(frozen=True)
class Scores:
    rows: tuple[RowScore, ...]
    rate: float | None
    execution_score: float
    weights_total: float | None  # 执行率分值 + Σ 分值, None when a 分值 is not a number
    total: float
    grade: str


def number(cv: CellValue | None) -> float | None:
    """A usable non-negative number of a typed cell, or None."""
    if cv is None or cv.problem:
        return None
    value = cv.number
    return None if value is None or value != value or value < 0 else float(value)


def _row(se: SelfEvaluation, index: int, ind: EvalIndicator | None, approved: ApprovedRow | None) -> RowScore:
    target = parse_target(approved.target if approved else (ind.target.text if ind else ""))
    weight = number(ind.weight) if ind else None
    typed = ind.score.number if ind and not ind.score_formula and not ind.score.problem else None
    op = operator(target, se.scoring.bare_operator) if is_quantitative(target) else None
    actual = band = computed = None
    reason = over = False
    if ind is not None and not ind.actual.blank:
        if op is not None and target.number is not None:
            actual = read_actual(ind.actual.raw, target)
            if actual.number is not None:
                reason = needs_reason(op, target.number, actual.number, se.scoring.deviation)
                over = met(op, target.number, actual.number) and beyond(target.number, actual.number,
                                                                        se.scoring.deviation)
                if weight is not None:
                    computed = indicator_score(op, target.number, actual.number, weight)
        else:
            band = se.scoring.band(ind.actual.text)
            reason = band is not None and band is not se.scoring.bands[0]
    if typed is not None:
        score = typed
    elif op is not None and ind is not None and (ind.score_formula or ind.score.blank):
        score = computed or 0.0
    else:
        score = 0.0
    return RowScore(index, ind, approved, target, op, actual, band, weight, computed, score, typed, reason, over,
                    se.scoring.bands[0])


def scores(se: SelfEvaluation) -> Scores:
    table = se.form.tables["indicators"]
    by_index = {ind.row - table.first_row: ind for ind in se.indicators}
    count = max([len(se.approved.rows), *(i + 1 for i in by_index)])
    rows = tuple(_row(se, i, by_index.get(i), se.approved.rows[i] if i < len(se.approved.rows) else None)
                 for i in range(count))
    rate, execution_score = execution(se.scoring.execution_weight, number(se.fields.get("budget")),
                                      number(se.fields.get("executed")))
    weights = [r.weight for r in rows if r.indicator is not None]
    usable = all(w is not None for w in weights)
    weights_total = math.fsum([se.scoring.execution_weight, *(w for w in weights if w is not None)]) if usable else None
    total = round2(math.fsum([execution_score, *(r.score for r in rows)]))
    return Scores(rows, rate, execution_score, weights_total, total, se.scoring.grade(total))
