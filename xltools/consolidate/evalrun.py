"""Consolidating year-end self-evaluations (绩效自评表): the files the pool read are split by the template id they
record, never merged into the declarations' tables. The self-evaluations get a workbook of their own: the ``-o``
workbook when the batch holds no declaration, else one beside it (``<name>_绩效自评.xlsx``,
:func:`xltools.consolidate.evalrows.target_for`).
Every input is accounted for: a file that is neither (unreadable, another template) is listed with the
declarations, or with the self-evaluations when there are no declarations.

The tables are validated with pandera like the declarations' (:data:`SCHEMA`): what no form can make wrong (a
negative rate, an execution score above 100, more unmet indicators than indicators) would be this package's
mistake, reported as ``schema-invalid`` all the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandera.pandas as pa

from xltools.consolidate import evaloutput, evaltables
from xltools.consolidate.links import Links
from xltools.consolidate.output import write_parquet
from xltools.consolidate.rows import FileRows
from xltools.findings import Finding

SCHEMA = pa.DataFrameSchema({
    "执行率": pa.Column(float, pa.Check.ge(0), nullable=True),
    "执行率得分": pa.Column(float, [pa.Check.ge(0), pa.Check.le(100)]),
    "指标数": pa.Column(int, pa.Check.ge(0)),
    evaltables.UNMET: pa.Column(int, pa.Check.ge(0)),
    evaltables.GRADE: pa.Column(str, pa.Check.str_length(min_value=1)),
}, checks=pa.Check(lambda df: df[evaltables.UNMET] <= df["指标数"], error="未达成指标数不超过指标数"))


@dataclass
class Evaluated:
    """What the self-evaluations' part of a run wrote."""

    output: Path
    tables: evaltables.EvalTables
    findings: list[Finding]
    dropped: set[str]
    parquet: list[Path] = field(default_factory=list)

    @property
    def counted(self) -> set[str]:
        return set(self.tables.summary["来源文件"]) - self.dropped


def validate(tables: evaltables.EvalTables) -> list[Finding]:
    try:
        SCHEMA.validate(tables.summary, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        files = tables.summary["来源文件"].iloc[[i for i in cases["index"] if isinstance(i, int)]]
        return [Finding.of("schema-invalid", f"绩效自评汇总表未通过校验（{', '.join(map(str, cases['check']))}）。"
                                             "这是程序的问题，请把此文件交给技术支持。", file=str(f)) for f in set(files)]
    return []


def consolidate_evaluations(evaluations: Sequence[FileRows], others: Sequence[FileRows], target: Path,
                            links: Links, today: dt.date, scratch: str, submit: Callable[..., object] | None,
                            parquet: Path | None = None) -> Evaluated:
    """Build, validate and write the self-evaluations' workbook at ``target``; ``others``: files that are neither
    form, listed in its 问题清单 (when there is no declarations' workbook to list them)."""
    dropped, batch = evaltables.resubmissions(evaluations)
    built = evaltables.build(evaluations, dropped)
    by_file: dict[str, list[Finding]] = {}
    for f in [*batch, *validate(built)]:
        by_file.setdefault(f.file, []).append(f)
    findings = [f for rows in (*evaluations, *others) for f in (*rows.findings, *by_file.pop(rows.file, []))]
    findings += [f for group in by_file.values() for f in group]
    evaltables.finish(built, findings)
    writer = evaloutput.EvalWriter(target, links, evaloutput.heading(built.year, today), scratch, submit)  # type: ignore[arg-type]
    written = evaloutput.write(built, target, writer)
    out = Evaluated(written, built, findings, dropped)
    if parquet is not None:  # beside the declarations' tables, under names of their own
        out.parquet = write_parquet(built, parquet)  # type: ignore[arg-type]  # EvalTables has what it reads
    return out
