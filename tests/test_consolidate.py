"""Consolidation: every input accounted for, exact totals, text stays text, schema failures at the right cell,
duplicates and missing units, hardening against hostile files, the command's exit code."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from xltools import engine, spec
from xltools.cli import main
from xltools.consolidate import consolidate, layout, output, rows, schemas, sheetxml, tables
from xltools.discover import discover
from xltools.fill import fill
from xltools.template import build_template

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [ROOT / "examples" / "returns", ROOT / "examples" / "faulty"]
F = spec.build().fields
SUB = spec.build().tables["subprojects"]
IND = spec.build().tables["indicators"]

INDICATORS = [
    {"level1": "投入和管理目标", "level2": "财务管理", "level3": "预算执行率", "target": "≥99%"},
    {"level1": "产出目标", "level2": "数量目标", "level3": "资助件数", "target": "≥300件"},
    {"level1": "效果目标", "level2": "社会效益目标", "level3": "服务覆盖面", "target": "提升"},
    {"level1": "影响力目标", "level2": "满意度目标", "level3": "社会公众或服务对象满意度", "target": "≥85%"},
]


def form(unit: str, project: str, subs: list[float], total: float | None = None, **more: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "unit": unit, "project": project, "project_type": "经常性专项业务费", "category": "其他事业专业类",
        "start": dt.date(2019, 1, 1), "end": dt.date(2019, 12, 31), "overview": "概况", "basis": "依据",
        "necessity": "必要性", "measures": "措施", "plan": "计划", "overall_goal": "总目标", "annual_goal": "年度目标",
        "total_budget": total if total is not None else sum(subs), "annual_budget": sum(subs),
        "prior_budget": 1000.0, "prior_executed": 950.0,
        "subprojects": [{"name": f"子项目{i + 1}", "amount": a} for i, a in enumerate(subs)],
        "indicators": INDICATORS,
    }
    values.update(more)
    return values


def write(folder: Path, name: str, values: dict[str, Any], year: int = 2019, saved: str | None = None) -> Path:
    """A filled form at ``folder/name`` on the ``year`` template; ``saved``: the time the workbook records as its
    last save (dcterms:modified, e.g. "2019-03-05T10:00:00Z"), instead of the moment it was written."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    fill(build_template(year), values).save(path)
    if saved is not None:
        set_saved(path, saved)
    return path


def set_saved(path: Path, when: str) -> Path:
    """Rewrite the time ``path`` records as its last save, as Excel writes it on saving."""
    import re

    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info.filename)) for info in zin.infolist()]
    stat = path.stat()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data, n = re.subn(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when.encode(), data)
                assert n == 1
            zout.writestr(info, data)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the file's own time stays what it was
    return path


def sheet(path: Path, name: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def records(path: Path, name: str) -> list[dict[str, Any]]:
    """The rows of a row sheet; the source column (it shows the file's name) as the path its link opens."""
    grid = sheet(path, name)
    rows = [dict(zip(grid[0], row, strict=True)) for row in grid[1:]]
    column = tables.SOURCE_COLUMNS[name] if name in tables.LINKED_SHEETS else None
    if column is not None and rows:
        for row, target in zip(rows, linked(path, name), strict=True):
            assert target is None or Path(target).name in row[column] or row[column].endswith(Path(target).name)
            row[column] = target
    return rows


def linked(path: Path, name: str) -> list[str | None]:
    """Where each row's source link leads, as an absolute path (the link is relative to the output's folder)."""
    from urllib.parse import unquote

    ws = openpyxl.load_workbook(path)[name]
    column = [c.value for c in ws[1]].index(tables.SOURCE_COLUMNS[name]) + 1
    out = []
    for r in range(2, ws.max_row + 1):
        link = ws.cell(r, column).hyperlink
        out.append(os.path.normpath(os.path.join(path.parent, unquote(link.target))) if link else None)
    return out


# -- the examples: nothing lost -----------------------------------------------------------------------------------

def test_every_example_file_is_in_the_summary_or_the_findings(tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    result = consolidate(EXAMPLES, out, units=ROOT / "examples" / "units.csv", jobs=2)
    inputs = {str(p) for p in discover(EXAMPLES)}
    summary = {r["来源文件"] for r in records(out, "项目汇总")}
    problems = records(out, "问题清单")
    unreadable = {r["文件"] for r in problems if r["代码"] in ("file-unreadable", "template-mismatch")}
    assert summary | unreadable == inputs
    assert not summary & unreadable
    assert len(summary) == result.forms and len(unreadable) == result.unreadable
    assert {Path(f).name for f in unreadable} == {
        "empty.xlsx", "encrypted.xlsx", "not-a-workbook.xlsx", "rows-inserted.xlsx", "sheet-renamed.xlsx",
        "truncated.xlsx"}
    # The findings sheet holds exactly the findings of the run, and the exit status follows them.
    assert [(r["文件"], r["单元格"], r["代码"]) for r in problems] == [(f.file, f.cell, f.code) for f in result.findings]
    assert not result.ok
    # The approved seed forms give no error, only warnings.
    seeds = [r for r in records(out, "项目汇总") if "/returns/" in r["来源文件"]]
    assert len(seeds) == 5 and all(r["错误数"] == 0 for r in seeds)


def test_same_tables_in_process_pool_and_single_process(tmp_path: Path) -> None:
    one = consolidate(EXAMPLES, tmp_path / "a.xlsx", jobs=1)
    two = consolidate(EXAMPLES, tmp_path / "b.xlsx", jobs=2)
    assert one.findings == two.findings
    assert one.tables is not None and two.tables is not None
    pd.testing.assert_frame_equal(one.tables.indicators, two.tables.indicators)
    pd.testing.assert_frame_equal(one.tables.summary, two.tables.summary)
    # With a pool, 资金构成 and 绩效指标 are rendered by the workers: the same sheets, byte for byte.
    for name in ("项目汇总", "资金构成", "绩效指标", "问题清单", "统计"):
        assert sheet(tmp_path / "a.xlsx", name) == sheet(tmp_path / "b.xlsx", name), name
    with zipfile.ZipFile(tmp_path / "a.xlsx") as za, zipfile.ZipFile(tmp_path / "b.xlsx") as zb:
        assert za.namelist() == zb.namelist()
        for member in za.namelist():
            assert za.read(member) == zb.read(member) or member == "docProps/core.xml", member
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".tmp-", ".xltools-"))] == []


# -- exact values --------------------------------------------------------------------------------------------------

@pytest.fixture
def three(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    write(folder, "a.xlsx", form("甲局", "项目一", [100.5, 200.25], total=500.0))
    write(folder / "sub", "b.xlsx", form("甲局", "项目二", [1000.0]))
    write(folder, "c.xlsx", form("乙局", "项目三", [7.0, 8.0, 9.0], project_type="结转项目",
                                 indicators=INDICATORS[:2] + [{"level1": "效果目标", "level2": "社会效益目标",
                                                               "level3": "效益", "target": "较上年增长"}]
                                 + INDICATORS[3:]))
    (folder / "~$a.xlsx").write_bytes(b"lock")  # Office lock file: skipped
    return folder


def test_totals_equal_the_sum_over_the_inputs(three: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    result = consolidate([three], out, jobs=1)
    assert result.ok and result.files == 3 and result.forms == 3
    summary = records(out, "项目汇总")
    assert [(r["申报单位名称"], r["项目名称"], r["项目当年预算（元）"], r["项目总预算（元）"], r["子项目数"],
             r["资金构成合计（元）"], r["指标数"]) for r in summary] == [
        ("甲局", "项目一", 300.75, 500.0, 2, 300.75, 4),
        ("乙局", "项目三", 24.0, 24.0, 3, 24.0, 4),
        ("甲局", "项目二", 1000.0, 1000.0, 1, 1000.0, 4),
    ]
    assert summary[0]["开始时间"] == dt.date(2019, 1, 1)
    assert summary[0]["上年预算执行率"] == pytest.approx(0.95)
    assert [(r["子项目名称"], r["预算金额（元）"], r["单元格"]) for r in records(out, "资金构成")][:2] == [
        ("子项目1", 100.5, SUB.cell("name", 0)), ("子项目2", 200.25, SUB.cell("name", 1))]
    stats = sheet(out, "统计")
    by_unit = {row[0]: row for row in stats[2:5]}
    assert by_unit["甲局"][1:4] == [2.0, 1500.0, 1300.75]
    assert by_unit["乙局"][1:4] == [1.0, 24.0, 24.0]
    assert by_unit["合计"][1:4] == [3.0, 1524.0, 1324.75]
    assert result.tables is not None
    by_type = result.tables.by_type.set_index("项目类型")
    assert by_type.loc["经常性专项业务费", "项目当年预算（元）"] == 1300.75
    assert by_type.loc["结转项目", "表数"] == 1
    coverage = dict(zip(result.tables.by_level1["一级指标"], result.tables.by_level1["覆盖表数"], strict=True))
    assert coverage == {"投入和管理目标": 3, "产出目标": 3, "效果目标": 3, "影响力目标": 3}
    # The one vague target is a warning, reported at its cell; parsed targets come out in columns.
    assert [(f.file, f.cell, f.code) for f in result.findings] == [
        (str(three / "c.xlsx"), IND.cell("target", 2), "target-vague")]
    targets = records(out, "绩效指标")
    assert (targets[0]["比较符"], targets[0]["目标数值"], targets[0]["计量单位"], targets[0]["目标类型"]) == (
        "≥", 99.0, "%", "定量")
    assert (targets[2]["定性词"], targets[2]["目标类型"]) == ("提升", "定性")


def test_output_is_formatted_and_charted(three: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    consolidate([three], out, jobs=1)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["项目汇总", "资金构成", "绩效指标", "问题清单", "统计", "报送情况"]
    ws = wb["项目汇总"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:S4"
    assert ws["A1"].font.b is True
    assert ws["H2"].number_format == "#,##0.00" and ws["E2"].number_format == "yyyy-mm-dd"
    assert ws["K2"].number_format == "0.00%"
    assert ws["A2"].alignment.wrap_text is True and ws["H2"].alignment.vertical == "top"
    assert ws.column_dimensions["A"].width >= 6
    assert wb["问题清单"].auto_filter.ref == "A1:H2"
    # 目标数值 at the top of its row like its neighbours; the saved time to the second.
    assert wb["绩效指标"]["J2"].alignment.vertical == "top" and ws["R2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert len(wb["统计"]._charts) == 2
    for name in wb.sheetnames:
        ws = wb[name]
        setup = ws.page_setup
        # Every sheet: A4 landscape, one page wide (the flag makes fitToWidth count), header row on every page.
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True, name
        assert ws.print_title_rows == (None if name in ("统计", "报送情况") else "$1:$1"), name
        assert (ws.oddHeader.left.text, ws.oddHeader.center.text) == ("&A", "2019 年度上海市财政支出项目绩效目标申报表汇总")
        assert ws.oddHeader.right.text.startswith("制表日期：20"), name
        if name not in ("统计", "报送情况"):
            assert sum(d.width for d in ws.column_dimensions.values()) <= layout.PAGE_WIDTH + 0.5, name


def test_parquet_tables(three: Path, tmp_path: Path) -> None:
    result = consolidate([three], tmp_path / "out.xlsx", jobs=1, parquet=tmp_path / "pq")
    assert sorted(p.name for p in result.parquet) == sorted(
        f"{n}.parquet" for n in ("summary", "subprojects", "indicators", "findings", "stats_by_unit",
                                 "stats_by_type", "stats_by_level1", "status", "skipped"))
    summary = pd.read_parquet(tmp_path / "pq" / "summary.parquet")
    assert summary["项目当年预算（元）"].sum() == 1324.75


# -- text stays text -------------------------------------------------------------------------------------------------

def test_a_formula_typed_into_a_text_field_comes_out_as_text(tmp_path: Path) -> None:
    values = form("=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x.invalid\",\"点我\")", [10.0],
                  subprojects=[{"name": "+SUM(1,2)", "amount": 10.0}],
                  indicators=[{**INDICATORS[0], "level3": "-1+1"}, {**INDICATORS[1], "level3": "@SUM(A1)"},
                              *INDICATORS[2:]])
    path = write(tmp_path / "in", "f.xlsx", values)
    out = tmp_path / "out.xlsx"
    consolidate([path], out, jobs=1)
    wb = openpyxl.load_workbook(out)
    for ws_name, cell, text in (("项目汇总", "A2", "=cmd|' /C calc'!A0"),
                                ("项目汇总", "B2", "=HYPERLINK(\"http://x.invalid\",\"点我\")"),
                                ("资金构成", "D2", "+SUM(1,2)"), ("绩效指标", "F2", "-1+1"),
                                ("绩效指标", "F3", "@SUM(A1)"), ("统计", "A3", "=cmd|' /C calc'!A0")):
        c = wb[ws_name][cell]
        assert (c.value, c.data_type, c.quotePrefix) == (text, "s", True), (ws_name, cell)
    with zipfile.ZipFile(out) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in zf.read(n) or b"<f " in zf.read(n) for n in sheets)


def test_xml_unsafe_text_is_escaped_and_control_characters_dropped() -> None:
    assert sheetxml.escape_all(["a<b>&c", "x\x01y", ""]) == ["a&lt;b&gt;&amp;c", "xy", ""]
    assert sheetxml.escape_all(["\ue000", "<"]) == ["\ue000", "&lt;"]


def test_text_cells_are_the_same_from_coded_and_plain_columns() -> None:
    styles = {"header": 1, "quoted": 2, "money": 3}
    plain = ["甲<局", None, "", "=SUM(1)", "甲<局", float("nan")]
    cells = [
        '<c r="B2" t="inlineStr"><is><t xml:space="preserve">甲&lt;局</t></is></c>', "", "",
        '<c r="B5" s="2" t="inlineStr"><is><t xml:space="preserve">=SUM(1)</t></is></c>',
        '<c r="B6" t="inlineStr"><is><t xml:space="preserve">甲&lt;局</t></is></c>', ""]
    assert sheetxml._cells("B", sheetxml.TEXT, plain, styles) == cells
    coded = sheetxml.Coded([0, -1, 1, 2, 0, -1], ["甲<局", "", "=SUM(1)"])
    assert sheetxml._cells("B", sheetxml.TEXT, coded, styles) == cells
    assert sheetxml._cells("C", sheetxml.MONEY, [1.5, None, float("nan"), 2], styles) == [
        '<c r="C2" s="3"><v>1.5</v></c>', "", "", '<c r="C5" s="3"><v>2</v></c>']


# -- pandera ---------------------------------------------------------------------------------------------------------

def test_a_pandera_failure_names_the_right_file_and_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    write(folder, "good.xlsx", form("甲局", "项目一", [100.0]))
    bad = write(folder, "bad.xlsx", form("乙局", "项目二", [300.0], total=200.0, indicators=[
        *INDICATORS[:1], {"level1": "产出目标", "level2": "财务管理", "level3": "x", "target": "≥1"}, *INDICATORS[2:]]))
    # With the per-form rules switched off, the table schemas alone must still catch both faults.
    monkeypatch.setattr(engine, "check_declaration", lambda decl: [])
    result = consolidate([folder], tmp_path / "out.xlsx", jobs=1)
    assert [(f.file, f.sheet, f.cell, f.code) for f in result.findings] == [
        (str(bad), spec.FORM_SHEET, F["annual_budget"].cell, "annual-exceeds-total"),
        (str(bad), spec.FORM_SHEET, IND.cell("level2", 1), "level2-invalid"),
    ]
    assert result.findings[0].message == "汇总表“项目汇总”校验未通过：项目当年预算超过项目总预算。"


def test_schema_failures_already_reported_by_the_rules_are_not_repeated(tmp_path: Path) -> None:
    bad = write(tmp_path / "in", "bad.xlsx", form("乙局", "项目二", [300.0], total=200.0))
    result = consolidate([bad], tmp_path / "out.xlsx", jobs=1)
    assert [(f.cell, f.code) for f in result.findings] == [(F["annual_budget"].cell, "annual-exceeds-total")]
    assert "汇总表" not in result.findings[0].message


def test_column_failures_map_to_the_source_cell() -> None:
    df = tables.frame([("甲局", "项目", 1, "一级乱填", "数量目标", "x", "abc", "无法识别", None, None, None, None,
                        "f.xlsx", "A60", "sh2019")], tables.INDICATORS)
    found = schemas.to_findings(df, schemas.SCHEMAS["indicators"],
                                schemas.failures(df, schemas.SCHEMAS["indicators"]))
    assert sorted((f.file, f.cell, f.code) for f in found) == [
        ("f.xlsx", "A60", "level2-invalid"), ("f.xlsx", "D60", "target-unparseable")]


# -- batch-wide findings ---------------------------------------------------------------------------------------------

def test_a_duplicate_and_a_missing_unit_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    a = write(folder, "a.xlsx", form("上海市知识产权局", "专利资助", [1.0]))
    b = write(folder, "b.xlsx", form("上海市知识产权局 ", "专利 资助", [2.0]))  # spacing differs: same project
    write(folder, "c.xlsx", form("上海市市场监督管理局", "专利资助", [3.0]))
    units = tmp_path / "units.csv"
    units.write_text("单位编码,单位名称\n001,上海市知识产权局\n002,上海市市场监督管理局\n003,上海市药品监督管理局\n",
                     encoding="utf-8")
    result = consolidate([folder], tmp_path / "out.xlsx", units=units, jobs=1)
    assert [(f.file, f.cell, f.code) for f in result.findings] == [
        (str(a), F["project"].cell, "duplicate-submission"),
        (str(b), F["project"].cell, "duplicate-submission"),
        (str(units), "", "unit-not-returned"),
    ]
    assert str(b) in result.findings[0].message
    assert result.findings[2].message == "单位“003 上海市药品监督管理局”未报送申报表。"
    assert result.ok  # warnings only
    counts = {r["来源文件"]: r["警告数"] for r in records(tmp_path / "out.xlsx", "项目汇总")}
    assert counts == {str(a): 1, str(b): 1, str(folder / "c.xlsx"): 0}
    # 报送情况 has every unit with its state; 问题清单 names the unit of each finding.
    assert result.tables is not None
    status = result.tables.status
    assert list(zip(status["单位编码"], status["申报单位名称"], status["报送表数"], status["状态"], strict=True)) == [
        ("001", "上海市知识产权局", 1, "有警告"), ("002", "上海市市场监督管理局", 1, "通过"),
        ("003", "上海市药品监督管理局", 0, "未报送")]
    assert [r["申报单位名称"] for r in records(tmp_path / "out.xlsx", "问题清单")] == [
        "上海市知识产权局", "上海市知识产权局", "上海市药品监督管理局"]


def test_a_form_sent_many_times_names_a_few_others_and_the_count() -> None:
    from xltools.consolidate import crossfile

    summary = rows.FileRows("x", [], summary=("甲局", "项目", *[None] * 12)).summary
    # Saved one after another: the last one saved counts.
    group = [rows.FileRows(f"{i}.xlsx", [], summary=summary, saved=1_700_000_000.0 + i, file_time=0) for i in range(9)]
    dropped, found = crossfile.resubmissions(group)
    assert dropped == {f"{i}.xlsx" for i in range(8)}
    assert len(found) == 9
    last, first = crossfile.when(1_700_000_008.0), crossfile.when(1_700_000_000.0)
    assert found[8].message == (f"“甲局”的项目“项目”重复报送（共 9 份），计入汇总的是本文件（保存时间最新：{last}）；不计入的："
                                "0.xlsx、1.xlsx、2.xlsx、3.xlsx、4.xlsx 等共 8 个文件。请确认保留哪一份。")
    assert found[0].message == (f"“甲局”的项目“项目”重复报送（共 9 份），本文件（保存时间 {first}）不计入统计和合计；"
                                f"计入汇总的是：8.xlsx（保存时间最新：{last}）。请确认保留哪一份。")


def test_text_longer_than_an_excel_cell_is_cut_and_marked() -> None:
    # Cells read from a workbook hold at most 32,767 characters, but a finding's message quotes them with more.
    message = "项目类型“" + "长" * 32766 + "”不是下拉选项之一。"
    cell = sheetxml._cells("G", sheetxml.TEXT, [message], {"quoted": 2})[0]
    assert cell == ('<c r="G2" t="inlineStr"><is><t xml:space="preserve">项目类型“' + "长" * 32761 + "…</t></is></c>")
    assert sheetxml.fit("😀" * 20000) == "😀" * 16383 + "…"  # astral characters count twice, as in Excel
    assert sheetxml.fit("短") == "短"


# -- hardening -------------------------------------------------------------------------------------------------------

def test_openpyxl_parses_xml_through_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_a_zip_bomb_like_file_is_unreadable_and_not_inflated(tmp_path: Path) -> None:
    bomb = tmp_path / "in" / "bomb.xlsx"
    bomb.parent.mkdir()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))  # 30 MB of zeros, ~30 KB packed
    assert bomb.stat().st_size < 100_000
    result = consolidate([bomb.parent], tmp_path / "out.xlsx", jobs=1)
    assert [(f.file, f.code) for f in result.findings] == [(str(bomb), "file-unreadable")]
    assert "压缩" in result.findings[0].message and result.forms == 0


def test_a_sheet_with_a_huge_dimension_is_unreadable_and_not_materialised(tmp_path: Path) -> None:
    wb = fill(build_template(2019), form("甲局", "项目", [1.0]))
    wb[spec.FORM_SHEET]["XFD1048576"] = "x"  # calamine would allocate 17 billion cells and abort the process
    path = tmp_path / "in" / "huge.xlsx"
    path.parent.mkdir()
    wb.save(path)
    result = consolidate([path.parent], tmp_path / "out.xlsx", jobs=1)
    assert [(f.file, f.code) for f in result.findings] == [(str(path), "file-unreadable")]
    assert "1048576 行 × 16384 列" in result.findings[0].message


def test_a_worker_that_dies_loses_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    folder = tmp_path / "in"
    for i in range(10):
        write(folder, f"{i}.xlsx", form("甲局", f"项目{i}", [1.0]))
    real = rows.read_source

    def crash_on_5(source: Any, frameworks: Any = None, scratch: Any = None) -> rows.FileRows:
        if source.path.endswith("5.xlsx"):
            os._exit(1)  # what a native crash in a reader looks like to the pool
        return real(source, frameworks, scratch)

    monkeypatch.setattr("xltools.consolidate.rows.read_source", crash_on_5)
    result = consolidate([folder], tmp_path / "out.xlsx", jobs=2)
    assert result.files == 10 and result.forms == 9
    # The broken pool renders nothing ahead: the row sheets are written in the main process, complete.
    assert sorted(r["项目名称"] for r in records(tmp_path / "out.xlsx", "资金构成")) == [
        f"项目{i}" for i in range(10) if i != 5]
    assert [(Path(f.file).name, f.code) for f in result.findings] == [("5.xlsx", "file-unreadable")]


def test_inputs_are_not_modified(three: Path, tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in three.rglob("*") if p.is_file()}
    consolidate([three], tmp_path / "out.xlsx", jobs=1)
    assert {p: p.read_bytes() for p in three.rglob("*") if p.is_file()} == before


def test_output_replaced_atomically(three: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(output.sheetxml, "parts", broken)
    with pytest.raises(RuntimeError):
        consolidate([three], out, jobs=1)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".tmp-", ".xltools-"))] == []


# -- the command -----------------------------------------------------------------------------------------------------

def test_cli_exit_codes_and_summary_line(three: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["consolidate", str(three), "-o", str(tmp_path / "ok.xlsx"), "--jobs", "1"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines() == [
        f"跳过：{three / '~$a.xlsx'}（Excel/WPS 打开文件时生成的锁文件，不是申报表，无需处理）",
        "共读取 3 个文件：3 份申报表已汇总，0 个文件有错误，0 个无法读取或不是本模板；另跳过 1 个不是申报表的文件（见“报送情况”）；"
        f"错误 0 条，警告 1 条。已写出：{tmp_path / 'ok.xlsx'}"]
    (three / "junk.xlsx").write_bytes(b"not a workbook")
    bad = runner.invoke(main, ["consolidate", str(three), "-o", str(tmp_path / "bad.xlsx")])
    assert bad.exit_code == 1
    assert "1 个无法读取" in bad.output
    assert (tmp_path / "bad.xlsx").exists() and len(records(tmp_path / "bad.xlsx", "问题清单")) == 2


def test_progress_bar_only_on_a_terminal() -> None:
    from xltools.consolidate.progress import ProgressBar

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    quiet, tty = io.StringIO(), Tty()
    ProgressBar(quiet)(1, 2)
    bar = ProgressBar(tty, width=4, interval=0)
    bar(1, 2)
    bar(2, 2)
    assert quiet.getvalue() == ""
    assert tty.getvalue() == "\r读取中 [##--] 1/2\r读取中 [####] 2/2\n"


def test_level2_check_accepts_exactly_the_pairs_of_the_framework() -> None:
    rows = [("投入和管理目标", "财务管理"), ("产出目标", "财务管理"), ("产出目标", None), ("一级乱填", "数量目标"),
            (None, "数量目标"), ("效果目标", "社会效益目标")]
    df = tables.frame([("甲局", "项目", i, a, b, "x", "≥1", "定量", "≥", 1.0, None, None, "f.xlsx", f"A{60 + i}",
                        "sh2019") for i, (a, b) in enumerate(rows, start=1)], tables.INDICATORS)
    ok = schemas.IndicatorSchema.level2_allowed(df)
    assert ok.tolist() == [True, False, True, True, True, True]


def test_an_output_that_cannot_be_written_fails_before_reading(three: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("read before the output was checked")

    monkeypatch.setattr("xltools.consolidate.run.read_all", never)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    runner = CliRunner()
    result = runner.invoke(main, ["consolidate", str(three), "-o", str(blocker / "out.xlsx")])
    assert result.exit_code == 2
    assert f"无法写入“{blocker / 'out.xlsx'}”：路径中有一段是文件，不是文件夹。" in result.output
    result = runner.invoke(main, ["consolidate", str(three), "-o", str(tmp_path / "ok.xlsx"),
                                  "--parquet", str(blocker / "pq")])
    assert result.exit_code == 2 and f"无法写入“{blocker / 'pq'}”" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "in"]


def test_the_output_is_readable_by_others_like_any_saved_file(three: Path, tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        out = consolidate([three], tmp_path / "out.xlsx", jobs=1, parquet=tmp_path / "pq").output
    finally:
        os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o644
    assert {p.stat().st_mode & 0o777 for p in (tmp_path / "pq").iterdir()} == {0o644}


def test_the_console_script_runs_a_consolidation_end_to_end(tmp_path: Path) -> None:
    """The installed ``xltools`` script (``xltools.cli:entry``, garbage collector off), not click's test runner."""
    import subprocess
    import sys

    script = Path(sys.executable).with_name("xltools")
    out = tmp_path / "汇总.xlsx"
    done = subprocess.run([str(script), "consolidate", *map(str, EXAMPLES), "-o", str(out), "--jobs", "2"],
                          capture_output=True, text=True, timeout=120)
    files = len(discover(EXAMPLES))
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(f"共读取 {files} 个文件：{files - 6} 份申报表已汇总（其中 17 份为重复报送，不计入合计），")
    assert done.stderr == ""  # not a terminal: no progress bar
    assert len(records(out, "项目汇总")) == files - 6


# -- forms made on an older template version ------------------------------------------------------------------

VERSIONS = Path(__file__).resolve().parent.parent / "examples" / "versions"
V1_FORM = VERSIONS / "v1_05_上海市市场监督管理局_上海市政府质量奖.xlsx"
V2_FORM = VERSIONS / "v2_05_上海市市场监督管理局_上海市政府质量奖.xlsx"


def test_forms_of_every_template_version_consolidate_at_their_own_cells(tmp_path: Path) -> None:
    """Version-1 and version-2 forms (no status line; long texts beside their labels) next to today's: every
    finding, from the engine, the cross-file step or pandera, names the cell of the form's own layout."""
    folder = tmp_path / "in"
    folder.mkdir()
    old = folder / "v1.xlsx"
    old.write_bytes(V1_FORM.read_bytes())
    bad = folder / "v1-bad.xlsx"  # a v1 form with a pasted category: the engine and pandera both object
    wb = openpyxl.load_workbook(V1_FORM)
    v1 = spec.build("1")
    wb[spec.FORM_SHEET][v1.fields["category"].cell] = "无效类型"
    wb[spec.FORM_SHEET][v1.fields["project"].cell] = "另一个项目"
    wb.save(bad)
    two = folder / "v2.xlsx"
    two.write_bytes(V2_FORM.read_bytes())
    new = folder / "v3.xlsx"
    new.write_bytes(next((Path(__file__).resolve().parent.parent / "examples" / "returns").glob("05_*.xlsx"))
                    .read_bytes())
    result = consolidate([folder], tmp_path / "out.xlsx", jobs=1)
    by_file = {p: [(f.code, f.cell) for f in result.findings if f.file == str(p)] for p in (old, bad, two, new)}
    vague = [("target-vague", c) for c in ("D56", "D57", "D58", "D61", "D63")]
    assert by_file[old] == [("prior-execution-low", "D13"), ("target-no-operator", "D53"), *vague,
                            ("duplicate-submission", "B4")]
    assert by_file[bad] == [("project-type-invalid", "B6"), ("prior-execution-low", "D13"),
                            ("target-no-operator", "D53"), *vague]
    shifted = [(code, f"{cell[0]}{int(cell[1:]) + 1}") for code, cell in vague]
    assert by_file[two] == [("prior-execution-low", "D14"), ("target-no-operator", "D54"), *shifted,
                            ("duplicate-submission", "B5")]
    shifted = [(code, f"{cell[0]}{int(cell[1:]) + 8}") for code, cell in vague]
    assert by_file[new] == [("prior-execution-low", "D18"), ("target-no-operator", "D61"), *shifted,
                            ("duplicate-submission", "B5")]
    summary = {r["来源文件"]: (r["项目名称"], r["项目当年预算（元）"]) for r in records(tmp_path / "out.xlsx", "项目汇总")}
    assert summary == {str(old): ("上海市政府质量奖", 7200000), str(bad): ("另一个项目", 7200000),
                       str(two): ("上海市政府质量奖", 7200000), str(new): ("上海市政府质量奖", 7200000)}


def test_blank_sums_stay_blank_and_units_over_their_ceiling_are_marked(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder, "a.xlsx", form("甲局", "项目一", [100.0], prior_budget=None, prior_executed=None))
    write(folder, "b.xlsx", form("乙局", "项目二", [50.0]))
    units = tmp_path / "units.csv"
    units.write_text("单位名称,控制数\n甲局,90\n乙局,60\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    consolidate([folder], out, units=units, jobs=1)
    ws = openpyxl.load_workbook(out)["统计"]
    rows = {ws.cell(r, 1).value: r for r in range(3, 6)}
    header = [c.value for c in ws[2]]
    prior = header.index(tables.PRIOR_BUDGET) + 1
    assert ws.cell(rows["甲局"], prior).value is None  # a blank 上年预算 is not 0.00
    assert ws.cell(rows["乙局"], prior).value == 1000.0
    ceiling, annual = header.index(tables.CEILING) + 1, header.index(tables.ANNUAL) + 1
    marked = {name: [ws.cell(r, c).fill.fgColor.rgb for c in (ceiling, annual)] for name, r in rows.items()
              if name in ("甲局", "乙局")}
    assert marked == {"甲局": ["00F8CBAD", "00F8CBAD"], "乙局": ["00000000", "00000000"]}
    assert ws.cell(rows["甲局"], annual).font.b and ws.cell(rows["甲局"], annual).font.color.rgb == "009C0006"
    status = openpyxl.load_workbook(out)["报送情况"]
    states = {status.cell(r, 2).value: status.cell(r, 9) for r in range(3, 5)}
    assert states["甲局"].value == "有警告" and status.cell(3, 6).value == 10.0
    assert status.cell(3, 6).fill.fgColor.rgb == "00F8CBAD"
