"""The 一键校验 button on a self-evaluation: the same entry point reads the meta, sees the self-evaluation's template
id and checks its own sheet with the same engine (driven through xlwings' remote engine, as tests/test_excel_button.py
drives it for the declaration)."""

from __future__ import annotations

from pathlib import Path

from tests.selfeval_cases import FORM, SPOILED, WORKED, WORKED_VALUES, spoiled, write
from tests.test_excel_button import alert_only, open_book, run_check, shape
from xltools import excel, spec
from xltools.findings import CODE_TITLES
from xltools.spec.selfeval import SELFEVAL


def test_the_button_checks_a_self_evaluation(tmp_path: Path) -> None:
    _acts, summary, rows = run_check(spoiled("money", tmp_path))
    expected = [("错误", FORM.sheet, c, code, f"【{CODE_TITLES[code]}】") for code, c in SPOILED["money"][3]]
    assert sorted(shape(rows)) == sorted(expected)
    assert summary == "4 个错误，0 个警告"


def test_a_clean_self_evaluation_passes(tmp_path: Path) -> None:
    _acts, summary, rows = run_check(write(tmp_path / "worked.xlsx", WORKED, WORKED_VALUES))
    assert (summary, rows) == ("校验通过", [])


def test_the_button_reads_the_self_evaluation_blocks() -> None:
    assert excel.form_block(SELFEVAL) == f"A1:H{FORM.last_row}"
    assert excel.meta_block() == f"A1:B{len(spec.META_KEYS)}"


def test_a_renamed_self_evaluation_sheet_is_named_in_the_alert(tmp_path: Path) -> None:
    import openpyxl

    path = write(tmp_path / "worked.xlsx", WORKED, WORKED_VALUES)
    wb = openpyxl.load_workbook(path)
    wb[FORM.sheet].title = "Sheet1"
    wb.save(path)
    book = open_book(path)
    assert excel.check_button(book) is None
    prompt, _title, _mode = alert_only(book)
    assert prompt.startswith("找不到工作表“绩效自评表”")
