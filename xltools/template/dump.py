"""Looking at a written workbook: which cells staff may type into, and everything that matters about it as plain
data for golden comparisons (tests compare generated templates semantically, not by bytes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xltools.template.names import PRINT_AREA
from xltools.template.styles import FORM_PROTECTION, MARGINS


def unlocked_cells(ws: Worksheet) -> set[str]:
    """Cells of ``ws`` that a protected sheet lets staff type into; a merged range counts once, by its top-left
    cell (the cell a reader reads). Cells missing from the file are locked, like Excel's default style."""
    anchor: dict[str, str] = {}
    for rng in ws.merged_cells.ranges:
        top_left = f"{get_column_letter(rng.min_col)}{rng.min_row}"
        for row, col in rng.cells:
            anchor[f"{get_column_letter(col)}{row}"] = top_left
    return {
        anchor.get(cell.coordinate, cell.coordinate)
        for row in ws.iter_rows()
        for cell in row
        if cell.protection is not None and cell.protection.locked is False
    }


def _color(value: Any) -> str | None:
    rgb = getattr(value, "rgb", None)
    return rgb if isinstance(rgb, str) else None


def _attrs(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {n: getattr(obj, n, None) for n in names}


def _iter_dump_cells(ws: Worksheet) -> Iterator[tuple[str, dict[str, Any]]]:
    for row in ws.iter_rows():
        for cell in row:
            entry: dict[str, Any] = {}
            if cell.value is not None:
                entry["value"] = cell.value if not isinstance(cell.value, dt.datetime) else cell.value.isoformat()
            if cell.number_format != "General":
                entry["format"] = cell.number_format
            if cell.protection.locked is False:
                entry["locked"] = False
            if cell.font is not None and (cell.font.b or cell.font.name not in (None, "Calibri")):
                entry["font"] = (cell.font.name, cell.font.sz, bool(cell.font.b))
            if cell.fill is not None and cell.fill.fill_type:
                entry["fill"] = _color(cell.fill.fgColor)
            if cell.alignment is not None and (cell.alignment.wrap_text or cell.alignment.horizontal):
                entry["align"] = (cell.alignment.horizontal, cell.alignment.vertical, bool(cell.alignment.wrap_text),
                                  cell.alignment.indent)
            if cell.border is not None and cell.border.left is not None and cell.border.left.style:
                entry["border"] = cell.border.left.style
            if entry:
                yield cell.coordinate, entry


def _sheet_dump(ws: Worksheet) -> dict[str, Any]:
    return {
        "cells": dict(_iter_dump_cells(ws)),
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": {k: d.width for k, d in sorted(ws.column_dimensions.items()) if d.customWidth},
        "heights": {r: d.height for r, d in sorted(ws.row_dimensions.items()) if d.height is not None},
        "hidden_rows": sorted(r for r, d in ws.row_dimensions.items() if d.hidden),
        "validations": sorted(
            (
                _attrs(dv, ("type", "operator", "formula1", "formula2", "allow_blank", "errorStyle",
                            "showErrorMessage", "showInputMessage", "promptTitle", "prompt", "errorTitle",
                            "error")) | {"sqref": str(dv.sqref)}
                for dv in ws.data_validations.dataValidation
            ),
            key=lambda d: d["sqref"],
        ),
        "conditional_formats": [
            {
                "sqref": str(cf.sqref),
                "type": rule.type,
                "formula": list(rule.formula),
                "priority": rule.priority,
                "stop": rule.stopIfTrue,
                "fill": _color(rule.dxf.fill.bgColor) if rule.dxf and rule.dxf.fill else None,
                "font": _color(rule.dxf.font.color) if rule.dxf and rule.dxf.font else None,
            }
            for cf in ws.conditional_formatting
            for rule in cf.rules
        ],
        "protection": _attrs(ws.protection, [*FORM_PROTECTION, "password"]),
        "print": {
            **_attrs(ws.page_setup, ("paperSize", "orientation", "fitToWidth", "fitToHeight")),
            "fitToPage": ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
            "title_rows": ws.print_title_rows,
            "area": ws.print_area,
            "margins": _attrs(ws.page_margins, MARGINS),
            "footer": (ws.oddFooter.left.text, ws.oddFooter.center.text, ws.oddFooter.right.text),
            "header": (ws.oddHeader.left.text, ws.oddHeader.center.text, ws.oddHeader.right.text),
            "centered": ws.print_options.horizontalCentered,
        },
        "gridlines": ws.sheet_view.showGridLines,
        "freeze": ws.freeze_panes,
    }


def semantic_dump(path: str | Path) -> dict[str, Any]:
    """Everything that matters about a workbook, as plain data, for golden comparisons (not bytes: openpyxl
    stamps creation times). Covers cells (values, formulas, formats, locks, main styling), merges, sizes,
    hidden rows and sheets, validations, conditional formats, protection, print setup and defined names."""
    wb = load_workbook(path)
    out: dict[str, Any] = {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "defined_names": {n: d.attr_text for n, d in wb.defined_names.items()},
        "workbook_protection": None if wb.security is None else _attrs(
            wb.security, ("lockStructure", "lockWindows", "workbookPassword")),
        "print_areas": print_areas(path),
    }
    for ws in wb.worksheets:
        out[ws.title] = _sheet_dump(ws)
    return out


def print_areas(path: str | Path) -> dict[str, str]:
    """Sheet name -> print area formula, as workbook.xml holds it (openpyxl drops one that is not a plain range)."""
    import zipfile

    from defusedxml import ElementTree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as zf:
        root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    sheets = [s.get("name", "") for s in root.iterfind("m:sheets/m:sheet", ns)]
    return {sheets[int(d.get("localSheetId", "0"))]: d.text or ""
            for d in root.iterfind("m:definedNames/m:definedName", ns) if d.get("name") == PRINT_AREA}
