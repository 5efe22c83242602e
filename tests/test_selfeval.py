"""The year-end self-evaluation through the one engine: generated forms, scored by hand (tests/selfeval_cases.py),
every rule hit at its cell, forms that are not ours, and the approved values the meta carries."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.selfeval_cases import (
    FORM,
    OPERATORS,
    OPERATORS_SCORES,
    OPERATORS_VALUES,
    SPOILED,
    WORKED,
    WORKED_SCORES,
    WORKED_VALUES,
    cell,
    spoiled,
    write,
)
from xltools import spec
from xltools.data.selfeval_rules import selfeval_rules
from xltools.engine import check_file, check_grids
from xltools.evaluation import approved_from_meta
from xltools.reader.identify import read_meta
from xltools.rules.selfeval import scores
from xltools.template.selfeval import default_weights, selfeval_filename


def _scores(path: Path) -> tuple[list[float], float | None, float, float, str]:
    result = check_file(path)
    assert result.selfeval is not None and result.declaration is None
    s = scores(result.selfeval)
    return [r.score for r in s.rows], s.rate, s.execution_score, s.total, s.grade


def test_the_worked_example_scores_as_worked_by_hand(tmp_path: Path) -> None:
    path = write(tmp_path / "worked.xlsx", WORKED, WORKED_VALUES)
    assert check_file(path).findings == []
    rows, rate, execution, total, grade = _scores(path)
    assert rows == WORKED_SCORES["rows"]
    assert (rate, execution, total, grade) == (WORKED_SCORES["rate"], WORKED_SCORES["execution"],
                                              WORKED_SCORES["total"], WORKED_SCORES["grade"])
    assert default_weights(WORKED, selfeval_rules()) == WORKED_SCORES["weights"]


def test_every_comparison_scores_as_worked_by_hand(tmp_path: Path) -> None:
    path = write(tmp_path / "operators.xlsx", OPERATORS, OPERATORS_VALUES)
    assert check_file(path).findings == []
    rows, rate, execution, total, grade = _scores(path)
    assert (rows, rate, execution, total, grade) == (OPERATORS_SCORES["rows"], OPERATORS_SCORES["rate"],
                                                     OPERATORS_SCORES["execution"], OPERATORS_SCORES["total"],
                                                     OPERATORS_SCORES["grade"])


@pytest.mark.parametrize("name", sorted(SPOILED))
def test_spoiled_copy_yields_exactly_its_findings(name: str, tmp_path: Path) -> None:
    found = check_file(spoiled(name, tmp_path)).findings
    assert sorted((f.code, f.cell) for f in found) == sorted(SPOILED[name][3])
    assert {f.sheet for f in found} == {FORM.sheet}
    assert all(f.message and f.file.endswith(f"{name}.xlsx") for f in found)


def test_a_blank_form_asks_for_what_the_unit_fills(tmp_path: Path) -> None:
    found = check_file(write(tmp_path / "blank.xlsx", WORKED)).findings
    fields = [FORM.fields[k].cell for k in ("department", "budget", "executed", "achieved")]
    assert sorted((f.code, f.cell) for f in found) == sorted(
        [("required-missing", c) for c in fields]
        + [("actual-missing", cell("actual", i)) for i in range(6)]
        + [("required-missing", cell("score", i)) for i in (2, 4)])  # the qualitative rows' scores
    assert _scores(tmp_path / "blank.xlsx")[3:] == (0.0, "差")


def test_messages_say_what_to_do(tmp_path: Path) -> None:
    by_cell = {f.cell: f.message for f in check_file(spoiled("band-too-high", tmp_path)).findings}
    assert by_cell[cell("score", 4)] == ("指标“培训长效机制”自评为“部分达成预期指标”，得分应在分值的 50%–80% 之间，"
                                         "即 7.50（含）至 12.00（不含）分，实为 12。请调整得分或完成档次。")
    by_cell = {f.cell: f.message for f in check_file(spoiled("quantitative-raised", tmp_path)).findings}
    assert by_cell[cell("score", 0)] == ("指标“培训场次”是定量指标，按评分规则应得 15.00 分，填写为 16。"
                                         "请删除所填得分（恢复自动计算）或改为规则得分。")
    by_cell = {f.cell: f.message for f in check_file(spoiled("reasons-missing", tmp_path)).findings}
    assert by_cell[cell("reason", 3)].startswith("指标“受训人数”实际完成值超出年度指标值“≥1000人” 30% 及以上，")
    assert by_cell[cell("reason", 0)].startswith("指标“培训场次”未达到年度指标值“≥20场”，")
    by_cell = {f.cell: f.message for f in check_file(spoiled("weights", tmp_path)).findings}
    assert by_cell[FORM.checks["weight_total"].cell] == ("执行率分值 10 与各指标分值合计为 103.33，应为 100。"
                                                         "请调整各指标的分值。")
    by_cell = {f.cell: f.message for f in check_file(spoiled("tampered", tmp_path)).findings}
    assert by_cell[cell("level3", 1)] == ("三级指标“培训优秀率”与批复的“培训合格率”不同。自评按批复的绩效目标评价，"
                                          "请改回批复的内容（或在下发的自评表中重新填写）。")


def test_scores_follow_the_approved_target_even_when_the_cell_was_changed(tmp_path: Path) -> None:
    rows = _scores(spoiled("tampered", tmp_path))[0]
    assert rows[0] == 15.0  # 18 of the approved ≥20场, not of the ≥18场 written over it


def test_the_meta_carries_the_scoring_and_the_approved_values(tmp_path: Path) -> None:
    path = write(tmp_path / "worked.xlsx", WORKED, WORKED_VALUES)
    meta = read_meta(load_workbook(path)[spec.META_SHEET].iter_rows(values_only=True))
    assert meta["template_id"] == "xltools.sh-perf-selfeval" and meta["version"] == "1"
    assert (meta["year"], meta["framework"], meta["rules"]) == ("2019", "national", "national2020")
    assert approved_from_meta(meta, WORKED.approved.goal) == WORKED.approved


def test_a_form_without_its_scoring_or_approval_is_not_read(tmp_path: Path) -> None:
    path = write(tmp_path / "worked.xlsx", WORKED, WORKED_VALUES)
    wb = load_workbook(path)
    ws = wb[spec.META_SHEET]
    for row in ws.iter_rows(min_col=1, max_col=2):
        if row[0].value == "scoring":
            row[1].value = "{}"
    wb.save(tmp_path / "no-scoring.xlsx")
    found = check_file(tmp_path / "no-scoring.xlsx").findings
    assert [(f.code, f.sheet) for f in found] == [("template-mismatch", spec.META_SHEET)]
    assert "缺少评分规则" in found[0].message


def test_a_changed_layout_or_renamed_sheet_is_a_template_mismatch(tmp_path: Path) -> None:
    path = write(tmp_path / "worked.xlsx", WORKED, WORKED_VALUES)
    wb = load_workbook(path)
    wb[FORM.sheet].insert_rows(FORM.tables["indicators"].title_row, 1)
    wb.save(tmp_path / "rows.xlsx")
    found = check_file(tmp_path / "rows.xlsx").findings
    assert [(f.code, f.sheet, f.cell) for f in found] == [
        ("template-mismatch", FORM.sheet, f"A{FORM.tables['indicators'].title_row}")]
    wb = load_workbook(path)
    wb[FORM.sheet].title = "Sheet1"
    wb.save(tmp_path / "renamed.xlsx")
    found = check_file(tmp_path / "renamed.xlsx").findings
    assert [(f.code, f.cell) for f in found] == [("template-mismatch", "")]
    assert "找不到工作表“绩效自评表”" in found[0].message


def test_grids_from_the_button_check_the_same(tmp_path: Path) -> None:
    """The button hands over computed values, never formulas: a 得分 cell then holds the template's score."""
    path = spoiled("band-too-high", tmp_path)
    wb = load_workbook(path)
    form_grid = [list(r) for r in wb[FORM.sheet].iter_rows(max_row=FORM.last_row, max_col=8, values_only=True)]
    for i, score in enumerate(scores(check_file(path).selfeval).rows):  # type: ignore[arg-type]
        if score.quantitative and score.typed is None:
            form_grid[TABLE_FIRST + i - 1][6] = score.computed  # what Excel shows
    meta_grid = [list(r) for r in wb[spec.META_SHEET].iter_rows(max_col=2, values_only=True)]
    found = check_grids(form_grid, meta_grid, file="b.xlsx").findings
    assert [(f.code, f.cell) for f in found] == [("score-outside-band", cell("score", 4))]


TABLE_FIRST = FORM.tables["indicators"].first_row


def test_file_names_carry_code_unit_and_project() -> None:
    assert selfeval_filename(WORKED) == "上海市示例职业培训中心_职业技能提升培训_绩效自评表.xlsx"
    coded = dataclasses.replace(WORKED, code="S001", project="培训/项目")
    assert selfeval_filename(coded) == "S001_上海市示例职业培训中心_培训_项目_绩效自评表.xlsx"


def test_the_spoiled_copies_and_examples_cover_every_self_evaluation_code() -> None:
    import tomllib

    from xltools.findings import SELFEVAL_CODES

    examples = tomllib.loads((Path(__file__).resolve().parent.parent / "examples" / "selfeval.toml")
                             .read_text(encoding="utf-8"))["form"]
    hit = {code for *_rest, expected in SPOILED.values() for code, _cell in expected}
    hit |= {code for case in examples for code, _where in case["expect"]}
    assert SELFEVAL_CODES | {"required-missing", "amount-invalid", "subtotal-mismatch"} == hit
