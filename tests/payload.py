"""The JSON payload xlwings' VBA client (``xlwings/addin/Remote.bas``) would send for a workbook file.

Tests turn it into ``xw.Book(json=payload(path))``: xlwings' remote engine then stands in for Excel, and
``book.json()`` lists what Excel would be asked to do. Building the payload from a real file (rather than by
hand) means the button is tested against exactly what the template and ``fill()`` produce.

What Remote.bas sends, and how this reproduces it:

* ``client`` "VBA", ``version`` the xlwings version (the remote engine refuses any other);
* ``book``: ``name`` (file name only), ``active_sheet_index`` (0-based), ``selection`` (relative address, from
  the active sheet's view in the file);
* ``names``: every defined name that refers to a range: ``name`` (a sheet-scoped name as ``Sheet!Name``, and
  ``_xlnm.`` names as Excel shows them, e.g. ``申报表!Print_Area``), ``sheet_index`` of the range,
  ``address`` relative (``Address(False, False)``), ``book_scope`` and the scope sheet's name and index.
  Names that are constants or formulas are left out, as ``RefersToRange`` fails for them in VBA;
* ``sheets``: every worksheet (hidden ones too) with ``name``, ``pictures`` and ``tables`` (always empty
  here: the template has neither) and ``values``: ``UsedRange`` from A1, i.e. A1 to the last used cell.
  The used range is calamine's data range, widened to the sheet's recorded ``<dimension>`` (Excel counts
  formatted empty cells as used). An empty sheet is ``[[]]``.

Cell values as VBA's JSON converter writes them: dates ``yyyy-mm-ddTHH:MM:SS.000Z`` (a time alone is a date on
1899-12-30, Excel's day 0), numbers with at most 15 significant digits (``CStr`` of a Double, so an integral
number arrives as a JSON integer), booleans, strings. Blank cells are ``""`` by default (what the Office.js
client sends and what the domain brief describes); pass ``blank=None`` for what VBA's JsonConverter really emits
for an ``Empty`` inside an array (``null``). The remote engine reads both as None. Error cells: calamine gives
``""`` where Excel would send ``"#DIV/0!"`` and the like; the remote engine reads those strings as None too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import xlwings
from defusedxml import ElementTree
from python_calamine import CalamineWorkbook, SheetTypeEnum

from xltools.workbook import sheet_member

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_EXCEL_DAY0 = dt.datetime(1899, 12, 30)
_CELL = r"\$?[A-Z]{1,3}\$?\d+"
_AREA_RE = re.compile(
    rf"^(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!]+))!"
    rf"(?P<ref>{_CELL}(?::{_CELL})?|\$?[A-Z]{{1,3}}:\$?[A-Z]{{1,3}}|\$?\d+:\$?\d+)$"
)


def payload(path: str | Path, *, blank: str | None = "") -> dict[str, Any]:
    """The request body Remote.bas would post for the workbook at ``path`` (as parsed JSON)."""
    path = Path(path)
    book = CalamineWorkbook.from_path(str(path))
    try:
        with zipfile.ZipFile(path) as zf:
            workbook_xml = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            all_sheets = [s.get("name", "") for s in workbook_xml.iterfind("m:sheets/m:sheet", _NS)]
            worksheets = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
            view = workbook_xml.find("m:bookViews/m:workbookView", _NS)
            active_tab = int(view.get("activeTab", "0")) if view is not None else 0
            active = all_sheets[active_tab] if active_tab < len(all_sheets) else worksheets[0]
            sheets = []
            for name in worksheets:
                sheet_xml = _sheet_xml(zf, name)
                grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                sheets.append({
                    "name": name,
                    "pictures": [],
                    "tables": [],
                    "values": _values(grid, _dimension(sheet_xml), blank),
                })
            body: dict[str, Any] = {
                "client": "VBA",
                "version": xlwings.__version__,
                "book": {
                    "name": path.name,
                    "active_sheet_index": worksheets.index(active) if active in worksheets else 0,
                    "selection": _selection(_sheet_xml(zf, active)),
                },
                "names": _names(workbook_xml, all_sheets),
                "sheets": sheets,
            }
    finally:
        book.close()
    # What travels is JSON: make sure it is, and hand back exactly what the server would parse.
    parsed: dict[str, Any] = json.loads(json.dumps(body, ensure_ascii=False))
    return parsed


def _sheet_xml(zf: zipfile.ZipFile, name: str) -> bytes:
    member = sheet_member(zf, name)
    return zf.read(member) if member else b""


def _dimension(sheet_xml: bytes) -> tuple[int, int]:
    """(rows, columns) of the sheet's recorded used range from A1, or (0, 0)."""
    m = re.search(rb'<(?:\w+:)?dimension\b[^>]*\bref="([^"]+)"', sheet_xml)
    if not m:
        return 0, 0
    last = m.group(1).decode().split(":")[-1]
    col, row = _cell_coords(last)
    return row, col


def _cell_coords(cell: str) -> tuple[int, int]:
    """1-based (column, row) of a relative or absolute A1 cell."""
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", cell)
    if not m:
        raise ValueError(cell)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return col, int(m.group(2))


def _values(grid: list[list[Any]], dimension: tuple[int, int], blank: str | None) -> list[list[Any]]:
    data_rows = len(grid)
    data_cols = max((len(r) for r in grid), default=0)
    nrows = max(data_rows, dimension[0])
    ncols = max(data_cols, dimension[1])
    if data_rows == 0 or data_cols == 0 or all(v == "" for r in grid for v in r):
        # VBA: IsEmpty(UsedRange.Value) -> Array(Array())
        return [[]]
    out = []
    for i in range(nrows):
        row = grid[i] if i < data_rows else []
        out.append([cell_json(row[j], blank) if j < len(row) else blank for j in range(ncols)])
    return out


def cell_json(value: Any, blank: str | None = "") -> Any:
    """One cell's value as VBA's JSON converter writes it (already parsed back)."""
    if value is None or value == "":
        return blank
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        # CStr(Double): 15 significant digits; "3" parses back as an integer.
        number = float(f"{float(value):.15g}")
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    if isinstance(value, dt.datetime):
        return _iso(value)
    if isinstance(value, dt.date):
        return _iso(dt.datetime.combine(value, dt.time()))
    if isinstance(value, dt.time):
        return _iso(dt.datetime.combine(_EXCEL_DAY0.date(), value))
    if isinstance(value, dt.timedelta):
        return _iso(_EXCEL_DAY0 + value)
    return str(value)


def _iso(value: dt.datetime) -> str:
    # VBA.Format$(d, "yyyy-mm-ddTHH:mm:ss.000Z"): whole seconds, no time zone conversion.
    return value.strftime("%Y-%m-%dT%H:%M:%S") + ".000Z"


def _selection(sheet_xml: bytes) -> str:
    """Relative address of the selection in the sheet's first view, like ``Selection.Address(False, False)``."""
    if not sheet_xml:
        return "A1"
    root = ElementTree.fromstring(sheet_xml)
    view = root.find("m:sheetViews/m:sheetView", _NS)
    if view is None:
        return "A1"
    pane = view.find("m:pane", _NS)
    active_pane = pane.get("activePane", "topLeft") if pane is not None else "topLeft"
    chosen = None
    for sel in view.iterfind("m:selection", _NS):
        if sel.get("pane", "topLeft") == active_pane:
            chosen = sel
    sqref = chosen.get("sqref") if chosen is not None else None
    if not sqref:
        return "A1"
    return ",".join(part.replace("$", "") for part in sqref.split())


def _names(workbook_xml: Any, all_sheets: list[str]) -> list[dict[str, Any]]:
    out = []
    for node in workbook_xml.iterfind("m:definedNames/m:definedName", _NS):
        name = node.get("name", "")
        local = node.get("localSheetId")
        target = _range_target(node.text or "")
        if target is None:
            continue  # a constant, a formula or a broken reference: not a range, VBA skips it
        sheet, address = target
        if sheet not in all_sheets:
            continue
        shown = name.removeprefix("_xlnm.")
        entry: dict[str, Any] = {"name": shown}
        if local is not None:
            scope = all_sheets[int(local)]
            entry["name"] = f"{_quote(scope)}!{shown}"
        entry["sheet_index"] = all_sheets.index(sheet)
        entry["address"] = address
        entry["book_scope"] = local is None
        entry["scope_sheet_name"] = None if local is None else all_sheets[int(local)]
        entry["scope_sheet_index"] = None if local is None else int(local)
        out.append(entry)
    return out


def _range_target(text: str) -> tuple[str, str] | None:
    """(sheet, relative address) when ``text`` refers to cells on one sheet, else None."""
    areas = _split_areas(text.strip())
    sheets, refs = set(), []
    for area in areas:
        m = _AREA_RE.match(area)
        if not m:
            return None
        sheets.add(m.group("quoted").replace("''", "'") if m.group("quoted") else m.group("plain"))
        refs.append(m.group("ref").replace("$", ""))
    if len(sheets) != 1:
        return None
    return sheets.pop(), ",".join(refs)


def _split_areas(text: str) -> list[str]:
    """Split a multi-area reference on commas outside quoted sheet names."""
    parts, current, quoted = [], "", False
    for ch in text:
        if ch == "'":
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _quote(sheet: str) -> str:
    # Excel quotes a sheet name in a reference unless it is a plain identifier (CJK letters count as letters).
    if re.fullmatch(r"[^\W\d][\w.]*", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"
