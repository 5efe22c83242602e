"""End to end in a real client: an annotated copy, opened in LibreOffice, shows the problem cells in colour.

The highlight comes only from the rows `xltools check --annotate` wrote into 校验结果 (the template's own live
checks do not cover these cells): the original renders them white.
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
    form = write(tmp_path / "form.xlsx", valid_values(
        total_budget="约100",  # amount-invalid (error) at 项目总预算
        start=dt.date(2018, 1, 1), end=dt.date(2018, 12, 31),  # date-outside-year (warning) at 开始时间
    ))
    result = CliRunner().invoke(main, ["check", str(form), "--annotate", str(tmp_path / "annotated")])
    assert result.exit_code == 1, result.output
    annotated = tmp_path / "annotated" / form.name
    original_pdf, annotated_pdf = (
        lo.to_pdf([form], tmp_path / "pdf-original")[0], lo.to_pdf([annotated], tmp_path / "pdf-annotated")[0])

    def colours(pdf: Path) -> dict[str, list[tuple[int, int, int]]]:
        raster = lo.render_page(pdf, 1, dpi=100)
        return {text: _backgrounds(pdf, raster, text) for text in ("约100", "2018-01-01", "2018-12-31")}

    before, after = colours(original_pdf), colours(annotated_pdf)
    assert all(len(v) == 1 and _close(v[0], WHITE) for v in before.values()), before
    assert _close(after["约100"][0], RED), after
    assert _close(after["2018-01-01"][0], ORANGE), after  # the finding points at 开始时间 only
    assert _close(after["2018-12-31"][0], WHITE), after
