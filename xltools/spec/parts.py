"""The parts a form is declared from: labelled fields, tables with their columns, live check cells, and the blocks
that put them on rows. Family-independent: any form (the declaration, a later self-evaluation) is a tuple of these
blocks, and :func:`xltools.spec.form.place` assigns their rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from xltools.cells import column_letter

# Value kinds.
TEXT = "text"  # one line of text
LONG = "long"  # multi-line text
CHOICE = "choice"  # exactly one item of a choice list
DATE = "date"
MONEY = "money"  # yuan, non-negative
SERIAL = "serial"  # printed row number of a table, not an input
NUMBER = "number"  # a plain non-negative number that is not money (a score, a weight)

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
RATE_FORMAT = "0.00%"
NUMBER_FORMAT = "0.00"


class _Placed:
    """Addresses of something place() put on a row: a label cell, and a value cell or merged span."""

    row: int
    label_col: int
    first_col: int
    last_col: int

    @property
    def cell(self) -> str:
        return f"{column_letter(self.first_col)}{self.row}"

    @property
    def label_cell(self) -> str:
        # A field stacked under its label (Stack) has the label on a row of its own.
        return f"{column_letter(self.label_col)}{getattr(self, 'label_row', 0) or self.row}"

    @property
    def span(self) -> str | None:
        """The merged range of the value, or None when it is a single cell."""
        if self.first_col == self.last_col:
            return None
        return f"{self.cell}:{column_letter(self.last_col)}{self.row}"


@dataclass(frozen=True)
class Field(_Placed):
    """One labelled input: label in column A (or C for the right half of a pair), value beside it."""

    key: str
    label: str
    kind: str
    required: bool = True
    choices: str | None = None  # key of a list in data/choices.toml
    row_height: float | None = None
    prefilled: bool = False  # written by the bureau when the form is generated, and locked: not an input
    # Assigned by place() (a grid's cells come with their columns; they have no label cell of their own):
    row: int = 0
    label_col: int = 0
    first_col: int = 0
    last_col: int = 0
    label_row: int = 0  # the label's row when it is not the value's (a Stack); 0: the value's row


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str
    first_col: int
    last_col: int | None = None
    required: bool = True
    prefilled: bool = False  # written by the bureau when the form is generated, and locked: not an input

    @property
    def letter(self) -> str:
        return column_letter(self.first_col)

    @property
    def end_letter(self) -> str:
        return column_letter(self.last_col or self.first_col)


@dataclass(frozen=True)
class Table:
    """A block of repeated rows: a section title row, a header row, ``capacity`` input rows, maybe a total row.

    Only the first ``visible`` rows show; the rest are hidden so a short form prints short. Staff unhide them
    (the sheet allows row formatting) when they need more.
    """

    key: str
    title: str
    columns: tuple[Column, ...]
    capacity: int
    visible: int
    total_label: str | None = None
    # Assigned by place():
    title_row: int = 0
    header_row: int = 0
    first_row: int = 0

    @property
    def last_row(self) -> int:
        return self.first_row + self.capacity - 1

    @property
    def rows(self) -> range:
        return range(self.first_row, self.last_row + 1)

    @property
    def total_row(self) -> int | None:
        return self.last_row + 1 if self.total_label else None

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def cell(self, key: str, index: int) -> str:
        """A1 address of column ``key`` in the ``index``-th (0-based) input row."""
        if not 0 <= index < self.capacity:
            raise IndexError(index)
        return f"{self.column(key).letter}{self.first_row + index}"

    def range(self, key: str) -> str:
        col = self.column(key).letter
        return f"{col}{self.first_row}:{col}{self.last_row}"

    @property
    def input_columns(self) -> tuple[Column, ...]:
        """The columns a reader reads (everything but the printed row number), prefilled ones included."""
        return tuple(c for c in self.columns if c.kind != SERIAL)


@dataclass(frozen=True)
class Check(_Placed):
    """A live formula cell that checks the form without any Python (what WPS users get).

    ``formula`` and the conditions are templates: ``{key}`` is the absolute address of a field or check,
    ``{table.column}`` the absolute range of a table column, and ``{#code}`` the number of findings the live checks
    count for rule ``code`` now (resolved by the template from xltools.live: a check cell that shows a rule's
    verdict in words then agrees with the rule's count). ``bad`` turns the check cell red, ``warn`` orange; input
    cells are marked by the live checks (xltools.live), which follow the engine's rules.
    """

    key: str
    label: str | None
    formula: str
    number_format: str | None = None
    bad: str | None = None
    warn: str | None = None
    # Assigned by place():
    row: int = 0
    label_col: int = 0
    first_col: int = 0
    last_col: int = 0


# --- blocks: how fields sit on rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One field across the whole row."""

    field: Field


@dataclass(frozen=True)
class Pair:
    """Two fields on one row: label A, value B, label C, value D."""

    left: Field | Check
    right: Field | Check


@dataclass(frozen=True)
class Stack:
    """A long text: its label on a row of its own across the form, the value on the row below across the form.

    The value gets the full printed width, and its row has no fixed height: it grows with the text where the
    spreadsheet program fits row heights (``FormSpec.growing``). ``row_height`` of the field is the height the row
    starts with.
    """

    field: Field


@dataclass(frozen=True)
class TableBlock:
    table: Table
    total: Check | None = None  # shown in the total row, right-aligned under the last column
    total_status: Check | None = None  # shown in the total row between label and total
    grow: bool = False  # the input rows have no fixed height: a long 三级指标 or target makes its row taller


@dataclass(frozen=True)
class StatusLine:
    """A formula across the whole row that says, in words, what the live checks found (no label, not an input).

    The formula is the live checks' (xltools.live); the spec only gives it a row, ``lines`` of text high (it names
    the first problem and where the reasons are, which takes more than one line). ``row`` and ``last_col`` are
    assigned by place().
    """

    key: str
    lines: int = 1
    # The line gives a program's result once 校验结果 holds one (version 3 on); before, it counted the live checks
    # only, so the program's summary says which verdict is which (xltools.results.summary_line).
    reads_results: bool = False
    row: int = 0
    last_col: int = 0

    @property
    def cell(self) -> str:
        return f"A{self.row}"

    @property
    def span(self) -> str:
        return f"A{self.row}:{column_letter(self.last_col)}{self.row}"


@dataclass(frozen=True)
class Fixed:
    """Fixed text at columns of a grid's header or row (a "—" where a cell does not apply): part of the layout,
    verified by the reader like a label."""

    text: str
    first_col: int
    last_col: int


GridCell = Field | Check | Fixed


@dataclass(frozen=True)
class GridRow:
    """One fixed row of a grid: a label across ``label_cols`` (none when None), then cells at their own columns:
    fields (with ``first_col``/``last_col`` given), checks (their formula is the live checks' business when it is
    empty) and fixed texts. place() assigns ``row``."""

    label: str | None
    cells: tuple[GridCell, ...]
    label_cols: tuple[int, int] = (1, 2)
    height: float | None = None
    row: int = 0


@dataclass(frozen=True)
class Grid:
    """Fixed rows under an optional section title and header row: a money block with one line per source of
    funds, two long texts side by side, a total line. Rows are not repeated (that is a :class:`Table`)."""

    key: str
    title: str | None
    header: tuple[Fixed, ...]
    rows: tuple[GridRow, ...]
    # Assigned by place(): 0 when the grid has no title or header.
    title_row: int = 0
    header_row: int = 0

    def fields(self) -> tuple[Field, ...]:
        return tuple(c for r in self.rows for c in r.cells if isinstance(c, Field))


Block = Line | Pair | Stack | TableBlock | StatusLine | Grid
