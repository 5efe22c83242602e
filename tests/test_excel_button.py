"""The Excel buttons, driven through xlwings' remote engine.

Each test fills the committed template, saves it, builds the payload xlwings' VBA client would send for that file
(tests/payload.py), opens it as ``xw.Book(json=...)`` and asserts the exact actions the button asks Excel to
perform: what is written into 校验结果, that 校验结果 is brought forward, and that nothing touches the form sheet.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

# The remote engine is xlwings PRO (PolyForm Noncommercial): tests only, never the shipped button.
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"

import xlwings as xw

from tests.payload import payload
from xltools import excel, live, results, spec
from xltools.cells import column_letter, coords
from xltools.engine import check_file
from xltools.fill import fill
from xltools.findings import CODE_TITLES
from xltools.template.form import FIT_COLUMN_GAP

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "templates" / spec.TEMPLATE_FILENAME
SEEDS = ROOT / "examples" / "seeds.toml"

S = spec.build()
F = S.fields
SUB = S.tables["subprojects"]
IND = S.tables["indicators"]
WIDTH = len(spec.RESULTS_COLUMNS)
BLANK_ROW = [""] * WIDTH


# -- building workbooks and payloads ----------------------------------------------------------------------------


def seed(form_id: str = "ipo-patent") -> dict[str, Any]:
    """One approved seed form's values, keyed like the spec."""
    keys = set(F) | set(S.tables)
    forms = tomllib.loads(SEEDS.read_text(encoding="utf-8"))["form"]
    form = next(f for f in forms if f["id"] == form_id)
    return {k: copy.deepcopy(v) for k, v in form.items() if k in keys}


def duplicate_index(values: dict[str, Any]) -> int:
    """Row index of the first 三级指标 that repeats an earlier one (the seed's only warning)."""
    seen = set()
    for i, row in enumerate(values["indicators"]):
        if row["level3"] in seen:
            return i
        seen.add(row["level3"])
    raise AssertionError("no duplicate")


def clean_seed() -> dict[str, Any]:
    """The seed without its repeated 三级指标: no finding at all."""
    values = seed()
    del values["indicators"][duplicate_index(values)]
    return values


def write(tmp_path: Path, values: dict[str, Any], name: str = "申报表.xlsx") -> Path:
    wb = openpyxl.load_workbook(TEMPLATE)
    fill(wb, values)
    path = tmp_path / name
    wb.save(path)
    return path


def open_book(path: Path, **kwargs: Any) -> xw.Book:
    return xw.Book(json=payload(path, **kwargs))


def sheet_index(book_payload: dict[str, Any], name: str) -> int:
    return [s["name"] for s in book_payload["sheets"]].index(name)


def actions(book: xw.Book) -> list[dict[str, Any]]:
    return list(book.json()["actions"])


def target(action: dict[str, Any]) -> tuple[Any, ...]:
    """(func, sheet position, first row, first column, rows, columns): where an action lands, 0-based."""
    return (action["func"], action["sheet_position"], action["start_row"], action["start_column"],
            action["row_count"], action["column_count"])


def block_target(func: str, ref: str, sheet: int) -> tuple[Any, ...]:
    first, _, last = ref.partition(":")
    c1, r1 = coords(first)
    c2, r2 = coords(last or first)
    return (func, sheet, r1, c1, r2 - r1 + 1, c2 - c1 + 1)


RESULTS_POS = 2  # 校验结果 is the template's third worksheet (after 自查说明); asserted in test_template_sheet_order
FORM_POS = 0


def expected_write_targets() -> list[tuple[Any, ...]]:
    return [
        block_target("setValues", spec.RESULTS_SUMMARY_CELL, RESULTS_POS),
        block_target("setValues", results.BLOCK, RESULTS_POS),
        ("activateSheet", RESULTS_POS, None, None, None, None),
    ]


def run_check(path: Path, **kwargs: Any) -> tuple[list[dict[str, Any]], str, list[list[str]]]:
    """check_button on the file's payload: (actions, summary written, non-blank result rows written)."""
    book = open_book(path, **kwargs)
    excel.check_button(book)
    acts = actions(book)
    assert [target(a) for a in acts] == expected_write_targets()
    assert acts[2]["args"] == [RESULTS_POS]
    summary_values, block_values = acts[0]["values"], acts[1]["values"]
    assert len(block_values) == spec.RESULTS_CAPACITY and all(len(r) == WIDTH for r in block_values)
    body = [r for r in block_values if r != BLANK_ROW]
    # Findings first, then blanks that wipe what an earlier check left: never a blank row in between.
    assert block_values[: len(body)] == body
    assert all(r == BLANK_ROW for r in block_values[len(body):])
    return acts, summary_values[0][0], body


def row(severity: str, cell: str, code: str) -> tuple[str, str, str, str, str]:
    return (spec.SEVERITY_LABELS[severity], spec.FORM_SHEET, cell, code, f"【{CODE_TITLES[code]}】")


def shape(rows: list[list[str]]) -> list[tuple[str, str, str, str, str]]:
    """Result rows with the message cut to its rule title prefix (the wording after it is free)."""
    out = []
    for severity, sheet, cell, code, message in rows:
        assert message.startswith("【") and "】" in message and len(message) > message.index("】") + 1
        out.append((severity, sheet, cell, code, message[: message.index("】") + 1]))
    return out


# -- the template the button relies on ----------------------------------------------------------------------------


def test_template_sheet_order_and_writable_results() -> None:
    wb = openpyxl.load_workbook(TEMPLATE)
    assert wb.sheetnames.index(spec.FORM_SHEET) == FORM_POS
    assert wb.sheetnames.index(spec.RESULTS_SHEET) == RESULTS_POS
    out = wb[spec.RESULTS_SHEET]
    # The sheet is protected; the button may only write where the cells are unlocked.
    assert out.protection.sheet is True
    assert out[spec.RESULTS_SUMMARY_CELL].protection.locked is False
    first, last = results.BLOCK.split(":")
    for line in out[first:last]:
        assert all(cell.protection.locked is False for cell in line)


def test_template_highlights_cells_listed_in_results() -> None:
    """The form's conditional formats read the result rows through the xlt_flag_* names: writing the rows is all
    the button needs to do to highlight problem cells, so it never touches the protected form."""
    wb = openpyxl.load_workbook(TEMPLATE)
    keys = [k for k, _label, _width in spec.RESULTS_COLUMNS]

    def column(key: str) -> str:
        letter = column_letter(keys.index(key) + 1)
        return f"'{spec.RESULTS_SHEET}'!${letter}${results.FIRST_ROW}:${letter}${results.LAST_ROW}"

    assert wb.defined_names[spec.FLAG_SHEETS_NAME].attr_text == column("sheet")
    assert wb.defined_names[spec.FLAG_CELLS_NAME].attr_text == column("cell")
    assert wb.defined_names[spec.FLAG_SEVERITIES_NAME].attr_text == column("severity")
    form = wb[spec.FORM_SHEET]
    assert form.protection.sheet is True
    covered: dict[str, set[str]] = {}
    for cf in form.conditional_formatting:
        for rule in cf.rules:
            formula = "".join(rule.formula)
            if spec.FLAG_CELLS_NAME not in formula:
                continue
            assert spec.FLAG_SHEETS_NAME in formula and f'"{spec.FORM_SHEET}"' in formula
            assert "ADDRESS(ROW(),COLUMN(),4)" in formula  # relative address, as results rows list cells
            label = next(lab for lab in spec.SEVERITY_LABELS.values() if f'"{lab}"' in formula)
            cells = covered.setdefault(label, set())
            for rng in cf.sqref.ranges:
                for r in range(rng.min_row, rng.max_row + 1):
                    for c in range(rng.min_col, rng.max_col + 1):
                        cells.add(f"{column_letter(c)}{r}")
    assert set(covered) == set(spec.SEVERITY_LABELS.values())
    for cells in covered.values():
        assert set(S.input_cells()) <= cells


# -- the payload ----------------------------------------------------------------------------------------------


def test_payload_reproduces_remote_bas_format(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "数据"
    ws["A1"] = "名称"
    ws["B1"] = dt.date(2019, 1, 1)
    ws["C1"] = 1.5
    ws["B2"] = 3.0  # an integral Double: VBA writes "3"
    ws["C2"] = True
    ws["A3"] = dt.datetime(2019, 12, 31, 8, 30, 15)
    ws["B3"] = dt.time(12, 30)  # a time alone is a date on Excel's day 0
    ws["C3"] = " 文字 "
    ws["D4"] = 0.1 + 0.2  # 15 significant digits, like CStr
    ws.sheet_view.selection[0].sqref = "B2"
    ws.sheet_view.selection[0].activeCell = "B2"
    wb.create_sheet("空 表")
    wb.defined_names["金额"] = DefinedName("金额", attr_text="'数据'!$C$1:$C$2")
    wb.defined_names["税率"] = DefinedName("税率", attr_text="0.06")  # a constant: not a range, not sent
    ws.defined_names["本表"] = DefinedName("本表", attr_text="'数据'!$A$1")
    wb["空 表"].defined_names["区域"] = DefinedName("区域", attr_text="'数据'!$A:$A,'数据'!$1:$2")
    path = tmp_path / "小表.xlsx"
    wb.save(path)

    body = payload(path)
    body["names"].sort(key=lambda n: n["name"])
    assert body == {
        "client": "VBA",
        "version": xw.__version__,
        "book": {"name": "小表.xlsx", "active_sheet_index": 0, "selection": "B2"},
        "names": [
            {"name": "'空 表'!区域", "sheet_index": 0, "address": "A:A,1:2", "book_scope": False,
             "scope_sheet_name": "空 表", "scope_sheet_index": 1},
            {"name": "数据!本表", "sheet_index": 0, "address": "A1", "book_scope": False,
             "scope_sheet_name": "数据", "scope_sheet_index": 0},
            {"name": "金额", "sheet_index": 0, "address": "C1:C2", "book_scope": True,
             "scope_sheet_name": None, "scope_sheet_index": None},
        ],
        "sheets": [
            {"name": "数据", "pictures": [], "tables": [], "values": [
                ["名称", "2019-01-01T00:00:00.000Z", 1.5, ""],
                ["", 3, True, ""],
                ["2019-12-31T08:30:15.000Z", "1899-12-30T12:30:00.000Z", " 文字 ", ""],
                ["", "", "", 0.3],
            ]},
            {"name": "空 表", "pictures": [], "tables": [], "values": [[]]},
        ],
    }
    # VBA's JsonConverter really writes null for an Empty cell inside an array; both read back as None.
    assert payload(path, blank=None)["sheets"][0]["values"][1] == [None, 3, True, None]

    book = xw.Book(json=body)
    sheet = book.sheets["数据"]
    assert sheet["A1:D4"].value == [
        ["名称", dt.datetime(2019, 1, 1), 1.5, None],
        [None, 3, True, None],
        [dt.datetime(2019, 12, 31, 8, 30, 15), dt.datetime(1899, 12, 30, 12, 30), " 文字 ", None],
        [None, None, None, 0.3],
    ]
    assert book.names["金额"].refers_to_range.address == "$C$1:$C$2"
    assert book.sheets["空 表"]["A1:B2"].value == [[None, None], [None, None]]


def test_payload_of_the_template_sends_every_worksheet_from_a1(tmp_path: Path) -> None:
    body = payload(write(tmp_path, clean_seed()))
    names = [s["name"] for s in body["sheets"]]
    assert names == [spec.FORM_SHEET, spec.EXPLAIN_SHEET, spec.RESULTS_SHEET, spec.LISTS_SHEET, spec.META_SHEET,
                     spec.CHECKS_SHEET]
    form = body["sheets"][0]["values"]
    # The used range: the form's columns, then the hidden columns that fit growing rows to merged text.
    assert (len(form), len(form[0])) == (S.last_row, len(spec.COLUMN_WIDTHS) + FIT_COLUMN_GAP + 1)
    col, r = coords(F["start"].cell)
    assert form[r][col] == "2019-01-01T00:00:00.000Z"
    col, r = coords(F["total_budget"].cell)
    assert form[r][col] == 170000000
    meta = body["sheets"][names.index(spec.META_SHEET)]["values"]
    assert [line[0] for line in meta[:len(spec.META_KEYS)]] == list(spec.META_KEYS)
    # Beside the meta values, the live checks' rule codes (their counts are formulas Excel computes).
    assert [line[3] for line in meta[:len(live.LIVE_CODES)]] == list(live.LIVE_CODES)
    # The results sheet's used range covers its formatted (unlocked) block, as Excel's UsedRange would.
    assert len(body["sheets"][RESULTS_POS]["values"]) == results.LAST_ROW
    flag = {n["name"]: n for n in body["names"]}[spec.FLAG_CELLS_NAME]
    assert (flag["sheet_index"], flag["book_scope"]) == (RESULTS_POS, True)


# -- check_button ---------------------------------------------------------------------------------------------


def test_valid_form_passes(tmp_path: Path) -> None:
    acts, summary, body = run_check(write(tmp_path, clean_seed()))
    assert summary == "校验通过"
    assert body == []
    assert all(a["sheet_position"] != FORM_POS for a in acts)


def test_seed_form_passes_with_its_warning(tmp_path: Path) -> None:
    values = seed()
    _acts, summary, body = run_check(write(tmp_path, values))
    assert summary == "校验通过（1 个警告）"
    assert shape(body) == [row("warning", IND.cell("level3", duplicate_index(values)), "indicator-duplicate")]


def test_annual_budget_over_total(tmp_path: Path) -> None:
    values = clean_seed()
    values["total_budget"] = values["annual_budget"] - 1
    _acts, summary, body = run_check(write(tmp_path, values))
    assert summary == "1 个错误，0 个警告"
    assert shape(body) == [row("error", F["annual_budget"].cell, "annual-exceeds-total")]


def test_subtotal_mismatch(tmp_path: Path) -> None:
    values = clean_seed()
    values["subprojects"][0]["amount"] += 1000
    _acts, summary, body = run_check(write(tmp_path, values))
    assert summary == "1 个错误，0 个警告"
    assert shape(body) == [row("error", F["annual_budget"].cell, "subtotal-mismatch")]


def test_text_in_a_money_cell(tmp_path: Path) -> None:
    values = clean_seed()
    values["annual_budget"] = "约1.7亿"
    _acts, summary, body = run_check(write(tmp_path, values))
    assert summary == "1 个错误，0 个警告"
    assert shape(body) == [row("error", F["annual_budget"].cell, "amount-invalid")]
    assert "约1.7亿" in body[0][4]


def test_errors_come_before_warnings_and_flag_exactly_the_listed_cells(tmp_path: Path) -> None:
    values = seed()  # keeps its duplicate 三级指标 (a warning at the end of the form)
    values["total_budget"] = "壹亿柒仟万"
    values["prior_executed"] = values["prior_budget"] * 0.5
    values["subprojects"][1]["amount"] = 0
    acts, summary, body = run_check(write(tmp_path, values))
    assert summary == "2 个错误，2 个警告"
    assert shape(body) == [
        row("error", F["total_budget"].cell, "amount-invalid"),
        row("error", F["annual_budget"].cell, "subtotal-mismatch"),
        row("warning", F["prior_executed"].cell, "prior-execution-low"),
        row("warning", IND.cell("level3", duplicate_index(values)), "indicator-duplicate"),
    ]
    # The form's conditional formats colour the cells these rows list (see the template test above): exactly
    # these, and every one of them is an input cell the rules cover. No action goes to the form sheet.
    flagged = {(r[0], r[2]) for r in body if r[1] == spec.FORM_SHEET}
    assert flagged == {("错误", F["total_budget"].cell), ("错误", F["annual_budget"].cell),
                       ("警告", F["prior_executed"].cell), ("警告", IND.cell("level3", duplicate_index(values)))}
    assert {cell for _sev, cell in flagged} <= set(S.input_cells())
    assert all(a["sheet_position"] != FORM_POS for a in acts)


def test_the_macro_workbook_checks_the_same(tmp_path: Path) -> None:
    """The payload of the shipped kind of file: the .xlsm twin (VBA project, buttons) of a filled form."""
    from xltools.xlsm import build_macro_workbook

    values = clean_seed()
    values["total_budget"] = values["annual_budget"] - 1
    xlsm = tmp_path / "市场监管局 质量奖(修改稿).xlsm"  # staff rename files; nothing depends on the name
    build_macro_workbook(write(tmp_path, values), xlsm)
    acts, summary, body = run_check(xlsm)
    assert summary == "1 个错误，0 个警告"
    assert shape(body) == [row("error", F["annual_budget"].cell, "annual-exceeds-total")]
    assert all(a["sheet_position"] != FORM_POS for a in acts)


def test_button_and_cli_run_the_same_engine(tmp_path: Path) -> None:
    values = seed("sqi-standards")
    values["annual_budget"] = "１，０００"  # full-width text: normalised by the reader, then checked
    path = write(tmp_path, values, "标准化.xlsx")
    book = open_book(path)
    result = excel.check_button(book)
    assert result is not None
    from_file = check_file(path, path.name)
    assert result.findings == from_file.findings
    acts = actions(book)
    assert acts[0]["values"] == [[from_file.report.summary()]]
    assert acts[1]["values"] == [list(r) for r in results.padded(from_file.findings)]


def test_blank_cells_sent_as_null_give_the_same_actions(tmp_path: Path) -> None:
    values = seed("samr-redshield")
    values["start"] = "2019年13月1日"
    path = write(tmp_path, values)
    with_empty = open_book(path)
    with_null = open_book(path, blank=None)
    excel.check_button(with_empty)
    excel.check_button(with_null)
    assert actions(with_empty) == actions(with_null)
    assert ("date-invalid", F["start"].cell) in [(r[3], r[2]) for r in actions(with_null)[1]["values"]]


def test_altered_layout_is_reported_in_results(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(TEMPLATE)
    fill(wb, clean_seed())
    wb[spec.FORM_SHEET][F["project"].label_cell] = "项目"
    path = tmp_path / "改动.xlsx"
    wb.save(path)
    acts, summary, body = run_check(path)
    assert summary == "1 个错误，0 个警告"
    assert shape(body) == [row("error", F["project"].label_cell, "template-mismatch")]
    assert all(a["sheet_position"] != FORM_POS for a in acts)


# -- clear_button ---------------------------------------------------------------------------------------------


def test_clear_button_clears_summary_and_result_rows(tmp_path: Path) -> None:
    book = open_book(write(tmp_path, seed()))
    excel.clear_button(book)
    assert [target(a) for a in actions(book)] == [
        block_target("rangeClearContents", spec.RESULTS_SUMMARY_CELL, RESULTS_POS),
        block_target("rangeClearContents", results.BLOCK, RESULTS_POS),
    ]


# -- problems inside the button: a Chinese alert, not a traceback ----------------------------------------------


def renamed(tmp_path: Path, sheet: str, new: str) -> Path:
    wb = openpyxl.load_workbook(TEMPLATE)
    fill(wb, clean_seed())
    wb[sheet].title = new
    path = tmp_path / "改名.xlsx"
    wb.save(path)
    return path


def alert_only(book: xw.Book) -> tuple[str, str, str]:
    acts = actions(book)
    assert [a["func"] for a in acts] == ["alert"]
    prompt, title, buttons, mode, callback = acts[0]["args"]
    assert (buttons, mode, callback) == ("ok", "critical", "")
    return prompt, title, mode


def test_renamed_results_sheet_gives_an_alert(tmp_path: Path) -> None:
    book = open_book(renamed(tmp_path, spec.RESULTS_SHEET, "结果"))
    assert excel.check_button(book) is None
    prompt, title, _mode = alert_only(book)
    assert title == "一键校验"
    assert prompt.startswith(f"找不到工作表“{spec.RESULTS_SHEET}”（现有：{spec.FORM_SHEET}、{spec.EXPLAIN_SHEET}、结果、")

    book = open_book(renamed(tmp_path, spec.RESULTS_SHEET, "结果"))
    excel.clear_button(book)
    prompt, title, _mode = alert_only(book)
    assert title == "清除标记"
    assert prompt.startswith(f"找不到工作表“{spec.RESULTS_SHEET}”")


def test_renamed_form_sheet_gives_an_alert(tmp_path: Path) -> None:
    book = open_book(renamed(tmp_path, spec.FORM_SHEET, "Sheet1"))
    assert excel.check_button(book) is None
    prompt, _title, _mode = alert_only(book)
    assert prompt.startswith(f"找不到工作表“{spec.FORM_SHEET}”（现有：Sheet1、{spec.EXPLAIN_SHEET}、{spec.RESULTS_SHEET}、")


def test_unexpected_error_gives_an_alert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(excel, "check_grids", broken)
    book = open_book(write(tmp_path, clean_seed()))
    assert excel.check_button(book) is None
    prompt, _title, _mode = alert_only(book)
    assert prompt.startswith("校验未能完成：boom\n")


def test_when_even_the_alert_fails_the_original_error_surfaces() -> None:
    class App:
        def alert(self, *_args: Any, **_kwargs: Any) -> None:
            raise OSError("no Excel")

    class Book:
        name = "x.xlsx"
        sheets = ()
        app = App()

    with pytest.raises(excel.ButtonError, match=f"找不到工作表“{spec.FORM_SHEET}”"):
        excel.check_button(Book())


# -- a light button path ----------------------------------------------------------------------------------------


def _python(code: str, *, staff_log: Path | None = None) -> str:
    """Run ``code`` in a fresh interpreter. With ``staff_log``: as on a staff install (tests/staffsite: no pandas,
    numpy, pandera or pyarrow), the blocked imports that were attempted written to that file."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if staff_log is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests" / "staffsite"), str(ROOT)])
        env["XLTOOLS_BLOCKED_LOG"] = str(staff_log)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          env=env, check=True)
    return done.stdout.strip()


def test_importing_the_button_module_loads_neither_pandas_nor_pandera_nor_xlwings() -> None:
    out = _python("""
        import sys
        import xltools.excel
        print(sorted(m for m in ("pandas", "pandera", "xlwings") if m in sys.modules))
    """)
    assert out == "[]"


def test_the_button_runs_on_a_staff_install(tmp_path: Path) -> None:
    """No pandas, numpy, pandera or pyarrow (tests/test_staff_install.py for the rest of the staff install)."""
    values = clean_seed()
    values["total_budget"] = values["annual_budget"] - 1
    path = write(tmp_path, values)
    out = _python(f"""
        import os, sys
        os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
        import xlwings as xw
        from tests.payload import payload
        import xltools.excel as x
        book = xw.Book(json=payload({str(path)!r}))
        x.check_button(book)
        acts = book.json()["actions"]
        print(acts[0]["values"][0][0], acts[1]["values"][0][3], [a["func"] for a in acts])
        print(sorted(m for m in ("pandas", "numpy", "pandera", "pyarrow") if m in sys.modules))
    """, staff_log=tmp_path / "blocked.log")
    assert out.splitlines() == [
        "1 个错误，0 个警告 annual-exceeds-total ['setValues', 'setValues', 'activateSheet']",
        "[]",
    ]
    # xlwings tries both when imported (each in a try/except ImportError) and does without: see excel-button.md
    assert set((tmp_path / "blocked.log").read_text(encoding="utf-8").split()) == {"numpy", "pandas"}
