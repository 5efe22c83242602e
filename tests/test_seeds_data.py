"""The seed data files themselves: examples/seeds.toml (the five approved 2019 forms) and examples/faulty.toml.

These are the project's ground truth, so their shape is pinned here independently of the checker: counts, sums,
framework pairs, choices, dates and a few exact values read off the printed forms.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from xltools import data, spec
from xltools.findings import BATCH_CODES, CODES, ERROR, SELFEVAL_CODES, WARNING

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEEDS = tomllib.loads((EXAMPLES / "seeds.toml").read_text(encoding="utf-8"))["form"]
FAULTY = tomllib.loads((EXAMPLES / "faulty.toml").read_text(encoding="utf-8"))["form"]
BY_ID = {form["id"]: form for form in SEEDS}

# id -> (sub-project rows, indicator rows, annual budget), as determined from the printed forms.
SHAPE = {
    "ipo-patent": (2, 15, 170_000_000),
    "samr-redshield": (1, 18, 11_994_000),
    "ccc-complaints": (2, 19, 3_884_872),
    "sqi-standards": (15, 22, 12_300_000),
    "samr-quality-award": (3, 13, 7_200_000),
}
TABLES = ("subprojects", "indicators")
MONEY = ("total_budget", "annual_budget", "prior_budget", "prior_executed")
# Rules about files or about several files, which a single form's values cannot trigger.
# framework-changed is about the file's template and framework, not its values: tests/test_framework_changed.py
NOT_SINGLE_FORM = {"file-unreadable", "template-mismatch", "framework-changed"} | BATCH_CODES | SELFEVAL_CODES


def test_five_forms_in_order_with_unique_ascii_ids() -> None:
    assert [f["id"] for f in SEEDS] == list(SHAPE)
    assert all(re.fullmatch(r"[a-z0-9-]+", f["id"]) for f in SEEDS)


@pytest.mark.parametrize("form", SEEDS, ids=lambda f: f["id"])
def test_keys_are_exactly_the_spec_fields_and_tables(form: dict[str, Any]) -> None:
    s = spec.build()
    assert set(form) == {"id", "year", *s.fields, *TABLES}
    assert not set(form) & set(s.checks)
    assert form["year"] == 2019


@pytest.mark.parametrize("form", SEEDS, ids=lambda f: f["id"])
def test_row_counts_and_subtotal(form: dict[str, Any]) -> None:
    n_sub, n_ind, annual = SHAPE[form["id"]]
    assert len(form["subprojects"]) == n_sub
    assert len(form["indicators"]) == n_ind
    assert form["annual_budget"] == annual
    assert sum(row["amount"] for row in form["subprojects"]) == form["annual_budget"]


@pytest.mark.parametrize("form", SEEDS, ids=lambda f: f["id"])
def test_money_is_plain_non_negative_numbers(form: dict[str, Any]) -> None:
    for key in MONEY:
        assert type(form[key]) is int and form[key] >= 0, key
    assert form["annual_budget"] <= form["total_budget"]
    assert form["prior_executed"] <= form["prior_budget"]
    for row in form["subprojects"]:
        assert set(row) == {"name", "amount"}
        assert type(row["amount"]) is int and row["amount"] > 0
        assert row["name"].strip() == row["name"] != ""


@pytest.mark.parametrize("form", SEEDS, ids=lambda f: f["id"])
def test_indicators_follow_the_framework(form: dict[str, Any]) -> None:
    fw = data.framework()
    for row in form["indicators"]:
        assert set(row) == {"level1", "level2", "level3", "target"}
        assert row["level2"] in fw.levels[row["level1"]], row
        assert row["level3"] and row["target"], row
        assert row["level3"].strip() == row["level3"] and row["target"].strip() == row["target"]
    assert {row["level1"] for row in form["indicators"]} == set(fw.level1)
    # Form order: the 一级 blocks come in framework order, each one contiguous.
    order = [fw.level1.index(row["level1"]) for row in form["indicators"]]
    assert order == sorted(order)


@pytest.mark.parametrize("form", SEEDS, ids=lambda f: f["id"])
def test_choices_and_dates(form: dict[str, Any]) -> None:
    assert form["project_type"] == "经常性专项业务费"
    assert form["category"] == "其他事业专业类"
    assert form["project_type"] in spec.choices("project_type")
    assert form["category"] in spec.choices("category")
    assert form["start"] == dt.date(2019, 1, 1)
    assert form["end"] == dt.date(2019, 12, 31)


@pytest.mark.parametrize("form", SEEDS, ids=lambda f: f["id"])
def test_text_fields_are_filled_and_joined(form: dict[str, Any]) -> None:
    s = spec.build()
    for key, f in s.fields.items():
        if f.kind in (spec.TEXT, spec.LONG):
            value = form[key]
            assert isinstance(value, str)
            assert value == "" if key == "remarks" else value.strip() == value != ""
            # PDF artefacts removed: no tabs, no indentation, no empty lines.
            assert "\t" not in value and "\n\n" not in value
            assert all(line == line.strip() for line in value.split("\n"))


def test_spot_values_form_1_ipo_patent() -> None:
    form = BY_ID["ipo-patent"]
    assert form["unit"] == "上海市知识产权局"
    assert form["project"] == "知识产权(专利扶持)专项资金"
    assert form["prior_executed"] == 169_429_617
    assert form["subprojects"] == [{"name": "专利一般资助", "amount": 90_250_000},
                                   {"name": "专利专项资助", "amount": 79_750_000}]
    assert form["basis"].count("\n") == 2 and form["basis"].startswith("《上海市专利资助办法》")
    assert form["indicators"][8] == {"level1": "产出目标", "level2": "数量目标",
                                     "level3": "每万人口发明专利拥有量", "target": "≥50"}
    # Printed twice on the form; kept (the checker warns indicator-duplicate).
    assert [r["level3"] for r in form["indicators"]].count("发明专利申请增长率") == 2


def test_spot_values_form_2_samr_redshield() -> None:
    form = BY_ID["samr-redshield"]
    assert form["unit"] == "上海市市场监督管理局"
    assert form["project"] == "红盾维权联络专项经费"
    assert (form["prior_budget"], form["prior_executed"]) == (14_185_000, 12_435_700)
    assert form["subprojects"] == [{"name": "联络点工作经费", "amount": 11_994_000}]
    assert form["measures"].count("\n") == 9 and form["measures"].split("\n")[9].startswith("10.《")
    rows = {r["level3"]: r for r in form["indicators"]}
    assert rows["接受咨询和宣传及培训增长率"]["target"] == "较上年增长"
    assert rows["消费者经济损失挽回率"]["level2"] == "经济效益目标"


def test_spot_values_form_3_ccc_complaints() -> None:
    form = BY_ID["ccc-complaints"]
    assert form["unit"] == "上海市消费者投诉举报中心（上海市保护知识产权举报投诉服务中心）"
    assert form["project"] == "消费者维权管理专项"
    assert [r["amount"] for r in form["subprojects"]] == [2_284_872, 1_600_000]
    rows = {r["level3"]: r for r in form["indicators"]}
    # The orphan "≥90%" of the extraction, reunited with its name.
    assert rows["12345市民热线诉求解决率"]["target"] == "≥90%"
    assert rows["市民知晓率"]["target"] == "位于各政府热线前列"
    assert rows["12345市民热线工单满意度"]["target"] == "位于各热线承办部门前列"
    assert rows["12315平台功能拓展能力"] == {"level1": "影响力目标", "level2": "可持续目标",
                                              "level3": "12315平台功能拓展能力", "target": "可拓展"}
    assert form["plan"].count("\n") == 3 and form["plan"].startswith("2019年第一季度：")


def test_spot_values_form_4_sqi_standards() -> None:
    form = BY_ID["sqi-standards"]
    assert form["unit"] == "上海市质量和标准化研究院"
    assert form["project"] == "标准资料费"
    assert form["subprojects"][0] == {"name": "国外其他技术资源", "amount": 112_500}
    assert form["subprojects"][13] == {"name": "国外专业协会、公司标准(86种)", "amount": 5_250_000}
    # Two cells with near-identical text on paper, told apart by one punctuation mark.
    assert "管理规定》，对以前" in form["measures"] and "管理规定》、对以前" in form["plan"]
    assert "（ASTM International）" in form["necessity"]
    rows = {r["level3"]: r for r in form["indicators"]}
    assert rows["社会总服务次数增长率"]["target"] == "≥前五年平均值的110%"
    assert rows["国外标准品种覆盖率"]["target"] == "80%"
    assert rows["项目立项规范性"]["level2"] == "项目立项"


def test_spot_values_form_5_samr_quality_award() -> None:
    form = BY_ID["samr-quality-award"]
    assert form["unit"] == "上海市市场监督管理局"
    assert form["project"] == "上海市政府质量奖"
    assert (form["prior_budget"], form["prior_executed"]) == (7_200_000, 5_100_000)
    assert form["overview"].endswith("获奖个人总数每年不超过5个。")
    assert form["basis"].endswith("相关依据：《上海市政府质量奖管理办法》（沪府办发〔2016〕39号）")
    rows = {r["level3"]: r for r in form["indicators"]}
    assert rows["表彰奖励计划完成率"]["target"] == "获奖组织和个人年度表彰奖励下拨完成，完成率达到100%"
    assert rows["评审过程投诉率"]["target"] == "评审过程合规性，达到100%"
    assert rows["资金到位率"] == {"level1": "投入和管理目标", "level2": "财务管理", "level3": "资金到位率",
                                  "target": "100%"}


# -- faulty.toml ----------------------------------------------------------------------------------------------


def _merged(case: dict[str, Any]) -> dict[str, Any]:
    values = dict(BY_ID[case["base"]])
    values.update(case["override"])
    return values


def _resolves(location: str) -> bool:
    s = spec.build()
    if location in s.fields:
        return True
    m = re.fullmatch(r"([a-z]+)\.(\d+)\.([a-z0-9]+)", location)
    if not m or m.group(1) not in s.tables:
        return False
    table = s.tables[m.group(1)]
    return 1 <= int(m.group(2)) <= table.capacity and m.group(3) in {c.key for c in table.input_columns}


def test_faulty_cases_are_well_formed() -> None:
    ids = [case["id"] for case in FAULTY]
    assert len(ids) == len(set(ids)) == 17
    keys = set(spec.build().fields) | set(TABLES)
    for case in FAULTY:
        assert re.fullmatch(r"(bad|warn)-[a-z0-9-]+", case["id"]), case["id"]
        assert case["base"] in BY_ID
        assert case["override"] and set(case["override"]) <= keys, case["id"]
        assert 1 <= len({code for code, _ in case["expect"]}) <= 3, case["id"]
        for code, location in case["expect"]:
            assert code in CODES and code not in NOT_SINGLE_FORM, (case["id"], code)
            assert _resolves(location), (case["id"], location)
        # A case that expects only warnings is named warn-, one with an error bad-.
        has_error = any(CODES[code] == ERROR for code, _ in case["expect"])
        assert case["id"].startswith("bad-" if has_error else "warn-"), case["id"]


def test_faulty_cases_together_cover_every_single_form_rule() -> None:
    covered = {code for case in FAULTY for code, _ in case["expect"]}
    errors = {code for code, sev in CODES.items() if sev == ERROR} - NOT_SINGLE_FORM
    warnings = {code for code, sev in CODES.items() if sev == WARNING} - NOT_SINGLE_FORM
    assert covered == errors | warnings
    assert errors == {"required-missing", "amount-invalid", "date-invalid", "date-order", "project-type-invalid",
                      "annual-exceeds-total", "subtotal-mismatch", "prior-exceeds-budget", "level1-missing",
                      "level2-invalid", "indicator-incomplete", "target-unparseable", "value-out-of-range"}
    assert warnings == {"date-outside-year", "prior-execution-low", "indicator-duplicate", "target-no-operator",
                        "target-percent-over-100", "target-vague"}


FAULTY_BY_ID = {case["id"]: case for case in FAULTY}


def test_faulty_values_carry_the_fault_they_claim() -> None:
    """The data-level fault behind each arithmetic/structural expectation, checked without the checker."""
    f = {case_id: _merged(case) for case_id, case in FAULTY_BY_ID.items()}
    fw = data.framework()

    blank = f["bad-required-missing"]
    assert blank["project"] == blank["necessity"] == "" and blank["subprojects"] == []

    amounts = f["bad-amount-text"]
    assert amounts["total_budget"] == "约17000万" and amounts["subprojects"][1]["amount"] == "7975万元"

    dates = f["bad-date-text"]
    assert (dates["start"], dates["end"]) == ("2019年13月", "年底")

    order = f["bad-date-order"]
    assert order["start"] > order["end"]

    outside = f["warn-date-outside-year"]
    assert outside["end"] < dt.date(2019, 1, 1)

    choice = f["bad-project-type"]
    assert choice["project_type"] not in spec.choices("project_type")
    assert choice["category"] not in spec.choices("category")

    over = f["bad-annual-exceeds-total"]
    assert over["annual_budget"] > over["total_budget"]
    assert sum(r["amount"] for r in over["subprojects"]) == over["annual_budget"]

    sub = f["bad-subtotal-mismatch"]
    assert sum(r["amount"] for r in sub["subprojects"]) == sub["annual_budget"] - 10_000
    assert sub["annual_budget"] <= sub["total_budget"]

    prior = f["bad-prior-exceeds-budget"]
    assert prior["prior_executed"] > prior["prior_budget"]

    low = f["warn-prior-execution-low"]
    assert 0 < low["prior_executed"] / low["prior_budget"] < 0.9

    missing = f["bad-level1-missing"]
    assert set(fw.level1) - {r["level1"] for r in missing["indicators"]} == {"影响力目标"}

    invalid = f["bad-level2-invalid"]["indicators"]
    assert invalid[2]["level2"] not in fw.levels[invalid[2]["level1"]]
    assert invalid[4]["level1"] not in fw.levels

    incomplete = f["bad-indicator-incomplete"]["indicators"]
    assert incomplete[1]["target"] == "" and incomplete[3]["level3"] == ""

    dup = [r["level3"] for r in f["warn-indicator-duplicate"]["indicators"]]
    assert dup[1] == dup[0] and len(set(dup)) == len(dup) - 1

    assert [r["target"] for r in f["bad-target-unparseable"]["indicators"]][2:4] == ["100%%", "高"]
    assert [r["target"] for r in f["warn-target-weak"]["indicators"]][:4] == ["99%", "合规", "≥120%", "较上年有所提高"]
