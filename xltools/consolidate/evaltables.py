"""The year-end self-evaluations' tables (pandas), apart from the declarations': 自评汇总 (one row per project),
指标完成 (one row per indicator), 问题清单 (the same columns as the declarations'), and the per-unit statistics of
统计 (projects, average 总分, forms by 等级, unmet indicators), of the counted forms only.

A project sent twice counts once: the copy the unit saved last (:func:`xltools.consolidate.crossfile.decide`, as for
declarations); the others stay in 自评汇总 with 计入汇总 否 and a ``duplicate-submission`` warning.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from xltools import spec
from xltools.consolidate import tables as t
from xltools.consolidate.crossfile import decide
from xltools.consolidate.rows import FileRows
from xltools.consolidate.sheetxml import COUNT, MONEY, NUMBER, RATE, TEXT
from xltools.data.selfeval_rules import selfeval_rules
from xltools.findings import CODE_TITLES, Finding
from xltools.spec.selfeval import selfeval_form
from xltools.units import name_key

SUMMARY_SHEET, COMPLETIONS_SHEET = "自评汇总", "指标完成"
UNIT, PROJECT = "实施单位", "项目名称"
TOTAL, GRADE, UNMET = "总分", "等级", "未达成指标数"
SUMMARY: dict[str, str] = {
    UNIT: TEXT, PROJECT: TEXT, "主管部门": TEXT, "年初预算数（元）": MONEY, "全年预算数（元）": MONEY,
    "全年执行数（元）": MONEY, "执行率": RATE, "执行率得分": NUMBER, "指标得分": NUMBER, TOTAL: NUMBER, GRADE: TEXT,
    "指标数": COUNT, UNMET: COUNT,
}
SUMMARY_ALL: dict[str, str] = {**SUMMARY, t.ERRORS: COUNT, t.WARNINGS: COUNT, t.COUNTED: TEXT, t.SOURCE: TEXT}
COMPLETIONS: dict[str, str] = {
    UNIT: TEXT, PROJECT: TEXT, "序号": COUNT, "一级指标": TEXT, "二级指标": TEXT, "三级指标": TEXT, "年度指标值": TEXT,
    "指标类型": TEXT, "实际完成值": TEXT, "是否达成": TEXT, "分值": NUMBER, "得分": NUMBER, "偏差原因分析及改进措施": TEXT,
    t.SOURCE: TEXT, t.CELL: TEXT,
}
FINDINGS: dict[str, str] = {**t.FINDINGS}
BY_UNIT_BASE: dict[str, str] = {UNIT: TEXT, "项目数": COUNT, "平均总分": NUMBER}


@dataclass
class EvalTables:
    summary: pd.DataFrame
    completions: pd.DataFrame
    findings: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_unit: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_unit_kinds: dict[str, str] = field(default_factory=dict)
    year: int | None = None

    def sheets(self) -> dict[str, tuple[pd.DataFrame, dict[str, str]]]:
        return {SUMMARY_SHEET: (self.summary, SUMMARY_ALL), COMPLETIONS_SHEET: (self.completions, COMPLETIONS),
                t.FINDINGS_SHEET: (self.findings, FINDINGS)}

    def parquet_tables(self) -> dict[str, pd.DataFrame]:
        return {"evaluation_summary": self.summary, "evaluation_indicators": self.completions,
                "evaluation_findings": self.findings, "evaluation_by_unit": self.by_unit}


def resubmissions(files: Sequence[FileRows]) -> tuple[set[str], list[Finding]]:
    """The self-evaluations that do not count (another copy of the same unit's project does), with a
    ``duplicate-submission`` warning on every copy."""
    groups: dict[tuple[str, str], list[FileRows]] = defaultdict(list)
    for rows in files:
        assert rows.evaluation is not None
        key = (name_key(rows.evaluation[0] or ""), name_key(rows.evaluation[1] or ""))
        if all(key):
            groups[key].append(rows)
    dropped: set[str] = set()
    out = []
    cell = selfeval_form().fields["project"].cell
    for group in (g for g in groups.values() if len(g) > 1):
        decision = decide(group)
        for rows in group:
            assert rows.evaluation is not None
            what = f"“{rows.evaluation[0]}”的项目“{rows.evaluation[1]}”的绩效自评表重复报送（共 {len(group)} 份）"
            if rows is decision.kept:
                others = "、".join(o.file for o in group if o is not rows)
                text = f"{what}，计入汇总的是本文件（{decision.basis}）；不计入的：{others}。请确认保留哪一份。"
            else:
                dropped.add(rows.file)
                text = f"{what}，本文件不计入统计；计入汇总的是：{decision.kept.file}（{decision.basis}）。请确认保留哪一份。"
            out.append(Finding.of("duplicate-submission", text, file=rows.file, sheet=selfeval_form().sheet,
                                  cell=cell))
    return dropped, out


def build(files: Sequence[FileRows], dropped: set[str]) -> EvalTables:
    """The row tables of the self-evaluations (no findings yet)."""
    summary = t.frame([(*f.evaluation, 0, 0, t.NO if f.file in dropped else t.YES, f.file) for f in files
                       if f.evaluation is not None], SUMMARY_ALL)
    completions = t.frame([(*r[:13], f.file, r[13]) for f in files for r in f.completions], COMPLETIONS)
    years = [f.year for f in files if f.year is not None]
    return EvalTables(summary, completions, year=max(set(years), key=years.count) if years else None)


def finish(tables: EvalTables, findings: Sequence[Finding]) -> EvalTables:
    """The findings table, error and warning counts per form, and the per-unit statistics of the counted forms."""
    unit_of = dict(zip(tables.summary[t.SOURCE], tables.summary[UNIT], strict=True))
    tables.findings = t.frame(
        [(f.file, f.sheet, f.cell, f.code, spec.SEVERITY_LABELS[f.severity], CODE_TITLES[f.code], f.message,
          unit_of.get(f.file)) for f in findings], FINDINGS)
    s = tables.summary
    severity = tables.findings["严重程度"]
    for column, label in ((t.ERRORS, "error"), (t.WARNINGS, "warning")):
        counts = tables.findings.loc[severity == spec.SEVERITY_LABELS[label], t.FILE].value_counts()
        s[column] = s[t.SOURCE].map(counts).fillna(0).astype("int64")
    counted = s[s[t.COUNTED] == t.YES]
    grades = [g.name for g in selfeval_rules().scoring.grades]
    grades += sorted(set(counted[GRADE]) - set(grades))
    kinds = {**BY_UNIT_BASE, **{f"{g}（份）": COUNT for g in grades}, UNMET: COUNT}
    rows = []
    for unit, group in counted.groupby(counted[UNIT].fillna(t.UNKNOWN), sort=False):
        by_grade = group[GRADE].value_counts()
        rows.append((unit, len(group), round(float(group[TOTAL].mean()), 2),
                     *(int(by_grade.get(g, 0)) for g in grades), int(group[UNMET].sum())))
    tables.by_unit, tables.by_unit_kinds = t.frame(rows, kinds), kinds
    return tables
