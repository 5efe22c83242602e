"""The self-evaluation's indicator rows: actual-missing, actual-unparseable, deviation-reason-missing,
score-outside-band, score-over-weight, weights-not-100, target-changed (all errors: each makes the score wrong or
unsupported, and the bureau sends such a form back).

Decisions:

* ``actual-missing`` at 实际完成值 of every approved row left blank.
* ``actual-unparseable`` at 实际完成值: for a quantitative indicator, not a number (with the target's unit at most,
  :func:`xltools.scoring.read_actual`); for a qualitative one, not one of the bands (the dropdown).
* ``deviation-reason-missing`` at 偏差原因分析及改进措施: a quantitative indicator not met, or beyond its target by
  the rules' deviation (30%) or more; a qualitative one judged below the first band. 财预〔2020〕10号 asks for the
  reasons of every target not reached or far exceeded.
* ``score-over-weight`` at 得分: a number above the row's 分值 (then no band is judged).
* ``score-outside-band`` at 得分: not a number; a qualitative score outside its band; a number typed over a
  quantitative indicator's formula that is not the rules' score (lowering it is allowed only where the target was
  exceeded by the deviation or more, never raising it).
* ``weights-not-100``: at a 分值 that is not a non-negative number; at the 分值 total of the 总分 line when 执行率分值
  plus every 分值 is not 100. A blank 分值 is required-missing, a blank qualitative 得分 too.
* ``target-changed`` at the changed cell: a 一级/二级/三级/年度指标值 that is not the approved text (compared as the
  reader tidies text), a row of the approval left blank or a row the approval does not have, a 年初预算数 that is not
  the approved 项目当年预算. The cells are locked: only a workbook taken apart gets here.
"""

from __future__ import annotations

from xltools.evaluation import SelfEvaluation
from xltools.findings import Finding
from xltools.rules._common import TOLERANCE, shown, yuan
from xltools.rules.selfeval.money import finding
from xltools.rules.selfeval.scores import RowScore, Scores, number
from xltools.targets import format_number

COLUMN_LABELS = {"level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "target": "年度指标值"}


def check(se: SelfEvaluation, s: Scores) -> list[Finding]:
    out: list[Finding] = []
    table = se.form.tables["indicators"]
    for r in s.rows:
        name = _name(r)
        if r.indicator is None:
            out.append(finding(se, "target-changed", table.cell("level3", r.index),
                               f"第 {r.index + 1} 行批复的指标{name}被删除。请在下发的自评表中填写，不要改动批复的指标。"))
            continue
        out.extend(_changed(se, r))
        if r.approved is None:
            continue
        out.extend(_actual(se, r, name))
        out.extend(_weight_and_score(se, r, name))
    out.extend(_totals(se, s))
    return out


def _name(r: RowScore) -> str:
    text = r.approved.level3 if r.approved else (r.indicator.level3.text if r.indicator else "")
    return f"“{text}”" if text else ""


def _changed(se: SelfEvaluation, r: RowScore) -> list[Finding]:
    ind = r.indicator
    assert ind is not None
    cells = {"level1": ind.level1, "level2": ind.level2, "level3": ind.level3, "target": ind.target}
    if r.approved is None:
        return [finding(se, "target-changed", ind.level3.cell,
                        f"第 {r.index + 1} 行的指标{_name(r)}不在批复的绩效目标中。自评只评价批复的指标，请删除这一行。")]
    out = []
    for key, approved in r.approved.values().items():
        cv = cells[key]
        if (cv.text or shown(cv)) != approved:
            out.append(finding(se, "target-changed", cv.cell,
                               f"{COLUMN_LABELS[key]}“{shown(cv)}”与批复的“{approved}”不同。自评按批复的绩效目标评价，"
                               "请改回批复的内容（或在下发的自评表中重新填写）。"))
    return out


def _actual(se: SelfEvaluation, r: RowScore, name: str) -> list[Finding]:
    ind = r.indicator
    assert ind is not None
    cell = ind.actual.cell
    if ind.actual.blank:
        what = "实际达到的数值" if r.quantitative else f"完成情况（{'、'.join(b.name for b in se.scoring.bands)}）"
        return [finding(se, "actual-missing", cell, f"指标{name}未填写实际完成值。请填写{what}。")]
    out = []
    if r.actual is not None and r.actual.number is None:
        out.append(finding(se, "actual-unparseable", cell,
                           f"指标{name}的实际完成值“{shown(ind.actual)}”{r.actual.problem}，如“{_example(r)}”。"))
    elif not r.quantitative and r.band is None:
        bands = "、".join(b.name for b in se.scoring.bands)
        out.append(finding(se, "actual-unparseable", cell,
                           f"指标{name}是定性指标，实际完成值“{shown(ind.actual)}”不是完成档次。请从下拉列表选择：{bands}，"
                           "具体情况写在偏差原因分析中。"))
    if r.reason_needed and ind.reason.blank:
        out.append(finding(se, "deviation-reason-missing", ind.reason.cell, _why(se, r, name)))
    return out


def _example(r: RowScore) -> str:
    number = r.target.number if r.target.number is not None else 0
    return format_number(number) + r.target.unit


def _why(se: SelfEvaluation, r: RowScore, name: str) -> str:
    if r.band is not None:
        what = f"自评为“{r.band.name}”"
    elif r.over:
        what = f"实际完成值超出年度指标值“{r.target.text}” {format_number(se.scoring.deviation)}% 及以上"
    else:
        what = f"未达到年度指标值“{r.target.text}”"
    low = "（是否因年初指标值设定偏低）" if r.over else ""
    return f"指标{name}{what}，未填写偏差原因分析及改进措施。请说明偏差的原因{low}和改进措施。"


def _weight_and_score(se: SelfEvaluation, r: RowScore, name: str) -> list[Finding]:
    ind = r.indicator
    assert ind is not None
    out = []
    if ind.weight.blank:
        out.append(finding(se, "required-missing", ind.weight.cell, f"指标{name}未填写分值。请填写该指标的分值（数字）。"))
    elif r.weight is None:
        out.append(finding(se, "weights-not-100", ind.weight.cell,
                           f"指标{name}的分值“{shown(ind.weight)}”不是不小于 0 的数字。请填写数字，各项分值合计应为 100。"))
    score = ind.score
    if score.blank and not r.quantitative:
        out.append(finding(se, "required-missing", score.cell,
                           f"定性指标{name}未填写得分。请按所选档次在分值的相应区间内打分。"))
        return out
    if not score.blank and not ind.score_formula and (score.problem or (score.number or 0) < 0):
        out.append(finding(se, "score-outside-band", score.cell,
                           f"指标{name}的得分“{shown(score)}”不是不小于 0 的数字。请填写数字。"))
        return out
    if r.typed is None or r.weight is None:
        return out
    if r.typed > r.weight + TOLERANCE:
        out.append(finding(se, "score-over-weight", score.cell,
                           f"指标{name}的得分 {format_number(r.typed)} 超过其分值 {format_number(r.weight)}。"
                           "得分不能超过分值。"))
    elif r.band is not None and not se.scoring.in_band(r.band, r.typed, r.weight):
        low, high = r.band.low / 100 * r.weight, r.band.high / 100 * r.weight
        upper = "（含）" if r.band is se.scoring.bands[0] else "（不含）"
        out.append(finding(se, "score-outside-band", score.cell,
                           f"指标{name}自评为“{r.band.name}”，得分应在分值的 {format_number(r.band.low)}%–"
                           f"{format_number(r.band.high)}% 之间，即 {low:.2f}（含）至 {high:.2f}{upper}分，"
                           f"实为 {format_number(r.typed)}。请调整得分或完成档次。"))
    elif r.computed is not None and abs(r.typed - r.computed) > TOLERANCE and not (
            r.over and r.typed <= r.computed + TOLERANCE):
        lower = "；只有实际完成值超出年度指标值较多时，才可在说明原因后调低得分" if r.typed < r.computed else ""
        out.append(finding(se, "score-outside-band", score.cell,
                           f"指标{name}是定量指标，按评分规则应得 {r.computed:.2f} 分，填写为 {format_number(r.typed)}{lower}。"
                           "请删除所填得分（恢复自动计算）或改为规则得分。"))
    return out


def _totals(se: SelfEvaluation, s: Scores) -> list[Finding]:
    out = []
    initial = se.fields["initial"]
    value, approved = number(initial), se.approved.budget
    same = (approved is None and initial.blank) or (
        approved is not None and value is not None and abs(value - approved) <= TOLERANCE)
    if not same:
        expected = yuan(approved) if approved is not None else "空"
        out.append(finding(se, "target-changed", initial.cell,
                           f"年初预算数“{shown(initial) or '空'}”与批复的项目当年预算 {expected} 不同。请改回批复的金额。"))
    if s.weights_total is not None and abs(s.weights_total - 100) > TOLERANCE:
        cell = se.form.checks["weight_total"].cell
        out.append(finding(se, "weights-not-100", cell,
                           f"执行率分值 {format_number(se.scoring.execution_weight)} 与各指标分值合计为 "
                           f"{s.weights_total:.2f}，应为 100。请调整各指标的分值。"))
    return out
