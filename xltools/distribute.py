"""The templates of a round: each form as the .xlsx template and its .xlsm twin with the 一键校验 button; one pair,
or one pair per unit of a units list. What ``xltools template`` writes, the staff bundle carries and the add-in's
生成下发模板 makes: one function, so the three always give the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from xltools import data
from xltools.template import write_template, write_unit_templates
from xltools.xlsm import build_macro_workbook


@dataclass
class Forms:
    """What :func:`write_forms` wrote. ``missing_macro``: the button's VBA source could not be found (an install
    without it), so no .xlsm was written."""

    books: list[Path] = field(default_factory=list)
    macros: list[Path] = field(default_factory=list)
    missing_macro: str | None = None

    @property
    def files(self) -> list[Path]:
        """Every file written: each .xlsx followed by its .xlsm."""
        twins = {m.with_suffix(".xlsx"): m for m in self.macros}
        return [p for book in self.books for p in (book, twins.get(book)) if p is not None]


def _nothing(_path: Path) -> None:
    pass


def write_forms(out_dir: str | Path, year: int, password: str, framework: str | data.Framework,
                units: str | Path | None = None, *, written: Callable[[Path], None] = _nothing) -> Forms:
    """Write the round's templates into ``out_dir``; ``written`` hears of each file as it is written. Raises
    :class:`xltools.units.UnitsFileError` (the units list), :class:`xltools.template.sheets.TemplateError`."""
    books = (write_unit_templates(units, out_dir, year, password, framework) if units is not None
             else [write_template(out_dir, year, password, framework=framework)])
    forms = Forms()
    for book in books:
        forms.books.append(book)
        written(book)
        if forms.missing_macro is not None:
            continue
        macro = book.with_suffix(".xlsm")
        try:
            build_macro_workbook(book, macro)
        except FileNotFoundError as exc:
            # The button's VBA comes from macros/ (a checkout) or <prefix>/share/xltools/macros (a wheel).
            forms.missing_macro = str(exc.filename)
            continue
        forms.macros.append(macro)
        written(macro)
    return forms
