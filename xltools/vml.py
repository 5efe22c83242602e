"""Form-control buttons in a VML legacy drawing: where each sits on a sheet (column widths, row heights, hidden ones
taking no room) and the markup Excel reads for a button and LibreOffice imports as a push button with a macro.
Standard library only; :mod:`xltools.xlsm` puts the drawing into a workbook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
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



def sheet_metrics(xml: bytes) -> tuple[dict[int, int], int, dict[int, int], int]:
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

    # A hidden column (or row) takes no room: the object starts in the first visible one (the form's hidden fit
    # columns sit right of it, where the buttons go).
    for _ in range(16384):
        if size(start) and offset < size(start):
            break
        offset -= size(start)
        start += 1
    absolute = sum(size(i) for i in range(start)) + offset
    end, end_offset = start, offset + extent
    while size(end) and end_offset >= size(end):
        end_offset -= size(end)
        end += 1
    return start, offset, end, end_offset, absolute


def vml_drawing(buttons: Sequence[Button], metrics: tuple[dict[int, int], int, dict[int, int], int], idmap: int) -> str:
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
