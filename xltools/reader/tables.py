"""Table rows: where each input row's cells sit in the grid (worked out once per form), and which rows hold
anything (most rows of a table are spare, and they are skipped without typing)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

from xltools import spec
from xltools.cells import coords
from xltools.reader.cells import FormCells


@dataclass(frozen=True)
class TableRow:
    """One input row of a table, precomputed once per table: where its input cells are in the grid."""

    index: int  # 0-based grid row
    keys: tuple[str, ...]  # input column keys
    addresses: tuple[str, ...]  # A1 addresses, same order
    cols: tuple[int, ...]  # 0-based grid columns, same order
    cells: Mapping[str, str]  # key -> address
    last_col: int
    get: Callable[[Sequence[Any]], tuple[Any, ...]]  # a grid row -> the values of ``cols`` (one C call)
    empty: tuple[str, ...]  # the values of an empty row, as calamine ...
    nones: tuple[None, ...]  # ... and as xlwings gives them


@cache
def table_rows(form: spec.FormSpec, table_key: str) -> tuple[TableRow, ...]:
    """The input rows of a table of ``form``, topmost first. Computed once per form (one object per version)."""
    t = form.tables[table_key]
    keys = tuple(c.key for c in t.input_columns)
    out = []
    for i in range(t.capacity):
        addresses = tuple(t.cell(key, i) for key in keys)
        places = [coords(a) for a in addresses]
        cols = tuple(col for col, _r in places)
        get = itemgetter(*cols) if len(cols) > 1 else (lambda line, c=cols[0]: (line[c],))
        out.append(TableRow(places[0][1], keys, addresses, cols, dict(zip(keys, addresses, strict=True)),
                            max(cols), get, ("",) * len(cols), (None,) * len(cols)))
    return tuple(out)


def row_values(cells: FormCells, row: TableRow) -> tuple[Any, ...] | None:
    """The grid values of a table row's input cells, or None when all are empty."""
    grid = cells.grid
    line = grid[row.index] if row.index < len(grid) else ()
    short = len(line) <= row.last_col  # calamine ends a grid row at its last used cell
    values = tuple(line[c] if c < len(line) else "" for c in row.cols) if short else row.get(line)
    if values == row.empty or values == row.nones:  # calamine gives "", xlwings None
        if row.index not in cells.formula_rows:
            return None
    elif any(not isinstance(v, str) or v.strip() for v in values if v is not None and v != ""):
        return values
    if any(address in cells.formulas for address in row.addresses):
        return values
    return None


def filled_rows(cells: FormCells, form: spec.FormSpec, table_key: str) -> list[tuple[TableRow, dict[str, Any]]]:
    """Each row of the table that holds anything, with its raw values by column key."""
    out = []
    for row in table_rows(form, table_key):
        values = row_values(cells, row)
        if values is not None:
            out.append((row, dict(zip(row.keys, values, strict=True))))
    return out
