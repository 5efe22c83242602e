"""The add-in file, xltools.xlam, part by part against the Excel-made add-ins in the xlwings wheel
(``xlwings/addin/xlwings.xlam``, ``xlwings/quickstart_addin_ribbon.xlam``): content types, relationships, the
workbook part, the ribbon, the VBA project (read back with olefile and oletools) and its references; the
launcher's targets; a static proof that the interpreter is never looked up in the active workbook or its folder;
and LibreOffice opening it."""

from __future__ import annotations

import importlib.util
import io
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import olefile
import pytest
from click.testing import CliRunner
from oletools.olevba import VBA_Parser
from python_calamine import CalamineWorkbook

from tests import libreoffice
from xltools import __version__
from xltools.addin import launch, ribbon, xlam
from xltools.cli import main
from xltools.vba import ovba

# Found, not imported: importing xlwings here, before the remote-engine tests set their licence key, would turn
# its PRO parts off for the whole session.
XLWINGS = Path(str(importlib.util.find_spec("xlwings").origin)).parent  # type: ignore[union-attr]
XLWINGS_ADDIN = XLWINGS / "addin" / "xlwings.xlam"
QUICKSTART_ADDIN = XLWINGS / "quickstart_addin_ribbon.xlam"
REFERENCES = (XLWINGS_ADDIN, QUICKSTART_ADDIN)
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
UI = f"{{{ribbon.CUSTOMUI_NS}}}"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
VBA_PROJECT = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The bureau's add-in (both groups) and the staff PCs' (填报 only), written by the command into folders whose
    names have Chinese, spaces, quotes and &."""
    root = tmp_path_factory.mktemp("addin")
    made = {}
    for kind, args in (("bureau", []), ("staff", ["--staff"])):
        out = root / f"局里 'R&D' \"{kind}\""
        result = CliRunner().invoke(main, ["addin", "--out", str(out), *args])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == [str(out / "xltools.xlam")]
        made[kind] = out / "xltools.xlam"
    return made


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def content_types(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(defaults by extension, overrides by part name) of a package."""
    root = ET.fromstring(parts(path)["[Content_Types].xml"])
    defaults = {e.attrib["Extension"]: e.attrib["ContentType"] for e in root.iter(f"{CT}Default")}
    overrides = {e.attrib["PartName"]: e.attrib["ContentType"] for e in root.iter(f"{CT}Override")}
    return defaults, overrides


def relationships(path: Path, part: str) -> dict[str, str]:
    """Type -> Target of the relationships in ``part`` (a .rels part)."""
    root = ET.fromstring(parts(path)[part])
    return {r.attrib["Type"]: r.attrib["Target"] for r in root.iter(f"{REL}Relationship")}


# -- the package ---------------------------------------------------------------------------------------------------


def test_content_types_are_those_of_the_excel_made_addins(built: dict[str, Path]) -> None:
    for path in (*built.values(), *REFERENCES):
        defaults, overrides = content_types(path)
        assert overrides["/xl/workbook.xml"] == xlam.ADDIN_MAIN == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
        assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
        # The ribbon part has no override in any of them: it is application/xml by its extension.
        assert "/customUI/customUI.xml" not in overrides
        assert defaults == {"rels": "application/vnd.openxmlformats-package.relationships+xml",
                            "xml": "application/xml"}, path.name
        # Every part named exists, and every part of the package has a content type.
        names = set(parts(path))
        assert {p.lstrip("/") for p in overrides} <= names
        assert all(n.rsplit(".", 1)[-1] in defaults or f"/{n}" in overrides for n in names if n != "[Content_Types].xml")


def test_the_ribbon_is_related_from_the_package_as_in_xlwings_addin(built: dict[str, Path]) -> None:
    theirs = relationships(XLWINGS_ADDIN, "_rels/.rels")
    assert theirs[ribbon.UI_RELATIONSHIP] == "customUI/customUI.xml"
    # Namespace and relationship type belong together: the 2006/01 customUI schema with the 2006 relationship, as
    # in xlwings.xlam. (The quickstart add-in pairs that namespace with the 2007 customUI14 relationship instead.)
    assert ET.fromstring(parts(XLWINGS_ADDIN)[ribbon.RIBBON_PART]).tag == f"{UI}customUI"
    assert "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" in relationships(
        QUICKSTART_ADDIN, "_rels/.rels")
    for path in built.values():
        ours = relationships(path, "_rels/.rels")
        assert ours[ribbon.UI_RELATIONSHIP] == theirs[ribbon.UI_RELATIONSHIP] == ribbon.RIBBON_PART
        assert ours[OFFICE_DOCUMENT] == theirs[OFFICE_DOCUMENT] == "xl/workbook.xml"
        assert set(ours) == set(theirs)  # officeDocument, core and extended properties, the ribbon
        assert relationships(path, "xl/_rels/workbook.xml.rels")[VBA_PROJECT] == "vbaProject.bin"
        assert relationships(XLWINGS_ADDIN, "xl/_rels/workbook.xml.rels")[VBA_PROJECT] == "vbaProject.bin"


def test_the_workbook_is_hidden_and_paired_with_its_document_modules(built: dict[str, Path]) -> None:
    for path in (*built.values(), *REFERENCES):
        book = ET.fromstring(parts(path)["xl/workbook.xml"])
        views = book.findall(f"{MAIN}bookViews/{MAIN}workbookView")
        assert [v.attrib.get("visibility") for v in views] == ["hidden"], path.name
        pr = book.find(f"{MAIN}workbookPr")
        assert pr is not None and pr.attrib["codeName"] == "ThisWorkbook"
        assert len(book.findall(f"{MAIN}sheets/{MAIN}sheet")) == 1
    for kind, path in built.items():
        sheet = parts(path)["xl/worksheets/sheet1.xml"].decode()
        assert '<sheetPr codeName="Sheet1"' in sheet
        book = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
        assert book.get_sheet_by_name("xltools").to_python() == [
            ["xltools 加载项", "xltools.xlam"], ["版本", __version__],
            ["功能区", "填报、局里" if kind == "bureau" else "填报"]]


# -- the ribbon ----------------------------------------------------------------------------------------------------


def _ribbon(path: Path) -> ET.Element:
    return ET.fromstring(parts(path)[ribbon.RIBBON_PART])


def test_the_ribbon_tab_groups_and_buttons(built: dict[str, Path]) -> None:
    ui = _ribbon(built["bureau"])
    assert ui.tag == f"{UI}customUI"
    (tab,) = ui.iter(f"{UI}tab")
    assert tab.attrib["label"] == "绩效目标"
    shown = [(g.attrib["label"], [b.attrib["label"] for b in g.iter(f"{UI}button")]) for g in tab.iter(f"{UI}group")]
    assert shown == [("填报", ["一键校验", "清除标记"]), ("局里", ["生成下发模板", "汇总", "退回副本", "设置"])]
    staff = _ribbon(built["staff"])
    assert [[b.attrib["label"] for b in g.iter(f"{UI}button")] for g in staff.iter(f"{UI}group")] == [
        ["一键校验", "清除标记"]]
    for root in (ui, staff):
        ids = [e.attrib["id"] for e in root.iter() if "id" in e.attrib]
        assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z_][\w]*", i) for i in ids)
        for button in root.iter(f"{UI}button"):
            assert re.fullmatch(rf"{ribbon.CALLBACK_MODULE}\.On\w+", button.attrib["onAction"])
            assert button.attrib["imageMso"] and button.attrib["supertip"]


def _modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for (_, _, name, code) in parser.extract_macros()}
    finally:
        parser.close()


def test_every_callback_is_a_sub_taking_the_ribbon_control(built: dict[str, Path]) -> None:
    """Read back with oletools: each onAction names a Sub of XltRibbon with the IRibbonControl signature, and each
    Sub hands an action the launcher knows."""
    for path in built.values():
        code = _modules(path)[ribbon.CALLBACK_MODULE]
        for button in _ribbon(path).iter(f"{UI}button"):
            sub = button.attrib["onAction"].split(".", 1)[1]
            body = re.search(rf"^Public Sub {sub}\(control As IRibbonControl\)\r\n(.*?)\r\nEnd Sub", code,
                             re.MULTILINE | re.DOTALL)
            assert body is not None, sub
            action = re.fullmatch(r'\s*Launch "(\w+)", Zh\("([0-9A-F]+)"\)', body.group(1))
            assert action is not None, body.group(1)
            expected = next(b for b in ribbon.GROUPS[0].buttons + ribbon.GROUPS[1].buttons if b.callback == sub)
            assert action.group(1) == expected.action
            assert bytes.fromhex(action.group(2)).decode("utf-16-be") == expected.label  # the title of its messages
    every = re.findall(r'Launch "(\w+)"', _modules(built["bureau"])[ribbon.CALLBACK_MODULE])
    assert sorted(every) == sorted(launch.ACTIONS) == sorted(b.action for b in ribbon.buttons())


def test_every_launcher_target_is_importable() -> None:
    for action, target in launch.ACTIONS.items():
        function = launch.resolve(action)
        assert callable(function) and f"{function.__module__}:{function.__name__}" == target


# -- the VBA project -----------------------------------------------------------------------------------------------


def _dir_records(path: Path) -> list[tuple[int, bytes]]:
    with olefile.OleFileIO(io.BytesIO(parts(path)["xl/vbaProject.bin"])) as ole:
        raw = ovba.decompress(ole.openstream("VBA/dir").read())
    out, pos = [], 0
    while pos < len(raw):
        rid, size = struct.unpack_from("<HI", raw, pos)
        size = 6 if rid == 0x0009 else size
        out.append((rid, raw[pos + 6: pos + 6 + size]))
        pos += 6 + size
    return out


def test_the_project_references_the_office_library_as_xlwings_addin_does(built: dict[str, Path]) -> None:
    theirs = _dir_records(XLWINGS_ADDIN)
    for path in built.values():
        mine = _dir_records(path)
        # REFERENCENAME and REFERENCEREGISTERED records: stdole and the Office object library (IRibbonControl's),
        # byte for byte those of xlwings' Excel-made add-in.
        assert [v for r, v in mine if r == 0x0016] == [v for r, v in theirs if r == 0x0016] == [b"stdole", b"Office"]
        assert [v for r, v in mine if r == 0x000D] == [v for r, v in theirs if r == 0x000D]
        office = [v for r, v in mine if r == 0x000D][1]
        assert b"*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#" in office
        assert next(v for r, v in mine if r == 0x0004) == b"xltools"  # PROJECTNAME (theirs: xlwings)
        # SYSKIND, LCID, LCIDINVOKE, CODEPAGE as in theirs
        for rid in (0x0001, 0x0002, 0x0014, 0x0003):
            assert next(v for r, v in mine if r == rid) == next(v for r, v in theirs if r == rid), hex(rid)


def test_oletools_reads_every_module_as_built_from_macros(built: dict[str, Path]) -> None:
    modules = _modules(built["bureau"])
    assert list(modules) == ["ThisWorkbook", "Sheet1", "XltLaunch", "XltRibbon"]
    stored = {m.name: m.code for m in xlam.addin_modules()}
    for name in ("XltLaunch", "XltRibbon"):
        assert modules[name] == stored[name]
        assert modules[name].isascii()
        assert max(len(line) for line in modules[name].splitlines()) <= xlam.MAX_VBA_LINE
    # Each Chinese literal of the sources is stored as Zh("hex") and decodes to the same text.
    for name, source in xlam.module_sources().items():
        chinese = [lit[1:-1] for lit in re.findall(r'"[^"\r\n]*"', source) if not lit.isascii()]
        code = modules[name.removesuffix(".bas")]
        decoded = [bytes.fromhex(h).decode("utf-16-be") for h in re.findall(r'Zh\("([0-9A-F]+)"\)', code)]
        assert chinese and decoded == chinese


def test_chinese_literals_become_zh_calls_and_nothing_else_may_be_chinese() -> None:
    source = 'Attribute VB_Name = "M"\nSub A()\n    Say "引号""和 & 中文" & "ascii", "标题" \' an ASCII comment\nEnd Sub\n'
    converted = xlam.ascii_vba(source)
    hexed = xlam.zh_hex('引号"和 & 中文')
    assert f'Say Zh("{hexed}") & "ascii", Zh("{xlam.zh_hex("标题")}") \' an ASCII comment' in converted
    assert converted.endswith("End Sub\r\n") and "\n" not in converted.replace("\r\n", "")
    assert bytes.fromhex(hexed).decode("utf-16-be") == '引号"和 & 中文'
    with pytest.raises(ValueError, match="line 2: non-ASCII text outside a string literal"):
        xlam.ascii_vba('Attribute VB_Name = "M"\n\' 中文注释\n')


# -- safe by construction -----------------------------------------------------------------------------------------

BANNED = ("ActiveWorkbook", "ActiveSheet", "ActiveWindow", "ActiveCell", "Selection", "Workbooks", "Worksheets",
          "Sheets", "ThisWorkbook", "Range", "Cells", ".Path", ".FullName", "CurDir", "ChDir", "xlwings", "GetConfig",
          "Environ(")


def _procedures(code: str) -> dict[str, str]:
    found = re.findall(r"^(?:Public |Private )?(?:Sub|Function) (\w+)\(.*?^End (?:Sub|Function)", code,
                       re.MULTILINE | re.DOTALL)
    bodies = re.findall(r"^((?:Public |Private )?(?:Sub|Function) \w+\(.*?^End (?:Sub|Function))", code,
                        re.MULTILINE | re.DOTALL)
    return dict(zip(found, bodies, strict=True))


def _reached(procedures: dict[str, str], start: str) -> set[str]:
    seen, queue = set(), [start]
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        queue += [other for other in procedures if other != name and re.search(rf"\b{other}\b", procedures[name])]
    return seen


def test_the_interpreter_is_never_looked_up_in_the_active_workbook_or_its_folder(built: dict[str, Path]) -> None:
    code = _modules(built["bureau"])["XltLaunch"]
    procedures = _procedures(code)
    lookup = _reached(procedures, "InterpreterPath")
    assert lookup == {"InterpreterPath", "SettingValue", "SettingsPath"}
    for name in lookup:
        for word in BANNED:
            assert word not in procedures[name], f"{name} uses {word}"
    # Where it looks: the settings file under %LOCALAPPDATA%\xltools, else the install's own venv.
    assert 'HOME_FOLDER As String = "%LOCALAPPDATA%\\xltools"' in code
    assert 'DEFAULT_INTERPRETER As String = "%LOCALAPPDATA%\\xltools\\venv\\Scripts\\pythonw.exe"' in code
    # The active workbook is named in the request (data, never a place to look), and nowhere else.
    uses = [name for name, body in procedures.items() if "ActiveWorkbook" in body]
    assert uses == ["WriteRequest"] and re.findall(r"ActiveWorkbook\.?\w*", code) == ["ActiveWorkbook.Name"]
    # The command line: the interpreter in quotes, fixed switches (-I: no PYTHON* variables, no current folder on
    # sys.path) and the token; no cmd.exe, no path of a workbook or a dialog.
    (run,) = re.findall(r"wsh\.Run\((.*)\)", code)
    assert run == "Chr(34) & python & Chr(34) & PYTHON_SWITCHES & token, 0, True"
    assert 'PYTHON_SWITCHES As String = " -I -B -m xltools.addin "' in code
    statements = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("'"))
    assert "cmd" not in statements.lower() and "Shell " not in statements
    # The longest command line: the longest Windows path for the interpreter (32,767 characters with the \\?\
    # prefix is not what FileExists accepts; MAX_PATH is), the switches and 32 hex digits: far under cmd.exe's 8,191.
    assert 2 + 260 + len(" -I -B -m xltools.addin ") + 32 < 8191


def test_the_python_side_finds_its_files_only_under_the_users_local_appdata(monkeypatch: pytest.MonkeyPatch,
                                                                            tmp_path: Path) -> None:
    from xltools.addin import settings

    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "用户 & 数据"))
    monkeypatch.chdir(tmp_path)
    assert settings.settings_path() == tmp_path / "用户 & 数据" / "xltools" / "xltools.conf"
    assert settings.run_folder() == tmp_path / "用户 & 数据" / "xltools" / "run"
    source = (Path(settings.__file__)).read_text(encoding="utf-8") + Path(launch.__file__).read_text(encoding="utf-8")
    assert "getcwd" not in source and "xlwings.conf" not in source.replace("an ``xlwings.conf`` sheet", "")


def test_a_module_named_like_ours_in_the_current_folder_is_not_imported(tmp_path: Path) -> None:
    """What the VBA starts: ``python -I -B -m xltools.addin TOKEN``. A returned form's folder holding an
    ``xltools`` package of its own cannot take over, wherever the current folder is."""
    trap = tmp_path / "回收 & 退回"
    (trap / "xltools" / "addin").mkdir(parents=True)
    for init in ("xltools/__init__.py", "xltools/addin/__init__.py"):
        (trap / init).write_text("raise SystemExit('imported from the current folder')\n", encoding="utf-8")
    (trap / "xltools" / "addin" / "__main__.py").write_text("raise SystemExit(99)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", "-B", "-m", "xltools.addin", "not-a-token"], cwd=trap,
                          capture_output=True, text=True, env={"PYTHONPATH": str(trap), "PATH": "/usr/bin"})
    assert (done.returncode, done.stderr) == (launch.BAD_USAGE, "")


# -- LibreOffice ---------------------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_opens_the_addin(built: dict[str, Path], tmp_path: Path) -> None:
    """LibreOffice 7's type detection does not know the add-in content type (it refuses xlwings' Excel-made add-ins
    alike), so the import filter is named: Excel 2007-365 with VBA."""
    (ods,) = libreoffice.convert([built["bureau"]], "ods", tmp_path, infilter="Calc MS Excel 2007 VBA XML")
    content = parts(ods)
    basic = {n.removeprefix("Basic/xltools/") for n in content if n.startswith("Basic/xltools/")}
    assert basic >= {"ThisWorkbook.xml", "Sheet1.xml", "XltLaunch.xml", "XltRibbon.xml"}
    module = ET.fromstring(content["Basic/xltools/XltRibbon.xml"]).text or ""
    assert f'Launch "check", Zh("{xlam.zh_hex("一键校验")}")' in module
    assert 'table:name="xltools"' in content["content.xml"].decode()
