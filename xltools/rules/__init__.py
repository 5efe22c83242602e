"""The check rules: one small module per concept, each with ``check(decl) -> list[Finding]``.

:func:`run` applies all of them to a :class:`~xltools.model.Declaration` and returns the findings in sheet order
(row, then column; stable, so findings on one cell keep the order of the modules below). Rules work on the model
only: no I/O, no Excel, nothing heavy to import (no pandas, pandera or xlwings), and they never raise on bad data.
"""

from __future__ import annotations

from collections.abc import Callable

from xltools.findings import Finding, sort_key
from xltools.model import Declaration
from xltools.rules import budget, dates, fields, indicators, targets, values

Rule = Callable[[Declaration], list[Finding]]

# Form order: single cells, period, money, then the indicator table and its targets; values Excel cannot hold.
RULES: tuple[Rule, ...] = (fields.check, dates.check, budget.check, indicators.check, targets.check, values.check)


def run(decl: Declaration) -> list[Finding]:
    """All findings about one declaration, sorted by cell (row, then column)."""
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(decl))
    return sorted(findings, key=lambda f: sort_key(f.cell))


__all__ = ["RULES", "Rule", "run"]
