"""The sheets beside the form: 自查说明 (the live checks' reasons, rule by rule), 校验结果 (where a check writes),
and the hidden ``_lists`` (dropdown lists), ``_xltools`` (template identity and the live counts) and ``_checks``
(the live checks' working cells)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from xltools import data, live, results, spec
from xltools.findings import CODES
from xltools.template.names import (
    LEVEL1_NAME,
    LEVEL3_NAME,
    PRINT_AREA,
    cell_ref,
    choice_name,
    level2_name,
    results_rows,
)
from xltools.template.styles import (
    BAD_FILL_RGB,
    BAD_FONT_RGB,
    BORDER,
    CENTER,
    FONT_NAME,
    HIDDEN_PROTECTION,
    LABEL_FILL,
    LABEL_FONT,
    NOTE_FONT,
    RESULT_ALIGN,
    RESULTS_PROTECTION,
    TODO_FILL_RGB,
    UNLOCKED,
    WARN_FILL_RGB,
    WARN_FONT_RGB,
    print_setup,
    protect,
    solid,
    style,
)

RESULTS_SUMMARY_TEXT = spec.RESULTS_UNCHECKED
RESULTS_NOTE = "本表由校验程序写入：每行一处问题；所列单元格在“申报表”中以红色（错误）或橙色（警告）标出。"


class TemplateError(ValueError):
    """The spec or data files cannot make a valid workbook (a budget year out of range, a blank unit name, a name
    defined twice)."""


def results_sheet(ws: Worksheet, password: str) -> None:
    ncols = len(spec.RESULTS_COLUMNS)
    last_col = get_column_letter(ncols)
    ws[spec.RESULTS_SUMMARY_CELL] = RESULTS_SUMMARY_TEXT
    summary = ws[spec.RESULTS_SUMMARY_CELL]
    summary.font = Font(name=FONT_NAME, size=12, bold=True)
    summary.protection = UNLOCKED
    note_cell = ws.cell(row=spec.RESULTS_HEADER_ROW - 1, column=1, value=RESULTS_NOTE)
    note_cell.font = NOTE_FONT
    for i, (_key, label, width) in enumerate(spec.RESULTS_COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = width
        ws[f"{letter}{spec.RESULTS_HEADER_ROW}"] = label
        style(ws, f"{letter}{spec.RESULTS_HEADER_ROW}", font=LABEL_FONT, fill=LABEL_FILL, align=CENTER)
    rows = results_rows()
    for row in ws.iter_rows(min_row=rows.start, max_row=rows.stop - 1, min_col=1, max_col=ncols):
        for cell in row:
            cell.protection = UNLOCKED
            cell.alignment = RESULT_ALIGN  # a long message wraps within the printed width
    ws.freeze_panes = f"A{spec.RESULTS_HEADER_ROW + 1}"
    print_setup(ws, last_col, spec.RESULTS_HEADER_ROW, f"{spec.RESULTS_HEADER_ROW}:{spec.RESULTS_HEADER_ROW}",
                landscape=True)
    # The print area follows the result rows written (see results.print_area), instead of a fixed range.
    ws.print_area = None
    ws.defined_names[PRINT_AREA] = DefinedName(PRINT_AREA, attr_text=results.print_area())
    protect(ws, password, RESULTS_PROTECTION)


# The explanation list's columns: key (xltools.live.LIST_COLUMNS), header ({sheet}: the form sheet's name), width.
EXPLAIN_COLUMNS = (("title", "问题", 20.0), ("advice", "怎样改", 58.0),
                   ("cells", f"{{sheet}}单元格（前 {live.FIRST_CELLS} 个）", 22.0), ("count", "处数", 7.0),
                   ("code", "规则代码", 24.0))
EXPLAIN_TITLE = "表内自查说明"
EXPLAIN_HEADER_ROW = 3
EXPLAIN_ROW_HEIGHT = 30.0  # two lines of advice: formula results never make a row grow


def explain_sheet(ws: Worksheet, checks: live.Layout, password: str) -> None:
    """The live checks' reasons without Python: a sentence on the state, then one row per rule with problems (its
    title and advice in the engine's words, its first cells, its count), all formulas (xltools.live.explain)."""
    assert tuple(key for key, _header, _width in EXPLAIN_COLUMNS) == live.LIST_COLUMNS
    last = get_column_letter(len(EXPLAIN_COLUMNS))
    ws["A1"] = EXPLAIN_TITLE
    ws["A1"].font = Font(name=FONT_NAME, size=12, bold=True)
    ws["A2"] = live.explain_heading()
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].alignment = Alignment(vertical="top", wrap_text=True)
    ws.row_dimensions[2].height = 30.0
    for i, (_key, header, width) in enumerate(EXPLAIN_COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = width
        ws[f"{letter}{EXPLAIN_HEADER_ROW}"] = header.format(sheet=checks.form.sheet)
        style(ws, f"{letter}{EXPLAIN_HEADER_ROW}", font=LABEL_FONT, fill=LABEL_FILL, align=CENTER)
    first = EXPLAIN_HEADER_ROW + 1
    for row, formulas in enumerate(checks.listed, start=first):
        for i, (key, _header, _width) in enumerate(EXPLAIN_COLUMNS, start=1):
            cell = ws.cell(row=row, column=i, value=formulas[key])
            cell.alignment = RESULT_ALIGN if key != "count" else Alignment(horizontal="center", vertical="top")
        ws.row_dimensions[row].height = EXPLAIN_ROW_HEIGHT
    last_row = first + len(checks.listed) - 1
    rows = f"A{first}:{last}{last_row}"
    code = f"${get_column_letter(len(EXPLAIN_COLUMNS))}{first}"
    # A row with a rule is framed and tinted by the rule's kind: red wrong values, orange warnings, the 待填 tint
    # for required cells still blank. An empty row prints as nothing.
    unfilled = "OR(" + ",".join(f'{code}="{c}"' for c in checks.required) + ")"
    errors = "OR(" + ",".join(f'{code}="{c}"' for c, sev in CODES.items() if sev == "error" and
                              c not in checks.required) + ")"
    # (LibreOffice applies only the first true rule of a cell: the tinted column carries its frame too.)
    frame = Border(left=BORDER.left, right=BORDER.right, top=BORDER.top, bottom=BORDER.bottom)
    for condition, fill, font in ((unfilled, TODO_FILL_RGB, None), (errors, BAD_FILL_RGB, BAD_FONT_RGB),
                                  (f'{code}<>""', WARN_FILL_RGB, WARN_FONT_RGB)):
        ws.conditional_formatting.add(f"A{first}:A{last_row}", FormulaRule(
            formula=[condition], fill=solid(fill), font=Font(color=font) if font else None, border=frame,
            stopIfTrue=True))
    ws.conditional_formatting.add(rows, FormulaRule(formula=[f'{code}<>""'], border=frame))
    print_setup(ws, last, last_row, f"{EXPLAIN_HEADER_ROW}:{EXPLAIN_HEADER_ROW}", landscape=True)
    protect(ws, password, RESULTS_PROTECTION | {"formatCells": True})


def lists_sheet(wb: Workbook, ws: Worksheet, framework: data.Framework, password: str) -> live.Lists:
    """One column per list: header in row 1, items from row 2, each with a defined name. Returns where the lists
    are, for the live checks (which read the framework and choice lists from here, never a copy)."""
    lists: list[tuple[str, str, tuple[str, ...]]] = []
    for key, items in data.choices().items():
        lists.append((choice_name(key), data.choice_labels()[key], items))
    lists.append((LEVEL1_NAME, "一级指标", framework.level1))
    for position, (level1, level2) in enumerate(framework.levels.items(), start=1):
        lists.append((level2_name(position), f"{level1}·二级指标", level2))
    lists.append((LEVEL3_NAME, "常用三级指标", framework.common_level3))
    refs: dict[str, str] = {}
    for i, (name, header, items) in enumerate(lists, start=1):
        letter = get_column_letter(i)
        _list_cell(ws, f"{letter}1", header)
        ws.column_dimensions[letter].width = 28
        for j, item in enumerate(items, start=2):
            _list_cell(ws, f"{letter}{j}", item)
        if name in wb.defined_names:
            raise TemplateError(f"名称“{name}”重复")
        # An empty list (a framework without 三级 suggestions) still names one (blank) cell, never the header.
        ref = cell_ref(spec.LISTS_SHEET, letter, 2, max(len(items), 1) + 1)
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
        refs[name] = ref
    # The usual unit of each suggested 三级, beside the list (for the person who opens the hidden sheet).
    letter = get_column_letter(len(lists) + 1)
    _list_cell(ws, f"{letter}1", "常用三级指标·计量单位")
    ws.column_dimensions[letter].width = 14
    for j, suggestion in enumerate(framework.level3, start=2):
        if suggestion.unit:
            _list_cell(ws, f"{letter}{j}", suggestion.unit)
    ws.sheet_state = "hidden"
    protect(ws, password, HIDDEN_PROTECTION)
    return live.Lists(
        choices={key: tuple(f"INDEX({refs[choice_name(key)]},{i})" for i in range(1, len(items) + 1))
                 for key, items in data.choices().items()},
    )


def _list_cell(ws: Worksheet, ref: str, text: str) -> None:
    ws[ref] = text
    ws[ref].data_type = "s"  # a name is text, whatever it starts with


def meta_values(year: int, framework: data.Framework, unit_locked: bool) -> dict[str, str]:
    """The meta sheet's values, keyed by spec.META_KEYS, all text."""
    values = {
        "template_id": spec.TEMPLATE_ID,
        "version": spec.TEMPLATE_VERSION,
        "year": str(year),
        "framework": framework.id,
        "unit_locked": "1" if unit_locked else "0",
        "framework_digest": framework.digest,
    }
    assert tuple(values) == spec.META_KEYS
    return values


def _put_cells(ws: Worksheet, formulas: dict[str, str | int], texts: dict[str, str]) -> None:
    for address, value in formulas.items():
        ws[address] = value
    for address, text in texts.items():
        ws[address] = text
        ws[address].data_type = "s"  # a code, key or word is text, whatever it starts with


def checks_sheet(ws: Worksheet, checks: live.Layout, password: str) -> None:
    """The live checks' working cells (see xltools.live): hidden and protected like the other helper sheets."""
    _put_cells(ws, checks.cells, checks.texts)
    ws.sheet_state = "hidden"
    protect(ws, password, HIDDEN_PROTECTION)


def meta_sheet(ws: Worksheet, values: dict[str, str], password: str, checks: live.Layout) -> None:
    """Template identity in A:B (text); the live checks' rule codes, counts and state beside it."""
    _put_cells(ws, checks.meta, checks.meta_texts)
    for row, key in enumerate(spec.META_KEYS, start=1):
        ws.cell(row=row, column=1, value=key)
        cell = ws.cell(row=row, column=2, value=values[key])
        cell.number_format = "@"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 28
    ws.sheet_state = "hidden"
    protect(ws, password, HIDDEN_PROTECTION)
