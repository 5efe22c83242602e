"""The form sheet: title, year and status line, every block of the spec laid out and styled, its validations, and
the conditional formats that mark cells red, orange or 待填 (from the live checks and from 校验结果)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xltools import data, live, spec
from xltools.template.names import highlight_formula
from xltools.template.styles import (
    BAD_FILL_RGB,
    BAD_FONT_RGB,
    CENTER,
    CHECK_FILL,
    CLEAN_FILL_RGB,
    CLEAN_FONT_RGB,
    FORM_PROTECTION,
    LABEL_FILL,
    LABEL_FONT,
    LEFT,
    LOCKED,
    RIGHT,
    ROW_HEIGHT,
    SECTION_FILL,
    SECTION_FONT,
    STATUS_FONT,
    TITLE_FONT,
    TITLE_HEIGHT,
    TODO_FILL_RGB,
    TODO_FONT_RGB,
    TOP_LEFT,
    UNLOCKED,
    WARN_FILL_RGB,
    WARN_FONT_RGB,
    YEAR_FONT,
    let_grow,
    print_setup,
    protect,
    solid,
    span,
    style,
)
from xltools.template.validations import field_validations, table_validations


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
    style(ws, f.label_cell, font=LABEL_FONT, fill=LABEL_FILL, align=CENTER)
    ref = span(ws, f.cell, f.last_col, f.row)
    align, fmt = _value_style(f.kind)
    locked = f.key == "unit" and unit is not None
    if locked:
        ws[f.cell] = unit
    style(ws, ref, align=align, number_format=fmt, protection=LOCKED if locked else UNLOCKED,
          fill=LABEL_FILL if locked else None)


def _put_stack(ws: Worksheet, f: spec.Field, ncols: int) -> None:
    """A long text: its label across the form on its own row, the value across the form below it."""
    ws[f.label_cell] = f.label
    style(ws, span(ws, f.label_cell, ncols, f.label_row), font=LABEL_FONT, fill=LABEL_FILL, align=LEFT)
    ws.row_dimensions[f.label_row].height = ROW_HEIGHT
    style(ws, span(ws, f.cell, f.last_col, f.row), align=TOP_LEFT, protection=UNLOCKED)


def _expanded(form: spec.FormSpec, text: str) -> str:
    """A check's formula or condition with its addresses and the live counts it names ({#code}) filled in."""
    return form.expand(live.resolve_counts(text))


def _put_check(ws: Worksheet, c: spec.Check, form: spec.FormSpec) -> None:
    if c.label:
        ws[c.label_cell] = c.label
        style(ws, c.label_cell, font=LABEL_FONT, fill=LABEL_FILL, align=CENTER)
    ref = span(ws, c.cell, c.last_col, c.row)
    ws[c.cell] = "=" + _expanded(form, c.formula)
    align = RIGHT if c.number_format else CENTER
    style(ws, ref, fill=CHECK_FILL, align=align, number_format=c.number_format)


def _put_status(ws: Worksheet, block: spec.StatusLine) -> None:
    """The live self-check status line: a formula over the counts on _xltools; printed with the form."""
    ws[block.cell] = live.status_formula()
    style(ws, span(ws, block.cell, block.last_col, block.row), font=STATUS_FONT, fill=CHECK_FILL, align=LEFT)
    colours = {"error": (BAD_FILL_RGB, BAD_FONT_RGB), "warning": (WARN_FILL_RGB, WARN_FONT_RGB),
               "todo": (TODO_FILL_RGB, TODO_FONT_RGB), "clean": (CLEAN_FILL_RGB, CLEAN_FONT_RGB)}
    for state, condition in live.status_conditions().items():
        fill_rgb, font_rgb = colours[state]
        ws.conditional_formatting.add(block.span, FormulaRule(formula=[condition], fill=solid(fill_rgb),
                                                              font=Font(color=font_rgb, bold=True)))


def _put_table(ws: Worksheet, block: spec.TableBlock, form: spec.FormSpec) -> None:
    t = block.table
    ncols = len(form.widths)
    ws[f"A{t.title_row}"] = t.title
    style(ws, span(ws, f"A{t.title_row}", ncols, t.title_row), font=SECTION_FONT, fill=SECTION_FILL, align=LEFT)
    ws.row_dimensions[t.title_row].height = ROW_HEIGHT
    for col in t.columns:
        ws[f"{col.letter}{t.header_row}"] = col.label
        style(ws, span(ws, f"{col.letter}{t.header_row}", col.last_col or col.first_col, t.header_row),
              font=LABEL_FONT, fill=LABEL_FILL, align=CENTER)
    ws.row_dimensions[t.header_row].height = ROW_HEIGHT
    for i, row in enumerate(t.rows):
        for col in t.columns:
            ref = span(ws, f"{col.letter}{row}", col.last_col or col.first_col, row)
            if col.kind == spec.SERIAL:
                ws[f"{col.letter}{row}"] = i + 1
                style(ws, ref, align=CENTER, fill=CHECK_FILL)
            else:
                align, fmt = _value_style(col.kind)
                style(ws, ref, align=align if col.kind == spec.MONEY else LEFT, number_format=fmt,
                      protection=UNLOCKED)
        ws.row_dimensions[row].height = ROW_HEIGHT
        # Rows past `visible` are hidden so a short form prints short.
        if i >= t.visible:
            ws.row_dimensions[row].hidden = True
    if t.total_row:
        ws[f"A{t.total_row}"] = t.total_label
        style(ws, f"A{t.total_row}", font=LABEL_FONT, fill=LABEL_FILL, align=CENTER)
        for check in (block.total_status, block.total):
            if check:
                _put_check(ws, check, form)
        ws.row_dimensions[t.total_row].height = ROW_HEIGHT


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


def _conditional_formats(ws: Worksheet, form: spec.FormSpec, input_cells: list[str]) -> None:
    bad_font, warn_font = Font(color=BAD_FONT_RGB), Font(color=WARN_FONT_RGB)
    # The check cells' own displays (sub-project total, execution rate ...): red or orange when they disagree.
    for c in form.checks.values():
        if c.bad:
            ws.conditional_formatting.add(
                c.cell, FormulaRule(formula=[_expanded(form, c.bad)], fill=solid(BAD_FILL_RGB), font=bad_font))
        if c.warn:
            ws.conditional_formatting.add(
                c.cell, FormulaRule(formula=[_expanded(form, c.warn)], fill=solid(WARN_FILL_RGB), font=warn_font))
    # Input cells: red where a rule finds an error, orange where it warns. Two sources: the live checks (the
    # template's own formulas, see xltools.live) and the findings a Python check listed in 校验结果. Every red rule
    # comes before every orange one, so a cell with both shows red (LibreOffice applies the first true rule,
    # Excel the highest priority for the fill). Required cells still blank get a calm tint, not red: a form being
    # filled in is not wrong (a program's check, which lists them in 校验结果, still marks them red).
    every_input = _compress(input_cells)
    rules = [
        (highlight_formula("error", form.sheet), solid(BAD_FILL_RGB), bad_font),
        (live.red_formula(), solid(BAD_FILL_RGB), bad_font),
        (highlight_formula("warning", form.sheet), solid(WARN_FILL_RGB), warn_font),
        (live.orange_formula(), solid(WARN_FILL_RGB), warn_font),
        (live.todo_formula(), solid(TODO_FILL_RGB), None),
    ]
    for formula, fill, font in rules:
        ws.conditional_formatting.add(every_input, FormulaRule(formula=[formula], fill=fill, font=font))


def _heading(ws: Worksheet, form: spec.FormSpec, year: int) -> None:
    ncols = len(form.widths)
    for i, width in enumerate(form.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.sheet_view.showGridLines = False
    ws[f"A{spec.TITLE_ROW}"] = form.title
    style(ws, span(ws, f"A{spec.TITLE_ROW}", ncols, spec.TITLE_ROW), font=TITLE_FONT, align=CENTER, border=False)
    ws.row_dimensions[spec.TITLE_ROW].height = TITLE_HEIGHT
    ws[f"A{spec.YEAR_ROW}"] = spec.year_text(year)
    style(ws, span(ws, f"A{spec.YEAR_ROW}", ncols, spec.YEAR_ROW), font=YEAR_FONT, align=CENTER, border=False)
    ws.row_dimensions[spec.YEAR_ROW].height = ROW_HEIGHT


# Hidden columns that fit growing rows to merged text, right after the form's own (FIT_COLUMN_GAP more to the right):
# never printed; the .xlsm's buttons start in the first visible column after them. Kept next to the form, because
# every column up to the last one used widens what a reader of a returned form materialises.
FIT_COLUMN_GAP = 0


def _fit_columns(ws: Worksheet, form: spec.FormSpec) -> None:
    """Spreadsheet programs that fit a row's height to its text skip merged cells (Excel does). For every long text
    (a Stack's value, merged across the form), a hidden column as wide as the merge repeats its text, wrapped in the
    same font: the row then fits to that copy. Not read by anyone; outside the print area. The tables' growing rows
    need none where the long texts are (三级指标, 指标目标值: single cells); a sub-project name, merged over two
    columns and short, has none: every helper cell is one more cell a reader of a returned form materialises."""
    ncols = len(form.widths)
    spans: list[tuple[str, int, int, Alignment]] = []
    for block in form.blocks:
        if isinstance(block, spec.Stack):
            spans.append((block.field.cell, block.field.first_col, block.field.last_col, TOP_LEFT))
    columns: dict[tuple[int, int], str] = {}
    for cell, first, last, align in spans:
        if (first, last) not in columns:
            letter = get_column_letter(ncols + 1 + FIT_COLUMN_GAP + len(columns))
            columns[(first, last)] = letter
            ws.column_dimensions[letter].width = sum(form.widths[first - 1:last])
            ws.column_dimensions[letter].hidden = True
        helper = f"{columns[(first, last)]}{''.join(ch for ch in cell if ch.isdigit())}"
        ws[helper] = f"=T({cell})"  # the text, "" for anything else (T, not &"": no entity for a reader to decode)
        style(ws, helper, align=align, border=False)


def form_sheet(ws: Worksheet, form: spec.FormSpec, year: int, unit: str | None, framework: data.Framework,
               password: str) -> None:
    _heading(ws, form, year)
    ncols = len(form.widths)
    for block in form.blocks:
        if isinstance(block, spec.StatusLine):
            _put_status(ws, block)
            ws.row_dimensions[block.row].height = form.row_heights.get(block.row, ROW_HEIGHT)
        elif isinstance(block, spec.Stack):
            _put_stack(ws, block.field, ncols)
            ws.row_dimensions[block.field.row].height = form.row_heights.get(block.field.row, ROW_HEIGHT)
        elif isinstance(block, spec.Line):
            _put_field(ws, block.field, unit)
            ws.row_dimensions[block.field.row].height = form.row_heights.get(block.field.row, ROW_HEIGHT)
        elif isinstance(block, spec.Pair):
            for item in (block.left, block.right):
                if isinstance(item, spec.Field):
                    _put_field(ws, item, unit)
                else:
                    _put_check(ws, item, form)
            labels = [(i.label, form.widths[i.label_col - 1]) for i in (block.left, block.right) if i.label]
            ws.row_dimensions[block.left.row].height = form.row_heights.get(
                block.left.row, max(_label_height(text, width) for text, width in labels))
        elif isinstance(block, spec.TableBlock):
            _put_table(ws, block, form)
    _fit_columns(ws, form)
    for row in sorted(form.growing):
        let_grow(ws, row)

    for dv in field_validations(form, year):
        ws.add_data_validation(dv)
    for t in form.tables.values():
        for dv in table_validations(form, t, framework):
            ws.add_data_validation(dv)

    input_cells = [c for c in form.input_cells() if not (unit is not None and c == form.fields["unit"].cell)]
    _conditional_formats(ws, form, input_cells)
    print_setup(ws, form.last_col, form.last_row, spec.TITLE_ROWS,
                footer_left=f"模板 {form.family.template_id} 第 {form.version} 版")
    first_input = form.input_cells()[0] if unit is None else input_cells[0]
    ws.sheet_view.selection[0].activeCell = first_input
    ws.sheet_view.selection[0].sqref = first_input
    protect(ws, password, FORM_PROTECTION)
