"""Live checks: the rules a worksheet formula can decide, as formulas inside the template (no Python needed).

Staff on WPS, LibreOffice, a Mac or a locked-down PC never run the Python engine, so the workbook checks itself.
Everything here is derived from the spec (:mod:`xltools.spec`), the framework and the data files: no address or
list is written by hand. The formulas use the Excel 2010 function set only (no dynamic arrays, no LET/FILTER/
TEXTJOIN/XLOOKUP) and nothing volatile, so Excel, WPS and LibreOffice compute the same thing.

One module per concern:

* :mod:`~xltools.live.formulas`: formula text that reads a cell as the reader does (tidy text, amounts, dates,
  targets, list membership);
* :mod:`~xltools.live.layout`: where the cells go (``_checks``, the public block on ``_xltools``) and the
  :class:`Layout` that places them;
* rule groups, each beside the engine rules it mirrors: :mod:`~xltools.live.fields` (any field by kind),
  :mod:`~xltools.live.budget` (periods, amounts, sub-projects), :mod:`~xltools.live.indicators` (分解目标);
* :mod:`~xltools.live.counts`: per-cell grids, per-rule counts, the started flag;
* :mod:`~xltools.live.status`: the status line and the red/orange/待填 conditions;
* :mod:`~xltools.live.explain`: the explanation list (each rule with problems: its words, first cells, count);
* :mod:`~xltools.live.coverage`: which rules are live and how much of each (the README's table);
* :mod:`~xltools.live.declaration`: the 申报表's live checks assembled (:func:`build`).

Parity with the engine (tests/test_live_libreoffice.py recalculates real workbooks in LibreOffice and Gnumeric and
compares, rule by rule and cell by cell): a live rule never names a cell the engine does not. Where a formula cannot
follow the engine all the way, the live rule covers a documented subset (see ``COVERAGE``): it then stays silent
rather than guess. Rules beyond a formula (the full target grammar, vague wording) are the button's and the bureau's.
"""

from __future__ import annotations

from xltools.live.counts import count_ref, resolve_counts
from xltools.live.coverage import COVERAGE, FULL, LIVE_CODES, LIVE_ERRORS, LIVE_WARNINGS, SUBSET
from xltools.live.declaration import build
from xltools.live.explain import FIRST_CELLS, LIST_COLUMNS, MORE, rank, wording
from xltools.live.formulas import tidy
from xltools.live.indicators import fold
from xltools.live.layout import (
    BUTTON_NAME,
    CODE_COL,
    COUNT_COL,
    COUNTS_NAME,
    ERROR_COUNT_NAME,
    ERRORS_NAME,
    FIRST_CELL_NAME,
    FIRST_NAME,
    REQUIRED_NAME,
    RESULTS_WRITTEN_NAME,
    STARTED_NAME,
    STATE_COL,
    STATE_LABEL_COL,
    UNFILLED_NAME,
    WARNING_COUNT_NAME,
    WARNINGS_NAME,
    Layout,
    Lists,
)
from xltools.live.status import (
    STATUS_CLEAN,
    STATUS_ERRORS,
    STATUS_FILLING,
    STATUS_NOT_STARTED,
    STATUS_RESULTS,
    STATUS_WARNINGS,
    cell_formula,
    explain_heading,
    orange_formula,
    red_formula,
    status_conditions,
    status_formula,
    status_text,
    todo_formula,
)

__all__ = [
    "BUTTON_NAME", "CODE_COL", "COUNTS_NAME", "COUNT_COL", "COVERAGE", "ERRORS_NAME", "ERROR_COUNT_NAME", "FIRST_CELLS",
    "FIRST_CELL_NAME", "FIRST_NAME", "FULL", "LIST_COLUMNS", "LIVE_CODES", "LIVE_ERRORS", "LIVE_WARNINGS", "MORE",
    "REQUIRED_NAME", "RESULTS_WRITTEN_NAME", "STARTED_NAME", "STATE_COL", "STATE_LABEL_COL", "STATUS_CLEAN",
    "STATUS_ERRORS", "STATUS_FILLING", "STATUS_NOT_STARTED", "STATUS_RESULTS", "STATUS_WARNINGS", "SUBSET",
    "UNFILLED_NAME", "WARNINGS_NAME", "WARNING_COUNT_NAME", "Layout", "Lists", "build", "cell_formula", "count_ref",
    "explain_heading", "fold", "orange_formula", "rank", "red_formula", "resolve_counts", "status_conditions",
    "status_formula", "status_text", "tidy", "todo_formula", "wording",
]
