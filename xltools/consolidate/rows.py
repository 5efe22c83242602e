"""One checked file as plain row tuples: what a worker process sends back.

Runs in the worker processes, so it stays light (no pandas) and returns tuples that pickle fast. The column order
of each tuple is the column order of the table in :mod:`xltools.consolidate.tables`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltools import spec
from xltools.consolidate.evalrows import rows_of
from xltools.data import Frameworks
from xltools.discover import Source
from xltools.engine import CheckResult, check_file
from xltools.findings import Finding
from xltools.inputs import check_source
from xltools.model import CellValue, Declaration
from xltools.targets import parse_target

# Fields of the form shown in 项目汇总, in column order. Money fields are numbers, dates are dates.
SUMMARY_FIELDS = ("unit", "project", "project_type", "category", "start", "end",
                  "total_budget", "annual_budget", "prior_budget", "prior_executed")
TARGET_KINDS = {"quantitative": "定量", "qualitative": "定性", "deadline": "时限", "vague": "不可衡量",
                "unparseable": "无法识别", "blank": "空"}


@dataclass
class FileRows:
    """Everything consolidation needs from one file. ``summary`` is None when the file gave no declaration."""

    file: str
    findings: list[Finding]
    summary: tuple[Any, ...] | None = None
    subprojects: list[tuple[Any, ...]] = field(default_factory=list)
    indicators: list[tuple[Any, ...]] = field(default_factory=list)
    framework: str = ""
    version: str = ""  # the template version the form was made on: its cell addresses
    year: int | None = None  # the budget year the form records
    saved: float | None = None  # when the unit saved the workbook (POSIX seconds), from the workbook itself
    file_time: int | None = None  # the file's modification time (ns)
    skipped: str | None = None  # not an input after all (an xltools output): why, in Chinese
    # A year-end self-evaluation instead of a declaration: its 自评汇总 row and 指标完成 rows (evalrows).
    evaluation: tuple[Any, ...] | None = None
    completions: list[tuple[Any, ...]] = field(default_factory=list)


def _text(cv: CellValue) -> str | None:
    text = cv.text
    return text if text else None


def _number(cv: CellValue) -> float | None:
    if cv.problem:
        return None
    value = cv.number
    if value is None or value != value or value < 0:
        return None
    return float(value)


def _date(cv: CellValue) -> dt.date | None:
    return None if cv.problem else cv.date


def value(decl: Declaration, key: str) -> Any:
    """The usable value of field ``key``: text, a non-negative number or a date; None when blank or invalid."""
    cv = decl.fields.get(key)
    if cv is None:
        return None
    kind = (decl.form or spec.build_for(decl.template_version)).fields[key].kind
    if kind == spec.MONEY:
        return _number(cv)
    if kind == spec.DATE:
        return _date(cv)
    return _text(cv)


def from_result(result: CheckResult) -> FileRows:
    decl = result.declaration
    rows = FileRows(result.file, result.findings)
    if result.selfeval is not None:  # consolidated apart from the declarations (consolidate/evalrun.py)
        rows.evaluation, rows.completions = rows_of(result.selfeval)
        rows.framework, rows.version, rows.year = (result.selfeval.framework, result.selfeval.template_version,
                                                   result.selfeval.year)
        return rows
    if decl is None:
        return rows
    values = {key: value(decl, key) for key in SUMMARY_FIELDS}
    budget, executed = values["prior_budget"], values["prior_executed"]
    rate = executed / budget if budget and executed is not None else None
    amounts = [_number(s.amount) for s in decl.subprojects]
    # Only a sum over valid amounts means anything; an invalid amount is reported at its own cell.
    subtotal = sum(a for a in amounts if a is not None) if amounts and None not in amounts else None
    unit, project = values["unit"], values["project"]
    rows.summary = (*values.values(), rate, len(decl.subprojects), subtotal, len(decl.indicators))
    rows.framework = decl.framework
    rows.version = decl.template_version
    rows.year = decl.year
    for i, (sub, amount) in enumerate(zip(decl.subprojects, amounts, strict=True), start=1):
        rows.subprojects.append((unit, project, i, _text(sub.name), amount, sub.name.cell))
    for i, ind in enumerate(decl.indicators, start=1):
        target = parse_target(ind.target.value)  # cached inside: targets repeat across forms
        rows.indicators.append((
            unit, project, i, _text(ind.level1), _text(ind.level2), _text(ind.level3), _text(ind.target),
            TARGET_KINDS[target.kind], target.operator, target.number, target.unit or None, target.word,
            ind.level1.cell,
        ))
    return rows


def read(path: str | Path, display_name: str | None = None, frameworks: Frameworks | None = None) -> FileRows:
    """Check one file with the engine and keep its rows."""
    return from_result(check_file(path, display_name, frameworks))


def read_source(source: Source, frameworks: Frameworks | None = None, scratch: str | None = None) -> FileRows:
    """Check one found input (a file or a form inside a zip) and keep its rows, with the times that decide
    between copies. The per-file unit of work of the process pool."""
    checked = check_source(source, frameworks, scratch)
    if checked.result is None:
        return FileRows(source.display, [], skipped=checked.skipped, file_time=checked.file_time)
    rows = from_result(checked.result)
    rows.saved, rows.file_time = checked.saved, checked.file_time
    return rows
