"""The one declarative description of the form.

Everything that knows where something sits on the sheet derives it from here: template generation, the reader,
the checks (through the reader's cell positions), the Excel button and consolidation. The form is declared as an
ordered tuple of blocks; :func:`build` walks them top to bottom and assigns rows, so no cell address is ever
written by hand, here or anywhere else.

Choice lists and indicator frameworks are data files under ``xltools/data`` (see :mod:`xltools.data`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from xltools import data
from xltools.cells import column_letter as get_column_letter
from xltools.cells import split

TEMPLATE_ID = "xltools.sh-perf-target"
TEMPLATE_VERSION = "2"
# Versions this release can read, oldest first. Every version ever shipped stays readable: a later layout gets a
# new version and its own block list (see VERSION_BLOCKS), and forms returned on an older template are read, checked
# and consolidated at their own addresses.
#   1: the first release.
#   2: a live self-check status line (row 3) under the year; the rules a formula can decide run in the workbook.
SUPPORTED_VERSIONS = ("1", "2")
TEMPLATE_FILENAME = "绩效目标申报表.xlsx"
MACRO_TEMPLATE_FILENAME = "绩效目标申报表.xlsm"
DEFAULT_YEAR = 2019
DEFAULT_PASSWORD = "xltools"

TITLE = "上海市财政支出项目绩效目标申报表"
FORM_SHEET = "申报表"
RESULTS_SHEET = "校验结果"
LISTS_SHEET = "_lists"
META_SHEET = "_xltools"
CHECKS_SHEET = "_checks"  # the live checks' working cells (version 2 on); see xltools.live

# Four columns, A4 portrait. Tables use the same four columns, so every row lines up on paper.
COLUMN_WIDTHS = (16.0, 18.0, 32.0, 22.0)
LAST_COL = get_column_letter(len(COLUMN_WIDTHS))

# Value kinds.
TEXT = "text"  # one line of text
LONG = "long"  # multi-line text
CHOICE = "choice"  # exactly one item of a choice list
DATE = "date"
MONEY = "money"  # yuan, non-negative
SERIAL = "serial"  # printed row number of a table, not an input

# Below this share of last year's budget executed, a reviewer asks why (prior-execution-low; the template's
# live check turns orange at the same point).
PRIOR_EXECUTION_LOW = 0.9
# Money is compared in yuan to half a fen: rounding is not a mistake (the template's formulas ROUND to fen).
MONEY_TOLERANCE = 0.005

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
RATE_FORMAT = "0.00%"


class _Placed:
    """Addresses of something build() placed on a row: a label cell, and a value cell or merged span."""

    row: int
    label_col: int
    first_col: int
    last_col: int

    @property
    def cell(self) -> str:
        return f"{get_column_letter(self.first_col)}{self.row}"

    @property
    def label_cell(self) -> str:
        return f"{get_column_letter(self.label_col)}{self.row}"

    @property
    def span(self) -> str | None:
        """The merged range of the value, or None when it is a single cell."""
        if self.first_col == self.last_col:
            return None
        return f"{self.cell}:{get_column_letter(self.last_col)}{self.row}"


@dataclass(frozen=True)
class Field(_Placed):
    """One labelled input: label in column A (or C for the right half of a pair), value beside it."""

    key: str
    label: str
    kind: str
    required: bool = True
    choices: str | None = None  # key of a list in data/choices.toml
    row_height: float | None = None
    # Assigned by build():
    row: int = 0
    label_col: int = 0
    first_col: int = 0
    last_col: int = 0



@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str
    first_col: int
    last_col: int | None = None
    required: bool = True

    @property
    def letter(self) -> str:
        return get_column_letter(self.first_col)

    @property
    def end_letter(self) -> str:
        return get_column_letter(self.last_col or self.first_col)


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
    # Assigned by build():
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
        return tuple(c for c in self.columns if c.kind != SERIAL)


@dataclass(frozen=True)
class Check(_Placed):
    """A live formula cell that checks the form without any Python (what WPS users get).

    ``formula`` and the conditions are templates: ``{key}`` is the absolute address of a field or check,
    ``{table.column}`` the absolute range of a table column. ``bad`` turns the check cell red, ``warn`` orange;
    input cells are marked by the live checks (xltools.live), which follow the engine's rules.
    """

    key: str
    label: str | None
    formula: str
    number_format: str | None = None
    bad: str | None = None
    warn: str | None = None
    # Assigned by build():
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
class TableBlock:
    table: Table
    total: Check | None = None  # shown in the total row, right-aligned under the last column
    total_status: Check | None = None  # shown in the total row between label and total


@dataclass(frozen=True)
class StatusLine:
    """A formula across the whole row that says, in words, what the live checks found (no label, not an input).

    The formula is the live checks' (xltools.live); the spec only gives it a row. ``row`` is assigned by build().
    """

    key: str
    row: int = 0

    @property
    def cell(self) -> str:
        return f"A{self.row}"

    @property
    def span(self) -> str:
        return f"A{self.row}:{LAST_COL}{self.row}"


Block = Line | Pair | TableBlock | StatusLine

_M = MONEY
# The displayed sub-project total disagrees with 项目当年预算 (beyond rounding): the check cells turn red. Which
# input cell is marked is the live checks' business (xltools.live), derived from the same rules as the engine.
_SUBTOTAL_OFF = (f'AND(COUNT({{subprojects.amount}})>0,ISNUMBER({{annual_budget}}),'
                 f'ABS({{subtotal}}-{{annual_budget}})>{MONEY_TOLERANCE})')
# Version 1's layout. Readers use only addresses and labels, so the check formulas here are today's even for v1.
BLOCKS_V1: tuple[Block, ...] = (
    Line(Field("unit", "申报单位名称", TEXT)),
    Line(Field("project", "项目名称", TEXT)),
    Line(Field("project_type", "项目类型", CHOICE, choices="project_type")),
    Line(Field("category", "资金用途", CHOICE, choices="category")),
    Pair(Field("start", "开始时间", DATE), Field("end", "结束时间", DATE)),
    Line(Field("overview", "项目概况", LONG, row_height=84)),
    Line(Field("basis", "立项依据", LONG, row_height=84)),
    Line(Field("necessity", "项目设立的必要性", LONG, row_height=84)),
    Line(Field("measures", "保证项目实施的制度、措施", LONG, row_height=84)),
    Pair(Field("total_budget", "项目总预算（元）", _M), Field("annual_budget", "项目当年预算（元）", _M)),
    # Blank for a new project, so not required.
    Pair(
        Field("prior_budget", "同名项目上年预算额（元）", _M, required=False),
        Field("prior_executed", "同名项目上年预算执行数（元）", _M, required=False),
    ),
    Pair(
        Check(
            "prior_rate",
            "上年预算执行率",
            'IF(AND(ISNUMBER({prior_budget}),ISNUMBER({prior_executed})),'
            'IF({prior_budget}>0,{prior_executed}/{prior_budget},""),"")',
            number_format=RATE_FORMAT,
            bad=f'AND(ISNUMBER({{prior_budget}}),ISNUMBER({{prior_executed}}),'
                f'{{prior_executed}}>{{prior_budget}}+{MONEY_TOLERANCE})',
            warn=f'AND(ISNUMBER({{prior_rate}}),{{prior_executed}}<{PRIOR_EXECUTION_LOW}*{{prior_budget}}'
                 f'-{MONEY_TOLERANCE})',
        ),
        Check(
            "annual_vs_total",
            "当年预算与总预算",
            'IF(AND(ISNUMBER({total_budget}),ISNUMBER({annual_budget})),'
            f'IF({{annual_budget}}<={{total_budget}}+{MONEY_TOLERANCE},"正确","当年预算超过总预算"),"")',
            bad='AND(ISNUMBER({total_budget}),ISNUMBER({annual_budget}),'
                f'{{annual_budget}}>{{total_budget}}+{MONEY_TOLERANCE})',
        ),
    ),
    TableBlock(
        Table(
            "subprojects",
            "项目当年投入资金构成",
            (
                Column("seq", "序号", SERIAL, 1),
                Column("name", "子项目名称", TEXT, 2, 3),
                Column("amount", "预算金额（元）", MONEY, 4),
            ),
            capacity=30,
            visible=10,
            total_label="合计",
        ),
        total=Check("subtotal", None, "SUM({subprojects.amount})", number_format=MONEY_FORMAT,
                    bad=_SUBTOTAL_OFF),
        total_status=Check(
            "subtotal_status",
            None,
            'IF(COUNT({subprojects.amount})=0,"",IF(NOT(ISNUMBER({annual_budget})),"",'
            f'IF(ABS({{subtotal}}-{{annual_budget}})<={MONEY_TOLERANCE},"合计与项目当年预算一致","合计与项目当年预算不一致")))',
            bad=_SUBTOTAL_OFF,
        ),
    ),
    Line(Field("plan", "项目实施计划", LONG, row_height=90)),
    Line(Field("overall_goal", "项目总目标", LONG, row_height=75)),
    Line(Field("annual_goal", "年度绩效目标", LONG, row_height=75)),
    TableBlock(
        Table(
            "indicators",
            "分解目标",
            (
                Column("level1", "一级指标", CHOICE, 1),
                Column("level2", "二级指标", CHOICE, 2),
                Column("level3", "三级指标", TEXT, 3),
                Column("target", "指标目标值", TEXT, 4),
            ),
            capacity=60,
            visible=22,
        )
    ),
    Line(Field("remarks", "备注", LONG, required=False, row_height=45)),
)

# Version 2: the live self-check status line right under the year, then the same blocks as version 1.
STATUS_ROW_HEIGHT = 22.0  # one line; the blank form still prints on two pages
BLOCKS_V2: tuple[Block, ...] = (StatusLine("status"), *BLOCKS_V1)
VERSION_BLOCKS: dict[str, tuple[Block, ...]] = {"1": BLOCKS_V1, "2": BLOCKS_V2}
assert tuple(VERSION_BLOCKS) == SUPPORTED_VERSIONS
BLOCKS = VERSION_BLOCKS[TEMPLATE_VERSION]

TITLE_ROW = 1
YEAR_ROW = 2
FIRST_BLOCK_ROW = 3
TITLE_ROWS = f"{TITLE_ROW}:{YEAR_ROW}"  # repeated on every printed page

# The meta sheet: key in column A, value in column B, one row each, in this order.
META_KEYS = ("template_id", "version", "year", "framework", "unit_locked")

# The results sheet, written by `xltools check --annotate` and the Excel button.
RESULTS_SUMMARY_CELL = "A1"
RESULTS_HEADER_ROW = 3
RESULTS_COLUMNS = (
    ("severity", "严重程度", 10.0),
    ("sheet", "工作表", 12.0),
    ("cell", "单元格", 10.0),
    ("code", "规则", 24.0),
    ("message", "说明", 80.0),
)
RESULTS_CAPACITY = 2000
# Conditional formats on the form highlight every cell listed in these result columns, so the check never has
# to touch the protected form sheet.
FLAG_SHEETS_NAME = "xlt_flag_sheets"
FLAG_CELLS_NAME = "xlt_flag_cells"
FLAG_SEVERITIES_NAME = "xlt_flag_severities"

SEVERITY_LABELS = {"error": "错误", "warning": "警告"}


@dataclass(frozen=True)
class FormSpec:
    version: str
    fields: dict[str, Field]
    tables: dict[str, Table]
    checks: dict[str, Check]
    blocks: tuple[Block, ...]
    last_row: int
    row_heights: dict[int, float] = field(default_factory=dict)
    status: StatusLine | None = None  # version 2 on

    # -- addresses ---------------------------------------------------------------------------------------------
    def input_cells(self) -> list[str]:
        """Top-left cells that staff type into, in form order."""
        cells: list[str] = []
        for block in self.blocks:
            if isinstance(block, Line):
                cells.append(block.field.cell)
            elif isinstance(block, Pair):
                cells.extend(f.cell for f in (block.left, block.right) if isinstance(f, Field))
            elif isinstance(block, TableBlock):
                t = block.table
                cells.extend(f"{c.letter}{r}" for r in t.rows for c in t.input_columns)
        return cells

    def labels(self, year: int | None = None) -> dict[str, str]:
        """Fixed text that identifies the layout: address -> text. The reader verifies these."""
        out = {f"A{TITLE_ROW}": TITLE}
        if year is not None:
            out[f"A{YEAR_ROW}"] = year_text(year)
        for f in self.fields.values():
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


def year_text(year: int) -> str:
    return f"（{year}年）"


def _place_field(f: Field | Check, row: int, label_col: int, first: int, last: int) -> Field | Check:
    import dataclasses

    return dataclasses.replace(f, row=row, label_col=label_col, first_col=first, last_col=last)


@cache
def build(version: str = TEMPLATE_VERSION) -> FormSpec:
    """Assign rows to the blocks of template ``version`` (default: the current one). Cached: specs are immutable.

    An unknown version is a KeyError: callers verify the version first (the reader reports template-mismatch).
    """
    import dataclasses

    ncols = len(COLUMN_WIDTHS)
    fields: dict[str, Field] = {}
    tables: dict[str, Table] = {}
    checks: dict[str, Check] = {}
    placed: list[Block] = []
    heights: dict[int, float] = {}
    status_line: StatusLine | None = None

    def put(item: Field | Check, placed_item: Field | Check) -> None:
        if isinstance(placed_item, Field):
            fields[item.key] = placed_item
        else:
            checks[item.key] = placed_item

    row = FIRST_BLOCK_ROW
    for block in VERSION_BLOCKS[version]:
        if isinstance(block, StatusLine):
            status_line = dataclasses.replace(block, row=row)
            placed.append(status_line)
            heights[row] = STATUS_ROW_HEIGHT
            row += 1
        elif isinstance(block, Line):
            f = _place_field(block.field, row, 1, 2, ncols)
            put(block.field, f)
            placed.append(Line(f))  # type: ignore[arg-type]
            if block.field.row_height:
                heights[row] = block.field.row_height
            row += 1
        elif isinstance(block, Pair):
            left = _place_field(block.left, row, 1, 2, 2)
            right = _place_field(block.right, row, 3, 4, 4)
            put(block.left, left)
            put(block.right, right)
            placed.append(Pair(left, right))
            row += 1
        else:
            t = dataclasses.replace(block.table, title_row=row, header_row=row + 1, first_row=row + 2)
            tables[t.key] = t
            row = t.last_row + 1
            total = status = None
            if t.total_label:
                if block.total:
                    total = _place_field(block.total, row, 1, ncols, ncols)
                    put(block.total, total)
                if block.total_status:
                    status = _place_field(block.total_status, row, 1, 2, ncols - 1)
                    put(block.total_status, status)
                row += 1
            placed.append(TableBlock(t, total, status))  # type: ignore[arg-type]
    return FormSpec(version, fields, tables, checks, tuple(placed), last_row=row - 1, row_heights=heights,
                    status=status_line)


def build_for(version: object) -> FormSpec:
    """The spec of a form's recorded version; the current one when the version is not a supported one (a
    declaration only exists for supported versions, so that is for hand-made declarations in tests)."""
    return build(version) if version in VERSION_BLOCKS else build()


@cache
def max_last_row() -> int:
    """The last row any supported version uses: what a reader fetches before it knows the version."""
    return max(build(v).last_row for v in SUPPORTED_VERSIONS)


def choices(key: str) -> tuple[str, ...]:
    return data.choices()[key]
