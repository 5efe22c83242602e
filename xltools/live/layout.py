"""Where the live checks' cells go, and the bookkeeping that places them.

Two hidden sheets hold them:

* ``_xltools`` (beside the template's meta values in A:B), ``D``/``E`` from row 1: one row per live rule, the rule
  code in D and in E the number of findings that rule reports now, counted per cell like the engine (two missing
  一级 are two ``level1-missing`` findings); ``G1:G7`` started (any input filled), the numbers of errors and
  warnings, the budget year, whether 校验结果 holds a program's results, the cells still to fill and the wrong
  values. This small block is public: tests, the button and consolidation read it.
* ``_checks``: a row-aligned area (row r of ``_checks`` describes row r of the form): per rule and form column, a
  *flag* cell holding how many findings of that rule sit on that form cell; helper cells that read each table row
  the way the reader does; three grids mirroring the form's columns: errors, warnings, and required-missing; and
  the explanation list's cells (:mod:`xltools.live.explain`).
  Kept off ``_xltools`` so a reader of the meta values never parses thousands of formulas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xltools import spec
from xltools.cells import column_letter, split
from xltools.live.formulas import count_of

# Defined names the form's conditional formats and the status line read.
ERRORS_NAME = "xlt_live_errors"
WARNINGS_NAME = "xlt_live_warnings"
REQUIRED_NAME = "xlt_live_required"
STARTED_NAME = "xlt_live_started"
ERROR_COUNT_NAME = "xlt_live_error_count"
WARNING_COUNT_NAME = "xlt_live_warning_count"
# Version 3 on: every rule's count (E1:E<n>, what a check cell's {#code} reads), the number of required cells still
# blank (required-missing), whether 校验结果 holds a program's results, the first problem in words, whether the file
# has the button (a constant name: 0 in the .xlsx, 1 once xltools.xlsm made the .xlsm of it).
COUNTS_NAME = "xlt_live_counts"
UNFILLED_NAME = "xlt_live_unfilled"
WRONG_NAME = "xlt_live_wrong"
RESULTS_WRITTEN_NAME = "xlt_results_written"
FIRST_NAME = "xlt_live_first"
FIRST_CELL_NAME = "xlt_live_first_cell"
BUTTON_NAME = "xlt_button"

CODE_COL, COUNT_COL = "D", "E"  # the machine-readable counts (a public contract: tests, button, consolidation)
# G1 started, G2 errors (required-missing included, as the engine counts), G3 warnings, G4 the budget year as a
# number; version 3 on: G5 1 while 校验结果 holds a program's results, G6 cells still to fill (required-missing),
# G7 wrong values (the other errors).
STATE_COL = "G"
STATE_LABEL_COL = "F"
FIRST_AREA_COL = 1  # the row-aligned area fills _checks from column A
GRIDS = ("err", "warn", "req")


def form_columns(form: spec.FormSpec) -> tuple[str, ...]:
    """The form's column letters (A..D for the declaration): the grids mirror them."""
    return tuple(column_letter(i) for i in range(1, len(form.widths) + 1))


@dataclass(frozen=True)
class Lists:
    """Where the template put the dropdown lists the live checks read (the framework's names come from the
    framework itself, keyed as the engine compares them: see ``xltools.live.indicators``)."""

    choices: dict[str, tuple[str, ...]]  # choices key -> one reference per item (INDEX into the dropdown list)


@dataclass
class Layout:
    """The live-check cells: the working area on ``_checks`` (``cells``, ``texts``) and the public block on
    ``_xltools`` (``meta``, ``meta_texts``), address -> formula (with ``=``), number or text; defined names."""

    form: spec.FormSpec
    sheet: str = spec.CHECKS_SHEET
    cells: dict[str, str | int] = field(default_factory=dict)  # formulas (``=...``) and numbers
    texts: dict[str, str] = field(default_factory=dict)  # literal text (codes, keys, words): never a formula
    # The small public part on the meta sheet: rule codes and counts (D:E), state (F:G).
    meta: dict[str, str | int] = field(default_factory=dict)
    meta_texts: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # defined name -> absolute reference
    columns: dict[str, int] = field(default_factory=dict)  # helper key -> column index
    flags: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # code -> [(form letter, helper key)]
    # The visible explanation list (xltools.live.explain): row by row, column key -> formula; and the family's rules
    # that mark cells still to fill (tinted, listed last).
    listed: tuple[dict[str, str], ...] = ()
    required: tuple[str, ...] = ("required-missing",)

    def col(self, key: str) -> str:
        if key not in self.columns:
            self.columns[key] = FIRST_AREA_COL + len(self.columns)
        return column_letter(self.columns[key])

    def at(self, key: str, row: int) -> str:
        """Absolute address of helper ``key`` in row ``row`` (same sheet)."""
        return f"${self.col(key)}${row}"

    def span(self, key: str, first: int, last: int) -> str:
        return f"${self.col(key)}${first}:${self.col(key)}${last}"

    def put(self, key: str, row: int, formula: str) -> None:
        self.cells[f"{self.col(key)}{row}"] = "=" + formula

    def flag(self, code: str, letter: str, row: int, condition: str, *more: str) -> None:
        """How many findings of ``code`` sit on the form cell ``letter``/``row``: one per true condition."""
        key = f"{code}@{letter}"
        if (letter, key) not in self.flags.setdefault(code, []):
            self.flags[code].append((letter, key))
        self.put(key, row, count_of(condition, *more))

    def ref(self, address: str) -> str:
        """Absolute reference to a form cell, from this sheet."""
        letters, row = split(address)
        return f"'{self.form.sheet}'!${letters}${row}"

    @staticmethod
    def on_meta(local: str) -> str:
        """A reference to the meta sheet's ``local`` range, from another sheet (defined names, the checks)."""
        return f"'{spec.META_SHEET}'!{local}"

    def full(self, local: str) -> str:
        """A reference to this sheet's ``local`` range, from another sheet (defined names)."""
        return f"'{self.sheet}'!{local}"
