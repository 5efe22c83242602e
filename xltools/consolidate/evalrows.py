"""One self-evaluation as plain row tuples, for consolidation: what a worker sends back (no pandas).

The column order of each tuple is the column order of the tables in :mod:`xltools.consolidate.evaltables`. Scores
are the engine's (:func:`xltools.rules.selfeval.scores`): the same whether a form was recalculated or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from xltools.evaluation import SelfEvaluation
from xltools.model import CellValue
from xltools.rules.selfeval import scores
from xltools.rules.selfeval.scores import RowScore, number
from xltools.scoring import met as reached

YES, NO = "是", "否"


def _text(cv: CellValue | None) -> str | None:
    if cv is None:
        return None
    text = cv.text or (str(cv.raw).strip() if cv.raw not in (None, "") else "")
    return text or None


def achieved(r: RowScore) -> str | None:
    """是 when the indicator reached its target (a qualitative one: judged in the first band), 否 when not, None
    when it cannot be told (no usable 实际完成值)."""
    if r.op is not None and r.actual is not None and r.actual.number is not None and r.target.number is not None:
        return YES if reached(r.op, r.target.number, r.actual.number) else NO
    if r.band is not None:
        return YES if r.band is r.band_first else NO
    return None


def rows_of(se: SelfEvaluation) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """(自评汇总 row, 指标完成 rows) of one self-evaluation."""
    s = scores(se)
    unit, project = _text(se.fields["unit"]), _text(se.fields["project"])
    completions = []
    unmet = 0
    for r in s.rows:
        if r.approved is None or r.indicator is None:
            continue
        ind = r.indicator
        done = achieved(r)
        unmet += done == NO
        kind = "定量" if r.quantitative else "定性"
        completions.append((
            unit, project, r.index + 1, r.approved.level1, r.approved.level2, r.approved.level3, r.approved.target,
            kind, _text(ind.actual), done, r.weight, r.score, _text(ind.reason), ind.actual.cell,
        ))
    indicator_total = round(s.total - s.execution_score, 2)
    summary = (unit, project, _text(se.fields["department"]), number(se.fields["initial"]),
               number(se.fields["budget"]), number(se.fields["executed"]), s.rate, s.execution_score,
               indicator_total, s.total, s.grade, len(completions), unmet)
    return summary, completions


SUFFIX = "_绩效自评"


class _Read(Protocol):
    evaluation: tuple[Any, ...] | None


Read = TypeVar("Read", bound=_Read)  # a file's rows (xltools.consolidate.rows.FileRows, which imports this module)


def split(files: Sequence[Read]) -> tuple[list[Read], list[Read]]:
    """(everything else, the self-evaluations), each in input order: never one table."""
    return [r for r in files if r.evaluation is None], [r for r in files if r.evaluation is not None]


def target_for(target: Path, alone: bool) -> Path:
    """The self-evaluations' workbook: the run's output when they are all there is, else beside it."""
    return target if alone else target.with_name(f"{target.stem}{SUFFIX}{target.suffix}")
