"""What the flags add up to: per form cell (the grids the conditional formats read), per rule (the public counts
on ``_xltools``), and whether anyone has started filling in."""

from __future__ import annotations

import re
from collections.abc import Iterable

from xltools import spec
from xltools.cells import column_letter
from xltools.findings import CODES
from xltools.live.coverage import LIVE_CODES
from xltools.live.formulas import quoted
from xltools.live.layout import (
    CODE_COL,
    COUNT_COL,
    COUNTS_NAME,
    ERROR_COUNT_NAME,
    ERRORS_NAME,
    REQUIRED_NAME,
    RESULTS_WRITTEN_NAME,
    STARTED_NAME,
    STATE_COL,
    STATE_LABEL_COL,
    UNFILLED_NAME,
    WARNING_COUNT_NAME,
    WARNINGS_NAME,
    WRONG_NAME,
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


def counts(lay: Layout, codes: tuple[str, ...] = LIVE_CODES, required: tuple[str, ...] = ("required-missing",),
           ) -> None:
    """One row per live rule (``codes``: the family's) on ``_xltools``: its code in D, its number of findings in
    E; errors and warnings in G2 and G3; from version 3 on, G6 the cells still to fill (the ``required`` rules:
    a calm tint, counted apart) and G7 the wrong values (the other errors)."""
    last = lay.form.last_row
    for row, code in enumerate(codes, start=1):
        lay.meta_texts[f"{CODE_COL}{row}"] = code
        parts = [f"SUM({lay.full(lay.span(key, 1, last))})" for _letter, key in lay.flags.get(code, [])]
        lay.meta[f"{COUNT_COL}{row}"] = "=" + ("+".join(parts) or "0")
    rows = {code: row for row, code in enumerate(codes, start=1)}

    def total(codes: Iterable[str]) -> str:
        return "+".join(f"${COUNT_COL}${rows[c]}" for c in codes) or "0"

    for row, key, which in ((2, "errors", [c for c in codes if CODES[c] == "error"]),
                            (3, "warnings", [c for c in codes if CODES[c] == "warning"]),
                            (6, "unfilled", [c for c in codes if c in required]),
                            (7, "wrong", [c for c in codes if CODES[c] == "error" and c not in required])):
        lay.meta_texts[f"{STATE_LABEL_COL}{row}"] = key
        lay.meta[f"{STATE_COL}{row}"] = "=" + total(which)
    lay.names[ERROR_COUNT_NAME] = lay.on_meta(f"${STATE_COL}$2")
    lay.names[WARNING_COUNT_NAME] = lay.on_meta(f"${STATE_COL}$3")
    lay.names[UNFILLED_NAME] = lay.on_meta(f"${STATE_COL}$6")
    lay.names[WRONG_NAME] = lay.on_meta(f"${STATE_COL}$7")
    lay.names[COUNTS_NAME] = lay.on_meta(f"${COUNT_COL}$1:${COUNT_COL}${len(codes)}")


def results_written(lay: Layout) -> None:
    """G5: 1 while 校验结果 holds what a program wrote (its summary cell is neither blank nor the template's
    "not checked yet"): the status line then gives that result, the one verdict of the printout."""
    summary = f"'{spec.RESULTS_SHEET}'!${spec.RESULTS_SUMMARY_CELL[0]}${spec.RESULTS_SUMMARY_CELL[1:]}"
    lay.meta_texts[f"{STATE_LABEL_COL}5"] = "results"
    lay.meta[f"{STATE_COL}5"] = f'=IF(AND({summary}<>"",{summary}<>{quoted(spec.RESULTS_UNCHECKED)}),1,0)'
    lay.names[RESULTS_WRITTEN_NAME] = lay.on_meta(f"${STATE_COL}$5")


def count_ref(code: str, codes: tuple[str, ...] = LIVE_CODES) -> str:
    """The live count of rule ``code`` (version 3 on), from any sheet: what a check cell's ``{#code}`` becomes
    (``codes``: the family's live rules, in the public block's order)."""
    return f"INDEX({COUNTS_NAME},{codes.index(code) + 1})"


def resolve_counts(text: str, codes: tuple[str, ...] = LIVE_CODES) -> str:
    """``text`` (a spec check formula or condition) with every ``{#code}`` replaced by that rule's live count."""
    return re.sub(r"\{#([a-z0-9-]+)\}", lambda m: count_ref(m.group(1), codes), text)
