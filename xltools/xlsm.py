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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from xltools import spec, vba
from xltools.atomic import write_bytes
from xltools.vba.project import read_vba_project

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
_DEFAULT_COL_PX = 64  # Excel's default column (8.43 characters of Calibri 11)
_DEFAULT_ROW_PT = 15.0


@dataclass(frozen=True)
class Button:
    """A Form-control button: where it sits (0-based column and row of its top-left corner, plus offsets and a
    size in pixels) and which macro a click runs."""

    sheet: str
    caption: str
    macro: str
    col: int
    row: int
    dx: int = 0
    dy: int = 0
    width: int = 112
    height: int = 30


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


# -- geometry ----------------------------------------------------------------------------------------------------


def _sheet_metrics(xml: bytes) -> tuple[dict[int, int], int, dict[int, int], int]:
    """Column widths and row heights in pixels (0-based keys) with their defaults, as Excel would draw them."""
    root = ET.fromstring(xml)
    fmt = root.find(f"{{{MAIN_NS}}}sheetFormatPr")
    default_col = _DEFAULT_COL_PX
    default_row_pt = _DEFAULT_ROW_PT
    if fmt is not None:
        if "defaultColWidth" in fmt.attrib:
            default_col = round(float(fmt.attrib["defaultColWidth"]) * 7)
        default_row_pt = float(fmt.attrib.get("defaultRowHeight", _DEFAULT_ROW_PT))
    cols: dict[int, int] = {}
    for col in root.iter(f"{{{MAIN_NS}}}col"):
        px = 0 if col.attrib.get("hidden") in ("1", "true") else round(float(col.attrib.get("width", 0)) * 7)
        for c in range(int(col.attrib["min"]) - 1, int(col.attrib["max"])):
            cols[c] = px
    rows: dict[int, int] = {}
    for row in root.iter(f"{{{MAIN_NS}}}row"):
        if "ht" in row.attrib:
            rows[int(row.attrib["r"]) - 1] = round(float(row.attrib["ht"]) * 4 / 3)
    return cols, default_col, rows, round(default_row_pt * 4 / 3)


def _anchor(sizes: dict[int, int], default: int, start: int, offset: int, extent: int) -> tuple[int, ...]:
    """(first index, offset into it, last index, offset into it, absolute start in pixels) along one axis."""

    def size(i: int) -> int:
        return sizes.get(i, default)

    while size(start) and offset >= size(start):
        offset -= size(start)
        start += 1
    absolute = sum(size(i) for i in range(start)) + offset
    end, end_offset = start, offset + extent
    while size(end) and end_offset >= size(end):
        end_offset -= size(end)
        end += 1
    return start, offset, end, end_offset, absolute


def _vml(buttons: Sequence[Button], metrics: tuple[dict[int, int], int, dict[int, int], int], idmap: int) -> str:
    cols, default_col, rows, default_row = metrics
    shapes = []
    for i, b in enumerate(buttons):
        c1, x1, c2, x2, left = _anchor(cols, default_col, b.col, b.dx, b.width)
        r1, y1, r2, y2, top = _anchor(rows, default_row, b.row, b.dy, b.height)
        style = (
            f"position:absolute;margin-left:{left * 0.75:g}pt;margin-top:{top * 0.75:g}pt;"
            f"width:{b.width * 0.75:g}pt;height:{b.height * 0.75:g}pt;z-index:{i + 1};mso-wrap-style:tight"
        )
        shapes.append(
            f'<v:shape id="_x0000_s{idmap * 1024 + 1 + i}" type="#_x0000_t201" style={quoteattr(style)}'
            ' o:button="t" fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto">'
            '<v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>'
            '<o:lock v:ext="edit" rotation="t"/>'
            '<v:textbox style="mso-direction-alt:auto" o:singleclick="f">'
            '<div style="text-align:center"><font face="宋体" size="220" color="#000000">'
            f"{escape(b.caption)}</font></div></v:textbox>"
            '<x:ClientData ObjectType="Button">'
            f"<x:Anchor>{c1}, {x1}, {r1}, {y1}, {c2}, {x2}, {r2}, {y2}</x:Anchor>"
            "<x:PrintObject>False</x:PrintObject>"
            "<x:AutoFill>False</x:AutoFill>"
            f"<x:FmlaMacro>[0]!{escape(b.macro)}</x:FmlaMacro>"
            "<x:TextHAlign>Center</x:TextHAlign>"
            "<x:TextVAlign>Center</x:TextVAlign>"
            "</x:ClientData></v:shape>"
        )
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
        ' xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{idmap}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/>'
        '<v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/>'
        '<o:lock v:ext="edit" shapetype="t"/></v:shapetype>' + "".join(shapes) + "</xml>"
    )


# -- the conversion ----------------------------------------------------------------------------------------------

_SUB = re.compile(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(\s*\)", re.IGNORECASE | re.MULTILINE)


def public_subs(code: str) -> set[str]:
    """Names of the argument-less, non-private Subs of a module: the macros a button can run."""
    return set(_SUB.findall(code))


def make_xlsm(
    xlsx: bytes | str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    vba_bin: bytes,
    buttons: Sequence[Button] = (),
) -> None:
    """Write ``out_path``: the workbook ``xlsx`` made macro-enabled (:func:`macro_package`). The input is not
    modified."""
    write_bytes(out_path, package_bytes(macro_package(xlsx, vba_bin, buttons)))


def macro_package(xlsx: bytes | str | os.PathLike[str], vba_bin: bytes, buttons: Sequence[Button] = (),
                  main_type: str = XLSM_MAIN) -> dict[str, bytes]:
    """The parts, by zip name, of the workbook ``xlsx`` with ``vba_bin`` and ``buttons``; ``main_type`` is the
    workbook part's content type (the add-in's, for an .xlam).

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
    package["xl/workbook.xml"] = _set_workbook_codename(package["xl/workbook.xml"].decode("utf-8"), book_code).encode(
        "utf-8"
    )
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
        package[vml_part] = _vml(on_sheet, _sheet_metrics(package[part]), idmap).encode("utf-8")
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
    make_xlsm(package_bytes, out_path, vba_bin, buttons)
    return MacroBuild(
        xlwings_version=sources.version,
        workbook_codename=book_code,
        sheet_codenames=sheet_codes,
        modules=tuple(m.name for m in read_vba_project(vba_bin)),
        buttons=buttons,
    )
