"""The self-evaluation's rules: :func:`run` scores a :class:`~xltools.evaluation.SelfEvaluation`
(:mod:`~xltools.rules.selfeval.scores`) and applies :mod:`~xltools.rules.selfeval.money` and
:mod:`~xltools.rules.selfeval.indicators`; findings in sheet order. Like the declaration's rules: the model only,
no I/O, never raising on bad data."""

from __future__ import annotations

from xltools.evaluation import SelfEvaluation
from xltools.findings import Finding, sort_key
from xltools.rules.selfeval import indicators, money
from xltools.rules.selfeval.scores import RowScore, Scores, scores


def run(se: SelfEvaluation) -> list[Finding]:
    s = scores(se)
    findings = [*money.check(se), *indicators.check(se, s)]
    return sorted(findings, key=lambda f: sort_key(f.cell))


__all__ = ["RowScore", "Scores", "run", "scores"]
