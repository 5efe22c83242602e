"""The form explains itself: for every live rule with problems, one row that says what the rule found (its title
and advice, in the engine's words), where (the first cells, by address) and how often (its count), by formulas only.

Generic: it reads nothing but the layout's flags (``Layout.flags``: rule code -> form cells, the same cells the
counts add up) and the wording a family passes in (code -> (title, advice)); the declaration passes the engine's
:data:`xltools.findings.CODE_TITLES` and :data:`~xltools.findings.CODE_ADVICE`. Any other form family gets its own
list the same way.

How, on ``_checks`` (nothing here is parsed by a reader of returned forms):

* per rule, down the rows where it has flag cells, a running number of flagged cells (``xn:<code>``) and the text
  of the first :data:`FIRST_CELLS` of them in sheet order (``xs:<code>``, "、D14、D15");
* per rule (row i = its row in the public block): title, advice, code, the first cells ("D14、D15、D17 等"), the
  first cell, and a sort key: wrong values first, then warnings, then unfilled required cells (required-missing),
  each by its first cell;
* the list itself, row k: the k-th smallest key (SMALL) and the rule it belongs to (MATCH). The visible sheet shows
  INDEX of those. While the program's results are in 校验结果 the list stays empty: that sheet is then the one
  verdict (see :mod:`xltools.live.status`).

Excel 2010 functions only (SMALL, MATCH, INDEX, MID, FIND, CODE, VALUE), nothing volatile, no arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from xltools.cells import split
from xltools.findings import CODE_ADVICE, CODE_TITLES, CODES
from xltools.live.counts import results_written
from xltools.live.formulas import quoted
from xltools.live.layout import BUTTON_NAME, COUNT_COL, FIRST_CELL_NAME, FIRST_NAME, RESULTS_WRITTEN_NAME, Layout

FIRST_CELLS = 3  # cells named per rule; more are "等"
CELL_SEPARATOR = "、"
MORE = " 等"
UNFILLED = "required-missing"  # not a wrong value: a cell still to fill (listed last, counted apart)
LIST_COLUMNS = ("title", "advice", "cells", "count", "code")  # the visible list's columns, left to right


def rank(code: str, required: Sequence[str] = (UNFILLED,)) -> int:
    """Where a rule's row goes: wrong values (errors) first, then warnings, then cells still to fill (``required``:
    the family's rules for those)."""
    if code in required:
        return 3
    return 1 if CODES[code] == "error" else 2


def wording(codes: Sequence[str], advice: Mapping[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """The engine's words for ``codes``: each rule's title (as 校验结果 shows it) and its advice: the family's own
    sentence when it gives one (``advice``), else the declaration's (every message of those rules ends with it)."""
    advice = advice or {}
    return {code: (CODE_TITLES[code], advice.get(code) or CODE_ADVICE.get(code, "")) for code in codes}


def explained(lay: Layout, codes: Sequence[str], required: Sequence[str] = (UNFILLED,),
              advice: Mapping[str, str] | None = None) -> None:
    """Everything the status line and the explanation sheet read beyond the counts, for a family's live rules
    (``codes``, in the public block's order; ``required``: those that mark cells still to fill; ``advice``: the
    family's own sentence per rule, see :func:`wording`): whether 校验结果 holds a program's results, the
    explanation list, and the file's button flag (0 here; the .xlsm sets it)."""
    results_written(lay)
    lay.required = tuple(required)
    explain(lay, codes, wording(codes, advice), lambda code: rank(code, required))
    lay.names[BUTTON_NAME] = "0"


def explain(lay: Layout, codes: Sequence[str], words: Mapping[str, tuple[str, str]],
            rank_of: Callable[[str], int] = rank) -> None:
    """Build the explanation cells for ``codes`` (the rules of the public block, in its row order) on the layout's
    sheet, and the visible list's formulas into ``lay.listed`` (row k: one formula per column of
    :data:`LIST_COLUMNS`). ``words``: code -> (title, advice)."""
    by_column = _rows_by_column(lay)
    for i, code in enumerate(codes, start=1):
        title, advice = words.get(code, (code, ""))
        lay.texts[f"{lay.col('x_code')}{i}"] = code
        lay.texts[f"{lay.col('x_title')}{i}"] = title
        lay.texts[f"{lay.col('x_advice')}{i}"] = advice
        shown, total = _first_cells(lay, code, by_column)
        count = lay.on_meta(f"${COUNT_COL}${i}")
        first = lay.at("x_first", i)
        lay.put("x_cells", i, f'IF({shown}="","",MID({shown},2,300)&IF({total}>{FIRST_CELLS},{quoted(MORE)},""))')
        lay.put("x_first", i, f'IF({shown}="","",MID({shown},2,FIND({quoted(CELL_SEPARATOR)},{shown}&'
                              f'{quoted(CELL_SEPARATOR)},2)-2))')
        # Unique per rule: rank, then the first cell's row and column (single-letter columns), then the rule.
        lay.put("x_key", i, f'IF(OR({count}=0,{first}=""),"",{rank_of(code)}*100000000+'
                            f'VALUE(MID({first},2,9))*1000+(CODE({first})-64)*20+{i})')
    n = len(codes)
    key_range = lay.span("x_key", 1, n)
    sources = {"title": lay.span("x_title", 1, n), "advice": lay.span("x_advice", 1, n),
               "cells": lay.span("x_cells", 1, n), "code": lay.span("x_code", 1, n),
               "count": lay.on_meta(f"${COUNT_COL}$1:${COUNT_COL}${n}")}
    rows = []
    for k in range(1, n + 1):
        order, pick = lay.at("x_order", k), lay.at("x_pick", k)
        lay.put("x_order", k, f'IF(COUNT({key_range})>={k},SMALL({key_range},{k}),"")')
        lay.put("x_pick", k, f'IF(OR({RESULTS_WRITTEN_NAME}=1,{order}=""),"",MATCH({order},{key_range},0))')
        rows.append({col: f'=IF({lay.full(pick)}="","",INDEX({_from_outside(lay, sources[col])},'
                          f'{lay.full(pick)}))' for col in LIST_COLUMNS})
    # The first problem for the status line: its cell, and "D14（当年预算超过总预算）" (empty while none is found).
    first_pick, first_cell = lay.at("x_pick", 1), lay.at("x_first_problem", 2)
    lay.put("x_first_problem", 2, f'IF({first_pick}="","",INDEX({lay.span("x_first", 1, n)},{first_pick}))')
    lay.put("x_first_problem", 1, f'IF({first_pick}="","",{first_cell}&"（"&'
                                  f'INDEX({lay.span("x_title", 1, n)},{first_pick})&"）")')
    lay.names[FIRST_NAME] = lay.full(lay.at("x_first_problem", 1))
    lay.names[FIRST_CELL_NAME] = lay.full(first_cell)
    lay.listed = tuple(rows)


def _from_outside(lay: Layout, ref: str) -> str:
    """``ref`` as seen from another sheet: a range of the meta sheet stays as it is, one of this sheet is qualified."""
    return ref if ref.startswith("'") else lay.full(ref)


def _rows_by_column(lay: Layout) -> dict[str, list[int]]:
    """Column letter of the layout's sheet -> the rows that have a cell in it."""
    out: dict[str, list[int]] = {}
    for address in lay.cells:
        col, row = split(address)
        out.setdefault(col, []).append(row)
    return out


def _first_cells(lay: Layout, code: str, by_column: Mapping[str, list[int]]) -> tuple[str, str]:
    """Chain, down the rows where ``code`` has flag cells, the text of its first FIRST_CELLS flagged cells in sheet
    order and the number of flagged cells so far. Returns the cells holding both at the last row ('""' and 0 when
    the rule has no flag cells in this family)."""
    rows: dict[int, list[tuple[str, str]]] = {}
    for letter, key in lay.flags.get(code, []):
        for row in by_column.get(lay.col(key), []):
            rows.setdefault(row, []).append((letter, key))
    text_key, count_key = f"xs:{code}", f"xn:{code}"
    before_text, before_count = '""', "0"
    for row in sorted(rows):
        # Left to right within the row (single-letter columns: the form's own, A..D for the declaration).
        in_row = sorted(rows[row], key=lambda place: (len(place[0]), place[0]))
        flagged = [f"IF({lay.at(key, row)}>0,1,0)" for _letter, key in in_row]
        parts = []
        for j, (letter, key) in enumerate(in_row):
            rank_in_row = "+".join(flagged[: j + 1])
            parts.append(f'IF(AND({lay.at(key, row)}>0,{before_count}+{rank_in_row}<={FIRST_CELLS}),'
                         f'{quoted(CELL_SEPARATOR + letter + str(row))},"")')
        lay.put(count_key, row, f"{before_count}+{'+'.join(flagged)}")
        lay.put(text_key, row, f'IF({before_count}>={FIRST_CELLS},{before_text},{before_text}&{"&".join(parts)})')
        before_text, before_count = lay.at(text_key, row), lay.at(count_key, row)
    return before_text, before_count
