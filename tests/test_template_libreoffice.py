"""The template in a real spreadsheet client: LibreOffice headless renders it, round-trips it, and computes its
live checks, with the conditional formats painting the right cells red or orange."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from tests import libreoffice as lo
from xltools import spec
from xltools.template import unlocked_cells

pytestmark = pytest.mark.libreoffice

FORM = spec.build()
WHITE, CHECK_GREY = (255, 255, 255), (247, 247, 247)
RED, ORANGE = (255, 199, 206), (255, 216, 168)  # template.BAD_FILL_RGB / WARN_FILL_RGB


@pytest.fixture(scope="module")
def pdf(template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lo.to_pdf([template_path], tmp_path_factory.mktemp("pdf"))[0]


def test_renders_to_pdf_with_title_on_every_page_and_hidden_rows_not_printed(pdf: Path) -> None:
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    # Two pages of form (title rows repeated), the explanation list and the results sheet.
    assert len(pages) == 4
    for text in pages[:2]:
        assert "上海市财政支出项目绩效目标申报表" in text and "（2019年）" in text
    assert "第 1 页，共 4 页" in pages[0]
    assert "申报单位名称" in pages[0] and "项目当年投入资金构成" in pages[0] and "分解目标" in pages[1]
    assert "表内自查说明" in pages[2] and "尚未开始填写" in pages[2]
    assert "严重程度" in pages[3]
    # Only the 10 visible sub-project rows print.
    words = [w for w in lo.pdf_words(pdf) if w.page == 1]
    (header,) = [w for w in words if w.text == "序号"]
    serials = [w.text for w in words if re.fullmatch(r"\d+", w.text) and w.y0 > header.y1
               and abs((w.x0 + w.x1) - (header.x0 + header.x1)) < 20]
    assert serials == [str(i) for i in range(1, 11)]


def test_renders_to_png(pdf: Path, tmp_path: Path) -> None:
    raster = lo.render_page(pdf, 1, dpi=60)
    # A4 portrait: 210 x 297 mm at 60 dpi.
    assert abs(raster.width - 496) <= 1 and abs(raster.height - 702) <= 1
    png = raster.save_png(tmp_path / "page1.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    title = next(w for w in lo.pdf_words(pdf) if w.page == 1 and w.text == "上海市财政支出项目绩效目标申报表")
    inked = [px for px in _grid(raster, title) if sum(px) < 200]
    assert len(inked) > 5  # the title's glyphs are drawn where pdftotext says they are


# --- round trip ----------------------------------------------------------------------------------------------


def _cells(sqref: str) -> list[tuple[int, int, int]]:
    """(row, col, top_row) of every cell of a space-separated sqref."""
    out = []
    for part in sqref.split():
        min_col, min_row, max_col, max_row = range_boundaries(part)
        out += [(r, c, min_row) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]
    return out


def _validation_by_cell(ws: Worksheet) -> dict[tuple[int, int], tuple[Any, ...]]:
    """What applies to each cell, with relative references resolved to the cell's own row (LibreOffice may
    regroup ranges), and with the defaults LibreOffice writes for unused operator/formula2 dropped."""
    out: dict[tuple[int, int], tuple[Any, ...]] = {}
    for dv in ws.data_validations.dataValidation:
        for row, col, top in _cells(str(dv.sqref)):
            formula = re.sub(r"\$([A-Z]+)(\d+)",
                             lambda m, row=row, top=top: f"${m.group(1)}{int(m.group(2)) + row - top}",
                             dv.formula1 or "")
            bounded = dv.type in ("decimal", "date", "textLength")
            out[(row, col)] = (dv.type, dv.operator if bounded else None, formula if dv.type else None,
                               dv.formula2 if dv.type == "date" else None, dv.errorStyle or "stop",
                               dv.prompt, dv.error)
    return out


def test_roundtrip_keeps_validations_unlocked_cells_and_protection(template_path: Path, tmp_path: Path) -> None:
    resaved = lo.roundtrip_xlsx(template_path, tmp_path)
    before, after = load_workbook(template_path), load_workbook(resaved)
    form_before, form_after = before[spec.FORM_SHEET], after[spec.FORM_SHEET]

    expected = _validation_by_cell(form_before)
    survived = _validation_by_cell(form_after)
    assert survived == expected
    # The dependent dropdown, row by row.
    assert survived[(83, 2)][2] == 'INDIRECT("xlt_l2_"&MATCH($A83,xlt_level1,0))'
    assert survived[(119, 2)][2] == 'INDIRECT("xlt_l2_"&MATCH($A119,xlt_level1,0))'
    # ...and the names it resolves to.
    for name in ("xlt_l2_1", "xlt_l2_2", "xlt_l2_3", "xlt_l2_4", "xlt_level1", "xlt_level3"):
        assert after.defined_names[name].attr_text.replace("'", "") == \
            before.defined_names[name].attr_text.replace("'", "")

    assert unlocked_cells(form_after) == set(FORM.input_cells())
    # LibreOffice 7.4 writes at most 1000 trailing rows that carry only formatting, so a re-saved file keeps the
    # first 1000 result rows unlocked and loses the rest (more than 1000 findings in one form is not realistic).
    results_after = unlocked_cells(after[spec.RESULTS_SHEET])
    first = spec.RESULTS_HEADER_ROW + 1
    assert results_after <= unlocked_cells(before[spec.RESULTS_SHEET])
    assert {"A1"} | {f"{c}{r}" for c in "ABCDE" for r in range(first, first + 1000)} <= results_after
    for sheet in (spec.FORM_SHEET, spec.RESULTS_SHEET, spec.LISTS_SHEET, spec.META_SHEET):
        prot = after[sheet].protection
        assert prot.sheet is True, sheet
        assert prot.password.upper() == before[sheet].protection.password.upper(), sheet
    assert form_after.protection.formatRows is False  # staff may still unhide rows
    assert [ws.sheet_state for ws in after.worksheets] == ["visible", "visible", "visible", "hidden", "hidden",
                                                           "hidden"]
    # LibreOffice drops workbook-structure protection on export (a known limitation), so it is not asserted.

    # The helper's profile recalculates on load: openpyxl wrote no cached values, LibreOffice's copy has them.
    cached = load_workbook(resaved, data_only=True)[spec.FORM_SHEET]
    assert load_workbook(template_path, data_only=True)[spec.FORM_SHEET][_cell("subtotal")].value is None
    assert cached[_cell("subtotal")].value == 0
    assert cached[_cell("subtotal_status")].value in (None, "")


# --- typing values and recalculating -------------------------------------------------------------------------

UNO_SCRIPT = r'''
import json, sys
from libreoffice import file_url, props, uno_session

src, jobs_path, out_dir = sys.argv[1:4]
jobs = json.load(open(jobs_path, encoding="utf-8"))
result = {}
with uno_session() as desktop:
    for name, job in jobs.items():
        doc = desktop.loadComponentFromURL(file_url(src), "_blank", 0, props(Hidden=True))
        try:
            for sheet_name, cells in job["write"].items():
                sheet = doc.Sheets.getByName(sheet_name)
                for addr, value in cells.items():
                    cell = sheet.getCellRangeByName(addr)
                    if isinstance(value, (int, float)):
                        cell.setValue(value)
                    else:
                        cell.setString(value)
            doc.calculateAll()
            sheet = doc.Sheets.getByName(job["read_sheet"])
            rows = sheet.getRows()
            result[name] = {
                "protected": sheet.isProtected(),
                "cells": {a: [sheet.getCellRangeByName(a).getString(), sheet.getCellRangeByName(a).getValue()]
                          for a in job["read"]},
                # Row heights in points after typing (UNO gives 1/100 mm).
                "heights": {r: round(rows.getByIndex(int(r) - 1).Height / 2540 * 72) for r in job.get("rows", [])},
            }
            doc.storeToURL(file_url(f"{out_dir}/{name}.pdf"), props(FilterName="calc_pdf_Export"))
        finally:
            doc.close(True)
print(json.dumps(result, ensure_ascii=False))
'''


def _cell(key: str) -> str:
    return FORM.fields[key].cell if key in FORM.fields else FORM.checks[key].cell


def _money(**values: float) -> dict[str, float]:
    return {_cell(k): v for k, v in values.items()}


def _sub(amounts: list[float]) -> dict[str, float]:
    t = FORM.tables["subprojects"]
    return {t.cell("amount", i): a for i, a in enumerate(amounts)}


def _result(key: str, index: int) -> str:
    """Cell of column ``key`` in the ``index``-th result row of 校验结果."""
    col = "ABCDEFGH"[[k for k, _label, _width in spec.RESULTS_COLUMNS].index(key)]
    return f"{col}{spec.RESULTS_HEADER_ROW + 1 + index}"


CHECKS = ("prior_rate", "annual_vs_total", "subtotal", "subtotal_status")
JOBS = {
    "bad": {
        "write": {
            spec.FORM_SHEET: {_cell("unit"): "示例单位", _cell("project"): "示例项目",
                              **_money(total_budget=1_000_000, annual_budget=1_200_000, prior_budget=500_000,
                                       prior_executed=400_000), **_sub([700_000, 350_000])},
            # Findings of a Python check: the listed cells light up without touching the protected form.
            spec.RESULTS_SHEET: {
                _result("severity", 0): "错误", _result("sheet", 0): spec.FORM_SHEET, _result("cell", 0): _cell("project"),
                _result("severity", 1): "警告", _result("sheet", 1): spec.FORM_SHEET, _result("cell", 1): _cell("unit"),
            },
        },
        "read_sheet": spec.FORM_SHEET,
        "read": [_cell(k) for k in CHECKS],
    },
    "good": {
        "write": {spec.FORM_SHEET: {**_money(total_budget=1_000_000, annual_budget=800_000, prior_budget=600_000,
                                             prior_executed=594_000), **_sub([500_000, 300_000])}},
        "read_sheet": spec.FORM_SHEET,
        "read": [_cell(k) for k in CHECKS],
    },
    "long": {
        "write": {spec.FORM_SHEET: {
            _cell("overview"): "项目概况的文字很长，需要很多行才能完整显示和打印。" * 20,
            _cell("basis"): "简短。",
            FORM.tables["subprojects"].cell("name", 1): "名称很长的子项目，" * 12,
            FORM.tables["indicators"].cell("level3", 0): "短",
            FORM.tables["indicators"].cell("target", 1): "≥95%，且在每个季度末前完成全部评审和公示工作，" * 3,
        }},
        "read_sheet": spec.FORM_SHEET,
        "read": [],
        "rows": [FORM.fields["overview"].row, FORM.fields["basis"].row, FORM.tables["subprojects"].first_row + 1,
                 FORM.tables["indicators"].first_row, FORM.tables["indicators"].first_row + 1],
    },
}
LONG_SUB_ROW = FORM.tables["subprojects"].first_row + 1
LONG_TARGET_ROW = FORM.tables["indicators"].first_row + 1


@pytest.fixture(scope="module")
def typed(template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    tmp = tmp_path_factory.mktemp("uno")
    (tmp / "fill.py").write_text(UNO_SCRIPT, encoding="utf-8")
    (tmp / "jobs.json").write_text(json.dumps(JOBS, ensure_ascii=False), encoding="utf-8")
    run = lo.run_uno_script(tmp / "fill.py", str(template_path), str(tmp / "jobs.json"), str(tmp))
    return json.loads(run.stdout), tmp


def test_live_checks_compute_in_libreoffice(typed: tuple[dict[str, Any], Path]) -> None:
    results, _ = typed
    bad, good = results["bad"], results["good"]
    assert bad["protected"] is True  # typed into unlocked cells of the protected sheet
    assert bad["cells"] == {
        "B19": ["80.00%", 0.8],
        "D19": ["当年预算超过总预算", 0.0],
        "D52": ["1,050,000.00", 1_050_000.0],
        "B52": ["合计与项目当年预算不一致", 0.0],
    }
    assert good["cells"] == {
        "B19": ["99.00%", 0.99],
        "D19": ["正确", 0.0],
        "D52": ["800,000.00", 800_000.0],
        "B52": ["合计与项目当年预算一致", 0.0],
    }


def test_rows_grow_with_the_text_typed(typed: tuple[dict[str, Any], Path]) -> None:
    """Version 3: typing a long paragraph, a long sub-project name or a long target makes its row taller in
    LibreOffice (merged cells included); a short one leaves a row of one line. Excel and WPS: see
    docs/acceptance-checklist.md (not verified here)."""
    results, _ = typed
    heights = {int(r): h for r, h in results["long"]["heights"].items()}
    overview, name_row, target_row = FORM.fields["overview"].row, LONG_SUB_ROW, LONG_TARGET_ROW
    assert heights[overview] > 66 * 2  # twelve lines of text across the form: far above the 66 pt it starts at
    assert heights[name_row] > 22 * 2 and heights[target_row] > 22 * 2
    assert heights[FORM.fields["basis"].row] < 30  # a short text: one line
    assert heights[FORM.tables["indicators"].first_row] < 30


def _grid(raster: lo.Raster, word: lo.Word) -> list[tuple[int, int, int]]:
    xs = [word.x0 + i * (word.x1 - word.x0) / 12 for i in range(13)]
    ys = [word.y0 + j * (word.y1 - word.y0) / 8 for j in range(9)]
    return [raster.at_points(x, y) for x in xs for y in ys]


def _backgrounds(pdf: Path, raster: lo.Raster, text: str, page: int = 1) -> list[tuple[int, int, int]]:
    """The dominant colour behind each occurrence of the word ``text`` on ``page`` (rendered as ``raster``), top
    to bottom: the cell's (conditional) fill."""
    words = sorted((w for w in lo.pdf_words(pdf) if w.page == page and w.text == text), key=lambda w: (w.y0, w.x0))
    return [Counter(_grid(raster, w)).most_common(1)[0][0] for w in words]


def _backgrounds_on_pages(pdf: Path, texts: Any, pages: int = 2) -> dict[str, list[tuple[int, int, int]]]:
    """``_backgrounds`` of each text over the first ``pages`` pages, in reading order."""
    out: dict[str, list[tuple[int, int, int]]] = {t: [] for t in texts}
    for page in range(1, pages + 1):
        raster = lo.render_page(pdf, page, dpi=100)
        for text in texts:
            out[text] += _backgrounds(pdf, raster, text, page)
    return out


def _close(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return all(abs(x - y) <= 6 for x, y in zip(a, b, strict=True))


def test_inconsistent_cells_render_red_and_warnings_orange(typed: tuple[dict[str, Any], Path]) -> None:
    _, out = typed
    pdf = out / "bad.pdf"
    expected = {
        "1,200,000.00": RED,  # 项目当年预算: exceeds the total and differs from the sub-project total
        "当年预算超过总预算": RED,
        "1,050,000.00": RED,  # 合计
        "合计与项目当年预算不一致": RED,
        "80.00%": ORANGE,  # 执行率 below 90%
        "400,000.00": ORANGE,  # 上年执行数
        "示例项目": RED,  # listed on 校验结果 as 错误
        "示例单位": ORANGE,  # listed on 校验结果 as 警告
        "1,000,000.00": WHITE,  # 项目总预算 is fine
        "500,000.00": WHITE,
        "700,000.00": WHITE,
    }
    seen = _backgrounds_on_pages(pdf, expected)
    assert all(len(seen[t]) == 1 and _close(seen[t][0], expected[t]) for t in expected), seen


def test_consistent_values_render_without_red(typed: tuple[dict[str, Any], Path]) -> None:
    _, out = typed
    pdf = out / "good.pdf"
    expected = {
        "800,000.00": [WHITE, CHECK_GREY],  # 项目当年预算, then 合计
        "1,000,000.00": [WHITE],
        "正确": [CHECK_GREY],
        "99.00%": [CHECK_GREY],
        "594,000.00": [WHITE],
        "合计与项目当年预算一致": [CHECK_GREY],
    }
    seen = _backgrounds_on_pages(pdf, expected)
    assert all(len(seen[t]) == len(expected[t]) and all(map(_close, seen[t], expected[t])) for t in expected), seen


# --- the helper itself ---------------------------------------------------------------------------------------


def test_concurrent_profiles_are_distinct_and_reused() -> None:
    with lo.profile() as first, lo.profile() as second:
        assert first != second
        assert (first / "user" / "registrymodifications.xcu").read_text(encoding="utf-8").count(
            '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value>') == 1
    with lo.profile() as again:
        assert again == first


def test_batch_conversion_renders_each_unit_template(tmp_path: Path) -> None:
    from xltools.template import write_unit_templates

    units = tmp_path / "units.csv"
    units.write_text("单位编码,单位名称\n001,上海市甲局\n002,上海市乙中心\n", encoding="utf-8")
    books = write_unit_templates(units, tmp_path / "xlsx")
    pdfs = lo.to_pdf(books, tmp_path / "pdf")  # one soffice call for both
    assert [p.name for p in pdfs] == ["001_上海市甲局_绩效目标申报表.pdf", "002_上海市乙中心_绩效目标申报表.pdf"]
    firsts = [PdfReader(p).pages[0].extract_text() for p in pdfs]
    assert "上海市甲局" in firsts[0] and "上海市乙中心" not in firsts[0]
    assert "上海市乙中心" in firsts[1]
