"""The self-evaluation's form sheet: the spec's blocks laid out on A4 portrait, the bureau's values prefilled and
locked, the live checks' rates, scores and totals shown, validations, and the same red/orange/待填 conditional
formats as the declaration (shared helpers of :mod:`xltools.template.form`)."""

from __future__ import annotations

from collections.abc import Mapping

from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xltools import spec
from xltools.data.selfeval_rules import Scoring
from xltools.evaluation import Project
from xltools.spec.parts import NUMBER, NUMBER_FORMAT, Grid
from xltools.template.form import _conditional_formats, _put_status
from xltools.template.styles import (
    CENTER,
    CHECK_FILL,
    FORM_PROTECTION,
    LABEL_FILL,
    LABEL_FONT,
    LEFT,
    LOCKED,
    RIGHT,
    ROW_HEIGHT,
    SECTION_FILL,
    SECTION_FONT,
    TITLE_FONT,
    TITLE_HEIGHT,
    TOP_LEFT,
    UNLOCKED,
    YEAR_FONT,
    print_setup,
    protect,
    span,
    style,
)
from xltools.template.validations import MONEY_ERROR, MONEY_PROMPT, dv
from xltools.text import LINE_HEIGHT, MAX_LINES, lines

PREFILLED_FILL = PatternFill("solid", start_color="F7F7F7", end_color="F7F7F7")
WEIGHT_PROMPT = "已按评分规则填好默认分值，可调整；执行率分值与各指标分值合计应为 100。"
REASON_PROMPT = ("未达到年度指标值、超出年度指标值较多，或定性指标未完全达成时，须说明偏差原因和改进措施。"
                 "换行：Alt+Enter。")


def _align(kind: str) -> tuple[Alignment, str | None]:
    if kind == spec.MONEY:
        return RIGHT, spec.MONEY_FORMAT
    if kind == NUMBER:
        return RIGHT, NUMBER_FORMAT
    if kind == spec.LONG:
        return TOP_LEFT, None
    return LEFT, "@"  # text stays text: "98%" typed is not turned into 0.98


def _cell(ws: Worksheet, item: spec.Field, value: object = None) -> None:
    """A field's value cell: the bureau's value locked on a light fill, or an empty input."""
    align, fmt = _align(item.kind)
    ref = span(ws, item.cell, item.last_col, item.row)
    if item.prefilled:
        ws[item.cell] = value
        if isinstance(value, str):
            ws[item.cell].data_type = "s"
    style(ws, ref, align=align, number_format=fmt, protection=LOCKED if item.prefilled else UNLOCKED,
          fill=PREFILLED_FILL if item.prefilled else None)


def _label(ws: Worksheet, ref: str, text: str) -> None:
    first = ref.split(":")[0]
    ws[first] = text
    style(ws, ref, font=LABEL_FONT, fill=LABEL_FILL, align=CENTER)


def _shown(ws: Worksheet, check: spec.Check, value: object) -> None:
    ref = span(ws, check.cell, check.last_col, check.row)
    ws[check.cell] = value
    style(ws, ref, fill=CHECK_FILL, align=RIGHT if check.number_format else CENTER, number_format=check.number_format)


def _grid(ws: Worksheet, grid: Grid, last: int, values: Mapping[str, object], shown: Mapping[str, object],
          ) -> None:
    if grid.title:
        ws[f"A{grid.title_row}"] = grid.title
        style(ws, span(ws, f"A{grid.title_row}", last, grid.title_row), font=SECTION_FONT, fill=SECTION_FILL,
              align=LEFT)
        ws.row_dimensions[grid.title_row].height = ROW_HEIGHT
    if grid.header:
        for fixed in grid.header:
            _label(ws, span(ws, f"{get_column_letter(fixed.first_col)}{grid.header_row}", fixed.last_col,
                            grid.header_row), fixed.text)
        ws.row_dimensions[grid.header_row].height = ROW_HEIGHT
    for row in grid.rows:
        if row.label:
            first, end = row.label_cols
            _label(ws, span(ws, f"{get_column_letter(first)}{row.row}", end, row.row), row.label)
        for item in row.cells:
            if isinstance(item, spec.Field):
                _cell(ws, item, values.get(item.key))
            elif isinstance(item, spec.Check):
                _shown(ws, item, shown.get(item.cell))
            else:
                ref = span(ws, f"{get_column_letter(item.first_col)}{row.row}", item.last_col, row.row)
                ws[ref.split(":")[0]] = item.text
                style(ws, ref, fill=CHECK_FILL, align=CENTER)
        ws.row_dimensions[row.row].height = row.height or ROW_HEIGHT


def _indicators(ws: Worksheet, table: spec.Table, widths: tuple[float, ...], project: Project, weights: list[float],
                scoring: Scoring, shown: Mapping[str, object]) -> list[str]:
    """The 绩效指标 table: approved rows prefilled and locked (one dropdown of bands per qualitative row), spare rows
    locked and hidden. Returns the cells the live checks may mark beyond the inputs (the prefilled texts)."""
    ncols = len(widths)
    ws[f"A{table.title_row}"] = table.title
    style(ws, span(ws, f"A{table.title_row}", ncols, table.title_row), font=SECTION_FONT, fill=SECTION_FILL,
          align=LEFT)
    for col in table.columns:
        _label(ws, f"{col.letter}{table.header_row}", col.label)
    ws.row_dimensions[table.title_row].height = ROW_HEIGHT
    ws.row_dimensions[table.header_row].height = 30  # 偏差原因分析及改进措施 takes two lines
    rows = project.approved.rows
    marked: list[str] = []
    bands = [b.name for b in scoring.bands]
    for i, r in enumerate(table.rows):
        approved = rows[i] if i < len(rows) else None
        values = approved.values() if approved else {}
        for col in table.columns:
            address = f"{col.letter}{r}"
            align, fmt = _align(col.kind)
            editable = approved is not None and not col.prefilled
            if col.prefilled and approved is not None:
                ws[address] = values[col.key]
                ws[address].data_type = "s"
                marked.append(address)
            elif col.key == "weight" and approved is not None:
                ws[address] = weights[i]
            elif address in shown:
                ws[address] = shown[address]
            style(ws, address, align=align, number_format=fmt, protection=UNLOCKED if editable else LOCKED,
                  fill=PREFILLED_FILL if col.prefilled and approved is not None else None)
        if approved is None:
            ws.row_dimensions[r].hidden = True  # the approval has no such row: nothing to evaluate
            ws.row_dimensions[r].height = ROW_HEIGHT
            continue
        needed = max(lines(text, widths[j]) for j, text in enumerate(values.values()))
        ws.row_dimensions[r].height = max(ROW_HEIGHT, min(MAX_LINES, needed) * LINE_HEIGHT + 6)
        actual = f"{table.column('actual').letter}{r}"
        score = f"{table.column('score').letter}{r}"
        if score not in shown:  # a qualitative indicator: a band to choose, a score to give
            ws.add_data_validation(dv("list", actual, "实际完成值", "请选择完成档次，并在“得分”中按档次打分。",
                                      f"请从下拉列表选择：{'、'.join(bands)}。", formula1='"' + ",".join(bands) + '"'))
            ws.add_data_validation(dv("decimal", score, "得分", _band_prompt(scoring), "得分须为不小于 0 的数字。",
                                      formula1="0", operator="greaterThanOrEqual"))
        else:
            ws.add_data_validation(dv(None, actual, "实际完成值", _actual_prompt(approved.target)))
            ws.add_data_validation(dv(None, score, "得分", "按评分规则自动计算。实际完成值远超年度指标值、因指标值设定偏低"
                                                           "需调低得分时，可在此直接填写并说明原因。"))
    return marked


def _actual_prompt(target: str) -> str:
    return f"年度指标值为“{target}”：请填写实际达到的数值，可带相同单位（如 98%、300件），不带比较符。"


def _band_prompt(scoring: Scoring) -> str:
    parts = [f"{b.name} {b.low:g}%–{b.high:g}%" for b in scoring.bands]
    return "按所选档次在分值的相应比例内打分：" + "；".join(parts) + "。"


def form_sheet(ws: Worksheet, form: spec.FormSpec, project: Project, weights: list[float], scoring: Scoring,
               shown: Mapping[str, object], password: str) -> None:
    """Lay out the self-evaluation for ``project`` on ``ws``."""
    widths = form.widths
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.sheet_view.showGridLines = False
    for row, text, font, height in ((spec.TITLE_ROW, form.title, TITLE_FONT, TITLE_HEIGHT),
                                    (spec.YEAR_ROW, form.family.year_text(project.year), YEAR_FONT, ROW_HEIGHT)):
        ws[f"A{row}"] = text
        style(ws, span(ws, f"A{row}", len(widths), row), font=font, align=CENTER, border=False)
        ws.row_dimensions[row].height = height
    values = {"project": project.project, "unit": project.unit, "initial": project.approved.budget,
              "goal": project.approved.goal}
    marked = [form.fields["initial"].cell, form.checks["weight_total"].cell]
    for block in form.blocks:
        if isinstance(block, spec.StatusLine):
            _put_status(ws, block)
            ws.row_dimensions[block.row].height = form.row_heights.get(block.row, ROW_HEIGHT)
        elif isinstance(block, spec.Line | spec.Pair):
            items = (block.field,) if isinstance(block, spec.Line) else (block.left, block.right)
            for item in items:
                assert isinstance(item, spec.Field)
                _label(ws, item.label_cell, item.label)
                _cell(ws, item, values.get(item.key))
            ws.row_dimensions[items[0].row].height = ROW_HEIGHT + 6
        elif isinstance(block, Grid):
            _grid(ws, block, len(widths), values, shown)
        elif isinstance(block, spec.TableBlock):
            marked += _indicators(ws, block.table, widths, project, weights, scoring, shown)
    goal = form.fields["goal"]
    ws.row_dimensions[goal.row].height = max(90.0, min(MAX_LINES, lines(project.approved.goal or "", sum(
        widths[:4]))) * LINE_HEIGHT + 6)
    for f in form.fields.values():
        if f.kind == spec.MONEY and not f.prefilled:
            ws.add_data_validation(dv("decimal", f.cell, f.label[:32], MONEY_PROMPT, MONEY_ERROR, formula1="0",
                                      operator="greaterThanOrEqual"))
    table = form.tables["indicators"]
    for column, prompt in (("weight", WEIGHT_PROMPT), ("reason", REASON_PROMPT)):
        col = table.column(column).letter
        ws.add_data_validation(dv(None, f"{col}{table.first_row}:{col}{table.last_row}", table.column(column).label,
                                  prompt))
    inputs = form.input_cells()
    _conditional_formats(ws, form, [*inputs, *marked])
    print_setup(ws, form.last_col, form.last_row, spec.TITLE_ROWS,
                footer_left=f"模板 {form.family.template_id} 第 {form.version} 版")
    first = form.fields["department"].cell
    ws.sheet_view.selection[0].activeCell = first
    ws.sheet_view.selection[0].sqref = first
    protect(ws, password, FORM_PROTECTION)

