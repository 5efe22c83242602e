"""Every rule on small declarations built directly: exact (code, cell) lists, severities and messages."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import FILE, INDICATORS, cell, make_decl, table_cell
from xltools import spec
from xltools.bounds import too_long
from xltools.findings import BATCH_CODES, CODE_ADVICE, CODES, SELFEVAL_CODES, Finding, sort_key
from xltools.model import CellValue, Declaration, Indicator, SubProject
from xltools.rules import RULES, run

D = dt.date
SPEC = spec.build()
LABELS = {key: f.label for key, f in SPEC.fields.items()}
IND = SPEC.tables["indicators"]


def codes(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.cell) for f in findings]


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, codes(findings)
    return findings[0]


def ind(i: int, column: str) -> str:
    return table_cell("indicators", column, i)


def sub(i: int, column: str) -> str:
    return table_cell("subprojects", column, i)


def assert_contract(findings: list[Finding]) -> None:
    """What every finding of the engine must satisfy."""
    for f in findings:
        assert f.file == FILE and f.sheet == spec.FORM_SHEET
        assert f.severity == CODES[f.code]
        assert re.search(r"[\u4e00-\u9fff]", f.message), f.message
        assert "请" in f.message, f"message says what to do: {f.message}"
        # The rule's one sentence, word for word: the form's own explanation list shows the same words.
        if f.code != "required-missing":
            assert CODE_ADVICE[f.code] in f.message, f.message


# -- the valid default --------------------------------------------------------------------------------------


def test_valid_declaration_has_no_findings() -> None:
    assert run(make_decl()) == []


# framework-changed comes from the reader (the form's framework against this run's), not from a rule.
# The declaration's per-form codes (the self-evaluation's own are tests/test_selfeval.py's).
FORM_CODES = set(CODES) - {"file-unreadable", "template-mismatch", "framework-changed"} - BATCH_CODES - SELFEVAL_CODES


def test_rules_produce_every_form_code() -> None:
    """Together, a few faulty forms make run() emit every per-form code of the contract, and no other."""
    faulty = [
        make_decl(unit="", total_budget="约100", start="明年", project_type="结转项目、其他一次性项目",
                  prior_executed=1_000_000.5,
                  indicators=[("产出目标", "项目立项", "a", "高"), ("", "", "a", ""), ("", "", "b", "100%"),
                              ("", "", "c", "≥120%"), ("", "", "d", "较上年增长")]),
        make_decl(start=D(2017, 1, 1), end=D(2017, 12, 31), annual_budget=2_000_000.0, prior_executed=1.0),
        make_decl(start=D(2019, 2, 1), end=D(2019, 1, 1)),
        make_decl(overview=too_long("很长的概况。" * 6000)),
    ]
    emitted = {f.code for decl in faulty for f in run(decl)}
    assert emitted == FORM_CODES
    assert len(RULES) == 6


# -- required-missing --------------------------------------------------------------------------------------

REQUIRED = [key for key, f in SPEC.fields.items() if f.required]


def test_required_fields_are_the_spec_ones() -> None:
    assert REQUIRED == ["unit", "project", "project_type", "category", "start", "end", "overview", "basis",
                        "necessity", "measures", "total_budget", "annual_budget", "plan", "overall_goal",
                        "annual_goal"]


@pytest.mark.parametrize("key", REQUIRED)
def test_required_field_blank(key: str) -> None:
    findings = run(make_decl(**{key: ""}))
    f = only(findings)
    assert (f.code, f.cell, f.severity) == ("required-missing", cell(key), "error")
    assert f"“{LABELS[key]}”未填写" in f.message
    assert_contract(findings)


def test_required_whitespace_only_is_blank() -> None:
    assert codes(run(make_decl(project="  \n "))) == [("required-missing", cell("project"))]


@pytest.mark.parametrize("key", ["remarks", "prior_budget"])
def test_optional_fields_may_be_blank(key: str) -> None:
    # A new project leaves both prior figures blank.
    overrides = {"prior_budget": "", "prior_executed": ""} if key == "prior_budget" else {key: ""}
    assert run(make_decl(**overrides)) == []


@pytest.mark.parametrize(("blank", "filled"), [("prior_executed", "prior_budget"), ("prior_budget", "prior_executed")])
def test_prior_figures_come_as_a_pair(blank: str, filled: str) -> None:
    f = only(run(make_decl(**{blank: ""})))
    assert (f.code, f.cell) == ("required-missing", cell(blank))
    assert LABELS[blank] in f.message and LABELS[filled] in f.message


def test_empty_subproject_table() -> None:
    f = only(run(make_decl(subprojects=[])))
    assert (f.code, f.cell) == ("required-missing", sub(0, "name"))
    assert "项目当年投入资金构成" in f.message and "子项目名称" in f.message


def test_subproject_name_without_amount() -> None:
    # The sum then cannot be judged: subtotal-mismatch stays silent.
    f = only(run(make_decl(subprojects=[("获奖组织奖励费", 600_000.0), ("获奖个人奖励费", "")])))
    assert (f.code, f.cell) == ("required-missing", sub(1, "amount"))
    assert "获奖个人奖励费" in f.message and "预算金额（元）" in f.message


def test_subproject_amount_without_name() -> None:
    f = only(run(make_decl(subprojects=[("获奖组织奖励费", 600_000.0), ("", 400_000.0)])))
    assert (f.code, f.cell) == ("required-missing", sub(1, "name"))
    assert "子项目名称" in f.message and "400000" in f.message


def test_empty_indicator_table_is_one_finding() -> None:
    f = only(run(make_decl(indicators=[])))
    assert (f.code, f.cell) == ("required-missing", ind(0, "level1"))
    assert "分解目标" in f.message


# -- amount-invalid ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["约100", "1,200万", "一百万", -5.0, "100元"])
def test_amount_invalid_in_a_field(raw: object) -> None:
    # The arithmetic that needs 项目总预算 stays silent.
    findings = run(make_decl(total_budget=raw))
    f = only(findings)
    assert (f.code, f.cell, f.severity) == ("amount-invalid", cell("total_budget"), "error")
    assert "项目总预算（元）" in f.message and str(raw).rstrip("0").rstrip(".") in f.message
    assert_contract(findings)


def test_amount_invalid_in_each_money_field() -> None:
    findings = run(make_decl(total_budget="x", annual_budget="y", prior_budget="z", prior_executed="w"))
    assert codes(findings) == [
        ("amount-invalid", cell("total_budget")),
        ("amount-invalid", cell("annual_budget")),
        ("amount-invalid", cell("prior_budget")),
        ("amount-invalid", cell("prior_executed")),
    ]


def test_amount_invalid_in_subproject_table() -> None:
    f = only(run(make_decl(subprojects=[("获奖组织奖励费", "60万"), ("获奖个人奖励费", 400_000.0)])))
    assert (f.code, f.cell) == ("amount-invalid", sub(0, "amount"))
    assert "获奖组织奖励费" in f.message and "60万" in f.message


def test_amount_invalid_quotes_the_readers_reason() -> None:
    decl = make_decl()
    decl.fields["total_budget"] = CellValue(cell("total_budget"), "=B12*2", None, "金额单元格中是公式，请直接填写数值")
    f = only(run(decl))
    assert f.code == "amount-invalid" and "金额单元格中是公式" in f.message


def test_amount_with_unflagged_bad_value_is_still_invalid() -> None:
    """A reader that forgot to set ``problem``: NaN, a bool, a negative number, a string value."""
    for value in (float("nan"), True, -1.0, "100"):
        decl = make_decl()
        decl.fields["annual_budget"] = CellValue(cell("annual_budget"), value, value)
        assert codes(run(decl)) == [("amount-invalid", cell("annual_budget"))], value


# -- date-invalid, date-order, date-outside-year -----------------------------------------------------------


def test_date_invalid() -> None:
    findings = run(make_decl(start="2019年13月", end="明年"))
    assert codes(findings) == [("date-invalid", cell("start")), ("date-invalid", cell("end"))]
    assert "开始时间" in findings[0].message and "2019年13月" in findings[0].message
    assert "结束时间" in findings[1].message
    assert_contract(findings)


def test_date_order() -> None:
    findings = run(make_decl(start=D(2019, 12, 31), end=D(2019, 1, 1)))
    f = only(findings)
    assert (f.code, f.cell, f.severity) == ("date-order", cell("end"), "error")
    assert "2019-12-31" in f.message and "2019-01-01" in f.message and "开始时间" in f.message
    assert_contract(findings)


def test_same_day_period_is_in_order() -> None:
    assert run(make_decl(start=D(2019, 5, 1), end=D(2019, 5, 1))) == []


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2017, 1, 1), D(2017, 12, 31), True),
        (D(2020, 1, 1), D(2020, 12, 31), True),
        (D(2018, 12, 1), D(2018, 12, 31), True),
        (D(2018, 6, 1), D(2019, 1, 1), False),  # touches the year on its last day
        (D(2019, 12, 31), D(2021, 12, 31), False),
        (D(2017, 1, 1), D(2021, 12, 31), False),  # multi-year
    ],
)
def test_date_outside_year(start: dt.date, end: dt.date, expected: bool) -> None:
    findings = run(make_decl(start=start, end=end))
    if not expected:
        assert findings == []
        return
    f = only(findings)
    assert (f.code, f.cell, f.severity) == ("date-outside-year", cell("start"), "warning")
    assert "2019" in f.message and start.isoformat() in f.message
    assert_contract(findings)


def test_date_outside_year_needs_a_year() -> None:
    assert run(make_decl(start=D(2017, 1, 1), end=D(2017, 12, 31), year=None)) == []


def test_reversed_dates_outside_year_are_only_date_order() -> None:
    assert codes(run(make_decl(start=D(2017, 12, 31), end=D(2017, 1, 1)))) == [("date-order", cell("end"))]


# -- project-type-invalid -----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["project_type", "category"])
@pytest.mark.parametrize("value", ["结转项目、其他一次性项目", "经常性", "结转 项目", "√结转项目", "1"])
def test_choice_invalid(key: str, value: str) -> None:
    findings = run(make_decl(**{key: value}))
    f = only(findings)
    assert (f.code, f.cell, f.severity) == ("project-type-invalid", cell(key), "error")
    assert LABELS[key] in f.message and value in f.message
    assert_contract(findings)


def test_every_listed_choice_is_valid() -> None:
    for key in ("project_type", "category"):
        for value in spec.choices(SPEC.fields[key].choices or ""):
            assert run(make_decl(**{key: value})) == [], value


# -- annual-exceeds-total, subtotal-mismatch ---------------------------------------------------------------


def test_annual_exceeds_total() -> None:
    findings = run(make_decl(total_budget=1000.0, annual_budget=1200.0, prior_budget="", prior_executed="",
                             subprojects=[("子项目", 1200.0)]))
    f = only(findings)
    assert (f.code, f.cell, f.severity) == ("annual-exceeds-total", cell("annual_budget"), "error")
    assert f.message.startswith("“项目当年预算（元）”为 1,200.00，超过“项目总预算（元）” 1,000.00。")
    assert_contract(findings)


@pytest.mark.parametrize(("annual", "flagged"), [(1000.004, False), (1000.01, True)])
def test_money_tolerance_is_half_a_fen(annual: float, flagged: bool) -> None:
    findings = run(make_decl(total_budget=1000.0, annual_budget=annual, subprojects=[("子项目", annual)]))
    assert codes(findings) == ([("annual-exceeds-total", cell("annual_budget"))] if flagged else [])


def test_subtotal_mismatch() -> None:
    findings = run(make_decl(subprojects=[("获奖组织奖励费", 600_000.0), ("获奖个人奖励费", 399_999.99)]))
    f = only(findings)
    assert (f.code, f.cell, f.severity) == ("subtotal-mismatch", cell("annual_budget"), "error")
    assert "999,999.99" in f.message and "1,000,000.00" in f.message and "合计少 0.01" in f.message
    assert_contract(findings)


def test_subtotal_more_than_annual() -> None:
    f = only(run(make_decl(subprojects=[("a", 600_000.0), ("b", 400_000.0), ("c", 2_500.5)])))
    assert f.code == "subtotal-mismatch" and "合计多 2,500.50" in f.message


def test_subtotal_sums_without_float_drift() -> None:
    assert run(make_decl(total_budget=1.0, annual_budget=0.3, prior_budget="", prior_executed="",
                         subprojects=[("a", 0.1), ("b", 0.2)])) == []


def test_subtotal_skips_gaps_in_the_table() -> None:
    # Rows 1 and 3 filled, row 2 empty: the reader lists only non-empty rows.
    assert run(make_decl(subprojects=[("a", 600_000.0), None, ("b", 400_000.0)])) == []


def test_subtotal_silent_when_annual_invalid() -> None:
    assert codes(run(make_decl(annual_budget="约100万"))) == [("amount-invalid", cell("annual_budget"))]


# -- prior-exceeds-budget, prior-execution-low ------------------------------------------------------------


def test_prior_exceeds_budget() -> None:
    findings = run(make_decl(prior_budget=1_000_000.0, prior_executed=1_000_000.01))
    f = only(findings)
    assert (f.code, f.cell, f.severity) == ("prior-exceeds-budget", cell("prior_executed"), "error")
    assert "1,000,000.01" in f.message and "同名项目上年预算额（元）" in f.message
    assert_contract(findings)


@pytest.mark.parametrize(
    ("budget", "executed", "rate"),
    [(1_000_000.0, 850_000.0, "85.00%"), (1_000_000.0, 899_999.0, "89.99%"),
     (14_185_000.0, 12_435_700.0, "87.66%"), (7_200_000.0, 5_100_000.0, "70.83%")],
)
def test_prior_execution_low(budget: float, executed: float, rate: str) -> None:
    findings = run(make_decl(prior_budget=budget, prior_executed=executed))
    f = only(findings)
    assert (f.code, f.cell, f.severity) == ("prior-execution-low", cell("prior_executed"), "warning")
    assert f"执行率为 {rate}" in f.message
    assert_contract(findings)


@pytest.mark.parametrize(("budget", "executed"), [(1_000_000.0, 900_000.0), (1_000_000.0, 1_000_000.0),
                                                  (0.0, 0.0), (170_000_000.0, 169_429_617.0)])
def test_prior_execution_fine(budget: float, executed: float) -> None:
    assert run(make_decl(prior_budget=budget, prior_executed=executed)) == []


def test_prior_zero_budget_with_execution_exceeds() -> None:
    assert codes(run(make_decl(prior_budget=0.0, prior_executed=5.0))) == [
        ("prior-exceeds-budget", cell("prior_executed"))]


# -- level1-missing, level2-invalid, indicator-incomplete, indicator-duplicate ----------------------------


def test_level1_missing_one_per_missing_level1_in_framework_order() -> None:
    rows = [r for r in INDICATORS if r[0] not in ("效果目标", "影响力目标")]
    findings = run(make_decl(indicators=rows))
    assert codes(findings) == [("level1-missing", ind(0, "level1"))] * 2
    assert "“效果目标”" in findings[0].message and "“影响力目标”" in findings[1].message
    assert "社会效益目标" in findings[0].message  # lists the 二级 to choose from
    assert all(f.severity == "error" for f in findings)
    assert_contract(findings)


def test_level1_compared_without_spaces() -> None:
    rows = [("产出 目标", *r[1:]) if r[0] == "产出目标" else r for r in INDICATORS]
    assert run(make_decl(indicators=rows)) == []


def test_level2_invalid() -> None:
    rows = [*INDICATORS, ("产出目标", "项目立项", "评审专家库的建立", "建立及完善")]
    findings = run(make_decl(indicators=rows))
    f = only(findings)
    assert (f.code, f.cell, f.severity) == ("level2-invalid", ind(6, "level2"), "error")
    assert "“项目立项”不属于一级指标“产出目标”" in f.message and "数量目标、质量目标、时效目标、成本目标" in f.message
    assert_contract(findings)


def test_unknown_level1_is_flagged_once_at_the_level1_cell() -> None:
    rows = [*INDICATORS, ("其他目标", "数量目标", "指标甲", "≥1"), ("", "", "指标乙", "≥2")]
    findings = run(make_decl(indicators=rows))
    f = only(findings)
    assert (f.code, f.cell) == ("level2-invalid", ind(6, "level1"))
    assert "“其他目标”不在指标体系" in f.message and "投入和管理目标、产出目标、效果目标、影响力目标" in f.message


def test_inherited_invalid_level2_is_flagged_once() -> None:
    rows = [*INDICATORS, ("产出目标", "项目立项", "指标甲", "≥1"), ("", "", "指标乙", "≥2")]
    assert codes(run(make_decl(indicators=rows))) == [("level2-invalid", ind(6, "level2"))]


def test_level2_carried_across_a_new_level1_is_flagged_at_the_blank_cell() -> None:
    """A reader that carried 二级 across a change of 一级: the blank 二级 cell is the one to fill."""
    decl = make_decl()
    last = decl.indicators[-1]  # 影响力目标 / 满意度目标
    row = IND.first_row + len(decl.indicators)
    i = len(decl.indicators)
    decl.indicators.append(Indicator(row, CellValue(ind(i, "level1"), "产出目标", "产出目标"),
                                     CellValue(ind(i, "level2"), "", last.level2.value),
                                     CellValue(ind(i, "level3"), "指标甲", "指标甲"),
                                     CellValue(ind(i, "target"), "≥1", "≥1"), False, True))
    f = only(run(decl))
    assert (f.code, f.cell) == ("level2-invalid", ind(i, "level2"))
    assert "沿用了上一行" in f.message


def test_indicator_incomplete() -> None:
    rows = [*INDICATORS, ("产出目标", "数量目标", "", "≥1"), ("", "", "指标乙", ""), ("", "", "", "≥3")]
    findings = run(make_decl(indicators=rows))
    assert codes(findings) == [
        ("indicator-incomplete", ind(6, "level3")),
        ("indicator-incomplete", ind(7, "target")),
        ("indicator-incomplete", ind(8, "level3")),
    ]
    assert "第 7 行" in findings[0].message and "三级指标" in findings[0].message
    assert "第 8 行" in findings[1].message and "“指标乙”" in findings[1].message
    assert all(f.severity == "error" for f in findings)
    assert_contract(findings)


def test_blank_level1_and_level2_that_cannot_be_carried() -> None:
    rows = [("", "", "预算执行率", "≥99%"), *INDICATORS[1:], ("效果目标", "", "指标甲", "≥1")]
    findings = run(make_decl(indicators=rows))
    # Row 1 has nothing above to carry from; row 2 carries nothing either (row 1 is blank).
    assert codes(findings) == [
        ("level1-missing", ind(0, "level1")),
        ("indicator-incomplete", ind(0, "level1")),
        ("indicator-incomplete", ind(0, "level2")),
        ("indicator-incomplete", ind(1, "level1")),
        ("indicator-incomplete", ind(6, "level2")),
    ]
    assert "投入和管理目标" in findings[0].message


def test_indicator_duplicate() -> None:
    rows = [*INDICATORS, ("影响力目标", "满意度目标", " 资金 到位率 ", "≥99%"), ("", "", "ＡＢＣ率", "≥1"),
            ("", "", "abc率", "≥2")]
    findings = run(make_decl(indicators=rows))
    assert codes(findings) == [("indicator-duplicate", ind(6, "level3")), ("indicator-duplicate", ind(8, "level3"))]
    assert "资金 到位率" in findings[0].message and ind(0, "level3") in findings[0].message
    assert ind(7, "level3") in findings[1].message
    assert all(f.severity == "warning" for f in findings)
    assert_contract(findings)


def test_unknown_framework_skips_framework_rules_only() -> None:
    rows = [("其他目标", "随便", "指标甲", "≥1"), ("", "", "指标甲", "")]
    for framework in ("nope", "../frameworks/sh2019", ""):
        assert codes(run(make_decl(indicators=rows, framework=framework))) == [
            ("indicator-duplicate", ind(1, "level3")),
            ("indicator-incomplete", ind(1, "target")),
        ]


# -- targets -----------------------------------------------------------------------------------------------

# Every target of the five approved forms with its 三级指标: the findings it gets. None is an error.
SEED_ROWS: list[tuple[str, str, list[str]]] = [
    ("预算执行率", "≥99%", []),
    ("资金使用率", "=100%", []),
    ("财务管理制度健全性", "健全", []),
    ("财务监控有效性", "有效", []),
    ("资金使用合规性", "合规", []),
    ("每万人口发明专利拥有量", "≥50", []),
    ("发明专利申请增长率", "≥2%", []),
    ("资助及时率", "≥95%", []),
    ("企业竞争力", "增强", []),
    ("能力建设和可持续影响", "完善", []),
    ("资助对象满意度", "≥85%", []),
    ("12315热线话务量", "较上年增长", ["target-vague"]),
    ("“六统一”联络点覆盖率", "≥90%", []),
    ("12315语音回复按时率", "及时", []),
    ("12315热线在政府热线中的排名", "位于各政府热线前列", ["target-vague"]),
    ("12345热线工单办理排名", "位于各热线承办部门前列", ["target-vague"]),
    ("系统功能可拓展性", "可拓展", []),
    ("12315/12345热线接通率", "≥80%", []),
    ("项目立项规范性", "规范", []),
    ("到位及时率", "100%", ["target-no-operator"]),
    ("国外标准品种覆盖率", "80%", ["target-no-operator"]),
    ("信息系统建立情况", "建立及完善", []),
    ("支撑政府机构服务次数增长率", "≥前五年平均值的110%", ["target-vague"]),
    ("馆藏标准文献利用率", "≥0.75", []),
    ("合同管理完备性", "完备", []),
    ("项目信息共享情况", "良好", []),
    ("审查、评审计划完成率", "达到100%", []),
    ("表彰奖励计划完成率", "获奖组织和个人年度表彰奖励下拨完成，完成率达到100%", ["target-vague"]),
    ("评奖数量的完成率", "获得市长质量奖组织不超过2家、个人不超过2人，获得质量金奖的组织不超过10家，个人不超过5人。",
     ["target-vague"]),
    ("评审过程投诉率", "评审过程合规性，达到100%", ["target-vague"]),
    ("对企业、行业质量水平提升的影响",
     "树立一批行业内质量先进的标杆组织和个人，有效推广其先进管理模式或理念，带动行业质量水平提升", ["target-vague"]),
]


@pytest.mark.parametrize(("level3", "target", "expected"), SEED_ROWS, ids=[r[1][:12] for r in SEED_ROWS])
def test_seed_targets_yield_no_error(level3: str, target: str, expected: list[str]) -> None:
    rows = [*INDICATORS, ("影响力目标", "可持续目标", level3, target)]
    findings = run(make_decl(indicators=rows))
    assert codes(findings) == [(code, ind(6, "target")) for code in expected]
    assert all(f.severity == "warning" for f in findings)
    assert_contract(findings)


def _target_findings(level3: str, target: str) -> list[Finding]:
    return run(make_decl(indicators=[*INDICATORS, ("产出目标", "数量目标", level3, target)]))


@pytest.mark.parametrize("target", ["高", "abc", "??", "100%%", "90%-95%"])
def test_target_unparseable(target: str) -> None:
    findings = _target_findings("计划完成率", target)
    f = only(findings)
    assert (f.code, f.cell, f.severity) == ("target-unparseable", ind(6, "target"), "error")
    assert f"“{target}”无法识别" in f.message and "健全" in f.message
    assert_contract(findings)


def test_target_no_operator_message_suggests_operators() -> None:
    f = only(_target_findings("到位及时率", "100%"))
    assert (f.code, f.severity) == ("target-no-operator", "warning")
    assert "“≥100%”" in f.message and "“=100%”" in f.message


@pytest.mark.parametrize(
    ("level3", "target", "expected"),
    [
        ("预算执行率", "≥120%", ["target-percent-over-100"]),
        ("资金拨付率", "=101%", ["target-percent-over-100"]),
        ("社会公众或服务对象满意度", "＞１１０％", ["target-percent-over-100"]),
        ("预算执行率", "120%", ["target-no-operator", "target-percent-over-100"]),
        ("发明专利申请增长率", "≥120%", []),
        ("营业收入增幅", "≥150%", []),
        ("成本控制率", "≤110%", []),
        ("预算执行率", "≥100%", []),
        ("服务人次", "≥120", []),
    ],
)
def test_target_percent_over_100(level3: str, target: str, expected: list[str]) -> None:
    findings = _target_findings(level3, target)
    assert codes(findings) == [(code, ind(6, "target")) for code in expected]
    for f in findings:
        if f.code == "target-percent-over-100":
            assert level3 in f.message and "100%" in f.message
    assert_contract(findings)


@pytest.mark.parametrize(
    ("target", "phrase"),
    [("较上年增长", "相对表述"), ("按时完成", "不是规范用语"), ("全部完成；无投诉", "一段描述")],
)
def test_target_vague_messages(target: str, phrase: str) -> None:
    f = only(_target_findings("计划完成率", target))
    assert (f.code, f.severity) == ("target-vague", "warning")
    assert phrase in f.message and target in f.message


@pytest.mark.parametrize(
    ("level3", "target", "expected"),
    [
        # Deadlines: measurable time targets, no finding (not vague, not a number without operator).
        ("项目完成时间", "2023年12月31日前", []),
        ("项目完成时间", "2023年12月31日", []),
        ("资金拨付时间", "每年12月底前", []),
        ("验收完成时间", "12月底前完成", []),
        ("中期评估时间", "第三季度末", []),
        ("服务期", "2021年全年", []),
        # Compound units: quantitative; a bare one still lacks an operator.
        ("人均补贴标准", "≤17元/人·天", []),
        ("人均补贴标准", "17元/人·天", ["target-no-operator"]),
        ("伙食补助标准", "≤20元/人.每天", []),
        ("单个站点建设成本", "≤50万元/个", []),
        ("单位面积造价", "≤3000元/平方米", []),
        ("亩均产量", "≥500公斤/亩", []),
        # Comparator words in front or behind.
        ("验收合格率", "大于90%", []),
        ("投诉率", "小于5%", []),
        ("验收合格率", "高于90%", []),
        ("投诉率", "低于5%", []),
        ("验收合格率", "90%以上", []),
        ("投诉率", "5%以下", []),
        ("办结时限", "3个月以内", []),
        ("办结时限", "不超过3个月", []),
        ("服务对象满意度", "≥95%以上", []),
        ("服务对象满意度", "=120百分比", ["target-percent-over-100"]),
        # Grading words: accepted like the qualitative words.
        ("服务质量", "好", []),
        ("服务质量", "较好", []),
        ("社会影响", "一般", []),
        # Garbled: an error, never a number.
        ("服务对象满意度", "二100百分比", ["target-unparseable"]),
    ],
)
def test_published_target_forms(level3: str, target: str, expected: list[str]) -> None:
    findings = _target_findings(level3, target)
    assert codes(findings) == [(code, ind(6, "target")) for code in expected]
    assert_contract(findings)


def test_garbled_target_message_says_it_looks_damaged() -> None:
    f = only(_target_findings("服务对象满意度", "二100百分比"))
    assert f.message.startswith("指标目标值“二100百分比”无法识别：数字与汉字数字连在一起，疑似录入或扫描识别错误。")


def test_long_target_is_shortened_in_the_message() -> None:
    text = "树立一批行业内质量先进的标杆组织和个人，有效推广其先进管理模式或理念，带动行业质量水平提升"
    f = only(_target_findings("影响", text))
    assert text[:30] + "…" in f.message and text not in f.message


def test_target_typed_as_a_number() -> None:
    """A percentage typed into a cell formatted as a number reads as 1 (the reader gives its text)."""
    decl = make_decl()
    i = len(decl.indicators) - 1
    old = decl.indicators[i]
    decl.indicators[i] = Indicator(old.row, old.level1, old.level2, old.level3,
                                   CellValue(old.target.cell, 1.0, "1"))
    assert codes(run(decl)) == [("target-no-operator", ind(i, "target"))]


# -- the engine as a whole ---------------------------------------------------------------------------------


def test_run_sorts_by_row_then_column_and_is_stable() -> None:
    rows = [*INDICATORS[:-1], ("影响力目标", "满意度目标", "资金到位率", "120%")]
    decl = make_decl(unit="", end=D(2018, 1, 1), annual_budget=2_000_000.0, indicators=rows)
    findings = run(decl)
    assert codes(findings) == [
        ("required-missing", cell("unit")),
        ("date-order", cell("end")),
        ("annual-exceeds-total", cell("annual_budget")),
        ("subtotal-mismatch", cell("annual_budget")),
        ("indicator-duplicate", ind(5, "level3")),
        ("target-no-operator", ind(5, "target")),
        ("target-percent-over-100", ind(5, "target")),
    ]
    assert [sort_key(f.cell) for f in findings] == sorted(sort_key(f.cell) for f in findings)
    assert_contract(findings)


@pytest.mark.parametrize("version", spec.SUPPORTED_VERSIONS)
def test_declaration_without_any_values(version: str) -> None:
    """A reader that filled nothing in: every required field and both tables, at the cells of the form's own
    template version (version 1 has no status line: its cells sit one row above version 2's)."""
    form = spec.build(version)
    decl = Declaration(file=FILE, sheet=spec.FORM_SHEET, template_version=version, year=2019, framework="sh2019",
                       fields={})
    expected = [("required-missing", form.fields[k].cell) for k in REQUIRED]
    expected += [("required-missing", form.tables["subprojects"].cell("name", 0)),
                 ("required-missing", form.tables["indicators"].cell("level1", 0))]
    assert codes(run(decl)) == sorted(expected, key=lambda c: sort_key(c[1]))
    assert form.fields["unit"].cell == {"1": "B3", "2": "B4", "3": "B4"}[version]
    assert form.fields["overview"].cell == {"1": "B8", "2": "B9", "3": "A10"}[version]


@pytest.mark.parametrize("year", [None, 0, -1, 10**6, "2019", True])
def test_odd_years_do_not_raise(year: object) -> None:
    decl = make_decl(start=D(2017, 1, 1), end=D(2017, 12, 31))
    decl.year = year  # type: ignore[assignment]
    assert codes(run(decl)) == []


def test_odd_cell_contents_do_not_raise() -> None:
    decl = make_decl()
    decl.fields["unit"] = CellValue(cell("unit"), ["list"], ["list"])  # not blank, not text: the rules move on
    decl.fields["project_type"] = CellValue(cell("project_type"), 3.0, 3.0)
    decl.fields["start"] = CellValue(cell("start"), "2019-01-01", "2019-01-01")  # a date left as text
    decl.fields["prior_budget"] = CellValue(cell("prior_budget"), None, None)
    decl.subprojects.append(SubProject(99, CellValue(sub(2, "name"), 5.0, None), CellValue(sub(2, "amount"), {}, {})))
    assert codes(run(decl)) == [
        ("project-type-invalid", cell("project_type")),
        ("date-invalid", cell("start")),
        ("required-missing", cell("prior_budget")),
        ("amount-invalid", sub(2, "amount")),
    ]


def test_loading_the_rules_stays_light() -> None:
    code = (
        "import sys, xltools.rules, xltools.targets\n"
        "heavy = sorted(m for m in ('pandas', 'pandera', 'xlwings', 'click') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                         cwd=Path(__file__).resolve().parents[1])
    assert (out.returncode, out.stdout.strip()) == (0, "ok"), out.stderr
