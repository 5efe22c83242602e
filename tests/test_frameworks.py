"""Indicator frameworks end to end: the file format and its errors, the shipped frameworks, templates made with each,
checks against the framework a form records (shipped or supplied with --framework), consolidation of mixed batches,
and a bureau's own framework file from template to consolidated workbook."""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from xltools import data, spec
from xltools.cli import main
from xltools.consolidate import consolidate, schemas, tables
from xltools.data import Framework, FrameworkFileError, Level3, parse_framework
from xltools.engine import check_file
from xltools.fill import fill
from xltools.reader import read_file
from xltools.template import LEVEL1_NAME, build_template, level2_formula, level2_name

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BUREAU = EXAMPLES / "frameworks" / "bureau-2026.toml"
sys.path.insert(0, str(EXAMPLES))
import make_examples  # noqa: E402

S = spec.build()
IND = S.tables["indicators"]
FORMS = {values["framework"]: values for values in make_examples.framework_forms()}


def ind(i: int, column: str) -> str:
    return IND.cell(column, i)


def codes(findings: list[Any]) -> list[tuple[str, str, str]]:
    return [(f.code, f.sheet, f.cell) for f in findings]


def framework_of(framework_id: str) -> Framework:
    return make_examples.framework_of(framework_id)


def write_form(folder: Path, framework_id: str, name: str | None = None, **override: Any) -> Path:
    """The example form of ``framework_id`` (examples/frameworks/forms.toml), with ``override`` applied."""
    values = {**FORMS[framework_id], **override}
    path = folder / (name or f"{framework_id}.xlsx")
    return make_examples.write_form(make_examples.form_values(values), values["year"], path,
                                    framework_of(framework_id))


def rows_of(framework_id: str) -> list[dict[str, str]]:
    return [dict(row) for row in FORMS[framework_id]["indicators"]]


# -- the shipped files -------------------------------------------------------------------------------------------------


def test_shipped_frameworks() -> None:
    assert data.framework_ids() == ("cost2021", "national", "sh2019")
    assert data.DEFAULT_FRAMEWORK == "sh2019"
    national, cost = data.framework("national"), data.framework("cost2021")
    assert national.levels == {
        "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
        "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
        "满意度指标": ("服务对象满意度指标",),
    }
    assert cost.levels == {
        "成本指标": ("经济成本指标", "社会成本指标", "生态环境成本指标"),
        "产出指标": ("数量指标", "质量指标", "时效指标"),
        "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
        "满意度指标": ("服务对象满意度指标",),
    }
    assert cost.required == cost.level1 and national.required == national.level1
    assert "财预〔2015〕88号" in national.source and "财预〔2021〕101号" in cost.source
    assert "2021-08-18" in cost.source and "2025-01-02" in cost.source


def test_sh2019_keeps_its_meaning() -> None:
    fw = data.framework("sh2019")
    assert fw.levels == {
        "投入和管理目标": ("项目立项", "投入管理", "财务管理", "项目实施"),
        "产出目标": ("数量目标", "质量目标", "时效目标", "成本目标"),
        "效果目标": ("经济效益目标", "社会效益目标", "生态效益目标"),
        "影响力目标": ("可持续目标", "满意度目标"),
    }
    assert fw.required == fw.level1 and fw.aliases == {} and fw.level2_aliases == {}
    assert fw.common_level3[:3] == ("预算执行率", "资金使用率", "资金到位率") and len(fw.common_level3) == 11
    assert fw.level3[0] == Level3("预算执行率", "%") and fw.level3[3] == Level3("财务管理制度健全性", "")
    assert fw.source


def test_the_present_file_format_stays_valid() -> None:
    """A file with only id, name, [[level1]] name + level2 and [common_level3] names, as before issue 10."""
    fw = parse_framework('id = "old"\nname = "旧格式"\n[[level1]]\nname = "甲"\nlevel2 = ["乙", "丙"]\n'
                         '[common_level3]\nnames = ["丁"]\n', "old.toml")
    assert (fw.id, fw.name, fw.levels, fw.common_level3, fw.required, fw.source) == (
        "old", "旧格式", {"甲": ("乙", "丙")}, ("丁",), ("甲",), "")
    assert fw.level3 == (Level3("丁"),) and fw.path == "old.toml"


# -- the Framework API -----------------------------------------------------------------------------------------------


def test_canonical_names_accept_aliases_spaces_and_width() -> None:
    fw = data.framework("national")
    assert fw.canonical_level1("产出指标") == "产出指标"
    assert fw.canonical_level1(" 产出 指标 ") == "产出指标"
    assert fw.canonical_level1("满意度") == "满意度指标"
    assert fw.canonical_level1("产出目标") is None and fw.canonical_level1("") is None
    assert fw.canonical_level2("满意度指标", "服务对象满意度") == "服务对象满意度指标"
    assert fw.canonical_level2("满意度", "服务对象 满意度指标") == "服务对象满意度指标"
    assert fw.canonical_level2("效益指标", "服务对象满意度指标") is None  # 满意度 put under 效益指标
    assert fw.canonical_level2("其他", "数量指标") is None
    bureau = data.load_framework_file(BUREAU)
    assert bureau.canonical_level1("1成本(总额)") == "1 成本（总额）"  # full-width brackets typed half-width
    assert bureau.required == ("1 成本（总额）", "2 产出指标", "3 效益指标", "4 满意度指标")
    assert bureau.optional == frozenset({"5 其他指标（选填）"})
    assert bureau.level1_spellings("1 成本（总额）") == ("1 成本（总额）", "成本指标")
    assert bureau.level2_spellings("4 满意度指标", "服务对象满意度指标") == ("服务对象满意度指标", "服务对象满意度")


def test_spellings_and_pickling() -> None:
    fw = data.framework("national")
    spellings = fw.spellings()
    assert set(spellings) == {"产出指标", "产出", "效益指标", "效益", "满意度指标", "满意度"}
    assert spellings["满意度"] == ("服务对象满意度指标", "服务对象满意度")
    registry = data.load_frameworks([BUREAU])
    again = pickle.loads(pickle.dumps(registry))
    assert again == registry and again.get("bureau-2026") == registry.supplied[0]
    assert again.get("bureau-2026").canonical_level1("成本指标") == "1 成本（总额）"  # type: ignore[union-attr]


# -- the file format's errors ----------------------------------------------------------------------------------------

GOOD = '''id = "x"
name = "体系"
[[level1]]
name = "产出指标"
level2 = ["数量指标"]
[[level1]]
name = "效益指标"
level2 = ["社会效益指标"]
'''
L3 = '\nlevel2 = ["数量指标"]'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('id = "x"\nname = \n', "第 2 行：第 8 列不是有效的 TOML（Invalid value）。"),
        (GOOD.replace('id = "x"\n', ""), "缺少键 id。"),
        (GOOD.replace('id = "x"', "id = 3"), "第 1 行：键 id 应为文字，实为数字（3）。"),
        (GOOD.replace('id = "x"', 'id = "我的"'), "第 1 行：id“我的”无效：只能用英文字母、数字、- 和 _，不超过 40 个字符。"),
        ('id = "x"\nname = "n"\n', "缺少键 level1。"),
        ('id = "x"\nname = "n"\nlevel1 = "a"\n', "键 level1 应为列表，实为文字（“a”）。"),
        (GOOD.replace("效益指标", "产出 指标"),
         "第 6 行：一级指标“产出 指标”重复（level1[1].name 与 level1[2].name；比较时不计空格和全角半角）。"),
        (GOOD.replace('["社会效益指标"]', "[]"), "第 6 行：键 level1[2].level2 为空列表：至少要有一项。"),
        (GOOD.replace(L3, L3 + "\nleve2 = 1"),
         "第 3 行：未知的键 level1[1].leve2（可用的键：name、level2、required、aliases、level2_aliases）。"),
        (GOOD.replace(L3, L3 + '\naliases = ["效益指标"]'),
         "第 7 行：一级指标“效益指标”重复（level1[1].aliases 与 level1[2].name；比较时不计空格和全角半角）。"),
        (GOOD.replace(L3, L3 + '\nlevel2_aliases = { "质量指标" = ["质量"] }'),
         "第 3 行：level1[1].level2_aliases 中的“质量指标”不是该一级指标的二级指标（数量指标）。"),
        (GOOD.replace('["数量指标"]', '["数量指标", "数量 指标"]'),
         "第 3 行：二级指标“数量 指标”重复（level1[1].level2[1] 与 level1[1].level2[2]；比较时不计空格和全角半角）。"),
        (GOOD.replace('["数量指标"]', '["数量指标", 3]'), "第 3 行：level1[1].level2[2] 应为文字，实为数字（3）。"),
        (GOOD.replace('"产出指标"', '"  "'), "第 3 行：level1[1].name 为空。"),
        (GOOD.replace(L3, L3 + '\nrequired = "no"'), "第 3 行：键 level1[1].required 应为true 或 false，实为文字（“no”）。"),
        (GOOD.replace("产出指标", "=产出"), "第 3 行：level1[1].name“=产出”不能以“=”开头（Excel 会当作公式）。"),
        (GOOD.replace("产出指标", "产出*"),
         "第 3 行：level1[1].name“产出*”含有“*”（Excel 查找时把 * ? ~ 当作通配符），请换用其他字符。"),
        (GOOD + '[common_level3]\nnames = ["a"]\nunits = { "b" = "%" }\n',
         "第 9 行：common_level3.units 中的“b”不在 common_level3.names 中。"),
        (GOOD + '[common_level3]\nname = ["a"]\n', "第 9 行：未知的键 common_level3.name（可用的键：names、units）。"),
        ('extra = 1\n' + GOOD, "未知的键 extra（可用的键：id、name、source、level1、common_level3）。"),
    ],
)
def test_a_bad_file_names_the_key_or_the_line(text: str, message: str) -> None:
    with pytest.raises(FrameworkFileError) as exc:
        parse_framework(text, "x.toml")
    assert str(exc.value) == f"指标体系文件“x.toml”{message}"


def test_file_encodings_and_unreadable_files(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes(GOOD.encode("gb18030"))
    assert data.load_framework_file(gbk).level1 == ("产出指标", "效益指标")
    bom = tmp_path / "bom.toml"
    bom.write_bytes(GOOD.encode("utf-8-sig"))
    assert data.load_framework_file(bom).id == "x"
    with pytest.raises(FrameworkFileError, match=r"无法读取指标体系文件“.*missing.toml”：文件不存在。"):
        data.load_framework_file(tmp_path / "missing.toml")
    with pytest.raises(FrameworkFileError, match=r"：这是一个文件夹，不是文件。"):
        data.load_framework_file(tmp_path)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 1_000_001)
    with pytest.raises(FrameworkFileError, match="过大"):
        data.load_framework_file(big)


def test_registry_ids_clash(tmp_path: Path) -> None:
    copy = tmp_path / "national.toml"
    copy.write_text((ROOT / "xltools/data/frameworks/national.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert data.load_frameworks([copy]).supplied == ()  # a copy of a shipped file adds nothing
    changed = tmp_path / "changed.toml"
    changed.write_text(GOOD.replace('id = "x"', 'id = "national"'), encoding="utf-8")
    with pytest.raises(FrameworkFileError, match="的 id“national”与内置指标体系相同而内容不同"):
        data.load_frameworks([changed])
    twin = tmp_path / "twin.toml"
    twin.write_text(BUREAU.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(FrameworkFileError, match="的 id 都是“bureau-2026”：同一次只能提供一个。"):
        data.load_frameworks([BUREAU, twin])
    registry = data.load_frameworks([BUREAU])
    assert registry.ids == ("cost2021", "national", "sh2019", "bureau-2026")
    assert registry.get("sh2019") is data.framework("sh2019") and registry.get("nope") is None


# -- templates -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("framework_id", ["sh2019", "national", "cost2021", "bureau-2026"])
def test_template_lists_and_dependent_dropdown_for_any_level1_text(framework_id: str) -> None:
    fw = framework_of(framework_id)
    wb = build_template(framework=fw)
    lists = wb[spec.LISTS_SHEET]

    def items(name: str) -> list[str]:
        ref = wb.defined_names[name].attr_text
        sheet, cells = ref.split("!")
        assert sheet.strip("'") == spec.LISTS_SHEET
        return [c.value for row in lists[cells.replace("$", "")] for c in row]

    assert items(LEVEL1_NAME) == list(fw.level1)
    for position, (level1, level2) in enumerate(fw.levels.items(), start=1):
        assert items(level2_name(position)) == list(level2)
        assert lists.cell(row=1, column=2 + len(data.choices()) + position - 1).value == f"{level1}·二级指标"
    assert not any(name in wb.defined_names for name in fw.level1)  # 一级 texts are never names now
    level2 = {str(dv.sqref): dv.formula1 for dv in wb[spec.FORM_SHEET].data_validations.dataValidation
              if dv.promptTitle == "二级指标"}
    first, boundary = IND.first_row, IND.first_row + IND.visible - 1
    assert level2 == {f"B{first}:B{boundary - 1}": level2_formula(f"$A{first}"),
                      f"B{boundary}": level2_formula(f"$A{boundary}"),
                      f"B{boundary + 1}:B{IND.last_row}": level2_formula(f"$A{boundary + 1}")}
    assert level2_formula("$A76") == 'INDIRECT("xlt_l2_"&MATCH($A76,xlt_level1,0))'
    meta = {row[0].value: row[1].value for row in wb[spec.META_SHEET].iter_rows()}
    assert meta["framework"] == fw.id


def test_level3_suggestions_carry_their_unit_on_the_lists_sheet() -> None:
    wb = build_template(framework="cost2021")
    lists = wb[spec.LISTS_SHEET]
    col = 2 + len(data.choices()) + len(data.framework("cost2021").levels)
    assert [lists.cell(row=r, column=col).value for r in range(1, 8)] == [
        "常用三级指标", "项目总成本", "单位成本", "分项成本", "验收合格率", "完成及时率", "服务对象满意度"]
    assert [lists.cell(row=r, column=col + 1).value for r in range(1, 8)] == [
        "常用三级指标·计量单位", "万元", "元", "万元", "%", "%", "%"]


def test_a_framework_without_suggestions_names_one_blank_cell() -> None:
    fw = parse_framework('id = "bare"\nname = "n"\n[[level1]]\nname = "甲"\nlevel2 = ["乙"]\n', "bare.toml")
    wb = build_template(framework=fw)
    letter = get_column_letter(len(data.choices()) + 3)  # after the choices, the 一级 list and the one 二级 list
    assert wb.defined_names["xlt_level3"].attr_text == f"'{spec.LISTS_SHEET}'!${letter}$2:${letter}$2"
    assert wb[spec.LISTS_SHEET][f"{letter}2"].value is None


def test_the_level1_error_text_stays_within_excel_limits() -> None:
    many = "\n".join(f'[[level1]]\nname = "第{i}类很长很长很长很长的一级指标名称"\nlevel2 = ["乙"]' for i in range(20))
    fw = parse_framework(f'id = "many"\nname = "n"\n{many}\n', "many.toml")
    form = build_template(framework=fw)[spec.FORM_SHEET]
    errors = {dv.error for dv in form.data_validations.dataValidation if dv.promptTitle == "一级指标"}
    assert errors == {"一级指标须为下拉列表中的一项。"}


# -- checking against the framework a form records -------------------------------------------------------------------

ALL = ["sh2019", "national", "cost2021", "bureau-2026"]


@pytest.fixture(scope="module")
def registry() -> data.Frameworks:
    return data.load_frameworks([BUREAU])


@pytest.mark.parametrize("framework_id", ALL)
def test_a_correctly_filled_form_has_no_finding(framework_id: str, tmp_path: Path, registry: data.Frameworks,
                                                ) -> None:
    result = check_file(write_form(tmp_path, framework_id), frameworks=registry)
    assert result.findings == []
    assert result.declaration is not None and result.declaration.framework == framework_id
    assert result.declaration.framework_def == framework_of(framework_id)


@pytest.mark.parametrize("framework_id", ALL)
def test_a_missing_required_level1_is_level1_missing(framework_id: str, tmp_path: Path,
                                                     registry: data.Frameworks) -> None:
    fw = framework_of(framework_id)
    missing = fw.required[0]
    rows = [r for r in rows_of(framework_id) if r["level1"] != missing]
    result = check_file(write_form(tmp_path, framework_id, indicators=rows), frameworks=registry)
    assert codes(result.findings) == [("level1-missing", spec.FORM_SHEET, ind(0, "level1"))]
    message = result.findings[0].message
    assert f"没有一级指标“{missing}”的指标" in message and "、".join(fw.levels[missing]) in message


@pytest.mark.parametrize("framework_id", ALL)
def test_a_level2_of_another_level1_is_level2_invalid(framework_id: str, tmp_path: Path,
                                                      registry: data.Frameworks) -> None:
    fw = framework_of(framework_id)
    rows = rows_of(framework_id)
    first, last = fw.level1[0], fw.required[-1]
    foreign = fw.levels[last][0]  # e.g. 服务对象满意度指标 put under the first 一级
    assert foreign not in fw.levels[first]
    rows[0] = {**rows[0], "level2": foreign}
    result = check_file(write_form(tmp_path, framework_id, indicators=rows), frameworks=registry)
    assert codes(result.findings) == [("level2-invalid", spec.FORM_SHEET, ind(0, "level2"))]
    assert f"二级指标“{foreign}”不属于一级指标“{first}”" in result.findings[0].message


def test_the_optional_level1_of_a_bureau_may_be_left_out_and_used(tmp_path: Path, registry: data.Frameworks) -> None:
    rows = [*rows_of("bureau-2026"), {"level1": "5 其他指标（选填）", "level2": "其他指标", "level3": "宣传报道次数",
                                      "target": "≥10次"}]
    assert check_file(write_form(tmp_path, "bureau-2026", indicators=rows), frameworks=registry).findings == []


def test_aliases_and_stray_spaces_pass_other_frameworks_names_do_not(tmp_path: Path) -> None:
    rows = rows_of("national")
    rows[0] = {**rows[0], "level1": "产出 指标"}
    rows[1] = {**rows[1], "level1": "产出", "level2": "质量"}
    rows[-1] = {**rows[-1], "level1": "满意度", "level2": "服务对象满意度"}
    assert check_file(write_form(tmp_path, "national", indicators=rows)).findings == []
    rows[2] = {**rows[2], "level1": "产出目标"}  # sh2019's name in a national form
    result = check_file(write_form(tmp_path, "national", "b.xlsx", indicators=rows))
    assert codes(result.findings) == [("level2-invalid", spec.FORM_SHEET, ind(2, "level1"))]
    assert "“产出目标”不在指标体系（项目支出绩效目标指标体系（产出、效益、满意度））中" in result.findings[0].message


def test_a_form_of_an_unknown_framework_is_a_template_mismatch_never_checked_otherwise(tmp_path: Path) -> None:
    path = write_form(tmp_path, "bureau-2026")
    result = check_file(path)
    assert codes(result.findings) == [("template-mismatch", spec.META_SHEET, "")]
    assert result.declaration is None
    assert result.findings[0].message == (
        "本表使用的指标体系“bureau-2026”不是内置指标体系（内置：cost2021、national、sh2019），本次也没有提供它的"
        "指标体系文件，无法按它检查。请向下发模板的部门索取该指标体系文件（.toml），检查或汇总时用 --framework 文件.toml 提供。")
    other = data.load_frameworks([_other_framework(tmp_path)])
    message = check_file(path, frameworks=other).findings[0].message
    assert "本次提供的指标体系文件（other）中也没有它" in message


def _other_framework(folder: Path) -> Path:
    path = folder / "other.toml"
    path.write_text(GOOD.replace('id = "x"', 'id = "other"'), encoding="utf-8")
    return path


# -- consolidation ---------------------------------------------------------------------------------------------------


def test_a_mixed_batch_is_checked_and_covered_per_framework(tmp_path: Path, registry: data.Frameworks) -> None:
    folder = tmp_path / "in"
    for framework_id in ALL:
        write_form(folder, framework_id, project=f"项目 {framework_id}")
    rows = rows_of("national")
    rows[0] = {**rows[0], "level1": "产出 指标"}  # counts as 产出指标
    write_form(folder, "national", "national-2.xlsx", project="另一个项目", indicators=rows[:4])
    summary = consolidate([folder], tmp_path / "out.xlsx", jobs=1, frameworks=registry)
    assert [(f.code, Path(f.file).name, f.cell) for f in summary.findings] == [
        ("level1-missing", "national-2.xlsx", ind(0, "level1")),
        ("level1-missing", "national-2.xlsx", ind(0, "level1")),
    ]
    assert summary.tables is not None
    coverage = [tuple(r) for r in summary.tables.by_level1.itertuples(index=False)]
    assert coverage == [
        ("1 成本（总额）", 1, 1, "bureau-2026"), ("2 产出指标", 1, 2, "bureau-2026"), ("3 效益指标", 1, 1, "bureau-2026"),
        ("4 满意度指标", 1, 1, "bureau-2026"), ("5 其他指标（选填）", 0, 0, "bureau-2026"),
        ("成本指标", 1, 3, "cost2021"), ("产出指标", 1, 3, "cost2021"), ("效益指标", 1, 1, "cost2021"),
        ("满意度指标", 1, 1, "cost2021"),
        ("产出指标", 2, 8, "national"), ("效益指标", 1, 2, "national"), ("满意度指标", 1, 1, "national"),
        ("投入和管理目标", 1, 2, "sh2019"), ("产出目标", 1, 2, "sh2019"), ("效果目标", 1, 1, "sh2019"),
        ("影响力目标", 1, 1, "sh2019"),
    ]
    indicators = summary.tables.indicators
    assert list(indicators.columns)[-3:] == [tables.SOURCE, tables.CELL, tables.FRAMEWORK]
    by_file = indicators.groupby(indicators[tables.SOURCE].map(lambda p: Path(p).name))[tables.FRAMEWORK].unique()
    assert {k: list(v) for k, v in by_file.items()} == {
        "bureau-2026.xlsx": ["bureau-2026"], "cost2021.xlsx": ["cost2021"], "national-2.xlsx": ["national"],
        "national.xlsx": ["national"], "sh2019.xlsx": ["sh2019"]}
    # The parsed target columns: a compound unit, a qualitative word, a deadline (kind 时限, nothing else split out).
    parsed = indicators.set_index(tables.TARGET).loc[["≤2000元/件", "可控", "第三季度末", "每年12月底前"],
                                                     ["目标类型", "比较符", "目标数值", "计量单位", "定性词"]].drop_duplicates()
    assert parsed.astype(object).where(parsed.notna(), None).values.tolist() == [
        ["定量", "≤", 2000.0, "元/件", None], ["定性", None, None, None, "可控"],
        ["时限", None, None, None, None], ["时限", "≤", None, None, None]]


def test_the_table_check_judges_each_row_by_its_own_framework(registry: data.Frameworks) -> None:
    rows = [("national", "产出指标", "成本指标"), ("cost2021", "产出指标", "成本指标"), ("national", "满意度", "服务对象满意度"),
            ("sh2019", "产出指标", "数量指标"), ("bureau-2026", "1成本(总额)", "经济成本指标"),
            ("bureau-2026", "2 产出指标", "经济成本指标")]
    df = tables.frame([("甲局", "项目", i, a, b, "x", "≥1", "定量", "≥", 1.0, None, None, "f.xlsx", f"A{60 + i}", fid)
                       for i, (fid, a, b) in enumerate(rows, start=1)], tables.INDICATORS)
    token = schemas._FRAMEWORKS.set(registry)
    try:
        assert schemas.IndicatorSchema.level1_known(df).tolist() == [True, True, True, False, True, True]
        assert schemas.IndicatorSchema.level2_allowed(df).tolist() == [True, False, True, True, True, False]
    finally:
        schemas._FRAMEWORKS.reset(token)
    found = schemas.validate({"indicators": df}, frameworks=registry)
    assert sorted((f.code, f.cell) for f in found) == [
        ("level2-invalid", "A64"), ("level2-invalid", "B62"), ("level2-invalid", "B66")]


# -- the command line, and a bureau's file end to end ----------------------------------------------------------------


def run(*args: str) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_bureau_framework_end_to_end(tmp_path: Path) -> None:
    made = run("template", "--framework", BUREAU, "--year", "2026", "--out", tmp_path / "t")
    assert made.exit_code == 0, made.output
    template = tmp_path / "t" / spec.TEMPLATE_FILENAME
    assert (tmp_path / "t" / "绩效目标申报表.xlsm").exists()
    assert "指标体系 bureau-2026" in made.output

    wb = load_workbook(template)
    fill(wb, make_examples.form_values(FORMS["bureau-2026"]))
    returned = tmp_path / "回收" / "甲.xlsx"
    returned.parent.mkdir()
    wb.save(returned)
    decl = read_file(returned, frameworks=data.load_frameworks([BUREAU])).declaration
    assert decl is not None and (decl.framework, decl.year) == ("bureau-2026", 2026)

    checked = run("check", "--framework", BUREAU, "--json", returned)
    assert (checked.exit_code, json.loads(checked.output)) == (0, [])

    alone = run("check", "--json", returned)
    assert alone.exit_code == 1
    (finding,) = json.loads(alone.output)
    assert (finding["code"], finding["sheet"], finding["cell"]) == ("template-mismatch", spec.META_SHEET, "")
    assert "“bureau-2026”" in finding["message"] and "--framework 文件.toml" in finding["message"]

    out = tmp_path / "汇总.xlsx"
    merged = run("consolidate", "--framework", BUREAU, returned.parent, "-o", out, "--jobs", "1")
    assert merged.exit_code == 0, merged.output
    assert merged.output.startswith("共读取 1 个文件：1 份申报表已汇总，0 个文件有错误")
    sheet = load_workbook(out)["绩效指标"]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "指标体系"
    assert [(r[3], r[4], r[-1]) for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        (row["level1"], row["level2"], "bureau-2026") for row in FORMS["bureau-2026"]["indicators"]]

    unknown = run("consolidate", returned.parent, "-o", tmp_path / "b.xlsx", "--jobs", "1")
    assert unknown.exit_code == 1 and "1 个无法读取或不是本模板" in unknown.output
    problems = list(load_workbook(tmp_path / "b.xlsx")["问题清单"].iter_rows(min_row=2, values_only=True))
    assert [(p[1], p[3]) for p in problems] == [(spec.META_SHEET, "template-mismatch")]


def test_template_framework_option_errors_exit_2(tmp_path: Path) -> None:
    nope = run("template", "--framework", "nope", "--out", tmp_path)
    assert nope.exit_code == 2
    assert "未知的指标体系“nope”：内置的有 cost2021、national、sh2019，也可给出指标体系文件（.toml）的路径。" in nope.output
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\nname = \n', encoding="utf-8")
    for args in (("template", "--framework", bad, "--out", tmp_path), ("check", "--framework", bad, BUREAU),
                 ("consolidate", "--framework", bad, BUREAU, "-o", tmp_path / "o.xlsx")):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "第 2 行：第 8 列不是有效的 TOML" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == [bad]
    missing = run("check", "--framework", tmp_path / "none.toml", BUREAU)
    assert missing.exit_code == 2 and f"文件“{tmp_path / 'none.toml'}”不存在。" in missing.output


def test_template_framework_by_id(tmp_path: Path) -> None:
    made = run("template", "--framework", "national", "--out", tmp_path)
    assert made.exit_code == 0, made.output
    meta = load_workbook(tmp_path / spec.TEMPLATE_FILENAME)[spec.META_SHEET]
    assert {r[0]: r[1] for r in meta.iter_rows(values_only=True)}["framework"] == "national"


def test_committed_framework_examples_match_their_data(tmp_path: Path) -> None:
    fresh = make_examples.write_framework_forms(tmp_path)
    registry = data.load_frameworks([BUREAU])
    for path in fresh:
        a = read_file(path, frameworks=registry).declaration
        b = read_file(EXAMPLES / "frameworks" / path.name, frameworks=registry).declaration
        assert a is not None and b is not None
        assert (a.framework, a.fields, a.indicators) == (b.framework, b.fields, b.indicators), path.name
    assert sorted(p.name for p in (ROOT / "docs").glob("template-*.png")) == [
        f"template-{fid}.png" for fid in sorted(ALL)]
