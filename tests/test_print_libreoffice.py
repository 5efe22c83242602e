"""Printing, as LibreOffice renders it to PDF: the consolidated workbook (every sheet one page wide, the header
on every page, 统计 on one page with its charts), and 校验结果 with every finding (annotated copies, and the
template after the button wrote into it). Pages are told apart by the sheet name the page header prints."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.styles import Alignment

from tests import libreoffice as lo
from tests.test_check_cli import valid_values, write
from xltools import excel, results, spec, template
from xltools.annotate import rewrite_results_xml
from xltools.cli import main
from xltools.consolidate import consolidate, tables
from xltools.engine import check_file
from xltools.workbook import sheet_member

pytestmark = pytest.mark.libreoffice

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [ROOT / "examples" / "returns", ROOT / "examples" / "faulty"]
IND = spec.build().tables["indicators"]
SHEETS = [tables.SUMMARY_SHEET, tables.SUBPROJECTS_SHEET, tables.INDICATORS_SHEET, tables.FINDINGS_SHEET,
          tables.STATS_SHEET, tables.STATUS_SHEET]
TITLE = "2019 年度上海市财政支出项目绩效目标申报表汇总"
MADE = dt.date(2026, 12, 1)


def pages(pdf: Path) -> list[str]:
    """The text of each page (layout kept)."""
    text = lo.pdf_text(pdf)
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def flat(text: str) -> str:
    return "".join(text.split())


def header_parts(name: str) -> list[str]:
    """What of a header the page shows on one line: a header may wrap, so each part up to 4 characters."""
    return [part[:4] for part in re.split(r"[（）]", name) if part]


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    out = tmp_path_factory.mktemp("print") / "汇总.xlsx"
    consolidate(EXAMPLES, out, units=ROOT / "examples" / "units.csv", jobs=2, today=MADE)
    (pdf,) = lo.to_pdf([out], out.parent / "pdf")
    return by_sheet(pdf)


def by_sheet(pdf: Path) -> dict[str, list[str]]:
    """The pages of each sheet, told apart by the sheet name the page header prints first."""
    found: dict[str, list[str]] = {}
    for text in pages(pdf):
        found.setdefault(text.split()[0], []).append(text)
    return found


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five approved 2019 forms with the units list: what a bureau prints for a meeting."""
    out = tmp_path_factory.mktemp("five") / "汇总.xlsx"
    consolidate([ROOT / "examples" / "returns"], out, units=ROOT / "examples" / "units.csv", jobs=1, today=MADE)
    (pdf,) = lo.to_pdf([out], out.parent / "pdf")
    return pdf


def test_five_forms_print_on_at_most_ten_a4_pages_each_with_title_year_and_date(five: Path) -> None:
    texts = pages(five)
    info = subprocess.run(["pdfinfo", str(five)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size: +841\.\d+ x 595\.\d+ pts \(A4\)", info), info  # landscape A4
    counts = {name: len(found) for name, found in by_sheet(five).items()}
    assert counts == {tables.SUMMARY_SHEET: 1, tables.SUBPROJECTS_SHEET: 1, tables.INDICATORS_SHEET: 4,
                      tables.FINDINGS_SHEET: 1, tables.STATS_SHEET: 1, tables.STATUS_SHEET: 1}
    assert len(texts) == 9 <= 10
    for number, text in enumerate(texts, start=1):
        header = text.strip().splitlines()[0].split()
        # Every page: the sheet's name, the title with the budget year, the date it was made; its number below.
        assert header[1:] == ["2019", "年度上海市财政支出项目绩效目标申报表汇总", "制表日期：2026-12-01"], (number, header)
        assert header[0] in SHEETS
        assert f"第 {number} 页，共 {len(texts)} 页" in text


def test_the_source_column_prints_the_file_name_not_the_path(five: Path) -> None:
    summary = flat(by_sheet(five)[tables.SUMMARY_SHEET][0])
    assert "examples/returns" not in summary and str(ROOT) not in summary
    # The names print from their start (a long one is cut at the column's edge, not wrapped into many lines).
    for prefix in ("01_上海市知识产权局", "02_上海市市场监督", "05_上海市市场监督"):
        assert prefix in summary, prefix


def test_status_prints_every_unit_and_marks_those_not_returned(five: Path) -> None:
    page = flat(by_sheet(five)[tables.STATUS_SHEET][0])
    assert "各单位报送情况（5个单位：未报送1、有警告4）" in page
    for text in ("001上海市知识产权局", "005上海市药品监督管理局", "未报送", "1,194,000.00", "未读取的文件：无"):
        assert text in page, text


def test_every_sheet_prints_and_only_as_many_pages_as_it_needs(consolidated: dict[str, list[str]]) -> None:
    assert list(consolidated) == SHEETS
    counts = {name: len(texts) for name, texts in consolidated.items()}
    # 23 forms: two pages of 项目汇总 (not five pages across), and 统计 with its two charts on one page.
    assert counts[tables.SUMMARY_SHEET] <= 2, counts
    assert counts[tables.STATS_SHEET] == 1, counts
    # Was 60 pages before every sheet fitted the page width; 37 with long source paths wrapping in every row.
    assert sum(counts.values()) <= 30, counts


@pytest.mark.parametrize("name", SHEETS[:4])
def test_row_sheets_print_one_page_wide_with_the_header_on_every_page(consolidated: dict[str, list[str]],
                                                                      name: str) -> None:
    headers = list({tables.SUMMARY_SHEET: tables.SUMMARY_ALL, tables.SUBPROJECTS_SHEET: tables.SUBPROJECTS,
                    tables.INDICATORS_SHEET: tables.INDICATORS, tables.FINDINGS_SHEET: tables.FINDINGS}[name])
    for number, text in enumerate(consolidated[name], start=1):
        page = flat(text)
        # The first and the last column on every page: nothing is cut off to the right, and the header repeats.
        missing = [h for h in headers if not all(part in page for part in header_parts(h))]
        assert missing == [], (name, number, missing)


def test_the_summary_headers_are_all_on_page_one(consolidated: dict[str, list[str]]) -> None:
    page = flat(consolidated[tables.SUMMARY_SHEET][0])
    for header in tables.SUMMARY_ALL:
        assert all(part in page for part in header_parts(header)), header
    assert "计入汇总" in page and "是" in page and "否" in page


def test_statistics_print_with_their_charts(consolidated: dict[str, list[str]]) -> None:
    page = flat(consolidated[tables.STATS_SHEET][0])
    for text in ("按申报单位汇总", "按项目类型汇总", "一级指标覆盖情况", "项目当年预算（元）按项目类型", "一级指标覆盖表数",
                 "上海市知识产权局", "控制数"):
        assert text in page, text


# -- 校验结果 -----------------------------------------------------------------------------------------------------

def many_findings(path: Path) -> Path:
    """A form with 60 vague targets: 60 warnings, more than one printed page of 校验结果."""
    rows = [(("投入和管理目标", "产出目标", "效果目标", "影响力目标")[i % 4], "", f"指标{i + 1:02d}", "较上年增长")
            for i in range(IND.capacity)]
    rows[0:4] = [("投入和管理目标", "财务管理", "指标01", "较上年增长"), ("产出目标", "数量目标", "指标02", "较上年增长"),
                 ("效果目标", "社会效益目标", "指标03", "较上年增长"), ("影响力目标", "满意度目标", "指标04", "较上年增长")]
    indicators = []
    for level1, _level2, level3, target in rows:
        level2 = {"投入和管理目标": "财务管理", "产出目标": "数量目标", "效果目标": "社会效益目标",
                  "影响力目标": "满意度目标"}[level1]
        indicators.append({"level1": level1, "level2": level2, "level3": level3, "target": target})
    return write(path, valid_values(indicators=indicators))


def results_pages(pdf: Path) -> list[str]:
    return [flat(text) for text in pages(pdf) if "严重程度" in text and "说明" in text]


def assert_prints_every_finding(pdf: Path, rows: list[list[str]] | list[tuple[str, ...]]) -> None:
    """Every result row printed whole: its cell and code, and its message from the first character to the last
    (wrapped within the page: a message cut at the page edge would miss its end)."""
    printed = results_pages(pdf)
    assert len(printed) >= 2, "60 findings take more than one page"
    assert all("严重程度工作表单元格规则说明" in page for page in printed)  # the header row repeats
    text = "".join(printed)
    for row in rows:
        assert flat(f"申报表{row[2]}{row[3]}{row[4]}") in text, row
    assert text.count("【目标值不可衡量】") == len(rows)


def test_an_annotated_copy_prints_every_finding(tmp_path: Path) -> None:
    form = many_findings(tmp_path / "form.xlsx")
    rows = results.rows(check_file(form).findings)
    assert len(rows) == IND.capacity
    result = CliRunner().invoke(main, ["check", str(form), "--annotate", str(tmp_path / "annotated")])
    assert result.exit_code == 0, result.output
    (pdf,) = lo.to_pdf([tmp_path / "annotated" / form.name], tmp_path / "pdf")
    assert_prints_every_finding(pdf, rows)


def _with_print_area(src: Path, dst: Path, area: str) -> Path:
    """A copy of ``src`` whose 校验结果 print area is ``area``: a form filled from an earlier template."""
    index = openpyxl.load_workbook(src).sheetnames.index(spec.RESULTS_SHEET)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rf'(<definedName name="_xlnm.Print_Area" localSheetId="{index}">)[^<]*'.encode(),
                              rb"\1" + area.encode(), data)
                assert area.encode() in data
            zout.writestr(info, data)
    return dst


def _with_rows(src: Path, dst: Path, summary: str, rows: list[list[str]] | list[tuple[str, ...]]) -> Path:
    """A copy of ``src`` with ``rows`` written into 校验结果 and nothing else changed (workbook.xml included)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        member = sheet_member(zin, spec.RESULTS_SHEET)
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == member:
                data = rewrite_results_xml(data, summary, rows)
            zout.writestr(info, data)
    return dst


def test_a_copy_of_a_form_from_an_earlier_template_prints_every_finding_too(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Templates sent out before this change fixed the print area at the header (A1:E3) and did not wrap the
    result cells; annotating sets the print area and gives the result cells wrapping styles."""
    monkeypatch.setattr(template.sheets, "RESULT_ALIGN", Alignment())  # the results sheet's writer
    old = _with_print_area(many_findings(tmp_path / "new.xlsx"), tmp_path / "old.xlsx", "'校验结果'!$A$1:$E$3")
    assert openpyxl.load_workbook(old)[spec.RESULTS_SHEET]["E4"].alignment.wrap_text is not True
    rows = results.rows(check_file(old).findings)
    # Rows written, print area left alone: what copies printed before (header only).
    stale = _with_rows(old, tmp_path / "stale" / "old.xlsx", "x", rows)
    (stale_pdf,) = lo.to_pdf([stale], tmp_path / "pdf-stale")
    assert "target-vague" not in "".join(results_pages(stale_pdf))
    CliRunner().invoke(main, ["check", str(old), "--annotate", str(tmp_path / "annotated")])
    copy = openpyxl.load_workbook(tmp_path / "annotated" / old.name)[spec.RESULTS_SHEET]
    assert copy["E4"].alignment.wrap_text is True and copy["E4"].protection.locked is False
    (pdf,) = lo.to_pdf([tmp_path / "annotated" / old.name], tmp_path / "pdf")
    assert_prints_every_finding(pdf, rows)


def test_the_template_prints_what_the_button_writes(tmp_path: Path) -> None:
    """The button only writes values (it cannot change the page setup of the protected sheet): the print area
    defined in the template must cover whatever it writes."""
    import os

    os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"  # the remote engine (tests only)
    import xlwings as xw

    from tests.payload import payload

    form = many_findings(tmp_path / "form.xlsx")
    book = xw.Book(json=payload(form))
    excel.check_button(book)
    block = next(a for a in book.json()["actions"] if a["func"] == "setValues" and a["row_count"] > 1)["values"]
    written = [row for row in block if any(row)]
    # Write exactly those values into the sheet part (as Excel would store them); workbook.xml stays the template's.
    done = _with_rows(form, tmp_path / "done" / form.name, "校验通过（60 个警告）", written)
    (pdf,) = lo.to_pdf([done], tmp_path / "pdf")
    assert_prints_every_finding(pdf, written)


@pytest.mark.parametrize("rows", [0, 7, 2000])
def test_the_print_area_formula_covers_exactly_the_rows_written(tmp_path: Path, rows: int) -> None:
    """LibreOffice evaluates the template's print-area formula as Excel would (in a cell: LibreOffice itself
    prints the used cells when a print area is a formula): header rows plus one row per finding, five columns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = spec.RESULTS_SHEET
    for r in range(results.FIRST_ROW, results.FIRST_ROW + rows):
        ws.cell(r, len(spec.RESULTS_COLUMNS), f"说明{r}")
    ws["H1"] = f"=ROWS({results.print_area()})"
    ws["H2"] = f"=COLUMNS({results.print_area()})"
    ws["H3"] = f"=CELL(\"address\",{results.print_area()})"
    src = tmp_path / "area.xlsx"
    wb.save(src)
    out = lo.roundtrip_xlsx(src, tmp_path / "lo")
    computed = openpyxl.load_workbook(out, data_only=True)[spec.RESULTS_SHEET]
    assert [computed["H1"].value, computed["H2"].value, computed["H3"].value] == [
        spec.RESULTS_HEADER_ROW + rows, len(spec.RESULTS_COLUMNS), "$A$1"]

