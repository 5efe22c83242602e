"""A form saved by LibreOffice (as .xlsx, .ods or .xls) reads exactly like the one openpyxl wrote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests import libreoffice
from tests.test_check_cli import valid_values, write
from xltools.engine import check_file
from xltools.reader import read_file

pytestmark = pytest.mark.libreoffice


def snapshot(path: Path) -> dict[str, object]:
    decl = read_file(path).declaration
    assert decl is not None, read_file(path).findings
    return {
        "fields": {k: (v.cell, v.value, v.problem) for k, v in decl.fields.items()},
        "subprojects": [(s.row, s.name.value, s.amount.value) for s in decl.subprojects],
        "indicators": [(i.row, i.level1.value, i.level2.value, i.level3.value, i.target.value)
                       for i in decl.indicators],
        "year": decl.year,
    }


def test_resaved_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    values = valid_values(total_budget="1,200,000", annual_budget=1_000_000.0, start="2019/1/1",
                          end=dt.date(2019, 12, 31), remarks="第一行\n第二行", prior_executed=1_100_000)
    src = write(tmp_path / "form.xlsx", values)
    expected = snapshot(src)
    assert expected["fields"]["total_budget"] == ("B12", 1_200_000.0, None)  # type: ignore[index]
    out = tmp_path / "lo"
    resaved = [
        libreoffice.convert([src], "xlsx:Calc Office Open XML", out / "xlsx")[0],
        libreoffice.convert([src], "ods", out / "ods")[0],
        libreoffice.convert([src], "xls:MS Excel 97", out / "xls")[0],
    ]
    assert check_file(src).report.codes() == [("prior-exceeds-budget", "D13")]
    for path in resaved:
        assert snapshot(path) == expected, path.suffix
        # LibreOffice recalculated the template's check formulas and cached results; the engine ignores them
        # and recomputes, so the findings are the same as for the original.
        assert check_file(path).report.codes() == [("prior-exceeds-budget", "D13")], path.suffix
