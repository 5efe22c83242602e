"""Which rules the self-evaluation's own formulas check, and how much of each (the README's table comes from here).
The order is the form's: money, indicators, totals."""

from __future__ import annotations

from xltools.live.coverage import FULL, SUBSET

_NUMBERS = "以数字填写的金额；以文字填写的数字（如“1,000”）不比较"
COVERAGE: dict[str, tuple[str, str]] = {
    "required-missing": (FULL, ""),
    "amount-invalid": (SUBSET, "负数、TRUE/FALSE、含文字或符号的金额（如“约100”“1,200万”）；不含公式、数字格式错乱的文字（如“1,2”）"),
    "subtotal-mismatch": (SUBSET, _NUMBERS),
    "execution-over-budget": (SUBSET, _NUMBERS),
    "target-changed": (SUBSET, "指标的一级、二级、三级和年度指标值完整；年初预算数以数字比较"),
    "actual-missing": (FULL, ""),
    "actual-unparseable": (FULL, ""),
    "deviation-reason-missing": (FULL, ""),
    "score-outside-band": (FULL, ""),
    "score-over-weight": (FULL, ""),
    "weights-not-100": (FULL, ""),
}
LIVE_CODES: tuple[str, ...] = tuple(COVERAGE)
# Codes a blank form has yet to fill: a calm tint until someone starts, as required-missing on the declaration.
REQUIRED_CODES = ("required-missing", "actual-missing")

# What to do about each rule, one sentence for the explanation sheet (自查说明). The engine's messages of these rules
# say it cell by cell (which indicator, which amount); the list says it once per rule. Rules shared with the
# declaration keep the declaration's sentence (xltools.findings.CODE_ADVICE) unless the form's differs.
ADVICE: dict[str, str] = {
    "required-missing": "浅黄色的格请填写完整：主管部门、全年预算数和执行数、实际完成情况，各指标的分值和实际完成值。",
    "subtotal-mismatch": "请核对各项金额，“其中”各项合计应等于年度资金总额；某项没有资金时填 0 或留空。",
    "execution-over-budget": "执行数不能超过当年的预算数：请核对两项金额。",
    "target-changed": "自评按批复的绩效目标评价：请改回批复的内容，不要增删指标。",
    "actual-missing": "请填写实际完成值：定量指标填数值，定性指标从下拉列表选完成档次。",
    "actual-unparseable": "定量指标填数值（可带相同单位，不带比较符），定性指标从下拉列表选完成档次。",
    "deviation-reason-missing": "未达成或偏离较大的指标，请填写偏差原因分析及改进措施。",
    "score-outside-band": "得分须在所选档次的区间内；定量指标的得分按评分规则自动计算，不必填写。",
    "score-over-weight": "得分不能超过分值。",
    "weights-not-100": "执行率分值与各指标分值合计应为 100：请调整各指标的分值。",
}
