"""parse_target: normalisation and kind of every target seen in the approved forms, and of typed variants."""

from __future__ import annotations

import pytest

from xltools.targets import Target, format_number, is_capped_rate, parse_target

# Every target in the five approved seed forms: text -> (kind, operator, number, unit, word, reason).
SEED_TARGETS: dict[str, tuple[str, str | None, float | None, str, str | None, str]] = {
    "≥99%": ("quantitative", "≥", 99.0, "%", None, ""),
    "=100%": ("quantitative", "=", 100.0, "%", None, ""),
    "≥50": ("quantitative", "≥", 50.0, "", None, ""),
    "≥2%": ("quantitative", "≥", 2.0, "%", None, ""),
    "≥95%": ("quantitative", "≥", 95.0, "%", None, ""),
    "≥85%": ("quantitative", "≥", 85.0, "%", None, ""),
    "≥90%": ("quantitative", "≥", 90.0, "%", None, ""),
    "≥80%": ("quantitative", "≥", 80.0, "%", None, ""),
    "≥0.75": ("quantitative", "≥", 0.75, "", None, ""),
    "100%": ("quantitative", None, 100.0, "%", None, ""),
    "80%": ("quantitative", None, 80.0, "%", None, ""),
    "达到100%": ("quantitative", "≥", 100.0, "%", None, ""),
    "健全": ("qualitative", None, None, "", "健全", ""),
    "有效": ("qualitative", None, None, "", "有效", ""),
    "合规": ("qualitative", None, None, "", "合规", ""),
    "增强": ("qualitative", None, None, "", "增强", ""),
    "完善": ("qualitative", None, None, "", "完善", ""),
    "及时": ("qualitative", None, None, "", "及时", ""),
    "可拓展": ("qualitative", None, None, "", "可拓展", ""),
    "规范": ("qualitative", None, None, "", "规范", ""),
    "建立及完善": ("qualitative", None, None, "", "建立及完善", ""),
    "完备": ("qualitative", None, None, "", "完备", ""),
    "良好": ("qualitative", None, None, "", "良好", ""),
    "较上年增长": ("vague", None, None, "", None, "relative"),
    "位于各政府热线前列": ("vague", None, None, "", None, "relative"),
    "位于各热线承办部门前列": ("vague", None, None, "", None, "relative"),
    "≥前五年平均值的110%": ("vague", None, None, "", None, "relative"),
    "获奖组织和个人年度表彰奖励下拨完成，完成率达到100%": ("vague", None, None, "", None, "sentence"),
    "获得市长质量奖组织不超过2家、个人不超过2人，获得质量金奖的组织不超过10家，个人不超过5人。":
        ("vague", None, None, "", None, "sentence"),
    "评审过程合规性，达到100%": ("vague", None, None, "", None, "sentence"),
    "树立一批行业内质量先进的标杆组织和个人，有效推广其先进管理模式或理念，带动行业质量水平提升":
        ("vague", None, None, "", None, "sentence"),
}


@pytest.mark.parametrize("text", list(SEED_TARGETS))
def test_seed_targets(text: str) -> None:
    kind, operator, number, unit, word, reason = SEED_TARGETS[text]
    t = parse_target(text)
    assert (t.kind, t.operator, t.number, t.unit, t.word, t.reason) == (kind, operator, number, unit, word, reason)
    assert t.text == text
    assert t.kind != "unparseable"


def test_seed_normalisations_are_recorded() -> None:
    assert parse_target("达到100%").normalised == "≥100%"
    assert parse_target("达到100%").normalisations == ("“达到”改为“≥”",)
    # A sentence keeps its operator words; only the trailing full stop goes.
    t = parse_target("获得市长质量奖组织不超过2家、个人不超过2人，获得质量金奖的组织不超过10家，个人不超过5人。")
    assert t.normalised == "获得市长质量奖组织不超过2家、个人不超过2人，获得质量金奖的组织不超过10家，个人不超过5人"
    assert t.normalisations == ("去除末尾标点",)
    assert parse_target("≥99%").normalisations == ()


@pytest.mark.parametrize(
    ("text", "normalised", "operator", "number", "unit", "notes"),
    [
        ("＞＝１００％", "≥100%", "≥", 100.0, "%", ("全角数字、字母或符号改为半角", "“>=”改为“≥”")),
        ("＝１００％", "=100%", "=", 100.0, "%", ("全角数字、字母或符号改为半角",)),
        (" >= 99 % ", "≥99%", "≥", 99.0, "%", ("去除多余空格", "“>=”改为“≥”")),
        ("<=3个月", "≤3个月", "≤", 3.0, "个月", ("“<=”改为“≤”",)),
        ("≧95％", "≥95%", "≥", 95.0, "%", ("全角数字、字母或符号改为半角",)),
        ("≤3个月", "≤3个月", "≤", 3.0, "个月", ()),
        ("≥300件", "≥300件", "≥", 300.0, "件", ()),
        ("≥1,000", "≥1000", "≥", 1000.0, "", ("去除数字中的千位分隔符",)),
        ("不低于80%", "≥80%", "≥", 80.0, "%", ("“不低于”改为“≥”",)),
        ("不少于300件", "≥300件", "≥", 300.0, "件", ("“不少于”改为“≥”",)),
        ("不小于0.8", "≥0.8", "≥", 0.8, "", ("“不小于”改为“≥”",)),
        ("至少5次", "≥5次", "≥", 5.0, "次", ("“至少”改为“≥”",)),
        ("不超过2家", "≤2家", "≤", 2.0, "家", ("“不超过”改为“≤”",)),
        ("超过2家", ">2家", ">", 2.0, "家", ("“超过”改为“>”",)),
        ("95%以上", "≥95%", "≥", 95.0, "%", ("“以上”改为“≥”",)),
        ("3个月以内", "≤3个月", "≤", 3.0, "个月", ("“以内”改为“≤”",)),
        ("< 5%", "<5%", "<", 5.0, "%", ("去除多余空格",)),
        ("≥99%。", "≥99%", "≥", 99.0, "%", ("去除末尾标点",)),
        ("≥1.5万元", "≥1.5万元", "≥", 1.5, "万元", ()),
    ],
)
def test_quantitative_variants(text: str, normalised: str, operator: str, number: float, unit: str,
                               notes: tuple[str, ...]) -> None:
    t = parse_target(text)
    assert (t.kind, t.normalised, t.operator, t.number, t.unit, t.normalisations) == (
        "quantitative", normalised, operator, number, unit, notes)


@pytest.mark.parametrize("text", ["高", "abc", "??", "100%%", "≥", "无", "90%-95%", "？？", "--"])
def test_unparseable(text: str) -> None:
    t = parse_target(text)
    assert (t.kind, t.reason, t.operator, t.number) == ("unparseable", "junk", None, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("同比增长5%", "relative"),
        ("不低于往年", "relative"),
        ("逐步提高", "relative"),
        ("按时完成", "phrase"),
        ("较好", "phrase"),
        ("100%完成", "phrase"),
        ("全部完成；无投诉", "sentence"),
    ],
)
def test_vague(text: str, reason: str) -> None:
    t = parse_target(text)
    assert (t.kind, t.reason) == ("vague", reason)


def test_qualitative_after_normalisation() -> None:
    t = parse_target(" 健全。")
    assert (t.kind, t.word, t.normalised, t.normalisations) == ("qualitative", "健全", "健全", ("去除末尾标点",))


@pytest.mark.parametrize("value", ["", "   ", None, "\n"])
def test_blank(value: object) -> None:
    assert parse_target(value) == Target(text="" if value is None else str(value), normalised="", kind="blank")


def test_numbers_from_cells_and_odd_objects() -> None:
    t = parse_target(1.0)
    assert (t.kind, t.text, t.operator, t.number) == ("quantitative", "1", None, 1.0)
    assert parse_target(0.995).number == 0.995
    assert parse_target(object()).kind == "unparseable"


def test_is_percent() -> None:
    assert parse_target("≥99%").is_percent
    assert parse_target("≥99％").is_percent
    assert not parse_target("≥99").is_percent
    assert not parse_target("≥99个百分点").is_percent
    assert not parse_target("健全").is_percent


@pytest.mark.parametrize(
    ("name", "capped"),
    [
        ("预算执行率", True),
        ("社会公众或服务对象满意度", True),
        ("联络点居（村）委会覆盖率", True),
        ("", True),
        ("发明专利申请增长率", False),
        ("支撑政府机构服务次数增长率", False),
        ("营业收入增幅", False),
        ("投入产出比", False),
        ("服务效率 提高 程度", False),
    ],
)
def test_is_capped_rate(name: str, capped: bool) -> None:
    assert is_capped_rate(name) is capped


def test_format_number() -> None:
    assert [format_number(x) for x in (100.0, 0.75, 2.5, 0.0)] == ["100", "0.75", "2.5", "0"]
