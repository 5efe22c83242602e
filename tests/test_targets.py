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


# -- forms published targets use (issue 10) ---------------------------------------------------------------------

# Deadlines and periods: text -> (operator, when, normalisations). Measurable time targets, not vague, not numbers.
DEADLINES: dict[str, tuple[str | None, str, tuple[str, ...]]] = {
    "2023年12月31日前": ("≤", "2023年12月31日", ()),
    "2023年12月31日": (None, "2023年12月31日", ()),
    "每年12月底前": ("≤", "每年12月底", ()),
    "12月底前完成": ("≤", "12月底", ()),
    "第三季度末": (None, "第三季度末", ()),
    "2023年第三季度末": (None, "2023年第三季度末", ()),
    "2021年全年": (None, "2021年全年", ()),
    "年底前": ("≤", "年底", ()),
    "每季度末": (None, "每季度末", ()),
    "截至2023年12月31日": ("≤", "2023年12月31日", ()),
    "2023-12-31前": ("≤", "2023-12-31", ()),
    "十二月底前": ("≤", "十二月底", ()),
    "当年完成": (None, "当年", ()),
    "≤2023年6月": ("≤", "2023年6月", ()),
    " 2023年 12月底前 ": ("≤", "2023年12月底", ("去除多余空格",)),
}


@pytest.mark.parametrize("text", list(DEADLINES))
def test_deadlines_are_time_targets(text: str) -> None:
    operator, when, notes = DEADLINES[text]
    t = parse_target(text)
    assert (t.kind, t.operator, t.when, t.number, t.unit, t.word, t.reason, t.normalisations) == (
        "deadline", operator, when, None, "", None, "", notes)


@pytest.mark.parametrize(
    ("text", "kind", "reason"),
    [
        ("2023年13月", "vague", "phrase"),  # no such month: not a deadline, a phrase for a reviewer
        ("2023年2月30日", "vague", "phrase"),
        ("每年", "vague", "phrase"),  # a recurrence without a time
        ("1月1日底", "vague", "phrase"),  # a day has no end-of
    ],
)
def test_what_is_not_a_deadline(text: str, kind: str, reason: str) -> None:
    t = parse_target(text)
    assert (t.kind, t.reason, t.when) == (kind, reason, "")


def test_a_year_is_not_a_number_but_a_count_of_years_is() -> None:
    assert parse_target("2021年全年").number is None
    assert (parse_target("≥3年").kind, parse_target("≥3年").number, parse_target("≥3年").unit) == (
        "quantitative", 3.0, "年")


@pytest.mark.parametrize(
    ("text", "normalised", "operator", "number", "unit"),
    [
        ("17元/人·天", "17元/人·天", None, 17.0, "元/人·天"),
        ("≤17元/人·天", "≤17元/人·天", "≤", 17.0, "元/人·天"),
        ("≤20元/人.每天", "≤20元/人.每天", "≤", 20.0, "元/人.每天"),
        ("≤50万元/个", "≤50万元/个", "≤", 50.0, "万元/个"),
        ("≤3000元/平方米", "≤3000元/平方米", "≤", 3000.0, "元/平方米"),
        ("≥500公斤/亩", "≥500公斤/亩", "≥", 500.0, "公斤/亩"),
        ("≤1.5元/人.每天", "≤1.5元/人.每天", "≤", 1.5, "元/人.每天"),
    ],
)
def test_compound_units(text: str, normalised: str, operator: str | None, number: float, unit: str) -> None:
    t = parse_target(text)
    assert (t.kind, t.normalised, t.operator, t.number, t.unit, t.normalisations) == (
        "quantitative", normalised, operator, number, unit, ())


@pytest.mark.parametrize(
    ("text", "normalised", "operator", "number", "unit", "notes"),
    [
        ("大于90%", ">90%", ">", 90.0, "%", ("“大于”改为“>”",)),
        ("小于5%", "<5%", "<", 5.0, "%", ("“小于”改为“<”",)),
        ("高于90%", ">90%", ">", 90.0, "%", ("“高于”改为“>”",)),
        ("低于5%", "<5%", "<", 5.0, "%", ("“低于”改为“<”",)),
        ("不超过3个月", "≤3个月", "≤", 3.0, "个月", ("“不超过”改为“≤”",)),
        ("90%以上", "≥90%", "≥", 90.0, "%", ("“以上”改为“≥”",)),
        ("5%以下", "≤5%", "≤", 5.0, "%", ("“以下”改为“≤”",)),
        ("3个月以内", "≤3个月", "≤", 3.0, "个月", ("“以内”改为“≤”",)),
        ("5个工作日内", "≤5个工作日", "≤", 5.0, "个工作日", ("“内”改为“≤”",)),
        ("≥95%以上", "≥95%", "≥", 95.0, "%", ("去除重复的“以上”",)),
        ("不低于95%以上", "≥95%", "≥", 95.0, "%", ("“不低于”改为“≥”", "去除重复的“以上”")),
        ("=99百分比", "=99百分比", "=", 99.0, "百分比", ()),
    ],
)
def test_comparator_words_in_front_or_behind(text: str, normalised: str, operator: str, number: float, unit: str,
                                            notes: tuple[str, ...]) -> None:
    test_quantitative_variants(text, normalised, operator, number, unit, notes)


def test_contradicting_comparators_are_not_read_as_a_number() -> None:
    t = parse_target("≤95%以上")
    assert (t.kind, t.reason, t.number) == ("vague", "phrase", None)


def test_percent_word_is_a_percentage() -> None:
    assert parse_target("=99百分比").is_percent


@pytest.mark.parametrize("text", ["好", "较好", "很好", "一般", "优", "优秀", "良", "合格", "达标", "中等"])
def test_grading_words_are_qualitative(text: str) -> None:
    t = parse_target(text)
    assert (t.kind, t.word, t.reason, t.operator, t.number) == ("qualitative", text, "grade", None, None)


def test_existing_qualitative_words_are_not_grades() -> None:
    assert (parse_target("良好").kind, parse_target("良好").reason) == ("qualitative", "")


@pytest.mark.parametrize("text", ["二100百分比", "100二", "≥九0%", "一100%"])
def test_garbled_numbers_are_not_silently_numbers(text: str) -> None:
    t = parse_target(text)
    assert (t.kind, t.reason, t.operator, t.number, t.unit) == ("unparseable", "garbled", None, None, "")


def test_a_sentence_with_a_numeral_next_to_a_digit_stays_a_sentence() -> None:
    t = parse_target("全年开展检查一1次，完成率100%")
    assert (t.kind, t.reason) == ("vague", "sentence")
