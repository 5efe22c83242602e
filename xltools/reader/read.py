"""The reader's two entry points, sharing one core so a file and the Excel button read the same way:

* :func:`read_file` opens a workbook (xlsx/xlsm/xls/ods) with python-calamine;
* :func:`read_grids` takes value grids that someone else fetched (the button gets them from xlwings).

Each identifies the form once (:func:`xltools.reader.identify.identify`: template, version, framework, labels) and
hands the resolved spec down to the typing; nothing later looks the version up again.

Formula cells are never trusted: the reader ignores the template's check formulas (rules recompute them), and a
formula a person typed into an input cell is read as its formula text (and is invalid in a money or date cell).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from xltools import data, spec
from xltools.evaluation import SelfEvaluation
from xltools.findings import Finding
from xltools.model import Declaration
from xltools.reader.cells import FormCells
from xltools.reader.declaration import read_declaration
from xltools.reader.framework import framework_changed, needs_lists
from xltools.reader.grids import Grid
from xltools.reader.identify import Mismatch, identify, missing_sheets, read_meta
from xltools.reader.selfeval import META_ROWS, form_rows, read_selfeval
from xltools.spec.selfeval import SELFEVAL
from xltools.workbook import UnreadableError, WorkbookValues, open_values

SHIPPED = data.Frameworks()


@dataclass
class ReadResult:
    """A declaration (or a self-evaluation, when the meta names that family), or the findings that explain why there
    is none (file-unreadable, template-mismatch)."""

    file: str
    declaration: Declaration | None
    findings: list[Finding] = field(default_factory=list)
    selfeval: SelfEvaluation | None = None


def read_file(path: str | Path, display_name: str | None = None, frameworks: data.Frameworks | None = None,
              ) -> ReadResult:
    """Read one returned workbook. Never raises on bad input: problems come back as findings. ``frameworks``: the
    frameworks known by id (default: the shipped ones)."""
    name = display_name if display_name is not None else str(path)
    try:
        book = open_values(path, (spec.META_SHEET, spec.FORM_SHEET, SELFEVAL.sheet))  # only these are checked, copied
    except UnreadableError as exc:
        return ReadResult(name, None, [Finding.of("file-unreadable", str(exc), file=name)])
    try:
        # The meta names the form's family: a self-evaluation is read on its own sheet and spec.
        meta_grid = book.grid(spec.META_SHEET, nrows=META_ROWS) if spec.META_SHEET in book.sheet_names else []
        if read_meta(meta_grid).get("template_id") == SELFEVAL.template_id:
            missing = missing_sheets(book.sheet_names, SELFEVAL)
            if missing:
                return ReadResult(name, None, [missing.with_file(name)])
            form_grid = book.grid(SELFEVAL.sheet, nrows=form_rows())
            return read_grids(form_grid, meta_grid, file=name, formulas=book.formulas(SELFEVAL.sheet))
        missing = missing_sheets(book.sheet_names)
        if missing:
            return ReadResult(name, None, [missing.with_file(name)])
        frameworks = frameworks or SHIPPED
        form_grid = book.grid(spec.FORM_SHEET, nrows=spec.max_last_row() + 5)
        formulas = book.formulas(spec.FORM_SHEET)
        lists = _lists(path, book, meta_grid, frameworks)
    except UnreadableError as exc:
        return ReadResult(name, None, [Finding.of("file-unreadable", str(exc), file=name)])
    finally:
        book.close()
    return read_grids(form_grid, meta_grid, file=name, formulas=formulas, frameworks=frameworks, lists=lists)


def _lists(path: str | Path, book: WorkbookValues, meta_grid: Grid, frameworks: data.Frameworks) -> Grid | None:
    """The form's own 一级/二级 lists, only when its framework may have changed since it was made. They serve only
    to name what changed: a ``_lists`` sheet that cannot be read leaves the form readable. Opened apart, through
    the same bounded path, because this is rare: the common read checks and copies two sheets only."""
    if spec.LISTS_SHEET not in book.sheet_names or not needs_lists(read_meta(meta_grid), frameworks):
        return None
    try:
        lists_book = open_values(path, (spec.LISTS_SHEET,))
    except UnreadableError:
        return None
    try:
        return lists_book.grid(spec.LISTS_SHEET)
    except UnreadableError:
        return None
    finally:
        lists_book.close()


def read_grids(form_grid: Grid, meta_grid: Grid, *, file: str, formulas: Mapping[str, str] | None = None,
               frameworks: data.Frameworks = SHIPPED, lists: Grid | None = None) -> ReadResult:
    """Build a declaration from value grids of the form and meta sheets (rows from A1); ``lists``, the form's
    ``_lists`` sheet when there is reason to compare frameworks (see :mod:`xltools.reader.framework`)."""
    meta = read_meta(meta_grid)
    if meta.get("template_id") == SELFEVAL.template_id:
        evaluation, findings = read_selfeval(form_grid, meta, file=file, formulas=formulas)
        return ReadResult(file, None, findings, selfeval=evaluation)
    found = identify(form_grid, meta, frameworks)
    if isinstance(found, Mismatch):
        return ReadResult(file, None, [found.with_file(file)])
    cells = FormCells(form_grid, formulas or {}, found.year)
    changed = framework_changed(found, lists, file)
    return ReadResult(file, read_declaration(found, cells, file), [changed] if changed else [])
