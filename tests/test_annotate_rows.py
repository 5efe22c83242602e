"""An annotated copy prints whole and gives one verdict: the rows of the form grow to the text typed into them (every
template version), and on a version-2 form, whose status line counts only the template's own checks, the summary
in 校验结果 says that it is the one that holds. (LibreOffice printing the copy: tests/test_annotate_libreoffice.py.)"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.test_check_cli import valid_values, write
from xltools import results, rowfit, spec
from xltools.annotate import annotate
from xltools.cells import split
from xltools.engine import check_file
from xltools.template import build_template
from xltools.text import LINE_HEIGHT, display_width

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
VERSION_FORMS = {"1": EXAMPLES / "versions" / "v1_05_上海市市场监督管理局_上海市政府质量奖.xlsx",
                 "2": EXAMPLES / "versions" / "v2_05_上海市市场监督管理局_上海市政府质量奖.xlsx"}
LONG = "项目设立的必要性需要很长的说明，一行写不下，打印时必须完整显示。" * 12  # 372 wide characters
TARGET = "≥95%，并在每个季度末前完成全部评审、公示和资金拨付工作" * 2


def _rows(path: Path, sheet: str = spec.FORM_SHEET) -> dict[int, dict[str, str]]:
    with zipfile.ZipFile(path) as zf:
        member = {ws.title: f"xl/worksheets/sheet{i}.xml"
                  for i, ws in enumerate(openpyxl.load_workbook(path, read_only=True).worksheets, start=1)}[sheet]
        xml = zf.read(member).decode()
    return {int(m.group(1)): dict(re.findall(r'(\w+)="([^"]*)"', m.group(0)))
            for m in re.finditer(r'<row r="(\d+)"[^>]*>', xml)}


def _typed(path: Path, version: str | None = None) -> Path:
    """A form where long texts were typed without the row growing (a program that does not fit heights): the
    necessity paragraph, and a long target in the first indicator row of the current template."""
    if version is None:
        wb = build_template()
        form = spec.build()
        ws = wb[spec.FORM_SHEET]
        for key, value in valid_values().items():
            if key in form.fields:
                ws[form.fields[key].cell] = value
        ws[form.fields["necessity"].cell] = LONG
        ws[form.tables["indicators"].cell("target", 0)] = TARGET
        ws[form.tables["indicators"].cell("level3", 0)] = "短"
    else:
        wb = openpyxl.load_workbook(VERSION_FORMS[version])
        form = spec.build(version)
        wb[spec.FORM_SHEET][form.fields["necessity"].cell] = LONG
    wb.save(path)
    return path


@pytest.mark.parametrize("version", [None, "1", "2"])
def test_rows_grow_to_the_text_they_hold(tmp_path: Path, version: str | None) -> None:
    src = _typed(tmp_path / "form.xlsx", version)
    form = spec.build(version or spec.TEMPLATE_VERSION)
    before = _rows(src)
    result = check_file(src)
    copy = annotate(result, src, tmp_path / "out")
    after = _rows(copy)
    necessity = form.fields["necessity"]
    width = sum(form.widths[necessity.first_col - 1:necessity.last_col])
    lines = -(-2 * len(LONG) // (width - 2))  # every character is wide
    assert float(after[necessity.row]["ht"]) == lines * LINE_HEIGHT + rowfit.PADDING > float(before[necessity.row]["ht"])
    # The row keeps whether its height is fixed: version 3's rows still grow when the unit edits the copy.
    assert ("customHeight" in after[necessity.row]) == ("customHeight" in before[necessity.row])
    assert ("customHeight" in after[necessity.row]) == (version is not None)
    target_row = form.tables["indicators"].first_row
    if version is None:  # a long target in an unmerged cell of a growing table row
        target_lines = -(-display_width(TARGET) // (form.widths[3] - 2))
        assert float(after[target_row]["ht"]) == target_lines * LINE_HEIGHT + rowfit.PADDING
    # Nothing else grows: labels were sized by the template, short texts fit. On the older forms, the approved
    # form's long targets (the sentences the engine calls vague) were cut off in their fixed rows: they grow too.
    grown = {r for r in after if after[r].get("ht") != before.get(r, {}).get("ht")}
    sentences = {split(f.cell)[1] for f in result.findings if f.code == "target-vague"}
    assert grown == ({necessity.row} | sentences if version else {necessity.row, target_row})


def test_a_copy_whose_texts_fit_changes_only_the_results_sheet(tmp_path: Path) -> None:
    src = write(tmp_path / "form.xlsx", valid_values(total_budget="约100"))  # short texts; one error to list
    copy = annotate(check_file(src), src, tmp_path / "out")
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(copy) as b:
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert changed == ["xl/worksheets/sheet3.xml"]  # 校验结果, the third sheet from version 3 on


@pytest.mark.parametrize(("version", "apart"), [("1", False), ("2", True), ("3", False)])
def test_one_verdict_per_printout(tmp_path: Path, version: str, apart: bool) -> None:
    """Version 3's status line shows the summary; version 2's counts only the template's own checks, so the
    summary says it holds; version 1 has no status line to disagree with."""
    src = VERSION_FORMS.get(version, EXAMPLES / "returns" / "05_上海市市场监督管理局_上海市政府质量奖.xlsx")
    result = check_file(src)
    copy = annotate(result, src, tmp_path)
    summary = openpyxl.load_workbook(copy)[spec.RESULTS_SHEET][spec.RESULTS_SUMMARY_CELL].value
    assert summary == result.report.summary() + (results.LIVE_APART if apart else "")
    assert summary.startswith("校验通过（7 个警告）")


def test_a_self_evaluation_copy_fits_its_own_form_and_gives_one_verdict(tmp_path: Path) -> None:
    """The self-evaluation family: its status line reads 校验结果 too (no note in the summary), and its rows grow on
    its own sheet (实际完成情况, merged over four columns)."""
    from xltools.spec.selfeval import SELFEVAL

    form = SELFEVAL.form(SELFEVAL.current)
    src = next((EXAMPLES / "selfeval").glob("*政府质量奖*.xlsx"))
    wb = openpyxl.load_workbook(src)
    wb[form.sheet][form.fields["achieved"].cell] = LONG
    typed = tmp_path / "selfeval.xlsx"
    wb.save(typed)
    result = check_file(typed)
    copy = annotate(result, typed, tmp_path / "out")
    assert openpyxl.load_workbook(copy)[spec.RESULTS_SHEET]["A1"].value == result.report.summary()
    row = form.fields["achieved"].row
    before, after = _rows(typed, form.sheet)[row], _rows(copy, form.sheet)[row]
    assert float(after["ht"]) > float(before["ht"])
