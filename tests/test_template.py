"""The canonical template: exact layout, protection, validations, checks, print setup, stamp, golden file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Protection
from openpyxl.utils.protection import hash_password
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from tests.conftest import COMMITTED_TEMPLATE
from xltools import data, live, spec
from xltools.cli import main
from xltools.template import (
    TemplateError,
    build_template,
    semantic_dump,
    unlocked_cells,
    write_template,
    write_unit_templates,
)
from xltools.units import UnitsFileError, read_units, safe_filename

FORM = spec.build()
HASH = hash_password(spec.DEFAULT_PASSWORD)  # the legacy 16-bit sheet hash Excel and WPS understand


@pytest.fixture(scope="module")
def wb(template_path: Path) -> Workbook:
    return load_workbook(template_path)


@pytest.fixture(scope="module")
def form(wb: Workbook) -> Worksheet:
    return wb[spec.FORM_SHEET]


def test_sheets_in_order_with_helpers_hidden(wb: Workbook) -> None:
    assert [(ws.title, ws.sheet_state) for ws in wb.worksheets] == [
        ("申报表", "visible"), ("校验结果", "visible"), ("_lists", "hidden"), ("_xltools", "hidden"),
        ("_checks", "hidden")]
    assert wb.active.title == "申报表"  # type: ignore[union-attr]


def test_workbook_structure_is_protected(wb: Workbook) -> None:
    assert wb.security is not None
    assert wb.security.lockStructure is True
    assert wb.security.workbookPassword == HASH


LOCKED_ACTIONS = dict.fromkeys(
    ("sheet", "objects", "scenarios", "formatCells", "formatColumns", "insertColumns", "insertRows",
     "insertHyperlinks", "deleteColumns", "deleteRows", "sort", "autoFilter", "pivotTables"), True)
ALLOWED = {"selectLockedCells": False, "selectUnlockedCells": False, "formatRows": False}


@pytest.mark.parametrize(
    ("sheet", "expected"),
    [
        # Staff may select anything and format rows (taller rows for long text, unhide table rows); nothing else.
        ("申报表", {**LOCKED_ACTIONS, **ALLOWED}),
        # The check may also format its result cells.
        ("校验结果", {**LOCKED_ACTIONS, **ALLOWED, "formatCells": False}),
        ("_lists", {**LOCKED_ACTIONS, **ALLOWED}),
        ("_xltools", {**LOCKED_ACTIONS, **ALLOWED}),
    ],
)
def test_sheet_protection_flags(wb: Workbook, sheet: str, expected: dict[str, bool]) -> None:
    prot = wb[sheet].protection
    assert {k: getattr(prot, k) for k in expected} == expected
    assert prot.password == HASH


def test_unlocked_cells_are_exactly_the_spec_input_cells(wb: Workbook, form: Worksheet) -> None:
    assert unlocked_cells(form) == set(FORM.input_cells())
    assert len(FORM.input_cells()) == 318
    # The results sheet: summary cell and the whole result block, nothing else.
    first = spec.RESULTS_HEADER_ROW + 1
    block = {f"{c}{r}" for c in "ABCDE" for r in range(first, first + spec.RESULTS_CAPACITY)}
    assert unlocked_cells(wb["校验结果"]) == {"A1"} | block
    assert unlocked_cells(wb["_lists"]) == set()
    assert unlocked_cells(wb["_xltools"]) == set()
    assert unlocked_cells(wb["_checks"]) == set()
    assert [(ws.title, ws.sheet_state, ws.protection.sheet) for ws in wb.worksheets[2:]] == [
        ("_lists", "hidden", True), ("_xltools", "hidden", True), ("_checks", "hidden", True)]


def test_layout_labels_titles_and_merges(form: Worksheet) -> None:
    for cell, text in FORM.labels(spec.DEFAULT_YEAR).items():
        assert form[cell].value == text, cell
    assert form["A1"].value == "上海市财政支出项目绩效目标申报表"
    assert form["A2"].value == "（2019年）"
    merged = {str(r) for r in form.merged_cells.ranges}
    assert {"A1:D1", "A2:D2", "B4:D4", "B9:D9", "B114:D114", "A16:D16", "B17:C17", "B18:C18", "B47:C47",
            "B48:C48", "A52:D52"} <= merged
    spans = {f.span for f in FORM.fields.values() if f.span} | {c.span for c in FORM.checks.values() if c.span}
    assert spans <= merged
    # 序号 is printed, locked: 1..30.
    t = FORM.tables["subprojects"]
    assert [form[f"A{r}"].value for r in t.rows] == list(range(1, 31))
    assert [form.column_dimensions[c].width for c in "ABCD"] == list(spec.COLUMN_WIDTHS)


def test_rows_beyond_visible_are_hidden_and_long_text_rows_tall(form: Worksheet) -> None:
    hidden = {r for r, d in form.row_dimensions.items() if d.hidden}
    assert hidden == set(range(28, 48)) | set(range(76, 114))
    assert FORM.tables["subprojects"].capacity == 30 and FORM.tables["indicators"].capacity == 60
    for row, height in FORM.row_heights.items():
        assert form.row_dimensions[row].height == height
    for key in ("overview", "basis", "necessity", "measures", "plan"):
        cell = form[FORM.fields[key].cell]
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
        assert form.row_dimensions[FORM.fields[key].row].height == (90 if key == "plan" else 84)


def _dvs(ws: Worksheet) -> dict[str, tuple[str | None, str | None, str | None, str | None, str | None]]:
    return {str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2, dv.errorStyle)
            for dv in ws.data_validations.dataValidation}


def test_each_validation_type_formula_and_range(form: Worksheet) -> None:
    money = ("decimal", "greaterThanOrEqual", "0", None, "stop")
    # Serial numbers of 2009-01-01 and 2029-12-31: ten years either side of the budget year 2019.
    date = ("date", "between", "39814", "47483", "stop")
    text_only = (None, None, None, None, None)  # a prompt, no restriction
    indicator_segments = [("54:74"), ("75"), ("76:113")]

    def seg(col: str, rows: str) -> str:
        return ":".join(f"{col}{r}" for r in rows.split(":"))

    expected = {
        "B6": ("list", None, "xlt_project_type", None, "stop"),
        "B7": ("list", None, "xlt_category", None, "stop"),
        "B8": date, "D8": date,
        "B9": text_only, "B10": text_only, "B11": text_only, "B12": text_only,
        "B13": money, "D13": money, "B14": money, "D14": money,
        "B49": text_only, "B50": text_only, "B51": text_only, "B114": text_only,
        "B18:B26": text_only, "B27": text_only, "B28:B47": text_only,
        "D18:D26": money, "D27": money, "D28:D47": money,
    }
    for rows in indicator_segments:
        top = rows.split(":")[0]
        expected[seg("A", rows)] = ("list", None, "xlt_level1", None, "stop")
        # The dependent dropdown: the 二级 list of the chosen 一级's position (xlt_l2_1 ...).
        expected[seg("B", rows)] = ("list", None, f'INDIRECT("xlt_l2_"&MATCH($A{top},xlt_level1,0))', None, "stop")
        # Suggestions that still accept free text.
        expected[seg("C", rows)] = ("list", None, "xlt_level3", None, "information")
        expected[seg("D", rows)] = ("textLength", "lessThanOrEqual", "50", None, "warning")
    assert _dvs(form) == expected


def test_every_validation_has_a_chinese_prompt_and_error_within_excel_limits(form: Worksheet) -> None:
    for dv in form.data_validations.dataValidation:
        assert dv.showInputMessage and dv.promptTitle and dv.prompt, dv.sqref
        assert len(dv.promptTitle) <= 32 and len(dv.prompt) <= 255, dv.sqref
        assert any("\u4e00" <= ch <= "\u9fff" for ch in dv.prompt)
        if dv.type is not None:
            assert dv.showErrorMessage and dv.errorTitle and dv.error, dv.sqref
            assert len(dv.errorTitle) <= 32 and len(dv.error) <= 225, dv.sqref
    prompts = {str(dv.sqref): dv.prompt for dv in form.data_validations.dataValidation}
    # The last visible row of each table says how to unhide the rest.
    assert prompts["D27"].endswith("本表另有 20 行已隐藏：选中本行和“合计”行的行号，右键“取消隐藏”即可显示。")
    assert prompts["A75"].endswith("本表另有 38 行已隐藏：选中本行和“备注”行的行号，右键“取消隐藏”即可显示。")
    assert "隐藏" not in prompts["D18:D26"]


def test_number_formats_of_money_date_and_rate_cells(form: Worksheet) -> None:
    for key in ("total_budget", "annual_budget", "prior_budget", "prior_executed"):
        assert form[FORM.fields[key].cell].number_format == "#,##0.00"
    assert {form[f"D{r}"].number_format for r in FORM.tables["subprojects"].rows} == {"#,##0.00"}
    assert form["D48"].number_format == "#,##0.00"
    assert form["B8"].number_format == form["D8"].number_format == "yyyy-mm-dd"
    assert form["B15"].number_format == "0.00%"
    # Short text is Text ("@") so 100% stays as typed; long text is General, since Excel shows a Text cell of
    # more than 255 characters as ####.
    assert form[FORM.fields["project"].cell].number_format == "@"
    assert {form[f"D{r}"].number_format for r in FORM.tables["indicators"].rows} == {"@"}
    for key in ("overview", "basis", "necessity", "measures", "plan", "overall_goal", "annual_goal", "remarks"):
        assert form[FORM.fields[key].cell].number_format == "General", key


def _list_values(wb: Workbook, name: str) -> list[str]:
    sheet, ref = wb.defined_names[name].attr_text.split("!")
    assert sheet == "'_lists'"
    return [c.value for (c,) in wb["_lists"][ref.replace("$", "")]]


def test_defined_names_behind_the_dropdowns(wb: Workbook) -> None:
    fw = data.framework("sh2019")
    assert _list_values(wb, "xlt_level1") == ["投入和管理目标", "产出目标", "效果目标", "影响力目标"]
    assert {name: _list_values(wb, name) for name in ("xlt_l2_1", "xlt_l2_2", "xlt_l2_3", "xlt_l2_4")} == {
        "xlt_l2_1": ["项目立项", "投入管理", "财务管理", "项目实施"],
        "xlt_l2_2": ["数量目标", "质量目标", "时效目标", "成本目标"],
        "xlt_l2_3": ["经济效益目标", "社会效益目标", "生态效益目标"],
        "xlt_l2_4": ["可持续目标", "满意度目标"],
    }
    assert _list_values(wb, "xlt_level3") == list(fw.common_level3)
    assert _list_values(wb, "xlt_project_type") == list(spec.choices("project_type"))
    assert _list_values(wb, "xlt_category") == list(spec.choices("category"))
    assert {n: wb.defined_names[n].attr_text for n in ("xlt_flag_sheets", "xlt_flag_cells", "xlt_flag_severities")} \
        == {"xlt_flag_sheets": "'校验结果'!$B$4:$B$2003", "xlt_flag_cells": "'校验结果'!$C$4:$C$2003",
            "xlt_flag_severities": "'校验结果'!$A$4:$A$2003"}


def test_check_formulas(form: Worksheet) -> None:
    assert form["B15"].value == (
        '=IF(AND(ISNUMBER($B$14),ISNUMBER($D$14)),IF($B$14>0,$D$14/$B$14,""),"")')
    assert form["D15"].value == (
        '=IF(AND(ISNUMBER($B$13),ISNUMBER($D$13)),IF($D$13<=$B$13+0.005,"正确","当年预算超过总预算"),"")')
    assert form["D48"].value == "=SUM($D$18:$D$47)"
    assert form["B48"].value == (
        '=IF(COUNT($D$18:$D$47)=0,"",IF(NOT(ISNUMBER($D$13)),"",'
        'IF(ABS($D$48-$D$13)<=0.005,"合计与项目当年预算一致","合计与项目当年预算不一致")))')
    assert form["A3"].value == live.status_formula()
    for check in FORM.checks.values():
        assert form[check.cell].protection.locked is True


RED, ORANGE, GREEN, TODO = "00FFC7CE", "00FFD8A8", "00E2F0D9", "00FFF6D5"


def test_conditional_formats_turn_inconsistent_cells_red(form: Worksheet) -> None:
    rules = [(set(str(cf.sqref).split()), list(r.formula), r.dxf.fill.bgColor.rgb, r.priority)
             for cf in form.conditional_formatting for r in cf.rules]
    mismatch = "AND(COUNT($D$18:$D$47)>0,ISNUMBER($D$13),ABS($D$48-$D$13)>0.005)"
    inputs = set(["B4:B14", "B18:B47", "B49:B51", "B54:B114", "D8", "D13:D14", "D18:D47", "A54:A113", "C54:C113",
                  "D54:D113"])
    status = live.status_conditions()
    assert sorted(rules, key=lambda r: r[3]) == [
        # The status line: red with errors, orange with warnings only, green when the form is clean.
        ({"A3:D3"}, [status["error"]], RED, 1),
        ({"A3:D3"}, [status["warning"]], ORANGE, 2),
        ({"A3:D3"}, [status["clean"]], GREEN, 3),
        # The check cells' own displays.
        ({"B15"}, ["AND(ISNUMBER($B$14),ISNUMBER($D$14),$D$14>$B$14+0.005)"], RED, 4),
        ({"B15"}, ["AND(ISNUMBER($B$15),$D$14<0.9*$B$14-0.005)"], ORANGE, 5),
        ({"D15"}, ["AND(ISNUMBER($B$13),ISNUMBER($D$13),$D$13>$B$13+0.005)"], RED, 6),
        ({"D48"}, [mismatch], RED, 7),
        ({"B48"}, [mismatch], RED, 8),
        # Every input cell: findings listed on 校验结果 and the live checks; red before orange; a calm tint for
        # required cells of a form nobody has started.
        (inputs, ['COUNTIFS(xlt_flag_sheets,"申报表",xlt_flag_cells,ADDRESS(ROW(),COLUMN(),4),'
                  'xlt_flag_severities,"错误")>0'], RED, 9),
        (inputs, ["OR(INDEX(xlt_live_errors,ROW(),COLUMN())>0,"
                  "AND(xlt_live_started=1,INDEX(xlt_live_required,ROW(),COLUMN())>0))"], RED, 10),
        (inputs, ['COUNTIFS(xlt_flag_sheets,"申报表",xlt_flag_cells,ADDRESS(ROW(),COLUMN(),4),'
                  'xlt_flag_severities,"警告")>0'], ORANGE, 11),
        (inputs, ["INDEX(xlt_live_warnings,ROW(),COLUMN())>0"], ORANGE, 12),
        (inputs, ["AND(xlt_live_started<>1,INDEX(xlt_live_required,ROW(),COLUMN())>0)"], TODO, 13),
    ]


def test_print_setup(wb: Workbook, form: Worksheet) -> None:
    ps = form.page_setup
    assert (ps.paperSize, ps.orientation, ps.fitToWidth, ps.fitToHeight) == (9, "portrait", 1, 0)
    assert form.sheet_properties.pageSetUpPr.fitToPage is True
    assert form.print_title_rows == "$1:$2"
    assert form.print_area == "'申报表'!$A$1:$D$114"
    m = form.page_margins
    assert (m.left, m.right, m.top, m.bottom, m.header, m.footer) == (0.6, 0.6, 0.8, 0.8, 0.3, 0.3)
    assert form.print_options.horizontalCentered is True
    assert form.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert form.oddFooter.left.text == "模板 xltools.sh-perf-target 第 2 版"
    results = wb["校验结果"].page_setup
    assert (results.paperSize, results.orientation, results.fitToWidth, results.fitToHeight) == (
        9, "landscape", 1, 0)


def test_version_stamp_read_back_with_calamine(template_path: Path) -> None:
    book = CalamineWorkbook.from_path(str(template_path))
    assert book.sheet_names == ["申报表", "校验结果", "_lists", "_xltools", "_checks"]
    meta = book.get_sheet_by_name("_xltools").to_python()
    assert [row[:2] for row in meta[:5]] == [
        ["template_id", "xltools.sh-perf-target"], ["version", "2"], ["year", "2019"], ["framework", "sh2019"],
        ["unit_locked", "0"]]
    # The live checks' rule codes in column D (counts in E are formulas: no cached value until recalculated).
    assert [row[3] for row in meta[:len(live.LIVE_CODES)]] == list(live.LIVE_CODES)
    rows = book.get_sheet_by_name("申报表").to_python()
    assert rows[0][0] == "上海市财政支出项目绩效目标申报表" and rows[1][0] == "（2019年）"
    results = book.get_sheet_by_name("校验结果").to_python()
    assert results[0][0] == "尚未校验。"
    assert results[2] == ["严重程度", "工作表", "单元格", "规则", "说明"]


def test_committed_template_matches_a_fresh_build(template_path: Path) -> None:
    assert semantic_dump(template_path) == semantic_dump(COMMITTED_TEMPLATE), (
        "templates/绩效目标申报表.xlsx is stale: run `xltools template --out templates`")


def test_semantic_dump_sees_a_changed_prompt_a_lock_and_a_hidden_row(template_path: Path, tmp_path: Path) -> None:
    base = semantic_dump(template_path)
    for change in ("prompt", "lock", "row"):
        wb = load_workbook(template_path)
        ws = wb["申报表"]
        if change == "prompt":
            ws.data_validations.dataValidation[0].prompt = "改过"
        elif change == "lock":
            ws["A4"].protection = Protection(locked=False)
        else:
            ws.row_dimensions[28].hidden = False
        wb.save(tmp_path / f"{change}.xlsx")
        assert semantic_dump(tmp_path / f"{change}.xlsx") != base, change


def test_another_year_and_password(tmp_path: Path) -> None:
    wb = build_template(year=2021, password="秘密pw")
    ws = wb["申报表"]
    assert ws["A2"].value == "（2021年）"
    date_dv = next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref) == "B8")
    assert (date_dv.formula1, date_dv.formula2) == (
        str((dt.date(2011, 1, 1) - dt.date(1899, 12, 30)).days), str((dt.date(2031, 12, 31) - dt.date(1899, 12, 30)).days))
    assert ws.protection.password == hash_password("秘密pw")
    assert wb.security.workbookPassword == hash_password("秘密pw")  # type: ignore[union-attr]
    assert wb["_xltools"]["B3"].value == "2021"
    with pytest.raises(TemplateError):
        build_template(year=0)


def test_a_level1_text_that_is_no_excel_name_still_makes_a_template() -> None:
    """一级 texts are list items, never names: a cell reference, digits first, spaces and brackets all work."""
    odd = data.Framework("x", "x", {"A1": ("甲",), "2 产出（试行）": ("乙", "丙")}, ())
    wb = build_template(framework=odd)
    assert _list_values(wb, "xlt_level1") == ["A1", "2 产出（试行）"]
    assert _list_values(wb, "xlt_l2_2") == ["乙", "丙"]


# --- unit templates ------------------------------------------------------------------------------------------


def test_safe_filename() -> None:
    assert safe_filename('上海市/某局:办公室*?"<>|') == "上海市_某局_办公室______"
    assert safe_filename("CON") == "_CON"
    assert safe_filename("nul.txt") == "_nul.txt"
    assert safe_filename("单位. . ") == "单位"
    assert safe_filename("  \t\n") == "_"
    assert safe_filename("a\x01b") == "a_b"
    assert len(safe_filename("长" * 500)) == 120


def test_unit_templates_fill_and_lock_the_unit(tmp_path: Path) -> None:
    csv = tmp_path / "units.csv"
    # GBK, as Excel on Chinese Windows saves "CSV"; extra columns are ignored, blank rows skipped (a row with
    # data but no name is refused: tests/test_units.py).
    csv.write_bytes("单位编码,单位名称,联系人\n,上海市A/B局,张三\n,CON,\n,,\n,上海市A:B局,王五\n005,某中心,\n"
                    .encode("gbk"))
    before = csv.read_bytes()
    paths = write_unit_templates(csv, tmp_path / "out", 2020, "pw")
    assert csv.read_bytes() == before
    assert [p.name for p in paths] == [
        "上海市A_B局_绩效目标申报表.xlsx", "_CON_绩效目标申报表.xlsx", "上海市A_B局_绩效目标申报表(2).xlsx",
        "005_某中心_绩效目标申报表.xlsx"]
    wb = load_workbook(paths[0])
    ws = wb["申报表"]
    assert ws["B4"].value == "上海市A/B局"
    assert ws["B4"].protection.locked is True
    assert unlocked_cells(ws) == set(FORM.input_cells()) - {"B4"}
    assert ws["A2"].value == "（2020年）"
    meta = CalamineWorkbook.from_path(str(paths[2])).get_sheet_by_name("_xltools").to_python()
    assert dict((row[0], row[1]) for row in meta if row[0])["unit_locked"] == "1"
    assert load_workbook(paths[2])["申报表"]["B4"].value == "上海市A:B局"


def test_units_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("名称\n甲\n", encoding="utf-8")
    with pytest.raises(UnitsFileError, match="单位名称"):
        read_units(bad)
    dup = tmp_path / "dup.csv"
    dup.write_text("\ufeff单位名称\n甲\n甲\n", encoding="utf-8")
    with pytest.raises(UnitsFileError, match="重复"):
        read_units(dup)


def test_cli_template_and_units(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["template", "--year", "2020", "--out", str(tmp_path / "a"), "--password", "pw"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "a" / "绩效目标申报表.xlsx"
    assert result.stdout.splitlines() == [str(out), str(out.with_suffix(".xlsm"))]
    wb = load_workbook(out)
    assert wb["申报表"]["A2"].value == "（2020年）"
    assert wb["申报表"].protection.password == hash_password("pw")

    units = tmp_path / "units.csv"
    units.write_text("单位名称\n甲单位\n乙单位\n", encoding="utf-8")
    result = runner.invoke(main, ["template", "--units", str(units), "--out", str(tmp_path / "u")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "u").iterdir()) == [
        "乙单位_绩效目标申报表.xlsm", "乙单位_绩效目标申报表.xlsx", "甲单位_绩效目标申报表.xlsm", "甲单位_绩效目标申报表.xlsx"]
    units.write_text("名称\n甲\n", encoding="utf-8")
    result = runner.invoke(main, ["template", "--units", str(units), "--out", str(tmp_path / "v")])
    assert result.exit_code == 2 and "单位名称" in result.output
    assert not (tmp_path / "v").exists()


def test_write_template_replaces_atomically_and_is_readable_by_others(tmp_path: Path) -> None:
    first = write_template(tmp_path, 2019)
    second = write_template(tmp_path, 2020)
    assert first == second == tmp_path / "绩效目标申报表.xlsx"
    assert [p.name for p in tmp_path.iterdir()] == ["绩效目标申报表.xlsx"]  # no temporary file left behind
    assert load_workbook(second)["申报表"]["A2"].value == "（2020年）"
    assert second.stat().st_mode & 0o044 == 0o044


def test_readme_documents_the_default_password_and_shows_the_rendered_template() -> None:
    readme = (COMMITTED_TEMPLATE.parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"默认保护密码：`{spec.DEFAULT_PASSWORD}`" in readme
    assert "](docs/template.png)" in readme
    assert (COMMITTED_TEMPLATE.parent.parent / "docs" / "template.png").read_bytes()[:4] == b"\x89PNG"


def test_committed_macro_template_matches_a_fresh_build(tmp_path: Path) -> None:
    """templates/绩效目标申报表.xlsm: same form as the .xlsx, same VBA modules, same button drawing."""
    import zipfile

    from xltools.vba.project import read_vba_project

    result = CliRunner().invoke(main, ["template", "--out", str(tmp_path), "--year", str(spec.DEFAULT_YEAR)])
    assert result.exit_code == 0, result.output
    fresh, committed = tmp_path / spec.MACRO_TEMPLATE_FILENAME, COMMITTED_TEMPLATE.with_suffix(".xlsm")
    assert semantic_dump(fresh) == semantic_dump(committed)
    assert semantic_dump(fresh)["sheets"] == semantic_dump(COMMITTED_TEMPLATE)["sheets"]
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(committed) as b:
        assert a.namelist() == b.namelist()
        modules = [(m.name, m.code) for m in read_vba_project(a.read("xl/vbaProject.bin"))]
        assert modules == [(m.name, m.code) for m in read_vba_project(b.read("xl/vbaProject.bin"))]
        vml = [n for n in a.namelist() if n.endswith(".vml")]
        assert vml and all(a.read(n) == b.read(n) for n in vml)


def test_without_the_macro_source_only_the_xlsx_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xltools import vba

    monkeypatch.setattr(vba, "MACRO_FILE", tmp_path / "missing" / "xltools.bas")
    result = CliRunner().invoke(main, ["template", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(tmp_path / "out" / spec.TEMPLATE_FILENAME)]
    assert "未生成 .xlsm：找不到按钮宏源码" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [spec.TEMPLATE_FILENAME]
