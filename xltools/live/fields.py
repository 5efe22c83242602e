"""Live rules on single fields, by kind: required-missing, amount-invalid, date-invalid and the choice lists
(mirroring :mod:`xltools.rules.fields`). Any form's fields get these; its own cross-field rules build on
:class:`FieldCells`."""

from __future__ import annotations

from xltools import spec
from xltools.cells import column_letter
from xltools.live.formulas import bad_amount, bad_date, one_of, tidy
from xltools.live.layout import Layout, Lists


class FieldCells:
    """The form's fields as the live rules see them: each field's tidy text sits in a helper cell on its own row
    (``f_text@<letter>``), computed once and read by every rule on that field."""

    def __init__(self, lay: Layout, form: spec.FormSpec) -> None:
        self.lay = lay
        self.fields = form.fields

    def letter_row(self, key: str) -> tuple[str, int]:
        f = self.fields[key]
        return column_letter(f.first_col), f.row

    def ref(self, key: str) -> str:
        """The field's input cell, from the checks sheet."""
        return self.lay.ref(self.fields[key].cell)

    def text(self, key: str) -> str:
        letter, row = self.letter_row(key)
        return self.lay.at(f"f_text@{letter}", row)

    def blank(self, key: str) -> str:
        return f'{self.text(key)}=""'

    def on(self, code: str, key: str, condition: str) -> None:
        """A finding of ``code`` on field ``key`` while ``condition`` holds."""
        letter, row = self.letter_row(key)
        self.lay.flag(code, letter, row, condition)


def check_fields(lay: Layout, form: spec.FormSpec, lists: Lists) -> FieldCells:
    """Every field's tidy text, then the rules each field gets by its kind."""
    cells = FieldCells(lay, form)
    for key, fld in form.fields.items():
        letter, row = cells.letter_row(key)
        lay.put(f"f_text@{letter}", row, tidy(lay.ref(fld.cell)))
    for key, fld in form.fields.items():
        x = lay.ref(fld.cell)
        blank = cells.blank(key)
        if fld.required:
            cells.on("required-missing", key, blank)
        if fld.kind == spec.MONEY:
            cells.on("amount-invalid", key, f"AND(NOT({blank}),{bad_amount(x, cells.text(key))})")
        elif fld.kind == spec.DATE:
            cells.on("date-invalid", key, f"AND(NOT({blank}),{bad_date(x, cells.text(key))})")
        elif fld.kind == spec.CHOICE and fld.choices:
            cells.on("project-type-invalid", key,
                     f"AND(NOT({blank}),NOT({one_of(cells.text(key), lists.choices[fld.choices])}))")
    return cells
