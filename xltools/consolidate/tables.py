"""The bureau-wide tables as pandas DataFrames, built from the rows the workers sent back.

Column names are what people read in the output workbook (Chinese) and what analysts get in parquet. Each table
also declares a *kind* per column (text, money, date, rate, count), which the writer turns into number formats.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from xltools import data, spec
from xltools.consolidate.rows import SUMMARY_FIELDS, FileRows
from xltools.consolidate.sheetxml import COUNT, DATE, DATETIME, MONEY, NUMBER, RATE, TEXT
from xltools.findings import CODE_TITLES, Finding
from xltools.units import name_key

SOURCE = "来源文件"
CELL = "单元格"
UNKNOWN = "（未填写）"

_F = spec.build().fields
_KIND = {spec.MONEY: MONEY, spec.DATE: DATE}

SUMMARY: dict[str, str] = {
    **{_F[key].label: _KIND.get(_F[key].kind, TEXT) for key in SUMMARY_FIELDS},
    "上年预算执行率": RATE,
    "子项目数": COUNT,
    "资金构成合计（元）": MONEY,
    "指标数": COUNT,
}
ERRORS, WARNINGS = "错误数", "警告数"
# 是: this form counts in 统计, the totals and the statistics; 否: another copy of the same unit's project does.
COUNTED, YES, NO = "计入汇总", "是", "否"
# When the unit saved the workbook (local time), as the workbook records it: what decides between two copies.
SAVED = "保存时间"
SUMMARY_ALL: dict[str, str] = {**SUMMARY, ERRORS: COUNT, WARNINGS: COUNT, COUNTED: TEXT, SAVED: DATETIME,
                               SOURCE: TEXT}
# Column name of each form field in 项目汇总 (for mapping a schema failure back to its cell).
SUMMARY_COLUMN_OF: dict[str, str] = {_F[key].label: key for key in SUMMARY_FIELDS}

UNIT, PROJECT = _F["unit"].label, _F["project"].label
PROJECT_TYPE, ANNUAL, TOTAL = _F["project_type"].label, _F["annual_budget"].label, _F["total_budget"].label
PRIOR_BUDGET, PRIOR_EXECUTED = _F["prior_budget"].label, _F["prior_executed"].label

_SUB = spec.build().tables["subprojects"]
_IND = spec.build().tables["indicators"]
SUBPROJECTS: dict[str, str] = {
    UNIT: TEXT, PROJECT: TEXT, "序号": COUNT,
    _SUB.column("name").label: TEXT, _SUB.column("amount").label: MONEY,
    SOURCE: TEXT, CELL: TEXT,
}
LEVEL1, LEVEL2, LEVEL3, TARGET = (_IND.column(k).label for k in ("level1", "level2", "level3", "target"))
FRAMEWORK = "指标体系"  # the framework id the form records; last, so the earlier columns keep their places
INDICATORS: dict[str, str] = {
    UNIT: TEXT, PROJECT: TEXT, "序号": COUNT,
    LEVEL1: TEXT, LEVEL2: TEXT, LEVEL3: TEXT, TARGET: TEXT,
    "目标类型": TEXT, "比较符": TEXT, "目标数值": NUMBER, "计量单位": TEXT, "定性词": TEXT,
    SOURCE: TEXT, CELL: TEXT, FRAMEWORK: TEXT,
}
# Which spec table column a table column came from (for mapping failures back to cells).
TABLE_COLUMN_OF: dict[str, dict[str, str]] = {
    "资金构成": {_SUB.column(k).label: k for k in ("name", "amount")},
    "绩效指标": {LEVEL1: "level1", LEVEL2: "level2", LEVEL3: "level3", TARGET: "target"},
}
FILE = "文件"
# The unit a finding is about (of its form; the unit itself for unit-not-returned); last: the columns before it
# keep their places.
FINDINGS: dict[str, str] = {FILE: TEXT, "工作表": TEXT, "单元格": TEXT, "代码": TEXT, "严重程度": TEXT,
                            "规则": TEXT, "说明": TEXT, UNIT: TEXT}

CEILING = "控制数"
BY_UNIT: dict[str, str] = {UNIT: TEXT, "表数": COUNT, TOTAL: MONEY, ANNUAL: MONEY, CEILING: MONEY,
                           PRIOR_BUDGET: MONEY, PRIOR_EXECUTED: MONEY, ERRORS: COUNT, WARNINGS: COUNT}
BY_TYPE: dict[str, str] = {PROJECT_TYPE: TEXT, "表数": COUNT, TOTAL: MONEY, ANNUAL: MONEY}
BY_LEVEL1: dict[str, str] = {LEVEL1: TEXT, "覆盖表数": COUNT, "指标数": COUNT, FRAMEWORK: TEXT}

# Sheet names of the output workbook, in order.
SUMMARY_SHEET, SUBPROJECTS_SHEET, INDICATORS_SHEET, FINDINGS_SHEET, STATS_SHEET, STATUS_SHEET = (
    "项目汇总", "资金构成", "绩效指标", "问题清单", "统计", "报送情况")
# Row sheets whose source file column shows the file's name, and the column of each. Those of 项目汇总 and 问题清单
# link to the file (the path is in the link); a 资金构成 or 绩效指标 row is found there by its unit and project.
SOURCE_COLUMNS = {SUMMARY_SHEET: SOURCE, SUBPROJECTS_SHEET: SOURCE, INDICATORS_SHEET: SOURCE, FINDINGS_SHEET: FILE}
LINKED_SHEETS = (SUMMARY_SHEET, FINDINGS_SHEET)


SHEET_KINDS: dict[str, dict[str, str]] = {SUMMARY_SHEET: SUMMARY_ALL, SUBPROJECTS_SHEET: SUBPROJECTS,
                                          INDICATORS_SHEET: INDICATORS, FINDINGS_SHEET: FINDINGS}


@dataclass
class Tables:
    summary: pd.DataFrame
    subprojects: pd.DataFrame
    indicators: pd.DataFrame
    findings: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_unit: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_level1: pd.DataFrame = field(default_factory=pd.DataFrame)
    status: pd.DataFrame = field(default_factory=pd.DataFrame)  # 报送情况: every unit and its state
    skipped: pd.DataFrame = field(default_factory=pd.DataFrame)  # files found and not read, with the reason
    frameworks: tuple[data.Framework, ...] = ()  # of the forms read, by id
    year: int | None = None  # the budget year of the batch (most of its forms)

    def sheets(self) -> dict[str, tuple[pd.DataFrame, dict[str, str]]]:
        """The row tables of the output workbook: sheet name -> (frame, column kinds)."""
        frames = {SUMMARY_SHEET: self.summary, SUBPROJECTS_SHEET: self.subprojects,
                  INDICATORS_SHEET: self.indicators, FINDINGS_SHEET: self.findings}
        return {name: (frames[name], kinds) for name, kinds in SHEET_KINDS.items()}

    def parquet_tables(self) -> dict[str, pd.DataFrame]:
        return {"summary": self.summary, "subprojects": self.subprojects, "indicators": self.indicators,
                "findings": self.findings, "stats_by_unit": self.by_unit, "stats_by_type": self.by_type,
                "stats_by_level1": self.by_level1, "status": self.status, "skipped": self.skipped}


def frame(rows: Sequence[tuple[object, ...]], kinds: dict[str, str]) -> pd.DataFrame:
    """A DataFrame with one dtype per kind: float for money and rates, int for counts, datetime for dates."""
    df = pd.DataFrame.from_records(list(rows), columns=list(kinds)) if rows else pd.DataFrame(columns=list(kinds))
    for col, kind in kinds.items():
        if kind in (DATE, DATETIME):
            df[col] = pd.to_datetime(df[col]).astype("datetime64[s]")
        elif kind in (MONEY, RATE, NUMBER):
            df[col] = df[col].astype("float64")
        elif kind == COUNT:
            df[col] = df[col].astype("int64")
        else:
            df[col] = df[col].astype("str")
    return df


def build(files: Sequence[FileRows], dropped: set[str] | frozenset[str] = frozenset(),
          frameworks: data.Frameworks | None = None) -> Tables:
    """The three row tables of the forms (no findings yet: the schemas add their own first). ``dropped``: the
    files that do not count (another copy of the same project does), marked 否 in 计入汇总. ``frameworks``
    resolves the framework ids the forms record (default: the shipped ones)."""
    summary = frame([(*f.summary, 0, 0, NO if f.file in dropped else YES, _local(f.saved), f.file) for f in files
                     if f.summary is not None], SUMMARY_ALL)
    subprojects = frame([(*r[:5], f.file, r[5]) for f in files for r in f.subprojects], SUBPROJECTS)
    indicators = frame([(*r[:12], f.file, r[12], f.framework) for f in files for r in f.indicators], INDICATORS)
    known = frameworks or data.Frameworks()
    ids = sorted({f.framework for f in files if f.summary is not None})
    used = tuple(fw for fw in map(known.get, ids) if fw is not None)
    return Tables(summary, subprojects, indicators, frameworks=used, year=batch_year(files))


def batch_year(files: Sequence[FileRows]) -> int | None:
    """The budget year most forms record (the later one of equally common years); None without forms."""
    years = Counter(f.year for f in files if f.summary is not None and f.year is not None)
    return max(years, key=lambda y: (years[y], y)) if years else None


def _local(seconds: float | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds).replace(microsecond=0)


def finish(tables: Tables, findings: Sequence[Finding], ceilings: dict[str, float] | None = None,
           units: Mapping[Finding, str] | None = None) -> Tables:
    """Add the findings table, the error/warning counts per form and the statistics (of the counted forms only).
    ``ceilings``: 控制数 by unit name as :func:`~xltools.units.name_key` compares them. ``units``: the unit of
    findings that are not about one form (unit-not-returned); the others take the unit of their file's form."""
    unit_of = dict(zip(tables.summary[SOURCE], tables.summary[UNIT], strict=True))
    extra = units or {}
    tables.findings = frame(
        [(f.file, f.sheet, f.cell, f.code, spec.SEVERITY_LABELS[f.severity], CODE_TITLES[f.code], f.message,
          extra.get(f) or unit_of.get(f.file)) for f in findings],
        FINDINGS,
    )
    s = tables.summary
    severity = tables.findings["严重程度"]
    errors = tables.findings.loc[severity == spec.SEVERITY_LABELS["error"], "文件"].value_counts()
    warnings = tables.findings.loc[severity == spec.SEVERITY_LABELS["warning"], "文件"].value_counts()
    s[ERRORS] = s[SOURCE].map(errors).fillna(0).astype("int64")
    s[WARNINGS] = s[SOURCE].map(warnings).fillna(0).astype("int64")
    counted = s[s[COUNTED] == YES]
    tables.by_unit, tables.by_type = _totals(counted, ceilings or {})
    indicators = tables.indicators
    if len(counted) < len(s):
        indicators = indicators[indicators[SOURCE].isin(set(counted[SOURCE]))]
    tables.by_level1 = _coverage(indicators, tables.frameworks)
    return tables


def _totals(s: pd.DataFrame, ceilings: dict[str, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    money = [TOTAL, ANNUAL, PRIOR_BUDGET, PRIOR_EXECUTED]
    keyed = s.assign(**{UNIT: s[UNIT].fillna(UNKNOWN), PROJECT_TYPE: s[PROJECT_TYPE].fillna(UNKNOWN)})
    groups = keyed.groupby(UNIT, sort=False)
    # A sum over blanks only stays blank: a unit that left 上年预算 empty has no 0.00 there.
    by_unit = pd.concat([groups.size().rename("表数"), groups[money].sum(min_count=1),
                         groups[[ERRORS, WARNINGS]].sum()], axis=1).reset_index()
    by_unit.insert(list(BY_UNIT).index(CEILING), CEILING,
                   [ceilings.get(name_key(u), float("nan")) for u in by_unit[UNIT]])
    types = keyed.groupby(PROJECT_TYPE, sort=False)
    by_type = pd.concat([types.size().rename("表数"), types[[TOTAL, ANNUAL]].sum(min_count=1)], axis=1).reset_index()
    # Types in dropdown order, then anything else (a blank or invalid choice).
    order = {name: i for i, name in enumerate(spec.choices("project_type"))}
    by_type = by_type.sort_values(PROJECT_TYPE, key=lambda c: c.map(lambda v: order.get(v, len(order))),
                                  kind="stable").reset_index(drop=True)
    return frame(by_unit.itertuples(index=False), BY_UNIT), frame(by_type.itertuples(index=False), BY_TYPE)


def _coverage(indicators: pd.DataFrame, frameworks: Sequence[data.Framework]) -> pd.DataFrame:
    """Per framework of the batch: each 一级 in form order, then any other 一级 text its forms hold; how many of
    its forms have the 一级 and how many indicators. A 一级 typed as an alias or with stray spaces counts as the
    framework's own name (as the rules read it)."""
    rows: list[tuple[str, int, int, str]] = []
    for fw in frameworks or (data.framework(),):
        mine = indicators[indicators[FRAMEWORK] == fw.id].dropna(subset=[LEVEL1])
        level1 = mine[LEVEL1].map({text: fw.canonical_level1(text) or text for text in mine[LEVEL1].unique()})
        forms = mine[SOURCE].groupby(level1).nunique()
        count = level1.value_counts()
        names = [*fw.level1, *(n for n in level1.unique() if n not in fw.levels)]
        rows += [(n, int(forms.get(n, 0)), int(count.get(n, 0)), fw.id) for n in names]
    return frame(rows, BY_LEVEL1)
