"""Parity of the template's live checks with the engine, in two independent spreadsheet programs.

Every workbook here is recalculated and re-saved by LibreOffice headless (one soffice call, formulas recalculated
on load) and, separately, by Gnumeric (``ssconvert --recalc``), a second formula engine: two engines agreeing with
the engine is the best evidence available here that the formulas are portable (Excel and WPS cannot run here). Then, per live rule, the count on ``_xltools!E`` must equal the number of engine findings with that code,
and the cells the form marks (the grids its conditional formats read) must be exactly the engine's cells: red for
wrong values, orange for warnings, the calm 待填 tint for required cells still blank (required-missing). The
explanation list on 自查说明 must say, for every rule with findings, exactly what the engine says: the rule's title
and advice, its first cells by address, its count, errors first; the status line names the first of them. The
engine reads the original file, the live values come from LibreOffice or Gnumeric.

Cases: the five seed forms, every faulty example, spoiled copies covering every live rule (pasted values, two
missing 一级 at once, carried-down 一级/二级 ...), the blank template and a unit's blank copy. Cases beyond a
formula (documented subsets, xltools.live.COVERAGE) assert that the live check names a subset of the engine's
cells, and exactly which findings it leaves to the button.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from python_calamine import CalamineWorkbook

from tests import libreoffice as lo
from xltools import data, live, spec
from xltools.cells import column_letter, sort_key
from xltools.engine import check_file
from xltools.findings import CODE_ADVICE, CODE_TITLES, CODES, Finding
from xltools.template import build_template

# openpyxl reads the defined names of Gnumeric's files and notes they carry no default cell style: nothing to act on.
pytestmark = [pytest.mark.libreoffice,
              pytest.mark.filterwarnings("ignore:Workbook contains no default style:UserWarning")]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(EXAMPLES))
import make_examples  # noqa: E402

S = spec.build()
F = S.fields
SEEDS = make_examples.seeds()
BASE = "samr-quality-award"
L1, L2, L3, L4 = "投入和管理目标", "产出目标", "效果目标", "影响力目标"


def row(level1: str, level2: str, level3: str, target: Any) -> dict[str, Any]:
    return {"level1": level1, "level2": level2, "level3": level3, "target": target}


GOOD_ROWS = [row(L1, "财务管理", "资金到位率", "=100%"), row(L2, "数量目标", "评审完成数", "≥20"),
             row(L3, "社会效益目标", "示范带动作用", "增强"), row(L4, "满意度目标", "获奖单位满意度", "≥85%")]

# Spoiled copies of the base seed form: field overrides, or replaced tables. Every live rule is hit at least once.
SPOILED: dict[str, dict[str, Any]] = {
    "pasted-money": {"total_budget": "约720万", "annual_budget": "1,200万", "prior_budget": -5,
                     "prior_executed": "1,000.00.5"},
    "pasted-money-2": {"total_budget": ",500", "annual_budget": "500.", "prior_budget": "壹佰", "prior_executed": " "},
    "pasted-dates": {"start": "2019年上半年", "end": 5},
    "date-order": {"start": dt.date(2019, 12, 31), "end": dt.date(2019, 1, 1)},
    "outside-year": {"start": dt.date(2017, 1, 1), "end": dt.date(2017, 12, 31)},
    "pasted-choices": {"project_type": "结转 项目", "category": "政府购买服务、资产购置类"},
    "money-rules": {"total_budget": 100, "annual_budget": 200, "prior_budget": 100, "prior_executed": 150.01},
    "prior-low": {"prior_budget": 1000, "prior_executed": 899.99},
    "prior-at-threshold": {"prior_budget": 1000, "prior_executed": 900, "annual_budget": 7200000.004},
    "required": {"unit": "", "project": "  ", "overview": "", "prior_budget": 1000, "prior_executed": ""},
    "required-pair-other": {"prior_budget": "", "prior_executed": 10},
    "subproject-rows": {"subprojects": [{"name": "甲", "amount": ""}, {"name": "", "amount": 100},
                                        {"name": "丙", "amount": "abc"}, {"name": "丁", "amount": -1}]},
    "empty-tables": {"subprojects": [], "indicators": []},
    "two-level1-missing": {"indicators": GOOD_ROWS[:2]},
    "level2": {"indicators": [
        row(L1, "数量目标", "错挂的二级", "=100%"),  # a 二级 of another 一级
        row("", "", "沿用上一行", "合规"),  # carried down: the wrong 二级 is not flagged again
        row("投入与管理", "项目立项", "未知一级", "规范"),  # unknown 一级: at the 一级 cell
        row("", "财务管理", "沿用未知一级", "有效"),  # carried unknown 一级: not flagged again
        row(L2, "", "新一级空二级", "≥1"),  # a new 一级 does not carry the 二级 down
        row(" 产出 目标 ", "质量 目标", "带空格的名称", "≥95%"),  # spaces inside names are tolerated
        *GOOD_ROWS[2:],
    ]},
    "incomplete-rows": {"indicators": [
        row("", "项目立项", "首行缺一级", "规范"), row(L1, "财务管理", "", "合规"), row(L1, "财务管理", "缺目标值", ""),
        {"level1": "　", "level2": " ", "level3": "", "target": ""},  # whitespace only: an empty row, skipped
        row("", "", "", "≥1"), *GOOD_ROWS[1:],
    ]},
    "duplicates": {"indicators": [
        *GOOD_ROWS, row(L1, "财务管理", "资金 到位率", "=100%"), row(L2, "数量目标", "ABC指标", "≥1"),
        row(L2, "质量目标", "abc指标", "≥1"), row(L3, "社会效益目标", "资金到位率", "=100%"),
    ]},
    "targets": {"indicators": [
        *GOOD_ROWS,
        row(L1, "财务管理", "预算执行率", "100%"),  # no operator
        row(L1, "财务管理", "资金使用率", "120%"),  # no operator and over 100
        row(L2, "质量目标", "验收合格率", "≥120%"),  # over 100
        row(L2, "质量目标", "标准覆盖率", "＞＝101.5%"),  # full-width sign, over 100
        row(L2, "数量目标", "服务次数增长率", "≥150%"),  # growth: may exceed 100
        row(L2, "数量目标", "完成率上限", "≤110%"),  # an upper bound demands nothing impossible
        row(L2, "数量目标", "办件数量", "80"),  # no operator
        row(L2, "时效目标", "按时完成比例", 0.95),  # a number pasted into the text cell
        row(L4, "满意度目标", "服务对象满意度", "=105%"),  # over 100
        row(L2, "数量目标", "培训次数", " 12 "),  # spaces around: still a bare number
    ]},
}

# The other frameworks: each example form (examples/frameworks/forms.toml), and spoiled copies on its template.
def nrow(level1: str, level2: str, level3: str = "某指标", target: str = "≥1") -> dict[str, Any]:
    return row(level1, level2, level3, target)


FRAMEWORK_SPOILED: dict[str, tuple[str, list[dict[str, Any]]]] = {
    # national: two required 一级 missing, a 二级 of another 一级, an alias and spaces that are fine
    "national-spoiled": ("national", [nrow("产出 指标", "数量指标"), nrow("产出指标", "经济效益指标"),
                                      nrow("产出指标", "质量 指标")]),
    "national-aliases": ("national", [nrow("产出指标", "数量指标"), nrow("效益指标", "社会效益指标"),
                                      nrow("满意度指标", "服务对象满意度"), nrow("满意度 指标", "服务对象满意度指标")]),
    # cost2021: every 一级 required; 成本指标 missing (an unknown 一级 is not it), the unknown one carried down once
    "cost2021-spoiled": ("cost2021", [nrow("产出指标", "数量指标"), nrow("效益指标", "社会效益指标"),
                                      nrow("满意度指标", "服务对象满意度指标"), nrow("成本类指标", "经济成本指标"),
                                      nrow("", "社会成本指标")]),
    # a bureau's own: names that are not Excel names, typed with half-width brackets, without spaces, or as an
    # alias; the optional 一级 left out
    "bureau-typed": ("bureau-2026", [nrow("1 成本(总额)", "经济成本指标"), nrow("2产出指标", "数量指标"),
                                     nrow("效益指标", "社会效益指标"), nrow("４ 满意度指标", "服务对象满意度")]),
    "bureau-spoiled": ("bureau-2026", [nrow("1 成本（总额）", "数量指标"), nrow("5 其他指标（选填）", "其他指标")]),
}


# Beyond a formula (xltools.live.COVERAGE): the live check stays silent on these engine findings, nothing more.
BEYOND: dict[str, dict[str, Any]] = {
    "text-numbers": {"total_budget": "1,000", "annual_budget": "2,000"},
    "text-dates": {"start": "2019-12-31", "end": "2019年1月1日"},
    # LibreOffice has no logical type: TRUE pasted into a money cell is the number 1 there (Excel and WPS keep a
    # logical, which the live check flags). The engine reads the file's logical and flags it.
    "logical-money": {"prior_executed": True},
    "units-and-fullwidth": {"indicators": [*GOOD_ROWS, row(L2, "数量目标", "办件数量", "300件"),
                                           row(L2, "数量目标", "出件数量", "１００")]},
}
BEYOND_LEFT = {  # (code, cell) the engine reports that the live check leaves to the button and the bureau
    "text-numbers": [("annual-exceeds-total", F["annual_budget"].cell),
                     ("subtotal-mismatch", F["annual_budget"].cell)],
    "text-dates": [("date-order", F["end"].cell)],
    "units-and-fullwidth": [("target-no-operator", S.tables["indicators"].cell("target", 4)),
                            ("target-no-operator", S.tables["indicators"].cell("target", 5))],
    "formula-typed": [("amount-invalid", F["total_budget"].cell)],
}
# The one place a live check says more than the engine: Excel 2010's functions cannot tell a formula typed into an
# input cell from a value (ISFORMULA is Excel 2013), so the live check judges what the formula computes, while the
# engine refuses the formula itself (amount-invalid) and stays silent on the sums it would feed.
# Likewise LibreOffice's TRUE is the number 1 (a tiny execution rate), where Excel and WPS keep a logical.
BEYOND_EXTRA = {"formula-typed": [("annual-exceeds-total", F["annual_budget"].cell)]}
# LibreOffice only (Gnumeric, like Excel, keeps the logical and agrees with the engine).
LIBREOFFICE_LEFT = {"logical-money": [("amount-invalid", F["prior_executed"].cell)]}
LIBREOFFICE_EXTRA = {"logical-money": [("prior-execution-low", F["prior_executed"].cell)]}


@dataclass
class Live:
    """What LibreOffice computed: counts per rule, marked cells, the status line, the explanation list."""

    counts: dict[str, int]
    red: set[str]
    orange: set[str]
    todo: set[str]
    status: str
    started: bool
    listed: list[tuple[str, str, str, int, str]]
    checks: dict[str, Any]  # the form's own check cells (当年预算与总预算, 合计 ...), by key


def _grid_cells(book: CalamineWorkbook, ref: str) -> dict[str, float]:
    """Form cell -> count, for the cells of the grid ``ref`` (a defined name's sheet-qualified range) above 0."""
    sheet, local = ref.rsplit("!", 1)
    ws = book.get_sheet_by_name(sheet.strip("'"))
    top, left = ws.start  # calamine's grid starts at the first used cell
    values = [[""] * left + row for row in ws.to_python()]
    values = [[] for _ in range(top)] + values
    min_col, min_row, max_col, max_row = range_boundaries(local.replace("$", ""))
    out = {}
    for r in range(min_row, max_row + 1):
        for c in range(min_col, max_col + 1):
            v = values[r - 1][c - 1] if r - 1 < len(values) and c - 1 < len(values[r - 1]) else ""
            if isinstance(v, int | float) and v > 0:
                out[f"{column_letter(c - min_col + 1)}{r}"] = float(v)
    return out


def read_live(path: Path) -> Live:
    names = {n: d.attr_text for n, d in load_workbook(path, read_only=False).defined_names.items()}
    book = CalamineWorkbook.from_path(str(path))
    meta = book.get_sheet_by_name(spec.META_SHEET).to_python()
    counts = {r[3]: int(r[4]) for r in meta if len(r) > 4 and r[3] in live.LIVE_CODES}
    assert list(counts) == list(live.LIVE_CODES)
    started = meta[0][6] == 1
    errors = set(_grid_cells(book, names[live.ERRORS_NAME]))
    warnings = set(_grid_cells(book, names[live.WARNINGS_NAME])) - errors
    required = set(_grid_cells(book, names[live.REQUIRED_NAME])) - errors - warnings
    form = book.get_sheet_by_name(spec.FORM_SHEET).to_python()
    status = form[S.status.row - 1][0]  # type: ignore[union-attr]
    checks = {key: form[c.row - 1][c.first_col - 1] for key, c in S.checks.items()}
    return Live(counts, errors, warnings, required, status, started, read_list(book), checks)


def read_list(book: CalamineWorkbook) -> list[tuple[str, str, str, int, str]]:
    """The explanation list's non-empty rows: (title, advice, cells, count, code)."""
    rows = book.get_sheet_by_name(spec.EXPLAIN_SHEET).to_python()[3:]
    return [(r[0], r[1], r[2], int(r[3]), r[4]) for r in rows if any(v != "" for v in r)]


def engine_view(findings: list[Finding]) -> tuple[Counter[str], set[str], set[str], set[str]]:
    """Per live rule the engine's count; the cells the form should mark red (wrong values), orange, and tint."""
    return view([(f.code, f.cell) for f in findings if f.code in live.LIVE_CODES])


def view(found: list[tuple[str, str]], required: Sequence[str] = ("required-missing",),
         ) -> tuple[Counter[str], set[str], set[str], set[str]]:
    """Per rule the count; the cells the form should mark red (wrong values), orange, and tint (``required``: the
    family's rules for cells still to fill)."""
    red = {cell for code, cell in found if CODES[code] == "error" and code not in required}
    orange = {cell for code, cell in found if CODES[code] == "warning"} - red
    todo = {cell for code, cell in found if code in required} - red - orange
    return Counter(code for code, _cell in found), red, orange, todo


def expected_list(found: list[tuple[str, str]], codes: Sequence[str] = live.LIVE_CODES,
                  required: Sequence[str] = ("required-missing",), advice: Mapping[str, str] | None = None,
                  ) -> list[tuple[str, str, str, int, str]]:
    """The explanation list the engine's findings ask for: per rule, its title and advice (the engine's words; a
    family's own ``advice`` first), its first cells by address (distinct, at most FIRST_CELLS, then " 等"), its
    count; wrong values first, then warnings, then cells still to fill, each by its first cell."""
    by_code: dict[str, list[str]] = {}
    for code, cell in found:
        by_code.setdefault(code, []).append(cell)
    rows = []
    for code, cells in by_code.items():
        distinct = sorted(set(cells), key=sort_key)
        shown = "、".join(distinct[:live.FIRST_CELLS]) + (live.MORE if len(distinct) > live.FIRST_CELLS else "")
        key = (live.rank(code, required), sort_key(distinct[0]), codes.index(code))
        words = (advice or {}).get(code) or CODE_ADVICE.get(code, "")
        rows.append((key, (CODE_TITLES[code], words, shown, len(cells), code), distinct[0]))
    return [row for _key, row, _first in sorted(rows)]


def expected_status(found: list[tuple[str, str]], started: bool, *, button: bool = False,
                    required: Sequence[str] = ("required-missing",), codes: Sequence[str] = live.LIVE_CODES) -> str:
    """The status line these findings ask for (the live state; the first problem is the list's first row)."""
    counts, *_ = view(found, required)
    listed = expected_list(found, codes, required)
    first = f"{listed[0][2].split('、')[0].split(' ')[0]}（{listed[0][0]}）" if listed else ""
    errors = sum(n for code, n in counts.items() if CODES[code] == "error" and code not in required)
    warnings = sum(n for code, n in counts.items() if CODES[code] == "warning")
    unfilled = sum(n for code, n in counts.items() if code in required)
    return live.status_text(started=started, unfilled=unfilled, errors=errors, warnings=warnings, first=first,
                            button=button)


def _write(values: dict[str, Any], path: Path) -> Path:
    return make_examples.write_form(values, 2019, path)


def _recalculate(client: str, staged: list[Path], outdir: Path) -> list[Path]:
    if client == "libreoffice":
        return lo.convert(staged, "xlsx:Calc Office Open XML", outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    outs = []
    for src in staged:
        out = outdir / src.name
        # ssconvert warns about a footer feature it does not know and carries on; its exit code says if it wrote.
        subprocess.run(["ssconvert", "--recalc", str(src), str(out)], check=True, capture_output=True, timeout=120)
        outs.append(out)
    return outs


@pytest.fixture(scope="module", params=["libreoffice", "gnumeric"])
def recalculated(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """case name -> (original file, copy recalculated by the client); the client is ``_client`` in the dict."""
    client = request.param
    if client == "gnumeric" and shutil.which("ssconvert") is None:
        pytest.fail("Gnumeric's ssconvert is not installed: run `make libreoffice`")
    tmp = tmp_path_factory.mktemp("live")
    base = make_examples.form_values(SEEDS[BASE])
    originals: dict[str, Path] = {}
    for p in sorted((EXAMPLES / "returns").glob("*.xlsx")):
        originals[f"seed-{p.name[:2]}"] = p
    for p in sorted((EXAMPLES / "faulty").glob("*.xlsx")):
        if p.name.startswith(("bad-", "warn-")) or p.stem in ("formula-typed", "libreoffice-resaved"):
            originals[p.stem] = p
    for name, overrides in {**SPOILED, **BEYOND}.items():
        originals[name] = _write({**base, **overrides}, tmp / "in" / f"{name}.xlsx")
    for values in make_examples.framework_forms():
        fw = make_examples.framework_of(values["framework"])
        originals[f"framework-{fw.id}"] = make_examples.write_form(
            make_examples.form_values(values), values["year"], tmp / "in" / f"framework-{fw.id}.xlsx", fw)
    for name, (fw_id, rows) in FRAMEWORK_SPOILED.items():
        originals[name] = make_examples.write_form({**base, "indicators": rows}, 2019, tmp / "in" / f"{name}.xlsx",
                                                   make_examples.framework_of(fw_id))
    (tmp / "in").mkdir(exist_ok=True)
    blank = tmp / "in" / "blank.xlsx"
    build_template().save(blank)
    originals["blank"] = blank
    unit_copy = tmp / "in" / "unit-copy.xlsx"
    build_template(unit="上海市某某局").save(unit_copy)
    originals["unit-copy"] = unit_copy
    # One soffice call for all (about 8x faster than one each); names are unique by construction.
    staged = []
    for name, src in originals.items():
        dst = tmp / "staged" / f"{name}.xlsx"
        dst.parent.mkdir(exist_ok=True)
        dst.write_bytes(src.read_bytes())
        staged.append(dst)
    outs = _recalculate(client, staged, tmp / "recalc")
    out = {name: (originals[name], path) for name, path in zip(originals, outs, strict=True)}
    out["_client"] = (Path(client), Path(client))
    return out


FRAMEWORKS = data.load_frameworks([EXAMPLES / "frameworks" / "bureau-2026.toml"])
FRAMEWORK_CASES = [f"framework-{v['framework']}" for v in make_examples.framework_forms()] + sorted(FRAMEWORK_SPOILED)
EXACT_CASES = ([f"seed-{i:02d}" for i in range(1, 6)] + sorted(SPOILED) + FRAMEWORK_CASES
               + sorted(p.stem for p in (EXAMPLES / "faulty").glob("*.xlsx") if p.name.startswith(("bad-", "warn-")))
               + ["libreoffice-resaved", "blank", "unit-copy"])


@pytest.mark.parametrize("case", EXACT_CASES)
def test_live_checks_equal_the_engine(recalculated: dict[str, tuple[Path, Path]], case: str) -> None:
    original, recalc = recalculated[case]
    findings = check_file(original, frameworks=FRAMEWORKS).findings
    counts, red, orange, todo = engine_view(findings)
    got = read_live(recalc)
    assert got.counts == {code: counts.get(code, 0) for code in live.LIVE_CODES}
    # Red only for wrong values; required cells still blank keep the calm tint, started or not.
    assert (got.red, got.orange, got.todo) == (red, orange, todo)
    found = [(f.code, f.cell) for f in findings if f.code in live.LIVE_CODES]
    assert got.listed == expected_list(found)
    assert got.status == expected_status(found, got.started)
    # The form's own words agree with the counts: no "超过" or "不一致" where the rule finds nothing.
    assert (got.checks["annual_vs_total"] == "当年预算超过总预算") == (counts["annual-exceeds-total"] > 0)
    assert (got.checks["subtotal_status"] == "合计与项目当年预算不一致") == (counts["subtotal-mismatch"] > 0)


def test_spoiled_cases_cover_every_live_rule(recalculated: dict[str, tuple[Path, Path]]) -> None:
    hit: Counter[str] = Counter()
    for case in SPOILED:
        hit.update(c for c, n in read_live(recalculated[case][1]).counts.items() if n)
    assert set(hit) == set(live.LIVE_CODES)
    two = read_live(recalculated["two-level1-missing"][1])
    assert two.counts["level1-missing"] == 2
    assert two.red == {S.tables["indicators"].cell("level1", 0)}
    # Two findings on one cell: the list names the cell once and counts two.
    assert [row for row in two.listed if row[4] == "level1-missing"] == [
        ("缺少一级指标", CODE_ADVICE["level1-missing"], S.tables["indicators"].cell("level1", 0), 2, "level1-missing")]


def test_framework_cases_find_what_they_were_made_for(recalculated: dict[str, tuple[Path, Path]]) -> None:
    """The spoiled framework copies hit the framework rules where meant (the parity test then proves the cells)."""
    ind = S.tables["indicators"]
    expect = {
        "national-spoiled": {"level1-missing": 2, "level2-invalid": 1},
        "national-aliases": {},
        "cost2021-spoiled": {"level1-missing": 1, "level2-invalid": 1},
        "bureau-typed": {},
        "bureau-spoiled": {"level1-missing": 3, "level2-invalid": 1},
    }
    for case, wanted in expect.items():
        got = read_live(recalculated[case][1])
        framework_codes = {c: n for c, n in got.counts.items() if c in ("level1-missing", "level2-invalid") and n}
        assert framework_codes == wanted, case
    assert read_live(recalculated["national-spoiled"][1]).red == {ind.cell("level1", 0), ind.cell("level2", 1)}
    for case in FRAMEWORK_CASES[:4]:  # the example form of each framework is clean
        assert read_live(recalculated[case][1]).red == set(), case


def test_seed_forms_show_no_errors_and_their_warnings(recalculated: dict[str, tuple[Path, Path]]) -> None:
    shown = {}
    for i in range(1, 6):
        got = read_live(recalculated[f"seed-{i:02d}"][1])
        assert got.red == set()
        shown[i] = got.status
    # The .xlsx never mentions a button (tests/test_status_libreoffice.py checks the .xlsm's words).
    assert shown[3] == "表内自查：未发现问题。完整校验以主管部门审核为准。"
    assert shown[4] == ("表内自查：未发现错误，6 处警告已标橙，请核对。首个：D63（目标值缺少比较符）。"
                        "原因见“自查说明”表。完整校验请交主管部门审核。")


@pytest.mark.parametrize("case", sorted([*BEYOND_LEFT, *LIBREOFFICE_LEFT]))
def test_beyond_a_formula_the_live_check_names_a_subset(recalculated: dict[str, tuple[Path, Path]],
                                                         case: str) -> None:
    original, recalc = recalculated[case]
    findings = check_file(original).findings
    got = read_live(recalc)
    on_libreoffice = recalculated["_client"][0].name == "libreoffice"
    left = sorted(BEYOND_LEFT.get(case, []) + (LIBREOFFICE_LEFT.get(case, []) if on_libreoffice else []))
    assert sorted((f.code, f.cell) for f in findings if (f.code, f.cell) in left) == left
    extra = BEYOND_EXTRA.get(case, []) + (LIBREOFFICE_EXTRA.get(case, []) if on_libreoffice else [])
    found = [(f.code, f.cell) for f in findings if f.code in live.LIVE_CODES and (f.code, f.cell) not in left]
    found = sorted([*found, *extra], key=lambda p: sort_key(p[1]))
    counts, red, orange, todo = view(found)
    assert got.counts == {code: counts.get(code, 0) for code in live.LIVE_CODES}
    assert (got.red, got.orange, got.todo) == (red, orange, todo)
    assert got.listed == expected_list(found)
    assert got.status == expected_status(found, got.started)


def test_blank_template_is_calm(recalculated: dict[str, tuple[Path, Path]]) -> None:
    got = read_live(recalculated["blank"][1])
    assert not got.started and got.status == live.STATUS_NOT_STARTED
    assert F["unit"].cell in got.todo and F["remarks"].cell not in got.todo
    unit = read_live(recalculated["unit-copy"][1])
    assert not unit.started and F["unit"].cell not in unit.todo  # the bureau's filled-in name does not count
