"""The typed year-end self-evaluation (绩效自评表) a reader makes of one returned form, and the approved values it was
generated from. Plain data, like :mod:`xltools.model`: no I/O, no Excel.

The approved values (:class:`Approved`: 年初预算数, 预期目标 and every indicator row's 一级, 二级, 三级 and 年度指标值
as the declaration had them) travel in the form's hidden meta, so a check can tell what the unit changed
(``target-changed``) and always scores against the approved targets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from xltools.data.selfeval_rules import Scoring
from xltools.model import CellValue, Declaration, Normalisation
from xltools.spec import FormSpec


@dataclass(frozen=True)
class ApprovedRow:
    """One approved indicator, its texts exactly as the declaration had them (tidy)."""

    level1: str
    level2: str
    level3: str
    target: str

    def values(self) -> dict[str, str]:
        return {"level1": self.level1, "level2": self.level2, "level3": self.level3, "target": self.target}


@dataclass(frozen=True)
class Approved:
    """What the bureau approved for a project: its 项目当年预算 (the self-evaluation's 年初预算数), its 年度绩效目标
    (预期目标) and its indicator rows."""

    budget: float | None
    goal: str
    rows: tuple[ApprovedRow, ...]


@dataclass(frozen=True)
class Project:
    """A project to evaluate: who, what, which year and framework, and what was approved. ``code`` is the unit's
    code (units.csv) for the file name; ``source`` where the approved values were read."""

    unit: str
    project: str
    year: int
    framework: str
    approved: Approved
    code: str = ""
    source: str = ""


@dataclass(frozen=True)
class EvalIndicator:
    """One row of 绩效指标 as read. ``score_formula``: the 得分 cell holds a formula (the template's own score for a
    quantitative indicator, left in place), so the score is the rules' score, never the cached value."""

    row: int
    level1: CellValue
    level2: CellValue
    level3: CellValue
    target: CellValue
    actual: CellValue
    weight: CellValue
    score: CellValue
    reason: CellValue
    score_formula: bool = False


@dataclass
class SelfEvaluation:
    """One self-evaluation form as read. ``fields`` by the spec's keys (项目名称, 主管部门, the money grid ...);
    ``indicators`` the rows holding anything; ``scoring`` and ``approved`` from the form's meta."""

    file: str
    sheet: str
    template_version: str
    year: int | None
    framework: str
    fields: dict[str, CellValue]
    indicators: list[EvalIndicator]
    scoring: Scoring
    approved: Approved
    form: FormSpec
    normalisations: list[Normalisation] = field(default_factory=list)

    def __getitem__(self, key: str) -> CellValue:
        return self.fields[key]


# -- the approved values in the meta sheet (key in A, value in B, text) --------------------------------------------

APPROVED_BUDGET_KEY = "approved_budget"
APPROVED_ROWS_KEY = "approved_rows"
APPROVED_COLUMNS = ("level1", "level2", "level3", "target")


def approved_key(index: int, column: str) -> str:
    """The meta key of column ``column`` of the ``index``-th (1-based) approved indicator row."""
    return f"approved.{index}.{column}"


def approved_meta(approved: Approved) -> list[tuple[str, str]]:
    """The meta rows recording ``approved`` (its 预期目标 is on the form itself, locked)."""
    budget = approved.budget
    shown = "" if budget is None else (str(int(budget)) if float(budget).is_integer() else repr(budget))
    out = [(APPROVED_BUDGET_KEY, shown), (APPROVED_ROWS_KEY, str(len(approved.rows)))]
    for i, row in enumerate(approved.rows, start=1):
        out.extend((approved_key(i, column), text) for column, text in row.values().items())
    return out


def approved_from_meta(meta: Mapping[str, str], goal: str = "") -> Approved | None:
    """The approved values a form records, or None when its meta does not hold them whole."""
    try:
        count = int(meta[APPROVED_ROWS_KEY])
        raw_budget = meta[APPROVED_BUDGET_KEY]
        budget = float(raw_budget) if raw_budget else None
        rows = tuple(ApprovedRow(*(meta[approved_key(i, c)] for c in APPROVED_COLUMNS)) for i in range(1, count + 1))
    except (KeyError, ValueError):
        return None
    return Approved(budget, goal, rows)


SCORING_KEY = "scoring"  # the Scoring, as JSON (xltools.data.selfeval_rules.Scoring.to_meta)
RULES_KEY = "rules"  # the id of the rules file the default 分值 came from


def meta_rows(base: Mapping[str, str], scoring: Scoring, rules_id: str, approved: Approved) -> list[tuple[str, str]]:
    """Every meta row of a self-evaluation, in sheet order from row 1: the keys every template has (``base``, in
    :data:`xltools.spec.META_KEYS` order: the live checks read the year at its row), the scoring, the rules id and the
    approved values. The live checks find an approved value's row here."""
    return [*base.items(), (SCORING_KEY, scoring.to_meta()), (RULES_KEY, rules_id), *approved_meta(approved)]


def _text(cv: CellValue) -> str:
    """A typed cell's text as the reader tidied it (a number as the reader shows it)."""
    if isinstance(cv.value, str):
        return cv.value
    raw = cv.raw
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return "" if raw is None else str(raw).strip()


def project_from(decl: Declaration, code: str = "") -> Project:
    """The project an approved declaration asks to evaluate: its unit, name, year and framework; 项目当年预算,
    年度绩效目标 and indicator rows (一级/二级 left blank carried down, as the reader reads them)."""
    budget = decl.fields["annual_budget"].number if not decl.fields["annual_budget"].problem else None
    rows = tuple(ApprovedRow(_text(i.level1), _text(i.level2), _text(i.level3), _text(i.target))
                 for i in decl.indicators)
    return Project(
        unit=_text(decl.fields["unit"]), project=_text(decl.fields["project"]),
        year=decl.year or 0, framework=decl.framework,
        approved=Approved(None if budget is None else float(budget), _text(decl.fields["annual_goal"]), rows),
        code=code, source=decl.file,
    )
