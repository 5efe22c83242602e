"""The status line and the explanation list in every state, in the .xlsx and in the .xlsm, computed by two
independent formula engines (LibreOffice headless and Gnumeric), and the status line's colour as LibreOffice prints it.

States: nobody has started; being filled (required cells still blank count apart, with and without wrong values);
wrong values; warnings only; clean; a program's results written into 校验结果 (an annotated copy: errors, warnings
only, passed). The .xlsx never mentions a button; the .xlsm (made from the .xlsx by xltools.xlsm) says to click it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from tests import libreoffice as lo
from tests.test_live_libreoffice import GOOD_ROWS, expected_list, expected_status, read_list
from xltools import live, spec
from xltools.annotate import annotate
from xltools.engine import check_file
from xltools.template import (
    BAD_FILL_RGB,
    CLEAN_FILL_RGB,
    TODO_FILL_RGB,
    WARN_FILL_RGB,
    build_template,
)
from xltools.xlsm import build_macro_workbook

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.filterwarnings("ignore:Workbook contains no default style:UserWarning")]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(EXAMPLES))
import make_examples  # noqa: E402

S = spec.build()
BASE = make_examples.form_values(make_examples.seeds()["samr-quality-award"])
RETURNS = sorted((EXAMPLES / "returns").glob("*.xlsx"))
# Mistakes a unit makes (the docs' picture of a faulty form): a pasted choice, dates out of order, a total below the
# annual budget, a low prior-year execution.
MISTAKES = {"category": "政府购买服务、资产购置类", "start": dt.date(2019, 12, 31), "end": dt.date(2019, 1, 1),
            "total_budget": 7_000_000, "prior_executed": 5_100_000}
VALUES: dict[str, dict[str, Any] | None] = {
    "blank": None,
    "filling": {"project": "某项目", "total_budget": 1000},
    "filling-errors": {"project": "某项目", "total_budget": 100, "annual_budget": 200, "category": "不存在的类型"},
    "errors": {**BASE, **MISTAKES},
    # A sub-project amount typed as text: amount-invalid on that row; the sum is not checked, and the total row says so
    # instead of "不一致" (the form's own texts agree with the counts).
    "text-amount": {**BASE, "subprojects": [{"name": "甲", "amount": "1,200万"},
                                            {"name": "乙", "amount": 7_200_000}]},
    # Nothing for the program to say either (the seed forms all carry warnings a reviewer would raise).
    "spotless": {**BASE, "prior_executed": BASE["prior_budget"], "indicators": GOOD_ROWS},
}
# 04: six target-no-operator warnings; 03: clean for the live checks, two target-vague warnings for the program.
FILES = {"warnings": RETURNS[3], "clean": RETURNS[2]}
ANNOTATED = {"results": "errors", "results-warnings": "clean", "results-clean": "spotless"}
CASES = [*VALUES, *FILES, *ANNOTATED]


def _recalculate(client: str, staged: list[Path], outdir: Path) -> list[Path]:
    if client == "libreoffice":
        return lo.convert(staged, "xlsx:Calc Office Open XML", outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    outs = []
    for src in staged:
        out = outdir / f"{src.stem}.xlsx"
        subprocess.run(["ssconvert", "--recalc", str(src), str(out)], check=True, capture_output=True, timeout=120)
        outs.append(out)
    return outs


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """(case, "xlsx" or "xlsm") -> the workbook as a unit or the bureau would have it."""
    tmp = tmp_path_factory.mktemp("states")
    xlsx: dict[str, Path] = {}
    for name, values in VALUES.items():
        path = tmp / "xlsx" / f"{name}.xlsx"
        if values is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            build_template().save(path)
        else:
            make_examples.write_form(values, 2019, path)
        xlsx[name] = path
    for name, src in FILES.items():
        xlsx[name] = tmp / "xlsx" / f"{name}.xlsx"
        shutil.copy(src, xlsx[name])
    out: dict[tuple[str, str], Path] = {}
    for name, path in xlsx.items():
        out[(name, "xlsx")] = path
        out[(name, "xlsm")] = tmp / "xlsm" / f"{name}-m.xlsm"
        out[(name, "xlsm")].parent.mkdir(exist_ok=True)
        build_macro_workbook(path, out[(name, "xlsm")])
    for name, source in ANNOTATED.items():
        for kind in ("xlsx", "xlsm"):
            src = out[(source, kind)]
            copy = annotate(check_file(src), src, tmp / f"annotated-{name}-{kind}")
            out[(name, kind)] = copy.rename(copy.with_name(f"{name}{'-m' if kind == 'xlsm' else ''}{copy.suffix}"))
    return out


@pytest.fixture(scope="module", params=["libreoffice", "gnumeric"])
def recalculated(request: pytest.FixtureRequest, originals: dict[tuple[str, str], Path],
                 tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    if request.param == "gnumeric" and shutil.which("ssconvert") is None:
        pytest.fail("Gnumeric's ssconvert is not installed: run `make libreoffice`")
    keys = list(originals)
    outs = _recalculate(request.param, [originals[k] for k in keys], tmp_path_factory.mktemp("recalc"))
    return dict(zip(keys, outs, strict=True))


def _sheet(path: Path, name: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


@pytest.mark.parametrize("kind", ["xlsx", "xlsm"])
@pytest.mark.parametrize("case", CASES)
def test_status_line_and_list_in_every_state(originals: dict[tuple[str, str], Path],
                                             recalculated: dict[tuple[str, str], Path], case: str, kind: str) -> None:
    button = kind == "xlsm"
    result = check_file(originals[(case, kind)])
    form = _sheet(recalculated[(case, kind)], spec.FORM_SHEET)
    status = form[S.status.row - 1][0]
    explain = CalamineWorkbook.from_path(str(recalculated[(case, kind)]))
    heading = explain.get_sheet_by_name(spec.EXPLAIN_SHEET).to_python()[1][0]
    listed = read_list(explain)
    if case in ANNOTATED:  # one verdict: the program's, the same words as 校验结果's summary
        summary = _sheet(recalculated[(case, kind)], spec.RESULTS_SHEET)[0][0]
        assert summary == result.report.summary()
        assert status == live.status_text(started=True, unfilled=0, errors=0, warnings=0, summary=summary,
                                          button=button)
        assert listed == [] and heading.startswith(f"本表已由校验程序校验，结果：{summary}。")
        return
    found = [(f.code, f.cell) for f in result.findings if f.code in live.LIVE_CODES]
    assert status == expected_status(found, case != "blank", button=button)
    assert listed == expected_list(found)
    # The .xlsx never mentions a button; the .xlsm points to it once there is something to check.
    assert ("一键校验" in status) == (button and case not in ("blank", "filling"))


def test_the_states_read_as_meant(originals: dict[tuple[str, str], Path],
                                  recalculated: dict[tuple[str, str], Path]) -> None:
    """What a person reads, state by state (the parity test above proves the numbers; here, the words)."""
    status = {case: _sheet(recalculated[(case, kind)], spec.FORM_SHEET)[S.status.row - 1][0]
              for case in CASES for kind in ("xlsx",)}
    assert status["blank"] == live.STATUS_NOT_STARTED
    assert status["filling"] == "表内自查：还有 15 项必填未填（浅黄色，首个 B4）；已填的内容未发现问题。"
    assert status["filling-errors"] == (
        "表内自查：还有 13 项必填未填；2 处错误，已在表中标出。首个：B7（类型选择无效）。原因见“自查说明”表。"
        "完整校验请交主管部门审核。")
    assert status["errors"] == (
        "表内自查：3 处错误、2 处警告，已在表中标出。首个：B7（类型选择无效）。原因见“自查说明”表。完整校验请交主管部门审核。")
    assert status["clean"] == "表内自查：未发现问题。完整校验以主管部门审核为准。"
    assert status["results"] == ("校验程序的结果：3 个错误，7 个警告。逐条说明见“校验结果”表；修改后请交主管部门重新校验。")
    assert status["results-clean"] == "校验程序的结果：校验通过。逐条说明见“校验结果”表；修改后请交主管部门重新校验。"
    # The live checks found nothing in 03, the program two vague targets: its result is the one shown.
    assert status["results-warnings"] == ("校验程序的结果：校验通过（2 个警告）。逐条说明见“校验结果”表；"
                                          "修改后请交主管部门重新校验。")
    macro = _sheet(recalculated[("errors", "xlsm")], spec.FORM_SHEET)[S.status.row - 1][0]
    assert macro.endswith("完整校验请点“一键校验”或交主管部门审核。")
    # The form's own words agree with the counts: an amount typed as text is not "合计不一致".
    text_amount = _sheet(recalculated[("text-amount", "xlsx")], spec.FORM_SHEET)
    total_row = S.tables["subprojects"].total_row
    assert total_row is not None
    assert text_amount[total_row - 1][1] == "有金额不是有效数字，合计未核对"
    assert [f.code for f in check_file(originals[("text-amount", "xlsx")]).findings
            if f.code in ("amount-invalid", "subtotal-mismatch")] == ["amount-invalid"]


def _rgb(hex_rgb: str) -> tuple[int, int, int]:
    return int(hex_rgb[0:2], 16), int(hex_rgb[2:4], 16), int(hex_rgb[4:6], 16)


STATUS_COLOURS = {"blank": "F7F7F7", "filling": TODO_FILL_RGB, "filling-errors": BAD_FILL_RGB,
                  "errors": BAD_FILL_RGB, "warnings": WARN_FILL_RGB, "clean": CLEAN_FILL_RGB, "spotless": CLEAN_FILL_RGB,
                  "results": BAD_FILL_RGB, "results-warnings": WARN_FILL_RGB, "results-clean": CLEAN_FILL_RGB}


def test_status_line_colour_as_printed(originals: dict[tuple[str, str], Path], tmp_path: Path) -> None:
    """Red for wrong values, orange for warnings only, the 待填 tint while only required cells are left, green when
    clean; with a program's results, the colour of those (LibreOffice's print of page 1)."""
    cases = list(STATUS_COLOURS)
    pdfs = lo.to_pdf([originals[(case, "xlsx")] for case in cases], tmp_path)
    seen = {}
    for case, pdf in zip(cases, pdfs, strict=True):
        words = [w for w in lo.pdf_words(pdf) if w.page == 1 and w.text.startswith(("表内自查", "校验程序的结果"))]
        raster = lo.render_page(pdf, 1, dpi=100)
        w = words[0]
        samples = [raster.at_points(w.x0 + i * (w.x1 - w.x0) / 10, w.y0 + j * (w.y1 - w.y0) / 6)
                   for i in range(11) for j in range(7)]
        seen[case] = Counter(samples).most_common(1)[0][0]
    assert {case: all(abs(a - b) <= 6 for a, b in zip(seen[case], _rgb(rgb), strict=True))
            for case, rgb in STATUS_COLOURS.items()} == dict.fromkeys(STATUS_COLOURS, True), seen
