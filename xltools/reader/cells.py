"""The form's cells as the reader sees them: a value grid where a typed-in formula overrides any cached value, and
a log of every normalisation the typing makes (never silent). Typing itself is by kind (:mod:`xltools.reader.kinds`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xltools.cells import coords
from xltools.model import Normalisation
from xltools.reader.grids import Grid, at, plain


class FormCells:
    def __init__(self, grid: Grid, formulas: Mapping[str, str], year: int | None) -> None:
        self.grid = grid
        self.formulas = formulas
        # Grid rows holding a formula: a table row with one is never skipped as blank (the formula is the value).
        self.formula_rows = {coords(cell)[1] for cell in formulas}
        self.year = year
        self.normalisations: list[Normalisation] = []

    def note(self, cell: str, before: Any, after: Any, reason: str) -> None:
        self.normalisations.append(Normalisation(cell, plain(before), plain(after), reason))

    def raw(self, cell: str) -> Any:
        if cell in self.formulas:
            # Never trust a cached value: what the person typed is the formula.
            return self.formulas[cell]
        return at(self.grid, cell)
