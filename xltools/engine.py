"""The one check engine: reader + rules, for every form family (the declaration, the year-end self-evaluation:
the reader tells them apart by the template id in the meta). The CLI, the Excel button and consolidation all call
this.

Stays light to import: no pandas, no pandera, no xlwings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xltools import reader
from xltools.cells import sort_key
from xltools.data import Frameworks
from xltools.evaluation import SelfEvaluation
from xltools.findings import Finding, Report
from xltools.model import Declaration


@dataclass
class CheckResult:
    """One file checked: its declaration when it could be read, and every finding."""

    file: str
    declaration: Declaration | None
    findings: list[Finding]
    selfeval: SelfEvaluation | None = None  # a year-end self-evaluation, when the file is one

    @property
    def report(self) -> Report:
        return Report(self.file, self.findings)


def check_declaration(decl: Declaration) -> list[Finding]:
    """Run every rule on a declaration."""
    from xltools import rules

    return rules.run(decl)


def check_selfeval(evaluation: SelfEvaluation) -> list[Finding]:
    """Run every rule of the self-evaluation on one."""
    from xltools.rules import selfeval

    return selfeval.run(evaluation)


def _finish(result: reader.ReadResult) -> CheckResult:
    findings = list(result.findings)
    if result.declaration is not None:
        findings.extend(check_declaration(result.declaration))
    if result.selfeval is not None:
        findings.extend(check_selfeval(result.selfeval))
    findings.sort(key=lambda f: (f.sheet, sort_key(f.cell)))
    return CheckResult(result.file, result.declaration, findings, result.selfeval)


def check_file(path: str | Path, display_name: str | None = None, frameworks: Frameworks | None = None,
               ) -> CheckResult:
    """Read and check one returned workbook against the framework it records. Never raises on bad input.
    ``frameworks``: the frameworks known by id (default: the shipped ones; see :func:`xltools.data.load_frameworks`);
    a form made with another one is a ``template-mismatch``."""
    try:
        return _finish(reader.read_file(path, display_name, frameworks))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a bug, or a native library's panic (a BaseException): never lose the file, never
        # ship an exception a worker process cannot pickle
        name = display_name if display_name is not None else str(path)
        return CheckResult(name, None, [Finding.of("file-unreadable", INTERNAL, file=name)])


INTERNAL = "读取此文件时发生内部错误，无法检查。请用 Excel 或 WPS 重新保存后再报送；如仍有问题，请把文件交给技术人员。"


def check_grids(form_grid: Sequence[Sequence[Any]], meta_grid: Sequence[Sequence[Any]], *, file: str,
                formulas: Mapping[str, str] | None = None, frameworks: Frameworks | None = None) -> CheckResult:
    """Check value grids fetched by someone else (the Excel button)."""
    return _finish(reader.read_grids(form_grid, meta_grid, file=file, formulas=formulas,
                                     frameworks=frameworks or reader.SHIPPED))
