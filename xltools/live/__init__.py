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
* :mod:`~xltools.live.coverage`: which rules are live and how much of each (the README's table);
* :mod:`~xltools.live.declaration`: the 申报表's live checks assembled (:func:`build`).

Parity with the engine (tests/test_live_libreoffice.py recalculates real workbooks in LibreOffice and Gnumeric and
compares, rule by rule and cell by cell): a live rule never names a cell the engine does not. Where a formula cannot
follow the engine all the way, the live rule covers a documented subset (see ``COVERAGE``): it then stays silent
rather than guess. Rules beyond a formula (the full target grammar, vague wording) are the button's and the bureau's.
"""

from __future__ import annotations

from xltools.live.coverage import COVERAGE, FULL, LIVE_CODES, LIVE_ERRORS, LIVE_WARNINGS, SUBSET
from xltools.live.declaration import build
from xltools.live.formulas import tidy
from xltools.live.indicators import fold
from xltools.live.layout import (
    CODE_COL,
    COUNT_COL,
    ERROR_COUNT_NAME,
    ERRORS_NAME,
    REQUIRED_NAME,
    STARTED_NAME,
    STATE_COL,
    STATE_LABEL_COL,
    WARNING_COUNT_NAME,
    WARNINGS_NAME,
    Layout,
    Lists,
)
from xltools.live.status import (
    STATUS_CLEAN,
    STATUS_ERRORS,
    STATUS_NOT_STARTED,
    STATUS_WARNINGS,
    cell_formula,
    orange_formula,
    red_formula,
    status_conditions,
    status_formula,
    status_text,
    todo_formula,
)

__all__ = [
    "CODE_COL", "COUNT_COL", "COVERAGE", "ERRORS_NAME", "ERROR_COUNT_NAME", "FULL", "LIVE_CODES", "LIVE_ERRORS",
    "LIVE_WARNINGS", "REQUIRED_NAME", "STARTED_NAME", "STATE_COL", "STATE_LABEL_COL", "STATUS_CLEAN", "STATUS_ERRORS",
    "STATUS_NOT_STARTED", "STATUS_WARNINGS", "SUBSET", "WARNINGS_NAME", "WARNING_COUNT_NAME", "Layout", "Lists",
    "build", "cell_formula", "fold", "orange_formula", "red_formula", "status_conditions", "status_formula",
    "status_text", "tidy", "todo_formula",
]
