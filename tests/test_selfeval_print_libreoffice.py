"""The self-evaluation as LibreOffice prints it: A4 portrait, the filled values and computed scores on the page,
the title and year repeated on every page of a long form, the template's id in the footer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests import libreoffice as lo
from tests.test_selfeval_examples import CASES, committed

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    cases = {case["id"]: committed(case) for case in CASES if case["id"] in ("worked", "errors")}
    out = lo.to_pdf(cases.values(), tmp_path_factory.mktemp("selfeval-pdf"))
    return dict(zip(cases, out, strict=True))


def _pages(pdf: Path) -> list[str]:
    """Each page's text without whitespace (wrapped cells and spread-out labels read as written)."""
    return ["".join(page.split()) for page in lo.pdf_text(pdf).split("\f")]


def test_the_worked_example_prints_on_one_a4_portrait_page(pdfs: dict[str, Path]) -> None:
    info = subprocess.run(["pdfinfo", str(pdfs["worked"])], capture_output=True, text=True, check=True).stdout
    assert "595.304 x 841.89 pts (A4)" in info
    page = _pages(pdfs["worked"])[0]
    for text in ("项目支出绩效自评表", "（2019年度）", "职业技能提升培训", "上海市示例职业培训中心", "903,400.00", "90.34%",
                 "9.03", "培训场次", "学员满意度", "15.00", "9.44", "100.00", "86.14", "良",
                 "模板xltools.sh-perf-selfeval第1版", "表内自查：未发现问题"):
        assert text in page, text
    # The explanation sheet follows, then the results sheet.
    assert "校验结果" not in page and "表内自查说明" in _pages(pdfs["worked"])[1]
    assert "尚未校验" in _pages(pdfs["worked"])[2]


def test_a_long_form_repeats_its_title_on_every_page(pdfs: dict[str, Path]) -> None:
    form = [p for p in _pages(pdfs["errors"]) if "模板xltools.sh-perf-selfeval" in p]
    assert len(form) == 2
    for page in form:
        assert "项目支出绩效自评表" in page and "（2019年度）" in page
    # the last indicator (满意度 ≥80%: 75%, its 分值 changed to 12, 12 x 75/80 = 11.25) and the 总分 line
    assert "≥80%75%12.0011.25" in form[-1] and "总分102.0090.75优" in form[-1]
    # Cells still to fill are counted apart from the wrong values (3 required cells blank, 7 errors).
    assert "表内自查：还有3项必填未填；7处错误，已在表中标出。首个：E8（执行数超过预算数）" in form[0]
