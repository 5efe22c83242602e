"""Reading a returned self-evaluation (绩效自评表) into a :class:`~xltools.evaluation.SelfEvaluation`.

The same steps as the declaration's reader, on the self-evaluation's spec: template id and version, every fixed
label, then the cells typed by kind (money as money, texts tidied, every normalisation recorded). What is its own:

* the meta holds the scoring the form was made with and the approved values (``target-changed`` compares with
  them; scores use the approved 年度指标值); without them the form is a ``template-mismatch``;
* 实际完成值 keeps what was typed (a number stays a number: scoring reads it, :func:`xltools.scoring.read_actual`);
* 分值 and 得分 are numbers only: a number cell is the value, anything else is a problem the rules report;
* a formula in a 得分 cell is the template's own score of a quantitative indicator (or one typed over it): never
  its cached value, the score is then the rules' score.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from xltools import spec
from xltools.data.selfeval_rules import Scoring
from xltools.evaluation import SCORING_KEY, EvalIndicator, SelfEvaluation, approved_from_meta
from xltools.findings import Finding
from xltools.model import CellValue
from xltools.reader.cells import FormCells
from xltools.reader.grids import Grid
from xltools.reader.identify import Mismatch, family_mismatch, layout_mismatch, year_of
from xltools.reader.kinds import typed
from xltools.reader.tables import filled_rows
from xltools.spec.selfeval import SELFEVAL, selfeval_max_last_row

# Meta rows a reader fetches: the keys, and four per approved indicator row.
META_ROWS = len(spec.META_KEYS) + 8 + 4 * 60


def form_rows() -> int:
    """The rows a reader fetches of the form sheet."""
    return selfeval_max_last_row() + 5


def read_selfeval(form_grid: Grid, meta: Mapping[str, str], *, file: str,
                  formulas: Mapping[str, str] | None = None) -> tuple[SelfEvaluation | None, list[Finding]]:
    """A self-evaluation from value grids of its form sheet and its meta, or the template-mismatch that explains
    why there is none."""
    wrong = family_mismatch(meta, SELFEVAL)
    if wrong is not None:
        return None, [wrong.with_file(file)]
    form = SELFEVAL.form(meta["version"])
    year = year_of(meta)
    changed = layout_mismatch(form, year, form_grid)
    if changed is not None:
        return None, [changed.with_file(file)]
    scoring = Scoring.from_meta(meta.get(SCORING_KEY, ""))
    approved = approved_from_meta(meta)
    if scoring is None or approved is None:
        what = "评分规则" if scoring is None else "批复的指标"
        return None, [Mismatch("", f"模板标识不完整：隐藏工作表“{spec.META_SHEET}”中缺少{what}，无法评分。"
                                   "请使用下发的自评表重新填写。", spec.META_SHEET).with_file(file)]
    cells = FormCells(form_grid, formulas or {}, year)
    fields = {key: typed(cells, f.cell, f.kind) for key, f in form.fields.items()}
    approved = dataclasses.replace(approved, goal=fields["goal"].text)
    return SelfEvaluation(
        file=file, sheet=form.sheet, template_version=form.version, year=year,
        framework=meta.get("framework", ""), fields=fields, indicators=_indicators(cells, form), scoring=scoring,
        approved=approved, form=form, normalisations=cells.normalisations,
    ), []


def _number(cells: FormCells, cell: str, raw: Any) -> CellValue:
    """A 分值 or 得分 cell: the number, or a problem (text, a logical, a formula typed into a 分值)."""
    if cell in cells.formulas:
        return CellValue(cell, cells.formulas[cell], None, "是公式，不是数字")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return CellValue(cell, "" if raw is None else raw, None)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return CellValue(cell, raw, float(raw))
    return CellValue(cell, raw, None, "不是数字")


def _indicators(cells: FormCells, form: spec.FormSpec) -> list[EvalIndicator]:
    out = []
    for row, raw in filled_rows(cells, form, "indicators"):
        texts = {key: typed(cells, row.cells[key], spec.TEXT, raw[key])
                 for key in ("level1", "level2", "level3", "target", "actual", "reason")}
        score_cell = row.cells["score"]
        formula = score_cell in cells.formulas
        score = CellValue(score_cell, cells.formulas[score_cell], None) if formula else _number(
            cells, score_cell, raw["score"])
        out.append(EvalIndicator(row.index + 1, texts["level1"], texts["level2"], texts["level3"], texts["target"],
                                 texts["actual"], _number(cells, row.cells["weight"], raw["weight"]), score,
                                 texts["reason"], score_formula=formula))
    return out
