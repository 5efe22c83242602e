"""The reader: typed values, normalisations recorded, foreign and damaged files recognised."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xltools import spec
from xltools.fill import fill
from xltools.reader import read_file
from xltools.template import build_template

S = spec.build()
F = S.fields
SUB = S.tables["subprojects"]
IND = S.tables["indicators"]


def write(tmp_path: Path, values: dict[str, Any], name: str = "form.xlsx", year: int = 2019) -> Path:
    wb = build_template(year=year)
    fill(wb, values)
    path = tmp_path / name
    wb.save(path)
    return path


def test_blank_template_reads_as_an_empty_declaration(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, {}))
    assert result.findings == []
    decl = result.declaration
    assert decl is not None
    assert (decl.year, decl.framework, decl.template_version, decl.sheet) == (2019, "sh2019", spec.TEMPLATE_VERSION, "申报表")
    assert all(v.blank and v.value is None for v in decl.fields.values())
    assert [v.cell for v in decl.fields.values()] == [f.cell for f in F.values()]
    assert decl.subprojects == [] and decl.indicators == [] and decl.normalisations == []


def test_values_are_typed(tmp_path: Path) -> None:
    path = write(tmp_path, {
        "unit": "  上海市知识产权局 ",
        "project_type": "经常性专项业务费",
        "start": dt.date(2019, 1, 1),
        "end": dt.datetime(2019, 12, 31),
        "total_budget": 170000000,
        "annual_budget": 1234.5,
        "overview": "第一段\n第二段",
        "subprojects": [{"name": "专利一般资助", "amount": 90250000}, {"name": "专利专项资助", "amount": 79750000}],
    })
    decl = read_file(path).declaration
    assert decl is not None
    assert decl["unit"].value == "上海市知识产权局"
    assert decl["project_type"].value == "经常性专项业务费"
    assert decl["start"].value == dt.date(2019, 1, 1)
    assert decl["end"].value == dt.date(2019, 12, 31)
    assert decl["total_budget"].value == 170000000.0
    assert decl["annual_budget"].value == 1234.5
    assert decl["overview"].value == "第一段\n第二段"
    assert [(s.row, s.name.value, s.amount.value, s.amount.cell) for s in decl.subprojects] == [
        (SUB.first_row, "专利一般资助", 90250000.0, SUB.cell("amount", 0)),
        (SUB.first_row + 1, "专利专项资助", 79750000.0, SUB.cell("amount", 1)),
    ]


@pytest.mark.parametrize(
    ("raw", "value", "problem", "reason"),
    [
        ("1,200,000", 1200000.0, None, "去除以文字输入的千位分隔符，以文字输入的数字转为数值"),
        ("１２００", 1200.0, None, "全角数字或空格转为半角，以文字输入的数字转为数值"),
        (" 300 ", 300.0, None, "以文字输入的数字转为数值"),
        ("约100", None, "不是有效的金额数字", None),
        ("1,200万", None, "不是有效的金额数字", None),
        (-5, None, "金额为负数", None),
        ("12,00", None, "不是有效的金额数字", None),
    ],
)
def test_money_normalisation(tmp_path: Path, raw: Any, value: Any, problem: Any, reason: Any) -> None:
    decl = read_file(write(tmp_path, {"total_budget": raw})).declaration
    assert decl is not None
    cv = decl["total_budget"]
    assert (cv.value, cv.problem) == (value, problem)
    notes = [(n.cell, n.reason) for n in decl.normalisations]
    assert notes == ([(F["total_budget"].cell, reason)] if reason else [])


@pytest.mark.parametrize(
    ("raw", "value", "problem"),
    [
        ("2019/1/1", dt.date(2019, 1, 1), None),
        ("2019-01-01", dt.date(2019, 1, 1), None),
        ("2019年3月5日", dt.date(2019, 3, 5), None),
        ("1月1日", dt.date(2019, 1, 1), None),  # the seeds write this: the budget year is implied
        ("2019年13月1日", None, "不是有效日期"),
        ("明年", None, "不是有效日期"),
        (43466, dt.date(2019, 1, 1), None),  # a date whose cell lost its format reads as a serial number
        (7, None, "日期超出合理范围（1900年）"),  # the date format shows 7 as 1900-01-07
    ],
)
def test_date_normalisation(tmp_path: Path, raw: Any, value: Any, problem: Any) -> None:
    decl = read_file(write(tmp_path, {"start": raw})).declaration
    assert decl is not None
    assert (decl["start"].value, decl["start"].problem) == (value, problem)


def test_formula_typed_into_cells_is_text_or_invalid(tmp_path: Path) -> None:
    wb = build_template()
    ws = wb[spec.FORM_SHEET]
    ws[F["project"].cell] = '=HYPERLINK("http://x.invalid","看")'  # openpyxl stores a real formula
    ws[F["total_budget"].cell] = "=1+2"
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    decl = read_file(path).declaration
    assert decl is not None
    assert decl["project"].value == '=HYPERLINK("http://x.invalid","看")'
    assert decl["total_budget"].value is None
    assert decl["total_budget"].problem == "金额单元格中是公式，请直接填写数值"
    assert [(n.cell, n.reason) for n in decl.normalisations] == [(F["project"].cell, "单元格中填写了公式，按文字读取，不计算")]


def test_blank_levels_are_carried_down_within_a_group(tmp_path: Path) -> None:
    rows = [
        {"level1": "投入和管理目标", "level2": "投入管理", "level3": "预算执行率", "target": "≥99%"},
        {"level3": "资金使用率", "target": "=100%"},  # both blank: same as above
        {"level2": "财务管理", "level3": "财务监控有效性", "target": "有效"},  # 一级 carried, new 二级
        {"level1": "产出目标", "level3": "足额资助率", "target": "=100%"},  # new 一级: 二级 not carried across
        {},  # a blank row in the middle is skipped
        {"level3": "资助及时率", "target": "≥95%"},
    ]
    decl = read_file(write(tmp_path, {"indicators": rows})).declaration
    assert decl is not None
    got = [(i.row, i.level1.value, i.level2.value, i.level3.value, i.level1_inherited, i.level2_inherited)
           for i in decl.indicators]
    r = IND.first_row
    assert got == [
        (r, "投入和管理目标", "投入管理", "预算执行率", False, False),
        (r + 1, "投入和管理目标", "投入管理", "资金使用率", True, True),
        (r + 2, "投入和管理目标", "财务管理", "财务监控有效性", True, False),
        (r + 3, "产出目标", None, "足额资助率", False, False),
        (r + 5, "产出目标", None, "资助及时率", True, False),
    ]
    # The inherited cell keeps its own address: a finding points at what the person sees.
    assert decl.indicators[1].level1.cell == IND.cell("level1", 1)
    assert [n.cell for n in decl.normalisations] == [
        IND.cell("level1", 1), IND.cell("level2", 1), IND.cell("level1", 2), IND.cell("level1", 5)]


# -- files that are not (our) forms ----------------------------------------------------------------------------

def only_finding(path: Path) -> tuple[str, str, str, str]:
    result = read_file(path)
    assert result.declaration is None
    assert len(result.findings) == 1
    f = result.findings[0]
    assert f.file == str(path)
    return (f.code, f.sheet, f.cell, f.message)


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.xlsx"
    p.write_bytes(b"")
    assert only_finding(p) == ("file-unreadable", "", "", "文件为空（0 字节），不是 Excel 工作簿。请重新保存后再报送。")


def test_text_file_named_xlsx(tmp_path: Path) -> None:
    p = tmp_path / "text.xlsx"
    p.write_text("单位,项目\n", encoding="utf-8")
    code, _sheet, _cell, message = only_finding(p)
    assert (code, message) == ("file-unreadable", "文件不是 Excel 工作簿（内容不是 .xlsx/.xls/.ods 格式）。请用 Excel 或 WPS 另存为 .xlsx。")


def test_truncated_zip(tmp_path: Path) -> None:
    data = write(tmp_path, {"unit": "x"}).read_bytes()
    p = tmp_path / "truncated.xlsx"
    p.write_bytes(data[: len(data) // 2])
    code, _sheet, _cell, message = only_finding(p)
    assert code == "file-unreadable"
    assert message == "文件已损坏或不完整（压缩结构无效）。请重新保存后再报送。"


def test_encrypted_workbook(tmp_path: Path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto.format.ooxml")
    plain = write(tmp_path, {"unit": "x"})
    p = tmp_path / "encrypted.xlsx"
    with plain.open("rb") as src, p.open("wb") as dst:
        msoffcrypto.OOXMLFile(src).encrypt("1234", dst)
    assert only_finding(p) == ("file-unreadable", "", "", "工作簿已设置打开密码（已加密），无法读取。请取消打开密码后再报送。")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    p = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert only_finding(p)[::3] == ("file-unreadable", "文件是压缩包但不是 Excel 工作簿。")


def test_foreign_workbook(tmp_path: Path) -> None:
    p = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(p)
    assert only_finding(p) == ("template-mismatch", "", "",
                               "不是本申报表模板生成的工作簿（工作表：Sheet1）。请使用下发的《上海市财政支出项目绩效目标申报表》模板填写。")


def test_renamed_form_sheet(tmp_path: Path) -> None:
    wb = build_template()
    wb[spec.FORM_SHEET].title = "申报表(1)"
    p = tmp_path / "renamed.xlsx"
    wb.save(p)
    code, _sheet, cell, message = only_finding(p)
    assert (code, cell) == ("template-mismatch", "")
    assert message.startswith("找不到工作表“申报表”（现有：申报表(1)、自查说明、校验结果、_lists、_xltools、_checks）")


def test_rows_inserted_above_the_indicator_table(tmp_path: Path) -> None:
    wb = build_template()
    wb[spec.FORM_SHEET].insert_rows(IND.title_row, 2)
    p = tmp_path / "inserted.xlsx"
    wb.save(p)
    code, sheet, cell, message = only_finding(p)
    assert (code, sheet, cell) == ("template-mismatch", "申报表", f"A{IND.title_row}")
    assert message.startswith(f"表格结构被改动：A{IND.title_row} 应为“分解目标”，实为“（空）”。")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("template_id", "someone-else", "模板标识不符（someone-else），不是本申报表模板。请使用下发的模板重新填写。"),
    ("version", "9", "模板版本 9 不受支持（支持：1、2、3）。请使用最新下发的模板。"),
])
def test_unknown_template_id_or_version(tmp_path: Path, key: str, value: str, message: str) -> None:
    wb = build_template()
    ws = wb[spec.META_SHEET]
    ws.cell(row=spec.META_KEYS.index(key) + 1, column=2).value = value
    p = tmp_path / "meta.xlsx"
    wb.save(p)
    assert only_finding(p) == ("template-mismatch", spec.META_SHEET, "", message)


def test_reading_never_modifies_the_input(tmp_path: Path) -> None:
    p = write(tmp_path, {"unit": "x", "total_budget": "1,000"})
    before = (p.read_bytes(), p.stat().st_mtime_ns)
    read_file(p)
    assert (p.read_bytes(), p.stat().st_mtime_ns) == before


def test_target_normalisations_are_recorded(tmp_path: Path) -> None:
    rows = [{"level1": "产出目标", "level2": "数量目标", "level3": "完成率", "target": "＞＝１００％"},
            {"level3": "资金到位率", "target": ">= 99 %"}]
    decl = read_file(write(tmp_path, {"indicators": rows})).declaration
    assert decl is not None
    notes = [(n.cell, n.before, n.after) for n in decl.normalisations if n.cell.startswith("D")]
    assert notes and {n[0] for n in notes} == {IND.cell("target", 0), IND.cell("target", 1)}
    assert {n[2] for n in notes} == {"≥100%", "≥99%"}


def test_unknown_framework_is_a_template_mismatch(tmp_path: Path) -> None:
    wb = build_template()
    wb[spec.META_SHEET].cell(row=spec.META_KEYS.index("framework") + 1, column=2).value = "national2030"
    p = tmp_path / "fw.xlsx"
    wb.save(p)
    assert only_finding(p) == ("template-mismatch", spec.META_SHEET, "",
                               "本表使用的指标体系“national2030”不是内置指标体系（内置：cost2021、national、sh2019），"
                                   "本次也没有提供它的指标体系文件，无法按它检查。请向下发模板的部门索取该指标体系文件"
                                   "（.toml），检查或汇总时用 --framework 文件.toml 提供。")


# -- one lookup of the version's spec per read ------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize(("path", "version", "codes"), [
    (EXAMPLES / "faulty" / "bad-required-missing.xlsx", "3", [*["required-missing"] * 3, "indicator-duplicate"]),
    (EXAMPLES / "faulty" / "bad-subtotal-mismatch.xlsx", "3",
     ["subtotal-mismatch", *["target-no-operator"] * 6, *["target-vague"] * 2]),
    (EXAMPLES / "versions" / "v1_05_上海市市场监督管理局_上海市政府质量奖.xlsx", "1",
     ["prior-execution-low", "target-no-operator", *["target-vague"] * 5]),
])
def test_a_returned_file_looks_up_its_version_spec_once(path: Path, version: str, codes: list[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A file's trip through consolidation (reader, rules, the consolidation rows) resolves the form's spec once,
    in the reader, and hands it down: every lookup of any version's spec goes through Family.form."""
    from xltools.consolidate import rows

    rows.read(path)  # first use: module-level lookups (labels, the rows a reader fetches) happen once per process
    calls: list[str] = []
    original = spec.Family.form

    def counting(self: spec.Family, version: str) -> spec.FormSpec:
        calls.append(version)
        return original(self, version)

    monkeypatch.setattr(spec.Family, "form", counting)
    result = rows.read(path)
    assert (result.version, [f.code for f in result.findings]) == (version, codes)
    assert calls == [version]
