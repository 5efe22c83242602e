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
    assert expected["fields"]["total_budget"] == ("B17", 1_200_000.0, None)  # type: ignore[index]
    out = tmp_path / "lo"
    resaved = [
        libreoffice.convert([src], "xlsx:Calc Office Open XML", out / "xlsx")[0],
        libreoffice.convert([src], "ods", out / "ods")[0],
        libreoffice.convert([src], "xls:MS Excel 97", out / "xls")[0],
    ]
    assert check_file(src).report.codes() == [("prior-exceeds-budget", "D18")]
    for path in resaved:
        assert snapshot(path) == expected, path.suffix
        # LibreOffice recalculated the template's check formulas and cached results; the engine ignores them
        # and recomputes, so the findings are the same as for the original.
        assert check_file(path).report.codes() == [("prior-exceeds-budget", "D18")], path.suffix


def test_ods_copy_reads_as_the_original_and_a_far_cell_is_refused(tmp_path: Path) -> None:
    """calamine reads a rewritten content.xml of an .ods (xltools.odf): on a LibreOffice-saved form every sheet
    reads exactly as the original does (the million trailing empty rows LibreOffice writes are left out); a value
    far away is refused before calamine sees it."""
    import io
    import re
    import zipfile

    from python_calamine import CalamineWorkbook

    from xltools import odf, package, spec

    src = write(tmp_path / "form.xlsx", valid_values())
    ods = libreoffice.convert([src], "ods", tmp_path / "ods")[0]
    content = zipfile.ZipFile(ods).read("content.xml")
    assert b'table:number-rows-repeated="10' in content  # LibreOffice's trailing empty rows are there
    original = CalamineWorkbook.from_path(str(ods))
    copy = CalamineWorkbook.from_filelike(io.BytesIO(odf.sanitised(package.Zip(ods.read_bytes()))))
    assert copy.sheet_names == original.sheet_names
    for name in original.sheet_names:
        assert (copy.get_sheet_by_name(name).to_python(skip_empty_area=False)
                == original.get_sheet_by_name(name).to_python(skip_empty_area=False)), name
    # One value in a row repeated 900,000 times, 40 columns out: 36 million cells for calamine.
    far = (b'<table:table-row table:number-rows-repeated="900000"><table:table-cell '
           b'table:number-columns-repeated="39"/><table:table-cell office:value-type="string">'
           b"<text:p>x</text:p></table:table-cell></table:table-row>")
    table = re.search(rb'<table:table [^>]*table:name="' + spec.FORM_SHEET.encode() + b'"[^>]*>', content)
    assert table is not None
    end = content.index(b"</table:table>", table.end())
    hostile = tmp_path / "far.ods"
    with zipfile.ZipFile(ods) as zin, zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, content[:end] + far + content[end:] if info.filename == "content.xml" else data)
    # The far row comes after LibreOffice's rows, which fill the sheet to row 1,048,576.
    findings = check_file(hostile).findings
    assert [(f.code, f.message) for f in findings] == [(
        "file-unreadable", f"工作表“{spec.FORM_SHEET}”的范围异常（1948576 行 × 40 列），出于安全不予读取。"
        "可能在远处的单元格（AN1948576）中误填了内容，请删除后再报送。")]


def test_a_workbook_is_recognised_by_its_content_not_its_name(tmp_path: Path) -> None:
    """An .ods or .xls renamed .xlsx (units rename files) reads like the original; a form re-saved by Gnumeric as
    .ods (indented XML, line breaks as elements) reads as LibreOffice's .ods does."""
    import shutil
    import subprocess

    src = write(tmp_path / "form.xlsx", valid_values(remarks="第一行\n第二行"))
    expected = snapshot(src)
    ods = libreoffice.convert([src], "ods", tmp_path / "ods")[0]
    xls = libreoffice.convert([src], "xls:MS Excel 97", tmp_path / "xls")[0]
    gnumeric = tmp_path / "gnumeric" / "form.ods"
    gnumeric.parent.mkdir()
    subprocess.run(["ssconvert", str(src), str(gnumeric)], check=True, capture_output=True, timeout=240)
    assert b"<text:line-break/>" in __import__("zipfile").ZipFile(gnumeric).read("content.xml")
    for path in (ods, xls, gnumeric):
        renamed = path.with_name(f"renamed-{path.suffix[1:]}.xlsx")
        shutil.copy(path, renamed)
        assert snapshot(path) == expected, path
        assert snapshot(renamed) == expected, renamed


def test_an_xls_with_a_far_value_is_refused_before_calamine(tmp_path: Path) -> None:
    """calamine reads every sheet of an .xls at once, as a dense grid: one value at IV65536 is a gigabyte."""
    from tests.test_check_cli import valid_values as values
    from xltools import spec
    from xltools.fill import fill
    from xltools.template import build_template

    wb = fill(build_template(2019), values())
    wb[spec.FORM_SHEET]["IV65536"] = "x"
    src = tmp_path / "far.xlsx"
    wb.save(src)
    xls = libreoffice.convert([src], "xls:MS Excel 97", tmp_path / "xls")[0]
    assert [(f.code, f.message) for f in check_file(xls).findings] == [(
        "file-unreadable", "工作表的范围异常（65536 行 × 256 列），出于安全不予读取。可能在远处的单元格中误填了内容，请删除后再报送。")]
