"""The .xlsm conversion: package parts, code names, buttons bound to existing macros, and LibreOffice's view."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from oletools.olevba import VBA_Parser
from openpyxl.comments import Comment

from tests import libreoffice
from tests.conftest import COMMITTED_TEMPLATE
from xltools import spec, vba, xlsm

VML = "{urn:schemas-microsoft-com:vml}"
XL = "{urn:schemas-microsoft-com:office:excel}"


def _workbook(path: Path, codename: str | None = None, comment: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = spec.FORM_SHEET
    ws["A1"] = spec.TITLE
    for i, width in enumerate(spec.COLUMN_WIDTHS, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = width
    if codename:
        ws.sheet_properties.codeName = codename
    if comment:
        ws["A1"].comment = Comment("note", "me")
    ws.protection.sheet = True
    wb.create_sheet(spec.RESULTS_SHEET)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, xlsm.MacroBuild, str]:
    d = tmp_path_factory.mktemp("xlsm")
    source = _workbook(d / "form.xlsx")
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    out = d / "绩效目标申报表.xlsm"
    info = xlsm.build_macro_workbook(source, out)
    return source, out, info, before


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_input_file_is_not_modified(built: tuple[Path, Path, xlsm.MacroBuild, str]) -> None:
    source, _, _, before = built
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before


def test_package_is_macro_enabled_with_code_names(built: tuple[Path, Path, xlsm.MacroBuild, str]) -> None:
    _, out, info, _ = built
    parts = _parts(out)
    types = parts["[Content_Types].xml"].decode()
    assert 'PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"' in types
    assert '<Override PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>' in types
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    assert 'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"' in rels
    assert '<workbookPr codeName="ThisWorkbook"/>' in parts["xl/workbook.xml"].decode()
    assert '<sheetPr codeName="Sheet1">' in parts["xl/worksheets/sheet1.xml"].decode()
    assert '<sheetPr codeName="Sheet2">' in parts["xl/worksheets/sheet2.xml"].decode()
    assert info.xlwings_version == "0.37.8"
    assert info.sheet_codenames == {spec.FORM_SHEET: "Sheet1", spec.RESULTS_SHEET: "Sheet2"}
    assert info.modules == ("ThisWorkbook", "Sheet1", "Sheet2", "xlwings", "Dictionary", "xltools")
    # openpyxl still reads it, and sees the same code names.
    wb = openpyxl.load_workbook(out, keep_vba=True)
    assert wb[spec.FORM_SHEET].sheet_properties.codeName == "Sheet1"
    assert wb[spec.FORM_SHEET]["A1"].value == spec.TITLE


def _buttons(parts: dict[str, bytes]) -> list[tuple[str, str, list[int]]]:
    root = ET.fromstring(parts["xl/drawings/vmlDrawing1.vml"])
    found = []
    for shape in root.iter(f"{VML}shape"):
        data = shape.find(f"{XL}ClientData")
        assert data is not None and data.attrib["ObjectType"] == "Button"
        caption = "".join(shape.find(f"{VML}textbox").itertext())  # type: ignore[union-attr]
        macro = data.findtext(f"{XL}FmlaMacro")
        anchor = [int(v) for v in (data.findtext(f"{XL}Anchor") or "").split(",")]
        assert data.findtext(f"{XL}PrintObject") == "False"
        found.append((caption, macro or "", anchor))
    return found


def test_form_sheet_has_two_buttons_right_of_the_form(built: tuple[Path, Path, xlsm.MacroBuild, str]) -> None:
    _, out, _, _ = built
    parts = _parts(out)
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    assert re.search(r'<legacyDrawing xmlns:r="[^"]+" r:id="xltButtons"/></worksheet>$', sheet)
    rels = parts["xl/worksheets/_rels/sheet1.xml.rels"].decode()
    assert 'Id="xltButtons"' in rels and 'Target="/xl/drawings/vmlDrawing1.vml"' in rels
    assert "legacyDrawing" not in parts["xl/worksheets/sheet2.xml"].decode()
    buttons = _buttons(parts)
    assert [(c, m) for c, m, _ in buttons] == [("一键校验", "[0]!CheckButton"), ("清除标记", "[0]!ClearButton")]
    first_free_col = len(spec.COLUMN_WIDTHS)  # 0-based index of column E
    for _, _, (c1, _, r1, _, c2, _, r2, _) in buttons:
        assert c1 >= first_free_col and c2 >= c1
        assert r1 >= spec.TITLE_ROW - 1 and r2 >= r1
    assert buttons[0][2][2:4] < buttons[1][2][2:4]  # the second sits below the first


def test_every_button_runs_an_existing_sub_of_our_module(built: tuple[Path, Path, xlsm.MacroBuild, str]) -> None:
    _, out, _, _ = built
    parser = VBA_Parser(str(out))
    modules = {name: code for (_, _, name, code) in parser.extract_macros()}
    parser.close()
    ours = modules["xltools.bas"]
    subs = set(re.findall(r"^Sub (\w+)\(\)", ours, re.MULTILINE))
    for _, macro, _ in _buttons(_parts(out)):
        assert macro.removeprefix("[0]!") in subs
    # The .xlsm carries every module, equal to its source.
    expected = {m.name: m.code for m in vba.project_modules(vba.standalone_modules(), ["Sheet1", "Sheet2"])}
    assert {name.rsplit(".", 1)[0]: code for name, code in modules.items()} == expected


def test_existing_code_names_are_kept(tmp_path: Path) -> None:
    source = _workbook(tmp_path / "a.xlsx", codename="FormSheet")
    info = xlsm.build_macro_workbook(source, tmp_path / "a.xlsm")
    assert info.sheet_codenames == {spec.FORM_SHEET: "FormSheet", spec.RESULTS_SHEET: "Sheet2"}
    assert info.modules[:3] == ("ThisWorkbook", "FormSheet", "Sheet2")
    assert '<sheetPr codeName="FormSheet">' in _parts(tmp_path / "a.xlsm")["xl/worksheets/sheet1.xml"].decode()


def test_make_xlsm_refuses_inconsistent_inputs(tmp_path: Path) -> None:
    source = _workbook(tmp_path / "b.xlsx")
    modules = vba.standalone_modules()
    good = vba.build_vba_project(modules, ["Sheet1", "Sheet2"])
    with pytest.raises(ValueError, match="code names"):
        xlsm.make_xlsm(source, tmp_path / "x.xlsm", vba.build_vba_project(modules, ["Sheet1"]))
    bad_macro = xlsm.Button(spec.FORM_SHEET, "x", "NoSuchMacro", 4, 0)
    with pytest.raises(ValueError, match="NoSuchMacro"):
        xlsm.make_xlsm(source, tmp_path / "x.xlsm", good, [bad_macro])
    commented = _workbook(tmp_path / "c.xlsx", comment=True)
    with pytest.raises(ValueError, match="legacy drawing"):
        xlsm.make_xlsm(commented, tmp_path / "x.xlsm", good, xlsm.form_buttons())
    assert not (tmp_path / "x.xlsm").exists()


# -- LibreOffice -------------------------------------------------------------------------------------------------

ODF_NS = {
    "form": "urn:oasis:names:tc:opendocument:xmlns:form:1.0",
    "script": "urn:oasis:names:tc:opendocument:xmlns:script:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}


def _inches(length: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(in|cm)", length).groups()  # type: ignore[union-attr]
    return float(value) / (2.54 if unit == "cm" else 1)


@pytest.mark.libreoffice
def test_libreoffice_binds_the_buttons_to_our_macros(tmp_path: Path) -> None:
    """On the shipped templates/绩效目标申报表.xlsm, the workbook staff actually get."""
    out = COMMITTED_TEMPLATE.with_suffix(".xlsm")
    libreoffice.convert([out], "ods", tmp_path)
    ods = _parts(tmp_path / (out.stem + ".ods"))
    content = ET.fromstring(ods["content.xml"])
    bound = {}
    for button in content.iter(f"{{{ODF_NS['form']}}}button"):
        listener = button.find(".//script:event-listener", ODF_NS)
        assert listener is not None
        assert listener.attrib[f"{{{ODF_NS['script']}}}event-name"] == "form:performaction"
        bound[button.attrib[f"{{{ODF_NS['form']}}}label"]] = listener.attrib[f"{{{ODF_NS['xlink']}}}href"]
    assert bound == {
        "一键校验": "vnd.sun.star.script:VBAProject.xltools.CheckButton?language=Basic&location=document",
        "清除标记": "vnd.sun.star.script:VBAProject.xltools.ClearButton?language=Basic&location=document",
    }
    # LibreOffice read our vbaProject.bin: every module arrives in its VBAProject library, code intact.
    basic = {n.removeprefix("Basic/VBAProject/") for n in ods if n.startswith("Basic/VBAProject/")}
    assert basic >= {"ThisWorkbook.xml", "Sheet1.xml", "Sheet2.xml", "xlwings.xml", "Dictionary.xml", "xltools.xml"}
    module = ET.fromstring(ods["Basic/VBAProject/xltools.xml"]).text or ""
    assert 'RunPython "import xltools.excel as x; x.check_button()"' in module
    # Both buttons sit on the form sheet, right of its columns (so outside the print area).
    tables = content.findall(".//table:table", ODF_NS)
    form = next(t for t in tables if t.attrib[f"{{{ODF_NS['table']}}}name"] == spec.FORM_SHEET)
    widths = {
        s.attrib[f"{{{ODF_NS['style']}}}name"]: _inches(p.attrib[f"{{{ODF_NS['style']}}}column-width"])
        for s in content.iter(f"{{{ODF_NS['style']}}}style")
        if (p := s.find("style:table-column-properties", ODF_NS)) is not None
    }
    form_width = 0.0
    columns = form.findall("table:table-column", ODF_NS)
    remaining = len(spec.COLUMN_WIDTHS)
    for col in columns:
        repeat = int(col.attrib.get(f"{{{ODF_NS['table']}}}number-columns-repeated", "1"))
        take = min(repeat, remaining)
        form_width += take * widths[col.attrib[f"{{{ODF_NS['table']}}}style-name"]]
        remaining -= take
        if not remaining:
            break
    assert form_width > 5.0  # inches: columns A-D are 88 characters wide
    controls = form.findall(".//draw:control", ODF_NS)
    assert len(controls) == 2
    for control in controls:
        assert _inches(control.attrib[f"{{{ODF_NS['svg']}}}x"]) > form_width


def test_shipped_xlsm_modules_equal_their_sources() -> None:
    """oletools reads templates/绩效目标申报表.xlsm: our module is macros/xltools.bas, xlwings' is the pinned one."""
    shipped = COMMITTED_TEMPLATE.with_suffix(".xlsm")
    parser = VBA_Parser(str(shipped))
    modules = {name.rsplit(".", 1)[0]: code for (_, _, name, code) in parser.extract_macros()}
    parser.close()
    sheets = ["Sheet1", "Sheet2", "Sheet3", "Sheet4", "Sheet5", "Sheet6"]
    assert modules == {m.name: m.code for m in vba.project_modules(vba.standalone_modules(), sheets)}
    assert modules["xltools"].replace("\r\n", "\n") == vba.MACRO_FILE.read_text(encoding="ascii").replace("\r\n", "\n")
    assert vba.xlwings_sources().version == "0.37.8"
    assert modules["xlwings"].splitlines()[2] == "'Version: 0.37.8"  # the module names the pinned version


def test_pyproject_pins_the_xlwings_whose_module_is_embedded() -> None:
    import tomllib

    project = tomllib.loads((COMMITTED_TEMPLATE.parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in project["project"]["dependencies"] if d.startswith("xlwings")]
    assert pins == [f"xlwings=={vba.xlwings_sources().version}"]
