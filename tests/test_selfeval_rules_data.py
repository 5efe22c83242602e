"""The self-evaluation's scoring rules as data (xltools/data/selfeval_rules.toml) and the arithmetic both the engine
and the live formulas follow (xltools.scoring): every expected number here is worked out by hand in the comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from xltools import data
from xltools.data.selfeval_rules import RulesFileError, Scoring, load_rules_file, parse_rules, selfeval_rules
from xltools.scoring import allocate, execution, indicator_score, needs_reason, read_actual, round2
from xltools.targets import parse_target

RULES = selfeval_rules()
SHIPPED = (Path(data.__file__).parent / "selfeval_rules.toml").read_text(encoding="utf-8")


def test_shipped_rules_are_the_national_defaults() -> None:
    s = RULES.scoring
    assert (RULES.id, s.execution_weight, s.indicator_total, s.deviation, s.bare_operator) == (
        "national2020", 10, 90, 30, "≥")
    assert RULES.categories == {"产出": 50, "效益": 30, "满意度": 10}
    assert [(b.name, b.low, b.high) for b in s.bands] == [
        ("达成预期指标", 80, 100), ("部分达成预期指标", 50, 80), ("未达成预期指标", 0, 50)]
    assert [(g.name, g.min) for g in s.grades] == [("优", 90), ("良", 80), ("中", 60), ("差", 0)]


def test_every_source_says_what_it_supports_and_where_it_is() -> None:
    assert len(RULES.sources) >= 5
    assert all(src.title and src.supports for src in RULES.sources)
    assert {src.url for src in RULES.sources if src.url} >= {
        "http://www.ccpitnc.org/maocudongtai/2022-12-13/332.html",  # 财预〔2020〕10号
        "https://pdf.chddh.cn/archives/48n5zg2zkkjxn27q6rjv.html",  # 普陀区 2022 (元)
    }
    assert any("财预〔2020〕10号" in src.title for src in RULES.sources)


@pytest.mark.parametrize("framework_id", ["sh2019", "national", "cost2021"])
def test_every_mapping_names_a_level1_or_pair_of_its_framework(framework_id: str) -> None:
    fw = data.framework(framework_id)
    table = RULES.mapping[framework_id]
    for name in table:
        level1, _, level2 = name.partition("/")
        assert fw.canonical_level1(level1) == level1, name
        if level2:
            assert fw.canonical_level2(level1, level2) == level2, name
    # every 一级 of the framework is mapped: its indicators never share the indicator total "unmapped"
    assert {n.partition("/")[0] for n in table} == set(fw.level1)


def test_categories_follow_names_as_the_framework_compares_them() -> None:
    sh, national = data.framework("sh2019"), data.framework("national")
    assert RULES.category("sh2019", sh, "影响力目标", "满意度目标") == "满意度"  # the 二级 entry wins
    assert RULES.category("sh2019", sh, "影响力目标", "可持续目标") == "效益"
    assert RULES.category("sh2019", sh, "投入和管理目标", "财务管理") == "产出"
    assert RULES.category("national", national, "满意度 指标", "服务对象满意度") == "满意度"  # spacing, alias
    assert RULES.category("national", None, "产出指标", "") == "产出"  # no framework at hand: by name key
    assert RULES.category("bureau-2026", None, "1 成本（总额）", "经济成本指标") is None  # not mapped


def test_scoring_travels_as_json_and_back() -> None:
    s = RULES.scoring
    assert Scoring.from_meta(s.to_meta()) == s
    assert Scoring.from_meta("") is None
    assert Scoring.from_meta('{"execution_weight": 10}') is None


def test_allocate_by_hand() -> None:
    weights = RULES.categories
    # national, 3 产出 + 2 效益 + 1 满意度: 50/3 = 16.666.. -> 16.67, 16.67, 16.66 (two cents left, to the first
    # two); 效益 30/2 = 15 each; 满意度 10.
    assert allocate(90, weights, ["产出", "产出", "产出", "效益", "效益", "满意度"]) == [
        16.67, 16.67, 16.66, 15.0, 15.0, 10.0]
    # no 满意度 indicator: its 10 go to 产出 and 效益 as 50 : 30, i.e. 56.25 and 33.75: 4 x 14.0625 and 2 x 16.875;
    # floored to cents 4 x 14.06 + 2 x 16.87 = 89.98, the two cents left go to the largest remainders (0.5 cent of
    # each 效益 row against 0.25 of each 产出 row)
    assert allocate(90, weights, ["产出"] * 4 + ["效益"] * 2) == [14.06] * 4 + [16.88, 16.88]
    # nothing mapped: 90 / 4 each
    assert allocate(90, weights, [None] * 4) == [22.5] * 4
    # 1 of 3 unmapped: it gets 90/3 = 30; 产出 and 效益 share 60 as 50 : 30 -> 37.5 and 22.5
    assert allocate(90, weights, ["产出", None, "效益"]) == [37.5, 30.0, 22.5]
    # 7 rows of one category: 90/7 = 12.857142..; floored 7 x 12.85 = 89.95, the five cents left to the first five
    assert allocate(90, weights, ["产出"] * 7) == [12.86] * 5 + [12.85] * 2
    assert allocate(90, weights, []) == []
    for case in (["产出"] * 11 + ["效益"] * 3 + ["满意度"], ["产出", "满意度"] * 9):
        assert round(sum(allocate(90, weights, case)), 2) == 90


def test_execution_score_by_hand() -> None:
    # 普陀区 2022: 215,457.6 / 250,000 = 0.8618304 -> 8.618304 -> 8.62; 9,034 / 20,000 = 0.4517 -> 4.517 -> 4.52
    assert execution(10, 250000, 215457.6) == (0.8618304, 8.62)
    assert execution(10, 20000, 9034) == (0.4517, 4.52)
    assert execution(10, 100, 150) == (1.5, 10)  # at most the 分值
    assert execution(10, 0, 0) == (None, 0) and execution(10, None, 5) == (None, 0)
    assert round2(4.515) == 4.52 and round2(2.675) == 2.68 and round2(-2.5) == -2.5  # half away from zero


@pytest.mark.parametrize(("op", "target", "actual", "weight", "score"), [
    ("≥", 20, 18, 16.67, 15.0),  # 16.67 x 18/20 = 15.003
    ("≥", 95, 98, 16.67, 16.67),  # met
    (">", 95, 95, 10, 10),  # not met, but 95/95 = 1: the full 分值
    ("≤", 90, 100, 10, 9.0),  # 10 x 90/100
    ("<", 3, 4, 8, 6.0),  # 8 x 3/4
    ("≤", 90, 50, 10, 10),  # met
    ("=", 100, 98, 4.55, 4.46),  # 4.55 x 98/100 = 4.459
    ("=", 100, 105, 10, 9.52),  # 10 x 100/105 = 9.5238..
    ("=", 0, 0, 5, 5),
    ("≥", 0, -1, 5, 0),  # a target of 0: the ratio is 0
    ("≥", 90, 85, 10, 9.44),  # 10 x 85/90 = 9.444..
    ("≥", 100, 45.15, 10, 4.52),  # 10 x 0.4515 = 4.515 -> 4.52, half away from zero
])
def test_indicator_score_by_hand(op: str, target: float, actual: float, weight: float, score: float) -> None:
    assert indicator_score(op, target, actual, weight) == score


def test_reasons_are_needed_below_the_target_and_far_beyond_it() -> None:
    assert needs_reason("≥", 1000, 999, 30)
    assert not needs_reason("≥", 1000, 1299, 30)
    assert needs_reason("≥", 1000, 1300, 30)  # exactly 30% beyond (100 x 300 >= 30 x 1000)
    assert needs_reason("≤", 90, 60, 30) and not needs_reason("≤", 90, 70, 30)  # 33% under a ceiling
    assert not needs_reason("≥", 0, 5, 30)  # a zero target has no percentage


@pytest.mark.parametrize(("raw", "target", "number"), [
    ("98%", "≥95%", 98), ("１００％", "=100%", 100), (" 97 % ", "≥95%", 97), ("98百分比", "≥95%", 98),
    ("99百分比", "=99百分比", 99), ("300件", "≥300件", 300), ("300", "≥300件", 300), (".5", "≥1", 0.5),
    (48, "≥50", 48), (0.98, "≥95%", 0.98), ("1.5万元", "≤2万元", 1.5),
])
def test_actuals_that_read(raw: object, target: str, number: float) -> None:
    assert read_actual(raw, parse_target(target)).number == number


@pytest.mark.parametrize(("raw", "target"), [
    ("≥98%", "≥95%"), ("1,000件", "≥300件"), ("300个", "≥300件"), ("98%", "≥300件"), ("约98%", "≥95%"),
    ("达成预期指标", "≥95%"), ("5.", "≥1"), (True, "≥1"), ("98 5", "≥95%"),
])
def test_actuals_that_do_not_read(raw: object, target: str) -> None:
    actual = read_actual(raw, parse_target(target))
    assert actual.number is None and actual.problem


def _spoil(old: str, new: str) -> str:
    assert old in SHIPPED, old
    return SHIPPED.replace(old, new, 1)


@pytest.mark.parametrize(("text", "message"), [
    (_spoil('id = "national2020"', 'id = "国家 2020"'), "id“国家 2020”无效"),
    (_spoil("weight = 10\n", "weight = 20\n"), "各 category 的 weight 合计为 90，应为 100 − execution.weight = 80"),
    (_spoil("weight = 10\n", 'weight = "十"\n'), "键 execution.weight 应为数字，实为文字（“十”）"),
    (_spoil('"满意度指标" = "满意度"', '"满意度指标" = "满意"'), "mapping.national 中“满意度指标”的类别“满意”不是 category 中的一个"),
    (_spoil("low = 50\nhigh = 80", "low = 60\nhigh = 85"), "band[2].high 应为 80"),
    (_spoil('name = "差"\nmin = 0', 'name = "差"\nmin = 10'), "最后一个 grade 的 min 应为 0"),
    (_spoil('name = "良"\nmin = 80', 'name = "良"\nmin = 95'), "grade[2].min 应小于上一个等级的 min（90）"),
    (_spoil('bare_operator = "≥"', 'bare_operator = "大于"'), "quantitative.bare_operator“大于”应为"),
    (_spoil("deviation = 30", "deviation = 0"), "键 quantitative.deviation 为 0，应在 0.01 到 10000 之间"),
    (_spoil("[execution]", "[execution]\nround = 2"), "未知的键 execution.round"),
    (_spoil('[[grade]]\nname = "优"', '[[grade]]\nname = "优"\nmax = 100'), "未知的键 grade[1].max"),
    ("extra = 1\n" + SHIPPED, "未知的键 extra"),
    (_spoil('name = "产出"\nweight = 50', 'name = "产出"'), "缺少键 category[1].weight"),
    (SHIPPED.replace("[quantitative]", "[quantitative\n"), "不是有效的 TOML"),
])
def test_a_bad_rules_file_is_named_with_its_key(text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "本局规则.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesFileError) as err:
        load_rules_file(path)
    assert str(err.value).startswith(f"自评规则文件“{path}”")
    assert message in str(err.value)


def test_a_bureau_file_with_the_provincial_variant(tmp_path: Path) -> None:
    """执行率 weighted 20 and qualitative bands 80/60: the categories must then share 80."""
    text = (SHIPPED.replace('id = "national2020"', 'id = "province-x"').replace("weight = 10\n", "weight = 20\n", 1)
            .replace("weight = 50", "weight = 40").replace("low = 50\nhigh = 80", "low = 60\nhigh = 80")
            .replace("low = 0\nhigh = 50", "low = 0\nhigh = 60"))
    path = tmp_path / "province.toml"
    path.write_bytes(text.encode("gb18030"))
    rules = load_rules_file(path)
    assert (rules.id, rules.scoring.execution_weight, rules.scoring.indicator_total) == ("province-x", 20, 80)
    assert [(b.low, b.high) for b in rules.scoring.bands] == [(80, 100), (60, 80), (0, 60)]
    assert parse_rules(SHIPPED, "x") == RULES
