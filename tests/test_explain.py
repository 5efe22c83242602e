"""The form explains itself (version 3): the explanation sheet as written, the engine's words it shows, the words
that fit the file (.xlsx without a button, .xlsm with one). What the formulas compute is proven in LibreOffice and
Gnumeric (tests/test_live_libreoffice.py, tests/test_status_libreoffice.py)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.conftest import COMMITTED_TEMPLATE
from xltools import live, spec
from xltools.engine import check_file
from xltools.findings import CODE_ADVICE, CODE_TITLES
from xltools.live.explain import explain
from xltools.live.layout import Layout
from xltools.model import Declaration
from xltools.template.sheets import EXPLAIN_COLUMNS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MACRO_TEMPLATE = COMMITTED_TEMPLATE.with_suffix(".xlsm")


@pytest.fixture(scope="module")
def wb() -> Workbook:
    return load_workbook(COMMITTED_TEMPLATE)


def test_the_explanation_sheet_follows_the_form(wb: Workbook) -> None:
    ws = wb[spec.EXPLAIN_SHEET]
    assert wb.sheetnames.index(spec.EXPLAIN_SHEET) == 1 and ws.sheet_state == "visible"
    assert ws["A1"].value == "表内自查说明"
    assert ws["A2"].value == live.explain_heading()
    assert [ws.cell(row=3, column=i).value for i in range(1, 6)] == [
        "问题", "怎样改", "申报表单元格（前 3 个）", "处数", "规则代码"]
    n = len(live.LIVE_CODES)
    # One row per live rule at most; each cell is INDEX of the k-th rule the hidden sheet ordered, nothing typed.
    for k in range(n):
        for i, (key, _header, _width) in enumerate(EXPLAIN_COLUMNS, start=1):
            formula = ws.cell(row=4 + k, column=i).value
            assert formula.startswith("=IF('_checks'!$") and "INDEX(" in formula, (k, key)
    assert ws.cell(row=4 + n, column=1).value is None
    assert ws.protection.sheet is True and ws.print_area == f"'自查说明'!$A$1:$E${3 + n}"


def test_the_list_speaks_the_engines_words() -> None:
    """Every live rule has a title and an advice sentence; the advice closes every engine message of the rule
    (required-missing gives a sharper hint per cell), across every declaration the project ships."""
    assert set(live.LIVE_CODES) <= set(CODE_ADVICE) and set(live.LIVE_CODES) <= set(CODE_TITLES)
    assert live.wording(["date-order"]) == {"date-order": ("起止时间颠倒", "请核对起止时间，结束时间不应早于开始时间。")}
    seen = set()
    for path in sorted(EXAMPLES.rglob("*.xlsx")):
        result = check_file(path)
        if not isinstance(result.declaration, Declaration):  # a self-evaluation's messages are its own
            continue
        for f in result.findings:
            if f.code in CODE_ADVICE and f.code != "required-missing":
                assert CODE_ADVICE[f.code] in f.message, (path.name, f.message)
                seen.add(f.code)
    assert seen >= set(live.LIVE_CODES) - {"required-missing"}


def test_the_list_is_generic_over_a_familys_rules() -> None:
    """Another family's rules, words and cells: the list is built from the layout's flags alone."""
    lay = Layout(spec.build())
    lay.flag("amount-invalid", "B", 7, "TRUE")
    lay.flag("amount-invalid", "D", 7, "TRUE")
    lay.flag("date-order", "D", 9, "TRUE")
    explain(lay, ["amount-invalid", "date-order"], {"amount-invalid": ("金额", "改金额。"), "date-order": ("日期", "改。")})
    assert len(lay.listed) == 2 and set(lay.listed[0]) == set(live.LIST_COLUMNS)
    texts = {v for k, v in lay.texts.items() if k.startswith(lay.col("x_title"))}
    assert texts == {"金额", "日期"}
    # The first cells chain down the rows where a rule has flags: B7 then D7, never more than FIRST_CELLS.
    chain = lay.cells[f"{lay.col('xs:amount-invalid')}7"]
    assert '"、B7"' in chain and '"、D7"' in chain
    assert live.FIRST_NAME in lay.names and live.FIRST_CELL_NAME in lay.names


def _defined_name(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/workbook.xml").decode()
    found = re.search(rf'<definedName name="{name}"[^>]*>([^<]*)</definedName>', xml)
    assert found, name
    return found.group(1)


def test_words_fit_the_file() -> None:
    """The .xlsx has no button and says nothing of one; the .xlsm made from it sets xlt_button to 1."""
    assert _defined_name(COMMITTED_TEMPLATE, live.BUTTON_NAME) == "0"
    assert _defined_name(MACRO_TEMPLATE, live.BUTTON_NAME) == "1"
    for state in (live.STATUS_NOT_STARTED, live.STATUS_FILLING, live.STATUS_ERRORS, live.STATUS_WARNINGS,
                  live.STATUS_CLEAN, live.STATUS_RESULTS):
        assert "一键校验" not in state and "按钮" not in state
    xlsx = live.status_text(started=True, unfilled=0, errors=1, warnings=0, first="B7（类型选择无效）")
    xlsm = live.status_text(started=True, unfilled=0, errors=1, warnings=0, first="B7（类型选择无效）", button=True)
    assert "一键校验" not in xlsx and xlsm.endswith("完整校验请点“一键校验”或交主管部门审核。")


def test_check_cells_name_live_counts() -> None:
    """A check cell's {#code} is that rule's live count, the same number the explanation list shows."""
    row = live.LIVE_CODES.index("subtotal-mismatch") + 1
    assert live.resolve_counts("{#subtotal-mismatch}>0") == f"INDEX({live.COUNTS_NAME},{row})>0"


def test_the_readme_shows_the_pictures_of_the_form_explaining_itself() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in ("half-filled", "live-checks", "explanations", "annotated", "annotated-results"):
        assert f"](docs/{name}.png)" in readme, name
        png = Path(__file__).resolve().parent.parent / "docs" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
