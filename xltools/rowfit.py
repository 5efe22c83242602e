"""Row heights that show the text a worksheet holds, for a copy written without a spreadsheet program.

A printed form cuts a wrapped text off at its row's height: merged cells never grow in Excel, a row typed in a
program that does not fit heights keeps the template's, and LibreOffice fits nothing when it opens a file. An
annotated copy is printed and sent back, so it gets, in the form sheet's XML, the height each row needs for the
text it holds (its merged width counted, hidden columns and rows skipped). Rows only ever grow, and a row keeps
whether its height is fixed (``customHeight``): one that grows with its text (template version 3) still does when
the unit edits the copy.

Textual and minimal, like the rest of the annotated copy: only ``ht`` of the rows that need more room changes; a
sheet written with namespace prefixes is left as it was. Standard library only.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Sequence

from xltools.cells import column_index, split
from xltools.text import LINE_HEIGHT, lines

SHARED_STRINGS = "xl/sharedStrings.xml"
DEFAULT_WIDTH = 8.43  # Excel's default column width, in characters
DEFAULT_HEIGHT = 15.0
PADDING = 4.0  # points above and below the text

_SI = re.compile(rb"<si>(.*?)</si>|<si/>", re.S)
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_T = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>|<t\s*/>", re.S)
_ROW = re.compile(rb"<row\b([^>]*?)(/>|>(.*?)</row>)", re.S)
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_V = re.compile(rb"<v>(.*?)</v>", re.S)
_COL = re.compile(rb"<col\b([^>]*?)/?>")
_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+\d+):([A-Z]+\d+)"')
_FORMAT = re.compile(rb"<sheetFormatPr\b([^>]*?)/?>")


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace"))


def shared_strings(xml: bytes) -> list[str]:
    """The workbook's shared strings, in order (rich-text runs joined, phonetic guides left out)."""
    out = []
    for m in _SI.finditer(xml):
        body = _PHONETIC.sub(b"", m.group(1) or b"")
        out.append("".join(_text(t.group(1) or b"") for t in _T.finditer(body)))
    return out


def _attrs(raw: bytes) -> dict[str, str]:
    return {k.decode(): _text(v) for k, v in _ATTR.findall(raw)}


def cell_texts(sheet_xml: bytes, strings: Sequence[str]) -> dict[str, str]:
    """Address -> text of every cell holding text (a shared or inline string, or a formula's text result)."""
    out = {}
    for row in _ROW.finditer(sheet_xml):
        for cell in _CELL.finditer(row.group(3) or b""):
            attrs, body = _attrs(cell.group(1)), cell.group(2) or b""
            kind, address = attrs.get("t"), attrs.get("r")
            if address is None:
                continue
            if kind == "s":
                v = _V.search(body)
                index = int(v.group(1)) if v and v.group(1).strip().isdigit() else -1
                if 0 <= index < len(strings):
                    out[address] = strings[index]
            elif kind == "inlineStr":
                out[address] = "".join(_text(t.group(1) or b"") for t in _T.finditer(body))
            elif kind == "str":
                v = _V.search(body)
                if v:
                    out[address] = _text(v.group(1))
    return out


def _widths(sheet_xml: bytes) -> tuple[dict[int, float], float]:
    """Column index -> width (0 for a hidden column), and the default width."""
    fmt = _FORMAT.search(sheet_xml)
    default = float(_attrs(fmt.group(1)).get("defaultColWidth", DEFAULT_WIDTH)) if fmt else DEFAULT_WIDTH
    widths: dict[int, float] = {}
    for m in _COL.finditer(sheet_xml):
        a = _attrs(m.group(1))
        try:
            first, last, width = int(a["min"]), int(a["max"]), float(a.get("width", default))
        except (KeyError, ValueError):
            continue
        for col in range(first, min(last, 16384) + 1):
            widths[col] = 0.0 if a.get("hidden") in ("1", "true") else width
    return widths, default


def _place(address: str) -> tuple[str, int] | None:
    try:
        return split(address)
    except ValueError:  # an untrusted sheet may write anything
        return None


def needed_heights(sheet_xml: bytes, strings: Sequence[str], cells: Collection[str] | None = None) -> dict[int, float]:
    """Row -> the height (points) its texts need, for the rows holding any text (of ``cells`` only, when given:
    the cells staff type into; the template sized its own labels)."""
    widths, default = _widths(sheet_xml)
    spans = {}
    for first, last in _MERGE.findall(sheet_xml):
        top_left, bottom_right = _place(first.decode()), _place(last.decode())
        if top_left and bottom_right:
            spans[top_left] = range(column_index(top_left[0]), column_index(bottom_right[0]) + 1)
    out: dict[int, float] = {}
    for address, text in cell_texts(sheet_xml, strings).items():
        if cells is not None and address not in cells:
            continue
        place = _place(address)
        if place is None:
            continue
        col, row = place
        columns = spans.get(place, range(column_index(col), column_index(col) + 1))
        width = sum(widths.get(c, default) for c in columns)
        if width <= 0 or not text.strip():
            continue
        out[row] = max(out.get(row, 0.0), lines(text, width, slack=1.0) * LINE_HEIGHT + PADDING)
    return out


def fit_rows(sheet_xml: bytes, strings: Sequence[str], cells: Collection[str] | None = None) -> bytes:
    """``sheet_xml`` with each visible row as tall as the texts of its ``cells`` need (see :func:`needed_heights`).
    Returns the same bytes when no row needs to grow."""
    needed = needed_heights(sheet_xml, strings, cells)
    fmt = _FORMAT.search(sheet_xml)
    base = float(_attrs(fmt.group(1)).get("defaultRowHeight", DEFAULT_HEIGHT)) if fmt else DEFAULT_HEIGHT

    def grow(m: re.Match[bytes]) -> bytes:
        attrs = _attrs(m.group(1))
        try:
            number = int(attrs.get("r", ""))
            height = float(attrs["ht"]) if "ht" in attrs else base
        except ValueError:
            return m.group(0)
        wanted = needed.get(number, 0.0)
        if attrs.get("hidden") in ("1", "true") or wanted <= height + 0.5:
            return m.group(0)
        head = re.sub(rb'\sht="[^"]*"', b"", m.group(1)) + f' ht="{wanted:g}"'.encode()
        return b"<row" + head + m.group(2)

    return _ROW.sub(grow, sheet_xml)
