"""Turn an .xlsx written by openpyxl into a macro-enabled .xlsm with buttons bound to macros, without Excel.

The package gains ``xl/vbaProject.bin`` (built by :mod:`xltools.vba`), its relationship and the macro-enabled
content type; workbook and worksheets get the ``codeName`` attributes that pair them with their document modules;
each button is a Form-control button in a VML legacy drawing (``<x:ClientData ObjectType="Button">`` with
``<x:FmlaMacro>``), the markup Excel reads for buttons and LibreOffice imports as a push button with a macro.
The edit is textual and minimal: every other part is copied byte for byte.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from xltools import spec, vba
from xltools.atomic import write_bytes
from xltools.live import BUTTON_NAME
from xltools.vba.project import read_vba_project
from xltools.vml import Button, sheet_metrics, vml_drawing

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
VML_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA_TYPE = "application/vnd.ms-office.vbaProject"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
VBA_PART = "xl/vbaProject.bin"

WORKBOOK_CODENAME = "ThisWorkbook"
# Our buttons: caption on the form, Sub in macros/xltools.bas.
FORM_BUTTONS = (("一键校验", "CheckButton"), ("清除标记", "ClearButton"))

# Elements that follow <legacyDrawing> in CT_Worksheet; it goes before the first one present.
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
                 "extLst")


@dataclass(frozen=True)
class MacroBuild:
    """What :func:`build_macro_workbook` put into the workbook."""

    xlwings_version: str
    workbook_codename: str
    sheet_codenames: dict[str, str]  # sheet name -> code name, in workbook order
    modules: tuple[str, ...]  # every module of the VBA project, in project order
    buttons: tuple[Button, ...]


# -- package helpers ---------------------------------------------------------------------------------------------


def _read_package(xlsx: bytes | str | os.PathLike[str]) -> dict[str, bytes]:
    data = xlsx if isinstance(xlsx, bytes) else Path(xlsx).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def _part(base: str, target: str) -> str:
    """The zip name of a relationship target, relative to the part ``base`` or absolute."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = base.split("/")[:-1]
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")  # the package's own relationships: part "" -> _rels/.rels
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _relationships(package: dict[str, bytes], part: str) -> list[dict[str, str]]:
    raw = package.get(_rels_name(part))
    if raw is None:
        return []
    return [dict(r.attrib) for r in ET.fromstring(raw).iter(f"{{{PKG_REL_NS}}}Relationship")]


def add_relationship(package: dict[str, bytes], part: str, rid: str, rtype: str, target: str) -> None:
    name = _rels_name(part)
    text = package.get(name, f'<Relationships xmlns="{PKG_REL_NS}"></Relationships>'.encode()).decode("utf-8")
    if re.search(rf'\bId="{re.escape(rid)}"', text):
        raise ValueError(f"{name} already has a relationship {rid}")
    rel = f'<Relationship Id="{rid}" Type="{rtype}" Target="{target}"/>'
    text = re.sub(r"(<Relationships\b[^>]*)/>", r"\1></Relationships>", text)
    package[name] = text.replace("</Relationships>", rel + "</Relationships>").encode("utf-8")


def _sheet_parts(package: dict[str, bytes]) -> list[tuple[str, str]]:
    """(sheet name, part name) of every worksheet, in workbook order."""
    root = ET.fromstring(package["xl/workbook.xml"])
    targets = {r["Id"]: _part("xl/workbook.xml", r["Target"]) for r in _relationships(package, "xl/workbook.xml")}
    return [(s.attrib["name"], targets[s.attrib[f"{{{REL_NS}}}id"]]) for s in root.iter(f"{{{MAIN_NS}}}sheet")]


def codenames(xlsx: bytes | str | os.PathLike[str]) -> tuple[str, dict[str, str]]:
    """The workbook's code name and each worksheet's, in order: those the file has, defaults for the others.

    Defaults are Excel's: ThisWorkbook, and SheetN for the N-th sheet (bumped past names already taken).
    """
    package = _read_package(xlsx)
    return _codenames(package)


def _codenames(package: dict[str, bytes]) -> tuple[str, dict[str, str]]:
    pr = ET.fromstring(package["xl/workbook.xml"]).find(f"{{{MAIN_NS}}}workbookPr")
    book = pr.attrib.get("codeName", WORKBOOK_CODENAME) if pr is not None else WORKBOOK_CODENAME
    found: dict[str, str | None] = {}
    for name, part in _sheet_parts(package):
        sheet_pr = ET.fromstring(package[part]).find(f"{{{MAIN_NS}}}sheetPr")
        found[name] = sheet_pr.attrib.get("codeName") if sheet_pr is not None else None
    taken = {book.lower(), *(c.lower() for c in found.values() if c)}
    result: dict[str, str] = {}
    for i, (name, code) in enumerate(found.items(), start=1):
        if not code:
            n = i
            while f"sheet{n}" in taken:
                n += 1
            code = f"Sheet{n}"
            taken.add(code.lower())
        result[name] = code
    return book, result


def _set_workbook_codename(xml: str, code: str) -> str:
    m = re.search(r"<workbookPr\b([^>]*?)\s*(/?)>", xml)
    if m:
        if "codeName=" in m.group(1):
            return xml
        return xml[: m.start()] + f'<workbookPr codeName="{code}"{m.group(1)}{m.group(2)}>' + xml[m.end() :]
    anchor = None
    for tag in ("fileSharing", "fileVersion"):
        t = re.search(rf"<{tag}\b[^>]*/>", xml)
        if t and (anchor is None or t.end() > anchor):
            anchor = t.end()
    if anchor is None:
        root = re.search(r"<workbook\b[^>]*>", xml)
        if not root:
            raise ValueError("workbook.xml has no <workbook> element")
        anchor = root.end()
    return xml[:anchor] + f'<workbookPr codeName="{code}"/>' + xml[anchor:]


def _set_sheet_codename(xml: str, code: str) -> str:
    m = re.search(r"<sheetPr\b([^>]*?)\s*(/?)>", xml)
    if m:
        if "codeName=" in m.group(1):
            return xml
        return xml[: m.start()] + f'<sheetPr codeName="{code}"{m.group(1)}{m.group(2)}>' + xml[m.end() :]
    root = re.search(r"<worksheet\b[^>]*>", xml)
    if not root:
        raise ValueError("worksheet part has no <worksheet> element")
    return xml[: root.end()] + f'<sheetPr codeName="{code}"/>' + xml[root.end() :]


def _add_legacy_drawing(xml: str, rid: str) -> str:
    if "<legacyDrawing " in xml or "<legacyDrawing>" in xml:
        # openpyxl writes one for cell comments; merging two VML drawings is not supported (yet).
        raise ValueError("the sheet already has a legacy drawing (cell comments?); cannot add buttons to it")
    element = f'<legacyDrawing xmlns:r="{REL_NS}" r:id="{rid}"/>'
    positions = [m.start() for tag in _AFTER_LEGACY if (m := re.search(rf"<{tag}\b", xml))]
    at = min(positions) if positions else xml.rindex("</worksheet>")
    return xml[:at] + element + xml[at:]


# -- the conversion ----------------------------------------------------------------------------------------------

_SUB = re.compile(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(\s*\)", re.IGNORECASE | re.MULTILINE)


def public_subs(code: str) -> set[str]:
    """Names of the argument-less, non-private Subs of a module: the macros a button can run."""
    return set(_SUB.findall(code))


def set_constant_names(xml: str, values: Mapping[str, str]) -> str:
    """workbook.xml with the defined names of ``values`` (constants, like ``xlt_button``) set to those values; a
    name the workbook does not define is left out (a workbook made before the name existed)."""
    for name, value in values.items():
        pattern = rf'(<definedName\b[^>]*\bname="{re.escape(name)}"[^>]*>)[^<]*(</definedName>)'
        xml = re.sub(pattern, lambda m: m.group(1) + escape(value) + m.group(2), xml)  # noqa: B023 - used at once
    return xml


def make_xlsm(
    xlsx: bytes | str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    vba_bin: bytes,
    buttons: Sequence[Button] = (),
    names: Mapping[str, str] | None = None,
) -> None:
    """Write ``out_path``: the workbook ``xlsx`` made macro-enabled (:func:`macro_package`); ``names``: constant
    defined names to set (see :func:`set_constant_names`). The input is not modified."""
    write_bytes(out_path, package_bytes(macro_package(xlsx, vba_bin, buttons, names=names)))


def macro_package(xlsx: bytes | str | os.PathLike[str], vba_bin: bytes, buttons: Sequence[Button] = (),
                  main_type: str = XLSM_MAIN, names: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """The parts, by zip name, of the workbook ``xlsx`` with ``vba_bin`` and ``buttons``; ``main_type`` is the
    workbook part's content type (the add-in's, for an .xlam); ``names``: constant defined names to set.

    ``vba_bin``'s document modules must be exactly the workbook's code names as :func:`codenames` reports
    them (missing code names are written into the workbook), and every button's macro must be a Sub of one of
    its standard modules; otherwise ValueError.
    """
    package = _read_package(xlsx)
    if VBA_PART in package:
        raise ValueError("the workbook already has a VBA project")
    book_code, sheet_codes = _codenames(package)
    stored = read_vba_project(vba_bin)
    documents = [m.name for m in stored if m.kind == "document"]
    expected = [book_code, *sheet_codes.values()]
    if sorted(d.lower() for d in documents) != sorted(e.lower() for e in expected):
        raise ValueError(f"VBA document modules {documents} do not match the workbook's code names {expected}")
    macros = set().union(*(public_subs(m.code) for m in stored if m.kind == "module"))
    sheets = dict(_sheet_parts(package))
    for b in buttons:
        if b.macro not in macros:
            raise ValueError(f"button {b.caption!r}: no Sub {b.macro}() in the VBA project")
        if b.sheet not in sheets:
            raise ValueError(f"button {b.caption!r}: no sheet {b.sheet!r}")

    types = package["[Content_Types].xml"].decode("utf-8")
    if XLSX_MAIN not in types:
        raise ValueError("not a macro-free workbook: the main part's content type is not the .xlsx one")
    types = types.replace(XLSX_MAIN, main_type)
    added = f'<Override PartName="/{VBA_PART}" ContentType="{VBA_TYPE}"/>'
    if buttons and 'Extension="vml"' not in types:
        added = f'<Default Extension="vml" ContentType="{VML_TYPE}"/>' + added
    package["[Content_Types].xml"] = types.replace("</Types>", added + "</Types>").encode("utf-8")

    package[VBA_PART] = vba_bin
    add_relationship(package, "xl/workbook.xml", "xltVbaProject", VBA_REL, "vbaProject.bin")
    workbook = _set_workbook_codename(package["xl/workbook.xml"].decode("utf-8"), book_code)
    package["xl/workbook.xml"] = set_constant_names(workbook, names or {}).encode("utf-8")
    for name, part in sheets.items():
        package[part] = _set_sheet_codename(package[part].decode("utf-8"), sheet_codes[name]).encode("utf-8")

    drawing_no = 1
    for idmap, (name, part) in enumerate(sheets.items(), start=1):
        on_sheet = [b for b in buttons if b.sheet == name]
        if not on_sheet:
            continue
        while f"xl/drawings/vmlDrawing{drawing_no}.vml" in package:
            drawing_no += 1
        vml_part = f"xl/drawings/vmlDrawing{drawing_no}.vml"
        package[vml_part] = vml_drawing(on_sheet, sheet_metrics(package[part]), idmap).encode("utf-8")
        add_relationship(package, part, "xltButtons", VML_REL, "/" + vml_part)
        package[part] = _add_legacy_drawing(package[part].decode("utf-8"), "xltButtons").encode("utf-8")

    return package


def package_bytes(package: dict[str, bytes]) -> bytes:
    """The zip of ``package``'s parts: [Content_Types].xml first, as Office writes it; the rest in their order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", package["[Content_Types].xml"])
        for name, data in package.items():
            if name != "[Content_Types].xml":
                z.writestr(name, data)
    return buffer.getvalue()


def form_buttons(family: spec.Family = spec.DECLARATION) -> tuple[Button, ...]:
    """The two buttons on the form sheet of ``family``: right of the form's columns, at the top, so they never print
    and never cover an input cell. Positions derive from the spec's column count and title row."""
    col = len(family.widths)  # 0-based: the first column right of the form
    row = spec.TITLE_ROW - 1
    width, height, gap = 112, 30, 8
    return tuple(
        Button(
            family.sheet, caption, macro, col, row, dx=gap, dy=gap + i * (height + gap), width=width, height=height
        )
        for i, (caption, macro) in enumerate(FORM_BUTTONS)
    )


def build_macro_workbook(xlsx_path: str | os.PathLike[str], out_path: str | os.PathLike[str],
                         family: spec.Family = spec.DECLARATION) -> MacroBuild:
    """The .xlsm twin of the form at ``xlsx_path`` (a ``family`` form): standalone xlwings VBA, our module, the two
    buttons (the macro is the same for every family: the button reads the template id)."""
    package_bytes = Path(xlsx_path).read_bytes()
    book_code, sheet_codes = codenames(package_bytes)
    sources = vba.xlwings_sources()
    modules = [*sources.modules, *vba.our_modules()]
    vba_bin = vba.build_vba_project(modules, list(sheet_codes.values()), workbook_codename=book_code)
    buttons = form_buttons(family)
    # The file has the button now: the status line's last words point to it (the .xlsx never mentions one).
    make_xlsm(package_bytes, out_path, vba_bin, buttons, names={BUTTON_NAME: "1"})
    return MacroBuild(
        xlwings_version=sources.version,
        workbook_codename=book_code,
        sheet_codenames=sheet_codes,
        modules=tuple(m.name for m in read_vba_project(vba_bin)),
        buttons=buttons,
    )
