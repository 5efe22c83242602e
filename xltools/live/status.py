"""What the form shows of the live checks: the status line at the top (its text, formula and colour) and the
conditional-format conditions that turn input cells red, orange or the calm 待填 tint.

The status line has five states (version 3 on):

* nobody has started: what the tint and the marks mean;
* being filled: required cells still blank count apart ("还有 12 项必填未填"), in the calm tint, not as errors;
* problems: the wrong values and warnings, the first of them by address and rule, and where the reasons are (the
  explanation list, :mod:`xltools.live.explain`);
* clean;
* a program's results are in 校验结果 (an annotated copy, the button): the status line gives that result, so a
  printout carries one verdict.

Words fit the file: the .xlsx never mentions a button (WPS users have none); the .xlsm, made from the .xlsx by
:mod:`xltools.xlsm`, sets the constant name ``xlt_button`` to 1 and its status line points to the button.
"""

from __future__ import annotations

import re

from xltools import spec
from xltools.live.formulas import quoted
from xltools.live.layout import (
    BUTTON_NAME,
    ERROR_COUNT_NAME,
    ERRORS_NAME,
    FIRST_CELL_NAME,
    FIRST_NAME,
    REQUIRED_NAME,
    RESULTS_WRITTEN_NAME,
    STARTED_NAME,
    UNFILLED_NAME,
    WARNING_COUNT_NAME,
    WARNINGS_NAME,
    WRONG_NAME,
)

_WHERE = f"原因见“{spec.EXPLAIN_SHEET}”表。"
STATUS_NOT_STARTED = ("表内自查：尚未开始填写。浅黄色为必填项；填写时本表自动检查，有问题的单元格标红（错误）或标橙"
                      f"（警告），原因列在“{spec.EXPLAIN_SHEET}”表。")
STATUS_FILLING = "表内自查：还有 {unfilled} 项必填未填（浅黄色，首个 {first_cell}）；已填的内容未发现问题。"
STATUS_UNFILLED = "还有 {unfilled} 项必填未填；"
STATUS_ERRORS = "表内自查：{unfilled_part}{errors} 处错误{warnings_part}，已在表中标出。首个：{first}。" + _WHERE
STATUS_AND_WARNINGS = "、{warnings} 处警告"
STATUS_WARNINGS = "表内自查：{unfilled_part}未发现错误，{warnings} 处警告已标橙，请核对。首个：{first}。" + _WHERE
STATUS_CLEAN = "表内自查：未发现问题。"
STATUS_RESULTS = f"校验程序的结果：{{summary}}。逐条说明见“{spec.RESULTS_SHEET}”表；"
# The last words, by file: (.xlsx, .xlsm).
TAIL_PROBLEMS = ("完整校验请交主管部门审核。", "完整校验请点“一键校验”或交主管部门审核。")
TAIL_CLEAN = ("完整校验以主管部门审核为准。", "完整校验以“一键校验”或主管部门审核为准。")
TAIL_RESULTS = ("修改后请交主管部门重新校验。", "修改后请再点“一键校验”。")

_SUMMARY = f"'{spec.RESULTS_SHEET}'!${spec.RESULTS_SUMMARY_CELL[0]}${spec.RESULTS_SUMMARY_CELL[1:]}"
_ERRORS_ONLY = WRONG_NAME  # wrong values: errors other than the cells still to fill
_VALUES = {"{unfilled}": UNFILLED_NAME, "{errors}": _ERRORS_ONLY, "{warnings}": WARNING_COUNT_NAME,
           "{first}": FIRST_NAME, "{first_cell}": FIRST_CELL_NAME, "{summary}": _SUMMARY}


def _filled_in(template: str) -> str:
    """A status template as a formula: each ``{name}`` becomes the live value it names."""
    parts = re.split(r"(\{[a-z_]+\})", template)
    return "&".join(_VALUES.get(p, quoted(p)) for p in parts if p)


def _by_file(pair: tuple[str, str]) -> str:
    return f"IF({BUTTON_NAME}=1,{quoted(pair[1])},{quoted(pair[0])})"


def status_formula() -> str:
    """The status line at the top of the form (version 3 on), from the counts on ``_xltools``."""
    unfilled_part = f'IF({UNFILLED_NAME}>0,{_filled_in(STATUS_UNFILLED)},"")'

    warnings_part = f'IF({WARNING_COUNT_NAME}>0,{_filled_in(STATUS_AND_WARNINGS)},"")'

    def problems(template: str) -> str:
        head, tail = template.split("{unfilled_part}")
        parts = [_filled_in(head), unfilled_part]
        for i, piece in enumerate(tail.split("{warnings_part}")):
            parts += ([warnings_part] if i else []) + [_filled_in(piece)]
        return "&".join([*parts, _by_file(TAIL_PROBLEMS)])

    return (f"=IF({RESULTS_WRITTEN_NAME}=1,{_filled_in(STATUS_RESULTS)}&{_by_file(TAIL_RESULTS)},"
            f"IF({STARTED_NAME}<>1,{quoted(STATUS_NOT_STARTED)},"
            f"IF({_ERRORS_ONLY}>0,{problems(STATUS_ERRORS)},"
            f"IF({WARNING_COUNT_NAME}>0,{problems(STATUS_WARNINGS)},"
            f"IF({UNFILLED_NAME}>0,{_filled_in(STATUS_FILLING)},"
            f"{quoted(STATUS_CLEAN)}&{_by_file(TAIL_CLEAN)})))))")


def status_text(*, started: bool, unfilled: int, errors: int, warnings: int, first: str = "",
                button: bool = False, summary: str | None = None) -> str:
    """What the status line shows (tests compare it with what LibreOffice and Gnumeric computed). ``errors``:
    wrong values, required-missing apart (``unfilled``); ``first``: the first problem ("D14（当年预算超过总预算）";
    while only required cells are left, the first of them); ``summary``: the program's summary in 校验结果, when it wrote one."""
    pick = int(button)
    if summary is not None:
        return STATUS_RESULTS.format(summary=summary) + TAIL_RESULTS[pick]
    if not started:
        return STATUS_NOT_STARTED
    unfilled_part = STATUS_UNFILLED.format(unfilled=unfilled) if unfilled else ""
    if errors or warnings:
        template = STATUS_ERRORS if errors else STATUS_WARNINGS
        warnings_part = STATUS_AND_WARNINGS.format(warnings=warnings) if warnings else ""
        return template.format(unfilled_part=unfilled_part, errors=errors, warnings_part=warnings_part,
                               warnings=warnings, first=first) + TAIL_PROBLEMS[pick]
    if unfilled:
        return STATUS_FILLING.format(unfilled=unfilled, first_cell=first.split("（")[0])
    return STATUS_CLEAN + TAIL_CLEAN[pick]


def cell_formula(grid: str) -> str:
    """Conditional-format condition: the form's current cell has a count in ``grid`` (a defined name)."""
    return f"INDEX({grid},ROW(),COLUMN())>0"


def red_formula() -> str:
    """Red: a wrong value. A required cell still blank is not wrong yet: it keeps the 待填 tint (todo_formula)."""
    return cell_formula(ERRORS_NAME)


def orange_formula() -> str:
    return cell_formula(WARNINGS_NAME)


def todo_formula() -> str:
    """The calm 待填 tint: a required cell still blank (the engine still reports it as required-missing)."""
    return cell_formula(REQUIRED_NAME)


def status_conditions() -> dict[str, str]:
    """The status line's own colour: red with wrong values, orange with warnings only, the 待填 tint while only
    required cells are left, green when clean; with a program's results, the colour of those."""
    results, started = RESULTS_WRITTEN_NAME, STARTED_NAME
    severities = spec.FLAG_SEVERITIES_NAME
    program_errors = f'COUNTIF({severities},{quoted(spec.SEVERITY_LABELS["error"])})'
    program_warnings = f'COUNTIF({severities},{quoted(spec.SEVERITY_LABELS["warning"])})'
    live = f"{results}<>1,{started}=1"
    return {
        "error": f"OR(AND({results}=1,{program_errors}>0),AND({live},{_ERRORS_ONLY}>0))",
        "warning": f"OR(AND({results}=1,{program_errors}=0,{program_warnings}>0),"
                   f"AND({live},{_ERRORS_ONLY}=0,{WARNING_COUNT_NAME}>0))",
        "todo": f"AND({live},{_ERRORS_ONLY}=0,{WARNING_COUNT_NAME}=0,{UNFILLED_NAME}>0)",
        "clean": f"OR(AND({results}=1,{program_errors}+{program_warnings}=0),"
                 f"AND({live},{ERROR_COUNT_NAME}+{WARNING_COUNT_NAME}=0))",
    }


EXPLAIN_RESULTS = ("本表已由校验程序校验，结果：{summary}。逐条说明见“" + spec.RESULTS_SHEET + "”表，以该表为准"
                   "（程序写入结果期间，这里不再列出表内自查）。")
EXPLAIN_NOT_STARTED = "尚未开始填写。填写时本表随之更新：每条发现问题的规则一行，列出前几个单元格和处数。"
EXPLAIN_CLEAN = "表内自查未发现问题。"
EXPLAIN_FOUND = ("表内自查发现以下问题（随填写实时更新）：每条规则一行，列出前几个单元格和处数；红色为错误、橙色为警告、"
                 "浅黄色为尚未填写的必填项。")


def explain_heading() -> str:
    """The sentence above the explanation list: which of the states it is in."""
    return (f"=IF({RESULTS_WRITTEN_NAME}=1,{_filled_in(EXPLAIN_RESULTS)},"
            f"IF({STARTED_NAME}<>1,{quoted(EXPLAIN_NOT_STARTED)},"
            f"IF({ERROR_COUNT_NAME}+{WARNING_COUNT_NAME}=0,{quoted(EXPLAIN_CLEAN)},{quoted(EXPLAIN_FOUND)})))")
