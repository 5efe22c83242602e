"""pandera schemas of the bureau-wide tables, and their failures mapped back to the source file and cell.

The schemas are the contract of the consolidated tables: every row a reviewer or analyst sees obeys them. They
restate the per-form rules at table level, so they are a second line of defence: a failure the engine already
reported at the same cell is dropped; any other failure becomes a finding with the contract code of the rule it
restates, at the cell the value came from (``schema-invalid`` only when no code fits).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from xltools import data, spec
from xltools.consolidate import tables as t
from xltools.findings import CODES, Finding
from xltools.targets import OPERATORS

_F = spec.build().fields
_TOL = spec.MONEY_TOLERANCE


@dataclass(frozen=True)
class Levels:
    """The accepted 一级 and (一级, 二级) of the frameworks a batch may hold, as ``"<framework id>\x1f<一级 key>"`` and
    ``"<id>\x1f<一级 key>\x1f<二级 key>"`` (keys: :func:`xltools.data.name_key`, so aliases and stray spaces pass
    exactly as the rules let them)."""

    ids: frozenset[str]
    level1: frozenset[str]
    pairs: frozenset[str]


@cache
def levels_of(frameworks: data.Frameworks) -> Levels:
    fws = [fw for fw in map(frameworks.get, frameworks.ids) if fw is not None]
    level1 = {f"{fw.id}\x1f{k1}" for fw in fws for k1 in fw.spellings()}
    pairs = {f"{fw.id}\x1f{k1}\x1f{k2}" for fw in fws for k1, k2s in fw.spellings().items() for k2 in k2s}
    return Levels(frozenset(fw.id for fw in fws), frozenset(level1), frozenset(pairs))


# The frameworks of the run being validated (pandera checks take no arguments); the shipped ones by default.
_FRAMEWORKS: ContextVar[data.Frameworks | None] = ContextVar("frameworks", default=None)


def _levels() -> Levels:
    return levels_of(_FRAMEWORKS.get() or data.Frameworks())


def _le(a: pd.Series, b: pd.Series) -> pd.Series:
    """a <= b where both are numbers; true where either is missing (a blank is another rule's business)."""
    return a.isna() | b.isna() | (a <= b + _TOL)


def _judged(df: pd.DataFrame, columns: Sequence[str], ok: Callable[[tuple[str, ...]], bool]) -> pd.Series:
    """``ok`` of each row's values in ``columns`` (blank -> ""), judged once per distinct combination: a batch repeats
    a few dozen names over tens of thousands of rows. Integer codes, not joined strings: those cost ~20 ms per
    15,000 rows."""
    key = np.zeros(len(df), dtype="int64")
    coded = []
    for column in columns:
        codes, uniques = pd.factorize(df[column].astype("str").fillna(""))
        coded.append((codes, uniques))
        key = key * max(len(uniques), 1) + codes
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    verdicts = np.array([ok(tuple(str(uniques[codes[i]]) for codes, uniques in coded)) for i in first], dtype=bool)
    return pd.Series(verdicts[inverse], index=df.index)


def _level1_ok(levels: Levels, framework: str, level1: str) -> bool:
    """Unknown frameworks and blank 一级 are other checks' business."""
    return framework not in levels.ids or not level1 or f"{framework}\x1f{data.name_key(level1)}" in levels.level1


def _level2_ok(levels: Levels, framework: str, level1: str, level2: str) -> bool:
    if not level2 or not level1 or framework not in levels.ids or not _level1_ok(levels, framework, level1):
        return True  # a blank 二级 or an unknown 一级 is reported by the other checks
    return f"{framework}\x1f{data.name_key(level1)}\x1f{data.name_key(level2)}" in levels.pairs


class SummarySchema(pa.DataFrameModel):
    unit: Series[str] = pa.Field(alias=t.UNIT)
    project: Series[str] = pa.Field(alias=t.PROJECT)
    project_type: Series[str] = pa.Field(alias=t.PROJECT_TYPE, isin=spec.choices("project_type"))
    category: Series[str] = pa.Field(alias=_F["category"].label, isin=spec.choices("category"))
    start: Series[pd.Timestamp] = pa.Field(alias=_F["start"].label)
    end: Series[pd.Timestamp] = pa.Field(alias=_F["end"].label)
    total_budget: Series[float] = pa.Field(alias=t.TOTAL, ge=0)
    annual_budget: Series[float] = pa.Field(alias=t.ANNUAL, ge=0)
    prior_budget: Series[float] = pa.Field(alias=t.PRIOR_BUDGET, ge=0, nullable=True)
    prior_executed: Series[float] = pa.Field(alias=t.PRIOR_EXECUTED, ge=0, nullable=True)
    prior_rate: Series[float] = pa.Field(alias="上年预算执行率", ge=0, nullable=True)
    subproject_count: Series[int] = pa.Field(alias="子项目数", ge=0)
    subtotal: Series[float] = pa.Field(alias="资金构成合计（元）", ge=0, nullable=True)
    indicator_count: Series[int] = pa.Field(alias="指标数", ge=0)
    errors: Series[int] = pa.Field(alias=t.ERRORS, ge=0)
    warnings: Series[int] = pa.Field(alias=t.WARNINGS, ge=0)
    counted: Series[str] = pa.Field(alias=t.COUNTED, isin=(t.YES, t.NO))
    saved: Series[pd.Timestamp] = pa.Field(alias=t.SAVED, nullable=True)
    source: Series[str] = pa.Field(alias=t.SOURCE, unique=True)

    @pa.dataframe_check
    @classmethod
    def annual_within_total(cls, df: pd.DataFrame) -> pd.Series:
        return _le(df[t.ANNUAL], df[t.TOTAL])

    @pa.dataframe_check
    @classmethod
    def executed_within_prior_budget(cls, df: pd.DataFrame) -> pd.Series:
        return _le(df[t.PRIOR_EXECUTED], df[t.PRIOR_BUDGET])

    @pa.dataframe_check
    @classmethod
    def start_before_end(cls, df: pd.DataFrame) -> pd.Series:
        start, end = df[_F["start"].label], df[_F["end"].label]
        return start.isna() | end.isna() | (start <= end)

    @pa.dataframe_check
    @classmethod
    def subtotal_matches_annual(cls, df: pd.DataFrame) -> pd.Series:
        sub, annual = df["资金构成合计（元）"], df[t.ANNUAL]
        return (df["子项目数"] == 0) | sub.isna() | annual.isna() | ((sub - annual).abs() < _TOL)

    class Config:
        strict = True
        ordered = True


class SubprojectSchema(pa.DataFrameModel):
    unit: Series[str] = pa.Field(alias=t.UNIT, nullable=True)
    project: Series[str] = pa.Field(alias=t.PROJECT, nullable=True)
    seq: Series[int] = pa.Field(alias="序号", ge=1)
    name: Series[str] = pa.Field(alias="子项目名称")
    amount: Series[float] = pa.Field(alias="预算金额（元）", ge=0)
    source: Series[str] = pa.Field(alias=t.SOURCE)
    cell: Series[str] = pa.Field(alias=t.CELL, str_matches=r"^[A-Z]+[0-9]+$")

    class Config:
        strict = True
        ordered = True


class IndicatorSchema(pa.DataFrameModel):
    unit: Series[str] = pa.Field(alias=t.UNIT, nullable=True)
    project: Series[str] = pa.Field(alias=t.PROJECT, nullable=True)
    seq: Series[int] = pa.Field(alias="序号", ge=1)
    level1: Series[str] = pa.Field(alias=t.LEVEL1)
    level2: Series[str] = pa.Field(alias=t.LEVEL2)
    level3: Series[str] = pa.Field(alias=t.LEVEL3)
    target: Series[str] = pa.Field(alias=t.TARGET)
    # 无法识别 (unparseable) is not a kind the bureau table accepts; 不可衡量 (vague) is a reviewer's warning.
    kind: Series[str] = pa.Field(alias="目标类型", isin=("定量", "定性", "时限", "不可衡量"))
    operator: Series[str] = pa.Field(alias="比较符", isin=OPERATORS, nullable=True)
    number: Series[float] = pa.Field(alias="目标数值", nullable=True)
    unit_of_measure: Series[str] = pa.Field(alias="计量单位", nullable=True)
    word: Series[str] = pa.Field(alias="定性词", nullable=True)
    source: Series[str] = pa.Field(alias=t.SOURCE)
    cell: Series[str] = pa.Field(alias=t.CELL, str_matches=r"^[A-Z]+[0-9]+$")
    framework: Series[str] = pa.Field(alias=t.FRAMEWORK)

    # Both checks judge each row by the framework its form records, with the rules' name comparison.
    @pa.dataframe_check
    @classmethod
    def level1_known(cls, df: pd.DataFrame) -> pd.Series:
        levels = _levels()
        return _judged(df, [t.FRAMEWORK, t.LEVEL1], lambda v: _level1_ok(levels, *v))

    @pa.dataframe_check
    @classmethod
    def level2_allowed(cls, df: pd.DataFrame) -> pd.Series:
        levels = _levels()
        return _judged(df, [t.FRAMEWORK, t.LEVEL1, t.LEVEL2], lambda v: _level2_ok(levels, *v))

    class Config:
        strict = True
        ordered = True


class FindingSchema(pa.DataFrameModel):
    file: Series[str] = pa.Field(alias="文件", nullable=True)
    sheet: Series[str] = pa.Field(alias="工作表", nullable=True)
    cell: Series[str] = pa.Field(alias="单元格", nullable=True)
    code: Series[str] = pa.Field(alias="代码", isin=list(CODES))
    severity: Series[str] = pa.Field(alias="严重程度", isin=list(spec.SEVERITY_LABELS.values()))
    title: Series[str] = pa.Field(alias="规则")
    message: Series[str] = pa.Field(alias="说明")
    unit: Series[str] = pa.Field(alias=t.UNIT, nullable=True)

    @pa.dataframe_check
    @classmethod
    def severity_of_code(cls, df: pd.DataFrame) -> pd.Series:
        expected = df["代码"].map(lambda c: spec.SEVERITY_LABELS.get(CODES.get(c, ""), ""))
        return df["严重程度"] == expected

    class Config:
        strict = True
        ordered = True


# -- mapping failures back to cells ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """Where a failure of one column or check points: the contract code and the form cell of the value."""

    code: str
    null_code: str = "required-missing"
    field: str | None = None  # a form field key (项目汇总)
    column: str | None = None  # a table column key (资金构成, 绩效指标)


SUMMARY_TARGETS: dict[str, Target] = {
    t.UNIT: Target("required-missing", field="unit"),
    t.PROJECT: Target("required-missing", field="project"),
    t.PROJECT_TYPE: Target("project-type-invalid", field="project_type"),
    _F["category"].label: Target("project-type-invalid", field="category"),
    _F["start"].label: Target("date-invalid", field="start"),
    _F["end"].label: Target("date-invalid", field="end"),
    t.TOTAL: Target("amount-invalid", field="total_budget"),
    t.ANNUAL: Target("amount-invalid", field="annual_budget"),
    t.PRIOR_BUDGET: Target("amount-invalid", field="prior_budget"),
    t.PRIOR_EXECUTED: Target("amount-invalid", field="prior_executed"),
    "annual_within_total": Target("annual-exceeds-total", field="annual_budget"),
    "executed_within_prior_budget": Target("prior-exceeds-budget", field="prior_executed"),
    "start_before_end": Target("date-order", field="end"),
    "subtotal_matches_annual": Target("subtotal-mismatch", field="annual_budget"),
}
SUBPROJECT_TARGETS: dict[str, Target] = {
    "子项目名称": Target("required-missing", column="name"),
    "预算金额（元）": Target("amount-invalid", column="amount"),
}
INDICATOR_TARGETS: dict[str, Target] = {
    t.LEVEL1: Target("level2-invalid", "indicator-incomplete", column="level1"),
    t.LEVEL2: Target("level2-invalid", "indicator-incomplete", column="level2"),
    t.LEVEL3: Target("indicator-incomplete", "indicator-incomplete", column="level3"),
    t.TARGET: Target("indicator-incomplete", "indicator-incomplete", column="target"),
    "目标类型": Target("target-unparseable", column="target"),
    "level1_known": Target("level2-invalid", column="level1"),
    "level2_allowed": Target("level2-invalid", column="level2"),
}

_CHECK_WORDS = {
    "not_nullable": "为空",
    "isin": "不是允许的取值",
    "greater_than_or_equal_to": "为负数",
    "unique": "重复",
    "str_matches": "格式不符",
    "annual_within_total": "项目当年预算超过项目总预算",
    "executed_within_prior_budget": "上年预算执行数超过上年预算额",
    "start_before_end": "开始时间晚于结束时间",
    "subtotal_matches_annual": "资金构成合计与项目当年预算不一致",
    "level1_known": "一级指标不在指标体系中",
    "level2_allowed": "二级指标不属于所填一级指标",
    "severity_of_code": "严重程度与规则代码不符",
}


def _check_name(check: Any) -> str:
    name = str(check)
    return re.sub(r"\(.*\)$", "", name)


@dataclass(frozen=True)
class TableSchema:
    name: str  # the sheet name
    model: type[pa.DataFrameModel]
    targets: dict[str, Target]


SCHEMAS = {
    "summary": TableSchema(t.SUMMARY_SHEET, SummarySchema, SUMMARY_TARGETS),
    "subprojects": TableSchema(t.SUBPROJECTS_SHEET, SubprojectSchema, SUBPROJECT_TARGETS),
    "indicators": TableSchema(t.INDICATORS_SHEET, IndicatorSchema, INDICATOR_TARGETS),
    "findings": TableSchema(t.FINDINGS_SHEET, FindingSchema, {}),
}


def failures(df: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    """pandera's failure cases of ``df`` (lazy: all of them), empty when the table is valid."""
    try:
        schema.model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    return pd.DataFrame(columns=["schema_context", "column", "check", "failure_case", "index"])


def _cell(schema: TableSchema, target: Target | None, row: pd.Series, version: str) -> tuple[str, str]:
    """(sheet, cell) of the form cell a table value came from, in the template ``version`` of its file."""
    if target is None:
        return "", ""
    if target.field is not None:
        return spec.FORM_SHEET, spec.build_for(version).fields[target.field].cell
    if target.column is not None:
        digits = "".join(ch for ch in str(row.get(t.CELL, "")) if ch.isdigit())
        if digits:
            table = spec.build().tables["subprojects" if schema.model is SubprojectSchema else "indicators"]
            return spec.FORM_SHEET, f"{table.column(target.column).letter}{digits}"
    return "", ""


def _shown(value: Any) -> str:
    if value is None or value != value:  # value != value: NaN, NaT
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_findings(df: pd.DataFrame, schema: TableSchema, cases: pd.DataFrame,
                versions: Mapping[str, str] | None = None) -> list[Finding]:
    """One finding per failing value (column checks) or failing row (row checks), at its source file and cell
    (``versions``: file -> template version, whose layout gives a field's cell; the current one by default)."""
    out: list[Finding] = []
    done: set[tuple[str, Any]] = set()
    for case in cases.itertuples(index=False):
        check = _check_name(case.check)
        wide = case.schema_context == "DataFrameSchema" and check in schema.targets
        column = None if wide else (case.column if isinstance(case.column, str) and case.column in df.columns
                                    else None)
        index = case.index
        has_row = index is not None and index == index and index in df.index
        if wide:
            # pandera repeats a row check's failure once per column: report the row once.
            if (check, index) in done:
                continue
            done.add((check, index))
        row = df.loc[index] if has_row else None
        target = schema.targets.get(check) if wide else (schema.targets.get(column) if column else None)
        if target is None:
            code = "schema-invalid"
        elif check == "not_nullable":
            code = target.null_code
        else:
            code = target.code
        file = "" if row is None else _shown(row.get(t.SOURCE, row.get("文件")))
        version = (versions or {}).get(file, spec.TEMPLATE_VERSION)
        sheet, cell = (_cell(schema, target, row, version) if row is not None and code != "schema-invalid"
                       else ("", ""))
        what = _CHECK_WORDS.get(check, check)
        if column:
            value = _shown(case.failure_case)
            text = f"“{column}”{what}" + (f"（值：{value}）" if value else "")
        else:
            text = what
        out.append(Finding.of(code, f"汇总表“{schema.name}”校验未通过：{text}。", file=file, sheet=sheet, cell=cell))
    return out


def validate(frames: dict[str, pd.DataFrame], reported: Iterable[Finding] = (),
             frameworks: data.Frameworks | None = None, versions: Mapping[str, str] | None = None,
             ) -> list[Finding]:
    """Validate each table (lazily) and return the failures the engine did not already report at that cell.
    ``frameworks``: the frameworks the forms were checked against (default: the shipped ones); ``versions`` maps a
    file to the template version it was made on (field cells differ between versions)."""
    token = _FRAMEWORKS.set(frameworks or data.Frameworks())
    try:
        return _validate(frames, reported, versions)
    finally:
        _FRAMEWORKS.reset(token)


def _validate(frames: dict[str, pd.DataFrame], reported: Iterable[Finding],
              versions: Mapping[str, str] | None) -> list[Finding]:
    seen = list(reported)
    errors_at = {(f.file, f.cell) for f in seen if f.severity == "error"}
    same = {(f.file, f.cell, f.code) for f in seen}
    out: dict[Finding, None] = {}  # ordered and de-duplicated in one step (a bad batch has thousands)
    for key, df in frames.items():
        schema = SCHEMAS[key]
        for f in to_findings(df, schema, failures(df, schema), versions):
            if f.cell and ((f.file, f.cell) in errors_at or (f.file, f.cell, f.code) in same):
                continue
            out[f] = None
    return list(out)


Check = Callable[[pd.DataFrame], pd.Series]
__all__: Sequence[str] = ("SCHEMAS", "failures", "to_findings", "validate")
