"""Filling a template workbook with a declaration's values, by field key: for examples, tests and demos.

Values are written as given: a string in a money cell stays a string, which is how faulty forms are made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.workbook.workbook import Workbook

from xltools import spec
from xltools.text import LINE_HEIGHT, lines

TEXT_KINDS = (spec.TEXT, spec.LONG, spec.CHOICE)


class FillError(ValueError):
    """The data does not fit the form (unknown key, table over capacity)."""


def fill(wb: Workbook, values: Mapping[str, Any]) -> Workbook:
    """Write ``values`` (field keys, plus ``subprojects`` and ``indicators`` lists of dicts) into ``wb``."""
    s = spec.build()
    ws = wb[spec.FORM_SHEET]
    for key, value in values.items():
        if key in s.fields:
            f = s.fields[key]
            _put(ws, f.cell, value, f.kind)
            if f.kind == spec.LONG and isinstance(value, str):
                _fit_height(ws, f, value)
        elif key in s.tables:
            _fill_table(ws, s.tables[key], value)
        else:
            raise FillError(f"unknown field {key!r}")
    return wb


# Excel does not grow merged cells to fit their text, so a filled form would print long text cut off.
MAX_ROW_HEIGHT = 409.0  # Excel's limit


def _fit_height(ws: Any, f: spec.Field, text: str) -> None:
    width = sum(spec.COLUMN_WIDTHS[f.first_col - 1:f.last_col])
    wanted = min(MAX_ROW_HEIGHT, lines(text, width, slack=1.0) * LINE_HEIGHT + 6)
    ws.row_dimensions[f.row].height = max(wanted, f.row_height or 0)


def _put(ws: Any, cell: str, value: Any, kind: str) -> None:
    ws[cell] = None if value == "" else value
    if isinstance(value, str) and value.startswith("=") and kind in TEXT_KINDS:
        # Typed into a text cell, "=100%" is the text a person sees, not a formula (the template formats
        # text inputs as Text, so Excel keeps it literal too).
        ws[cell].data_type = "s"


def _fill_table(ws: Any, table: spec.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    if len(rows) > table.capacity:
        raise FillError(f"{table.key}: {len(rows)} rows, capacity {table.capacity}")
    for i in range(table.capacity):
        row = rows[i] if i < len(rows) else {}
        unknown = set(row) - {c.key for c in table.input_columns}
        if unknown:
            raise FillError(f"{table.key}: unknown columns {sorted(unknown)}")
        for col in table.input_columns:
            _put(ws, table.cell(col.key, i), row.get(col.key, ""), col.kind)
        if row:
            # A filled row must print: show it even where the template hides spare rows.
            ws.row_dimensions[table.first_row + i].hidden = False


def fill_form(wb: Workbook, form: spec.FormSpec, values: Mapping[str, Any]) -> Workbook:
    """Write ``values`` into a workbook of any form family, leaving everything not named alone (prefilled cells,
    the template's formulas): field keys, and table keys with a list of dicts, row by row, each naming only the
    columns to write (``{}`` skips a row). Long text grows its row, as on paper."""
    ws = wb[form.sheet]
    for key, value in values.items():
        if key in form.fields:
            f = form.fields[key]
            _put(ws, f.cell, value, f.kind)
            if isinstance(value, str):
                _grow(ws, f.row, value, sum(form.widths[f.first_col - 1:f.last_col]))
        elif key in form.tables:
            table = form.tables[key]
            if len(value) > table.capacity:
                raise FillError(f"{key}: {len(value)} rows, capacity {table.capacity}")
            for i, row in enumerate(value):
                for column, cell_value in row.items():
                    col = table.column(column)
                    _put(ws, table.cell(column, i), cell_value, col.kind)
                    if isinstance(cell_value, str):
                        _grow(ws, table.first_row + i, cell_value, form.widths[col.first_col - 1])
        else:
            raise FillError(f"unknown field {key!r}")
    return wb


def _grow(ws: Any, row: int, text: str, width: float) -> None:
    wanted = min(MAX_ROW_HEIGHT, lines(text, width) * LINE_HEIGHT + 6)
    if wanted > (ws.row_dimensions[row].height or 0):
        ws.row_dimensions[row].height = wanted
