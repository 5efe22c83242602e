"""What the flags add up to: per form cell (the grids the conditional formats read), per rule (the public counts
on ``_xltools``), and whether anyone has started filling in."""

from __future__ import annotations

from collections.abc import Iterable

from xltools import spec
from xltools.cells import column_letter
from xltools.findings import CODES
from xltools.live.coverage import LIVE_CODES
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
    form_columns,
)


def started(lay: Layout, form: spec.FormSpec, unit_locked: bool, table_flags: Iterable[tuple[str, str]]) -> None:
    """G1: has anyone typed anything yet (the unit's name, filled in by the bureau, does not count). Any field's
    tidy text, or a filled row of a table (``table_flags``: helper key of each table's 1/0 filled column, table
    key). Cells the bureau prefilled do not count either."""
    parts = [f'IF({lay.full(lay.at("f_text@" + column_letter(f.first_col), f.row))}<>"",1,0)'
             for key, f in form.fields.items() if not (f.prefilled or (unit_locked and key == "unit"))]
    for key, table_key in table_flags:
        table = form.tables[table_key]
        parts.append(f"SUM({lay.full(lay.span(key, table.first_row, table.last_row))})")
    lay.meta_texts[f"{STATE_LABEL_COL}1"] = "started"
    lay.meta[f"{STATE_COL}1"] = f"=IF(({'+'.join(parts)})>0,1,0)"
    year_row = spec.META_KEYS.index("year") + 1
    lay.meta_texts[f"{STATE_LABEL_COL}4"] = "year"
    lay.meta[f"{STATE_COL}4"] = f'=IFERROR(VALUE($B${year_row}),"")'
    lay.names[STARTED_NAME] = lay.on_meta(f"${STATE_COL}$1")


def grids(lay: Layout, form: spec.FormSpec, required: Iterable[str] = ("required-missing",)) -> None:
    """Per form cell: live errors (the ``required`` codes apart), warnings, and the ``required`` codes: cells a
    blank form has yet to fill, tinted calmly until someone starts."""
    required = frozenset(required)
    by_cell: dict[tuple[str, str], list[str]] = {}
    for code, places in lay.flags.items():
        grid = "req" if code in required else ("err" if CODES[code] == "error" else "warn")
        for letter, key in places:
            by_cell.setdefault((grid, letter), []).append(key)
    for (grid, letter), keys in by_cell.items():
        for r in range(1, form.last_row + 1):
            present = [lay.at(k, r) for k in keys if f"{lay.col(k)}{r}" in lay.cells]
            if present:
                lay.put(f"{grid}@{letter}", r, "+".join(present))
    letters = form_columns(form)
    for grid, name in (("err", ERRORS_NAME), ("warn", WARNINGS_NAME), ("req", REQUIRED_NAME)):
        cols = [lay.col(f"{grid}@{letter}") for letter in letters]
        lay.names[name] = lay.full(f"${cols[0]}$1:${cols[-1]}${form.last_row}")


def counts(lay: Layout, codes: tuple[str, ...] = LIVE_CODES) -> None:
    """One row per live rule (``codes``: the family's) on ``_xltools``: its code in D, its number of findings in
    E; errors and warnings in G2 and G3."""
    last = lay.form.last_row
    for row, code in enumerate(codes, start=1):
        lay.meta_texts[f"{CODE_COL}{row}"] = code
        parts = [f"SUM({lay.full(lay.span(key, 1, last))})" for _letter, key in lay.flags.get(code, [])]
        lay.meta[f"{COUNT_COL}{row}"] = "=" + ("+".join(parts) or "0")
    rows = {code: row for row, code in enumerate(codes, start=1)}

    def total(codes: Iterable[str]) -> str:
        return "+".join(f"${COUNT_COL}${rows[c]}" for c in codes) or "0"

    lay.meta_texts[f"{STATE_LABEL_COL}2"] = "errors"
    lay.meta[f"{STATE_COL}2"] = "=" + total(c for c in codes if CODES[c] == "error")
    lay.meta_texts[f"{STATE_LABEL_COL}3"] = "warnings"
    lay.meta[f"{STATE_COL}3"] = "=" + total(c for c in codes if CODES[c] == "warning")
    lay.names[ERROR_COUNT_NAME] = lay.on_meta(f"${STATE_COL}$2")
    lay.names[WARNING_COUNT_NAME] = lay.on_meta(f"${STATE_COL}$3")
