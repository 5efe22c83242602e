"""Parity of the self-evaluation's live scoring and checks with the engine, in LibreOffice and in Gnumeric.

Every case is recalculated and re-saved by LibreOffice headless (one soffice call) and, separately, by Gnumeric
(``ssconvert --recalc``). Then, per live rule, the count on ``_xltools!E`` must equal the engine's number of findings
with that code; the cells the form marks must be exactly the engine's cells; and every score the form computes (the
得分 of each quantitative indicator, 执行率 and its 得分, the 分值 total, 总分 and 等级) must equal the engine's
(xltools.rules.selfeval.scores), which tests/test_selfeval.py checks against numbers worked out by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from tests.selfeval_cases import (
    FORM,
    OPERATORS,
    OPERATORS_SCORES,
    OPERATORS_VALUES,
    SPOILED,
    WORKED,
    WORKED_SCORES,
    WORKED_VALUES,
    spoiled,
    write,
)
from tests.test_live_libreoffice import _grid_cells, _recalculate, expected_list, expected_status, read_list, view
from tests.test_selfeval_examples import CASES as EXAMPLE_CASES
from tests.test_selfeval_examples import committed
from xltools import live, spec
from xltools.engine import check_file
from xltools.live.selfeval import LIVE_CODES, REQUIRED_CODES
from xltools.live.selfeval.coverage import ADVICE
from xltools.rules.selfeval import scores
from xltools.scoring import is_quantitative
from xltools.targets import parse_target

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.filterwarnings("ignore:Workbook contains no default style:UserWarning")]

CASES: dict[str, Any] = {"worked": (WORKED, WORKED_VALUES), "operators": (OPERATORS, OPERATORS_VALUES),
                         "blank": (WORKED, None)}


@pytest.fixture(scope="module", params=["libreoffice", "gnumeric"])
def recalculated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    client = request.param
    if client == "gnumeric" and shutil.which("ssconvert") is None:
        pytest.fail("Gnumeric's ssconvert is not installed: run `make libreoffice`")
    tmp = tmp_path_factory.mktemp(f"selfeval-{client}")
    originals = {name: write(tmp / "in" / f"{name}.xlsx", project, values)
                 for name, (project, values) in CASES.items()}
    originals |= {name: spoiled(name, tmp / "in") for name in SPOILED}
    originals |= {f"example-{case['id']}": committed(case) for case in EXAMPLE_CASES}
    outs = _recalculate(client, list(originals.values()), tmp / "out")
    return {"_client": client} | {name: (originals[name], out) for name, out in zip(originals, outs, strict=True)}


def _live(path: Path) -> dict[str, Any]:
    names = {n: d.attr_text for n, d in load_workbook(path).defined_names.items()}
    book = CalamineWorkbook.from_path(str(path))
    meta = book.get_sheet_by_name(spec.META_SHEET).to_python()
    counts = {r[3]: int(r[4]) for r in meta if len(r) > 4 and r[3] in LIVE_CODES}
    assert list(counts) == list(LIVE_CODES)
    started = meta[0][6] == 1
    red = set(_grid_cells(book, names[live.ERRORS_NAME]))  # wrong values only: cells to fill keep the calm tint
    orange = set(_grid_cells(book, names[live.WARNINGS_NAME])) - red
    todo = set(_grid_cells(book, names[live.REQUIRED_NAME])) - red - orange
    form = book.get_sheet_by_name(FORM.sheet).to_python(skip_empty_area=False)
    return {"counts": counts, "red": red, "orange": orange, "todo": todo, "started": started,
            "status": form[FORM.status.row - 1][0], "form": form, "listed": read_list(book)}  # type: ignore[union-attr]


def _at(form: list[list[Any]], address: str) -> Any:
    from xltools.cells import coords

    col, row = coords(address)
    return form[row][col] if row < len(form) and col < len(form[row]) else ""


ALL = [*CASES, *sorted(SPOILED), *(f"example-{case['id']}" for case in EXAMPLE_CASES)]


@pytest.mark.parametrize("case", ALL)
def test_live_checks_equal_the_engine(recalculated: dict[str, Any], case: str) -> None:
    original, recalc = recalculated[case]
    findings = check_file(original).findings
    on_form = [f for f in findings if f.code in LIVE_CODES]
    got = _live(recalc)
    assert got["counts"] == {code: sum(1 for f in on_form if f.code == code) for code in LIVE_CODES}
    found = [(f.code, f.cell) for f in on_form]
    # Red only for wrong values; the cells still to fill (required-missing, actual-missing) keep the calm tint.
    _counts, red, orange, todo = view(found, REQUIRED_CODES)
    assert (got["red"], got["orange"], got["todo"]) == (red, orange, todo)
    # The declaration's status line and explanation sheet, in this form's words.
    assert got["listed"] == expected_list(found, LIVE_CODES, REQUIRED_CODES, ADVICE)
    assert got["status"] == expected_status(found, got["started"], required=REQUIRED_CODES, codes=LIVE_CODES)


@pytest.mark.parametrize("case", ALL)
def test_live_scores_equal_the_engine(recalculated: dict[str, Any], case: str) -> None:
    """Per cell: every score the form shows is the engine's, to the cent."""
    original, recalc = recalculated[case]
    s = scores(check_file(original).selfeval)  # type: ignore[arg-type]
    form = _live(recalc)["form"]
    formulas = load_workbook(original)[FORM.sheet]
    shown = {}
    for row in s.rows:
        address = FORM.tables["indicators"].cell("score", row.index)
        value = formulas[address].value
        if row.quantitative and isinstance(value, str) and value.startswith("="):
            shown[address] = "" if row.computed is None else row.computed
    c = FORM.checks
    shown[c["execution_score"].cell] = "" if s.rate is None else s.execution_score
    shown[c["total"].cell] = s.total
    shown[c["grade"].cell] = s.grade
    for address, expected in shown.items():
        assert _at(form, address) == expected, address
    rate = _at(form, c["execution_rate"].cell)
    # LibreOffice writes 15 significant digits
    assert rate == "" if s.rate is None else rate == pytest.approx(s.rate, rel=1e-13)
    weights = [r.weight or 0.0 for r in s.rows if r.approved is not None]
    assert _at(form, c["weight_total"].cell) == pytest.approx(10 + sum(weights), abs=1e-9)


def test_the_hand_worked_totals_show_on_the_form(recalculated: dict[str, Any]) -> None:
    for case, expected in (("worked", WORKED_SCORES), ("operators", OPERATORS_SCORES)):
        form = _live(recalculated[case][1])["form"]
        t = FORM.tables["indicators"]
        quantitative = [i for i, r in enumerate(CASES[case][0].approved.rows)
                        if is_quantitative(parse_target(r.target))]
        typed = {i for i, row in enumerate(CASES[case][1]["indicators"]) if "score" in row}
        for i in quantitative:
            if i not in typed:
                assert _at(form, t.cell("score", i)) == expected["rows"][i], (case, i)
        assert _at(form, FORM.checks["total"].cell) == expected["total"]
        assert _at(form, FORM.checks["grade"].cell) == expected["grade"]
        assert _at(form, FORM.checks["execution_score"].cell) == expected["execution"]
        assert _at(form, FORM.checks["weight_total"].cell) == pytest.approx(100)


def test_a_blank_form_is_calm_and_the_filled_ones_clean(recalculated: dict[str, Any]) -> None:
    blank = _live(recalculated["blank"][1])
    assert not blank["started"] and blank["status"] == live.STATUS_NOT_STARTED and blank["red"] == set()
    assert FORM.fields["department"].cell in blank["todo"]
    assert FORM.tables["indicators"].cell("actual", 0) in blank["todo"]  # actual-missing: calm too
    for case in ("worked", "operators"):
        got = _live(recalculated[case][1])
        clean = live.status_text(started=True, unfilled=0, errors=0, warnings=0)
        assert got["status"] == clean and got["red"] == set(), case


def test_spoiled_cases_cover_every_live_rule(recalculated: dict[str, Any]) -> None:
    hit = {code for case in SPOILED for code, n in _live(recalculated[case][1])["counts"].items() if n}
    assert hit == set(LIVE_CODES)

