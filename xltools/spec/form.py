"""A form family and the placed form of one of its template versions.

A :class:`Family` is what identifies a kind of form (template id, title, sheet, column widths) and the block list of
every template version ever shipped. :meth:`Family.form` walks a version's blocks top to bottom and assigns rows,
so no cell address is ever written by hand; the result, a :class:`FormSpec`, is what the template writer, the
reader, the rules and the live checks take. Family-independent: the declaration is one family (see
:mod:`xltools.spec.declaration`); another form is another ``Family`` built from the same parts.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from xltools.cells import column_letter, split
from xltools.spec.parts import (
    Block,
    Check,
    Field,
    Fixed,
    Grid,
    GridRow,
    Line,
    Pair,
    Stack,
    StatusLine,
    Table,
    TableBlock,
)

TITLE_ROW = 1
YEAR_ROW = 2
FIRST_BLOCK_ROW = 3
TITLE_ROWS = f"{TITLE_ROW}:{YEAR_ROW}"  # repeated on every printed page
STATUS_ROW_HEIGHT = 22.0  # one line; the blank form still prints on two pages
STATUS_LINE_HEIGHT = 14.0  # each further line of the status text


def year_text(year: int) -> str:
    return f"（{year}年）"


@dataclass(frozen=True, eq=False)
class Family:
    """One kind of form. ``versions``: every template version ever shipped, oldest first, with its blocks; the
    last one is what new templates are made of. Forms are compared by identity (one object per family)."""

    template_id: str
    title: str
    sheet: str  # the form sheet's name
    widths: tuple[float, ...]  # column widths; tables use the same columns, so every row lines up on paper
    versions: Mapping[str, tuple[Block, ...]]
    # A pair's columns: left label, left value first and last, right label, right value first and last.
    pair_columns: tuple[int, int, int, int, int, int] = (1, 2, 2, 3, 4, 4)
    year_format: str = "（{year}年）"  # the line under the title
    _forms: dict[str, FormSpec] = field(default_factory=dict, init=False, repr=False)

    @property
    def current(self) -> str:
        return tuple(self.versions)[-1]

    @property
    def supported(self) -> tuple[str, ...]:
        return tuple(self.versions)

    @property
    def last_col(self) -> str:
        return column_letter(len(self.widths))

    def year_text(self, year: int) -> str:
        return self.year_format.format(year=year)

    def form(self, version: str) -> FormSpec:
        """The placed form of template ``version``, made once (specs are immutable). An unknown version is a
        KeyError: callers verify the version first (the reader reports template-mismatch)."""
        found = self._forms.get(version)
        if found is None:
            found = self._forms[version] = place(self, version)
        return found

    def max_last_row(self) -> int:
        """The last row any supported version uses: what a reader fetches before it knows the version."""
        return max(self.form(v).last_row for v in self.versions)


@dataclass(frozen=True, eq=False)
class FormSpec:
    """The form of one template version with every row assigned. Compared and hashed by identity: there is one
    per family and version, so derived data can be cached by it."""

    family: Family
    version: str
    fields: dict[str, Field]
    tables: dict[str, Table]
    checks: dict[str, Check]
    blocks: tuple[Block, ...]
    last_row: int
    row_heights: dict[int, float] = field(default_factory=dict)
    status: StatusLine | None = None  # the live status line, when the version has one
    # Rows whose height follows their text (a Stack's value, a growing table's input rows): no fixed height.
    growing: frozenset[int] = frozenset()
    grids: dict[str, Grid] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.family.title

    @property
    def sheet(self) -> str:
        return self.family.sheet

    @property
    def widths(self) -> tuple[float, ...]:
        return self.family.widths

    @property
    def last_col(self) -> str:
        return self.family.last_col

    # -- addresses ---------------------------------------------------------------------------------------------
    def input_cells(self) -> list[str]:
        """Top-left cells that staff type into, in form order (not the ones the bureau prefilled and locked)."""
        cells: list[str] = []
        for block in self.blocks:
            if isinstance(block, Line | Stack):
                cells.extend([block.field.cell] if not block.field.prefilled else [])
            elif isinstance(block, Pair):
                cells.extend(f.cell for f in (block.left, block.right) if isinstance(f, Field) and not f.prefilled)
            elif isinstance(block, TableBlock):
                t = block.table
                cells.extend(f"{c.letter}{r}" for r in t.rows for c in t.input_columns if not c.prefilled)
            elif isinstance(block, Grid):
                cells.extend(f.cell for f in block.fields() if not f.prefilled)
        return cells

    def labels(self, year: int | None = None) -> dict[str, str]:
        """Fixed text that identifies the layout: address -> text. The reader verifies these."""
        out = {f"A{TITLE_ROW}": self.title}
        if year is not None:
            out[f"A{YEAR_ROW}"] = self.family.year_text(year)
        for f in self.fields.values():
            if f.label_col:  # a grid's cells have no label cell of their own
                out[f.label_cell] = f.label
        for c in self.checks.values():
            if c.label:
                out[c.label_cell] = c.label
        for t in self.tables.values():
            out[f"A{t.title_row}"] = t.title
            for col in t.columns:
                out[f"{col.letter}{t.header_row}"] = col.label
            if t.total_row:
                out[f"A{t.total_row}"] = t.total_label or ""
        for g in self.grids.values():
            if g.title:
                out[f"A{g.title_row}"] = g.title
            out.update((f"{column_letter(x.first_col)}{g.header_row}", x.text) for x in g.header)
            for r in g.rows:
                if r.label:
                    out[f"{column_letter(r.label_cols[0])}{r.row}"] = r.label
                out.update((f"{column_letter(x.first_col)}{r.row}", x.text) for x in r.cells if isinstance(x, Fixed))
        return out

    def expand(self, template: str) -> str:
        """Resolve ``{key}`` and ``{table.column}`` placeholders to absolute addresses."""

        def repl(m: re.Match[str]) -> str:
            name = m.group(1)
            if "." in name:
                tkey, ckey = name.split(".")
                t = self.tables[tkey]
                col = t.column(ckey).letter
                return f"${col}${t.first_row}:${col}${t.last_row}"
            target = self.fields.get(name) or self.checks[name]
            col, row = split(target.cell)
            return f"${col}${row}"

        return re.sub(r"\{([a-z_0-9.]+)\}", repl, template)


def _moved(item: Field | Check, row: int, label_col: int, first: int, last: int) -> Field | Check:
    return dataclasses.replace(item, row=row, label_col=label_col, first_col=first, last_col=last)


def place(family: Family, version: str) -> FormSpec:
    """Assign rows to the blocks of ``family``'s template ``version``: a line spans the row, a pair takes two
    label/value halves, a stack its label row and the value row below, a table its title, header, input rows and
    total row."""
    ncols = len(family.widths)
    pc = family.pair_columns
    fields: dict[str, Field] = {}
    tables: dict[str, Table] = {}
    checks: dict[str, Check] = {}
    grids: dict[str, Grid] = {}
    placed: list[Block] = []
    heights: dict[int, float] = {}
    status_line: StatusLine | None = None
    growing: set[int] = set()

    def put(item: Field | Check, placed_item: Field | Check) -> None:
        if isinstance(placed_item, Field):
            fields[item.key] = placed_item
        else:
            checks[item.key] = placed_item

    row = FIRST_BLOCK_ROW
    for block in family.versions[version]:
        if isinstance(block, StatusLine):
            status_line = dataclasses.replace(block, row=row, last_col=ncols)
            placed.append(status_line)
            heights[row] = STATUS_ROW_HEIGHT + STATUS_LINE_HEIGHT * (block.lines - 1)
            row += 1
        elif isinstance(block, Line):
            f = _moved(block.field, row, 1, 2, ncols)
            put(block.field, f)
            placed.append(Line(f))  # type: ignore[arg-type]
            if block.field.row_height:
                heights[row] = block.field.row_height
            row += 1
        elif isinstance(block, Stack):
            stacked = dataclasses.replace(block.field, row=row + 1, label_row=row, label_col=1, first_col=1,
                                          last_col=ncols)
            put(block.field, stacked)
            placed.append(Stack(stacked))
            if block.field.row_height:
                heights[row + 1] = block.field.row_height
            growing.add(row + 1)
            row += 2
        elif isinstance(block, Pair):
            left = _moved(block.left, row, pc[0], pc[1], pc[2])
            right = _moved(block.right, row, pc[3], pc[4], pc[5])
            put(block.left, left)
            put(block.right, right)
            placed.append(Pair(left, right))
            row += 1
        elif isinstance(block, Grid):
            grid, row = _place_grid(block, row, put, heights)
            grids[grid.key] = grid
            placed.append(grid)
        else:
            t = dataclasses.replace(block.table, title_row=row, header_row=row + 1, first_row=row + 2)
            tables[t.key] = t
            row = t.last_row + 1
            if block.grow:
                growing.update(t.rows)
            total = status = None
            if t.total_label:
                if block.total:
                    total = _moved(block.total, row, 1, ncols, ncols)
                    put(block.total, total)
                if block.total_status:
                    status = _moved(block.total_status, row, 1, 2, ncols - 1)
                    put(block.total_status, status)
                row += 1
            placed.append(TableBlock(t, total, status, block.grow))  # type: ignore[arg-type]
    return FormSpec(family, version, fields, tables, checks, tuple(placed), last_row=row - 1, row_heights=heights,
                    status=status_line, grids=grids, growing=frozenset(growing))


def _place_grid(block: Grid, row: int, put: Callable[[Field | Check, Field | Check], None],
                heights: dict[int, float]) -> tuple[Grid, int]:
    """A grid from ``row``: its title and header rows when it has them, then each of its rows; its fields and checks
    keep their columns and get their row (and no label cell). Returns the placed grid and the next free row."""
    title_row = header_row = 0
    if block.title:
        title_row, row = row, row + 1
    if block.header:
        header_row, row = row, row + 1
    rows: list[GridRow] = []
    for grid_row in block.rows:
        cells: list[Field | Check | Fixed] = []
        for cell in grid_row.cells:
            if isinstance(cell, Fixed):
                cells.append(cell)
                continue
            moved = _moved(cell, row, 0, cell.first_col, cell.last_col or cell.first_col)
            put(cell, moved)
            cells.append(moved)
        rows.append(dataclasses.replace(grid_row, cells=tuple(cells), row=row))
        if grid_row.height:
            heights[row] = grid_row.height
        row += 1
    return dataclasses.replace(block, rows=tuple(rows), title_row=title_row, header_row=header_row), row
