"""`xltools check`: terminal report, JSON contract, exit codes, annotated copies that leave the original alone."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from tests.factories import DEFAULTS, INDICATORS, SUBPROJECTS
from xltools import results, spec
from xltools.cli import main
from xltools.fill import fill
from xltools.template import build_template

S = spec.build()
F = S.fields


def valid_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = dict(DEFAULTS)
    values["subprojects"] = [{"name": n, "amount": a} for n, a in SUBPROJECTS]
    values["indicators"] = [dict(zip(("level1", "level2", "level3", "target"), row, strict=True))
                            for row in INDICATORS]
    values.update(overrides)
    return values


def write(path: Path, values: dict[str, Any]) -> Path:
    wb = build_template()
    fill(wb, values)
    wb.save(path)
    return path


@pytest.fixture()
def forms(tmp_path: Path) -> dict[str, Path]:
    return {
        "good": write(tmp_path / "good.xlsx", valid_values()),
        "bad": write(tmp_path / "bad.xlsx", valid_values(annual_budget=2_000_000, total_budget="约100")),
        "junk": _junk(tmp_path / "junk.xlsx"),
    }


def _junk(path: Path) -> Path:
    path.write_text("not a workbook", encoding="utf-8")
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_valid_form_passes_with_exit_0(forms: dict[str, Path]) -> None:
    r = run("check", str(forms["good"]))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == [f"{forms['good']}：校验通过", "共检查 1 个文件：0 个有错误，错误 0 条，警告 0 条。"]


def test_json_is_one_array_with_exact_keys(forms: dict[str, Path]) -> None:
    r = run("check", "--json", str(forms["bad"]), str(forms["good"]), str(forms["junk"]))
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert all(list(item) == ["file", "sheet", "cell", "code", "severity", "message"] for item in data)
    assert [(d["file"], d["sheet"], d["cell"], d["code"], d["severity"]) for d in data] == [
        (str(forms["bad"]), "申报表", F["total_budget"].cell, "amount-invalid", "error"),
        (str(forms["bad"]), "申报表", F["annual_budget"].cell, "subtotal-mismatch", "error"),
        (str(forms["junk"]), "", "", "file-unreadable", "error"),
    ]
    assert data[0]["message"].startswith("项目总预算（元）填写为“约100”")


def test_terminal_report_lists_each_finding(forms: dict[str, Path]) -> None:
    r = run("check", str(forms["bad"]))
    assert r.exit_code == 1
    lines = r.output.splitlines()
    assert lines[0] == f"{forms['bad']}：2 个错误，0 个警告"
    assert lines[1].split()[:3] == ["错误", "申报表!B17", "amount-invalid"]
    assert lines[2].split()[:3] == ["错误", "申报表!D17", "subtotal-mismatch"]
    assert lines[-1] == "共检查 1 个文件：1 个有错误，错误 2 条，警告 0 条。"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("check").exit_code == 2
    assert run("check", str(tmp_path / "missing.xlsx")).exit_code == 2
    assert run("check", "--bogus", str(tmp_path)).exit_code == 2


def test_folder_is_searched_and_lock_files_skipped(tmp_path: Path) -> None:
    sub = tmp_path / "returns" / "a"
    sub.mkdir(parents=True)
    write(sub / "one.xlsx", valid_values())
    (sub / "~$one.xlsx").write_bytes(b"lock")
    (sub / "notes.txt").write_text("x", encoding="utf-8")
    r = run("check", "--json", str(tmp_path / "returns"))
    assert (r.exit_code, json.loads(r.stdout)) == (0, [])


def test_annotate_writes_findings_into_a_copy(forms: dict[str, Path], tmp_path: Path) -> None:
    original = forms["bad"]
    before = (original.read_bytes(), original.stat().st_mtime_ns)
    out = tmp_path / "annotated"
    r = run("check", str(original), "--annotate", str(out))
    assert r.exit_code == 1
    copy = out / original.name
    assert (original.read_bytes(), original.stat().st_mtime_ns) == before
    grid = CalamineWorkbook.from_path(str(copy)).get_sheet_by_name(spec.RESULTS_SHEET).to_python(
        skip_empty_area=False)
    assert grid[0][0] == "2 个错误，0 个警告"
    assert list(grid[spec.RESULTS_HEADER_ROW - 1]) == list(results.HEADER)
    body = [row[:4] for row in grid[results.FIRST_ROW - 1:] if any(row)]
    assert body == [["错误", "申报表", "B17", "amount-invalid"], ["错误", "申报表", "D17", "subtotal-mismatch"]]
    # Every other part of the package is byte-identical: validations, protection, names all survive.
    with zipfile.ZipFile(original) as a, zipfile.ZipFile(copy) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert len(changed) == 1 and changed[0].startswith("xl/worksheets/")


def test_annotating_again_clears_old_rows(forms: dict[str, Path], tmp_path: Path) -> None:
    first = tmp_path / "first"
    run("check", str(forms["bad"]), "--annotate", str(first))
    # Check the annotated copy once more after fixing nothing but one amount: fewer rows, none stale.
    import openpyxl

    wb = openpyxl.load_workbook(first / "bad.xlsx")
    wb[spec.FORM_SHEET][F["total_budget"].cell] = 3_000_000
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)
    second = tmp_path / "second"
    # openpyxl's save above dropped nothing we need; the stale rows from the first run are still in the sheet.
    run("check", str(fixed), "--annotate", str(second))
    grid = CalamineWorkbook.from_path(str(second / "fixed.xlsx")).get_sheet_by_name(
        spec.RESULTS_SHEET).to_python(skip_empty_area=False)
    body = [row[:4] for row in grid[results.FIRST_ROW - 1:] if any(row)]
    assert grid[0][0] == "1 个错误，0 个警告"
    assert body == [["错误", "申报表", "D17", "subtotal-mismatch"]]


def test_unreadable_files_are_not_annotated_but_reported(forms: dict[str, Path], tmp_path: Path) -> None:
    r = run("check", str(forms["junk"]), "--annotate", str(tmp_path / "out"))
    assert r.exit_code == 1
    assert "未能标注：文件无法按本模板读取，不能在其中标注；问题见检查报告。" in r.output
    assert not (tmp_path / "out" / "junk.xlsx").exists()


def test_console_script_runs_as_a_process(forms: dict[str, Path]) -> None:
    proc = subprocess.run([sys.executable, "-m", "xltools.cli", "check", "--json", str(forms["good"])],
                          capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout.strip()) == (0, "[]")


def test_annotating_a_macro_workbook_keeps_its_macros_and_buttons(tmp_path: Path) -> None:
    from tests.conftest import COMMITTED_TEMPLATE

    blank = COMMITTED_TEMPLATE.with_suffix(".xlsm")  # a blank form: every required field is missing
    r = run("check", str(blank), "--annotate", str(tmp_path))
    assert r.exit_code == 1
    copy = tmp_path / blank.name
    with zipfile.ZipFile(blank) as a, zipfile.ZipFile(copy) as b:
        assert a.namelist() == b.namelist()
        same = {n for n in a.namelist() if a.read(n) == b.read(n)}
        assert {"xl/vbaProject.bin", "[Content_Types].xml"} <= same
        assert any(n.endswith(".vml") for n in same)
        assert len(set(a.namelist()) - same) == 1
    grid = CalamineWorkbook.from_path(str(copy)).get_sheet_by_name(spec.RESULTS_SHEET).to_python()
    assert grid[0][0] == "17 个错误，0 个警告"


def test_annotating_into_the_input_folder_is_refused(forms: dict[str, Path]) -> None:
    original = forms["bad"]
    before = original.read_bytes()
    r = run("check", str(original), "--annotate", str(original.parent))
    # Refused before anything is read: a usage error.
    assert r.exit_code == 2
    assert r.output == (f"错误：标注副本“{original}”会覆盖输入文件：--annotate 的目录不能是回收文件夹本身（{original}）。"
                        "请换一个目录，例如“退回”。\n")
    assert original.read_bytes() == before


def test_annotating_sets_the_results_print_area_and_nothing_else_in_workbook_xml() -> None:
    """A form from an earlier template printed 校验结果 as its header alone (A1:E3): the copy gets the formula."""
    from xltools.annotate import with_results_print_area

    area = results.print_area()
    sheets = '<sheets><sheet name="申报表" sheetId="1" r:id="rId1"/><sheet name="校验结果" sheetId="2" r:id="rId2"/></sheets>'
    form_area = "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"0\">'申报表'!$A$1:$D$113</definedName>"
    old = (f"<workbook>{sheets}<definedNames>{form_area}<definedName name=\"_xlnm.Print_Area\" localSheetId=\"1\">"
           "'校验结果'!$A$1:$E$3</definedName><definedName name=\"x\">1</definedName></definedNames><calcPr/></workbook>")
    new = with_results_print_area(old.encode()).decode()
    assert new == old.replace("'校验结果'!$A$1:$E$3", area)
    assert with_results_print_area(new.encode()).decode() == new  # already the formula: the same bytes
    bare = f"<workbook>{sheets}<calcPr/></workbook>"
    assert with_results_print_area(bare.encode()).decode() == (
        f"<workbook>{sheets}<definedNames><definedName name=\"_xlnm.Print_Area\" localSheetId=\"1\">{area}"
        "</definedName></definedNames><calcPr/></workbook>")
    only_form = f"<workbook>{sheets}<definedNames>{form_area}</definedNames></workbook>"
    assert with_results_print_area(only_form.encode()).decode() == (
        f"<workbook>{sheets}<definedNames>{form_area}<definedName name=\"_xlnm.Print_Area\" localSheetId=\"1\">"
        f"{area}</definedName></definedNames></workbook>")
