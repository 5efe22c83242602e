"""The one declarative description of the forms: every cell address, label, choice list and table capacity.

Template generation, the reader, the checks, the Excel button and consolidation all derive from here; no cell
address is ever written by hand, here or anywhere else. One module per concern:

* :mod:`~xltools.spec.parts`: the parts a form is declared from (fields, tables, checks, blocks, value kinds);
* :mod:`~xltools.spec.form`: a form family and :class:`FormSpec`, one template version with its rows assigned;
* :mod:`~xltools.spec.sheets`: the sheets every template has beside its form (results, lists, meta, checks);
* :mod:`~xltools.spec.declaration`: the 申报表 family, its versions and blocks.

``from xltools import spec`` gives all of it, the declaration's names included (``spec.build()``,
``spec.FORM_SHEET``), so callers need not know which module a name lives in. Choice lists and indicator frameworks
are data files under ``xltools/data`` (see :mod:`xltools.data`).
"""

from __future__ import annotations

from xltools.spec.declaration import (
    BLOCKS,
    BLOCKS_V1,
    BLOCKS_V2,
    BLOCKS_V3,
    COLUMN_WIDTHS,
    DECLARATION,
    DEFAULT_YEAR,
    FORM_SHEET,
    LAST_COL,
    MACRO_TEMPLATE_FILENAME,
    MONEY_TOLERANCE,
    PRIOR_EXECUTION_LOW,
    SUPPORTED_VERSIONS,
    TEMPLATE_FILENAME,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    TITLE,
    VERSION_BLOCKS,
    build,
    build_for,
    choices,
    max_last_row,
)
from xltools.spec.form import (
    FIRST_BLOCK_ROW,
    STATUS_LINE_HEIGHT,
    STATUS_ROW_HEIGHT,
    TITLE_ROW,
    TITLE_ROWS,
    YEAR_ROW,
    Family,
    FormSpec,
    place,
    year_text,
)
from xltools.spec.parts import (
    CHOICE,
    DATE,
    DATE_FORMAT,
    LONG,
    MONEY,
    MONEY_FORMAT,
    RATE_FORMAT,
    SERIAL,
    TEXT,
    Block,
    Check,
    Column,
    Field,
    Line,
    Pair,
    Stack,
    StatusLine,
    Table,
    TableBlock,
)
from xltools.spec.sheets import (
    CHECKS_SHEET,
    DEFAULT_PASSWORD,
    EXPLAIN_SHEET,
    FLAG_CELLS_NAME,
    FLAG_SEVERITIES_NAME,
    FLAG_SHEETS_NAME,
    LISTS_SHEET,
    META_KEYS,
    META_SHEET,
    RESULTS_CAPACITY,
    RESULTS_COLUMNS,
    RESULTS_HEADER_ROW,
    RESULTS_SHEET,
    RESULTS_SUMMARY_CELL,
    RESULTS_UNCHECKED,
    SEVERITY_LABELS,
)

__all__ = [
    "BLOCKS", "BLOCKS_V1", "BLOCKS_V2", "BLOCKS_V3", "CHECKS_SHEET", "CHOICE", "COLUMN_WIDTHS", "DATE", "DATE_FORMAT", "DECLARATION",
    "DEFAULT_PASSWORD", "DEFAULT_YEAR", "EXPLAIN_SHEET", "FIRST_BLOCK_ROW", "FLAG_CELLS_NAME", "FLAG_SEVERITIES_NAME",
    "FLAG_SHEETS_NAME", "FORM_SHEET", "LAST_COL", "LISTS_SHEET", "LONG", "MACRO_TEMPLATE_FILENAME", "META_KEYS",
    "META_SHEET", "MONEY", "MONEY_FORMAT", "MONEY_TOLERANCE", "PRIOR_EXECUTION_LOW", "RATE_FORMAT",
    "RESULTS_CAPACITY", "RESULTS_COLUMNS", "RESULTS_HEADER_ROW", "RESULTS_SHEET", "RESULTS_SUMMARY_CELL", "RESULTS_UNCHECKED",
    "SERIAL", "SEVERITY_LABELS", "STATUS_LINE_HEIGHT", "STATUS_ROW_HEIGHT", "SUPPORTED_VERSIONS", "TEMPLATE_FILENAME", "TEMPLATE_ID",
    "TEMPLATE_VERSION", "TEXT", "TITLE", "TITLE_ROW", "TITLE_ROWS", "VERSION_BLOCKS", "YEAR_ROW", "Block", "Check",
    "Column", "Family", "Field", "FormSpec", "Line", "Pair", "Stack", "StatusLine", "Table", "TableBlock", "build", "build_for",
    "choices", "max_last_row", "place", "year_text",
]
