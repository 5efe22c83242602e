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
        ("申报表", "visible"), ("自查说明", "visible"), ("校验结果", "visible"), ("_lists", "hidden"),
        ("_xltools", "hidden"), ("_checks", "hidden")]
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
        # The explanation list is formulas only: nothing to type, nothing to format.
        ("自查说明", {**LOCKED_ACTIONS, **ALLOWED}),
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
    assert unlocked_cells(wb["自查说明"]) == set()
    assert unlocked_cells(wb["_lists"]) == set()
    assert unlocked_cells(wb["_xltools"]) == set()
    assert unlocked_cells(wb["_checks"]) == set()
    assert [(ws.title, ws.sheet_state, ws.protection.sheet) for ws in wb.worksheets[3:]] == [
        ("_lists", "hidden", True), ("_xltools", "hidden", True), ("_checks", "hidden", True)]


def test_layout_labels_titles_and_merges(form: Worksheet) -> None:
    for cell, text in FORM.labels(spec.DEFAULT_YEAR).items():
        assert form[cell].value == text, cell
    assert form["A1"].value == "上海市财政支出项目绩效目标申报表"
    assert form["A2"].value == "（2019年）"
    merged = {str(r) for r in form.merged_cells.ranges}
    # Version 3: each long text's label across the form (A9:D9), its value across the form below (A10:D10).
    assert {"A1:D1", "A2:D2", "B4:D4", "A9:D9", "A10:D10", "A121:D121", "A122:D122", "A20:D20", "B21:C21",
            "B22:C22", "B51:C51", "B52:C52", "A59:D59"} <= merged
    spans = {f.span for f in FORM.fields.values() if f.span} | {c.span for c in FORM.checks.values() if c.span}
    assert spans <= merged
    # 序号 is printed, locked: 1..30.
    t = FORM.tables["subprojects"]
    assert [form[f"A{r}"].value for r in t.rows] == list(range(1, 31))
    assert [form.column_dimensions[c].width for c in "ABCD"] == list(spec.COLUMN_WIDTHS)


def _row_attributes(path: Path) -> dict[int, dict[str, str]]:
    """The form sheet's <row> attributes as the file has them (openpyxl reports every row with a height as custom)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    return {int(m.group(1)): dict(re.findall(r'(\w+)="([^"]*)"', m.group(0)))
            for m in re.finditer(r'<row r="(\d+)"[^>]*>', xml)}


def test_rows_beyond_visible_are_hidden_and_long_text_rows_grow(form: Worksheet, template_path: Path) -> None:
    hidden = {r for r, d in form.row_dimensions.items() if d.hidden}
    assert hidden == set(range(32, 52)) | set(range(83, 121))
    assert FORM.tables["subprojects"].capacity == 30 and FORM.tables["indicators"].capacity == 60
    for row, height in FORM.row_heights.items():
        assert form.row_dimensions[row].height == height
    long_rows = {FORM.fields[key].row: key for key in ("overview", "basis", "necessity", "measures", "plan",
                                                       "overall_goal", "annual_goal", "remarks")}
    for row, key in long_rows.items():
        cell = form[FORM.fields[key].cell]
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
        assert FORM.fields[key].label_cell == f"A{row - 1}"
    # Rows that grow with their text: a starting height but no customHeight, so Excel, WPS and LibreOffice fit
    # them to what is typed; every other row keeps its fixed height.
    table_rows = set(FORM.tables["subprojects"].rows) | set(FORM.tables["indicators"].rows)
    assert FORM.growing == frozenset(long_rows) | table_rows
    attributes = _row_attributes(template_path)
    assert {r for r, a in attributes.items() if "ht" in a and "customHeight" not in a} == set(FORM.growing)
    assert attributes[10]["ht"] == "66" and attributes[122]["ht"] == "36" and attributes[61]["ht"] == "22"
    assert attributes[3] == {"r": "3", "ht": "50", "customHeight": "1"}  # the status line: three lines, fixed


def test_a_hidden_column_fits_long_text_rows_to_their_merged_text(form: Worksheet) -> None:
    """Excel fits a row's height to its unmerged cells only: a hidden column right of the form, as wide as the
    form, repeats each long text (T(): the text, nothing else), outside the print area."""
    assert form.column_dimensions["E"].hidden is True
    assert form.column_dimensions["E"].width == sum(spec.COLUMN_WIDTHS)
    assert form["E10"].value == "=T(A10)" and form["E122"].value == "=T(A122)"
    assert form["E10"].alignment.wrap_text and form["E10"].protection.locked
    helpers = {c.coordinate for row in form.iter_rows(min_col=5) for c in row if c.value is not None}
    long_rows = [f.row for f in FORM.fields.values() if f.kind == spec.LONG]
    assert helpers == {f"E{r}" for r in long_rows} and len(helpers) == 8


def _dvs(ws: Worksheet) -> dict[str, tuple[str | None, str | None, str | None, str | None, str | None]]:
    return {str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2, dv.errorStyle)
            for dv in ws.data_validations.dataValidation}


def test_each_validation_type_formula_and_range(form: Worksheet) -> None:
    money = ("decimal", "greaterThanOrEqual", "0", None, "stop")
    # Serial numbers of 2009-01-01 and 2029-12-31: ten years either side of the budget year 2019.
    date = ("date", "between", "39814", "47483", "stop")
    text_only = (None, None, None, None, None)  # a prompt, no restriction
    indicator_segments = [("61:81"), ("82"), ("83:120")]

    def seg(col: str, rows: str) -> str:
        return ":".join(f"{col}{r}" for r in rows.split(":"))

    expected = {
        "B6": ("list", None, "xlt_project_type", None, "stop"),
        "B7": ("list", None, "xlt_category", None, "stop"),
        "B8": date, "D8": date,
        "A10": text_only, "A12": text_only, "A14": text_only, "A16": text_only,
        "B17": money, "D17": money, "B18": money, "D18": money,
        "A54": text_only, "A56": text_only, "A58": text_only, "A122": text_only,
        "B22:B30": text_only, "B31": text_only, "B32:B51": text_only,
        "D22:D30": money, "D31": money, "D32:D51": money,
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
    assert prompts["D31"].endswith("本表另有 20 行已隐藏：选中本行和“合计”行的行号，右键“取消隐藏”即可显示。")
    assert prompts["A82"].endswith("本表另有 38 行已隐藏：选中本行和“备注”行的行号，右键“取消隐藏”即可显示。")
    assert "隐藏" not in prompts["D22:D30"]
    # A long text says how its row gets the height the text needs.
    assert prompts["A10"] == ("请填写项目概况。换行：Alt+Enter（WPS 相同）。行高随内容自动调整，打印时完整显示；若没有调整："
                              "双击本行行号的下边线，或拖动下边线。")


def test_number_formats_of_money_date_and_rate_cells(form: Worksheet) -> None:
    for key in ("total_budget", "annual_budget", "prior_budget", "prior_executed"):
        assert form[FORM.fields[key].cell].number_format == "#,##0.00"
    assert {form[f"D{r}"].number_format for r in FORM.tables["subprojects"].rows} == {"#,##0.00"}
    assert form["D52"].number_format == "#,##0.00"
    assert form["B8"].number_format == form["D8"].number_format == "yyyy-mm-dd"
    assert form["B19"].number_format == "0.00%"
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
    assert form["B19"].value == (
        '=IF(AND(ISNUMBER($B$18),ISNUMBER($D$18)),IF($B$18>0,$D$18/$B$18,""),"")')
    # Version 3: the check cells say what the live rules count (INDEX(xlt_live_counts, <the rule's row>)): no
    # "超过" or "不一致" while the rule is silent (an amount that is not a number).
    assert live.LIVE_CODES.index("annual-exceeds-total") + 1 == 7
    assert live.LIVE_CODES.index("subtotal-mismatch") + 1 == 8
    assert form["D19"].value == (
        '=IF(INDEX(xlt_live_counts,7)>0,"当年预算超过总预算",IF(AND(ISNUMBER($B$17),$B$17>=0,ISNUMBER($D$17),'
        '$D$17>=0),"正确",""))')
    assert form["D52"].value == "=SUM($D$22:$D$51)"
    assert form["B52"].value == (
        '=IF(INDEX(xlt_live_counts,8)>0,"合计与项目当年预算不一致",IF(COUNTA($D$22:$D$51)=0,"",'
        'IF(OR(COUNTA($D$22:$D$51)>COUNT($D$22:$D$51),COUNTIF($D$22:$D$51,"<0")>0),"有金额不是有效数字，合计未核对",'
        'IF(AND(ISNUMBER($D$17),ABS($D$52-$D$17)<=0.005),"合计与项目当年预算一致",""))))')
    assert form["A3"].value == live.status_formula()
    for check in FORM.checks.values():
        assert form[check.cell].protection.locked is True


RED, ORANGE, GREEN, TODO = "00FFC7CE", "00FFD8A8", "00E2F0D9", "00FFF6D5"


def test_conditional_formats_turn_inconsistent_cells_red(form: Worksheet) -> None:
    rules = [(set(str(cf.sqref).split()), list(r.formula), r.dxf.fill.bgColor.rgb, r.priority)
             for cf in form.conditional_formatting for r in cf.rules]
    inputs = {"A10", "A12", "A14", "A16", "A54", "A56", "A58", "A61:A120", "A122", "B4:B8", "B17:B18", "B22:B51",
              "B61:B120", "C61:C120", "D8", "D17:D18", "D22:D51", "D61:D120"}
    status = live.status_conditions()
    assert sorted(rules, key=lambda r: r[3]) == [
        # The status line: red with wrong values, orange with warnings only, the 待填 tint while only required
        # cells are left, green when the form is clean (or the program's results' colour, when written).
        ({"A3:D3"}, [status["error"]], RED, 1),
        ({"A3:D3"}, [status["warning"]], ORANGE, 2),
        ({"A3:D3"}, [status["todo"]], TODO, 3),
        ({"A3:D3"}, [status["clean"]], GREEN, 4),
        # The check cells' own displays follow the live counts of their rules.
        ({"B19"}, ["INDEX(xlt_live_counts,9)>0"], RED, 5),
        ({"B19"}, ["INDEX(xlt_live_counts,10)>0"], ORANGE, 6),
        ({"D19"}, ["INDEX(xlt_live_counts,7)>0"], RED, 7),
        ({"D52"}, ["INDEX(xlt_live_counts,8)>0"], RED, 8),
        ({"B52"}, ["INDEX(xlt_live_counts,8)>0"], RED, 9),
        # Every input cell: findings listed on 校验结果 and the live checks; red before orange. Red means a wrong
        # value: required cells still blank keep the calm 待填 tint (unless a program's check listed them).
        (inputs, ['COUNTIFS(xlt_flag_sheets,"申报表",xlt_flag_cells,ADDRESS(ROW(),COLUMN(),4),'
                  'xlt_flag_severities,"错误")>0'], RED, 10),
        (inputs, ["INDEX(xlt_live_errors,ROW(),COLUMN())>0"], RED, 11),
        (inputs, ['COUNTIFS(xlt_flag_sheets,"申报表",xlt_flag_cells,ADDRESS(ROW(),COLUMN(),4),'
                  'xlt_flag_severities,"警告")>0'], ORANGE, 12),
        (inputs, ["INDEX(xlt_live_warnings,ROW(),COLUMN())>0"], ORANGE, 13),
        (inputs, ["INDEX(xlt_live_required,ROW(),COLUMN())>0"], TODO, 14),
    ]


def test_print_setup(wb: Workbook, form: Worksheet) -> None:
    ps = form.page_setup
    assert (ps.paperSize, ps.orientation, ps.fitToWidth, ps.fitToHeight) == (9, "portrait", 1, 0)
    assert form.sheet_properties.pageSetUpPr.fitToPage is True
    assert form.print_title_rows == "$1:$2"
    assert form.print_area == "'申报表'!$A$1:$D$122"
    m = form.page_margins
    assert (m.left, m.right, m.top, m.bottom, m.header, m.footer) == (0.6, 0.6, 0.8, 0.8, 0.3, 0.3)
    assert form.print_options.horizontalCentered is True
    assert form.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert form.oddFooter.left.text == "模板 xltools.sh-perf-target 第 3 版"
    for sheet in ("校验结果", "自查说明"):
        setup = wb[sheet].page_setup
        assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
    assert wb["自查说明"].print_area == f"'自查说明'!$A$1:$E${3 + len(live.LIVE_CODES)}"


def test_version_stamp_read_back_with_calamine(template_path: Path) -> None:
    book = CalamineWorkbook.from_path(str(template_path))
    assert book.sheet_names == ["申报表", "自查说明", "校验结果", "_lists", "_xltools", "_checks"]
    meta = book.get_sheet_by_name("_xltools").to_python()
    assert [row[:2] for row in meta[:5]] == [
        ["template_id", "xltools.sh-perf-target"], ["version", "3"], ["year", "2019"], ["framework", "sh2019"],
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
