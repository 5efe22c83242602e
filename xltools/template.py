"""The canonical workbook of the 上海市财政支出项目绩效目标申报表, generated with openpyxl from :mod:`xltools.spec`.

Sheets, in order:

- ``申报表``: the form. Locked except the spec's input cells; live check formulas with conditional formats (what WPS
  users get without Python); a second set of conditional formats that paints any input cell listed in ``校验结果``.
- ``校验结果``: where a check (``xltools check --annotate``, the Excel button) writes its findings. Protected like
  every sheet, but its summary cell and result block are unlocked and cell formatting is allowed.
- ``_lists`` (hidden): the dropdown lists and their defined names. The 二级 lists are named by the position of
  their 一级 (``xlt_l2_1`` ...), so any 一级 text works (digits first, spaces, brackets, full-width characters):
  the 二级 dropdown is ``INDIRECT("xlt_l2_"&MATCH(<一级 cell>,xlt_level1,0))``.
- ``_xltools`` (hidden): template id, version, year, framework, unit_locked; all stored as text so any value
  reader (python-calamine) reads them back unchanged.

:func:`build_template` returns the openpyxl workbook so a caller (the .xlsm variant) can post-process it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from xltools import data, live, results, spec
from xltools.atomic import atomic_path
from xltools.units import read_units, unit_filename

# --- defined names -------------------------------------------------------------------------------------------
LEVEL1_NAME = "xlt_level1"
LEVEL2_PREFIX = "xlt_l2_"
LEVEL3_NAME = "xlt_level3"


def choice_name(choices_key: str) -> str:
    """Defined name of a choice list of data/choices.toml."""
    return f"xlt_{choices_key}"


# Dates outside this many years around the budget year are refused (a typo like 291 or 2109).
DATE_SPAN_YEARS = 10

# --- styles --------------------------------------------------------------------------------------------------
FONT_NAME = "宋体"
TITLE_FONT = Font(name="黑体", size=16, bold=True)
YEAR_FONT = Font(name=FONT_NAME, size=12)
LABEL_FONT = Font(name=FONT_NAME, size=10.5, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=10.5)
SECTION_FONT = Font(name="黑体", size=11, bold=True)
NOTE_FONT = Font(name=FONT_NAME, size=9, color="595959")

LABEL_FILL = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")
SECTION_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
CHECK_FILL = PatternFill("solid", start_color="F7F7F7", end_color="F7F7F7")
_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

# Conditional-format colours: red (error) and orange (warning). Both fg and bg are set because Excel reads bg
# for a solid fill in a differential style and LibreOffice reads fg.
BAD_FILL_RGB = "FFC7CE"
BAD_FONT_RGB = "9C0006"
WARN_FILL_RGB = "FFD8A8"
WARN_FONT_RGB = "8A4B00"
# Required cells of a form nobody has started yet: a calm "to fill" tint instead of a page of red.
TODO_FILL_RGB = "FFF6D5"
# The status line when the live checks find nothing.
CLEAN_FILL_RGB = "E2F0D9"
CLEAN_FONT_RGB = "375623"
STATUS_FONT = Font(name=FONT_NAME, size=10.5, bold=True)

UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)

ROW_HEIGHT = 22.0  # one-line rows; long text rows take their height from the spec
TITLE_HEIGHT = 30.0
# Print margins in inches (openpyxl's unit): about 1.5 cm left/right, 2 cm top/bottom.
MARGINS = {"left": 0.6, "right": 0.6, "top": 0.8, "bottom": 0.8, "header": 0.3, "footer": 0.3}
FOOTER_CENTER = "第 &P 页，共 &N 页"
A4 = 9  # OOXML paperSize

# Sheet protection flags. In OOXML a True flag means "this action is locked". Staff may select any cell and
# format rows: resize rows for long text and unhide the hidden table rows.
FORM_PROTECTION: dict[str, bool] = {
    "sheet": True,
    "objects": True,
    "scenarios": True,
    "formatCells": True,
    "formatColumns": True,
    "formatRows": False,
    "insertColumns": True,
    "insertRows": True,
    "insertHyperlinks": True,
    "deleteColumns": True,
    "deleteRows": True,
    "selectLockedCells": False,
    "selectUnlockedCells": False,
    "sort": True,
    "autoFilter": True,
    "pivotTables": True,
}
# The results sheet: a check may also colour and re-format its result rows.
RESULTS_PROTECTION = {**FORM_PROTECTION, "formatCells": False, "formatRows": False}
HIDDEN_PROTECTION = dict(FORM_PROTECTION)

RESULTS_SUMMARY_TEXT = "尚未校验。"
RESULT_ALIGN = Alignment(vertical="top", wrap_text=True)
PRINT_AREA = "_xlnm.Print_Area"  # a sheet's print area, as workbook.xml names it
RESULTS_NOTE = "本表由校验程序写入：每行一处问题；所列单元格在“申报表”中以红色（错误）或橙色（警告）标出。"


class TemplateError(ValueError):
    """The spec or data files cannot make a valid workbook (a budget year out of range, a blank unit name, a name
    defined twice)."""


# --- small helpers -------------------------------------------------------------------------------------------


def _cell_ref(sheet: str, col: str, first: int, last: int | None = None) -> str:
    ref = f"'{sheet}'!${col}${first}"
    return ref if last is None else f"{ref}:${col}${last}"


def _results_col(key: str) -> str:
    keys = [k for k, _label, _width in spec.RESULTS_COLUMNS]
    return get_column_letter(keys.index(key) + 1)


def results_rows() -> range:
    """Rows of the result block on the results sheet."""
    return range(results.FIRST_ROW, results.LAST_ROW + 1)


def results_range(key: str) -> str:
    """Absolute range (with sheet) of one result column, e.g. ``'校验结果'!$A$4:$A$2003``."""
    rows = results_rows()
    return _cell_ref(spec.RESULTS_SHEET, _results_col(key), rows.start, rows.stop - 1)


def flag_names() -> dict[str, str]:
    """The defined names the highlight rule reads, mapped to their ranges."""
    return {
        spec.FLAG_SHEETS_NAME: results_range("sheet"),
        spec.FLAG_CELLS_NAME: results_range("cell"),
        spec.FLAG_SEVERITIES_NAME: results_range("severity"),
    }


def highlight_formula(severity: str) -> str:
    """CF formula: true when the current cell of the form is listed in 校验结果 with ``severity``."""
    return (
        f'COUNTIFS({spec.FLAG_SHEETS_NAME},"{spec.FORM_SHEET}",'
        f"{spec.FLAG_CELLS_NAME},ADDRESS(ROW(),COLUMN(),4),"
        f'{spec.FLAG_SEVERITIES_NAME},"{spec.SEVERITY_LABELS[severity]}")>0'
    )


def level2_name(position: int) -> str:
    """Defined name of the 二级 list of the ``position``-th 一级 (1-based, form order)."""
    return f"{LEVEL2_PREFIX}{position}"


def level2_formula(level1_cell: str) -> str:
    """The 二级 dropdown's list: the 二级 names of the 一级 chosen in ``level1_cell`` (a relative reference such as
    ``$A76``). MATCH finds its position in xlt_level1; INDIRECT turns "xlt_l2_<n>" into that list. A blank or
    unknown 一级 makes MATCH fail, and the dropdown offers nothing, as a blank INDIRECT did before."""
    return f'INDIRECT("{LEVEL2_PREFIX}"&MATCH({level1_cell},{LEVEL1_NAME},0))'


def _fill(rgb: str) -> PatternFill:
    return PatternFill("solid", start_color=rgb, end_color=rgb, bgColor=rgb)


def _compress(cells: Iterable[str]) -> str:
    """Space-separated sqref of cells, with vertical runs in one column joined into ranges."""
    by_col: dict[str, list[int]] = {}
    for cell in cells:
        m = re.fullmatch(r"([A-Z]+)(\d+)", cell)
        assert m, cell
        by_col.setdefault(m.group(1), []).append(int(m.group(2)))
    parts: list[str] = []
    for col in sorted(by_col, key=lambda c: (len(c), c)):
        rows = sorted(by_col[col])
        start = prev = rows[0]
        for r in [*rows[1:], None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            parts.append(f"{col}{start}" if start == prev else f"{col}{start}:{col}{prev}")
            if r is not None:
                start = prev = r
    return " ".join(parts)


def _excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def date_bounds(year: int) -> tuple[int, int]:
    """Serial numbers of the first and last accepted date for a form of budget ``year``."""
    return (
        _excel_serial(dt.date(year - DATE_SPAN_YEARS, 1, 1)),
        _excel_serial(dt.date(year + DATE_SPAN_YEARS, 12, 31)),
    )


# --- validations ---------------------------------------------------------------------------------------------


def _dv(
    kind: str | None,
    sqref: str,
    title: str,
    prompt: str,
    error: str = "",
    *,
    formula1: str | None = None,
    formula2: str | None = None,
    operator: str | None = None,
    error_style: str = "stop",
) -> DataValidation:
    dv = DataValidation(
        type=kind,
        formula1=formula1,
        formula2=formula2,
        operator=operator,
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=kind is not None,
        promptTitle=title,
        prompt=prompt,
        errorTitle=title if kind is not None else None,
        error=error or None,
        errorStyle=error_style if kind is not None else None,
    )
    dv.sqref = sqref
    return dv


MONEY_PROMPT = "请填写以元为单位的数字（不含“元”“万”等文字），不小于 0，可保留两位小数。"
MONEY_ERROR = "金额须为不小于 0 的数字，单位为元，不要填写“万元”或文字。"
TARGET_PROMPT = (
    "定量：比较符 + 数值 + 单位，如 ≥99%、=100%、≥300件、≤3个月；"
    "定性：健全、有效、合规、规范、及时、完善等。不要只写数字或整句话。"
)
TARGET_MAX_LEN = 50
TARGET_ERROR = f"指标目标值请简明填写（不超过 {TARGET_MAX_LEN} 字），如 ≥99%、=100%、健全。点击“是”仍保留。"


def _table_segments(table: spec.Table) -> list[tuple[int, int, bool]]:
    """Contiguous row segments of a table: (first, last, is_boundary). The boundary row is the last visible one;
    its prompts say how to unhide the hidden rows below it."""
    if table.visible >= table.capacity:
        return [(table.first_row, table.last_row, False)]
    boundary = table.first_row + table.visible - 1
    segs = []
    if boundary > table.first_row:
        segs.append((table.first_row, boundary - 1, False))
    segs.append((boundary, boundary, True))
    segs.append((boundary + 1, table.last_row, False))
    return segs


def _unhide_note(form: spec.FormSpec, table: spec.Table) -> str:
    below = form.labels().get(f"A{table.last_row + 1}", "下一项")
    hidden = table.capacity - table.visible
    return (
        f"本表另有 {hidden} 行已隐藏：选中本行和“{below}”行的行号，右键“取消隐藏”即可显示。"
    )


ERROR_MAX_LEN = 225  # Excel refuses a validation error text over 255 characters; keep a margin


def _level1_error(framework: data.Framework) -> str:
    listed = f"一级指标须为：{'、'.join(framework.level1)}。"
    return listed if len(listed) <= ERROR_MAX_LEN else "一级指标须为下拉列表中的一项。"


def _table_validations(form: spec.FormSpec, table: spec.Table, framework: data.Framework) -> list[DataValidation]:
    out: list[DataValidation] = []
    note = _unhide_note(form, table)
    for col in table.input_columns:
        for first, last, boundary in _table_segments(table):
            sqref = f"{col.letter}{first}" if first == last else f"{col.letter}{first}:{col.letter}{last}"
            extra = note if boundary else ""
            if col.kind == spec.MONEY:
                out.append(_dv("decimal", sqref, col.label, MONEY_PROMPT + extra, MONEY_ERROR,
                               formula1="0", operator="greaterThanOrEqual"))
            elif table.key == "indicators" and col.key == "level1":
                out.append(_dv("list", sqref, "一级指标", "请从下拉列表选择一级指标。" + extra,
                               _level1_error(framework), formula1=LEVEL1_NAME))
            elif table.key == "indicators" and col.key == "level2":
                level1_col = table.column("level1").letter
                out.append(_dv("list", sqref, "二级指标",
                               "请先在左侧选择一级指标，再从下拉列表选择其下的二级指标。" + extra,
                               "二级指标须为所选一级指标下的一项；请先选择一级指标。",
                               formula1=level2_formula(f"${level1_col}{first}")))
            elif table.key == "indicators" and col.key == "level3":
                out.append(_dv("list", sqref, "三级指标",
                               "可从下拉列表选择常用指标，也可直接填写本项目的指标名称。" + extra,
                               "该指标不在常用指标中，点击“确定”保留所填内容。",
                               formula1=LEVEL3_NAME, error_style="information"))
            elif table.key == "indicators" and col.key == "target":
                out.append(_dv("textLength", sqref, "指标目标值", TARGET_PROMPT + extra, TARGET_ERROR,
                               formula1=str(TARGET_MAX_LEN), operator="lessThanOrEqual", error_style="warning"))
            else:
                out.append(_dv(None, sqref, col.label, f"请填写{col.label}。" + extra))
    return out


def _field_validations(year: int) -> list[DataValidation]:
    form = spec.build()
    out: list[DataValidation] = []
    low, high = date_bounds(year)
    for f in form.fields.values():
        if f.kind == spec.CHOICE and f.choices:
            options = "、".join(spec.choices(f.choices))
            out.append(_dv("list", f.cell, f.label, f"请从下拉列表选择{f.label}（只选一项）。",
                           f"{f.label}须为以下之一：{options}。", formula1=choice_name(f.choices)))
        elif f.kind == spec.MONEY:
            out.append(_dv("decimal", f.cell, f.label[:32], MONEY_PROMPT, MONEY_ERROR,
                           formula1="0", operator="greaterThanOrEqual"))
        elif f.kind == spec.DATE:
            out.append(_dv("date", f.cell, f.label,
                           f"请填写日期，如 {year}-01-01（年-月-日）。",
                           f"日期须在 {year - DATE_SPAN_YEARS}-01-01 至 {year + DATE_SPAN_YEARS}-12-31 之间，"
                           f"格式如 {year}-01-01。",
                           formula1=str(low), formula2=str(high), operator="between"))
        elif f.kind == spec.LONG:
            out.append(_dv(None, f.cell, f.label,
                           f"请填写{f.label}。换行：Alt+Enter（WPS 相同）；内容较多时可拖动行号下边线调整行高。"))
    return out


# --- sheets --------------------------------------------------------------------------------------------------


def _style(ws: Worksheet, ref: str, *, font: Font = BODY_FONT, fill: PatternFill | None = None,
           align: Alignment | None = None, number_format: str | None = None,
           protection: Protection = LOCKED, border: bool = True) -> None:
    """Style every cell of ``ref`` (a merged range needs borders on each of its cells to print them)."""
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col):
        for cell in row:
            cell.font = font
            if fill is not None:
                cell.fill = fill
            cell.alignment = align or Alignment(vertical="center", wrap_text=True)
            if number_format:
                cell.number_format = number_format
            cell.protection = protection
            if border:
                cell.border = BORDER


def _span(ws: Worksheet, first: str, last_col: int, row: int) -> str:
    ref = f"{first}:{get_column_letter(last_col)}{row}"
    if ref.split(":")[0] != ref.split(":")[1]:
        ws.merge_cells(ref)
    return ref


CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
# A one-character indent keeps typed text off the cell borders.
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True, indent=1)
RIGHT = Alignment(horizontal="right", vertical="center", indent=1)


def _label_height(text: str, width: float) -> float:
    """Row height that shows a wrapped label in full: CJK characters take two width units, and Excel, WPS and
    LibreOffice measure slightly differently, so count conservatively."""
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    lines = -(-units // max(int(width) - 2, 1))
    return max(ROW_HEIGHT, 14.0 * lines + 6.0)


def _value_style(kind: str) -> tuple[Alignment, str | None]:
    if kind == spec.MONEY:
        return RIGHT, spec.MONEY_FORMAT
    if kind == spec.DATE:
        return CENTER, spec.DATE_FORMAT
    if kind == spec.LONG:
        # Not the Text format "@": Excel shows a Text-formatted cell of more than 255 characters as ####.
        return TOP_LEFT, None
    # Short text stays text: a target typed as 100% or a name like 1-2 is not turned into a number or date.
    return LEFT, "@" if kind == spec.TEXT else None


def _put_field(ws: Worksheet, f: spec.Field, unit: str | None) -> None:
    ws[f.label_cell] = f.label
    _style(ws, f.label_cell, font=LABEL_FONT, fill=LABEL_FILL, align=CENTER)
    ref = _span(ws, f.cell, f.last_col, f.row)
    align, fmt = _value_style(f.kind)
    locked = f.key == "unit" and unit is not None
    if locked:
        ws[f.cell] = unit
    _style(ws, ref, align=align, number_format=fmt, protection=LOCKED if locked else UNLOCKED,
           fill=LABEL_FILL if locked else None)


def _put_check(ws: Worksheet, c: spec.Check, form: spec.FormSpec) -> None:
    if c.label:
        ws[c.label_cell] = c.label
        _style(ws, c.label_cell, font=LABEL_FONT, fill=LABEL_FILL, align=CENTER)
    ref = _span(ws, c.cell, c.last_col, c.row)
    ws[c.cell] = "=" + form.expand(c.formula)
    align = RIGHT if c.number_format else CENTER
    _style(ws, ref, fill=CHECK_FILL, align=align, number_format=c.number_format)


def _put_status(ws: Worksheet, block: spec.StatusLine) -> None:
    """The live self-check status line: a formula over the counts on _xltools; printed with the form."""
    ws[block.cell] = live.status_formula()
    _style(ws, _span(ws, block.cell, len(spec.COLUMN_WIDTHS), block.row), font=STATUS_FONT, fill=CHECK_FILL,
           align=LEFT)
    colours = {"error": (BAD_FILL_RGB, BAD_FONT_RGB), "warning": (WARN_FILL_RGB, WARN_FONT_RGB),
               "clean": (CLEAN_FILL_RGB, CLEAN_FONT_RGB)}
    for state, condition in live.status_conditions().items():
        fill_rgb, font_rgb = colours[state]
        ws.conditional_formatting.add(block.span, FormulaRule(formula=[condition], fill=_fill(fill_rgb),
                                                              font=Font(color=font_rgb, bold=True)))


def _put_table(ws: Worksheet, block: spec.TableBlock, form: spec.FormSpec) -> None:
    t = block.table
    ncols = len(spec.COLUMN_WIDTHS)
    ws[f"A{t.title_row}"] = t.title
    _style(ws, _span(ws, f"A{t.title_row}", ncols, t.title_row), font=SECTION_FONT, fill=SECTION_FILL, align=LEFT)
    ws.row_dimensions[t.title_row].height = ROW_HEIGHT
    for col in t.columns:
        ws[f"{col.letter}{t.header_row}"] = col.label
        _style(ws, _span(ws, f"{col.letter}{t.header_row}", col.last_col or col.first_col, t.header_row),
               font=LABEL_FONT, fill=LABEL_FILL, align=CENTER)
    ws.row_dimensions[t.header_row].height = ROW_HEIGHT
    for i, row in enumerate(t.rows):
        for col in t.columns:
            ref = _span(ws, f"{col.letter}{row}", col.last_col or col.first_col, row)
            if col.kind == spec.SERIAL:
                ws[f"{col.letter}{row}"] = i + 1
                _style(ws, ref, align=CENTER, fill=CHECK_FILL)
            else:
                align, fmt = _value_style(col.kind)
                _style(ws, ref, align=align if col.kind == spec.MONEY else LEFT, number_format=fmt,
                       protection=UNLOCKED)
        ws.row_dimensions[row].height = ROW_HEIGHT
        # Rows past `visible` are hidden so a short form prints short.
        if i >= t.visible:
            ws.row_dimensions[row].hidden = True
    if t.total_row:
        ws[f"A{t.total_row}"] = t.total_label
        _style(ws, f"A{t.total_row}", font=LABEL_FONT, fill=LABEL_FILL, align=CENTER)
        for check in (block.total_status, block.total):
            if check:
                _put_check(ws, check, form)
        ws.row_dimensions[t.total_row].height = ROW_HEIGHT


def _conditional_formats(ws: Worksheet, form: spec.FormSpec, input_cells: list[str]) -> None:
    bad_font, warn_font = Font(color=BAD_FONT_RGB), Font(color=WARN_FONT_RGB)
    # The check cells' own displays (sub-project total, execution rate ...): red or orange when they disagree.
    for c in form.checks.values():
        if c.bad:
            ws.conditional_formatting.add(
                c.cell, FormulaRule(formula=[form.expand(c.bad)], fill=_fill(BAD_FILL_RGB), font=bad_font))
        if c.warn:
            ws.conditional_formatting.add(
                c.cell, FormulaRule(formula=[form.expand(c.warn)], fill=_fill(WARN_FILL_RGB), font=warn_font))
    # Input cells: red where a rule finds an error, orange where it warns. Two sources: the live checks (the
    # template's own formulas, see xltools.live) and the findings a Python check listed in 校验结果. Every red rule
    # comes before every orange one, so a cell with both shows red (LibreOffice applies the first true rule,
    # Excel the highest priority for the fill). Required cells of an untouched form get a calm tint instead.
    every_input = _compress(input_cells)
    rules = [
        (highlight_formula("error"), _fill(BAD_FILL_RGB), bad_font),
        (live.red_formula(), _fill(BAD_FILL_RGB), bad_font),
        (highlight_formula("warning"), _fill(WARN_FILL_RGB), warn_font),
        (live.orange_formula(), _fill(WARN_FILL_RGB), warn_font),
        (live.todo_formula(), _fill(TODO_FILL_RGB), None),
    ]
    for formula, fill, font in rules:
        ws.conditional_formatting.add(every_input, FormulaRule(formula=[formula], fill=fill, font=font))


def _print_setup(ws: Worksheet, last_col: str, last_row: int, title_rows: str | None, landscape: bool = False,
                 footer_left: str = "") -> None:
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    for side, inches in MARGINS.items():
        setattr(ws.page_margins, side, inches)
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_area = f"A1:{last_col}{last_row}"
    ws.oddFooter.center.text = FOOTER_CENTER
    ws.oddFooter.center.size = 9
    if footer_left:
        ws.oddFooter.left.text = footer_left
        ws.oddFooter.left.size = 8


def _protect(ws: Worksheet, password: str, flags: dict[str, bool]) -> None:
    for key, value in flags.items():
        setattr(ws.protection, key, value)
    ws.protection.password = password


def _form_sheet(ws: Worksheet, form: spec.FormSpec, year: int, unit: str | None, framework: data.Framework,
                password: str) -> None:
    ncols = len(spec.COLUMN_WIDTHS)
    for i, width in enumerate(spec.COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.sheet_view.showGridLines = False
    ws[f"A{spec.TITLE_ROW}"] = spec.TITLE
    _style(ws, _span(ws, f"A{spec.TITLE_ROW}", ncols, spec.TITLE_ROW), font=TITLE_FONT, align=CENTER, border=False)
    ws.row_dimensions[spec.TITLE_ROW].height = TITLE_HEIGHT
    ws[f"A{spec.YEAR_ROW}"] = spec.year_text(year)
    _style(ws, _span(ws, f"A{spec.YEAR_ROW}", ncols, spec.YEAR_ROW), font=YEAR_FONT, align=CENTER, border=False)
    ws.row_dimensions[spec.YEAR_ROW].height = ROW_HEIGHT

    for block in form.blocks:
        if isinstance(block, spec.StatusLine):
            _put_status(ws, block)
            ws.row_dimensions[block.row].height = form.row_heights.get(block.row, ROW_HEIGHT)
        elif isinstance(block, spec.Line):
            _put_field(ws, block.field, unit)
            ws.row_dimensions[block.field.row].height = form.row_heights.get(block.field.row, ROW_HEIGHT)
        elif isinstance(block, spec.Pair):
            for item in (block.left, block.right):
                if isinstance(item, spec.Field):
                    _put_field(ws, item, unit)
                else:
                    _put_check(ws, item, form)
            labels = [(i.label, spec.COLUMN_WIDTHS[i.label_col - 1]) for i in (block.left, block.right) if i.label]
            ws.row_dimensions[block.left.row].height = form.row_heights.get(
                block.left.row, max(_label_height(text, width) for text, width in labels))
        else:
            _put_table(ws, block, form)

    for dv in _field_validations(year):
        ws.add_data_validation(dv)
    for t in form.tables.values():
        for dv in _table_validations(form, t, framework):
            ws.add_data_validation(dv)

    input_cells = [c for c in form.input_cells() if not (unit is not None and c == form.fields["unit"].cell)]
    _conditional_formats(ws, form, input_cells)
    _print_setup(ws, spec.LAST_COL, form.last_row, spec.TITLE_ROWS,
                 footer_left=f"模板 {spec.TEMPLATE_ID} 第 {spec.TEMPLATE_VERSION} 版")
    first_input = form.input_cells()[0] if unit is None else input_cells[0]
    ws.sheet_view.selection[0].activeCell = first_input
    ws.sheet_view.selection[0].sqref = first_input
    _protect(ws, password, FORM_PROTECTION)


def _results_sheet(ws: Worksheet, password: str) -> None:
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
        _style(ws, f"{letter}{spec.RESULTS_HEADER_ROW}", font=LABEL_FONT, fill=LABEL_FILL, align=CENTER)
    rows = results_rows()
    for row in ws.iter_rows(min_row=rows.start, max_row=rows.stop - 1, min_col=1, max_col=ncols):
        for cell in row:
            cell.protection = UNLOCKED
            cell.alignment = RESULT_ALIGN  # a long message wraps within the printed width
    ws.freeze_panes = f"A{spec.RESULTS_HEADER_ROW + 1}"
    _print_setup(ws, last_col, spec.RESULTS_HEADER_ROW, f"{spec.RESULTS_HEADER_ROW}:{spec.RESULTS_HEADER_ROW}",
                 landscape=True)
    # The print area follows the result rows written (see results.print_area), instead of a fixed range.
    ws.print_area = None
    ws.defined_names[PRINT_AREA] = DefinedName(PRINT_AREA, attr_text=results.print_area())
    _protect(ws, password, RESULTS_PROTECTION)


def _lists_sheet(wb: Workbook, ws: Worksheet, framework: data.Framework, password: str) -> live.Lists:
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
        ref = _cell_ref(spec.LISTS_SHEET, letter, 2, max(len(items), 1) + 1)
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
    _protect(ws, password, HIDDEN_PROTECTION)
    return live.Lists(
        choices={key: tuple(f"INDEX({refs[choice_name(key)]},{i})" for i in range(1, len(items) + 1))
                 for key, items in data.choices().items()},
    )


def _list_cell(ws: Worksheet, ref: str, text: str) -> None:
    ws[ref] = text
    ws[ref].data_type = "s"  # a name is text, whatever it starts with


def meta_values(year: int, framework_id: str, unit_locked: bool) -> dict[str, str]:
    """The meta sheet's values, keyed by spec.META_KEYS, all text."""
    values = {
        "template_id": spec.TEMPLATE_ID,
        "version": spec.TEMPLATE_VERSION,
        "year": str(year),
        "framework": framework_id,
        "unit_locked": "1" if unit_locked else "0",
    }
    assert tuple(values) == spec.META_KEYS
    return values


def _put_cells(ws: Worksheet, formulas: dict[str, str | int], texts: dict[str, str]) -> None:
    for address, value in formulas.items():
        ws[address] = value
    for address, text in texts.items():
        ws[address] = text
        ws[address].data_type = "s"  # a code, key or word is text, whatever it starts with


def _checks_sheet(ws: Worksheet, checks: live.Layout, password: str) -> None:
    """The live checks' working cells (see xltools.live): hidden and protected like the other helper sheets."""
    _put_cells(ws, checks.cells, checks.texts)
    ws.sheet_state = "hidden"
    _protect(ws, password, HIDDEN_PROTECTION)


def _meta_sheet(ws: Worksheet, values: dict[str, str], password: str, checks: live.Layout) -> None:
    """Template identity in A:B (text); the live checks' rule codes, counts and state beside it."""
    _put_cells(ws, checks.meta, checks.meta_texts)
    for row, key in enumerate(spec.META_KEYS, start=1):
        ws.cell(row=row, column=1, value=key)
        cell = ws.cell(row=row, column=2, value=values[key])
        cell.number_format = "@"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 28
    ws.sheet_state = "hidden"
    _protect(ws, password, HIDDEN_PROTECTION)


# --- public API ----------------------------------------------------------------------------------------------


def build_template(
    year: int = spec.DEFAULT_YEAR,
    password: str = spec.DEFAULT_PASSWORD,
    unit: str | None = None,
    framework: str | data.Framework = data.DEFAULT_FRAMEWORK,
) -> Workbook:
    """The canonical workbook for budget ``year``; with ``unit``, 申报单位名称 is filled in and locked.
    ``framework`` is a shipped framework id or a :class:`~xltools.data.Framework` (e.g. read from a file)."""
    if not 1900 < year < 10000:
        raise TemplateError(f"预算年度无效：{year}")
    if unit is not None and not unit.strip():
        raise TemplateError("单位名称为空")
    unit = unit.strip() if unit is not None else None
    form = spec.build()
    if isinstance(framework, str):
        framework = data.framework(framework)
    wb = Workbook()
    form_ws = wb.active
    assert form_ws is not None
    form_ws.title = spec.FORM_SHEET
    results_ws = wb.create_sheet(spec.RESULTS_SHEET)
    lists_ws = wb.create_sheet(spec.LISTS_SHEET)
    meta_ws = wb.create_sheet(spec.META_SHEET)
    checks_ws = wb.create_sheet(spec.CHECKS_SHEET)

    lists = _lists_sheet(wb, lists_ws, framework, password)
    checks = live.build(form, framework, lists, unit_locked=unit is not None)
    for name, ref in (flag_names() | checks.names).items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    _form_sheet(form_ws, form, year, unit, framework, password)
    _results_sheet(results_ws, password)
    _meta_sheet(meta_ws, meta_values(year, framework.id, unit is not None), password, checks)
    _checks_sheet(checks_ws, checks, password)

    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    wb.security.workbookPassword = password
    return wb


def save_atomic(wb: Workbook, path: Path) -> Path:
    """Save ``wb`` to ``path`` through a temporary file in the same folder, so no reader sees half a file."""
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def write_template(
    out_dir: str | Path = ".",
    year: int = spec.DEFAULT_YEAR,
    password: str = spec.DEFAULT_PASSWORD,
    unit: str | None = None,
    framework: str | data.Framework = data.DEFAULT_FRAMEWORK,
) -> Path:
    """Write 绩效目标申报表.xlsx into ``out_dir`` (for a unit: ``<单位名称>_绩效目标申报表.xlsx``)."""
    from xltools.units import Unit

    name = spec.TEMPLATE_FILENAME if unit is None else unit_filename(Unit(unit.strip()), spec.TEMPLATE_FILENAME)
    return save_atomic(build_template(year, password, unit, framework), Path(out_dir) / name)


def write_unit_templates(
    units_csv: str | Path,
    out_dir: str | Path = ".",
    year: int = spec.DEFAULT_YEAR,
    password: str = spec.DEFAULT_PASSWORD,
    framework: str | data.Framework = data.DEFAULT_FRAMEWORK,
) -> list[Path]:
    """One template per unit of ``units_csv`` (see :mod:`xltools.units`), 申报单位名称 filled in and locked.

    File names: ``[<单位编码>_]<单位名称>_绩效目标申报表.xlsx``, made safe for Windows. Two units whose names
    collide after that get ``(2)``, ``(3)`` suffixes rather than overwriting each other.
    """
    out = Path(out_dir)
    written: list[Path] = []
    used: set[str] = set()
    for unit in read_units(units_csv):
        name = unit_filename(unit, spec.TEMPLATE_FILENAME)
        stem, suffix = name[: -len(".xlsx")], ".xlsx"
        n = 1
        while name.casefold() in used:  # Windows file names are case-insensitive
            n += 1
            name = f"{stem}({n}){suffix}"
        used.add(name.casefold())
        written.append(save_atomic(build_template(year, password, unit.name, framework), out / name))
    return written


def unlocked_cells(ws: Worksheet) -> set[str]:
    """Cells of ``ws`` that a protected sheet lets staff type into; a merged range counts once, by its top-left
    cell (the cell a reader reads). Cells missing from the file are locked, like Excel's default style."""
    anchor: dict[str, str] = {}
    for rng in ws.merged_cells.ranges:
        top_left = f"{get_column_letter(rng.min_col)}{rng.min_row}"
        for row, col in rng.cells:
            anchor[f"{get_column_letter(col)}{row}"] = top_left
    return {
        anchor.get(cell.coordinate, cell.coordinate)
        for row in ws.iter_rows()
        for cell in row
        if cell.protection is not None and cell.protection.locked is False
    }


# --- semantic comparison -------------------------------------------------------------------------------------


def _color(value: Any) -> str | None:
    rgb = getattr(value, "rgb", None)
    return rgb if isinstance(rgb, str) else None


def _attrs(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {n: getattr(obj, n, None) for n in names}


def _iter_dump_cells(ws: Worksheet) -> Iterator[tuple[str, dict[str, Any]]]:
    for row in ws.iter_rows():
        for cell in row:
            entry: dict[str, Any] = {}
            if cell.value is not None:
                entry["value"] = cell.value if not isinstance(cell.value, dt.datetime) else cell.value.isoformat()
            if cell.number_format != "General":
                entry["format"] = cell.number_format
            if cell.protection.locked is False:
                entry["locked"] = False
            if cell.font is not None and (cell.font.b or cell.font.name not in (None, "Calibri")):
                entry["font"] = (cell.font.name, cell.font.sz, bool(cell.font.b))
            if cell.fill is not None and cell.fill.fill_type:
                entry["fill"] = _color(cell.fill.fgColor)
            if cell.alignment is not None and (cell.alignment.wrap_text or cell.alignment.horizontal):
                entry["align"] = (cell.alignment.horizontal, cell.alignment.vertical, bool(cell.alignment.wrap_text),
                                  cell.alignment.indent)
            if cell.border is not None and cell.border.left is not None and cell.border.left.style:
                entry["border"] = cell.border.left.style
            if entry:
                yield cell.coordinate, entry


def semantic_dump(path: str | Path) -> dict[str, Any]:
    """Everything that matters about a workbook, as plain data, for golden comparisons (not bytes: openpyxl
    stamps creation times). Covers cells (values, formulas, formats, locks, main styling), merges, sizes,
    hidden rows and sheets, validations, conditional formats, protection, print setup and defined names."""
    wb = load_workbook(path)
    out: dict[str, Any] = {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "defined_names": {n: d.attr_text for n, d in wb.defined_names.items()},
        "workbook_protection": None if wb.security is None else _attrs(
            wb.security, ("lockStructure", "lockWindows", "workbookPassword")),
        "print_areas": print_areas(path),
    }
    for ws in wb.worksheets:
        sheet: dict[str, Any] = {
            "cells": dict(_iter_dump_cells(ws)),
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "widths": {k: d.width for k, d in sorted(ws.column_dimensions.items()) if d.customWidth},
            "heights": {r: d.height for r, d in sorted(ws.row_dimensions.items()) if d.height is not None},
            "hidden_rows": sorted(r for r, d in ws.row_dimensions.items() if d.hidden),
            "validations": sorted(
                (
                    _attrs(dv, ("type", "operator", "formula1", "formula2", "allow_blank", "errorStyle",
                                "showErrorMessage", "showInputMessage", "promptTitle", "prompt", "errorTitle",
                                "error")) | {"sqref": str(dv.sqref)}
                    for dv in ws.data_validations.dataValidation
                ),
                key=lambda d: d["sqref"],
            ),
            "conditional_formats": [
                {
                    "sqref": str(cf.sqref),
                    "type": rule.type,
                    "formula": list(rule.formula),
                    "priority": rule.priority,
                    "stop": rule.stopIfTrue,
                    "fill": _color(rule.dxf.fill.bgColor) if rule.dxf and rule.dxf.fill else None,
                    "font": _color(rule.dxf.font.color) if rule.dxf and rule.dxf.font else None,
                }
                for cf in ws.conditional_formatting
                for rule in cf.rules
            ],
            "protection": _attrs(ws.protection, [*FORM_PROTECTION, "password"]),
            "print": {
                **_attrs(ws.page_setup, ("paperSize", "orientation", "fitToWidth", "fitToHeight")),
                "fitToPage": ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
                "title_rows": ws.print_title_rows,
                "area": ws.print_area,
                "margins": _attrs(ws.page_margins, MARGINS),
                "footer": (ws.oddFooter.left.text, ws.oddFooter.center.text, ws.oddFooter.right.text),
                "header": (ws.oddHeader.left.text, ws.oddHeader.center.text, ws.oddHeader.right.text),
                "centered": ws.print_options.horizontalCentered,
            },
            "gridlines": ws.sheet_view.showGridLines,
            "freeze": ws.freeze_panes,
        }
        out[ws.title] = sheet
    return out


def print_areas(path: str | Path) -> dict[str, str]:
    """Sheet name -> print area formula, as workbook.xml holds it (openpyxl drops one that is not a plain range)."""
    import zipfile

    from defusedxml import ElementTree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as zf:
        root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    sheets = [s.get("name", "") for s in root.iterfind("m:sheets/m:sheet", ns)]
    return {sheets[int(d.get("localSheetId", "0"))]: d.text or ""
            for d in root.iterfind("m:definedNames/m:definedName", ns) if d.get("name") == PRINT_AREA}
