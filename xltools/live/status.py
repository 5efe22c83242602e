"""What the form shows of the live checks: the status line at the top (its text, formula and colour) and the
conditional-format conditions that turn input cells red, orange or the calm 待填 tint."""

from __future__ import annotations

import re

from xltools.live.formulas import quoted
from xltools.live.layout import (
    ERROR_COUNT_NAME,
    ERRORS_NAME,
    REQUIRED_NAME,
    STARTED_NAME,
    WARNING_COUNT_NAME,
    WARNINGS_NAME,
)

STATUS_NOT_STARTED = "表内自查：尚未开始填写。浅黄色为必填项；填写时本表自动检查，有问题的单元格标红（错误）或标橙（警告）。"
STATUS_CLEAN = "表内自查：未发现问题。完整校验以“一键校验”或主管部门审核为准。"
STATUS_ERRORS = "表内自查：{errors} 处错误、{warnings} 处警告，已在表中标红/标橙。完整校验请点“一键校验”或交主管部门审核。"
STATUS_WARNINGS = "表内自查：未发现错误；{warnings} 处警告已标橙，请核对。完整校验请点“一键校验”或交主管部门审核。"


def status_formula() -> str:
    """The status line at the top of the form (version 2 on), from the counts on ``_xltools``."""
    started, errors, warnings = STARTED_NAME, ERROR_COUNT_NAME, WARNING_COUNT_NAME
    return (f"=IF({started}<>1,{quoted(STATUS_NOT_STARTED)},"
            f"IF({errors}>0,{_filled_in(STATUS_ERRORS)},"
            f"IF({warnings}>0,{_filled_in(STATUS_WARNINGS)},{quoted(STATUS_CLEAN)})))")


def _filled_in(template: str) -> str:
    """A status template as a formula: its ``{errors}``/``{warnings}`` become the live counts."""
    parts = re.split(r"(\{errors\}|\{warnings\})", template)
    names = {"{errors}": ERROR_COUNT_NAME, "{warnings}": WARNING_COUNT_NAME}
    return "&".join(names.get(p, quoted(p)) for p in parts if p)


def status_text(started: bool, errors: int, warnings: int) -> str:
    """What the status line shows for these counts (tests compare it with what LibreOffice computed)."""
    if not started:
        return STATUS_NOT_STARTED
    if errors:
        return STATUS_ERRORS.format(errors=errors, warnings=warnings)
    if warnings:
        return STATUS_WARNINGS.format(warnings=warnings)
    return STATUS_CLEAN


def cell_formula(grid: str) -> str:
    """Conditional-format condition: the form's current cell has a count in ``grid`` (a defined name)."""
    return f"INDEX({grid},ROW(),COLUMN())>0"


def red_formula() -> str:
    return (f"OR({cell_formula(ERRORS_NAME)},"
            f"AND({STARTED_NAME}=1,{cell_formula(REQUIRED_NAME)}))")


def orange_formula() -> str:
    return cell_formula(WARNINGS_NAME)


def todo_formula() -> str:
    return f"AND({STARTED_NAME}<>1,{cell_formula(REQUIRED_NAME)})"


def status_conditions() -> dict[str, str]:
    """The status line's own colour: red with errors, orange with warnings only, green when clean."""
    started, errors, warnings = STARTED_NAME, ERROR_COUNT_NAME, WARNING_COUNT_NAME
    return {
        "error": f"AND({started}=1,{errors}>0)",
        "warning": f"AND({started}=1,{errors}=0,{warnings}>0)",
        "clean": f"AND({started}=1,{errors}+{warnings}=0)",
    }
