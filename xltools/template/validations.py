"""Data validations: dropdowns, number and date limits, and a Chinese prompt on every input cell.

Fields get theirs by kind; table columns too, except the declaration's 分解目标, whose 一级/二级/三级 dropdowns come
from the framework's lists (``_indicator_validation``).
"""

from __future__ import annotations

import datetime as dt

from openpyxl.worksheet.datavalidation import DataValidation

from xltools import data, spec
from xltools.template.names import LEVEL1_NAME, LEVEL3_NAME, choice_name, level2_formula

# Dates outside this many years around the budget year are refused (a typo like 291 or 2109).
DATE_SPAN_YEARS = 10
ERROR_MAX_LEN = 225  # Excel refuses a validation error text over 255 characters; keep a margin

MONEY_PROMPT = "请填写以元为单位的数字（不含“元”“万”等文字），不小于 0，可保留两位小数。"
MONEY_ERROR = "金额须为不小于 0 的数字，单位为元，不要填写“万元”或文字。"
TARGET_PROMPT = (
    "定量：比较符 + 数值 + 单位，如 ≥99%、=100%、≥300件、≤3个月；"
    "定性：健全、有效、合规、规范、及时、完善等。不要只写数字或整句话。"
)
TARGET_MAX_LEN = 50
TARGET_ERROR = f"指标目标值请简明填写（不超过 {TARGET_MAX_LEN} 字），如 ≥99%、=100%、健全。点击“是”仍保留。"


def _excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def date_bounds(year: int) -> tuple[int, int]:
    """Serial numbers of the first and last accepted date for a form of budget ``year``."""
    return (
        _excel_serial(dt.date(year - DATE_SPAN_YEARS, 1, 1)),
        _excel_serial(dt.date(year + DATE_SPAN_YEARS, 12, 31)),
    )


def dv(
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
    """One validation on ``sqref``; ``kind`` None is a prompt only."""
    out = DataValidation(
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
    out.sqref = sqref
    return out


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


def _level1_error(framework: data.Framework) -> str:
    listed = f"一级指标须为：{'、'.join(framework.level1)}。"
    return listed if len(listed) <= ERROR_MAX_LEN else "一级指标须为下拉列表中的一项。"


def _indicator_validation(table: spec.Table, col: spec.Column, sqref: str, first: int, extra: str,
                          framework: data.Framework) -> DataValidation | None:
    """The 分解目标 columns: 一级 from the framework, 二级 under the chosen 一级, 三级 suggested, a short target."""
    if table.key != "indicators":
        return None
    if col.key == "level1":
        return dv("list", sqref, "一级指标", "请从下拉列表选择一级指标。" + extra,
                  _level1_error(framework), formula1=LEVEL1_NAME)
    if col.key == "level2":
        level1_col = table.column("level1").letter
        return dv("list", sqref, "二级指标", "请先在左侧选择一级指标，再从下拉列表选择其下的二级指标。" + extra,
                  "二级指标须为所选一级指标下的一项；请先选择一级指标。",
                  formula1=level2_formula(f"${level1_col}{first}"))
    if col.key == "level3":
        return dv("list", sqref, "三级指标", "可从下拉列表选择常用指标，也可直接填写本项目的指标名称。" + extra,
                  "该指标不在常用指标中，点击“确定”保留所填内容。", formula1=LEVEL3_NAME, error_style="information")
    if col.key == "target":
        return dv("textLength", sqref, "指标目标值", TARGET_PROMPT + extra, TARGET_ERROR,
                  formula1=str(TARGET_MAX_LEN), operator="lessThanOrEqual", error_style="warning")
    return None


def table_validations(form: spec.FormSpec, table: spec.Table, framework: data.Framework) -> list[DataValidation]:
    out: list[DataValidation] = []
    note = _unhide_note(form, table)
    for col in table.input_columns:
        for first, last, boundary in _table_segments(table):
            sqref = f"{col.letter}{first}" if first == last else f"{col.letter}{first}:{col.letter}{last}"
            extra = note if boundary else ""
            special = _indicator_validation(table, col, sqref, first, extra, framework)
            if special is not None:
                out.append(special)
            elif col.kind == spec.MONEY:
                out.append(dv("decimal", sqref, col.label, MONEY_PROMPT + extra, MONEY_ERROR,
                              formula1="0", operator="greaterThanOrEqual"))
            else:
                out.append(dv(None, sqref, col.label, f"请填写{col.label}。" + extra))
    return out


# How a long text's row gets the height its text needs, by layout: a row that grows by itself (version 3 on), or a
# fixed one the person sizes.
GROWING_PROMPT = ("请填写{label}。换行：Alt+Enter（WPS 相同）。行高随内容自动调整，打印时完整显示；若没有调整："
                  "双击本行行号的下边线，或拖动下边线。")
FIXED_PROMPT = "请填写{label}。换行：Alt+Enter（WPS 相同）；内容较多时可拖动行号下边线调整行高。"


def long_prompt(form: spec.FormSpec, f: spec.Field) -> str:
    return (GROWING_PROMPT if f.row in form.growing else FIXED_PROMPT).format(label=f.label)


def field_validations(form: spec.FormSpec, year: int) -> list[DataValidation]:
    out: list[DataValidation] = []
    low, high = date_bounds(year)
    for f in form.fields.values():
        if f.kind == spec.CHOICE and f.choices:
            options = "、".join(data.choices()[f.choices])
            out.append(dv("list", f.cell, f.label, f"请从下拉列表选择{f.label}（只选一项）。",
                          f"{f.label}须为以下之一：{options}。", formula1=choice_name(f.choices)))
        elif f.kind == spec.MONEY:
            out.append(dv("decimal", f.cell, f.label[:32], MONEY_PROMPT, MONEY_ERROR,
                          formula1="0", operator="greaterThanOrEqual"))
        elif f.kind == spec.DATE:
            out.append(dv("date", f.cell, f.label,
                          f"请填写日期，如 {year}-01-01（年-月-日）。",
                          f"日期须在 {year - DATE_SPAN_YEARS}-01-01 至 {year + DATE_SPAN_YEARS}-12-31 之间，"
                          f"格式如 {year}-01-01。",
                          formula1=str(low), formula2=str(high), operator="between"))
        elif f.kind == spec.LONG:
            out.append(dv(None, f.cell, f.label, long_prompt(form, f)))
    return out
