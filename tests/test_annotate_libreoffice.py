"""End to end in a real client: an annotated copy, opened in LibreOffice, shows the problem cells in colour.

Two sources of colour, each shown on its own cells: the template's live checks mark what a formula can decide
(an amount typed as text, a period outside the budget year) on the original already; the target findings only
the engine makes (an unreadable target, a vague one) appear once `xltools check --annotate` lists them in 校验结果.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests import libreoffice as lo
from tests.test_check_cli import valid_values, write
from tests.test_template_libreoffice import ORANGE, RED, WHITE, _backgrounds, _close
from xltools.cli import main

pytestmark = pytest.mark.libreoffice


def test_annotated_copy_highlights_the_cells_it_lists(tmp_path: Path) -> None:
    values = valid_values(
        total_budget="约100",  # amount-invalid (error) at 项目总预算: live
        start=dt.date(2018, 1, 1), end=dt.date(2018, 12, 31),  # date-outside-year (warning) at 开始时间: live
    )
    values["indicators"][1]["target"] = "??"  # target-unparseable (error): the engine's only
    values["indicators"][2]["target"] = "较上年增长"  # target-vague (warning): the engine's only
    form = write(tmp_path / "form.xlsx", values)
    result = CliRunner().invoke(main, ["check", str(form), "--annotate", str(tmp_path / "annotated")])
    assert result.exit_code == 1, result.output
    annotated = tmp_path / "annotated" / form.name
    original_pdf, annotated_pdf = (
        lo.to_pdf([form], tmp_path / "pdf-original")[0], lo.to_pdf([annotated], tmp_path / "pdf-annotated")[0])
    texts = ("约100", "2018-01-01", "2018-12-31", "??", "较上年增长")

    def colours(pdf: Path) -> dict[str, list[tuple[int, int, int]]]:
        out = {}
        for page in (1, 2):
            raster = lo.render_page(pdf, page, dpi=100)
            for text in texts:
                found = _backgrounds(pdf, raster, text, page)
                if found:
                    out[text] = found
        return out

    before, after = colours(original_pdf), colours(annotated_pdf)
    expected_before = {"约100": RED, "2018-01-01": ORANGE, "2018-12-31": WHITE, "??": WHITE, "较上年增长": WHITE}
    expected_after = {**expected_before, "??": RED, "较上年增长": ORANGE}
    for seen, expected in ((before, expected_before), (after, expected_after)):
        assert set(seen) == set(texts), seen
        assert all(len(seen[t]) == 1 and _close(seen[t][0], expected[t]) for t in texts), seen


def test_an_annotated_copy_prints_long_texts_whole(tmp_path: Path) -> None:
    """A paragraph typed where its row did not grow prints cut off; the annotated copy of the same form gives the
    row the height the text needs, and LibreOffice prints it whole, above the next label."""
    from tests.test_annotate_rows import LONG, _typed
    from xltools.annotate import annotate
    from xltools.engine import check_file

    src = _typed(tmp_path / "form.xlsx")
    copy = annotate(check_file(src), src, tmp_path / "out")
    copy = copy.rename(copy.with_name("copy.xlsx"))
    sentence, repeats = LONG[:10], LONG.count(LONG[:10])
    printed = {}
    for pdf in lo.to_pdf([src, copy], tmp_path / "pdf"):
        words = [w for w in lo.pdf_words(pdf) if w.page == 1]
        (label,) = [w for w in words if w.text.startswith("保证项目实施的制度")]
        body = [w for w in words if any(part in w.text for part in ("必要性需要", "一行写不下", "打印时必须"))]
        printed[pdf.stem] = ("".join(w.text for w in words).count(sentence), max(w.y1 for w in body) < label.y0)
    assert printed == {"form": (printed["form"][0], False), "copy": (repeats, True)}
    assert printed["form"][0] < repeats
