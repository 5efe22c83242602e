"""Which rules the template's own formulas check, and how much of each engine rule a formula covers (the README's
table comes from here)."""

from __future__ import annotations

from xltools.findings import CODES

# Live rules in form order: FULL when the formula finds what the engine finds, SUBSET with the part it covers.
FULL, SUBSET = "full", "subset"
COVERAGE: dict[str, tuple[str, str]] = {
    "required-missing": (FULL, ""),
    "amount-invalid": (SUBSET, "负数、TRUE/FALSE、含文字或符号的金额（如“约100”“1,200万”）；不含公式、数字格式错乱的文字（如“1,2”）"),
    "date-invalid": (SUBSET, "TRUE/FALSE、离谱的日期序号、含文字的日期（如“2019年上半年”）；不含格式错乱的日期文字（如“2019-13-45”）、公式"),
    "date-order": (SUBSET, "以日期格式填写的日期；以文字填写的日期不比较"),
    "date-outside-year": (SUBSET, "以日期格式填写的日期；以文字填写的日期不比较"),
    "project-type-invalid": (FULL, ""),
    "annual-exceeds-total": (SUBSET, "以数字填写的金额；以文字填写的数字（如“1,000”）不比较"),
    "subtotal-mismatch": (SUBSET, "以数字填写的金额；以文字填写的数字（如“1,000”）不比较"),
    "prior-exceeds-budget": (SUBSET, "以数字填写的金额；以文字填写的数字（如“1,000”）不比较"),
    "prior-execution-low": (SUBSET, "以数字填写的金额；以文字填写的数字（如“1,000”）不比较"),
    "level1-missing": (FULL, ""),
    "level2-invalid": (FULL, ""),
    "indicator-incomplete": (FULL, ""),
    "indicator-duplicate": (SUBSET, "名称相同（不计空格和大小写）；全角与半角字母视为不同"),
    "target-no-operator": (SUBSET, "只有数字或百分数（如“100%”“80”）；不含带单位的数（如“300件”）和全角数字"),
    "target-percent-over-100": (SUBSET, "三级指标名称含“率”“满意度”等比率字样时（targets.toml 的 rate_markers）"),
}
LIVE_CODES: tuple[str, ...] = tuple(COVERAGE)
LIVE_ERRORS = tuple(c for c in LIVE_CODES if CODES[c] == "error")
LIVE_WARNINGS = tuple(c for c in LIVE_CODES if CODES[c] == "warning")
