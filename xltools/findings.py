"""Findings: what a check says about a form. The codes and severities are a public contract."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Literal

from xltools.cells import sort_key as sort_key  # re-exported: rules order findings with it

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"

# code -> severity. The bureau filters by these codes: never rename one, only add.
CODES: dict[str, Severity] = {
    "file-unreadable": ERROR,
    "template-mismatch": ERROR,
    "required-missing": ERROR,
    "amount-invalid": ERROR,
    "date-invalid": ERROR,
    "date-order": ERROR,
    "date-outside-year": WARNING,
    "project-type-invalid": ERROR,
    "annual-exceeds-total": ERROR,
    "subtotal-mismatch": ERROR,
    "prior-exceeds-budget": ERROR,
    "prior-execution-low": WARNING,
    "level1-missing": ERROR,
    "level2-invalid": ERROR,
    "indicator-incomplete": ERROR,
    "indicator-duplicate": WARNING,
    "target-unparseable": ERROR,
    "target-no-operator": WARNING,
    "target-percent-over-100": WARNING,
    "target-vague": WARNING,
    # The framework a form was made with differs from the one it is checked against (same id, other content).
    "framework-changed": WARNING,
    # A cell holds a value Excel cannot (text over 32,767 characters, a number beyond ±9.99E+307); money and date
    # cells report theirs as amount-invalid and date-invalid.
    "value-out-of-range": ERROR,
    "duplicate-submission": WARNING,
    "unit-not-returned": WARNING,
    "unit-over-ceiling": WARNING,
    "prior-budget-mismatch": WARNING,
    "resubmission-undecided": WARNING,
    "unit-not-listed": WARNING,
    # Consolidation: a bureau-wide table failed its schema (see xltools.consolidate).
    "schema-invalid": ERROR,
    # The year-end self-evaluation (绩效自评表): scored against the approved targets (see README: 绩效自评).
    "actual-missing": ERROR,
    "actual-unparseable": ERROR,
    "deviation-reason-missing": ERROR,
    "score-outside-band": ERROR,
    "score-over-weight": ERROR,
    "weights-not-100": ERROR,
    "execution-over-budget": ERROR,
    "target-changed": ERROR,
}

# Codes only a consolidation emits: they need the whole batch (or the bureau's lists), never a single form.
BATCH_CODES = frozenset({"duplicate-submission", "unit-not-returned", "unit-over-ceiling", "prior-budget-mismatch",
                         "resubmission-undecided", "unit-not-listed", "schema-invalid"})

# Codes only a year-end self-evaluation (绩效自评表) gets; it also shares required-missing, amount-invalid and
# subtotal-mismatch with the declaration.
SELFEVAL_CODES = frozenset({"actual-missing", "actual-unparseable", "deviation-reason-missing", "score-outside-band",
                            "score-over-weight", "weights-not-100", "execution-over-budget", "target-changed"})

# Short Chinese names of the rules, for the results sheet and reports.
CODE_TITLES: dict[str, str] = {
    "file-unreadable": "文件无法读取",
    "template-mismatch": "模板不符",
    "required-missing": "必填项为空",
    "amount-invalid": "金额无效",
    "date-invalid": "日期无效",
    "date-order": "起止时间颠倒",
    "date-outside-year": "时间不在预算年度",
    "project-type-invalid": "类型选择无效",
    "annual-exceeds-total": "当年预算超过总预算",
    "subtotal-mismatch": "资金构成合计不符",
    "prior-exceeds-budget": "上年执行数超过预算额",
    "prior-execution-low": "上年执行率偏低",
    "level1-missing": "缺少一级指标",
    "level2-invalid": "二级指标不符",
    "indicator-incomplete": "指标不完整",
    "indicator-duplicate": "三级指标重复",
    "target-unparseable": "目标值无法识别",
    "target-no-operator": "目标值缺少比较符",
    "target-percent-over-100": "百分比超过100",
    "target-vague": "目标值不可衡量",
    "framework-changed": "指标体系有变",
    "value-out-of-range": "超出 Excel 范围",
    "duplicate-submission": "重复报送",
    "unit-not-returned": "单位未报送",
    "unit-over-ceiling": "超过单位控制数",
    "prior-budget-mismatch": "上年预算额与上年汇总不符",
    "resubmission-undecided": "无法判断计入哪一份",
    "unit-not-listed": "单位不在清单中",
    "schema-invalid": "汇总表校验失败",
    "actual-missing": "实际完成值未填",
    "actual-unparseable": "实际完成值无法识别",
    "deviation-reason-missing": "缺少偏差原因",
    "score-outside-band": "得分不符合评分规则",
    "score-over-weight": "得分超过分值",
    "weights-not-100": "分值合计不是100",
    "execution-over-budget": "执行数超过预算数",
    "target-changed": "与批复的指标不同",
}

# What to do about a rule's findings, in one sentence that holds for every finding of that rule. The declaration's
# engine messages end their specific part with it, word for word, and the form's own explanation list
# (xltools.live.explain) shows it beside the rule's title: one wording for the same rule, wherever the person reads
# it. (A self-evaluation's messages are its own; its list takes xltools.live.selfeval.coverage.ADVICE first.)
# required-missing is the one rule whose engine messages give a sharper hint per cell (a date, a choice ...);
# its sentence here is what the explanation list says for all of them.
CODE_ADVICE: dict[str, str] = {
    "required-missing": "浅黄色的必填项请填写完整；同名项目上年预算额和执行数同时填写或同时留空。",
    "amount-invalid": "请只填写以元为单位的非负数字，不带文字和单位，如 1200000。",
    "date-invalid": "请填写日期，格式如 2019-01-01。",
    "date-order": "请核对起止时间，结束时间不应早于开始时间。",
    "date-outside-year": "请核对开始时间和结束时间是否填错年份。",
    "project-type-invalid": "请从下拉列表中只选择一项。",
    "annual-exceeds-total": "请核对两项金额，项目当年预算不应超过项目总预算。",
    "subtotal-mismatch": "请核对各子项目金额或项目当年预算，两者应相等。",
    "prior-exceeds-budget": "请核对两项金额，上年预算执行数不应超过上年预算额。",
    "prior-execution-low": "请核对执行数；如确属偏低，请在“备注”中说明原因。",
    "level1-missing": "指标体系中的每个一级指标都须至少有一行指标。",
    "level2-invalid": "一级、二级指标请从下拉列表中选择。",
    "indicator-incomplete": "请补填这一格，或删除整行指标。",
    "indicator-duplicate": "请合并重复的指标，或改用能区分的名称。",
    "target-unparseable": "请填写比较符加数值，或规范用语。",
    "target-no-operator": "请在数值前加上 ≥、≤ 或 =。",
    "target-percent-over-100": "请核对数值；如确为增长类指标，请在三级指标名称中写明（如“…增长率”）。",
    "target-vague": "请改为比较符加具体数值，或规范用语。",
    "value-out-of-range": "请删改为正常的文字或数字后再报送。",
}

KEYS = ("file", "sheet", "cell", "code", "severity", "message")


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    sheet: str
    cell: str
    code: str
    severity: Severity
    message: str

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}")
        if CODES[self.code] != self.severity:
            raise ValueError(f"{self.code} is a {CODES[self.code]}, not a {self.severity}")

    @classmethod
    def of(cls, code: str, message: str, *, file: str = "", sheet: str = "", cell: str = "") -> Finding:
        """A finding with the contract's severity for ``code``."""
        return cls(file=file, sheet=sheet, cell=cell, code=code, severity=CODES[code], message=message)

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Report:
    """All findings about one file, in sheet order (row, then column)."""

    file: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def codes(self) -> list[tuple[str, str]]:
        """(code, cell) pairs: the compact form tests assert against."""
        return [(f.code, f.cell) for f in self.findings]

    def summary(self) -> str:
        if not self.findings:
            return "校验通过"
        if not self.errors:
            return f"校验通过（{len(self.warnings)} 个警告）"
        return f"{len(self.errors)} 个错误，{len(self.warnings)} 个警告"


def to_json(findings: Iterable[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2)
