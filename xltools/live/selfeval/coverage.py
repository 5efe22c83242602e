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
